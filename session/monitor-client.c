/* SPDX-License-Identifier: ISC */
/*
 * The requests hsshd-session (the logged-in user) makes of its monitor.
 * Answers come from the monitor, which is trusted; they are still parsed
 * through struct buf with bounds and end checks, and a wrong answer is
 * fatal.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "session/monitor-client.h"

struct session_init *
mm_session_init(int *ret_fd)
{
	struct session_init *si = NULL;
	struct buf *body = NULL;
	uint8_t type;
	int r;

	*ret_fd = -1;
	if ((r = rpc_recv(mm_fd(), RPC_STATE_MAX, &type, &body, ret_fd)) != 0)
		fatal_r(r, "hsshd-session: reading the start state");
	if (type != RPC_SESSION_INIT)
		fatal("hsshd-session: expected RPC_SESSION_INIT, got %s",
		    rpc_type_name(type));
	if ((r = sessinit_parse(buf_ptr(body), buf_len(body), &si)) != 0)
		fatal_r(r, "hsshd-session: bad RPC_SESSION_INIT");
	buf_free(body);	/* held the keys: wiped */
	return si;
}

int
mm_pty_open(int *ret_master, char *name, size_t namelen)
{
	struct buf *ans;
	char *tty = NULL;
	size_t len = 0;
	int r, fd = -1;

	*ret_master = -1;
	ans = mm_call(RPC_PTY_OPEN, NULL, RPC_PTY_OPEN_ANS, RPC_MSG_MAX, &fd);
	if ((r = buf_get_cstring(ans, namelen - 1, &tty, &len)) != 0 ||
	    (r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad PTY_OPEN answer");
	buf_free(ans);
	if (len == 0 || fd == -1) {
		if (fd != -1)
			close(fd);
		free(tty);
		if (len != 0 || fd != -1)
			fatal("bad PTY_OPEN answer: name and descriptor "
			    "must come together");
		return HS_ERR_NOT_FOUND;
	}
	snprintf(name, namelen, "%s", tty);
	free(tty);
	*ret_master = fd;
	return 0;
}

void
mm_pty_close(const char *name)
{
	struct buf *req, *ans;
	int r;

	if ((req = buf_new()) == NULL ||
	    (r = buf_put_cstring(req, name)) != 0)
		fatal("out of memory");
	ans = mm_call(RPC_PTY_CLOSE, req, RPC_PTY_CLOSE_ANS, RPC_MSG_MAX, NULL);
	if ((r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad PTY_CLOSE answer");
	buf_free(req);
	buf_free(ans);
}

void
mm_session_event(uint8_t event, const char *tty, pid_t pid)
{
	struct buf *req, *ans;
	int r;

	if ((req = buf_new()) == NULL ||
	    (r = buf_put_u8(req, event)) != 0 ||
	    (r = buf_put_cstring(req, tty)) != 0 ||
	    (r = buf_put_u32(req, (uint32_t)pid)) != 0)
		fatal("out of memory");
	ans = mm_call(RPC_SESSION_EVENT, req, RPC_SESSION_EVENT_ANS,
	    RPC_MSG_MAX, NULL);
	if ((r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad SESSION_EVENT answer");
	buf_free(req);
	buf_free(ans);
}

void
mm_terminate(uint32_t status)
{
	struct buf *req;

	if ((req = buf_new()) == NULL || buf_put_u32(req, status) != 0)
		fatal("out of memory");
	/* The monitor may be gone already: nothing to do about it. */
	(void)rpc_send(mm_fd(), RPC_TERMINATE, req, -1);
	buf_free(req);
}
