// Several room-service replicas sharing one real redis-server (each with its
// own io_context, so a test can keep one of them from running): events
// reach every replica with the store's sequence numbers, one claim wins,
// viewer counts add up, a dead replica's holds are reaped, a subscriber that
// missed events catches up, and a Redis restart is ridden out.

#include "redis_server.hpp"

#include <ovs/room/redis_store.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <unistd.h>

using namespace ovs;
using namespace ovs::room;
using namespace std::chrono_literals;

namespace {

const std::vector<config::room_def> rooms{{"main", "Main", 3, "stream"}};

settings fast_settings()
{
    settings s;
    s.lease = 30s;
    s.disconnect_grace = 400ms;
    s.presence_interval = 50ms;
    s.max_viewers_per_room = 1000;
    return s;
}

token_source tokens_named(std::string prefix)
{
    auto n = std::make_shared<int>(0);
    return [n, prefix] { return prefix + "-tok-" + std::to_string(++*n); };
}

std::string fresh_prefix()
{
    static std::atomic<unsigned> n{0};
    return "rt" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

struct replica {
    asio::io_context io;
    std::shared_ptr<redis_store> store;
    outputs got;  // everything drained so far
    int wakes = 0;
    bool frozen = false;  // its I/O never runs again: a killed (or hung) process

    void collect()
    {
        auto out = store->drain();
        for (auto& e : out.events) got.events.push_back(std::move(e));
        for (auto& k : out.kicks) got.kicks.push_back(std::move(k));
        for (auto& r : out.resyncs) got.resyncs.push_back(std::move(r));
    }
    std::vector<std::uint64_t> seat_seqs() const
    {
        std::vector<std::uint64_t> v;
        for (const auto& e : got.events) {
            if (const auto* s = std::get_if<seat_changed>(&e)) v.push_back(s->seq);
        }
        return v;
    }
};

class replicas {
public:
    explicit replicas(test::redis_server& server) : server_(server), prefix_(fresh_prefix()) {}
    ~replicas()
    {
        for (auto& r : list_) {
            if (r->frozen) continue;
            r->store->stop();
            r->io.run_for(20ms);
        }
    }

    replica& add(const std::string& id,
                 std::chrono::milliseconds maintain = 0ms,
                 std::size_t log_cap = 1000)
    {
        auto r = std::make_unique<replica>();
        redis_store_options o;
        o.redis.server.host = "127.0.0.1";
        o.redis.server.port = server_.port();
        o.redis.request_timeout = 1000ms;
        o.redis.reconnect_min = 20ms;
        o.redis.reconnect_max = 100ms;
        o.redis.ping_interval = 200ms;
        o.key_prefix = prefix_;
        o.replica_id = id;
        o.heartbeat = 100ms;
        o.maintain_interval = maintain;
        o.gap_wait = 50ms;
        o.log_cap = log_cap;
        r->store =
            redis_store::create(r->io.get_executor(), rooms, fast_settings(), tokens_named(id), o);
        auto* raw = r.get();
        r->store->set_wakeup([raw] {
            ++raw->wakes;
            raw->collect();
        });
        r->store->start();
        list_.push_back(std::move(r));
        REQUIRE(run_until([raw] { return raw->store->available(); }));
        raw->collect();
        return *raw;
    }

    // Runs the given replicas' I/O (all when empty) until `done`, bounded.
    bool run_until(const std::function<bool()>& done,
                   std::vector<replica*> only = {},
                   std::chrono::milliseconds timeout = 5000ms)
    {
        if (only.empty()) {
            for (auto& r : list_) only.push_back(r.get());
        }
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            for (auto* r : only) {
                if (r->frozen) continue;
                r->io.restart();
                r->io.poll();
            }
            std::this_thread::sleep_for(1ms);
        }
        return true;
    }
    void settle(std::chrono::milliseconds d = 100ms)
    {
        const auto until = std::chrono::steady_clock::now() + d;
        run_until([&] { return std::chrono::steady_clock::now() >= until; });
    }

    template <class T, class Start>
    T await(replica& r, Start&& start)
    {
        std::optional<T> answer;
        start([&answer](T v) { answer = std::move(v); });
        // Only `r` runs: the others see the effects when a test lets them.
        REQUIRE(run_until([&] { return answer.has_value(); }, {&r}));
        r.collect();
        return std::move(*answer);
    }
    void await_void(replica& r, const std::function<void(done_void)>& start)
    {
        bool done = false;
        start([&done] { done = true; });
        REQUIRE(run_until([&] { return done; }, {&r}));
        r.collect();
    }

    std::optional<refusal> join(replica& r, conn_id c)
    {
        return await<std::optional<refusal>>(
            r, [&](auto d) { r.store->join(c, "main", clock::now(), d); });
    }
    result<claim_granted> claim(replica& r, conn_id c, unsigned seat)
    {
        return await<result<claim_granted>>(
            r, [&](auto d) { r.store->claim(c, seat, clock::now(), d); });
    }

    std::vector<std::unique_ptr<replica>>& all() { return list_; }

private:
    test::redis_server& server_;
    std::string prefix_;
    std::vector<std::unique_ptr<replica>> list_;
};

test::redis_server& shared_server()
{
    static test::redis_server server;
    return server;
}

// Cuts one replica's pub/sub connection (found by its client name).
void kill_subscriber(test::redis_server& server, const std::string& replica_id)
{
    const auto list = server.raw_command({"CLIENT", "LIST"});
    const auto at = list.find("name=ovenspace-room:" + replica_id + ":events ");
    REQUIRE(at != std::string::npos);
    const auto line = list.rfind("id=", at);
    const auto id = list.substr(line + 3, list.find(' ', line) - line - 3);
    REQUIRE(server.raw_command({"CLIENT", "KILL", "ID", id}) == ":1\r\n");
}

}  // namespace

