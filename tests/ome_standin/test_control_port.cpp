// The control port as other test suites use it (over HTTP), and the API's
// hang mode: a request is read, logged unanswered, and answered after "up".
#include "loopback.hpp"

#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ovs;
using namespace ovs::ome_standin;
using namespace ovs::standin_test;
using stand_in = ovs::ome_standin::ome_standin;
using namespace std::chrono_literals;

namespace {

struct pending_reply {
    bool done = false;
    http_reply reply;
};

asio::awaitable<void> call_into(std::uint16_t port, std::shared_ptr<pending_reply> into)
{
    into->reply = co_await http_call(port, "GET", "/v1/vhosts", basic_auth("ome-access-token"));
    into->done = true;
}

// Waits (bounded) until the stand-in has logged `count` API requests.
asio::awaitable<bool> logged(stand_in* standin, std::size_t count)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 200 && standin->api_log().size() < count; ++i) {
        timer.expires_after(5ms);
        co_await timer.async_wait(use_nothrow);
    }
    co_return standin->api_log().size() >= count;
}

asio::awaitable<void> control_scenario(stand_in* standin)
{
    std::uint16_t const control = standin->control_port();
    auto const published =
        co_await http_call(control,
                           "POST",
                           "/control/publish",
                           std::nullopt,
                           R"j({"protocol":"srt","stream":"cam1","query":"k=v"})j");
    REQUIRE(published.status == 200);
    auto const outcome = nlohmann::json::parse(published.body);
    CHECK(outcome["admitted"] == true);
    CHECK(outcome["url"] == "srt://default/app/cam1?k=v");

    auto const bad = co_await http_call(
        control, "POST", "/control/publish", std::nullopt, R"j({"protocol":"ftp"})j");
    CHECK(bad.status == 400);
    CHECK(nlohmann::json::parse(bad.body)["error"].get<std::string>().find("ftp") !=
          std::string::npos);

    auto const list = co_await http_call(standin->api_port(),
                                         "GET",
                                         "/v1/vhosts/default/apps/app/streams",
                                         basic_auth("ome-access-token"));
    CHECK(list.body == R"j({"message":"OK","response":["cam1"],"statusCode":200})j");

    // Hang: the request is read and logged, but not answered until "up".
    auto const hung = co_await http_call(control, "POST", "/control/hang", std::nullopt);
    CHECK(hung.status == 200);
    auto pending = std::make_shared<pending_reply>();
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(ex, call_into(standin->api_port(), pending), asio::detached);
    bool const arrived = co_await logged(standin, 2);
    REQUIRE(arrived);
    CHECK_FALSE(pending->done);
    CHECK(standin->api_log().back().status == 0);
    auto const up = co_await http_call(control, "POST", "/control/up", std::nullopt);
    CHECK(up.status == 200);
    asio::steady_timer timer(ex);
    for (int i = 0; i < 200 && !pending->done; ++i) {
        timer.expires_after(5ms);
        co_await timer.async_wait(use_nothrow);
    }
    REQUIRE(pending->done);
    CHECK(pending->reply.status == 200);

    auto const log = co_await http_call(control, "GET", "/control/log", std::nullopt);
    auto const entries = nlohmann::json::parse(log.body);
    REQUIRE(entries.size() == 2);
    CHECK(entries[1]["target"] == "/v1/vhosts");
    CHECK(entries[1]["status"] == 200);

    auto const gone = co_await http_call(
        control, "POST", "/control/unpublish", std::nullopt, R"j({"stream":"cam1"})j");
    CHECK(gone.status == 200);
    CHECK(standin->live_streams().empty());
    standin->stop();
}

}  // namespace

TEST_CASE("control port drives publishes, logs and the API hang mode", "[loopback]")
{
    asio::io_context ioc;
    stand_in standin(ioc.get_executor(), standin_config{});
    standin.start();
    run_scenario(ioc, control_scenario(&standin), std::chrono::seconds(10));
}
