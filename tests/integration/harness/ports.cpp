#include "ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ovs::integration {

namespace {

bool can_bind(std::uint16_t port, transport t)
{
    const int fd = ::socket(AF_INET, t == transport::tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (fd < 0) return false;
    const int one = 1;
    if (t == transport::tcp) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

// Test processes run side by side (ctest -j) and each picks ports on its own:
// a port that one process found free and handed to an OME can be found free
// by another before that OME binds it. A port is therefore also claimed
// across processes, with an advisory lock on a file named after it that this
// process holds until it exits (the kernel drops the lock when a process
// dies, so nothing stale is left behind).
bool claim_port(std::uint16_t port)
{
    static const std::string dir = "/tmp/ovenspace-test-ports";
    ::mkdir(dir.c_str(), 0777);
    const std::string path = dir + "/" + std::to_string(port);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return true;  // no claim possible here: fall back to the bind check alone
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;  // held (fd stays open) until exit
    ::close(fd);
    return false;
}

std::uint16_t pick_free_port_range(transport t, unsigned count)
{
    static std::mutex mutex;
    // One set for both transports: a number handed out once is not reused,
    // which keeps a test's configuration readable (no TCP 21000 and UDP
    // 21000 side by side).
    static std::set<std::uint16_t> handed_out;
    static std::mt19937 rng{std::random_device{}()};
    if (count == 0 || count > 100) throw std::invalid_argument("pick_free_port_range: count");
    std::lock_guard lock(mutex);
    std::uniform_int_distribution<int> dist(20000, 32000 - static_cast<int>(count));
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const auto first = static_cast<std::uint16_t>(dist(rng));
        bool ok = true;
        for (unsigned i = 0; ok && i < count; ++i) {
            const auto port = static_cast<std::uint16_t>(first + i);
            ok = !handed_out.count(port) && can_bind(port, t);
        }
        if (!ok) continue;
        for (unsigned i = 0; i < count; ++i)
            handed_out.insert(static_cast<std::uint16_t>(first + i));
        // A port another test process holds makes the whole range unusable;
        // the ports claimed so far stay marked as handed out (never reused).
        for (unsigned i = 0; ok && i < count; ++i)
            ok = claim_port(static_cast<std::uint16_t>(first + i));
        if (!ok) continue;
        return first;
    }
    throw std::runtime_error("no free port range found in 20000..32000");
}

std::uint16_t pick_free_port(transport t)
{
    return pick_free_port_range(t, 1);
}

}  // namespace ovs::integration
