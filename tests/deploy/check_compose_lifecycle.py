#!/usr/bin/env python3
"""Checks how the compose services start and stop (issue 11):

  - every health check of ours asks its own container (127.0.0.1) and only a
    path whose meaning is known (/readyz, /healthz): none waits for a peer;
  - no cycle through `depends_on: {condition: service_healthy}` and what
    each health check needs, so `docker compose up` always gets everyone up;
  - stop_grace_period leaves room for the graceful stop the config allows
    (room.shutdown_timeout_ms; the gateway's ome.api.timeout_ms + 1 s);
  - a memory limit, where one is set, fits the connection limits (the same
    arithmetic as tests/deploy/k8s/rules.js; docs/deploy.md "Memory").

  check_compose_lifecycle.py REPO_ROOT              check deploy/compose*.yaml
  check_compose_lifecycle.py --self-test REPO_ROOT  break compose.yaml in memory
                                                    and show each break is found
"""

import copy
import math
import os
import re
import sys

import yaml

from check_ports import load_compose, merge_compose, mounted, OVS_CONF
from selftest import judge

# What each health path of ours needs besides its own container: the
# connections (config keys) that must be up for it to pass. None since
# issue 11 (scripts/check_deploy.sh config holds the binaries to it).
PROBE_NEEDS = {
    "room": {"/healthz": [], "/readyz": []},
    "gateway": {"/healthz": [], "/readyz": []},
}
# Which compose service dials which config key's connection, and to whom.
DIALS = {"room.gateway": ("room", "gateway"), "ome.api": ("gateway", "ome")}
MIN_MARGIN_S = 2
KIB = 1024
MIB = 1024 * KIB
PER_CONNECTION = 32 * KIB


def duration_s(text, default):
    """A compose duration ("10s", "1m30s", "500ms") in seconds."""
    if text is None:
        return default
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(text)):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6}[unit]
    return total


def bytes_of(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([bkmg]?)b?", str(text).strip().lower())
    if not m:
        return math.nan
    return float(m.group(1)) * {"": 1, "b": 1, "k": KIB, "m": MIB, "g": 1024 * MIB}[m.group(2)]


def health_target(svc):
    """(host, port, path) a health check's command asks, or None."""
    test = (svc.get("healthcheck") or {}).get("test")
    cmd = " ".join(test[1:]) if isinstance(test, list) else str(test or "")
    m = re.search(r"https?://([^/:\s]+)(?::(\d+))?(/[^\s\"']*)?", cmd)
    return (m.group(1), int(m.group(2) or 80), m.group(3) or "/") if m else None


def check(compose, compose_dir, where, probe_needs=PROBE_NEEDS):
    problems = []
    services = compose.get("services", {})
    with open(mounted(services["gateway"], OVS_CONF, compose_dir), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)

    # Edges "A waits for B": start order and health needs.
    waits = {name: set() for name in services}
    for name, svc in services.items():
        deps = svc.get("depends_on") or {}
        for peer, how in (deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)):
            if (how or {}).get("condition") == "service_healthy":
                waits[name].add(peer)
    for name in ("room", "gateway"):
        svc = services.get(name, {})
        target = health_target(svc)
        if target is None:
            problems.append(f"{where}: {name} has no HTTP health check")
            continue
        host, _, path = target
        if host in services:
            waits[name].add(host)
            problems.append(f"{where}: {name}'s health check asks {host}, a peer")
            continue
        if host not in ("127.0.0.1", "localhost"):
            problems.append(f"{where}: {name}'s health check asks {host}, not its own container")
        needs = probe_needs[name].get(path)
        if needs is None:
            problems.append(f"{where}: {name}'s health path {path} has no known meaning (PROBE_NEEDS)")
            continue
        for key in needs:
            dialer, target_svc = DIALS[key]
            # Waiting for a connection is waiting for both of its ends.
            waits[name].update({dialer, target_svc} - {name})

    def cycle_from(start):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in waits.get(node, ()):
                if nxt == start:
                    return path + [start]
                if nxt not in path:
                    stack.append((nxt, path + [nxt]))
        return None

    for name in sorted(waits):
        cyc = cycle_from(name)
        if cyc:
            problems.append(f"{where}: a start/health cycle {' -> '.join(cyc)}: `compose up` never gets past it")

    stop_ms = {
        "room": (cfg.get("room") or {}).get("shutdown_timeout_ms", 5000),
        "gateway": ((cfg.get("ome") or {}).get("api") or {}).get("timeout_ms", 2000) + 1000,
    }
    for name, ms in stop_ms.items():
        grace = duration_s(services.get(name, {}).get("stop_grace_period"), 10)
        need = math.ceil(ms / 1000) + MIN_MARGIN_S
        if grace < need:
            problems.append(f"{where}: {name} stop_grace_period {grace:g} s < graceful stop {math.ceil(ms / 1000)} s "
                            f"+ margin {MIN_MARGIN_S} s: Docker kills it mid-shutdown")

    problems += state_file_problems(cfg, services.get("room", {}), compose, where)

    limits = (cfg.get("room") or {}).get("limits") or {}
    room = services.get("room", {})
    mem = room.get("mem_limit") or (((room.get("deploy") or {}).get("resources") or {}).get("limits") or {}).get("memory")
    if mem is not None:
        conns = limits.get("max_connections_total", 50000) + limits.get("max_http_connections", 1024)
        need = 64 * MIB + conns * PER_CONNECTION
        if not bytes_of(mem) >= need:
            problems.append(f"{where}: room memory limit {mem} < 64 MiB + {conns} connections x 32 KiB "
                            f"= {math.ceil(need / MIB)} MiB")
    return problems


