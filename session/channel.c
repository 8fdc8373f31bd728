/* SPDX-License-Identifier: ISC */
/*
 * The connection protocol's channel machinery (RFC 4254 §4, §5), in
 * hsshd-session (the logged-in user, no capabilities).  Every message
 * comes from the network after authentication and is attacker-
 * controlled: the peer may open channels up to CHAN_MAX (session channels
 * up to MaxSessions) and may send a channel no more than the window we
 * granted; anything it does outside the protocol ends the connection.
 * Session-specific requests are in chan-session.c, port forwarding in
 * chan-fwd.c.  Here too: channels over one socket, channels we open
 * (OPEN_CONFIRMATION / OPEN_FAILURE, at most CHAN_OPENING_MAX waiting),
 * non-blocking connects, listening sockets in the poll set, and the
 * ChannelTimeout clocks.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "policy/config.h"
#include "policy/match.h"
#include "session/channel-priv.h"
#include "session/chanmsg.h"
#include "session/env.h"
#include "session/hostkeys.h"

#define OPEN_ADMINISTRATIVELY_PROHIBITED CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED
#define OPEN_CONNECT_FAILED		CHAN_OPEN_CONNECT_FAILED
#define OPEN_UNKNOWN_CHANNEL_TYPE	CHAN_OPEN_UNKNOWN_CHANNEL_TYPE
#define OPEN_RESOURCE_SHORTAGE		CHAN_OPEN_RESOURCE_SHORTAGE

#define PREF_RFD	0
#define PREF_EFD	1
#define PREF_WFD	2
#define PREF_CONNECT	3	/* a connect in progress (the socket) */
#define PREF_LISTEN	4	/* a listening socket (id: its handle) */

static time_t
mono_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static time_t
conn_now(const struct conn *c)
{
	return c->now(c->now_ctx);
}

void
conn_set_clock(struct conn *c, time_t (*now)(void *), void *ctx)
{
	c->now = now;
	c->now_ctx = ctx;
	c->global_active = conn_now(c);
}

/*
 * The ChannelTimeout name of a channel type: the type itself, but for
 * agent, X11 and tunnel channels the names sshd_config(5) uses.
 */
static const char *
timeout_name(const char *type)
{
	if (strcmp(type, "auth-agent@openssh.com") == 0)
		return "agent-connection";
	if (strcmp(type, "x11") == 0)
		return "x11-connection";
	if (strcmp(type, "tun@openssh.com") == 0)
		return "tun-connection";
	return type;
}

/*
 * The ChannelTimeout seconds for name ("global" for the connection-wide
 * one): the first TYPE=INTERVAL entry whose pattern matches, as sshd; 0
 * if none does.  "global" is only ever matched by itself.
 */
static int
timeout_lookup(const struct hs_config *cfg, const char *name)
{
	char pat[CHAN_NAME_MAX + 1];
	const char *e, *eq;
	size_t i, len;
	int secs;
	bool global = strcmp(name, "global") == 0;

	for (i = 0; i < cfg->nchannel_timeouts; i++) {
		e = cfg->channel_timeouts[i];
		if ((eq = strchr(e, '=')) == NULL ||
		    (len = (size_t)(eq - e)) >= sizeof(pat))
			continue;
		memcpy(pat, e, len);
		pat[len] = '\0';
		if ((strcmp(pat, "global") == 0) != global)
			continue;
		if (!global && !match_pattern(name, pat, false))
			continue;
		if (config_parse_time(eq + 1, &secs) == 0)
			return secs;
	}
	return 0;
}

int
conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return HS_ERR_PROTOCOL;
}

const char *
conn_error(const struct conn *c)
{
	return c->err[0] != '\0' ? c->err : "protocol error";
}

struct buf *
conn_msg(uint8_t type, uint32_t recipient)
{
	struct buf *b;

	if ((b = buf_new()) == NULL || buf_put_u8(b, type) != 0 ||
	    buf_put_u32(b, recipient) != 0)
		fatal_f("out of memory");
	return b;
}

int
conn_send(struct conn *c, const struct buf *b)
{
	return c->io.send(c->io.ctx, b);
}

/* Send and free b. */
static int
conn_send_free(struct conn *c, struct buf *b)
{
	int r = conn_send(c, b);

	buf_free(b);
	return r;
}

int
conn_new(const struct conn_io *io, const struct sess_ops *ops,
    const struct session_init *si, const struct hs_config *cfg,
    struct conn **ret)
{
	struct conn *c;

	*ret = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return HS_ERR_ALLOC;
	c->io = *io;
	c->ops = *ops;
	c->si = si;
	c->cfg = cfg;
	c->path = sess_default_path(SESS_LOGIN_DEFS, si->uid == 0);
	c->now = mono_now;
	c->global_active = conn_now(c);
	c->timeout_global = timeout_lookup(cfg, "global");
	*ret = c;
	return 0;
}

