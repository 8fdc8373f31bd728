/* SPDX-License-Identifier: ISC */
/*
 * The server's key exchange driver (common/kexdrv.c) against a client
 * written here (curve25519-sha256, chacha20-poly1305) and a fake monitor
 * (its ops: KEXINITs built with common/kex.c, a fixed "signature", and a
 * record of what it was asked to sign).  Runs as a test, unprivileged,
 * over two packet states in memory; what the client sends is trusted
 * test input, what the server sends is checked.
 *
 * Checked: the first exchange (strict KEX, ext-info-c, session id = H,
 * the monitor asked to sign exactly the client's I_C, Q_C and the shared
 * K, no KEXINIT asked of it); encrypted traffic both ways with the keys
 * derived on each side; re-keys started by us and by the client (a fresh
 * KEXINIT from the monitor each, the session id kept, holding while ours
 * is out); a session resumed from a known session id; what may come when
 * (strict KEX, before the first keys, during an exchange); and every
 * refusal with its disconnect reason: KEXINIT during an exchange, out of
 * order messages, a garbage KEXINIT, no common algorithm (with the
 * peer's offer), KEXINIT not first under strict KEX, a bad public value,
 * trailing bytes, a failing monitor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/kexdrv.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "tests/tap.h"

#define V_C	"SSH-2.0-test_client"
#define V_S	"SSH-2.0-hsshd_test"
#define FAKE_SIG	"monitor-signature"

struct fake_mon {
	unsigned int	 kexinits, signs;
	int		 fail;		/* returned by both ops when != 0 */
	struct buf	*last_i_c, *last_q_c, *last_k;
	struct buf	*hostkey;
};

struct h {
	struct pkt_state	*sp, *cp;	/* server's, client's */
	struct kexdrv_ops	 ops;
	struct kexdrv		 d;
	struct fake_mon		 mon;
	/* Client side. */
	const char		*c_kex;		/* its kex list */
	struct buf		*c_i_c, *c_i_s;
	uint8_t			 c_priv[32], c_pub[32];
	struct kex_negotiated	 c_neg;
	struct kex_keys		*c_keys;
	uint8_t			 c_sid[KEX_HASH_MAX];
	size_t			 c_sid_len;
	/* Server side: the last driver call. */
	int			 last_r;
	enum kexdrv_event	 events[8];
	size_t			 nevents;
};

static void
props_fill(const char *props[KEX_PROP_MAX], const char *kex)
{
	props[KEX_PROP_KEX] = kex;
	props[KEX_PROP_HOSTKEY] = "ssh-ed25519";
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] =
	    "chacha20-poly1305@openssh.com";
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] = "hmac-sha2-256";
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";
}

static struct buf *
server_kexinit(void)
{
	const char *props[KEX_PROP_MAX];
	struct buf *b = buf_new();

	props_fill(props, "curve25519-sha256");
	if (b == NULL || kex_kexinit_build(props, true, b) != 0)
		abort();
	return b;
}

/* ---- the fake monitor (struct kexdrv_ops) ------------------------------- */

static int
fm_kexinit(void *rpc, struct buf **ret)
{
	struct fake_mon *m = rpc;

	*ret = NULL;
	m->kexinits++;
	if (m->fail != 0)
		return m->fail;
	*ret = server_kexinit();
	return 0;
}

static int
fm_sign(void *rpc, const struct buf *i_c, const uint8_t *q_c, size_t q_c_len,
    const uint8_t *q_s, size_t q_s_len, const struct buf *k, struct buf *sig)
{
	struct fake_mon *m = rpc;

	(void)q_s;
	(void)q_s_len;
	m->signs++;
	if (m->fail != 0)
		return m->fail;
	buf_free(m->last_i_c);
	buf_free(m->last_q_c);
	buf_free(m->last_k);
	if ((m->last_i_c = buf_from(buf_ptr(i_c), buf_len(i_c))) == NULL ||
	    (m->last_q_c = buf_from(q_c, q_c_len)) == NULL ||
	    (m->last_k = buf_from(buf_ptr(k), buf_len(k))) == NULL)
		abort();
	return buf_put(sig, FAKE_SIG, strlen(FAKE_SIG));
}

