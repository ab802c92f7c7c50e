// The authenticated handshake (libs/proto/handshake): the lines an
// unauthenticated peer sends, decoded and fed to the gateway's side. Keyed
// with the secret of proto/examples/internal/handshake/transcript.json and its
// gateway nonce, so the seed transcript reaches the "done" state and the
// fuzzer explores from there. Whatever comes in: no crash, and once refused
// the machine never accepts.

#include <ovs/proto/codec.hpp>
#include <ovs/proto/handshake.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ovs::proto;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    handshake hs({"gateway", "room", "fuzz", "example-link-secret-do-not-use-0123456789"},
                 "Wd66bigkCm9UvwoSA5ZfstSoshRtSTC66GE9NAdl8lc");
    bool refused = false;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        auto decoded = decode(line, handshake_max_line_bytes);
        if (!decoded) continue;
        auto step = hs.receive(decoded.value());
        if (refused && step.done) std::abort();
        if (step.failure) {
            refused = true;
            if (step.failure->code.empty() || step.failure->text.size() > 512) std::abort();
        }
        for (const auto& m : step.send) (void)encode(m);
    }
    (void)valid_nonce(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)printable_excerpt(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
