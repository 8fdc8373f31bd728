/* SPDX-License-Identifier: ISC */
/*
 * Tests of the binary packet layer (common/pkt.c) and the identification
 * line parser (common/banner.c): round trips for every cipher/MAC pair and
 * the plaintext phase, byte-at-a-time input, sequence numbers (wrap,
 * strict KEX reset), every malformed packet shape, and the hand-over
 * export/import.  Malformed packets are built by an encoder written here
 * independently of pkt_send (it also checks that pkt_read accepts what a
 * second implementation of RFC 4253 §6 produces).
 */
#include "config.h"

#include <sodium.h>

#include "common/banner.h"
#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "tests/tap.h"

struct combo {
	const char	*cipher;	/* NULL: plaintext phase */
	const char	*mac;
};

static const struct combo combos[] = {
	{ NULL, NULL },
	{ "chacha20-poly1305@openssh.com", NULL },
	{ "aes256-gcm@openssh.com", NULL },
#ifdef HAVE_OPENSSL
	{ "aes128-gcm@openssh.com", NULL },
	{ "aes128-ctr", "hmac-sha2-256" },
	{ "aes128-ctr", "hmac-sha2-512" },
	{ "aes192-ctr", "hmac-sha2-256-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-512-etm@openssh.com" },
	{ "aes256-ctr", "hmac-sha2-256" },
	{ "aes128-ctr", "hmac-sha2-512-etm@openssh.com" },
#endif
};
#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

/* Key material of one direction, derived from a seed. */
struct keymat {
	const struct cipher	*c;
	const struct mac	*m;
	uint8_t			 key[64], iv[16], mackey[64];
};

static void
keymat_init(struct keymat *km, const struct combo *co, uint8_t seed)
{
	size_t i;

	memset(km, 0, sizeof(*km));
	km->c = co->cipher ? cipher_by_name(co->cipher) : NULL;
	km->m = co->mac ? mac_by_name(co->mac) : NULL;
	for (i = 0; i < 64; i++) {
		km->key[i] = (uint8_t)(seed + i);
		km->mackey[i] = (uint8_t)(seed * 3 + i);
	}
	for (i = 0; i < 16; i++)
		km->iv[i] = (uint8_t)(seed ^ (0xf0 + i));
}

static void
keymat_ctx(const struct keymat *km, bool encrypt, struct cipher_ctx **c,
    struct mac_ctx **m)
{
	*c = NULL;
	*m = NULL;
	if (km->c == NULL)
		return;
	if (cipher_init(c, km->c, km->key, km->c->key_len, km->iv,
	    km->c->iv_len, encrypt) != 0)
		abort();
	if (km->m != NULL && mac_init(m, km->m, km->mackey,
	    km->m->key_len) != 0)
		abort();
}

/* Install km on tx (out) and rx (in); plaintext combos install nothing. */
static void
keys_install(struct pkt_state *tx, struct pkt_state *rx,
    const struct keymat *km)
{
	struct cipher_ctx *c;
	struct mac_ctx *m;

	if (km->c == NULL)
		return;
	keymat_ctx(km, true, &c, &m);
	if (pkt_set_keys(tx, PKT_OUT, c, m) != 0)
		abort();
	keymat_ctx(km, false, &c, &m);
	if (pkt_set_keys(rx, PKT_IN, c, m) != 0)
		abort();
}

/* ---- an independent encoder ------------------------------------------ */

struct enc {
	struct cipher_ctx	*c;
	struct mac_ctx		*m;
	uint32_t		 seq;
};

static void
enc_init(struct enc *e, const struct keymat *km)
{
	memset(e, 0, sizeof(*e));
	keymat_ctx(km, true, &e->c, &e->m);
}

static void
enc_free(struct enc *e)
{
	cipher_free(e->c);
	mac_free(e->m);
}

/* Block size for alignment, as RFC 4253 §6 defines it. */
static size_t
enc_bs(const struct enc *e)
{
	size_t bs = e->c ? cipher_ctx_cipher(e->c)->block_size : 8;

	return bs < 8 ? 8 : bs;
}

static bool
enc_len_apart(const struct enc *e)
{
	return (e->c && cipher_ctx_cipher(e->c)->is_aead) ||
	    (e->m && mac_ctx_mac(e->m)->etm);
}

/*
 * Encrypt the plaintext packet p (uint32 length, padding length, payload,
 * padding: plen bytes, whatever they say) and append it to wire.
 */
static void
enc_raw(struct enc *e, const uint8_t *p, size_t plen, struct buf *wire)
{
	size_t tag = e->c ? cipher_ctx_cipher(e->c)->tag_len : 0;
	size_t mlen = e->m ? mac_ctx_mac(e->m)->tag_len : 0;
	uint8_t *o;

	if (buf_reserve(wire, plen + tag + mlen, &o) != 0)
		abort();
	if (e->c == NULL)
		memcpy(o, p, plen);
	else if (tag > 0) {
		if (cipher_crypt(e->c, e->seq, o, p, plen - 4, 4, tag) != 0)
			abort();
	} else if (mac_ctx_mac(e->m)->etm) {
		if (cipher_crypt(e->c, e->seq, o, p, plen - 4, 4, 0) != 0 ||
		    mac_compute(e->m, e->seq, o, plen, o + plen, mlen) != 0)
			abort();
	} else {
		if (mac_compute(e->m, e->seq, p, plen, o + plen, mlen) != 0 ||
		    cipher_crypt(e->c, e->seq, o, p, plen, 0, 0) != 0)
			abort();
	}
	e->seq++;
}

/* A well-formed packet around payload with padlen bytes of padding
 * (0: the minimum); returns the plaintext length written to p. */
static size_t
enc_build(const struct enc *e, const uint8_t *payload, size_t len,
    size_t padlen, uint8_t *p)
{
	size_t bs = enc_bs(e), un, packlen;

	un = (enc_len_apart(e) ? 0 : 4) + 1 + len;
	if (padlen == 0) {
		padlen = bs - un % bs;
		if (padlen < 4)
			padlen += bs;
	}
	packlen = 1 + len + padlen;
	p[0] = (uint8_t)(packlen >> 24);
	p[1] = (uint8_t)(packlen >> 16);
	p[2] = (uint8_t)(packlen >> 8);
	p[3] = (uint8_t)packlen;
	p[4] = (uint8_t)padlen;
	memcpy(p + 5, payload, len);
	memset(p + 5 + len, 0xee, padlen);
	return 4 + packlen;
}

