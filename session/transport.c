/* SPDX-License-Identifier: ISC */
/*
 * The transport and event loop of hsshd-session (the logged-in user, no
 * capabilities).  Everything read from the client socket is attacker-
 * controlled: it goes through the packet layer and struct buf, and any
 * protocol violation ends the connection with a DISCONNECT naming the
 * reason.  One ppoll() covers the client socket, the monitor's socket
 * and every channel's descriptors; SIGCHLD, SIGTERM and SIGHUP are
 * blocked except during that wait, and their handler only sets a flag
 * the loop reads.  Memory stays bounded: the socket
 * is not read while our output is backed up (SESS_OUTBUF_HIGH) or while
 * a key exchange holds back too much (SESS_KEXQUEUE_MAX), and channels
 * only read their children while the transport has room.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kex.h"
#include "common/kexdrv.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/mem.h"
#include "common/pkt.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "common/transport-common.h"
#include "policy/config.h"
#include "session/channel.h"
#include "session/exec.h"
#include "session/hostkeys.h"
#include "session/monitor-client.h"
#include "session/pty.h"
#include "session/transport-priv.h"
#include "session/transport.h"

/* Fixed pollfd entries before the channels' ones. */
#define PFD_SOCK	0
#define PFD_RPC		1
#define PFD_FIXED	2

static volatile sig_atomic_t got_sigchld, got_term;
/* Our signals stay blocked except inside ppoll(), which runs with this
 * mask: they interrupt the wait, and the loop looks at the flags. */
static sigset_t sig_waitmask;

static void
sig_handler(int sig)
{
	if (sig == SIGCHLD)
		got_sigchld = 1;
	else
		got_term = 1;
}

time_t
str_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Write everything queued, waiting in poll (before exit). */
static void
str_flush_blocking(struct str *t)
{
	struct pollfd pfd;
	int i;

	for (i = 0; i < 100 && trc_write(t->pkt, t->fd) > 0; i++) {
		pfd.fd = t->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) <= 0)
			break;
	}
}

static void __attribute__((noreturn))
str_exit(struct str *t, int status)
{
	str_flush_blocking(t);
	conn_free(t->conn);
	t->conn = NULL;
	mm_terminate((uint32_t)status);
	/* Wipe the keys on the way out. */
	pkt_free(t->pkt);
	t->pkt = NULL;
	kexdrv_clear(&t->kex);
	buf_free(t->queue);
	exit(status);
}

/* trc_ops: we end the connection with a DISCONNECT (queued). */
static void __attribute__((noreturn))
str_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct str *t = ctx;

	(void)reason;
	logit("Disconnecting user %s %s port %u: %s", t->si->user,
	    t->si->peer_addr, t->si->peer_port, msg);
	str_exit(t, HELPER_EXIT_OK);
}

void
str_send(struct str *t, struct buf *msg)
{
	int r;

	if ((r = pkt_send_buf(t->pkt, msg)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION,
		    "cannot send: %s", hs_err_str(r));
	buf_free(msg);
}

void
str_flush_queue(struct str *t)
{
	const uint8_t *p;
	size_t len;
	int r;

	while (buf_len(t->queue) > 0) {
		if ((r = buf_get_string_direct(t->queue, PKT_MAX_PACKET, &p,
		    &len)) != 0)
			fatal_r(r, "re-key queue");
		if ((r = pkt_send(t->pkt, p, len)) != 0)
			str_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION,
			    "cannot send: %s", hs_err_str(r));
	}
	buf_reset(t->queue);
}

/* conn_io: connection messages wait while our key exchange runs. */
static int
str_conn_send(void *ctx, const struct buf *payload)
{
	struct str *t = ctx;

	if (sk_holding(t)) {
		if (buf_len(t->queue) + buf_len(payload) + 4 >
		    SESS_KEXQUEUE_MAX)
			str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "too many messages during key exchange");
		return buf_put_stringb(t->queue, payload);
	}
	return pkt_send_buf(t->pkt, payload);
}

static size_t
str_conn_room(void *ctx)
{
	struct str *t = ctx;
	size_t out = buf_len(pkt_output(t->pkt));

	if (sk_holding(t) || out >= SESS_OUTBUF_HIGH)
		return 0;
	return SESS_OUTBUF_HIGH - out;
}

static void
str_unimplemented(struct str *t)
{
	int r;

	if ((r = trc_send_unimplemented(t->pkt)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION,
		    "cannot send: %s", hs_err_str(r));
}

/* trc_ops: the peer's DISCONNECT. */
static void __attribute__((noreturn))
str_peer_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct str *t = ctx;

	logit("Received disconnect from %s port %u:%u: %s", t->si->peer_addr,
	    t->si->peer_port, reason, msg != NULL ? msg : "(unreadable)");
	str_exit(t, HELPER_EXIT_OK);
}

