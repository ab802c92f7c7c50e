#include <ovs/redis/errors.hpp>

#include <string>

namespace ovs::redis {
namespace {

// boost::system::error_category has a public non-virtual destructor; the
// category is a function-local static that is never deleted through a base.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class redis_category : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "redis"; }
    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
            case errc::not_connected:
                return "not connected to Redis";
            case errc::timeout:
                return "Redis did not answer in time";
            case errc::closed:
                return "the Redis connection closed";
            case errc::protocol_error:
                return "Redis sent an unparsable reply";
            case errc::reply_too_large:
                return "Redis reply larger than the configured limit";
            case errc::too_many_pending:
                return "too many Redis requests in flight";
            case errc::connect_failed:
                return "cannot connect to Redis";
            case errc::handshake_failed:
                return "Redis refused the connection setup (AUTH/SELECT)";
            case errc::unexpected_reply:
                return "unexpected Redis reply";
            case errc::stopped:
                return "the Redis client was stopped";
        }
        return "redis error " + std::to_string(ev);
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& category()
{
    static const redis_category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e)
{
    return {static_cast<int>(e), category()};
}

}  // namespace ovs::redis
