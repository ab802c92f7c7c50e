// Pure rules of the room shell: URL to file, MIME types, caching, Origin,
// the rate limiter and command decoding.

#include "frame_gate.hpp"
#include "http_routes.hpp"
#include "page_policy.hpp"
#include "token_bucket.hpp"
#include "wire.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace ovs::room;
namespace rules = ovs::room::http_rules;

TEST_CASE("static paths map to files under the web root", "[unit]")
{
    CHECK(rules::static_file_for("/") == "index.html");
    CHECK(rules::static_file_for("/r/main") == "index.html");
    CHECK(rules::static_file_for("/assets/app-1a2b3c4d.js") == "assets/app-1a2b3c4d.js");
    CHECK(rules::static_file_for("/a%20b.css") == "a b.css");
}

TEST_CASE("traversal and odd paths are refused", "[unit]")
{
    for (const char* path : {"/..",
                             "/../etc/passwd",
                             "/%2e%2e/etc/passwd",
                             "/%2E%2E%2Fetc%2Fpasswd",
                             "/assets/..%2f..%2fsecret",
                             "/./index.html",
                             "//etc/passwd",
                             "/..\\secret",
                             "/assets\\x.js",
                             "/%5c..%5csecret",
                             "/a%00b",
                             "/%zz",
                             "/%2",
                             "etc/passwd",
                             "",
                             "/assets/"}) {
        INFO(path);
        CHECK_FALSE(rules::static_file_for(path).has_value());
    }
}

TEST_CASE("MIME types by extension", "[unit]")
{
    CHECK(rules::mime_type("index.html") == "text/html; charset=utf-8");
    CHECK(rules::mime_type("a/app.js") == "text/javascript; charset=utf-8");
    CHECK(rules::mime_type("s.css") == "text/css; charset=utf-8");
    CHECK(rules::mime_type("app.js.map") == "application/json");
    CHECK(rules::mime_type("x.json") == "application/json");
    CHECK(rules::mime_type("i.svg") == "image/svg+xml");
    CHECK(rules::mime_type("i.png") == "image/png");
    CHECK(rules::mime_type("favicon.ico") == "image/x-icon");
    CHECK(rules::mime_type("f.woff2") == "font/woff2");
    CHECK(rules::mime_type("blob.bin") == "application/octet-stream");
}

TEST_CASE("hashed assets are immutable, the rest revalidates", "[unit]")
{
    const std::string_view immutable = "public, max-age=31536000, immutable";
    CHECK(rules::cache_control("index.html") == "no-cache");
    CHECK(rules::cache_control("assets/anything.js") == immutable);
    CHECK(rules::cache_control("app-3Fa9b2cD.js") == immutable);
    CHECK(rules::cache_control("js/app.3fa9b2cd.css") == immutable);
    CHECK(rules::cache_control("app.js") == "no-cache");
    CHECK(rules::cache_control("my-component.js") == "no-cache");
}

TEST_CASE("Origin allow-list", "[unit]")
{
    CHECK(rules::origin_allowed("http://space.example:5000", "space.example:5000", {}));
    CHECK(rules::origin_allowed("http://SPACE.example", "space.example", {}));
    CHECK_FALSE(rules::origin_allowed("http://evil.example", "space.example", {}));
    CHECK_FALSE(rules::origin_allowed("http://space.example:5001", "space.example:5000", {}));
    CHECK_FALSE(rules::origin_allowed("null", "space.example", {}));
    CHECK(rules::origin_allowed("http://evil.example", "space.example", {"*"}));
    CHECK(rules::origin_allowed("https://a.example", "x", {"https://a.example"}));
    CHECK_FALSE(rules::origin_allowed("https://b.example", "x", {"https://a.example"}));
}

TEST_CASE("token bucket: burst, then the rate", "[unit]")
{
    using namespace std::chrono_literals;
    auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    token_bucket bucket(2.0, 4.0, t0);
    int granted = 0;
    for (int i = 0; i < 10; ++i) granted += bucket.try_take(t0) ? 1 : 0;
    CHECK(granted == 4);
    CHECK_FALSE(bucket.try_take(t0 + 100ms));
    CHECK(bucket.try_take(t0 + 600ms));  // 0.6 s at 2/s refilled one (plus a bit)
    CHECK_FALSE(bucket.try_take(t0 + 700ms));
    CHECK(bucket.try_take(t0 + 10s));
}

