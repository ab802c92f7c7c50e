#include "viewer.hpp"

#include <ovs/log/log.hpp>

namespace ovs::room {

namespace {

// Close codes of proto/websocket.md.
constexpr std::uint16_t close_unknown_room = 4404;
constexpr std::uint16_t close_room_full = 4429;
constexpr std::uint16_t close_policy_violation = 1008;

}  // namespace

viewer::viewer(std::shared_ptr<room_context> ctx, std::string room, std::string viewer_id)
    : ctx_(std::move(ctx)),
      room_(std::move(room)),
      viewer_id_(std::move(viewer_id)),
      gate_(ctx_->cfg.limits.commands_per_second,
            2.0 * ctx_->cfg.limits.commands_per_second,
            clock::now())
{
    ++ctx_->room_load[room_];
}

std::string viewer::viewer_key() const
{
    return viewer_id_.empty() ? "conn-" + std::to_string(id_) : viewer_id_;
}

viewer::~viewer()
{
    release_load();
}

void viewer::release_load()
{
    if (!counted_) return;
    counted_ = false;
    auto it = ctx_->room_load.find(room_);
    if (it != ctx_->room_load.end() && --it->second == 0) ctx_->room_load.erase(it);
}

void viewer::send(net::ws_session& session, std::string text)
{
    if (session.send(net::make_frame(std::move(text))) == net::ws_session::send_result::queued) {
        ++ctx_->counters.messages_out;
    }
}

void viewer::refuse_join(net::ws_session& session,
                         std::string_view code,
                         std::string_view message,
                         std::uint16_t close_code)
{
    ++ctx_->counters.ws_refused[std::string(code)];
    send(session, wire::error_frame(code, message));
    session.close(close_code);
}

void viewer::on_open(net::ws_session& session)
{
    auto& ctx = *ctx_;
    if (!ctx.has_room(room_)) {
        refuse_join(session, "unknown_room", "No such room", close_unknown_room);
        return;
    }
    if (ctx.room_load[room_] > ctx.cfg.limits.max_connections_per_room) {
        refuse_join(session, "room_full", "The room is full", close_room_full);
        return;
    }
    auto now = clock::now();
    id_ = ctx.next_conn++;
    if (auto refused = ctx.model.join(id_, room_, now)) {
        id_ = 0;
        refuse_join(session,
                    to_string(*refused),
                    wire::refusal_message(*refused, 0),
                    *refused == refusal::room_full ? close_room_full : close_unknown_room);
        return;
    }
    // Deltas up to now go to the others; this connection starts from the
    // snapshot, which includes them.
    ctx.process_outputs();
    auto snap = ctx.model.snapshot(room_);
    send(session,
         wire::snapshot_frame(
             *snap, ctx.media, ctx.templates_or_null(), ctx.model.seat_of(id_), viewer_key()));
    ctx.members.add(room_, id_, session.weak_from_this(), viewer_key());
    member_ = true;
}

void viewer::on_message(net::ws_session& session, std::string_view text)
{
    auto& ctx = *ctx_;
    ++ctx.counters.messages_in;
    if (id_ == 0 || closing_) return;  // refused at join, or closed for its frames
    auto now = clock::now();
    // The frame pays before it is read (frame_gate.hpp).
    if (gate_.admit(now) == frame_gate::verdict::close) {
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
        send(session,
             bad->id ? wire::reply_error(*bad->id, bad->code, bad->message)
                     : wire::error_frame(bad->code, bad->message));
        return;
    }
    auto& cmd = std::get<wire::command>(parsed);
    if (verdict == frame_gate::verdict::over_rate) {
        ++ctx.counters.rejections["rate_limited"];
        send(session, wire::reply_error(cmd.id, "rate_limited", "Too many commands; slow down"));
        return;
    }
    auto refuse = [&](refusal r) {
        ++ctx.counters.rejections[to_string(r)];
        send(session, wire::reply_error(cmd.id, to_string(r), wire::refusal_message(r, cmd.seat)));
    };
    switch (cmd.kind) {
        case wire::command_kind::ping: {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch());
            send(session, wire::reply_ok(cmd.id, {{"time", ms.count()}}));
            return;
        }
        case wire::command_kind::claim:
        case wire::command_kind::resume: {
            auto result = cmd.kind == wire::command_kind::claim
                              ? ctx.model.claim(id_, cmd.seat, now)
                              : ctx.model.resume(id_, cmd.seat, cmd.token, now);
            if (auto* granted = std::get_if<claim_granted>(&result)) {
                ++ctx.counters.claims;
                send(session,
                     wire::reply_ok(cmd.id,
                                    wire::grant_fields(*granted, now, ctx.templates_or_null())));
            } else {
                refuse(std::get<refusal>(result));
            }
            break;
        }
        case wire::command_kind::release: {
            if (auto refused = ctx.model.release(id_, cmd.seat, now)) {
                refuse(*refused);
            } else {
                ++ctx.counters.releases;
                send(session, wire::reply_ok(cmd.id));
            }
            break;
        }
        case wire::command_kind::moderate:
            sign_in_moderator(session, cmd);
            return;
        case wire::command_kind::end_seat:
        case wire::command_kind::lock:
        case wire::command_kind::unlock:
            if (!moderator_.signed_in()) {
                ++ctx.counters.rejections["not_moderator"];
                send(session,
                     wire::reply_error(cmd.id,
                                       "not_moderator",
                                       "Only the moderator may do this; send moderate first"));
                return;
            }
            if (auto refused = moderate(cmd, now)) {
                refuse(*refused);
            } else {
                send(session, wire::reply_ok(cmd.id));
            }
            break;
    }
    ctx.process_outputs();
}

