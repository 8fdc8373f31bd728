/* SPDX-License-Identifier: ISC */
/*
 * Private to common/key*.c: the layout of struct key and the operations
 * each key family (key-ed25519.c, key-rsa.c, key-ecdsa.c, and key-sk.c
 * for security keys on top of the first and the last) provides to the
 * dispatcher in key.c.  Runs wherever key.c runs (listener, monitor, and
 * any program handling public key blobs); every buffer handed to these
 * operations may hold attacker-controlled bytes.
 */
#ifndef HS_KEY_IMPL_H
#define HS_KEY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#endif

#include "common/key.h"

struct buf;

#define ED25519_PK_LEN		32u
#define ED25519_SEED_LEN	32u
#define ED25519_SK_LEN		64u	/* seed || pk, libsodium's layout */
#define ED25519_SIG_LEN		64u

/* Largest RSA public exponent we take (bytes): bounds verification cost. */
#define RSA_E_MAX_BYTES		8u

/*
 * Longest security-key application string we take.  ssh-keygen writes
 * "ssh:" and whatever follows it on -O application=, a FIDO relying
 * party id is a domain name (at most 253 bytes); the bound is far above
 * both and keeps a key blob's size dominated by its key.
 */
#define SK_APPLICATION_MAX	1024u
/* What a security key signs: SHA256(application) || flags || counter ||
 * SHA256(data). */
#define SK_MESSAGE_LEN		(32u + 1u + 4u + 32u)

/* The digest a signature algorithm uses (none for Ed25519). */
enum key_hash {
	KEY_HASH_NONE = 0,
	KEY_HASH_SHA256,
	KEY_HASH_SHA384,
	KEY_HASH_SHA512,
};

struct key {
	enum key_type	 type;
	bool		 has_private;
	/* Ed25519: public key, and seed || pk in sodium_malloc()ed memory. */
	uint8_t		 ed_pk[ED25519_PK_LEN];
	uint8_t		*ed_sk;
#ifdef HAVE_OPENSSL
	/* RSA and ECDSA: public or key pair. */
	EVP_PKEY	*pkey;
#endif
	/* Security keys: the application string (heap, NUL-terminated). */
	char		*sk_application;
};

/*
 * One key family.  "get" functions read the fields that follow the type
 * name (they may leave the buffer partly consumed on error; the caller
 * throws it away), "put" functions append them.  priv_get reads the
 * private-key fields of an openssh-key-v1 file and must set the public
 * part too, checking that both belong together (HS_ERR_KEY_MISMATCH).
 * sign appends the raw signature blob (the content of the SSH "string");
 * verify gets that content back.
 */
struct key_ops {
	int		(*generate)(struct key *, unsigned int bits);
	int		(*pub_get)(struct key *, struct buf *);
	int		(*pub_put)(const struct key *, struct buf *);
	int		(*priv_get)(struct key *, struct buf *);
	int		(*priv_put)(const struct key *, struct buf *);
	int		(*sign)(const struct key *, enum key_hash,
			    const uint8_t *data, size_t datalen,
			    struct buf *sigblob);
	int		(*verify)(const struct key *, enum key_hash,
			    const uint8_t *sig, size_t siglen,
			    const uint8_t *data, size_t datalen);
	unsigned int	(*bits)(const struct key *);
	/* Release the family's material (NULL fields allowed). */
	void		(*cleanup)(struct key *);
};

extern const struct key_ops key_ed25519_ops;
#ifdef HAVE_OPENSSL
extern const struct key_ops key_rsa_ops;
extern const struct key_ops key_ecdsa_ops;
#endif
/*
 * Security keys (key-sk.c): the fields of the underlying Ed25519 or ECDSA
 * P-256 key (whose operations do the work, key-ecdsa.c treating
 * KEY_SK_ECDSA_P256 as P-256), then the application.  No private part:
 * generate, priv_get, priv_put and sign fail with HS_ERR_KEY_UNSUPPORTED.
 * verify checks the raw signature blob over the message
 * key_sk_message() built.
 */
extern const struct key_ops key_sk_ops;

/*
 * The message a security key signs for data (SK_MESSAGE_LEN bytes,
 * appended to out): SHA256(application) || flags || counter (big-endian)
 * || SHA256(data).
 */
int	 key_sk_message(const struct key *, uint8_t flags, uint32_t counter,
	    const uint8_t *data, size_t datalen, struct buf *out);

/*
 * Private keys from the PEM formats (key-file.c): each builds a new key
 * pair holding the same representation the openssh-key-v1 path produces,
 * after the same consistency checks.  *ret is set only on success.
 */
/* Ed25519 from its 32-byte seed (all a PKCS#8 file carries). */
int	 key_ed25519_from_seed(const uint8_t seed[ED25519_SEED_LEN],
	    struct key **ret);
#ifdef HAVE_OPENSSL
/* An Ed25519 EVP_PKEY decoded by OpenSSL: its seed, as above. */
int	 key_ed25519_from_pkey(const EVP_PKEY *, struct key **ret);
/*
 * An RSA key decoded by OpenSSL: n, e, d, p, q, iqmp are re-checked as for
 * openssh-key-v1 files (and the file's CRT exponents must equal those
 * derived from d), then a fresh EVP_PKEY is built from them.
 */
int	 key_rsa_from_pkey(const EVP_PKEY *, struct key **ret);
/*
 * An EC key decoded by OpenSSL: only the named curves P-256/384/521
 * (HS_ERR_KEY_UNSUPPORTED otherwise); point and scalar are validated and
 * paired as for openssh-key-v1 files.
 */
int	 key_ecdsa_from_pkey(const EVP_PKEY *, struct key **ret);
#endif

/* The operations of a type, or NULL if this build lacks it. */
const struct key_ops	*key_ops_for(enum key_type);
/* A new empty key of a supported type; NULL on allocation failure. */
struct key		*key_alloc(enum key_type);
/* libsodium must be initialised before sodium_malloc(); cheap to repeat. */
int			 key_crypto_init(void);

#endif
