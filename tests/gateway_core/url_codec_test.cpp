#include <ovs/gateway/url_codec.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;

TEST_CASE("percent encoding round-trips", "[unit][url_codec]")
{
    CHECK(percent_encode("default/app/stream3?token=T") == "default%2Fapp%2Fstream3%3Ftoken%3DT");
    CHECK(percent_encode("aZ09-._~") == "aZ09-._~");
    CHECK(percent_encode("a b+c") == "a%20b%2Bc");
    CHECK(percent_encode(std::string("\xff\x00", 2)) == "%FF%00");
    for (std::string s : {"", "plain", "a/b?c=d&e", "sp ace", "\xe2\x82\xac"}) {
        auto back = percent_decode(percent_encode(s));
        REQUIRE(back);
        CHECK(*back == s);
    }
    CHECK(percent_decode("a%2fb") == std::optional<std::string>("a/b"));
    CHECK(percent_decode("a+b") == std::optional<std::string>("a+b"));  // no form decoding
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%2"));
    CHECK_FALSE(percent_decode("%zz"));
}

TEST_CASE("base64 variants", "[unit][url_codec]")
{
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("\xfb\xff") == "+/8=");
    CHECK(base64url_encode_nopad("\xfb\xff") == "-_8");
    CHECK(base64url_encode_nopad("foob") == "Zm9vYg");
}

TEST_CASE("IPv6 literals get brackets", "[unit][url_codec]")
{
    CHECK(url_host("example.com") == "example.com");
    CHECK(url_host("192.0.2.1") == "192.0.2.1");
    CHECK(url_host("2001:db8::1") == "[2001:db8::1]");
    CHECK(url_host("[::1]") == "[::1]");
}