void
conn_set_key_options(struct conn *c, const struct authkey_opts *kopts)
{
	c->kopts = kopts;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

/*
 * End one direction of a channel: a socket shared by both is shut down
 * in that direction (how) and stays open for the other; anything else is
 * closed.
 */
static void
chan_close_fd(struct channel *ch, int *fdp, int how)
{
	if (*fdp == -1)
		return;
	if (*fdp == ch->sock) {
		(void)shutdown(ch->sock, how);
		*fdp = -1;
		return;
	}
	close_fd(fdp);
}

/* Stop all I/O of a channel: descriptors, buffers, terminal. */
static void
chan_shutdown(struct conn *c, struct channel *ch)
{
	if (ch->rfd == ch->sock)
		ch->rfd = -1;
	if (ch->wfd == ch->sock)
		ch->wfd = -1;
	close_fd(&ch->sock);
	close_fd(&ch->wfd);
	close_fd(&ch->rfd);
	close_fd(&ch->efd);
	buf_reset(ch->wbuf);
	if (ch->sess != NULL) {
		sess_free(c, ch->sess);
		ch->sess = NULL;
	}
}

static void
chan_free(struct conn *c, struct channel *ch)
{
	chan_shutdown(c, ch);
	c->chans[ch->id] = NULL;
	c->nopen--;
	if (ch->session)
		c->nsessions--;
	if (ch->state == CHAN_OPENING)
		c->nopening--;
	buf_free(ch->wbuf);
	free(ch->type);
	free(ch->addrs);
	free(ch->addrlens);
	free(ch->target);
	free(ch);
}

void
conn_free(struct conn *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CONN_LISTENERS_MAX; i++)
		conn_listener_del(c, (int)i);
	for (i = 0; i < c->nslots; i++) {
		if (c->chans[i] != NULL)
			chan_free(c, c->chans[i]);
	}
	free(c->chans);
	free(c->prefs);
	free(c->path);
	free(c);
}

size_t
conn_nchannels(const struct conn *c)
{
	return c->nopen;
}

static struct channel *
chan_new(struct conn *c, const char *type, uint32_t peer_id, uint32_t rwin,
    uint32_t rmaxpkt)
{
	struct channel *ch;
	size_t i;

	for (i = 0; i < c->nslots && c->chans[i] != NULL; i++)
		;
	if (i == c->nslots) {
		c->chans = xrecallocarray(c->chans, c->nslots, c->nslots + 8,
		    sizeof(*c->chans));
		c->nslots += 8;
	}
	ch = xcalloc(1, sizeof(*ch));
	ch->id = (uint32_t)i;
	ch->gen = ++c->gen;
	ch->peer_id = peer_id;
	ch->lwin = ch->lwin_max = CHAN_WINDOW_DEFAULT;
	ch->lmaxpkt = CHAN_PACKET_DEFAULT;
	ch->rwin = rwin;
	ch->rmaxpkt = rmaxpkt;
	ch->wfd = ch->rfd = ch->efd = ch->sock = -1;
	ch->type = xstrdup(type);
	ch->timeout = timeout_lookup(c->cfg, timeout_name(type));
	ch->last_active = c->global_active = conn_now(c);
	if ((ch->wbuf = buf_new()) == NULL ||
	    buf_set_max_size(ch->wbuf, CHAN_WINDOW_DEFAULT) != 0)
		fatal_f("out of memory");
	c->chans[i] = ch;
	c->nopen++;
	return ch;
}

/* The channel a message names; NULL (and the reason recorded) if the
 * peer names one that is not open or that it has closed. */
static struct channel *
chan_lookup(struct conn *c, uint32_t id, const char *what)
{
	struct channel *ch;

	if (id >= c->nslots || (ch = c->chans[id]) == NULL) {
		(void)conn_fail(c, "%s for unknown channel %u", what, id);
		return NULL;
	}
	/* Before our CONFIRMATION the peer does not know the id; before its
	 * answer to our open it may only answer. */
	if (ch->state != CHAN_OPEN) {
		(void)conn_fail(c, "%s for channel %u before it is open", what,
		    id);
		return NULL;
	}
	if (ch->close_rcvd) {
		(void)conn_fail(c, "%s for channel %u after its CLOSE", what,
		    id);
		return NULL;
	}
	return ch;
}

/* ---- global requests (RFC 4254 §4) -------------------------------------- */

static int
conn_global_request(struct conn *c, struct buf *b)
{
	char *name = NULL;
	bool want_reply, ok = false;
	struct buf *reply, *extra = NULL;
	int r;

	if (buf_get_cstring(b, CHAN_NAME_MAX, &name, NULL) != 0 ||
	    buf_get_bool(b, &want_reply) != 0) {
		r = conn_fail(c, "malformed global request");
		goto out;
	}
	debug_f("global request %s (want reply %d)", name, want_reply);
	if (strcmp(name, "no-more-sessions@openssh.com") == 0) {
		if (buf_get_end(b) != 0) {
			r = conn_fail(c, "malformed %s", name);
			goto out;
		}
		c->no_more_sessions = true;
		ok = true;
	} else if (fwd_is_global(name)) {
		if ((extra = buf_new()) == NULL)
			fatal_f("out of memory");
		if ((r = fwd_global_request(c, name, b, want_reply, &ok,
		    extra)) != 0)
			goto out;
	} else if (strcmp(name, HOSTKEYS_PROVE_NAME) == 0) {
		r = hostkeys_prove(c->si, b, want_reply, &c->io);
		goto out;
	}
	/*
	 * keepalive@openssh.com fails as in OpenSSH (the reply itself is
	 * the point); anything else is unknown.
	 */
	r = 0;
	if (want_reply) {
		if ((reply = buf_new()) == NULL ||
		    buf_put_u8(reply, ok ? SSH2_MSG_REQUEST_SUCCESS :
		    SSH2_MSG_REQUEST_FAILURE) != 0 ||
		    (ok && extra != NULL && buf_putb(reply, extra) != 0))
			fatal_f("out of memory");
		r = conn_send_free(c, reply);
	}
 out:
	buf_free(extra);
	free(name);
	return r;
}

