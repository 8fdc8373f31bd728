#!/bin/sh
# SPDX-License-Identifier: ISC
# Interactive terminals with Debian's OpenSSH client, driven through tmux
# (as root, with a throw-away account whose shell is bash): a login shell
# that runs commands, the client's TERM and terminal modes, window changes
# seen by stty, Ctrl-C reaching the foreground process, utmp/wtmp records;
# AcceptEnv; ForceCommand and authorized_keys command= with
# SSH_ORIGINAL_COMMAND; and every process of a connection gone within 2 s
# of a normal exit and of a killed client, its pty gone from who.
. "$top_srcdir/tests/e2e/lib.sh"

if ! is_root; then
	echo "1..0 # SKIP needs root to create a test account"
	exit 0
fi
if ! command -v tmux >/dev/null 2>&1 || ! [ -x /bin/bash ]; then
	echo "1..0 # SKIP needs tmux and bash"
	exit 0
fi
U=hstt$$
# A system without /run/utmp (a container) gets one for the test: who
# reads it.
UTMP=/run/utmp
MADE_UTMP=
TM="tmux -S $T_DIR/tmux.sock -f /dev/null"
tty_cleanup() {
	$TM kill-server >/dev/null 2>&1
	t_cleanup
	drop_user "$U"
	rm -f "/etc/pam.d/hsshd-t$$-tty"
	[ -z "$MADE_UTMP" ] || rm -f "$UTMP"
}
trap tty_cleanup EXIT
useradd -m -s /bin/bash "$U" 2>/dev/null || { echo "1..0 # SKIP useradd failed"; exit 0; }
if [ ! -e "$UTMP" ]; then
	: > "$UTMP" && MADE_UTMP=1
	chgrp utmp "$UTMP" 2>/dev/null; chmod 0664 "$UTMP"
fi
H=$(getent passwd "$U" | cut -d: -f6)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/uk"
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/ck"
mkdir -p "$H/.ssh"
{
	cat "$T_DIR/uk.pub"
	printf 'command="echo \\"keycmd:[$SSH_ORIGINAL_COMMAND]\\"" %s\n' \
		"$(cat "$T_DIR/ck.pub")"
} > "$H/.ssh/authorized_keys"
chown -R "$U:$U" "$H/.ssh" && chmod 700 "$H/.ssh" && chmod 600 "$H/.ssh/authorized_keys"
# No message of the day or mail notice in the panes.
touch "$H/.hushlogin" && chown "$U:$U" "$H/.hushlogin"

test_hostkey
# A PAM session as on Debian: pam_loginuid marks the login for last.
cat > "/etc/pam.d/hsshd-t$$-tty" <<PAM
auth required pam_unix.so nodelay
account required pam_unix.so
session optional pam_loginuid.so
session required pam_permit.so
PAM
HSSHD_PAM_SERVICE=hsshd-t$$-tty
export HSSHD_PAM_SERVICE
T_LOGLEVEL=DEBUG3
write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "UsePAM yes" "AcceptEnv LANG LC_*"
start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }
S="$(ssh_opts) -o IdentitiesOnly=yes"
# The interactive client, typed into the pane's local shell.
printf '#!/bin/sh\nexec ssh %s -i %s -t %s@127.0.0.1 "$@"\n' "$S" "$T_DIR/uk" "$U" > "$T_DIR/c"
chmod 0755 "$T_DIR/c"

# --- tmux helpers: one session "t", one pane running a local sh ---------
pane() { $TM capture-pane -p -J -t t -S -2000 2>/dev/null; }
type_line() { $TM send-keys -t t -l "$1" && $TM send-keys -t t Enter; }
# wait_pane STRING [TENTHS]: until the pane shows STRING (fixed).
wait_pane() {
	_i=0
	while [ $_i -lt "${2:-100}" ]; do
		pane | grep -qF -- "$1" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}
