#include <ovs/log/log.hpp>
#include <ovs/net/spawn.hpp>

#include <atomic>

namespace ovs::net {

namespace {
std::atomic<std::uint64_t> failures{0};
}

void log_failure(std::exception_ptr e, const std::string& what)
{
    if (!e) return;
    ++failures;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log::error(what + ": " + ex.what());
    } catch (...) {
        log::error(what + ": unknown exception");
    }
}

std::uint64_t spawn_failures()
{
    return failures.load();
}

}  // namespace ovs::net
