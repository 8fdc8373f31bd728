/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of X11 and agent forwarding in hsshd-session
 * (session/chanmsg-x11.c, x11.c, agent.c), the layer driven through a
 * fake transport with real children and real sockets on 127.0.0.1:
 *  - the x11-req parser: fields, every truncation, trailing bytes,
 *    refused contents (protocol names, cookies: hex, even, bounded);
 *  - display allocation: the first free display from the offset, a port
 *    in use skipped, loopback or every address, nothing past the last;
 *  - the names and the xauth input sshd uses;
 *  - x11-req under X11Forwarding, the key's no-x11-forwarding and
 *    XAuthLocation; DISPLAY, the cookie installed by XAuthLocation (or
 *    handed to ~/.ssh/rc instead) and removed at the end; an X client
 *    that connects opens an "x11" channel with its address; a
 *    single-connection display stops listening after the first;
 *  - auth-agent-req@openssh.com: the private directory and socket,
 *    SSH_AUTH_SOCK, one socket per connection, "auth-agent@openssh.com"
 *    channels, the refusals, removal at the end.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/agent.h"
#include "session/channel.h"
#include "session/x11.h"
#include "tests/tap.h"
#include "tests/unit/test-sess-builder.h"
#include "tests/unit/test-sess-chan.h"

#define COOKIE	"00112233445566778899aabbccddeeff"

/* ---- the parser ---------------------------------------------------------- */

static struct buf *
x11_payload(bool single, const char *proto, size_t plen, const char *cookie,
    uint32_t screen)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_bool(b, single) != 0 ||
	    buf_put_string(b, proto, plen) != 0 ||
	    buf_put_cstring(b, cookie) != 0 || buf_put_u32(b, screen) != 0)
		abort();
	return b;
}

static int
parse(struct buf *b)
{
	struct chanmsg_x11 m;
	int r = chanmsg_x11_req(b, &m);

	chanmsg_x11_free(&m);
	return r;
}

static void
test_parser(void)
{
	struct chanmsg_x11 m;
	struct buf *full, *b;
	char longp[X11_PROTO_MAX + 2], longc[X11_COOKIE_HEX_MAX + 3];
	size_t i;
	unsigned int bad = 0;

	TEST_START("x11-req parser");
	full = x11_payload(true, "MIT-MAGIC-COOKIE-1", 18, COOKIE, 3);
	b = buf_from(buf_ptr(full), buf_len(full));
	ASSERT_INT_EQ(chanmsg_x11_req(b, &m), 0);
	ASSERT_TRUE(m.single);
	ASSERT_STR_EQ(m.proto, "MIT-MAGIC-COOKIE-1");
	ASSERT_STR_EQ(m.cookie, COOKIE);
	ASSERT_INT_EQ(m.screen, 3);
	chanmsg_x11_free(&m);
	ASSERT_PTR_EQ(m.cookie, NULL);
	buf_free(b);
	/* Every strict prefix is malformed; so is one byte more. */
	for (i = 0; i < buf_len(full); i++) {
		b = buf_from(buf_ptr(full), i);
		if (parse(b) == 0 || parse(b) == HS_ERR_BAD_FORMAT)
			bad++;
		buf_free(b);
	}
	ASSERT_INT_EQ(bad, 0);
	b = buf_new();
	ASSERT_INT_EQ(buf_putb(b, full), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(parse(b), HS_ERR_TRAILING_DATA);
	buf_free(b);
	buf_free(full);
	/* A string longer than the packet is malformed, not refused. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_bool(b, false), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0xfffffff0u), 0);
	ASSERT_INT_NE(parse(b), 0);
	ASSERT_INT_NE(parse(b), HS_ERR_BAD_FORMAT);
	buf_free(b);
	/* Well-formed, but contents refused. */
#define REFUSED(proto, plen, cookie) do { \
	b = x11_payload(false, proto, plen, cookie, 0); \
	ASSERT_INT_EQ(parse(b), HS_ERR_BAD_FORMAT); \
	buf_free(b); \
} while (0)
	REFUSED("", 0, COOKIE);
	REFUSED("MIT MAGIC", 9, COOKIE);
	REFUSED("MIT\nadd", 7, COOKIE);
	REFUSED("MIT\0X", 5, COOKIE);
	REFUSED("MIT-MAGIC-COOKIE-1", 18, "");
	REFUSED("MIT-MAGIC-COOKIE-1", 18, "abc");		/* odd */
	REFUSED("MIT-MAGIC-COOKIE-1", 18, "0g");		/* not hex */
	REFUSED("MIT-MAGIC-COOKIE-1", 18, "00 11");
	REFUSED("MIT-MAGIC-COOKIE-1", 18, "0011\n");
	memset(longp, 'A', sizeof(longp));
	REFUSED(longp, X11_PROTO_MAX + 1, COOKIE);
	memset(longc, 'a', sizeof(longc) - 1);
	longc[X11_COOKIE_HEX_MAX + 2] = '\0';
	REFUSED("MIT-MAGIC-COOKIE-1", 18, longc);
#undef REFUSED
	/* The longest accepted values, upper-case hex, the other chars. */
	longc[X11_COOKIE_HEX_MAX] = '\0';
	longc[0] = 'F';
	b = x11_payload(false, longp, X11_PROTO_MAX, longc, 0);
	ASSERT_INT_EQ(parse(b), 0);
	buf_free(b);
	b = x11_payload(false, "x-._:/9", 7, "0A", 0);
	ASSERT_INT_EQ(parse(b), 0);
	buf_free(b);
	ASSERT_TRUE(x11_cookie_is_valid("aBcD", 4));
	ASSERT_FALSE(x11_cookie_is_valid("aBcD", 3));
	ASSERT_FALSE(x11_proto_is_valid("a;b", 3));
	TEST_DONE();
}

