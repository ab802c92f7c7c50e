// The intruder scenario of issue 10, against the real processes: while the
// room service is linked, strangers on the gateway's link port try to become
// "the room" (no secret, a wrong secret, a replayed handshake, a forged kick
// instead of the proof, eight idle connections holding the handshake slots).
// The real room stays linked throughout, publish admissions keep coming from
// it (a seat's token is admitted, a wrong token refused), no stream is ended,
// and the gateway's /metrics counts every refusal.
//
// The intruder's proofs are computed here with OpenSSL directly from
// proto/internal.md, not with the project's code.

#include "scenario.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <thread>
#include <vector>

using namespace ovs::integration;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string hex_hmac_sha256(const std::string& key, const std::string& text)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    HMAC(EVP_sha256(),
         key.data(),
         static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(text.data()),
         text.size(),
         mac.data(),
         &size);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out += digits[mac[i] >> 4];
        out += digits[mac[i] & 15];
    }
    return out;
}

std::string room_proof(const std::string& secret,
                       const std::string& room_nonce,
                       const std::string& gateway_nonce)
{
    return hex_hmac_sha256(secret,
                           "ovenspace-link-auth/2\nroom\n" + room_nonce + "\n" + gateway_nonce);
}

std::string hello_line(const std::string& nonce, const std::string& software)
{
    return json{{"type", "hello"},
                {"protocol", 2},
                {"role", "room"},
                {"software", software},
                {"nonce", nonce}}
               .dump() +
           "\n";
}

std::string fresh_nonce(int n)
{
    // Any 43 URL-safe characters will do for an intruder.
    std::string s = "intruder-nonce-" + std::to_string(n) + "-";
    while (s.size() < 43) s += 'x';
    return s;
}

// One raw connection to the link port, driven synchronously with deadlines.
class raw_peer {
public:
    explicit raw_peer(std::uint16_t port) : socket_(io_)
    {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

    // The next line, or "" when the connection closed or `timeout` passed.
    std::string read_line(std::chrono::milliseconds timeout = event_bound)
    {
        std::string line;
        bool done = false;
        asio::async_read_until(socket_,
                               asio::dynamic_buffer(buffer_, 1 << 16),
                               '\n',
                               [&](const boost::system::error_code& ec, std::size_t n) {
                                   done = true;
                                   if (ec) return;
                                   line = buffer_.substr(0, n - 1);
                                   buffer_.erase(0, n);
                               });
        io_.restart();
        io_.run_for(timeout);
        if (!done) {
            socket_.cancel();
            io_.restart();
            io_.run();
        }
        return line;
    }

    // Reads until the gateway closes the connection (true) or `timeout`
    // passes (false); returns every line seen meanwhile in `lines`.
    bool closed_by_gateway(std::vector<std::string>& lines,
                           std::chrono::milliseconds timeout = event_bound)
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            bool done = false;
            boost::system::error_code result;
            std::size_t got = 0;
            asio::async_read_until(socket_,
                                   asio::dynamic_buffer(buffer_, 1 << 16),
                                   '\n',
                                   [&](const boost::system::error_code& ec, std::size_t n) {
                                       done = true;
                                       result = ec;
                                       got = n;
                                   });
            io_.restart();
            io_.run_for(left);
            if (!done) {
                socket_.cancel();
                io_.restart();
                io_.run();
                return false;
            }
            if (result) return true;  // eof or reset: closed
            lines.push_back(buffer_.substr(0, got - 1));
            buffer_.erase(0, got);
        }
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    std::string buffer_;
};

std::string error_code_in(const std::vector<std::string>& lines)
{
    for (const auto& l : lines) {
        auto j = json::parse(l, nullptr, false);
        if (j.is_object() && j.value("type", "") == "error") return j["error"].value("code", "");
    }
    return "";
}

std::string nonce_of(const std::string& hello)
{
    auto j = json::parse(hello, nullptr, false);
    return j.is_object() ? j.value("nonce", "") : "";
}

}  // namespace

