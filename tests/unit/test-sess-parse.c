/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of hsshd-session's parsers of client input and of the
 * environment it builds: the channel request payloads (session/chanmsg.c:
 * pty-req, env, window-change, exec, subsystem, signal, break; bounds,
 * truncation at every length, trailing bytes), the terminal modes of
 * RFC 4254 §8 (session/ttymodes.c), signal names, login.defs PATH and the
 * environment vector (session/env.c).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/sessinit.h"
#include "policy/config.h"
#include "session/chanmsg.h"
#include "session/env.h"
#include "session/ttymodes.h"
#include "tests/tap.h"

static struct buf *
pty_payload(const char *term, const uint8_t *modes, size_t mlen)
{
	struct buf *b = buf_new();

	if (buf_put_cstring(b, term) != 0 || buf_put_u32(b, 80) != 0 ||
	    buf_put_u32(b, 24) != 0 || buf_put_u32(b, 640) != 0 ||
	    buf_put_u32(b, 480) != 0 || buf_put_string(b, modes, mlen) != 0)
		abort();
	return b;
}

/* Every strict prefix of a valid payload fails; so does one more byte. */
static unsigned int
truncations(const struct buf *full, int (*parse)(struct buf *))
{
	struct buf *b;
	size_t i;
	unsigned int bad = 0;

	for (i = 0; i < buf_len(full); i++) {
		b = buf_from(buf_ptr(full), i);
		if (parse(b) == 0)
			bad++;
		buf_free(b);
	}
	b = buf_new();
	if (buf_putb(b, full) != 0 || buf_put_u8(b, 0) != 0)
		abort();
	if (parse(b) != HS_ERR_TRAILING_DATA)
		bad++;
	buf_free(b);
	return bad;
}

static int
parse_pty(struct buf *b)
{
	struct chanmsg_pty p;
	int r = chanmsg_pty_req(b, &p);

	if (r == 0)
		chanmsg_pty_free(&p);
	return r;
}

static int
parse_env(struct buf *b)
{
	char *n = NULL, *v = NULL;
	int r = chanmsg_env(b, &n, &v);

	free(n);
	free(v);
	return r;
}

static int
parse_winch(struct buf *b)
{
	struct chanmsg_winsize w;

	return chanmsg_window_change(b, &w);
}

static int
parse_signal(struct buf *b)
{
	int s;

	return chanmsg_signal(b, &s);
}

static int
parse_exec(struct buf *b)
{
	char *c = NULL;
	int r = chanmsg_exec(b, &c);

	free(c);
	return r;
}

static int
parse_break(struct buf *b)
{
	uint32_t ms;

	return chanmsg_break(b, &ms);
}

