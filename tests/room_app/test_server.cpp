// The room service over loopback: real sockets, a Beast client (helpers.cpp).

#include "fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

#include <fstream>

using namespace ovs;
using namespace ovs::room;
using namespace ovs::room::testing;

namespace {

// Commands built outside the coroutines: g++ 12 miscompiles braced
// initializer lists inside co_await expressions. And never co_await inside
// CHECK/REQUIRE: Catch2's macro also passes the expression to
// __builtin_constant_p, which g++ 12 evaluates a second time in a coroutine.
json claim_cmd(unsigned seat)
{
    return json{{"type", "claim"}, {"seat", seat}};
}
json release_cmd(unsigned seat)
{
    return json{{"type", "release"}, {"seat", seat}};
}
json resume_cmd(unsigned seat, std::string token)
{
    return json{{"type", "resume"}, {"seat", seat}, {"token", std::move(token)}};
}
json typed_cmd(const char* type, json id)
{
    json j{{"type", type}};
    if (!id.is_null()) j["id"] = std::move(id);
    return j;
}
json ping_text(int id)
{
    return json{{"type", "ping"}, {"id", id}};
}

}  // namespace

namespace {

asio::awaitable<void> snapshot_on_join(std::uint16_t port)
{
    auto c = co_await ws_client::open(port);
    auto snap = co_await c->next_of("snapshot");
    CHECK(snap["room"]["id"] == "main");
    CHECK(snap["room"]["title"] == "Main room");
    CHECK(snap["room"]["seat_count"] == 4);
    REQUIRE(snap["seats"].size() == 4);
    for (unsigned i = 0; i < 4; ++i) {
        CHECK(snap["seats"][i]["index"] == i);
        CHECK(snap["seats"][i]["stream"] == "stream" + std::to_string(i));
        CHECK(snap["seats"][i]["state"] == "free");
        CHECK_FALSE(snap["seats"][i].contains("mine"));
    }
    CHECK(snap["mine"].is_null());
    CHECK(snap["viewers"] == 1);
    CHECK(snap["seq"].is_number_unsigned());
    // No gateway yet: OME's state is unknown, not "unreachable".
    CHECK(snap["media"]["reachable"].is_null());
    CHECK(snap["media"]["stale"] == true);
    CHECK(snap["playback"].is_null());
    // The other room is separate.
    auto side = co_await ws_client::open(port, "side");
    auto side_snap = co_await side->next_of("snapshot");
    CHECK(side_snap["room"]["id"] == "side");
    CHECK(side_snap["seats"].size() == 2);
    CHECK(side_snap["seats"][1]["stream"] == "side1");
}

}  // namespace

TEST_CASE("a joining browser gets a snapshot", "[loopback]")
{
    fixture f;
    f.run(snapshot_on_join(f.port));
}

namespace {

asio::awaitable<void> claim_release_seen(fixture* f, std::vector<kick_stream>* kicks)
{
    auto a = co_await ws_client::open(f->port);
    auto b = co_await ws_client::open(f->port);
    auto snap_a = co_await a->next_of("snapshot");
    auto snap_b = co_await b->next_of("snapshot");
    std::uint64_t last_b = snap_b["seq"];
    CHECK(metric_value(f->server.metrics_text(), "ovs_room_claims_total") == 0);

    auto reply = co_await a->command(claim_cmd(1));
    REQUIRE(reply["ok"] == true);
    CHECK(reply["seat"] == 1);
    CHECK(reply["stream"] == "stream1");
    std::string token = reply["token"];
    CHECK(token.size() >= 16);
    CHECK(reply["lease_ms"].get<std::int64_t>() > 0);
    CHECK(reply["publish"].is_null());
    // The embedded store answers before check_admission returns.
    std::optional<admission> right, wrong;
    f->server.check_admission("stream1", token, [&](admission x) { right = x; });
    f->server.check_admission("stream1", "wrong", [&](admission x) { wrong = x; });
    REQUIRE(right);
    REQUIRE(wrong);
    CHECK(right->allowed);
    CHECK_FALSE(wrong->allowed);

    json seat;
    do {
        seat = co_await b->next_of("seat");
    } while (seat["seat"]["index"] != 1);
    CHECK(seat["seat"]["state"] == "reserved");
    CHECK(seat["seq"].get<std::uint64_t>() > last_b);
    CHECK_FALSE(seat["seat"].contains("mine"));
    auto text = f->server.metrics_text();
    CHECK(metric_value(text, "ovs_room_claims_total") == 1);
    CHECK(metric_value(text, "ovs_room_seats{state=\"reserved\"}") == 1);

    auto taken = co_await b->command(claim_cmd(1));
    CHECK(taken["ok"] == false);
    CHECK(taken["error"]["code"] == "seat_taken");
    auto bad = co_await b->command(claim_cmd(9));
    CHECK(bad["error"]["code"] == "bad_seat");
    auto not_mine = co_await b->command(release_cmd(1));
    CHECK(not_mine["error"]["code"] == "not_holder");
    CHECK(metric_value(f->server.metrics_text(),
                       "ovs_room_rejections_total{reason=\"seat_taken\"}") == 1);

    auto released = co_await a->command(release_cmd(1));
    CHECK(released["ok"] == true);
    do {
        seat = co_await b->next_of("seat");
    } while (seat["seat"]["index"] != 1);
    CHECK(seat["seat"]["state"] == "free");
    REQUIRE(kicks->size() == 1);
    CHECK(kicks->front().stream == "stream1");
    CHECK(kicks->front().reason == "released");

    // A reconnecting browser learns its seat from the snapshot's "mine".
    auto again = co_await a->command(claim_cmd(2));
    REQUIRE(again["ok"] == true);
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    auto resumed = co_await c->command(resume_cmd(2, again["token"].get<std::string>()));
    CHECK(resumed["ok"] == true);
    CHECK(resumed["token"] == again["token"]);
    auto d = co_await ws_client::open(f->port);
    auto snap_d = co_await d->next_of("snapshot");
    CHECK(snap_d["mine"].is_null());
    CHECK(snap_d["seats"][2]["state"] == "reserved");
}

}  // namespace

