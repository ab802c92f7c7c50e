#!/usr/bin/env python3
"""Checks that the deploy files agree on ports and addresses with the OME
Server.xml they mount and the OvenSpace config they mount.

  check_ports.py compose REPO_ROOT   deploy/compose.yaml (alone, with
                                     compose.tls.yaml, with compose.secrets.yaml),
                                     the configs it mounts, deploy/ovenspace.yaml,
                                     the k8s copies; and that each container gets
                                     only its own secrets
  check_ports.py k8s RENDERED.yaml   one `kubectl kustomize` output
  check_ports.py compose-env REPO_ROOT SERVICE [OVERRIDE.yaml...]
                                     the secret variables compose.yaml (plus
                                     the override files) gives SERVICE (with
                                     its defaults), as NAME=value

Compose files are read as YAML with compose's own ${VAR:-default}
interpolation (defaults only) and its merge rules for the keys used here."""

import os
import re
import sys
import tempfile

import yaml

from ome_xml import ServerXml

OME_CONF = "/opt/ovenmediaengine/bin/origin_conf/Server.xml"
OVS_CONF = "/etc/ovenspace/ovenspace.yaml"
API_WHAT = ("API", "API (TLS)")
# Ports only other OME servers use (edges pull from the origin over OVT):
# never published, never behind the media LoadBalancer.
INTERNAL_WHAT = ("OVT",)


class Problems(list):
    def need(self, cond, text):
        if not cond:
            self.append(text)


# ------------------------------------------------------------ config vs XML

def config_agrees(problems, where, cfg, sx, env=None):
    """The ports an OvenSpace config hands out or dials are the ones OME binds."""
    ome = cfg.get("ome", {})

    def bound(xpath_plain, xpath_tls, tls):
        return sx.port_of(xpath_tls if tls else xpath_plain, env)

    api = ome.get("api", {})
    want = bound("Managers/API/Port", "Managers/API/TLSPort", api.get("tls", False))
    problems.need(api.get("port", 8081) == want,
                  f"{where}: ome.api.port {api.get('port', 8081)} (tls {api.get('tls', False)}) is not OME's ({want})")
    problems.need(ome.get("rtmp_port", 1935) == sx.port_of("Providers/RTMP/Port", env),
                  f"{where}: ome.rtmp_port is not OME's RTMP port")
    problems.need(ome.get("srt_port", 9999) == sx.port_of("Providers/SRT/Port", env),
                  f"{where}: ome.srt_port is not OME's SRT port")
    for key, base in (("webrtc_provider", "Providers/WebRTC/Signalling/"),
                      ("webrtc_publisher", "Publishers/WebRTC/Signalling/"),
                      ("llhls", "Publishers/LLHLS/")):
        ep = ome.get(key, {"tls": False, "port": 3333})
        want = bound(base + "Port", base + "TLSPort", ep.get("tls", False))
        problems.need(ep.get("port") == want,
                      f"{where}: ome.{key} {ep} is not OME's {'TLS ' if ep.get('tls') else ''}port ({want})")


# ----------------------------------------------------------------- compose

class ComposeLoader(yaml.SafeLoader):
    pass


# compose's "!override" / "!reset" merge tags: keep the value, remember the tag.
class Override(list):
    pass


class OverrideMap(dict):
    pass


def _override(loader, node):
    if isinstance(node, yaml.MappingNode):
        return OverrideMap(loader.construct_mapping(node))
    return Override(loader.construct_sequence(node))


ComposeLoader.add_constructor("!override", _override)
ComposeLoader.add_constructor("!reset", lambda loader, node: Override())

INTERP = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value):
    """compose interpolation, as with an empty environment: defaults only."""
    if isinstance(value, str):
        return INTERP.sub(lambda m: m.group(3) if m.group(2) in (":-", "-") else "", value)
    if isinstance(value, list):
        return type(value)(interpolate(v) for v in value) if isinstance(value, Override) else [interpolate(v) for v in value]
    if isinstance(value, dict):
        return type(value)((k, interpolate(v)) for k, v in value.items())
    return value


def load_compose(path):
    with open(path, encoding="utf-8") as f:
        return interpolate(yaml.load(f, Loader=ComposeLoader))


def volume_target(v):
    return v.split(":")[1] if isinstance(v, str) else v.get("target")


