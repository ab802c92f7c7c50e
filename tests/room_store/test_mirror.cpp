// The Redis store's pure parts: event and reply decoding, holder ids, and
// the mirror that applies events in sequence order whatever order they
// arrive in.

#include <ovs/room/room_mirror.hpp>
#include <ovs/room/store_codec.hpp>

#include <catch2/catch.hpp>

using namespace ovs::room;
using namespace ovs::room::store;

namespace {

store_event seat_event(std::uint64_t seq, unsigned index, seat_state state, std::string holder = "")
{
    store_event e;
    e.room = "main";
    e.seq = seq;
    seat_record s;
    s.index = index;
    s.state = state;
    s.holder = std::move(holder);
    e.seat = s;
    return e;
}

store_event viewers_event(std::uint64_t seq, std::size_t n)
{
    store_event e;
    e.room = "main";
    e.seq = seq;
    e.viewers = n;
    return e;
}

std::vector<std::uint64_t> seqs(const std::vector<store_event>& v)
{
    std::vector<std::uint64_t> out;
    for (const auto& e : v) out.push_back(e.seq);
    return out;
}

}  // namespace

TEST_CASE("decode_event reads what the scripts publish and refuses the rest", "[unit][room_store]")
{
    const auto e = decode_event(
        R"({"type":"seat","room":"main","seq":7,"index":2,"state":"reserved","holder":"r1/9","lease":1700000000123})");
    REQUIRE(e);
    CHECK(e->room == "main");
    CHECK(e->seq == 7);
    REQUIRE(e->seat);
    CHECK(e->seat->index == 2);
    CHECK(e->seat->state == seat_state::reserved);
    CHECK(e->seat->holder == "r1/9");
    CHECK(e->seat->lease_ms == 1700000000123);
    CHECK_FALSE(e->seat->info);

    const auto live = decode_event(
        R"({"type":"seat","room":"main","seq":8,"index":0,"state":"live","info":{"source":"RTMP","video_codec":"H264","width":1280,"height":720,"bitrate":2500000}})");
    REQUIRE(live);
    REQUIRE(live->seat->info);
    CHECK(live->seat->info->source == "RTMP");
    CHECK(live->seat->info->width == 1280);
    CHECK(live->seat->info->bitrate == 2500000);

    const auto v = decode_event(R"({"type":"viewers","room":"side","seq":3,"count":12})");
    REQUIRE(v);
    CHECK_FALSE(v->seat);
    CHECK(v->viewers == 12);

    CHECK_FALSE(decode_event("not json"));
    CHECK_FALSE(decode_event(R"({"type":"seat","room":"main","seq":1,"index":0,"state":"odd"})"));
    CHECK_FALSE(decode_event(R"({"type":"seat","room":"main","seq":0,"index":0,"state":"free"})"));
    CHECK_FALSE(decode_event(R"({"type":"other","room":"main","seq":1})"));
    CHECK_FALSE(decode_event(R"({"type":"viewers","room":"main","seq":1})"));
    CHECK_FALSE(decode_event(R"([1,2])"));
}

TEST_CASE("decode_reply splits result, deadline, kicks and events", "[unit][room_store]")
{
    const auto r = decode_reply({R"({"lease":123})",
                                 "456",
                                 R"([{"seat":1,"reason":"released"}])",
                                 R"({"type":"viewers","room":"main","seq":1,"count":1})"});
    REQUIRE(r);
    CHECK(r->result["lease"] == 123);
    CHECK(r->deadline_ms == 456);
    REQUIRE(r->kicks.size() == 1);
    CHECK(r->kicks[0].seat == 1);
    CHECK(r->kicks[0].reason == "released");
    REQUIRE(r->events.size() == 1);
    CHECK(r->events[0].viewers == 1);

    // cjson writes an empty list as {}; no deadline is "".
    const auto empty = decode_reply({"{}", "", "{}"});
    REQUIRE(empty);
    CHECK_FALSE(empty->deadline_ms);
    CHECK(empty->kicks.empty());

    CHECK_FALSE(decode_reply({"{}", ""}));
    CHECK_FALSE(decode_reply({"[]", "", "{}"}));
    CHECK_FALSE(decode_reply({"{}", "12x", "{}"}));
    CHECK_FALSE(decode_reply({"{}", "", R"([{"seat":"x"}])"}));
    CHECK_FALSE(decode_reply({"{}", "", "{}", "garbage"}));
}

