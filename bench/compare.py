#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Compare hsshd with Debian's OpenSSH sshd in one run, as ratios.

Run as root on a machine with openssh-server and openssh-client (see
bench/run.sh, which builds and installs hsshd first).  Both servers get
the same host key, the same throw-away user with the same key, the same
cipher for each measurement, and are measured interleaved (A B A B ...)
so that load from elsewhere hits both alike.  Nothing leaves 127.0.0.1.

Measured:
  login     wall time of `ssh host true` (key exchange, publickey
            authentication, session, exit), median of --logins runs
  up/down   MB/s of --mbytes MiB through `cat` in each direction, per
            cipher, median of --runs runs
  memory    proportional set size (Pss) of the server's processes per
            idle connection (10 connections each running `sleep`), and
            of the idle listener
Ratios are hsshd / sshd: below 1 is better for times and memory, above 1
is better for throughput.  This is a benchmark, not a test: it never
fails on numbers.
"""

import argparse
import os
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

USER = "hsbench"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Server:
    def __init__(self, name, argv, port, log):
        self.name, self.port = name, port
        self.logf = open(log, "w")
        self.proc = subprocess.Popen(argv, stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise SystemExit("%s did not start; see %s" % (name, log))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


def children(pid):
    """All descendants of pid (by /proc/*/stat ppid)."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        parent.setdefault(ppid, []).append(int(d))
    out, pending = [], [pid]
    while pending:
        p = pending.pop()
        for c in parent.get(p, []):
            out.append(c)
            pending.append(c)
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Bench:
    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.key = os.path.join(tmp, "uk")
        self.known = os.path.join(tmp, "known_hosts")

    def ssh(self, srv, cipher=None):
        cmd = ["ssh", "-F", "none", "-o", "BatchMode=yes",
               "-o", "UserKnownHostsFile=" + self.known,
               "-o", "StrictHostKeyChecking=yes",
               "-o", "IdentitiesOnly=yes", "-i", self.key,
               "-o", "ControlPath=none", "-p", str(srv.port)]
        if cipher:
            cmd += ["-o", "Ciphers=" + cipher]
        return cmd + ["%s@127.0.0.1" % USER]

    def login_time(self, srv):
        t = time.monotonic()
        run(self.ssh(srv) + ["true"], stdout=subprocess.DEVNULL)
        return time.monotonic() - t

    def transfer(self, srv, cipher, up):
        n = self.args.mbytes * 1024 * 1024
        if up:
            src = subprocess.Popen(["head", "-c", str(n), "/dev/zero"],
                                   stdout=subprocess.PIPE)
            t = time.monotonic()
            run(self.ssh(srv, cipher) + ["cat > /dev/null"],
                stdin=src.stdout)
            src.wait()
        else:
            t = time.monotonic()
            p = subprocess.Popen(self.ssh(srv, cipher) +
                                 ["head -c %d /dev/zero" % n],
                                 stdout=subprocess.PIPE)
            got = 0
            while True:
                b = p.stdout.read(1 << 20)
                if not b:
                    break
                got += len(b)
            p.wait()
            if got != n:
                raise SystemExit("%s: short download (%d of %d)" %
                                 (srv.name, got, n))
        return self.args.mbytes / (time.monotonic() - t)

    def memory(self, srv, nconn=10):
        clients = [subprocess.Popen(self.ssh(srv) + ["sleep 60"],
                                    stdin=subprocess.DEVNULL)
                   for _ in range(nconn)]
        deadline = time.monotonic() + 60
        uid = pwd.getpwnam(USER).pw_uid
        while time.monotonic() < deadline:
            sleeps = [p for p in children(srv.proc.pid)
                      if comm(p) == "sleep" and os.stat("/proc/%d" % p).st_uid == uid]
            if len(sleeps) >= nconn:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        total = 0
        for p in children(srv.proc.pid):
            c = comm(p)
            if c.startswith("sshd") or c.startswith("hsshd"):
                total += pss_kib(p)
        for c in clients:
            c.kill()
            c.wait()
        return total / nconn

    def idle(self, srv):
        return pss_kib(srv.proc.pid)


def setup_user(tmp):
    subprocess.run(["userdel", "-f", "-r", USER], stderr=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    run(["useradd", "-m", "-s", "/bin/sh", USER])
    home = pwd.getpwnam(USER).pw_dir
    key = os.path.join(tmp, "uk")
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key])
    os.makedirs(home + "/.ssh", mode=0o700, exist_ok=True)
    shutil.copy(key + ".pub", home + "/.ssh/authorized_keys")
    run(["chown", "-R", "%s:%s" % (USER, USER), home + "/.ssh"])
    os.chmod(home + "/.ssh/authorized_keys", 0o600)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hsshd", required=True, help="the hsshd to run")
    ap.add_argument("--sshd", default="/usr/sbin/sshd")
    ap.add_argument("--logins", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mbytes", type=int, default=512)
    ap.add_argument("--ciphers", default="chacha20-poly1305@openssh.com,"
                    "aes256-gcm@openssh.com,aes128-gcm@openssh.com")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/compare.py: run as root")
    tmp = tempfile.mkdtemp(prefix="hsshd-bench.")
    servers = []
    try:
        setup_user(tmp)
        hk = os.path.join(tmp, "hk")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk])
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        ports = {"sshd": free_port(), "hsshd": free_port()}
        with open(os.path.join(tmp, "known_hosts"), "w") as f:
            pub = " ".join(open(hk + ".pub").read().split()[:2])
            for p in ports.values():
                f.write("[127.0.0.1]:%d %s\n" % (p, pub))
        common = ["ListenAddress 127.0.0.1", "HostKey " + hk,
                  "UsePAM yes", "LogLevel ERROR", "MaxStartups 100",
                  "PasswordAuthentication no",
                  "KbdInteractiveAuthentication no"]
        for name in ("sshd", "hsshd"):
            cfg = os.path.join(tmp, name + ".cfg")
            lines = common + ["Port %d" % ports[name],
                              "PidFile %s/%s.pid" % (tmp, name)]
            if name == "hsshd":
                lines.append("PerSourcePenalties no")
            with open(cfg, "w") as f:
                f.write("\n".join(lines) + "\n")
            binary = args.hsshd if name == "hsshd" else args.sshd
            servers.append(Server(name, [binary, "-D", "-e", "-f", cfg],
                                  ports[name],
                                  os.path.join(tmp, name + ".log")))
        b = Bench(args, tmp)
        res = {}

        def interleave(key, fn, n):
            vals = {s.name: [] for s in servers}
            for i in range(n):
                order = servers if i % 2 == 0 else servers[::-1]
                for s in order:
                    vals[s.name].append(fn(s))
            res[key] = {k: statistics.median(v) for k, v in vals.items()}

        for s in servers:		# warm up (first RSA/PAM loads etc.)
            b.login_time(s)
        res["listener idle Pss (KiB)"] = {s.name: b.idle(s) for s in servers}
        interleave("login: ssh host true (s)", b.login_time, args.logins)
        for c in args.ciphers.split(","):
            try:
                b.transfer(servers[1], c, True)
            except subprocess.CalledProcessError:
                print("# %s: not offered by this hsshd build, skipped" % c)
                continue
            interleave("upload %s (MB/s)" % c,
                       lambda s, c=c: b.transfer(s, c, True), args.runs)
            interleave("download %s (MB/s)" % c,
                       lambda s, c=c: b.transfer(s, c, False), args.runs)
        interleave("Pss per idle connection (KiB)", b.memory, 1)

        ver = subprocess.run([args.sshd, "-V"], capture_output=True,
                             text=True).stderr.strip()
        print("# hsshd vs %s, same host key, user and cipher; medians" % ver)
        print("%-48s %12s %12s %8s" % ("measure", "sshd", "hsshd",
                                       "hsshd/sshd"))
        for k, v in res.items():
            ratio = v["hsshd"] / v["sshd"] if v["sshd"] else float("nan")
            print("%-48s %12.3f %12.3f %8.2f" % (k, v["sshd"], v["hsshd"],
                                                 ratio))
    finally:
        for s in servers:
            s.stop()
        subprocess.run(["userdel", "-f", "-r", USER], stderr=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
