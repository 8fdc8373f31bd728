#!/bin/sh
# SPDX-License-Identifier: ISC
# Sessions with Debian's OpenSSH client (as root, with a throw-away
# account): exit status, stdout and stderr apart, 100 MB through stdin and
# back intact, a signal reported, a pty owned by the user, sftp and scp
# (both modes), ControlMaster with concurrent commands, and every process
# of the connection gone after the client leaves.
. "$top_srcdir/tests/e2e/lib.sh"

test_user hsts

test_hostkey
write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "Subsystem sftp /usr/lib/openssh/sftp-server"
start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }
S="$(ssh_opts) -o IdentitiesOnly=yes -i $T_DIR/uk"
# shellcheck disable=SC2086
sshu() { ssh $S "$U@127.0.0.1" "$@"; }

sshu 'exit 7'
check "exit status 7 reaches the client" [ $? -eq 7 ]
sshu 'echo out; echo err >&2' >"$T_DIR/o" 2>"$T_DIR/e"
check "stdout arrives on stdout" [ "$(cat "$T_DIR/o")" = out ]
check "stderr arrives on stderr" [ "$(cat "$T_DIR/e")" = err ]
check "commands run as the user in their home" [ "$(sshu 'id -un; pwd' | tr '\n' ' ')" = "$U $H " ]
head -c 100000000 /dev/urandom > "$T_DIR/big"
a=$(sha256sum < "$T_DIR/big" | cut -d' ' -f1)
b=$(sshu 'cat' < "$T_DIR/big" | sha256sum | cut -d' ' -f1)
check "100 MB through stdin and back, sha256 equal" [ "$a" = "$b" ]
# Re-keys every megabyte (client-initiated); data in flight survives.
head -c 20000000 "$T_DIR/big" > "$T_DIR/mid"
n0=$(grep -c "signed exchange hash" "$T_DIR/hsshd.log")
# shellcheck disable=SC2086
b=$(ssh $S -o RekeyLimit=1M "$U@127.0.0.1" cat < "$T_DIR/mid" | sha256sum | cut -d' ' -f1)
check "RekeyLimit=1M: 20 MB through re-keys intact" [ "$(sha256sum < "$T_DIR/mid" | cut -d' ' -f1)" = "$b" ]
n1=$(grep -c "signed exchange hash" "$T_DIR/hsshd.log")
check "... the monitor signed for the re-keys ($((n1 - n0)) exchanges)" [ $((n1 - n0)) -gt 10 ]
sshu 'seq 1 200000' | tail -n 1 > "$T_DIR/o"
check "long output complete before exit" [ "$(cat "$T_DIR/o")" = 200000 ]
sshu 'kill -TERM $$' >/dev/null 2>&1
rc=$?
check "a signal ends the command: ssh exits 255 (exit-signal)" [ $rc -eq 255 ]
# shellcheck disable=SC2086
ssh -tt $S "$U@127.0.0.1" 'tty; stat -c %U $(tty)' </dev/null >"$T_DIR/o" 2>/dev/null
check "ssh -t gets a /dev/pts device" grep -q '^/dev/pts/' "$T_DIR/o"
check "... owned by the user" grep -q "^$U" "$T_DIR/o"
printf 'put %s up\nget up %s\n' "$T_DIR/big" "$T_DIR/back" > "$T_DIR/batch"
# shellcheck disable=SC2086
sftp -b "$T_DIR/batch" -F none -o BatchMode=yes -o UserKnownHostsFile="$T_DIR/known_hosts" \
	-o IdentitiesOnly=yes -i "$T_DIR/uk" -P "$T_PORT" "$U@127.0.0.1" >/dev/null 2>&1
check "sftp put/get of 100 MB intact" cmp -s "$T_DIR/big" "$T_DIR/back"
for mode in "" -O; do
	rm -f "$T_DIR/back"
	# shellcheck disable=SC2086
	scp -q $mode -F none -o BatchMode=yes -o UserKnownHostsFile="$T_DIR/known_hosts" \
		-o IdentitiesOnly=yes -i "$T_DIR/uk" -P "$T_PORT" "$U@127.0.0.1:up" "$T_DIR/back" 2>/dev/null
	check "scp ${mode:-(sftp mode)} download intact" cmp -s "$T_DIR/big" "$T_DIR/back"
done
# ControlMaster: one connection, ten concurrent commands.
CM="-o ControlPath=$T_DIR/cm -o ControlMaster=auto -o ControlPersist=20"
# shellcheck disable=SC2086
ssh $S $CM -fN "$U@127.0.0.1"
i=0; : > "$T_DIR/cm.out"
while [ $i -lt 10 ]; do
	# shellcheck disable=SC2086
	(ssh $S $CM "$U@127.0.0.1" "echo c$i" >> "$T_DIR/cm.out") &
	i=$((i + 1))
done
wait_for '[ $(wc -l < "$T_DIR/cm.out") -ge 10 ]' 200
check "ControlMaster: ten concurrent commands" [ "$(sort "$T_DIR/cm.out" | uniq | wc -l)" -eq 10 ]
# shellcheck disable=SC2086
ssh $S $CM -O exit "$U@127.0.0.1" >/dev/null 2>&1
check "after the client leaves, the user's processes are gone" \
	wait_for "! pgrep -u '$U' >/dev/null" 40
stop_hsshd
done_testing