/* trc_ops: the key exchange's messages (session/kex.c). */
static void
str_kex_input(void *ctx, uint8_t type, struct buf *payload)
{
	sk_input(ctx, type, payload);
}

/* trc_ops: what is not the transport head's. */
static void
str_dispatch(void *ctx, uint8_t type, struct buf *payload)
{
	struct str *t = ctx;
	int r;

	switch (type) {
	case SSH2_MSG_USERAUTH_REQUEST:
		/* RFC 4252 §5.1: ignored once authenticated. */
		break;
	default:
		if (type >= SSH2_MSG_GLOBAL_REQUEST &&
		    type <= SSH2_MSG_CHANNEL_FAILURE) {
			if ((r = conn_input(t->conn, type, payload)) ==
			    HS_ERR_NOT_FOUND) {
				str_unimplemented(t);
				break;
			}
			if (r == HS_ERR_PROTOCOL)
				str_disconnect(t,
				    SSH2_DISCONNECT_PROTOCOL_ERROR, "%s",
				    conn_error(t->conn));
			if (r != 0)
				str_disconnect(t,
				    SSH2_DISCONNECT_BY_APPLICATION,
				    "cannot send: %s", hs_err_str(r));
		} else
			str_unimplemented(t);
		break;
	}
}

/* trc_ops: any packet from the client shows it is alive
 * (ClientAliveInterval). */
static void
str_heard(void *ctx)
{
	struct str *t = ctx;

	t->last_heard = str_now();
	t->alive_unanswered = 0;
}

/*
 * ClientAliveInterval: after that long without a packet, ask the client
 * for an answer (keepalive@openssh.com, as sshd); after
 * ClientAliveCountMax unanswered asks, end the connection.  Returns the
 * milliseconds until the next check, or -1 if there is none.
 */
static int
str_client_alive(struct str *t)
{
	int interval = t->cfg->client_alive_interval;
	time_t now = str_now(), due;
	struct buf *b;

	if (interval <= 0)
		return -1;
	due = t->last_heard + (time_t)interval * (t->alive_unanswered + 1);
	if (now < due)
		return (int)((due - now) * 1000);
	if (t->alive_unanswered >= t->cfg->client_alive_count_max) {
		logit("Timeout, client not responding from user %s %s "
		    "port %u", t->si->user, t->si->peer_addr,
		    t->si->peer_port);
		str_exit(t, HELPER_EXIT_OK);
	}
	t->alive_unanswered++;
	if ((b = buf_new()) == NULL ||
	    buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST) != 0 ||
	    buf_put_cstring(b, "keepalive@openssh.com") != 0 ||
	    buf_put_bool(b, true) != 0)
		fatal("out of memory");
	/* A global request is a connection message: held during a re-key. */
	if (str_conn_send(t, b) != 0)
		str_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION,
		    "cannot send a keep-alive");
	buf_free(b);
	return interval * 1000;
}

/*
 * UnusedConnectionTimeout: the connection ends once no channel has been
 * open for that long (listening sockets of remote forwards do not
 * count, as in sshd).  Returns the milliseconds until the deadline, or
 * -1 if there is none.
 */
static int
str_unused(struct str *t)
{
	int limit = t->cfg->unused_connection_timeout;
	time_t now;

	if (limit <= 0)
		return -1;
	if (conn_nchannels(t->conn) > 0) {
		t->unused_since = 0;
		return -1;
	}
	now = str_now();
	if (t->unused_since == 0)
		t->unused_since = now;
	if (now - t->unused_since >= limit)
		str_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION,
		    "unused connection timeout: no open channels for %d "
		    "seconds", limit);
	return (int)(t->unused_since + limit - now) * 1000;
}

/* The earlier of two poll timeouts (-1: none). */
static int
min_timeout(int a, int b)
{
	if (a == -1)
		return b;
	if (b == -1)
		return a;
	return a < b ? a : b;
}

/* trc_ops: no decoding while the output is backed up. */
static bool
str_is_paused(void *ctx)
{
	struct str *t = ctx;

	return buf_len(pkt_output(t->pkt)) >= SESS_OUTBUF_HIGH;
}

/* Packets fed but not decoded (just read, after a pause, or the pre-auth
 * child's pending bytes). */
static void
str_decode(struct str *t)
{
	int r;

	if ((r = trc_decode(&t->trc)) != 0) {
		logit("Bad packet from %s port %u: %s", t->si->peer_addr,
		    t->si->peer_port, hs_err_str(r));
		trc_corrupt(&t->trc, r);
	}
}

