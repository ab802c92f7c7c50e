// The Redis store's I/O shell: turns room_store calls into script runs,
// script replies and published events into mirror updates and outputs.
// Semantics live in lua/*.lua and in the in-memory model they mirror
// (space.hpp); this file only moves data and keeps the local parts
// (membership, presence counts, which connections may hold seats).

#include "lua_sources.hpp"

#include <ovs/room/redis_store.hpp>

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

namespace {

const redis::script& script_of(const char* body)
{
    // One script object per body, for the life of the process.
    static std::unordered_map<const char*, std::unique_ptr<redis::script>> scripts;
    auto& s = scripts[body];
    if (!s) s = std::make_unique<redis::script>(std::string(store::lua::prelude) + body);
    return *s;
}

std::optional<refusal> refusal_named(const std::string& code)
{
    static const std::pair<const char*, refusal> known[] = {
        {"already_holding", refusal::already_holding},
        {"seat_taken", refusal::seat_taken},
        {"not_holder", refusal::not_holder},
        {"bad_token", refusal::bad_token},
        {"no_claim", refusal::no_claim},
        {"already_live", refusal::already_live},
        {"seat_locked", refusal::seat_locked},
        {"seat_ending", refusal::seat_ending},
    };
    for (const auto& [name, r] : known) {
        if (code == name) return r;
    }
    return std::nullopt;
}

std::optional<std::string> refusal_code(const script_reply& r)
{
    const auto it = r.result.find("refused");
    if (it == r.result.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::optional<std::int64_t> result_number(const script_reply& r, const char* key)
{
    const auto it = r.result.find(key);
    if (it == r.result.end() || !it->is_number()) return std::nullopt;
    return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>())
                                 : it->get<std::int64_t>();
}

std::string generated_replica_id()
{
    std::random_device rd;
    std::ostringstream id;
    id << asio::ip::host_name() << '-' << std::hex << (std::uint64_t{rd()} << 32 | rd());
    return id.str();
}

// Runs `done` once `n` parts have finished (at once when n is 0).
done_void countdown(std::size_t n, done_void done)
{
    if (n == 0) {
        if (done) done();
        return {};
    }
    auto left = std::make_shared<std::size_t>(n);
    return [left, done = std::move(done)] {
        if (--*left == 0 && done) done();
    };
}

}  // namespace

struct redis_store::room_rt {
    config::room_def def;
    std::vector<std::string> keys;  // seats, meta, log, presence (KEYS of every script)
    std::string channel;
    store::room_mirror mirror;
    detail::presence presence;  // this replica's viewers, coalesced
    std::size_t reported = 0;   // the count this replica last sent to Redis
    bool loaded = false;        // a snapshot has been applied
    bool loading = false;
    std::optional<std::int64_t> deadline_ms;  // from the last script reply for this room

    room_rt(const config::room_def& d,
            const std::string& prefix,
            std::chrono::milliseconds interval)
        : def(d), mirror(d.seats), presence(interval)
    {
        const std::string base = prefix + ":room:{" + d.id + "}:";
        keys = {base + "seats", base + "meta", base + "log", base + "presence"};
        channel = base + "events";
    }
};

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

// ---- browser side --------------------------------------------------------------

void redis_store::join(conn_id c,
                       const std::string& room,
                       time_point now,
                       done_fn<std::optional<refusal>> done)
{
    if (c == 0) return done(refusal::not_joined);
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return done(refusal::unknown_room);
    const std::size_t ri = it->second;
    auto& rt = *rooms_[ri];
    if (const auto m = members_.find(c); m != members_.end() && m->second == ri) {
        return done(std::nullopt);
    }
    const auto viewers = snapshot(room)->viewers;
    if (viewers >= cfg_.max_viewers_per_room) return done(refusal::room_full);
    if (const auto m = members_.find(c); m != members_.end()) {
        rooms_[m->second]->presence.remove(now);
        members_.erase(m);
    }
    members_[c] = ri;
    rt.presence.add(now);
    const auto hold = hold_room(c);
    if (!hold) return done(std::nullopt);
    // A holder that comes back to its room keeps its seat; one that joins
    // another room gives it up (a holder lives in its seat's room).
    run(*hold,
        script_of(store::lua::rejoin),
        now,
        {holder(c), *hold == ri ? "back" : "moved"},
        [done = std::move(done)](std::optional<script_reply>) { done(std::nullopt); });
}

void redis_store::leave(conn_id c, time_point now, done_void done)
{
    const auto m = members_.find(c);
    if (m == members_.end()) return done ? done() : void();
    rooms_[m->second]->presence.remove(now);
    members_.erase(m);
    const auto hold = hold_room(c);
    if (!hold) return done ? done() : void();
    run(*hold,
        script_of(store::lua::depart),
        now,
        {holder(c)},
        [weak = weak_from_this(), c, ri = *hold, done = std::move(done)](
            std::optional<script_reply> r) {
            auto self = weak.lock();
            if (self && !r) self->unsent_departs_.emplace_back(c, ri);
            if (done) done();
        });
}

std::optional<std::size_t> redis_store::hold_room(conn_id c) const
{
    // Where the mirror shows it holding, or where a claim or resume of it is
    // still on its way (it is ahead of this call on the same connection).
    const auto me = holder(c);
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        for (const auto& s : rooms_[ri]->mirror.seats()) {
            if (s.holder == me) return ri;
        }
    }
    if (const auto it = inflight_.find(c); it != inflight_.end()) return it->second.first;
    return std::nullopt;
}

