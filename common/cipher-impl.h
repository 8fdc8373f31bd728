/* SPDX-License-Identifier: ISC */
/*
 * Private to the cipher family (cipher.c, cipher-chachapoly.c,
 * cipher-aesgcm.c, cipher-aesctr.c): the context layout and the operations
 * each implementation provides.  Same processes and trust as cipher.h.
 */
#ifndef HS_CIPHER_IMPL_H
#define HS_CIPHER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/cipher.h"

#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#endif

struct cipher_ops {
	bool	(*available)(const struct cipher *);
	/* Key the context; c, encrypt are already set, impl resolved by
	 * the implementation (it may refuse with HS_ERR_KEY_UNSUPPORTED). */
	int	(*init)(struct cipher_ctx *, const uint8_t *key,
		    const uint8_t *iv, enum cipher_impl impl);
	int	(*crypt)(struct cipher_ctx *, uint32_t seqnr, uint8_t *dest,
		    const uint8_t *src, size_t len, size_t aadlen,
		    size_t authlen);
	/* NULL for the non-AEAD ciphers. */
	int	(*get_length)(struct cipher_ctx *, uint32_t seqnr,
		    const uint8_t *cp, size_t len, uint32_t *ret_len);
	int	(*set_position)(struct cipher_ctx *, uint64_t packets,
		    uint64_t bytes);
	/* Release library objects (the context memory itself is wiped and
	 * freed by cipher_free). */
	void	(*cleanup)(struct cipher_ctx *);
};

struct cipher_ctx {
	union {
		struct {
			uint8_t	 main_key[crypto_stream_chacha20_KEYBYTES];
			uint8_t	 header_key[crypto_stream_chacha20_KEYBYTES];
		} cp;
		struct {
			crypto_aead_aes256gcm_state st;	/* 16-byte aligned */
			uint8_t	 iv[12];	/* fixed(4) || invocation(8) */
		} gcm;
		struct {
			uint8_t	 key[32];
			uint8_t	 iv[16];	/* initial counter block */
		} ctr;
	} u;
	const struct cipher	*c;
	enum cipher_impl	 impl;
	bool			 encrypt;
	uint64_t		 packets;
	uint64_t		 bytes;
#ifdef HAVE_OPENSSL
	EVP_CIPHER_CTX		*evp;
#endif
};

extern const struct cipher_ops cipher_chachapoly_ops;
extern const struct cipher_ops cipher_aesgcm_ops;
#ifdef HAVE_OPENSSL
extern const struct cipher_ops cipher_aesctr_ops;
#endif

#endif
