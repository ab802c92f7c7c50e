// The Beast/Asio part of the room service. Coroutine style throughout: one
// coroutine per HTTP connection, and per WebSocket a reader and a writer
// (the writer alone writes; others enqueue and wake it through a timer).
// One thread: the space, the room lists and the counters need no locks.

#include "http_routes.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "token_bucket.hpp"
#include "wire.hpp"

#include <ovs/net/net.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <filesystem>
#include <tuple>
#include <unordered_map>
#include <variant>

namespace ovs::room {

namespace {

using tcp = asio::ip::tcp;
using ws_stream = websocket::stream<beast::tcp_stream>;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
// Static files stream from disk in small chunks: a large asset sent to many
// (or slow) clients costs no memory per client beyond Beast's buffer.
using file_response = http::response<http::file_body>;
using http_reply = std::variant<response, file_response>;

// Close codes of proto/websocket.md.
constexpr std::uint16_t close_unknown_room = 4404;
constexpr std::uint16_t close_room_full = 4429;

bool quiet_error(const error_code& ec)
{
    return ec == asio::error::operation_aborted || ec == websocket::error::closed ||
           ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == beast::error::timeout ||
           ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor;
}

// Completion handler for every co_spawn: log, never rethrow (one bad
// connection must not take the service down).
void log_exception(std::exception_ptr e, const char* what)
{
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log::error(std::string(what) + ": " + ex.what());
    }
}

// Compares a secret without an early exit, so the time taken does not tell
// how much of a guess was right.
bool same_secret(const std::string& a, const std::string& b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    }
    return diff == 0 && !b.empty();
}

struct spawn_logger {
    const char* what;
    void operator()(std::exception_ptr e) const { log_exception(e, what); }
};

// Is `p` (canonical) `root` (canonical) or below it?
bool within(const std::filesystem::path& root, const std::filesystem::path& p)
{
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end();
}

// How long writing a response may take: the handshake timeout, plus one
// second per 64 KiB of body (a client slower than that is not worth waiting
// for). Set before every write: otherwise the write inherits what is left of
// the read's deadline, and a keep-alive request that came late in it would
// get its answer cut short.
std::chrono::milliseconds write_timeout(std::chrono::milliseconds base, std::uint64_t body_bytes)
{
    return base + std::chrono::milliseconds(body_bytes * 1000 / (64 * 1024));
}

// A HEAD answer: the GET answer's headers (Content-Length included), no body.
void head_only(response& res)
{
    auto size = res.body().size();
    res.body().clear();
    res.content_length(size);
}

}  // namespace

class ws_session;

struct room_server::impl : std::enable_shared_from_this<room_server::impl> {
    impl(asio::io_context& ctx, const config::config& c, token_source tokens)
        : io(ctx),
          cfg(c.room),
          rooms(c.rooms),
          model(c.rooms,
                settings{c.mode,
                         c.room.lease,
                         c.room.disconnect_grace,
                         c.room.presence_interval,
                         c.room.limits.max_connections_per_room},
                std::move(tokens)),
          acceptor(ctx),
          tick_timer(ctx)
    {
    }

    asio::io_context& io;
    config::room_service_config cfg;
    std::vector<config::room_def> rooms;
    space model;
    tcp::acceptor acceptor;
    asio::steady_timer tick_timer;
    tcp::endpoint bound;

    metrics counters;
    media_status media;
    std::optional<endpoint_templates> templates;
    kick_sink kicks;
    readiness_probe ready_probe;
    bool accepting = false;
    bool stopping = false;
    int socket_send_buffer = 64 * 1024;
    conn_id next_conn = 1;

    // Every WebSocket session (also those still in the handshake), and the
    // joined ones per room, for fan-out. Raw pointers: a session removes itself
    // before it dies (see ws_session::finish), and all of this is one thread.
    std::vector<ws_session*> sessions;
    std::unordered_map<std::string, std::vector<ws_session*>> members;
    std::unordered_map<std::string, std::size_t> room_load;  // sessions per room, handshakes too
    std::vector<beast::tcp_stream*> http_conns;

    const endpoint_templates* templates_or_null() const
    {
        return templates ? &*templates : nullptr;
    }
    bool has_room(const std::string& id) const
    {
        for (const auto& r : rooms) {
            if (r.id == id) return true;
        }
        return false;
    }

