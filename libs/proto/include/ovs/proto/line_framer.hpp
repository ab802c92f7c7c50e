#pragma once
// Splits a byte stream into '\n'-terminated lines, with a hard cap on the
// length of one line. Pure: no I/O, so it is tested one byte at a time.
//
//   line_framer f(cfg.link.max_line_bytes);
//   f.feed(std::string_view(buf, n));
//   while (auto line = f.next_line()) handle(*line);
//   if (f.overflowed()) close("line too long");
//
// Lines are returned without the '\n' (and without a '\r' before it); empty
// lines are skipped. The unfinished line is never buffered beyond
// max_line_bytes: once it would exceed the cap, the framer drops everything,
// sets overflowed() and ignores all further input (the connection is
// unusable, since the rest of that line cannot be told from the next one).

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ovs::proto {

class line_framer {
public:
    explicit line_framer(std::size_t max_line_bytes);

    void feed(std::string_view bytes);
    std::optional<std::string> next_line();

    bool overflowed() const { return overflowed_; }
    std::size_t max_line_bytes() const { return max_; }
    // Bytes of the unfinished line held so far (always <= max_line_bytes()).
    std::size_t partial_bytes() const { return partial_.size(); }

private:
    void complete_line();

    std::size_t max_;
    std::string partial_;
    std::deque<std::string> complete_;
    bool overflowed_ = false;
};

}  // namespace ovs::proto
