// The stand-in's REST API on libs/net. A request is logged, may hang (mode
// hang) or wait (set_api_delay), is answered 500 in mode error, else gets OME's answer from the
// pure REST routing, with OME's headers in OME's order. Mode down closes the listener and every
// connection; the listener comes back on the same port.
#include "ome_time.hpp"
#include "rest_api.hpp"
#include "standin_impl.hpp"

#include <ovs/net/spawn.hpp>

namespace ovs::ome_standin {

namespace {

api_log_entry* find_log(impl_ptr const& self, std::uint64_t seq)
{
    for (auto it = self->api_log.rbegin(); it != self->api_log.rend(); ++it) {
        if (it->seq == seq) return &it->entry;
    }
    return nullptr;
}

net::reply to_reply(api_response const& response, wall_clock::time_point now)
{
    net::string_response res{static_cast<http::status>(response.status), 11};
    res.reason(reason_phrase(response.status));
    for (auto const& [name, value] : api_response_headers(response, now)) {
        res.insert(name, value);
    }
    res.body() = response.body;
    return res;
}

net::reply gone()
{
    // The connection is closed already (mode down, or stopped): nobody reads this.
    return net::error_response(http::status::service_unavailable, "down", "API down");
}

class api_service final : public net::http_service {
public:
    explicit api_service(std::weak_ptr<ome_standin::impl> standin) : standin_(std::move(standin)) {}

    asio::awaitable<net::reply> handle(net::request req, net::peer_info) override
    {
        return answer(standin_.lock(), std::move(req));
    }

private:
    static asio::awaitable<net::reply> answer(impl_ptr self, net::request req);
    std::weak_ptr<ome_standin::impl> standin_;
};

asio::awaitable<net::reply> api_service::answer(impl_ptr self, net::request req)
{
    if (!self) co_return gone();
    std::uint64_t const seq = ++self->api_seq;
    self->api_log.push_back({seq,
                             {std::string(req.method_string()),
                              std::string(req.target()),
                              false,
                              0,
                              ome_iso8601(wall_clock::now())}});

    while (self->mode == api_mode::hang && !self->stopped) {
        co_await self->hang_release.async_wait(use_nothrow);
    }
    if (self->delay.count() > 0 && !self->stopped) {
        asio::steady_timer timer(self->ex, self->delay);
        co_await timer.async_wait(use_nothrow);
    }
    if (self->stopped || self->mode == api_mode::down) co_return gone();
    if (self->mode == api_mode::error) {
        if (auto* entry = find_log(self, seq)) entry->status = 500;
        co_return to_reply(internal_error_response(), wall_clock::now());
    }

    api_request request{std::string(req.method_string()), std::string(req.target()), std::nullopt};
    if (auto const it = req.find(http::field::authorization); it != req.end()) {
        request.authorization = std::string(it->value());
    }
    api_outcome outcome = handle_api_request(request, self->state, self->cfg, wall_clock::now());
    if (auto* entry = find_log(self, seq)) {
        entry->auth_ok = outcome.auth_ok;
        entry->status = outcome.response.status;
    }
    if (outcome.deleted) {
        // Case h: the first RTMP closing goes out from the API thread
        // before the DELETE is answered...
        cancel_lifetime(self, outcome.deleted->id);
        co_await send_publisher_closing(self, *outcome.deleted);
        if (outcome.deleted->protocol == ingest_protocol::rtmp &&
            self->provider_hooks(ingest_protocol::rtmp) && !self->stopped) {
            // ...and the RTMP thread sends a second one ~30 ms after it.
            auto timer = std::make_shared<asio::steady_timer>(
                self->ex, self->cfg.rtmp_delete_second_closing_delay);
            self->other_timers.push_back(timer);
            net::spawn(self->ex,
                       delayed_closing(self, *outcome.deleted, timer),
                       "ome-standin second RTMP closing");
        }
    }
    co_return to_reply(outcome.response, wall_clock::now());
}

}  // namespace

void ome_standin::impl::open_api()
{
    net::server_options o;
    o.service = "ome-standin api";
    o.server_header = "OvenMediaEngine";
    o.address = cfg.api_address;
    o.port = api_port;
    o.max_body_bytes = max_body_bytes;
    o.request_timeout = std::chrono::seconds(30);
    o.write_timeout = std::chrono::seconds(10);
    o.announce_close = false;    // OME closes without a Connection: close
    o.security_headers = false;  // nor does it send these
    o.ws.max_sessions = 0;
    api = std::make_unique<net::server>(ex, o, std::make_shared<api_service>(weak_from_this()));
    api->start();
    api_port = api->local_endpoint().port();
}

void ome_standin::impl::close_api()
{
    if (!api) return;
    api->close_all();
    api.reset();
}

}  // namespace ovs::ome_standin
