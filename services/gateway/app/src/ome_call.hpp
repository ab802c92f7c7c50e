#pragma once
// Internal: one OME API call turned into its parsed result (or a transport
// error), counted in the gateway's metrics by kind and outcome. Shared by the
// poller and the kicks.

#include <ovs/gateway/metrics.hpp>
#include <ovs/gateway/ome_api.hpp>
#include <ovs/gateway/ome_http_client.hpp>

#include <string>
#include <string_view>

namespace ovs::gateway {

template <class Parse>
auto call(ome_http_client& client,
          gateway_metrics& metrics,
          const char* kind,
          http_method method,
          const std::string& target,
          Parse parse) -> asio::awaitable<decltype(parse(0u, std::string_view{}))>
{
    const http_result r = co_await client.request(method, target);
    if (!r.ok()) {
        metrics.ome_request(kind, "unreachable");
        co_return transport_error(r.transport_error);
    }
    auto parsed = parse(r.status, r.body);
    metrics.ome_request(kind, parsed.ok() ? "ok" : std::string(to_string(parsed.error().kind)));
    co_return parsed;
}

}  // namespace ovs::gateway
