#include <ovs/app/command_line.hpp>
#include <ovs/net/version.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

using namespace ovs::app;

namespace {

struct result {
    std::variant<command_line, int> parsed;
    std::string out;
    std::string err;
};

result parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "ovenspace-test");
    std::ostringstream out, err;
    auto parsed = parse_command_line(
        "ovenspace-test", "a test service", static_cast<int>(args.size()), args.data(), out, err);
    return {std::move(parsed), out.str(), err.str()};
}

const command_line& options(const result& r)
{
    REQUIRE(std::holds_alternative<command_line>(r.parsed));
    return std::get<command_line>(r.parsed);
}

int code(const result& r)
{
    REQUIRE(std::holds_alternative<int>(r.parsed));
    return std::get<int>(r.parsed);
}

}  // namespace

TEST_CASE("cli: --config, with the log defaults", "[unit]")
{
    for (auto args : {std::vector<const char*>{"--config", "a.yaml"},
                      std::vector<const char*>{"--config=a.yaml"},
                      std::vector<const char*>{"-c", "a.yaml"}}) {
        auto r = parse(args);
        CHECK(options(r).config_path == "a.yaml");
        CHECK_FALSE(options(r).check_only);
        CHECK(options(r).log_level == ovs::log::level::info);
        CHECK(options(r).log_format == ovs::log::format::text);
    }
}

TEST_CASE("cli: --check-config alone or with the file", "[unit]")
{
    auto a = parse({"--check-config", "--config", "a.yaml"});
    CHECK(options(a).check_only);
    CHECK(options(a).config_path == "a.yaml");
    auto b = parse({"--check-config", "b.yaml"});
    CHECK(options(b).check_only);
    CHECK(options(b).config_path == "b.yaml");
    auto c = parse({"--config", "a.yaml", "--check-config", "a.yaml"});
    CHECK(options(c).config_path == "a.yaml");
    auto d = parse({"--config", "a.yaml", "--check-config", "b.yaml"});
    CHECK(code(d) == exit_usage);
    CHECK_THAT(d.err, Catch::Contains("name different files"));
}

TEST_CASE("cli: log level and format", "[unit]")
{
    auto r = parse({"-c", "a.yaml", "--log-level", "debug", "--log-format", "json"});
    CHECK(options(r).log_level == ovs::log::level::debug);
    CHECK(options(r).log_format == ovs::log::format::json);
    auto bad = parse({"-c", "a.yaml", "--log-level", "loud"});
    CHECK(code(bad) == exit_usage);
    CHECK_THAT(bad.err, Catch::Contains("--log-level"));
    CHECK_THAT(bad.err, Catch::Contains("ovenspace-test --help"));
}

TEST_CASE("cli: help and version go to stdout with 0, usage errors to stderr with 2", "[unit]")
{
    auto help = parse({"--help"});
    CHECK(code(help) == exit_ok);
    CHECK_THAT(help.out, Catch::Contains("--check-config"));
    CHECK_THAT(help.out, Catch::Contains("Exit codes"));
    CHECK(help.err.empty());
    auto version = parse({"--version"});
    CHECK(code(version) == exit_ok);
    CHECK(version.out == "ovenspace-test " + std::string(ovs::version) + "\n");
    auto missing = parse({});
    CHECK(code(missing) == exit_usage);
    CHECK_THAT(missing.err, Catch::Contains("--config FILE is required"));
    auto unknown = parse({"--config", "a.yaml", "--frobnicate"});
    CHECK(code(unknown) == exit_usage);
    CHECK(unknown.out.empty());
}
