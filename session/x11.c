/* SPDX-License-Identifier: ISC */
/*
 * X11 forwarding in hsshd-session (the logged-in user, no capabilities):
 * the "x11-req" session request, the display's listening sockets and the
 * "x11" channels opened towards the client for each X client that
 * connects, and the cookie handed to xauth(1).  The request is
 * attacker-controlled (parsed and checked by chanmsg-x11.c); the X
 * clients that connect are local programs, and whoever connects gets a
 * channel to the client's X server, whose ssh checks the cookie.  The
 * sockets, the xauth runs and the ~/.Xauthority they edit are the
 * user's own: this process has the user's rights only.  The channel
 * machinery (listeners, opens, windows, half-close) is channel.c's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/channel-priv.h"
#include "session/env.h"
#include "session/pty.h"
#include "session/x11.h"

/* X11 display N listens on TCP port 6000 + N (X Window System protocol,
 * "Connection Setup"). */
#define X11_PORT_BASE	6000u
#define X11_BACKLOG	128
/* One socket per address family. */
#define X11_SOCKS	2

struct x11_fwd {
	uint32_t	 chan_id;	/* the session channel, for logs */
	bool		 single;	/* close after the first connection */
	unsigned int	 display;
	char		*display_name;	/* DISPLAY */
	char		*auth_display;	/* what xauth entries name */
	char		*xauth;		/* XAuthLocation */
	char		*rc_input;	/* "proto cookie\n" for ~/.ssh/rc */
	char		*xauth_input;	/* remove + add, for xauth */
	int		 handles[X11_SOCKS];
	size_t		 nhandles;	/* handles registered */
	size_t		 nopen;		/* listeners not yet released */
	bool		 spawned;	/* a child got the cookie installed */
	char		**rm_env;	/* for the xauth run at the end */
};

/* ---- names and texts ---------------------------------------------------- */

char *
x11_display_name(bool localhost, const char *hostname, unsigned int display,
    unsigned int screen)
{
	char *s;

	if (localhost)
		xasprintf(&s, "localhost:%u.%u", display, screen);
	else
		xasprintf(&s, "%.400s:%u.%u", hostname, display, screen);
	return s;
}

char *
x11_auth_display(bool localhost, const char *hostname, unsigned int display,
    unsigned int screen)
{
	char *s;

	/* xauth names a TCP display on this host by its Unix form. */
	if (localhost)
		xasprintf(&s, "unix:%u.%u", display, screen);
	else
		xasprintf(&s, "%.400s/unix:%u.%u", hostname, display, screen);
	return s;
}

char *
x11_xauth_install_text(const char *auth_display, const char *proto,
    const char *cookie)
{
	char *s;

	xasprintf(&s, "remove %s\nadd %s %s %s\n", auth_display,
	    auth_display, proto, cookie);
	return s;
}

char *
x11_xauth_remove_text(const char *auth_display)
{
	char *s;

	xasprintf(&s, "remove %s\n", auth_display);
	return s;
}

/* ---- the display's sockets ---------------------------------------------- */

static void
close_fds(int *fds, size_t *n)
{
	while (*n > 0)
		(void)close(fds[--*n]);
}

/*
 * Bind and listen on family's address (loopback or any) at port.
 * Returns the socket, -1 with errno set, or -2 when the host does not
 * have that family (or, for IPv6 loopback, that address): the family is
 * then left out, as sshd leaves out addresses it cannot create.
 */
static int
listen_one(int family, bool localhost, unsigned int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, on = 1, saved;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(localhost ? INADDR_LOOPBACK :
		    INADDR_ANY);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sin6->sin6_addr = localhost ? in6addr_loopback : in6addr_any;
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return errno == EAFNOSUPPORT ? -2 : -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &on, sizeof(on)) == -1))
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		if (family == AF_INET6 && (errno == EADDRNOTAVAIL ||
		    errno == EAFNOSUPPORT)) {
			(void)close(fd);
			return -2;
		}
		goto fail;
	}
	if (listen(fd, X11_BACKLOG) == -1)
		goto fail;
	return fd;
 fail:
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

int
x11_listen_display(unsigned int offset, bool localhost, int *fds,
    size_t maxfds, size_t *ret_nfds, unsigned int *ret_display)
{
	static const int families[X11_SOCKS] = { AF_INET, AF_INET6 };
	int tmp[X11_SOCKS], fd;
	size_t n = 0, i;
	unsigned int d;
	bool busy;

	*ret_nfds = 0;
	*ret_display = 0;
	if (maxfds < X11_SOCKS)
		return HS_ERR_INVALID_ARGUMENT;
	for (d = offset; d < X11_DISPLAY_MAX; d++) {
		busy = false;
		for (i = 0; i < X11_SOCKS && !busy; i++) {
			fd = listen_one(families[i], localhost,
			    X11_PORT_BASE + d);
			if (fd == -1) {
				debug2_f("display %u: %s", d,
				    strerror(errno));
				busy = true;
			} else if (fd >= 0)
				tmp[n++] = fd;
		}
		if (!busy && n > 0) {
			memcpy(fds, tmp, n * sizeof(*tmp));
			*ret_nfds = n;
			*ret_display = d;
			return 0;
		}
		close_fds(tmp, &n);
	}
	return HS_ERR_NOT_FOUND;
}

