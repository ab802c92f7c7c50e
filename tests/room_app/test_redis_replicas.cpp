// Two room service replicas (room_server) sharing one real redis-server,
// browsers on each over loopback: a claim on one is seen by the browsers of
// both with the same sequence numbers, the other replica admits the token,
// viewer counts are totals; what the app does on the embedded store works
// across replicas (stream events and per-seat viewers from the gateway on one
// replica, resume on the other, moderator lock and end, the kick from the
// replica that freed the seat); and with Redis away claims are refused with
// store_unavailable and /readyz says no, until Redis is back.

#include "helpers.hpp"
#include "redis_server.hpp"

#include <ovs/room/redis_store.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <unistd.h>

using namespace ovs;
using namespace ovs::room;
using namespace ovs::room::testing;
using namespace std::chrono_literals;

namespace {

struct replica {
    std::shared_ptr<redis_store> store;
    std::unique_ptr<room_server> server;
    std::uint16_t port = 0;
};

struct two_replicas {
    explicit two_replicas(ovs::test::redis_server& redis, const std::string& moderator_secret = {})
        : cfg(test_config())
    {
        cfg.room.moderator_secret = moderator_secret;
        static std::atomic<unsigned> n{0};
        const auto prefix = "app" + std::to_string(::getpid()) + "-" + std::to_string(++n);
        for (const char* id : {"a", "b"}) {
            redis_store_options o;
            o.redis.server.host = "127.0.0.1";
            o.redis.server.port = redis.port();
            o.redis.request_timeout = 500ms;
            o.redis.reconnect_min = 20ms;
            o.redis.reconnect_max = 100ms;
            o.redis.ping_interval = 100ms;
            o.key_prefix = prefix;
            o.replica_id = id;
            o.heartbeat = 200ms;
            o.maintain_interval = 200ms;
            replica r;
            r.store = redis_store::create(
                io.get_executor(), cfg.rooms, settings_from(cfg), random_tokens(), o);
            r.store->start();
            r.server = std::make_unique<room_server>(io, cfg, r.store);
            r.server->set_link_probe([] { return true; });  // no gateway in this test
            r.server->set_kick_sink([this, id](const kick_stream& k) {
                kicks.emplace_back(id, k.stream + " " + k.reason);
            });
            r.server->start();
            r.port = r.server->local_endpoint().port();
            replicas.push_back(std::move(r));
        }
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!(replicas[0].store->available() && replicas[1].store->available())) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            io.run_one_for(10ms);
        }
        io.restart();
    }

    void run(asio::awaitable<void> test)
    {
        ovs::testing::run_bounded(
            io,
            [this] {
                for (auto& r : replicas) {
                    r.server->stop();
                    r.store->stop();
                }
            },
            std::move(test),
            std::chrono::seconds(60));
    }

    asio::io_context io;
    config::config cfg;
    std::vector<replica> replicas;
    std::vector<std::pair<std::string, std::string>> kicks;  // (replica, "stream reason")
};

ovs::test::redis_server& shared_redis()
{
    static ovs::test::redis_server server;
    return server;
}

json claim_cmd(unsigned seat)
{
    return {{"type", "claim"}, {"seat", seat}};
}

// The next seat frame of seat `index`; the last viewers frame on the way
// goes to `viewers`.
asio::awaitable<json> seat_event(ws_client* c, unsigned index, json* viewers)
{
    for (;;) {
        auto frame = co_await c->next();
        if (!frame) co_return json();
        if ((*frame)["type"] == "viewers") *viewers = *frame;
        if ((*frame)["type"] == "seat" && (*frame)["seat"]["index"] == index) co_return *frame;
    }
}

