#!/bin/sh
# SPDX-License-Identifier: ISC
# A compromised pre-auth child (tests/unit/evil-preauth) drives the
# monitor's RPC directly: out-of-phase, repeated, oversized, malformed and
# unknown requests are each refused and logged (the child is killed), an
# unsandboxed child is refused, and the only signature it can obtain is
# over a genuine exchange hash of this server, once.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
cfg="$T_DIR/sshd_config"
write_config "$cfg" "HostKey $T_DIR/hk" "HostKeyAlgorithms ssh-ed25519" \
	"KexAlgorithms curve25519-sha256" "Ciphers chacha20-poly1305@openssh.com"
mkdir -p "$T_DIR/libexec"
ln -s "$top_builddir/monitor/hsshd-monitor" "$T_DIR/libexec/hsshd-monitor"
ln -s "$top_builddir/tests/unit/evil-preauth" "$T_DIR/libexec/hsshd-preauth"
HSSHD_LIBEXEC_DIR="$T_DIR/libexec"
export HSSHD_LIBEXEC_DIR
start_hsshd "$cfg" || { not_ok "server starts"; done_testing; exit 1; }

# run SCENARIO MONITOR_LOG_PATTERN [EVIL_LINE_PATTERN]
run() {
	_before=$(grep -c . "$T_DIR/hsshd.log")
	"$PYTHON" -c 'import socket,sys,time
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=10)
s.sendall(sys.argv[2].encode()+b"\n"); time.sleep(0.5)' "$T_PORT" "$1"
	if wait_for "tail -n +$((_before + 1)) '$T_DIR/hsshd.log' | grep -q -E '$2'" 50; then
		ok "$1: refused and logged"
	else
		not_ok "$1: expected /$2/"; diag_file "$T_DIR/hsshd.log" 15
	fi
}

run sign-first "RPC_KEX_SIGN .*not allowed in state INIT"
run hello-twice "RPC_HELLO .*not allowed in state BANNER"
run unknown-type "UNKNOWN \\(200\\) not allowed"
run oversized "bad RPC frame"
run trailing "RPC_HELLO"'.*(trailing|malformed)'
run bad-banner "malformed or refused RPC_PEER_BANNER"
run bad-kexinit "malformed or refused RPC_KEX_SIGN"
run unsandboxed "is not sandboxed"
run sign "evil: signature over attacker data"
check "signature is over the genuine exchange hash" grep -q "evil: signature over the genuine exchange hash: valid" "$T_DIR/hsshd.log"
check "signature is not over attacker-chosen data" grep -q "evil: signature over attacker data: invalid" "$T_DIR/hsshd.log"
run sign-twice "RPC_KEX_SIGN .*(not allowed|beyond)"
check "no second signature without a new key exchange" sh -c "! grep -q 'second signature: GRANTED' '$T_DIR/hsshd.log'"
check "listener alive after all of it" kill -0 "$T_SERVER"
stop_hsshd
done_testing
