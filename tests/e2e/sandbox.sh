#!/bin/sh
# SPDX-License-Identifier: ISC
# The pre-auth child really is sandboxed: its /proc status shows seccomp
# filter mode, no_new_privs, no capabilities, the privsep user and the
# empty chroot (as root); a forbidden system call (test hook) kills it with
# SIGSYS while the monitor logs it and the listener keeps serving.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
cfg="$T_DIR/sshd_config"
write_config "$cfg" "HostKey $T_DIR/hk" "LoginGraceTime 20"
start_hsshd "$cfg" || { not_ok "server starts"; done_testing; exit 1; }

# Hold a connection open after the banner, then look at the child.
"$PYTHON" - "$T_PORT" > "$T_DIR/hold.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.recv(256)
time.sleep(6)
PY
holder=$!
T_PIDS="$T_PIDS $holder"
# Our listener's monitor's child (other tests may run at the same time).
pid=
wait_for 'mon=$(pgrep -P "$T_SERVER" 2>/dev/null | head -n 1) && [ -n "$mon" ] && pid=$(pgrep -P "$mon" 2>/dev/null | head -n 1) && [ -n "$pid" ]' 50
st="$T_DIR/status"
root=
if [ -n "$pid" ] && cp "/proc/$pid/status" "$st" 2>/dev/null; then
	root=$(readlink "/proc/$pid/root")
	check "it is hsshd-preauth" grep -q "^Name:[[:space:]]*hsshd-preauth" "$st"
	check "Seccomp: 2 (filter mode)" grep -q "^Seccomp:[[:space:]]*2$" "$st"
	check "NoNewPrivs: 1" grep -q "^NoNewPrivs:[[:space:]]*1$" "$st"
	check "CapEff: 0" grep -q "^CapEff:[[:space:]]*0000000000000000$" "$st"
	check "CapPrm: 0" grep -q "^CapPrm:[[:space:]]*0000000000000000$" "$st"
	if is_root; then
		uid=$(id -u hsshd)
		check "uid is the privsep user" grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" "$st"
		check "CapBnd: 0" grep -q "^CapBnd:[[:space:]]*0000000000000000$" "$st"
		check "root directory is the empty dir" [ "$root" = /run/hsshd/empty ]
	else
		check "uid is the running user" grep -q "^Uid:[[:space:]]*$(id -u)[[:space:]]" "$st"
		skip "privsep user, CapBnd and chroot" "needs root"
		skip "root directory is the empty dir" "needs root"
	fi
	# A monitor that dies (e.g. the listener's backstop SIGKILL) takes
	# its child with it.
	kill -9 "$mon"
	check "the pre-auth child dies with its monitor" wait_for "! kill -0 $pid 2>/dev/null" 30
else
	not_ok "found the pre-auth child"
fi
wait $holder 2>/dev/null
stop_hsshd

# The forbidden-syscall hook exists only in test-hook builds.
if "$HSSHD" -V 2>&1 | grep -q "test hooks"; then
	HSSHD_TEST_FORBIDDEN_SYSCALL=1
	export HSSHD_TEST_FORBIDDEN_SYSCALL
	start_hsshd "$cfg"
	unset HSSHD_TEST_FORBIDDEN_SYSCALL
	"$PYTHON" "$top_srcdir/tests/e2e/rawclient.py" "$T_PORT" banner-only >/dev/null 2>&1
	check "monitor logs the SIGSYS kill" wait_for "grep -q 'killed by SIGSYS: seccomp sandbox violation' '$T_DIR/hsshd.log'" 50
	n1=$(grep -c "Connection from 127.0.0.1" "$T_DIR/hsshd.log")
	"$PYTHON" "$top_srcdir/tests/e2e/rawclient.py" "$T_PORT" banner-only >/dev/null 2>&1
	check "listener keeps serving after the violation" wait_for "[ \$(grep -c 'Connection from 127.0.0.1' '$T_DIR/hsshd.log') -gt $n1 ]" 50
	check "listener process alive" kill -0 "$T_SERVER"
	stop_hsshd
else
	not_ok "this build has no test hooks (configure --enable-test-hooks)"
fi
done_testing
