#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""paramiko-driven checks that need a scriptable client (loopback only).

usage: pmclient.py PORT SCENARIO
  rekey     key exchange, a client-forced re-key before authentication,
            then an authentication attempt that must be refused cleanly
  bad-mac   key exchange, then bytes that cannot authenticate: the server
            must close the connection
"""
import os
import socket
import sys
import time

import paramiko


def transport(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    t = paramiko.Transport(sock)
    t.banner_timeout = 10
    t.start_client(timeout=10)
    return t, sock


def rekey(port):
    t, _ = transport(port)
    first = t.session_id
    t.renegotiate_keys()
    deadline = time.time() + 10
    while t.in_kex if hasattr(t, "in_kex") else False:
        if time.time() > deadline:
            print("re-key did not finish")
            return 1
        time.sleep(0.05)
    if t.session_id != first:
        print("session id changed across re-key")
        return 1
    try:
        t.auth_none("nobody")
    except paramiko.BadAuthenticationType as e:
        print("after re-key: auth refused, methods %s" % ",".join(e.allowed_types))
        t.close()
        return 0
    except paramiko.SSHException as e:
        print("after re-key: %s" % e)
        return 1
    print("auth unexpectedly succeeded")
    return 1


def bad_mac(port):
    t, sock = transport(port)
    # Write garbage under the negotiated keys: it cannot authenticate.
    sock.sendall(os.urandom(256))
    deadline = time.time() + 10
    while t.is_active() and time.time() < deadline:
        time.sleep(0.05)
    print("transport active: %s" % t.is_active())
    return 0 if not t.is_active() else 1


def main():
    port = int(sys.argv[1])
    return {"rekey": rekey, "bad-mac": bad_mac}[sys.argv[2]](port)


if __name__ == "__main__":
    sys.exit(main())
