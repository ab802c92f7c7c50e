// What a room restart keeps (space::kept) and puts back (space::restore):
// holds come back with their token's hash only, owned by a connection that
// is gone, so the holder resumes with the same token within the grace.
#include "helpers.hpp"

using namespace ovs::room;
using namespace ovs::room::test;

namespace {

seat_view seat_in_model(const space& sp, const std::string& room, unsigned i)
{
    const auto snap = sp.snapshot(room);
    REQUIRE(snap);
    REQUIRE(i < snap->seats.size());
    return snap->seats[i];
}

space fresh()
{
    return space(two_rooms(), webhook_settings(), counting_tokens());
}

// The model in a "before" state: main 0 live held (RTMP), main 1 reserved,
// main 2 ending and locked, side 0 live unheld.
space before_restart()
{
    auto sp = fresh();
    REQUIRE_FALSE(sp.join(1, "main", t0));
    REQUIRE_FALSE(sp.join(2, "main", t0));
    REQUIRE_FALSE(sp.join(3, "main", t0));
    REQUIRE(std::holds_alternative<claim_granted>(sp.claim(1, 0, t0)));  // tok-1
    REQUIRE(std::holds_alternative<claim_granted>(sp.claim(2, 1, t0)));  // tok-2
    REQUIRE(std::holds_alternative<claim_granted>(sp.claim(3, 2, t0)));  // tok-3
    sp.stream_up("stream0", from("RTMP"), t0 + 1s);
    sp.stream_up("stream2", from("SRT"), t0 + 1s);
    REQUIRE_FALSE(sp.release(3, 2, t0 + 2s));
    REQUIRE_FALSE(sp.set_locked("main", 2u, true, t0 + 2s));
    sp.stream_up("side0", from("RTMP"), t0 + 2s);
    sp.drain();
    return sp;
}

}  // namespace

TEST_CASE("kept seats hold hashes, never tokens", "[unit][room_core]")
{
    const auto k = before_restart().kept();
    REQUIRE(k.seats.size() == 4);
    for (const auto& s : k.seats) {
        INFO(s.room << " " << s.index);
        CHECK(s.token_hash.find("tok-") == std::string::npos);
        if (s.held) CHECK(s.token_hash == token_hash("tok-" + std::to_string(s.index + 1)));
    }
    CHECK(k.seats[0].state == seat_state::live);
    CHECK(k.seats[1].state == seat_state::reserved);
    CHECK(k.seats[1].lease_expires == t0 + 30s);
    CHECK(k.seats[2].state == seat_state::ending);
    CHECK_FALSE(k.seats[2].held);
    CHECK(k.seats[2].locked);
    CHECK(k.seats[3].room == "side");
    CHECK_FALSE(k.seats[3].held);
    CHECK(k.seq.at("main") > 0);
    CHECK(token_hash("tok-1").size() == 64);
}

TEST_CASE("a restored model shows the same seats and lets holders resume with their tokens",
          "[unit][room_core]")
{
    const auto old = before_restart();
    auto sp = fresh();
    const auto now = t0 + 3s;
    sp.restore(old.kept(), now, 15s);
    CHECK(sp.drain().events.empty());  // nothing happened: nothing to tell

    // Viewers see what they saw, holders included (by other ids), same seq.
    for (const auto* room : {"main", "side"}) {
        auto a = *old.snapshot(room);
        auto b = *sp.snapshot(room);
        CHECK(a.seq == b.seq);
        for (std::size_t i = 0; i < a.seats.size(); ++i) {
            INFO(room << " seat " << i);
            CHECK((a.seats[i].holder != 0) == (b.seats[i].holder != 0));
            if (b.seats[i].holder != 0) CHECK(b.seats[i].holder >= restored_holder_base);
            a.seats[i].holder = b.seats[i].holder;
            CHECK(a.seats[i] == b.seats[i]);
        }
    }
    // The publisher of the reserved seat is still admitted with its token,
    // and refused with another.
    CHECK(sp.check_admission("stream1", "tok-2", now).allowed);
    CHECK(sp.check_admission("stream1", "tok-1", now).reason == refusal::bad_token);
    // The ending seat still refuses claims; it is still locked.
    REQUIRE_FALSE(sp.join(7, "main", now));
    CHECK(std::get<refusal>(sp.claim(7, 2, now)) == refusal::seat_locked);

    // The broadcaster's page comes back on a new connection and resumes.
    REQUIRE_FALSE(sp.join(8, "main", now + 1s));
    CHECK(std::get<refusal>(sp.resume(8, 0, "tok-2", now + 1s)) == refusal::bad_token);
    const auto back = sp.resume(8, 0, "tok-1", now + 1s);
    REQUIRE(std::holds_alternative<claim_granted>(back));
    CHECK(std::get<claim_granted>(back).token == "tok-1");
    CHECK(sp.seat_of(8) == 0u);
    CHECK(seat_in_model(sp, "main", 0).state == seat_state::live);
    // It can leave, which ends the stream: a kick, and the seat is ending.
    REQUIRE_FALSE(sp.release(8, 0, now + 2s));
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 1);
    CHECK(out.kicks[0].stream == "stream0");
    CHECK(seat_in_model(sp, "main", 0).state == seat_state::ending);
}

