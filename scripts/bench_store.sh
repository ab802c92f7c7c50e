#!/usr/bin/env bash
# Claim throughput and latency, in-memory store vs Redis store (a script, not
# a test): builds Release, starts Debian's redis-server on a free loopback
# port (persistence off, as in the deployment examples), and runs K
# connections each claiming and releasing a seat of its own in a closed loop
# through the room store interface, first in memory, then through Redis.
# Usage: scripts/bench_store.sh [K ...]          (default: 1 64)
# Env: OVS_BENCH_BUILD_DIR (default build/bench), SECONDS_EACH (default 5),
#      JOBS (default 2), REDIS_PORT (default: a free one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
source scripts/lib/bench_common.sh
build=${OVS_BENCH_BUILD_DIR:-build/bench}
seconds=${SECONDS_EACH:-5}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1 64)

bench_build ovenspace-bench-store

work=$(mktemp -d /tmp/ovs-bench-store.XXXXXX)
redis_pid=
cleanup() {
    stop_redis
    rm -rf "$work"
}
trap cleanup EXIT

start_redis "$work" "${REDIS_PORT:-}"

for k in "${counts[@]}"; do
    "$build/tests/bench/ovenspace-bench-store" --store memory --conns "$k" --seconds "$seconds"
    "$build/tests/bench/ovenspace-bench-store" --store redis --redis-port "$redis_port" --conns "$k" --seconds "$seconds"
done
