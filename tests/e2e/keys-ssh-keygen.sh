#!/bin/sh
# SPDX-License-Identifier: ISC
# Interoperability of common/key with OpenSSH's ssh-keygen (TAP): keys
# ssh-keygen makes load in keytool with the same fingerprint line; keys
# keytool makes are accepted by ssh-keygen -y and -l; signatures cross in
# both directions (SSHSIG, as ssh-keygen -Y sign / check-novalidate);
# passphrase-protected files are refused with the "encrypted" message.
# Old-style PEM host keys (ssh-keygen -m PEM / -m PKCS8) load with the
# fingerprint and public line ssh-keygen gives and sign what ssh-keygen
# verifies; encrypted PEM and DSA are refused.  Runs as the invoking user
# in a temporary directory; no network.
set -u

top_builddir=${top_builddir:-.}
KEYTOOL=$top_builddir/tests/unit/keytool

if ! command -v ssh-keygen >/dev/null 2>&1; then
	echo "1..0 # SKIP ssh-keygen not installed (apt-get install openssh-client)"
	exit 0
fi
if [ ! -x "$KEYTOOL" ]; then
	echo "Bail out! $KEYTOOL not built"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hs-keys.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

types=$("$KEYTOOL" types) || { echo "Bail out! keytool types failed"; exit 1; }
have() { printf '%s\n' "$types" | grep -qx "$1"; }

# Key kinds: "ssh-keygen -t" name, bits, wire type name.
kinds="ed25519 256 ssh-ed25519"
if have ssh-rsa; then
	kinds="$kinds
rsa 2048 ssh-rsa
rsa 3072 ssh-rsa
rsa 4096 ssh-rsa"
fi
if have ecdsa-sha2-nistp256; then
	kinds="$kinds
ecdsa 256 ecdsa-sha2-nistp256
ecdsa 384 ecdsa-sha2-nistp384
ecdsa 521 ecdsa-sha2-nistp521"
fi
nkinds=$(printf '%s\n' "$kinds" | wc -l)

# PEM kinds: "ssh-keygen -t" name, bits, -m format, expected armor line.
pemkinds=
if have ssh-rsa; then
	pemkinds="rsa 2048 PEM RSA
rsa 3072 PKCS8 -"
fi
if have ecdsa-sha2-nistp256; then
	pemkinds="${pemkinds:+$pemkinds
}ecdsa 256 PEM EC
ecdsa 384 PEM EC
ecdsa 521 PEM EC
ecdsa 256 PKCS8 -"
fi
npem=0
[ -n "$pemkinds" ] && npem=$(printf '%s\n' "$pemkinds" | wc -l)
# Per kind: 3 checks of ssh-keygen's key, 4 of keytool's, 3 signature
# exchanges; 2 for encrypted files; per PEM kind 4; then 2 more.
echo "1..$((nkinds * 10 + 2 + npem * 4 + 2))"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() {	# check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ] && [ -n "$2" ]; then
		ok "$1"
	else
		notok "$1"
		echo "#   expected: $2"
		echo "#   actual:   $3"
	fi
}

printf '%s\n' "$kinds" > "$tmp/kinds"
while read -r t bits name; do
	f=$tmp/sk-$t-$bits
	ssh-keygen -q -t "$t" -b "$bits" -N '' -C "made-by-ssh-keygen-$t" \
	    -f "$f" </dev/null >/dev/null 2>&1
	want=$(ssh-keygen -l -E sha256 -f "$f" 2>&1 </dev/null)
	got=$("$KEYTOOL" fp "$f" 2>&1)
	check "$name $bits from ssh-keygen: private key fingerprint line" \
	    "$want" "$got"
	want=$(ssh-keygen -l -E sha256 -f "$f.pub" 2>&1 </dev/null)
	got=$("$KEYTOOL" fp "$f.pub" 2>&1)
	check "$name $bits from ssh-keygen: public key fingerprint line" \
	    "$want" "$got"
	got=$("$KEYTOOL" pub "$f" 2>&1)
	check "$name $bits from ssh-keygen: public line from private key" \
	    "$(cat "$f.pub")" "$got"

	f=$tmp/kt-$t-$bits
	"$KEYTOOL" gen "$t" "$f" "$bits" "made-by-keytool-$t" >/dev/null 2>&1
	want=$(cat "$f.pub" 2>/dev/null)
	got=$(ssh-keygen -y -f "$f" 2>&1 </dev/null)
	check "$name $bits from keytool: ssh-keygen -y gives the same line" \
	    "$want" "$got"
	want=$("$KEYTOOL" fp "$f" 2>&1)
	# Without a .pub beside it, ssh-keygen -l must read the private file.
	cp "$f" "$f.alone" 2>/dev/null
	got=$(ssh-keygen -l -E sha256 -f "$f.alone" 2>&1 </dev/null)
	check "$name $bits from keytool: ssh-keygen -l on the private key" \
	    "$want" "$got"
	got=$(ssh-keygen -l -E sha256 -f "$f.pub" 2>&1 </dev/null)
	check "$name $bits from keytool: ssh-keygen -l on the public key" \
	    "$want" "$got"
	mode=$(stat -c %a "$f" 2>/dev/null)
	check "$name $bits from keytool: private file mode 600" "600" "$mode"

	# Signatures: ssh-keygen signs, keytool verifies; and the reverse.
	m=$tmp/msg-$t-$bits
	printf 'message signed with %s %s\n' "$name" "$bits" > "$m"
	ssh-keygen -q -Y sign -f "$tmp/sk-$t-$bits" -n hsshd-test "$m" \
	    </dev/null >/dev/null 2>&1
	if out=$("$KEYTOOL" sshsig-verify "$tmp/sk-$t-$bits.pub" hsshd-test \
	    "$m.sig" < "$m" 2>&1); then
		ok "$name $bits: keytool verifies ssh-keygen's signature"
	else
		notok "$name $bits: keytool verifies ssh-keygen's signature"
		echo "#   $out"
	fi
	if out=$(echo "other message" | "$KEYTOOL" sshsig-verify \
	    "$tmp/sk-$t-$bits.pub" hsshd-test "$m.sig" 2>&1); then
		notok "$name $bits: keytool refuses it over other data"
		echo "#   $out"
	else
		ok "$name $bits: keytool refuses it over other data"
	fi
	if "$KEYTOOL" sshsig-sign "$f" hsshd-test < "$m" > "$m.kt" 2>&1 &&
	    out=$(ssh-keygen -Y check-novalidate -n hsshd-test -s "$m.kt" \
	    < "$m" 2>&1); then
		ok "$name $bits: ssh-keygen verifies keytool's signature"
	else
		notok "$name $bits: ssh-keygen verifies keytool's signature"
		echo "#   ${out:-$(cat "$m.kt")}"
	fi