/* Read from the client and handle every whole packet. */
static void
str_read(struct str *t)
{
	uint8_t in[16384];
	size_t want = sizeof(in);
	ssize_t n;
	int r;

	if (pkt_input_avail(t->pkt) < want)
		want = pkt_input_avail(t->pkt);
	if (want == 0)
		return;
	n = read(t->fd, in, want);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0)
			logit("Read error from %s port %u: %s",
			    t->si->peer_addr, t->si->peer_port,
			    strerror(errno));
		else
			logit("Connection closed by %s port %u",
			    t->si->peer_addr, t->si->peer_port);
		str_exit(t, HELPER_EXIT_OK);
	}
	if ((r = pkt_feed(t->pkt, in, (size_t)n)) != 0)
		str_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR, "input: %s",
		    hs_err_str(r));
	str_decode(t);
}

/* The monitor never speaks first: readable means it is gone. */
static void
str_rpc_event(struct str *t)
{
	struct buf *b = NULL;
	uint8_t type;
	int r;

	if ((r = rpc_recv(mm_fd(), RPC_MSG_MAX, &type, &b, NULL)) != 0) {
		/* No monitor, no log: stderr is all that is left. */
		mm_init(-1);
		log_set_handler(NULL, NULL);
		error("monitor connection lost: %s", hs_err_str(r));
		/* Exiting closes the terminals: their children hang up. */
		str_flush_blocking(t);
		pkt_free(t->pkt);
		exit(HELPER_EXIT_INTERNAL);
	}
	fatal("unexpected %s from the monitor", rpc_type_name(type));
}

static void
str_reap(struct str *t)
{
	pid_t pid;
	int status, i;

	if (!got_sigchld)
		return;
	got_sigchld = 0;
	/* Bounded: each round reaps one child of ours. */
	for (i = 0; i < 4096; i++) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			break;
		debug("child %ld exited with status 0x%x", (long)pid,
		    (unsigned int)status);
		conn_child_exited(t->conn, pid, status);
	}
}

static void
str_signals(void)
{
	struct sigaction sa;
	sigset_t ours;

	sigemptyset(&ours);
	sigaddset(&ours, SIGCHLD);
	sigaddset(&ours, SIGTERM);
	sigaddset(&ours, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &ours, &sig_waitmask) == -1)
		fatal("sigprocmask: %s", strerror(errno));
	sigdelset(&sig_waitmask, SIGCHLD);
	sigdelset(&sig_waitmask, SIGTERM);
	sigdelset(&sig_waitmask, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

int
sess_transport_import(const struct session_init *si, struct pkt_state **ret)
{
	struct kex_negotiated neg;
	struct pkt_state *st = NULL;
	struct cipher_ctx *c = NULL;
	struct mac_ctx *m = NULL;
	struct buf *blob = NULL;
	int r, i;

	*ret = NULL;
	memset(&neg, 0, sizeof(neg));
	if ((neg.kex = kex_alg_by_name(si->kex_alg)) == NULL ||
	    (neg.enc_c2s = cipher_by_name(si->enc_c2s)) == NULL ||
	    (neg.enc_s2c = cipher_by_name(si->enc_s2c)) == NULL)
		return HS_ERR_NO_MATCH;
	if (*si->mac_c2s != '\0' &&
	    (neg.mac_c2s = mac_by_name(si->mac_c2s)) == NULL)
		return HS_ERR_NO_MATCH;
	if (*si->mac_s2c != '\0' &&
	    (neg.mac_s2c = mac_by_name(si->mac_s2c)) == NULL)
		return HS_ERR_NO_MATCH;
	/* A MAC exactly where the cipher needs one. */
	if (neg.enc_c2s->is_aead != (neg.mac_c2s == NULL) ||
	    neg.enc_s2c->is_aead != (neg.mac_s2c == NULL))
		return HS_ERR_NO_MATCH;
	neg.strict_kex = si->strict_kex;
	if ((r = pkt_new(&st)) != 0)
		return r;
	for (i = 0; i < 2; i++) {
		if ((r = kex_keys_contexts(&neg, si->keys, true, i == 0, &c,
		    &m)) != 0)
			goto out;
		if ((r = pkt_set_keys(st, i == 0 ? PKT_IN : PKT_OUT, c,
		    m)) != 0) {
			cipher_free(c);
			mac_free(m);
			goto out;
		}
	}
	if ((blob = buf_from(buf_ptr(si->transport),
	    buf_len(si->transport))) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = pkt_import(st, blob)) != 0)
		goto out;
	*ret = st;
	st = NULL;
	r = 0;
 out:
	buf_free(blob);
	pkt_free(st);
	return r;
}

