#!/bin/sh
# SPDX-License-Identifier: ISC
# Host-key preparation: -t reports missing keys without writing; the first
# start generates them (modes 0600/0644, fingerprint logged = ssh-keygen's);
# every kind of bad key file stops the start with an error naming it.
. "$top_srcdir/tests/e2e/lib.sh"

T_PORT=$(free_port)
K="$T_DIR/keys"
mkdir -p "$K"
chmod 0755 "$K"
cfg="$T_DIR/sshd_config"
if has_openssl; then types="rsa ecdsa ed25519"; else types="ed25519"; fi
hostkeys=
for t in $types; do hostkeys="$hostkeys HostKey $K/ssh_host_${t}_key"; done
# shellcheck disable=SC2086
write_config "$cfg" $(for t in $types; do echo "HostKey=$K/ssh_host_${t}_key"; done)

# 1. -t on a directory without keys reports each as missing, writes nothing.
"$HSSHD" -t -f "$cfg" >"$T_DIR/t.out" 2>&1
rc=$?
check "-t without keys fails" [ $rc -ne 0 ]
for t in $types; do
	check "-t names missing $t key" grep -q "host key $K/ssh_host_${t}_key is missing" "$T_DIR/t.out"
done
check "-t wrote nothing" [ -z "$(ls -A "$K")" ]

# 2. The first start generates every key, safely, and logs fingerprints.
if start_hsshd "$cfg"; then ok "hsshd starts without keys"; else not_ok "hsshd starts without keys"; fi
stop_hsshd
for t in $types; do
	f="$K/ssh_host_${t}_key"
	check "$t key generated with mode 600" [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ]
	check "$t .pub generated with mode 644" [ "$(stat -c %a "$f.pub" 2>/dev/null)" = 644 ]
	fp=$(ssh-keygen -l -f "$f" 2>/dev/null | awk '{print $2}')
	if [ -n "$fp" ] && grep -q "generated new .* host key $f: [0-9]* $fp" "$T_DIR/hsshd.log"; then
		ok "$t fingerprint logged equals ssh-keygen -l ($fp)"
	else
		not_ok "$t fingerprint logged equals ssh-keygen -l"; diag_file "$T_DIR/hsshd.log"
	fi
	check "ssh-keygen -y reproduces $t .pub" \
		[ "$(ssh-keygen -y -f "$f" | cut -d' ' -f1-2)" = "$(cut -d' ' -f1-2 "$f.pub")" ]
done
check "no temporary files left" [ -z "$(ls "$K" | grep -v '_key$' | grep -v '_key.pub$')" ]

# 3. With good keys, -t passes.
"$HSSHD" -t -f "$cfg" >"$T_DIR/t.out" 2>&1
check "-t passes with good keys" [ $? -eq 0 ]

ed="$K/ssh_host_ed25519_key"
# expect_refusal DESCRIPTION PATTERN: -t and a start both fail naming $ed.
expect_refusal() {
	_d=$1; _pat=$2
	"$HSSHD" -t -f "$cfg" >"$T_DIR/t.out" 2>&1
	_rc=$?
	if [ $_rc -ne 0 ] && grep -q "$ed" "$T_DIR/t.out" && grep -q -- "$_pat" "$T_DIR/t.out"; then
		ok "-t refuses $_d"
	else
		not_ok "-t refuses $_d (rc $_rc)"; diag_file "$T_DIR/t.out"
	fi
	"$HSSHD" -D -e -f "$cfg" >"$T_DIR/start.out" 2>&1 &
	_p=$!
	T_PIDS="$T_PIDS $_p"
	if wait_for "! kill -0 $_p 2>/dev/null" 100; then
		wait $_p; _rc=$?
		if [ $_rc -ne 0 ] && grep -q "$ed" "$T_DIR/start.out"; then
			ok "start refused for $_d"
		else
			not_ok "start refused for $_d (rc $_rc)"; diag_file "$T_DIR/start.out"
		fi
	else
		kill $_p; not_ok "start refused for $_d (it kept running)"
	fi
}

cp "$ed" "$T_DIR/ed.save"; cp "$ed.pub" "$T_DIR/ed.pub.save"
restore() { cp "$T_DIR/ed.save" "$ed"; cp "$T_DIR/ed.pub.save" "$ed.pub"; chmod 600 "$ed"; chmod 644 "$ed.pub"; }

chmod 644 "$ed"
expect_refusal "a world-readable private key" "too open"
restore
chmod 640 "$ed"
expect_refusal "a group-readable private key" "too open"
restore

printf 'garbage\n' > "$ed"
expect_refusal "an unparseable key" "cannot be loaded"
restore

head -c 200 "$T_DIR/ed.save" > "$ed"
expect_refusal "a truncated key" "cannot be loaded"
restore

rm -f "$ed" "$ed.pub"
ssh-keygen -q -t ed25519 -N secret -C enc -f "$ed" >/dev/null
expect_refusal "an encrypted key" "passphrase"
restore

ssh-keygen -q -t ed25519 -N '' -C other -f "$T_DIR/other" >/dev/null
cp "$T_DIR/other.pub" "$ed.pub"
expect_refusal "a .pub of another key" "does not match"
restore

mkdir -p "$T_DIR/wdir"; chmod 0777 "$T_DIR/wdir"
cp "$T_DIR/ed.save" "$T_DIR/wdir/key"; chmod 600 "$T_DIR/wdir/key"
rm -f "$ed"; ln -s "$T_DIR/wdir/key" "$ed"
expect_refusal "a symlink into a world-writable directory" "symlink"
rm -f "$ed"; restore

mkdir -p "$T_DIR/fifo"; rm -f "$ed"; mkfifo "$ed"
expect_refusal "a FIFO in place of a key" "not a regular file"
rm -f "$ed"; restore

if is_root; then
	chown nobody "$ed"
	expect_refusal "a key not owned by root" "must be owned by root"
	restore
else
	skip "a key not owned by root" "needs root"
fi

if ! has_openssl; then
	rm -f "$ed" "$ed.pub"
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$ed" >/dev/null
	expect_refusal "an RSA key in a build without OpenSSL" "not supported"
	restore
fi

# 4. A key made by ssh-keygen is accepted and its fingerprint logged.
rm -f "$ed" "$ed.pub"
ssh-keygen -q -t ed25519 -N '' -C keygen -f "$ed" >/dev/null
"$HSSHD" -t -d -f "$cfg" >"$T_DIR/t.out" 2>&1
rc=$?
fp=$(ssh-keygen -l -f "$ed" | awk '{print $2}')
check "-t accepts an ssh-keygen key" [ $rc -eq 0 ]
check "its fingerprint is logged at debug level" grep -q "host key $ed: ED25519 256 $fp" "$T_DIR/t.out"

# 5. A missing .pub is written at start, not by -t.
rm -f "$ed.pub"
"$HSSHD" -t -f "$cfg" >"$T_DIR/t.out" 2>&1
check "-t does not write a missing .pub" [ ! -e "$ed.pub" ]
start_hsshd "$cfg" && stop_hsshd
check "start writes the missing .pub" [ "$(cut -d' ' -f1-2 "$ed.pub" 2>/dev/null)" = "$(ssh-keygen -y -f "$ed" | cut -d' ' -f1-2)" ]

done_testing