void redis_store::begin_hold_op(conn_id c, std::size_t ri)
{
    auto& entry = inflight_[c];
    entry.first = ri;
    ++entry.second;
}

void redis_store::end_hold_op(conn_id c)
{
    const auto it = inflight_.find(c);
    if (it != inflight_.end() && --it->second.second == 0) inflight_.erase(it);
}

void redis_store::claim(conn_id c,
                        unsigned seat,
                        time_point now,
                        done_fn<result<claim_granted>> done)
{
    const auto m = members_.find(c);
    if (m == members_.end()) return done(refusal::not_joined);
    const std::size_t ri = m->second;
    if (seat >= rooms_[ri]->def.seats) return done(refusal::bad_seat);
    if (!available()) return done(refusal::store_unavailable);
    // A token refused with the seat was never handed out: the next claim
    // uses it (so a refusal costs no token, as in the in-memory model).
    std::string token = std::exchange(spare_token_, {});
    if (token.empty()) token = tokens_();
    if (token.empty())
        throw std::runtime_error("redis_store: the token source returned an empty token");
    auto hash = ovs::room::token_hash(token);
    begin_hold_op(c, ri);
    run(ri,
        script_of(store::lua::claim),
        now,
        {std::to_string(seat), holder(c), std::move(hash)},
        [weak = weak_from_this(),
         c,
         ri,
         seat,
         token = std::move(token),
         now,
         done = std::move(done)](std::optional<script_reply> r) mutable {
            auto self = weak.lock();
            if (self) self->end_hold_op(c);
            // No answer: Redis may have stored the hash; the token is spent.
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto code = refusal_code(*r)) {
                if (self->spare_token_.empty()) self->spare_token_ = std::move(token);
                return done(refusal_named(*code).value_or(refusal::store_unavailable));
            }
            const auto& rt = *self->rooms_[ri];
            const auto lease = result_number(*r, "lease");
            done(claim_granted{seat,
                               rt.def.stream_prefix + std::to_string(seat),
                               token,
                               lease ? self->from_ms(*lease) : now + self->cfg_.lease});
        });
}

void redis_store::release(conn_id c,
                          unsigned seat,
                          time_point now,
                          done_fn<std::optional<refusal>> done)
{
    const auto m = members_.find(c);
    if (m == members_.end()) return done(refusal::not_joined);
    const std::size_t ri = m->second;
    if (seat >= rooms_[ri]->def.seats) return done(refusal::bad_seat);
    if (!available()) return done(refusal::store_unavailable);
    run(ri,
        script_of(store::lua::release),
        now,
        {std::to_string(seat), holder(c)},
        [weak = weak_from_this(), done = std::move(done)](std::optional<script_reply> r) {
            auto self = weak.lock();
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto code = refusal_code(*r)) {
                return done(refusal_named(*code).value_or(refusal::store_unavailable));
            }
            done(std::nullopt);
        });
}

void redis_store::resume(conn_id c,
                         unsigned seat,
                         const std::string& token,
                         time_point now,
                         done_fn<result<claim_granted>> done)
{
    const auto m = members_.find(c);
    if (m == members_.end()) return done(refusal::not_joined);
    const std::size_t ri = m->second;
    if (seat >= rooms_[ri]->def.seats) return done(refusal::bad_seat);
    if (!available()) return done(refusal::store_unavailable);
    begin_hold_op(c, ri);
    run(ri,
        script_of(store::lua::resume),
        now,
        {std::to_string(seat), holder(c), ovs::room::token_hash(token)},
        [weak = weak_from_this(), c, ri, seat, token, now, done = std::move(done)](
            std::optional<script_reply> r) {
            auto self = weak.lock();
            if (self) self->end_hold_op(c);
            if (!self || !r) return done(refusal::store_unavailable);
            if (const auto code = refusal_code(*r)) {
                return done(refusal_named(*code).value_or(refusal::store_unavailable));
            }
            const auto& rt = *self->rooms_[ri];
            const auto lease = result_number(*r, "lease");
            done(claim_granted{seat,
                               rt.def.stream_prefix + std::to_string(seat),
                               token,
                               lease ? self->from_ms(*lease) : now + self->cfg_.lease});
        });
}