# ask TAG EXPR: types  echo "TAG""=[EXPR]"  (EXPR expanded by the shell
# in the pane), waits for the answer and prints what is between the
# brackets.  The typed line shows TAG""=[, the answer TAG=[: only the
# answer matches.
ask() {
	type_line "echo \"$1\"\"=[$2]\""
	wait_pane "$1=[" 100 || { echo "(no answer)"; return 1; }
	pane | grep -F -- "$1=[" | tail -n 1 | sed "s/.*$1=\[\(.*\)\].*/\1/"
}
# The per-connection monitors are the listener's children.
monitors() { pgrep -P "$T_SERVER" 2>/dev/null | tr '\n' ' '; }
# new_pid BEFORE AFTER: the first PID of AFTER not in BEFORE.
new_pid() {
	for _p in $2; do
		case " $1 " in *" $_p "*) ;; *) echo "$_p"; return 0 ;; esac
	done
}
who_has() { who 2>/dev/null | grep -q "^$U  *$1 "; }
# utmp_live PTS: a USER_PROCESS record of the user on PTS.  who hides
# records whose process has gone; this reads the file as it is.
utmp_live() {
	utmpdump "$UTMP" 2>/dev/null |
		grep -qE "^\[7\] \[ *[0-9]+\] \[[^]]*\] \[$U *\] \[$1 *\]"
}
# wtmp_ended PTS: the user's last login on PTS has its logout record in
# wtmp (DEAD_PROCESS, same line and pid).  last cannot tell: it calls a
# logout of the current second "still running".
wtmp_ended() {
	_pid=$(utmpdump /var/log/wtmp 2>/dev/null |
		grep -E "^\[7\] \[ *[0-9]+\] \[[^]]*\] \[$U *\] \[$1 *\]" |
		tail -n 1 | sed 's/^\[7\] \[ *\([0-9]*\)\].*/\1/')
	[ -n "$_pid" ] && utmpdump /var/log/wtmp 2>/dev/null |
		grep -qE "^\[8\] \[ *$_pid\] \[[^]]*\] \[[^]]*\] \[$1 *\]"
}
# pts_of TAG: the pane shell's terminal, "pts/N" (or "pts/unknown").
pts_of() {
	_t=$(ask "$1" '$(tty)')
	case $_t in
	/dev/pts/[0-9]*) echo "${_t#/dev/}" ;;
	*) echo pts/unknown ;;
	esac
}
# login: start the client in the pane; wait for the user's shell.
login() {
	type_line "$T_DIR/c; echo \"CLIENT\"\"=[\$?]\""
	if ! wait_for "pgrep -u '$U' -x bash >/dev/null" 150; then
		pane | tail -n 5 | sed 's/^/# pane: /'
		return 1
	fi
	[ "$(ask "$1" '$(id -un)')" = "$U" ]
}
# user_procs: whether the user has a process that is not a zombie (an
# orphan's zombie waits for PID 1, which in a container may be slow).
user_procs() { ps -u "$U" -o stat= 2>/dev/null | grep -qv '^Z'; }
# gone MONITOR PTS: every process of that connection ends within 2 s.
gone() {
	wait_for "! user_procs && ! kill -0 '$1' 2>/dev/null && ! who_has '$2' && ! utmp_live '$2'" 20
}

