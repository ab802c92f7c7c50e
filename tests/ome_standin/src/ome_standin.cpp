// The stand-in's I/O shell: the REST API listener, the control listener and
// the webhook client, all on one executor. Every decision (auth, routing,
// bodies, judging answers) is made by the pure parts; this file moves bytes
// and sequences OME's events in the recorded order.
#include "control_api.hpp"
#include "model.hpp"
#include "rest_api.hpp"
#include "signing.hpp"
#include "webhook_message.hpp"

#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <list>
#include <map>

namespace ovs::ome_standin {

using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace {

constexpr std::size_t max_request_body = 1 << 20;

// Completion of every co_spawn: a failure is logged, never rethrown, so one
// broken connection cannot take the stand-in down.
struct log_failure {
    void operator()(std::exception_ptr e) const
    {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (std::exception const& ex) {
            std::cerr << "ome-standin: " << ex.what() << '\n';
        }
    }
};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

bool listed(std::vector<std::string> const& names, std::string const& key)
{
    return std::any_of(
        names.begin(), names.end(), [&](std::string const& n) { return lower(n) == key; });
}

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

webhook_client client_of(publisher const& p)
{
    bool const http_based =
        p.protocol == ingest_protocol::webrtc || p.protocol == ingest_protocol::whip;
    return {p.address, p.port, p.real_ip, http_based ? p.user_agent : std::string()};
}

}  // namespace

struct webhook_result {
    std::string kind;  // "answered", "timeout", "connect_failed", "io_error"
    int status = 0;
    std::string body;
};

struct api_log_record {
    std::uint64_t seq = 0;
    api_log_entry entry;
};

class ome_standin::impl : public std::enable_shared_from_this<ome_standin::impl> {
public:
    impl(asio::any_io_executor executor, standin_config config)
        : ex(std::move(executor)),
          cfg(std::move(config)),
          state(cfg, wall_clock::now()),
          hang_release(ex, asio::steady_timer::time_point::max())
    {
    }

    asio::any_io_executor ex;
    standin_config cfg;
    model state;
    std::optional<control_server_url> control_url;
    std::shared_ptr<tcp::acceptor> api_acceptor;
    std::shared_ptr<tcp::acceptor> control_acceptor;
    std::uint16_t api_port = 0;
    std::uint16_t control_port = 0;
    api_mode mode = api_mode::normal;
    std::chrono::milliseconds delay{0};
    asio::steady_timer hang_release;  // hanging requests wait on it
    std::list<std::weak_ptr<tcp::socket>> api_sockets;
    std::list<std::weak_ptr<tcp::socket>> control_sockets;
    std::map<std::uint64_t, std::shared_ptr<asio::steady_timer>> lifetime_timers;
    std::list<std::shared_ptr<asio::steady_timer>> other_timers;
    std::vector<api_log_record> api_log;
    std::uint64_t api_seq = 0;
    std::vector<webhook_log_entry> webhook_log;
    std::uint64_t webhook_seq = 0;
    bool stopped = false;

    bool provider_hooks(ingest_protocol p) const
    {
        return control_url && listed(cfg.webhook_providers, provider_key(p));
    }
    bool publisher_hooks(playback_protocol p) const
    {
        return control_url && listed(cfg.webhook_publishers, publisher_key(p));
    }
    std::string const& vhost_or_default(std::string const& v) const
    {
        return v.empty() ? cfg.vhosts.front() : v;
    }
    std::string const& app_or_default(std::string const& a) const
    {
        return a.empty() ? cfg.apps.front() : a;
    }

