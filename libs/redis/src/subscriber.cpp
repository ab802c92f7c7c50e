#include <ovs/redis/subscriber.hpp>

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace ovs::redis {

std::shared_ptr<subscriber> subscriber::create(asio::any_io_executor ex,
                                               options opt,
                                               std::vector<std::string> channels)
{
    return std::shared_ptr<subscriber>(
        new subscriber(std::move(ex), std::move(opt), std::move(channels)));
}

subscriber::subscriber(asio::any_io_executor ex, options opt, std::vector<std::string> channels)
    : channels_(std::move(channels)), client_(client::create(std::move(ex), std::move(opt)))
{
    if (channels_.empty()) throw std::invalid_argument("redis::subscriber: no channels");
}

void subscriber::start()
{
    // SUBSCRIBE a b c answers once per channel.
    std::vector<std::string> argv{"SUBSCRIBE"};
    argv.insert(argv.end(), channels_.begin(), channels_.end());
    request setup;
    setup.push(argv).expect_more(channels_.size() - 1);
    client_->set_setup(std::move(setup));
    std::weak_ptr<subscriber> weak = weak_from_this();
    client_->set_push_handler([weak](reply r) {
        auto self = weak.lock();
        if (!self || self->stopped_ || !self->handlers_.on_message) return;
        ++self->messages_;
        // ["message", channel, payload] or ["pmessage", pattern, channel, payload]
        const std::size_t n = r.items.size();
        self->handlers_.on_message(r.items[n - 2].text, r.items[n - 1].text);
    });
    client_->set_handlers({
        .on_up =
            [weak] {
                auto self = weak.lock();
                if (self && !self->stopped_ && self->handlers_.on_subscribed) {
                    self->handlers_.on_subscribed();
                }
            },
        .on_down =
            [weak](error_code ec) {
                auto self = weak.lock();
                if (self && !self->stopped_ && self->handlers_.on_lost) self->handlers_.on_lost(ec);
            },
    });
    client_->start();
}

void subscriber::stop()
{
    if (stopped_) return;
    stopped_ = true;
    client_->stop();
    // Cleared later: stop() may run inside one of these handlers.
    asio::post(client_->executor(), [self = shared_from_this()] { self->handlers_ = {}; });
}

}  // namespace ovs::redis
