// The startup summary: says what the services run with, never the secrets.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;

TEST_CASE("describe shows the settings and redacts the secrets", "[unit]")
{
    auto cfg = load_string(
        "ome:\n"
        "  host: ome.example.com\n"
        "  api: { access_token: hunter2-token, host: \"::1\", port: 8082, tls: true }\n"
        "  webhook_secret: swordfish-secret\n"
        "room:\n"
        "  listen: { address: 127.0.0.1, port: 5001 }\n"
        "rooms:\n"
        "  - { id: lobby, title: The Lobby, seats: 4, stream_prefix: cam }\n",
        "site.yaml",
        test::fake_env());
    auto text = describe(cfg);
    CHECK_THAT(text, Contains("site.yaml"));
    CHECK_THAT(text, Contains("mode: webhook"));
    CHECK_THAT(text, Contains("ome.api: https://[::1]:8082"));
    CHECK_THAT(text, Contains("listen 127.0.0.1:5001"));
    CHECK_THAT(text, Contains("lobby \"The Lobby\": 4 seats, streams cam0 .. cam3"));
    CHECK_THAT(text, Contains("access_token (set)"));
    CHECK_THAT(text, Contains("webhook_secret (set)"));
    CHECK_THAT(text, !Contains("hunter2"));
    CHECK_THAT(text, !Contains("swordfish"));
}

TEST_CASE("describe says when a secret is not set", "[unit]")
{
    config cfg;
    auto text = describe(cfg);
    CHECK_THAT(text, Contains("access_token (not set)"));
    CHECK_THAT(text, Contains("webhook_secret (not set)"));
    CHECK_THAT(text, Contains("ome.api: http://127.0.0.1:8081"));  // empty api.host = ome.host
}
