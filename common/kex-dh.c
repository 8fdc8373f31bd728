/* SPDX-License-Identifier: ISC */
/*
 * diffie-hellman-group14-sha256, diffie-hellman-group16-sha512 and
 * diffie-hellman-group18-sha512 (RFC 4253 §8, RFC 8268) over the RFC 3526
 * MODP groups, server side, on OpenSSL 3's named DH groups; built only
 * with OpenSSL.  Runs in the pre-auth child and the session process; the
 * client's value e is attacker-controlled and must satisfy 1 < e < p-1
 * (RFC 4253 §8) and lie in the subgroup of order (p-1)/2.
 */
#include "config.h"

#ifdef HAVE_OPENSSL

#include <string.h>

#include <sodium.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mem.h"

/* Private exponent bits: twice the 256-bit strength of the derived keys,
 * as RFC 8268 §4 and OpenSSH (2 * key bits) do. */
#define DH_PRIV_BITS	512
#define DH_P_MAX	(8192 / 8)

static const char *
dh_group_name(enum kex_group g)
{
	switch (g) {
	case KEX_GROUP_MODP14:
		return "modp_2048";
	case KEX_GROUP_MODP16:
		return "modp_4096";
	case KEX_GROUP_MODP18:
		return "modp_8192";
	default:
		return NULL;
	}
}

static int
dh_keygen(const char *group, EVP_PKEY **ret)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	int priv_bits = DH_PRIV_BITS, r = HS_ERR_CRYPTO;

	*ret = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN,
	    &priv_bits);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL)
		return HS_ERR_ALLOC;
	if (EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, ret) != 1)
		goto out;
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int
kex_dh_group_prime(enum kex_group g, struct buf *out)
{
	const char *group = dh_group_name(g);
	EVP_PKEY *pk = NULL;
	BIGNUM *p = NULL;
	uint8_t *dp;
	int n, r = HS_ERR_CRYPTO;

	if (group == NULL || out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = dh_keygen(group, &pk)) != 0)
		return r;
	r = HS_ERR_CRYPTO;
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    (n = BN_num_bytes(p)) <= 0 || n > DH_P_MAX)
		goto out;
	if ((r = buf_reserve(out, (size_t)n, &dp)) != 0)
		goto out;
	if (BN_bn2binpad(p, dp, n) != n) {
		(void)buf_consume_end(out, (size_t)n);
		r = HS_ERR_CRYPTO;
		goto out;
	}
	r = 0;
 out:
	BN_free(p);
	EVP_PKEY_free(pk);
	return r;
}

/* The client's e as a public key of the group; checks 1 < e < p-1 and
 * that e lies in the prime-order subgroup. */
static int
dh_peer_key(const char *group, const BIGNUM *p, const uint8_t *pub,
    size_t len, EVP_PKEY **ret)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *vctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *e = NULL, *pm1 = NULL;
	int r = HS_ERR_KEX_BAD_PUBLIC;

	*ret = NULL;
	if ((e = BN_bin2bn(pub, (int)len, NULL)) == NULL ||
	    (pm1 = BN_dup(p)) == NULL || BN_sub_word(pm1, 1) != 1) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (BN_cmp(e, BN_value_one()) <= 0 || BN_cmp(e, pm1) >= 0)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/*
	 * The named groups carry q = (p-1)/2, so OpenSSL's check also
	 * verifies e^q = 1 mod p (membership of the subgroup g = 2
	 * generates); an honest peer's 2^x always passes.
	 */
	if ((vctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_PKEY_public_check(vctx) != 1)
		goto out;
	*ret = pk;
	pk = NULL;
	r = 0;
 out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(vctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	BN_free(pm1);
	return r;
}

int
kex_dh_server(enum kex_group g, const uint8_t *client_pub, size_t len,
    struct buf *server_pub_out, struct buf *shared_secret_out)
{
	const char *group = dh_group_name(g);
	EVP_PKEY *ours = NULL, *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	BIGNUM *p = NULL, *f = NULL;
	uint8_t *secret = NULL, *dp;
	size_t slen = 0, plen;
	struct buf *k = NULL, *fb = NULL;
	int n, r = HS_ERR_INTERNAL;

	if (group == NULL || server_pub_out == NULL ||
	    shared_secret_out == NULL || (client_pub == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (len == 0 || len > DH_P_MAX)
		return HS_ERR_KEX_BAD_PUBLIC;
	if ((r = dh_keygen(group, &ours)) != 0)
		goto out;
	if (EVP_PKEY_get_bn_param(ours, OSSL_PKEY_PARAM_FFC_P, &p) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	plen = (size_t)BN_num_bytes(p);
	if ((r = dh_peer_key(group, p, client_pub, len, &peer)) != 0)
		goto out;
	if ((secret = sodium_malloc(plen)) == NULL ||
	    (dctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	slen = plen;
	if (EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 ||
	    EVP_PKEY_derive(dctx, secret, &slen) != 1 || slen > plen) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_get_bn_param(ours, OSSL_PKEY_PARAM_PUB_KEY, &f) != 1 ||
	    (n = BN_num_bytes(f)) <= 0 || (size_t)n > plen) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((k = buf_new()) == NULL || (fb = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_reserve(fb, (size_t)n, &dp)) != 0)
		goto out;
	if (BN_bn2bin(f, dp) != n) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* K as an mpint (leading zero bytes of the secret dropped). */
	if ((r = buf_put_mpint(k, secret, slen)) != 0 ||
	    (r = buf_putb(server_pub_out, fb)) != 0)
		goto out;
	if ((r = buf_putb(shared_secret_out, k)) != 0) {
		(void)buf_consume_end(server_pub_out, buf_len(fb));
		goto out;
	}
	r = 0;
 out:
	if (secret != NULL)
		sodium_free(secret);
	buf_free(k);
	buf_free(fb);
	BN_free(p);
	BN_free(f);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(ours);
	EVP_PKEY_free(peer);
	return r;
}

#endif /* HAVE_OPENSSL */
