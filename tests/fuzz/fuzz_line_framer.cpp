// The NDJSON line framer (libs/proto/line_framer): a byte stream cut into
// reads at places the input chooses. It never holds more than the limit for
// an unfinished line, never returns a line longer than the limit, and never
// returns a line with a '\n' in it.

#include <ovs/proto/line_framer.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    // First byte: the limit (1..256); second: the read size (1..256).
    const std::size_t limit = std::size_t{data[0]} + 1;
    const std::size_t chunk = std::size_t{data[1]} + 1;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
    ovs::proto::line_framer framer(limit);
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
        framer.feed(stream.substr(at, chunk));
        if (framer.partial_bytes() > limit) std::abort();
        while (auto line = framer.next_line()) {
            if (line->size() > limit || line->empty()) std::abort();
            if (line->find('\n') != std::string::npos) std::abort();
        }
        if (framer.overflowed()) break;
    }
    return 0;
}
