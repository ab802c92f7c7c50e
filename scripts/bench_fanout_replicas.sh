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
build=${OVS_BENCH_BUILD_DIR:-build/bench}
replicas=${REPLICAS:-3}
rounds=${ROUNDS:-200}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 5000)

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j "$jobs" ovenspace-room ovenspace-bench-room >/dev/null

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
    [[ -n $redis_pid ]] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

redis_port=${REDIS_PORT:-$(free_port)}
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
echo "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on port $redis_port;" \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# No gateway runs here: a free port nobody listens on, and a fresh secret.
gateway_port=$(free_port)
link_secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

# config STORE PREFIX: the same file for every replica (port 0: each picks one).
config() {
    cat <<YAML
mode: webhook
link:
  secret: $link_secret
room:
  listen: { address: 127.0.0.1, port: 0 }
  gateway: { address: 127.0.0.1, port: $gateway_port }
  web_root: $work
  limits:
    max_message_bytes: 4096
    commands_per_second: 1000
    max_connections_per_room: 50000
    max_connections_total: 50000
    send_queue_messages: 512
    handshake_timeout_ms: 30000
    idle_timeout_ms: 120000
store: $1
redis:
  url: redis://127.0.0.1:$redis_port/0
  key_prefix: $2
rooms:
  - id: main
    title: Bench
    seats: 9
YAML
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
        local port=
        for _ in $(seq 100); do
            port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/$3.$i.log")
            [[ -n $port ]] && break
            sleep 0.1
        done
        [[ -n $port ]] || { cat "$work/$3.$i.log" >&2; exit 1; }
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