// ---- gateway side ---------------------------------------------------------------

std::optional<std::pair<std::size_t, unsigned>> redis_store::seat_of_stream(
    const std::string& s) const
{
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        const auto& def = rooms_[ri]->def;
        if (s.size() <= def.stream_prefix.size() ||
            s.compare(0, def.stream_prefix.size(), def.stream_prefix) != 0) {
            continue;
        }
        const std::string digits = s.substr(def.stream_prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos ||
            (digits.size() > 1 && digits[0] == '0') || digits.size() > 6) {
            continue;
        }
        const auto index = static_cast<unsigned>(std::stoul(digits));
        if (index < def.seats) return std::make_pair(ri, index);
    }
    return std::nullopt;
}

void redis_store::stream_up(const std::string& stream,
                            const stream_info& info,
                            time_point now,
                            done_void done)
{
    const auto where = seat_of_stream(stream);
    if (!where || !available()) {
        if (where) log("stream_up " + stream + " not recorded: Redis unavailable");
        return done ? done() : void();
    }
    run(where->first,
        script_of(store::lua::stream),
        now,
        {"up", std::to_string(where->second), store::encode_info(info).dump()},
        [done = std::move(done)](std::optional<script_reply>) {
            if (done) done();
        });
}

void redis_store::stream_down(const std::string& stream, time_point now, done_void done)
{
    const auto where = seat_of_stream(stream);
    if (!where || !available()) {
        if (where) log("stream_down " + stream + " not recorded: Redis unavailable");
        return done ? done() : void();
    }
    run(where->first,
        script_of(store::lua::stream),
        now,
        {"down", std::to_string(where->second)},
        [done = std::move(done)](std::optional<script_reply>) {
            if (done) done();
        });
}

void redis_store::streams_snapshot(const std::map<std::string, stream_info>& streams,
                                   time_point now,
                                   done_void done)
{
    if (!available()) {
        log("streams snapshot not recorded: Redis unavailable");
        return done ? done() : void();
    }
    std::vector<store::json> listed(rooms_.size(), store::json::object());
    for (const auto& [name, info] : streams) {
        if (const auto where = seat_of_stream(name)) {
            listed[where->first][std::to_string(where->second)] = store::encode_info(info);
        }
    }
    auto part = countdown(rooms_.size(), std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        run(ri,
            script_of(store::lua::stream),
            now,
            {"all", listed[ri].dump()},
            [part](std::optional<script_reply>) { part(); });
    }
}

void redis_store::check_admission(const std::string& stream,
                                  const std::string& token,
                                  time_point now,
                                  done_fn<admission> done)
{
    const auto where = seat_of_stream(stream);
    if (!where) return done(admission{false, refusal::unknown_stream});
    if (cfg_.mode == config::admission_mode::open) {
        // Publishing is claiming there: a locked seat takes no new stream.
        // Read from the mirror, so open mode keeps admitting while Redis is
        // away (a lock made elsewhere counts once its event arrived).
        const auto& seat = rooms_[where->first]->mirror.seats()[where->second];
        if (seat.locked && seat.state != seat_state::live) {
            return done(admission{false, refusal::seat_locked});
        }
        return done(admission{true, std::nullopt});
    }
    if (!available()) return done(admission{false, refusal::store_unavailable});
    run(where->first,
        script_of(store::lua::admission),
        now,
        {std::to_string(where->second), ovs::room::token_hash(token)},
        [done = std::move(done)](std::optional<script_reply> r) {
            if (!r) return done(admission{false, refusal::store_unavailable});
            const auto it = r->result.find("allowed");
            if (it != r->result.end() && it->is_boolean() && it->get<bool>()) {
                return done(admission{true, std::nullopt});
            }
            const auto reason = r->result.find("reason");
            const auto named = reason != r->result.end() && reason->is_string()
                                   ? refusal_named(reason->get<std::string>())
                                   : std::nullopt;
            done(admission{false, named.value_or(refusal::no_claim)});
        });
}

// ---- moderation and per-seat audience ----------------------------------------------

void redis_store::moderate(const std::string& room,
                           std::optional<unsigned> seat,
                           std::vector<std::string> args,
                           time_point now,
                           done_fn<std::optional<refusal>> done)
{
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return done(refusal::unknown_room);
    if (seat && *seat >= rooms_[it->second]->def.seats) return done(refusal::bad_seat);
    if (!available()) return done(refusal::store_unavailable);
    run(it->second,
        script_of(store::lua::moderate),
        now,
        std::move(args),
        [done = std::move(done)](std::optional<script_reply> r) {
            done(r ? std::nullopt : std::optional<refusal>(refusal::store_unavailable));
        });
}

