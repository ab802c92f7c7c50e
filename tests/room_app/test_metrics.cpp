// The room service's Prometheus text: written by libs/util's one writer, so
// its families, samples and label escaping are the gateway's too.

#include "metrics.hpp"

#include <catch2/catch.hpp>

using namespace ovs::room;

TEST_CASE("room metrics: families, labelled samples and escaped label values", "[unit]")
{
    metrics m;
    m.ws_refused["origin"] = 2;
    m.claims = 3;
    m.rejections["seat_taken"] = 1;
    gauges g;
    g.seats_free = 7;
    g.seats_live = 2;
    // A room id cannot hold a quote today; the writer escapes one anyway.
    g.viewers_by_room["main"] = 5;
    g.viewers_by_room["odd\"room"] = 1;
    g.gateway_links_up = 2;
    const std::string text = prometheus_text(m, g);

    const std::string refused =
        "# HELP ovs_room_ws_refused_total WebSocket connections refused, by reason\n"
        "# TYPE ovs_room_ws_refused_total counter\n"
        "ovs_room_ws_refused_total{reason=\"origin\"} 2\n"
        "# HELP ovs_room_messages_in_total";
    CHECK(text.rfind(refused, 0) == 0);
    CHECK(text.find("\novs_room_claims_total 3\n") != std::string::npos);
    CHECK(text.find("\novs_room_rejections_total{reason=\"seat_taken\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE ovs_room_seats gauge\n"
                    "ovs_room_seats{state=\"free\"} 7\n"
                    "ovs_room_seats{state=\"reserved\"} 0\n"
                    "ovs_room_seats{state=\"starting\"} 0\n"
                    "ovs_room_seats{state=\"live\"} 2\n"
                    "ovs_room_seats{state=\"failed\"} 0\n"
                    "ovs_room_seats{state=\"ending\"} 0\n") != std::string::npos);
    CHECK(text.find("ovs_room_viewers{room=\"main\"} 5\n"
                    "ovs_room_viewers{room=\"odd\\\"room\"} 1\n") != std::string::npos);
    CHECK(text.find("\novs_room_media_reachable 0\n") != std::string::npos);
    CHECK(text.find("\novs_room_store_available 1\n") != std::string::npos);
    const std::string last = "ovs_room_gateway_links_up 2\n";
    CHECK(text.size() >= last.size());
    CHECK(text.compare(text.size() - last.size(), last.size(), last) == 0);
}