    void open_api_acceptor();
    void close_api_connections();
    void release_hanging() { hang_release.expires_at(asio::steady_timer::time_point::max()); }
};

using impl_ptr = std::shared_ptr<ome_standin::impl>;

std::vector<api_log_entry> ome_standin_api_log(impl_ptr const& self);
void ome_standin_set_mode(impl_ptr const& self, api_mode mode);

namespace {

void track(std::list<std::weak_ptr<tcp::socket>>& list, std::shared_ptr<tcp::socket> const& socket)
{
    list.remove_if([](std::weak_ptr<tcp::socket> const& w) { return w.expired(); });
    list.push_back(socket);
}

void close_all(std::list<std::weak_ptr<tcp::socket>>& list)
{
    for (auto& weak : list) {
        if (auto s = weak.lock()) {
            error_code ignored;
            s->shutdown(tcp::socket::shutdown_both, ignored);
            s->close(ignored);
        }
    }
    list.clear();
}

// --- webhook client ----------------------------------------------------------

asio::awaitable<webhook_result> post_webhook(impl_ptr self, std::string request_bytes)
{
    webhook_result result;
    auto const& url = *self->control_url;
    tcp::resolver resolver(self->ex);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(url.host, url.port, use_nothrow);
    if (resolve_error) {
        result.kind = "connect_failed";
        co_return result;
    }
    beast::tcp_stream stream(self->ex);
    // <Timeout> bounds the connect and (since v0.20.0) the wait for the answer.
    stream.expires_after(self->cfg.webhook_timeout);
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_nothrow);
    if (connect_error) {
        result.kind = connect_error == beast::error::timeout ? "timeout" : "connect_failed";
        co_return result;
    }
    error_code nodelay_error;
    stream.socket().set_option(tcp::no_delay(true), nodelay_error);
    stream.expires_after(self->cfg.webhook_timeout);
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(request_bytes), use_nothrow);
    if (write_error) {
        result.kind = write_error == beast::error::timeout ? "timeout" : "io_error";
        co_return result;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_request_body);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (read_error) {
        result.kind = read_error == beast::error::timeout ? "timeout" : "io_error";
        co_return result;
    }
    result.kind = "answered";
    result.status = static_cast<int>(parser.get().result_int());
    result.body = parser.get().body();
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
}

// Signs, sends and logs one webhook. Returns the log index of the entry.
asio::awaitable<std::size_t> send_webhook(impl_ptr self,
                                          std::uint64_t client_id,
                                          std::string status,
                                          std::string body)
{
    webhook_log_entry entry;
    entry.seq = ++self->webhook_seq;
    entry.client_id = client_id;
    entry.status = status;
    entry.signature = ome_signature(self->cfg.webhook_secret, body);
    entry.time = ome_iso8601(wall_clock::now());
    std::string request = webhook_http_request(*self->control_url, body, entry.signature);
    entry.body = std::move(body);
    webhook_result const r = co_await post_webhook(self, std::move(request));
    entry.result = r.kind;
    entry.http_status = r.status;
    entry.answer_body = r.body;
    if (status == "opening") {
        if (r.kind == "answered") {
            auto const d = judge_opening_answer(r.status, r.body);
            entry.decision = d.allowed ? "allowed" : d.reason;
        } else {
            entry.decision = "webhook " + r.kind;
        }
    }
    self->webhook_log.push_back(std::move(entry));
    co_return self->webhook_log.size() - 1;
}

// An opening webhook and OME's verdict on the answer (fail closed).
asio::awaitable<admission_decision> ask_admission(impl_ptr self,
                                                  std::uint64_t client_id,
                                                  std::string body)
{
    std::size_t const index = co_await send_webhook(self, client_id, "opening", std::move(body));
    auto const& entry = self->webhook_log[index];
    if (entry.result != "answered") {
        admission_decision refused;
        refused.reason = "webhook " + entry.result;
        co_return refused;
    }
    co_return judge_opening_answer(entry.http_status, entry.answer_body);
}

asio::awaitable<void> send_publisher_closing(impl_ptr self, publisher p)
{
    if (!self->provider_hooks(p.protocol)) co_return;
    std::string body = webhook_body(client_of(p),
                                    true,
                                    protocol_name(p.protocol),
                                    "closing",
                                    ome_iso8601(wall_clock::now()),
                                    p.url,
                                    p.new_url);
    co_await send_webhook(self, p.id, "closing", std::move(body));
}

// --- publisher lifecycle -----------------------------------------------------

void cancel_lifetime(impl_ptr const& self, std::uint64_t id)
{
    auto const it = self->lifetime_timers.find(id);
    if (it == self->lifetime_timers.end()) return;
    it->second->cancel();
    self->lifetime_timers.erase(it);
}

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
        asio::co_spawn(self->ex, expire_publisher(self, p.id, timer), log_failure{});
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

// --- REST API listener -------------------------------------------------------

api_log_entry* find_log(impl_ptr const& self, std::uint64_t seq)
{
    for (auto it = self->api_log.rbegin(); it != self->api_log.rend(); ++it) {
        if (it->seq == seq) return &it->entry;
    }
    return nullptr;
}

