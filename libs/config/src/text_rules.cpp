#include "text_rules.hpp"

#include <algorithm>

namespace ovs::config::detail {

namespace {

bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool all_of(std::string_view text, bool (*pred)(char))
{
    return std::all_of(text.begin(), text.end(), pred);
}

bool host_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '_';
}

bool segment_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_';
}

bool room_id_char(char c)
{
    return is_lower_alnum(c) || c == '-' || c == '_';
}

bool stream_char(char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

bool accept_any(std::string_view)
{
    return true;
}

bool accept_non_empty(std::string_view t)
{
    return !t.empty() && !has_control_chars(t);
}

bool accept_host(std::string_view t)
{
    return !t.empty() && t.size() <= 253 && all_of(t, host_char);
}

bool accept_optional_host(std::string_view t)
{
    return t.empty() || accept_host(t);
}

bool accept_segment(std::string_view t)
{
    return !t.empty() && t.size() <= 64 && t != "." && t != ".." && all_of(t, segment_char);
}

bool accept_room_id(std::string_view t)
{
    return !t.empty() && t.size() <= 32 && all_of(t, room_id_char);
}

bool accept_stream_prefix(std::string_view t)
{
    return !t.empty() && t.size() <= 48 && all_of(t, stream_char);
}

bool accept_title(std::string_view t)
{
    return t.size() <= 100 && !has_control_chars(t);
}

bool accept_origin(std::string_view t)
{
    if (t == "*") {
        return true;
    }
    std::string_view rest;
    if (t.substr(0, 7) == "http://") {
        rest = t.substr(7);
    } else if (t.substr(0, 8) == "https://") {
        rest = t.substr(8);
    } else {
        return false;
    }
    // host[:port]; IPv6 literals in brackets.
    auto ok = [](char c) { return host_char(c) || c == '[' || c == ']'; };
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), ok);
}

bool accept_secret(std::string_view t)
{
    return !has_control_chars(t);
}

}  // namespace

bool has_control_chars(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

const text_rule any_text{accept_any, "a string"};
const text_rule non_empty_text{accept_non_empty, "a non-empty string without control characters"};
const text_rule host_text{accept_host, "a host name or IP address"};
const text_rule optional_host_text{accept_optional_host,
                                   "a host name or IP address, or \"\" for the default"};
const text_rule url_segment_text{accept_segment,
                                 "a name of 1 to 64 characters from A-Z a-z 0-9 . _ -"};
const text_rule room_id_text{accept_room_id, "a room id of 1 to 32 characters from a-z 0-9 _ -"};
const text_rule stream_prefix_text{
    accept_stream_prefix, "a stream name prefix of 1 to 48 characters from A-Z a-z 0-9 _ -"};
const text_rule title_text{accept_title,
                           "a title of at most 100 characters, no control characters"};
const text_rule origin_text{accept_origin,
                            "\"*\" or an origin like https://example.com[:port] (no path)"};
const text_rule secret_text{accept_secret, "a string without control characters"};

}  // namespace ovs::config::detail
