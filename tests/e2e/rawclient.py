#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Hostile and odd SSH clients for the end-to-end tests (loopback only).

usage: rawclient.py PORT SCENARIO
Every scenario is bounded in time; the exit status says whether the server
behaved (0) or not (1), with a line on stdout saying what was seen.
"""
import os
import socket
import struct
import sys
import time

HOST = "127.0.0.1"


def connect(port, timeout=10.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_line(s, limit=512):
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        c = s.recv(1)
        if not c:
            break
        data += c
    return data


def read_all(s, limit=1 << 20):
    data = b""
    try:
        while len(data) < limit:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def plain_packet(payload, pad=8, padlen=None):
    """An unencrypted binary packet (RFC 4253 6)."""
    if padlen is None:
        padlen = pad - ((len(payload) + 5) % pad)
        if padlen < 4:
            padlen += pad
    body = bytes([padlen]) + payload + b"\0" * padlen
    return struct.pack(">I", len(body)) + body


def closed_after(s, seconds):
    """True if the server closes within the time limit."""
    s.settimeout(seconds)
    try:
        while True:
            c = s.recv(65536)
            if not c:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def scenario(port, name):
    s = connect(port)
    banner = read_line(s)
    if not banner.startswith(b"SSH-2.0-hsshd_"):
        print("no hsshd banner: %r" % banner)
        return 1
    if name == "banner-only":
        print(banner.decode().strip())
        return 0
    if name == "garbage-banner":
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    elif name == "ssh1-banner":
        s.sendall(b"SSH-1.5-OldClient\r\n")
    elif name == "long-banner":
        s.sendall(b"SSH-2.0-" + b"x" * 400 + b"\r\n")
    elif name == "nul-banner":
        s.sendall(b"SSH-2.0-a\0b\r\n")
    elif name == "slow-banner":
        # Never finish the version line; the server must give up by itself.
        s.sendall(b"SSH-2.0-slo")
        ok = closed_after(s, 30)
        print("closed by server" if ok else "still open after 30 s")
        return 0 if ok else 1
    else:
        s.sendall(b"SSH-2.0-rawclient_1.0\r\n")
        if name == "truncated-packet":
            # A well-formed start (1004 + 4 is block-aligned), then EOF.
            s.sendall(struct.pack(">I", 1004) + b"\x05abc")
            s.shutdown(socket.SHUT_WR)
        elif name == "oversized-packet":
            s.sendall(struct.pack(">I", 16 * 1024 * 1024) + b"\x04" + b"A" * 64)
        elif name == "tiny-packet":
            # A whole first block whose length field says 1.
            s.sendall(struct.pack(">I", 1) + b"\x04" + b"\0" * 3)
        elif name == "bad-padding":
            s.sendall(plain_packet(b"\x14" + b"\0" * 40, padlen=2))
        elif name == "unaligned-packet":
            s.sendall(struct.pack(">I", 13) + b"\x04" + b"\x02abcdefgh" + b"\0" * 3)
        elif name == "kexinit-garbage":
            s.sendall(plain_packet(b"\x14" + os.urandom(16) + b"\xff\xff\xff\xff"))
        elif name == "service-before-kex":
            s.sendall(plain_packet(b"\x05" + struct.pack(">I", 12) + b"ssh-userauth"))
        else:
            print("unknown scenario " + name)
            return 2
    data = read_all(s)
    closed = True
    print("server closed after %d bytes" % len(data))
    return 0 if closed else 1


def main():
    port = int(sys.argv[1])
    name = sys.argv[2]
    try:
        return scenario(port, name)
    except (ConnectionError, socket.timeout) as e:
        print("connection error: %s" % e)
        return 0 if name != "banner-only" else 1


if __name__ == "__main__":
    sys.exit(main())