def merge_service(base, over):
    out = dict(base)
    for key, value in over.items():
        if key == "volumes" and not isinstance(value, Override):  # merged by target path
            merged = {volume_target(v): v for v in base.get("volumes", [])}
            merged.update({volume_target(v): v for v in value})
            out[key] = list(merged.values())
        elif key == "ports" and not isinstance(value, Override):
            out[key] = base.get("ports", []) + value
        elif key == "environment" and isinstance(value, dict) and not isinstance(value, OverrideMap):
            out[key] = {**base.get(key, {}), **value}
        else:
            out[key] = list(value) if isinstance(value, Override) else value
    return out


def merge_compose(base, over):
    merged = dict(base)
    merged["secrets"] = {**base.get("secrets", {}), **over.get("secrets", {})}
    merged["services"] = dict(base["services"])
    for name, svc in over.get("services", {}).items():
        merged["services"][name] = merge_service(base["services"].get(name, {}), svc)
    return merged


PORT = re.compile(r"^(?:(?P<ip>\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):)?(?:(?P<host>\d+(?:-\d+)?):)?(?P<ctr>\d+(?:-\d+)?)(?:/(?P<proto>tcp|udp))?$")


def expand_range(text):
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def published(service, problems, where):
    """{(container_port, proto): (host_ip, host_port)} of a compose service."""
    out = {}
    for entry in service.get("ports", []):
        m = PORT.match(str(entry))
        if not m:
            problems.append(f"{where}: cannot read port '{entry}' (use the short syntax)")
            continue
        ctr = expand_range(m.group("ctr"))
        host = expand_range(m.group("host")) if m.group("host") else ctr
        if len(host) != len(ctr):
            problems.append(f"{where}: port '{entry}' maps ranges of different sizes")
            continue
        for h, c in zip(host, ctr):
            out[(c, m.group("proto") or "tcp")] = (m.group("ip") or "0.0.0.0", h)
    return out


def mounted(service, target, compose_dir):
    for v in service.get("volumes", []):
        if isinstance(v, str) and v.split(":")[1] == target:
            return os.path.normpath(os.path.join(compose_dir, v.split(":")[0]))
    return None


