// AdmissionWebhooks against the recorded v0.20.0 traffic: a receiver in the
// test plays the control server; every webhook's request line, header names
// and order, signature and body bytes (time and client port masked) must match
// the recorded case, and the event order per protocol must be OME's.
#include "loopback.hpp"

#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ovs;
using namespace ovs::ome_standin;
using namespace ovs::standin_test;
using stand_in = ovs::ome_standin::ome_standin;
using namespace std::chrono_literals;

namespace {

std::string const secret = "ome-webhook-secret";
std::string const webhooks_dir = "ome-webhooks-v0.20.0/";

standin_config config_for(std::uint16_t receiver_port)
{
    standin_config c;
    c.webhook_url = "http://127.0.0.1:" + std::to_string(receiver_port) + "/v1/admission";
    c.webhook_secret = secret;
    c.webhook_timeout = 300ms;  // 3000 in the recordings; short to keep tests fast
    return c;
}

std::string masked(std::string const& body)
{
    return mask_json(body, {"time", "port"});
}

// Compares one received webhook with a recorded one (e.g.
// "a_rtmp_publish_allowed/001_incoming_RTMP_opening").
void compare_webhook(received_webhook const& got,
                     std::string const& stem,
                     std::uint16_t receiver_port)
{
    INFO("recorded webhook " << stem);
    std::string const recorded_body = read_fixture(webhooks_dir + stem + ".body.json");
    std::string const recorded_head = read_fixture(webhooks_dir + stem + ".headers.txt");
    CHECK(got.method + " " + got.target + " HTTP/1.1" ==
          recorded_head.substr(0, recorded_head.find("\r\n")));
    CHECK(masked(got.body) == masked(recorded_body));
    auto const want = recorded_headers(recorded_head);
    REQUIRE(got.headers.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("header " << want[i].first);
        CHECK(got.headers[i].first == want[i].first);
        if (want[i].first == "Content-Length") {
            CHECK(got.headers[i].second == std::to_string(got.body.size()));
        } else if (want[i].first == "Host") {
            CHECK(got.headers[i].second == "127.0.0.1:" + std::to_string(receiver_port));
        } else if (want[i].first == "X-OME-Signature") {
            CHECK(got.headers[i].second == expected_signature(secret, got.body));
            CHECK(got.headers[i].second.size() == 27);
        } else {
            CHECK(got.headers[i].second == want[i].second);
        }
    }
}

std::string client_port_of(received_webhook const& w)
{
    return std::to_string(nlohmann::json::parse(w.body)["client"]["port"].get<int>());
}

publish_request rtmp_stream0()
{
    publish_request r;
    r.protocol = ingest_protocol::rtmp;
    r.stream = "stream0";
    r.query = "token=abc123";
    return r;
}

struct fixture {
    asio::io_context ioc;
    webhook_receiver receiver{ioc.get_executor()};
    std::unique_ptr<stand_in> standin;

