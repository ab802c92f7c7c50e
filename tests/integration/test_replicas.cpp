// Issue 12, past one machine: three room service replicas on one real
// redis-server, two gateways (every replica links to both), the OME
// stand-in. Real processes on loopback, killed with SIGKILL where the
// scenario says so; Redis itself stopped and started again.

#include "redis_server.hpp"
#include "replica_cluster.hpp"
#include "scenario.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace ovs::integration;

namespace {

// The frames carrying a room sequence number whose seq is in (after, upto].
std::vector<json> numbered(const browser& b, long long after, long long upto)
{
    std::vector<json> out;
    for (const auto& f : b.frames()) {
        if (f.value("type", "") == "snapshot" || !f.contains("seq")) continue;
        const auto seq = f["seq"].get<long long>();
        if (seq > after && seq <= upto) out.push_back(f);
    }
    return out;
}

long long snapshot_seq(const browser& b)
{
    for (const auto& f : b.frames()) {
        if (f.value("type", "") == "snapshot") return f["seq"].get<long long>();
    }
    return -1;
}

long long last_seq(const browser& b)
{
    long long last = -1;
    for (const auto& f : b.frames()) {
        if (f.contains("seq")) last = std::max(last, f["seq"].get<long long>());
    }
    return last;
}

// X-OME-Signature: base64url (no padding) of HMAC-SHA1(secret, body).
std::string ome_signature(const std::string& secret, const std::string& body)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha1(),
         secret.data(),
         static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()),
         body.size(),
         mac,
         &mac_len);
    static const char* alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned bits = 0;
    int nbits = 0;
    for (unsigned i = 0; i < mac_len; ++i) {
        bits = (bits << 8) | mac[i];
        nbits += 8;
        while (nbits >= 6) {
            out += alphabet[(bits >> (nbits - 6)) & 63];
            nbits -= 6;
        }
    }
    if (nbits > 0) out += alphabet[(bits << (6 - nbits)) & 63];
    return out;
}

// OME's opening webhook for an RTMP publish of `stream` with `token`, signed,
// posted to gateway `g`; returns whether it was allowed.
std::optional<bool> webhook_allows(replica_cluster& c,
                                   unsigned g,
                                   const std::string& stream,
                                   const std::string& token)
{
    const json opening = {
        {"client", {{"address", "127.0.0.1"}, {"port", 50123}, {"real_ip", "127.0.0.1"}}},
        {"request",
         {{"direction", "incoming"},
          {"protocol", "RTMP"},
          {"status", "opening"},
          {"time", "2026-12-07T17:00:00.000+00:00"},
          {"url", "rtmp://127.0.0.1:1935/app/" + stream + "?token=" + token}}}};
    http_call call;
    call.method = "POST";
    call.port = c.gateway_http_port(g);
    call.target = "/v1/admission";
    call.body = opening.dump();
    call.headers["X-OME-Signature"] = ome_signature(c.webhook_secret(), call.body);
    const auto res = http_request(call);
    if (res.status != 200) return std::nullopt;
    const auto answer = json::parse(res.body, nullptr, false);
    if (!answer.is_object()) return std::nullopt;
    return answer.value("allowed", false);
}

}  // namespace