/* ---- helpers ------------------------------------------------------------ */

static char *
combo_name(const struct combo *co, const char *what)
{
	static char name[256];

	snprintf(name, sizeof(name), "%s: %s%s%s", what,
	    co->cipher ? co->cipher : "plaintext", co->mac ? " + " : "",
	    co->mac ? co->mac : "");
	return name;
}

static bool
combo_available(const struct combo *co)
{
	return co->cipher == NULL ||
	    cipher_is_available(cipher_by_name(co->cipher));
}

/* Move everything tx has queued into rx. */
static int
transfer(struct pkt_state *tx, struct pkt_state *rx)
{
	struct buf *o = pkt_output(tx);
	int r;

	r = pkt_feed(rx, buf_ptr(o), buf_len(o));
	if (r == 0)
		buf_reset(o);
	return r;
}

static const size_t sizes[] = { 1, 2, 7, 8, 11, 15, 16, 17, 31, 100, 1000,
    4096, 35000, PKT_MAX_PACKET - 300 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* ---- round trips -------------------------------------------------------- */

static void
test_roundtrip(const struct combo *co)
{
	struct pkt_state *tx = NULL, *rx = NULL;
	struct keymat km;
	struct buf *pl = NULL;
	struct pkt_counters ct, cr;
	uint8_t *payload;
	size_t i, wire, bs, tag, mlen, body, total = 0;
	bool apart;

	TEST_START(combo_name(co, "round trip, every size"));
	payload = malloc(PKT_MAX_PACKET);
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	keymat_init(&km, co, 0x10);
	keys_install(tx, rx, &km);
	ASSERT_INT_EQ(pkt_is_keyed(tx, PKT_OUT), co->cipher != NULL);
	bs = km.c ? (km.c->block_size < 8 ? 8 : km.c->block_size) : 8;
	tag = km.c ? km.c->tag_len : 0;
	mlen = km.m ? km.m->tag_len : 0;
	apart = (km.c && km.c->is_aead) || (km.m && km.m->etm);
	for (i = 0; i < NSIZES; i++) {
		randombytes_buf(payload, sizes[i]);
		payload[0] = (uint8_t)(50 + i);
		ASSERT_INT_EQ(pkt_send(tx, payload, sizes[i]), 0);
		wire = buf_len(pkt_output(tx));
		total += wire;
		/* Alignment and padding bounds as seen on the wire. */
		body = wire - tag - mlen;
		ASSERT_INT_EQ((body - (apart ? 4 : 0)) % bs, 0);
		ASSERT_TRUE(body >= 4 + 1 + sizes[i] + 4);
		ASSERT_TRUE(body <= 4 + 1 + sizes[i] + 255);
		if (co->cipher == NULL)
			ASSERT_INT_EQ(buf_ptr(pkt_output(tx))[4],
			    body - 5 - sizes[i]);
		ASSERT_INT_EQ(transfer(tx, rx), 0);
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		ASSERT_PTR_NE(pl, NULL);
		if (pl != NULL) {
			ASSERT_INT_EQ(buf_len(pl), sizes[i]);
			ASSERT_MEM_EQ(buf_ptr(pl), payload, sizes[i]);
		}
		buf_free(pl);
		pl = NULL;
		/* Nothing more. */
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		ASSERT_PTR_EQ(pl, NULL);
	}
	pkt_get_counters(tx, PKT_OUT, &ct);
	pkt_get_counters(rx, PKT_IN, &cr);
	ASSERT_U64_EQ(ct.seqnr, NSIZES);
	ASSERT_U64_EQ(ct.packets, NSIZES);
	ASSERT_U64_EQ(ct.total_packets, NSIZES);
	ASSERT_U64_EQ(ct.bytes, total);
	ASSERT_U64_EQ(ct.total_bytes, total);
	ASSERT_TRUE(memcmp(&ct, &cr, sizeof(ct)) == 0);
	/* Too large, empty. */
	ASSERT_INT_EQ(pkt_send(tx, payload, PKT_MAX_PACKET), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(pkt_send(tx, payload, 0), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(buf_len(pkt_output(tx)), 0);
	TEST_DONE();

	TEST_START(combo_name(co, "many packets fed one byte at a time"));
	for (i = 0; i < 5; i++) {
		memset(payload, (int)i + 1, 40 + i);
		ASSERT_INT_EQ(pkt_send(tx, payload, 40 + i), 0);
	}
	{
		const uint8_t *w = buf_ptr(pkt_output(tx));
		size_t n = buf_len(pkt_output(tx)), got = 0, j;

		for (j = 0; j < n; j++) {
			ASSERT_INT_EQ(pkt_feed(rx, w + j, 1), 0);
			ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
			if (pl != NULL) {
				ASSERT_INT_EQ(buf_len(pl), 40 + got);
				ASSERT_INT_EQ(buf_ptr(pl)[0], got + 1);
				buf_free(pl);
				pl = NULL;
				got++;
			}
		}
		ASSERT_INT_EQ(got, 5);
		buf_reset(pkt_output(tx));
	}
	TEST_DONE();

	TEST_START(combo_name(co, "independent encoder decodes, padding 4..255"));
	{
		struct enc e;
		struct buf *w = buf_new();
		uint8_t p[600];
		size_t n, pad;

		pkt_free(rx);
		ASSERT_INT_EQ(pkt_new(&rx), 0);
		keymat_init(&km, co, 0x20);
		if (km.c != NULL) {
			struct cipher_ctx *c;
			struct mac_ctx *m;

			keymat_ctx(&km, false, &c, &m);
			ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, m), 0);
		}
		enc_init(&e, &km);
		for (pad = 4; pad <= 255; pad++) {
			memset(p, 0, sizeof(p));
			/* Pick a payload length that aligns with pad. */
			n = 20;
			while ((( enc_len_apart(&e) ? 0 : 4) + 1 + n + pad) %
			    enc_bs(&e) != 0)
				n++;
			memset(payload, 0x5e, n);
			n = enc_build(&e, payload, n, pad, p);
			enc_raw(&e, p, n, w);
		}
		ASSERT_INT_EQ(pkt_feed(rx, buf_ptr(w), buf_len(w)), 0);
		for (pad = 4; pad <= 255; pad++) {
			ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
			ASSERT_PTR_NE(pl, NULL);
			if (pl != NULL)
				ASSERT_INT_EQ(buf_ptr(pl)[0], 0x5e);
			buf_free(pl);
			pl = NULL;
		}
		enc_free(&e);
		buf_free(w);
	}
	TEST_DONE();
	free(payload);
	pkt_free(tx);
	pkt_free(rx);
}

/* ---- malformed input ---------------------------------------------------- */

/* Feed w to a fresh receiver keyed from km and return pkt_read's result. */
static int
decode_one(const struct keymat *km, const struct buf *w, bool *got)
{
	struct pkt_state *rx = NULL;
	struct cipher_ctx *c;
	struct mac_ctx *m;
	struct buf *pl = NULL;
	int r;

	if (pkt_new(&rx) != 0)
		abort();
	if (km->c != NULL) {
		keymat_ctx(km, false, &c, &m);
		if (pkt_set_keys(rx, PKT_IN, c, m) != 0)
			abort();
	}
	if (pkt_feed(rx, buf_ptr(w), buf_len(w)) != 0)
		abort();
	r = pkt_read(rx, &pl);
	*got = pl != NULL;
	buf_free(pl);
	pkt_free(rx);
	return r;
}

/* A packet whose plaintext header says plen/padlen, with body bytes. */
static int
decode_crafted(const struct keymat *km, uint32_t plen, uint8_t padlen,
    size_t bodylen, bool *got)
{
	struct enc e;
	struct buf *w = buf_new();
	uint8_t p[4 + 512];
	int r;

	memset(p, 0x21, sizeof(p));
	p[0] = (uint8_t)(plen >> 24);
	p[1] = (uint8_t)(plen >> 16);
	p[2] = (uint8_t)(plen >> 8);
	p[3] = (uint8_t)plen;
	p[4] = padlen;
	enc_init(&e, km);
	enc_raw(&e, p, 4 + bodylen, w);
	r = decode_one(km, w, got);
	enc_free(&e);
	buf_free(w);
	return r;
}

static void
test_malformed(const struct combo *co)
{
	struct keymat km;
	struct enc e;
	struct buf *w = buf_new(), *w2 = NULL;
	uint8_t p[512], payload[64];
	size_t n, bs, i, tag, mlen;
	bool got;
	bool apart;

	keymat_init(&km, co, 0x30);
	enc_init(&e, &km);
	bs = enc_bs(&e);
	apart = enc_len_apart(&e);
	tag = km.c ? km.c->tag_len : 0;
	mlen = km.m ? km.m->tag_len : 0;
	enc_free(&e);

	TEST_START(combo_name(co, "truncated packets wait, never decode"));
	enc_init(&e, &km);
	memset(payload, 0x42, sizeof(payload));
	n = enc_build(&e, payload, 40, 0, p);
	enc_raw(&e, p, n, w);
	enc_free(&e);
	ASSERT_INT_EQ(decode_one(&km, w, &got), 0);
	ASSERT_TRUE(got);
	for (i = 0; i < buf_len(w); i++) {
		w2 = buf_from(buf_ptr(w), i);
		ASSERT_INT_EQ(decode_one(&km, w2, &got), 0);
		ASSERT_FALSE(got);
		buf_free(w2);
	}
	TEST_DONE();

	TEST_START(combo_name(co, "packet length out of range"));
	/* Larger than PKT_MAX_PACKET (but aligned), and below 5. */
	ASSERT_INT_EQ(decode_crafted(&km, PKT_MAX_PACKET + (apart ? 16 : 12),
	    4, 16, &got), HS_ERR_PKT_LENGTH);
	ASSERT_INT_EQ(decode_crafted(&km, 0xffffffff, 4, 16, &got),
	    HS_ERR_PKT_LENGTH);
	ASSERT_INT_EQ(decode_crafted(&km, 4, 4, 16, &got), HS_ERR_PKT_LENGTH);
	ASSERT_INT_EQ(decode_crafted(&km, 0, 4, 16, &got), HS_ERR_PKT_LENGTH);
	TEST_DONE();

	TEST_START(combo_name(co, "packet length not block-aligned"));
	ASSERT_INT_EQ(decode_crafted(&km, (uint32_t)(apart ? bs * 2 + 1 :
	    bs * 2 - 4 + 1), 4, 32, &got), HS_ERR_PKT_ALIGN);
	ASSERT_INT_EQ(decode_crafted(&km, (uint32_t)(apart ? bs * 3 - 4 :
	    bs * 3 - 4 - 4), 4, 48, &got), HS_ERR_PKT_ALIGN);
	TEST_DONE();

	TEST_START(combo_name(co, "bad padding length"));
	{
		uint32_t plen = (uint32_t)(apart ? 32 : 28);

		/* padding_length 3, 0, = packet_length - 1 (no payload),
		 * > packet_length; and 4 is accepted. */
		ASSERT_INT_EQ(decode_crafted(&km, plen, 3, plen, &got),
		    HS_ERR_PKT_PADDING);
		ASSERT_INT_EQ(decode_crafted(&km, plen, 0, plen, &got),
		    HS_ERR_PKT_PADDING);
		ASSERT_INT_EQ(decode_crafted(&km, plen, (uint8_t)(plen - 1),
		    plen, &got), HS_ERR_PKT_PADDING);
		ASSERT_INT_EQ(decode_crafted(&km, plen, 255, plen, &got),
		    HS_ERR_PKT_PADDING);
		ASSERT_INT_EQ(decode_crafted(&km, plen, (uint8_t)(plen - 2),
		    plen, &got), 0);
		ASSERT_TRUE(got);
		ASSERT_INT_EQ(decode_crafted(&km, plen, 4, plen, &got), 0);
		ASSERT_TRUE(got);
	}
	TEST_DONE();

	if (mlen > 0) {
		TEST_START(combo_name(co, "bad MAC"));
		for (i = 0; i < mlen; i += mlen / 4) {
			w2 = buf_new();
			ASSERT_INT_EQ(buf_putb(w2, w), 0);
			buf_mutable_ptr(w2)[buf_len(w2) - 1 - i] ^= 0x04;
			ASSERT_INT_EQ(decode_one(&km, w2, &got), HS_ERR_MAC);
			ASSERT_FALSE(got);
			buf_free(w2);
		}
		/* A flipped ciphertext byte past the length (whose change
		 * would be caught as a length error first) fails the MAC. */
		w2 = buf_new();
		ASSERT_INT_EQ(buf_putb(w2, w), 0);
		buf_mutable_ptr(w2)[buf_len(w2) - mlen - 3] ^= 0x80;
		ASSERT_INT_EQ(decode_one(&km, w2, &got), HS_ERR_MAC);
		buf_free(w2);
		TEST_DONE();
	}
	if (tag > 0) {
		TEST_START(combo_name(co, "bad AEAD tag"));
		for (i = 0; i < buf_len(w); i++) {
			w2 = buf_new();
			ASSERT_INT_EQ(buf_putb(w2, w), 0);
			buf_mutable_ptr(w2)[i] ^= 0x01;
			/* The length bytes may turn into a length error or
			 * a longer wait; everything else is a tag error. */
			if (i >= 4)
				ASSERT_INT_EQ(decode_one(&km, w2, &got),
				    HS_ERR_AEAD_TAG);
			else
				(void)decode_one(&km, w2, &got);
			ASSERT_FALSE(got);
			buf_free(w2);
		}
		TEST_DONE();
	}
	buf_free(w);
}

/* ---- sequence numbers --------------------------------------------------- */

static struct buf *
state_blob(uint32_t seq_in, uint64_t tot_in, bool keyed_in, uint32_t seq_out,
    uint64_t tot_out, bool keyed_out, bool strict)
{
	struct buf *b = buf_new();

	if (buf_put_u32(b, 1) != 0 || buf_put_bool(b, strict) != 0)
		abort();
	/* in */
	if (buf_put_bool(b, keyed_in) != 0 || buf_put_u32(b, seq_in) != 0 ||
	    buf_put_u64(b, tot_in) != 0 || buf_put_u64(b, 0) != 0 ||
	    buf_put_u64(b, tot_in) != 0 || buf_put_u64(b, 0) != 0 ||
	    buf_put_u64(b, keyed_in ? tot_in : 0) != 0 ||
	    buf_put_u64(b, 0) != 0)
		abort();
	/* out */
	if (buf_put_bool(b, keyed_out) != 0 || buf_put_u32(b, seq_out) != 0 ||
	    buf_put_u64(b, tot_out) != 0 || buf_put_u64(b, 0) != 0 ||
	    buf_put_u64(b, tot_out) != 0 || buf_put_u64(b, 0) != 0 ||
	    buf_put_u64(b, keyed_out ? tot_out : 0) != 0 ||
	    buf_put_u64(b, 0) != 0 || buf_put_string(b, NULL, 0) != 0)
		abort();
	return b;
}

static void
test_seqnr(void)
{
	static const struct combo cp = { "chacha20-poly1305@openssh.com",
	    NULL };
	struct pkt_state *tx = NULL, *rx = NULL;
	struct keymat km;
	struct pkt_counters c;
	struct buf *b, *pl = NULL;
	uint8_t msg[8] = { 2, 0, 0, 0, 0, 0, 0, 0 };
	size_t i;

	TEST_START("sequence numbers wrap after keys; both sides agree");
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	keymat_init(&km, &cp, 0x40);
	keys_install(tx, rx, &km);
	/* Start both just below the wrap (state as after 2^32-2 packets). */
	b = state_blob(0, 0, false, 0xfffffffe, 0xfffffffe, true, false);
	ASSERT_INT_EQ(pkt_import(tx, b), 0);
	buf_free(b);
	b = state_blob(0xfffffffe, 0xfffffffe, true, 0, 0, false, false);
	ASSERT_INT_EQ(pkt_import(rx, b), 0);
	buf_free(b);
	for (i = 0; i < 4; i++) {
		ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
		ASSERT_INT_EQ(transfer(tx, rx), 0);
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		ASSERT_PTR_NE(pl, NULL);
		buf_free(pl);
		pl = NULL;
	}
	pkt_get_counters(tx, PKT_OUT, &c);
	ASSERT_U64_EQ(c.seqnr, 2);
	ASSERT_U64_EQ(c.total_packets, 0x100000002ULL);
	pkt_get_counters(rx, PKT_IN, &c);
	ASSERT_U64_EQ(c.seqnr, 2);
	pkt_free(tx);
	pkt_free(rx);
	TEST_DONE();

	TEST_START("sequence number wrap before the first NEWKEYS is fatal");
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	b = state_blob(0, 0, false, 0xffffffff, 0xffffffff, false, false);
	ASSERT_INT_EQ(pkt_import(tx, b), 0);
	buf_free(b);
	b = state_blob(0xffffffff, 0xffffffff, false, 0, 0, false, false);
	ASSERT_INT_EQ(pkt_import(rx, b), 0);
	buf_free(b);
	ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), HS_ERR_PKT_SEQ_WRAP);
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), HS_ERR_PKT_SEQ_WRAP);
	ASSERT_PTR_EQ(pl, NULL);
	pkt_free(tx);
	pkt_free(rx);
	TEST_DONE();

	TEST_START("strict KEX resets sequence numbers at each NEWKEYS");
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	for (i = 0; i < 3; i++) {	/* KEXINIT, ECDH_INIT, NEWKEYS */
		ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
		ASSERT_INT_EQ(transfer(tx, rx), 0);
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		buf_free(pl);
		pl = NULL;
	}
	pkt_reset_seqnr_on_newkeys(tx, true);
	pkt_reset_seqnr_on_newkeys(rx, true);
	keys_install(tx, rx, &km);
	pkt_get_counters(tx, PKT_OUT, &c);
	ASSERT_U64_EQ(c.seqnr, 0);
	ASSERT_U64_EQ(c.packets, 0);
	ASSERT_U64_EQ(c.total_packets, 3);
	ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
	ASSERT_PTR_NE(pl, NULL);
	buf_free(pl);
	pl = NULL;
	pkt_get_counters(rx, PKT_IN, &c);
	ASSERT_U64_EQ(c.seqnr, 1);
	/* Rekey: reset again. */
	keymat_init(&km, &cp, 0x41);
	keys_install(tx, rx, &km);
	pkt_get_counters(rx, PKT_IN, &c);
	ASSERT_U64_EQ(c.seqnr, 0);
	ASSERT_U64_EQ(c.total_packets, 4);
	pkt_free(tx);
	pkt_free(rx);
	TEST_DONE();

	TEST_START("without strict KEX the sequence number runs on");
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	for (i = 0; i < 3; i++)
		ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	for (i = 0; i < 3; i++) {
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		buf_free(pl);
		pl = NULL;
	}
	keys_install(tx, rx, &km);
	pkt_get_counters(tx, PKT_OUT, &c);
	ASSERT_U64_EQ(c.seqnr, 3);
	ASSERT_U64_EQ(c.packets, 0);
	ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
	ASSERT_PTR_NE(pl, NULL);
	buf_free(pl);
	pkt_free(tx);
	pkt_free(rx);
	TEST_DONE();
}

