/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/rpc: framing over a real socketpair, at and past
 * its bounds, fd passing and refusal, and the message list.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mm-client.h"
#include "common/rpc.h"
#include "tests/tap.h"

static void
mkpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
}

/* The lowest free fd: equal before and after an operation means that
 * operation leaked no fd. */
static int
lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd == -1)
		abort();
	close(fd);
	return fd;
}

static struct buf *
pattern(size_t len, uint8_t seed)
{
	struct buf *b = buf_new();
	uint8_t *p;
	size_t i;

	if (b == NULL || buf_reserve(b, len, &p) != 0)
		abort();
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
	return b;
}

static void
write_all(int fd, const void *p, size_t len)
{
	if (write(fd, p, len) != (ssize_t)len)
		abort();
}

/* Send from a child process, for bodies larger than the socket buffer.
 * Returns the child's pid; its exit status is 0 if rpc_send() succeeded. */
static pid_t
send_in_child(int sock, int other, uint8_t type, const struct buf *body,
    int fd)
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(other);
		_exit(rpc_send(sock, type, body, fd) == 0 ? 0 : 1);
	}
	return pid;
}

static int
child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		abort();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Raw sendmsg of bytes with nfds copies of fd attached. */
static void
send_raw_fds(int sock, const void *p, size_t len, int fd, int nfds)
{
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(int) * 16)];
	} cbuf;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cmsg;
	int i;

	if (nfds < 1 || nfds > 16)
		abort();
	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)p;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	for (i = 0; i < nfds; i++)
		memcpy(CMSG_DATA(cmsg) + (size_t)i * sizeof(int), &fd,
		    sizeof(int));
	if (sendmsg(sock, &msg, 0) != (ssize_t)len)
		abort();
}

static void
test_roundtrip(void)
{
	struct buf *b, *got = NULL;
	uint8_t type = 0;
	int sv[2], fd = 7, free_fd;
	uint32_t u32;
	char *s;

	TEST_START("round trip of a typed body");
	mkpair(sv);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u32(b, 12345), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "hello"), 0);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PEER_BANNER, b, -1), 0);
	ASSERT_INT_EQ(buf_len(b), 13);	/* the body is not consumed */
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_PEER_BANNER);
	ASSERT_INT_EQ(fd, -1);
	ASSERT_PTR_NE(got, NULL);
	ASSERT_TRUE(buf_equal(b, got));
	ASSERT_INT_EQ(buf_get_u32(got, &u32), 0);
	ASSERT_U64_EQ(u32, 12345);
	ASSERT_INT_EQ(buf_get_cstring(got, 64, &s, NULL), 0);
	ASSERT_STR_EQ(s, "hello");
	free(s);
	ASSERT_INT_EQ(buf_get_end(got), 0);
	buf_free(got);
	buf_free(b);
	TEST_DONE();

	TEST_START("empty body, NULL or empty buffer");
	got = NULL;
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_HELLO, NULL, -1), 0);
	b = buf_new();
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_TERMINATE, b, -1), 0);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL), 0);
	ASSERT_INT_EQ(type, RPC_HELLO);
	ASSERT_INT_EQ(buf_len(got), 0);
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], 0, &type, &got, NULL), 0);
	ASSERT_INT_EQ(type, RPC_TERMINATE);
	ASSERT_INT_EQ(buf_len(got), 0);
	buf_free(got);
	buf_free(b);
	TEST_DONE();

	TEST_START("wire format: u32 length, u8 type, body");
	b = buf_from("xyz", 3);
	ASSERT_INT_EQ(rpc_send(sv[0], 0xab, b, -1), 0);
	{
		uint8_t raw[8], want[] = { 0, 0, 0, 3, 0xab, 'x', 'y', 'z' };

		ASSERT_INT_EQ(read(sv[1], raw, sizeof(raw)), 8);
		ASSERT_MEM_EQ(raw, want, 8);
	}
	buf_free(b);
	TEST_DONE();

	TEST_START("bad arguments");
	free_fd = lowest_free_fd();
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_STATE_MAX + 1, &type, &got, NULL),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(rpc_recv(-1, RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, NULL, NULL),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(rpc_send(-1, RPC_HELLO, NULL, -1),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_HELLO, NULL, -2),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	TEST_DONE();
	close(sv[0]);
	close(sv[1]);
}

