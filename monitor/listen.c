/* SPDX-License-Identifier: ISC */
/*
 * The listener's accept loop, in hsshd (root).  Binds the configured
 * addresses (or takes sockets from systemd), accepts connections and gives
 * each one to a freshly exec'd hsshd-monitor, so every connection gets its
 * own address-space layout.  It reads nothing from clients: a misbehaving
 * connection can only end its own monitor.  Signal handlers only set flags;
 * all work happens in the ppoll() loop.
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
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "monitor/hostkey.h"
#include "monitor/listen.h"
#include "monitor/sdnotify.h"
#include "monitor/snapshot.h"
#include "monitor/spawn.h"
#include "policy/config.h"

#define MAX_LISTEN_SOCKS	32
#define LISTEN_BACKLOG		128
/* Backstop beyond LoginGraceTime before the listener kills a connection
 * that never authenticated (the monitor enforces the real deadline). */
#define GRACE_BACKSTOP		10

struct conn {
	pid_t		 pid;
	int		 status_fd;	/* monitor -> listener: 'A' on auth */
	bool		 authenticated;
	time_t		 started;
	char		 addr[INET6_ADDRSTRLEN];
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
		got_sigterm = 1;
		break;
	}
}

static int listen_socks[MAX_LISTEN_SOCKS];
static size_t nlisten_socks;
static struct conn *conns;
static size_t nconns, maxconns;

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

static void
write_pidfile(const char *path)
{
	char line[32];
	int fd, n;

	if (path == NULL || strcmp(path, "none") == 0)
		return;
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

static void
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		fatal("fork: %s", strerror(errno));
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid: %s", strerror(errno));
	if (chdir("/") != 0)
		fatal("chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null: %s", strerror(errno));
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	if (log_get_level() != LOG_LEVEL_QUIET)
		(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
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
conn_add(pid_t pid, int status_fd, const char *addr)
{
	if (nconns == maxconns) {
		maxconns = maxconns == 0 ? 16 : maxconns * 2;
		conns = xreallocarray(conns, maxconns, sizeof(*conns));
	}
	memset(&conns[nconns], 0, sizeof(conns[nconns]));
	conns[nconns].pid = pid;
	conns[nconns].status_fd = status_fd;
	conns[nconns].started = time(NULL);
	snprintf(conns[nconns].addr, sizeof(conns[nconns].addr), "%s", addr);
	nconns++;
}

static void
conn_remove(size_t i)
{
	if (conns[i].status_fd != -1)
		close(conns[i].status_fd);
	conns[i] = conns[--nconns];
}

/* Reap monitors; their exit status says how the connection ended. */
static void
reap_children(void)
{
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nconns; i++) {
			if (conns[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				logit("connection from %s: monitor %ld killed "
				    "by signal %d", conns[i].addr, (long)pid,
				    WTERMSIG(status));
			else
				debug("connection from %s: monitor %ld exited "
				    "with status %d", conns[i].addr, (long)pid,
				    WEXITSTATUS(status));
			conn_remove(i);
			break;
		}
	}
}

/* Hand one accepted connection to a new hsshd-monitor. */
static void
start_connection(const struct hs_config *cfg, const struct hostkeys *hk,
    int sock, const char *addr)
{
	struct buf *snap;
	int status[2];
	pid_t pid;
	int r;

	if ((snap = buf_new()) == NULL)
		fatal("out of memory");
	if ((r = snapshot_build(cfg, hk, snap)) != 0)
		fatal_fr(r, "snapshot");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, status) != 0) {
		error("socketpair: %s", strerror(errno));
		buf_free(snap);
		return;
	}
	pid = spawn_helper("hsshd-monitor", sock, status[1], NULL);
	close(status[1]);
	if (pid == -1) {
		close(status[0]);
		buf_free(snap);
		return;
	}
	/* The snapshot travels once; then the pair carries status bytes. */
	if ((r = snapshot_send(status[0], snap)) != 0) {
		error_r(r, "cannot hand connection from %s to its monitor",
		    addr);
		kill(pid, SIGKILL);
	}
	buf_free(snap);
	(void)fcntl(status[0], F_SETFL, O_NONBLOCK);
	conn_add(pid, status[0], addr);
}

