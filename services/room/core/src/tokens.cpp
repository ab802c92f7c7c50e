#include "tokens.hpp"

#include <ovs/room/space.hpp>
#include <ovs/util/base64.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace ovs::room {
namespace detail {

bool tokens_equal(std::string_view secret, std::string_view candidate)
{
    // Walk the whole secret whatever the candidate holds; a length mismatch is
    // folded into the same accumulator instead of returning early.
    unsigned diff = secret.size() == candidate.size() ? 0U : 1U;
    for (std::size_t i = 0; i < secret.size(); ++i) {
        const unsigned char got =
            i < candidate.size() ? static_cast<unsigned char>(candidate[i]) : 0;
        diff |= static_cast<unsigned>(static_cast<unsigned char>(secret[i]) ^ got);
    }
    return diff == 0 && !secret.empty();
}

}  // namespace detail

std::string token_hash(std::string_view token)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(token.data(), token.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("token_hash: SHA-256 failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

token_source random_tokens()
{
    return [] {
        std::array<std::uint8_t, 16> bytes{};  // 128 bits
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
            throw std::runtime_error("random_tokens: the OS random generator failed");
        }
        return util::base64url_nopad(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    };
}

}  // namespace ovs::room
