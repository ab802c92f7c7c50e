#!/usr/bin/env bash
# Benchmark of the gateway's AdmissionWebhooks round trip: signed POST ->
# gateway -> admission_check to a fake room over a real link -> answer.
# Builds a Release tree in build/bench-gateway (2 jobs; warnings not fatal
# there: g++ 12 at -O2 raises false -Wrestrict positives in std::string) and runs
# ovenspace-bench-gateway on loopback. Arguments go to the benchmark:
#   scripts/bench_gateway.sh [--rate 1000] [--seconds 10]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${OVS_BENCH_BUILD_DIR:-$root/build/bench-gateway}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j2 ovenspace-bench-gateway
exec "$build/bench/ovenspace-bench-gateway" "$@"
