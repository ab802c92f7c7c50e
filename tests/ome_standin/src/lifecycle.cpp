// Publishers and players: the sequence of webhooks, model changes and
// timers OME goes through when an encoder publishes or a player plays.
#include "ome_time.hpp"
#include "standin_impl.hpp"

#include <ovs/net/spawn.hpp>

namespace ovs::ome_standin {

namespace {

// X-Real-IP wins, then the first X-Forwarded-For item, then the socket.
std::string real_ip_of(play_request const& r)
{
    if (!r.x_real_ip.empty()) return r.x_real_ip;
    if (!r.x_forwarded_for.empty()) {
        std::string first = r.x_forwarded_for.substr(0, r.x_forwarded_for.find(','));
        first.erase(0, first.find_first_not_of(' '));
        first.erase(first.find_last_not_of(' ') + 1);
        if (!first.empty()) return first;
    }
    return r.address;
}

}  // namespace

void cancel_lifetime(impl_ptr const& self, std::uint64_t id)
{
    auto const it = self->lifetime_timers.find(id);
    if (it == self->lifetime_timers.end()) return;
    it->second->cancel();
    self->lifetime_timers.erase(it);
}

namespace {

asio::awaitable<void> expire_publisher(impl_ptr self,
                                       std::uint64_t id,
                                       std::shared_ptr<asio::steady_timer> timer)
{
    auto [ec] = co_await timer->async_wait(use_nothrow);
    if (ec || self->stopped) co_return;
    self->lifetime_timers.erase(id);
    // The session's lifetime ran out: OME cuts the encoder and sends a closing.
    auto removed = self->state.remove_publisher(id, wall_clock::now());
    if (removed) co_await send_publisher_closing(self, std::move(*removed));
}

}  // namespace

asio::awaitable<void> delayed_closing(impl_ptr self,
                                      publisher p,
                                      std::shared_ptr<asio::steady_timer> timer)
{
    auto [ec] = co_await timer->async_wait(use_nothrow);
    self->other_timers.remove(timer);
    if (ec || self->stopped) co_return;
    co_await send_publisher_closing(self, std::move(p));
}

asio::awaitable<publish_outcome> run_publish(impl_ptr self, publish_request r)
{
    publish_outcome out;
    std::string const vhost = self->vhost_or_default(r.vhost);
    std::string const app = self->app_or_default(r.app);
    out.id = self->state.next_id();
    out.client_port = r.client_port.value_or(self->state.next_client_port());
    out.url = ingest_url(self->cfg, r.protocol, vhost, app, r.stream, r.query);
    out.stream = r.stream;
    if (self->stopped) {
        out.reason = "stand-in stopped";
        co_return out;
    }
    if (!self->state.has_app(vhost, app)) {
        out.reason = "unknown vhost/app " + vhost + "/" + app;
        co_return out;
    }

    publisher p;
    p.id = out.id;
    p.protocol = r.protocol;
    p.vhost = vhost;
    p.app = app;
    p.stream = r.stream;
    p.url = out.url;
    p.new_url = out.url;
    p.address = r.address;
    p.port = out.client_port;
    p.real_ip = r.address;
    p.user_agent = r.user_agent;
    p.media = r.media.value_or(media_params{});
    p.outputs_after = r.outputs_after;

    bool const hooks = self->provider_hooks(r.protocol);
    if (hooks) {
        std::string body = webhook_body(client_of(p),
                                        true,
                                        protocol_name(p.protocol),
                                        "opening",
                                        ome_iso8601(wall_clock::now()),
                                        p.url,
                                        std::nullopt);
        admission_decision const d = co_await ask_admission(self, p.id, std::move(body));
        if (!d.allowed) {
            out.reason = d.reason;
            // RTMP tears the half-open session down with a closing (cases b,
            // e1-e4, e8); SRT and WebRTC send none (f4).
            if (p.protocol == ingest_protocol::rtmp) co_await send_publisher_closing(self, p);
            co_return out;
        }
        if (d.new_url) {
            if (auto const target = parse_redirect(*d.new_url)) {
                if (self->state.has_vhost(target->vhost)) p.vhost = target->vhost;
                p.app = target->app;
                p.stream = target->stream;
                p.new_url = *d.new_url;
            }
        }
        out.lifetime_ms = d.lifetime_ms;
    }
    out.stream = p.stream;
    if (!self->state.has_app(p.vhost, p.app)) {
        out.reason = "unknown vhost/app " + p.vhost + "/" + p.app + " after new_url";
        if (hooks) co_await send_publisher_closing(self, p);
        co_return out;
    }
    if (self->state.find_stream(p.vhost, p.app, p.stream)) {
        // Case i3: the control server allowed it, OME refuses the duplicate
        // name and closes that client; the first publisher keeps going.
        out.reason = "duplicate stream name";
        if (hooks) co_await send_publisher_closing(self, p);
        co_return out;
    }
    p.created = wall_clock::now();
    self->state.add_publisher(p);
    out.admitted = true;
    if (out.lifetime_ms > 0) {
        auto timer = std::make_shared<asio::steady_timer>(
            self->ex, std::chrono::milliseconds(out.lifetime_ms));
        self->lifetime_timers[p.id] = timer;
        net::spawn(self->ex, expire_publisher(self, p.id, timer), "ome-standin publisher lifetime");
    }
    co_return out;
}

asio::awaitable<bool> run_unpublish(impl_ptr self, std::uint64_t id)
{
    cancel_lifetime(self, id);
    auto removed = self->state.remove_publisher(id, wall_clock::now());
    if (!removed) co_return false;
    co_await send_publisher_closing(self, std::move(*removed));
    co_return true;
}

asio::awaitable<play_outcome> run_play(impl_ptr self, play_request r)
{
    play_outcome out;
    std::string const vhost = self->vhost_or_default(r.vhost);
    std::string const app = self->app_or_default(r.app);
    out.id = self->state.next_id();
    out.url = playback_url(self->cfg, r.protocol, app, r.stream, r.query);
    player pl;
    pl.id = out.id;
    pl.protocol = r.protocol;
    pl.vhost = vhost;
    pl.app = app;
    pl.stream = r.stream;
    pl.url = out.url;
    pl.address = r.address;
    pl.port = r.client_port.value_or(self->state.next_client_port());
    pl.user_agent = r.user_agent;
    webhook_client client{pl.address, pl.port, real_ip_of(r), pl.user_agent};
    // The LLHLS closing falls back to the socket address (case g).
    pl.real_ip = r.protocol == playback_protocol::llhls ? r.address : client.real_ip;

    if (self->publisher_hooks(r.protocol)) {
        // Sent before the stream lookup (case g5).
        std::string body = webhook_body(client,
                                        false,
                                        protocol_name(r.protocol),
                                        "opening",
                                        ome_iso8601(wall_clock::now()),
                                        out.url,
                                        std::nullopt);
        admission_decision const d = co_await ask_admission(self, out.id, std::move(body));
        if (!d.allowed) {
            out.http_status = 401;
            out.reason = d.reason;
            co_return out;
        }
    }
    if (!self->state.find_stream(vhost, app, r.stream)) {
        out.http_status = 404;
        out.reason = "stream not found";
        co_return out;
    }
    if (r.protocol == playback_protocol::webrtc && !r.answer) {
        out.reason = "offer sent but never answered: no session, no closing";
        co_return out;
    }
    pl.created = wall_clock::now();
    self->state.add_player(pl, pl.created);
    out.admitted = true;
    co_return out;
}

asio::awaitable<bool> run_stop_play(impl_ptr self, std::uint64_t id)
{
    auto removed = self->state.remove_player(id, wall_clock::now());
    if (!removed) co_return false;
    if (self->publisher_hooks(removed->protocol)) {
        webhook_client client{
            removed->address, removed->port, removed->real_ip, removed->user_agent};
        std::string body = webhook_body(client,
                                        false,
                                        protocol_name(removed->protocol),
                                        "closing",
                                        ome_iso8601(wall_clock::now()),
                                        removed->url,
                                        removed->url);
        co_await send_webhook(self, removed->id, "closing", std::move(body));
    }
    co_return true;
}

}  // namespace ovs::ome_standin
