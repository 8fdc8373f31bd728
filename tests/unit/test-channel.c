/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the connection protocol (session/channel.c,
 * chan-session.c) against a fake transport, with real children:
 *  - "/bin/sh -c 'echo hi; echo err >&2; exit 7'": data, extended data,
 *    exit-status 7, EOF after the last data byte, CLOSE after EOF and the
 *    exit status; the peer's CLOSE frees the channel;
 *  - stdin and EOF, the peer's window (never exceeded, resumed by
 *    WINDOW_ADJUST), our window (a peer beyond it is a protocol error;
 *    WINDOW_ADJUST once half is used), exit-signal, the signal request;
 *  - env and AcceptEnv, the children's environment, ForceCommand and
 *    SSH_ORIGINAL_COMMAND, subsystems, the home directory message;
 *  - global requests, channel types refused, MaxSessions,
 *    no-more-sessions, messages for unknown channels, malformed requests.
 */
#include "config.h"

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
#include "session/channel.h"
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
	/* A shell that exists everywhere the tests run. */
	free(t->si->shell);
	t->si->shell = strdup("/bin/sh");
	t->c = ft_conn(&t->ft, t->si, t->cfg);
}

static void
teardown(struct tctx *t)
{
	ft_kill_children(&t->ft);
	conn_free(t->c);
	ft_reset(&t->ft);
	config_free(t->cfg);
	sessinit_free(t->si);
}

/* Open a session channel (peer id pid) and check the confirmation. */
static uint32_t
open_session(struct tctx *t, uint32_t peer_id, uint32_t window)
{
	struct buf *b;
	uint32_t rid = 0, id = 0xffffffff, win = 0, pkt = 0;
	size_t before = t->ft.nmsgs;

	ASSERT_INT_EQ(ft_input(t->c, ft_open("session", peer_id, window,
	    32768)), 0);
	ASSERT_INT_EQ(t->ft.nmsgs, before + 1);
	ASSERT_INT_EQ(ft_type(&t->ft, before),
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION);
	b = buf_from(buf_ptr(t->ft.msgs[before]), buf_len(t->ft.msgs[before]));
	if (b != NULL && buf_consume(b, 1) == 0 && buf_get_u32(b, &rid) == 0 &&
	    buf_get_u32(b, &id) == 0 && buf_get_u32(b, &win) == 0 &&
	    buf_get_u32(b, &pkt) == 0) {
		ASSERT_INT_EQ(rid, peer_id);
		ASSERT_INT_EQ(win, CHAN_WINDOW_DEFAULT);
		ASSERT_INT_EQ(pkt, CHAN_PACKET_DEFAULT);
		ASSERT_INT_EQ(buf_get_end(b), 0);
	} else
		ASSERT_TRUE(false);
	buf_free(b);
	return id;
}

static int
exec_cmd(struct tctx *t, uint32_t id, const char *cmd)
{
	struct buf *b = ft_request(id, "exec", true);

	if (buf_put_cstring(b, cmd) != 0)
		abort();
	return ft_input(t->c, b);
}

/* The last reply (SUCCESS/FAILURE) type. */
static uint8_t
last_type(const struct tctx *t)
{
	return t->ft.nmsgs > 0 ? ft_type(&t->ft, t->ft.nmsgs - 1) : 0;
}

static uint32_t
exit_status_of(const struct tctx *t, long idx)
{
	struct buf *b;
	uint32_t st = 0xffff;
	bool want;

	if (idx < 0)
		return 0xffff;
	b = buf_from(buf_ptr(t->ft.msgs[idx]), buf_len(t->ft.msgs[idx]));
	if (b == NULL || buf_consume(b, 5) != 0 ||
	    buf_skip_string(b, 64) != 0 || buf_get_bool(b, &want) != 0 ||
	    buf_get_u32(b, &st) != 0 || buf_get_end(b) != 0)
		st = 0xfffe;
	buf_free(b);
	return st;
}

