#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer and runs
# every test (unit, loopback, integration, browser, deploy checks, fuzz corpus
# replays) via ctest, then fuzzes every outside-input parser briefly.
# Usage: scripts/test.sh [extra ctest args, e.g. -R room]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

scripts/deps.sh --test
scripts/format.sh --check

if [[ -f web/package.json ]]; then
    (cd web && npm run --silent build)
fi

build=build/asan
# ccache, where a developer machine has it, makes rebuilds after a rebase cheap;
# CI has none and builds from scratch.
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOVS_SANITIZE=ON -DOVS_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 300 "$@"

# A bounded libFuzzer run of every parser that takes outside input (the
# corpus already replayed above, ctest -L fuzz). Full runs only (no ctest
# arguments), 10 s per target; OVS_FUZZ_SECONDS=600 for a longer one, 0 to
# skip.
fuzz_seconds=${OVS_FUZZ_SECONDS:-10}
if [[ $# -eq 0 && $fuzz_seconds != 0 ]]; then
    scripts/fuzz.sh "$fuzz_seconds"
fi
