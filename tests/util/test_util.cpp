#include <ovs/util/base64.hpp>
#include <ovs/util/exception_text.hpp>
#include <ovs/util/prometheus.hpp>
#include <ovs/util/text.hpp>
#include <ovs/util/url.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

using namespace ovs::util;

TEST_CASE("util: lower and iequals are ASCII only", "[unit]")
{
    CHECK(lower("WebRTC-Whip") == "webrtc-whip");
    CHECK(lower("\xc3\x89") == "\xc3\x89");  // not touched
    CHECK(iequals("X-OME-Signature", "x-ome-signature"));
    CHECK_FALSE(iequals("abc", "abd"));
    CHECK_FALSE(iequals("abc", "ab"));
}

TEST_CASE("util: base64 and base64url match RFC 4648's test vectors", "[unit]")
{
    // RFC 4648 §10.
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64url_nopad("f") == "Zg");
    CHECK(base64url_nopad(std::string("\xfb\xff\xbf", 3)) == "-_-_");
    CHECK(base64(std::string("\xfb\xff\xbf", 3)) == "+/+/");
}

TEST_CASE("util: percent encoding round-trips, bad escapes and NUL are refused", "[unit]")
{
    CHECK(percent_encode("a b/c?d=e&f~g.h_i-j") == "a%20b%2Fc%3Fd%3De%26f~g.h_i-j");
    CHECK(percent_encode("\xc3\xa9") == "%C3%A9");
    CHECK(percent_encode("a b+c") == "a%20b%2Bc");
    CHECK(percent_encode(std::string("\xff\x00", 2)) == "%FF%00");
    CHECK(percent_decode("a+b") == "a+b");  // no form decoding
    CHECK(percent_decode("a%20b%2fc") == "a b/c");
    CHECK(percent_decode("%C3%A9") == "\xc3\xa9");
    CHECK(percent_decode("plain") == "plain");
    CHECK(!percent_decode("%"));
    CHECK(!percent_decode("%2"));
    CHECK(!percent_decode("%zz"));
    CHECK(!percent_decode("a%00b"));
    CHECK(percent_decode("a%00b", true) == std::string("a\0b", 3));
    for (std::string s : {"", "x", "stream0", "a/b c", "\x01\xff", "%"}) {
        CHECK(percent_decode(percent_encode(s), true) == s);
    }
}

TEST_CASE("util: request targets: path and query parameters", "[unit]")
{
    CHECK(target_path("/ws?room=main") == "/ws");
    CHECK(target_path("/a/b") == "/a/b");
    CHECK(target_path("/a#frag") == "/a");
    CHECK(query_param("/ws?room=main", "room") == "main");
    CHECK(query_param("/ws?x=1&room=a%2Db", "room") == "a-b");
    CHECK(query_param("/ws?x=1&room=side&room=other", "room") == "side");
    CHECK(query_param("/ws?room=a%20b+c", "room") == "a b c");
    CHECK(query_param("token=a+b", "token", false) == "a+b");
    CHECK(query_param("/ws?room", "room") == "");
    CHECK(query_param("/ws?rooms=x", "room") == std::nullopt);
    CHECK(query_param("/ws", "room") == std::nullopt);
    CHECK(query_param("direction=whip&token=abc", "token") == "abc");
    CHECK(query_param("/ws?room=%zz", "room") == std::nullopt);
}

TEST_CASE("util: absolute URLs parse into decoded parts", "[unit]")
{
    auto u = parse_url("RTMP://127.0.0.1:1935/app/stream%201?token=a%2Bb");
    REQUIRE(u);
    CHECK(u->scheme == "rtmp");
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == 1935);
    CHECK(u->segments == std::vector<std::string>{"app", "stream 1"});
    CHECK(u->query == "token=a%2Bb");
    auto v6 = parse_url("wss://[::1]/app/s");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(!v6->port);
    CHECK(!parse_url("not a url"));
    CHECK(!parse_url("http://host:99999/x"));
}

TEST_CASE("util: URLs are built with every part encoded", "[unit]")
{
    CHECK(make_url("wss", "ome.example", 3333, {"app", "stream0"}, {{"direction", "send"}}) ==
          "wss://ome.example:3333/app/stream0?direction=send");
    CHECK(make_url("http", "::1", std::nullopt, {"a b", "c/d"}, {{"t", "x&y"}}) ==
          "http://[::1]/a%20b/c%2Fd?t=x%26y");
    CHECK(make_url("http", "h", 80, {}) == "http://h:80/");
    CHECK(url_host("10.0.0.1") == "10.0.0.1");
    CHECK(url_host("fe80::1") == "[fe80::1]");
    CHECK(url_host("[fe80::1]") == "[fe80::1]");
}

TEST_CASE("util: Prometheus text: families, labelled samples, escaped label values", "[unit]")
{
    prometheus_text out;
    out.single("ovs_x_total", "counter", "Things\\done\nso far", 3);
    out.family("ovs_rooms", "gauge", "Viewers per room");
    out.sample("ovs_rooms", {{"room", "a\"b\\c\nd"}, {"kind", "web"}}, std::uint64_t{7});
    out.sample("ovs_seconds_sum", {}, 0.25);
    CHECK(out.text() ==
          "# HELP ovs_x_total Things\\\\done\\nso far\n"
          "# TYPE ovs_x_total counter\n"
          "ovs_x_total 3\n"
          "# HELP ovs_rooms Viewers per room\n"
          "# TYPE ovs_rooms gauge\n"
          "ovs_rooms{room=\"a\\\"b\\\\c\\nd\",kind=\"web\"} 7\n"
          "ovs_seconds_sum 0.25\n");
    CHECK(prometheus_number(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(prometheus_number(0.0005) == "0.0005");
    CHECK(prometheus_number(123456789012.0) == "1.23456789e+11");
}

TEST_CASE("util: an escaped exception's text, and the completion that logs it", "[unit]")
{
    CHECK(exception_text(nullptr).empty());
    CHECK(exception_text(std::make_exception_ptr(std::runtime_error("socket gone"))) ==
          "socket gone");
    CHECK(exception_text(std::make_exception_ptr(42)) == "unknown exception");

    std::vector<std::string> lines;
    log_exception_to<std::function<void(std::string_view)>> done{
        [&](std::string_view line) { lines.emplace_back(line); }, "link: unexpected exception: "};
    done(nullptr);  // a coroutine that ended normally says nothing
    done(std::make_exception_ptr(std::logic_error("bad state")));
    CHECK(lines == std::vector<std::string>{"link: unexpected exception: bad state"});
    // No logger: nothing happens, nothing is thrown.
    log_exception_to<std::function<void(std::string_view)>> silent{{}, "x: "};
    CHECK_NOTHROW(silent(std::make_exception_ptr(std::logic_error("bad state"))));
}
