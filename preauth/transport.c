/* SPDX-License-Identifier: ISC */
/*
 * The pre-auth child's SSH transport (hsshd-preauth: privsep user, chroot,
 * no capabilities, seccomp).  Everything read here is attacker-controlled
 * and goes through the version-line parser, the packet layer and struct
 * buf.  The host key signature comes from the monitor, which builds the
 * exchange hash from its own parts; this process never sees a private key.
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

#include <sodium.h>

#include "common/banner.h"
#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kex.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/mem.h"
#include "common/pkt.h"
#include "common/ssh2.h"
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

/* Send DISCONNECT with a reason, log it, and end. */
void
tr_disconnect(struct tr *t, uint32_t reason, const char *fmt, ...)
{
	char msg[256];
	struct buf *b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->user != NULL)
		logit("Disconnecting authenticating user %s %s port %d: %s",
		    t->user, t->addr, t->port, msg);
	else
		logit("Disconnecting %s port %d: %s", t->addr, t->port, msg);
	if ((b = buf_new()) != NULL && buf_put_u8(b, SSH2_MSG_DISCONNECT) == 0 &&
	    buf_put_u32(b, reason) == 0 && buf_put_cstring(b, msg) == 0 &&
	    buf_put_cstring(b, "") == 0)
		(void)pkt_send_buf(t->pkt, b);
	buf_free(b);
	tr_exit(t, reason == SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE ?
	    HELPER_EXIT_AUTHFAIL : HELPER_EXIT_NOAUTH);
}

void
tr_disconnect_quiet(struct tr *t, uint32_t reason, const char *msg)
{
	struct buf *b;

	if ((b = buf_new()) != NULL && buf_put_u8(b, SSH2_MSG_DISCONNECT) == 0 &&
	    buf_put_u32(b, reason) == 0 && buf_put_cstring(b, msg) == 0 &&
	    buf_put_cstring(b, "") == 0)
		(void)pkt_send_buf(t->pkt, b);
	buf_free(b);
	tr_exit(t, HELPER_EXIT_AUTHFAIL);
}