// 200 claims of the same seat spread over the replicas have exactly one
// winner; a viewer on each replica sees every event in the same order with
// the same sequence numbers; the viewer count is the total.
TEST_CASE("replicas: 200 claims of a seat, one winner, same events everywhere, total viewers",
          "[integration][replicas]")
{
    replica_cluster c;
    browser_pool pool;
    std::vector<std::unique_ptr<browser>> watchers;
    for (unsigned i = 0; i < 3; ++i) {
        watchers.push_back(std::make_unique<browser>(pool, c.room_port(i), "main"));
    }
    for (auto& w : watchers) REQUIRE(w->wait_open());

    constexpr unsigned claimers = 200;
    std::vector<std::unique_ptr<browser>> people;
    for (unsigned i = 0; i < claimers; ++i) {
        people.push_back(std::make_unique<browser>(pool, c.room_port(i % 3), "main"));
    }
    REQUIRE(pool.run_until(
        [&] {
            return std::all_of(
                people.begin(), people.end(), [](const auto& p) { return p->has_snapshot(); });
        },
        30s));
    // Everyone's claim at once: sent without waiting for any reply.
    for (auto& p : people) p->send_text(R"({"type":"claim","seat":1,"id":"race"})");
    auto reply_of = [](const browser& b) -> std::optional<json> {
        for (const auto& f : b.frames()) {
            if (f.value("type", "") == "reply" && f.value("id", json()) == "race") return f;
        }
        return std::nullopt;
    };
    REQUIRE(pool.run_until(
        [&] {
            return std::all_of(people.begin(), people.end(), [&](const auto& p) {
                return reply_of(*p).has_value();
            });
        },
        30s));
    unsigned won = 0, taken = 0;
    for (const auto& p : people) {
        const auto r = *reply_of(*p);
        if (r.value("ok", false)) {
            ++won;
        } else if (r["error"]["code"] == "seat_taken") {
            ++taken;
        }
    }
    CHECK(won == 1);
    CHECK(taken == claimers - 1);

    // Every replica's viewer: the claim, and the total of 203 viewers.
    const long long total = claimers + 3;
    for (auto& w : watchers) {
        CHECK(w->wait_seat_state(1, "reserved", event_bound));
        CHECK(w->wait([&] { return w->viewers() == total; }, 10s));
    }
    // The same numbered events, in the same order, where their views overlap.
    long long from = -1, upto = -1;
    for (const auto& w : watchers) from = std::max(from, snapshot_seq(*w));
    upto = last_seq(*watchers[0]);
    for (const auto& w : watchers) upto = std::min(upto, last_seq(*w));
    REQUIRE(upto > from);
    const auto reference = numbered(*watchers[0], from, upto);
    CHECK(reference.size() == static_cast<std::size_t>(upto - from));
    for (const auto& w : watchers) {
        CHECK(numbered(*w, from, upto) == reference);
        CHECK_FALSE(w->seq_gap_seen());
    }
    const auto metrics = c.room_metrics(2);
    INFO(metrics);
    CHECK(metric_value(metrics, "ovs_room_store_available") == 1);
}

// SIGKILL of a replica holding a seat: the seat is freed after the grace
// period and its stream kicked; its viewers reconnect to another replica and
// resync.
TEST_CASE("replicas: a SIGKILLed replica's seat is freed and kicked, its viewers resync",
          "[integration][replicas]")
{
    replica_cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(0), "main");
    browser local_viewer(pool, c.room_port(0), "main");
    browser watcher(pool, c.room_port(1), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(local_viewer.wait_open());
    REQUIRE(watcher.wait_open());
    auto claim = claim_seat(holder, 2);
    REQUIRE(claim);
    auto pub = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    REQUIRE(pub.admitted);
    REQUIRE(watcher.wait_seat(
        2, [](const seat_view& s) { return s.state == "live"; }, 10s));

    c.kill_room(0);
    REQUIRE(local_viewer.wait([&] { return local_viewer.closed(); }, event_bound));
    // Heartbeat key gone (3 x 1 s), then the 1 s grace: freed and kicked.
    CHECK(watcher.wait_seat_state(2, "free", 20s));
    CHECK(c.media().wait_deleted(claim->stream, 10s));

    // The page reconnects to a replica that is still there and starts from a
    // snapshot that agrees with the replica it lands on.
    browser again(pool, c.room_port(2), "main");
    REQUIRE(again.wait_open());
    CHECK(again.seat(2)->state == "free");
    CHECK(again.wait([&] { return again.viewers() == watcher.viewers(); }, event_bound));
    CHECK(snapshot_seq(again) <= last_seq(watcher) + 1);
}

