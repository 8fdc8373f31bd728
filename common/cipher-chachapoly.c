/* SPDX-License-Identifier: ISC */
/*
 * chacha20-poly1305@openssh.com, as OpenSSH's PROTOCOL.chacha20poly1305
 * defines it: the original ChaCha20 (64-bit nonce, 64-bit block counter)
 * keyed twice from 64 bytes of key material.  The first 32 bytes are K_2
 * (payload and Poly1305 key), the last 32 bytes K_1 (packet length only).
 * The nonce is the packet sequence number as a big-endian uint64.
 * Runs in the pre-auth child and the session process; ciphertext and tags
 * are attacker-controlled and the tag is checked before anything is
 * decrypted.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/cipher-impl.h"
#include "common/err.h"
#include "common/mem.h"

#define CP_TAGLEN	crypto_onetimeauth_poly1305_BYTES

static bool
cp_available(const struct cipher *c)
{
	return true;
}

static int
cp_init(struct cipher_ctx *ctx, const uint8_t *key, const uint8_t *iv,
    enum cipher_impl impl)
{
	if (impl == CIPHER_IMPL_OPENSSL)
		return HS_ERR_KEY_UNSUPPORTED;
	memcpy(ctx->u.cp.main_key, key, sizeof(ctx->u.cp.main_key));
	memcpy(ctx->u.cp.header_key, key + sizeof(ctx->u.cp.main_key),
	    sizeof(ctx->u.cp.header_key));
	ctx->impl = CIPHER_IMPL_SODIUM;
	return 0;
}

static void
cp_nonce(uint32_t seqnr, uint8_t nonce[crypto_stream_chacha20_NONCEBYTES])
{
	memset(nonce, 0, crypto_stream_chacha20_NONCEBYTES);
	nonce[4] = (uint8_t)(seqnr >> 24);
	nonce[5] = (uint8_t)(seqnr >> 16);
	nonce[6] = (uint8_t)(seqnr >> 8);
	nonce[7] = (uint8_t)seqnr;
}

/* Poly1305 over the whole ciphertext (length and payload). */
static int
cp_tag(const struct cipher_ctx *ctx, const uint8_t *nonce, const uint8_t *ct,
    size_t ctlen, uint8_t tag[CP_TAGLEN])
{
	uint8_t polykey[crypto_onetimeauth_poly1305_KEYBYTES];

	if (crypto_stream_chacha20(polykey, sizeof(polykey), nonce,
	    ctx->u.cp.main_key) != 0)
		return HS_ERR_CRYPTO;
	crypto_onetimeauth_poly1305(tag, ct, ctlen, polykey);
	sodium_memzero(polykey, sizeof(polykey));
	return 0;
}

static int
cp_crypt(struct cipher_ctx *ctx, uint32_t seqnr, uint8_t *dest,
    const uint8_t *src, size_t len, size_t aadlen, size_t authlen)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t tag[CP_TAGLEN];
	int r = HS_ERR_INTERNAL;

	if (authlen != CP_TAGLEN)
		return HS_ERR_INVALID_ARGUMENT;
	cp_nonce(seqnr, nonce);
	if (!ctx->encrypt) {
		/* Authenticate first: nothing is decrypted under a bad tag. */
		if ((r = cp_tag(ctx, nonce, src, aadlen + len, tag)) != 0)
			goto out;
		if (crypto_verify_16(tag, src + aadlen + len) != 0) {
			r = HS_ERR_AEAD_TAG;
			goto out;
		}
	}
	if (aadlen > 0 && crypto_stream_chacha20_xor(dest, src, aadlen, nonce,
	    ctx->u.cp.header_key) != 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* Payload keystream starts at block 1; block 0 is the Poly1305 key. */
	if (len > 0 && crypto_stream_chacha20_xor_ic(dest + aadlen,
	    src + aadlen, len, nonce, 1, ctx->u.cp.main_key) != 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if (ctx->encrypt) {
		if ((r = cp_tag(ctx, nonce, dest, aadlen + len, tag)) != 0)
			goto out;
		memcpy(dest + aadlen + len, tag, sizeof(tag));
	}
	r = 0;
 out:
	sodium_memzero(tag, sizeof(tag));
	return r;
}

static int
cp_get_length(struct cipher_ctx *ctx, uint32_t seqnr, const uint8_t *cp,
    size_t len, uint32_t *ret_len)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES], buf[4];

	cp_nonce(seqnr, nonce);
	if (crypto_stream_chacha20_xor(buf, cp, sizeof(buf), nonce,
	    ctx->u.cp.header_key) != 0)
		return HS_ERR_CRYPTO;
	*ret_len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

static int
cp_set_position(struct cipher_ctx *ctx, uint64_t packets, uint64_t bytes)
{
	/* Stateless between packets: the sequence number is the nonce. */
	return 0;
}

const struct cipher_ops cipher_chachapoly_ops = {
	cp_available, cp_init, cp_crypt, cp_get_length, cp_set_position, NULL,
};
