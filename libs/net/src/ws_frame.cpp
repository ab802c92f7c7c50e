#include <ovs/net/ws_frame.hpp>

#include <algorithm>

namespace ovs::net {

namespace {

constexpr std::uint8_t fin_text = 0x81;  // FIN set, opcode 1 (text)

}  // namespace

std::size_t encode_text_header(std::size_t payload_size, std::uint8_t (&out)[10])
{
    out[0] = fin_text;
    if (payload_size < 126) {
        out[1] = static_cast<std::uint8_t>(payload_size);
        return 2;
    }
    if (payload_size <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(payload_size >> 8);
        out[3] = static_cast<std::uint8_t>(payload_size);
        return 4;
    }
    out[1] = 127;
    const auto n = static_cast<std::uint64_t>(payload_size);
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return 10;
}

ws_frame::ws_frame(std::string_view text)
{
    std::uint8_t header[10];
    header_ = encode_text_header(text.size(), header);
    wire_.reserve(header_ + text.size());
    wire_.append(reinterpret_cast<const char*>(header), header_);
    wire_.append(text);
}

write_batch plan_write(std::span<const std::size_t> sizes,
                       write_cursor at,
                       std::size_t max_buffers,
                       std::size_t max_bytes)
{
    write_batch b;
    for (std::size_t i = 0; i < sizes.size() && b.frames < max_buffers; ++i) {
        const std::size_t left = i == 0 ? sizes[0] - std::min(at.offset, sizes[0]) : sizes[i];
        if (i > 0 && b.bytes + left > max_bytes) break;
        b.bytes += left;
        ++b.frames;
    }
    return b;
}

write_progress advance(std::span<const std::size_t> sizes, write_cursor at, std::size_t written)
{
    write_progress p;
    std::size_t offset = at.offset;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const std::size_t left = sizes[i] - std::min(offset, sizes[i]);
        if (written < left) {
            p.at.offset = offset + written;
            return p;
        }
        written -= left;
        offset = 0;
        ++p.frames_done;
    }
    return p;
}

}  // namespace ovs::net