asio::awaitable<void> claim_seen_everywhere(two_replicas* t)
{
    auto a = co_await ws_client::open(t->replicas[0].port);
    auto b = co_await ws_client::open(t->replicas[1].port);
    auto snap_a = co_await a->next_of("snapshot");
    auto snap_b = co_await b->next_of("snapshot");
    CHECK(snap_a["seq"] == snap_b["seq"]);

    auto reply = co_await a->command(claim_cmd(2));
    REQUIRE(reply["ok"] == true);
    const std::string token = reply["token"];

    // The same event, with the same sequence number, on both replicas (and
    // on b the viewer total over both replicas, in between or after).
    json viewers_a, viewers_b;
    auto seat_a = co_await seat_event(a.get(), 2, &viewers_a);
    auto seat_b = co_await seat_event(b.get(), 2, &viewers_b);
    CHECK(seat_a == seat_b);
    CHECK(seat_b["seat"]["state"] == "reserved");

    // The other replica knows the seat is taken, and admits its holder.
    auto again = co_await b->command(claim_cmd(2));
    CHECK(again["ok"] == false);
    CHECK(again["error"]["code"] == "seat_taken");
    std::optional<admission> via_b;
    t->replicas[1].server->check_admission("stream2", token, [&](admission x) { via_b = x; });
    for (int i = 0; i < 100 && !via_b; ++i) co_await ovs::testing::sleep_for(10ms);
    REQUIRE(via_b);
    CHECK(via_b->allowed);

    // Viewer counts are totals: one browser on each replica.
    while (viewers_b.is_null() || viewers_b["count"] != 2) {
        auto frame = co_await b->next();
        REQUIRE(frame);
        if ((*frame)["type"] == "viewers") viewers_b = *frame;
    }
    CHECK(viewers_b["count"] == 2);

    // A new browser on b starts from a snapshot that shows a's claim.
    auto c = co_await ws_client::open(t->replicas[1].port);
    auto snap_c = co_await c->next_of("snapshot");
    CHECK(snap_c["seats"][2]["state"] == "reserved");
}

// The next seat frame of seat `index` whose seat satisfies `done`.
asio::awaitable<json> seat_where(ws_client* c,
                                 unsigned index,
                                 std::function<bool(const json&)> done)
{
    for (;;) {
        auto f = co_await c->next_of("seat");
        if (f["seat"]["index"] == index && done(f["seat"])) co_return f;
    }
}

const std::string moderator_secret = "a-moderator-secret-of-32-chars!!";

