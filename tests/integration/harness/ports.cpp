#include "ports.hpp"

#include <arpa/inet.h>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <set>
#include <stdexcept>
#include <sys/socket.h>
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
        return first;
    }
    throw std::runtime_error("no free port range found in 20000..32000");
}

std::uint16_t pick_free_port(transport t)
{
    return pick_free_port_range(t, 1);
}

}  // namespace ovs::integration