static void
test_exec_order(void)
{
	struct tctx t;
	uint32_t id;
	long eof, ex, cl, i, lastdata = -1;
	char *out, *err;

	TEST_START("exec: data, stderr, exit-status 7, EOF, CLOSE in order");
	setup(&t, NULL);
	id = open_session(&t, 5, 1 << 20);
	ASSERT_INT_EQ(exec_cmd(&t, id, "echo hi; echo err >&2; exit 7"), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_INT_EQ(ft_recipient(&t.ft, t.ft.nmsgs - 1), 5);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 5, 1000));
	out = ft_collect(&t.ft, 5, false, NULL);
	err = ft_collect(&t.ft, 5, true, NULL);
	ASSERT_STR_EQ(out, "hi\n");
	ASSERT_STR_EQ(err, "err\n");
	eof = ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0);
	ex = ft_find_request(&t.ft, "exit-status", 0);
	cl = ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, 0);
	for (i = 0; i < (long)t.ft.nmsgs; i++) {
		if (ft_type(&t.ft, (size_t)i) == SSH2_MSG_CHANNEL_DATA ||
		    ft_type(&t.ft, (size_t)i) == SSH2_MSG_CHANNEL_EXTENDED_DATA)
			lastdata = i;
	}
	ASSERT_TRUE(eof > lastdata && lastdata >= 0);
	ASSERT_TRUE(ex >= 0 && ex < cl);
	ASSERT_TRUE(eof >= 0 && eof < cl);
	ASSERT_INT_EQ(exit_status_of(&t, ex), 7);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_CLOSE, (size_t)cl + 1),
	    -1);
	/* Our CLOSE is sent once; the channel lives until the peer's. */
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	/* Afterwards the channel is unknown. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "x", 1)), HS_ERR_PROTOCOL);
	free(out);
	free(err);
	teardown(&t);
	TEST_DONE();
}

static void
test_stdin_eof(void)
{
	struct tctx t;
	uint32_t id;
	char *out;

	TEST_START("stdin: data and EOF reach the child (cat)");
	setup(&t, NULL);
	id = open_session(&t, 0, 1 << 20);
	/* Data before the command waits in the window. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "abc", 3)), 0);
	ASSERT_INT_EQ(exec_cmd(&t, id, "cat; echo done"), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "def\n", 4)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 0, 1000));
	out = ft_collect(&t.ft, 0, false, NULL);
	ASSERT_STR_EQ(out, "abcdef\ndone\n");
	ASSERT_INT_EQ(exit_status_of(&t, ft_find_request(&t.ft, "exit-status",
	    0)), 0);
	free(out);
	teardown(&t);
	TEST_DONE();
}

static void
test_peer_window(void)
{
	struct tctx t;
	uint32_t id;
	size_t len, i;
	char *out;
	int rounds;

	TEST_START("the peer's window is never exceeded; adjust resumes");
	setup(&t, NULL);
	id = open_session(&t, 1, 10);
	ASSERT_INT_EQ(exec_cmd(&t, id, "printf 0123456789abcdefghijKLMNO"), 0);
	for (rounds = 0; rounds < 50; rounds++)
		ft_round(&t.ft, t.c, 20);
	out = ft_collect(&t.ft, 1, false, &len);
	ASSERT_STR_EQ(out, "0123456789");
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0), -1);
	free(out);
	ASSERT_INT_EQ(ft_input(t.c, ft_adjust(id, 7)), 0);
	for (rounds = 0; rounds < 50; rounds++)
		ft_round(&t.ft, t.c, 20);
	out = ft_collect(&t.ft, 1, false, &len);
	ASSERT_STR_EQ(out, "0123456789abcdefg");
	free(out);
	ASSERT_INT_EQ(ft_input(t.c, ft_adjust(id, 100)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 1, 1000));
	out = ft_collect(&t.ft, 1, false, &len);
	ASSERT_STR_EQ(out, "0123456789abcdefghijKLMNO");
	free(out);
	/* No data message was larger than what was granted. */
	for (i = 0; i < t.ft.nmsgs; i++) {
		if (ft_type(&t.ft, i) == SSH2_MSG_CHANNEL_DATA)
			ASSERT_TRUE(buf_len(t.ft.msgs[i]) <= 9 + 10);
	}
	/* Overflowing the window is a protocol error. */
	ASSERT_INT_EQ(ft_input(t.c, ft_adjust(id, 0xfffffff0u)),
	    HS_ERR_PROTOCOL);
	teardown(&t);
	TEST_DONE();
}