static void
test_pty_req(void)
{
	static const uint8_t modes[] = { 53, 0, 0, 0, 0, 0 };
	struct chanmsg_pty p;
	struct buf *b;
	uint8_t *big;

	TEST_START("pty-req payload");
	b = pty_payload("xterm-256color", modes, sizeof(modes));
	ASSERT_INT_EQ(chanmsg_pty_req(b, &p), 0);
	ASSERT_STR_EQ(p.term, "xterm-256color");
	ASSERT_INT_EQ(p.cols, 80);
	ASSERT_INT_EQ(p.rows, 24);
	ASSERT_INT_EQ(p.xpixel, 640);
	ASSERT_INT_EQ(p.ypixel, 480);
	ASSERT_INT_EQ(p.modes_len, sizeof(modes));
	ASSERT_MEM_EQ(p.modes, modes, sizeof(modes));
	chanmsg_pty_free(&p);
	buf_free(b);
	b = pty_payload("xterm", modes, sizeof(modes));
	ASSERT_INT_EQ(truncations(b, parse_pty), 0);
	buf_free(b);
	/* TERM with a NUL, and bounds. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_string(b, "xt\0rm", 5), 0);
	ASSERT_INT_EQ(parse_pty(b), HS_ERR_STRING_NUL);
	buf_free(b);
	big = calloc(1, SESS_TTYMODES_MAX + 1);
	b = pty_payload("xterm", big, SESS_TTYMODES_MAX + 1);
	ASSERT_INT_EQ(parse_pty(b), HS_ERR_TOO_LONG);
	buf_free(b);
	b = pty_payload("xterm", big, SESS_TTYMODES_MAX);
	ASSERT_INT_EQ(parse_pty(b), 0);
	buf_free(b);
	memset(big, 'a', SESS_TERM_MAX + 1);
	big[SESS_TERM_MAX + 1] = '\0';
	b = pty_payload((char *)big, modes, 0);
	ASSERT_INT_EQ(parse_pty(b), HS_ERR_TOO_LONG);
	buf_free(b);
	free(big);
	TEST_DONE();
}

static void
test_small_requests(void)
{
	struct chanmsg_winsize w;
	struct buf *b;
	char *n = NULL, *v = NULL, *big;
	uint32_t ms = 0;
	int s = -1;

	TEST_START("env, window-change, exec, subsystem, signal, break");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "LANG"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "C.UTF-8"), 0);
	ASSERT_INT_EQ(truncations(b, parse_env), 0);
	ASSERT_INT_EQ(chanmsg_env(b, &n, &v), 0);
	ASSERT_STR_EQ(n, "LANG");
	ASSERT_STR_EQ(v, "C.UTF-8");
	free(n);
	free(v);
	buf_free(b);
	/* Names: not empty, no '=', bounded; values bounded. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, ""), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(parse_env(b), HS_ERR_BAD_FORMAT);
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "A=B"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(parse_env(b), HS_ERR_BAD_FORMAT);
	buf_free(b);
	big = malloc(SESS_ENV_VALUE_MAX + 2);
	memset(big, 'v', SESS_ENV_VALUE_MAX + 1);
	big[SESS_ENV_VALUE_MAX + 1] = '\0';
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "V"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, big), 0);
	ASSERT_INT_EQ(parse_env(b), HS_ERR_TOO_LONG);
	buf_free(b);
	big[SESS_ENV_NAME_MAX + 1] = '\0';
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, big), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(parse_env(b), HS_ERR_TOO_LONG);
	buf_free(b);
	free(big);

	b = buf_new();
	ASSERT_INT_EQ(buf_put_u32(b, 132), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 43), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0xffffffff), 0);
	ASSERT_INT_EQ(truncations(b, parse_winch), 0);
	ASSERT_INT_EQ(chanmsg_window_change(b, &w), 0);
	ASSERT_INT_EQ(w.cols, 132);
	ASSERT_INT_EQ(w.rows, 43);
	ASSERT_U64_EQ(w.ypixel, 0xffffffff);
	buf_free(b);

	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "ls -l; echo 'x y'"), 0);
	ASSERT_INT_EQ(truncations(b, parse_exec), 0);
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_string(b, "ls\0rm", 5), 0);
	ASSERT_INT_EQ(parse_exec(b), HS_ERR_STRING_NUL);
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "sftp"), 0);
	ASSERT_INT_EQ(chanmsg_subsystem(b, &n), 0);
	ASSERT_STR_EQ(n, "sftp");
	free(n);
	buf_free(b);

	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "INT"), 0);
	ASSERT_INT_EQ(truncations(b, parse_signal), 0);
	ASSERT_INT_EQ(chanmsg_signal(b, &s), 0);
	ASSERT_INT_EQ(s, SIGINT);
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "SIGINT"), 0);
	ASSERT_INT_EQ(chanmsg_signal(b, &s), 0);
	ASSERT_INT_EQ(s, 0);
	buf_free(b);

	b = buf_new();
	ASSERT_INT_EQ(buf_put_u32(b, 500), 0);
	ASSERT_INT_EQ(truncations(b, parse_break), 0);
	ASSERT_INT_EQ(chanmsg_break(b, &ms), 0);
	ASSERT_INT_EQ(ms, 500);
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(chanmsg_empty(b), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 1), 0);
	ASSERT_INT_EQ(chanmsg_empty(b), HS_ERR_TRAILING_DATA);
	buf_free(b);
	TEST_DONE();
}

static void
test_signal_names(void)
{
	static const struct { const char *n; int s; } t[] = {
		{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },
		{ "HUP", SIGHUP }, { "ILL", SIGILL }, { "INT", SIGINT },
		{ "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "QUIT", SIGQUIT },
		{ "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 },
	};
	size_t i;

	TEST_START("signal names of RFC 4254 §6.10, both ways");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ASSERT_INT_EQ(chanmsg_signo(t[i].n, strlen(t[i].n)), t[i].s);
		ASSERT_STR_EQ(chanmsg_signame(t[i].s), t[i].n);
	}
	ASSERT_INT_EQ(chanmsg_signo("int", 3), 0);
	ASSERT_INT_EQ(chanmsg_signo("IN", 2), 0);
	ASSERT_INT_EQ(chanmsg_signo("INTX", 4), 0);
	ASSERT_INT_EQ(chanmsg_signo("", 0), 0);
	ASSERT_INT_EQ(chanmsg_signo("STOP", 4), 0);
	ASSERT_STR_EQ(chanmsg_signame(SIGBUS), "SIG@openssh.com");
	ASSERT_STR_EQ(chanmsg_signame(0), "SIG@openssh.com");
	TEST_DONE();
}

static size_t
enc(uint8_t *p, uint8_t op, uint32_t v)
{
	p[0] = op;
	p[1] = (uint8_t)(v >> 24);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 8);
	p[4] = (uint8_t)v;
	return 5;
}

static void
test_ttymodes(void)
{
	struct termios t, before;
	uint8_t m[128];
	size_t n = 0;

	TEST_START("terminal modes (RFC 4254 §8)");
	memset(&t, 0, sizeof(t));
	t.c_lflag = ECHO | ICANON;
	t.c_cflag = CS8;
	t.c_cc[VINTR] = 3;
	n += enc(m + n, 1, 0x7f);		/* VINTR */
	n += enc(m + n, 4, 255);		/* VKILL disabled */
	n += enc(m + n, 53, 0);			/* ECHO off */
	n += enc(m + n, 36, 1);			/* ICRNL on */
	n += enc(m + n, 42, 1);			/* IUTF8 on */
	n += enc(m + n, 72, 1);			/* ONLCR on */
	n += enc(m + n, 90, 1);			/* CS7 */
	n += enc(m + n, 92, 7);			/* PARENB (any non-zero) */
	n += enc(m + n, 129, 9600);		/* OSPEED */
	n += enc(m + n, 129, 12345);		/* unknown speed: ignored */
	n += enc(m + n, 99, 1);			/* unknown opcode: ignored */
	m[n++] = 0;				/* TTY_OP_END */
	m[n++] = 53;				/* after END: ignored */
	ASSERT_INT_EQ(ttymodes_apply(m, n, &t), 0);
	ASSERT_INT_EQ(t.c_cc[VINTR], 0x7f);
	ASSERT_INT_EQ(t.c_cc[VKILL], _POSIX_VDISABLE);
	ASSERT_INT_EQ(t.c_lflag & ECHO, 0);
	ASSERT_INT_EQ(t.c_lflag & ICANON, ICANON);
	ASSERT_INT_EQ(t.c_iflag & ICRNL, ICRNL);
	ASSERT_INT_EQ(t.c_iflag & IUTF8, IUTF8);
	ASSERT_INT_EQ(t.c_oflag & ONLCR, ONLCR);
	ASSERT_INT_EQ(t.c_cflag & CSIZE, CS7);
	ASSERT_INT_EQ(t.c_cflag & PARENB, PARENB);
	ASSERT_INT_EQ(cfgetospeed(&t), B9600);
	/* (Linux keeps one speed for both directions: test them apart.) */
	n = enc(m, 128, 38400);			/* ISPEED */
	ASSERT_INT_EQ(ttymodes_apply(m, n, &t), 0);
	ASSERT_INT_EQ(cfgetispeed(&t), B38400);

	/* Opcodes 160..255 stop the parsing. */
	n = 0;
	n += enc(m + n, 53, 1);
	m[n++] = 200;
	m[n++] = 1;			/* garbage after: not parsed */
	ASSERT_INT_EQ(ttymodes_apply(m, n, &t), 0);
	ASSERT_INT_EQ(t.c_lflag & ECHO, ECHO);

	/* A cut-off argument fails and changes nothing. */
	before = t;
	n = 0;
	n += enc(m + n, 53, 0);
	n += enc(m + n, 1, 1);
	ASSERT_INT_EQ(ttymodes_apply(m, n - 2, &t), HS_ERR_BAD_FORMAT);
	ASSERT_MEM_EQ(&t, &before, sizeof(t));
	ASSERT_INT_EQ(ttymodes_apply(m, 1, &t), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ttymodes_apply(NULL, 0, &t), 0);
	ASSERT_MEM_EQ(&t, &before, sizeof(t));
	ASSERT_INT_EQ(ttymodes_apply(m, SESS_TTYMODES_MAX + 1, &t),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ttymodes_apply(NULL, 1, &t), HS_ERR_INVALID_ARGUMENT);
	/* CS8 off does not clear the size. */
	n = enc(m, 91, 0);
	ASSERT_INT_EQ(ttymodes_apply(m, n, &t), 0);
	ASSERT_INT_EQ(t.c_cflag & CSIZE, CS7);
	TEST_DONE();
}

