#include "yaml_reader.hpp"

#include <charconv>
#include <utility>

namespace ovs::config::detail {

namespace {

std::string join_keys(const std::vector<std::string_view>& keys)
{
    std::string out;
    for (auto k : keys) {
        if (!out.empty()) {
            out += ", ";
        }
        out += k;
    }
    return out;
}

std::string range_words(const char* kind, long long lo, long long hi)
{
    return std::string(kind) + " from " + std::to_string(lo) + " to " + std::to_string(hi);
}

// Decimal only: yaml-cpp would also take 0x1F or 1e3, which hide typos.
std::optional<long long> parse_decimal(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    std::size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    if (start == text.size()) {
        return std::nullopt;
    }
    long long value = 0;
    auto digits = text.substr(start);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        // Too big for any range we accept: report as out of range.
        return text[0] == '-' ? std::numeric_limits<long long>::min()
                              : std::numeric_limits<long long>::max();
    }
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return text[0] == '-' ? -value : value;
}

}  // namespace

int line_of(const YAML::Node& node)
{
    auto mark = node.Mark();
    return mark.is_null() ? -1 : mark.line + 1;
}

std::string quote(std::string_view text)
{
    constexpr std::size_t max_shown = 60;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
        auto u = static_cast<unsigned char>(text[i]);
        out += (u < 0x20 || u == 0x7f) ? '?' : text[i];
    }
    if (text.size() > max_shown) {
        out += "...";
    }
    out += "'";
    return out;
}

