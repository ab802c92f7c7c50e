#!/usr/bin/env bash
# Both services answer the same command line the same way: help, version,
# --check-config (both spellings), a bad config and a bad flag, with the
# exit codes the README documents (0 done, 2 usage/config error).
# Usage: check_cli.sh ROOM_BIN GATEWAY_BIN CONFIG
set -euo pipefail
room=$1 gateway=$2 config=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The shipped config leaves the secrets to the environment; the link secret
# is required by both services and must be 16 characters or more.
export OVENSPACE_OME_API_TOKEN=t OVENSPACE_WEBHOOK_SECRET=s
export OVENSPACE_LINK_SECRET=check-cli-link-secret-0123
fail() { echo "check_cli: $*" >&2; exit 1; }
expect() {  # expect CODE BIN ARGS...
    local want=$1 bin=$2 got=0
    shift 2
    "$bin" "$@" >"$work/out" 2>"$work/err" || got=$?
    [[ $got == "$want" ]] || fail "$(basename "$bin") $*: exit $got, expected $want: $(cat "$work/err")"
}
printf 'mode: nonsense\n' >"$work/bad.yaml"
for bin in "$room" "$gateway"; do
    name=$(basename "$bin")
    expect 0 "$bin" --help
    grep -q -- "--log-format" "$work/out" || fail "$name --help does not list --log-format"
    sed "s/$name/PROGRAM/g" "$work/out" >"$work/help.$name"
    expect 0 "$bin" --version
    grep -qx "$name [0-9.]*" "$work/out" || fail "$name --version printed '$(cat "$work/out")'"
    expect 0 "$bin" --check-config --config "$config"
    grep -q ": OK$" "$work/out" || fail "$name --check-config did not say OK"
    expect 0 "$bin" --check-config "$config"
    expect 2 "$bin" --check-config "$work/bad.yaml"
    grep -q "mode" "$work/err" || fail "$name: the config error does not name the key"
    expect 2 "$bin" --config "$config" --no-such-flag
    expect 2 "$bin"
    expect 2 "$bin" --config "$work/missing.yaml"
done
# One help text: only the program name and its description (the first
# line) may differ.
diff <(tail -n +2 "$work/help.ovenspace-room") <(tail -n +2 "$work/help.ovenspace-gateway") ||
    fail "the two services' --help differ beyond their names"
echo "check_cli: both services: same flags, help and exit codes"
