#pragma once
// Shared bits of the link tests: fast timeouts, a capturing logger, a
// completion handler that rethrows so failures surface through run_for(), and
// a raw-socket peer that runs the handshake by hand (as another
// implementation of proto/internal.md would).

#include <ovs/link/link_client.hpp>
#include <ovs/link/link_server.hpp>
#include <ovs/proto/codec.hpp>
#include <ovs/proto/handshake.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace ovs::link::test {

inline const std::string test_secret = "link-test-secret-0123456789abcdef";

inline link_options fast_options(std::string role, std::shared_ptr<std::vector<std::string>> logs)
{
    link_options o;
    o.limits.secret = test_secret;
    o.limits.handshake_timeout = millis(300);
    o.limits.max_line_bytes = 1024;
    o.limits.request_timeout = millis(300);
    o.limits.heartbeat_interval = millis(50);
    o.limits.heartbeat_timeout = millis(400);
    o.limits.reconnect_min = millis(10);
    o.limits.reconnect_max = millis(40);
    o.role = std::move(role);
    o.rng_seed = 42;
    o.log = [logs](std::string_view line) { logs->emplace_back(line); };
    return o;
}

inline void rethrow(std::exception_ptr e)
{
    if (e) std::rethrow_exception(e);
}

inline bool logged(const std::vector<std::string>& logs, const std::string& needle)
{
    for (const auto& l : logs)
        if (l.find(needle) != std::string::npos) return true;
    return false;
}

inline config::endpoint loopback(unsigned short port)
{
    return config::endpoint{"127.0.0.1", port};
}

// Reads one '\n'-terminated line (without it) from `buffer`/`s`; empty on
// eof or error.
inline asio::awaitable<std::string> read_line(tcp::socket& s, std::string& buffer)
{
    auto [ec, n] = co_await asio::async_read_until(
        s, asio::dynamic_buffer(buffer, 1 << 16), '\n', use_nothrow);
    if (ec) co_return std::string();
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    co_return line;
}

// Parameters by reference: the callers' temporaries outlive the co_await,
// and g++ 12 mis-destroys temporaries passed by value to a coroutine there.
inline asio::awaitable<void> write_line(tcp::socket& s, const std::string& line)
{
    co_await asio::async_write(s, asio::buffer(line), use_nothrow);
}

// The room's half of the handshake on a raw socket, with `secret`: sends
// hello, reads the gateway's hello, sends the proof. Returns the gateway's
// hello line ("" if none came).
inline asio::awaitable<std::string> raw_room_handshake(tcp::socket& s,
                                                       std::string& buffer,
                                                       const std::string& secret)
{
    const std::string nonce = proto::make_nonce();
    const std::string hello =
        proto::encode(proto::hello{proto::protocol_version, "room", "raw", nonce});
    co_await write_line(s, hello);
    std::string line = co_await read_line(s, buffer);
    auto decoded = proto::decode(line);
    if (!decoded) co_return line;
    const auto* h = std::get_if<proto::hello>(&decoded.value());
    if (!h) co_return line;
    const std::string proof =
        proto::encode(proto::auth{proto::link_proof(secret, "room", nonce, h->nonce)});
    co_await write_line(s, proof);
    co_return line;
}

}  // namespace ovs::link::test
