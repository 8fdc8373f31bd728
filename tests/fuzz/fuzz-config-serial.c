/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the configuration snapshot (policy/config-serial.c)
 * that a monitor reads from its listener.  Each input is used three times:
 *  - as snapshot bytes, and as edits (offset, byte) to a valid snapshot
 *    of a configuration with Match blocks and Includes, which reaches the
 *    body without a seed corpus: if config_deserialize accepts them, the
 *    config must serialise again, come back with the same sshd -T dump,
 *    and serialise to the same bytes the second time;
 *  - as configuration text (Include confined to a scratch directory with
 *    Match blocks in its files): if it loads and finishes, its snapshot
 *    must come back with the same dump, for the base config and for a few
 *    connections.
 * A mismatch aborts; any crash, leak or sanitizer report is a bug.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "policy/config.h"
#include "policy/match.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[] = "/tmp/hsshd-fuzz-config-serial.XXXXXX";
/* A valid snapshot the inputs edit. */
static uint8_t *fuzz_base;
static size_t fuzz_base_len;
static const char fuzz_base_text[] =
    "Port 22\nPort 2222\nAllowUsers alice bob\nInclude a.conf\n"
    "Match User alice LocalPort 2222\n\tBanner /etc/issue.alice\n"
    "\tSetEnv A=1 \"B=two words\"\n\tInclude m.conf\n"
    "Match Group admins Host *.example.com\n"
    "\tForceCommand /bin/true \"x y\"\n\tPubkeyAcceptedKeyTypes ssh-ed25519\n"
    "Match All\nAcceptEnv LANG\n";

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
	static const char *const names[] = { "a.conf", "m.conf", "" };
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
	struct hs_config *c;
	struct buf *b;

	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	/* Files an input may Include, inside a Match or not. */
	fuzz_write("a.conf", "PermitTTY no\nMatch Address 10.0.0.0/8\n"
	    "\tMaxSessions 3\n\tInclude m.conf\n");
	fuzz_write("m.conf", "Banner /etc/issue\nMatch User alice\n"
	    "\tX11Forwarding yes\nMatch All\n\tMaxAuthTries 2\n");
	if ((c = config_new()) == NULL || (b = buf_new()) == NULL ||
	    config_set_confdir(c, fuzz_dir, true) != 0 ||
	    config_load_buffer(c, "base", fuzz_base_text,
	    sizeof(fuzz_base_text) - 1, NULL) != 0 ||
	    config_finish(c, NULL) != 0 || config_serialize(c, b) != 0 ||
	    (fuzz_base = malloc(buf_len(b))) == NULL)
		abort();
	fuzz_base_len = buf_len(b);
	memcpy(fuzz_base, buf_ptr(b), fuzz_base_len);
	buf_free(b);
	config_free(c);
	return 0;
}

/* The dump of c (caller frees), or NULL if it fails. */
static char *
fuzz_dump(const struct hs_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	r = config_dump(c, f);
	fclose(f);
	if (r != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void
fuzz_same_dump(const struct hs_config *a, const struct hs_config *b)
{
	char *x = fuzz_dump(a), *y = fuzz_dump(b);

	if ((x == NULL) != (y == NULL) ||
	    (x != NULL && strcmp(x, y) != 0))
		abort();
	free(x);
	free(y);
}

/* The dump of base for one connection (caller frees); NULL on error. */
static char *
fuzz_conn_dump(const struct hs_config *base, const char *user,
    const char *addr, int lport)
{
	static const char *const groups[] = { "users", "admins" };
	struct hs_match_ctx ctx;
	struct hs_config *c = NULL;
	char *err = NULL, *text;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = user;
	ctx.addr = addr;
	ctx.laddr = "192.0.2.1";
	ctx.host = "h.example.com";
	ctx.lport = lport;
	ctx.groups = groups;
	ctx.ngroups = 2;
	if (config_for_connection(base, &ctx, &c, &err) != 0) {
		free(err);
		return NULL;
	}
	text = fuzz_dump(c);
	config_free(c);
	return text;
}

static void
fuzz_same_conns(const struct hs_config *a, const struct hs_config *b)
{
	static const struct {
		const char	*user, *addr;
		int		 lport;
	} conns[] = {
		{ "alice", "10.1.2.3", 22 },
		{ "root", "2001:db8::1", 2222 },
		{ NULL, NULL, 0 },
	};
	char *x, *y;
	size_t i;

	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++) {
		x = fuzz_conn_dump(a, conns[i].user, conns[i].addr,
		    conns[i].lport);
		y = fuzz_conn_dump(b, conns[i].user, conns[i].addr,
		    conns[i].lport);
		if ((x == NULL) != (y == NULL) ||
		    (x != NULL && strcmp(x, y) != 0))
			abort();
		free(x);
		free(y);
	}
}

/* Serialise c; its snapshot must deserialise to the same config.  The
 * bytes are left in out. */
static void
fuzz_roundtrip(const struct hs_config *c, struct buf *out)
{
	struct hs_config *d = NULL;

	if (config_serialize(c, out) != 0) {
		/* Only a string or list too long for the reader. */
		if (buf_len(out) != 0)
			abort();
		return;
	}
	if (config_deserialize(buf_ptr(out), buf_len(out), &d) != 0)
		abort();
	fuzz_same_dump(c, d);
	fuzz_same_conns(c, d);
	config_free(d);
}

static void
fuzz_bytes(const uint8_t *data, size_t size)
{
	struct hs_config *d = NULL, *e = NULL;
	struct buf *b1 = NULL, *b2 = NULL;

	if (config_deserialize(data, size, &d) != 0)
		return;
	if ((b1 = buf_new()) == NULL || (b2 = buf_new()) == NULL)
		abort();
	/* What was accepted serialises, and the copy is the same config. */
	if (config_serialize(d, b1) != 0 ||
	    config_deserialize(buf_ptr(b1), buf_len(b1), &e) != 0)
		abort();
	fuzz_same_dump(d, e);
	fuzz_same_conns(d, e);
	if (config_serialize(e, b2) != 0 || !buf_equal(b1, b2))
		abort();
	config_free(d);
	config_free(e);
	buf_free(b1);
	buf_free(b2);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	struct hs_config *c;
	struct buf *b = NULL;
	char *err = NULL;

	if ((c = config_new()) == NULL)
		return;
	if (config_set_confdir(c, fuzz_dir, true) != 0 ||
	    config_load_buffer(c, "fuzz", data, size, &err) != 0 ||
	    config_finish(c, &err) != 0)
		goto out;
	if ((b = buf_new()) == NULL)
		abort();
	fuzz_roundtrip(c, b);
 out:
	buf_free(b);
	free(err);
	config_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *edited;
	size_t i, off;

	fuzz_bytes(data, size);
	/* Each 3 bytes: a big-endian offset into the base, and its new
	 * value.  A few edits at most, so the result stays near valid. */
	if ((edited = malloc(fuzz_base_len)) == NULL)
		abort();
	memcpy(edited, fuzz_base, fuzz_base_len);
	for (i = 0; i + 3 <= size && i < 3 * 8; i += 3) {
		off = ((size_t)data[i] << 8 | data[i + 1]) % fuzz_base_len;
		edited[off] = data[i + 2];
	}
	fuzz_bytes(edited, fuzz_base_len);
	free(edited);
	fuzz_text(data, size);
	return 0;
}
