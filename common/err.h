/* SPDX-License-Identifier: ISC */
/*
 * Error codes of the library tier (common/, policy/).  Library functions
 * return 0 or one of these negative values; process code turns them into
 * log lines with hs_err_str() or fatal_fr().  Linked into every program.
 */
#ifndef HS_ERR_H
#define HS_ERR_H

#define HS_ERR_LIST(X) \
	X(HS_OK,                    0, "success") \
	X(HS_ERR_INTERNAL,         -1, "internal error") \
	X(HS_ERR_ALLOC,            -2, "memory allocation failed") \
	X(HS_ERR_INVALID_ARGUMENT, -3, "invalid argument") \
	X(HS_ERR_SHORT,            -4, "message incomplete") \
	X(HS_ERR_TOO_LONG,         -5, "length exceeds limit") \
	X(HS_ERR_NO_BUFFER_SPACE,  -6, "buffer size limit reached") \
	X(HS_ERR_TRAILING_DATA,    -7, "unexpected trailing data") \
	X(HS_ERR_BAD_FORMAT,       -8, "invalid format") \
	X(HS_ERR_STRING_NUL,       -9, "string contains a NUL byte") \
	X(HS_ERR_BAD_MPINT,       -10, "invalid mpint encoding") \
	X(HS_ERR_BAD_NAMELIST,    -11, "invalid name-list") \
	X(HS_ERR_BAD_BOOLEAN,     -12, "invalid boolean") \
	X(HS_ERR_SYSTEM,          -13, "system error (see errno)") \
	X(HS_ERR_KEY_TYPE,        -14, "unknown or unsupported key type") \
	X(HS_ERR_KEY_UNSUPPORTED, -15, "key type not supported by this build") \
	X(HS_ERR_KEY_FORMAT,      -16, "invalid key format") \
	X(HS_ERR_KEY_ENCRYPTED,   -17, "key is passphrase-protected (encrypted keys are not supported)") \
	X(HS_ERR_KEY_CHECKINT,    -18, "private key check values do not match (corrupt file)") \
	X(HS_ERR_KEY_MISMATCH,    -19, "public and private key do not match") \
	X(HS_ERR_KEY_INVALID,     -20, "key is not valid (bad curve point or size)") \
	X(HS_ERR_SIGNATURE,       -21, "signature verification failed") \
	X(HS_ERR_SIG_ALG,         -22, "signature algorithm not allowed for this key") \
	X(HS_ERR_CRYPTO,          -23, "cryptographic library error") \
	X(HS_ERR_MAC,             -24, "message authentication code incorrect") \
	X(HS_ERR_NO_MATCH,        -25, "no matching algorithm") \
	X(HS_ERR_PROTOCOL,        -26, "protocol error") \
	X(HS_ERR_CONFIG,          -27, "configuration error") \
	X(HS_ERR_NOT_FOUND,       -28, "not found") \
	X(HS_ERR_EOF,             -29, "connection closed") \
	X(HS_ERR_KEY_SMALL,       -30, "key is too small") \
	X(HS_ERR_AEAD_TAG,        -31, "packet authentication tag incorrect") \
	X(HS_ERR_PKT_LENGTH,      -32, "packet length out of range") \
	X(HS_ERR_PKT_ALIGN,       -33, "packet length not a multiple of the block size") \
	X(HS_ERR_PKT_PADDING,     -34, "invalid packet padding length") \
	X(HS_ERR_PKT_SEQ_WRAP,    -35, "sequence number wrapped during initial key exchange") \
	X(HS_ERR_KEX_BAD_PUBLIC,  -36, "invalid key exchange public value") \
	X(HS_ERR_KEX_ZERO_SECRET, -37, "key exchange produced an all-zero shared secret") \
	X(HS_ERR_BANNER_TOO_LONG, -38, "identification line too long") \
	X(HS_ERR_BANNER_FORMAT,   -39, "invalid identification line (expected \"SSH-2.0-...\")") \
	X(HS_ERR_BANNER_VERSION,  -40, "unsupported protocol version (only SSH-2.0 and SSH-1.99)") \
	X(HS_ERR_BANNER_PRELINES, -41, "too much data before the identification line") \
	X(HS_ERR_SANDBOX,         -42, "child process is not confined as required") \
	X(HS_ERR_KEY_REFUSED,     -43, "key refused by its authorized_keys options") \
	X(HS_ERR_FILE_UNSAFE,     -44, "file refused: bad type, ownership or modes")

enum hs_err {
#define HS_ERR_ENUM(name, val, str) name = val,
	HS_ERR_LIST(HS_ERR_ENUM)
#undef HS_ERR_ENUM
};

/* Returns a static string describing r (never NULL). */
const char *hs_err_str(int r);

#endif
