/* SPDX-License-Identifier: ISC */
/*
 * Monitor handlers of the session phase, in hsshd-monitor (root): the
 * terminals of hsshd-session (which runs as the user and is untrusted)
 * and their login records.  The monitor opens each pty itself, gives the
 * slave to the user (group tty, mode 0620) and passes the master; it
 * keeps its own copy of every master it handed out, so a terminal's
 * number cannot be reused while the session may still name it, and it
 * acts on a terminal only through that copy (TIOCGPTPEER), never through
 * a path the session chose.  A tty name in a request must be one the
 * monitor opened for this session, or the request is a violation.
 *
 * Bodies (answers are the request type + 1):
 *  PTY_OPEN       empty -> string "/dev/pts/N", master by SCM_RIGHTS; an
 *                 empty name without an fd if no pty could be had.  The
 *                 handler sends this answer itself (it carries an fd):
 *                 its dispatch row must have no reply type.
 *  PTY_CLOSE      string tty -> empty; logout record if logged in,
 *                 ownership back to root:root 0600, our master closed.
 *  SESSION_EVENT  u8 event (1 login, 2 logout), string tty, u32 pid of
 *                 the child on it -> empty; utmp, wtmp and (login)
 *                 lastlog.  The pid is recorded only if it is a child of
 *                 the session process running as the user (else the
 *                 session's own pid is).
 *  TERMINATE      u32 status; no answer; every pty is released.
 *  HOSTKEY_PROVE  u32 n (1..HOSTKEYS_PROVE_MAX), then n x string public
 *                 key blob -> n x string signature, in the same order.
 *                 Each blob must be byte for byte one of the monitor's
 *                 host keys (and none twice), or the request is a
 *                 violation: the session checked them already.  The
 *                 signed data is the monitor's own (PROTOCOL §2.5):
 *                 string "hostkeys-prove-00@openssh.com", string
 *                 session_id, string blob of its key; nothing else the
 *                 session sends enters it, so it is no signing oracle.
 *
 * mon_session_last_login() reads the lastlog entry before this login
 * for the session's "Last login:" line.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lastlog.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <utmpx.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/procstatus.h"
#include "common/rpc.h"
#include "common/txt.h"
#include "monitor/monitor.h"

#define SESS_EVENT_LOGIN	1
#define SESS_EVENT_LOGOUT	2

/* A terminal name: "/dev/pts/" and a number. */
#define PTY_NAME_MAX		64u

struct mon_pty {
	bool	 used;
	int	 master;		/* the monitor's own copy */
	char	 name[PTY_NAME_MAX];	/* "/dev/pts/N" */
	bool	 logged_in;
	pid_t	 pid;			/* in the login record */
};

static struct mon_pty mon_ptys[MON_PTYS_MAX];
static const char *rec_utmp, *rec_wtmp, *rec_lastlog;

void
mon_session_record_files(const char *utmp, const char *wtmp,
    const char *lastlog)
{
	rec_utmp = utmp;
	rec_wtmp = wtmp;
	rec_lastlog = lastlog;
}

/*
 * The session's requests make sense only once a user's session runs: in
 * state SESSION, or in a re-key the session started (SREKEY: the
 * session may need a terminal while its KEXINIT waits for the client's),
 * never in a pre-auth re-key.
 */
static bool
session_ready(const struct mon *m)
{
	return m->user != NULL && m->rpc_fd != -1 &&
	    (m->state == MON_ST_SESSION || m->state == MON_ST_SREKEY);
}

static struct mon_pty *
pty_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < MON_PTYS_MAX; i++) {
		if (mon_ptys[i].used && strcmp(mon_ptys[i].name, name) == 0)
			return &mon_ptys[i];
	}
	return NULL;
}

/* The slave of a master we hold, without a path when the kernel can. */
static int
pty_slave(int master, const char *name)
{
	unsigned int ptn;
	char want[PTY_NAME_MAX];
	struct stat st;
	int fd;

#ifdef TIOCGPTPEER
	if ((fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY |
	    O_CLOEXEC)) != -1)
		return fd;