/* Keys installed after NEWKEYS apply to bytes already fed. */
static void
test_newkeys_boundary(void)
{
	static const struct combo co = { "chacha20-poly1305@openssh.com",
	    NULL };
	struct pkt_state *tx = NULL, *rx = NULL;
	struct cipher_ctx *c;
	struct mac_ctx *m;
	struct keymat km;
	struct buf *pl = NULL;
	uint8_t newkeys = 21, msg[5] = { 5, 0, 0, 0, 0 };

	TEST_START("keys set after NEWKEYS decode the bytes that follow it");
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	keymat_init(&km, &co, 0x50);
	ASSERT_INT_EQ(pkt_send(tx, &newkeys, 1), 0);
	keymat_ctx(&km, true, &c, &m);
	ASSERT_INT_EQ(pkt_set_keys(tx, PKT_OUT, c, m), 0);
	ASSERT_INT_EQ(pkt_send(tx, msg, sizeof(msg)), 0);
	/* Both packets arrive in one read. */
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
	ASSERT_TRUE(pl != NULL && buf_len(pl) == 1 && buf_ptr(pl)[0] == 21);
	buf_free(pl);
	pl = NULL;
	/* Wrong direction or missing MAC is refused. */
	keymat_ctx(&km, true, &c, &m);
	ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, m), HS_ERR_INVALID_ARGUMENT);
	cipher_free(c);
	keymat_ctx(&km, false, &c, &m);
	ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, m), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
	ASSERT_TRUE(pl != NULL && buf_len(pl) == 5 && buf_ptr(pl)[0] == 5);
	buf_free(pl);
	pkt_free(tx);
	pkt_free(rx);
	TEST_DONE();

