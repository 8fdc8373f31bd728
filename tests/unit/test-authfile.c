/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of monitor/authfile: the AuthorizedKeysFile reader on a
 * scratch tree under /tmp with a fake home directory.  StrictModes on the
 * file, the .ssh directory and the home directory (and not above it),
 * files owned by someone else (as root only), symbolic links followed as
 * sshd follows them, StrictModes off, the right key among several,
 * refused lines (from=, expiry-time) and skipped lines reported with
 * their numbers, size and type limits, and no descriptor left open.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/key.h"
#include "monitor/authfile.h"
#include "policy/authkeys.h"
#include "tests/tap.h"
#include "common/mem.h"

#define NOBODY	65534

static char troot[] = "/tmp/hsshd-authfile.XXXXXX";
static char home[128], sshdir[160], akfile[200];
static struct passwd tpw;
static struct key *k1, *k2, *k3, *kx;
static char *pub1, *pub2, *pub3, *pubx;

/* What the skip callback saw. */
#define SKIPS_MAX	16
static struct {
	unsigned long	line;
	char		why[512];
	char		file[1024];
} skips[SKIPS_MAX];
static size_t nskips;

static void
skip_cb(const char *file, unsigned long line, const char *why, void *ctx)
{
	(void)ctx;
	if (nskips >= SKIPS_MAX)
		return;
	skips[nskips].line = line;
	snprintf(skips[nskips].why, sizeof(skips[nskips].why), "%s", why);
	snprintf(skips[nskips].file, sizeof(skips[nskips].file), "%s", file);
	nskips++;
}

static void
xwrite(const char *path, const char *text, mode_t mode)
{
	int fd;
	size_t len = strlen(text);

	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0 ||
	    close(fd) != 0) {
		fprintf(stderr, "write %s: %s\n", path, strerror(errno));
		abort();
	}
}

static void
xmkdir(const char *path, mode_t mode)
{
	if (mkdir(path, 0700) != 0 || chmod(path, mode) != 0) {
		fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
		abort();
	}
}

static void
xchmod(const char *path, mode_t mode)
{
	if (chmod(path, mode) != 0)
		abort();
}

static int
nfds(void)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Run the reader; *why is kept for the caller (static, replaced each
 * call); opts are checked for command c when c is not NULL. */
static char *last_why;

static int
find(const char *path, const struct passwd *pw, bool strict,
    const struct key *k, const char *ip, time_t now,
    struct authkey_opts **ret)
{
	struct authkey_opts *o = NULL;
	int r, before = nfds();

	free(last_why);
	last_why = NULL;
	nskips = 0;
	r = authfile_find_key(path, pw, strict, k, ip, ip, now, skip_cb, NULL,
	    &o, &last_why);
	if (r == 0 && (o == NULL || last_why != NULL))
		tap_fail(__FILE__, __LINE__, "success without options");
	if (r != 0 && o != NULL)
		tap_fail(__FILE__, __LINE__, "options on failure");
	if (nfds() != before)
		tap_fail(__FILE__, __LINE__, "descriptor leaked (%s)", path);
	if (ret != NULL)
		*ret = o;
	else
		authkey_opts_free(o);
	return r;
}

#define WHY_HAS(s) do { \
	if (last_why == NULL || strstr(last_why, (s)) == NULL) \
		tap_fail(__FILE__, __LINE__, "why \"%s\" lacks \"%s\"", \
		    last_why != NULL ? last_why : "(null)", (s)); \
} while (0)

/* The standard file: comments, two bad lines, four keys. */
static void
write_standard(mode_t mode)
{
	char text[8192];

	snprintf(text, sizeof(text),
	    "# keys\n"				/* 1 */
	    "foo %s\n"				/* 2: bad option */
	    "from=\"10.0.0.0/8\" %s one\n"	/* 3: k1 */
	    "command=\"x %s\n"			/* 4: unterminated */
	    "\n"				/* 5 */
	    "expiry-time=\"20300101Z\" %s three\r\n" /* 6: k3 */
	    "command=\"run\",no-pty %s two\n"	/* 7: k2 */
	    "ssh-ed25519 AAAA!!\n",		/* 8: bad base64 */
	    pub1, pub1, pub1, pub3, pub2);
	xwrite(akfile, text, mode);
}

