/* SPDX-License-Identifier: ISC */
/*
 * The binary packet protocol (RFC 4253 §6) without I/O.  Runs in the
 * pre-auth child (unprivileged, sandboxed) and in the session process (the
 * user); all input is attacker-controlled.  The packet length is bounded
 * before anything waits on it, tags and MACs are checked in constant time
 * (for AEAD and encrypt-then-MAC before anything is decrypted), and every
 * error is final.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/mac.h"
#include "common/mem.h"
#include "common/pkt.h"

#define PKT_EXPORT_VERSION	1u
/* Counters imported from another process are at most this (far above
 * anything a connection reaches; keeps every sum below 2^64). */
#define PKT_COUNTER_MAX		(1ULL << 62)

struct pkt_dir_state {
	struct cipher_ctx	*cipher;
	struct mac_ctx		*mac;
	bool			 keyed;		/* left the plaintext phase */
	struct pkt_counters	 ctr;
};

struct pkt_state {
	struct pkt_dir_state	 d[2];
	bool			 strict;
	struct buf		*in;		/* received, not yet decoded */
	struct buf		*out;		/* encoded, not yet written */
	struct buf		*dec;		/* plaintext of the packet in progress */
	uint32_t		 packlen;	/* 0 until the length is known */
	bool			 first_done;	/* first block is in dec */
};

/* Framing parameters of one direction under its current keys. */
struct pkt_params {
	size_t	 bs;		/* alignment: max(8, cipher block size) */
	size_t	 authlen;	/* AEAD tag */
	size_t	 maclen;	/* MAC tag */
	bool	 aead;
	bool	 etm;
	bool	 len_apart;	/* length field not part of the first block */
};

static void
pkt_params(const struct pkt_dir_state *d, struct pkt_params *p)
{
	const struct cipher *c;
	const struct mac *m;

	memset(p, 0, sizeof(*p));
	p->bs = 8;
	if (d->cipher != NULL) {
		c = cipher_ctx_cipher(d->cipher);
		if (c->block_size > p->bs)
			p->bs = c->block_size;
		p->authlen = c->tag_len;
		p->aead = c->is_aead;
	}
	if (d->mac != NULL) {
		m = mac_ctx_mac(d->mac);
		p->maclen = m->tag_len;
		p->etm = m->etm;
	}
	p->len_apart = p->aead || p->etm;
}

/*
 * The only offset arithmetic on received bytes in this file: a pointer to
 * len bytes at off, or NULL if they are not all there.
 */
static const uint8_t *
pkt_at(const struct buf *b, size_t off, size_t len)
{
	if (off > buf_len(b) || len > buf_len(b) - off)
		return NULL;
	return buf_ptr(b) + off;
}

int
pkt_new(struct pkt_state **ret)
{
	struct pkt_state *st = NULL;
	int r = HS_ERR_ALLOC;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return HS_ERR_ALLOC;
	if ((st->in = buf_new()) == NULL || (st->out = buf_new()) == NULL ||
	    (st->dec = buf_new()) == NULL)
		goto out;
	if ((r = buf_set_max_size(st->in, PKT_INBUF_MAX)) != 0 ||
	    (r = buf_set_max_size(st->out, PKT_OUTBUF_MAX)) != 0 ||
	    (r = buf_set_max_size(st->dec, 4 + PKT_MAX_PACKET)) != 0)
		goto out;
	*ret = st;
	st = NULL;
	r = 0;
 out:
	pkt_free(st);
	return r;
}

void
pkt_free(struct pkt_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < 2; i++) {
		cipher_free(st->d[i].cipher);
		mac_free(st->d[i].mac);
	}
	buf_free(st->in);
	buf_free(st->out);
	buf_free(st->dec);
	freezero(st, sizeof(*st));
}

int
pkt_set_keys(struct pkt_state *st, enum pkt_dir dir, struct cipher_ctx *cipher,
    struct mac_ctx *mac)
{
	struct pkt_dir_state *d;
	const struct cipher *c;

