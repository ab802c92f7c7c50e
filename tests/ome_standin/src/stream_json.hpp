#pragma once
// The response payloads of the stream-detail and stats endpoints, modelled on
// the v0.20.0 recordings (11_/41_/12_) with the version differences of
// CONTRACT §2.10 applied on top.

#include "model.hpp"

#include <nlohmann/json.hpp>

namespace ovs::ome_standin {

nlohmann::json stream_detail_json(publisher const& p,
                                  ome_version version,
                                  wall_clock::time_point now);
nlohmann::json stats_json(traffic_stats const& s, ome_version version);

}  // namespace ovs::ome_standin
