#include <ovs/proto/handshake.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <utility>

namespace ovs::proto {

namespace {

// Domain separation: this key is used for nothing else, but a label makes
// the proof's meaning explicit and lets a later version change it.
constexpr std::string_view proof_label = "ovenspace-link-auth/2\n";

std::string base64url(const unsigned char* data, std::size_t size)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (size - i == 1) {
        const unsigned v = data[i] << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (size - i == 2) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

bool url_safe(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

}  // namespace

std::string make_nonce()
{
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        // Without randomness the handshake proves nothing: never go on.
        throw std::runtime_error("the system random generator failed");
    }
    return base64url(bytes.data(), bytes.size());
}

bool valid_nonce(std::string_view nonce)
{
    if (nonce.size() < 22 || nonce.size() > 128) return false;
    for (char c : nonce) {
        if (!url_safe(c)) return false;
    }
    return true;
}

std::string link_proof(std::string_view secret,
                       std::string_view role,
                       std::string_view own_nonce,
                       std::string_view peer_nonce)
{
    std::string signed_text;
    signed_text.reserve(proof_label.size() + role.size() + own_nonce.size() + peer_nonce.size() +
                        2);
    signed_text.append(proof_label).append(role).append("\n");
    signed_text.append(own_nonce).append("\n").append(peer_nonce);

    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_size = 0;
    const unsigned char* ok = HMAC(EVP_sha256(),
                                   secret.data(),
                                   static_cast<int>(secret.size()),
                                   reinterpret_cast<const unsigned char*>(signed_text.data()),
                                   signed_text.size(),
                                   mac.data(),
                                   &mac_size);
    if (ok == nullptr) throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(mac_size * 2);
    for (unsigned i = 0; i < mac_size; ++i) {
        out += hex[mac[i] >> 4];
        out += hex[mac[i] & 15];
    }
    return out;
}

std::string printable_excerpt(std::string_view text, std::size_t max)
{
    const bool cut = text.size() > max;
    if (cut) text = text.substr(0, max);
    std::string out;
    out.reserve(text.size() + 3);
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    if (cut) out += "...";
    return out;
}

handshake::handshake(handshake_settings settings, std::string own_nonce)
    : settings_(std::move(settings)), own_nonce_(std::move(own_nonce))
{
    if (settings_.secret.empty())
        throw std::invalid_argument("handshake: the link secret is empty");
    if (!valid_nonce(own_nonce_)) throw std::invalid_argument("handshake: unusable own nonce");
}

hello handshake::own_hello() const
{
    return hello{protocol_version, settings_.role, settings_.software, own_nonce_};
}

handshake::step handshake::fail(std::string code, std::string reason, std::string text)
{
    state_ = state::failed;
    step s;
    s.failure = handshake_failure{std::move(code), std::move(reason), std::move(text)};
    return s;
}

handshake::step handshake::receive(const message& m)
{
    switch (state_) {
        case state::await_hello: {
            const auto* h = std::get_if<hello>(&m);
            if (h == nullptr) {
                return fail("bad_message",
                            "unexpected",
                            "expected hello first, got " + std::string(type_name(m)));
            }
            if (h->protocol != protocol_version) {
                return fail("version_mismatch",
                            "version",
                            "this side speaks protocol " + std::to_string(protocol_version) +
                                ", the peer sent " + std::to_string(h->protocol));
            }
            if (!settings_.peer_role.empty() && h->role != settings_.peer_role) {
                return fail("bad_role",
                            "role",
                            "expected a " + settings_.peer_role + " peer, got '" +
                                printable_excerpt(h->role) + "'");
            }
            if (!valid_nonce(h->nonce)) {
                return fail("bad_message",
                            "bad_hello",
                            "hello: field 'nonce': expected 22 to 128 characters of "
                            "[A-Za-z0-9_-]");
            }
            if (h->nonce == own_nonce_) {
                // Our own challenge sent back: a reflection attempt, never a peer.
                return fail("bad_message", "bad_hello", "hello: the nonce repeats this side's");
            }
            peer_ = *h;
            state_ = state::await_auth;
            step s;
            s.send.emplace_back(
                auth{link_proof(settings_.secret, settings_.role, own_nonce_, h->nonce)});
            return s;
        }
        case state::await_auth: {
            const auto* a = std::get_if<auth>(&m);
            if (a == nullptr) {
                return fail("bad_message",
                            "unexpected",
                            "expected auth after hello, got " + std::string(type_name(m)));
            }
            // The peer's proof: its own role, its nonce first, ours second.
            const std::string want =
                link_proof(settings_.secret, peer_->role, peer_->nonce, own_nonce_);
            // The length is public (always 64); only the content is compared
            // in constant time.
            const bool match = a->proof.size() == want.size() &&
                               CRYPTO_memcmp(a->proof.data(), want.data(), want.size()) == 0;
            if (!match) {
                return fail("auth_failed",
                            "bad_proof",
                            "the peer's proof does not match: different link secrets, or a "
                            "replayed handshake");
            }
            state_ = state::done;
            step s;
            s.done = true;
            return s;
        }
        case state::done:
        case state::failed:
            break;
    }
    return fail("bad_message", "unexpected", "the handshake is already over");
}

}  // namespace ovs::proto
