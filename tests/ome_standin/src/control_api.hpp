#pragma once
// JSON of the control port (a test-only interface, not OME's): request
// parsing with clear errors, and outcomes/logs as JSON.

#include <ovs/ome_standin/config.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

namespace ovs::ome_standin {

// Either the request or an error text for a 400.
std::variant<publish_request, std::string> parse_publish_request(nlohmann::json const& body);
std::variant<play_request, std::string> parse_play_request(nlohmann::json const& body);

nlohmann::json to_json(publish_outcome const& o);
nlohmann::json to_json(play_outcome const& o);
nlohmann::json to_json(std::vector<api_log_entry> const& log);
nlohmann::json to_json(std::vector<webhook_log_entry> const& log);

}  // namespace ovs::ome_standin
