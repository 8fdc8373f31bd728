/* SPDX-License-Identifier: ISC */
/*
 * Public and private keys in OpenSSH's formats.  Linked into the listener
 * and the monitor (private keys, signing) and into every program that
 * handles public key blobs.  Key files and blobs may be malformed or
 * hostile: every parser goes through struct buf / struct txt.
 *
 * Private key material lives in sodium_malloc()ed memory (guard pages,
 * locked, wiped on free) for every key type; with OpenSSL, RSA/ECDSA keys
 * are held as EVP_PKEY objects and freed with EVP_PKEY_free (which clears).
 *
 * Key types: ssh-ed25519 always; with HAVE_OPENSSL also ssh-rsa (signing
 * with rsa-sha2-256 / rsa-sha2-512 only) and ecdsa-sha2-nistp256/384/521.
 * A key type this build lacks is reported as HS_ERR_KEY_UNSUPPORTED (not
 * as a format error), so callers can say exactly that.
 *
 * FIDO security keys (OpenSSH's PROTOCOL.u2f): sk-ssh-ed25519@openssh.com
 * always, sk-ecdsa-sha2-nistp256@openssh.com with HAVE_OPENSSL.  Only
 * their public part exists here (blobs, lines, fingerprints, signature
 * verification): the private key stays in the user's authenticator, so
 * key_generate, key_sign and private key files of these types fail with
 * HS_ERR_KEY_UNSUPPORTED.
 */
#ifndef HS_KEY_H
#define HS_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct key;

enum key_type {
	KEY_UNSPEC = 0,
	KEY_ED25519,
	KEY_RSA,
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ECDSA_P521,
	/* Appended so that the values above stay as they were. */
	KEY_SK_ED25519,
	KEY_SK_ECDSA_P256,
};

/* Flags of a security-key signature (the authenticator's data). */
#define KEY_SK_FLAG_UP	0x01	/* user presence: the key was touched */
#define KEY_SK_FLAG_UV	0x04	/* user verification: PIN, biometric */

/* "ssh-ed25519" -> KEY_ED25519 etc; KEY_UNSPEC if unknown.  Knows every
 * type name whether or not this build supports it. */
enum key_type	 key_type_from_name(const char *name);
/* Whether this build can handle the type. */
bool		 key_type_supported(enum key_type);
/* Whether the type is a FIDO security-key type (supported or not). */
bool		 key_type_is_sk(enum key_type);

/*
 * Generate a key.  bits: 0 for the default (ed25519: fixed; rsa: 3072;
 * ecdsa: given by the type).  RSA accepts 2048..16384.
 */
int	 key_generate(enum key_type, unsigned int bits, struct key **ret);
/* Wipe and free; NULL is a no-op. */
void	 key_free(struct key *);

enum key_type	 key_type(const struct key *);
/* Wire name: "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ... */
const char	*key_type_name(const struct key *);
/* As ssh-keygen -l prints it: "ED25519", "RSA", "ECDSA", "ED25519-SK",
 * "ECDSA-SK". */
const char	*key_type_short(const struct key *);
/* Size in bits as ssh-keygen -l prints it (256 for ed25519 and both
 * security-key types). */
unsigned int	 key_bits(const struct key *);
/* A security key's application string ("ssh:" as ssh-keygen makes it;
 * owned by the key), NULL for other keys. */
const char	*key_sk_application(const struct key *);
bool		 key_is_private(const struct key *);
/* Constant-time where it matters; compares public parts only. */
bool		 key_equal_public(const struct key *, const struct key *);
/* A new key holding only the public part. */
int		 key_public_copy(const struct key *, struct key **ret);

/* Public key blob (RFC 4253 §6.6 encoding; PROTOCOL.u2f for security
 * keys: the underlying key's fields, then string application) appended
 * to out. */
int	 key_to_blob(const struct key *, struct buf *out);
/* Parse a whole public key blob (nothing may follow it). */
int	 key_from_blob(const uint8_t *blob, size_t len, struct key **ret);

/*
 * One line of an OpenSSH public key file: "TYPE BASE64 [COMMENT]".
 * Leading blanks allowed; the type in the blob must match TYPE.
 * ret_comment (may be NULL) gets the comment or NULL if there is none.
 */
