// The stream book: one view of each stream (OME's list, admitted publishers,
// kicks owed, what the room was told) and the room events it decides.
#include <ovs/gateway/stream_book.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using namespace std::chrono_literals;

namespace {

const stream_book::time_point t0{};
constexpr auto grace = 3s;

stream_book make_book()
{
    return stream_book(grace, 100ms, 1000ms);
}

ovs::proto::stream_info info(const std::string& name, const std::string& source)
{
    ovs::proto::stream_info i;
    i.name = name;
    i.source = source;
    return i;
}

stream_book::list_context at(stream_book::time_point asked, stream_book::time_point now)
{
    return {asked, now, false, false};
}

std::vector<std::string> names_of(const std::vector<ovs::proto::stream_info>& infos)
{
    std::vector<std::string> out;
    for (const auto& i : infos) out.push_back(i.name);
    return out;
}

const connection_key alice{"10.0.0.1", 5000};
const connection_key bob{"10.0.0.2", 6000};

}  // namespace

TEST_CASE("stream book: a listed stream reaches the room after its details, once",
          "[unit][stream_book]")
{
    auto book = make_book();
    auto seen = book.list_seen({"stream0"}, at(t0, t0));
    CHECK(seen.downs.empty());
    CHECK(seen.detail_requests == std::vector<std::string>{"stream0"});
    // Not told before the details: the room would not know the source.
    CHECK(book.room_view().empty());
    CHECK(book.listed("stream0"));

    auto up = book.up(info("stream0", "RTMP"), t0 + 10ms, false);
    REQUIRE(up);
    CHECK(up->is_new);
    CHECK(up->info.source == "RTMP");
    // The same again: nothing to say. A change: an update, not news.
    CHECK_FALSE(book.up(info("stream0", "RTMP"), t0 + 20ms, false));
    auto changed = info("stream0", "RTMP");
    changed.bitrate = 2'000'000;
    auto update = book.up(changed, t0 + 30ms, false);
    REQUIRE(update);
    CHECK_FALSE(update->is_new);

    // The next list asks for no details again, and reports nothing.
    seen = book.list_seen({"stream0"}, at(t0 + 1s, t0 + 1s));
    CHECK(seen.detail_requests.empty());
    CHECK(seen.downs.empty());
}

TEST_CASE("stream book: a stream the list stops showing goes down, unless just admitted",
          "[unit][stream_book]")
{
    auto book = make_book();
    book.list_seen({"stream0"}, at(t0, t0));
    book.up(info("stream0", "RTMP"), t0, false);
    // Admitted by a webhook, not listed by OME yet.
    REQUIRE(book.admitted(alice, info("stream1", "WebRTC"), t0 + 100ms));

    auto seen = book.list_seen({}, at(t0 + 1s, t0 + 1s));
    CHECK(names_of(seen.downs) == std::vector<std::string>{"stream0"});
    CHECK(book.find("stream1"));  // within the grace: OME may list it late

    // Never listed and the grace is over: it never really started.
    seen = book.list_seen({}, at(t0 + 100ms + grace, t0 + 100ms + grace));
    CHECK(names_of(seen.downs) == std::vector<std::string>{"stream1"});
    CHECK(book.room_view().empty());
}

TEST_CASE(
    "stream book: a closing of the last admitted publisher ends the stream, and a list "
    "that still shows it does not bring it back",
    "[unit][stream_book]")
{
    auto book = make_book();
    REQUIRE(book.admitted(alice, info("stream0", "RTMP"), t0));
    book.list_seen({"stream0"}, at(t0 + 500ms, t0 + 500ms));

    // A closing of a connection never admitted (a refused intruder) is noise.
    CHECK_FALSE(book.closed(bob, {"stream0"}));
    auto down = book.closed(alice, {"stream0"});
    REQUIRE(down);
    CHECK(down->name == "stream0");

    // OME still lists it for a moment: no details asked, the room not told.
    auto seen = book.list_seen({"stream0"}, at(t0 + 1s, t0 + 1s));
    CHECK(seen.detail_requests.empty());
    CHECK(seen.downs.empty());
    CHECK(book.room_view().empty());
}

TEST_CASE("stream book: WHIP, known only from the webhook, survives OME's details",
          "[unit][stream_book]")
{
    auto book = make_book();
    auto up = book.admitted(alice, info("stream0", "WHIP"), t0);
    REQUIRE(up);
    CHECK(up->is_new);
    book.list_seen({"stream0"}, at(t0 + 500ms, t0 + 500ms));
    // OME's API calls it WebRTC: nothing new for the room.
    CHECK_FALSE(book.up(info("stream0", "WebRTC"), t0 + 600ms, false));
    CHECK(book.find("stream0")->info.source == "WHIP");
}

