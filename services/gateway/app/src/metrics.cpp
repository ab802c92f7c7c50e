#include <ovs/gateway/metrics.hpp>

#include <cstdio>

namespace ovs::gateway {

namespace {

std::string number(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

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

void histogram::render(std::string& out, std::string_view name) const
{
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out.append(name).append("_bucket{le=\"").append(number(bounds_[i])).append("\"} ");
        out.append(std::to_string(cumulative)).append("\n");
    }
    out.append(name).append("_bucket{le=\"+Inf\"} ").append(std::to_string(count_)).append("\n");
    out.append(name).append("_sum ").append(number(sum_)).append("\n");
    out.append(name).append("_count ").append(std::to_string(count_)).append("\n");
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
    std::string out;
    out += "# HELP ovs_gateway_ome_requests_total OME REST API requests by kind and result.\n";
    out += "# TYPE ovs_gateway_ome_requests_total counter\n";
    for (const auto& [key, n] : ome_requests_) {
        out += "ovs_gateway_ome_requests_total{kind=\"" + std::get<0>(key) + "\",result=\"" +
               std::get<1>(key) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP ovs_gateway_poll_duration_seconds Time of one poll of OME's stream list.\n";
    out += "# TYPE ovs_gateway_poll_duration_seconds histogram\n";
    poll_latency.render(out, "ovs_gateway_poll_duration_seconds");
    out += "# HELP ovs_gateway_webhooks_total AdmissionWebhooks by direction, status, result.\n";
    out += "# TYPE ovs_gateway_webhooks_total counter\n";
    for (const auto& [key, n] : webhooks_) {
        out += "ovs_gateway_webhooks_total{direction=\"" + std::get<0>(key) + "\",status=\"" +
               std::get<1>(key) + "\",result=\"" + std::get<2>(key) + "\"} " + std::to_string(n) +
               "\n";
    }
    out += "# HELP ovs_gateway_admission_duration_seconds Webhook opening to answer.\n";
    out += "# TYPE ovs_gateway_admission_duration_seconds histogram\n";
    admission_latency.render(out, "ovs_gateway_admission_duration_seconds");
    out +=
        "# HELP ovs_gateway_outputs_ready_seconds A stream appearing (admitted or listed) "
        "to OME's outputs existing (playable).\n";
    out += "# TYPE ovs_gateway_outputs_ready_seconds histogram\n";
    outputs_ready.render(out, "ovs_gateway_outputs_ready_seconds");
    out +=
        "# HELP ovs_gateway_outputs_failed_total Streams whose outputs did not start within "
        "gateway.outputs_timeout_ms.\n";
    out += "# TYPE ovs_gateway_outputs_failed_total counter\n";
    out += "ovs_gateway_outputs_failed_total " + std::to_string(outputs_failed) + "\n";
    out += "# HELP ovs_gateway_link_up Room service links with a completed hello.\n";
    out += "# TYPE ovs_gateway_link_up gauge\n";
    out += "ovs_gateway_link_up " + std::to_string(links_up) + "\n";
    out +=
        "# HELP ovs_gateway_link_handshake_failures_total Link connections refused before "
        "authenticating, by reason.\n";
    out += "# TYPE ovs_gateway_link_handshake_failures_total counter\n";
    for (const auto& [reason, n] : link_handshake_failures) {
        out += "ovs_gateway_link_handshake_failures_total{reason=\"" + reason + "\"} " +
               std::to_string(n) + "\n";
    }
    out +=
        "# HELP ovs_gateway_kicks_refused_total Kicks refused: not a configured seat's stream.\n";
    out += "# TYPE ovs_gateway_kicks_refused_total counter\n";
    out += "ovs_gateway_kicks_refused_total " + std::to_string(kicks_refused_) + "\n";
    out += "# HELP ovs_gateway_kicks_owed Kicks not yet confirmed by OME's stream list.\n";
    out += "# TYPE ovs_gateway_kicks_owed gauge\n";
    out += "ovs_gateway_kicks_owed " + std::to_string(kicks_owed) + "\n";
    out += "# HELP ovs_gateway_kick_retries_total DELETEs sent again for a kick still owed.\n";
    out += "# TYPE ovs_gateway_kick_retries_total counter\n";
    out += "ovs_gateway_kick_retries_total " + std::to_string(kick_retries_) + "\n";
    out +=
        "# HELP ovs_gateway_kicks_confirmed_total Kicks whose stream OME's list no longer "
        "shows.\n";
    out += "# TYPE ovs_gateway_kicks_confirmed_total counter\n";
    out += "ovs_gateway_kicks_confirmed_total " + std::to_string(kicks_confirmed_) + "\n";
    out += "# HELP ovs_gateway_streams_known Streams the gateway reports as live.\n";
    out += "# TYPE ovs_gateway_streams_known gauge\n";
    out += "ovs_gateway_streams_known " + std::to_string(streams_known) + "\n";
    out += "# HELP ovs_gateway_ome_reachable 1 when the last OME poll succeeded.\n";
    out += "# TYPE ovs_gateway_ome_reachable gauge\n";
    out += std::string("ovs_gateway_ome_reachable ") + (ome_reachable ? "1" : "0") + "\n";
    if (edges_configured > 0) {
        out += "# HELP ovs_gateway_edges_in_rotation OME edges viewers are sent to (answering).\n";
        out += "# TYPE ovs_gateway_edges_in_rotation gauge\n";
        out += "ovs_gateway_edges_in_rotation " + std::to_string(edges_in_rotation) + "\n";
        out += "# HELP ovs_gateway_edges_configured OME edges in the config (ome.edges).\n";
        out += "# TYPE ovs_gateway_edges_configured gauge\n";
        out += "ovs_gateway_edges_configured " + std::to_string(edges_configured) + "\n";
    }
    return out;
}

}  // namespace ovs::gateway
