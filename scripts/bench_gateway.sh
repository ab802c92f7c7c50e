#!/usr/bin/env bash
# Benchmark of the gateway's AdmissionWebhooks round trip: signed POST ->
# gateway -> admission_check to a fake room over a real link -> answer.
# Builds the Release tree in build/bench (OVS_BENCH_BUILD_DIR; shared by every
# bench script, 2 jobs, warnings not fatal) and runs ovenspace-bench-gateway
# on loopback. Arguments go to the benchmark:
#   scripts/bench_gateway.sh [--rate 1000] [--seconds 10]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${OVS_BENCH_BUILD_DIR:-$root/build/bench}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j2 ovenspace-bench-gateway
exec "$build/bench/ovenspace-bench-gateway" "$@"
