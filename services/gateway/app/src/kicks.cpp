// Kicks: the room asks the gateway to end a seat's stream in OME. Each kick
// is an obligation (kick_obligations, gateway core) kept until OME's stream
// list no longer shows the stream: the first DELETE answers the room ("done"
// or "owed"), failed ones are retried on a timer, and the poll loop's lists
// judge (poller.cpp calls judge_kicks). After a room links, the seat streams
// OME has that no seat holds are kicked too (what a restart lost).
#include "gateway_impl.hpp"
#include "ome_call.hpp"

#include <ovs/net/spawn.hpp>
#include <ovs/proto/handshake.hpp>

#include <set>

namespace ovs::gateway {

void gateway_service::impl::wake_kicks()
{
    kick_wake.cancel();
}

asio::awaitable<void> gateway_service::impl::handle_kick(std::shared_ptr<impl> self,
                                                         proto::kick kick,
                                                         link::responder responder)
{
    if (self->seat_streams.count(kick.stream) == 0) {
        // The room only ever kicks its seats' streams; anything else (another
        // app's stream on a shared OME, a name made up by a buggy or hostile
        // peer) is not ours to end. Nothing is sent to OME.
        self->metrics.kick_refused();
        self->log("kick refused: '" + proto::printable_excerpt(kick.stream) +
                  "' is not a configured seat's stream");
        responder.fail("not_a_seat", "only the configured rooms' seat streams can be kicked");
        co_return;
    }
    self->log("kick " + kick.stream + ": " + proto::printable_excerpt(kick.reason, 200));
    const bool send_now = self->streams.kicks().owe(kick.stream, kick.reason, steady_clock::now());
    self->update_gauges();
    if (send_now) co_await delete_stream(self, kick.stream);
    if (self->stopped) {
        responder.fail("unavailable", "gateway shutting down");
        co_return;
    }
    // Done: OME answered the DELETE (or a new publisher owns the name now).
    // Owed: it failed, or another DELETE of it is still under way; the
    // gateway keeps at it either way, so this is no error for the room.
    const auto* owed = self->streams.kicks().find(kick.stream);
    const bool done = owed == nullptr || owed->state == kick_obligations::phase::deleted;
    responder.reply(proto::kick_result{done ? "done" : "owed"});
}

asio::awaitable<void> gateway_service::impl::delete_stream(std::shared_ptr<impl> self,
                                                           std::string stream)
{
    const std::string path = stream_path(self->cfg.ome.vhost, self->cfg.ome.app, stream);
    // The publishers this kick is about: a publisher admitted while the
    // DELETE is under way (a new holder of the seat) is not.
    const std::vector<connection_key> kicked = self->streams.publishers(stream);
    auto r =
        co_await call(self->ome, self->metrics, "delete", http_method::del, path, parse_delete);
    if (self->stopped) co_return;
    const bool gone = r.ok() || r.error().kind == ome_error_kind::stream_not_found;
    const auto outcome = self->streams.delete_answered(
        stream, kicked, gone, gone ? "" : r.error().message, steady_clock::now());
    self->update_gauges();
    self->wake_kicks();
    if (!gone) {
        const auto* owed = self->streams.kicks().find(stream);
        self->log("kick " + stream + ": DELETE failed (" + r.error().message + "); owed" +
                      (owed ? ", try " + std::to_string(owed->failures + 1) + " follows" : ""),
                  log::level::warn);
        co_return;
    }
    if (outcome.held_by_newer) {
        self->log("kick " + stream + ": done; a publisher admitted since holds the stream");
    }
    self->tell_down(outcome.down, "kicked");
    // The next list confirms the end (or finds the stream still there).
    self->wake_poller();
}

asio::awaitable<void> gateway_service::impl::kick_loop(std::shared_ptr<impl> self)
{
    while (!self->stopped) {
        for (auto& stream : self->streams.kicks().take_due(steady_clock::now())) {
            self->metrics.kick_retried();
            std::string what = "gateway kick retry of " + stream;
            net::spawn(self->executor, delete_stream(self, std::move(stream)), std::move(what));
        }
        const auto next = self->streams.kicks().next_due();
        // Nothing owed: sleep until a kick or a DELETE's answer wakes us.
        if (next) {
            self->kick_wake.expires_at(*next);
        } else {
            self->kick_wake.expires_after(std::chrono::hours(1));
        }
        co_await self->kick_wake.async_wait(use_nothrow);
    }
}

void gateway_service::impl::kicks_confirmed(const std::vector<std::string>& confirmed)
{
    for (const auto& stream : confirmed) {
        metrics.kick_confirmed();
        log("kick " + stream + ": confirmed, OME no longer lists it");
    }
    update_gauges();
    wake_kicks();
}

void gateway_service::impl::maybe_sweep_orphans()
{
    if (!holds_wanted || holds_asking || stopped || !view_complete) return;
    if (!links || !links->connected()) return;
    holds_asking = true;
    net::spawn(executor, sweep_orphans(shared_from_this()), "gateway seat holds sweep");
}

asio::awaitable<void> gateway_service::impl::sweep_orphans(std::shared_ptr<impl> self)
{
    const auto asked_at = steady_clock::now();
    const proto::request req = proto::seat_holds{};
    const proto::reply reply = co_await self->links->request(req, self->cfg.link.request_timeout);
    self->holds_asking = false;
    if (self->stopped) co_return;
    if (const auto* err = reply.error()) {
        if (err->code == "unsupported" || err->code == "unknown_request") {
            // A room that cannot say: nothing is swept on this link (the
            // kicks it resends still are kept).
            self->holds_wanted = false;
            self->log("the room service does not report its seat holds (" + err->code +
                      "); seat streams left behind by a restart are not ended");
        }
        // not_ready (the room is still recovering its holds), timeout,
        // closed: asked again after the next poll (or on the next link).
        co_return;
    }
    const auto* held = std::get_if<proto::held_streams>(&reply.body);
    self->holds_wanted = false;
    if (held == nullptr) {
        self->log("seat_holds: the room's answer carries no holds; nothing swept",
                  log::level::warn);
        co_return;
    }
    const auto now = steady_clock::now();
    for (auto& stream : self->streams.orphans(self->seat_streams, held->streams, asked_at)) {
        self->log("kick " + stream + ": in OME, but no seat holds it (left by a restart)");
        if (!self->streams.kicks().owe(stream, "no seat holds it", now)) continue;
        std::string what = "gateway kick of " + stream;
        net::spawn(self->executor, delete_stream(self, std::move(stream)), std::move(what));
    }
    self->update_gauges();
}

}  // namespace ovs::gateway
