// The browser command decoder (services/room/app wire::parse_command): any
// text frame a browser sends. Never throws; a refusal carries a known code
// and a bounded message (it never echoes the frame back at length).

#include "wire.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view frame(reinterpret_cast<const char*>(data), size);
    auto parsed = ovs::room::wire::parse_command(frame);
    if (const auto* bad = std::get_if<ovs::room::wire::bad_frame>(&parsed)) {
        if (bad->code != "bad_json" && bad->code != "bad_message" && bad->code != "unknown_command")
            std::abort();
        if (bad->message.size() > 512) std::abort();
        (void)ovs::room::wire::reply_error(bad->id.value_or(nullptr), bad->code, bad->message);
    }
    return 0;
}
