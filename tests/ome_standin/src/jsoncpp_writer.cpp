#include "jsoncpp_writer.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace ovs::ome_standin {
namespace {

void append_hex16(std::string& out, unsigned value)
{
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\u";
    out += digits[(value >> 12) & 0xF];
    out += digits[(value >> 8) & 0xF];
    out += digits[(value >> 4) & 0xF];
    out += digits[value & 0xF];
}

// Decodes one UTF-8 sequence starting at s[i]; advances i. Invalid bytes come
// back as U+FFFD, which is what jsoncpp's decoder yields for them too.
std::uint32_t next_codepoint(std::string const& s, std::size_t& i)
{
    auto const byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char const lead = byte(i);
    std::size_t length = 1;
    std::uint32_t cp = lead;
    if (lead >= 0xF0 && lead < 0xF8) {
        length = 4;
        cp = lead & 0x07u;
    } else if (lead >= 0xE0) {
        length = 3;
        cp = lead & 0x0Fu;
    } else if (lead >= 0xC0) {
        length = 2;
        cp = lead & 0x1Fu;
    } else if (lead >= 0x80) {
        ++i;
        return 0xFFFD;
    }
    if (i + length > s.size()) {
        i = s.size();
        return 0xFFFD;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            i += k;
            return 0xFFFD;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    i += length;
    return cp;
}

void append_quoted(std::string& out, std::string const& s)
{
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        char const c = s[i];
        switch (c) {
            case '"':
                out += "\\\"";
                ++i;
                continue;
            case '\\':
                out += "\\\\";
                ++i;
                continue;
            case '\b':
                out += "\\b";
                ++i;
                continue;
            case '\f':
                out += "\\f";
                ++i;
                continue;
            case '\n':
                out += "\\n";
                ++i;
                continue;
            case '\r':
                out += "\\r";
                ++i;
                continue;
            case '\t':
                out += "\\t";
                ++i;
                continue;
            default:
                break;
        }
        std::uint32_t const cp = next_codepoint(s, i);
        if (cp >= 0x20 && cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x10000) {
            append_hex16(out, cp);
        } else {
            std::uint32_t const v = cp - 0x10000;
            append_hex16(out, 0xD800 + ((v >> 10) & 0x3FF));
            append_hex16(out, 0xDC00 + (v & 0x3FF));
        }
    }
    out += '"';
}

void write_value(std::string& out, nlohmann::json const& v)
{
    switch (v.type()) {
        case nlohmann::json::value_t::null:
        case nlohmann::json::value_t::discarded:
            out += "null";
            return;
        case nlohmann::json::value_t::boolean:
            out += v.get<bool>() ? "true" : "false";
            return;
        case nlohmann::json::value_t::number_integer:
            out += std::to_string(v.get<std::int64_t>());
            return;
        case nlohmann::json::value_t::number_unsigned:
            out += std::to_string(v.get<std::uint64_t>());
            return;
        case nlohmann::json::value_t::number_float:
            out += format_jsoncpp_double(v.get<double>());
            return;
        case nlohmann::json::value_t::string:
            append_quoted(out, v.get_ref<std::string const&>());
            return;
        case nlohmann::json::value_t::binary:
            out += "null";
            return;
        case nlohmann::json::value_t::array: {
            out += '[';
            bool first = true;
            for (auto const& item : v) {
                if (!first) out += ',';
                first = false;
                write_value(out, item);
            }
            out += ']';
            return;
        }
        case nlohmann::json::value_t::object: {
            // nlohmann's default object is a std::map: keys already in byte
            // order, which is jsoncpp's order too.
            out += '{';
            bool first = true;
            for (auto const& [key, item] : v.items()) {
                if (!first) out += ',';
                first = false;
                append_quoted(out, key);
                out += ':';
                write_value(out, item);
            }
            out += '}';
            return;
        }
    }
}

}  // namespace

std::string format_jsoncpp_double(double value)
{
    if (!std::isfinite(value)) return "null";
    char buffer[64];
    int const n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
    std::string text(buffer, static_cast<std::size_t>(n > 0 ? n : 0));
    if (text.find('.') == std::string::npos && text.find('e') == std::string::npos) text += ".0";
    return text;
}

std::string write_jsoncpp(nlohmann::json const& value)
{
    std::string out;
    write_value(out, value);
    return out;
}

}  // namespace ovs::ome_standin
