#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Connection-level clients for the listener's end-to-end tests.

usage: connclient.py PORT SCENARIO [ARGS...]

  banner [SRC]            one connection (from address SRC, default
                          127.0.0.1): prints what the server sent first.
                          Exit 0 banner, 2 refused ("Not allowed at this
                          time"), 3 connection refused, 1 anything else.
  burst N HOLDFILE [SRC]  N connections one after the other; each reads
                          the server's first line and then stalls (never
                          sends a byte).  Prints "I OUTCOME" per
                          connection, then "held", keeps the accepted ones
                          open until HOLDFILE exists (at most 120 s), then
                          closes them all.
  churn N BATCH           N short connections, BATCH at a time, each
                          closed right after reading the first line.
                          Prints "banner=B refused=R other=O".
  relay GOFILE            an ssh ProxyCommand that holds its connection:
                          connects, waits until the banner has arrived,
                          creates GOFILE.held, and once GOFILE exists (at
                          most 60 s) relays stdin/stdout to the connection
                          until either side closes (at most 60 s).

The server is always 127.0.0.1:PORT; every wait is bounded.
"""
import os
import selectors
import socket
import sys
import time

HOST = "127.0.0.1"
REFUSED_LINE = b"Not allowed at this time"


def connect(port, src=None, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src is not None:
        s.bind((src, 0))
    s.connect((HOST, port))
    return s


def first_line(s, limit=512):
    data = b""
    try:
        while not data.endswith(b"\n") and len(data) < limit:
            c = s.recv(1)
            if not c:
                break
            data += c
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def classify(line):
    if line.startswith(b"SSH-2.0-"):
        return "banner"
    if line.startswith(REFUSED_LINE):
        return "refused"
    return "closed"


def wait_file(path, seconds):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.path.exists(path)


def banner(port, src=None):
    try:
        s = connect(port, src)
    except ConnectionRefusedError:
        print("connection refused")
        return 3
    line = first_line(s)
    s.close()
    what = classify(line)
    print("%s %r" % (what, line.strip()))
    return {"banner": 0, "refused": 2}.get(what, 1)


def burst(port, n, holdfile, src=None):
    held = []
    for i in range(int(n)):
        try:
            s = connect(port, src)
        except OSError as e:
            print("%d error %s" % (i, e), flush=True)
            continue
        what = classify(first_line(s))
        print("%d %s" % (i, what), flush=True)
        if what == "banner":
            held.append(s)
        else:
            s.close()
    print("held %d" % len(held), flush=True)
    wait_file(holdfile, 120)
    for s in held:
        s.close()
    return 0


def churn(port, n, batch):
    counts = {"banner": 0, "refused": 0, "closed": 0}
    left = int(n)
    while left > 0:
        socks = []
        for _ in range(min(int(batch), left)):
            try:
                socks.append(connect(port))
            except OSError:
                counts["closed"] += 1
        for s in socks:
            counts[classify(first_line(s))] += 1
            s.close()
        left -= int(batch)
    print("banner=%d refused=%d other=%d" %
          (counts["banner"], counts["refused"], counts["closed"]))
    return 0


def relay(port, gofile):
    s = connect(port)
    # Wait for the banner without consuming it: the client reads it.
    peek = s.recv(8, socket.MSG_PEEK)
    if not peek.startswith(b"SSH-"):
        sys.stderr.write("no banner: %r\n" % peek)
        return 1
    open(gofile + ".held", "w").close()
    if not wait_file(gofile, 60):
        sys.stderr.write("%s never appeared\n" % gofile)
        return 1
    sel = selectors.DefaultSelector()
    sel.register(0, selectors.EVENT_READ)
    sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            if key.fileobj == 0:
                data = os.read(0, 65536)
                if not data:
                    return 0
                s.sendall(data)
                continue
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                return 0
            while data:
                data = data[os.write(1, data):]
    return 1


def main():
    port = int(sys.argv[1])
    name = sys.argv[2]
    args = sys.argv[3:]
    fn = {"banner": banner, "burst": burst, "churn": churn,
          "relay": relay}.get(name)
    if fn is None:
        print(__doc__)
        return 1
    return fn(port, *args)


if __name__ == "__main__":
    sys.exit(main())
