#pragma once
// What the scenarios share: a cluster plus browsers, and the user-level
// steps (claim a seat, take the token out of the publish URLs, publish).

#include "browser.hpp"
#include "cluster.hpp"
#include "http_client.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ovs::integration {

using namespace std::chrono_literals;

// Bounds for waits that an event ends: generous, since a sanitizer build on
// a busy 2-core machine is slow; a passing run takes a fraction of them.
inline constexpr std::chrono::milliseconds event_bound{5000};

struct claimed_seat {
    unsigned seat = 0;
    std::string stream;
    std::string token;  // from the reply's `token`
    json publish;       // the reply's publish URLs
    json reply;
};

// The `query` an encoder would use for `protocol`, taken out of the publish
// URLs of the claim reply (so the URLs are what is under test, not a copy of
// the token).
std::string publish_query(const claimed_seat& claim, ingest protocol);

// Percent-decodes a URL component.
std::string percent_decode(const std::string& text);

// Claims `seat` over the WebSocket; nullopt (with a Catch message) when the
// reply is not ok.
std::optional<claimed_seat> claim_seat(browser& b, unsigned seat);

// Is the seat live with the given source?
bool seat_live_from(const seat_view& s, const std::string& source);

// Waits until the gateway has completed `n` more polls of OME's stream list
// than when called (its /metrics), i.e. the safety net has had its say.
bool wait_polls(cluster& c, int n, std::chrono::milliseconds timeout);

// Skips the current test (prints why) when the stand-in's powers are needed.
#define OVS_REQUIRE_STANDIN(cluster_ref, why)              \
    do {                                                   \
        if (!(cluster_ref).media().standin_powers()) {     \
            WARN("skipped against a real OME: " << (why)); \
            return;                                        \
        }                                                  \
    } while (false)

}  // namespace ovs::integration
