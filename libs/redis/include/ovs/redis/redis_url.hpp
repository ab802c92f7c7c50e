#pragma once
// Where the Redis server is, from a URL as operators write it:
//   redis://host[:port][/db]
//   redis://:password@host[:port][/db]
//   redis://user:password@host[:port][/db]     (Redis 6 ACL user)
// Port defaults to 6379, db to 0. IPv6 literals in brackets. TLS (rediss://)
// and unix sockets are refused with a clear message: this client speaks
// plain TCP (keep Redis on a private network, or put a TLS tunnel in front).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ovs::redis {

struct server_address {
    std::string host;
    std::uint16_t port = 6379;
    std::string username;  // empty: the default user
    std::string password;  // empty: no AUTH; a secret, never logged
    unsigned db = 0;
    bool operator==(const server_address&) const = default;
};

struct url_error {
    std::string message;  // what is wrong, without the password
};

std::variant<server_address, url_error> parse_url(std::string_view url);

// The URL without its password ("redis://:***@host:6379/0"), for logs.
std::string redacted(const server_address& a);

}  // namespace ovs::redis
