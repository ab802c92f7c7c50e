#include "webhook_message.hpp"

#include "jsoncpp_writer.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace ovs::ome_standin {
namespace {

std::string with_query(std::string url, std::string const& query)
{
    if (!query.empty()) url += "?" + query;
    return url;
}

}  // namespace

std::string ingest_url(standin_config const& config,
                       ingest_protocol protocol,
                       std::string const& vhost,
                       std::string const& app,
                       std::string const& stream,
                       std::string const& query)
{
    std::string const path = "/" + app + "/" + stream;
    switch (protocol) {
        case ingest_protocol::rtmp:
            return with_query(
                "rtmp://" + config.public_host + ":" + std::to_string(config.rtmp_port) + path,
                query);
        case ingest_protocol::srt:
            return with_query("srt://" + vhost + path, query);
        case ingest_protocol::webrtc:
            return "ws://" + config.public_host + ":" + std::to_string(config.webrtc_port) + path +
                   "?direction=send" + (query.empty() ? "" : "&" + query);
        case ingest_protocol::whip:
            return "http://" + config.public_host + ":" + std::to_string(config.webrtc_port) +
                   path + "?direction=whip" + (query.empty() ? "" : "&" + query);
    }
    return {};
}

std::string playback_url(standin_config const& config,
                         playback_protocol protocol,
                         std::string const& app,
                         std::string const& stream,
                         std::string const& query)
{
    std::string const path = "/" + app + "/" + stream;
    if (protocol == playback_protocol::webrtc) {
        return with_query(
            "ws://" + config.public_host + ":" + std::to_string(config.webrtc_port) + path, query);
    }
    return with_query("http://" + config.public_host + ":" + std::to_string(config.llhls_port) +
                          path + "/llhls.m3u8",
                      query);
}

std::string protocol_name(ingest_protocol p)
{
    switch (p) {
        case ingest_protocol::rtmp:
            return "RTMP";
        case ingest_protocol::srt:
            return "SRT";
        case ingest_protocol::webrtc:
        case ingest_protocol::whip:
            return "WebRTC";
    }
    return {};
}

std::string protocol_name(playback_protocol p)
{
    return p == playback_protocol::webrtc ? "WebRTC" : "LLHLS";
}

std::string provider_key(ingest_protocol p)
{
    switch (p) {
        case ingest_protocol::rtmp:
            return "rtmp";
        case ingest_protocol::srt:
            return "srt";
        case ingest_protocol::webrtc:
        case ingest_protocol::whip:
            return "webrtc";
    }
    return {};
}

std::string publisher_key(playback_protocol p)
{
    return p == playback_protocol::webrtc ? "webrtc" : "llhls";
}

std::string webhook_body(webhook_client const& client,
                         bool incoming,
                         std::string const& protocol,
                         std::string const& status,
                         std::string const& time,
                         std::string const& url,
                         std::optional<std::string> const& new_url)
{
    nlohmann::json c{
        {"address", client.address}, {"port", client.port}, {"real_ip", client.real_ip}};
    if (!client.user_agent.empty()) c["user_agent"] = client.user_agent;
    nlohmann::json r{{"direction", incoming ? "incoming" : "outgoing"},
                     {"protocol", protocol},
                     {"status", status},
                     {"time", time},
                     {"url", url}};
    if (new_url) r["new_url"] = *new_url;
    return write_jsoncpp(nlohmann::json{{"client", std::move(c)}, {"request", std::move(r)}});
}

std::optional<control_server_url> parse_control_server_url(std::string const& url)
{
    std::string const scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
    std::string const rest = url.substr(scheme.size());
    std::size_t const slash = rest.find_first_of("/?");
    control_server_url out;
    out.host_header = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (!out.target.empty() && out.target[0] == '?') out.target = "/" + out.target;
    if (out.host_header.empty()) return std::nullopt;
    std::size_t const colon = out.host_header.rfind(':');
    if (colon != std::string::npos && out.host_header.find(']') == std::string::npos) {
        out.host = out.host_header.substr(0, colon);
        out.port = out.host_header.substr(colon + 1);
    } else {
        out.host = out.host_header;
        out.port = "80";
    }
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
        out.host = out.host.substr(1, out.host.size() - 2);
    }
    if (out.host.empty() || out.port.empty()) return std::nullopt;
    return out;
}

std::string webhook_http_request(control_server_url const& url,
                                 std::string const& body,
                                 std::string const& signature)
{
    std::string out = "POST " + url.target + " HTTP/1.1\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "Host: " + url.host_header + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "X-OME-Signature: " + signature + "\r\n";
    out += "Accept: application/json\r\n";
    out += "User-Agent: OvenMediaEngine\r\n";
    out += "\r\n";
    out += body;
    return out;
}

admission_decision judge_opening_answer(int http_status, std::string const& body)
{
    admission_decision d;
    if (http_status != 200) {
        d.reason = "Control server responded with " + std::to_string(http_status) + " status code.";
        return d;
    }
    auto const answer = nlohmann::json::parse(body, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
        d.reason = "Json parsing error : a response in the wrong format was received.";
        return d;
    }
    auto const allowed = answer.find("allowed");
    if (allowed == answer.end() || !allowed->is_boolean()) {
        d.reason = "\"allowed\" is required data and must be of type bool";
        return d;
    }
    d.allowed = allowed->get<bool>();
    if (auto const reason = answer.find("reason"); reason != answer.end() && reason->is_string()) {
        if (!d.allowed) d.reason = reason->get<std::string>();
    }
    if (!d.allowed) {
        if (d.reason.empty()) d.reason = "denied";
        return d;
    }
    if (auto const n = answer.find("new_url"); n != answer.end() && n->is_string()) {
        d.new_url = n->get<std::string>();
    }
    if (auto const l = answer.find("lifetime"); l != answer.end() && l->is_number_integer()) {
        if (l->is_number_unsigned() || l->get<std::int64_t>() >= 0)
            d.lifetime_ms = l->get<std::uint64_t>();
    }
    return d;
}

std::optional<redirect_target> parse_redirect(std::string const& new_url)
{
    std::size_t const scheme_end = new_url.find("://");
    if (scheme_end == std::string::npos) return std::nullopt;
    std::string const rest = new_url.substr(scheme_end + 3, new_url.find('?') - scheme_end - 3);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t const slash = rest.find('/', start);
        parts.push_back(
            rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    // host / app / stream [/ file]
    if (parts.size() < 3 || parts[1].empty() || parts[2].empty()) return std::nullopt;
    redirect_target t;
    std::string host = parts[0];
    if (auto const colon = host.find(':'); colon != std::string::npos) host.resize(colon);
    t.vhost = host;
    t.app = parts[1];
    t.stream = parts[2];
    return t;
}

}  // namespace ovs::ome_standin
