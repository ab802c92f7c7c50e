#include <ovs/util/exception_text.hpp>

namespace ovs::util {

std::string exception_text(std::exception_ptr e)
{
    if (!e) return {};
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace ovs::util
