#include <ovs/link/link_client.hpp>
#include <ovs/room/gateway_link.hpp>
#include <ovs/room/gateway_mapping.hpp>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <variant>

namespace ovs::room {

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

// The request never reached the gateway, or its fate is unknown because the
// connection ended first: worth sending again after the next connect.
bool undelivered(const proto::error_info& e)
{
    return e.code == "not_connected" || e.code == "closed";
}

}  // namespace

struct gateway_link::state : std::enable_shared_from_this<gateway_link::state> {
    state(asio::any_io_executor executor,
          room_server& srv,
          const config::config& cfg,
          config::endpoint gateway,
          std::function<bool()> group_up,
          link::logger logger)
        : ex(std::move(executor)),
          server(srv),
          target(std::move(gateway)),
          others_up(std::move(group_up)),
          limits(cfg.link),
          mode(cfg.mode),
          log(std::move(logger))
    {
    }

    asio::any_io_executor ex;
    room_server& server;
    config::endpoint target;
    // Set for a member of gateway_links: the group hooks the server.
    std::function<bool()> others_up;
    config::link_config limits;
    config::admission_mode mode;
    link::logger log;
    std::shared_ptr<link::link_client> client;
    media_status last_media;  // as the gateway last reported it
    std::deque<kick_stream> unsent_kicks;
    bool started = false;
    bool stopped = false;

    void write(const std::string& line) const
    {
        if (log) log(line);
    }

    void start();
    void stop();
    void on_connected();
    void on_disconnected(const std::string& reason);
    void on_event(proto::event e);
    void on_request(proto::request req, link::responder r);
    void send_kick(const kick_stream& k);
    void kick_done(const kick_stream& k, const proto::reply& rep);
    void keep_for_later(const kick_stream& k);
};

void gateway_link::state::start()
{
    if (started || stopped) return;
    started = true;
    std::weak_ptr<state> weak = shared_from_this();

    link::link_options options;
    options.limits = limits;
    options.role = "room";
    options.peer_role = "gateway";
    options.software = "ovenspace-room/0.1.0";
    options.log = [weak](std::string_view line) {
        if (auto self = weak.lock()) self->write(std::string("link: ").append(line));
    };
    client = link::link_client::create(ex, std::move(options), target);
    client->set_handlers({
        .on_connected =
            [weak] {
                if (auto self = weak.lock()) self->on_connected();
            },
        .on_disconnected =
            [weak](const std::string& reason) {
                if (auto self = weak.lock()) self->on_disconnected(reason);
            },
        .on_event =
            [weak](proto::event e) {
                if (auto self = weak.lock()) self->on_event(std::move(e));
            },
        .on_request =
            [weak](proto::request req, link::responder r) {
                auto self = weak.lock();
                if (!self) return r.fail("unsupported", "the room link is shutting down");
                self->on_request(std::move(req), std::move(r));
            },
    });

    if (!others_up) {
        server.set_kick_sink([weak](const kick_stream& k) {
            if (auto self = weak.lock()) self->send_kick(k);
        });
        server.set_link_probe([weak]() -> std::size_t {
            auto self = weak.lock();
            return self && self->client && self->client->connected() ? 1 : 0;
        });
    }
    write("connecting to the gateway at " + target.address + ":" + std::to_string(target.port));
    client->start();
}

void gateway_link::state::stop()
{
    if (stopped) return;
    stopped = true;
    const bool was_connected = client && client->connected();
    if (client) client->stop();
    if (!started) return;
    if (!others_up) {
        server.set_kick_sink({});
        // Stopped means unlinked, whatever else the server thinks.
        server.set_link_probe([] { return std::size_t{0}; });
    }
    if (was_connected && !server.stopping() && !(others_up && others_up())) {
        server.on_media_status(link_down_media(last_media));
    }
    if (!unsent_kicks.empty()) {
        write("stopping with " + std::to_string(unsent_kicks.size()) +
              " kick(s) not delivered to the gateway");
    }
}

void gateway_link::state::on_connected()
{
    write("linked to the gateway at " + target.address + ":" + std::to_string(target.port));
    // Before the gateway's snapshot is applied: these streams belong to seats
    // freed while the link was down, and no publisher was admitted since
    // (the gateway refuses admissions while unlinked).
    auto pending = std::move(unsent_kicks);
    unsent_kicks.clear();
    if (!pending.empty()) {
        write("sending " + std::to_string(pending.size()) + " kick(s) held while unlinked");
    }
    for (const auto& k : pending) send_kick(k);
    // Ending seats: kicks the room still wants done. The gateway may have
    // restarted and lost the obligation, or this is a room restart that
    // restored them; repeating a kick the gateway still holds is harmless.
    std::size_t resent = 0;
    for (const auto& stream : server.ending_streams()) {
        const bool queued = std::any_of(pending.begin(), pending.end(), [&](const kick_stream& k) {
            return k.stream == stream;
        });
        if (queued) continue;
        send_kick(kick_stream{stream, "still_ending"});
        ++resent;
    }
    if (resent != 0) {
        write("resending " + std::to_string(resent) + " kick(s) of seats still ending");
    }
}

