# SPDX-License-Identifier: ISC
# session/: hsshd-session, the connection protocol of an authenticated
# connection, running as the user (no capabilities).  Links libsodium,
# OpenSSL (optional) and libcap (to check it holds no capabilities); never
# PAM and never the sandbox.  Everything but main.c is a library so the
# tests and fuzzers can drive the channel layer on its own.
noinst_LIBRARIES += %D%/libsession.a
%C%_libsession_a_SOURCES = \
	%D%/channel.c %D%/channel.h %D%/channel-priv.h \
	%D%/chan-session.c %D%/chan-fwd.c %D%/chanmsg.c %D%/chanmsg.h \
	%D%/agent.c %D%/agent.h %D%/x11.c %D%/x11.h %D%/chanmsg-x11.c \
	%D%/ttymodes.c %D%/ttymodes.h \
	%D%/env.c %D%/env.h \
	%D%/hostkeys.c %D%/hostkeys.h \
	%D%/exec.c %D%/exec.h \
	%D%/pty.c %D%/pty.h \
	%D%/sftp-msg.c %D%/sftp-msg.h %D%/sftp-server.c %D%/sftp-server.h \
	%D%/monitor-client.c %D%/monitor-client.h \
	%D%/kex.c %D%/transport.c %D%/transport.h %D%/transport-priv.h

# Everything a program needs to link libsession.a.
SESSION_LIBS = %D%/libsession.a $(POLICY_LIBS)

hsshdlibexec_PROGRAMS += %D%/hsshd-session
%C%_hsshd_session_SOURCES = %D%/main.c
%C%_hsshd_session_CFLAGS = $(AM_CFLAGS) $(CAP_CFLAGS)
%C%_hsshd_session_LDADD = $(SESSION_LIBS) $(COMMON_LIBS) $(CAP_LIBS)
