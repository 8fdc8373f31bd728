/* SPDX-License-Identifier: ISC */
/*
 * The server's side of one key exchange at a time, run by hsshd-preauth
 * (sandboxed, before authentication) and hsshd-session (the logged-in
 * user, after it).  The peer's KEXINIT, public value and NEWKEYS are
 * attacker-controlled: parsed by common/kex.c and struct buf, with every
 * violation an HS_ERR_* and a disconnect reason for the caller.  Our
 * KEXINIT and the host key signature come from the monitor through the
 * caller's ops (the monitor hashes with its own V_S, I_S and K_S); the
 * keys derived here go to the packet layer and are wiped once installed.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/kexdrv.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/ssh2.h"

/* The largest ECDH public value we take (a P-521 point is 133 bytes). */
#define KEXDRV_ECDH_PUB_MAX	256

/* Record why the call fails; returns r. */
static int __attribute__((format(printf, 4, 5)))
kexdrv_fail(struct kexdrv *d, int r, uint32_t reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
	d->reason = reason;
	return r;
}

static bool
is_kex_type(uint8_t type)
{
	return type == SSH2_MSG_KEXINIT || type == SSH2_MSG_KEX_ECDH_INIT ||
	    type == SSH2_MSG_NEWKEYS;
}

bool
kexdrv_list_has(const char *list, const char *name)
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

void
kexdrv_init(struct kexdrv *d, struct pkt_state *pkt,
    const struct kexdrv_ops *ops, const char *v_s)
{
	memset(d, 0, sizeof(*d));
	d->pkt = pkt;
	d->ops = ops;
	d->v_s = v_s;
	d->state = KEXDRV_IDLE;
}

void
kexdrv_clear(struct kexdrv *d)
{
	kex_keys_free(d->keys);
	d->keys = NULL;
	buf_free(d->i_s);
	d->i_s = NULL;
	buf_free(d->i_c);
	d->i_c = NULL;
	buf_free(d->session_id);
	d->session_id = NULL;
}

/* Send and free msg (a transport message: never held back). */
static int
kexdrv_send(struct kexdrv *d, struct buf *msg)
{
	int r;

	r = pkt_send_buf(d->pkt, msg);
	buf_free(msg);
	if (r != 0)
		return kexdrv_fail(d, r, SSH2_DISCONNECT_BY_APPLICATION,
		    "cannot send: %s", hs_err_str(r));
	return 0;
}

/* Send a copy of our KEXINIT; after the first exchange, a fresh one the
 * monitor issued for this exchange. */
static int
kexdrv_send_kexinit(struct kexdrv *d)
{
	struct buf *b = NULL;
	int r;

	if (d->first_done) {
		buf_free(d->i_s);
		d->i_s = NULL;
		if ((r = d->ops->kexinit(d->ops->rpc, &d->i_s)) != 0)
			return kexdrv_fail(d, r, 0, "monitor KEXINIT: %s",
			    hs_err_str(r));
	}
	if (d->i_s == NULL)
		return kexdrv_fail(d, HS_ERR_INTERNAL, 0, "no KEXINIT");
	if ((b = buf_from(buf_ptr(d->i_s), buf_len(d->i_s))) == NULL)
		return kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
	if ((r = kexdrv_send(d, b)) != 0)
		return r;
	d->our_kexinit_sent = true;
	if (d->state == KEXDRV_IDLE)
		d->state = KEXDRV_WAIT_KEXINIT;
	if (d->first_done)
		debug("rekeying: KEXINIT sent (%u re-keys so far)",
		    d->rekeys);
	return 0;
}

int
kexdrv_begin(struct kexdrv *d, const struct buf *i_s)
{
	if (d->first_done || d->state != KEXDRV_IDLE)
		return kexdrv_fail(d, HS_ERR_INVALID_ARGUMENT, 0,
		    "key exchange already begun");
	buf_free(d->i_s);
	if ((d->i_s = buf_from(buf_ptr(i_s), buf_len(i_s))) == NULL)
		return kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
	return kexdrv_send_kexinit(d);
}

int
kexdrv_resume(struct kexdrv *d, const uint8_t *session_id, size_t len)
{
	if (len == 0 || len > KEX_HASH_MAX)
		return kexdrv_fail(d, HS_ERR_INVALID_ARGUMENT, 0,
		    "bad session id");
	buf_free(d->session_id);
	if ((d->session_id = buf_from(session_id, len)) == NULL)
		return kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
	d->first_done = true;
	return 0;
}

