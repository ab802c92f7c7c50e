// command_queue: steps run one at a time in push order, whether they finish
// before returning (the embedded store) or later (Redis), and a step
// finished later resumes the loop through the resume function, never from
// inside the store's callback.

#include "command_queue.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using ovs::room::command_queue;

TEST_CASE("command_queue: immediate steps run in order without a resume", "[unit]")
{
    int resumes = 0;
    command_queue q([&](std::function<void()> f) {
        ++resumes;
        f();
    });
    std::vector<int> ran;
    for (int i = 0; i < 1000; ++i) {
        q.push([&ran, i](command_queue::next_fn next) {
            ran.push_back(i);
            next();
        });
    }
    REQUIRE(ran.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(ran[static_cast<std::size_t>(i)] == i);
    CHECK(resumes == 0);
    CHECK_FALSE(q.busy());
}

TEST_CASE("command_queue: a step answered later holds back the ones behind it", "[unit]")
{
    std::vector<std::function<void()>> posted;
    command_queue q([&](std::function<void()> f) { posted.push_back(std::move(f)); });
    std::vector<std::string> log;
    command_queue::next_fn pending;
    q.push([&](command_queue::next_fn next) {
        log.push_back("claim sent");
        pending = std::move(next);  // the store answers later
    });
    q.push([&](command_queue::next_fn next) {
        log.push_back("ping");
        next();
    });
    CHECK(log == std::vector<std::string>{"claim sent"});
    CHECK(q.busy());
    CHECK(q.waiting() == 1);

    log.push_back("claim answered");
    pending();
    // Not run from inside the answer: posted.
    CHECK(log.back() == "claim answered");
    REQUIRE(posted.size() == 1);
    posted.front()();
    CHECK(log == std::vector<std::string>{"claim sent", "claim answered", "ping"});
    CHECK_FALSE(q.busy());
    CHECK(q.waiting() == 0);
}
