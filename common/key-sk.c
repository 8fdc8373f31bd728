/* SPDX-License-Identifier: ISC */
/*
 * FIDO security-key public keys (OpenSSH's PROTOCOL.u2f):
 * sk-ssh-ed25519@openssh.com on top of key-ed25519.c and, with OpenSSL,
 * sk-ecdsa-sha2-nistp256@openssh.com on top of key-ecdsa.c.  Runs
 * wherever key.c runs; in practice the monitor (root) checks a client's
 * security key against the user's authorized_keys.  Blobs and signatures
 * are attacker-controlled.  There is no private part: the private key
 * never leaves the user's authenticator.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key-impl.h"

/* The family doing the cryptography for a security-key type. */
static const struct key_ops *
sk_base(enum key_type type)
{
	switch (type) {
	case KEY_SK_ED25519:
		return &key_ed25519_ops;
#ifdef HAVE_OPENSSL
	case KEY_SK_ECDSA_P256:
		return &key_ecdsa_ops;
#endif
	default:
		return NULL;
	}
}

/* Security keys are made by their authenticator, never here. */
static int
sk_generate(struct key *k, unsigned int bits)
{
	return HS_ERR_KEY_UNSUPPORTED;
}

/* The underlying key's fields, then string application. */
static int
sk_pub_get(struct key *k, struct buf *b)
{
	const struct key_ops *base = sk_base(k->type);
	int r;

	if (base == NULL)
		return HS_ERR_INTERNAL;
	if ((r = base->pub_get(k, b)) != 0)
		return r;
	free(k->sk_application);
	k->sk_application = NULL;
	/* A C string as OpenSSH reads it: no NUL inside. */
	return buf_get_cstring(b, SK_APPLICATION_MAX, &k->sk_application,
	    NULL);
}

static int
sk_pub_put(const struct key *k, struct buf *b)
{
	const struct key_ops *base = sk_base(k->type);
	int r;

	if (base == NULL || k->sk_application == NULL)
		return HS_ERR_INTERNAL;
	if ((r = base->pub_put(k, b)) != 0 ||
	    (r = buf_put_cstring(b, k->sk_application)) != 0)
		return r;
	return 0;
}

/*
 * A private key file of a security key holds a key handle the
 * authenticator needs, not a key: nothing a server could sign with.
 */
static int
sk_priv_get(struct key *k, struct buf *b)
{
	return HS_ERR_KEY_UNSUPPORTED;
}

static int
sk_priv_put(const struct key *k, struct buf *b)
{
	return HS_ERR_KEY_UNSUPPORTED;
}

static int
sk_sign(const struct key *k, enum key_hash hash, const uint8_t *data,
    size_t datalen, struct buf *sigblob)
{
	return HS_ERR_KEY_UNSUPPORTED;
}

/* data is the message key_sk_message() built. */
static int
sk_verify(const struct key *k, enum key_hash hash, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	const struct key_ops *base = sk_base(k->type);

	if (base == NULL)
		return HS_ERR_INTERNAL;
	if (datalen != SK_MESSAGE_LEN)
		return HS_ERR_INVALID_ARGUMENT;
	return base->verify(k, hash, sig, siglen, data, datalen);
}

static unsigned int
sk_bits(const struct key *k)
{
	const struct key_ops *base = sk_base(k->type);

	return base == NULL ? 0 : base->bits(k);
}

static void
sk_cleanup(struct key *k)
{
	const struct key_ops *base = sk_base(k->type);

	if (base != NULL)
		base->cleanup(k);
	free(k->sk_application);
	k->sk_application = NULL;
}

int
key_sk_message(const struct key *k, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t datalen, struct buf *out)
{
	uint8_t apphash[crypto_hash_sha256_BYTES];
	uint8_t datahash[crypto_hash_sha256_BYTES];
	struct buf *m = NULL;
	int r;

	if (k->sk_application == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((m = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	crypto_hash_sha256(apphash, (const uint8_t *)k->sk_application,
	    strlen(k->sk_application));
	crypto_hash_sha256(datahash, data, datalen);
	if ((r = buf_put(m, apphash, sizeof(apphash))) != 0 ||
	    (r = buf_put_u8(m, flags)) != 0 ||
	    (r = buf_put_u32(m, counter)) != 0 ||
	    (r = buf_put(m, datahash, sizeof(datahash))) != 0)
		goto out;
	if (buf_len(m) != SK_MESSAGE_LEN) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	/* Appended in one go: on failure out is unchanged. */
	r = buf_putb(out, m);
 out:
	buf_free(m);
	return r;
}

const struct key_ops key_sk_ops = {
	.generate = sk_generate,
	.pub_get = sk_pub_get,
	.pub_put = sk_pub_put,
	.priv_get = sk_priv_get,
	.priv_put = sk_priv_put,
	.sign = sk_sign,
	.verify = sk_verify,
	.bits = sk_bits,
	.cleanup = sk_cleanup,
};
