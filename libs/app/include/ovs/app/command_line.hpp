#pragma once
// The command line every OvenSpace service takes:
//
//   -c, --config FILE        the OvenSpace YAML config (required)
//   --check-config [FILE]    validate the config and exit (FILE may stand
//                            for --config FILE)
//   --log-level LEVEL        debug, info, warn or error (default info)
//   --log-format FORMAT      text or json (JSON lines; default text)
//   --version                print "<program> <version>" and exit
//   -h, --help               this help and exit
//
// Exit codes of every binary: 0 done (also after --help, --version and a
// valid --check-config), 1 a failure while running (an address that cannot
// be bound), 2 a usage error or an invalid config.

#include <ovs/log/log.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <variant>

namespace ovs::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

struct command_line {
    std::string config_path;
    bool check_only = false;
    log::level log_level = log::level::info;
    log::format log_format = log::format::text;
};

// The options, or the exit code when the program is already done (help and
// version go to `out` with 0; a usage error goes to `err` with 2).
std::variant<command_line, int> parse_command_line(std::string_view program,
                                                   std::string_view description,
                                                   int argc,
                                                   const char* const* argv,
                                                   std::ostream& out,
                                                   std::ostream& err);

}  // namespace ovs::app
