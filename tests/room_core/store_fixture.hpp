#pragma once
// The room model's tests run against both stores (docs/store.md): a
// synchronous facade with space's API over a room_store, either the
// in-memory one or the Redis one (a real redis-server started once per test
// process, a key prefix of its own per facade, the store's clock offset 0
// so test times map to exact milliseconds, no background maintenance).
//
//   auto sp = make_space(ANY_STORE);   // the test runs once per store

#include <ovs/room/store.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ovs::room::test {

enum class store_kind { memory, redis };
const char* to_string(store_kind k);

// In a TEST_CASE body: runs the test case once with each store.
#define ANY_STORE \
    GENERATE(::ovs::room::test::store_kind::memory, ::ovs::room::test::store_kind::redis)

class test_space {
public:
    test_space(store_kind kind,
               const std::vector<config::room_def>& rooms,
               settings s,
               token_source tokens);
    ~test_space();
    test_space(test_space&&) noexcept;
    test_space& operator=(test_space&&) noexcept;

    store_kind kind() const { return kind_; }
    room_store& store() { return *store_; }

    std::optional<refusal> join(conn_id c, const std::string& room, time_point now);
    void leave(conn_id c, time_point now);
    result<claim_granted> claim(conn_id c, unsigned seat, time_point now);
    std::optional<refusal> release(conn_id c, unsigned seat, time_point now);
    result<claim_granted> resume(conn_id c,
                                 unsigned seat,
                                 const std::string& token,
                                 time_point now);
    void stream_up(const std::string& stream, const stream_info& info, time_point now);
    void stream_down(const std::string& stream, time_point now);
    void streams_snapshot(const std::map<std::string, stream_info>& streams, time_point now);
    admission check_admission(const std::string& stream,
                              const std::string& token,
                              time_point now) const;
    std::optional<refusal> moderator_end(const std::string& room, unsigned seat, time_point now);
    std::optional<refusal> set_locked(const std::string& room,
                                      std::optional<unsigned> seat,
                                      bool locked,
                                      time_point now);
    void stream_viewers(const std::map<std::string, std::size_t>& counts, time_point now);
    void tick(time_point now);
    std::optional<time_point> next_deadline() const { return store_->next_deadline(); }
    outputs drain() { return store_->drain(); }
    std::optional<room_snapshot> snapshot(const std::string& room) const
    {
        return store_->snapshot(room);
    }
    std::vector<std::string> room_ids() const { return store_->room_ids(); }
    std::optional<std::string> room_of(conn_id c) const { return store_->room_of(c); }
    std::optional<unsigned> seat_of(conn_id c) const { return store_->seat_of(c); }
    std::size_t seats_in_state(seat_state s) const { return store_->seats_in_state(s); }

    // Runs the Redis store's I/O until `done` (bounded); true at once for memory.
    bool run_until(const std::function<bool()>& done) const;

private:
    struct redis_parts;
    store_kind kind_;
    std::unique_ptr<redis_parts> redis_;
    std::unique_ptr<room_store> memory_;
    room_store* store_ = nullptr;
};

}  // namespace ovs::room::test
