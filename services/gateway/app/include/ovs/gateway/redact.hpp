#pragma once
// Keeps secrets out of log lines. OME webhook URLs and our publish URLs carry
// the seat's publish token in the query (`token=...`, also percent-encoded
// inside an SRT streamid as `token%3D...`); logs get the URL with those values
// replaced by "***".

#include <string>
#include <string_view>

namespace ovs::gateway {

// `url` with the value of every `token`, `signature` and `policy` query
// parameter masked (names matched case-insensitively, plain or %-encoded).
std::string redact_url(std::string_view url);

}  // namespace ovs::gateway
