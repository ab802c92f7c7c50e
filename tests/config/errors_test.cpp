// Every kind of config error names the source, the exact key path and the
// line, says what was expected and what was found.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::minimal_secrets;
using test::with_room;

TEST_CASE("a wrong-typed value gives the full message", "[unit]")
{
    // Lines 1-4 are the secrets.
    auto msg =
        error_of(with_room(std::string(minimal_secrets) + "room:\n"                          // 5
                                                          "  limits:\n"                      // 6
                                                          "    commands_per_second: fast\n"  // 7
                           ));
    CHECK(msg ==
          "test.yaml: room.limits.commands_per_second (line 7): expected an integer from 1 to "
          "1000, got 'fast'");
}

TEST_CASE("unknown keys are errors at every level", "[unit]")
{
    SECTION("top level")
    {
        auto msg = error_of(with_room(std::string(minimal_secrets) + "romo: {}\n"));
        CHECK(msg ==
              "test.yaml: romo (line 5): expected one of the keys mode, ome, room, gateway, "
              "link, store, redis, rooms, got unknown key 'romo'");
    }
    SECTION("nested")
    {
        auto msg = error_of(with_room(
            "ome:\n  api:\n    access_token: t\n    acess_token: t\n  webhook_secret: s\n"));
        CHECK_THAT(msg,
                   Contains("test.yaml: ome.api.acess_token (line 4): expected one of the keys"));
        CHECK_THAT(msg, Contains("access_token"));
        CHECK_THAT(msg, Contains("got unknown key 'acess_token'"));
    }
    SECTION("deep, inside a flow map")
    {
        auto msg = error_of(
            with_room(std::string(minimal_secrets) + "room:\n  limits: { idle_timeout: 5000 }\n"));
        CHECK_THAT(msg, Contains("room.limits.idle_timeout (line 6)"));
        CHECK_THAT(msg, Contains("idle_timeout_ms"));
    }
    SECTION("inside an endpoint")
    {
        auto msg = error_of(with_room(std::string(minimal_secrets) +
                                      "gateway:\n  link: { host: 127.0.0.1, port: 9600 }\n"));
        CHECK_THAT(msg,
                   Contains("gateway.link.host (line 6): expected one of the keys address, port"));
    }
}

TEST_CASE("a key given twice is an error", "[unit]")
{
    auto msg = error_of(with_room(std::string(minimal_secrets) + "mode: open\nmode: webhook\n"));
    CHECK_THAT(msg, Contains("test.yaml: mode (line 6): expected each key once"));
    CHECK_THAT(msg, Contains("first at line 5"));
}

TEST_CASE("wrong types name the key and what was found", "[unit]")
{
    std::string base = minimal_secrets;
    CHECK(error_of(with_room(base + "room:\n  listen: 5000\n")) ==
          "test.yaml: room.listen (line 6): expected a map of settings, got '5000'");
    CHECK(error_of(with_room(base + "room:\n  allowed_origins: https://a.example\n")) ==
          "test.yaml: room.allowed_origins (line 6): expected a list of \"*\" or an origin like "
          "https://example.com[:port] (no path), got 'https://a.example'");
    CHECK_THAT(
        error_of(with_room(base + "room:\n  allowed_origins: [\"https://a.example/path\"]\n")),
        Contains("room.allowed_origins[0] (line 6)"));
    CHECK(error_of(with_room("ome:\n  llhls: { tls: maybe }\n")) ==
          "test.yaml: ome.llhls.tls (line 2): expected true or false, got 'maybe'");
    CHECK_THAT(error_of(with_room(base + "link:\n  max_line_bytes: [1, 2]\n")),
               Contains("link.max_line_bytes (line 6): expected an integer from 1024 to "
                        "16777216, got a list"));
    CHECK_THAT(error_of(with_room(base + "room:\n  web_root:\n    dir: x\n")),
               Contains("room.web_root (line 7): expected a non-empty string"));
}

TEST_CASE("booleans are true or false only", "[unit]")
{
    auto msg =
        error_of(with_room("ome:\n  api: { access_token: t, tls: yes }\n  webhook_secret: s\n"));
    CHECK(msg == "test.yaml: ome.api.tls (line 2): expected true or false, got 'yes'");
}

