/* SPDX-License-Identifier: ISC */
/*
 * The pre-auth sandbox (see sandbox.h, design.md §3).  Runs in
 * hsshd-preauth: it starts as root (or as the invoking user in
 * unprivileged mode) and leaves as the privsep user in an empty chroot,
 * with no capabilities and a seccomp filter.  Its input is the trusted
 * struct sandbox_opts from the child's own start-up; it runs before any
 * attacker-controlled byte is read.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <linux/futex.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>
#include <sys/capability.h>

#include "common/err.h"
#include "common/log.h"
#include "preauth/sandbox.h"
#include "common/mem.h"

#define SB_ALLOW	SCMP_ACT_ALLOW
/* open() and stat() probes of libc get an error instead of a kill. */
#define SB_EACCES	SCMP_ACT_ERRNO(EACCES)

/* Argument conditions: a bit that must be clear, or an int that must
 * equal a value (upper 32 bits ignored, as the kernel ignores them). */
#define SB_BIT_CLEAR(n, bit) \
	{ .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = (bit), .datum_b = 0 }
#define SB_INT_EQ(n, v) \
	{ .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, \
	  .datum_b = (uint32_t)(v) }
#define SB_NOARG	{ .arg = 0, .op = _SCMP_CMP_MIN, .datum_a = 0, .datum_b = 0 }

struct sb_rule {
	int			 nr;	 /* SCMP_SYS(); < 0: not on this arch */
	uint32_t		 action;
	unsigned int		 argc;	 /* 0 or 1 */
	struct scmp_arg_cmp	 arg;
	const char		*why;
};

#define SB_RULE(name, action, why) \
	{ SCMP_SYS(name), (action), 0, SB_NOARG, (why) }
#define SB_RULE_IF(name, action, cond, why) \
	{ SCMP_SYS(name), (action), 1, cond, (why) }

/*
 * The whole filter.  Everything not listed kills the process.  The base
 * is design.md §3's list; anything beyond it joins only when a test shows
 * a need, named in its comment ("test: ..." is a test-sandbox case that
 * fails without the rule).  Not here, for want of such a test:
 * nanosleep/clock_nanosleep (delays live in the monitor), fcntl, ioctl,
 * tgkill (abort() then dies by SIGSYS instead of SIGABRT: still a crash).
 */
