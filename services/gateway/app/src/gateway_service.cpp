#include "gateway_http.hpp"
#include "gateway_impl.hpp"

#include <ovs/gateway/urls.hpp>
#include <ovs/net/metrics_listener.hpp>
#include <ovs/net/spawn.hpp>
#include <ovs/net/version.hpp>

#include <boost/system/system_error.hpp>

#include <stdexcept>

namespace ovs::gateway {

void gateway_log::operator()(std::string_view line, log::level level) const
{
    if (sink) {
        sink(line);
    } else {
        log::write(level, line);
    }
}

proto::stream_info to_stream_info(const stream_details& d)
{
    proto::stream_info info;
    info.name = d.name;
    info.source = std::string(source_name(d.source));
    if (!d.created_time.empty()) info.created = d.created_time;
    std::uint64_t bitrate = 0;
    if (d.video) {
        proto::video_info v;
        if (!d.video->codec.empty()) v.codec = d.video->codec;
        if (d.video->width) v.width = d.video->width;
        if (d.video->height) v.height = d.video->height;
        if (d.video->framerate > 0) v.framerate = d.video->framerate;
        info.video = v;
        bitrate += d.video->bitrate;
    }
    if (d.audio) {
        proto::audio_info a;
        if (!d.audio->codec.empty()) a.codec = d.audio->codec;
        if (d.audio->samplerate) a.samplerate = d.audio->samplerate;
        if (d.audio->channels) a.channels = d.audio->channels;
        info.audio = a;
        bitrate += d.audio->bitrate;
    }
    if (bitrate) info.bitrate = bitrate;
    return info;
}

gateway_service::impl::impl(asio::any_io_executor ex, config::config c, log_sink l)
    : executor(ex),
      cfg(std::move(c)),
      log{std::move(l)},
      ome(ex,
          config::api_host(cfg.ome),
          cfg.ome.api,
          basic_authorization(cfg.ome.api.access_token)),
      policy(cfg.gateway.poll_interval, cfg.gateway.poll_backoff_max),
      poll_wake(ex),
      // OME lists an admitted stream a few hundred ms after the opening: the
      // poll gets a couple of rounds before it may contradict the webhook.
      // A failed kick is retried on the poll's rhythm: first after one poll
      // interval, then doubling up to the poll's backoff cap.
      streams(
          std::max<steady_clock::duration>(3 * cfg.gateway.poll_interval, std::chrono::seconds(3)),
          cfg.gateway.poll_interval,
          cfg.gateway.poll_backoff_max),
      kick_wake(ex),
      edges(edge_names(cfg.ome)),
      edge_wake(ex),
      outputs({cfg.gateway.outputs_probe_interval,
               cfg.gateway.outputs_timeout,
               std::max(cfg.gateway.outputs_probe_interval, cfg.gateway.poll_interval)}),
      outputs_wake(ex)
{
    for (const auto& e : cfg.ome.edges) {
        // Probes carry no credentials: an edge's playback port needs none.
        auto probe = cfg.ome.api;
        probe.tls = e.llhls.tls;
        probe.port = e.llhls.port;
        edge_clients.push_back(std::make_unique<ome_http_client>(
            ex, e.probe_host.empty() ? e.host : e.probe_host, probe, std::string()));
    }
    for (const auto& room : cfg.rooms) {
        for (unsigned seat = 0; seat < room.seats; ++seat) {
            seat_streams.insert(config::stream_name(room, seat));
        }
    }
}

std::vector<std::string> edge_names(const config::ome_config& ome)
{
    std::vector<std::string> names;
    for (const auto& e : ome.edges) names.push_back(e.name);
    return names;
}

proto::endpoints gateway_service::impl::endpoints() const
{
    const url_builder builder(cfg.ome, version);
    // Both SRT streamid forms, whatever this OME takes: the room may offer
    // the legacy one to encoders that need it.
    const url_builder path_form(cfg.ome, ome_version{0, 19, 0, "0.19", ""});
    const url_builder legacy_form(cfg.ome, ome_version{0, 18, 0, "0.18", ""});
    const auto pub = builder.publish_template();
    const auto play = builder.playback_template();
    proto::endpoints e;
    e.webrtc_publish = pub.webrtc;
    e.whip = pub.whip;
    e.rtmp = {pub.rtmp_server, pub.rtmp_key, pub.rtmp_url};
    e.srt = {path_form.publish_template().srt, legacy_form.publish_template().srt};
    e.webrtc_play = play.webrtc;
    e.llhls_play = play.llhls;
    for (const auto& edge : cfg.ome.edges) {
        if (!edges.in(edge.name)) continue;
        auto at_edge = cfg.ome;
        at_edge.host = edge.host;
        at_edge.webrtc_publisher = edge.webrtc_publisher;
        at_edge.llhls = edge.llhls;
        const auto urls = url_builder(at_edge, version).playback_template();
        e.edges.push_back(proto::edge_endpoints{edge.name, urls.webrtc, urls.llhls});
    }
    return e;
}

proto::media_status gateway_service::impl::media_status() const
{
    proto::media_status s;
    const auto& st = policy.status();
    s.reachable = st.reachable.value_or(false);
    s.stale = !s.reachable;
    if (version) s.version = version->text;
    if (!st.last_error.empty()) s.last_error = st.last_error;
    return s;
}

proto::streams gateway_service::impl::snapshot() const
{
    proto::streams s;
    for (const auto& [name, known] : streams.room_view()) s.list.push_back(known.info);
    return s;
}

void gateway_service::impl::greet()
{
    // A new link carries the gateway's last authoritative view of OME, or
    // nothing: before its first poll since it started, the gateway knows
    // neither whether OME answers nor which streams it has, and an
    // "unreachable" or an empty list would make the room take down every
    // live seat until that poll (a blink for every viewer). The first poll's
    // result follows as soon as it is in (poll_once).
    const auto greeting = plan_greeting(policy.status().reachable.has_value(), view_complete);
    log(std::string("room link up") +
        (greeting.media_status ? "" : "; OME not polled yet, its view follows the first poll"));
    links->send(endpoints());
    // A gateway restart loses its owed kicks: the room's holds tell which
    // seat streams in OME nobody holds any more (open mode: no holds).
    holds_wanted = cfg.mode == config::admission_mode::webhook;
    if (greeting.media_status) links->send(media_status());
    if (greeting.streams) links->send(snapshot());
    if (greeting.streams && !viewers.empty()) links->send(proto::stream_viewers{viewers});
    if (greeting.streams) maybe_sweep_orphans();
    update_gauges();
}

void gateway_service::impl::add_outputs(proto::stream_info& info)
{
    // Whether OME can play it yet is the outputs watch's to say; a stream new
    // to the watch starts. The watch's loop is woken for every stream not
    // ready yet: a poll may have put it in the watch before this call, and
    // the loop, asleep with nothing to watch, would never probe it.
    if (!outputs.state(info.name)) outputs.appeared(info.name, steady_clock::now());
    info.outputs = outputs.state(info.name);
    if (info.outputs != proto::outputs_state::ready) outputs_wake.cancel();
}

void gateway_service::impl::tell_up(std::optional<stream_book::room_up> up, const char* how)
{
    if (!up) return;
    if (up->is_new) log("stream up: " + up->info.name + " (" + up->info.source + ", " + how + ")");
    if (links) links->send(proto::stream_up{std::move(up->info)});
    update_gauges();
}

void gateway_service::impl::tell_down(std::optional<proto::stream_info> down, const char* why)
{
    if (!down) return;
    log("stream down: " + down->name + " (" + why + ")");
    outputs.gone(down->name);
    if (links) links->send(proto::stream_down{std::move(*down)});
    update_gauges();
}

void gateway_service::impl::update_gauges()
{
    metrics.streams_known = streams.room_view().size();
    metrics.kicks_owed = streams.kicks().size();
    metrics.links_up = links ? links->ready_count() : 0;
    if (links) metrics.link_handshake_failures = links->handshake_failures();
    metrics.ome_reachable = policy.status().reachable.value_or(false);
    metrics.edges_configured = cfg.ome.edges.size();
    metrics.edges_in_rotation = edges.in_rotation().size();
}

// ------------------------------------------------------------------ service

gateway_service::gateway_service(asio::any_io_executor ex, config::config cfg, log_sink log)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg), std::move(log)))
{
}