/* Write what the packet layer has queued; blocks (in poll) until done. */
void
tr_flush(struct tr *t)
{
	struct buf *out;
	struct pollfd pfd;
	ssize_t n;

	if (t->pkt == NULL)
		return;
	out = pkt_output(t->pkt);
	while (buf_len(out) > 0) {
		n = write(t->fd, buf_ptr(out), buf_len(out));
		if (n > 0) {
			(void)buf_consume(out, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			pfd.fd = t->fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				break;
			continue;
		}
		/* The peer is gone; nothing more can be said to it. */
		buf_reset(out);
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

/* The host key that signs with the negotiated algorithm. */
static const struct buf *
tr_hostkey_blob(const struct tr *t, const char *alg)
{
	const char *p, *comma;
	size_t i, len;

	for (i = 0; i < t->hello->nkeys; i++) {
		for (p = t->hello->keys[i].sig_algs; *p != '\0'; p = comma + 1) {
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			if (len == strlen(alg) && strncmp(p, alg, len) == 0)
				return t->hello->keys[i].blob;
			if (comma == NULL)
				break;
		}
	}
	return NULL;
}

static void
tr_send_kexinit(struct tr *t)
{
	struct buf *b;

	if (t->first_kex_done) {
		/* A re-key needs a fresh KEXINIT issued by the monitor. */
		buf_free(t->i_s);
		t->i_s = mm_kex_rekey();
	}
	if ((b = buf_from(buf_ptr(t->i_s), buf_len(t->i_s))) == NULL)
		fatal("out of memory");
	tr_send(t, b);
	t->our_kexinit_sent = true;
}

static void
tr_kexinit(struct tr *t, struct buf *payload)
{
	struct kex_proposal *cprop = NULL;
	struct buf *copy;
	int r;

	if (t->kex == TR_KEX_WAIT_INIT || t->kex == TR_KEX_WAIT_NEWKEYS)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "KEXINIT during key exchange");
	buf_free(t->i_c);
	if ((t->i_c = buf_from(buf_ptr(payload), buf_len(payload))) == NULL ||
	    (copy = buf_from(buf_ptr(payload), buf_len(payload))) == NULL)
		fatal("out of memory");
	if ((r = kex_kexinit_parse(copy, &cprop)) != 0) {
		buf_free(copy);
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad KEXINIT: %s", hs_err_str(r));
	}
	buf_free(copy);
	if ((r = kex_negotiate(cprop, t->sprop, !t->first_kex_done,
	    &t->neg)) != 0) {
		logit("Unable to negotiate with %s port %d: no matching "
		    "algorithms. Their offer: kex %s, hostkey %s, cipher %s",
		    t->addr, t->port, cprop->names[KEX_PROP_KEX],
		    cprop->names[KEX_PROP_HOSTKEY],
		    cprop->names[KEX_PROP_ENC_C2S]);
		kex_proposal_free(cprop);
		tr_disconnect(t, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "no matching algorithms");
	}
	t->ignore_next_kex_packet = t->neg.ignore_guessed_packet;
	kex_proposal_free(cprop);
	if (!t->first_kex_done && t->neg.strict_kex) {
		/* Strict KEX: KEXINIT must have been the first packet. */
		struct pkt_counters c;

		pkt_get_counters(t->pkt, PKT_IN, &c);
		if (c.total_packets != 1)
			tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "strict KEX: KEXINIT was not the first packet");
		pkt_reset_seqnr_on_newkeys(t->pkt, true);
	}
	debug("kex: algorithm: %s", t->neg.kex->name);
	debug("kex: host key algorithm: %s", t->neg.hostkey_alg);
	debug("kex: client->server cipher: %s", t->neg.enc_c2s->name);
	debug("kex: server->client cipher: %s", t->neg.enc_s2c->name);
	if (!t->our_kexinit_sent)
		tr_send_kexinit(t);	/* client-initiated re-key */
	t->kex = TR_KEX_WAIT_INIT;
}

static void
tr_kex_init(struct tr *t, struct buf *payload)
{
	const struct buf *ks;
	const uint8_t *q_c;
	size_t q_c_len, hlen, want[KEX_KEY_MAX];
	struct buf *q_s = NULL, *k = NULL, *sig = NULL, *reply;
	struct kex_hash_input hi;
	struct cipher_ctx *cipher = NULL;
	struct mac_ctx *mac = NULL;
	uint8_t h[64];
	int r;

	if (t->kex != TR_KEX_WAIT_INIT)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
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
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad key exchange message: %s", hs_err_str(r));
	if ((q_s = buf_new()) == NULL || (k = buf_new()) == NULL ||
	    (sig = buf_new()) == NULL)
		fatal("out of memory");
	if ((r = kex_server(t->neg.kex, q_c, q_c_len, q_s, k)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_KEY_EXCHANGE_FAILED,
		    "key exchange failed: %s", hs_err_str(r));
	if ((ks = tr_hostkey_blob(t, t->neg.hostkey_alg)) == NULL)
		fatal("no host key for %s", t->neg.hostkey_alg);

	/* The monitor hashes with its own V_S, I_S, K_S and signs. */
	mm_kex_sign(t->i_c, q_c, q_c_len, buf_ptr(q_s), buf_len(q_s), k, sig);

	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)t->v_c;
	hi.v_c_len = strlen(t->v_c);
	hi.v_s = (const uint8_t *)t->hello->v_s;
	hi.v_s_len = strlen(t->hello->v_s);
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
	if (t->session_id == NULL && (t->session_id = buf_from(h, hlen)) == NULL)
		fatal("out of memory");
	kex_key_sizes(&t->neg, want);
	kex_keys_free(t->keys);
	t->keys = NULL;
	if ((r = kex_derive_keys(t->neg.kex, k, h, hlen,
	    buf_ptr(t->session_id), buf_len(t->session_id), want,
	    &t->keys)) != 0)
		fatal_r(r, "kex_derive_keys");
	sodium_memzero(h, sizeof(h));

	reply = tr_msg(SSH2_MSG_KEX_ECDH_REPLY);
	if ((r = buf_put_stringb(reply, ks)) != 0 ||
	    (r = (t->neg.kex->family == KEX_FAMILY_DH ?
	    buf_put_mpint(reply, buf_ptr(q_s), buf_len(q_s)) :
	    buf_put_stringb(reply, q_s))) != 0 ||
	    (r = buf_put_stringb(reply, sig)) != 0)
		fatal_r(r, "KEX reply");
	tr_send(t, reply);
	tr_send(t, tr_msg(SSH2_MSG_NEWKEYS));
	if ((r = kex_keys_contexts(&t->neg, t->keys, true, false, &cipher,
	    &mac)) != 0 || (r = pkt_set_keys(t->pkt, PKT_OUT, cipher, mac)) != 0)
		fatal_r(r, "outgoing keys");
	t->kex = TR_KEX_WAIT_NEWKEYS;
	buf_free(q_s);
	buf_free(k);
	buf_free(sig);
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

static void
tr_newkeys(struct tr *t, struct buf *payload)
{
	struct cipher_ctx *cipher = NULL;
	struct mac_ctx *mac = NULL;
	bool initial = !t->first_kex_done;
	int r;

	if (t->kex != TR_KEX_WAIT_NEWKEYS)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "unexpected NEWKEYS");
	if ((r = buf_get_end(payload)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR, "bad NEWKEYS");
	if ((r = kex_keys_contexts(&t->neg, t->keys, true, true, &cipher,
	    &mac)) != 0 || (r = pkt_set_keys(t->pkt, PKT_IN, cipher, mac)) != 0)
		fatal_r(r, "incoming keys");
	kex_keys_free(t->keys);
	t->keys = NULL;
	t->kex = TR_KEX_IDLE;
	t->our_kexinit_sent = false;
	t->first_kex_done = true;
	if (initial && t->neg.strict_kex)
		debug("kex: strict key exchange (kex-strict-s-v00@openssh.com)");
	if (initial && t->neg.ext_info_c)
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

static void
tr_peer_disconnect(struct tr *t, struct buf *payload)
{
	char *msg = NULL;
	uint32_t reason = 0;

	if (buf_get_u32(payload, &reason) != 0 ||
	    buf_get_cstring(payload, 1024, &msg, NULL) != 0)
		msg = NULL;
	logit("Received disconnect from %s port %d:%u: %s", t->addr, t->port,
	    reason, msg != NULL ? msg : "(unreadable)");
	free(msg);
	tr_exit(t, HELPER_EXIT_DISCONNECTED);
}

static void
tr_unimplemented(struct tr *t)
{
	struct pkt_counters c;
	struct buf *b = tr_msg(SSH2_MSG_UNIMPLEMENTED);

	pkt_get_counters(t->pkt, PKT_IN, &c);
	if (buf_put_u32(b, c.seqnr - 1) != 0)
		fatal("out of memory");
	tr_send(t, b);
}

static void
tr_dispatch(struct tr *t, struct buf *payload)
{
	uint8_t type;

	/* KEXINIT is hashed whole, type byte included; the others are
	 * parsed after it. */
	if (buf_peek_u8(payload, 0, &type) != 0 ||
	    (type != SSH2_MSG_KEXINIT && buf_consume(payload, 1) != 0))
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR, "empty packet");
	/* Strict KEX: nothing but key exchange until the first NEWKEYS. */
	if (!t->first_kex_done && t->neg.strict_kex &&
	    type != SSH2_MSG_KEXINIT && type != SSH2_MSG_KEX_ECDH_INIT &&
	    type != SSH2_MSG_NEWKEYS)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "strict KEX violation: unexpected message type %u", type);
	/* Before the first keys, only transport messages are allowed. */
	if (!t->first_kex_done && type >= SSH2_MSG_SERVICE_REQUEST &&
	    type != SSH2_MSG_KEXINIT && type != SSH2_MSG_KEX_ECDH_INIT &&
	    type != SSH2_MSG_NEWKEYS)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "message type %u before key exchange", type);
	/* During a re-key, only transport and kex messages. */
	if (t->kex != TR_KEX_IDLE && type > SSH2_MSG_EXT_INFO &&
	    (type < SSH2_MSG_KEXINIT || type > 49))
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "message type %u during key exchange", type);
	switch (type) {
	case SSH2_MSG_DISCONNECT:
		tr_peer_disconnect(t, payload);
		break;
	case SSH2_MSG_IGNORE:
	case SSH2_MSG_DEBUG:
	case SSH2_MSG_UNIMPLEMENTED:
		break;
	case SSH2_MSG_KEXINIT:
		tr_kexinit(t, payload);
		break;
	case SSH2_MSG_KEX_ECDH_INIT:
		tr_kex_init(t, payload);
		break;
	case SSH2_MSG_NEWKEYS:
		tr_newkeys(t, payload);
		break;
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
		tr_unimplemented(t);
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
	(void)mm_peer_banner(t->v_c);
	return used;
}

