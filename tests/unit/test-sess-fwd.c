/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of port forwarding and the channel infrastructure under it
 * (session/chan-fwd.c, channel.c), against the fake transport of
 * test-sess-chan.h, with real sockets on 127.0.0.1 and in a temporary
 * directory:
 *  - direct-tcpip to a listening socket: CONFIRMATION only once the
 *    connect completed, data both ways, half-close each way, CLOSE after
 *    both; a refused connect is OPEN_FAILURE (CONNECT_FAILED);
 *  - refusals (ADMINISTRATIVELY_PROHIBITED, the connection goes on):
 *    AllowTcpForwarding no / remote, DisableForwarding, PermitOpen lists,
 *    none and wildcards, the key's no-port-forwarding and permitopen=;
 *  - tcpip-forward port 0: REQUEST_SUCCESS with the port; a connection
 *    to it opens forwarded-tcpip (fields checked); our opens confirmed
 *    and refused; cancel-tcpip-forward; PermitListen and privileged
 *    ports;
 *  - direct-streamlocal and streamlocal-forward (the socket file is gone
 *    after conn_free);
 *  - bogus answers to opens (unknown id, double confirmation, an answer
 *    for a channel the peer opened) are protocol errors; the bound on
 *    unanswered opens;
 *  - ChannelTimeout (per type, wildcards, global) with a fake clock;
 *  - the parsers of chanmsg.c for these messages.
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
#include "session/chanmsg.h"
#include "tests/tap.h"
#include "tests/unit/test-sess-builder.h"
#include "tests/unit/test-sess-chan.h"

struct tctx {
	struct session_init	*si;
	struct hs_config	*cfg;
	struct fake_transport	 ft;
	struct conn		*c;
};

static time_t fake_time = 1000;

static time_t
fake_now(void *ctx)
{
	(void)ctx;
	return fake_time;
}

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

static struct buf *
direct_tcpip(uint32_t peer_id, const char *host, uint32_t port)
{
	struct buf *b = ft_open("direct-tcpip", peer_id, 1 << 20, 32768);

	if (buf_put_cstring(b, host) != 0 || buf_put_u32(b, port) != 0 ||
	    buf_put_cstring(b, "127.0.0.1") != 0 ||
	    buf_put_u32(b, 40000) != 0)
		abort();
	return b;
}

static struct buf *
global_req(const char *name, bool want_reply)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST) != 0 ||
	    buf_put_cstring(b, name) != 0 || buf_put_bool(b, want_reply) != 0)
		abort();
	return b;
}

/* Run rounds until a message of type shows up at or after from. */
static long
wait_msg(struct tctx *t, uint8_t type, size_t from)
{
	long i;
	int n;

	for (n = 0; n < 100; n++) {
		if ((i = ft_find(&t->ft, type, from)) != -1)
			return i;
		ft_round(&t->ft, t->c, 100);
	}
	return ft_find(&t->ft, type, from);
}

/* The reason code of OPEN_FAILURE message i. */
static uint32_t
failure_reason(const struct tctx *t, long i)
{
	uint32_t reason = 0;

	if (i < 0 || buf_peek_u32(t->ft.msgs[i], 5, &reason) != 0)
		return 0xffffffff;
	return reason;
}

