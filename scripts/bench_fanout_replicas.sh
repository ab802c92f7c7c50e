#!/usr/bin/env bash
# Fan-out across room service replicas (a script, not a test; issue 12):
# builds Release, starts Debian's redis-server (persistence off) and K room
# service replicas on `store: redis`, connects N viewers spread evenly over
# them, and has one client on the first replica claim and release a seat
# ROUNDS times: the time until every viewer on every replica saw each change
# (p50/p99), and per viewer. For comparison the same N on ONE replica, on
# Redis and on the in-memory store (today's single process).
# Usage: scripts/bench_fanout_replicas.sh [N ...]     (default: 1000 5000)
# Env: OVS_BENCH_BUILD_DIR (default build/bench), REPLICAS (default 3),
#      ROUNDS (default 200), JOBS (default 2), REDIS_PORT (default: a free one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
source scripts/lib/bench_common.sh
build=${OVS_BENCH_BUILD_DIR:-build/bench}
replicas=${REPLICAS:-3}
rounds=${ROUNDS:-200}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 5000)

bench_build ovenspace-room ovenspace-bench-room

ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/ovs-bench-replicas.XXXXXX)
pids=()
redis_pid=
stop_rooms() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
cleanup() {
    stop_rooms
    stop_redis
    rm -rf "$work"
}
trap cleanup EXIT

start_redis "$work" "${REDIS_PORT:-}"

# No gateway runs here: a free port nobody listens on.
gateway_port=$(free_port)

# config STORE PREFIX: the same file for every replica (port 0: each picks one).
config() {
    room_bench_config 0 "$gateway_port" "$work" "store: $1
redis:
  url: redis://127.0.0.1:$redis_port/0
  key_prefix: $2"
}

# start_rooms COUNT STORE PREFIX: sets ports_csv (not a subshell: pids stay).
start_rooms() {
    local count=$1 ports=()
    config "$2" "$3" >"$work/$3.yaml"
    for i in $(seq "$count"); do
        "$build/services/room/ovenspace-room" --config "$work/$3.yaml" 2>"$work/$3.$i.log" &
        pids+=($!)
    done
    for i in $(seq "$count"); do
        local port
        port=$(wait_for_listen "$work/$3.$i.log")
        # Ready: its store loaded the rooms.
        for _ in $(seq 100); do
            curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
            sleep 0.1
        done
        ports+=("$port")
    done
    ports_csv=$(IFS=,; echo "${ports[*]}")
}

run=0
for n in "${counts[@]}"; do
    for setup in "$replicas redis" "1 redis" "1 memory"; do
        read -r count store <<<"$setup"
        run=$((run + 1))
        start_rooms "$count" "$store" "bench$run"
        echo "== N=$n viewers over $count replica(s), store: $store (ports $ports_csv, $rounds seat changes)"
        "$build/tests/bench/ovenspace-bench-room" --ports "$ports_csv" --viewers "$n" --rounds "$rounds" \
            | grep -E "connected|fan-out|per-viewer|not seen"
        stop_rooms
    done
done
