#include <ovs/net/http_types.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace ovs::net {

string_response make_response(http::status status, std::string_view content_type, std::string body)
{
    string_response res{status, 11};
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    return res;
}

string_response error_response(http::status status, std::string_view code, std::string_view message)
{
    nlohmann::json body{{"error", {{"code", code}, {"message", message}}}};
    auto res = make_response(status,
                             "application/json",
                             body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    res.set(http::field::cache_control, "no-store");
    return res;
}

string_response method_not_allowed(std::string_view allow)
{
    std::string message = "Use ";
    message += allow;
    auto res = error_response(http::status::method_not_allowed, "bad_method", message);
    res.set(http::field::allow, allow);
    return res;
}

http::status status_of(const reply& r)
{
    return std::visit([](const auto& res) { return res.result(); }, r);
}

}  // namespace ovs::net