static const struct buf *
fm_hostkey(void *ctx, const char *alg)
{
	struct fake_mon *m = ctx;

	return strcmp(alg, "ssh-ed25519") == 0 ? m->hostkey : NULL;
}

/* ---- plumbing ----------------------------------------------------------- */

static void
h_init(struct h *h)
{
	memset(h, 0, sizeof(*h));
	if (pkt_new(&h->sp) != 0 || pkt_new(&h->cp) != 0 ||
	    (h->mon.hostkey = buf_new()) == NULL ||
	    buf_put_cstring(h->mon.hostkey, "ssh-ed25519") != 0 ||
	    buf_put_string(h->mon.hostkey, "0123456789abcdef0123456789abcdef",
	    32) != 0)
		abort();
	h->ops.kexinit = fm_kexinit;
	h->ops.sign = fm_sign;
	h->ops.rpc = &h->mon;
	h->ops.hostkey = fm_hostkey;
	h->ops.ctx = &h->mon;
	h->c_kex = "curve25519-sha256";
	kexdrv_init(&h->d, h->sp, &h->ops, V_S);
	h->d.v_c = V_C;
}

static void
h_free(struct h *h)
{
	kexdrv_clear(&h->d);
	pkt_free(h->sp);
	pkt_free(h->cp);
	buf_free(h->c_i_c);
	buf_free(h->c_i_s);
	kex_keys_free(h->c_keys);
	buf_free(h->mon.last_i_c);
	buf_free(h->mon.last_q_c);
	buf_free(h->mon.last_k);
	buf_free(h->mon.hostkey);
}

/* Move one side's output to the other's input. */
static void
h_move(struct pkt_state *from, struct pkt_state *to)
{
	struct buf *o = pkt_output(from);

	if (buf_len(o) > 0 && pkt_feed(to, buf_ptr(o), buf_len(o)) != 0)
		abort();
	buf_reset(o);
}

/*
 * The server reads what the client sent, as the transports dispatch:
 * every packet checked, key exchange messages to the driver, others
 * dropped.  Stops at the first refusal (last_r).
 */
static void
h_server(struct h *h)
{
	struct buf *p = NULL;
	enum kexdrv_event ev;
	uint8_t type;
	int r;

	h_move(h->cp, h->sp);
	h->last_r = 0;
	while ((r = pkt_read(h->sp, &p)) == 0 && p != NULL) {
		if (buf_peek_u8(p, 0, &type) != 0 ||
		    (type != SSH2_MSG_KEXINIT && buf_consume(p, 1) != 0))
			abort();
		if ((r = kexdrv_check(&h->d, type)) == 0 &&
		    (type == SSH2_MSG_KEXINIT ||
		    type == SSH2_MSG_KEX_ECDH_INIT ||
		    type == SSH2_MSG_NEWKEYS)) {
			r = kexdrv_input(&h->d, type, p, &ev);
			if (r == 0 && ev != KEXDRV_EV_NONE &&
			    h->nevents < sizeof(h->events) / sizeof(h->events[0]))
				h->events[h->nevents++] = ev;
		}
		buf_free(p);
		p = NULL;
		if (r != 0) {
			h->last_r = r;
			return;
		}
	}
	if (r != 0)
		abort();
}

/* The client's next packet from the server (NULL if none). */
static struct buf *
c_read(struct h *h)
{
	struct buf *p = NULL;

	h_move(h->sp, h->cp);
	if (pkt_read(h->cp, &p) != 0)
		return NULL;
	return p;
}

static void
c_send(struct h *h, const struct buf *b)
{
	if (pkt_send_buf(h->cp, b) != 0)
		abort();
}

static void
c_send_type(struct h *h, uint8_t type)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, type) != 0)
		abort();
	c_send(h, b);
	buf_free(b);
}

static void
c_send_kexinit(struct h *h)
{
	const char *props[KEX_PROP_MAX];

	props_fill(props, h->c_kex);
	buf_free(h->c_i_c);
	if ((h->c_i_c = buf_new()) == NULL ||
	    kex_kexinit_build(props, false, h->c_i_c) != 0)
		abort();
	c_send(h, h->c_i_c);
}

