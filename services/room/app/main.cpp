// ovenspace-room: rooms, seats and viewers (HTTP + WebSocket). The command
// line is every service's (ovs/app/command_line.hpp). It serves until
// SIGTERM or SIGINT, then closes every WebSocket with 1001 and exits 0
// (forced after room.shutdown_timeout_ms).

#include <ovs/app/command_line.hpp>
#include <ovs/app/service_main.hpp>
#include <ovs/log/log.hpp>
#include <ovs/redis/redis_url.hpp>
#include <ovs/room/gateway_links.hpp>
#include <ovs/room/memory_store.hpp>
#include <ovs/room/redis_store.hpp>
#include <ovs/room/room_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace {

// The seat store: this process's memory, or Redis shared with the other
// replicas (docs/store.md).
struct seat_store {
    std::shared_ptr<ovs::room::room_store> store;
    std::shared_ptr<ovs::room::redis_store> redis;  // set with store: redis
};

// Nothing (and a logged reason) when the Redis URL does not parse.
std::optional<seat_store> make_store(ovs::asio::io_context& io, const ovs::config::config& cfg)
{
    using namespace ovs;
    if (cfg.store.kind == config::store_kind::memory) {
        return seat_store{std::make_shared<room::memory_store>(
                              cfg.rooms, room::settings_from(cfg), room::random_tokens()),
                          nullptr};
    }
    auto parsed = redis::parse_url(cfg.store.redis.url);
    if (const auto* bad = std::get_if<redis::url_error>(&parsed)) {
        // The message never holds the password.
        log::error(cfg.source + ": redis.url: " + bad->message);
        return std::nullopt;
    }
    const auto& r = cfg.store.redis;
    room::redis_store_options o;
    o.redis.server = std::get<redis::server_address>(parsed);
    o.redis.connect_timeout = r.connect_timeout;
    o.redis.request_timeout = r.request_timeout;
    o.redis.reconnect_min = r.reconnect_min;
    o.redis.reconnect_max = r.reconnect_max;
    o.key_prefix = r.key_prefix;
    o.heartbeat = r.heartbeat;
    o.maintain_interval = r.maintain;
    o.log_cap = r.log_events;
    o.log = [](std::string_view line) { log::info(std::string("store: ").append(line)); };
    auto store = room::redis_store::create(
        io.get_executor(), cfg.rooms, room::settings_from(cfg), room::random_tokens(), o);
    log::info("seat store: redis at " + redis::redacted(o.redis.server) + ", this replica is " +
              store->replica_id());
    return seat_store{store, store};
}

int run(const ovs::config::config& cfg)
{
    using namespace ovs;
    asio::io_context io(1);
    auto seats = make_store(io, cfg);
    if (!seats) return app::exit_usage;
    if (seats->redis) seats->redis->start();
    room::room_server server(io, cfg, seats->store);
    server.start();
    auto ep = server.local_endpoint();
    log::info("listening on " + ep.address().to_string() + ":" + std::to_string(ep.port()) + ", " +
              std::to_string(cfg.rooms.size()) + " room(s), web root " + cfg.room.web_root);
    auto mep = server.metrics_endpoint();
    log::info("metrics on " + mep.address().to_string() + ":" + std::to_string(mep.port()) +
              " (room.metrics)");

    // The link to every gateway (reconnects until stopped); /readyz says
    // whether one is up but stays 200 without (no readiness cycle).
    room::gateway_links gateway(io.get_executor(), server, cfg, [](std::string_view line) {
        log::info(std::string("gateway link: ").append(line));
    });
    // The links start once the store has loaded the rooms (at once for the
    // embedded store): a gateway's greeting carries its streams snapshot,
    // which a store that cannot record it yet would drop, and nothing would
    // repeat it.
    asio::steady_timer store_wait(io);
    std::function<void()> start_links = [&] {
        if (seats->store->available()) {
            gateway.start();
            return;
        }
        store_wait.expires_after(std::chrono::milliseconds(50));
        store_wait.async_wait([&](const error_code& ec) {
            if (!ec) start_links();
        });
    };
    start_links();

    app::run_until_signal(
        io,
        [&](std::function<void()> done) {
            store_wait.cancel();
            gateway.stop();
            server.stop([&seats, done = std::move(done)] {
                // Last: the connections' departures (grace periods) reach
                // Redis first; then this replica's heartbeat key goes, so the
                // others treat what it still holds as departed at once.
                if (seats->redis) seats->redis->stop();
                done();
            });
        },
        cfg.room.shutdown_timeout);
    log::info("stopped");
    return app::exit_ok;
}

}  // namespace

int main(int argc, char** argv)
{
    return ovs::app::service_main("room",
                                  "ovenspace-room: the rooms, seats and viewers of OvenSpace",
                                  argc,
                                  argv,
                                  ovs::config::secrets_for::room,
                                  run);
}
