#include <ovs/redis/request.hpp>

#include <hiredis/hiredis.h>
#include <new>
#include <stdexcept>

namespace ovs::redis {

void request::append(const std::vector<const char*>& argv, const std::vector<std::size_t>& lens)
{
    if (argv.empty()) throw std::invalid_argument("redis::request: empty command");
    char* out = nullptr;
    const int n =
        redisFormatCommandArgv(&out,
                               static_cast<int>(argv.size()),
                               const_cast<const char**>(argv.data()),  // hiredis 0.14's signature
                               lens.data());
    if (n < 0 || out == nullptr) throw std::bad_alloc();
    payload_.append(out, static_cast<std::size_t>(n));
    redisFreeCommand(out);
    ++commands_;
    ++expected_;
}

request& request::push(std::initializer_list<std::string_view> args)
{
    return push(std::vector<std::string_view>(args));
}

request& request::push(const std::vector<std::string_view>& args)
{
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (auto a : args) {
        argv.push_back(a.data() ? a.data() : "");  // hiredis memcpy()s even 0 bytes
        lens.push_back(a.size());
    }
    append(argv, lens);
    return *this;
}

request& request::push(const std::vector<std::string>& args)
{
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    append(argv, lens);
    return *this;
}

request& request::expect_more(std::size_t extra_replies)
{
    expected_ += extra_replies;
    return *this;
}

}  // namespace ovs::redis