int
kexdrv_start(struct kexdrv *d)
{
	if (!d->first_done || d->state != KEXDRV_IDLE)
		return kexdrv_fail(d, HS_ERR_INVALID_ARGUMENT, 0,
		    "cannot start a re-key now");
	return kexdrv_send_kexinit(d);
}

bool
kexdrv_is_holding(const struct kexdrv *d)
{
	return d->state == KEXDRV_WAIT_KEXINIT ||
	    d->state == KEXDRV_WAIT_INIT;
}

int
kexdrv_check(struct kexdrv *d, uint8_t type)
{
	/* Strict KEX: nothing but key exchange until the first NEWKEYS. */
	if (!d->first_done && d->neg.strict_kex && !is_kex_type(type))
		return kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "strict KEX violation: unexpected message type %u", type);
	/* Before the first keys, only transport messages. */
	if (!d->first_done && type >= SSH2_MSG_SERVICE_REQUEST &&
	    !is_kex_type(type))
		return kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "message type %u before key exchange", type);
	/* Once the peer's KEXINIT is in, only generic transport messages
	 * and key exchange ones until its NEWKEYS (RFC 4253 §7.1). */
	if ((d->state == KEXDRV_WAIT_INIT ||
	    d->state == KEXDRV_WAIT_NEWKEYS) && type > SSH2_MSG_DEBUG &&
	    (type < SSH2_MSG_KEXINIT || type > 49))
		return kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "message type %u during key exchange", type);
	return 0;
}

/* The peer's KEXINIT (payload with its type byte). */
static int
kexdrv_kexinit(struct kexdrv *d, struct buf *payload)
{
	struct kex_proposal *cprop = NULL, *sprop = NULL;
	struct buf *copy = NULL;
	bool first = !d->first_done;
	struct pkt_counters c;
	int r;

	if (d->state == KEXDRV_WAIT_INIT || d->state == KEXDRV_WAIT_NEWKEYS) {
		r = kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "KEXINIT during key exchange");
		goto out;
	}
	buf_free(d->i_c);
	if ((d->i_c = buf_from(buf_ptr(payload), buf_len(payload))) == NULL ||
	    (copy = buf_from(buf_ptr(payload), buf_len(payload))) == NULL) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	if ((r = kex_kexinit_parse(copy, &cprop)) != 0) {
		r = kexdrv_fail(d, r, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad KEXINIT: %s", hs_err_str(r));
		goto out;
	}
	buf_free(copy);
	copy = NULL;
	/* The peer started a re-key: ours goes out now. */
	if (!d->our_kexinit_sent && (r = kexdrv_send_kexinit(d)) != 0)
		goto out;
	/* Negotiate against the KEXINIT we sent for this exchange. */
	if ((copy = buf_from(buf_ptr(d->i_s), buf_len(d->i_s))) == NULL) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	if ((r = kex_kexinit_parse(copy, &sprop)) != 0) {
		r = kexdrv_fail(d, r, 0, "the monitor's KEXINIT: %s",
		    hs_err_str(r));
		goto out;
	}
	if ((r = kex_negotiate(cprop, sprop, first, &d->neg)) != 0) {
		snprintf(d->offer, sizeof(d->offer),
		    "kex %s, hostkey %s, cipher %s",
		    cprop->names[KEX_PROP_KEX], cprop->names[KEX_PROP_HOSTKEY],
		    cprop->names[KEX_PROP_ENC_C2S]);
		r = kexdrv_fail(d, HS_ERR_NO_MATCH,
		    SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "no matching algorithms");
		goto out;
	}
	d->ignore_next = d->neg.ignore_guessed_packet;
	if (first && d->neg.strict_kex) {
		/* Strict KEX: KEXINIT must have been the first packet. */
		pkt_get_counters(d->pkt, PKT_IN, &c);
		if (c.total_packets != 1) {
			r = kexdrv_fail(d, HS_ERR_PROTOCOL,
			    SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "strict KEX: KEXINIT was not the first packet");
			goto out;
		}
		pkt_reset_seqnr_on_newkeys(d->pkt, true);
	}
	if (first) {
		debug("kex: algorithm: %s", d->neg.kex->name);
		debug("kex: host key algorithm: %s", d->neg.hostkey_alg);
		debug("kex: client->server cipher: %s", d->neg.enc_c2s->name);
		debug("kex: server->client cipher: %s", d->neg.enc_s2c->name);
	} else
		debug("rekey: %s, host key %s, c2s %s, s2c %s",
		    d->neg.kex->name, d->neg.hostkey_alg,
		    d->neg.enc_c2s->name, d->neg.enc_s2c->name);
	d->state = KEXDRV_WAIT_INIT;
	r = 0;
 out:
	buf_free(copy);
	kex_proposal_free(cprop);
	kex_proposal_free(sprop);
	return r;
}

