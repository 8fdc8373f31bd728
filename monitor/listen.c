/* SPDX-License-Identifier: ISC */
/*
 * The listener's accept loop, in hsshd (root).  Binds the configured
 * addresses (or takes sockets from systemd), accepts connections and gives
 * each one to a freshly exec'd hsshd-monitor, so every connection gets its
 * own address-space layout.  It reads nothing from clients: a misbehaving
 * connection can only end its own monitor.  What it does see of a peer is
 * its address (chosen by the peer), which decides MaxStartups,
 * PerSourceMaxStartups and PerSourcePenalties through monitor/srclimit.c.
 * Signal handlers only set flags; all work happens in the ppoll() loop.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "monitor/hostkey.h"
#include "monitor/listen.h"
#include "monitor/sdnotify.h"
#include "monitor/snapshot.h"
#include "monitor/spawn.h"
#include "monitor/srclimit.h"
#include "policy/config.h"

#define MAX_LISTEN_SOCKS	32
#define LISTEN_BACKLOG		128
/* Backstop beyond LoginGraceTime before the listener kills a connection
 * that never authenticated (the monitor enforces the real deadline). */
#define GRACE_BACKSTOP		10
/* SIGHUP: how long the check of a new configuration ("hsshd -t") may
 * take, and how much of what it prints is relayed to the log. */
#define RELOAD_CHECK_SECS	30
#define RELOAD_OUTPUT_MAX	4096
/* Set (to the listener's PID) across the re-execution on SIGHUP, so the
 * new image knows it is already detached. */
#define REEXEC_ENV		"HSSHD_REEXEC"

struct conn {
	pid_t			 pid;
	int			 id;		/* srclimit's connection id */
	int			 status_fd;	/* monitor -> listener: 'A' */
	bool			 authenticated;
	bool			 overdue;	/* killed by the backstop */
	time_t			 started;	/* monotonic seconds */
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	char			 addr[INET6_ADDRSTRLEN];
};

static volatile sig_atomic_t got_sigchld, got_sighup, got_sigterm;

static void
sig_flag(int sig)
{
	switch (sig) {
	case SIGCHLD:
		got_sigchld = 1;
		break;
	case SIGHUP:
		got_sighup = 1;
		break;
	default:
		got_sigterm = sig;
		break;
	}
}

static int listen_socks[MAX_LISTEN_SOCKS];
static size_t nlisten_socks;
static bool socket_activated;
static struct conn *conns;
static size_t nconns, maxconns;
static struct srclimit *sl;		/* NULL under -i */
static int next_id;
static struct buf *snap;		/* what every monitor is sent */
/* Re-execution on SIGHUP: this program and its arguments. */
static char *self_path;
static char **reexec_argv;

static time_t
monotime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime: %s", strerror(errno));
	return ts.tv_sec;
}

/* Split a ListenAddress value into host and optional port. */
static void
split_listen_addr(const char *spec, char **host, char **port)
{
	const char *end, *colon;

	*port = NULL;
	if (spec[0] == '[' && (end = strchr(spec, ']')) != NULL) {
		*host = xstrndup(spec + 1, (size_t)(end - spec - 1));
		if (end[1] == ':' && end[2] != '\0')
			*port = xstrdup(end + 2);
		return;
	}
	colon = strchr(spec, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		*host = xstrndup(spec, (size_t)(colon - spec));
		*port = xstrdup(colon + 1);
		return;
	}
	*host = xstrdup(spec);
}

static void
bind_one(const char *host, const char *port, int family)
{
	struct addrinfo hints, *ai, *aitop;
	char ntop[NI_MAXHOST], strport[NI_MAXSERV];
	int r, fd, on = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &aitop)) != 0)
		fatal("bad listen address %s port %s: %s", host ? host : "*",
		    port, gai_strerror(r));
	for (ai = aitop; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (nlisten_socks >= MAX_LISTEN_SOCKS)
			fatal("too many listen sockets (limit %d)",
			    MAX_LISTEN_SOCKS);
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, ntop, sizeof(ntop),
		    strport, sizeof(strport), NI_NUMERICHOST | NI_NUMERICSERV)
		    != 0)
			fatal("getnameinfo failed");
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol)) == -1) {
			error("socket for %s port %s: %s", ntop, strport,
			    strerror(errno));
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		    listen(fd, LISTEN_BACKLOG) != 0) {
			error("Bind to port %s on %s failed: %s.", strport,
			    ntop, strerror(errno));
			close(fd);
			continue;
		}
		listen_socks[nlisten_socks++] = fd;
		logit("Server listening on %s port %s.", ntop, strport);
	}
	freeaddrinfo(aitop);
}

