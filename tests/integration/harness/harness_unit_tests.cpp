// The harness's pure parts: what a real OME gets (environment, config
// files) and how the harness tells which encoder OME took.

#include "ome_config.hpp"
#include "ports.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sys/wait.h>
#include <unistd.h>

using namespace ovs::integration;

namespace {

bool has(const std::vector<std::string>& env, const std::string& entry)
{
    return std::find(env.begin(), env.end(), entry) != env.end();
}

ome_ports sample_ports()
{
    ome_ports p;
    p.api = 21001;
    p.rtmp = 21002;
    p.srt = 21003;
    p.signalling = 21004;
    p.ice_first = 21010;
    p.ice_count = 5;
    p.tcp_relay = 21005;
    p.ovt = 21008;
    return p;
}

}  // namespace

TEST_CASE("a test OME's environment names every port, loopback and the secrets", "[harness]")
{
    ome_settings s;
    s.token = "tok";
    s.webhook_secret = "sec";
    s.webhook_url = "http://127.0.0.1:21999/v1/admission";
    const auto env = ome_environment(s, sample_ports());
    CHECK(has(env, "OME_BIND_IP=127.0.0.1"));
    CHECK(has(env, "OME_HOST_IP=127.0.0.1"));
    CHECK(has(env, "OME_API_PORT=21001"));
    CHECK(has(env, "OME_RTMP_PROV_PORT=21002"));
    CHECK(has(env, "OME_SRT_PROV_PORT=21003"));
    CHECK(has(env, "OME_WEBRTC_SIGNALLING_PORT=21004"));
    CHECK(has(env, "OME_LLHLS_STREAM_PORT=21004"));
    CHECK(has(env, "OME_WEBRTC_CANDIDATE_PORT=21010-21014/udp"));
    CHECK(has(env, "OME_WEBRTC_TCP_RELAY_PORT=21005"));
    CHECK(has(env, "OME_OVT_PORT=21008"));
    CHECK(has(env, "OVENSPACE_OME_API_TOKEN=tok"));
    CHECK(has(env, "OVENSPACE_WEBHOOK_SECRET=sec"));
    CHECK(has(env, "OVENSPACE_WEBHOOK_URL=http://127.0.0.1:21999/v1/admission"));
    CHECK_FALSE(std::any_of(env.begin(), env.end(), [](const auto& e) {
        return e.rfind("OME_API_TLS_PORT=", 0) == 0;
    }));

    s.tls = ome_tls_files{"/t/c.pem", "/t/k.pem", "/t/ca.pem"};
    s.extra_env = {"OVENSPACE_OME_AAC_BYPASS=false"};
    auto p = sample_ports();
    p.api_tls = 21006;
    p.signalling_tls = 21007;
    const auto tls = ome_environment(s, p);
    CHECK(has(tls, "OME_API_TLS_PORT=21006"));
    CHECK(has(tls, "OME_WEBRTC_SIGNALLING_TLS_PORT=21007"));
    CHECK(has(tls, "OME_LLHLS_STREAM_TLS_PORT=21007"));
    CHECK(has(tls, "OME_TLS_CERT_PATH=/t/c.pem"));
    CHECK(has(tls, "OME_TLS_KEY_PATH=/t/k.pem"));
    CHECK(has(tls, "OME_TLS_CHAIN_PATH=/t/ca.pem"));
    CHECK(tls.back() == "OVENSPACE_OME_AAC_BYPASS=false");
}

TEST_CASE("open mode drops the AdmissionWebhooks element and nothing else", "[harness]")
{
    const std::string xml =
        "<VirtualHost><Name>default</Name>\n<AdmissionWebhooks><Timeout>3000</Timeout>"
        "</AdmissionWebhooks>\n<Applications/></VirtualHost>";
    CHECK(without_admission_webhooks(xml) ==
          "<VirtualHost><Name>default</Name>\n\n<Applications/></VirtualHost>");
    CHECK_THROWS_AS(without_admission_webhooks("<VirtualHost/>"), std::invalid_argument);
    CHECK_THROWS_AS(without_admission_webhooks("<!-- <AdmissionWebhooks></AdmissionWebhooks> -->"),
                    std::invalid_argument);
    CHECK_THROWS_AS(without_admission_webhooks("<AdmissionWebhooks></AdmissionWebhooks>"
                                               "<AdmissionWebhooks></AdmissionWebhooks>"),
                    std::invalid_argument);
}

TEST_CASE("the test's Logger.xml writes into the test's directory", "[harness]")
{
    const std::string xml =
        "<Logger version=\"2\">\n\t<Path>/var/log/ovenmediaengine</Path>\n"
        "\t<Tag name=\".*\" level=\"info\" />\n</Logger>";
    CHECK(logger_xml_logging_to(xml, "/tmp/t/logs") ==
          "<Logger version=\"2\">\n\t<Path>/tmp/t/logs</Path>\n"
          "\t<Tag name=\".*\" level=\"info\" />\n</Logger>");
    CHECK_THROWS_AS(logger_xml_logging_to("<Logger/>", "/x"), std::invalid_argument);
    // A comment that names the element is not the element.
    CHECK(logger_xml_logging_to("<!-- <Path> is literal -->\n<Logger><Path>a</Path></Logger>",
                                "/b") ==
          "<!-- <Path> is literal -->\n<Logger><Path>/b</Path></Logger>");
}

TEST_CASE("an OME input's sourceUrl names the encoder's port", "[harness]")
{
    CHECK(source_url_port("TCP://127.0.0.1:38970") == std::uint16_t{38970});
    CHECK(source_url_port("SRT://127.0.0.1:50804") == std::uint16_t{50804});
    CHECK_FALSE(source_url_port("TCP://127.0.0.1"));
    CHECK_FALSE(source_url_port("TCP://127.0.0.1:"));
    CHECK_FALSE(source_url_port("TCP://127.0.0.1:99999"));
    CHECK_FALSE(source_url_port("TCP://127.0.0.1:12a"));
    CHECK_FALSE(source_url_port(""));
}

TEST_CASE("a process's local ports come from the /proc/net rows of its socket inodes", "[harness]")
{
    // Two rows of a real /proc/net/tcp: 127.0.0.1:38970 -> :1935 (inode
    // 4242) and a listener on :5000 (inode 77).
    const std::string table =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:983A 0100007F:078F 01 00000000:00000000 00:00000000 00000000     0        "
        "0 4242 1 0000000000000000 20 4 30 10 -1\n"
        "   1: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
        "0 77 1 0000000000000000 100 0 0 10 0\n";
    CHECK(local_ports_of_inodes(table, {4242}) == std::set<std::uint16_t>{38970});
    CHECK(local_ports_of_inodes(table, {4242, 77}) == std::set<std::uint16_t>{38970, 5000});
    CHECK(local_ports_of_inodes(table, {9}).empty());
    CHECK(local_ports_of_inodes("", {4242}).empty());
}

TEST_CASE("a port one test process picked is not claimable by another", "[harness]")
{
    const auto picked = pick_free_port(transport::tcp);
    const auto fresh = static_cast<std::uint16_t>(picked == 31999 ? 20000 : picked + 1);
    // The child is another process: it must not get the parent's port, and
    // (as a check that claiming works at all) gets a port nobody holds.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const int code = (claim_port(picked) ? 1 : 0) | (claim_port(fresh) ? 0 : 2);
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK((WEXITSTATUS(status) & 1) == 0);  // the parent's port was refused
    CHECK((WEXITSTATUS(status) & 2) == 0);  // a free one was granted
}
