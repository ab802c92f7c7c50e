// The rooms list: required, ids valid and unique, stream names unique across
// rooms.

#include "test_support.hpp"

#include <ovs/config/config.hpp>

#include <catch2/catch.hpp>

using namespace ovs::config;
using Catch::Matchers::Contains;
using test::error_of;
using test::minimal_secrets;

TEST_CASE("rooms are required", "[unit]")
{
    std::string base = minimal_secrets;
    CHECK(
        error_of(base) ==
        "test.yaml: rooms: expected a list of at least one room, got nothing (rooms is required)");
    CHECK(error_of(base + "rooms: []\n") ==
          "test.yaml: rooms (line 5): expected a list of at least one room, got a list");
    CHECK_THAT(error_of(base + "rooms: main\n"),
               Contains("rooms (line 5): expected a list of at least one room, got 'main'"));
}

TEST_CASE("each room is checked with its index in the key path", "[unit]")
{
    std::string base = std::string(minimal_secrets) + "rooms:\n  - id: main\n";  // lines 5, 6
    CHECK(error_of(base + "  - title: no id\n") ==
          "test.yaml: rooms[1].id (line 7): expected a room id of 1 to 32 characters from a-z "
          "0-9 _ -, got nothing (id is required)");
    CHECK(error_of(base + "  - id: Main\n") ==
          "test.yaml: rooms[1].id (line 7): expected a room id of 1 to 32 characters from a-z "
          "0-9 _ -, got 'Main'");
    CHECK_THAT(error_of(base + "  - id: " + std::string(33, 'a') + "\n"),
               Contains("rooms[1].id (line 7)"));
    CHECK(error_of(base + "  - { id: two, seats: 65 }\n") ==
          "test.yaml: rooms[1].seats (line 7): expected an integer from 1 to 64, got '65'");
    CHECK_THAT(error_of(base + "  - { id: two, seats: 0 }\n"),
               Contains("rooms[1].seats (line 7): expected an integer from 1 to 64, got '0'"));
    CHECK_THAT(error_of(base + "  - id: two\n    saets: 4\n"),
               Contains("rooms[1].saets (line 8): expected one of the keys id, title, seats, "
                        "stream_prefix, got unknown key 'saets'"));
    CHECK_THAT(error_of(base + "  - id: two\n    stream_prefix: \"cam/\"\n"),
               Contains("rooms[1].stream_prefix (line 8): expected a stream name prefix"));
    CHECK_THAT(error_of(base + "  - just-a-string\n"),
               Contains("rooms[1] (line 7): expected a room"));
}

TEST_CASE("duplicate room ids", "[unit]")
{
    auto msg = error_of(std::string(minimal_secrets) +
                        "rooms:\n"                                // 5
                        "  - { id: main, stream_prefix: a }\n"    // 6
                        "  - { id: other, stream_prefix: b }\n"   // 7
                        "  - { id: main, stream_prefix: c }\n");  // 8
    CHECK(msg ==
          "test.yaml: rooms[2].id (line 8): expected a room id not used by another room, got "
          "'main', already the id of rooms[0] (line 6)");
}

TEST_CASE("stream names collide across rooms", "[unit]")
{
    SECTION("same prefix")
    {
        auto msg = error_of(std::string(minimal_secrets) +
                            "rooms:\n"
                            "  - { id: a }\n"
                            "  - { id: b }\n");
        CHECK(msg ==
              // stream_prefix is not written: the default collides; the line is the room's.
              "test.yaml: rooms[1].stream_prefix (line 7): expected stream names unique across "
              "rooms, got "
              "stream 'stream0' for seat 0, which room 'a' also uses for its seat 0");
    }
    SECTION("prefix plus seat number")
    {
        // "cam" seat 10 is "cam10", which is "cam1" seat 0.
        auto msg = error_of(std::string(minimal_secrets) +
                            "rooms:\n"
                            "  - { id: a, seats: 12, stream_prefix: cam }\n"
                            "  - id: b\n"
                            "    stream_prefix: cam1\n");
        CHECK(msg ==
              "test.yaml: rooms[1].stream_prefix (line 8): expected stream names unique across "
              "rooms, got stream 'cam10' for seat 0, which room 'a' also uses for its seat 10");
    }
    SECTION("distinct prefixes load")
    {
        auto cfg = load_string(std::string(minimal_secrets) +
                                   "rooms:\n"
                                   "  - { id: a, seats: 9, stream_prefix: cam }\n"
                                   "  - { id: b, seats: 9, stream_prefix: cam1 }\n",
                               "t",
                               test::fake_env());
        REQUIRE(cfg.rooms.size() == 2);
        CHECK(stream_name(cfg.rooms[1], 0) == "cam10");
    }
}
