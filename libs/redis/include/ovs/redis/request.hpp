#pragma once
// One or more commands sent together (a pipeline): formatted into RESP by
// hiredis at push() time, written in one go, answered by one reply each.
//
//   ovs::redis::request req;
//   req.push({"SET", "k", "v"}).push({"GET", "k"});
//   auto [ec, replies] = co_await client->async_exec(std::move(req), use_nothrow);
//
// Arguments are binary-safe (std::string may hold any bytes).

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::redis {

class request {
public:
    request() = default;
    request(std::initializer_list<std::string_view> args) { push(args); }

    request& push(std::initializer_list<std::string_view> args);
    request& push(const std::vector<std::string>& args);
    request& push(const std::vector<std::string_view>& args);

    // A command that Redis answers with several replies (SUBSCRIBE with n
    // channels answers n times): push it, then say how many more to expect.
    request& expect_more(std::size_t extra_replies);

    std::size_t commands() const { return commands_; }
    std::size_t expected_replies() const { return expected_; }
    const std::string& payload() const { return payload_; }
    bool empty() const { return commands_ == 0; }

private:
    void append(const std::vector<const char*>& argv, const std::vector<std::size_t>& lens);

    std::string payload_;
    std::size_t commands_ = 0;
    std::size_t expected_ = 0;
};

}  // namespace ovs::redis