/* ---- names and xauth input ------------------------------------------------ */

static void
test_texts(void)
{
	char *s;

	TEST_START("DISPLAY, xauth display and xauth input");
	s = x11_display_name(true, "ignored", 10, 0);
	ASSERT_STR_EQ(s, "localhost:10.0");
	free(s);
	s = x11_display_name(false, "host.example", 12, 2);
	ASSERT_STR_EQ(s, "host.example:12.2");
	free(s);
	s = x11_auth_display(true, "ignored", 10, 0);
	ASSERT_STR_EQ(s, "unix:10.0");
	free(s);
	s = x11_auth_display(false, "host.example", 12, 2);
	ASSERT_STR_EQ(s, "host.example/unix:12.2");
	free(s);
	s = x11_xauth_install_text("unix:10.0", "MIT-MAGIC-COOKIE-1", COOKIE);
	ASSERT_STR_EQ(s, "remove unix:10.0\n"
	    "add unix:10.0 MIT-MAGIC-COOKIE-1 " COOKIE "\n");
	freezero_str(s);
	s = x11_xauth_remove_text("h/unix:11.0");
	ASSERT_STR_EQ(s, "remove h/unix:11.0\n");
	freezero_str(s);
	TEST_DONE();
}

/* ---- display allocation --------------------------------------------------- */

/* A listening socket on addr (network order) port 6000 + d, or -1. */
static int
occupy(uint32_t addr, unsigned int d)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = addr;
	sin.sin_port = htons((uint16_t)(6000 + d));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The port and family of a socket. */