TEST_CASE("every replica sees every event with the same sequence number", "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& a = rs.add("a");
    auto& b = rs.add("b");
    auto& c = rs.add("c");
    REQUIRE_FALSE(rs.join(a, 1));
    REQUIRE_FALSE(rs.join(b, 1));  // connection ids are per replica: no clash
    REQUIRE_FALSE(rs.join(c, 7));

    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(b, 1, 2)));
    rs.await_void(a, [&](done_void d) {
        a.store->stream_up("stream2", {"RTMP", "H264", 640, 360, 800000}, clock::now(), d);
    });
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(c, 7, 0)));
    rs.await_void(c, [&](done_void d) { c.store->stream_down("stream2", clock::now(), d); });

    REQUIRE(rs.run_until([&] {
        return a.seat_seqs().size() == 4 && b.seat_seqs().size() == 4 && c.seat_seqs().size() == 4;
    }));
    CHECK(a.seat_seqs() == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(b.seat_seqs() == a.seat_seqs());
    CHECK(c.seat_seqs() == a.seat_seqs());
    // The same view everywhere, except who holds: a replica sees its own
    // connection, and a marker for another replica's.
    for (std::size_t i = 0; i < 4; ++i) {
        auto sa = std::get<seat_changed>(a.got.events[i]).seat;
        auto sb = std::get<seat_changed>(b.got.events[i]).seat;
        auto sc = std::get<seat_changed>(c.got.events[i]).seat;
        CHECK(sa.state == sb.state);
        CHECK(sa.state == sc.state);
        CHECK(sa.info == sc.info);
    }
    const auto first_b = std::get<seat_changed>(b.got.events[0]).seat;
    CHECK(first_b.holder == 1);
    CHECK(std::get<seat_changed>(a.got.events[0]).seat.holder == remote_holder);
    CHECK(std::get<seat_changed>(c.got.events[0]).seat.holder == remote_holder);
    // Live with its stream details, then back to reserved when it went down.
    CHECK(std::get<seat_changed>(c.got.events[1]).seat.state == seat_state::live);
    CHECK(std::get<seat_changed>(c.got.events[1]).seat.info->source == "RTMP");
    CHECK(std::get<seat_changed>(a.got.events[3]).seat.state == seat_state::reserved);
    CHECK(b.store->seat_of(1) == 2u);
    CHECK_FALSE(a.store->seat_of(1));
    // Lease ends are the same instant, each in its replica's own steady clock.
    const auto lease_a = *std::get<seat_changed>(a.got.events[0]).seat.lease_expires;
    const auto lease_b = *std::get<seat_changed>(b.got.events[0]).seat.lease_expires;
    CHECK((lease_a > lease_b ? lease_a - lease_b : lease_b - lease_a) < 5ms);
    CHECK(a.wakes > 0);  // events from elsewhere woke the replica
}

