// Claim, release and resume: every transition and every refusal.
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

TEST_CASE("a new space has free seats named after the prefix", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    CHECK(sp.room_ids() == std::vector<std::string>{"main", "side"});
    const auto snap = sp.snapshot("main");
    REQUIRE(snap);
    CHECK(snap->title == "Main stage");
    CHECK(snap->seq == 0);
    CHECK(snap->viewers == 0);
    REQUIRE(snap->seats.size() == 3);
    for (unsigned i = 0; i < 3; ++i) {
        CHECK(snap->seats[i].index == i);
        CHECK(snap->seats[i].stream == "stream" + std::to_string(i));
        CHECK(snap->seats[i].state == seat_state::free);
        CHECK(snap->seats[i].holder == 0);
    }
    CHECK(seat_in(sp, "side", 1).stream == "side1");
    CHECK_FALSE(sp.snapshot("nope"));
    CHECK(sp.seats_in_state(seat_state::free) == 5);
    CHECK_FALSE(sp.next_deadline());
    CHECK(sp.drain().events.empty());
}

TEST_CASE("the constructor rejects duplicate rooms and streams", "[unit][room_core]")
{
    using ovs::config::room_def;
    const std::vector<room_def> same_id{{"a", "A", 2, "s"}, {"a", "B", 2, "t"}};
    const std::vector<room_def> same_stream{{"a", "A", 2, "s"}, {"b", "B", 2, "s"}};
    const std::vector<room_def> one{{"a", "A", 2, "s"}};
    CHECK_THROWS_AS(space(same_id, webhook_settings(), counting_tokens()), std::invalid_argument);
    CHECK_THROWS_AS(space(same_stream, webhook_settings(), counting_tokens()),
                    std::invalid_argument);
    CHECK_THROWS_AS(space(one, webhook_settings(), token_source{}), std::invalid_argument);
}

TEST_CASE("join refusals and membership", "[unit][room_core]")
{
    auto s = webhook_settings();
    s.max_viewers_per_room = 2;
    auto sp = make_space(ANY_STORE, s);
    CHECK(sp.join(1, "nope", t0) == refusal::unknown_room);
    CHECK(sp.join(0, "main", t0) == refusal::not_joined);
    CHECK_FALSE(sp.join(1, "main", t0));
    CHECK_FALSE(sp.join(1, "main", t0));  // again: no-op
    CHECK_FALSE(sp.join(2, "main", t0));
    CHECK(sp.join(3, "main", t0) == refusal::room_full);
    CHECK_FALSE(sp.room_of(3));
    CHECK(sp.snapshot("main")->viewers == 2);
    CHECK(sp.room_of(1) == "main");
    // A full room is per room.
    CHECK_FALSE(sp.join(3, "side", t0));
    // Moving to another room frees a place in the first.
    CHECK_FALSE(sp.join(1, "side", t0));
    CHECK(sp.room_of(1) == "side");
    CHECK(sp.snapshot("main")->viewers == 1);
    CHECK(sp.snapshot("side")->viewers == 2);
    sp.leave(1, t0);
    sp.leave(1, t0);   // twice: harmless
    sp.leave(99, t0);  // never joined: harmless
    CHECK_FALSE(sp.room_of(1));
    CHECK(sp.snapshot("side")->viewers == 1);
}

TEST_CASE("claim reserves a free seat with a token and a lease", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    sp.drain();
    const auto g = must_claim(sp, 1, 2, t0);
    CHECK(g.seat == 2);
    CHECK(g.stream == "stream2");
    CHECK(g.token == "tok-1");
    CHECK(g.lease_expires == t0 + 30s);
    const auto v = seat_in(sp, "main", 2);
    CHECK(v.state == seat_state::reserved);
    CHECK(v.holder == 1);
    CHECK(v.lease_expires == t0 + 30s);
    CHECK_FALSE(v.info);
    CHECK(sp.seat_of(1) == 2u);
    CHECK(sp.seats_in_state(seat_state::reserved) == 1);
    const auto out = sp.drain();
    const auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].room == "main");
    CHECK(ev[0].seq == 1);
    CHECK(ev[0].seat == v);
    CHECK(out.kicks.empty());
    sp.tick(t0);  // publishes the viewer count, which was due too
    CHECK(sp.next_deadline() == t0 + 30s);
}

