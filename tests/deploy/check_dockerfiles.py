#!/usr/bin/env python3
"""Checks that each image's build stage installs every package scripts/deps.sh
installs for a build (the libraries the tree's CMake files require, even
those its target does not link: CMake configures the whole tree). The images
went without spdlog, CLI11 and hiredis once, and CI's compose job failed to
build them.

  check_dockerfiles.py REPO_ROOT              check deploy/docker/*.Dockerfile
  check_dockerfiles.py --self-test REPO_ROOT  drop a package from a copy and
                                              show it is found
"""

import glob
import os
import re
import sys

from selftest import judge


def build_packages(deps_sh):
    """The packages of deps.sh's first `packages=( ... )` list (the build's)."""
    m = re.search(r"^packages=\(\n(.*?)^\)", deps_sh, re.S | re.M)
    if not m:
        raise ValueError("scripts/deps.sh has no packages=( ... ) list")
    words = re.sub(r"#.*", "", m.group(1)).split()
    return [w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)]


def build_stage_installs(dockerfile):
    """The packages apt-get installs in the first stage (FROM ... AS build)."""
    stages = re.split(r"^FROM\s", dockerfile, flags=re.M)
    if len(stages) < 3:
        return None
    text = stages[1].replace("\\\n", " ")
    out = set()
    for m in re.finditer(r"apt-get install ([^&\n]*)", text):
        out.update(w for w in m.group(1).split() if not w.startswith("-"))
    return out


def check(root, dockerfiles=None):
    with open(os.path.join(root, "scripts", "deps.sh"), encoding="utf-8") as f:
        wanted = build_packages(f.read())
    problems = []
    files = dockerfiles or {p: open(p, encoding="utf-8").read()
                            for p in sorted(glob.glob(os.path.join(root, "deploy", "docker", "*.Dockerfile")))}
    if not files:
        problems.append("no deploy/docker/*.Dockerfile")
    for path, text in files.items():
        got = build_stage_installs(text)
        name = os.path.basename(path)
        if got is None:
            problems.append(f"{name}: no build stage (FROM ... AS build, then the runtime stage)")
            continue
        for p in wanted:
            if p in ("nodejs", "npm"):
                continue  # deps.sh adds them only where absent; the room image installs both
            if p not in got:
                problems.append(f"{name}: the build stage does not install {p} (scripts/deps.sh does): "
                                "CMake would not configure")
    return problems


def self_test(root):
    path = os.path.join(root, "deploy", "docker", "room.Dockerfile")
    text = open(path, encoding="utf-8").read()
    without = text.replace(" libhiredis-dev", "")
    if without == text:
        print("dockerfiles self-test: room.Dockerfile names no libhiredis-dev to drop", file=sys.stderr)
        return 1
    return judge("dockerfiles", [
        ("as they are", check(root), []),
        ("room's build stage without libhiredis-dev", check(root, {path: without}),
         [r"room\.Dockerfile: the build stage does not install libhiredis-dev"]),
    ])


def main(argv):
    if len(argv) == 2 and argv[0] == "--self-test":
        return self_test(argv[1])
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(argv[0])
    if problems:
        print(f"dockerfiles: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("dockerfiles: each build stage installs every package scripts/deps.sh installs for a build")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
