#include <ovs/gateway/redact.hpp>
#include <ovs/util/text.hpp>

#include <array>

namespace ovs::gateway {

namespace {

// Case-insensitive "does `text` continue with `word` at `at`".
bool starts_with_at(std::string_view text, std::size_t at, std::string_view word)
{
    return at + word.size() <= text.size() && util::iequals(text.substr(at, word.size()), word);
}

// Length of the parameter separator ending at `at` ("?", "&", "%3F", "%26"),
// or 0 when the name at `at` does not start a parameter.
bool after_separator(std::string_view text, std::size_t at)
{
    if (at == 0) return false;
    if (text[at - 1] == '?' || text[at - 1] == '&') return true;
    return at >= 3 && (starts_with_at(text, at - 3, "%3f") || starts_with_at(text, at - 3, "%26"));
}

}  // namespace

std::string redact_url(std::string_view url)
{
    static constexpr std::array<std::string_view, 3> secret_names{"token", "signature", "policy"};
    std::string out;
    out.reserve(url.size());
    std::size_t i = 0;
    while (i < url.size()) {
        bool masked = false;
        if (after_separator(url, i)) {
            for (auto name : secret_names) {
                if (!starts_with_at(url, i, name)) continue;
                const std::size_t after_name = i + name.size();
                std::size_t value_start = 0;
                bool encoded = false;
                if (after_name < url.size() && url[after_name] == '=') {
                    value_start = after_name + 1;
                } else if (starts_with_at(url, after_name, "%3d")) {
                    value_start = after_name + 3;
                    encoded = true;
                } else {
                    continue;
                }
                // The value ends at the next separator of the same level.
                std::size_t end = value_start;
                while (end < url.size() && url[end] != '&' && url[end] != '#' &&
                       !(encoded && starts_with_at(url, end, "%26"))) {
                    ++end;
                }
                out.append(url.substr(i, value_start - i));
                out.append("***");
                i = end;
                masked = true;
                break;
            }
        }
        if (!masked) out.push_back(url[i++]);
    }
    return out;
}

}  // namespace ovs::gateway