#endif
	if (ioctl(master, TIOCGPTN, &ptn) == -1)
		return -1;
	snprintf(want, sizeof(want), "/dev/pts/%u", ptn);
	if (strcmp(want, name) != 0 || (fd = open(name, O_RDWR | O_NOCTTY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Copy a string into a fixed utmp field (NUL-padded, maybe unended). */
static void
field(char *dst, size_t dstlen, const char *src)
{
	size_t len = strlen(src);

	memset(dst, 0, dstlen);
	memcpy(dst, src, len < dstlen ? len : dstlen);
}

static void
utmp_entry(const struct mon *m, const struct mon_pty *p, bool login,
    struct utmpx *ut)
{
	const char *line = p->name + 5;		/* "pts/N" */
	size_t len = strlen(line);
	struct timeval tv;
	struct in6_addr a6;
	struct in_addr a4;

	memset(ut, 0, sizeof(*ut));
	ut->ut_type = login ? USER_PROCESS : DEAD_PROCESS;
	ut->ut_pid = p->pid;
	field(ut->ut_line, sizeof(ut->ut_line), line);
	/* The id is the line's last four characters, as sshd makes it. */
	field(ut->ut_id, sizeof(ut->ut_id), len > sizeof(ut->ut_id) ?
	    line + len - sizeof(ut->ut_id) : line);
	if (login) {
		field(ut->ut_user, sizeof(ut->ut_user), m->user);
		field(ut->ut_host, sizeof(ut->ut_host), m->peer_addr);
		if (inet_pton(AF_INET, m->peer_addr, &a4) == 1)
			memcpy(&ut->ut_addr_v6[0], &a4, sizeof(a4));
		else if (inet_pton(AF_INET6, m->peer_addr, &a6) == 1)
			memcpy(ut->ut_addr_v6, &a6, sizeof(a6));
	}
	gettimeofday(&tv, NULL);
	ut->ut_tv.tv_sec = (int32_t)tv.tv_sec;
	ut->ut_tv.tv_usec = (int32_t)tv.tv_usec;
}

static void
write_lastlog(const struct mon *m, const struct mon_pty *p, time_t now)
{
	const char *path = rec_lastlog != NULL ? rec_lastlog : _PATH_LASTLOG;
	struct lastlog ll;
	struct stat st;
	int fd;

	/* Never created here: a system without the file keeps none. */
	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) ==
	    -1) {
		if (errno != ENOENT)
			error("lastlog %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		error("lastlog %s: not a regular file", path);
		close(fd);
		return;
	}
	memset(&ll, 0, sizeof(ll));
	ll.ll_time = (int32_t)now;
	field(ll.ll_line, sizeof(ll.ll_line), p->name + 5);
	field(ll.ll_host, sizeof(ll.ll_host), m->peer_addr);
	if (pwrite(fd, &ll, sizeof(ll), (off_t)m->uid * (off_t)sizeof(ll)) !=
	    (ssize_t)sizeof(ll))
		error("lastlog %s: write: %s", path, strerror(errno));
	close(fd);
}

void
mon_session_last_login(const struct mon *m, uint64_t *ret_time, char *host,
    size_t hostlen)
{
	const char *path = rec_lastlog != NULL ? rec_lastlog : _PATH_LASTLOG;
	struct lastlog ll;
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	*ret_time = 0;
	if (hostlen > 0)
		host[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) ==
	    -1) {
		if (errno != ENOENT)
			debug("lastlog %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	/* A short read is a user who never logged in (a sparse file). */
	n = pread(fd, &ll, sizeof(ll), (off_t)m->uid * (off_t)sizeof(ll));
	close(fd);
	if (n != (ssize_t)sizeof(ll) || ll.ll_time <= 0)
		return;
	*ret_time = (uint64_t)ll.ll_time;
	if (hostlen == 0)
		return;
	/* ll_host need not be terminated. */
	len = strnlen(ll.ll_host, sizeof(ll.ll_host));
	if (len >= hostlen)
		len = hostlen - 1;
	memcpy(host, ll.ll_host, len);
	host[len] = '\0';
}

static void
record(const struct mon *m, const struct mon_pty *p, bool login)
{
	struct utmpx ut;

	utmp_entry(m, p, login, &ut);
	if (rec_utmp != NULL && utmpxname(rec_utmp) == -1)
		error("utmp %s: %s", rec_utmp, strerror(errno));
	setutxent();
	/* A system without utmp (a container, say) keeps no such record. */
	if (pututxline(&ut) == NULL) {
		if (errno == ENOENT)
			debug("utmp: %s", strerror(errno));
		else
			error("utmp: %s", strerror(errno));
	}
	endutxent();
	updwtmpx(rec_wtmp != NULL ? rec_wtmp : _PATH_WTMPX, &ut);
	if (login)
		write_lastlog(m, p, (time_t)ut.ut_tv.tv_sec);
}

/*
 * Whether pid is a child of the session process (PPid) that runs as the
 * user (Uid), read from /proc: the session names the pid, so it is only
 * believed when the kernel agrees.
 */
static bool
pid_is_session_child(const struct mon *m, pid_t pid)
{
	struct procstatus ps;
	char *text = NULL;
	size_t len = 0;
	uint32_t ppid = 0;
	bool ok;

	if (procstatus_read(pid, &text, &len) != 0)
		return false;
	ok = procstatus_parse(text, len, &ps) == 0 &&
	    (ps.seen & PROCSTATUS_UID) != 0 &&
	    ps.uid[0] == (uint32_t)m->uid && ps.uid[1] == (uint32_t)m->uid &&
	    procstatus_ppid(text, len, &ppid) == 0 &&
	    (pid_t)ppid == m->child;
	free(text);
	return ok;
}

/* Logout record, ownership back to root, our master closed. */
static void
pty_release(struct mon *m, struct mon_pty *p)
{
	int slave;

	if (p->logged_in) {
		record(m, p, false);
		p->logged_in = false;
	}
	if ((slave = pty_slave(p->master, p->name)) != -1) {
		if (fchown(slave, 0, 0) == -1 || fchmod(slave, 0600) == -1)
			error("%s: restoring ownership: %s", p->name,
			    strerror(errno));
		close(slave);
	} else
		debug("%s: gone already: %s", p->name, strerror(errno));
	close(p->master);
	debug("released %s of %s", p->name, m->user);
	memset(p, 0, sizeof(*p));
	p->master = -1;
}

void
mon_session_release_ptys(struct mon *m)
{
	size_t i;

	for (i = 0; i < MON_PTYS_MAX; i++) {
		if (mon_ptys[i].used)
			pty_release(m, &mon_ptys[i]);
	}
}

/* A new pty given to the user; -1 (errno set) if none can be had. */
static int
pty_allocate(const struct mon *m, char *name, size_t namelen)
{
	struct group *gr;
	gid_t gid = m->gid;
	mode_t mode = 0600;
	int master, slave = -1, saved;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (grantpt(master) != 0 || unlockpt(master) != 0 ||
	    ptsname_r(master, name, namelen) != 0 ||
	    strncmp(name, "/dev/pts/", 9) != 0 ||
	    (slave = pty_slave(master, name)) == -1)
		goto fail;
	/* As sshd: the user's, group tty and 0620 when there is one. */
	if ((gr = getgrnam("tty")) != NULL) {
		gid = gr->gr_gid;
		mode = 0620;
	}
	if (fchown(slave, m->uid, gid) == -1 || fchmod(slave, mode) == -1)
		goto fail;
	close(slave);
	return master;
 fail:
	saved = errno;
	if (slave != -1)
		close(slave);
	close(master);
	errno = saved;
	return -1;
}

int
mon_answer_pty_open(struct mon *m, struct buf *req, struct buf *reply)
{
	struct mon_pty *p = NULL;
	char name[PTY_NAME_MAX];
	size_t i;
	int r, master = -1;

	if ((r = buf_get_end(req)) != 0)
		return r;
	if (!session_ready(m))
		return HS_ERR_PROTOCOL;
	for (i = 0; i < MON_PTYS_MAX && p == NULL; i++) {
		if (!mon_ptys[i].used)
			p = &mon_ptys[i];
	}
	if (p == NULL)
		logit("pty refused for %s: %u terminals open", m->user,
		    MON_PTYS_MAX);
	else if ((master = pty_allocate(m, name, sizeof(name))) == -1)
		error("openpty for %s: %s", m->user, strerror(errno));
	if (master == -1) {
		/* A refusal, not a violation: the request fails. */
		if ((r = buf_put_cstring(reply, "")) != 0)
			return r;
	} else {
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->master = master;
		snprintf(p->name, sizeof(p->name), "%s", name);
		if ((r = buf_put_cstring(reply, name)) != 0) {
			pty_release(m, p);
			return r;
		}
		debug("allocated %s for %s", name, m->user);
	}
	/* The answer carries the master: sent here, not by the table. */
	r = rpc_send(m->rpc_fd, RPC_PTY_OPEN_ANS, reply, master);
	buf_reset(reply);
	return r;
}

int
mon_answer_pty_close(struct mon *m, struct buf *req, struct buf *reply)
{
	struct mon_pty *p;
	char *name = NULL;
	int r;

	(void)reply;
	if ((r = buf_get_cstring(req, PTY_NAME_MAX, &name, NULL)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (!session_ready(m) || (p = pty_by_name(name)) == NULL) {
		error("session of %s: PTY_CLOSE for a tty it was not given",
		    m->user != NULL ? m->user : "?");
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	pty_release(m, p);
 out:
	free(name);
	return r;
}

int
mon_answer_session_event(struct mon *m, struct buf *req, struct buf *reply)
{
	struct mon_pty *p;
	char *name = NULL;
	uint32_t pid;
	uint8_t event;
	int r;

	(void)reply;
	if ((r = buf_get_u8(req, &event)) != 0 ||
	    (r = buf_get_cstring(req, PTY_NAME_MAX, &name, NULL)) != 0 ||
	    (r = buf_get_u32(req, &pid)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	r = HS_ERR_PROTOCOL;
	if (!session_ready(m) || (p = pty_by_name(name)) == NULL) {
		error("session of %s: login record for a tty it was not "
		    "given", m->user != NULL ? m->user : "?");
		goto out;
	}
	if (event == SESS_EVENT_LOGIN && !p->logged_in) {
		p->pid = pid > 0 && pid <= 0x7fffffff &&
		    pid_is_session_child(m, (pid_t)pid) ? (pid_t)pid :
		    m->child;
		record(m, p, true);
		p->logged_in = true;
		r = 0;
	} else if (event == SESS_EVENT_LOGOUT && p->logged_in) {
		record(m, p, false);
		p->logged_in = false;
		r = 0;
	} else
		error("session of %s: bad login record event %u on %s",
		    m->user, event, name);
 out:
	free(name);
	return r;
}

int
mon_answer_terminate(struct mon *m, struct buf *req, struct buf *reply)
{
	uint32_t status;
	int r;

	(void)reply;
	if ((r = buf_get_u32(req, &status)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		return r;
	debug("session of %s ends (status %u)", m->user != NULL ? m->user :
	    "?", status);
	mon_session_release_ptys(m);
	return 0;
}

/* The monitor's host key whose blob is exactly this one, or NULL. */
static const struct key *
hostkey_by_blob(const struct mon *m, const uint8_t *blob, size_t len,
    size_t *ret_idx)
{
	struct buf *b;
	size_t i;
	bool same;

	for (i = 0; i < m->snap.hk.nkeys; i++) {
		if ((b = buf_new()) == NULL)
			fatal_f("out of memory");
		if (key_to_blob(m->snap.hk.keys[i].key, b) != 0)
			fatal_f("host key blob");
		same = buf_len(b) == len && memcmp(buf_ptr(b), blob, len) == 0;
		buf_free(b);
		if (same) {
			*ret_idx = i;
			return m->snap.hk.keys[i].key;
		}
	}
	return NULL;
}

/*
 * One signature of PROTOCOL §2.5 over data the monitor builds itself:
 * string "hostkeys-prove-00@openssh.com", string session_id, string the
 * blob of our own key k.  Appended to sigs as a string.
 */
static int
prove_one(const struct mon *m, const struct key *k, struct buf *sigs)
{
	struct buf *data = NULL, *blob = NULL, *sig = NULL;
	const char *alg;
	int r;

	if ((data = buf_new()) == NULL || (blob = buf_new()) == NULL ||
	    (sig = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* RSA: the algorithm of the key exchange if it was an RSA one,
	 * else rsa-sha2-512 (key_sign's default), as OpenSSH does. */
	alg = key_sig_alg_matches(k, m->negotiated.hostkey_alg) ?
	    m->negotiated.hostkey_alg : NULL;
	if ((r = key_to_blob(k, blob)) != 0 ||
	    (r = buf_put_cstring(data, "hostkeys-prove-00@openssh.com")) != 0 ||
	    (r = buf_put_stringb(data, m->session_id)) != 0 ||
	    (r = buf_put_stringb(data, blob)) != 0 ||
	    (r = key_sign(k, alg, buf_ptr(data), buf_len(data), sig)) != 0 ||
	    (r = buf_put_stringb(sigs, sig)) != 0)
		goto out;
	debug("session of %s: proved host key %s with %s", m->user,
	    key_type_name(k), alg != NULL ? alg : "its default algorithm");
 out:
	buf_free(data);
	buf_free(blob);
	buf_free(sig);
	return r;
}

int
mon_answer_hostkey_prove(struct mon *m, struct buf *req, struct buf *reply)
{
	const uint8_t *blob;
	const struct key *k;
	size_t order[HOSTKEYS_PROVE_MAX];
	bool seen[SESSINIT_HOSTKEYS_MAX];
	struct buf *sigs = NULL;
	uint32_t n, i;
	size_t len, idx = 0;
	int r;

	memset(seen, 0, sizeof(seen));
	if ((r = buf_get_u32(req, &n)) != 0)
		return r;
	if (n == 0 || n > HOSTKEYS_PROVE_MAX)
		return HS_ERR_BAD_FORMAT;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_string_direct(req, KEY_BLOB_MAX, &blob,
		    &len)) != 0)
			return r;
		k = hostkey_by_blob(m, blob, len, &idx);
		if (k == NULL || idx >= SESSINIT_HOSTKEYS_MAX || seen[idx]) {
			error("session of %s: hostkeys-prove for %s",
			    m->user != NULL ? m->user : "?", k == NULL ?
			    "a key that is not ours" : "a key twice");
			return HS_ERR_PROTOCOL;
		}
		seen[idx] = true;
		order[i] = idx;
	}
	if ((r = buf_get_end(req)) != 0)
		return r;
	if (!session_ready(m) || m->session_id == NULL ||
	    buf_len(m->session_id) == 0)
		return HS_ERR_PROTOCOL;
	if ((sigs = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = prove_one(m, m->snap.hk.keys[order[i]].key,
		    sigs)) != 0) {
			error_r(r, "session of %s: hostkeys-prove signature",
			    m->user);
			goto out;
		}
	}
	verbose("Proved %u host key%s to %s port %d for %s", n,
	    n == 1 ? "" : "s", m->peer_addr, m->peer_port, m->user);
	r = buf_putb(reply, sigs);
 out:
	buf_free(sigs);
	return r;
}
