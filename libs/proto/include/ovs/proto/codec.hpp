#pragma once
// The NDJSON codec: one message <-> one line of JSON.
//
//   std::string line = ovs::proto::encode(ovs::proto::ping{});   // "{\"type\":\"ping\"}\n"
//   auto r = ovs::proto::decode(line);
//   if (!r) log(r.error().text);
//   else std::visit(handler, r.value());
//
// Decoding is strict about the fields a message needs (missing or wrongly
// typed fields are errors) and ignores fields it does not know, so a newer
// peer may add fields without breaking an older one.

#include <ovs/proto/messages.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ovs::proto {

// One JSON object on one line, with the trailing '\n'.
std::string encode(const message& m);

enum class decode_errc {
    bad_json,      // not JSON, or not UTF-8
    not_object,    // JSON, but not an object
    missing_type,  // no string "type" field
    unknown_type,  // a "type" this version does not know
    bad_field,     // a known type with a missing or wrongly typed field
    too_large,     // longer than the caller's limit (see decode's max_bytes)
};

// The wire error code ("bad_json", "bad_message", "too_large") for a decode error.
std::string_view wire_code(decode_errc e);

struct decode_error {
    decode_errc code = decode_errc::bad_json;
    std::string text;  // readable, e.g. "stream_up: field 'stream.name': expected a string"
    // When the line was an object with a "type" and an unsigned "id", they are
    // kept here so a request of unknown type can still be answered.
    std::string type;
    std::optional<std::uint64_t> id;
};

class decode_result {
public:
    decode_result(message m) : value_(std::move(m)) {}
    decode_result(decode_error e) : value_(std::move(e)) {}

    bool ok() const { return std::holds_alternative<message>(value_); }
    explicit operator bool() const { return ok(); }

    // Precondition: ok().
    const message& value() const { return std::get<message>(value_); }
    message& value() { return std::get<message>(value_); }
    // Precondition: !ok().
    const decode_error& error() const { return std::get<decode_error>(value_); }

private:
    std::variant<message, decode_error> value_;
};

// Decodes one line (a trailing "\n" or "\r\n" is allowed). A line longer than
// max_bytes (excluding the line ending) is `too_large` without being parsed.
decode_result decode(std::string_view line, std::size_t max_bytes = 65536);

}  // namespace ovs::proto
