#!/usr/bin/env bash
# Builds OvenSpace (release) and runs it: the gateway and the room service,
# both reading one config file; and, where a Docker engine answers, the pinned
# OvenMediaEngine image with our Server.xml. Then open http://localhost:5000/.
#
# Usage: scripts/run.sh [config.yaml]     (default deploy/ovenspace.yaml)
#   OVENSPACE_NO_OME=1      do not start OME even if Docker is there
#   OVENSPACE_OME_API_TOKEN / OVENSPACE_WEBHOOK_SECRET override the config's
#                           secrets, for our services and the OME container alike
#   OVENSPACE_LINK_SECRET   the room <-> gateway link secret; default: a fresh
#                           random one for this run (both processes get it)
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

room_bin="$build/services/room/ovenspace-room"
gateway_bin="$build/services/gateway/ovenspace-gateway"
# The same secrets for OME and our services. The defaults match the shipped
# config and are for a machine nobody else can reach.
export OVENSPACE_OME_API_TOKEN=${OVENSPACE_OME_API_TOKEN:-ome-access-token}
export OVENSPACE_WEBHOOK_SECRET=${OVENSPACE_WEBHOOK_SECRET:-ome-webhook-secret}
# Only our two processes share the link secret: a fresh one per run unless
# given (both processes get the same one, whatever the config file says).
if [[ -z "${OVENSPACE_LINK_SECRET:-}" && -z "${OVENSPACE_LINK_SECRET_FILE:-}" ]]; then
    OVENSPACE_LINK_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    export OVENSPACE_LINK_SECRET
fi
"$room_bin" --check-config --config "$config"
"$gateway_bin" --check-config --config "$config" >/dev/null

ome_container=""
ome_image=${OME_IMAGE:-ovenmedialabs/ovenmediaengine:v0.20.5}
if [[ -z "${OVENSPACE_NO_OME:-}" ]] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    ome_container=ovenspace-ome
    docker rm -f "$ome_container" >/dev/null 2>&1 || true
    # Host networking: OME's API is then 127.0.0.1:8081 as the config says,
    # and its webhooks reach the gateway on 127.0.0.1:9595. The image has
    # libfdk_aac: LL-HLS viewers get browsers' audio as AAC (Server.xml).
    docker run -d --name "$ome_container" --network host \
        -e OVENSPACE_OME_API_TOKEN -e OVENSPACE_WEBHOOK_SECRET \
        -e OME_HOST_IP="${OME_HOST_IP:-127.0.0.1}" \
        -e OVENSPACE_OME_AAC_BYPASS=false \
        -v "$here/deploy/ome/Server.xml:/opt/ovenmediaengine/bin/origin_conf/Server.xml:ro" \
        -v "$here/deploy/ome/Logger.xml:/opt/ovenmediaengine/bin/origin_conf/Logger.xml:ro" \
        "$ome_image" >/dev/null
    echo "run: started OvenMediaEngine ($ome_image) as container $ome_container"
else
    echo "run: no Docker engine here (or OVENSPACE_NO_OME set): not starting OME."
    echo "     Point 'ome:' in $config at a running OME whose Server.xml is like"
    echo "     deploy/ome/Server.xml (API on, AdmissionWebhooks to this gateway's"
    echo "     http://<this host>:9595/v1/admission); until then seats show the"
    echo "     media server as unreachable."
fi

"$gateway_bin" --config "$config" &
gateway=$!
"$room_bin" --config "$config" &
room=$!
cleanup() {
    kill -TERM "$gateway" "$room" 2>/dev/null || true
    wait "$gateway" "$room" 2>/dev/null || true
    if [[ -n "$ome_container" ]]; then docker rm -f "$ome_container" >/dev/null 2>&1 || true; fi
}
trap cleanup INT TERM EXIT
echo "OvenSpace: http://localhost:5000/ (Ctrl-C stops it)"
wait -n "$gateway" "$room"
