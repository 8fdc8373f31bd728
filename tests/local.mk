# SPDX-License-Identifier: ISC
# tests/: C unit tests (TAP), end-to-end scripts (TAP) and fuzz harnesses.
UNIT_LDADD = $(COMMON_LIBS)

check_PROGRAMS += %D%/unit/test-buf
%C%_unit_test_buf_LDADD = $(UNIT_LDADD)

TESTS += %D%/unit/test-buf

EXTRA_DIST += %D%/tap.h

# libFuzzer harnesses (configure --enable-fuzzers, CC=clang).  Each links
# libcommon.a built with -fsanitize=fuzzer-no-link.  tests/fuzz/run.sh runs
# each for a bounded time.
FUZZ_LDADD = $(COMMON_LIBS)
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-buf
%C%_fuzz_fuzz_buf_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_buf_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-buf.c \
	%D%/fuzz/corpus/fuzz-monitor/prompts-after-kbdint-abort \
	%D%/fuzz/corpus/fuzz-monitor/prompts-after-kbdint-abort-found \
	%D%/fuzz/corpus/fuzz-monitor/openssl-cache-after-violation

# Key formats and signatures (common/key*.c); keytool is the check-only CLI
# the ssh-keygen interop script drives.
check_PROGRAMS += %D%/unit/test-key %D%/unit/keytool
%C%_unit_test_key_LDADD = $(UNIT_LDADD)
%C%_unit_keytool_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-key %D%/e2e/keys-ssh-keygen.sh
dist_check_SCRIPTS += %D%/e2e/keys-ssh-keygen.sh
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-pubkey %D%/fuzz/fuzz-privkey
%C%_fuzz_fuzz_pubkey_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_pubkey_LDADD = $(FUZZ_LDADD)
%C%_fuzz_fuzz_privkey_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
%C%_fuzz_fuzz_privkey_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_privkey_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-pubkey.c %D%/fuzz/fuzz-privkey.c
# PEM private keys (PKCS#1, SEC1, PKCS#8) in common/key-file.c.
check_PROGRAMS += %D%/unit/test-key-pem
%C%_unit_test_key_pem_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
%C%_unit_test_key_pem_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-key-pem
# FIDO security-key public keys and signatures (common/key-sk.c).
check_PROGRAMS += %D%/unit/test-key-sk
%C%_unit_test_key_sk_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-key-sk

# SSH transport: ciphers and MACs, key exchange, packets and the version
# line (common/cipher*.c, mac.c, kex*.c, pkt.c, banner.c).
check_PROGRAMS += %D%/unit/test-cipher %D%/unit/test-kex %D%/unit/test-pkt
%C%_unit_test_cipher_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
%C%_unit_test_cipher_LDADD = $(UNIT_LDADD)
%C%_unit_test_kex_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
%C%_unit_test_kex_LDADD = $(UNIT_LDADD)
%C%_unit_test_pkt_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-cipher %D%/unit/test-kex %D%/unit/test-pkt
# The server's key exchange driver (common/kexdrv.c), with a fake monitor.
check_PROGRAMS += %D%/unit/test-kexdrv
%C%_unit_test_kexdrv_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-kexdrv
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-kexdrv
%C%_fuzz_fuzz_kexdrv_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_kexdrv_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-kexdrv.c
# The transport head both children share (common/transport-common.c).
check_PROGRAMS += %D%/unit/test-transport-common
%C%_unit_test_transport_common_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-transport-common
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-transport-common
%C%_fuzz_fuzz_transport_common_SOURCES = \
	%D%/fuzz/fuzz-transport-common.c \
	%D%/fuzz/exit-fakes.c %D%/fuzz/exit-fakes.h
%C%_fuzz_fuzz_transport_common_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_transport_common_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-transport-common.c
# The transport library against a real OpenSSH client.
check_PROGRAMS += %D%/unit/interop-server
%C%_unit_interop_server_LDADD = $(UNIT_LDADD)
TESTS += %D%/e2e/transport-openssh.sh
dist_check_SCRIPTS += %D%/e2e/transport-openssh.sh
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-pkt %D%/fuzz/fuzz-kexinit %D%/fuzz/fuzz-banner
%C%_fuzz_fuzz_pkt_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_pkt_LDADD = $(FUZZ_LDADD)
%C%_fuzz_fuzz_kexinit_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_kexinit_LDADD = $(FUZZ_LDADD)
%C%_fuzz_fuzz_banner_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_banner_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-pkt.c %D%/fuzz/fuzz-kexinit.c \
	%D%/fuzz/fuzz-banner.c

