#include <ovs/gateway/stream_tracker.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using kind = stream_event::kind;

TEST_CASE("stream lists diff into ups and downs", "[unit][stream_tracker]")
{
    stream_tracker t;
    auto first = t.apply_list({"stream1", "stream0"});
    CHECK(first == std::vector<stream_event>{{kind::up, "stream0"}, {kind::up, "stream1"}});
    CHECK(t.apply_list({"stream0", "stream1"}).empty());
    auto next = t.apply_list({"stream1", "stream2", "stream2"});
    CHECK(next == std::vector<stream_event>{{kind::down, "stream0"}, {kind::up, "stream2"}});
    CHECK(t.apply_list({}) ==
          std::vector<stream_event>{{kind::down, "stream1"}, {kind::down, "stream2"}});
    CHECK(t.streams().empty());
}

TEST_CASE("each new stream gets one detail fetch", "[unit][stream_tracker]")
{
    stream_tracker t;
    t.apply_list({"a", "b"});
    CHECK(t.take_detail_requests() == std::vector<std::string>{"a", "b"});
    CHECK(t.take_detail_requests().empty());
    t.apply_list({"a", "b", "c"});
    CHECK(t.take_detail_requests() == std::vector<std::string>{"c"});

    stream_details d;
    d.name = "a";
    d.source = source_kind::rtmp;
    CHECK(t.set_details(d));
    REQUIRE(t.streams().at("a").details);
    CHECK(t.streams().at("a").details->source == source_kind::rtmp);

    d.name = "gone";
    CHECK_FALSE(t.set_details(d));
    CHECK(t.streams().count("gone") == 0);

    // down and back up: asked again, old details dropped
    t.apply_list({"b", "c"});
    t.apply_list({"a", "b", "c"});
    CHECK_FALSE(t.streams().at("a").details);
    CHECK(t.take_detail_requests() == std::vector<std::string>{"a"});
}

TEST_CASE("a webhook down is not undone by a stale list", "[unit][stream_tracker]")
{
    stream_tracker t;
    t.apply_list({"s"});
    auto ev = t.mark_down("s");
    REQUIRE(ev);
    CHECK(*ev == stream_event{kind::down, "s"});
    CHECK_FALSE(t.mark_down("s"));  // once
    // OME still lists it for a moment: no flapping up.
    CHECK(t.apply_list({"s"}).empty());
    CHECK_FALSE(t.is_live("s"));
    // OME dropped it; a later publish is reported normally.
    CHECK(t.apply_list({}).empty());
    CHECK(t.apply_list({"s"}) == std::vector<stream_event>{{kind::up, "s"}});
}

TEST_CASE("a webhook down before any list saw the stream is not undone either",
          "[unit][stream_tracker]")
{
    // A publisher admitted by webhook and closed again before the next poll:
    // the tracker never listed it, but OME may still list it for a moment.
    stream_tracker t;
    CHECK(t.apply_list({}).empty());
    CHECK_FALSE(t.mark_down("s"));  // nothing to report: it was never up here
    CHECK(t.apply_list({"s"}).empty());
    CHECK_FALSE(t.is_live("s"));
    CHECK(t.take_detail_requests().empty());
    // Once OME's list has dropped it, a later publish is reported normally.
    CHECK(t.apply_list({}).empty());
    CHECK(t.apply_list({"s"}) == std::vector<stream_event>{{kind::up, "s"}});
}

TEST_CASE("an admitted reconnect lifts the suppression", "[unit][stream_tracker]")
{
    stream_tracker t;
    t.apply_list({"s"});
    t.mark_down("s");
    t.note_admitted("s");  // a new publisher came in before OME's list changed
    CHECK(t.apply_list({"s"}) == std::vector<stream_event>{{kind::up, "s"}});
}

TEST_CASE("reset forgets everything", "[unit][stream_tracker]")
{
    stream_tracker t;
    t.apply_list({"s"});
    t.mark_down("s");
    t.reset();
    CHECK(t.apply_list({"s"}) == std::vector<stream_event>{{kind::up, "s"}});
}
