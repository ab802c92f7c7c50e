#pragma once
// Bounded waiting: every wait in the suite names a deadline. Polling loops
// are for state that has no event to await (a child process's exit, a
// port becoming free, a counter reaching a value in another process).

#include <chrono>
#include <functional>
#include <thread>

namespace ovs::integration {

using steady = std::chrono::steady_clock;
using millis = std::chrono::milliseconds;

// Calls `done` until it returns true or `timeout` passes; the last answer.
inline bool poll_until(const std::function<bool()>& done, millis timeout, millis step = millis(20))
{
    const auto deadline = steady::now() + timeout;
    while (true) {
        if (done()) return true;
        if (steady::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
}

}  // namespace ovs::integration
