// The pure pieces of libs/redis: RESP in (hiredis's reader behind
// resp_reader), RESP out (request), URLs and script digests. No sockets.

#include <ovs/redis/redis_url.hpp>
#include <ovs/redis/reply.hpp>
#include <ovs/redis/request.hpp>
#include <ovs/redis/resp_reader.hpp>
#include <ovs/redis/script.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ovs::redis;

namespace {

std::vector<reply> read_all(resp_reader& r)
{
    std::vector<reply> out;
    reply x;
    while (r.next(x) == resp_reader::status::reply) out.push_back(x);
    return out;
}

}  // namespace

TEST_CASE("resp_reader turns every RESP2 type into a reply, fed a byte at a time", "[unit][redis]")
{
    const std::string wire =
        "+OK\r\n"
        "-ERR unknown command\r\n"
        ":-42\r\n"
        "$5\r\nhe\r\no\r\n"  // bulk strings are binary-safe: CR LF inside
        "$-1\r\n"
        "*3\r\n:1\r\n*1\r\n$0\r\n\r\n$-1\r\n"
        "*0\r\n";
    resp_reader reader(1024);
    std::vector<reply> got;
    for (char c : wire) {
        reader.feed(std::string_view(&c, 1));
        auto more = read_all(reader);
        got.insert(got.end(), more.begin(), more.end());
    }
    REQUIRE(got.size() == 7);
    CHECK(got[0] == reply::make_status("OK"));
    CHECK(got[1] == reply::make_error("ERR unknown command"));
    CHECK(got[1].is_error_code("ERR"));
    CHECK_FALSE(got[1].is_error_code("ER"));
    CHECK(got[2] == reply::make_integer(-42));
    CHECK(got[3] == reply::make_string("he\r\no"));
    CHECK(got[4].is_nil());
    CHECK(got[5] == reply::make_array({reply::make_integer(1),
                                       reply::make_array({reply::make_string("")}),
                                       reply::make_nil()}));
    CHECK(got[6] == reply::make_array({}));
    CHECK(reader.buffered() == 0);
}

TEST_CASE("resp_reader reports a broken stream and stays broken", "[unit][redis]")
{
    resp_reader reader(1024);
    reader.feed("+OK\r\n!garbage\r\n");
    reply r;
    REQUIRE(reader.next(r) == resp_reader::status::reply);
    CHECK(r == reply::make_status("OK"));
    CHECK(reader.next(r) == resp_reader::status::error);
    CHECK_FALSE(reader.error().empty());
    reader.feed("+OK\r\n");
    CHECK(reader.next(r) == resp_reader::status::error);
}

TEST_CASE("resp_reader refuses to buffer an unfinished reply beyond its limit", "[unit][redis]")
{
    resp_reader reader(1000);
    reader.feed("$100000\r\n");
    reader.feed(std::string(900, 'x'));  // 909 bytes held
    reply r;
    CHECK(reader.next(r) == resp_reader::status::need_more);
    reader.feed(std::string(100, 'x'));  // 1009
    CHECK(reader.next(r) == resp_reader::status::error);
    CHECK(reader.too_large());
}

TEST_CASE("a reply converts to text and integers where that makes sense", "[unit][redis]")
{
    CHECK(reply::make_string("12").as_integer() == 12);
    CHECK_FALSE(reply::make_string("12x").as_integer());
    CHECK_FALSE(reply::make_string("").as_integer());
    CHECK(reply::make_integer(7).as_text() == "7");
    CHECK_FALSE(reply::make_nil().as_text());
    CHECK_FALSE(reply::make_error("ERR").as_text());
    CHECK(describe(reply::make_array({reply::make_status("OK"), reply::make_nil()})) ==
          "[OK, (nil)]");
    CHECK(describe(reply::make_string(std::string(10, 'a')), 4) == "\"aaaa...\"");
}

TEST_CASE("request formats commands as RESP arrays of bulk strings", "[unit][redis]")
{
    request r{"SET", "k", "v"};
    CHECK(r.payload() == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    CHECK(r.commands() == 1);
    CHECK(r.expected_replies() == 1);

    const std::string binary("a\0\r\nb", 5);
    r.push(std::vector<std::string>{"GET", binary});
    CHECK(r.payload().substr(27) == std::string("*2\r\n$3\r\nGET\r\n$5\r\na\0\r\nb\r\n", 24));
    r.push({"SUBSCRIBE", "a", "b", "c"}).expect_more(2);
    CHECK(r.commands() == 3);
    CHECK(r.expected_replies() == 5);
    r.push(std::vector<std::string_view>{"ECHO", std::string_view()});
    CHECK(r.payload().ends_with("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"));
    CHECK_THROWS(request().push(std::vector<std::string>{}));
}

TEST_CASE("redis URLs", "[unit][redis]")
{
    auto ok = [](std::string_view url) {
        auto parsed = parse_url(url);
        REQUIRE(std::holds_alternative<server_address>(parsed));
        return std::get<server_address>(parsed);
    };
    auto err = [](std::string_view url) {
        auto parsed = parse_url(url);
        REQUIRE(std::holds_alternative<url_error>(parsed));
        return std::get<url_error>(parsed).message;
    };
    CHECK(ok("redis://localhost") == server_address{"localhost", 6379, "", "", 0});
    CHECK(ok("redis://10.0.0.5:7000/3") == server_address{"10.0.0.5", 7000, "", "", 3});
    CHECK(ok("redis://:s%40cret@redis:6380") == server_address{"redis", 6380, "", "s@cret", 0});
    CHECK(ok("redis://app:pw@redis/1") == server_address{"redis", 6379, "app", "pw", 1});
    CHECK(ok("redis://[::1]:6379/") == server_address{"::1", 6379, "", "", 0});
    CHECK(err("rediss://host").find("TLS") != std::string::npos);
    CHECK(err("http://host").find("redis://") != std::string::npos);
    CHECK(err("redis://host/x").find("database") != std::string::npos);
    CHECK(err("redis://host:0").find("port") != std::string::npos);
    CHECK(err("redis:///0").find("host") != std::string::npos);
    CHECK(err("redis://host/0?a=b").find("query") != std::string::npos);
    CHECK(err("not a url").find("URL") != std::string::npos);
    // The password never appears in what is logged, and no error echoes it.
    CHECK(redacted(ok("redis://:topsecret@redis:6380/2")) == "redis://:***@redis:6380/2");
    CHECK(redacted(ok("redis://[::1]")) == "redis://[::1]:6379/0");
    CHECK(err("redis://:topsecret@host/x").find("topsecret") == std::string::npos);
}

TEST_CASE("a script knows its SHA-1 as Redis computes it", "[unit][redis]")
{
    // printf 'return 1' | sha1sum
    CHECK(script("return 1").sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    CHECK(script("return 1").source() == "return 1");
}
