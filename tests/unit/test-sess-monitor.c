/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the monitor's session-phase handlers
 * (monitor/answer-session.c, built into this test): PTY_OPEN hands over a
 * master whose slave belongs to the user (group tty, 0620) and answers
 * by itself with the fd; SESSION_EVENT writes utmp, wtmp and lastlog
 * (temporary files) and believes a pid only if /proc shows a child of the
 * session running as the user; PTY_CLOSE restores root:root 0600; a tty
 * name the monitor did not hand out, a repeated or unknown event and
 * trailing bytes are violations; the per-session pty limit refuses
 * politely; TERMINATE releases everything.  Needs root (chown); skipped
 * otherwise.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lastlog.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rpc.h"
#include "monitor/monitor.h"
#include "tests/tap.h"

#define USER_UID	65534u
#define USER_GID	65534u

static struct mon m;
static int peer = -1;		/* the session's end of the RPC socket */
static char dir[] = "/tmp/hs-sessmon.XXXXXX";
static char f_utmp[64], f_wtmp[64], f_lastlog[64];

typedef int handler(struct mon *, struct buf *, struct buf *);

/* Run a handler on a body (NULL: empty); returns its result. */
static int
call(handler *h, struct buf *req)
{
	struct buf *reply = buf_new();
	int r;

	if (req == NULL)
		req = buf_new();
	r = h(&m, req, reply);
	/* The session handlers never leave an answer for the table. */
	if (buf_len(reply) != 0)
		r = HS_ERR_INTERNAL;
	buf_free(req);
	buf_free(reply);
	return r;
}

/* PTY_OPEN and its answer; *name is "" and the fd -1 on refusal. */
static int
pty_open(char *name, size_t len)
{
	struct buf *ans = NULL;
	char *s = NULL;
	uint8_t type = 0;
	int fd = -1;

	name[0] = '\0';
	if (call(mon_answer_pty_open, NULL) != 0)
		return -2;
	if (rpc_recv(peer, RPC_MSG_MAX, &type, &ans, &fd) != 0 ||
	    type != RPC_PTY_OPEN_ANS ||
	    buf_get_cstring(ans, 64, &s, NULL) != 0 || buf_get_end(ans) != 0)
		abort();
	snprintf(name, len, "%s", s);
	free(s);
	buf_free(ans);
	return fd;
}

static struct buf *
event(uint8_t ev, const char *tty, uint32_t pid)
{
	struct buf *b = buf_new();

	if (buf_put_u8(b, ev) != 0 || buf_put_cstring(b, tty) != 0 ||
	    buf_put_u32(b, pid) != 0)
		abort();
	return b;
}

static struct buf *
str(const char *s)
{
	struct buf *b = buf_new();

	if (buf_put_cstring(b, s) != 0)
		abort();
	return b;
}

/* The utmp entry of a line in our temporary utmp file (any type:
 * getutxline() would skip a DEAD_PROCESS record). */
static bool
utmp_find(const char *line, struct utmpx *ret)
{
	struct utmpx *u;
	bool found = false;

	if (utmpxname(f_utmp) == -1)
		return false;
	setutxent();
	while ((u = getutxent()) != NULL) {
		if (strncmp(u->ut_line, line, sizeof(u->ut_line)) == 0) {
			*ret = *u;
			found = true;
		}
	}
	endutxent();
	return found;
}

/* Entries of our wtmp for a line: logins and logouts. */
static void
wtmp_count(const char *line, int *logins, int *logouts)
{
	struct utmpx *u;

	*logins = *logouts = 0;
	if (utmpxname(f_wtmp) == -1)
		return;
	setutxent();
	while ((u = getutxent()) != NULL) {
		if (strncmp(u->ut_line, line, sizeof(u->ut_line)) != 0)
			continue;
		if (u->ut_type == USER_PROCESS)
			(*logins)++;
		else if (u->ut_type == DEAD_PROCESS)
			(*logouts)++;
	}
	endutxent();
}

