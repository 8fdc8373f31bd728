/* SPDX-License-Identifier: ISC */
/*
 * curve25519-sha256 and curve25519-sha256@libssh.org (RFC 8731) on
 * libsodium's X25519.  Runs in the pre-auth child and the session process;
 * the client's public value is attacker-controlled.  The ephemeral private
 * key never leaves this file and is wiped after use.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mem.h"

#define X25519_LEN	crypto_scalarmult_curve25519_BYTES

int
kex_curve25519_shared(const uint8_t priv[32], const uint8_t *peer_pub,
    size_t len, struct buf *pub_out, struct buf *shared_secret_out)
{
	uint8_t pub[X25519_LEN], shared[X25519_LEN];
	struct buf *k = NULL;
	int r = HS_ERR_INTERNAL;

	if (priv == NULL || shared_secret_out == NULL ||
	    (peer_pub == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	/* RFC 8731 §3: Q_C is exactly 32 bytes. */
	if (len != X25519_LEN)
		return HS_ERR_KEX_BAD_PUBLIC;
	if (crypto_scalarmult_base(pub, priv) != 0) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/*
	 * RFC 8731 §3: an all-zero result must abort the exchange.
	 * libsodium already fails on it (and on small-order points); the
	 * explicit check does not depend on that.
	 */
	if (crypto_scalarmult(shared, priv, peer_pub) != 0 ||
	    sodium_is_zero(shared, sizeof(shared))) {
		r = HS_ERR_KEX_ZERO_SECRET;
		goto out;
	}
	/*
	 * RFC 8731 §3.1: the 32 bytes X are read as an unsigned
	 * fixed-length integer in network byte order and encoded as an
	 * mpint (leading zero bytes dropped, a 0x00 added if the top bit is
	 * set).
	 */
	if ((k = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put_mpint(k, shared, sizeof(shared))) != 0)
		goto out;
	if (pub_out != NULL && (r = buf_put(pub_out, pub, sizeof(pub))) != 0)
		goto out;
	if ((r = buf_putb(shared_secret_out, k)) != 0) {
		if (pub_out != NULL)
			(void)buf_consume_end(pub_out, sizeof(pub));
		goto out;
	}
	r = 0;
 out:
	sodium_memzero(shared, sizeof(shared));
	buf_free(k);
	return r;
}

int
kex_curve25519_server(const uint8_t *client_pub, size_t len,
    struct buf *server_pub_out, struct buf *shared_secret_out)
{
	uint8_t priv[crypto_scalarmult_curve25519_SCALARBYTES];
	int r;

	if (server_pub_out == NULL || shared_secret_out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	randombytes_buf(priv, sizeof(priv));
	r = kex_curve25519_shared(priv, client_pub, len, server_pub_out,
	    shared_secret_out);
	sodium_memzero(priv, sizeof(priv));
	return r;
}
