/* SPDX-License-Identifier: ISC */
/*
 * Re-keying in hsshd-session (the logged-in user, no capabilities): the
 * client may start a key exchange at any time, and we start one after
 * RekeyLimit bytes or time.  The peer's KEXINIT and public value are
 * attacker-controlled and parsed by common/kex.c.  This process never
 * holds a host private key: the monitor issues each server KEXINIT
 * (RPC_KEX_REKEY) and signs the exchange hash it computes from its own
 * V_S, I_S and K_S (RPC_KEX_SIGN), as for the pre-auth child; the new
 * keys are derived here, with the session id of the first exchange.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
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
	uint64_t limit = cipher_limit(t->neg.enc_c2s), l2;

	l2 = cipher_limit(t->neg.enc_s2c);
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

	if (t->kex != SK_IDLE)
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
	return t->kex == SK_WAIT_KEXINIT || t->kex == SK_WAIT_INIT;
}

static struct buf *
sk_msg(uint8_t type)
{
	struct buf *b;

	if ((b = buf_new()) == NULL || buf_put_u8(b, type) != 0)
		fatal("out of memory");
	return b;
}

static bool
list_has(const char *list, const char *name)
{
	const char *p = list, *comma;
	size_t len, nlen = strlen(name);

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == nlen && strncmp(p, name, len) == 0)
			return true;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return false;
}

/* The public host key that signs with alg (K_S). */
static const struct buf *
sk_hostkey_blob(const struct str *t, const char *alg)
{
	size_t i;

	for (i = 0; i < t->si->nhostkeys; i++) {
		if (list_has(t->si->hostkeys[i].sig_algs, alg))
			return t->si->hostkeys[i].blob;
	}
	return NULL;
}

void
sk_start(struct str *t)
{
	struct buf *b;

	buf_free(t->i_s);
	/* Every exchange gets a KEXINIT the monitor issued for it. */
	t->i_s = mm_kex_rekey();
	if ((b = buf_from(buf_ptr(t->i_s), buf_len(t->i_s))) == NULL)
		fatal("out of memory");
	str_send(t, b);
	t->our_kexinit_sent = true;
	if (t->kex == SK_IDLE)
		t->kex = SK_WAIT_KEXINIT;
	debug("rekeying: KEXINIT sent (%u re-keys so far)", t->rekeys);
}

void
sk_kexinit(struct str *t, struct buf *payload)
{
	struct kex_proposal *cprop = NULL, *sprop = NULL;
	struct buf *copy;
	int r;

	if (t->kex == SK_WAIT_INIT || t->kex == SK_WAIT_NEWKEYS)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "KEXINIT during key exchange");
	if (!t->our_kexinit_sent)
		sk_start(t);	/* client-initiated */
	buf_free(t->i_c);
	if ((t->i_c = buf_from(buf_ptr(payload), buf_len(payload))) == NULL ||
	    (copy = buf_from(buf_ptr(payload), buf_len(payload))) == NULL)
		fatal("out of memory");
	if ((r = kex_kexinit_parse(copy, &cprop)) != 0) {
		buf_free(copy);
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad KEXINIT: %s", hs_err_str(r));
	}
	buf_free(copy);
	if ((copy = buf_from(buf_ptr(t->i_s), buf_len(t->i_s))) == NULL)
		fatal("out of memory");
	if ((r = kex_kexinit_parse(copy, &sprop)) != 0)
		fatal_r(r, "the monitor's KEXINIT");
	buf_free(copy);
	if ((r = kex_negotiate(cprop, sprop, false, &t->neg)) != 0) {
		logit("Unable to negotiate a re-key with %s port %u: no "
		    "matching algorithms", t->si->peer_addr,
		    t->si->peer_port);
		kex_proposal_free(cprop);
		kex_proposal_free(sprop);
		str_disconnect(t, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "no matching algorithms");
	}
	t->ignore_next_kex_packet = t->neg.ignore_guessed_packet;
	kex_proposal_free(cprop);
	kex_proposal_free(sprop);
	debug("rekey: %s, host key %s, c2s %s, s2c %s", t->neg.kex->name,
	    t->neg.hostkey_alg, t->neg.enc_c2s->name, t->neg.enc_s2c->name);
	t->kex = SK_WAIT_INIT;
}

