// room.state_file: the text of the kept seats (pure), and the file itself
// (atomic replace, owner-only). Issue 11.

#include "state_file.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace ovs::room;
using namespace std::chrono_literals;

namespace {

const time_point steady0 = time_point{} + std::chrono::hours(5);
const wall_clock::time_point wall0 = wall_clock::time_point{} + std::chrono::hours(480000);

kept_rooms sample()
{
    kept_rooms k;
    k.seq = {{"main", 42}, {"side", 3}};
    kept_seat live;
    live.room = "main";
    live.index = 0;
    live.state = seat_state::live;
    live.held = true;
    live.token_hash = token_hash("secret-token");
    live.info = stream_info{"RTMP", "H264", 1280, 720, 2500000, 29.97, stream_outputs::ready};
    kept_seat reserved;
    reserved.room = "main";
    reserved.index = 1;
    reserved.state = seat_state::reserved;
    reserved.held = true;
    reserved.token_hash = token_hash("other-token");
    reserved.lease_expires = steady0 + 20s;
    kept_seat ending;
    ending.room = "side";
    ending.index = 1;
    ending.state = seat_state::ending;
    ending.locked = true;
    ending.ended_by_moderator = true;
    k.seats = {live, reserved, ending};
    return k;
}

}  // namespace

TEST_CASE("kept seats survive the text, deadlines moved to the new process's clock", "[unit]")
{
    const auto text = encode_state(sample(), steady0, wall0);
    CHECK(text.find("secret-token") == std::string::npos);
    // The next process: its steady clock started elsewhere, and 3 s passed.
    const auto later = time_point{} + std::chrono::hours(9);
    const auto back = decode_state(text, later, wall0 + 3s);
    REQUIRE(back);
    auto want = sample();
    want.seats[1].lease_expires = later + 17s;
    CHECK(*back == want);
}

TEST_CASE("a state text this version did not write is refused, bad seats are skipped", "[unit]")
{
    CHECK_FALSE(decode_state("", steady0, wall0));
    CHECK_FALSE(decode_state("[]", steady0, wall0));
    CHECK_FALSE(decode_state(R"({"ovenspace_room_state":2,"seats":[]})", steady0, wall0));
    const auto k = decode_state(
        R"({"ovenspace_room_state":1,"seats":[{"room":"main","index":0,"state":"exploding"},)"
        R"({"room":"main","index":-1,"state":"live"},{"index":2,"state":"ending"},)"
        R"({"room":"main","index":3,"state":"ending"}]})",
        steady0,
        wall0);
    REQUIRE(k);
    REQUIRE(k->seats.size() == 1);
    CHECK(k->seats[0].index == 3);
}

TEST_CASE("the state file is replaced whole and readable by its owner only", "[unit]")
{
    const std::string path = "/tmp/ovs-state-file-test-" + std::to_string(::getpid()) + ".json";
    std::remove(path.c_str());
    std::string error;
    CHECK_FALSE(read_state_file(path, error));
    CHECK(error.empty());  // no file: nothing to restore, not an error

    {
        std::ofstream old(path);
        old << "old";
    }
    ::chmod(path.c_str(), 0644);
    REQUIRE(write_state_file(path, "new text\n").empty());
    const auto got = read_state_file(path, error);
    REQUIRE(got);
    CHECK(*got == "new text\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(::access((path + ".tmp").c_str(), F_OK) != 0);  // renamed, nothing left over

    CHECK_FALSE(write_state_file("/nonexistent-dir/state.json", "x").empty());
    std::remove(path.c_str());
}
