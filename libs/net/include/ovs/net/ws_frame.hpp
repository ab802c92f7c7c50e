#pragma once
// Server WebSocket frames encoded once and written by us (docs/decisions.md,
// "Pre-encoded server frames"): a server frame is unmasked (RFC 6455 5.1),
// so the bytes on the wire are a header and the payload, the same for every
// receiver. An event is encoded once and the same bytes go to every viewer.
// Pure: no I/O; ws_session.cpp writes these bytes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ovs::net {

// One whole text message as it goes on the wire: FIN, opcode text, no mask,
// the shortest length encoding (7 bits, 16 bits or 64 bits), the payload.
class ws_frame {
public:
    explicit ws_frame(std::string_view text);

    std::string_view wire() const { return wire_; }
    std::string_view text() const { return std::string_view(wire_).substr(header_); }

private:
    std::string wire_;
    std::size_t header_;
};

// The header bytes of an unmasked final text frame of `payload_size` bytes
// (2, 4 or 10 of them), written into `out`; returns how many.
std::size_t encode_text_header(std::size_t payload_size, std::uint8_t (&out)[10]);

// Where a writer stands in its queue of frames: the first `done` bytes of the
// front frame are on the wire already.
struct write_cursor {
    std::size_t offset = 0;
};

// What one gathered write covers: the frames [0, frames) of the queue, the
// first from the cursor's offset; at most `max_buffers` frames and, past the
// first frame, at most `max_bytes` (so one huge backlog is not one huge
// syscall). `sizes`: the wire sizes of the queued frames, front first.
struct write_batch {
    std::size_t frames = 0;
    std::size_t bytes = 0;
};
write_batch plan_write(std::span<const std::size_t> sizes,
                       write_cursor at,
                       std::size_t max_buffers,
                       std::size_t max_bytes);

// After `written` bytes went out from `at`: how many frames are complete
// (to pop from the front) and where the cursor now stands in the next one.
struct write_progress {
    std::size_t frames_done = 0;
    write_cursor at;
};
write_progress advance(std::span<const std::size_t> sizes, write_cursor at, std::size_t written);

}  // namespace ovs::net
