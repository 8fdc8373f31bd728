/* SPDX-License-Identifier: ISC */
/*
 * HMAC-SHA2 packet MACs on libsodium's crypto_auth_hmacsha256/512.  Runs in
 * the pre-auth child and the session process, where the tags compared
 * come from the network, and in the monitor.  The keyed HMAC state (which
 * is as secret as the key) sits in sodium_malloc() memory; each packet
 * works on a stack copy that is wiped afterwards.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/mac.h"
#include "common/mem.h"

struct mac_ctx {
	union {
		crypto_auth_hmacsha256_state s256;
		crypto_auth_hmacsha512_state s512;
	} u;
	const struct mac	*m;
};

static const struct mac macs[] = {
	{ "hmac-sha2-256-etm@openssh.com", MAC_HASH_SHA256, 32, 32, true },
	{ "hmac-sha2-512-etm@openssh.com", MAC_HASH_SHA512, 64, 64, true },
	{ "hmac-sha2-256", MAC_HASH_SHA256, 32, 32, false },
	{ "hmac-sha2-512", MAC_HASH_SHA512, 64, 64, false },
};

#define NMACS (sizeof(macs) / sizeof(macs[0]))

const struct mac *
mac_at(size_t i)
{
	return i < NMACS ? &macs[i] : NULL;
}

const struct mac *
mac_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NMACS; i++) {
		if (strcmp(macs[i].name, name) == 0)
			return &macs[i];
	}
	return NULL;
}

int
mac_init(struct mac_ctx **ret, const struct mac *m, const uint8_t *key,
    size_t keylen)
{
	struct mac_ctx *ctx;
	size_t sz;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (m == NULL || key == NULL || keylen != m->key_len)
		return HS_ERR_INVALID_ARGUMENT;
	sz = (sizeof(*ctx) + 63) & ~(size_t)63;
	if ((ctx = sodium_malloc(sz)) == NULL)
		return HS_ERR_ALLOC;
	memset(ctx, 0, sz);
	ctx->m = m;
	if (m->hash == MAC_HASH_SHA256)
		crypto_auth_hmacsha256_init(&ctx->u.s256, key, keylen);
	else
		crypto_auth_hmacsha512_init(&ctx->u.s512, key, keylen);
	*ret = ctx;
	return 0;
}

void
mac_free(struct mac_ctx *ctx)
{
	if (ctx != NULL)
		sodium_free(ctx);	/* wipes */
}

const struct mac *
mac_ctx_mac(const struct mac_ctx *ctx)
{
	return ctx->m;
}

int
mac_compute(struct mac_ctx *ctx, uint32_t seqnr, const uint8_t *data,
    size_t len, uint8_t *out, size_t outlen)
{
	crypto_auth_hmacsha256_state s256;
	crypto_auth_hmacsha512_state s512;
	uint8_t seq[4];

	if (ctx == NULL || out == NULL || outlen < ctx->m->tag_len ||
	    (data == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	seq[0] = (uint8_t)(seqnr >> 24);
	seq[1] = (uint8_t)(seqnr >> 16);
	seq[2] = (uint8_t)(seqnr >> 8);
	seq[3] = (uint8_t)seqnr;
	if (ctx->m->hash == MAC_HASH_SHA256) {
		s256 = ctx->u.s256;
		crypto_auth_hmacsha256_update(&s256, seq, sizeof(seq));
		crypto_auth_hmacsha256_update(&s256, data, len);
		crypto_auth_hmacsha256_final(&s256, out);
		sodium_memzero(&s256, sizeof(s256));
	} else {
		s512 = ctx->u.s512;
		crypto_auth_hmacsha512_update(&s512, seq, sizeof(seq));
		crypto_auth_hmacsha512_update(&s512, data, len);
		crypto_auth_hmacsha512_final(&s512, out);
		sodium_memzero(&s512, sizeof(s512));
	}
	return 0;
}

int
mac_check(struct mac_ctx *ctx, uint32_t seqnr, const uint8_t *data,
    size_t len, const uint8_t *tag, size_t taglen)
{
	uint8_t want[64];
	int r;

	if (ctx == NULL || tag == NULL || taglen != ctx->m->tag_len ||
	    taglen > sizeof(want))
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = mac_compute(ctx, seqnr, data, len, want, sizeof(want))) != 0)
		return r;
	r = sodium_memcmp(want, tag, taglen) == 0 ? 0 : HS_ERR_MAC;
	sodium_memzero(want, sizeof(want));
	return r;
}

int
mac_hmac(enum mac_hash hash, const uint8_t *key, size_t keylen,
    const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
	crypto_auth_hmacsha256_state s256;
	crypto_auth_hmacsha512_state s512;

	if (out == NULL || (key == NULL && keylen > 0) ||
	    (data == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (hash == MAC_HASH_SHA256) {
		if (outlen < crypto_auth_hmacsha256_BYTES)
			return HS_ERR_INVALID_ARGUMENT;
		crypto_auth_hmacsha256_init(&s256, key, keylen);
		crypto_auth_hmacsha256_update(&s256, data, len);
		crypto_auth_hmacsha256_final(&s256, out);
		sodium_memzero(&s256, sizeof(s256));
	} else {
		if (outlen < crypto_auth_hmacsha512_BYTES)
			return HS_ERR_INVALID_ARGUMENT;
		crypto_auth_hmacsha512_init(&s512, key, keylen);
		crypto_auth_hmacsha512_update(&s512, data, len);
		crypto_auth_hmacsha512_final(&s512, out);
		sodium_memzero(&s512, sizeof(s512));
	}
	return 0;
}
