/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for KEXINIT parsing and algorithm negotiation
 * (common/kex.c): arbitrary bytes are parsed as a peer's KEXINIT payload
 * and, if accepted, negotiated against a fixed server proposal.  Whatever
 * is chosen must be a real, available algorithm.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *server_props[KEX_PROP_MAX] = {
	("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
	    "diffie-hellman-group14-sha256"),
	"ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr",
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes256-ctr",
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
	"none,zlib@openssh.com",
	"none",
	"",
	"",
};

static void
check(const struct kex_negotiated *n)
{
	if (n->kex == NULL || kex_alg_by_name(n->kex->name) != n->kex ||
	    strcmp(n->kex->name, KEX_EXT_INFO_S) == 0 ||
	    n->enc_c2s == NULL || n->enc_s2c == NULL ||
	    !cipher_is_available(n->enc_c2s) ||
	    !cipher_is_available(n->enc_s2c) ||
	    (n->enc_c2s->needs_mac != (n->mac_c2s != NULL)) ||
	    (n->enc_s2c->needs_mac != (n->mac_s2c != NULL)) ||
	    n->hostkey_alg[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kex_proposal *server;
	struct kex_proposal *client = NULL;
	struct kex_negotiated n;
	struct buf *b;
	size_t want[KEX_KEY_MAX];
	int r;

	if (server == NULL) {
		struct buf *s = buf_new();
		const char *props[KEX_PROP_MAX];
		size_t i;

		if (sodium_init() < 0 || s == NULL)
			abort();
		/* Drop names this build lacks from the fixed proposal. */
		memcpy(props, server_props, sizeof(props));
#ifndef HAVE_OPENSSL
		props[KEX_PROP_KEX] =
		    "curve25519-sha256,curve25519-sha256@libssh.org";
		props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] =
		    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com";
#endif
		if (kex_kexinit_build(props, true, s) != 0 ||
		    kex_kexinit_parse(s, &server) != 0)
			abort();
		for (i = 0; i < KEX_PROP_MAX; i++)
			if (server->names[i] == NULL)
				abort();
		buf_free(s);
	}
	if ((b = buf_from(data, size)) == NULL)
		return 0;
	r = kex_kexinit_parse(b, &client);
	if (r == 0) {
		if (client == NULL || buf_len(b) != 0)
			abort();
		if (kex_negotiate(client, server, true, &n) == 0) {
			check(&n);
			kex_key_sizes(&n, want);
		} else if (n.kex != NULL)
			abort();
		if (kex_negotiate(client, server, false, &n) == 0) {
			check(&n);
			if (n.ext_info_c || n.strict_kex)
				abort();
		}
		kex_proposal_free(client);
	} else if (client != NULL)
		abort();
	buf_free(b);
	return 0;
}
