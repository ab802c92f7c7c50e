#include "child_process.hpp"

#include "deadline.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>  // close_range (glibc >= 2.34)

extern char** environ;

namespace ovs::integration {

std::string read_text_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

child_process::child_process(std::string name,
                             std::string program,
                             std::vector<std::string> args,
                             const std::string& log_prefix,
                             std::vector<std::string> extra_env,
                             std::string working_dir)
    : name_(std::move(name)), out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err")
{
    // Everything the child needs is prepared before fork: between fork and
    // exec only async-signal-safe calls are allowed.
    std::vector<std::string> argv_store;
    argv_store.push_back(program);
    for (auto& a : args) argv_store.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);

    // The test's environment, where `extra_env` overrides it (getenv takes
    // the first NAME= it finds, so an inherited one must not stay).
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    std::set<std::string> overridden;
    for (const auto& e : extra_env) overridden.insert(name_of(e));
    std::vector<std::string> env_store;
    for (char** e = environ; e && *e; ++e) {
        if (!overridden.count(name_of(*e))) env_store.emplace_back(*e);
    }
    for (auto& e : extra_env) env_store.push_back(std::move(e));
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);

    const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    // No input: an encoder such as ffmpeg would read the test's terminal.
    const int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_fd < 0 || err_fd < 0 || in_fd < 0) {
        for (int fd : {out_fd, err_fd, in_fd}) {
            if (fd >= 0) ::close(fd);
        }
        throw std::runtime_error("cannot open log files " + log_prefix + ".{out,err}");
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out_fd);
        ::close(err_fd);
        ::close(in_fd);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
        ::dup2(in_fd, STDIN_FILENO);
        ::dup2(out_fd, STDOUT_FILENO);
        ::dup2(err_fd, STDERR_FILENO);
        // Nothing of the test process may leak into the child: an inherited
        // socket (a browser's WebSocket, a listener) would stay open for as
        // long as the child runs, so a simulated tab loss or a stopped
        // service would not look closed to its peer. Not every descriptor
        // the test opens is O_CLOEXEC (Asio's are not), so close them all.
        ::close_range(3, ~0U, 0);
        // Own process group: a Ctrl-C on the test reaches us, not the child
        // directly, so the child is stopped the orderly way.
        ::setpgid(0, 0);
        if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(127);
        ::execve(argv[0], argv.data(), envp.data());
        const char msg[] = "exec failed\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
    ::close(in_fd);
    pid_ = pid;
}

child_process::~child_process()
{
    stop();
}

void child_process::reap(int status)
{
    if (WIFEXITED(status)) {
        exit_code_ = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        exit_code_ = 128 + WTERMSIG(status);
    } else {
        return;
    }
    pid_ = -1;
}

bool child_process::running()
{
    if (pid_ < 0) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) reap(status);
    return pid_ >= 0;
}

int child_process::stop(std::chrono::milliseconds grace)
{
    if (!running()) return exit_code_.value_or(-1);
    ::kill(pid_, SIGCONT);  // a paused child cannot handle SIGTERM
    ::kill(pid_, SIGTERM);
    if (!poll_until([&] { return !running(); }, grace, millis(10))) kill_now();
    return exit_code_.value_or(-1);
}

void child_process::kill_now()
{
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) reap(status);
}

void child_process::pause()
{
    if (running()) ::kill(pid_, SIGSTOP);
}

void child_process::resume()
{
    if (running()) ::kill(pid_, SIGCONT);
}

std::string child_process::output_tail(std::size_t max_bytes) const
{
    auto tail = [&](const std::string& path) {
        std::string text = read_text_file(path);
        if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
        return text;
    };
    return "----- " + name_ + " stdout (" + out_path_ + ")\n" + tail(out_path_) + "----- " + name_ +
           " stderr (" + err_path_ + ")\n" + tail(err_path_);
}

}  // namespace ovs::integration