static void
test_room(void)
{
	struct tctx t;
	uint32_t id;
	char *out;
	int rounds;

	TEST_START("no transport room: nothing read until there is");
	setup(&t, NULL);
	id = open_session(&t, 1, 1 << 20);
	t.ft.room = 0;
	ASSERT_INT_EQ(exec_cmd(&t, id, "echo held"), 0);
	for (rounds = 0; rounds < 20; rounds++)
		ft_round(&t.ft, t.c, 20);
	out = ft_collect(&t.ft, 1, false, NULL);
	ASSERT_STR_EQ(out, "");
	free(out);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0), -1);
	t.ft.room = 1 << 20;
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 1, 1000));
	out = ft_collect(&t.ft, 1, false, NULL);
	ASSERT_STR_EQ(out, "held\n");
	free(out);
	teardown(&t);
	TEST_DONE();
}

static void
test_our_window(void)
{
	struct tctx t;
	uint32_t id, add = 0;
	size_t total = 0;
	static uint8_t chunk[256 * 1024];
	struct buf *b;
	long adj;
	int i, rounds;

	TEST_START("our window: adjusted after use, never exceeded");
	setup(&t, NULL);
	memset(chunk, 'z', sizeof(chunk));
	id = open_session(&t, 3, 1 << 20);
	ASSERT_INT_EQ(exec_cmd(&t, id, "cat >/dev/null"), 0);
	/* 1.25 MiB: more than half the window. */
	for (i = 0; i < 5; i++)
		ASSERT_INT_EQ(ft_input(t.c, ft_data(id, chunk,
		    sizeof(chunk))), 0);
	/* Everything is consumed and returned, but for less than the
	 * threshold of three packets. */
	for (rounds = 0; rounds < 1000 && total < 5 * sizeof(chunk) -
	    3 * CHAN_PACKET_DEFAULT; rounds++) {
		ft_round(&t.ft, t.c, 20);
		for (total = 0, adj = 0; (adj = ft_find(&t.ft,
		    SSH2_MSG_CHANNEL_WINDOW_ADJUST, (size_t)adj)) >= 0;
		    adj++) {
			b = buf_from(buf_ptr(t.ft.msgs[adj]),
			    buf_len(t.ft.msgs[adj]));
			if (b == NULL || buf_consume(b, 5) != 0 ||
			    buf_get_u32(b, &add) != 0 || add == 0 ||
			    ft_recipient(&t.ft, (size_t)adj) != 3)
				abort();
			total += add;
			buf_free(b);
		}
	}
	ASSERT_TRUE(total >= 5 * sizeof(chunk) - 3 * CHAN_PACKET_DEFAULT);
	ASSERT_TRUE(total <= 5 * sizeof(chunk));
	/* With the window back, more fits. */
	for (i = 0; i < 3; i++)
		ASSERT_INT_EQ(ft_input(t.c, ft_data(id, chunk,
		    sizeof(chunk))), 0);
	teardown(&t);

	/* A channel whose child does not read: the window fills up. */
	setup(&t, NULL);
	id = open_session(&t, 3, 1 << 20);
	for (i = 0; i < 8; i++)
		ASSERT_INT_EQ(ft_input(t.c, ft_data(id, chunk,
		    sizeof(chunk))), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "!", 1)), HS_ERR_PROTOCOL);
	ASSERT_TRUE(strstr(conn_error(t.c), "beyond the window") != NULL);
	teardown(&t);
	TEST_DONE();
}

