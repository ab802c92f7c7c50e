// The authenticated handshake as a pure state machine: the transcript in
// proto/examples/internal/handshake/ (proofs computed with the openssl CLI),
// two machines talking to each other, and every way a peer without the
// secret might try to get in.

#include <ovs/proto/codec.hpp>
#include <ovs/proto/handshake.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace ovs::proto;
using nlohmann::json;

namespace {

json transcript()
{
    std::ifstream in(std::string(OVS_INTERNAL_EXAMPLES_DIR) + "/handshake/transcript.json");
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

message decoded(const json& line)
{
    auto r = decode(line.dump() + "\n");
    if (!r) FAIL(r.error().text);
    return r.value();
}

const std::string secret = "a-test-link-secret-of-32-chars!!";

handshake make(const std::string& role,
               const std::string& peer_role,
               const std::string& key = secret,
               std::string nonce = make_nonce())
{
    return handshake({role, peer_role, "test/1", key}, std::move(nonce));
}

// Runs two machines against each other; true when both accept.
struct exchange_result {
    bool room_done = false;
    bool gateway_done = false;
    std::optional<handshake_failure> room_failure;
    std::optional<handshake_failure> gateway_failure;
};

exchange_result exchange(handshake& room, handshake& gateway)
{
    exchange_result r;
    auto to_gateway = gateway.receive(room.own_hello());
    auto to_room = room.receive(gateway.own_hello());
    REQUIRE(to_gateway.send.size() == 1);
    REQUIRE(to_room.send.size() == 1);
    auto g = gateway.receive(to_room.send.front());
    auto rm = room.receive(to_gateway.send.front());
    r.gateway_done = g.done;
    r.room_done = rm.done;
    r.gateway_failure = g.failure;
    r.room_failure = rm.failure;
    return r;
}

}  // namespace

TEST_CASE("the spec's transcript: proofs and replayed lines", "[unit][proto][handshake]")
{
    const json t = transcript();
    const std::string key = t.at("secret");
    const std::string rn = t.at("room_nonce");
    const std::string gn = t.at("gateway_nonce");
    const auto& lines = t.at("lines");
    REQUIRE(lines.size() == 4);

    // HMAC-SHA256 as the openssl CLI computed it.
    CHECK(link_proof(key, "room", rn, gn) == lines[2].at("line").at("proof"));
    CHECK(link_proof(key, "gateway", gn, rn) == lines[3].at("line").at("proof"));

    SECTION("the gateway's side accepts the room's lines")
    {
        handshake gw({"gateway", "room", "ovenspace-gateway/0.1.0", key}, gn);
        CHECK(encode(gw.own_hello()) == encode(decoded(lines[1].at("line"))));
        auto step = gw.receive(decoded(lines[0].at("line")));
        REQUIRE(step.send.size() == 1);
        CHECK(encode(step.send.front()) == encode(decoded(lines[3].at("line"))));
        CHECK(gw.receive(decoded(lines[2].at("line"))).done);
        CHECK(gw.peer_hello()->software == "ovenspace-room/0.1.0");
    }
    SECTION("the room's side accepts the gateway's lines")
    {
        handshake room({"room", "gateway", "ovenspace-room/0.1.0", key}, rn);
        auto step = room.receive(decoded(lines[1].at("line")));
        REQUIRE(step.send.size() == 1);
        CHECK(encode(step.send.front()) == encode(decoded(lines[2].at("line"))));
        CHECK(room.receive(decoded(lines[3].at("line"))).done);
    }
    SECTION("the same lines replayed against a fresh nonce are refused")
    {
        handshake gw({"gateway", "room", "ovenspace-gateway/0.1.0", key}, make_nonce());
        REQUIRE(gw.receive(decoded(lines[0].at("line"))).send.size() == 1);
        auto step = gw.receive(decoded(lines[2].at("line")));
        CHECK_FALSE(step.done);
        REQUIRE(step.failure);
        CHECK(step.failure->code == "auth_failed");
        CHECK(step.failure->reason == "bad_proof");
        CHECK_FALSE(gw.done());
    }
    SECTION("the wrong secret does not verify the transcript")
    {
        handshake gw({"gateway", "room", "g", key + "x"}, gn);
        gw.receive(decoded(lines[0].at("line")));
        CHECK(gw.receive(decoded(lines[2].at("line"))).failure);
    }
}

TEST_CASE("two sides with the same secret authenticate each other", "[unit][proto][handshake]")
{
    auto room = make("room", "gateway");
    auto gateway = make("gateway", "room");
    auto r = exchange(room, gateway);
    CHECK(r.room_done);
    CHECK(r.gateway_done);
    CHECK(room.done());
    CHECK(gateway.done());
    // Nothing is accepted after the handshake is over.
    CHECK(gateway.receive(ping{}).failure);
}

TEST_CASE("nonces are fresh, URL-safe and 256 bits", "[unit][proto][handshake]")
{
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto n = make_nonce();
        CHECK(n.size() == 43);
        CHECK(valid_nonce(n));
        seen.insert(n);
    }
    CHECK(seen.size() == 200);
    CHECK_FALSE(valid_nonce(""));
    CHECK_FALSE(valid_nonce("short"));
    CHECK_FALSE(valid_nonce(std::string(43, '+')));
    CHECK_FALSE(valid_nonce(std::string(129, 'a')));
    CHECK(valid_nonce(std::string(22, 'a')));
}

