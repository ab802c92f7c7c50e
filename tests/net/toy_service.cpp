#include "toy_service.hpp"

#include <boost/asio/steady_timer.hpp>

#include <stdexcept>

namespace ovs::net::test {

namespace {

class echo_handler : public ws_handler {
public:
    explicit echo_handler(std::shared_ptr<toy_record> r) : record_(std::move(r)) {}

    void on_open(ws_session& s) override { record_->sessions.push_back(s.weak_from_this()); }

    void on_message(ws_session& s, std::string_view data) override
    {
        if (data == "close") {
            s.close(4000, "bye");
            return;
        }
        if (data.rfind("flood ", 0) == 0) {
            auto n = std::stoul(std::string(data.substr(6)));
            auto big = make_frame(std::string(16 * 1024, 'x'));
            for (unsigned long i = 0; i < n; ++i) {
                if (s.send(big) != ws_session::send_result::queued) break;
            }
            return;
        }
        if (data.rfind("burst ", 0) == 0) {
            // Frames of every header length (7, 16 and 64-bit), queued at
            // once: they go out gathered, and must arrive whole and in order.
            auto rounds = std::stoul(std::string(data.substr(6)));
            for (unsigned long r = 0; r < rounds; ++r) {
                for (std::size_t size : burst_sizes) {
                    s.send(make_frame(std::string(size, static_cast<char>('a' + r % 26))));
                }
            }
            s.send(make_frame("end"));
            return;
        }
        s.send(make_frame(std::string(data)));
    }

    void on_close(ws_session&, ws_end why) override { record_->closes.push_back(why); }

private:
    std::shared_ptr<toy_record> record_;
};

}  // namespace

asio::awaitable<reply> toy_service::handle(request req, peer_info)
{
    auto target = req.target();
    if (target == "/hello") co_return make_response(http::status::ok, "text/plain", "hello\n");
    if (target == "/echo" && req.method() == http::verb::post) {
        co_return make_response(http::status::ok, "application/octet-stream", req.body());
    }
    if (target == "/throw") throw std::runtime_error("the toy service failed on purpose");
    if (target == "/slow") {
        asio::steady_timer t(co_await asio::this_coro::executor, 300ms);
        co_await t.async_wait(use_nothrow);
        co_return make_response(http::status::ok, "text/plain", "slow\n");
    }
    co_return error_response(http::status::not_found, "not_found", "Not found");
}

upgrade_answer toy_service::upgrade(const request& req, const peer_info&)
{
    if (req.target() != "/ws") {
        return reply{error_response(http::status::forbidden, "refused", "Not here")};
    }
    return std::make_unique<echo_handler>(record_);
}

server_options toy_options()
{
    server_options o;
    o.service = "toy";
    o.server_header = "ovenspace-toy/1";
    o.address = "127.0.0.1";
    o.port = 0;
    o.config_key = "toy.listen";
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    o.request_timeout = 2s;
    o.write_timeout = 2s;
    o.ws.handshake_timeout = 2s;
    o.ws.idle_timeout = 10s;
    return o;
}

toy_fixture::toy_fixture(server_options o)
    : srv(io.get_executor(), std::move(o), std::make_shared<toy_service>(record))
{
    srv.start();
    port = srv.local_endpoint().port();
}

void toy_fixture::run(asio::awaitable<void> test)
{
    run_bounded(
        io, [this] { srv.stop(); }, std::move(test));
}

}  // namespace ovs::net::test
