/* SPDX-License-Identifier: ISC */
/*
 * RSA keys (RFC 4253 §6.6) and rsa-sha2-256 / rsa-sha2-512 signatures
 * (RFC 8332, PKCS#1 v1.5) with OpenSSL 3's EVP interfaces.  Runs wherever
 * key.c runs: in the listener and the monitor (root) with private host
 * keys, elsewhere with public keys only.  Blobs and signatures are
 * attacker-controlled.  Only built with HAVE_OPENSSL; without it key.c
 * reports the type as unsupported.
 */
#include "config.h"

#ifdef HAVE_OPENSSL

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key-impl.h"
#include "common/mem.h"

/* Largest modulus (and private value) in bytes. */
#define RSA_MAX_BYTES	(RSA_MAX_BITS / 8)
/* Bits of a freshly generated key unless asked otherwise. */
#define RSA_DEFAULT_BITS	3072u
#define RSA_GEN_MIN_BITS	2048u

static const char *
rsa_md_name(enum key_hash hash)
{
	switch (hash) {
	case KEY_HASH_SHA256:
		return "SHA256";
	case KEY_HASH_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

/* An mpint as a new BIGNUM; secret ones in OpenSSL's secure heap. */
static int
rsa_get_bn(struct buf *b, size_t max, bool secret, BIGNUM **ret)
{
	const uint8_t *p;
	size_t len;
	BIGNUM *bn;
	int r;

	*ret = NULL;
	if ((r = buf_get_mpint_direct(b, max, &p, &len)) != 0)
		return r;
	if ((bn = secret ? BN_secure_new() : BN_new()) == NULL)
		return HS_ERR_ALLOC;
	if (secret)
		BN_set_flags(bn, BN_FLG_CONSTTIME);
	if (len > 0 && BN_bin2bn(p, (int)len, bn) == NULL) {
		BN_clear_free(bn);
		return HS_ERR_CRYPTO;
	}
	*ret = bn;
	return 0;
}

/* Append bn as an mpint; the bytes pass through sodium_malloc memory. */
static int
rsa_put_bn(struct buf *b, const BIGNUM *bn)
{
	uint8_t *tmp;
	int n, r;

	n = BN_num_bytes(bn);
	if (n < 0 || (size_t)n > RSA_MAX_BYTES)
		return HS_ERR_INTERNAL;
	if ((tmp = sodium_malloc(n > 0 ? (size_t)n : 1)) == NULL)
		return HS_ERR_ALLOC;
	if (BN_bn2bin(bn, tmp) != n)
		r = HS_ERR_CRYPTO;
	else
		r = buf_put_mpint(b, tmp, (size_t)n);
	sodium_free(tmp);
	return r;
}

/* Fetch a parameter of the key; secret ones into a secure BIGNUM. */
static int
rsa_param(const EVP_PKEY *pkey, const char *name, bool secret, BIGNUM **ret)
{
	BIGNUM *bn;

	*ret = NULL;
	if ((bn = secret ? BN_secure_new() : BN_new()) == NULL)
		return HS_ERR_ALLOC;
	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
		BN_clear_free(bn);
		ERR_clear_error();
		return HS_ERR_CRYPTO;
	}
	*ret = bn;
	return 0;
}

/* The checks any RSA public key must pass before we use it. */
static int
rsa_check_public(const BIGNUM *n, const BIGNUM *e)
{
	int bits = BN_num_bits(n);

	if (bits < (int)RSA_MIN_BITS)
		return HS_ERR_KEY_SMALL;
	if (bits > (int)RSA_MAX_BITS)
		return HS_ERR_KEY_INVALID;
	/* An RSA modulus and exponent are odd; e >= 3 and e < n. */
	if (!BN_is_odd(n) || !BN_is_odd(e) || BN_num_bits(e) < 2 ||
	    BN_cmp(e, n) >= 0)
		return HS_ERR_KEY_INVALID;
	return 0;
}

/*
 * Build the EVP_PKEY.  The private members may all be NULL (public key);
 * otherwise all must be set.
 */
static int
rsa_from_bn(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d,
    const BIGNUM *p, const BIGNUM *q, const BIGNUM *dmp1, const BIGNUM *dmq1,
    const BIGNUM *iqmp, EVP_PKEY **ret)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int r = HS_ERR_CRYPTO;

	*ret = NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		goto out;
	if (d != NULL &&
	    (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1,
	    dmp1) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	    dmq1) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	    iqmp) != 1))
		goto out;
	/* Secret BIGNUMs land in the builder's secure block, wiped on free. */
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, d != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	*ret = pkey;
	pkey = NULL;
	r = 0;
 out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

