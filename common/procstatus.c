/* SPDX-License-Identifier: ISC */
/*
 * /proc/PID/status parsing and the monitor's check that its child is
 * sandboxed (see procstatus.h).  Runs in hsshd-monitor as root; the text
 * is the kernel's, with pieces (the process name) a compromised child
 * picks, so it is read as untrusted through the text cursor.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/procstatus.h"
#include "common/txt.h"
#include "common/mem.h"

/* A value word in the lines we read: 16 hex digits or a decimal u32. */
#define PS_WORD_MAX	32u

/* Consume key (which ends in ':') if the line starts with it. */
static bool
ps_accept_key(struct txt *line, const char *key)
{
	struct txt save = *line;
	size_t i;

	for (i = 0; key[i] != '\0'; i++) {
		if (!txt_accept(line, key[i])) {
			*line = save;
			return false;
		}
	}
	return true;
}

/* Parse one word as a decimal (base 10) or hexadecimal (base 16) number
 * no larger than max.  Hex words must have exactly 16 digits (the form of
 * the Cap* lines). */
static int
ps_get_num(struct txt *line, int base, uint64_t max, uint64_t *ret)
{
	char *w = NULL, *end = NULL;
	unsigned long long v;
	size_t i, n;
	int r;

	*ret = 0;
	if ((r = txt_get_word(line, PS_WORD_MAX, &w)) != 0) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	n = strlen(w);
	for (i = 0; i < n; i++) {
		if ((base == 10 && (w[i] < '0' || w[i] > '9')) ||
		    (base == 16 && !((w[i] >= '0' && w[i] <= '9') ||
		    (w[i] >= 'a' && w[i] <= 'f') ||
		    (w[i] >= 'A' && w[i] <= 'F')))) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
	}
	if (n == 0 || (base == 16 && n != 16) || (base == 10 && n > 10)) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	errno = 0;
	v = strtoull(w, &end, base);
	if (errno != 0 || end == NULL || *end != '\0' || v > max) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	*ret = v;
	r = 0;
 out:
	free(w);
	return r;
}

/* The rest of the line must be blank. */
static int
ps_line_end(struct txt *line)
{
	txt_skip_blanks(line);
	return txt_eof(line) ? 0 : HS_ERR_BAD_FORMAT;
}

static int
ps_get_u32_line(struct txt *line, uint32_t max, uint32_t *ret)
{
	uint64_t v;
	int r;

	if ((r = ps_get_num(line, 10, max, &v)) != 0 ||
	    (r = ps_line_end(line)) != 0)
		return r;
	*ret = (uint32_t)v;
	return 0;
}

static int
ps_get_cap_line(struct txt *line, uint64_t *ret)
{
	int r;

	if ((r = ps_get_num(line, 16, UINT64_MAX, ret)) != 0 ||
	    (r = ps_line_end(line)) != 0)
		return r;
	return 0;
}

static int
ps_get_ids_line(struct txt *line, uint32_t ids[4])
{
	uint64_t v;
	size_t i;
	int r;

	for (i = 0; i < 4; i++) {
		if ((r = ps_get_num(line, 10, UINT32_MAX, &v)) != 0)
			return r;
		ids[i] = (uint32_t)v;
	}
	return ps_line_end(line);
}

int
procstatus_parse(const char *text, size_t len, struct procstatus *ret)
{
	struct procstatus ps;
	struct txt t, line;
	unsigned int bit;
	size_t nlines;
	int r;

	if (text == NULL || ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > PROCSTATUS_FILE_MAX)
		return HS_ERR_TOO_LONG;
	memset(&ps, 0, sizeof(ps));
	txt_init(&t, text, len);
	/* Each pass consumes a line; a line is at least one byte. */
	for (nlines = 0; !txt_eof(&t) && nlines <= PROCSTATUS_FILE_MAX;
	    nlines++) {
		if ((r = txt_get_line(&t, PROCSTATUS_FILE_MAX, &line)) != 0)
			goto out;
		if (ps_accept_key(&line, "Seccomp:")) {
			bit = PROCSTATUS_SECCOMP;
			r = ps_get_u32_line(&line, 2, &ps.seccomp);
		} else if (ps_accept_key(&line, "NoNewPrivs:")) {
			bit = PROCSTATUS_NONEWPRIVS;
			r = ps_get_u32_line(&line, 1, &ps.no_new_privs);
		} else if (ps_accept_key(&line, "CapInh:")) {
			bit = PROCSTATUS_CAPINH;
			r = ps_get_cap_line(&line, &ps.cap_inh);
		} else if (ps_accept_key(&line, "CapPrm:")) {
			bit = PROCSTATUS_CAPPRM;
			r = ps_get_cap_line(&line, &ps.cap_prm);
		} else if (ps_accept_key(&line, "CapEff:")) {
			bit = PROCSTATUS_CAPEFF;
			r = ps_get_cap_line(&line, &ps.cap_eff);
		} else if (ps_accept_key(&line, "CapBnd:")) {
			bit = PROCSTATUS_CAPBND;
			r = ps_get_cap_line(&line, &ps.cap_bnd);
		} else if (ps_accept_key(&line, "CapAmb:")) {
			bit = PROCSTATUS_CAPAMB;
			r = ps_get_cap_line(&line, &ps.cap_amb);
		} else if (ps_accept_key(&line, "Uid:")) {
			bit = PROCSTATUS_UID;
			r = ps_get_ids_line(&line, ps.uid);
		} else if (ps_accept_key(&line, "Gid:")) {
			bit = PROCSTATUS_GID;
			r = ps_get_ids_line(&line, ps.gid);
		} else
			continue;
		if (r != 0)
			goto out;
		/* The kernel writes each line once; a second one is forged. */
		if ((ps.seen & bit) != 0) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		ps.seen |= bit;
	}
	*ret = ps;
	r = 0;
 out:
	return r;
}