def state_file_problems(cfg, room, compose, where):
    """With store: memory, room.state_file on a writable volume of the room
    container (issue 11: the seats survive its restart; the root file system
    is read-only); with store: redis, not set (Redis keeps the seats)."""
    room_cfg = cfg.get("room") or {}
    path = room_cfg.get("state_file") or ""
    if cfg.get("store", "memory") == "redis":
        return [f"{where}: room.state_file is set with store: redis, which ignores it"] if path else []
    if not path:
        return [f"{where}: room.state_file is not set: with store: memory a restart of the room service ends every broadcast"]
    directory = os.path.dirname(path)
    for v in room.get("volumes", []):
        parts = v.split(":") if isinstance(v, str) else [v.get("source", ""), v.get("target", "")] + (["ro"] if v.get("read_only") else [])
        if len(parts) < 2 or parts[1].rstrip("/") != directory:
            continue
        if "ro" in parts[2:]:
            return [f"{where}: room.state_file {path}: {directory} is mounted read-only"]
        if parts[0].startswith((".", "/")):
            return [f"{where}: room.state_file {path}: {directory} is a bind mount of the host; use a named volume "
                    "(it starts as a copy of the image's directory, owned by the service user)"]
        if parts[0] not in (compose.get("volumes") or {}):
            return [f"{where}: room.state_file {path}: the volume '{parts[0]}' is not declared under volumes:"]
        return []
    return [f"{where}: room.state_file {path}: no volume is mounted at {directory} in the room container "
            "(its root file system is read-only)"]


def variants(root):
    d = os.path.join(root, "deploy")
    base = load_compose(os.path.join(d, "compose.yaml"))
    tls = merge_compose(base, load_compose(os.path.join(d, "compose.tls.yaml")))
    secrets = load_compose(os.path.join(d, "compose.secrets.yaml"))
    replicas = load_compose(os.path.join(d, "compose.replicas.yaml"))
    return d, [("compose.yaml", base), ("compose.yaml+compose.tls.yaml", tls),
               ("compose.yaml+compose.secrets.yaml", merge_compose(base, secrets)),
               ("compose.yaml+compose.tls.yaml+compose.secrets.yaml", merge_compose(tls, secrets)),
               ("compose.yaml+compose.replicas.yaml", merge_compose(base, replicas))]


def self_test(root):
    d, all_variants = variants(root)
    base = all_variants[0][1]
    old_needs = {"room": {"/healthz": [], "/readyz": ["room.gateway"]},
                 "gateway": {"/healthz": [], "/readyz": ["room.gateway", "ome.api"]}}

    def with_(edit):
        c = copy.deepcopy(base)
        edit(c["services"])
        return c

    def curl(url):
        return {"test": ["CMD", "curl", "--fail", url]}

    cases = [
        ("as it is", base, PROBE_NEEDS, []),
        ("health that waits for the link (before issue 11)", base, old_needs,
         [r"a start/health cycle (room -> gateway -> room|gateway -> room -> gateway)"]),
        ("a health check that asks the peer",
         with_(lambda s: s["gateway"].update(healthcheck=curl("http://room:5000/readyz"))), PROBE_NEEDS,
         [r"gateway's health check asks room, a peer", r"a start/health cycle"]),
        ("an unknown health path",
         with_(lambda s: s["room"].update(healthcheck=curl("http://127.0.0.1:5000/ready-with-peers"))), PROBE_NEEDS,
         [r"room's health path /ready-with-peers has no known meaning"]),
        ("a short stop_grace_period", with_(lambda s: s["room"].update(stop_grace_period="5s")), PROBE_NEEDS,
         [r"room stop_grace_period 5 s < graceful stop 5 s \+ margin 2 s"]),
        ("Docker's default stop timeout (10 s) fits", with_(lambda s: s["gateway"].pop("stop_grace_period")),
         PROBE_NEEDS, []),
        ("512 MiB next to 50,000 connections", with_(lambda s: s["room"].update(mem_limit="512m")), PROBE_NEEDS,
         [r"room memory limit 512m < 64 MiB \+ 51024 connections x 32 KiB = 1659 MiB"]),
        ("2 GiB fits", with_(lambda s: s["room"].update(mem_limit="2g")), PROBE_NEEDS, []),
        ("room.state_file without its volume (issue 11)",
         with_(lambda s: s["room"].update(volumes=[v for v in s["room"]["volumes"] if "/var/lib/ovenspace" not in v])),
         PROBE_NEEDS, [r"room.state_file /var/lib/ovenspace/room-state.json: no volume is mounted at /var/lib/ovenspace"]),
        ("room.state_file on a read-only volume",
         with_(lambda s: s["room"].update(volumes=[v + ":ro" if "/var/lib/ovenspace" in v else v
                                                   for v in s["room"]["volumes"]])),
         PROBE_NEEDS, [r"/var/lib/ovenspace is mounted read-only"]),
        ("room.state_file on a bind mount of the host",
         with_(lambda s: s["room"].update(volumes=["./state:/var/lib/ovenspace" if "/var/lib/ovenspace" in v else v
                                                   for v in s["room"]["volumes"]])),
         PROBE_NEEDS, [r"is a bind mount of the host"]),
    ]
    return judge("compose lifecycle",
                 [(name, check(compose, d, "compose.yaml", needs), want) for name, compose, needs, want in cases])


def main(argv):
    if len(argv) == 2 and argv[0] == "--self-test":
        return self_test(argv[1])
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d, all_variants = variants(argv[0])
    problems = [p for where, compose in all_variants for p in check(compose, d, where)]
    if problems:
        print(f"compose lifecycle: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("compose lifecycle: health checks wait for no peer, no start cycle, "
          "stop_grace_period fits the graceful stop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
