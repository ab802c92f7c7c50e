// The two stores side by side: one seeded random walk of commands, stream
// events, admissions and ticks applied to the in-memory store and to the
// Redis store, which must answer every call identically and produce the
// same events (same sequence numbers), kicks, snapshots and deadlines.
// This is what keeps their semantics from drifting apart.
#include "helpers.hpp"

#include <random>

using namespace ovs::room;
using namespace ovs::room::test;

namespace {

settings walk_settings(ovs::config::admission_mode mode)
{
    settings s;
    s.mode = mode;
    s.lease = 10s;
    s.disconnect_grace = 3s;
    s.presence_interval = 250ms;
    s.max_viewers_per_room = 8;
    return s;
}

std::string describe(const result<claim_granted>& r)
{
    if (const auto* g = std::get_if<claim_granted>(&r)) {
        return "granted seat " + std::to_string(g->seat) + " " + g->stream + " " + g->token +
               " lease " + std::to_string(g->lease_expires.time_since_epoch().count());
    }
    return std::string("refused ") + to_string(std::get<refusal>(r));
}

std::string dump(const outputs& o)
{
    std::string out;
    for (const auto& e : o.events) {
        if (const auto* sc = std::get_if<seat_changed>(&e)) {
            out += sc->room + "#" + std::to_string(sc->seq) + " seat " +
                   std::to_string(sc->seat.index) + " " + to_string(sc->seat.state) + " holder " +
                   std::to_string(sc->seat.holder) + (sc->seat.lease_expires ? " lease" : "") +
                   (sc->seat.info ? " info " + sc->seat.info->source : "") +
                   (sc->seat.watching ? " watching " + std::to_string(*sc->seat.watching) : "") +
                   (sc->seat.locked ? " locked" : "") +
                   (sc->seat.ended_by_moderator ? " ended" : "") + "; ";
        } else {
            const auto& v = std::get<viewers_changed>(e);
            out += v.room + "#" + std::to_string(v.seq) + " viewers " + std::to_string(v.viewers) +
                   "; ";
        }
    }
    for (const auto& k : o.kicks) out += "kick " + k.stream + " " + k.reason + "; ";
    return out;
}

bool same(const outputs& a, const outputs& b)
{
    if (a.events.size() != b.events.size() || a.kicks.size() != b.kicks.size()) return false;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        const auto* sa = std::get_if<seat_changed>(&a.events[i]);
        const auto* sb = std::get_if<seat_changed>(&b.events[i]);
        if (sa && sb) {
            if (sa->room != sb->room || sa->seq != sb->seq || !(sa->seat == sb->seat)) return false;
        } else if (!sa && !sb) {
            const auto& va = std::get<viewers_changed>(a.events[i]);
            const auto& vb = std::get<viewers_changed>(b.events[i]);
            if (va.room != vb.room || va.seq != vb.seq || va.viewers != vb.viewers) return false;
        } else {
            return false;
        }
    }
    for (std::size_t i = 0; i < a.kicks.size(); ++i) {
        if (a.kicks[i].stream != b.kicks[i].stream || a.kicks[i].reason != b.kicks[i].reason) {
            return false;
        }
    }
    return true;
}

void compare_state(const test_space& mem, const test_space& red)
{
    for (const auto& room : {std::string("main"), std::string("side")}) {
        const auto a = mem.snapshot(room);
        const auto b = red.snapshot(room);
        REQUIRE(a->seq == b->seq);
        REQUIRE(a->viewers == b->viewers);
        REQUIRE(a->seats == b->seats);
    }
    for (conn_id c = 1; c <= 10; ++c) {
        REQUIRE(mem.seat_of(c) == red.seat_of(c));
        REQUIRE(mem.room_of(c) == red.room_of(c));
    }
    REQUIRE(mem.next_deadline() == red.next_deadline());
    for (const auto s :
         {seat_state::free, seat_state::reserved, seat_state::live, seat_state::ending}) {
        REQUIRE(mem.seats_in_state(s) == red.seats_in_state(s));
    }
}