TEST_CASE("claims and releases reach the other browsers", "[loopback]")
{
    fixture f;
    std::vector<kick_stream> kicks;
    f.server.set_kick_sink([&](const kick_stream& k) { kicks.push_back(k); });
    f.run(claim_release_seen(&f, &kicks));
}

namespace {

asio::awaitable<void> wait_for_seat(ws_client* c, unsigned index, std::string state, latch* done)
{
    for (;;) {
        auto seat = co_await c->next_of("seat");
        if (seat["seat"]["index"] == index && seat["seat"]["state"] == state) break;
    }
    done->count_down();
}

asio::awaitable<void> fan_out(fixture* f, std::size_t n)
{
    std::vector<std::unique_ptr<ws_client>> viewers;
    for (std::size_t i = 0; i < n; ++i) {
        viewers.push_back(co_await ws_client::open(f->port));
        co_await viewers.back()->next_of("snapshot");
    }
    auto broadcasts_before = metric_value(f->server.metrics_text(), "ovs_room_broadcasts_total");
    auto ex = co_await asio::this_coro::executor;
    latch all(ex, n);
    for (auto& v : viewers)
        asio::co_spawn(ex, wait_for_seat(v.get(), 0, "reserved", &all), asio::detached);
    auto claimer = co_await ws_client::open(f->port);
    co_await claimer->next_of("snapshot");
    auto reply = co_await claimer->command(claim_cmd(0));
    REQUIRE(reply["ok"] == true);
    co_await all.wait();
    CHECK(all.remaining() == 0);
    // The claim was serialized once (plus any coalesced viewer count updates).
    auto text = f->server.metrics_text();
    CHECK(metric_value(text, "ovs_room_broadcasts_total") - broadcasts_before <= 3);
    CHECK(metric_value(text, "ovs_room_ws_connections") == static_cast<double>(n + 1));
}

}  // namespace

TEST_CASE("one event fans out to 200 browsers", "[loopback]")
{
    fixture f;
    f.run(fan_out(&f, 200));
}

