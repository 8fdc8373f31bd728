/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the server's key exchange driver
 * (common/kexdrv.c), fed as the transports feed it: a sequence of client
 * packets, each through the packet layer, kexdrv_check() and, for key
 * exchange messages, kexdrv_input(); the first refusal ends the run, as
 * a DISCONNECT would.  The monitor is a fake (a fixed server KEXINIT, a
 * fixed signature).  The input: one byte choosing a first exchange or a
 * resumed session, then records of u8 kind, u16 length, bytes; kinds
 * give a valid client KEXINIT, a raw KEXINIT, Q_C in a string, a raw
 * KEX_ECDH_INIT, NEWKEYS, or any message type.  Invariants abort.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/kexdrv.h"
#include "common/pkt.h"
#include "common/ssh2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* At most this many packets a run. */
#define FK_RECORDS_MAX	32

static void
props_fill(const char *props[KEX_PROP_MAX])
{
	props[KEX_PROP_KEX] = "curve25519-sha256,ecdh-sha2-nistp256";
	props[KEX_PROP_HOSTKEY] = "ssh-ed25519";
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] =
	    "chacha20-poly1305@openssh.com,aes128-ctr";
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] = "hmac-sha2-256";
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";
}

static struct buf *
kexinit(bool server)
{
	const char *props[KEX_PROP_MAX];
	struct buf *b = buf_new();

	props_fill(props);
	if (b == NULL || kex_kexinit_build(props, server, b) != 0)
		abort();
	return b;
}

static int
fk_kexinit(void *rpc, struct buf **ret)
{
	(void)rpc;
	*ret = kexinit(true);
	return 0;
}

static int
fk_sign(void *rpc, const struct buf *i_c, const uint8_t *q_c, size_t q_c_len,
    const uint8_t *q_s, size_t q_s_len, const struct buf *k, struct buf *sig)
{
	(void)rpc;
	(void)i_c;
	(void)q_c;
	(void)q_c_len;
	(void)q_s;
	(void)q_s_len;
	(void)k;
	return buf_put(sig, "sig", 3);
}

static const struct buf *
fk_hostkey(void *ctx, const char *alg)
{
	return strcmp(alg, "ssh-ed25519") == 0 ? ctx : NULL;
}

/* One client packet as the driver's caller would take it; -1 to stop. */
static int
fk_packet(struct kexdrv *d, struct pkt_state *cp, struct pkt_state *sp,
    const struct buf *msg)
{
	struct buf *p = NULL, *o;
	enum kexdrv_event ev;
	uint8_t type;
	int r, stop = 0;

	if (pkt_send_buf(cp, msg) != 0)
		return -1;
	o = pkt_output(cp);
	r = pkt_feed(sp, buf_ptr(o), buf_len(o));
	buf_reset(o);
	if (r != 0 || pkt_read(sp, &p) != 0 || p == NULL)
		return -1;
	if (buf_peek_u8(p, 0, &type) != 0 ||
	    (type != SSH2_MSG_KEXINIT && buf_consume(p, 1) != 0)) {
		buf_free(p);
		return -1;
	}
	if ((r = kexdrv_check(d, type)) == 0 &&
	    (type == SSH2_MSG_KEXINIT || type == SSH2_MSG_KEX_ECDH_INIT ||
	    type == SSH2_MSG_NEWKEYS)) {
		r = kexdrv_input(d, type, p, &ev);
		if (r == 0 && ev == KEXDRV_EV_NEWKEYS_SENT &&
		    (d->session_id == NULL || d->keys == NULL ||
		    d->state != KEXDRV_WAIT_NEWKEYS))
			abort();
		/* The client's keys changed: it cannot follow. */
		if (r == 0 && ev == KEXDRV_EV_DONE) {
			if (d->keys != NULL || d->state != KEXDRV_IDLE ||
			    !d->first_done)
				abort();
			stop = 1;
		}
	}
	buf_free(p);
	if (r != 0 && d->errmsg[0] == '\0')
		abort();
	/* What the server said is not looked at. */
	buf_reset(pkt_output(sp));
	return r != 0 || stop ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sid[32] = { 1 };
	struct pkt_state *cp = NULL, *sp = NULL;
	struct kexdrv_ops ops;
	struct kexdrv d;
	struct buf *in = NULL, *hk = NULL, *msg = NULL, *i_s = NULL;
	const uint8_t *p;
	size_t len, n;
	uint8_t mode, kind, l[2];

	if (sodium_init() < 0)
		abort();
	if (size < 1 || (in = buf_from(data, size)) == NULL)
		return 0;
	if (pkt_new(&cp) != 0 || pkt_new(&sp) != 0 ||
	    (hk = buf_new()) == NULL ||
	    buf_put_cstring(hk, "ssh-ed25519") != 0 ||
	    buf_put_string(hk, sid, sizeof(sid)) != 0)
		abort();
	memset(&ops, 0, sizeof(ops));
	ops.kexinit = fk_kexinit;
	ops.sign = fk_sign;
	ops.hostkey = fk_hostkey;
	ops.ctx = hk;
	kexdrv_init(&d, sp, &ops, "SSH-2.0-hsshd_fuzz");
	d.v_c = "SSH-2.0-fuzz";
	if (buf_get_u8(in, &mode) != 0)
		abort();
	if ((mode & 1) == 0) {
		i_s = kexinit(true);
		if (kexdrv_begin(&d, i_s) != 0)
			abort();
	} else if (kexdrv_resume(&d, sid, sizeof(sid)) != 0)
		abort();
	buf_reset(pkt_output(sp));
	for (n = 0; n < FK_RECORDS_MAX; n++) {
		if (buf_get_u8(in, &kind) != 0 || buf_get_u8(in, &l[0]) != 0 ||
		    buf_get_u8(in, &l[1]) != 0)
			break;
		len = ((size_t)l[0] << 8) | l[1];
		if (len > buf_len(in))
			len = buf_len(in);
		p = buf_ptr(in);
		if ((msg = buf_new()) == NULL)
			abort();
		switch (kind % 6) {
		case 0:		/* a valid client KEXINIT */
			buf_free(msg);
			msg = kexinit(false);
			len = 0;
			break;
		case 1:
			if (buf_put_u8(msg, SSH2_MSG_KEXINIT) != 0 ||
			    buf_put(msg, p, len) != 0)
				abort();
			break;
		case 2:
			if (buf_put_u8(msg, SSH2_MSG_KEX_ECDH_INIT) != 0 ||
			    buf_put_string(msg, p, len) != 0)
				abort();
			break;
		case 3:
			if (buf_put_u8(msg, SSH2_MSG_KEX_ECDH_INIT) != 0 ||
			    buf_put(msg, p, len) != 0)
				abort();
			break;
		case 4:
			if (buf_put_u8(msg, SSH2_MSG_NEWKEYS) != 0 ||
			    buf_put(msg, p, len) != 0)
				abort();
			break;
		default:	/* any type: the first byte */
			if (len == 0 || buf_put(msg, p, len) != 0) {
				buf_free(msg);
				msg = NULL;
			}
			break;
		}
		if (buf_consume(in, len) != 0)
			abort();
		if (msg != NULL && buf_len(msg) > PKT_MAX_PACKET - 1024) {
			buf_free(msg);
			msg = NULL;
		}
		if (msg != NULL && fk_packet(&d, cp, sp, msg) != 0)
			break;
		buf_free(msg);
		msg = NULL;
	}
	buf_free(msg);
	kexdrv_clear(&d);
	buf_free(i_s);
	buf_free(hk);
	buf_free(in);
	pkt_free(cp);
	pkt_free(sp);
	return 0;
}
