#include "fixtures.hpp"

#include <ovs/gateway/admission_ledger.hpp>
#include <ovs/gateway/admission_webhook.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;
using ovs::gateway::test::read_file;
using ovs::gateway::test::webhooks_dir;

namespace {

// One recorded webhook, what we answered (openings), and what the ledger
// must conclude ("" = the closing changes nothing).
struct step {
    std::string file;           // case_dir/NNN_....body.json
    bool allowed = false;       // our answer to an opening
    std::string expected_down;  // for closings
};

// Feeds webhooks to a ledger the way the gateway shell does; returns what
// each step concluded.
std::vector<std::string> replay(admission_ledger& ledger, const std::vector<step>& steps)
{
    std::vector<std::string> downs;
    for (const auto& s : steps) {
        auto parsed = parse_webhook(read_file(webhooks_dir() / s.file));
        REQUIRE(parsed.request);
        const auto& w = *parsed.request;
        connection_key who{w.address, w.port};
        std::string down;
        if (w.direction == webhook_direction::incoming) {
            if (w.status == webhook_status::opening) {
                if (s.allowed) ledger.admitted(who, w.effective_stream());
            } else {
                std::vector<std::string> names;
                if (w.target) names.push_back(w.target->stream);
                if (w.new_target) names.push_back(w.new_target->stream);
                down = ledger.closed(who, names).value_or("");
            }
        }
        INFO(s.file);
        CHECK(down == s.expected_down);
        downs.push_back(down);
    }
    return downs;
}

}  // namespace

TEST_CASE("case a: allowed publish, closing frees the stream", "[unit][ledger][recorded]")
{
    admission_ledger l;
    replay(l,
           {{"a_rtmp_publish_allowed/001_incoming_RTMP_opening.body.json", true, ""},
            {"a_rtmp_publish_allowed/002_incoming_RTMP_closing.body.json", false, "stream0"}});
    CHECK(l.connection_count() == 0);
}

TEST_CASE("case b: closing after a refused RTMP opening frees nothing", "[unit][ledger][recorded]")
{
    admission_ledger l;
    replay(l,
           {{"b_rtmp_publish_denied/003_incoming_RTMP_opening.body.json", false, ""},
            {"b_rtmp_publish_denied/004_incoming_RTMP_closing.body.json", false, ""}});
    CHECK_FALSE(l.has_publisher("stream0"));
}

TEST_CASE("case b while a holder is live: the intruder cannot take it down",
          "[unit][ledger][recorded]")
{
    admission_ledger l;
    connection_key holder{"192.0.2.50", 40000};
    l.admitted(holder, "stream0");
    replay(l,
           {{"b_rtmp_publish_denied/003_incoming_RTMP_opening.body.json", false, ""},
            {"b_rtmp_publish_denied/004_incoming_RTMP_closing.body.json", false, ""}});
    CHECK(l.has_publisher("stream0"));
    CHECK(l.latest_publisher("stream0") == holder);
}

TEST_CASE("case h: a DELETE's two closings free the stream once", "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "h_rest_delete_while_publishing_and_viewing/";
    replay(l,
           {{d + "016_incoming_RTMP_opening.body.json", true, ""},
            {d + "017_outgoing_LLHLS_opening.body.json", true, ""},
            {d + "018_incoming_RTMP_closing.body.json", false, "stream0"},
            {d + "019_incoming_RTMP_closing.body.json", false, ""},
            {d + "020_outgoing_LLHLS_closing.body.json", false, ""}});
    CHECK(l.connection_count() == 0);
}

TEST_CASE("case i1: sequential reconnects go down and up each time", "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "i1_rtmp_quick_reconnects_sequential/";
    replay(l,
           {{d + "021_incoming_RTMP_opening.body.json", true, ""},
            {d + "022_incoming_RTMP_closing.body.json", false, "stream0"},
            {d + "023_incoming_RTMP_opening.body.json", true, ""},
            {d + "024_incoming_RTMP_closing.body.json", false, "stream0"},
            {d + "025_incoming_RTMP_opening.body.json", true, ""},
            {d + "026_incoming_RTMP_closing.body.json", false, "stream0"}});
}

