#pragma once
// The part of main() every OvenSpace service shares: parse the command line,
// set up the logger, load and validate the config, then run the service and
// shut it down on a signal the same way everywhere.
//
//   int main(int argc, char** argv)
//   {
//       return ovs::app::service_main("room", "the room service", argc, argv,
//                                     ovs::config::secrets_for::room, run_room);
//   }

#include <ovs/config/config.hpp>
#include <ovs/net/net.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string_view>

namespace ovs::app {

// `run` gets the validated config (with the secrets `who` needs, and only
// those) and returns the exit code. Everything before it fails with
// exit_usage and a message naming the problem; an exception escaping `run`
// is logged and gives exit_failure.
int service_main(std::string_view service,
                 std::string_view description,
                 int argc,
                 char** argv,
                 config::secrets_for who,
                 const std::function<int(const config::config&)>& run);

// Runs `io` until it is out of work. The first SIGINT or SIGTERM logs and
// calls `stop` (close listeners, say goodbye to peers), which calls `done`
// once the service has nothing left but operations bounded by their own
// deadlines; `io` then runs dry and this returns. When `done` has not come
// after `grace`, or at a second signal, `io` is stopped where it stands.
using stopper = std::function<void(std::function<void()> done)>;
void run_until_signal(asio::io_context& io, const stopper& stop, std::chrono::milliseconds grace);

}  // namespace ovs::app
