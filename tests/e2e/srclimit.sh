#!/bin/sh
# SPDX-License-Identifier: ISC
# The listener's connection policy with real connections (TAP).
# MaxStartups 3:50:6: a burst of stalled connections (they read the banner
# and never answer) is served for the first 3, never beyond 6, and every
# other one is refused with "Not allowed at this time" and logged; a real
# client gets through once they are gone.  PerSourcePenalties: a source
# whose connections keep leaving without authenticating is refused, while
# other sources are served and an exempt source never is.  The assertions
# count outcomes; none depends on timing beyond generous bounded waits.
. "$top_srcdir/tests/e2e/lib.sh"

CC="$PYTHON $top_srcdir/tests/e2e/connclient.py"
T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
echo "[127.0.0.1]:$T_PORT $(cut -d' ' -f1-2 "$T_DIR/hk.pub")" > "$T_DIR/known_hosts"
cfg="$T_DIR/sshd_config"
log="$T_DIR/hsshd.log"

# ssh_try OUT [ssh options...]: one login attempt that cannot succeed.
ssh_try() {
	_out=$1; shift
	# shellcheck disable=SC2046
	ssh $(ssh_opts) -v -o PubkeyAuthentication=no -o IdentitiesOnly=yes \
		"$@" nobody@127.0.0.1 true </dev/null >"$_out" 2>&1
}
# kex_done FILE: ssh -v shows a finished key exchange (the host key in
# known_hosts verified) and an answer to authentication.
kex_done() {
	grep -q "SSH2_MSG_NEWKEYS received" "$1" &&
		grep -q -E "Authenticated to|Permission denied|Server accepts key" "$1"
}
# no_monitors: every connection's monitor has ended.
no_monitors() {
	[ -z "$(cat /proc/"$T_SERVER"/task/*/children 2>/dev/null | tr -d ' \n')" ]
}
# count PATTERN: lines of the server log matching an extended regex.
count() { grep -c -E "$1" "$log"; }

### 1. MaxStartups
write_config "$cfg" "HostKey $T_DIR/hk" "MaxStartups 3:50:6" \
	"LoginGraceTime 60"
if ! start_hsshd "$cfg"; then
	not_ok "server starts"; done_testing; exit 1
fi
N=20
$CC "$T_PORT" burst $N "$T_DIR/go" >"$T_DIR/burst.out" 2>&1 &
burst_pid=$!
T_PIDS="$T_PIDS $burst_pid"
if wait_for 'grep -q "^held" "$T_DIR/burst.out" 2>/dev/null' 600; then
	ok "a burst of $N stalled connections was answered"
else
	not_ok "a burst of $N stalled connections was answered"; diag_file "$T_DIR/burst.out"
fi
served=$(grep -c ' banner$' "$T_DIR/burst.out")
refused=$(grep -c ' refused$' "$T_DIR/burst.out")
diag "served $served, refused $refused"
check "the first 3 connections are served (below MaxStartups begin)" \
	[ "$(head -n 3 "$T_DIR/burst.out" | grep -c ' banner$')" -eq 3 ]
check "no more than 6 are served (MaxStartups full)" [ "$served" -le 6 ]
check "every other one is refused with 'Not allowed at this time'" \
	[ $((served + refused)) -eq $N ]
drop="drop connection #[0-9]+ from \[127\.0\.0\.1\]:[0-9]+ on \[127\.0\.0\.1\]:$T_PORT past Maxstartups"
wait_for "[ \$(count '$drop') -ge $refused ]" 50
check "each refusal is logged as 'drop connection #N ... past Maxstartups'" \
	[ "$(count "$drop")" -eq "$refused" ]
bad=$(grep -o -E "drop connection #[0-9]+" "$log" | tr -dc '0-9\n' |
	awk '$1 < 3 || $1 > 6' | wc -l)
