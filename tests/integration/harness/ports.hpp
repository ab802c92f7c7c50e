#pragma once
// Free ports on 127.0.0.1 for the services' listeners (and a real OME's).
// The ports are taken below the kernel's ephemeral range (32768+) so
// outgoing connections of concurrently running tests cannot grab them
// between the check and the child's bind.

#include <cstdint>

namespace ovs::integration {

enum class transport { tcp, udp };

// A port nobody listens on right now (bind-tested), chosen at random in
// 20000..32000. Never the same port twice within one test process, and never
// one that another running test process has picked (see claim_port).
std::uint16_t pick_free_port(transport t = transport::tcp);

// The first of `count` consecutive such ports (an ICE candidate range).
std::uint16_t pick_free_port_range(transport t, unsigned count);

// Claims `port` for this process against every other test process (a lock
// held until this process exits); false when another process holds it.
bool claim_port(std::uint16_t port);

}  // namespace ovs::integration
