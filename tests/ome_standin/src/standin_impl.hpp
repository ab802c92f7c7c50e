#pragma once
// Internal: the stand-in's state, shared by its parts (all on one executor):
//   webhook_client.cpp  signs, sends and logs OME's AdmissionWebhooks
//   lifecycle.cpp       publishers and players: OME's event sequences
//   api_listener.cpp    the REST API on libs/net (modes: normal, down, hang)
//   control_listener.cpp the control port on libs/net
//   ome_standin.cpp     the public class
// Every decision (auth, routing, bodies, judging answers) is made by the
// pure parts (rest_api, webhook_message, model, ...); these files move bytes
// and sequence OME's events in the recorded order.

#include "control_api.hpp"
#include "model.hpp"
#include "webhook_message.hpp"

#include <ovs/net/server.hpp>
#include <ovs/ome_standin/ome_standin.hpp>

#include <boost/asio/steady_timer.hpp>

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ovs::ome_standin {

struct webhook_result {
    std::string kind;  // "answered", "timeout", "connect_failed", "io_error"
    int status = 0;
    std::string body;
};

struct api_log_record {
    std::uint64_t seq = 0;
    api_log_entry entry;
};

// Bodies the stand-in reads at most (requests to it, answers to its webhooks).
inline constexpr std::size_t max_body_bytes = 1 << 20;

class ome_standin::impl : public std::enable_shared_from_this<ome_standin::impl> {
public:
    impl(asio::any_io_executor executor, standin_config config);

    asio::any_io_executor ex;
    standin_config cfg;
    model state;
    std::optional<control_server_url> control_url;
    // The API server is made anew when the API comes back up (mode down
    // closes it), on the same port.
    std::unique_ptr<net::server> api;
    std::unique_ptr<net::server> control;
    std::uint16_t api_port = 0;
    std::uint16_t control_port = 0;
    api_mode mode = api_mode::normal;
    std::chrono::milliseconds delay{0};
    asio::steady_timer hang_release;  // hanging requests wait on it
    std::map<std::uint64_t, std::shared_ptr<asio::steady_timer>> lifetime_timers;
    std::list<std::shared_ptr<asio::steady_timer>> other_timers;
    std::vector<api_log_record> api_log;
    std::uint64_t api_seq = 0;
    std::vector<webhook_log_entry> webhook_log;
    std::uint64_t webhook_seq = 0;
    bool stopped = false;

    bool provider_hooks(ingest_protocol p) const;
    bool publisher_hooks(playback_protocol p) const;
    std::string const& vhost_or_default(std::string const& v) const
    {
        return v.empty() ? cfg.vhosts.front() : v;
    }
    std::string const& app_or_default(std::string const& a) const
    {
        return a.empty() ? cfg.apps.front() : a;
    }

    void open_api();      // api_listener.cpp
    void close_api();     // api_listener.cpp
    void open_control();  // control_listener.cpp
    void set_mode(api_mode m);
    std::vector<api_log_entry> api_log_entries() const;
    void release_hanging() { hang_release.expires_at(asio::steady_timer::time_point::max()); }
};

using impl_ptr = std::shared_ptr<ome_standin::impl>;

// webhook_client.cpp
// Who OME says the client of a publisher is (user agent only for HTTP-based
// ingest).
webhook_client client_of(publisher const& p);
asio::awaitable<admission_decision> ask_admission(impl_ptr self,
                                                  std::uint64_t client_id,
                                                  std::string body);
asio::awaitable<std::size_t> send_webhook(impl_ptr self,
                                          std::uint64_t client_id,
                                          std::string status,
                                          std::string body);
asio::awaitable<void> send_publisher_closing(impl_ptr self, publisher p);

// lifecycle.cpp
asio::awaitable<publish_outcome> run_publish(impl_ptr self, publish_request r);
asio::awaitable<bool> run_unpublish(impl_ptr self, std::uint64_t id);
asio::awaitable<play_outcome> run_play(impl_ptr self, play_request r);
asio::awaitable<bool> run_stop_play(impl_ptr self, std::uint64_t id);
void cancel_lifetime(impl_ptr const& self, std::uint64_t id);
asio::awaitable<void> delayed_closing(impl_ptr self,
                                      publisher p,
                                      std::shared_ptr<asio::steady_timer> timer);

}  // namespace ovs::ome_standin
