#include "http_client.hpp"

#include <ovs/net/net.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace ovs::integration {

namespace {

using tcp = asio::ip::tcp;

struct exchange {
    beast::tcp_stream stream;
    http::request<http::string_body> req;
    http::response_parser<http::string_body> parser;
    beast::flat_buffer buffer;
    http_result result;
    bool done = false;

    explicit exchange(asio::io_context& io) : stream(io) { parser.body_limit(64 * 1024 * 1024); }

    void fail(const char* what, const error_code& ec)
    {
        result.status = 0;
        result.error = std::string(what) + ": " + ec.message();
        done = true;
    }
};

}  // namespace

http_result http_request(const http_call& call)
{
    asio::io_context io;
    exchange x(io);
    x.req.method_string(call.method);
    x.req.target(call.target);
    x.req.version(11);
    x.req.set(http::field::host, call.host + ":" + std::to_string(call.port));
    x.req.set(http::field::connection, "close");
    for (const auto& [k, v] : call.headers) x.req.set(k, v);
    if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
        x.req.set(http::field::content_type, call.content_type);
        x.req.body() = call.body;
        x.req.prepare_payload();
    }
    error_code addr_ec;
    const auto address = asio::ip::make_address(call.host, addr_ec);
    if (addr_ec) {
        x.result.error = "bad host " + call.host;
        return x.result;
    }
    x.stream.expires_after(call.timeout);
    x.stream.async_connect(tcp::endpoint(address, call.port), [&](const error_code& ec) {
        if (ec) return x.fail("connect", ec);
        http::async_write(x.stream, x.req, [&](const error_code& wec, std::size_t) {
            if (wec) return x.fail("write", wec);
            http::async_read(x.stream, x.buffer, x.parser, [&](const error_code& rec, std::size_t) {
                if (rec) return x.fail("read", rec);
                const auto& res = x.parser.get();
                x.result.status = static_cast<int>(res.result_int());
                x.result.body = res.body();
                for (const auto& field : res) {
                    std::string name(field.name_string());
                    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
                        return static_cast<char>(std::tolower(c));
                    });
                    x.result.headers[name] = std::string(field.value());
                }
                x.done = true;
            });
        });
    });
    // tcp_stream's expiry bounds the whole exchange; run_for is a backstop.
    io.run_for(call.timeout + std::chrono::milliseconds(500));
    if (!x.done) {
        x.result.status = 0;
        x.result.error = "timeout";
    }
    return x.result;
}

std::optional<double> metric_sum(const std::string& metrics_text,
                                 const std::string& name,
                                 const std::string& label_filter)
{
    std::istringstream lines(metrics_text);
    std::string line;
    std::optional<double> sum;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.compare(0, name.size(), name) != 0) continue;
        const char next = line.size() > name.size() ? line[name.size()] : '\0';
        if (next != '{' && next != ' ') continue;
        std::string labels;
        auto value_at = line.find(' ', name.size());
        if (next == '{') {
            const auto close = line.find('}', name.size());
            if (close == std::string::npos) continue;
            labels = line.substr(name.size() + 1, close - name.size() - 1);
            value_at = line.find(' ', close);
        }
        if (!label_filter.empty() && labels.find(label_filter) == std::string::npos) continue;
        if (value_at == std::string::npos) continue;
        try {
            sum = sum.value_or(0.0) + std::stod(line.substr(value_at + 1));
        } catch (const std::exception&) {
            continue;
        }
    }
    return sum;
}

}  // namespace ovs::integration