    fixture()
    {
        receiver.start();
        standin = std::make_unique<stand_in>(ioc.get_executor(), config_for(receiver.port()));
        standin->start();
    }
};

asio::awaitable<void> finish(fixture* f)
{
    f->standin->stop();
    f->receiver.stop();
    co_return;
}

// --- a: allowed, then closing at the end ------------------------------------
asio::awaitable<void> case_a(fixture* f)
{
    auto const out = co_await f->standin->publish(rtmp_stream0());
    CHECK(out.admitted);
    CHECK(f->standin->live_streams() == std::vector<std::string>{"stream0"});
    auto const done_1 = co_await f->standin->unpublish(out.id);
    CHECK(done_1);
    REQUIRE(f->receiver.received().size() == 2);
    compare_webhook(f->receiver.received()[0],
                    "a_rtmp_publish_allowed/001_incoming_RTMP_opening",
                    f->receiver.port());
    compare_webhook(f->receiver.received()[1],
                    "a_rtmp_publish_allowed/002_incoming_RTMP_closing",
                    f->receiver.port());
    CHECK(client_port_of(f->receiver.received()[0]) == std::to_string(out.client_port));
    CHECK(f->standin->live_streams().empty());
    co_await finish(f);
}

// --- b: denied; RTMP still sends a closing ----------------------------------
asio::awaitable<void> case_b(fixture* f)
{
    f->receiver.set_answer([](std::string const& status, std::string const&) {
        return status == "opening"
                   ? webhook_answer{200,
                                    R"j({"allowed": false, "reason": "denied by fixture control server (token abc123 rejected)"})j",
                                    {}}
                   : webhook_answer{200, "{}", {}};
    });
    auto const out = co_await f->standin->publish(rtmp_stream0());
    CHECK_FALSE(out.admitted);
    CHECK(out.reason == "denied by fixture control server (token abc123 rejected)");
    REQUIRE(f->receiver.received().size() == 2);
    compare_webhook(f->receiver.received()[0],
                    "b_rtmp_publish_denied/003_incoming_RTMP_opening",
                    f->receiver.port());
    compare_webhook(f->receiver.received()[1],
                    "b_rtmp_publish_denied/004_incoming_RTMP_closing",
                    f->receiver.port());
    CHECK(f->standin->live_streams().empty());
    co_await finish(f);
}

// --- h: REST DELETE while publishing and viewing ----------------------------
asio::awaitable<void> case_h(fixture* f)
{
    auto const out = co_await f->standin->publish(rtmp_stream0());
    REQUIRE(out.admitted);
    play_request viewer;
    viewer.protocol = playback_protocol::llhls;
    viewer.stream = "stream0";
    viewer.user_agent = "fixture-llhls-viewer/1.0";
    auto const watching = co_await f->standin->play(viewer);
    REQUIRE(watching.admitted);
    auto const deleted = co_await http_call(f->standin->api_port(),
                                            "DELETE",
                                            "/v1/vhosts/default/apps/app/streams/stream0",
                                            basic_auth("ome-access-token"));
    CHECK(deleted.status == 200);
    CHECK(deleted.body == R"j({"message":"OK","statusCode":200})j");
    // The first closing went out before the DELETE was answered.
    CHECK(f->receiver.received().size() == 3);
    auto const done_2 = co_await f->receiver.wait_for(4, 2s);
    REQUIRE(done_2);
    auto const& r = f->receiver.received();
    compare_webhook(r[0],
                    "h_rest_delete_while_publishing_and_viewing/016_incoming_RTMP_opening",
                    f->receiver.port());
    compare_webhook(r[1],
                    "h_rest_delete_while_publishing_and_viewing/017_outgoing_LLHLS_opening",
                    f->receiver.port());
    compare_webhook(r[2],
                    "h_rest_delete_while_publishing_and_viewing/018_incoming_RTMP_closing",
                    f->receiver.port());
    compare_webhook(r[3],
                    "h_rest_delete_while_publishing_and_viewing/019_incoming_RTMP_closing",
                    f->receiver.port());
    CHECK(masked(r[2].body) == masked(r[3].body));
    CHECK(f->standin->live_streams().empty());
    // The LLHLS viewer gets its closing only when it leaves.
    auto const done_3 = co_await f->standin->stop_play(watching.id);
    CHECK(done_3);
    REQUIRE(r.size() == 5);
    compare_webhook(r[4],
                    "h_rest_delete_while_publishing_and_viewing/020_outgoing_LLHLS_closing",
                    f->receiver.port());
    co_await finish(f);
}

// --- i3: a second publisher to a live name ----------------------------------
asio::awaitable<void> case_i3(fixture* f)
{
    auto const first = co_await f->standin->publish(rtmp_stream0());
    REQUIRE(first.admitted);
    auto const second = co_await f->standin->publish(rtmp_stream0());
    CHECK_FALSE(second.admitted);
    CHECK(second.reason == "duplicate stream name");
    CHECK(f->standin->live_streams() == std::vector<std::string>{"stream0"});
    auto const done_4 = co_await f->standin->unpublish(first.id);
    CHECK(done_4);
    auto const& r = f->receiver.received();
    REQUIRE(r.size() == 4);
    std::string const dir = "i3_rtmp_second_publisher_same_name_overlapping/";
    compare_webhook(r[0], dir + "033_incoming_RTMP_opening", f->receiver.port());
    compare_webhook(r[1], dir + "034_incoming_RTMP_opening", f->receiver.port());
    compare_webhook(r[2], dir + "035_incoming_RTMP_closing", f->receiver.port());
    compare_webhook(r[3], dir + "036_incoming_RTMP_closing", f->receiver.port());
    CHECK(client_port_of(r[1]) == client_port_of(r[2]));
    CHECK(client_port_of(r[0]) == client_port_of(r[3]));
    CHECK(client_port_of(r[0]) != client_port_of(r[1]));
    co_await finish(f);
}

// --- f1 / f4: SRT -------------------------------------------------------------
asio::awaitable<void> case_f(fixture* f)
{
    publish_request srt;
    srt.protocol = ingest_protocol::srt;
    srt.stream = "stream1";
    srt.query = "token=xyz";
    auto const out = co_await f->standin->publish(srt);
    REQUIRE(out.admitted);
    auto const done_5 = co_await f->standin->unpublish(out.id);
    CHECK(done_5);
    auto const& r = f->receiver.received();
    REQUIRE(r.size() == 2);
    compare_webhook(
        r[0], "f1_srt_publish_streamid_query/001_incoming_SRT_opening", f->receiver.port());
    compare_webhook(
        r[1], "f1_srt_publish_streamid_query/002_incoming_SRT_closing", f->receiver.port());

    // f4: denied SRT gets no closing (publish returns after OME's whole sequence).
    f->receiver.set_answer([](std::string const&, std::string const&) {
        return webhook_answer{
            200,
            R"j({"allowed": false, "reason": "srt publish denied by fixture control server"})j",
            {}};
    });
    auto const denied = co_await f->standin->publish(srt);
    CHECK_FALSE(denied.admitted);
    REQUIRE(r.size() == 3);
    compare_webhook(r[2], "f4_srt_publish_denied/005_incoming_SRT_opening", f->receiver.port());
    co_await finish(f);
}

// --- w: WebRTC playback -------------------------------------------------------
asio::awaitable<void> case_w(fixture* f)
{
    auto const source = co_await f->standin->publish(rtmp_stream0());
    REQUIRE(source.admitted);
    play_request w1;
    w1.protocol = playback_protocol::webrtc;
    w1.stream = "stream0";
    w1.query = "token=webrtc1";
    w1.user_agent = "fixture-webrtc-player/1.0";
    w1.answer = false;  // takes the offer, never answers: no session, no closing
    auto const o1 = co_await f->standin->play(w1);
    CHECK_FALSE(o1.admitted);
    play_request w2 = w1;
    w2.query = "token=webrtc2";
    w2.user_agent = "fixture-webrtc-player/2.0";
    w2.answer = true;
    auto const o2 = co_await f->standin->play(w2);
    REQUIRE(o2.admitted);
    auto const stats =
        co_await http_call(f->standin->api_port(),
                           "GET",
                           "/v1/stats/current/vhosts/default/apps/app/streams/stream0",
                           basic_auth("ome-access-token"));
    CHECK(nlohmann::json::parse(stats.body)["response"]["connections"]["webrtc"] == 1);
    auto const done_6 = co_await f->standin->stop_play(o2.id);
    CHECK(done_6);
    auto const done_7 = co_await f->standin->unpublish(source.id);
    CHECK(done_7);
    auto const& r = f->receiver.received();
    REQUIRE(r.size() == 5);
    std::string const dir = "w_webrtc_playback_signalling/";
    compare_webhook(r[0], dir + "037_incoming_RTMP_opening", f->receiver.port());
    compare_webhook(r[1], dir + "038_outgoing_WebRTC_opening", f->receiver.port());
    compare_webhook(r[2], dir + "039_outgoing_WebRTC_opening", f->receiver.port());
    compare_webhook(r[3], dir + "040_outgoing_WebRTC_closing", f->receiver.port());
    compare_webhook(r[4], dir + "043_incoming_RTMP_closing", f->receiver.port());
    co_await finish(f);
}

// --- d: new_url redirect ------------------------------------------------------
asio::awaitable<void> case_d(fixture* f)
{
    f->receiver.set_answer([](std::string const& status, std::string const&) {
        return status == "opening"
                   ? webhook_answer{200,
                                    R"j({"allowed": true, "new_url": "rtmp://127.0.0.1:1935/app/stream5"})j",
                                    {}}
                   : webhook_answer{200, "{}", {}};
    });
    auto const out = co_await f->standin->publish(rtmp_stream0());
    REQUIRE(out.admitted);
    CHECK(out.stream == "stream5");
    CHECK(f->standin->live_streams() == std::vector<std::string>{"stream5"});
    auto const old_name = co_await http_call(f->standin->api_port(),
                                             "GET",
                                             "/v1/vhosts/default/apps/app/streams/stream0",
                                             basic_auth("ome-access-token"));
    CHECK(old_name.status == 404);
    auto const done_8 = co_await f->standin->unpublish(out.id);
    CHECK(done_8);
    auto const& r = f->receiver.received();
    REQUIRE(r.size() == 2);
    compare_webhook(r[0], "d_rtmp_new_url_redirect/007_incoming_RTMP_opening", f->receiver.port());
    compare_webhook(r[1], "d_rtmp_new_url_redirect/011_incoming_RTMP_closing", f->receiver.port());
    co_await finish(f);
}

// --- c: lifetime --------------------------------------------------------------
asio::awaitable<void> case_c(fixture* f)
{
    f->receiver.set_answer([](std::string const& status, std::string const&) {
        return status == "opening"
                   ? webhook_answer{200, R"j({"allowed": true, "lifetime": 200})j", {}}
                   : webhook_answer{200, "{}", {}};
    });
    auto const out = co_await f->standin->publish(rtmp_stream0());
    REQUIRE(out.admitted);
    CHECK(out.lifetime_ms == 200);
    CHECK(f->standin->live_streams().size() == 1);
    auto const done_9 = co_await f->receiver.wait_for(2, 3s);
    REQUIRE(done_9);  // the closing when the lifetime ends
    CHECK(f->standin->live_streams().empty());
    compare_webhook(f->receiver.received()[1],
                    "c_rtmp_lifetime_5000/006_incoming_RTMP_closing",
                    f->receiver.port());
    co_await finish(f);
}

// --- e1..e4: fail closed --------------------------------------------------------
asio::awaitable<void> fail_closed_case(fixture* f,
                                       webhook_answer opening_answer,
                                       std::string expected_reason,
                                       std::string stem)
{
    f->receiver.set_answer([opening_answer](std::string const& status, std::string const&) {
        return status == "opening" ? opening_answer : webhook_answer{200, "{}", {}};
    });
    auto const out = co_await f->standin->publish(rtmp_stream0());
    CHECK_FALSE(out.admitted);
    CHECK(out.reason == expected_reason);
    CHECK(f->standin->live_streams().empty());
    auto const& r = f->receiver.received();
    REQUIRE(r.size() == 2);  // RTMP: opening, then a closing for the refused client
    compare_webhook(r[0], stem + "_opening", f->receiver.port());
    auto const log = f->standin->webhook_log();
    REQUIRE(log.size() == 2);
    CHECK(log[0].decision == expected_reason);
    co_await finish(f);
}

}  // namespace

