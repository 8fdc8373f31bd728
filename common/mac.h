/* SPDX-License-Identifier: ISC */
/*
 * SSH transport MACs: hmac-sha2-256 and hmac-sha2-512 (RFC 6668) and their
 * encrypt-then-MAC variants hmac-sha2-256-etm@openssh.com and
 * hmac-sha2-512-etm@openssh.com (OpenSSH PROTOCOL §1.5: the MAC covers
 * the sequence number, the clear packet length and the ciphertext).  No
 * SHA-1, no MD5, no truncated MACs.  HMAC comes from libsodium, so every
 * build has these.  Linked into the pre-auth child and the session process
 * (tags on the wire are attacker-controlled; checks are constant-time)
 * and into the monitor.  Keys live in sodium_malloc() memory.
 */
#ifndef HS_MAC_H
#define HS_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mac_ctx;

enum mac_hash {
	MAC_HASH_SHA256,
	MAC_HASH_SHA512,
};

struct mac {
	const char	*name;
	enum mac_hash	 hash;
	size_t		 key_len;	/* RFC 4253 §7.2 E/F bytes */
	size_t		 tag_len;	/* bytes appended to each packet */
	bool		 etm;		/* MAC over the ciphertext */
};

/* Table lookup (NULL if unknown) and walk (NULL past the end). */
const struct mac	*mac_by_name(const char *name);
const struct mac	*mac_at(size_t i);

/*
 * Keyed context.  keylen must be the table's key_len.  Returns 0,
 * HS_ERR_INVALID_ARGUMENT or HS_ERR_ALLOC; *ret set on success only.
 */
int	 mac_init(struct mac_ctx **ret, const struct mac *m, const uint8_t *key,
	    size_t keylen);
/* Wipe and free; NULL is a no-op. */
void	 mac_free(struct mac_ctx *);
const struct mac *mac_ctx_mac(const struct mac_ctx *);

/*
 * out (outlen >= tag_len) = HMAC(key, uint32 seqnr || data).  Writes
 * exactly tag_len bytes.  Returns 0 or HS_ERR_INVALID_ARGUMENT.
 */
int	 mac_compute(struct mac_ctx *, uint32_t seqnr, const uint8_t *data,
	    size_t len, uint8_t *out, size_t outlen);
/*
 * Compares the tag (taglen must equal tag_len) with HMAC(key, seqnr ||
 * data) in constant time.  Returns 0 or HS_ERR_MAC.
 */
int	 mac_check(struct mac_ctx *, uint32_t seqnr, const uint8_t *data,
	    size_t len, const uint8_t *tag, size_t taglen);

/*
 * Plain HMAC with a key of any length (no sequence number), for the
 * known-answer tests and other users of HMAC-SHA2.  out receives the full
 * 32 or 64 bytes.  Returns 0 or HS_ERR_INVALID_ARGUMENT.
 */
int	 mac_hmac(enum mac_hash, const uint8_t *key, size_t keylen,
	    const uint8_t *data, size_t len, uint8_t *out, size_t outlen);

#endif
