#pragma once
// Error codes of the Redis client (a category of their own, so callers can
// tell "Redis is unreachable" from a socket error they passed on).

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace ovs::redis {

enum class errc {
    not_connected = 1,  // no connection right now: the request was not sent
    timeout,            // no reply within the request deadline (the connection is closed)
    closed,             // the connection closed before the reply came
    protocol_error,     // the server sent bytes hiredis cannot parse
    reply_too_large,    // more unparsed bytes buffered than options::max_reply_bytes
    too_many_pending,   // more requests in flight than options::max_pending
    connect_failed,     // resolve or connect failed, or took longer than connect_timeout
    handshake_failed,   // AUTH, SELECT or CLIENT SETNAME answered with an error
    unexpected_reply,   // a reply of a shape the caller cannot use
    stopped,            // the client was stopped
};

const boost::system::error_category& category();
boost::system::error_code make_error_code(errc e);

}  // namespace ovs::redis

template <>
struct boost::system::is_error_code_enum<ovs::redis::errc> : std::true_type {
};