static void
test_find(void)
{
	struct authkey_opts *o = NULL;
	char path[1024];

	TEST_START("good modes: the right key among several");
	write_standard(0600);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "192.0.2.1", 0, &o), 0);
	if (o != NULL) {
		ASSERT_STR_EQ(o->command, "run");
		ASSERT_FALSE(o->permit_pty);
	}
	authkey_opts_free(o);
	o = NULL;
	/* Every bad line before the match is reported with its number. */
	ASSERT_INT_EQ(nskips, 2);
	if (nskips == 2) {
		ASSERT_INT_EQ(skips[0].line, 2);
		ASSERT_STR_EQ(skips[0].why, "bad option 'foo'");
		ASSERT_STR_EQ(skips[0].file, akfile);
		ASSERT_INT_EQ(skips[1].line, 4);
		ASSERT_STR_EQ(skips[1].why, "unterminated quote");
	}
	TEST_DONE();

	TEST_START("a key not listed: HS_ERR_NOT_FOUND, all lines read");
	ASSERT_INT_EQ(find(akfile, &tpw, true, kx, "192.0.2.1", 0, NULL),
	    HS_ERR_NOT_FOUND);
	ASSERT_PTR_EQ(last_why, NULL);
	ASSERT_INT_EQ(nskips, 3);
	if (nskips == 3) {
		ASSERT_INT_EQ(skips[2].line, 8);
		ASSERT_STR_EQ(skips[2].why, "bad base64 key");
	}
	TEST_DONE();

	TEST_START("from= decides for a matching key");
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "10.1.2.3", 0, &o), 0);
	if (o != NULL)
		ASSERT_STR_EQ(o->from, "10.0.0.0/8");
	authkey_opts_free(o);
	o = NULL;
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "192.0.2.1", 0, NULL),
	    HS_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "%s:3: from= does not match", akfile);
	WHY_HAS(path);
	WHY_HAS("ip=192.0.2.1");
	ASSERT_INT_EQ(nskips, 4);
	if (nskips == 4) {
		ASSERT_INT_EQ(skips[1].line, 3);
		ASSERT_TRUE(strncmp(skips[1].why, "from= does not match",
		    20) == 0);
	}
	TEST_DONE();

	TEST_START("expiry-time decides for a matching key");
	ASSERT_INT_EQ(find(akfile, &tpw, true, k3, "192.0.2.1", 1893456000,
	    NULL), 0);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k3, "192.0.2.1", 1893456001,
	    NULL), HS_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "%s:6: key expired", akfile);
	WHY_HAS(path);
	TEST_DONE();

	TEST_START("a refused line does not hide a later one for the key");
	snprintf(path, sizeof(path),
	    "from=\"10.0.0.0/8\" %s\ncommand=\"second\" %s\n", pub1, pub1);
	xwrite(akfile, path, 0600);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "192.0.2.1", 0, &o), 0);
	if (o != NULL)
		ASSERT_STR_EQ(o->command, "second");
	authkey_opts_free(o);
	o = NULL;
	ASSERT_INT_EQ(nskips, 1);
	/* The first line that allows it wins. */
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "10.0.0.1", 0, &o), 0);
	if (o != NULL)
		ASSERT_PTR_EQ(o->command, NULL);
	authkey_opts_free(o);
	o = NULL;
	/* principals= on a plain key refuses it. */
	snprintf(path, sizeof(path), "principals=\"a\" %s\n", pub1);
	xwrite(akfile, path, 0600);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "10.0.0.1", 0, NULL),
	    HS_ERR_NOT_FOUND);
	WHY_HAS(":1: principals= on a key that is not a cert-authority");
	/* cert-authority lines are skipped with their reason. */
	snprintf(path, sizeof(path), "cert-authority %s\n", pub1);
	xwrite(akfile, path, 0600);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k1, "10.0.0.1", 0, NULL),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(nskips, 1);
	if (nskips == 1)
		ASSERT_TRUE(strstr(skips[0].why,
		    "certificates are not supported") != NULL);
	TEST_DONE();

	TEST_START("relative paths are below the home directory");
	write_standard(0600);
	ASSERT_INT_EQ(find(".ssh/authorized_keys", &tpw, true, k2, "1.2.3.4",
	    0, NULL), 0);
	ASSERT_INT_EQ(find("./.ssh/../.ssh//authorized_keys", &tpw, true, k2,
	    "1.2.3.4", 0, NULL), 0);
	TEST_DONE();
}