static void
test_signals(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;
	long ex;
	char *name = NULL;
	bool core = true, want;
	int rounds;

	TEST_START("exit-signal, and the signal request");
	setup(&t, NULL);
	id = open_session(&t, 2, 1 << 20);
	ASSERT_INT_EQ(exec_cmd(&t, id, "kill -TERM $$"), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 2, 1000));
	ex = ft_find_request(&t.ft, "exit-signal", 0);
	ASSERT_TRUE(ex >= 0);
	ASSERT_INT_EQ(ft_find_request(&t.ft, "exit-status", 0), -1);
	if (ex >= 0) {
		b = buf_from(buf_ptr(t.ft.msgs[ex]), buf_len(t.ft.msgs[ex]));
		ASSERT_INT_EQ(buf_consume(b, 5), 0);
		ASSERT_INT_EQ(buf_skip_string(b, 64), 0);
		ASSERT_INT_EQ(buf_get_bool(b, &want), 0);
		ASSERT_FALSE(want);
		ASSERT_INT_EQ(buf_get_cstring(b, 64, &name, NULL), 0);
		ASSERT_STR_EQ(name, "TERM");
		ASSERT_INT_EQ(buf_get_bool(b, &core), 0);
		ASSERT_FALSE(core);
		ASSERT_INT_EQ(buf_skip_string(b, 64), 0);
		ASSERT_INT_EQ(buf_skip_string(b, 64), 0);
		ASSERT_INT_EQ(buf_get_end(b), 0);
		buf_free(b);
		free(name);
	}
	teardown(&t);

	setup(&t, NULL);
	id = open_session(&t, 2, 1 << 20);
	/* Before a child runs, a signal fails. */
	b = ft_request(id, "signal", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "INT"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_INT_EQ(exec_cmd(&t, id, "echo ready; exec sleep 60"), 0);
	for (rounds = 0; rounds < 500; rounds++) {
		char *out = ft_collect(&t.ft, 2, false, NULL);
		bool ready = strcmp(out, "ready\n") == 0;

		free(out);
		if (ready)
			break;
		ft_round(&t.ft, t.c, 20);
	}
	b = ft_request(id, "signal", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "NOSUCH"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	b = ft_request(id, "signal", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "USR1"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 2, 1000));
	ex = ft_find_request(&t.ft, "exit-signal", 0);
	ASSERT_TRUE(ex >= 0);
	if (ex >= 0) {
		b = buf_from(buf_ptr(t.ft.msgs[ex]), buf_len(t.ft.msgs[ex]));
		ASSERT_INT_EQ(buf_consume(b, 5), 0);
		ASSERT_INT_EQ(buf_skip_string(b, 64), 0);
		ASSERT_INT_EQ(buf_get_bool(b, &want), 0);
		ASSERT_INT_EQ(buf_get_cstring(b, 64, &name, NULL), 0);
		ASSERT_STR_EQ(name, "USR1");
		free(name);
		buf_free(b);
	}
	teardown(&t);
	TEST_DONE();
}