static struct kex_proposal *
parse_copy(const struct buf *b)
{
	struct kex_proposal *p = NULL;
	struct buf *t = buf_from(buf_ptr(b), buf_len(b));

	if (t == NULL || kex_kexinit_parse(t, &p) != 0)
		abort();
	buf_free(t);
	return p;
}

/* The server's KEXINIT has come: negotiate, send Q_C. */
static bool
c_on_kexinit(struct h *h, struct buf *payload, bool first)
{
	struct kex_proposal *cp, *sp;
	struct buf *b;
	bool ok;

	buf_free(h->c_i_s);
	if ((h->c_i_s = buf_from(buf_ptr(payload), buf_len(payload))) == NULL)
		abort();
	cp = parse_copy(h->c_i_c);
	sp = parse_copy(h->c_i_s);
	ok = kex_negotiate(cp, sp, first, &h->c_neg) == 0;
	kex_proposal_free(cp);
	kex_proposal_free(sp);
	if (!ok)
		return false;
	if (first && h->c_neg.strict_kex)
		pkt_reset_seqnr_on_newkeys(h->cp, true);
	randombytes_buf(h->c_priv, sizeof(h->c_priv));
	if (crypto_scalarmult_base(h->c_pub, h->c_priv) != 0 ||
	    (b = buf_new()) == NULL ||
	    buf_put_u8(b, SSH2_MSG_KEX_ECDH_INIT) != 0 ||
	    buf_put_string(b, h->c_pub, sizeof(h->c_pub)) != 0)
		abort();
	c_send(h, b);
	buf_free(b);
	return true;
}

/* KEX_ECDH_REPLY (after its type byte): check it, derive, NEWKEYS. */
static bool
c_on_reply(struct h *h, struct buf *b)
{
	const uint8_t *ks, *qs, *sig;
	size_t kslen, qslen, siglen, hl, want[KEX_KEY_MAX];
	struct buf *k = buf_new();
	struct kex_hash_input hi;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;
	uint8_t hash[KEX_HASH_MAX];
	bool ok = false;

	if (k == NULL ||
	    buf_get_string_direct(b, KEY_BLOB_MAX, &ks, &kslen) != 0 ||
	    buf_get_string_direct(b, 64, &qs, &qslen) != 0 ||
	    buf_get_string_direct(b, SIG_MAX, &sig, &siglen) != 0 ||
	    buf_get_end(b) != 0 ||
	    kex_curve25519_shared(h->c_priv, qs, qslen, NULL, k) != 0)
		goto out;
	/* The host key is the monitor's, the signature its answer, and it
	 * was asked about this exchange. */
	if (kslen != buf_len(h->mon.hostkey) ||
	    memcmp(ks, buf_ptr(h->mon.hostkey), kslen) != 0 ||
	    siglen != strlen(FAKE_SIG) || memcmp(sig, FAKE_SIG, siglen) != 0 ||
	    h->mon.last_k == NULL || buf_len(h->mon.last_k) != buf_len(k) ||
	    memcmp(buf_ptr(h->mon.last_k), buf_ptr(k), buf_len(k)) != 0 ||
	    buf_len(h->mon.last_i_c) != buf_len(h->c_i_c) ||
	    memcmp(buf_ptr(h->mon.last_i_c), buf_ptr(h->c_i_c),
	    buf_len(h->c_i_c)) != 0 ||
	    buf_len(h->mon.last_q_c) != sizeof(h->c_pub) ||
	    memcmp(buf_ptr(h->mon.last_q_c), h->c_pub, sizeof(h->c_pub)) != 0)
		goto out;
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)V_C;
	hi.v_c_len = strlen(V_C);
	hi.v_s = (const uint8_t *)V_S;
	hi.v_s_len = strlen(V_S);
	hi.i_c = buf_ptr(h->c_i_c);
	hi.i_c_len = buf_len(h->c_i_c);
	hi.i_s = buf_ptr(h->c_i_s);
	hi.i_s_len = buf_len(h->c_i_s);
	hi.k_s = ks;
	hi.k_s_len = kslen;
	hi.q_c = h->c_pub;
	hi.q_c_len = sizeof(h->c_pub);
	hi.q_s = qs;
	hi.q_s_len = qslen;
	hi.k = k;
	hl = kex_hash_len(h->c_neg.kex);
	if (kex_hash(h->c_neg.kex, &hi, hash, sizeof(hash)) != 0)
		goto out;
	if (h->c_sid_len == 0) {
		memcpy(h->c_sid, hash, hl);
		h->c_sid_len = hl;
	}
	kex_key_sizes(&h->c_neg, want);
	kex_keys_free(h->c_keys);
	h->c_keys = NULL;
	if (kex_derive_keys(h->c_neg.kex, k, hash, hl, h->c_sid, h->c_sid_len,
	    want, &h->c_keys) != 0)
		goto out;
	c_send_type(h, SSH2_MSG_NEWKEYS);
	if (kex_keys_contexts(&h->c_neg, h->c_keys, false, false, &cc,
	    &mc) != 0 || pkt_set_keys(h->cp, PKT_OUT, cc, mc) != 0)
		goto out;
	ok = true;
 out:
	buf_free(k);
	return ok;
}

