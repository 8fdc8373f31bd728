/* SPDX-License-Identifier: ISC */
/*
 * Port forwarding in hsshd-session (the logged-in user, no
 * capabilities): "direct-tcpip" and "direct-streamlocal@openssh.com"
 * channels the client opens (ssh -L, ssh -D), and the "tcpip-forward" /
 * "streamlocal-forward@openssh.com" global requests (ssh -R) whose
 * listening sockets open "forwarded-tcpip" / "forwarded-streamlocal@
 * openssh.com" channels towards the client.  Every request comes from
 * the network after authentication and is attacker-controlled: it is
 * parsed by chanmsg.c, decided by sshd's rules (AllowTcpForwarding,
 * AllowStreamLocalForwarding, DisableForwarding, PermitOpen,
 * PermitListen, GatewayPorts, the key's no-port-forwarding, permitopen=
 * and permitlisten=), and a refusal is an OPEN_FAILURE or REQUEST_FAILURE
 * with a log line, never the end of the connection.  Connections and
 * sockets are the user's own: this process has the user's rights only.
 * The channel machinery (connects, listeners, windows) is channel.c's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sessinit.h"
#include "common/txt.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/channel-priv.h"
#include "session/chanmsg.h"

/* Privileged ports (sshd's IPPORT_RESERVED rule for remote forwards). */
#define FWD_PORT_RESERVED	1024u
#define FWD_BACKLOG		128

/* One remote forward: its listening sockets (one per bound address). */
struct fwd_listen {
	size_t		 slot;		/* in conn->fwds */
	char		*host;		/* the bind address as the client sent
					   it (TCP), echoed in each open */
	uint32_t	 port;		/* the port bound (TCP) */
	char		*path;		/* the socket file we made, or NULL */
	int		 handles[FWD_ADDRS_MAX];
	size_t		 nhandles;	/* listeners still open */
};

/* Forwarding of kind (CONFIG_FWD_LOCAL or _REMOTE) by the setting
 * (AllowTcpForwarding or AllowStreamLocalForwarding), DisableForwarding
 * and the key's no-port-forwarding. */
static bool
fwd_allowed(const struct conn *c, int setting, int kind)
{
	return (setting & kind) != 0 && c->cfg->disable_forwarding != 1 &&
	    (c->kopts == NULL || c->kopts->permit_port_forwarding);
}

/*
 * Whether a PermitOpen / PermitListen / permitopen= / permitlisten=
 * entry ("host:port", "[v6]:port"; "*" for any host or port) allows
 * host and port.  Host names compare exactly, as in sshd.
 */
static bool
permit_match(const char *entry, const char *host, uint32_t port)
{
	struct txt t, h, p;
	char *ps = NULL;
	int n;
	bool ok = false;

	txt_init(&t, entry, strlen(entry));
	if (txt_accept(&t, '[')) {
		if (txt_get_field(&t, ']', FWD_HOST_MAX, &h) != 0 ||
		    !txt_accept(&t, ':'))
			return false;
	} else if (txt_get_field(&t, ':', FWD_HOST_MAX, &h) != 0)
		return false;
	p = t;
	if (txt_equals(&p, "*"))
		ok = true;
	else if (txt_strdup(&p, 16, &ps) == 0 &&
	    config_parse_port(ps, &n) == 0 && (uint32_t)n == port)
		ok = true;
	free(ps);
	return ok && (txt_equals(&h, "*") || txt_equals(&h, host));
}

/* Whether a list allows host:port; an empty list allows anything, a
 * list of the one word "none" nothing. */
static bool
permit_list_ok(char *const *list, size_t n, const char *host, uint32_t port)
{
	size_t i;

	if (n == 0)
		return true;
	if (n == 1 && strcmp(list[0], "none") == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (permit_match(list[i], host, port))
			return true;
	}
	return false;
}

/* ---- direct-tcpip, direct-streamlocal@openssh.com (ssh -L, -D) ---------- */

