#!/usr/bin/env python3
"""Checks that an OME Server.xml holds what OvenSpace's gateway needs.

Usage: check_ome_xml.py [--tls] Server.xml [CONFIG.yaml]

With CONFIG (an OvenSpace config), the vhost and app names must match it.
Well-formedness itself is xmllint's job (scripts/check_deploy.sh ome)."""

import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml

from ome_xml import MACRO, ServerXml, expand

TOKEN_ENV = "OVENSPACE_OME_API_TOKEN"
SECRET_ENV = "OVENSPACE_WEBHOOK_SECRET"


def check(path, tls, config):
    problems = []
    need = problems.append
    try:
        sx = ServerXml(path)
    except Exception as e:  # parse errors name the line
        return [f"cannot parse: {e}"]
    if sx.root.tag != "Server" or sx.root.get("version") != "8":
        need('root is not <Server version="8">')

    # The REST API: on, with the token from the environment (never a literal:
    # the file is in git and OME exits on an empty token).
    if sx.port_of("Managers/API/Port") is None and sx.port_of("Managers/API/TLSPort") is None:
        need("Bind/Managers/API has no Port or TLSPort: the API is off")
    token = sx.text("Managers/API/AccessToken")
    if not token:
        need("Managers/API/AccessToken is missing or empty: OME would exit")
    elif not MACRO.fullmatch(token) or MACRO.fullmatch(token).group(1) != TOKEN_ENV or MACRO.fullmatch(token).group(2):
        need(f"Managers/API/AccessToken must be exactly ${{env:{TOKEN_ENV}}} (no literal, no default), got '{token}'")

    vhosts = sx.root.findall("VirtualHosts/VirtualHost")
    if len(vhosts) != 1:
        need(f"{len(vhosts)} VirtualHosts, expected 1")
        return problems
    vh = vhosts[0]
    vhost_name = (vh.findtext("Name") or "").strip()

    hooks = vh.find("AdmissionWebhooks")
    if hooks is None:
        need("VirtualHost has no AdmissionWebhooks")
    else:
        url = (hooks.findtext("ControlServerUrl") or "").strip()
        if not expand(url).endswith("/v1/admission") or not expand(url).startswith(("http://", "https://")):
            need(f"ControlServerUrl '{url}' does not end in the gateway's /v1/admission")
        if "OVENSPACE_WEBHOOK_URL" not in url:
            need("ControlServerUrl is not taken from ${env:OVENSPACE_WEBHOOK_URL:...}")
        secret = (hooks.findtext("SecretKey") or "").strip()
        m = MACRO.fullmatch(secret)
        if not m or m.group(1) != SECRET_ENV or m.group(2):
            need(f"AdmissionWebhooks/SecretKey must be exactly ${{env:{SECRET_ENV}}}, got '{secret}'")
        timeout = int((hooks.findtext("Timeout") or "0").strip() or 0)
        if not 500 <= timeout <= 3000:
            need(f"AdmissionWebhooks/Timeout {timeout} ms is outside 500..3000")
        providers = set((hooks.findtext("Enables/Providers") or "").replace(" ", "").split(","))
        publishers = set((hooks.findtext("Enables/Publishers") or "").replace(" ", "").split(","))
        if providers != {"rtmp", "webrtc", "srt"}:
            need(f"AdmissionWebhooks Enables/Providers is {sorted(providers)}, expected rtmp,webrtc,srt")
        if publishers != {"webrtc", "llhls"}:
            need(f"AdmissionWebhooks Enables/Publishers is {sorted(publishers)}, expected webrtc,llhls")

    apps = vh.findall("Applications/Application")
    app_names = [(a.findtext("Name") or "").strip() for a in apps]
    if config:
        ome = config.get("ome", {})
        if vhost_name != ome.get("vhost", "default"):
            need(f"VirtualHost '{vhost_name}' is not the config's ome.vhost '{ome.get('vhost', 'default')}'")
        if ome.get("app", "app") not in app_names:
            need(f"no Application '{ome.get('app', 'app')}' (the config's ome.app); have {app_names}")
    for app in apps:
        name = (app.findtext("Name") or "").strip()
        where = f"Application '{name}'"
        if (app.findtext("Type") or "").strip() != "live":
            need(f"{where}: Type is not live")
        for tag in ("RTMP", "SRT", "WebRTC"):
            if app.find("Providers/" + tag) is None:
                need(f"{where}: Providers lacks {tag}")
        for tag in ("WebRTC", "LLHLS"):
            if app.find("Publishers/" + tag) is None:
                need(f"{where}: Publishers lacks {tag}")
        origin_mode = (app.findtext("Publishers/LLHLS/OriginMode") or "").strip().lower()
        if origin_mode != "false":
            need(f"{where}: Publishers/LLHLS/OriginMode must be false with AdmissionWebhooks (got '{origin_mode}')")
        encodes = app.findall("OutputProfiles/OutputProfile/Encodes/*")
        bypass_video = any(e.tag == "Video" and (e.findtext("Bypass") or "").strip() == "true" for e in encodes)
        opus = any(e.tag == "Audio" and (e.findtext("Codec") or "").strip().lower() == "opus" for e in encodes)
        if not bypass_video:
            need(f"{where}: no bypass video encode")
        if not opus:
            need(f"{where}: no opus audio encode (RTMP/SRT AAC could not play over WebRTC)")
        # With its defaults the file must work on any OME build: an AAC
        # encode needs libfdk_aac (absent from Debian's FFmpeg), so it may
        # only be switched on by the environment.
        for e in encodes:
            if e.tag != "Audio" or (e.findtext("Codec") or "").strip().lower() != "aac":
                continue
            bypass = (e.findtext("Bypass") or "").strip()
            if expand(bypass) != "true":
                need(f"{where}: audio encode '{e.findtext('Name')}' encodes AAC by default "
                     f"(Bypass '{bypass}'): breaks browser broadcasts on an OME without libfdk_aac")

    # Every port from the environment, with the usual number as its default,
    # so tests and deployments change ports without editing the file.
    bind = sx.find("Bind")
    for node in bind.iter() if bind is not None else []:
        if node.tag in ("Port", "TLSPort", "IceCandidate", "TcpRelay"):
            text = (node.text or "").strip()
            if node.tag in ("IceCandidate", "TcpRelay"):  # ADDRESS:${env:...}
                tail = re.search(r":(\$\{env:[^}]*\})$", text)
                port_part = tail.group(1) if tail else text
            else:
                port_part = text
            m = MACRO.fullmatch(port_part)
            if not m or not m.group(2):
                need(f"Bind: <{node.tag}>{text}</{node.tag}> is not ${{env:NAME:default}}")
    ip = sx.text("IP") or ""
    if not MACRO.fullmatch(ip):
        need(f"<IP>{ip}</IP> is not taken from the environment (tests bind 127.0.0.1)")

    ice = sx.root.findall("Bind/*/WebRTC/IceCandidates/IceCandidate")
    if not ice or not all("OME_HOST_IP" in (c.text or "") for c in ice):
        need("IceCandidates must use ${env:OME_HOST_IP:...} so the public address can be given")

    if tls:
        for xpath in ("Managers/API/TLSPort", "Providers/WebRTC/Signalling/TLSPort",
                      "Publishers/WebRTC/Signalling/TLSPort", "Publishers/LLHLS/TLSPort"):
            if sx.port_of(xpath) is None:
                need(f"TLS variant lacks Bind/{xpath}")
        for where, node in (("Managers/Host", sx.find("Managers/Host")), ("VirtualHost/Host", vh.find("Host"))):
            if node is None or not all((node.findtext("TLS/" + k) or "").strip() for k in ("CertPath", "KeyPath")):
                need(f"TLS variant: {where}/TLS lacks CertPath/KeyPath")
    return problems


