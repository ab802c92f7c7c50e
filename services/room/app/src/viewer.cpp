#include "viewer.hpp"

#include "command_queue.hpp"
#include "moderator_sign_in.hpp"
#include "wire.hpp"

#include <ovs/log/log.hpp>

#include <boost/asio/post.hpp>

namespace ovs::room {

namespace {

// Close codes of proto/websocket.md.
constexpr std::uint16_t close_unknown_room = 4404;
constexpr std::uint16_t close_room_full = 4429;
constexpr std::uint16_t close_policy_violation = 1008;

}  // namespace

struct viewer::conn : std::enable_shared_from_this<viewer::conn> {
    conn(std::shared_ptr<room_context> c, std::string r, std::string v)
        : ctx(std::move(c)),
          room(std::move(r)),
          viewer_id(std::move(v)),
          queue([ex = ctx->ex](std::function<void()> resume) { asio::post(ex, std::move(resume)); })
    {
    }

    std::shared_ptr<room_context> ctx;
    std::string room;
    std::string viewer_id;
    std::weak_ptr<net::ws_session> session;
    conn_id id = 0;       // set once joined to the store
    bool member = false;  // in ctx->members
    bool closed = false;  // the session ended
    moderator_sign_in moderator;
    command_queue queue;

    // What this viewer's playback edge is chosen by (ome.edges): the page's
    // id, kept across reloads, else this connection.
    std::string viewer_key() const
    {
        return viewer_id.empty() ? "conn-" + std::to_string(id) : viewer_id;
    }

    void send(std::string text)
    {
        auto s = session.lock();
        if (s &&
            s->send(net::make_frame(std::move(text))) == net::ws_session::send_result::queued) {
            ++ctx->counters.messages_out;
        }
    }

    void refuse_join(std::string_view code, std::string_view message, std::uint16_t close_code)
    {
        ++ctx->counters.ws_refused[std::string(code)];
        send(wire::error_frame(code, message));
        if (auto s = session.lock()) s->close(close_code);
    }

    void refuse(const wire::command& cmd, refusal r)
    {
        ++ctx->counters.rejections[to_string(r)];
        send(wire::reply_error(cmd.id, to_string(r), wire::refusal_message(r, cmd.seat)));
    }

    // Queues a step; once it is done the store's outputs go out (events of
    // this input first, then the next command).
    void push(std::function<void(std::function<void()> done)> s)
    {
        queue.push([self = shared_from_this(), s = std::move(s)](command_queue::next_fn next) {
            s([self, next = std::move(next)] {
                if (!self->ctx->stopping) self->ctx->process_outputs();
                next();
            });
        });
    }

