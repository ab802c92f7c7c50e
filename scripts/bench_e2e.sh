#!/usr/bin/env bash
# End-to-end benchmarks over real processes on loopback (room service,
# gateway, OME stand-in): publish-to-viewer latency with webhooks and with
# polling only, and OME API requests per second against viewer count; and
# with a real OME (OVENSPACE_TEST_OME_BIN) and Chromium, real media: Start
# sharing / encoder start -> seat live at a viewer and -> first frame, for
# WebRTC, RTMP and SRT input (tests/bench/media_bench.mjs).
# Release build in build/bench (OVS_BENCH_BUILD_DIR, shared by every bench
# script). Prints the figures; asserts nothing.
#
# Usage: scripts/bench_e2e.sh [latency|requests|media|all]
#   PUBLISHES=200 POLL_PUBLISHES=50 VIEWERS=0,1000,10000 SECONDS_PER_STEP=10
#   MEDIA_RUNS=10 (per input; media needs OVENSPACE_TEST_OME_BIN)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

what=${1:-all}
build=${OVS_BENCH_BUILD_DIR:-build/bench}
jobs=${JOBS:-2}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=ON -DOVS_WERROR=OFF >/dev/null
ninja -C "$build" -j "$jobs" ovenspace-bench-e2e ovenspace-test-cluster

# 10,000 viewers need 10,000+ descriptors in this process and in the room
# service (which inherits the limit).
ulimit -n "$(ulimit -Hn)" || true
ome_bin=${OVENSPACE_TEST_OME_BIN:-}
# The latency and requests benchmarks drive the stand-in.
unset OVENSPACE_TEST_OME_API OVENSPACE_TEST_OME_BIN OVENSPACE_TEST_REQUIRE_OME

bench=$build/ovenspace-bench-e2e
if [[ $what == latency || $what == all ]]; then
    echo "== publish-to-viewer latency, webhooks"
    "$bench" latency --publishes "${PUBLISHES:-200}"
    echo "== publish-to-viewer latency, polling only (open mode, poll 1000 ms)"
    "$bench" latency --poll --poll-ms 1000 --publishes "${POLL_PUBLISHES:-50}"
fi
if [[ $what == requests || $what == all ]]; then
    echo "== OME API requests per second vs connected viewers (poll 1000 ms)"
    "$bench" requests --viewers "${VIEWERS:-0,1000,10000}" --seconds "${SECONDS_PER_STEP:-10}"
fi
if [[ $what == media || $what == all ]]; then
    echo "== real media: start -> seat live and -> first frame at a viewer"
    if [[ -z $ome_bin ]]; then
        echo "skipped: set OVENSPACE_TEST_OME_BIN to a real OvenMediaEngine binary"
    else
        OVENSPACE_TEST_OME_BIN=$ome_bin node tests/bench/media_bench.mjs \
            --cluster-bin "$build/ovenspace-test-cluster" --runs "${MEDIA_RUNS:-10}" \
            --out-dir "$build/media-bench"
    fi
fi
