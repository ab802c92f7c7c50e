// ome_http_client against a tiny Beast server on 127.0.0.1: keep-alive,
// a stale kept-alive connection, a hanging server, refused connections, and
// https with a certificate made at test time.
#include "test_support.hpp"

#include <ovs/gateway/ome_http_client.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ovs::gateway::test {
namespace {

namespace ssl = asio::ssl;

enum class server_mode {
    keep_alive,   // answers every request, keeps the connection
    close_after,  // answers one request (claiming keep-alive), then closes
    hang,         // reads the request, never answers
};

struct tiny_server {
    explicit tiny_server(asio::io_context& ioc, ssl::context* tls = nullptr)
        : acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), tls_context(tls)
    {
    }
    tcp::acceptor acceptor;
    ssl::context* tls_context;
    server_mode mode = server_mode::keep_alive;
    int connections = 0;
    int requests = 0;
    int closed_connections = 0;
    std::string last_authorization;
    std::vector<std::shared_ptr<tcp::socket>> hung;  // kept open while hanging

    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
};

template <class Stream>
asio::awaitable<void> serve_http(tiny_server* s, Stream& stream, tcp::socket& raw)
{
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, use_nothrow);
        (void)n;
        if (ec) break;
        ++s->requests;
        s->last_authorization = std::string(req[http::field::authorization]);
        if (s->mode == server_mode::hang) {
            // Keep the socket open without answering; the test ends it.
            asio::steady_timer wait(raw.get_executor(), std::chrono::seconds(30));
            co_await wait.async_wait(use_nothrow);
            break;
        }
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json;charset=UTF-8");
        res.body() = R"({"message":"OK","response":[],"statusCode":200,"n":)" +
                     std::to_string(s->requests) + "}";
        res.keep_alive(true);
        res.prepare_payload();
        auto [wec, w] = co_await http::async_write(stream, res, use_nothrow);
        (void)w;
        if (wec || s->mode == server_mode::close_after) break;
    }
    error_code ignored;
    raw.close(ignored);
    ++s->closed_connections;
}

asio::awaitable<void> serve_connection(tiny_server* s, tcp::socket socket)
{
    if (s->tls_context) {
        ssl::stream<tcp::socket> tls(std::move(socket), *s->tls_context);
        auto [hec] = co_await tls.async_handshake(ssl::stream_base::server, use_nothrow);
        if (hec) {
            ++s->closed_connections;
            co_return;
        }
        co_await serve_http(s, tls, tls.next_layer());
    } else {
        co_await serve_http(s, socket, socket);
    }
}

asio::awaitable<void> accept_loop(tiny_server* s)
{
    for (;;) {
        auto [ec, socket] = co_await s->acceptor.async_accept(use_nothrow);
        if (ec) co_return;
        ++s->connections;
        asio::co_spawn(
            s->acceptor.get_executor(), serve_connection(s, std::move(socket)), asio::detached);
    }
}

config::ome_config::api_t api_for(std::uint16_t port, std::chrono::milliseconds timeout = 1000ms)
{
    config::ome_config::api_t api;
    api.port = port;
    api.timeout = timeout;
    return api;
}

// A self-signed certificate for 127.0.0.1 (SAN IP), made with OpenSSL now.
struct test_certificate {
    std::string cert_pem;
    std::string key_pem;
};

test_certificate make_certificate()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    REQUIRE(key);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        REQUIRE(ext);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);

    auto to_string = [](BIO* bio) {
        char* data = nullptr;
        const long len = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(len));
        BIO_free(bio);
        return out;
    };
    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    test_certificate out{to_string(cert_bio), to_string(key_bio)};
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

asio::awaitable<http_result> get(ome_http_client* client, std::string target)
{
    co_return co_await client->request(http_method::get, target);
}

}  // namespace

TEST_CASE("ome_http_client reuses a kept-alive connection and sends Basic auth", "[loopback]")
{
    asio::io_context ioc;
    tiny_server server(ioc);
    asio::co_spawn(ioc, accept_loop(&server), asio::detached);
    ome_http_client client(ioc.get_executor(), "127.0.0.1", api_for(server.port()), "Basic abc=");

    for (int i = 1; i <= 3; ++i) {
        auto r = run_coroutine(ioc, get(&client, "/v1/vhosts/default/apps/app/streams"));
        REQUIRE(r.ok());
        CHECK(r.status == 200);
        CHECK_THAT(r.body, Catch::Contains("\"n\":" + std::to_string(i)));
    }
    CHECK(server.connections == 1);
    CHECK(server.requests == 3);
    CHECK(server.last_authorization == "Basic abc=");
    client.close();
}

