#include <ovs/gateway/admission_webhook.hpp>
#include <ovs/util/base64.hpp>
#include <ovs/util/text.hpp>
#include <ovs/util/url.hpp>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

namespace ovs::gateway {

using json = nlohmann::json;

// ---------------------------------------------------------------- signature

std::string webhook_signature(std::string_view secret, std::string_view raw_body)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // HMAC() with an empty key needs a non-null pointer on some OpenSSL builds.
    static const unsigned char empty_key = 0;
    const void* key = secret.empty() ? static_cast<const void*>(&empty_key)
                                     : static_cast<const void*>(secret.data());
    const auto* data = reinterpret_cast<const unsigned char*>(raw_body.data());
    if (HMAC(EVP_sha1(), key, static_cast<int>(secret.size()), data, raw_body.size(), md, &len) ==
        nullptr) {
        return {};
    }
    return util::base64url_nopad(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool verify_signature(std::string_view secret, std::string_view raw_body, std::string_view header)
{
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!header.empty() && blank(header.front())) header.remove_prefix(1);
    while (!header.empty() && (blank(header.back()) || header.back() == '=')) {
        header.remove_suffix(1);
    }
    // Anyone can sign with an empty key: no secret, no valid signature.
    if (secret.empty()) return false;
    const std::string want = webhook_signature(secret, raw_body);
    // The length is public (always 27); only the content is compared in
    // constant time.
    if (want.empty() || want.size() != header.size()) return false;
    return CRYPTO_memcmp(want.data(), header.data(), want.size()) == 0;
}

// ---------------------------------------------------------------- urls

std::optional<std::string> query_parameter(std::string_view query, std::string_view key)
{
    // OME's URLs are RFC 3986: a '+' in a token is a '+'.
    return util::query_param(query, key, /*plus_is_space=*/false);
}

std::optional<stream_url> parse_stream_url(std::string_view url)
{
    auto parsed = util::parse_url(url);
    if (!parsed || parsed->host.empty()) return std::nullopt;
    stream_url out;
    out.scheme = std::move(parsed->scheme);
    out.host = std::move(parsed->host);
    out.port = parsed->port;
    // path: app / stream [/ rest]
    const auto& segments = parsed->segments;
    if (segments.size() < 2 || segments[0].empty() || segments[1].empty()) return std::nullopt;
    out.app = segments[0];
    out.stream = segments[1];
    for (std::size_t i = 2; i < segments.size(); ++i) {
        if (i > 2) out.rest += '/';
        out.rest += segments[i];
    }
    // SRT's v0.19+ streamid form puts the vhost where the host is and has no
    // port; the legacy form is a real host:port.
    if (out.scheme == "srt" && !out.port) out.vhost = out.host;

    out.token = query_parameter(parsed->query, "token");
    out.direction = query_parameter(parsed->query, "direction");
    return out;
}

// ---------------------------------------------------------------- request

std::string_view to_string(webhook_protocol protocol)
{
    switch (protocol) {
        case webhook_protocol::rtmp:
            return "rtmp";
        case webhook_protocol::webrtc:
            return "webrtc";
        case webhook_protocol::srt:
            return "srt";
        case webhook_protocol::llhls:
            return "llhls";
        case webhook_protocol::hlsv3:
            return "hlsv3";
        case webhook_protocol::thumbnail:
            return "thumbnail";
        case webhook_protocol::unknown:
            return "unknown";
    }
    return "unknown";
}

bool webhook_request::is_whip() const
{
    return protocol == webhook_protocol::webrtc && target && target->direction &&
           util::lower(*target->direction) == "whip";
}

std::string_view webhook_request::source_name() const
{
    switch (protocol) {
        case webhook_protocol::rtmp:
            return "RTMP";
        case webhook_protocol::srt:
            return "SRT";
        case webhook_protocol::webrtc:
            return is_whip() ? "WHIP" : "WebRTC";
        default:
            return "unknown";
    }
}

std::string webhook_request::effective_stream() const
{
    if (new_target) return new_target->stream;
    if (target) return target->stream;
    return {};
}

namespace {

webhook_protocol protocol_from(std::string_view text)
{
    std::string low = util::lower(text);
    if (low == "rtmp") return webhook_protocol::rtmp;
    if (low == "webrtc") return webhook_protocol::webrtc;
    if (low == "srt") return webhook_protocol::srt;
    if (low == "llhls") return webhook_protocol::llhls;
    if (low == "hlsv3") return webhook_protocol::hlsv3;
    if (low == "thumbnail") return webhook_protocol::thumbnail;
    return webhook_protocol::unknown;
}

webhook_parse_result fail(std::string why)
{
    return webhook_parse_result{std::nullopt, "bad webhook body: " + std::move(why)};
}

const json* object_at(const json& doc, const char* key)
{
    auto it = doc.find(key);
    return it != doc.end() && it->is_object() ? &*it : nullptr;
}

std::optional<std::string> string_at(const json& obj, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

webhook_parse_result parse_webhook(std::string_view raw_body)
{
    json doc = json::parse(raw_body.begin(), raw_body.end(), nullptr, false);
    if (doc.is_discarded()) return fail("not JSON");
    if (!doc.is_object()) return fail("not a JSON object");
    const json* client = object_at(doc, "client");
    const json* request = object_at(doc, "request");
    if (!client) return fail("no \"client\" object");
    if (!request) return fail("no \"request\" object");

    webhook_request r;
    auto address = string_at(*client, "address");
    if (!address || address->empty()) return fail("client.address missing");
    r.address = std::move(*address);
    auto port = client->find("port");
    if (port == client->end() || !port->is_number_unsigned() ||
        port->get<std::uint64_t>() > 65535) {
        return fail("client.port missing or not a port number");
    }
    r.port = static_cast<std::uint16_t>(port->get<std::uint64_t>());
    r.real_ip = string_at(*client, "real_ip").value_or(r.address);
    // "user-agent" in 0.15.3-0.15.11, "user_agent" since.
    r.user_agent = string_at(*client, "user_agent")
                       .value_or(string_at(*client, "user-agent").value_or(std::string{}));

    auto direction = string_at(*request, "direction");
    if (!direction) return fail("request.direction missing");
    std::string dir = util::lower(*direction);
    if (dir == "incoming") {
        r.direction = webhook_direction::incoming;
    } else if (dir == "outgoing") {
        r.direction = webhook_direction::outgoing;
    } else {
        return fail("request.direction is neither incoming nor outgoing");
    }

    auto status = string_at(*request, "status");
    if (!status) return fail("request.status missing");
    std::string st = util::lower(*status);
    if (st == "opening") {
        r.status = webhook_status::opening;
    } else if (st == "closing") {
        r.status = webhook_status::closing;
    } else {
        return fail("request.status is neither opening nor closing");
    }

    auto protocol = string_at(*request, "protocol");
    if (!protocol) return fail("request.protocol missing");
    r.protocol_text = std::move(*protocol);
    r.protocol = protocol_from(r.protocol_text);

    auto url = string_at(*request, "url");
    if (!url) return fail("request.url missing");
    r.url = std::move(*url);
    r.new_url = string_at(*request, "new_url").value_or(std::string{});
    r.time = string_at(*request, "time").value_or(std::string{});

    r.target = parse_stream_url(r.url);
    if (!r.new_url.empty()) r.new_target = parse_stream_url(r.new_url);
    return webhook_parse_result{std::move(r), {}};
}

// ---------------------------------------------------------------- answers

std::string allow_response(std::optional<std::uint64_t> lifetime_ms)
{
    json j = {{"allowed", true}};
    if (lifetime_ms && *lifetime_ms > 0) j["lifetime"] = *lifetime_ms;
    return j.dump();
}

std::string deny_response(std::string_view reason)
{
    json j = {{"allowed", false}};
    if (!reason.empty()) j["reason"] = std::string(reason);
    // Replace invalid UTF-8 rather than throw: a reason must never break the answer.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string closing_response()
{
    return "{}";
}

}  // namespace ovs::gateway
