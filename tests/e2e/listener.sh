#!/bin/sh
# SPDX-License-Identifier: ISC
# The listener's life cycle (TAP): without -D it detaches like a classic
# daemon and the PidFile names it when the command returns; SIGHUP
# re-executes it (same PID, port rebound) with a new configuration that
# passes -t, and refuses a broken one with a log line while serving on;
# systemd's readiness and reload messages go to $NOTIFY_SOCKET; SIGTERM
# stops listening while a connection accepted before goes on to a full
# key exchange; -d serves one connection and exits; -i serves one
# connection on stdin under socat and systemd-socket-activate --inetd;
# sockets from systemd (LISTEN_FDS) are kept across SIGHUP.
. "$top_srcdir/tests/e2e/lib.sh"

CC="$PYTHON $top_srcdir/tests/e2e/connclient.py"
T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
cfg="$T_DIR/sshd_config"
log="$T_DIR/hsshd.log"
pidfile="$T_DIR/hsshd.pid"
notify="$T_DIR/notify.log"
: >"$log"

# banner_is TEXT: a new connection's banner ends with TEXT.
banner_is() {
	$CC "$T_PORT" banner >"$T_DIR/b.out" 2>&1 &&
		grep -q -F " $1'" "$T_DIR/b.out"
}
# owns_listener PID: PID holds the socket listening on 127.0.0.1:T_PORT.
owns_listener() {
	_ino=$(awk -v a="0100007F:$(printf %04X "$T_PORT")" \
		'$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	[ -n "$_ino" ] && ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$_ino\]"
}
# listening PORT: something listens on 127.0.0.1:PORT (from /proc).
listening() {
	grep -q -i "0100007F:$(printf %04X "$1") 00000000:0000 0A" /proc/net/tcp
}
# kex_done FILE: ssh -v shows a finished key exchange and an answer to
# authentication.
kex_done() {
	grep -q "SSH2_MSG_NEWKEYS received" "$1" &&
		grep -q -E "Authenticated to|Permission denied|Server accepts key" "$1"
}
# ssh_try PORT OUT: one login attempt through ssh -v.
ssh_try() {
	echo "[127.0.0.1]:$1 $(cut -d' ' -f1-2 "$T_DIR/hk.pub")" >>"$T_DIR/known_hosts"
	# shellcheck disable=SC2046
	ssh $(T_PORT=$1 ssh_opts) -v -o PubkeyAuthentication=no \
		-o IdentitiesOnly=yes nobody@127.0.0.1 true </dev/null >"$2" 2>&1
}
# notify_after PATTERN1 PATTERN2: PATTERN2 is a message sent after the
# last message matching PATTERN1.
notify_after() {
	_a=$(grep -n -E "$1" "$notify" | tail -n 1 | cut -d: -f1)
	[ -n "$_a" ] && tail -n +"$((_a + 1))" "$notify" | grep -q -E "$2"
}

# A receiver for sd_notify datagrams, one message per line ('|' for
# newlines), for at most 180 s.
"$PYTHON" -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.monotonic() + 180
with open(sys.argv[2], "a") as out:
    while time.monotonic() < end and not os.path.exists(sys.argv[3]):
        try:
            m = s.recv(4096)
        except socket.timeout:
            continue
        out.write(m.decode(errors="replace").replace("\n", "|") + "\n")
        out.flush()
' "$T_DIR/notify.sock" "$notify" "$T_DIR/notify.stop" &
notify_pid=$!
T_PIDS="$T_PIDS $notify_pid"
wait_for '[ -S "$T_DIR/notify.sock" ]' 100 || diag "no notify socket"

### 1. Daemon mode
write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum first"
NOTIFY_SOCKET="$T_DIR/notify.sock" timeout 30 "$HSSHD" -e -f "$cfg" 2>>"$log"
rc=$?
check "without -D the command returns once the daemon is ready (rc $rc)" [ $rc -eq 0 ]
P=$(cat "$pidfile" 2>/dev/null)
if [ -n "$P" ] && kill -0 "$P" 2>/dev/null; then
	ok "the PidFile exists at once and names the running daemon ($P)"
	T_PIDS="$T_PIDS $P"
	T_SERVER=$P
else
	not_ok "the PidFile exists at once and names the running daemon"
	diag_file "$log"; done_testing; exit 1
fi
# /proc/PID/stat: pid (comm) state ppid pgrp session ...
stat_field() { sed 's/^.*) //' "/proc/$P/stat" | cut -d' ' -f"$1"; }
check "the daemon leads its own session" [ "$(stat_field 4)" = "$P" ]
check "the daemon is not a child of the launching shell" [ "$(stat_field 2)" != "$$" ]
check "the daemon's stdin is /dev/null and its cwd /" \
	[ "$(readlink "/proc/$P/fd/0")" = /dev/null ] && [ "$(readlink "/proc/$P/cwd")" = / ]
check "the daemon serves" banner_is "first"
check "READY=1 sent to NOTIFY_SOCKET" wait_for 'grep -q "^READY=1$" "$notify"' 50

### 2. SIGHUP with a good configuration
write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum second"
kill -HUP "$P"
check "SIGHUP: the new image comes up" \
	wait_for 'grep -q "re-executed with the new configuration" "$log"' 100
check "SIGHUP: same PID" kill -0 "$P"
check "SIGHUP: PidFile still names it" [ "$(cat "$pidfile" 2>/dev/null)" = "$P" ]
check "SIGHUP: the port is rebound and serves the new configuration" banner_is "second"
check "SIGHUP: the listening socket belongs to the same process" owns_listener "$P"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1" \
	wait_for 'notify_after "^RELOADING=1\|MONOTONIC_USEC=[0-9]+$" "^READY=1$"' 50

### 3. SIGHUP with a broken configuration
write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum third" "Bogus yes"
line=$(grep -n '^Bogus' "$cfg" | cut -d: -f1)
kill -HUP "$P"
check "broken SIGHUP: refused with a log line" \
	wait_for 'grep -q "new configuration is not valid: still serving with the old one" "$log"' 100
check "broken SIGHUP: the log says why (FILE:LINE)" \
	grep -q "new configuration: hsshd: $cfg:$line: Bad configuration option: Bogus" "$log"
check "broken SIGHUP: same process" kill -0 "$P"
check "broken SIGHUP: still serving with the old configuration" banner_is "second"
check "broken SIGHUP: READY=1 with a STATUS after RELOADING=1" \
	wait_for 'notify_after "^RELOADING=1" "^READY=1\|STATUS=New configuration refused"' 50
check "one re-execution only" [ "$(grep -c "re-executed with the new configuration" "$log")" -eq 1 ]

### 4. SIGTERM: stop listening, let accepted connections go on
# An ssh client whose ProxyCommand holds its TCP connection (accepted,
# banner sent) until told to carry on.
write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum second"
echo "[127.0.0.1]:$T_PORT $(cut -d' ' -f1-2 "$T_DIR/hk.pub")" >>"$T_DIR/known_hosts"
# shellcheck disable=SC2046
ssh $(ssh_opts) -v -o PubkeyAuthentication=no -o IdentitiesOnly=yes \
	-o ProxyCommand="$CC $T_PORT relay $T_DIR/go" nobody@127.0.0.1 true \
	</dev/null >"$T_DIR/hold.out" 2>&1 &
hold_pid=$!
T_PIDS="$T_PIDS $hold_pid"
check "a connection is open before SIGTERM" wait_for '[ -e "$T_DIR/go.held" ]' 100
kill -TERM "$P"
if wait_for "! kill -0 $P 2>/dev/null" 100; then
	ok "SIGTERM: the listener exits"
	t_forget "$P"
else
	not_ok "SIGTERM: the listener exits"
fi
T_SERVER=
check "SIGTERM: logged" grep -q "Received signal 15; terminating." "$log"
check "SIGTERM: PidFile removed" [ ! -e "$pidfile" ]
check "SIGTERM: STOPPING=1 sent" wait_for 'grep -q "^STOPPING=1$" "$notify"' 50
$CC "$T_PORT" banner >"$T_DIR/c.out" 2>&1
check "SIGTERM: new connections are refused" [ $? -eq 3 ]
touch "$T_DIR/go"
if wait_for "! kill -0 $hold_pid 2>/dev/null" 200; then
	wait "$hold_pid"
	t_forget "$hold_pid"
fi
if kex_done "$T_DIR/hold.out"; then
	ok "the connection accepted before SIGTERM completes its key exchange and is answered"
else
	not_ok "the connection accepted before SIGTERM is served"
	diag_file "$T_DIR/hold.out" 15; diag_file "$log" 20
fi
touch "$T_DIR/notify.stop"
wait "$notify_pid"
t_forget "$notify_pid"

### 5. -d: one connection, then exit
T_PORT=$(free_port)
write_config "$cfg" "HostKey $T_DIR/hk"
rm -f "$pidfile"
if start_hsshd "$cfg" -d; then
	$CC "$T_PORT" banner >"$T_DIR/c.out" 2>&1
	check "-d serves a connection" [ $? -eq 0 ]
	if wait_for "! kill -0 $T_SERVER 2>/dev/null" 100; then
		wait "$T_SERVER"
		rc=$?
		t_forget "$T_SERVER"
		check "-d exits (0) once that connection has ended" [ $rc -eq 0 ]
	else
		not_ok "-d exits once that connection has ended"
	fi
	T_SERVER=
	check "-d writes no PidFile" [ ! -e "$pidfile" ]
	check "-d logs at debug level to stderr" grep -q "debug1: " "$log"
else
	not_ok "-d starts"
fi

### 6. -i under socat (stdin is one end of a socketpair)
if command -v socat >/dev/null 2>&1; then
	port=$(free_port)
	socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
		"EXEC:$HSSHD -i -e -f $cfg" 2>"$T_DIR/socat.log" &
	sp=$!
	T_PIDS="$T_PIDS $sp"
	if wait_for "listening $port" 100; then
		ssh_try "$port" "$T_DIR/ssh-socat.out"
		if kex_done "$T_DIR/ssh-socat.out"; then
			ok "-i under socat: full key exchange"
		else
			not_ok "-i under socat: full key exchange"
			diag_file "$T_DIR/ssh-socat.out" 15; diag_file "$T_DIR/socat.log" 15
		fi
		check "-i under socat: the monitor logged the connection" \
			grep -q "Connection from " "$T_DIR/socat.log"
		if wait_for "! kill -0 $sp 2>/dev/null" 100; then
			ok "-i under socat: one connection, then socat ends"
			wait "$sp"
			t_forget "$sp"
		else
			not_ok "-i under socat: one connection, then socat ends"
		fi
	else
		not_ok "socat listens"; diag_file "$T_DIR/socat.log"
	fi
else
	skip "-i under socat" "socat not installed (tools/dev.sh test installs it)"
fi

### 7. -i under systemd-socket-activate --inetd (stdin is the TCP socket)
if command -v systemd-socket-activate >/dev/null 2>&1; then
	port=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$port" -a --inetd \
		-E HSSHD_LIBEXEC_DIR "$HSSHD" -i -e -f "$cfg" \
		2>"$T_DIR/ssa.log" &
	sp=$!
	T_PIDS="$T_PIDS $sp"
	if wait_for "listening $port" 100; then
		ssh_try "$port" "$T_DIR/ssh-ssa.out"
		if kex_done "$T_DIR/ssh-ssa.out"; then
			ok "-i under systemd-socket-activate --inetd: full key exchange"
		else
			not_ok "-i under systemd-socket-activate --inetd: full key exchange"
			diag_file "$T_DIR/ssh-ssa.out" 15; diag_file "$T_DIR/ssa.log" 15
		fi
		check "-i: the monitor sees the TCP peer" \
			grep -q "Connection from 127.0.0.1 port [0-9]* on 127.0.0.1 port $port" "$T_DIR/ssa.log"
	else
		not_ok "systemd-socket-activate listens"; diag_file "$T_DIR/ssa.log"
	fi
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	t_forget "$sp"
else
	skip "-i under systemd-socket-activate" "not installed"
fi

### 8. Socket activation (LISTEN_FDS) kept across SIGHUP
if command -v systemd-socket-activate >/dev/null 2>&1; then
	T_PORT=$(free_port)
	write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum one"
	# Not --inetd: the first connection makes it exec hsshd (same PID)
	# with the listening socket as fd 3.
	systemd-socket-activate -l "127.0.0.1:$T_PORT" \
		-E HSSHD_LIBEXEC_DIR "$HSSHD" -D -e -f "$cfg" \
		2>"$T_DIR/sa.log" &
	sp=$!
	T_PIDS="$T_PIDS $sp"
	if wait_for "listening $T_PORT" 100; then
		check "socket-activated: serves on systemd's socket" banner_is "one"
		check "socket-activated: hsshd took the socket (LISTEN_FDS)" \
			grep -q 'Server listening on 1 socket from systemd' "$T_DIR/sa.log"
		ino0=$(awk -v a="0100007F:$(printf %04X "$T_PORT")" \
			'$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
		write_config "$cfg" "HostKey $T_DIR/hk" "VersionAddendum two"
		kill -HUP "$sp"
		check "socket-activated SIGHUP: re-executed" \
			wait_for "grep -q 're-executed with the new configuration' '$T_DIR/sa.log'" 100
		check "socket-activated SIGHUP: serves the new configuration" banner_is "two"
		check "socket-activated SIGHUP: on the same socket, handed over" owns_listener "$sp"
		ino1=$(awk -v a="0100007F:$(printf %04X "$T_PORT")" \
			'$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
		check "socket-activated SIGHUP: socket not rebound ($ino0 = $ino1)" \
			[ -n "$ino0" ] && [ "$ino0" = "$ino1" ]
	else
		not_ok "socket-activated hsshd starts"; diag_file "$T_DIR/sa.log"
	fi
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	t_forget "$sp"
else
	skip "socket activation" "systemd-socket-activate not installed"
fi

done_testing
