#include <ovs/gateway/kick_obligations.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using namespace std::chrono_literals;
using phase = kick_obligations::phase;

namespace {
const kick_obligations::time_point t0{};
}

TEST_CASE("a kick is owed until a list asked for after it no longer shows the stream",
          "[unit][kicks]")
{
    kick_obligations k(100ms, 1000ms);
    REQUIRE(k.owe("stream0", "seat released", t0));
    REQUIRE(k.find("stream0"));
    CHECK(k.find("stream0")->state == phase::deleting);
    // Asked again while the DELETE is under way: no second DELETE.
    CHECK_FALSE(k.owe("stream0", "lease ended", t0 + 1ms));
    CHECK(k.find("stream0")->reason == "lease ended");

    k.delete_answered("stream0", true, "", t0 + 10ms);
    CHECK(k.find("stream0")->state == phase::deleted);
    CHECK_FALSE(k.next_due());
    // A list asked for before the kick says nothing.
    CHECK(k.list_seen({}, t0 - 1ms, t0 + 20ms).empty());
    CHECK(k.size() == 1);
    // A list without it ends the obligation.
    CHECK(k.list_seen({"stream1"}, t0 + 30ms, t0 + 40ms) == std::vector<std::string>{"stream0"});
    CHECK(k.size() == 0);
}

TEST_CASE("a failed DELETE is retried with a doubling delay up to the cap", "[unit][kicks]")
{
    kick_obligations k(100ms, 350ms);
    REQUIRE(k.owe("stream0", "seat released", t0));
    k.delete_answered("stream0", false, "OME answered 500", t0);
    const auto* o = k.find("stream0");
    REQUIRE(o);
    CHECK(o->state == phase::owed);
    CHECK(o->failures == 1);
    CHECK(o->last_error == "OME answered 500");
    REQUIRE(k.next_due());
    CHECK(*k.next_due() == t0 + 100ms);
    CHECK(k.take_due(t0 + 99ms).empty());

    auto now = t0 + 100ms;
    for (auto expected : {200ms, 350ms, 350ms}) {
        REQUIRE(k.take_due(now) == std::vector<std::string>{"stream0"});
        CHECK(k.take_due(now).empty());  // under way: taken once
        k.delete_answered("stream0", false, "timeout", now);
        REQUIRE(k.next_due());
        CHECK(*k.next_due() - now == expected);
        now = *k.next_due();
    }
    // Lists that still show it keep it owed; OME answering again makes it due now.
    CHECK(k.list_seen({"stream0"}, now - 50ms, now).empty());
    CHECK(k.find("stream0")->state == phase::owed);
    k.ome_recovered(now - 100ms);
    CHECK(k.take_due(now - 100ms) == std::vector<std::string>{"stream0"});
    // A 404 counts as gone.
    k.delete_answered("stream0", true, "", now);
    CHECK(k.find("stream0")->state == phase::deleted);
}

TEST_CASE("a stream still listed after OME answered its DELETE is owed again", "[unit][kicks]")
{
    kick_obligations k(100ms, 1000ms);
    REQUIRE(k.owe("stream3", "seat released", t0));
    k.delete_answered("stream3", true, "", t0 + 10ms);
    // A list asked for before the answer may predate the DELETE: no verdict.
    CHECK(k.list_seen({"stream3"}, t0 + 5ms, t0 + 20ms).empty());
    CHECK(k.find("stream3")->state == phase::deleted);
    // Asked for after the answer and still there: owed again, retried later.
    CHECK(k.list_seen({"stream3"}, t0 + 30ms, t0 + 40ms).empty());
    const auto* o = k.find("stream3");
    REQUIRE(o);
    CHECK(o->state == phase::owed);
    CHECK(o->failures == 1);
    CHECK(k.take_due(t0 + 140ms) == std::vector<std::string>{"stream3"});
}

TEST_CASE("a room asking again retries an owed kick at once", "[unit][kicks]")
{
    kick_obligations k(1000ms, 8000ms);
    REQUIRE(k.owe("stream1", "seat released", t0));
    k.delete_answered("stream1", false, "unreachable", t0);
    CHECK(k.owe("stream1", "resent after reconnecting", t0 + 10ms));
    CHECK(k.find("stream1")->state == phase::deleting);
    CHECK(k.find("stream1")->since == t0);
}

TEST_CASE("a new publisher is refused until OME has answered a DELETE of the old stream",
          "[unit][kicks]")
{
    kick_obligations k(100ms, 1000ms);
    CHECK_FALSE(k.blocks_admission("stream2"));
    REQUIRE(k.owe("stream2", "seat released", t0));
    // First DELETE under way: OME may carry it out after a new stream of
    // that name exists, so no new publisher yet.
    CHECK(k.blocks_admission("stream2"));
    k.delete_answered("stream2", false, "OME answered 503", t0 + 5ms);
    CHECK(k.blocks_admission("stream2"));
    REQUIRE(k.take_due(t0 + 200ms).size() == 1);
    CHECK(k.blocks_admission("stream2"));  // retry under way, old stream still there
    k.delete_answered("stream2", true, "", t0 + 210ms);
    CHECK_FALSE(k.blocks_admission("stream2"));
    k.admitted("stream2");
    CHECK(k.find("stream2") == nullptr);
    // A late answer for a discharged obligation changes nothing.
    k.delete_answered("stream2", false, "late", t0 + 300ms);
    CHECK(k.size() == 0);
}

TEST_CASE("the retry delay never overflows", "[unit][kicks]")
{
    kick_obligations k(1ms, 60000ms);
    REQUIRE(k.owe("s", "r", t0));
    auto now = t0;
    for (int i = 0; i < 200; ++i) {
        k.delete_answered("s", false, "down", now);
        REQUIRE(k.next_due());
        CHECK(*k.next_due() - now <= 60000ms);
        CHECK(*k.next_due() > now);
        now = *k.next_due();
        REQUIRE(k.take_due(now).size() == 1);
    }
    CHECK(k.find("s")->failures == 200);
}