	if (st == NULL || (dir != PKT_IN && dir != PKT_OUT) || cipher == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	c = cipher_ctx_cipher(cipher);
	if (c->is_aead != (mac == NULL) ||
	    cipher_ctx_is_encrypt(cipher) != (dir == PKT_OUT))
		return HS_ERR_INVALID_ARGUMENT;
	if (dir == PKT_IN && (st->packlen != 0 || st->first_done))
		return HS_ERR_PROTOCOL;
	d = &st->d[dir];
	cipher_free(d->cipher);
	mac_free(d->mac);
	d->cipher = cipher;
	d->mac = mac;
	d->keyed = true;
	d->ctr.packets = 0;
	d->ctr.bytes = 0;
	if (st->strict)
		d->ctr.seqnr = 0;
	return 0;
}

void
pkt_reset_seqnr_on_newkeys(struct pkt_state *st, bool enable)
{
	st->strict = enable;
}

bool
pkt_is_keyed(const struct pkt_state *st, enum pkt_dir dir)
{
	return st->d[dir].keyed;
}

void
pkt_get_counters(const struct pkt_state *st, enum pkt_dir dir,
    struct pkt_counters *c)
{
	*c = st->d[dir].ctr;
}

struct buf *
pkt_output(struct pkt_state *st)
{
	return st->out;
}

size_t
pkt_input_avail(const struct pkt_state *st)
{
	return buf_avail(st->in);
}

int
pkt_feed(struct pkt_state *st, const uint8_t *data, size_t len)
{
	if (st == NULL || (data == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (len > buf_avail(st->in))
		return HS_ERR_NO_BUFFER_SPACE;
	return buf_put(st->in, data, len);
}

/* Count one packet of wirelen bytes and move to the next sequence number;
 * a wrap before the first NEWKEYS is fatal (as in OpenSSH). */
static int
pkt_count(struct pkt_dir_state *d, size_t wirelen)
{
	d->ctr.packets++;
	d->ctr.total_packets++;
	d->ctr.bytes += wirelen;
	d->ctr.total_bytes += wirelen;
	if (++d->ctr.seqnr == 0 && !d->keyed)
		return HS_ERR_PKT_SEQ_WRAP;
	return 0;
}

/* packet_length bounds; with_len: the length field is part of the
 * aligned data (no AEAD, no EtM). */
static int
pkt_check_len(uint32_t plen, size_t bs, bool with_len)
{
	if (plen < 5 || plen > PKT_MAX_PACKET)
		return HS_ERR_PKT_LENGTH;
	if (((size_t)plen + (with_len ? 4 : 0)) % bs != 0)
		return HS_ERR_PKT_ALIGN;
	return 0;
}

/* Learn the packet length of the next packet; 0 with st->packlen still 0
 * when more bytes are needed. */
static int
pkt_read_length(struct pkt_state *st, const struct pkt_params *p)
{
	struct pkt_dir_state *d = &st->d[PKT_IN];
	const uint8_t *src;
	uint8_t *dp;
	uint32_t plen = 0;
	int r;

	if (p->len_apart) {
		if (buf_len(st->in) < 4)
			return 0;
		if (p->aead)
			r = cipher_get_length(d->cipher, d->ctr.seqnr,
			    buf_ptr(st->in), buf_len(st->in), &plen);
		else
			r = buf_peek_u32(st->in, 0, &plen);
		if (r != 0)
			return r;
		if ((r = pkt_check_len(plen, p->bs, false)) != 0)
			return r;
		st->packlen = plen;
		return 0;
	}
	if ((src = pkt_at(st->in, 0, p->bs)) == NULL)
		return 0;
	buf_reset(st->dec);
	if ((r = buf_reserve(st->dec, p->bs, &dp)) != 0)
		return r;
	if (d->cipher != NULL) {
		if ((r = cipher_crypt(d->cipher, d->ctr.seqnr, dp, src, p->bs,
		    0, 0)) != 0)
			return r;
	} else
		memcpy(dp, src, p->bs);
	st->first_done = true;
	if ((r = buf_peek_u32(st->dec, 0, &plen)) != 0 ||
	    (r = pkt_check_len(plen, p->bs, true)) != 0)
		return r;
	st->packlen = plen;
	return 0;
}

int
pkt_read(struct pkt_state *st, struct buf **ret_payload)
{
	struct pkt_dir_state *d;
	struct pkt_params p;
	const uint8_t *src, *tag, *pl;
	struct buf *payload = NULL;
	uint8_t *dp, padlen;
	size_t need, body;
	int r = HS_ERR_INTERNAL;

	if (ret_payload == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret_payload = NULL;
	if (st == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	d = &st->d[PKT_IN];
	pkt_params(d, &p);
	if (st->packlen == 0) {
		if ((r = pkt_read_length(st, &p)) != 0)
			return r;
		if (st->packlen == 0)
			return 0;
	}
	body = 4 + (size_t)st->packlen;
	need = body + p.authlen + p.maclen;
	if (buf_len(st->in) < need)
		return 0;
	src = pkt_at(st->in, 0, body);
	tag = pkt_at(st->in, body, p.authlen + p.maclen);
	if (src == NULL || tag == NULL)
		return HS_ERR_INTERNAL;

	if (p.aead) {
		/* Checks the tag before it decrypts anything. */
		buf_reset(st->dec);
		if ((r = buf_reserve(st->dec, body, &dp)) != 0 ||
		    (r = cipher_crypt(d->cipher, d->ctr.seqnr, dp, src,
		    st->packlen, 4, p.authlen)) != 0)
			return r;
	} else if (p.etm) {
		if ((r = mac_check(d->mac, d->ctr.seqnr, src, body, tag,
		    p.maclen)) != 0)
			return r;
		buf_reset(st->dec);
		if ((r = buf_reserve(st->dec, body, &dp)) != 0 ||
		    (r = cipher_crypt(d->cipher, d->ctr.seqnr, dp, src,
		    st->packlen, 4, 0)) != 0)
			return r;
	} else {
		/* dec holds the first block; decrypt the rest after it. */
		if ((src = pkt_at(st->in, p.bs, body - p.bs)) == NULL)
			return HS_ERR_INTERNAL;
		if ((r = buf_reserve(st->dec, body - p.bs, &dp)) != 0)
			return r;
		if (d->cipher != NULL) {
			if ((r = cipher_crypt(d->cipher, d->ctr.seqnr, dp, src,
			    body - p.bs, 0, 0)) != 0)
				return r;
		} else
			memcpy(dp, src, body - p.bs);
		if (d->mac != NULL && (r = mac_check(d->mac, d->ctr.seqnr,
		    buf_ptr(st->dec), body, tag, p.maclen)) != 0)
			return r;
	}
	/* dec: uint32 packet_length, byte padding_length, payload, padding */
	if ((r = buf_peek_u8(st->dec, 4, &padlen)) != 0)
		return r;
	if (padlen < 4 || (size_t)padlen + 1 >= st->packlen)
		return HS_ERR_PKT_PADDING;
	if ((pl = pkt_at(st->dec, 5, st->packlen - padlen - 1)) == NULL)
		return HS_ERR_INTERNAL;
	if ((payload = buf_from(pl, st->packlen - padlen - 1)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_consume(st->in, need)) != 0) {
		buf_free(payload);
		return r;
	}
	buf_reset(st->dec);
	st->packlen = 0;
	st->first_done = false;
	if ((r = pkt_count(d, need)) != 0) {
		buf_free(payload);
		return r;
	}
	*ret_payload = payload;
	return 0;
}

int
pkt_send(struct pkt_state *st, const uint8_t *payload, size_t len)
{
	struct pkt_dir_state *d;
	struct pkt_params p;
	struct buf *plain = NULL;
	uint8_t *op = NULL, *pad;
	size_t padlen, packlen, body, total = 0, unaligned;
	int r = HS_ERR_INTERNAL;

	if (st == NULL || payload == NULL || len == 0)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > PKT_MAX_PACKET)
		return HS_ERR_TOO_LONG;
	d = &st->d[PKT_OUT];
	pkt_params(d, &p);
	/* The clear length of AEAD/EtM packets is not part of the alignment. */
	unaligned = (p.len_apart ? 0 : 4) + 1 + len;
	padlen = p.bs - unaligned % p.bs;
	if (padlen < 4)
		padlen += p.bs;
	/* Random extra blocks of padding hide the payload length a little. */
	padlen += p.bs * randombytes_uniform((uint32_t)((255 - padlen) /
	    p.bs + 1));
	packlen = 1 + len + padlen;
	if (packlen > PKT_MAX_PACKET)
		return HS_ERR_TOO_LONG;
	body = 4 + packlen;
	total = body + p.authlen + p.maclen;

	if ((plain = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_u32(plain, (uint32_t)packlen)) != 0 ||
	    (r = buf_put_u8(plain, (uint8_t)padlen)) != 0 ||
	    (r = buf_put(plain, payload, len)) != 0 ||
	    (r = buf_reserve(plain, padlen, &pad)) != 0)
		goto out;
	randombytes_buf(pad, padlen);
	if ((r = buf_reserve(st->out, total, &op)) != 0) {
		total = 0;
		goto out;
	}
	if (p.aead) {
		r = cipher_crypt(d->cipher, d->ctr.seqnr, op, buf_ptr(plain),
		    packlen, 4, p.authlen);
	} else if (p.etm) {
		if ((r = cipher_crypt(d->cipher, d->ctr.seqnr, op,
		    buf_ptr(plain), packlen, 4, 0)) == 0)
			r = mac_compute(d->mac, d->ctr.seqnr, op, body,
			    op + body, p.maclen);
	} else {
		r = 0;
		if (d->mac != NULL)
			r = mac_compute(d->mac, d->ctr.seqnr, buf_ptr(plain),
			    body, op + body, p.maclen);
		if (r == 0 && d->cipher != NULL)
			r = cipher_crypt(d->cipher, d->ctr.seqnr, op,
			    buf_ptr(plain), body, 0, 0);
		else if (r == 0)
			memcpy(op, buf_ptr(plain), body);
	}
	if (r != 0)
		goto out;
	total = 0;	/* keep it */
	r = pkt_count(d, body + p.authlen + p.maclen);
 out:
	if (total > 0)
		(void)buf_consume_end(st->out, total);
	buf_free(plain);
	return r;
}

int
pkt_send_buf(struct pkt_state *st, const struct buf *payload)
{
	if (payload == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	return pkt_send(st, buf_ptr(payload), buf_len(payload));
}

/* ---- hand-over ---------------------------------------------------------- */

int
pkt_export(const struct pkt_state *st, struct buf *out)
{
	const struct pkt_dir_state *d;
	struct pkt_params p;
	struct buf *b = NULL;
	uint64_t cpackets, cbytes;
	size_t i;
	int r = HS_ERR_INTERNAL;

	if (st == NULL || out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (buf_len(st->out) != 0)
		return HS_ERR_PROTOCOL;
	if (buf_len(st->in) > PKT_EXPORT_PENDING_MAX)
		return HS_ERR_TOO_LONG;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_u32(b, PKT_EXPORT_VERSION)) != 0 ||
	    (r = buf_put_bool(b, st->strict)) != 0)
		goto out;
	for (i = 0; i < 2; i++) {
		d = &st->d[i];
		cpackets = cbytes = 0;
		if (d->cipher != NULL)
			cipher_get_position(d->cipher, &cpackets, &cbytes);
		if (i == PKT_IN && st->first_done && d->cipher != NULL) {
			/* The next process decrypts that block again. */
			pkt_params(d, &p);
			cpackets--;
			cbytes -= p.bs;
		}
		if ((r = buf_put_bool(b, d->keyed)) != 0 ||
		    (r = buf_put_u32(b, d->ctr.seqnr)) != 0 ||
		    (r = buf_put_u64(b, d->ctr.packets)) != 0 ||
		    (r = buf_put_u64(b, d->ctr.bytes)) != 0 ||
		    (r = buf_put_u64(b, d->ctr.total_packets)) != 0 ||
		    (r = buf_put_u64(b, d->ctr.total_bytes)) != 0 ||
		    (r = buf_put_u64(b, cpackets)) != 0 ||
		    (r = buf_put_u64(b, cbytes)) != 0)
			goto out;
	}
	if ((r = buf_put_stringb(b, st->in)) != 0 ||
	    (r = buf_putb(out, b)) != 0)
		goto out;
	r = 0;
 out:
	buf_free(b);
	return r;
}

int
pkt_import(struct pkt_state *st, struct buf *in)
{
	struct pkt_dir_state *d;
	struct pkt_counters c[2];
	uint64_t cpackets[2], cbytes[2];
	const uint8_t *pending;
	const struct cipher *ci;
	size_t i, plen;
	uint32_t version;
	bool strict, keyed[2];
	int r = HS_ERR_INTERNAL;

	if (st == NULL || in == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	/* Only into a fresh state. */
	if (buf_len(st->in) != 0 || buf_len(st->out) != 0 ||
	    st->packlen != 0 || st->first_done)
		return HS_ERR_PROTOCOL;
	for (i = 0; i < 2; i++) {
		if (st->d[i].ctr.total_packets != 0)
			return HS_ERR_PROTOCOL;
	}
	if ((r = buf_get_u32(in, &version)) != 0 ||
	    (r = buf_get_bool_strict(in, &strict)) != 0)
		return r;
	if (version != PKT_EXPORT_VERSION)
		return HS_ERR_BAD_FORMAT;
	memset(c, 0, sizeof(c));
	for (i = 0; i < 2; i++) {
		if ((r = buf_get_bool_strict(in, &keyed[i])) != 0 ||
		    (r = buf_get_u32(in, &c[i].seqnr)) != 0 ||
		    (r = buf_get_u64(in, &c[i].packets)) != 0 ||
		    (r = buf_get_u64(in, &c[i].bytes)) != 0 ||
		    (r = buf_get_u64(in, &c[i].total_packets)) != 0 ||
		    (r = buf_get_u64(in, &c[i].total_bytes)) != 0 ||
		    (r = buf_get_u64(in, &cpackets[i])) != 0 ||
		    (r = buf_get_u64(in, &cbytes[i])) != 0)
			return r;
	}
	if ((r = buf_get_string_direct(in, PKT_EXPORT_PENDING_MAX, &pending,
	    &plen)) != 0 || (r = buf_get_end(in)) != 0)
		return r;

	for (i = 0; i < 2; i++) {
		d = &st->d[i];
		if (keyed[i] != d->keyed)
			return HS_ERR_PROTOCOL;
		if (c[i].total_packets > PKT_COUNTER_MAX ||
		    c[i].total_bytes > PKT_COUNTER_MAX ||
		    c[i].packets > c[i].total_packets ||
		    c[i].bytes > c[i].total_bytes ||
		    cbytes[i] > c[i].bytes)
			return HS_ERR_BAD_FORMAT;
		/* Sequence numbers follow from the packet counts. */
		if (c[i].seqnr != (uint32_t)(strict && keyed[i] ?
		    c[i].packets : c[i].total_packets))
			return HS_ERR_BAD_FORMAT;
		if (!keyed[i]) {
			if (c[i].packets != c[i].total_packets ||
			    c[i].bytes != c[i].total_bytes ||
			    cpackets[i] != 0 || cbytes[i] != 0)
				return HS_ERR_BAD_FORMAT;
			continue;
		}
		ci = cipher_ctx_cipher(d->cipher);
		/* One cipher call per packet for AEAD, at most two else. */
		if ((ci->is_aead && cpackets[i] != c[i].packets) ||
		    cpackets[i] > 2 * c[i].packets ||
		    cbytes[i] % ci->block_size != 0)
			return HS_ERR_BAD_FORMAT;
	}
	for (i = 0; i < 2; i++) {
		d = &st->d[i];
		if (keyed[i] && (r = cipher_set_position(d->cipher,
		    cpackets[i], cbytes[i])) != 0)
			return r;
		d->ctr = c[i];
	}
	st->strict = strict;
	if ((r = buf_put(st->in, pending, plen)) != 0)
		return r;
	return 0;
}
