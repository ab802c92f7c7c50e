#pragma once
// Which publisher connections the gateway let in, per stream, so that an
// `incoming`/`closing` webhook can be judged: does it end the stream, or is it
// noise? Keyed by the client's address:port (one TCP/UDP connection). A
// stream is up for us while at least one admitted connection of it is open.
// Rules, all from recordings or issues (CONTRACT §3.5 and §8, webhook INDEX):
//  - Only allowed openings are recorded (admitted()). A closing of a
//    connection we never admitted frees nothing: OME sends one right after a
//    refused RTMP opening (case b), and the intruder's refused attempt must
//    never take down the holder's live stream.
//  - A second publisher that we allowed but OME rejected as a duplicate name
//    (case i3) gets a closing while the first keeps streaming: removing it
//    leaves the first, so the stream stays up.
//  - A REST DELETE makes OME send the same closing twice (case h): the second
//    finds nothing and frees nothing.
//  - A closing of an old connection may arrive after the reconnection's
//    opening (#1909): it removes the old one only; the new one holds on.
//  - A closing may never come (#1570): the poller's view repairs that, via
//    confirm_publisher() (the publisher OME reports) and stream_gone().
// Pure and deterministic; no clock needed.

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ovs::gateway {

struct connection_key {
    std::string address;
    std::uint16_t port = 0;
    auto operator<=>(const connection_key&) const = default;
};

class admission_ledger {
public:
    // An opening we answered allowed for `stream` (after any redirect we
    // asked for, the stream we redirected to). Idempotent for the same key.
    void admitted(const connection_key& who, const std::string& stream);

    // A closing from `who`. `streams` are the names the closing mentions
    // (url's and new_url's stream). Returns the stream that has now lost its
    // last admitted connection ("stream down"), or nullopt when this closing
    // changes nothing.
    std::optional<std::string> closed(const connection_key& who,
                                      const std::vector<std::string>& streams);

    // OME reports `who` as the stream's publisher (stream detail sourceUrl):
    // every other connection recorded for the stream is stale (its closing
    // was lost or will come late) and is dropped.
    void confirm_publisher(const std::string& stream, const connection_key& who);

    // The poller saw the stream vanish: forget its connections.
    void stream_gone(const std::string& stream);

    bool has_publisher(const std::string& stream) const;
    // The admitted open connections of the stream, oldest first.
    std::vector<connection_key> connections(const std::string& stream) const;
    // The most recently admitted open connection of the stream.
    std::optional<connection_key> latest_publisher(const std::string& stream) const;
    std::size_t connection_count() const;

private:
    // stream -> admitted open connections, oldest first
    std::map<std::string, std::vector<connection_key>> streams_;
};

}  // namespace ovs::gateway
