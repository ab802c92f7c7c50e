// The seat store settings: `store: memory | redis`, the `redis:` section,
// the URL from the file or OVENSPACE_REDIS_URL, and that the URL (which may
// hold a password) is never shown.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::fake_env;
using test::with_room;

TEST_CASE("the store is in memory unless the config says redis", "[unit]")
{
    auto cfg = load_string(with_room(test::minimal_secrets), "t", fake_env());
    CHECK(cfg.store.kind == store_kind::memory);
    CHECK(cfg.store.redis.key_prefix == "ovs");
    CHECK(cfg.store.redis.heartbeat == millis(1000));
    CHECK_THAT(describe(cfg), Contains("store: memory"));
}

TEST_CASE("store: redis with its section", "[unit]")
{
    auto cfg = load_string(
        with_room(std::string(test::minimal_secrets) + "store: redis\n"
                                                       "redis:\n"
                                                       "  url: redis://:pw-in-url@redis:6380/2\n"
                                                       "  key_prefix: space-a\n"
                                                       "  request_timeout_ms: 300\n"
                                                       "  heartbeat_ms: 500\n"
                                                       "  maintain_ms: 250\n"
                                                       "  log_events: 50\n"),
        "t",
        fake_env());
    CHECK(cfg.store.kind == store_kind::redis);
    CHECK(cfg.store.redis.url == "redis://:pw-in-url@redis:6380/2");
    CHECK(cfg.store.redis.key_prefix == "space-a");
    CHECK(cfg.store.redis.request_timeout == millis(300));
    CHECK(cfg.store.redis.heartbeat == millis(500));
    CHECK(cfg.store.redis.maintain == millis(250));
    CHECK(cfg.store.redis.log_events == 50);
    // The URL may carry a password: describe() says only that it is set.
    const auto text = describe(cfg);
    CHECK_THAT(text, Contains("store: redis\n"));
    CHECK_THAT(text, Contains("redis: url (set)"));
    CHECK(text.find("pw-in-url") == std::string::npos);
}

TEST_CASE("the Redis URL may come from the environment only", "[unit]")
{
    auto cfg = load_string(with_room(std::string(test::minimal_secrets) + "store: redis\n"),
                           "t",
                           fake_env({{"OVENSPACE_REDIS_URL", "redis://10.0.0.9:6379/0"}}));
    CHECK(cfg.store.redis.url == "redis://10.0.0.9:6379/0");
}

TEST_CASE("store: redis without a URL, or with one of another form, is refused", "[unit]")
{
    CHECK_THAT(error_of(with_room(std::string(test::minimal_secrets) + "store: redis\n")),
               Contains("redis.url") && Contains("OVENSPACE_REDIS_URL"));
    const auto bad =
        error_of(with_room(std::string(test::minimal_secrets) +
                           "store: redis\nredis:\n  url: http://user:secret-pw@host/\n"));
    CHECK_THAT(bad, Contains("redis.url") && Contains("redis://host"));
    CHECK(bad.find("secret-pw") == std::string::npos);  // never echoed
    CHECK_THAT(error_of(with_room(std::string(test::minimal_secrets) + "store: disk\n")),
               Contains("memory or redis"));
    CHECK_THAT(error_of(with_room(std::string(test::minimal_secrets) +
                                  "redis:\n  reconnect_min_ms: 500\n  reconnect_max_ms: 100\n")),
               Contains("redis.reconnect_max_ms"));
    CHECK_THAT(error_of(with_room(std::string(test::minimal_secrets) + "redis:\n  bogus: 1\n")),
               Contains("bogus"));
}

TEST_CASE("least privilege: only the room service reads the Redis URL", "[unit]")
{
    const auto yaml = with_room(std::string(test::minimal_secrets) +
                                "store: redis\nredis:\n  url: redis://:in-file@redis:6379/0\n");
    const auto env = fake_env({{"OVENSPACE_REDIS_URL", "redis://:from-env@redis:6379/0"}});
    auto room = load_string(yaml, "t", secrets_for::room, env);
    CHECK(room.store.redis.url == "redis://:from-env@redis:6379/0");
    // The gateway keeps the store's kind (it keeps every room replica's link
    // with store: redis) but neither the file's URL nor the environment's.
    auto gateway = load_string(yaml, "t", secrets_for::gateway, env);
    CHECK(gateway.store.kind == store_kind::redis);
    CHECK(gateway.store.redis.url.empty());
    // Nor does it require one.
    auto no_url = load_string(with_room(std::string(test::minimal_secrets) + "store: redis\n"),
                              "t",
                              secrets_for::gateway,
                              fake_env());
    CHECK(no_url.store.redis.url.empty());
}
