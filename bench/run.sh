#!/bin/sh
# SPDX-License-Identifier: ISC
# Build and install hsshd (release build, into state/bench), then compare
# it with Debian's OpenSSH sshd in the same run (bench/compare.py prints a
# table of hsshd/sshd ratios).  As root on Debian 12; installs
# openssh-server for its sshd if missing.  Extra arguments go to
# compare.py (e.g. --mbytes 256 --logins 10).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/state/bench"
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root" >&2; exit 1; }
if ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q "ok installed"; then
	# Its package scripts must not start a system sshd.
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null
	rm -f /usr/sbin/policy-rc.d
fi
"$top/tools/dev.sh" deps
mkdir -p "$state/build"
cd "$state/build"
[ -f Makefile ] || "$top/configure" -q --prefix="$state/prefix" --sysconfdir="$state/etc"
make -s -j"$(nproc)" >/dev/null
make -s install >/dev/null
exec python3 "$top/bench/compare.py" --hsshd "$state/prefix/sbin/hsshd" "$@"
