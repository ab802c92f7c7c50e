#pragma once
// Strict, typed reading of yaml-cpp nodes. Every problem becomes a
// config_error naming the source, the key path, the line, what was expected
// and what was found (never a secret's value).

#include "text_rules.hpp"

#include <ovs/config/config.hpp>

#include <yaml-cpp/yaml.h>

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::config::detail {

// 1-based line of a node, or -1 when it has none (absent key).
int line_of(const YAML::Node& node);

// "'fast'", "a map", "a list", "nothing"; secrets become "a hidden value".
std::string describe_found(const YAML::Node& node, bool secret);

// Quotes a scalar for a message, shortened and with control characters masked.
std::string quote(std::string_view text);

// One load: the source name and the line each key path was read from, so
// checks that run after reading can still point at the right line.
class load_context {
public:
    explicit load_context(std::string source) : source_(std::move(source)) {}

    const std::string& source() const { return source_; }

    // "<source>: <path> (line N): expected <expected>, got <got>"
    [[noreturn]] void fail(const std::string& path,
                           int line,
                           const std::string& expected,
                           const std::string& got) const;

    void remember(const std::string& path, int line) { lines_[path] = line; }
    int line_of(const std::string& path) const;

private:
    std::string source_;
    std::map<std::string, int> lines_;
};

// Reads one YAML map whose keys must all be in `allowed`. An absent or null
// node reads as an empty map, so every setting keeps its default.
class map_reader {
public:
    map_reader(load_context& ctx,
               const YAML::Node& node,
               std::string path,
               std::vector<std::string_view> allowed);

    load_context& context() { return ctx_; }
    const std::string& path() const { return path_; }
    std::string path_of(std::string_view key) const;

    // The value under `key`, or nullopt when the key is not there.
    std::optional<YAML::Node> get(std::string_view key) const;

    template <typename Int>
    void integer(std::string_view key, Int& out, long long lo, long long hi)
    {
        if (auto v = get(key)) {
            out = static_cast<Int>(read_integer(path_of(key), *v, lo, hi));
        }
    }
    void duration(std::string_view key, millis& out, long long lo_ms, long long hi_ms);
    void boolean(std::string_view key, bool& out);
    void text(std::string_view key, std::string& out, const text_rule& rule, bool secret = false);
    void text_list(std::string_view key, std::vector<std::string>& out, const text_rule& rule);
    // A port: 1..65535, or 0..65535 when `allow_zero` (listeners: 0 = ephemeral).
    void port(std::string_view key, std::uint16_t& out, bool allow_zero);
    // { address, port }; `listen` endpoints may use port 0.
    void endpoint_value(std::string_view key, endpoint& out, bool listen);
    // { tls, port }
    void tls_port_value(std::string_view key, tls_port& out);

    // A nested map under `key` (empty reader when absent).
    map_reader child(std::string_view key, std::vector<std::string_view> allowed);

    // Shared by readers: integers are decimal only, with an optional sign.
    long long read_integer(const std::string& path,
                           const YAML::Node& v,
                           long long lo,
                           long long hi);
    std::string read_text(const std::string& path,
                          const YAML::Node& v,
                          const text_rule& rule,
                          bool secret);

private:
    struct entry {
        std::string key;
        int key_line;
        YAML::Node value;
    };

    load_context& ctx_;
    std::string path_;
    std::vector<entry> entries_;
};

}  // namespace ovs::config::detail
