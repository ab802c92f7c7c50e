#!/usr/bin/env bash
# Room service fan-out benchmark (a script, not a test): builds Release,
# starts ovenspace-room with a generated config (high limits) on loopback,
# connects N viewers to one room and measures connect time, fan-out latency
# of a seat change to every viewer, and the server's memory per viewer.
# Usage: scripts/bench_room.sh [N ...]          (default: 1000 10000)
# Env: OVS_BENCH_BUILD_DIR (default build/bench, shared by every bench
#      script), ROUNDS (default 200), JOBS (default 2), SERVER_CPU and
#      CLIENT_CPU (default 0 and 1: the room service and the generator each
#      pinned to a core of its own), BENCH_BIN (a directory holding another
#      ovenspace-room, e.g. a copy of main's, to compare with the same
#      generator and commands), ROOM_PORT and
#      GATEWAY_PORT (default: free ones).
# Last, the kernel's own cost of one loopback send of a seat frame's size
# over as many connections (ovenspace-bench-loopback), pinned the same way:
# the floor the room's CPU per delivered message is compared with.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${OVS_BENCH_BUILD_DIR:-build/bench}
rounds=${ROUNDS:-200}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 10000)

server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j "$jobs" ovenspace-room ovenspace-bench-room ovenspace-bench-loopback >/dev/null
room_bin=${BENCH_BIN:-$build/services/room}/ovenspace-room
load_bin=$build/tests/bench/ovenspace-bench-room
loopback_bin=$build/tests/bench/ovenspace-bench-loopback
echo "machine: $(uptime)"

# Both processes need a descriptor per viewer (and then some).
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/ovs-bench-room.XXXXXX)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# No gateway runs here. The room's link must not find one either: a free port
# of its own (the default, 9600, may be a real gateway's on this host) and a
# fresh secret (so even a gateway found by mistake would refuse it). The room
# service needs no OME secret.
gateway_port=${GATEWAY_PORT:-}
[[ -n $gateway_port ]] || gateway_port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
link_secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

cat >"$work/bench.yaml" <<YAML
mode: webhook
link:
  secret: $link_secret
room:
  listen: { address: 127.0.0.1, port: ${ROOM_PORT:-0} }
  metrics: { address: 127.0.0.1, port: 0 }
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
rooms:
  - id: main
    title: Bench
    seats: 9
YAML

for n in "${counts[@]}"; do
    # Past ~25k viewers one source address runs out of ephemeral ports.
    sources=127.0.0.1
    if ((n > 20000)); then sources=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4; fi
    taskset -c "$server_cpu" "$room_bin" --config "$work/bench.yaml" 2>"$work/room.log" &
    server_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/room.log")
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || { cat "$work/room.log"; exit 1; }
    echo "== N=$n viewers (room service pid $server_pid, port $port, $rounds seat changes)"
    taskset -c "$client_cpu" "$load_bin" --port "$port" --viewers "$n" --rounds "$rounds" \
        --sources "$sources" --pid "$server_pid"
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=
    # The floor: a bare send() of a seat frame's size (about 200 bytes) to
    # as many loopback connections, read by a process on the other core.
    echo "== the kernel's loopback send, $n connections"
    # (At most 9,000: the pairs take two descriptors each, and the hard
    # limit here is 20,000.)
    taskset -c "$server_cpu" "$loopback_bin" --conns "$((n < 9000 ? n : 9000))" --rounds 50 --bytes 200 \
        --reader-cpu "$client_cpu"
done