int	 key_parse_public(const char *line, size_t len, struct key **ret,
	    char **ret_comment);
/* "TYPE BASE64[ COMMENT]" without a newline; caller frees *ret. */
int	 key_format_public(const struct key *, const char *comment,
	    char **ret);

/*
 * A private key file, starting with its BEGIN armor line: "openssh-key-v1"
 * (BEGIN OPENSSH PRIVATE KEY) or, as sshd also loads them, PEM: PKCS#1
 * (BEGIN RSA PRIVATE KEY), SEC1 (BEGIN EC PRIVATE KEY) or unencrypted
 * PKCS#8 (BEGIN PRIVATE KEY: RSA, EC P-256/384/521, Ed25519).  PEM keys
 * need OpenSSL except Ed25519 in PKCS#8; they have no comment.  Encrypted
 * files fail with HS_ERR_KEY_ENCRYPTED (never a passphrase prompt);
 * mismatched check ints with HS_ERR_KEY_CHECKINT; a private part that
 * does not match the public part with HS_ERR_KEY_MISMATCH; DSA, security
 * keys and other key types or curves, and PEM keys in builds without
 * OpenSSL, with HS_ERR_KEY_UNSUPPORTED; any other armor with
 * HS_ERR_KEY_FORMAT.
 * Exactly one key per file.
 */
int	 key_parse_private(const uint8_t *data, size_t len, struct key **ret,
	    char **ret_comment);
/* Write the armored unencrypted openssh-key-v1 text (with final newline). */
int	 key_format_private(const struct key *, const char *comment,
	    struct buf *out);

/* "SHA256:" + unpadded base64 of SHA-256(blob), as ssh-keygen -l prints. */
int	 key_fingerprint(const struct key *, char **ret);
/* "MD5:" + colon-separated hex of MD5(blob), as ssh-keygen -l -E md5
 * prints (FingerprintHash md5); HS_ERR_KEY_UNSUPPORTED without OpenSSL. */
int	 key_fingerprint_md5(const struct key *, char **ret);

/*
 * Signatures in SSH encoding (string alg, string sigblob), appended to out.
 * alg: the signature algorithm ("ssh-ed25519", "rsa-sha2-256",
 * "rsa-sha2-512", "ecdsa-sha2-nistp256", ...); NULL picks the key's
 * default (rsa-sha2-512 for RSA).  "ssh-rsa" (SHA-1) is refused.
 * HS_ERR_KEY_UNSUPPORTED for a security key (only its authenticator
 * signs).
 */
int	 key_sign(const struct key *, const char *alg, const uint8_t *data,
	    size_t datalen, struct buf *out);
/*
 * Verify an SSH-encoded signature over data.  alg, if not NULL, is the
 * algorithm the signature must use (HS_ERR_SIG_ALG otherwise).
 * Returns 0 only for a valid signature.  On a security key this is
 * key_verify_sk without its flags and counter: the caller must not need
 * user presence.
 */
int	 key_verify(const struct key *, const char *alg, const uint8_t *sig,
	    size_t siglen, const uint8_t *data, size_t datalen);
/*
 * Verify a security key's signature (PROTOCOL.u2f): string alg, string
 * sigblob, byte flags, uint32 counter, nothing after.  The authenticator
 * signed SHA256(application) || flags || counter || SHA256(data), with
 * Ed25519 or with ECDSA P-256 / SHA-256 (sigblob then mpint r, mpint s).
 * On success *ret_flags (KEY_SK_FLAG_*) and *ret_counter get the signed
 * values (either pointer may be NULL); deciding whether the flags are
 * enough is the caller's business.  HS_ERR_INVALID_ARGUMENT for a key
 * that is not a security key; otherwise as key_verify.
 */
int	 key_verify_sk(const struct key *, const char *alg,
	    const uint8_t *sig, size_t siglen, const uint8_t *data,
	    size_t datalen, uint8_t *ret_flags, uint32_t *ret_counter);
/* Whether sig_alg may sign with a key of this type (rsa-sha2-* for RSA). */
bool	 key_sig_alg_matches(const struct key *, const char *sig_alg);

#endif
