// The internal protocol's NDJSON codec (libs/proto/codec): any line a peer
// sends. Decoding never throws; what decodes re-encodes to one line that
// decodes to the same message (the codec cannot disagree with itself).

#include <ovs/proto/codec.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    for (std::size_t limit : {std::size_t{64}, std::size_t{65536}}) {
        auto decoded = ovs::proto::decode(line, limit);
        if (!decoded) {
            (void)ovs::proto::wire_code(decoded.error().code);
            continue;
        }
        const std::string again = ovs::proto::encode(decoded.value());
        if (again.empty() || again.back() != '\n' || again.find('\n') != again.size() - 1)
            std::abort();
        auto round = ovs::proto::decode(again, again.size());
        // Text fields with invalid UTF-8 are replaced on encoding, so the
        // round trip may differ there; it must still decode.
        if (!round) std::abort();
        if (ovs::proto::type_name(round.value()) != ovs::proto::type_name(decoded.value()))
            std::abort();
    }
    return 0;
}
