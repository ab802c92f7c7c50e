// The gateway's poller and kicks against a scripted fake OME REST API on
// 127.0.0.1 (answers chosen per test, DELETEs that can be held open), for
// the orderings the stand-in cannot produce on demand.
#include "test_support.hpp"

#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/gateway/gateway_service.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>

namespace ovs::gateway::test {
namespace {

const std::string list_path = "/v1/vhosts/default/apps/app/streams";

std::string envelope(const nlohmann::json& response)
{
    return nlohmann::json{{"message", "OK"}, {"response", response}, {"statusCode", 200}}.dump();
}

std::string rtmp_details(const std::string& name, std::uint16_t port)
{
    return envelope({{"name", name},
                     {"input",
                      {{"sourceType", "Rtmp"},
                       {"sourceUrl", "TCP://127.0.0.1:" + std::to_string(port)},
                       {"createdTime", "2026-11-24T17:44:46.289+00:00"},
                       {"tracks", nlohmann::json::array()}}},
                     // Playable: an output with a playlist (an empty list
                     // would keep it "starting" and the outputs watch asking).
                     {"outputs",
                      nlohmann::json::array(
                          {{{"name", name},
                            {"playlists", nlohmann::json::array({{{"name", "llhls_default"}}})},
                            {"tracks", nlohmann::json::array()}}})}});
}

struct fake_ome {
    explicit fake_ome(asio::io_context& ioc)
        : acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
    }
    tcp::acceptor acceptor;
    std::vector<std::string> list{};               // the stream list OME answers
    std::map<std::string, std::string> details{};  // stream -> detail body
    bool hold_deletes = false;                     // DELETEs wait for release()
    bool hold_lists = false;                       // list GETs wait for release()
    std::vector<std::shared_ptr<asio::steady_timer>> held{};
    std::vector<std::string> requests{};  // "GET /v1/..." in arrival order

    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    std::size_t count(const std::string& request) const
    {
        return static_cast<std::size_t>(std::count(requests.begin(), requests.end(), request));
    }
    // Answers every held request (with the state at that moment).
    void release()
    {
        hold_deletes = false;
        hold_lists = false;
        for (auto& t : held) t->cancel();
        held.clear();
    }
};

http::response<http::string_body> answer(fake_ome* ome, const http::request<http::string_body>& req)
{
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json;charset=UTF-8");
    const std::string target(req.target());
    if (target == "/v1/version") {
        res.body() = envelope({{"version", "0.20.5"}, {"gitVersion", "v0.20.5"}});
    } else if (target == list_path) {
        res.body() = envelope(ome->list);
    } else if (req.method() == http::verb::delete_) {
        res.body() = R"({"message":"OK","statusCode":200})";
    } else if (auto it =
                   ome->details.find(target.substr(std::min(target.size(), list_path.size() + 1)));
               target.starts_with(list_path + "/") && it != ome->details.end()) {
        res.body() = it->second;
    } else {
        res.result(http::status::not_found);
        res.body() = R"j({"message":"[HTTP] Could not find the stream (404)","statusCode":404})j";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

asio::awaitable<void> serve(fake_ome* ome, tcp::socket socket)
{
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(socket, buffer, req, use_nothrow);
        (void)n;
        if (ec) break;
        ome->requests.push_back(std::string(req.method_string()) + " " + std::string(req.target()));
        const bool is_list = req.method() == http::verb::get && req.target() == list_path;
        if ((req.method() == http::verb::delete_ && ome->hold_deletes) ||
            (is_list && ome->hold_lists)) {
            auto timer = std::make_shared<asio::steady_timer>(socket.get_executor());
            timer->expires_after(std::chrono::seconds(10));
            ome->held.push_back(timer);
            co_await timer->async_wait(use_nothrow);
        }
        auto res = answer(ome, req);
        auto [wec, w] = co_await http::async_write(socket, res, use_nothrow);
        (void)w;
        if (wec || !req.keep_alive()) break;
    }
    error_code ignored;
    socket.close(ignored);
}

asio::awaitable<void> accept_loop(fake_ome* ome)
{
    for (;;) {
        auto [ec, socket] = co_await ome->acceptor.async_accept(use_nothrow);
        if (ec) co_return;
        asio::co_spawn(ome->acceptor.get_executor(), serve(ome, std::move(socket)), asio::detached);
    }
}

struct fixture {
    asio::io_context ioc;
    fake_ome ome{ioc};
    config::config cfg = make_config(0);
    std::vector<std::string> log_lines;
    std::unique_ptr<gateway_service> gateway;
    std::unique_ptr<fake_room> room;

    fixture()
    {
        asio::co_spawn(ioc, accept_loop(&ome), asio::detached);
        cfg.ome.api.port = ome.port();
        // Held requests are released within milliseconds; this only keeps a
        // slow (sanitizer) run from timing them out.
        cfg.ome.api.timeout = std::chrono::milliseconds(2000);
        gateway = std::make_unique<gateway_service>(
            ioc.get_executor(), cfg, [this](std::string_view line) {
                log_lines.emplace_back(line);
            });
        gateway->start();
        room = std::make_unique<fake_room>(ioc, gateway->link_port());
        REQUIRE(run_until(ioc, [&] { return room->connected && gateway->ome_reachable(); }));
    }
    ~fixture()
    {
        room.reset();
        gateway->stop();
        ome.release();
        error_code ignored;
        ome.acceptor.close(ignored);
        ioc.run_for(std::chrono::milliseconds(50));
    }

    // Waits for `n` more polls of the stream list.
    bool polls(std::size_t n)
    {
        const auto target = ome.count("GET " + list_path) + n;
        return run_until(ioc, [&] { return ome.count("GET " + list_path) >= target; });
    }

    std::size_t events_for(bool up, const std::string& stream) const
    {
        std::size_t n = 0;
        if (up) {
            for (const auto& e : room->events_of<proto::stream_up>()) n += e.stream.name == stream;
        } else {
            for (const auto& e : room->events_of<proto::stream_down>())
                n += e.stream.name == stream;
        }
        return n;
    }

    bool webhook(const std::string& status, std::uint16_t client_port)
    {
        nlohmann::json body = {
            {"client", {{"address", "127.0.0.1"}, {"port", client_port}, {"real_ip", "127.0.0.1"}}},
            {"request",
             {{"direction", "incoming"},
              {"protocol", "RTMP"},
              {"status", status},
              {"time", "2026-11-24T17:44:46.289+00:00"},
              {"url", "rtmp://127.0.0.1:1935/app/stream0?token=abc123"}}}};
        if (status == "closing") body["request"]["new_url"] = body["request"]["url"];
        const std::string text = body.dump();
        auto a = run_coroutine(
            ioc,
            http_call(gateway->http_port(),
                      "POST",
                      "/v1/admission",
                      text,
                      {{"X-OME-Signature", webhook_signature(cfg.ome.webhook_secret, text)}}));
        REQUIRE(a.status == 200);
        return status == "closing" || nlohmann::json::parse(a.body).value("allowed", false);
    }
};

}  // namespace

TEST_CASE("poller: an empty name in OME's list neither stops polling nor hides the others",
          "[loopback]")
{
    fixture f;
    f.ome.list = {"", "stream1"};
    f.ome.details["stream1"] = rtmp_details("stream1", 50001);
    REQUIRE(run_until(f.ioc, [&] { return f.events_for(true, "stream1") == 1; }));
    CHECK(f.polls(3));
    CHECK(f.ome.count("GET " + list_path + "/stream1") == 1);
    CHECK(f.gateway->ome_reachable());
}

TEST_CASE("a publisher of a kicked stream waits until OME has answered its DELETE", "[loopback]")
{
    fixture f;
    // The holder publishes (client port 7001) and OME lists it.
    REQUIRE(f.webhook("opening", 7001));
    f.ome.list = {"stream0"};
    f.ome.details["stream0"] = rtmp_details("stream0", 7001);
    REQUIRE(run_until(f.ioc, [&] { return f.ome.count("GET " + list_path + "/stream0") == 1; }));
    REQUIRE(f.polls(1));
    REQUIRE(f.events_for(true, "stream0") >= 1);

    // The room kicks stream0; OME takes its time with the DELETE.
    f.ome.hold_deletes = true;
    std::optional<proto::reply> kick_reply;
    f.room->client->request(
        proto::kick{0, "stream0", "seat released"},
        [&](proto::reply r) { kick_reply = std::move(r); },
        std::chrono::milliseconds(2000));
    REQUIRE(run_until(f.ioc, [&] { return !f.ome.held.empty(); }));

    // Meanwhile the seat's next holder publishes (port 7002): refused, since
    // OME may carry the held DELETE out after this stream exists.
    CHECK_FALSE(f.webhook("opening", 7002));
    REQUIRE(f.webhook("closing", 7001));
    f.ome.list.clear();
    f.ome.release();
    REQUIRE(run_until(f.ioc, [&] { return kick_reply.has_value(); }));
    CHECK(kick_reply->ok());

    // Answered: the encoder's retry is admitted and stays live across polls.
    REQUIRE(f.webhook("opening", 7002));
    f.ome.list = {"stream0"};
    f.ome.details["stream0"] = rtmp_details("stream0", 7002);
    CHECK(f.polls(3));
    CHECK(f.events_for(false, "stream0") == 1);  // the kicked stream's end only
    CHECK_THAT(f.gateway->metrics_text(), Catch::Contains("ovs_gateway_streams_known 1"));

    // Its own closing ends it.
    f.ome.list.clear();
    REQUIRE(f.webhook("closing", 7002));
    REQUIRE(run_until(f.ioc, [&] { return f.events_for(false, "stream0") == 2; }));
}

TEST_CASE("poller: a stream admitted and closed before any poll listed it does not flap back up",
          "[loopback]")
{
    fixture f;
    // Park the poller on a list request, so no list is read in between.
    f.ome.hold_lists = true;
    REQUIRE(run_until(f.ioc, [&] { return !f.ome.held.empty(); }));
    REQUIRE(f.webhook("opening", 7001));
    REQUIRE(run_until(f.ioc, [&] { return f.events_for(true, "stream0") == 1; }));
    REQUIRE(f.webhook("closing", 7001));
    REQUIRE(run_until(f.ioc, [&] { return f.events_for(false, "stream0") == 1; }));
    // OME still lists the ended stream for a moment (it drops it ~0.3 s later).
    f.ome.list = {"stream0"};
    f.ome.details["stream0"] = rtmp_details("stream0", 7001);
    f.ome.release();
    CHECK(f.polls(3));
    CHECK(f.events_for(true, "stream0") == 1);
    CHECK(f.events_for(false, "stream0") == 1);
}

}  // namespace ovs::gateway::test