static void
test_strict(void)
{
	char path[1024];
	struct stat st;

	TEST_START("StrictModes: group- or world-writable file");
	write_standard(0620);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for file %s",
	    akfile);
	ASSERT_STR_EQ(last_why, path);
	xchmod(akfile, 0602);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	ASSERT_STR_EQ(last_why, path);
	/* Read-only for everyone is fine. */
	xchmod(akfile, 0644);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL), 0);
	TEST_DONE();

	TEST_START("StrictModes no: modes are not checked");
	xchmod(akfile, 0666);
	ASSERT_INT_EQ(find(akfile, &tpw, false, k2, "1.2.3.4", 0, NULL), 0);
	xchmod(sshdir, 0777);
	ASSERT_INT_EQ(find(akfile, &tpw, false, k2, "1.2.3.4", 0, NULL), 0);
	xchmod(sshdir, 0700);
	xchmod(akfile, 0600);
	TEST_DONE();

	TEST_START("StrictModes: .ssh and home directories");
	xchmod(sshdir, 0770);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for directory %s",
	    sshdir);
	ASSERT_STR_EQ(last_why, path);
	xchmod(sshdir, 0702);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	ASSERT_STR_EQ(last_why, path);
	xchmod(sshdir, 0755);
	xchmod(home, 0775);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for directory %s",
	    home);
	ASSERT_STR_EQ(last_why, path);
	xchmod(home, 0755);
	TEST_DONE();

	TEST_START("StrictModes: the walk stops at the home directory");
	/* Directories above the home directory are not checked, as in
	 * sshd (the scratch root, and /tmp itself). */
	xchmod(troot, 0777);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL), 0);
	/* A file outside the home directory is checked up to "/". */
	snprintf(path, sizeof(path), "%s/outside", troot);
	write_standard(0600);
	if (rename(akfile, path) != 0)
		abort();
	ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for directory "
	    "%s", troot);
	ASSERT_STR_EQ(last_why, path);
	xchmod(troot, 0755);
	snprintf(path, sizeof(path), "%s/outside", troot);
	if (stat("/tmp", &st) == 0 && (st.st_mode & 022) != 0) {
		ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
		    HS_ERR_FILE_UNSAFE);
		ASSERT_STR_EQ(last_why,
		    "bad ownership or modes for directory /tmp");
	}
	ASSERT_INT_EQ(find(path, &tpw, false, k2, "1.2.3.4", 0, NULL), 0);
	if (rename(path, akfile) != 0)
		abort();
	TEST_DONE();
}

static void
test_owner(void)
{
	char path[1024];

	if (geteuid() != 0) {
		TEST_SKIP("StrictModes: file owned by another user",
		    "needs root to chown to nobody");
		TEST_SKIP("StrictModes: directory owned by another user",
		    "needs root to chown to nobody");
		TEST_SKIP("the user's read and search permissions",
		    "needs root to chown to nobody");
		return;
	}
	TEST_START("StrictModes: file owned by another user");
	write_standard(0600);
	if (chown(akfile, NOBODY, NOBODY) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for file %s",
	    akfile);
	ASSERT_STR_EQ(last_why, path);
	ASSERT_INT_EQ(find(akfile, &tpw, false, k2, "1.2.3.4", 0, NULL), 0);
	if (chown(akfile, tpw.pw_uid, tpw.pw_gid) != 0)
		abort();
	TEST_DONE();

	TEST_START("StrictModes: directory owned by another user");
	if (chown(sshdir, NOBODY, NOBODY) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for directory %s",
	    sshdir);
	ASSERT_STR_EQ(last_why, path);
	if (chown(sshdir, tpw.pw_uid, tpw.pw_gid) != 0)
		abort();
	TEST_DONE();

	TEST_START("the user's read and search permissions");
	{
		struct passwd npw = tpw;

		/* The same tree for user nobody: owned by nobody, a
		 * root-owned file in it is fine for StrictModes but must
		 * be readable by nobody. */
		npw.pw_name = (char *)"hsshd-test-nobody";
		npw.pw_uid = NOBODY;
		npw.pw_gid = NOBODY;
		if (chown(home, NOBODY, NOBODY) != 0 ||
		    chown(sshdir, NOBODY, NOBODY) != 0 ||
		    chown(akfile, NOBODY, NOBODY) != 0)
			abort();
		ASSERT_INT_EQ(find(akfile, &npw, true, k2, "1.2.3.4", 0, NULL),
		    0);
		if (chown(akfile, 0, 0) != 0)
			abort();
		ASSERT_INT_EQ(find(akfile, &npw, true, k2, "1.2.3.4", 0, NULL),
		    HS_ERR_SYSTEM);
		WHY_HAS("Permission denied (as user hsshd-test-nobody)");
		/* Even without StrictModes: root's unreadable files stay
		 * unread. */
		ASSERT_INT_EQ(find(akfile, &npw, false, k2, "1.2.3.4", 0,
		    NULL), HS_ERR_SYSTEM);
		xchmod(akfile, 0644);
		ASSERT_INT_EQ(find(akfile, &npw, true, k2, "1.2.3.4", 0, NULL),
		    0);
		/* A directory the user cannot search. */
		if (chown(sshdir, 0, 0) != 0)
			abort();
		xchmod(sshdir, 0700);
		ASSERT_INT_EQ(find(akfile, &npw, true, k2, "1.2.3.4", 0, NULL),
		    HS_ERR_SYSTEM);
		WHY_HAS("Permission denied");
		xchmod(sshdir, 0711);
		ASSERT_INT_EQ(find(akfile, &npw, true, k2, "1.2.3.4", 0, NULL),
		    0);
		if (chown(home, tpw.pw_uid, tpw.pw_gid) != 0 ||
		    chown(sshdir, tpw.pw_uid, tpw.pw_gid) != 0 ||
		    chown(akfile, tpw.pw_uid, tpw.pw_gid) != 0)
			abort();
		xchmod(sshdir, 0700);
		xchmod(akfile, 0600);
	}
	TEST_DONE();
}