static void
test_limits(void)
{
	struct buf *b, *got = NULL;
	uint8_t type = 0, peek;
	int sv[2];
	pid_t pid;

	TEST_START("body of exactly RPC_MSG_MAX bytes");
	mkpair(sv);
	b = pattern(RPC_MSG_MAX, 3);
	pid = send_in_child(sv[0], sv[1], RPC_KEX_SIGN, b, -1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL), 0);
	ASSERT_INT_EQ(child_status(pid), 0);
	ASSERT_INT_EQ(type, RPC_KEX_SIGN);
	ASSERT_TRUE(got != NULL && buf_equal(got, b));
	buf_free(got);
	got = NULL;
	buf_free(b);
	TEST_DONE();

	TEST_START("RPC_MSG_MAX + 1 refused, nothing more read");
	b = pattern(RPC_MSG_MAX + 1, 5);
	pid = send_in_child(sv[0], sv[1], RPC_KEX_SIGN, b, -1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_TOO_LONG);
	ASSERT_PTR_EQ(got, NULL);
	/* The body is still waiting: rpc_recv stopped after the header. */
	ASSERT_INT_EQ(recv(sv[1], &peek, 1, MSG_PEEK), 1);
	ASSERT_INT_EQ(peek, 5);
	close(sv[1]);
	/* Whether the sender finished before the close does not matter. */
	(void)child_status(pid);
	close(sv[0]);
	buf_free(b);
	TEST_DONE();

	TEST_START("state transfer: RPC_STATE_MAX accepted when expected");
	mkpair(sv);
	b = pattern(RPC_STATE_MAX, 9);
	pid = send_in_child(sv[0], sv[1], RPC_TRANSPORT_EXPORT, b, -1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_STATE_MAX, &type, &got, NULL), 0);
	ASSERT_INT_EQ(child_status(pid), 0);
	ASSERT_INT_EQ(type, RPC_TRANSPORT_EXPORT);
	ASSERT_TRUE(got != NULL && buf_equal(got, b));
	buf_free(got);
	got = NULL;
	buf_free(b);
	TEST_DONE();

	TEST_START("RPC_STATE_MAX + 1 not even sent");
	b = pattern(RPC_STATE_MAX + 1, 1);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_TRANSPORT_EXPORT, b, -1),
	    HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(recv(sv[1], &peek, 1, MSG_DONTWAIT), -1);
	ASSERT_INT_EQ(errno, EAGAIN);
	buf_free(b);
	TEST_DONE();

	TEST_START("length field above max is refused before any body");
	{
		uint8_t hdr[] = { 0xff, 0xff, 0xff, 0xff, RPC_HELLO };

		write_all(sv[0], hdr, sizeof(hdr));
		ASSERT_INT_EQ(rpc_recv(sv[1], RPC_STATE_MAX, &type, &got,
		    NULL), HS_ERR_TOO_LONG);
		ASSERT_PTR_EQ(got, NULL);
	}
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();
}

