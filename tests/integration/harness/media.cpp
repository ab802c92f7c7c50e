#include "media.hpp"

#include "deadline.hpp"
#include "http_client.hpp"
#include "ports.hpp"

#include <cstdlib>
#include <stdexcept>

#ifndef OVS_STANDIN_BINARY
#define OVS_STANDIN_BINARY ""
#endif

namespace ovs::integration {

using json = nlohmann::json;

std::string ingest_name(ingest p)
{
    switch (p) {
        case ingest::rtmp:
            return "rtmp";
        case ingest::srt:
            return "srt";
        case ingest::webrtc:
            return "webrtc";
        case ingest::whip:
            return "whip";
    }
    return "rtmp";
}

std::string ome_source_name(ingest p)
{
    switch (p) {
        case ingest::rtmp:
            return "RTMP";
        case ingest::srt:
            return "SRT";
        case ingest::webrtc:
        case ingest::whip:
            return "WebRTC";
    }
    return "RTMP";
}

std::string basic_auth(const std::string& token)
{
    static const char* alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < token.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(token[i]) << 16) |
                           (static_cast<unsigned char>(token[i + 1]) << 8) |
                           static_cast<unsigned char>(token[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == token.size()) {
        const unsigned v = static_cast<unsigned char>(token[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == token.size()) {
        const unsigned v = (static_cast<unsigned char>(token[i]) << 16) |
                           (static_cast<unsigned char>(token[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return "Basic " + out;
}

std::optional<real_ome_settings> real_ome_from_env()
{
    const char* api = std::getenv("OVENSPACE_TEST_OME_API");
    if (!api || !*api) return std::nullopt;
    real_ome_settings s;
    std::string url = api;
    if (url.rfind("http://", 0) != 0) {
        throw std::runtime_error("OVENSPACE_TEST_OME_API must be http://HOST:PORT, got " + url);
    }
    url = url.substr(7);
    if (auto slash = url.find('/'); slash != std::string::npos) url = url.substr(0, slash);
    const auto colon = url.rfind(':');
    s.api_host = colon == std::string::npos ? url : url.substr(0, colon);
    s.api_port = colon == std::string::npos
                     ? 80
                     : static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
    const char* token = std::getenv("OVENSPACE_TEST_OME_TOKEN");
    s.token = token ? token : "";
    const char* host = std::getenv("OVENSPACE_TEST_OME_INGEST_HOST");
    s.ingest_host = host && *host ? host : s.api_host;
    if (const char* p = std::getenv("OVENSPACE_TEST_GATEWAY_HTTP_PORT"); p && *p) {
        s.gateway_http_port = static_cast<std::uint16_t>(std::stoi(p));
    }
    const char* secret = std::getenv("OVENSPACE_TEST_WEBHOOK_SECRET");
    if (!secret || !*secret) secret = std::getenv("OVENSPACE_WEBHOOK_SECRET");
    s.webhook_secret = secret && *secret ? secret : "ome-webhook-secret";
    if (const char* p = std::getenv("OVENSPACE_TEST_OME_RTMP_PORT"); p && *p) {
        s.rtmp_port = static_cast<std::uint16_t>(std::stoi(p));
    }
    if (const char* p = std::getenv("OVENSPACE_TEST_OME_SRT_PORT"); p && *p) {
        s.srt_port = static_cast<std::uint16_t>(std::stoi(p));
    }
    return s;
}

media_server::media_server(std::string dir, std::string webhook_secret, std::string access_token)
    : dir_(std::move(dir)), secret_(std::move(webhook_secret)), token_(std::move(access_token))
{
    api_port_ = pick_free_port();
    control_port_ = pick_free_port();
}

media_server::media_server(real_ome_settings real, std::string dir)
    : real_(std::move(real)), dir_(std::move(dir))
{
    secret_ = real_->webhook_secret;
    token_ = real_->token;
    api_port_ = real_->api_port;
}

media_server::media_server(std::string binary,
                           std::string dir,
                           std::string webhook_secret,
                           std::string access_token,
                           std::optional<ome_tls_files> tls)
    : dir_(std::move(dir)), secret_(std::move(webhook_secret)), token_(std::move(access_token))
{
    ome_launch launch;
    launch.binary = std::move(binary);
    launch.dir = dir_ + "/ome";
    launch.tls = tls.has_value();
    launch.settings.token = token_;
    launch.settings.webhook_secret = secret_;
    launch.settings.tls = std::move(tls);
    ome_ = std::make_unique<ome_process>(std::move(launch));
    const auto& ports = ome_->ports();
    real_ome_settings real;
    real.api_host = "127.0.0.1";
    real.api_port = ports.api;
    real.token = token_;
    real.ingest_host = "127.0.0.1";
    real.rtmp_port = ports.rtmp;
    real.srt_port = ports.srt;
    real.webhook_secret = secret_;
    real_ = real;
    api_port_ = ports.api;
}

media_server::~media_server()
{
    encoders_.clear();
    stop();
}

std::string media_server::describe() const
{
    if (ome_) return "a real OME started from " + ome_->launch().binary;
    if (real_) {
        return "a real OME at " + real_->api_host + ":" + std::to_string(real_->api_port);
    }
    return "the OME stand-in";
}

std::string media_server::api_host() const
{
    return real_ ? real_->api_host : "127.0.0.1";
}

std::uint16_t media_server::api_port() const
{
    return api_port_;
}

std::string media_server::ingest_host() const
{
    return real_ ? real_->ingest_host : "127.0.0.1";
}

std::uint16_t media_server::rtmp_port() const
{
    return real_ ? real_->rtmp_port : 1935;
}

std::uint16_t media_server::srt_port() const
{
    return real_ ? real_->srt_port : 9999;
}

std::uint16_t media_server::signalling_port() const
{
    return ome_ ? ome_->ports().signalling : 3333;
}

std::uint16_t media_server::ovt_port() const
{
    return ome_ ? ome_->ports().ovt : 0;
}

// ------------------------------------------------------------ stand-in

void media_server::start(const std::string& webhook_url)
{
    if (ome_) {
        ome_->launch().webhooks = !webhook_url.empty();
        ome_->launch().settings.webhook_url = webhook_url;
        ome_->start();
        return;
    }
    if (real_ || running()) return;
    std::vector<std::string> args{"--api-address",
                                  "127.0.0.1",
                                  "--api-port",
                                  std::to_string(api_port_),
                                  "--control-address",
                                  "127.0.0.1",
                                  "--control-port",
                                  std::to_string(control_port_),
                                  "--token",
                                  token_};
    if (!webhook_url.empty()) {
        args.insert(args.end(), {"--webhook-url", webhook_url, "--webhook-secret", secret_});
    }
    ++starts_;
    standin_ = std::make_unique<child_process>(
        "ome-standin", OVS_STANDIN_BINARY, args, dir_ + "/standin." + std::to_string(starts_));
    const bool up = poll_until(
        [&] {
            if (!standin_->running()) return true;
            return http_get(control_port_, "/control/health", millis(500)).status == 200;
        },
        millis(15000));
    if (!up || !standin_->running()) {
        throw std::runtime_error("the OME stand-in did not come up\n" + standin_->output_tail());
    }
}

void media_server::stop()
{
    if (standin_) standin_->stop();
    if (ome_) ome_->stop();
}

bool media_server::running() const
{
    if (ome_) return ome_->running();
    return real_ || (standin_ && standin_->running());
}

json media_server::control(const std::string& method, const std::string& target, const json& body)
{
    http_call c;
    c.method = method;
    c.port = control_port_;
    c.target = target;
    if (!body.is_null()) c.body = body.dump();
    c.timeout = millis(15000);
    auto r = http_request(c);
    if (r.status < 200 || r.status >= 300) {
        throw std::runtime_error("stand-in control " + method + " " + target + " -> " +
                                 std::to_string(r.status) + " " + r.error + " " + r.body);
    }
    if (r.body.empty()) return json::object();
    return json::parse(r.body, nullptr, false);
}

std::vector<json> media_server::api_log()
{
    auto log = control("GET", "/control/log");
    if (log.is_object() && log.contains("requests")) log = log["requests"];
    std::vector<json> out;
    if (log.is_array()) {
        for (auto& e : log) out.push_back(e);
    }
    return out;
}

std::size_t media_server::api_request_count()
{
    return api_log().size();
}

std::vector<json> media_server::webhook_log()
{
    auto log = control("GET", "/control/webhooks");
    if (log.is_object() && log.contains("webhooks")) log = log["webhooks"];
    std::vector<json> out;
    if (log.is_array()) {
        for (auto& e : log) out.push_back(e);
    }
    return out;
}

void media_server::api_down()
{
    control("POST", "/control/down");
}

void media_server::api_hang()
{
    if (ome_) {
        ome_->pause();
        return;
    }
    control("POST", "/control/hang");
}

void media_server::api_error()
{
    control("POST", "/control/error");
}

void media_server::api_slow(std::chrono::milliseconds delay)
{
    control("POST", "/control/slow", json{{"ms", static_cast<std::uint64_t>(delay.count())}});
}

void media_server::api_up()
{
    if (ome_) {
        ome_->resume();
        return;
    }
    control("POST", "/control/up");
}

// ------------------------------------------------------------- publish

publish_result media_server::publish(ingest protocol,
                                     const std::string& stream,
                                     const std::string& query,
                                     std::chrono::milliseconds timeout)
{
    publish_result result;
    result.stream = stream;
    if (!real_) {
        json request{{"protocol", ingest_name(protocol)}, {"stream", stream}, {"query", query}};
        request["outputs_after_ms"] =
            outputs_after_ ? json(outputs_after_->count()) : json(nullptr);
        auto outcome = control("POST", "/control/publish", request);
        result.admitted = outcome.value("admitted", false);
        result.reason = outcome.value("reason", "");
        result.handle = std::to_string(outcome.value("id", 0ULL));
        return result;
    }

    // Real OME: ffmpeg as the encoder. Admitted = OME took this very
    // encoder as the stream's input (the port in the stream's
    // input.sourceUrl is one of ffmpeg's sockets: merely seeing the stream
    // listed would count an intruder as admitted on a live seat); refused =
    // ffmpeg gave up first (OME closed its connection).
    if (protocol == ingest::webrtc || protocol == ingest::whip) {
        result.reason = "WebRTC/WHIP publishing needs a browser; not done with a real OME";
        return result;
    }
    const std::string suffix = query.empty() ? "" : "?" + query;
    std::vector<std::string> args{
        "-hide_banner", "-loglevel",   "warning",  "-re",
        "-f",           "lavfi",       "-i",       "testsrc=size=640x360:rate=30",
        "-f",           "lavfi",       "-i",       "sine",
        "-c:v",         "libx264",     "-preset",  "veryfast",
        "-tune",        "zerolatency", "-pix_fmt", "yuv420p",
        "-c:a",         "aac"};
    if (protocol == ingest::rtmp) {
        args.insert(args.end(),
                    {"-f",
                     "flv",
                     "rtmp://" + real_->ingest_host + ":" + std::to_string(real_->rtmp_port) +
                         "/app/" + stream + suffix});
    } else {
        // streamid=default/app/streamN?token=T, percent-encoded as one value.
        std::string id = "default/app/" + stream + suffix;
        std::string encoded;
        for (char c : id) {
            if (c == '/') {
                encoded += "%2F";
            } else if (c == '?') {
                encoded += "%3F";
            } else if (c == '=') {
                encoded += "%3D";
            } else if (c == '&') {
                encoded += "%26";
            } else {
                encoded += c;
            }
        }
        args.insert(args.end(),
                    {"-f",
                     "mpegts",
                     "srt://" + real_->ingest_host + ":" + std::to_string(real_->srt_port) +
                         "?streamid=" + encoded});
    }
    const std::string handle = "ffmpeg" + std::to_string(++encoder_count_);
    auto encoder = std::make_unique<child_process>(
        handle, "/usr/bin/ffmpeg", args, dir_ + "/" + handle + "-" + stream);
    auto* enc = encoder.get();
    encoders_[handle] = std::move(encoder);
    auto taken_by_ome = [&] {
        const auto port = input_port(stream);
        return port && local_ports_of_process(enc->pid()).count(*port) > 0;
    };
    poll_until([&] { return !enc->running() || taken_by_ome(); }, timeout, millis(100));
    result.handle = handle;
    if (enc->running() && taken_by_ome()) {
        result.admitted = true;
    } else {
        result.reason = enc->running() ? "timeout" : "encoder exited";
        encoders_.erase(handle);
    }
    return result;
}

void media_server::unpublish(const publish_result& p)
{
    if (!real_) {
        control("POST", "/control/unpublish", json{{"id", std::stoull(p.handle)}});
        return;
    }
    encoders_.erase(p.handle);  // SIGTERM to ffmpeg: it closes the session
}

std::vector<std::string> media_server::listed_streams()
{
    http_call c;
    c.host = api_host();
    c.port = api_port_;
    c.target = "/v1/vhosts/default/apps/app/streams";
    c.headers["Authorization"] = basic_auth(token_);
    c.timeout = millis(3000);
    auto r = http_request(c);
    std::vector<std::string> out;
    if (r.status != 200) return out;
    auto body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("response") && body["response"].is_array()) {
        for (const auto& s : body["response"]) {
            if (s.is_string()) out.push_back(s.get<std::string>());
        }
    }
    return out;
}

bool media_server::listed(const std::string& stream)
{
    for (const auto& s : listed_streams()) {
        if (s == stream) return true;
    }
    return false;
}

bool media_server::outputs_listed(const std::string& stream)
{
    if (!real_) return false;
    http_call c;
    c.host = api_host();
    c.port = api_port_;
    c.target = "/v1/vhosts/default/apps/app/streams/" + stream;
    c.headers["Authorization"] = basic_auth(token_);
    c.timeout = millis(3000);
    const auto r = http_request(c);
    if (r.status != 200) return false;
    const auto body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return false;
    for (const auto& output : body.value("/response/outputs"_json_pointer, json::array())) {
        if (!output.value("playlists", json::array()).empty()) return true;
    }
    return false;
}

std::optional<std::uint16_t> media_server::input_port(const std::string& stream)
{
    http_call c;
    c.host = api_host();
    c.port = api_port_;
    c.target = "/v1/vhosts/default/apps/app/streams/" + stream;
    c.headers["Authorization"] = basic_auth(token_);
    c.timeout = millis(3000);
    auto r = http_request(c);
    if (r.status != 200) return std::nullopt;
    const auto body = json::parse(r.body, nullptr, false);
    const json::json_pointer where("/response/input/sourceUrl");
    if (!body.is_object() || !body.contains(where) || !body.at(where).is_string()) {
        return std::nullopt;
    }
    return source_url_port(body.at(where).get<std::string>());
}

bool media_server::wait_deleted(const std::string& stream, std::chrono::milliseconds timeout)
{
    if (real_) {
        return poll_until([&] { return !listed(stream); }, timeout, millis(100));
    }
    const std::string suffix = "/streams/" + stream;
    return poll_until(
        [&] {
            for (const auto& e : api_log()) {
                const std::string target = e.value("target", "");
                if (e.value("method", "") == "DELETE" && target.size() >= suffix.size() &&
                    target.compare(target.size() - suffix.size(), suffix.size(), suffix) == 0) {
                    return true;
                }
            }
            return false;
        },
        timeout,
        millis(50));
}

std::string media_server::diagnostics() const
{
    std::string out;
    if (standin_) out += standin_->output_tail();
    if (ome_) out += ome_->diagnostics();
    for (const auto& [name, enc] : encoders_) out += enc->output_tail(2000);
    return out;
}

}  // namespace ovs::integration