#ifdef HAVE_OPENSSL
	TEST_START("pkt_set_keys refuses bad cipher/MAC combinations");
	{
		static const struct combo ctr = { "aes128-ctr", "hmac-sha2-256" };

		ASSERT_INT_EQ(pkt_new(&rx), 0);
		keymat_init(&km, &ctr, 1);
		keymat_ctx(&km, false, &c, &m);
		ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, NULL),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, NULL, m),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, m), 0);
		/* Mid-packet (first block decrypted): no key change. */
		{
			uint8_t junk[16] = { 0 };

			keymat_ctx(&km, false, &c, &m);
			ASSERT_INT_EQ(pkt_feed(rx, junk, 16), 0);
			(void)pkt_read(rx, &pl);
			ASSERT_INT_EQ(pkt_set_keys(rx, PKT_IN, c, m),
			    HS_ERR_PROTOCOL);
			cipher_free(c);
			mac_free(m);
		}
		pkt_free(rx);
	}
	TEST_DONE();
#endif
}

static void
test_limits(void)
{
	struct pkt_state *rx = NULL, *tx = NULL;
	uint8_t *big = calloc(1, PKT_INBUF_MAX + 1);
	uint8_t msg[1] = { 2 };

	TEST_START("input and output buffers are bounded");
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	ASSERT_INT_EQ(pkt_input_avail(rx), PKT_INBUF_MAX);
	ASSERT_INT_EQ(pkt_feed(rx, big, PKT_INBUF_MAX + 1),
	    HS_ERR_NO_BUFFER_SPACE);
	ASSERT_INT_EQ(pkt_feed(rx, big, PKT_INBUF_MAX), 0);
	ASSERT_INT_EQ(pkt_feed(rx, big, 1), HS_ERR_NO_BUFFER_SPACE);
	/* A zero length is refused at once, not waited for. */
	{
		struct buf *pl = NULL;

		ASSERT_INT_EQ(pkt_read(rx, &pl), HS_ERR_PKT_LENGTH);
	}
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	{
		size_t i, sent = 0;
		int r = 0;

		for (i = 0; i < PKT_OUTBUF_MAX / 5 + 10 && r == 0; i++)
			if ((r = pkt_send(tx, msg, 1)) == 0)
				sent++;
		ASSERT_INT_EQ(r, HS_ERR_NO_BUFFER_SPACE);
		ASSERT_TRUE(buf_len(pkt_output(tx)) <= PKT_OUTBUF_MAX);
		ASSERT_TRUE(sent > 0);
	}
	pkt_free(rx);
	pkt_free(tx);
	pkt_free(NULL);
	free(big);
	TEST_DONE();
}

