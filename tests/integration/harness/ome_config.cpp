#include "ome_config.hpp"

#include "child_process.hpp"
#include "ports.hpp"

#include <dirent.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace ovs::integration {

ome_ports ome_ports::pick(bool tls)
{
    ome_ports p;
    p.api = pick_free_port(transport::tcp);
    p.rtmp = pick_free_port(transport::tcp);
    p.srt = pick_free_port(transport::udp);
    p.signalling = pick_free_port(transport::tcp);
    p.ice_first = pick_free_port_range(transport::udp, p.ice_count);
    p.tcp_relay = pick_free_port(transport::tcp);
    p.ovt = pick_free_port(transport::tcp);
    if (tls) {
        p.api_tls = pick_free_port(transport::tcp);
        p.signalling_tls = pick_free_port(transport::tcp);
    }
    return p;
}

std::vector<std::string> ome_environment(const ome_settings& s, const ome_ports& p)
{
    auto port = [](std::uint16_t v) { return std::to_string(v); };
    std::vector<std::string> env{
        "OME_BIND_IP=127.0.0.1",
        "OME_HOST_IP=127.0.0.1",
        "OME_API_PORT=" + port(p.api),
        "OME_RTMP_PROV_PORT=" + port(p.rtmp),
        "OME_SRT_PROV_PORT=" + port(p.srt),
        "OME_WEBRTC_SIGNALLING_PORT=" + port(p.signalling),
        "OME_LLHLS_STREAM_PORT=" + port(p.signalling),
        "OME_WEBRTC_CANDIDATE_PORT=" + port(p.ice_first) + "-" +
            std::to_string(p.ice_first + p.ice_count - 1) + "/udp",
        "OME_WEBRTC_TCP_RELAY_PORT=" + port(p.tcp_relay),
        "OME_OVT_PORT=" + port(p.ovt),
        "OVENSPACE_OME_API_TOKEN=" + s.token,
        "OVENSPACE_WEBHOOK_SECRET=" + s.webhook_secret,
        "OVENSPACE_WEBHOOK_URL=" + s.webhook_url,
    };
    if (s.tls) {
        env.insert(env.end(),
                   {"OME_API_TLS_PORT=" + port(p.api_tls),
                    "OME_WEBRTC_SIGNALLING_TLS_PORT=" + port(p.signalling_tls),
                    "OME_LLHLS_STREAM_TLS_PORT=" + port(p.signalling_tls),
                    "OME_TLS_CERT_PATH=" + s.tls->cert,
                    "OME_TLS_KEY_PATH=" + s.tls->key,
                    "OME_TLS_CHAIN_PATH=" + s.tls->chain});
    }
    env.insert(env.end(), s.extra_env.begin(), s.extra_env.end());
    return env;
}

namespace {

// The first `needle` at or after `from` that is not inside an XML comment
// (the shipped files explain their elements in comments that name them).
std::size_t find_outside_comments(const std::string& xml,
                                  const std::string& needle,
                                  std::size_t from = 0)
{
    while (true) {
        const auto hit = xml.find(needle, from);
        const auto comment = xml.find("<!--", from);
        if (hit == std::string::npos || comment == std::string::npos || hit < comment) return hit;
        const auto comment_end = xml.find("-->", comment + 4);
        if (comment_end == std::string::npos) return std::string::npos;
        from = comment_end + 3;
    }
}

}  // namespace

std::string without_admission_webhooks(const std::string& xml)
{
    const std::string open = "<AdmissionWebhooks>";
    const std::string close = "</AdmissionWebhooks>";
    const auto begin = find_outside_comments(xml, open);
    const auto end =
        begin == std::string::npos ? std::string::npos : find_outside_comments(xml, close, begin);
    if (begin == std::string::npos || end == std::string::npos ||
        find_outside_comments(xml, open, end) != std::string::npos) {
        throw std::invalid_argument("Server.xml must hold exactly one <AdmissionWebhooks> element");
    }
    return xml.substr(0, begin) + xml.substr(end + close.size());
}

std::string logger_xml_logging_to(const std::string& xml, const std::string& dir)
{
    const auto begin = find_outside_comments(xml, "<Path>");
    const auto end = begin == std::string::npos ? std::string::npos
                                                : find_outside_comments(xml, "</Path>", begin);
    if (begin == std::string::npos || end == std::string::npos) {
        throw std::invalid_argument("Logger.xml has no <Path>");
    }
    return xml.substr(0, begin) + "<Path>" + dir + xml.substr(end);
}

std::optional<std::uint16_t> source_url_port(const std::string& url)
{
    const auto colon = url.rfind(':');
    if (colon == std::string::npos || colon + 1 >= url.size()) return std::nullopt;
    unsigned long value = 0;
    for (auto i = colon + 1; i < url.size(); ++i) {
        if (url[i] < '0' || url[i] > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned long>(url[i] - '0');
        if (value > 65535) return std::nullopt;
    }
    if (value == 0) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::set<std::uint16_t> local_ports_of_inodes(const std::string& table,
                                              const std::set<unsigned long>& inodes)
{
    // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when
    //  retrnsmt   uid  timeout inode": local_address is HEXIP:HEXPORT and
    // the inode is the 10th field.
    std::set<std::uint16_t> ports;
    std::istringstream lines(table);
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
        unsigned long inode = 0;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
              timeout >> inode)) {
            continue;
        }
        if (!inodes.count(inode)) continue;
        const auto colon = local.rfind(':');
        if (colon == std::string::npos) continue;
        ports.insert(static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
    }
    return ports;
}

std::set<std::uint16_t> local_ports_of_process(int pid)
{
    std::set<unsigned long> inodes;
    const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(fd_dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            char target[128];
            const std::string link = fd_dir + "/" + e->d_name;
            const auto n = ::readlink(link.c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            const std::string text(target, static_cast<std::size_t>(n));
            // "socket:[12345]"
            if (text.rfind("socket:[", 0) == 0 && text.back() == ']') {
                inodes.insert(std::stoul(text.substr(8, text.size() - 9)));
            }
        }
        ::closedir(d);
    }
    std::set<std::uint16_t> ports;
    if (inodes.empty()) return ports;
    for (const char* table : {"tcp", "tcp6", "udp", "udp6"}) {
        const auto text = read_text_file("/proc/" + std::to_string(pid) + "/net/" + table);
        for (auto p : local_ports_of_inodes(text, inodes)) ports.insert(p);
    }
    return ports;
}

}  // namespace ovs::integration
