# SPDX-License-Identifier: ISC
# common/: code linked into several programs, as a non-installed static
# archive; each program pulls in only the objects it references.
noinst_LIBRARIES += %D%/libcommon.a
%C%_libcommon_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
%C%_libcommon_a_SOURCES = \
	%D%/bounds.h %D%/banned.h \
	%D%/err.c %D%/err.h \
	%D%/mem.c %D%/mem.h \
	%D%/log.c %D%/log.h \
	%D%/buf.c %D%/buf-getput.c %D%/buf.h \
	%D%/txt.c %D%/txt.h \
	%D%/key.c %D%/key.h %D%/key-impl.h %D%/key-ed25519.c \
	%D%/key-rsa.c %D%/key-ecdsa.c %D%/key-file.c %D%/key-sk.c

# Monitor RPC framing and THE message list; the monitor's check of its
# sandboxed child.
%C%_libcommon_a_SOURCES += \
	%D%/rpc.c %D%/rpc.h %D%/rpc-msgs.h %D%/mm-client.c %D%/mm-client.h \
	%D%/procstatus.c %D%/procstatus.h

# SSH transport: identification line, binary packets, ciphers, MACs, key
# exchange (the OpenSSL-only files compile to nothing without OpenSSL).
%C%_libcommon_a_SOURCES += \
	%D%/banner.c %D%/banner.h \
	%D%/pkt.c %D%/pkt.h \
	%D%/cipher.c %D%/cipher.h %D%/cipher-impl.h \
	%D%/cipher-chachapoly.c %D%/cipher-aesgcm.c %D%/cipher-aesctr.c \
	%D%/mac.c %D%/mac.h \
	%D%/kex.c %D%/kex.h %D%/kex-curve25519.c \
	%D%/kex-ecdh.c %D%/kex-dh.c \
	%D%/kexdrv.c %D%/kexdrv-rpc.c %D%/kexdrv.h \
	%D%/transport-common.c %D%/transport-common.h

# Helper programs' start-up contract; SSH message numbers.
%C%_libcommon_a_SOURCES += \
	%D%/helper.c %D%/helper.h %D%/ssh2.h %D%/authproto.h \
	%D%/crypto-init.c %D%/crypto-init.h %D%/ipqos.c %D%/ipqos.h

# The session's start state (RPC_SESSION_INIT), monitor -> hsshd-session.
%C%_libcommon_a_SOURCES += \
	%D%/sessinit.c %D%/sessinit.h

# Everything a program needs to link libcommon.a.
COMMON_LIBS = %D%/libcommon.a $(SODIUM_LIBS) $(CRYPTO_LIBS)
