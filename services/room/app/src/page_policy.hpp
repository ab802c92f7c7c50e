#pragma once
// The security headers of the room's page (proto: none; README "Security").
// Pure: the Content-Security-Policy is built from what the room knows.
//
// The page runs only our bundle (script-src 'self', no inline script, no
// eval) and talks only to its own origin (the room's API and WebSocket) and
// to the OME origins it really dials: the WebRTC signalling (ws/wss), the
// WHIP endpoint and LL-HLS (http/https). Those are taken from the gateway's
// URL templates once the link brought them, else from the room's own ome:
// section (the same host, ports and TLS flags the gateway builds them from).
// Every configured OME edge (ome.edges) is in it either way: the gateway's
// templates name only the edges in rotation now, and a page loaded while an
// edge was out must still play from it once it is back (the policy is fixed
// when the page loads; the playback frames change later).
// hls.js plays LL-HLS through MediaSource (media-src blob:) and runs its
// remuxer in a Worker made from a blob (worker-src blob:). OvenPlayer injects
// its stylesheet as <style> elements and writes style attributes, so styles
// allow inline (style-src 'unsafe-inline'); styles cannot run script. Its
// icon fonts and images are data: URLs.

#include <ovs/config/config.hpp>
#include <ovs/room/room_server.hpp>

#include <string>
#include <vector>

namespace ovs::room {

// "ws://ome.example.com:3333" and the like: the origins of the templates the
// browser dials (ws, wss, http, https; RTMP and SRT are for encoders),
// sorted, without duplicates. A template whose origin is malformed (could
// not be written into a header safely) is left out.
std::vector<std::string> media_origins(const endpoint_templates& templates);

// The same origins as the gateway would build them from `ome`, its edges
// included.
std::vector<std::string> media_origins(const config::ome_config& ome);

// The playback origins of every edge in `ome.edges` (ws/wss signalling,
// http/https LL-HLS).
std::vector<std::string> edge_origins(const config::ome_config& ome);

// The origins of the page served now: those of the gateway's `templates`
// plus `edges` (edge_origins), or `configured` (media_origins of the ome:
// section) while there are no templates. Sorted, without duplicates.
std::vector<std::string> page_media_origins(const endpoint_templates* templates,
                                            const std::vector<std::string>& configured,
                                            const std::vector<std::string>& edges);

// The Content-Security-Policy of the page. `frame_ancestors` empty: no site
// may frame it ('none').
std::string content_security_policy(const std::vector<std::string>& media_origins,
                                    const std::vector<std::string>& frame_ancestors);

}  // namespace ovs::room
