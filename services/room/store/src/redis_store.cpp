// The Redis store's I/O shell: turns room_store calls into script runs,
// script replies and published events into mirror updates and outputs.
// Semantics live in lua/*.lua and in the in-memory model they mirror
// (space.hpp); the shell only moves data and keeps the local parts
// (membership, presence counts, which connections may hold seats).
// This half: the lifecycle, running scripts and absorbing their replies,
// and other replicas' events (gaps, catch-up, reloads). The room_store
// calls are in redis_store_commands.cpp.

#include "redis_store_parts.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>
#include <sstream>

namespace ovs::room {

using namespace std::chrono_literals;
using store::script_reply;
using store::store_event;
using namespace store_detail;

namespace {

std::string generated_replica_id()
{
    std::random_device rd;
    std::ostringstream id;
    id << asio::ip::host_name() << '-' << std::hex << (std::uint64_t{rd()} << 32 | rd());
    return id.str();
}

}  // namespace

std::shared_ptr<redis_store> redis_store::create(asio::any_io_executor ex,
                                                 const std::vector<config::room_def>& rooms,
                                                 settings s,
                                                 token_source tokens,
                                                 redis_store_options opt)
{
    return std::shared_ptr<redis_store>(
        new redis_store(std::move(ex), rooms, s, std::move(tokens), std::move(opt)));
}

redis_store::redis_store(asio::any_io_executor ex,
                         const std::vector<config::room_def>& rooms,
                         settings s,
                         token_source tokens,
                         redis_store_options opt)
    : ex_(ex),
      cfg_(s),
      tokens_(std::move(tokens)),
      opt_(std::move(opt)),
      heartbeat_timer_(ex),
      maintain_timer_(ex),
      gap_timer_(ex)
{
    if (!tokens_) throw std::invalid_argument("redis_store: no token source");
    if (opt_.replica_id.empty()) opt_.replica_id = generated_replica_id();
    if (opt_.replica_id.find('/') != std::string::npos) {
        throw std::invalid_argument("redis_store: a replica id must not contain '/'");
    }
    offset_ = opt_.clock_offset ? *opt_.clock_offset
                                : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch() -
                                      clock::now().time_since_epoch());
    heartbeat_key_ = opt_.key_prefix + ":replica:" + opt_.replica_id;
    std::vector<std::string> channels;
    for (const auto& def : rooms) {
        if (!room_by_id_.emplace(def.id, rooms_.size()).second) {
            throw std::invalid_argument("redis_store: duplicate room id '" + def.id + "'");
        }
        rooms_.push_back(std::make_unique<room_rt>(def, opt_.key_prefix, s.presence_interval));
        room_by_channel_.emplace(rooms_.back()->channel, rooms_.size() - 1);
        channels.push_back(rooms_.back()->channel);
    }
    if (opt_.redis.client_name.empty())
        opt_.redis.client_name = "ovenspace-room:" + opt_.replica_id;
    if (!opt_.redis.log) opt_.redis.log = opt_.log;
    client_ = redis::client::create(ex_, opt_.redis);
    auto sub_options = opt_.redis;
    sub_options.client_name += ":events";
    sub_ = redis::subscriber::create(ex_, sub_options, std::move(channels));
}

redis_store::~redis_store()
{
    client_->stop();
    sub_->stop();
}

void redis_store::log(const std::string& line) const
{
    if (opt_.log) opt_.log("[store] " + line);
}

// ---- lifecycle ---------------------------------------------------------------

void redis_store::start()
{
    std::weak_ptr<redis_store> weak = weak_from_this();
    client_->set_handlers({
        .on_up =
            [weak] {
                if (auto self = weak.lock()) self->on_redis_up();
            },
        .on_down =
            [weak](error_code ec) {
                if (auto self = weak.lock()) self->log("Redis unreachable: " + ec.message());
            },
    });
    sub_->set_handlers({
        .on_message =
            [weak](const std::string& channel, const std::string& payload) {
                if (auto self = weak.lock()) self->on_message(channel, payload);
            },
        .on_subscribed =
            [weak] {
                if (auto self = weak.lock()) self->on_subscribed();
            },
        .on_lost = {},
    });
    client_->start();
    sub_->start();
    asio::co_spawn(ex_, heartbeat_loop(shared_from_this()), asio::detached);
    if (opt_.maintain_interval.count() > 0) {
        asio::co_spawn(ex_, maintain_loop(shared_from_this()), asio::detached);
    }
}

