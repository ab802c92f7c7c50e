#pragma once
// What a room restart keeps (room.state_file, docs/decisions.md): the
// model's kept seats as JSON, and the file that holds them.
//
// The text (encode_state / decode_state) is pure. Deadlines leave the
// process as wall-clock Unix milliseconds (the steady clock means nothing to
// the next process) and come back relative to the new steady clock. Token
// hashes only, never tokens.
//
// The file (write_state_file / read_state_file) is written whole to
// "<path>.tmp" (mode 0600), flushed to disk, then renamed over <path>, so a
// crash at any moment leaves the old file or the new one, never half of one.

#include <ovs/room/space.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::room {

using wall_clock = std::chrono::system_clock;

std::string encode_state(const kept_rooms& k, time_point now, wall_clock::time_point wall_now);
// nullopt when the text is not a state this version wrote (the caller logs
// and starts empty). Seats with unknown states or bad fields are skipped.
std::optional<kept_rooms> decode_state(std::string_view text,
                                       time_point now,
                                       wall_clock::time_point wall_now);

// Returns an error text, empty on success.
std::string write_state_file(const std::string& path, const std::string& text);
// nullopt (and `error` empty) when there is no file; nullopt with `error`
// set when it cannot be read.
std::optional<std::string> read_state_file(const std::string& path, std::string& error);

}  // namespace ovs::room
