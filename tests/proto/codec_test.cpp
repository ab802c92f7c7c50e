#include <ovs/proto/codec.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace ovs::proto;

namespace {

decode_error decode_fails(std::string_view line, std::size_t max = 65536)
{
    auto r = decode(line, max);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

}  // namespace

TEST_CASE("encode makes one line that decode reads back", "[unit][proto]")
{
    stream_info s;
    s.name = "stream1";
    s.source = "RTMP";
    s.video = video_info{"H264", 640, 360, std::nullopt};
    s.bitrate = 1000000;
    message m = stream_up{s};
    std::string line = encode(m);
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    auto r = decode(line);
    REQUIRE(r);
    CHECK(r.value() == m);
}

TEST_CASE("reply bodies are told apart by their fields", "[unit][proto]")
{
    reply ok{5, empty_result{}};
    reply admitted{6, admission_result{false, "bad token"}};
    reply failed{7, error_info{"timeout", "no answer"}};
    for (const reply& rep : {ok, admitted, failed}) {
        auto r = decode(encode(rep));
        REQUIRE(r);
        CHECK(std::get<reply>(r.value()) == rep);
    }
    CHECK(ok.ok());
    CHECK(admitted.ok());
    CHECK_FALSE(failed.ok());
    REQUIRE(failed.error() != nullptr);
    CHECK(failed.error()->code == "timeout");
}

TEST_CASE("malformed JSON is a bad_json error", "[unit][proto]")
{
    // out_of_range from the parser, not parse_error (found by fuzz_link_codec):
    CHECK(decode_fails(R"({"type":"reply","id":1844e7440737095516})").code ==
          decode_errc::bad_json);
    CHECK(decode_fails(R"({"type":"hello","protocol":1e999})").code == decode_errc::bad_json);
    auto e = decode_fails("{\"type\":\"ping\"");
    CHECK(e.code == decode_errc::bad_json);
    CHECK(wire_code(e.code) == "bad_json");
    CHECK_FALSE(e.text.empty());
    CHECK(decode_fails("").code == decode_errc::bad_json);
    CHECK(decode_fails("{\"type\":\"ping\"} trailing").code == decode_errc::bad_json);
    // Invalid UTF-8 inside a string.
    CHECK(decode_fails("{\"type\":\"kick\",\"id\":1,\"stream\":\"\xff\",\"reason\":\"\"}").code ==
          decode_errc::bad_json);
}

TEST_CASE("JSON that is not an object is rejected", "[unit][proto]")
{
    CHECK(decode_fails("[1,2]").code == decode_errc::not_object);
    CHECK(decode_fails("\"ping\"").code == decode_errc::not_object);
    CHECK(decode_fails("42").code == decode_errc::not_object);
    CHECK(decode_fails("null").code == decode_errc::not_object);
}

TEST_CASE("type must be a known string", "[unit][proto]")
{
    CHECK(decode_fails("{}").code == decode_errc::missing_type);
    CHECK(decode_fails("{\"type\":3}").code == decode_errc::missing_type);
    auto e = decode_fails("{\"type\":\"teleport\",\"id\":9}");
    CHECK(e.code == decode_errc::unknown_type);
    CHECK(e.type == "teleport");
    REQUIRE(e.id.has_value());
    CHECK(*e.id == 9);
    CHECK(e.text.find("teleport") != std::string::npos);
}

TEST_CASE("missing fields are errors that name the field", "[unit][proto]")
{
    auto e = decode_fails("{\"type\":\"kick\",\"id\":1,\"reason\":\"x\"}");
    CHECK(e.code == decode_errc::bad_field);
    CHECK(wire_code(e.code) == "bad_message");
    CHECK(e.text.find("'stream'") != std::string::npos);
    REQUIRE(e.id.has_value());
    CHECK(*e.id == 1);

    e = decode_fails("{\"type\":\"stream_up\",\"stream\":{\"source\":\"RTMP\"}}");
    CHECK(e.text.find("'stream.name'") != std::string::npos);

    e = decode_fails(
        "{\"type\":\"streams\",\"streams\":[{\"name\":\"a\",\"source\":\"RTMP\"},{}]}");
    CHECK(e.text.find("streams[1].name") != std::string::npos);

    e = decode_fails("{\"type\":\"reply\",\"id\":1,\"ok\":false}");
    CHECK(e.text.find("'error'") != std::string::npos);

    CHECK(decode_fails("{\"type\":\"hello\",\"role\":\"room\"}").code == decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"media_status\",\"reachable\":true}").code ==
          decode_errc::bad_field);
}

