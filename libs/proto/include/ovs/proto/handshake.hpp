#pragma once
// The authenticated handshake of the internal protocol (proto/internal.md,
// "Handshake"), as a pure state machine: messages in, messages out, a verdict.
// No sockets and no clock: the transport (libs/link) feeds it the decoded
// lines that arrive before the connection is ready and enforces the deadline.
//
//   handshake hs({"gateway", "room", "ovenspace-gateway/0.2.0", secret}, make_nonce());
//   send(hs.hello());
//   for each message m received:   auto step = hs.receive(m);
//       send(step.send...);  if (step.failure) close; if (step.done) ready.
//
// Both sides send `hello` (with a fresh random nonce) at once, answer the
// peer's hello with `auth` (proof = HMAC-SHA256 over the sender's role and
// both nonces, keyed with the link secret), and accept the peer once its
// proof verifies (constant-time comparison). The secret never crosses the
// wire; a recorded handshake is useless against a fresh nonce; a proof is
// bound to its sender's role, so one side's proof cannot be reflected back
// as the other's.

#include <ovs/proto/messages.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovs::proto {

// Lines of the handshake are small; a peer that has not authenticated may not
// make the receiver buffer more than this for one line.
inline constexpr std::size_t handshake_max_line_bytes = 1024;
// A link secret shorter than this is refused by the config loader: the
// handshake is only as strong as the secret.
inline constexpr std::size_t min_link_secret_bytes = 16;

// 32 random bytes (OpenSSL's CSPRNG), base64url without padding: 43 characters.
std::string make_nonce();
// What a peer's nonce must look like: 22..128 characters of [A-Za-z0-9_-]
// (at least 128 bits when random).
bool valid_nonce(std::string_view nonce);

// Lowercase hex of HMAC-SHA256(secret, "ovenspace-link-auth/2\n" + role +
// "\n" + own_nonce + "\n" + peer_nonce): what the side with `role`, having
// sent `own_nonce` and received `peer_nonce`, sends in its `auth`.
std::string link_proof(std::string_view secret,
                       std::string_view role,
                       std::string_view own_nonce,
                       std::string_view peer_nonce);

// Why a handshake was refused. `code` goes on the wire in an `error`
// message; `reason` is the label for metrics and logs.
struct handshake_failure {
    std::string code;    // "version_mismatch", "bad_role", "bad_message", "auth_failed"
    std::string reason;  // "version", "role", "bad_hello", "unexpected", "bad_proof"
    std::string text;    // a readable sentence, bounded, without secrets
};

struct handshake_settings {
    std::string role;       // this side: "room" or "gateway"
    std::string peer_role;  // the role the peer must announce; empty accepts any
    std::string software;   // sent in hello, for the peer's logs
    std::string secret;     // the shared link secret; never sent
};

class handshake {
public:
    handshake(handshake_settings settings, std::string own_nonce);

    // The first message to send.
    hello own_hello() const;

    struct step {
        std::vector<message> send;                 // to send now, in order
        bool done = false;                         // the peer is authenticated
        std::optional<handshake_failure> failure;  // refused: send an error and close
    };
    // One message received before the handshake completed. After done or a
    // failure, every further call fails with reason "unexpected".
    step receive(const message& m);

    bool done() const { return state_ == state::done; }
    // The peer's hello, once received (role and software for logs).
    const std::optional<hello>& peer_hello() const { return peer_; }

private:
    enum class state { await_hello, await_auth, done, failed };
    step fail(std::string code, std::string reason, std::string text);

    handshake_settings settings_;
    std::string own_nonce_;
    std::optional<hello> peer_;
    state state_ = state::await_hello;
};

// `text` cut to at most `max` bytes with control characters replaced by '?',
// for log lines and error messages that repeat something a peer sent.
std::string printable_excerpt(std::string_view text, std::size_t max = 64);

}  // namespace ovs::proto