static void
test_links(void)
{
	struct passwd lpw = tpw;
	char path[1024], target[400], link2[400];

	TEST_START("symbolic links are followed, the target is checked");
	/* authorized_keys -> ../keys.txt, inside the home directory. */
	snprintf(target, sizeof(target), "%s/keys.txt", home);
	write_standard(0600);
	if (rename(akfile, target) != 0 ||
	    symlink("../keys.txt", akfile) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL), 0);
	/* Messages name the file the link leads to. */
	xchmod(target, 0666);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for file %s",
	    target);
	ASSERT_STR_EQ(last_why, path);
	xchmod(target, 0600);
	/* An absolute link into a world-writable directory. */
	snprintf(path, sizeof(path), "%s/pub", troot);
	xmkdir(path, 0777);
	snprintf(target, sizeof(target), "%s/pub/ak", troot);
	snprintf(link2, sizeof(link2), "%s/keys.txt", home);
	if (unlink(akfile) != 0 || rename(link2, target) != 0 ||
	    symlink(target, akfile) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "bad ownership or modes for directory "
	    "%s/pub", troot);
	ASSERT_STR_EQ(last_why, path);
	ASSERT_INT_EQ(find(akfile, &tpw, false, k2, "1.2.3.4", 0, NULL), 0);
	TEST_DONE();

	TEST_START("symbolic links: loops, dangling, and a linked home");
	(void)unlink(akfile);
	snprintf(link2, sizeof(link2), "%s/loop", sshdir);
	if (symlink("loop", link2) != 0 || symlink("loop", akfile) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_SYSTEM);
	WHY_HAS("Too many levels of symbolic links");
	(void)unlink(akfile);
	(void)unlink(link2);
	if (symlink("nowhere", akfile) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_NOT_FOUND);
	WHY_HAS("No such file or directory");
	(void)unlink(akfile);
	if (rename(target, akfile) != 0)
		abort();
	/* The home directory reached through a link: the walk still
	 * stops at it (same directory), so the world-writable scratch
	 * root above it does not matter. */
	snprintf(link2, sizeof(link2), "%s/homelink", troot);
	if (symlink("home", link2) != 0)
		abort();
	lpw.pw_dir = link2;
	snprintf(path, sizeof(path), "%s/.ssh/authorized_keys", link2);
	xchmod(troot, 0777);
	ASSERT_INT_EQ(find(path, &lpw, true, k2, "1.2.3.4", 0, NULL), 0);
	ASSERT_INT_EQ(find(".ssh/authorized_keys", &lpw, true, k2, "1.2.3.4",
	    0, NULL), 0);
	xchmod(troot, 0755);
	/* A file is not a directory to look into. */
	snprintf(path, sizeof(path), "%s/authorized_keys/x", sshdir);
	ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_SYSTEM);
	WHY_HAS("Not a directory");
	TEST_DONE();
}

