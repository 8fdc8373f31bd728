# SPDX-License-Identifier: ISC
# policy/: the sshd_config language, Match evaluation and algorithm lists:
# pure decision code as a non-installed static archive.  Programs link
# $(POLICY_LIBS) before $(COMMON_LIBS).
noinst_LIBRARIES += %D%/libpolicy.a
%C%_libpolicy_a_SOURCES = \
	%D%/strv.c %D%/strv.h \
	%D%/match.c %D%/match-addr.c %D%/match-crit.c %D%/match.h \
	%D%/algs.c %D%/algs-lists.c %D%/algs.h \
	%D%/config.c %D%/config.h %D%/config-priv.h \
	%D%/config-parse.c %D%/config-keys.c %D%/config-kw.c \
	%D%/config-apply.c %D%/config-values.c %D%/config-match.c \
	%D%/config-dump.c %D%/config-tokens.c %D%/config-err.c \
	%D%/config-serial.c
# authorized_keys lines and their options.
%C%_libpolicy_a_SOURCES += %D%/authkeys.c %D%/authkeys.h

POLICY_LIBS = %D%/libpolicy.a