TEST_CASE("a moderator on one replica locks and ends seats held through another",
          "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& a = rs.add("a");
    auto& b = rs.add("b");
    REQUIRE_FALSE(rs.join(b, 1));
    REQUIRE_FALSE(rs.join(b, 2));
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(b, 1, 0)));
    rs.await_void(b, [&](done_void d) {
        b.store->stream_up("stream0", {"RTMP", "H264", 640, 360, 800000}, clock::now(), d);
    });
    rs.await_void(b, [&](done_void d) {
        b.store->stream_viewers({{"stream0", 5}}, clock::now(), d);
    });

    // The moderator's commands reach the room service through replica a.
    const auto locked = rs.await<std::optional<refusal>>(
        a, [&](auto d) { a.store->set_locked("main", std::nullopt, true, clock::now(), d); });
    REQUIRE_FALSE(locked);
    REQUIRE(rs.run_until([&] { return b.store->snapshot("main")->seats[1].locked; }));
    // b's viewers see the lock and the audience; a claim through b is refused.
    CHECK(b.store->snapshot("main")->seats[0].watching == std::optional<std::size_t>(5));
    const auto refused = rs.claim(b, 2, 1);
    REQUIRE(std::holds_alternative<refusal>(refused));
    CHECK(std::get<refusal>(refused) == refusal::seat_locked);

    const auto ended = rs.await<std::optional<refusal>>(
        a, [&](auto d) { a.store->moderator_end("main", 0, clock::now(), d); });
    REQUIRE_FALSE(ended);
    // The kick goes out from the replica whose script freed the seat.
    REQUIRE(a.got.kicks.size() == 1);
    CHECK(a.got.kicks[0].stream == "stream0");
    CHECK(a.got.kicks[0].reason == "moderator");
    REQUIRE(rs.run_until([&] { return !b.store->seat_of(1); }));
    // OME still has the stream: the seat is ending (nobody can claim it)
    // until the stream is gone, on every replica.
    const auto seat0 = b.store->snapshot("main")->seats[0];
    CHECK(seat0.state == seat_state::ending);
    CHECK(seat0.ended_by_moderator);
    CHECK(seat0.locked);  // ending does not unlock
    CHECK_FALSE(seat0.watching);
    CHECK(b.got.kicks.empty());
    rs.await_void(a, [&](done_void d) { a.store->stream_down("stream0", clock::now(), d); });
    REQUIRE(rs.run_until(
        [&] { return b.store->snapshot("main")->seats[0].state == seat_state::free; }));
}

TEST_CASE("200 claims of one seat over three replicas have exactly one winner", "[loopback][redis]")
{
    replicas rs(shared_server());
    std::vector<replica*> reps{&rs.add("a"), &rs.add("b"), &rs.add("c")};
    for (conn_id conn = 1; conn <= 200; ++conn) {
        REQUIRE_FALSE(rs.join(*reps[conn % 3], conn));
    }
    int granted = 0;
    int taken = 0;
    int answers = 0;
    conn_id winner = 0;
    for (conn_id conn = 1; conn <= 200; ++conn) {
        reps[conn % 3]->store->claim(conn, 0, clock::now(), [&, conn](result<claim_granted> r) {
            ++answers;
            if (std::holds_alternative<claim_granted>(r)) {
                ++granted;
                winner = conn;
            } else if (std::get<refusal>(r) == refusal::seat_taken) {
                ++taken;
            }
        });
    }
    REQUIRE(rs.run_until([&] { return answers == 200; }));
    CHECK(granted == 1);
    CHECK(taken == 199);
    // Every replica agrees on the one holder.
    REQUIRE(rs.run_until([&] {
        for (auto* r : reps) {
            if (r->store->snapshot("main")->seats[0].state != seat_state::reserved) return false;
        }
        return true;
    }));
    CHECK(reps[winner % 3]->store->seat_of(winner) == 0u);
    for (auto* r : reps) CHECK(r->store->snapshot("main")->seq == 1);
}

