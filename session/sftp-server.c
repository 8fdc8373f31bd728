/* SPDX-License-Identifier: ISC */
/*
 * internal-sftp, sshd's built-in SFTP server.  Runs in a child that
 * hsshd-session forked for the channel: the logged-in user, no
 * capabilities, maybe chrooted by the monitor; no exec, so a chroot needs
 * no binaries.  Every request is attacker-controlled (an authenticated,
 * untrusted client); it gets the user's file system rights and no more.
 * Requests are parsed in session/sftp-msg.c; this file frames messages,
 * keeps the handle table and does the file system calls.  Memory is
 * bounded: input is read only while the input buffer has room, a request
 * is served only while a largest reply fits in the output buffer, and
 * the handle table holds SFTP_HANDLES_MAX entries.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/txt.h"
#include "policy/match.h"
#include "session/sftp-msg.h"
#include "session/sftp-server.h"

enum handle_type { HANDLE_UNUSED = 0, HANDLE_FILE, HANDLE_DIR };

struct handle {
	enum handle_type type;
	uint32_t	 gen;
	int		 fd;
	DIR		*dir;
	char		*name;
	int		 flags;		/* open(2) flags of a file */
	uint64_t	 bytes_read, bytes_write;
};

struct sftp_server {
	char		*user, *home;
	char		*start_dir;	/* -d, expanded; NULL: home */
	char		*denied, *allowed;	/* -P, -p */
	bool		 readonly;	/* -R */
	bool		 log_stderr;	/* -e */
	int		 facility;	/* -f, or -1 */
	enum log_level	 level;		/* -l */
	bool		 query;		/* -Q requests */
	bool		 has_umask;	/* -u */
	mode_t		 umask;
	bool		 init_done;
	uint32_t	 next_gen;
	struct handle	 handles[SFTP_HANDLES_MAX];
	struct buf	*out;		/* replies go here while processing */
	sftp_path_filter_fn *filter;
	void		*filter_ctx;
};

/* Extensions announced in VERSION, with their versions (OpenSSH's). */
static const struct {
	enum sftp_op	 op;
	const char	*version;
} sftp_exts[] = {
	{ SFTP_OP_POSIX_RENAME, "1" },
	{ SFTP_OP_STATVFS, "2" },
	{ SFTP_OP_FSTATVFS, "2" },
	{ SFTP_OP_HARDLINK, "1" },
	{ SFTP_OP_FSYNC, "1" },
	{ SFTP_OP_LSETSTAT, "1" },
	{ SFTP_OP_LIMITS, "1" },
	{ SFTP_OP_EXPAND_PATH, "1" },
	{ SFTP_OP_COPY_DATA, "1" },
	{ SFTP_OP_HOME_DIRECTORY, "1" },
};

static const char *const status_text[SSH2_FX_MAX + 1] = {
	"Success", "End of file", "No such file", "Permission denied",
	"Failure", "Bad message", "No connection", "Connection lost",
	"Operation unsupported",
};

static int
errno_to_status(int e)
{
	switch (e) {
	case 0:
		return SSH2_FX_OK;
	case ENOENT:
	case ENOTDIR:
	case EBADF:
	case ELOOP:
		return SSH2_FX_NO_SUCH_FILE;
	case EPERM:
	case EACCES:
	case EFAULT:
		return SSH2_FX_PERMISSION_DENIED;
	case ENAMETOOLONG:
	case EINVAL:
		return SSH2_FX_BAD_MESSAGE;
	case ENOSYS:
		return SSH2_FX_OP_UNSUPPORTED;
	default:
		return SSH2_FX_FAILURE;
	}
}

/* ---- replies ---- */

static struct buf *
reply_new(uint8_t type, uint32_t id)
{
	struct buf *b;
	int r;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	if ((r = buf_set_max_size(b, SFTP_MSG_MAX)) != 0 ||
	    (r = buf_put_u8(b, type)) != 0 || (r = buf_put_u32(b, id)) != 0)
		fatal_fr(r, "reply");
	return b;
}

/* Frame a reply into the output; the caller checked the room. */
static void
reply_send(struct sftp_server *s, struct buf *body)
{
	int r;

	if ((r = buf_put_u32(s->out, (uint32_t)buf_len(body))) != 0 ||
	    (r = buf_putb(s->out, body)) != 0)
		fatal_fr(r, "queue reply");
	buf_free(body);
}

static void
send_status(struct sftp_server *s, uint32_t id, int status)
{
	struct buf *b = reply_new(SSH2_FXP_STATUS, id);
	int r;

	debug3("request %u: sent status %d", id, status);
	if ((r = buf_put_u32(b, (uint32_t)status)) != 0 ||
	    (r = buf_put_cstring(b, status_text[status])) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0)
		fatal_fr(r, "status");
	reply_send(s, b);
}

static void
send_errno(struct sftp_server *s, uint32_t id, int e)
{
	send_status(s, id, errno_to_status(e));
}

static void
send_handle(struct sftp_server *s, uint32_t id, int idx)
{
	struct buf *b = reply_new(SSH2_FXP_HANDLE, id), *h;
	int r;

	if ((h = buf_new()) == NULL)
		fatal_f("out of memory");
	if ((r = buf_put_u32(h, (uint32_t)idx)) != 0 ||
	    (r = buf_put_u32(h, s->handles[idx].gen)) != 0 ||
	    (r = buf_put_stringb(b, h)) != 0)
		fatal_fr(r, "handle");
	buf_free(h);
	reply_send(s, b);
}

static void
send_attrs(struct sftp_server *s, uint32_t id, const struct stat *st)
{
	struct buf *b = reply_new(SSH2_FXP_ATTRS, id);
	struct sftp_attrs a;
	int r;

	sftp_attrs_from_stat(st, &a);
	if ((r = sftp_attrs_put(b, &a)) != 0)
		fatal_fr(r, "attrs");
	reply_send(s, b);
}

/* A NAME reply of one entry with empty attributes (REALPATH and kin). */
static void
send_one_name(struct sftp_server *s, uint32_t id, const char *name)
{
	struct buf *b = reply_new(SSH2_FXP_NAME, id);
	struct sftp_attrs a;
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = buf_put_u32(b, 1)) != 0 ||
	    (r = buf_put_cstring(b, name)) != 0 ||
	    (r = buf_put_cstring(b, name)) != 0 ||
	    (r = sftp_attrs_put(b, &a)) != 0)
		fatal_fr(r, "name");
	reply_send(s, b);
}