static bool
c_on_newkeys(struct h *h)
{
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;

	return kex_keys_contexts(&h->c_neg, h->c_keys, false, true, &cc,
	    &mc) == 0 && pkt_set_keys(h->cp, PKT_IN, cc, mc) == 0;
}

/* The client's next packet, of this type (type byte consumed unless it
 * is KEXINIT). */
static struct buf *
c_expect(struct h *h, uint8_t want)
{
	struct buf *p = c_read(h);
	uint8_t type;

	if (p == NULL || buf_peek_u8(p, 0, &type) != 0 || type != want ||
	    (type != SSH2_MSG_KEXINIT && buf_consume(p, 1) != 0)) {
		printf("# client expected message %u\n", want);
		buf_free(p);
		return NULL;
	}
	return p;
}

/*
 * One whole exchange seen from the client: it sends its KEXINIT (which
 * starts the exchange unless the server's is already out), then Q_C and
 * NEWKEYS.  first: the first exchange of the connection.
 */
static bool
c_exchange(struct h *h, bool first)
{
	struct buf *p;
	bool ok;

	h->nevents = 0;
	c_send_kexinit(h);
	h_server(h);
	if (h->last_r != 0)
		return false;
	if ((p = c_expect(h, SSH2_MSG_KEXINIT)) == NULL)
		return false;
	ok = c_on_kexinit(h, p, first);
	buf_free(p);
	if (!ok)
		return false;
	h_server(h);
	if (h->last_r != 0 || (p = c_expect(h, SSH2_MSG_KEX_ECDH_REPLY)) ==
	    NULL)
		return false;
	ok = c_on_reply(h, p);
	buf_free(p);
	if (!ok || (p = c_expect(h, SSH2_MSG_NEWKEYS)) == NULL)
		return false;
	buf_free(p);
	if (!c_on_newkeys(h))
		return false;
	h_server(h);
	return h->last_r == 0 && h->nevents == 2 &&
	    h->events[0] == KEXDRV_EV_NEWKEYS_SENT &&
	    h->events[1] == KEXDRV_EV_DONE && h->d.state == KEXDRV_IDLE;
}

/* Encrypted traffic both ways under the keys in force. */
static bool
h_traffic(struct h *h)
{
	struct buf *b = buf_new(), *p = NULL;
	uint8_t type;
	bool ok;

	if (b == NULL || buf_put_u8(b, SSH2_MSG_IGNORE) != 0 ||
	    buf_put_cstring(b, "server to client") != 0 ||
	    pkt_send_buf(h->sp, b) != 0)
		abort();
	buf_free(b);
	p = c_read(h);
	ok = p != NULL && buf_peek_u8(p, 0, &type) == 0 &&
	    type == SSH2_MSG_IGNORE;
	buf_free(p);
	c_send_type(h, SSH2_MSG_IGNORE);
	h_move(h->cp, h->sp);
	p = NULL;
	ok = ok && pkt_read(h->sp, &p) == 0 && p != NULL &&
	    buf_peek_u8(p, 0, &type) == 0 && type == SSH2_MSG_IGNORE;
	buf_free(p);
	return ok;
}