TEST_CASE("viewer counts are the total over the replicas", "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& a = rs.add("a");
    auto& b = rs.add("b");
    for (conn_id conn = 1; conn <= 3; ++conn) REQUIRE_FALSE(rs.join(a, conn));
    for (conn_id conn = 1; conn <= 2; ++conn) REQUIRE_FALSE(rs.join(b, conn));
    // Presence is coalesced per replica and flushed by tick().
    rs.settle(60ms);
    rs.await_void(a, [&](done_void d) { a.store->tick(clock::now(), d); });
    rs.await_void(b, [&](done_void d) { b.store->tick(clock::now(), d); });
    REQUIRE(rs.run_until([&] {
        return a.store->snapshot("main")->viewers == 5 && b.store->snapshot("main")->viewers == 5;
    }));
    auto last_viewers = [](const replica& r) {
        std::optional<viewers_changed> v;
        for (const auto& e : r.got.events) {
            if (const auto* x = std::get_if<viewers_changed>(&e)) v = *x;
        }
        return v;
    };
    REQUIRE(rs.run_until([&] {
        a.collect();
        b.collect();
        return last_viewers(a) && last_viewers(b) && last_viewers(a)->viewers == 5 &&
               last_viewers(b)->viewers == 5;
    }));
    CHECK(last_viewers(a)->seq == last_viewers(b)->seq);
    // A replica that goes away takes its viewers out of the total.
    rs.await_void(b, [&](done_void d) { b.store->leave(1, clock::now(), d); });
    rs.settle(60ms);
    rs.await_void(b, [&](done_void d) { b.store->tick(clock::now(), d); });
    REQUIRE(rs.run_until([&] { return a.store->snapshot("main")->viewers == 4; }));
}

TEST_CASE("a dead replica's holds get the grace, then are freed and kicked by another",
          "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& dying = rs.add("dying");
    auto& keeper = rs.add("keeper", 50ms);  // runs maintenance every 50 ms
    auto& rescuer = rs.add("rescuer");
    REQUIRE_FALSE(rs.join(dying, 1));
    REQUIRE_FALSE(rs.join(dying, 2));
    const auto g0 = std::get<claim_granted>(rs.claim(dying, 1, 0));
    const auto g1 = std::get<claim_granted>(rs.claim(dying, 2, 1));
    REQUIRE(rs.run_until([&] { return keeper.store->seats_in_state(seat_state::reserved) == 2; }));

    // Killed: it never runs again (no stop(), no heartbeat), so its
    // heartbeat key lives out its TTL (3 x 100 ms).
    dying.frozen = true;
    const auto killed_at = std::chrono::steady_clock::now();

    // The holder of seat 1 comes back through another replica within the
    // grace and keeps its seat with its token.
    REQUIRE_FALSE(rs.join(rescuer, 9));
    const auto back = rs.await<result<claim_granted>>(
        rescuer, [&](auto d) { rescuer.store->resume(9, 1, g1.token, clock::now(), d); });
    REQUIRE(std::holds_alternative<claim_granted>(back));

    // Seat 0's holder does not: the keeper frees it after TTL + grace.
    const auto freed = [&] {
        keeper.collect();
        for (const auto& k : keeper.got.kicks) {
            if (k.stream == "stream0" && k.reason == "holder_gone") return true;
        }
        return false;
    };
    REQUIRE(rs.run_until(freed, {&keeper, &rescuer}));
    const auto took = std::chrono::steady_clock::now() - killed_at;
    CHECK(took >= 600ms);  // heartbeat TTL 300 ms + grace 400 ms (less the timer slack)
    CHECK(took < 3000ms);
    CHECK(keeper.store->snapshot("main")->seats[0].state == seat_state::free);
    CHECK(keeper.store->snapshot("main")->seats[1].state == seat_state::reserved);
    CHECK(rescuer.store->seat_of(9) == 1u);
    CHECK(rescuer.got.kicks.empty());  // only the replica that freed it kicks
    (void)g0;
}

