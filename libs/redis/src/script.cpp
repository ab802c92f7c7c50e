#include <ovs/redis/script.hpp>

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace ovs::redis {

script::script(std::string source) : source_(std::move(source))
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(source_.data(), source_.size(), md.data(), &len, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("redis::script: SHA-1 failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    sha1_.reserve(2 * len);
    for (unsigned i = 0; i < len; ++i) {
        sha1_ += hex[md[i] >> 4];
        sha1_ += hex[md[i] & 0xf];
    }
}

}  // namespace ovs::redis