TEST_CASE("numbers out of range or not decimal", "[unit]")
{
    std::string base = minimal_secrets;
    SECTION("port too big")
    {
        CHECK(error_of(with_room(base + "room:\n  gateway: { address: h, port: 70000 }\n")) ==
              "test.yaml: room.gateway.port (line 6): expected an integer from 1 to 65535, got "
              "'70000'");
    }
    SECTION("port 0 only for listeners")
    {
        CHECK_THAT(error_of(with_room(base + "room:\n  gateway: { port: 0 }\n")),
                   Contains("room.gateway.port (line 6): expected an integer from 1 to 65535"));
        CHECK_THAT(
            error_of(with_room("ome:\n  rtmp_port: 0\n  api: { access_token: t }\n"
                               "  webhook_secret: s\n")),
            Contains("ome.rtmp_port (line 2): expected an integer from 1 to 65535, got '0'"));
        // Listen endpoints accept 0 (tests bind ephemeral ports).
        auto cfg =
            load_string(with_room(base + "room:\n  listen: { port: 0 }\n"
                                         "gateway:\n  http: { port: 0 }\n  link: { port: 0 }\n"),
                        "t",
                        test::fake_env());
        CHECK(cfg.room.listen.port == 0);
        CHECK(cfg.gateway.http.port == 0);
        CHECK(cfg.gateway.link.port == 0);
    }
    SECTION("ome ports")
    {
        CHECK_THAT(
            error_of(with_room("ome:\n  api: { access_token: t, port: 0 }\n  webhook_secret: s\n")),
            Contains("ome.api.port (line 2): expected an integer from 1 to 65535, got '0'"));
        CHECK_THAT(
            error_of(with_room(
                "ome:\n  api: { access_token: t }\n  webhook_secret: s\n  srt_port: -1\n")),
            Contains("ome.srt_port (line 4): expected an integer from 1 to 65535, got '-1'"));
    }
    SECTION("durations in the wrong unit")
    {
        CHECK(error_of(with_room(base + "room:\n  lease_ms: 30\n")) ==
              "test.yaml: room.lease_ms (line 6): expected a duration in milliseconds from 1000 "
              "to 600000, got '30'");
        CHECK_THAT(error_of(with_room(base + "link:\n  heartbeat_interval_ms: 2s\n")),
                   Contains("link.heartbeat_interval_ms (line 6): expected a duration in "
                            "milliseconds from 100 to 60000, got '2s'"));
        CHECK_THAT(error_of(with_room(base + "gateway:\n  admission_timeout_ms: 5000\n")),
                   Contains("gateway.admission_timeout_ms (line 6)"));
    }
    SECTION("not decimal integers")
    {
        CHECK_THAT(error_of(with_room(base + "room:\n  max_http_body_bytes: 0x2000\n")),
                   Contains("room.max_http_body_bytes (line 6): expected an integer from 256 to "
                            "1048576, got '0x2000'"));
        CHECK_THAT(error_of(with_room(base + "room:\n  limits: { commands_per_second: 2.5 }\n")),
                   Contains("got '2.5'"));
        CHECK_THAT(error_of(with_room(base + "link:\n  max_line_bytes: 99999999999999999999999\n")),
                   Contains("link.max_line_bytes (line 6)"));
    }
    SECTION("sizes must be positive")
    {
        CHECK_THAT(error_of(with_room(base + "room:\n  limits: { send_queue_messages: 0 }\n")),
                   Contains("room.limits.send_queue_messages (line 6): expected an integer from 1 "
                            "to 65536, got '0'"));
    }
}

TEST_CASE("settings that must agree with each other", "[unit]")
{
    std::string base = minimal_secrets;
    CHECK(error_of(with_room(base + "link:\n  heartbeat_interval_ms: 3000\n"
                                    "  heartbeat_timeout_ms: 3000\n")) ==
          "test.yaml: link.heartbeat_timeout_ms (line 7): expected more than "
          "link.heartbeat_interval_ms (3000), got '3000'");
    CHECK_THAT(error_of(with_room(base + "link:\n  reconnect_max_ms: 100\n")),
               Contains("link.reconnect_max_ms (line 6): expected at least link.reconnect_min_ms "
                        "(200), got '100'"));
    CHECK_THAT(error_of(with_room(base + "gateway:\n  poll_interval_ms: 20000\n")),
               Contains("gateway.poll_backoff_max_ms: expected at least gateway.poll_interval_ms"));
    CHECK_THAT(error_of(with_room(base + "gateway:\n  outputs_probe_interval_ms: 2000\n"
                                         "  outputs_timeout_ms: 2000\n")),
               Contains("gateway.outputs_timeout_ms (line 7): expected more than "
                        "gateway.outputs_probe_interval_ms (2000), got '2000'"));
    CHECK_THAT(error_of(with_room(base + "gateway:\n  outputs_timeout_ms: 500\n")),
               Contains("gateway.outputs_timeout_ms (line 6): expected"));
    CHECK_THAT(error_of(with_room(base + "gateway:\n  outputs_probe_interval_ms: 10\n")),
               Contains("gateway.outputs_probe_interval_ms (line 6): expected"));
}