TEST_CASE("a restored hold nobody resumes ends after the grace, kicking its stream",
          "[unit][room_core]")
{
    auto sp = fresh();
    sp.restore(before_restart().kept(), t0 + 3s, 15s);
    CHECK(sp.next_deadline() == t0 + 18s);
    sp.tick(t0 + 17s);
    CHECK(sp.drain().kicks.empty());
    sp.tick(t0 + 18s);
    const auto out = sp.drain();
    REQUIRE(out.kicks.size() == 2);  // main 0 (live) and main 1 (reserved)
    CHECK(out.kicks[0].reason == "holder_gone");
    CHECK(seat_in_model(sp, "main", 0).state == seat_state::ending);
    CHECK(seat_in_model(sp, "main", 1).state == seat_state::free);
}

TEST_CASE("a restored reservation whose lease ran out meanwhile gets the restart's grace",
          "[unit][room_core]")
{
    // The service was down from before main 1's lease end (t0 + 30 s) until
    // t0 + 40 s: nobody could publish or resume meanwhile.
    auto sp = fresh();
    sp.restore(before_restart().kept(), t0 + 40s, 15s);
    CHECK(sp.drain().events.empty());
    CHECK(seat_in_model(sp, "main", 1).state == seat_state::reserved);
    CHECK(sp.check_admission("stream1", "tok-2", t0 + 41s).allowed);
    CHECK(sp.next_deadline() == t0 + 55s);

    SECTION("its holder's page comes back and resumes")
    {
        REQUIRE_FALSE(sp.join(8, "main", t0 + 50s));
        REQUIRE(std::holds_alternative<claim_granted>(sp.resume(8, 1, "tok-2", t0 + 50s)));
        CHECK(sp.seat_of(8) == 1u);
        CHECK(seat_in_model(sp, "main", 1).state == seat_state::reserved);
    }
    SECTION("nobody comes back: it ends with the grace")
    {
        sp.tick(t0 + 54s);
        CHECK(seat_in_model(sp, "main", 1).state == seat_state::reserved);
        sp.tick(t0 + 55s);
        CHECK(seat_in_model(sp, "main", 1).state == seat_state::free);
    }
}

TEST_CASE("restore skips what does not fit the configured rooms", "[unit][room_core]")
{
    kept_rooms k;
    k.seq["gone"] = 7;
    kept_seat bad_room;
    bad_room.room = "gone";
    bad_room.state = seat_state::ending;
    kept_seat bad_index;
    bad_index.room = "main";
    bad_index.index = 9;
    bad_index.state = seat_state::ending;
    kept_seat no_token;  // held without a hash: cannot be resumed, so not held
    no_token.room = "main";
    no_token.index = 1;
    no_token.state = seat_state::reserved;
    no_token.held = true;
    no_token.lease_expires = t0 + 5s;
    k.seats = {bad_room, bad_index, no_token};
    auto sp = fresh();
    sp.restore(k, t0, 5s);
    CHECK(sp.seats_in_state(seat_state::free) == 5);
    CHECK_FALSE(sp.next_deadline());
}
