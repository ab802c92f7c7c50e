#pragma once
// Namespace aliases for the I/O shells. Deliberately light: it names the
// libraries but includes none of Beast, so headers that only need the aliases
// stay cheap to compile.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace boost::beast {
}
namespace boost::beast::http {
}
namespace boost::beast::websocket {
}

namespace ovs {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using error_code = boost::system::error_code;

// Expected failures (eof, closed, operation_aborted) come back as values.
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace ovs