    void join();
    void run(const wire::command& cmd, std::function<void()> done);
    void sign_in_moderator(const wire::command& cmd);
    void moderate(const wire::command& cmd, std::function<void()> done);
};

viewer::viewer(std::shared_ptr<room_context> ctx, std::string room, std::string viewer_id)
    : conn_(std::make_shared<conn>(std::move(ctx), std::move(room), std::move(viewer_id))),
      gate_(conn_->ctx->cfg.limits.commands_per_second,
            2.0 * conn_->ctx->cfg.limits.commands_per_second,
            clock::now())
{
    ++conn_->ctx->room_load[conn_->room];
}

viewer::~viewer()
{
    release_load();
}

void viewer::release_load()
{
    if (!counted_) return;
    counted_ = false;
    auto& load = conn_->ctx->room_load;
    auto it = load.find(conn_->room);
    if (it != load.end() && --it->second == 0) load.erase(it);
}

void viewer::on_open(net::ws_session& session)
{
    auto& c = *conn_;
    auto& ctx = *c.ctx;
    c.session = session.weak_from_this();
    if (!ctx.has_room(c.room)) {
        c.refuse_join("unknown_room", "No such room", close_unknown_room);
        return;
    }
    if (ctx.room_load[c.room] > ctx.cfg.limits.max_connections_per_room) {
        c.refuse_join("room_full", "The room is full", close_room_full);
        return;
    }
    c.id = ctx.next_conn++;
    c.join();
}

void viewer::conn::join()
{
    push([self = shared_from_this()](std::function<void()> done) {
        self->ctx->store->join(
            self->id, self->room, clock::now(), [self, done](std::optional<refusal> refused) {
                if (refused) {
                    self->id = 0;
                    self->refuse_join(
                        to_string(*refused),
                        wire::refusal_message(*refused, 0),
                        *refused == refusal::room_full ? close_room_full : close_unknown_room);
                } else if (!self->closed) {
                    // Deltas up to now go to the others; this connection
                    // starts from the snapshot, which includes them.
                    self->ctx->process_outputs();
                    self->send(self->ctx->snapshot_frame(self->room, self->id, self->viewer_key()));
                    self->ctx->members.add(self->room, self->id, self->session, self->viewer_key());
                    self->member = true;
                }
                done();
            });
    });
}

void viewer::on_message(net::ws_session& session, std::string_view text)
{
    auto& c = *conn_;
    auto& ctx = *c.ctx;
    ++ctx.counters.messages_in;
    if (c.id == 0 || closing_) return;  // refused at join, or closed for its frames
    // The frame pays before it is read (frame_gate.hpp).
    if (gate_.admit(clock::now()) == frame_gate::verdict::close) {
        close_for_policy(session);
        return;
    }
    auto parsed = wire::parse_command(text);
    auto* bad = std::get_if<wire::bad_frame>(&parsed);
    const auto verdict = gate_.judge(bad != nullptr);
    if (verdict == frame_gate::verdict::close) {
        ++ctx.counters.rejections[bad->code];
        close_for_policy(session);
        return;
    }
    if (bad) {
        ++ctx.counters.rejections[bad->code];
        auto frame = bad->id ? wire::reply_error(*bad->id, bad->code, bad->message)
                             : wire::error_frame(bad->code, bad->message);
        c.push([self = conn_, frame = std::move(frame)](std::function<void()> done) {
            self->send(frame);
            done();
        });
        return;
    }
    auto cmd = std::get<wire::command>(std::move(parsed));
    if (verdict == frame_gate::verdict::over_rate || c.queue.waiting() >= max_queued_commands) {
        ++ctx.counters.rejections["rate_limited"];
        c.push([self = conn_, id = cmd.id](std::function<void()> done) {
            self->send(wire::reply_error(id, "rate_limited", "Too many commands; slow down"));
            done();
        });
        return;
    }
    c.push([self = conn_, cmd = std::move(cmd)](std::function<void()> done) {
        self->run(cmd, std::move(done));
    });
}

void viewer::close_for_policy(net::ws_session& session)
{
    closing_ = true;
    ++conn_->ctx->counters.rejections["policy_violation"];
    log::info("closed conn " + std::to_string(conn_->id) + " in room " + conn_->room +
              " with 1008: bad frames beyond its rate");
    session.close(close_policy_violation, "bad frames beyond the rate");
}

void viewer::conn::run(const wire::command& cmd, std::function<void()> done)
{
    const auto at = clock::now();
    auto self = shared_from_this();
    switch (cmd.kind) {
        case wire::command_kind::ping: {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch());
            send(wire::reply_ok(cmd.id, {{"time", ms.count()}}));
            done();
            return;
        }
        case wire::command_kind::claim:
        case wire::command_kind::resume: {
            auto answer = [self, cmd, at, done](result<claim_granted> r) {
                if (auto* granted = std::get_if<claim_granted>(&r)) {
                    ++self->ctx->counters.claims;
                    self->send(wire::reply_ok(
                        cmd.id, wire::grant_fields(*granted, at, self->ctx->templates_or_null())));
                } else {
                    self->refuse(cmd, std::get<refusal>(r));
                }
                done();
            };
            if (cmd.kind == wire::command_kind::claim) {
                ctx->store->claim(id, cmd.seat, at, std::move(answer));
            } else {
                ctx->store->resume(id, cmd.seat, cmd.token, at, std::move(answer));
            }
            return;
        }
        case wire::command_kind::release:
            ctx->store->release(id, cmd.seat, at, [self, cmd, done](std::optional<refusal> r) {
                if (r) {
                    self->refuse(cmd, *r);
                } else {
                    ++self->ctx->counters.releases;
                    self->send(wire::reply_ok(cmd.id));
                }
                done();
            });
            return;
        case wire::command_kind::moderate:
            sign_in_moderator(cmd);
            done();
            return;
        case wire::command_kind::end_seat:
        case wire::command_kind::lock:
        case wire::command_kind::unlock:
            if (!moderator.signed_in()) {
                ++ctx->counters.rejections["not_moderator"];
                send(wire::reply_error(cmd.id,
                                       "not_moderator",
                                       "Only the moderator may do this; send moderate first"));
                done();
                return;
            }
            moderate(cmd, std::move(done));
            return;
    }
    done();
}