void redis_store::stop()
{
    if (stopped_) return;
    stopped_ = true;
    heartbeat_timer_.cancel();
    maintain_timer_.cancel();
    gap_timer_.cancel();
    // Leave no heartbeat behind: the other replicas start this replica's
    // holds' grace at once instead of after the key's TTL.
    if (client_->is_up()) {
        client_->async_exec(
            redis::request{"DEL", heartbeat_key_},
            [client = client_](error_code, std::vector<redis::reply>) { client->stop(); });
    } else {
        client_->stop();
    }
    sub_->stop();
}

bool redis_store::available() const
{
    if (stopped_ || !client_->is_up() || !sub_->is_subscribed()) return false;
    return std::all_of(rooms_.begin(), rooms_.end(), [](const auto& r) { return r->loaded; });
}

void redis_store::on_redis_up()
{
    // The heartbeat first: maintenance anywhere must not mistake us for dead.
    client_->async_exec(
        redis::request{
            "SET", heartbeat_key_, "1", "PX", std::to_string(3 * opt_.heartbeat.count())},
        [](error_code, std::vector<redis::reply>) {});
    // Departures that could not be recorded while Redis was away: their
    // holds would otherwise stay without a grace deadline.
    const auto now = clock::now();
    for (const auto& [c, ri] : std::exchange(unsent_departs_, {})) {
        run(ri, script_of(store::lua::depart), now, {holder(c)}, {});
    }
    if (sub_->is_subscribed()) on_subscribed();
}

void redis_store::report_presence(std::size_t ri)
{
    // Redis may have restarted without this replica's count: say it again.
    auto& rt = *rooms_[ri];
    rt.reported = rt.presence.count();
    run(ri,
        script_of(store::lua::presence),
        clock::now(),
        {opt_.replica_id, std::to_string(rt.reported)},
        [weak = weak_from_this()](auto) {
            if (auto self = weak.lock()) self->schedule_wake();
        });
}

void redis_store::on_subscribed()
{
    // Redis keeps nothing for an absent subscriber: whatever was published
    // meanwhile comes from the logs (or a snapshot).
    if (!client_->is_up()) return;  // on_redis_up will call again
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        if (rooms_[ri]->loaded) {
            catch_up(ri);
        } else {
            load(ri, false);
        }
    }
}

asio::awaitable<void> redis_store::heartbeat_loop(
    [[maybe_unused]] std::shared_ptr<redis_store> self)
{
    while (!stopped_) {
        heartbeat_timer_.expires_after(opt_.heartbeat);
        co_await heartbeat_timer_.async_wait(use_nothrow);
        if (stopped_) break;
        if (!client_->is_up()) continue;
        client_->async_exec(
            redis::request{
                "SET", heartbeat_key_, "1", "PX", std::to_string(3 * opt_.heartbeat.count())},
            [](error_code, std::vector<redis::reply>) {});
    }
}

asio::awaitable<void> redis_store::maintain_loop(std::shared_ptr<redis_store> self)
{
    while (!stopped_) {
        maintain_timer_.expires_after(opt_.maintain_interval);
        co_await maintain_timer_.async_wait(use_nothrow);
        if (stopped_) break;
        if (!available()) continue;
        std::weak_ptr<redis_store> weak = self;
        tick(clock::now(), [weak] {
            if (auto s = weak.lock()) s->schedule_wake();
        });
    }
}

// ---- scripts and their replies ---------------------------------------------

std::int64_t redis_store::to_ms(time_point t) const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch() + offset_)
        .count();
}

time_point redis_store::from_ms(std::int64_t ms) const
{
    return time_point(
        std::chrono::duration_cast<clock::duration>(std::chrono::milliseconds(ms) - offset_));
}

std::string redis_store::holder(conn_id c) const
{
    return store::holder_id(opt_.replica_id, c);
}