asio::awaitable<void> app_across_replicas(two_replicas* t)
{
    auto& b = *t->replicas[1].server;
    auto holder = co_await ws_client::open(t->replicas[0].port);
    co_await holder->next_of("snapshot");
    auto watcher = co_await ws_client::open(t->replicas[1].port);
    co_await watcher->next_of("snapshot");

    auto claim = co_await holder->command(claim_cmd(3));
    REQUIRE(claim["ok"] == true);
    const std::string token = claim["token"];

    // The gateway's events may reach either replica: B hears the stream go
    // up and OME's per-seat count; A's browser sees both.
    const stream_info info{"RTMP", "H264", 1280, 720, 2500000, 30.0};
    b.on_stream_up("stream3", info);
    co_await seat_where(holder.get(), 3, [](const json& s) { return s["state"] != "reserved"; });
    const std::map<std::string, std::size_t> viewers{{"stream3", 7}};
    b.on_stream_viewers(viewers);
    auto counted =
        co_await seat_where(holder.get(), 3, [](const json& s) { return s.contains("viewers"); });
    CHECK(counted["seat"]["viewers"] == 7);

    // The holder's page reloads onto the other replica and resumes.
    holder.reset();  // the page goes away (the hold waits out the grace period)
    auto again = co_await ws_client::open(t->replicas[1].port);
    co_await again->next_of("snapshot");
    const json resume = {{"type", "resume"}, {"seat", 3}, {"token", token}};
    auto resumed = co_await again->command(resume);
    CHECK(resumed["ok"] == true);

    // A moderator on A locks seat 2 (B's browsers see it, B refuses a
    // claim) and ends seat 3 (held on B): the kick leaves from A, whose
    // script freed the seat, once.
    auto mod = co_await ws_client::open(t->replicas[0].port);
    co_await mod->next_of("snapshot");
    const json sign_in = {{"type", "moderate"}, {"secret", moderator_secret}};
    auto signed_in = co_await mod->command(sign_in);
    REQUIRE(signed_in["ok"] == true);
    const json lock = {{"type", "lock"}, {"seat", 2}};
    auto locked = co_await mod->command(lock);
    CHECK(locked["ok"] == true);
    co_await seat_where(
        watcher.get(), 2, [](const json& s) { return s.value("locked", false) == true; });
    auto refused = co_await watcher->command(claim_cmd(2));
    CHECK(refused["error"]["code"] == "seat_locked");
    const json end = {{"type", "end_seat"}, {"seat", 3}};
    auto ended = co_await mod->command(end);
    CHECK(ended["ok"] == true);
    // OME still has the stream: the seat is ending (nobody can claim it)
    // until the gateway reports it gone, then free.
    co_await seat_where(watcher.get(), 3, [](const json& s) { return s["state"] == "ending"; });
    for (int i = 0; i < 100 && t->kicks.empty(); ++i) co_await ovs::testing::sleep_for(10ms);
    REQUIRE(t->kicks.size() == 1);
    CHECK(t->kicks[0].first == "a");
    CHECK(t->kicks[0].second == "stream3 moderator");
    b.on_stream_down("stream3");
    auto freed =
        co_await seat_where(watcher.get(), 3, [](const json& s) { return s["state"] == "free"; });
    CHECK(freed["seat"]["ended"] == "moderator");
    // The resumed holder on B lost the seat.
    const json release = {{"type", "release"}, {"seat", 3}};
    auto mine = co_await again->command(release);
    CHECK(mine["ok"] == false);
}

asio::awaitable<void> redis_away(two_replicas* t, ovs::test::redis_server* redis)
{
    const auto port = t->replicas[0].port;
    auto a = co_await ws_client::open(port);
    co_await a->next_of("snapshot");
    // No co_await inside CHECK (g++ 12 may evaluate it twice).
    auto ready_before = co_await http_request(port, "GET", "/readyz");
    CHECK(ready_before.status == 200);

    redis->stop();
    bool down = false;
    for (int i = 0; i < 300 && !down; ++i) {
        co_await ovs::testing::sleep_for(10ms);
        down = !t->replicas[0].store->available();
    }
    REQUIRE(down);
    auto refused = co_await a->command(claim_cmd(1));
    CHECK(refused["ok"] == false);
    CHECK(refused["error"]["code"] == "store_unavailable");
    auto ready = co_await http_request(port, "GET", "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("seat store unavailable") != std::string::npos);
    // Pages and snapshots are still served.
    auto b = co_await ws_client::open(port);
    co_await b->next_of("snapshot");

    redis->start();
    bool up = false;
    for (int i = 0; i < 500 && !up; ++i) {
        co_await ovs::testing::sleep_for(10ms);
        up = t->replicas[0].store->available();
    }
    REQUIRE(up);
    auto granted = co_await a->command(claim_cmd(1));
    CHECK(granted["ok"] == true);
    auto ready_after = co_await http_request(port, "GET", "/readyz");
    CHECK(ready_after.status == 200);
}

}  // namespace

TEST_CASE("two replicas on one Redis: a claim is seen on both with the same seq",
          "[loopback][redis]")
{
    two_replicas t(shared_redis());
    t.run(claim_seen_everywhere(&t));
}

TEST_CASE("two replicas on one Redis: gateway events, resume, moderation and kicks",
          "[loopback][redis]")
{
    two_replicas t(shared_redis(), moderator_secret);
    t.run(app_across_replicas(&t));
}

TEST_CASE("Redis away: claims refused with store_unavailable and not ready, then back",
          "[loopback][redis]")
{
    ovs::test::redis_server redis;
    two_replicas t(redis);
    t.run(redis_away(&t, &redis));
}