TEST_CASE("intruders on the link port never take over from the real room", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);
    const std::uint16_t link = c.gateway_link_port();

    // After each intrusion: the real room is still the gateway's room, and
    // it (not an intruder) answers admissions: its seat token is admitted on
    // a fresh publish, a wrong token is refused.
    int round = 0;
    auto real_room_still_decides = [&](const char* after) {
        INFO("after: " << after);
        CHECK(c.room_running());
        CHECK(c.gateway_running());
        CHECK(http_get(c.room_port(), "/readyz").status == 200);
        CHECK(metric_sum(c.gateway_metrics(), "ovs_gateway_link_up").value_or(0) == 1);
        auto refused = c.media().publish(ingest::rtmp, claim->stream, "token=forged-by-intruder");
        CHECK_FALSE(refused.admitted);
        auto live =
            c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
        CHECK(live.admitted);
        if (live.admitted) {
            CHECK(viewer.wait_seat_state(0, "live", event_bound));
            c.media().unpublish(live);
            CHECK(viewer.wait_seat_state(0, "reserved", event_bound));
        }
        ++round;
    };
    real_room_still_decides("nothing yet");

    {
        {  // The unauthenticated hello that used to take over (protocol 1).
            raw_peer p(link);
            p.send(R"({"type":"hello","protocol":1,"role":"room","software":"intruder/1"})"
                   "\n");
            std::vector<std::string> lines;
            CHECK(p.closed_by_gateway(lines));
            CHECK(error_code_in(lines) == "version_mismatch");
        }
        real_room_still_decides("a protocol-1 hello");
        {  // The handshake done right, with a wrong secret.
            raw_peer p(link);
            const std::string mine = fresh_nonce(1);
            p.send(hello_line(mine, "intruder/2"));
            const std::string theirs = nonce_of(p.read_line());
            REQUIRE_FALSE(theirs.empty());
            p.send(
                json{{"type", "auth"}, {"proof", room_proof("guessed-secret-123456", mine, theirs)}}
                    .dump() +
                "\n");
            std::vector<std::string> lines;
            CHECK(p.closed_by_gateway(lines));
            CHECK(error_code_in(lines) == "auth_failed");
        }
        real_room_still_decides("a wrong secret");
        {  // A replay: a genuine room proof, recorded for another connection.
            std::string recorded_for;
            {
                raw_peer earlier(link);
                recorded_for = nonce_of(earlier.read_line());
            }
            REQUIRE_FALSE(recorded_for.empty());
            const std::string mine = fresh_nonce(2);
            raw_peer p(link);
            p.send(hello_line(mine, "ovenspace-room/0.1.0") +
                   json{{"type", "auth"},
                        {"proof", room_proof(cluster::link_secret(), mine, recorded_for)}}
                       .dump() +
                   "\n");
            std::vector<std::string> lines;
            CHECK(p.closed_by_gateway(lines));
            CHECK(error_code_in(lines) == "auth_failed");
        }
        real_room_still_decides("a replayed handshake");
        {  // A kick of the live seat in place of the proof.
            auto live =
                c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
            REQUIRE(live.admitted);
            REQUIRE(viewer.wait_seat_state(0, "live", event_bound));
            raw_peer p(link);
            p.send(hello_line(fresh_nonce(3), "intruder/4") +
                   json{{"type", "kick"}, {"id", 1}, {"stream", claim->stream}, {"reason", "x"}}
                       .dump() +
                   "\n");
            std::vector<std::string> lines;
            CHECK(p.closed_by_gateway(lines));
            CHECK(error_code_in(lines) == "bad_message");
            // The stream is still there, and still live for the viewer.
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            CHECK(c.media().listed(claim->stream));
            CHECK(viewer.wait_seat_state(0, "live", event_bound));
            c.media().unpublish(live);
            CHECK(viewer.wait_seat_state(0, "reserved", event_bound));
        }
        real_room_still_decides("a forged kick");
        {  // Eight idle connections hold every handshake slot.
            std::vector<std::unique_ptr<raw_peer>> idle;
            for (int i = 0; i < 8; ++i) idle.push_back(std::make_unique<raw_peer>(link));
            real_room_still_decides("eight idle handshakers (while they wait)");
        }
    }

    CHECK(round == 6);
    std::string metrics;
    auto failures = [&](const char* reason) {
        return metric_sum(metrics,
                          "ovs_gateway_link_handshake_failures_total",
                          std::string("reason=\"") + reason + "\"")
            .value_or(0);
    };
    // The replay's nonce probe hung up; the idle ones hit their deadline or
    // were closed by the test first: 9 either way, counted as they close.
    const auto until = std::chrono::steady_clock::now() + event_bound;
    do {
        metrics = c.gateway_metrics();
    } while (failures("abandoned") + failures("timeout") < 9 &&
             std::chrono::steady_clock::now() < until);
    INFO(metrics);
    CHECK(failures("version") == 1);
    CHECK(failures("bad_proof") == 2);
    CHECK(failures("unexpected") == 1);
    CHECK(failures("abandoned") + failures("timeout") == 9);
    CHECK(metric_sum(metrics, "ovs_gateway_link_up").value_or(0) == 1);
    // The real room never lost its link, so it never saw media go stale.
    const auto ready = http_get(c.room_port(), "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body.find("no gateway link") == std::string::npos);
}