std::string describe_found(const YAML::Node& node, bool secret)
{
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return secret ? "a hidden value" : quote(node.Scalar());
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

void load_context::fail(const std::string& path,
                        int line,
                        const std::string& expected,
                        const std::string& got) const
{
    std::string msg = source_ + ": " + path;
    if (line > 0) {
        msg += " (line " + std::to_string(line) + ")";
    }
    msg += ": expected " + expected + ", got " + got;
    throw config_error(msg);
}

int load_context::line_of(const std::string& path) const
{
    auto it = lines_.find(path);
    return it == lines_.end() ? -1 : it->second;
}

map_reader::map_reader(load_context& ctx,
                       const YAML::Node& node,
                       std::string path,
                       std::vector<std::string_view> allowed)
    : ctx_(ctx), path_(std::move(path))
{
    if (!node.IsDefined() || node.IsNull()) {
        return;
    }
    if (!node.IsMap()) {
        ctx_.fail(path_.empty() ? std::string("(top level)") : path_,
                  line_of(node),
                  "a map of settings",
                  describe_found(node, false));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        // Copies: yaml-cpp's iterator hands out a temporary proxy, so a
        // reference to it->first would dangle.
        const YAML::Node key_node = it->first;
        const YAML::Node value = it->second;
        if (!key_node.IsScalar()) {
            ctx_.fail(path_.empty() ? std::string("(top level)") : path_,
                      line_of(key_node),
                      "a key name",
                      describe_found(key_node, false));
        }
        std::string key = key_node.Scalar();
        bool known = false;
        for (auto a : allowed) {
            known = known || a == key;
        }
        if (!known) {
            ctx_.fail(path_of(key),
                      line_of(key_node),
                      "one of the keys " + join_keys(allowed),
                      "unknown key " + quote(key));
        }
        for (const auto& e : entries_) {
            if (e.key == key) {
                ctx_.fail(
                    path_of(key),
                    line_of(key_node),
                    "each key once",
                    "a second '" + key + "' (first at line " + std::to_string(e.key_line) + ")");
            }
        }
        entries_.push_back({key, line_of(key_node), value});
        ctx_.remember(path_of(key), line_of(value) > 0 ? line_of(value) : line_of(key_node));
    }
}

std::string map_reader::path_of(std::string_view key) const
{
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::optional<YAML::Node> map_reader::get(std::string_view key) const
{
    for (const auto& e : entries_) {
        if (e.key == key) {
            return e.value;
        }
    }
    return std::nullopt;
}

long long map_reader::read_integer(const std::string& path,
                                   const YAML::Node& v,
                                   long long lo,
                                   long long hi)
{
    std::optional<long long> value;
    if (v.IsScalar()) {
        value = parse_decimal(v.Scalar());
    }
    if (!value || *value < lo || *value > hi) {
        ctx_.fail(path, line_of(v), range_words("an integer", lo, hi), describe_found(v, false));
    }
    return *value;
}

void map_reader::duration(std::string_view key, millis& out, long long lo_ms, long long hi_ms)
{
    if (auto v = get(key)) {
        auto path = path_of(key);
        std::optional<long long> value;
        if (v->IsScalar()) {
            value = parse_decimal(v->Scalar());
        }
        if (!value || *value < lo_ms || *value > hi_ms) {
            ctx_.fail(path,
                      line_of(*v),
                      "a duration in milliseconds from " + std::to_string(lo_ms) + " to " +
                          std::to_string(hi_ms),
                      describe_found(*v, false));
        }
        out = millis{*value};
    }
}

void map_reader::boolean(std::string_view key, bool& out)
{
    auto v = get(key);
    if (!v) {
        return;
    }
    if (v->IsScalar()) {
        const auto& s = v->Scalar();
        if (s == "true" || s == "True" || s == "TRUE") {
            out = true;
            return;
        }
        if (s == "false" || s == "False" || s == "FALSE") {
            out = false;
            return;
        }
    }
    ctx_.fail(path_of(key), line_of(*v), "true or false", describe_found(*v, false));
}

std::string map_reader::read_text(const std::string& path,
                                  const YAML::Node& v,
                                  const text_rule& rule,
                                  bool secret)
{
    // `key:` with nothing after it reads as "".
    std::string text;
    if (v.IsScalar()) {
        text = v.Scalar();
    } else if (!v.IsNull()) {
        ctx_.fail(path, line_of(v), rule.what, describe_found(v, secret));
    }
    if (!rule.accepts(text)) {
        ctx_.fail(path, line_of(v), rule.what, describe_found(v, secret));
    }
    return text;
}

void map_reader::text(std::string_view key, std::string& out, const text_rule& rule, bool secret)
{
    if (auto v = get(key)) {
        out = read_text(path_of(key), *v, rule, secret);
    }
}

void map_reader::text_list(std::string_view key,
                           std::vector<std::string>& out,
                           const text_rule& rule)
{
    auto v = get(key);
    if (!v) {
        return;
    }
    auto path = path_of(key);
    if (v->IsNull()) {
        out.clear();
        return;
    }
    if (!v->IsSequence()) {
        ctx_.fail(
            path, line_of(*v), std::string("a list of ") + rule.what, describe_found(*v, false));
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < v->size(); ++i) {
        auto item_path = path + "[" + std::to_string(i) + "]";
        items.push_back(read_text(item_path, (*v)[i], rule, false));
    }
    out = std::move(items);
}

void map_reader::port(std::string_view key, std::uint16_t& out, bool allow_zero)
{
    integer(key, out, allow_zero ? 0 : 1, 65535);
}

void map_reader::endpoint_value(std::string_view key, endpoint& out, bool listen)
{
    auto m = child(key, {"address", "port"});
    m.text("address", out.address, host_text);
    m.port("port", out.port, listen);
}

void map_reader::tls_port_value(std::string_view key, tls_port& out)
{
    auto m = child(key, {"tls", "port"});
    m.boolean("tls", out.tls);
    m.port("port", out.port, false);
}

map_reader map_reader::child(std::string_view key, std::vector<std::string_view> allowed)
{
    auto v = get(key);
    return map_reader(ctx_, v ? *v : YAML::Node(), path_of(key), std::move(allowed));
}

}  // namespace ovs::config::detail