/* Install one direction's new keys in the packet layer. */
static int
kexdrv_set_keys(struct kexdrv *d, bool incoming)
{
	struct cipher_ctx *cipher = NULL;
	struct mac_ctx *mac = NULL;
	int r;

	if ((r = kex_keys_contexts(&d->neg, d->keys, true, incoming, &cipher,
	    &mac)) != 0)
		return kexdrv_fail(d, r, 0, "%s keys: %s",
		    incoming ? "incoming" : "outgoing", hs_err_str(r));
	if ((r = pkt_set_keys(d->pkt, incoming ? PKT_IN : PKT_OUT, cipher,
	    mac)) != 0) {
		cipher_free(cipher);
		mac_free(mac);
		return kexdrv_fail(d, r, 0, "%s keys: %s",
		    incoming ? "incoming" : "outgoing", hs_err_str(r));
	}
	return 0;
}

/* KEX_ECDH_INIT / KEXDH_INIT: Q_C in, our reply and NEWKEYS out. */
static int
kexdrv_ecdh_init(struct kexdrv *d, struct buf *payload,
    enum kexdrv_event *ev)
{
	const struct buf *ks;
	const uint8_t *q_c;
	size_t q_c_len, hlen, want[KEX_KEY_MAX];
	struct buf *q_s = NULL, *k = NULL, *sig = NULL, *reply = NULL;
	struct kex_hash_input hi;
	uint8_t h[KEX_HASH_MAX];
	int r;

	if (d->state != KEXDRV_WAIT_INIT)
		return kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "unexpected KEX_ECDH_INIT");
	if (d->ignore_next) {
		/* RFC 4253 §7: a wrong guess is silently dropped. */
		d->ignore_next = false;
		return 0;
	}
	if (d->neg.kex->family == KEX_FAMILY_DH)
		r = buf_get_mpint_direct(payload, MPINT_MAX_BYTES, &q_c,
		    &q_c_len);
	else
		r = buf_get_string_direct(payload, KEXDRV_ECDH_PUB_MAX, &q_c,
		    &q_c_len);
	if (r != 0 || (r = buf_get_end(payload)) != 0)
		return kexdrv_fail(d, r, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad key exchange message: %s", hs_err_str(r));
	if ((q_s = buf_new()) == NULL || (k = buf_new()) == NULL ||
	    (sig = buf_new()) == NULL) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	if ((r = kex_server(d->neg.kex, q_c, q_c_len, q_s, k)) != 0) {
		r = kexdrv_fail(d, r, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "key exchange failed: %s", hs_err_str(r));
		goto out;
	}
	if ((ks = d->ops->hostkey(d->ops->ctx, d->neg.hostkey_alg)) == NULL) {
		r = kexdrv_fail(d, HS_ERR_NOT_FOUND, 0, "no host key for %s",
		    d->neg.hostkey_alg);
		goto out;
	}

	/* The monitor hashes with its own V_S, I_S, K_S and signs. */
	if ((r = d->ops->sign(d->ops->rpc, d->i_c, q_c, q_c_len, buf_ptr(q_s),
	    buf_len(q_s), k, sig)) != 0) {
		r = kexdrv_fail(d, r, 0, "monitor KEX_SIGN: %s",
		    hs_err_str(r));
		goto out;
	}

	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)d->v_c;
	hi.v_c_len = strlen(d->v_c);
	hi.v_s = (const uint8_t *)d->v_s;
	hi.v_s_len = strlen(d->v_s);
	hi.i_c = buf_ptr(d->i_c);
	hi.i_c_len = buf_len(d->i_c);
	hi.i_s = buf_ptr(d->i_s);
	hi.i_s_len = buf_len(d->i_s);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = q_c;
	hi.q_c_len = q_c_len;
	hi.q_s = buf_ptr(q_s);
	hi.q_s_len = buf_len(q_s);
	hi.k = k;
	hlen = kex_hash_len(d->neg.kex);
	if ((r = kex_hash(d->neg.kex, &hi, h, sizeof(h))) != 0) {
		r = kexdrv_fail(d, r, 0, "kex_hash: %s", hs_err_str(r));
		goto out;
	}
	/* The first exchange's H names the session for good. */
	if (d->session_id == NULL &&
	    (d->session_id = buf_from(h, hlen)) == NULL) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	kex_key_sizes(&d->neg, want);
	kex_keys_free(d->keys);
	d->keys = NULL;
	if ((r = kex_derive_keys(d->neg.kex, k, h, hlen,
	    buf_ptr(d->session_id), buf_len(d->session_id), want,
	    &d->keys)) != 0) {
		r = kexdrv_fail(d, r, 0, "kex_derive_keys: %s",
		    hs_err_str(r));
		goto out;
	}

	if ((reply = buf_new()) == NULL) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	if ((r = buf_put_u8(reply, SSH2_MSG_KEX_ECDH_REPLY)) != 0 ||
	    (r = buf_put_stringb(reply, ks)) != 0 ||
	    (r = (d->neg.kex->family == KEX_FAMILY_DH ?
	    buf_put_mpint(reply, buf_ptr(q_s), buf_len(q_s)) :
	    buf_put_stringb(reply, q_s))) != 0 ||
	    (r = buf_put_stringb(reply, sig)) != 0) {
		r = kexdrv_fail(d, r, 0, "KEX reply: %s", hs_err_str(r));
		goto out;
	}
	r = kexdrv_send(d, reply);
	reply = NULL;
	if (r != 0)
		goto out;
	if ((reply = buf_new()) == NULL ||
	    buf_put_u8(reply, SSH2_MSG_NEWKEYS) != 0) {
		r = kexdrv_fail(d, HS_ERR_ALLOC, 0, "out of memory");
		goto out;
	}
	r = kexdrv_send(d, reply);
	reply = NULL;
	if (r != 0 || (r = kexdrv_set_keys(d, false)) != 0)
		goto out;
	d->state = KEXDRV_WAIT_NEWKEYS;
	*ev = KEXDRV_EV_NEWKEYS_SENT;
	r = 0;
 out:
	sodium_memzero(h, sizeof(h));
	buf_free(reply);
	buf_free(q_s);
	buf_free(k);	/* K: wiped on free */
	buf_free(sig);
	return r;
}