/* ---- listeners and channels --------------------------------------------- */

static void
x11_close_listeners(struct conn *c, struct x11_fwd *x)
{
	size_t i;

	/* Listeners go together (here, or all of them in conn_free). */
	if (x->nopen == 0)
		return;
	for (i = 0; i < x->nhandles; i++)
		conn_listener_del(c, x->handles[i]);
}

static void
x11_release(struct conn *c, void *ctx)
{
	struct x11_fwd *x = ctx;

	(void)c;
	/* The session owns x: x11_end frees it. */
	if (x->nopen > 0)
		x->nopen--;
}

static int
x11_accept(struct conn *c, int fd, void *ctx)
{
	struct x11_fwd *x = ctx;
	char addr[NI_MAXHOST];
	uint32_t port;
	struct buf *extra;
	int r;

	if (conn_accepted_peer(fd, addr, sizeof(addr), &port) != 0)
		return 0;
	debug("X11 connection to display %u from %s port %u", x->display,
	    addr, port);
	/* Single-connection: nobody else gets this display. */
	if (x->single)
		x11_close_listeners(c, x);
	if ((extra = buf_new()) == NULL ||
	    buf_put_cstring(extra, addr) != 0 ||
	    buf_put_u32(extra, port) != 0)
		fatal_f("out of memory");
	r = conn_open_outbound(c, "x11", extra, fd);
	buf_free(extra);
	/* Too many channels refuses this X client, not the SSH client. */
	return r == HS_ERR_NO_BUFFER_SPACE ? 0 : r;
}

static void
x11_free(struct x11_fwd *x)
{
	free(x->display_name);
	free(x->auth_display);
	free(x->xauth);
	freezero_str(x->rc_input);
	freezero_str(x->xauth_input);
	envv_free_vec(x->rm_env);
	free(x);
}

/* ---- the request ---------------------------------------------------------- */

/* sshd's conditions for X11 forwarding, in its order; the reason when
 * it is not allowed. */
static const char *
x11_refusal(const struct conn *c)
{
	struct stat st;

	if (c->cfg->x11_forwarding != 1)
		return "X11Forwarding no";
	if (c->cfg->disable_forwarding == 1)
		return "DisableForwarding yes";
	if (c->kopts != NULL && !c->kopts->permit_x11_forwarding)
		return "no-x11-forwarding in authorized_keys";
	if (c->cfg->xauth_location == NULL ||
	    stat(c->cfg->xauth_location, &st) == -1)
		return "no xauth program";
	return NULL;
}

int
x11_request(struct conn *c, uint32_t chan_id, bool started,
    struct buf *payload, struct x11_fwd **xp, bool *ok)
{
	struct chanmsg_x11 m;
	struct x11_fwd *x = NULL;
	char host[256];
	const char *why;
	int fds[X11_SOCKS], r;
	size_t nfds = 0, i;
	unsigned int display;
	bool localhost = c->cfg->x11_use_localhost != 0;
	int offset = c->cfg->x11_display_offset;

