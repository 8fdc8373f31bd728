/* SPDX-License-Identifier: ISC */
/*
 * Ed25519 keys and signatures (RFC 8709, RFC 8032) with libsodium.  Runs
 * wherever key.c runs: in the listener and the monitor (root) with private
 * host keys, elsewhere with public keys only.  Blobs and signatures are
 * attacker-controlled; seeds come from key files (key-file.c).  The
 * secret key (seed || pk) lives only in sodium_malloc()ed memory.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/key-impl.h"
#include "common/mem.h"

static int
ed25519_generate(struct key *k, unsigned int bits)
{
	if (bits != 0 && bits != 256)
		return HS_ERR_INVALID_ARGUMENT;
	if ((k->ed_sk = sodium_malloc(ED25519_SK_LEN)) == NULL)
		return HS_ERR_ALLOC;
	if (crypto_sign_keypair(k->ed_pk, k->ed_sk) != 0)
		return HS_ERR_CRYPTO;
	return 0;
}

/* string pk: exactly 32 bytes. */
static int
ed25519_get_pk(struct buf *b, uint8_t pk[ED25519_PK_LEN])
{
	struct buf *s = NULL;
	int r;

	if ((r = buf_froms(b, ED25519_PK_LEN, &s)) != 0)
		return r;
	if (buf_len(s) != ED25519_PK_LEN)
		r = HS_ERR_KEY_FORMAT;
	else
		r = buf_get(s, pk, ED25519_PK_LEN);
	buf_free(s);
	return r;
}

static int
ed25519_pub_get(struct key *k, struct buf *b)
{
	return ed25519_get_pk(b, k->ed_pk);
}

static int
ed25519_pub_put(const struct key *k, struct buf *b)
{
	return buf_put_string(b, k->ed_pk, ED25519_PK_LEN);
}

/*
 * string pk, string seed || pk.  Both copies of pk must agree, and the
 * seed must produce that pk: a file whose halves were spliced together
 * from two keys is refused.
 */
static int
ed25519_priv_get(struct key *k, struct buf *b)
{
	struct buf *s = NULL;
	uint8_t *seed = NULL;
	uint8_t pk_half[ED25519_PK_LEN], derived[ED25519_PK_LEN];
	int r;

	if ((r = ed25519_get_pk(b, k->ed_pk)) != 0)
		goto out;
	if ((r = buf_froms(b, ED25519_SK_LEN, &s)) != 0)
		goto out;
	if (buf_len(s) != ED25519_SK_LEN) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((seed = sodium_malloc(ED25519_SEED_LEN)) == NULL ||
	    (k->ed_sk = sodium_malloc(ED25519_SK_LEN)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_get(s, seed, ED25519_SEED_LEN)) != 0 ||
	    (r = buf_get(s, pk_half, sizeof(pk_half))) != 0 ||
	    (r = buf_get_end(s)) != 0)
		goto out;
	if (crypto_sign_seed_keypair(derived, k->ed_sk, seed) != 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (sodium_memcmp(pk_half, k->ed_pk, ED25519_PK_LEN) != 0 ||
	    sodium_memcmp(derived, k->ed_pk, ED25519_PK_LEN) != 0) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	r = 0;
 out:
	if (seed != NULL)
		sodium_free(seed);
	buf_free(s);
	return r;
}

static int
ed25519_priv_put(const struct key *k, struct buf *b)
{
	int r;

	if ((r = buf_put_string(b, k->ed_pk, ED25519_PK_LEN)) != 0 ||
	    (r = buf_put_string(b, k->ed_sk, ED25519_SK_LEN)) != 0)
		return r;
	return 0;
}

static int
ed25519_sign(const struct key *k, enum key_hash hash, const uint8_t *data,
    size_t datalen, struct buf *sigblob)
{
	uint8_t sig[ED25519_SIG_LEN];
	int r;

	if (hash != KEY_HASH_NONE || k->ed_sk == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (crypto_sign_detached(sig, NULL, data, datalen, k->ed_sk) != 0)
		return HS_ERR_CRYPTO;
	r = buf_put(sigblob, sig, sizeof(sig));
	sodium_memzero(sig, sizeof(sig));
	return r;
}

static int
ed25519_verify(const struct key *k, enum key_hash hash, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	if (hash != KEY_HASH_NONE)
		return HS_ERR_INVALID_ARGUMENT;
	if (siglen != ED25519_SIG_LEN)
		return HS_ERR_SIGNATURE;
	/* libsodium refuses non-canonical S and small-order keys/points. */
	if (crypto_sign_verify_detached(sig, data, datalen, k->ed_pk) != 0)
		return HS_ERR_SIGNATURE;
	return 0;
}

static unsigned int
ed25519_bits(const struct key *k)
{
	return 256;
}

static void
ed25519_cleanup(struct key *k)
{
	if (k->ed_sk != NULL)
		sodium_free(k->ed_sk);
	k->ed_sk = NULL;
}

int
key_ed25519_from_seed(const uint8_t seed[ED25519_SEED_LEN], struct key **ret)
{
	struct key *k = NULL;
	int r;

	*ret = NULL;
	if ((r = key_crypto_init()) != 0)
		return r;
	if ((k = key_alloc(KEY_ED25519)) == NULL ||
	    (k->ed_sk = sodium_malloc(ED25519_SK_LEN)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (crypto_sign_seed_keypair(k->ed_pk, k->ed_sk, seed) != 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	k->has_private = true;
	*ret = k;
	k = NULL;
	r = 0;
 out:
	key_free(k);
	return r;
}

#ifdef HAVE_OPENSSL
int
key_ed25519_from_pkey(const EVP_PKEY *pkey, struct key **ret)
{
	uint8_t *seed = NULL;
	size_t len = ED25519_SEED_LEN;
	int r;

	*ret = NULL;
	if ((seed = sodium_malloc(ED25519_SEED_LEN)) == NULL)
		return HS_ERR_ALLOC;
	/* A key without its private half cannot be a host key. */
	if (EVP_PKEY_get_raw_private_key(pkey, seed, &len) != 1 ||
	    len != ED25519_SEED_LEN) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	r = key_ed25519_from_seed(seed, ret);
 out:
	sodium_free(seed);
	ERR_clear_error();
	return r;
}
#endif

const struct key_ops key_ed25519_ops = {
	.generate = ed25519_generate,
	.pub_get = ed25519_pub_get,
	.pub_put = ed25519_pub_put,
	.priv_get = ed25519_priv_get,
	.priv_put = ed25519_priv_put,
	.sign = ed25519_sign,
	.verify = ed25519_verify,
	.bits = ed25519_bits,
	.cleanup = ed25519_cleanup,
};
