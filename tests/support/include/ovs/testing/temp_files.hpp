#pragma once
// Files for tests that start real processes: a fresh directory for their
// configs and data, and a file written whole (or an exception saying which).

#include <string>
#include <string_view>

namespace ovs::testing {

// A new directory under the system's temporary directory (TMPDIR when set),
// named `<prefix>-XXXXXX`. The caller removes it if it cares.
std::string make_temp_dir(std::string_view prefix = "ovs-test");

// Writes `text` to `path` (its parent directories made first); throws
// std::runtime_error naming the path when that fails.
void write_file(const std::string& path, std::string_view text);

}  // namespace ovs::testing
