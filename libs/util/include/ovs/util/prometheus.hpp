#pragma once
// Prometheus text exposition (format 0.0.4), written one way for every
// service: a family's HELP and TYPE lines, then its samples. Label values are
// escaped as the format asks (backslash, double quote, newline), so a room
// name or a reason can never break a line. No client library: each service
// keeps its counters itself and renders them here on GET /metrics.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ovs::util {

using metric_labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class prometheus_text {
public:
    // "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram).
    void family(std::string_view name, std::string_view type, std::string_view help);
    // "name{k="v",...} value"; no braces when `labels` is empty.
    void sample(std::string_view name, metric_labels labels, std::uint64_t value);
    void sample(std::string_view name, metric_labels labels, double value);
    // A family with one unlabelled sample: the common counter or gauge.
    void single(std::string_view name,
                std::string_view type,
                std::string_view help,
                std::uint64_t value);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void name_and_labels(std::string_view name, metric_labels labels);
    std::string out_;
};

// A double as Prometheus reads it: shortest round-trip-safe "%.9g" text,
// "+Inf" for infinity.
std::string prometheus_number(double value);

}  // namespace ovs::util
