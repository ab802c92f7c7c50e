#include <ovs/util/text.hpp>
#include <ovs/util/url.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <charconv>

namespace ovs::util {

namespace urls = boost::urls;

std::string percent_encode(std::string_view text)
{
    return urls::encode(text, urls::unreserved_chars);
}

std::optional<std::string> percent_decode(std::string_view text, bool allow_nul)
{
    auto pct = urls::make_pct_string_view(text);
    if (!pct) return std::nullopt;
    std::string out = pct->decode();
    if (!allow_nul && out.find('\0') != std::string::npos) return std::nullopt;
    return out;
}

std::string_view target_path(std::string_view target)
{
    return target.substr(0, target.find_first_of("?#"));
}

std::optional<std::string> query_param(std::string_view target,
                                       std::string_view key,
                                       bool plus_is_space)
{
    auto q = target.find('?');
    std::string_view query = q == std::string_view::npos ? target : target.substr(q + 1);
    if (q == std::string_view::npos && target.starts_with('/')) return std::nullopt;
    query = query.substr(0, query.find('#'));
    // A relative reference "?<query>" parses the query as Boost.URL does for
    // any URL: params() decodes keys and values, '+' as a space.
    std::string relative = "?";
    relative += query;
    auto ref = urls::parse_relative_ref(relative);
    if (!ref) return std::nullopt;
    urls::encoding_opts opts;
    opts.space_as_plus = plus_is_space;
    for (auto param : ref->params(opts)) {
        if (param.key != key) continue;
        if (!param.has_value) return std::string{};
        return std::string(param.value);
    }
    return std::nullopt;
}

std::optional<url_parts> parse_url(std::string_view text)
{
    // The query is split off first and kept raw: it is decoded only when a
    // parameter is read, so a bad escape in one parameter (a token OME
    // passes through) makes that parameter unreadable, not the whole URL,
    // which Boost.URL would refuse. No '?' can come earlier: it is not
    // allowed unencoded in the scheme, authority or path.
    const auto fragment = text.find('#');
    const auto question = text.find('?');
    std::string_view query;
    if (question != std::string_view::npos && question < fragment) {
        const auto end = fragment == std::string_view::npos ? text.size() : fragment;
        query = text.substr(question + 1, end - question - 1);
    }
    auto u = urls::parse_uri(text.substr(0, std::min(question, fragment)));
    if (!u) return std::nullopt;
    url_parts out;
    out.scheme = lower(u->scheme());
    if (u->host_type() == urls::host_type::ipv6) {
        out.host = std::string(u->host_address());
    } else {
        out.host = std::string(u->host());
    }
    if (u->has_port()) {
        // Read from the text: Boost 1.81's port_number() wraps a number
        // over 65535 around (99999 -> 34463) instead of refusing it.
        const std::string_view digits = u->port();
        unsigned number = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            number > 65535)
            return std::nullopt;
        out.port = static_cast<std::uint16_t>(number);
    }
    for (auto seg : u->segments()) out.segments.emplace_back(seg);
    out.query = std::string(query);
    return out;
}

std::string url_host(std::string_view host)
{
    if (host.find(':') != std::string_view::npos && !host.starts_with('[')) {
        return "[" + std::string(host) + "]";
    }
    return std::string(host);
}

std::string make_url(std::string_view scheme,
                     std::string_view host,
                     std::optional<std::uint16_t> port,
                     const std::vector<std::string>& segments,
                     const std::vector<std::pair<std::string, std::string>>& query)
{
    // Boost.URL writes the scheme and the authority (host checked and
    // encoded, IPv6 bracketed). The path and query are appended by hand, in
    // our own stricter encoding (everything but unreserved): Boost 1.81's
    // path setters write "/" as "/./" and a path starting with an empty
    // segment as "/.//".
    urls::url u;
    u.set_scheme(scheme);
    u.set_host(url_host(host));
    if (port) u.set_port_number(*port);
    std::string out(u.buffer());
    if (segments.empty()) out += '/';
    for (const auto& s : segments) out += "/" + percent_encode(s);
    char separator = '?';
    for (const auto& [k, v] : query) {
        out += separator;
        out += percent_encode(k) + "=" + percent_encode(v);
        separator = '&';
    }
    return out;
}

}  // namespace ovs::util