static int
open_direct_tcpip(struct conn *c, uint32_t peer_id, uint32_t rwin,
    uint32_t rmaxpkt, const struct chanmsg_fwd *f)
{
	struct sockaddr_storage addrs[FWD_ADDRS_MAX];
	socklen_t lens[FWD_ADDRS_MAX];
	struct addrinfo hints, *res = NULL, *ai;
	char port[16], target[FWD_HOST_MAX + 16];
	size_t n = 0;
	int r;

	if (!fwd_allowed(c, c->cfg->allow_tcp_forwarding, CONFIG_FWD_LOCAL)) {
		logit("refused local port forward: originator %s port %u, "
		    "target %s port %u", f->orig, f->orig_port, f->host,
		    f->port);
		return conn_open_failure(c, peer_id,
		    CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED,
		    "administratively prohibited");
	}
	if (!permit_list_ok(c->cfg->permit_open, c->cfg->npermit_open,
	    f->host, f->port) || (c->kopts != NULL &&
	    !permit_list_ok(c->kopts->permitopen, c->kopts->npermitopen,
	    f->host, f->port))) {
		logit("Received request from %s port %u to connect to host %s "
		    "port %u, but the request was denied.", c->si->peer_addr,
		    c->si->peer_port, f->host, f->port);
		return conn_open_failure(c, peer_id,
		    CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED,
		    "administratively prohibited");
	}
	if (f->port > 65535)
		return conn_open_failure(c, peer_id, CHAN_OPEN_CONNECT_FAILED,
		    "invalid target port");
	snprintf(port, sizeof(port), "%u", f->port);
	snprintf(target, sizeof(target), "%s port %u", f->host, f->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->cfg->address_family >= 0 ?
	    c->cfg->address_family : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* A blocking look-up, as sshd's: the user's own name service. */
	if ((r = getaddrinfo(f->host, port, &hints, &res)) != 0) {
		verbose("connect to %s failed: %s", target, gai_strerror(r));
		return conn_open_failure(c, peer_id, CHAN_OPEN_CONNECT_FAILED,
		    gai_strerror(r));
	}
	for (ai = res; ai != NULL && n < FWD_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(addrs[0]))
			continue;
		memset(&addrs[n], 0, sizeof(addrs[n]));
		memcpy(&addrs[n], ai->ai_addr, ai->ai_addrlen);
		lens[n++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	debug("direct-tcpip from %s port %u to %s", f->orig, f->orig_port,
	    target);
	return conn_open_connect(c, "direct-tcpip", peer_id, rwin, rmaxpkt,
	    addrs, lens, n, target);
}

/* A Unix-domain socket address for path; false if it does not fit. */
static bool
unix_addr(const char *path, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	size_t plen = strlen(path);

	memset(ss, 0, sizeof(*ss));
	if (plen == 0 || plen >= sizeof(sun->sun_path))
		return false;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, plen);
	*len = (socklen_t)sizeof(*sun);
	return true;
}

static int
open_direct_streamlocal(struct conn *c, uint32_t peer_id, uint32_t rwin,
    uint32_t rmaxpkt, const struct chanmsg_fwd *f)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!fwd_allowed(c, c->cfg->allow_streamlocal_forwarding,
	    CONFIG_FWD_LOCAL)) {
		logit("refused streamlocal port forward: originator %s port "
		    "%u, target %s", c->si->peer_addr, c->si->peer_port,
		    f->path);
		return conn_open_failure(c, peer_id,
		    CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED,
		    "administratively prohibited");
	}
	if (!unix_addr(f->path, &ss, &len))
		return conn_open_failure(c, peer_id, CHAN_OPEN_CONNECT_FAILED,
		    "invalid socket path");
	debug("direct-streamlocal to %s", f->path);
	return conn_open_connect(c, "direct-streamlocal@openssh.com", peer_id,
	    rwin, rmaxpkt, &ss, &len, 1, f->path);
}

int
fwd_open_direct(struct conn *c, const char *type, uint32_t peer_id,
    uint32_t rwin, uint32_t rmaxpkt, struct buf *payload)
{
	struct chanmsg_fwd f;
	bool tcp = strcmp(type, "direct-tcpip") == 0;
	int r;

	if ((tcp ? chanmsg_direct_tcpip(payload, &f) :
	    chanmsg_direct_streamlocal(payload, &f)) != 0)
		return conn_fail(c, "malformed %s CHANNEL_OPEN", type);
	r = tcp ? open_direct_tcpip(c, peer_id, rwin, rmaxpkt, &f) :
	    open_direct_streamlocal(c, peer_id, rwin, rmaxpkt, &f);
	chanmsg_fwd_free(&f);
	return r;
}

