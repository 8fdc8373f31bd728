/* SPDX-License-Identifier: ISC */
/*
 * Monitor RPC framing (see rpc.h).  Runs in hsshd-monitor (root) and in
 * its children (hsshd-preauth inside the seccomp sandbox: only sendmsg,
 * recvmsg and poll are used, all of which the filter admits).  What
 * rpc_recv() reads is attacker-controlled in the monitor.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/rpc.h"
#include "common/mem.h"

/*
 * Room for this many fds in the control buffer: one is the most a message
 * may carry, the rest lets a receiver see "two fds" as such rather than as
 * truncation.  The kernel closes whatever does not fit (MSG_CTRUNC), and
 * we close whatever did.
 */
#define RPC_RX_FDS	4

struct rpc_rx {
	int	 fds[RPC_RX_FDS];
	size_t	 nfds;
	bool	 bad;		/* control data we never accept */
	bool	 started;	/* some byte of the message has arrived */
};

const char *
rpc_type_name(uint8_t type)
{
	switch (type) {
#define RPC_MSG_NAME(name, value) case (value): return #name;
	RPC_MSG_LIST(RPC_MSG_NAME)
#undef RPC_MSG_NAME
	default:
		return "UNKNOWN";
	}
}

int
rpc_encode(struct buf *out, uint8_t type, const struct buf *body)
{
	size_t before, len = body == NULL ? 0 : buf_len(body);
	int r;

	if (out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > RPC_STATE_MAX)
		return HS_ERR_TOO_LONG;
	before = buf_len(out);
	if ((r = buf_put_u32(out, (uint32_t)len)) != 0 ||
	    (r = buf_put_u8(out, type)) != 0 ||
	    (body != NULL && (r = buf_putb(out, body)) != 0)) {
		/* Leave out as it was. */
		if (buf_len(out) > before)
			(void)buf_consume_end(out, buf_len(out) - before);
		return r;
	}
	return 0;
}

int
rpc_decode(struct buf *in, size_t max, uint8_t *ret_type,
    struct buf **ret_body)
{
	struct buf *frame = NULL;
	uint32_t len;
	uint8_t type;
	int r;

	if (in == NULL || ret_type == NULL || ret_body == NULL ||
	    max > RPC_STATE_MAX)
		return HS_ERR_INVALID_ARGUMENT;
	*ret_type = 0;
	*ret_body = NULL;
	if ((r = buf_peek_u32(in, 0, &len)) != 0 ||
	    (r = buf_peek_u8(in, 4, &type)) != 0)
		goto out;
	if (len > max) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	/* len <= max <= RPC_STATE_MAX: the sum cannot wrap. */
	if (buf_len(in) < RPC_HDR_LEN + (size_t)len) {
		r = HS_ERR_SHORT;
		goto out;
	}
	/* Copy first, consume last, so a failure consumes nothing. */
	if ((frame = buf_from(buf_ptr(in), RPC_HDR_LEN + (size_t)len)) ==
	    NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_consume(frame, RPC_HDR_LEN)) != 0 ||
	    (r = buf_consume(in, RPC_HDR_LEN + (size_t)len)) != 0)
		goto out;
	*ret_type = type;
	*ret_body = frame;
	frame = NULL;
	r = 0;
 out:
	buf_free(frame);
	return r;
}

/* Wait until sock is ready for events (non-blocking sockets only). */
static int
rpc_wait(int sock, short events)
{
	struct pollfd pfd;

	memset(&pfd, 0, sizeof(pfd));
	pfd.fd = sock;
	pfd.events = events;
	for (;;) {
		if (poll(&pfd, 1, -1) >= 0)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			return HS_ERR_SYSTEM;
	}
}

int
rpc_send(int sock, uint8_t type, const struct buf *body, int fd)
{
	struct buf *frame = NULL;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cmsg;
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	bool fd_sent = false;
	ssize_t n;
	int r, saved_errno = 0;

	if (sock < 0 || fd < -1)
		return HS_ERR_INVALID_ARGUMENT;
	if ((frame = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = rpc_encode(frame, type, body)) != 0)
		goto out;
	/* Each pass either sends bytes or waits for the socket; the frame
	 * shrinks to nothing, so the loop ends. */
	while (buf_len(frame) > 0) {
		memset(&msg, 0, sizeof(msg));
		/* sendmsg() only reads through iov_base. */
		iov.iov_base = (void *)buf_ptr(frame);
		iov.iov_len = buf_len(frame);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (fd >= 0 && !fd_sent) {
			/* The fd rides with the first byte that goes out. */
			memset(&cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf.buf;
			msg.msg_controllen = sizeof(cbuf.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if ((r = rpc_wait(sock, POLLOUT)) != 0)
					goto fail;
				continue;
			}
			r = (errno == EPIPE || errno == ECONNRESET) ?
			    HS_ERR_EOF : HS_ERR_SYSTEM;
			goto fail;
		}
		if (n == 0 || (size_t)n > buf_len(frame)) {
			r = HS_ERR_INTERNAL;
			goto out;
		}
		fd_sent = true;
		if ((r = buf_consume(frame, (size_t)n)) != 0)
			goto out;
	}
	r = 0;
	goto out;
 fail:
	saved_errno = errno;
 out:
	buf_free(frame);
	if (saved_errno != 0)
		errno = saved_errno;
	return r;
}

static void
rpc_rx_close_fds(struct rpc_rx *rx)
{
	size_t i;

	for (i = 0; i < rx->nfds; i++)
		(void)close(rx->fds[i]);
	rx->nfds = 0;
}

/* Take the fds out of the control data of one recvmsg(). */
static void
rpc_rx_collect(struct rpc_rx *rx, struct msghdr *msg)
{
	struct cmsghdr *cmsg;
	size_t i, count, payload, off;
	int fd;

	if ((msg->msg_flags & MSG_CTRUNC) != 0)
		rx->bad = true;
	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		/* The kernel fills these; still, never read past the
		 * control data it says it wrote. */
		off = (size_t)((char *)cmsg - (char *)msg->msg_control);
		if (cmsg->cmsg_len < CMSG_LEN(0) ||
		    off > msg->msg_controllen ||
		    cmsg->cmsg_len > msg->msg_controllen - off) {
			rx->bad = true;
			break;
		}
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS) {
			/* Credentials and the like carry no fds. */
			rx->bad = true;
			continue;
		}
		payload = cmsg->cmsg_len - CMSG_LEN(0);
		if (payload % sizeof(int) != 0)
			rx->bad = true;
		count = payload / sizeof(int);
		for (i = 0; i < count; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (fd < 0)
				continue;
			if (rx->nfds < RPC_RX_FDS)
				rx->fds[rx->nfds++] = fd;
			else {
				(void)close(fd);
				rx->bad = true;
			}
		}
	}
}

