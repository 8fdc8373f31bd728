/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for hsshd-session's connection protocol
 * (session/channel.c, chan-session.c, chanmsg.c, ttymodes.c, env.c): the
 * input is a script of decrypted client messages and events, run against
 * a fake transport.  Children are fake (pipes, no fork), terminals real
 * (posix_openpt, at most a few per input).  Each input starts with a
 * session channel open, so the request parsers are one step away.
 *
 * Script: repeated [op][len][bytes]:
 *   op % 8 == 0  a raw message: type 80 + byte0 % 21, then the bytes
 *   op % 8 == 1  a channel request on channel byte0 % 4: type from a
 *                table (pty-req, env, exec, shell, subsystem,
 *                window-change, signal, break, eow@openssh.com, ...),
 *                want_reply, then the bytes as its fields
 *   op % 8 == 2  the first fake child exits (status from the bytes)
 *   op % 8 == 3  the fake children write the bytes to stdout and stderr
 *   op % 8 == 4  the transport's room (0, small, large)
 *   op % 8 == 5  a poll round (no waiting) and conn_process
 *   op % 8 == 6  channel data on channel byte0 % 4
 *   op % 8 == 7  open another session (window and packet size from the
 *                bytes)
 * An error from conn_input ends the script (the connection would end).
 * Forwarding is configured so that it never leaves the machine: opens
 * of direct-tcpip may only connect to 127.0.0.1:1 (refused at once), and
 * remote forwards are refused (tests/fuzz/fuzz-fwdmsg.c covers their
 * parsers).
 * Invariants checked: every message the layer sends is well-formed for
 * its type, and no DATA ever exceeds the peer's window.  Any crash, leak
 * or sanitizer report is a bug.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "policy/config.h"
#include "session/channel.h"
#include "session/pty.h"
#include "tests/unit/test-sess-builder.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHILDREN	8
#define FZ_PTYS		4

static struct session_init *fz_si;
static struct hs_config *fz_cfg;

struct fz_child {
	pid_t	 pid;
	int	 in, out, err;	/* the child's ends */
};

static struct fz_state {
	struct fz_child	 kids[FZ_CHILDREN];
	size_t		 nkids;
	unsigned int	 ptys;
	size_t		 room;
	/* The peer's windows (by peer id, unique while tracked) and our
	 * ids' peer ids, to check that DATA never exceeds a window. */
	bool		 track;
	uint32_t	 rwin[8];
	int		 peer_of[16];
	uint32_t	 next_peer;
} fz;

static int
fz_send(void *ctx, const struct buf *payload)
{
	struct buf *b;
	const uint8_t *p;
	size_t len;
	uint32_t id, code;
	uint8_t type;

	(void)ctx;
	if ((b = buf_from(buf_ptr(payload), buf_len(payload))) == NULL)
		abort();
	if (buf_get_u8(b, &type) != 0)
		abort();
	/* Every message the layer sends parses as its type says. */
	switch (type) {
	case SSH2_MSG_CHANNEL_DATA:
	case SSH2_MSG_CHANNEL_EXTENDED_DATA:
		if (buf_get_u32(b, &id) != 0 ||
		    (type == SSH2_MSG_CHANNEL_EXTENDED_DATA &&
		    (buf_get_u32(b, &code) != 0 || code != 1)) ||
		    buf_get_string_direct(b, CHAN_PACKET_DEFAULT, &p,
		    &len) != 0 || buf_get_end(b) != 0 || len == 0)
			abort();
		if (fz.track && id < 8) {
			if (len > fz.rwin[id])
				abort();
			fz.rwin[id] -= (uint32_t)len;
		}
		break;
	case SSH2_MSG_CHANNEL_OPEN_CONFIRMATION:
		if (buf_get_u32(b, &id) != 0 || buf_get_u32(b, &code) != 0)
			abort();
		if (code < 16)
			fz.peer_of[code] = (int)id;
		if (buf_get_u32(b, &code) != 0 ||
		    code != CHAN_WINDOW_DEFAULT ||
		    buf_get_u32(b, &code) != 0 || buf_get_end(b) != 0)
			abort();
		break;
	case SSH2_MSG_CHANNEL_OPEN_FAILURE:
	case SSH2_MSG_CHANNEL_WINDOW_ADJUST:
	case SSH2_MSG_CHANNEL_EOF:
	case SSH2_MSG_CHANNEL_CLOSE:
	case SSH2_MSG_CHANNEL_REQUEST:
	case SSH2_MSG_CHANNEL_SUCCESS:
	case SSH2_MSG_CHANNEL_FAILURE:
		if (buf_get_u32(b, &id) != 0)
			abort();
		break;
	case SSH2_MSG_REQUEST_SUCCESS:
	case SSH2_MSG_REQUEST_FAILURE:
		if (buf_get_end(b) != 0)
			abort();
		break;
	default:
		abort();
	}
	buf_free(b);
	return 0;
}

