#pragma once
// Which unauthenticated connection the link server closes when all of its
// handshake slots (link.max_pending_handshakes) are taken and another peer
// connects. Pure, so it is tested without sockets.
//
// Refusing the newcomer instead would let anyone who holds the slots with
// idle connections lock the real room service out until their deadline;
// closing the oldest overall would let a flood from one address keep pushing
// out the room's handshake. So: the oldest handshake of the address that holds
// the most slots. A flood only ever evicts its own connections while the room
// connects from another address; idle handshakers from the room's own address
// (loopback, one host) make way for it, oldest first.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace ovs::link {

struct pending_handshake {
    std::string address;  // peer IP
    std::chrono::steady_clock::time_point started;
};

// Index into `pending` (which must not be empty) of the one to close.
std::size_t choose_eviction(const std::vector<pending_handshake>& pending);

}  // namespace ovs::link
