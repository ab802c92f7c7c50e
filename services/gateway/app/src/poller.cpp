// The OME side of the gateway: the poll loop (stream list, details of new
// streams, viewers per live stream, version after (re)connecting, backoff
// while OME is down). Each list also judges the kicks owed (kicks.cpp).
#include "gateway_impl.hpp"
#include "ome_call.hpp"

#include <ovs/gateway/redact.hpp>

#include <exception>
#include <set>

namespace ovs::gateway {

void gateway_service::impl::wake_poller()
{
    poll_soon = true;
    poll_wake.cancel();
}

asio::awaitable<void> gateway_service::impl::poll_loop(std::shared_ptr<impl> self)
{
    while (!self->stopped) {
        // The loop is detached: an exception escaping it would end polling
        // for good, silently, while /readyz still said ready. Log it and
        // poll again after the usual delay instead.
        try {
            co_await poll_once(self);
        } catch (const std::exception& e) {
            self->log(std::string("poll failed unexpectedly: ") + e.what(), log::level::error);
        }
        if (self->stopped) break;
        auto delay = self->policy.next_delay();
        if (self->poll_soon) {
            delay = std::min<std::chrono::milliseconds>(delay, std::chrono::milliseconds(50));
        }
        self->poll_soon = false;
        self->poll_wake.expires_after(delay);
        co_await self->poll_wake.async_wait(use_nothrow);
        // Cancelled = woken early (a kick) or stopping; both are handled above.
    }
}

asio::awaitable<void> gateway_service::impl::fetch_version(std::shared_ptr<impl> self)
{
    const std::string path = version_path();
    auto r =
        co_await call(self->ome, self->metrics, "version", http_method::get, path, parse_version);
    if (self->stopped) co_return;
    if (r.ok()) {
        const bool changed = !self->version || !(*self->version == r.value());
        self->version = r.value();
        self->version_known = true;
        self->log("OME version " + r.value().text +
                  (r.value().git.empty() ? "" : " (" + r.value().git + ")"));
        if (changed && self->links) self->links->send(self->endpoints());
    } else if (r.error().kind == ome_error_kind::no_route) {
        self->version_known = true;  // OME older than 0.16.5: fine, URLs use the config hint
        self->log("OME has no /v1/version (older than 0.16.5); using ome.version " +
                  self->cfg.ome.version);
    }
    // Other failures: tried again after the next successful poll.
}

asio::awaitable<void> gateway_service::impl::poll_once(std::shared_ptr<impl> self)
{
    const auto started = steady_clock::now();
    // Named arguments only: g++ 12 mishandles temporaries passed straight to
    // a coroutine inside co_await.
    const std::string path = streams_path(self->cfg.ome.vhost, self->cfg.ome.app);
    // Before the request: a kick answered after this instant is not judged by this list.
    const auto asked_at = steady_clock::now();
    auto list =
        co_await call(self->ome, self->metrics, "list", http_method::get, path, parse_stream_list);
    if (self->stopped) co_return;
    if (!list.ok()) {
        const std::string text = list.error().message;
        const bool changed = self->policy.on_failure(text);
        if (changed) {
            self->log("OME unreachable: " + redact_url(text) + "; retrying with backoff up to " +
                          std::to_string(self->cfg.gateway.poll_backoff_max.count()) + " ms",
                      log::level::warn);
            self->version_known = false;
            if (self->links) self->links->send(self->media_status());
        }
        self->update_gauges();
        co_return;
    }

    const bool recovering = self->ever_polled && !self->policy.status().reachable.value_or(false);
    const bool was_unreachable = self->policy.status().reachable == false;
    const bool reachability_changed = self->policy.on_success();
    self->ever_polled = true;
    if (recovering) {
        // OME may have restarted: its streams are new ones even where the
        // names repeat; learn their details again (stream_book::list_seen)
        // and resend the snapshot. Their outputs too: the details fetched
        // next say where each stands.
        self->log("OME reachable again; reconciling");
        self->outputs.clear();
    }
    if (!self->version_known) co_await fetch_version(self);
    if (self->stopped) co_return;

    const auto& names = list.value();
    auto seen = self->streams.list_seen(
        names, {asked_at, steady_clock::now(), was_unreachable, recovering});
    self->kicks_confirmed(seen.kicks_confirmed);
    for (auto& down : seen.downs) self->tell_down(std::move(down), "not in OME's stream list");
    for (const auto& stream : seen.detail_requests) {
        const std::string detail_path = stream_path(self->cfg.ome.vhost, self->cfg.ome.app, stream);
        auto details = co_await call(self->ome,
                                     self->metrics,
                                     "detail",
                                     http_method::get,
                                     detail_path,
                                     parse_stream_details);
        if (self->stopped) co_return;
        if (!self->streams.listed(stream)) continue;  // went away meanwhile (webhook)
        proto::stream_info info;
        std::optional<proto::outputs_state> outputs_changed;
        if (details.ok()) {
            info = to_stream_info(details.value());
            info.name = stream;
            // These details answer the outputs question too: a stream
            // already playable (found by this poll, e.g. after a restart)
            // goes to the room ready, never through "starting".
            const auto now = steady_clock::now();
            if (!self->outputs.state(stream)) self->outputs.appeared(stream, now);
            outputs_changed = self->outputs.probed(stream, details.value().outputs_ready(), now);
            self->streams.details_seen(std::move(details.value()));
        } else {
            // Still up: the list says so. Asked again with the next list;
            // the room keeps what it knows meanwhile (stream_book).
            self->log("details of " + stream + ": " + details.error().message, log::level::warn);
            if (!self->streams.details_failed(stream)) continue;
            info.name = stream;
            info.source = "unknown";
        }
        self->add_outputs(info);
        self->tell_up(self->streams.up(std::move(info), steady_clock::now(), false), "seen in OME");
        if (outputs_changed) self->report_outputs(stream, *outputs_changed);
    }

    co_await poll_viewers(self);
    if (self->stopped) co_return;
    // The room may be sent the streams from now on (see greet), once no
    // listed stream waits for its details: a view without it would take its
    // seat down (after a restart of this gateway, a live seat would blink).
    const bool first_whole_view = !self->view_complete && !self->streams.awaiting_details();
    if (first_whole_view) self->view_complete = true;
    self->maybe_sweep_orphans();

    if (reachability_changed) {
        self->log("OME reachable: " + std::to_string(names.size()) + " stream(s)");
        if (self->links) self->links->send(self->media_status());
    }
    if (self->links && self->view_complete && (reachability_changed || first_whole_view)) {
        self->links->send(self->snapshot());
    }
    self->metrics.poll_latency.observe(
        std::chrono::duration<double>(steady_clock::now() - started).count());
    self->update_gauges();
}

// One stats request per live stream per poll: the cost grows with the
// streams (at most one per seat), never with the viewers. The room hears of
// the counts only when one changed; a stream whose stats failed keeps its
// last count until the next poll.
asio::awaitable<void> gateway_service::impl::poll_viewers(std::shared_ptr<impl> self)
{
    std::map<std::string, std::uint64_t> counts;
    std::vector<std::string> names;
    for (const auto& [name, known] : self->streams.room_view()) names.push_back(name);
    for (const auto& stream : names) {
        const std::string path = stream_stats_path(self->cfg.ome.vhost, self->cfg.ome.app, stream);
        auto n = co_await call(
            self->ome, self->metrics, "stats", http_method::get, path, parse_stream_viewers);
        if (self->stopped) co_return;
        if (!self->streams.find(stream)) continue;  // went away meanwhile
        if (n.ok()) {
            counts[stream] = n.value();
        } else if (const auto it = self->viewers.find(stream); it != self->viewers.end()) {
            counts[stream] = it->second;
        }
    }
    if (counts == self->viewers) co_return;
    self->viewers = std::move(counts);
    if (self->links && !self->viewers.empty())
        self->links->send(proto::stream_viewers{self->viewers});
}

}  // namespace ovs::gateway
