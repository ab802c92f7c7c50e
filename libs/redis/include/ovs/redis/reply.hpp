#pragma once
// One Redis reply as a plain value (RESP2: what Redis 7 speaks unless a
// client asks for RESP3). Built from hiredis's redisReply by resp_reader, so
// callers never touch hiredis memory.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::redis {

enum class reply_kind { nil, status, error, integer, string, array };

struct reply {
    reply_kind kind = reply_kind::nil;
    std::string text;          // status, error and string replies
    std::int64_t integer = 0;  // integer replies
    std::vector<reply> items;  // array replies

    bool is_nil() const { return kind == reply_kind::nil; }
    bool is_error() const { return kind == reply_kind::error; }
    bool is_array() const { return kind == reply_kind::array; }
    // An error reply whose code (first word) is `code`, e.g. "NOSCRIPT".
    bool is_error_code(std::string_view code) const;

    // The value as text: string and status replies, and integers in decimal.
    std::optional<std::string> as_text() const;
    // The value as an integer: integer replies, and strings that hold one.
    std::optional<std::int64_t> as_integer() const;

    bool operator==(const reply&) const = default;

    static reply make_nil() { return {}; }
    static reply make_status(std::string s) { return {reply_kind::status, std::move(s), 0, {}}; }
    static reply make_error(std::string s) { return {reply_kind::error, std::move(s), 0, {}}; }
    static reply make_string(std::string s) { return {reply_kind::string, std::move(s), 0, {}}; }
    static reply make_integer(std::int64_t i) { return {reply_kind::integer, {}, i, {}}; }
    static reply make_array(std::vector<reply> v)
    {
        return {reply_kind::array, {}, 0, std::move(v)};
    }
};

// redis-cli-like rendering for logs and test failures: "OK", "(error) ERR x",
// "(integer) 3", "\"text\"", "(nil)", "[a, b]". Strings are shown up to
// `max_text` bytes.
std::string describe(const reply& r, std::size_t max_text = 200);

}  // namespace ovs::redis