/* ---- opening channels (§5.1) -------------------------------------------- */

int
conn_open_failure(struct conn *c, uint32_t peer_id, uint32_t reason,
    const char *msg)
{
	struct buf *b = conn_msg(SSH2_MSG_CHANNEL_OPEN_FAILURE, peer_id);

	if (buf_put_u32(b, reason) != 0 || buf_put_cstring(b, msg) != 0 ||
	    buf_put_cstring(b, "") != 0)
		fatal_f("out of memory");
	return conn_send_free(c, b);
}

static int
conn_channel_open(struct conn *c, struct buf *b)
{
	char *type = NULL;
	uint32_t peer_id, rwin, rmaxpkt;
	struct channel *ch;
	struct buf *reply;
	int r;

	if (buf_get_cstring(b, CHAN_NAME_MAX, &type, NULL) != 0 ||
	    buf_get_u32(b, &peer_id) != 0 || buf_get_u32(b, &rwin) != 0 ||
	    buf_get_u32(b, &rmaxpkt) != 0) {
		r = conn_fail(c, "malformed CHANNEL_OPEN");
		goto out;
	}
	debug_f("channel open %s: peer %u window %u packet %u", type,
	    peer_id, rwin, rmaxpkt);
	if (strcmp(type, "direct-tcpip") == 0 ||
	    strcmp(type, "direct-streamlocal@openssh.com") == 0) {
		r = fwd_open_direct(c, type, peer_id, rwin, rmaxpkt, b);
		goto out;
	}
	if (strcmp(type, "session") != 0) {
		/* Channel types only a server opens, and tunnels. */
		bool known = strcmp(type, "x11") == 0 ||
		    strcmp(type, "forwarded-tcpip") == 0 ||
		    strcmp(type, "auth-agent@openssh.com") == 0 ||
		    strcmp(type, "tun@openssh.com") == 0;

		r = conn_open_failure(c, peer_id, known ?
		    OPEN_ADMINISTRATIVELY_PROHIBITED :
		    OPEN_UNKNOWN_CHANNEL_TYPE, known ?
		    "administratively prohibited" : "unknown channel type");
		goto out;
	}
	if (buf_get_end(b) != 0) {
		r = conn_fail(c, "malformed session CHANNEL_OPEN");
		goto out;
	}
	if (c->no_more_sessions) {
		r = conn_fail(c, "Possible attack: attempt to open a session "
		    "after additional sessions disabled");
		goto out;
	}
	if (rmaxpkt == 0) {
		r = conn_open_failure(c, peer_id, OPEN_CONNECT_FAILED,
		    "maximum packet size 0");
		goto out;
	}
	if (c->nopen >= CHAN_MAX) {
		r = conn_open_failure(c, peer_id, OPEN_RESOURCE_SHORTAGE,
		    "too many channels");
		goto out;
	}
	if (c->cfg->max_sessions >= 0 &&
	    c->nsessions >= (unsigned int)c->cfg->max_sessions) {
		r = conn_open_failure(c, peer_id, OPEN_ADMINISTRATIVELY_PROHIBITED,
		    "open failed: too many sessions (MaxSessions)");
		goto out;
	}
	ch = chan_new(c, type, peer_id, rwin, rmaxpkt);
	ch->sess = sess_new();
	ch->session = true;
	c->nsessions++;
	reply = conn_msg(SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, peer_id);
	if (buf_put_u32(reply, ch->id) != 0 ||
	    buf_put_u32(reply, ch->lwin) != 0 ||
	    buf_put_u32(reply, ch->lmaxpkt) != 0)
		fatal_f("out of memory");
	r = conn_send_free(c, reply);
 out:
	free(type);
	return r;
}

/* ---- channels over a socket, and channels we open ---------------------- */

/* The socket is connected (or accepted and confirmed): both ways open. */
static void
chan_sock_ready(struct conn *c, struct channel *ch)
{
	ch->rfd = ch->wfd = ch->sock;
	ch->output_started = true;
	ch->state = CHAN_OPEN;
	ch->last_active = c->global_active = conn_now(c);
}

int
conn_open_outbound(struct conn *c, const char *type, const struct buf *extra,
    int fd)
{
	struct channel *ch;
	struct buf *b;

	if (c->nopen >= CHAN_MAX || c->nopening >= CHAN_OPENING_MAX) {
		debug_f("%s: too many channels (%zu) or unanswered opens (%u)",
		    type, c->nopen, c->nopening);
		(void)close(fd);
		return HS_ERR_NO_BUFFER_SPACE;
	}
	ch = chan_new(c, type, 0, 0, 0);
	ch->state = CHAN_OPENING;
	ch->sock = fd;
	c->nopening++;
	if ((b = buf_new()) == NULL ||
	    buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN) != 0 ||
	    buf_put_cstring(b, type) != 0 || buf_put_u32(b, ch->id) != 0 ||
	    buf_put_u32(b, ch->lwin) != 0 || buf_put_u32(b, ch->lmaxpkt) != 0 ||
	    (extra != NULL && buf_putb(b, extra) != 0))
		fatal_f("out of memory");
	debug_f("channel %u: opening %s", ch->id, type);
	return conn_send_free(c, b);
}

/* The channel of an answer to our open; NULL (reason recorded) unless
 * it is one we opened and the peer has not answered yet. */
