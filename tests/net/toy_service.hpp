#pragma once
// A small service on libs/net for its tests, and a server around it on
// 127.0.0.1:0 with its own io_context.
//
//   GET  /hello  -> 200 "hello\n"          POST /echo  -> the body back
//   GET  /throw  -> the service throws      GET  /slow  -> answers after 300 ms
//   upgrade /ws  -> an echo WebSocket; the text "close" closes it with 4000,
//                   "flood N" sends N frames of 16 KiB, "burst N" N rounds of
//                   burst_sizes frames (round r: letter 'a' + r), then "end"
//   other upgrade targets -> 403 from the service

#include <ovs/net/server.hpp>
#include <ovs/testing/clients.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace ovs::net::test {

using namespace std::chrono_literals;
using namespace ovs::testing;

// Payload sizes around each WebSocket header length boundary.
inline constexpr std::size_t burst_sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};

struct toy_record {
    std::vector<ws_end> closes;  // each ended WebSocket, in order
    std::vector<std::weak_ptr<ws_session>> sessions;
};

class toy_service : public http_service {
public:
    explicit toy_service(std::shared_ptr<toy_record> record) : record_(std::move(record)) {}
    asio::awaitable<reply> handle(request req, peer_info peer) override;
    upgrade_answer upgrade(const request& req, const peer_info& peer) override;

private:
    std::shared_ptr<toy_record> record_;
};

server_options toy_options();

struct toy_fixture {
    explicit toy_fixture(server_options o = toy_options());
    void run(asio::awaitable<void> test);

    asio::io_context io;
    std::shared_ptr<toy_record> record = std::make_shared<toy_record>();
    server srv;
    std::uint16_t port = 0;
};

}  // namespace ovs::net::test