/* ---- tcpip-forward, streamlocal-forward@openssh.com (ssh -R) ------------ */

static void
fwd_release(struct conn *c, void *ctx)
{
	struct fwd_listen *fl = ctx;

	if (--fl->nhandles > 0)
		return;
	/* The last socket of the forward is closed: the file goes too. */
	if (fl->path != NULL && unlink(fl->path) == -1 && errno != ENOENT)
		debug_f("unlink %s: %s", fl->path, strerror(errno));
	c->fwds[fl->slot] = NULL;
	free(fl->host);
	free(fl->path);
	free(fl);
}

int
conn_accepted_peer(int fd, char *addr, size_t addrlen, uint32_t *ret_port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char port[NI_MAXSERV];

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, len, addr, addrlen, port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		debug_f("getpeername: %s", strerror(errno));
		(void)close(fd);
		return HS_ERR_SYSTEM;
	}
	*ret_port = (uint32_t)strtoul(port, NULL, 10);
	return 0;
}

static int
fwd_accept_tcp(struct conn *c, int fd, void *ctx)
{
	struct fwd_listen *fl = ctx;
	char addr[NI_MAXHOST];
	uint32_t port;
	struct buf *extra;
	int r;

	if (conn_accepted_peer(fd, addr, sizeof(addr), &port) != 0)
		return 0;
	debug("connection to %s port %u forwarded from %s port %u",
	    fl->host, fl->port, addr, port);
	if ((extra = buf_new()) == NULL ||
	    buf_put_cstring(extra, fl->host) != 0 ||
	    buf_put_u32(extra, fl->port) != 0 ||
	    buf_put_cstring(extra, addr) != 0 ||
	    buf_put_u32(extra, port) != 0)
		fatal_f("out of memory");
	r = conn_open_outbound(c, "forwarded-tcpip", extra, fd);
	buf_free(extra);
	/* Too many channels refuses this connection, not the client's. */
	return r == HS_ERR_NO_BUFFER_SPACE ? 0 : r;
}

static int
fwd_accept_local(struct conn *c, int fd, void *ctx)
{
	struct fwd_listen *fl = ctx;
	struct buf *extra;
	int r;

	debug("connection to %s forwarded", fl->path);
	if ((extra = buf_new()) == NULL ||
	    buf_put_cstring(extra, fl->path) != 0 ||
	    buf_put_cstring(extra, "") != 0)
		fatal_f("out of memory");
	r = conn_open_outbound(c, "forwarded-streamlocal@openssh.com", extra,
	    fd);
	buf_free(extra);
	return r == HS_ERR_NO_BUFFER_SPACE ? 0 : r;
}

/* A free forward slot with a new record, or NULL if all are used. */
static struct fwd_listen *
fwd_new(struct conn *c)
{
	struct fwd_listen *fl;
	size_t i;

	for (i = 0; i < FWD_LISTEN_MAX && c->fwds[i] != NULL; i++)
		;
	if (i == FWD_LISTEN_MAX)
		return NULL;
	fl = xcalloc(1, sizeof(*fl));
	fl->slot = i;
	c->fwds[i] = fl;
	return fl;
}

/* Register a listening socket of fl (fd is closed on failure). */
static bool
fwd_add_socket(struct conn *c, struct fwd_listen *fl, int fd,
    conn_accept_fn accept_fn)
{
	int h;

	if (fl->nhandles >= FWD_ADDRS_MAX ||
	    conn_listener_add(c, fd, accept_fn, fwd_release, fl, &h) != 0) {
		if (fl->nhandles >= FWD_ADDRS_MAX)
			(void)close(fd);
		return false;
	}
	fl->handles[fl->nhandles++] = h;
	return true;
}

/* Drop a forward record that never got a socket. */
static void
fwd_discard(struct conn *c, struct fwd_listen *fl)
{
	c->fwds[fl->slot] = NULL;
	free(fl->host);
	free(fl->path);
	free(fl);
}

/*
 * Where a remote forward listens, as sshd decides (channel_fwd_bind_addr
 * on the server side): GatewayPorts no binds loopback, unless the client
 * asked for 127.0.0.1 or ::1 exactly; yes binds every address;
 * clientspecified binds what the client asked for, "" and "*" meaning
 * every address and "localhost" loopback.  Returns the name to resolve
 * (NULL: loopback or, with *ret_wildcard, every address).
 */