TEST_CASE("frame gate: every frame pays, bad frames beyond the budget close", "[unit]")
{
    using namespace std::chrono_literals;
    using verdict = frame_gate::verdict;
    auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    SECTION("commands over the rate are answered, never closed")
    {
        frame_gate gate(2.0, 4.0, t0);
        for (int i = 0; i < 4; ++i) {
            CHECK(gate.admit(t0) == verdict::read);
            CHECK(gate.judge(false) == verdict::read);
        }
        for (int i = 0; i < 20; ++i) {
            CHECK(gate.admit(t0) == verdict::over_rate);
            CHECK(gate.judge(false) == verdict::over_rate);
        }
        CHECK(gate.admit(t0 + 600ms) == verdict::read);
    }
    SECTION("bad frames drain the same bucket; the first unpaid one closes")
    {
        frame_gate gate(2.0, 4.0, t0);
        for (int i = 0; i < 4; ++i) {
            CHECK(gate.admit(t0) == verdict::read);
            CHECK(gate.judge(true) == verdict::read);  // answered with its error
        }
        CHECK(gate.admit(t0) == verdict::close);  // right after a bad one: not read
    }
    SECTION("a bad frame over the rate closes even after good ones")
    {
        frame_gate gate(2.0, 4.0, t0);
        for (int i = 0; i < 4; ++i) {
            REQUIRE(gate.admit(t0) == verdict::read);
            REQUIRE(gate.judge(false) == verdict::read);
        }
        CHECK(gate.admit(t0) == verdict::over_rate);
        CHECK(gate.judge(true) == verdict::close);
    }
    SECTION("an occasional bad frame within the rate is only answered")
    {
        frame_gate gate(2.0, 4.0, t0);
        for (int i = 0; i < 20; ++i) {
            auto t = t0 + i * 600ms;
            CHECK(gate.admit(t) == verdict::read);
            CHECK(gate.judge(i % 2 == 0) == verdict::read);
        }
    }
}

TEST_CASE("command decoding", "[unit]")
{
    auto cmd = [](const char* text) { return wire::parse_command(text); };
    auto bad_code = [&](const char* text) {
        auto r = cmd(text);
        REQUIRE(std::holds_alternative<wire::bad_frame>(r));
        return std::get<wire::bad_frame>(r).code;
    };
    CHECK(bad_code("{nope") == "bad_json");
    CHECK(bad_code("[1,2]") == "bad_message");
    CHECK(bad_code(R"({"id":1})") == "bad_message");
    CHECK(bad_code(R"({"type":"claim","seat":1})") == "bad_message");
    CHECK(bad_code(R"({"type":"claim","id":1,"seat":-1})") == "bad_message");
    CHECK(bad_code(R"({"type":"claim","id":1,"seat":"2"})") == "bad_message");
    CHECK(bad_code(R"({"type":"resume","id":1,"seat":2})") == "bad_message");
    CHECK(bad_code(R"({"type":"dance","id":1})") == "unknown_command");
    auto with_id = std::get<wire::bad_frame>(cmd(R"({"type":"dance","id":"x"})"));
    REQUIRE(with_id.id.has_value());
    CHECK(*with_id.id == "x");

    // Nothing the client sent is repeated at length: not an unknown type,
    // not a long string id (issue 10).
    const std::string long_type =
        std::string(R"({"id":1,"type":")") + std::string(3000, 'z') + "\"}";
    auto unknown = std::get<wire::bad_frame>(cmd(long_type.c_str()));
    CHECK(unknown.code == "unknown_command");
    CHECK(unknown.message.find("zzz") == std::string::npos);
    CHECK(unknown.message.size() < 100);
    const std::string long_id =
        std::string(R"({"type":"ping","id":")") + std::string(65, 'i') + "\"}";
    auto no_id = std::get<wire::bad_frame>(cmd(long_id.c_str()));
    CHECK(no_id.code == "bad_message");
    CHECK_FALSE(no_id.id.has_value());
    const std::string id64 = std::string(R"({"type":"ping","id":")") + std::string(64, 'i') + "\"}";
    CHECK(std::holds_alternative<wire::command>(cmd(id64.c_str())));

    auto ok = cmd(R"({"type":"resume","id":7,"seat":3,"token":"abc"})");
    REQUIRE(std::holds_alternative<wire::command>(ok));
    auto& c = std::get<wire::command>(ok);
    CHECK(c.kind == wire::command_kind::resume);
    CHECK(c.seat == 3);
    CHECK(c.token == "abc");
    CHECK(c.id == 7);
}

