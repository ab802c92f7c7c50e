// describe(): the startup summary, one line per section of the schema, each
// key as "name value" in the table's order, so a new key shows up here by
// being added to the table. Secrets show as (set) / (not set).

#include "schema.hpp"

#include <ovs/config/config.hpp>

#include <sstream>

namespace ovs::config {

namespace {

// A section's line: "  room: listen 0.0.0.0:5000, metrics ..., web_root ...",
// its nested sections on lines of their own after it. run.sh reads
// "room: listen" and "gateway: http" from the start of these lines.
void describe_section(std::ostringstream& out,
                      const detail::section_spec& section,
                      const config& cfg)
{
    if (section.shown && !section.shown(cfg)) {
        return;
    }
    out << "  " << section.path << ":";
    const char* separator = " ";
    if (section.lead) {
        out << separator << section.lead(cfg);
        separator = ", ";
    }
    for (const auto& k : section.keys) {
        if (!k.section) {
            out << separator << k.key << " " << k.show(cfg);
            separator = ", ";
        }
    }
    out << "\n";
    for (const auto& k : section.keys) {
        if (k.section) {
            describe_section(out, *k.section, cfg);
        }
    }
}

}  // namespace

std::string describe(const config& cfg)
{
    std::ostringstream out;
    out << "config from " << (cfg.source.empty() ? "(defaults)" : cfg.source) << "\n";
    // The document's own keys (mode, store, rooms) get lines of their own,
    // between the sections, in the table's order.
    for (const auto& k : detail::document_schema().keys) {
        if (k.section) {
            describe_section(out, *k.section, cfg);
        } else {
            out << "  " << k.key << ": " << k.show(cfg) << "\n";
        }
    }
    return out.str();
}

}  // namespace ovs::config
