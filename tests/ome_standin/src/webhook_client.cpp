// OME's AdmissionWebhooks as the stand-in sends them: signed, posted with
// OME's timeout, logged with what came back and OME's verdict on it.
#include "signing.hpp"
#include "standin_impl.hpp"

#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace ovs::ome_standin {

using tcp = asio::ip::tcp;

namespace {

asio::awaitable<webhook_result> post_webhook(impl_ptr self, std::string request_bytes)
{
    webhook_result result;
    auto const& url = *self->control_url;
    tcp::resolver resolver(self->ex);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(url.host, url.port, use_nothrow);
    if (resolve_error) {
        result.kind = "connect_failed";
        co_return result;
    }
    beast::tcp_stream stream(self->ex);
    // <Timeout> bounds the connect and (since v0.20.0) the wait for the answer.
    stream.expires_after(self->cfg.webhook_timeout);
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_nothrow);
    if (connect_error) {
        result.kind = connect_error == beast::error::timeout ? "timeout" : "connect_failed";
        co_return result;
    }
    error_code nodelay_error;
    stream.socket().set_option(tcp::no_delay(true), nodelay_error);
    stream.expires_after(self->cfg.webhook_timeout);
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(request_bytes), use_nothrow);
    if (write_error) {
        result.kind = write_error == beast::error::timeout ? "timeout" : "io_error";
        co_return result;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (read_error) {
        result.kind = read_error == beast::error::timeout ? "timeout" : "io_error";
        co_return result;
    }
    result.kind = "answered";
    result.status = static_cast<int>(parser.get().result_int());
    result.body = parser.get().body();
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
}

// Signs, sends and logs one webhook. Returns the log index of the entry.
}  // namespace

webhook_client client_of(publisher const& p)
{
    bool const http_based =
        p.protocol == ingest_protocol::webrtc || p.protocol == ingest_protocol::whip;
    return {p.address, p.port, p.real_ip, http_based ? p.user_agent : std::string()};
}

asio::awaitable<std::size_t> send_webhook(impl_ptr self,
                                          std::uint64_t client_id,
                                          std::string status,
                                          std::string body)
{
    webhook_log_entry entry;
    entry.seq = ++self->webhook_seq;
    entry.client_id = client_id;
    entry.status = status;
    entry.signature = ome_signature(self->cfg.webhook_secret, body);
    entry.time = ome_iso8601(wall_clock::now());
    std::string request = webhook_http_request(*self->control_url, body, entry.signature);
    entry.body = std::move(body);
    webhook_result const r = co_await post_webhook(self, std::move(request));
    entry.result = r.kind;
    entry.http_status = r.status;
    entry.answer_body = r.body;
    if (status == "opening") {
        if (r.kind == "answered") {
            auto const d = judge_opening_answer(r.status, r.body);
            entry.decision = d.allowed ? "allowed" : d.reason;
        } else {
            entry.decision = "webhook " + r.kind;
        }
    }
    self->webhook_log.push_back(std::move(entry));
    co_return self->webhook_log.size() - 1;
}

// An opening webhook and OME's verdict on the answer (fail closed).
asio::awaitable<admission_decision> ask_admission(impl_ptr self,
                                                  std::uint64_t client_id,
                                                  std::string body)
{
    std::size_t const index = co_await send_webhook(self, client_id, "opening", std::move(body));
    auto const& entry = self->webhook_log[index];
    if (entry.result != "answered") {
        admission_decision refused;
        refused.reason = "webhook " + entry.result;
        co_return refused;
    }
    co_return judge_opening_answer(entry.http_status, entry.answer_body);
}

asio::awaitable<void> send_publisher_closing(impl_ptr self, publisher p)
{
    if (!self->provider_hooks(p.protocol)) co_return;
    std::string body = webhook_body(client_of(p),
                                    true,
                                    protocol_name(p.protocol),
                                    "closing",
                                    ome_iso8601(wall_clock::now()),
                                    p.url,
                                    p.new_url);
    co_await send_webhook(self, p.id, "closing", std::move(body));
}

}  // namespace ovs::ome_standin