    void start();
    void stop();
    void maybe_drained();
    std::function<void()> on_drained;
    asio::awaitable<void> accept_loop([[maybe_unused]] std::shared_ptr<impl> self);
    asio::awaitable<void> tick_loop([[maybe_unused]] std::shared_ptr<impl> self);
    asio::awaitable<void> http_session([[maybe_unused]] std::shared_ptr<impl> self,
                                       tcp::socket socket);
    http_reply handle_http(const request& req);
    response route(const request& req, std::string_view path);
    http_reply static_file(const request& req, std::string_view path);
    response api(const request& req, std::string_view path);
    std::optional<response> check_upgrade(const request& req, std::string& room);
    void start_websocket(beast::tcp_stream stream, request req, std::string room);

    // The model's outputs after every input: one serialization per event,
    // shared by every receiver in the room.
    void process_outputs();
    void broadcast(const std::string& room, const std::shared_ptr<const std::string>& frame);
    void broadcast_all(const std::shared_ptr<const std::string>& frame);
    void reschedule_tick();
    gauges current_gauges() const;
};

class ws_session : public std::enable_shared_from_this<ws_session> {
public:
    ws_session(std::shared_ptr<room_server::impl> srv, beast::tcp_stream stream, std::string room)
        : srv_(std::move(srv)),
          ws_(std::move(stream)),
          wake_(ws_.get_executor()),
          room_(std::move(room)),
          bucket_(srv_->cfg.limits.commands_per_second,
                  2.0 * srv_->cfg.limits.commands_per_second,
                  clock::now())
    {
        slot_ = srv_->sessions.size();
        srv_->sessions.push_back(this);
        ++srv_->room_load[room_];
    }

    ~ws_session() { finish(); }

    asio::awaitable<void> run(std::shared_ptr<ws_session> self, request req);

    // Queues a frame; a viewer whose queue is full is cut off at once.
    void deliver(const std::shared_ptr<const std::string>& frame)
    {
        if (done_ || close_code_) return;
        if (queue_.size() >= srv_->cfg.limits.send_queue_messages) {
            ++srv_->counters.queue_drops;
            log::info("dropping a slow viewer (conn " + std::to_string(id_) + ")");
            drop();
            return;
        }
        ++srv_->counters.messages_out;
        queue_.push_back(frame);
        wake_.cancel_one();
    }
    void deliver(std::string frame)
    {
        deliver(std::make_shared<const std::string>(std::move(frame)));
    }

    // Sends the queued frames, then a close frame with `code`.
    void close_after_queue(std::uint16_t code)
    {
        if (close_code_ || done_) return;
        close_code_ = code;
        wake_.cancel_one();
    }

    void drop()
    {
        done_ = true;
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(ws_).close();
        wake_.cancel();
    }

    std::size_t member_slot = 0;

private:
    friend struct room_server::impl;
    asio::awaitable<void> writer(std::shared_ptr<ws_session> self);
    void handle_text(std::string_view text);
    void join();
    void finish();

    std::shared_ptr<room_server::impl> srv_;
    ws_stream ws_;
    asio::steady_timer wake_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::string room_;
    token_bucket bucket_;
    conn_id id_ = 0;                   // set once joined to the model
    bool moderator_ = false;           // entered the moderator secret
    unsigned moderator_failures_ = 0;  // wrong secrets on this connection
    static constexpr unsigned max_moderator_failures = 5;
    void sign_in_moderator(const wire::command& cmd);
    std::optional<refusal> moderate(const wire::command& cmd, time_point now);
    std::size_t slot_ = 0;
    bool member_ = false;
    bool done_ = false;
    bool finished_ = false;
    std::optional<std::uint16_t> close_code_;
};

// ---- the server ------------------------------------------------------------

