// Scenario 8: viewers never cause OME API calls. The OME request rate with
// 1 viewer and with 200 viewers connected for the same few seconds is the
// same within the poll rate.

#include "deadline.hpp"
#include "scenario.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace ovs::integration;

namespace {

// OME REST requests so far: the stand-in's own log when it runs, else what
// the gateway says it sent (its /metrics).
double ome_requests(cluster& c)
{
    if (c.media().standin_powers()) return static_cast<double>(c.media().api_request_count());
    return metric_sum(c.gateway_metrics(), "ovs_gateway_ome_requests_total").value_or(0.0);
}

// Requests during `window` while the browsers' sockets are kept drained.
double requests_during(cluster& c, browser_pool& pool, std::chrono::milliseconds window)
{
    const double before = ome_requests(c);
    pool.run_for(window);
    return ome_requests(c) - before;
}

}  // namespace

TEST_CASE("OME API requests do not grow with the number of viewers", "[integration]")
{
    cluster_options o;
    o.poll_ms = 200;
    cluster c(o);
    if (!c.media().standin_powers()) {
        WARN("real OME: counting the gateway's own OME requests (/metrics), not OME's log");
    }
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);
    REQUIRE(c.media()
                .publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp))
                .admitted);
    REQUIRE(holder.wait_seat_state(0, "live", event_bound));

    const auto window = std::chrono::milliseconds(3000);
    const double with_one = requests_during(c, pool, window);

    std::vector<std::unique_ptr<browser>> viewers;
    for (int i = 0; i < 200; ++i) {
        viewers.push_back(std::make_unique<browser>(pool, c.room_port(), "main"));
    }
    REQUIRE(pool.run_until(
        [&] {
            for (auto& v : viewers) {
                if (!v->has_snapshot() && !v->closed()) return false;
            }
            return true;
        },
        std::chrono::milliseconds(20000)));
    std::size_t open = 0;
    for (auto& v : viewers) open += v->open() ? 1 : 0;
    CHECK(open == viewers.size());
    CHECK(holder.wait([&] { return holder.viewers().value_or(0) >= 201; }, event_bound));

    // Viewers doing what pages do: pinging.
    for (auto& v : viewers) v->send_text(R"({"type":"ping","id":1})");
    const double with_many = requests_during(c, pool, window);

    // The poll runs every 200 ms: ~15 polls per window. Allow the poll's own
    // jitter (a few polls) but not anything that grows with viewers.
    const double polls_per_window = window.count() / static_cast<double>(o.poll_ms);
    INFO("requests in " << window.count() << " ms: 1 viewer " << with_one << ", 201 viewers "
                        << with_many);
    CHECK(with_one > 0);
    CHECK(with_many <= with_one + polls_per_window * 0.3 + 2);
    CHECK(with_many >= with_one - polls_per_window * 0.3 - 2);
}