TEST_CASE(
    "stream book: a kick's DELETE ends the stream for the room unless a newer publisher "
    "holds the name",
    "[unit][stream_book]")
{
    SECTION("the kicked publisher was the only one")
    {
        auto book = make_book();
        book.admitted(alice, info("stream0", "RTMP"), t0);
        REQUIRE(book.kicks().owe("stream0", "seat released", t0 + 1s));
        const auto kicked = book.publishers("stream0");
        CHECK(kicked == std::vector<connection_key>{alice});
        auto out = book.delete_answered("stream0", kicked, true, "", t0 + 1100ms);
        REQUIRE(out.down);
        CHECK(out.down->name == "stream0");
        CHECK_FALSE(out.held_by_newer);
        // Still listed once after the DELETE: not brought back.
        auto seen = book.list_seen({"stream0"}, at(t0 + 1200ms, t0 + 1200ms));
        CHECK(seen.detail_requests.empty());
        CHECK(book.room_view().empty());
        // The kick is confirmed by a list without the stream.
        seen = book.list_seen({}, at(t0 + 2s, t0 + 2s));
        CHECK(seen.kicks_confirmed == std::vector<std::string>{"stream0"});
    }
    SECTION("a new holder admitted while the DELETE was under way keeps the stream")
    {
        auto book = make_book();
        book.admitted(alice, info("stream0", "RTMP"), t0);
        REQUIRE(book.kicks().owe("stream0", "seat released", t0 + 1s));
        const auto kicked = book.publishers("stream0");
        // The webhook refuses a publisher now (the DELETE might end it);
        // one whose admission was already past that check when the kick
        // came is admitted all the same.
        CHECK(book.admission_blocked("stream0"));
        book.admitted(bob, info("stream0", "SRT"), t0 + 1050ms);
        auto out = book.delete_answered("stream0", kicked, true, "", t0 + 1100ms);
        CHECK_FALSE(out.down);
        CHECK(out.held_by_newer);
        CHECK(book.find("stream0"));
        // Alice's late closing changes nothing; Bob's ends it.
        CHECK_FALSE(book.closed(alice, {"stream0"}));
        CHECK(book.closed(bob, {"stream0"}));
    }
    SECTION("a failed DELETE leaves the stream up and owed, and refuses a new publisher")
    {
        auto book = make_book();
        book.admitted(alice, info("stream0", "RTMP"), t0);
        REQUIRE(book.kicks().owe("stream0", "seat released", t0 + 1s));
        auto out = book.delete_answered(
            "stream0", book.publishers("stream0"), false, "OME answered 500", t0 + 1100ms);
        CHECK_FALSE(out.down);
        CHECK(book.find("stream0"));
        CHECK(book.kicks().size() == 1);
        CHECK(book.admission_blocked("stream0"));
    }
}

TEST_CASE("stream book: after an outage OME's streams are learnt again and owed kicks are due",
          "[unit][stream_book]")
{
    auto book = make_book();
    book.list_seen({"stream0"}, at(t0, t0));
    book.up(info("stream0", "RTMP"), t0, false);
    REQUIRE(book.kicks().owe("stream1", "seat released", t0));
    book.delete_answered("stream1", {}, false, "unreachable", t0 + 10ms);
    CHECK(book.kicks().take_due(t0 + 20ms).empty());  // waits for its retry

    auto seen = book.list_seen({"stream0", "stream1"}, {t0 + 5s, t0 + 5s, true, true});
    // OME may have restarted: its stream0 is a new one; its details are fetched again,
    // and the room keeps it meanwhile (no blink).
    CHECK(seen.detail_requests == std::vector<std::string>{"stream0", "stream1"});
    CHECK(seen.downs.empty());
    CHECK(book.find("stream0"));
    CHECK(book.kicks().take_due(t0 + 5s) == std::vector<std::string>{"stream1"});
}

TEST_CASE(
    "stream book: orphans are seat streams in OME that no seat holds, minus publishers "
    "admitted since the question",
    "[unit][stream_book]")
{
    auto book = make_book();
    book.admitted(alice, info("stream0", "RTMP"), t0);
    book.admitted(bob, info("stream1", "RTMP"), t0);
    book.admitted({"10.0.0.3", 7000}, info("other", "RTMP"), t0);
    book.admitted({"10.0.0.4", 7001}, info("stream2", "RTMP"), t0 + 2s);
    const std::set<std::string> seats{"stream0", "stream1", "stream2"};
    // Asked at t0 + 1s; the room holds stream1. stream2 was admitted after the
    // question (its new holder's), `other` is not a seat's.
    CHECK(book.orphans(seats, {"stream1"}, t0 + 1s) == std::vector<std::string>{"stream0"});
}

