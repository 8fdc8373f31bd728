#!/bin/sh
# SPDX-License-Identifier: ISC
# Authentication with Debian's OpenSSH client, sshpass and expect against
# real accounts and Linux-PAM (as root: test users are created and
# removed): ed25519, RSA and ECDSA keys; wrong keys; from= and
# expiry-time=; StrictModes; passwords and keyboard-interactive through
# PAM; a failing PAM account stack; AuthenticationMethods; MaxAuthTries;
# PermitRootLogin; invalid users; fail2ban's stock sshd filter over the
# log; equal failure timing for valid and invalid users.
. "$top_srcdir/tests/e2e/lib.sh"

if ! is_root; then
	echo "1..0 # SKIP needs root to create test accounts and PAM services"
	exit 0
fi

U=hstu$$
U2=hstv$$
UR=hstr$$	# a second uid-0 account, so root's own stays untouched
PW='Corr3ct-horse-battery'
cleanup_accounts() {
	drop_user "$U"
	drop_user "$U2"
	drop_user "$UR"
	rm -f /etc/pam.d/hsshd-t$$-*
}
trap 't_cleanup; cleanup_accounts' EXIT

useradd -m -s /bin/sh "$U" 2>/dev/null && useradd -m -s /bin/sh "$U2" 2>/dev/null &&
	useradd -o -u 0 -g 0 -M -d /nonexistent-$$ -s /bin/sh "$UR" 2>/dev/null ||
	{ echo "1..0 # SKIP useradd failed"; exit 0; }
printf '%s:%s\n%s:%s\n%s:%s\n' "$U" "$PW" "$U2" "$PW" "$UR" "$PW" | chpasswd
H=$(getent passwd "$U" | cut -d: -f6)

# PAM services for this test, chosen per server (test-hook builds).
cat > "/etc/pam.d/hsshd-t$$-std" <<PAM
auth    required pam_unix.so nodelay
account required pam_unix.so
session required pam_permit.so
password required pam_unix.so
PAM
cat > "/etc/pam.d/hsshd-t$$-denyacct" <<PAM
auth    required pam_unix.so nodelay
account required pam_deny.so
session required pam_permit.so
PAM

test_hostkey
cfg="$T_DIR/sshd_config"
LOG="$T_DIR/auth.log"

# A server with extra config lines, logging to a syslog-style file.
serve() {
	stop_hsshd
	# The test's lines first: the first value of a keyword wins.
	write_config "$cfg" "$@" "HostKey $T_DIR/hk" "UsePAM yes" \
		"KbdInteractiveAuthentication yes" "LoginGraceTime 20"
	HSSHD_PAM_SERVICE=${PAMSVC:-hsshd-t$$-std}
	export HSSHD_PAM_SERVICE
	start_hsshd "$cfg" -E "$LOG"
}
# As lib.sh's, for a server logging to the file $LOG (-E).
start_hsshd() {
	_cfg=$1; shift
	_before=$(grep -c 'Server listening' "$LOG" 2>/dev/null)
	: > "$T_DIR/hsshd.log"
	"$HSSHD" -D -f "$_cfg" "$@" >>"$T_DIR/hsshd.log" 2>&1 &
	T_SERVER=$!
	T_PIDS="$T_PIDS $T_SERVER"
	wait_for "[ \$(grep -c 'Server listening' '$LOG' 2>/dev/null) -gt ${_before:-0} ]" 100 ||
		{ diag "hsshd did not start"; diag_file "$T_DIR/hsshd.log"; return 1; }
}

mkdir -p "$H/.ssh"
chmod 700 "$H/.ssh"
chown "$U:$U" "$H/.ssh"
authkeys() {
	printf '%s\n' "$@" > "$H/.ssh/authorized_keys"
	chown "$U:$U" "$H/.ssh/authorized_keys"
	chmod 600 "$H/.ssh/authorized_keys"
}