# Monitor RPC framing, /proc/PID/status checks, the pre-auth sandbox.
check_PROGRAMS += %D%/unit/test-rpc %D%/unit/test-procstatus \
	%D%/unit/test-sandbox
%C%_unit_test_rpc_LDADD = $(UNIT_LDADD)
%C%_unit_test_procstatus_LDADD = $(UNIT_LDADD)
%C%_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS)
%C%_unit_test_sandbox_LDADD = $(SANDBOX_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-rpc %D%/unit/test-procstatus %D%/unit/test-sandbox
EXTRA_DIST += %D%/unit/fixtures/procstatus-sandboxed.txt \
	%D%/unit/fixtures/procstatus-root.txt \
	%D%/unit/fixtures/procstatus-unprivileged.txt
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-rpc %D%/fuzz/fuzz-procstatus
%C%_fuzz_fuzz_rpc_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_rpc_LDADD = $(FUZZ_LDADD)
%C%_fuzz_fuzz_procstatus_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_procstatus_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-rpc.c %D%/fuzz/fuzz-procstatus.c

# The sshd_config language, Match and algorithm lists (policy/).
check_PROGRAMS += %D%/unit/test-config %D%/unit/test-match %D%/unit/test-algs
%C%_unit_test_config_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
%C%_unit_test_match_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
%C%_unit_test_algs_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-config %D%/unit/test-match %D%/unit/test-algs
EXTRA_DIST += %D%/unit/fixtures/debian12/sshd_config \
	%D%/unit/fixtures/debian12/sshd_config.d/50-site.conf \
	%D%/unit/fixtures/debian12/sshd_config.d/README \
	%D%/unit/fixtures/hardened/sshd_config
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-config
%C%_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_config_LDADD = $(POLICY_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-config.c
# The configuration snapshot the listener hands each monitor.
check_PROGRAMS += %D%/unit/test-config-serial
%C%_unit_test_config_serial_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-config-serial
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-config-serial
%C%_fuzz_fuzz_config_serial_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_config_serial_LDADD = $(POLICY_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-config-serial.c

# The listener's connection policy: MaxStartups, PerSourceMaxStartups,
# PerSourcePenalties (monitor/srclimit.c, built into the test directly).
check_PROGRAMS += %D%/unit/test-srclimit
%C%_unit_test_srclimit_SOURCES = %D%/unit/test-srclimit.c \
	monitor/srclimit.c monitor/srclimit.h
%C%_unit_test_srclimit_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-srclimit
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-srclimit
%C%_fuzz_fuzz_srclimit_SOURCES = %D%/fuzz/fuzz-srclimit.c \
	monitor/srclimit.c monitor/srclimit.h
%C%_fuzz_fuzz_srclimit_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_srclimit_LDADD = $(POLICY_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-srclimit.c

# authorized_keys: the line parser (policy/authkeys.c) and the monitor's
# StrictModes reader (monitor/authfile.c, built into the test directly).
check_PROGRAMS += %D%/unit/test-authkeys %D%/unit/test-authfile
%C%_unit_test_authkeys_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
%C%_unit_test_authfile_SOURCES = %D%/unit/test-authfile.c \
	monitor/authfile.c monitor/authfile.h
%C%_unit_test_authfile_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-authkeys %D%/unit/test-authfile
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-authkeys
%C%_fuzz_fuzz_authkeys_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_authkeys_LDADD = $(POLICY_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-authkeys.c

# The authentication attack surface: the pre-auth child's ssh-userauth
# parser (preauth/userauth.c) against fakes of its transport and monitor
# client, and the monitor's handlers (monitor/answer-{kex,auth}.c, pam.c
# over a fake PAM) driven as by a compromised pre-auth child.
USERAUTH_FAKES = %D%/fuzz/userauth-fakes.c %D%/fuzz/userauth-fakes.h \
	%D%/fuzz/exit-fakes.c %D%/fuzz/exit-fakes.h
USERAUTH_PROD = preauth/userauth.c preauth/transport-priv.h \
	preauth/monitor-client.h preauth/mm-results.c
check_PROGRAMS += %D%/unit/test-userauth
%C%_unit_test_userauth_SOURCES = %D%/unit/test-userauth.c \
	$(USERAUTH_FAKES) $(USERAUTH_PROD)
%C%_unit_test_userauth_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-userauth
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-userauth %D%/fuzz/fuzz-monitor
%C%_fuzz_fuzz_userauth_SOURCES = %D%/fuzz/fuzz-userauth.c \
	$(USERAUTH_FAKES) $(USERAUTH_PROD)
%C%_fuzz_fuzz_userauth_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_userauth_LDADD = $(FUZZ_LDADD)
# HS_FUZZING: answer-auth.c does not sleep out its failure delay.
%C%_fuzz_fuzz_monitor_SOURCES = %D%/fuzz/fuzz-monitor.c \
	%D%/fuzz/exit-fakes.c %D%/fuzz/exit-fakes.h \
	monitor/answer-kex.c monitor/answer-auth.c monitor/monitor.h \
	monitor/authfile.c monitor/authfile.h monitor/pam.c monitor/pam.h \
	monitor/spawn.c monitor/spawn.h monitor/dns.c \
	monitor/dispatch-table.c monitor/dispatch-table.h
%C%_fuzz_fuzz_monitor_CPPFLAGS = $(AM_CPPFLAGS) -DHS_FUZZING
%C%_fuzz_fuzz_monitor_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_monitor_LDADD = $(POLICY_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-userauth.c %D%/fuzz/fuzz-monitor.c

# The monitor's dispatch table (monitor/dispatch-table.c) and its
# invariants; the handlers it names are stand-ins in the test.
check_PROGRAMS += %D%/unit/test-dispatch
%C%_unit_test_dispatch_SOURCES = %D%/unit/test-dispatch.c \
	monitor/dispatch-table.c monitor/dispatch-table.h monitor/monitor.h
%C%_unit_test_dispatch_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-dispatch

# The session's start state (common/sessinit.c) and the test builder of
# a realistic one (tests/unit/test-sess-builder.c, tests only).
SESSB_SOURCES = %D%/unit/test-sess-builder.c %D%/unit/test-sess-builder.h
check_PROGRAMS += %D%/unit/test-sessinit
%C%_unit_test_sessinit_SOURCES = %D%/unit/test-sessinit.c $(SESSB_SOURCES)
%C%_unit_test_sessinit_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sessinit
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-sessinit
%C%_fuzz_fuzz_sessinit_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_sessinit_LDADD = $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-sessinit.c
# hsshd-session's connection protocol (session/) against a fake transport
# with real children (tests/unit/test-sess-chan.c), and its parsers.
SESS_CHAN_SOURCES = %D%/unit/test-sess-chan.c %D%/unit/test-sess-chan.h
check_PROGRAMS += %D%/unit/test-channel
%C%_unit_test_channel_SOURCES = %D%/unit/test-channel.c \
	$(SESS_CHAN_SOURCES) $(SESSB_SOURCES)
%C%_unit_test_channel_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-channel
check_PROGRAMS += %D%/unit/test-sess-parse
%C%_unit_test_sess_parse_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sess-parse
# internal-sftp: its parsers, its engine in a temporary directory and
# its descriptor loop (session/sftp-*.c).
check_PROGRAMS += %D%/unit/test-sftp
%C%_unit_test_sftp_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sftp
# internal-sftp's engine under libFuzzer, confined to a private directory
# (see the harness's comment).
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-sftp
%C%_fuzz_fuzz_sftp_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_sftp_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-sftp.c
check_PROGRAMS += %D%/unit/test-sess-fwd
%C%_unit_test_sess_fwd_SOURCES = %D%/unit/test-sess-fwd.c \
	$(SESS_CHAN_SOURCES) $(SESSB_SOURCES)
%C%_unit_test_sess_fwd_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sess-fwd
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-channel %D%/fuzz/fuzz-ttymodes \
	%D%/fuzz/fuzz-fwdmsg
%C%_fuzz_fuzz_fwdmsg_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_fwdmsg_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
%C%_fuzz_fuzz_channel_SOURCES = %D%/fuzz/fuzz-channel.c $(SESSB_SOURCES)
%C%_fuzz_fuzz_channel_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_channel_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
%C%_fuzz_fuzz_ttymodes_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_ttymodes_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-channel.c %D%/fuzz/fuzz-ttymodes.c \
	%D%/fuzz/fuzz-fwdmsg.c
# X11 and agent forwarding (session/x11.c, agent.c, chanmsg-x11.c).
check_PROGRAMS += %D%/unit/test-sess-x11
%C%_unit_test_sess_x11_SOURCES = %D%/unit/test-sess-x11.c \
	$(SESS_CHAN_SOURCES) $(SESSB_SOURCES)
%C%_unit_test_sess_x11_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sess-x11
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-x11req
%C%_fuzz_fuzz_x11req_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_x11req_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-x11req.c
# The monitor's session-phase handlers (monitor/answer-session.c, built
# into the test directly).
check_PROGRAMS += %D%/unit/test-sess-monitor
%C%_unit_test_sess_monitor_SOURCES = %D%/unit/test-sess-monitor.c \
	monitor/answer-session.c monitor/monitor.h
%C%_unit_test_sess_monitor_LDADD = $(UNIT_LDADD)
TESTS += %D%/unit/test-sess-monitor
# Host key rotation (PROTOCOL §2.5): the session's side and the monitor's
# RPC_HOSTKEY_PROVE handler together; and a fuzzer of both parsers.
check_PROGRAMS += %D%/unit/test-hostkeys
%C%_unit_test_hostkeys_SOURCES = %D%/unit/test-hostkeys.c \
	monitor/answer-session.c monitor/monitor.h
%C%_unit_test_hostkeys_LDADD = $(SESSION_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-hostkeys
if ENABLE_FUZZERS
noinst_PROGRAMS += %D%/fuzz/fuzz-hostkeys
%C%_fuzz_fuzz_hostkeys_SOURCES = %D%/fuzz/fuzz-hostkeys.c \
	monitor/answer-session.c monitor/monitor.h
%C%_fuzz_fuzz_hostkeys_LDFLAGS = $(FUZZ_LDFLAGS)
%C%_fuzz_fuzz_hostkeys_LDADD = $(SESSION_LIBS) $(FUZZ_LDADD)
endif
EXTRA_DIST += %D%/fuzz/fuzz-hostkeys.c
# The real hsshd-session, with this test as its monitor and its client.
check_PROGRAMS += %D%/unit/test-sess-loop
%C%_unit_test_sess_loop_SOURCES = %D%/unit/test-sess-loop.c \
	monitor/answer-session.c monitor/monitor.h $(SESSB_SOURCES)
%C%_unit_test_sess_loop_LDADD = $(POLICY_LIBS) $(UNIT_LDADD)
TESTS += %D%/unit/test-sess-loop


# End-to-end tests of the server with real clients.  Helper programs run
# from the build tree through tests/libexec (honoured only by
# --enable-test-hooks builds).
check_SCRIPTS += %D%/libexec/stamp
%D%/libexec/stamp: $(hsshdlibexec_PROGRAMS)
	$(AM_V_GEN)$(MKDIR_P) %D%/libexec && \
	for p in $(hsshdlibexec_PROGRAMS); do \
		ln -sf "$(abs_top_builddir)/$$p" %D%/libexec/ || exit 1; \
	done && touch $@
CLEANFILES += %D%/libexec/stamp
clean-local: clean-local-libexec
clean-local-libexec:
	-rm -rf %D%/libexec
.PHONY: clean-local-libexec

# A compromised pre-auth child for tests/e2e/monitor-rpc.sh.
check_PROGRAMS += %D%/unit/evil-preauth
%C%_unit_evil_preauth_LDADD = $(SANDBOX_LIBS) $(COMMON_LIBS)

E2E_TESTS = \
	%D%/e2e/hostkeys.sh \
	%D%/e2e/transport.sh \
	%D%/e2e/malformed.sh \
	%D%/e2e/sandbox.sh \
	%D%/e2e/monitor-rpc.sh \
	%D%/e2e/auth.sh \
	%D%/e2e/linkage.sh \
	%D%/e2e/session.sh \
	%D%/e2e/forward-agent-x11.sh \
	%D%/e2e/session-extra.sh \
	%D%/e2e/session-tty.sh \
	%D%/e2e/forward.sh \
	%D%/e2e/sftp-internal.sh \
	%D%/e2e/policy-cli.sh \
	%D%/e2e/listener.sh \
	%D%/e2e/srclimit.sh \
	%D%/e2e/churn.sh \
	%D%/e2e/logging.sh
TESTS += $(E2E_TESTS)
dist_check_SCRIPTS += $(E2E_TESTS)
EXTRA_DIST += %D%/e2e/lib.sh %D%/e2e/rawclient.py %D%/e2e/pmclient.py \
	%D%/e2e/tosprobe.py \
	%D%/e2e/connclient.py %D%/run-all.sh