static const struct sb_rule sb_rules[] = {
	/* I/O on the network socket and the monitor socketpair. */
	SB_RULE(read, SB_ALLOW, "network input"),
	SB_RULE(write, SB_ALLOW, "network output, SIGSYS trap report"),
	SB_RULE(readv, SB_ALLOW, "scatter reads"),
	SB_RULE(writev, SB_ALLOW, "gather writes"),
	SB_RULE(close, SB_ALLOW, "closing fds"),
	SB_RULE(sendmsg, SB_ALLOW, "rpc_send()"),
	SB_RULE(recvmsg, SB_ALLOW, "rpc_recv()"),
	SB_RULE(shutdown, SB_ALLOW, "closing the connection"),
	SB_RULE(poll, SB_ALLOW, "event loop"),
	SB_RULE(ppoll, SB_ALLOW, "event loop (poll() on newer arches)"),
	/*
	 * A poll() with a timeout that a stop signal interrupts (SIGSTOP then
	 * SIGCONT, no handler runs) is resumed by the kernel through
	 * restart_syscall (test: stopped and continued in poll()).
	 */
	SB_RULE(restart_syscall, SB_ALLOW, "resuming poll() after SIGCONT"),

	/* Process exit. */
	SB_RULE(exit, SB_ALLOW, "thread exit"),
	SB_RULE(exit_group, SB_ALLOW, "exit(), _exit()"),

	/* Memory: malloc() and libsodium's guarded allocations, never
	 * executable. */
	SB_RULE(brk, SB_ALLOW, "malloc() heap"),
	SB_RULE_IF(mmap, SB_ALLOW, SB_BIT_CLEAR(2, PROT_EXEC),
	    "malloc() of large blocks, sodium_malloc(); no PROT_EXEC"),
	SB_RULE_IF(mprotect, SB_ALLOW, SB_BIT_CLEAR(2, PROT_EXEC),
	    "sodium_malloc() guard pages, malloc arenas; no PROT_EXEC"),
	SB_RULE(munmap, SB_ALLOW, "free() of large blocks, sodium_free()"),
	SB_RULE(mremap, SB_ALLOW,
	    "realloc() of large blocks (test: allowed work)"),
	SB_RULE_IF(madvise, SB_ALLOW, SB_INT_EQ(2, MADV_DONTNEED),
	    "malloc() trimming"),
	SB_RULE_IF(madvise, SB_ALLOW, SB_INT_EQ(2, MADV_FREE),
	    "malloc() trimming"),
	SB_RULE_IF(madvise, SB_ALLOW, SB_INT_EQ(2, MADV_DONTDUMP),
	    "sodium_malloc(): keys out of core dumps (test: allowed work)"),
	SB_RULE_IF(madvise, SB_ALLOW, SB_INT_EQ(2, MADV_DODUMP),
	    "sodium_free() undoes MADV_DONTDUMP (test: allowed work)"),
	SB_RULE(mlock, SB_ALLOW,
	    "sodium_malloc(): keys out of swap (test: allowed work)"),
	SB_RULE(munlock, SB_ALLOW, "sodium_free() (test: allowed work)"),

	/* Locks: private (process-local) wait and wake only, no PI. */
	SB_RULE_IF(futex, SB_ALLOW, SB_INT_EQ(1, FUTEX_WAIT_PRIVATE),
	    "libc locks under contention"),
	SB_RULE_IF(futex, SB_ALLOW, SB_INT_EQ(1, FUTEX_WAKE_PRIVATE),
	    "libc locks under contention"),

	/* Time, randomness, identity, signals. */
	SB_RULE(getrandom, SB_ALLOW, "randombytes_buf() after sodium_init()"),
	SB_RULE(clock_gettime, SB_ALLOW, "timeouts (when the vDSO falls back)"),
	SB_RULE(gettimeofday, SB_ALLOW, "time (when the vDSO falls back)"),
	SB_RULE(getpid, SB_ALLOW, "log tags"),
	SB_RULE(gettid, SB_ALLOW, "libc (raise(), thread ids)"),
	SB_RULE(rt_sigprocmask, SB_ALLOW, "blocking signals around critical parts"),
	SB_RULE(rt_sigreturn, SB_ALLOW, "return from a signal handler"),

	/*
	 * File access fails instead of killing: libc (stdio's fstat(),
	 * locale and NSS probes) copes with EACCES, and there is nothing
	 * behind the chroot to open anyway.
	 */
	SB_RULE(open, SB_EACCES, "libc probes"),
	SB_RULE(openat, SB_EACCES, "libc probes (fopen)"),
	SB_RULE(stat, SB_EACCES, "libc probes"),
	SB_RULE(lstat, SB_EACCES, "libc probes"),
	SB_RULE(fstat, SB_EACCES, "stdio buffer sizing (falls back to BUFSIZ)"),
	SB_RULE(newfstatat, SB_EACCES, "stdio buffer sizing (glibc >= 2.33)"),
	SB_RULE(statx, SB_EACCES, "libc probes"),
	SB_RULE(access, SB_EACCES, "libc probes"),
	SB_RULE(faccessat, SB_EACCES, "libc probes"),
	SB_RULE(faccessat2, SB_EACCES, "libc probes"),

#ifdef HS_SANITIZERS
	/*
	 * Only in --enable-sanitizers builds, never in a production filter:
	 * what the ASan/UBSan runtimes need to run and to report from inside
	 * (found with HSSHD_SECCOMP_TRAP=1; test-sandbox fails without each).
	 */
	SB_RULE_IF(madvise, SB_ALLOW, SB_INT_EQ(2, MADV_NOHUGEPAGE),
	    "ASan allocator regions (test: allowed work)"),
	SB_RULE(sigaltstack, SB_ALLOW,
	    "ASan at exit() and _exit() (test: every child)"),
	SB_RULE_IF(ioctl, SCMP_ACT_ERRNO(ENOTTY), SB_INT_EQ(1, TCGETS),
	    "isatty(2) before a report (test: sanitizer reports)"),
	SB_RULE(readlink, SB_EACCES,
	    "UBSan reads /proc/self/exe for a report (test: sanitizer reports)"),
#endif
};

#ifdef HS_SANITIZERS
/*
 * LeakSanitizer's check at exit() needs /proc, ptrace and a new thread,
 * none of which a sandboxed process has: it would turn every exit() (and
 * fatal()) into a crash.  Leaks in the code that runs sandboxed are found
 * by the tests that run it outside.  The runtime asks this function.
 */
static volatile sig_atomic_t sb_lsan_off;

int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return sb_lsan_off;
}
#endif

#ifdef HS_TEST_HOOKS
/*
 * HSSHD_SECCOMP_TRAP=1: a forbidden call raises SIGSYS, whose handler
 * reports it and exits.  The names are resolved before the filter is
 * loaded; the handler only reads them.  They live as long as the process.
 */
#define SB_TRAP_NAMES	1024
static const char *sb_trap_names[SB_TRAP_NAMES];

static size_t
sb_append(char *dst, size_t off, size_t size, const char *s)
{
	while (*s != '\0' && off + 1 < size)
		dst[off++] = *s++;
	return off;
}