static struct channel *
chan_lookup_opening(struct conn *c, uint32_t id, const char *what)
{
	struct channel *ch;

	if (id >= c->nslots || (ch = c->chans[id]) == NULL) {
		(void)conn_fail(c, "%s for unknown channel %u", what, id);
		return NULL;
	}
	if (ch->state != CHAN_OPENING) {
		(void)conn_fail(c, "%s for channel %u, which is not waiting "
		    "for one", what, id);
		return NULL;
	}
	return ch;
}

static int
conn_open_confirmation(struct conn *c, struct buf *b)
{
	struct chanmsg_confirm m;
	struct channel *ch;

	if (chanmsg_open_confirmation(b, &m) != 0)
		return conn_fail(c, "malformed CHANNEL_OPEN_CONFIRMATION");
	if ((ch = chan_lookup_opening(c, m.id, "OPEN_CONFIRMATION")) == NULL)
		return HS_ERR_PROTOCOL;
	debug_f("channel %u: %s confirmed: peer %u window %u packet %u",
	    ch->id, ch->type, m.peer_id, m.window, m.maxpkt);
	c->nopening--;
	ch->peer_id = m.peer_id;
	ch->rwin = m.window;
	ch->rmaxpkt = m.maxpkt;
	chan_sock_ready(c, ch);
	/* Nothing could ever be sent on it: close it again. */
	if (ch->rmaxpkt == 0)
		ch->force_close = true;
	return 0;
}

static int
conn_open_fail(struct conn *c, struct buf *b)
{
	struct channel *ch;
	uint32_t id, reason;
	char *descr = NULL;

	if (chanmsg_open_failure(b, &id, &reason, &descr) != 0)
		return conn_fail(c, "malformed CHANNEL_OPEN_FAILURE");
	if ((ch = chan_lookup_opening(c, id, "OPEN_FAILURE")) == NULL) {
		free(descr);
		return HS_ERR_PROTOCOL;
	}
	/* The text is the peer's: %s with a bounded, NUL-free string; the
	 * log layer escapes control characters. */
	debug("channel %u: open of %s failed: reason %u: %.100s", ch->id,
	    ch->type, reason, descr);
	free(descr);
	chan_free(c, ch);
	return 0;
}

/* Try the channel's next address; the CONFIRMATION when one connects at
 * once, OPEN_FAILURE when none is left. */
static int
chan_connect_next(struct conn *c, struct channel *ch, int err)
{
	const struct sockaddr *sa;
	struct buf *b;
	int fd, r;

	while (ch->next_addr < ch->naddrs) {
		sa = (const struct sockaddr *)&ch->addrs[ch->next_addr];
		fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			err = errno;
			ch->next_addr++;
			continue;
		}
		if (connect(fd, sa, ch->addrlens[ch->next_addr++]) == 0) {
			ch->sock = fd;
			break;
		}
		if (errno == EINPROGRESS) {
			ch->sock = fd;
			return 0;	/* poll says when */
		}
		err = errno;
		(void)close(fd);
	}
	if (ch->sock == -1) {
		verbose("connect to %s failed: %s", ch->target,
		    strerror(err));
		r = conn_open_failure(c, ch->peer_id, OPEN_CONNECT_FAILED,
		    strerror(err));
		chan_free(c, ch);
		return r;
	}
	chan_sock_ready(c, ch);
	debug_f("channel %u: connected to %s", ch->id, ch->target);
	b = conn_msg(SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, ch->peer_id);
	if (buf_put_u32(b, ch->id) != 0 || buf_put_u32(b, ch->lwin) != 0 ||
	    buf_put_u32(b, ch->lmaxpkt) != 0)
		fatal_f("out of memory");
	return conn_send_free(c, b);
}

/* The connect in progress ended (poll said the socket is writable). */
static int
chan_connect_done(struct conn *c, struct channel *ch)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(ch->sock, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		return chan_connect_next(c, ch, 0);
	close_fd(&ch->sock);
	return chan_connect_next(c, ch, err);
}

int
conn_open_connect(struct conn *c, const char *type, uint32_t peer_id,
    uint32_t rwin, uint32_t rmaxpkt, const struct sockaddr_storage *addrs,
    const socklen_t *addrlens, size_t naddrs, const char *target)
{
	struct channel *ch;

	if (rmaxpkt == 0)
		return conn_open_failure(c, peer_id, OPEN_CONNECT_FAILED,
		    "maximum packet size 0");
	if (c->nopen >= CHAN_MAX)
		return conn_open_failure(c, peer_id, OPEN_RESOURCE_SHORTAGE,
		    "too many channels");
	if (naddrs == 0 || naddrs > FWD_ADDRS_MAX)
		return conn_open_failure(c, peer_id, OPEN_CONNECT_FAILED,
		    "no address");
	ch = chan_new(c, type, peer_id, rwin, rmaxpkt);
	ch->state = CHAN_CONNECTING;
	ch->addrs = xcalloc(naddrs, sizeof(*ch->addrs));
	ch->addrlens = xcalloc(naddrs, sizeof(*ch->addrlens));
	memcpy(ch->addrs, addrs, naddrs * sizeof(*addrs));
	memcpy(ch->addrlens, addrlens, naddrs * sizeof(*addrlens));
	ch->naddrs = naddrs;
	ch->target = xstrdup(target);
	return chan_connect_next(c, ch, ECONNREFUSED);
}

/* ---- listening sockets -------------------------------------------------- */