static int
rsa_generate(struct key *k, unsigned int bits)
{
	EVP_PKEY_CTX *ctx = NULL;
	int r = HS_ERR_CRYPTO;

	if (bits == 0)
		bits = RSA_DEFAULT_BITS;
	if (bits < RSA_GEN_MIN_BITS)
		return HS_ERR_KEY_SMALL;
	if (bits > RSA_MAX_BITS)
		return HS_ERR_INVALID_ARGUMENT;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_generate(ctx, &k->pkey) != 1)
		goto out;
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* mpint e, mpint n */
static int
rsa_pub_get(struct key *k, struct buf *b)
{
	BIGNUM *n = NULL, *e = NULL;
	int r;

	if ((r = rsa_get_bn(b, RSA_E_MAX_BYTES, false, &e)) != 0 ||
	    (r = rsa_get_bn(b, RSA_MAX_BYTES, false, &n)) != 0)
		goto out;
	if ((r = rsa_check_public(n, e)) != 0)
		goto out;
	r = rsa_from_bn(n, e, NULL, NULL, NULL, NULL, NULL, NULL, &k->pkey);
 out:
	BN_free(n);
	BN_free(e);
	return r;
}

static int
rsa_pub_put(const struct key *k, struct buf *b)
{
	BIGNUM *n = NULL, *e = NULL;
	int r;

	if ((r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, false, &n)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, false, &e)) != 0)
		goto out;
	if ((r = rsa_put_bn(b, e)) != 0 ||
	    (r = rsa_put_bn(b, n)) != 0)
		goto out;
 out:
	BN_free(n);
	BN_free(e);
	return r;
}

/*
 * The private values must belong to n and e: n = p*q, e*d = 1 modulo p-1
 * and q-1, iqmp*q = 1 mod p.  Cheap arithmetic, unlike a primality test,
 * and enough to refuse a file spliced from two keys.  Computes the CRT
 * exponents OpenSSH does not store.
 */
