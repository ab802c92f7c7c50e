#!/usr/bin/env bash
# Runs the chaos test (tests/chaos) for several seeds: the room service, the
# gateway and the OME stand-in under a seeded workload while the gateway and
# the room service are SIGKILLed and restarted and OME's API answers 500,
# slowly or not at all. CI runs one fixed seed through ctest (label chaos);
# this runs more, in the ASan+UBSan build that scripts/test.sh makes.
# Usage: scripts/chaos.sh [--seeds 1,2,3 | --seeds N] [--faults N] [--verbose] [--no-room-kills]
#   --seeds N  runs seeds 1..N; a comma list runs exactly those
#   --no-room-kills  gateway and API faults only (to tell room-restart
#                    violations from the rest)
# Prints each seed's figures and a summary line; exits 1 when any seed
# violated an invariant (replay one with OVS_CHAOS_SEED=S or --seeds S).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

seeds="1,2,3"
faults=50
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --faults) faults=$2; shift 2 ;;
        --verbose|--no-room-kills) extra+=("$1"); shift ;;
        *) echo "usage: scripts/chaos.sh [--seeds 1,2,3|N] [--faults N] [--verbose] [--no-room-kills]" >&2; exit 2 ;;
    esac
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
failed=()
IFS=, read -ra list <<<"$seeds"
for seed in "${list[@]}"; do
    status=0
    "$build/ovenspace-chaos" --seed "$seed" --faults "$faults" "${extra[@]}" || status=$?
    [[ $status -eq 0 ]] || failed+=("$seed(exit $status)")
done
if [[ ${#failed[@]} -eq 0 ]]; then
    echo "chaos.sh: seeds ${seeds}: all passed (${faults} faults each)"
else
    echo "chaos.sh: seeds ${seeds}: failed: ${failed[*]}"
    exit 1
fi