static void
test_open_close(void)
{
	char name[64], other[64], line[64];
	struct group *gr = getgrnam("tty");
	struct stat st;
	struct lastlog ll;
	struct utmpx ut;
	unsigned int ptn = 0;
	int fd, fd2, status, in, out, lfd, pipefd[2], ready[2];
	char c;
	pid_t kid;

	TEST_START("PTY_OPEN, login records, PTY_CLOSE");
	fd = pty_open(name, sizeof(name));
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(isatty(fd));
	ASSERT_INT_EQ(strncmp(name, "/dev/pts/", 9), 0);
	ASSERT_INT_EQ(ioctl(fd, TIOCGPTN, &ptn), 0);
	snprintf(line, sizeof(line), "/dev/pts/%u", ptn);
	ASSERT_STR_EQ(name, line);
	ASSERT_INT_EQ(stat(name, &st), 0);
	ASSERT_INT_EQ(st.st_uid, USER_UID);
	ASSERT_INT_EQ(st.st_gid, gr != NULL ? gr->gr_gid : USER_GID);
	ASSERT_INT_EQ(st.st_mode & 07777, gr != NULL ? 0620 : 0600);
	snprintf(line, sizeof(line), "%s", name + 5);

	/* A child of "the session" (us) running as the user. */
	if (pipe(pipefd) != 0 || pipe(ready) != 0)
		abort();
	if ((kid = fork()) == 0) {
		if (setresgid(USER_GID, USER_GID, USER_GID) != 0 ||
		    setresuid(USER_UID, USER_UID, USER_UID) != 0)
			_exit(1);
		close(pipefd[1]);
		(void)write(ready[1], "", 1);
		(void)read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	close(ready[1]);
	/* Once it is the user. */
	ASSERT_INT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ASSERT_INT_EQ(call(mon_answer_session_event, event(1, name,
	    (uint32_t)kid)), 0);
	ASSERT_TRUE(utmp_find(line, &ut));
	ASSERT_INT_EQ(ut.ut_type, USER_PROCESS);
	ASSERT_INT_EQ(ut.ut_pid, kid);
	ASSERT_INT_EQ(strncmp(ut.ut_user, "nobody", sizeof(ut.ut_user)), 0);
	ASSERT_INT_EQ(strncmp(ut.ut_host, "192.0.2.7", sizeof(ut.ut_host)),
	    0);
	ASSERT_INT_EQ(((const uint8_t *)ut.ut_addr_v6)[0], 192);
	/* lastlog at the user's offset. */
	lfd = open(f_lastlog, O_RDONLY);
	ASSERT_INT_EQ(pread(lfd, &ll, sizeof(ll), (off_t)USER_UID *
	    (off_t)sizeof(ll)), sizeof(ll));
	close(lfd);
	ASSERT_INT_EQ(strncmp(ll.ll_line, line, sizeof(ll.ll_line)), 0);
	ASSERT_INT_EQ(strncmp(ll.ll_host, "192.0.2.7", sizeof(ll.ll_host)),
	    0);
	ASSERT_TRUE(ll.ll_time > 0);
	/* A second login on the same tty, an unknown event: violations. */
	ASSERT_INT_NE(call(mon_answer_session_event, event(1, name, 1)), 0);
	ASSERT_INT_NE(call(mon_answer_session_event, event(3, name, 1)), 0);
	ASSERT_INT_EQ(call(mon_answer_session_event, event(2, name, 0)), 0);
	ASSERT_TRUE(utmp_find(line, &ut));
	ASSERT_INT_EQ(ut.ut_type, DEAD_PROCESS);
	ASSERT_INT_NE(call(mon_answer_session_event, event(2, name, 0)), 0);
	wtmp_count(line, &in, &out);
	ASSERT_INT_EQ(in, 1);
	ASSERT_INT_EQ(out, 1);
	close(pipefd[1]);
	(void)waitpid(kid, &status, 0);

	/* A pid that is not the session's child is not believed. */
	fd2 = pty_open(other, sizeof(other));
	ASSERT_TRUE(fd2 >= 0);
	ASSERT_INT_EQ(call(mon_answer_session_event, event(1, other, 1)), 0);
	ASSERT_TRUE(utmp_find(other + 5, &ut));
	ASSERT_INT_EQ(ut.ut_pid, getpid());

	/* Names the monitor did not hand out. */
	ASSERT_INT_NE(call(mon_answer_pty_close, str("/dev/pts/99999")), 0);
	ASSERT_INT_NE(call(mon_answer_pty_close, str("/dev/tty")), 0);
	ASSERT_INT_NE(call(mon_answer_session_event, event(1, "/dev/console",
	    1)), 0);
	/* Trailing bytes. */
	{
		struct buf *b = str(name);

		ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
		ASSERT_INT_NE(call(mon_answer_pty_close, b), 0);
		b = buf_new();
		ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
		ASSERT_INT_NE(call(mon_answer_pty_open, b), 0);
	}

	/* PTY_CLOSE: root's again (we still hold a master, so the pts
	 * node exists), and the name is not the session's any more. */
	ASSERT_INT_EQ(call(mon_answer_pty_close, str(name)), 0);
	ASSERT_INT_EQ(stat(name, &st), 0);
	ASSERT_INT_EQ(st.st_uid, 0);
	ASSERT_INT_EQ(st.st_gid, 0);
	ASSERT_INT_EQ(st.st_mode & 07777, 0600);
	ASSERT_INT_NE(call(mon_answer_pty_close, str(name)), 0);
	close(fd);

	/* TERMINATE releases the rest, with its logout record. */
	{
		struct buf *b = buf_new();

		ASSERT_INT_EQ(buf_put_u32(b, 0), 0);
		ASSERT_INT_EQ(call(mon_answer_terminate, b), 0);
	}
	ASSERT_INT_EQ(stat(other, &st), 0);
	ASSERT_INT_EQ(st.st_uid, 0);
	ASSERT_INT_EQ(st.st_mode & 07777, 0600);
	ASSERT_TRUE(utmp_find(other + 5, &ut));
	ASSERT_INT_EQ(ut.ut_type, DEAD_PROCESS);
	ASSERT_INT_NE(call(mon_answer_pty_close, str(other)), 0);
	close(fd2);
	TEST_DONE();
}

static void
test_limit(void)
{
	char name[64];
	int fds[MON_PTYS_MAX], fd;
	size_t i, got = 0;

	TEST_START("at most MON_PTYS_MAX terminals; refusal is an answer");
	for (i = 0; i < MON_PTYS_MAX; i++) {
		fds[i] = pty_open(name, sizeof(name));
		if (fds[i] >= 0)
			got++;
	}
	ASSERT_INT_EQ(got, MON_PTYS_MAX);
	fd = pty_open(name, sizeof(name));
	ASSERT_INT_EQ(fd, -1);
	ASSERT_STR_EQ(name, "");
	mon_session_release_ptys(&m);
	mon_session_release_ptys(&m);
	for (i = 0; i < MON_PTYS_MAX; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	/* Room again. */
	fd = pty_open(name, sizeof(name));
	ASSERT_TRUE(fd >= 0);
	mon_session_release_ptys(&m);
	if (fd >= 0)
		close(fd);
	TEST_DONE();
}

static void
test_not_ready(void)
{
	char *user = m.user;

	TEST_START("nothing before the session runs, nor in a pre-auth re-key");
	m.user = NULL;
	ASSERT_INT_NE(call(mon_answer_pty_open, NULL), 0);
	ASSERT_INT_NE(call(mon_answer_session_event, event(1, "/dev/pts/0",
	    1)), 0);
	m.user = user;
	m.state = MON_ST_AUTH;
	ASSERT_INT_NE(call(mon_answer_pty_open, NULL), 0);
	m.state = MON_ST_REKEY;
	m.resume_state = MON_ST_AUTH;
	ASSERT_INT_NE(call(mon_answer_pty_open, NULL), 0);
	/* A re-key the session started: terminals are still served. */
	m.state = MON_ST_SREKEY;
	{
		char name[64];
		int fd = pty_open(name, sizeof(name));

		ASSERT_TRUE(fd >= 0);
		ASSERT_INT_EQ(call(mon_answer_pty_close, str(name)), 0);
		if (fd >= 0)
			close(fd);
	}
	m.state = MON_ST_SESSION;
	TEST_DONE();
}

static void
make_file(char *path, size_t len, const char *name, off_t size)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	if ((fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644)) == -1 ||
	    ftruncate(fd, size) != 0)
		abort();
	close(fd);
}

