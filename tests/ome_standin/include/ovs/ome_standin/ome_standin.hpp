#pragma once
// The OME stand-in: a fake OvenMediaEngine for tests. It serves OME's REST API
// (/v1) and sends AdmissionWebhooks exactly as a real v0.20.0 does, and it has
// a separate control port (or this C++ API) through which a test makes
// encoders publish and players play. Beast stays in the .cpp files.

#include <ovs/net/net.hpp>
#include <ovs/ome_standin/config.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace ovs::ome_standin {

enum class api_mode {
    normal,
    down,   // connections refused, open ones closed
    hang,   // requests are read but never answered (until mode changes)
    error,  // every request is answered 500 and changes nothing
};

class ome_standin {
public:
    ome_standin(asio::any_io_executor executor, standin_config config);
    ~ome_standin();
    ome_standin(ome_standin const&) = delete;
    ome_standin& operator=(ome_standin const&) = delete;

    // Binds both listeners and starts accepting. Throws net::bind_error.
    void start();
    // Closes listeners, connections and timers so the io_context runs out of
    // work (webhooks in flight end within their timeout).
    void stop();

    std::uint16_t api_port() const;
    std::uint16_t control_port() const;

    // An encoder connects and publishes. Completes after OME's whole sequence:
    // opening webhook, and for a refusal the closing OME sends (RTMP).
    asio::awaitable<publish_outcome> publish(publish_request request);
    // The encoder disconnects: closing webhook. False when not live.
    asio::awaitable<bool> unpublish(std::uint64_t publisher_id);
    asio::awaitable<play_outcome> play(play_request request);
    asio::awaitable<bool> stop_play(std::uint64_t player_id);

    // Where admission webhooks go from now on (ControlServerUrl). A real OME
    // reads it once from Server.xml; tests set it after the gateway has
    // bound a free port, instead of guessing a port that another test may
    // take meanwhile. Throws std::invalid_argument unless http://host[:port]/path.
    void set_webhook_url(const std::string& url);
    void set_api_mode(api_mode mode);
    void set_api_delay(std::chrono::milliseconds delay);  // every answer this much later

    std::vector<api_log_entry> api_log() const;
    std::vector<webhook_log_entry> webhook_log() const;
    void clear_logs();
    // Names the REST list would show for vhost/app (empty = first configured).
    std::vector<std::string> live_streams(std::string const& vhost = {},
                                          std::string const& app = {}) const;

    class impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace ovs::ome_standin
