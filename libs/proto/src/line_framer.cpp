#include <ovs/proto/line_framer.hpp>

namespace ovs::proto {

line_framer::line_framer(std::size_t max_line_bytes) : max_(max_line_bytes) {}

void line_framer::feed(std::string_view bytes)
{
    while (!overflowed_ && !bytes.empty()) {
        std::size_t nl = bytes.find('\n');
        std::string_view piece = bytes.substr(0, nl);
        // The cap counts every byte before the '\n' (a '\r' included).
        if (piece.size() > max_ - partial_.size()) {
            overflowed_ = true;
            partial_.clear();
            partial_.shrink_to_fit();
            complete_.clear();
            return;
        }
        partial_.append(piece);
        if (nl == std::string_view::npos) return;
        complete_line();
        bytes.remove_prefix(nl + 1);
    }
}

void line_framer::complete_line()
{
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    if (!partial_.empty()) complete_.push_back(std::move(partial_));
    partial_.clear();
}

std::optional<std::string> line_framer::next_line()
{
    if (complete_.empty()) return std::nullopt;
    std::string line = std::move(complete_.front());
    complete_.pop_front();
    return line;
}

}  // namespace ovs::proto