namespace {

asio::awaitable<void> observe_until(ws_client* c,
                                    unsigned index,
                                    std::shared_ptr<latch> done,
                                    std::shared_ptr<std::uint64_t> frames)
{
    for (;;) {
        auto j = co_await c->next();
        if (!j) throw std::runtime_error("the observer was closed");
        ++*frames;
        if ((*j)["type"] == "seat" && (*j)["seat"]["index"] == index &&
            (*j)["seat"]["state"] == "reserved") {
            break;
        }
    }
    done->count_down();
}

asio::awaitable<void> slow_viewer(fixture* f)
{
    ws_client::options slow_opts;
    slow_opts.receive_buffer = 2048;
    auto slow = co_await ws_client::connect(f->port, slow_opts);
    REQUIRE_FALSE(slow.ec);
    co_await slow.client->next_of("snapshot");  // and then it stops reading

    auto observer = co_await ws_client::open(f->port);
    co_await observer->next_of("snapshot");
    auto ex = co_await asio::this_coro::executor;
    // Shared: if the test fails early, the observer may outlive this frame.
    auto seen = std::make_shared<latch>(ex, 1);
    auto observed = std::make_shared<std::uint64_t>(0);
    asio::co_spawn(ex, observe_until(observer.get(), 3, seen, observed), asio::detached);

    auto actor = co_await ws_client::open(f->port);
    co_await actor->next_of("snapshot");
    int rounds = 0;
    while (metric_value(f->server.metrics_text(), "ovs_room_ws_dropped_slow_total") == 0) {
        REQUIRE(rounds < 20000);
        auto claimed = co_await actor->command(claim_cmd(0));
        INFO(claimed.dump());
        REQUIRE(claimed["ok"] == true);
        auto released = co_await actor->command(release_cmd(0));
        INFO(released.dump());
        REQUIRE(released["ok"] == true);
        actor->backlog().clear();
        ++rounds;
    }
    // Nobody else waited: the observer still gets the next event.
    auto sentinel = co_await actor->command(claim_cmd(3));
    REQUIRE(sentinel["ok"] == true);
    co_await seen->wait();
    CHECK(*observed >= static_cast<std::uint64_t>(2 * rounds));
    INFO("rounds until the drop: " << rounds);
    CHECK(metric_value(f->server.metrics_text(), "ovs_room_ws_dropped_slow_total") == 1);
    // The slow one was cut off without a close frame.
    auto got1 = co_await slow.client->until_closed();
    CHECK(got1 == 0);
}

}  // namespace

TEST_CASE("a viewer that stops reading is dropped, others keep receiving", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.limits.send_queue_messages = 4;
    fixture f(cfg);
    f.server.set_socket_send_buffer(4096);
    f.run(slow_viewer(&f));
}

namespace {

asio::awaitable<void> protocol_errors(std::uint16_t port)
{
    auto c = co_await ws_client::open(port);
    co_await c->next_of("snapshot");
    co_await c->send("{nope");
    auto e1 = co_await c->next_of("error");
    CHECK(e1["error"]["code"] == "bad_json");
    co_await c->send("[1,2]");
    auto e2 = co_await c->next_of("error");
    CHECK(e2["error"]["code"] == "bad_message");
    auto missing_seat = co_await c->command(typed_cmd("claim", 5));
    CHECK(missing_seat["ok"] == false);
    CHECK(missing_seat["error"]["code"] == "bad_message");
    auto unknown = co_await c->command(typed_cmd("dance", "x"));
    CHECK(unknown["ok"] == false);
    CHECK(unknown["error"]["code"] == "unknown_command");
    // Still open and answering.
    auto pong = co_await c->command(typed_cmd("ping", nullptr));
    CHECK(pong["ok"] == true);
    CHECK(pong["time"].get<std::int64_t>() > 0);
}

}  // namespace

TEST_CASE("malformed JSON and unknown commands get errors, the socket stays", "[loopback]")
{
    fixture f;
    f.run(protocol_errors(f.port));
}

namespace {

// A client that keeps sending garbage: each bad frame costs a token like a
// command, is answered while the bucket lasts, and the first one beyond it
// closes the connection with 1008. Someone else in the room is untouched.
asio::awaitable<void> bad_frame_flood(fixture* f)
{
    auto other = co_await ws_client::open(f->port);
    co_await other->next_of("snapshot");
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    const std::vector<std::string> garbage{
        "{nope", R"({"type":"dance","id":1})", "[1,2]", std::string(3000, '{')};
    for (int i = 0; i < 20; ++i) co_await c->send(garbage[static_cast<std::size_t>(i) % 4]);
    int answered = 0;
    while (true) {
        auto frame = co_await c->next();
        if (!frame) break;
        if ((*frame)["type"] == "error" ||
            ((*frame)["type"] == "reply" && (*frame)["ok"] == false)) {
            ++answered;
        }
    }
    CHECK(c->close_code() == 1008);
    // The burst is 2 x 2 commands/s = 4 frames, plus what refilled meanwhile.
    CHECK(answered >= 4);
    CHECK(answered < 10);
    auto metrics = f->server.metrics_text();
    CHECK(metric_value(metrics, "ovs_room_rejections_total{reason=\"policy_violation\"}") == 1);
    auto pong = co_await other->command(typed_cmd("ping", nullptr));
    CHECK(pong["ok"] == true);
}

}  // namespace

TEST_CASE("a client that keeps sending bad frames is closed with 1008", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.limits.commands_per_second = 2;
    fixture f(cfg);
    f.run(bad_frame_flood(&f));
}

namespace {

asio::awaitable<void> oversized(fixture* f)
{
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    co_await c->send(std::string(R"({"type":"ping","id":1,"pad":")") + std::string(1000, 'x') +
                     "\"}");
    auto got2 = co_await c->until_closed();
    CHECK(got2 == 1009);
    CHECK(metric_value(f->server.metrics_text(),
                       "ovs_room_rejections_total{reason=\"too_large\"}") == 1);
}

}  // namespace

