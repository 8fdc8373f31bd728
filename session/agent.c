/* SPDX-License-Identifier: ISC */
/*
 * Agent forwarding in hsshd-session (the logged-in user, no
 * capabilities).  The request is attacker-controlled but carries nothing
 * beyond its name; the programs that connect to the socket are the
 * user's own (the directory is the user's, mode 0700), and each gets a
 * channel to the client's agent, whose ssh-agent decides what to sign.
 * The listener lives in the channel layer's poll set (channel.c), which
 * also tells us when the connection ends: the release callback removes
 * the socket and its directory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/agent.h"
#include "session/channel-priv.h"
#include "session/chanmsg.h"

#define AGENT_BACKLOG	128

struct agent_fwd {
	char	*dir;
	char	*path;
};

static int
agent_accept(struct conn *c, int fd, void *ctx)
{
	int r;

	(void)ctx;
	debug("agent connection on channel request socket");
	r = conn_open_outbound(c, "auth-agent@openssh.com", NULL, fd);
	/* Too many channels refuses this program, not the SSH client. */
	return r == HS_ERR_NO_BUFFER_SPACE ? 0 : r;
}

static void
agent_remove(struct agent_fwd *a)
{
	if (a->path != NULL && unlink(a->path) == -1 && errno != ENOENT)
		debug_f("unlink %s: %s", a->path, strerror(errno));
	if (rmdir(a->dir) == -1 && errno != ENOENT)
		debug_f("rmdir %s: %s", a->dir, strerror(errno));
	free(a->path);
	free(a->dir);
	free(a);
}

static void
agent_release(struct conn *c, void *ctx)
{
	(void)c;
	agent_remove(ctx);
}

/* The connection's agent forwarding: the listener that accepts for it
 * (the listener table is the one record of it). */
static const struct agent_fwd *
agent_find(const struct conn *c)
{
	size_t i;

	for (i = 0; i < CONN_LISTENERS_MAX; i++) {
		if (c->listeners[i] != NULL &&
		    c->listeners[i]->accept == agent_accept)
			return c->listeners[i]->ctx;
	}
	return NULL;
}

const char *
agent_socket(const struct conn *c)
{
	const struct agent_fwd *a = agent_find(c);

	return a != NULL ? a->path : NULL;
}

/* A listening socket at a fresh private path; NULL on failure (logged). */
static struct agent_fwd *
agent_listen(int *ret_fd)
{
	struct agent_fwd *a = xcalloc(1, sizeof(*a));
	struct sockaddr_un sun;
	int fd = -1;

	*ret_fd = -1;
	a->dir = xstrdup(AGENT_DIR_TEMPLATE);
	/* mkdtemp makes it 0700: ours alone (we are the user). */
	if (mkdtemp(a->dir) == NULL) {
		error("agent forwarding: mkdtemp %s: %s", a->dir,
		    strerror(errno));
		free(a->dir);
		free(a);
		return NULL;
	}
	xasprintf(&a->path, "%s/agent.%ld", a->dir, (long)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(a->path) >= sizeof(sun.sun_path)) {
		error("agent forwarding: path %s too long", a->path);
		goto fail;
	}
	memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, AGENT_BACKLOG) == -1) {
		error("agent forwarding: listen on %s: %s", a->path,
		    strerror(errno));
		goto fail;
	}
	*ret_fd = fd;
	return a;
 fail:
	if (fd != -1)
		(void)close(fd);
	agent_remove(a);
	return NULL;
}

int
agent_request(struct conn *c, uint32_t chan_id, struct buf *payload,
    bool *ok)
{
	struct agent_fwd *a;
	int fd, r;

	*ok = false;
	if (chanmsg_empty(payload) != 0)
		return conn_fail(c, "malformed auth-agent-req@openssh.com");
	if (c->cfg->allow_agent_forwarding != 1 ||
	    c->cfg->disable_forwarding == 1 ||
	    (c->kopts != NULL && !c->kopts->permit_agent_forwarding)) {
		debug("channel %u: agent forwarding disabled", chan_id);
		return 0;
	}
	/* One socket per connection, whichever session asked first. */
	if (agent_find(c) != NULL) {
		debug_f("channel %u: agent socket %s already set up", chan_id,
		    agent_socket(c));
		*ok = true;
		return 0;
	}
	if ((a = agent_listen(&fd)) == NULL)
		return 0;
	if ((r = conn_listener_add(c, fd, agent_accept, agent_release, a,
	    NULL)) != 0) {
		/* fd is closed; the release callback does not run. */
		error("agent forwarding: %s", hs_err_str(r));
		agent_remove(a);
		return 0;
	}
	verbose("Agent forwarding for channel %u at %s", chan_id, a->path);
	*ok = true;
	return 0;
}
