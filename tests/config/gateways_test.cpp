// room.gateways: every gateway a room replica links to (issue 12). Empty
// means room.gateway alone, as before.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::fake_env;
using test::with_room;

TEST_CASE("room.gateways: one link per gateway, else room.gateway alone", "[unit]")
{
    auto one = load_string(with_room(test::minimal_secrets), "t", fake_env());
    REQUIRE(gateway_endpoints(one.room).size() == 1);
    CHECK(gateway_endpoints(one.room)[0].port == 9600);

    auto two = load_string(with_room(std::string(test::minimal_secrets) +
                                     "room:\n"
                                     "  gateways:\n"
                                     "    - { address: gateway-0.gateway, port: 9600 }\n"
                                     "    - { address: gateway-1.gateway, port: 9601 }\n"),
                           "t",
                           fake_env());
    const auto targets = gateway_endpoints(two.room);
    REQUIRE(targets.size() == 2);
    CHECK(targets[0].address == "gateway-0.gateway");
    CHECK(targets[1].port == 9601);
    CHECK_THAT(describe(two), Contains("gateways gateway-0.gateway:9600 gateway-1.gateway:9601"));
}

TEST_CASE("room.gateways: malformed entries and repeats are refused", "[unit]")
{
    const auto head = std::string(test::minimal_secrets) + "room:\n  gateways:";
    CHECK_THAT(error_of(with_room(head + " gateway:9600\n")), Contains("room.gateways"));
    CHECK_THAT(error_of(with_room(head + "\n    - { address: g }\n")),
               Contains("room.gateways[0]") && Contains("address and port"));
    CHECK_THAT(error_of(with_room(head + "\n    - { address: g, port: 0 }\n")),
               Contains("room.gateways[0].port"));
    CHECK_THAT(error_of(with_room(head + "\n    - { address: g, port: 9600 }"
                                         "\n    - { address: g, port: 9600 }\n")),
               Contains("room.gateways[1]") && Contains("not listed before"));
    CHECK_THAT(error_of(with_room(head + "\n    - { address: g, port: 1, extra: 2 }\n")),
               Contains("extra"));
}
