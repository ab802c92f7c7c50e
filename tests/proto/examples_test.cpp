// Every example in proto/examples/internal/ decodes, and encodes back to the
// same JSON: the specification and the code cannot drift apart.

#include <ovs/proto/codec.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

namespace {

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

TEST_CASE("every internal protocol example round-trips", "[unit][proto]")
{
    namespace fs = std::filesystem;
    using nlohmann::json;
    const fs::path dir = OVS_INTERNAL_EXAMPLES_DIR;
    REQUIRE(fs::is_directory(dir));

    std::set<std::size_t> kinds_seen;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        ++files;
        INFO("example " << entry.path().filename().string());
        json original = json::parse(read_file(entry.path()));
        REQUIRE(original.is_object());
        // The files are pretty-printed for readers; the wire carries one line.
        auto decoded = ovs::proto::decode(original.dump() + "\n");
        if (!decoded) FAIL(decoded.error().text);
        kinds_seen.insert(decoded.value().index());

        std::string line = ovs::proto::encode(decoded.value());
        REQUIRE(line.back() == '\n');
        REQUIRE(line.find('\n') == line.size() - 1);
        CHECK(json::parse(line) == original);
        CHECK(ovs::proto::type_name(decoded.value()) == original.at("type").get<std::string>());

        // Decoding the re-encoded line gives the same typed message.
        auto again = ovs::proto::decode(line);
        REQUIRE(again);
        CHECK(again.value() == decoded.value());
    }
    CHECK(files >= 12);
    // One example of every message type.
    CHECK(kinds_seen.size() == std::variant_size_v<ovs::proto::message>);
}
