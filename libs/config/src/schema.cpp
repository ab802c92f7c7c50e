#include "schema_kinds.hpp"

namespace ovs::config::detail {

namespace {

// host:port, with IPv6 literals in brackets.
std::string host_port(const std::string& host, std::uint16_t port)
{
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void visit_keys(const section_spec& section,
                const std::string& prefix,
                const std::function<void(const std::string&, const key_spec&)>& visit)
{
    for (const auto& k : section.keys) {
        const auto path = prefix.empty() ? k.key : prefix + "." + k.key;
        visit(path, k);
        if (k.section) {
            visit_keys(*k.section, path, visit);
        }
    }
}

}  // namespace

bool reads(const key_spec& k, secrets_for who)
{
    switch (k.readers) {
        case read_by::both:
            return true;
        case read_by::room:
            return who != secrets_for::gateway;
        case read_by::gateway:
            return who != secrets_for::room;
    }
    return true;
}

std::string show_endpoint(const endpoint& ep)
{
    return host_port(ep.address, ep.port);
}

std::string show_tls_port(const tls_port& p)
{
    return std::to_string(p.port) + (p.tls ? " (tls)" : "");
}

std::string show_presence(const std::string& secret)
{
    return secret.empty() ? "(not set)" : "(set)";
}

std::string show_text(const std::string& text, const char* empty_means)
{
    return text.empty() ? std::string(empty_means) : text;
}

std::string show_list(const std::vector<std::string>& items, const char* empty_means)
{
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : " ") + item;
    }
    return items.empty() ? std::string(empty_means) : out;
}

key_spec custom_key(std::string key,
                    std::string doc,
                    std::function<void(map_reader&, config&)> read,
                    std::function<std::string(const config&)> show,
                    std::function<bool(const config&, const config&)> same)
{
    key_spec k;
    k.key = std::move(key);
    k.doc = std::move(doc);
    k.read = std::move(read);
    k.show = std::move(show);
    k.same = std::move(same);
    return k;
}

key_spec nested_key(std::string key, std::string doc, const section_spec& section)
{
    key_spec k;
    k.key = std::move(key);
    k.doc = std::move(doc);
    k.section = &section;
    return k;
}

key_spec with_env(key_spec k, const char* env)
{
    k.env = env;
    return k;
}

std::vector<std::string_view> key_names(const section_spec& section)
{
    std::vector<std::string_view> names;
    names.reserve(section.keys.size());
    for (const auto& k : section.keys) {
        names.emplace_back(k.key);
    }
    return names;
}

void for_each_key(const section_spec& section,
                  const std::function<void(const std::string& path, const key_spec&)>& visit)
{
    visit_keys(section, section.path, visit);
}

void read_section(map_reader& reader, const section_spec& section, config& cfg)
{
    for (const auto& k : section.keys) {
        if (k.section) {
            auto child = reader.child(k.key, key_names(*k.section));
            read_section(child, *k.section, cfg);
        } else {
            k.read(reader, cfg);
        }
    }
}

}  // namespace ovs::config::detail
