/* SPDX-License-Identifier: ISC */
/*
 * Tests of preauth/sandbox: children enter the sandbox, then do allowed
 * work, probe files, make forbidden calls, or wait while the parent checks
 * them from outside with sandbox_check_status().  Unprivileged mode always;
 * privileged mode (user nobody, fresh empty root-owned chroot) as root.
 * Sanitizer builds also check that ASan/UBSan reports get out.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/futex.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/procstatus.h"
#include "common/rpc.h"
#include "preauth/sandbox.h"
#include "tests/tap.h"

/* The fds a sandboxed child works with (all opened before the sandbox). */
struct kctx {
	int	ready;		/* child writes one byte when inside */
	int	hold;		/* child waits for EOF here */
	int	pipe_r, pipe_w;	/* a pipe of its own */
	int	sock_a, sock_b;	/* a socketpair of its own */
	int	high;		/* an fd above max_fd: must be closed */
};

struct kid {
	pid_t	pid;
	int	ready;		/* parent's end of kctx.ready */
	int	hold;		/* parent's end of kctx.hold */
	int	err;		/* the child's stderr, when captured */
	int	max_fd;		/* what the child passed to sandbox_enter */
};

typedef int kid_fn(const struct kctx *);

static struct sandbox_opts priv_opts;	/* privileged mode, when root */
static bool have_priv;

#define HIGH_FD	60

/*
 * Fork a child that enters the sandbox with *opts and returns fn()'s
 * value as its exit status.  capture_err: the child's stderr goes to
 * k->err.  trap: set HSSHD_SECCOMP_TRAP=1 in the child.
 */
static void
spawn(const struct sandbox_opts *opts, kid_fn *fn, struct kid *k,
    bool capture_err, bool trap)
{
	struct sandbox_opts o = *opts;
	struct kctx c;
	int ready[2], hold[2], p[2], sp[2], err[2] = { -1, -1 };

	if (pipe2(ready, O_CLOEXEC) == -1 || pipe2(hold, O_CLOEXEC) == -1 ||
	    pipe2(p, O_CLOEXEC) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    (capture_err && pipe2(err, O_CLOEXEC) == -1))
		abort();
	/* The child keeps these (its stderr copy is dup2()ed onto 2). */
	o.max_fd = ready[1];
	if (hold[0] > o.max_fd) o.max_fd = hold[0];
	if (p[0] > o.max_fd) o.max_fd = p[0];
	if (p[1] > o.max_fd) o.max_fd = p[1];
	if (sp[0] > o.max_fd) o.max_fd = sp[0];
	if (sp[1] > o.max_fd) o.max_fd = sp[1];
	if (o.max_fd >= HIGH_FD)
		abort();
	k->max_fd = o.max_fd;
	fflush(stdout);
	fflush(stderr);
	if ((k->pid = fork()) == -1)
		abort();
	if (k->pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (capture_err) {
			close(err[0]);
			if (dup2(err[1], STDERR_FILENO) == -1)
				_exit(120);
			close(err[1]);
		}
		if (trap && setenv("HSSHD_SECCOMP_TRAP", "1", 1) == -1)
			_exit(121);
		if ((c.high = dup2(p[0], HIGH_FD)) == -1)
			_exit(122);
		c.ready = ready[1];
		c.hold = hold[0];
		c.pipe_r = p[0];
		c.pipe_w = p[1];
		c.sock_a = sp[0];
		c.sock_b = sp[1];
		sandbox_enter(&o);
		_exit(fn(&c));
	}
	close(ready[1]);
	close(hold[0]);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	k->ready = ready[0];
	k->hold = hold[1];
	k->err = -1;
	if (capture_err) {
		close(err[1]);
		k->err = err[0];
	}
}

/* Release and reap the child; its wait status. */
static int
reap(struct kid *k)
{
	int status = 0;

	if (k->hold != -1)
		close(k->hold);
	k->hold = -1;
	if (waitpid(k->pid, &status, 0) != k->pid)
		abort();
	close(k->ready);
	if (k->err != -1)
		close(k->err);
	return status;
}

static int
run(const struct sandbox_opts *opts, kid_fn *fn)
{
	struct kid k;

	spawn(opts, fn, &k, false, false);
	return reap(&k);
}

#define ASSERT_EXITED(status, code) do { \
	ASSERT_TRUE(WIFEXITED(status)); \
	if (WIFSIGNALED(status)) \
		printf("# killed by signal %d\n", WTERMSIG(status)); \
	else \
		ASSERT_INT_EQ(WEXITSTATUS(status), (code)); \
} while (0)