check "drops happen only with 3 to 6 unauthenticated connections (#N)" [ "$bad" -eq 0 ]
check "throttling start is logged" grep -q "beginning MaxStartups throttling" "$log"
touch "$T_DIR/go"
wait "$burst_pid"
t_forget "$burst_pid"
check "the stalled connections' monitors end when they close" wait_for no_monitors 300
ssh_try "$T_DIR/ssh1.out"
if kex_done "$T_DIR/ssh1.out"; then
	ok "a legitimate client completes the key exchange once they are gone"
else
	not_ok "a legitimate client completes the key exchange once they are gone"
	diag_file "$T_DIR/ssh1.out" 15
fi
check "throttling end is logged with the number dropped" \
	wait_for "grep -q 'exited MaxStartups throttling after .*, $refused connections dropped' '$log'" 50
stop_hsshd

### 2. PerSourcePenalties
# One failure (30 s) stays below min (45 s): deferred; the second makes
# 60 s and activates it.  The margins make the test indifferent to a slow
# machine; nothing waits for a penalty to expire.
T_PENALTIES="noauth:30 authfail:30 invaliduser:30 min:45"
write_config "$cfg" "HostKey $T_DIR/hk" "PerSourcePenaltyExemptList 127.0.0.4"
T_PENALTIES=
if ! start_hsshd "$cfg"; then
	not_ok "server starts with penalties"; done_testing; exit 1
fi

ssh_try "$T_DIR/ssh2.out" -b 127.0.0.2
check "127.0.0.2: a failed login completes the key exchange" kex_done "$T_DIR/ssh2.out"
check "127.0.0.2: the first failure gives a deferred penalty" \
	wait_for "grep -q 'new 127.0.0.2/32 deferred penalty' '$log'" 100
$CC "$T_PORT" banner 127.0.0.2 >"$T_DIR/c.out" 2>&1
check "127.0.0.2: still served after one failure" [ $? -eq 0 ]
check "127.0.0.2: leaving again activates the penalty" \
	wait_for "grep -q '127.0.0.2/32: activating ipv4 penalty' '$log'" 100
$CC "$T_PORT" banner 127.0.0.2 >"$T_DIR/c.out" 2>&1
rc=$?
if [ $rc -eq 2 ]; then
	ok "127.0.0.2: refused with 'Not allowed at this time'"
else
	not_ok "127.0.0.2: refused with 'Not allowed at this time' (rc $rc)"; diag_file "$T_DIR/c.out"
fi
ssh_try "$T_DIR/ssh3.out" -b 127.0.0.2
check "127.0.0.2: the ssh client is refused too" sh -c "! grep -q 'SSH2_MSG_NEWKEYS received' '$T_DIR/ssh3.out'"
check "the refusals are logged with the penalty" \
	[ "$(count "drop connection #[0-9]+ from \[127\.0\.0\.2\]:[0-9]+ on \[127\.0\.0\.1\]:$T_PORT penalty: ")" -ge 2 ]

$CC "$T_PORT" banner 127.0.0.3 >"$T_DIR/c.out" 2>&1
check "127.0.0.3: served meanwhile" [ $? -eq 0 ]
ssh_try "$T_DIR/ssh4.out" -b 127.0.0.3
if kex_done "$T_DIR/ssh4.out"; then
	ok "127.0.0.3: an ssh client completes the key exchange"
else
	not_ok "127.0.0.3: an ssh client completes the key exchange"; diag_file "$T_DIR/ssh4.out" 15
fi

for i in 1 2 3; do
	$CC "$T_PORT" banner 127.0.0.4 >"$T_DIR/c.out" 2>&1 || break
	wait_for no_monitors 100
done
$CC "$T_PORT" banner 127.0.0.4 >"$T_DIR/c.out" 2>&1
check "127.0.0.4 (PerSourcePenaltyExemptList): served after repeated failures" [ $? -eq 0 ]
check "127.0.0.4: never penalised" sh -c "! grep -q '127.0.0.4/32' '$log'"
check "listener alive" kill -0 "$T_SERVER"
stop_hsshd
done_testing