	*ok = false;
	if ((r = chanmsg_x11_req(payload, &m)) != 0) {
		if (r != HS_ERR_BAD_FORMAT)
			return conn_fail(c, "malformed x11-req: %s",
			    hs_err_str(r));
		logit("Refused x11-req: invalid X11 authentication data");
		return 0;
	}
	if (*xp != NULL || started) {
		debug_f("channel %u: x11-req refused: %s", chan_id,
		    started ? "session started" : "X11 display already set");
		goto out;
	}
	if ((why = x11_refusal(c)) != NULL) {
		debug("X11 forwarding disabled: %s", why);
		goto out;
	}
	host[0] = '\0';
	if (!localhost && gethostname(host, sizeof(host)) == -1) {
		error("gethostname: %s", strerror(errno));
		goto out;
	}
	host[sizeof(host) - 1] = '\0';
	if ((r = x11_listen_display(offset < 0 ? 0 : (unsigned int)offset,
	    localhost, fds, X11_SOCKS, &nfds, &display)) != 0) {
		error("Failed to allocate internet-domain X11 display "
		    "socket: %s", hs_err_str(r));
		goto out;
	}
	x = xcalloc(1, sizeof(*x));
	x->chan_id = chan_id;
	x->single = m.single;
	x->display = display;
	x->display_name = x11_display_name(localhost, host, display,
	    m.screen);
	x->auth_display = x11_auth_display(localhost, host, display,
	    m.screen);
	x->xauth = xstrdup(c->cfg->xauth_location);
	xasprintf(&x->rc_input, "%s %s\n", m.proto, m.cookie);
	x->xauth_input = x11_xauth_install_text(x->auth_display, m.proto,
	    m.cookie);
	for (i = 0; i < nfds; i++) {
		if ((r = conn_listener_add(c, fds[i], x11_accept, x11_release,
		    x, &x->handles[x->nhandles])) != 0) {
			/* fds[i] is closed; so are the rest, and the
			 * listeners added so far go. */
			while (++i < nfds)
				(void)close(fds[i]);
			x11_close_listeners(c, x);
			x11_free(x);
			error("X11 forwarding: too many listening sockets");
			goto out;
		}
		x->nhandles++;
		x->nopen++;
	}
	/* X11 traffic is interactive, as a terminal's is (IPQoS). */
	pty_ipqos_interactive();
	verbose("X11 forwarding for channel %u on display %s%s", chan_id,
	    x->display_name, x->single ? " (single connection)" : "");
	*xp = x;
	*ok = true;
 out:
	chanmsg_x11_free(&m);
	return 0;
}

const char *
x11_display(const struct x11_fwd *x)
{
	return x != NULL ? x->display_name : NULL;
}

void
x11_prepare_spawn(struct x11_fwd *x, struct spawn_req *req, char *const *env)
{
	static const char *const keep[] = { "HOME=", "PATH=", "XAUTHORITY=" };
	struct envv e;
	size_t i, k;

	if (x == NULL)
		return;
	req->x11_rc_input = x->rc_input;
	req->xauth = x->xauth;
	req->xauth_input = x->xauth_input;
	x->spawned = true;
	if (x->rm_env != NULL || env == NULL)
		return;
	/* What xauth needs to find the same authority file later. */
	envv_init(&e);
	for (i = 0; env[i] != NULL; i++) {
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			if (strncmp(env[i], keep[k], strlen(keep[k])) == 0)
				envv_put(&e, env[i]);
		}
	}
	x->rm_env = envv_take(&e);
}

static void
close_from(int lowfd)
{
	long max = sysconf(_SC_OPEN_MAX), fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0U) == 0)
		return;
#endif
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * Run xauth with text on its standard input, not waiting for it: the
 * event loop reaps it with the other children (the channel layer ignores
 * pids that are not a session's).  Its output goes nowhere.
 */
static void
x11_run_xauth(const char *xauth, char *const *env, const char *text)
{
	char *const argv[] = { (char *)xauth, "-q", "-", NULL };
	char *const noenv[] = { NULL };
	const char *home = NULL;
	size_t i, len = strlen(text);
	int sp[2], null;
	pid_t pid;

	for (i = 0; env != NULL && env[i] != NULL; i++) {
		if (strncmp(env[i], "HOME=", 5) == 0)
			home = env[i] + 5;
	}
	/* A socket, so that writing to an xauth that died cannot raise
	 * SIGPIPE (MSG_NOSIGNAL). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		error_f("socketpair: %s", strerror(errno));
		return;
	}
	if ((pid = fork()) == -1) {
		error_f("fork: %s", strerror(errno));
		(void)close(sp[0]);
		(void)close(sp[1]);
		return;
	}
	if (pid == 0) {
		sigset_t none;

		/* The session blocks its signals outside its wait. */
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(sp[1], STDIN_FILENO) == -1 ||
		    (null = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(null, STDOUT_FILENO) == -1 ||
		    dup2(null, STDERR_FILENO) == -1)
			_exit(127);
		close_from(3);
		if (home != NULL && chdir(home) == -1 && chdir("/") == -1)
			_exit(127);
		execve(xauth, argv, env != NULL ? env : noenv);
		_exit(127);
	}
	(void)close(sp[1]);
	if (send(sp[0], text, len, MSG_NOSIGNAL) != (ssize_t)len)
		debug_f("xauth input: %s", strerror(errno));
	(void)close(sp[0]);
}

void
x11_end(struct conn *c, struct x11_fwd *x)
{
	char *text;

	if (x == NULL)
		return;
	x11_close_listeners(c, x);
	if (x->spawned) {
		/* The cookie is good for nobody after this session. */
		text = x11_xauth_remove_text(x->auth_display);
		x11_run_xauth(x->xauth, x->rm_env, text);
		free(text);
	}
	debug_f("channel %u: X11 display %s closed", x->chan_id,
	    x->display_name);
	x11_free(x);
}
