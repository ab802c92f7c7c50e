#pragma once
// One child process of a test, owned RAII: started with fork+exec, its
// stdout and stderr going to files, killed when the owner goes away
// (SIGTERM, then SIGKILL after a deadline). The child also gets
// PR_SET_PDEATHSIG=SIGKILL, so even a test process that crashes leaves no
// orphan behind. It inherits no descriptor but stdout/stderr (its log
// files) and stdin (/dev/null), and the test's environment with
// `extra_env` taking precedence.

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ovs::integration {

class child_process {
public:
    // Starts `program` with `args` (argv[1..]); output goes to
    // <log_prefix>.out and <log_prefix>.err; it runs in `working_dir` when
    // given (OME writes into ./logs before it has read its Logger.xml).
    // Throws std::runtime_error when the program cannot be started.
    child_process(std::string name,
                  std::string program,
                  std::vector<std::string> args,
                  const std::string& log_prefix,
                  std::vector<std::string> extra_env = {},
                  std::string working_dir = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    const std::string& name() const { return name_; }
    pid_t pid() const { return pid_; }

    // True while the process has not exited (reaps it when it has).
    bool running();
    // The exit status as the shell shows it (128+signal for a signal).
    std::optional<int> exit_code() const { return exit_code_; }

    // SIGTERM, wait up to `grace`, then SIGKILL and reap. Returns the exit
    // code. Idempotent.
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
    // SIGKILL at once (a crash, as far as the peers can tell).
    void kill_now();
    // SIGSTOP / SIGCONT: a hung process keeps its sockets but answers nothing.
    void pause();
    void resume();

    // The tail of its stdout and stderr, for failure messages.
    std::string output_tail(std::size_t max_bytes = 8000) const;
    const std::string& stdout_path() const { return out_path_; }
    const std::string& stderr_path() const { return err_path_; }

private:
    void reap(int status);

    std::string name_;
    std::string out_path_;
    std::string err_path_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// Reads a whole file (empty when it cannot be read).
std::string read_text_file(const std::string& path);

}  // namespace ovs::integration
