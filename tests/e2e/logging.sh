#!/bin/sh
# SPDX-License-Identifier: ISC
# What the log and the socket show, with Debian's OpenSSH client (as root:
# a throw-away account, and a packet socket on the loopback interface to
# read the TOS byte of what the server sends).  LogVerbose forces the named
# call sites of the listener, the monitor, the pre-auth child and the
# session into a LogLevel INFO log; IPQoS marks the handshake and terminal
# sessions "interactive" and sessions without a terminal "bulk";
# TCPKeepAlive arms the kernel's keepalive timer; FingerprintHash md5
# changes the fingerprints of the auth log lines; UseDNS yes lets Match
# Host and AllowUsers USER@HOST see the verified name "localhost".
. "$top_srcdir/tests/e2e/lib.sh"

test_user hstl

test_hostkey
# af41 = 0x88 (interactive), cs2 = 0x40 (bulk).
fph=
has_openssl && fph="FingerprintHash md5"
T_LOGLEVEL=INFO write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" \
	"IPQoS af41 cs2" ${fph:+"$fph"} \
	"LogVerbose kexdrv.c:*:* answer-kex.c:*:*,main.c:main():*" \
	"Match Host localhost" "ForceCommand echo matched-by-name"
start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }
S="$(ssh_opts) -o IdentitiesOnly=yes -i $T_DIR/uk"

# probe OUT COMMAND...: the TOS bytes the server sent while COMMAND ran.
probe() {
	_o=$1; shift
	rm -f "$_o" "$_o.ready"
	"$PYTHON" "$top_srcdir/tests/e2e/tosprobe.py" "$T_PORT" 6 "$_o" &
	_p=$!
	T_PIDS="$T_PIDS $_p"
	wait_for "[ -e '$_o.ready' ]" 50
	"$@" >/dev/null 2>&1
	wait "$_p"
	t_forget "$_p"
}

# shellcheck disable=SC2086
probe "$T_DIR/bulk" ssh $S "$U@127.0.0.1" 'head -c 300000 /dev/zero'
check "the handshake is marked interactive (af41)" [ "$(head -n 1 "$T_DIR/bulk")" = 88 ]
check "a session without a terminal is marked bulk (cs2)" grep -q -x 40 "$T_DIR/bulk"
check "... and its bulk data is all bulk" [ "$(tail -n 1 "$T_DIR/bulk")" = 40 ]
# shellcheck disable=SC2086
probe "$T_DIR/tty" ssh -tt $S "$U@127.0.0.1" 'head -c 3000 /dev/zero; sleep 0.3'
check "a terminal session ends marked interactive" [ "$(tail -n 1 "$T_DIR/tty")" = 88 ]

log="$T_DIR/hsshd.log"
check "LogVerbose forces the pre-auth child's lines (tagged file:function():line)" \
	grep -q -E '\]: kexdrv\.c:[a-z_0-9]+\(\):[0-9]+: kex: algorithm: .* \[preauth\]$' "$log"
check "LogVerbose forces the monitor's lines" \
	grep -q -E '\]: answer-kex\.c:[a-z_0-9]+\(\):[0-9]+: ' "$log"
check "LogVerbose forces the session's lines" \
	grep -q -E "\\]: main\\.c:main\\(\\):[0-9]+: session for $U " "$log"
check "nothing else below LogLevel INFO is logged" sh -c "! grep -q 'debug[123]: ' '$log'"
check "call sites not named stay quiet (channel.c)" sh -c "! grep -q 'channel\.c:' '$log'"

# shellcheck disable=SC2086
ssh $S "$U@127.0.0.1" 'sleep 3' >/dev/null 2>&1 &
sp=$!
T_PIDS="$T_PIDS $sp"
check "TCPKeepAlive yes (default): the server's socket has a keepalive timer" \
	wait_for "ss -tno state established '( sport = :$T_PORT )' | grep -q 'timer:(keepalive'" 30
wait "$sp"; t_forget "$sp"
if has_openssl; then
	fp=$(ssh-keygen -l -E md5 -f "$T_DIR/uk.pub" | cut -d' ' -f2)
	check "FingerprintHash md5: the Accepted line carries ssh-keygen's MD5 form" \
		grep -q "Accepted publickey for $U from 127.0.0.1 port [0-9]* ssh2: ED25519 $fp" "$log"
else
	skip "FingerprintHash md5" "MD5 needs OpenSSL's libcrypto"
fi
# shellcheck disable=SC2086
check "UseDNS no: Match Host sees the address, not a name" \
	sh -c "[ \"\$(ssh $S '$U@127.0.0.1' 'echo plain')\" = plain ]"
stop_hsshd

write_config "$T_DIR/cfg2" "HostKey $T_DIR/hk" "UseDNS yes" \
	"AllowUsers $U@localhost" \
	"Match Host localhost" "ForceCommand echo matched-by-name"
start_hsshd "$T_DIR/cfg2" || { not_ok "server starts"; done_testing; exit 1; }
# shellcheck disable=SC2086
check "UseDNS yes: Match Host localhost applies to 127.0.0.1" \
	sh -c "[ \"\$(ssh $S '$U@127.0.0.1' 'echo plain')\" = matched-by-name ]"
check "... and AllowUsers USER@localhost let the user in" \
	grep -q "Accepted publickey for $U from 127.0.0.1" "$T_DIR/hsshd.log"
stop_hsshd
done_testing
