#include "static_files.hpp"

#include "http_routes.hpp"

#include <algorithm>
#include <filesystem>

namespace ovs::room {

namespace fs = std::filesystem;

namespace {

// Is `p` (canonical) `root` (canonical) or below it?
bool within(const fs::path& root, const fs::path& p)
{
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end();
}

net::string_response not_found()
{
    return net::error_response(http::status::not_found, "not_found", "Not found");
}

void set_file_headers(http::response_header<>& h, std::string_view file)
{
    h.set(http::field::content_type, http_rules::mime_type(file));
    h.set(http::field::cache_control, http_rules::cache_control(file));
    h.set("X-Content-Type-Options", "nosniff");
}

}  // namespace

net::reply static_file(const std::string& web_root, std::string_view path)
{
    auto file = http_rules::static_file_for(path);
    if (!file) return not_found();
    // Regular files under the web root only: a directory, a device, or a
    // symlink that resolves outside the root is "not found".
    std::error_code ec;
    http::file_body::value_type body;
    auto root = fs::canonical(web_root, ec);
    auto real = ec ? fs::path() : fs::canonical(root / *file, ec);
    if (!ec && within(root, real) && fs::is_regular_file(real, ec) && !ec) {
        beast::error_code open_ec;
        body.open(real.c_str(), beast::file_mode::scan, open_ec);
    }
    if (!body.is_open()) {
        if (*file != "index.html") return not_found();
        auto res = net::make_response(
            http::status::ok, http_rules::mime_type(*file), http_rules::placeholder_index);
        set_file_headers(res, *file);
        return res;
    }
    net::file_response res;
    res.result(http::status::ok);
    res.body() = std::move(body);
    set_file_headers(res, *file);
    return res;
}

bool has_index(const std::string& web_root)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(web_root) / "index.html", ec);
}

}  // namespace ovs::room
