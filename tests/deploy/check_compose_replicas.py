#!/usr/bin/env python3
"""Checks the replicas variant of compose (issue 12): deploy/compose.yaml
with deploy/compose.replicas.yaml on top.

  - store: redis, Redis from the official Debian image with persistence off,
    and the room replicas' URL naming it with its password;
  - two or more room replicas, none publishing a port: nginx publishes the
    page's port and spreads requests over every replica (Docker's DNS, the
    Host header with its port, WebSocket upgrades);
  - every gateway container listed in room.gateways by compose's container
    name (<project>-gateway-<n>), with the link port;
  - the OME edge: its Server.xml in edge mode, every playback port it binds
    published under the same number and none of the origin's, its ome.edges
    entry with those ports and a probe_host the gateway can reach, OVT from
    the origin's OVT port, webhooks to the gateway.

  check_compose_replicas.py REPO_ROOT              check the files
  check_compose_replicas.py --self-test REPO_ROOT  break them in memory and
                                                   show each break is found
"""

import copy
import os
import re
import shutil
import sys
import tempfile

import yaml

from check_ports import (API_WHAT, INTERNAL_WHAT, OME_CONF, OVS_CONF, load_compose, merge_compose, mounted,
                         published)
from ome_xml import ServerXml
from selftest import judge

EDGE_CONF = "/opt/ovenmediaengine/bin/edge_conf/Server.xml"
NGINX_CONF = "/etc/nginx/nginx.conf"
REDIS_URL = re.compile(r"^redis://(?::(?P<password>[^@]*)@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?$")


def arg_after(command, flag):
    """The value following `flag` in a command list, or None."""
    command = [str(c) for c in command or []]
    return command[command.index(flag) + 1] if flag in command[:-1] else None