def check_logger(path):
    """The Logger.xml shipped next to Server.xml: version 2, an absolute
    <Path> (OME expands nothing in it), at least one tag."""
    problems = []
    try:
        root = ET.parse(path).getroot()
    except Exception as e:
        return [f"cannot parse: {e}"]
    if root.tag != "Logger" or root.get("version") != "2":
        problems.append('root is not <Logger version="2">')
    log_path = (root.findtext("Path") or "").strip()
    if not log_path.startswith("/") or "${" in log_path:
        problems.append(f"<Path> '{log_path}' must be absolute and literal")
    if not root.findall("Tag"):
        problems.append("no <Tag>: OME refuses a Logger.xml without one")
    return problems


def main(argv):
    tls = "--tls" in argv
    args = [a for a in argv if a != "--tls"]
    if not 1 <= len(args) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    config = None
    if len(args) == 2:
        with open(args[1], encoding="utf-8") as f:
            config = yaml.safe_load(f)
    problems = check(args[0], tls, config)
    logger = os.path.join(os.path.dirname(args[0]) or ".", "Logger.xml")
    if not os.path.exists(logger):
        problems.append(f"no {logger} next to it: OME would log to its built-in default")
    else:
        problems += [f"{logger}: {p}" for p in check_logger(logger)]
    if problems:
        print(f"ome {args[0]}: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"ome {args[0]}: API, token, webhooks, app, LL-HLS OriginMode, encodes, ports from the environment, "
          f"Logger.xml{', TLS' if tls else ''}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
