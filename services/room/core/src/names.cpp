// Wire names of the model's enums: stable, snake_case.
#include <ovs/room/space.hpp>

namespace ovs::room {

const char* to_string(refusal r)
{
    switch (r) {
        case refusal::unknown_room:
            return "unknown_room";
        case refusal::room_full:
            return "room_full";
        case refusal::not_joined:
            return "not_joined";
        case refusal::bad_seat:
            return "bad_seat";
        case refusal::seat_taken:
            return "seat_taken";
        case refusal::already_holding:
            return "already_holding";
        case refusal::not_holder:
            return "not_holder";
        case refusal::bad_token:
            return "bad_token";
        case refusal::unknown_stream:
            return "unknown_stream";
        case refusal::no_claim:
            return "no_claim";
        case refusal::already_live:
            return "already_live";
        case refusal::seat_locked:
            return "seat_locked";
        case refusal::store_unavailable:
            return "store_unavailable";
        case refusal::seat_ending:
            return "seat_ending";
    }
    return "unknown";
}

const char* to_string(seat_state s)
{
    switch (s) {
        case seat_state::free:
            return "free";
        case seat_state::reserved:
            return "reserved";
        case seat_state::starting:
            return "starting";
        case seat_state::live:
            return "live";
        case seat_state::failed:
            return "failed";
        case seat_state::ending:
            return "ending";
    }
    return "unknown";
}

const char* to_string(stream_outputs o)
{
    switch (o) {
        case stream_outputs::ready:
            return "ready";
        case stream_outputs::starting:
            return "starting";
        case stream_outputs::failed:
            return "failed";
    }
    return "unknown";
}

seat_state on_air_state(stream_outputs outputs)
{
    switch (outputs) {
        case stream_outputs::starting:
            return seat_state::starting;
        case stream_outputs::failed:
            return seat_state::failed;
        case stream_outputs::ready:
            break;
    }
    return seat_state::live;
}

bool on_air(seat_state s)
{
    return s == seat_state::starting || s == seat_state::live || s == seat_state::failed;
}

}  // namespace ovs::room
