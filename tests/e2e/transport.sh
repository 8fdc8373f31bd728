#!/bin/sh
# SPDX-License-Identifier: ISC
# The SSH transport against Debian's OpenSSH client: every KEX x cipher x
# host-key algorithm this build offers completes an encrypted, strict key
# exchange that the client verifies against known_hosts (plain and hashed),
# and ends in "Permission denied"; a wrong known_hosts entry is refused;
# MACs of the non-AEAD ciphers; a re-key before authentication; the
# default algorithms pass ssh-audit without a failure or warning.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
K="$T_DIR/keys"; mkdir -p "$K"
if has_openssl; then
	hk_types="ed25519 rsa ecdsa256 ecdsa384 ecdsa521"
	kexes="curve25519-sha256 curve25519-sha256@libssh.org ecdh-sha2-nistp256 ecdh-sha2-nistp384 ecdh-sha2-nistp521 diffie-hellman-group14-sha256 diffie-hellman-group16-sha512 diffie-hellman-group18-sha512"
	ciphers="chacha20-poly1305@openssh.com aes256-gcm@openssh.com aes128-gcm@openssh.com aes128-ctr aes192-ctr aes256-ctr"
	macs="hmac-sha2-256-etm@openssh.com hmac-sha2-512-etm@openssh.com hmac-sha2-256 hmac-sha2-512"
	hkalgs="ssh-ed25519 rsa-sha2-512 rsa-sha2-256 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 ecdsa-sha2-nistp521"
else
	hk_types="ed25519"
	kexes="curve25519-sha256 curve25519-sha256@libssh.org"
	ciphers="chacha20-poly1305@openssh.com aes256-gcm@openssh.com"
	macs=
	hkalgs="ssh-ed25519"
fi
hostkey_lines=
for t in $hk_types; do
	case $t in
	ed25519) ssh-keygen -q -t ed25519 -N '' -f "$K/$t" ;;
	rsa) ssh-keygen -q -t rsa -b 3072 -N '' -f "$K/$t" ;;
	ecdsa*) ssh-keygen -q -t ecdsa -b "${t#ecdsa}" -N '' -f "$K/$t" ;;
	esac
	hostkey_lines="$hostkey_lines HostKey=$K/$t"
	printf '[127.0.0.1]:%s %s\n' "$T_PORT" "$(cut -d' ' -f1-2 "$K/$t.pub")" >> "$T_DIR/known_hosts"
done
cp "$T_DIR/known_hosts" "$T_DIR/known_hosts.plain"
cfg="$T_DIR/sshd_config"
lists="KexAlgorithms=$(echo $kexes | tr ' ' ,)"
lists="$lists Ciphers=$(echo $ciphers | tr ' ' ,)"
lists="$lists HostKeyAlgorithms=$(echo $hkalgs | tr ' ' ,)"
[ -n "$macs" ] && lists="$lists MACs=$(echo $macs | tr ' ' ,)"
# shellcheck disable=SC2086
write_config "$cfg" $hostkey_lines $lists
start_hsshd "$cfg" || { not_ok "server starts"; done_testing; exit 1; }
ok "server starts with all algorithms enabled"

# try KEX CIPHER HOSTKEYALG [MAC]: one connection; checks the outcome.
try() {
	_o="$T_DIR/ssh.out"
	# shellcheck disable=SC2046
	ssh $(ssh_opts) -vvv -o KexAlgorithms="$1" -o Ciphers="$2" \
		-o HostKeyAlgorithms="$3" ${4:+-o MACs=$4} \
		nobody@127.0.0.1 true 2>&1 | tr -d '\r' >"$_o"
	if grep -q "Permission denied" "$_o" &&
	    grep -q "kex: algorithm: $1\$" "$_o" &&
	    grep -q "kex: host key algorithm: $3\$" "$_o" &&
	    grep -q "kex: server->client cipher: $2 MAC: ${4:-<implicit>}" "$_o" &&
	    grep -q "will use strict KEX ordering" "$_o" &&
	    grep -q "Host '\[127.0.0.1\]:$T_PORT' is known and matches" "$_o"; then
		return 0
	fi
	diag "kex $1 cipher $2 hostkey $3 mac ${4:-}"; diag_file "$_o" 15
	return 1
}

