// The keep-alive loop of one plain HTTP connection: read a request within
// the limits, let the service answer it (or take the upgrade), write the
// answer within its deadline, again until either side closes.

#include "server_core.hpp"

#include <ovs/log/log.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>

namespace ovs::net {

using tcp = asio::ip::tcp;

namespace {

// After an error answer: most of a refused body (or a pipelined request) may
// still be on its way; read and drop it, bounded, so closing does not reset
// the connection before the client has read the status.
constexpr std::size_t linger_max_bytes = 1024 * 1024;
constexpr std::chrono::seconds linger_max_time{1};

// Writing a response may take the base timeout plus one second per 64 KiB of
// body (a client slower than that is not worth waiting for). Set before
// every write: otherwise it would inherit what is left of the read's
// deadline, and a keep-alive request that came late in it would get its
// answer cut short.
std::chrono::milliseconds write_timeout(std::chrono::milliseconds base, std::uint64_t body_bytes)
{
    return base + std::chrono::milliseconds(body_bytes * 1000 / (64 * 1024));
}

// How the server answers a request it could not read: too large (413/431),
// malformed (400), or nothing at all when the client went away or took too
// long (no refusal).
struct read_refusal {
    http::status status;
    const char* code;
    const char* text;
    bool too_large;  // counted as http_too_large, else http_bad_requests
};

std::optional<read_refusal> refusal_for(const error_code& ec)
{
    if (ec == http::error::body_limit) {
        return read_refusal{
            http::status::payload_too_large, "too_large", "Request body too large", true};
    }
    if (ec == http::error::header_limit) {
        return read_refusal{http::status::request_header_fields_too_large,
                            "too_large",
                            "Request headers too large",
                            true};
    }
    static const auto& http_category = make_error_code(http::error::bad_target).category();
    if (ec.category() == http_category && ec != http::error::end_of_stream) {
        return read_refusal{
            http::status::bad_request, "bad_request", "Malformed HTTP request", false};
    }
    return std::nullopt;
}

// What the server owns on every response: version, Connection, Server, the
// security headers, and Content-Length unless the service wrote its own (the
// OME stand-in mimics OME's header order to the byte).
template <class Body>
void finish_headers(http::response<Body>& res,
                    unsigned version,
                    bool keep_alive,
                    const server_options& opts)
{
    res.version(version);
    if (res.find(http::field::server) == res.end()) {
        res.set(http::field::server, opts.server_header);
    }
    if (opts.security_headers) {
        res.set("X-Content-Type-Options", "nosniff");
        if (res.find("Referrer-Policy") == res.end()) {
            res.set("Referrer-Policy", "no-referrer");
        }
    }
    if (keep_alive || opts.announce_close) res.keep_alive(keep_alive);
    if (!res.has_content_length() && !res.chunked()) res.prepare_payload();
}

// Writes `res`; for a HEAD request the header only (Content-Length still
// says what a GET would carry), so the next response on the connection is
// framed right.
template <class Body>
asio::awaitable<error_code> write_response(beast::tcp_stream& stream,
                                           http::response<Body>& res,
                                           bool header_only,
                                           std::chrono::milliseconds base_timeout)
{
    stream.expires_after(write_timeout(base_timeout, res.payload_size().value_or(0)));
    if (header_only) {
        http::response_serializer<Body> sr(res);
        auto [ec, n] = co_await http::async_write_header(stream, sr, use_nothrow);
        co_return ec;
    }
    auto [ec, n] = co_await http::async_write(stream, res, use_nothrow);
    co_return ec;
}

asio::awaitable<error_code> write_reply(beast::tcp_stream& stream,
                                        reply& r,
                                        bool header_only,
                                        std::chrono::milliseconds base_timeout)
{
    if (auto* file = std::get_if<file_response>(&r)) {
        co_return co_await write_response(stream, *file, header_only, base_timeout);
    }
    co_return co_await write_response(
        stream, std::get<string_response>(r), header_only, base_timeout);
}

asio::awaitable<void> linger(beast::tcp_stream& stream)
{
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> sink;
    std::size_t total = 0;
    stream.expires_after(linger_max_time);
    while (total < linger_max_bytes) {
        auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
        if (rec) break;
        total += n;
    }
}

// Answers a request the server refuses itself (limits, malformed), then
// lingers and lets the connection end.
asio::awaitable<void> refuse(beast::tcp_stream& stream,
                             const server_options& opts,
                             http::status status,
                             std::string_view code,
                             std::string_view message)
{
    reply r = error_response(status, code, message);
    finish_headers(std::get<string_response>(r), 11, false, opts);
    co_await write_reply(stream, r, false, opts.write_timeout);
    co_await linger(stream);
}

// The connection's place in the server's list and in the HTTP connection
// count, given back once (when the connection ends or becomes a WebSocket).
class http_slot {
public:
    http_slot(std::shared_ptr<server::core> core,
              std::list<std::weak_ptr<http_connection>>::iterator it)
        : core_(std::move(core)), it_(it)
    {
    }
    ~http_slot() { release(); }
    http_slot(const http_slot&) = delete;
    http_slot& operator=(const http_slot&) = delete;

