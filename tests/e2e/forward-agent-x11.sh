#!/bin/sh
# SPDX-License-Identifier: ISC
# Agent and X11 forwarding with Debian's OpenSSH client (as root, with a
# throw-away account): ssh -A lists the local agent's key through the
# forwarded socket, which lives in a private directory that is gone after
# the client leaves; AllowAgentForwarding no leaves SSH_AUTH_SOCK unset.
# ssh -X against an Xvfb on the client side: DISPLAY is localhost:N.0,
# xauth holds the cookie, xdpyinfo reaches the Xvfb screen through the
# forwarded display; X11Forwarding no leaves DISPLAY unset.
. "$top_srcdir/tests/e2e/lib.sh"

for t in ssh-agent ssh-add Xvfb xauth xdpyinfo; do
	command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
test_user hsfx

test_hostkey
S="$(ssh_opts) -o IdentitiesOnly=yes -i $T_DIR/uk"
# shellcheck disable=SC2086
sshu() { ssh $S "$U@127.0.0.1" "$@"; }
# server CONFIG-LINES...: (re)start hsshd with these lines.
server() {
	stop_hsshd
	write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "$@"
	start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }
}

# ---- agent forwarding ---------------------------------------------------
# The client's agent, in the foreground so that it is our child (killed
# by PID at exit).
ssh-agent -D -a "$T_DIR/agent.sock" >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for '[ -S "$T_DIR/agent.sock" ]' 300
SSH_AUTH_SOCK=$T_DIR/agent.sock ssh-add -q "$T_DIR/uk" 2>/dev/null
fp=$(ssh-keygen -lf "$T_DIR/uk.pub" | cut -d' ' -f2)

server "X11Forwarding yes"
# shellcheck disable=SC2016
SSH_AUTH_SOCK=$T_DIR/agent.sock sshu -A 'ssh-add -l; echo "sock=$SSH_AUTH_SOCK"; d=${SSH_AUTH_SOCK%/*}; echo "dir=$(stat -c "%U %a" "$d")"' \
	>"$T_DIR/o" 2>"$T_DIR/e"
check "ssh -A: ssh-add -l on the server lists the client's key" grep -q -- "$fp" "$T_DIR/o"
sock=$(sed -n 's/^sock=//p' "$T_DIR/o")
case $sock in
/tmp/ssh-??????????/agent.[0-9]*) ok "SSH_AUTH_SOCK is /tmp/ssh-XXXXXXXXXX/agent.<pid> ($sock)" ;;
*) not_ok "SSH_AUTH_SOCK is /tmp/ssh-XXXXXXXXXX/agent.<pid> ($sock)"; diag_file "$T_DIR/e" ;;
esac
check "... in a directory of the user's, mode 700" grep -q "^dir=$U 700\$" "$T_DIR/o"
check "... gone after the client left" wait_for "[ -n '$sock' ] && [ ! -e '${sock%/*}' ]" 200
SSH_AUTH_SOCK=$T_DIR/agent.sock sshu 'echo "${SSH_AUTH_SOCK-unset}"' >"$T_DIR/o" 2>/dev/null
check "without -A: SSH_AUTH_SOCK is unset" [ "$(cat "$T_DIR/o")" = unset ]

# ---- X11 forwarding -----------------------------------------------------
# An X server on the client side: the first free display from 50.
n=50
while [ $n -lt 100 ] && { [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; }; do
	n=$((n + 1))
done
Xvfb ":$n" -nolisten tcp -screen 0 1024x768x24 >"$T_DIR/xvfb.log" 2>&1 &
XPID=$!
T_PIDS="$T_PIDS $XPID"
if ! wait_for "[ -S /tmp/.X11-unix/X$n ]" 100; then
	not_ok "Xvfb :$n starts"; diag_file "$T_DIR/xvfb.log"
else
	# shellcheck disable=SC2016
	DISPLAY=:$n sshu -X 'echo "D=$DISPLAY"; xauth list; xdpyinfo' >"$T_DIR/o" 2>"$T_DIR/e"
	check "ssh -X: DISPLAY is localhost:N.0" grep -Eq '^D=localhost:[0-9]+\.0$' "$T_DIR/o"
	grep -Eq '^D=localhost:[0-9]+\.0$' "$T_DIR/o" || { diag_file "$T_DIR/e"; diag_file "$T_DIR/o"; }
	d=$(sed -n 's/^D=localhost:\([0-9]*\)\.0$/\1/p' "$T_DIR/o")
	check "... xauth lists the cookie for unix:$d" grep -Eq "/unix:$d +MIT-MAGIC-COOKIE-1 +[0-9a-f]{32}\$" "$T_DIR/o"
	check "... xdpyinfo reaches the Xvfb screen (1024x768)" grep -q 'dimensions: *1024x768 pixels' "$T_DIR/o"
	check "... the display's listener is closed after the session" \
		wait_for "! grep -q ':$(printf %04X $((6000 + d))) 00000000:0000 0A ' /proc/net/tcp" 200
	no_cookie() { [ -z "$(su -s /bin/sh -c "xauth list unix:$d" "$U" 2>/dev/null)" ]; }
	check "... and its cookie removed from the user's authority file" wait_for no_cookie 200
	# Trusted forwarding (-Y) works the same way.
	DISPLAY=:$n sshu -Y 'xdpyinfo' >"$T_DIR/o" 2>"$T_DIR/e"
	check "ssh -Y: xdpyinfo reaches the Xvfb screen" grep -q 'dimensions: *1024x768 pixels' "$T_DIR/o"

	server "X11Forwarding no"
	# shellcheck disable=SC2016
	DISPLAY=:$n sshu -X 'echo "${DISPLAY-unset}"' >"$T_DIR/o" 2>/dev/null
	check "X11Forwarding no: DISPLAY is unset" [ "$(cat "$T_DIR/o")" = unset ]
fi

server "AllowAgentForwarding no"
SSH_AUTH_SOCK=$T_DIR/agent.sock sshu -A 'echo "${SSH_AUTH_SOCK-unset}"; ssh-add -l >/dev/null 2>&1; echo "rc=$?"' >"$T_DIR/o" 2>/dev/null
check "AllowAgentForwarding no: SSH_AUTH_SOCK is unset" grep -q '^unset$' "$T_DIR/o"
check "... and ssh-add cannot reach an agent (exit 2)" grep -q '^rc=2$' "$T_DIR/o"
stop_hsshd
done_testing
