#pragma once
// The answer slot of one incoming request. A request handler receives one and
// must answer exactly once, now or later (copy it into a later callback or
// coroutine; copies share the slot):
//
//   void on_request(ovs::proto::request req, ovs::link::responder r) {
//       if (auto* check = std::get_if<ovs::proto::admission_check>(&req))
//           r.reply(ovs::proto::admission_result{true, "seat holder"});
//       else
//           r.fail("unsupported", "this side does not serve that request");
//   }
//
// Only the first answer counts; later ones are ignored. If the last copy is
// destroyed without an answer, an `internal` error reply is sent, so the peer
// never waits for a reply that cannot come. Answers after the connection has
// closed are dropped.

#include <ovs/proto/messages.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace ovs::link {

class link_connection;

class responder {
public:
    responder(std::weak_ptr<link_connection> conn, std::uint64_t id);

    // Success with a result (proto::empty_result{} for "ok, nothing to add",
    // proto::admission_result{...}), or an error_info.
    void reply(proto::reply_body body) const;
    void fail(std::string code, std::string message) const;

    std::uint64_t id() const;
    bool answered() const;

private:
    struct slot;
    std::shared_ptr<slot> slot_;
};

}  // namespace ovs::link
