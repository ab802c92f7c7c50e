#pragma once
// Shared helpers for the config tests: an empty environment, a minimal valid
// document, and "load this and give me the error message".

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace ovs::config::test {

// Every service needs a link secret; the tests that are not about it get one
// from the environment.
inline const char* test_link_secret = "config-test-link-secret-42";

// An environment with only the given variables, plus OVENSPACE_LINK_SECRET
// (unless given; "" means unset).
inline env_lookup fake_env(std::map<std::string, std::string> vars = {})
{
    vars.emplace(env_link_secret, test_link_secret);
    return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

// The smallest document that loads: secrets and one room.
inline const char* minimal_secrets =
    "ome:\n"
    "  api:\n"
    "    access_token: tok-123\n"
    "  webhook_secret: hook-456\n";

inline std::string with_room(const std::string& head)
{
    return head + "rooms:\n  - id: main\n";
}

// The message of the config_error that loading `yaml` throws; empty when it
// loads fine (the caller's REQUIRE on the text then fails visibly).
inline std::string error_of(const std::string& yaml, env_lookup env = fake_env())
{
    try {
        (void)load_string(yaml, "test.yaml", env);
    } catch (const config_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace ovs::config::test