static void
sb_sigsys(int sig, siginfo_t *info, void *uctx)
{
	char msg[160], num[16];
	size_t off = 0, n = 0, i;
	unsigned int nr;
	int sys;

	(void)sig;
	(void)uctx;
	sys = info->si_syscall;
	nr = sys < 0 ? 0u - (unsigned int)sys : (unsigned int)sys;
	/* Digits, least significant first, then reversed. */
	do {
		num[n++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr != 0 && n < sizeof(num) - 2);
	if (sys < 0)
		num[n++] = '-';
	for (i = 0; i < n / 2; i++) {
		char c = num[i];

		num[i] = num[n - 1 - i];
		num[n - 1 - i] = c;
	}
	num[n] = '\0';
	off = sb_append(msg, off, sizeof(msg),
	    "hsshd-preauth: sandbox: forbidden system call ");
	off = sb_append(msg, off, sizeof(msg), num);
	if (sys >= 0 && sys < SB_TRAP_NAMES && sb_trap_names[sys] != NULL) {
		off = sb_append(msg, off, sizeof(msg), " (");
		off = sb_append(msg, off, sizeof(msg), sb_trap_names[sys]);
		off = sb_append(msg, off, sizeof(msg), ")");
	}
	off = sb_append(msg, off, sizeof(msg), "\n");
	(void)write(STDERR_FILENO, msg, off);
	_exit(SANDBOX_TRAP_EXIT);
}

static bool
sb_trap_requested(void)
{
	const char *v = getenv("HSSHD_SECCOMP_TRAP");

	return v != NULL && strcmp(v, "1") == 0;
}

static int
sb_trap_install(void)
{
	struct sigaction sa;
	sigset_t set;
	int nr;

	for (nr = 0; nr < SB_TRAP_NAMES; nr++)
		sb_trap_names[nr] = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, nr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sb_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		return HS_ERR_SYSTEM;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) == -1)
		return HS_ERR_SYSTEM;
	return 0;
}
#endif /* HS_TEST_HOOKS */

/* libseccomp returns -errno; make it an HS_ERR with errno set. */
static int
sb_seccomp_err(int rc)
{
	errno = rc < 0 ? -rc : EINVAL;
	return HS_ERR_SYSTEM;
}

int
sandbox_load_filter(void)
{
	scmp_filter_ctx ctx = NULL;
	uint32_t def_action = SCMP_ACT_KILL_PROCESS;
	const struct sb_rule *rule;
	size_t i;
	int r, rc;

#ifdef HS_TEST_HOOKS
	if (sb_trap_requested()) {
		if ((r = sb_trap_install()) != 0)
			return r;
		def_action = SCMP_ACT_TRAP;
	}
#endif
	/* Only the native arch is added: anything else (i386 int 0x80,
	 * x32 numbers) meets the bad-arch action. */
	if ((ctx = seccomp_init(def_action)) == NULL) {
		errno = EOPNOTSUPP;
		return HS_ERR_SYSTEM;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) != 0) {
		r = sb_seccomp_err(rc);
		goto out;
	}
	for (i = 0; i < sizeof(sb_rules) / sizeof(sb_rules[0]); i++) {
		rule = &sb_rules[i];
		/* A pseudo-number: the call does not exist on this arch. */
		if (rule->nr < 0)
			continue;
		if ((rc = seccomp_rule_add_array(ctx, rule->action, rule->nr,
		    rule->argc, rule->argc > 0 ? &rule->arg : NULL)) != 0) {
			r = sb_seccomp_err(rc);
			goto out;
		}
	}
	if ((rc = seccomp_load(ctx)) != 0) {
		r = sb_seccomp_err(rc);
		goto out;
	}
	r = 0;
 out:
	rc = errno;
	seccomp_release(ctx);
	errno = rc;
	return r;
}

/* Enter the chroot through an fd, so the checked directory is the one we
 * enter. */
static void
sb_chroot(const char *dir)
{
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] != '/')
		fatal_f("chroot directory must be an absolute path");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal_f("open %s: %s", dir, strerror(errno));
	if (fstat(fd, &st) == -1)
		fatal_f("fstat %s: %s", dir, strerror(errno));
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatal_f("%s must be owned by root and not group or "
		    "world-writable", dir);
	if (fchdir(fd) == -1)
		fatal_f("chdir %s: %s", dir, strerror(errno));
	(void)close(fd);
	if (chroot(".") == -1)
		fatal_f("chroot %s: %s", dir, strerror(errno));
	if (chdir("/") == -1)
		fatal_f("chdir / in %s: %s", dir, strerror(errno));
}

static void
sb_drop_bounding_set(void)
{
	cap_value_t cap, max = cap_max_bits();

	for (cap = 0; cap < max; cap++) {
		if (cap_drop_bound(cap) == -1)
			fatal_f("cap_drop_bound %d: %s", (int)cap,
			    strerror(errno));
	}
	for (cap = 0; cap < max; cap++) {
		if (cap_get_bound(cap) != 0)
			fatal_f("capability %d still in the bounding set",
			    (int)cap);
	}
}

