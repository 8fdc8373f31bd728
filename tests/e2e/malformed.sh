#!/bin/sh
# SPDX-License-Identifier: ISC
# Malformed network input: each case ends that connection with a log line
# and nothing else (no crash, no sandbox violation); the listener serves on.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
cfg="$T_DIR/sshd_config"
write_config "$cfg" "HostKey $T_DIR/hk" "LoginGraceTime 4"
start_hsshd "$cfg" || { not_ok "server starts"; done_testing; exit 1; }

raw() { "$PYTHON" "$top_srcdir/tests/e2e/rawclient.py" "$T_PORT" "$1" >"$T_DIR/raw.out" 2>&1; }

# case SCENARIO LOGPATTERN: run it; the log must show PATTERN.
case_() {
	_before=$(grep -c . "$T_DIR/hsshd.log")
	if ! raw "$1"; then
		not_ok "$1: client saw the server misbehave"; diag_file "$T_DIR/raw.out"; return
	fi
	if wait_for "tail -n +$((_before + 1)) '$T_DIR/hsshd.log' | grep -q -E '$2'" 80; then
		ok "$1: connection ended with a log line"
	else
		not_ok "$1: expected log /$2/"; diag_file "$T_DIR/hsshd.log" 20
	fi
}

case_ garbage-banner "kex_exchange_identification: .*from 127.0.0.1"
case_ ssh1-banner "unsupported protocol version|kex_exchange_identification"
case_ long-banner "identification line too long|kex_exchange_identification"
case_ nul-banner "kex_exchange_identification"
case_ truncated-packet "Connection closed by 127.0.0.1"
case_ oversized-packet "Bad packet from 127.0.0.1 .*packet length"
case_ tiny-packet "Bad packet from 127.0.0.1 .*packet length"
case_ bad-padding "Bad packet from 127.0.0.1 .*padding"
case_ unaligned-packet "Bad packet from 127.0.0.1"
case_ kexinit-garbage "bad KEXINIT"
case_ service-before-kex "before key exchange"
case_ slow-banner "Timeout before authentication for 127.0.0.1"
if paramiko_usable; then
	_before=$(grep -c . "$T_DIR/hsshd.log")
	"$PYTHON" "$top_srcdir/tests/e2e/pmclient.py" "$T_PORT" bad-mac >"$T_DIR/pm.out" 2>&1
	check "bad MAC: client sees the connection closed" [ $? -eq 0 ]
	check "bad MAC: logged" wait_for "tail -n +$((_before + 1)) '$T_DIR/hsshd.log' | grep -q -E 'Bad packet .*(authentication|length)'" 50
elif has_openssl; then
	not_ok "bad MAC: $(paramiko_skip_reason)"
else
	skip "bad MAC (paramiko)" "$(paramiko_skip_reason)"
fi

check "no crash and no sandbox violation logged" sh -c "! grep -E 'killed by|SIGSYS|monitor: .*killing' '$T_DIR/hsshd.log'"
check "listener still serving" raw banner-only
check "listener process alive" kill -0 "$T_SERVER"
stop_hsshd
done_testing