/* ---- handles ---- */

static int
handle_new(struct sftp_server *s, enum handle_type type, int fd, DIR *dir,
    const char *name, int flags)
{
	struct handle *h;
	int i;

	for (i = 0; i < (int)SFTP_HANDLES_MAX; i++) {
		h = &s->handles[i];
		if (h->type != HANDLE_UNUSED)
			continue;
		memset(h, 0, sizeof(*h));
		h->type = type;
		h->gen = ++s->next_gen;
		h->fd = fd;
		h->dir = dir;
		h->name = xstrdup(name);
		h->flags = flags;
		return i;
	}
	return -1;
}

/* The open handle the client names, of the given type (UNUSED: any), or
 * NULL. */
static struct handle *
handle_get(struct sftp_server *s, const uint8_t *hb, size_t len,
    enum handle_type type)
{
	struct handle *h;
	struct buf *b;
	uint32_t idx = 0, gen = 0;
	int r;

	if (len != SFTP_HANDLE_LEN || (b = buf_from(hb, len)) == NULL)
		return NULL;
	r = buf_get_u32(b, &idx) != 0 || buf_get_u32(b, &gen) != 0 ||
	    buf_get_end(b) != 0;
	buf_free(b);
	if (r != 0 || idx >= SFTP_HANDLES_MAX)
		return NULL;
	h = &s->handles[idx];
	if (h->type == HANDLE_UNUSED || h->gen != gen ||
	    (type != HANDLE_UNUSED && h->type != type))
		return NULL;
	return h;
}

/* Close a handle; 0 or the errno of close(2). */
static int
handle_close(struct handle *h)
{
	int r = 0;

	if (h->type == HANDLE_FILE) {
		logit("close \"%s\" bytes read %llu written %llu", h->name,
		    (unsigned long long)h->bytes_read,
		    (unsigned long long)h->bytes_write);
		if (close(h->fd) == -1)
			r = errno;
	} else if (h->type == HANDLE_DIR) {
		logit("closedir \"%s\"", h->name);
		if (closedir(h->dir) == -1)
			r = errno;
	}
	free(h->name);
	memset(h, 0, sizeof(*h));
	h->type = HANDLE_UNUSED;
	return r;
}

/* ---- helpers ---- */

/*
 * realpath(3), except that the last component may not exist yet (the
 * client asks where a file it is about to create will be), as OpenSSH's
 * sftp_realpath.  Heap string, or NULL with errno set.
 */
static char *
sftp_realpath(const char *path)
{
	char *res, *dcopy = NULL, *bcopy = NULL, *dres = NULL, *ret = NULL;
	const char *d, *b;
	int saved;

	if ((res = realpath(path, NULL)) != NULL || errno != ENOENT)
		return res;
	dcopy = xstrdup(path);
	bcopy = xstrdup(path);
	d = dirname(dcopy);
	b = basename(bcopy);
	if (strcmp(b, ".") == 0 || strcmp(b, "..") == 0 ||
	    strcmp(b, "/") == 0) {
		errno = ENOENT;
		goto out;
	}
	if ((dres = realpath(d, NULL)) == NULL)
		goto out;
	xasprintf(&ret, "%s%s%s", dres, strcmp(dres, "/") == 0 ? "" : "/", b);
 out:
	saved = errno;
	free(dcopy);
	free(bcopy);
	free(dres);
	errno = saved;
	return ret;
}

static int
flags_from_portable(uint32_t pflags)
{
	int flags = 0;

	if ((pflags & SSH2_FXF_READ) && (pflags & SSH2_FXF_WRITE))
		flags = O_RDWR;
	else if (pflags & SSH2_FXF_READ)
		flags = O_RDONLY;
	else if (pflags & SSH2_FXF_WRITE)
		flags = O_WRONLY;
	if (pflags & SSH2_FXF_APPEND)
		flags |= O_APPEND;
	if (pflags & SSH2_FXF_CREAT)
		flags |= O_CREAT;
	if (pflags & SSH2_FXF_TRUNC)
		flags |= O_TRUNC;
	if (pflags & SSH2_FXF_EXCL)
		flags |= O_EXCL;
	return flags;
}

/* "READ,WRITE,CREATE,TRUNCATE" as sftp-server logs open flags. */
static void
flags_text(uint32_t pflags, char *out, size_t outlen)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ SSH2_FXF_READ, "READ" }, { SSH2_FXF_WRITE, "WRITE" },
		{ SSH2_FXF_APPEND, "APPEND" }, { SSH2_FXF_CREAT, "CREATE" },
		{ SSH2_FXF_TRUNC, "TRUNCATE" }, { SSH2_FXF_EXCL, "EXCL" },
	};
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((pflags & names[i].bit) == 0)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
		    used > 0 ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

