/* SPDX-License-Identifier: ISC */
/*
 * ECDSA keys and signatures on nistp256/384/521 (RFC 5656) with OpenSSL
 * 3's EVP interfaces.  Runs wherever key.c runs: in the listener and the
 * monitor (root) with private host keys, elsewhere with public keys only.
 * Blobs and signatures are attacker-controlled: every public point is
 * checked to lie on its curve, in the prime-order group, before use.  Only
 * built with HAVE_OPENSSL; without it key.c reports the types as
 * unsupported.
 */
#include "config.h"

#ifdef HAVE_OPENSSL

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key-impl.h"
#include "common/mem.h"

/* Largest field element (P-521) and uncompressed point. */
#define EC_FIELD_MAX	66u
#define EC_POINT_MAX	(1u + 2u * EC_FIELD_MAX)

static const struct ec_curve {
	enum key_type	 type;
	const char	*ssh_name;	/* RFC 5656 curve identifier */
	const char	*ossl_group;
	size_t		 field_len;	/* bytes of a coordinate / scalar */
	unsigned int	 bits;
	enum key_hash	 hash;
} ec_curves[] = {
	{ KEY_ECDSA_P256, "nistp256", "prime256v1", 32, 256, KEY_HASH_SHA256 },
	{ KEY_ECDSA_P384, "nistp384", "secp384r1", 48, 384, KEY_HASH_SHA384 },
	{ KEY_ECDSA_P521, "nistp521", "secp521r1", 66, 521, KEY_HASH_SHA512 },
};

