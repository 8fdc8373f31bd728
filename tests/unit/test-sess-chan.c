/* SPDX-License-Identifier: ISC */
/*
 * Tests only: the fake transport of test-sess-chan.h.  Children are real
 * (session/exec.c); terminals are opened here directly instead of by the
 * monitor.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/ssh2.h"
#include "session/channel.h"
#include "session/exec.h"
#include "session/pty.h"
#include "tests/unit/test-sess-chan.h"

static int
ft_send(void *ctx, const struct buf *payload)
{
	struct fake_transport *ft = ctx;

	if (ft->nmsgs >= FT_MAX_MSGS)
		return HS_ERR_NO_BUFFER_SPACE;
	if ((ft->msgs[ft->nmsgs] = buf_from(buf_ptr(payload),
	    buf_len(payload))) == NULL)
		return HS_ERR_ALLOC;
	ft->nmsgs++;
	return 0;
}

static size_t
ft_room(void *ctx)
{
	return ((struct fake_transport *)ctx)->room;
}

static int
ft_spawn(void *ctx, const struct spawn_req *req, struct spawn_ret *ret)
{
	struct fake_transport *ft = ctx;
	int r;

	if ((r = exec_spawn(NULL, req, ret)) == 0 &&
	    ft->npids < sizeof(ft->pids) / sizeof(ft->pids[0]))
		ft->pids[ft->npids++] = ret->pid;
	return r;
}

static int
ft_pty_open(void *ctx, int *ret_master, int *ret_slave, char *name,
    size_t namelen)
{
	int m, s;

	(void)ctx;
	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	if (grantpt(m) != 0 || unlockpt(m) != 0 ||
	    ptsname_r(m, name, namelen) != 0 ||
	    (s = pty_open_peer(m, name)) == -1 ||
	    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK) == -1) {
		close(m);
		return HS_ERR_SYSTEM;
	}
	*ret_master = m;
	*ret_slave = s;
	return 0;
}

static void
ft_login(void *ctx, const char *tty, pid_t pid)
{
	struct fake_transport *ft = ctx;

	(void)pid;
	ft->logins++;
	snprintf(ft->last_tty, sizeof(ft->last_tty), "%s", tty);
}

static void
ft_pty_close(void *ctx, const char *tty)
{
	struct fake_transport *ft = ctx;

	(void)tty;
	ft->closes++;
}

struct conn *
ft_conn(struct fake_transport *ft, const struct session_init *si,
    const struct hs_config *cfg)
{
	struct conn_io io = { ft_send, ft_room, ft };
	struct sess_ops ops = { ft_spawn, ft_pty_open, ft_login, ft_pty_close,
	    ft };
	struct conn *c = NULL;

	memset(ft, 0, sizeof(*ft));
	ft->room = 1024 * 1024;
	if (conn_new(&io, &ops, si, cfg, &c) != 0)
		abort();
	(void)signal(SIGPIPE, SIG_IGN);
	return c;
}

void
ft_reset(struct fake_transport *ft)
{
	size_t i;

	for (i = 0; i < ft->nmsgs; i++)
		buf_free(ft->msgs[i]);
	ft->nmsgs = 0;
}

int
ft_input(struct conn *c, struct buf *msg)
{
	uint8_t type;
	int r;

	if (buf_get_u8(msg, &type) != 0)
		abort();
	r = conn_input(c, type, msg);
	buf_free(msg);
	return r;
}

static struct buf *
ft_new(uint8_t type)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, type) != 0)
		abort();
	return b;
}

struct buf *
ft_open(const char *type, uint32_t peer_id, uint32_t window, uint32_t maxpkt)
{
	struct buf *b = ft_new(SSH2_MSG_CHANNEL_OPEN);

	if (buf_put_cstring(b, type) != 0 || buf_put_u32(b, peer_id) != 0 ||
	    buf_put_u32(b, window) != 0 || buf_put_u32(b, maxpkt) != 0)
		abort();
	return b;
}

struct buf *
ft_request(uint32_t id, const char *type, bool want_reply)
{
	struct buf *b = ft_new(SSH2_MSG_CHANNEL_REQUEST);

	if (buf_put_u32(b, id) != 0 || buf_put_cstring(b, type) != 0 ||
	    buf_put_bool(b, want_reply) != 0)
		abort();
	return b;
}

struct buf *
ft_data(uint32_t id, const void *p, size_t len)
{
	struct buf *b = ft_new(SSH2_MSG_CHANNEL_DATA);

	if (buf_put_u32(b, id) != 0 || buf_put_string(b, p, len) != 0)
		abort();
	return b;
}

struct buf *
ft_u32msg(uint8_t type, uint32_t id)
{
	struct buf *b = ft_new(type);

	if (buf_put_u32(b, id) != 0)
		abort();
	return b;
}

struct buf *
ft_adjust(uint32_t id, uint32_t add)
{
	struct buf *b = ft_u32msg(SSH2_MSG_CHANNEL_WINDOW_ADJUST, id);

	if (buf_put_u32(b, add) != 0)
		abort();
	return b;
}

void
ft_round(struct fake_transport *ft, struct conn *c, int timeout_ms)
{
	struct pollfd pfd[3 * 64];
	size_t n, i;
	int status;
	pid_t pid;

	n = conn_pollfds(c, pfd, sizeof(pfd) / sizeof(pfd[0]));
	if (poll(pfd, n, timeout_ms) == -1 && errno != EINTR)
		abort();
	if (conn_poll_done(c, pfd, n) != 0)
		abort();
	for (i = 0; i < ft->npids; i++) {
		if (ft->pids[i] <= 0)
			continue;
		pid = waitpid(ft->pids[i], &status, WNOHANG);
		if (pid == ft->pids[i]) {
			conn_child_exited(c, pid, status);
			ft->pids[i] = -1;
		}
	}
	if (conn_process(c) != 0)
		abort();
}

static bool
ft_close_seen(const struct fake_transport *ft, uint32_t peer_id)
{
	size_t i;

	for (i = 0; i < ft->nmsgs; i++) {
		if (ft_type(ft, i) == SSH2_MSG_CHANNEL_CLOSE &&
		    ft_recipient(ft, i) == peer_id)
			return true;
	}
	return false;
}

bool
ft_run_until_close(struct fake_transport *ft, struct conn *c,
    uint32_t peer_id, int max_rounds)
{
	int i;

	for (i = 0; i < max_rounds; i++) {
		if (ft_close_seen(ft, peer_id))
			return true;
		ft_round(ft, c, 100);
	}
	return ft_close_seen(ft, peer_id);
}

uint8_t
ft_type(const struct fake_transport *ft, size_t i)
{
	uint8_t t = 0;

	if (i < ft->nmsgs)
		(void)buf_peek_u8(ft->msgs[i], 0, &t);
	return t;
}

uint32_t
ft_recipient(const struct fake_transport *ft, size_t i)
{
	uint32_t id = 0xffffffff;

	if (i < ft->nmsgs && buf_len(ft->msgs[i]) >= 5)
		(void)buf_peek_u32(ft->msgs[i], 1, &id);
	return id;
}

long
ft_find(const struct fake_transport *ft, uint8_t type, size_t from)
{
	size_t i;

	for (i = from; i < ft->nmsgs; i++) {
		if (ft_type(ft, i) == type)
			return (long)i;
	}
	return -1;
}

long
ft_find_request(const struct fake_transport *ft, const char *name,
    size_t from)
{
	struct buf *b;
	const uint8_t *p;
	size_t i, len;

	for (i = from; i < ft->nmsgs; i++) {
		if (ft_type(ft, i) != SSH2_MSG_CHANNEL_REQUEST)
			continue;
		b = buf_from(buf_ptr(ft->msgs[i]), buf_len(ft->msgs[i]));
		if (b == NULL || buf_consume(b, 5) != 0 ||
		    buf_get_string_direct(b, 256, &p, &len) != 0)
			abort();
		if (len == strlen(name) && memcmp(p, name, len) == 0) {
			buf_free(b);
			return (long)i;
		}
		buf_free(b);
	}
	return -1;
}

char *
ft_collect(const struct fake_transport *ft, uint32_t id, bool ext,
    size_t *ret_len)
{
	struct buf *all = buf_new(), *b;
	const uint8_t *p;
	uint32_t code;
	size_t i, len;
	char *s;

	for (i = 0; i < ft->nmsgs; i++) {
		if (ft_type(ft, i) != (ext ? SSH2_MSG_CHANNEL_EXTENDED_DATA :
		    SSH2_MSG_CHANNEL_DATA) || ft_recipient(ft, i) != id)
			continue;
		b = buf_from(buf_ptr(ft->msgs[i]), buf_len(ft->msgs[i]));
		if (b == NULL || buf_consume(b, 5) != 0 ||
		    (ext && buf_get_u32(b, &code) != 0) ||
		    buf_get_string_direct(b, 1 << 20, &p, &len) != 0 ||
		    buf_put(all, p, len) != 0)
			abort();
		buf_free(b);
	}
	len = buf_len(all);
	if ((s = malloc(len + 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(s, buf_ptr(all), len);
	s[len] = '\0';
	if (ret_len != NULL)
		*ret_len = len;
	buf_free(all);
	return s;
}

void
ft_kill_children(struct fake_transport *ft)
{
	size_t i;

	for (i = 0; i < ft->npids; i++) {
		if (ft->pids[i] <= 0)
			continue;
		(void)kill(-ft->pids[i], SIGKILL);
		(void)kill(ft->pids[i], SIGKILL);
		(void)waitpid(ft->pids[i], NULL, 0);
		ft->pids[i] = -1;
	}
}
