// The one translation unit that compiles Asio, Asio's SSL support and Beast.
// Every other file sees them in separate-compilation mode (see CMakeLists).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