TEST_CASE("claim refusals change nothing", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.drain();
    const auto before = sp.snapshot("main");

    CHECK(must_refuse(sp.claim(7, 0, t0)) == refusal::not_joined);
    CHECK(must_refuse(sp.claim(2, 3, t0)) == refusal::bad_seat);
    CHECK(must_refuse(sp.claim(2, 4000000000u, t0)) == refusal::bad_seat);
    CHECK(must_refuse(sp.claim(1, 1, t0)) == refusal::already_holding);
    CHECK(must_refuse(sp.claim(1, 0, t0)) == refusal::already_holding);
    CHECK(must_refuse(sp.claim(2, 0, t0)) == refusal::seat_taken);
    sp.stream_up("stream1", from("RTMP"), t0);  // live unheld
    sp.drain();
    CHECK(must_refuse(sp.claim(2, 1, t0)) == refusal::seat_taken);

    CHECK(sp.drain().events.empty());
    CHECK(sp.snapshot("main")->seats[0] == before->seats[0]);
    CHECK(sp.seat_of(2) == std::nullopt);
}

TEST_CASE("a seat index is relative to the connection's room", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "side", t0));
    CHECK(must_refuse(sp.claim(1, 2, t0)) == refusal::bad_seat);  // side has 2 seats
    const auto g = must_claim(sp, 1, 1, t0);
    CHECK(g.stream == "side1");
    CHECK(seat_in(sp, "main", 1).state == seat_state::free);
}

TEST_CASE("one winner among many claims of one seat", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    constexpr conn_id n = 50;
    for (conn_id c = 1; c <= n; ++c) {
        REQUIRE_FALSE(sp.join(c, "main", t0));
    }
    sp.drain();

    SECTION("in sequence")
    {
        int winners = 0;
        for (conn_id c = 1; c <= n; ++c) {
            const auto r = sp.claim(c, 1, t0 + std::chrono::milliseconds(c));
            if (std::holds_alternative<claim_granted>(r)) {
                ++winners;
                CHECK(c == 1);
            } else {
                CHECK(std::get<refusal>(r) == refusal::seat_taken);
            }
        }
        CHECK(winners == 1);
        CHECK(seat_in(sp, "main", 1).holder == 1);
    }
    SECTION("interleaved with other seats, releases and re-claims")
    {
        // Everyone tries seat 0, then seat 1, alternating; then the winner of
        // seat 0 releases and everyone tries again.
        std::vector<conn_id> winners0;
        std::vector<conn_id> winners1;
        for (conn_id c = 1; c <= n; ++c) {
            const auto seat = static_cast<unsigned>(c % 2);
            const auto r = sp.claim(c, seat, t0);
            if (std::holds_alternative<claim_granted>(r)) {
                (seat == 0 ? winners0 : winners1).push_back(c);
            }
        }
        REQUIRE(winners0.size() == 1);
        REQUIRE(winners1.size() == 1);
        CHECK(winners0[0] != winners1[0]);
        REQUIRE_FALSE(sp.release(winners0[0], 0, t0));
        std::vector<conn_id> again;
        for (conn_id c = n; c >= 1; --c) {
            if (std::holds_alternative<claim_granted>(sp.claim(c, 0, t0))) {
                again.push_back(c);
            }
        }
        REQUIRE(again.size() == 1);
        CHECK(again[0] != winners1[0]);  // the holder of seat 1 is already_holding
        const auto ev = seat_events(sp.drain());
        CHECK(ev.size() == 4);  // claim, claim, release, claim
    }
}

