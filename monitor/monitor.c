/* SPDX-License-Identifier: ISC */
/*
 * hsshd-monitor: one per connection, root, exec'd by the listener with the
 * client socket on fd 3 and the listener's socketpair on fd 4.  It takes
 * the configuration and host keys from the listener's snapshot, starts the
 * sandboxed pre-auth child on the client socket, keeps no network socket
 * itself, and from then on only answers the child's RPC requests (see
 * dispatch.c).  It never parses SSH packets.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/ipqos.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "monitor/monitor.h"
#include "monitor/pam.h"
#include "monitor/spawn.h"
#include "policy/config.h"

static void
addr_of(int fd, bool peer, char *addr, size_t addrlen, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char serv[NI_MAXSERV];
	int r;

	snprintf(addr, addrlen, "UNKNOWN");
	*port = 65535;
	memset(&ss, 0, sizeof(ss));
	r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) :
	    getsockname(fd, (struct sockaddr *)&ss, &len);
	if (r != 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	if (getnameinfo((struct sockaddr *)&ss, len, addr, (socklen_t)addrlen,
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(addr, addrlen, "UNKNOWN");
		return;
	}
	*port = (int)strtol(serv, NULL, 10);
}

/* "authenticating user alice 10.0.0.1" or "invalid user bob 10.0.0.1". */
static void
log_preauth_end(const struct mon *m, const char *what)
{
	if (m->user != NULL)
		logit("%s %s user %s %s port %d [preauth]", what,
		    m->user_valid ? "authenticating" : "invalid", m->user,
		    m->peer_addr, m->peer_port);
	else
		logit("%s %s port %d [preauth]", what, m->peer_addr,
		    m->peer_port);
}

/*
 * How the pre-auth child ended decides the monitor's exit status, which
 * the listener turns into PerSourcePenalties.
 */
static int
reap_child(struct mon *m)
{
	int status, code;

	while (waitpid(m->child, &status, 0) == -1) {
		if (errno != EINTR)
			return HELPER_EXIT_INTERNAL;
	}
	m->child = -1;
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGSYS)
			error("pre-auth child for %s port %d killed by "
			    "SIGSYS: seccomp sandbox violation", m->peer_addr,
			    m->peer_port);
		else
			error("pre-auth child for %s port %d killed by "
			    "signal %d", m->peer_addr, m->peer_port,
			    WTERMSIG(status));
		return HELPER_EXIT_CRASH;
	}
	if (m->state == MON_ST_DONE)
		return HELPER_EXIT_AUTHENTICATED;
	code = WEXITSTATUS(status);
	if (code == HELPER_EXIT_CLOSED)
		log_preauth_end(m, "Connection closed by");
	else if (code == HELPER_EXIT_DISCONNECTED)
		log_preauth_end(m, "Disconnected from");
	if (m->user != NULL && !m->user_valid && (m->failures > 0 ||
	    code == HELPER_EXIT_AUTHFAIL))
		return HELPER_EXIT_INVALIDUSER;
	if (m->failures > 0 || code == HELPER_EXIT_AUTHFAIL)
		return HELPER_EXIT_AUTHFAIL;
	if (code == HELPER_EXIT_INTERNAL)
		return HELPER_EXIT_CRASH;
	return HELPER_EXIT_NOAUTH;
}

/* In the pre-auth child before exec: die with this monitor, whatever
 * kills it (the listener's LoginGraceTime backstop uses SIGKILL). */
static void
die_with_parent(void *arg)
{
	pid_t parent = *(pid_t *)arg;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(126);
}

