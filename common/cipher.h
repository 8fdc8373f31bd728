/* SPDX-License-Identifier: ISC */
/*
 * SSH transport ciphers (RFC 4253 §6.3 and OpenSSH's AEAD modes).  Linked
 * into the pre-auth child (unprivileged, sandboxed) and the session process
 * (the user), which run the packet layer, and into the monitor, which
 * derives the keys.  Ciphertext comes from the network and is
 * attacker-controlled; keys never are.
 *
 * Supported: chacha20-poly1305@openssh.com and aes256-gcm@openssh.com
 * (libsodium; AES-GCM needs AES-NI unless OpenSSL is there to fall back
 * on); with OpenSSL also aes128-gcm@openssh.com and aes128/192/256-ctr.
 * Nothing else: no CBC, no 3DES, no arcfour.
 *
 * The packet layer (common/pkt.c) calls cipher_crypt() once per packet
 * (twice for the CTR modes without encrypt-then-MAC: the first block is
 * decrypted early to learn the length).  Key material lives in
 * sodium_malloc() memory and is wiped by cipher_free().
 */
#ifndef HS_CIPHER_H
#define HS_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cipher_ctx;
struct cipher_ops;

/* Which library implements a context.  AUTO: libsodium when it can,
 * otherwise OpenSSL.  The explicit choices exist so the tests can run the
 * known-answer vectors through both implementations. */
enum cipher_impl {
	CIPHER_IMPL_AUTO = 0,
	CIPHER_IMPL_SODIUM,
	CIPHER_IMPL_OPENSSL,
};

struct cipher {
	const char	*name;
	size_t		 key_len;	/* bytes of key material (RFC 4253 §7.2 C/D) */
	size_t		 iv_len;	/* bytes of IV material (A/B); 0 if none */
	size_t		 block_size;	/* packet alignment unit (at least 8) */
	size_t		 tag_len;	/* AEAD tag after each packet, else 0 */
	bool		 is_aead;	/* authenticates: no MAC is negotiated */
	bool		 needs_mac;	/* a separate MAC (common/mac.h) is needed */
	const struct cipher_ops *ops;	/* implementation (cipher-impl.h) */
};

/*
 * The table, in hsshd's order of preference.  cipher_by_name returns NULL
 * for names this build does not know (including "none", which is never
 * negotiated: the plaintext phase is a packet layer without a context).
 * cipher_at(i) walks the table (NULL past the end), for building lists.
 */
const struct cipher	*cipher_by_name(const char *name);
const struct cipher	*cipher_at(size_t i);
/* Whether this build and this CPU can run the cipher now (aes256-gcm
 * without AES-NI and without OpenSSL cannot). */
bool			 cipher_is_available(const struct cipher *);

/*
 * A keyed context for one direction.  keylen/ivlen must equal the table's
 * key_len/iv_len.  encrypt selects the direction of the context.
 * Returns 0, HS_ERR_INVALID_ARGUMENT (wrong lengths),
 * HS_ERR_KEY_UNSUPPORTED (not available in this build/CPU or the requested
 * implementation), HS_ERR_ALLOC or HS_ERR_CRYPTO.  *ret is set on success
 * only; free with cipher_free (NULL is a no-op).
 */
int	 cipher_init(struct cipher_ctx **ret, const struct cipher *c,
	    const uint8_t *key, size_t keylen, const uint8_t *iv, size_t ivlen,
	    bool encrypt);
int	 cipher_init_impl(struct cipher_ctx **ret, const struct cipher *c,
	    const uint8_t *key, size_t keylen, const uint8_t *iv, size_t ivlen,
	    bool encrypt, enum cipher_impl impl);
void	 cipher_free(struct cipher_ctx *);

const struct cipher	*cipher_ctx_cipher(const struct cipher_ctx *);
bool			 cipher_ctx_is_encrypt(const struct cipher_ctx *);

/*
 * Encrypt or decrypt one packet (or, for the CTR modes, the next len bytes
 * of the stream).  src holds aadlen + len bytes, followed for a decrypting
 * AEAD context by the authlen-byte tag; dest receives aadlen + len bytes,
 * followed for an encrypting AEAD context by the tag.  dest == src is
 * allowed.  The first aadlen bytes (0 or 4: the packet length) are
 * authenticated but copied in clear, except for chacha20-poly1305 which
 * encrypts them with its header key.  authlen must be the cipher's tag_len.
 * seqnr is the packet sequence number (chacha20-poly1305 nonce).
 * A decrypting AEAD context checks the tag, in constant time, before it
 * writes any plaintext; a bad tag returns HS_ERR_AEAD_TAG.
 * Other returns: 0, HS_ERR_INVALID_ARGUMENT, HS_ERR_CRYPTO.
 */
int	 cipher_crypt(struct cipher_ctx *, uint32_t seqnr, uint8_t *dest,
	    const uint8_t *src, size_t len, size_t aadlen, size_t authlen);

/*
 * For AEAD ciphers only: the packet length of the packet whose first len
 * (>= 4) bytes are at cp, without changing the context (chacha20-poly1305
 * decrypts it with the header key; AES-GCM sends it in clear).  The value
 * is not authenticated yet: the caller bounds it before trusting it.
 */
int	 cipher_get_length(struct cipher_ctx *, uint32_t seqnr,
	    const uint8_t *cp, size_t len, uint32_t *ret_len);

/*
 * Position of the stream state, for handing a connection to another
 * process: packets is the number of successful cipher_crypt calls
 * (AES-GCM's invocation counter advances once per packet), bytes the
 * number of bytes encrypted or decrypted (the AES-CTR counter is the IV
 * plus bytes / 16).  cipher_set_position fast-forwards a fresh context
 * to such a position; it fails with HS_ERR_INVALID_ARGUMENT unless the
 * context is fresh and bytes is a multiple of the block size.
 */
void	 cipher_get_position(const struct cipher_ctx *, uint64_t *packets,
	    uint64_t *bytes);
int	 cipher_set_position(struct cipher_ctx *, uint64_t packets,
	    uint64_t bytes);

#endif
