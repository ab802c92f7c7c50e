#pragma once
// The gateway against an in-process OME stand-in (tests/ome_standin), with a
// fake room on a real link: the fixture of the poller and kick tests.
#include "test_support.hpp"

#include <ovs/gateway/gateway_service.hpp>
#include <ovs/ome_standin/ome_standin.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

namespace ovs::gateway::test {

struct standin_fixture {
    asio::io_context ioc;
    std::unique_ptr<ome_standin::ome_standin> ome;
    config::config cfg;
    std::unique_ptr<gateway_service> gateway;
    std::unique_ptr<fake_room> room;

    explicit standin_fixture(bool webhooks, const std::function<void(config::config&)>& adjust = {})
    {
        cfg = make_config(0);
        if (adjust) adjust(cfg);
        // The gateway needs the stand-in's API port, the stand-in the
        // gateway's webhook port: the stand-in starts first, and learns the
        // port the gateway bound (never a guessed one another test may take).
        ome_standin::standin_config sc;
        if (webhooks) sc.webhook_secret = cfg.ome.webhook_secret;
        ome = std::make_unique<ome_standin::ome_standin>(ioc.get_executor(), sc);
        ome->start();
        cfg.ome.api.port = ome->api_port();
        gateway =
            std::make_unique<gateway_service>(ioc.get_executor(), cfg, [](std::string_view) {});
        gateway->start();
        if (webhooks) {
            ome->set_webhook_url("http://127.0.0.1:" + std::to_string(gateway->http_port()) +
                                 "/v1/admission");
        }
        room = std::make_unique<fake_room>(ioc, gateway->link_port());
        REQUIRE(run_until(ioc, [&] { return room->connected && gateway->ome_reachable(); }));
    }
    ~standin_fixture()
    {
        room.reset();
        gateway->stop();
        ome->stop();
    }

    std::size_t api_calls(const std::string& method, const std::string& target) const
    {
        const auto log = ome->api_log();
        return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), [&](const auto& e) {
            return e.method == method && e.target == target;
        }));
    }

    template <class E>
    bool has_event(const std::string& stream) const
    {
        for (const auto& e : room->events_of<E>()) {
            if (e.stream.name == stream) return true;
        }
        return false;
    }
};

inline ome_standin::publish_request rtmp_publish(const std::string& stream,
                                                 const std::string& query = {})
{
    ome_standin::publish_request r;
    r.protocol = ome_standin::ingest_protocol::rtmp;
    r.stream = stream;
    r.query = query;
    return r;
}

inline asio::awaitable<proto::reply> kick_stream(link::link_client* client, std::string stream)
{
    proto::request req = proto::kick{0, stream, "test kick"};
    co_return co_await client->request(req, std::chrono::milliseconds(2000));
}

}  // namespace ovs::gateway::test
