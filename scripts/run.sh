#!/usr/bin/env bash
# Builds OvenSpace (release) and runs it: the gateway and the room service,
# both reading one config file; and, where a Docker engine answers, the pinned
# OvenMediaEngine image with our Server.xml. It prints the page's URL once
# both services answer.
#
# Usage: scripts/run.sh [config.yaml]     (default deploy/ovenspace.yaml; a
#                                          relative path is the caller's)
#   OVENSPACE_NO_OME=1      do not start OME even if Docker is there
#   OVENSPACE_OME_API_TOKEN / OVENSPACE_WEBHOOK_SECRET override the config's
#                           secrets, for our services and the OME container alike
#   OVENSPACE_LINK_SECRET   the room <-> gateway link secret; default: a fresh
#                           random one for this run (both processes get it)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# The config path is the caller's (relative to where they stand), resolved
# before moving to the repository.
config=$(realpath -m -- "${1:-$here/deploy/ovenspace.yaml}")
cd "$here"
[[ -f $config ]] || { echo "run: no config file $config" >&2; exit 2; }

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
"$room_bin" --check-config --config "$config" >"$build/config-check.txt" || exit
cat "$build/config-check.txt"
# Where the services listen, from the checked config (0.0.0.0 is every
# address: ask 127.0.0.1).
listen_of() {  # listen_of SECTION-PREFIX -> host:port
    sed -n "s/^  $1 \([^,]*\),.*/\1/p" "$build/config-check.txt" | sed 's/^0\.0\.0\.0:/127.0.0.1:/'
}
room_at=$(listen_of "room: listen")
gateway_at=$(listen_of "gateway: http")
web_root=$(sed -n 's/^  room: .*, web_root \([^,]*\),.*/\1/p' "$build/config-check.txt")
if [[ -n $web_root && ! -f $web_root/index.html ]]; then
    echo "run: warning: $web_root/index.html does not exist: the room serves a placeholder page"
    echo "     (build web/ with 'npm run build' there, or point room.web_root at the built page)"
fi
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

# 200 from http://HOST:PORT/healthz, with bash alone (curl may be missing).
answers() {
    local host=${1%:*} port=${1##*:} status
    exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
    printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" >&3
    read -r -t 2 _ status _ <&3 || status=
    exec 3<&- 3>&-
    [[ $status == 200 ]]
}
for _ in $(seq 300); do
    kill -0 "$gateway" 2>/dev/null || { echo "run: the gateway stopped (see its log above)" >&2; exit 1; }
    kill -0 "$room" 2>/dev/null || { echo "run: the room service stopped (see its log above)" >&2; exit 1; }
    if answers "$room_at" && answers "$gateway_at"; then
        echo "OvenSpace: http://localhost:${room_at##*:}/ (Ctrl-C stops it)"
        break
    fi
    sleep 0.1
done
answers "$room_at" || echo "run: the room service did not answer on $room_at within 30 s" >&2
wait -n "$gateway" "$room"
