// The chaos test's driver (issue 11): the room service, the gateway and the
// OME stand-in as real processes, a seeded workload of viewers and
// broadcasters, and faults at random moments: SIGKILL and restart of the
// gateway or the room service, the stand-in's API answering 500, slowly or
// not at all. The stand-in is a fake on purpose: a real OME cannot answer
// 500 or slowly on demand, and its control port is how an encoder's publish
// is made here. The invariants are judged by the pure checker
// (invariants.hpp); this file only drives processes and sockets and reports
// what it saw.
//
//   ovenspace-chaos [--seed N] [--faults N] [--verbose] [--no-room-kills]
//   OVS_CHAOS_SEED overrides --seed (a failure is replayed from its seed: the
//   workload's and the faults' choices repeat; their timing is the machine's).
// Exit 0 when no invariant was violated, 1 when one was, 2 on bad usage or
// when the harness itself failed.

#include "browser.hpp"
#include "cluster.hpp"
#include "http_client.hpp"
#include "invariants.hpp"
#include "scenario.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ovs::chaos {
namespace {

using namespace ovs::integration;
using std::chrono::milliseconds;

constexpr unsigned seat_count = 4;
constexpr int actor_count = 4;
constexpr int viewer_count = 3;
constexpr unsigned ome_timeout_ms = 1000;

struct run_options {
    std::uint64_t seed = 20261207;
    int faults = 50;
    bool verbose = false;
    // Diagnosis: leave the room service running (gateway and API faults
    // only), to tell room-restart violations from the rest.
    bool room_kills = true;
};

class run_clock {
public:
    millis_t now() const { return at(std::chrono::steady_clock::now()); }