static void
test_truncation(void)
{
	struct buf *got = NULL;
	uint8_t type = 0;
	int sv[2], fd = 5;

	TEST_START("orderly close before a header: EOF");
	mkpair(sv);
	close(sv[0]);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd),
	    HS_ERR_EOF);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(fd, 5);	/* outputs untouched on failure */
	close(sv[1]);
	TEST_DONE();

	TEST_START("close inside the header: SHORT");
	mkpair(sv);
	write_all(sv[0], "\0\0\0", 3);
	close(sv[0]);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_SHORT);
	ASSERT_PTR_EQ(got, NULL);
	close(sv[1]);
	TEST_DONE();

	TEST_START("close inside the body: SHORT");
	mkpair(sv);
	write_all(sv[0], "\0\0\0\x0a\x02" "abcd", 9);
	close(sv[0]);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_SHORT);
	ASSERT_PTR_EQ(got, NULL);
	close(sv[1]);
	TEST_DONE();

	TEST_START("a message split over many writes is reassembled");
	mkpair(sv);
	{
		const char *frame = "\0\0\0\x04\x06" "wxyz";
		int i;

		fflush(stdout);
		pid_t pid = fork();

		if (pid == 0) {
			/* One byte at a time, the reader sees short reads. */
			for (i = 0; i < 9; i++) {
				write_all(sv[0], frame + i, 1);
				usleep(1000);
			}
			_exit(0);
		}
		ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
		    0);
		ASSERT_INT_EQ(type, RPC_KEX_SIGN);
		ASSERT_TRUE(got != NULL && buf_len(got) == 4 &&
		    memcmp(buf_ptr(got), "wxyz", 4) == 0);
		buf_free(got);
		got = NULL;
		ASSERT_INT_EQ(child_status(pid), 0);
	}
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("send to a closed peer: EOF, no SIGPIPE");
	mkpair(sv);
	close(sv[1]);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_HELLO, NULL, -1), HS_ERR_EOF);
	close(sv[0]);
	TEST_DONE();
}

static void
test_fds(void)
{
	struct buf *b, *got = NULL;
	uint8_t type = 0;
	int sv[2], pfd[2], fd = -1, free_fd, flags;
	char c = 0;

	TEST_START("fd passing: the fd arrives, close-on-exec, usable");
	mkpair(sv);
	if (pipe(pfd) == -1)
		abort();
	b = buf_from("tty0", 4);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PTY_OPEN_ANS, b, pfd[1]), 0);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_PTY_OPEN_ANS);
	ASSERT_TRUE(got != NULL && buf_equal(got, b));
	ASSERT_TRUE(fd >= 0 && fd != pfd[1] && fd != pfd[0]);
	flags = fcntl(fd, F_GETFD);
	ASSERT_TRUE(flags != -1 && (flags & FD_CLOEXEC) != 0);
	ASSERT_INT_EQ(write(fd, "!", 1), 1);
	ASSERT_INT_EQ(read(pfd[0], &c, 1), 1);
	ASSERT_INT_EQ(c, '!');
	close(fd);
	buf_free(got);
	got = NULL;
	TEST_DONE();

	TEST_START("an fd where none is expected: refused and closed");
	free_fd = lowest_free_fd();
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PTY_OPEN_ANS, b, pfd[1]), 0);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_PROTOCOL);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("two fds in one message: refused, both closed");
	mkpair(sv);
	free_fd = lowest_free_fd();
	send_raw_fds(sv[0], "\0\0\0\0\x18", 5, pfd[1], 2);
	fd = 99;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(fd, 99);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("many fds (control data truncated): refused, none leak");
	mkpair(sv);
	free_fd = lowest_free_fd();
	send_raw_fds(sv[0], "\0\0\0\0\x18", 5, pfd[1], 16);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd),
	    HS_ERR_PROTOCOL);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("an fd riding on the body bytes is seen too");
	mkpair(sv);
	free_fd = lowest_free_fd();
	write_all(sv[0], "\0\0\0\x02\x18", 5);
	send_raw_fds(sv[0], "ab", 2, pfd[1], 1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, NULL),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("an fd on a message that is too long is closed");
	mkpair(sv);
	free_fd = lowest_free_fd();
	send_raw_fds(sv[0], "\0\x01\0\x01\x18", 5, pfd[1], 1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd),
	    HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	TEST_START("interleaved messages keep their fds apart");
	mkpair(sv);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_LOG, b, -1), 0);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PTY_OPEN_ANS, b, pfd[1]), 0);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PTY_CLOSE_ANS, NULL, -1), 0);
	ASSERT_INT_EQ(rpc_send(sv[0], RPC_PTY_OPEN_ANS, NULL, pfd[0]), 0);
	fd = 99;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_LOG);
	ASSERT_INT_EQ(fd, -1);
	ASSERT_TRUE(got != NULL && buf_equal(got, b));
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_PTY_OPEN_ANS);
	ASSERT_TRUE(fd >= 0);
	ASSERT_INT_EQ(write(fd, "?", 1), 1);
	ASSERT_INT_EQ(read(pfd[0], &c, 1), 1);
	ASSERT_INT_EQ(c, '?');
	close(fd);
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_PTY_CLOSE_ANS);
	ASSERT_INT_EQ(fd, -1);
	ASSERT_INT_EQ(buf_len(got), 0);
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &got, &fd), 0);
	ASSERT_INT_EQ(type, RPC_PTY_OPEN_ANS);
	ASSERT_TRUE(fd >= 0);
	ASSERT_INT_EQ(write(pfd[1], "=", 1), 1);
	ASSERT_INT_EQ(read(fd, &c, 1), 1);
	ASSERT_INT_EQ(c, '=');
	close(fd);
	buf_free(got);
	got = NULL;
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();

	buf_free(b);
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_nonblocking(void)
{
	struct buf *b, *got = NULL;
	uint8_t type = 0;
	int sv[2];
	pid_t pid;

	TEST_START("non-blocking sockets: both ends wait in poll()");
	mkpair(sv);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	b = pattern(RPC_STATE_MAX, 11);
	pid = send_in_child(sv[0], sv[1], RPC_TRANSPORT_EXPORT, b, -1);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_STATE_MAX, &type, &got, NULL), 0);
	ASSERT_INT_EQ(child_status(pid), 0);
	ASSERT_TRUE(got != NULL && buf_equal(got, b));
	buf_free(got);
	buf_free(b);
	close(sv[0]);
	close(sv[1]);
	TEST_DONE();
}