TEST_CASE("publish templates fill in stream and token", "[unit]")
{
    endpoint_templates t;
    t.publish["rtmp"] = "rtmp://h/app/{stream}?token={token}";
    auto j = wire::publish_json(&t, "stream3", "T");
    CHECK(j["rtmp"] == "rtmp://h/app/stream3?token=T");
    CHECK(wire::publish_json(nullptr, "s", "t").is_null());
}

TEST_CASE("page policy: the OME origins the page dials, nothing injectable", "[unit]")
{
    endpoint_templates t;
    t.playback = {{"webrtc", "ws://[::1]:3333/app/{stream}"},
                  {"llhls", "HTTP://ome.example:3333/app/{stream}/llhls.m3u8"}};
    t.publish = {{"whip", "http://ome.example:3333/app/{stream}?direction=whip"},
                 {"rtmp", "rtmp://ome.example:1935/app/{stream}"},
                 {"evil", "https://a.example; script-src *:1/x"},
                 {"odd", "wss://a.example 'unsafe-inline'/x"},
                 {"bare", "no scheme"}};
    CHECK(media_origins(t) ==
          std::vector<std::string>{"http://ome.example:3333", "ws://[::1]:3333"});

    ovs::config::ome_config ome;
    ome.host = "::1";
    CHECK(media_origins(ome) == std::vector<std::string>{"http://[::1]:3333", "ws://[::1]:3333"});
    ome.host = "ome.example";
    ome.webrtc_publisher = {true, 3334};
    ome.llhls = {true, 3334};
    CHECK(media_origins(ome) == std::vector<std::string>{"http://ome.example:3333",
                                                         "https://ome.example:3334",
                                                         "ws://ome.example:3333",
                                                         "wss://ome.example:3334"});

    // Edges: every configured one, even out of rotation (the templates name
    // only those in it).
    ome.edges = {{"e1", "edge1.example", {false, 3333}, {true, 3443}, ""},
                 {"e2", "edge2.example", {true, 3334}, {true, 3334}, "probe.internal"}};
    const auto edges = edge_origins(ome);
    CHECK(edges == std::vector<std::string>{"https://edge1.example:3443",
                                            "https://edge2.example:3334",
                                            "ws://edge1.example:3333",
                                            "wss://edge2.example:3334"});
    const auto configured = media_origins(ome);
    CHECK(configured.size() == 8);
    CHECK(std::includes(configured.begin(), configured.end(), edges.begin(), edges.end()));
    CHECK(page_media_origins(nullptr, configured, edges) == configured);
    endpoint_templates linked;
    linked.playback = {{"webrtc", "ws://origin.example:3333/app/{stream}"}};
    linked.edges = {{"e3", {{"llhls", "https://edge3.example:3443/app/{stream}/llhls.m3u8"}}}};
    CHECK(page_media_origins(&linked, configured, edges) ==
          std::vector<std::string>{"https://edge1.example:3443",
                                   "https://edge2.example:3334",
                                   "https://edge3.example:3443",
                                   "ws://edge1.example:3333",
                                   "ws://origin.example:3333",
                                   "wss://edge2.example:3334"});

    auto policy = content_security_policy({"ws://h:1"}, {});
    CHECK_THAT(policy, Catch::Contains("script-src 'self';"));
    CHECK_THAT(policy, Catch::Contains("connect-src 'self' ws://h:1;"));
    CHECK_THAT(policy, Catch::Contains("frame-ancestors 'none'"));
    CHECK_THAT(policy, !Catch::Contains("unsafe-eval"));
    CHECK_THAT(content_security_policy({}, {"https://a.example", "https://b.example"}),
               Catch::EndsWith("frame-ancestors https://a.example https://b.example"));
}
