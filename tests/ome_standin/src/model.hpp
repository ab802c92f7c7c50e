#pragma once
// The stand-in's state, pure: which streams are live, who watches them, and
// the counters the stats endpoints report. Time is always passed in.

#include "ome_time.hpp"

#include <ovs/ome_standin/config.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ovs::ome_standin {

struct publisher {
    std::uint64_t id = 0;
    ingest_protocol protocol = ingest_protocol::rtmp;
    std::string vhost;
    std::string app;
    std::string stream;   // final name (after a new_url redirect)
    std::string url;      // request.url of the webhooks
    std::string new_url;  // request.new_url of the closings
    std::string address;
    std::uint16_t port = 0;
    std::string user_agent;  // empty = not sent
    std::string real_ip;
    wall_clock::time_point created;
    media_params media;
    std::optional<std::chrono::milliseconds> outputs_after;  // see publish_request
    // Counters kept across viewers that came and went.
    std::uint64_t retired_bytes_out = 0;
    int max_connections = 0;
    wall_clock::time_point max_connection_time;
};

struct player {
    std::uint64_t id = 0;
    playback_protocol protocol = playback_protocol::webrtc;
    std::string vhost;
    std::string app;
    std::string stream;
    std::string url;
    std::string address;
    std::uint16_t port = 0;
    std::string user_agent;
    std::string real_ip;
    wall_clock::time_point created;
};

// Cumulated traffic of one scope (stream, app, vhost, server).
struct traffic_stats {
    wall_clock::time_point created;
    wall_clock::time_point last_recv;
    wall_clock::time_point last_sent;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::int64_t throughput_in = 0;  // bits per second
    std::int64_t throughput_out = 0;
    int webrtc_connections = 0;
    int llhls_connections = 0;
    int max_connections = 0;
    wall_clock::time_point max_connection_time;
};

class model {
public:
    model(standin_config const& config, wall_clock::time_point started);

    bool has_vhost(std::string const& vhost) const;
    bool has_app(std::string const& vhost, std::string const& app) const;
    std::vector<std::string> const& vhosts() const { return vhosts_; }
    std::vector<std::string> const& apps() const { return apps_; }

    std::uint64_t next_id() { return ++last_id_; }
    // A distinct fake client port per connection, like the kernel would give.
    std::uint16_t next_client_port();

    // Live input streams of an app, in creation order (OME lists by stream id).
    std::vector<publisher const*> streams(std::string const& vhost, std::string const& app) const;
    publisher const* find_stream(std::string const& vhost,
                                 std::string const& app,
                                 std::string const& stream) const;
    publisher const* find_publisher(std::uint64_t id) const;
    std::vector<publisher> const& publishers() const { return publishers_; }
    void add_publisher(publisher p);
    std::optional<publisher> remove_publisher(std::uint64_t id, wall_clock::time_point now);

    void add_player(player p, wall_clock::time_point now);
    std::optional<player> remove_player(std::uint64_t id, wall_clock::time_point now);
    std::vector<player> const& players() const { return players_; }

    traffic_stats stream_stats(publisher const& p, wall_clock::time_point now) const;
    traffic_stats app_stats(std::string const& vhost,
                            std::string const& app,
                            wall_clock::time_point now) const;
    traffic_stats vhost_stats(std::string const& vhost, wall_clock::time_point now) const;
    traffic_stats server_stats(wall_clock::time_point now) const;

private:
    struct app_history {
        std::string vhost;
        std::string app;
        std::uint64_t bytes_in = 0;
        std::uint64_t bytes_out = 0;
        wall_clock::time_point last_recv;
        wall_clock::time_point last_sent;
        int max_connections = 0;
        wall_clock::time_point max_connection_time;
    };
    app_history& history(std::string const& vhost, std::string const& app);
    app_history const* find_history(std::string const& vhost, std::string const& app) const;
    std::uint64_t player_bytes(player const& p,
                               publisher const& source,
                               wall_clock::time_point now) const;
    void note_connections(publisher& p, wall_clock::time_point now);

    std::vector<std::string> vhosts_;
    std::vector<std::string> apps_;
    wall_clock::time_point started_;
    std::uint64_t last_id_ = 0;
    std::uint16_t last_port_ = 0;
    std::vector<publisher> publishers_;
    std::vector<player> players_;
    std::vector<app_history> history_;
};

std::int64_t total_bitrate(media_params const& m);

}  // namespace ovs::ome_standin
