/* SPDX-License-Identifier: ISC */
/*
 * Checking, from outside, that a child really is in the pre-auth sandbox:
 * hsshd-monitor (root) reads /proc/PID/status and /proc/PID/root of its
 * hsshd-preauth child before serving anything after HELLO.  The text is
 * written by the kernel, but a compromised child chooses parts of it (its
 * name), so it is parsed as untrusted text through common/txt.h.
 * Return values: 0 on success or a negative HS_ERR_* code.
 */
#ifndef HS_PROCSTATUS_H
#define HS_PROCSTATUS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits of struct procstatus.seen: which lines were present. */
#define PROCSTATUS_SECCOMP	0x001u
#define PROCSTATUS_NONEWPRIVS	0x002u
#define PROCSTATUS_CAPINH	0x004u
#define PROCSTATUS_CAPPRM	0x008u
#define PROCSTATUS_CAPEFF	0x010u
#define PROCSTATUS_CAPBND	0x020u
#define PROCSTATUS_CAPAMB	0x040u
#define PROCSTATUS_UID		0x080u
#define PROCSTATUS_GID		0x100u

struct procstatus {
	unsigned int	seen;		/* PROCSTATUS_* bits */
	uint32_t	seccomp;	/* 0 off, 1 strict, 2 filter */
	uint32_t	no_new_privs;
	uint64_t	cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t	uid[4];		/* real, effective, saved, filesystem */
	uint32_t	gid[4];
};

/*
 * Parse the text of a /proc/PID/status file (len bytes, need not be
 * NUL-terminated).  Lines other than the ones in struct procstatus are
 * skipped.  HS_ERR_BAD_FORMAT if a known line is malformed or repeated,
 * HS_ERR_STRING_NUL if the text holds a NUL byte, HS_ERR_TOO_LONG above
 * PROCSTATUS_FILE_MAX.  *ret is written only on success.
 */
int	 procstatus_parse(const char *text, size_t len, struct procstatus *ret);

/*
 * Does a parsed status show the sandbox?  Seccomp 2, NoNewPrivs 1, CapInh,
 * CapPrm, CapEff and CapAmb zero; when privileged also CapBnd zero and
 * every Uid/Gid field equal to uid/gid.  0 if so; otherwise HS_ERR_SANDBOX
 * and *why (heap string, caller frees) names the line that is wrong.
 * *why is NULL on success.
 */
/*
 * The "PPid:" line of the same text (a pid, at most INT32_MAX):
 * HS_ERR_NOT_FOUND without one, HS_ERR_BAD_FORMAT if it is malformed or
 * repeated, HS_ERR_STRING_NUL for a NUL byte in a line; *ret is written
 * on success only.
 */
int	 procstatus_ppid(const char *text, size_t len, uint32_t *ret);

/* /proc/PID/status read whole (at most PROCSTATUS_FILE_MAX bytes) into
 * a new buffer the caller frees; HS_ERR_SYSTEM, HS_ERR_TOO_LONG. */
int	 procstatus_read(pid_t pid, char **ret, size_t *ret_len);

int	 procstatus_check(const struct procstatus *, bool privileged, uid_t uid,
	    gid_t gid, char **why);

/*
 * The monitor's check of its child pid: procstatus_check() on
 * /proc/PID/status and, when privileged, that /proc/PID/root resolves to
 * chroot_dir (compared after resolving symbolic links in chroot_dir).
 * HS_ERR_SANDBOX with *why set if the child is not confined; HS_ERR_SYSTEM
 * and the like (with *why set too) if the files cannot be read.
 * Call it only on an unreaped child, so the pid cannot be reused.
 */
int	 sandbox_check_status(pid_t pid, bool privileged, uid_t uid, gid_t gid,
	    const char *chroot_dir, char **why);

#endif