#define ASSERT_SIGSYS(status) do { \
	ASSERT_TRUE(WIFSIGNALED(status)); \
	if (WIFSIGNALED(status)) \
		ASSERT_INT_EQ(WTERMSIG(status), SIGSYS); \
	else \
		printf("# exited with %d\n", WEXITSTATUS(status)); \
} while (0)

/* ---- (a) work the pre-auth child does ------------------------------- */

static int
kid_allowed_work(const struct kctx *c)
{
	struct buf *body, *got = NULL;
	struct timespec ts;
	struct timeval tv;
	struct pollfd pfd;
	struct iovec iov[2];
	sigset_t set, old;
	unsigned char rnd[32], *big, *small[64], *s;
	char rbuf[16];
	uint8_t type;
	size_t i;

	/* Pipe I/O, plain and scattered. */
	if (write(c->pipe_w, "abc", 3) != 3 ||
	    read(c->pipe_r, rbuf, sizeof(rbuf)) != 3 ||
	    memcmp(rbuf, "abc", 3) != 0)
		return 1;
	iov[0].iov_base = "de";
	iov[0].iov_len = 2;
	iov[1].iov_base = "f";
	iov[1].iov_len = 1;
	if (writev(c->pipe_w, iov, 2) != 3)
		return 2;
	iov[0].iov_base = rbuf;
	iov[0].iov_len = 1;
	iov[1].iov_base = rbuf + 1;
	iov[1].iov_len = 2;
	if (readv(c->pipe_r, iov, 2) != 3 || memcmp(rbuf, "def", 3) != 0)
		return 3;
	/* Small blocks (4 MiB in all, so the heap grows: brk), big ones
	 * (mmap, mremap, munmap). */
	for (i = 0; i < 64; i++) {
		if ((small[i] = malloc(64 * 1024 + i * 8)) == NULL)
			return 4;
		memset(small[i], (int)i, 64 * 1024 + i * 8);
	}
	if ((big = malloc(32u << 20)) == NULL)
		return 5;
	memset(big, 1, 32u << 20);
	if ((big = realloc(big, 64u << 20)) == NULL)
		return 6;
	memset(big, 2, 64u << 20);
	free(big);
	for (i = 0; i < 64; i++)
		free(small[i]);
	if ((big = calloc(1, 8u << 20)) == NULL || big[12345] != 0)
		return 7;
	free(big);
	/* Key material in libsodium's guarded memory. */
	if ((s = sodium_malloc(64)) == NULL)
		return 8;
	randombytes_buf(s, 64);
	sodium_free(s);
	/* Randomness and time. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return 9;
	randombytes_buf(rnd, sizeof(rnd));
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0 ||
	    syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0 ||
	    syscall(SYS_gettimeofday, &tv, NULL) != 0)
		return 10;
	/* poll() and ppoll() on the pipe. */
	pfd.fd = c->pipe_r;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 0)
		return 11;
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	if (write(c->pipe_w, "x", 1) != 1 || ppoll(&pfd, 1, &ts, NULL) != 1)
		return 12;
	/* Identity and signal mask. */
	if (getpid() <= 0 || syscall(SYS_gettid) <= 0)
		return 13;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, &old) != 0 ||
	    sigprocmask(SIG_SETMASK, &old, NULL) != 0)
		return 14;
	/* The monitor RPC: sendmsg/recvmsg on a socketpair. */
	if ((body = buf_from("ping", 4)) == NULL ||
	    rpc_send(c->sock_a, RPC_LOG, body, -1) != 0 ||
	    rpc_recv(c->sock_b, RPC_MSG_MAX, &type, &got, NULL) != 0 ||
	    type != RPC_LOG || !buf_equal(body, got))
		return 15;
	buf_free(body);
	buf_free(got);
	if (shutdown(c->sock_a, SHUT_RDWR) != 0)
		return 16;
	/* fds above max_fd were closed on entry. */
	if (close(c->high) != -1 || errno != EBADF)
		return 17;
	if (close(c->sock_a) != 0)
		return 18;
	return 0;
}

/* exit() (atexit handlers, stdio flush, sanitizer hooks) works inside. */
static int
kid_exit(const struct kctx *c)
{
	(void)c;
	exit(7);
}

/* ---- (b) file access fails with EACCES ------------------------------ */

