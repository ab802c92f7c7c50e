// Playback over OME edges (ome.edges): viewers' playback URLs are spread over
// the edges that answer, stable per viewer; an edge that stops answering is
// no longer handed out, and its viewers get another edge's URLs. The edges
// here are stand-ins for the gateway's probe only (an HTTP port answering
// 404 as OME's does, then closed: the fault); media over a real edge is
// test_ome_edge.cpp.

#include "ports.hpp"
#include "scenario.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <thread>

using namespace ovs::integration;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Answers every HTTP request on its port with a 404, until stop().
class probe_answerer {
public:
    probe_answerer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~probe_answerer() { stop(); }
    std::uint16_t port() const { return port_; }
    void stop()
    {
        asio::post(io_, [this] {
            error_code ignored;
            acceptor_.close(ignored);
            io_.stop();
        });
        if (thread_.joinable()) thread_.join();
    }

private:
    using error_code = boost::system::error_code;
    void accept()
    {
        acceptor_.async_accept([this](error_code ec, tcp::socket s) {
            if (ec) return;
            auto sock = std::make_shared<tcp::socket>(std::move(s));
            auto buf = std::make_shared<std::string>();
            asio::async_read_until(
                *sock,
                asio::dynamic_buffer(*buf),
                "\r\n\r\n",
                [sock, buf](error_code e, std::size_t) {
                    if (e) return;
                    static const std::string answer =
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                    asio::async_write(
                        *sock, asio::buffer(answer), [sock](error_code, std::size_t) {});
                });
            accept();
        });
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    std::thread thread_;
};

// The harness's browser dials /ws?room=<room>; the page's viewer id rides along.
std::string room_for_viewer(const std::string& viewer)
{
    return "main&viewer=" + viewer;
}

std::string edge_yaml(const std::string& name, std::uint16_t port)
{
    return "    - { name: " + name + ", host: " + name +
           ".test, probe_host: 127.0.0.1, webrtc_publisher: { tls: false, port: " +
           std::to_string(port) + " }, llhls: { tls: false, port: " + std::to_string(port) +
           " } }\n";
}

// Which edge a browser's playback templates point at ("" when none).
std::string edge_of(const browser& b)
{
    const auto p = b.playback();
    if (!p.is_object() || !p.contains("llhls")) return "";
    const auto url = p["llhls"].get<std::string>();
    for (const char* name : {"edge-a", "edge-b"}) {
        if (url.find(std::string("//") + name + ".test:") != std::string::npos) return name;
    }
    return "origin";
}

}  // namespace

TEST_CASE("viewers are spread over the edges that answer, a silent edge is taken out",
          "[integration][edges]")
{
    probe_answerer a;
    probe_answerer b;
    cluster_options o;
    o.ome_extra = "  edges:\n" + edge_yaml("edge-a", a.port()) + edge_yaml("edge-b", b.port());
    cluster c(o);
    browser_pool pool;
    std::vector<std::unique_ptr<browser>> viewers;
    for (int i = 0; i < 24; ++i) {
        viewers.push_back(std::make_unique<browser>(
            pool, c.room_port(), room_for_viewer("viewer" + std::to_string(i))));
    }
    for (auto& v : viewers) REQUIRE(v->wait_open());
    // Both edges answer their first probe right after the gateway starts.
    const auto settled = [&](const std::set<std::string>& allowed) {
        return std::all_of(viewers.begin(), viewers.end(), [&](const auto& v) {
            return allowed.count(edge_of(*v)) == 1;
        });
    };
    REQUIRE(viewers[0]->wait([&] { return settled({"edge-a", "edge-b"}); }, event_bound));
    CHECK_THAT(c.gateway_metrics(), Catch::Contains("ovs_gateway_edges_in_rotation 2"));
    std::map<std::string, int> spread;
    for (const auto& v : viewers) ++spread[edge_of(*v)];
    INFO("edge-a " << spread["edge-a"] << ", edge-b " << spread["edge-b"]);
    CHECK(spread["edge-a"] >= 4);  // 24 viewers, rendezvous hashing: both get a share
    CHECK(spread["edge-b"] >= 4);
    // Playback over WebRTC comes from the edge too; publishers still go to
    // the origin.
    CHECK(viewers[0]->playback()["webrtc"].get<std::string>().find(".test:") != std::string::npos);
    const auto granted = viewers[0]->command(json{{"type", "claim"}, {"seat", 1}});
    REQUIRE(granted);
    REQUIRE((*granted)["ok"] == true);
    const auto publish = (*granted)["publish"]["webrtc"].get<std::string>();
    CHECK(publish.find(".test:") == std::string::npos);
    CHECK(publish.find(c.media().ingest_host()) != std::string::npos);

    // The same viewer id gets the same edge on a new connection.
    browser again(pool, c.room_port(), room_for_viewer("viewer3"));
    REQUIRE(again.wait_open());
    CHECK(edge_of(again) == edge_of(*viewers[3]));

    // edge-b stops answering: after two missed probes nobody is sent there,
    // and its viewers were moved to edge-a by a playback frame.
    b.stop();
    const auto bound = 3 * std::chrono::milliseconds(o.poll_ms) +
                       2 * std::chrono::milliseconds(o.ome_timeout_ms) + event_bound;
    CHECK(viewers[0]->wait([&] { return settled({"edge-a"}); }, bound));
    browser late(pool, c.room_port(), room_for_viewer("late"));
    REQUIRE(late.wait_open());
    CHECK(edge_of(late) == "edge-a");
    CHECK_THAT(c.gateway_metrics(), Catch::Contains("ovs_gateway_edges_in_rotation 1"));

    // No edge answers: viewers play from the origin.
    a.stop();
    CHECK(viewers[0]->wait([&] { return settled({"origin"}); }, bound));
}