/* The peer's NEWKEYS: its new keys are in force from the next packet. */
static int
kexdrv_newkeys(struct kexdrv *d, struct buf *payload, enum kexdrv_event *ev)
{
	bool first = !d->first_done;
	int r;

	if (d->state != KEXDRV_WAIT_NEWKEYS)
		return kexdrv_fail(d, HS_ERR_PROTOCOL,
		    SSH2_DISCONNECT_PROTOCOL_ERROR, "unexpected NEWKEYS");
	if ((r = buf_get_end(payload)) != 0)
		return kexdrv_fail(d, r, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad NEWKEYS");
	if ((r = kexdrv_set_keys(d, true)) != 0)
		return r;
	kex_keys_free(d->keys);
	d->keys = NULL;
	d->state = KEXDRV_IDLE;
	d->our_kexinit_sent = false;
	d->first_done = true;
	if (first && d->neg.strict_kex)
		debug("kex: strict key exchange (kex-strict-s-v00@openssh.com)");
	if (!first) {
		d->rekeys++;
		debug("rekey %u done", d->rekeys);
	}
	*ev = KEXDRV_EV_DONE;
	return 0;
}

int
kexdrv_input(struct kexdrv *d, uint8_t type, struct buf *payload,
    enum kexdrv_event *ret_event)
{
	enum kexdrv_event ev = KEXDRV_EV_NONE;
	int r;

	*ret_event = KEXDRV_EV_NONE;
	d->reason = 0;
	d->errmsg[0] = '\0';
	switch (type) {
	case SSH2_MSG_KEXINIT:
		r = kexdrv_kexinit(d, payload);
		break;
	case SSH2_MSG_KEX_ECDH_INIT:
		r = kexdrv_ecdh_init(d, payload, &ev);
		break;
	case SSH2_MSG_NEWKEYS:
		r = kexdrv_newkeys(d, payload, &ev);
		break;
	default:
		r = kexdrv_fail(d, HS_ERR_INVALID_ARGUMENT, 0,
		    "not a key exchange message: %u", type);
		break;
	}
	if (r == 0)
		*ret_event = ev;
	return r;
}
