#!/bin/sh
# SPDX-License-Identifier: ISC
# The whole suite, as CI runs it (tools/dev.sh test calls this):
#   release   -Werror build without test hooks (must compile; unit tests)
#   plain     -Werror build with test hooks: unit and end-to-end tests
#   noossl    --without-openssl: unit and end-to-end tests
#   asan      ASan+UBSan: unit and end-to-end tests
#   fuzz      clang libFuzzer harnesses, each for FUZZ_SECONDS
# Ends with "N passed, N failed" over every test point of every build.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
out=${HSSHD_BUILD_ROOT:-$top/build-ci}
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-20}
builds=${HSSHD_BUILDS:-release plain noossl asan fuzz}
passed=0 failed=0 skipped=0

note() { printf '== %s\n' "$*"; }

# Count the test points recorded by automake's TAP driver in one build.
count_results() {
	dir=$1
	for trs in $(find "$dir" -name '*.trs' 2>/dev/null); do
		while IFS= read -r line; do
			case "$line" in
			":test-result: PASS"*|":test-result: XFAIL"*)
				passed=$((passed + 1)) ;;
			":test-result: SKIP"*)
				skipped=$((skipped + 1)) ;;
			":test-result: FAIL"*|":test-result: XPASS"*|":test-result: ERROR"*)
				failed=$((failed + 1))
				echo "FAILED: $trs: $line" ;;
			esac
		done < "$trs"
	done
}

build() {
	name=$1; shift
	dir="$out/$name"
	mkdir -p "$dir"
	note "build $name: configure $*"
	(cd "$dir" && "$top/configure" -q "$@" >configure.out 2>&1) || {
		cat "$dir/configure.out"; failed=$((failed + 1)); return 1; }
	(cd "$dir" && make -j"$jobs" >make.out 2>&1) || {
		tail -n 60 "$dir/make.out"; echo "FAILED: build $name"
		failed=$((failed + 1)); return 1; }
	return 0
}

check() {
	name=$1
	dir="$out/$name"
	find "$dir" -name '*.trs' -delete 2>/dev/null
	note "make check ($name)"
	(cd "$dir" && make -j"$jobs" check >check.out 2>&1)
	rc=$?
	grep -E '^(# (TOTAL|PASS|SKIP|FAIL|ERROR)|FAIL:|ERROR:)' "$dir/check.out"
	if [ $rc -ne 0 ] && ! grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$dir/check.out"; then
		tail -n 40 "$dir/check.out"
		echo "FAILED: make check ($name) exited $rc"
		failed=$((failed + 1))
	fi
	for log in $(grep -l '^not ok' $(find "$dir/tests" -name '*.log') 2>/dev/null); do
		echo "--- $log"; grep -v '^ok' "$log" | tail -n 40
	done
	count_results "$dir"
}

# The same end-to-end tests as an unprivileged user: the server then keeps
# seccomp and no_new_privs but skips chroot and setuid, and only the
# running user can log in.  TAP lines are counted like automake's.
unprivileged() {
	dir="$out/plain"
	[ "$(id -u)" = 0 ] || { note "unprivileged: already not root"; return 0; }
	[ -x "$dir/monitor/hsshd" ] || return 0
	user=hsshdci
	getent passwd "$user" >/dev/null ||
		useradd --system --create-home --home-dir /var/tmp/hsshdci \
			--shell /bin/sh "$user" >/dev/null 2>&1
	for t in hostkeys transport malformed sandbox monitor-rpc; do
		note "unprivileged: $t"
		runuser -u "$user" -- env top_srcdir="$top" top_builddir="$dir" \
			TMPDIR=/tmp sh "$top/tests/e2e/$t.sh" > "$out/unpriv-$t.log" 2>&1
		p=$(grep -c '^ok ' "$out/unpriv-$t.log")
		f=$(grep -c '^not ok ' "$out/unpriv-$t.log")
		sk=$(grep -c '^ok .*# SKIP' "$out/unpriv-$t.log")
		passed=$((passed + p - sk)); failed=$((failed + f))
		skipped=$((skipped + sk))
		if [ "$f" -gt 0 ] || ! grep -q '^1\.\.' "$out/unpriv-$t.log"; then
			echo "FAILED: unprivileged $t"
			grep -v '^ok' "$out/unpriv-$t.log" | tail -n 30
			[ "$f" -gt 0 ] || failed=$((failed + 1))
		fi
	done
}

for b in $builds; do
	case $b in
	release)
		# Production configuration: must build -Werror clean and pass
		# the unit tests (end-to-end tests need test hooks).
		build release --enable-werror && check release ;;
	plain)
		build plain --enable-werror --enable-test-hooks && check plain &&
			unprivileged ;;
	noossl)
		build noossl --enable-werror --enable-test-hooks --without-openssl &&
			check noossl ;;
	asan)
		build asan --enable-sanitizers --enable-test-hooks &&
			ASAN_OPTIONS=detect_leaks=1 check asan ;;
	fuzz)
		if command -v clang >/dev/null; then
			CC=clang build fuzz --enable-fuzzers && {
				note "fuzzers, ${fuzz_seconds}s each"
				for f in "$out"/fuzz/tests/fuzz/fuzz-*; do
					[ -x "$f" ] || continue
					case "$f" in *.o|*.c) continue ;; esac
					n=$(basename "$f")
					corpus="$out/fuzz/corpus-$n"
					mkdir -p "$corpus"
					# Seeds and regressions kept in the tree.
					[ -d "$top/tests/fuzz/corpus/$n" ] &&
						cp "$top/tests/fuzz/corpus/$n"/* "$corpus/"
					if "$f" -max_total_time="$fuzz_seconds" \
					    -rss_limit_mb=2048 -timeout=10 \
					    "$corpus" >"$out/fuzz/$n.out" 2>&1; then
						echo "ok fuzz $n"
						passed=$((passed + 1))
					else
						echo "FAILED: fuzz $n"
						tail -n 30 "$out/fuzz/$n.out"
						failed=$((failed + 1))
					fi
				done
			}
		else
			echo "clang missing: fuzzers not run"
			failed=$((failed + 1))
		fi ;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
