#include "redis_store_parts.hpp"

#include <memory>
#include <unordered_map>
#include <utility>

namespace ovs::room::store_detail {

using store::script_reply;

const redis::script& script_of(const char* body)
{
    // One script object per body, for the life of the process.
    static std::unordered_map<const char*, std::unique_ptr<redis::script>> scripts;
    auto& s = scripts[body];
    if (!s) s = std::make_unique<redis::script>(std::string(store::lua::prelude) + body);
    return *s;
}

std::optional<refusal> refusal_named(const std::string& code)
{
    static const std::pair<const char*, refusal> known[] = {
        {"already_holding", refusal::already_holding},
        {"seat_taken", refusal::seat_taken},
        {"not_holder", refusal::not_holder},
        {"bad_token", refusal::bad_token},
        {"no_claim", refusal::no_claim},
        {"already_live", refusal::already_live},
        {"seat_locked", refusal::seat_locked},
        {"seat_ending", refusal::seat_ending},
    };
    for (const auto& [name, r] : known) {
        if (code == name) return r;
    }
    return std::nullopt;
}

std::optional<refusal> refused(const script_reply& r)
{
    const auto it = r.result.find("refused");
    if (it == r.result.end() || !it->is_string()) return std::nullopt;
    return refusal_named(it->get<std::string>()).value_or(refusal::store_unavailable);
}

std::optional<std::int64_t> result_number(const script_reply& r, const char* key)
{
    const auto it = r.result.find(key);
    if (it == r.result.end() || !it->is_number()) return std::nullopt;
    return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>())
                                 : it->get<std::int64_t>();
}

done_void countdown(std::size_t n, done_void done)
{
    if (n == 0) {
        if (done) done();
        return {};
    }
    auto left = std::make_shared<std::size_t>(n);
    return [left, done = std::move(done)] {
        if (--*left == 0 && done) done();
    };
}

}  // namespace ovs::room::store_detail
