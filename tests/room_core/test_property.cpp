// A seeded random walk over commands, stream events, admissions and ticks,
// checking the model's invariants after every step. Deterministic: fixed
// seeds, a fixed number of steps.
#include "helpers.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace ovs::room;
using namespace ovs::room::test;

namespace {

constexpr conn_id max_conn = 12;
const std::vector<std::string> room_names{"main", "side", "nope"};
const std::vector<std::string> stream_names{
    "stream0", "stream1", "stream2", "side0", "side1", "stranger"};
const std::set<std::string> kick_reasons{"released", "lease_expired", "holder_gone"};

settings walk_settings(ovs::config::admission_mode mode)
{
    settings s;
    s.mode = mode;
    s.lease = 10s;
    s.disconnect_grace = 3s;
    s.presence_interval = 250ms;
    s.max_viewers_per_room = 8;  // < max_conn: room_full happens
    return s;
}

seat_view free_view(const std::string& room, unsigned i)
{
    seat_view v;
    v.index = i;
    v.stream = (room == "main" ? "stream" : "side") + std::to_string(i);
    return v;
}

// What the walk knows from the outside: membership it asked for and the
// events it received.
struct observer {
    std::map<conn_id, std::string> member;
    std::map<std::string, std::uint64_t> last_seq{{"main", 0}, {"side", 0}};
    std::map<std::string, std::map<unsigned, seat_view>> latest;
    std::map<std::string, std::optional<time_point>> last_viewers_at;
    std::map<std::string, std::size_t> last_viewers_sent{{"main", 0}, {"side", 0}};
    std::map<std::pair<std::string, unsigned>, std::string> granted_token;
    std::set<std::string> all_tokens;
    std::set<std::string> kicks_seen;  // reasons, to show the walk got there
};

void check_outputs(observer& ob, outputs out, time_point now, const settings& s)
{
    for (const auto& e : out.events) {
        if (const auto* sc = std::get_if<seat_changed>(&e)) {
            REQUIRE(ob.last_seq.count(sc->room) == 1);
            REQUIRE(sc->seq == ob.last_seq[sc->room] + 1);
            ob.last_seq[sc->room] = sc->seq;
            auto& prev = ob.latest[sc->room];
            const auto it = prev.find(sc->seat.index);
            const seat_view before =
                it == prev.end() ? free_view(sc->room, sc->seat.index) : it->second;
            REQUIRE(before != sc->seat);  // an event means a change
            prev[sc->seat.index] = sc->seat;
        } else {
            const auto& vc = std::get<viewers_changed>(e);
            REQUIRE(vc.seq == ob.last_seq[vc.room] + 1);
            ob.last_seq[vc.room] = vc.seq;
            REQUIRE(vc.viewers != ob.last_viewers_sent[vc.room]);
            if (const auto last = ob.last_viewers_at[vc.room]) {
                REQUIRE(now - *last >= s.presence_interval);
            }
            ob.last_viewers_at[vc.room] = now;
            ob.last_viewers_sent[vc.room] = vc.viewers;
        }
    }
    for (const auto& k : out.kicks) {
        REQUIRE(kick_reasons.count(k.reason) == 1);
        ob.kicks_seen.insert(k.reason);
        REQUIRE(std::find(stream_names.begin(), stream_names.end() - 1, k.stream) !=
                stream_names.end() - 1);
    }
}

void check_state(const test_space& sp, const observer& ob)
{
    std::map<conn_id, int> holds;
    std::map<conn_id, unsigned> held_index;
    for (const auto& room : {std::string("main"), std::string("side")}) {
        const auto snap = sp.snapshot(room);
        REQUIRE(snap);
        REQUIRE(snap->seq == ob.last_seq.at(room));
        std::size_t members = 0;
        for (const auto& [c, r] : ob.member) {
            members += r == room ? 1 : 0;
        }
        REQUIRE(snap->viewers == members);
        const auto lat = ob.latest.find(room);
        for (const auto& v : snap->seats) {
            // The snapshot is what the events said, seat by seat.
            seat_view expected = free_view(room, v.index);
            if (lat != ob.latest.end()) {
                if (const auto it = lat->second.find(v.index); it != lat->second.end()) {
                    expected = it->second;
                }
            }
            REQUIRE(v == expected);
            switch (v.state) {
                case seat_state::free:
                    REQUIRE(v.holder == 0);
                    REQUIRE_FALSE(v.lease_expires);
                    REQUIRE_FALSE(v.info);
                    break;
                case seat_state::reserved:
                    REQUIRE(v.holder != 0);
                    REQUIRE(v.lease_expires);
                    REQUIRE_FALSE(v.info);
                    break;
                case seat_state::starting:
                case seat_state::live:
                case seat_state::failed:
                    REQUIRE(v.info);
                    REQUIRE(v.state == on_air_state(v.info->outputs));
                    REQUIRE_FALSE(v.lease_expires);
                    break;
                case seat_state::ending:
                    REQUIRE(v.holder == 0);  // released: nobody holds it
                    REQUIRE_FALSE(v.lease_expires);
                    REQUIRE_FALSE(v.info);
                    break;
            }
            if (v.holder != 0) {
                ++holds[v.holder];
                held_index[v.holder] = v.index;
            }
        }
    }
    for (conn_id c = 1; c <= max_conn; ++c) {
        REQUIRE(holds[c] <= 1);  // a connection holds at most one seat
        const auto mine = sp.seat_of(c);
        if (holds[c] == 1) {
            REQUIRE(mine == held_index[c]);
        } else {
            REQUIRE_FALSE(mine);
        }
        const auto it = ob.member.find(c);
        REQUIRE(sp.room_of(c) ==
                (it == ob.member.end() ? std::nullopt : std::optional<std::string>(it->second)));
    }
}

stream_info random_info(std::mt19937_64& rng)
{
    static const std::vector<std::string> sources{"WebRTC", "RTMP", "SRT", "WHIP"};
    stream_info i;
    i.source = sources[rng() % sources.size()];
    if (rng() % 2 == 0) {
        i.video_codec = "H264";
        i.width = 1280;
        i.height = 720;
    }
    static const stream_outputs outputs[] = {
        stream_outputs::ready, stream_outputs::starting, stream_outputs::failed};
    i.outputs = outputs[rng() % 3];
    return i;
}

void walk(std::uint64_t seed, ovs::config::admission_mode mode, int steps, store_kind kind)
{
    std::mt19937_64 rng(seed);
    const auto s = walk_settings(mode);
    test_space sp(kind, two_rooms(), s, counting_tokens());
    observer ob;
    time_point now = t0;
    std::size_t claims_granted = 0;
    std::size_t lives = 0;
    std::size_t resumes_granted = 0;

    for (int step = 0; step < steps; ++step) {
        INFO("seed " << seed << " step " << step);
        // Time moves on by 0 .. 1.5 s; often not at all.
        if (rng() % 3 != 0) {
            now += std::chrono::milliseconds(rng() % 1500);
        }
        const conn_id c = 1 + rng() % max_conn;
        const auto seat = static_cast<unsigned>(rng() % 4);  // 3 and up: bad in "side"
        const auto& stream = stream_names[rng() % stream_names.size()];
        const auto before_room = ob.member.count(c) ? ob.member[c] : std::string();

        switch (rng() % 11) {
            case 0:
            case 1: {
                const auto& room = room_names[rng() % room_names.size()];
                const auto r = sp.join(c, room, now);
                if (!r) {
                    REQUIRE(room != "nope");
                    ob.member[c] = room;
                } else {
                    REQUIRE((*r == refusal::unknown_room || *r == refusal::room_full));
                }
                break;
            }
            case 2:
                sp.leave(c, now);
                ob.member.erase(c);
                break;
            case 3:
            case 4: {
                const auto r = sp.claim(c, seat, now);
                if (const auto* g = std::get_if<claim_granted>(&r)) {
                    ++claims_granted;
                    REQUIRE(!before_room.empty());
                    REQUIRE(g->seat == seat);
                    REQUIRE(g->lease_expires == now + s.lease);
                    REQUIRE(ob.all_tokens.insert(g->token).second);  // fresh every time
                    ob.granted_token[{before_room, seat}] = g->token;
                    const auto v = sp.snapshot(before_room)->seats[seat];
                    REQUIRE(v.state == seat_state::reserved);
                    REQUIRE(v.holder == c);
                } else if (std::get<refusal>(r) == refusal::seat_taken) {
                    REQUIRE(sp.snapshot(before_room)->seats[seat].state != seat_state::free);
                } else if (std::get<refusal>(r) == refusal::seat_ending) {
                    REQUIRE(sp.snapshot(before_room)->seats[seat].state == seat_state::ending);
                }
                break;
            }
            case 5: {
                const auto r = sp.release(c, seat, now);
                if (!r) {
                    const auto st = sp.snapshot(before_room)->seats[seat].state;
                    REQUIRE((st == seat_state::free || st == seat_state::ending));
                }
                break;
            }
            case 6: {
                // Mostly the seat's latest token, else an older one or garbage.
                std::string token = "garbage";
                const auto latest = ob.granted_token.find({before_room, seat});
                if (latest != ob.granted_token.end() && rng() % 4 != 0) {
                    token = latest->second;
                } else if (!ob.all_tokens.empty() && rng() % 2 == 0) {
                    auto it = ob.all_tokens.begin();
                    std::advance(it, static_cast<long>(rng() % ob.all_tokens.size()));
                    token = *it;
                }
                const auto r = sp.resume(c, seat, token, now);
                if (const auto* g = std::get_if<claim_granted>(&r)) {
                    ++resumes_granted;
                    REQUIRE(g->token == token);
                    REQUIRE(ob.granted_token[{before_room, seat}] == token);
                    REQUIRE(sp.snapshot(before_room)->seats[seat].holder == c);
                }
                break;
            }
            case 7:
                sp.stream_up(stream, random_info(rng), now);
                break;
            case 8:
                sp.stream_down(stream, now);
                break;
            case 9: {
                std::map<std::string, stream_info> listed;
                for (const auto& name : stream_names) {
                    if (rng() % 2 == 0) {
                        listed[name] = random_info(rng);
                    }
                }
                sp.streams_snapshot(listed, now);
                break;
            }
            default: {
                sp.tick(now);
                check_outputs(ob, sp.drain(), now, s);
                if (const auto next = sp.next_deadline()) {
                    REQUIRE(*next > now);
                }
                break;
            }
        }

        // Admission never changes anything, and in webhook mode admits only
        // the token last granted for a reserved seat.
        {
            std::string token = "garbage";
            if (!ob.all_tokens.empty() && rng() % 2 == 0) {
                token = *ob.all_tokens.rbegin();
            }
            const auto a = sp.check_admission(stream, token, now);
            REQUIRE(a.allowed == !a.reason.has_value());
            if (stream == "stranger") {
                REQUIRE(a.reason == refusal::unknown_stream);
            } else if (mode == ovs::config::admission_mode::open) {
                REQUIRE(a.allowed);
            } else if (a.allowed) {
                const std::string room = stream.rfind("side", 0) == 0 ? "side" : "main";
                const auto idx = static_cast<unsigned>(stream.back() - '0');
                REQUIRE(ob.granted_token[{room, idx}] == token);
                REQUIRE(sp.snapshot(room)->seats[idx].state == seat_state::reserved);
            }
        }

        check_outputs(ob, sp.drain(), now, s);
        check_state(sp, ob);
        lives += sp.seats_in_state(seat_state::live);
    }
    // The walk did reach the interesting states.
    CHECK(claims_granted > 50);
    CHECK(lives > 0);
    CHECK(resumes_granted > 0);
    CHECK(ob.kicks_seen == kick_reasons);
}

}  // namespace

TEST_CASE("random walk keeps the invariants (webhook mode)", "[unit][room_core][property]")
{
    // Through Redis every step is a round trip: one seed there (the
    // side-by-side walk of test_both_stores.cpp covers the rest).
    const auto kind = ANY_STORE;
    const bool memory = kind == store_kind::memory;
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        if (!memory && seed > 1) break;
        walk(seed, ovs::config::admission_mode::webhook, 4000, kind);
    }
}

TEST_CASE("random walk keeps the invariants (open mode)", "[unit][room_core][property]")
{
    const auto kind = ANY_STORE;
    walk(42, ovs::config::admission_mode::open, 4000, kind);
}
