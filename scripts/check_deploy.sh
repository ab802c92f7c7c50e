#!/usr/bin/env bash
# Offline checks of the deployment files (no Docker engine, no cluster).
# ctest runs each step as its own test (tests/deploy/CMakeLists.txt).
#
#   scripts/check_deploy.sh yaml      every YAML file parses (yamllint, .yamllint)
#   scripts/check_deploy.sh k8s       kustomize renders base + every overlay; every
#                                     object validates against the Kubernetes schemas
#                                     and OvenSpace's rules (tests/deploy/k8s): no
#                                     readiness cycle, budgets that let a drain
#                                     through, preStop + shutdown within the grace
#                                     period, memory for the connection limits;
#                                     rules_test.js breaks the base to prove them
#   scripts/check_deploy.sh ome       Server.xml files: well-formed, hold what the
#                                     gateway needs
#   scripts/check_deploy.sh compose   compose files parse and agree with Server.xml;
#                                     health checks wait for no peer, no start
#                                     cycle, stop_grace_period fits the shutdown,
#                                     the state file on a volume; the replicas
#                                     variant: Redis, nginx, every gateway, edge;
#                                     the Dockerfiles install deps.sh's build set
#   scripts/check_deploy.sh shell     shellcheck on every shell script
#   scripts/check_deploy.sh nginx     nginx -t accepts deploy/nginx/*.conf
#                                     (skipped where nginx is not installed)
#   scripts/check_deploy.sh config [--room BIN] [--gateway BIN]
#                                     each service checks and starts from every
#                                     config the deploy files mount, with only the
#                                     secrets its container gets there (the room
#                                     service: the link secret, and the Redis URL
#                                     with store: redis); /healthz and, with no
#                                     peer running (a real redis-server for
#                                     store: redis), /readyz answer 200;
#                                     /metrics only on the metrics listener
#   scripts/check_deploy.sh all [--room BIN] [--gateway BIN]
#
# Exit status: 0 passed, 1 failed, 77 skipped (a tool is missing; the reason
# is printed). Scratch files go to $OVS_DEPLOY_OUT (default build/deploy-check).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
out=${OVS_DEPLOY_OUT:-$here/build/deploy-check}
tests=$here/tests/deploy
skip=77