/* Our channel id in the OPEN_CONFIRMATION message i. */
static uint32_t
confirmed_id(const struct tctx *t, long i)
{
	uint32_t id = 0xffffffff;

	if (i >= 0)
		(void)buf_peek_u32(t->ft.msgs[i], 5, &id);
	return id;
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

/* Open direct-tcpip to a fresh listener; *ret_srv is the accepted end. */
static uint32_t
open_direct(struct tctx *t, uint32_t peer_id, int *ret_srv)
{
	uint16_t port;
	int lfd = tcp_listener(&port);
	size_t before = t->ft.nmsgs;
	long i;

	ASSERT_INT_EQ(ft_input(t->c, direct_tcpip(peer_id, "127.0.0.1",
	    port)), 0);
	i = wait_msg(t, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, before);
	ASSERT_TRUE(i >= 0);
	ASSERT_INT_EQ(ft_recipient(&t->ft, (size_t)i), peer_id);
	*ret_srv = accept(lfd, NULL, NULL);
	ASSERT_TRUE(*ret_srv >= 0);
	close(lfd);
	return confirmed_id(t, i);
}

static void
test_direct_tcpip(void)
{
	struct tctx t;
	char buf[64], *s;
	uint32_t id;
	int srv;

	TEST_START("direct-tcpip: connect, data both ways, half-close");
	setup(&t, NULL);
	id = open_direct(&t, 5, &srv);
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	/* Peer to server. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "ping", 4)), 0);
	ft_round(&t.ft, t.c, 100);
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(srv, buf, sizeof(buf) - 1), 4);
	ASSERT_STR_EQ(buf, "ping");
	/* Server to peer, then the server's half-close: EOF, no CLOSE. */
	ASSERT_INT_EQ(write(srv, "pong", 4), 4);
	ASSERT_INT_EQ(shutdown(srv, SHUT_WR), 0);
	ASSERT_TRUE(wait_msg(&t, SSH2_MSG_CHANNEL_EOF, 0) >= 0);
	s = ft_collect(&t.ft, 5, false, NULL);
	ASSERT_STR_EQ(s, "pong");
	free(s);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0), -1);
	/* The other direction still works. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "more", 4)), 0);
	ft_round(&t.ft, t.c, 100);
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(srv, buf, sizeof(buf) - 1), 4);
	ASSERT_STR_EQ(buf, "more");
	/* The peer's EOF: the server reads EOF; then our CLOSE. */
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 5, 50));
	ASSERT_TRUE(read_eof(srv));
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	close(srv);

	/* The peer half-closes first: the server sees EOF and still
	 * answers. */
	id = open_direct(&t, 6, &srv);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ft_round(&t.ft, t.c, 100);
	ASSERT_TRUE(read_eof(srv));
	ASSERT_INT_EQ(write(srv, "late", 4), 4);
	close(srv);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 6, 50));
	s = ft_collect(&t.ft, 6, false, NULL);
	ASSERT_STR_EQ(s, "late");
	free(s);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);

	/* The peer's last data, EOF and CLOSE all at once (as OpenSSH's
	 * client sends them when its side ends): the data still reaches
	 * the socket, then EOF, and only then our CLOSE. */
	id = open_direct(&t, 7, &srv);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "last-words", 10)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 7, 50));
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(srv, buf, sizeof(buf) - 1), 10);
	ASSERT_STR_EQ(buf, "last-words");
	ASSERT_TRUE(read_eof(srv));
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	close(srv);
	teardown(&t);
	TEST_DONE();
}

static void
test_connect_refused(void)
{
	struct tctx t;
	uint16_t port;
	int lfd;
	long i;

	TEST_START("direct-tcpip: connect refused, unknown host");
	setup(&t, NULL);
	lfd = tcp_listener(&port);
	close(lfd);	/* nothing listens there now */
	ASSERT_INT_EQ(ft_input(t.c, direct_tcpip(7, "127.0.0.1", port)), 0);
	i = wait_msg(&t, SSH2_MSG_CHANNEL_OPEN_FAILURE, 0);
	ASSERT_TRUE(i >= 0);
	ASSERT_INT_EQ(ft_recipient(&t.ft, (size_t)i), 7);
	ASSERT_INT_EQ(failure_reason(&t, i), CHAN_OPEN_CONNECT_FAILED);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, 0),
	    -1);
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	ft_reset(&t.ft);
	/* A port that does not exist, and a name that does not resolve. */
	ASSERT_INT_EQ(ft_input(t.c, direct_tcpip(8, "127.0.0.1", 70000)), 0);
	ASSERT_INT_EQ(failure_reason(&t, ft_find(&t.ft,
	    SSH2_MSG_CHANNEL_OPEN_FAILURE, 0)), CHAN_OPEN_CONNECT_FAILED);
	ASSERT_INT_EQ(ft_input(t.c, direct_tcpip(9, "no-such-host.invalid",
	    80)), 0);
	ASSERT_INT_EQ(failure_reason(&t, ft_find(&t.ft,
	    SSH2_MSG_CHANNEL_OPEN_FAILURE, 1)), CHAN_OPEN_CONNECT_FAILED);
	/* Messages for the channel id before its confirmation: no such
	 * channel. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(0, "x", 1)), HS_ERR_PROTOCOL);
	/* A malformed open is a protocol error. */
	ASSERT_INT_EQ(ft_input(t.c, ft_open("direct-tcpip", 10, 1000, 1000)),
	    HS_ERR_PROTOCOL);
	teardown(&t);
	TEST_DONE();
}

