/* SPDX-License-Identifier: ISC */
/*
 * Host-key preparation, run by the listener hsshd (root) at start and by
 * "hsshd -t".  Every configured key file is checked: a missing one is
 * generated atomically with safe modes, a bad one (unparseable, encrypted,
 * unsupported type, wrong owner or mode, odd symlink, .pub mismatch) stops
 * the start with an error naming the file and the fault.  Key files are
 * read with a size bound and parsed by common/key.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "monitor/hostkey.h"

/* Sets *why to a formatted fault and returns -1. */
static int __attribute__((format(printf, 2, 3)))
fault(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(why, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
owner_name(unsigned int uid)
{
	struct passwd *pw;

	if (uid == 0)
		return "root";
	pw = getpwuid(uid);
	return pw != NULL ? pw->pw_name : "the running user";
}

/*
 * A symlinked key is accepted only if every directory on the way to its
 * final target belongs to root (or the required owner) and cannot be
 * written by anyone else: otherwise whoever controls that directory
 * controls the server's identity.
 */
static int
check_dir_chain(const char *resolved, unsigned int require_uid, char **why)
{
	char *dir = xstrdup(resolved), *slash;
	struct stat st;
	int r = 0;

	while ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &st) != 0) {
			r = fault(why, "symlink target directory %s: %s",
			    dir, strerror(errno));
			break;
		}
		if (st.st_uid != 0 && st.st_uid != require_uid) {
			r = fault(why, "is a symlink into directory %s, which "
			    "is owned by uid %u (must be %s)", dir,
			    (unsigned int)st.st_uid, owner_name(require_uid));
			break;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			r = fault(why, "is a symlink into directory %s, which "
			    "is writable by group or others", dir);
			break;
		}
		if (strcmp(dir, "/") == 0)
			break;
	}
	free(dir);
	return r;
}

/*
 * Open and read a key file after checking where it lives, who owns it and
 * who may read it.  private: no group/other access at all; public: no
 * group/other write.  Returns 0, HS_ERR_NOT_FOUND, or -1 with *why.
 */
static int
read_key_file(const char *path, unsigned int require_uid, bool private,
    struct buf **ret, char **why)
{
	char resolved[PATH_MAX];
	const char *target = path;
	struct stat st;
	struct buf *b = NULL;
	uint8_t chunk[4096];
	ssize_t n;
	int fd = -1, r = -1;