static void
test_env(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;
	char *out;

	TEST_START("env requests, AcceptEnv and the children's environment");
	setup(&t, "AcceptEnv LANG LC_*,!LC_BAD\nSetEnv FROMCONF=yes\n");
	free(t.si->env);
	t.si->env = calloc(3, sizeof(char *));
	t.si->env[0] = strdup("PAMVAR=p");
	t.si->env[1] = strdup("LD_PRELOAD=/evil.so");
	t.si->env[2] = strdup("SSH_CONNECTION=forged");
	t.si->nenv = 3;
	id = open_session(&t, 4, 1 << 20);
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "LANG"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "C.UTF-8"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "LC_TIME"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "LC_BAD"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "LD_PRELOAD"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "/x.so"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	/* The client may not set what the server sets. */
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "LANG"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "de_DE.UTF-8"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	/* A name with '=' is malformed. */
	b = ft_request(id, "env", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "A=B"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "x"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	teardown(&t);

	setup(&t, "AcceptEnv LANG USER\nSetEnv FROMCONF=yes\n");
	free(t.si->env);
	t.si->env = calloc(3, sizeof(char *));
	t.si->env[0] = strdup("PAMVAR=p");
	t.si->env[1] = strdup("LD_PRELOAD=/evil.so");
	t.si->env[2] = strdup("SSH_CONNECTION=forged");
	t.si->nenv = 3;
	id = open_session(&t, 4, 1 << 20);
	b = ft_request(id, "env", false);
	ASSERT_INT_EQ(buf_put_cstring(b, "LANG"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "de_DE.UTF-8"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	b = ft_request(id, "env", false);
	ASSERT_INT_EQ(buf_put_cstring(b, "USER"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "mallory"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(exec_cmd(&t, id, "env | sort"), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 4, 1000));
	out = ft_collect(&t.ft, 4, false, NULL);
	ASSERT_TRUE(strstr(out, "\nLANG=de_DE.UTF-8\n") != NULL);
	ASSERT_TRUE(strstr(out, "\nPAMVAR=p\n") != NULL);
	ASSERT_TRUE(strstr(out, "FROMCONF=yes\n") != NULL);
	ASSERT_TRUE(strstr(out, "LD_PRELOAD") == NULL);
	ASSERT_TRUE(strstr(out, "forged") == NULL);
	ASSERT_TRUE(strstr(out, "mallory") == NULL);
	ASSERT_TRUE(strstr(out,
	    "\nSSH_CONNECTION=127.0.0.1 40000 127.0.0.1 22\n") != NULL);
	ASSERT_TRUE(strstr(out, "\nSSH_CLIENT=127.0.0.1 40000 22\n") != NULL);
	ASSERT_TRUE(strstr(out, "\nPATH=") != NULL);
	ASSERT_TRUE(strstr(out, "\nMAIL=/var/mail/") != NULL);
	ASSERT_TRUE(strstr(out, "\nSHELL=/bin/sh\n") != NULL);
	ASSERT_TRUE(strstr(out, "SSH_TTY") == NULL);
	ASSERT_TRUE(strstr(out, "TERM=") == NULL);
	{
		char want[600];

		snprintf(want, sizeof(want), "\nUSER=%s\n", t.si->user);
		ASSERT_TRUE(strstr(out, want) != NULL);
		snprintf(want, sizeof(want), "\nLOGNAME=%s\n", t.si->user);
		ASSERT_TRUE(strstr(out, want) != NULL);
		snprintf(want, sizeof(want), "\nHOME=%s\n", t.si->home);
		ASSERT_TRUE(strstr(out, want) != NULL);
	}
	free(out);
	teardown(&t);
	TEST_DONE();
}

static void
test_forced_and_subsystem(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;
	char *out;

	TEST_START("ForceCommand, SSH_ORIGINAL_COMMAND, subsystems");
	setup(&t, "ForceCommand echo forced \"$SSH_ORIGINAL_COMMAND\"\n");
	id = open_session(&t, 6, 1 << 20);
	ASSERT_INT_EQ(exec_cmd(&t, id, "rm -rf /tmp/nothing"), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 6, 1000));
	out = ft_collect(&t.ft, 6, false, NULL);
	ASSERT_STR_EQ(out, "forced rm -rf /tmp/nothing\n");
	free(out);
	teardown(&t);

	setup(&t, "Subsystem echo /bin/echo from-subsystem\n"
	    "Subsystem sftp internal-sftp\n");
	id = open_session(&t, 7, 1 << 20);
	b = ft_request(id, "subsystem", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "nosuch"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	b = ft_request(id, "subsystem", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "echo"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	/* One command per channel. */
	ASSERT_INT_EQ(exec_cmd(&t, id, "true"), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	b = ft_request(id, "shell", true);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 7, 1000));
	out = ft_collect(&t.ft, 7, false, NULL);
	ASSERT_STR_EQ(out, "from-subsystem\n");
	free(out);
	/* internal-sftp: a forked child, no exec; INIT gets VERSION 3 and
	 * the client's EOF ends it with status 0. */
	id = open_session(&t, 8, 1 << 20);
	b = ft_request(id, "subsystem", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "sftp"), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "\0\0\0\5\1\0\0\0\3", 9)),
	    0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 8, 1000));
	{
		size_t len = 0;

		out = ft_collect(&t.ft, 8, false, &len);
		ASSERT_TRUE(len > 9);
		ASSERT_MEM_EQ(out + 4, "\2\0\0\0\3", 5);
		free(out);
	}
	teardown(&t);
	TEST_DONE();
}