void redis_store::moderator_end(const std::string& room,
                                unsigned seat,
                                time_point now,
                                done_fn<std::optional<refusal>> done)
{
    moderate(room, seat, {"end", std::to_string(seat)}, now, std::move(done));
}

void redis_store::set_locked(const std::string& room,
                             std::optional<unsigned> seat,
                             bool locked,
                             time_point now,
                             done_fn<std::optional<refusal>> done)
{
    moderate(room,
             seat,
             {"lock", seat ? std::to_string(*seat) : "all", locked ? "1" : "0"},
             now,
             std::move(done));
}

void redis_store::stream_viewers(const std::map<std::string, std::size_t>& counts,
                                 time_point now,
                                 done_void done)
{
    // One script per room that has a counted stream, in room order (as the
    // in-memory model settles them).
    std::vector<store::json> listed(rooms_.size());
    for (const auto& [name, n] : counts) {
        if (const auto where = seat_of_stream(name)) {
            listed[where->first][std::to_string(where->second)] = n;
        }
    }
    if (!available()) {
        log("stream viewer counts not recorded: Redis unavailable");
        return done ? done() : void();
    }
    const auto rooms = static_cast<std::size_t>(
        std::count_if(listed.begin(), listed.end(), [](const auto& j) { return !j.is_null(); }));
    auto part = countdown(rooms, std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        if (listed[ri].is_null()) continue;
        run(ri,
            script_of(store::lua::viewers),
            now,
            {listed[ri].dump()},
            [part](std::optional<script_reply>) { part(); });
    }
}

// ---- time ------------------------------------------------------------------------

void redis_store::tick(time_point now, done_void done)
{
    if (!client_->is_up()) return done ? done() : void();
    // Settle every room first, then publish presence (as the in-memory model
    // does); one connection keeps the order.
    std::vector<std::pair<std::size_t, std::size_t>> counts;
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        if (const auto n = rooms_[ri]->presence.flush(now)) counts.emplace_back(ri, *n);
    }
    auto part = countdown(rooms_.size() + counts.size(), std::move(done));
    for (std::size_t ri = 0; ri < rooms_.size(); ++ri) {
        run(ri, script_of(store::lua::maintain), now, {}, [part](std::optional<script_reply>) {
            part();
        });
    }
    for (const auto& [ri, n] : counts) {
        rooms_[ri]->reported = n;
        run(ri,
            script_of(store::lua::presence),
            now,
            {opt_.replica_id, std::to_string(n)},
            [part](std::optional<script_reply>) { part(); });
    }
}

std::optional<time_point> redis_store::next_deadline() const
{
    std::optional<time_point> first;
    const auto consider = [&](std::optional<time_point> t) {
        if (t && (!first || *t < *first)) first = t;
    };
    for (const auto& rt : rooms_) {
        if (rt->deadline_ms) consider(from_ms(*rt->deadline_ms));
        if (const auto lease = rt->mirror.earliest_lease()) consider(from_ms(*lease));
        consider(rt->presence.due());
    }
    return first;
}

// ---- reading -----------------------------------------------------------------------

outputs redis_store::drain()
{
    return std::exchange(out_, outputs{});
}

std::optional<room_snapshot> redis_store::snapshot(const std::string& room) const
{
    const auto it = room_by_id_.find(room);
    if (it == room_by_id_.end()) return std::nullopt;
    const auto& rt = *rooms_[it->second];
    room_snapshot snap;
    snap.id = rt.def.id;
    snap.title = rt.def.title;
    snap.seq = rt.mirror.seq();
    // The total as last published, corrected by what this replica has not
    // reported yet (so one replica alone sees its current count).
    const auto total = rt.mirror.viewers() + rt.presence.count();
    snap.viewers = total >= rt.reported ? total - rt.reported : 0;
    for (const auto& s : rt.mirror.seats()) snap.seats.push_back(view(it->second, s));
    return snap;
}

std::vector<std::string> redis_store::room_ids() const
{
    std::vector<std::string> ids;
    for (const auto& rt : rooms_) ids.push_back(rt->def.id);
    return ids;
}

std::optional<std::string> redis_store::room_of(conn_id c) const
{
    const auto it = members_.find(c);
    if (it == members_.end()) return std::nullopt;
    return rooms_[it->second]->def.id;
}

std::optional<unsigned> redis_store::seat_of(conn_id c) const
{
    const auto me = holder(c);
    for (const auto& rt : rooms_) {
        for (const auto& s : rt->mirror.seats()) {
            if (s.holder == me) return s.index;
        }
    }
    return std::nullopt;
}

std::size_t redis_store::seats_in_state(seat_state state) const
{
    std::size_t n = 0;
    for (const auto& rt : rooms_) {
        for (const auto& s : rt->mirror.seats()) n += s.state == state ? 1 : 0;
    }
    return n;
}

}  // namespace ovs::room