TEST_CASE("release frees a reserved seat and kicks its stream", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);
    sp.drain();

    CHECK(sp.release(2, 0, t0) == refusal::not_holder);
    CHECK(sp.release(2, 1, t0) == refusal::not_holder);  // a free seat
    CHECK(sp.release(1, 9, t0) == refusal::bad_seat);
    CHECK(sp.release(8, 0, t0) == refusal::not_joined);
    CHECK(sp.drain().events.empty());

    CHECK_FALSE(sp.release(1, 0, t0 + 1s));
    const auto out = sp.drain();
    const auto ev = seat_events(out);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.state == seat_state::free);
    CHECK(ev[0].seat.holder == 0);
    CHECK_FALSE(ev[0].seat.lease_expires);
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream0");
    CHECK(out.kicks[0].reason == "released");
    CHECK_FALSE(sp.seat_of(1));
    // The old token admits nothing any more.
    CHECK(sp.check_admission("stream0", g.token, t0 + 1s).reason == refusal::no_claim);
    // And the connection may claim again.
    must_claim(sp, 1, 0, t0 + 2s);
    CHECK_FALSE(sp.next_deadline() == std::nullopt);
}

TEST_CASE("release of a live held seat kicks it, ending until the stream is gone",
          "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 1, t0);
    sp.stream_up("stream1", {"WebRTC", "H264", 1280, 720, 2500000}, t0 + 1s);
    REQUIRE(seat_in(sp, "main", 1).state == seat_state::live);
    sp.drain();
    CHECK_FALSE(sp.release(1, 1, t0 + 2s));
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream1");
    CHECK(out.kicks[0].reason == "released");
    const auto v = seat_in(sp, "main", 1);
    CHECK(v.state == seat_state::ending);
    CHECK_FALSE(v.info);
    // The stream going down afterwards frees it; once.
    sp.stream_down("stream1", t0 + 3s);
    CHECK(seat_events(sp.drain()).size() == 1);
    CHECK(seat_in(sp, "main", 1).state == seat_state::free);
    sp.stream_down("stream1", t0 + 4s);
    CHECK(sp.drain().events.empty());
}

TEST_CASE("resume moves the hold to a new connection", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);
    sp.leave(1, t0 + 1s);
    sp.drain();
    // Holder gone, grace running: the view does not change.
    CHECK(seat_in(sp, "main", 0).holder == 1);
    CHECK(sp.next_deadline() == t0 + 6s);

    REQUIRE_FALSE(sp.join(2, "main", t0 + 2s));
    REQUIRE_FALSE(sp.join(3, "main", t0 + 2s));
    CHECK(must_refuse(sp.resume(9, 0, g.token, t0 + 2s)) == refusal::not_joined);
    CHECK(must_refuse(sp.resume(2, 7, g.token, t0 + 2s)) == refusal::bad_seat);
    CHECK(must_refuse(sp.resume(2, 0, "tok-x", t0 + 2s)) == refusal::bad_token);
    CHECK(must_refuse(sp.resume(2, 0, "", t0 + 2s)) == refusal::bad_token);
    CHECK(must_refuse(sp.resume(2, 1, g.token, t0 + 2s)) == refusal::bad_token);  // free seat
    sp.drain();

    auto r = sp.resume(2, 0, g.token, t0 + 3s);
    REQUIRE(std::holds_alternative<claim_granted>(r));
    const auto& rg = std::get<claim_granted>(r);
    CHECK(rg.token == g.token);
    CHECK(rg.stream == "stream0");
    CHECK(rg.lease_expires == t0 + 33s);  // a fresh lease for the new page
    const auto ev = seat_events(sp.drain());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].seat.holder == 2);
    CHECK(sp.seat_of(2) == 0u);
    CHECK_FALSE(sp.seat_of(1));
    // The grace is over: nothing frees the seat at t0 + 6s.
    sp.tick(t0 + 10s);
    CHECK(seat_in(sp, "main", 0).holder == 2);
    CHECK(sp.next_deadline() == t0 + 33s);

    // Resuming one's own seat again is harmless; a holder of another seat
    // cannot resume this one.
    CHECK(std::holds_alternative<claim_granted>(sp.resume(2, 0, g.token, t0 + 11s)));
    must_claim(sp, 3, 1, t0 + 11s);
    CHECK(must_refuse(sp.resume(3, 0, g.token, t0 + 11s)) == refusal::already_holding);
}

