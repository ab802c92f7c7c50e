#include "text_rules.hpp"

#include <ovs/config/config.hpp>

#include <cstdlib>

namespace ovs::config {

namespace {

void override_secret(std::string& field, const char* name, const env_lookup& lookup)
{
    auto value = lookup(name);
    if (!value || value->empty()) {
        return;
    }
    if (detail::has_control_chars(*value)) {
        // Usually a trailing newline from `echo secret > file`. Name the
        // variable, never the value.
        throw config_error(std::string("environment variable ") + name +
                           ": expected a value without control characters (such as a trailing "
                           "newline), got a hidden value of " +
                           std::to_string(value->size()) + " characters");
    }
    field = *value;
}

void override_host(std::string& field, const char* name, const env_lookup& lookup)
{
    auto value = lookup(name);
    if (!value || value->empty()) {
        return;
    }
    if (!detail::host_text.accepts(*value)) {
        throw config_error(std::string("environment variable ") + name + ": expected " +
                           detail::host_text.what + ", got '" + *value + "'");
    }
    field = *value;
}

}  // namespace

env_lookup process_env()
{
    return [](const char* name) -> std::optional<std::string> {
        // Read once at startup, before any thread exists.
        const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

void apply_env(config& cfg, env_lookup lookup)
{
    if (!lookup) {
        return;
    }
    override_secret(cfg.ome.api.access_token, env_ome_api_token, lookup);
    override_secret(cfg.ome.webhook_secret, env_webhook_secret, lookup);
    override_host(cfg.ome.host, env_ome_host, lookup);
}

}  // namespace ovs::config