static void
test_shell_and_home(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;
	char *out, *err;

	TEST_START("shell: a login shell; a missing home directory");
	setup(&t, NULL);
	free(t.si->home);
	t.si->home = strdup("/nonexistent/home");
	id = open_session(&t, 8, 1 << 20);
	b = ft_request(id, "shell", true);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	/* "$0" of a login shell starts with '-'. */
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "echo \"0=$0\"; pwd\n", 17)),
	    0);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, id)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 8, 1000));
	out = ft_collect(&t.ft, 8, false, NULL);
	err = ft_collect(&t.ft, 8, true, NULL);
	ASSERT_STR_EQ(out, "0=-sh\n/\n");
	ASSERT_TRUE(strstr(err, "Could not chdir to home directory "
	    "/nonexistent/home: No such file or directory\n") != NULL);
	free(out);
	free(err);
	teardown(&t);
	TEST_DONE();
}

static void
test_global_and_opens(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t reason = 0;
	uint32_t id;

	TEST_START("global requests, refused channel types, MaxSessions");
	setup(&t, "MaxSessions 2\nAllowTcpForwarding no\n"
	    "AllowAgentForwarding no\n");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "keepalive@openssh.com"), 0);
	ASSERT_INT_EQ(buf_put_bool(b, true), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_REQUEST_FAILURE);
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "tcpip-forward"), 0);
	ASSERT_INT_EQ(buf_put_bool(b, true), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "127.0.0.1"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 8080), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_REQUEST_FAILURE);
	/* Without want_reply there is no reply. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "whatever@example.com"), 0);
	ASSERT_INT_EQ(buf_put_bool(b, false), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(t.ft.nmsgs, 2);

	b = ft_open("direct-tcpip", 9, 1000, 1000);
	ASSERT_INT_EQ(buf_put_cstring(b, "localhost"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 80), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "127.0.0.1"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 4000), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(ft_recipient(&t.ft, t.ft.nmsgs - 1), 9);
	ASSERT_INT_EQ(buf_peek_u32(t.ft.msgs[t.ft.nmsgs - 1], 5, &reason), 0);
	ASSERT_INT_EQ(reason, 1);
	ASSERT_INT_EQ(ft_input(t.c, ft_open("x-unknown", 10, 1000, 1000)), 0);
	ASSERT_INT_EQ(buf_peek_u32(t.ft.msgs[t.ft.nmsgs - 1], 5, &reason), 0);
	ASSERT_INT_EQ(reason, 3);
	/* Forwarding the configuration refuses (X11Forwarding no by
	 * default), and unknown requests. */
	id = open_session(&t, 11, 1 << 20);
	b = ft_request(id, "x11-req", true);
	ASSERT_INT_EQ(buf_put_bool(b, false), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "MIT-MAGIC-COOKIE-1"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "00112233445566778899aabbccddeeff"),
	    0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_INT_EQ(ft_input(t.c, ft_request(id, "auth-agent-req@openssh.com",
	    true)), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_INT_EQ(ft_input(t.c, ft_request(id, "keepalive@openssh.com",
	    true)), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_INT_EQ(ft_recipient(&t.ft, t.ft.nmsgs - 1), 11);
	b = ft_request(id, "window-change", true);
	ASSERT_INT_EQ(buf_put_u32(b, 80), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 24), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	b = ft_request(id, "break", true);
	ASSERT_INT_EQ(buf_put_u32(b, 500), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	/* MaxSessions 2. */
	(void)open_session(&t, 12, 1 << 20);
	ASSERT_INT_EQ(ft_input(t.c, ft_open("session", 13, 1000, 1000)), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_OPEN_FAILURE);
	ASSERT_INT_EQ(conn_nchannels(t.c), 2);
	/* Closing one makes room again. */
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_CLOSE);
	ASSERT_INT_EQ(conn_nchannels(t.c), 1);
	ASSERT_INT_EQ(open_session(&t, 14, 1 << 20), id);
	/* no-more-sessions@openssh.com, then a session is an attack. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "no-more-sessions@openssh.com"), 0);
	ASSERT_INT_EQ(buf_put_bool(b, true), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_REQUEST_SUCCESS);
	ASSERT_INT_EQ(ft_input(t.c, ft_open("session", 15, 1000, 1000)),
	    HS_ERR_PROTOCOL);
	teardown(&t);
	TEST_DONE();
}

static void
test_protocol_errors(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;

	TEST_START("protocol errors: unknown channels, malformed messages");
	setup(&t, NULL);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(0, "x", 1)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_EOF, 77)),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, ft_adjust(3, 1)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, ft_request(0, "shell", true)),
	    HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(
	    SSH2_MSG_CHANNEL_OPEN_CONFIRMATION, 0)), HS_ERR_PROTOCOL);
	id = open_session(&t, 0, 1 << 20);
	/* Trailing bytes after a request's fields. */
	b = ft_request(id, "shell", true);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	b = ft_request(id, "exec", true);
	ASSERT_INT_EQ(buf_put_u32(b, 100), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	b = ft_request(id, "pty-req", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "xterm"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 80), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	b = ft_data(id, "x", 1);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	/* A truncated open. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "session"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), HS_ERR_PROTOCOL);
	/* After the peer's CLOSE, nothing more on that channel. */
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(ft_input(t.c, ft_data(id, "x", 1)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(conn_input(t.c, 50, NULL), HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(conn_input(t.c, 85, NULL), HS_ERR_NOT_FOUND);
	teardown(&t);
	TEST_DONE();
}

static void
test_peer_close_running(void)
{
	struct tctx t;
	uint32_t id;
	pid_t pid;

	TEST_START("the peer closes while the child runs");
	setup(&t, NULL);
	id = open_session(&t, 0, 1 << 20);
	ASSERT_INT_EQ(exec_cmd(&t, id, "exec sleep 60"), 0);
	ASSERT_INT_EQ(t.ft.npids, 1);
	pid = t.ft.pids[0];
	ASSERT_INT_EQ(ft_input(t.c, ft_u32msg(SSH2_MSG_CHANNEL_CLOSE, id)), 0);
	ASSERT_INT_EQ(conn_process(t.c), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_CLOSE);
	ASSERT_INT_EQ(ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0), -1);
	ASSERT_INT_EQ(conn_nchannels(t.c), 0);
	/* The child is still ours to reap; it is not reported anywhere. */
	ASSERT_INT_EQ(kill(pid, 0), 0);
	conn_child_exited(t.c, pid, 0);
	teardown(&t);
	TEST_DONE();
}

static void
test_key_options(void)
{
	struct tctx t;
	struct authkey_opts *o;
	struct buf *b;
	uint32_t id;
	char *out;

	TEST_START("authorized_keys options: no-pty, command=, environment=");
	setup(&t, "PermitUserEnvironment KEY*\n");
	o = calloc(1, sizeof(*o));
	o->permit_pty = false;
	o->command = strdup("echo keycmd \"$SSH_ORIGINAL_COMMAND\" $KEYVAR "
	    "${OTHER:-unset}");
	o->env = calloc(2, sizeof(char *));
	o->env[0] = strdup("KEYVAR=fromkey");
	o->env[1] = strdup("OTHER=notallowed");
	o->nenv = 2;
	o->tunnel = -1;
	conn_set_key_options(t.c, o);
	id = open_session(&t, 0, 1 << 20);
	b = ft_request(id, "pty-req", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "xterm"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 80), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 24), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_string(b, "", 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_FAILURE);
	ASSERT_INT_EQ(exec_cmd(&t, id, "id"), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 0, 1000));
	out = ft_collect(&t.ft, 0, false, NULL);
	ASSERT_STR_EQ(out, "keycmd id fromkey unset\n");
	free(out);
	teardown(&t);
	authkey_opts_free(o);

	/* ForceCommand wins over command=. */
	setup(&t, "ForceCommand echo config\n");
	o = calloc(1, sizeof(*o));
	o->permit_pty = true;
	o->command = strdup("echo key");
	o->tunnel = -1;
	conn_set_key_options(t.c, o);
	id = open_session(&t, 0, 1 << 20);
	ASSERT_INT_EQ(ft_input(t.c, ft_request(id, "shell", true)), 0);
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 0, 1000));
	out = ft_collect(&t.ft, 0, false, NULL);
	ASSERT_STR_EQ(out, "config\n");
	free(out);
	teardown(&t);
	authkey_opts_free(o);
	TEST_DONE();
}

