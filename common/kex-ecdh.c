/* SPDX-License-Identifier: ISC */
/*
 * ecdh-sha2-nistp256/384/521 (RFC 5656 §4), server side, on OpenSSL 3's
 * EVP_PKEY interface; built only with OpenSSL.  Runs in the pre-auth child
 * and the session process; the client's point Q_C is attacker-controlled
 * and is validated (uncompressed encoding of the right length, on the
 * curve, not the point at infinity) before it is used (RFC 5656 §4,
 * SEC1 3.2.2.1).
 */
#include "config.h"

#ifdef HAVE_OPENSSL

#include <string.h>

#include <sodium.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mem.h"

/* Largest field element: P-521 is 66 bytes. */
#define ECDH_FIELD_MAX	66

static int
ecdh_curve(enum kex_group g, const char **name, size_t *flen)
{
	switch (g) {
	case KEX_GROUP_P256:
		*name = "P-256";
		*flen = 32;
		return 0;
	case KEX_GROUP_P384:
		*name = "P-384";
		*flen = 48;
		return 0;
	case KEX_GROUP_P521:
		*name = "P-521";
		*flen = 66;
		return 0;
	default:
		return HS_ERR_INVALID_ARGUMENT;
	}
}

/* The peer's public point as an EVP_PKEY, fully validated. */
static int
ecdh_peer_key(const char *curve, const uint8_t *pub, size_t len,
    EVP_PKEY **ret)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *pctx = NULL, *vctx = NULL;
	EVP_PKEY *pk = NULL;
	int r = HS_ERR_KEX_BAD_PUBLIC;

	*ret = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, len);
	params[2] = OSSL_PARAM_construct_end();
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (EVP_PKEY_fromdata_init(pctx) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* Decoding fails for points that are not on the curve. */
	if (EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
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
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_CTX_free(vctx);
	return r;
}

int
kex_ecdh_server(enum kex_group g, const uint8_t *client_pub, size_t len,
    struct buf *server_pub_out, struct buf *shared_secret_out)
{
	const char *curve = NULL;
	EVP_PKEY *ours = NULL, *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	uint8_t pub[1 + 2 * ECDH_FIELD_MAX], secret[ECDH_FIELD_MAX];
	size_t flen = 0, publen = 0, slen = 0;
	struct buf *k = NULL;
	int r = HS_ERR_INTERNAL;

	if (server_pub_out == NULL || shared_secret_out == NULL ||
	    (client_pub == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = ecdh_curve(g, &curve, &flen)) != 0)
		return r;
	/* Only the uncompressed form, as every SSH implementation sends. */
	if (len != 1 + 2 * flen || client_pub[0] != 0x04)
		return HS_ERR_KEX_BAD_PUBLIC;
	if ((r = ecdh_peer_key(curve, client_pub, len, &peer)) != 0)
		goto out;
	if ((ours = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve)) == NULL) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((dctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	slen = sizeof(secret);
	if (EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 ||
	    EVP_PKEY_derive(dctx, secret, &slen) != 1 || slen != flen) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_get_octet_string_param(ours,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof(pub),
	    &publen) != 1 || publen != 1 + 2 * flen || pub[0] != 0x04) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* RFC 5656 §4: K is the x-coordinate, as an mpint. */
	if ((k = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put_mpint(k, secret, slen)) != 0 ||
	    (r = buf_put(server_pub_out, pub, publen)) != 0)
		goto out;
	if ((r = buf_putb(shared_secret_out, k)) != 0) {
		(void)buf_consume_end(server_pub_out, publen);
		goto out;
	}
	r = 0;
 out:
	sodium_memzero(secret, sizeof(secret));
	buf_free(k);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(ours);
	EVP_PKEY_free(peer);
	return r;
}

#endif /* HAVE_OPENSSL */
