#pragma once
// What a real OME needs to run inside a test, as pure functions: its ports,
// the environment that puts them (and the secrets) into the Server.xml we
// ship, the variant of that file for an OME without AdmissionWebhooks, a
// Logger.xml that writes where the test keeps its logs, and how to tell
// which encoder OME took as a stream's input. Unit-tested without OME
// (harness_unit_tests); ome_process runs it.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ovs::integration {

// Every port a test OME binds, all free at the time they were picked.
struct ome_ports {
    std::uint16_t api = 0;
    std::uint16_t rtmp = 0;
    std::uint16_t srt = 0;         // UDP
    std::uint16_t signalling = 0;  // WebRTC signalling, WHIP and LL-HLS
    std::uint16_t ice_first = 0;   // UDP, ice_count consecutive ports
    unsigned ice_count = 5;
    std::uint16_t tcp_relay = 0;  // the built-in TURN relay
    std::uint16_t ovt = 0;        // the origin's OVT publisher (edges pull from it)
    // TLS listeners (Server.tls.xml only; 0 otherwise).
    std::uint16_t api_tls = 0;
    std::uint16_t signalling_tls = 0;

    static ome_ports pick(bool tls);
};

struct ome_tls_files {
    std::string cert;   // PEM certificate
    std::string key;    // its private key
    std::string chain;  // intermediate chain (may be the CA itself)
};

// The settings of one OME run; the file contents are those we ship.
struct ome_settings {
    std::string token;           // Managers/API/AccessToken
    std::string webhook_secret;  // AdmissionWebhooks/SecretKey
    std::string webhook_url;     // where OME sends admission requests
    std::optional<ome_tls_files> tls;
    // More NAME=value pairs (e.g. OVENSPACE_OME_AAC_BYPASS=false).
    std::vector<std::string> extra_env;
};

// The NAME=value list that makes deploy/ome/Server.xml (or Server.tls.xml)
// bind exactly `ports` on 127.0.0.1 and hand out 127.0.0.1 candidates.
std::vector<std::string> ome_environment(const ome_settings& settings, const ome_ports& ports);

// `server_xml` with its <AdmissionWebhooks> element removed: an OME that
// admits every publisher (the open-mode deployment). Throws
// std::invalid_argument when the element is not there exactly once.
std::string without_admission_webhooks(const std::string& server_xml);

// `logger_xml` with its <Path> set to `dir` (OME takes it as is, without
// macros; a relative path would land in OME's working directory).
std::string logger_xml_logging_to(const std::string& logger_xml, const std::string& dir);

// The port of an OME input `sourceUrl` ("TCP://127.0.0.1:38970",
// "SRT://127.0.0.1:50804"); nullopt when it has none.
std::optional<std::uint16_t> source_url_port(const std::string& source_url);

// The local ports of the sockets with the given inodes in one
// /proc/net/{tcp,udp}[6] table.
std::set<std::uint16_t> local_ports_of_inodes(const std::string& proc_net_table,
                                              const std::set<unsigned long>& inodes);

// The local ports of every TCP/UDP socket process `pid` holds (reads /proc).
std::set<std::uint16_t> local_ports_of_process(int pid);

}  // namespace ovs::integration
