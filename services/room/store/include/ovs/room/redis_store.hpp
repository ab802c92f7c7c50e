#pragma once
// The room store on Redis (`store: redis`; docs/store.md): every seat change
// is one atomic Lua script that also numbers the event, logs it and
// publishes it; every replica subscribes to every room's channel, keeps a
// mirror of each room, and hands its own browsers each event once, with the
// store's sequence number.
//
//   auto store = redis_store::create(ioc.get_executor(), cfg.rooms, settings, random_tokens(),
//   opts); store->set_wakeup([&] { server.process_outputs(); }); store->start();          //
//   connects, subscribes, loads every room
//   ... room_store calls ...
//   store->stop();
//
// Until it has loaded every room, and whenever Redis is unreachable,
// available() is false and claims, releases, resumes and admissions are
// refused with store_unavailable at once; joins and snapshots are served
// from the mirror.
//
// Threading: one executor; every callback runs on it.

#include <ovs/net/net.hpp>
#include <ovs/redis/client.hpp>
#include <ovs/redis/subscriber.hpp>
#include <ovs/room/presence.hpp>
#include <ovs/room/room_mirror.hpp>
#include <ovs/room/store.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ovs::room {

struct redis_store_options {
    redis::options redis;                       // server, timeouts, reconnect backoff
    std::string key_prefix = "ovs";             // every key and channel starts with it
    std::string replica_id;                     // empty: "<host>-<random>", new at every start
    std::chrono::milliseconds heartbeat{1000};  // the heartbeat key lives 3x this
    // How often this replica runs the maintenance script for every room
    // (expiry, dead replicas); 0: only when the caller ticks (tests with a
    // fake clock).
    std::chrono::milliseconds maintain_interval{1000};
    std::chrono::milliseconds gap_wait{200};  // a missing event is fetched from the log after this
    std::size_t log_cap = 1000;               // events kept per room (XADD MAXLEN)
    // steady_clock + offset = Unix time. Empty: measured at construction.
    std::optional<std::chrono::nanoseconds> clock_offset;
    redis::logger log;
};

class redis_store final : public room_store, public std::enable_shared_from_this<redis_store> {
public:
    static std::shared_ptr<redis_store> create(asio::any_io_executor ex,
                                               const std::vector<config::room_def>& rooms,
                                               settings s,
                                               token_source tokens,
                                               redis_store_options opt);
    ~redis_store() override;

    void start();
    void stop();
    const std::string& replica_id() const { return opt_.replica_id; }
    std::uint64_t resyncs() const { return resyncs_; }  // rooms reloaded from a snapshot

    void join(conn_id c,
              const std::string& room,
              time_point now,
              done_fn<std::optional<refusal>> done) override;
    void leave(conn_id c, time_point now, done_void done) override;
    void claim(conn_id c,
               unsigned seat,
               time_point now,
               done_fn<result<claim_granted>> done) override;
    void release(conn_id c,
                 unsigned seat,
                 time_point now,
                 done_fn<std::optional<refusal>> done) override;
    void resume(conn_id c,
                unsigned seat,
                const std::string& token,
                time_point now,
                done_fn<result<claim_granted>> done) override;
    void stream_up(const std::string& stream,
                   const stream_info& info,
                   time_point now,
                   done_void done) override;
    void stream_down(const std::string& stream, time_point now, done_void done) override;
    void streams_snapshot(const std::map<std::string, stream_info>& streams,
                          time_point now,
                          done_void done) override;
    void check_admission(const std::string& stream,
                         const std::string& token,
                         time_point now,
                         done_fn<admission> done) override;
    void moderator_end(const std::string& room,
                       unsigned seat,
                       time_point now,
                       done_fn<std::optional<refusal>> done) override;
    void set_locked(const std::string& room,
                    std::optional<unsigned> seat,
                    bool locked,
                    time_point now,
                    done_fn<std::optional<refusal>> done) override;
    void stream_viewers(const std::map<std::string, std::size_t>& counts,
                        time_point now,
                        done_void done) override;
    void tick(time_point now, done_void done) override;
    std::optional<time_point> next_deadline() const override;
    outputs drain() override;
    std::optional<room_snapshot> snapshot(const std::string& room) const override;
    std::vector<std::string> room_ids() const override;
    std::optional<std::string> room_of(conn_id c) const override;
    std::optional<unsigned> seat_of(conn_id c) const override;
    std::size_t seats_in_state(seat_state s) const override;
    bool available() const override;
    void set_wakeup(std::function<void()> wake) override { wake_ = std::move(wake); }

private:
    struct room_rt;
    using reply_fn = std::function<void(std::optional<store::script_reply>)>;