$TM new-session -d -s t -x 80 -y 24 sh || { not_ok "tmux starts"; done_testing; exit 1; }
PANE_TERM=$($TM show-options -gv default-terminal)
# The client's terminal: erase ^H and kill ^X, not the defaults.
type_line "stty erase '^H' kill '^X'"
# interactive: one login, its terminal and a normal exit.  Without a
# login the rest would run in the pane's local shell: not attempted.
interactive() {
	m0=$(monitors)
	if ! login L1; then
		not_ok "ssh -t logs in to an interactive shell that runs commands"
		return 1
	fi
	ok "ssh -t logs in to an interactive shell that runs commands"
	MON=$(new_pid "$m0" "$(monitors)")
	[ -n "$MON" ] || diag "no new monitor for the connection"
	check "... a login shell: \$0 is -bash" [ "$(ask Z0 '$0')" = -bash ]
	check "... bash says login_shell" \
		[ "$(ask LS '$(shopt -q login_shell && echo yes)')" = yes ]
	a=$(ask TE '$TERM')
	check "... TERM is the client's ($PANE_TERM): $a" [ "$a" = "$PANE_TERM" ]
	PTS=$(pts_of TY)
	check "... on a pts ($PTS)" [ "$PTS" != pts/unknown ]
	modes=$(ask MO '$(stty -a | tr "\n" " ")')
	n=$T_FAILED
	check "... the client's modes: erase ^H" \
		eval 'echo "$modes" | grep -q "erase = ^H;"'
	check "... kill ^X" eval 'echo "$modes" | grep -q "kill = ^X;"'
	check "... intr ^C, echo on" eval 'echo "$modes" | grep -q "intr = ^C;" &&
		echo "$modes" | grep -qw echo && ! echo "$modes" | grep -qw -- -echo'
	[ "$T_FAILED" -eq "$n" ] || diag "modes: $modes"
	check "stty size is the window's: 24 80" [ "$(ask SZ '$(stty size)')" = "24 80" ]
	$TM resize-window -t t -x 100 -y 30
	# The client sends window-change on SIGWINCH: ask until it is in.
	i=0; sz=
	while [ $i -lt 20 ]; do
		sz=$(ask "SZ$i" '$(stty size)')
		[ "$sz" = "30 100" ] && break
		sleep 0.1; i=$((i + 1))
	done
	check "after resizing the window stty size says 30 100 ($sz)" [ "$sz" = "30 100" ]
	type_line "sleep 100"
	wait_for "pgrep -u '$U' -x sleep >/dev/null" 100
	$TM send-keys -t t C-c
	check "Ctrl-C ends the foreground sleep" \
		wait_for "! pgrep -u '$U' -x sleep >/dev/null" 50
	check "... and \$? is 130" [ "$(ask RC '$?')" = 130 ]
	check "who lists the user on $PTS while connected" who_has "$PTS"
	check "... from a USER_PROCESS record in utmp" utmp_live "$PTS"
	# "gone - no logout" where the login has no loginuid (a container
	# that refuses pam_loginuid): a login record without its logout.
	check "last has the entry, no logout yet" eval "last -w '$U' 2>/dev/null |
		grep -E '^$U  *$PTS ' | head -n 1 |
		grep -qE 'still logged in|gone - no logout'"
	sp=$(pgrep -P "${MON:-0}" | head -n 1)
	check "the monitor's child is hsshd-session" \
		[ "$(ps -o comm= -p "${sp:-0}")" = hsshd-session ]
	check "... whose child is the user's login shell" \
		[ "$(ps -o comm= -p "$(pgrep -P "${sp:-0}" | head -n 1)")" = bash ]
	type_line "exit"
	check "a normal exit: the client exits 0" wait_pane "CLIENT=[0]" 50
	check "... every process of the connection is gone within 2 s" \
		gone "${MON:-0}" "$PTS"
	check "... who no longer lists $PTS, utmp has no live record" \
		eval "! who_has '$PTS' && ! utmp_live '$PTS'"
	check "... wtmp has the logout record" wtmp_ended "$PTS"
}

# killed: a second login, the client killed while a child runs.
killed() {
	$TM clear-history -t t
	m0=$(monitors)
	if ! login L2; then
		not_ok "a second login"
		return 1
	fi
	ok "a second login"
	MON=$(new_pid "$m0" "$(monitors)")
	PTS=$(pts_of TY2)
	check "... listed by who on $PTS" who_has "$PTS"
	type_line "sleep 300"
	wait_for "pgrep -u '$U' -x sleep >/dev/null" 100
	cl=$(pgrep -P "$($TM display -p -t t '#{pane_pid}')" -x ssh | head -n 1)
	[ -n "$cl" ] && kill -KILL "$cl"
	check "the client killed (SIGKILL)" wait_pane "CLIENT=[137]" 50
	check "... every process of the connection is gone within 2 s" \
		gone "${MON:-0}" "$PTS"
	check "... who no longer lists $PTS, utmp has no live record" \
		eval "! who_has '$PTS' && ! utmp_live '$PTS'"
	check "... wtmp has the logout record" wtmp_ended "$PTS"
}

