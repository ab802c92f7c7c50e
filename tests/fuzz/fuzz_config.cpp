// The config loader (libs/config): any YAML text. It either loads or throws
// config_error with a message; nothing else escapes, and no secret value
// given in the environment appears in the message.

#include <ovs/config/config.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ovs::config;
    const std::string text(reinterpret_cast<const char*>(data), size);
    static const std::string hidden = "fuzz-hidden-link-secret-value";
    const env_lookup env = [](const char* name) -> std::optional<std::string> {
        if (std::string(name) == env_link_secret) return hidden;
        return std::nullopt;
    };
    for (auto who : {secrets_for::room, secrets_for::gateway}) {
        try {
            auto cfg = load_string(text, "fuzz.yaml", who, env);
            (void)describe(cfg);
        } catch (const config_error& e) {
            // (Unless the text itself holds it: messages may quote the file.)
            if (std::string(e.what()).find(hidden) != std::string::npos &&
                text.find(hidden) == std::string::npos)
                std::abort();
        }
    }
    return 0;
}
