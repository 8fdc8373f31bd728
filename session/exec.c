/* SPDX-License-Identifier: ISC */
/*
 * fork + exec of a session's child, in hsshd-session (the logged-in
 * user, no capabilities; the monitor dropped privileges before exec'ing
 * us).  The command and environment were checked by the channel layer;
 * the child runs them with the user's rights, as any login does.  Between
 * fork and exec the child only calls functions that are safe there in a
 * single-threaded process, and never logs (the log goes to the monitor
 * over a socket the child must not touch).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "session/channel.h"
#include "session/exec.h"
#include "session/monitor-client.h"
#include "session/sftp-server.h"

static void
close_above_stderr(void)
{
#ifdef HAVE_CLOSEFROM
	closefrom(3);
#else
	long max = sysconf(_SC_OPEN_MAX), fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		(void)close((int)fd);
#endif
}

static void
child_print_motd(const char *home)
{
	char path[4096];
	char buf[4096];
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/.hushlogin", home) <
	    (int)sizeof(path) && stat(path, &st) == 0)
		return;
	if ((fd = open("/etc/motd", O_RDONLY | O_NOCTTY | O_NONBLOCK)) == -1)
		return;
	while (total < SESS_MOTD_MAX &&
	    (n = read(fd, buf, sizeof(buf))) > 0) {
		(void)write(STDOUT_FILENO, buf, (size_t)n);
		total += (size_t)n;
	}
	(void)close(fd);
}

static void __attribute__((noreturn))
child_run(const struct spawn_req *req, const int in[2], const int out[2],
    const int err[2])
{
	const char *base, *argv[4];
	char argv0[256];
	sigset_t all;
	int sig;

	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	}
	if (setsid() == -1)
		_exit(1);
	if (req->tty_fd != -1) {
		if (ioctl(req->tty_fd, TIOCSCTTY, 0) == -1 ||
		    dup2(req->tty_fd, STDIN_FILENO) == -1 ||
		    dup2(req->tty_fd, STDOUT_FILENO) == -1 ||
		    dup2(req->tty_fd, STDERR_FILENO) == -1)
			_exit(1);
	} else {
		if (dup2(in[0], STDIN_FILENO) == -1 ||
		    dup2(out[1], STDOUT_FILENO) == -1 ||
		    dup2(err[1], STDERR_FILENO) == -1)
			_exit(1);
	}
	close_above_stderr();
	if (req->home == NULL || chdir(req->home) == -1) {
		dprintf(STDERR_FILENO, "Could not chdir to home directory "
		    "%s: %s\n", req->home != NULL ? req->home : "",
		    strerror(errno));
		if (chdir("/") == -1)
			_exit(1);
	}
	if (req->motd && req->home != NULL)
		child_print_motd(req->home);
	base = strrchr(req->shell, '/');
	base = base != NULL ? base + 1 : req->shell;
	if (req->command == NULL) {
		/* A login shell: argv[0] is "-" and the shell's name. */
		snprintf(argv0, sizeof(argv0), "-%s", base);
		argv[0] = argv0;
		argv[1] = NULL;
	} else {
		argv[0] = base;
		argv[1] = "-c";
		argv[2] = req->command;
		argv[3] = NULL;
	}
	execve(req->shell, (char *const *)argv, req->env);
	dprintf(STDERR_FILENO, "%s: %s\n", req->shell, strerror(errno));
	_exit(1);
}

static int
set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags == -1 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/*
 * internal-sftp: no exec, the forked child serves SFTP itself on the
 * pipes and exits with the server's status.  It keeps the monitor's RPC
 * socket for its log lines only: RPC_LOG needs no answer, and each line
 * is one small write, so it does not interleave with the parent's
 * requests on the stream.  The environment is the session's, as an
 * exec'd sftp-server would get it (SSH_CONNECTION names the client).
 */
static void __attribute__((noreturn))
child_sftp(const struct spawn_req *req, const int in[2], const int out[2],
    const int err[2])
{
	extern char **environ;
	long max = sysconf(_SC_OPEN_MAX), fd;
	int keep = mm_fd(), argc = 0, sig;
	sigset_t all;

	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	}
	if (setsid() == -1 || dup2(in[0], STDIN_FILENO) == -1 ||
	    dup2(out[1], STDOUT_FILENO) == -1 ||
	    dup2(err[1], STDERR_FILENO) == -1)
		_exit(1);
	/* Everything else goes: the client socket, other channels. */
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++) {
		if (fd != keep)
			(void)close((int)fd);
	}
	environ = (char **)req->env;
	while (req->internal_argv[argc] != NULL)
		argc++;
	argc = sftp_server_main(STDIN_FILENO, STDOUT_FILENO, argc,
	    (char **)req->internal_argv, req->user != NULL ? req->user : "",
	    req->home != NULL ? req->home : "/");
	fflush(NULL);
	_exit(argc);
}

int
exec_spawn(void *ctx, const struct spawn_req *req, struct spawn_ret *ret)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid;
	int r = HS_ERR_SYSTEM, saved;

	(void)ctx;
	/* internal-sftp speaks a binary protocol: never on a terminal. */
	if (req->internal_argv != NULL && req->tty_fd != -1)
		return HS_ERR_INVALID_ARGUMENT;
	if (req->tty_fd == -1 && (pipe2(in, O_CLOEXEC) == -1 ||
	    pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1))
		goto out;
	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0 && req->internal_argv != NULL)
		child_sftp(req, in, out, err);
	if (pid == 0)
		child_run(req, in, out, err);
	ret->pid = pid;
	ret->in = ret->out = ret->err = -1;
	if (req->tty_fd == -1) {
		ret->in = in[1];
		ret->out = out[0];
		ret->err = err[0];
		in[1] = out[0] = err[0] = -1;
		if (set_nonblock(ret->in) == -1 ||
		    set_nonblock(ret->out) == -1 ||
		    set_nonblock(ret->err) == -1)
			fatal_f("fcntl: %s", strerror(errno));
	}
	r = 0;
 out:
	saved = errno;
	if (in[0] != -1) close(in[0]);
	if (in[1] != -1) close(in[1]);
	if (out[0] != -1) close(out[0]);
	if (out[1] != -1) close(out[1]);
	if (err[0] != -1) close(err[0]);
	if (err[1] != -1) close(err[1]);
	errno = saved;
	return r;
}
