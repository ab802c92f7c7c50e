#pragma once
// A pub/sub connection: SUBSCRIBEs to a fixed set of channels on every
// connect, delivers each message, and reconnects (with the client's backoff)
// when the connection is lost. Redis keeps no messages for a subscriber that
// is away, so on_subscribed (after every successful SUBSCRIBE, the first one
// included) is the moment to catch up on what may have been missed.
//
//   auto sub = subscriber::create(ex, opts, {"ovs:{main}:events"});
//   sub->set_handlers({.on_message = [](const std::string& ch, const std::string& payload) {...},
//                      .on_subscribed = resync, .on_lost = mark_stale});
//   sub->start();

#include <ovs/redis/client.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ovs::redis {

struct subscriber_handlers {
    std::function<void(const std::string& channel, const std::string& payload)> on_message;
    std::function<void()> on_subscribed;
    std::function<void(error_code)> on_lost;
};

class subscriber : public std::enable_shared_from_this<subscriber> {
public:
    static std::shared_ptr<subscriber> create(asio::any_io_executor ex,
                                              options opt,
                                              std::vector<std::string> channels);

    void set_handlers(subscriber_handlers h) { handlers_ = std::move(h); }
    void start();
    void stop();
    bool is_subscribed() const { return client_->is_up(); }
    std::uint64_t messages() const { return messages_; }
    const std::vector<std::string>& channels() const { return channels_; }

private:
    subscriber(asio::any_io_executor ex, options opt, std::vector<std::string> channels);

    std::vector<std::string> channels_;
    std::shared_ptr<client> client_;
    subscriber_handlers handlers_;
    std::uint64_t messages_ = 0;
    bool stopped_ = false;
};

}  // namespace ovs::redis
