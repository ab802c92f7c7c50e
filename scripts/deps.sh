#!/usr/bin/env bash
# Installs what building, running and testing OvenSpace needs on Debian 12.
# Safe to run again: it installs only what is missing.
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh --test   also what the test suite needs (Chromium, linters);
#                            with OVENSPACE_TEST_OME_BIN set, also the runtime
#                            libraries of that OvenMediaEngine build (Debian 12's,
#                            as ../shared/ome-bin/README.md lists them) and ffmpeg,
#                            the encoder the tests publish with
set -euo pipefail

packages=(
    g++ cmake ninja-build pkg-config
    libboost1.81-dev libboost-url1.81-dev
    nlohmann-json3-dev libyaml-cpp-dev libssl-dev libspdlog-dev libcli11-dev
    libhiredis-dev
)
# Node.js may come from elsewhere (e.g. a nodesource build that bundles npm,
# which conflicts with Debian's npm package): install Debian's only if absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(catch2 clang-format chromium yamllint shellcheck libxml2-utils curl nginx openssl)
    packages+=(redis-server)  # the store tests start their own on free ports
    packages+=(clang libclang-rt-14-dev)  # libFuzzer + ASan/UBSan runtimes (scripts/fuzz.sh)
    if [[ -n "${OVENSPACE_TEST_OME_BIN:-}" ]]; then
        packages+=(ffmpeg libsrt1.5-openssl libsrtp2-1 libhiredis0.14 libspdlog1.10 libjemalloc2 libnuma1)
    fi
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    as_root=()
    [[ $(id -u) -eq 0 ]] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web bundle's packages, pinned by web/package-lock.json.
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -f "$here/web/package-lock.json" ]]; then
    if [[ ! -d "$here/web/node_modules" || "$here/web/package-lock.json" -nt "$here/web/node_modules/.package-lock.json" ]]; then
        (cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