/* ls -l style mode: "drwxr-xr-x". */
static void
mode_text(mode_t m, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISREG(m) ? '-' :
	    S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' :
	    S_ISSOCK(m) ? 's' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

/* The long name of a READDIR entry, as "ls -l" prints it (and as
 * sftp-server does, which clients show verbatim). */
static char *
long_name(const char *name, const struct stat *st)
{
	char mode[11], ubuf[32], gbuf[32], tbuf[32], pwbuf[1024];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	const char *user, *group;
	struct tm tm;
	time_t now = time(NULL);
	const time_t half_year = 365 * 24 * 60 * 60 / 2;
	char *ret = NULL;
	int ulen, glen;

	mode_text(st->st_mode, mode);
	snprintf(ubuf, sizeof(ubuf), "%u", (unsigned int)st->st_uid);
	snprintf(gbuf, sizeof(gbuf), "%u", (unsigned int)st->st_gid);
	user = ubuf;
	if (getpwuid_r(st->st_uid, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 &&
	    pwp != NULL && strlen(pwp->pw_name) < sizeof(ubuf)) {
		snprintf(ubuf, sizeof(ubuf), "%s", pwp->pw_name);
	}
	group = gbuf;
	if (getgrgid_r(st->st_gid, &gr, pwbuf, sizeof(pwbuf), &grp) == 0 &&
	    grp != NULL && strlen(grp->gr_name) < sizeof(gbuf)) {
		snprintf(gbuf, sizeof(gbuf), "%s", grp->gr_name);
	}
	tbuf[0] = '\0';
	if (localtime_r(&st->st_mtime, &tm) != NULL) {
		if (st->st_mtime > now - half_year &&
		    st->st_mtime < now + half_year)
			strftime(tbuf, sizeof(tbuf), "%b %e %H:%M", &tm);
		else
			strftime(tbuf, sizeof(tbuf), "%b %e  %Y", &tm);
	}
	ulen = strlen(user) > 8 ? (int)strlen(user) : 8;
	glen = strlen(group) > 8 ? (int)strlen(group) : 8;
	xasprintf(&ret, "%s %3u %-*s %-*s %8llu %s %s", mode,
	    (unsigned int)st->st_nlink, ulen, user, glen, group,
	    (unsigned long long)st->st_size, tbuf, name);
	return ret;
}

/* Whether -P/-p let a request through (sftp-server's rules: a denied
 * name is refused, then an allow list, if any, must name it). */
static bool
is_permitted(const struct sftp_server *s, enum sftp_op op)
{
	const char *name = sftp_op_name(op);

	if (name == NULL)
		return true;
	if (s->denied != NULL && match_pattern_list(name, s->denied,
	    false) == 1) {
		verbose("Refusing denylisted %s request", name);
		return false;
	}
	if (s->allowed != NULL) {
		if (match_pattern_list(name, s->allowed, false) == 1) {
			debug2("Permitting allowlisted %s request", name);
			return true;
		}
		verbose("Refusing non-allowlisted %s request", name);
		return false;
	}
	return true;
}

/* ---- requests ---- */

static void
do_init(struct sftp_server *s, const struct sftp_req *req)
{
	struct buf *b;
	size_t i;
	int r;

	verbose("received client version %u", req->version);
	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	if ((r = buf_put_u8(b, SSH2_FXP_VERSION)) != 0 ||
	    (r = buf_put_u32(b, SFTP_VERSION)) != 0)
		fatal_fr(r, "version");
	for (i = 0; i < sizeof(sftp_exts) / sizeof(sftp_exts[0]); i++) {
		if ((r = buf_put_cstring(b, sftp_op_ext_name(
		    sftp_exts[i].op))) != 0 ||
		    (r = buf_put_cstring(b, sftp_exts[i].version)) != 0)
			fatal_fr(r, "version");
	}
	reply_send(s, b);
	s->init_done = true;
}

static void
do_open(struct sftp_server *s, const struct sftp_req *req)
{
	char ftext[64];
	int flags = flags_from_portable(req->pflags), fd, idx;
	mode_t mode = 0666;

	if (req->attrs.flags & SSH2_FILEXFER_ATTR_PERMISSIONS)
		mode = req->attrs.perm & 07777;
	flags_text(req->pflags, ftext, sizeof(ftext));
	logit("open \"%s\" flags %s mode 0%o", req->path, ftext,
	    (unsigned int)mode);
	if (s->readonly && ((flags & O_ACCMODE) != O_RDONLY ||
	    (flags & (O_CREAT | O_TRUNC)) != 0)) {
		verbose("Refusing open request in read-only mode");
		send_status(s, req->id, SSH2_FX_PERMISSION_DENIED);
		return;
	}
	if ((fd = open(req->path, flags | O_NOCTTY | O_CLOEXEC, mode)) == -1) {
		send_errno(s, req->id, errno);
		return;
	}
	if ((idx = handle_new(s, HANDLE_FILE, fd, NULL, req->path,
	    flags)) == -1) {
		(void)close(fd);
		error("too many open handles");
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	send_handle(s, req->id, idx);
}

static void
do_close(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;

	if ((h = handle_get(s, req->handle, req->handle_len,
	    HANDLE_UNUSED)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	send_errno(s, req->id, handle_close(h));
}

static void
do_read(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;
	struct buf *b;
	uint8_t *data;
	uint32_t len = req->len;
	ssize_t n;
	int r;

	if ((h = handle_get(s, req->handle, req->handle_len,
	    HANDLE_FILE)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	if (req->offset > (uint64_t)INT64_MAX) {
		send_status(s, req->id, SSH2_FX_BAD_MESSAGE);
		return;
	}
	if (len > SFTP_READ_MAX) {
		debug2("read change len %u to %u", len, SFTP_READ_MAX);
		len = SFTP_READ_MAX;
	}
	data = xmalloc(len > 0 ? len : 1);
	n = pread(h->fd, data, len, (off_t)req->offset);
	if (n == -1 && errno == ESPIPE)
		n = read(h->fd, data, len);
	if (n == -1)
		send_errno(s, req->id, errno);
	else if (n == 0 && len > 0)
		send_status(s, req->id, SSH2_FX_EOF);
	else {
		b = reply_new(SSH2_FXP_DATA, req->id);
		if ((r = buf_put_string(b, data, (size_t)n)) != 0)
			fatal_fr(r, "data");
		reply_send(s, b);
		h->bytes_read += (uint64_t)n;
	}
	free(data);
}

/*
 * Write all of data at off (or at the end for O_APPEND), consuming it;
 * 0 or an errno value.  Each pass writes something or stops.
 */
static int
write_all(int fd, struct buf *data, uint64_t off, bool append,
    uint64_t *count)
{
	ssize_t n;

	while (buf_len(data) > 0) {
		if (append)
			n = write(fd, buf_ptr(data), buf_len(data));
		else
			n = pwrite(fd, buf_ptr(data), buf_len(data),
			    (off_t)off);
		if (n == -1 && errno == ESPIPE)
			n = write(fd, buf_ptr(data), buf_len(data));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? ENOSPC : errno;
		(void)buf_consume(data, (size_t)n);
		off += (uint64_t)n;
		*count += (uint64_t)n;
	}
	return 0;
}

static void
do_write(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;
	struct buf *data;

	if ((h = handle_get(s, req->handle, req->handle_len,
	    HANDLE_FILE)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	if (req->offset > (uint64_t)INT64_MAX - req->data_len) {
		send_status(s, req->id, SSH2_FX_BAD_MESSAGE);
		return;
	}
	if ((data = buf_from(req->data, req->data_len)) == NULL)
		fatal_f("out of memory");
	send_errno(s, req->id, write_all(h->fd, data, req->offset,
	    (h->flags & O_APPEND) != 0, &h->bytes_write));
	buf_free(data);
}

static void
do_stat(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;
	struct stat st;
	int r;

	switch (req->op) {
	case SFTP_OP_FSTAT:
		if ((h = handle_get(s, req->handle, req->handle_len,
		    HANDLE_UNUSED)) == NULL) {
			send_status(s, req->id, SSH2_FX_FAILURE);
			return;
		}
		debug("fstat \"%s\"", h->name);
		r = h->type == HANDLE_FILE ? fstat(h->fd, &st) :
		    fstat(dirfd(h->dir), &st);
		break;
	case SFTP_OP_LSTAT:
		verbose("lstat name \"%s\"", req->path);
		r = lstat(req->path, &st);
		break;
	default:
		verbose("stat name \"%s\"", req->path);
		r = stat(req->path, &st);
		break;
	}
	if (r == -1)
		send_errno(s, req->id, errno);
	else
		send_attrs(s, req->id, &st);
}

/*
 * Apply attributes, to fd if it is not -1, else to path (not following
 * a final symlink if nofollow).  Returns an SSH2_FX_* status.
 */
static int
apply_attrs(const char *name, int fd, const char *path,
    const struct sftp_attrs *a, bool nofollow)
{
	int atflags = nofollow ? AT_SYMLINK_NOFOLLOW : 0;
	struct timespec ts[2];
	char tbuf[64];
	struct tm tm;
	time_t t;
	int r;

	if (a->flags & SSH2_FILEXFER_ATTR_SIZE) {
		if (nofollow)
			return SSH2_FX_BAD_MESSAGE;	/* not for links */
		logit("set \"%s\" size %llu", name,
		    (unsigned long long)a->size);
		if (a->size > (uint64_t)INT64_MAX)
			return SSH2_FX_BAD_MESSAGE;
		r = fd != -1 ? ftruncate(fd, (off_t)a->size) :
		    truncate(path, (off_t)a->size);
		if (r == -1)
			return errno_to_status(errno);
	}
	if (a->flags & SSH2_FILEXFER_ATTR_PERMISSIONS) {
		logit("set \"%s\" mode %04o", name, a->perm & 07777);
		r = fd != -1 ? fchmod(fd, (mode_t)(a->perm & 07777)) :
		    fchmodat(AT_FDCWD, path, (mode_t)(a->perm & 07777),
		    atflags);
		if (r == -1)
			return errno_to_status(errno);
	}
	if (a->flags & SSH2_FILEXFER_ATTR_ACMODTIME) {
		t = (time_t)a->mtime;
		tbuf[0] = '\0';
		if (localtime_r(&t, &tm) != NULL)
			strftime(tbuf, sizeof(tbuf), "%Y%m%d-%H:%M:%S", &tm);
		logit("set \"%s\" modtime %s", name, tbuf);
		ts[0].tv_sec = (time_t)a->atime;
		ts[0].tv_nsec = 0;
		ts[1].tv_sec = (time_t)a->mtime;
		ts[1].tv_nsec = 0;
		r = fd != -1 ? futimens(fd, ts) :
		    utimensat(AT_FDCWD, path, ts, atflags);
		if (r == -1)
			return errno_to_status(errno);
	}
	if (a->flags & SSH2_FILEXFER_ATTR_UIDGID) {
		logit("set \"%s\" owner %lu group %lu", name,
		    (unsigned long)a->uid, (unsigned long)a->gid);
		r = fd != -1 ? fchown(fd, (uid_t)a->uid, (gid_t)a->gid) :
		    fchownat(AT_FDCWD, path, (uid_t)a->uid, (gid_t)a->gid,
		    atflags);
		if (r == -1)
			return errno_to_status(errno);
	}
	return SSH2_FX_OK;
}

static void
do_setstat(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;

	if (req->op == SFTP_OP_FSETSTAT) {
		if ((h = handle_get(s, req->handle, req->handle_len,
		    HANDLE_UNUSED)) == NULL) {
			send_status(s, req->id, SSH2_FX_FAILURE);
			return;
		}
		send_status(s, req->id, apply_attrs(h->name,
		    h->type == HANDLE_FILE ? h->fd : dirfd(h->dir), NULL,
		    &req->attrs, false));
		return;
	}
	send_status(s, req->id, apply_attrs(req->path, -1, req->path,
	    &req->attrs, req->op == SFTP_OP_LSETSTAT));
}

static void
do_opendir(struct sftp_server *s, const struct sftp_req *req)
{
	DIR *d;
	int idx;

	logit("opendir \"%s\"", req->path);
	if ((d = opendir(req->path)) == NULL) {
		send_errno(s, req->id, errno);
		return;
	}
	if ((idx = handle_new(s, HANDLE_DIR, -1, d, req->path, 0)) == -1) {
		(void)closedir(d);
		error("too many open handles");
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	send_handle(s, req->id, idx);
}

static void
do_readdir(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;
	struct buf *entries = NULL, *b;
	struct dirent *de;
	struct sftp_attrs a;
	struct stat st;
	uint32_t count = 0;
	char *ln;
	int r;

	if ((h = handle_get(s, req->handle, req->handle_len,
	    HANDLE_DIR)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	debug("readdir \"%s\"", h->name);
	if ((entries = buf_new()) == NULL)
		fatal_f("out of memory");
	/* At most SFTP_READDIR_MAX names of at most NAME_MAX bytes each:
	 * well within SFTP_MSG_MAX. */
	while (count < SFTP_READDIR_MAX) {
		errno = 0;
		if ((de = readdir(h->dir)) == NULL)
			break;
		if (fstatat(dirfd(h->dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		ln = long_name(de->d_name, &st);
		sftp_attrs_from_stat(&st, &a);
		if ((r = buf_put_cstring(entries, de->d_name)) != 0 ||
		    (r = buf_put_cstring(entries, ln)) != 0 ||
		    (r = sftp_attrs_put(entries, &a)) != 0)
			fatal_fr(r, "readdir");
		free(ln);
		count++;
	}
	if (count == 0) {
		send_status(s, req->id, errno != 0 ?
		    errno_to_status(errno) : SSH2_FX_EOF);
	} else {
		b = reply_new(SSH2_FXP_NAME, req->id);
		if ((r = buf_put_u32(b, count)) != 0 ||
		    (r = buf_putb(b, entries)) != 0)
			fatal_fr(r, "readdir");
		reply_send(s, b);
	}
	buf_free(entries);
}

static void
do_path_op(struct sftp_server *s, const struct sftp_req *req)
{
	mode_t mode;
	int r;

	switch (req->op) {
	case SFTP_OP_REMOVE:
		logit("remove name \"%s\"", req->path);
		r = unlink(req->path);
		break;
	case SFTP_OP_MKDIR:
		mode = (req->attrs.flags & SSH2_FILEXFER_ATTR_PERMISSIONS) ?
		    (mode_t)(req->attrs.perm & 07777) : 0777;
		logit("mkdir name \"%s\" mode 0%o", req->path,
		    (unsigned int)mode);
		r = mkdir(req->path, mode);
		break;
	case SFTP_OP_RMDIR:
		logit("rmdir name \"%s\"", req->path);
		r = rmdir(req->path);
		break;
	case SFTP_OP_SYMLINK:
		/* OpenSSH's order: the target first, then the link. */
		logit("symlink old \"%s\" new \"%s\"", req->path, req->path2);
		r = symlink(req->path, req->path2);
		break;
	case SFTP_OP_POSIX_RENAME:
		logit("posix-rename old \"%s\" new \"%s\"", req->path,
		    req->path2);
		r = rename(req->path, req->path2);
		break;
	case SFTP_OP_HARDLINK:
		logit("hardlink old \"%s\" new \"%s\"", req->path,
		    req->path2);
		r = link(req->path, req->path2);
		break;
	default:
		fatal_f("op %d", (int)req->op);
	}
	send_errno(s, req->id, r == -1 ? errno : 0);
}

/*
 * SSH2_FXP_RENAME never replaces the target (the draft's semantics, which
 * clients rely on to avoid clobbering; posix-rename is the replacing
 * one): renameat2(RENAME_NOREPLACE) where the file system has it, else
 * sftp-server's check-then-rename.
 */
static void
do_rename(struct sftp_server *s, const struct sftp_req *req)
{
	struct stat st;
	int r;

	logit("rename old \"%s\" new \"%s\"", req->path, req->path2);
	r = renameat2(AT_FDCWD, req->path, AT_FDCWD, req->path2,
	    RENAME_NOREPLACE);
	if (r == -1 && (errno == EINVAL || errno == ENOSYS)) {
		if (lstat(req->path2, &st) == 0) {
			send_status(s, req->id, SSH2_FX_FAILURE);
			return;
		}
		r = rename(req->path, req->path2);
	}
	if (r == -1 && errno == EEXIST) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	send_errno(s, req->id, r == -1 ? errno : 0);
}

static void
do_readlink(struct sftp_server *s, const struct sftp_req *req)
{
	char target[PATH_MAX];
	ssize_t n;

	verbose("readlink \"%s\"", req->path);
	if ((n = readlink(req->path, target, sizeof(target) - 1)) == -1) {
		send_errno(s, req->id, errno);
		return;
	}
	target[n] = '\0';
	send_one_name(s, req->id, target);
}

static void
do_realpath(struct sftp_server *s, const struct sftp_req *req)
{
	const char *path = req->path[0] == '\0' ? "." : req->path;
	char *res;

	verbose("realpath \"%s\"", path);
	if ((res = sftp_realpath(path)) == NULL) {
		send_errno(s, req->id, errno);
		return;
	}
	send_one_name(s, req->id, res);
	free(res);
}

/* "~" and "~/rest" are the start directory (a chroot's home, as in
 * sftp-server); "~user/rest" that user's home. */
static void
do_expand_path(struct sftp_server *s, const struct sftp_req *req)
{
	struct passwd *pw;
	struct txt t, user;
	char *name = NULL, *rest = NULL, *path = NULL, *res;

	verbose("expand \"%s\"", req->path);
	txt_init(&t, req->path, strlen(req->path));
	if (!txt_accept(&t, '~')) {
		path = xstrdup(req->path);
	} else {
		if (txt_get_field(&t, '/', SFTP_NAME_MAX, &user) != 0)
			txt_init(&user, "", 0);
		rest = xstrndup(txt_ptr(&t), txt_left(&t));
		if (txt_left(&user) == 0) {
			xasprintf(&path, "./%s", rest);
		} else {
			name = xstrndup(txt_ptr(&user), txt_left(&user));
			if ((pw = getpwnam(name)) == NULL) {
				send_status(s, req->id, SSH2_FX_NO_SUCH_FILE);
				goto out;
			}
			xasprintf(&path, "%s/%s", pw->pw_dir, rest);
		}
	}
	if ((res = sftp_realpath(path)) == NULL) {
		send_errno(s, req->id, errno);
		goto out;
	}
	send_one_name(s, req->id, res);
	free(res);
 out:
	free(name);
	free(rest);
	free(path);
}

static void
do_home_directory(struct sftp_server *s, const struct sftp_req *req)
{
	struct passwd *pw;

	verbose("home-directory \"%s\"", req->path);
	if ((pw = getpwnam(req->path)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	send_one_name(s, req->id, pw->pw_dir);
}

static void
do_statvfs(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;
	struct statvfs v;
	struct buf *b;
	uint64_t flag = 0;
	int r;

	if (req->op == SFTP_OP_FSTATVFS) {
		if ((h = handle_get(s, req->handle, req->handle_len,
		    HANDLE_UNUSED)) == NULL) {
			send_status(s, req->id, SSH2_FX_FAILURE);
			return;
		}
		debug("fstatvfs \"%s\"", h->name);
		r = fstatvfs(h->type == HANDLE_FILE ? h->fd : dirfd(h->dir),
		    &v);
	} else {
		verbose("statvfs \"%s\"", req->path);
		r = statvfs(req->path, &v);
	}
	if (r == -1) {
		send_errno(s, req->id, errno);
		return;
	}
	if (v.f_flag & ST_RDONLY)
		flag |= SSH2_FXE_STATVFS_ST_RDONLY;
	if (v.f_flag & ST_NOSUID)
		flag |= SSH2_FXE_STATVFS_ST_NOSUID;
	b = reply_new(SSH2_FXP_EXTENDED_REPLY, req->id);
	if ((r = buf_put_u64(b, v.f_bsize)) != 0 ||
	    (r = buf_put_u64(b, v.f_frsize)) != 0 ||
	    (r = buf_put_u64(b, v.f_blocks)) != 0 ||
	    (r = buf_put_u64(b, v.f_bfree)) != 0 ||
	    (r = buf_put_u64(b, v.f_bavail)) != 0 ||
	    (r = buf_put_u64(b, v.f_files)) != 0 ||
	    (r = buf_put_u64(b, v.f_ffree)) != 0 ||
	    (r = buf_put_u64(b, v.f_favail)) != 0 ||
	    (r = buf_put_u64(b, v.f_fsid)) != 0 ||
	    (r = buf_put_u64(b, flag)) != 0 ||
	    (r = buf_put_u64(b, v.f_namemax)) != 0)
		fatal_fr(r, "statvfs");
	reply_send(s, b);
}

static void
do_fsync(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *h;

	if ((h = handle_get(s, req->handle, req->handle_len,
	    HANDLE_FILE)) == NULL) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	debug("fsync \"%s\"", h->name);
	send_errno(s, req->id, fsync(h->fd) == -1 ? errno : 0);
}

static void
do_limits(struct sftp_server *s, const struct sftp_req *req)
{
	struct buf *b = reply_new(SSH2_FXP_EXTENDED_REPLY, req->id);
	int r;

	if ((r = buf_put_u64(b, SFTP_MSG_MAX)) != 0 ||
	    (r = buf_put_u64(b, SFTP_READ_MAX)) != 0 ||
	    (r = buf_put_u64(b, SFTP_READ_MAX)) != 0 ||
	    (r = buf_put_u64(b, SFTP_HANDLES_MAX)) != 0)
		fatal_fr(r, "limits");
	reply_send(s, b);
}

/*
 * copy-data: a server-side copy between two file handles, up to len
 * bytes (0: to the end of the source).  Two handles on one file are
 * refused: the copy could chase its own output forever.
 */
static void
do_copy_data(struct sftp_server *s, const struct sftp_req *req)
{
	struct handle *rh, *wh;
	struct stat rst, wst;
	struct buf *data;
	uint8_t *chunk = NULL;
	uint64_t roff = req->offset, woff = req->offset2, left = req->len64;
	size_t want;
	ssize_t n;
	int status = SSH2_FX_OK, e;

	rh = handle_get(s, req->handle, req->handle_len, HANDLE_FILE);
	wh = handle_get(s, req->handle2, req->handle2_len, HANDLE_FILE);
	if (rh == NULL || wh == NULL || rh == wh ||
	    (rh->flags & O_ACCMODE) == O_WRONLY ||
	    (wh->flags & O_ACCMODE) == O_RDONLY ||
	    fstat(rh->fd, &rst) == -1 || fstat(wh->fd, &wst) == -1 ||
	    (rst.st_dev == wst.st_dev && rst.st_ino == wst.st_ino)) {
		send_status(s, req->id, SSH2_FX_FAILURE);
		return;
	}
	if (roff > (uint64_t)INT64_MAX || woff > (uint64_t)INT64_MAX) {
		send_status(s, req->id, SSH2_FX_BAD_MESSAGE);
		return;
	}
	logit("copy-data from \"%s\" offset %llu length %llu to \"%s\" "
	    "offset %llu", rh->name, (unsigned long long)roff,
	    (unsigned long long)left, wh->name, (unsigned long long)woff);
	chunk = xmalloc(SFTP_READ_MAX);
	/* Each pass copies at least one byte or ends: bounded by the
	 * source's size (or len). */
	for (;;) {
		want = SFTP_READ_MAX;
		if (req->len64 != 0 && left < want)
			want = (size_t)left;
		if (want == 0 || roff > (uint64_t)INT64_MAX - want ||
		    woff > (uint64_t)INT64_MAX - want)
			break;
		if ((n = pread(rh->fd, chunk, want, (off_t)roff)) == -1) {
			status = errno_to_status(errno);
			break;
		}
		if (n == 0)
			break;
		if ((data = buf_from(chunk, (size_t)n)) == NULL)
			fatal_f("out of memory");
		e = write_all(wh->fd, data, woff, false, &wh->bytes_write);
		buf_free(data);
		if (e != 0) {
			status = errno_to_status(e);
			break;
		}
		rh->bytes_read += (uint64_t)n;
		roff += (uint64_t)n;
		woff += (uint64_t)n;
		if (req->len64 != 0)
			left -= (uint64_t)n;
	}
	free(chunk);
	send_status(s, req->id, status);
}

/* Run the path filter (tests only) over the request's path fields. */
static bool
filter_paths(struct sftp_server *s, struct sftp_req *req)
{
	char *p;

	if (s->filter == NULL)
		return true;
	/* A symlink's target is content, a home-directory's "path" a user
	 * name: neither is opened here. */
	if (req->path != NULL && req->op != SFTP_OP_SYMLINK &&
	    req->op != SFTP_OP_HOME_DIRECTORY) {
		if ((p = s->filter(s->filter_ctx, req->path)) == NULL)
			return false;
		free(req->path);
		req->path = p;
	}
	if (req->path2 != NULL) {
		if ((p = s->filter(s->filter_ctx, req->path2)) == NULL)
			return false;
		free(req->path2);
		req->path2 = p;
	}
	return true;
}

static void
dispatch(struct sftp_server *s, struct sftp_req *req)
{
	const char *name = sftp_op_name(req->op);

	debug3("request %u: %s", req->id, name != NULL ? name : "?");
	if (req->op == SFTP_OP_EXTENDED_UNKNOWN) {
		error("Unknown extended request \"%.100s\"", req->ext_name);
		send_status(s, req->id, SSH2_FX_OP_UNSUPPORTED);
		return;
	}
	if (!is_permitted(s, req->op)) {
		send_status(s, req->id, SSH2_FX_PERMISSION_DENIED);
		return;
	}
	if (s->readonly && sftp_op_writes(req->op)) {
		verbose("Refusing %s request in read-only mode", name);
		send_status(s, req->id, SSH2_FX_PERMISSION_DENIED);
		return;
	}
	if (!filter_paths(s, req)) {
		send_status(s, req->id, SSH2_FX_PERMISSION_DENIED);
		return;
	}
	switch (req->op) {
	case SFTP_OP_OPEN: do_open(s, req); break;
	case SFTP_OP_CLOSE: do_close(s, req); break;
	case SFTP_OP_READ: do_read(s, req); break;
	case SFTP_OP_WRITE: do_write(s, req); break;
	case SFTP_OP_LSTAT:
	case SFTP_OP_FSTAT:
	case SFTP_OP_STAT: do_stat(s, req); break;
	case SFTP_OP_SETSTAT:
	case SFTP_OP_FSETSTAT:
	case SFTP_OP_LSETSTAT: do_setstat(s, req); break;
	case SFTP_OP_OPENDIR: do_opendir(s, req); break;
	case SFTP_OP_READDIR: do_readdir(s, req); break;
	case SFTP_OP_REMOVE:
	case SFTP_OP_MKDIR:
	case SFTP_OP_RMDIR:
	case SFTP_OP_SYMLINK:
	case SFTP_OP_POSIX_RENAME:
	case SFTP_OP_HARDLINK: do_path_op(s, req); break;
	case SFTP_OP_REALPATH: do_realpath(s, req); break;
	case SFTP_OP_RENAME: do_rename(s, req); break;
	case SFTP_OP_READLINK: do_readlink(s, req); break;
	case SFTP_OP_STATVFS:
	case SFTP_OP_FSTATVFS: do_statvfs(s, req); break;
	case SFTP_OP_FSYNC: do_fsync(s, req); break;
	case SFTP_OP_LIMITS: do_limits(s, req); break;
	case SFTP_OP_EXPAND_PATH: do_expand_path(s, req); break;
	case SFTP_OP_COPY_DATA: do_copy_data(s, req); break;
	case SFTP_OP_HOME_DIRECTORY: do_home_directory(s, req); break;
	default:
		fatal_f("unhandled op %d", (int)req->op);
	}
}

/* One message body; HS_ERR_PROTOCOL ends the session. */
static int
handle_message(struct sftp_server *s, struct buf *msg)
{
	struct sftp_req req;
	bool has_id;
	int r;

	r = sftp_req_parse(msg, &req, &has_id);
	if (r == 0 && req.op == SFTP_OP_INIT) {
		if (s->init_done) {
			error("Received duplicate INIT");
			r = HS_ERR_PROTOCOL;
			goto out;
		}
		do_init(s, &req);
		goto out;
	}
	if (!s->init_done) {
		error("Received %u request before init", req.type);
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if (r != 0) {
		if (!has_id) {
			error("Bad message header: %s", hs_err_str(r));
			r = HS_ERR_PROTOCOL;
			goto out;
		}
		if (r == HS_ERR_PROTOCOL) {
			error("Unknown message %u", req.type);
			send_status(s, req.id, SSH2_FX_OP_UNSUPPORTED);
		} else {
			error("Bad message %u (id %u): %s", req.type, req.id,
			    hs_err_str(r));
			send_status(s, req.id, SSH2_FX_BAD_MESSAGE);
		}
		r = 0;
		goto out;
	}
	dispatch(s, &req);
 out:
	sftp_req_clear(&req);
	return r;
}

int
sftp_server_process(struct sftp_server *s, struct buf *in, struct buf *out)
{
	struct buf *msg;
	uint32_t len;
	int r = 0;

	s->out = out;
	/* Each pass consumes one whole message or returns. */
	while (buf_avail(out) >= 4 + SFTP_MSG_MAX &&
	    buf_peek_u32(in, 0, &len) == 0) {
		if (len > SFTP_MSG_MAX) {
			error("Message of %u bytes is longer than %u", len,
			    SFTP_MSG_MAX);
			r = HS_ERR_PROTOCOL;
			break;
		}
		if (buf_len(in) < 4 + (size_t)len)
			break;
		/* The framing is an SSH string: length, then the body. */
		if ((r = buf_froms(in, SFTP_MSG_MAX, &msg)) != 0)
			fatal_fr(r, "message");
		r = handle_message(s, msg);
		buf_free(msg);
		if (r != 0)
			break;
	}
	s->out = NULL;
	return r;
}

/* ---- setup ---- */

static void
usage(void)
{
	error("usage: internal-sftp [-ehR] [-d start_directory] "
	    "[-f log_facility] [-l log_level] [-P denied_requests] "
	    "[-p allowed_requests] [-u umask]");
	error("       internal-sftp -Q protocol_feature");
}

/* -d's tokens: %d home, %u user, %% a percent sign. */
static char *
expand_start_dir(const char *arg, const char *user, const char *home)
{
	struct buf *b;
	struct txt t;
	char *ret = NULL;
	int c, r = 0;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	txt_init(&t, arg, strlen(arg));
	while (r == 0 && (c = txt_peek(&t)) != -1) {
		(void)txt_accept(&t, (char)c);
		if (c != '%') {
			r = buf_put_u8(b, (uint8_t)c);
			continue;
		}
		if (txt_accept(&t, 'd'))
			r = buf_put(b, home, strlen(home));
		else if (txt_accept(&t, 'u'))
			r = buf_put(b, user, strlen(user));
		else if (txt_accept(&t, '%'))
			r = buf_put_u8(b, '%');
		else {
			error("internal-sftp: unknown token in -d \"%s\"", arg);
			goto out;
		}
	}
	if (r == 0 && buf_len(b) > CONFIG_PATH_MAX)
		r = HS_ERR_TOO_LONG;
	if (r != 0) {
		error_r(r, "internal-sftp: -d \"%s\"", arg);
		goto out;
	}
	ret = xstrndup((const char *)buf_ptr(b), buf_len(b));
 out:
	buf_free(b);
	return ret;
}

struct sftp_server *
sftp_server_new(int argc, char **argv, const char *user, const char *home)
{
	struct sftp_server *s = xcalloc(1, sizeof(*s));
	char **av = xcalloc((size_t)argc + 2, sizeof(*av));
	char *end;
	long mask;
	int ch, i;

	s->user = xstrdup(user);
	s->home = xstrdup(home);
	s->facility = -1;
	s->level = LOG_LEVEL_ERROR;
	av[0] = (char *)"internal-sftp";
	for (i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	opterr = 0;
	optind = 0;	/* glibc: start over (we may be parsed twice) */
	/* "+": stop at the first non-option, never permute. */
	while ((ch = getopt(argc + 1, av, "+d:ef:hl:P:p:Q:Ru:")) != -1) {
		switch (ch) {
		case 'd':
			free(s->start_dir);
			if ((s->start_dir = expand_start_dir(optarg, user,
			    home)) == NULL)
				goto fail;
			break;
		case 'e':
			s->log_stderr = true;
			break;
		case 'f':
			if ((s->facility = log_facility_from_name(optarg)) ==
			    -1) {
				error("internal-sftp: invalid log facility "
				    "\"%s\"", optarg);
				goto fail;
			}
			break;
		case 'l':
			if ((s->level = log_level_from_name(optarg)) ==
			    LOG_LEVEL_NOT_SET) {
				error("internal-sftp: invalid log level "
				    "\"%s\"", optarg);
				goto fail;
			}
			break;
		case 'P':
			free(s->denied);
			s->denied = xstrdup(optarg);
			break;
		case 'p':
			free(s->allowed);
			s->allowed = xstrdup(optarg);
			break;
		case 'Q':
			if (strcasecmp(optarg, "requests") != 0) {
				error("internal-sftp: unsupported query "
				    "\"%s\"", optarg);
				goto fail;
			}
			s->query = true;
			break;
		case 'R':
			s->readonly = true;
			break;
		case 'u':
			errno = 0;
			mask = strtol(optarg, &end, 8);
			if (mask < 0 || mask > 0777 || *end != '\0' ||
			    end == optarg || errno != 0) {
				error("internal-sftp: invalid umask \"%s\"",
				    optarg);
				goto fail;
			}
			s->umask = (mode_t)mask;
			s->has_umask = true;
			break;
		default:
			usage();
			goto fail;
		}
	}
	if (optind != argc + 1) {
		usage();
		goto fail;
	}
	free(av);
	return s;
 fail:
	free(av);
	sftp_server_free(s);
	return NULL;
}

void
sftp_server_free(struct sftp_server *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < SFTP_HANDLES_MAX; i++) {
		if (s->handles[i].type != HANDLE_UNUSED)
			(void)handle_close(&s->handles[i]);
	}
	free(s->user);
	free(s->home);
	free(s->start_dir);
	free(s->denied);
	free(s->allowed);
	free(s);
}

void
sftp_server_set_path_filter(struct sftp_server *s, sftp_path_filter_fn *fn,
    void *ctx)
{
	s->filter = fn;
	s->filter_ctx = ctx;
}

/* ---- the loop ---- */

static int
set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags == -1 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* The client's address, from SSH_CONNECTION as sftp-server takes it. */
static char *
client_addr(void)
{
	const char *conn = getenv("SSH_CONNECTION");
	struct txt t;
	char *w = NULL;

	if (conn != NULL) {
		txt_init(&t, conn, strlen(conn));
		if (txt_get_word(&t, SFTP_NAME_MAX, &w) == 0)
			return w;
	}
	return xstrdup("UNKNOWN");
}

static void
print_requests(void)
{
	int op;

	for (op = SFTP_OP_OPEN; op < SFTP_OP_EXTENDED_UNKNOWN; op++)
		printf("%s\n", sftp_op_name((enum sftp_op)op));
	fflush(stdout);
}

int
sftp_server_main(int in_fd, int out_fd, int argc, char **argv,
    const char *user, const char *home)
{
	struct sftp_server *s;
	struct buf *in = NULL, *out = NULL;
	struct pollfd pfd[2];
	char *addr = NULL;
	const char *start;
	uint8_t *p;
	size_t want;
	nfds_t n;
	ssize_t got;
	bool eof = false;
	int ret = 1, r;

	if ((s = sftp_server_new(argc, argv, user, home)) == NULL)
		return 1;
	if (s->log_stderr) {
		log_set_handler(NULL, NULL);
		log_set_mode_fd(LOG_MODE_STDERR, STDERR_FILENO);
	}
	if (s->facility != -1)
		log_set_facility(s->facility);
	log_set_level(s->level);
	if (s->query) {
		print_requests();
		sftp_server_free(s);
		return 0;
	}
	if (s->has_umask) {
		logit("using umask 0%03o", (unsigned int)s->umask);
		umask(s->umask);
	}
	(void)signal(SIGPIPE, SIG_IGN);
	addr = client_addr();
	logit("session opened for local user %s from [%s]", user, addr);
	/* The home directory as for any session ("/" when it is missing,
	 * as in a chroot without one), then -d's, which must exist. */
	if (home == NULL || chdir(home) == -1) {
		debug("chdir to home \"%s\" failed: %s; using /",
		    home != NULL ? home : "", strerror(errno));
		if (chdir("/") == -1)
			error("chdir to /: %s", strerror(errno));
	}
	start = s->start_dir;
	if (start != NULL && chdir(start) == -1)
		error("chdir to \"%s\" failed: %s", start, strerror(errno));
	if (set_nonblock(in_fd) == -1 || set_nonblock(out_fd) == -1)
		fatal("fcntl: %s", strerror(errno));
	if ((in = buf_new()) == NULL || (out = buf_new()) == NULL ||
	    buf_set_max_size(in, SFTP_INBUF_MAX) != 0 ||
	    buf_set_max_size(out, SFTP_OUTBUF_MAX) != 0)
		fatal_f("out of memory");

	/* Until the client's EOF and every reply written, or an error. */
	for (;;) {
		if (eof && buf_len(out) == 0) {
			ret = 0;
			break;
		}
		memset(pfd, 0, sizeof(pfd));
		n = 0;
		pfd[0].fd = in_fd;
		if (!eof && buf_avail(in) > 0)
			pfd[0].events |= POLLIN;
		if (in_fd == out_fd) {
			if (buf_len(out) > 0)
				pfd[0].events |= POLLOUT;
			n = 1;
		} else {
			pfd[1].fd = out_fd;
			if (buf_len(out) > 0)
				pfd[1].events |= POLLOUT;
			n = 2;
		}
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
		    (pfd[0].events & POLLIN) != 0) {
			want = buf_avail(in) < 64 * 1024 ? buf_avail(in) :
			    64 * 1024;
			if ((r = buf_reserve(in, want, &p)) != 0)
				fatal_fr(r, "input");
			got = read(in_fd, p, want);
			(void)buf_consume_end(in, got > 0 ?
			    want - (size_t)got : want);
			if (got == 0) {
				debug("read eof");
				eof = true;
			} else if (got == -1 && errno != EAGAIN &&
			    errno != EINTR) {
				error("read: %s", strerror(errno));
				break;
			}
		}
		if (buf_len(out) > 0) {
			got = write(out_fd, buf_ptr(out), buf_len(out));
			if (got > 0)
				(void)buf_consume(out, (size_t)got);
			else if (got == -1 && errno != EAGAIN &&
			    errno != EINTR) {
				error("write: %s", strerror(errno));
				break;
			}
		}
		if (sftp_server_process(s, in, out) != 0)
			break;
	}
	logit("session closed for local user %s from [%s]", user, addr);
	free(addr);
	buf_free(in);
	buf_free(out);
	sftp_server_free(s);
	return ret;
}
