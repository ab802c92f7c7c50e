#include <ovs/gateway/metrics.hpp>

namespace ovs::gateway {

namespace {

const std::vector<double> latency_bounds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Admission to playable: ~0.1-1 s for RTMP/SRT, ~4 s for WebRTC.
const std::vector<double> outputs_bounds{0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 30};

}  // namespace

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size(), 0)
{
}

void histogram::observe(double seconds)
{
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (seconds <= bounds_[i]) {
            ++counts_[i];
            break;
        }
    }
    ++count_;
    sum_ += seconds;
}

void histogram::render(util::prometheus_text& out, std::string_view name) const
{
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out.sample(bucket, {{"le", util::prometheus_number(bounds_[i])}}, cumulative);
    }
    out.sample(bucket, {{"le", "+Inf"}}, count_);
    out.sample(std::string(name) + "_sum", {}, sum_);
    out.sample(std::string(name) + "_count", {}, count_);
}

gateway_metrics::gateway_metrics()
    : poll_latency(latency_bounds), admission_latency(latency_bounds), outputs_ready(outputs_bounds)
{
}

void gateway_metrics::ome_request(std::string_view kind, std::string_view result)
{
    ++ome_requests_[{std::string(kind), std::string(result)}];
}

void gateway_metrics::webhook(std::string_view direction,
                              std::string_view status,
                              std::string_view result)
{
    ++webhooks_[{std::string(direction), std::string(status), std::string(result)}];
}

std::uint64_t gateway_metrics::ome_requests(std::string_view kind, std::string_view result) const
{
    auto it = ome_requests_.find({std::string(kind), std::string(result)});
    return it == ome_requests_.end() ? 0 : it->second;
}

std::uint64_t gateway_metrics::webhooks(std::string_view direction,
                                        std::string_view status,
                                        std::string_view result) const
{
    auto it = webhooks_.find({std::string(direction), std::string(status), std::string(result)});
    return it == webhooks_.end() ? 0 : it->second;
}

std::string gateway_metrics::render() const
{
    util::prometheus_text out;
    out.family(
        "ovs_gateway_ome_requests_total", "counter", "OME REST API requests by kind and result.");
    for (const auto& [key, n] : ome_requests_) {
        out.sample("ovs_gateway_ome_requests_total",
                   {{"kind", std::get<0>(key)}, {"result", std::get<1>(key)}},
                   n);
    }
    out.family(
        "ovs_gateway_poll_duration_seconds", "histogram", "Time of one poll of OME's stream list.");
    poll_latency.render(out, "ovs_gateway_poll_duration_seconds");
    out.family(
        "ovs_gateway_webhooks_total", "counter", "AdmissionWebhooks by direction, status, result.");
    for (const auto& [key, n] : webhooks_) {
        out.sample("ovs_gateway_webhooks_total",
                   {{"direction", std::get<0>(key)},
                    {"status", std::get<1>(key)},
                    {"result", std::get<2>(key)}},
                   n);
    }
    out.family("ovs_gateway_admission_duration_seconds", "histogram", "Webhook opening to answer.");
    admission_latency.render(out, "ovs_gateway_admission_duration_seconds");
    out.family("ovs_gateway_outputs_ready_seconds",
               "histogram",
               "A stream appearing (admitted or listed) to OME's outputs existing (playable).");
    outputs_ready.render(out, "ovs_gateway_outputs_ready_seconds");
    out.single("ovs_gateway_outputs_failed_total",
               "counter",
               "Streams whose outputs did not start within gateway.outputs_timeout_ms.",
               outputs_failed);
    out.single(
        "ovs_gateway_link_up", "gauge", "Room service links with a completed hello.", links_up);
    out.family("ovs_gateway_link_handshake_failures_total",
               "counter",
               "Link connections refused before authenticating, by reason.");
    for (const auto& [reason, n] : link_handshake_failures) {
        out.sample("ovs_gateway_link_handshake_failures_total", {{"reason", reason}}, n);
    }
    out.single("ovs_gateway_kicks_refused_total",
               "counter",
               "Kicks refused: not a configured seat's stream.",
               kicks_refused_);
    out.single("ovs_gateway_kicks_owed",
               "gauge",
               "Kicks not yet confirmed by OME's stream list.",
               kicks_owed);
    out.single("ovs_gateway_kick_retries_total",
               "counter",
               "DELETEs sent again for a kick still owed.",
               kick_retries_);
    out.single("ovs_gateway_kicks_confirmed_total",
               "counter",
               "Kicks whose stream OME's list no longer shows.",
               kicks_confirmed_);
    out.single("ovs_gateway_streams_known",
               "gauge",
               "Streams the gateway reports as live.",
               streams_known);
    out.single("ovs_gateway_ome_reachable",
               "gauge",
               "1 when the last OME poll succeeded.",
               ome_reachable ? 1 : 0);
    if (edges_configured > 0) {
        out.single("ovs_gateway_edges_in_rotation",
                   "gauge",
                   "OME edges viewers are sent to (answering).",
                   edges_in_rotation);
        out.single("ovs_gateway_edges_configured",
                   "gauge",
                   "OME edges in the config (ome.edges).",
                   edges_configured);
    }
    return out.take();
}

}  // namespace ovs::gateway