int
transport_run(int fd, const struct mm_hello *hello, const char *addr,
    int port)
{
	struct tr t;
	struct buf *payload;
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
	if ((t.i_s = buf_from(buf_ptr(hello->i_s),
	    buf_len(hello->i_s))) == NULL)
		fatal("out of memory");
	{
		struct buf *copy = buf_from(buf_ptr(hello->i_s),
		    buf_len(hello->i_s));

		if (copy == NULL || (r = kex_kexinit_parse(copy,
		    &t.sprop)) != 0)
			fatal_r(r, "own KEXINIT");
		buf_free(copy);
	}
	/* Our version line, then our KEXINIT, without waiting. */
	if ((r = buf_putf(pkt_output(t.pkt), "%s\r\n", hello->v_s)) != 0)
		fatal_r(r, "banner");
	tr_send_kexinit(&t);
	t.kex = TR_KEX_WAIT_KEXINIT;

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
		while ((r = pkt_read(t.pkt, &payload)) == 0 && payload != NULL) {
			tr_dispatch(&t, payload);
			buf_free(payload);
		}
		if (r != 0) {
			logit("Bad packet from %s port %d: %s", addr, port,
			    hs_err_str(r));
			tr_disconnect(&t, r == HS_ERR_MAC || r == HS_ERR_AEAD_TAG ?
			    SSH2_DISCONNECT_MAC_ERROR :
			    SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "Packet corrupt: %s", hs_err_str(r));
		}
	}
}
