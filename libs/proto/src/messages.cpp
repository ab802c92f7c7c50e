// Conversions between the message variants.

#include <ovs/proto/messages.hpp>

#include <iterator>
#include <type_traits>

namespace ovs::proto {
namespace {

template <class T, class Variant>
struct is_alternative;
template <class T, class... Ts>
struct is_alternative<T, std::variant<Ts...>> : std::bool_constant<(std::is_same_v<T, Ts> || ...)> {
};

}  // namespace

// The wire "type" of each alternative of `message`, in variant order.
constexpr std::string_view message_type_names[] = {"hello",
                                                   "auth",
                                                   "ping",
                                                   "pong",
                                                   "reply",
                                                   "error",
                                                   "streams",
                                                   "stream_up",
                                                   "stream_down",
                                                   "endpoints",
                                                   "media_status",
                                                   "admission_check",
                                                   "kick",
                                                   "stream_viewers",
                                                   "seat_holds"};
static_assert(std::size(message_type_names) == std::variant_size_v<message>);

const char* to_string(outputs_state o)
{
    switch (o) {
        case outputs_state::starting:
            return "starting";
        case outputs_state::failed:
            return "failed";
        case outputs_state::ready:
            break;
    }
    return "ready";
}

std::optional<outputs_state> outputs_from_string(std::string_view text)
{
    for (auto o : {outputs_state::ready, outputs_state::starting, outputs_state::failed}) {
        if (text == to_string(o)) return o;
    }
    return std::nullopt;
}

std::string_view type_name(const message& m)
{
    return message_type_names[m.index()];
}

bool is_message_type(std::string_view type)
{
    for (auto name : message_type_names) {
        if (name == type) return true;
    }
    return false;
}

std::optional<event> as_event(const message& m)
{
    return std::visit(
        [](const auto& v) -> std::optional<event> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (is_alternative<T, event>::value)
                return event{v};
            else
                return std::nullopt;
        },
        m);
}

std::optional<request> as_request(const message& m)
{
    return std::visit(
        [](const auto& v) -> std::optional<request> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (is_alternative<T, request>::value)
                return request{v};
            else
                return std::nullopt;
        },
        m);
}

message to_message(const event& e)
{
    return std::visit([](const auto& v) { return message{v}; }, e);
}

message to_message(const request& r)
{
    return std::visit([](const auto& v) { return message{v}; }, r);
}

std::uint64_t request_id(const request& r)
{
    return std::visit([](const auto& v) { return v.id; }, r);
}

void set_request_id(request& r, std::uint64_t id)
{
    std::visit([id](auto& v) { v.id = id; }, r);
}

}  // namespace ovs::proto
