/* SPDX-License-Identifier: ISC */
/*
 * Tests only: a realistic RPC_SESSION_INIT without a monitor.  The builder
 * plays both ends of a finished key exchange: it makes up K and H, derives
 * the keys of the negotiated algorithms, installs them in a server packet
 * state (exported into the struct, as the pre-auth child would) and in a
 * client packet state the test keeps, so the test can talk to a session
 * over a socketpair as the client.
 */
#ifndef HS_TEST_SESS_BUILDER_H
#define HS_TEST_SESS_BUILDER_H

#include <stdbool.h>

struct key;
struct pkt_state;
struct session_init;

struct sessb_opts {
	const char	*kex;		/* NULL: curve25519-sha256 */
	const char	*cipher;	/* NULL: chacha20-poly1305@openssh.com */
	const char	*mac;		/* NULL or "" for AEAD */
	bool		 strict;
	const char	*config_text;	/* sshd_config text; NULL: empty */
	/* Plaintext packets each side "sent" before the hand-over, so the
	 * exported counters are not all zero. */
	unsigned int	 warmup_packets;
};

/*
 * Fills *ret_si (the current user's name, ids, home and shell; 127.0.0.1
 * addresses; an ed25519 host key) and, if not NULL, *ret_client (the
 * client's packet state, keyed) and *ret_hostkey (the private host key,
 * for answering KEX_SIGN).  Returns 0 or an HS_ERR_* code.
 */
int	sessb_build(const struct sessb_opts *, struct session_init **ret_si,
	    struct pkt_state **ret_client, struct key **ret_hostkey);

#endif