static void
accept_one(const struct hs_config *cfg, const struct hostkeys *hk, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char ntop[NI_MAXHOST], port[NI_MAXSERV];
	int fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			error("accept: %s", strerror(errno));
		return;
	}
	if (getnameinfo((struct sockaddr *)&ss, sslen, ntop, sizeof(ntop),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(ntop, sizeof(ntop), "UNKNOWN");
	if (cfg->max_startups > 0 &&
	    unauthenticated_count() >= (size_t)cfg->max_startups) {
		logit("drop connection #%zu from [%s]:%s on past "
		    "MaxStartups", unauthenticated_count(), ntop, port);
		close(fd);
		return;
	}
	start_connection(cfg, hk, fd, ntop);
	close(fd);
}

/* Status bytes from monitors: 'A' once the user has authenticated. */
static void
read_status(size_t i)
{
	char c;
	ssize_t n;

	n = read(conns[i].status_fd, &c, 1);
	if (n == 1 && c == 'A')
		conns[i].authenticated = true;
	else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(conns[i].status_fd);
		conns[i].status_fd = -1;
	}
}

/* The monitor enforces LoginGraceTime; this is the listener's backstop. */
static void
kill_overdue(const struct hs_config *cfg)
{
	time_t now = time(NULL);
	size_t i;

	if (cfg->login_grace_time <= 0)
		return;
	for (i = 0; i < nconns; i++) {
		if (conns[i].authenticated || now - conns[i].started <
		    cfg->login_grace_time + GRACE_BACKSTOP)
			continue;
		logit("connection from %s exceeded LoginGraceTime by %ds; "
		    "killing its processes", conns[i].addr, GRACE_BACKSTOP);
		(void)kill(-conns[i].pid, SIGKILL);
		conns[i].authenticated = true;	/* kill once */
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
	/* Signals are only delivered inside ppoll(). */
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

/* SIGHUP: re-execute with the new configuration if it passes -t. */
static void
reload(const struct listen_opts *lo)
{
	pid_t pid;
	int status;

	logit("Received SIGHUP; checking the new configuration");
	if ((pid = fork()) == -1) {
		error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		execl("/proc/self/exe", "hsshd", "-t", "-f", lo->config_file,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error("new configuration %s is not valid: keeping the old "
		    "one", lo->config_file);
		return;
	}
	(void)sd_notify_state("RELOADING=1");
	logit("Received SIGHUP; restarting.");
	/* Listening sockets are close-on-exec: the new process rebinds. */
	execv("/proc/self/exe", lo->argv);
	error("re-exec failed: %s", strerror(errno));
}

int
listener_run(struct hs_config *cfg, struct hostkeys *hk,
    const struct listen_opts *lo)
{
	struct pollfd *pfd = NULL;
	sigset_t ppoll_mask;
	struct timespec ts;
	size_t i, n, npfd;
	int nact;

	check_privsep();
	if (lo->inetd) {
		start_connection(cfg, hk, STDIN_FILENO, "inetd");
		/* Wait for that one monitor. */
		while (nconns > 0 && waitpid(conns[0].pid, NULL, 0) == -1 &&
		    errno == EINTR)
			;
		return 0;
	}
	if ((nact = sd_listen_fds()) > 0) {
		for (i = 0; i < (size_t)nact && i < MAX_LISTEN_SOCKS; i++)
			listen_socks[nlisten_socks++] = 3 + (int)i;
		logit("Server listening on %d socket%s from systemd.", nact,
		    nact == 1 ? "" : "s");
	} else
		bind_all(cfg);
	if (!lo->foreground)
		daemonize();
	if (!lo->single)
		write_pidfile(cfg->pid_file);
	setup_signals(&ppoll_mask);
	(void)sd_notify_state("READY=1");

	while (!got_sigterm) {
		if (got_sighup) {
			got_sighup = 0;
			reload(lo);
		}
		if (got_sigchld) {
			got_sigchld = 0;
			reap_children();
			if (lo->single && nconns == 0 && pfd != NULL)
				break;
		}
		kill_overdue(cfg);
		npfd = nlisten_socks + nconns;
		pfd = xreallocarray(pfd, npfd, sizeof(*pfd));
		n = 0;
		for (i = 0; i < nlisten_socks; i++) {
			pfd[n].fd = (lo->single && nconns > 0) ? -1 :
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
			    (POLLIN | POLLHUP)) != 0)
				read_status(i);
		for (i = 0; i < nlisten_socks; i++)
			if ((pfd[i].revents & POLLIN) != 0)
				accept_one(cfg, hk, listen_socks[i]);
	}
	(void)sd_notify_state("STOPPING=1");
	/* Existing connections carry on in their own processes. */
	logit("Received signal; terminating.");
	for (i = 0; i < nlisten_socks; i++)
		close(listen_socks[i]);
	if (cfg->pid_file != NULL && strcmp(cfg->pid_file, "none") != 0 &&
	    !lo->single)
		(void)unlink(cfg->pid_file);
	free(pfd);
	return 0;
}