static struct buf *
frames(const char *hex)
{
	unsigned char tmp[256];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *b = buf_new();

	if (b == NULL || buf_put(b, tmp, n) != 0)
		abort();
	return b;
}

static void
test_decode(void)
{
	struct buf *in, *out, *body = NULL;
	uint8_t type = 0;

	TEST_START("rpc_decode: consecutive frames, then SHORT");
	in = frames("00000002 06 abcd  00000000 22  000000");
	ASSERT_INT_EQ(rpc_decode(in, RPC_MSG_MAX, &type, &body), 0);
	ASSERT_INT_EQ(type, 6);
	ASSERT_TRUE(body != NULL && buf_len(body) == 2 &&
	    buf_ptr(body)[0] == 0xab && buf_ptr(body)[1] == 0xcd);
	buf_free(body);
	ASSERT_INT_EQ(rpc_decode(in, RPC_MSG_MAX, &type, &body), 0);
	ASSERT_INT_EQ(type, RPC_TERMINATE);
	ASSERT_INT_EQ(buf_len(body), 0);
	buf_free(body);
	ASSERT_INT_EQ(rpc_decode(in, RPC_MSG_MAX, &type, &body),
	    HS_ERR_SHORT);
	ASSERT_PTR_EQ(body, NULL);
	ASSERT_INT_EQ(buf_len(in), 3);
	buf_free(in);
	TEST_DONE();

	TEST_START("rpc_decode: failures consume nothing");
	in = frames("00000005 02 0102");
	ASSERT_INT_EQ(rpc_decode(in, RPC_MSG_MAX, &type, &body),
	    HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_len(in), 7);
	ASSERT_INT_EQ(rpc_decode(in, 4, &type, &body), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(in), 7);
	ASSERT_INT_EQ(rpc_decode(in, RPC_STATE_MAX + 1, &type, &body),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(buf_len(in), 7);
	buf_free(in);
	in = frames("ffffffff 00");
	ASSERT_INT_EQ(rpc_decode(in, RPC_STATE_MAX, &type, &body),
	    HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(in), 5);
	ASSERT_PTR_EQ(body, NULL);
	buf_free(in);
	TEST_DONE();

	TEST_START("rpc_encode and rpc_decode agree");
	out = buf_new();
	in = pattern(1000, 4);
	ASSERT_INT_EQ(rpc_encode(out, RPC_PASSWORD, in), 0);
	ASSERT_INT_EQ(rpc_encode(out, RPC_PASSWORD_ANS, NULL), 0);
	ASSERT_INT_EQ(buf_len(out), 2 * RPC_HDR_LEN + 1000);
	ASSERT_INT_EQ(rpc_decode(out, 999, &type, &body), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(rpc_decode(out, 1000, &type, &body), 0);
	ASSERT_INT_EQ(type, RPC_PASSWORD);
	ASSERT_TRUE(body != NULL && buf_equal(body, in));
	buf_free(body);
	ASSERT_INT_EQ(rpc_decode(out, 0, &type, &body), 0);
	ASSERT_INT_EQ(type, RPC_PASSWORD_ANS);
	ASSERT_INT_EQ(buf_len(out), 0);
	buf_free(body);
	buf_free(in);
	/* All-or-nothing when the output cannot hold the frame. */
	ASSERT_INT_EQ(buf_set_max_size(out, 8), 0);
	in = pattern(4, 0);
	ASSERT_INT_EQ(rpc_encode(out, RPC_HELLO, in), HS_ERR_NO_BUFFER_SPACE);
	ASSERT_INT_EQ(buf_len(out), 0);
	buf_free(in);
	buf_free(out);
	TEST_DONE();
}

static void
test_names(void)
{
	const char *name;
	size_t len;
	int v, nreq = 0;

	TEST_START("rpc_type_name");
	ASSERT_STR_EQ(rpc_type_name(RPC_HELLO), "RPC_HELLO");
	ASSERT_STR_EQ(rpc_type_name(RPC_HELLO_ANS), "RPC_HELLO_ANS");
	ASSERT_STR_EQ(rpc_type_name(RPC_LOG), "RPC_LOG");
	ASSERT_STR_EQ(rpc_type_name(RPC_KBDINT_ABORT_ANS),
	    "RPC_KBDINT_ABORT_ANS");
	ASSERT_STR_EQ(rpc_type_name(RPC_TERMINATE), "RPC_TERMINATE");
	ASSERT_STR_EQ(rpc_type_name(3), "UNKNOWN");
	ASSERT_STR_EQ(rpc_type_name(255), "UNKNOWN");
	ASSERT_INT_EQ(RPC_PROTO_VERSION, 2);
	TEST_DONE();

	TEST_START("requests are even, each answer is its request + 1");
	for (v = 0; v < 256; v++) {
		name = rpc_type_name((uint8_t)v);
		if (strcmp(name, "UNKNOWN") == 0)
			continue;
		len = strlen(name);
		if (len > 4 && strcmp(name + len - 4, "_ANS") == 0) {
			ASSERT_INT_EQ(v % 2, 1);
			ASSERT_INT_EQ(strncmp(rpc_type_name((uint8_t)(v - 1)),
			    name, len - 4), 0);
			ASSERT_INT_EQ(strlen(rpc_type_name((uint8_t)(v - 1))),
			    len - 4);
		} else {
			ASSERT_INT_EQ(v % 2, 0);
			nreq++;
		}
	}
	/* HELLO .. TERMINATE of design.md §2, LOG and SNAPSHOT included. */
	ASSERT_INT_EQ(nreq, 22);
	TEST_DONE();
}

static void
test_call(void)
{
	struct buf *req, *ans, *got = NULL, *body = NULL;
	const uint8_t *p;
	uint8_t type = 0, level = 0;
	int sv[2], pfd[2], fd = -1, free_fd;
	size_t len;
	char long_line[3 * LOG_LINE_MAX];

	TEST_START("rpc_call: the request goes out, the answer and its fd come back");
	mkpair(sv);
	if (pipe(pfd) == -1)
		abort();
	ans = buf_from("ok", 2);
	ASSERT_INT_EQ(rpc_send(sv[1], RPC_PTY_OPEN_ANS, ans, pfd[1]), 0);
	req = buf_from("req", 3);
	ASSERT_INT_EQ(rpc_call(sv[0], RPC_PTY_OPEN, req, RPC_PTY_OPEN_ANS,
	    RPC_MSG_MAX, &got, &fd), 0);
	ASSERT_TRUE(got != NULL && buf_equal(got, ans));
	ASSERT_TRUE(fd >= 0);
	close(fd);
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &body, NULL), 0);
	ASSERT_INT_EQ(type, RPC_PTY_OPEN);
	ASSERT_TRUE(buf_equal(body, req));
	buf_free(body);
	body = NULL;
	TEST_DONE();

	TEST_START("rpc_call: an answer of another type fails, its fd closed");
	free_fd = lowest_free_fd();
	ASSERT_INT_EQ(rpc_send(sv[1], RPC_HELLO_ANS, ans, pfd[1]), 0);
	ASSERT_INT_EQ(rpc_call(sv[0], RPC_PTY_OPEN, req, RPC_PTY_OPEN_ANS,
	    RPC_MSG_MAX, &got, &fd), HS_ERR_PROTOCOL);
	ASSERT_PTR_EQ(got, NULL);
	ASSERT_INT_EQ(fd, -1);
	ASSERT_INT_EQ(lowest_free_fd(), free_fd);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &body, NULL), 0);
	buf_free(body);
	body = NULL;
	TEST_DONE();

	TEST_START("mm_call and mm_log_handler on the child's socket");
	mm_init(sv[0]);
	ASSERT_INT_EQ(mm_fd(), sv[0]);
	ASSERT_INT_EQ(rpc_send(sv[1], RPC_PTY_CLOSE_ANS, NULL, -1), 0);
	got = mm_call(RPC_PTY_CLOSE, req, RPC_PTY_CLOSE_ANS, RPC_MSG_MAX,
	    NULL);
	ASSERT_TRUE(got != NULL && buf_len(got) == 0);
	buf_free(got);
	got = NULL;
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &body, NULL), 0);
	ASSERT_INT_EQ(type, RPC_PTY_CLOSE);
	buf_free(body);
	body = NULL;
	/* A line longer than the monitor takes arrives cut, not refused. */
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	mm_log_handler(LOG_LEVEL_INFO, long_line, NULL);
	ASSERT_INT_EQ(rpc_recv(sv[1], RPC_MSG_MAX, &type, &body, NULL), 0);
	ASSERT_INT_EQ(type, RPC_LOG);
	ASSERT_INT_EQ(buf_get_u8(body, &level), 0);
	ASSERT_INT_EQ(level, LOG_LEVEL_INFO);
	ASSERT_INT_EQ(buf_get_string_direct(body, LOG_LINE_MAX, &p, &len), 0);
	ASSERT_U64_EQ(len, LOG_LINE_MAX);
	ASSERT_INT_EQ(buf_get_end(body), 0);
	buf_free(body);
	body = NULL;
	mm_init(-1);
	TEST_DONE();

	TEST_START("rpc_call: the monitor gone is HS_ERR_EOF");
	close(sv[1]);
	ASSERT_INT_EQ(rpc_call(sv[0], RPC_PTY_OPEN, NULL, RPC_PTY_OPEN_ANS,
	    RPC_MSG_MAX, &got, NULL), HS_ERR_EOF);
	ASSERT_PTR_EQ(got, NULL);
	close(sv[0]);
	close(pfd[0]);
	close(pfd[1]);
	buf_free(req);
	buf_free(ans);
	TEST_DONE();
}

int
main(void)
{
	/* rpc_send() must never raise SIGPIPE; make sure it is deadly here. */
	signal(SIGPIPE, SIG_DFL);
	test_roundtrip();
	test_limits();
	test_truncation();
	test_fds();
	test_call();
	test_nonblocking();
	test_decode();
	test_names();
	return tap_finish();
}
