// ome.edges: names unique, ports default to the origin's.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::fake_env;
using test::minimal_secrets;
using test::with_room;

TEST_CASE("edges take the origin's playback ports unless they name their own", "[unit]")
{
    const auto cfg = load_string(
        with_room(std::string(minimal_secrets) + "  llhls: { tls: true, port: 3334 }\n"
                                                 "  edges:\n"
                                                 "    - { name: edge-1, host: e1.example.org }\n"
                                                 "    - name: edge-2\n"
                                                 "      host: e2.example.org\n"
                                                 "      llhls: { tls: false, port: 8080 }\n"
                                                 "      probe_host: 10.0.0.2\n"),
        "test.yaml",
        fake_env());
    REQUIRE(cfg.ome.edges.size() == 2);
    CHECK(cfg.ome.edges[0].name == "edge-1");
    CHECK(cfg.ome.edges[0].host == "e1.example.org");
    CHECK(cfg.ome.edges[0].llhls.tls);
    CHECK(cfg.ome.edges[0].llhls.port == 3334);
    CHECK(cfg.ome.edges[0].webrtc_publisher.port == 3333);
    CHECK(cfg.ome.edges[0].probe_host.empty());
    CHECK(cfg.ome.edges[1].llhls.port == 8080);
    CHECK_FALSE(cfg.ome.edges[1].llhls.tls);
    CHECK(cfg.ome.edges[1].probe_host == "10.0.0.2");
    CHECK(load_string(with_room(minimal_secrets), "test.yaml", fake_env()).ome.edges.empty());
}

TEST_CASE("an edge needs a name and a host, and names are unique", "[unit]")
{
    const std::string base = std::string(minimal_secrets) + "  edges:\n";
    CHECK_THAT(error_of(with_room(base + "    - { host: e1 }\n")), Contains("ome.edges[0].name"));
    CHECK_THAT(error_of(with_room(base + "    - { name: edge-1 }\n")),
               Contains("ome.edges[0].host"));
    CHECK_THAT(error_of(with_room(base + "    - { name: a, host: e1 }\n"
                                         "    - { name: a, host: e2 }\n")),
               Contains("ome.edges[1].name (line 7): expected an edge name not used by another"));
    CHECK_THAT(error_of(with_room(base + "    - { name: a, host: e1, port: 1 }\n")),
               Contains("port"));
    CHECK_THAT(error_of(with_room(std::string(minimal_secrets) + "  edges: e1\n")),
               Contains("expected a list of edges"));
}
