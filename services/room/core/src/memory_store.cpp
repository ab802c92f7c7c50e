#include <ovs/room/memory_store.hpp>

namespace ovs::room {
namespace {

// `done` may be empty (fire and forget).
template <class F, class... A>
void call(const F& done, A&&... args)
{
    if (done) done(std::forward<A>(args)...);
}

}  // namespace

memory_store::memory_store(const std::vector<config::room_def>& rooms,
                           settings s,
                           token_source tokens)
    : model_(rooms, s, std::move(tokens))
{
}

void memory_store::join(conn_id c,
                        const std::string& room,
                        time_point now,
                        done_fn<std::optional<refusal>> done)
{
    call(done, model_.join(c, room, now));
}

void memory_store::leave(conn_id c, time_point now, done_void done)
{
    model_.leave(c, now);
    call(done);
}

void memory_store::claim(conn_id c,
                         unsigned seat,
                         time_point now,
                         done_fn<result<claim_granted>> done)
{
    call(done, model_.claim(c, seat, now));
}

void memory_store::release(conn_id c,
                           unsigned seat,
                           time_point now,
                           done_fn<std::optional<refusal>> done)
{
    call(done, model_.release(c, seat, now));
}

void memory_store::resume(conn_id c,
                          unsigned seat,
                          const std::string& token,
                          time_point now,
                          done_fn<result<claim_granted>> done)
{
    call(done, model_.resume(c, seat, token, now));
}

void memory_store::stream_up(const std::string& stream,
                             const stream_info& info,
                             time_point now,
                             done_void done)
{
    model_.stream_up(stream, info, now);
    call(done);
}

void memory_store::stream_down(const std::string& stream, time_point now, done_void done)
{
    model_.stream_down(stream, now);
    call(done);
}

void memory_store::streams_snapshot(const std::map<std::string, stream_info>& streams,
                                    time_point now,
                                    done_void done)
{
    model_.streams_snapshot(streams, now);
    call(done);
}

void memory_store::check_admission(const std::string& stream,
                                   const std::string& token,
                                   time_point now,
                                   done_fn<admission> done)
{
    call(done, model_.check_admission(stream, token, now));
}

void memory_store::moderator_end(const std::string& room,
                                 unsigned seat,
                                 time_point now,
                                 done_fn<std::optional<refusal>> done)
{
    call(done, model_.moderator_end(room, seat, now));
}

void memory_store::set_locked(const std::string& room,
                              std::optional<unsigned> seat,
                              bool locked,
                              time_point now,
                              done_fn<std::optional<refusal>> done)
{
    call(done, model_.set_locked(room, seat, locked, now));
}

void memory_store::stream_viewers(const std::map<std::string, std::size_t>& counts,
                                  time_point now,
                                  done_void done)
{
    model_.stream_viewers(counts, now);
    call(done);
}

void memory_store::tick(time_point now, done_void done)
{
    model_.tick(now);
    call(done);
}

}  // namespace ovs::room