asio::awaitable<void> api_session(impl_ptr self, std::shared_ptr<tcp::socket> socket)
{
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(max_request_body);
        auto [read_error, read] = co_await http::async_read(*socket, buffer, parser, use_nothrow);
        if (read_error) co_return;
        auto const& req = parser.get();
        std::uint64_t const seq = ++self->api_seq;
        self->api_log.push_back({seq,
                                 {std::string(req.method_string()),
                                  std::string(req.target()),
                                  false,
                                  0,
                                  ome_iso8601(wall_clock::now())}});

        while (self->mode == api_mode::hang && !self->stopped) {
            co_await self->hang_release.async_wait(use_nothrow);
        }
        if (self->delay.count() > 0 && !self->stopped) {
            asio::steady_timer timer(self->ex, self->delay);
            co_await timer.async_wait(use_nothrow);
        }
        if (self->stopped || self->mode == api_mode::down || !socket->is_open()) co_return;

        api_request request{
            std::string(req.method_string()), std::string(req.target()), std::nullopt};
        if (auto const it = req.find(http::field::authorization); it != req.end()) {
            request.authorization = std::string(it->value());
        }
        api_outcome outcome =
            handle_api_request(request, self->state, self->cfg, wall_clock::now());
        if (auto* entry = find_log(self, seq)) {
            entry->auth_ok = outcome.auth_ok;
            entry->status = outcome.response.status;
        }
        if (outcome.deleted) {
            // Case h: the first RTMP closing goes out from the API thread
            // before the DELETE is answered.
            cancel_lifetime(self, outcome.deleted->id);
            co_await send_publisher_closing(self, *outcome.deleted);
        }
        std::string const bytes = serialize_api_response(outcome.response, wall_clock::now());
        auto [write_error, written] =
            co_await asio::async_write(*socket, asio::buffer(bytes), use_nothrow);
        if (outcome.deleted && outcome.deleted->protocol == ingest_protocol::rtmp &&
            self->provider_hooks(ingest_protocol::rtmp) && !self->stopped) {
            // ...and the RTMP thread sends a second one ~30 ms later.
            auto timer = std::make_shared<asio::steady_timer>(
                self->ex, self->cfg.rtmp_delete_second_closing_delay);
            self->other_timers.push_back(timer);
            asio::co_spawn(self->ex, delayed_closing(self, *outcome.deleted, timer), log_failure{});
        }
        if (write_error || !req.keep_alive()) break;
    }
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_send, ignored);
}

using session_fn = asio::awaitable<void> (*)(impl_ptr, std::shared_ptr<tcp::socket>);
using socket_list = std::list<std::weak_ptr<tcp::socket>> ome_standin::impl::*;

// One accept loop for both listeners (the API and the control port): each
// connection is tracked in `sockets` (so stop() can close it) and served by
// `session`.
asio::awaitable<void> accept_loop(impl_ptr self,
                                  std::shared_ptr<tcp::acceptor> acceptor,
                                  socket_list sockets,
                                  session_fn session)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
        if (ec) {
            if (!acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
            continue;
        }
        error_code nodelay_error;
        socket.set_option(tcp::no_delay(true), nodelay_error);
        auto shared = std::make_shared<tcp::socket>(std::move(socket));
        track((*self).*sockets, shared);
        asio::co_spawn(self->ex, session(self, shared), log_failure{});
    }
}

// --- control listener --------------------------------------------------------

struct control_reply {
    http::status status = http::status::ok;
    json body;
};

control_reply bad_request(std::string const& text)
{
    return {http::status::bad_request, json{{"error", text}}};
}

std::optional<std::uint64_t> find_publisher_for(impl_ptr const& self, json const& body)
{
    if (auto const id = body.find("id"); id != body.end() && id->is_number_unsigned()) {
        return id->get<std::uint64_t>();
    }
    if (auto const s = body.find("stream"); s != body.end() && s->is_string()) {
        std::string const vhost = self->vhost_or_default(body.value("vhost", std::string()));
        std::string const app = self->app_or_default(body.value("app", std::string()));
        if (auto const* p = self->state.find_stream(vhost, app, s->get<std::string>()))
            return p->id;
    }
    return std::nullopt;
}

