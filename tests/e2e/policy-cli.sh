#!/bin/sh
# SPDX-License-Identifier: ISC
# hsshd's command line as sshd's, without serving connections (TAP): -T
# prints the effective configuration of the Debian-style and hardened
# fixtures, -T -C evaluates Match blocks (User, Group, Host, Address with
# negation, LocalAddress, LocalPort), -o wins over the file, and -t (and
# the other modes) exit non-zero with a precise message for every kind of
# mistake.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
FIX="$top_srcdir/tests/unit/fixtures"
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hk"
out="$T_DIR/out"
err="$T_DIR/err"

# run ARGS...: hsshd ARGS, stdout in $out, stderr in $err, status in $rc.
run() { "$HSSHD" "$@" >"$out" 2>"$err"; rc=$?; }
# has LINE: -T printed exactly this line.
has() { grep -q -x -F -- "$1" "$out"; }
# expect DESCRIPTION LINE...: every line is in the last -T output.
expect() {
	_d=$1; shift
	_missing=
	for _l in "$@"; do has "$_l" || _missing="$_missing [$_l]"; done
	if [ -z "$_missing" ]; then ok "$_d"; else not_ok "$_d: missing$_missing"; diag_file "$out" 100; fi
}
# refuses DESCRIPTION PATTERN: the last run failed and said PATTERN.
refuses() {
	if [ "$rc" -ne 0 ] && grep -q -E -- "$2" "$err"; then
		ok "$1"
	else
		not_ok "$1 (rc $rc)"; diag_file "$err"
	fi
}

### -T on the Debian 12 fixture (its relative Include pointed at the copy)
mkdir -p "$T_DIR/deb"
cp -R "$FIX/debian12/." "$T_DIR/deb/"
sed -i "s|^Include sshd_config.d/|Include $T_DIR/deb/sshd_config.d/|" "$T_DIR/deb/sshd_config"
run -T -f "$T_DIR/deb/sshd_config" -h "$T_DIR/hk"
check "debian12: -T exits 0" [ "$rc" -eq 0 ]
expect "debian12: settings from the main file and defaults" \
	"permitrootlogin prohibit-password" "x11forwarding yes" \
	"kbdinteractiveauthentication no" "usepam yes" "printmotd no" \
	"acceptenv LANG" "acceptenv LC_*" "port 22" "maxstartups 10:30:100" \
	"subsystem sftp /usr/lib/openssh/sftp-server" "logingracetime 120" \
	"pubkeyauthentication yes" "hostkey $T_DIR/hk"
expect "debian12: the drop-in (included first) wins" \
	"passwordauthentication no" "clientaliveinterval 300"
check "debian12: a file outside the Include glob is ignored" sh -c "! grep -q '^permitrootlogin yes' '$out'"
check "debian12: one line per setting, all lowercase keywords" \
	sh -c "! grep -v -E '^[a-z0-9]+ ' '$out'"

### -T on the hardened fixture (its host keys replaced by the test key)
grep -v '^HostKey ' "$FIX/hardened/sshd_config" >"$T_DIR/hardened"
run -T -f "$T_DIR/hardened" -h "$T_DIR/hk"
check "hardened: -T exits 0" [ "$rc" -eq 0 ]
expect "hardened: authentication and limits" \
	"permitrootlogin no" "passwordauthentication no" \
	"kbdinteractiveauthentication no" "authenticationmethods publickey" \
	"maxauthtries 3" "maxsessions 2" "logingracetime 30" \
	"maxstartups 10:30:60" "allowgroups ssh-users" "denyusers root" \
	"x11forwarding no" "allowtcpforwarding no" "allowagentforwarding no" \
	"clientaliveinterval 300" "clientalivecountmax 2" "tcpkeepalive no"
expect "hardened: algorithms" \
	"ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com" \
	"hostkeyalgorithms ssh-ed25519" "pubkeyacceptedalgorithms ssh-ed25519"
# A build without OpenSSL has only AEAD ciphers, which need no MAC.
check "hardened: macs as configured (if the build has MACs)" sh -c \
	"! grep '^macs ' '$out' | grep -v -x -q 'macs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com'"
if has_openssl; then
	expect "hardened: macs listed" "macs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com"
fi
# The post-quantum hybrid is kept only where this build has it.
check "hardened: kexalgorithms as configured, less what the build lacks" \
	grep -q -x -E 'kexalgorithms (sntrup761x25519-sha512@openssh.com,)?curve25519-sha256,curve25519-sha256@libssh.org' "$out"
expect "hardened: logging, penalties, rekeying" \
	"loglevel VERBOSE" "syslogfacility AUTHPRIV" \
	"persourcepenaltyexemptlist 127.0.0.1,::1" "rekeylimit 536870912 3600" \
	"subsystem sftp internal-sftp" "banner /etc/issue.net"
check "hardened: PerSourcePenalties values, with defaults for the rest" \
	grep -q -x -E 'persourcepenalties crash:120 authfail:30 invaliduser:5 noauth:10 grace-exceeded:20 max:3600 min:15 .*' "$out"

