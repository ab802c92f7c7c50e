#pragma once
// The kinds of key the schema is made of (integer, duration, text, endpoint,
// ...): each knows how to read its value through map_reader, how describe()
// shows it and how two values compare. A key names its struct member, so the
// default is the member's initializer in config.hpp and never written twice.

#include "schema.hpp"

#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ovs::config::detail {

template <class>
inline constexpr bool unknown_part = false;

// Where the struct S lives in a config: the one place that says so.
template <class S, class C>
auto& part(C& c)
{
    if constexpr (std::is_same_v<S, config>) {
        return c;
    } else if constexpr (std::is_same_v<S, ome_config>) {
        return c.ome;
    } else if constexpr (std::is_same_v<S, ome_config::api_t>) {
        return c.ome.api;
    } else if constexpr (std::is_same_v<S, room_service_config>) {
        return c.room;
    } else if constexpr (std::is_same_v<S, ws_limits>) {
        return c.room.limits;
    } else if constexpr (std::is_same_v<S, gateway_config>) {
        return c.gateway;
    } else if constexpr (std::is_same_v<S, link_config>) {
        return c.link;
    } else if constexpr (std::is_same_v<S, store_config>) {
        return c.store;
    } else if constexpr (std::is_same_v<S, store_config::redis_t>) {
        return c.store.redis;
    } else {
        static_assert(unknown_part<S>, "add the struct to part()");
    }
}

std::string show_endpoint(const endpoint& ep);
std::string show_tls_port(const tls_port& p);
// Secrets are only ever reported as present or absent.
std::string show_presence(const std::string& secret);
// `empty_means` stands in for an empty text or list ("(same origin)").
std::string show_text(const std::string& text, const char* empty_means);
std::string show_list(const std::vector<std::string>& items, const char* empty_means);

// A key whose value is the member `member` of the struct S, read by `read`
// (map_reader, key, field) and shown by `show` (field).
template <class S, class T, class Read, class Show>
key_spec member_key(std::string key, T S::*member, std::string doc, Read read, Show show)
{
    key_spec k;
    k.read = [key, member, read](map_reader& m, config& c) { read(m, key, part<S>(c).*member); };
    k.show = [member, show](const config& c) { return show(part<S>(c).*member); };
    k.same = [member](const config& a, const config& b) {
        return part<S>(a).*member == part<S>(b).*member;
    };
    k.key = std::move(key);
    k.doc = std::move(doc);
    return k;
}

template <class S, class Int>
key_spec integer_key(std::string key, Int S::*member, long long lo, long long hi, std::string doc)
{
    auto k = member_key(
        std::move(key),
        member,
        std::move(doc),
        [lo, hi](map_reader& m, const std::string& name, Int& out) {
            m.integer(name, out, lo, hi);
        },
        [](const Int& v) { return std::to_string(v); });
    k.range = {lo, hi};
    return k;
}

// Written in milliseconds; the key's name ends in _ms.
template <class S>
key_spec duration_key(
    std::string key, millis S::*member, long long lo, long long hi, std::string doc)
{
    auto k = member_key(
        std::move(key),
        member,
        std::move(doc),
        [lo, hi](map_reader& m, const std::string& name, millis& out) {
            m.duration(name, out, lo, hi);
        },
        [](const millis& v) { return std::to_string(v.count()); });
    k.range = {lo, hi};
    return k;
}

template <class S>
key_spec boolean_key(std::string key, bool S::*member, std::string doc)
{
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [](map_reader& m, const std::string& name, bool& out) { m.boolean(name, out); },
        [](const bool& v) { return std::string(v ? "true" : "false"); });
}

// A port something dials: 1..65535.
template <class S>
key_spec port_key(std::string key, std::uint16_t S::*member, std::string doc)
{
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [](map_reader& m, const std::string& name, std::uint16_t& out) {
            m.port(name, out, false);
        },
        [](const std::uint16_t& v) { return std::to_string(v); });
}