static int
kid_file_probes(const struct kctx *c)
{
	struct stat st;
	FILE *f;

	(void)c;
	errno = 0;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EACCES)
		return 1;
	errno = 0;
	if (openat(AT_FDCWD, "/etc/passwd", O_RDONLY) != -1 ||
	    errno != EACCES)
		return 2;
	errno = 0;
	if (stat("/", &st) != -1 || errno != EACCES)
		return 3;
	errno = 0;
	if (fstat(c->pipe_r, &st) != -1 || errno != EACCES)
		return 4;
	errno = 0;
	if (access("/etc/passwd", R_OK) != -1 || errno != EACCES)
		return 5;
	errno = 0;
	if ((f = fopen("/etc/passwd", "r")) != NULL || errno != EACCES)
		return 6;
	return 0;
}

/* ---- (c) forbidden calls kill ---------------------------------------- */

static int
kid_socket(const struct kctx *c)
{
	(void)c;
	(void)socket(AF_INET, SOCK_STREAM, 0);
	return 0;
}

static int
kid_mprotect_exec(const struct kctx *c)
{
	void *p;

	(void)c;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
	return 0;
}

static int
kid_mmap_exec(const struct kctx *c)
{
	(void)c;
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 0;
}

static int
kid_execve(const struct kctx *c)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };

	(void)c;
	(void)execve("/bin/true", argv, envp);
	return 0;
}

static int
kid_fork(const struct kctx *c)
{
	(void)c;
	(void)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	return 0;
}

static int
kid_madvise_other(const struct kctx *c)
{
	void *p;

	(void)c;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	/* Allowed advice, then one that is not. */
	if (madvise(p, 4096, MADV_DONTNEED) != 0)
		return 2;
	(void)madvise(p, 4096, MADV_WILLNEED);
	return 0;
}

static int
kid_futex_pi(const struct kctx *c)
{
	static uint32_t word;

	(void)c;
	/* A private wake on nobody is allowed; a PI lock is not. */
	if (syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)
	    != 0)
		return 1;
	(void)syscall(SYS_futex, &word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL,
	    0);
	return 0;
}

static int
kid_futex_shared(const struct kctx *c)
{
	static uint32_t word;

	(void)c;
	(void)syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return 0;
}