static int
rsa_check_private(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d,
    const BIGNUM *p, const BIGNUM *q, const BIGNUM *iqmp, BIGNUM *dmp1,
    BIGNUM *dmq1)
{
	BN_CTX *ctx = NULL;
	BIGNUM *t, *pm1, *qm1;
	int r = HS_ERR_CRYPTO;

	if (BN_cmp(p, BN_value_one()) <= 0 || BN_cmp(q, BN_value_one()) <= 0 ||
	    BN_is_zero(d) || BN_is_zero(iqmp))
		return HS_ERR_KEY_INVALID;
	if (BN_cmp(d, n) >= 0 || BN_cmp(iqmp, p) >= 0)
		return HS_ERR_KEY_MISMATCH;
	if ((ctx = BN_CTX_secure_new()) == NULL)
		return HS_ERR_ALLOC;
	BN_CTX_start(ctx);
	if ((t = BN_CTX_get(ctx)) == NULL || (pm1 = BN_CTX_get(ctx)) == NULL ||
	    (qm1 = BN_CTX_get(ctx)) == NULL)
		goto out;
	if (BN_mul(t, p, q, ctx) != 1)
		goto out;
	if (BN_cmp(t, n) != 0) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	if (BN_sub(pm1, p, BN_value_one()) != 1 ||
	    BN_sub(qm1, q, BN_value_one()) != 1 ||
	    BN_mod(dmp1, d, pm1, ctx) != 1 ||
	    BN_mod(dmq1, d, qm1, ctx) != 1)
		goto out;
	if (BN_mod_mul(t, e, d, pm1, ctx) != 1)
		goto out;
	if (!BN_is_one(t)) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	if (BN_mod_mul(t, e, d, qm1, ctx) != 1)
		goto out;
	if (!BN_is_one(t)) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	if (BN_mod_mul(t, iqmp, q, p, ctx) != 1)
		goto out;
	if (!BN_is_one(t)) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	r = 0;
 out:
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* mpint n, e, d, iqmp, p, q (PROTOCOL.key order) */
static int
rsa_priv_get(struct key *k, struct buf *b)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *iqmp = NULL, *p = NULL;
	BIGNUM *q = NULL, *dmp1 = NULL, *dmq1 = NULL;
	int r;

	if ((r = rsa_get_bn(b, RSA_MAX_BYTES, false, &n)) != 0 ||
	    (r = rsa_get_bn(b, RSA_E_MAX_BYTES, false, &e)) != 0 ||
	    (r = rsa_get_bn(b, RSA_MAX_BYTES, true, &d)) != 0 ||
	    (r = rsa_get_bn(b, RSA_MAX_BYTES, true, &iqmp)) != 0 ||
	    (r = rsa_get_bn(b, RSA_MAX_BYTES, true, &p)) != 0 ||
	    (r = rsa_get_bn(b, RSA_MAX_BYTES, true, &q)) != 0)
		goto out;
	if ((r = rsa_check_public(n, e)) != 0)
		goto out;
	if ((dmp1 = BN_secure_new()) == NULL ||
	    (dmq1 = BN_secure_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	BN_set_flags(dmp1, BN_FLG_CONSTTIME);
	BN_set_flags(dmq1, BN_FLG_CONSTTIME);
	if ((r = rsa_check_private(n, e, d, p, q, iqmp, dmp1, dmq1)) != 0)
		goto out;
	r = rsa_from_bn(n, e, d, p, q, dmp1, dmq1, iqmp, &k->pkey);
 out:
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(iqmp);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	return r;
}

/*
 * A key OpenSSL decoded from a PKCS#1 or PKCS#8 file.  Only n, e, d, p, q
 * and iqmp are taken over, checked exactly as rsa_priv_get() checks an
 * openssh-key-v1 file; the file's CRT exponents must equal the ones those
 * values give (a wrong one would make CRT signatures leak a factor), and
 * the EVP_PKEY is rebuilt from the checked values.  A multi-prime key
 * fails the n = p*q test.
 */
int
key_rsa_from_pkey(const EVP_PKEY *pkey, struct key **ret)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *iqmp = NULL, *p = NULL;
	BIGNUM *q = NULL, *fdmp1 = NULL, *fdmq1 = NULL, *dmp1 = NULL;
	BIGNUM *dmq1 = NULL;
	struct key *k = NULL;
	int r;

	*ret = NULL;
	if ((r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_N, false, &n)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_E, false, &e)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_D, true, &d)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, true, &p)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, true, &q)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, true,
	    &fdmp1)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, true,
	    &fdmq1)) != 0 ||
	    (r = rsa_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, true,
	    &iqmp)) != 0) {
		/* Some part of a private key is missing. */
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	/* The openssh-key-v1 reader bounds e by its length the same way. */
	if (BN_num_bytes(e) > (int)RSA_E_MAX_BYTES) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if ((r = rsa_check_public(n, e)) != 0)
		goto out;
	if ((dmp1 = BN_secure_new()) == NULL ||
	    (dmq1 = BN_secure_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	BN_set_flags(dmp1, BN_FLG_CONSTTIME);
	BN_set_flags(dmq1, BN_FLG_CONSTTIME);
	if ((r = rsa_check_private(n, e, d, p, q, iqmp, dmp1, dmq1)) != 0)
		goto out;
	if (BN_cmp(dmp1, fdmp1) != 0 || BN_cmp(dmq1, fdmq1) != 0) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	if ((k = key_alloc(KEY_RSA)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = rsa_from_bn(n, e, d, p, q, dmp1, dmq1, iqmp, &k->pkey)) != 0)
		goto out;
	k->has_private = true;
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(iqmp);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(fdmp1);
	BN_clear_free(fdmq1);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	ERR_clear_error();
	return r;
}

static int
rsa_priv_put(const struct key *k, struct buf *b)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *iqmp = NULL, *p = NULL;
	BIGNUM *q = NULL;
	int r;

	if ((r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, false, &n)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, false, &e)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_D, true, &d)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, true,
	    &iqmp)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, true,
	    &p)) != 0 ||
	    (r = rsa_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, true,
	    &q)) != 0)
		goto out;
	if ((r = rsa_put_bn(b, n)) != 0 ||
	    (r = rsa_put_bn(b, e)) != 0 ||
	    (r = rsa_put_bn(b, d)) != 0 ||
	    (r = rsa_put_bn(b, iqmp)) != 0 ||
	    (r = rsa_put_bn(b, p)) != 0 ||
	    (r = rsa_put_bn(b, q)) != 0)
		goto out;
 out:
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(iqmp);
	BN_clear_free(p);
	BN_clear_free(q);
	return r;
}

