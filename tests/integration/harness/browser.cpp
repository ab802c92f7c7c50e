#include "browser.hpp"

#include <ovs/net/net.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace ovs::integration {

using tcp = asio::ip::tcp;

// ------------------------------------------------------------------ pool

browser_pool::browser_pool() : io_(std::make_unique<asio::io_context>(1)) {}

browser_pool::~browser_pool() = default;

asio::io_context& browser_pool::io()
{
    return *io_;
}

bool browser_pool::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return done();
        // Wakes at least every 50 ms: `done` may depend on other processes.
        const auto slice = std::min<std::chrono::steady_clock::duration>(
            deadline - now, std::chrono::milliseconds(50));
        io_->restart();
        io_->run_one_for(slice);
        // Drain whatever else is ready without blocking.
        drained_at_ = std::chrono::steady_clock::now();
        io_->poll();
    }
    return true;
}

void browser_pool::run_for(std::chrono::milliseconds duration)
{
    run_until([] { return false; }, duration);
}

// --------------------------------------------------------------- browser

struct browser::state : std::enable_shared_from_this<browser::state> {
    explicit state(asio::io_context& io) : ws(io) {}

    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    http::response<http::string_body> upgrade_answer;
    std::string room;
    bool upgraded = false;
    bool is_closed = false;
    bool connect_failed = false;
    int status = 0;
    int code = 0;
    std::string why;

    std::deque<std::string> outbox;
    bool writing = false;

    std::vector<json> frames;
    std::map<std::string, json> replies;  // by id (dumped)
    std::map<unsigned, seat_view> seats;
    std::map<unsigned, std::vector<json>> seat_frames;
    std::optional<json> media;
    json playback;
    std::optional<unsigned> held_seat;
    std::map<std::string, std::string> sent_commands;  // id -> type
    std::optional<long long> viewers;
    std::optional<long long> last_seq;
    std::uint64_t snapshot_count = 0;
    bool gap = false;
    long long next_id = 1;

    void start(std::uint16_t port, const std::string& source, const std::string& origin)
    {
        auto self = shared_from_this();
        error_code ec;
        auto& sock = beast::get_lowest_layer(ws).socket();
        sock.open(tcp::v4(), ec);
        if (!ec && !source.empty()) {
            sock.bind(tcp::endpoint(asio::ip::make_address(source, ec), 0), ec);
        }
        if (ec) {
            fail_connect("bind " + source + ": " + ec.message());
            return;
        }
        ws.read_message_max(16 * 1024 * 1024);
        beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
        const tcp::endpoint to(asio::ip::make_address_v4("127.0.0.1"), port);
        beast::get_lowest_layer(ws).async_connect(to, [self, port, origin](const error_code& cec) {
            if (cec) return self->fail_connect("connect: " + cec.message());
            if (!origin.empty()) {
                self->ws.set_option(
                    websocket::stream_base::decorator([origin](websocket::request_type& req) {
                        req.set(http::field::origin, origin);
                    }));
            }
            self->ws.async_handshake(
                self->upgrade_answer,
                "127.0.0.1:" + std::to_string(port),
                "/ws?room=" + self->room,
                [self](const error_code& hec) {
                    self->status = static_cast<int>(self->upgrade_answer.result_int());
                    if (hec) {
                        return self->fail_connect("handshake: " + hec.message());
                    }
                    beast::get_lowest_layer(self->ws).expires_never();
                    self->upgraded = true;
                    self->read();
                    self->flush();
                });
        });
    }

    void fail_connect(std::string message)
    {
        connect_failed = true;
        is_closed = true;
        why = std::move(message);
    }

    void read()
    {
        auto self = shared_from_this();
        ws.async_read(buffer, [self](const error_code& ec, std::size_t) {
            if (ec) {
                self->is_closed = true;
                self->code = self->ws.reason().code;
                self->why = "read: " + ec.message();
                return;
            }
            std::string text = beast::buffers_to_string(self->buffer.data());
            self->buffer.consume(self->buffer.size());
            self->on_frame(text);
            self->read();
        });
    }

    void on_frame(const std::string& text)
    {
        json frame = json::parse(text, nullptr, false);
        if (frame.is_discarded() || !frame.is_object()) {
            frames.push_back(json{{"type", "<not json>"}, {"text", text}});
            return;
        }
        frames.push_back(frame);
        const std::string type = frame.value("type", "");
        if (frame.contains("seq") && frame["seq"].is_number_integer()) {
            const long long seq = frame["seq"].get<long long>();
            if (type != "snapshot" && last_seq && seq != *last_seq + 1) gap = true;
            last_seq = seq;
        }
        if (type == "snapshot") {
            ++snapshot_count;
            seats.clear();
            for (const auto& s : frame.value("seats", json::array())) apply_seat(s);
            if (frame.contains("viewers")) viewers = frame["viewers"].get<long long>();
            if (frame.contains("media")) media = frame["media"];
            playback = frame.value("playback", json());
            // The room service names the held seat at the top level too.
            if (frame.contains("mine") && frame["mine"].is_number_unsigned()) {
                held_seat = frame["mine"].get<unsigned>();
            } else {
                held_seat.reset();
            }
            for (auto& [index, view] : seats) view.mine = view.mine || held_seat == index;
        } else if (type == "seat") {
            apply_seat(frame["seat"]);
        } else if (type == "viewers") {
            viewers = frame.value("count", 0LL);
        } else if (type == "media") {
            media = frame["media"];
        } else if (type == "playback") {
            playback = frame.value("playback", json());  // new templates, as the page takes them
        } else if (type == "reply" && frame.contains("id")) {
            replies[frame["id"].dump()] = frame;
            // What the page learns from its own commands.
            if (frame.value("ok", false) && frame.contains("seat") && frame.contains("token")) {
                held_seat = frame["seat"].get<unsigned>();
            }
            auto cmd = sent_commands.find(frame["id"].dump());
            if (cmd != sent_commands.end() && frame.value("ok", false) &&
                cmd->second == "release") {
                held_seat.reset();
            }
            for (auto& [index, view] : seats)
                view.mine = view.raw.value("mine", false) || held_seat == index;
        }
    }