### -T -C: Match blocks
run -T -f "$T_DIR/hardened" -h "$T_DIR/hk" -C user=admin,host=gw.example.org,addr=10.20.1.1
expect "-C admin from 10.20.1.1: 'Match Address ... User admin' applies" "maxauthtries 5"
run -T -f "$T_DIR/hardened" -h "$T_DIR/hk" -C user=admin,host=gw.example.org,addr=10.20.0.5
expect "-C admin from 10.20.0.5: the negated address vetoes the block" "maxauthtries 3"
run -T -f "$T_DIR/hardened" -h "$T_DIR/hk" -C user=bob,host=gw.example.org,addr=10.20.1.1
expect "-C bob: the User criterion fails" "maxauthtries 3"
{
	echo "HostKey $T_DIR/hk"
	echo "Match Group root"
	echo "	X11Forwarding yes"
	echo "Match LocalAddress 127.0.0.1 LocalPort 2222"
	echo "	MaxSessions 4"
	echo "Match Host *.example.org"
	echo "	Banner /etc/issue"
} >"$T_DIR/match"
run -T -f "$T_DIR/match" -C user=root,host=a,addr=192.0.2.1
expect "-C user=root: Match Group looks up the user's groups" "x11forwarding yes" "maxsessions 10" "banner none"
run -T -f "$T_DIR/match" -C user=nobody,host=a,addr=192.0.2.1
expect "-C user=nobody: not in group root" "x11forwarding no"
run -T -f "$T_DIR/match" -C user=nobody,host=b.example.org,addr=192.0.2.1,laddr=127.0.0.1,lport=2222
expect "-C laddr/lport/host: LocalAddress, LocalPort and Host apply" "maxsessions 4" "banner /etc/issue"
run -T -f "$T_DIR/match" -C user=nobody,host=b,addr=192.0.2.1,laddr=127.0.0.1,lport=2223
expect "-C another lport: the block does not apply" "maxsessions 10" "banner none"
run -T -f "$T_DIR/match" -C user=nobody,bogus=1
refuses "-C with an unknown field is refused" "Invalid test mode specification"
run -f "$T_DIR/match" -C user=nobody
refuses "-C without -T is refused" "only meaningful with -T"

### -o: command-line options come first, so they win
cfg="$T_DIR/sshd_config"
write_config "$cfg" "HostKey $T_DIR/hk" "LoginGraceTime 30" "MaxAuthTries 4"
run -T -f "$cfg" -o LoginGraceTime=7 -o "MaxAuthTries 2" -o MaxAuthTries=5
expect "-o overrides the file; the first -o wins" "logingracetime 7" "maxauthtries 2"
run -T -f "$cfg" -p 2345 -p 2346
expect "-p replaces the configured port" "port 2345" "port 2346"
check "-p: the configured port is gone" sh -c "! grep -q -x 'port $T_PORT' '$out'"
run -T -f "$cfg" -4
expect "-4 is AddressFamily inet" "addressfamily inet"
run -t -f "$cfg" -o Bogus=1
refuses "-o with an unknown keyword" "command line: .*Bogus"
run -t -f "$cfg" -o "Match User x"
refuses "-o Match is refused" "command line: "
run -t -f "$cfg" -p 0
refuses "-p 0 is refused" "Bad port number 0"

### -t exit codes
run -t -f "$cfg"
check "-t: a valid configuration with usable host keys exits 0" [ "$rc" -eq 0 ]
check "-t prints nothing on stdout" [ ! -s "$out" ]
run -t -f "$cfg" -q
check "-t -q: silent" sh -c "[ $rc -eq 0 ] && [ ! -s '$err' ]"
write_config "$T_DIR/bad" "HostKey $T_DIR/hk" "Bogus yes"
line=$(grep -n '^Bogus' "$T_DIR/bad" | cut -d: -f1)
run -t -f "$T_DIR/bad"
refuses "-t: unknown keyword, with FILE:LINE:" "^hsshd: $T_DIR/bad:$line: Bad configuration option: Bogus"
write_config "$T_DIR/bad" "HostKey $T_DIR/hk" "PermitRootLogin maybe"
line=$(grep -n '^PermitRootLogin' "$T_DIR/bad" | cut -d: -f1)
run -t -f "$T_DIR/bad"
refuses "-t: bad value names file, line, keyword and the allowed values" \
	"$T_DIR/bad:$line: bad value 'maybe' for PermitRootLogin \(expected yes, prohibit-password, forced-commands-only, no\)"
write_config "$T_DIR/bad" "HostKey $T_DIR/hk" "TrustedUserCAKeys /etc/ssh/ca.pub"
line=$(grep -n '^TrustedUserCAKeys' "$T_DIR/bad" | cut -d: -f1)
run -t -f "$T_DIR/bad"
refuses "-t: a keyword hsshd does not implement is refused by name" \
	"$T_DIR/bad:$line: keyword 'TrustedUserCAKeys' is not supported by hsshd"
write_config "$T_DIR/bad" "HostKey $T_DIR/hk" "HostKey $T_DIR/nokey"
run -t -f "$T_DIR/bad"
refuses "-t: a missing host key fails the test" "host key $T_DIR/nokey is missing"
check "-t: and does not create it" [ ! -e "$T_DIR/nokey" ]
run -T -f "$T_DIR/bad"
refuses "-T: a missing host key fails as well" "configuration test failed"
run -t -f "$T_DIR/does-not-exist"
refuses "-t: a missing configuration file" "does-not-exist"
run -t -f "$cfg" extra
refuses "an extra argument is refused" "extra argument"
run -Z
refuses "an unknown option prints the usage" "usage: hsshd"
run -V
check "-V prints the version and exits 0" sh -c "[ $rc -eq 0 ] && grep -q '^hsshd [0-9]' '$err'"

### -i without a socket on stdin
"$HSSHD" -i -e -f "$cfg" </dev/null >"$out" 2>"$err"
rc=$?
refuses "-i refuses a stdin that is not a socket" "-i needs a socket on standard input"
run -i -t -f "$cfg"
refuses "-i with -t is refused" "cannot be combined"

done_testing