static void
bind_all(const struct hs_config *cfg)
{
	char *host, *port, portbuf[16];
	size_t i, j;
	int family = cfg->address_family;

	if (cfg->nlisten_addrs == 0) {
		for (j = 0; j < cfg->nports; j++) {
			snprintf(portbuf, sizeof(portbuf), "%d", cfg->ports[j]);
			bind_one(NULL, portbuf, family);
		}
	}
	for (i = 0; i < cfg->nlisten_addrs; i++) {
		split_listen_addr(cfg->listen_addrs[i], &host, &port);
		if (port != NULL)
			bind_one(host, port, family);
		else {
			for (j = 0; j < cfg->nports; j++) {
				snprintf(portbuf, sizeof(portbuf), "%d",
				    cfg->ports[j]);
				bind_one(host, portbuf, family);
			}
		}
		free(host);
		free(port);
	}
	if (nlisten_socks == 0)
		fatal("Cannot bind any address.");
}

/* The pre-auth sandbox needs its user and an empty root-owned directory. */
static void
check_privsep(void)
{
	struct stat st;
	char *parent, *slash;

	if (geteuid() != 0) {
		logit("not running as root: pre-auth children keep seccomp "
		    "and no_new_privs but skip chroot and setuid, and only "
		    "the running user can log in");
		return;
	}
	if (getpwnam(PRIVSEP_USER) == NULL)
		fatal("Privilege separation user %s does not exist; create "
		    "it with: useradd --system --no-create-home --home-dir "
		    "%s --shell /usr/sbin/nologin %s", PRIVSEP_USER,
		    PRIVSEP_PATH, PRIVSEP_USER);
	if (stat(PRIVSEP_PATH, &st) != 0 && errno == ENOENT) {
		parent = xstrdup(PRIVSEP_PATH);
		if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
			*slash = '\0';
			if (mkdir(parent, 0755) != 0 && errno != EEXIST)
				fatal("mkdir %s: %s", parent, strerror(errno));
		}
		free(parent);
		if (mkdir(PRIVSEP_PATH, 0755) != 0 && errno != EEXIST)
			fatal("mkdir %s: %s", PRIVSEP_PATH, strerror(errno));
		logit("created privilege separation directory %s",
		    PRIVSEP_PATH);
	}
	if (stat(PRIVSEP_PATH, &st) != 0)
		fatal("privilege separation directory %s: %s", PRIVSEP_PATH,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatal("privilege separation directory %s must be a directory "
		    "owned by root and not writable by group or others",
		    PRIVSEP_PATH);
}

static bool
has_pidfile(const struct hs_config *cfg, const struct listen_opts *lo)
{
	return !lo->single && cfg->pid_file != NULL &&
	    strcmp(cfg->pid_file, "none") != 0;
}

static void
write_pidfile(const char *path)
{
	char line[32];
	int fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1) {
		error("Couldn't create pid file \"%s\": %s", path,
		    strerror(errno));
		return;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n)
		error("Couldn't write pid file \"%s\": %s", path,
		    strerror(errno));
	close(fd);
}

/*
 * Detach as a classic daemon: fork, the child starts a new session, and
 * the parent stays only until the child reports (over a pipe) that its
 * PidFile is written, then exits 0 -- or 1 if the child died first.  So
 * whoever started hsshd (an init script, systemd Type=forking) finds the
 * PidFile when the command returns.  Returns the pipe's write end.
 */
static int
daemonize(void)
{
	pid_t pid;
	ssize_t n;
	char c;
	int fd, ready[2];

	if (pipe2(ready, O_CLOEXEC) != 0)
		fatal("pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		fatal("fork: %s", strerror(errno));
	if (pid != 0) {
		close(ready[1]);
		while ((n = read(ready[0], &c, 1)) == -1 && errno == EINTR)
			;
		_exit(n == 1 ? 0 : 1);
	}
	close(ready[0]);
	if (setsid() == -1)
		fatal("setsid: %s", strerror(errno));
	if (chdir("/") != 0)
		fatal("chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null: %s", strerror(errno));
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	/* With -e the log stays on the stderr hsshd was started with. */
	if (log_get_mode() != LOG_MODE_STDERR)
		(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return ready[1];
}

static size_t
unauthenticated_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < nconns; i++)
		if (!conns[i].authenticated)
			n++;
	return n;
}

