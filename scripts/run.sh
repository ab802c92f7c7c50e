#!/usr/bin/env bash
# Builds OvenSpace (release) and runs it: the gateway and the room service,
# both reading one config file. Open http://localhost:5000/ afterwards.
# Usage: scripts/run.sh [config.yaml]     (default deploy/ovenspace.yaml)
# OME must be reachable as the config says; see README "Running with OME".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
config=${1:-deploy/ovenspace.yaml}

scripts/deps.sh
if [[ -f web/package.json ]]; then
    (cd web && npm run --silent build)
fi
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVS_BUILD_TESTS=OFF -DOVS_WERROR=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

"$build/services/gateway/ovenspace-gateway" --config "$config" &
gateway=$!
"$build/services/room/ovenspace-room" --config "$config" &
room=$!
trap 'kill -TERM $gateway $room 2>/dev/null; wait' INT TERM EXIT
echo "OvenSpace: http://localhost:5000/ (Ctrl-C stops it)"
wait -n $gateway $room