void
sk_ecdh_init(struct str *t, struct buf *payload)
{
	const struct buf *ks;
	const uint8_t *q_c;
	size_t q_c_len, hlen, want[KEX_KEY_MAX];
	struct buf *q_s = NULL, *k = NULL, *sig = NULL, *reply;
	struct kex_hash_input hi;
	struct cipher_ctx *cipher = NULL;
	struct mac_ctx *mac = NULL;
	uint8_t h[KEX_HASH_MAX];
	int r;

	if (t->kex != SK_WAIT_INIT)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "unexpected KEX_ECDH_INIT");
	if (t->ignore_next_kex_packet) {
		/* RFC 4253 §7: a wrong guess is silently dropped. */
		t->ignore_next_kex_packet = false;
		return;
	}
	if (t->neg.kex->family == KEX_FAMILY_DH)
		r = buf_get_mpint_direct(payload, MPINT_MAX_BYTES, &q_c,
		    &q_c_len);
	else
		r = buf_get_string_direct(payload, 256, &q_c, &q_c_len);
	if (r != 0 || (r = buf_get_end(payload)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad key exchange message: %s", hs_err_str(r));
	if ((q_s = buf_new()) == NULL || (k = buf_new()) == NULL ||
	    (sig = buf_new()) == NULL)
		fatal("out of memory");
	if ((r = kex_server(t->neg.kex, q_c, q_c_len, q_s, k)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "key exchange failed: %s", hs_err_str(r));
	if ((ks = sk_hostkey_blob(t, t->neg.hostkey_alg)) == NULL)
		fatal("no host key for %s", t->neg.hostkey_alg);

	/* The monitor hashes with its own V_S, I_S, K_S and signs. */
	mm_kex_sign(t->i_c, q_c, q_c_len, buf_ptr(q_s), buf_len(q_s), k, sig);

	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)t->si->v_c;
	hi.v_c_len = strlen(t->si->v_c);
	hi.v_s = (const uint8_t *)t->si->v_s;
	hi.v_s_len = strlen(t->si->v_s);
	hi.i_c = buf_ptr(t->i_c);
	hi.i_c_len = buf_len(t->i_c);
	hi.i_s = buf_ptr(t->i_s);
	hi.i_s_len = buf_len(t->i_s);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = q_c;
	hi.q_c_len = q_c_len;
	hi.q_s = buf_ptr(q_s);
	hi.q_s_len = buf_len(q_s);
	hi.k = k;
	hlen = kex_hash_len(t->neg.kex);
	if ((r = kex_hash(t->neg.kex, &hi, h, sizeof(h))) != 0)
		fatal_r(r, "kex_hash");
	kex_key_sizes(&t->neg, want);
	kex_keys_free(t->keys);
	t->keys = NULL;
	if ((r = kex_derive_keys(t->neg.kex, k, h, hlen, t->si->session_id,
	    t->si->session_id_len, want, &t->keys)) != 0)
		fatal_r(r, "kex_derive_keys");
	sodium_memzero(h, sizeof(h));

	reply = sk_msg(SSH2_MSG_KEX_ECDH_REPLY);
	if ((r = buf_put_stringb(reply, ks)) != 0 ||
	    (r = (t->neg.kex->family == KEX_FAMILY_DH ?
	    buf_put_mpint(reply, buf_ptr(q_s), buf_len(q_s)) :
	    buf_put_stringb(reply, q_s))) != 0 ||
	    (r = buf_put_stringb(reply, sig)) != 0)
		fatal_r(r, "KEX reply");
	str_send(t, reply);
	str_send(t, sk_msg(SSH2_MSG_NEWKEYS));
	if ((r = kex_keys_contexts(&t->neg, t->keys, true, false, &cipher,
	    &mac)) != 0 || (r = pkt_set_keys(t->pkt, PKT_OUT, cipher, mac)) != 0)
		fatal_r(r, "outgoing keys");
	t->kex = SK_WAIT_NEWKEYS;
	/* Our side is done: what the channels said meanwhile may go. */
	str_flush_queue(t);
	buf_free(q_s);
	buf_free(k);
	buf_free(sig);
}

void
sk_newkeys(struct str *t, struct buf *payload)
{
	struct cipher_ctx *cipher = NULL;
	struct mac_ctx *mac = NULL;
	int r;

	if (t->kex != SK_WAIT_NEWKEYS)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "unexpected NEWKEYS");
	if ((r = buf_get_end(payload)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR, "bad NEWKEYS");
	if ((r = kex_keys_contexts(&t->neg, t->keys, true, true, &cipher,
	    &mac)) != 0 || (r = pkt_set_keys(t->pkt, PKT_IN, cipher, mac)) != 0)
		fatal_r(r, "incoming keys");
	kex_keys_free(t->keys);
	t->keys = NULL;
	t->kex = SK_IDLE;
	t->our_kexinit_sent = false;
	t->rekeys++;
	sk_set_limits(t);
	debug("rekey %u done", t->rekeys);
}
