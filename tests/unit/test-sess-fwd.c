/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the channel infrastructure (session/channel.c): channels
 * we open over a socket (confirmation, failure, the bound on unanswered
 * opens, bogus answers), half-close of socket channels, and listening
 * sockets in the poll set; against the fake transport of test-sess-chan.h
 * with real sockets on 127.0.0.1.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

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
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/channel-priv.h"
#include "tests/tap.h"
#include "tests/unit/test-sess-builder.h"
#include "tests/unit/test-sess-chan.h"

struct tctx {
	struct session_init	*si;
	struct hs_config	*cfg;
	struct fake_transport	 ft;
	struct conn		*c;
};


static void
setup(struct tctx *t, const char *config_text)
{
	struct sessb_opts o;
	int r;

	memset(t, 0, sizeof(*t));
	memset(&o, 0, sizeof(o));
	o.config_text = config_text;
	if ((r = sessb_build(&o, &t->si, NULL, NULL)) != 0 ||
	    (r = config_deserialize(buf_ptr(t->si->config),
	    buf_len(t->si->config), &t->cfg)) != 0) {
		printf("# setup: %s\n", hs_err_str(r));
		abort();
	}
	t->c = ft_conn(&t->ft, t->si, t->cfg);
}

static void
teardown(struct tctx *t)
{
	conn_free(t->c);
	ft_reset(&t->ft);
	config_free(t->cfg);
	sessinit_free(t->si);
}

/* A listening TCP socket on 127.0.0.1; *port is its port. */
static int
tcp_listener(uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		abort();
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A blocking connection to 127.0.0.1:port (-1 on failure). */
static int
tcp_connect(uint16_t port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}






/* Read up to len bytes from fd, waiting up to 10 s in all. */
static size_t
read_some(int fd, char *p, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };
	ssize_t n;

	if (poll(&pfd, 1, 10000) != 1)
		return 0;
	n = read(fd, p, len);
	return n > 0 ? (size_t)n : 0;
}

/* Whether the next read on fd is EOF (within 10 s). */
static bool
read_eof(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };
	char c;

	return poll(&pfd, 1, 10000) == 1 && read(fd, &c, 1) == 0;
}







static struct buf *
confirm(uint32_t our_id, uint32_t peer_id)
{
	struct buf *b = ft_u32msg(SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, our_id);

	if (buf_put_u32(b, peer_id) != 0 || buf_put_u32(b, 1 << 20) != 0 ||
	    buf_put_u32(b, 32768) != 0)
		abort();
	return b;
}

static struct buf *
open_fail(uint32_t our_id)
{
	struct buf *b = ft_u32msg(SSH2_MSG_CHANNEL_OPEN_FAILURE, our_id);

	if (buf_put_u32(b, 2) != 0 || buf_put_cstring(b, "refused") != 0 ||
	    buf_put_cstring(b, "") != 0)
		abort();
	return b;
}




static int
count_accept(struct conn *c, int fd, void *ctx)
{
	(void)c;
	(*(int *)ctx)++;
	close(fd);
	return 0;
}

static void
count_release(struct conn *c, void *ctx)
{
	(void)c;
	(*(int *)ctx) += 100;
}

static void
test_outbound_bounds(void)
{
	struct tctx t;
	int sv[2], i, r, accepted = 0, h, lfd, cfd;
	uint16_t port;
	char buf[16], *s;

	TEST_START("channels we open: the bound on unanswered opens; the "
	    "listener API");
	setup(&t, NULL);
	for (i = 0; i < (int)CHAN_OPENING_MAX; i++) {
		ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		close(sv[1]);
		ASSERT_INT_EQ(conn_open_outbound(t.c, "auth-agent@openssh.com",
		    NULL, sv[0]), 0);
	}
	ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r = conn_open_outbound(t.c, "auth-agent@openssh.com", NULL, sv[0]);
	ASSERT_INT_EQ(r, HS_ERR_NO_BUFFER_SPACE);
	/* sv[0] was closed by the layer. */
	ASSERT_TRUE(read_eof(sv[1]));
	close(sv[1]);
	ASSERT_INT_EQ(conn_nchannels(t.c), CHAN_OPENING_MAX);
	/* One answer makes room. */
	ASSERT_INT_EQ(ft_input(t.c, open_fail(0)), 0);
	ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	ASSERT_INT_EQ(conn_open_outbound(t.c, "x11", NULL, sv[0]), 0);
	/* Confirmed once; twice, or for no such channel, is an error. */
	ASSERT_INT_EQ(ft_input(t.c, confirm(1, 50)), 0);
	ASSERT_INT_EQ(ft_input(t.c, confirm(1, 51)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, confirm(900, 51)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, open_fail(1)), HS_ERR_PROTOCOL);
	teardown(&t);

	/* A confirmed socket channel: data both ways, half-close. */
	setup(&t, NULL);
	ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ASSERT_INT_EQ(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	ASSERT_INT_EQ(conn_open_outbound(t.c, "auth-agent@openssh.com", NULL,
	    sv[0]), 0);
	ASSERT_INT_EQ(ft_input(t.c, confirm(0, 7)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(0, "q", 1)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, 0)), 0);
	ft_round(&t.ft, t.c, 100);
	ft_round(&t.ft, t.c, 100);
	ASSERT_INT_EQ(read_some(sv[1], buf, sizeof(buf)), 1);
	ASSERT_TRUE(read_eof(sv[1]));
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0), -1);
	ASSERT_INT_EQ(write(sv[1], "answer", 6), 6);
	close(sv[1]);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 7, 50));
	s = ft_collect(&t.ft, 7, false, NULL);
	ASSERT_STR_EQ(s, "answer");
	free(s);
	ASSERT_INT_NE(ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0), -1);
	teardown(&t);

	setup(&t, NULL);
	lfd = tcp_listener(&port);
	ASSERT_INT_EQ(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	ASSERT_INT_EQ(conn_listener_add(t.c, lfd, count_accept, count_release,
	    &accepted, &h), 0);
	cfd = tcp_connect(port);
	ASSERT_TRUE(cfd >= 0);
	for (i = 0; i < 50 && accepted == 0; i++)
		ft_round(&t.ft, t.c, 100);
	ASSERT_INT_EQ(accepted, 1);
	close(cfd);
	conn_listener_del(t.c, h);
	ASSERT_INT_EQ(accepted, 101);
	ASSERT_INT_EQ(tcp_connect(port), -1);
	conn_listener_del(t.c, h);	/* gone: a no-op */
	ASSERT_INT_EQ(accepted, 101);
	teardown(&t);
	TEST_DONE();
}


int
main(void)
{
	(void)signal(SIGPIPE, SIG_IGN);
	test_outbound_bounds();
	return tap_finish();
}
