/* SPDX-License-Identifier: ISC */
/*
 * Re-keying in hsshd-session (the logged-in user, no capabilities): the
 * client may start a key exchange at any time, and we start one after
 * RekeyLimit bytes or time.  The exchange itself is common/kexdrv.c, as
 * in the pre-auth child; the peer's KEXINIT and public value are
 * attacker-controlled and parsed there.  This process never holds a host
 * private key: the monitor issues each server KEXINIT (RPC_KEX_REKEY) and
 * signs the exchange hash it computes from its own V_S, I_S and K_S
 * (RPC_KEX_SIGN); the new keys are derived with the session id of the
 * first exchange.  What is left here is this process's part: the limits
 * that call for a re-key, and what a failure does to the connection.
 */
#include "config.h"

#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/kexdrv.h"
#include "common/log.h"
#include "common/pkt.h"
#include "common/sessinit.h"
#include "policy/config.h"
#include "session/monitor-client.h"
#include "session/transport-priv.h"

/* OpenSSH's limit on packets per key (and non-strict sequence numbers). */
#define SK_PACKETS_MAX	(1ULL << 31)

/* RFC 4344 §3.2: 2^(L/4) blocks of an L-bit block cipher; AEAD modes
 * (and chacha20-poly1305) at 1 GiB, as OpenSSH. */
static uint64_t
cipher_limit(const struct cipher *c)
{
	uint64_t bits;

	if (c == NULL || c->is_aead)
		return 1ULL << 30;
	bits = (uint64_t)c->block_size * 8;
	if (bits / 4 >= 40)
		return 1ULL << 40;
	return (1ULL << (bits / 4)) * c->block_size;
}

void
sk_set_limits(struct str *t)
{
	uint64_t limit = cipher_limit(t->kex.neg.enc_c2s), l2;

	l2 = cipher_limit(t->kex.neg.enc_s2c);
	if (l2 < limit)
		limit = l2;
	/* RekeyLimit below the cipher's own limit wins. */
	if (t->cfg->rekey_limit > 0 && (uint64_t)t->cfg->rekey_limit < limit)
		limit = (uint64_t)t->cfg->rekey_limit;
	t->rekey_bytes = limit;
	t->rekey_packets = SK_PACKETS_MAX;
	t->rekey_deadline = t->cfg->rekey_interval > 0 ?
	    str_now() + t->cfg->rekey_interval : 0;
}

bool
sk_due(const struct str *t)
{
	struct pkt_counters in, out;

	if (t->kex.state != KEXDRV_IDLE)
		return false;
	pkt_get_counters(t->pkt, PKT_IN, &in);
	pkt_get_counters(t->pkt, PKT_OUT, &out);
	return in.bytes >= t->rekey_bytes || out.bytes >= t->rekey_bytes ||
	    in.packets >= t->rekey_packets ||
	    out.packets >= t->rekey_packets ||
	    (t->rekey_deadline != 0 && str_now() >= t->rekey_deadline);
}

bool
sk_holding(const struct str *t)
{
	return kexdrv_is_holding(&t->kex);
}

/* The public host key that signs with alg (K_S; kexdrv ops). */
static const struct buf *
sk_hostkey_blob(void *ctx, const char *alg)
{
	const struct str *t = ctx;
	size_t i;

	for (i = 0; i < t->si->nhostkeys; i++) {
		if (kexdrv_list_has(t->si->hostkeys[i].sig_algs, alg))
			return t->si->hostkeys[i].blob;
	}
	return NULL;
}

/* A key exchange call failed: a protocol error ends the connection with
 * its reason, anything else is ours. */
static void __attribute__((noreturn))
sk_failed(struct str *t, int r)
{
	if (r == HS_ERR_NO_MATCH && t->kex.reason != 0)
		logit("Unable to negotiate a re-key with %s port %u: no "
		    "matching algorithms", t->si->peer_addr,
		    t->si->peer_port);
	if (t->kex.reason != 0)
		str_disconnect(t, t->kex.reason, "%s", t->kex.errmsg);
	fatal_r(r, "key exchange: %s", t->kex.errmsg);
}

void
sk_init(struct str *t)
{
	int r;

	t->kex_ops.kexinit = kexdrv_rpc_kexinit;
	t->kex_ops.sign = kexdrv_rpc_sign;
	t->kex_ops.rpc = &t->rpc_fd;
	t->kex_ops.hostkey = sk_hostkey_blob;
	t->kex_ops.ctx = t;
	t->rpc_fd = mm_fd();
	kexdrv_init(&t->kex, t->pkt, &t->kex_ops, t->si->v_s);
	t->kex.v_c = t->si->v_c;
	if ((r = kexdrv_resume(&t->kex, t->si->session_id,
	    t->si->session_id_len)) != 0)
		fatal_r(r, "key exchange: %s", t->kex.errmsg);
	/* The keys in force are the ones the monitor negotiated. */
	if ((t->kex.neg.enc_c2s = cipher_by_name(t->si->enc_c2s)) == NULL ||
	    (t->kex.neg.enc_s2c = cipher_by_name(t->si->enc_s2c)) == NULL)
		fatal("unknown cipher in the start state");
	sk_set_limits(t);
}

void
sk_start(struct str *t)
{
	int r;

	if ((r = kexdrv_start(&t->kex)) != 0)
		sk_failed(t, r);
}

void
sk_input(struct str *t, uint8_t type, struct buf *payload)
{
	enum kexdrv_event ev;
	int r;

	if ((r = kexdrv_input(&t->kex, type, payload, &ev)) != 0)
		sk_failed(t, r);
	if (ev == KEXDRV_EV_NEWKEYS_SENT) {
		/* Our side is done: what the channels said meanwhile may
		 * go. */
		str_flush_queue(t);
	} else if (ev == KEXDRV_EV_DONE)
		sk_set_limits(t);
}