TEST_CASE("webhooks: a rtmp publish allowed", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_a(&f), 10s);
}

TEST_CASE("webhooks: b rtmp publish denied, closing follows", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_b(&f), 10s);
}

TEST_CASE("webhooks: h REST DELETE gives two RTMP closings", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_h(&f), 10s);
}

TEST_CASE("webhooks: i3 duplicate publisher is refused with its own closing", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_i3(&f), 10s);
}

TEST_CASE("webhooks: f1 SRT publish, f4 SRT denied without closing", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_f(&f), 10s);
}

TEST_CASE("webhooks: w WebRTC playback", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_w(&f), 10s);
}

TEST_CASE("webhooks: d new_url renames the stream", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_d(&f), 10s);
}

TEST_CASE("webhooks: c lifetime ends the stream with a closing", "[loopback]")
{
    fixture f;
    run_scenario(f.ioc, case_c(&f), 10s);
}

TEST_CASE("webhooks: fail closed (e1 slow, e2 500, e3 bad JSON, e4 string allowed)", "[loopback]")
{
    SECTION("e1 answer slower than the timeout")
    {
        fixture f;
        run_scenario(f.ioc,
                     fail_closed_case(&f,
                                      {200, R"j({"allowed": true})j", 600ms},
                                      "webhook timeout",
                                      "e1_control_server_slow_4s/012_incoming_RTMP"),
                     10s);
    }
    SECTION("e2 HTTP 500")
    {
        fixture f;
        run_scenario(f.ioc,
                     fail_closed_case(&f,
                                      {500, R"j({"allowed": true})j", {}},
                                      "Control server responded with 500 status code.",
                                      "e2_control_server_http_500/014_incoming_RTMP"),
                     10s);
    }
    SECTION("e3 invalid JSON")
    {
        fixture f;
        run_scenario(
            f.ioc,
            fail_closed_case(&f,
                             {200, R"j({"allowed": true,,, this is not json)j", {}},
                             "Json parsing error : a response in the wrong format was received.",
                             "e3_control_server_invalid_json/016_incoming_RTMP"),
            10s);
    }
    SECTION("e4 allowed as a string")
    {
        fixture f;
        run_scenario(f.ioc,
                     fail_closed_case(&f,
                                      {200, R"j({"allowed": "true"})j", {}},
                                      "\"allowed\" is required data and must be of type bool",
                                      "e4_control_server_allowed_as_string/018_incoming_RTMP"),
                     10s);
    }
}

namespace {

asio::awaitable<void> case_e8(stand_in* standin)
{
    auto const out = co_await standin->publish(rtmp_stream0());
    CHECK_FALSE(out.admitted);
    CHECK(out.reason == "webhook connect_failed");
    CHECK(standin->live_streams().empty());
    auto const log = standin->webhook_log();
    REQUIRE(log.size() == 2);  // the opening and the (also failing) closing
    CHECK(log[0].status == "opening");
    CHECK(log[1].status == "closing");
    CHECK(log[1].result == "connect_failed");
    standin->stop();
}

}  // namespace

TEST_CASE("webhooks: e8 control server down rejects the publish", "[loopback]")
{
    asio::io_context ioc;
    std::uint16_t unused_port = 0;
    {
        // A port nothing listens on any more.
        asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        unused_port = probe.local_endpoint().port();
    }
    stand_in standin(ioc.get_executor(), config_for(unused_port));
    standin.start();
    run_scenario(ioc, case_e8(&standin), 10s);
}
