#pragma once
// The one HTTP/1.1 + WebSocket server of OvenSpace (room service, gateway,
// OME stand-in). It owns everything around a service's routing function:
//
// - accept: a listen backlog, accepts taken in batches, plain HTTP
//   connections counted and capped (over the cap: 503 and close, nothing
//   read or parsed);
// - HTTP: keep-alive, header and body limits (431 / 413), malformed requests
//   (400), a deadline per request and per response; after an error answer
//   the connection lingers (stops sending, drains what the client still
//   sends) so the client reads the status rather than a reset;
// - HEAD: the GET answer's headers, never a body;
// - every response carries the same Server header, X-Content-Type-Options:
//   nosniff (a browser never guesses a type: a JSON answer that echoes
//   something is not run as a script) and Referrer-Policy: no-referrer
//   (nothing of ours reads a Referer, and a room URL is nobody else's
//   business);
// - upgrades: refused with 503 while stopping or when the WebSocket total is
//   reached (checked before any handshake work), otherwise handed to the
//   service, which refuses (a reply) or takes it (a ws_handler);
// - shutdown: stop accepting, close idle connections, finish the answers in
//   progress with Connection: close, close WebSockets with 1001 after what
//   they have queued, tell the caller when nothing is left.
//
// One thread: call everything on the executor's thread.

#include <ovs/net/http_types.hpp>
#include <ovs/net/ws_session.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

namespace ovs::net {

struct ws_options {
    std::size_t max_message_bytes = 4096;  // a bigger message closes with 1009
    std::size_t send_queue_messages = 512;
    std::size_t max_sessions = 50000;  // open WebSockets, checked before the upgrade
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds idle_timeout{60000};  // pinged at half; nothing back: closed
    // SO_SNDBUF of every WebSocket (0 = the kernel's autotuning). Bounds the
    // kernel memory a stalled peer can pin and makes it show up soon as a
    // full send queue.
    int socket_send_buffer = 64 * 1024;
};

struct server_options {
    std::string service = "ovenspace";        // for log lines: "room", "gateway"
    std::string server_header = "ovenspace";  // Server: on every response
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port
    // The config key the address came from, for the bind error ("room.listen").
    std::string config_key;
    int backlog = 4096;  // the kernel caps it at net.core.somaxconn
    std::size_t max_http_connections = 1024;
    std::size_t max_header_bytes = 8192;
    std::size_t max_body_bytes = 8192;
    // To read one whole request, and how long a kept-alive connection may
    // sit idle before the next one.
    std::chrono::milliseconds request_timeout{5000};
    // To write one response: this, plus a second per 64 KiB of body.
    std::chrono::milliseconds write_timeout{5000};
    // Send "Connection: close" on the last answer of a connection. Only the
    // OME stand-in turns it off: real OME closes without saying so, and the
    // stand-in answers byte for byte as OME does.
    bool announce_close = true;
    // X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer on
    // every response (a service may set its own Referrer-Policy). Only the
    // OME stand-in turns them off, for the same reason as above.
    bool security_headers = true;
    ws_options ws;
};

// Counters and gauges of one server, for the service's /metrics.
struct server_stats {
    std::uint64_t http_connections = 0;          // open now (plain HTTP)
    std::uint64_t http_connections_total = 0;    // accepted
    std::uint64_t http_connections_refused = 0;  // over max_http_connections
    std::uint64_t http_requests = 0;             // requests read whole
    std::uint64_t http_bad_requests = 0;         // answered 400
    std::uint64_t http_too_large = 0;            // answered 413 / 431
    std::uint64_t ws_sessions = 0;               // open now (handshakes too)
    std::uint64_t ws_upgrades = 0;               // handshakes completed
    std::uint64_t ws_refused_full = 0;           // upgrades over max_sessions
    std::uint64_t ws_dropped_slow = 0;           // send queue overflows
    std::uint64_t ws_too_big = 0;                // messages over the limit
};

// What a service may read of the server it runs in.
struct server_status {
    server_stats stats;
    bool accepting = false;  // listening and not stopping
    bool stopping = false;
};

// What an upgrade request gets: a refusal, or the handler that takes the
// WebSocket.
using upgrade_answer = std::variant<reply, std::unique_ptr<ws_handler>>;

// A service's routing. Called on the server's thread; requests of one
// connection come in turn, connections interleave.
class http_service {
public:
    virtual ~http_service() = default;
    // A plain request (HEAD comes as HEAD; answer it as GET, the server drops
    // the body). May suspend: the gateway asks the room before answering.
    virtual asio::awaitable<reply> handle(request req, peer_info peer) = 0;
    // A WebSocket upgrade request. The default refuses with 404.
    virtual upgrade_answer upgrade(const request& req, const peer_info& peer);

protected:
    // The server this service runs in (its counters for /metrics, whether
    // it accepts). The server owns the service, so this outlives it.
    const server_status& server() const { return *status_; }

private:
    friend class server;
    const server_status* status_ = nullptr;
};

// Prometheus text of `s`, every name prefixed ("ovs_room" ->
// ovs_room_http_connections ...).
std::string prometheus_text(const server_stats& s, std::string_view prefix);

// The address could not be bound. The message names it, the config key and
// what to do ("another process listens there? pick another port").
class bind_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The message of a bind_error for `address:port` (`config_key` names where
// it came from) failing with `ec`: "cannot listen on 0.0.0.0:5000
// (room.listen): Address already in use; another process ... choose another
// port in the config". For listeners that are not a net::server (the link).
std::string bind_failure(std::string_view address,
                         std::uint16_t port,
                         std::string_view config_key,
                         const error_code& ec);

class server {
public:
    server(asio::any_io_executor ex, server_options options, std::shared_ptr<http_service> service);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds, listens and starts accepting. Throws bind_error.
    void start();
    // The bound address (port 0 in the options picks a free one).
    asio::ip::tcp::endpoint local_endpoint() const;
    // Graceful stop (see above). Idempotent; `drained` (if given) is called
    // once no connection is left, from the executor.
    void stop(std::function<void()> drained = {});
    // Stops, and ends every connection at once: busy ones too (their answer
    // is lost) and WebSockets without a close frame. For a test double that
    // plays a server going away, and for a shutdown backstop.
    void close_all();
    bool stopping() const;

    const server_stats& stats() const;
    const server_status& status() const;
    const server_options& options() const;
    // SO_SNDBUF of WebSockets upgraded from now on (ws_options).
    void set_socket_send_buffer(int bytes);

    struct core;

private:
    std::shared_ptr<core> core_;
};

}  // namespace ovs::net