# login USER [ssh args...]: true if authentication succeeded.
login() {
	_u=$1; shift
	# shellcheck disable=SC2046
	ssh $(ssh_opts) -v "$@" "$_u@127.0.0.1" true >"$T_DIR/ssh.out" 2>&1
	grep -q "Authenticated to 127.0.0.1" "$T_DIR/ssh.out"
}
key_login() { login "$1" -o PreferredAuthentications=publickey -o IdentitiesOnly=yes -i "$2"; }
pw_login() {
	SSHPASS=$2 sshpass -e ssh $(ssh_opts | sed 's/-o BatchMode=yes//') \
		-o PreferredAuthentications=password -o PubkeyAuthentication=no \
		-o NumberOfPasswordPrompts=1 "$1@127.0.0.1" true >"$T_DIR/ssh.out" 2>&1
	# Judge by the server's log: the n+1th acceptance.
	_want="Accepted password for $1 from 127.0.0.1"
	wait_for "grep -q '$_want' '$LOG'" 30 && [ "$(grep -c "$_want" "$LOG")" -gt "${3:-0}" ]
}
log_has() { wait_for "grep -q -E '$1' '$LOG'" 30; }

: > "$LOG"
serve "PasswordAuthentication yes"

# --- public keys -----------------------------------------------------------
if has_openssl; then
	kinds="ed25519 rsa2048 rsa3072 rsa4096 ecdsa256 ecdsa384 ecdsa521"
else
	kinds="ed25519"
fi
for k in $kinds; do
	case $k in
	ed25519) ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/$k" ;;
	rsa*) ssh-keygen -q -t rsa -b "${k#rsa}" -N '' -f "$T_DIR/$k" ;;
	ecdsa*) ssh-keygen -q -t ecdsa -b "${k#ecdsa}" -N '' -f "$T_DIR/$k" ;;
	esac
	authkeys "$(cat "$T_DIR/$k.pub")"
	if key_login "$U" "$T_DIR/$k"; then ok "$k key accepted"; else not_ok "$k key accepted"; diag_file "$T_DIR/ssh.out" 10; fi
done
fp=$(ssh-keygen -l -f "$T_DIR/ed25519.pub" | awk '{print $2}')
check "Accepted publickey line with key type and fingerprint" \
	grep -q -F "ssh2: ED25519 $fp" "$LOG"
check "... in sshd's format" log_has "Accepted publickey for $U from 127.0.0.1 port [0-9]+ ssh2: ED25519 SHA256:"

ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/other"
authkeys "$(cat "$T_DIR/ed25519.pub")"
if key_login "$U" "$T_DIR/other"; then not_ok "a key not in authorized_keys is refused"; else ok "a key not in authorized_keys is refused"; fi
check "... with Permission denied" grep -q "Permission denied" "$T_DIR/ssh.out"

authkeys "from=\"10.9.9.9\" $(cat "$T_DIR/ed25519.pub")"
if key_login "$U" "$T_DIR/ed25519"; then not_ok "from= elsewhere refuses"; else ok "from= elsewhere refuses"; fi
authkeys "from=\"127.0.0.0/8,!10.0.0.1\" $(cat "$T_DIR/ed25519.pub")"
check "from= matching 127.0.0.0/8 accepts" key_login "$U" "$T_DIR/ed25519"
authkeys "expiry-time=\"20200101\" $(cat "$T_DIR/ed25519.pub")"
if key_login "$U" "$T_DIR/ed25519"; then not_ok "expired key refused"; else ok "expired key refused"; fi
authkeys "expiry-time=\"29991231\" $(cat "$T_DIR/ed25519.pub")"
check "key not yet expired accepted" key_login "$U" "$T_DIR/ed25519"

authkeys "$(cat "$T_DIR/ed25519.pub")"
chmod g+w "$H/.ssh"
if key_login "$U" "$T_DIR/ed25519"; then not_ok "StrictModes: group-writable ~/.ssh refuses"; else ok "StrictModes: group-writable ~/.ssh refuses"; fi
check "StrictModes refusal logged" log_has "Authentication refused: .*$H/.ssh"
chmod g-w "$H/.ssh"
check "StrictModes: fixed modes accept again" key_login "$U" "$T_DIR/ed25519"

# --- passwords (PAM) -------------------------------------------------------
check "password via sshpass accepted" pw_login "$U" "$PW"
n=$(grep -c "Accepted password for $U " "$LOG")
if pw_login "$U" "wrong-$PW" "$n"; then not_ok "wrong password refused"; else ok "wrong password refused"; fi
check "Failed password logged" log_has "Failed password for $U from 127.0.0.1 port [0-9]+ ssh2"
pw_login "nosuch$$" "$PW" >/dev/null 2>&1
check "Invalid user logged" log_has "Invalid user nosuch$$ from 127.0.0.1 port [0-9]+"
check "Failed password for invalid user logged" log_has "Failed password for invalid user nosuch$$ from 127.0.0.1 port [0-9]+ ssh2"

