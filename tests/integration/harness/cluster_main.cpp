// ovenspace-test-cluster: the integration harness's cluster as a process of
// its own, for tests in other languages (tests/web/media_e2e.mjs) and the
// end-to-end benchmark script. It starts the room service, the gateway and
// the media server exactly as the integration suite does (a real OME when
// OVENSPACE_TEST_OME_BIN names one, else the stand-in), prints one JSON line
// with every port, and stops everything on SIGTERM/SIGINT, or when its
// parent dies. SIGUSR1 first means "the test failed": the processes' output
// is printed on the way out and the temporary directory is kept.
//
//   ovenspace-test-cluster [--web-root DIR] [--seats N] [--lease-ms N]
//       [--grace-ms N] [--poll-ms N] [--outputs-timeout-ms N]
//       [--tls-dir DIR (ca.pem, cert.pem, key.pem)] [--ome-env NAME=VALUE]...

#include "cluster.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>

using namespace ovs::integration;

namespace {

unsigned number(const std::string& flag, const char* value)
{
    try {
        return static_cast<unsigned>(std::stoul(value));
    } catch (const std::exception&) {
        throw std::invalid_argument(flag + " needs a number, got '" + value + "'");
    }
}

cluster_options parse(int argc, char** argv)
{
    cluster_options o;
    o.seats = 9;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
        const char* value = argv[++i];
        if (flag == "--web-root") {
            o.web_root = value;
        } else if (flag == "--seats") {
            o.seats = number(flag, value);
        } else if (flag == "--lease-ms") {
            o.lease_ms = number(flag, value);
        } else if (flag == "--grace-ms") {
            o.grace_ms = number(flag, value);
        } else if (flag == "--poll-ms") {
            o.poll_ms = number(flag, value);
        } else if (flag == "--outputs-timeout-ms") {
            o.outputs_timeout_ms = number(flag, value);
        } else if (flag == "--tls-dir") {
            o.tls_dir = value;
        } else if (flag == "--ome-env") {
            o.ome_env.emplace_back(value);
        } else {
            throw std::invalid_argument("unknown flag " + flag);
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv)
{
    // Stop with the test that started us, whatever happens to it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGUSR1);
    ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    try {
        cluster c(parse(argc, argv));
        auto& m = c.media();
        nlohmann::json ports{{"room_port", c.room_port()},
                             {"gateway_http_port", c.gateway_http_port()},
                             {"dir", c.dir()},
                             {"media",
                              {{"real", m.real()},
                               {"describe", m.describe()},
                               {"api_port", m.api_port()},
                               {"access_token", m.access_token()},
                               {"signalling_port", m.signalling_port()},
                               {"signalling_tls_port", m.signalling_tls_port()},
                               {"api_tls_port", m.api_tls_port()},
                               {"rtmp_port", m.rtmp_port()},
                               {"srt_port", m.srt_port()}}}};
        std::cout << ports.dump() << std::endl;
        int signal = 0;
        while (::sigwait(&stop, &signal) == 0 && signal == SIGUSR1) note_test_failure();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ovenspace-test-cluster: " << e.what() << "\n";
        return 1;
    }
}