void walk_both(std::uint64_t seed, ovs::config::admission_mode mode, int steps)
{
    const auto s = walk_settings(mode);
    test_space mem(store_kind::memory, two_rooms(), s, counting_tokens());
    test_space red(store_kind::redis, two_rooms(), s, counting_tokens());
    std::mt19937_64 rng(seed);
    const std::vector<std::string> rooms{"main", "side", "nope"};
    const std::vector<std::string> streams{"stream0", "stream1", "stream2", "side0", "side1", "x"};
    std::vector<std::string> tokens{"garbage"};
    time_point now = t0;
    int events = 0;
    int endings = 0;  // seats that went "ending" (released while live)
    for (int step = 0; step < steps; ++step) {
        INFO("seed " << seed << " step " << step);
        if (rng() % 3 != 0) now += std::chrono::milliseconds(rng() % 1500);
        const conn_id c = 1 + rng() % 10;
        const auto seat = static_cast<unsigned>(rng() % 4);
        const auto& stream = streams[rng() % streams.size()];
        const auto kind = rng() % 15;
        INFO("op " << kind << " conn " << c << " seat " << seat << " stream " << stream << " at +"
                   << (now - t0).count() / 1000000 << " ms");
        switch (kind) {
            case 0:
            case 1: {
                const auto& room = rooms[rng() % rooms.size()];
                REQUIRE(mem.join(c, room, now) == red.join(c, room, now));
                break;
            }
            case 2:
                mem.leave(c, now);
                red.leave(c, now);
                break;
            case 3:
            case 4: {
                const auto a = mem.claim(c, seat, now);
                const auto b = red.claim(c, seat, now);
                REQUIRE(describe(a) == describe(b));
                if (const auto* g = std::get_if<claim_granted>(&a)) tokens.push_back(g->token);
                break;
            }
            case 5:
                REQUIRE(mem.release(c, seat, now) == red.release(c, seat, now));
                break;
            case 6: {
                const auto& token = tokens[rng() % tokens.size()];
                REQUIRE(describe(mem.resume(c, seat, token, now)) ==
                        describe(red.resume(c, seat, token, now)));
                break;
            }
            case 7: {
                stream_info info;
                info.source = rng() % 2 ? "RTMP" : "WebRTC";
                info.width = rng() % 2 ? 1280 : 0;
                info.framerate = rng() % 2 ? 30000.0 / 1001 : 0;  // not exact in 14 digits
                mem.stream_up(stream, info, now);
                red.stream_up(stream, info, now);
                break;
            }
            case 8:
                mem.stream_down(stream, now);
                red.stream_down(stream, now);
                break;
            case 9: {
                std::map<std::string, stream_info> listed;
                for (const auto& name : streams) {
                    if (rng() % 2 == 0) listed[name] = stream_info{"SRT", "H264", 640, 360, 1000};
                }
                mem.streams_snapshot(listed, now);
                red.streams_snapshot(listed, now);
                break;
            }
            case 11: {
                const auto& room = rooms[rng() % rooms.size()];
                REQUIRE(mem.moderator_end(room, seat, now) == red.moderator_end(room, seat, now));
                break;
            }
            case 12: {
                const auto& room = rooms[rng() % rooms.size()];
                const auto which = rng() % 4 == 0 ? std::nullopt : std::optional<unsigned>(seat);
                const bool lock = rng() % 3 == 0;  // mostly unlocked: claims must still win
                REQUIRE(mem.set_locked(room, which, lock, now) ==
                        red.set_locked(room, which, lock, now));
                break;
            }
            case 13: {
                std::map<std::string, std::size_t> counts;
                for (const auto& name : streams) {
                    if (rng() % 2 == 0) counts[name] = rng() % 4;
                }
                mem.stream_viewers(counts, now);
                red.stream_viewers(counts, now);
                break;
            }
            default:
                mem.tick(now);
                red.tick(now);
                break;
        }
        const auto& token = tokens[rng() % tokens.size()];
        const auto a = mem.check_admission(stream, token, now);
        const auto b = red.check_admission(stream, token, now);
        REQUIRE(a.allowed == b.allowed);
        REQUIRE(a.reason == b.reason);

        const auto out_a = mem.drain();
        const auto out_b = red.drain();
        events += static_cast<int>(out_a.events.size());
        for (const auto& ev : out_a.events) {
            const auto* sc = std::get_if<seat_changed>(&ev);
            if (sc && sc->seat.state == seat_state::ending) ++endings;
        }
        INFO("memory: " << dump(out_a));
        INFO("redis:  " << dump(out_b));
        REQUIRE(same(out_a, out_b));
        compare_state(mem, red);
    }
    CHECK(events > steps / 4);  // the walk did change things
    CHECK(endings > 0);         // and walked through the ending state
    CHECK(tokens.size() > 10);  // claims were granted (the first entry is garbage)
}

}  // namespace

TEST_CASE("both stores answer a random walk identically (webhook mode)",
          "[unit][room_core][property][redis]")
{
    walk_both(11, ovs::config::admission_mode::webhook, 1500);
    walk_both(12, ovs::config::admission_mode::webhook, 1500);
}

TEST_CASE("both stores answer a random walk identically (open mode)",
          "[unit][room_core][property][redis]")
{
    walk_both(13, ovs::config::admission_mode::open, 1000);
}