TEST_CASE("a peer without the secret is refused", "[unit][proto][handshake]")
{
    SECTION("wrong secret: both sides refuse, neither is done")
    {
        auto room = make("room", "gateway", secret + "-other");
        auto gateway = make("gateway", "room");
        auto r = exchange(room, gateway);
        CHECK_FALSE(r.room_done);
        CHECK_FALSE(r.gateway_done);
        REQUIRE(r.gateway_failure);
        CHECK(r.gateway_failure->reason == "bad_proof");
        REQUIRE(r.room_failure);
        CHECK(r.room_failure->reason == "bad_proof");
    }
    SECTION("no auth at all: a request instead")
    {
        auto gateway = make("gateway", "room");
        auto intruder = make("room", "gateway", "not-the-secret-at-all");
        gateway.receive(intruder.own_hello());
        auto step = gateway.receive(kick{1, "stream0", "forged"});
        REQUIRE(step.failure);
        CHECK(step.failure->reason == "unexpected");
        CHECK_FALSE(gateway.done());
    }
    SECTION("anything before hello")
    {
        auto gateway = make("gateway", "room");
        auto step = gateway.receive(admission_check{1, "s", "t", "publish", "RTMP", "1.2.3.4"});
        REQUIRE(step.failure);
        CHECK(step.failure->code == "bad_message");
        CHECK(step.send.empty());
    }
    SECTION("a version-1 hello (no nonce)")
    {
        auto gateway = make("gateway", "room");
        auto step = gateway.receive(hello{1, "room", "old", ""});
        REQUIRE(step.failure);
        CHECK(step.failure->code == "version_mismatch");
        CHECK(step.send.empty());
    }
    SECTION("the wrong role")
    {
        auto gateway = make("gateway", "room");
        auto impostor = make("gateway", "room");
        auto step = gateway.receive(impostor.own_hello());
        REQUIRE(step.failure);
        CHECK(step.failure->code == "bad_role");
    }
    SECTION("a missing or malformed nonce")
    {
        auto gateway = make("gateway", "room");
        auto step = gateway.receive(hello{protocol_version, "room", "x", "not a nonce!"});
        REQUIRE(step.failure);
        CHECK(step.failure->reason == "bad_hello");
    }
    SECTION("our own nonce sent back")
    {
        const std::string mine = make_nonce();
        auto gateway = make("gateway", "room", secret, mine);
        auto step = gateway.receive(hello{protocol_version, "room", "x", mine});
        REQUIRE(step.failure);
        CHECK(step.failure->reason == "bad_hello");
    }
    SECTION("the gateway's own proof reflected back as the room's")
    {
        // An intruder relays the gateway's proof: it is bound to the role
        // "gateway", so it does not pass as the room's.
        auto gateway = make("gateway", "");
        auto intruder_nonce = make_nonce();
        auto step = gateway.receive(hello{protocol_version, "room", "x", intruder_nonce});
        REQUIRE(step.send.size() == 1);
        auto reflected = std::get<auth>(step.send.front());
        auto verdict = gateway.receive(reflected);
        REQUIRE(verdict.failure);
        CHECK(verdict.failure->reason == "bad_proof");
    }
    SECTION("a proof of the wrong length or case")
    {
        auto room = make("room", "gateway");
        auto gateway = make("gateway", "room");
        auto to_room = room.receive(gateway.own_hello());
        gateway.receive(room.own_hello());
        std::string proof = std::get<auth>(to_room.send.front()).proof;
        SECTION("truncated")
        {
            proof.pop_back();
        }
        SECTION("upper case")
        {
            for (auto& c : proof)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        SECTION("empty")
        {
            proof.clear();
        }
        CHECK(gateway.receive(auth{proof}).failure);
    }
}

TEST_CASE("a handshake refuses to run without a secret or a usable nonce",
          "[unit][proto][handshake]")
{
    CHECK_THROWS_AS(handshake({"room", "gateway", "x", ""}, make_nonce()), std::invalid_argument);
    CHECK_THROWS_AS(handshake({"room", "gateway", "x", secret}, "short"), std::invalid_argument);
}

TEST_CASE("printable_excerpt bounds and cleans peer text", "[unit][proto][handshake]")
{
    CHECK(printable_excerpt("abc") == "abc");
    CHECK(printable_excerpt("a\nb\x7f") == "a?b?");
    CHECK(printable_excerpt(std::string(100, 'x'), 10) == std::string(10, 'x') + "...");
}