static const char *
fwd_bind_addr(const struct conn *c, const char *host, bool *ret_wildcard)
{
	*ret_wildcard = false;
	if (c->cfg->gateway_ports == CONFIG_GATEWAY_YES) {
		*ret_wildcard = true;
		return NULL;
	}
	if (c->cfg->gateway_ports == CONFIG_GATEWAY_CLIENTSPECIFIED) {
		if (*host == '\0' || strcmp(host, "*") == 0) {
			*ret_wildcard = true;
			return NULL;
		}
		return strcmp(host, "localhost") == 0 ? NULL : host;
	}
	if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0)
		return host;
	return NULL;
}

static void
set_port(struct sockaddr *sa, uint32_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

static uint32_t
get_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* Log a refused remote forward; always false. */
static bool
rfwd_refused(const struct conn *c, const struct chanmsg_fwd *f,
    const char *why)
{
	if (f->path != NULL)
		logit("refused remote forward to path \"%s\" for %s port %u: "
		    "%s", f->path, c->si->peer_addr, c->si->peer_port, why);
	else
		logit("refused remote port forward: listen %s port %u for %s "
		    "port %u: %s", f->host, f->port, c->si->peer_addr,
		    c->si->peer_port, why);
	return false;
}

/* tcpip-forward: bind, listen, register; *ret_port is the port. */
static bool
rfwd_tcp(struct conn *c, const struct chanmsg_fwd *f, bool want_reply,
    uint32_t *ret_port)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct fwd_listen *fl;
	const char *addr;
	char port[16];
	bool wildcard;
	uint32_t bound = f->port;
	int fd, on = 1, r, err = 0;

	if (!fwd_allowed(c, c->cfg->allow_tcp_forwarding, CONFIG_FWD_REMOTE))
		return rfwd_refused(c, f, "port forwarding is disabled");
	if (f->port > 65535)
		return rfwd_refused(c, f, "invalid port");
	/* The client must learn an allocated port. */
	if (f->port == 0 && !want_reply)
		return rfwd_refused(c, f, "port 0 without want-reply");
	if (f->port != 0 && f->port < FWD_PORT_RESERVED && c->si->uid != 0)
		return rfwd_refused(c, f, "privileged port");
	if (!permit_list_ok(c->cfg->permit_listen, c->cfg->npermit_listen,
	    f->host, f->port) || (c->kopts != NULL &&
	    !permit_list_ok(c->kopts->permitlisten, c->kopts->npermitlisten,
	    f->host, f->port)))
		return rfwd_refused(c, f, "not permitted by PermitListen or "
		    "permitlisten");
	if ((fl = fwd_new(c)) == NULL)
		return rfwd_refused(c, f, "too many forwards");
	addr = fwd_bind_addr(c, f->host, &wildcard);
	snprintf(port, sizeof(port), "%u", f->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->cfg->address_family >= 0 ?
	    c->cfg->address_family : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (wildcard ? AI_PASSIVE : 0);
	if ((r = getaddrinfo(addr, port, &hints, &res)) != 0) {
		fwd_discard(c, fl);
		return rfwd_refused(c, f, gai_strerror(r));
	}
	fl->host = xstrdup(f->host);
	for (ai = res; ai != NULL && fl->nhandles < FWD_ADDRS_MAX;
	    ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		/* Every address of one forward gets the same port. */
		set_port(ai->ai_addr, bound);
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
			err = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, FWD_BACKLOG) == -1) {
			err = errno;
			(void)close(fd);
			continue;
		}
		if (bound == 0)
			bound = get_port(fd);
		fl->port = bound;
		(void)fwd_add_socket(c, fl, fd, fwd_accept_tcp);
	}
	freeaddrinfo(res);
	if (fl->nhandles == 0) {
		fwd_discard(c, fl);
		if (err == EACCES && f->port < FWD_PORT_RESERVED)
			return rfwd_refused(c, f, "privileged port (hsshd-"
			    "session holds no capability to bind it)");
		return rfwd_refused(c, f, err != 0 ? strerror(err) :
		    "no address to listen on");
	}
	verbose("remote forward: listening on %s port %u (%zu socket%s)",
	    addr != NULL ? addr : wildcard ? "*" : "loopback", fl->port,
	    fl->nhandles, fl->nhandles == 1 ? "" : "s");
	*ret_port = fl->port;
	return true;
}

