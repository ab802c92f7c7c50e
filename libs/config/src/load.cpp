#include "loader.hpp"
#include "schema.hpp"

#include <ovs/config/config.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace ovs::config {

namespace {

YAML::Node parse(const std::string& yaml, const std::string& source)
{
    try {
        return YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
        // e.msg describes the syntax problem, not the text around it, so no
        // secret from the file leaks through it.
        std::string msg = source;
        if (!e.mark.is_null()) {
            msg += " (line " + std::to_string(e.mark.line + 1) + ")";
        }
        throw config_error(msg + ": invalid YAML: " + e.msg);
    } catch (const YAML::Exception& e) {
        throw config_error(source + ": invalid YAML: " + e.msg);
    }
}

}  // namespace

config load_string(const std::string& yaml,
                   const std::string& source,
                   secrets_for who,
                   const env_lookup& lookup)
{
    YAML::Node root = parse(yaml, source);
    detail::load_context ctx(source);
    const auto& schema = detail::document_schema();
    if (!root.IsMap()) {
        std::string keys;
        for (auto name : detail::key_names(schema)) {
            keys += (keys.empty() ? "" : ", ") + std::string(name);
        }
        ctx.fail("(top level)",
                 detail::line_of(root),
                 "a map of settings (" + keys + ")",
                 root.IsNull() ? "an empty document" : detail::describe_found(root, false));
    }
    detail::map_reader top(ctx, root, "", detail::key_names(schema));

    config cfg;
    cfg.source = source;
    detail::read_section(top, schema, cfg);
    detail::check_relations(ctx, cfg);
    apply_env(cfg, lookup, who);
    // Least privilege: whatever a shared file holds, a service keeps no
    // secret of the other's in memory (the room no OME credential, the
    // gateway neither the moderator secret nor the Redis URL).
    detail::for_each_key(schema, [&](const std::string&, const detail::key_spec& k) {
        if (k.secret && !detail::reads(k, who)) {
            k.text_field(cfg).clear();
        }
    });
    detail::check_required_secrets(ctx, cfg, who);
    return cfg;
}

config load_string(const std::string& yaml, const std::string& source, secrets_for who)
{
    return load_string(yaml, source, who, process_env());
}

config load_string(const std::string& yaml, const std::string& source, const env_lookup& lookup)
{
    return load_string(yaml, source, secrets_for::both, lookup);
}

config load_string(const std::string& yaml, const std::string& source)
{
    return load_string(yaml, source, secrets_for::both, process_env());
}

config load_file(const std::string& path, secrets_for who, const env_lookup& lookup)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw config_error(path + ": cannot open the config file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw config_error(path + ": cannot read the config file");
    }
    return load_string(text.str(), path, who, lookup);
}

config load_file(const std::string& path, secrets_for who)
{
    return load_file(path, who, process_env());
}

config load_file(const std::string& path, const env_lookup& lookup)
{
    return load_file(path, secrets_for::both, lookup);
}

config load_file(const std::string& path)
{
    return load_file(path, secrets_for::both, process_env());
}

}  // namespace ovs::config