static const struct ec_curve *
ec_curve_for(enum key_type type)
{
	size_t i;

	/* A security key's ECDSA key is a P-256 key with more around it
	 * (key-sk.c); its point and signatures are handled here. */
	if (type == KEY_SK_ECDSA_P256)
		type = KEY_ECDSA_P256;
	for (i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
		if (ec_curves[i].type == type)
			return &ec_curves[i];
	return NULL;
}

static const char *
ec_md_name(enum key_hash hash)
{
	switch (hash) {
	case KEY_HASH_SHA256:
		return "SHA256";
	case KEY_HASH_SHA384:
		return "SHA384";
	case KEY_HASH_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

static int
ec_generate(struct key *k, unsigned int bits)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	EVP_PKEY_CTX *ctx = NULL;
	int r = HS_ERR_CRYPTO;

	if (c == NULL)
		return HS_ERR_INTERNAL;
	if (bits != 0 && bits != c->bits)
		return HS_ERR_INVALID_ARGUMENT;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(ctx, c->ossl_group) != 1 ||
	    EVP_PKEY_generate(ctx, &k->pkey) != 1)
		goto out;
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/*
 * string curve (must name the key type's curve), string Q (uncompressed
 * point).  *ret_q points into a child buffer the caller frees.
 */
static int
ec_get_curve_point(struct buf *b, const struct ec_curve *c, struct buf **ret_q)
{
	struct buf *q = NULL;
	char *curve = NULL;
	uint8_t form;
	int r;

	*ret_q = NULL;
	if ((r = buf_get_cstring(b, NAME_MAX_LEN, &curve, NULL)) != 0)
		goto out;
	if (strcmp(curve, c->ssh_name) != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = buf_froms(b, EC_POINT_MAX, &q)) != 0)
		goto out;
	/* Only the uncompressed form 0x04 || X || Y, as RFC 5656 uses. */
	if (buf_len(q) != 1 + 2 * c->field_len ||
	    buf_peek_u8(q, 0, &form) != 0 || form != 0x04) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	*ret_q = q;
	q = NULL;
	r = 0;
 out:
	free(curve);
	buf_free(q);
	return r;
}

/*
 * Build the EVP_PKEY from the point and, for a key pair, the scalar; then
 * validate: the point must be on the curve and of the group's order, the
 * scalar in [1, n-1] and d*G = Q.
 */
static int
ec_from_point(const struct ec_curve *c, const struct buf *q, const BIGNUM *d,
    EVP_PKEY **ret)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *vctx = NULL;
	EVP_PKEY *pkey = NULL;
	int r = HS_ERR_CRYPTO;

	*ret = NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    c->ossl_group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    buf_ptr(q), buf_len(q)) != 1 ||
	    (d != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	/* Decoding a point that is not on the curve fails here already. */
	if (EVP_PKEY_fromdata(ctx, &pkey, d != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if ((vctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_public_check(vctx) != 1) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if (d != NULL && EVP_PKEY_private_check(vctx) != 1) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if (d != NULL && EVP_PKEY_pairwise_check(vctx) != 1) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	*ret = pkey;
	pkey = NULL;
	r = 0;
 out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

static int
ec_pub_get(struct key *k, struct buf *b)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	struct buf *q = NULL;
	int r;

	if (c == NULL)
		return HS_ERR_INTERNAL;
	if ((r = ec_get_curve_point(b, c, &q)) != 0)
		return r;
	r = ec_from_point(c, q, NULL, &k->pkey);
	buf_free(q);
	return r;
}

static int
ec_pub_put(const struct key *k, struct buf *b)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	uint8_t q[EC_POINT_MAX];
	size_t qlen = 0;
	int r;

	if (c == NULL || k->pkey == NULL)
		return HS_ERR_INTERNAL;
	if (EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY,
	    q, sizeof(q), &qlen) != 1) {
		ERR_clear_error();
		return HS_ERR_CRYPTO;
	}
	/* Our keys are created uncompressed; anything else is a bug. */
	if (qlen != 1 + 2 * c->field_len || q[0] != 0x04)
		return HS_ERR_INTERNAL;
	if ((r = buf_put_cstring(b, c->ssh_name)) != 0 ||
	    (r = buf_put_string(b, q, qlen)) != 0)
		return r;
	return 0;
}

/* string curve, string Q, mpint d */
static int
ec_priv_get(struct key *k, struct buf *b)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	struct buf *q = NULL;
	const uint8_t *p;
	size_t len;
	BIGNUM *d = NULL;
	int r;

	if (c == NULL)
		return HS_ERR_INTERNAL;
	if ((r = ec_get_curve_point(b, c, &q)) != 0 ||
	    (r = buf_get_mpint_direct(b, c->field_len, &p, &len)) != 0)
		goto out;
	if (len == 0) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if ((d = BN_secure_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (BN_bin2bn(p, (int)len, d) == NULL) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	r = ec_from_point(c, q, d, &k->pkey);
 out:
	BN_clear_free(d);
	buf_free(q);
	ERR_clear_error();
	return r;
}

/* The curve an OpenSSL group name denotes, if it is one of ours. */
static const struct ec_curve *
ec_curve_for_group(const char *group)
{
	size_t i;

	for (i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
		if (strcmp(ec_curves[i].ossl_group, group) == 0)
			return &ec_curves[i];
	return NULL;
}

/* A coordinate as exactly field_len big-endian bytes. */
static int
ec_put_coord(struct buf *q, const BIGNUM *bn, size_t field_len)
{
	uint8_t tmp[EC_FIELD_MAX];

	if (field_len > sizeof(tmp) || BN_is_negative(bn) ||
	    BN_num_bytes(bn) > (int)field_len)
		return HS_ERR_KEY_INVALID;
	if (BN_bn2binpad(bn, tmp, (int)field_len) != (int)field_len)
		return HS_ERR_CRYPTO;
	return buf_put(q, tmp, field_len);
}

/*
 * A key OpenSSL decoded from a SEC1 or PKCS#8 file.  The curve must be one
 * of ours by OpenSSL's name for it (explicit parameters count only if
 * they are exactly such a curve's, which OpenSSL then names, as sshd
 * does); the point, taken in uncompressed form whatever form the file
 * used, and the scalar then go through ec_from_point(), as an
 * openssh-key-v1 file's would.
 */
int
key_ecdsa_from_pkey(const EVP_PKEY *pkey, struct key **ret)
{
	const struct ec_curve *c;
	char group[NAME_MAX_LEN + 1];
	size_t glen = 0;
	BIGNUM *x = NULL, *y = NULL, *d = NULL;
	struct buf *q = NULL;
	struct key *k = NULL;
	int r;

	*ret = NULL;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen) != 1 ||
	    (c = ec_curve_for_group(group)) == NULL) {
		r = HS_ERR_KEY_UNSUPPORTED;
		goto out;
	}
	if ((d = BN_secure_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if (BN_num_bytes(d) > (int)c->field_len || BN_is_zero(d)) {
		r = HS_ERR_KEY_INVALID;
		goto out;
	}
	if ((q = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put_u8(q, 0x04)) != 0 ||
	    (r = ec_put_coord(q, x, c->field_len)) != 0 ||
	    (r = ec_put_coord(q, y, c->field_len)) != 0)
		goto out;
	if ((k = key_alloc(c->type)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = ec_from_point(c, q, d, &k->pkey)) != 0)
		goto out;
	k->has_private = true;
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	buf_free(q);
	BN_free(x);
	BN_free(y);
	BN_clear_free(d);
	ERR_clear_error();
	return r;
}

static int
ec_priv_put(const struct key *k, struct buf *b)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	BIGNUM *d = NULL;
	uint8_t *tmp = NULL;
	int n, r;

	if (c == NULL)
		return HS_ERR_INTERNAL;
	if ((r = ec_pub_put(k, b)) != 0)
		return r;
	if ((d = BN_secure_new()) == NULL)
		return HS_ERR_ALLOC;
	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY,
	    &d) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	n = BN_num_bytes(d);
	if (n <= 0 || (size_t)n > c->field_len) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	if ((tmp = sodium_malloc((size_t)n)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (BN_bn2bin(d, tmp) != n) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	r = buf_put_mpint(b, tmp, (size_t)n);
 out:
	if (tmp != NULL)
		sodium_free(tmp);
	BN_clear_free(d);
	ERR_clear_error();
	return r;
}

static int
ec_put_bn(struct buf *b, const BIGNUM *bn, size_t max)
{
	uint8_t tmp[EC_FIELD_MAX];
	int n;

	n = BN_num_bytes(bn);
	if (n < 0 || (size_t)n > max || (size_t)n > sizeof(tmp))
		return HS_ERR_INTERNAL;
	if (BN_bn2bin(bn, tmp) != n)
		return HS_ERR_CRYPTO;
	return buf_put_mpint(b, tmp, (size_t)n);
}

/* The signature blob: mpint r, mpint s (RFC 5656 §3.1.2). */
static int
ec_sign(const struct key *k, enum key_hash hash, const uint8_t *data,
    size_t datalen, struct buf *sigblob)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	EVP_MD_CTX *mctx = NULL;
	ECDSA_SIG *esig = NULL;
	const BIGNUM *sr, *ss;
	const unsigned char *dp;
	uint8_t *der = NULL;
	size_t derlen = 0;
	int r = HS_ERR_CRYPTO;

	if (c == NULL || hash != c->hash || ec_md_name(hash) == NULL)
		return HS_ERR_SIG_ALG;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return HS_ERR_ALLOC;
	if (EVP_DigestSignInit_ex(mctx, NULL, ec_md_name(hash), NULL, NULL,
	    k->pkey, NULL) != 1 ||
	    EVP_DigestSign(mctx, NULL, &derlen, data, datalen) != 1)
		goto out;
	if ((der = malloc(derlen)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestSign(mctx, der, &derlen, data, datalen) != 1)
		goto out;
	dp = der;
	if ((esig = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(esig, &sr, &ss);
	if ((r = ec_put_bn(sigblob, sr, c->field_len)) != 0 ||
	    (r = ec_put_bn(sigblob, ss, c->field_len)) != 0)
		goto out;
	r = 0;
 out:
	ECDSA_SIG_free(esig);
	free(der);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}

static int
ec_verify(const struct key *k, enum key_hash hash, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	const struct ec_curve *c = ec_curve_for(k->type);
	EVP_MD_CTX *mctx = NULL;
	ECDSA_SIG *esig = NULL;
	BIGNUM *sr = NULL, *ss = NULL;
	struct buf *b = NULL;
	const uint8_t *rp, *sp;
	size_t rlen, slen;
	unsigned char *der = NULL, *dp;
	int derlen = 0, r = HS_ERR_SIGNATURE;

	if (c == NULL || hash != c->hash || ec_md_name(hash) == NULL)
		return HS_ERR_SIG_ALG;
	if ((b = buf_from(sig, siglen)) == NULL)
		return HS_ERR_ALLOC;
	if (buf_get_mpint_direct(b, c->field_len, &rp, &rlen) != 0 ||
	    buf_get_mpint_direct(b, c->field_len, &sp, &slen) != 0 ||
	    buf_get_end(b) != 0 || rlen == 0 || slen == 0) {
		r = HS_ERR_SIGNATURE;
		goto out;
	}
	if ((esig = ECDSA_SIG_new()) == NULL ||
	    (sr = BN_bin2bn(rp, (int)rlen, NULL)) == NULL ||
	    (ss = BN_bin2bn(sp, (int)slen, NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (ECDSA_SIG_set0(esig, sr, ss) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	sr = ss = NULL;		/* owned by esig now */
	if ((derlen = i2d_ECDSA_SIG(esig, NULL)) <= 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((der = malloc((size_t)derlen)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	dp = der;
	if (i2d_ECDSA_SIG(esig, &dp) != derlen) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(mctx, NULL, ec_md_name(hash), NULL, NULL,
	    k->pkey, NULL) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* OpenSSL rejects r or s outside [1, n-1]. */
	r = EVP_DigestVerify(mctx, der, (size_t)derlen, data, datalen) == 1 ?
	    0 : HS_ERR_SIGNATURE;
 out:
	EVP_MD_CTX_free(mctx);
	free(der);
	BN_free(sr);
	BN_free(ss);
	ECDSA_SIG_free(esig);
	buf_free(b);
	ERR_clear_error();
	return r;
}

static unsigned int
ec_bits(const struct key *k)
{
	const struct ec_curve *c = ec_curve_for(k->type);

	return c == NULL ? 0 : c->bits;
}

static void
ec_cleanup(struct key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

const struct key_ops key_ecdsa_ops = {
	.generate = ec_generate,
	.pub_get = ec_pub_get,
	.pub_put = ec_pub_put,
	.priv_get = ec_priv_get,
	.priv_put = ec_priv_put,
	.sign = ec_sign,
	.verify = ec_verify,
	.bits = ec_bits,
	.cleanup = ec_cleanup,
};

#endif /* HAVE_OPENSSL */
