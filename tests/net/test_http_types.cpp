// The shared health format (http_types.hpp): ready, ready but degraded, not
// ready; what /readyz of both services sends.
#include <ovs/net/http_types.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using ovs::net::readiness;
using ovs::net::readiness_response;
namespace http = boost::beast::http;

TEST_CASE("readiness: ready, degraded, not ready", "[unit]")
{
    auto ok = readiness_response(readiness{});
    CHECK(ok.result() == http::status::ok);
    CHECK(nlohmann::json::parse(ok.body()) == nlohmann::json{{"ready", true}});
    CHECK(ok[http::field::cache_control] == "no-store");

    auto degraded = readiness_response(readiness{{}, {"no gateway link", "OME unreachable"}});
    CHECK(degraded.result() == http::status::ok);
    CHECK(nlohmann::json::parse(degraded.body()) ==
          nlohmann::json{{"ready", true}, {"degraded", "no gateway link; OME unreachable"}});

    auto stopping = readiness_response(readiness{{"shutting down"}, {"no gateway link"}});
    CHECK(stopping.result() == http::status::service_unavailable);
    CHECK(nlohmann::json::parse(stopping.body()) ==
          nlohmann::json{
              {"ready", false}, {"reason", "shutting down"}, {"degraded", "no gateway link"}});
}