TEST_CASE("an oversized frame closes with 1009", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.limits.max_message_bytes = 256;
    fixture f(cfg);
    f.run(oversized(&f));
}

namespace {

asio::awaitable<void> unknown_room(std::uint16_t port)
{
    const std::vector<std::string> targets{"/ws?room=nope", "/ws"};
    for (const auto& target : targets) {
        ws_client::options opts;
        opts.target = target;
        auto r = co_await ws_client::connect(port, opts);
        REQUIRE_FALSE(r.ec);
        auto e = co_await r.client->next();
        REQUIRE(e.has_value());
        CHECK((*e)["type"] == "error");
        CHECK((*e)["error"]["code"] == "unknown_room");
        auto got3 = co_await r.client->until_closed();
        CHECK(got3 == 4404);
    }
}

}  // namespace

TEST_CASE("an unknown room gets an error frame and close 4404", "[loopback]")
{
    fixture f;
    f.run(unknown_room(f.port));
}

namespace {

asio::awaitable<void> origins(std::uint16_t port, std::string good, std::string bad)
{
    ws_client::options opts;
    opts.origin = bad;
    auto refused = co_await ws_client::connect(port, opts);
    CHECK(refused.ec);
    CHECK(refused.http_status == 403);
    CHECK_FALSE(refused.client);
    opts.origin = good;
    auto ok = co_await ws_client::connect(port, opts);
    REQUIRE_FALSE(ok.ec);
    co_await ok.client->next_of("snapshot");
}

}  // namespace

TEST_CASE("a wrong Origin is refused with 403", "[loopback]")
{
    SECTION("same host by default")
    {
        fixture f;
        f.run(origins(f.port, "http://127.0.0.1:" + std::to_string(f.port), "http://evil.example"));
        CHECK(metric_value(f.server.metrics_text(),
                           "ovs_room_ws_refused_total{reason=\"origin\"}") == 1);
    }
    SECTION("an explicit list")
    {
        auto cfg = test_config();
        cfg.room.allowed_origins = {"https://space.example"};
        fixture f(cfg);
        f.run(
            origins(f.port, "https://space.example", "http://127.0.0.1:" + std::to_string(f.port)));
    }
}

namespace {

asio::awaitable<void> rate_limit(fixture* f)
{
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 12; ++i) co_await c->send(ping_text(i).dump());
    int ok = 0, limited = 0;
    for (int i = 0; i < 12; ++i) {
        auto r = co_await c->next_of("reply");
        CHECK(r["id"] == i);
        if (r["ok"] == true) ++ok;
        if (r["ok"] == false && r["error"]["code"] == "rate_limited") ++limited;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    CHECK(ok + limited == 12);
    CHECK(limited >= 1);
    CHECK(ok >= 4);
    CHECK(ok <= 4 + 2 * took.count() + 1);
    CHECK(metric_value(f->server.metrics_text(),
                       "ovs_room_rejections_total{reason=\"rate_limited\"}") == limited);
}

}  // namespace

TEST_CASE("commands beyond the rate get rate_limited", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.limits.commands_per_second = 2;
    fixture f(cfg);
    f.run(rate_limit(&f));
}

namespace {

asio::awaitable<void> refused_when_full(std::uint16_t port,
                                        std::string third_room,
                                        std::string code,
                                        unsigned close_code)
{
    auto a = co_await ws_client::open(port);
    co_await a->next_of("snapshot");
    auto b = co_await ws_client::open(port);
    co_await b->next_of("snapshot");
    auto third = co_await ws_client::open(port, third_room);
    auto e = co_await third->next_of("error");
    CHECK(e["error"]["code"] == code);
    auto got4 = co_await third->until_closed();
    CHECK(got4 == close_code);
}

}  // namespace

