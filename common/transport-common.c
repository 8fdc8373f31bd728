/* SPDX-License-Identifier: ISC */
/*
 * The transport code hsshd-preauth (privsep user, chroot, seccomp) and
 * hsshd-session (the logged-in user, no capabilities) share: the head of
 * the message dispatch, DISCONNECT and UNIMPLEMENTED, the decode loop and
 * the non-blocking write.  Every payload is attacker-controlled and read
 * through struct buf only.  What ends the process, and every log line
 * above debug, is the caller's (struct trc_ops).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kexdrv.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "common/transport-common.h"

/* A new message holding its type byte. */
static int
trc_msg(uint8_t type, struct buf **ret)
{
	struct buf *b = NULL;
	int r;

	*ret = NULL;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_u8(b, type)) != 0) {
		buf_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int
trc_send_disconnect(struct pkt_state *pkt, uint32_t reason, const char *msg)
{
	struct buf *b = NULL;
	int r;

	if ((r = trc_msg(SSH2_MSG_DISCONNECT, &b)) != 0 ||
	    (r = buf_put_u32(b, reason)) != 0 ||
	    (r = buf_put_cstring(b, msg)) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0)
		goto out;
	r = pkt_send_buf(pkt, b);
 out:
	buf_free(b);
	return r;
}

int
trc_send_unimplemented(struct pkt_state *pkt)
{
	struct pkt_counters c;
	struct buf *b = NULL;
	int r;

	/* The counter names the next packet; the one refused came before. */
	pkt_get_counters(pkt, PKT_IN, &c);
	if ((r = trc_msg(SSH2_MSG_UNIMPLEMENTED, &b)) != 0 ||
	    (r = buf_put_u32(b, c.seqnr - 1)) != 0)
		goto out;
	r = pkt_send_buf(pkt, b);
 out:
	buf_free(b);
	return r;
}

int
trc_parse_disconnect(struct buf *payload, uint32_t *reason, char **ret_msg)
{
	char *msg = NULL;
	int r;

	*reason = 0;
	*ret_msg = NULL;
	if ((r = buf_get_u32(payload, reason)) != 0 ||
	    (r = buf_get_cstring(payload, TRC_PEER_MSG_MAX, &msg, NULL)) != 0)
		goto out;
	*ret_msg = msg;
	msg = NULL;
 out:
	free(msg);
	return r;
}

/* DISCONNECT msg queued (best effort: the connection ends whether or
 * not it goes out); the caller ends the process. */
static void __attribute__((noreturn))
trc_end(const struct trc *t, uint32_t reason, const char *msg)
{
	(void)trc_send_disconnect(t->pkt, reason, msg);
	t->ops->disconnected(t->ops->ctx, reason, msg);
}

void
trc_disconnect(const struct trc *t, uint32_t reason, const char *fmt, ...)
{
	char msg[TRC_DISCONNECT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trc_end(t, reason, msg);
}

void
trc_corrupt(const struct trc *t, int r)
{
	trc_disconnect(t, r == HS_ERR_MAC || r == HS_ERR_AEAD_TAG ?
	    SSH2_DISCONNECT_MAC_ERROR : SSH2_DISCONNECT_PROTOCOL_ERROR,
	    "Packet corrupt: %s", hs_err_str(r));
}

void
trc_dispatch(const struct trc *t, struct buf *payload)
{
	char *msg = NULL;
	uint32_t reason = 0;
	uint8_t type;

	/* KEXINIT is hashed whole, type byte included; the others are
	 * parsed after it. */
	if (buf_peek_u8(payload, 0, &type) != 0 ||
	    (type != SSH2_MSG_KEXINIT && buf_consume(payload, 1) != 0))
		trc_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "empty packet");
	/* Strict KEX, before the first keys, and only transport messages
	 * between the peer's KEXINIT and its NEWKEYS (RFC 4253 §7.1). */
	if (kexdrv_check(t->kex, type) != 0)
		trc_disconnect(t, t->kex->reason, "%s", t->kex->errmsg);
	switch (type) {
	case SSH2_MSG_DISCONNECT:
		(void)trc_parse_disconnect(payload, &reason, &msg);
		t->ops->peer_disconnected(t->ops->ctx, reason, msg);
		break;
	case SSH2_MSG_IGNORE:
	case SSH2_MSG_DEBUG:
	case SSH2_MSG_UNIMPLEMENTED:
		break;
	case SSH2_MSG_KEXINIT:
	case SSH2_MSG_KEX_ECDH_INIT:
	case SSH2_MSG_NEWKEYS:
		t->ops->kex_input(t->ops->ctx, type, payload);
		break;
	default:
		t->ops->dispatch(t->ops->ctx, type, payload);
		break;
	}
}

int
trc_decode(const struct trc *t)
{
	struct buf *payload = NULL;
	int r;

	/* Bounded by the input fed: each round takes one packet out. */
	for (;;) {
		if (t->ops->is_paused != NULL && t->ops->is_paused(t->ops->ctx))
			return 0;
		if ((r = pkt_read(t->pkt, &payload)) != 0)
			return r;
		if (payload == NULL)
			return 0;
		if (t->ops->heard != NULL)
			t->ops->heard(t->ops->ctx);
		trc_dispatch(t, payload);
		buf_free(payload);
		payload = NULL;
	}
}

size_t
trc_write(struct pkt_state *pkt, int fd)
{
	struct buf *out = pkt_output(pkt);
	ssize_t n;

	while (buf_len(out) > 0) {
		n = write(fd, buf_ptr(out), buf_len(out));
		if (n > 0) {
			(void)buf_consume(out, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		/* The peer is gone; nothing more can be said to it. */
		buf_reset(out);
		break;
	}
	return buf_len(out);
}