def check_compose(problems, where, compose, compose_dir):
    services = compose.get("services", {})
    ome, gateway, room = (services.get(n) for n in ("ome", "gateway", "room"))
    if not (ome and gateway and room):
        problems.append(f"{where}: needs the services ome, gateway and room; has {sorted(services)}")
        return
    xml_path = mounted(ome, OME_CONF, compose_dir)
    cfg_path = mounted(gateway, OVS_CONF, compose_dir)
    problems.need(xml_path and os.path.isfile(xml_path), f"{where}: ome does not mount an existing file at {OME_CONF}")
    problems.need(cfg_path and os.path.isfile(cfg_path), f"{where}: gateway does not mount an existing config at {OVS_CONF}")
    problems.need(cfg_path == mounted(room, OVS_CONF, compose_dir), f"{where}: room and gateway mount different configs")
    if not (xml_path and cfg_path and os.path.isfile(xml_path) and os.path.isfile(cfg_path)):
        return
    env = ome.get("environment", {})
    problems.need(isinstance(env, dict), f"{where}: ome.environment must be a mapping")
    env = {k: str(v) for k, v in env.items()} if isinstance(env, dict) else {}
    sx = ServerXml(xml_path)
    with open(cfg_path, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    def rel(path):
        return os.path.relpath(path, os.path.dirname(compose_dir))

    # OME: exactly the ports Server.xml binds are published, each on the same
    # host port (OME advertises its own port numbers in ICE candidates and
    # URLs), and the API on loopback only.
    binds = sx.ports(env)
    pub = published(ome, problems, f"{where} ome")
    for key, what in sorted(binds.items()):
        if what in INTERNAL_WHAT:
            problems.need(key not in pub, f"{where}: compose publishes OME's {what} port {key[0]}, which only edges use")
            continue
        if key not in pub:
            problems.append(f"{where}: OME binds {key[0]}/{key[1]} ({what}) in {rel(xml_path)} but compose does not publish it")
            continue
        ip, host_port = pub[key]
        problems.need(host_port == key[0], f"{where}: OME {key[0]}/{key[1]} ({what}) published on host port {host_port}")
        if what in API_WHAT:
            problems.need(ip == "127.0.0.1", f"{where}: OME's REST API {key[0]} is published on {ip}, not 127.0.0.1")
    for key in sorted(set(pub) - set(binds)):
        problems.append(f"{where}: compose publishes {key[0]}/{key[1]}, which {rel(xml_path)} does not bind")
    problems.need(env.get("OME_HOST_IP") not in (None, "", "*"), f"{where}: OME_HOST_IP is not set for ome")

    # The OvenSpace config dials what compose provides.
    config_agrees(problems, f"{where} {rel(cfg_path)}", cfg, sx, env)
    api_host = cfg.get("ome", {}).get("api", {}).get("host") or cfg.get("ome", {}).get("host")
    problems.need(api_host == "ome", f"{where}: ome.api.host is '{api_host}', not the compose service 'ome'")
    g = cfg.get("gateway", {})
    r = cfg.get("room", {})
    # Several gateways: room.gateways names each (check_compose_replicas.py).
    if not r.get("gateways"):
        problems.need(r.get("gateway", {}).get("address") == "gateway", f"{where}: room.gateway.address is not the service 'gateway'")
        problems.need(r.get("gateway", {}).get("port") == g.get("link", {}).get("port"), f"{where}: room.gateway.port != gateway.link.port")
    for k in ("http", "link"):
        problems.need(g.get(k, {}).get("address") not in ("127.0.0.1", "localhost", "::1"),
                      f"{where}: gateway.{k}.address is loopback: other containers cannot reach it")
    want_url = f"http://gateway:{g.get('http', {}).get('port')}/v1/admission"
    problems.need(env.get("OVENSPACE_WEBHOOK_URL") == want_url,
                  f"{where}: ome's OVENSPACE_WEBHOOK_URL is '{env.get('OVENSPACE_WEBHOOK_URL')}', expected '{want_url}'")
    room_pub = published(room, problems, f"{where} room")
    # Replicas publish nothing each: nginx in front does (check_compose_replicas.py).
    if (room.get("deploy") or {}).get("replicas", 1) == 1:
        problems.need((r.get("listen", {}).get("port"), "tcp") in room_pub,
                      f"{where}: room.listen.port {r.get('listen', {}).get('port')} is not published")
    problems.need(not gateway.get("ports"), f"{where}: the gateway publishes ports; only OME and the room service talk to it")
    check_least_privilege(problems, where, compose, cfg)


# Which secrets each container may hold (issue 10: least privilege). OME
# reads its two from the environment only (Server.xml's ${env:...}); the
# Redis URL (it holds Redis's password) is the room service's alone.
LINK, TOKEN, HOOK = "OVENSPACE_LINK_SECRET", "OVENSPACE_OME_API_TOKEN", "OVENSPACE_WEBHOOK_SECRET"
REDIS_URL = "OVENSPACE_REDIS_URL"
SECRET_VARS = (LINK, TOKEN, HOOK, REDIS_URL)


def wanted_secrets(cfg):
    room = {LINK, REDIS_URL} if (cfg or {}).get("store") == "redis" else {LINK}
    return {"ome": {TOKEN, HOOK}, "gateway": {LINK, TOKEN, HOOK}, "room": room,
            "ome-edge": {TOKEN, HOOK}, "redis": set(), "nginx": set()}


def secrets_given(problems, where, compose, name):
    """The secret variables a compose service gets, in the environment or as
    a *_FILE pointing at a compose secret mounted into it."""
    svc = compose["services"][name]
    env = svc.get("environment", {})
    mounted_secrets = {s if isinstance(s, str) else s.get("source") for s in svc.get("secrets", [])}
    got = set()
    for var in SECRET_VARS:
        if env.get(var):
            got.add(var)
        path = env.get(var + "_FILE")
        if path:
            secret = path.rsplit("/", 1)[-1]
            problems.need(path == f"/run/secrets/{secret}" and secret in mounted_secrets
                          and secret in compose.get("secrets", {}),
                          f"{where}: {name}'s {var}_FILE ({path}) is not a compose secret mounted into it")
            got.add(var)
    for secret in mounted_secrets:
        problems.need(any(env.get(v + "_FILE") == f"/run/secrets/{secret}" for v in SECRET_VARS),
                      f"{where}: {name} mounts the secret '{secret}' it does not use")
    return got


def check_least_privilege(problems, where, compose, cfg=None):
    for name, wanted in wanted_secrets(cfg).items():
        if name not in compose["services"]:
            continue
        got = secrets_given(problems, where, compose, name)
        for var in sorted(got - wanted):
            problems.append(f"{where}: {name} gets {var}, which it does not need")
        for var in sorted(wanted - got):
            problems.append(f"{where}: {name} does not get {var}")


def check_repo(root):
    problems = Problems()
    d = os.path.join(root, "deploy")
    base = load_compose(os.path.join(d, "compose.yaml"))
    check_compose(problems, "compose.yaml", base, d)
    tls = merge_compose(base, load_compose(os.path.join(d, "compose.tls.yaml")))
    check_compose(problems, "compose.yaml+compose.tls.yaml", tls, d)
    files = merge_compose(base, load_compose(os.path.join(d, "compose.secrets.yaml")))
    check_compose(problems, "compose.yaml+compose.secrets.yaml", files, d)
    check_compose(problems, "compose.yaml+compose.tls.yaml+compose.secrets.yaml",
                  merge_compose(tls, load_compose(os.path.join(d, "compose.secrets.yaml"))), d)
    check_compose(problems, "compose.yaml+compose.replicas.yaml",
                  merge_compose(base, load_compose(os.path.join(d, "compose.replicas.yaml"))), d)

    # The non-container default config goes with the plain Server.xml.
    with open(os.path.join(d, "ovenspace.yaml"), encoding="utf-8") as f:
        config_agrees(problems, "deploy/ovenspace.yaml", yaml.safe_load(f), ServerXml(os.path.join(d, "ome", "Server.xml")))

    # Kustomize reads only files inside its folders: those copies must not drift.
    for copy, original in (("k8s/base/Server.xml", "ome/Server.xml"),
                           ("k8s/base/Logger.xml", "ome/Logger.xml"),
                           ("k8s/overlays/production/Server.tls.xml", "ome/Server.tls.xml"),
                           ("k8s/components/replicas/Server.edge.xml", "ome/Server.edge.xml"),
                           ("k8s/overlays/production-replicas/Server.edge.tls.xml", "ome/Server.edge.tls.xml")):
        with open(os.path.join(d, copy), "rb") as a, open(os.path.join(d, original), "rb") as b:
            problems.need(a.read() == b.read(), f"deploy/{copy} differs from deploy/{original}: copy it again")
    return problems, "compose files, configs and Server.xml copies"


# --------------------------------------------------------------------- k8s

def check_k8s(rendered):
    problems = Problems()
    with open(rendered, encoding="utf-8") as f:
        objs = [o for o in yaml.safe_load_all(f) if o]

    def find(kind, prefix):
        return [o for o in objs if o["kind"] == kind and re.fullmatch(prefix + r"(-[a-z0-9]{10})?", o["metadata"]["name"])]

    xml_cm, env_cm, cfg_cm = find("ConfigMap", "ovenspace-ome-config"), find("ConfigMap", "ovenspace-ome-env"), find("ConfigMap", "ovenspace-config")
    deploy = [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "ovenspace-ome"]
    if not (len(xml_cm) == 1 and len(env_cm) == 1 and len(cfg_cm) == 1 and len(deploy) == 1):
        problems.append("needs ConfigMaps ovenspace-ome-config, ovenspace-ome-env, ovenspace-config and Deployment ovenspace-ome")
        return problems, rendered
    env = env_cm[0].get("data", {})
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as tmp:
        tmp.write(xml_cm[0]["data"]["Server.xml"])
    try:
        sx = ServerXml(tmp.name)
        binds = sx.ports(env)
    finally:
        os.unlink(tmp.name)
    cfg = yaml.safe_load(cfg_cm[0]["data"]["ovenspace.yaml"])
    config_agrees(problems, "ConfigMap ovenspace-config", cfg, sx, env)

    ctr = {}
    for c in deploy[0]["spec"]["template"]["spec"]["containers"]:
        for p in c.get("ports", []):
            ctr[(p["containerPort"], p.get("protocol", "TCP").lower())] = p.get("name")
    for key, what in sorted(binds.items()):
        problems.need(key in ctr, f"OME binds {key[0]}/{key[1]} ({what}) but the Deployment does not declare it")
    for key in sorted(set(ctr) - set(binds)):
        problems.append(f"the OME Deployment declares {key[0]}/{key[1]}, which Server.xml does not bind")

    # Everything but the API goes out through the media LoadBalancer, on the
    # same port number (OME advertises its own numbers).
    media = [o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == "ovenspace-ome-media"]
    if len(media) != 1:
        problems.append("Service ovenspace-ome-media missing")
        return problems, rendered
    lb = {}
    for p in media[0]["spec"]["ports"]:
        target = p.get("targetPort", p["port"])
        number = target if isinstance(target, int) else next((k[0] for k, n in ctr.items() if n == target), None)
        problems.need(number == p["port"], f"ovenspace-ome-media port {p['port']} forwards to {target} ({number}), not the same number")
        lb[(p["port"], p.get("protocol", "TCP").lower())] = p.get("name")
    for key, what in sorted(binds.items()):
        if what in API_WHAT + INTERNAL_WHAT:
            problems.need(key not in lb, f"ovenspace-ome-media exposes OME's {what} port {key[0]}")
        else:
            problems.need(key in lb, f"OME {key[0]}/{key[1]} ({what}) is not exposed by ovenspace-ome-media")
    check_k8s_edges(problems, objs, find)
    return problems, os.path.basename(rendered)


def workload_ports(workload):
    out = {}
    for c in workload["spec"]["template"]["spec"]["containers"]:
        for p in c.get("ports", []):
            out[(p["containerPort"], p.get("protocol", "TCP").lower())] = p.get("name")
    return out


def check_k8s_edges(problems, objs, find):
    """OME edges (components/replicas): the StatefulSet declares what its
    Server.xml binds, and each pod's own LoadBalancer exposes every playback
    port under the same number (OME advertises its own numbers)."""
    edge = [o for o in objs if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "ovenspace-ome-edge"]
    if not edge:
        return
    # The Server.xml the edge pods mount (volume server-xml; an overlay may
    # swap in its TLS variant).
    volumes = {v["name"]: v for v in edge[0]["spec"]["template"]["spec"].get("volumes", [])}
    xml_name = ((volumes.get("server-xml") or {}).get("configMap") or {}).get("name")
    xml_cm = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == xml_name]
    env_cm = find("ConfigMap", "ovenspace-ome-edge-env")
    if len(xml_cm) != 1 or len(env_cm) != 1:
        problems.append("OME edges need a ConfigMap for their volume server-xml and ovenspace-ome-edge-env")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as tmp:
        tmp.write(xml_cm[0]["data"]["Server.xml"])
    try:
        binds = ServerXml(tmp.name).ports(env_cm[0].get("data", {}))
    finally:
        os.unlink(tmp.name)
    ctr = workload_ports(edge[0])
    for key, what in sorted(binds.items()):
        problems.need(key in ctr, f"the OME edge binds {key[0]}/{key[1]} ({what}) but its StatefulSet does not declare it")
    for key in sorted(set(ctr) - set(binds)):
        problems.append(f"the OME edge StatefulSet declares {key[0]}/{key[1]}, which its Server.xml does not bind")
    replicas = edge[0]["spec"].get("replicas", 1)
    for i in range(replicas):
        pod = f"ovenspace-ome-edge-{i}"
        own = [o for o in objs if o["kind"] == "Service" and o["spec"].get("type") == "LoadBalancer"
               and (o["spec"].get("selector") or {}).get("statefulset.kubernetes.io/pod-name") == pod]
        if len(own) != 1:
            problems.append(f"edge pod {pod} has {len(own)} LoadBalancer Services of its own, not 1")
            continue
        lb = {}
        for p in own[0]["spec"]["ports"]:
            target = p.get("targetPort", p["port"])
            number = target if isinstance(target, int) else next((k[0] for k, n in ctr.items() if n == target), None)
            problems.need(number == p["port"], f"{own[0]['metadata']['name']} port {p['port']} forwards to {target}, not the same number")
            lb[(p["port"], p.get("protocol", "TCP").lower())] = p.get("name")
        for key, what in sorted(binds.items()):
            if what in API_WHAT + INTERNAL_WHAT:
                problems.need(key not in lb, f"{own[0]['metadata']['name']} exposes the edge's {what} port {key[0]}")
            else:
                problems.need(key in lb, f"edge {key[0]}/{key[1]} ({what}) is not exposed by {own[0]['metadata']['name']}")


def compose_env(root, service, overrides=()):
    """NAME=value lines of the secret variables compose.yaml (with the
    override files named, e.g. compose.replicas.yaml) gives `service`."""
    compose = load_compose(os.path.join(root, "deploy", "compose.yaml"))
    for name in overrides:
        compose = merge_compose(compose, load_compose(os.path.join(root, "deploy", name)))
    env = compose["services"][service].get("environment", {})
    for var in SECRET_VARS:
        if env.get(var):
            print(f"{var}={env[var]}")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "compose-env":
        return compose_env(argv[1], argv[2], argv[3:])
    if len(argv) != 2 or argv[0] not in ("compose", "k8s"):
        print(__doc__, file=sys.stderr)
        return 2
    problems, what = check_repo(argv[1]) if argv[0] == "compose" else check_k8s(argv[1])
    if problems:
        print(f"ports {what}: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"ports {what}: agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
