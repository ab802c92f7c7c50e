// OME's AdmissionWebhooks (services/gateway/core admission_webhook): the
// signature check over raw bytes and the body parser, on anything that
// reaches POST /v1/admission. Input: "<X-OME-Signature header>\n<body>", or
// a whole body when there is no line break.

#include <ovs/gateway/admission_webhook.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ovs::gateway;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    const std::string_view header =
        nl == std::string_view::npos ? std::string_view{} : input.substr(0, nl);
    const std::string_view body = nl == std::string_view::npos ? input : input.substr(nl + 1);

    // No empty key ever verifies; a signature made with the key does.
    if (verify_signature("", body, webhook_signature("", body))) std::abort();
    (void)verify_signature("fuzz-secret", body, header);
    if (!verify_signature("fuzz-secret", body, webhook_signature("fuzz-secret", body)))
        std::abort();

    for (std::string_view text : {input, body}) {
        auto parsed = parse_webhook(text);
        if (!parsed.request) {
            if (parsed.error.empty()) std::abort();
            continue;
        }
        (void)parsed.request->is_whip();
        (void)parsed.request->source_name();
        (void)parsed.request->effective_stream();
        (void)deny_response(parsed.request->url);
    }
    (void)parse_stream_url(input);
    return 0;
}
