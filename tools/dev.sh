#!/bin/sh
# SPDX-License-Identifier: ISC
# The two entry points of the README, for a fresh Debian 12 machine (as root):
#   tools/dev.sh run    install build deps, build, install into ./state,
#                       and run hsshd in the foreground on 127.0.0.1:2222
#   tools/dev.sh test   install build and test deps, build, and run the
#                       whole suite (plain, ASan+UBSan, fuzzers briefly)
# Both are idempotent; HSSHD_PORT changes the port of "run".
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
state="$top/state"
jobs=$(nproc 2>/dev/null || echo 2)

BUILD_DEPS="build-essential autoconf automake libtool pkg-config
	libsodium-dev libseccomp-dev libcap-dev libpam0g-dev libssl-dev"
TEST_DEPS="clang libclang-rt-14-dev openssh-client openssh-sftp-server
	sshpass expect python3 python3-paramiko socat ssh-audit
	fail2ban procps iproute2 passwd xauth tmux curl
	busybox-static xvfb x11-utils"

install_deps() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "dev.sh: missing packages:$missing (run as root to install)" >&2
		return 1
	fi
	echo "dev.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The privilege-separation user of the pre-auth sandbox (as packaging does).
ensure_privsep_user() {
	[ "$(id -u)" = 0 ] || return 0
	getent passwd hsshd >/dev/null ||
		useradd --system --no-create-home --home-dir /run/hsshd \
			--shell /usr/sbin/nologin hsshd
}

# The PAM service file, when the system has none yet.
ensure_pam_service() {
	[ "$(id -u)" = 0 ] || return 0
	[ -e /etc/pam.d/hsshd ] || install -m 0644 "$top/packaging/pam.d/hsshd" /etc/pam.d/hsshd
}

autogen() {
	[ -x "$top/configure" ] && [ "$top/configure" -nt "$top/configure.ac" ] &&
		[ "$top/Makefile.in" -nt "$top/Makefile.am" ] && return 0
	(cd "$top" && autoreconf -fi >/dev/null 2>&1) ||
		(cd "$top" && autoreconf -fi)
}

case "$cmd" in
deps)
	# Build dependencies, the privsep user, the PAM service, configure
	# (for bench/run.sh and packaging scripts).
	install_deps $BUILD_DEPS
	ensure_privsep_user
	ensure_pam_service
	autogen
	;;
run)
	install_deps $BUILD_DEPS
	ensure_privsep_user
	ensure_pam_service
	autogen
	port=${HSSHD_PORT:-2222}
	mkdir -p "$state/build" "$state/etc"
	chmod 0755 "$state" "$state/etc"
	cd "$state/build"
	[ -f Makefile ] || "$top/configure" -q --prefix="$state/prefix" \
		--sysconfdir="$state/etc"
	make -s -j"$jobs" >/dev/null
	make -s install >/dev/null
	cfg="$state/etc/sshd_config"
	if [ ! -f "$cfg" ]; then
		cat > "$cfg" <<CFG
# hsshd development configuration (tools/dev.sh run)
Port $port
ListenAddress 127.0.0.1
HostKey $state/etc/ssh_host_ed25519_key
PidFile $state/hsshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
PermitRootLogin prohibit-password
Subsystem sftp /usr/lib/openssh/sftp-server
CFG
	fi
	echo "dev.sh: hsshd on 127.0.0.1 port $port; log in with: ssh -p $port USER@127.0.0.1" >&2
	exec "$state/prefix/sbin/hsshd" -D -e -f "$cfg"
	;;
test)
	install_deps $BUILD_DEPS $TEST_DEPS
	ensure_privsep_user
	autogen
	exec "$top/tests/run-all.sh"
	;;
*)
	echo "usage: tools/dev.sh run|test|deps" >&2
	exit 2
	;;
esac
