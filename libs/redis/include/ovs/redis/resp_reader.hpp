#pragma once
// Bytes in, replies out: hiredis's RESP reader behind a small value API, so
// the connection (and its tests) never handle redisReply pointers. Pure: no
// sockets; feed it whatever arrived, take the replies that are complete.

#include <ovs/redis/reply.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct redisReader;

namespace ovs::redis {

class resp_reader {
public:
    enum class status {
        reply,      // `out` holds the next reply
        need_more,  // no complete reply buffered
        error,      // the stream is broken (error() says why); discard the reader
    };

    // `max_buffered`: the most unparsed bytes held for one unfinished reply;
    // beyond it next() reports an error ("reply too large").
    explicit resp_reader(std::size_t max_buffered);
    ~resp_reader();
    resp_reader(const resp_reader&) = delete;
    resp_reader& operator=(const resp_reader&) = delete;

    void feed(std::string_view bytes);
    status next(reply& out);

    const std::string& error() const { return error_; }
    bool too_large() const { return too_large_; }
    // Bytes held that no returned reply has consumed yet.
    std::size_t buffered() const;

private:
    struct reader_deleter {
        void operator()(redisReader* r) const;
    };
    std::unique_ptr<redisReader, reader_deleter> reader_;
    std::size_t max_buffered_;
    std::string error_;
    bool failed_ = false;
    bool too_large_ = false;
};

}  // namespace ovs::redis
