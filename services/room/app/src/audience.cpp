#include "audience.hpp"

namespace ovs::room {

void audience::add(const std::string& room,
                   conn_id id,
                   std::weak_ptr<net::ws_session> session,
                   std::string viewer_key)
{
    auto& members = rooms_[room];
    if (members.slot.count(id)) return;
    members.slot.emplace(id, members.list.size());
    const void* address = session.lock().get();
    members.list.push_back(member{id, std::move(session), std::move(viewer_key), address});
}

void audience::remove(const std::string& room, conn_id id)
{
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    auto& members = it->second;
    auto slot = members.slot.find(id);
    if (slot == members.slot.end()) return;
    // Swap with the last one: order does not matter, removal stays O(1).
    auto index = slot->second;
    members.slot.erase(slot);
    if (index + 1 != members.list.size()) {
        members.list[index] = std::move(members.list.back());
        members.slot[members.list[index].id] = index;
    }
    members.list.pop_back();
    if (members.list.empty()) rooms_.erase(it);
}

std::size_t audience::count(const std::string& room) const
{
    auto it = rooms_.find(room);
    return it == rooms_.end() ? 0 : it->second.list.size();
}

void audience::send_all(room_members& members, const net::frame& f, delivery& out)
{
    // send() never ends a session (and so never calls remove) from inside
    // itself: walking the list while sending is safe.
    // Thousands of sessions, each cold in the cache: asking for the one a
    // few places ahead overlaps those misses (net::ws_session keeps what a
    // delivery touches at its start).
    constexpr std::size_t ahead = 4;
    auto& list = members.list;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i + ahead < list.size()) __builtin_prefetch(list[i + ahead].address);
        auto session = list[i].session.lock();
        if (!session) continue;
        out.note(session->send(f));
    }
}

audience::delivery audience::broadcast(const std::string& room, const net::frame& f)
{
    delivery out;
    auto it = rooms_.find(room);
    if (it != rooms_.end()) send_all(it->second, f, out);
    return out;
}

void audience::for_each(
    const std::string& room,
    const std::function<void(conn_id, const std::string& viewer_key, net::ws_session&)>& fn)
{
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    for (auto& m : it->second.list) {
        if (auto session = m.session.lock()) fn(m.id, m.viewer_key, *session);
    }
}

audience::delivery audience::broadcast_all(const net::frame& f)
{
    delivery out;
    for (auto& [room, members] : rooms_) send_all(members, f, out);
    return out;
}

audience::delivery audience::send_each(
    const std::function<net::frame(const std::string& viewer_key)>& frame_for)
{
    delivery out;
    for (auto& [room, members] : rooms_) {
        for (auto& m : members.list) {
            auto session = m.session.lock();
            if (!session) continue;
            out.note(session->send(frame_for(m.viewer_key)));
        }
    }
    return out;
}

}  // namespace ovs::room
