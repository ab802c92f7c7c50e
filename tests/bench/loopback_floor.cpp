// ovenspace-bench-loopback: the kernel's own cost of one small loopback TCP
// send (a tool, not a test; see scripts/bench_room.sh). The floor the room
// service's fan-out is measured against: N connected pairs, a child process
// reading every client end (pinned to another core, as the load generator
// is), and this process sending R rounds of one B-byte message to each
// server end with a bare send(). Prints user and system CPU per send of the
// sender; the receiver's TCP work on loopback runs in the sender's context
// and is counted in its system time, as it is for the room service.
//
// Usage: ovenspace-bench-loopback [--conns N] [--rounds R] [--bytes B]
//                                 [--reader-cpu C]

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct options {
    std::size_t conns = 10000;
    std::size_t rounds = 50;
    std::size_t bytes = 160;
    int reader_cpu = -1;
};

[[noreturn]] void die(const char* what)
{
    std::perror(what);
    std::exit(1);
}

double cpu_ms(const timeval& t)
{
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
}

// The child: reads everything until every connection is closed.
void read_all(const std::vector<int>& fds)
{
    int ep = epoll_create1(0);
    for (int fd : fds) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
    }
    std::size_t open = fds.size();
    std::vector<epoll_event> events(1024);
    char sink[65536];
    while (open > 0) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            auto got = read(events[static_cast<std::size_t>(i)].data.fd, sink, sizeof sink);
            if (got <= 0) {
                close(events[static_cast<std::size_t>(i)].data.fd);
                --open;
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i];
        auto value = std::strtoul(argv[i + 1], nullptr, 10);
        if (key == "--conns") {
            opt.conns = value;
        } else if (key == "--rounds") {
            opt.rounds = value;
        } else if (key == "--bytes") {
            opt.bytes = value;
        } else if (key == "--reader-cpu") {
            opt.reader_cpu = static_cast<int>(value);
        } else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
    if (listen(listener, 4096) != 0) die("listen");
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

    std::vector<int> clients, servers;
    for (std::size_t i = 0; i < opt.conns; ++i) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0) die("socket");
        if (connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
        int s = accept(listener, nullptr, nullptr);
        if (s < 0) die("accept");
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        clients.push_back(c);
        servers.push_back(s);
    }
    pid_t child = fork();
    if (child == 0) {
        for (int s : servers) close(s);
        if (opt.reader_cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(opt.reader_cpu, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        read_all(clients);
        _exit(0);
    }
    for (int c : clients) close(c);

    std::string message(opt.bytes, 'x');
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    auto t0 = std::chrono::steady_clock::now();
    std::size_t sends = 0;
    for (std::size_t r = 0; r < opt.rounds; ++r) {
        for (int s : servers) {
            if (send(s, message.data(), message.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(message.size()))
                die("send");
            ++sends;
        }
    }
    getrusage(RUSAGE_SELF, &after);
    auto wall = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0);
    for (int s : servers) close(s);
    waitpid(child, nullptr, 0);

    const double n = static_cast<double>(sends);
    const double user = (cpu_ms(after.ru_utime) - cpu_ms(before.ru_utime)) * 1000.0 / n;
    const double sys = (cpu_ms(after.ru_stime) - cpu_ms(before.ru_stime)) * 1000.0 / n;
    std::printf(
        "loopback send of %zu bytes over %zu connections, %zu sends: "
        "user %.2f us, system %.2f us, wall %.2f us per send\n",
        opt.bytes,
        opt.conns,
        sends,
        user,
        sys,
        wall.count() / n);
    return 0;
}
