// The room's fan-out list, with fake sessions (no sockets): who receives a
// broadcast, removal in O(1) from the middle, ended sessions skipped, a full
// queue counted as a drop.
#include "audience.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace ovs::room {
namespace {

class fake_session : public net::ws_session {
public:
    explicit fake_session(std::size_t capacity = 100) : capacity_(capacity) {}
    send_result send(const net::frame& f) override
    {
        if (dropped_) return send_result::closed;
        if (got.size() >= capacity_) {
            dropped_ = true;
            return send_result::overflow;
        }
        got.push_back(f);
        return send_result::queued;
    }
    void close(std::uint16_t, std::string_view) override {}
    void drop() override { dropped_ = true; }
    bool is_open() const override { return !dropped_; }
    std::size_t queued() const override { return got.size(); }
    const net::peer_info& peer() const override { return peer_; }

    std::vector<net::frame> got;

private:
    std::size_t capacity_;
    bool dropped_ = false;
    net::peer_info peer_;
};

}  // namespace

TEST_CASE("audience: a broadcast reaches the room's members only, as one shared frame", "[unit]")
{
    audience a;
    auto x = std::make_shared<fake_session>();
    auto y = std::make_shared<fake_session>();
    auto z = std::make_shared<fake_session>();
    a.add("main", 1, x);
    a.add("main", 2, y);
    a.add("side", 3, z);
    auto f = net::make_frame("hello");
    auto d = a.broadcast("main", f);
    CHECK(d.queued == 2);
    CHECK(d.dropped == 0);
    REQUIRE(x->got.size() == 1);
    REQUIRE(y->got.size() == 1);
    CHECK(z->got.empty());
    // The same bytes, not a copy per receiver.
    CHECK(x->got[0].get() == f.get());
    CHECK(y->got[0].get() == f.get());
    CHECK(a.broadcast_all(net::make_frame("all")).queued == 3);
    CHECK(a.count("main") == 2);
    CHECK(a.count("nowhere") == 0);
}

TEST_CASE("audience: removal from the middle keeps everyone else", "[unit]")
{
    audience a;
    std::vector<std::shared_ptr<fake_session>> s;
    for (conn_id id = 1; id <= 5; ++id) {
        s.push_back(std::make_shared<fake_session>());
        a.add("main", id, s.back());
    }
    a.remove("main", 2);
    a.remove("main", 2);  // twice: harmless
    a.remove("main", 99);
    CHECK(a.count("main") == 4);
    a.broadcast("main", net::make_frame("x"));
    CHECK(s[0]->got.size() == 1);
    CHECK(s[1]->got.empty());
    for (std::size_t i = 2; i < 5; ++i) CHECK(s[i]->got.size() == 1);
    for (conn_id id : {1, 3, 4, 5}) a.remove("main", id);
    CHECK(a.count("main") == 0);
    CHECK(a.broadcast("main", net::make_frame("y")).queued == 0);
}

TEST_CASE("audience: an ended session is skipped, a full queue counts as a drop", "[unit]")
{
    audience a;
    auto gone = std::make_shared<fake_session>();
    auto full = std::make_shared<fake_session>(1);
    auto fine = std::make_shared<fake_session>();
    a.add("main", 1, gone);
    a.add("main", 2, full);
    a.add("main", 3, fine);
    gone.reset();  // the connection ended without removing itself
    auto d1 = a.broadcast("main", net::make_frame("one"));
    CHECK(d1.queued == 2);
    auto d2 = a.broadcast("main", net::make_frame("two"));
    CHECK(d2.queued == 1);
    CHECK(d2.dropped == 1);
    CHECK(fine->got.size() == 2);
}

}  // namespace ovs::room
