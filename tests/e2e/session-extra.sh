#!/bin/sh
# SPDX-License-Identifier: ISC
# Session extras with Debian's OpenSSH client (as root, with throw-away
# accounts): ChrootDirectory (a static busybox in a root-owned tree; the
# session holds no capability and sees only the jail; bad modes and a
# symbolic link on the path refuse the login naming the component; an
# sftp-only user with ForceCommand internal-sftp), ~/.ssh/rc and
# /etc/ssh/sshrc with PermitUserRC, PrintLastLog and ~/.hushlogin, the
# PAM session's messages (pam_echo) before an interactive shell, SetEnv
# over AcceptEnv, and UpdateHostKeys: a client that knows one of two
# host keys learns the other through hostkeys-00/hostkeys-prove-00.
. "$top_srcdir/tests/e2e/lib.sh"

if ! is_root; then
	echo "1..0 # SKIP needs root to create test accounts and chroot trees"
	exit 0
fi
# busybox-static: one binary that runs in an empty tree (ldd fails on a
# static executable).
BB=/bin/busybox
if [ ! -x "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
	echo "1..0 # SKIP needs a static /bin/busybox (Debian package busybox-static)"
	exit 0
fi
U=hsxu$$	# shell user: rc files, last login, PAM messages, SetEnv
UC=hsxc$$	# chrooted shell user
US=hsxs$$	# sftp-only chrooted user
R=/srv/hsshd-t$$
cleanup_extra() {
	for u in "$U" "$UC" "$US"; do drop_user "$u"; done
	rm -rf "$R"
	rm -f /etc/pam.d/hsshd-t$$-*
}
trap 't_cleanup; cleanup_extra' EXIT
for u in "$U" "$UC" "$US"; do
	useradd -m -s /bin/sh "$u" 2>/dev/null ||
		{ echo "1..0 # SKIP useradd failed"; exit 0; }
done
H=$(getent passwd "$U" | cut -d: -f6)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/uk"
for u in "$U" "$UC" "$US"; do
	h=$(getent passwd "$u" | cut -d: -f6)
	mkdir -p "$h/.ssh" && cp "$T_DIR/uk.pub" "$h/.ssh/authorized_keys"
	chown -R "$u:$u" "$h/.ssh" && chmod 700 "$h/.ssh" && chmod 600 "$h/.ssh/authorized_keys"
done

# The jail: root's, 0755 all the way up; busybox as /bin/sh; its own
# system sshrc.
mkdir -p "$R/jail/bin" "$R/jail/etc/ssh" "$R/sftp/upload"
cp "$BB" "$R/jail/bin/busybox"
ln -s busybox "$R/jail/bin/sh"
: > "$R/jail/CHROOT_MARKER"
printf 'echo SYSTEM-SSHRC-RAN\n' > "$R/jail/etc/ssh/sshrc"
chown -R root:root "$R"
chmod -R go-w "$R"
chmod 0755 "$R" "$R/jail" "$R/sftp"
chown "$US:$US" "$R/sftp/upload"

# PAM (keys only: no password methods on the server); the session stack
# says something without asking.
echo "hsshd-pam-notice-$$" > "$T_DIR/pam-msg"
cat > "/etc/pam.d/hsshd-t$$-echo" <<PAM
auth    required pam_unix.so nodelay
account required pam_permit.so
session optional pam_echo.so file=$T_DIR/pam-msg
session required pam_permit.so
PAM
HSSHD_PAM_SERVICE=hsshd-t$$-echo
export HSSHD_PAM_SERVICE

T_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
# The second host key: RSA where the build has OpenSSL (not in the
# default HostKeyAlgorithms otherwise), else a second Ed25519 key.
if has_openssl; then
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$T_DIR/hk2"
else
	ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk2"
fi
printf '[127.0.0.1]:%s %s\n' "$T_PORT" "$(cut -d' ' -f1-2 "$T_DIR/hk.pub")" > "$T_DIR/known_hosts"
LOG="$T_DIR/hsshd.log"
serve() {
	stop_hsshd
	write_config "$T_DIR/cfg" "$@" "HostKey $T_DIR/hk" "HostKey $T_DIR/hk2" \
		"UsePAM yes" "PasswordAuthentication no" \
		"KbdInteractiveAuthentication no" "AcceptEnv LANG HSX_*" "SetEnv HSX_CONF=fromconf LANG=C.conf" \
		"Subsystem sftp /usr/lib/openssh/sftp-server" \
		"Match User $UC" "ChrootDirectory $R/jail" \
		"Match User $US" "ChrootDirectory $R/sftp" "ForceCommand internal-sftp"
	start_hsshd "$T_DIR/cfg"
}
serve || { not_ok "server starts"; done_testing; exit 1; }
S="$(ssh_opts) -o IdentitiesOnly=yes -i $T_DIR/uk"
# shellcheck disable=SC2086
sshc() { _u=$1; shift; ssh $S "$_u@127.0.0.1" "$@"; }

# ---- ChrootDirectory ----------------------------------------------------
sshc "$UC" /bin/busybox ls / > "$T_DIR/ls" 2>"$T_DIR/ls.err"
check "chroot: / is the jail (its marker listed)" grep -qx CHROOT_MARKER "$T_DIR/ls"
check "... and not the real root (no usr)" sh -c "! grep -qx usr '$T_DIR/ls'"
check "... no 'Could not chdir' for the home missing in the jail" \
	sh -c "! grep -q 'Could not chdir' '$T_DIR/ls.err'"
check "... logged: Changed root directory" grep -q "Changed root directory to \"$R/jail\"" "$LOG"
check "/etc/ssh/sshrc of the jail ran before the command" grep -qx SYSTEM-SSHRC-RAN "$T_DIR/ls"
check "the working directory is / (no home in the jail)" [ "$(sshc "$UC" /bin/busybox pwd | tail -n 1)" = / ]
# The session process while a command runs: jailed, no capabilities.
sshc "$UC" /bin/busybox sleep 4 >/dev/null 2>&1 &
cpid=$!
wait_for "pgrep -u '$UC' -x hsshd-session >/dev/null" 50
sp=$(pgrep -u "$UC" -x hsshd-session | head -n 1)
if [ -n "$sp" ]; then
	check "the session's root is the jail" [ "$(readlink "/proc/$sp/root")" = "$R/jail" ]
	caps=$(grep -E '^Cap(Inh|Prm|Eff|Amb):' "/proc/$sp/status" | awk '{print $2}' | sort -u)
	check "... and it holds no capability (CapInh/Prm/Eff/Amb all 0)" [ "$caps" = 0000000000000000 ]
else
	not_ok "the session process of the chrooted user was found"
	not_ok "... (capabilities not checked)"
fi
wait "$cpid" 2>/dev/null
chmod 0775 "$R"
sshc "$UC" /bin/busybox true >/dev/null 2>&1
check "bad modes on a component: login fails" [ $? -ne 0 ]
check "... the log names the component" \
	grep -q "bad ownership or modes for chroot directory component \"$R/\"" "$LOG"
chmod 0755 "$R"
chown "$UC" "$R/jail"
sshc "$UC" /bin/busybox true >/dev/null 2>&1
check "the jail itself owned by the user: login fails" [ $? -ne 0 ]
check "... the log names it" grep -q "bad ownership or modes for chroot directory \"$R/jail\"" "$LOG"
chown root "$R/jail"
sshc "$UC" /bin/busybox true >/dev/null
check "fixed again: the login works" [ $? -eq 0 ]

# ---- internal-sftp in a chroot -----------------------------------------
echo "sftp payload $$" > "$T_DIR/up"
printf 'ls /\nput %s /upload/up\nget /upload/up %s\n' "$T_DIR/up" "$T_DIR/back" > "$T_DIR/batch"
# shellcheck disable=SC2086
sftp -b "$T_DIR/batch" -F none -o BatchMode=yes -o UserKnownHostsFile="$T_DIR/known_hosts" \
	-o IdentitiesOnly=yes -i "$T_DIR/uk" -P "$T_PORT" "$US@127.0.0.1" >"$T_DIR/sftp.out" 2>&1
check "sftp-only user in a chroot: put and get" cmp -s "$T_DIR/up" "$T_DIR/back"
check "... the file lands inside the jail" cmp -s "$T_DIR/up" "$R/sftp/upload/up"
sshc "$US" 'echo SHELL-RAN' >"$T_DIR/o" 2>/dev/null
check "... a shell is refused (ForceCommand)" sh -c "! grep -q SHELL-RAN '$T_DIR/o'"

# ---- ~/.ssh/rc -----------------------------------------------------------
printf 'touch "%s/rc-marker"\necho USER-RC-RAN\n' "$H" > "$H/.ssh/rc"
chown "$U:$U" "$H/.ssh/rc"
out=$(sshc "$U" 'echo CMD')
check "~/.ssh/rc ran (its marker exists)" [ -f "$H/rc-marker" ]
check "... before the command, output first" [ "$(echo "$out" | tr '\n' ' ')" = "USER-RC-RAN CMD " ]
rm -f "$H/rc-marker"
# shellcheck disable=SC2086
ssh $S -s "$U@127.0.0.1" sftp </dev/null >/dev/null 2>&1
check "... not for a subsystem" [ ! -f "$H/rc-marker" ]

# ---- SetEnv ----------------------------------------------------------------
# shellcheck disable=SC2086
LANG=C.client HSX_CONF=client HSX_CLIENT=c ssh $S -o SendEnv='LANG HSX_*' "$U@127.0.0.1" 'env' >"$T_DIR/env"
check "SetEnv beats AcceptEnv (LANG)" grep -qx LANG=C.conf "$T_DIR/env"
check "SetEnv beats AcceptEnv (HSX_CONF)" grep -qx HSX_CONF=fromconf "$T_DIR/env"
check "AcceptEnv still passes the rest" grep -qx HSX_CLIENT=c "$T_DIR/env"

# ---- PrintLastLog, PAM messages, ~/.hushlogin ---------------------------
# Interactive login shells (a pty, no command).
login_shell() {
	# shellcheck disable=SC2086
	printf 'exit\n' | ssh -tt $S "$U@127.0.0.1" >"$T_DIR/$1" 2>&1
}
login_shell tty1
check "PAM's session message shown before the shell" grep -q "hsshd-pam-notice-$$" "$T_DIR/tty1"
if [ -f /var/log/lastlog ]; then
	login_shell tty2
	check "PrintLastLog: 'Last login: ... from 127.0.0.1' on the next login" \
		grep -Eq '^Last login: [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4} from 127\.0\.0\.1' "$T_DIR/tty2"
	sed -n '/Last login/p' "$T_DIR/tty2" | head -n 1 | sed 's/^/# /'
else
	skip "PrintLastLog" "this system keeps no /var/log/lastlog"
fi
sshc "$U" 'echo x' >"$T_DIR/cmd" 2>&1
check "... neither for a command" sh -c "! grep -q -e 'Last login' -e hsshd-pam-notice '$T_DIR/cmd'"
touch "$H/.hushlogin"
login_shell tty3
check "~/.hushlogin: no last login" sh -c "! grep -q 'Last login' '$T_DIR/tty3'"
check "~/.hushlogin: no PAM message" sh -c "! grep -q hsshd-pam-notice '$T_DIR/tty3'"
rm -f "$H/.hushlogin"

# ---- UpdateHostKeys (hostkeys-00 / hostkeys-prove-00) -------------------
check "known_hosts holds one key before" [ "$(wc -l < "$T_DIR/known_hosts")" -eq 1 ]
# shellcheck disable=SC2086
ssh -v $S -o UpdateHostKeys=yes "$U@127.0.0.1" 'sleep 1' >/dev/null 2>"$T_DIR/uhk.log"
check "the client learned the new host key" grep -q "Learned new hostkey" "$T_DIR/uhk.log"
check "known_hosts holds both keys after" [ "$(grep -c '127.0.0.1' "$T_DIR/known_hosts")" -eq 2 ]
check "... the second one among them" grep -q "$(cut -d' ' -f2 "$T_DIR/hk2.pub")" "$T_DIR/known_hosts"
check "the server proved it (monitor log)" grep -q "Proved 1 host key" "$LOG"
if has_openssl; then
	# shellcheck disable=SC2086
	ssh $S -o HostKeyAlgorithms=rsa-sha2-512 "$U@127.0.0.1" true >/dev/null
	check "the next connection is fine with the RSA key alone" [ $? -eq 0 ]
else
	skip "the next connection with the second key" "two Ed25519 keys: no way to pick one"
fi

# ---- PermitUserRC no, PrintLastLog no, and a symbolic link in the path --
mv "$R/jail" "$R/real-jail"
ln -s real-jail "$R/jail"
serve "PermitUserRC no" "PrintLastLog no" || { not_ok "server restarts"; done_testing; exit 1; }
rm -f "$H/rc-marker"
sshc "$U" 'echo CMD' >"$T_DIR/o"
check "PermitUserRC no: ~/.ssh/rc does not run" [ ! -f "$H/rc-marker" ]
check "... nor does its output appear" sh -c "! grep -q USER-RC-RAN '$T_DIR/o'"
if [ -f /var/log/lastlog ]; then
	login_shell tty4
	check "PrintLastLog no: no last login" sh -c "! grep -q 'Last login' '$T_DIR/tty4'"
	check "... PAM's message still shown" grep -q "hsshd-pam-notice-$$" "$T_DIR/tty4"
else
	skip "PrintLastLog no" "this system keeps no /var/log/lastlog"
	skip "... PAM's message" "this system keeps no /var/log/lastlog"
fi
sshc "$UC" /bin/busybox true >/dev/null 2>&1
check "a symbolic link as the chroot: login fails" [ $? -ne 0 ]
check "... the log says so" grep -q "chroot path \"$R/jail\" is a symbolic link" "$LOG"
stop_hsshd
done_testing