/* The first exchange begun: the monitor's KEXINIT sent. */
static int
h_begin(struct h *h)
{
	struct buf *i_s = server_kexinit();
	int r;

	r = kexdrv_begin(&h->d, i_s);
	buf_free(i_s);
	return r;
}

/* A connection past its first exchange. */
static bool
h_connected(struct h *h)
{
	h_init(h);
	return h_begin(h) == 0 && c_exchange(h, true);
}

/* ---- the tests ---------------------------------------------------------- */

static void
test_first(void)
{
	struct h h;
	struct buf *i_s = server_kexinit();

	TEST_START("first exchange: strict KEX, session id, monitor asked once");
	h_init(&h);
	ASSERT_INT_EQ(kexdrv_begin(&h.d, i_s), 0);
	ASSERT_INT_EQ(h.d.state, KEXDRV_WAIT_KEXINIT);
	ASSERT_TRUE(kexdrv_is_holding(&h.d));
	ASSERT_TRUE(c_exchange(&h, true));
	ASSERT_TRUE(h.d.first_done);
	ASSERT_TRUE(h.d.neg.strict_kex);
	ASSERT_TRUE(h.d.neg.ext_info_c);
	ASSERT_INT_EQ(h.d.rekeys, 0);
	ASSERT_INT_EQ(h.mon.kexinits, 0);
	ASSERT_INT_EQ(h.mon.signs, 1);
	ASSERT_PTR_NE(h.d.session_id, NULL);
	ASSERT_INT_EQ(buf_len(h.d.session_id), h.c_sid_len);
	ASSERT_MEM_EQ(buf_ptr(h.d.session_id), h.c_sid, h.c_sid_len);
	ASSERT_PTR_EQ(h.d.keys, NULL);
	ASSERT_FALSE(kexdrv_is_holding(&h.d));
	ASSERT_TRUE(h_traffic(&h));
	/* A second begin is refused. */
	ASSERT_INT_EQ(kexdrv_begin(&h.d, i_s), HS_ERR_INVALID_ARGUMENT);
	h_free(&h);
	buf_free(i_s);
	TEST_DONE();
}

static void
test_rekeys(void)
{
	struct h h;
	uint8_t sid[KEX_HASH_MAX];
	size_t sid_len;

	TEST_START("re-keys by us and by the client keep the session id");
	ASSERT_TRUE(h_connected(&h));
	sid_len = h.c_sid_len;
	memcpy(sid, h.c_sid, sid_len);
	/* Ours: a fresh KEXINIT from the monitor; connection messages may
	 * still come while we wait for theirs. */
	ASSERT_INT_EQ(kexdrv_start(&h.d), 0);
	ASSERT_INT_EQ(h.mon.kexinits, 1);
	ASSERT_TRUE(kexdrv_is_holding(&h.d));
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_CHANNEL_DATA), 0);
	ASSERT_INT_EQ(kexdrv_start(&h.d), HS_ERR_INVALID_ARGUMENT);
	ASSERT_TRUE(c_exchange(&h, false));
	ASSERT_INT_EQ(h.d.rekeys, 1);
	ASSERT_TRUE(h_traffic(&h));
	/* Theirs: we answer with a fresh KEXINIT. */
	ASSERT_TRUE(c_exchange(&h, false));
	ASSERT_INT_EQ(h.mon.kexinits, 2);
	ASSERT_INT_EQ(h.mon.signs, 3);
	ASSERT_INT_EQ(h.d.rekeys, 2);
	ASSERT_TRUE(h_traffic(&h));
	ASSERT_INT_EQ(h.c_sid_len, sid_len);
	ASSERT_MEM_EQ(buf_ptr(h.d.session_id), sid, sid_len);
	h_free(&h);
	TEST_DONE();
}

