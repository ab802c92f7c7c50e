#include <ovs/util/prometheus.hpp>

#include <cmath>
#include <cstdio>

namespace ovs::util {

std::string prometheus_number(double value)
{
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", value);
    return buf;
}

void prometheus_text::family(std::string_view name, std::string_view type, std::string_view help)
{
    out_.append("# HELP ").append(name).append(" ");
    // HELP text escapes only backslash and newline.
    for (char c : help) {
        if (c == '\\')
            out_.append("\\\\");
        else if (c == '\n')
            out_.append("\\n");
        else
            out_.push_back(c);
    }
    out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void prometheus_text::name_and_labels(std::string_view name, metric_labels labels)
{
    out_.append(name);
    if (labels.size() == 0) return;
    out_.push_back('{');
    bool first = true;
    for (const auto& [key, value] : labels) {
        if (!first) out_.push_back(',');
        first = false;
        out_.append(key).append("=\"");
        for (char c : value) {
            if (c == '\\')
                out_.append("\\\\");
            else if (c == '"')
                out_.append("\\\"");
            else if (c == '\n')
                out_.append("\\n");
            else
                out_.push_back(c);
        }
        out_.push_back('"');
    }
    out_.push_back('}');
}

void prometheus_text::sample(std::string_view name, metric_labels labels, std::uint64_t value)
{
    name_and_labels(name, labels);
    out_.append(" ").append(std::to_string(value)).append("\n");
}

void prometheus_text::sample(std::string_view name, metric_labels labels, double value)
{
    name_and_labels(name, labels);
    out_.append(" ").append(prometheus_number(value)).append("\n");
}

void prometheus_text::single(std::string_view name,
                             std::string_view type,
                             std::string_view help,
                             std::uint64_t value)
{
    family(name, type, help);
    sample(name, {}, value);
}

}  // namespace ovs::util
