// Scenario 7: malformed and oversized internal-protocol lines sent to the
// gateway's link port close only that connection: the real room service
// stays linked, /readyz stays 200 and publishing still works.

#include "scenario.hpp"

#include <ovs/net/net.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

using namespace ovs::integration;
namespace asio = boost::asio;

namespace {

// Sends `bytes` to the link port and reads until the gateway closes the
// connection (true) or `timeout` passes (false). What it answered first
// (an error line, perhaps) is left in `answer`.
bool gateway_hangs_up(std::uint16_t port,
                      const std::string& bytes,
                      std::string& answer,
                      std::chrono::milliseconds timeout)
{
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    bool closed = false;
    bool connected = false;
    std::array<char, 4096> buffer{};
    std::function<void()> read_some = [&] {
        socket.async_read_some(asio::buffer(buffer),
                               [&](const boost::system::error_code& ec, std::size_t n) {
                                   if (ec) {
                                       closed = true;  // eof or reset: the gateway hung up
                                       return;
                                   }
                                   if (answer.size() < 65536) answer.append(buffer.data(), n);
                                   read_some();
                               });
    };
    socket.async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
        [&](const boost::system::error_code& ec) {
            if (ec) return;
            connected = true;
            read_some();
            // A write error (reset while we still send) also means closed.
            asio::async_write(
                socket, asio::buffer(bytes), [&](const boost::system::error_code&, std::size_t) {});
        });
    io.run_for(timeout);
    return connected && closed;
}

}  // namespace

TEST_CASE("garbage on the gateway's link port closes only that connection", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());

    std::string junk;
    std::string name;
    SECTION("not JSON")
    {
        name = "not JSON";
        junk = "this is not json\n";
    }
    SECTION("JSON that is not a message")
    {
        name = "not a message";
        junk = "[1,2,3]\n";
    }
    SECTION("a hello with the wrong protocol version")
    {
        name = "wrong version";
        junk = R"({"type":"hello","protocol":999,"role":"room","software":"intruder"})"
               "\n";
    }
    SECTION("a line longer than link.max_line_bytes, without a newline")
    {
        name = "oversized";
        junk = std::string(70000, 'x');
    }
    SECTION("an oversized line after a valid-looking start")
    {
        name = "oversized JSON";
        junk = R"({"type":"hello","protocol":1,"role":"room","software":")" +
               std::string(80000, 'a') + "\"}\n";
    }
    INFO("case: " << name);
    std::string answer;
    CHECK(gateway_hangs_up(c.gateway_link_port(), junk, answer, event_bound));
    INFO("gateway answered: " << answer.substr(0, 500));

    // The real link is untouched.
    CHECK(c.room_running());
    CHECK(c.gateway_running());
    const auto room_ready = http_get(c.room_port(), "/readyz");
    CHECK(room_ready.status == 200);
    CHECK(room_ready.body.find("no gateway link") == std::string::npos);
    CHECK(http_get(c.gateway_http_port(), "/readyz").status == 200);
    CHECK(metric_sum(c.gateway_metrics(), "ovs_gateway_link_up").value_or(0) == 1);

    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);
    REQUIRE(claim->publish.is_object());
    auto live = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    CHECK(live.admitted);
    CHECK(viewer.wait_seat_state(0, "live", event_bound));
}