static size_t
fz_room(void *ctx)
{
	(void)ctx;
	return fz.room;
}

static int
fz_spawn(void *ctx, const struct spawn_req *req, struct spawn_ret *ret)
{
	struct fz_child *k;
	int in[2], out[2], err[2];

	(void)ctx;
	if (req->env == NULL || req->shell == NULL || fz.nkids >= FZ_CHILDREN)
		return HS_ERR_SYSTEM;
	if (pipe2(in, O_CLOEXEC | O_NONBLOCK) != 0)
		return HS_ERR_SYSTEM;
	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) != 0) {
		close(in[0]);
		close(in[1]);
		return HS_ERR_SYSTEM;
	}
	if (pipe2(err, O_CLOEXEC | O_NONBLOCK) != 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return HS_ERR_SYSTEM;
	}
	k = &fz.kids[fz.nkids];
	/* Fake pids: never a real process. */
	k->pid = (pid_t)(0x3fff0000 + fz.nkids);
	k->in = in[0];
	k->out = out[1];
	k->err = err[1];
	fz.nkids++;
	ret->pid = k->pid;
	if (req->tty_fd != -1) {
		close(in[1]);
		close(out[0]);
		close(err[0]);
		ret->in = ret->out = ret->err = -1;
	} else {
		ret->in = in[1];
		ret->out = out[0];
		ret->err = err[0];
	}
	return 0;
}

static int
fz_pty_open(void *ctx, int *ret_master, int *ret_slave, char *name,
    size_t namelen)
{
	int m, s;

	(void)ctx;
	if (fz.ptys >= FZ_PTYS)
		return HS_ERR_SYSTEM;
	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	if (grantpt(m) != 0 || unlockpt(m) != 0 ||
	    ptsname_r(m, name, namelen) != 0 ||
	    (s = pty_open_peer(m, name)) == -1) {
		close(m);
		return HS_ERR_SYSTEM;
	}
	(void)fcntl(m, F_SETFL, O_NONBLOCK | O_RDWR);
	fz.ptys++;
	*ret_master = m;
	*ret_slave = s;
	return 0;
}

static void
fz_login(void *ctx, const char *tty, pid_t pid)
{
	(void)ctx;
	if (tty == NULL || strncmp(tty, "/dev/pts/", 9) != 0 || pid <= 0)
		abort();
}

static void
fz_pty_close(void *ctx, const char *tty)
{
	(void)ctx;
	if (tty == NULL)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sessb_opts o;

	(void)argc;
	(void)argv;
	log_init("fuzz-channel", LOG_LEVEL_QUIET, -1, true);
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.config_text = "AcceptEnv LANG LC_*\nMaxSessions 4\n"
	    "Subsystem sftp /usr/lib/openssh/sftp-server\n"
	    "Subsystem isftp internal-sftp\n"
	    /* Forwarding without the network: a connect that is refused
	     * at once, no listening sockets, no name look-ups. */
	    "PermitOpen 127.0.0.1:1\nPermitListen none\n"
	    "AllowStreamLocalForwarding no\n";
	if (sessb_build(&o, &fz_si, NULL, NULL) != 0 ||
	    config_deserialize(buf_ptr(fz_si->config),
	    buf_len(fz_si->config), &fz_cfg) != 0)
		abort();
	return 0;
}