	*ret = NULL;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return HS_ERR_NOT_FOUND;
		return fault(why, "cannot be examined: %s", strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		if (realpath(path, resolved) == NULL) {
			if (errno == ENOENT)
				return fault(why, "is a dangling symlink");
			return fault(why, "symlink cannot be resolved: %s",
			    strerror(errno));
		}
		if (check_dir_chain(resolved, require_uid, why) != 0)
			return -1;
		target = resolved;
	}
	/* O_NONBLOCK: a FIFO planted here must not hang the start. */
	if ((fd = open(target, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return fault(why, "cannot be opened: %s", strerror(errno));
	/* All checks on the open file, so nothing can be swapped in between. */
	if (fstat(fd, &st) != 0) {
		r = fault(why, "cannot be examined: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = fault(why, "is not a regular file");
		goto out;
	}
	if (st.st_uid != require_uid) {
		r = fault(why, "is owned by uid %u, but must be owned by %s",
		    (unsigned int)st.st_uid, owner_name(require_uid));
		goto out;
	}
	if (private && (st.st_mode & 077) != 0) {
		r = fault(why, "has permissions %04o, which are too open: a "
		    "private host key must not be accessible by group or "
		    "others (chmod 600)", (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (!private && (st.st_mode & 022) != 0) {
		r = fault(why, "has permissions %04o: a public key file must "
		    "not be writable by group or others (chmod 644)",
		    (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > (off_t)KEY_FILE_MAX) {
		r = fault(why, "is too large (%lld bytes, limit %u)",
		    (long long)st.st_size, KEY_FILE_MAX);
		goto out;
	}
	if ((b = buf_new()) == NULL || buf_set_max_size(b, KEY_FILE_MAX) != 0)
		fatal_f("buf_new");
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR)
				continue;
			r = fault(why, "cannot be read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_put(b, chunk, (size_t)n) != 0) {
			r = fault(why, "is too large (limit %u bytes)",
			    KEY_FILE_MAX);
			goto out;
		}
	}
	*ret = b;
	b = NULL;
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	sodium_memzero(chunk, sizeof(chunk));
	buf_free(b);
	return r;
}

/* Write data to path atomically: temp file, fsync, rename, fsync dir. */
static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    char **why)
{
	char *tmp = NULL, *dir = NULL, *slash;
	const uint8_t *p = data;
	size_t off = 0;
	ssize_t n;
	int fd = -1, dfd = -1, r = -1;

	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		r = fault(why, "cannot create a temporary file in its "
		    "directory: %s", strerror(errno));
		free(tmp);
		return r;
	}
	if (fchmod(fd, mode) != 0) {
		r = fault(why, "chmod: %s", strerror(errno));
		goto out;
	}
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			r = fault(why, "write: %s", strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		r = fault(why, "fsync: %s", strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	/* Never replace a file that appeared meanwhile. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0 &&
	    (errno != EINVAL || rename(tmp, path) != 0)) {
		r = fault(why, "cannot be put in place: %s", strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) != 0) {
		r = fault(why, "fsync of directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	free(dir);
	return r;
}

static char *
key_comment(void)
{
	struct passwd *pw = getpwuid(geteuid());
	char host[256], *s;

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	xasprintf(&s, "%s@%s", pw != NULL ? pw->pw_name : "root", host);
	return s;
}

static int
write_pub(const char *pubpath, const struct key *k, const char *comment,
    char **why)
{
	char *line = NULL, *text = NULL;
	int r;

	if ((r = key_format_public(k, comment, &line)) != 0)
		return fault(why, "cannot format public key: %s",
		    hs_err_str(r));
	xasprintf(&text, "%s\n", line);
	r = write_atomic(pubpath, text, strlen(text), 0644, why);
	free(line);
	free(text);
	return r;
}

/* The key type a missing file should get, from OpenSSH's naming. */
static enum key_type
type_from_name(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strstr(base, "ed25519") != NULL)
		return KEY_ED25519;
	if (strstr(base, "ecdsa") != NULL)
		return KEY_ECDSA_P256;
	if (strstr(base, "rsa") != NULL)
		return KEY_RSA;
	return KEY_UNSPEC;
}

static int
generate(const char *path, struct key **ret, char **why)
{
	enum key_type type = type_from_name(path);
	struct buf *priv = NULL;
	struct key *k = NULL;
	char *comment = NULL, *pubpath = NULL;
	int r;

	*ret = NULL;
	if (type == KEY_UNSPEC)
		return fault(why, "does not exist, and its key type cannot be "
		    "told from its name (name it like ssh_host_ed25519_key, "
		    "or create it with ssh-keygen)");
	if (!key_type_supported(type))
		return fault(why, "does not exist, and its key type is not "
		    "supported by this build (built without OpenSSL)");
	if ((r = key_generate(type, 0, &k)) != 0)
		return fault(why, "key generation failed: %s", hs_err_str(r));
	comment = key_comment();
	if ((priv = buf_new()) == NULL)
		fatal_f("buf_new");
	if ((r = key_format_private(k, comment, priv)) != 0) {
		r = fault(why, "cannot format private key: %s", hs_err_str(r));
		goto out;
	}
	if ((r = write_atomic(path, buf_ptr(priv), buf_len(priv), 0600,
	    why)) != 0)
		goto out;
	xasprintf(&pubpath, "%s.pub", path);
	if ((r = write_pub(pubpath, k, comment, why)) != 0)
		goto out;
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	buf_free(priv);
	free(comment);
	free(pubpath);
	return r;
}

int
hostkey_check_file(const char *path, unsigned int require_uid,
    bool write_missing_pub, struct key **ret, char **why)
{
	struct buf *data = NULL;
	struct key *priv = NULL, *pub = NULL;
	char *pubpath = NULL, *comment = NULL, *pubwhy = NULL;
	int r;

	*ret = NULL;
	*why = NULL;
	if ((r = read_key_file(path, require_uid, true, &data, why)) != 0)
		return r;
	if ((r = key_parse_private(buf_ptr(data), buf_len(data), &priv,
	    &comment)) != 0) {
		r = fault(why, "cannot be loaded: %s", hs_err_str(r));
		goto out;
	}
	buf_free(data);
	data = NULL;

	xasprintf(&pubpath, "%s.pub", path);
	r = read_key_file(pubpath, require_uid, false, &data, &pubwhy);
	if (r == HS_ERR_NOT_FOUND) {
		if (!write_missing_pub) {
			logit("host key %s: public key file %s is missing; "
			    "it will be written at start", path, pubpath);
		} else if ((r = write_pub(pubpath, priv, comment, &pubwhy))
		    != 0) {
			r = fault(why, "its public key %s could not be "
			    "written: %s", pubpath, pubwhy);
			goto out;
		} else
			logit("host key %s: wrote missing public key file %s",
			    path, pubpath);
	} else if (r != 0) {
		r = fault(why, "its public key file %s %s", pubpath, pubwhy);
		goto out;
	} else {
		if ((r = key_parse_public((const char *)buf_ptr(data),
		    buf_len(data), &pub, NULL)) != 0) {
			r = fault(why, "its public key file %s cannot be "
			    "loaded: %s", pubpath, hs_err_str(r));
			goto out;
		}
		if (!key_equal_public(priv, pub)) {
			r = fault(why, "does not match its public key file %s",
			    pubpath);
			goto out;
		}
	}
	*ret = priv;
	priv = NULL;
	r = 0;
 out:
	buf_free(data);
	key_free(priv);
	key_free(pub);
	free(pubpath);
	free(pubwhy);
	free(comment);
	return r;
}

int
hostkeys_prepare(char *const *paths, size_t npaths, enum hostkey_mode mode,
    unsigned int require_uid, struct hostkeys *ret)
{
	struct key *k;
	char *why = NULL, *fp;
	size_t i;
	int r, problems = 0;

	memset(ret, 0, sizeof(*ret));
	if (npaths == 0) {
		error("no host keys configured");
		return 1;
	}
	ret->keys = xcalloc(npaths, sizeof(*ret->keys));
	for (i = 0; i < npaths; i++) {
		k = NULL;
		r = hostkey_check_file(paths[i], require_uid,
		    mode == HOSTKEY_PREPARE, &k, &why);
		if (r == HS_ERR_NOT_FOUND && mode == HOSTKEY_CHECK) {
			error("host key %s is missing (it would be generated "
			    "at start)", paths[i]);
			problems++;
			continue;
		}
		if (r == HS_ERR_NOT_FOUND) {
			if (generate(paths[i], &k, &why) != 0) {
				error("host key %s %s", paths[i], why);
				free(why);
				why = NULL;
				problems++;
				continue;
			}
			if ((r = key_fingerprint(k, &fp)) != 0)
				fatal_fr(r, "fingerprint");
			logit("generated new %s host key %s: %u %s",
			    key_type_short(k), paths[i], key_bits(k), fp);
		} else if (r != 0) {
			error("host key %s %s", paths[i], why);
			free(why);
			why = NULL;
			problems++;
			continue;
		} else {
			if ((r = key_fingerprint(k, &fp)) != 0)
				fatal_fr(r, "fingerprint");
			debug("host key %s: %s %u %s", paths[i],
			    key_type_short(k), key_bits(k), fp);
		}
		ret->keys[ret->nkeys].path = xstrdup(paths[i]);
		ret->keys[ret->nkeys].key = k;
		ret->keys[ret->nkeys].fingerprint = fp;
		ret->nkeys++;
	}
	return problems;
}

void
hostkeys_free(struct hostkeys *hk)
{
	size_t i;

	for (i = 0; i < hk->nkeys; i++) {
		free(hk->keys[i].path);
		key_free(hk->keys[i].key);
		free(hk->keys[i].fingerprint);
	}
	free(hk->keys);
	memset(hk, 0, sizeof(*hk));
}