void viewer::close_for_policy(net::ws_session& session)
{
    closing_ = true;
    ++ctx_->counters.rejections["policy_violation"];
    log::info("closed conn " + std::to_string(id_) + " in room " + room_ +
              " with 1008: bad frames beyond its rate");
    session.close(close_policy_violation, "bad frames beyond the rate");
}

// Every attempt is logged with the connection and room, never with the
// secret.
void viewer::sign_in_moderator(net::ws_session& session, const wire::command& cmd)
{
    auto& ctx = *ctx_;
    const std::string who = "conn " + std::to_string(id_) + " in room " + room_;
    auto refuse = [&](const std::string& code, std::string_view message) {
        ++ctx.counters.rejections[code];
        send(session, wire::reply_error(cmd.id, code, message));
    };
    switch (moderator_.attempt(ctx.cfg.moderator_secret, cmd.secret)) {
        case moderator_sign_in::outcome::disabled:
            refuse("moderation_disabled", "This server has no moderator");
            return;
        case moderator_sign_in::outcome::rate_limited:
            refuse("rate_limited",
                   "Too many wrong moderator secrets; reload the page to try again");
            return;
        case moderator_sign_in::outcome::bad_secret:
            log::warn("moderator: wrong secret from " + who);
            refuse("bad_secret", "That is not the moderator secret");
            return;
        case moderator_sign_in::outcome::signed_in:
            log::info("moderator: " + who + " signed in");
            send(session, wire::reply_ok(cmd.id, {{"moderator", true}}));
            return;
    }
}

std::optional<refusal> viewer::moderate(const wire::command& cmd, time_point now)
{
    auto& ctx = *ctx_;
    std::optional<refusal> refused;
    const char* what = "";
    if (cmd.kind == wire::command_kind::end_seat) {
        refused = ctx.model.moderator_end(room_, cmd.seat, now);
        what = "ended";
    } else {
        const bool lock = cmd.kind == wire::command_kind::lock;
        refused = ctx.model.set_locked(
            room_, cmd.all_seats ? std::nullopt : std::optional<unsigned>(cmd.seat), lock, now);
        what = lock ? "locked" : "unlocked";
    }
    if (!refused) {
        const std::string seat = cmd.all_seats ? "all seats" : "seat " + std::to_string(cmd.seat);
        log::info("moderator: conn " + std::to_string(id_) + " " + what + " " + seat + " in room " +
                  room_);
    }
    return refused;
}

void viewer::on_close(net::ws_session&, net::ws_end why)
{
    auto& ctx = *ctx_;
    if (why == net::ws_end::message_too_big) ++ctx.counters.rejections["too_large"];
    if (why == net::ws_end::dropped && member_) {
        log::info("dropped a slow viewer (conn " + std::to_string(id_) + ")");
    }
    if (member_) {
        ctx.members.remove(room_, id_);
        member_ = false;
    }
    release_load();
    if (id_ != 0) {
        ctx.model.leave(id_, clock::now());
        id_ = 0;
        if (!ctx.stopping) ctx.process_outputs();
    }
}

}  // namespace ovs::room