# --- keyboard-interactive through PAM, scripted with expect ---------------
kbd() {
	expect -f - "$1" "$2" "$T_PORT" "$T_DIR/known_hosts" <<'EXP' >"$T_DIR/kbd.out" 2>&1
set timeout 20
lassign $argv user pass port kh
spawn ssh -F none -o UserKnownHostsFile=$kh -o StrictHostKeyChecking=yes -o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 -v -p $port $user@127.0.0.1 true
expect {
	-re "(P|p)assword: ?$" { send "$pass\r"; exp_continue }
	"Authenticated to" { exit 0 }
	"Permission denied" { exit 1 }
	timeout { exit 2 }
	eof { exit 3 }
}
EXP
}
check "keyboard-interactive (PAM prompt relayed) accepted" kbd "$U" "$PW"
if kbd "$U" "nope"; then not_ok "keyboard-interactive wrong answer refused"; else ok "keyboard-interactive wrong answer refused"; fi
check "Failed keyboard-interactive/pam logged" log_has "Failed keyboard-interactive/pam for $U from 127.0.0.1"

# --- an expired password is changed through keyboard-interactive --------
NEWPW='N3w-Different-pass-42'
chage -d 0 "$U2"
expect -f - "$U2" "$PW" "$NEWPW" "$T_PORT" "$T_DIR/known_hosts" <<'EXP' >"$T_DIR/chg.out" 2>&1
set timeout 20
lassign $argv user old new port kh
spawn ssh -F none -o UserKnownHostsFile=$kh -o StrictHostKeyChecking=yes -o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no -v -p $port $user@127.0.0.1 true
expect {
	-re "(Retype|retype|again)\[^\n\]*: ?$" { send "$new\r"; exp_continue }
	-re "(New|new)\[^\n\]*(P|p)assword: ?$" { send "$new\r"; exp_continue }
	-re "(Current|current|Old|old)\[^\n\]*(P|p)assword: ?$" { send "$old\r"; exp_continue }
	-re "(P|p)assword: ?$" { send "$old\r"; exp_continue }
	"Authenticated to" { exit 0 }
	"Permission denied" { exit 1 }
	timeout { exit 2 }
	eof { exit 3 }
}
EXP
check "expired password: changed through keyboard-interactive, login succeeds" [ $? -eq 0 ]
n=$(grep -c "Accepted password for $U2 " "$LOG")
check "the new password works afterwards" pw_login "$U2" "$NEWPW" "$n"

# --- a PAM account stack that refuses -------------------------------------
PAMSVC=hsshd-t$$-denyacct serve "PasswordAuthentication yes"
n=$(grep -c "Accepted password for $U " "$LOG")
if pw_login "$U" "$PW" "$n"; then not_ok "account check failure refuses a correct password"; else ok "account check failure refuses a correct password"; fi
check "PAM account failure logged" log_has "PAM: account check for $U"
PAMSVC=

# --- AuthenticationMethods publickey,password ------------------------------
serve "PasswordAuthentication yes" "AuthenticationMethods publickey,password"
authkeys "$(cat "$T_DIR/ed25519.pub")"
if key_login "$U" "$T_DIR/ed25519"; then not_ok "key alone is not enough"; else ok "key alone is not enough"; fi
check "partial success logged" log_has "Partial publickey for $U"
SSHPASS=$PW sshpass -e ssh $(ssh_opts | sed 's/-o BatchMode=yes//') -v -i "$T_DIR/ed25519" \
	-o IdentitiesOnly=yes -o PreferredAuthentications=publickey,password \
	-o NumberOfPasswordPrompts=1 "$U@127.0.0.1" true >"$T_DIR/ssh.out" 2>&1
check "key then password succeeds" grep -q "Authenticated to 127.0.0.1" "$T_DIR/ssh.out"

# --- MaxAuthTries and PermitRootLogin --------------------------------------
serve "PasswordAuthentication yes" "MaxAuthTries 2"
for i in 1 2 3; do ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/bad$i"; done
ssh $(ssh_opts) -o PreferredAuthentications=publickey -o IdentitiesOnly=yes \
	-i "$T_DIR/bad1" -i "$T_DIR/bad2" -i "$T_DIR/bad3" "$U@127.0.0.1" true >"$T_DIR/ssh.out" 2>&1