// { address, port }; a listener (`listen`) may use port 0 (any free port).
template <class S>
key_spec endpoint_key(std::string key, endpoint S::*member, bool listen, std::string doc)
{
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [listen](map_reader& m, const std::string& name, endpoint& out) {
            m.endpoint_value(name, out, listen);
        },
        show_endpoint);
}

template <class S>
key_spec tls_port_key(std::string key, tls_port S::*member, std::string doc)
{
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [](map_reader& m, const std::string& name, tls_port& out) { m.tls_port_value(name, out); },
        show_tls_port);
}

template <class S>
key_spec text_key(std::string key,
                  std::string S::*member,
                  const text_rule& rule,
                  std::string doc,
                  const char* empty_means = "(empty)")
{
    auto k = member_key(
        std::move(key),
        member,
        std::move(doc),
        [&rule](map_reader& m, const std::string& name, std::string& out) {
            m.text(name, out, rule);
        },
        [empty_means](const std::string& v) { return show_text(v, empty_means); });
    k.rule = &rule;
    k.text_field = [member](config& c) -> std::string& { return part<S>(c).*member; };
    return k;
}

// A secret: any text without control characters here (the required check
// comes after the environment); `env` (and env_FILE) overrides it for the
// services in `readers`, and the other service drops it.
template <class S>
key_spec secret_key(
    std::string key, std::string S::*member, const char* env, read_by readers, std::string doc)
{
    auto k = member_key(
        std::move(key),
        member,
        std::move(doc),
        [](map_reader& m, const std::string& name, std::string& out) {
            m.text(name, out, secret_text, true);
        },
        show_presence);
    k.secret = true;
    k.env = env;
    k.readers = readers;
    k.rule = &secret_text;
    k.text_field = [member](config& c) -> std::string& { return part<S>(c).*member; };
    return k;
}

template <class S>
key_spec text_list_key(std::string key,
                       std::vector<std::string> S::*member,
                       const text_rule& rule,
                       std::string doc,
                       const char* empty_means)
{
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [&rule](map_reader& m, const std::string& name, std::vector<std::string>& out) {
            m.text_list(name, out, rule);
        },
        [empty_means](const std::vector<std::string>& v) { return show_list(v, empty_means); });
}

// One of a few words, each naming an enum value.
template <class S, class E>
key_spec choice_key(std::string key,
                    E S::*member,
                    std::vector<std::pair<const char*, E>> words,
                    std::string doc)
{
    std::string expected;
    for (std::size_t i = 0; i < words.size(); ++i) {
        expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ");
        expected += words[i].first;
    }
    return member_key(
        std::move(key),
        member,
        std::move(doc),
        [words, expected](map_reader& m, const std::string& name, E& out) {
            const auto v = m.get(name);
            if (!v) {
                return;
            }
            for (const auto& [word, value] : words) {
                if (v->IsScalar() && v->Scalar() == word) {
                    out = value;
                    return;
                }
            }
            m.context().fail(m.path_of(name), line_of(*v), expected, describe_found(*v, false));
        },
        [words](const E& v) {
            for (const auto& [word, value] : words) {
                if (value == v) {
                    return std::string(word);
                }
            }
            return std::string("?");
        });
}

// A key with a reader of its own (lists of maps: ome.edges, room.gateways,
// rooms), shown and compared by its own functions.
key_spec custom_key(std::string key,
                    std::string doc,
                    std::function<void(map_reader&, config&)> read,
                    std::function<std::string(const config&)> show,
                    std::function<bool(const config&, const config&)> same);

// A key that is a nested map of keys (ome.api, room.limits, the sections).
key_spec nested_key(std::string key, std::string doc, const section_spec& section);

// The same key, overridden by the environment variable `env` (a non-secret:
// its value must pass the key's text rule).
key_spec with_env(key_spec k, const char* env);

}  // namespace ovs::config::detail
