/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the binary packet layer (common/pkt.c), in the
 * plaintext phase and under fixed keys for every cipher/MAC pair.  The
 * first byte picks the keys, the second the mode:
 *  - raw: the rest is fed to the decoder in chunks as if from the network;
 *  - encode: the rest is a list of payloads sent through pkt_send, the
 *    wire optionally damaged at one position, fed back in chunks and
 *    decoded (undamaged payloads must come back unchanged), with a
 *    hand-over through pkt_export/pkt_import half-way;
 *  - import: the rest is given to pkt_import (state from a child).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/mac.h"
#include "common/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *cipher, *mac;
} combos[] = {
	{ NULL, NULL },
	{ "chacha20-poly1305@openssh.com", NULL },
	{ "aes256-gcm@openssh.com", NULL },
#ifdef HAVE_OPENSSL
	{ "aes128-gcm@openssh.com", NULL },
	{ "aes128-ctr", "hmac-sha2-256" },
	{ "aes256-ctr", "hmac-sha2-512-etm@openssh.com" },
#endif
};
#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static void
install(struct pkt_state *st, size_t combo, bool out)
{
	static const uint8_t key[64] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t iv[16] = { 9, 9, 9 };
	const struct cipher *c;
	const struct mac *m;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;

	if (combos[combo].cipher == NULL)
		return;
	c = cipher_by_name(combos[combo].cipher);
	m = combos[combo].mac ? mac_by_name(combos[combo].mac) : NULL;
	if (cipher_init(&cc, c, key, c->key_len, iv, c->iv_len, out) != 0 ||
	    (m != NULL && mac_init(&mc, m, key, m->key_len) != 0) ||
	    pkt_set_keys(st, out ? PKT_OUT : PKT_IN, cc, mc) != 0)
		abort();
}

/* Feed wire to rx in chunks of chunk bytes, decoding as we go; returns
 * the number of packets decoded, or -1 after an error. */
static int
drain(struct pkt_state *rx, const uint8_t *w, size_t len, size_t chunk,
    struct buf *payloads_seen)
{
	struct buf *pl = NULL;
	size_t off = 0, n;
	int r, count = 0;

	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		if (n > pkt_input_avail(rx))
			n = pkt_input_avail(rx);
		if (n == 0)
			return -1;
		if (pkt_feed(rx, w + off, n) != 0)
			abort();
		off += n;
		while ((r = pkt_read(rx, &pl)) == 0 && pl != NULL) {
			if (buf_len(pl) == 0)
				abort();	/* never an empty payload */
			if (payloads_seen != NULL &&
			    buf_put_stringb(payloads_seen, pl) != 0)
				abort();
			buf_free(pl);
			pl = NULL;
			count++;
		}
		if (r != 0)
			return -1;
	}
	return count;
}

static void
mode_raw(size_t combo, const uint8_t *d, size_t len, size_t chunk)
{
	struct pkt_state *rx = NULL;

	if (pkt_new(&rx) != 0)
		abort();
	install(rx, combo, false);
	(void)drain(rx, d, len, chunk, NULL);
	pkt_free(rx);
}

static void
mode_encode(size_t combo, const uint8_t *d, size_t len, size_t chunk,
    size_t damage)
{
	struct pkt_state *tx = NULL, *rx = NULL, *rx2 = NULL;
	struct buf *in = buf_from(d, len), *sent = buf_new(), *seen = buf_new();
	struct buf *ex = buf_new();
	const uint8_t *p;
	uint8_t *wire = NULL;
	size_t plen, wlen, half;
	int n1, n2;

	if (in == NULL || sent == NULL || seen == NULL || ex == NULL ||
	    pkt_new(&tx) != 0 || pkt_new(&rx) != 0 || pkt_new(&rx2) != 0)
		abort();
	install(tx, combo, true);
	install(rx, combo, false);
	install(rx2, combo, false);
	/* Payloads: u8 length (0 -> 300), bytes. */
	while (buf_len(in) > 0) {
		uint8_t l;

		if (buf_get_u8(in, &l) != 0)
			break;
		plen = l == 0 ? 300 : l;
		if (plen > buf_len(in))
			plen = buf_len(in);
		if (plen == 0)
			break;
		p = buf_ptr(in);
		if (pkt_send(tx, p, plen) != 0)
			abort();
		if (buf_put_string(sent, p, plen) != 0 ||
		    buf_consume(in, plen) != 0)
			abort();
	}
	wlen = buf_len(pkt_output(tx));
	if (wlen == 0)
		goto out;
	if ((wire = malloc(wlen)) == NULL)
		abort();
	memcpy(wire, buf_ptr(pkt_output(tx)), wlen);
	if (damage > 0)
		wire[(damage - 1) % wlen] ^= (uint8_t)(damage | 1);
	/* First half into rx, hand over to rx2, second half there. */
	half = wlen / 2;
	n1 = drain(rx, wire, half, chunk, seen);
	if (n1 >= 0) {
		if (pkt_export(rx, ex) != 0 || pkt_import(rx2, ex) != 0)
			abort();
		n2 = drain(rx2, wire + half, wlen - half, chunk, seen);
		if (damage == 0 && (n2 < 0 || !buf_equal(seen, sent)))
			abort();
	} else if (damage == 0)
		abort();
 out:
	free(wire);
	buf_free(in);
	buf_free(sent);
	buf_free(seen);
	buf_free(ex);
	pkt_free(tx);
	pkt_free(rx);
	pkt_free(rx2);
}

static void
mode_import(size_t combo, const uint8_t *d, size_t len)
{
	struct pkt_state *st = NULL;
	struct buf *b = buf_from(d, len), *pl = NULL;

	if (b == NULL || pkt_new(&st) != 0)
		abort();
	install(st, combo, false);
	install(st, combo, true);
	if (pkt_import(st, b) == 0) {
		/* An accepted state must be usable and bounded. */
		while (pkt_read(st, &pl) == 0 && pl != NULL) {
			buf_free(pl);
			pl = NULL;
		}
		(void)pkt_send(st, (const uint8_t *)"\x02", 1);
	}
	buf_free(b);
	pkt_free(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t combo, chunk;
	uint8_t mode;

	if (size < 3 || sodium_init() < 0)
		return 0;
	combo = data[0] % NCOMBOS;
	if (combos[combo].cipher != NULL &&
	    !cipher_is_available(cipher_by_name(combos[combo].cipher)))
		combo = 0;
	mode = data[1];
	chunk = (size_t)(mode >> 2) * 7 + 1;
	switch (mode & 3) {
	case 0:
		mode_raw(combo, data + 3, size - 3, chunk);
		break;
	case 1:
		mode_encode(combo, data + 3, size - 3, chunk, 0);
		break;
	case 2:
		mode_encode(combo, data + 3, size - 3, chunk, data[2]);
		break;
	default:
		mode_import(combo, data + 3, size - 3);
		break;
	}
	return 0;
}