static void
test_logindefs(void)
{
	static const char defs[] =
	    "# comment\n"
	    "MAIL_DIR\t/var/mail\n"
	    "ENV_SUPATH\tPATH=/usr/local/sbin:/usr/sbin:/sbin\n"
	    "ENV_PATH\tPATH=/usr/local/bin:/usr/bin\n"
	    "   \n"
	    "ENV_PATH  /opt/bin:/usr/bin  \n";
	char *p = NULL;

	TEST_START("login.defs ENV_PATH / ENV_SUPATH");
	ASSERT_INT_EQ(logindefs_path(defs, sizeof(defs) - 1, false, &p), 0);
	ASSERT_STR_EQ(p, "/opt/bin:/usr/bin");
	free(p);
	ASSERT_INT_EQ(logindefs_path(defs, sizeof(defs) - 1, true, &p), 0);
	ASSERT_STR_EQ(p, "/usr/local/sbin:/usr/sbin:/sbin");
	free(p);
	ASSERT_INT_EQ(logindefs_path("ENV_PATHX /bin\n#ENV_PATH /x\n", 27,
	    false, &p), HS_ERR_NOT_FOUND);
	ASSERT_PTR_EQ(p, NULL);
	ASSERT_INT_EQ(logindefs_path("ENV_PATH PATH=\n", 15, false, &p),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(logindefs_path("ENV_PATH /a\0b\n", 14, false, &p),
	    HS_ERR_STRING_NUL);
	ASSERT_INT_EQ(logindefs_path("", 0, false, &p), HS_ERR_NOT_FOUND);
	p = sess_default_path("/nonexistent/login.defs", false);
	ASSERT_STR_EQ(p, SESS_DEFAULT_PATH);
	free(p);
	p = sess_default_path("/nonexistent/login.defs", true);
	ASSERT_STR_EQ(p, SESS_DEFAULT_SUPATH);
	free(p);
	TEST_DONE();
}

static void
test_envv(void)
{
	struct envv e;
	struct session_init si;
	struct sess_env_in in;
	char *cenv[] = { "LANG=C", "HOME=/evil", "NOEQ" };
	char *penv[] = { "PAM_X=1", "LD_LIBRARY_PATH=/x", "SSH_AUTH_SOCK=/y",
	    "LANG=pam" };
	char **v;
	size_t i, n;

	TEST_START("environment vector and the children's environment");
	envv_init(&e);
	envv_set(&e, "A", "1");
	envv_put(&e, "B=2");
	envv_put(&e, "A=3");
	envv_put(&e, "=bad");
	envv_put(&e, "bad");
	ASSERT_STR_EQ(envv_get(&e, "A"), "3");
	ASSERT_STR_EQ(envv_get(&e, "B"), "2");
	ASSERT_PTR_EQ(envv_get(&e, "C"), NULL);
	ASSERT_INT_EQ(e.n, 2);
	ASSERT_PTR_EQ(e.v[2], NULL);
	envv_free(&e);

	memset(&si, 0, sizeof(si));
	si.user = "alice";
	si.home = "/home/alice";
	si.shell = "/bin/bash";
	si.peer_addr = "192.0.2.1";
	si.peer_port = 50000;
	si.local_addr = "192.0.2.2";
	si.local_port = 22;
	si.env = penv;
	si.nenv = 4;
	memset(&in, 0, sizeof(in));
	in.si = &si;
	in.path = "/usr/bin:/bin";
	in.term = "xterm";
	in.tty = "/dev/pts/3";
	in.original_command = "ls";
	in.client_env = cenv;
	in.nclient_env = 3;
	v = sess_env_build(&in);
	envv_init(&e);
	for (n = 0; v[n] != NULL; n++)
		;
	e.v = v;
	e.n = n;
	ASSERT_STR_EQ(envv_get(&e, "USER"), "alice");
	ASSERT_STR_EQ(envv_get(&e, "LOGNAME"), "alice");
	ASSERT_STR_EQ(envv_get(&e, "HOME"), "/home/alice");
	ASSERT_STR_EQ(envv_get(&e, "SHELL"), "/bin/bash");
	ASSERT_STR_EQ(envv_get(&e, "PATH"), "/usr/bin:/bin");
	ASSERT_STR_EQ(envv_get(&e, "MAIL"), "/var/mail/alice");
	{
		/* UsePAM yes: MAIL is left to pam_mail, as sshd does. */
		struct hs_config pc;
		struct envv pe;
		char **pv;
		size_t pn;

		memset(&pc, 0, sizeof(pc));
		pc.use_pam = 1;
		in.cfg = &pc;
		pv = sess_env_build(&in);
		for (pn = 0; pv[pn] != NULL; pn++)
			;
		envv_init(&pe);
		pe.v = pv;
		pe.n = pn;
		ASSERT_PTR_EQ(envv_get(&pe, "MAIL"), NULL);
		ASSERT_STR_EQ(envv_get(&pe, "USER"), "alice");
		envv_free(&pe);
		in.cfg = NULL;
	}
	ASSERT_STR_EQ(envv_get(&e, "TERM"), "xterm");
	ASSERT_STR_EQ(envv_get(&e, "SSH_TTY"), "/dev/pts/3");
	ASSERT_STR_EQ(envv_get(&e, "SSH_CLIENT"), "192.0.2.1 50000 22");
	ASSERT_STR_EQ(envv_get(&e, "SSH_CONNECTION"),
	    "192.0.2.1 50000 192.0.2.2 22");
	ASSERT_STR_EQ(envv_get(&e, "SSH_ORIGINAL_COMMAND"), "ls");
	ASSERT_STR_EQ(envv_get(&e, "PAM_X"), "1");
	/* PAM overrides the client; LD_* and SSH_* from PAM are dropped. */
	ASSERT_STR_EQ(envv_get(&e, "LANG"), "pam");
	ASSERT_PTR_EQ(envv_get(&e, "LD_LIBRARY_PATH"), NULL);
	ASSERT_PTR_EQ(envv_get(&e, "SSH_AUTH_SOCK"), NULL);
	ASSERT_PTR_EQ(envv_get(&e, "NOEQ"), NULL);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(strchr(v[i], '=') != NULL);
	envv_free(&e);
	TEST_DONE();
}

/* Build the environment of in and look NAME up (NULL if unset). */
static char *
env_of(const struct sess_env_in *in, const char *name)
{
	struct envv e;
	const char *v;
	char *ret;
	size_t n;

	envv_init(&e);
	e.v = sess_env_build(in);
	for (n = 0; e.v[n] != NULL; n++)
		;
	e.n = n;
	v = envv_get(&e, name);
	ret = v != NULL ? strdup(v) : NULL;
	envv_free(&e);
	return ret;
}

#define ASSERT_ENV(in, name, want) do { char *_v = env_of((in), (name)); \
	ASSERT_STR_EQ(_v, (want)); free(_v); } while (0)

