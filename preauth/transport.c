/* SPDX-License-Identifier: ISC */
/*
 * The pre-auth child's SSH transport (hsshd-preauth: privsep user, chroot,
 * no capabilities, seccomp).  Everything read here is attacker-controlled
 * and goes through the version-line parser, the packet layer and struct
 * buf.  The host key signature comes from the monitor, which builds the
 * exchange hash from its own parts; this process never sees a private key.
 * The key exchanges themselves run in common/kexdrv.c, shared with
 * hsshd-session's re-keys.
 * Any protocol violation ends the connection with a DISCONNECT naming the
 * reason, and a log line.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/banner.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kexdrv.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "common/transport-common.h"
#include "preauth/monitor-client.h"
#include "preauth/transport.h"
#include "preauth/transport-priv.h"

/* Authentication attempts we answer before giving up (the monitor has the
 * real count once authentication lands there). */
#define TR_AUTH_TRIES_MAX	6

void
tr_exit(struct tr *t, int status)
{
	tr_flush(t);
	exit(status);
}

/* trc_ops: we end the connection with a DISCONNECT (queued). */
static void __attribute__((noreturn))
tr_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct tr *t = ctx;

	if (t->user != NULL)
		logit("Disconnecting authenticating user %s %s port %d: %s",
		    t->user, t->addr, t->port, msg);
	else
		logit("Disconnecting %s port %d: %s", t->addr, t->port, msg);
	tr_exit(t, reason == SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE ?
	    HELPER_EXIT_AUTHFAIL : HELPER_EXIT_NOAUTH);
}

