/* SPDX-License-Identifier: ISC */
/*
 * aes256-gcm@openssh.com and aes128-gcm@openssh.com: AES-GCM as RFC 5647
 * uses it and OpenSSH implements it.  The 12-byte IV is a 4-byte fixed
 * field and an 8-byte invocation counter that is incremented after every
 * packet; the 4-byte packet length is additional authenticated data and
 * travels in clear.  AES-256 runs on libsodium when the CPU has AES-NI and
 * CLMUL, otherwise on OpenSSL when the build has it; AES-128 needs OpenSSL.
 * Runs in the pre-auth child and the session process; ciphertext and tags
 * are attacker-controlled, and plaintext of a packet whose tag fails is
 * wiped before returning.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <sodium.h>

#include "common/cipher-impl.h"
#include "common/err.h"
#include "common/mem.h"

#define GCM_TAGLEN	16

static bool
gcm_sodium_ok(const struct cipher *c)
{
	if (c->key_len != crypto_aead_aes256gcm_KEYBYTES)
		return false;
	/* Idempotent; the CPU features are probed by the first call. */
	if (sodium_init() < 0)
		return false;
	return crypto_aead_aes256gcm_is_available() == 1;
}

static bool
gcm_available(const struct cipher *c)
{
#ifdef HAVE_OPENSSL
	return true;
#else
	return gcm_sodium_ok(c);
#endif
}

static void
gcm_iv_add(uint8_t iv[12], uint64_t n)
{
	uint64_t ctr = 0;
	int i;

	for (i = 4; i < 12; i++)
		ctr = ctr << 8 | iv[i];
	ctr += n;
	for (i = 11; i >= 4; i--) {
		iv[i] = (uint8_t)ctr;
		ctr >>= 8;
	}
}

static int
gcm_init(struct cipher_ctx *ctx, const uint8_t *key, const uint8_t *iv,
    enum cipher_impl impl)
{
	if (impl == CIPHER_IMPL_AUTO)
		impl = gcm_sodium_ok(ctx->c) ? CIPHER_IMPL_SODIUM :
		    CIPHER_IMPL_OPENSSL;
	memcpy(ctx->u.gcm.iv, iv, sizeof(ctx->u.gcm.iv));
	ctx->impl = impl;
	if (impl == CIPHER_IMPL_SODIUM) {
		if (!gcm_sodium_ok(ctx->c))
			return HS_ERR_KEY_UNSUPPORTED;
		if (crypto_aead_aes256gcm_beforenm(&ctx->u.gcm.st, key) != 0)
			return HS_ERR_CRYPTO;
		return 0;
	}
#ifdef HAVE_OPENSSL
	{
		const EVP_CIPHER *type;

		type = ctx->c->key_len == 32 ? EVP_aes_256_gcm() :
		    EVP_aes_128_gcm();
		if ((ctx->evp = EVP_CIPHER_CTX_new()) == NULL)
			return HS_ERR_ALLOC;
		if (EVP_CipherInit_ex(ctx->evp, type, NULL, key, NULL,
		    ctx->encrypt ? 1 : 0) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_SET_IVLEN,
		    12, NULL) != 1)
			return HS_ERR_CRYPTO;
		return 0;
	}
#else
	return HS_ERR_KEY_UNSUPPORTED;
#endif
}

static int
gcm_crypt_sodium(struct cipher_ctx *ctx, uint8_t *dest, const uint8_t *src,
    size_t len, size_t aadlen)
{
	unsigned long long maclen = 0;

	if (ctx->encrypt) {
		/* src may equal dest: take the AAD from dest after copying. */
		if (dest != src && aadlen > 0)
			memcpy(dest, src, aadlen);
		if (crypto_aead_aes256gcm_encrypt_detached_afternm(
		    dest + aadlen, dest + aadlen + len, &maclen, src + aadlen,
		    len, dest, aadlen, NULL, ctx->u.gcm.iv,
		    &ctx->u.gcm.st) != 0 || maclen != GCM_TAGLEN)
			return HS_ERR_CRYPTO;
		return 0;
	}
	/* libsodium checks the tag and clears the output when it fails. */
	if (crypto_aead_aes256gcm_decrypt_detached_afternm(dest + aadlen,
	    NULL, src + aadlen, len, src + aadlen + len, src, aadlen,
	    ctx->u.gcm.iv, &ctx->u.gcm.st) != 0)
		return HS_ERR_AEAD_TAG;
	if (dest != src && aadlen > 0)
		memcpy(dest, src, aadlen);
	return 0;
}

