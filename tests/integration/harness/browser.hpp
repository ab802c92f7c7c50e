#pragma once
// Browsers, as far as the room service can tell: WebSocket clients of
// /ws?room=ID that keep the room's state from the snapshot and the deltas,
// exactly like the page does. Many browsers share one io_context (a
// browser_pool) driven by the test thread whenever it waits, so 10,000 of
// them cost one thread.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ovs::integration {

using json = nlohmann::json;

class browser_pool {
public:
    browser_pool();
    ~browser_pool();
    browser_pool(const browser_pool&) = delete;
    browser_pool& operator=(const browser_pool&) = delete;

    boost::asio::io_context& io();

    // Runs the browsers' I/O until `done` is true or `timeout` passes.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
    // Runs the browsers' I/O for a while (keeps their sockets drained).
    void run_for(std::chrono::milliseconds duration);
    // When the sockets were last drained: whatever a browser holds unread
    // was received after this (while nothing runs the I/O, frames wait in
    // the kernel and are read late).
    std::chrono::steady_clock::time_point drained_at() const { return drained_at_; }

private:
    std::unique_ptr<boost::asio::io_context> io_;
    std::chrono::steady_clock::time_point drained_at_{};
};

// One seat as the page sees it.
struct seat_view {
    std::string state;  // "free", "reserved", "starting", "live", "failed"
    bool mine = false;
    std::string stream;
    json raw;  // the whole SEAT object
};

class browser {
public:
    // Starts connecting to ws://127.0.0.1:port/ws?room=ID (from
    // `source_address` when not empty). Use wait_open() or the pool.
    browser(browser_pool& pool,
            std::uint16_t port,
            std::string room,
            std::string source_address = "",
            std::string origin = "");
    ~browser();
    browser(const browser&) = delete;
    browser& operator=(const browser&) = delete;

    // Waits for the upgrade and the first snapshot.
    bool wait_open(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
    bool open() const;  // upgraded and not closed
    bool has_snapshot() const;
    bool closed() const;
    bool failed_to_connect() const;
    int handshake_status() const;  // HTTP status of the upgrade answer (101 when it worked)
    int close_code() const;        // WebSocket close code, 0 when none
    std::string error() const;     // why it is closed / failed

    // Sends a command (an `id` is added) and waits for its reply.
    std::optional<json> command(
        json cmd, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
    // Sends raw text as one frame.
    void send_text(std::string text);

    // The room as this browser sees it.
    std::optional<seat_view> seat(unsigned index) const;
    std::optional<json> media() const;  // last media object (snapshot or media frame)
    json playback() const;
    std::optional<long long> viewers() const;
    std::uint64_t snapshots() const;  // how many snapshots arrived
    bool seq_gap_seen() const;        // a delta skipped a sequence number

    // Waits until `pred(seat)` holds for seat `index`.
    bool wait_seat(unsigned index,
                   const std::function<bool(const seat_view&)>& pred,
                   std::chrono::milliseconds timeout);
    bool wait_seat_state(unsigned index,
                         const std::string& state,
                         std::chrono::milliseconds timeout);
    // Waits for any condition on this browser's state.
    bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

    // Every frame received so far, in order.
    const std::vector<json>& frames() const;
    // Seat frames (snapshot entries and deltas) for `index` received so far.
    std::vector<json> seat_history(unsigned index) const;

    void close();

    struct state;

private:
    browser_pool& pool_;
    std::shared_ptr<state> state_;
};

}  // namespace ovs::integration