void room_server::impl::start()
{
    auto address = asio::ip::make_address(cfg.listen.address);
    tcp::endpoint ep(address, cfg.listen.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound = acceptor.local_endpoint();
    accepting = true;
    auto self = shared_from_this();
    asio::co_spawn(io, accept_loop(self), spawn_logger{"accept loop"});
    asio::co_spawn(io, tick_loop(self), spawn_logger{"tick loop"});
    reschedule_tick();
}

void room_server::impl::stop()
{
    if (stopping) return;
    stopping = true;
    accepting = false;
    error_code ignored;
    acceptor.close(ignored);
    tick_timer.cancel();
    for (auto* s : std::vector<beast::tcp_stream*>(http_conns)) {
        s->socket().shutdown(tcp::socket::shutdown_both, ignored);
        s->close();
    }
    for (auto* s : std::vector<ws_session*>(sessions)) {
        s->close_after_queue(static_cast<std::uint16_t>(websocket::close_code::going_away));
    }
}

void room_server::impl::maybe_drained()
{
    if (!stopping || !on_drained || !sessions.empty() || !http_conns.empty()) return;
    asio::post(io, std::exchange(on_drained, {}));
}

asio::awaitable<void> room_server::impl::accept_loop([[maybe_unused]] std::shared_ptr<impl> self)
{
    while (!stopping) {
        auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
        if (ec) {
            if (stopping || ec == asio::error::operation_aborted) break;
            // Out of descriptors or similar: say so and keep serving.
            log::warn("accept: " + ec.message());
            asio::steady_timer pause(io, std::chrono::milliseconds(50));
            co_await pause.async_wait(use_nothrow);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(io, http_session(self, std::move(socket)), spawn_logger{"http session"});
    }
}

asio::awaitable<void> room_server::impl::tick_loop([[maybe_unused]] std::shared_ptr<impl> self)
{
    while (!stopping) {
        auto [ec] = co_await tick_timer.async_wait(use_nothrow);
        if (stopping) break;
        if (ec) continue;  // the deadline moved; wait for the new one
        model.tick(clock::now());
        process_outputs();
    }
}

void room_server::impl::reschedule_tick()
{
    if (stopping) return;
    auto next = model.next_deadline();
    tick_timer.expires_at(next ? *next : asio::steady_timer::time_point::max());
}

void room_server::impl::process_outputs()
{
    auto out = model.drain();
    for (const auto& ev : out.events) {
        std::string room;
        std::string text;
        if (const auto* seat = std::get_if<seat_changed>(&ev)) {
            room = seat->room;
            text = wire::seat_frame(*seat);
        } else if (const auto* viewers = std::get_if<viewers_changed>(&ev)) {
            room = viewers->room;
            text = wire::viewers_frame(*viewers);
        }
        ++counters.broadcasts;
        broadcast(room, std::make_shared<const std::string>(std::move(text)));
    }
    for (const auto& kick : out.kicks) {
        ++counters.kicks;
        log::info("kick stream " + kick.stream + " (" + kick.reason + ")");
        if (kicks) kicks(kick);
    }
    reschedule_tick();
}

void room_server::impl::broadcast(const std::string& room,
                                  const std::shared_ptr<const std::string>& frame)
{
    auto it = members.find(room);
    if (it == members.end()) return;
    for (auto* s : it->second) s->deliver(frame);
}

void room_server::impl::broadcast_all(const std::shared_ptr<const std::string>& frame)
{
    ++counters.broadcasts;
    for (const auto& [room, list] : members) {
        for (auto* s : list) s->deliver(frame);
    }
}

gauges room_server::impl::current_gauges() const
{
    gauges g;
    g.seats_free = model.seats_in_state(seat_state::free);
    g.seats_reserved = model.seats_in_state(seat_state::reserved);
    g.seats_live = model.seats_in_state(seat_state::live);
    for (const auto& r : rooms) {
        auto it = members.find(r.id);
        g.viewers_by_room[r.id] = it == members.end() ? 0 : it->second.size();
    }
    g.media_reachable = media.reachable;
    return g;
}

// ---- HTTP ------------------------------------------------------------------

namespace {

struct http_registration {
    std::vector<beast::tcp_stream*>& list;
    beast::tcp_stream* stream;
    bool active = true;
    http_registration(std::vector<beast::tcp_stream*>& l, beast::tcp_stream* s) : list(l), stream(s)
    {
        list.push_back(stream);
    }
    void release()
    {
        if (!active) return;
        active = false;
        std::erase(list, stream);
    }
    ~http_registration() { release(); }
    http_registration(const http_registration&) = delete;
    http_registration& operator=(const http_registration&) = delete;
};

// After refusing a request mid-body: stop sending, then read and drop what
// the client still sends (bounded), so closing does not reset the connection
// before the client has read the refusal.
asio::awaitable<void> linger(beast::tcp_stream& stream)
{
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> sink;
    std::size_t total = 0;
    stream.expires_after(std::chrono::seconds(1));
    while (total < 1024 * 1024) {
        auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
        if (rec) break;
        total += n;
    }
}

response make_response(const request& req,
                       http::status status,
                       std::string_view type,
                       std::string body)
{
    response res{status, req.version()};
    res.set(http::field::server, "ovenspace-room");
    res.set(http::field::content_type, type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response json_response(const request& req, http::status status, const wire::json& body)
{
    auto res = make_response(req, status, "application/json", body.dump());
    res.set(http::field::cache_control, "no-store");
    return res;
}

response json_error(const request& req,
                    http::status status,
                    std::string_view code,
                    std::string_view message)
{
    return json_response(req, status, {{"error", {{"code", code}, {"message", message}}}});
}

}  // namespace

asio::awaitable<void> room_server::impl::http_session([[maybe_unused]] std::shared_ptr<impl> self,
                                                      tcp::socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    http_registration reg(http_conns, &stream);
    beast::flat_buffer buffer;
    while (!stopping) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(cfg.max_http_body_bytes);
        parser.header_limit(8192);
        stream.expires_after(cfg.limits.handshake_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        if (ec) {
            if (ec == http::error::body_limit || ec == http::error::header_limit) {
                request dummy;
                dummy.version(11);
                dummy.keep_alive(false);
                auto res = json_error(dummy,
                                      http::status::payload_too_large,
                                      "too_large",
                                      "Request headers or body too large");
                stream.expires_after(
                    write_timeout(cfg.limits.handshake_timeout, res.body().size()));
                co_await http::async_write(stream, res, use_nothrow);
                co_await linger(stream);
            } else if (!quiet_error(ec)) {
                log::debug("http read: " + ec.message());
            }
            break;
        }
        ++counters.http_requests;
        request req = parser.release();
        if (websocket::is_upgrade(req)) {
            std::string room;
            if (auto refused = check_upgrade(req, room)) {
                refused->keep_alive(false);
                stream.expires_after(
                    write_timeout(cfg.limits.handshake_timeout, refused->body().size()));
                co_await http::async_write(stream, *refused, use_nothrow);
                break;
            }
            reg.release();
            stream.expires_never();
            if (socket_send_buffer > 0) {
                error_code ignored;
                stream.socket().set_option(asio::socket_base::send_buffer_size(socket_send_buffer),
                                           ignored);
            }
            start_websocket(std::move(stream), std::move(req), std::move(room));
            co_return;
        }
        http_reply reply = handle_http(req);
        error_code wec;
        bool keep_alive = false;
        if (auto* file = std::get_if<file_response>(&reply)) {
            if (stopping) file->keep_alive(false);
            keep_alive = file->keep_alive();
            stream.expires_after(write_timeout(cfg.limits.handshake_timeout, file->body().size()));
            std::tie(wec, std::ignore) = co_await http::async_write(stream, *file, use_nothrow);
        } else {
            auto& res = std::get<response>(reply);
            if (stopping) res.keep_alive(false);
            keep_alive = res.keep_alive();
            stream.expires_after(write_timeout(cfg.limits.handshake_timeout, res.body().size()));
            std::tie(wec, std::ignore) = co_await http::async_write(stream, res, use_nothrow);
        }
        if (wec || !keep_alive) break;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
    reg.release();
    maybe_drained();
}

http_reply room_server::impl::handle_http(const request& req)
{
    auto path = http_rules::path_of(req.target());
    const bool head = req.method() == http::verb::head;
    const bool is_static = (req.method() == http::verb::get || head) && path != "/healthz" &&
                           path != "/readyz" && path != "/metrics" && path != "/ws" &&
                           path != "/api" && path.rfind("/api/", 0) != 0;
    http_reply reply = is_static ? static_file(req, path) : http_reply(route(req, path));
    if (!head) return reply;
    // Beast does not know the request was HEAD: drop the body here, keep
    // the headers (Content-Length says what a GET would carry).
    if (auto* file = std::get_if<file_response>(&reply)) {
        response res;
        res.base() = file->base();
        return res;
    }
    head_only(std::get<response>(reply));
    return reply;
}

response room_server::impl::route(const request& req, std::string_view path)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = json_error(req, http::status::method_not_allowed, "bad_method", "GET or HEAD");
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    if (path == "/healthz") {
        return make_response(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
    }
    if (path == "/readyz") {
        bool ready = accepting && !stopping && (!ready_probe || ready_probe());
        return make_response(req,
                             ready ? http::status::ok : http::status::service_unavailable,
                             "text/plain; charset=utf-8",
                             ready ? "ready\n" : "not ready\n");
    }
    if (path == "/metrics") {
        return make_response(req,
                             http::status::ok,
                             "text/plain; version=0.0.4; charset=utf-8",
                             prometheus_text(counters, current_gauges()));
    }
    if (path == "/ws") {
        return json_error(
            req, http::status::upgrade_required, "upgrade_required", "WebSocket upgrade expected");
    }
    return api(req, path);
}

response room_server::impl::api(const request& req, std::string_view path)
{
    if (path == "/api/rooms") {
        wire::json list = wire::json::array();
        for (const auto& id : model.room_ids()) {
            auto snap = model.snapshot(id);
            if (!snap) continue;
            std::size_t free = 0, reserved = 0, live = 0;
            for (const auto& s : snap->seats) {
                if (s.state == seat_state::free) ++free;
                if (s.state == seat_state::reserved) ++reserved;
                if (s.state == seat_state::live) ++live;
            }
            list.push_back({{"id", snap->id},
                            {"title", snap->title},
                            {"seat_count", snap->seats.size()},
                            {"viewers", snap->viewers},
                            {"seats", {{"free", free}, {"reserved", reserved}, {"live", live}}}});
        }
        return json_response(req, http::status::ok, {{"rooms", std::move(list)}});
    }
    constexpr std::string_view prefix = "/api/rooms/";
    if (path.rfind(prefix, 0) == 0) {
        auto id = http_rules::percent_decode(path.substr(prefix.size()));
        auto snap = id ? model.snapshot(*id) : std::nullopt;
        if (!snap) return json_error(req, http::status::not_found, "unknown_room", "No such room");
        wire::json seats = wire::json::array();
        for (const auto& s : snap->seats) seats.push_back(wire::seat_json(s));
        return json_response(req,
                             http::status::ok,
                             {{"id", snap->id},
                              {"title", snap->title},
                              {"seat_count", snap->seats.size()},
                              {"seq", snap->seq},
                              {"viewers", snap->viewers},
                              {"seats", std::move(seats)},
                              {"media", wire::media_json(media)},
                              {"playback", wire::playback_json(templates_or_null())}});
    }
    return json_error(req, http::status::not_found, "not_found", "No such API");
}

http_reply room_server::impl::static_file(const request& req, std::string_view path)
{
    namespace fs = std::filesystem;
    auto file = http_rules::static_file_for(path);
    if (!file) return json_error(req, http::status::not_found, "not_found", "Not found");
    // Regular files under the web root only: a directory, a device, or a
    // symlink that resolves outside the root is "not found".
    std::error_code fs_ec;
    http::file_body::value_type body;
    auto root = fs::canonical(cfg.web_root, fs_ec);
    auto real = fs_ec ? fs::path() : fs::canonical(root / *file, fs_ec);
    if (!fs_ec && within(root, real) && fs::is_regular_file(real, fs_ec) && !fs_ec) {
        beast::error_code open_ec;
        body.open(real.c_str(), beast::file_mode::scan, open_ec);
    }
    if (!body.is_open()) {
        if (*file != "index.html") {
            return json_error(req, http::status::not_found, "not_found", "Not found");
        }
        auto res = make_response(
            req, http::status::ok, http_rules::mime_type(*file), http_rules::placeholder_index);
        res.set(http::field::cache_control, http_rules::cache_control(*file));
        res.set("X-Content-Type-Options", "nosniff");
        return res;
    }
    file_response res;
    res.result(http::status::ok);
    res.version(req.version());
    res.body() = std::move(body);
    res.set(http::field::server, "ovenspace-room");
    res.set(http::field::content_type, http_rules::mime_type(*file));
    res.set(http::field::cache_control, http_rules::cache_control(*file));
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

std::optional<response> room_server::impl::check_upgrade(const request& req, std::string& room)
{
    auto path = http_rules::path_of(req.target());
    if (path != "/ws") {
        ++counters.ws_refused["not_found"];
        return json_error(req, http::status::not_found, "not_found", "WebSockets live at /ws");
    }
    if (stopping) {
        ++counters.ws_refused["stopping"];
        return json_error(
            req, http::status::service_unavailable, "stopping", "The service is shutting down");
    }
    auto origin = req[http::field::origin];
    // Browsers always send Origin; a client without one (a tool) is not a
    // cross-site page, so only a present, unlisted origin is refused.
    if (!origin.empty() &&
        !http_rules::origin_allowed(origin, req[http::field::host], cfg.allowed_origins)) {
        ++counters.ws_refused["origin"];
        return json_error(req, http::status::forbidden, "bad_origin", "Origin not allowed");
    }
    room = http_rules::query_param(req.target(), "room").value_or("");
    return std::nullopt;
}

void room_server::impl::start_websocket(beast::tcp_stream stream, request req, std::string room)
{
    auto session = std::make_shared<ws_session>(shared_from_this(), std::move(stream), room);
    asio::co_spawn(io, session->run(session, std::move(req)), spawn_logger{"ws session"});
}

// ---- WebSocket -------------------------------------------------------------

asio::awaitable<void> ws_session::run(std::shared_ptr<ws_session> self, request req)
{
    auto& limits = srv_->cfg.limits;
    ws_.set_option(websocket::stream_base::timeout{limits.handshake_timeout,
                                                   limits.idle_timeout,
                                                   /*keep_alive_pings=*/true});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "ovenspace-room"); }));
    ws_.read_message_max(limits.max_message_bytes);
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(512);
    auto [ec] = co_await ws_.async_accept(req, use_nothrow);
    if (ec) {
        if (!quiet_error(ec)) log::debug("ws handshake: " + ec.message());
        finish();
        co_return;
    }
    ws_.text(true);
    ++srv_->counters.ws_accepted;
    ++srv_->counters.ws_open;
    join();
    asio::co_spawn(ws_.get_executor(), writer(self), spawn_logger{"ws writer"});

    beast::flat_buffer buffer;
    while (!done_) {
        auto [rec, n] = co_await ws_.async_read(buffer, use_nothrow);
        if (rec) {
            if (rec == websocket::error::message_too_big) {
                // Beast has sent the 1009 close; count it and end.
                ++srv_->counters.rejections["too_large"];
            } else if (!quiet_error(rec)) {
                log::debug("ws read: " + rec.message());
            }
            break;
        }
        ++srv_->counters.messages_in;
        if (close_code_) {
            buffer.consume(buffer.size());
            continue;  // closing: ignore commands
        }
        auto data = buffer.cdata();
        handle_text(std::string_view(static_cast<const char*>(data.data()), data.size()));
        buffer.consume(buffer.size());
    }
    --srv_->counters.ws_open;
    finish();
    done_ = true;
    wake_.cancel();
}

asio::awaitable<void> ws_session::writer([[maybe_unused]] std::shared_ptr<ws_session> self)
{
    while (!done_) {
        if (!queue_.empty()) {
            // Hold the frame while it is written: deliver() may push more.
            auto frame = queue_.front();
            auto [ec, n] = co_await ws_.async_write(asio::buffer(*frame), use_nothrow);
            if (ec) {
                if (!quiet_error(ec)) log::debug("ws write: " + ec.message());
                break;
            }
            if (!queue_.empty()) queue_.pop_front();
            continue;
        }
        if (close_code_) {
            websocket::close_reason reason(*close_code_);
            auto [ec] = co_await ws_.async_close(reason, use_nothrow);
            if (ec && !quiet_error(ec)) log::debug("ws close: " + ec.message());
            break;
        }
        wake_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_.async_wait(use_nothrow);
    }
    queue_.clear();
}

void ws_session::join()
{
    auto& srv = *srv_;
    if (!srv.has_room(room_)) {
        ++srv.counters.ws_refused["unknown_room"];
        deliver(wire::error_frame("unknown_room", "No such room"));
        close_after_queue(close_unknown_room);
        return;
    }
    if (srv.sessions.size() > srv.cfg.limits.max_connections_total) {
        ++srv.counters.ws_refused["server_full"];
        deliver(wire::error_frame("server_full", "Too many connections; try again later"));
        close_after_queue(static_cast<std::uint16_t>(websocket::close_code::try_again_later));
        return;
    }
    if (srv.room_load[room_] > srv.cfg.limits.max_connections_per_room) {
        ++srv.counters.ws_refused["room_full"];
        deliver(wire::error_frame("room_full", "The room is full"));
        close_after_queue(close_room_full);
        return;
    }
    auto now = clock::now();
    id_ = srv.next_conn++;
    if (auto refused = srv.model.join(id_, room_, now)) {
        ++srv.counters.ws_refused[to_string(*refused)];
        deliver(wire::error_frame(to_string(*refused), wire::refusal_message(*refused, 0)));
        close_after_queue(*refused == refusal::room_full ? close_room_full : close_unknown_room);
        id_ = 0;
        return;
    }
    // Deltas up to now go to the others; this connection starts from the
    // snapshot, which includes them.
    srv.process_outputs();
    auto snap = srv.model.snapshot(room_);
    deliver(
        wire::snapshot_frame(*snap, srv.media, srv.templates_or_null(), srv.model.seat_of(id_)));
    auto& list = srv.members[room_];
    member_slot = list.size();
    list.push_back(this);
    member_ = true;
}

void ws_session::handle_text(std::string_view text)
{
    auto& srv = *srv_;
    auto now = clock::now();
    auto parsed = wire::parse_command(text);
    if (auto* bad = std::get_if<wire::bad_frame>(&parsed)) {
        ++srv.counters.rejections[bad->code];
        deliver(bad->id ? wire::reply_error(*bad->id, bad->code, bad->message)
                        : wire::error_frame(bad->code, bad->message));
        return;
    }
    auto& cmd = std::get<wire::command>(parsed);
    if (!bucket_.try_take(now)) {
        ++srv.counters.rejections["rate_limited"];
        deliver(wire::reply_error(cmd.id, "rate_limited", "Too many commands; slow down"));
        return;
    }
    auto refuse = [&](refusal r) {
        ++srv.counters.rejections[to_string(r)];
        deliver(wire::reply_error(cmd.id, to_string(r), wire::refusal_message(r, cmd.seat)));
    };
    switch (cmd.kind) {
        case wire::command_kind::ping: {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch());
            deliver(wire::reply_ok(cmd.id, {{"time", ms.count()}}));
            return;
        }
        case wire::command_kind::claim:
        case wire::command_kind::resume: {
            auto result = cmd.kind == wire::command_kind::claim
                              ? srv.model.claim(id_, cmd.seat, now)
                              : srv.model.resume(id_, cmd.seat, cmd.token, now);
            if (auto* granted = std::get_if<claim_granted>(&result)) {
                ++srv.counters.claims;
                deliver(wire::reply_ok(cmd.id,
                                       wire::grant_fields(*granted, now, srv.templates_or_null())));
            } else {
                refuse(std::get<refusal>(result));
            }
            break;
        }
        case wire::command_kind::release: {
            if (auto refused = srv.model.release(id_, cmd.seat, now)) {
                refuse(*refused);
            } else {
                ++srv.counters.releases;
                deliver(wire::reply_ok(cmd.id));
            }
            break;
        }
        case wire::command_kind::moderate:
            sign_in_moderator(cmd);
            return;
        case wire::command_kind::end_seat:
        case wire::command_kind::lock:
        case wire::command_kind::unlock:
            if (!moderator_) {
                ++srv.counters.rejections["not_moderator"];
                deliver(wire::reply_error(cmd.id,
                                          "not_moderator",
                                          "Only the moderator may do this; send moderate first"));
                return;
            }
            if (auto refused = moderate(cmd, now)) {
                refuse(*refused);
            } else {
                deliver(wire::reply_ok(cmd.id));
            }
            break;
    }
    srv.process_outputs();
}

// The moderator secret is compared in constant time; a connection gets a few
// wrong tries, then only rate_limited until it reconnects. Every attempt is
// logged with the connection and room, never with the secret.
void ws_session::sign_in_moderator(const wire::command& cmd)
{
    auto& srv = *srv_;
    const std::string& secret = srv.cfg.moderator_secret;
    const std::string who = "conn " + std::to_string(id_) + " in room " + room_;
    if (secret.empty()) {
        ++srv.counters.rejections["moderation_disabled"];
        deliver(wire::reply_error(cmd.id, "moderation_disabled", "This server has no moderator"));
        return;
    }
    if (moderator_failures_ >= max_moderator_failures) {
        ++srv.counters.rejections["rate_limited"];
        deliver(
            wire::reply_error(cmd.id,
                              "rate_limited",
                              "Too many wrong moderator secrets; reload the page to try again"));
        return;
    }
    if (!same_secret(cmd.secret, secret)) {
        ++moderator_failures_;
        ++srv.counters.rejections["bad_secret"];
        log::warn("moderator: wrong secret from " + who);
        deliver(wire::reply_error(cmd.id, "bad_secret", "That is not the moderator secret"));
        return;
    }
    moderator_ = true;
    log::info("moderator: " + who + " signed in");
    deliver(wire::reply_ok(cmd.id, {{"moderator", true}}));
}

std::optional<refusal> ws_session::moderate(const wire::command& cmd, time_point now)
{
    auto& srv = *srv_;
    const std::string seat = cmd.all_seats ? "all seats" : "seat " + std::to_string(cmd.seat);
    std::optional<refusal> refused;
    const char* what = "";
    if (cmd.kind == wire::command_kind::end_seat) {
        refused = srv.model.moderator_end(room_, cmd.seat, now);
        what = "ended";
    } else {
        const bool lock = cmd.kind == wire::command_kind::lock;
        refused = srv.model.set_locked(
            room_, cmd.all_seats ? std::nullopt : std::optional<unsigned>(cmd.seat), lock, now);
        what = lock ? "locked" : "unlocked";
    }
    if (!refused) {
        log::info("moderator: conn " + std::to_string(id_) + " " + what + " " + seat + " in room " +
                  room_);
    }
    return refused;
}

void ws_session::finish()
{
    if (finished_) return;
    finished_ = true;
    auto& srv = *srv_;
    if (member_) {
        auto& list = srv.members[room_];
        auto* last = list.back();
        list[member_slot] = last;
        last->member_slot = member_slot;
        list.pop_back();
        member_ = false;
    }
    {
        auto* last = srv.sessions.back();
        srv.sessions[slot_] = last;
        last->slot_ = slot_;
        srv.sessions.pop_back();
    }
    if (--srv.room_load[room_] == 0) srv.room_load.erase(room_);
    if (id_ != 0) {
        srv.model.leave(id_, clock::now());
        id_ = 0;
        if (!srv.stopping) srv.process_outputs();
    }
    srv.maybe_drained();
}

// ---- room_server -----------------------------------------------------------

room_server::room_server(asio::io_context& io, const config::config& cfg, token_source tokens)
    : impl_(std::make_shared<impl>(io, cfg, std::move(tokens)))
{
}

room_server::~room_server() = default;

void room_server::start()
{
    impl_->start();
}

void room_server::set_socket_send_buffer(int bytes)
{
    impl_->socket_send_buffer = bytes;
}
asio::ip::tcp::endpoint room_server::local_endpoint() const
{
    return impl_->bound;
}
void room_server::stop(std::function<void()> drained)
{
    impl_->on_drained = std::move(drained);
    impl_->stop();
    impl_->maybe_drained();
}
bool room_server::stopping() const
{
    return impl_->stopping;
}

void room_server::on_stream_up(const std::string& stream, const stream_info& info)
{
    impl_->model.stream_up(stream, info, clock::now());
    impl_->process_outputs();
}

void room_server::on_stream_down(const std::string& stream)
{
    impl_->model.stream_down(stream, clock::now());
    impl_->process_outputs();
}

void room_server::on_streams_snapshot(const std::map<std::string, stream_info>& streams)
{
    impl_->model.streams_snapshot(streams, clock::now());
    impl_->process_outputs();
}

void room_server::on_stream_viewers(const std::map<std::string, std::size_t>& counts)
{
    impl_->model.stream_viewers(counts, clock::now());
    impl_->process_outputs();
}

void room_server::on_media_status(const media_status& status)
{
    impl_->media = status;
    impl_->broadcast_all(std::make_shared<const std::string>(wire::media_frame(status)));
}

void room_server::on_endpoints(const endpoint_templates& templates)
{
    impl_->templates = templates;
    wire::json frame{{"type", "playback"}, {"playback", wire::playback_json(&templates)}};
    impl_->broadcast_all(std::make_shared<const std::string>(frame.dump()));
}

admission room_server::check_admission(const std::string& stream, const std::string& token) const
{
    return impl_->model.check_admission(stream, token, clock::now());
}

void room_server::set_kick_sink(kick_sink sink)
{
    impl_->kicks = std::move(sink);
}
void room_server::set_readiness_probe(readiness_probe probe)
{
    impl_->ready_probe = std::move(probe);
}

std::string room_server::metrics_text() const
{
    return prometheus_text(impl_->counters, impl_->current_gauges());
}

}  // namespace ovs::room