/* ---- export / import ---------------------------------------------------- */

static void
test_export(const struct combo *co)
{
	struct pkt_state *tx = NULL, *rx = NULL, *tx2 = NULL, *rx2 = NULL;
	struct keymat km;
	struct buf *ex = buf_new(), *pl = NULL, *w;
	uint8_t msg[300];
	size_t i, half;
	struct pkt_counters a, b;

	TEST_START(combo_name(co, "export/import mid-stream, mid-packet"));
	ASSERT_INT_EQ(pkt_new(&tx), 0);
	ASSERT_INT_EQ(pkt_new(&rx), 0);
	ASSERT_INT_EQ(pkt_new(&tx2), 0);
	ASSERT_INT_EQ(pkt_new(&rx2), 0);
	keymat_init(&km, co, 0x60);
	/* Two plaintext packets, then keys, then traffic. */
	for (i = 0; i < 2; i++) {
		msg[0] = 20;
		ASSERT_INT_EQ(pkt_send(tx, msg, 10), 0);
	}
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	for (i = 0; i < 2; i++) {
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		buf_free(pl);
		pl = NULL;
	}
	pkt_reset_seqnr_on_newkeys(tx, true);
	pkt_reset_seqnr_on_newkeys(rx, true);
	keys_install(tx, rx, &km);
	for (i = 0; i < 7; i++) {
		memset(msg, (int)i, sizeof(msg));
		ASSERT_INT_EQ(pkt_send(tx, msg, 100 + i * 13), 0);
	}
	ASSERT_INT_EQ(transfer(tx, rx), 0);
	for (i = 0; i < 6; i++) {
		ASSERT_INT_EQ(pkt_read(rx, &pl), 0);
		buf_free(pl);
		pl = NULL;
	}
	/* One more packet, half of it fed and (for CTR) partly decrypted. */
	memset(msg, 0xab, sizeof(msg));
	ASSERT_INT_EQ(pkt_send(tx, msg, 200), 0);
	w = pkt_output(tx);
	half = buf_len(w) / 2;
	ASSERT_INT_EQ(pkt_feed(rx, buf_ptr(w), half), 0);
	ASSERT_INT_EQ(buf_consume(w, half), 0);
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);	/* packet 7 */
	ASSERT_PTR_NE(pl, NULL);
	buf_free(pl);
	pl = NULL;
	ASSERT_INT_EQ(pkt_read(rx, &pl), 0);	/* half of packet 8 */
	ASSERT_PTR_EQ(pl, NULL);
	/* The sender's output must be flushed before export. */
	ASSERT_INT_EQ(pkt_export(tx, ex), HS_ERR_PROTOCOL);
	{
		struct buf *rest = buf_from(buf_ptr(w), buf_len(w));

		struct buf *ex2 = buf_new();

		buf_reset(w);
		ASSERT_INT_EQ(pkt_export(tx, ex), 0);
		ASSERT_INT_EQ(pkt_export(rx, ex2), 0);
		/* The next processes install keys, then import. */
		keys_install(tx2, rx2, &km);
		ASSERT_INT_EQ(pkt_import(tx2, ex), 0);
		ASSERT_INT_EQ(pkt_import(rx2, ex2), 0);
		ASSERT_INT_EQ(buf_len(ex), 0);
		ASSERT_INT_EQ(buf_len(ex2), 0);
		buf_free(ex2);
		pkt_get_counters(tx, PKT_OUT, &a);
		pkt_get_counters(tx2, PKT_OUT, &b);
		ASSERT_TRUE(memcmp(&a, &b, sizeof(a)) == 0);
		pkt_get_counters(rx, PKT_IN, &a);
		pkt_get_counters(rx2, PKT_IN, &b);
		ASSERT_TRUE(memcmp(&a, &b, sizeof(a)) == 0);
		ASSERT_INT_EQ(pkt_feed(rx2, buf_ptr(rest), buf_len(rest)), 0);
		buf_free(rest);
	}
	ASSERT_INT_EQ(pkt_read(rx2, &pl), 0);
	ASSERT_PTR_NE(pl, NULL);
	if (pl != NULL) {
		ASSERT_INT_EQ(buf_len(pl), 200);
		ASSERT_MEM_EQ(buf_ptr(pl), msg, 200);
	}
	buf_free(pl);
	pl = NULL;
	/* The imported sender goes on where the old one stopped. */
	for (i = 0; i < 3; i++) {
		memset(msg, 0x70 + (int)i, sizeof(msg));
		ASSERT_INT_EQ(pkt_send(tx2, msg, 64), 0);
		ASSERT_INT_EQ(transfer(tx2, rx2), 0);
		ASSERT_INT_EQ(pkt_read(rx2, &pl), 0);
		ASSERT_TRUE(pl != NULL && buf_ptr(pl)[0] == 0x70 + i);
		buf_free(pl);
		pl = NULL;
	}
	TEST_DONE();
	pkt_free(tx);
	pkt_free(rx);
	pkt_free(tx2);
	pkt_free(rx2);
	buf_free(ex);
}

