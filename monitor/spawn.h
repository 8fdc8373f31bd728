/* SPDX-License-Identifier: ISC */
/*
 * fork + exec of hsshd's helper programs (hsshd-monitor, hsshd-preauth,
 * hsshd-session) with a fixed descriptor layout, so each one starts with a
 * fresh address space and inherits nothing but what it is given.
 */
#ifndef HS_SPAWN_H
#define HS_SPAWN_H

#include <sys/types.h>

#include "common/helper.h"

/*
 * Start helper `name` from the libexec directory with fd_a as HELPER_FD_A
 * and fd_b as HELPER_FD_B (either may be -1), stdin/stdout on /dev/null, stderr kept,
 * all other descriptors closed, signals reset, in a new session (so its
 * whole process group can be killed).  argv is
 * { name, "-R", RPC_PROTO_VERSION, extra..., NULL }.  Returns the pid or
 * -1 (logged).
 */
pid_t	spawn_helper(const char *name, int fd_a, int fd_b,
	    char *const *extra);
/* As spawn_helper, with pre_exec(arg) run in the child just before exec
 * (after the descriptors are in place); it must _exit on failure. */
pid_t	spawn_helper_ex(const char *name, int fd_a, int fd_b,
	    char *const *extra, void (*pre_exec)(void *), void *arg);
/* Path of a helper program (caller frees). */
char	*spawn_helper_path(const char *name);

#endif