static void
sb_become_user(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (uid == 0 || gid == 0)
		fatal_f("the privsep user must not be root (uid %u gid %u)",
		    (unsigned int)uid, (unsigned int)gid);
	if (setgroups(0, NULL) == -1)
		fatal_f("setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) == -1)
		fatal_f("setresgid %u: %s", (unsigned int)gid, strerror(errno));
	if (setresuid(uid, uid, uid) == -1)
		fatal_f("setresuid %u: %s", (unsigned int)uid, strerror(errno));
	/* The change must not be undoable. */
	if (setgid(0) != -1 || setegid(0) != -1)
		fatal_f("could regain gid 0 after dropping it");
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatal_f("could regain uid 0 after dropping it");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal_f("getresuid: %s", strerror(errno));
	if (ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		fatal_f("ids are %u/%u/%u %u/%u/%u, not %u %u",
		    (unsigned int)ru, (unsigned int)eu, (unsigned int)su,
		    (unsigned int)rg, (unsigned int)eg, (unsigned int)sg,
		    (unsigned int)uid, (unsigned int)gid);
	if (getgroups(0, NULL) != 0)
		fatal_f("supplementary groups remain");
}

static void
sb_clear_caps(void)
{
	cap_t caps;
	cap_value_t cap, max = cap_max_bits();
	cap_flag_value_t v;
	static const cap_flag_t flags[] = {
		CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE,
	};
	size_t i;

	if ((caps = cap_init()) == NULL)
		fatal_f("cap_init: %s", strerror(errno));
	if (cap_set_proc(caps) == -1)
		fatal_f("cap_set_proc: %s", strerror(errno));
	cap_free(caps);
	if ((caps = cap_get_proc()) == NULL)
		fatal_f("cap_get_proc: %s", strerror(errno));
	for (cap = 0; cap < max; cap++) {
		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (cap_get_flag(caps, cap, flags[i], &v) == -1)
				fatal_f("cap_get_flag: %s", strerror(errno));
			if (v != CAP_CLEAR)
				fatal_f("capability %d still set", (int)cap);
		}
		/* Ambient capabilities go with the permitted set. */
		if (cap_get_ambient(cap) > 0)
			fatal_f("ambient capability %d still set", (int)cap);
	}
	cap_free(caps);
}

static void
sb_rlimit(int resource, const char *name, rlim_t v)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = v;
	if (setrlimit(resource, &rl) == -1)
		fatal_f("setrlimit %s %llu: %s", name, (unsigned long long)v,
		    strerror(errno));
}

static void
sb_close_above(int max_fd)
{
	struct rlimit rl;
	rlim_t fd;

	if (close_range((unsigned int)max_fd + 1, ~0u, 0) == 0)
		return;
	if (errno != ENOSYS)
		fatal_f("close_range: %s", strerror(errno));
	/* Kernels before 5.9: every fd below the current limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal_f("getrlimit: %s", strerror(errno));
	for (fd = (rlim_t)max_fd + 1; fd < rl.rlim_cur && fd < INT32_MAX; fd++)
		(void)close((int)fd);
}

void
sandbox_enter(const struct sandbox_opts *opts)
{
	pid_t parent = getppid();
	int r;

#ifdef HS_SANITIZERS
	sb_lsan_off = 1;
#endif
	if (opts == NULL || opts->max_fd < 0 || opts->max_fd >= INT32_MAX)
		fatal_f("bad sandbox options");
	if (opts->privileged) {
		sb_chroot(opts->chroot_dir);
		/* Needs CAP_SETPCAP, so before the uid changes. */
		sb_drop_bounding_set();
		sb_become_user(opts->uid, opts->gid);
	}
	/* Die with the monitor.  The uid change above clears this setting,
	 * and the filter below forbids prctl: arm it here, and make sure the
	 * monitor did not die in between. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal_f("PR_SET_PDEATHSIG: %s", strerror(errno));
	if (getppid() != parent)
		fatal_f("parent process exited");
	sb_clear_caps();
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		fatal_f("PR_SET_DUMPABLE: %s", strerror(errno));
	sb_close_above(opts->max_fd);
	sb_rlimit(RLIMIT_FSIZE, "FSIZE", 0);
	sb_rlimit(RLIMIT_NPROC, "NPROC", 0);
	sb_rlimit(RLIMIT_CORE, "CORE", 0);
	sb_rlimit(RLIMIT_NOFILE, "NOFILE", (rlim_t)opts->max_fd + 1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatal_f("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if ((r = sandbox_load_filter()) != 0)
		fatal_fr(r, "seccomp filter");
}
