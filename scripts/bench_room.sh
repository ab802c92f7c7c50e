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
source scripts/lib/bench_common.sh
build=${OVS_BENCH_BUILD_DIR:-build/bench}
rounds=${ROUNDS:-200}
jobs=${JOBS:-2}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 10000)

server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
bench_build ovenspace-room ovenspace-bench-room ovenspace-bench-loopback
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

# No gateway runs here: a free port nobody listens on (the default, 9600, may
# be a real gateway's on this host).
room_bench_config "${ROOM_PORT:-0}" "${GATEWAY_PORT:-$(free_port)}" "$work" >"$work/bench.yaml"

for n in "${counts[@]}"; do
    # The generator's connects from one source address slow down as its
    # ephemeral ports fill up (19,000 viewers took 8 s from one address,
    # 0.8 s from four), and run out past ~25,000: past 8,000 viewers, four
    # source addresses. Their ports must not still be in TIME_WAIT from the
    # run before (bound source ports do not reuse them): wait that out.
    sources=127.0.0.1
    if ((n > 8000)); then sources=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4; fi
    wait_for_time_wait_drain
    taskset -c "$server_cpu" "$room_bin" --config "$work/bench.yaml" 2>"$work/room.log" &
    server_pid=$!
    port=$(wait_for_listen "$work/room.log")
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
