/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for internal-sftp (session/sftp-msg.c and the engine
 * of session/sftp-server.c): after an INIT the harness sends, the input
 * is the client's byte stream, framed and served as the real loop serves
 * it, with real file system calls.
 *
 * Confinement.  SFTP paths name the whole file system, so the harness
 * cannot simply run the server in a temporary directory.  Instead:
 *  - every path field goes through the server's path filter, which maps
 *    it under a private directory made with mkdtemp (absolute and
 *    relative alike) and refuses any ".." component;
 *  - "symlink" is denied with -P (the server's own request filter), so no
 *    symbolic link can exist under that directory to lead out of it (a
 *    symlink's target is content, not a path the filter sees; hard links
 *    stay inside because both their paths are mapped);
 *  - RLIMIT_FSIZE (SIGXFSZ ignored) caps every file at 1 MiB, so sparse
 *    writes, truncates and copy-data cannot fill the disk or run long;
 *  - the directory is emptied (permissions restored first) after each
 *    input, and made again if an input removed it.
 * Reads outside it remain possible only through realpath/expand-path/
 * home-directory/statvfs, which read names, never contents.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/txt.h"
#include "session/sftp-msg.h"
#include "session/sftp-server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/fuzz-sftp.XXXXXX";

/* root + path, or NULL if any component is "..". */
static char *
confine(void *ctx, const char *path)
{
	struct txt t, comp;
	char *ret = NULL;

	(void)ctx;
	txt_init(&t, path, strlen(path));
	while (txt_get_field(&t, '/', SFTP_PATH_MAX, &comp) == 0) {
		if (txt_equals(&comp, ".."))
			return NULL;
	}
	xasprintf(&ret, "%s/%s", root, path);
	return ret;
}

/* Remove everything below path (depth-bounded by PATH_MAX); the
 * directories are made searchable first, whatever the input set. */
static void
empty_dir(const char *path, int depth)
{
	struct dirent *de;
	struct stat st;
	char child[PATH_MAX];
	DIR *d;

	if (depth > 256 || chmod(path, 0700) == -1 ||
	    (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) >=
		    (int)sizeof(child))
			continue;
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
			empty_dir(child, depth + 1);
			(void)rmdir(child);
		} else {
			(void)unlink(child);
		}
	}
	closedir(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rlimit rl = { 1024 * 1024, 1024 * 1024 };

	(void)argc;
	(void)argv;
	if (mkdtemp(root) == NULL || setrlimit(RLIMIT_FSIZE, &rl) != 0) {
		perror("fuzz-sftp setup");
		abort();
	}
	signal(SIGXFSZ, SIG_IGN);
	log_init("fuzz-sftp", LOG_LEVEL_QUIET, -1, true);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *av[] = { (char *)"-P", (char *)"symlink", NULL };
	struct sftp_server *s;
	struct buf *in, *out;
	size_t before;
	int rounds;

	(void)mkdir(root, 0700);
	if (chdir(root) != 0)
		abort();
	if ((s = sftp_server_new(2, av, "nobody", root)) == NULL)
		abort();
	sftp_server_set_path_filter(s, confine, NULL);
	in = buf_new();
	out = buf_new();
	if (in == NULL || out == NULL || buf_set_max_size(in, SFTP_INBUF_MAX +
	    4096) != 0 || buf_set_max_size(out, SFTP_OUTBUF_MAX) != 0)
		abort();
	/* u32 5, INIT, version 3: the fuzzer need not find the handshake. */
	if (buf_put_u32(in, 5) != 0 || buf_put_u8(in, SSH2_FXP_INIT) != 0 ||
	    buf_put_u32(in, 3) != 0 || buf_put(in, data, size) != 0)
		goto out;
	/* Each round serves at least one message or stops. */
	for (rounds = 0; rounds < 100000; rounds++) {
		before = buf_len(in);
		if (sftp_server_process(s, in, out) != 0)
			break;
		buf_reset(out);		/* the client read everything */
		if (buf_len(in) == before)
			break;
	}
 out:
	buf_free(in);
	buf_free(out);
	sftp_server_free(s);
	empty_dir(root, 0);
	return 0;
}
