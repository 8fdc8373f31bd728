# SPDX-License-Identifier: ISC
# Shared helpers of the end-to-end tests (POSIX sh, sourced).  Each test
# prints TAP; every server it starts is stopped by PID on exit; traffic
# stays on 127.0.0.1; every wait is bounded.

: "${top_srcdir:?run through make check}" "${top_builddir:?}"
HSSHD="$top_builddir/monitor/hsshd"
# Test builds run helpers from the build tree (honoured only with
# --enable-test-hooks).
HSSHD_LIBEXEC_DIR="$top_builddir/tests/libexec"
export HSSHD_LIBEXEC_DIR

# End-to-end tests run the build tree's helper programs, which only a
# --enable-test-hooks build accepts; tests/run-all.sh runs them in the
# plain, no-OpenSSL and sanitizer builds.
if ! "$HSSHD" -V 2>&1 | grep -q "test hooks"; then
	echo "1..0 # SKIP this build has no test hooks (configure --enable-test-hooks)"
	exit 0
fi

T_N=0
T_FAILED=0
T_PIDS=
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hsshd-test.XXXXXX")
chmod 0755 "$T_DIR"

# Only our own children: a recorded PID whose process has gone may since
# belong to another test's server (tests run in parallel, and some churn
# through thousands of PIDs).
t_is_child() {
	# Field 4 of /proc/PID/stat, counted after the ")" closing the name.
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)" = "$$" ]
}
t_cleanup() {
	_mine=
	for p in $T_PIDS; do
		t_is_child "$p" && _mine="$_mine $p"
	done
	for p in $_mine; do
		kill "$p" 2>/dev/null
	done
	for p in $_mine; do
		i=0
		while t_is_child "$p" && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		t_is_child "$p" && kill -9 "$p" 2>/dev/null
	done
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM
# t_forget PID: that process is gone (waited for); never signal it again,
# since PIDs are reused and other tests run alongside.
t_forget() { T_PIDS=$(echo " $T_PIDS " | sed "s/ $1 / /g"); }

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
diag() { echo "# $*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }
done_testing() { echo "1..$T_N"; [ "$T_FAILED" -eq 0 ]; }
# Print a file as TAP diagnostics.
diag_file() { [ -f "$1" ] && sed 's/^/# /' "$1" | tail -n "${2:-40}"; }

# Debian's interpreter, where python3-paramiko lives (PATH may hold another).
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

# paramiko 2.12 (Debian 12) has only CTR/CBC ciphers: it shares none
# with a libsodium-only build.
paramiko_usable() {
	has_openssl && "$PYTHON" -c 'import paramiko' 2>/dev/null
}
paramiko_skip_reason() {
	if has_openssl; then echo "python3-paramiko is not installed"
	else echo "paramiko 2.12 speaks no cipher of a --without-openssl build"; fi
}

is_root() { [ "$(id -u)" = 0 ]; }
has_openssl() { "$HSSHD" -V 2>&1 | grep -q OpenSSL; }

free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for COND_CMD [TENTHS]: poll a command for up to TENTHS/10 seconds.
wait_for() {
	_c=$1; _n=${2:-100}; _i=0
	while [ $_i -lt "$_n" ]; do
		eval "$_c" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# drop_user NAME: remove a throw-away account for good.  Its processes
# (a session's leftovers) are killed first -- never for a uid-0 alias,
# whose processes are root's -- and userdel is forced: a plain userdel
# refuses an account that still has a process (for a uid-0 alias:
# always), which left accounts behind.
drop_user() {
	_uid=$(id -u "$1" 2>/dev/null) || return 0
	if [ "$_uid" != 0 ]; then
		pkill -KILL -u "$_uid" 2>/dev/null
		wait_for "! pgrep -u '$_uid' >/dev/null" 30
	fi
	userdel -f -r "$1" >/dev/null 2>&1
}

# test_user PREFIX: as root, a throw-away account PREFIX$$ with a home
# and /bin/sh, removed at exit, that logs in with the key $T_DIR/uk;
# sets U and H.  Without root (or useradd) the test is skipped whole.
test_user() {
	is_root || { echo "1..0 # SKIP needs root to create a test account"; exit 0; }
	U=$1$$
	trap 't_cleanup; drop_user "$U"' EXIT
	useradd -m -s /bin/sh "$U" 2>/dev/null || { echo "1..0 # SKIP useradd failed"; exit 0; }
	H=$(getent passwd "$U" | cut -d: -f6)
	ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/uk"
	mkdir -p "$H/.ssh" && cp "$T_DIR/uk.pub" "$H/.ssh/authorized_keys"
	chown -R "$U:$U" "$H/.ssh" && chmod 700 "$H/.ssh" && chmod 600 "$H/.ssh/authorized_keys"
}

# test_hostkey: a free T_PORT and a fresh Ed25519 host key $T_DIR/hk that
# $T_DIR/known_hosts (as ssh_opts uses it) knows for it.
test_hostkey() {
	T_PORT=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
	printf '[127.0.0.1]:%s %s\n' "$T_PORT" "$(cut -d' ' -f1-2 "$T_DIR/hk.pub")" > "$T_DIR/known_hosts"
}

# write_config FILE [extra lines...]: a loopback test configuration.
# Tests provoke failures from 127.0.0.1 on purpose, so PerSourcePenalties
# is off unless a test sets T_PENALTIES (the keyword's value).
write_config() {
	_f=$1; shift
	{
		echo "Port ${T_PORT:?}"
		echo "ListenAddress 127.0.0.1"
		echo "PidFile $T_DIR/hsshd.pid"
		echo "LogLevel ${T_LOGLEVEL:-DEBUG1}"
		echo "PerSourcePenalties ${T_PENALTIES:-no}"
		for l in "$@"; do echo "$l"; done
	} > "$_f"
}

# start_hsshd CONFIG [args...]: starts hsshd -D -e in the background,
# logging to $T_DIR/hsshd.log, and waits until it listens.
start_hsshd() {
	_cfg=$1; shift
	: > "$T_DIR/hsshd.log"
	"$HSSHD" -D -e -f "$_cfg" "$@" >>"$T_DIR/hsshd.log" 2>&1 &
	T_SERVER=$!
	T_PIDS="$T_PIDS $T_SERVER"
	# Generous: a first start may generate an RSA key on a loaded machine.
	if ! wait_for 'grep -q "Server listening" "$T_DIR/hsshd.log" || ! kill -0 $T_SERVER 2>/dev/null' 600; then
		diag "hsshd did not start listening"; diag_file "$T_DIR/hsshd.log"; return 1
	fi
	kill -0 "$T_SERVER" 2>/dev/null || { diag_file "$T_DIR/hsshd.log"; return 1; }
}

stop_hsshd() {
	[ -n "${T_SERVER:-}" ] || return 0
	kill "$T_SERVER" 2>/dev/null
	wait_for "! kill -0 $T_SERVER 2>/dev/null" 50 || kill -9 "$T_SERVER" 2>/dev/null
	wait "$T_SERVER" 2>/dev/null
	t_forget "$T_SERVER"
	T_SERVER=
}

# The OpenSSH client, confined to this test's files.
ssh_opts() {
	echo "-F none -o BatchMode=yes -o UserKnownHostsFile=$T_DIR/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=2 -p $T_PORT"
}