int
sess_transport_run(int fd, struct pkt_state *pkt,
    const struct session_init *si, const struct hs_config *cfg,
    const struct authkey_opts *kopts)
{
	static const struct sess_ops ops = {
		.spawn = exec_spawn,
		.pty_open = pty_monitor_open,
		.login = pty_monitor_login,
		.pty_close = pty_monitor_close,
		.ctx = NULL,
	};
	struct str t;
	struct conn_io io;
	struct pollfd *pfd = NULL;
	struct timespec ts;
	size_t npfd = 0, nchan, max;
	time_t now;
	int timeout, r, n;

	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.pkt = pkt;
	t.si = si;
	t.cfg = cfg;
	if ((t.queue = buf_new()) == NULL)
		fatal("out of memory");
	/* The transport head is common/transport-common.c. */
	t.trc_ops.disconnected = str_disconnected;
	t.trc_ops.peer_disconnected = str_peer_disconnected;
	t.trc_ops.kex_input = str_kex_input;
	t.trc_ops.dispatch = str_dispatch;
	t.trc_ops.heard = str_heard;
	t.trc_ops.is_paused = str_is_paused;
	t.trc_ops.ctx = &t;
	t.trc.pkt = t.pkt;
	t.trc.kex = &t.kex;
	t.trc.ops = &t.trc_ops;
	sk_init(&t);
	io.send = str_conn_send;
	io.room = str_conn_room;
	io.ctx = &t;
	if ((r = conn_new(&io, &ops, si, cfg, &t.conn)) != 0)
		fatal_r(r, "conn_new");
	conn_set_key_options(t.conn, kopts);
	/* UpdateHostKeys (PROTOCOL §2.5): every host key, once. */
	if ((r = hostkeys_announce(si, &io)) != 0)
		fatal_r(r, "cannot announce the host keys");
	str_signals();

	str_heard(&t);
	/* What the pre-auth child received but did not decode. */
	str_decode(&t);
	for (;;) {
		if (got_sigchld)
			str_reap(&t);
		if (got_term) {
			logit("Received signal; terminating session of %s",
			    si->user);
			str_exit(&t, HELPER_EXIT_OK);
		}
		/* ChannelTimeout first: what it closes goes out now. */
		n = conn_timeouts(t.conn);
		if ((r = conn_process(t.conn)) != 0)
			str_disconnect(&t, SSH2_DISCONNECT_BY_APPLICATION,
			    "cannot send: %s", hs_err_str(r));
		if (sk_due(&t))
			sk_start(&t);
		/* Before the write: a keep-alive must not wait a round. */
		timeout = min_timeout(str_client_alive(&t), n);
		timeout = min_timeout(timeout, str_unused(&t));
		(void)trc_write(t.pkt, t.fd);

		max = PFD_FIXED + conn_pollfds_max(t.conn);
		if (max > npfd) {
			pfd = xrecallocarray(pfd, npfd, max, sizeof(*pfd));
			npfd = max;
		}
		memset(pfd, 0, PFD_FIXED * sizeof(*pfd));
		pfd[PFD_SOCK].fd = fd;
		/* Back-pressure on the peer: no reading while our output
		 * or the re-key queue is backed up. */
		if (buf_len(pkt_output(t.pkt)) < SESS_OUTBUF_HIGH &&
		    buf_len(t.queue) < SESS_KEXQUEUE_MAX / 2 &&
		    pkt_input_avail(t.pkt) > 0)
			pfd[PFD_SOCK].events |= POLLIN;
		if (buf_len(pkt_output(t.pkt)) > 0)
			pfd[PFD_SOCK].events |= POLLOUT;
		pfd[PFD_RPC].fd = mm_fd();
		pfd[PFD_RPC].events = POLLIN;
		nchan = conn_pollfds(t.conn, pfd + PFD_FIXED, npfd - PFD_FIXED);

		if (t.rekey_deadline != 0 && t.kex.state == KEXDRV_IDLE) {
			now = str_now();
			n = t.rekey_deadline <= now ? 0 :
			    (int)((t.rekey_deadline - now) * 1000);
			if (timeout == -1 || n < timeout)
				timeout = n;
		}
		if (timeout >= 0) {
			ts.tv_sec = timeout / 1000;
			ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
		}
		n = ppoll(pfd, PFD_FIXED + nchan, timeout >= 0 ? &ts : NULL,
		    &sig_waitmask);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		if (pfd[PFD_RPC].revents != 0)
			str_rpc_event(&t);
		if ((pfd[PFD_SOCK].revents & POLLOUT) != 0)
			(void)trc_write(t.pkt, t.fd);
		if ((pfd[PFD_SOCK].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
			str_read(&t);
		str_decode(&t);
		if ((r = conn_poll_done(t.conn, pfd + PFD_FIXED, nchan)) != 0)
			str_disconnect(&t, SSH2_DISCONNECT_BY_APPLICATION,
			    "cannot send: %s", hs_err_str(r));
	}
}