TEST_CASE("ome_http_client retries once when the kept-alive connection went stale", "[loopback]")
{
    asio::io_context ioc;
    tiny_server server(ioc);
    server.mode = server_mode::close_after;
    asio::co_spawn(ioc, accept_loop(&server), asio::detached);
    ome_http_client client(ioc.get_executor(), "127.0.0.1", api_for(server.port()), "Basic x");

    auto first = run_coroutine(ioc, get(&client, "/v1/version"));
    REQUIRE(first.status == 200);
    // The server has closed its end of the kept-alive connection.
    REQUIRE(run_until(ioc, [&] { return server.closed_connections == 1; }));

    auto second = run_coroutine(ioc, get(&client, "/v1/version"));
    CHECK(second.status == 200);
    CHECK(second.transport_error.empty());
    CHECK(server.connections == 2);
    CHECK(server.requests == 2);
}

TEST_CASE("ome_http_client gives up at its deadline when the server hangs", "[loopback]")
{
    asio::io_context ioc;
    tiny_server server(ioc);
    server.mode = server_mode::hang;
    asio::co_spawn(ioc, accept_loop(&server), asio::detached);
    ome_http_client client(ioc.get_executor(), "127.0.0.1", api_for(server.port(), 200ms), "B");

    const auto started = std::chrono::steady_clock::now();
    auto r = run_coroutine(ioc, get(&client, "/v1/version"));
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.transport_error, Catch::Contains("timed out"));
    CHECK(took >= 150ms);
    CHECK(server.requests == 1);  // no second attempt after a timeout
}

TEST_CASE("ome_http_client reports a refused connection", "[loopback]")
{
    asio::io_context ioc;
    const auto port = refused_port(ioc);
    ome_http_client client(ioc.get_executor(), "127.0.0.1", api_for(port), "B");
    auto r = run_coroutine(ioc, get(&client, "/v1/version"));
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.transport_error, Catch::Contains("connect to 127.0.0.1:" + std::to_string(port)));
    CHECK_THAT(r.transport_error, Catch::Contains("refused"));
}

TEST_CASE("ome_http_client verifies the OME certificate over https", "[loopback]")
{
    const auto cert = make_certificate();
    ssl::context server_tls(ssl::context::tls_server);
    server_tls.use_certificate_chain(asio::buffer(cert.cert_pem));
    server_tls.use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);

    const auto ca_path = std::filesystem::temp_directory_path() /
                         ("ovs-gateway-test-ca-" + std::to_string(::getpid()) + ".pem");
    {
        std::ofstream out(ca_path);
        out << cert.cert_pem;
    }

    asio::io_context ioc;
    tiny_server server(ioc, &server_tls);
    asio::co_spawn(ioc, accept_loop(&server), asio::detached);

    SECTION("without the CA file the handshake fails")
    {
        auto api = api_for(server.port());
        api.tls = true;
        ome_http_client client(ioc.get_executor(), "127.0.0.1", api, "B");
        auto r = run_coroutine(ioc, get(&client, "/v1/version"));
        CHECK_FALSE(r.ok());
        CHECK_THAT(r.transport_error, Catch::Contains("TLS handshake"));
        CHECK(server.requests == 0);
    }
    SECTION("a trusted certificate for another name is refused")
    {
        // The certificate is valid for 127.0.0.1 only; the chain verifies,
        // the host name must not.
        auto api = api_for(server.port());
        api.tls = true;
        api.ca_file = ca_path.string();
        ome_http_client client(ioc.get_executor(), "localhost", api, "B");
        auto r = run_coroutine(ioc, get(&client, "/v1/version"));
        CHECK_FALSE(r.ok());
        CHECK(server.requests == 0);
        if (server.connections > 0) {  // localhost reached 127.0.0.1: the name was checked
            CHECK_THAT(r.transport_error, Catch::Contains("TLS handshake"));
        }
    }
    SECTION("with the CA file the request goes through")
    {
        auto api = api_for(server.port());
        api.tls = true;
        api.ca_file = ca_path.string();
        ome_http_client client(ioc.get_executor(), "127.0.0.1", api, "B");
        auto r = run_coroutine(ioc, get(&client, "/v1/version"));
        REQUIRE(r.ok());
        CHECK(r.status == 200);
        auto again = run_coroutine(ioc, get(&client, "/v1/version"));
        CHECK(again.status == 200);
        CHECK(server.connections == 1);  // kept alive over TLS too
        client.close();
    }
    std::filesystem::remove(ca_path);
}

}  // namespace ovs::gateway::test