#ifdef HAVE_OPENSSL
static int
gcm_crypt_openssl(struct cipher_ctx *ctx, uint8_t *dest, const uint8_t *src,
    size_t len, size_t aadlen)
{
	uint8_t tag[GCM_TAGLEN], fin[16];
	int outl = 0, r = HS_ERR_CRYPTO;

	if (len > INT_MAX)
		return HS_ERR_INVALID_ARGUMENT;
	if (EVP_CipherInit_ex(ctx->evp, NULL, NULL, NULL, ctx->u.gcm.iv,
	    -1) != 1)
		goto out;
	if (!ctx->encrypt) {
		memcpy(tag, src + aadlen + len, sizeof(tag));
		if (EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_SET_TAG,
		    GCM_TAGLEN, tag) != 1)
			goto out;
	}
	if (aadlen > 0 && EVP_CipherUpdate(ctx->evp, NULL, &outl, src,
	    (int)aadlen) != 1)
		goto out;
	if (dest != src && aadlen > 0)
		memcpy(dest, src, aadlen);
	if (len > 0 && (EVP_CipherUpdate(ctx->evp, dest + aadlen, &outl,
	    src + aadlen, (int)len) != 1 || (size_t)outl != len))
		goto out;
	if (EVP_CipherFinal_ex(ctx->evp, fin, &outl) != 1) {
		if (!ctx->encrypt) {
			/* OpenSSL decrypts before it checks: drop it all. */
			sodium_memzero(dest + aadlen, len);
			r = HS_ERR_AEAD_TAG;
		}
		goto out;
	}
	if (ctx->encrypt) {
		if (EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_GET_TAG,
		    GCM_TAGLEN, tag) != 1)
			goto out;
		memcpy(dest + aadlen + len, tag, sizeof(tag));
	}
	r = 0;
 out:
	sodium_memzero(tag, sizeof(tag));
	sodium_memzero(fin, sizeof(fin));
	return r;
}
#endif

static int
gcm_crypt(struct cipher_ctx *ctx, uint32_t seqnr, uint8_t *dest,
    const uint8_t *src, size_t len, size_t aadlen, size_t authlen)
{
	int r;

	if (authlen != GCM_TAGLEN)
		return HS_ERR_INVALID_ARGUMENT;
	if (ctx->impl == CIPHER_IMPL_SODIUM)
		r = gcm_crypt_sodium(ctx, dest, src, len, aadlen);
	else
#ifdef HAVE_OPENSSL
		r = gcm_crypt_openssl(ctx, dest, src, len, aadlen);
#else
		r = HS_ERR_INTERNAL;
#endif
	/* The invocation counter moves on only after a packet was
	 * processed; a packet that failed ends the connection anyway. */
	if (r == 0)
		gcm_iv_add(ctx->u.gcm.iv, 1);
	return r;
}

static int
gcm_get_length(struct cipher_ctx *ctx, uint32_t seqnr, const uint8_t *cp,
    size_t len, uint32_t *ret_len)
{
	*ret_len = (uint32_t)cp[0] << 24 | (uint32_t)cp[1] << 16 |
	    (uint32_t)cp[2] << 8 | cp[3];
	return 0;
}

static int
gcm_set_position(struct cipher_ctx *ctx, uint64_t packets, uint64_t bytes)
{
	gcm_iv_add(ctx->u.gcm.iv, packets);
	return 0;
}

static void
gcm_cleanup(struct cipher_ctx *ctx)
{
#ifdef HAVE_OPENSSL
	EVP_CIPHER_CTX_free(ctx->evp);
	ctx->evp = NULL;
#endif
}

const struct cipher_ops cipher_aesgcm_ops = {
	gcm_available, gcm_init, gcm_crypt, gcm_get_length, gcm_set_position,
	gcm_cleanup,
};
