/* SPDX-License-Identifier: ISC */
/*
 * The monitor's dispatch loop, in hsshd-monitor (root).  Every byte read
 * here comes from a child that faces the network and must be presumed
 * compromised.  The table (dispatch-table.c) alone decides which message
 * is admitted in which state, how often, how large, and which state
 * follows: handlers never change permissions.  Anything else (unknown
 * type, wrong state, over its count or size, malformed or with trailing
 * bytes) is logged by name and ends the connection with the "crash"
 * status the listener penalises.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "monitor/dispatch-table.h"
#include "monitor/monitor.h"

/* Requests served so far, by row of the table. */
static unsigned int *mon_row_counts;

/* The row being served by mon_serve_one(), for its nested reads. */
static const struct mon_dispatch *mon_serving;

void
mon_exit(struct mon *m, int status)
{
	if (m->child > 0)
		(void)kill(m->child, SIGKILL);
	exit(status);
}

void
mon_violation(struct mon *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error("monitor: %s from pre-auth child %ld for %s port %d; "
	    "killing it", msg, (long)m->child, m->peer_addr, m->peer_port);
	mon_exit(m, HELPER_EXIT_CRASH);
}

/*
 * Read one request and find the row admitting it in state st; LOG lines
 * are served on the way.  Returns NULL when the child has gone.
 */
static const struct mon_dispatch *
mon_read(struct mon *m, enum mon_state st, uint8_t *ret_type,
    struct buf **ret_req, int *ret_fd)
{
	const struct mon_dispatch *row;
	struct buf *req = NULL;
	uint8_t type;
	size_t idx;
	int r, fd = -1;

	if (mon_row_counts == NULL)
		mon_row_counts = xcalloc(mon_dispatch_count(),
		    sizeof(*mon_row_counts));
	for (;;) {
		if ((r = rpc_recv(m->rpc_fd, mon_dispatch_size_max(st), &type,
		    &req, &fd)) != 0) {
			if (r == HS_ERR_EOF)
				return NULL;
			mon_violation(m, "bad RPC frame (%s)", hs_err_str(r));
		}
		if ((row = mon_dispatch_lookup(type, st)) == NULL)
			mon_violation(m, "message %s (%u) not allowed in state "
			    "%s", rpc_type_name(type), type,
			    mon_state_name(st));
		if (fd != -1 && (row->flags & MON_F_FD) == 0) {
			close(fd);
			mon_violation(m, "%s with a descriptor",
			    rpc_type_name(type));
		}
		if (buf_len(req) > row->size_max)
			mon_violation(m, "%s too long", rpc_type_name(type));
		idx = mon_dispatch_index(row);
		if (row->max != MON_UNLIMITED && mon_row_counts[idx] >= row->max)
			mon_violation(m, "message %s repeated beyond its limit "
			    "of %u", rpc_type_name(type), row->max);
		mon_row_counts[idx]++;
		m->counts[type]++;
		if (type != RPC_LOG)
			break;
		if (row->handler(m, req, NULL) != 0)
			mon_violation(m, "malformed RPC_LOG");
		buf_free(req);
		req = NULL;
	}
	debug3("monitor: serving %s in state %s", rpc_type_name(type),
	    mon_state_name(st));
	*ret_type = type;
	*ret_req = req;
	if (ret_fd != NULL)
		*ret_fd = fd;
	return row;
}

void
mon_reply(struct mon *m, uint8_t type, const struct buf *body)
{
	int r;

	if ((r = rpc_send(m->rpc_fd, type, body, -1)) != 0) {
		if (r != HS_ERR_EOF)
			error_r(r, "monitor: answering with %s",
			    rpc_type_name(type));
		mon_exit(m, HELPER_EXIT_NOAUTH);
	}
}

uint8_t
mon_serve_nested(struct mon *m, enum mon_state st, struct buf **ret)
{
	const struct mon_dispatch *row;
	uint8_t type;

	/* Only the handler of a row naming st reads nested requests. */
	if (mon_serving == NULL || mon_serving->nested != (int)st)
		fatal_f("nested read in state %s outside its exchange",
		    mon_state_name(st));
	if ((row = mon_read(m, st, &type, ret, NULL)) == NULL) {
		debug("monitor: child went away during %s",
		    mon_state_name(st));
		mon_exit(m, HELPER_EXIT_NOAUTH);
	}
	if ((row->flags & MON_F_NESTED) == 0)
		mon_violation(m, "%s not expected here", rpc_type_name(type));
	return type;
}

/* The verdict of an authentication handler moves the state. */
static void
mon_after_auth(struct mon *m)
{
	char c = 'A';

	switch (m->auth_code) {
	case AUTH_SUCCESS:
		m->state = MON_ST_DONE;
		/* Tell the listener: this connection no longer counts
		 * against MaxStartups. */
		/* The listener may have restarted: no SIGPIPE. */
		if (send(m->status_fd, &c, 1, MSG_NOSIGNAL) != 1)
			debug("monitor: listener status: %s", strerror(errno));
		break;
	case AUTH_DISCONNECT:
		m->state = MON_ST_REFUSED;
		break;
	default:
		m->state = MON_ST_AUTH;
		break;
	}
}

/* Serve one request; returns false when the child has gone. */
static bool
mon_serve_one(struct mon *m)
{
	const struct mon_dispatch *row;
	struct buf *req = NULL, *reply = NULL;
	uint8_t type;
	int r, fd = -1;

	if ((row = mon_read(m, m->state, &type, &req, &fd)) == NULL)
		return false;
	if ((row->flags & MON_F_NESTED) != 0 || row->handler == NULL)
		mon_violation(m, "%s outside its exchange", rpc_type_name(type));
	if ((reply = buf_new()) == NULL)
		fatal_f("out of memory");
	m->passed_fd = fd;
	mon_serving = row;
	r = row->handler(m, req, reply);
	mon_serving = NULL;
	if (r != 0)
		mon_violation(m, "malformed or refused %s (%s)",
		    rpc_type_name(type), hs_err_str(r));
	if (m->passed_fd != -1) {
		close(m->passed_fd);
		m->passed_fd = -1;
	}
	/* Handlers end with buf_get_end(); make sure of it. */
	if (buf_len(req) != 0)
		mon_violation(m, "%s with trailing data", rpc_type_name(type));
	if (row->reply != MON_NO_REPLY &&
	    (row->flags & MON_F_SELF_ANSWER) == 0)
		mon_reply(m, row->reply, reply);
	if ((row->flags & MON_F_SAVE) != 0)
		m->resume_state = m->state;
	if ((row->flags & MON_F_DECIDES_AUTH) != 0)
		mon_after_auth(m);
	else if (row->next == MON_NEXT_RESUME)
		m->state = m->resume_state;
	else if (row->next != MON_NEXT_SAME)
		m->state = (enum mon_state)row->next;
	buf_free(req);
	buf_free(reply);
	return true;
}

void
mon_dispatch_loop(struct mon *m, int deadline_seconds)
{
	struct timespec start, now;
	struct pollfd pfd;
	long left_ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left_ms = -1;
		if (deadline_seconds > 0 && m->state != MON_ST_DONE) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left_ms = (long)deadline_seconds * 1000 -
			    ((now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left_ms <= 0) {
				logit("Timeout before authentication for %s "
				    "port %d", m->peer_addr, m->peer_port);
				mon_exit(m, HELPER_EXIT_TIMEOUT);
			}
		}
		pfd.fd = m->rpc_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left_ms > INT32_MAX ? INT32_MAX : (int)left_ms);
		if (n == -1 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (n <= 0)
			continue;
		if (!mon_serve_one(m))
			return;
	}
}
