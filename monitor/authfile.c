/* SPDX-License-Identifier: ISC */
/*
 * The monitor's AuthorizedKeysFile reader (see authfile.h).  Runs in
 * hsshd-monitor as root for each public key a client offers.  The path
 * comes from the administrator's configuration, but the directories the
 * user owns along it, any symbolic links there, and the whole content of
 * the file are the user's: the lookup trusts no name twice and the text
 * goes through the bounded parser in policy/authkeys.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/txt.h"
#include "monitor/authfile.h"
#include "policy/authkeys.h"
#include "common/mem.h"

/* Permission bits, as the mode's "other" triple has them. */
#define AF_MAY_READ	4
#define AF_MAY_SEARCH	1
/* Supplementary groups we look at (the kernel's NGROUPS_MAX). */
#define AF_GROUPS_MAX	65536
/* Bytes asked of each read(2) of the file. */
#define AF_READ_CHUNK	(64u * 1024)
/* Path text left to walk, symbolic link contents included. */
#define AF_WALK_TEXT_MAX	(2 * CONFIG_PATH_MAX)

/* One directory of the path, as fstat saw it when the lookup went
 * through it. */
struct af_dir {
	char	*name;		/* component; "" for "/" */
	dev_t	 dev;
	ino_t	 ino;
	uid_t	 uid;
	gid_t	 gid;
	mode_t	 mode;
};

/* The directories from "/" down to where the lookup is. */
struct af_walk {
	struct af_dir	*dirs;
	size_t		 n;
	int		 fd;		/* O_PATH descriptor of dirs[n - 1] */
};

/* Whose permission bits the lookup applies. */
struct af_user {
	const char	*name;
	uid_t		 uid;
	gid_t		*gids;		/* primary and supplementary */
	size_t		 ngids;
};

static void
af_walk_free(struct af_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->dirs[i].name);
	free(w->dirs);
	if (w->fd != -1)
		close(w->fd);
	w->dirs = NULL;
	w->n = 0;
	w->fd = -1;
}

/* Make fd (an O_PATH directory whose stat is st) the new deepest
 * directory; takes fd. */
static int
af_push(struct af_walk *w, const char *name, const struct stat *st, int fd)
{
	struct af_dir *d;

	if (w->n >= AUTHFILE_DEPTH_MAX) {
		close(fd);
		errno = ENAMETOOLONG;
		return HS_ERR_SYSTEM;
	}
	w->dirs = xreallocarray(w->dirs, w->n + 1, sizeof(*w->dirs));
	d = &w->dirs[w->n++];
	d->name = xstrdup(name);
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	d->uid = st->st_uid;
	d->gid = st->st_gid;
	d->mode = st->st_mode;
	if (w->fd != -1)
		close(w->fd);
	w->fd = fd;
	return 0;
}

/* Start (again) at "/". */
static int
af_walk_root(struct af_walk *w)
{
	struct stat st;
	int fd;

	af_walk_free(w);
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return HS_ERR_SYSTEM;
	}
	return af_push(w, "", &st, fd);
}

/* "..": the parent of the deepest directory, which must be the one the
 * lookup came through ("/" is its own parent). */
