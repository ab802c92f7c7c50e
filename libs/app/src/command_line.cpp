#include <ovs/app/command_line.hpp>
#include <ovs/net/version.hpp>

#include <CLI/CLI.hpp>
#include <ostream>

namespace ovs::app {

std::variant<command_line, int> parse_command_line(std::string_view program,
                                                   std::string_view description,
                                                   int argc,
                                                   const char* const* argv,
                                                   std::ostream& out,
                                                   std::ostream& err)
{
    command_line cl;
    std::string check_path;
    std::string level = "info";
    std::string format = "text";
    bool show_version = false;

    CLI::App cli{std::string(description), std::string(program)};
    cli.add_option(
           "-c,--config", cl.config_path, "the OvenSpace YAML config (deploy/ovenspace.yaml)")
        ->type_name("FILE");
    auto* check = cli.add_option("--check-config",
                                 check_path,
                                 "validate the config, print it without secrets, exit: 0 when "
                                 "valid, 2 with the error otherwise; FILE may stand for --config")
                      ->type_name("[FILE]")
                      ->expected(0, 1);
    cli.add_option("--log-level", level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();
    cli.add_option("--log-format", format, "text, or json for JSON lines (log collectors)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cli.add_flag("--version", show_version, "print the version and exit");
    cli.footer(
        "Exit codes: 0 done, 1 failed while running (e.g. an address in use), 2 bad usage or an "
        "invalid config.\nSecrets may come from the environment (OVENSPACE_*, or OVENSPACE_*_FILE "
        "naming a file; see the README). SIGTERM or SIGINT stops gracefully.");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        out << cli.help();
        return exit_ok;
    } catch (const CLI::ParseError& e) {
        err << program << ": " << e.what() << "\nRun '" << program << " --help' for the options.\n";
        return exit_usage;
    }
    if (show_version) {
        out << program << ' ' << version << '\n';
        return exit_ok;
    }
    if (check->count() > 0) {
        cl.check_only = true;
        if (!check_path.empty()) {
            if (!cl.config_path.empty() && cl.config_path != check_path) {
                err << program << ": --config " << cl.config_path << " and --check-config "
                    << check_path << " name different files\n";
                return exit_usage;
            }
            cl.config_path = check_path;
        }
    }
    if (cl.config_path.empty()) {
        err << program << ": --config FILE is required\nRun '" << program
            << " --help' for the options.\n";
        return exit_usage;
    }
    cl.log_level = log::parse_level(level).value_or(log::level::info);
    cl.log_format = format == "json" ? log::format::json : log::format::text;
    return cl;
}

}  // namespace ovs::app