static int
kid_prctl(const struct kctx *c)
{
	(void)c;
	/* Would undo PR_SET_DUMPABLE 0. */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

#if defined(__x86_64__)
static int
kid_x32(const struct kctx *c)
{
	(void)c;
	(void)syscall(0x40000000 | SYS_getpid);
	return 0;
}
#endif

static int
kid_ptrace(const struct kctx *c)
{
	(void)c;
	(void)syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
	return 0;
}

/* ---- (d) held inside while the parent looks ------------------------- */

static int
kid_hold(const struct kctx *c)
{
	char ch;

	if (write(c->ready, "r", 1) != 1)
		return 1;
	/* EOF when the parent lets go. */
	if (read(c->hold, &ch, 1) != 0)
		return 2;
	return 0;
}

static int
kid_hold_poll(const struct kctx *c)
{
	struct pollfd pfd;

	if (write(c->ready, "r", 1) != 1)
		return 1;
	pfd.fd = c->hold;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* The parent stops and continues us in here, then closes hold. */
	if (poll(&pfd, 1, 60 * 1000) != 1)
		return 2;
	return 0;
}

static void
wait_ready(struct kid *k)
{
	char ch;

	ASSERT_INT_EQ(read(k->ready, &ch, 1), 1);
}

static char
proc_state(pid_t pid)
{
	char path[64], text[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return '?';
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	text[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	if ((p = strrchr(text, ')')) == NULL || p[1] != ' ')
		return '?';
	return p[2];
}

/* Soft and hard value of one line of /proc/PID/limits ("unlimited" is
 * -1); prlimit() would need CAP_SYS_RESOURCE for another user's child. */
static void
proc_limit(pid_t pid, const char *what, long long *soft, long long *hard)
{
	char path[64], text[4096], *line, *end;
	ssize_t n;
	size_t len = 0;
	int fd;

	*soft = *hard = -2;
	snprintf(path, sizeof(path), "/proc/%ld/limits", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while (len < sizeof(text) - 1 &&
	    (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	for (line = text; line != NULL && *line != '\0';
	    line = (end = strchr(line, '\n')) == NULL ? NULL : end + 1) {
		if (strncmp(line, what, strlen(what)) != 0 ||
		    line[strlen(what)] != ' ')
			continue;
		if (sscanf(line + strlen(what), "%lld %lld", soft, hard) != 2)
			*soft = *hard = -1;	/* "unlimited" */
		return;
	}
}

static void
check_limits(pid_t pid, int max_fd_plus_1)
{
	long long soft, hard;

	proc_limit(pid, "Max open files", &soft, &hard);
	ASSERT_INT_EQ(soft, max_fd_plus_1);
	ASSERT_INT_EQ(hard, max_fd_plus_1);
	proc_limit(pid, "Max file size", &soft, &hard);
	ASSERT_INT_EQ(soft, 0);
	ASSERT_INT_EQ(hard, 0);
	proc_limit(pid, "Max processes", &soft, &hard);
	ASSERT_INT_EQ(soft, 0);
	ASSERT_INT_EQ(hard, 0);
	proc_limit(pid, "Max core file size", &soft, &hard);
	ASSERT_INT_EQ(soft, 0);
	ASSERT_INT_EQ(hard, 0);
}

static const struct {
	const char	*name;
	kid_fn		*fn;
} forbidden[] = {
	{ "socket()", kid_socket },
	{ "mprotect() with PROT_EXEC", kid_mprotect_exec },
	{ "mmap() with PROT_EXEC", kid_mmap_exec },
	{ "execve()", kid_execve },
	{ "clone() (fork)", kid_fork },
	{ "madvise(MADV_WILLNEED)", kid_madvise_other },
	{ "futex(FUTEX_LOCK_PI_PRIVATE)", kid_futex_pi },
	{ "futex(FUTEX_WAKE), not private", kid_futex_shared },
	{ "ptrace(PTRACE_TRACEME)", kid_ptrace },
	{ "prctl(PR_SET_DUMPABLE, 1)", kid_prctl },
#if defined(__x86_64__)
	{ "x32 system call number", kid_x32 },
#endif
};

static void
test_mode(const char *mode, const struct sandbox_opts *opts)
{
	char name[160], path[64], *why = NULL;
	struct kid k;
	struct stat st;
	size_t i;
	int status, spins;

	snprintf(name, sizeof(name), "%s: allowed work succeeds", mode);
	TEST_START(name);
	status = run(opts, kid_allowed_work);
	ASSERT_EXITED(status, 0);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: exit() works", mode);
	TEST_START(name);
	status = run(opts, kid_exit);
	ASSERT_EXITED(status, 7);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: open/stat/access fail with EACCES",
	    mode);
	TEST_START(name);
	status = run(opts, kid_file_probes);
	ASSERT_EXITED(status, 0);
	TEST_DONE();

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		snprintf(name, sizeof(name), "%s: %s is killed by SIGSYS",
		    mode, forbidden[i].name);
		TEST_START(name);
		status = run(opts, forbidden[i].fn);
		ASSERT_SIGSYS(status);
		TEST_DONE();
	}

	snprintf(name, sizeof(name), "%s: the parent sees the sandbox in "
	    "/proc/PID/status", mode);
	TEST_START(name);
	spawn(opts, kid_hold, &k, false, false);
	wait_ready(&k);
	ASSERT_INT_EQ(sandbox_check_status(k.pid, opts->privileged, opts->uid,
	    opts->gid, opts->chroot_dir, &why), 0);
	if (why != NULL)
		printf("# %s\n", why);
	free(why);
	why = NULL;
	check_limits(k.pid, k.max_fd + 1);
	/* Not dumpable: the kernel makes root the owner of its /proc files
	 * (where it would otherwise be the child's own uid). */
	if (opts->privileged || getuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%ld", (long)k.pid);
		ASSERT_INT_EQ(stat(path, &st), 0);
		ASSERT_INT_NE(st.st_uid, 0);
		snprintf(path, sizeof(path), "/proc/%ld/status", (long)k.pid);
		ASSERT_INT_EQ(stat(path, &st), 0);
		ASSERT_INT_EQ(st.st_uid, 0);
	}
	if (opts->privileged) {
		/* Wrong expectations are noticed, each naming its line. */
		ASSERT_INT_EQ(sandbox_check_status(k.pid, true, opts->uid + 1,
		    opts->gid, opts->chroot_dir, &why), HS_ERR_SANDBOX);
		ASSERT_TRUE(why != NULL && strncmp(why, "Uid ", 4) == 0);
		free(why);
		ASSERT_INT_EQ(sandbox_check_status(k.pid, true, opts->uid,
		    opts->gid + 1, opts->chroot_dir, &why), HS_ERR_SANDBOX);
		ASSERT_TRUE(why != NULL && strncmp(why, "Gid ", 4) == 0);
		free(why);
		ASSERT_INT_EQ(sandbox_check_status(k.pid, true, opts->uid,
		    opts->gid, "/", &why), HS_ERR_SANDBOX);
		ASSERT_TRUE(why != NULL && strstr(why, "root directory") !=
		    NULL);
		free(why);
		why = NULL;
	}
	status = reap(&k);
	ASSERT_EXITED(status, 0);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: stopped and continued in poll()",
	    mode);
	TEST_START(name);
	spawn(opts, kid_hold_poll, &k, false, false);
	wait_ready(&k);
	/* Wait (boundedly) until it sleeps in poll(), its only wait. */
	for (spins = 0; spins < 10000 && proc_state(k.pid) != 'S'; spins++)
		usleep(1000);
	ASSERT_INT_EQ(proc_state(k.pid), 'S');
	ASSERT_INT_EQ(kill(k.pid, SIGSTOP), 0);
	ASSERT_INT_EQ(waitpid(k.pid, &status, WUNTRACED), k.pid);
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_INT_EQ(kill(k.pid, SIGCONT), 0);
	ASSERT_INT_EQ(waitpid(k.pid, &status, WCONTINUED), k.pid);
	ASSERT_TRUE(WIFCONTINUED(status));
	/* Let the restarted poll() sleep again before releasing it. */
	for (spins = 0; spins < 10000 && proc_state(k.pid) == 'R'; spins++)
		usleep(1000);
	status = reap(&k);
	ASSERT_EXITED(status, 0);
	ASSERT_FALSE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
	TEST_DONE();
}

static void
test_outside(void)
{
	char *why = NULL;
	int r;

	TEST_START("sandbox_check_status refuses an unconfined process");
	r = sandbox_check_status(getpid(), false, 0, 0, NULL, &why);
	ASSERT_INT_EQ(r, HS_ERR_SANDBOX);
	ASSERT_TRUE(why != NULL && strncmp(why, "Seccomp ", 8) == 0);
	free(why);
	why = NULL;
	ASSERT_INT_EQ(sandbox_check_status(0, false, 0, 0, NULL, &why),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(sandbox_check_status(getpid(), true, 1, 1, NULL, &why),
	    HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();

	TEST_START("sandbox_check_status on a pid that does not exist");
	/* pid_max is at most 2^22; this one cannot be in use. */
	r = sandbox_check_status(1 << 30, false, 0, 0, NULL, &why);
	ASSERT_INT_EQ(r, HS_ERR_SYSTEM);
	ASSERT_TRUE(why != NULL);
	free(why);
	TEST_DONE();
}

static void
test_trap(const struct sandbox_opts *opts)
{
#ifdef HS_TEST_HOOKS
	char out[256], want[64];
	struct kid k;
	ssize_t n;
	size_t len = 0;
	int status;

	TEST_START("HSSHD_SECCOMP_TRAP=1 names the forbidden call");
	spawn(opts, kid_socket, &k, true, true);
	/* Read until EOF: the child's only output is the report. */
	while (len < sizeof(out) - 1 &&
	    (n = read(k.err, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	status = reap(&k);
	ASSERT_EXITED(status, SANDBOX_TRAP_EXIT);
	snprintf(want, sizeof(want), "forbidden system call %d (socket)\n",
	    (int)SYS_socket);
	ASSERT_TRUE(strstr(out, want) != NULL);
	if (strstr(out, want) == NULL)
		printf("# got: %s\n", out);
	TEST_DONE();
#else
	(void)opts;
	TEST_SKIP("HSSHD_SECCOMP_TRAP=1 names the forbidden call",
	    "configure --enable-test-hooks");
#endif
}

#ifdef HS_SANITIZERS
/* Sanitizer reports must get out of the sandbox (the rules that only
 * sanitizer builds have). */
static int
kid_asan_report(const struct kctx *c)
{
	volatile size_t i = 16;
	volatile char *p;

	(void)c;
	if ((p = malloc(i)) == NULL)
		return 2;
	p[i] = 1;
	return 0;
}

static int
kid_ubsan_report(const struct kctx *c)
{
	volatile int shift = 40;

	(void)c;
	/* (Signed overflow is defined here: we build with
	 * -fno-strict-overflow.) */
	return (1 << shift) == 0 ? 3 : 4;
}

static void
expect_report(const struct sandbox_opts *o, kid_fn *fn, const char *what)
{
	char out[8192];
	struct kid k;
	size_t len = 0;
	ssize_t n;
	int status;

	spawn(o, fn, &k, true, false);
	while (len < sizeof(out) - 1 &&
	    (n = read(k.err, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	status = reap(&k);
	/* Reported and exited 1, not killed by the filter. */
	ASSERT_EXITED(status, 1);
	ASSERT_TRUE(strstr(out, what) != NULL);
}
#endif

static void
test_sanitizer_reports(const struct sandbox_opts *opts)
{
#ifdef HS_SANITIZERS
	TEST_START("sanitizer reports get out of the sandbox");
	expect_report(opts, kid_asan_report, "heap-buffer-overflow");
	expect_report(opts, kid_ubsan_report, "shift exponent 40");
	TEST_DONE();
#else
	(void)opts;
	TEST_SKIP("sanitizer reports get out of the sandbox",
	    "configure --enable-sanitizers");
#endif
}

static int
kid_never_runs(const struct kctx *c)
{
	(void)c;
	return 0;
}

/* The child must die through fatal() (status 255) saying why. */
static void
expect_fatal(const struct sandbox_opts *o, const char *why)
{
	char out[512];
	struct kid k;
	size_t len = 0;
	ssize_t n;
	int status;

	spawn(o, kid_never_runs, &k, true, false);
	while (len < sizeof(out) - 1 &&
	    (n = read(k.err, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	status = reap(&k);
	ASSERT_EXITED(status, 255);
	ASSERT_TRUE(strstr(out, why) != NULL);
	if (strstr(out, why) == NULL)
		printf("# wanted \"%s\" in: %s\n", why, out);
}

static void
test_fatal(void)
{
	struct sandbox_opts o;
	char dir[] = "/tmp/hs-sbx-bad-XXXXXX";

	if (!have_priv) {
		TEST_SKIP("privileged mode refuses bad options", "not root");
		return;
	}
	TEST_START("privileged mode refuses bad options (fatal, 255)");
	o = priv_opts;
	o.uid = 0;
	expect_fatal(&o, "must not be root");
	o = priv_opts;
	o.gid = 0;
	expect_fatal(&o, "must not be root");
	o = priv_opts;
	o.chroot_dir = "/nonexistent/hs-sbx";
	expect_fatal(&o, "open /nonexistent/hs-sbx");
	o = priv_opts;
	o.chroot_dir = "relative";
	expect_fatal(&o, "absolute path");
	/* A chroot others could write to. */
	if (mkdtemp(dir) == NULL || chmod(dir, 0777) == -1)
		abort();
	o = priv_opts;
	o.chroot_dir = dir;
	expect_fatal(&o, "not group or world-writable");
	rmdir(dir);
	TEST_DONE();
}

int
main(void)
{
	struct sandbox_opts unpriv;
	struct passwd *pw;
	char dir[] = "/tmp/hs-sbx-root-XXXXXX";
	unsigned char seed[16];

	/* What hsshd-preauth does first: nothing may need open() later. */
	if (sodium_init() < 0)
		abort();
	randombytes_buf(seed, sizeof(seed));
	log_init("test-sandbox", LOG_LEVEL_INFO, LOG_AUTH, true);

	memset(&unpriv, 0, sizeof(unpriv));
	unpriv.privileged = false;
	unpriv.uid = getuid();
	unpriv.gid = getgid();

	memset(&priv_opts, 0, sizeof(priv_opts));
	if (getuid() == 0 && (pw = getpwnam("nobody")) != NULL &&
	    pw->pw_uid != 0 && pw->pw_gid != 0) {
		if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1)
			abort();
		priv_opts.privileged = true;
		priv_opts.chroot_dir = dir;
		priv_opts.uid = pw->pw_uid;
		priv_opts.gid = pw->pw_gid;
		have_priv = true;
	}

	test_outside();
	test_mode("unprivileged", &unpriv);
	if (have_priv)
		test_mode("privileged", &priv_opts);
	else
		TEST_SKIP("privileged mode", "not root, or no user nobody");
	test_trap(have_priv ? &priv_opts : &unpriv);
	test_sanitizer_reports(have_priv ? &priv_opts : &unpriv);
	test_fatal();

	if (have_priv)
		rmdir(dir);
	return tap_finish();
}