    redis_store(asio::any_io_executor ex,
                const std::vector<config::room_def>& rooms,
                settings s,
                token_source tokens,
                redis_store_options opt);

    void moderate(const std::string& room,
                  std::optional<unsigned> seat,
                  std::vector<std::string> args,
                  time_point now,
                  done_fn<std::optional<refusal>> done);
    void run(std::size_t ri,
             const redis::script& s,
             time_point now,
             std::vector<std::string> extra,
             reply_fn then);
    void absorb(std::size_t ri, const store::script_reply& r);
    void offer(std::size_t ri, std::vector<store::store_event> events);
    event convert(std::size_t ri, const store::store_event& e) const;
    seat_view view(std::size_t ri, const store::seat_record& s) const;
    void on_message(const std::string& channel, const std::string& payload);
    void on_subscribed();
    void on_redis_up();
    void load(std::size_t ri, bool reseed);
    void report_presence(std::size_t ri);
    std::optional<std::size_t> hold_room(conn_id c) const;
    // The room of a seat command from `c`, or why it cannot run at all.
    result<std::size_t> seat_command_room(conn_id c, unsigned seat) const;
    // A granted claim or resume, with the lease the script set.
    claim_granted granted(std::size_t ri,
                          unsigned seat,
                          std::string token,
                          const store::script_reply& r,
                          time_point now) const;
    void begin_hold_op(conn_id c, std::size_t ri);
    void end_hold_op(conn_id c);
    void catch_up(std::size_t ri);
    void arm_gap_timer();
    void schedule_wake();
    asio::awaitable<void> heartbeat_loop(std::shared_ptr<redis_store> self);
    asio::awaitable<void> maintain_loop(std::shared_ptr<redis_store> self);
    std::optional<std::pair<std::size_t, unsigned>> seat_of_stream(const std::string& s) const;
    std::int64_t to_ms(time_point t) const;
    time_point from_ms(std::int64_t ms) const;
    std::string holder(conn_id c) const;
    void log(const std::string& line) const;

    asio::any_io_executor ex_;
    settings cfg_;
    token_source tokens_;
    redis_store_options opt_;
    std::chrono::nanoseconds offset_;
    std::string heartbeat_key_;
    std::vector<std::unique_ptr<room_rt>> rooms_;
    std::unordered_map<std::string, std::size_t> room_by_id_;
    std::unordered_map<std::string, std::size_t> room_by_channel_;
    std::unordered_map<conn_id, std::size_t> members_;  // joined connections -> room
    // Claims and resumes on their way to Redis, per connection: (room, count).
    std::unordered_map<conn_id, std::pair<std::size_t, int>> inflight_;
    std::vector<std::pair<conn_id, std::size_t>> unsent_departs_;  // while Redis was away
    std::shared_ptr<redis::client> client_;
    std::shared_ptr<redis::subscriber> sub_;
    asio::steady_timer heartbeat_timer_;
    asio::steady_timer maintain_timer_;
    asio::steady_timer gap_timer_;
    outputs out_;
    std::string spare_token_;  // generated for a claim that was refused, never handed out
    std::function<void()> wake_;
    bool wake_pending_ = false;
    bool gap_armed_ = false;
    bool stopped_ = false;
    std::uint64_t resyncs_ = 0;
};

}  // namespace ovs::room