TEST_CASE("a kick's wait on the link outlasts one OME API call", "[unit]")
{
    // The room waits link.request_timeout_ms for the gateway's answer to a
    // kick; the gateway answers after one DELETE, which may take up to
    // ome.api.timeout_ms and still succeed.
    std::string base = minimal_secrets;
    CHECK(error_of(with_room(base + "link:\n  request_timeout_ms: 2000\n")) ==
          "test.yaml: link.request_timeout_ms (line 6): expected more than "
          "ome.api.timeout_ms (2000), got '2000'");
    CHECK_THAT(error_of(with_room("ome:\n  api: { access_token: t, timeout_ms: 5000 }\n"
                                  "  webhook_secret: s\n")),
               Contains("link.request_timeout_ms: expected more than ome.api.timeout_ms (5000), "
                        "got '3000'"));
    // The defaults are in order, and the pair may move together.
    const ovs::config::config def;
    CHECK(def.link.request_timeout > def.ome.api.timeout);
    CHECK(error_of(with_room(base + "link:\n  request_timeout_ms: 2001\n")).empty());
    CHECK(error_of(with_room("ome:\n  api: { access_token: t, timeout_ms: 5000 }\n"
                             "  webhook_secret: s\nlink:\n  request_timeout_ms: 6000\n"))
              .empty());
}

TEST_CASE("enum values and text shapes", "[unit]")
{
    std::string base = minimal_secrets;
    CHECK(error_of(with_room(base + "mode: hook\n")) ==
          "test.yaml: mode (line 5): expected webhook or open, got 'hook'");
    CHECK_THAT(
        error_of(with_room(base + "room:\n  gateway: { address: \"\" }\n")),
        Contains("room.gateway.address (line 6): expected a host name or IP address, got ''"));
    CHECK_THAT(error_of(with_room(base + "gateway:\n  http: { address: \"0.0.0.0 \" }\n")),
               Contains("gateway.http.address (line 6)"));
    CHECK_THAT(error_of(with_room(
                   "ome:\n  app: \"a/b\"\n  api: { access_token: t }\n  webhook_secret: s\n")),
               Contains("ome.app (line 2): expected a name of 1 to 64 characters"));
}

TEST_CASE("documents that are not a config", "[unit]")
{
    CHECK(error_of("") ==
          "test.yaml: (top level): expected a map of settings (mode, ome, room, gateway, link, "
          "store, redis, rooms), got an empty document");
    CHECK_THAT(error_of("- a\n- b\n"), Contains("test.yaml: (top level) (line 1)"));
    auto syntax = error_of("ome:\n  host: [unclosed\nrooms: []\n");
    CHECK_THAT(syntax, Contains("test.yaml (line "));
    CHECK_THAT(syntax, Contains("invalid YAML"));
}

TEST_CASE("load_file on a missing file names the file", "[unit]")
{
    const std::string path = std::string(OVS_SOURCE_DIR) + "/tests/config/no-such-file.yaml";
    try {
        (void)load_file(path, test::fake_env());
        FAIL("load_file did not throw");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == path + ": cannot open the config file");
    }
}

TEST_CASE("secrets never appear in error messages", "[unit]")
{
    SECTION("wrong-typed access_token")
    {
        auto msg =
            error_of(with_room("ome:\n  api:\n    access_token: [hunter2, swordfish]\n"
                               "  webhook_secret: s\n"));
        CHECK_THAT(msg, Contains("ome.api.access_token (line 3): expected a string"));
        CHECK_THAT(msg, !Contains("hunter2"));
        CHECK_THAT(msg, !Contains("swordfish"));
    }
    SECTION("a map under webhook_secret")
    {
        auto msg =
            error_of(with_room("ome:\n  api: { access_token: t }\n"
                               "  webhook_secret: { value: hunter2 }\n"));
        CHECK_THAT(msg, Contains("ome.webhook_secret (line 3)"));
        CHECK_THAT(msg, !Contains("hunter2"));
    }
    SECTION("a control character inside the secret")
    {
        auto msg =
            error_of(with_room("ome:\n  api: { access_token: \"hunter2\\n\" }\n"
                               "  webhook_secret: s\n"));
        CHECK_THAT(msg, Contains("ome.api.access_token (line 2)"));
        CHECK_THAT(msg, Contains("a hidden value"));
        CHECK_THAT(msg, !Contains("hunter2"));
    }
    SECTION("an error elsewhere in a file with secrets")
    {
        auto msg =
            error_of(with_room("ome:\n  api: { access_token: hunter2 }\n"
                               "  webhook_secret: swordfish\nmode: bad\n"));
        CHECK_THAT(msg, Contains("mode (line 4)"));
        CHECK_THAT(msg, !Contains("hunter2"));
        CHECK_THAT(msg, !Contains("swordfish"));
    }
}