static void
conn_add(pid_t pid, int status_fd, int id, const struct sockaddr_storage *ss,
    socklen_t sslen, const char *addr)
{
	struct conn *c;

	if (nconns == maxconns) {
		maxconns = maxconns == 0 ? 16 : maxconns * 2;
		conns = xreallocarray(conns, maxconns, sizeof(*conns));
	}
	c = &conns[nconns++];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->id = id;
	c->status_fd = status_fd;
	c->started = monotime();
	if (sslen <= sizeof(c->peer)) {
		memcpy(&c->peer, ss, sslen);
		c->peerlen = sslen;
	}
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
}

static void
conn_remove(size_t i)
{
	if (conns[i].status_fd != -1)
		close(conns[i].status_fd);
	conns[i] = conns[--nconns];
}

/* Status bytes from a monitor: 'A' once the user has authenticated. */
static void
read_status(size_t i)
{
	struct conn *c = &conns[i];
	char b[16];
	ssize_t n, j;

	if (c->status_fd == -1)
		return;
	n = read(c->status_fd, b, sizeof(b));
	if (n > 0) {
		for (j = 0; j < n; j++) {
			if (b[j] != 'A' || c->authenticated)
				continue;
			c->authenticated = true;
			if (sl != NULL)
				srclimit_done(sl, c->id);
		}
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(c->status_fd);
		c->status_fd = -1;
	}
}

/* A monitor ended: account for it and penalise a source that never
 * authenticated (PerSourcePenalties). */
static void
conn_ended(size_t i, int status)
{
	struct conn *c = &conns[i];
	enum srclimit_reason why;
	bool signalled = WIFSIGNALED(status);
	int code = signalled ? WTERMSIG(status) : WEXITSTATUS(status);

	/* An 'A' written just before the exit still counts. */
	read_status(i);
	if (signalled)
		logit("connection from %s: monitor %ld killed by signal %d",
		    c->addr, (long)c->pid, code);
	else
		debug("connection from %s: monitor %ld exited with status %d",
		    c->addr, (long)c->pid, code);
	if (sl != NULL) {
		srclimit_done(sl, c->id);
		if (!c->authenticated) {
			why = c->overdue ? SRCLIMIT_GRACE_EXCEEDED :
			    srclimit_reason_from_exit(code, signalled);
			(void)srclimit_penalise(sl,
			    (const struct sockaddr *)&c->peer, c->peerlen,
			    why, monotime());
		}
	}
	conn_remove(i);
}

/* Reap monitors (and anything else that was ours). */
static void
reap_children(void)
{
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nconns; i++) {
			if (conns[i].pid == pid) {
				conn_ended(i, status);
				break;
			}
		}
	}
}

/* Hand one accepted connection to a new hsshd-monitor; false if it could
 * not be started. */
static bool
start_connection(int sock, int id, const struct sockaddr_storage *ss,
    socklen_t sslen, const char *addr)
{
	int status[2];
	pid_t pid;
	int r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, status) != 0) {
		error("socketpair: %s", strerror(errno));
		return false;
	}
	pid = spawn_helper("hsshd-monitor", sock, status[1], NULL);
	close(status[1]);
	if (pid == -1) {
		close(status[0]);
		return false;
	}
	/* The snapshot travels once; then the pair carries status bytes. */
	if ((r = snapshot_send(status[0], snap)) != 0) {
		error_r(r, "cannot hand connection from %s to its monitor",
		    addr);
		(void)kill(pid, SIGKILL);
	}
	(void)fcntl(status[0], F_SETFL, O_NONBLOCK);
	conn_add(pid, status[0], id, ss, sslen, addr);
	return true;
}

