#pragma once
// A real redis-server (Debian's) for one test: a free loopback port, no
// persistence, its own temporary directory, stopped when the object goes
// away. restart() brings it back on the same port (an outage the client must
// ride out); pause()/resume() freeze it (a server that stops answering but
// keeps its sockets). OVENSPACE_TEST_REDIS_SERVER overrides the binary.

#include "child_process.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ovs::test {

class redis_server {
public:
    // Starts it and waits until it answers PING (throws if it does not
    // within 10 s). `extra_args` go on its command line ("--requirepass x").
    explicit redis_server(std::vector<std::string> extra_args = {});
    ~redis_server();
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const;  // redis://127.0.0.1:PORT/0 (no password)

    void stop();      // SIGTERM, wait
    void kill_now();  // SIGKILL
    void start();     // again, same port; waits until it answers
    void pause();     // SIGSTOP
    void resume();    // SIGCONT
    bool running();

    // One command through a plain blocking socket (for test set-up and
    // checks that must not depend on the client under test). Returns the
    // raw RESP reply text.
    std::string raw_command(const std::vector<std::string>& args) const;

    std::string diagnostics() const;

private:
    bool answers_ping() const;

    std::uint16_t port_ = 0;
    std::string dir_;
    std::vector<std::string> extra_args_;
    std::unique_ptr<integration::child_process> process_;
    unsigned starts_ = 0;
};

}  // namespace ovs::test