static void
test_setenv(void)
{
	struct hs_config cfg;
	struct session_init si;
	struct sess_env_in in;
	char *cenv[] = { "LANG=client", "FROMCONF=client" };
	char *kenv[] = { "FROMCONF=key", "KEYONLY=k" };
	char *penv[] = { "FROMCONF=pam" };
	char *set[] = { "FROMCONF=conf", "PATH=/conf/bin", "FROMCONF=second",
	    "TERM=conf", "EMPTY=" };

	TEST_START("SetEnv over the defaults, AcceptEnv, keys and PAM");
	memset(&si, 0, sizeof(si));
	si.user = "alice";
	si.home = "/home/alice";
	si.shell = "/bin/sh";
	si.peer_addr = "192.0.2.1";
	si.local_addr = "192.0.2.2";
	si.env = penv;
	si.nenv = 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.permit_user_env = 1;
	memset(&in, 0, sizeof(in));
	in.si = &si;
	in.cfg = &cfg;
	in.path = "/usr/bin:/bin";
	in.term = "xterm";
	in.client_env = cenv;
	in.nclient_env = 2;
	in.key_env = kenv;
	in.nkey_env = 2;
	/* Without SetEnv: PAM over the key over the client. */
	ASSERT_ENV(&in, "FROMCONF", "pam");
	ASSERT_ENV(&in, "KEYONLY", "k");
	cfg.set_env = set;
	cfg.nset_env = 5;
	ASSERT_ENV(&in, "FROMCONF", "conf");	/* the first one wins */
	ASSERT_ENV(&in, "PATH", "/conf/bin");	/* over the default */
	ASSERT_ENV(&in, "EMPTY", "");
	ASSERT_ENV(&in, "LANG", "client");
	ASSERT_ENV(&in, "KEYONLY", "k");
	/* As sshd: the terminal's TERM and SSH_* come after it. */
	ASSERT_ENV(&in, "TERM", "xterm");
	ASSERT_ENV(&in, "SSH_CLIENT", "192.0.2.1 0 0");
	in.term = NULL;
	ASSERT_ENV(&in, "TERM", "conf");
	TEST_DONE();
}

