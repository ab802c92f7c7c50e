// The stand-in's public class and the state its parts share (see
// standin_impl.hpp for which file does what).
#include "ome_time.hpp"
#include "standin_impl.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ovs::ome_standin {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

bool listed(std::vector<std::string> const& names, std::string const& key)
{
    return std::any_of(
        names.begin(), names.end(), [&](std::string const& n) { return lower(n) == key; });
}

}  // namespace

ome_standin::impl::impl(asio::any_io_executor executor, standin_config config)
    : ex(std::move(executor)),
      cfg(std::move(config)),
      state(cfg, wall_clock::now()),
      hang_release(ex, asio::steady_timer::time_point::max())
{
}

bool ome_standin::impl::provider_hooks(ingest_protocol p) const
{
    return control_url && listed(cfg.webhook_providers, provider_key(p));
}

bool ome_standin::impl::publisher_hooks(playback_protocol p) const
{
    return control_url && listed(cfg.webhook_publishers, publisher_key(p));
}

std::vector<api_log_entry> ome_standin::impl::api_log_entries() const
{
    std::vector<api_log_entry> out;
    out.reserve(api_log.size());
    for (auto const& r : api_log) out.push_back(r.entry);
    return out;
}

void ome_standin::impl::set_mode(api_mode m)
{
    if (stopped) return;
    mode = m;
    if (m == api_mode::down) {
        close_api();
    } else if (!api) {
        open_api();
    }
    // Wake hanging requests: they re-check the mode (and answer, or give up
    // when the API went down).
    release_hanging();
}

// --- public API --------------------------------------------------------------

ome_standin::ome_standin(asio::any_io_executor executor, standin_config config)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(config)))
{
    if (impl_->cfg.vhosts.empty() || impl_->cfg.apps.empty()) {
        throw std::invalid_argument("ome-standin: at least one vhost and one app are required");
    }
    if (!impl_->cfg.webhook_url.empty()) set_webhook_url(impl_->cfg.webhook_url);
}

void ome_standin::set_webhook_url(const std::string& url)
{
    auto parsed = parse_control_server_url(url);
    if (!parsed) {
        throw std::invalid_argument(
            "ome-standin: webhook URL must be http://host[:port]/path, got '" + url + "'");
    }
    impl_->cfg.webhook_url = url;
    impl_->control_url = std::move(parsed);
}

ome_standin::~ome_standin()
{
    stop();
}

void ome_standin::start()
{
    impl_->api_port = impl_->cfg.api_port;
    impl_->open_api();
    impl_->open_control();
}

void ome_standin::stop()
{
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->close_api();
    if (impl_->control) impl_->control->close_all();
    for (auto& [id, timer] : impl_->lifetime_timers) timer->cancel();
    impl_->lifetime_timers.clear();
    for (auto& timer : impl_->other_timers) timer->cancel();
    impl_->other_timers.clear();
    impl_->hang_release.cancel();
}

std::uint16_t ome_standin::api_port() const
{
    return impl_->api_port;
}

std::uint16_t ome_standin::control_port() const
{
    return impl_->control_port;
}

asio::awaitable<publish_outcome> ome_standin::publish(publish_request request)
{
    return run_publish(impl_, std::move(request));
}

asio::awaitable<bool> ome_standin::unpublish(std::uint64_t publisher_id)
{
    return run_unpublish(impl_, publisher_id);
}

asio::awaitable<play_outcome> ome_standin::play(play_request request)
{
    return run_play(impl_, std::move(request));
}

asio::awaitable<bool> ome_standin::stop_play(std::uint64_t player_id)
{
    return run_stop_play(impl_, player_id);
}

void ome_standin::set_api_mode(api_mode mode)
{
    impl_->set_mode(mode);
}

void ome_standin::set_api_delay(std::chrono::milliseconds delay)
{
    impl_->delay = delay;
}

std::vector<api_log_entry> ome_standin::api_log() const
{
    return impl_->api_log_entries();
}

std::vector<webhook_log_entry> ome_standin::webhook_log() const
{
    return impl_->webhook_log;
}

void ome_standin::clear_logs()
{
    impl_->api_log.clear();
    impl_->webhook_log.clear();
}

std::vector<std::string> ome_standin::live_streams(std::string const& vhost,
                                                   std::string const& app) const
{
    std::vector<std::string> names;
    for (auto const* p :
         impl_->state.streams(impl_->vhost_or_default(vhost), impl_->app_or_default(app))) {
        names.push_back(p->stream);
    }
    return names;
}

}  // namespace ovs::ome_standin
