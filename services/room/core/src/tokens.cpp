#include "tokens.hpp"

#include <ovs/room/space.hpp>

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace ovs::room {
namespace detail {

std::string base64url(const std::uint8_t* data, std::size_t size)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                                std::uint32_t{data[i + 2]};
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = size - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

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

token_source random_tokens()
{
    return [] {
        std::array<std::uint8_t, 16> bytes{};  // 128 bits
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
            throw std::runtime_error("random_tokens: the OS random generator failed");
        }
        return detail::base64url(bytes.data(), bytes.size());
    };
}

}  // namespace ovs::room
