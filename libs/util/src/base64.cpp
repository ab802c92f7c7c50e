#include <ovs/util/base64.hpp>

#include <openssl/evp.h>

namespace ovs::util {

std::string base64(std::string_view bytes)
{
    // EVP_EncodeBlock writes 4 bytes per 3 (padded) and a NUL.
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64url_nopad(std::string_view bytes)
{
    std::string out = base64(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

}  // namespace ovs::util