static int
rsa_sign(const struct key *k, enum key_hash hash, const uint8_t *data,
    size_t datalen, struct buf *sigblob)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const char *md;
	uint8_t *sig = NULL;
	size_t siglen = 0, sigmax;
	int r = HS_ERR_CRYPTO;

	if ((md = rsa_md_name(hash)) == NULL)
		return HS_ERR_SIG_ALG;
	if (EVP_PKEY_get_size(k->pkey) <= 0)
		return HS_ERR_CRYPTO;
	sigmax = (size_t)EVP_PKEY_get_size(k->pkey);
	if ((sig = malloc(sigmax)) == NULL ||
	    (mctx = EVP_MD_CTX_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, k->pkey,
	    NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	siglen = sigmax;
	if (EVP_DigestSign(mctx, sig, &siglen, data, datalen) != 1)
		goto out;
	/* PKCS#1 v1.5 signatures are exactly as long as the modulus. */
	if (siglen != sigmax) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	r = buf_put(sigblob, sig, siglen);
 out:
	EVP_MD_CTX_free(mctx);
	freezero(sig, sigmax);
	ERR_clear_error();
	return r;
}

static int
rsa_verify(const struct key *k, enum key_hash hash, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	struct buf *padded = NULL;
	const char *md;
	uint8_t *zeros;
	size_t modlen;
	int r = HS_ERR_SIGNATURE;

	if ((md = rsa_md_name(hash)) == NULL)
		return HS_ERR_SIG_ALG;
	if (EVP_PKEY_get_size(k->pkey) <= 0)
		return HS_ERR_CRYPTO;
	modlen = (size_t)EVP_PKEY_get_size(k->pkey);
	if (siglen == 0 || siglen > modlen)
		return HS_ERR_SIGNATURE;
	/* Some signers drop leading zero bytes: put them back, as OpenSSH. */
	if ((padded = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (siglen < modlen) {
		if ((r = buf_reserve(padded, modlen - siglen, &zeros)) != 0)
			goto out;
		memset(zeros, 0, modlen - siglen);
	}
	if ((r = buf_put(padded, sig, siglen)) != 0)
		goto out;
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	r = HS_ERR_SIGNATURE;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, k->pkey,
	    NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_DigestVerify(mctx, buf_ptr(padded), buf_len(padded), data,
	    datalen) == 1)
		r = 0;
 out:
	EVP_MD_CTX_free(mctx);
	buf_free(padded);
	ERR_clear_error();
	return r;
}

static unsigned int
rsa_bits(const struct key *k)
{
	int bits;

	if (k->pkey == NULL || (bits = EVP_PKEY_get_bits(k->pkey)) <= 0)
		return 0;
	return (unsigned int)bits;
}

static void
rsa_cleanup(struct key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

const struct key_ops key_rsa_ops = {
	.generate = rsa_generate,
	.pub_get = rsa_pub_get,
	.pub_put = rsa_pub_put,
	.priv_get = rsa_priv_get,
	.priv_put = rsa_priv_put,
	.sign = rsa_sign,
	.verify = rsa_verify,
	.bits = rsa_bits,
	.cleanup = rsa_cleanup,
};

#endif /* HAVE_OPENSSL */