done < "$tmp/kinds"

f=$tmp/enc
ssh-keygen -q -t ed25519 -N 'secret passphrase' -C enc -f "$f" \
    </dev/null >/dev/null 2>&1
if out=$("$KEYTOOL" fp "$f" 2>&1); then
	notok "passphrase-protected key is refused"
	echo "#   keytool said: $out"
else
	ok "passphrase-protected key is refused"
fi
case $out in
*encrypted*) ok "refusal names the key as encrypted" ;;
*) notok "refusal names the key as encrypted"; echo "#   got: $out" ;;
esac

# Old-style PEM host keys.  Each file is alone in its directory, so that
# ssh-keygen -l reads the private key itself, not a .pub beside it.
printf '%s\n' "$pemkinds" > "$tmp/pemkinds"
while [ "$npem" -gt 0 ] && read -r t bits fmt armor; do
	d=$tmp/pem-$t-$bits-$fmt
	mkdir "$d" && f=$d/key
	ssh-keygen -q -t "$t" -b "$bits" -m "$fmt" -N '' -C "pem-$t" \
	    -f "$f" </dev/null >/dev/null 2>&1
	mv "$f.pub" "$d.pub" 2>/dev/null
	[ "$armor" = - ] && want="-----BEGIN PRIVATE KEY-----" ||
	    want="-----BEGIN $armor PRIVATE KEY-----"
	check "$t $bits -m $fmt: ssh-keygen wrote $want" "$want" \
	    "$(head -n 1 "$f" 2>/dev/null)"
	want=$(ssh-keygen -l -E sha256 -f "$f" 2>&1 </dev/null)
	got=$("$KEYTOOL" fp "$f" 2>&1)
	check "$t $bits -m $fmt: fingerprint line as ssh-keygen -l" \
	    "$want" "$got"
	want=$(ssh-keygen -y -f "$f" 2>&1 </dev/null)
	got=$("$KEYTOOL" pub "$f" 2>&1)
	check "$t $bits -m $fmt: public line as ssh-keygen -y" "$want" "$got"
	m=$d.msg
	printf 'signed with a PEM %s %s key\n' "$t" "$bits" > "$m"
	what="$t $bits -m $fmt: ssh-keygen verifies keytool's signature"
	if "$KEYTOOL" sshsig-sign "$f" hsshd-test < "$m" > "$m.kt" 2>&1 &&
	    out=$(ssh-keygen -Y check-novalidate -n hsshd-test -s "$m.kt" \
	    < "$m" 2>&1); then
		ok "$what"
	else
		notok "$what"
		echo "#   ${out:-$(cat "$m.kt")}"
	fi
done < "$tmp/pemkinds"

# Encrypted PEM is refused without a prompt (stdin is closed); so is DSA.
if have ecdsa-sha2-nistp256; then
	f=$tmp/enc-pem
	ssh-keygen -q -t ecdsa -m PEM -N 'secret passphrase' -f "$f" \
	    </dev/null >/dev/null 2>&1
	out=$("$KEYTOOL" fp "$f" 2>&1 </dev/null)
	case $out in
	*encrypted*) ok "encrypted PEM key is refused as encrypted" ;;
	*) notok "encrypted PEM key is refused as encrypted"
	   echo "#   got: $out" ;;
	esac
else
	ok "encrypted PEM key # SKIP no ECDSA in this build"
fi
f=$tmp/dsa-pem
if ssh-keygen -q -t dsa -m PEM -N '' -f "$f" </dev/null >/dev/null 2>&1; then
	out=$("$KEYTOOL" fp "$f" 2>&1 </dev/null)
	case $out in
	*"key type not supported"*)
	   ok "DSA PEM key is refused as unsupported" ;;
	*) notok "DSA PEM key is refused as unsupported"
	   echo "#   got: $out" ;;
	esac
else
	ok "DSA PEM key # SKIP this ssh-keygen makes no DSA keys"
fi