/*
 * Append exactly len bytes from sock to b, collecting passed fds in rx.
 * HS_ERR_EOF if the peer closed before the first byte of the message,
 * HS_ERR_SHORT if it closed later.
 */
static int
rpc_read(int sock, struct buf *b, size_t len, struct rpc_rx *rx)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(int) * RPC_RX_FDS)];
	} cbuf;
	uint8_t *dp;
	ssize_t n;
	int r;

	/* Each pass reads bytes, waits, or ends the call. */
	while (len > 0) {
		if ((r = buf_reserve(b, len, &dp)) != 0)
			return r;
		memset(&msg, 0, sizeof(msg));
		memset(&cbuf, 0, sizeof(cbuf));
		iov.iov_base = dp;
		iov.iov_len = len;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (n == -1) {
			(void)buf_consume_end(b, len);
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if ((r = rpc_wait(sock, POLLIN)) != 0)
					return r;
				continue;
			}
			if (errno != ECONNRESET)
				return HS_ERR_SYSTEM;
			n = 0;
		} else {
			rpc_rx_collect(rx, &msg);
			if ((size_t)n > len)
				return HS_ERR_INTERNAL;
			(void)buf_consume_end(b, len - (size_t)n);
		}
		if (n == 0)
			return rx->started ? HS_ERR_SHORT : HS_ERR_EOF;
		rx->started = true;
		len -= (size_t)n;
	}
	return 0;
}

/* Whatever fds arrived so far, are they acceptable? */
static int
rpc_rx_check(const struct rpc_rx *rx, bool want_fd)
{
	if (rx->bad || rx->nfds > 1 || (rx->nfds == 1 && !want_fd))
		return HS_ERR_PROTOCOL;
	return 0;
}

int
rpc_recv(int sock, size_t max, uint8_t *ret_type, struct buf **ret_body,
    int *ret_fd)
{
	struct rpc_rx rx;
	struct buf *hdr = NULL, *body = NULL;
	uint32_t len;
	uint8_t type;
	int r, saved_errno = 0;

	memset(&rx, 0, sizeof(rx));
	if (sock < 0 || ret_type == NULL || ret_body == NULL ||
	    max > RPC_STATE_MAX)
		return HS_ERR_INVALID_ARGUMENT;
	if ((hdr = buf_new()) == NULL || (body = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = rpc_read(sock, hdr, RPC_HDR_LEN, &rx)) != 0 ||
	    (r = rpc_rx_check(&rx, ret_fd != NULL)) != 0)
		goto fail;
	if ((r = buf_get_u32(hdr, &len)) != 0 ||
	    (r = buf_get_u8(hdr, &type)) != 0 ||
	    (r = buf_get_end(hdr)) != 0)
		goto fail;
	if (len > max) {
		r = HS_ERR_TOO_LONG;
		goto fail;
	}
	if ((r = rpc_read(sock, body, len, &rx)) != 0 ||
	    (r = rpc_rx_check(&rx, ret_fd != NULL)) != 0)
		goto fail;
	*ret_type = type;
	*ret_body = body;
	body = NULL;
	if (ret_fd != NULL)
		*ret_fd = rx.nfds == 1 ? rx.fds[0] : -1;
	rx.nfds = 0;
	r = 0;
	goto out;
 fail:
	saved_errno = errno;
 out:
	rpc_rx_close_fds(&rx);
	buf_free(hdr);
	buf_free(body);
	if (saved_errno != 0)
		errno = saved_errno;
	return r;
}

int
rpc_call(int sock, uint8_t type, const struct buf *req, uint8_t want,
    size_t max, struct buf **ret, int *ret_fd)
{
	struct buf *ans = NULL;
	uint8_t got;
	int r, fd = -1;

	*ret = NULL;
	if (ret_fd != NULL)
		*ret_fd = -1;
	if ((r = rpc_send(sock, type, req, -1)) != 0 ||
	    (r = rpc_recv(sock, max, &got, &ans, ret_fd != NULL ? &fd : NULL))
	    != 0)
		return r;
	if (got != want) {
		buf_free(ans);
		if (fd != -1)
			(void)close(fd);
		return HS_ERR_PROTOCOL;
	}
	*ret = ans;
	if (ret_fd != NULL)
		*ret_fd = fd;
	return 0;
}
