#!/bin/sh
# SPDX-License-Identifier: ISC
# Each program links only what its trust level needs (design §1): the
# network-facing pre-auth child never links PAM, the session never links
# PAM or the sandbox, the listener never links PAM or the sandbox.
: "${top_builddir:?run through make check}"
n=0 failed=0
needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*Shared library: \[\(lib[^].]*\)\..*/\1/p'; }
# Sanitizer builds add their runtimes.
extra=
if grep -q '^#define HS_SANITIZERS' "$top_builddir/config.h" 2>/dev/null ||
    grep -q 'fsanitize' "$top_builddir/Makefile" 2>/dev/null &&
    grep -q '^SAN_CFLAGS = .*fsanitize' "$top_builddir/Makefile"; then
	extra="libasan libubsan libm libdl libpthread librt libgcc_s libstdc++ libcrypt"
fi
# allowed PROGRAM LIB...: every NEEDED library is in the list.
allowed() {
	prog=$1; shift
	n=$((n + 1))
	bad=
	libs=$(needed "$top_builddir/$prog")
	if [ -z "$libs" ]; then
		echo "not ok $n - $prog: no dynamic section (readelf missing?)"
		failed=$((failed + 1)); return
	fi
	for l in $libs; do
		case " $* $extra " in *" $l "*) ;; *) bad="$bad $l" ;; esac
	done
	if [ -z "$bad" ]; then
		echo "ok $n - $prog links only:" $libs
	else
		echo "not ok $n - $prog links$bad (allowed: $*)"
		failed=$((failed + 1))
	fi
}
allowed monitor/hsshd		libc libsodium libcrypto
allowed monitor/hsshd-monitor	libc libsodium libcrypto libpam libcap
allowed preauth/hsshd-preauth	libc libsodium libcrypto libseccomp libcap
allowed session/hsshd-session	libc libsodium libcrypto libcap
echo "1..$n"
[ "$failed" -eq 0 ]