int
conn_listener_add(struct conn *c, int fd, conn_accept_fn accept_fn,
    conn_release_fn release, void *ctx, int *ret_handle)
{
	struct conn_listener *l;
	size_t i;

	for (i = 0; i < CONN_LISTENERS_MAX && c->listeners[i] != NULL; i++)
		;
	if (i == CONN_LISTENERS_MAX) {
		(void)close(fd);
		return HS_ERR_NO_BUFFER_SPACE;
	}
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->gen = ++c->gen;
	l->accept = accept_fn;
	l->release = release;
	l->ctx = ctx;
	c->listeners[i] = l;
	c->nlisteners++;
	if (ret_handle != NULL)
		*ret_handle = (int)i;
	return 0;
}

void
conn_listener_del(struct conn *c, int handle)
{
	struct conn_listener *l;

	if (handle < 0 || (size_t)handle >= CONN_LISTENERS_MAX ||
	    (l = c->listeners[handle]) == NULL)
		return;
	c->listeners[handle] = NULL;
	c->nlisteners--;
	(void)close(l->fd);
	if (l->release != NULL)
		l->release(c, l->ctx);
	free(l);
}

/* Accept one connection of a listener and hand it over. */
static int
listener_accept(struct conn *c, struct conn_listener *l)
{
	int fd;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			debug_f("accept: %s", strerror(errno));
		return 0;
	}
	return l->accept(c, fd, l->ctx);
}

/* ---- data, windows, EOF, CLOSE (§5.2, §5.3) ----------------------------- */

static int
conn_window_adjust(struct conn *c, struct buf *b)
{
	struct channel *ch;
	uint32_t id, add;

	if (buf_get_u32(b, &id) != 0 || buf_get_u32(b, &add) != 0 ||
	    buf_get_end(b) != 0)
		return conn_fail(c, "malformed WINDOW_ADJUST");
	if ((ch = chan_lookup(c, id, "WINDOW_ADJUST")) == NULL)
		return HS_ERR_PROTOCOL;
	if (add > UINT32_MAX - ch->rwin)
		return conn_fail(c, "channel %u: window adjust %u overflows "
		    "the window %u", id, add, ch->rwin);
	ch->rwin += add;
	return 0;
}

static int
conn_data(struct conn *c, struct buf *b, bool extended)
{
	struct channel *ch;
	const uint8_t *p;
	uint32_t id, code = 0;
	size_t len;

	if (buf_get_u32(b, &id) != 0 ||
	    (extended && buf_get_u32(b, &code) != 0) ||
	    buf_get_string_direct(b, PKT_MAX_PACKET, &p, &len) != 0 ||
	    buf_get_end(b) != 0)
		return conn_fail(c, "malformed CHANNEL_%sDATA",
		    extended ? "EXTENDED_" : "");
	if ((ch = chan_lookup(c, id, "CHANNEL_DATA")) == NULL)
		return HS_ERR_PROTOCOL;
	if (len > ch->lwin)
		return conn_fail(c, "channel %u: peer sent %zu bytes beyond "
		    "the window of %u", id, len, ch->lwin);
	if (len > ch->lmaxpkt)
		debug_f("channel %u: %zu bytes exceed the packet size %u",
		    id, len, ch->lmaxpkt);
	ch->lwin -= (uint32_t)len;
	if (len > 0)
		ch->last_active = c->global_active = conn_now(c);
	/*
	 * Extended data from the client has no destination; data after its
	 * EOF, or once we closed, has none either.  Dropped bytes count as
	 * consumed so the window comes back.
	 */
	if (extended || ch->eof_rcvd || ch->close_sent ||
	    (ch->output_started && ch->wfd == -1)) {
		ch->lconsumed += (uint32_t)len;
		return 0;
	}
	if (buf_put(ch->wbuf, p, len) != 0)
		return conn_fail(c, "channel %u: buffer full", id);
	return 0;
}

static int
conn_eof(struct conn *c, struct buf *b)
{
	struct channel *ch;
	uint32_t id;

	if (buf_get_u32(b, &id) != 0 || buf_get_end(b) != 0)
		return conn_fail(c, "malformed CHANNEL_EOF");
	if ((ch = chan_lookup(c, id, "CHANNEL_EOF")) == NULL)
		return HS_ERR_PROTOCOL;
	ch->eof_rcvd = true;
	return 0;
}

static int
conn_close(struct conn *c, struct buf *b)
{
	struct channel *ch;
	uint32_t id;

	if (buf_get_u32(b, &id) != 0 || buf_get_end(b) != 0)
		return conn_fail(c, "malformed CHANNEL_CLOSE");
	if ((ch = chan_lookup(c, id, "CHANNEL_CLOSE")) == NULL)
		return HS_ERR_PROTOCOL;
	ch->close_rcvd = true;
	/*
	 * A forwarded connection's last data often arrives together with
	 * EOF and CLOSE: it still goes to the socket before our CLOSE (as
	 * sshd's output drain).  Nothing more is read.  Otherwise nothing
	 * more goes anywhere: our CLOSE follows in conn_process.
	 */
	if (ch->sock != -1 && ch->wfd == ch->sock && buf_len(ch->wbuf) > 0) {
		chan_close_fd(ch, &ch->rfd, SHUT_RD);
		return 0;
	}
	chan_shutdown(c, ch);
	return 0;
}

/* ---- channel requests (§5.4) -------------------------------------------- */

