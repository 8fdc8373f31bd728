/* SPDX-License-Identifier: ISC */
/*
 * The cipher table and the dispatch to its implementations.  Runs in the
 * pre-auth child and the session process (unprivileged) and in the
 * monitor; lengths passed in come from the packet layer, which bounds
 * them before any call here.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/cipher-impl.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/mem.h"

static const struct cipher ciphers[] = {
	{ "chacha20-poly1305@openssh.com", 64, 0, 8, 16, true, false,
	    &cipher_chachapoly_ops },
	{ "aes256-gcm@openssh.com", 32, 12, 16, 16, true, false,
	    &cipher_aesgcm_ops },
#ifdef HAVE_OPENSSL
	{ "aes128-gcm@openssh.com", 16, 12, 16, 16, true, false,
	    &cipher_aesgcm_ops },
	{ "aes256-ctr", 32, 16, 16, 0, false, true, &cipher_aesctr_ops },
	{ "aes192-ctr", 24, 16, 16, 0, false, true, &cipher_aesctr_ops },
	{ "aes128-ctr", 16, 16, 16, 0, false, true, &cipher_aesctr_ops },
#endif
};

#define NCIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

const struct cipher *
cipher_at(size_t i)
{
	return i < NCIPHERS ? &ciphers[i] : NULL;
}

const struct cipher *
cipher_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NCIPHERS; i++) {
		if (strcmp(ciphers[i].name, name) == 0)
			return &ciphers[i];
	}
	return NULL;
}

bool
cipher_is_available(const struct cipher *c)
{
	return c != NULL && c->ops->available(c);
}

int
cipher_init_impl(struct cipher_ctx **ret, const struct cipher *c,
    const uint8_t *key, size_t keylen, const uint8_t *iv, size_t ivlen,
    bool encrypt, enum cipher_impl impl)
{
	struct cipher_ctx *ctx = NULL;
	size_t sz;
	int r = HS_ERR_INTERNAL;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (c == NULL || keylen != c->key_len || ivlen != c->iv_len ||
	    (keylen > 0 && key == NULL) || (ivlen > 0 && iv == NULL))
		return HS_ERR_INVALID_ARGUMENT;
	if (!c->ops->available(c))
		return HS_ERR_KEY_UNSUPPORTED;
	/* A multiple of 64 keeps sodium_malloc's pointer aligned for the
	 * AES-GCM state. */
	sz = (sizeof(*ctx) + 63) & ~(size_t)63;
	if ((ctx = sodium_malloc(sz)) == NULL)
		return HS_ERR_ALLOC;
	memset(ctx, 0, sz);
	ctx->c = c;
	ctx->encrypt = encrypt;
	ctx->impl = impl;
	if ((r = c->ops->init(ctx, key, iv, impl)) != 0)
		goto out;
	*ret = ctx;
	ctx = NULL;
	r = 0;
 out:
	cipher_free(ctx);
	return r;
}

int
cipher_init(struct cipher_ctx **ret, const struct cipher *c,
    const uint8_t *key, size_t keylen, const uint8_t *iv, size_t ivlen,
    bool encrypt)
{
	return cipher_init_impl(ret, c, key, keylen, iv, ivlen, encrypt,
	    CIPHER_IMPL_AUTO);
}

void
cipher_free(struct cipher_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->c != NULL && ctx->c->ops->cleanup != NULL)
		ctx->c->ops->cleanup(ctx);
	/* sodium_free wipes the whole allocation. */
	sodium_free(ctx);
}

const struct cipher *
cipher_ctx_cipher(const struct cipher_ctx *ctx)
{
	return ctx->c;
}

bool
cipher_ctx_is_encrypt(const struct cipher_ctx *ctx)
{
	return ctx->encrypt;
}

int
cipher_crypt(struct cipher_ctx *ctx, uint32_t seqnr, uint8_t *dest,
    const uint8_t *src, size_t len, size_t aadlen, size_t authlen)
{
	int r;

	if (ctx == NULL || dest == NULL || src == NULL ||
	    authlen != ctx->c->tag_len || len > SIZE_MAX / 2 || aadlen > 64)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = ctx->c->ops->crypt(ctx, seqnr, dest, src, len, aadlen,
	    authlen)) != 0)
		return r;
	ctx->packets++;
	ctx->bytes += len;
	return 0;
}

int
cipher_get_length(struct cipher_ctx *ctx, uint32_t seqnr, const uint8_t *cp,
    size_t len, uint32_t *ret_len)
{
	if (ret_len != NULL)
		*ret_len = 0;
	if (ctx == NULL || cp == NULL || ret_len == NULL || len < 4 ||
	    ctx->c->ops->get_length == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	return ctx->c->ops->get_length(ctx, seqnr, cp, len, ret_len);
}

void
cipher_get_position(const struct cipher_ctx *ctx, uint64_t *packets,
    uint64_t *bytes)
{
	*packets = ctx->packets;
	*bytes = ctx->bytes;
}

int
cipher_set_position(struct cipher_ctx *ctx, uint64_t packets, uint64_t bytes)
{
	int r;

	if (ctx == NULL || ctx->packets != 0 || ctx->bytes != 0 ||
	    bytes % ctx->c->block_size != 0)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = ctx->c->ops->set_position(ctx, packets, bytes)) != 0)
		return r;
	ctx->packets = packets;
	ctx->bytes = bytes;
	return 0;
}
