// Scenario 6: a webhook with a bad signature changes nothing: a POST
// straight to the gateway with a wrong (or no) X-OME-Signature gets 401 and
// the seat stays as it was; the same body correctly signed is admitted.

#include "scenario.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace ovs::integration;

namespace {

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

http_result post_webhook(cluster& c, const std::string& body, const std::string* signature)
{
    http_call call;
    call.method = "POST";
    call.port = c.gateway_http_port();
    call.target = "/v1/admission";
    call.body = body;
    if (signature) call.headers["X-OME-Signature"] = *signature;
    return http_request(call);
}

}  // namespace

TEST_CASE("a webhook with a bad signature is refused with 401 and changes nothing", "[integration]")
{
    cluster c;
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    REQUIRE(viewer.wait_open());
    auto claim = claim_seat(holder, 1);
    REQUIRE(claim);
    REQUIRE(viewer.wait_seat_state(1, "reserved", event_bound));

    const json opening = {
        {"client", {{"address", "127.0.0.1"}, {"port", 50123}, {"real_ip", "127.0.0.1"}}},
        {"request",
         {{"direction", "incoming"},
          {"protocol", "RTMP"},
          {"status", "opening"},
          {"time", "2026-11-24T17:44:46.289+00:00"},
          {"url", "rtmp://127.0.0.1:1935/app/" + claim->stream + "?token=" + claim->token}}}};
    const std::string body = opening.dump();

    const std::string wrong = ome_signature(c.webhook_secret() + "-not", body);
    auto bad = post_webhook(c, body, &wrong);
    CHECK(bad.status == 401);
    auto unsigned_post = post_webhook(c, body, nullptr);
    CHECK(unsigned_post.status == 401);
    const std::string tampered_sig = ome_signature(c.webhook_secret(), body);
    auto tampered = post_webhook(c, body + " ", &tampered_sig);
    CHECK(tampered.status == 401);
    CHECK(bad.body.find("\"allowed\":true") == std::string::npos);

    REQUIRE(wait_polls(c, 2, event_bound));
    viewer.command(json{{"type", "ping"}});
    CHECK(viewer.seat(1)->state == "reserved");
    for (const auto& s : viewer.seat_history(1)) CHECK(s.value("state", "") != "live");
    CHECK(holder.seat(1)->mine);

    // Control: the same body, correctly signed, is judged (and allowed).
    const std::string good_sig = ome_signature(c.webhook_secret(), body);
    auto good = post_webhook(c, body, &good_sig);
    CHECK(good.status == 200);
    auto answer = json::parse(good.body, nullptr, false);
    CHECK(answer.is_object());
    CHECK(answer.value("allowed", false));
}