int
procstatus_ppid(const char *text, size_t len, uint32_t *ret)
{
	struct txt t, line;
	uint32_t v = 0;
	size_t nlines;
	bool seen = false;
	int r;

	if (text == NULL || ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > PROCSTATUS_FILE_MAX)
		return HS_ERR_TOO_LONG;
	txt_init(&t, text, len);
	/* Each pass consumes a line; a line is at least one byte. */
	for (nlines = 0; !txt_eof(&t) && nlines <= PROCSTATUS_FILE_MAX;
	    nlines++) {
		if ((r = txt_get_line(&t, PROCSTATUS_FILE_MAX, &line)) != 0)
			return r;
		if (!ps_accept_key(&line, "PPid:"))
			continue;
		/* The kernel writes it once; a second one is forged. */
		if (seen || (r = ps_get_u32_line(&line, INT32_MAX, &v)) != 0)
			return HS_ERR_BAD_FORMAT;
		seen = true;
	}
	if (!seen)
		return HS_ERR_NOT_FOUND;
	*ret = v;
	return 0;
}

static int __attribute__((format(printf, 2, 3)))
ps_why(char **why, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if ((s = malloc(256)) == NULL)
		return HS_ERR_ALLOC;
	va_start(ap, fmt);
	(void)vsnprintf(s, 256, fmt, ap);
	va_end(ap);
	*why = s;
	return 0;
}

/* HS_ERR_SANDBOX with a reason, or HS_ERR_ALLOC if even that fails. */
#define PS_FAIL(...) do { \
	r = ps_why(why, __VA_ARGS__); \
	if (r == 0) \
		r = HS_ERR_SANDBOX; \
	goto out; \
} while (0)

static const struct {
	unsigned int	 bit;
	const char	*name;
} ps_lines[] = {
	{ PROCSTATUS_SECCOMP,	 "Seccomp" },
	{ PROCSTATUS_NONEWPRIVS, "NoNewPrivs" },
	{ PROCSTATUS_CAPINH,	 "CapInh" },
	{ PROCSTATUS_CAPPRM,	 "CapPrm" },
	{ PROCSTATUS_CAPEFF,	 "CapEff" },
	{ PROCSTATUS_CAPBND,	 "CapBnd" },
	{ PROCSTATUS_CAPAMB,	 "CapAmb" },
	{ PROCSTATUS_UID,	 "Uid" },
	{ PROCSTATUS_GID,	 "Gid" },
};