static void
test_resume(void)
{
	struct h h;
	uint8_t sid[32];

	TEST_START("resumed: re-keys derive with the given session id");
	h_init(&h);
	randombytes_buf(sid, sizeof(sid));
	ASSERT_INT_EQ(kexdrv_resume(&h.d, sid, 0), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(kexdrv_resume(&h.d, sid, KEX_HASH_MAX + 1),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(kexdrv_resume(&h.d, sid, sizeof(sid)), 0);
	ASSERT_TRUE(h.d.first_done);
	/* Anything may come before a re-key. */
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_SERVICE_REQUEST), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_CHANNEL_DATA), 0);
	memcpy(h.c_sid, sid, sizeof(sid));
	h.c_sid_len = sizeof(sid);
	ASSERT_TRUE(c_exchange(&h, false));
	ASSERT_INT_EQ(h.d.rekeys, 1);
	ASSERT_FALSE(h.d.neg.strict_kex);	/* markers count once only */
	ASSERT_MEM_EQ(buf_ptr(h.d.session_id), sid, sizeof(sid));
	ASSERT_TRUE(h_traffic(&h));
	h_free(&h);
	TEST_DONE();
}

static void
test_check(void)
{
	struct h h;
	struct buf *p;

	TEST_START("what may come when: before keys, strict, during kex");
	h_init(&h);
	ASSERT_INT_EQ(h_begin(&h), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_IGNORE), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_SERVICE_REQUEST),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_STR_EQ(h.d.errmsg, "message type 5 before key exchange");
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_USERAUTH_REQUEST),
	    HS_ERR_PROTOCOL);
	/* Both KEXINITs in, strict KEX agreed. */
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, 0);
	ASSERT_INT_EQ(h.d.state, KEXDRV_WAIT_INIT);
	ASSERT_TRUE(h.d.neg.strict_kex);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_IGNORE), HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg,
	    "strict KEX violation: unexpected message type 2");
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_KEX_ECDH_INIT), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_NEWKEYS), 0);
	h_free(&h);

	/* During a re-key once the client's KEXINIT is in. */
	ASSERT_TRUE(h_connected(&h));
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, 0);
	ASSERT_INT_EQ(h.d.state, KEXDRV_WAIT_INIT);
	ASSERT_TRUE(kexdrv_is_holding(&h.d));
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_IGNORE), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_DEBUG), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, 49), 0);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_SERVICE_REQUEST),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(kexdrv_check(&h.d, 50), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(kexdrv_check(&h.d, SSH2_MSG_CHANNEL_DATA),
	    HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg, "message type 94 during key exchange");
	/* And a second KEXINIT now is refused. */
	if ((p = c_expect(&h, SSH2_MSG_KEXINIT)) != NULL)
		buf_free(p);
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg, "KEXINIT during key exchange");
	h_free(&h);
	TEST_DONE();
}

/* Both KEXINITs in, then a KEX_ECDH_INIT with len bytes of Q_C and
 * perhaps a byte after it. */
static void
bad_q_c(struct h *h, size_t len, bool trailing)
{
	uint8_t q[64];
	struct buf *b;

	memset(q, 9, sizeof(q));
	h_init(h);
	if (h_begin(h) != 0)
		abort();
	c_send_kexinit(h);
	h_server(h);
	if ((b = buf_new()) == NULL ||
	    buf_put_u8(b, SSH2_MSG_KEX_ECDH_INIT) != 0 ||
	    buf_put_string(b, q, len) != 0 ||
	    (trailing && buf_put_u8(b, 0) != 0))
		abort();
	c_send(h, b);
	buf_free(b);
	h_server(h);
}