int
main(void)
{
	int sv[2];

	if (geteuid() != 0) {
		TEST_SKIP("session handlers", "needs root (chown of ttys)");
		return tap_finish();
	}
	/* The violations below are logged as errors: keep them out. */
	log_init("test-sess-monitor", LOG_LEVEL_QUIET, -1, true);
	if (mkdtemp(dir) == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	make_file(f_utmp, sizeof(f_utmp), "utmp", 0);
	make_file(f_wtmp, sizeof(f_wtmp), "wtmp", 0);
	make_file(f_lastlog, sizeof(f_lastlog), "lastlog",
	    (off_t)(USER_UID + 1) * (off_t)sizeof(struct lastlog));
	mon_session_record_files(f_utmp, f_wtmp, f_lastlog);
	memset(&m, 0, sizeof(m));
	m.user = "nobody";
	m.uid = USER_UID;
	m.gid = USER_GID;
	m.child = getpid();
	m.rpc_fd = sv[0];
	m.state = MON_ST_SESSION;
	snprintf(m.peer_addr, sizeof(m.peer_addr), "192.0.2.7");
	peer = sv[1];

	test_not_ready();
	test_open_close();
	test_limit();

	mon_session_release_ptys(&m);
	mon_session_record_files(NULL, NULL, NULL);
	unlink(f_utmp);
	unlink(f_wtmp);
	unlink(f_lastlog);
	rmdir(dir);
	return tap_finish();
}