TEST_CASE("stream book: outputs change what the room knows, and the first report is timed",
          "[unit][stream_book]")
{
    auto book = make_book();
    auto i = info("stream0", "RTMP");
    i.outputs = ovs::proto::outputs_state::starting;
    book.admitted(alice, i, t0);
    auto changed = book.set_outputs("stream0", ovs::proto::outputs_state::ready);
    REQUIRE(changed);
    CHECK(changed->outputs == ovs::proto::outputs_state::ready);
    CHECK_FALSE(book.set_outputs("stream0", ovs::proto::outputs_state::ready));
    CHECK_FALSE(book.set_outputs("nothing", ovs::proto::outputs_state::ready));

    auto first = book.outputs_reported("stream0", t0 + 1500ms);
    REQUIRE(first);
    CHECK(first->first);
    CHECK(first->seconds == Approx(1.5));
    auto again = book.outputs_reported("stream0", t0 + 9s);
    REQUIRE(again);
    CHECK_FALSE(again->first);
}

// A gateway restarts while OME lists a stream but fails its detail fetch:
// the room, which shows the seat live, must hear nothing false ("unknown",
// outputs starting). The stream stays out of the view, the view is not a
// whole one (no snapshot), and the details are asked for again.
TEST_CASE("stream book: a listed stream without details stays out of the room's view",
          "[unit][stream_book]")
{
    auto book = make_book();
    auto seen = book.list_seen({"stream0"}, at(t0, t0));
    REQUIRE(seen.detail_requests == std::vector<std::string>{"stream0"});
    CHECK_FALSE(book.details_failed("stream0"));
    CHECK(book.room_view().empty());
    CHECK(book.awaiting_details());

    // The next list asks again; this time the details come.
    seen = book.list_seen({"stream0"}, at(t0 + 1s, t0 + 1s));
    REQUIRE(seen.detail_requests == std::vector<std::string>{"stream0"});
    CHECK_FALSE(book.details_failed("stream0"));
    seen = book.list_seen({"stream0"}, at(t0 + 2s, t0 + 2s));
    REQUIRE(seen.detail_requests == std::vector<std::string>{"stream0"});
    stream_details rtmp;
    rtmp.name = "stream0";
    book.details_seen(rtmp);
    auto up = book.up(info("stream0", "RTMP"), t0 + 2s, false);
    REQUIRE(up);
    CHECK(up->info.source == "RTMP");
    CHECK_FALSE(book.awaiting_details());
    CHECK(book.list_seen({"stream0"}, at(t0 + 3s, t0 + 3s)).detail_requests.empty());
}

TEST_CASE("stream book: details that never come: the room hears of the stream after some tries",
          "[unit][stream_book]")
{
    auto book = make_book();
    for (unsigned i = 1; i < stream_book::details_attempts; ++i) {
        book.list_seen({"stream0"}, at(t0 + i * 1s, t0 + i * 1s));
        CHECK_FALSE(book.details_failed("stream0"));
        CHECK(book.awaiting_details());
    }
    book.list_seen({"stream0"}, at(t0 + 10s, t0 + 10s));
    CHECK(book.details_failed("stream0"));  // send it, source unknown
    CHECK_FALSE(book.awaiting_details());   // once sent, it is in the view
    auto unknown = info("stream0", "unknown");
    REQUIRE(book.up(unknown, t0 + 10s, false));
    CHECK_FALSE(book.awaiting_details());
    // A stream that left the list is not awaited.
    auto other = make_book();
    other.list_seen({"stream1"}, at(t0, t0));
    other.details_failed("stream1");
    other.list_seen({}, at(t0 + 1s, t0 + 1s));
    CHECK_FALSE(other.awaiting_details());
}

TEST_CASE("stream book: a known stream whose details fail keeps what the room was told",
          "[unit][stream_book]")
{
    auto book = make_book();
    book.list_seen({"stream0"}, at(t0, t0));
    auto live = info("stream0", "RTMP");
    live.outputs = ovs::proto::outputs_state::ready;
    REQUIRE(book.up(live, t0, false));
    // OME was down and answers again: its streams are learnt again, and the
    // detail fetch fails. Nothing changes for the room.
    book.list_seen({"stream0"}, {t0 + 5s, t0 + 5s, true, true});
    CHECK_FALSE(book.details_failed("stream0"));
    CHECK_FALSE(book.details_failed("stream0"));
    CHECK_FALSE(book.details_failed("stream0"));
    CHECK_FALSE(book.awaiting_details());
    REQUIRE(book.find("stream0"));
    CHECK(book.find("stream0")->info == live);
    // Asked again with the next list.
    CHECK(book.list_seen({"stream0"}, at(t0 + 6s, t0 + 6s)).detail_requests ==
          std::vector<std::string>{"stream0"});
}