static struct buf *
fz_msg(uint8_t type)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, type) != 0)
		abort();
	return b;
}

static int
fz_input(struct conn *c, struct buf *b)
{
	uint8_t type;
	int r;

	if (buf_get_u8(b, &type) != 0)
		abort();
	r = conn_input(c, type, b);
	buf_free(b);
	return r;
}

static int
fz_open(struct conn *c, uint32_t peer, uint32_t win, uint32_t pkt)
{
	struct buf *b = fz_msg(SSH2_MSG_CHANNEL_OPEN);

	if (buf_put_cstring(b, "session") != 0 || buf_put_u32(b, peer) != 0 ||
	    buf_put_u32(b, win) != 0 || buf_put_u32(b, pkt) != 0)
		abort();
	if (peer < 8)
		fz.rwin[peer] = win;
	return fz_input(c, b);
}

static void
fz_round(struct conn *c)
{
	struct pollfd pfd[3 * 16];
	size_t n;

	n = conn_pollfds(c, pfd, sizeof(pfd) / sizeof(pfd[0]));
	if (poll(pfd, n, 0) == -1 && errno != EINTR)
		abort();
	if (conn_poll_done(c, pfd, n) != 0 || conn_process(c) != 0)
		abort();
}

/* Keep the window bookkeeping right for raw messages. */
static void
fz_watch(const struct buf *msg)
{
	uint32_t id = 0, add = 0;
	uint8_t type = 0;

	(void)buf_peek_u8(msg, 0, &type);
	if (type == SSH2_MSG_CHANNEL_OPEN)
		fz.track = false;	/* a window we do not know */
	if (type == SSH2_MSG_CHANNEL_WINDOW_ADJUST &&
	    buf_peek_u32(msg, 1, &id) == 0 && buf_peek_u32(msg, 5, &add) == 0 &&
	    id < 16 && fz.peer_of[id] >= 0 && fz.peer_of[id] < 8)
		fz.rwin[fz.peer_of[id]] += add;
}