say() { printf '%s\n' "$*"; }
fail() {
    printf 'check_deploy: %s\n' "$*" >&2
    exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' is missing; scripts/deps.sh --test installs it"; }

# ------------------------------------------------------------------ yaml
check_yaml() {
    need yamllint
    # Ours strictly (warnings fail too); everyone else's for syntax and
    # duplicate keys (warnings are shown, errors fail).
    local ours=(deploy tests/deploy .yamllint)
    [[ -d .github ]] && ours+=(.github)
    yamllint --strict "${ours[@]}"
    yamllint --format parsable .
    local count
    count=$(git ls-files --cached --others --exclude-standard -- '*.yaml' '*.yml' | wc -l)
    say "yaml: $count YAML files parse (.yamllint)"
}

# ------------------------------------------------------------------- k8s
kustomize_cmd=()
find_kustomize() {
    if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
        kustomize_cmd=(kubectl kustomize)
    elif command -v kustomize >/dev/null 2>&1; then
        kustomize_cmd=(kustomize build)
    fi
}

# The node packages the validator needs, pinned by its package-lock.json.
npm_ready() {
    local dir=$tests/k8s
    if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
        need npm
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    fi
}

# Renders base and every overlay into DEST/<name>.yaml; prints the names.
render_all() {
    local dest=$1 dir name
    mkdir -p "$dest"
    for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
        dir=${dir%/}
        name=$(basename "$dir")
        "${kustomize_cmd[@]}" "$dir" >"$dest/$name.yaml" || fail "kustomize cannot render $dir"
        printf '%s\n' "$name"
    done
}

check_k8s() {
    find_kustomize
    if ((${#kustomize_cmd[@]} == 0)); then
        say "k8s: SKIPPED: neither kubectl nor kustomize is installed, so the manifests cannot be rendered"
        say "     (Debian 12 packages neither; the CI workflow installs kubectl)"
        exit $skip
    fi
    need node
    need python3
    npm_ready
    local name flags
    while read -r name; do
        flags=()
        # base and replicas are for a test cluster and carry fake example
        # Secrets; every other overlay must create its Secrets out of band.
        [[ $name == base || $name == replicas ]] || flags=(--forbid-secrets)
        node "$tests/k8s/validate.js" "$out/k8s/$name.yaml" --name "$name" --out "$out/k8s/$name" "${flags[@]}"
        python3 "$tests/check_ports.py" k8s "$out/k8s/$name.yaml"
    done < <(render_all "$out/k8s")
    # The rules can fail: each way of breaking the base and the replicas
    # overlay is found.
    node "$tests/k8s/rules_test.js" "$out/k8s/base.yaml" "$out/k8s/replicas.yaml"
}

# ------------------------------------------------------------------- ome
check_ome() {
    need xmllint
    need python3
    local xml
    for xml in deploy/ome/*.xml deploy/k8s/base/*.xml deploy/k8s/overlays/*/*.xml deploy/k8s/components/*/*.xml; do
        xmllint --noout "$xml"
    done
    python3 "$tests/check_ome_xml.py" deploy/ome/Server.xml deploy/compose/ovenspace.yaml
    python3 "$tests/check_ome_xml.py" --tls deploy/ome/Server.tls.xml deploy/compose/ovenspace.tls.yaml
}

# --------------------------------------------------------------- compose
check_compose() {
    need python3
    # Docker's own parser when this machine has the compose plugin (CI's
    # GitHub runners do); the comparison below runs either way.
    if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
        docker compose -f deploy/compose.yaml config --quiet
        docker compose -f deploy/compose.yaml -f deploy/compose.tls.yaml config --quiet
        docker compose -f deploy/compose.yaml -f deploy/compose.replicas.yaml config --quiet
        say "compose: docker compose config accepts the three variants"
    else
        say "compose: no docker compose plugin here; parsed as YAML only"
    fi
    python3 "$tests/check_ports.py" compose "$here"
    python3 "$tests/check_compose_lifecycle.py" "$here"
    python3 "$tests/check_compose_lifecycle.py" --self-test "$here"
    python3 "$tests/check_compose_replicas.py" "$here"
    python3 "$tests/check_compose_replicas.py" --self-test "$here"
    # The images compose builds: every build dependency in their build stage.
    python3 "$tests/check_dockerfiles.py" "$here"
    python3 "$tests/check_dockerfiles.py" --self-test "$here"
}

# ----------------------------------------------------------------- shell
check_shell() {
    need shellcheck
    local files=() f
    while IFS= read -r f; do
        [[ -f $f ]] || continue
        if [[ $f == *.sh ]] || head -n1 "$f" | grep -Eq '^#!.*(ba|da|k)?sh\b'; then
            files+=("$f")
        fi
    done < <(git ls-files --cached --others --exclude-standard -- \
        '*.sh' .ci/run 'scripts/*' 'deploy/*' 'tests/*' ':!:*node_modules*' ':!:tests/fixtures/*')
    ((${#files[@]})) || fail "no shell scripts found"
    shellcheck --external-sources "${files[@]}"
    say "shell: ${#files[@]} scripts pass shellcheck: ${files[*]}"
}

# ----------------------------------------------------------------- nginx
check_nginx() {
    if ! command -v nginx >/dev/null 2>&1; then
        say "nginx: SKIPPED: nginx is not installed (apt-get install nginx to check deploy/nginx/ovenspace.conf)"
        exit $skip
    fi
    need openssl
    local dir="$out/nginx"
    rm -rf "$dir"
    mkdir -p "$dir"
    # A throwaway self-signed certificate stands in for the real one.
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=space.example.com \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    sed -e "s#/etc/letsencrypt/live/space.example.com/fullchain.pem#$dir/cert.pem#" \
        -e "s#/etc/letsencrypt/live/space.example.com/privkey.pem#$dir/key.pem#" \
        deploy/nginx/ovenspace.conf >"$dir/ovenspace.conf"
    grep -q "$dir/cert.pem" "$dir/ovenspace.conf" || fail "nginx: the certificate paths in deploy/nginx/ovenspace.conf changed"
    cat >"$dir/nginx.conf" <<NGINX
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    include $dir/ovenspace.conf;
}
NGINX
    nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
    # The replicas' nginx.conf (compose.replicas.yaml) is a whole nginx.conf;
    # its /tmp paths go to the scratch folder.
    mkdir -p "$dir/replicas"
    sed -e "s#/tmp/#$dir/replicas/#g" deploy/nginx/replicas.conf >"$dir/replicas.conf"
    grep -q "$dir/replicas/nginx.pid" "$dir/replicas.conf" || fail "nginx: the pid path in deploy/nginx/replicas.conf changed"
    nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/replicas.conf"
    say "nginx: nginx -t accepts deploy/nginx/ovenspace.conf and deploy/nginx/replicas.conf"
}

# ---------------------------------------------------------------- config
room_bin=""
gateway_bin=""

# Every OvenSpace config the deploy files mount, as "label<TAB>file<TAB>
# room-secrets<TAB>gateway-secrets<TAB>secrets-only-from-env (yes/no)": each
# service gets exactly the secrets its container gets there (NAME=value or
# NAME_FILE=path lines), so least privilege is what runs here.
configs_to_check() {
    local dev_room="$out/config/dev-room.env" dev_gateway="$out/config/dev-gateway.env"
    mkdir -p "$out/config"
    printf '%s\n' OVENSPACE_LINK_SECRET=check-only-link-secret-0123 >"$dev_room"
    printf '%s\n' OVENSPACE_LINK_SECRET=check-only-link-secret-0123 \
        OVENSPACE_OME_API_TOKEN=check-only-token OVENSPACE_WEBHOOK_SECRET=check-only-secret >"$dev_gateway"
    # The reference config carries development OME secrets of its own.
    printf 'deploy/ovenspace.yaml\t%s\t%s\t%s\tno\n' deploy/ovenspace.yaml "$dev_room" "$dev_gateway"
    # Compose: what compose.yaml gives each container (its dev defaults).
    local compose_room="$out/config/compose-room.env" compose_gateway="$out/config/compose-gateway.env"
    python3 "$tests/check_ports.py" compose-env "$here" room >"$compose_room"
    python3 "$tests/check_ports.py" compose-env "$here" gateway >"$compose_gateway"
    printf 'compose\t%s\t%s\t%s\tyes\n' deploy/compose/ovenspace.yaml "$compose_room" "$compose_gateway"
    printf 'compose.tls\t%s\t%s\t%s\tyes\n' deploy/compose/ovenspace.tls.yaml "$compose_room" "$compose_gateway"
    # The replicas variant: the room service gets the Redis URL too.
    local replicas_room="$out/config/compose-replicas-room.env" replicas_gateway="$out/config/compose-replicas-gateway.env"
    python3 "$tests/check_ports.py" compose-env "$here" room compose.replicas.yaml >"$replicas_room"
    python3 "$tests/check_ports.py" compose-env "$here" gateway compose.replicas.yaml >"$replicas_gateway"
    printf 'compose.replicas\t%s\t%s\t%s\tyes\n' deploy/compose/ovenspace.replicas.yaml "$replicas_room" "$replicas_gateway"
    find_kustomize
    if ((${#kustomize_cmd[@]})); then
        # Exactly what the pods mount: the ConfigMap out of the render, and
        # the files and variables each pod gets of the Secrets.
        npm_ready
        local name k8s="$out/config/k8s"
        while read -r name; do
            node "$tests/k8s/validate.js" "$k8s/$name.yaml" --name "$name" --out "$k8s/$name" >/dev/null ||
                fail "k8s $name does not validate (run: scripts/check_deploy.sh k8s)"
            printf 'k8s/%s\t%s\t%s\t%s\tyes\n' "$name" "$k8s/$name/ovenspace.yaml" \
                "$k8s/$name/room.secrets.env" "$k8s/$name/gateway.secrets.env"
        done < <(render_all "$k8s")
    else
        say "config: kubectl/kustomize missing: using the ConfigMap source files" >&2
        printf 'k8s/base\t%s\t%s\t%s\tyes\n' deploy/k8s/base/ovenspace.yaml "$dev_room" "$dev_gateway"
        local f
        for f in deploy/k8s/overlays/*/ovenspace.yaml; do
            printf 'k8s/%s\t%s\t%s\t%s\tyes\n' "$(basename "$(dirname "$f")")" "$f" "$dev_room" "$dev_gateway"
        done
    fi
}

# The secret variables (and their _FILE forms), which every run here first
# removes from the environment: a service gets only what its lines give it.
secret_vars=(OVENSPACE_LINK_SECRET OVENSPACE_OME_API_TOKEN OVENSPACE_WEBHOOK_SECRET OVENSPACE_REDIS_URL)
unset_secrets=()
for v in "${secret_vars[@]}"; do unset_secrets+=(-u "$v" -u "${v}_FILE"); done

# Runs a command with only the secrets of FILE (NAME=value lines) in its
# environment. `env` execs the command, so a background one's $! is its pid.
with_secrets() {
    local secrets=$1
    shift
    local vars=()
    mapfile -t vars <"$secrets"
    env "${unset_secrets[@]}" "${vars[@]}" "$@"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A copy of CONFIG that listens and dials only on loopback, on free ports,
# and serves a stand-in page: everything else stays as the deploy files say.
loopback_copy() {
    local config=$1 copy=$2 web=$3 room_port=$4 http_port=$5 link_port=$6 api_port=$7 metrics_port=$8
    python3 - "$config" "$copy" "$web" "$room_port" "$http_port" "$link_port" "$api_port" "$metrics_port" <<'EOF'
import sys, yaml
src, dst, web, room, http, link, api, metrics = sys.argv[1:]
with open(src) as f:
    cfg = yaml.safe_load(f)
cfg.setdefault("room", {})
cfg["room"]["listen"] = {"address": "127.0.0.1", "port": int(room)}
cfg["room"]["gateway"] = {"address": "127.0.0.1", "port": int(link)}
cfg["room"].pop("gateways", None)
# The state file as the deploy files set it, in the scratch folder.
if cfg["room"].get("state_file"):
    cfg["room"]["state_file"] = dst + ".state.json"
cfg["room"]["web_root"] = web
# Only the service started binds its metrics listener, so one port serves both.
cfg["room"]["metrics"] = {"address": "127.0.0.1", "port": int(metrics)}
cfg.setdefault("gateway", {})
cfg["gateway"]["http"] = {"address": "127.0.0.1", "port": int(http)}
cfg["gateway"]["link"] = {"address": "127.0.0.1", "port": int(link)}
cfg["gateway"]["metrics"] = {"address": "127.0.0.1", "port": int(metrics)}
cfg.setdefault("ome", {}).setdefault("api", {})
# Nothing listens there: the gateway must stay alive (and say so) while OME is away.
cfg["ome"]["api"].update({"host": "127.0.0.1", "port": int(api), "tls": False})
with open(dst, "w") as f:
    yaml.safe_dump(cfg, f)
EOF
}

# Fails when LOG holds one of the secret values in SECRETS (NAME=value lines;
# for NAME_FILE=path, the file's contents).
no_secret_in() {
    local label=$1 bin=$2 secrets=$3 log=$4 line value
    while IFS= read -r line; do
        value=${line#*=}
        [[ ${line%%=*} == *_FILE ]] && value=$(<"$value")
        [[ -n $value ]] || continue
        if grep -qF -- "$value" "$log"; then
            fail "$label: $(basename "$bin") wrote the value of ${line%%=*} to its output"
        fi
    done <"$secrets"
}

# The room service faces the internet: its environment must hold nothing of
# OME's credentials (issue 10, least privilege).
room_secrets_only_link() {
    local label=$1 secrets=$2
    if grep -Eq '^OVENSPACE_(OME_API_TOKEN|WEBHOOK_SECRET)(_FILE)?=' "$secrets"; then
        fail "$label: the room service is given an OME secret ($(grep -Eo '^OVENSPACE_[A-Z_]+' "$secrets" | tr '\n' ' '))"
    fi
}

# Starts BIN on CONFIG with no peer at all (loopback_copy), waits (bounded)
# for /healthz and then /readyz on PORT to answer 200, checks that /metrics is
# 404 on PORT and 200 on METRICS_PORT (the scraper's listener), stops it. A
# /readyz that waited for a peer would never answer 200 here, and in
# Kubernetes it would be a readiness cycle (docs/deploy.md).
start_and_probe() {
    local label=$1 bin=$2 config=$3 secrets=$4 port=$5 metrics_port=$6 log=$7
    local vars=()
    mapfile -t vars <"$secrets"
    env "${unset_secrets[@]}" "${vars[@]}" "$bin" --config "$config" >"$log" 2>&1 &
    local pid=$! code=""
    running_pid=$pid
    local deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" || true
            tail -n 20 "$log" >&2
            fail "$label: $(basename "$bin") exited before /healthz answered"
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/healthz" || true)
        [[ $code == 200 ]] && break
        sleep 0.2
    done
    local ready=""
    while [[ $code == 200 ]] && ((SECONDS < deadline)); do
        ready=$(curl -s -o "$log.readyz" -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/readyz" || true)
        [[ $ready == 200 ]] && break
        sleep 0.2
    done
    local public_metrics="" metrics=""
    if [[ $ready == 200 ]]; then
        public_metrics=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/metrics" || true)
        metrics=$(curl -s -o "$log.metrics" -w '%{http_code}' --max-time 1 "http://127.0.0.1:$metrics_port/metrics" || true)
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local status=0
    wait "$pid" || status=$?
    running_pid=""
    if [[ $code != 200 ]]; then
        tail -n 20 "$log" >&2
        fail "$label: $(basename "$bin") /healthz on 127.0.0.1:$port gave '${code:-nothing}' within 20 s"
    fi
    if [[ $ready != 200 ]]; then
        tail -n 20 "$log" >&2
        fail "$label: $(basename "$bin") /readyz gave '${ready:-nothing}' ($(cat "$log.readyz" 2>/dev/null)) within 20 s with no peer: its readiness waits for a peer"
    fi
    if [[ $public_metrics != 404 ]]; then
        fail "$label: $(basename "$bin") /metrics on its public port gave '${public_metrics:-nothing}', not 404"
    fi
    if [[ $metrics != 200 ]] || ! grep -q '^# TYPE ovs_' "$log.metrics"; then
        tail -n 20 "$log" >&2
        fail "$label: $(basename "$bin") /metrics on its metrics listener 127.0.0.1:$metrics_port gave '${metrics:-nothing}'"
    fi
    if ((status != 0 && status != 143)); then
        tail -n 20 "$log" >&2
        fail "$label: $(basename "$bin") exited with $status after SIGTERM"
    fi
    no_secret_in "$label" "$bin" "$secrets" "$log"
    say "config $label: $(basename "$bin") started, /healthz 200, /readyz 200 with no peer ($(cat "$log.readyz")), /metrics 404 public and 200 on its own listener, stopped ($status)"
}

# store: redis configs: a real redis-server on a free loopback port, with the
# password of the URL the room service is given, stands in for the one the
# deploy files run; LOOPBACK gets the room's secrets with the URL pointed at
# it (a _FILE form becomes the variable).
redis_pid=""
store_of() {
    python3 -c 'import sys, yaml; print((yaml.safe_load(open(sys.argv[1])) or {}).get("store", "memory"))' "$1"
}
start_redis_for() {
    local label=$1 secrets=$2 loopback=$3
    need redis-server
    need redis-cli
    local port password
    port=$(free_port)
    password=$(python3 "$tests/redis_url_loopback.py" "$secrets" "$loopback" "$port") ||
        fail "$label: cannot read the room service's Redis URL"
    local args=(--port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no)
    [[ -n $password ]] && args+=(--requirepass "$password")
    redis-server "${args[@]}" >"$out/config/redis.log" 2>&1 &
    redis_pid=$!
    local deadline=$((SECONDS + 10)) auth=()
    [[ -n $password ]] && auth=(--no-auth-warning -a "$password")
    until redis-cli -p "$port" "${auth[@]}" ping 2>/dev/null | grep -q PONG; do
        ((SECONDS < deadline)) || fail "$label: redis-server on 127.0.0.1:$port did not answer (see $out/config/redis.log)"
        sleep 0.1
    done
}
stop_redis() {
    [[ -n $redis_pid ]] || return 0
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
}

check_config() {
    if [[ -z $room_bin && -z $gateway_bin ]]; then
        say "config: SKIPPED: no binary given (--room/--gateway); build ovenspace-room / ovenspace-gateway first"
        exit $skip
    fi
    need python3
    need curl
    local web="$out/config/web"
    mkdir -p "$web"
    printf '<!doctype html><title>deploy check</title>\n' >"$web/index.html"
    local bins=() label config secrets bin copy
    [[ -n $room_bin ]] && bins+=("$room_bin")
    [[ -n $gateway_bin ]] && bins+=("$gateway_bin")
    local env_only room_secrets gateway_secrets
    while IFS=$'\t' read -r label config room_secrets gateway_secrets env_only; do
        room_secrets_only_link "$label" "$room_secrets"
        for bin in "${bins[@]}"; do
            [[ -x $bin ]] || fail "$bin is not an executable"
            secrets=$gateway_secrets
            [[ $bin == "$room_bin" ]] && secrets=$room_secrets
            # The file as mounted, with the secrets as the pods/containers get them.
            with_secrets "$secrets" "$bin" --config "$config" --check-config >"$out/config/check.log" 2>&1 || {
                cat "$out/config/check.log" >&2
                fail "$label: $(basename "$bin") --check-config rejects $config"
            }
            no_secret_in "$label" "$bin" "$secrets" "$out/config/check.log"
            # The deploy configs carry no secrets: without the environment the
            # service must refuse to start rather than run without them.
            if [[ $env_only == yes ]] && env "${unset_secrets[@]}" \
                "$bin" --config "$config" --check-config >"$out/config/nosecret.log" 2>&1; then
                fail "$label: $(basename "$bin") accepts $config without its secrets (${secret_vars[*]})"
            fi
            say "config $label: $(basename "$bin") --check-config accepts $config"

            local room_port http_port link_port api_port metrics_port
            room_port=$(free_port)
            http_port=$(free_port)
            link_port=$(free_port)
            api_port=$(free_port)
            metrics_port=$(free_port)
            copy="$out/config/${label//\//_}.loopback.yaml"
            loopback_copy "$config" "$copy" "$web" "$room_port" "$http_port" "$link_port" "$api_port" "$metrics_port"
            local port=$http_port run_secrets=$secrets
            [[ $bin == "$room_bin" ]] && port=$room_port
            # With store: redis the room service is ready only once it has
            # its store: give it a real Redis (the gateway never reads it).
            if [[ $bin == "$room_bin" && $(store_of "$config") == redis ]]; then
                run_secrets="$out/config/${label//\//_}.redis.env"
                start_redis_for "$label" "$secrets" "$run_secrets"
            fi
            start_and_probe "$label" "$bin" "$copy" "$run_secrets" "$port" "$metrics_port" "$out/config/run.log"
            stop_redis
        done
    done < <(configs_to_check)
}

# ------------------------------------------------------------------ main
# A service this script started never outlives it (failure, ctest timeout).
running_pid=""
trap '[[ -z $running_pid ]] || kill -TERM "$running_pid" 2>/dev/null || true
      [[ -z $redis_pid ]] || kill -TERM "$redis_pid" 2>/dev/null || true' EXIT
step=${1:-all}
shift || true
while (($#)); do
    case $1 in
        --room) room_bin=$2; shift 2 ;;
        --gateway) gateway_bin=$2; shift 2 ;;
        *) fail "unknown argument '$1'" ;;
    esac
done
mkdir -p "$out"
case $step in
    yaml) check_yaml ;;
    k8s) check_k8s ;;
    ome) check_ome ;;
    compose) check_compose ;;
    shell) check_shell ;;
    nginx) check_nginx ;;
    config) check_config ;;
    all)
        check_yaml
        check_ome
        check_compose
        check_shell
        (check_nginx) || { status=$?; ((status == skip)) || exit "$status"; }
        (check_k8s) || { status=$?; ((status == skip)) || exit "$status"; }
        (check_config) || { status=$?; ((status == skip)) || exit "$status"; }
        ;;
    *) fail "unknown step '$step' (yaml, k8s, ome, compose, shell, nginx, config, all)" ;;
esac