void redis_store::run(std::size_t ri,
                      const redis::script& s,
                      time_point now,
                      std::vector<std::string> extra,
                      reply_fn then)
{
    const auto& rt = *rooms_[ri];
    std::vector<std::string> args{rt.def.id,
                                  rt.channel,
                                  std::to_string(to_ms(now)),
                                  std::to_string(rt.def.seats),
                                  std::to_string(cfg_.lease.count()),
                                  std::to_string(cfg_.disconnect_grace.count()),
                                  std::to_string(opt_.log_cap),
                                  opt_.key_prefix + ":replica:"};
    args.insert(
        args.end(), std::make_move_iterator(extra.begin()), std::make_move_iterator(extra.end()));
    std::weak_ptr<redis_store> weak = weak_from_this();
    client_->async_eval(
        s,
        rt.keys,
        std::move(args),
        [weak, ri, then = std::move(then)](error_code ec, redis::reply r) {
            auto self = weak.lock();
            if (!self) return;
            std::optional<script_reply> parsed;
            if (ec) {
                self->log("script failed: " + ec.message());
            } else if (!r.is_array()) {
                self->log("script answered " + redis::describe(r, 200));
            } else {
                std::vector<std::string> parts;
                for (const auto& item : r.items) parts.push_back(item.text);
                parsed = store::decode_reply(parts);
                if (!parsed) self->log("unreadable script reply: " + redis::describe(r, 200));
            }
            if (parsed) self->absorb(ri, *parsed);
            if (then) then(std::move(parsed));
        });
}

void redis_store::absorb(std::size_t ri, const script_reply& r)
{
    auto& rt = *rooms_[ri];
    rt.deadline_ms = r.deadline_ms;
    for (const auto& k : r.kicks) {
        if (k.seat < rt.def.seats) {
            out_.kicks.push_back(
                kick_stream{rt.def.stream_prefix + std::to_string(k.seat), k.reason});
        }
    }
    offer(ri, r.events);
}

void redis_store::offer(std::size_t ri, std::vector<store_event> events)
{
    auto& rt = *rooms_[ri];
    for (auto& e : events) {
        for (const auto& applied : rt.mirror.offer(std::move(e))) {
            out_.events.push_back(convert(ri, applied));
        }
    }
    if (rt.mirror.waiting()) arm_gap_timer();
}

seat_view redis_store::view(std::size_t ri, const store::seat_record& s) const
{
    seat_view v;
    v.index = s.index;
    v.stream = rooms_[ri]->def.stream_prefix + std::to_string(s.index);
    v.state = s.state;
    if (!s.holder.empty()) {
        v.holder = store::local_conn(s.holder, opt_.replica_id).value_or(remote_holder);
    }
    if (s.state == seat_state::reserved && s.lease_ms) v.lease_expires = from_ms(*s.lease_ms);
    if (s.state == seat_state::live) {
        v.info = s.info;
        v.watching = s.watching;
    }
    v.locked = s.locked;
    v.ended_by_moderator = s.ended_by_moderator;
    return v;
}

event redis_store::convert(std::size_t ri, const store_event& e) const
{
    if (e.seat) return seat_changed{e.room, e.seq, view(ri, *e.seat)};
    return viewers_changed{e.room, e.seq, e.viewers};
}

void redis_store::schedule_wake()
{
    if (wake_pending_ || !wake_ || stopped_) return;
    wake_pending_ = true;
    asio::post(ex_, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        self->wake_pending_ = false;
        if (self->wake_ && !self->stopped_) self->wake_();
    });
}

// ---- events from other replicas, gaps and reloads ---------------------------

void redis_store::on_message(const std::string& channel, const std::string& payload)
{
    const auto it = room_by_channel_.find(channel);
    auto e = store::decode_event(payload);
    if (it == room_by_channel_.end() || !e || e->room != rooms_[it->second]->def.id) {
        log("ignoring a malformed event on " + channel);
        return;
    }
    if (!rooms_[it->second]->loaded) {
        rooms_[it->second]->mirror.offer(std::move(*e));  // waits for the snapshot
        return;
    }
    const auto before = out_.events.size();
    std::vector<store_event> one;
    one.push_back(std::move(*e));
    offer(it->second, std::move(one));
    if (out_.events.size() != before) schedule_wake();
}