interactive
type_line clear
killed
$TM kill-server >/dev/null 2>&1

# The command on a terminal exits while a job it started (its own
# process group: no hangup for it) keeps the slave open: as with sshd,
# its output is all sent and the connection ends; the job lives on.
# shellcheck disable=SC2086
timeout 30 ssh $S -i "$T_DIR/uk" -tt "$U@127.0.0.1" \
	'set -m; sleep 298 & seq 1 5000' </dev/null >"$T_DIR/o" 2>/dev/null
rc=$?
check "a job holding the pty: ssh -t ends with the command (rc $rc)" [ $rc -eq 0 ]
check "... after all its output" [ "$(tr -d '\r' < "$T_DIR/o" | tail -n 1)" = 5000 ]
job=$(pgrep -u "$U" -x sleep)
check "... the job still runs, as with sshd" [ -n "$job" ]
for p in $job; do kill "$p"; done

# AcceptEnv LANG LC_*: passed; FOO refused; no value in the log.
SECRET=hs-secret-$$-value
# shellcheck disable=SC2086
out=$(LANG=C.UTF-8 LC_PAPER=C.UTF-8 FOO=$SECRET ssh $S -i "$T_DIR/uk" \
	-o SendEnv=LANG -o SendEnv=LC_PAPER -o SendEnv=FOO "$U@127.0.0.1" \
	'echo "[$LANG][$LC_PAPER][$FOO]"' 2>/dev/null)
check "AcceptEnv passes LANG and LC_*, refuses FOO ($out)" [ "$out" = "[C.UTF-8][C.UTF-8][]" ]
check "... the refused variable is named in the log" grep -q "FOO" "$T_DIR/hsshd.log"
check "... its value is nowhere in the log" eval "! grep -q '$SECRET' '$T_DIR/hsshd.log'"

# authorized_keys command= wins; the request is in SSH_ORIGINAL_COMMAND.
# shellcheck disable=SC2086
out=$(ssh $S -i "$T_DIR/ck" "$U@127.0.0.1" 'echo requested' 2>/dev/null)
check "command= wins over the request ($out)" [ "$out" = "keycmd:[echo requested]" ]
# shellcheck disable=SC2086
out=$(ssh $S -i "$T_DIR/ck" "$U@127.0.0.1" 2>/dev/null </dev/null)
check "... and over a shell, SSH_ORIGINAL_COMMAND unset ($out)" [ "$out" = "keycmd:[]" ]

# ForceCommand in a Match User block wins over the request and command=.
stop_hsshd
write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "UsePAM yes" "AcceptEnv LANG LC_*" \
	"Match User $U" "	ForceCommand echo \"forced:[\$SSH_ORIGINAL_COMMAND]\""
start_hsshd "$T_DIR/cfg" || { not_ok "server restarts"; done_testing; exit 1; }
# shellcheck disable=SC2086
out=$(ssh $S -i "$T_DIR/uk" "$U@127.0.0.1" 'echo requested' 2>/dev/null)
check "ForceCommand wins over the request ($out)" [ "$out" = "forced:[echo requested]" ]
# shellcheck disable=SC2086
out=$(ssh $S -i "$T_DIR/ck" "$U@127.0.0.1" 'echo requested' 2>/dev/null)
check "... and over command= ($out)" [ "$out" = "forced:[echo requested]" ]
# shellcheck disable=SC2086
out=$(ssh $S -i "$T_DIR/uk" -tt "$U@127.0.0.1" 2>/dev/null </dev/null | tr -d '\r')
check "... and over an interactive shell ($out)" [ "$out" = "forced:[]" ]
stop_hsshd
check "no user process left" wait_for "! user_procs" 20
[ "$T_FAILED" -eq 0 ] || diag_file "$T_DIR/hsshd.log" 60
done_testing
