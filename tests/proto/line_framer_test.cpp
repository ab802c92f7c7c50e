#include <ovs/proto/line_framer.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using ovs::proto::line_framer;

namespace {

std::vector<std::string> drain(line_framer& f)
{
    std::vector<std::string> out;
    while (auto l = f.next_line()) out.push_back(*l);
    return out;
}

}  // namespace

TEST_CASE("line_framer splits lines fed whole or byte by byte", "[unit][proto]")
{
    const std::string input = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}\npartial";
    const std::vector<std::string> expected = {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"};

    SECTION("one chunk")
    {
        line_framer f(64);
        f.feed(input);
        CHECK(drain(f) == expected);
        CHECK(f.partial_bytes() == 7);
        CHECK_FALSE(f.overflowed());
    }
    SECTION("one byte at a time")
    {
        line_framer f(64);
        std::vector<std::string> got;
        for (char c : input) {
            f.feed(std::string_view(&c, 1));
            for (auto& l : drain(f)) got.push_back(l);
        }
        CHECK(got == expected);
        CHECK_FALSE(f.overflowed());
        f.feed("!\n");
        CHECK(drain(f) == std::vector<std::string>{"partial!"});
    }
}

TEST_CASE("line_framer accepts a line of exactly the maximum", "[unit][proto]")
{
    line_framer f(5);
    f.feed("12345\n123");
    f.feed("45\n");
    CHECK(drain(f) == std::vector<std::string>{"12345", "12345"});
    CHECK_FALSE(f.overflowed());
}

TEST_CASE("line_framer flags a line longer than the maximum", "[unit][proto]")
{
    SECTION("in one chunk with its newline")
    {
        line_framer f(5);
        f.feed("ok\n123456\nlater\n");
        CHECK(f.overflowed());
        CHECK_FALSE(f.next_line());
    }
    SECTION("growing byte by byte, never buffering more than the maximum")
    {
        line_framer f(5);
        for (int i = 0; i < 5; ++i) {
            f.feed("x");
            CHECK(f.partial_bytes() <= 5);
        }
        CHECK_FALSE(f.overflowed());
        f.feed("x");
        CHECK(f.overflowed());
        CHECK(f.partial_bytes() == 0);
        f.feed("\nfine\n");  // ignored once overflowed
        CHECK_FALSE(f.next_line());
    }
}