static int
conn_channel_request(struct conn *c, struct buf *b)
{
	struct channel *ch;
	char *type = NULL;
	uint32_t id;
	bool want_reply, ok = false;
	int r;

	if (buf_get_u32(b, &id) != 0 ||
	    buf_get_cstring(b, CHAN_NAME_MAX, &type, NULL) != 0 ||
	    buf_get_bool(b, &want_reply) != 0) {
		r = conn_fail(c, "malformed CHANNEL_REQUEST");
		goto out;
	}
	if ((ch = chan_lookup(c, id, "CHANNEL_REQUEST")) == NULL) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	debug_f("channel %u: request %s (want reply %d)", id, type,
	    want_reply);
	/* A request crossing our CLOSE has no one to act on it. */
	if (ch->close_sent) {
		r = 0;
		goto out;
	}
	if ((r = sess_request(c, ch, type, b, &ok)) != 0)
		goto out;
	if (want_reply)
		r = conn_send_free(c, conn_msg(ok ? SSH2_MSG_CHANNEL_SUCCESS :
		    SSH2_MSG_CHANNEL_FAILURE, ch->peer_id));
 out:
	free(type);
	return r;
}

/* Replies to requests we sent (none want one yet): checked and ignored. */
static int
conn_channel_reply(struct conn *c, struct buf *b)
{
	uint32_t id;

	if (buf_get_u32(b, &id) != 0 || buf_get_end(b) != 0)
		return conn_fail(c, "malformed channel request reply");
	if (chan_lookup(c, id, "channel request reply") == NULL)
		return HS_ERR_PROTOCOL;
	return 0;
}

int
conn_input(struct conn *c, uint8_t type, struct buf *payload)
{
	switch (type) {
	case SSH2_MSG_GLOBAL_REQUEST:
		return conn_global_request(c, payload);
	case SSH2_MSG_REQUEST_SUCCESS:
	case SSH2_MSG_REQUEST_FAILURE:
		/* Answers to keep-alives; none are sent yet. */
		return 0;
	case SSH2_MSG_CHANNEL_OPEN:
		return conn_channel_open(c, payload);
	case SSH2_MSG_CHANNEL_OPEN_CONFIRMATION:
		return conn_open_confirmation(c, payload);
	case SSH2_MSG_CHANNEL_OPEN_FAILURE:
		return conn_open_fail(c, payload);
	case SSH2_MSG_CHANNEL_WINDOW_ADJUST:
		return conn_window_adjust(c, payload);
	case SSH2_MSG_CHANNEL_DATA:
		return conn_data(c, payload, false);
	case SSH2_MSG_CHANNEL_EXTENDED_DATA:
		return conn_data(c, payload, true);
	case SSH2_MSG_CHANNEL_EOF:
		return conn_eof(c, payload);
	case SSH2_MSG_CHANNEL_CLOSE:
		return conn_close(c, payload);
	case SSH2_MSG_CHANNEL_REQUEST:
		return conn_channel_request(c, payload);
	case SSH2_MSG_CHANNEL_SUCCESS:
	case SSH2_MSG_CHANNEL_FAILURE:
		return conn_channel_reply(c, payload);
	default:
		return HS_ERR_NOT_FOUND;
	}
}

/* ---- the channels' descriptors ------------------------------------------ */

/* Bytes of channel data we may send on ch now. */
static size_t
chan_send_room(struct conn *c, const struct channel *ch)
{
	size_t room = c->io.room(c->io.ctx), max;

	max = ch->rmaxpkt < CHAN_PACKET_DEFAULT ? ch->rmaxpkt :
	    CHAN_PACKET_DEFAULT;
	if (room > ch->rwin)
		room = ch->rwin;
	if (room > max)
		room = max;
	return room;
}

size_t
conn_pollfds_max(const struct conn *c)
{
	return 3 * c->nopen + c->nlisteners;
}

static void
add_pollfd(struct conn *c, struct pollfd *pfd, size_t *n, uint32_t id,
    uint32_t gen, int fd, short events, int which)
{
	pfd[*n].fd = fd;
	pfd[*n].events = events;
	pfd[*n].revents = 0;
	c->prefs[*n].id = id;
	c->prefs[*n].gen = gen;
	c->prefs[*n].which = which;
	(*n)++;
}

size_t
conn_pollfds(struct conn *c, struct pollfd *pfd, size_t max)
{
	struct channel *ch;
	size_t i, n = 0;
	bool can_send;

	if (c->nprefs < max) {
		c->prefs = xrecallocarray(c->prefs, c->nprefs, max,
		    sizeof(*c->prefs));
		c->nprefs = max;
	}
	for (i = 0; i < c->nslots; i++) {
		if ((ch = c->chans[i]) == NULL || ch->close_sent ||
		    ch->state == CHAN_OPENING)
			continue;
		if (n + 3 > max)
			break;
		if (ch->state == CHAN_CONNECTING) {
			add_pollfd(c, pfd, &n, ch->id, ch->gen, ch->sock,
			    POLLOUT, PREF_CONNECT);
			continue;
		}
		/* Back-pressure: a child's output waits for the peer's
		 * window and for the transport. */
		can_send = chan_send_room(c, ch) > 0;
		if (ch->rfd != -1 && can_send)
			add_pollfd(c, pfd, &n, ch->id, ch->gen, ch->rfd, POLLIN,
			    PREF_RFD);
		if (ch->efd != -1 && can_send)
			add_pollfd(c, pfd, &n, ch->id, ch->gen, ch->efd, POLLIN,
			    PREF_EFD);
		if (ch->wfd != -1 && buf_len(ch->wbuf) > 0)
			add_pollfd(c, pfd, &n, ch->id, ch->gen, ch->wfd,
			    POLLOUT, PREF_WFD);
	}
	/* New connections wait in the backlog while no channel can take
	 * them. */
	if (c->nopen >= CHAN_MAX || c->nopening >= CHAN_OPENING_MAX)
		return n;
	for (i = 0; i < CONN_LISTENERS_MAX && n < max; i++) {
		if (c->listeners[i] != NULL)
			add_pollfd(c, pfd, &n, (uint32_t)i,
			    c->listeners[i]->gen, c->listeners[i]->fd, POLLIN,
			    PREF_LISTEN);
	}
	return n;
}

