/* SPDX-License-Identifier: ISC */
/*
 * fork + exec of a session's child, in hsshd-session (the logged-in
 * user, no capabilities; the monitor dropped privileges before exec'ing
 * us).  The command and environment were checked by the channel layer;
 * the child runs them with the user's rights, as any login does.  Between
 * fork and exec the child only calls functions that are safe there in a
 * single-threaded process, and never logs (the log goes to the monitor
 * over a socket the child must not touch).
 *
 * Before the shell or command (never a subsystem) the child runs sshd's
 * rc file (sshd(8) SSHRC): ~/.ssh/rc when it exists and the request
 * allows it (PermitUserRC, no-user-rc, ForceCommand), else
 * /etc/ssh/sshrc when that exists, each with /bin/sh, and waits for it.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
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

/* The system's rc file, as sshd's _PATH_SSH_SYSTEM_RC. */
#define SSHRC_SYSTEM	"/etc/ssh/sshrc"
/* The user's, under the home directory, as sshd's _PATH_USER_RC. */
#define SSHRC_USER	".ssh/rc"

/* ~/.hushlogin silences the login messages and the motd (sshd's
 * check_quietlogin). */
static bool
child_hushlogin(const char *home)
{
	char path[4096];
	struct stat st;

	return home != NULL && snprintf(path, sizeof(path), "%s/.hushlogin",
	    home) < (int)sizeof(path) && stat(path, &st) == 0;
}

static void
child_print_motd(void)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;
	int fd;

	if ((fd = open("/etc/motd", O_RDONLY | O_NOCTTY | O_NONBLOCK)) == -1)
		return;
	while (total < SESS_MOTD_MAX &&
	    (n = read(fd, buf, sizeof(buf))) > 0) {
		(void)write(STDOUT_FILENO, buf, (size_t)n);
		total += (size_t)n;
	}
	(void)close(fd);
}

/*
 * Run an rc file: path argv[0] with argv, our environment, its stdin a
 * pipe from us, stdout and stderr ours; wait for it.  The pipe is where
 * sshd writes the X11 authentication ("proto cookie\n") for the rc to
 * hand to xauth.
 */
static void
child_rc_exec(const char *path, char *const argv[], char *const env[],
    const char *what, const char *input)
{
	struct sigaction sa, old;
	int in[2], status;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		dprintf(STDERR_FILENO, "Could not run %s\n", what);
		return;
	}
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) == -1)
			_exit(127);
		execve(path, argv, env);
		_exit(127);
	}
	(void)close(in[0]);
	/* A reader that went away is no reason for us to die. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, &old);
	/*
	 * X11 forwarding writes its authentication line to in[1] here, as
	 * sshd's do_rc_files does; without X11 forwarding the rc reads EOF.
	 */
	if (input != NULL)
		(void)write(in[1], input, strlen(input));
	(void)close(in[1]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	(void)sigaction(SIGPIPE, &old, NULL);
}

/* sshd(8) SSHRC: ~/.ssh/rc through the user's shell, else the system's
 * sshrc with /bin/sh.  Whether one of them ran. */
static bool
child_run_rc(const struct spawn_req *req)
{
	char user_rc[4096], cmd[4096 + 16];
	char *argv[4];
	struct stat st;

	if (!req->rc)
		return false;
	if (req->user_rc && req->home != NULL &&
	    snprintf(user_rc, sizeof(user_rc), "%s/%s", req->home,
	    SSHRC_USER) < (int)sizeof(user_rc) && stat(user_rc, &st) == 0) {
		/* sshd: popen("<shell> -c '/bin/sh <user_rc>'"). */
		if (strchr(user_rc, '\'') != NULL) {
			dprintf(STDERR_FILENO, "Could not run %s\n", user_rc);
			return true;
		}
		snprintf(cmd, sizeof(cmd), "%s '%s'", _PATH_BSHELL, user_rc);
		argv[0] = (char *)req->shell;
		argv[1] = "-c";
		argv[2] = cmd;
		argv[3] = NULL;
		child_rc_exec(req->shell, argv, req->env, user_rc,
		    req->x11_rc_input);
	} else if (stat(SSHRC_SYSTEM, &st) == 0) {
		argv[0] = "sh";
		argv[1] = SSHRC_SYSTEM;
		argv[2] = NULL;
		child_rc_exec(_PATH_BSHELL, argv, req->env, SSHRC_SYSTEM,
		    req->x11_rc_input);
	} else
		return false;
	return true;
}

/* Without an rc file, X11 forwarding installs its cookie with
 * "xauth -q -" (sshd's do_rc_files). */
static void
child_run_xauth(const struct spawn_req *req)
{
	char *argv[4];

	if (req->xauth == NULL || req->xauth_input == NULL)
		return;
	argv[0] = (char *)req->xauth;
	argv[1] = "-q";
	argv[2] = "-";
	argv[3] = NULL;
	child_rc_exec(req->xauth, argv, req->env, req->xauth,
	    req->xauth_input);
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
		/* In a chroot a missing home is normal: "/" it is. */
		if (!req->chrooted)
			dprintf(STDERR_FILENO, "Could not chdir to home "
			    "directory %s: %s\n", req->home != NULL ?
			    req->home : "", strerror(errno));
		if (chdir("/") == -1)
			_exit(1);
	}
	if ((req->login_msg != NULL || req->motd) &&
	    !child_hushlogin(req->home)) {
		if (req->login_msg != NULL)
			(void)write(STDOUT_FILENO, req->login_msg,
			    strlen(req->login_msg));
		if (req->motd)
			child_print_motd();
	}
	if (!child_run_rc(req))
		child_run_xauth(req);
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
