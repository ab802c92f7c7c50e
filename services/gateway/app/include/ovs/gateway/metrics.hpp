#pragma once
// The gateway's Prometheus metrics: plain counters and histograms updated from
// the io_context thread, rendered as text exposition format on GET /metrics.
// No client library: the handful of series below is all there is, written
// with the shared text writer (libs/util prometheus.hpp).

#include <ovs/util/prometheus.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace ovs::gateway {

// Cumulative histogram with fixed upper bounds (seconds).
class histogram {
public:
    explicit histogram(std::vector<double> upper_bounds);
    void observe(double seconds);
    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    // Appends `name_bucket{le=..}`, `name_sum` and `name_count` samples.
    void render(util::prometheus_text& out, std::string_view name) const;

private:
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;  // per bound, not cumulative
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

class gateway_metrics {
public:
    gateway_metrics();

    // kind: "list", "detail", "version", "delete"; result: "ok" or an
    // ome_error_kind name ("unreachable", "stream_not_found", ...).
    void ome_request(std::string_view kind, std::string_view result);
    // direction: "incoming"/"outgoing"/"unknown"; status: "opening"/"closing"/
    // "unknown"; result: "allowed", "denied", "ack", "bad_signature",
    // "bad_request".
    void webhook(std::string_view direction, std::string_view status, std::string_view result);

    // A kick for a stream that is not a configured seat's (refused, not sent).
    void kick_refused() { ++kicks_refused_; }
    std::uint64_t kicks_refused() const { return kicks_refused_; }
    // A DELETE sent again for a kick still owed (an earlier one failed, or
    // OME still listed the stream after answering it).
    void kick_retried() { ++kick_retries_; }
    // A kick's obligation ended: OME's list no longer shows the stream.
    void kick_confirmed() { ++kicks_confirmed_; }
    // Kicks owed to OME right now (gauge).
    std::size_t kicks_owed = 0;

    std::uint64_t ome_requests(std::string_view kind, std::string_view result) const;
    std::uint64_t webhooks(std::string_view direction,
                           std::string_view status,
                           std::string_view result) const;

    histogram poll_latency;            // one whole poll (list + new details)
    histogram admission_latency;       // webhook opening received -> answer ready
    histogram outputs_ready;           // stream appeared -> OME's outputs exist
    std::uint64_t outputs_failed = 0;  // streams that became "failed"
    std::size_t links_up = 0;
    // Link connections refused before they authenticated, by reason.
    std::map<std::string, std::uint64_t> link_handshake_failures;
    std::size_t streams_known = 0;
    bool ome_reachable = false;
    std::size_t edges_configured = 0;   // ome.edges
    std::size_t edges_in_rotation = 0;  // of those, answering their probes

    std::string render() const;

private:
    std::map<std::tuple<std::string, std::string>, std::uint64_t> ome_requests_;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> webhooks_;
    std::uint64_t kicks_refused_ = 0;
    std::uint64_t kick_retries_ = 0;
    std::uint64_t kicks_confirmed_ = 0;
};

}  // namespace ovs::gateway