/* Open direct-tcpip to host:port under cfg; the reply's type (and the
 * reason in *reason for a failure). */
static uint8_t
try_open(const char *config, const struct authkey_opts *o,
    const char *host, uint16_t port, uint32_t *reason)
{
	struct tctx t;
	uint8_t type = 0;
	long i;
	int srv;

	setup(&t, config);
	conn_set_key_options(t.c, o);
	ASSERT_INT_EQ(ft_input(t.c, direct_tcpip(3, host, port)), 0);
	for (i = 0; i < 100 && t.ft.nmsgs == 0; i++)
		ft_round(&t.ft, t.c, 100);
	if (t.ft.nmsgs > 0)
		type = ft_type(&t.ft, 0);
	*reason = type == SSH2_MSG_CHANNEL_OPEN_FAILURE ?
	    failure_reason(&t, 0) : 0;
	(void)srv;
	teardown(&t);
	return type;
}

static void
test_policy(void)
{
	struct authkey_opts o;
	char *permit[2];
	char cfg[256];
	uint16_t port;
	uint32_t reason;
	int lfd;

	TEST_START("direct-tcpip refusals: AllowTcpForwarding, PermitOpen, "
	    "DisableForwarding, key options");
	lfd = tcp_listener(&port);
	ASSERT_INT_EQ(try_open(NULL, NULL, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	ASSERT_INT_EQ(try_open("AllowTcpForwarding no\n", NULL, "127.0.0.1",
	    port, &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	ASSERT_INT_EQ(try_open("AllowTcpForwarding remote\n", NULL,
	    "127.0.0.1", port, &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	ASSERT_INT_EQ(try_open("AllowTcpForwarding local\n", NULL,
	    "127.0.0.1", port, &reason), SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	ASSERT_INT_EQ(try_open("DisableForwarding yes\n", NULL, "127.0.0.1",
	    port, &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	ASSERT_INT_EQ(try_open("PermitOpen none\n", NULL, "127.0.0.1", port,
	    &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	ASSERT_INT_EQ(try_open("PermitOpen 127.0.0.1:1 localhost:2\n", NULL,
	    "127.0.0.1", port, &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	snprintf(cfg, sizeof(cfg), "PermitOpen 127.0.0.1:1 127.0.0.1:%u\n",
	    port);
	ASSERT_INT_EQ(try_open(cfg, NULL, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	ASSERT_INT_EQ(try_open("PermitOpen 127.0.0.1:*\n", NULL, "127.0.0.1",
	    port, &reason), SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	snprintf(cfg, sizeof(cfg), "PermitOpen *:%u\n", port);
	ASSERT_INT_EQ(try_open(cfg, NULL, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	/* Host names compare as written, as in sshd. */
	snprintf(cfg, sizeof(cfg), "PermitOpen localhost:%u\n", port);
	ASSERT_INT_EQ(try_open(cfg, NULL, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(try_open("PermitOpen any\n", NULL, "127.0.0.1", port,
	    &reason), SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);

	/* authorized_keys: no-port-forwarding, permitopen=. */
	memset(&o, 0, sizeof(o));
	o.tunnel = -1;
	o.permit_port_forwarding = false;
	ASSERT_INT_EQ(try_open(NULL, &o, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(reason, CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	o.permit_port_forwarding = true;
	permit[0] = cfg;
	snprintf(cfg, sizeof(cfg), "127.0.0.1:%u", port + 1);
	o.permitopen = permit;
	o.npermitopen = 1;
	ASSERT_INT_EQ(try_open(NULL, &o, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_FAILURE);
	snprintf(cfg, sizeof(cfg), "127.0.0.1:%u", port);
	ASSERT_INT_EQ(try_open(NULL, &o, "127.0.0.1", port, &reason),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	/* Both lists must allow it. */
	ASSERT_INT_EQ(try_open("PermitOpen 127.0.0.1:1\n", &o, "127.0.0.1",
	    port, &reason), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	close(lfd);
	TEST_DONE();
}

/* Send tcpip-forward; the reply type, and the port it carries. */
static uint8_t
tcpip_forward(struct tctx *t, const char *addr, uint32_t port,
    uint32_t *ret_port)
{
	struct buf *b = global_req("tcpip-forward", true);
	size_t before = t->ft.nmsgs;
	uint8_t type;

	if (buf_put_cstring(b, addr) != 0 || buf_put_u32(b, port) != 0)
		abort();
	ASSERT_INT_EQ(ft_input(t->c, b), 0);
	ASSERT_INT_EQ(t->ft.nmsgs, before + 1);
	type = ft_type(&t->ft, before);
	*ret_port = 0;
	if (type == SSH2_MSG_REQUEST_SUCCESS && port == 0) {
		ASSERT_INT_EQ(buf_len(t->ft.msgs[before]), 5);
		ASSERT_INT_EQ(buf_peek_u32(t->ft.msgs[before], 1, ret_port), 0);
	} else if (type == SSH2_MSG_REQUEST_SUCCESS)
		ASSERT_INT_EQ(buf_len(t->ft.msgs[before]), 1);
	return type;
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

/* The CHANNEL_OPEN message i: its type and our id; the rest in *rest. */
static uint32_t
parse_open(const struct tctx *t, long i, char **type, struct buf **rest)
{
	struct buf *b;
	uint32_t id = 0xffffffff, win, pkt;

	ASSERT_TRUE(i >= 0);
	b = buf_from(buf_ptr(t->ft.msgs[i]), buf_len(t->ft.msgs[i]));
	if (b == NULL || buf_consume(b, 1) != 0 ||
	    buf_get_cstring(b, 64, type, NULL) != 0 ||
	    buf_get_u32(b, &id) != 0 || buf_get_u32(b, &win) != 0 ||
	    buf_get_u32(b, &pkt) != 0)
		abort();
	ASSERT_INT_EQ(win, CHAN_WINDOW_DEFAULT);
	ASSERT_INT_EQ(pkt, CHAN_PACKET_DEFAULT);
	*rest = b;
	return id;
}

static void
test_remote_forward(void)
{
	struct tctx t;
	struct buf *rest, *b;
	char *type, *s, buf[16];
	uint32_t port, id, id2, p2;
	const uint8_t *sp;
	size_t len;
	int cfd, cfd2;
	long i;

	TEST_START("tcpip-forward: port 0, forwarded-tcpip, answers, cancel");
	setup(&t, NULL);
	ASSERT_INT_EQ(tcpip_forward(&t, "localhost", 0, &port),
	    SSH2_MSG_REQUEST_SUCCESS);
	ASSERT_TRUE(port >= 1024 && port <= 65535);
	/* Listeners are not channels. */
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	cfd = tcp_connect((uint16_t)port);
	ASSERT_TRUE(cfd >= 0);
	i = wait_msg(&t, SSH2_MSG_CHANNEL_OPEN, 0);
	id = parse_open(&t, i, &type, &rest);
	ASSERT_STR_EQ(type, "forwarded-tcpip");
	free(type);
	/* Connected address (as the client asked) and port, originator. */
	ASSERT_INT_EQ(buf_get_string_direct(rest, 64, &sp, &len), 0);
	ASSERT_INT_EQ(len, 9);
	ASSERT_MEM_EQ(sp, "localhost", 9);
	ASSERT_INT_EQ(buf_get_u32(rest, &p2), 0);
	ASSERT_INT_EQ(p2, port);
	ASSERT_INT_EQ(buf_get_string_direct(rest, 64, &sp, &len), 0);
	ASSERT_INT_EQ(len, 9);
	ASSERT_MEM_EQ(sp, "127.0.0.1", 9);
	ASSERT_INT_EQ(buf_get_u32(rest, &p2), 0);
	ASSERT_INT_EQ(buf_get_end(rest), 0);
	buf_free(rest);
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	/* Before the answer, nothing else may name the channel. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "x", 1)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, confirm(id, 44)), 0);
	ASSERT_INT_EQ(write(cfd, "hello", 5), 5);
	for (i = 0; i < 50; i++) {
		s = ft_collect(&t.ft, 44, false, &len);
		free(s);
		if (len == 5)
			break;
		ft_round(&t.ft, t.c, 100);
	}
	s = ft_collect(&t.ft, 44, false, NULL);
	ASSERT_STR_EQ(s, "hello");
	free(s);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "world", 5)), 0);
	ft_round(&t.ft, t.c, 100);
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(cfd, buf, sizeof(buf) - 1), 5);
	ASSERT_STR_EQ(buf, "world");
	/* A double confirmation is a protocol error. */
	ASSERT_INT_EQ(ft_input(t.c, confirm(id, 45)), HS_ERR_PROTOCOL);

	/* A second connection; the client refuses it: the socket closes. */
	len = t.ft.nmsgs;
	cfd2 = tcp_connect((uint16_t)port);
	ASSERT_TRUE(cfd2 >= 0);
	id2 = parse_open(&t, wait_msg(&t, SSH2_MSG_CHANNEL_OPEN, len), &type,
	    &rest);
	free(type);
	buf_free(rest);
	ASSERT_INT_NE(id2, id);
	ASSERT_INT_EQ(conn_nchannels(t.c), 2);
	ASSERT_INT_EQ(ft_input(t.c, open_fail(id2)), 0);
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	ASSERT_TRUE(read_eof(cfd2));
	close(cfd2);
	/* Answers for unknown channels, and for one the peer opened. */
	ASSERT_INT_EQ(ft_input(t.c, open_fail(id2)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, confirm(77, 1)), HS_ERR_PROTOCOL);

	/* cancel-tcpip-forward: the wrong port fails, the right one stops
	 * the listener; the channel already open stays. */
	b = global_req("cancel-tcpip-forward", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "localhost"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, port + 1), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(ft_type(&t.ft, t.ft.nmsgs - 1), SSH2_MSG_REQUEST_FAILURE);
	b = global_req("cancel-tcpip-forward", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "localhost"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, port), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(ft_type(&t.ft, t.ft.nmsgs - 1), SSH2_MSG_REQUEST_SUCCESS);
	ASSERT_INT_EQ(tcp_connect((uint16_t)port), -1);
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	close(cfd);
	/* Port 0 without want_reply is refused (the port would be lost);
	 * a malformed request is a protocol error. */
	b = global_req("tcpip-forward", false);
	ASSERT_INT_EQ(buf_put_cstring(b, "localhost"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	i = (long)t.ft.nmsgs;
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ((long)t.ft.nmsgs, i);
	ASSERT_INT_EQ(t.c->nlisteners, 0);
	b = global_req("tcpip-forward", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "localhost"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	teardown(&t);

	/* Refusals. */
	setup(&t, "AllowTcpForwarding local\n");
	ASSERT_INT_EQ(tcpip_forward(&t, "localhost", 0, &port),
	    SSH2_MSG_REQUEST_FAILURE);
	teardown(&t);
	setup(&t, "PermitListen 127.0.0.1:1\n");
	ASSERT_INT_EQ(tcpip_forward(&t, "localhost", 0, &port),
	    SSH2_MSG_REQUEST_FAILURE);
	teardown(&t);
	setup(&t, "PermitListen localhost:*\n");
	ASSERT_INT_EQ(tcpip_forward(&t, "localhost", 0, &port),
	    SSH2_MSG_REQUEST_SUCCESS);
	teardown(&t);
	setup(&t, NULL);
	/* A privileged port, for a user that is not root. */
	t.si->uid = 1000;
	ASSERT_INT_EQ(tcpip_forward(&t, "localhost", 22, &port),
	    SSH2_MSG_REQUEST_FAILURE);
	ASSERT_INT_EQ(t.c->nlisteners, 0);
	teardown(&t);
	TEST_DONE();
}

static void
test_streamlocal(void)
{
	struct tctx t;
	struct sockaddr_un sun;
	struct buf *b, *rest;
	char dir[] = "/tmp/test-sess-fwd.XXXXXX", lpath[64], rpath[64];
	char *type, buf[16];
	struct stat st;
	uint32_t id;
	int lfd, srv, cfd;
	long i;

	TEST_START("direct-streamlocal and streamlocal-forward");
	ASSERT_PTR_NE(mkdtemp(dir), NULL);
	snprintf(lpath, sizeof(lpath), "%s/l.sock", dir);
	snprintf(rpath, sizeof(rpath), "%s/r.sock", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", lpath);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_INT_EQ(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ASSERT_INT_EQ(listen(lfd, 4), 0);

	setup(&t, "StreamLocalBindMask 0177\n");
	b = ft_open("direct-streamlocal@openssh.com", 3, 1 << 20, 32768);
	ASSERT_INT_EQ(buf_put_cstring(b, lpath), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, ""), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	i = wait_msg(&t, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, 0);
	ASSERT_TRUE(i >= 0);
	id = confirmed_id(&t, i);
	srv = accept(lfd, NULL, NULL);
	ASSERT_TRUE(srv >= 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "abc", 3)), 0);
	ft_round(&t.ft, t.c, 100);
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(srv, buf, sizeof(buf) - 1), 3);
	ASSERT_STR_EQ(buf, "abc");
	close(srv);

	b = global_req("streamlocal-forward@openssh.com", true);
	ASSERT_INT_EQ(buf_put_cstring(b, rpath), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(ft_type(&t.ft, t.ft.nmsgs - 1), SSH2_MSG_REQUEST_SUCCESS);
	ASSERT_INT_EQ(lstat(rpath, &st), 0);
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", rpath);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_INT_EQ(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	id = parse_open(&t, wait_msg(&t, SSH2_MSG_CHANNEL_OPEN, 0), &type,
	    &rest);
	ASSERT_STR_EQ(type, "forwarded-streamlocal@openssh.com");
	free(type);
	buf_free(rest);
	ASSERT_INT_EQ(ft_input(t.c, confirm(id, 9)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "xyz", 3)), 0);
	ft_round(&t.ft, t.c, 100);
	memset(buf, 0, sizeof(buf));
	ASSERT_INT_EQ(read_some(cfd, buf, sizeof(buf) - 1), 3);
	ASSERT_STR_EQ(buf, "xyz");
	close(cfd);
	/* A second forward on the same path fails (no BindUnlink). */
	b = global_req("streamlocal-forward@openssh.com", true);
	ASSERT_INT_EQ(buf_put_cstring(b, rpath), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(ft_type(&t.ft, t.ft.nmsgs - 1), SSH2_MSG_REQUEST_FAILURE);
	/* The socket file goes with the connection. */
	teardown(&t);
	ASSERT_INT_EQ(lstat(rpath, &st), -1);

	setup(&t, "AllowStreamLocalForwarding no\n");
	b = ft_open("direct-streamlocal@openssh.com", 3, 1 << 20, 32768);
	ASSERT_INT_EQ(buf_put_cstring(b, lpath), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, ""), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(failure_reason(&t, ft_find(&t.ft,
	    SSH2_MSG_CHANNEL_OPEN_FAILURE, 0)),
	    CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED);
	b = global_req("streamlocal-forward@openssh.com", true);
	ASSERT_INT_EQ(buf_put_cstring(b, rpath), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(ft_type(&t.ft, t.ft.nmsgs - 1), SSH2_MSG_REQUEST_FAILURE);
	teardown(&t);
	close(lfd);
	unlink(lpath);
	rmdir(dir);
	TEST_DONE();
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

static void
test_timeouts(void)
{
	struct tctx t;
	uint32_t id, id2;
	int srv, srv2;

	TEST_START("ChannelTimeout: per type, wildcard, global");
	setup(&t, "ChannelTimeout session=100 direct-*=10\n");
	conn_set_clock(t.c, fake_now, NULL);
	fake_time = 1000;
	ASSERT_INT_EQ(conn_timeouts(t.c), -1);
	id = open_direct(&t, 1, &srv);
	ASSERT_INT_EQ(conn_timeouts(t.c), 10000);
	fake_time += 6;
	ASSERT_INT_EQ(conn_timeouts(t.c), 4000);
	/* Traffic restarts the clock. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "x", 1)), 0);
	fake_time += 6;
	ASSERT_INT_EQ(conn_timeouts(t.c), 4000);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0), -1);
	fake_time += 4;
	ASSERT_INT_EQ(conn_timeouts(t.c), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_NE(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0), -1);
	ASSERT_INT_EQ(ft_recipient(&t.ft, (size_t)ft_find(&t.ft,
	    SSH2_MSG_CHANNEL_CLOSE, 0)), 1);
	ASSERT_TRUE(read_eof(srv));
	close(srv);
	ASSERT_INT_EQ(conn_timeouts(t.c), -1);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	teardown(&t);

	setup(&t, "ChannelTimeout global=20 session=5\n");
	conn_set_clock(t.c, fake_now, NULL);
	id = open_direct(&t, 1, &srv);
	id2 = open_direct(&t, 2, &srv2);
	ASSERT_INT_EQ(conn_timeouts(t.c), 20000);
	fake_time += 15;
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "x", 1)), 0);
	/* Traffic on one channel keeps both. */
	fake_time += 15;
	ASSERT_INT_EQ(conn_timeouts(t.c), 5000);
	fake_time += 5;
	ASSERT_INT_EQ(conn_timeouts(t.c), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_NE(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0), -1);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 2, 1));
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 1, 1));
	(void)id2;
	close(srv);
	close(srv2);
	teardown(&t);
	TEST_DONE();
}

static struct buf *
payload(void)
{
	struct buf *b = buf_new();

	if (b == NULL)
		abort();
	return b;
}

static void
test_parsers(void)
{
	struct chanmsg_fwd f;
	struct chanmsg_confirm m;
	struct buf *b;
	char longname[FWD_HOST_MAX + 2], *descr;
	uint32_t id, reason;

	TEST_START("forwarding parsers (chanmsg.c)");
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "example.org"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 443), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "10.0.0.1"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 5555), 0);
	ASSERT_INT_EQ(chanmsg_direct_tcpip(b, &f), 0);
	ASSERT_STR_EQ(f.host, "example.org");
	ASSERT_INT_EQ(f.port, 443);
	ASSERT_STR_EQ(f.orig, "10.0.0.1");
	ASSERT_INT_EQ(f.orig_port, 5555);
	chanmsg_fwd_free(&f);
	buf_free(b);
	/* Trailing bytes, a missing field, a NUL, an over-long host. */
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "h"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(chanmsg_tcpip_forward(b, &f), HS_ERR_TRAILING_DATA);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "h"), 0);
	ASSERT_INT_NE(chanmsg_tcpip_forward(b, &f), 0);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_string(b, "a\0b", 3), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(chanmsg_tcpip_forward(b, &f), HS_ERR_STRING_NUL);
	buf_free(b);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, longname), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(chanmsg_tcpip_forward(b, &f), HS_ERR_TOO_LONG);
	buf_free(b);
	/* direct-streamlocal: path and the two reserved fields. */
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "/tmp/s"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, ""), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(chanmsg_direct_streamlocal(b, &f), 0);
	ASSERT_STR_EQ(f.path, "/tmp/s");
	ASSERT_PTR_EQ(f.host, NULL);
	chanmsg_fwd_free(&f);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "/tmp/s"), 0);
	ASSERT_INT_NE(chanmsg_direct_streamlocal(b, &f), 0);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_cstring(b, "/tmp/s"), 0);
	ASSERT_INT_EQ(chanmsg_streamlocal_forward(b, &f), 0);
	ASSERT_STR_EQ(f.path, "/tmp/s");
	chanmsg_fwd_free(&f);
	buf_free(b);
	/* Answers to our opens. */
	b = payload();
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 2), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 3), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 4), 0);
	ASSERT_INT_EQ(chanmsg_open_confirmation(b, &m), 0);
	ASSERT_INT_EQ(m.id, 1);
	ASSERT_INT_EQ(m.peer_id, 2);
	ASSERT_INT_EQ(m.window, 3);
	ASSERT_INT_EQ(m.maxpkt, 4);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 2), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "no"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "en"), 0);
	ASSERT_INT_EQ(chanmsg_open_failure(b, &id, &reason, &descr), 0);
	ASSERT_INT_EQ(id, 1);
	ASSERT_INT_EQ(reason, 2);
	ASSERT_STR_EQ(descr, "no");
	free(descr);
	buf_free(b);
	b = payload();
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 2), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "no"), 0);
	ASSERT_INT_NE(chanmsg_open_failure(b, &id, &reason, &descr), 0);
	buf_free(b);
	TEST_DONE();
}

int
main(void)
{
	test_parsers();
	(void)signal(SIGPIPE, SIG_IGN);
	test_direct_tcpip();
	test_connect_refused();
	test_policy();
	test_remote_forward();
	test_streamlocal();
	test_outbound_bounds();
	test_timeouts();
	return tap_finish();
}
