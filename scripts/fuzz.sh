#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Debian's clang (ASan +
# UBSan + libFuzzer, in build/fuzz) and runs each for a bounded time from its
# seeds (tests/fuzz/seeds.txt) and regression corpus (tests/fuzz/corpus/).
# scripts/test.sh runs it briefly; run it longer by hand or with
# OVS_FUZZ_SECONDS=600 scripts/test.sh.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 10, all)
#
# New interesting inputs go to build/fuzz/corpus/<target>/ (kept between
# runs, never committed). A crash, leak, sanitizer report or timeout stops
# that target, prints the input's path and fails the script: fix the bug and
# copy the input into tests/fuzz/corpus/<target>/ so the ASan build replays
# it forever (ctest -L fuzz).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
seconds=${1:-10}
shift || true
build=${OVS_FUZZ_BUILD_DIR:-build/fuzz}

command -v clang++ >/dev/null 2>&1 || {
    echo "fuzz: clang++ is missing; scripts/deps.sh --test installs clang and libclang-rt-14-dev" >&2
    exit 1
}
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS=-O1 -DOVS_FUZZ=ON -DOVS_SANITIZE=ON -DOVS_WERROR=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" --target ovs_fuzzers -j "$(nproc)"

# target -> seed paths, from the same file CMake reads.
declare -A seeds
while read -r name paths; do
    [[ -z $name || $name == \#* ]] && continue
    seeds[$name]=$paths
done <tests/fuzz/seeds.txt
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(printf '%s\n' "${!seeds[@]}" | sort)

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
printf '%-12s %8s %12s %8s\n' target seconds executions corpus
for t in "${targets[@]}"; do
    [[ -n ${seeds[$t]+x} ]] || { echo "fuzz: unknown target '$t'" >&2; exit 2; }
    # libFuzzer takes directories of inputs; gather the seed files into one.
    seed_dir="$build/seeds/$t"
    rm -rf "$seed_dir"
    mkdir -p "$seed_dir" "$build/corpus/$t" "$build/crashes"
    n=0
    # shellcheck disable=SC2086  # a list of paths, split on purpose
    while IFS= read -r -d '' f; do
        cp "$f" "$seed_dir/$((n++))-$(basename "$f")"
    done < <(find ${seeds[$t]} "tests/fuzz/corpus/$t" -type f -print0)
    log="$build/$t.log"
    status=0
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
        "$build/corpus/$t" "$seed_dir" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    size=$(find "$build/corpus/$t" -type f | wc -l)
    printf '%-12s %8s %12s %8s\n' "$t" "$seconds" "${runs:-?}" "$size"
    if ((status != 0)); then
        tail -n 40 "$log" >&2
        crash=$(grep -o "Test unit written to .*" "$log" | tail -n1 | cut -d' ' -f5-)
        echo "fuzz: $t FAILED; the input is ${crash:-in $build/crashes/}" >&2
        failed+=("$t")
    fi
done
if ((${#failed[@]})); then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no failure"
