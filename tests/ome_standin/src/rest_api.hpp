#pragma once
// OME's REST API as a pure function: auth, routing, envelope, errors. The
// I/O shell feeds it parsed requests and writes the bytes it returns.

#include "model.hpp"

#include <ovs/ome_standin/config.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ovs::ome_standin {

struct api_request {
    std::string method;                        // "GET", "DELETE", ...
    std::string target;                        // raw path and query, e.g. "/v1/vhosts"
    std::optional<std::string> authorization;  // the Authorization header, if any
};

struct api_response {
    int status = 200;
    std::string body;  // empty for 204
    bool www_authenticate = false;
};

struct api_outcome {
    api_response response;
    bool auth_ok = false;
    std::optional<publisher> deleted;  // a DELETE removed this input stream
};

// Mutates the model only for DELETE (the stream is gone when this returns).
api_outcome handle_api_request(api_request const& request,
                               model& state,
                               standin_config const& config,
                               wall_clock::time_point now);

// The status line comes from reason_phrase; the headers in the order a
// v0.20.0 OME writes them.
// OME's response headers for `response`, in OME's order (Content-Length
// included); the shell writes them as they are.
std::vector<std::pair<std::string, std::string>> api_response_headers(api_response const& response,
                                                                      wall_clock::time_point now);

std::string reason_phrase(int status);

// What an OME whose API fails answers to anything (api_mode::error): 500
// with OME's error envelope. Nothing in the model changes.
api_response internal_error_response();

}  // namespace ovs::ome_standin