TEST_CASE("holder ids name the replica and the connection", "[unit][room_store]")
{
    CHECK(holder_id("host-1a2b", 42) == "host-1a2b/42");
    CHECK(local_conn("host-1a2b/42", "host-1a2b") == 42u);
    CHECK_FALSE(local_conn("host-1a2b/42", "host-1a2"));
    CHECK_FALSE(local_conn("host-1a2b/42", "host-1a2b/4"));
    CHECK_FALSE(local_conn("host-1a2b/", "host-1a2b"));
    CHECK_FALSE(local_conn("host-1a2b/0", "host-1a2b"));
    CHECK_FALSE(local_conn("host-1a2b/4x", "host-1a2b"));
    CHECK_FALSE(local_conn("", "host-1a2b"));
}

TEST_CASE("token hashes are SHA-256 in hex", "[unit][room_store]")
{
    // printf 'abc' | sha256sum
    CHECK(token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(token_hash("abc") != token_hash("abd"));
}

TEST_CASE("stream details survive the round trip through the scripts' JSON", "[unit][room_store]")
{
    stream_info i;
    i.source = "SRT";
    i.video_codec = "H265";
    i.width = 3840;
    i.height = 2160;
    i.bitrate = 12000000;
    CHECK(decode_info(encode_info(i)) == i);
    CHECK(decode_info(encode_info(stream_info{})) == stream_info{});
    CHECK_FALSE(decode_info(json::array()));
}

TEST_CASE("the mirror applies events once each, in sequence order", "[unit][room_store]")
{
    room_mirror m(3);
    CHECK(m.seq() == 0);
    CHECK(seqs(m.offer(seat_event(1, 0, seat_state::reserved, "a/1"))) ==
          std::vector<std::uint64_t>{1});
    CHECK(m.seats()[0].state == seat_state::reserved);
    // A duplicate (the pub/sub copy of a script's own event) is ignored.
    CHECK(m.offer(seat_event(1, 0, seat_state::reserved, "a/1")).empty());
    // Later events wait for the missing one, then all apply in order.
    CHECK(m.offer(seat_event(3, 1, seat_state::live)).empty());
    CHECK(m.offer(viewers_event(4, 5)).empty());
    CHECK(m.waiting());
    CHECK(m.missing_from() == 2);
    CHECK(m.seq() == 1);
    CHECK(seqs(m.offer(seat_event(2, 0, seat_state::free))) == std::vector<std::uint64_t>{2, 3, 4});
    CHECK_FALSE(m.waiting());
    CHECK(m.seats()[0].state == seat_state::free);
    CHECK(m.seats()[1].state == seat_state::live);
    CHECK(m.viewers() == 5);
    // An event for a seat the config does not have moves seq but no seat.
    CHECK(seqs(m.offer(seat_event(5, 9, seat_state::live))) == std::vector<std::uint64_t>{5});
    CHECK(m.seats().size() == 3);
}

TEST_CASE("a mirror reset replaces the state and applies what waited beyond it",
          "[unit][room_store]")
{
    room_mirror m(2);
    m.offer(seat_event(1, 0, seat_state::reserved, "a/1"));
    m.offer(seat_event(5, 1, seat_state::live));  // waits: 2..4 are missing
    m.offer(seat_event(7, 0, seat_state::live));
    seat_record held;
    held.index = 1;
    held.state = seat_state::reserved;
    held.holder = "b/3";
    held.lease_ms = 99;
    const auto applied = m.reset(4, 2, {held});
    CHECK(seqs(applied) == std::vector<std::uint64_t>{5});
    CHECK(m.seq() == 5);
    CHECK(m.viewers() == 2);
    CHECK(m.seats()[0].state == seat_state::free);  // not in the snapshot: free
    CHECK(m.seats()[1].state == seat_state::live);  // event 5 after the snapshot
    CHECK(m.waiting());                             // 7 still waits for 6
    CHECK_FALSE(m.earliest_lease());
}

TEST_CASE("the mirror holds a bounded number of waiting events", "[unit][room_store]")
{
    room_mirror m(1, 3);
    for (std::uint64_t s = 10; s < 20; ++s) m.offer(viewers_event(s, s));
    m.reset(16, 0, {});
    // Only the 3 newest waited (17..19); they follow the snapshot.
    CHECK(m.seq() == 19);
    CHECK(m.viewers() == 19);
}

TEST_CASE("earliest_lease considers held, reserved seats only", "[unit][room_store]")
{
    room_mirror m(3);
    auto a = seat_event(1, 0, seat_state::reserved, "a/1");
    a.seat->lease_ms = 500;
    auto b = seat_event(2, 1, seat_state::reserved, "a/2");
    b.seat->lease_ms = 300;
    auto c = seat_event(3, 2, seat_state::live, "a/3");
    c.seat->lease_ms = 100;  // not reserved: no lease running
    m.offer(a);
    m.offer(b);
    m.offer(c);
    CHECK(m.earliest_lease() == 300);
}