static int
af_pop(struct af_walk *w)
{
	struct af_dir *up;
	struct stat st;
	int fd;

	if (w->n <= 1)
		return 0;
	if ((fd = openat(w->fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	up = &w->dirs[w->n - 2];
	if (fstat(fd, &st) == -1 || st.st_dev != up->dev ||
	    st.st_ino != up->ino) {
		close(fd);
		return HS_ERR_FILE_UNSAFE;
	}
	free(w->dirs[w->n - 1].name);
	w->n--;
	close(w->fd);
	w->fd = fd;
	return 0;
}

/* The path of the first n directories, plus name if not NULL. */
static char *
af_canon(const struct af_walk *w, size_t n, const char *name)
{
	struct buf *b;
	char *s;
	size_t i;
	int r = 0;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	for (i = 1; i < n && r == 0; i++)
		r = buf_putf(b, "/%s", w->dirs[i].name);
	if (r == 0 && name != NULL)
		r = buf_putf(b, "/%s", name);
	if (r == 0 && buf_len(b) == 0)
		r = buf_put(b, "/", 1);
	if (r != 0)
		fatal_fr(r, "path");
	s = xstrndup((const char *)buf_ptr(b), buf_len(b));
	buf_free(b);
	return s;
}

static void
af_user_init(struct af_user *u, const struct passwd *pw)
{
	int n = 64, got = 64;

	memset(u, 0, sizeof(*u));
	u->name = pw->pw_name;
	u->uid = pw->pw_uid;
	u->gids = xcalloc((size_t)n, sizeof(*u->gids));
	if (pw->pw_name != NULL &&
	    getgrouplist(pw->pw_name, pw->pw_gid, u->gids, &got) == -1) {
		/* got is the number needed; what fitted is filled in. */
		if (got > n && got <= AF_GROUPS_MAX) {
			u->gids = xrecallocarray(u->gids, (size_t)n,
			    (size_t)got, sizeof(*u->gids));
			n = got;
			if (getgrouplist(pw->pw_name, pw->pw_gid, u->gids,
			    &got) == -1)
				got = n;
		} else
			got = n;
	}
	if (pw->pw_name == NULL || got < 1) {
		u->gids[0] = pw->pw_gid;
		got = 1;
	}
	u->ngids = (size_t)got;
}

/* Whether the user may do bits (AF_MAY_*) to an object, by its mode
 * bits, as the kernel decides for a process with the user's ids. */
static bool
af_user_may(const struct af_user *u, uid_t uid, gid_t gid, mode_t mode,
    unsigned int bits)
{
	size_t i;

	if (u->uid == 0)
		return true;
	if (uid == u->uid)
		return ((mode >> 6) & bits) == bits;
	for (i = 0; i < u->ngids; i++)
		if (u->gids[i] == gid)
			return ((mode >> 3) & bits) == bits;
	return (mode & bits) == bits;
}

/* sshd's safe_path rule for one object: owned by root or the user, not
 * writable by group or others. */
static bool
af_mode_safe(uid_t uid, mode_t mode, uid_t user)
{
	return (uid == 0 || uid == user) && (mode & 022) == 0;
}

/*
 * Look path up from "/", one component at a time (see authfile.h).  With
 * want_dir the path must name a directory, left as the deepest of w;
 * otherwise the last component must not be one, and *ret_fd is an O_PATH
 * descriptor of it, *ret_st its stat and *ret_name its name (caller
 * frees), in the directory w ends in.  u (may be NULL) must be able to
 * search every directory looked into.  On failure *ret_why says why.
 */
static int
af_lookup(struct af_walk *w, const char *path, const struct af_user *u,
    bool want_dir, int *ret_fd, struct stat *ret_st, char **ret_name,
    char **ret_why)
{
	struct txt t, comp;
	struct stat st;
	struct af_dir *top;
	char *rest = NULL, *name = NULL, *next = NULL;
	char target[CONFIG_PATH_MAX + 1];
	unsigned int nlinks = 0;
	bool trailing, last;
	ssize_t len;
	int fd = -1, r, err;

	if (ret_fd != NULL)
		*ret_fd = -1;
	if (ret_name != NULL)
		*ret_name = NULL;
	*ret_why = NULL;
	if ((r = af_walk_root(w)) != 0)
		goto fail;
	rest = xstrdup(path);
	txt_init(&t, rest, strlen(rest));
	trailing = txt_ends_with(&t, '/');
	for (;;) {
		free(name);
		name = NULL;
		if ((r = txt_get_field(&t, '/', NAME_MAX, &comp)) != 0) {
			if (r == HS_ERR_SHORT)
				break;
			errno = ENAMETOOLONG;
			r = HS_ERR_SYSTEM;
			goto fail;
		}
		if (txt_left(&comp) == 0 || txt_equals(&comp, "."))
			continue;
		last = txt_eof(&t);
		if (txt_strdup(&comp, NAME_MAX, &name) != 0) {
			errno = ENAMETOOLONG;
			r = HS_ERR_SYSTEM;
			goto fail;
		}
		if (strcmp(name, "..") == 0) {
			if ((r = af_pop(w)) != 0)
				goto fail;
			continue;
		}
		top = &w->dirs[w->n - 1];
		if (u != NULL && !af_user_may(u, top->uid, top->gid, top->mode,
		    AF_MAY_SEARCH)) {
			errno = EACCES;
			r = HS_ERR_SYSTEM;
			goto fail;
		}
		/* A directory to go through: O_DIRECTORY also triggers an
		 * automount there.  A symbolic link gives ENOTDIR. */
		if (!last || want_dir || trailing) {
			fd = openat(w->fd, name, O_PATH | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1 && errno != ENOTDIR) {
				r = HS_ERR_SYSTEM;
				goto fail;
			}
			if (fd != -1) {
				if (fstat(fd, &st) == -1) {
					r = HS_ERR_SYSTEM;
					goto fail;
				}
				r = af_push(w, name, &st, fd);
				fd = -1;
				if (r != 0)
					goto fail;
				continue;
			}
		}
		if ((fd = openat(w->fd, name, O_PATH | O_NOFOLLOW |
		    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
			r = HS_ERR_SYSTEM;
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++nlinks > AUTHFILE_SYMLINKS_MAX) {
				errno = ELOOP;
				r = HS_ERR_SYSTEM;
				goto fail;
			}
			if ((len = readlinkat(fd, "", target,
			    sizeof(target))) == -1) {
				r = HS_ERR_SYSTEM;
				goto fail;
			}
			close(fd);
			fd = -1;
			if ((size_t)len >= sizeof(target) || len == 0) {
				errno = len == 0 ? ENOENT : ENAMETOOLONG;
				r = HS_ERR_SYSTEM;
				goto fail;
			}
			target[len] = '\0';
			/* The link's text takes the place of its name in
			 * what is left to walk. */
			xasprintf(&next, "%s%s%.*s", target,
			    (!last || trailing) ? "/" : "",
			    (int)txt_left(&t), txt_ptr(&t));
			free(rest);
			rest = next;
			next = NULL;
			if (strlen(rest) > AF_WALK_TEXT_MAX) {
				errno = ENAMETOOLONG;
				r = HS_ERR_SYSTEM;
				goto fail;
			}
			txt_init(&t, rest, strlen(rest));
			trailing = txt_ends_with(&t, '/');
			if (target[0] == '/' && (r = af_walk_root(w)) != 0)
				goto fail;
			continue;
		}
		if (!last || want_dir || trailing) {
			errno = ENOTDIR;
			r = HS_ERR_SYSTEM;
			goto fail;
		}
		*ret_fd = fd;
		fd = -1;
		*ret_st = st;
		*ret_name = name;
		name = NULL;
		r = 0;
		goto out;
	}
	/* The path names a directory. */
	if (want_dir) {
		r = 0;
		goto out;
	}
	r = HS_ERR_FILE_UNSAFE;
	next = af_canon(w, w->n, NULL);
	xasprintf(ret_why, "%s is not a regular file", next);
	goto out;
 fail:
	err = errno;
	if (r == HS_ERR_SYSTEM && err == ENOENT)
		r = HS_ERR_NOT_FOUND;
	if (r == HS_ERR_FILE_UNSAFE)
		xasprintf(ret_why, "%s changed during the lookup", path);
	else if (u != NULL && err == EACCES)
		xasprintf(ret_why, "could not open %s: %s (as user %s)", path,
		    strerror(err), u->name != NULL ? u->name : "?");
	else
		xasprintf(ret_why, "could not open %s: %s", path,
		    strerror(err));
	errno = err;
 out:
	if (fd != -1)
		close(fd);
	free(name);
	free(rest);
	free(next);
	return r;
}

/* Why a line whose key matched is refused. */
static char *
af_refusal(const struct authkey_opts *o, const char *why,
    const char *remote_ip, const char *remote_host, time_t now)
{
	char *s;

	if (o->from != NULL && !authkey_opts_expired(o, now) &&
	    o->principals == NULL)
		xasprintf(&s, "%s (host=%s, ip=%s, required=%s)", why,
		    remote_host != NULL ? remote_host : "(none)",
		    remote_ip != NULL ? remote_ip : "(none)", o->from);
	else
		s = xstrdup(why);
	return s;
}

/*
 * The lines of text, in order, as sshd reads them: the first whose key
 * matches and whose options allow it wins.
 */
static int
af_scan(const char *file, const char *text, size_t len,
    const struct key *wanted, const char *remote_ip, const char *remote_host,
    time_t now, authfile_skip_fn *skip_cb, void *skip_ctx,
    struct authkey_opts **ret_opts, char **ret_why)
{
	struct txt t, line;
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char *err = NULL, *refused = NULL, *reason;
	const char *why;
	unsigned long n = 0;
	int r;

	*ret_opts = NULL;
	*ret_why = NULL;
	txt_init(&t, text, len);
	while (txt_get_field(&t, '\n', SIZE_MAX, &line) == 0) {
		n++;
		r = authkeys_parse_line(txt_ptr(&line), txt_left(&line), &k,
		    &o, &err);
		if (r == HS_ERR_NOT_FOUND)
			continue;
		if (r == HS_ERR_ALLOC)
			fatal_fr(r, "%s:%lu", file, n);
		if (r != 0) {
			if (skip_cb != NULL)
				skip_cb(file, n, err != NULL ? err :
				    hs_err_str(r), skip_ctx);
			free(err);
			err = NULL;
			continue;
		}
		if (!key_equal_public(k, wanted)) {
			key_free(k);
			k = NULL;
			authkey_opts_free(o);
			o = NULL;
			continue;
		}
		key_free(k);
		k = NULL;
		if (authkey_opts_authorise(o, remote_ip, remote_host, now,
		    &why) != 0) {
			reason = af_refusal(o, why, remote_ip, remote_host,
			    now);
			if (skip_cb != NULL)
				skip_cb(file, n, reason, skip_ctx);
			free(refused);
			xasprintf(&refused, "%s:%lu: %s", file, n, reason);
			free(reason);
			authkey_opts_free(o);
			o = NULL;
			continue;
		}
		*ret_opts = o;
		free(refused);
		return 0;
	}
	*ret_why = refused;
	return HS_ERR_NOT_FOUND;
}

/* The whole file into *ret (caller frees): at most AUTHKEYS_FILE_MAX
 * bytes, whatever fstat said. */
static int
af_read(int fd, struct buf **ret)
{
	struct buf *b;
	uint8_t *p;
	ssize_t n;
	int r, err = 0;

	*ret = NULL;
	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	for (;;) {
		if (buf_len(b) > AUTHKEYS_FILE_MAX) {
			r = HS_ERR_TOO_LONG;
			goto out;
		}
		if ((r = buf_reserve(b, AF_READ_CHUNK, &p)) != 0)
			fatal_fr(r, "reserve");
		n = read(fd, p, AF_READ_CHUNK);
		if ((r = buf_consume_end(b, n > 0 ?
		    AF_READ_CHUNK - (size_t)n : AF_READ_CHUNK)) != 0)
			fatal_fr(r, "consume");
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = errno;
			r = HS_ERR_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
	}
	*ret = b;
	b = NULL;
	r = 0;
 out:
	buf_free(b);
	if (r == HS_ERR_SYSTEM)
		errno = err;
	return r;
}

int
authfile_find_key(const char *path, const struct passwd *pw,
    bool strict_modes, const struct key *wanted, const char *remote_ip,
    const char *remote_host, time_t now, authfile_skip_fn *skip_cb,
    void *skip_ctx, struct authkey_opts **ret_opts, char **ret_why)
{
	struct af_walk w = { NULL, 0, -1 }, hw = { NULL, 0, -1 };
	struct af_user u = { NULL, 0, NULL, 0 };
	struct af_dir *d;
	struct stat st, rst;
	char *full = NULL, *name = NULL, *canon = NULL, *dir = NULL;
	char *hwhy = NULL;
	struct buf *text = NULL;
	bool have_home = false;
	dev_t hdev = 0;
	ino_t hino = 0;
	size_t i;
	int pfd = -1, fd = -1, r, err;

	if (ret_opts == NULL || ret_why == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret_opts = NULL;
	*ret_why = NULL;
	if (path == NULL || pw == NULL || wanted == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (path[0] == '/')
		full = xstrdup(path);
	else if (pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		xasprintf(&full, "%s/%s", pw->pw_dir, path);
	else {
		xasprintf(ret_why, "%s: relative path and no home directory",
		    path);
		return HS_ERR_INVALID_ARGUMENT;
	}
	af_user_init(&u, pw);
	if ((r = af_lookup(&w, full, &u, false, &pfd, &st, &name,
	    ret_why)) != 0)
		goto out;
	canon = af_canon(&w, w.n, name);
	if (!S_ISREG(st.st_mode)) {
		r = HS_ERR_FILE_UNSAFE;
		xasprintf(ret_why, "%s is not a regular file", canon);
		goto out;
	}
	if (!af_user_may(&u, st.st_uid, st.st_gid, st.st_mode,
	    AF_MAY_READ)) {
		r = HS_ERR_SYSTEM;
		xasprintf(ret_why, "could not open %s: %s (as user %s)", canon,
		    strerror(EACCES), u.name != NULL ? u.name : "?");
		errno = EACCES;
		goto out;
	}
	/* A regular file now; open it for reading, and be sure it is the
	 * one that was looked at. */
	if ((fd = openat(w.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC)) == -1 || fstat(fd, &rst) == -1) {
		err = errno;
		r = err == ENOENT ? HS_ERR_NOT_FOUND : HS_ERR_SYSTEM;
		xasprintf(ret_why, "could not open %s: %s", canon,
		    strerror(err));
		errno = err;
		goto out;
	}
	if (rst.st_dev != st.st_dev || rst.st_ino != st.st_ino ||
	    !S_ISREG(rst.st_mode)) {
		r = HS_ERR_FILE_UNSAFE;
		xasprintf(ret_why, "%s changed during the lookup", canon);
		goto out;
	}
	if (strict_modes) {
		/* Where the walk up stops: the home directory, if the file
		 * lies below it (sshd compares canonical paths; the same
		 * directory is the same device and inode). */
		if (pw->pw_dir != NULL && af_lookup(&hw, pw->pw_dir, NULL,
		    true, NULL, NULL, NULL, &hwhy) == 0) {
			have_home = true;
			hdev = hw.dirs[hw.n - 1].dev;
			hino = hw.dirs[hw.n - 1].ino;
		}
		if (!af_mode_safe(rst.st_uid, rst.st_mode, pw->pw_uid)) {
			r = HS_ERR_FILE_UNSAFE;
			xasprintf(ret_why, "bad ownership or modes for file %s",
			    canon);
			goto out;
		}
		for (i = w.n; i-- > 0;) {
			d = &w.dirs[i];
			if (!af_mode_safe(d->uid, d->mode, pw->pw_uid)) {
				r = HS_ERR_FILE_UNSAFE;
				dir = af_canon(&w, i + 1, NULL);
				xasprintf(ret_why, "bad ownership or modes for "
				    "directory %s", dir);
				goto out;
			}
			if (have_home && d->dev == hdev && d->ino == hino)
				break;
		}
	}
	if (rst.st_size > (off_t)AUTHKEYS_FILE_MAX) {
		r = HS_ERR_TOO_LONG;
		xasprintf(ret_why, "%s is larger than %u bytes", canon,
		    AUTHKEYS_FILE_MAX);
		goto out;
	}
	if ((r = af_read(fd, &text)) != 0) {
		err = errno;
		if (r == HS_ERR_TOO_LONG)
			xasprintf(ret_why, "%s is larger than %u bytes", canon,
			    AUTHKEYS_FILE_MAX);
		else
			xasprintf(ret_why, "could not read %s: %s", canon,
			    strerror(err));
		errno = err;
		goto out;
	}
	debug3_f("%s: %zu bytes", canon, buf_len(text));
	r = af_scan(canon, (const char *)buf_ptr(text), buf_len(text), wanted, remote_ip, remote_host, now,
	    skip_cb, skip_ctx, ret_opts, ret_why);
 out:
	if (pfd != -1)
		close(pfd);
	if (fd != -1)
		close(fd);
	af_walk_free(&w);
	af_walk_free(&hw);
	free(u.gids);
	free(full);
	free(name);
	free(canon);
	free(dir);
	free(hwhy);
	buf_free(text);
	return r;
}

void
authfile_dummy_work(const struct key *wanted)
{
	/* A public key nobody holds the private half of (it was thrown
	 * away when this line was written). */
	static const char line[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHp"
	    "Vx9KPXc8aOY1HUxer49/jd95NI42jFJ152J3GowQi\n";
	struct passwd pw;
	struct authkey_opts *opts = NULL;
	char *why = NULL;

	memset(&pw, 0, sizeof(pw));
	pw.pw_name = (char *)"hsshd-nonexistent-user";
	pw.pw_uid = 65534;
	pw.pw_gid = 65534;
	pw.pw_dir = (char *)"/nonexistent";
	/* Whatever these find, a user that does not exist gets nothing. */
	(void)authfile_find_key(AUTHFILE_DUMMY_PATH, &pw, true, wanted,
	    "0.0.0.0", "0.0.0.0", 0, NULL, NULL, &opts, &why);
	authkey_opts_free(opts);
	free(why);
	opts = NULL;
	why = NULL;
	(void)af_scan("(built-in)", line, sizeof(line) - 1, wanted,
	    "0.0.0.0", "0.0.0.0", 0, NULL, NULL, &opts, &why);
	authkey_opts_free(opts);
	free(why);
}
