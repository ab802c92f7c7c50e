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

namespace {

std::string joined(const std::vector<std::string>& parts)
{
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

string_response json_response(http::status status, const nlohmann::json& body)
{
    auto res = make_response(status,
                             "application/json",
                             body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    res.set(http::field::cache_control, "no-store");
    return res;
}

}  // namespace

string_response error_response(http::status status, std::string_view code, std::string_view message)
{
    return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

string_response health_response()
{
    return json_response(http::status::ok, {{"status", "ok"}});
}

string_response readiness_response(const readiness& r)
{
    const bool ready = r.not_ready_because.empty();
    nlohmann::json body{{"ready", ready}};
    if (!ready) body["reason"] = joined(r.not_ready_because);
    if (!r.degraded.empty()) body["degraded"] = joined(r.degraded);
    return json_response(ready ? http::status::ok : http::status::service_unavailable, body);
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
