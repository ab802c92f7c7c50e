// The chaos test's judge on scripted events: each invariant caught when it
// is broken, and left alone when the events are what a healthy system does.

#include "invariants.hpp"

#include <catch2/catch.hpp>

using namespace ovs::chaos;

namespace {

std::vector<seat_state> seats(std::initializer_list<const char*> states)
{
    std::vector<seat_state> out;
    unsigned i = 0;
    for (const char* s : states) out.push_back({i++, s});
    return out;
}

std::vector<invariant> kinds(const std::vector<violation>& found)
{
    std::vector<invariant> out;
    for (const auto& v : found) out.push_back(v.which);
    return out;
}

}  // namespace

TEST_CASE("a seat held by two actors at a check is a violation, one after the other is not",
          "[unit][chaos]")
{
    checker c(2);
    c.hold_gained(1, 0, 10);
    c.hold_lost(1, 0, 20);
    c.hold_gained(2, 0, 30);
    CHECK(c.check(40).empty());
    c.hold_gained(3, 0, 50);
    CHECK(kinds(c.check(60)) == std::vector{invariant::seat_held_twice});
    // The same episode is reported once.
    CHECK(c.check(70).empty());
    CHECK(c.checks_made() == 18);
}

TEST_CASE("a free seat whose stream OME keeps listing is a violation after the bound",
          "[unit][chaos]")
{
    checker c(2, checker_bounds{3000, 3000, 250});
    c.whole(true, 0);
    c.snapshot(1, 100, 5, seats({"free", "free"}));
    c.ome_streams(200, {{"stream0", 7}});
    CHECK(c.check(3000).empty());  // 2.8 s: within the bound
    c.ome_streams(3400, {{"stream0", 7}});
    // Both the viewer's view and the holders (none) say the seat is free.
    const auto found = c.check(3500);
    REQUIRE(kinds(found) ==
            std::vector{invariant::free_seat_with_stream, invariant::free_seat_with_stream});
    CHECK(found[0].detail.find("stream0") != std::string::npos);
    CHECK(found[1].detail.find("viewer 1") != std::string::npos);
    // Reported once per episode.
    c.ome_streams(5000, {{"stream0", 7}});
    CHECK(c.check(5000).empty());
}

TEST_CASE("the bound runs from when the system is whole again", "[unit][chaos]")
{
    checker c(1);
    c.whole(true, 0);
    c.snapshot(1, 100, 5, seats({"free"}));
    c.whole(false, 500);  // OME's API hangs: the kick cannot go through
    c.ome_streams(600, {{"stream0", 7}});
    c.ome_streams(9000, {{"stream0", 7}});
    CHECK(c.check(9000).empty());
    c.whole(true, 9000);
    c.ome_streams(11000, {{"stream0", 7}});
    CHECK(c.check(11000).empty());
    c.ome_streams(12100, {{"stream0", 7}});
    CHECK(kinds(c.check(12100)) ==
          std::vector{invariant::free_seat_with_stream, invariant::free_seat_with_stream});
}

TEST_CASE("a broadcasting seat without a stream is a violation after the bound", "[unit][chaos]")
{
    checker c(2);
    c.whole(true, 0);
    c.ome_streams(50, {{"stream1", 3}});
    c.snapshot(1, 100, 5, seats({"free", "live"}));
    c.ome_streams(200, {});
    c.ome_streams(3000, {});
    CHECK(c.check(3000).empty());
    c.ome_streams(3300, {});
    CHECK(kinds(c.check(3300)) == std::vector{invariant::broadcasting_seat_without_stream});
    // A closed viewer's view is not judged.
    checker d(2);
    d.whole(true, 0);
    d.snapshot(1, 100, 5, seats({"free", "starting"}));
    d.viewer_closed(1, 150);
    d.ome_streams(5000, {});
    CHECK(d.check(5000).empty());
}

TEST_CASE("a seq gap needs a snapshot after it", "[unit][chaos]")
{
    checker c(1);
    c.snapshot(1, 0, 10, seats({"free"}));
    c.seat_delta(1, 10, 11, {0, "reserved"});
    c.other_delta(1, 20, 12);
    CHECK(c.check(30).empty());
    c.other_delta(1, 40, 14);    // 13 is missing
    CHECK(c.check(50).empty());  // the resync may still come
    c.snapshot(1, 60, 20, seats({"reserved"}));
    CHECK(c.check(5000).empty());

    c.other_delta(1, 5100, 20);  // a step back
    CHECK(kinds(c.check(9000)) == std::vector{invariant::seq_gap_without_resync});

    checker d(1);
    d.snapshot(1, 0, 10, seats({"free"}));
    d.other_delta(1, 10, 12);
    CHECK(kinds(d.check(20, true)) == std::vector{invariant::seq_gap_without_resync});
}

