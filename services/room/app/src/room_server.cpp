// The room service, wired: the shared context (store, counters, fan-out),
// libs/net's server with the room's routes and viewers, the store's tick,
// and the gateway seam. Each part is its own file; this one only connects
// them.

#include "room_context.hpp"
#include "room_http.hpp"
#include "static_files.hpp"
#include "wire.hpp"

#include <ovs/log/log.hpp>
#include <ovs/net/metrics_listener.hpp>
#include <ovs/net/server.hpp>
#include <ovs/net/version.hpp>
#include <ovs/room/memory_store.hpp>
#include <ovs/room/room_server.hpp>

namespace ovs::room {

namespace {

net::server_options server_options_of(const config::room_service_config& room)
{
    net::server_options o;
    o.service = "room";
    o.server_header = software_name("room");
    o.address = room.listen.address;
    o.port = room.listen.port;
    o.config_key = "room.listen";
    o.max_http_connections = room.limits.max_http_connections;
    o.max_body_bytes = room.max_http_body_bytes;
    o.request_timeout = room.limits.handshake_timeout;
    o.write_timeout = room.limits.handshake_timeout;
    o.ws.max_message_bytes = room.limits.max_message_bytes;
    o.ws.send_queue_messages = room.limits.send_queue_messages;
    o.ws.max_sessions = room.limits.max_connections_total;
    o.ws.handshake_timeout = room.limits.handshake_timeout;
    o.ws.idle_timeout = room.limits.idle_timeout;
    return o;
}

}  // namespace

settings settings_from(const config::config& c)
{
    return settings{c.mode,
                    c.room.lease,
                    c.room.disconnect_grace,
                    c.room.presence_interval,
                    c.room.limits.max_connections_per_room};
}

struct room_server::impl : std::enable_shared_from_this<impl> {
    impl(asio::io_context& io, const config::config& cfg, std::shared_ptr<room_store> store)
        : ctx(std::make_shared<room_context>(io.get_executor(), cfg, std::move(store))),
          http(io.get_executor(), server_options_of(cfg.room), std::make_shared<room_http>(ctx)),
          metrics_address(cfg.room.metrics)
    {
    }
    std::string metrics_text() const
    {
        return prometheus_text(ctx->counters, ctx->current_gauges()) +
               net::prometheus_text(http.stats(), "ovs_room");
    }
    // A scrape still in progress when the service goes away gets an empty
    // page, not a dangling service.
    void start_metrics()
    {
        auto render = [weak = weak_from_this()] {
            auto self = weak.lock();
            return self ? self->metrics_text() : std::string();
        };
        metrics = std::make_unique<net::server>(
            ctx->ex,
            net::metrics_listener_options("room",
                                          software_name("room"),
                                          metrics_address.address,
                                          metrics_address.port,
                                          "room.metrics"),
            std::make_shared<net::metrics_service>(std::move(render)));
        metrics->start();
    }
    std::shared_ptr<room_context> ctx;
    net::server http;
    config::endpoint metrics_address;
    std::unique_ptr<net::server> metrics;  // /metrics, away from the public listener
};

room_server::room_server(asio::io_context& io, const config::config& cfg, token_source tokens)
    : impl_(std::make_shared<impl>(
          io,
          cfg,
          std::make_shared<memory_store>(cfg.rooms, settings_from(cfg), std::move(tokens))))
{
}

room_server::room_server(asio::io_context& io,
                         const config::config& cfg,
                         std::shared_ptr<room_store> store)
    : impl_(std::make_shared<impl>(io, cfg, std::move(store)))
{
}

room_server::~room_server()
{
    impl_->ctx->stop_ticking();
}

void room_server::set_socket_send_buffer(int bytes)
{
    impl_->http.set_socket_send_buffer(bytes);
}

void room_server::start()
{
    // The kept seats are back before the first browser or gateway sees them.
    impl_->ctx->load_state();
    impl_->http.start();
    impl_->start_metrics();
    impl_->ctx->start_ticking();
    if (!has_index(impl_->ctx->cfg.web_root)) {
        log::warn("web root " + impl_->ctx->cfg.web_root +
                  " has no index.html: serving a placeholder page; build the web bundle "
                  "(web/) or point room.web_root at it");
    }
}

asio::ip::tcp::endpoint room_server::local_endpoint() const
{
    return impl_->http.local_endpoint();
}

asio::ip::tcp::endpoint room_server::metrics_endpoint() const
{
    return impl_->metrics ? impl_->metrics->local_endpoint() : asio::ip::tcp::endpoint{};
}

void room_server::stop(std::function<void()> drained)
{
    impl_->ctx->save_state_now();
    impl_->ctx->stop_ticking();
    if (impl_->metrics) impl_->metrics->stop();
    impl_->http.stop(std::move(drained));
}

bool room_server::stopping() const
{
    return impl_->http.stopping();
}

namespace {

// Outputs go out when the store has answered (at once for the embedded one).
done_void then_process(const std::shared_ptr<room_context>& ctx)
{
    return [weak = std::weak_ptr<room_context>(ctx)] {
        if (auto c = weak.lock()) c->process_outputs();
    };
}

}  // namespace

void room_server::on_stream_up(const std::string& stream, const stream_info& info)
{
    impl_->ctx->streams_seen.up(stream, info);
    impl_->ctx->store->stream_up(stream, info, clock::now(), then_process(impl_->ctx));
}

void room_server::on_stream_down(const std::string& stream)
{
    impl_->ctx->streams_seen.down(stream);
    impl_->ctx->store->stream_down(stream, clock::now(), then_process(impl_->ctx));
}

void room_server::on_streams_snapshot(const std::map<std::string, stream_info>& streams)
{
    impl_->ctx->streams_seen.whole(streams);
    impl_->ctx->store->streams_snapshot(streams, clock::now(), then_process(impl_->ctx));
}

void room_server::on_stream_viewers(const std::map<std::string, std::size_t>& counts)
{
    impl_->ctx->store->stream_viewers(counts, clock::now(), then_process(impl_->ctx));
}

void room_server::on_media_status(const media_status& status)
{
    impl_->ctx->media = status;
    impl_->ctx->broadcast_all(wire::media_frame(status));
}

void room_server::on_endpoints(const endpoint_templates& templates)
{
    auto& ctx = *impl_->ctx;
    ctx.templates = templates;
    // Per viewer: with OME edges each may play from another one.
    ++ctx.counters.broadcasts;
    const auto d = ctx.members.send_each([&](const std::string& viewer_key) {
        wire::json frame{{"type", "playback"},
                         {"playback", wire::playback_json(&templates, viewer_key)}};
        return net::make_frame(frame.dump());
    });
    ctx.counters.messages_out += d.queued;
}

void room_server::check_admission(const std::string& stream,
                                  const std::string& token,
                                  std::function<void(admission)> done)
{
    impl_->ctx->store->check_admission(stream, token, clock::now(), std::move(done));
}

std::optional<std::vector<std::string>> room_server::held_streams() const
{
    return impl_->ctx->held_streams();
}

std::vector<std::string> room_server::ending_streams() const
{
    return impl_->ctx->ending_streams();
}

void room_server::set_kick_sink(kick_sink sink)
{
    impl_->ctx->kicks = std::move(sink);
}

void room_server::set_link_probe(link_probe probe)
{
    impl_->ctx->linked = std::move(probe);
}

std::string room_server::metrics_text() const
{
    return impl_->metrics_text();
}

}  // namespace ovs::room