static void
test_import_rejects(void)
{
	struct pkt_state *st = NULL;
	struct buf *b, *good;
	uint8_t *p;
	size_t i, len;
	uint8_t save;

	/* Field offsets: version 0, strict 4, in: keyed 5, seq 6, packets 10,
	 * bytes 18, total_packets 26, total_bytes 34, cpackets 42, cbytes 50;
	 * out starts at 58; pending string at 111. */
	TEST_START("import: a valid plaintext-phase state round trips");
	good = state_blob(3, 3, false, 4, 4, false, false);
	ASSERT_INT_EQ(buf_len(good), 115);
	b = buf_from(buf_ptr(good), buf_len(good));
	ASSERT_INT_EQ(pkt_new(&st), 0);
	ASSERT_INT_EQ(pkt_import(st, b), 0);
	buf_free(b);
	/* Not into a used state. */
	b = buf_from(buf_ptr(good), buf_len(good));
	ASSERT_INT_EQ(pkt_import(st, b), HS_ERR_PROTOCOL);
	buf_free(b);
	pkt_free(st);
	TEST_DONE();

	TEST_START("import: truncations, trailing data, bad fields refused");
	len = buf_len(good);
	for (i = 0; i < len; i++) {
		b = buf_from(buf_ptr(good), i);
		ASSERT_INT_EQ(pkt_new(&st), 0);
		ASSERT_INT_NE(pkt_import(st, b), 0);
		buf_free(b);
		pkt_free(st);
	}
	b = buf_new();
	ASSERT_INT_EQ(buf_putb(b, good), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(pkt_new(&st), 0);
	ASSERT_INT_EQ(pkt_import(st, b), HS_ERR_TRAILING_DATA);
	buf_free(b);
	pkt_free(st);
	{
		/* offset, xor: each makes the state invalid */
		static const struct { size_t off; uint8_t x; int r; } bad[] = {
			{ 3, 0x02, HS_ERR_BAD_FORMAT },		/* version 3 */
			{ 4, 0x02, HS_ERR_BAD_BOOLEAN },	/* strict 2 */
			{ 5, 0x01, HS_ERR_PROTOCOL },		/* keyed w/o keys */
			{ 9, 0x01, HS_ERR_BAD_FORMAT },		/* seq != packets */
			{ 17, 0x04, HS_ERR_BAD_FORMAT },	/* packets > total */
			{ 26, 0x40, HS_ERR_BAD_FORMAT },	/* total 2^62+ */
			{ 41, 0x01, HS_ERR_BAD_FORMAT },	/* bytes != total */
			{ 49, 0x01, HS_ERR_BAD_FORMAT },	/* cipher pos w/o keys */
			{ 57, 0x10, HS_ERR_BAD_FORMAT },	/* cbytes > bytes */
			{ 62, 0x01, HS_ERR_BAD_FORMAT },	/* out seq */
			{ 111, 0x01, HS_ERR_TOO_LONG },		/* pending > max */
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			b = buf_new();
			ASSERT_INT_EQ(buf_putb(b, good), 0);
			p = buf_mutable_ptr(b);
			save = p[bad[i].off];
			p[bad[i].off] ^= bad[i].x;
			ASSERT_INT_EQ(pkt_new(&st), 0);
			ASSERT_INT_EQ(pkt_import(st, b), bad[i].r);
			(void)save;
			buf_free(b);
			pkt_free(st);
		}
	}
	buf_free(good);
	TEST_DONE();

#ifdef HAVE_OPENSSL
	TEST_START("import: a CTR position must be block-aligned");
	{
		static const struct combo ctr = { "aes128-ctr", "hmac-sha2-256" };
		struct keymat km;
		struct cipher_ctx *c;
		struct mac_ctx *m;

		keymat_init(&km, &ctr, 9);
		b = buf_new();
		/* in keyed: 1 packet, 64 bytes; cipher 2 calls, 33 bytes */
		ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
		ASSERT_INT_EQ(buf_put_bool(b, false), 0);
		ASSERT_INT_EQ(buf_put_bool(b, true), 0);
		ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 1), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 64), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 1), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 64), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 2), 0);
		ASSERT_INT_EQ(buf_put_u64(b, 33), 0);
		for (i = 0; i < 8; i++)
			ASSERT_INT_EQ(i == 0 ? buf_put_bool(b, false) :
			    i == 1 ? buf_put_u32(b, 0) : buf_put_u64(b, 0), 0);
		ASSERT_INT_EQ(buf_put_string(b, NULL, 0), 0);
		ASSERT_INT_EQ(pkt_new(&st), 0);
		keymat_ctx(&km, false, &c, &m);
		ASSERT_INT_EQ(pkt_set_keys(st, PKT_IN, c, m), 0);
		ASSERT_INT_EQ(pkt_import(st, b), HS_ERR_BAD_FORMAT);
		buf_free(b);
		pkt_free(st);
	}
	TEST_DONE();