namespace {

// The total is checked before the handshake (no upgrade work for a
// connection that cannot stay): the third gets HTTP 503 server_full.
asio::awaitable<void> refused_before_upgrade(fixture* f)
{
    auto a = co_await ws_client::open(f->port);
    co_await a->next_of("snapshot");
    auto b = co_await ws_client::open(f->port, "side");
    co_await b->next_of("snapshot");
    ws_client::options opts;
    opts.target = "/ws?room=side";
    auto third = co_await ws_client::connect(f->port, opts);
    CHECK(third.ec);
    CHECK(third.http_status == 503);
    auto raw =
        co_await raw_exchange(f->port,
                              "GET /ws?room=main HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    CHECK(raw.rfind("HTTP/1.1 503 ", 0) == 0);
    CHECK(raw.find("\"server_full\"") != std::string::npos);
    CHECK(metric_value(f->server.metrics_text(), "ovs_room_ws_refused_full_total") == 2);
    CHECK(metric_value(f->server.metrics_text(), "ovs_room_ws_connections_total") == 2);
}

}  // namespace

TEST_CASE("connections per room and in total are capped", "[loopback]")
{
    auto cfg = test_config();
    SECTION("per room")
    {
        cfg.room.limits.max_connections_per_room = 2;
        fixture f(cfg);
        f.run(refused_when_full(f.port, "main", "room_full", 4429));
    }
    SECTION("in total, before the upgrade")
    {
        cfg.room.limits.max_connections_total = 2;
        fixture f(cfg);
        f.run(refused_before_upgrade(&f));
    }
}

namespace {

// Plain HTTP connections are capped too (room.limits.max_http_connections):
// over the cap the answer is 503, before anything is read.
asio::awaitable<void> http_cap(fixture* f)
{
    auto a = co_await http_connection::open(f->port);
    auto b = co_await http_connection::open(f->port);
    co_await a->send("GET", "/healthz");
    auto ra = co_await a->read();
    CHECK(ra.status == 200);
    auto refused = co_await http_request(f->port, "GET", "/healthz");
    CHECK(refused.status == 503);
    CHECK(json::parse(refused.body)["error"]["code"] == "busy");
    CHECK(metric_value(f->server.metrics_text(), "ovs_room_http_connections_refused_total") == 1);
    co_await b->send("GET", "/healthz");
    auto rb = co_await b->read();
    CHECK(rb.status == 200);
}

}  // namespace

TEST_CASE("plain HTTP connections are capped", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.limits.max_http_connections = 2;
    fixture f(cfg);
    f.run(http_cap(&f));
}

namespace {

asio::awaitable<void> static_files(std::uint16_t port)
{
    auto index = co_await http_request(port, "GET", "/");
    CHECK(index.status == 200);
    CHECK(index.body == "<h1>real index</h1>");
    CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
    CHECK(index.headers["cache-control"] == "no-cache");
    auto room_page = co_await http_request(port, "GET", "/r/main");
    CHECK(room_page.body == "<h1>real index</h1>");
    auto js = co_await http_request(port, "GET", "/assets/app-1a2b3c4d.js");
    CHECK(js.status == 200);
    CHECK(js.body == "console.log(1)");
    CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
    CHECK(js.headers["cache-control"] == "public, max-age=31536000, immutable");
    struct expect {
        const char* path;
        const char* type;
    };
    const std::vector<expect> types{expect{"/style.css", "text/css; charset=utf-8"},
                                    expect{"/app.js.map", "application/json"},
                                    expect{"/data.json", "application/json"},
                                    expect{"/logo.svg", "image/svg+xml"},
                                    expect{"/logo.png", "image/png"},
                                    expect{"/favicon.ico", "image/x-icon"},
                                    expect{"/font.woff2", "font/woff2"}};
    for (auto [path, type] : types) {
        auto r = co_await http_request(port, "GET", path);
        INFO(path);
        CHECK(r.status == 200);
        CHECK(r.headers["content-type"] == type);
        CHECK(r.headers["cache-control"] == "no-cache");
    }
    auto head = co_await http_request(port, "HEAD", "/assets/app-1a2b3c4d.js");
    CHECK(head.status == 200);
    CHECK(head.headers["content-length"] == "14");
    auto got5 = co_await http_request(port, "GET", "/missing.js");
    CHECK(got5.status == 404);
    auto got6 = co_await http_request(port, "GET", "/assets");
    CHECK(got6.status == 404);  // a directory
    auto got7 = co_await http_request(port, "POST", "/");
    CHECK(got7.status == 405);
    const std::vector<const char*> evils{"/../secret.txt",
                                         "/%2e%2e/secret.txt",
                                         "/%2E%2E%2Fsecret.txt",
                                         "/assets/..%2f..%2fsecret.txt",
                                         "/..%5csecret.txt",
                                         "/..\\secret.txt",
                                         "//tmp/secret.txt",
                                         "/%00"};
    for (const char* evil : evils) {
        auto r = co_await http_request(port, "GET", evil);
        INFO(evil);
        CHECK(r.status == 404);
        CHECK(r.body.find("TOP SECRET") == std::string::npos);
    }
    auto big = co_await http_request(port, "POST", "/api/rooms", {}, std::string(100000, 'x'));
    CHECK(big.status == 413);
}

}  // namespace

TEST_CASE("static files: MIME, caching, traversal", "[loopback]")
{
    auto dir = make_temp_dir();
    auto root = dir + "/web";
    write_file(dir + "/secret.txt", "TOP SECRET");
    write_file(root + "/index.html", "<h1>real index</h1>");
    write_file(root + "/assets/app-1a2b3c4d.js", "console.log(1)");
    for (const char* name : {"style.css",
                             "app.js.map",
                             "data.json",
                             "logo.svg",
                             "logo.png",
                             "favicon.ico",
                             "font.woff2"}) {
        write_file(root + "/" + name, "x");
    }
    auto cfg = test_config();
    cfg.room.web_root = root;
    fixture f(cfg);
    f.run(static_files(f.port));
    std::filesystem::remove_all(dir);
}

namespace {

asio::awaitable<void> placeholder(std::uint16_t port)
{
    auto r = co_await http_request(port, "GET", "/");
    CHECK(r.status == 200);
    CHECK(r.body.find("OvenSpace") != std::string::npos);
    CHECK(r.headers["content-type"] == "text/html; charset=utf-8");
}

}  // namespace

TEST_CASE("a built-in page stands in for a missing index.html", "[loopback]")
{
    fixture f;
    f.run(placeholder(f.port));
}

namespace {

std::string directive(const std::string& policy, const std::string& name)
{
    auto at = policy.find(name + " ");
    if (at == std::string::npos) return "(absent)";
    auto end = policy.find(';', at);
    return policy.substr(at + name.size() + 1,
                         end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
}

// The page's policy follows what the room knows: the config's OME origins
// until the gateway sends its templates, then the templates' origins.
// Every answer carries nosniff and Referrer-Policy; only HTML the policy.
asio::awaitable<void> page_headers(fixture* f)
{
    auto port = f->port;
    auto page = co_await http_request(port, "GET", "/r/main");
    REQUIRE(page.status == 200);
    auto policy = page.headers["content-security-policy"];
    CHECK(directive(policy, "script-src") == "'self'");
    CHECK(directive(policy, "object-src") == "'none'");
    CHECK(directive(policy, "base-uri") == "'none'");
    CHECK(directive(policy, "frame-ancestors") == "'none'");
    CHECK(directive(policy, "connect-src") ==
          "'self' http://ome.example:3333 https://ome.example:3334 wss://ome.example:3334");
    CHECK(page.headers["x-frame-options"] == "DENY");

    endpoint_templates t;
    t.playback = {{"webrtc", "wss://media.example:443/app/{stream}"},
                  {"llhls", "https://media.example:443/app/{stream}/llhls.m3u8"}};
    t.publish = {{"webrtc", "wss://media.example:443/app/{stream}?direction=send&token={token}"},
                 {"whip", "https://media.example:443/app/{stream}?direction=whip&token={token}"},
                 {"rtmp", "rtmp://media.example:1935/app/{stream}?token={token}"},
                 {"srt", "srt://media.example:9999?streamid=x"}};
    f->server.on_endpoints(t);
    auto linked = co_await http_request(port, "GET", "/");
    CHECK(directive(linked.headers["content-security-policy"], "connect-src") ==
          "'self' https://media.example:443 wss://media.example:443");

    for (const char* target : {"/", "/api/rooms", "/healthz", "/nope.js", "/ws"}) {
        INFO(target);
        auto r = co_await http_request(port, "GET", target);
        CHECK(r.headers["x-content-type-options"] == "nosniff");
        CHECK(r.headers["referrer-policy"] == "no-referrer");
        if (std::string(target) != "/") CHECK(r.headers.count("content-security-policy") == 0);
    }
}

}  // namespace

TEST_CASE("the page carries a strict CSP with the OME origins it dials, nosniff everywhere",
          "[loopback]")
{
    auto cfg = test_config();
    cfg.ome.host = "ome.example";
    cfg.ome.webrtc_provider = {true, 3334};  // signalling wss, WHIP https
    cfg.ome.webrtc_publisher = {true, 3334};
    cfg.ome.llhls = {false, 3333};
    fixture f(cfg);
    f.run(page_headers(&f));
}

namespace {

asio::awaitable<void> framed_by_portal(std::uint16_t port)
{
    auto page = co_await http_request(port, "GET", "/");
    CHECK(directive(page.headers["content-security-policy"], "frame-ancestors") ==
          "https://portal.example");
    CHECK(page.headers.count("x-frame-options") == 0);
}

}  // namespace

TEST_CASE("room.frame_ancestors lets the named sites frame the page", "[loopback]")
{
    auto cfg = test_config();
    cfg.room.frame_ancestors = {"https://portal.example"};
    fixture f(cfg);
    f.run(framed_by_portal(f.port));
}

namespace {

asio::awaitable<void> api_rooms(std::uint16_t port)
{
    auto list = co_await http_request(port, "GET", "/api/rooms");
    CHECK(list.status == 200);
    CHECK(list.headers["content-type"] == "application/json");
    auto j = json::parse(list.body);
    REQUIRE(j["rooms"].size() == 2);
    CHECK(j["rooms"][0]["id"] == "main");
    CHECK(j["rooms"][0]["seats"]["free"] == 4);
    CHECK(j["rooms"][1]["id"] == "side");

    auto c = co_await ws_client::open(port);
    co_await c->next_of("snapshot");
    auto got8 = co_await c->command(claim_cmd(2));
    REQUIRE(got8["ok"] == true);

    auto one = co_await http_request(port, "GET", "/api/rooms/main");
    CHECK(one.status == 200);
    auto room = json::parse(one.body);
    CHECK(room["id"] == "main");
    CHECK(room["viewers"] == 1);
    REQUIRE(room["seats"].size() == 4);
    CHECK(room["seats"][2]["state"] == "reserved");
    auto after = json::parse((co_await http_request(port, "GET", "/api/rooms")).body);
    CHECK(after["rooms"][0]["seats"]["reserved"] == 1);

    auto missing = co_await http_request(port, "GET", "/api/rooms/nope");
    CHECK(missing.status == 404);
    CHECK(json::parse(missing.body)["error"]["code"] == "unknown_room");
}

}  // namespace

TEST_CASE("GET /api/rooms and /api/rooms/<id>", "[loopback]")
{
    fixture f;
    f.run(api_rooms(f.port));
}

namespace {

asio::awaitable<void> health(fixture* f, bool* linked)
{
    auto port = f->port;
    auto got9 = co_await http_request(port, "GET", "/healthz");
    CHECK(got9.status == 200);
    auto got10 = co_await http_request(port, "GET", "/readyz");
    CHECK(got10.status == 200);
    CHECK(json::parse(got10.body) == json{{"ready", true}});
    // Without the gateway link: still ready (pages and WebSockets work),
    // and the body says what is missing.
    *linked = false;
    auto got11 = co_await http_request(port, "GET", "/readyz");
    CHECK(got11.status == 200);
    CHECK(json::parse(got11.body).value("degraded", "").find("no gateway link") !=
          std::string::npos);
    *linked = true;

    // /metrics is not public: 404 on the page's listener, served on room.metrics.
    auto refused = co_await http_request(port, "GET", "/metrics");
    CHECK(refused.status == 404);
    CHECK(refused.body.find("ovs_room") == std::string::npos);
    auto m0 = (co_await http_request(f->metrics_port, "GET", "/metrics"));
    CHECK(m0.status == 200);
    CHECK(m0.headers["content-type"].rfind("text/plain", 0) == 0);
    CHECK(metric_value(m0.body, "ovs_room_claims_total") == 0);
    CHECK(metric_value(m0.body, "ovs_room_seats{state=\"free\"}") == 6);
    auto c = co_await ws_client::open(port);
    co_await c->next_of("snapshot");
    auto got12 = co_await c->command(claim_cmd(1));
    REQUIRE(got12["ok"] == true);
    auto m1 = (co_await http_request(f->metrics_port, "GET", "/metrics")).body;
    // The metrics listener serves nothing else of the room service.
    CHECK((co_await http_request(f->metrics_port, "GET", "/api/rooms")).status == 404);
    CHECK((co_await http_request(f->metrics_port, "GET", "/")).status == 404);
    CHECK((co_await http_request(f->metrics_port, "GET", "/healthz")).status == 200);
    CHECK(metric_value(m1, "ovs_room_claims_total") == 1);
    CHECK(metric_value(m1, "ovs_room_messages_in_total") == 1);
    CHECK(metric_value(m1, "ovs_room_ws_connections") == 1);
    CHECK(metric_value(m1, "ovs_room_seats{state=\"free\"}") == 5);
    CHECK(metric_value(m1, "ovs_room_seats{state=\"reserved\"}") == 1);
    CHECK(metric_value(m1, "ovs_room_viewers{room=\"main\"}") == 1);
    CHECK(metric_value(m1, "ovs_room_http_requests_total") >
          metric_value(m0.body, "ovs_room_http_requests_total"));
}

}  // namespace

TEST_CASE("health, readiness, metrics only on the metrics listener", "[loopback]")
{
    fixture f;
    bool linked = true;
    f.server.set_link_probe([&] { return linked; });
    f.run(health(&f, &linked));
}

namespace {

asio::awaitable<void> shutdown(fixture* f)
{
    auto a = co_await ws_client::open(f->port);
    co_await a->next_of("snapshot");
    auto b = co_await ws_client::open(f->port, "side");
    co_await b->next_of("snapshot");
    f->server.stop();
    CHECK(f->server.stopping());
    auto got13 = co_await a->until_closed();
    CHECK(got13 == 1001);
    auto got14 = co_await b->until_closed();
    CHECK(got14 == 1001);
}

}  // namespace

TEST_CASE("stop closes every WebSocket with 1001 and the io_context runs dry", "[loopback]")
{
    fixture f;
    f.run(shutdown(&f));  // run_bounded REQUIREs io.stopped() afterwards
}

namespace {

std::size_t count_of(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

asio::awaitable<void> head_without_body(std::uint16_t port)
{
    for (const char* path :
         {"/healthz", "/readyz", "/metrics", "/api/rooms", "/ws", "/missing.js"}) {
        // A HEAD, then a GET on the same connection: the GET's answer must
        // follow the HEAD's headers directly.
        std::string head = std::string("HEAD ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        std::string get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        auto raw = co_await raw_exchange(port, head + get);
        INFO(path << "\n" << raw);
        auto end_of_head = raw.find("\r\n\r\n");
        REQUIRE(end_of_head != std::string::npos);
        CHECK(raw.compare(end_of_head + 4, 9, "HTTP/1.1 ") == 0);
        CHECK(count_of(raw, "HTTP/1.1 ") == 2);
        const std::string health = R"({"status":"ok"})";
        CHECK(raw.size() >= health.size());
        CHECK(raw.substr(raw.size() - health.size()) == health);
    }
}

}  // namespace

TEST_CASE("HEAD answers carry headers and no body", "[loopback]")
{
    fixture f;
    f.run(head_without_body(f.port));
}

namespace {

asio::awaitable<void> symlinks(std::uint16_t port)
{
    auto inside = co_await http_request(port, "GET", "/alias.txt");
    CHECK(inside.status == 200);
    CHECK(inside.body == "inside");
    for (const char* path : {"/leak.txt", "/up/secret.txt", "/index.html", "/"}) {
        auto r = co_await http_request(port, "GET", path);
        INFO(path);
        CHECK(r.body.find("TOP SECRET") == std::string::npos);
        if (std::string(path) != "/" && std::string(path) != "/index.html") CHECK(r.status == 404);
    }
}

}  // namespace

TEST_CASE("symlinks never lead out of the web root", "[loopback]")
{
    namespace fs = std::filesystem;
    auto dir = make_temp_dir();
    auto root = dir + "/web";
    write_file(dir + "/secret.txt", "TOP SECRET");
    write_file(root + "/inside.txt", "inside");
    fs::create_symlink("inside.txt", root + "/alias.txt");
    fs::create_symlink(dir + "/secret.txt", root + "/leak.txt");
    fs::create_symlink(dir + "/secret.txt", root + "/index.html");
    fs::create_directory_symlink(dir, root + "/up");
    auto cfg = test_config();
    cfg.room.web_root = root;
    fixture f(cfg);
    f.run(symlinks(f.port));
    fs::remove_all(dir);
}

namespace {

asio::awaitable<void> wait_for(std::chrono::milliseconds d)
{
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer t(ex, d);
    co_await t.async_wait(use_nothrow);
}

asio::awaitable<void> late_keep_alive_request(std::uint16_t port, const std::string* content)
{
    // A small receive buffer: the server cannot push the file into the
    // kernel and be done; its write lasts until this client reads.
    auto c = co_await http_connection::open(port, 4096);
    co_await c->send("GET", "/healthz");
    auto first = co_await c->read();
    CHECK(first.status == 200);
    // The second request comes late in the idle time the server allows
    // (1 s), and its answer is read late: the write must get its own time.
    co_await wait_for(std::chrono::milliseconds(700));
    co_await c->send("GET", "/big.bin");
    co_await wait_for(std::chrono::milliseconds(600));
    auto second = co_await c->read();
    CHECK(second.status == 200);
    CHECK(second.headers["content-length"] == std::to_string(content->size()));
    CHECK(second.body.size() == content->size());
    CHECK(second.body == *content);
}

}  // namespace

TEST_CASE("a keep-alive request late in the idle time gets its whole answer", "[loopback]")
{
    auto dir = make_temp_dir();
    std::string content(12 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
    write_file(dir + "/big.bin", content);
    auto cfg = test_config();
    cfg.room.web_root = dir;
    cfg.room.limits.handshake_timeout = std::chrono::milliseconds(1000);
    fixture f(cfg);
    f.run(late_keep_alive_request(f.port, &content));
    std::filesystem::remove_all(dir);
}
