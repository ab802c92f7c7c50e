// OME's own clustering, as deploy/ome ships it: an origin (Server.xml) and an
// edge (Server.edge.xml) of the real OvenMediaEngine on loopback; a stream
// published to the origin over RTMP is played from the edge (LL-HLS), which
// pulls it over OVT. Needs OVENSPACE_TEST_OME_BIN (the stand-in cannot do
// OVT); without it the test says it was skipped, and with
// OVENSPACE_TEST_REQUIRE_OME=1 it fails instead.

#include "child_process.hpp"
#include "deadline.hpp"
#include "http_client.hpp"
#include "media.hpp"
#include "ome_config.hpp"
#include "ome_process.hpp"
#include "ports.hpp"

#include <ovs/testing/temp_files.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ovs::integration;
using namespace std::chrono_literals;

TEST_CASE("a real OME edge plays what was published to the origin (OVT)",
          "[integration][real_ome][edges]")
{
    const auto binary = ome_binary_from_env();
    if (!binary) {
        if (ome_required_by_env())
            FAIL("OVENSPACE_TEST_REQUIRE_OME=1 but OVENSPACE_TEST_OME_BIN is not set");
        WARN(
            "skipped: set OVENSPACE_TEST_OME_BIN to a real OvenMediaEngine to test origin and "
            "edge");
        return;
    }
    const auto dir = ovs::testing::make_temp_dir("ovs-edge");
    media_server origin(*binary, dir, "edge-test-secret", "edge-test-token");
    origin.start("");  // no AdmissionWebhooks: every publisher is admitted
    REQUIRE(origin.ovt_port() != 0);

    // The edge: the Server.edge.xml we ship (minus its webhooks), every port
    // from the environment, pulling from the origin's OVT port.
    const std::string source = OVS_SOURCE_DIR;
    const std::string conf = dir + "/edge/conf";
    std::filesystem::create_directories(conf);
    std::filesystem::create_directories(dir + "/edge/logs");
    ovs::testing::write_file(
        conf + "/Server.xml",
        without_admission_webhooks(read_text_file(source + "/deploy/ome/Server.edge.xml")));
    ovs::testing::write_file(
        conf + "/Logger.xml",
        logger_xml_logging_to(read_text_file(source + "/deploy/ome/Logger.xml"),
                              dir + "/edge/logs"));
    const auto api = pick_free_port(transport::tcp);
    const auto play = pick_free_port(transport::tcp);
    const auto relay = pick_free_port(transport::tcp);
    const auto ice = pick_free_port_range(transport::udp, 5);
    child_process edge("ome-edge",
                       *binary,
                       {"-c", conf},
                       dir + "/edge/ome",
                       {"OME_BIND_IP=127.0.0.1",
                        "OME_HOST_IP=127.0.0.1",
                        "OME_API_PORT=" + std::to_string(api),
                        "OME_WEBRTC_SIGNALLING_PORT=" + std::to_string(play),
                        "OME_LLHLS_STREAM_PORT=" + std::to_string(play),
                        "OME_WEBRTC_CANDIDATE_PORT=" + std::to_string(ice) + "-" +
                            std::to_string(ice + 4) + "/udp",
                        "OME_WEBRTC_TCP_RELAY_PORT=" + std::to_string(relay),
                        "OVENSPACE_OME_API_TOKEN=edge-test-token",
                        "OVENSPACE_WEBHOOK_SECRET=edge-test-secret",
                        "OVENSPACE_OME_ORIGIN=127.0.0.1:" + std::to_string(origin.ovt_port())});
    INFO(edge.output_tail());
    REQUIRE(poll_until([&] { return http_get(api, "/v1/version").status != 0; }, 30000ms));

    const auto pub = origin.publish(ingest::rtmp, "stream0", "");
    REQUIRE(pub.admitted);

    // The edge has nothing until a viewer asks; then it pulls from the
    // origin, and serves playlists whose parts carry media.
    http_result master;
    REQUIRE(poll_until(
        [&] {
            master = http_get(play, "/app/stream0/llhls.m3u8");
            return master.status == 200;
        },
        30000ms,
        500ms));
    CHECK(master.body.rfind("#EXTM3U", 0) == 0);
    // The first variant's media playlist: a line of its own (the
    // #EXT-X-MEDIA lines name playlists inside attributes), maybe relative.
    std::string chunklist;
    {
        std::istringstream lines(master.body);
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#' || line.find("chunklist_") == std::string::npos)
                continue;
            chunklist = line[0] == '/' ? line : "/app/stream0/" + line;
            break;
        }
    }
    INFO(master.body);
    REQUIRE_FALSE(chunklist.empty());
    http_result parts;
    REQUIRE(poll_until(
        [&] {
            parts = http_get(play, chunklist);
            return parts.status == 200 && parts.body.find("#EXT-X-PART:") != std::string::npos;
        },
        20000ms,
        500ms));
    // Nothing was published to the edge: the stream is the origin's.
    CHECK(origin.listed("stream0"));

    origin.unpublish(pub);
    edge.stop(std::chrono::milliseconds(10000));
    origin.stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}