check "MaxAuthTries: client told Too many authentication failures" grep -q "Too many authentication failures" "$T_DIR/ssh.out"
check "MaxAuthTries logged" log_has "maximum authentication attempts exceeded for $U from 127.0.0.1"
n=$(grep -c "Accepted password for $UR " "$LOG")
if pw_login "$UR" "$PW" "$n"; then not_ok "uid 0: password refused by default (prohibit-password)"; else ok "uid 0: password refused by default (prohibit-password)"; fi
check "ROOT LOGIN REFUSED logged" log_has "ROOT LOGIN REFUSED FROM 127.0.0.1"
serve "PasswordAuthentication yes" "PermitRootLogin yes"
n=$(grep -c "Accepted password for $UR " "$LOG")
check "uid 0: password accepted with PermitRootLogin yes" pw_login "$UR" "$PW" "$n"

# --- LoginGraceTime --------------------------------------------------------
serve "LoginGraceTime 2"
"$PYTHON" - "$T_PORT" <<'PY' >/dev/null 2>&1
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.recv(256); s.sendall(b"SSH-2.0-idle\r\n"); time.sleep(5)
PY
check "LoginGraceTime ends an idle login" log_has "Timeout before authentication for 127.0.0.1 port"
stop_hsshd

# --- fail2ban's stock sshd filter, pointed at our log tag -----------------
if command -v fail2ban-regex >/dev/null; then
	# The lines fail2ban counts as failures (sshd's "Disconnecting ...:
	# Too many authentication failures" companion line is not one of them
	# for the stock filter either; "maximum authentication attempts" is).
	grep -E "Failed |Invalid user|maximum authentication attempts" "$LOG" > "$T_DIR/failures.log"
	nfail=$(wc -l < "$T_DIR/failures.log")
	fail2ban-regex --print-all-missed "$T_DIR/failures.log" "sshd[_daemon=hsshd, mode=aggressive]" > "$T_DIR/f2b.out" 2>&1
	missed=$(sed -n 's/^Lines: .* \([0-9][0-9]*\) missed.*/\1/p' "$T_DIR/f2b.out")
	if [ "$nfail" -gt 5 ] && [ "${missed:-x}" = 0 ]; then
		ok "fail2ban-regex: all $nfail failure lines match the stock sshd filter"
	else
		not_ok "fail2ban-regex: $nfail failure lines, ${missed:-?} missed"
		diag_file "$T_DIR/f2b.out" 40
	fi
else
	not_ok "fail2ban-regex is not installed"
fi

# --- equal failure timing: valid vs invalid user (median over tries) ------
serve "PasswordAuthentication yes"
# One failed password login of $1; prints its duration.
fail_time() {
	"$PYTHON" -c 'import time; print(time.monotonic())' > "$T_DIR/t0"
	SSHPASS=wrong sshpass -e ssh $(ssh_opts | sed 's/-o BatchMode=yes//') \
		-o PreferredAuthentications=password -o PubkeyAuthentication=no \
		-o NumberOfPasswordPrompts=1 "$1@127.0.0.1" true >/dev/null 2>&1
	"$PYTHON" -c 'import sys,time; print(time.monotonic() - float(open(sys.argv[1]).read()))' "$T_DIR/t0"
}
# Interleaved, so that the machine's load (other tests run in parallel)
# weighs on both users alike; medians of 21.
: > "$T_DIR/tv"; : > "$T_DIR/ti"
_i=0
while [ $_i -lt 21 ]; do
	fail_time "$U" >> "$T_DIR/tv"
	fail_time "nosuch$$" >> "$T_DIR/ti"
	_i=$((_i + 1))
done
tv=$(sort -n "$T_DIR/tv" | sed -n 11p)
ti=$(sort -n "$T_DIR/ti" | sed -n 11p)
if "$PYTHON" -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b) <= 0.1*max(a,b) else 1)' "$tv" "$ti"; then
	ok "failure time of valid ($tv s) and invalid ($ti s) users within 10%"
else
	not_ok "failure time of valid ($tv s) and invalid ($ti s) users within 10%"
fi
stop_hsshd
done_testing
