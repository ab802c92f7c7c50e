#include <ovs/room/gateway_links.hpp>

#include <algorithm>
#include <string>

namespace ovs::room {

gateway_links::gateway_links(asio::any_io_executor ex,
                             room_server& server,
                             const config::config& cfg,
                             link::logger log)
    : server_(server)
{
    const auto targets = config::gateway_endpoints(cfg.room);
    if (targets.size() == 1) {
        links_.push_back(std::make_unique<gateway_link>(ex, server, cfg, std::move(log)));
        return;
    }
    grouped_ = true;
    for (const auto& target : targets) {
        const std::string name = target.address + ":" + std::to_string(target.port);
        auto tagged = [log, name](std::string_view line) {
            if (log) log("[" + name + "] " + std::string(line));
        };
        // `this` outlives every link: they are members, stopped in the
        // destructor before they go.
        links_.push_back(std::make_unique<gateway_link>(
            ex, server, cfg, target, [this] { return connected() > 0; }, std::move(tagged)));
    }
}

gateway_links::~gateway_links()
{
    stop();
    links_.clear();
}

void gateway_links::start()
{
    if (started_) return;
    started_ = true;
    if (grouped_) {
        server_.set_kick_sink([this](const kick_stream& k) {
            for (auto& l : links_) l->send_kick(k);
        });
        server_.set_link_probe([this] { return connected(); });
    }
    for (auto& l : links_) l->start();
}

void gateway_links::stop()
{
    if (grouped_ && started_) {
        server_.set_kick_sink({});
        server_.set_link_probe([] { return std::size_t{0}; });
    }
    for (auto& l : links_) l->stop();
}

std::size_t gateway_links::connected() const
{
    return static_cast<std::size_t>(
        std::count_if(links_.begin(), links_.end(), [](const auto& l) { return l->connected(); }));
}

}  // namespace ovs::room
