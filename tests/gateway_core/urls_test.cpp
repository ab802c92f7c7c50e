#include <ovs/gateway/urls.hpp>

#include <catch2/catch.hpp>

using namespace ovs::gateway;

namespace {

ovs::config::ome_config plain()
{
    ovs::config::ome_config c;
    c.host = "ome.example.com";
    return c;
}

}  // namespace

TEST_CASE("plain publish URLs with a token (v0.20)", "[unit][urls]")
{
    url_builder b(plain());
    auto u = b.publish("stream3", "T0k-_");
    CHECK(u.webrtc == "ws://ome.example.com:3333/app/stream3?direction=send&token=T0k-_");
    CHECK(u.whip == "http://ome.example.com:3333/app/stream3?direction=whip&token=T0k-_");
    CHECK(u.rtmp_server == "rtmp://ome.example.com:1935/app");
    CHECK(u.rtmp_key == "stream3?token=T0k-_");
    CHECK(u.rtmp_url == "rtmp://ome.example.com:1935/app/stream3?token=T0k-_");
    CHECK(u.srt == "srt://ome.example.com:9999?streamid=default%2Fapp%2Fstream3%3Ftoken%3DT0k-_");
    CHECK(b.srt_form() == srt_streamid_form::path);
}

TEST_CASE("tokens are percent-encoded, twice inside the SRT streamid", "[unit][urls]")
{
    url_builder b(plain());
    auto u = b.publish("s", "a+b/c=");
    CHECK(u.webrtc == "ws://ome.example.com:3333/app/s?direction=send&token=a%2Bb%2Fc%3D");
    CHECK(u.rtmp_key == "s?token=a%2Bb%2Fc%3D");
    // OME decodes the streamid once, then reads token=a%2Bb%2Fc%3D from its query.
    CHECK(u.srt ==
          "srt://ome.example.com:9999?streamid=default%2Fapp%2Fs%3Ftoken%3Da%252Bb%252Fc%253D");
}

TEST_CASE("no token, no token parameter", "[unit][urls]")
{
    url_builder b(plain());
    auto u = b.publish("s", "");
    CHECK(u.webrtc == "ws://ome.example.com:3333/app/s?direction=send");
    CHECK(u.whip == "http://ome.example.com:3333/app/s?direction=whip");
    CHECK(u.rtmp_key == "s");
    CHECK(u.srt == "srt://ome.example.com:9999?streamid=default%2Fapp%2Fs");
}

TEST_CASE("TLS listeners and custom ports", "[unit][urls]")
{
    auto c = plain();
    c.app = "live";
    c.vhost = "vh";
    c.rtmp_port = 11935;
    c.srt_port = 19999;
    c.webrtc_provider = {true, 3334};
    c.webrtc_publisher = {true, 4334};
    c.llhls = {true, 5334};
    url_builder b(c);
    auto u = b.publish("s", "t");
    CHECK(u.webrtc == "wss://ome.example.com:3334/live/s?direction=send&token=t");
    CHECK(u.whip == "https://ome.example.com:3334/live/s?direction=whip&token=t");
    CHECK(u.rtmp_url == "rtmp://ome.example.com:11935/live/s?token=t");
    CHECK(u.srt == "srt://ome.example.com:19999?streamid=vh%2Flive%2Fs%3Ftoken%3Dt");
    auto p = b.playback("s");
    CHECK(p.webrtc == "wss://ome.example.com:4334/live/s");
    CHECK(p.llhls == "https://ome.example.com:5334/live/s/llhls.m3u8");
}

TEST_CASE("plain playback URLs", "[unit][urls]")
{
    url_builder b(plain());
    auto p = b.playback("stream0");
    CHECK(p.webrtc == "ws://ome.example.com:3333/app/stream0");
    CHECK(p.llhls == "http://ome.example.com:3333/app/stream0/llhls.m3u8");
}

TEST_CASE("the SRT streamid form follows the OME version", "[unit][urls]")
{
    auto c = plain();
    c.version = "0.18";
    url_builder legacy(c);
    CHECK(legacy.srt_form() == srt_streamid_form::legacy_url);
    CHECK(legacy.publish("s", "t").srt ==
          "srt://"
          "ome.example.com:9999?streamid=srt%3A%2F%2Fome.example.com%3A9999%2Fapp%2Fs%3Ftoken%3Dt");

    // The detected version wins over the config hint.
    url_builder detected(c, parse_version_string("0.19.0"));
    CHECK(detected.srt_form() == srt_streamid_form::path);

    c.version = "0.21";
    CHECK(url_builder(c).srt_form() == srt_streamid_form::path);
    CHECK(url_builder(c, parse_version_string("0.15.3")).srt_form() ==
          srt_streamid_form::legacy_url);
    c.version = "not-a-version";  // falls back to 0.20
    CHECK(url_builder(c).srt_form() == srt_streamid_form::path);
}

TEST_CASE("templates keep the placeholders literal", "[unit][urls]")
{
    url_builder b(plain());
    auto t = b.publish_template();
    CHECK(t.webrtc == "ws://ome.example.com:3333/app/{stream}?direction=send&token={token}");
    CHECK(t.whip == "http://ome.example.com:3333/app/{stream}?direction=whip&token={token}");
    CHECK(t.rtmp_server == "rtmp://ome.example.com:1935/app");
    CHECK(t.rtmp_key == "{stream}?token={token}");
    CHECK(t.srt ==
          "srt://ome.example.com:9999?streamid=default%2Fapp%2F{stream}%3Ftoken%3D{token}");
    auto p = b.playback_template();
    CHECK(p.webrtc == "ws://ome.example.com:3333/app/{stream}");
    CHECK(p.llhls == "http://ome.example.com:3333/app/{stream}/llhls.m3u8");

    // Substituting URL-safe values into a template gives the concrete URL.
    auto fill = [](std::string s) {
        for (auto [ph, v] : {std::pair{"{stream}", "stream3"}, std::pair{"{token}", "AbC_9-x"}}) {
            for (auto pos = s.find(ph); pos != std::string::npos; pos = s.find(ph)) {
                s.replace(pos, std::string(ph).size(), v);
            }
        }
        return s;
    };
    auto u = b.publish("stream3", "AbC_9-x");
    CHECK(fill(t.webrtc) == u.webrtc);
    CHECK(fill(t.whip) == u.whip);
    CHECK(fill(t.rtmp_key) == u.rtmp_key);
    CHECK(fill(t.srt) == u.srt);

    auto c = plain();
    c.version = "0.18";
    CHECK(url_builder(c).publish_template().srt ==
          "srt://"
          "ome.example.com:9999?streamid=srt%3A%2F%2Fome.example.com%3A9999%2Fapp%2F{stream}%"
          "3Ftoken%3D{token}");
}

TEST_CASE("IPv6 hosts are bracketed", "[unit][urls]")
{
    auto c = plain();
    c.host = "2001:db8::10";
    url_builder b(c);
    auto u = b.publish("s", "t");
    CHECK(u.webrtc == "ws://[2001:db8::10]:3333/app/s?direction=send&token=t");
    CHECK(u.rtmp_server == "rtmp://[2001:db8::10]:1935/app");
    CHECK(u.srt == "srt://[2001:db8::10]:9999?streamid=default%2Fapp%2Fs%3Ftoken%3Dt");
    CHECK(b.playback("s").llhls == "http://[2001:db8::10]:3333/app/s/llhls.m3u8");
}