/* Send DISCONNECT with a reason, log it, and end. */
void
tr_disconnect(struct tr *t, uint32_t reason, const char *fmt, ...)
{
	char msg[TRC_DISCONNECT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trc_disconnect(&t->trc, reason, "%s", msg);
}

void
tr_disconnect_quiet(struct tr *t, uint32_t reason, const char *msg)
{
	(void)trc_send_disconnect(t->pkt, reason, msg);
	tr_exit(t, HELPER_EXIT_AUTHFAIL);
}

/* Write what the packet layer has queued; blocks (in poll) until done. */
void
tr_flush(struct tr *t)
{
	struct pollfd pfd;

	if (t->pkt == NULL)
		return;
	while (trc_write(t->pkt, t->fd) > 0) {
		pfd.fd = t->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
}

void
tr_send(struct tr *t, struct buf *msg)
{
	int r;

	if ((r = pkt_send_buf(t->pkt, msg)) != 0)
		fatal_r(r, "pkt_send");
	buf_free(msg);
}

struct buf *
tr_msg(uint8_t type)
{
	struct buf *b;

	if ((b = buf_new()) == NULL || buf_put_u8(b, type) != 0)
		fatal("out of memory");
	return b;
}

/* The host key that signs with the negotiated algorithm (kexdrv ops). */
static const struct buf *
tr_hostkey_blob(void *ctx, const char *alg)
{
	const struct tr *t = ctx;
	size_t i;

	for (i = 0; i < t->hello->nkeys; i++) {
		if (kexdrv_list_has(t->hello->keys[i].sig_algs, alg))
			return t->hello->keys[i].blob;
	}
	return NULL;
}

/* A key exchange call failed: a protocol error ends the connection with
 * its reason, anything else is ours. */
static void __attribute__((noreturn))
tr_kex_failed(struct tr *t, int r)
{
	if (r == HS_ERR_NO_MATCH && t->kex.reason != 0)
		logit("Unable to negotiate with %s port %d: no matching "
		    "algorithms. Their offer: %s", t->addr, t->port,
		    t->kex.offer);
	if (t->kex.reason != 0)
		tr_disconnect(t, t->kex.reason, "%s", t->kex.errmsg);
	fatal_r(r, "key exchange: %s", t->kex.errmsg);
}

/* RFC 8308: tell the client which signature algorithms we accept. */
static void
tr_send_ext_info(struct tr *t)
{
	struct buf *b = tr_msg(SSH2_MSG_EXT_INFO);
	int r;

	if ((r = buf_put_u32(b, 1)) != 0 ||
	    (r = buf_put_cstring(b, "server-sig-algs")) != 0 ||
	    (r = buf_put_cstring(b, t->hello->server_sig_algs)) != 0)
		fatal_r(r, "EXT_INFO");
	tr_send(t, b);
}

/* trc_ops: KEXINIT, KEX_ECDH_INIT or NEWKEYS. */
static void
tr_kex_input(void *ctx, uint8_t type, struct buf *payload)
{
	struct tr *t = ctx;
	enum kexdrv_event ev;
	bool initial = !t->kex.first_done;
	int r;

	if ((r = kexdrv_input(&t->kex, type, payload, &ev)) != 0)
		tr_kex_failed(t, r);
	if (ev == KEXDRV_EV_DONE && initial && t->kex.neg.ext_info_c)
		tr_send_ext_info(t);
}

static void
tr_service_request(struct tr *t, struct buf *payload)
{
	char *service = NULL;
	struct buf *b;
	int r;

	if ((r = buf_get_cstring(payload, 64, &service, NULL)) != 0 ||
	    (r = buf_get_end(payload)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad SERVICE_REQUEST");
	if (strcmp(service, "ssh-userauth") != 0 || t->service_accepted)
		tr_disconnect(t, SSH2_DISCONNECT_SERVICE_NOT_AVAILABLE,
		    "service not available");
	b = tr_msg(SSH2_MSG_SERVICE_ACCEPT);
	if ((r = buf_put_cstring(b, service)) != 0)
		fatal_r(r, "SERVICE_ACCEPT");
	tr_send(t, b);
	t->service_accepted = true;
	free(service);
}

/* trc_ops: the peer's DISCONNECT. */
static void __attribute__((noreturn))
tr_peer_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct tr *t = ctx;

	logit("Received disconnect from %s port %d:%u: %s", t->addr, t->port,
	    reason, msg != NULL ? msg : "(unreadable)");
	tr_exit(t, HELPER_EXIT_DISCONNECTED);
}

/* trc_ops: what is not the transport head's. */
static void
tr_dispatch(void *ctx, uint8_t type, struct buf *payload)
{
	struct tr *t = ctx;
	int r;

	switch (type) {
	case SSH2_MSG_SERVICE_REQUEST:
		tr_service_request(t, payload);
		break;
	case SSH2_MSG_USERAUTH_REQUEST:
		if (!t->service_accepted || t->authenticated)
			tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "unexpected USERAUTH_REQUEST");
		ua_request(t, payload);
		break;
	case SSH2_MSG_USERAUTH_INFO_RESPONSE:
		if (!t->service_accepted || t->authenticated)
			tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "unexpected USERAUTH_INFO_RESPONSE");
		ua_info_response(t, payload);
		break;
	default:
		if ((r = trc_send_unimplemented(t->pkt)) != 0)
			fatal_r(r, "pkt_send");
		break;
	}
}

/* The monitor logs the close: only it knows whether the user is valid. */
static void
tr_closed(struct tr *t)
{
	tr_exit(t, HELPER_EXIT_CLOSED);
}

/* Version exchange; returns how many bytes of p it consumed. */
static size_t
tr_banner_bytes(struct tr *t, const uint8_t *p, size_t n)
{
	size_t used = 0;
	int r;

	r = banner_feed(t->banner, p, n, &used);
	if (r == 0 && !banner_done(t->banner))
		return used;		/* need more */
	if (r != 0) {
		/* Before keys, DISCONNECT would be read as garbage: say it
		 * in plain text, as sshd does. */
		static const char msg[] = "Invalid SSH identification string.\r\n";
		(void)write(t->fd, msg, sizeof(msg) - 1);
		logit("kex_exchange_identification: %s from %s port %d",
		    hs_err_str(r), t->addr, t->port);
		tr_exit(t, HELPER_EXIT_NOAUTH);
	}
	t->v_c = xstrdup(banner_line(t->banner));
	t->kex.v_c = t->v_c;
	(void)mm_peer_banner(t->v_c);
	return used;
}

int
transport_run(int fd, const struct mm_hello *hello, const char *addr,
    int port)
{
	struct tr t;
	struct pollfd pfd;
	uint8_t in[16384];
	size_t want, used;
	ssize_t n;
	int r;

	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.hello = hello;
	t.addr = addr;
	t.port = port;
	if ((r = pkt_new(&t.pkt)) != 0 ||
	    (r = banner_new(false, &t.banner)) != 0)
		fatal_r(r, "transport state");
	/* The monitor issues every KEXINIT and signs every exchange. */
	t.kex_ops.kexinit = kexdrv_rpc_kexinit;
	t.kex_ops.sign = kexdrv_rpc_sign;
	t.kex_ops.rpc = &t.rpc_fd;
	t.kex_ops.hostkey = tr_hostkey_blob;
	t.kex_ops.ctx = &t;
	t.rpc_fd = mm_fd();
	kexdrv_init(&t.kex, t.pkt, &t.kex_ops, hello->v_s);
	/* The transport head is common/transport-common.c. */
	t.trc_ops.disconnected = tr_disconnected;
	t.trc_ops.peer_disconnected = tr_peer_disconnected;
	t.trc_ops.kex_input = tr_kex_input;
	t.trc_ops.dispatch = tr_dispatch;
	t.trc_ops.ctx = &t;
	t.trc.pkt = t.pkt;
	t.trc.kex = &t.kex;
	t.trc.ops = &t.trc_ops;
	/* Our version line, then our KEXINIT, without waiting. */
	if ((r = buf_putf(pkt_output(t.pkt), "%s\r\n", hello->v_s)) != 0)
		fatal_r(r, "banner");
	if ((r = kexdrv_begin(&t.kex, hello->i_s)) != 0)
		tr_kex_failed(&t, r);

	for (;;) {
		tr_flush(&t);
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		want = sizeof(in);
		if (t.v_c != NULL && pkt_input_avail(t.pkt) < want)
			want = pkt_input_avail(t.pkt);
		if (want == 0)
			fatal("input buffer full");
		n = read(fd, in, want);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			logit("Read error from %s port %d: %s", addr, port,
			    strerror(errno));
			tr_exit(&t, HELPER_EXIT_NOAUTH);
		}
		if (n == 0)
			tr_closed(&t);
		if (t.v_c == NULL) {
			used = tr_banner_bytes(&t, in, (size_t)n);
			if (t.v_c == NULL)
				continue;
			r = pkt_feed(t.pkt, in + used, (size_t)n - used);
		} else
			r = pkt_feed(t.pkt, in, (size_t)n);
		if (r != 0)
			tr_disconnect(&t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "input: %s", hs_err_str(r));
		if ((r = trc_decode(&t.trc)) != 0) {
			logit("Bad packet from %s port %d: %s", addr, port,
			    hs_err_str(r));
			trc_corrupt(&t.trc, r);
		}
	}
}