asio::awaitable<control_reply> handle_control(impl_ptr self,
                                              std::string method,
                                              std::string path,
                                              std::string text)
{
    json body = json::object();
    if (!text.empty()) {
        body = json::parse(text, nullptr, false);
        if (body.is_discarded()) co_return bad_request("body is not valid JSON");
    }
    if (method == "GET") {
        if (path == "/control/log")
            co_return control_reply{http::status::ok, to_json(ome_standin_api_log(self))};
        if (path == "/control/webhooks")
            co_return control_reply{http::status::ok, to_json(self->webhook_log)};
        if (path == "/control/health") {
            co_return control_reply{
                http::status::ok,
                json{{"api_port", self->api_port}, {"control_port", self->control_port}}};
        }
        if (path == "/control/streams") {
            json streams = json::array();
            for (auto const& p : self->state.publishers()) {
                streams.push_back(json{{"id", p.id},
                                       {"vhost", p.vhost},
                                       {"app", p.app},
                                       {"stream", p.stream},
                                       {"url", p.url},
                                       {"client_port", p.port}});
            }
            json players = json::array();
            for (auto const& v : self->state.players()) {
                players.push_back(json{
                    {"id", v.id}, {"stream", v.stream}, {"url", v.url}, {"client_port", v.port}});
            }
            co_return control_reply{http::status::ok,
                                    json{{"streams", streams}, {"players", players}}};
        }
        co_return control_reply{http::status::not_found, json{{"error", "no such control route"}}};
    }
    if (method != "POST")
        co_return control_reply{http::status::method_not_allowed,
                                json{{"error", "use GET or POST"}}};
    if (path == "/control/publish") {
        auto parsed = parse_publish_request(body);
        if (auto const* error = std::get_if<std::string>(&parsed)) co_return bad_request(*error);
        publish_outcome const o =
            co_await run_publish(self, std::get<publish_request>(std::move(parsed)));
        co_return control_reply{http::status::ok, to_json(o)};
    }
    if (path == "/control/unpublish") {
        auto const id = find_publisher_for(self, body);
        if (!id)
            co_return control_reply{http::status::not_found,
                                    json{{"error", "no such live publisher"}}};
        bool const done = co_await run_unpublish(self, *id);
        co_return control_reply{done ? http::status::ok : http::status::not_found,
                                json{{"ok", done}, {"id", *id}}};
    }
    if (path == "/control/play") {
        auto parsed = parse_play_request(body);
        if (auto const* error = std::get_if<std::string>(&parsed)) co_return bad_request(*error);
        play_outcome const o = co_await run_play(self, std::get<play_request>(std::move(parsed)));
        co_return control_reply{http::status::ok, to_json(o)};
    }
    if (path == "/control/stop_play") {
        auto const id = body.find("id");
        if (id == body.end() || !id->is_number_unsigned())
            co_return bad_request("field 'id' is required");
        bool const done = co_await run_stop_play(self, id->get<std::uint64_t>());
        co_return control_reply{done ? http::status::ok : http::status::not_found,
                                json{{"ok", done}}};
    }
    if (path == "/control/down" || path == "/control/up" || path == "/control/hang") {
        api_mode const m = path == "/control/down" ? api_mode::down
                           : path == "/control/up" ? api_mode::normal
                                                   : api_mode::hang;
        ome_standin_set_mode(self, m);
        if (m == api_mode::normal) self->delay = std::chrono::milliseconds(0);
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    if (path == "/control/slow") {
        auto const ms = body.find("ms");
        if (ms == body.end() || !ms->is_number_unsigned())
            co_return bad_request("field 'ms' (unsigned) is required");
        self->delay = std::chrono::milliseconds(ms->get<std::uint64_t>());
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    if (path == "/control/clear") {
        self->api_log.clear();
        self->webhook_log.clear();
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    co_return control_reply{http::status::not_found, json{{"error", "no such control route"}}};
}

asio::awaitable<void> control_session(impl_ptr self, std::shared_ptr<tcp::socket> socket)
{
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(max_request_body);
        auto [read_error, read] = co_await http::async_read(*socket, buffer, parser, use_nothrow);
        if (read_error) co_return;
        auto const& req = parser.get();
        std::string target(req.target());
        control_reply const reply = co_await handle_control(
            self, std::string(req.method_string()), target.substr(0, target.find('?')), req.body());
        http::response<http::string_body> res{reply.status, req.version()};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = reply.body.dump();
        res.prepare_payload();
        auto [write_error, written] = co_await http::async_write(*socket, res, use_nothrow);
        if (write_error || !req.keep_alive()) break;
    }
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_send, ignored);
}

std::shared_ptr<tcp::acceptor> listen_on(asio::any_io_executor const& ex,
                                         std::string const& address,
                                         std::uint16_t port)
{
    auto acceptor = std::make_shared<tcp::acceptor>(ex);
    tcp::endpoint const endpoint(asio::ip::make_address(address), port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen();
    return acceptor;
}

}  // namespace

void ome_standin::impl::open_api_acceptor()
{
    api_acceptor = listen_on(ex, cfg.api_address, api_port);
    api_port = api_acceptor->local_endpoint().port();
    asio::co_spawn(ex,
                   accept_loop(shared_from_this(), api_acceptor, &impl::api_sockets, &api_session),
                   log_failure{});
}

void ome_standin::impl::close_api_connections()
{
    if (api_acceptor) {
        error_code ignored;
        api_acceptor->close(ignored);
        api_acceptor.reset();
    }
    close_all(api_sockets);
}

std::vector<api_log_entry> ome_standin_api_log(impl_ptr const& self)
{
    std::vector<api_log_entry> out;
    out.reserve(self->api_log.size());
    for (auto const& r : self->api_log) out.push_back(r.entry);
    return out;
}

void ome_standin_set_mode(impl_ptr const& self, api_mode mode)
{
    if (self->stopped) return;
    self->mode = mode;
    if (mode == api_mode::down) {
        self->close_api_connections();
    } else if (!self->api_acceptor) {
        self->open_api_acceptor();
    }
    // Wake hanging requests: they re-check the mode (and answer, or give up
    // when the API went down).
    self->release_hanging();
}

// --- public API --------------------------------------------------------------

ome_standin::ome_standin(asio::any_io_executor executor, standin_config config)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(config)))
{
    if (impl_->cfg.vhosts.empty() || impl_->cfg.apps.empty()) {
        throw std::invalid_argument("ome-standin: at least one vhost and one app are required");
    }
    if (!impl_->cfg.webhook_url.empty()) {
        impl_->control_url = parse_control_server_url(impl_->cfg.webhook_url);
        if (!impl_->control_url) {
            throw std::invalid_argument(
                "ome-standin: webhook URL must be http://host[:port]/path, got '" +
                impl_->cfg.webhook_url + "'");
        }
    }
}

