#pragma once
// Test-side helpers (no Beast in this header): a raw HTTP client, a tiny
// webhook receiver standing in for the gateway's control server, fixture
// reading and the masking used to compare against recorded OME bytes.

#include <ovs/net/net.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ovs::standin_test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_reply {
    int status = 0;
    header_list headers;  // in the order received
    std::string body;
};

asio::awaitable<http_reply> http_call(std::uint16_t port,
                                      std::string method,
                                      std::string target,
                                      std::optional<std::string> authorization,
                                      std::string body = {});

struct received_webhook {
    std::string method;
    std::string target;
    header_list headers;
    std::string body;
};

struct webhook_answer {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};
};

class webhook_receiver {
public:
    explicit webhook_receiver(asio::any_io_executor executor);
    ~webhook_receiver();
    void start();
    void stop();
    std::uint16_t port() const;
    // Chooses the answer from the request's status ("opening"/"closing") and body.
    void set_answer(
        std::function<webhook_answer(std::string const& status, std::string const& body)> f);
    std::vector<received_webhook> const& received() const;
    // Waits until `count` webhooks arrived; false when the timeout passes first.
    asio::awaitable<bool> wait_for(std::size_t count, std::chrono::milliseconds timeout);
    struct state;

private:
    std::shared_ptr<state> state_;
};

// Runs a scenario coroutine on ioc, bounded in time; rethrows its failure.
void run_scenario(asio::io_context& ioc,
                  asio::awaitable<void> scenario,
                  std::chrono::seconds limit);

std::string read_fixture(std::string const& relative);
std::string basic_auth(std::string const& token);
// The test's own X-OME-Signature computation (OpenSSL), independent of the stand-in's.
std::string expected_signature(std::string const& secret, std::string const& body);

// Replaces volatile values (by key) with a placeholder that still shows the
// JSON type: "S"(string) F(float) I(int), timestamps with T when they have
// OME's format (else BADTIME). Raw bytes otherwise untouched.
std::string mask_json(std::string const& raw, std::vector<std::string> const& keys);

// Header names and values of a recorded "*.headers.txt" (first line skipped).
header_list recorded_headers(std::string const& text);

}  // namespace ovs::standin_test
