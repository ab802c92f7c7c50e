# shellcheck shell=bash
# Shared by the bench scripts (sourced, never run): the Release build they
# measure, free loopback ports, a throwaway redis-server, and the room
# service configuration with limits high enough for tens of thousands of
# viewers. A benchmark must never meet a real service on this host: every
# port here is a free one unless the caller names it, and every secret is
# fresh.

# bench_build TARGET...: a Release build in $build (OVS_BENCH_BUILD_DIR,
# default build/bench, shared by every bench script), $jobs parallel jobs;
# both set by the calling script.
bench_build() {
    : "${build:?}" "${jobs:?}"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
    ninja -C "$build" -j "$jobs" "$@" >/dev/null
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

fresh_secret() {
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
}

# start_redis DIR [PORT]: Debian's redis-server on loopback, persistence off
# (as in the deployment examples); sets redis_pid and redis_port. The
# caller's cleanup stops it (stop_redis).
start_redis() {
    redis_port=${2:-$(free_port)}
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$1" \
        --daemonize no --logfile "$1/redis.log" &
    redis_pid=$!
    for _ in $(seq 50); do
        redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on port $redis_port;" \
        "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
}

stop_redis() {
    if [[ -n ${redis_pid:-} ]]; then
        kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
        redis_pid=
    fi
    return 0
}

# room_bench_config ROOM_PORT GATEWAY_PORT WEB_ROOT [EXTRA_YAML]: a room
# service config for benchmarks. No gateway runs: GATEWAY_PORT should be a
# free port nobody listens on, and the link secret is fresh, so even a
# gateway found by mistake would refuse the room. The room needs no OME
# secret.
room_bench_config() {
    cat <<YAML
mode: webhook
link:
  secret: $(fresh_secret)
room:
  listen: { address: 127.0.0.1, port: $1 }
  metrics: { address: 127.0.0.1, port: 0 }
  gateway: { address: 127.0.0.1, port: $2 }
  web_root: $3
  limits:
    max_message_bytes: 4096
    commands_per_second: 1000
    max_connections_per_room: 50000
    max_connections_total: 50000
    send_queue_messages: 512
    handshake_timeout_ms: 30000
    idle_timeout_ms: 120000
${4:-}
rooms:
  - id: main
    title: Bench
    seats: 9
YAML
}

# wait_for_listen LOG: the port the room service says it listens on (it logs
# "listening on ADDRESS:PORT"), or the log and a failure after 10 s.
wait_for_listen() {
    local port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$1" | head -1)
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || { cat "$1" >&2; return 1; }
    echo "$port"
}

# wait_for_time_wait_drain: until fewer than 1,000 loopback sockets are in
# TIME_WAIT (at most 70 s: the kernel keeps them 60 s).
wait_for_time_wait_drain() {
    local waiting
    for _ in $(seq 70); do
        waiting=$(ss -tan state time-wait | wc -l)
        ((waiting < 1000)) && return 0
        sleep 1
    done
    echo "still $waiting sockets in TIME_WAIT; going on" >&2
}
