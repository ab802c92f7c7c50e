#pragma once
// The embedded store (`store: memory`, the default): the in-process room
// model (space) behind the room_store interface. Every `done` runs before the
// call returns; nothing arrives on its own, so the wake-up is never called.

#include <ovs/room/space.hpp>
#include <ovs/room/store.hpp>

namespace ovs::room {

class memory_store final : public room_store {
public:
    memory_store(const std::vector<config::room_def>& rooms, settings s, token_source tokens);

    void join(conn_id c,
              const std::string& room,
              time_point now,
              done_fn<std::optional<refusal>> done) override;
    void leave(conn_id c, time_point now, done_void done) override;
    void claim(conn_id c,
               unsigned seat,
               time_point now,
               done_fn<result<claim_granted>> done) override;
    void release(conn_id c,
                 unsigned seat,
                 time_point now,
                 done_fn<std::optional<refusal>> done) override;
    void resume(conn_id c,
                unsigned seat,
                const std::string& token,
                time_point now,
                done_fn<result<claim_granted>> done) override;
    void stream_up(const std::string& stream,
                   const stream_info& info,
                   time_point now,
                   done_void done) override;
    void stream_down(const std::string& stream, time_point now, done_void done) override;
    void streams_snapshot(const std::map<std::string, stream_info>& streams,
                          time_point now,
                          done_void done) override;
    void check_admission(const std::string& stream,
                         const std::string& token,
                         time_point now,
                         done_fn<admission> done) override;
    void moderator_end(const std::string& room,
                       unsigned seat,
                       time_point now,
                       done_fn<std::optional<refusal>> done) override;
    void set_locked(const std::string& room,
                    std::optional<unsigned> seat,
                    bool locked,
                    time_point now,
                    done_fn<std::optional<refusal>> done) override;
    void stream_viewers(const std::map<std::string, std::size_t>& counts,
                        time_point now,
                        done_void done) override;
    void tick(time_point now, done_void done) override;
    std::optional<time_point> next_deadline() const override { return model_.next_deadline(); }
    outputs drain() override { return model_.drain(); }
    std::optional<room_snapshot> snapshot(const std::string& room) const override
    {
        return model_.snapshot(room);
    }
    std::vector<std::string> room_ids() const override { return model_.room_ids(); }
    std::optional<std::string> room_of(conn_id c) const override { return model_.room_of(c); }
    std::optional<unsigned> seat_of(conn_id c) const override { return model_.seat_of(c); }
    std::size_t seats_in_state(seat_state s) const override { return model_.seats_in_state(s); }
    bool available() const override { return true; }
    void set_wakeup(std::function<void()>) override {}

    // The model itself, for callers that want the synchronous API.
    space& model() { return model_; }

private:
    space model_;
};

}  // namespace ovs::room
