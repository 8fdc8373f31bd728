#!/bin/sh
# SPDX-License-Identifier: ISC
# internal-sftp (session/sftp-server.c) with Debian's OpenSSH sftp and scp
# clients, as root with a throw-away account: "Subsystem sftp
# internal-sftp" serves put/get of 20 MB intact, ls -l, mkdir, rename, rm,
# symlink, chmod, df (statvfs@openssh.com) and scp in its default sftp
# mode both ways, logging sftp-server's lines at -l INFO; "ForceCommand
# internal-sftp -R" refuses a put and serves a get.
. "$top_srcdir/tests/e2e/lib.sh"

test_user hsft

test_hostkey
CO="-F none -o BatchMode=yes -o UserKnownHostsFile=$T_DIR/known_hosts -o IdentitiesOnly=yes -i $T_DIR/uk -P $T_PORT"
# sftpb BATCHFILE: run a batch as the user; output in $T_DIR/out.
# shellcheck disable=SC2086
sftpb() { sftp -b "$1" $CO "$U@127.0.0.1" >"$T_DIR/out" 2>&1; }

# The user's login shell cannot run anything: only the built-in server can
# answer.
usermod -s /bin/false "$U"
write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "Subsystem sftp internal-sftp -l INFO"
start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }

head -c 20000000 /dev/urandom > "$T_DIR/big"
a=$(sha256sum < "$T_DIR/big" | cut -d' ' -f1)
printf 'put %s up\nget up %s\n' "$T_DIR/big" "$T_DIR/back" > "$T_DIR/b1"
sftpb "$T_DIR/b1"
check "sftp put of 20 MB: sha256 equal on the server" \
	[ "$(sha256sum < "$H/up" | cut -d' ' -f1)" = "$a" ]
check "sftp get of 20 MB: sha256 equal" \
	[ "$(sha256sum < "$T_DIR/back" | cut -d' ' -f1)" = "$a" ]
check "... the file belongs to the user" [ "$(stat -c %U "$H/up")" = "$U" ]
check "the log has sftp-server's open line" \
	grep -q 'open "[^"]*up" flags WRITE,CREATE,TRUNCATE mode 0' "$T_DIR/hsshd.log"
check "... and its close line with the byte count" \
	grep -q 'close "[^"]*up" bytes read 0 written 20000000' "$T_DIR/hsshd.log"
check "... and the session lines" \
	grep -q "session opened for local user $U from \[127.0.0.1\]" "$T_DIR/hsshd.log"

printf 'mkdir d1\nrename up d1/moved\nsymlink d1/moved ln\nchmod 640 d1/moved\nls -l\nls -l d1\ndf\n' > "$T_DIR/b2"
sftpb "$T_DIR/b2"
check "mkdir made a directory" [ -d "$H/d1" ]
check "rename moved the file" [ -f "$H/d1/moved" -a ! -e "$H/up" ]
check "symlink made a link to it" [ "$(readlink "$H/ln")" = d1/moved ]
check "chmod 640" [ "$(stat -c %a "$H/d1/moved")" = 640 ]
check "ls -l shows the directory like ls" grep -Eq "^drwx.* $U +$U .* d1\$" "$T_DIR/out"
check "ls -l shows the link" grep -Eq "^lrwxrwxrwx .* ln\$" "$T_DIR/out"
check "ls -l shows mode and size of the moved file" \
	grep -Eq "^-rw-r----- +1 $U +$U +20000000 .*moved\$" "$T_DIR/out"
check "df (statvfs@openssh.com) reports sizes" grep -Eq '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+%' "$T_DIR/out"

printf 'rm ln\nrm d1/moved\nrmdir d1\n' > "$T_DIR/b3"
sftpb "$T_DIR/b3"
check "rm and rmdir remove" [ ! -e "$H/ln" -a ! -e "$H/d1" ]

rm -f "$T_DIR/back"
# shellcheck disable=SC2086
scp -q $CO "$T_DIR/big" "$U@127.0.0.1:viascp" 2>"$T_DIR/scp.err"
check "scp (sftp mode) upload intact" cmp -s "$T_DIR/big" "$H/viascp"
# shellcheck disable=SC2086
scp -q $CO "$U@127.0.0.1:viascp" "$T_DIR/back" 2>>"$T_DIR/scp.err"
check "scp (sftp mode) download intact" cmp -s "$T_DIR/big" "$T_DIR/back"
diag_file "$T_DIR/scp.err" 5
check "the user's processes are gone after the clients left" \
	wait_for "! pgrep -u '$U' >/dev/null" 40
stop_hsshd

# Read-only, forced: ForceCommand replaces the subsystem's command (as in
# sshd, the subsystem must exist; Debian's default names the external
# server, which the user's /bin/false shell could not even start).
write_config "$T_DIR/cfg2" "HostKey $T_DIR/hk" \
	"Subsystem sftp /usr/lib/openssh/sftp-server" \
	"ForceCommand internal-sftp -R -l VERBOSE"
start_hsshd "$T_DIR/cfg2" || { not_ok "server starts (read-only)"; done_testing; exit 1; }
rm -f "$T_DIR/back"
printf 'put %s ro\n' "$T_DIR/big" > "$T_DIR/b4"
sftpb "$T_DIR/b4"
rc=$?
check "-R: put fails" [ $rc -ne 0 -a ! -e "$H/ro" ]
check "... with permission denied" grep -qi "permission denied" "$T_DIR/out"
check "... logged as refused in read-only mode" \
	grep -q "Refusing open request in read-only mode" "$T_DIR/hsshd.log"
printf 'get viascp %s\n' "$T_DIR/back" > "$T_DIR/b5"
sftpb "$T_DIR/b5"
check "-R: get works" cmp -s "$T_DIR/big" "$T_DIR/back"
stop_hsshd
done_testing