// Every attempt is logged with the connection and room, never with the
// secret.
void viewer::conn::sign_in_moderator(const wire::command& cmd)
{
    const std::string who = "conn " + std::to_string(id) + " in room " + room;
    auto refuse_with = [&](const std::string& code, std::string_view message) {
        ++ctx->counters.rejections[code];
        send(wire::reply_error(cmd.id, code, message));
    };
    switch (moderator.attempt(ctx->cfg.moderator_secret, cmd.secret)) {
        case moderator_sign_in::outcome::disabled:
            refuse_with("moderation_disabled", "This server has no moderator");
            return;
        case moderator_sign_in::outcome::rate_limited:
            refuse_with("rate_limited",
                        "Too many wrong moderator secrets; reload the page to try again");
            return;
        case moderator_sign_in::outcome::bad_secret:
            log::warn("moderator: wrong secret from " + who);
            refuse_with("bad_secret", "That is not the moderator secret");
            return;
        case moderator_sign_in::outcome::signed_in:
            log::info("moderator: " + who + " signed in");
            send(wire::reply_ok(cmd.id, {{"moderator", true}}));
            return;
    }
}

void viewer::conn::moderate(const wire::command& cmd, std::function<void()> done)
{
    const auto at = clock::now();
    const bool ending = cmd.kind == wire::command_kind::end_seat;
    const bool lock = cmd.kind == wire::command_kind::lock;
    auto answer = [self = shared_from_this(), cmd, ending, lock, done](std::optional<refusal> r) {
        if (r) {
            self->refuse(cmd, *r);
        } else {
            const std::string seat =
                cmd.all_seats ? "all seats" : "seat " + std::to_string(cmd.seat);
            const char* what = ending ? "ended" : lock ? "locked" : "unlocked";
            log::info("moderator: conn " + std::to_string(self->id) + " " + what + " " + seat +
                      " in room " + self->room);
            self->send(wire::reply_ok(cmd.id));
        }
        done();
    };
    if (ending) {
        ctx->store->moderator_end(room, cmd.seat, at, std::move(answer));
    } else {
        ctx->store->set_locked(room,
                               cmd.all_seats ? std::nullopt : std::optional<unsigned>(cmd.seat),
                               lock,
                               at,
                               std::move(answer));
    }
}

void viewer::on_close(net::ws_session&, net::ws_end why)
{
    auto& c = *conn_;
    auto& ctx = *c.ctx;
    c.closed = true;
    if (why == net::ws_end::message_too_big) ++ctx.counters.rejections["too_large"];
    if (why == net::ws_end::dropped && c.member) {
        log::info("dropped a slow viewer (conn " + std::to_string(c.id) + ")");
    }
    if (c.member) {
        ctx.members.remove(c.room, c.id);
        c.member = false;
    }
    release_load();
    if (c.id == 0) return;  // never joined (or refused)
    // After whatever is still on its way (a claim answered later must not
    // outlive the connection as a hold without a grace period).
    c.push([self = conn_](std::function<void()> done) {
        if (self->id == 0) return done();  // the join was refused meanwhile
        const auto id = self->id;
        self->id = 0;
        self->ctx->store->leave(id, clock::now(), [done] { done(); });
    });
}

}  // namespace ovs::room
