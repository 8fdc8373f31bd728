#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# tosprobe.py PORT SECONDS OUT: as root, watch the loopback interface for
# SECONDS and write to OUT, one per line, the IPv4 TOS byte (hex) of every
# TCP segment with a payload sent FROM 127.0.0.1:PORT, in order.  Used by
# tests/e2e/logging.sh to see IPQoS on the wire (no tcpdump needed).
import socket
import struct
import sys
import time

port, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
s.bind(("lo", 0))
s.settimeout(0.2)
deadline = time.monotonic() + secs
seen = []
with open(out + ".tmp", "w") as f:
    f.write("ready\n")
import os
os.rename(out + ".tmp", out + ".ready")
while time.monotonic() < deadline and len(seen) < 100000:
    try:
        frame, addr = s.recvfrom(65600)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue  # each loopback packet shows up twice
    ip = frame[14:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:]
    if len(tcp) < 20:
        continue
    sport = struct.unpack("!H", tcp[0:2])[0]
    doff = (tcp[12] >> 4) * 4
    if sport != port or total - ihl - doff <= 0:
        continue
    seen.append("%02x" % ip[1])
with open(out, "w") as f:
    f.write("\n".join(seen) + ("\n" if seen else ""))
