#include "rig.hpp"

#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>

namespace ovs::room::link_testing {

using namespace std::chrono_literals;

config::config test_config()
{
    config::config cfg;
    cfg.source = "test";
    cfg.mode = config::admission_mode::webhook;
    cfg.room.listen = {"127.0.0.1", 0};
    cfg.room.metrics = {"127.0.0.1", 0};  // never the default port (9591)
    cfg.room.web_root = "/nonexistent-web-root";
    cfg.room.presence_interval = 20ms;
    cfg.room.limits.commands_per_second = 1000;
    cfg.room.shutdown_timeout = 2000ms;
    cfg.link.secret = "room-link-test-secret-0123";
    cfg.link.heartbeat_interval = 200ms;
    cfg.link.heartbeat_timeout = 1000ms;
    cfg.link.request_timeout = 1000ms;
    cfg.link.reconnect_min = 20ms;
    cfg.link.reconnect_max = 100ms;
    cfg.rooms = {config::room_def{"main", "Main room", 4, "stream"}};
    return cfg;
}

proto::endpoints test_endpoints()
{
    proto::endpoints e;
    e.webrtc_publish = "ws://h:3333/app/{stream}?direction=send&token={token}";
    e.whip = "http://h:3333/app/{stream}?direction=whip&token={token}";
    e.rtmp = {
        "rtmp://h:1935/app", "{stream}?token={token}", "rtmp://h:1935/app/{stream}?token={token}"};
    e.srt = {"srt://h:9999?streamid=default%2Fapp%2F{stream}%3Ftoken%3D{token}", "srt://legacy"};
    e.webrtc_play = "ws://h:3333/app/{stream}";
    e.llhls_play = "http://h:3333/app/{stream}/llhls.m3u8";
    return e;
}

proto::stream_info rtmp_stream(std::string name)
{
    return proto::stream_info{
        std::move(name), "RTMP", {}, proto::video_info{"H264", 1280, 720, 30.0}, {}, 2500000};
}

rig::rig(config::config c) : cfg(std::move(c)), gw(io.get_executor(), cfg.link)
{
    gw.greeting = {proto::streams{{rtmp_stream("stream0")}},
                   test_endpoints(),
                   proto::media_status{true, std::string("0.20.0"), std::nullopt, false}};
    gw.listen();
    cfg.room.gateway = {"127.0.0.1", gw.port()};
    server.emplace(io, cfg);
    server->start();
    port = server->local_endpoint().port();
    link.emplace(io.get_executor(), *server, cfg, [](std::string_view) {});
    link->start();
}

void rig::run(asio::awaitable<void> test)
{
    bool done = false;
    std::exception_ptr failure;
    auto stop_all = [this] {
        link->stop();
        gw.stop();
        server->stop();
    };
    asio::co_spawn(io, std::move(test), [&](std::exception_ptr e) {
        done = true;
        failure = e;
        stop_all();
    });
    io.run_for(20s);
    if (!done) {
        stop_all();
        io.run_for(5s);
        FAIL("the test did not finish within 20 s");
    }
    if (failure) std::rethrow_exception(failure);
    io.run_for(5s);
    REQUIRE(io.stopped());
}

}  // namespace ovs::room::link_testing
