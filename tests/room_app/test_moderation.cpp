// Moderation over the browser WebSocket API, and per-seat viewer counts in
// seat frames (proto/websocket.md "Moderation"); the examples of the new
// commands and of a moderated seat frame are used as they are written.

#include "fixture.hpp"
#include "moderator_sign_in.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>

using namespace ovs;
using namespace ovs::room;
using namespace ovs::room::testing;

namespace {

const std::string secret = "a-moderator-secret-of-32-chars!!";

json example(const std::string& name)
{
    std::ifstream in(std::string(OVS_SOURCE_DIR) + "/proto/examples/ws/" + name);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

config::config moderated_config()
{
    auto c = test_config();
    c.room.moderator_secret = secret;
    return c;
}

// The next seat frame of seat `index` for which `done` holds.
asio::awaitable<json> seat_frame_where(ws_client& c,
                                       unsigned index,
                                       std::function<bool(const json&)> done)
{
    for (;;) {
        auto f = co_await c.next_of("seat");
        if (f["seat"]["index"] == index && done(f["seat"])) co_return f;
    }
}

asio::awaitable<void> moderation(fixture* f)
{
    auto holder = co_await ws_client::open(f->port);
    co_await holder->next_of("snapshot");
    auto mod = co_await ws_client::open(f->port);
    co_await mod->next_of("snapshot");

    auto claim = co_await holder->command(example("c2s_claim.json"));  // seat 3
    REQUIRE(claim["ok"] == true);
    f->server.on_stream_up("stream3", stream_info{"RTMP", "H264", 1280, 720, 2500000, 29.97});
    co_await seat_frame_where(*holder, 3, [](const json& s) { return s["state"] == "live"; });

    // Per-seat viewers from the gateway, and the frame rate.
    f->server.on_stream_viewers({{"stream3", 7}});
    auto counted =
        co_await seat_frame_where(*holder, 3, [](const json& s) { return s.contains("viewers"); });
    CHECK(counted["seat"]["viewers"] == 7);
    CHECK(counted["seat"]["video"]["framerate"] == Approx(29.97));

    // Moderator commands before signing in, and a wrong secret.
    auto early = co_await mod->command(example("c2s_end_seat.json"));
    CHECK(early["error"]["code"] == "not_moderator");
    auto wrong = co_await mod->command(example("c2s_moderate.json"));
    CHECK(wrong["error"]["code"] == "bad_secret");
    auto sign_in = example("c2s_moderate.json");
    sign_in["secret"] = secret;
    auto ok = co_await mod->command(sign_in);
    REQUIRE(ok["ok"] == true);
    CHECK(ok["moderator"] == true);

    // Lock seat 3 (held, live: the holder keeps it), then end it.
    // (No co_await inside CHECK/REQUIRE: g++ 12 may evaluate it twice.)
    auto locked = co_await mod->command(example("c2s_lock.json"));
    REQUIRE(locked["ok"] == true);
    co_await seat_frame_where(*holder, 3, [](const json& s) { return s.value("locked", false); });
    auto end = co_await mod->command(example("c2s_end_seat.json"));
    REQUIRE(end["ok"] == true);
    // "ending" while OME still has the stream; free once it is gone.
    co_await seat_frame_where(*holder, 3, [](const json& s) { return s["state"] == "ending"; });
    f->server.on_stream_down("stream3");
    auto ended =
        co_await seat_frame_where(*holder, 3, [](const json& s) { return s["state"] == "free"; });
    CHECK(ended["seat"]["ended"] == "moderator");
    CHECK(ended["seat"]["locked"] == true);
    // Same keys and types as the example of a moderated seat.
    const json shape = example("s2c_seat_moderated.json");
    CHECK(ended["seat"].size() == shape["seat"].size());
    for (const auto& [key, value] : shape["seat"].items()) {
        REQUIRE(ended["seat"].contains(key));
        CHECK(ended["seat"][key].type() == value.type());
    }

    // Locked: the former holder cannot take it back.
    auto again = co_await holder->command(example("c2s_claim.json"));
    CHECK(again["error"]["code"] == "seat_locked");
    // Unlock the whole room (the example has no seat): claimable again.
    auto unlocked = co_await mod->command(example("c2s_unlock.json"));
    REQUIRE(unlocked["ok"] == true);
    auto after = co_await holder->command(example("c2s_claim.json"));
    CHECK(after["ok"] == true);
}

asio::awaitable<void> wrong_secrets(fixture* f)
{
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    // Named commands: g++ 12 mishandles braced temporaries inside co_await.
    const json right{{"type", "moderate"}, {"secret", secret}};
    for (int i = 0; i < 5; ++i) {
        const json guess{{"type", "moderate"}, {"secret", "guess-" + std::to_string(i)}};
        auto r = co_await c->command(guess);
        CHECK(r["error"]["code"] == "bad_secret");
    }
    // Even the right secret is refused now on this connection.
    auto r = co_await c->command(right);
    CHECK(r["error"]["code"] == "rate_limited");
    // A new connection starts over.
    auto d = co_await ws_client::open(f->port);
    co_await d->next_of("snapshot");
    auto ok = co_await d->command(right);
    CHECK(ok["ok"] == true);
}

asio::awaitable<void> disabled(fixture* f)
{
    auto c = co_await ws_client::open(f->port);
    co_await c->next_of("snapshot");
    const json attempt{{"type", "moderate"}, {"secret", secret}};
    auto r = co_await c->command(attempt);
    CHECK(r["error"]["code"] == "moderation_disabled");
    const json no_secret{{"type", "moderate"}};
    auto bad = co_await c->command(no_secret);
    CHECK(bad["error"]["code"] == "bad_message");
}

}  // namespace

TEST_CASE("the moderator ends and locks seats, per-seat viewers in seat frames", "[loopback]")
{
    fixture f(moderated_config());
    f.run(moderation(&f));
}

TEST_CASE("wrong moderator secrets: a few per connection, then rate_limited", "[loopback]")
{
    fixture f(moderated_config());
    f.run(wrong_secrets(&f));
}

TEST_CASE("without a moderator secret moderation is off", "[loopback]")
{
    fixture f;
    f.run(disabled(&f));
}

TEST_CASE("moderator secrets: exact match only, never an empty one", "[unit]")
{
    CHECK(same_secret(secret, secret));
    CHECK_FALSE(same_secret("", ""));  // no secret configured: nobody
    CHECK_FALSE(same_secret("", secret));
    CHECK_FALSE(same_secret(secret.substr(0, 31), secret));  // a prefix
    CHECK_FALSE(same_secret(secret + secret, secret));       // the secret repeated
    CHECK_FALSE(same_secret(secret + "x", secret));
}

TEST_CASE("moderator sign-in: five wrong tries, then refused even when right", "[unit]")
{
    using outcome = moderator_sign_in::outcome;
    moderator_sign_in off;
    CHECK(off.attempt("", "anything") == outcome::disabled);
    CHECK_FALSE(off.signed_in());

    moderator_sign_in m;
    for (unsigned i = 0; i < moderator_sign_in::max_failures; ++i) {
        CHECK(m.attempt(secret, "guess") == outcome::bad_secret);
    }
    CHECK(m.attempt(secret, secret) == outcome::rate_limited);
    CHECK_FALSE(m.signed_in());

    moderator_sign_in fresh;
    CHECK(fresh.attempt(secret, "guess") == outcome::bad_secret);
    CHECK(fresh.attempt(secret, secret) == outcome::signed_in);
    CHECK(fresh.signed_in());
}