TEST_CASE("resume takes a seat even from a connected holder", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    const auto g = must_claim(sp, 1, 2, t0);
    sp.stream_up("stream2", from("WHIP"), t0);
    sp.drain();
    auto r = sp.resume(2, 2, g.token, t0 + 1s);
    REQUIRE(std::holds_alternative<claim_granted>(r));
    CHECK(std::get<claim_granted>(r).lease_expires == t0 + 31s);
    const auto v = seat_in(sp, "main", 2);
    CHECK(v.state == seat_state::live);
    CHECK(v.holder == 2);
    CHECK(sp.release(1, 2, t0 + 1s) == refusal::not_holder);
    CHECK_FALSE(sp.seat_of(1));
    must_claim(sp, 1, 0, t0 + 1s);  // the old connection is free to hold another
}

TEST_CASE("resume after the grace is too late", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    const auto g = must_claim(sp, 1, 0, t0);
    sp.leave(1, t0);
    REQUIRE_FALSE(sp.join(2, "main", t0 + 5s));  // exactly at the grace end
    CHECK(must_refuse(sp.resume(2, 0, g.token, t0 + 5s)) == refusal::bad_token);
    CHECK(seat_in(sp, "main", 0).state == seat_state::free);
}

TEST_CASE("a connection id back in its room keeps its seat", "[unit][room_core]")
{
    auto sp = make_space(ANY_STORE);
    REQUIRE_FALSE(sp.join(1, "main", t0));
    must_claim(sp, 1, 0, t0);
    sp.leave(1, t0);
    REQUIRE_FALSE(sp.join(1, "main", t0 + 1s));
    sp.tick(t0 + 10s);
    CHECK(seat_in(sp, "main", 0).holder == 1);
    // Moving to another room gives the seat up at once.
    sp.drain();
    REQUIRE_FALSE(sp.join(1, "side", t0 + 11s));
    CHECK(seat_in(sp, "main", 0).state == seat_state::free);
    CHECK_FALSE(sp.seat_of(1));
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].reason == "holder_gone");
}

TEST_CASE("a throwing token source leaves the seat free", "[unit][room_core]")
{
    int calls = 0;
    test_space sp(ANY_STORE, two_rooms(), webhook_settings(), [&calls]() -> std::string {
        if (++calls == 1) {
            throw std::runtime_error("no entropy");
        }
        return calls == 2 ? "" : "ok-token";
    });
    REQUIRE_FALSE(sp.join(1, "main", t0));
    sp.drain();
    CHECK_THROWS_AS(sp.claim(1, 0, t0), std::runtime_error);
    CHECK_THROWS_AS(sp.claim(1, 0, t0), std::runtime_error);  // empty token
    CHECK(seat_in(sp, "main", 0).state == seat_state::free);
    CHECK_FALSE(sp.seat_of(1));
    CHECK(sp.drain().events.empty());
    CHECK(must_claim(sp, 1, 0, t0).token == "ok-token");
}

TEST_CASE("refusal and state names are stable wire strings", "[unit][room_core]")
{
    CHECK(std::string(to_string(refusal::unknown_room)) == "unknown_room");
    CHECK(std::string(to_string(refusal::room_full)) == "room_full");
    CHECK(std::string(to_string(refusal::not_joined)) == "not_joined");
    CHECK(std::string(to_string(refusal::bad_seat)) == "bad_seat");
    CHECK(std::string(to_string(refusal::seat_taken)) == "seat_taken");
    CHECK(std::string(to_string(refusal::already_holding)) == "already_holding");
    CHECK(std::string(to_string(refusal::not_holder)) == "not_holder");
    CHECK(std::string(to_string(refusal::bad_token)) == "bad_token");
    CHECK(std::string(to_string(refusal::unknown_stream)) == "unknown_stream");
    CHECK(std::string(to_string(refusal::no_claim)) == "no_claim");
    CHECK(std::string(to_string(refusal::already_live)) == "already_live");
    CHECK(std::string(to_string(refusal::store_unavailable)) == "store_unavailable");
    CHECK(std::string(to_string(seat_state::free)) == "free");
    CHECK(std::string(to_string(seat_state::reserved)) == "reserved");
    CHECK(std::string(to_string(seat_state::live)) == "live");
}
