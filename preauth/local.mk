# SPDX-License-Identifier: ISC
# preauth/: hsshd-preauth, the network-facing child (privsep user, empty
# chroot, no capabilities, seccomp).  Links libsodium and libseccomp, never
# PAM.  The sandbox is a library so the tests can link it on its own.
noinst_LIBRARIES += %D%/libsandbox.a
%C%_libsandbox_a_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS)
%C%_libsandbox_a_SOURCES = %D%/sandbox.c %D%/sandbox.h

# Everything a program needs to link libsandbox.a (with COMMON_LIBS).
SANDBOX_LIBS = %D%/libsandbox.a $(SECCOMP_LIBS) $(CAP_LIBS)

hsshdlibexec_PROGRAMS += %D%/hsshd-preauth
%C%_hsshd_preauth_SOURCES = \
	%D%/main.c \
	%D%/monitor-client.c %D%/monitor-client.h %D%/mm-results.c \
	%D%/transport.c %D%/transport.h %D%/transport-priv.h \
	%D%/userauth.c
# libpolicy.a for its pattern matcher only (LogVerbose).
%C%_hsshd_preauth_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS) $(COMMON_LIBS)