int
procstatus_check(const struct procstatus *ps, bool privileged, uid_t uid,
    gid_t gid, char **why)
{
	size_t i;
	int r;

	if (why == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*why = NULL;
	if (ps == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < sizeof(ps_lines) / sizeof(ps_lines[0]); i++) {
		if ((ps->seen & ps_lines[i].bit) == 0)
			PS_FAIL("no %s line", ps_lines[i].name);
	}
	if (ps->seccomp != 2)
		PS_FAIL("Seccomp is %u, not 2 (filter)", ps->seccomp);
	if (ps->no_new_privs != 1)
		PS_FAIL("NoNewPrivs is %u, not 1", ps->no_new_privs);
	if (ps->cap_eff != 0)
		PS_FAIL("CapEff is %016llx, not empty",
		    (unsigned long long)ps->cap_eff);
	if (ps->cap_prm != 0)
		PS_FAIL("CapPrm is %016llx, not empty",
		    (unsigned long long)ps->cap_prm);
	if (ps->cap_inh != 0)
		PS_FAIL("CapInh is %016llx, not empty",
		    (unsigned long long)ps->cap_inh);
	if (ps->cap_amb != 0)
		PS_FAIL("CapAmb is %016llx, not empty",
		    (unsigned long long)ps->cap_amb);
	if (privileged) {
		if (ps->cap_bnd != 0)
			PS_FAIL("CapBnd is %016llx, not empty",
			    (unsigned long long)ps->cap_bnd);
		for (i = 0; i < 4; i++) {
			if (ps->uid[i] != (uint32_t)uid)
				PS_FAIL("Uid is %u %u %u %u, not %u",
				    ps->uid[0], ps->uid[1], ps->uid[2],
				    ps->uid[3], (unsigned int)uid);
		}
		for (i = 0; i < 4; i++) {
			if (ps->gid[i] != (uint32_t)gid)
				PS_FAIL("Gid is %u %u %u %u, not %u",
				    ps->gid[0], ps->gid[1], ps->gid[2],
				    ps->gid[3], (unsigned int)gid);
		}
	}
	r = 0;
 out:
	return r;
}

/* Read a whole small /proc file; HS_ERR_TOO_LONG above max bytes. */
static int
ps_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	char *d = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1, r, saved_errno = 0;

	*ret = NULL;
	*ret_len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		r = HS_ERR_SYSTEM;
		goto out;
	}
	/* One spare byte tells a file of exactly max bytes from a longer
	 * one. */
	if ((d = malloc(max + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* Each pass reads at least one byte or ends the loop. */
	while (len <= max) {
		n = read(fd, d + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = HS_ERR_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	*ret = d;
	*ret_len = len;
	d = NULL;
	r = 0;
 out:
	if (r == HS_ERR_SYSTEM)
		saved_errno = errno;
	free(d);
	if (fd != -1)
		(void)close(fd);
	if (saved_errno != 0)
		errno = saved_errno;
	return r;
}

int
procstatus_read(pid_t pid, char **ret, size_t *ret_len)
{
	char path[64];

	*ret = NULL;
	*ret_len = 0;
	if (pid <= 0)
		return HS_ERR_INVALID_ARGUMENT;
	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	return ps_read_file(path, PROCSTATUS_FILE_MAX, ret, ret_len);
}

int
sandbox_check_status(pid_t pid, bool privileged, uid_t uid, gid_t gid,
    const char *chroot_dir, char **why)
{
	struct procstatus ps;
	char path[64], root[PATH_MAX], *want = NULL, *text = NULL;
	size_t len = 0;
	ssize_t n;
	int r;

	if (why == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*why = NULL;
	if (pid <= 0 || (privileged && chroot_dir == NULL))
		return HS_ERR_INVALID_ARGUMENT;
	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((r = ps_read_file(path, PROCSTATUS_FILE_MAX, &text, &len)) != 0) {
		if (ps_why(why, "cannot read %s: %s", path,
		    hs_err_str(r)) != 0)
			r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = procstatus_parse(text, len, &ps)) != 0) {
		if (ps_why(why, "%s: %s", path, hs_err_str(r)) != 0)
			r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = procstatus_check(&ps, privileged, uid, gid, why)) != 0)
		goto out;
	if (privileged) {
		/* The kernel shows the resolved path of the root it
		 * chroot()ed to; resolve ours the same way. */
		if ((want = realpath(chroot_dir, NULL)) == NULL) {
			r = HS_ERR_SYSTEM;
			if (ps_why(why, "cannot resolve %s: %s", chroot_dir,
			    strerror(errno)) != 0)
				r = HS_ERR_ALLOC;
			goto out;
		}
		(void)snprintf(path, sizeof(path), "/proc/%ld/root",
		    (long)pid);
		n = readlink(path, root, sizeof(root));
		if (n < 0 || (size_t)n >= sizeof(root)) {
			r = n < 0 ? HS_ERR_SYSTEM : HS_ERR_TOO_LONG;
			if (ps_why(why, "cannot read %s: %s", path,
			    n < 0 ? strerror(errno) : "too long") != 0)
				r = HS_ERR_ALLOC;
			goto out;
		}
		root[n] = '\0';
		if (strcmp(root, want) != 0)
			PS_FAIL("root directory is %s, not %s", root, want);
	}
	r = 0;
 out:
	free(want);
	free(text);
	return r;
}