    void release()
    {
        if (!core_) return;
        core_->http.erase(it_);
        --core_->status.stats.http_connections;
        auto core = std::exchange(core_, nullptr);
        core->maybe_drained();
    }

private:
    std::shared_ptr<server::core> core_;
    std::list<std::weak_ptr<http_connection>>::iterator it_;
};

// The answer to an upgrade request the server itself refuses, or nullopt.
std::optional<reply> refuse_upgrade(server::core& core)
{
    if (core.status.stopping) {
        return reply{error_response(
            http::status::service_unavailable, "stopping", "The service is shutting down")};
    }
    if (core.websockets.size() >= core.options.ws.max_sessions) {
        ++core.status.stats.ws_refused_full;
        auto res = error_response(http::status::service_unavailable,
                                  "server_full",
                                  "Too many connections; try again later");
        res.set(http::field::retry_after, "5");
        return reply{std::move(res)};
    }
    return std::nullopt;
}

}  // namespace

asio::awaitable<void> serve_http(std::shared_ptr<server::core> core,
                                 std::shared_ptr<http_connection> conn,
                                 std::list<std::weak_ptr<http_connection>>::iterator where,
                                 peer_info peer)
{
    http_slot slot(core, where);
    const auto& opts = core->options;
    auto& stream = conn->stream;
    beast::flat_buffer buffer;
    while (!core->status.stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
        parser.body_limit(opts.max_body_bytes);
        stream.expires_after(opts.request_timeout);
        conn->idle = buffer.size() == 0;
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        conn->idle = false;
        if (ec) {
            if (const auto refusal = refusal_for(ec)) {
                ++(refusal->too_large ? core->status.stats.http_too_large
                                      : core->status.stats.http_bad_requests);
                co_await refuse(stream, opts, refusal->status, refusal->code, refusal->text);
            }
            break;
        }
        ++core->status.stats.http_requests;
        request req = parser.release();
        const bool header_only = req.method() == http::verb::head;
        const unsigned version = req.version();
        bool keep_alive = req.keep_alive();

        if (websocket::is_upgrade(req)) {
            auto refusal = refuse_upgrade(*core);
            if (!refusal) {
                auto answer = core->service->upgrade(req, peer);
                if (auto* handler = std::get_if<std::unique_ptr<ws_handler>>(&answer)) {
                    slot.release();
                    stream.expires_never();  // the WebSocket keeps its own time
                    start_websocket(
                        core, std::move(stream), std::move(req), peer, std::move(*handler));
                    co_return;
                }
                refusal = std::move(std::get<reply>(answer));
            }
            std::visit([&](auto& res) { finish_headers(res, version, false, opts); }, *refusal);
            co_await write_reply(stream, *refusal, false, opts.write_timeout);
            break;
        }

        const std::string path(req.target().substr(0, req.target().find('?')));
        const std::string method(req.method_string());
        reply answer;
        try {
            answer = co_await core->service->handle(std::move(req), peer);
        } catch (const std::exception& e) {
            // The service's bug, not the client's: answer 500 and say where.
            log::error(opts.service + ": " + method + " " + path + ": " + e.what());
            answer = error_response(
                http::status::internal_server_error, "internal", "Internal server error");
            keep_alive = false;
        }
        keep_alive = keep_alive && !core->status.stopping;
        std::visit([&](auto& res) { finish_headers(res, version, keep_alive, opts); }, answer);
        auto wec = co_await write_reply(stream, answer, header_only, opts.write_timeout);
        if (wec || !keep_alive) break;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
}

}  // namespace ovs::net