void redis_store::arm_gap_timer()
{
    if (gap_armed_ || stopped_) return;
    gap_armed_ = true;
    gap_timer_.expires_after(opt_.gap_wait);
    gap_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        auto self = weak.lock();
        if (!self || ec) return;
        self->gap_armed_ = false;
        for (std::size_t ri = 0; ri < self->rooms_.size(); ++ri) {
            if (self->rooms_[ri]->mirror.waiting()) self->catch_up(ri);
        }
    });
}

void redis_store::catch_up(std::size_t ri)
{
    auto& rt = *rooms_[ri];
    if (rt.loading) return;
    const auto from = rt.mirror.seq() + 1;
    redis::request req;
    req.push({"HGET", rt.keys[1], "seq"});
    req.push({"XRANGE",
              rt.keys[2],
              std::to_string(from) + "-0",
              "+",
              "COUNT",
              std::to_string(opt_.log_cap)});
    client_->async_exec(
        std::move(req),
        [weak = weak_from_this(), ri, from](error_code ec, std::vector<redis::reply> r) {
            auto self = weak.lock();
            if (!self || ec || r.size() != 2) return;  // the next (re)subscribe tries again
            auto& room = *self->rooms_[ri];
            const auto latest = r[0].as_integer().value_or(0);
            if (latest < static_cast<std::int64_t>(room.mirror.seq())) {
                // Redis lost the room (restarted without persistence).
                self->log("room " + room.def.id + ": Redis has seq " + std::to_string(latest) +
                          ", this replica saw " + std::to_string(room.mirror.seq()) +
                          "; reloading");
                self->load(ri, true);
                return;
            }
            std::vector<store_event> events;
            for (const auto& entry : r[1].items) {
                // [id, [field, value]]
                if (entry.items.size() == 2 && entry.items[1].items.size() == 2) {
                    if (auto e = store::decode_event(entry.items[1].items[1].text)) {
                        events.push_back(std::move(*e));
                    }
                }
            }
            const bool complete = !events.empty() ? events.front().seq == from
                                                  : latest < static_cast<std::int64_t>(from);
            const auto before = self->out_.events.size();
            if (complete) self->offer(ri, std::move(events));
            if (!complete || room.mirror.seq() < static_cast<std::uint64_t>(latest)) {
                self->load(ri, false);  // the log does not reach back far enough
                return;
            }
            if (self->out_.events.size() != before) self->schedule_wake();
            self->report_presence(ri);
        });
}

void redis_store::load(std::size_t ri, bool reseed)
{
    auto& rt = *rooms_[ri];
    if (rt.loading) return;
    rt.loading = true;
    const auto now = clock::now();
    if (reseed) {
        run(ri, script_of(store::lua::reseed), now, {std::to_string(rt.mirror.seq())}, {});
    }
    run(ri,
        script_of(store::lua::snapshot),
        now,
        {},
        [weak = weak_from_this(), ri, reseed](std::optional<script_reply> r) {
            auto self = weak.lock();
            if (!self) return;
            auto& room = *self->rooms_[ri];
            room.loading = false;
            if (!r) return;  // tried again on the next (re)subscribe
            std::vector<store::seat_record> seats;
            if (const auto it = r->result.find("seats"); it != r->result.end() && it->is_array()) {
                for (const auto& s : *it) {
                    if (auto rec = store::decode_seat(s)) seats.push_back(std::move(*rec));
                }
            }
            const auto seq = static_cast<std::uint64_t>(result_number(*r, "seq").value_or(0));
            const auto viewers = static_cast<std::size_t>(result_number(*r, "viewers").value_or(0));
            const bool first = !room.loaded;
            for (const auto& applied : room.mirror.reset(seq, viewers, seats)) {
                self->out_.events.push_back(self->convert(ri, applied));
            }
            room.loaded = true;
            if (!first) {
                ++self->resyncs_;
                self->out_.resyncs.push_back(room.def.id);
            }
            if (reseed) self->out_.reseeded.push_back(room.def.id);
            self->schedule_wake();
            self->report_presence(ri);
        });
}

}  // namespace ovs::room