TEST_CASE("a live seat that goes down and up needs a stream change in between", "[unit][chaos]")
{
    checker c(2);
    c.snapshot(1, 0, 1, seats({"live", "free"}));
    c.seat_delta(1, 100, 2, {0, "reserved"});
    c.seat_delta(1, 200, 3, {0, "live"});
    const auto found = c.check(1000);
    REQUIRE(kinds(found) == std::vector{invariant::live_seat_blinked});
    CHECK(found[0].detail.find("reserved") != std::string::npos);

    // Across a reconnect too: the new snapshot shows it down.
    checker r(1);
    r.snapshot(1, 0, 1, seats({"live"}));
    r.viewer_closed(1, 50);
    r.snapshot(1, 100, 1, seats({"free"}));
    r.seat_delta(1, 150, 2, {0, "live"});
    CHECK(kinds(r.check(1000)) == std::vector{invariant::live_seat_blinked});

    // An encoder that stopped and started again is a real change.
    checker d(2);
    d.snapshot(1, 0, 1, seats({"live", "free"}));
    d.stream_changed("stream0", 90);
    d.seat_delta(1, 100, 2, {0, "reserved"});
    d.stream_changed("stream0", 150);
    d.seat_delta(1, 200, 3, {0, "starting"});
    d.seat_delta(1, 210, 4, {0, "live"});
    CHECK(d.check(1000).empty());

    // The publish that made it live long before does not explain a later blink.
    checker e(1);
    e.stream_changed("stream0", 5);
    e.snapshot(1, 10, 1, seats({"live"}));
    e.seat_delta(1, 5000, 2, {0, "free"});
    e.seat_delta(1, 5100, 3, {0, "live"});
    CHECK(e.check(5200).empty());  // judged once the slack has passed
    CHECK(kinds(e.check(6000)) == std::vector{invariant::live_seat_blinked});
}

TEST_CASE("a blink is judged from when its live frame was sent, not read", "[unit][chaos]")
{
    // The driver read at 100, then blocked in control calls (a publish, an
    // encoder stop, a publish again) until 1000: the frames of all that wait
    // in the kernel and are read together at 1000.
    auto late_reads = [](millis_t first, millis_t stop, millis_t again) {
        checker c(1);
        c.snapshot(1, 50, 1, seats({"free"}));
        c.frames_sent_after(1, 100);
        c.stream_changed("stream0", first);
        c.stream_changed("stream0", stop);
        c.stream_changed("stream0", again);
        c.seat_delta(1, 1000, 2, {0, "live"});
        c.seat_delta(1, 1000, 3, {0, "reserved"});
        c.seat_delta(1, 1000, 4, {0, "starting"});
        c.frames_sent_after(1, 1000);
        c.seat_delta(1, 1100, 5, {0, "live"});
        return c.check(2000, true);
    };
    CHECK(late_reads(120, 300, 600).empty());
    // Changes that all came before the earlier read explain nothing.
    CHECK(kinds(late_reads(20, 40, 60)) == std::vector{invariant::live_seat_blinked});
}

TEST_CASE("a refused resume of a broadcasting seat is a violation", "[unit][chaos]")
{
    checker c(3);
    c.resume_refused(4, 2, "bad_token", 100);
    const auto found = c.check(200);
    REQUIRE(kinds(found) == std::vector{invariant::hold_lost_on_restart});
    CHECK(found[0].detail.find("bad_token") != std::string::npos);
    CHECK(c.all_violations().size() == 1);
}

TEST_CASE("a stream on a seat nobody holds is a violation after the bound, whatever viewers see",
          "[unit][chaos]")
{
    checker c(2);
    c.whole(true, 0);
    c.hold_gained(1, 0, 100);
    c.ome_streams(200, {{"stream0", 9}});
    c.ome_streams(5000, {{"stream0", 9}});
    CHECK(c.check(5000).empty());  // held: the holder's stream
    // A dropped holder owes a resume: its token still holds the seat.
    c.hold_suspended(1, 0, 5100);
    c.ome_streams(9000, {{"stream0", 9}});
    CHECK(c.check(9000).empty());
    // Its resume was refused, or it left: the stream must go.
    c.hold_lost(1, 0, 9100);
    c.ome_streams(12000, {{"stream0", 9}});
    CHECK(c.check(12000).empty());
    c.ome_streams(12200, {{"stream0", 9}});
    const auto found = c.check(12200);
    REQUIRE(kinds(found) == std::vector{invariant::free_seat_with_stream});
    CHECK(found[0].detail.find("held by nobody") != std::string::npos);
    // Kicked once OME answers: nothing more.
    c.ome_streams(12300, {});
    CHECK(c.check(20000).empty());
}
