#!/usr/bin/env python3
"""For scripts/check_deploy.sh config: reads the room service's secrets
(NAME=value lines, NAME_FILE=path for mounted files), writes them to DST
with the Redis URL pointed at a local redis-server on PORT (keeping its user,
password and database), and prints the password (empty when none).

Usage: redis_url_loopback.py SECRETS.env DST.env PORT"""

import re
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, port = argv
    lines, url = [], None
    with open(src, encoding="utf-8") as f:
        for line in f.read().splitlines():
            name, _, value = line.partition("=")
            if name == "OVENSPACE_REDIS_URL_FILE":
                with open(value, encoding="utf-8") as v:
                    url = v.read().strip()
            elif name == "OVENSPACE_REDIS_URL":
                url = value
            elif line:
                lines.append(line)
    m = re.match(r"^redis://(?:([^:@/]*):([^@/]*)@)?[^/]+(/.*)?$", url or "")
    if not m:
        print(f"no redis:// URL among the room service's secrets in {src}", file=sys.stderr)
        return 1
    auth = f"{m.group(1) or ''}:{m.group(2)}@" if m.group(2) else ""
    lines.append(f"OVENSPACE_REDIS_URL=redis://{auth}127.0.0.1:{port}{m.group(3) or ''}")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    print(m.group(2) or "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