#endif
}

/* ---- identification line ------------------------------------------------ */

static int
banner_run(bool peer_is_server, const char *s, size_t len, struct banner **ret,
    size_t *used, bool bytewise)
{
	struct banner *b = NULL;
	size_t i, u;
	int r = 0;

	if (banner_new(peer_is_server, &b) != 0)
		abort();
	*used = 0;
	if (!bytewise)
		r = banner_feed(b, (const uint8_t *)s, len, used);
	else {
		for (i = 0; i < len && r == 0 && !banner_done(b); i++) {
			r = banner_feed(b, (const uint8_t *)s + i, 1, &u);
			*used += u;
		}
	}
	*ret = b;
	return r;
}

#define NO_FIELDS NULL, NULL, NULL, 0

static void
test_banner(void)
{
	static const struct {
		const char *name, *in;
		bool peer_is_server;
		int r;
		const char *proto, *soft, *comm;
		size_t used;	/* 0: whole line */
	} cases[] = {
		{ "OpenSSH client line, CR LF", "SSH-2.0-OpenSSH_9.2p1 "
		  "Debian-2+deb12u10\r\n\0\0\0\x14", false, 0, "2.0",
		  "OpenSSH_9.2p1", "Debian-2+deb12u10", 41 },
		{ "LF alone is tolerated", "SSH-2.0-PuTTY_Release_0.78\nXYZ",
		  false, 0, "2.0", "PuTTY_Release_0.78", "", 27 },
		{ "1.99 is accepted", "SSH-1.99-Foo_1\r\n", false, 0, "1.99",
		  "Foo_1", "", 0 },
		{ "minus sign in softwareversion (JSch)", "SSH-2.0-JSCH-0.1.54\r\n",
		  false, 0, "2.0", "JSCH-0.1.54", "", 0 },
		{ "SSH-1.5 refused", "SSH-1.5-OldSSH\r\n", false,
		  HS_ERR_BANNER_VERSION, NO_FIELDS },
		{ "SSH-3.0 refused", "SSH-3.0-x\r\n", false,
		  HS_ERR_BANNER_VERSION, NO_FIELDS },
		{ "garbage from a client refused at once",
		  "GET / HTTP/1.1\r\n", false, HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "lower-case ssh- refused", "ssh-2.0-x\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "empty line from a client refused", "\r\nSSH-2.0-x\r\n",
		  false, HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "NUL byte refused", "SSH-2.0-Open\0SSH\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "CR not followed by LF refused", "SSH-2.0-x\ry\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "control character refused", "SSH-2.0-x \x1b[2J\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "missing softwareversion", "SSH-2.0-\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "missing softwareversion before comments", "SSH-2.0- c\r\n",
		  false, HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "no separator after protoversion", "SSH-2.0\r\n", false,
		  HS_ERR_BANNER_FORMAT, NO_FIELDS },
		{ "server may send lines first",
		  "Welcome\r\n\r\nnotice: x\nSSH-2.0-srv_1 c\r\n", true, 0,
		  "2.0", "srv_1", "c", 0 },
	};
	struct banner *b = NULL;
	char line[600];
	size_t i, used, k;
	int bytewise;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TEST_START(cases[i].name);
		for (bytewise = 0; bytewise < 2; bytewise++) {
			size_t len = strlen(cases[i].in);

			/* Include embedded NULs of the first case. */
			if (i == 0)
				len += 4;
			if (strstr(cases[i].name, "NUL") != NULL)
				len = 18;
			ASSERT_INT_EQ(banner_run(cases[i].peer_is_server,
			    cases[i].in, len, &b, &used, bytewise),
			    cases[i].r);
			if (cases[i].r == 0) {
				ASSERT_TRUE(banner_done(b));
				ASSERT_STR_EQ(banner_protoversion(b),
				    cases[i].proto);
				ASSERT_STR_EQ(banner_software(b), cases[i].soft);
				ASSERT_STR_EQ(banner_comments(b), cases[i].comm);
				ASSERT_INT_EQ(used, cases[i].used ?
				    cases[i].used : strlen(cases[i].in));
			} else {
				ASSERT_FALSE(banner_done(b));
				ASSERT_PTR_EQ(banner_line(b), NULL);
				/* Errors are sticky. */
				ASSERT_INT_EQ(banner_feed(b,
				    (const uint8_t *)"SSH-2.0-x\r\n", 11, &k),
				    cases[i].r);
			}
			banner_free(b);
		}
		TEST_DONE();
	}

	TEST_START("version line: exactly 255 bytes accepted, 256 refused");
	memset(line, 'a', sizeof(line));
	memcpy(line, "SSH-2.0-", 8);
	memcpy(line + 253, "\r\n", 2);
	ASSERT_INT_EQ(banner_run(false, line, 255, &b, &used, false), 0);
	ASSERT_TRUE(banner_done(b));
	ASSERT_INT_EQ(strlen(banner_line(b)), 253);
	banner_free(b);
	memcpy(line + 253, "a\r\n", 3);
	ASSERT_INT_EQ(banner_run(false, line, 256, &b, &used, false),
	    HS_ERR_BANNER_TOO_LONG);
	banner_free(b);
	memcpy(line + 254, "\n", 1);	/* 254 + LF = 255 */
	ASSERT_INT_EQ(banner_run(false, line, 255, &b, &used, false), 0);
	banner_free(b);
	/* No end of line at all: refused once past the limit. */
	memset(line + 8, 'a', sizeof(line) - 8);
	ASSERT_INT_EQ(banner_run(false, line, sizeof(line), &b, &used, true),
	    HS_ERR_BANNER_TOO_LONG);
	ASSERT_TRUE(used <= 255);
	banner_free(b);
	TEST_DONE();

	TEST_START("pre-lines from a server: count and size bounded");
	{
		struct buf *in = buf_new();

		for (i = 0; i < BANNER_PRELINES_MAX; i++)
			ASSERT_INT_EQ(buf_putf(in, "line %zu\r\n", i), 0);
		ASSERT_INT_EQ(buf_putf(in, "SSH-2.0-s\r\n"), 0);
		ASSERT_INT_EQ(banner_run(true, (const char *)buf_ptr(in),
		    buf_len(in), &b, &used, false), 0);
		ASSERT_TRUE(banner_done(b));
		banner_free(b);
		buf_reset(in);
		for (i = 0; i < BANNER_PRELINES_MAX + 1; i++)
			ASSERT_INT_EQ(buf_putf(in, "line %zu\r\n", i), 0);
		ASSERT_INT_EQ(buf_putf(in, "SSH-2.0-s\r\n"), 0);
		ASSERT_INT_EQ(banner_run(true, (const char *)buf_ptr(in),
		    buf_len(in), &b, &used, false), HS_ERR_BANNER_PRELINES);
		banner_free(b);
		/* One huge pre-line. */
		buf_reset(in);
		for (i = 0; i < BANNER_PRE_BYTES_MAX / 64 + 2; i++)
			ASSERT_INT_EQ(buf_putf(in, "%064zu", i), 0);
		ASSERT_INT_EQ(banner_run(true, (const char *)buf_ptr(in),
		    buf_len(in), &b, &used, false), HS_ERR_BANNER_PRELINES);
		ASSERT_TRUE(used <= BANNER_PRE_BYTES_MAX + 1);
		banner_free(b);
		/* The same lines from a client are refused at once. */
		ASSERT_INT_EQ(banner_run(false, "line\r\nSSH-2.0-s\r\n", 17, &b,
		    &used, false), HS_ERR_BANNER_FORMAT);
		ASSERT_INT_EQ(used, 1);
		banner_free(b);
		buf_free(in);
	}
	TEST_DONE();

	TEST_START("after the line, nothing more is consumed");
	ASSERT_INT_EQ(banner_run(false, "SSH-2.0-x\r\n", 11, &b, &used, false),
	    0);
	ASSERT_INT_EQ(banner_feed(b, (const uint8_t *)"abc", 3, &used), 0);
	ASSERT_INT_EQ(used, 0);
	ASSERT_STR_EQ(banner_line(b), "SSH-2.0-x");
	banner_free(b);
	banner_free(NULL);
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	if (sodium_init() < 0)
		return 1;
	for (i = 0; i < NCOMBOS; i++) {
		if (!combo_available(&combos[i])) {
			TEST_SKIP(combo_name(&combos[i], "all"),
			    "not available on this CPU/build");
			continue;
		}
		test_roundtrip(&combos[i]);
		test_malformed(&combos[i]);
		if (combos[i].cipher != NULL)
			test_export(&combos[i]);
	}
	test_seqnr();
	test_newkeys_boundary();
	test_limits();
	test_import_rejects();
	test_banner();
	return tap_finish();
}
