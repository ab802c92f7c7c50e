#include <ovs/redis/redis_url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace ovs::redis {

std::variant<server_address, url_error> parse_url(std::string_view url)
{
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return url_error{"not a URL (expected redis://host:port/db)"};
    const boost::urls::url_view u = *parsed;
    const std::string scheme(u.scheme());
    if (scheme == "rediss") {
        return url_error{"rediss:// (TLS) is not supported; use redis:// on a private network"};
    }
    if (scheme != "redis") return url_error{"the scheme must be redis://, not " + scheme + "://"};
    if (!u.has_authority() || u.host().empty()) return url_error{"the URL has no host"};
    if (u.has_query() || u.has_fragment())
        return url_error{"the URL must not have a query or fragment"};

    server_address a;
    if (u.host_type() == boost::urls::host_type::ipv6) {
        a.host = u.host_address();  // without the brackets
    } else {
        a.host = u.host();
    }
    if (u.has_port()) {
        const auto port = u.port_number();
        if (port == 0) return url_error{"the port must be 1..65535"};
        a.port = port;
    }
    if (u.has_userinfo()) {
        a.username = u.user();
        a.password = u.password();
    }
    std::string path = u.path();
    if (!path.empty() && path != "/") {
        std::string_view digits(path);
        digits.remove_prefix(1);
        unsigned db = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
        if (ec != std::errc() || p != digits.data() + digits.size() || path[0] != '/') {
            return url_error{"the path must be a database number, e.g. /0"};
        }
        a.db = db;
    }
    return a;
}

std::string redacted(const server_address& a)
{
    std::string out = "redis://";
    if (!a.username.empty() || !a.password.empty()) {
        out += a.username;
        if (!a.password.empty()) out += ":***";
        out += "@";
    }
    out += a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
    out += ":" + std::to_string(a.port) + "/" + std::to_string(a.db);
    return out;
}

}  // namespace ovs::redis