gateway_service::~gateway_service()
{
    stop();
}

void gateway_service::start()
{
    auto& d = *impl_;
    std::weak_ptr<impl> weak = impl_;
    if (d.cfg.ome.webhook_secret.empty()) {
        // In every mode: a webhook anyone could sign would open and close
        // seats' streams. (The config loader refuses such a file first.)
        throw std::invalid_argument(
            "ome.webhook_secret is empty: the gateway accepts only signed webhooks; set it "
            "(or OVENSPACE_WEBHOOK_SECRET) to OME's AdmissionWebhooks SecretKey");
    }

    link::link_options options;
    options.limits = d.cfg.link;
    options.role = "gateway";
    options.peer_role = "room";
    options.software = software_name("gateway");
    options.log = [weak](std::string_view line) {
        if (auto self = weak.lock()) self->log(std::string("link: ").append(line));
    };
    room_link_hooks hooks;
    hooks.on_connected = [weak] {
        if (auto self = weak.lock()) self->greet();
    };
    hooks.on_disconnected = [weak](const std::string& reason) {
        auto self = weak.lock();
        if (!self) return;
        self->log("room link down: " + reason, log::level::warn);
        self->update_gauges();
    };
    hooks.on_request = [weak](proto::request req, link::responder r) {
        auto self = weak.lock();
        if (!self) return r.fail("unavailable", "gateway shutting down");
        if (auto* kick = std::get_if<proto::kick>(&req)) {
            std::string what = "gateway kick of " + kick->stream;
            net::spawn(self->executor,
                       impl::handle_kick(self, std::move(*kick), std::move(r)),
                       std::move(what));
            return;
        }
        r.fail("unsupported", "the gateway does not serve this request");
    };
    // Room replicas sharing Redis: keep a link from each (proto/internal.md,
    // "Several room replicas and gateways").
    const bool replicas = d.cfg.store.kind == config::store_kind::redis;
    d.links =
        std::make_unique<room_links>(d.executor, std::move(options), std::move(hooks), replicas);

    net::server_options http;
    http.service = "gateway";
    http.server_header = software_name("gateway");
    http.address = d.cfg.gateway.http.address;
    http.port = d.cfg.gateway.http.port;
    http.config_key = "gateway.http";
    http.max_http_connections = d.cfg.gateway.max_http_connections;
    http.max_body_bytes = d.cfg.gateway.max_webhook_body_bytes;
    // OME waits up to 3 s for a webhook answer; a client slower than this
    // to send a request is not OME.
    http.request_timeout = std::chrono::seconds(10);
    http.write_timeout = std::chrono::seconds(10);
    http.ws.max_sessions = 0;  // no WebSockets here
    d.http = std::make_unique<net::server>(d.executor, http, std::make_shared<gateway_http>(weak));
    // A scrape still in progress when the gateway goes away gets an empty page.
    auto render = [weak] {
        auto self = weak.lock();
        return self ? self->metrics_text() : std::string();
    };
    d.metrics_http =
        std::make_unique<net::server>(d.executor,
                                      net::metrics_listener_options("gateway",
                                                                    software_name("gateway"),
                                                                    d.cfg.gateway.metrics.address,
                                                                    d.cfg.gateway.metrics.port,
                                                                    "gateway.metrics"),
                                      std::make_shared<net::metrics_service>(std::move(render)));

    try {
        d.link_port = d.links->listen(d.cfg.gateway.link.address, d.cfg.gateway.link.port);
    } catch (const boost::system::system_error& e) {
        throw net::bind_error(net::bind_failure(
            d.cfg.gateway.link.address, d.cfg.gateway.link.port, "gateway.link", e.code()));
    }
    d.http->start();
    d.http_port = d.http->local_endpoint().port();
    d.metrics_http->start();
    d.metrics_port = d.metrics_http->local_endpoint().port();
    d.log("listening: webhooks/health on " + d.cfg.gateway.http.address + ":" +
          std::to_string(d.http_port) + ", room link on " + d.cfg.gateway.link.address + ":" +
          std::to_string(d.link_port) + ", metrics on " + d.cfg.gateway.metrics.address + ":" +
          std::to_string(d.metrics_port));
    net::spawn(d.executor, impl::poll_loop(impl_), "gateway poll loop");
    if (!d.edge_clients.empty()) {
        net::spawn(d.executor, impl::edge_loop(impl_), "gateway edge probes");
    }
    net::spawn(d.executor, impl::outputs_loop(impl_), "gateway outputs loop");
    net::spawn(d.executor, impl::kick_loop(impl_), "gateway kick loop");
}

