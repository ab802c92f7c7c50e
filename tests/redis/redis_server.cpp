#include "redis_server.hpp"

#include "deadline.hpp"
#include "ports.hpp"

#include <ovs/testing/temp_files.hpp>

#include <arpa/inet.h>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace ovs::test {
namespace {

std::string binary()
{
    const char* env = std::getenv("OVENSPACE_TEST_REDIS_SERVER");
    return env && *env ? env : "/usr/bin/redis-server";
}

// One request/answer over a fresh blocking socket with a 1 s timeout.
std::string round_trip(std::uint16_t port, const std::string& payload)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::send(fd, payload.data(), payload.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(payload.size())) {
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) answer.assign(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

}  // namespace

redis_server::redis_server(std::vector<std::string> extra_args)
    : port_(integration::pick_free_port()),
      dir_(ovs::testing::make_temp_dir("ovs-redis")),
      extra_args_(std::move(extra_args))
{
    start();
}

redis_server::~redis_server()
{
    if (process_) process_->stop(std::chrono::milliseconds(3000));
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string redis_server::url() const
{
    return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

void redis_server::start()
{
    if (process_ && process_->running()) return;
    std::vector<std::string> args{"--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--dir",
                                  dir_,
                                  "--daemonize",
                                  "no",
                                  "--logfile",
                                  ""};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    const std::string log_prefix = dir_ + "/redis-" + std::to_string(++starts_);
    process_ =
        std::make_unique<integration::child_process>("redis-server", binary(), args, log_prefix);
    const bool ok = integration::poll_until([&] { return answers_ping() || !process_->running(); },
                                            std::chrono::seconds(10));
    if (!ok || !process_->running()) {
        throw std::runtime_error("redis-server did not start: " + diagnostics());
    }
}

bool redis_server::answers_ping() const
{
    const auto answer = round_trip(port_, "*1\r\n$4\r\nPING\r\n");
    // "+PONG", or "-NOAUTH ..." when a password is required: either way it is up.
    return answer.rfind("+PONG", 0) == 0 || answer.rfind("-NOAUTH", 0) == 0;
}

std::string redis_server::raw_command(const std::vector<std::string>& args) const
{
    std::string payload = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) payload += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return round_trip(port_, payload);
}

void redis_server::stop()
{
    if (process_) process_->stop(std::chrono::milliseconds(3000));
}

void redis_server::kill_now()
{
    if (process_) process_->kill_now();
}

void redis_server::pause()
{
    if (process_) process_->pause();
}

void redis_server::resume()
{
    if (process_) process_->resume();
}

bool redis_server::running()
{
    return process_ && process_->running();
}

std::string redis_server::diagnostics() const
{
    return process_ ? process_->output_tail() : std::string("(not started)");
}

}  // namespace ovs::test