ome_standin::~ome_standin()
{
    stop();
}

void ome_standin::start()
{
    impl_->api_port = impl_->cfg.api_port;
    impl_->open_api_acceptor();
    impl_->control_acceptor =
        listen_on(impl_->ex, impl_->cfg.control_address, impl_->cfg.control_port);
    impl_->control_port = impl_->control_acceptor->local_endpoint().port();
    asio::co_spawn(
        impl_->ex,
        accept_loop(impl_, impl_->control_acceptor, &impl::control_sockets, &control_session),
        log_failure{});
}

void ome_standin::stop()
{
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->close_api_connections();
    if (impl_->control_acceptor) {
        error_code ignored;
        impl_->control_acceptor->close(ignored);
    }
    close_all(impl_->control_sockets);
    for (auto& [id, timer] : impl_->lifetime_timers) timer->cancel();
    impl_->lifetime_timers.clear();
    for (auto& timer : impl_->other_timers) timer->cancel();
    impl_->other_timers.clear();
    impl_->hang_release.cancel();
}

std::uint16_t ome_standin::api_port() const
{
    return impl_->api_port;
}

std::uint16_t ome_standin::control_port() const
{
    return impl_->control_port;
}

asio::awaitable<publish_outcome> ome_standin::publish(publish_request request)
{
    return run_publish(impl_, std::move(request));
}

asio::awaitable<bool> ome_standin::unpublish(std::uint64_t publisher_id)
{
    return run_unpublish(impl_, publisher_id);
}

asio::awaitable<play_outcome> ome_standin::play(play_request request)
{
    return run_play(impl_, std::move(request));
}

asio::awaitable<bool> ome_standin::stop_play(std::uint64_t player_id)
{
    return run_stop_play(impl_, player_id);
}

void ome_standin::set_api_mode(api_mode mode)
{
    ome_standin_set_mode(impl_, mode);
}

void ome_standin::set_api_delay(std::chrono::milliseconds delay)
{
    impl_->delay = delay;
}

std::vector<api_log_entry> ome_standin::api_log() const
{
    return ome_standin_api_log(impl_);
}

std::vector<webhook_log_entry> ome_standin::webhook_log() const
{
    return impl_->webhook_log;
}

void ome_standin::clear_logs()
{
    impl_->api_log.clear();
    impl_->webhook_log.clear();
}

std::vector<std::string> ome_standin::live_streams(std::string const& vhost,
                                                   std::string const& app) const
{
    std::vector<std::string> names;
    for (auto const* p :
         impl_->state.streams(impl_->vhost_or_default(vhost), impl_->app_or_default(app))) {
        names.push_back(p->stream);
    }
    return names;
}

}  // namespace ovs::ome_standin
