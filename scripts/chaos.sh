#!/usr/bin/env bash
# Runs the chaos test (tests/chaos) for several seeds: the room service, the
# gateway and the OME stand-in under a seeded workload while the gateway and
# the room service are SIGKILLed and restarted and OME's API answers 500,
# slowly or not at all. CI runs seeds 1 and 2 through ctest (label chaos);
# this runs more, in the ASan+UBSan build that scripts/test.sh makes.
# Usage: scripts/chaos.sh [--seeds 1,2,3 | --seeds N] [--faults N] [--runs N]
#                         [--jobs N] [--logs DIR] [--verbose] [--no-room-kills]
#   --seeds N  runs seeds 1..N; a comma list runs exactly those
#   --runs N   runs each seed N times: a seed repeats its faults' script, not
#              its timing, so an intermittent violation needs many runs
#   --jobs N   runs N at once (each run is four processes, mostly waiting)
#   --logs DIR keeps each run's output there, and for a run that violated an
#              invariant every process log of it (each restart's too), in
#              DIR/seed-S-run-R.logs (default build/chaos-logs)
#   --no-room-kills  gateway and API faults only (to tell room-restart
#                    violations from the rest)
# Prints a line per run and a summary; exits 1 when any run violated an
# invariant (replay its seed with OVS_CHAOS_SEED=S or --seeds S).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

usage="usage: scripts/chaos.sh [--seeds 1,2,3|N] [--faults N] [--runs N] [--jobs N] [--logs DIR] [--verbose] [--no-room-kills]"
seeds="1,2,3"
faults=50
runs=1
jobs=1
logs=build/chaos-logs
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --faults) faults=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --logs) logs=$2; shift 2 ;;
        --verbose|--no-room-kills) extra+=("$1"); shift ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
for n in "$runs" "$jobs"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 2; }
done
if [[ $seeds =~ ^[0-9]+$ ]]; then
    seeds=$(seq -s, 1 "$seeds")
fi

build=build/asan
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOVS_SANITIZE=ON -DOVS_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target ovenspace-chaos

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset OVS_CHAOS_SEED
mkdir -p "$logs"

# One run: its output in a file; a failed run also keeps the directory of
# process logs the harness left (it says where), moved next to the output.
run_one() {
    local seed=$1 run=$2
    local out="$logs/seed-$seed-run-$run.txt" status=0
    "$build/ovenspace-chaos" --seed "$seed" --faults "$faults" "${extra[@]}" >"$out" 2>&1 || status=$?
    local kept
    kept=$(sed -n 's/^===== logs and config kept in //p' "$out" | tail -n 1)
    if [[ $status -ne 0 && -n $kept && -d $kept ]]; then
        mv "$kept" "$logs/seed-$seed-run-$run.logs"
    fi
    local summary
    summary=$(grep -E '^  (violations|runtime):' "$out" | tr -s ' \n' ' ' || true)
    if [[ $status -eq 0 ]]; then
        echo "seed $seed run $run: pass;$summary"
    else
        echo "seed $seed run $run: FAIL (exit $status);$summary -> $out"
    fi
    return "$status"
}

failed=()
total=0
running=0
declare -A job_names=()
# Waits for one run to end and notes it if it failed.
reap_one() {
    local status=0 done_pid
    wait -n -p done_pid || status=$?
    [[ $status -eq 0 ]] || failed+=("${job_names[$done_pid]}")
    running=$((running - 1))
}
IFS=, read -ra list <<<"$seeds"
for ((r = 1; r <= runs; r++)); do
    for seed in "${list[@]}"; do
        ((running < jobs)) || reap_one
        run_one "$seed" "$r" &
        job_names[$!]="seed $seed run $r"
        running=$((running + 1))
        total=$((total + 1))
    done
done
while ((running > 0)); do reap_one; done

if [[ ${#failed[@]} -eq 0 ]]; then
    echo "chaos.sh: seeds ${seeds}, ${runs} run(s) each, ${faults} faults per run: all ${total} passed (outputs in $logs)"
else
    echo "chaos.sh: seeds ${seeds}: ${#failed[@]} of ${total} run(s) failed: $(IFS=';'; echo "${failed[*]}") (outputs and logs in $logs)"
    exit 1
fi
