/* SPDX-License-Identifier: ISC */
/*
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 §4) through OpenSSL's EVP
 * interface; built only with OpenSSL.  The counter block starts at the IV
 * and runs on across packets, so the context is a keystream position.
 * Runs in the pre-auth child and the session process; ciphertext is
 * attacker-controlled (its integrity is the MAC's job, see common/mac.h).
 */
#include "config.h"

#ifdef HAVE_OPENSSL

#include <limits.h>
#include <string.h>

#include <sodium.h>
#include <openssl/evp.h>

#include "common/cipher-impl.h"
#include "common/err.h"
#include "common/mem.h"

static bool
ctr_available(const struct cipher *c)
{
	return true;
}

static const EVP_CIPHER *
ctr_type(const struct cipher *c)
{
	switch (c->key_len) {
	case 16:
		return EVP_aes_128_ctr();
	case 24:
		return EVP_aes_192_ctr();
	default:
		return EVP_aes_256_ctr();
	}
}

static int
ctr_init(struct cipher_ctx *ctx, const uint8_t *key, const uint8_t *iv,
    enum cipher_impl impl)
{
	if (impl == CIPHER_IMPL_SODIUM)
		return HS_ERR_KEY_UNSUPPORTED;
	ctx->impl = CIPHER_IMPL_OPENSSL;
	memcpy(ctx->u.ctr.key, key, ctx->c->key_len);
	memcpy(ctx->u.ctr.iv, iv, sizeof(ctx->u.ctr.iv));
	if ((ctx->evp = EVP_CIPHER_CTX_new()) == NULL)
		return HS_ERR_ALLOC;
	/* CTR is symmetric: always run the encrypt direction. */
	if (EVP_CipherInit_ex(ctx->evp, ctr_type(ctx->c), NULL, key, iv,
	    1) != 1)
		return HS_ERR_CRYPTO;
	return 0;
}

static int
ctr_crypt(struct cipher_ctx *ctx, uint32_t seqnr, uint8_t *dest,
    const uint8_t *src, size_t len, size_t aadlen, size_t authlen)
{
	int outl = 0;

	if (authlen != 0 || len > INT_MAX)
		return HS_ERR_INVALID_ARGUMENT;
	/* With encrypt-then-MAC the length field stays in clear. */
	if (dest != src && aadlen > 0)
		memcpy(dest, src, aadlen);
	if (len == 0)
		return 0;
	if (EVP_CipherUpdate(ctx->evp, dest + aadlen, &outl, src + aadlen,
	    (int)len) != 1 || (size_t)outl != len)
		return HS_ERR_CRYPTO;
	return 0;
}

static int
ctr_set_position(struct cipher_ctx *ctx, uint64_t packets, uint64_t bytes)
{
	uint8_t iv[16];
	uint64_t add = bytes / 16;
	unsigned int carry;
	int i, r = HS_ERR_CRYPTO;

	/* The counter block is a 128-bit big-endian integer. */
	memcpy(iv, ctx->u.ctr.iv, sizeof(iv));
	carry = 0;
	for (i = 15; i >= 0; i--) {
		carry += iv[i] + (unsigned int)(add & 0xff);
		iv[i] = (uint8_t)carry;
		carry >>= 8;
		add >>= 8;
	}
	if (EVP_CipherInit_ex(ctx->evp, NULL, NULL, ctx->u.ctr.key, iv,
	    1) != 1)
		goto out;
	r = 0;
 out:
	sodium_memzero(iv, sizeof(iv));
	return r;
}

static void
ctr_cleanup(struct cipher_ctx *ctx)
{
	EVP_CIPHER_CTX_free(ctx->evp);
	ctx->evp = NULL;
}

const struct cipher_ops cipher_aesctr_ops = {
	ctr_available, ctr_init, ctr_crypt, NULL, ctr_set_position,
	ctr_cleanup,
};

#endif /* HAVE_OPENSSL */
