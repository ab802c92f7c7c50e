#include "fixtures.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace ovs::gateway::test {

namespace fs = std::filesystem;

fs::path fixtures_dir()
{
    return fs::path(OVS_FIXTURES_DIR);
}

fs::path recorded_dir()
{
    return fixtures_dir() / "ome-recorded-v0.20.0";
}

fs::path webhooks_dir()
{
    return fixtures_dir() / "ome-webhooks-v0.20.0";
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open fixture " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned read_status(const fs::path& path)
{
    return static_cast<unsigned>(std::stoul(read_file(path)));
}

std::vector<fs::path> files_ending(const fs::path& dir, const std::string& suffix)
{
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string signature_header(const fs::path& headers_file)
{
    std::istringstream in(read_file(headers_file));
    std::string line;
    const std::string key = "x-ome-signature:";
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string low = line;
        std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) {
            return static_cast<char>(std::tolower(c));
        });
        if (low.rfind(key, 0) == 0) {
            std::string v = line.substr(key.size());
            v.erase(0, v.find_first_not_of(' '));
            return v;
        }
    }
    throw std::runtime_error("no X-OME-Signature in " + headers_file.string());
}

}  // namespace ovs::gateway::test
