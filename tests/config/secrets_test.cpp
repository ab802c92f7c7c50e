// Least privilege in the loader: each service reads and requires only its own
// secrets; the link secret is required and long enough; secrets may come from
// files named by *_FILE variables (mounted Docker/Kubernetes secrets).

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::fake_env;
using test::with_room;

namespace {

std::string error_for(secrets_for who, const std::string& yaml, const env_lookup& env)
{
    try {
        (void)load_string(yaml, "test.yaml", who, env);
    } catch (const config_error& e) {
        return e.what();
    }
    return {};
}

// A file holding `text`, removed again at the end of the test.
struct temp_file {
    std::string path;
    explicit temp_file(const std::string& text)
    {
        path = (std::filesystem::temp_directory_path() /
                ("ovs-secret-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++)))
                   .string();
        std::ofstream(path, std::ios::binary) << text;
    }
    ~temp_file() { std::remove(path.c_str()); }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

const std::string full_env_secrets =
    "ome:\n  api: { access_token: tok-123 }\n  webhook_secret: hook-456\n";

}  // namespace

TEST_CASE("the room service starts with no OME secret anywhere", "[unit][secrets]")
{
    // Neither in the file nor in the environment: only the link secret.
    auto cfg = load_string(with_room(""), "room.yaml", secrets_for::room, fake_env());
    CHECK(cfg.link.secret == test::test_link_secret);
    CHECK(cfg.ome.api.access_token.empty());
    CHECK(cfg.ome.webhook_secret.empty());
}

TEST_CASE("the room service never keeps the OME secrets it is handed", "[unit][secrets]")
{
    auto cfg = load_string(with_room(full_env_secrets),
                           "shared.yaml",
                           secrets_for::room,
                           fake_env({{"OVENSPACE_OME_API_TOKEN", "env-token"},
                                     {"OVENSPACE_WEBHOOK_SECRET", "env-hook"}}));
    CHECK(cfg.ome.api.access_token.empty());
    CHECK(cfg.ome.webhook_secret.empty());
    CHECK_THAT(describe(cfg), Contains("access_token (not set)"));
}

TEST_CASE("the room service does not even read the OME variables", "[unit][secrets]")
{
    // A _FILE pointing nowhere would be an error for the gateway; the room
    // service never looks.
    auto cfg = load_string(with_room(""),
                           "room.yaml",
                           secrets_for::room,
                           fake_env({{"OVENSPACE_OME_API_TOKEN_FILE", "/nonexistent/token"}}));
    CHECK(cfg.ome.api.access_token.empty());
    CHECK_THAT(error_for(secrets_for::gateway,
                         with_room(""),
                         fake_env({{"OVENSPACE_OME_API_TOKEN_FILE", "/nonexistent/token"}})),
               Contains("OVENSPACE_OME_API_TOKEN_FILE: cannot open the file '/nonexistent/token'"));
}

TEST_CASE("the gateway requires its three secrets, in both modes", "[unit][secrets]")
{
    CHECK_NOTHROW(
        load_string(with_room(full_env_secrets), "gw.yaml", secrets_for::gateway, fake_env()));
    CHECK_THAT(
        error_for(secrets_for::gateway, with_room("ome:\n  webhook_secret: s\n"), fake_env()),
        Contains("ome.api.access_token"));
    for (const char* mode : {"webhook", "open"}) {
        INFO("mode " << mode);
        CHECK(error_for(
                  secrets_for::gateway,
                  with_room(std::string("mode: ") + mode + "\nome:\n  api: { access_token: t }\n"),
                  fake_env()) ==
              "test.yaml: ome.webhook_secret: expected a non-empty value here or in the "
              "environment variable OVENSPACE_WEBHOOK_SECRET, got nothing");
    }
}

TEST_CASE("both services require the link secret", "[unit][secrets]")
{
    for (auto who : {secrets_for::room, secrets_for::gateway, secrets_for::both}) {
        CHECK(error_for(who, with_room(full_env_secrets), fake_env({{env_link_secret, ""}})) ==
              "test.yaml: link.secret: expected a non-empty value here or in the environment "
              "variable OVENSPACE_LINK_SECRET, got nothing");
    }
}

TEST_CASE("a short link secret is refused without showing it", "[unit][secrets]")
{
    const auto msg = error_for(secrets_for::room,
                               with_room("link:\n  secret: hunter2-short\n"),
                               fake_env({{env_link_secret, ""}}));
    CHECK(msg ==
          "test.yaml: link.secret (line 2): expected at least 16 characters (e.g. the output of "
          "`openssl rand -hex 32`), got a hidden value of 13 characters");
    CHECK_THAT(msg, !Contains("hunter2"));
}

TEST_CASE("the link secret may come from the file", "[unit][secrets]")
{
    auto cfg = load_string(with_room("link:\n  secret: file-secret-0123456789\n"),
                           "t",
                           secrets_for::room,
                           fake_env({{env_link_secret, ""}}));
    CHECK(cfg.link.secret == "file-secret-0123456789");
}

TEST_CASE("secrets from files named by *_FILE", "[unit][secrets]")
{
    SECTION("read, with the trailing line break dropped")
    {
        temp_file link("from-a-mounted-file-0123\n");
        temp_file token("token-from-file\r\n");
        temp_file hook("hook-from-file");
        auto cfg = load_string(with_room(""),
                               "t",
                               secrets_for::gateway,
                               fake_env({{env_link_secret, ""},
                                         {"OVENSPACE_LINK_SECRET_FILE", link.path},
                                         {"OVENSPACE_OME_API_TOKEN_FILE", token.path},
                                         {"OVENSPACE_WEBHOOK_SECRET_FILE", hook.path}}));
        CHECK(cfg.link.secret == "from-a-mounted-file-0123");
        CHECK(cfg.ome.api.access_token == "token-from-file");
        CHECK(cfg.ome.webhook_secret == "hook-from-file");
    }
    SECTION("the file wins over the config file's value")
    {
        temp_file link("from-a-mounted-file-0123");
        auto cfg = load_string(
            with_room("link: { secret: in-the-yaml-file-0123 }\n"),
            "t",
            secrets_for::room,
            fake_env({{env_link_secret, ""}, {"OVENSPACE_LINK_SECRET_FILE", link.path}}));
        CHECK(cfg.link.secret == "from-a-mounted-file-0123");
    }
    SECTION("both the variable and its _FILE: an error")
    {
        temp_file link("from-a-mounted-file-0123");
        CHECK(error_for(secrets_for::room,
                        with_room(""),
                        fake_env({{"OVENSPACE_LINK_SECRET_FILE", link.path}})) ==
              "environment variables OVENSPACE_LINK_SECRET and OVENSPACE_LINK_SECRET_FILE are "
              "both set; set one of them");
    }
    SECTION("an empty file")
    {
        temp_file link("\n");
        CHECK_THAT(
            error_for(secrets_for::room,
                      with_room(""),
                      fake_env({{env_link_secret, ""}, {"OVENSPACE_LINK_SECRET_FILE", link.path}})),
            Contains("OVENSPACE_LINK_SECRET_FILE: the file '" + link.path + "' is empty"));
    }
    SECTION("a control character inside: refused, value hidden")
    {
        temp_file link("line-one-0123456789\nline-two\n");
        const auto msg =
            error_for(secrets_for::room,
                      with_room(""),
                      fake_env({{env_link_secret, ""}, {"OVENSPACE_LINK_SECRET_FILE", link.path}}));
        CHECK_THAT(msg, Contains("OVENSPACE_LINK_SECRET (or its _FILE)"));
        CHECK_THAT(msg, !Contains("line-one"));
    }
    SECTION("a file far too big to be a secret")
    {
        temp_file big(std::string(70000, 'x'));
        CHECK_THAT(
            error_for(secrets_for::room,
                      with_room(""),
                      fake_env({{env_link_secret, ""}, {"OVENSPACE_LINK_SECRET_FILE", big.path}})),
            Contains("is larger than 65536 bytes"));
    }
}