    void apply_seat(const json& s)
    {
        if (!s.is_object() || !s.contains("index")) return;
        const unsigned index = s["index"].get<unsigned>();
        seat_view v;
        v.state = s.value("state", "");
        // A free seat is held by nobody.
        if (held_seat == index && s.value("state", "") == "free") held_seat.reset();
        // `mine` per seat (proto/websocket.md), or the seat this page holds.
        v.mine = s.value("mine", false) || held_seat == index;
        v.stream = s.value("stream", "");
        v.raw = s;
        seats[index] = v;
        seat_frames[index].push_back(s);
    }

    void send(std::string text)
    {
        outbox.push_back(std::move(text));
        if (upgraded) flush();
    }

    void flush()
    {
        if (writing || outbox.empty() || is_closed) return;
        writing = true;
        auto self = shared_from_this();
        ws.text(true);
        ws.async_write(asio::buffer(outbox.front()), [self](const error_code& ec, std::size_t) {
            self->writing = false;
            self->outbox.pop_front();
            if (ec) {
                self->is_closed = true;
                self->why = "write: " + ec.message();
                return;
            }
            self->flush();
        });
    }
};

browser::browser(browser_pool& pool,
                 std::uint16_t port,
                 std::string room,
                 std::string source_address,
                 std::string origin)
    : pool_(pool), state_(std::make_shared<state>(pool.io()))
{
    state_->room = std::move(room);
    state_->start(port, source_address, origin);
}

browser::~browser()
{
    // The socket is closed without a close handshake (a tab that vanishes);
    // pending handlers see operation_aborted and only touch the shared state.
    error_code ec;
    beast::get_lowest_layer(state_->ws).socket().close(ec);
}

bool browser::wait_open(std::chrono::milliseconds timeout)
{
    pool_.run_until([&] { return state_->is_closed || state_->snapshot_count > 0; }, timeout);
    return open() && has_snapshot();
}

bool browser::open() const
{
    return state_->upgraded && !state_->is_closed;
}

bool browser::has_snapshot() const
{
    return state_->snapshot_count > 0;
}

bool browser::closed() const
{
    return state_->is_closed;
}

bool browser::failed_to_connect() const
{
    return state_->connect_failed;
}

int browser::handshake_status() const
{
    return state_->status;
}

int browser::close_code() const
{
    return state_->code;
}

std::string browser::error() const
{
    return state_->why;
}

std::optional<json> browser::command(json cmd, std::chrono::milliseconds timeout)
{
    const long long id = state_->next_id++;
    cmd["id"] = id;
    const std::string key = json(id).dump();
    state_->sent_commands[key] = cmd.value("type", "");
    state_->send(cmd.dump());
    pool_.run_until([&] { return state_->is_closed || state_->replies.count(key) > 0; }, timeout);
    auto it = state_->replies.find(key);
    if (it == state_->replies.end()) return std::nullopt;
    return it->second;
}

void browser::send_text(std::string text)
{
    state_->send(std::move(text));
}

std::optional<seat_view> browser::seat(unsigned index) const
{
    auto it = state_->seats.find(index);
    if (it == state_->seats.end()) return std::nullopt;
    return it->second;
}

std::optional<json> browser::media() const
{
    return state_->media;
}

json browser::playback() const
{
    return state_->playback;
}

std::optional<long long> browser::viewers() const
{
    return state_->viewers;
}

std::uint64_t browser::snapshots() const
{
    return state_->snapshot_count;
}

bool browser::seq_gap_seen() const
{
    return state_->gap;
}

bool browser::wait_seat(unsigned index,
                        const std::function<bool(const seat_view&)>& pred,
                        std::chrono::milliseconds timeout)
{
    auto holds = [&] {
        auto s = seat(index);
        return s && pred(*s);
    };
    return pool_.run_until(holds, timeout);
}

bool browser::wait_seat_state(unsigned index,
                              const std::string& wanted,
                              std::chrono::milliseconds timeout)
{
    return wait_seat(
        index, [&](const seat_view& s) { return s.state == wanted; }, timeout);
}

bool browser::wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout)
{
    return pool_.run_until(pred, timeout);
}

const std::vector<json>& browser::frames() const
{
    return state_->frames;
}

std::vector<json> browser::seat_history(unsigned index) const
{
    auto it = state_->seat_frames.find(index);
    if (it == state_->seat_frames.end()) return {};
    return it->second;
}

void browser::close()
{
    if (!state_->upgraded || state_->is_closed) return;
    auto self = state_;
    state_->ws.async_close(websocket::close_code::normal, [self](const error_code&) {});
    pool_.run_until([&] { return state_->is_closed; }, std::chrono::milliseconds(2000));
    error_code ec;
    beast::get_lowest_layer(state_->ws).socket().close(ec);
    state_->is_closed = true;
}

}  // namespace ovs::integration
