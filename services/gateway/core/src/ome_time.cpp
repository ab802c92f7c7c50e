#include <ovs/gateway/ome_time.hpp>

namespace ovs::gateway {

namespace {

// Reads exactly `n` digits at `pos`; advances `pos`.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n)
{
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

bool expect(std::string_view s, std::size_t& pos, char c)
{
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<utc_millis> parse_ome_time(std::string_view s)
{
    using namespace std::chrono;
    std::size_t pos = 0;
    auto y = digits(s, pos, 4);
    if (!y || !expect(s, pos, '-')) return std::nullopt;
    auto mo = digits(s, pos, 2);
    if (!mo || !expect(s, pos, '-')) return std::nullopt;
    auto d = digits(s, pos, 2);
    if (!d || !expect(s, pos, 'T')) return std::nullopt;
    auto h = digits(s, pos, 2);
    if (!h || !expect(s, pos, ':')) return std::nullopt;
    auto mi = digits(s, pos, 2);
    if (!mi || !expect(s, pos, ':')) return std::nullopt;
    auto sec = digits(s, pos, 2);
    if (!sec) return std::nullopt;

    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        // Any number of fraction digits; the first three are milliseconds.
        std::size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 3) ms = ms * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) ms *= 10;
    }

    int offset_minutes = 0;
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        auto oh = digits(s, pos, 2);
        if (!oh) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        auto om = digits(s, pos, 2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset_minutes = sign * (*oh * 60 + *om);
    } else {
        return std::nullopt;  // a time without an offset is ambiguous
    }
    if (pos != s.size()) return std::nullopt;

    year_month_day date{
        year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!date.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
    auto local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*sec} + milliseconds{ms};
    return utc_millis{local - minutes{offset_minutes}};
}

}  // namespace ovs::gateway