TEST_CASE("a replica that missed published events catches up from the log, in order",
          "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& a = rs.add("a");
    auto& b = rs.add("b");
    REQUIRE_FALSE(rs.join(a, 1));
    // Cut b's subscription; b does not run until a is done.
    kill_subscriber(shared_server(), "b");
    for (unsigned i = 0; i < 3; ++i) {
        rs.await<result<claim_granted>>(a, [&](auto d) { a.store->claim(1, i, clock::now(), d); });
        rs.await<std::optional<refusal>>(a,
                                         [&](auto d) { a.store->release(1, i, clock::now(), d); });
    }
    REQUIRE(a.seat_seqs().size() == 6);
    REQUIRE(rs.run_until([&] { return b.seat_seqs().size() == 6; }, {&b}));
    CHECK(b.seat_seqs() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
    CHECK(b.got.resyncs.empty());
}

TEST_CASE("a replica that missed more than the log keeps resyncs from a snapshot",
          "[loopback][redis]")
{
    replicas rs(shared_server());
    auto& a = rs.add("a", 0ms, 5);  // the log keeps 5 events
    auto& b = rs.add("b", 0ms, 5);
    REQUIRE_FALSE(rs.join(a, 1));
    kill_subscriber(shared_server(), "b");
    for (unsigned n = 0; n < 30; ++n) {
        rs.await<result<claim_granted>>(a,
                                        [&](auto d) { a.store->claim(1, n % 3, clock::now(), d); });
        rs.await<std::optional<refusal>>(
            a, [&](auto d) { a.store->release(1, n % 3, clock::now(), d); });
    }
    rs.await<result<claim_granted>>(a, [&](auto d) { a.store->claim(1, 2, clock::now(), d); });
    REQUIRE(rs.run_until([&] { return !b.got.resyncs.empty(); }, {&b}));
    CHECK(b.got.resyncs == std::vector<std::string>{"main"});
    const auto snap = b.store->snapshot("main");
    CHECK(snap->seq == 61);
    CHECK(snap->seats[2].state == seat_state::reserved);
    CHECK(snap->seats[2].holder == remote_holder);
    CHECK(b.store->resyncs() == 1);
}

TEST_CASE("Redis down: claims and admissions are refused at once, back: it carries on",
          "[loopback][redis]")
{
    // Persistence on: nothing Redis acknowledged may be lost by the restart.
    test::redis_server server({"--appendonly", "yes", "--appendfsync", "always"});
    replicas rs(server);
    auto& a = rs.add("a");
    REQUIRE_FALSE(rs.join(a, 1));
    REQUIRE_FALSE(rs.join(a, 2));
    const auto g = std::get<claim_granted>(rs.claim(a, 1, 0));
    const auto seq_before = a.store->snapshot("main")->seq;

    server.stop();
    REQUIRE(rs.run_until([&] { return !a.store->available(); }));
    const auto refused = rs.claim(a, 2, 1);
    REQUIRE(std::holds_alternative<refusal>(refused));
    CHECK(std::get<refusal>(refused) == refusal::store_unavailable);
    const auto adm = rs.await<admission>(
        a, [&](auto d) { a.store->check_admission("stream0", g.token, clock::now(), d); });
    CHECK_FALSE(adm.allowed);
    CHECK(adm.reason == refusal::store_unavailable);
    // What it has is still served.
    CHECK(a.store->snapshot("main")->seats[0].state == seat_state::reserved);

    server.start();
    REQUIRE(rs.run_until([&] { return a.store->available(); }));
    rs.settle();
    CHECK(a.got.resyncs.empty());  // nothing was lost: no reload needed
    // The seat is still held (only this replica's viewer count was reported
    // again since, as after every reconnect).
    CHECK(a.store->snapshot("main")->seq >= seq_before);
    CHECK(a.store->snapshot("main")->seats[0].state == seat_state::reserved);
    const auto adm2 = rs.await<admission>(
        a, [&](auto d) { a.store->check_admission("stream0", g.token, clock::now(), d); });
    CHECK(adm2.allowed);
    const auto seq_now = a.store->snapshot("main")->seq;
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(a, 2, 1)));
    CHECK(std::get<seat_changed>(a.got.events.back()).seq == seq_now + 1);
}

TEST_CASE("Redis restarted empty: the room is reloaded and sequence numbers never go back",
          "[loopback][redis]")
{
    test::redis_server server;  // no persistence: a restart loses everything
    replicas rs(server);
    auto& a = rs.add("a");
    REQUIRE_FALSE(rs.join(a, 1));
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(a, 1, 1)));
    REQUIRE_FALSE(rs.await<std::optional<refusal>>(
        a, [&](auto d) { a.store->release(1, 1, clock::now(), d); }));
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(a, 1, 0)));
    const auto seq_before = a.store->snapshot("main")->seq;
    REQUIRE(seq_before == 3);

    server.stop();
    REQUIRE(rs.run_until([&] { return !a.store->available(); }));
    server.start();
    REQUIRE(rs.run_until([&] { return a.store->available() && !a.got.resyncs.empty(); }));
    rs.settle();
    const auto snap = a.store->snapshot("main");
    CHECK(snap->seq >= seq_before);
    CHECK(snap->seats[0].state == seat_state::free);  // the hold was lost with Redis's data
    REQUIRE(std::holds_alternative<claim_granted>(rs.claim(a, 1, 2)));
    const auto& last = std::get<seat_changed>(a.got.events.back());
    CHECK(last.seq == snap->seq + 1);
}
