// /metrics is not public: both binaries answer it with 404 on their public
// listeners (the room's page port, the gateway's webhook port) and serve it
// on the metrics listener their config names (room.metrics,
// gateway.metrics), which serves nothing else.

#include "scenario.hpp"

#include <catch2/catch.hpp>

using namespace ovs::integration;

TEST_CASE("/metrics is served on the metrics listeners only", "[integration]")
{
    cluster c;
    for (auto [what, port] : {std::pair{"room.listen", c.room_port()},
                              std::pair{"gateway.http", c.gateway_http_port()}}) {
        INFO(what);
        auto refused = http_get(port, "/metrics");
        CHECK(refused.status == 404);
        CHECK(refused.body.find("ovs_") == std::string::npos);
        CHECK(http_get(port, "/healthz").status == 200);
    }

    auto room = http_get(c.room_metrics_port(), "/metrics");
    CHECK(room.status == 200);
    CHECK(room.headers["content-type"].rfind("text/plain", 0) == 0);
    CHECK(metric_sum(room.body, "ovs_room_ws_connections").has_value());
    auto gateway = http_get(c.gateway_metrics_port(), "/metrics");
    CHECK(gateway.status == 200);
    CHECK(metric_sum(gateway.body, "ovs_gateway_link_up").value_or(0) == 1);

    // Nothing else of either service is reachable there.
    CHECK(http_get(c.room_metrics_port(), "/api/rooms").status == 404);
    CHECK(http_get(c.room_metrics_port(), "/").status == 404);
    CHECK(http_get(c.gateway_metrics_port(), "/readyz").status == 404);
}
