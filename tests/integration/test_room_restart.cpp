// Issue 11: a room-service restart (SIGTERM or SIGKILL) loses nothing a user
// can see. The seats come back from room.state_file (holds with their
// token's hash, on-air seats) and from OME's list: the broadcaster's page
// resumes with its token and keeps broadcasting, the encoder's seat is
// still held and can be left, and no viewer sees a live seat go down.

#include "deadline.hpp"
#include "scenario.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace ovs::integration;

namespace {

std::string read_all(const std::string& path)
{
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The state file holds both seats (written ~100 ms after the last change).
bool state_has_holds(const cluster& c, int n)
{
    const auto text = read_all(c.room_state_path());
    std::size_t count = 0;
    for (auto at = text.find("\"held\":true"); at != std::string::npos;
         at = text.find("\"held\":true", at + 1)) {
        ++count;
    }
    return static_cast<int>(count) == n;
}

std::optional<json> resume(browser& b, const claimed_seat& seat)
{
    return b.command(json{{"type", "resume"}, {"seat", seat.seat}, {"token", seat.token}});
}

}  // namespace

TEST_CASE("a room restart keeps the holds: the broadcaster resumes, the encoder seat can be left",
          "[integration]")
{
    const auto how = GENERATE(as<std::string>(), "SIGTERM", "SIGKILL");
    INFO("room stopped with " << how);
    cluster c;
    auto pool = std::make_unique<browser_pool>();
    // The broadcaster's page (seat 0), and the page that gave an encoder its
    // key (seat 1).
    auto page = std::make_unique<browser>(*pool, c.room_port(), "main");
    auto encoder_page = std::make_unique<browser>(*pool, c.room_port(), "main");
    REQUIRE(page->wait_open());
    REQUIRE(encoder_page->wait_open());
    auto seat0 = claim_seat(*page, 0);
    auto seat1 = claim_seat(*encoder_page, 1);
    REQUIRE(seat0);
    REQUIRE(seat1);
    const auto browser_ingest = c.real_ome() ? ingest::rtmp : ingest::webrtc;
    auto live0 =
        c.media().publish(browser_ingest, seat0->stream, publish_query(*seat0, browser_ingest));
    auto live1 =
        c.media().publish(ingest::rtmp, seat1->stream, publish_query(*seat1, ingest::rtmp));
    REQUIRE(live0.admitted);
    REQUIRE(live1.admitted);
    REQUIRE(page->wait_seat_state(0, "live", event_bound));
    REQUIRE(page->wait_seat_state(1, "live", event_bound));
    REQUIRE(poll_until([&] { return state_has_holds(c, 2); }, event_bound));
    // Hashes only: the tokens themselves are nowhere in the file, which only
    // its owner may read.
    const auto text = read_all(c.room_state_path());
    CHECK(text.find(seat0->token) == std::string::npos);
    CHECK(text.find(seat1->token) == std::string::npos);
    struct stat st {};
    REQUIRE(::stat(c.room_state_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    if (how == "SIGKILL") {
        c.kill_room();
    } else {
        c.stop_room();
    }
    CHECK(page->wait([&] { return page->closed(); }, event_bound));
    page.reset();
    encoder_page.reset();
    pool = std::make_unique<browser_pool>();
    c.start_room();

    // Whoever looks first after the restart sees both seats live, and never
    // anything else for them (the state file, then OME's list, agree).
    browser viewer(*pool, c.room_port(), "main");
    REQUIRE(viewer.wait_open());
    CHECK(viewer.seat(0)->state == "live");
    CHECK(viewer.seat(1)->state == "live");
    REQUIRE(c.wait_room_linked());

    // The pages come back and resume with their tokens.
    browser page2(*pool, c.room_port(), "main");
    browser encoder_page2(*pool, c.room_port(), "main");
    REQUIRE(page2.wait_open());
    REQUIRE(encoder_page2.wait_open());
    auto back0 = resume(page2, *seat0);
    REQUIRE(back0);
    CHECK(back0->value("ok", false));
    CHECK(page2.wait_seat(
        0, [](const seat_view& s) { return s.mine && s.state == "live"; }, event_bound));
    auto back1 = resume(encoder_page2, *seat1);
    REQUIRE(back1);
    CHECK(back1->value("ok", false));
    // A wrong token is still refused.
    auto wrong = encoder_page2.command(json{{"type", "resume"}, {"seat", 0}, {"token", "nope"}});
    REQUIRE(wrong);
    CHECK_FALSE(wrong->value("ok", true));

    // The encoder's seat can be left: its stream ends in OME and the seat is
    // free again.
    auto left = encoder_page2.command(json{{"type", "release"}, {"seat", 1}});
    REQUIRE(left);
    CHECK(left->value("ok", false));
    CHECK(c.media().wait_deleted(seat1->stream, event_bound));
    CHECK(viewer.wait_seat_state(1, "free", event_bound));

    // The broadcast of seat 0 goes on, through several polls.
    REQUIRE(wait_polls(c, 3, event_bound));
    CHECK(c.media().listed(seat0->stream));
    CHECK(page2.seat(0)->mine);
    const auto history = viewer.seat_history(0);
    REQUIRE_FALSE(history.empty());
    for (const auto& frame : history) {
        INFO("seat 0 frame after the restart: " << frame.dump());
        CHECK(frame.value("state", "") == "live");
    }
    CHECK_FALSE(viewer.seq_gap_seen());
}

TEST_CASE("a room restart resends the kick of a seat whose stream OME has not ended yet",
          "[integration]")
{
    cluster c;
    OVS_REQUIRE_STANDIN(c, "switches the stand-in's API to 500");
    browser_pool pool;
    browser holder(pool, c.room_port(), "main");
    REQUIRE(holder.wait_open());
    auto seat = claim_seat(holder, 2);
    REQUIRE(seat);
    auto live = c.media().publish(ingest::srt, seat->stream, publish_query(*seat, ingest::srt));
    REQUIRE(live.admitted);
    REQUIRE(holder.wait_seat_state(2, "live", event_bound));

    c.media().api_error();
    auto left = holder.command(json{{"type", "release"}, {"seat", 2}});
    REQUIRE(left);
    REQUIRE(holder.wait_seat_state(2, "ending", event_bound));
    REQUIRE(poll_until(
        [&] { return read_all(c.room_state_path()).find("\"ending\"") != std::string::npos; },
        event_bound));

    // Both processes go away while OME still fails: the gateway's owed kick
    // is lost with it. Back up, the room still shows the seat ending and
    // asks for the kick again.
    c.kill_gateway();
    c.kill_room();
    c.start_gateway();
    c.start_room();
    browser viewer(pool, c.room_port(), "main");
    REQUIRE(viewer.wait_open());
    CHECK(viewer.seat(2)->state == "ending");
    REQUIRE(c.wait_room_linked());
    c.media().api_up();
    CHECK(c.media().wait_deleted(seat->stream, event_bound));
    CHECK(viewer.wait_seat_state(2, "free", event_bound));
    CHECK(claim_seat(viewer, 2));
}
