/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the sshd_config language: arbitrary bytes are
 * loaded as a configuration (with Include confined to a scratch directory
 * this harness fills once), finished, evaluated for a few connections,
 * dumped, and their path tokens expanded.  The same bytes also go to the
 * pattern and address-list matchers directly.  Any crash, leak or
 * sanitizer report is a bug.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "policy/config.h"
#include "policy/match.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[] = "/tmp/hsshd-fuzz-config.XXXXXX";
static FILE *fuzz_null;

static void
fuzz_write(const char *name, const char *text)
{
	char path[sizeof(fuzz_dir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void
fuzz_cleanup(void)
{
	static const char *const names[] = {
		"a.conf", "b.conf", "loop.conf", "d/m.conf", "d/n.conf", "d", "",
	};
	char path[sizeof(fuzz_dir) + 64];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, names[i]);
		if (unlink(path) != 0)
			(void)rmdir(path);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char sub[sizeof(fuzz_dir) + 8];

	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	snprintf(sub, sizeof(sub), "%s/d", fuzz_dir);
	if (mkdir(sub, 0700) != 0)
		abort();
	/* Files an input may Include: plain, nested, cyclic, with Match. */
	fuzz_write("a.conf", "Port 2222\nPermitRootLogin no\n"
	    "Match User alice\n\tMaxAuthTries 2\n\tInclude d/m.conf\n");
	fuzz_write("b.conf", "Include a.conf\nInclude d/*.conf\n");
	fuzz_write("loop.conf", "Include loop.conf\n");
	fuzz_write("d/m.conf", "X11Forwarding yes\nMatch Address 10.0.0.0/8\n"
	    "\tBanner /etc/issue\n");
	fuzz_write("d/n.conf", "AcceptEnv LANG LC_*\n");
	if ((fuzz_null = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

static void
fuzz_connection(const struct hs_config *base, const char *user,
    const char *addr, const char *host, int lport)
{
	static const char *const groups[] = { "users", "admins" };
	struct hs_match_ctx ctx;
	struct hs_token_ctx tc;
	struct hs_config *c = NULL;
	char *err = NULL, *out = NULL;
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = user;
	ctx.addr = addr;
	ctx.laddr = "192.0.2.1";
	ctx.host = host;
	ctx.lport = lport;
	ctx.groups = groups;
	ctx.ngroups = 2;
	if (config_for_connection(base, &ctx, &c, &err) != 0) {
		free(err);
		return;
	}
	(void)config_dump(c, fuzz_null);
	memset(&tc, 0, sizeof(tc));
	tc.user = user != NULL ? user : "u";
	tc.home = "/home/u";
	tc.uid = 1000;
	for (i = 0; i < c->nauthorized_keys_files; i++) {
		if (config_expand_tokens_allowed(c->authorized_keys_files[i],
		    CONFIG_TOKENS_FILES, &tc, &out) == 0)
			free(out);
		out = NULL;
	}
	if (c->chroot_directory != NULL && config_expand_tokens_allowed(
	    c->chroot_directory, CONFIG_TOKENS_FILES, &tc, &out) == 0)
		free(out);
	config_free(c);
}

static void
fuzz_matchers(const uint8_t *data, size_t size)
{
	char *s, *p, *split;

	/* Subject and pattern: the input split at its first newline. */
	if (size > 4096 || (s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((split = strchr(s, '\n')) != NULL) {
		*split = '\0';
		p = split + 1;
		(void)match_pattern_list(s, p, true);
		(void)match_addr_list(s, p);
		(void)match_user(s, s, s, p);
	}
	(void)match_addr_list(NULL, s);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_config *c;
	char *err = NULL;

	fuzz_matchers(data, size);
	if ((c = config_new()) == NULL)
		return 0;
	if (config_set_confdir(c, fuzz_dir, true) != 0)
		goto out;
	if (config_load_buffer(c, "fuzz", data, size, &err) != 0)
		goto out;
	(void)config_add_hostkey(c, "/tmp/key");
	if (config_finish(c, &err) != 0)
		goto out;
	(void)config_dump(c, fuzz_null);
	fuzz_connection(c, "alice", "10.1.2.3", "h.example.com", 22);
	fuzz_connection(c, "root", "2001:db8::1", NULL, 2222);
	fuzz_connection(c, NULL, NULL, NULL, 0);
 out:
	free(err);
	config_free(c);
	return 0;
}
