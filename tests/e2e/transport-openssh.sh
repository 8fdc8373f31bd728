#!/bin/sh
# SPDX-License-Identifier: ISC
# The transport library against a real OpenSSH client (TAP): for every key
# exchange and every cipher/MAC pair hsshd implements, tests/unit/
# interop-server runs version exchange, KEXINIT, the key exchange with an
# ed25519 host key, NEWKEYS and the first encrypted packets both ways with
# "ssh" connecting to it on 127.0.0.1.  The client checks our exchange hash
# (host key signature), key derivation, packet encryption and MACs; we
# check its.  Algorithms the build lacks are skipped.
set -u

top_builddir=${top_builddir:-.}
SERVER=$top_builddir/tests/unit/interop-server

if ! command -v ssh >/dev/null 2>&1; then
	echo "1..0 # SKIP ssh not installed (apt-get install openssh-client)"
	exit 0
fi
if [ ! -x "$SERVER" ]; then
	echo "Bail out! $SERVER not built"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hs-xport.XXXXXX") || exit 1
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
failed=0

# run KEX CIPHER MAC
run() {
	n=$((n + 1))
	desc="$1 $2"
	[ "$3" = - ] || desc="$desc $3"
	out=$tmp/out.$n
	"$SERVER" "$1" "$2" "$3" >"$out" 2>&1 &
	srv_pid=$!
	i=0
	while ! grep -q . "$out" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	port=$(head -n 1 "$out")
	case $port in
	SKIP*)
		wait "$srv_pid"; srv_pid=
		echo "ok $n - $desc # SKIP not in this build"
		return ;;
	''|*[!0-9]*)
		wait "$srv_pid"; srv_pid=
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		sed 's/^/# /' "$out"
		return ;;
	esac
	macopt=
	[ "$3" = - ] || macopt="-oMACs=$3"
	# The helper closes after USERAUTH_REQUEST: ssh exits non-zero.
	ssh -F /dev/null -oBatchMode=yes -oStrictHostKeyChecking=no \
	    -oUserKnownHostsFile=/dev/null -oLogLevel=ERROR \
	    -oConnectTimeout=10 -oKexAlgorithms="$1" -oCiphers="$2" \
	    -oHostKeyAlgorithms=ssh-ed25519 $macopt -p "$port" \
	    hsshd-test@127.0.0.1 true </dev/null >"$tmp/ssh" 2>&1
	wait "$srv_pid"
	rc=$?
	srv_pid=
	if [ $rc -eq 0 ] && grep -q \
	    '^OK .*user hsshd-test service ssh-connection method none$' "$out"
	then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		sed 's/^/# server: /' "$out"
		sed 's/^/# ssh: /' "$tmp/ssh"
	fi
}

for kex in curve25519-sha256 curve25519-sha256@libssh.org \
    ecdh-sha2-nistp256 ecdh-sha2-nistp384 ecdh-sha2-nistp521 \
    diffie-hellman-group14-sha256 diffie-hellman-group16-sha512 \
    diffie-hellman-group18-sha512; do
	run "$kex" chacha20-poly1305@openssh.com -
done
for c in aes256-gcm@openssh.com aes128-gcm@openssh.com; do
	run curve25519-sha256 "$c" -
done
for c in aes128-ctr aes192-ctr aes256-ctr; do
	for m in hmac-sha2-256 hmac-sha2-512 hmac-sha2-256-etm@openssh.com \
	    hmac-sha2-512-etm@openssh.com; do
		run curve25519-sha256 "$c" "$m"
	done
done

echo "1..$n"
[ "$failed" -eq 0 ]
