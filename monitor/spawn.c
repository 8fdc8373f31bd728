/* SPDX-License-Identifier: ISC */
/*
 * Helper start-up, used by the listener (hsshd, root) to start monitors
 * and by hsshd-monitor (root) to start its children.  No untrusted input.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/rpc-msgs.h"
#include "monitor/spawn.h"

#define SPAWN_MAX_ARGS	16

char *
spawn_helper_path(const char *name)
{
	const char *dir = LIBEXECDIR;
	char *path;

#ifdef HS_TEST_HOOKS
	/* Test builds run helpers from the build tree. */
	if (getenv("HSSHD_LIBEXEC_DIR") != NULL)
		dir = getenv("HSSHD_LIBEXEC_DIR");
#endif
	xasprintf(&path, "%s/%s", dir, name);
	return path;
}

/* Move fd to the wanted number without clobbering the other one. */
static int
place_fd(int fd, int want)
{
	if (fd == -1)
		return 0;
	if (fd == want)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, want) == want ? 0 : -1;
}

pid_t
spawn_helper(const char *name, int fd_a, int fd_b, char *const *extra)
{
	return spawn_helper_ex(name, fd_a, fd_b, extra, NULL, NULL);
}

pid_t
spawn_helper_ex(const char *name, int fd_a, int fd_b, char *const *extra,
    void (*pre_exec)(void *), void *arg)
{
	char *path = spawn_helper_path(name), *argv[SPAWN_MAX_ARGS + 4];
	char version[16];
	sigset_t none;
	size_t i, n = 0;
	pid_t pid;
	int nullfd;

	snprintf(version, sizeof(version), "%d", RPC_PROTO_VERSION);
	argv[n++] = (char *)name;
	argv[n++] = "-R";
	argv[n++] = version;
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (n >= SPAWN_MAX_ARGS + 3)
			fatal_f("too many arguments");
		argv[n++] = extra[i];
	}
	argv[n] = NULL;

	if ((pid = fork()) == -1) {
		error("fork for %s: %s", name, strerror(errno));
		free(path);
		return -1;
	}
	if (pid != 0) {
		free(path);
		return pid;
	}
	/* Child: only async-signal-safe calls from here to exec. */
	(void)setsid();
	/* A log file stands in for stderr, so the helper keeps logging;
	 * first, before fds 3 and 4 (where it may sit) are reused. */
	if (log_get_mode() == LOG_MODE_FILE &&
	    dup2(log_get_fd(), STDERR_FILENO) == -1)
		_exit(126);
	/* Lift both fds above the target numbers first. */
	if (fd_a != -1 && (fd_a = fcntl(fd_a, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(126);
	if (fd_b != -1 && (fd_b = fcntl(fd_b, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(126);
	if (place_fd(fd_a, HELPER_FD_A) != 0 || place_fd(fd_b, HELPER_FD_B) != 0)
		_exit(126);
	if (fd_a == -1)
		(void)close(HELPER_FD_A);
	if (fd_b == -1)
		(void)close(HELPER_FD_B);
	if ((nullfd = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(nullfd, STDIN_FILENO) == -1 ||
	    dup2(nullfd, STDOUT_FILENO) == -1)
		_exit(126);
	close_range(HELPER_FD_B + 1, ~0U, 0);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			(void)signal((int)i, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (pre_exec != NULL)
		pre_exec(arg);
	execv(path, argv);
	/* Only write(2) here: say what could not be started. */
	{
		const char *e = strerror(errno);

		(void)write(STDERR_FILENO, "hsshd: cannot execute ", 22);
		(void)write(STDERR_FILENO, path, strlen(path));
		(void)write(STDERR_FILENO, ": ", 2);
		(void)write(STDERR_FILENO, e, strlen(e));
		(void)write(STDERR_FILENO, "\n", 1);
	}
	_exit(127);
}
