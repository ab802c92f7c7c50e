// The pure part of our WebSocket writes: frame encoding (RFC 6455 5.2, the
// server's unmasked frames) and the gathered-write bookkeeping.
#include <ovs/net/ws_frame.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ovs::net;

namespace {

std::vector<unsigned> header_of(const ws_frame& f)
{
    const auto wire = f.wire();
    const auto n = wire.size() - f.text().size();
    std::vector<unsigned> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<unsigned char>(wire[i]));
    return out;
}

}  // namespace

TEST_CASE("ws_frame: the shortest length encoding, unmasked, final, text", "[unit][net]")
{
    CHECK(header_of(ws_frame("")) == std::vector<unsigned>{0x81, 0});
    CHECK(header_of(ws_frame("hi")) == std::vector<unsigned>{0x81, 2});
    CHECK(header_of(ws_frame(std::string(125, 'x'))) == std::vector<unsigned>{0x81, 125});
    CHECK(header_of(ws_frame(std::string(126, 'x'))) == std::vector<unsigned>{0x81, 126, 0, 126});
    CHECK(header_of(ws_frame(std::string(65535, 'x'))) ==
          std::vector<unsigned>{0x81, 126, 0xff, 0xff});
    CHECK(header_of(ws_frame(std::string(65536, 'x'))) ==
          std::vector<unsigned>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0});
    CHECK(header_of(ws_frame(std::string(70000, 'x'))) ==
          std::vector<unsigned>{0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70});
    const ws_frame f(R"({"type":"seat"})");
    CHECK(f.text() == R"({"type":"seat"})");
    CHECK(f.wire().size() == 2 + f.text().size());
}

TEST_CASE("plan_write: gathers the queue, bounded by frames and bytes", "[unit][net]")
{
    const std::vector<std::size_t> sizes{100, 200, 300, 400};
    auto b = plan_write(sizes, {}, 64, 1 << 20);
    CHECK(b.frames == 4);
    CHECK(b.bytes == 1000);
    b = plan_write(sizes, {}, 2, 1 << 20);  // frames
    CHECK(b.frames == 2);
    CHECK(b.bytes == 300);
    b = plan_write(sizes, {}, 64, 350);  // bytes: the first frame always goes
    CHECK(b.frames == 2);
    CHECK(b.bytes == 300);
    b = plan_write(sizes, {}, 64, 10);
    CHECK(b.frames == 1);
    CHECK(b.bytes == 100);
    b = plan_write(sizes, write_cursor{40}, 64, 1 << 20);  // the rest of a partial frame
    CHECK(b.frames == 4);
    CHECK(b.bytes == 960);
    CHECK(plan_write({}, {}, 64, 1 << 20).frames == 0);
}

TEST_CASE("advance: whole frames done, the cursor inside the next", "[unit][net]")
{
    const std::vector<std::size_t> sizes{100, 200, 300};
    auto p = advance(sizes, {}, 0);
    CHECK(p.frames_done == 0);
    CHECK(p.at.offset == 0);
    p = advance(sizes, {}, 99);
    CHECK(p.frames_done == 0);
    CHECK(p.at.offset == 99);
    p = advance(sizes, {}, 100);
    CHECK(p.frames_done == 1);
    CHECK(p.at.offset == 0);
    p = advance(sizes, {}, 150);
    CHECK(p.frames_done == 1);
    CHECK(p.at.offset == 50);
    p = advance(sizes, write_cursor{99}, 1);  // finishing a partial frame
    CHECK(p.frames_done == 1);
    CHECK(p.at.offset == 0);
    p = advance(sizes, write_cursor{50}, 50 + 200 + 300);
    CHECK(p.frames_done == 3);
    CHECK(p.at.offset == 0);
}