for kex in $kexes; do
	for c in $ciphers; do
		m=
		case $c in *-ctr) m=hmac-sha2-256-etm@openssh.com ;; esac
		nbad=0
		for h in $hkalgs; do
			try "$kex" "$c" "$h" "$m" || nbad=$((nbad + 1))
		done
		check "kex $kex, cipher $c: every host key algorithm" [ $nbad -eq 0 ]
	done
done
for m in $macs; do
	nbad=0
	for c in aes128-ctr aes192-ctr aes256-ctr; do
		try curve25519-sha256 "$c" ssh-ed25519 "$m" || nbad=$((nbad + 1))
	done
	check "MAC $m with every AES-CTR cipher" [ $nbad -eq 0 ]
done

# Hashed known_hosts work the same.
ssh-keygen -q -H -f "$T_DIR/known_hosts" >/dev/null 2>&1
check "hashed known_hosts accepted" try curve25519-sha256 chacha20-poly1305@openssh.com ssh-ed25519

# A known_hosts entry with another key is refused.
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/other"
printf '[127.0.0.1]:%s %s\n' "$T_PORT" "$(cut -d' ' -f1-2 "$T_DIR/other.pub")" > "$T_DIR/known_hosts"
# shellcheck disable=SC2046
ssh $(ssh_opts) -o HostKeyAlgorithms=ssh-ed25519 nobody@127.0.0.1 true >"$T_DIR/ssh.out" 2>&1
check "wrong known_hosts entry: Host key verification failed" grep -q "Host key verification failed" "$T_DIR/ssh.out"
cp "$T_DIR/known_hosts.plain" "$T_DIR/known_hosts"

# EXT_INFO carries server-sig-algs.
# shellcheck disable=SC2046
ssh $(ssh_opts) -v nobody@127.0.0.1 true >"$T_DIR/ssh.out" 2>&1
check "server-sig-algs announced" grep -q "kex_input_ext_info: server-sig-algs=<.*ssh-ed25519" "$T_DIR/ssh.out"

# A client-forced re-key before authentication.
if paramiko_usable; then
	"$PYTHON" "$top_srcdir/tests/e2e/pmclient.py" "$T_PORT" rekey >"$T_DIR/pm.out" 2>&1
	check "re-key before authentication (paramiko)" [ $? -eq 0 ]
	diag_file "$T_DIR/pm.out" 5
elif has_openssl; then
	not_ok "re-key before authentication: $(paramiko_skip_reason)"
else
	skip "re-key before authentication (paramiko)" "$(paramiko_skip_reason)"
fi
stop_hsshd

# The defaults of this build pass ssh-audit with no failure and no warning.
if command -v ssh-audit >/dev/null; then
	write_config "$cfg" $hostkey_lines
	start_hsshd "$cfg"
	ssh-audit -n -p "$T_PORT" 127.0.0.1 >"$T_DIR/audit.out" 2>&1
	# An algorithm ssh-audit does not know (the strict-KEX marker) is not
	# a finding.
	grep -E '\[(fail|warn)\]' "$T_DIR/audit.out" |
		grep -v -E 'unknown algorithm|kex-strict-s-v00@openssh.com|ext-info-s' > "$T_DIR/audit.bad"
	if [ -s "$T_DIR/audit.out" ] && [ ! -s "$T_DIR/audit.bad" ]; then
		ok "ssh-audit: no failure and no warning for the defaults"
	else
		not_ok "ssh-audit: no failure and no warning for the defaults"
		diag_file "$T_DIR/audit.out" 60
	fi
	stop_hsshd
else
	not_ok "ssh-audit is not installed"
fi
done_testing