void gateway_service::stop()
{
    auto& d = *impl_;
    if (d.stopped) return;
    d.stopped = true;
    if (d.http) d.http->stop();
    if (d.metrics_http) d.metrics_http->stop();
    if (d.links) d.links->stop();
    d.poll_wake.cancel();
    d.edge_wake.cancel();
    d.outputs_wake.cancel();
    d.kick_wake.cancel();
    d.ome.close();
    for (auto& c : d.edge_clients) c->close();
    d.update_gauges();
}

std::uint16_t gateway_service::http_port() const
{
    return impl_->http_port;
}

std::uint16_t gateway_service::metrics_port() const
{
    return impl_->metrics_port;
}

std::uint16_t gateway_service::link_port() const
{
    return impl_->link_port;
}

bool gateway_service::ome_reachable() const
{
    return impl_->policy.status().reachable.value_or(false);
}

std::size_t gateway_service::room_links_ready() const
{
    return impl_->links ? impl_->links->ready_count() : 0;
}

std::string gateway_service::metrics_text() const
{
    return impl_->metrics_text();
}

std::string gateway_service::impl::metrics_text()
{
    update_gauges();
    auto text = metrics.render();
    if (http) text += net::prometheus_text(http->stats(), "ovs_gateway");
    return text;
}

}  // namespace ovs::gateway