static void
test_refusals(void)
{
	struct h h;
	struct buf *b;
	uint8_t junk[40];

	TEST_START("refusals carry their disconnect reason");
	/* NEWKEYS and ECDH_INIT out of turn. */
	ASSERT_TRUE(h_connected(&h));
	c_send_type(&h, SSH2_MSG_NEWKEYS);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg, "unexpected NEWKEYS");
	c_send_type(&h, SSH2_MSG_KEX_ECDH_INIT);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg, "unexpected KEX_ECDH_INIT");
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	h_free(&h);

	/* A garbage KEXINIT. */
	h_init(&h);
	ASSERT_INT_EQ(h_begin(&h), 0);
	memset(junk, 'x', sizeof(junk));
	junk[0] = SSH2_MSG_KEXINIT;
	if ((b = buf_from(junk, sizeof(junk))) == NULL)
		abort();
	c_send(&h, b);
	buf_free(b);
	h_server(&h);
	ASSERT_INT_NE(h.last_r, 0);
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_INT_EQ(strncmp(h.d.errmsg, "bad KEXINIT: ", 13), 0);
	h_free(&h);

	/* No kex algorithm in common: the peer's offer is kept. */
	h_init(&h);
	ASSERT_INT_EQ(h_begin(&h), 0);
	h.c_kex = "diffie-hellman-group1-sha1";
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, HS_ERR_NO_MATCH);
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED);
	ASSERT_STR_EQ(h.d.errmsg, "no matching algorithms");
	ASSERT_PTR_NE(strstr(h.d.offer, "kex diffie-hellman-group1-sha1"),
	    NULL);
	ASSERT_PTR_NE(strstr(h.d.offer, "hostkey ssh-ed25519"), NULL);
	h_free(&h);

	/* Strict KEX: the client's KEXINIT must be its first packet. */
	h_init(&h);
	ASSERT_INT_EQ(h_begin(&h), 0);
	c_send_type(&h, SSH2_MSG_IGNORE);
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, HS_ERR_PROTOCOL);
	ASSERT_STR_EQ(h.d.errmsg,
	    "strict KEX: KEXINIT was not the first packet");
	h_free(&h);

	/* A public value of the wrong length, then trailing bytes. */
	bad_q_c(&h, 31, false);
	ASSERT_INT_NE(h.last_r, 0);
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED);
	ASSERT_INT_EQ(h.mon.signs, 0);
	h_free(&h);
	bad_q_c(&h, 32, true);
	ASSERT_INT_EQ(h.last_r, HS_ERR_TRAILING_DATA);
	ASSERT_INT_EQ(h.d.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	h_free(&h);
	TEST_DONE();
}

static void
test_monitor_fails(void)
{
	struct h h;

	TEST_START("a failing monitor is an internal error (reason 0)");
	ASSERT_TRUE(h_connected(&h));
	h.mon.fail = HS_ERR_PROTOCOL;
	ASSERT_INT_EQ(kexdrv_start(&h.d), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(h.d.reason, 0);
	h_free(&h);

	h_init(&h);
	ASSERT_INT_EQ(h_begin(&h), 0);
	h.mon.fail = HS_ERR_EOF;
	c_send_kexinit(&h);
	h_server(&h);
	ASSERT_INT_EQ(h.last_r, 0);
	ASSERT_INT_EQ(h.d.state, KEXDRV_WAIT_INIT);
	{
		struct buf *p = c_expect(&h, SSH2_MSG_KEXINIT);

		ASSERT_PTR_NE(p, NULL);
		if (p != NULL && c_on_kexinit(&h, p, true))
			h_server(&h);
		buf_free(p);
	}
	ASSERT_INT_EQ(h.last_r, HS_ERR_EOF);
	ASSERT_INT_EQ(h.d.reason, 0);
	ASSERT_INT_EQ(h.mon.signs, 1);
	h_free(&h);
	TEST_DONE();
}

static void
test_list_has(void)
{
	TEST_START("kexdrv_list_has: whole names only");
	ASSERT_TRUE(kexdrv_list_has("rsa-sha2-512,rsa-sha2-256",
	    "rsa-sha2-256"));
	ASSERT_TRUE(kexdrv_list_has("ssh-ed25519", "ssh-ed25519"));
	ASSERT_FALSE(kexdrv_list_has("rsa-sha2-512", "rsa-sha2-51"));
	ASSERT_FALSE(kexdrv_list_has("rsa-sha2-512,", "rsa"));
	ASSERT_FALSE(kexdrv_list_has("", "ssh-ed25519"));
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_first();
	test_rekeys();
	test_resume();
	test_check();
	test_refusals();
	test_monitor_fails();
	test_list_has();
	return tap_finish();
}
