// OME's AdmissionWebhooks (POST /v1/admission): the signature first, then
// the rules (pure, admission_webhook.hpp), the room's decision for
// publishers, the stream state after an admission or a closing.
#include "gateway_impl.hpp"

#include <ovs/gateway/redact.hpp>

#include <nlohmann/json.hpp>

namespace ovs::gateway {

namespace {

// OME reads the answer of a webhook it could deliver from a 200 body.
net::reply webhook_answer(std::string body)
{
    return net::make_response(http::status::ok, "application/json", std::move(body));
}

std::string_view direction_name(webhook_direction d)
{
    return d == webhook_direction::incoming ? "incoming" : "outgoing";
}

std::string_view status_name(webhook_status s)
{
    return s == webhook_status::opening ? "opening" : "closing";
}

}  // namespace

net::readiness gateway_service::impl::readiness() const
{
    auto r = readiness_of(policy.status(), links && links->connected());
    return {std::move(r.not_ready_because), std::move(r.degraded)};
}

asio::awaitable<net::reply> gateway_service::impl::handle_webhook(
    std::shared_ptr<impl> self,
    std::string body,
    std::optional<std::string> signature,
    net::peer_info peer)
{
    const auto started = steady_clock::now();
    // The signature first, over the raw bytes: nothing unsigned is even
    // parsed, in either mode (start() refuses to run without a secret).
    if (!signature || !verify_signature(self->cfg.ome.webhook_secret, body, *signature)) {
        self->metrics.webhook("unknown", "unknown", "bad_signature");
        self->log(std::string("webhook refused: ") +
                      (signature ? "bad X-OME-Signature" : "no X-OME-Signature") + " from " +
                      peer.address,
                  log::level::warn);
        co_return net::error_response(
            http::status::unauthorized, "bad_signature", "Bad or missing X-OME-Signature");
    }
    auto parsed = parse_webhook(body);
    if (!parsed.request) {
        self->metrics.webhook("unknown", "unknown", "bad_request");
        self->log("webhook refused: " + parsed.error, log::level::warn);
        co_return net::error_response(http::status::bad_request, "bad_webhook", parsed.error);
    }
    webhook_request hook = std::move(*parsed.request);
    const auto direction = direction_name(hook.direction);
    const auto status = status_name(hook.status);

    if (hook.status == webhook_status::closing) {
        self->metrics.webhook(direction, status, "ack");
        self->handle_closing(hook);
        co_return webhook_answer(closing_response());
    }

    std::optional<std::string> refusal;
    if (hook.direction == webhook_direction::outgoing) {
        // Viewers: never ask the room (viewers must not cost anything).
        const bool ours = hook.target && hook.target->app == self->cfg.ome.app &&
                          self->seat_streams.count(hook.target->stream) != 0;
        if (!ours) refusal = "unknown stream";
    } else {
        refusal = co_await admit_publisher(self, std::move(hook));
    }
    self->metrics.webhook(direction, status, refusal ? "denied" : "allowed");
    self->metrics.admission_latency.observe(
        std::chrono::duration<double>(steady_clock::now() - started).count());
    co_return webhook_answer(refusal ? deny_response(*refusal) : allow_response());
}

asio::awaitable<std::optional<std::string>> gateway_service::impl::admit_publisher(
    std::shared_ptr<impl> self, webhook_request hook)
{
    const std::string shown_url = redact_url(hook.url);
    auto refuse = [&](std::string reason) {
        self->log("publish refused: " + shown_url + " from " + hook.address + ":" +
                  std::to_string(hook.port) + ": " + reason);
        return std::optional<std::string>(std::move(reason));
    };
    if (!hook.target) co_return refuse("unreadable url");
    const stream_url& target = *hook.target;
    if (target.app != self->cfg.ome.app) co_return refuse("not this application");
    if (self->seat_streams.count(target.stream) == 0) co_return refuse("not a seat's stream");
    // Our publish URLs end at the stream name. Anything longer is not ours,
    // and we cannot be sure OME would name its stream after the segment we
    // read, so a seat token must not open it.
    if (!target.rest.empty()) co_return refuse("unexpected path after the stream name");
    // The seat's previous stream is still in OME (its kick failed so far): a
    // new publisher would collide with it. Refused until the kick is done.
    if (self->streams.admission_blocked(target.stream)) co_return refuse("stream_ending");

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

    // Any kick of this stream ends here: the name is the new publisher's.
    proto::stream_info info;
    info.name = target.stream;
    info.source = std::string(hook.source_name());
    self->log("publish admitted: " + shown_url + " from " + hook.address + ":" +
              std::to_string(hook.port));
    self->add_outputs(info);
    self->tell_up(
        self->streams.admitted(
            connection_key{hook.address, hook.port}, std::move(info), steady_clock::now()),
        "admitted");
    co_return std::nullopt;
}

void gateway_service::impl::handle_closing(const webhook_request& hook)
{
    if (hook.direction != webhook_direction::incoming) return;
    std::vector<std::string> named;
    if (hook.target) named.push_back(hook.target->stream);
    if (hook.new_target && (!hook.target || hook.new_target->stream != hook.target->stream)) {
        named.push_back(hook.new_target->stream);
    }
    tell_down(streams.closed(connection_key{hook.address, hook.port}, named), "publisher closed");
}

}  // namespace ovs::gateway
