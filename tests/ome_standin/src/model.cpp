#include "model.hpp"

#include <algorithm>

namespace ovs::ome_standin {
namespace {

double seconds_between(wall_clock::time_point from, wall_clock::time_point to)
{
    if (to <= from) return 0.0;
    return std::chrono::duration<double>(to - from).count();
}

std::uint64_t bytes_for(std::int64_t bits_per_second, double seconds)
{
    return static_cast<std::uint64_t>(static_cast<double>(bits_per_second) / 8.0 * seconds);
}

void merge(traffic_stats& into, traffic_stats const& from)
{
    into.bytes_in += from.bytes_in;
    into.bytes_out += from.bytes_out;
    into.throughput_in += from.throughput_in;
    into.throughput_out += from.throughput_out;
    into.webrtc_connections += from.webrtc_connections;
    into.llhls_connections += from.llhls_connections;
    into.last_recv = std::max(into.last_recv, from.last_recv);
    into.last_sent = std::max(into.last_sent, from.last_sent);
    if (from.max_connections > into.max_connections) {
        into.max_connections = from.max_connections;
        into.max_connection_time = from.max_connection_time;
    }
}

}  // namespace

std::int64_t total_bitrate(media_params const& m)
{
    return m.video_bitrate + m.audio_bitrate;
}

model::model(standin_config const& config, wall_clock::time_point started)
    : vhosts_(config.vhosts), apps_(config.apps), started_(started)
{
    // Ports in the kernel's ephemeral range, offset by the start time so two
    // stand-ins in one test run do not hand out the same sequence.
    last_port_ =
        static_cast<std::uint16_t>(40000 + (started.time_since_epoch().count() / 1000) % 10000);
}

bool model::has_vhost(std::string const& vhost) const
{
    return std::find(vhosts_.begin(), vhosts_.end(), vhost) != vhosts_.end();
}

bool model::has_app(std::string const& vhost, std::string const& app) const
{
    return has_vhost(vhost) && std::find(apps_.begin(), apps_.end(), app) != apps_.end();
}

std::uint16_t model::next_client_port()
{
    last_port_ = static_cast<std::uint16_t>(last_port_ >= 60999 ? 32768 : last_port_ + 7);
    return last_port_;
}

std::vector<publisher const*> model::streams(std::string const& vhost, std::string const& app) const
{
    std::vector<publisher const*> out;
    for (auto const& p : publishers_) {
        if (p.vhost == vhost && p.app == app) out.push_back(&p);
    }
    return out;
}

publisher const* model::find_stream(std::string const& vhost,
                                    std::string const& app,
                                    std::string const& stream) const
{
    for (auto const& p : publishers_) {
        if (p.vhost == vhost && p.app == app && p.stream == stream) return &p;
    }
    return nullptr;
}

publisher const* model::find_publisher(std::uint64_t id) const
{
    for (auto const& p : publishers_) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

void model::add_publisher(publisher p)
{
    p.max_connection_time = p.created;
    publishers_.push_back(std::move(p));
}

std::optional<publisher> model::remove_publisher(std::uint64_t id, wall_clock::time_point now)
{
    auto it = std::find_if(
        publishers_.begin(), publishers_.end(), [id](publisher const& p) { return p.id == id; });
    if (it == publishers_.end()) return std::nullopt;
    traffic_stats const final_stats = stream_stats(*it, now);
    auto& h = history(it->vhost, it->app);
    h.bytes_in += final_stats.bytes_in;
    h.bytes_out += final_stats.bytes_out;
    h.last_recv = std::max(h.last_recv, final_stats.last_recv);
    h.last_sent = std::max(h.last_sent, final_stats.last_sent);
    if (final_stats.max_connections > h.max_connections) {
        h.max_connections = final_stats.max_connections;
        h.max_connection_time = final_stats.max_connection_time;
    }
    publisher removed = std::move(*it);
    publishers_.erase(it);
    return removed;
}

void model::note_connections(publisher& p, wall_clock::time_point now)
{
    int count = 0;
    for (auto const& v : players_) {
        if (v.vhost == p.vhost && v.app == p.app && v.stream == p.stream) ++count;
    }
    if (count > p.max_connections) {
        p.max_connections = count;
        p.max_connection_time = now;
    }
}

void model::add_player(player p, wall_clock::time_point now)
{
    std::string const vhost = p.vhost, app = p.app, stream = p.stream;
    players_.push_back(std::move(p));
    for (auto& source : publishers_) {
        if (source.vhost == vhost && source.app == app && source.stream == stream) {
            note_connections(source, now);
        }
    }
}

std::optional<player> model::remove_player(std::uint64_t id, wall_clock::time_point now)
{
    auto it = std::find_if(
        players_.begin(), players_.end(), [id](player const& p) { return p.id == id; });
    if (it == players_.end()) return std::nullopt;
    player removed = std::move(*it);
    players_.erase(it);
    for (auto& source : publishers_) {
        if (source.vhost == removed.vhost && source.app == removed.app &&
            source.stream == removed.stream) {
            source.retired_bytes_out += player_bytes(removed, source, now);
        }
    }
    return removed;
}

std::uint64_t model::player_bytes(player const& p,
                                  publisher const& source,
                                  wall_clock::time_point now) const
{
    return bytes_for(total_bitrate(source.media), seconds_between(p.created, now));
}

traffic_stats model::stream_stats(publisher const& p, wall_clock::time_point now) const
{
    traffic_stats s;
    s.created = p.created;
    s.last_recv = now;
    s.last_sent = p.created;
    s.throughput_in = total_bitrate(p.media);
    s.bytes_in = bytes_for(s.throughput_in, seconds_between(p.created, now));
    s.bytes_out = p.retired_bytes_out;
    s.max_connections = p.max_connections;
    s.max_connection_time = p.max_connection_time;
    if (p.retired_bytes_out > 0) s.last_sent = now;
    for (auto const& v : players_) {
        if (v.vhost != p.vhost || v.app != p.app || v.stream != p.stream) continue;
        s.bytes_out += player_bytes(v, p, now);
        s.throughput_out += total_bitrate(p.media);
        s.last_sent = now;
        if (v.protocol == playback_protocol::webrtc) {
            ++s.webrtc_connections;
        } else {
            ++s.llhls_connections;
        }
    }
    return s;
}

model::app_history& model::history(std::string const& vhost, std::string const& app)
{
    for (auto& h : history_) {
        if (h.vhost == vhost && h.app == app) return h;
    }
    app_history h;
    h.vhost = vhost;
    h.app = app;
    h.last_recv = started_;
    h.last_sent = started_;
    h.max_connection_time = started_;
    history_.push_back(h);
    return history_.back();
}

model::app_history const* model::find_history(std::string const& vhost,
                                              std::string const& app) const
{
    for (auto const& h : history_) {
        if (h.vhost == vhost && h.app == app) return &h;
    }
    return nullptr;
}

traffic_stats model::app_stats(std::string const& vhost,
                               std::string const& app,
                               wall_clock::time_point now) const
{
    traffic_stats s;
    s.created = started_;
    s.last_recv = started_;
    s.last_sent = started_;
    s.max_connection_time = started_;
    if (auto const* h = find_history(vhost, app)) {
        s.bytes_in = h->bytes_in;
        s.bytes_out = h->bytes_out;
        s.last_recv = h->last_recv;
        s.last_sent = h->last_sent;
        s.max_connections = h->max_connections;
        s.max_connection_time = h->max_connection_time;
    }
    for (auto const* p : streams(vhost, app)) merge(s, stream_stats(*p, now));
    return s;
}

traffic_stats model::vhost_stats(std::string const& vhost, wall_clock::time_point now) const
{
    traffic_stats s;
    s.created = started_;
    s.last_recv = started_;
    s.last_sent = started_;
    s.max_connection_time = started_;
    for (auto const& app : apps_) merge(s, app_stats(vhost, app, now));
    return s;
}

traffic_stats model::server_stats(wall_clock::time_point now) const
{
    traffic_stats s;
    s.created = started_;
    s.last_recv = started_;
    s.last_sent = started_;
    s.max_connection_time = started_;
    for (auto const& vhost : vhosts_) merge(s, vhost_stats(vhost, now));
    return s;
}

}  // namespace ovs::ome_standin
