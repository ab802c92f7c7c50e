// The outputs loop: for every stream OME has but cannot play yet, ask OME
// for the stream's details every gateway.outputs_probe_interval_ms until an
// output playlist shows up (the stream turns "ready" for the room), or call
// it "failed" after gateway.outputs_timeout_ms. The decisions are the pure
// outputs_watch's; this file only waits, fetches and reports. One GET of
// one stream's details at a time: while nothing is starting it sleeps.
#include "gateway_impl.hpp"

#include <exception>

namespace ovs::gateway {

void gateway_service::impl::set_outputs(const std::string& stream, proto::outputs_state state)
{
    auto changed = streams.set_outputs(stream, state);
    if (!changed) return;
    report_outputs(stream, state);
    if (links) links->send(proto::stream_up{std::move(*changed)});
}

void gateway_service::impl::report_outputs(const std::string& stream, proto::outputs_state state)
{
    const auto wait = streams.outputs_reported(stream, steady_clock::now());
    if (!wait) return;
    const double waited = wait->seconds;
    // Once per stream: a re-check after an OME outage is no new wait.
    const bool first = wait->first;
    if (state == proto::outputs_state::ready) {
        if (first) metrics.outputs_ready.observe(waited);
        log("stream " + stream + " playable (OME made its outputs) " +
            std::to_string(static_cast<long>(waited * 1000)) + " ms after it appeared");
    } else if (state == proto::outputs_state::failed) {
        if (first) ++metrics.outputs_failed;
        log("stream " + stream + ": OME has not made its outputs " +
            std::to_string(static_cast<long>(waited * 1000)) +
            " ms after it appeared; viewers are told it failed (OME's log says why, e.g. an "
            "encoder it lacks)");
    }
}

asio::awaitable<void> gateway_service::impl::outputs_loop(std::shared_ptr<impl> self)
{
    while (!self->stopped) {
        try {
            for (const auto& [stream, state] : self->outputs.expire(steady_clock::now())) {
                self->set_outputs(stream, state);
            }
            for (const auto& stream : self->outputs.due(steady_clock::now())) {
                const std::string path =
                    stream_path(self->cfg.ome.vhost, self->cfg.ome.app, stream);
                const http_result r = co_await self->ome.request(http_method::get, path);
                if (self->stopped) co_return;
                if (!r.ok()) {
                    self->metrics.ome_request("outputs", "unreachable");
                    self->outputs.probe_failed(stream, steady_clock::now());
                    continue;
                }
                auto details = parse_stream_details(r.status, r.body);
                self->metrics.ome_request(
                    "outputs", details.ok() ? "ok" : std::string(to_string(details.error().kind)));
                if (!details.ok()) {
                    self->outputs.probe_failed(stream, steady_clock::now());
                    continue;
                }
                if (auto changed = self->outputs.probed(
                        stream, details.value().outputs_ready(), steady_clock::now())) {
                    self->set_outputs(stream, *changed);
                }
            }
        } catch (const std::exception& e) {
            // An exception escaping the loop would end the watch for good.
            self->log(std::string("outputs watch failed unexpectedly: ") + e.what(),
                      log::level::error);
        }
        if (self->stopped) break;
        const auto next = self->outputs.next_deadline();
        // Nothing to watch: sleep until set_live() wakes us (cancel).
        self->outputs_wake.expires_at(next ? *next : steady_clock::now() + std::chrono::hours(1));
        co_await self->outputs_wake.async_wait(use_nothrow);
    }
}

}  // namespace ovs::gateway
