// deploy/ovenspace.yaml against the schema (libs/config/src/schema_tables.cpp):
// every key the file documents is in the schema, every schema key is in the
// file, each value is the schema's default unless its comment says
// "placeholder" (and then it must differ), and each range a comment gives
// ("# 100..60000") is the one the loader enforces (docs/decisions.md).

#include "schema.hpp"
#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>

using namespace ovs::config;
using detail::key_spec;
using detail::section_spec;

namespace {

const std::string shipped_path = std::string(OVS_SOURCE_DIR) + "/deploy/ovenspace.yaml";

// The marker a comment carries when the value shown is not the default.
constexpr const char* placeholder_marker = "placeholder";

std::vector<std::string> file_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// The comment on a 1-based line ("" when none): what follows " #".
std::string comment_on(const std::vector<std::string>& lines, int line)
{
    if (line < 1 || static_cast<std::size_t>(line) > lines.size()) {
        return {};
    }
    const auto& text = lines[static_cast<std::size_t>(line) - 1];
    const auto at = text.find(" #");
    return at == std::string::npos ? std::string() : text.substr(at + 2);
}

// The key node and value of `key` in the map `node` (both undefined when absent).
std::pair<YAML::Node, YAML::Node> entry(const YAML::Node& node, const std::string& key)
{
    if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it->first.Scalar() == key) {
                return {it->first, it->second};
            }
        }
    }
    return {YAML::Node(YAML::NodeType::Undefined), YAML::Node(YAML::NodeType::Undefined)};
}

// Every key of `map` must be a key of `section`; recurses into nested sections.
void check_known(const YAML::Node& map, const section_spec& section, const std::string& prefix)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        const auto key = it->first.Scalar();
        const auto path = prefix.empty() ? key : prefix + "." + key;
        const key_spec* spec = nullptr;
        for (const auto& k : section.keys) {
            spec = k.key == key ? &k : spec;
        }
        INFO("deploy/ovenspace.yaml documents " << path);
        CHECK(spec != nullptr);
        if (spec != nullptr && spec->section != nullptr && it->second.IsMap()) {
            check_known(it->second, *spec->section, path);
        }
    }
}

}  // namespace

TEST_CASE("the documented config file and the schema list the same keys, with the defaults",
          "[unit]")
{
    std::ifstream in(shipped_path);
    REQUIRE(in);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const auto lines = file_lines(text);
    const YAML::Node root = YAML::Load(text);
    REQUIRE(root.IsMap());
    // The file loads (its link secret comes from the environment, as in
    // every deployment), so every value in it has the right type and range.
    const config loaded = load_string(text, shipped_path, test::fake_env());
    config defaults;
    const auto& schema = detail::document_schema();

    check_known(root, schema, "");

    const std::regex range_words(R"((-?\d+)\.\.(\d+))");
    std::size_t keys_seen = 0;
    detail::for_each_key(schema, [&](const std::string& path, const key_spec& k) {
        INFO("schema key " << path << " (" << k.doc << ")");
        CHECK_FALSE(k.doc.empty());
        // Find it in the file, section by section. (reset(), not `=`: a
        // yaml-cpp assignment would overwrite the node it refers to.)
        YAML::Node parent(root);
        YAML::Node key_node;
        YAML::Node value;
        std::istringstream parts(path);
        for (std::string part; std::getline(parts, part, '.');) {
            auto [found_key, found_value] = entry(parent, part);
            key_node.reset(found_key);
            value.reset(found_value);
            parent.reset(found_value);
        }
        CHECK(key_node.IsDefined());  // documented in deploy/ovenspace.yaml
        ++keys_seen;
        if (!key_node.IsDefined() || k.section != nullptr) {
            return;
        }
        const std::string comment = comment_on(lines, key_node.Mark().line + 1);
        const bool marked = comment.find(placeholder_marker) != std::string::npos;
        if (k.same) {
            // A value the environment may override is compared as written.
            const bool is_default =
                k.env != nullptr
                    ? (value.IsNull() ? std::string() : value.Scalar()) == k.text_field(defaults)
                    : k.same(loaded, defaults);
            INFO("value in the file: " << (k.secret ? "(hidden)" : k.show(loaded)) << "; default: "
                                       << k.show(defaults) << "; comment: " << comment);
            CHECK(is_default != marked);
        } else {
            CHECK_FALSE(marked);  // a required key has no default to differ from
        }
        std::smatch range;
        if (k.range) {
            INFO("comment: '" << comment << "'; the loader's range: " << k.range->first << ".."
                              << k.range->second);
            const bool documented = std::regex_search(comment, range, range_words);
            CHECK(documented);
            if (documented) {
                CHECK(std::stoll(range[1].str()) == k.range->first);
                CHECK(std::stoll(range[2].str()) == k.range->second);
            }
        }
        if (k.env != nullptr) {
            INFO("environment variable " << k.env);
            CHECK(text.find(k.env) != std::string::npos);
        }
    });
    CHECK(keys_seen > 60);
}

TEST_CASE("the documented-defaults check would catch a drifted value", "[unit]")
{
    // The same comparison the test above makes, on a value that is not the
    // default: proof the check can fail.
    const auto& schema = detail::document_schema();
    const key_spec* lease = nullptr;
    detail::for_each_key(schema, [&](const std::string& path, const key_spec& k) {
        lease = path == "room.lease_ms" ? &k : lease;
    });
    REQUIRE(lease != nullptr);
    const config defaults;
    const config changed = load_string(
        test::with_room(std::string(test::minimal_secrets) + "room:\n  lease_ms: 31000\n"),
        "t",
        test::fake_env());
    CHECK_FALSE(lease->same(changed, defaults));
    CHECK(lease->same(defaults, defaults));
    CHECK(lease->show(changed) == "31000");
    REQUIRE(lease->range);
    CHECK(lease->range->first == 1000);
}
