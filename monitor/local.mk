# SPDX-License-Identifier: ISC
# monitor/: the listener hsshd (root) and the per-connection hsshd-monitor
# (root).  They link PAM, libcap, sodium and (optionally) OpenSSL; never
# the sandbox.
sbin_PROGRAMS += %D%/hsshd
%C%_hsshd_SOURCES = \
	%D%/main.c \
	%D%/hostkey.c %D%/hostkey.h \
	%D%/listen.c %D%/listen.h \
	%D%/sdnotify.c %D%/sdnotify.h \
	%D%/snapshot.c %D%/snapshot.h \
	%D%/spawn.c %D%/spawn.h \
	%D%/srclimit.c %D%/srclimit.h
%C%_hsshd_LDADD = $(POLICY_LIBS) $(COMMON_LIBS)

hsshdlibexec_PROGRAMS += %D%/hsshd-monitor
%C%_hsshd_monitor_SOURCES = \
	%D%/monitor.c %D%/monitor.h \
	%D%/dispatch.c %D%/dispatch-table.c %D%/dispatch-table.h \
	%D%/answer-kex.c %D%/answer-auth.c %D%/dns.c \
	%D%/pam.c %D%/pam.h \
	%D%/session.c %D%/answer-session.c \
	%D%/authfile.c %D%/authfile.h \
	%D%/hostkey.c %D%/hostkey.h \
	%D%/snapshot.c %D%/snapshot.h \
	%D%/spawn.c %D%/spawn.h
%C%_hsshd_monitor_LDADD = $(POLICY_LIBS) $(COMMON_LIBS) $(PAM_LIBS) $(CAP_LIBS) \
	$(SAN_MONITOR_LIBS)
