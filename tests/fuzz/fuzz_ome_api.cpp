// OME's REST API answers (services/gateway/core ome_api): any body with the
// statuses that matter. Parsing never throws and never reports success with
// an empty stream name.

#include <ovs/gateway/ome_api.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ovs::gateway;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    for (unsigned status : {200u, 401u, 404u, 500u}) {
        auto list = parse_stream_list(status, body);
        if (list.ok()) {
            for (const auto& name : list.value())
                if (name.empty()) std::abort();
        }
        auto details = parse_stream_details(status, body);
        if (details.ok()) (void)source_name(details.value().source);
        (void)parse_delete(status, body);
        (void)parse_version(status, body);
    }
    (void)parse_version_string(body);
    (void)parse_peer_address(body);
    (void)source_kind_from_ome(body);
    return 0;
}
