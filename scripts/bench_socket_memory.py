#!/usr/bin/env python3
"""What the kernel keeps per TCP connection (a script, not a test): the
socket at rest and one small message queued on it. docs/deploy.md "Memory"
uses the figures for the per-connection budget (cgroup v2 charges both to the
container, so they count against a pod's memory limit).

Opens N loopback connections (2 sockets each), reads the kernel's slab
memory before and after, then queues one MESSAGE-byte message on each
accepted socket (unread) and reads the socket buffer memory
(/proc/net/sockstat "mem", in pages). Other processes' activity is noise:
run it on a quiet machine, or a few times.

Usage: scripts/bench_socket_memory.py [N [MESSAGE_BYTES]]   (default 4000 1024)
"""

import os
import resource
import socket
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def slab_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    raise RuntimeError("no Slab line in /proc/meminfo")


def tcp_buffer_pages():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("mem") + 1])
    raise RuntimeError("no TCP line in /proc/net/sockstat")


def main(argv):
    n = int(argv[0]) if argv else 4000
    message = b"x" * (int(argv[1]) if len(argv) > 1 else 1024)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2 * n + 16:
        sys.exit(f"needs {2 * n + 16} descriptors, the hard limit is {hard}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    time.sleep(0.5)
    slab0, pages0 = slab_kib(), tcp_buffer_pages()
    pairs = []
    for _ in range(n):
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        # As the room service sets it on every WebSocket.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        pairs.append((client, server))
    time.sleep(0.5)
    slab1, pages1 = slab_kib(), tcp_buffer_pages()
    per_socket = (slab1 - slab0) / (2 * n)
    print(f"{n} connections: kernel slab +{slab1 - slab0} KiB = {per_socket:.1f} KiB per socket at rest")
    for _, server in pairs:
        server.send(message)
    time.sleep(0.5)
    pages2 = tcp_buffer_pages()
    queued = (pages2 - pages1) * PAGE / 1024 / n
    print(f"one {len(message)}-byte message queued per connection: socket buffers "
          f"+{(pages2 - pages1) * PAGE // 1024} KiB = {queued:.1f} KiB per connection")
    print(f"(buffers before the messages: +{(pages1 - pages0) * PAGE // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