/*
 * A terminal session ends with its child even while a background job
 * (its own process group, so no SIGHUP) keeps the terminal open: the
 * output so far is drained, then EOF, exit-status and CLOSE, as sshd.
 */
static void
test_tty_background_job(void)
{
	struct tctx t;
	struct buf *b;
	uint32_t id;
	char dir[] = "/tmp/hsshd-tty-XXXXXX", pidfile[64], cmd[160], *out;
	FILE *f;
	long pid = 0;

	TEST_START("pty: the session ends with its child, a job holds the tty");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	setup(&t, NULL);
	id = open_session(&t, 3, 1 << 20);
	b = ft_request(id, "pty-req", true);
	ASSERT_INT_EQ(buf_put_cstring(b, "xterm"), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 80), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 24), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
	ASSERT_INT_EQ(buf_put_string(b, "", 0), 0);
	ASSERT_INT_EQ(ft_input(t.c, b), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	snprintf(cmd, sizeof(cmd), "set -m; sleep 1000 & echo $! > %s; "
	    "echo job-started", pidfile);
	ASSERT_INT_EQ(exec_cmd(&t, id, cmd), 0);
	ASSERT_INT_EQ(last_type(&t), SSH2_MSG_CHANNEL_SUCCESS);
	/* Without the drain this waits for the job (1000 s). */
	ASSERT_TRUE(ft_run_until_close(&t.ft, t.c, 3, 6));
	out = ft_collect(&t.ft, 3, false, NULL);
	ASSERT_TRUE(strstr(out, "job-started") != NULL);
	ASSERT_TRUE(ft_find(&t.ft, SSH2_MSG_CHANNEL_EOF, 0) >= 0);
	ASSERT_INT_EQ(exit_status_of(&t, ft_find_request(&t.ft, "exit-status",
	    0)), 0);
	free(out);
	if ((f = fopen(pidfile, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	ASSERT_TRUE(pid > 1);
	/* The job was left running, as sshd leaves it. */
	ASSERT_INT_EQ(kill((pid_t)pid, 0), 0);
	(void)kill((pid_t)pid, SIGKILL);
	(void)unlink(pidfile);
	(void)rmdir(dir);
	teardown(&t);
	TEST_DONE();
}

int
main(void)
{
	test_exec_order();
	test_stdin_eof();
	test_peer_window();
	test_room();
	test_our_window();
	test_signals();
	test_env();
	test_forced_and_subsystem();
	test_shell_and_home();
	test_global_and_opens();
	test_protocol_errors();
	test_peer_close_running();
	test_key_options();
	test_tty_background_job();
	return tap_finish();
}