/* streamlocal-forward@openssh.com: bind path with StreamLocalBindMask. */
static bool
rfwd_local(struct conn *c, const struct chanmsg_fwd *f)
{
	struct sockaddr_storage ss;
	struct fwd_listen *fl;
	struct stat st;
	socklen_t len;
	mode_t old;
	int fd, err;

	if (!fwd_allowed(c, c->cfg->allow_streamlocal_forwarding,
	    CONFIG_FWD_REMOTE))
		return rfwd_refused(c, f, "streamlocal forwarding is "
		    "disabled");
	if (!unix_addr(f->path, &ss, &len))
		return rfwd_refused(c, f, "invalid socket path");
	if (c->cfg->stream_local_bind_unlink == 1 &&
	    lstat(f->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    unlink(f->path) == -1)
		debug_f("unlink %s: %s", f->path, strerror(errno));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return rfwd_refused(c, f, strerror(errno));
	old = umask((mode_t)c->cfg->stream_local_bind_mask);
	err = bind(fd, (struct sockaddr *)&ss, len) == -1 ? errno : 0;
	(void)umask(old);
	if (err == 0 && listen(fd, FWD_BACKLOG) == -1) {
		err = errno;
		(void)unlink(f->path);
	}
	if (err != 0) {
		(void)close(fd);
		return rfwd_refused(c, f, strerror(err));
	}
	if ((fl = fwd_new(c)) == NULL) {
		(void)close(fd);
		(void)unlink(f->path);
		return rfwd_refused(c, f, "too many forwards");
	}
	fl->path = xstrdup(f->path);
	if (!fwd_add_socket(c, fl, fd, fwd_accept_local)) {
		(void)unlink(f->path);
		fwd_discard(c, fl);
		return rfwd_refused(c, f, "too many listening sockets");
	}
	verbose("remote forward: listening on %s", f->path);
	return true;
}

/* The cancels: the forward with that address and port (or path). */
static bool
rfwd_cancel(struct conn *c, const struct chanmsg_fwd *f)
{
	struct fwd_listen *fl;
	int handles[FWD_ADDRS_MAX];
	size_t i, j, n;

	for (i = 0; i < FWD_LISTEN_MAX; i++) {
		if ((fl = c->fwds[i]) == NULL)
			continue;
		if (f->path != NULL ? fl->path == NULL ||
		    strcmp(fl->path, f->path) != 0 : fl->host == NULL ||
		    strcmp(fl->host, f->host) != 0 || fl->port != f->port)
			continue;
		/* The last release frees fl: copy the handles first. */
		n = fl->nhandles;
		memcpy(handles, fl->handles, n * sizeof(handles[0]));
		for (j = 0; j < n; j++)
			conn_listener_del(c, handles[j]);
		debug("remote forward cancelled");
		return true;
	}
	return false;
}

bool
fwd_is_global(const char *name)
{
	return strcmp(name, "tcpip-forward") == 0 ||
	    strcmp(name, "cancel-tcpip-forward") == 0 ||
	    strcmp(name, "streamlocal-forward@openssh.com") == 0 ||
	    strcmp(name, "cancel-streamlocal-forward@openssh.com") == 0;
}

int
fwd_global_request(struct conn *c, const char *name, struct buf *payload,
    bool want_reply, bool *ret_ok, struct buf *reply_extra)
{
	struct chanmsg_fwd f;
	bool local = strstr(name, "streamlocal") != NULL;
	bool cancel = strncmp(name, "cancel-", 7) == 0;
	uint32_t port = 0;

	*ret_ok = false;
	if ((local ? chanmsg_streamlocal_forward(payload, &f) :
	    chanmsg_tcpip_forward(payload, &f)) != 0)
		return conn_fail(c, "malformed %s", name);
	if (cancel)
		*ret_ok = rfwd_cancel(c, &f);
	else if (local)
		*ret_ok = rfwd_local(c, &f);
	else if ((*ret_ok = rfwd_tcp(c, &f, want_reply, &port)) &&
	    f.port == 0 && buf_put_u32(reply_extra, port) != 0)
		fatal_f("out of memory");
	chanmsg_fwd_free(&f);
	return 0;
}
