// OME edges (ome.edges): every poll interval each edge's playback port is
// asked for "/"; any HTTP answer (OME answers 404 there) means it serves.
// When an edge enters or leaves rotation (edge_rotation), the room gets new
// endpoints, so viewers of an edge that stopped answering move to the others.
#include "gateway_impl.hpp"

namespace ovs::gateway {

asio::awaitable<void> gateway_service::impl::edge_loop(std::shared_ptr<impl> self)
{
    while (!self->stopped) {
        try {
            co_await probe_edges(self);
        } catch (const std::exception& e) {
            self->log(std::string("edge probe failed unexpectedly: ") + e.what());
        }
        if (self->stopped) break;
        self->edge_wake.expires_after(self->cfg.gateway.poll_interval);
        co_await self->edge_wake.async_wait(use_nothrow);
    }
}

asio::awaitable<void> gateway_service::impl::probe_edges(std::shared_ptr<impl> self)
{
    bool changed = false;
    // One after the other: each probe is bounded by ome.api.timeout_ms, and
    // edges are few.
    for (std::size_t i = 0; i < self->edge_clients.size(); ++i) {
        const auto& edge = self->cfg.ome.edges[i];
        const http_result r = co_await self->edge_clients[i]->request(http_method::get, "/");
        if (self->stopped) co_return;
        if (self->edges.record(edge.name, r.ok())) {
            changed = true;
            self->log("edge " + edge.name +
                      (r.ok() ? " answers: in rotation"
                              : " does not answer (" + r.transport_error + "): out of rotation"));
        }
    }
    if (changed && self->links) self->links->send(self->endpoints());
}

}  // namespace ovs::gateway