/* Read what a child wrote and send it; EOF or an error closes the fd. */
static int
chan_read(struct conn *c, struct channel *ch, int *fdp, bool ext)
{
	uint8_t data[CHAN_PACKET_DEFAULT];
	struct buf *b;
	size_t room = chan_send_room(c, ch);
	ssize_t n;
	int r;

	if (room == 0)
		return 0;
	if (room > sizeof(data))
		room = sizeof(data);
	n = read(*fdp, data, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* EOF, or EIO from a terminal whose slave is closed. */
		if (n < 0 && errno != EIO)
			debug_f("channel %u: read: %s", ch->id,
			    strerror(errno));
		/* A socket that failed (reset) takes no more data either. */
		if (n < 0 && *fdp == ch->sock && ch->wfd != -1) {
			ch->lconsumed += (uint32_t)buf_len(ch->wbuf);
			buf_reset(ch->wbuf);
			chan_close_fd(ch, &ch->wfd, SHUT_WR);
		}
		chan_close_fd(ch, fdp, SHUT_RD);
		return 0;
	}
	ch->last_active = c->global_active = conn_now(c);
	b = conn_msg(ext ? SSH2_MSG_CHANNEL_EXTENDED_DATA :
	    SSH2_MSG_CHANNEL_DATA, ch->peer_id);
	if ((ext && buf_put_u32(b, 1) != 0) ||	/* SSH_EXTENDED_DATA_STDERR */
	    buf_put_string(b, data, (size_t)n) != 0)
		fatal_f("out of memory");
	ch->rwin -= (uint32_t)n;
	r = conn_send_free(c, b);
	return r;
}

/*
 * The child on a terminal has exited: send what it left in the master,
 * then EOF, as sshd does, even while a process it left behind keeps the
 * slave open (the master would never report EOF).  Bounded by the
 * window: with none left, the rest waits for the peer's adjust.
 */
static int
chan_drain_tty(struct conn *c, struct channel *ch)
{
	struct pollfd p;
	int i, r;

	for (i = 0; i < 64 && ch->rfd != -1 && chan_send_room(c, ch) > 0;
	    i++) {
		p.fd = ch->rfd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) == -1 && errno == EINTR)
			continue;
		if (p.revents == 0) {
			debug_f("channel %u: child exited, terminal drained",
			    ch->id);
			chan_close_fd(ch, &ch->rfd, SHUT_RD);
			break;
		}
		if ((r = chan_read(c, ch, &ch->rfd, false)) != 0)
			return r;
	}
	return 0;
}

/* Write what the peer sent to the child (or the socket). */
static void
chan_write(struct conn *c, struct channel *ch)
{
	ssize_t n;
	size_t len = buf_len(ch->wbuf);

	if (len == 0 || ch->wfd == -1)
		return;
	n = write(ch->wfd, buf_ptr(ch->wbuf), len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* The child closed its stdin: nobody wants the rest. */
		debug_f("channel %u: write: %s", ch->id,
		    n < 0 ? strerror(errno) : "no progress");
		ch->lconsumed += (uint32_t)len;
		buf_reset(ch->wbuf);
		chan_close_fd(ch, &ch->wfd, SHUT_WR);
		return;
	}
	ch->last_active = c->global_active = conn_now(c);
	ch->lconsumed += (uint32_t)n;
	(void)buf_consume(ch->wbuf, (size_t)n);
}

int
conn_poll_done(struct conn *c, const struct pollfd *pfd, size_t n)
{
	struct channel *ch;
	size_t i;
	int r;

	for (i = 0; i < n && i < c->nprefs; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (c->prefs[i].which == PREF_LISTEN) {
			struct conn_listener *l;

			if (c->prefs[i].id < CONN_LISTENERS_MAX &&
			    (l = c->listeners[c->prefs[i].id]) != NULL &&
			    l->gen == c->prefs[i].gen && l->fd == pfd[i].fd &&
			    (r = listener_accept(c, l)) != 0)
				return r;
			continue;
		}
		if (c->prefs[i].id >= c->nslots ||
		    (ch = c->chans[c->prefs[i].id]) == NULL ||
		    ch->gen != c->prefs[i].gen || ch->close_sent)
			continue;
		switch (c->prefs[i].which) {
		case PREF_RFD:
			if (ch->rfd == pfd[i].fd &&
			    (r = chan_read(c, ch, &ch->rfd, false)) != 0)
				return r;
			break;
		case PREF_EFD:
			if (ch->efd == pfd[i].fd &&
			    (r = chan_read(c, ch, &ch->efd, true)) != 0)
				return r;
			break;
		case PREF_WFD:
			if (ch->wfd == pfd[i].fd)
				chan_write(c, ch);
			break;
		case PREF_CONNECT:
			if (ch->state == CHAN_CONNECTING &&
			    ch->sock == pfd[i].fd &&
			    (r = chan_connect_done(c, ch)) != 0)
				return r;
			break;
		}
	}
	return 0;
}

