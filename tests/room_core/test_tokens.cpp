// The production token source: OS randomness, base64url, 128 bits.
#include "helpers.hpp"

#include <set>

using namespace ovs::room;
using namespace ovs::room::test;

namespace {
bool url_safe(const std::string& s)
{
    for (const char ch : s) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                        (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}
}  // namespace

TEST_CASE("random_tokens: URL-safe, 128 bits, unique", "[unit][room_core]")
{
    auto next = random_tokens();
    std::set<std::string> seen;
    std::set<char> chars;
    constexpr int draws = 20000;
    for (int i = 0; i < draws; ++i) {
        const auto t = next();
        // 16 bytes in base64url without padding: 22 characters, 6 bits each
        // (the last carries 2 bits), >= 128 bits in all.
        REQUIRE(t.size() == 22);
        REQUIRE(url_safe(t));
        REQUIRE(t.find('=') == std::string::npos);
        chars.insert(t.begin(), t.end());
        seen.insert(t);
    }
    CHECK(seen.size() == static_cast<std::size_t>(draws));
    // Random data uses (nearly) the whole alphabet, including - and _.
    CHECK(chars.size() >= 60);
    CHECK(chars.count('-') == 1);
    CHECK(chars.count('_') == 1);
}

TEST_CASE("a space with the production tokens hands out distinct tokens", "[unit][room_core]")
{
    test_space sp(ANY_STORE, {{"r", "R", 8, "s"}}, webhook_settings(), random_tokens());
    std::vector<std::string> tokens;
    for (conn_id c = 1; c <= 8; ++c) {
        REQUIRE_FALSE(sp.join(c, "r", t0));
        const auto g = must_claim(sp, c, static_cast<unsigned>(c - 1), t0);
        CHECK(g.token.size() == 22);
        CHECK(url_safe(g.token));
        tokens.push_back(g.token);
    }
    CHECK(std::set<std::string>(tokens.begin(), tokens.end()).size() == 8);
    // Each token admits only its own seat.
    for (unsigned i = 0; i < 8; ++i) {
        for (unsigned j = 0; j < 8; ++j) {
            const auto a = sp.check_admission("s" + std::to_string(j), tokens[i], t0);
            CHECK(a.allowed == (i == j));
        }
    }
}