void gateway_link::state::on_disconnected(const std::string& reason)
{
    if (others_up && others_up()) {
        write("gateway link down (" + reason + "); another gateway still reports the media");
        return;
    }
    write("gateway link down (" + reason + "); media marked stale until it is back");
    server.on_media_status(link_down_media(last_media));
}

void gateway_link::state::on_event(proto::event e)
{
    std::visit(
        overloaded{
            [&](const proto::streams& s) { server.on_streams_snapshot(to_room_streams(s.list)); },
            [&](const proto::stream_up& s) {
                server.on_stream_up(s.stream.name, to_room_stream(s.stream));
            },
            [&](const proto::stream_down& s) { server.on_stream_down(s.stream.name); },
            [&](const proto::endpoints& s) { server.on_endpoints(to_room_endpoints(s)); },
            [&](const proto::media_status& s) {
                last_media = to_room_media(s);
                server.on_media_status(last_media);
            },
            [&](const proto::stream_viewers& s) { server.on_stream_viewers(to_room_viewers(s)); },
        },
        e);
}

void gateway_link::state::on_request(proto::request req, link::responder r)
{
    if (std::holds_alternative<proto::seat_holds>(req)) {
        auto held = server.held_streams();
        if (!held) {
            r.fail("not_ready", "the room does not know its holds yet (just started)");
            return;
        }
        r.reply(proto::held_streams{std::move(*held)});
        return;
    }
    const auto* check = std::get_if<proto::admission_check>(&req);
    if (check == nullptr) {
        r.fail("unsupported", "the room service serves admission_check and seat_holds");
        return;
    }
    std::weak_ptr<state> weak = shared_from_this();
    const proto::admission_check request = *check;
    answer_admission_check_async(
        request,
        mode,
        [&](const std::string& token, std::function<void(admission)> done) {
            server.check_admission(request.stream, token, std::move(done));
        },
        [weak, request, r](proto::admission_result answer) {
            if (!answer.allowed) {
                if (auto self = weak.lock()) {
                    // Never the token: stream, direction, protocol and client only.
                    self->write("admission refused: " + request.direction + " " + request.stream +
                                " via " + request.protocol + " from " + request.client + " (" +
                                answer.reason + ")");
                }
            }
            r.reply(answer);
        });
}

void gateway_link::state::send_kick(const kick_stream& k)
{
    if (stopped || !client) return;
    std::weak_ptr<state> weak = shared_from_this();
    client->request(proto::kick{0, k.stream, k.reason}, [weak, k](proto::reply rep) {
        if (auto self = weak.lock()) self->kick_done(k, rep);
    });
}

void gateway_link::state::kick_done(const kick_stream& k, const proto::reply& rep)
{
    const auto* err = rep.error();
    if (err == nullptr) return;
    write("kick " + k.stream + " (" + k.reason + ") failed: " + err->code + ": " + err->message);
    if (undelivered(*err)) keep_for_later(k);
}

void gateway_link::state::keep_for_later(const kick_stream& k)
{
    if (stopped) return;
    auto same = std::find_if(unsent_kicks.begin(), unsent_kicks.end(), [&](const kick_stream& x) {
        return x.stream == k.stream;
    });
    if (same != unsent_kicks.end()) {
        same->reason = k.reason;
        return;
    }
    if (unsent_kicks.size() >= max_undelivered_kicks) {
        write("dropping the held kick of " + unsent_kicks.front().stream + " (too many held)");
        unsent_kicks.pop_front();
    }
    unsent_kicks.push_back(k);
    // It may have failed just as a new connection came up: send it now.
    if (client && client->connected()) {
        auto pending = std::move(unsent_kicks);
        unsent_kicks.clear();
        for (const auto& p : pending) send_kick(p);
    }
}

// ---- gateway_link ----------------------------------------------------------

gateway_link::gateway_link(asio::any_io_executor ex,
                           room_server& server,
                           const config::config& cfg,
                           link::logger log)
    : state_(std::make_shared<state>(
          std::move(ex), server, cfg, cfg.room.gateway, nullptr, std::move(log)))
{
}

gateway_link::gateway_link(asio::any_io_executor ex,
                           room_server& server,
                           const config::config& cfg,
                           config::endpoint target,
                           std::function<bool()> others_up,
                           link::logger log)
    : state_(std::make_shared<state>(
          std::move(ex), server, cfg, std::move(target), std::move(others_up), std::move(log)))
{
}

void gateway_link::send_kick(const kick_stream& k)
{
    state_->send_kick(k);
}

gateway_link::~gateway_link()
{
    state_->stop();
}

void gateway_link::start()
{
    state_->start();
}

void gateway_link::stop()
{
    state_->stop();
}

bool gateway_link::connected() const
{
    return state_->client && state_->client->connected();
}

}  // namespace ovs::room
