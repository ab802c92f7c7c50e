// ovenspace-ome-standin: the OME stand-in as a process, for integration and
// browser tests. Prints one JSON line with the bound ports, then serves until
// SIGINT/SIGTERM.
#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

using namespace ovs::ome_standin;

void usage(std::ostream& out)
{
    out << "usage: ovenspace-ome-standin [options]\n"
           "  --api-address A       REST API bind address (127.0.0.1)\n"
           "  --api-port N          REST API port, 0 = ephemeral (0)\n"
           "  --control-address A   control bind address (127.0.0.1)\n"
           "  --control-port N      control port, 0 = ephemeral (0)\n"
           "  --token T             AccessToken (ome-access-token)\n"
           "  --version V           0.15 | 0.18 | 0.19 | 0.20 | 0.21 (0.20)\n"
           "  --vhost NAME          a virtual host (repeatable; default 'default')\n"
           "  --app NAME            an application (repeatable; default 'app')\n"
           "  --webhook-url URL     AdmissionWebhooks ControlServerUrl (http://..., off if "
           "absent)\n"
           "  --webhook-secret S    AdmissionWebhooks SecretKey\n"
           "  --webhook-timeout MS  AdmissionWebhooks Timeout (3000)\n"
           "  --webhook-providers L comma list (rtmp,webrtc,srt)\n"
           "  --webhook-publishers L comma list (webrtc,llhls)\n"
           "  --public-host H       host in request.url values (127.0.0.1)\n"
           "  --rtmp-port N --srt-port N --webrtc-port N --llhls-port N   (1935, 9999, 3333, "
           "3333)\n";
}

std::vector<std::string> split_commas(std::string const& s)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t const comma = s.find(',', start);
        std::string item =
            s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::uint16_t parse_port(std::string const& flag, std::string const& value)
{
    char* end = nullptr;
    unsigned long const n = std::strtoul(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || n > 65535) {
        throw std::invalid_argument(flag + " needs a port number 0..65535, got '" + value + "'");
    }
    return static_cast<std::uint16_t>(n);
}

standin_config parse_args(int argc, char** argv)
{
    standin_config config;
    std::vector<std::string> vhosts;
    std::vector<std::string> apps;
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            usage(std::cout);
            std::exit(0);
        }
        if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value (or unknown flag)");
        std::string const value = argv[++i];
        if (flag == "--api-address") {
            config.api_address = value;
        } else if (flag == "--api-port") {
            config.api_port = parse_port(flag, value);
        } else if (flag == "--control-address") {
            config.control_address = value;
        } else if (flag == "--control-port") {
            config.control_port = parse_port(flag, value);
        } else if (flag == "--token") {
            config.access_token = value;
        } else if (flag == "--version") {
            auto const v = parse_ome_version(value);
            if (!v) throw std::invalid_argument("--version must be 0.15, 0.18, 0.19, 0.20 or 0.21");
            config.version = *v;
        } else if (flag == "--vhost") {
            vhosts.push_back(value);
        } else if (flag == "--app") {
            apps.push_back(value);
        } else if (flag == "--webhook-url") {
            config.webhook_url = value;
        } else if (flag == "--webhook-secret") {
            config.webhook_secret = value;
        } else if (flag == "--webhook-timeout") {
            config.webhook_timeout = std::chrono::milliseconds(std::stoul(value));
        } else if (flag == "--webhook-providers") {
            config.webhook_providers = split_commas(value);
        } else if (flag == "--webhook-publishers") {
            config.webhook_publishers = split_commas(value);
        } else if (flag == "--public-host") {
            config.public_host = value;
        } else if (flag == "--rtmp-port") {
            config.rtmp_port = parse_port(flag, value);
        } else if (flag == "--srt-port") {
            config.srt_port = parse_port(flag, value);
        } else if (flag == "--webrtc-port") {
            config.webrtc_port = parse_port(flag, value);
        } else if (flag == "--llhls-port") {
            config.llhls_port = parse_port(flag, value);
        } else {
            throw std::invalid_argument("unknown flag " + flag);
        }
    }
    if (!vhosts.empty()) config.vhosts = vhosts;
    if (!apps.empty()) config.apps = apps;
    return config;
}

}  // namespace

int main(int argc, char** argv)
{
    standin_config config;
    try {
        config = parse_args(argc, argv);
    } catch (std::exception const& e) {
        std::cerr << "ovenspace-ome-standin: " << e.what() << "\n";
        usage(std::cerr);
        return 2;
    }
    try {
        boost::asio::io_context ioc;
        ome_standin standin(ioc.get_executor(), config);
        standin.start();
        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&standin](boost::system::error_code const&, int) { standin.stop(); });
        // The one line scripts read to find the ports (no secrets in it).
        std::cout << "{\"api_port\":" << standin.api_port()
                  << ",\"control_port\":" << standin.control_port() << ",\"version\":\""
                  << version_string(config.version) << "\"}" << std::endl;
        ioc.run();
    } catch (std::exception const& e) {
        std::cerr << "ovenspace-ome-standin: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