TEST_CASE("wrongly typed fields are errors", "[unit][proto]")
{
    CHECK(decode_fails("{\"type\":\"kick\",\"id\":\"1\",\"stream\":\"s\",\"reason\":\"\"}").code ==
          decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"kick\",\"id\":-1,\"stream\":\"s\",\"reason\":\"\"}").code ==
          decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"kick\",\"id\":1.5,\"stream\":\"s\",\"reason\":\"\"}").code ==
          decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"kick\",\"id\":1,\"stream\":7,\"reason\":\"\"}").code ==
          decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"media_status\",\"reachable\":1,\"stale\":false}").code ==
          decode_errc::bad_field);
    auto e = decode_fails(
        "{\"type\":\"stream_up\",\"stream\":{\"name\":\"a\",\"source\":\"RTMP\","
        "\"video\":{\"width\":\"wide\"}}}");
    CHECK(e.text.find("stream.video.width") != std::string::npos);
    CHECK(decode_fails("{\"type\":\"stream_up\",\"stream\":{\"name\":\"a\",\"source\":\"RTMP\","
                       "\"video\":{\"width\":5000000000}}}")
              .code == decode_errc::bad_field);
    CHECK(decode_fails("{\"type\":\"admission_check\",\"id\":1,\"stream\":\"s\",\"token\":\"t\","
                       "\"direction\":\"sideways\",\"protocol\":\"RTMP\",\"client\":\"1.2.3.4\"}")
              .code == decode_errc::bad_field);
}

TEST_CASE("a stream's outputs state goes on the wire by name, or not at all", "[unit][proto]")
{
    stream_info s;
    s.name = "stream2";
    s.source = "WebRTC";
    CHECK(encode(stream_up{s}).find("outputs") == std::string::npos);
    for (auto o : {outputs_state::ready, outputs_state::starting, outputs_state::failed}) {
        s.outputs = o;
        const std::string line = encode(stream_up{s});
        CHECK(line.find(std::string("\"outputs\":\"") + to_string(o) + "\"") != std::string::npos);
        auto r = decode(line);
        REQUIRE(r);
        CHECK(std::get<stream_up>(r.value()).stream.outputs == o);
    }
    auto e = decode_fails(
        "{\"type\":\"stream_up\",\"stream\":{\"name\":\"a\",\"source\":\"RTMP\","
        "\"outputs\":\"maybe\"}}");
    CHECK(e.code == decode_errc::bad_field);
    CHECK(e.text.find("stream.outputs") != std::string::npos);
    CHECK(decode_fails("{\"type\":\"streams\",\"streams\":[{\"name\":\"a\",\"source\":\"RTMP\","
                       "\"outputs\":1}]}")
              .code == decode_errc::bad_field);
    CHECK(outputs_from_string("starting") == outputs_state::starting);
    CHECK_FALSE(outputs_from_string("Starting"));
}

TEST_CASE("unknown fields are ignored, null optional fields are absent", "[unit][proto]")
{
    auto r = decode(
        "{\"type\":\"media_status\",\"reachable\":true,\"stale\":false,\"version\":null,"
        "\"future_field\":{\"x\":1}}");
    REQUIRE(r);
    const auto& st = std::get<media_status>(r.value());
    CHECK(st.reachable);
    CHECK_FALSE(st.stale);
    CHECK_FALSE(st.version.has_value());
}

TEST_CASE("oversized lines are rejected before parsing", "[unit][proto]")
{
    std::string line = encode(kick{1, std::string(100, 's'), "r"});
    CHECK(decode(line, line.size() - 1));  // the '\n' does not count
    auto e = decode_fails(line, line.size() - 2);
    CHECK(e.code == decode_errc::too_large);
    CHECK(wire_code(e.code) == "too_large");
}

TEST_CASE("a CRLF line ending is accepted", "[unit][proto]")
{
    auto r = decode("{\"type\":\"ping\"}\r\n");
    REQUIRE(r);
    CHECK(std::holds_alternative<ping>(r.value()));
}

TEST_CASE("variant helpers narrow and widen", "[unit][proto]")
{
    message m = kick{3, "s", "r"};
    CHECK_FALSE(as_event(m));
    auto req = as_request(m);
    REQUIRE(req);
    CHECK(request_id(*req) == 3);
    set_request_id(*req, 11);
    CHECK(std::get<kick>(to_message(*req)).id == 11);

    message ev = media_status{};
    REQUIRE(as_event(ev));
    CHECK_FALSE(as_request(ev));
    CHECK(to_message(*as_event(ev)) == ev);
    CHECK(type_name(ev) == "media_status");
}

TEST_CASE("endpoints carry the edges in rotation, and read without them", "[unit][proto]")
{
    endpoints e;
    e.webrtc_play = "ws://o:3333/app/{stream}";
    e.llhls_play = "http://o:3333/app/{stream}/llhls.m3u8";
    const auto without = encode(message{e});
    CHECK(without.find("edges") == std::string::npos);  // what older rooms read
    e.edges = {{"edge-1", "ws://e1:3333/app/{stream}", "http://e1:3333/app/{stream}/llhls.m3u8"},
               {"edge-2", "wss://e2/app/{stream}", "https://e2/app/{stream}/llhls.m3u8"}};
    auto r = decode(encode(message{e}));
    REQUIRE(r);
    CHECK(r.value() == message{e});
    auto back = decode(without);
    REQUIRE(back);
    CHECK(std::get<endpoints>(back.value()).edges.empty());
}
