#include "rest_api.hpp"

#include "jsoncpp_writer.hpp"
#include "signing.hpp"
#include "stream_json.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ovs::ome_standin {
namespace {

using json = nlohmann::json;

api_response ok(json payload)
{
    return {200,
            write_jsoncpp(
                json{{"message", "OK"}, {"response", std::move(payload)}, {"statusCode", 200}}),
            false};
}

api_response ok_without_payload()
{
    return {200, write_jsoncpp(json{{"message", "OK"}, {"statusCode", 200}}), false};
}

api_response error(int status, std::string const& text)
{
    std::string const message = "[HTTP] " + text + " (" + std::to_string(status) + ")";
    return {status, write_jsoncpp(json{{"message", message}, {"statusCode", status}}), false};
}

// Splits on every single space, keeping empty parts, as OME does: "Basic  x"
// (two spaces) gives three parts and is refused.
std::vector<std::string> split_spaces(std::string const& s)
{
    std::vector<std::string> parts;
    std::string current;
    for (char c : s) {
        if (c == ' ') {
            parts.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    parts.push_back(current);
    return parts;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

// nullopt = authorized; otherwise the error text.
std::optional<std::string> check_auth(std::optional<std::string> const& header,
                                      std::string const& token)
{
    if (!header) return "Authorization header is required to call API";
    auto const parts = split_spaces(*header);
    if (parts.size() != 2) return "Invalid authorization header";
    if (lower(parts[0]) != "basic") return "Not supported credential type: " + parts[0];
    auto const decoded = base64_decode(parts[1]);
    if (!decoded) return "Invalid credential";
    if (decoded->empty()) return "Invalid credential format";
    if (*decoded != token) return "Invalid credential";
    return std::nullopt;
}

std::vector<std::string> path_segments(std::string const& target)
{
    std::string path = target.substr(0, target.find('?'));
    std::vector<std::string> segments;
    std::size_t start = 1;  // skip the leading '/'
    if (path.empty() || path[0] != '/') return segments;
    while (true) {
        std::size_t const slash = path.find('/', start);
        segments.push_back(
            path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return segments;
}

std::string stream_not_found(std::string const& vhost,
                             std::string const& app,
                             std::string const& stream)
{
    return "Could not find the stream: [" + vhost + "/#" + vhost + "#" + app + "/" + stream + "]";
}

api_response controller_not_found()
{
    return error(404, "Controller not found");
}

struct route_context {
    model& state;
    standin_config const& config;
    wall_clock::time_point now;
    api_outcome& outcome;
};

// /v1/vhosts/{vh}/apps/{app}/streams/{stream}
api_response stream_route(route_context& c,
                          std::string const& method,
                          std::string const& vhost,
                          std::string const& app,
                          std::string const& stream)
{
    if (method != "GET" && method != "DELETE") return controller_not_found();
    auto const* p = c.state.find_stream(vhost, app, stream);
    if (!p) return error(404, stream_not_found(vhost, app, stream));
    if (method == "GET") return ok(stream_detail_json(*p, c.config.version, c.now));
    if (c.config.version == ome_version::v0_15) {
        // <= 0.15.2 only deleted pulled streams (CONTRACT §2.6).
        return error(403, "Only pull streams can be deleted.");
    }
    c.outcome.deleted = c.state.remove_publisher(p->id, c.now);
    return ok_without_payload();
}

api_response vhosts_route(route_context& c,
                          std::string const& method,
                          std::vector<std::string> const& s)
{
    // s[0] == "v1", s[1] == "vhosts"
    if (method != "GET" && !(method == "DELETE" && s.size() == 7)) return controller_not_found();
    if (s.size() == 2) return ok(c.state.vhosts());
    std::string const& vhost = s[2];
    // The app name pattern excludes ':' (actions like app:startPush).
    if (s.size() >= 5 && s[4].find(':') != std::string::npos) return controller_not_found();
    if (s.size() > 7 || (s.size() >= 4 && s[3] != "apps") || (s.size() >= 6 && s[5] != "streams")) {
        return controller_not_found();
    }
    if (!c.state.has_vhost(vhost))
        return error(404, "Could not find the virtual host: [" + vhost + "]");
    if (s.size() == 3) return ok(json{{"name", vhost}});
    if (s.size() == 4) return ok(c.state.apps());
    std::string const& app = s[4];
    if (!c.state.has_app(vhost, app)) {
        return error(404, "Could not find the application: [" + vhost + "/" + app + "]");
    }
    if (s.size() == 5) return ok(json{{"dynamic", false}, {"name", app}, {"type", "live"}});
    if (s.size() == 6) {
        json names = json::array();
        for (auto const* p : c.state.streams(vhost, app)) names.push_back(p->stream);
        return ok(names);
    }
    return stream_route(c, method, vhost, app, s[6]);
}

api_response stats_route(route_context& c,
                         std::string const& method,
                         std::vector<std::string> const& s)
{
    // s = v1 stats current [vhosts vh [apps app [streams stream]]]
    if (method != "GET" || s.size() < 3 || s[2] != "current") return controller_not_found();
    if (s.size() == 3) return ok(stats_json(c.state.server_stats(c.now), c.config.version));
    if (s.size() == 4 || s.size() > 9 || s[3] != "vhosts" || (s.size() >= 6 && s[5] != "apps") ||
        (s.size() >= 8 && s[7] != "streams") || s.size() == 6 || s.size() == 8) {
        return controller_not_found();
    }
    std::string const& vhost = s[4];
    if (!c.state.has_vhost(vhost))
        return error(404, "Could not find the virtual host: [" + vhost + "]");
    if (s.size() == 5) return ok(stats_json(c.state.vhost_stats(vhost, c.now), c.config.version));
    std::string const& app = s[6];
    if (!c.state.has_app(vhost, app)) {
        return error(404, "Could not find the application: [" + vhost + "/" + app + "]");
    }
    if (s.size() == 7)
        return ok(stats_json(c.state.app_stats(vhost, app, c.now), c.config.version));
    auto const* p = c.state.find_stream(vhost, app, s[8]);
    if (!p) return error(404, stream_not_found(vhost, app, s[8]));
    return ok(stats_json(c.state.stream_stats(*p, c.now), c.config.version));
}

}  // namespace

api_outcome handle_api_request(api_request const& request,
                               model& state,
                               standin_config const& config,
                               wall_clock::time_point now)
{
    api_outcome outcome;
    // CORS preflight is answered before authentication, on any path.
    if (request.method == "OPTIONS") {
        outcome.response = {204, "", false};
        return outcome;
    }
    if (auto const auth_error = check_auth(request.authorization, config.access_token)) {
        bool const old_style = config.version == ome_version::v0_15;
        outcome.response = error(old_style ? 403 : 401, *auth_error);
        outcome.response.www_authenticate = !old_style;
        return outcome;
    }
    outcome.auth_ok = true;
    auto const s = path_segments(request.target);
    route_context c{state, config, now, outcome};
    if (s.size() < 2 || s[0] != "v1") {
        outcome.response = controller_not_found();
    } else if (s.size() == 2 && s[1] == "version") {
        if (request.method != "GET" || config.version == ome_version::v0_15) {
            outcome.response = controller_not_found();
        } else {
            std::string const v = version_string(config.version);
            outcome.response = ok(json{{"gitVersion", "v" + v}, {"version", v}});
        }
    } else if (s[1] == "vhosts") {
        outcome.response = vhosts_route(c, request.method, s);
    } else if (s[1] == "stats") {
        outcome.response = stats_route(c, request.method, s);
    } else {
        outcome.response = controller_not_found();
    }
    return outcome;
}

api_response internal_error_response()
{
    return error(500, "Internal error");
}

std::string reason_phrase(int status)
{
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 409:
            return "Conflict";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        default:
            return "Unknown";
    }
}

std::vector<std::pair<std::string, std::string>> api_response_headers(api_response const& response,
                                                                      wall_clock::time_point now)
{
    std::vector<std::pair<std::string, std::string>> h;
    h.emplace_back("Date", http_date(now));
    if (response.www_authenticate) {
        h.emplace_back("WWW-Authenticate", "Basic realm=\"OvenMediaEngine\"");
    }
    h.emplace_back("Access-Control-Allow-Credentials", "true");
    h.emplace_back("Content-Length", std::to_string(response.body.size()));
    h.emplace_back("Access-Control-Allow-Origin", "*");
    h.emplace_back("Access-Control-Allow-Methods", "OPTIONS, HEAD, GET, POST, PUT, PATCH, DELETE");
    h.emplace_back("Vary", "Origin");
    if (response.status != 204) h.emplace_back("Content-Type", "application/json;charset=UTF-8");
    h.emplace_back("Server", "OvenMediaEngine");
    return h;
}

}  // namespace ovs::ome_standin