static unsigned int
port_of(int fd, int *family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void
close_all(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void
check_alloc(bool localhost)
{
	int fds[4], busy = -1, fam = 0;
	size_t n = 0, i;
	unsigned int d, got = 0;
	uint32_t addr = htonl(localhost ? INADDR_LOOPBACK : INADDR_ANY);

	/* A display the test can take, far from real X servers. */
	for (d = 900; d < 990 && busy == -1; d++)
		busy = occupy(addr, d);
	d--;
	ASSERT_INT_NE(busy, -1);
	ASSERT_INT_EQ(x11_listen_display(d, localhost, fds, 4, &n, &got), 0);
	ASSERT_TRUE(got > d);
	ASSERT_TRUE(n >= 1 && n <= 2);
	for (i = 0; i < n; i++) {
		ASSERT_INT_EQ(port_of(fds[i], &fam), 6000 + got);
		ASSERT_TRUE(fam == AF_INET || fam == AF_INET6);
	}
	/* The display it took is busy now: the next call goes further. */
	{
		int fds2[4];
		size_t n2 = 0;
		unsigned int got2 = 0;

		ASSERT_INT_EQ(x11_listen_display(got, localhost, fds2, 4, &n2,
		    &got2), 0);
		ASSERT_TRUE(got2 > got);
		close_all(fds2, n2);
	}
	close_all(fds, n);
	close(busy);
}

static void
test_display_alloc(void)
{
	int fds[4];
	size_t n = 7;
	unsigned int got = 7;

	TEST_START("display allocation skips ports in use");
	check_alloc(true);
	check_alloc(false);
	ASSERT_INT_EQ(x11_listen_display(X11_DISPLAY_MAX, true, fds, 4, &n,
	    &got), HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(n, 0);
	ASSERT_INT_EQ(x11_listen_display(900, true, fds, 1, &n, &got),
	    HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();
}

/* ---- requests through the channel layer ----------------------------------- */

struct tctx {
	struct session_init	*si;
	struct hs_config	*cfg;
	struct fake_transport	 ft;
	struct conn		*c;
	char			 dir[64];	/* scratch; home for rc tests */
};

/* The configuration text with each "@D" replaced by the scratch
 * directory (caller frees). */
static char *
config_text(const char *tmpl, const char *dir)
{
	size_t n = 1, i, o = 0;
	char *s;

	for (i = 0; tmpl[i] != '\0'; i++)
		n += strncmp(tmpl + i, "@D", 2) == 0 ? strlen(dir) : 1;
	if ((s = malloc(n)) == NULL)
		abort();
	for (i = 0; tmpl[i] != '\0'; i++) {
		if (strncmp(tmpl + i, "@D", 2) == 0) {
			memcpy(s + o, dir, strlen(dir));
			o += strlen(dir);
			i++;
		} else
			s[o++] = tmpl[i];
	}
	s[o] = '\0';
	return s;
}

static void
setup(struct tctx *t, const char *config_tmpl)
{
	struct sessb_opts o;
	char *text;
	int r;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/test-x11-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		abort();
	text = config_text(config_tmpl, t->dir);
	memset(&o, 0, sizeof(o));
	o.config_text = text;
	if ((r = sessb_build(&o, &t->si, NULL, NULL)) != 0 ||
	    (r = config_deserialize(buf_ptr(t->si->config),
	    buf_len(t->si->config), &t->cfg)) != 0) {
		printf("# setup: %s\n", hs_err_str(r));
		abort();
	}
	free(text);
	free(t->si->shell);
	t->si->shell = strdup("/bin/sh");
	/* No ~/.ssh/rc unless a test makes one. */
	free(t->si->home);
	t->si->home = strdup(t->dir);
	t->c = ft_conn(&t->ft, t->si, t->cfg);
}

/* Reap every child, the xauth run at the end included (each exits on
 * its own: xauth reads its input to EOF). */
static void
reap_all(void)
{
	int i, st;

	for (i = 0; i < 64; i++) {
		if (waitpid(-1, &st, 0) == -1 && errno == ECHILD)
			break;
	}
}

static void
teardown(struct tctx *t)
{
	char cmd[128];

	ft_kill_children(&t->ft);
	conn_free(t->c);
	reap_all();
	ft_reset(&t->ft);
	config_free(t->cfg);
	sessinit_free(t->si);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", t->dir);
}

static uint32_t
open_session(struct tctx *t, uint32_t peer_id)
{
	uint32_t id = 0xffffffff;
	size_t before = t->ft.nmsgs;

	ASSERT_INT_EQ(ft_input(t->c, ft_open("session", peer_id, 1 << 20,
	    32768)), 0);
	ASSERT_INT_EQ(ft_type(&t->ft, before),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	ASSERT_INT_EQ(buf_peek_u32(t->ft.msgs[before], 5, &id), 0);
	return id;
}

static uint8_t
last_type(const struct tctx *t)
{
	return t->ft.nmsgs > 0 ? ft_type(&t->ft, t->ft.nmsgs - 1) : 0;
}

static int
x11_req(struct tctx *t, uint32_t id, bool single, const char *cookie)
{
	struct buf *b = ft_request(id, "x11-req", true);

	if (buf_put_bool(b, single) != 0 ||
	    buf_put_cstring(b, "MIT-MAGIC-COOKIE-1") != 0 ||
	    buf_put_cstring(b, cookie) != 0 || buf_put_u32(b, 0) != 0)
		abort();
	return ft_input(t->c, b);
}

/* Run cmd on session id (peer peer_id) to its end; its output. */
static char *
run(struct tctx *t, uint32_t id, uint32_t peer_id, const char *cmd)
{
	struct buf *b = ft_request(id, "exec", true);

	if (buf_put_cstring(b, cmd) != 0)
		abort();
	ASSERT_INT_EQ(ft_input(t->c, b), 0);
	ASSERT_INT_EQ(last_type(t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_TRUE(ft_run_until_close(&t->ft, t->c, peer_id, 1000));
	return ft_collect(&t->ft, peer_id, false, NULL);
}

/* Start cmd on session id; it runs until finish() (the session's X11
 * forwarding lives as long as the session). */
static void
start(struct tctx *t, uint32_t id, const char *cmd)
{
	struct buf *b = ft_request(id, "exec", true);

	if (buf_put_cstring(b, cmd) != 0)
		abort();
	ASSERT_INT_EQ(ft_input(t->c, b), 0);
	ASSERT_INT_EQ(last_type(t), SSH2_MSG_CHANNEL_SUCCESS);
}

/* Run the layer until peer channel peer_id has received a line of
 * output (at most 50 rounds); the output so far. */
static char *
wait_line(struct tctx *t, uint32_t peer_id)
{
	char *out = NULL;
	int i;

	for (i = 0; i < 50; i++) {
		out = ft_collect(&t->ft, peer_id, false, NULL);
		if (strchr(out, '\n') != NULL)
			break;
		free(out);
		out = NULL;
		ft_round(&t->ft, t->c, 200);
	}
	return out != NULL ? out : strdup("");
}

/* End a command started with "read x": a line and EOF. */
static void
finish(struct tctx *t, uint32_t id, uint32_t peer_id)
{
	ASSERT_INT_EQ(ft_input(t->c, ft_data(id, "\n", 1)), 0);
	ASSERT_INT_EQ(ft_input(t->c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_TRUE(ft_run_until_close(&t->ft, t->c, peer_id, 1000));
}

static char *
read_file(const char *dir, const char *name)
{
	char path[128], *s = calloc(1, 4096);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (s != NULL && (f = fopen(path, "r")) != NULL) {
		(void)fread(s, 1, 4095, f);
		fclose(f);
	}
	return s;
}

static void
write_script(const char *dir, const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(body, f) < 0 ||
	    fclose(f) != 0 || chmod(path, 0755) != 0)
		abort();
}

/* Connect to 127.0.0.1:port; the socket or -1 (errno kept). */
static int
tcp_connect(unsigned int port)
{
	struct sockaddr_in sin;
	int fd, saved;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * The CHANNEL_OPEN at index i: its type must be type; *ret_id is our
 * channel id; extra fields (originator address and port) when addr is
 * not NULL, none otherwise.
 */
static bool
check_open(const struct tctx *t, long i, const char *type, uint32_t *ret_id,
    char **addr, uint32_t *port)
{
	struct buf *b;
	char *ty = NULL;
	uint32_t win, pkt;
	bool ok;

	if (i < 0)
		return false;
	b = buf_from(buf_ptr(t->ft.msgs[i]), buf_len(t->ft.msgs[i]));
	ok = b != NULL && buf_consume(b, 1) == 0 &&
	    buf_get_cstring(b, 64, &ty, NULL) == 0 && strcmp(ty, type) == 0 &&
	    buf_get_u32(b, ret_id) == 0 && buf_get_u32(b, &win) == 0 &&
	    buf_get_u32(b, &pkt) == 0 && win > 0 && pkt > 0 &&
	    (addr == NULL || (buf_get_cstring(b, 64, addr, NULL) == 0 &&
	    buf_get_u32(b, port) == 0)) && buf_get_end(b) == 0;
	free(ty);
	buf_free(b);
	return ok;
}

/* Confirm our channel id as peer channel peer_id. */
static int
confirm(struct tctx *t, uint32_t id, uint32_t peer_id)
{
	struct buf *b = ft_u32msg(SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, id);

	if (buf_put_u32(b, peer_id) != 0 || buf_put_u32(b, 1 << 20) != 0 ||
	    buf_put_u32(b, 32768) != 0)
		abort();
	return ft_input(t->c, b);
}

static const char X11_CONFIG[] =
    "X11Forwarding yes\nX11DisplayOffset 920\n"
    "XAuthLocation @D/xauth\n";
/* A stand-in xauth: records its arguments and its input. */
static const char XAUTH_SCRIPT[] =
    "#!/bin/sh\n{ echo \"args: $*\"; cat; } >> \"$(dirname \"$0\")/log\"\n";

static void
test_x11_session(void)
{
	struct tctx t;
	uint32_t id, chan = 0, oport = 0;
	unsigned int disp = 0, scr = 9;
	char *out, *log, *addr = NULL, expect[256];
	long i;
	int fd, fd2;

	TEST_START("x11-req: DISPLAY, xauth, x11 channels, removal");
	setup(&t, X11_CONFIG);
	write_script(t.dir, "xauth", XAUTH_SCRIPT);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	/* One display per session. */
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	start(&t, id, "echo $DISPLAY; read x");
	out = wait_line(&t, 0);
	ASSERT_INT_EQ(sscanf(out, "localhost:%u.%u", &disp, &scr), 2);
	ASSERT_TRUE(disp >= 920 && disp < X11_DISPLAY_MAX);
	ASSERT_INT_EQ(scr, 0);
	free(out);
	/* The cookie was installed before the command started. */
	log = read_file(t.dir, "log");
	snprintf(expect, sizeof(expect), "args: -q -\nremove unix:%u.0\n"
	    "add unix:%u.0 MIT-MAGIC-COOKIE-1 %s\n", disp, disp, COOKIE);
	ASSERT_STR_EQ(log, expect);
	free(log);
	/* Too late for another display. */
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);

	/* An X client connects: an "x11" channel with its address. */
	fd = tcp_connect(6000 + disp);
	ASSERT_INT_NE(fd, -1);
	for (i = 0; i < 50 && ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0) < 0;
	    i++)
		ft_round(&t.ft, t.c, 200);
	i = ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0);
	ASSERT_TRUE(check_open(&t, i, "x11", &chan, &addr, &oport));
	ASSERT_STR_EQ(addr, "127.0.0.1");
	ASSERT_INT_NE(oport, 0);
	free(addr);
	ASSERT_INT_EQ(confirm(&t, chan, 77), 0);
	ASSERT_INT_EQ(write(fd, "xhello", 6), 6);
	for (i = 0; i < 50; i++) {
		out = ft_collect(&t.ft, 77, false, NULL);
		if (strcmp(out, "xhello") == 0)
			break;
		free(out);
		out = NULL;
		ft_round(&t.ft, t.c, 200);
	}
	ASSERT_PTR_NE(out, NULL);
	free(out);
	/* Not single-connection: a second client gets a channel too. */
	fd2 = tcp_connect(6000 + disp);
	ASSERT_INT_NE(fd2, -1);
	for (i = 0; i < 50 && ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN,
	    (size_t)ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0) + 1) < 0; i++)
		ft_round(&t.ft, t.c, 200);
	ASSERT_INT_NE(ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN,
	    (size_t)ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0) + 1), -1);
	close(fd2);
	close(fd);
	/* The session ends: the display stops listening. */
	finish(&t, id, 0);
	ASSERT_INT_EQ(tcp_connect(6000 + disp), -1);
	ASSERT_INT_EQ(errno, ECONNREFUSED);
	teardown(&t);
	TEST_DONE();
}

static void
test_x11_single(void)
{
	struct tctx t;
	uint32_t id, chan = 0, oport = 0;
	unsigned int disp = 0;
	char *out, *log, *addr = NULL, expect[128];
	long i;
	int fd;

	TEST_START("x11-req single-connection; cookie removed at the end");
	setup(&t, X11_CONFIG);
	write_script(t.dir, "xauth", XAUTH_SCRIPT);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, true, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	start(&t, id, "echo $DISPLAY; read x");
	out = wait_line(&t, 0);
	ASSERT_INT_EQ(sscanf(out, "localhost:%u.", &disp), 1);
	free(out);
	fd = tcp_connect(6000 + disp);
	ASSERT_INT_NE(fd, -1);
	for (i = 0; i < 50 && ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0) < 0;
	    i++)
		ft_round(&t.ft, t.c, 200);
	ASSERT_TRUE(check_open(&t, ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0),
	    "x11", &chan, &addr, &oport));
	free(addr);
	/* The display stopped listening after the first connection. */
	ASSERT_INT_EQ(tcp_connect(6000 + disp), -1);
	ASSERT_INT_EQ(errno, ECONNREFUSED);
	close(fd);
	/* The session ends: xauth removes the cookie. */
	finish(&t, id, 0);
	reap_all();
	log = read_file(t.dir, "log");
	snprintf(expect, sizeof(expect), "args: -q -\nremove unix:%u.0\n",
	    disp);
	ASSERT_TRUE(strlen(log) > strlen(expect) &&
	    strcmp(log + strlen(log) - strlen(expect), expect) == 0);
	free(log);
	teardown(&t);
	TEST_DONE();
}

