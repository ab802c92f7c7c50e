// deploy/ovenspace.yaml is the documented default config: every key in it must
// load, and every value must equal the struct default in config.hpp.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;

namespace {

const std::string shipped_path = std::string(OVS_SOURCE_DIR) + "/deploy/ovenspace.yaml";

void check_endpoint(const endpoint& got, const endpoint& want)
{
    CHECK(got.address == want.address);
    CHECK(got.port == want.port);
}

void check_tls_port(const tls_port& got, const tls_port& want)
{
    CHECK(got.tls == want.tls);
    CHECK(got.port == want.port);
}

}  // namespace

TEST_CASE("the shipped config loads and equals the struct defaults", "[unit]")
{
    const config cfg = load_file(shipped_path, test::fake_env());
    const config def;

    CHECK(cfg.source == shipped_path);
    CHECK(cfg.mode == def.mode);

    SECTION("ome")
    {
        CHECK(cfg.ome.host == def.ome.host);
        CHECK(cfg.ome.api.host == def.ome.api.host);
        CHECK(cfg.ome.api.tls == def.ome.api.tls);
        CHECK(cfg.ome.api.port == def.ome.api.port);
        CHECK(cfg.ome.api.ca_file == def.ome.api.ca_file);
        CHECK(cfg.ome.api.timeout == def.ome.api.timeout);
        CHECK(cfg.ome.vhost == def.ome.vhost);
        CHECK(cfg.ome.app == def.ome.app);
        CHECK(cfg.ome.version == def.ome.version);
        CHECK(cfg.ome.rtmp_port == def.ome.rtmp_port);
        CHECK(cfg.ome.srt_port == def.ome.srt_port);
        check_tls_port(cfg.ome.webrtc_provider, def.ome.webrtc_provider);
        check_tls_port(cfg.ome.webrtc_publisher, def.ome.webrtc_publisher);
        check_tls_port(cfg.ome.llhls, def.ome.llhls);
        // The secrets have no default; the file carries the placeholders of
        // OME's sample Server.xml so a local OME works out of the box.
        CHECK(cfg.ome.api.access_token == "ome-access-token");
        CHECK(cfg.ome.webhook_secret == "ome-webhook-secret");
    }

    SECTION("room service")
    {
        check_endpoint(cfg.room.listen, def.room.listen);
        check_endpoint(cfg.room.metrics, def.room.metrics);
        CHECK(cfg.room.metrics.address == "127.0.0.1");  // never public by default
        CHECK(cfg.room.web_root == def.room.web_root);
        CHECK(cfg.room.allowed_origins == def.room.allowed_origins);
        CHECK(cfg.room.frame_ancestors == def.room.frame_ancestors);
        check_endpoint(cfg.room.gateway, def.room.gateway);
        CHECK(cfg.room.lease == def.room.lease);
        CHECK(cfg.room.disconnect_grace == def.room.disconnect_grace);
        CHECK(cfg.room.presence_interval == def.room.presence_interval);
        CHECK(cfg.room.max_http_body_bytes == def.room.max_http_body_bytes);
        CHECK(cfg.room.shutdown_timeout == def.room.shutdown_timeout);
        CHECK(cfg.room.state_file == def.room.state_file);
        const auto& lim = cfg.room.limits;
        const auto& dlim = def.room.limits;
        CHECK(lim.max_message_bytes == dlim.max_message_bytes);
        CHECK(lim.commands_per_second == dlim.commands_per_second);
        CHECK(lim.max_connections_per_room == dlim.max_connections_per_room);
        CHECK(lim.max_connections_total == dlim.max_connections_total);
        CHECK(lim.send_queue_messages == dlim.send_queue_messages);
        CHECK(lim.max_http_connections == dlim.max_http_connections);
        CHECK(lim.handshake_timeout == dlim.handshake_timeout);
        CHECK(lim.idle_timeout == dlim.idle_timeout);
    }

    SECTION("gateway and link")
    {
        check_endpoint(cfg.gateway.http, def.gateway.http);
        check_endpoint(cfg.gateway.link, def.gateway.link);
        check_endpoint(cfg.gateway.metrics, def.gateway.metrics);
        CHECK(cfg.gateway.metrics.address == "127.0.0.1");
        CHECK(cfg.gateway.poll_interval == def.gateway.poll_interval);
        CHECK(cfg.gateway.poll_backoff_max == def.gateway.poll_backoff_max);
        CHECK(cfg.gateway.admission_timeout == def.gateway.admission_timeout);
        CHECK(cfg.gateway.max_webhook_body_bytes == def.gateway.max_webhook_body_bytes);
        CHECK(cfg.gateway.outputs_probe_interval == def.gateway.outputs_probe_interval);
        CHECK(cfg.gateway.outputs_timeout == def.gateway.outputs_timeout);
        // The link secret has no placeholder: run.sh makes a fresh one and
        // deployments provide theirs (here: the test environment's).
        CHECK(cfg.link.secret == test::test_link_secret);
        CHECK(cfg.link.handshake_timeout == def.link.handshake_timeout);
        CHECK(cfg.link.max_pending_handshakes == def.link.max_pending_handshakes);
        CHECK(cfg.gateway.max_http_connections == def.gateway.max_http_connections);
        CHECK(cfg.link.max_line_bytes == def.link.max_line_bytes);
        CHECK(cfg.link.request_timeout == def.link.request_timeout);
        CHECK(cfg.link.heartbeat_interval == def.link.heartbeat_interval);
        CHECK(cfg.link.heartbeat_timeout == def.link.heartbeat_timeout);
        CHECK(cfg.link.reconnect_min == def.link.reconnect_min);
        CHECK(cfg.link.reconnect_max == def.link.reconnect_max);
    }

    SECTION("rooms: one room with the room_def defaults")
    {
        const room_def def_room;
        REQUIRE(cfg.rooms.size() == 1);
        CHECK(cfg.rooms[0].id == "main");
        CHECK(cfg.rooms[0].title == "OvenSpace");
        CHECK(cfg.rooms[0].seats == def_room.seats);
        CHECK(cfg.rooms[0].stream_prefix == def_room.stream_prefix);
        CHECK(stream_name(cfg.rooms[0], 8) == "stream8");
    }
}

