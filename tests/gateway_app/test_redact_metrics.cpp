#include <ovs/gateway/metrics.hpp>
#include <ovs/gateway/redact.hpp>

#include <catch2/catch.hpp>

using ovs::gateway::redact_url;

TEST_CASE("redact_url masks publish tokens in every URL form", "[unit]")
{
    CHECK(redact_url("rtmp://127.0.0.1:1935/app/stream0?token=abc123") ==
          "rtmp://127.0.0.1:1935/app/stream0?token=***");
    CHECK(redact_url("ws://h:3333/app/s?direction=send&token=q3Zr9&transport=tcp") ==
          "ws://h:3333/app/s?direction=send&token=***&transport=tcp");
    CHECK(redact_url("srt://h:9999?streamid=default%2Fapp%2Fstream1%3Ftoken%3Dxyz%26a%3Db") ==
          "srt://h:9999?streamid=default%2Fapp%2Fstream1%3Ftoken%3D***%26a%3Db");
    CHECK(redact_url("http://h/app/s?TOKEN=x&signature=y&policy=z") ==
          "http://h/app/s?TOKEN=***&signature=***&policy=***");
    // Names that merely end in "token" and paths are left alone.
    CHECK(redact_url("http://h/token=1/app?mytoken=2") == "http://h/token=1/app?mytoken=2");
    CHECK(redact_url("") == "");
}

TEST_CASE("metrics render Prometheus text with counters and histograms", "[unit]")
{
    ovs::gateway::gateway_metrics m;
    m.ome_request("list", "ok");
    m.ome_request("list", "ok");
    m.ome_request("list", "unreachable");
    m.webhook("incoming", "opening", "allowed");
    m.admission_latency.observe(0.002);
    m.admission_latency.observe(3.0);
    m.links_up = 1;
    m.streams_known = 2;
    CHECK(m.ome_requests("list", "ok") == 2);
    CHECK(m.webhooks("incoming", "opening", "allowed") == 1);
    const auto text = m.render();
    CHECK_THAT(text,
               Catch::Contains("ovs_gateway_ome_requests_total{kind=\"list\",result=\"ok\"} 2"));
    CHECK_THAT(
        text,
        Catch::Contains("ovs_gateway_ome_requests_total{kind=\"list\",result=\"unreachable\"} 1"));
    CHECK_THAT(text,
               Catch::Contains("ovs_gateway_webhooks_total{direction=\"incoming\",status="
                               "\"opening\",result=\"allowed\"} 1"));
    CHECK_THAT(text,
               Catch::Contains("ovs_gateway_admission_duration_seconds_bucket{le=\"0.0025\"} 1"));
    CHECK_THAT(text,
               Catch::Contains("ovs_gateway_admission_duration_seconds_bucket{le=\"+Inf\"} 2"));
    CHECK_THAT(text, Catch::Contains("ovs_gateway_admission_duration_seconds_count 2"));
    CHECK_THAT(text, Catch::Contains("ovs_gateway_link_up 1"));
    CHECK_THAT(text, Catch::Contains("ovs_gateway_streams_known 2"));
}