    millis_t at(std::chrono::steady_clock::time_point t) const
    {
        return std::chrono::duration_cast<milliseconds>(t - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The stand-in's control port, without exceptions: a refused or failed
// control call is an outcome the workload lives with.
class standin_control {
public:
    explicit standin_control(std::uint16_t port) : port_(port) {}

    std::optional<json> call(const std::string& target, const json& body, milliseconds timeout)
    {
        http_call c;
        c.method = body.is_null() ? "GET" : "POST";
        c.port = port_;
        c.target = target;
        if (!body.is_null()) c.body = body.dump();
        c.timeout = timeout;
        const auto r = http_request(c);
        if (r.status < 200 || r.status >= 300) return std::nullopt;
        auto parsed = json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
        if (parsed.is_discarded()) return std::nullopt;
        return parsed;
    }

    // Stream name -> publisher id, as OME really has them.
    std::optional<std::map<std::string, std::uint64_t>> streams()
    {
        auto r = call("/control/streams", nullptr, milliseconds(1000));
        if (!r) return std::nullopt;
        std::map<std::string, std::uint64_t> out;
        for (const auto& s : r->value("streams", json::array())) {
            out[s.value("stream", "")] = s.value("id", std::uint64_t{0});
        }
        return out;
    }

private:
    std::uint16_t port_;
};

enum class api_mode { up, error, slow, hang };

struct counters {
    std::map<std::string, int> faults;
    std::map<std::string, int> work;
    int checkpoints = 0;
};

// A page that only watches: it keeps the room's state and reconnects when
// its connection ends. It does not reconnect on a seq gap by itself, so a
// gap the server makes without dropping the connection stays visible.
struct viewer_client {
    int id = 0;
    std::unique_ptr<browser> page;
    std::size_t fed = 0;
    millis_t read_at = 0;  // the frames fed next were sent after this
    millis_t next_attempt = 0;
};

// A broadcaster: a page that claims, publishes (with an encoder: the
// stand-in's control port and the token from the claim's URLs), stops,
// leaves, lets its lease run out, and resumes its seat after its connection
// drops, as the page does.
struct actor {
    int id = 0;
    std::unique_ptr<browser> page;
    millis_t next_attempt = 0;
    std::optional<unsigned> seat;
    claimed_seat claim;
    std::optional<std::uint64_t> publisher;  // the stand-in's publisher id
    bool resume_owed = false;
    bool broadcasting_at_drop = false;
};

class driver {
public:
    explicit driver(run_options options)
        : options_(options),
          faults_rng_(options.seed),
          work_rng_(options.seed ^ 0x9e3779b97f4a7c15ULL),
          checker_(seat_count)
    {
        cluster_options o;
        o.standin_only = true;
        o.seats = seat_count;
        o.lease_ms = 2500;
        o.grace_ms = 10000;
        o.poll_ms = 200;
        o.ome_timeout_ms = ome_timeout_ms;
        o.poll_backoff_max_ms = 1000;
        cluster_ = std::make_unique<cluster>(o);
        control_ = std::make_unique<standin_control>(cluster_->media().standin_control_port());
        for (int i = 0; i < viewer_count; ++i) {
            viewers_.emplace_back();
            viewers_.back().id = i;
        }
        for (int i = 0; i < actor_count; ++i) {
            actors_.push_back(actor{});
            actors_.back().id = i;
        }
    }

    int run()
    {
        std::cout << "chaos: seed " << options_.seed << ", " << options_.faults << " faults, "
                  << seat_count << " seats, " << actor_count << " broadcasters, " << viewer_count
                  << " viewers" << std::endl;
        checker_.whole(true, clock_.now());
        millis_t next_fault = clock_.now() + pick(faults_rng_, 500, 1500);
        millis_t next_action = clock_.now();
        bool calm_pending = false;
        while (injected_ < options_.faults || fault_active()) {
            pump(milliseconds(20));
            restore_due();
            if (calm_pending && !fault_active()) {
                next_fault = clock_.now() + pick(faults_rng_, 3500, 4500);
                calm_pending = false;
            }
            if (!calm_pending && injected_ < options_.faults && clock_.now() >= next_fault) {
                inject();
                next_fault = clock_.now() + pick(faults_rng_, 300, 1400);
                // Now and then a calm longer than the agreement bound once
                // everything is back, so the bounded invariants are judged
                // mid-run too, not only at the end.
                calm_pending = chance(faults_rng_, 0.15);
            }
            if (clock_.now() >= next_action) {
                act(actors_[static_cast<std::size_t>(pick(work_rng_, 0, actor_count - 1))]);
                next_action = clock_.now() + pick(work_rng_, 20, 160);
            }
        }
        // Everything is up again: the seats must agree with OME within the
        // bound. The workload rests, so what is judged is the system's doing.
        const millis_t settle_until = clock_.now() + checker_bounds{}.agreement_ms + 1500;
        while (clock_.now() < settle_until) {
            pump(milliseconds(50));
            for (auto& a : actors_) upkeep(a);
        }
        report(checker_.check(clock_.now(), true), "final");
        journal() << "OME at the end: "
                  << control_->call("/control/streams", nullptr, milliseconds(1000))
                         .value_or(json())
                         .dump()
                  << "\n";
        if (viewers_[0].page) {
            for (unsigned i = 0; i < seat_count; ++i) {
                const auto seat = viewers_[0].page->seat(i);
                journal() << "seat " << i << ": " << (seat ? seat->raw.dump() : "?") << "\n";
            }
        }
        ++counters_.checkpoints;
        return summary();
    }

    std::string diagnostics() const { return cluster_->diagnostics(); }

private:
    // Two random streams from the seed: the faults' script does not shift
    // when the workload draws more or less often (timing decides that).
    static int pick(std::mt19937_64& rng, int lo, int hi)
    {
        return std::uniform_int_distribution<int>(lo, hi)(rng);
    }
    static bool chance(std::mt19937_64& rng, double p)
    {
        return std::uniform_real_distribution<double>(0, 1)(rng) < p;
    }

    // ------------------------------------------------------------ pumping

    void pump(milliseconds d)
    {
        pool_.run_for(d);
        feed();
        const millis_t now = clock_.now();
        if (now >= next_sample_) {
            if (auto streams = control_->streams()) checker_.ome_streams(clock_.now(), *streams);
            next_sample_ = now + 100;
        }
    }

    // Hands every new frame to the checker and keeps the pages connected.
    void feed()
    {
        for (auto& v : viewers_) {
            if (!v.page) {
                if (clock_.now() >= v.next_attempt && cluster_->room_running()) {
                    v.page = std::make_unique<browser>(pool_, cluster_->room_port(), "main");
                    v.fed = 0;
                    v.read_at = clock_.now();
                }
                continue;
            }
            feed_frames(v);
            if (v.page->closed()) {
                checker_.viewer_closed(v.id, clock_.now());
                v.page.reset();
                v.next_attempt = clock_.now() + 100;
            }
        }
        for (auto& a : actors_) watch_own_seat(a);
    }

    void feed_frames(viewer_client& v)
    {
        const int viewer = v.id;
        auto& fed = v.fed;
        const auto& frames = v.page->frames();
        const millis_t now = clock_.now();
        // These frames came off the socket since the last feed, and were
        // sent after the I/O had drained before it: a blocking call in
        // between (a publish, a restart) leaves them in the kernel, late.
        checker_.frames_sent_after(viewer, v.read_at);
        v.read_at = clock_.at(pool_.drained_at());
        for (; fed < frames.size(); ++fed) {
            const json& f = frames[fed];
            const std::string type = f.value("type", "");
            if (!f.contains("seq") || !f["seq"].is_number_integer()) continue;
            const long long seq = f["seq"].get<long long>();
            if (type == "snapshot") {
                std::vector<seat_state> seats;
                for (const auto& s : f.value("seats", json::array())) {
                    seats.push_back({s.value("index", 0u), s.value("state", "")});
                }
                checker_.snapshot(viewer, now, seq, seats);
            } else if (type == "seat") {
                const json& s = f["seat"];
                checker_.seat_delta(viewer, now, seq, {s.value("index", 0u), s.value("state", "")});
            } else {
                checker_.other_delta(viewer, now, seq);
            }
        }
    }

    // ------------------------------------------------------------ workload

    // What the page does by itself: reconnect, then resume its seat.
    // Returns false while it is busy with that.
    bool upkeep(actor& a)
    {
        if (!a.page || a.page->closed()) {
            reconnect(a);
            return false;
        }
        if (!a.page->has_snapshot()) return false;
        if (a.resume_owed) {
            resume(a);
            return false;
        }
        return true;
    }

    void act(actor& a)
    {
        if (!upkeep(a)) return;
        if (!a.seat) return claim(a);
        if (!a.publisher) {
            if (chance(work_rng_, 0.6)) return publish(a);
            if (chance(work_rng_, 0.25)) return release(a);
            return;  // idle: the lease may run out
        }
        if (chance(work_rng_, 0.15)) return stop_encoder(a);
        if (chance(work_rng_, 0.12)) return release(a);
    }

    // The page's connection ended: it holds nothing until its resume takes
    // the seat back.
    void notice_drop(actor& a)
    {
        if (!a.page || !a.page->closed() || !a.seat || a.resume_owed) return;
        checker_.hold_suspended(a.id, *a.seat, clock_.now());
        a.resume_owed = true;
        const auto view = a.page->seat(*a.seat);
        a.broadcasting_at_drop =
            a.publisher && view &&
            (view->state == "starting" || view->state == "live" || view->state == "failed");
        journal() << clock_.now() << " ms: actor " << a.id << " page dropped holding seat "
                  << *a.seat << ", seen as " << (view ? view->raw.dump() : "?") << "\n";
    }

    void reconnect(actor& a)
    {
        notice_drop(a);
        if (clock_.now() < a.next_attempt || !cluster_->room_running()) return;
        a.page = std::make_unique<browser>(pool_, cluster_->room_port(), "main");
        a.next_attempt = clock_.now() + 200;
    }

    void claim(actor& a)
    {
        const auto seat = static_cast<unsigned>(pick(work_rng_, 0, seat_count - 1));
        auto reply = a.page->command(json{{"type", "claim"}, {"seat", seat}}, milliseconds(3000));
        feed();
        ++counters_.work["claims"];
        if (!reply || !reply->value("ok", false)) return;
        ++counters_.work["claims granted"];
        take(a, seat, *reply);
    }

    void take(actor& a, unsigned seat, const json& reply)
    {
        a.seat = seat;
        a.claim.seat = seat;
        a.claim.reply = reply;
        a.claim.stream = reply.value("stream", "");
        a.claim.token = reply.value("token", "");
        a.claim.publish = reply.value("publish", json());
        checker_.hold_gained(a.id, seat, clock_.now());
        journal() << clock_.now() << " ms: actor " << a.id << " claimed seat " << seat << "\n";
    }

    void drop(actor& a, const char* why)
    {
        if (!a.seat) return;
        checker_.hold_lost(a.id, *a.seat, clock_.now());
        journal() << clock_.now() << " ms: actor " << a.id << " lost seat " << *a.seat << ": "
                  << why << "\n";
        a.seat.reset();
        a.resume_owed = false;
    }

    // Takes the seat back after a drop. resume_owed stays set until the
    // answer is handled, so the page's fresh view of the seat (not its own
    // yet) is not taken for a loss meanwhile.
    void resume(actor& a)
    {
        if (!a.seat) {
            a.resume_owed = false;
            return;
        }
        auto reply =
            a.page->command(json{{"type", "resume"}, {"seat", *a.seat}, {"token", a.claim.token}},
                            milliseconds(3000));
        if (!reply && a.page->closed()) return;  // dropped again: the next page resumes
        ++counters_.work["resumes"];
        if (reply && reply->value("ok", false)) {
            a.claim.publish = reply->value("publish", a.claim.publish);
            a.resume_owed = false;
            checker_.hold_gained(a.id, *a.seat, clock_.now());
            journal() << clock_.now() << " ms: actor " << a.id << " resumed seat " << *a.seat
                      << "\n";
            feed();
            return;
        }
        const std::string code =
            reply ? reply->value("/error/code"_json_pointer, std::string("?")) : "no reply";
        ++counters_.work["resumes refused"];
        // What the room shows of the seat now tells a hold the room lost
        // (free) from one it still has for somebody else.
        const auto view = a.page->seat(*a.seat);
        journal() << clock_.now() << " ms: actor " << a.id << " resume of seat " << *a.seat
                  << " refused (" << code << "); the room shows it "
                  << (view ? view->raw.dump() : "?") << "\n";
        if (a.broadcasting_at_drop) checker_.resume_refused(a.id, *a.seat, code, clock_.now());
        // The page gives up its broadcast, as the real one does.
        if (a.publisher) stop_encoder(a);
        drop(a, "resume refused");
        feed();
    }

    void publish(actor& a)
    {
        static const ingest protocols[] = {ingest::rtmp, ingest::srt, ingest::webrtc};
        const ingest protocol = protocols[pick(work_rng_, 0, 2)];
        std::string query;
        try {
            query = publish_query(a.claim, protocol);
        } catch (const std::exception& e) {
            // No publish URLs (the room had not heard the gateway's endpoints).
            ++counters_.work["publishes without URLs"];
            journal() << clock_.now() << " ms: actor " << a.id << ": " << e.what() << "\n";
            return;
        }
        const millis_t before = clock_.now();
        auto r = control_->call(
            "/control/publish",
            json{{"protocol", ingest_name(protocol)}, {"stream", a.claim.stream}, {"query", query}},
            milliseconds(8000));
        ++counters_.work["publishes"];
        if (!r || !r->value("admitted", false)) {
            journal() << clock_.now() << " ms: actor " << a.id << " publish of " << a.claim.stream
                      << " refused: " << (r ? r->dump() : "no answer") << "\n";
            return;
        }
        ++counters_.work["publishes admitted"];
        checker_.stream_changed(a.claim.stream, before);
        a.publisher = r->value("id", std::uint64_t{0});
        journal() << before << " ms: actor " << a.id << " publishes " << a.claim.stream
                  << " (publisher " << *a.publisher << ")\n";
        feed();
    }

    void stop_encoder(actor& a)
    {
        checker_.stream_changed(a.claim.stream, clock_.now());
        control_->call("/control/unpublish", json{{"id", *a.publisher}}, milliseconds(5000));
        checker_.stream_changed(a.claim.stream, clock_.now());
        ++counters_.work["encoder stops"];
        journal() << clock_.now() << " ms: actor " << a.id << " stopped its encoder of "
                  << a.claim.stream << "\n";
        a.publisher.reset();
        feed();
    }

    void release(actor& a)
    {
        // Leaving ends the stream (the room kicks it): a real change.
        if (a.publisher) checker_.stream_changed(a.claim.stream, clock_.now());
        auto reply =
            a.page->command(json{{"type", "release"}, {"seat", *a.seat}}, milliseconds(3000));
        ++counters_.work["releases"];
        if (reply && reply->value("ok", false)) {
            a.publisher.reset();  // OME's copy is the gateway's to end now
            drop(a, "released");
        }
        feed();
    }

    // What the actor's own page shows of its seat: no longer its own (a
    // frame showed it free) or ending means the seat was taken away (lease
    // expiry, a kick). `mine` is the page's own bookkeeping, so a claim's
    // reply that overtakes the seat's frame does not count as a loss.
    void watch_own_seat(actor& a)
    {
        notice_drop(a);
        if (!a.seat || a.resume_owed || !a.page || a.page->closed()) return;
        const auto view = a.page->seat(*a.seat);
        if (!view || (view->mine && view->state != "ending")) return;
        ++counters_.work["seats shown free to their holder"];
        if (a.publisher) {
            checker_.stream_changed(a.claim.stream, clock_.now());
            a.publisher.reset();
        }
        drop(a, "seat shown free");
    }

    // ------------------------------------------------------------ faults

    bool fault_active() const { return gateway_back_at_ || room_back_at_ || api_back_at_; }

    void inject()
    {
        std::vector<std::string> kinds;
        if (!gateway_back_at_) kinds.push_back("kill gateway");
        if (!room_back_at_ && options_.room_kills) kinds.push_back("kill room");
        if (!api_back_at_) kinds.insert(kinds.end(), {"api 500", "api slow", "api hang"});
        if (kinds.empty()) return;
        const std::string kind =
            kinds[static_cast<std::size_t>(pick(faults_rng_, 0, int(kinds.size()) - 1))];
        ++injected_;
        ++counters_.faults[kind];
        const millis_t now = clock_.now();
        journal() << now << " ms: fault " << injected_ << ": " << kind << "\n";
        if (kind == "kill gateway") {
            cluster_->kill_gateway();
            gateway_back_at_ = now + pick(faults_rng_, 0, 1200);
        } else if (kind == "kill room") {
            cluster_->kill_room();
            room_back_at_ = now + pick(faults_rng_, 0, 1200);
        } else if (kind == "api 500") {
            cluster_->media().api_error();
            api_ = api_mode::error;
            api_back_at_ = now + pick(faults_rng_, 300, 3000);
        } else if (kind == "api slow") {
            // Half of them slower than the gateway's timeout: a slow success
            // the gateway gave up on.
            const int delay = chance(faults_rng_, 0.5) ? pick(faults_rng_, 100, 600)
                                                       : pick(faults_rng_, 1200, 2000);
            cluster_->media().api_slow(milliseconds(delay));
            api_ = api_mode::slow;
            api_slow_answers_ = delay < static_cast<int>(ome_timeout_ms);
            api_back_at_ = now + pick(faults_rng_, 300, 3000);
        } else {
            cluster_->media().api_hang();
            api_ = api_mode::hang;
            api_back_at_ = now + pick(faults_rng_, 300, 3000);
        }
        tell_whole();
    }

    void restore_due()
    {
        const millis_t now = clock_.now();
        bool restored = false;
        if (gateway_back_at_ && now >= *gateway_back_at_) {
            cluster_->start_gateway();
            gateway_back_at_.reset();
            restored = true;
        }
        if (room_back_at_ && now >= *room_back_at_) {
            cluster_->start_room();
            room_back_at_.reset();
            restored = true;
        }
        if (api_back_at_ && now >= *api_back_at_) {
            cluster_->media().api_up();
            api_ = api_mode::up;
            api_back_at_.reset();
            restored = true;
        }
        if (!restored) return;
        journal() << clock_.now() << " ms: restored\n";
        if (cluster_->room_running() && cluster_->gateway_running() &&
            !cluster_->wait_room_linked()) {
            throw std::runtime_error("the room service did not link to the gateway again");
        }
        pump(milliseconds(20));  // pages notice closed connections first
        tell_whole();
        // A check after each fault: what is due by now is judged.
        report(checker_.check(clock_.now()), "after a fault");
        ++counters_.checkpoints;
    }

    void tell_whole()
    {
        const bool answering =
            api_ == api_mode::up || (api_ == api_mode::slow && api_slow_answers_);
        checker_.whole(answering && !gateway_back_at_ && !room_back_at_ &&
                           cluster_->room_running() && cluster_->gateway_running(),
                       clock_.now());
    }

    // ------------------------------------------------------------ output

    // The run's story (faults, restores, publishes, drops, refusals): on
    // stdout with --verbose, else kept and printed only when an invariant
    // was violated, so a CI failure comes with what led to it.
    std::ostream& journal()
    {
        return options_.verbose ? static_cast<std::ostream&>(std::cout) : journal_;
    }

    void report(const std::vector<violation>& found, const char* when)
    {
        for (const auto& v : found) {
            const std::string line = "VIOLATION (" + std::string(when) + ", " +
                                     invariant_name(v.which) + ") at " + std::to_string(v.at) +
                                     " ms: " + v.detail;
            std::cout << line << std::endl;
            if (!options_.verbose) journal_ << line << "\n";  // in its place in the story
        }
    }

    int summary()
    {
        const auto& all = checker_.all_violations();
        std::cout << "chaos: seed " << options_.seed << "\n  faults injected: " << injected_;
        for (const auto& [kind, n] : counters_.faults) std::cout << ", " << kind << " " << n;
        std::cout << "\n  workload:";
        for (const auto& [what, n] : counters_.work) std::cout << " " << what << " " << n << ";";
        std::cout << "\n  checkpoints: " << counters_.checkpoints
                  << ", invariant checks made: " << checker_.checks_made()
                  << "\n  violations: " << all.size();
        std::map<std::string, int> by_kind;
        for (const auto& v : all) ++by_kind[invariant_name(v.which)];
        for (const auto& [kind, n] : by_kind) std::cout << ", " << kind << " " << n;
        std::cout << "\n  runtime: " << clock_.now() / 1000.0 << " s\n"
                  << (all.empty() ? "chaos: PASS" : "chaos: FAIL") << " (seed " << options_.seed
                  << ")" << std::endl;
        if (all.empty()) return 0;
        if (!options_.verbose) std::cout << "what happened, in order:\n" << journal_.str();
        // The cluster prints its processes' last lines and keeps every log
        // (each restart's too) in its directory.
        note_test_failure();
        return 1;
    }

    run_options options_;
    std::mt19937_64 faults_rng_;
    std::mt19937_64 work_rng_;
    run_clock clock_;
    checker checker_;
    std::unique_ptr<cluster> cluster_;
    std::unique_ptr<standin_control> control_;
    browser_pool pool_;
    std::vector<viewer_client> viewers_;
    std::vector<actor> actors_;
    counters counters_;
    std::ostringstream journal_;
    int injected_ = 0;
    millis_t next_sample_ = 0;
    std::optional<millis_t> gateway_back_at_;
    std::optional<millis_t> room_back_at_;
    std::optional<millis_t> api_back_at_;
    api_mode api_ = api_mode::up;
    bool api_slow_answers_ = true;
};

std::optional<run_options> parse(int argc, char** argv)
{
    run_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::uint64_t> {
            if (i + 1 >= argc) return std::nullopt;
            try {
                return std::stoull(argv[++i]);
            } catch (const std::exception&) {
                return std::nullopt;
            }
        };
        if (arg == "--seed") {
            auto v = value();
            if (!v) return std::nullopt;
            o.seed = *v;
        } else if (arg == "--faults") {
            auto v = value();
            if (!v || *v == 0 || *v > 100000) return std::nullopt;
            o.faults = static_cast<int>(*v);
        } else if (arg == "--verbose") {
            o.verbose = true;
        } else if (arg == "--no-room-kills") {
            o.room_kills = false;
        } else {
            return std::nullopt;
        }
    }
    if (const char* env = std::getenv("OVS_CHAOS_SEED"); env && *env) {
        try {
            o.seed = std::stoull(env);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return o;
}

}  // namespace
}  // namespace ovs::chaos

int main(int argc, char** argv)
{
    const auto options = ovs::chaos::parse(argc, argv);
    if (!options) {
        std::cerr << "usage: ovenspace-chaos [--seed N] [--faults N] [--verbose] "
                     "[--no-room-kills]\n"
                     "  OVS_CHAOS_SEED overrides --seed\n";
        return 2;
    }
    std::unique_ptr<ovs::chaos::driver> d;
    try {
        d = std::make_unique<ovs::chaos::driver>(*options);
        return d->run();
    } catch (const std::exception& e) {
        std::cerr << "chaos: the harness failed (seed " << options->seed << "): " << e.what()
                  << "\n";
        if (d) std::cerr << d->diagnostics();
        return 2;
    }
}
