#include <ovs/redis/reply.hpp>

#include <charconv>

namespace ovs::redis {

bool reply::is_error_code(std::string_view code) const
{
    if (kind != reply_kind::error || text.size() < code.size()) return false;
    if (text.compare(0, code.size(), code) != 0) return false;
    return text.size() == code.size() || text[code.size()] == ' ';
}

std::optional<std::string> reply::as_text() const
{
    switch (kind) {
        case reply_kind::string:
        case reply_kind::status:
            return text;
        case reply_kind::integer:
            return std::to_string(integer);
        default:
            return std::nullopt;
    }
}

std::optional<std::int64_t> reply::as_integer() const
{
    if (kind == reply_kind::integer) return integer;
    if (kind != reply_kind::string && kind != reply_kind::status) return std::nullopt;
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || text.empty()) return std::nullopt;
    return v;
}

std::string describe(const reply& r, std::size_t max_text)
{
    auto clip = [&](const std::string& s) {
        return s.size() <= max_text ? s : s.substr(0, max_text) + "...";
    };
    switch (r.kind) {
        case reply_kind::nil:
            return "(nil)";
        case reply_kind::status:
            return clip(r.text);
        case reply_kind::error:
            return "(error) " + clip(r.text);
        case reply_kind::integer:
            return "(integer) " + std::to_string(r.integer);
        case reply_kind::string:
            return "\"" + clip(r.text) + "\"";
        case reply_kind::array: {
            std::string out = "[";
            for (std::size_t i = 0; i < r.items.size(); ++i) {
                if (i) out += ", ";
                out += describe(r.items[i], max_text);
            }
            return out + "]";
        }
    }
    return "?";
}

}  // namespace ovs::redis