// SIGKILL of a gateway: webhooks to the other one still admit the right
// publisher and refuse the rest.
TEST_CASE("replicas: after a gateway's SIGKILL the other admits only the right publisher",
          "[integration][replicas]")
{
    replica_cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(1), "main");
    REQUIRE(holder.wait_open());
    auto claim = claim_seat(holder, 0);
    REQUIRE(claim);

    c.kill_gateway(0);
    REQUIRE(c.wait_linked());
    CHECK(webhook_allows(c, 1, claim->stream, claim->token) == true);
    CHECK(webhook_allows(c, 1, claim->stream, claim->token + "x") == false);
    CHECK(webhook_allows(c, 1, c.stream(3), claim->token) == false);
    // The replicas still say which gateway link is up.
    for (unsigned i = 0; i < 3; ++i) {
        CHECK(metric_value(c.room_metrics(i), "ovs_room_gateway_links_up") == 1);
    }
}

// Redis restarted: claims refused with store_unavailable while it is down,
// then everything back without a restart of our services.
TEST_CASE("replicas: Redis restarted, store_unavailable meanwhile, back without our restart",
          "[integration][replicas]")
{
    replica_cluster c;
    browser_pool pool;
    browser a(pool, c.room_port(0), "main");
    browser b(pool, c.room_port(2), "main");
    REQUIRE(a.wait_open());
    REQUIRE(b.wait_open());

    c.redis().stop();
    for (unsigned i = 0; i < 3; ++i) CHECK(c.wait_room_readyz(i, 503));
    auto refused = a.command(json{{"type", "claim"}, {"seat", 3}});
    REQUIRE(refused);
    CHECK((*refused)["error"]["code"] == "store_unavailable");
    CHECK(a.open());  // still served

    c.redis().start();
    for (unsigned i = 0; i < 3; ++i) CHECK(c.wait_room_ready(i, 15s));
    auto granted = a.command(json{{"type", "claim"}, {"seat", 3}});
    REQUIRE(granted);
    CHECK((*granted)["ok"] == true);
    CHECK(b.wait_seat_state(3, "reserved", event_bound));
    for (unsigned i = 0; i < 3; ++i) CHECK(c.room_running(i));
    CHECK(c.gateway_running(0));
    CHECK(c.gateway_running(1));
}

// Redis restarted without persistence: the replica that finds the rooms lost
// starts them again and applies the gateway's last view of OME, so a seat
// whose stream OME still has is live again at once, not only at its next
// stream change (the gateways send nothing new for it).
TEST_CASE("replicas: after Redis restarted empty a live seat is live again without a stream change",
          "[integration][replicas]")
{
    replica_cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(0), "main");
    browser watcher(pool, c.room_port(1), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(watcher.wait_open());
    auto claim = claim_seat(holder, 1);
    REQUIRE(claim);
    auto pub = c.media().publish(ingest::rtmp, claim->stream, publish_query(*claim, ingest::rtmp));
    REQUIRE(pub.admitted);
    auto live = [](const seat_view& s) { return s.state == "live"; };
    REQUIRE(watcher.wait_seat(1, live, 10s));

    c.redis().stop();
    for (unsigned i = 0; i < 3; ++i) CHECK(c.wait_room_readyz(i, 503));
    c.redis().start();
    for (unsigned i = 0; i < 3; ++i) CHECK(c.wait_room_ready(i, 15s));
    auto reloaded = [&] {
        double n = 0;
        for (unsigned i = 0; i < 3; ++i) {
            n += metric_value(c.room_metrics(i), "ovs_room_resyncs_total");
        }
        return n >= 1;
    };
    REQUIRE(watcher.wait(reloaded, 15s));
    for (unsigned i = 0; i < 3; ++i) {
        INFO("a fresh page on replica " << i);
        browser fresh(pool, c.room_port(i), "main");
        REQUIRE(fresh.wait_open());
        CHECK(fresh.wait_seat(1, live, event_bound));
    }
    CHECK(watcher.wait_seat(1, live, event_bound));
    CHECK(c.media().listed(claim->stream));
}
