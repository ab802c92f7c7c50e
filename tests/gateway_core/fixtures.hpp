#pragma once
// Reading the recorded OME traffic in tests/fixtures at run time.

#include <filesystem>
#include <string>
#include <vector>

namespace ovs::gateway::test {

std::filesystem::path fixtures_dir();                      // tests/fixtures
std::filesystem::path recorded_dir();                      // ome-recorded-v0.20.0
std::filesystem::path webhooks_dir();                      // ome-webhooks-v0.20.0
std::string read_file(const std::filesystem::path& path);  // exact bytes; throws when missing
unsigned read_status(const std::filesystem::path& path);   // NAME.status -> code
// Files under `dir` (recursively) whose name ends with `suffix`, sorted.
std::vector<std::filesystem::path> files_ending(const std::filesystem::path& dir,
                                                const std::string& suffix);
// The X-OME-Signature value in a recorded NNN_*.headers.txt.
std::string signature_header(const std::filesystem::path& headers_file);

}  // namespace ovs::gateway::test
