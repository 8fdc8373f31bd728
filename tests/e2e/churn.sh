#!/bin/sh
# SPDX-License-Identifier: ISC
# No descriptor or memory growth in the listener over thousands of
# connections (TAP): after a warm-up, 2000 short connections (20 at a
# time, each closed right after the banner; 400 in a sanitizer build)
# leave the listener with the same open descriptors and at most 2 MiB more
# resident memory, and every monitor is reaped.
. "$top_srcdir/tests/e2e/lib.sh"

CC="$PYTHON $top_srcdir/tests/e2e/connclient.py"
N=${HSSHD_CHURN:-2000}
BATCH=20
RSS_SLACK_KB=2048
# Under AddressSanitizer freed memory waits in a quarantine (resident
# memory grows by design) and every exiting process runs the leak
# checker (seconds each): no quarantine, no leak check at exit (other
# tests do that), fewer connections.
if grep -q -a __asan_init "$HSSHD"; then
	N=${HSSHD_CHURN:-400}
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:detect_leaks=0"
	export ASAN_OPTIONS
	diag "sanitizer build: $N connections, ASAN_OPTIONS=$ASAN_OPTIONS"
fi
T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
cfg="$T_DIR/sshd_config"
# INFO: one "Connection from" line per connection is enough log.  A
# MaxStartups far above the batch size: nothing is dropped.
T_LOGLEVEL=INFO write_config "$cfg" "HostKey $T_DIR/hk" "MaxStartups 200:30:400"
if ! start_hsshd "$cfg"; then
	not_ok "server starts"; done_testing; exit 1
fi

no_monitors() {
	[ -z "$(cat /proc/"$T_SERVER"/task/*/children 2>/dev/null | tr -d ' \n')" ]
}
fds() { ls "/proc/$T_SERVER/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$T_SERVER/status"; }

$CC "$T_PORT" churn 200 $BATCH >"$T_DIR/warm.out" 2>&1
check "warm-up: 200 connections served" grep -q "^banner=200 " "$T_DIR/warm.out"
check "warm-up: every monitor reaped" wait_for no_monitors 300
fd0=$(fds)
rss0=$(rss_kb)

$CC "$T_PORT" churn "$N" $BATCH >"$T_DIR/churn.out" 2>&1
diag "$(cat "$T_DIR/churn.out")"
check "$N connections served, none dropped" grep -q "^banner=$N refused=0 other=0$" "$T_DIR/churn.out"
check "every monitor reaped" wait_for no_monitors 600
fd1=$(fds)
rss1=$(rss_kb)
diag "listener fds $fd0 -> $fd1, VmRSS $rss0 kB -> $rss1 kB"
check "open descriptors unchanged ($fd0 -> $fd1)" [ "$fd1" -eq "$fd0" ]
check "resident memory grew by less than $RSS_SLACK_KB kB ($rss0 -> $rss1)" \
	[ $((rss1 - rss0)) -lt $RSS_SLACK_KB ]
check "no monitor was killed or failed to start" \
	sh -c "! grep -E 'killed by signal|cannot hand connection|fork for' '$T_DIR/hsshd.log'"
check "listener alive" kill -0 "$T_SERVER"
stop_hsshd
done_testing