static void
accept_one(int lfd)
{
	struct sockaddr_storage ss, ls;
	socklen_t sslen = sizeof(ss), lslen = sizeof(ls);
	char ntop[NI_MAXHOST];
	enum srclimit_verdict v;
	int fd, id;

	memset(&ss, 0, sizeof(ss));
	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			error("accept: %s", strerror(errno));
		return;
	}
	if (getsockname(fd, (struct sockaddr *)&ls, &lslen) != 0)
		lslen = 0;
	id = next_id;
	next_id = next_id == INT_MAX ? 0 : next_id + 1;
	v = srclimit_accept(sl, (struct sockaddr *)&ss, sslen,
	    lslen > 0 ? (struct sockaddr *)&ls : NULL, lslen,
	    (unsigned int)unauthenticated_count(), id, randombytes_random(),
	    monotime());
	if (v != SRCLIMIT_ACCEPT) {
		/* Best effort, as sshd: the socket's buffer is empty. */
		(void)send(fd, SRCLIMIT_DROP_MESSAGE,
		    sizeof(SRCLIMIT_DROP_MESSAGE) - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		return;
	}
	if (getnameinfo((struct sockaddr *)&ss, sslen, ntop, sizeof(ntop),
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(ntop, sizeof(ntop), "UNKNOWN");
	if (!start_connection(fd, id, &ss, sslen, ntop))
		srclimit_done(sl, id);
	close(fd);
}

/* The monitor enforces LoginGraceTime; this is the listener's backstop. */
static void
kill_overdue(const struct hs_config *cfg)
{
	time_t now = monotime();
	size_t i;

	if (cfg->login_grace_time <= 0)
		return;
	for (i = 0; i < nconns; i++) {
		if (conns[i].authenticated || conns[i].overdue ||
		    now - conns[i].started <
		    cfg->login_grace_time + GRACE_BACKSTOP)
			continue;
		logit("connection from %s exceeded LoginGraceTime by %ds; "
		    "killing its processes", conns[i].addr, GRACE_BACKSTOP);
		(void)kill(-conns[i].pid, SIGKILL);
		conns[i].overdue = true;	/* kill once */
	}
}

static void
setup_signals(sigset_t *ppoll_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_flag;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/*
	 * Signals are only delivered inside ppoll().  The mask survives the
	 * re-execution on SIGHUP, so a signal that arrives while the new
	 * image starts waits for its handlers instead of killing it.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, ppoll_mask);
	sigdelset(ppoll_mask, SIGCHLD);
	sigdelset(ppoll_mask, SIGHUP);
	sigdelset(ppoll_mask, SIGTERM);
	sigdelset(ppoll_mask, SIGINT);
}

/*
 * What SIGHUP re-executes: this program's file (by name, so an upgraded
 * binary is picked up, as sshd does) with the original arguments.  A
 * relative -f would no longer resolve once a daemon has moved to "/", so
 * the configuration's absolute path is appended (the last -f wins).
 */
static void
prepare_reexec(const struct listen_opts *lo)
{
	char buf[PATH_MAX], *cfgpath;
	ssize_t n;
	size_t argc, i;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		/* A binary deleted since it started: run the same image. */
		if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
			n = -1;
	}
	self_path = xstrdup(n > 0 ? buf : "/proc/self/exe");
	for (argc = 0; lo->argv[argc] != NULL; argc++)
		;
	reexec_argv = xcalloc(argc + 3, sizeof(*reexec_argv));
	for (i = 0; i < argc; i++)
		reexec_argv[i] = lo->argv[i];
	if (lo->config_file[0] != '/' && getcwd(buf, sizeof(buf)) != NULL) {
		xasprintf(&cfgpath, "%s/%s", buf, lo->config_file);
		reexec_argv[argc++] = "-f";
		reexec_argv[argc++] = cfgpath;
	}
	reexec_argv[argc] = NULL;
}

/* Whether this image was started by our own re-execution on SIGHUP. */
static bool
is_reexec(void)
{
	const char *v = getenv(REEXEC_ENV);
	char *end;
	long pid;

	if (v == NULL)
		return false;
	errno = 0;
	pid = strtol(v, &end, 10);
	(void)unsetenv(REEXEC_ENV);
	return errno == 0 && *end == '\0' && pid == (long)getpid();
}

/* Relay the check's output to the log, one line at a time. */
static void
log_check_output(enum log_level level, char *out, size_t len)
{
	char *line, *next;

	out[len] = '\0';
	for (line = out; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0')
			log_msg(level, LOG_SITE(false), 0, "new configuration: %s",
			    line);
	}
}

/*
 * Run "hsshd -t" with the arguments the new image would get, relaying
 * what it prints; true if it exits 0 within RELOAD_CHECK_SECS.
 */
static bool
check_new_config(void)
{
	char **argv, out[RELOAD_OUTPUT_MAX + 1], discard[512];
	struct pollfd pfd;
	size_t argc, i, len = 0;
	ssize_t n;
	time_t deadline;
	pid_t pid;
	int p[2], status, nullfd;
	bool ok = false;

	for (argc = 0; reexec_argv[argc] != NULL; argc++)
		;
	argv = xcalloc(argc + 2, sizeof(*argv));
	argv[0] = reexec_argv[0];
	argv[1] = "-t";
	for (i = 1; i < argc; i++)
		argv[i + 1] = reexec_argv[i];
	if (pipe2(p, O_CLOEXEC) != 0) {
		error("pipe: %s", strerror(errno));
		free(argv);
		return false;
	}
	if ((pid = fork()) == -1) {
		error("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(argv);
		return false;
	}
	if (pid == 0) {
		if ((nullfd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(nullfd, STDIN_FILENO) == -1 ||
		    dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(p[1], STDERR_FILENO) == -1)
			_exit(127);
		(void)unsetenv("NOTIFY_SOCKET");
		execv(self_path, argv);
		_exit(127);
	}
	free(argv);
	close(p[1]);
	deadline = monotime() + RELOAD_CHECK_SECS;
	for (;;) {
		pfd.fd = p[0];
		pfd.events = POLLIN;
		if (monotime() >= deadline) {
			error("the check of the new configuration took more "
			    "than %d seconds", RELOAD_CHECK_SECS);
			(void)kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			break;
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
			continue;
		if (len < RELOAD_OUTPUT_MAX)
			n = read(p[0], out + len, RELOAD_OUTPUT_MAX - len);
		else
			n = read(p[0], discard, sizeof(discard));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
		if (n > 0 && len < RELOAD_OUTPUT_MAX)
			len += (size_t)n;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			error("waitpid: %s", strerror(errno));
			return false;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ok = true;
	log_check_output(ok ? LOG_LEVEL_DEBUG1 : LOG_LEVEL_ERROR, out, len);
	return ok;
}

/*
 * With sockets from systemd, the new image must get them as systemd gave
 * them: keep them open across exec and describe them in LISTEN_*.  Same
 * PID, so LISTEN_PID stays right.
 */
static void
pass_activated_sockets(bool pass)
{
	char v[32];
	size_t i;
	int flags;

	if (!socket_activated)
		return;
	for (i = 0; i < nlisten_socks; i++) {
		if ((flags = fcntl(listen_socks[i], F_GETFD)) == -1)
			continue;
		(void)fcntl(listen_socks[i], F_SETFD, pass ?
		    flags & ~FD_CLOEXEC : flags | FD_CLOEXEC);
	}
	if (pass) {
		snprintf(v, sizeof(v), "%zu", nlisten_socks);
		(void)setenv("LISTEN_FDS", v, 1);
		snprintf(v, sizeof(v), "%ld", (long)getpid());
		(void)setenv("LISTEN_PID", v, 1);
	} else {
		(void)unsetenv("LISTEN_FDS");
		(void)unsetenv("LISTEN_PID");
	}
}

/*
 * SIGHUP: re-execute with the new configuration if it passes -t, as
 * systemd's reload protocol expects (RELOADING=1, then READY=1 from
 * whichever image carries on).  The PID stays the same, so PidFile and
 * the service manager stay right; running connections are separate
 * processes and carry on.
 */
static void
reload(void)
{
	struct timespec ts;
	char state[64], pidbuf[32];

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	(void)sd_notify_state(state);
	logit("Received SIGHUP; checking the new configuration");
	if (!check_new_config()) {
		error("Received SIGHUP, but the new configuration is not "
		    "valid: still serving with the old one");
		(void)sd_notify_state("READY=1\nSTATUS=New configuration "
		    "refused; still serving with the old one");
		return;
	}
	logit("Received SIGHUP; restarting.");
	snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
	(void)setenv(REEXEC_ENV, pidbuf, 1);
	pass_activated_sockets(true);
	/* Listening sockets are close-on-exec: the new image rebinds. */
	execv(self_path, reexec_argv);
	error("re-exec of %s failed: %s; still serving with the old "
	    "configuration", self_path, strerror(errno));
	pass_activated_sockets(false);
	(void)unsetenv(REEXEC_ENV);
	(void)sd_notify_state("READY=1");
}

/*
 * -i: one connection on stdin, from inetd, systemd (Accept=yes) or
 * socat.  It needs to be a socket: the pre-auth child reads and writes
 * the one descriptor it is given.
 */
static bool
start_inetd(void)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char ntop[NI_MAXHOST];
	struct stat st;
	int fd;

	if (fstat(STDIN_FILENO, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		error("-i needs a socket on standard input (inetd, systemd "
		    "Accept=yes, socat)");
		return false;
	}
	memset(&ss, 0, sizeof(ss));
	if (getpeername(STDIN_FILENO, (struct sockaddr *)&ss, &sslen) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sslen, ntop, sizeof(ntop),
	    NULL, 0, NI_NUMERICHOST) != 0) {
		snprintf(ntop, sizeof(ntop), "UNKNOWN");
		sslen = 0;
	}
	if (!start_connection(STDIN_FILENO, -1, &ss, sslen, ntop))
		return false;
	/* Hold no copy of the connection: it ends when its processes do. */
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null: %s", strerror(errno));
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return true;
}

int
listener_run(struct hs_config *cfg, struct hostkeys *hk,
    const struct listen_opts *lo)
{
	struct pollfd *pfd = NULL;
	sigset_t ppoll_mask;
	struct timespec ts;
	size_t i, n, npfd;
	bool reexec, served = false;
	int nact, r, ready = -1, exit_status = 0;

	reexec = is_reexec();
	check_privsep();
	if ((snap = buf_new()) == NULL)
		fatal("out of memory");
	if ((r = snapshot_build(cfg, hk, snap)) != 0)
		fatal_fr(r, "snapshot");

	if (lo->inetd) {
		setup_signals(&ppoll_mask);
		if (!start_inetd())
			return 1;
		served = true;
	} else {
		if ((sl = srclimit_new(cfg)) == NULL)
			fatal("cannot set up the connection limits");
		prepare_reexec(lo);
		if ((nact = sd_listen_fds()) > 0) {
			socket_activated = true;
			for (i = 0; i < (size_t)nact &&
			    i < MAX_LISTEN_SOCKS; i++)
				listen_socks[nlisten_socks++] = 3 + (int)i;
			logit("Server listening on %d socket%s from systemd.",
			    nact, nact == 1 ? "" : "s");
		} else
			bind_all(cfg);
		if (reexec)
			logit("re-executed with the new configuration");
		else if (!lo->foreground)
			ready = daemonize();
		if (has_pidfile(cfg, lo))
			write_pidfile(cfg->pid_file);
		setup_signals(&ppoll_mask);
		if (ready != -1) {
			if (write(ready, "R", 1) != 1)
				error("cannot report readiness: %s",
				    strerror(errno));
			close(ready);
		}
		(void)sd_notify_state("READY=1");
	}

	while (!got_sigterm) {
		if (got_sighup) {
			got_sighup = 0;
			if (lo->inetd || lo->single)
				logit("Received SIGHUP; ignored with -%c",
				    lo->inetd ? 'i' : 'd');
			else
				reload();
		}
		if (got_sigchld) {
			got_sigchld = 0;
			reap_children();
			if ((lo->single || lo->inetd) && served &&
			    nconns == 0)
				break;
		}
		kill_overdue(cfg);
		npfd = nlisten_socks + nconns;
		pfd = xreallocarray(pfd, npfd, sizeof(*pfd));
		n = 0;
		for (i = 0; i < nlisten_socks; i++) {
			pfd[n].fd = lo->single && served ? -1 :
			    listen_socks[i];
			pfd[n++].events = POLLIN;
		}
		for (i = 0; i < nconns; i++) {
			pfd[n].fd = conns[i].status_fd;
			pfd[n++].events = POLLIN;
		}
		ts.tv_sec = 1;
		ts.tv_nsec = 0;
		if (ppoll(pfd, npfd, &ts, &ppoll_mask) == -1) {
			if (errno != EINTR)
				fatal("ppoll: %s", strerror(errno));
			continue;
		}
		for (i = 0; i < nconns; i++)
			if (pfd[nlisten_socks + i].fd != -1 &&
			    (pfd[nlisten_socks + i].revents &
			    (POLLIN | POLLHUP | POLLERR)) != 0)
				read_status(i);
		for (i = 0; i < nlisten_socks; i++) {
			if (pfd[i].fd == -1 || (pfd[i].revents & POLLIN) == 0)
				continue;
			n = nconns;
			accept_one(listen_socks[i]);
			if (nconns > n)
				served = true;
		}
	}
	if (got_sigterm) {
		(void)sd_notify_state("STOPPING=1");
		/* Existing connections carry on in their own processes. */
		logit("Received signal %d; terminating.", (int)got_sigterm);
		exit_status = got_sigterm == SIGTERM ? 0 : 255;
	}
	for (i = 0; i < nlisten_socks; i++)
		close(listen_socks[i]);
	if (!lo->inetd && has_pidfile(cfg, lo))
		(void)unlink(cfg->pid_file);
	free(pfd);
	srclimit_free(sl);
	buf_free(snap);
	return exit_status;
}