static void
test_login_message(void)
{
	struct session_init si;
	char *s, want[128];
	struct tm tm;
	time_t t = 1700000000;

	TEST_START("login message: PAM's text, then the last login");
	memset(&si, 0, sizeof(si));
	ASSERT_PTR_EQ(sess_login_message(&si, true), NULL);
	si.login_msg = "Welcome\nMaintenance at 5\n";
	s = sess_login_message(&si, true);
	ASSERT_STR_EQ(s, "Welcome\nMaintenance at 5\n");
	free(s);
	si.last_login_time = (uint64_t)t;
	si.last_login_host = "198.51.100.4";
	ASSERT_PTR_NE(localtime_r(&t, &tm), NULL);
	ASSERT_INT_LT(0, strftime(want, sizeof(want), "Welcome\nMaintenance "
	    "at 5\nLast login: %a %b %e %H:%M:%S %Y from 198.51.100.4\r\n",
	    &tm));
	s = sess_login_message(&si, true);
	ASSERT_STR_EQ(s, want);
	free(s);
	/* The shape of ctime(3): "Tue Nov 14 22:13:20 2023". */
	ASSERT_MEM_EQ(strstr(want, "Last login: ") + 12, ctime(&t), 24);
	/* PrintLastLog no. */
	s = sess_login_message(&si, false);
	ASSERT_STR_EQ(s, "Welcome\nMaintenance at 5\n");
	free(s);
	si.login_msg = NULL;
	si.last_login_host = "";
	s = sess_login_message(&si, true);
	ASSERT_TRUE(s != NULL && strncmp(s, "Last login: ", 12) == 0);
	ASSERT_TRUE(s != NULL && strstr(s, " from ") == NULL);
	ASSERT_TRUE(s != NULL && strcmp(s + strlen(s) - 2, "\r\n") == 0);
	free(s);
	si.last_login_time = 0;
	ASSERT_PTR_EQ(sess_login_message(&si, true), NULL);
	TEST_DONE();
}

int
main(void)
{
	test_setenv();
	test_login_message();
	test_pty_req();
	test_small_requests();
	test_signal_names();
	test_ttymodes();
	test_logindefs();
	test_envv();
	return tap_finish();
}
