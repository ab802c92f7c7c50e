// Environment overrides for the secrets, and the required-secret check that
// runs after them.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::fake_env;
using test::with_room;

TEST_CASE("environment values win over the file", "[unit]")
{
    auto cfg = load_string(with_room(test::minimal_secrets),
                           "t",
                           fake_env({{"OVENSPACE_OME_API_TOKEN", "from-env-token"},
                                     {"OVENSPACE_WEBHOOK_SECRET", "from-env-secret"}}));
    CHECK(cfg.ome.api.access_token == "from-env-token");
    CHECK(cfg.ome.webhook_secret == "from-env-secret");
}

TEST_CASE("without environment values the file's secrets stay", "[unit]")
{
    auto cfg = load_string(with_room(test::minimal_secrets), "t", fake_env());
    CHECK(cfg.ome.api.access_token == "tok-123");
    CHECK(cfg.ome.webhook_secret == "hook-456");
}

TEST_CASE("an empty environment variable does not erase the file's secret", "[unit]")
{
    auto cfg = load_string(
        with_room(test::minimal_secrets), "t", fake_env({{"OVENSPACE_OME_API_TOKEN", ""}}));
    CHECK(cfg.ome.api.access_token == "tok-123");
}

TEST_CASE("secrets may come from the environment only", "[unit]")
{
    auto cfg = load_string(
        with_room(""),
        "t",
        fake_env({{"OVENSPACE_OME_API_TOKEN", "a"}, {"OVENSPACE_WEBHOOK_SECRET", "b"}}));
    CHECK(cfg.ome.api.access_token == "a");
    CHECK(cfg.ome.webhook_secret == "b");
}

TEST_CASE("missing required secrets name the key and the variable", "[unit]")
{
    SECTION("access token absent")
    {
        CHECK(error_of(with_room("ome:\n  webhook_secret: s\n")) ==
              "test.yaml: ome.api.access_token: expected a non-empty value here or in the "
              "environment variable OVENSPACE_OME_API_TOKEN, got nothing");
    }
    SECTION("access token empty in the file")
    {
        CHECK(error_of(with_room("ome:\n  api: { access_token: \"\" }\n  webhook_secret: s\n")) ==
              "test.yaml: ome.api.access_token (line 2): expected a non-empty value here or in "
              "the environment variable OVENSPACE_OME_API_TOKEN, got an empty value");
    }
    SECTION("webhook secret in webhook mode")
    {
        CHECK(error_of(with_room("ome:\n  api: { access_token: t }\n")) ==
              "test.yaml: ome.webhook_secret: expected a non-empty value here or in the "
              "environment variable OVENSPACE_WEBHOOK_SECRET, got nothing");
    }
    SECTION("open mode needs the webhook secret too: no webhook is accepted unsigned")
    {
        CHECK(error_of(with_room("mode: open\nome:\n  api: { access_token: t }\n")) ==
              "test.yaml: ome.webhook_secret: expected a non-empty value here or in the "
              "environment variable OVENSPACE_WEBHOOK_SECRET, got nothing");
    }
}

TEST_CASE("a control character in an environment secret is refused, value hidden", "[unit]")
{
    auto msg = error_of(with_room(test::minimal_secrets),
                        fake_env({{"OVENSPACE_WEBHOOK_SECRET", "hunter2\n"}}));
    CHECK_THAT(msg, Contains("OVENSPACE_WEBHOOK_SECRET"));
    CHECK_THAT(msg, Contains("8 characters"));
    CHECK_THAT(msg, !Contains("hunter2"));
}

TEST_CASE("apply_env on a loaded config", "[unit]")
{
    config cfg;
    cfg.ome.api.access_token = "file-token";
    apply_env(cfg, fake_env({{"OVENSPACE_OME_API_TOKEN", "env-token"}}));
    CHECK(cfg.ome.api.access_token == "env-token");
    CHECK(cfg.ome.webhook_secret.empty());
    apply_env(cfg, nullptr);  // no lookup: nothing changes
    CHECK(cfg.ome.api.access_token == "env-token");
}

TEST_CASE("OVENSPACE_OME_HOST overrides ome.host and is validated", "[unit]")
{
    auto cfg = load_string(with_room(test::minimal_secrets),
                           "t",
                           fake_env({{"OVENSPACE_OME_HOST", "media.example.com"}}));
    CHECK(cfg.ome.host == "media.example.com");
    CHECK_THROWS_WITH(load_string(with_room(test::minimal_secrets),
                                  "t",
                                  fake_env({{"OVENSPACE_OME_HOST", "bad host/x"}})),
                      Catch::Contains("OVENSPACE_OME_HOST"));
}

TEST_CASE(
    "the moderator secret: optional, from the file or the environment, 16+ characters, never shown",
    "[unit]")
{
    auto none = load_string(with_room(test::minimal_secrets), "t", fake_env());
    CHECK(none.room.moderator_secret.empty());
    const std::string file =
        std::string(test::minimal_secrets) + "room:\n  moderator_secret: file-secret-0123456789\n";
    auto from_file = load_string(with_room(file), "t", fake_env());
    CHECK(from_file.room.moderator_secret == "file-secret-0123456789");
    // Only the room service keeps it.
    auto gateway = load_string(with_room(file), "t", secrets_for::gateway, fake_env());
    CHECK(gateway.room.moderator_secret.empty());
    auto from_env = load_string(
        with_room(file), "t", fake_env({{"OVENSPACE_MODERATOR_SECRET", "env-secret-0123456789"}}));
    CHECK(from_env.room.moderator_secret == "env-secret-0123456789");
    CHECK_THAT(describe(from_env), Contains("moderator_secret (set)"));
    CHECK_THAT(describe(from_env), !Contains("env-secret-0123456789"));
    const std::string shorter =
        std::string(test::minimal_secrets) + "room:\n  moderator_secret: short-secret\n";
    const std::string error = error_of(with_room(shorter));
    CHECK_THAT(error, Contains("room.moderator_secret"));
    CHECK_THAT(error, Contains("at least 16 characters"));
    CHECK_THAT(error, !Contains("short-secret"));
}