static const char *const fz_requests[] = {
	"pty-req", "env", "exec", "shell", "subsystem", "window-change",
	"signal", "break", "eow@openssh.com", "x11-req",
	"auth-agent-req@openssh.com", "keepalive@openssh.com", "xyzzy",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn_io io = { fz_send, fz_room, NULL };
	struct sess_ops ops = { fz_spawn, fz_pty_open, fz_login, fz_pty_close,
	    NULL };
	struct conn *c = NULL;
	struct buf *b;
	const char *rq;
	size_t i = 0, len, k;
	uint8_t op, b0;
	int status, steps;

	memset(&fz, 0, sizeof(fz));
	fz.room = 1 << 20;
	fz.track = true;
	fz.next_peer = 1;
	for (k = 0; k < 16; k++)
		fz.peer_of[k] = -1;
	if (conn_new(&io, &ops, fz_si, fz_cfg, &c) != 0)
		abort();
	if (fz_open(c, 0, 1 << 16, 1 << 15) != 0)
		abort();
	for (steps = 0; steps < 256 && i + 2 <= size; steps++) {
		op = data[i];
		len = data[i + 1];
		i += 2;
		if (len > size - i)
			len = size - i;
		b0 = len > 0 ? data[i] : 0;
		switch (op % 8) {
		case 0:
			b = fz_msg((uint8_t)(80 + b0 % 21));
			if (len > 1 && buf_put(b, data + i + 1, len - 1) != 0)
				abort();
			fz_watch(b);
			if (fz_input(c, b) != 0)
				goto done;
			break;
		case 1:
			rq = fz_requests[(op / 8) %
			    (sizeof(fz_requests) / sizeof(fz_requests[0]))];
			b = fz_msg(SSH2_MSG_CHANNEL_REQUEST);
			if (buf_put_u32(b, b0 % 4) != 0 ||
			    buf_put_cstring(b, rq) != 0 ||
			    buf_put_bool(b, (op & 0x80) != 0) != 0)
				abort();
			/* Well-formed fields around the bytes, half the
			 * time, so the parsers' consumers are reached. */
			if ((b0 & 0x80) != 0 && strcmp(rq, "pty-req") == 0) {
				if (buf_put_cstring(b, "xterm") != 0 ||
				    buf_put_u32(b, 80) != 0 ||
				    buf_put_u32(b, b0) != 0 ||
				    buf_put_u32(b, 0) != 0 ||
				    buf_put_u32(b, 0) != 0 ||
				    buf_put_string(b, len > 1 ? data + i + 1 :
				    NULL, len > 1 ? len - 1 : 0) != 0)
					abort();
			} else if ((b0 & 0x80) != 0 && strcmp(rq, "env") == 0) {
				if (buf_put_cstring(b, b0 & 1 ? "LANG" :
				    "LC_ALL") != 0 ||
				    buf_put_string(b, len > 1 ? data + i + 1 :
				    NULL, len > 1 ? len - 1 : 0) != 0)
					abort();
			} else if ((b0 & 0x80) != 0 &&
			    (strcmp(rq, "exec") == 0 ||
			    strcmp(rq, "subsystem") == 0 ||
			    strcmp(rq, "signal") == 0)) {
				if (buf_put_string(b, len > 1 ? data + i + 1 :
				    NULL, len > 1 ? len - 1 : 0) != 0)
					abort();
			} else if (len > 1 &&
			    buf_put(b, data + i + 1, len - 1) != 0)
				abort();
			if (fz_input(c, b) != 0)
				goto done;
			break;
		case 2:
			for (k = 0; k < fz.nkids; k++) {
				if (fz.kids[k].pid == 0)
					continue;
				close(fz.kids[k].in);
				close(fz.kids[k].out);
				close(fz.kids[k].err);
				status = b0 & 1 ? (b0 >> 1) & 0x7f :
				    ((b0 >> 1) & 0xff) << 8;
				conn_child_exited(c, fz.kids[k].pid, status);
				fz.kids[k].pid = 0;
				break;
			}
			break;
		case 3:
			for (k = 0; k < fz.nkids; k++) {
				if (fz.kids[k].pid == 0 || len == 0)
					continue;
				(void)write(fz.kids[k].out, data + i, len);
				(void)write(fz.kids[k].err, data + i, len / 2);
			}
			break;
		case 4:
			fz.room = b0 % 3 == 0 ? 0 : b0 % 3 == 1 ? b0 : 1 << 20;
			break;
		case 5:
			fz_round(c);
			break;
		case 6:
			b = fz_msg(SSH2_MSG_CHANNEL_DATA);
			if (buf_put_u32(b, b0 % 4) != 0 ||
			    buf_put_string(b, data + i, len) != 0)
				abort();
			if (fz_input(c, b) != 0)
				goto done;
			break;
		case 7:
			if (fz.next_peer >= 8)
				break;
			if (fz_open(c, fz.next_peer++,
			    len > 1 ? (uint32_t)data[i + 1] << 8 : 100,
			    len > 2 ? data[i + 2] : 0) != 0)
				goto done;
			break;
		}
		i += len;
		if (conn_process(c) != 0)
			abort();
	}
	fz_round(c);
 done:
	conn_free(c);
	for (k = 0; k < fz.nkids; k++) {
		if (fz.kids[k].pid == 0)
			continue;
		close(fz.kids[k].in);
		close(fz.kids[k].out);
		close(fz.kids[k].err);
	}
	return 0;
}
