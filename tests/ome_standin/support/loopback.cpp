#include "loopback.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <fstream>
#include <list>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ovs::standin_test {

using tcp = asio::ip::tcp;

asio::awaitable<http_reply> http_call(std::uint16_t port,
                                      std::string method,
                                      std::string target,
                                      std::optional<std::string> authorization,
                                      std::string body)
{
    auto ex = co_await asio::this_coro::executor;
    beast::tcp_stream stream(ex);
    stream.expires_after(std::chrono::seconds(5));
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::use_awaitable);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    if (authorization) req.set(http::field::authorization, *authorization);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.keep_alive(false);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.skip(req.method() == http::verb::head);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    http_reply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    for (auto const& field : parser.get()) {
        reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    reply.body = parser.get().body();
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return reply;
}

struct webhook_receiver::state {
    explicit state(asio::any_io_executor executor)
        : ex(executor), acceptor(executor), notify(executor, asio::steady_timer::time_point::max())
    {
    }
    asio::any_io_executor ex;
    tcp::acceptor acceptor;
    asio::steady_timer notify;
    std::vector<received_webhook> received;
    std::list<std::weak_ptr<tcp::socket>> sockets;
    std::function<webhook_answer(std::string const&, std::string const&)> answer;
    bool stopped = false;
};

namespace {

using state_ptr = std::shared_ptr<webhook_receiver::state>;

struct ignore_failure {
    void operator()(std::exception_ptr) const {}
};

asio::awaitable<void> receiver_session(state_ptr self, std::shared_ptr<tcp::socket> socket)
{
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    auto [ec, n] = co_await http::async_read(*socket, buffer, parser, use_nothrow);
    if (ec) co_return;
    received_webhook w;
    w.method = std::string(parser.get().method_string());
    w.target = std::string(parser.get().target());
    for (auto const& field : parser.get()) {
        w.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    w.body = parser.get().body();
    std::string status;
    auto const parsed = nlohmann::json::parse(w.body, nullptr, false);
    if (!parsed.is_discarded())
        status = parsed.value("/request/status"_json_pointer, std::string());
    self->received.push_back(std::move(w));
    self->notify.cancel();
    webhook_answer const a = self->answer(status, self->received.back().body);
    if (a.delay.count() > 0) {
        asio::steady_timer timer(self->ex, a.delay);
        co_await timer.async_wait(use_nothrow);
    }
    std::string const bytes =
        "HTTP/1.1 " + std::to_string(a.status) +
        " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(a.body.size()) +
        "\r\nConnection: close\r\n\r\n" + a.body;
    co_await asio::async_write(*socket, asio::buffer(bytes), use_nothrow);
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> receiver_accept(state_ptr self)
{
    for (;;) {
        auto [ec, socket] = co_await self->acceptor.async_accept(use_nothrow);
        if (ec) co_return;
        auto shared = std::make_shared<tcp::socket>(std::move(socket));
        self->sockets.push_back(shared);
        asio::co_spawn(self->ex, receiver_session(self, shared), ignore_failure{});
    }
}

}  // namespace

webhook_receiver::webhook_receiver(asio::any_io_executor executor)
    : state_(std::make_shared<state>(std::move(executor)))
{
    state_->answer = [](std::string const& status, std::string const&) {
        return status == "opening" ? webhook_answer{200, R"({"allowed": true})", {}}
                                   : webhook_answer{200, "{}", {}};
    };
}

webhook_receiver::~webhook_receiver()
{
    stop();
}

void webhook_receiver::start()
{
    tcp::endpoint const endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    asio::co_spawn(state_->ex, receiver_accept(state_), ignore_failure{});
}

void webhook_receiver::stop()
{
    if (state_->stopped) return;
    state_->stopped = true;
    error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& weak : state_->sockets) {
        if (auto s = weak.lock()) s->close(ignored);
    }
    state_->notify.cancel();
}

std::uint16_t webhook_receiver::port() const
{
    return state_->acceptor.local_endpoint().port();
}

void webhook_receiver::set_answer(
    std::function<webhook_answer(std::string const&, std::string const&)> f)
{
    state_->answer = std::move(f);
}

std::vector<received_webhook> const& webhook_receiver::received() const
{
    return state_->received;
}

asio::awaitable<bool> webhook_receiver::wait_for(std::size_t count,
                                                 std::chrono::milliseconds timeout)
{
    auto self = state_;
    auto const deadline = asio::steady_timer::clock_type::now() + timeout;
    while (self->received.size() < count) {
        if (asio::steady_timer::clock_type::now() >= deadline || self->stopped) co_return false;
        self->notify.expires_at(deadline);
        co_await self->notify.async_wait(use_nothrow);
    }
    co_return true;
}

void run_scenario(asio::io_context& ioc, asio::awaitable<void> scenario, std::chrono::seconds limit)
{
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(ioc, std::move(scenario), [&](std::exception_ptr e) {
        done = true;
        failure = e;
        ioc.stop();
    });
    ioc.run_for(limit);
    if (failure) std::rethrow_exception(failure);
    if (!done) throw std::runtime_error("scenario did not finish in time");
}

std::string read_fixture(std::string const& relative)
{
    std::ifstream in(std::string(OVS_FIXTURES_DIR) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + relative);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string basic_auth(std::string const& token)
{
    std::string out((token.size() + 2) / 3 * 4 + 1, '\0');
    int const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<unsigned char const*>(token.data()),
                                  static_cast<int>(token.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

std::string expected_signature(std::string const& secret, std::string const& body)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha1(),
         secret.data(),
         static_cast<int>(secret.size()),
         reinterpret_cast<unsigned char const*>(body.data()),
         body.size(),
         digest.data(),
         &length);
    std::string b64(((length + 2) / 3) * 4 + 1, '\0');
    int const n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(b64.data()), digest.data(), static_cast<int>(length));
    b64.resize(static_cast<std::size_t>(n));
    for (char& c : b64) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return b64;
}

std::string mask_json(std::string const& raw, std::vector<std::string> const& keys)
{
    static std::regex const time_format(
        R"(^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"$)");
    std::string alternatives;
    for (auto const& k : keys) alternatives += (alternatives.empty() ? "" : "|") + k;
    std::regex const pattern(
        "\"(" + alternatives +
        R"re()":("(?:[^"\\]|\\.)*"|-?[0-9]+\.[0-9]+(?:e[+-]?[0-9]+)?|-?[0-9]+))re");
    std::string out;
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(raw.begin(), raw.end(), pattern);
         it != std::sregex_iterator();
         ++it) {
        auto const& m = *it;
        out.append(raw, last, static_cast<std::size_t>(m.position(0)) - last);
        std::string const key = m[1].str();
        std::string const value = m[2].str();
        std::string placeholder;
        if (value.front() == '"') {
            bool const is_time = key.find("Time") != std::string::npos || key == "time";
            placeholder = is_time ? (std::regex_match(value, time_format) ? "T" : "BADTIME") : "S";
        } else {
            placeholder = value.find('.') != std::string::npos ? "F" : "I";
        }
        out += "\"" + key + "\":" + placeholder;
        last = static_cast<std::size_t>(m.position(0) + m.length(0));
    }
    out.append(raw, last, std::string::npos);
    return out;
}

header_list recorded_headers(std::string const& text)
{
    header_list out;
    std::istringstream in(text);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (first) {
            first = false;
            continue;
        }
        if (line.empty()) break;
        auto const colon = line.find(": ");
        out.emplace_back(line.substr(0, colon),
                         colon == std::string::npos ? "" : line.substr(colon + 2));
    }
    return out;
}

}  // namespace ovs::standin_test
