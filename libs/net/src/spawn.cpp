#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>
#include <ovs/util/exception_text.hpp>

#include <atomic>

namespace ovs::net {

namespace {
std::atomic<std::uint64_t> failures{0};
}

void log_failure(std::exception_ptr e, const std::string& what)
{
    if (!e) return;
    ++failures;
    log::error(what + ": " + util::exception_text(e));
}

std::uint64_t spawn_failures()
{
    return failures.load();
}

}  // namespace ovs::net
