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
build=${OVS_BENCH_BUILD_DIR:-build/bench}
seconds=${SECONDS_EACH:-5}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1 64)

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j "$jobs" ovenspace-bench-store >/dev/null

work=$(mktemp -d /tmp/ovs-bench-store.XXXXXX)
redis_pid=
cleanup() {
    [[ -n $redis_pid ]] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=${REDIS_PORT:-}
[[ -n $port ]] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
echo "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on port $port"

for k in "${counts[@]}"; do
    "$build/tests/bench/ovenspace-bench-store" --store memory --conns "$k" --seconds "$seconds"
    "$build/tests/bench/ovenspace-bench-store" --store redis --redis-port "$port" --conns "$k" --seconds "$seconds"
done
