#pragma once
// A Lua script run with EVALSHA. Its SHA-1 is computed here, as Redis does,
// so the first call needs no round trip; when the server answers NOSCRIPT
// (after a restart, or SCRIPT FLUSH) the client loads it and retries once.

#include <string>

namespace ovs::redis {

class script {
public:
    explicit script(std::string source);
    const std::string& source() const { return source_; }
    const std::string& sha1() const { return sha1_; }  // 40 lowercase hex digits

private:
    std::string source_;
    std::string sha1_;
};

}  // namespace ovs::redis
