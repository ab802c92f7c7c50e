// The gateway's HTTP endpoint: OME AdmissionWebhooks (POST /v1/admission),
// /healthz, /readyz and /metrics.
#include "gateway_impl.hpp"

#include <ovs/gateway/redact.hpp>

#include <nlohmann/json.hpp>

namespace ovs::gateway {

namespace {

simple_response json_response(unsigned status, std::string body)
{
    return {status, "application/json", std::move(body)};
}

simple_response error_response(unsigned status, std::string_view text)
{
    // Replace, never throw, on bytes that are not UTF-8 (they may come from
    // the request).
    return json_response(status,
                         nlohmann::json{{"error", text}}.dump(
                             -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string_view direction_name(webhook_direction d)
{
    return d == webhook_direction::incoming ? "incoming" : "outgoing";
}

std::string_view status_name(webhook_status s)
{
    return s == webhook_status::opening ? "opening" : "closing";
}

std::string path_of(const std::string& target)
{
    return target.substr(0, target.find('?'));
}

asio::awaitable<simple_response> unavailable()
{
    co_return error_response(503, "gateway shutting down");
}

}  // namespace

asio::awaitable<simple_response> gateway_service::impl::handle_http(std::shared_ptr<impl> self,
                                                                    simple_request req)
{
    if (!self || self->stopped) co_return co_await unavailable();
    const std::string path = path_of(req.target);
    if (path == "/v1/admission") {
        if (req.method != "POST") co_return error_response(405, "use POST");
        co_return co_await handle_webhook(self, std::move(req));
    }
    const bool read = req.method == "GET" || req.method == "HEAD";
    if (path == "/healthz") {
        if (!read) co_return error_response(405, "use GET");
        co_return json_response(200, R"({"status":"ok"})");
    }
    if (path == "/readyz") {
        if (!read) co_return error_response(405, "use GET");
        co_return self->readiness();
    }
    if (path == "/metrics") {
        if (!read) co_return error_response(405, "use GET");
        self->update_gauges();
        co_return simple_response{
            200, "text/plain; version=0.0.4; charset=utf-8", self->metrics.render()};
    }
    co_return error_response(404, "not found");
}

simple_response gateway_service::impl::readiness() const
{
    const bool reachable = policy.status().reachable.value_or(false);
    const std::size_t ready_links = links && links->connected() ? 1 : 0;
    if (reachable && ready_links > 0) return json_response(200, R"({"ready":true})");
    std::string reason;
    if (!reachable) {
        reason = policy.status().reachable ? "OME unreachable: " + policy.status().last_error
                                           : "OME not polled yet";
    }
    if (ready_links == 0) {
        if (!reason.empty()) reason += "; ";
        reason += "no room service link";
    }
    return json_response(503,
                         nlohmann::json{{"ready", false}, {"reason", reason}}.dump(
                             -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

asio::awaitable<simple_response> gateway_service::impl::handle_webhook(std::shared_ptr<impl> self,
                                                                       simple_request req)
{
    const auto started = steady_clock::now();
    // The signature first, over the raw bytes: nothing unsigned is even
    // parsed, in either mode (start() refuses to run without a secret).
    const std::string* signature = req.header("X-OME-Signature");
    if (!signature || !verify_signature(self->cfg.ome.webhook_secret, req.body, *signature)) {
        self->metrics.webhook("unknown", "unknown", "bad_signature");
        self->log(std::string("webhook refused: ") +
                  (signature ? "bad X-OME-Signature" : "no X-OME-Signature") + " from " +
                  req.remote_address);
        co_return error_response(401, "bad or missing X-OME-Signature");
    }
    auto parsed = parse_webhook(req.body);
    if (!parsed.request) {
        self->metrics.webhook("unknown", "unknown", "bad_request");
        self->log("webhook refused: " + parsed.error);
        co_return error_response(400, parsed.error);
    }
    webhook_request hook = std::move(*parsed.request);
    const auto direction = direction_name(hook.direction);
    const auto status = status_name(hook.status);

    if (hook.status == webhook_status::closing) {
        self->metrics.webhook(direction, status, "ack");
        co_return self->handle_closing(hook);
    }

    simple_response res;
    if (hook.direction == webhook_direction::outgoing) {
        // Viewers: never ask the room (viewers must not cost anything).
        const bool ours = hook.target && hook.target->app == self->cfg.ome.app &&
                          self->seat_streams.count(hook.target->stream) != 0;
        res = json_response(200, ours ? allow_response() : deny_response("unknown stream"));
        self->metrics.webhook(direction, status, ours ? "allowed" : "denied");
    } else {
        res = co_await admit_publisher(self, std::move(hook));
        self->metrics.webhook(
            direction,
            status,
            res.body.find("\"allowed\":true") != std::string::npos ? "allowed" : "denied");
    }
    self->metrics.admission_latency.observe(
        std::chrono::duration<double>(steady_clock::now() - started).count());
    co_return res;
}

asio::awaitable<simple_response> gateway_service::impl::admit_publisher(std::shared_ptr<impl> self,
                                                                        webhook_request hook)
{
    const std::string shown_url = redact_url(hook.url);
    auto refuse = [&](std::string_view reason) {
        self->log("publish refused: " + shown_url + " from " + hook.address + ":" +
                  std::to_string(hook.port) + ": " + std::string(reason));
        return json_response(200, deny_response(reason));
    };
    if (!hook.target) co_return refuse("unreadable url");
    const stream_url& target = *hook.target;
    if (target.app != self->cfg.ome.app) co_return refuse("not this application");
    if (self->seat_streams.count(target.stream) == 0) co_return refuse("not a seat's stream");
    // Our publish URLs end at the stream name. Anything longer is not ours,
    // and we cannot be sure OME would name its stream after the segment we
    // read, so a seat token must not open it.
    if (!target.rest.empty()) co_return refuse("unexpected path after the stream name");

    if (self->cfg.mode != config::admission_mode::open) {
        if (!self->links || !self->links->connected()) {
            co_return refuse("room service not connected");
        }
        proto::admission_check check;
        check.stream = target.stream;
        check.token = target.token.value_or("");
        check.direction = "publish";
        check.protocol = hook.is_whip() ? "WHIP" : hook.protocol_text;
        check.client = hook.real_ip.empty() ? hook.address : hook.real_ip;
        // The link's own deadline: a reply that does not come in time is an
        // error reply ("timeout"), and every error refuses.
        const proto::request req = check;
        proto::reply reply =
            co_await self->links->request(req, self->cfg.gateway.admission_timeout);
        if (self->stopped) co_return refuse("gateway shutting down");
        if (const auto* err = reply.error()) {
            co_return refuse("room service: " + err->code);
        }
        const auto* result = std::get_if<proto::admission_result>(&reply.body);
        if (!result) co_return refuse("room service: unexpected answer");
        if (!result->allowed) {
            co_return refuse(result->reason.empty() ? "refused by the room service"
                                                    : result->reason);
        }
    }

    self->ledger.admitted(connection_key{hook.address, hook.port}, target.stream);
    self->tracker.note_admitted(target.stream);
    proto::stream_info info;
    info.name = target.stream;
    info.source = std::string(hook.source_name());
    self->log("publish admitted: " + shown_url + " from " + hook.address + ":" +
              std::to_string(hook.port));
    self->set_live(std::move(info), true);
    co_return json_response(200, allow_response());
}

simple_response gateway_service::impl::handle_closing(const webhook_request& hook)
{
    if (hook.direction == webhook_direction::incoming) {
        std::vector<std::string> streams;
        if (hook.target) streams.push_back(hook.target->stream);
        if (hook.new_target && (!hook.target || hook.new_target->stream != hook.target->stream)) {
            streams.push_back(hook.new_target->stream);
        }
        if (auto ended = ledger.closed(connection_key{hook.address, hook.port}, streams)) {
            tracker.mark_down(*ended);
            set_down(*ended, "publisher closed");
        }
    }
    return json_response(200, closing_response());
}

}  // namespace ovs::gateway