void
conn_child_exited(struct conn *c, pid_t pid, int status)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		if (c->chans[i] != NULL && c->chans[i]->sess != NULL &&
		    sess_child_exited(c->chans[i]->sess, pid, status))
			return;
	}
}

/* One channel's state machine after events. */
static int
chan_process(struct conn *c, struct channel *ch)
{
	struct buf *b;
	int r;

	if (ch->close_sent)
		goto maybe_free;
	if (ch->state != CHAN_OPEN)
		return 0;
	/* The peer closed: its last data is still being written. */
	if (ch->close_rcvd && ch->wfd != -1 && buf_len(ch->wbuf) > 0)
		return 0;
	if (!ch->close_rcvd && !ch->force_close) {
		/* The peer's EOF reaches the child once its data has. */
		if (ch->eof_rcvd && buf_len(ch->wbuf) == 0 &&
		    ch->output_started)
			chan_close_fd(ch, &ch->wfd, SHUT_WR);
		/* Return the window once three packets' worth or half of
		 * it is used up (OpenSSH's rule). */
		if (!ch->eof_rcvd && ch->lconsumed > 0 &&
		    (ch->lwin_max - ch->lwin > 3 * ch->lmaxpkt ||
		    ch->lwin < ch->lwin_max / 2)) {
			b = conn_msg(SSH2_MSG_CHANNEL_WINDOW_ADJUST,
			    ch->peer_id);
			if (buf_put_u32(b, ch->lconsumed) != 0)
				fatal_f("out of memory");
			ch->lwin += ch->lconsumed;
			ch->lconsumed = 0;
			if ((r = conn_send_free(c, b)) != 0)
				return r;
		}
		if (ch->sess != NULL && ch->rfd != -1 &&
		    (sess_exit_pending(ch->sess) || sess_exit_done(ch->sess)) &&
		    isatty(ch->rfd) && (r = chan_drain_tty(c, ch)) != 0)
			return r;
		if (ch->sess != NULL && sess_exit_pending(ch->sess) &&
		    (r = sess_send_exit(c, ch)) != 0)
			return r;
		/* EOF once every byte of output has been sent. */
		if (!ch->eof_sent && ch->output_started && ch->rfd == -1 &&
		    ch->efd == -1) {
			if ((r = conn_send_free(c, conn_msg(
			    SSH2_MSG_CHANNEL_EOF, ch->peer_id))) != 0)
				return r;
			ch->eof_sent = true;
		}
	}
	/* CLOSE after EOF and the exit status (a socket's after both
	 * directions ended), when the peer closed, or when we close. */
	if (ch->close_rcvd || ch->force_close || (ch->eof_sent &&
	    (ch->sess == NULL || sess_exit_done(ch->sess)) &&
	    (ch->sock == -1 || ch->wfd == -1))) {
		if ((r = conn_send_free(c, conn_msg(SSH2_MSG_CHANNEL_CLOSE,
		    ch->peer_id))) != 0)
			return r;
		ch->close_sent = true;
		chan_shutdown(c, ch);
	}
 maybe_free:
	if (ch->close_sent && ch->close_rcvd) {
		debug_f("channel %u: closed", ch->id);
		chan_free(c, ch);
	}
	return 0;
}

int
conn_process(struct conn *c)
{
	size_t i;
	int r;

	for (i = 0; i < c->nslots; i++) {
		if (c->chans[i] != NULL &&
		    (r = chan_process(c, c->chans[i])) != 0)
			return r;
	}
	return 0;
}

/* ---- ChannelTimeout ----------------------------------------------------- */

/* Seconds left of a deadline as poll milliseconds (at least 0). */
static int
deadline_ms(time_t due, time_t now)
{
	time_t left = due > now ? due - now : 0;

	return left > INT_MAX / 1000 ? INT_MAX / 1000 * 1000 :
	    (int)left * 1000;
}

int
conn_timeouts(struct conn *c)
{
	struct channel *ch;
	time_t now = conn_now(c);
	size_t i;
	int next = -1, ms;

	if (c->timeout_global > 0 && c->nopen > 0) {
		if (now - c->global_active >= c->timeout_global) {
			verbose("closing all channels after %d seconds "
			    "without traffic (ChannelTimeout global)",
			    c->timeout_global);
			for (i = 0; i < c->nslots; i++) {
				if ((ch = c->chans[i]) != NULL &&
				    ch->state == CHAN_OPEN)
					ch->force_close = true;
			}
			c->global_active = now;
		} else
			next = deadline_ms(c->global_active +
			    c->timeout_global, now);
	}
	for (i = 0; i < c->nslots; i++) {
		if ((ch = c->chans[i]) == NULL || ch->state != CHAN_OPEN ||
		    ch->timeout <= 0 || ch->close_sent || ch->force_close)
			continue;
		if (now - ch->last_active >= ch->timeout) {
			verbose("channel %u: %s closed after %d seconds "
			    "without traffic (ChannelTimeout)", ch->id,
			    ch->type, ch->timeout);
			ch->force_close = true;
			continue;
		}
		ms = deadline_ms(ch->last_active + ch->timeout, now);
		if (next == -1 || ms < next)
			next = ms;
	}
	/* Channels just marked get their CLOSE from conn_process at once. */
	for (i = 0; i < c->nslots; i++) {
		if ((ch = c->chans[i]) != NULL && ch->force_close &&
		    !ch->close_sent)
			next = 0;
	}
	return next;
}
