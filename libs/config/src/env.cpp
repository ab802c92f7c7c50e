#include "schema.hpp"
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

// A setting that is not a secret (ome.host): its value must have the key's
// shape, and may be shown.
void override_text(std::string& field,
                   const char* name,
                   const detail::text_rule& rule,
                   const env_lookup& lookup)
{
    auto value = lookup(name);
    if (!value || value->empty()) {
        return;
    }
    if (!rule.accepts(*value)) {
        throw config_error(std::string("environment variable ") + name + ": expected " + rule.what +
                           ", got '" + *value + "'");
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
    // Each key's variable, from the schema; a service never looks at the
    // variables of the other's secrets, even when its environment (wrongly)
    // carries them.
    detail::for_each_key(detail::document_schema(),
                         [&](const std::string&, const detail::key_spec& k) {
                             if (k.env == nullptr || !detail::reads(k, who)) {
                                 return;
                             }
                             if (k.secret) {
                                 override_secret(k.text_field(cfg), k.env, lookup);
                             } else {
                                 override_text(k.text_field(cfg), k.env, *k.rule, lookup);
                             }
                         });
}

}  // namespace ovs::config
