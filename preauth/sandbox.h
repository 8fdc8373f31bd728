/* SPDX-License-Identifier: ISC */
/*
 * The pre-auth sandbox of hsshd-preauth: chroot, privsep user, no
 * capabilities, rlimits, no_new_privs and a seccomp filter.  Entered once,
 * by the child, after it has received everything it needs from the monitor
 * and before it reads a byte from the network.  The monitor checks the
 * result from outside with sandbox_check_status() (common/procstatus.h).
 */
#ifndef HS_SANDBOX_H
#define HS_SANDBOX_H

#include <sys/types.h>

#include <stdbool.h>

struct sandbox_opts {
	bool		 privileged;	/* started as root: chroot + setuid too */
	const char	*chroot_dir;	/* e.g. PRIVSEP_PATH; root-owned, not
					 * group/world-writable */
	uid_t		 uid;		/* privsep user (never 0) */
	gid_t		 gid;
	int		 max_fd;	/* highest fd the child keeps: higher
					 * ones are closed, RLIMIT_NOFILE is
					 * max_fd + 1 */
};

/* Exit status of a child that the HSSHD_SECCOMP_TRAP=1 debug mode (test
 * hooks builds only) caught making a forbidden system call. */
#define SANDBOX_TRAP_EXIT	159

/*
 * Enter the sandbox.  The caller has already called sodium_init() and
 * randombytes_buf() once (so nothing needs open() later).  Any failure is
 * fatal (fatal(), exit status 255).  In the test-hooks build, the
 * environment variable HSSHD_SECCOMP_TRAP=1 makes a forbidden system call
 * print its number and name to standard error and exit with
 * SANDBOX_TRAP_EXIT, instead of killing the process with SIGSYS.
 */
void	 sandbox_enter(const struct sandbox_opts *);

/*
 * Build and load only the seccomp filter (sandbox_enter() calls it last;
 * exposed for the tests).  0, or a negative HS_ERR_* code with errno set.
 */
int	 sandbox_load_filter(void);

#endif