TEST_CASE("case i2: reconnects after a kill", "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "i2_rtmp_quick_reconnects_after_kill/";
    replay(l,
           {{d + "027_incoming_RTMP_opening.body.json", true, ""},
            {d + "028_incoming_RTMP_closing.body.json", false, "stream0"},
            {d + "029_incoming_RTMP_opening.body.json", true, ""},
            {d + "030_incoming_RTMP_closing.body.json", false, "stream0"},
            {d + "031_incoming_RTMP_opening.body.json", true, ""},
            {d + "032_incoming_RTMP_closing.body.json", false, "stream0"}});
}

TEST_CASE("case i2 reordered (#1909): an old closing after the new opening",
          "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "i2_rtmp_quick_reconnects_after_kill/";
    replay(l,
           {{d + "027_incoming_RTMP_opening.body.json", true, ""},
            {d + "029_incoming_RTMP_opening.body.json", true, ""},
            {d + "028_incoming_RTMP_closing.body.json", false, ""},  // late: #2 holds it
            {d + "030_incoming_RTMP_closing.body.json", false, "stream0"}});
}

TEST_CASE("case i3: a rejected duplicate publisher leaves the first live",
          "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "i3_rtmp_second_publisher_same_name_overlapping/";
    auto downs = replay(l,
                        {{d + "033_incoming_RTMP_opening.body.json", true, ""},
                         {d + "034_incoming_RTMP_opening.body.json", true, ""},
                         {d + "035_incoming_RTMP_closing.body.json", false, ""},
                         {d + "036_incoming_RTMP_closing.body.json", false, "stream0"}});
    CHECK(downs.size() == 4);
}

TEST_CASE("case d: a redirected publisher's closing frees the target stream",
          "[unit][ledger][recorded]")
{
    admission_ledger l;
    const std::string d = "d_rtmp_new_url_redirect/";
    // We recorded the stream we redirected to.
    auto open =
        parse_webhook(read_file(webhooks_dir() / (d + "007_incoming_RTMP_opening.body.json")));
    REQUIRE(open.request);
    l.admitted({open.request->address, open.request->port}, "stream5");
    replay(l, {{d + "011_incoming_RTMP_closing.body.json", false, "stream5"}});
}

TEST_CASE("poller repairs: confirm_publisher and stream_gone", "[unit][ledger]")
{
    admission_ledger l;
    connection_key a{"198.51.100.1", 1000};
    connection_key b{"198.51.100.1", 1001};
    l.admitted(a, "s");
    l.admitted(b, "s");
    l.admitted(b, "s");  // duplicate opening (#1991): idempotent
    CHECK(l.connection_count() == 2);
    CHECK(l.latest_publisher("s") == b);

    // OME says b publishes: a's closing was lost (#1570) or will come late.
    l.confirm_publisher("s", b);
    CHECK(l.connection_count() == 1);
    CHECK_FALSE(l.closed(a, {"s"}));
    CHECK(l.closed(b, {"s"}) == std::optional<std::string>("s"));

    // A publisher we never saw is not invented.
    l.confirm_publisher("s", a);
    CHECK_FALSE(l.has_publisher("s"));

    l.admitted(a, "t");
    l.stream_gone("t");
    CHECK_FALSE(l.has_publisher("t"));
    CHECK_FALSE(l.closed(a, {"t"}));
}

TEST_CASE("same client on two streams", "[unit][ledger]")
{
    admission_ledger l;
    connection_key a{"198.51.100.1", 1000};
    l.admitted(a, "s1");
    l.admitted({"198.51.100.2", 2000}, "s2");
    CHECK_FALSE(l.closed(a, {"s2"}));  // wrong stream: not this connection's
    CHECK(l.closed(a, {"s1"}) == std::optional<std::string>("s1"));
    CHECK(l.has_publisher("s2"));
}