TEST_CASE("a document with only the required settings gets every default", "[unit]")
{
    const config cfg =
        load_string(test::with_room(test::minimal_secrets), "min.yaml", test::fake_env());
    const config def;
    CHECK(cfg.source == "min.yaml");
    CHECK(cfg.ome.host == def.ome.host);
    CHECK(cfg.ome.api.port == def.ome.api.port);
    CHECK(cfg.room.listen.port == def.room.listen.port);
    CHECK(cfg.room.limits.idle_timeout == def.room.limits.idle_timeout);
    CHECK(cfg.link.heartbeat_timeout == def.link.heartbeat_timeout);
    REQUIRE(cfg.rooms.size() == 1);
    CHECK(cfg.rooms[0].seats == room_def{}.seats);
    CHECK(cfg.rooms[0].title.empty());
}

TEST_CASE("values in the file replace the defaults, _ms keys become durations", "[unit]")
{
    const config cfg =
        load_string(std::string("mode: open\n") +
                        "room:\n"
                        "  listen: { address: 127.0.0.1, port: 0 }\n"
                        "  lease_ms: 45000\n"
                        "  allowed_origins: [\"https://space.example.com\", \"*\"]\n"
                        "  limits: { idle_timeout_ms: 90000, commands_per_second: 5 }\n"
                        "link: { heartbeat_interval_ms: 500, heartbeat_timeout_ms: 1500 }\n"
                        "ome:\n"
                        "  api: { access_token: t, timeout_ms: 750, tls: true }\n"
                        "  webhook_secret: s\n"
                        "  llhls: { tls: true, port: 3334 }\n"
                        "rooms:\n"
                        "  - { id: a, seats: 4, stream_prefix: cam, title: Studio A }\n"
                        "  - { id: b-2, seats: 64 }\n",
                    "set.yaml",
                    test::fake_env());
    CHECK(cfg.mode == admission_mode::open);
    CHECK(cfg.room.listen.address == "127.0.0.1");
    CHECK(cfg.room.listen.port == 0);
    CHECK(cfg.room.lease == millis{45000});
    CHECK(cfg.room.allowed_origins == std::vector<std::string>{"https://space.example.com", "*"});
    CHECK(cfg.room.limits.idle_timeout == millis{90000});
    CHECK(cfg.room.limits.commands_per_second == 5);
    CHECK(cfg.link.heartbeat_interval == millis{500});
    CHECK(cfg.link.heartbeat_timeout == millis{1500});
    CHECK(cfg.ome.api.timeout == millis{750});
    CHECK(cfg.ome.api.tls);
    CHECK(cfg.ome.llhls.tls);
    CHECK(cfg.ome.llhls.port == 3334);
    REQUIRE(cfg.rooms.size() == 2);
    CHECK(cfg.rooms[0].title == "Studio A");
    CHECK(stream_name(cfg.rooms[0], 3) == "cam3");
    CHECK(cfg.rooms[1].seats == 64);
}
