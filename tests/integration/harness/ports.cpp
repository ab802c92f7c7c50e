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

bool can_bind(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

std::uint16_t pick_free_port()
{
    static std::mutex mutex;
    static std::set<std::uint16_t> handed_out;
    static std::mt19937 rng{std::random_device{}()};
    std::lock_guard lock(mutex);
    std::uniform_int_distribution<int> dist(20000, 32000);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const auto port = static_cast<std::uint16_t>(dist(rng));
        if (handed_out.count(port)) continue;
        if (!can_bind(port)) continue;
        handed_out.insert(port);
        return port;
    }
    throw std::runtime_error("no free TCP port found in 20000..32000");
}

}  // namespace ovs::integration