def check(compose, compose_dir, where):
    problems = []
    need = lambda cond, text: cond or problems.append(f"{where}: {text}")  # noqa: E731
    services = compose.get("services", {})
    for name in ("redis", "room", "gateway", "ome", "ome-edge", "nginx"):
        if name not in services:
            return [f"{where}: no service '{name}'"]
    room, gateway, redis, edge, nginx = (services[n] for n in ("room", "gateway", "redis", "ome-edge", "nginx"))
    cfg_path = mounted(room, OVS_CONF, compose_dir)
    need(cfg_path == mounted(gateway, OVS_CONF, compose_dir), "room and gateway mount different configs")
    with open(cfg_path, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    room_cfg, ome_cfg = cfg.get("room") or {}, cfg.get("ome") or {}
    link_port = ((cfg.get("gateway") or {}).get("link") or {}).get("port")
    listen_port = (room_cfg.get("listen") or {}).get("port")

    # Redis.
    need(cfg.get("store") == "redis", f"the config says store: {cfg.get('store', 'memory')}, not redis")
    image = str(redis.get("image", ""))
    need(re.search(r"(^|/)redis:[^ ]*bookworm", image), f"redis image '{image}' is not the official Debian (bookworm) one")
    command = [str(c) for c in redis.get("command") or []]
    need(arg_after(command, "--save") == "" and arg_after(command, "--appendonly") == "no",
         "redis is not started with --save \"\" --appendonly no (persistence off, as the example promises)")
    need(not redis.get("ports"), "redis publishes a port: only the room replicas may reach it")
    url = REDIS_URL.match(str((room.get("environment") or {}).get("OVENSPACE_REDIS_URL", "")))
    if not url:
        problems.append(f"{where}: the room service has no OVENSPACE_REDIS_URL redis://:password@host:port")
    else:
        need(url.group("host") == "redis", f"OVENSPACE_REDIS_URL names host '{url.group('host')}', not the service redis")
        need(url.group("password") == arg_after(command, "--requirepass"),
             "OVENSPACE_REDIS_URL's password is not redis's --requirepass")

    # Room replicas behind nginx.
    replicas = (room.get("deploy") or {}).get("replicas", 1)
    need(replicas >= 2, f"room runs {replicas} replica(s), not several")
    need(not room.get("ports"), "room replicas publish a port each (they would collide): nginx is the door")
    front = published(nginx, problems, f"{where} nginx")
    need(any(host_port == listen_port for _, host_port in front.values()),
         f"nginx does not publish the page's port {listen_port}")
    conf_path = mounted(nginx, NGINX_CONF, compose_dir)
    conf = open(conf_path, encoding="utf-8").read() if conf_path and os.path.isfile(conf_path) else ""
    need(conf, f"nginx does not mount a config at {NGINX_CONF}")
    if conf:
        need(re.search(rf"http://room:{listen_port}\b", conf), f"nginx does not proxy to http://room:{listen_port}")
        need(re.search(r"resolver\s+127\.0\.0\.11\b", conf) and re.search(r"set \$\w+ http://room", conf),
             "nginx resolves 'room' only once at start (needs resolver 127.0.0.11 and a variable): "
             "replicas added or restarted later would get no traffic")
        need(re.search(r"proxy_set_header\s+Host\s+\$http_host\s*;", conf),
             "nginx does not pass the Host header with its port ($http_host): the room service's same-origin "
             "check refuses every WebSocket")
        need(re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade", conf), "nginx does not pass WebSocket upgrades")

    # Every gateway, by container name.
    n_gateways = (gateway.get("deploy") or {}).get("replicas", 1)
    project = compose.get("name", "")
    want = [{"address": f"{project}-gateway-{i}", "port": link_port} for i in range(1, n_gateways + 1)]
    need(room_cfg.get("gateways") == want,
         f"room.gateways is {room_cfg.get('gateways')}, not each of the {n_gateways} gateway containers {want}")

    # The OME edge.
    edge_xml = mounted(edge, EDGE_CONF, compose_dir)
    need(edge_xml and os.path.isfile(edge_xml), f"ome-edge does not mount a Server.xml at {EDGE_CONF}")
    need(arg_after(edge.get("command"), "-c") == "edge_conf", "ome-edge is not started with -c edge_conf")
    env = {k: str(v) for k, v in (edge.get("environment") or {}).items()}
    origin_xml = mounted(services["ome"], OME_CONF, compose_dir)
    if not (edge_xml and os.path.isfile(edge_xml) and origin_xml):
        return problems
    origin_env = {k: str(v) for k, v in (services["ome"].get("environment") or {}).items()}
    origin = ServerXml(origin_xml)
    binds = ServerXml(edge_xml).ports(env)
    pub = published(edge, problems, f"{where} ome-edge")
    origin_pub = {host_port for _, host_port in published(services["ome"], problems, f"{where} ome").values()}
    for key, what in sorted(binds.items()):
        if what in API_WHAT + INTERNAL_WHAT:
            need(key not in pub, f"ome-edge publishes its {what} port {key[0]}")
            continue
        need(pub.get(key, (None, None))[1] == key[0], f"ome-edge binds {key[0]}/{key[1]} ({what}) but does not publish "
                                                      "it under the same number")
        need(key[0] not in origin_pub, f"ome-edge's {what} port {key[0]} is the origin's too")
    sx_edge = ServerXml(edge_xml)
    signalling = sx_edge.port_of("Publishers/WebRTC/Signalling/Port", env)
    llhls = sx_edge.port_of("Publishers/LLHLS/Port", env)
    entries = ome_cfg.get("edges") or []
    need(len(entries) == 1, f"ome.edges has {len(entries)} entries for one edge service")
    for e in entries:
        need(e.get("probe_host") == "ome-edge", f"ome.edges '{e.get('name')}': probe_host is not the service ome-edge")
        need((e.get("webrtc_publisher") or {}).get("port") == signalling,
             f"ome.edges '{e.get('name')}': webrtc_publisher port is not the edge's signalling port {signalling}")
        need((e.get("llhls") or {}).get("port") == llhls, f"ome.edges '{e.get('name')}': llhls port is not the edge's {llhls}")
    ovt = origin.port_of("Publishers/OVT/Port", origin_env)
    need(env.get("OVENSPACE_OME_ORIGIN") == f"ome:{ovt}", f"ome-edge's OVENSPACE_OME_ORIGIN is not the origin's OVT ome:{ovt}")
    hook = f"http://gateway:{((cfg.get('gateway') or {}).get('http') or {}).get('port')}/v1/admission"
    need(env.get("OVENSPACE_WEBHOOK_URL") == hook, f"ome-edge's OVENSPACE_WEBHOOK_URL is not {hook}")
    return problems


def merged(root):
    d = os.path.join(root, "deploy")
    return d, merge_compose(load_compose(os.path.join(d, "compose.yaml")),
                            load_compose(os.path.join(d, "compose.replicas.yaml")))


def self_test(root):
    d, base = merged(root)
    where = "compose.yaml+compose.replicas.yaml"
    scratch = tempfile.mkdtemp(prefix="ovs-compose-replicas-")

    def with_(edit):
        c = copy.deepcopy(base)
        edit(c["services"])
        return c

    def nginx_conf(old, new):
        def edit(s):
            text = open(mounted(s["nginx"], NGINX_CONF, d), encoding="utf-8").read()
            path = os.path.join(scratch, f"nginx-{len(os.listdir(scratch))}.conf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, new))
            s["nginx"]["volumes"] = [f"{path}:{NGINX_CONF}:ro"]
        return edit

    def edge_env(**values):
        return lambda s: s["ome-edge"]["environment"].update(values)

    cases = [
        ("as it is", base, []),
        ("three gateways, two listed", with_(lambda s: s["gateway"]["deploy"].update(replicas=3)),
         [r"room.gateways is .* not each of the 3 gateway containers"]),
        ("room replicas that publish 5000 each", with_(lambda s: s["room"].update(ports=["5000:5000/tcp"])),
         [r"room replicas publish a port each"]),
        ("one room replica", with_(lambda s: s["room"]["deploy"].update(replicas=1)), [r"room runs 1 replica"]),
        ("Redis with its default persistence",
         with_(lambda s: s["redis"].update(command=["redis-server", "--requirepass", "dev-only-redis-password"])),
         [r"persistence off"]),
        ("Redis published on the host", with_(lambda s: s["redis"].update(ports=["6379:6379"])),
         [r"redis publishes a port"]),
        ("the room's URL with another password",
         with_(lambda s: s["room"]["environment"].update(OVENSPACE_REDIS_URL="redis://:other@redis:6379")),
         [r"password is not redis's --requirepass"]),
        ("nginx without the port in Host", with_(nginx_conf("Host $http_host", "Host $host")),
         [r"same-origin check refuses every WebSocket"]),
        ("nginx resolving the replicas once",
         with_(nginx_conf("set $room_replicas http://room:5000;\n            proxy_pass $room_replicas;",
                          "proxy_pass http://room:5000;")),
         [r"resolves 'room' only once"]),
        ("an edge on the origin's ports",
         with_(lambda s: (edge_env(OME_WEBRTC_SIGNALLING_PORT="3333", OME_LLHLS_STREAM_PORT="3333")(s),
                          s["ome-edge"].update(ports=["3333:3333/tcp", "4478:4478/tcp",
                                                      "10010-10014:10010-10014/udp"]))),
         [r"ome-edge's [\w -]+ port 3333 is the origin's too", r"webrtc_publisher port is not"]),
        ("an edge port published under another number",
         with_(lambda s: s["ome-edge"].update(ports=["4334:4333/tcp", "4478:4478/tcp", "10010-10014:10010-10014/udp"])),
         [r"ome-edge binds 4333/tcp .* but does not publish it under the same number"]),
        ("an edge that pulls from the origin's API port", with_(edge_env(OVENSPACE_OME_ORIGIN="ome:8081")),
         [r"OVENSPACE_OME_ORIGIN is not the origin's OVT ome:9000"]),
    ]
    verdict = judge("compose replicas", [(name, check(compose, d, where), want) for name, compose, want in cases])
    shutil.rmtree(scratch, ignore_errors=True)
    return verdict


def main(argv):
    if len(argv) == 2 and argv[0] == "--self-test":
        return self_test(argv[1])
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d, compose = merged(argv[0])
    problems = check(compose, d, "compose.yaml+compose.replicas.yaml")
    if problems:
        print(f"compose replicas: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("compose replicas: Redis without persistence, room replicas behind nginx, every gateway linked, "
          "the edge on its own ports")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
