#include "text_rules.hpp"

#include <ovs/config/config.hpp>

#include <array>
#include <cstdlib>
#include <fstream>

namespace ovs::config {

namespace {

// Mounted secrets are small; anything bigger is the wrong file.
constexpr std::size_t max_secret_file_bytes = 64 * 1024;

std::string read_secret_file(const std::string& variable, const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw config_error("environment variable " + variable + ": cannot open the file '" + path +
                           "'");
    }
    std::string value;
    std::array<char, 4096> chunk{};
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
        value.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (value.size() > max_secret_file_bytes) {
            throw config_error("environment variable " + variable + ": the file '" + path +
                               "' is larger than " + std::to_string(max_secret_file_bytes) +
                               " bytes; expected a secret");
        }
    }
    if (in.bad()) {
        throw config_error("environment variable " + variable + ": cannot read the file '" + path +
                           "'");
    }
    // `echo secret > file` and most editors end the file with a line break;
    // it is not part of the secret.
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
        value.pop_back();
    }
    if (value.empty()) {
        throw config_error("environment variable " + variable + ": the file '" + path +
                           "' is empty");
    }
    return value;
}

// The value of NAME, or the contents of the file NAME_FILE names.
std::optional<std::string> secret_from_env(const char* name, const env_lookup& lookup)
{
    const std::string file_variable = std::string(name) + "_FILE";
    auto value = lookup(name);
    auto file = lookup(file_variable.c_str());
    const bool has_value = value && !value->empty();
    const bool has_file = file && !file->empty();
    if (has_value && has_file) {
        throw config_error(std::string("environment variables ") + name + " and " + file_variable +
                           " are both set; set one of them");
    }
    if (has_file) {
        return read_secret_file(file_variable, *file);
    }
    if (has_value) {
        return value;
    }
    return std::nullopt;
}

void override_secret(std::string& field, const char* name, const env_lookup& lookup)
{
    auto value = secret_from_env(name, lookup);
    if (!value) {
        return;
    }
    if (detail::has_control_chars(*value)) {
        // Usually a trailing newline from `echo secret > file`. Name the
        // variable, never the value.
        throw config_error(
            std::string("environment variable ") + name +
            " (or its _FILE): expected a value without control characters (such as a trailing "
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

void apply_env(config& cfg, env_lookup lookup, secrets_for who)
{
    if (!lookup) {
        return;
    }
    override_secret(cfg.link.secret, env_link_secret, lookup);
    if (who != secrets_for::room) {
        // The room service never looks at the OME credentials, even when
        // its environment (wrongly) carries them.
        override_secret(cfg.ome.api.access_token, env_ome_api_token, lookup);
        override_secret(cfg.ome.webhook_secret, env_webhook_secret, lookup);
    }
    if (who != secrets_for::gateway) {
        override_secret(cfg.room.moderator_secret, env_moderator_secret, lookup);
        // Only the room service talks to Redis.
        override_secret(cfg.store.redis.url, env_redis_url, lookup);
    }
    override_host(cfg.ome.host, env_ome_host, lookup);
}

}  // namespace ovs::config