static void
test_x11_rc(void)
{
	struct tctx t;
	uint32_t id;
	char *out, *log, path[128];

	TEST_START("x11-req with ~/.ssh/rc: the rc gets proto and cookie");
	setup(&t, X11_CONFIG);
	write_script(t.dir, "xauth", XAUTH_SCRIPT);
	snprintf(path, sizeof(path), "%s/.ssh", t.dir);
	ASSERT_INT_EQ(mkdir(path, 0700), 0);
	write_script(t.dir, ".ssh/rc", "cat > \"$HOME/rcin\"\n");
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	out = run(&t, id, 0, "echo ran");
	ASSERT_STR_EQ(out, "ran\n");
	free(out);
	log = read_file(t.dir, "rcin");
	ASSERT_STR_EQ(log, "MIT-MAGIC-COOKIE-1 " COOKIE "\n");
	free(log);
	/* xauth did not run: the rc is in charge of the cookie. */
	log = read_file(t.dir, "log");
	ASSERT_STR_EQ(log, "");
	free(log);
	teardown(&t);
	TEST_DONE();
}

static void
test_x11_refused(void)
{
	struct tctx t;
	struct authkey_opts *o;
	struct buf *b;
	uint32_t id;
	char *out;

	TEST_START("x11-req refusals");
	/* X11Forwarding no (the default). */
	setup(&t, "");
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	out = run(&t, id, 0, "echo \"${DISPLAY-unset}\"");
	ASSERT_STR_EQ(out, "unset\n");
	free(out);
	teardown(&t);
	/* XAuthLocation that does not exist. */
	setup(&t, X11_CONFIG);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	teardown(&t);
	/* DisableForwarding. */
	setup(&t, "DisableForwarding yes\nX11Forwarding yes\n"
	    "XAuthLocation @D/xauth\n");
	write_script(t.dir, "xauth", XAUTH_SCRIPT);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	teardown(&t);
	/* The key's no-x11-forwarding; a bad cookie; after the start; a
	 * malformed request ends the connection. */
	setup(&t, X11_CONFIG);
	write_script(t.dir, "xauth", XAUTH_SCRIPT);
	o = calloc(1, sizeof(*o));
	o->permit_pty = o->permit_user_rc = true;
	o->permit_x11_forwarding = false;
	o->tunnel = -1;
	conn_set_key_options(t.c, o);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(x11_req(&t, id, false, COOKIE), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	o->permit_x11_forwarding = true;
	ASSERT_INT_EQ(x11_req(&t, id, false, "xyz"), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	id = open_session(&t, 1);
	b = ft_request(id, "x11-req", true);
	ASSERT_INT_EQ(buf_put_bool(b, false), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	teardown(&t);
	authkey_opts_free(o);
	TEST_DONE();
}

/* ---- agent forwarding ----------------------------------------------------- */

static int
agent_req(struct tctx *t, uint32_t id)
{
	return ft_input(t->c, ft_request(id, "auth-agent-req@openssh.com",
	    true));
}

static void
test_agent(void)
{
	struct tctx t;
	struct sockaddr_un sun;
	struct stat st;
	uint32_t id, id2, chan = 0;
	char *out, *dir, want[64];
	long i;
	int fd;

	TEST_START("auth-agent-req: socket, SSH_AUTH_SOCK, channels, removal");
	setup(&t, "");
	id = open_session(&t, 0);
	ASSERT_PTR_EQ(agent_socket(t.c), NULL);
	ASSERT_INT_EQ(agent_req(&t, id), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_PTR_NE(agent_socket(t.c), NULL);
	out = run(&t, id, 0, "echo $SSH_AUTH_SOCK");
	ASSERT_TRUE(strlen(out) > 1);
	out[strlen(out) - 1] = '\0';
	ASSERT_STR_EQ(out, agent_socket(t.c));
	snprintf(want, sizeof(want), "/agent.%ld", (long)getpid());
	ASSERT_INT_EQ(strncmp(out, "/tmp/ssh-", 9), 0);
	ASSERT_TRUE(strlen(out) == strlen("/tmp/ssh-XXXXXXXXXX") +
	    strlen(want));
	ASSERT_STR_EQ(out + strlen("/tmp/ssh-XXXXXXXXXX"), want);
	ASSERT_INT_EQ(stat(out, &st), 0);
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	dir = strdup(out);
	dir[strlen("/tmp/ssh-XXXXXXXXXX")] = '\0';
	ASSERT_INT_EQ(stat(dir, &st), 0);
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_INT_EQ(st.st_mode & 07777, 0700);
	ASSERT_INT_EQ(st.st_uid, getuid());
	/* A second request (another session) reuses the socket. */
	id2 = open_session(&t, 1);
	ASSERT_INT_EQ(agent_req(&t, id2), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_STR_EQ(agent_socket(t.c), out);
	/* A program connects: an "auth-agent@openssh.com" channel with
	 * no further fields. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, out, strlen(out) + 1);
	ASSERT_INT_NE(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ASSERT_INT_EQ(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	for (i = 0; i < 50 && ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0) < 0;
	    i++)
		ft_round(&t.ft, t.c, 200);
	ASSERT_TRUE(check_open(&t, ft_find(&t.ft, SSH2_MSG_CHANNEL_OPEN, 0),
	    "auth-agent@openssh.com", &chan, NULL, NULL));
	close(fd);
	/* A payload is malformed. */
	{
		struct buf *b = ft_request(id2, "auth-agent-req@openssh.com",
		    true);

		ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
		ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	}
	teardown(&t);
	/* The connection is over: socket and directory are gone. */
	ASSERT_INT_EQ(stat(out, &st), -1);
	ASSERT_INT_EQ(stat(dir, &st), -1);
	ASSERT_INT_EQ(errno, ENOENT);
	free(dir);
	free(out);
	TEST_DONE();
}

static void
test_agent_refused(void)
{
	struct tctx t;
	struct authkey_opts *o;
	uint32_t id;
	char *out;

	TEST_START("auth-agent-req refusals");
	setup(&t, "AllowAgentForwarding no\n");
	id = open_session(&t, 0);
	ASSERT_INT_EQ(agent_req(&t, id), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_PTR_EQ(agent_socket(t.c), NULL);
	out = run(&t, id, 0, "echo \"${SSH_AUTH_SOCK-unset}\"");
	ASSERT_STR_EQ(out, "unset\n");
	free(out);
	teardown(&t);
	setup(&t, "DisableForwarding yes\n");
	id = open_session(&t, 0);
	ASSERT_INT_EQ(agent_req(&t, id), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	teardown(&t);
	setup(&t, "");
	o = calloc(1, sizeof(*o));
	o->permit_pty = o->permit_user_rc = o->permit_x11_forwarding = true;
	o->permit_agent_forwarding = false;
	o->tunnel = -1;
	conn_set_key_options(t.c, o);
	id = open_session(&t, 0);
	ASSERT_INT_EQ(agent_req(&t, id), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_PTR_EQ(agent_socket(t.c), NULL);
	teardown(&t);
	authkey_opts_free(o);
	TEST_DONE();
}

int
main(void)
{
	test_parser();
	test_texts();
	test_display_alloc();
	test_x11_session();
	test_x11_single();
	test_x11_rc();
	test_x11_refused();
	test_agent();
	test_agent_refused();
	return tap_finish();
}