int
main(int argc, char **argv)
{
	struct mon m;
	struct passwd *pw;
	pid_t self;
	struct rlimit rl = { 0, 0 };
	char uidbuf[16], gidbuf[16], *args[8];
	int rpc[2], r, n = 0, one = 1;

	helper_check_args(argc, argv);
	memset(&m, 0, sizeof(m));
	m.child = -1;
	m.passed_fd = -1;
	m.client_fd = -1;
	if (sodium_init() < 0) {
		fprintf(stderr, "hsshd-monitor: libsodium init failed\n");
		exit(HELPER_EXIT_INTERNAL);
	}
	/* No core dumps and no ptrace: this process holds host keys. */
	(void)prctl(PR_SET_DUMPABLE, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);

#ifdef HAVE_OPENSSL
	/* RSA and ECDSA private components in OpenSSL's locked heap (Ed25519
	 * keys are in sodium_malloc memory already). */
	if (CRYPTO_secure_malloc_init(1u << 17, 64) != 1)
		debug("OpenSSL secure heap not available: private RSA/ECDSA "
		    "components stay in ordinary (non-dumpable) memory");
#endif
	log_init("hsshd", LOG_LEVEL_INFO, -1, true);
	if ((r = snapshot_recv(HELPER_FD_B, &m.snap)) != 0)
		fatal_r(r, "hsshd-monitor: cannot read the listener's snapshot");
	log_init("hsshd", (enum log_level)m.snap.log_level,
	    m.snap.log_facility, m.snap.log_mode == LOG_MODE_STDERR);
	if (m.snap.log_mode == LOG_MODE_FILE)
		log_set_mode_fd(LOG_MODE_FILE, STDERR_FILENO);
	if (m.snap.cfg->nlog_verbose > 0)
		log_set_verbose(config_log_verbose, m.snap.cfg);
	m.status_fd = HELPER_FD_B;

	addr_of(HELPER_FD_A, true, m.peer_addr, sizeof(m.peer_addr),
	    &m.peer_port);
	addr_of(HELPER_FD_A, false, m.local_addr, sizeof(m.local_addr),
	    &m.local_port);
	logit("Connection from %s port %d on %s port %d", m.peer_addr,
	    m.peer_port, m.local_addr, m.local_port);
	/* IPQoS: the handshake and authentication are interactive. */
	ipqos_set(HELPER_FD_A, m.snap.cfg->ip_qos_interactive);
	/* TCPKeepAlive: the kernel notices a peer that vanished (the
	 * session inherits the socket with the option). */
	if (m.snap.cfg->tcp_keep_alive && setsockopt(HELPER_FD_A, SOL_SOCKET,
	    SO_KEEPALIVE, &one, sizeof(one)) == -1)
		debug("SO_KEEPALIVE: %s", strerror(errno));

	if (geteuid() == 0) {
		if ((pw = getpwnam(PRIVSEP_USER)) == NULL)
			fatal("privilege separation user %s does not exist",
			    PRIVSEP_USER);
		m.privileged = true;
		m.privsep_uid = pw->pw_uid;
		m.privsep_gid = pw->pw_gid;
		snprintf(uidbuf, sizeof(uidbuf), "%u",
		    (unsigned int)pw->pw_uid);
		snprintf(gidbuf, sizeof(gidbuf), "%u",
		    (unsigned int)pw->pw_gid);
		args[n++] = "-u";
		args[n++] = uidbuf;
		args[n++] = "-g";
		args[n++] = gidbuf;
	} else {
		m.privsep_uid = getuid();
		m.privsep_gid = getgid();
		args[n++] = "-U";
	}
	args[n] = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rpc) != 0)
		fatal("socketpair: %s", strerror(errno));
	self = getpid();
	if ((m.child = spawn_helper_ex("hsshd-preauth", HELPER_FD_A, rpc[1],
	    args, die_with_parent, &self)) == -1)
		mon_exit(&m, HELPER_EXIT_INTERNAL);
	close(rpc[1]);
	/* From here on the monitor holds no network socket. */
	close(HELPER_FD_A);
	m.rpc_fd = rpc[0];

	mon_dispatch_loop(&m, m.snap.cfg->login_grace_time);
	r = reap_child(&m);
	if (r == HELPER_EXIT_AUTHENTICATED && m.client_fd != -1)
		r = mon_session_run(&m);
	mon_pam_close(&m);
	snapshot_free(&m.snap);
	return r == HELPER_EXIT_AUTHENTICATED ? HELPER_EXIT_OK : r;
}
