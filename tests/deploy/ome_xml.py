"""Reads an OvenMediaEngine Server.xml the way the deploy checks need it:
element lookups, ${env:NAME:default} macros, and the ports it binds."""

import re
import xml.etree.ElementTree as ET

MACRO = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def expand(text, env=None):
    """OME's macro expansion: the variable when set in `env`, else the default
    after the colon, else the empty string."""
    env = env or {}
    return MACRO.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text or "")


class ServerXml:
    def __init__(self, path):
        self.path = path
        self.root = ET.parse(path).getroot()

    def find(self, xpath):
        return self.root.find(xpath)

    def text(self, xpath):
        node = self.root.find(xpath)
        return None if node is None or node.text is None else node.text.strip()

    def ports(self, env=None):
        """Every (port, protocol) the server binds, with what it is for:
        {(8081, 'tcp'): 'API', (10000, 'udp'): 'ICE', ...}."""
        found = {}

        def add(port, proto, what):
            found[(int(port), proto)] = what

        bind = self.root.find("Bind")
        if bind is None:
            return found
        for tag in ("Port", "TLSPort"):
            for xpath, proto, what in (
                ("Managers/API/" + tag, "tcp", "API"),
                ("Providers/RTMP/" + tag, "tcp", "RTMP"),
                ("Providers/SRT/" + tag, "udp", "SRT"),
                ("Providers/WebRTC/Signalling/" + tag, "tcp", "WebRTC signalling"),
                ("Publishers/WebRTC/Signalling/" + tag, "tcp", "WebRTC signalling"),
                ("Publishers/LLHLS/" + tag, "tcp", "LL-HLS"),
                ("Publishers/OVT/" + tag, "tcp", "OVT"),
            ):
                node = bind.find(xpath)
                if node is not None and node.text:
                    add(expand(node.text.strip(), env), proto, what + (" (TLS)" if tag == "TLSPort" else ""))
        for side in ("Providers", "Publishers"):
            ice = bind.find(side + "/WebRTC/IceCandidates")
            if ice is None:
                continue
            for cand in ice.findall("IceCandidate"):
                # "<ip>:<from>[-<to>][/udp|/tcp]"
                m = re.match(r"^.*:(\d+)(?:-(\d+))?(?:/(udp|tcp))?$", expand(cand.text.strip(), env))
                if not m:
                    raise ValueError(f"{self.path}: cannot read IceCandidate '{cand.text}'")
                low, high = int(m.group(1)), int(m.group(2) or m.group(1))
                for p in range(low, high + 1):
                    add(p, m.group(3) or "udp", "ICE")
            relay = ice.find("TcpRelay")
            if relay is not None and relay.text:
                add(expand(relay.text.strip(), env).rsplit(":", 1)[1], "tcp", "TURN relay")
        return found

    def port_of(self, xpath, env=None):
        value = self.text("Bind/" + xpath)
        return None if value is None else int(expand(value, env))
