// Edge choice (rendezvous hashing): stable, even, and moving as few viewers
// as possible when the set of edges changes.
#include <ovs/room/edge_choice.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using namespace ovs::room;

namespace {

std::string key(int i)
{
    return "viewer-" + std::to_string(i);
}

}  // namespace

TEST_CASE("no edges: no choice, one edge: always it", "[unit][room_core][edges]")
{
    CHECK_FALSE(pick_edge("v", {}));
    CHECK(pick_edge("v", {"edge-a"}) == 0u);
}

TEST_CASE("the same viewer gets the same edge whatever the order of the list",
          "[unit][room_core][edges]")
{
    const std::vector<std::string> ab{"edge-a", "edge-b", "edge-c"};
    const std::vector<std::string> ba{"edge-c", "edge-a", "edge-b"};
    for (int i = 0; i < 500; ++i) {
        const auto x = pick_edge(key(i), ab);
        const auto y = pick_edge(key(i), ba);
        REQUIRE(x);
        REQUIRE(y);
        REQUIRE(ab[*x] == ba[*y]);
        REQUIRE(pick_edge(key(i), ab) == x);
    }
    // Fixed across platforms and runs (the hash is our own, not std::hash).
    CHECK(edge_weight("viewer-1", "edge-a") == edge_weight("viewer-1", "edge-a"));
    CHECK(edge_weight("ab", "c") != edge_weight("a", "bc"));
}

TEST_CASE("viewers spread evenly over the edges", "[unit][room_core][edges]")
{
    const std::vector<std::string> edges{"edge-a", "edge-b", "edge-c"};
    std::map<std::size_t, int> count;
    const int n = 30000;
    for (int i = 0; i < n; ++i) ++count[*pick_edge(key(i), edges)];
    for (std::size_t e = 0; e < edges.size(); ++e) {
        CHECK(count[e] > n / 3 * 0.95);
        CHECK(count[e] < n / 3 * 1.05);
    }
}

TEST_CASE("adding an edge moves only the viewers it wins, removing one moves only its own",
          "[unit][room_core][edges]")
{
    const std::vector<std::string> two{"edge-a", "edge-b"};
    const std::vector<std::string> three{"edge-a", "edge-b", "edge-c"};
    const int n = 30000;
    int moved = 0;
    for (int i = 0; i < n; ++i) {
        const auto before = two[*pick_edge(key(i), two)];
        const auto after = three[*pick_edge(key(i), three)];
        if (before != after) {
            ++moved;
            REQUIRE(after == "edge-c");  // only to the new edge
        }
    }
    CHECK(moved > n / 3 * 0.95);  // about a third: the new edge's fair share
    CHECK(moved < n / 3 * 1.05);

    const std::vector<std::string> without_b{"edge-a", "edge-c"};
    for (int i = 0; i < n; ++i) {
        const auto before = three[*pick_edge(key(i), three)];
        const auto after = without_b[*pick_edge(key(i), without_b)];
        if (before != "edge-b") REQUIRE(after == before);  // untouched unless on edge-b
    }
}