static void
test_types_sizes(void)
{
	char path[1024], *big;
	size_t n;
	int fd;

	TEST_START("not a regular file; missing file");
	(void)unlink(akfile);
	xmkdir(akfile, 0700);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "%s is not a regular file", akfile);
	ASSERT_STR_EQ(last_why, path);
	/* Named with a trailing slash or "." it is still a directory. */
	snprintf(path, sizeof(path), "%s/", akfile);
	ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "%s/.", akfile);
	ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	if (rmdir(akfile) != 0 || mkfifo(akfile, 0600) != 0)
		abort();
	/* A FIFO is refused without being opened (no blocking). */
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_FILE_UNSAFE);
	snprintf(path, sizeof(path), "%s is not a regular file", akfile);
	ASSERT_STR_EQ(last_why, path);
	(void)unlink(akfile);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "could not open %s: No such file or "
	    "directory", akfile);
	ASSERT_STR_EQ(last_why, path);
	/* A regular file with a trailing slash. */
	write_standard(0600);
	snprintf(path, sizeof(path), "%s/", akfile);
	ASSERT_INT_EQ(find(path, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_SYSTEM);
	WHY_HAS("Not a directory");
	TEST_DONE();

	TEST_START("size limit: AUTHKEYS_FILE_MAX bytes, not one more");
	n = AUTHKEYS_FILE_MAX;
	big = xmalloc(n + 2);
	memset(big, '#', n + 1);
	big[n + 1] = '\0';
	/* Comment lines, and the key as the last line. */
	for (size_t i = 100; i + 100 < n; i += 100)
		big[i] = '\n';
	snprintf(path, sizeof(path), "\n%s\n", pub2);
	memcpy(big + n - strlen(path), path, strlen(path));
	big[n] = '\0';
	xwrite(akfile, big, 0600);
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL), 0);
	if ((fd = open(akfile, O_WRONLY | O_APPEND)) == -1 ||
	    write(fd, "#", 1) != 1 || close(fd) != 0)
		abort();
	ASSERT_INT_EQ(find(akfile, &tpw, true, k2, "1.2.3.4", 0, NULL),
	    HS_ERR_TOO_LONG);
	WHY_HAS("is larger than 1048576 bytes");
	free(big);
	write_standard(0600);
	TEST_DONE();
}

static void
test_dummy(void)
{
	struct stat st;
	int before = nfds();

	TEST_START("dummy work for a user that does not exist");
	/* The dummy path must not lead anywhere on a test machine. */
	ASSERT_INT_EQ(stat(AUTHFILE_DUMMY_PATH, &st), -1);
	authfile_dummy_work(k1);
	authfile_dummy_work(kx);
	ASSERT_INT_EQ(nfds(), before);
	TEST_DONE();
}

static void
cleanup(void)
{
	static const char *const rel[] = {
		"home/.ssh/authorized_keys", "home/.ssh/loop",
		"home/keys.txt", "home/.ssh", "home", "homelink", "pub/ak",
		"pub", "outside", "",
	};
	char path[1024];
	size_t i;

	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", troot, rel[i]);
		if (unlink(path) != 0)
			(void)rmdir(path);
	}
}

static void
mkkey(struct key **k, char **pub)
{
	if (key_generate(KEY_ED25519, 0, k) != 0 ||
	    key_format_public(*k, NULL, pub) != 0)
		abort();
}

int
main(void)
{
	struct passwd *me;

	if (mkdtemp(troot) == NULL)
		abort();
	atexit(cleanup);
	xchmod(troot, 0755);
	snprintf(home, sizeof(home), "%s/home", troot);
	snprintf(sshdir, sizeof(sshdir), "%s/.ssh", home);
	snprintf(akfile, sizeof(akfile), "%s/authorized_keys", sshdir);
	xmkdir(home, 0755);
	xmkdir(sshdir, 0700);
	memset(&tpw, 0, sizeof(tpw));
	me = getpwuid(geteuid());
	tpw.pw_name = xstrdup(me != NULL ? me->pw_name : "hsshd-test");
	tpw.pw_uid = geteuid();
	tpw.pw_gid = getegid();
	tpw.pw_dir = home;
	mkkey(&k1, &pub1);
	mkkey(&k2, &pub2);
	mkkey(&k3, &pub3);
	mkkey(&kx, &pubx);

	test_find();
	test_strict();
	test_owner();
	test_links();
	test_types_sizes();
	test_dummy();

	free(last_why);
	free(tpw.pw_name);
	key_free(k1);
	key_free(k2);
	key_free(k3);
	key_free(kx);
	free(pub1);
	free(pub2);
	free(pub3);
	free(pubx);
	return tap_finish();
}
