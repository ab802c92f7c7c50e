#pragma once
// One connection's steps, run one at a time in the order they were pushed.
// A step gets `next` and calls it exactly once when it is done: at once (the
// embedded store answers before its call returns) or later (Redis). Replies
// therefore leave in the order the commands came, whichever store answers.
//
// A step that finished before it returned continues the loop (no recursion
// however many are queued); one that finishes later resumes the loop through
// `resume`, which posts it to the executor (never runs it inside the store's
// callback). No I/O of its own: tested with plain lambdas.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

namespace ovs::room {

class command_queue {
public:
    using next_fn = std::function<void()>;
    using step = std::function<void(next_fn next)>;
    // How a step answered later gets the loop going again (asio::post).
    using resume_fn = std::function<void(std::function<void()>)>;

    explicit command_queue(resume_fn resume) : state_(std::make_shared<state>())
    {
        state_->resume = std::move(resume);
    }

    void push(step s)
    {
        state_->steps.push_back(std::move(s));
        if (!state_->busy) run(state_);
    }

    // Steps waiting behind the one in progress.
    std::size_t waiting() const { return state_->steps.size(); }
    bool busy() const { return state_->busy; }

private:
    struct state {
        std::deque<step> steps;
        bool busy = false;
        resume_fn resume;
    };

    static void run(const std::shared_ptr<state>& st)
    {
        st->busy = true;
        while (!st->steps.empty()) {
            auto s = std::move(st->steps.front());
            st->steps.pop_front();
            // 0: running, 1: done before s() returned, 2: s() returned first.
            auto phase = std::make_shared<int>(0);
            s([st, phase] {
                if (*phase == 0) {
                    *phase = 1;
                } else {
                    st->resume([st] { run(st); });
                }
            });
            if (*phase == 0) {
                *phase = 2;
                return;  // resumed when the step is done
            }
        }
        st->busy = false;
    }

    std::shared_ptr<state> state_;
};

}  // namespace ovs::room
