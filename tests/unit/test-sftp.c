/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of internal-sftp: the request parsers and ATTRS encoding
 * (session/sftp-msg.c: every request type, truncation at every length,
 * trailing bytes, oversized fields, unknown types and extensions), the
 * protocol engine (session/sftp-server.c) in a temporary directory
 * (open/write/read/close, readdir long names, stat, setstat, rename
 * semantics, mkdir/rmdir, symlink/readlink, realpath, extensions, -R,
 * -P/-p, bad handles, the handle table's bound, protocol violations), and
 * the descriptor loop sftp_server_main() in a child over a socketpair
 * (flow control when the client does not read, -Q, exit status).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "session/sftp-msg.h"
#include "session/sftp-server.h"
#include "tests/tap.h"

static struct buf *
req_start(uint8_t type, uint32_t id)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, type) != 0 || buf_put_u32(b, id) != 0)
		abort();
	return b;
}

static void
put_str(struct buf *b, const char *s)
{
	if (buf_put_cstring(b, s) != 0)
		abort();
}

static void
put_u32(struct buf *b, uint32_t v)
{
	if (buf_put_u32(b, v) != 0)
		abort();
}

static void
put_u64(struct buf *b, uint64_t v)
{
	if (buf_put_u64(b, v) != 0)
		abort();
}

static void
put_attrs(struct buf *b, uint32_t flags, uint32_t perm)
{
	struct sftp_attrs a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.perm = perm;
	a.size = 5;
	a.uid = 1;
	a.gid = 2;
	a.atime = 3;
	a.mtime = 4;
	if (sftp_attrs_put(b, &a) != 0)
		abort();
}

static const uint8_t handle8[8] = { 0, 0, 0, 1, 0, 0, 0, 7 };

/* Every strict prefix fails, the full message parses to op, and one
 * more byte fails with HS_ERR_TRAILING_DATA. */
static void
check_parse(const struct buf *full, enum sftp_op op)
{
	struct sftp_req req;
	struct buf *b;
	bool has_id;
	size_t i;

	for (i = 0; i < buf_len(full); i++) {
		b = buf_from(buf_ptr(full), i);
		if (sftp_req_parse(b, &req, &has_id) == 0)
			tap_fail(__FILE__, __LINE__, "prefix %zu of op %d parsed",
			    i, (int)op);
		sftp_req_clear(&req);
		buf_free(b);
	}
	b = buf_from(buf_ptr(full), buf_len(full));
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), 0);
	ASSERT_INT_EQ(req.op, op);
	ASSERT_TRUE(has_id);
	ASSERT_INT_EQ(req.id, 42);
	sftp_req_clear(&req);
	buf_free(b);
	b = buf_new();
	if (buf_putb(b, full) != 0 || buf_put_u8(b, 0) != 0)
		abort();
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), HS_ERR_TRAILING_DATA);
	sftp_req_clear(&req);
	buf_free(b);
}

static struct buf *
ext_start(const char *name)
{
	struct buf *b = req_start(SSH2_FXP_EXTENDED, 42);

	put_str(b, name);
	return b;
}

static void
test_parsers(void)
{
	struct sftp_req req;
	struct buf *b, *c;
	bool has_id;
	char *big;

	TEST_START("parse: every base request, prefixes and trailing bytes");
	b = req_start(SSH2_FXP_OPEN, 42);
	put_str(b, "file");
	put_u32(b, SSH2_FXF_READ | SSH2_FXF_WRITE);
	put_attrs(b, SSH2_FILEXFER_ATTR_PERMISSIONS, 0640);
	check_parse(b, SFTP_OP_OPEN);
	c = buf_from(buf_ptr(b), buf_len(b));
	ASSERT_INT_EQ(sftp_req_parse(c, &req, &has_id), 0);
	ASSERT_STR_EQ(req.path, "file");
	ASSERT_INT_EQ(req.pflags, SSH2_FXF_READ | SSH2_FXF_WRITE);
	ASSERT_INT_EQ(req.attrs.flags, SSH2_FILEXFER_ATTR_PERMISSIONS);
	ASSERT_INT_EQ(req.attrs.perm, 0640);
	sftp_req_clear(&req);
	buf_free(c);
	buf_free(b);
	{
		static const struct { uint8_t type; enum sftp_op op; } h[] = {
			{ SSH2_FXP_CLOSE, SFTP_OP_CLOSE },
			{ SSH2_FXP_FSTAT, SFTP_OP_FSTAT },
			{ SSH2_FXP_READDIR, SFTP_OP_READDIR },
		};
		static const struct { uint8_t type; enum sftp_op op; } p[] = {
			{ SSH2_FXP_LSTAT, SFTP_OP_LSTAT },
			{ SSH2_FXP_STAT, SFTP_OP_STAT },
			{ SSH2_FXP_OPENDIR, SFTP_OP_OPENDIR },
			{ SSH2_FXP_REMOVE, SFTP_OP_REMOVE },
			{ SSH2_FXP_RMDIR, SFTP_OP_RMDIR },
			{ SSH2_FXP_READLINK, SFTP_OP_READLINK },
			{ SSH2_FXP_REALPATH, SFTP_OP_REALPATH },
		};
		size_t i;

		for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
			b = req_start(h[i].type, 42);
			buf_put_string(b, handle8, sizeof(handle8));
			check_parse(b, h[i].op);
			buf_free(b);
		}
		for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
			b = req_start(p[i].type, 42);
			put_str(b, "some/path");
			check_parse(b, p[i].op);
			buf_free(b);
		}
	}
	b = req_start(SSH2_FXP_READ, 42);
	buf_put_string(b, handle8, sizeof(handle8));
	put_u64(b, 1ULL << 40);
	put_u32(b, 32768);
	check_parse(b, SFTP_OP_READ);
	c = buf_from(buf_ptr(b), buf_len(b));
	ASSERT_INT_EQ(sftp_req_parse(c, &req, &has_id), 0);
	ASSERT_U64_EQ(req.offset, 1ULL << 40);
	ASSERT_INT_EQ(req.len, 32768);
	ASSERT_INT_EQ(req.handle_len, 8);
	ASSERT_MEM_EQ(req.handle, handle8, 8);
	sftp_req_clear(&req);
	buf_free(c);
	buf_free(b);
	b = req_start(SSH2_FXP_WRITE, 42);
	buf_put_string(b, handle8, sizeof(handle8));
	put_u64(b, 7);
	put_str(b, "data!");
	check_parse(b, SFTP_OP_WRITE);
	c = buf_from(buf_ptr(b), buf_len(b));
	ASSERT_INT_EQ(sftp_req_parse(c, &req, &has_id), 0);
	ASSERT_INT_EQ(req.data_len, 5);
	ASSERT_MEM_EQ(req.data, "data!", 5);
	sftp_req_clear(&req);
	buf_free(c);
	buf_free(b);
	b = req_start(SSH2_FXP_SETSTAT, 42);
	put_str(b, "p");
	put_attrs(b, SSH2_FILEXFER_ATTR_SIZE | SSH2_FILEXFER_ATTR_UIDGID |
	    SSH2_FILEXFER_ATTR_PERMISSIONS | SSH2_FILEXFER_ATTR_ACMODTIME, 0600);
	check_parse(b, SFTP_OP_SETSTAT);
	buf_free(b);
	b = req_start(SSH2_FXP_MKDIR, 42);
	put_str(b, "d");
	put_attrs(b, 0, 0);
	check_parse(b, SFTP_OP_MKDIR);
	buf_free(b);
	b = req_start(SSH2_FXP_FSETSTAT, 42);
	buf_put_string(b, handle8, sizeof(handle8));
	put_attrs(b, SSH2_FILEXFER_ATTR_ACMODTIME, 0);
	check_parse(b, SFTP_OP_FSETSTAT);
	buf_free(b);
	b = req_start(SSH2_FXP_RENAME, 42);
	put_str(b, "old");
	put_str(b, "new");
	check_parse(b, SFTP_OP_RENAME);
	buf_free(b);
	b = req_start(SSH2_FXP_SYMLINK, 42);
	put_str(b, "target");
	put_str(b, "link");
	check_parse(b, SFTP_OP_SYMLINK);
	c = buf_from(buf_ptr(b), buf_len(b));
	ASSERT_INT_EQ(sftp_req_parse(c, &req, &has_id), 0);
	ASSERT_STR_EQ(req.path, "target");
	ASSERT_STR_EQ(req.path2, "link");
	sftp_req_clear(&req);
	buf_free(c);
	buf_free(b);
	TEST_DONE();

	TEST_START("parse: every extension, prefixes and trailing bytes");
	b = ext_start("posix-rename@openssh.com");
	put_str(b, "a");
	put_str(b, "b");
	check_parse(b, SFTP_OP_POSIX_RENAME);
	buf_free(b);
	b = ext_start("hardlink@openssh.com");
	put_str(b, "a");
	put_str(b, "b");
	check_parse(b, SFTP_OP_HARDLINK);
	buf_free(b);
	b = ext_start("statvfs@openssh.com");
	put_str(b, "/");
	check_parse(b, SFTP_OP_STATVFS);
	buf_free(b);
	b = ext_start("expand-path@openssh.com");
	put_str(b, "~/x");
	check_parse(b, SFTP_OP_EXPAND_PATH);
	buf_free(b);
	b = ext_start("home-directory");
	put_str(b, "root");
	check_parse(b, SFTP_OP_HOME_DIRECTORY);
	buf_free(b);
	b = ext_start("fstatvfs@openssh.com");
	buf_put_string(b, handle8, sizeof(handle8));
	check_parse(b, SFTP_OP_FSTATVFS);
	buf_free(b);
	b = ext_start("fsync@openssh.com");
	buf_put_string(b, handle8, sizeof(handle8));
	check_parse(b, SFTP_OP_FSYNC);
	buf_free(b);
	b = ext_start("lsetstat@openssh.com");
	put_str(b, "l");
	put_attrs(b, SSH2_FILEXFER_ATTR_PERMISSIONS, 0644);
	check_parse(b, SFTP_OP_LSETSTAT);
	buf_free(b);
	b = ext_start("limits@openssh.com");
	check_parse(b, SFTP_OP_LIMITS);
	buf_free(b);
	b = ext_start("copy-data");
	buf_put_string(b, handle8, sizeof(handle8));
	put_u64(b, 1);
	put_u64(b, 2);
	buf_put_string(b, handle8, sizeof(handle8));
	put_u64(b, 3);
	check_parse(b, SFTP_OP_COPY_DATA);
	c = buf_from(buf_ptr(b), buf_len(b));
	ASSERT_INT_EQ(sftp_req_parse(c, &req, &has_id), 0);
	ASSERT_U64_EQ(req.offset, 1);
	ASSERT_U64_EQ(req.len64, 2);
	ASSERT_U64_EQ(req.offset2, 3);
	ASSERT_INT_EQ(req.handle2_len, 8);
	sftp_req_clear(&req);
	buf_free(c);
	buf_free(b);
	TEST_DONE();

	TEST_START("parse: INIT, unknown types and extensions");
	b = buf_new();
	buf_put_u8(b, SSH2_FXP_INIT);
	put_u32(b, 3);
	put_str(b, "ext@example.com");	/* a client's extension pair */
	put_str(b, "1");
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), 0);
	ASSERT_INT_EQ(req.op, SFTP_OP_INIT);
	ASSERT_INT_EQ(req.version, 3);
	ASSERT_FALSE(has_id);
	sftp_req_clear(&req);
	buf_free(b);
	b = buf_new();
	buf_put_u8(b, SSH2_FXP_INIT);
	buf_put_u8(b, 0);
	ASSERT_INT_NE(sftp_req_parse(b, &req, &has_id), 0);
	sftp_req_clear(&req);
	buf_free(b);
	b = req_start(99, 5);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), HS_ERR_PROTOCOL);
	ASSERT_TRUE(has_id);
	ASSERT_INT_EQ(req.id, 5);
	sftp_req_clear(&req);
	buf_free(b);
	b = ext_start("nonesuch@example.com");
	put_str(b, "whatever the request holds");
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), 0);
	ASSERT_INT_EQ(req.op, SFTP_OP_EXTENDED_UNKNOWN);
	ASSERT_STR_EQ(req.ext_name, "nonesuch@example.com");
	ASSERT_PTR_EQ(sftp_op_name(req.op), NULL);
	sftp_req_clear(&req);
	buf_free(b);
	TEST_DONE();

	TEST_START("parse: oversized fields and NULs are refused");
	big = malloc(SFTP_PATH_MAX + 2);
	memset(big, 'a', SFTP_PATH_MAX + 1);
	big[SFTP_PATH_MAX + 1] = '\0';
	b = req_start(SSH2_FXP_STAT, 1);
	put_str(b, big);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), HS_ERR_TOO_LONG);
	ASSERT_TRUE(has_id);
	sftp_req_clear(&req);
	buf_free(b);
	big[SFTP_PATH_MAX] = '\0';
	b = req_start(SSH2_FXP_STAT, 1);
	put_str(b, big);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), 0);
	sftp_req_clear(&req);
	buf_free(b);
	big[SFTP_HANDLE_WIRE_MAX + 1] = '\0';
	b = req_start(SSH2_FXP_CLOSE, 1);
	put_str(b, big);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), HS_ERR_TOO_LONG);
	sftp_req_clear(&req);
	buf_free(b);
	free(big);
	b = req_start(SSH2_FXP_STAT, 1);
	buf_put_string(b, "a\0b", 3);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), HS_ERR_STRING_NUL);
	sftp_req_clear(&req);
	buf_free(b);
	/* A READ length past the cap parses: the server caps it. */
	b = req_start(SSH2_FXP_READ, 1);
	buf_put_string(b, handle8, sizeof(handle8));
	put_u64(b, 0);
	put_u32(b, 0xffffffffu);
	ASSERT_INT_EQ(sftp_req_parse(b, &req, &has_id), 0);
	sftp_req_clear(&req);
	buf_free(b);
	TEST_DONE();

	TEST_START("ATTRS: round trip, extended pairs, bounds, no partial read");
	{
		struct sftp_attrs a, d;
		uint32_t i;

		memset(&a, 0, sizeof(a));
		a.flags = SSH2_FILEXFER_ATTR_SIZE | SSH2_FILEXFER_ATTR_UIDGID |
		    SSH2_FILEXFER_ATTR_PERMISSIONS |
		    SSH2_FILEXFER_ATTR_ACMODTIME;
		a.size = 0x123456789ULL;
		a.uid = 1000;
		a.gid = 100;
		a.perm = 0100644;
		a.atime = 1700000000;
		a.mtime = 1700000001;
		b = buf_new();
		ASSERT_INT_EQ(sftp_attrs_put(b, &a), 0);
		ASSERT_INT_EQ(buf_len(b), 4 + 8 + 8 + 4 + 8);
		ASSERT_INT_EQ(sftp_attrs_get(b, &d), 0);
		ASSERT_INT_EQ(buf_len(b), 0);
		ASSERT_MEM_EQ(&a, &d, sizeof(a));
		buf_free(b);
		/* Extended pairs are read and dropped. */
		b = buf_new();
		put_u32(b, SSH2_FILEXFER_ATTR_EXTENDED |
		    SSH2_FILEXFER_ATTR_PERMISSIONS);
		put_u32(b, 0755);
		put_u32(b, 2);
		put_str(b, "a@x");
		put_str(b, "1");
		put_str(b, "b@x");
		put_str(b, "2");
		ASSERT_INT_EQ(sftp_attrs_get(b, &d), 0);
		ASSERT_INT_EQ(d.perm, 0755);
		ASSERT_INT_EQ(buf_len(b), 0);
		buf_free(b);
		/* Too many pairs; and a truncated one consumes nothing. */
		b = buf_new();
		put_u32(b, SSH2_FILEXFER_ATTR_EXTENDED);
		put_u32(b, SFTP_ATTR_EXT_MAX + 1);
		for (i = 0; i <= SFTP_ATTR_EXT_MAX; i++) {
			put_str(b, "n");
			put_str(b, "v");
		}
		ASSERT_INT_EQ(sftp_attrs_get(b, &d), HS_ERR_TOO_LONG);
		buf_free(b);
		b = buf_new();
		put_u32(b, SSH2_FILEXFER_ATTR_SIZE);
		put_u32(b, 1);
		ASSERT_INT_EQ(sftp_attrs_get(b, &d), HS_ERR_SHORT);
		ASSERT_INT_EQ(buf_len(b), 8);
		buf_free(b);
	}
	TEST_DONE();

	TEST_START("op names and the writes table");
	ASSERT_STR_EQ(sftp_op_name(SFTP_OP_OPEN), "open");
	ASSERT_STR_EQ(sftp_op_name(SFTP_OP_POSIX_RENAME), "posix-rename");
	ASSERT_STR_EQ(sftp_op_ext_name(SFTP_OP_STATVFS), "statvfs@openssh.com");
	ASSERT_PTR_EQ(sftp_op_ext_name(SFTP_OP_READ), NULL);
	ASSERT_TRUE(sftp_op_writes(SFTP_OP_REMOVE));
	ASSERT_TRUE(sftp_op_writes(SFTP_OP_COPY_DATA));
	ASSERT_FALSE(sftp_op_writes(SFTP_OP_READ));
	ASSERT_FALSE(sftp_op_writes(SFTP_OP_STATVFS));
	TEST_DONE();
}

/* ---- the engine ---- */

static struct sftp_server *
server(const char *args)
{
	char *copy = strdup(args), *av[16], *w, *save = NULL;
	struct sftp_server *s;
	int ac = 0;

	for (w = strtok_r(copy, " ", &save); w != NULL && ac < 15;
	    w = strtok_r(NULL, " ", &save))
		av[ac++] = w;
	av[ac] = NULL;
	s = sftp_server_new(ac, av, "tester", "/nonexistent-home");
	free(copy);
	return s;
}

/* Frame req (freed) in, serve it, return the one reply's body. */
static struct buf *
call_rc(struct sftp_server *s, struct buf *req, int *rc)
{
	struct buf *in = buf_new(), *out = buf_new(), *reply = NULL;

	buf_set_max_size(out, SFTP_OUTBUF_MAX);
	if (buf_put_stringb(in, req) != 0)
		abort();
	buf_free(req);
	*rc = sftp_server_process(s, in, out);
	if (buf_len(in) != 0)
		tap_fail(__FILE__, __LINE__, "request not consumed");
	if (buf_len(out) > 0 &&
	    (buf_froms(out, SFTP_MSG_MAX, &reply) != 0 || buf_len(out) != 0))
		tap_fail(__FILE__, __LINE__, "not exactly one reply");
	buf_free(in);
	buf_free(out);
	return reply;
}

static struct buf *
call(struct sftp_server *s, struct buf *req)
{
	struct buf *reply;
	int rc;

	reply = call_rc(s, req, &rc);
	if (rc != 0)
		tap_fail(__FILE__, __LINE__, "process: %s", hs_err_str(rc));
	if (reply == NULL) {
		tap_fail(__FILE__, __LINE__, "no reply");
		reply = buf_new();
	}
	return reply;
}

/* The reply's type, after checking its id. */
static uint8_t
reply_type(struct buf *r, uint32_t id)
{
	uint8_t type = 0;
	uint32_t rid = 0;

	if (buf_get_u8(r, &type) != 0 || buf_get_u32(r, &rid) != 0 ||
	    rid != id)
		tap_fail(__FILE__, __LINE__, "reply id %u != %u", rid, id);
	return type;
}

/* The STATUS code of a reply (-1 if it is something else). */
static int
status(struct sftp_server *s, struct buf *req)
{
	struct buf *r = call(s, req);
	uint32_t code = 0;
	int ret = -1;

	if (reply_type(r, 42) == SSH2_FXP_STATUS &&
	    buf_get_u32(r, &code) == 0 && buf_skip_string(r, 1024) == 0 &&
	    buf_skip_string(r, 1024) == 0 && buf_get_end(r) == 0)
		ret = (int)code;
	buf_free(r);
	return ret;
}

static void
init(struct sftp_server *s)
{
	struct buf *b = buf_new(), *r;
	uint8_t type = 0;
	uint32_t v = 0;
	char *name = NULL, *ver = NULL;
	int nexts = 0, rc;

	buf_put_u8(b, SSH2_FXP_INIT);
	put_u32(b, 3);
	r = call_rc(s, b, &rc);
	ASSERT_INT_EQ(rc, 0);
	ASSERT_TRUE(r != NULL);
	if (r == NULL)
		return;
	ASSERT_INT_EQ(buf_get_u8(r, &type), 0);
	ASSERT_INT_EQ(type, SSH2_FXP_VERSION);
	ASSERT_INT_EQ(buf_get_u32(r, &v), 0);
	ASSERT_INT_EQ(v, 3);
	while (buf_get_cstring(r, 256, &name, NULL) == 0 &&
	    buf_get_cstring(r, 256, &ver, NULL) == 0) {
		nexts++;
		free(name);
		free(ver);
	}
	ASSERT_INT_EQ(nexts, 10);
	ASSERT_INT_EQ(buf_len(r), 0);
	buf_free(r);
}

/* OPEN path; returns the handle in h (8 bytes) or the status. */
static int
do_open(struct sftp_server *s, const char *path, uint32_t pflags,
    uint8_t h[8])
{
	struct buf *b = req_start(SSH2_FXP_OPEN, 42), *r;
	const uint8_t *p;
	size_t len;
	uint32_t code;
	int ret = -1;

	put_str(b, path);
	put_u32(b, pflags);
	put_attrs(b, SSH2_FILEXFER_ATTR_PERMISSIONS, 0600);
	r = call(s, b);
	switch (reply_type(r, 42)) {
	case SSH2_FXP_HANDLE:
		if (buf_get_string_direct(r, 256, &p, &len) == 0 && len == 8) {
			memcpy(h, p, 8);
			ret = 0;
		}
		break;
	case SSH2_FXP_STATUS:
		if (buf_get_u32(r, &code) == 0)
			ret = (int)code;
		break;
	}
	buf_free(r);
	return ret;
}

static int
do_write(struct sftp_server *s, const uint8_t h[8], uint64_t off,
    const char *data)
{
	struct buf *b = req_start(SSH2_FXP_WRITE, 42);

	buf_put_string(b, h, 8);
	put_u64(b, off);
	put_str(b, data);
	return status(s, b);
}

static int
handle_req(struct sftp_server *s, uint8_t type, const uint8_t *h, size_t len)
{
	struct buf *b = req_start(type, 42);

	buf_put_string(b, h, len);
	return status(s, b);
}

static int
path_req(struct sftp_server *s, uint8_t type, const char *p1, const char *p2)
{
	struct buf *b = req_start(type, 42);

	put_str(b, p1);
	if (p2 != NULL)
		put_str(b, p2);
	if (type == SSH2_FXP_MKDIR || type == SSH2_FXP_SETSTAT)
		put_attrs(b, SSH2_FILEXFER_ATTR_PERMISSIONS, 0750);
	return status(s, b);
}

/* READ: the data (heap, NUL-terminated) or NULL with *st the status. */
static char *
do_read(struct sftp_server *s, const uint8_t h[8], uint64_t off, uint32_t len,
    int *st, size_t *ret_len)
{
	struct buf *b = req_start(SSH2_FXP_READ, 42), *r;
	char *data = NULL;
	uint32_t code = 0;
	uint8_t type;

	buf_put_string(b, h, 8);
	put_u64(b, off);
	put_u32(b, len);
	r = call(s, b);
	*st = -1;
	type = reply_type(r, 42);
	if (type == SSH2_FXP_DATA)
		(void)buf_get_cstring(r, SFTP_MSG_MAX, &data, ret_len);
	else if (type == SSH2_FXP_STATUS && buf_get_u32(r, &code) == 0)
		*st = (int)code;
	buf_free(r);
	return data;
}

/* A NAME reply of one entry: the name. */
static char *
one_name(struct sftp_server *s, struct buf *req)
{
	struct buf *r = call(s, req);
	struct sftp_attrs a;
	uint32_t n = 0;
	char *name = NULL;

	if (reply_type(r, 42) != SSH2_FXP_NAME || buf_get_u32(r, &n) != 0 ||
	    n != 1 || buf_get_cstring(r, 8192, &name, NULL) != 0 ||
	    buf_skip_string(r, 8192) != 0 || sftp_attrs_get(r, &a) != 0 ||
	    buf_get_end(r) != 0) {
		free(name);
		name = NULL;
	}
	buf_free(r);
	return name;
}

static void
test_engine(const char *dir)
{
	struct sftp_server *s;
	struct buf *b, *r;
	struct stat st;
	uint8_t h[8], h2[8], bad[8];
	char *data, *name, *longname, cwd[PATH_MAX], expect[PATH_MAX + 16];
	size_t len;
	uint32_t n, i, code;
	int st_code, found;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		abort();

	TEST_START("engine: INIT, then open/write/read/close");
	s = server("");
	ASSERT_TRUE(s != NULL);
	init(s);
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_WRITE | SSH2_FXF_CREAT |
	    SSH2_FXF_TRUNC, h), 0);
	ASSERT_INT_EQ(do_write(s, h, 0, "hello, "), SSH2_FX_OK);
	ASSERT_INT_EQ(do_write(s, h, 7, "world"), SSH2_FX_OK);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("f1", &st), 0);
	ASSERT_INT_EQ(st.st_size, 12);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_READ, h), 0);
	data = do_read(s, h, 0, 100, &st_code, &len);
	ASSERT_STR_EQ(data, "hello, world");
	free(data);
	data = do_read(s, h, 7, 3, &st_code, &len);
	ASSERT_STR_EQ(data, "wor");
	free(data);
	data = do_read(s, h, 12, 100, &st_code, &len);
	ASSERT_PTR_EQ(data, NULL);
	ASSERT_INT_EQ(st_code, SSH2_FX_EOF);
	/* The same handle after close is gone. */
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(do_open(s, "nonexistent", SSH2_FXF_READ, h),
	    SSH2_FX_NO_SUCH_FILE);
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_WRITE | SSH2_FXF_CREAT |
	    SSH2_FXF_EXCL, h), SSH2_FX_FAILURE);
	TEST_DONE();

	TEST_START("engine: bad handles");
	memset(bad, 0xff, sizeof(bad));
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, bad, 8), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, bad, 3), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_READDIR, bad, 0), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(do_write(s, bad, 0, "x"), SSH2_FX_FAILURE);
	/* A file handle is not a directory handle, and the other way. */
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_READ, h), 0);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_READDIR, h, 8), SSH2_FX_FAILURE);
	/* A stale generation does not name the slot's next file. */
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_READ, h2), 0);
	ASSERT_MEM_EQ(h, h2, 4);	/* same slot ... */
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h2, 8), SSH2_FX_OK);
	TEST_DONE();

	TEST_START("engine: stat, lstat, fstat, setstat");
	b = req_start(SSH2_FXP_STAT, 42);
	put_str(b, "f1");
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_ATTRS);
	{
		struct sftp_attrs a;

		ASSERT_INT_EQ(sftp_attrs_get(r, &a), 0);
		ASSERT_U64_EQ(a.size, 12);
		ASSERT_INT_EQ(a.perm, 0100600);
		ASSERT_INT_EQ(a.uid, getuid());
	}
	ASSERT_INT_EQ(buf_get_end(r), 0);
	buf_free(r);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_SETSTAT, "f1", NULL), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("f1", &st), 0);
	ASSERT_INT_EQ(st.st_mode & 07777, 0750);
	b = req_start(SSH2_FXP_SETSTAT, 42);
	put_str(b, "f1");
	put_u32(b, SSH2_FILEXFER_ATTR_SIZE | SSH2_FILEXFER_ATTR_ACMODTIME);
	put_u64(b, 3);
	put_u32(b, 1000000000);
	put_u32(b, 1000000001);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("f1", &st), 0);
	ASSERT_INT_EQ(st.st_size, 3);
	ASSERT_INT_EQ(st.st_mtime, 1000000001);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_LSTAT, "nope", NULL),
	    SSH2_FX_NO_SUCH_FILE);
	ASSERT_INT_EQ(do_open(s, "f1", SSH2_FXF_READ, h), 0);
	b = req_start(SSH2_FXP_FSTAT, 42);
	buf_put_string(b, h, 8);
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_ATTRS);
	buf_free(r);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	TEST_DONE();

	TEST_START("engine: mkdir, readdir with ls -l long names, rmdir");
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_MKDIR, "d", NULL), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("d", &st), 0);
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_MKDIR, "d", NULL), SSH2_FX_FAILURE);
	b = req_start(SSH2_FXP_OPENDIR, 42);
	put_str(b, ".");
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_HANDLE);
	{
		const uint8_t *p;

		ASSERT_INT_EQ(buf_get_string_direct(r, 256, &p, &len), 0);
		ASSERT_INT_EQ(len, 8);
		memcpy(h, p, 8);
	}
	buf_free(r);
	found = 0;
	for (i = 0; i < 10; i++) {
		b = req_start(SSH2_FXP_READDIR, 42);
		buf_put_string(b, h, 8);
		r = call(s, b);
		if (reply_type(r, 42) != SSH2_FXP_NAME) {
			ASSERT_INT_EQ(buf_get_u32(r, &code), 0);
			ASSERT_INT_EQ(code, SSH2_FX_EOF);
			buf_free(r);
			break;
		}
		ASSERT_INT_EQ(buf_get_u32(r, &n), 0);
		for (; n > 0; n--) {
			struct sftp_attrs a;

			name = longname = NULL;
			ASSERT_INT_EQ(buf_get_cstring(r, 1024, &name, NULL), 0);
			ASSERT_INT_EQ(buf_get_cstring(r, 2048, &longname,
			    NULL), 0);
			ASSERT_INT_EQ(sftp_attrs_get(r, &a), 0);
			if (name != NULL && strcmp(name, "d") == 0) {
				found |= 1;
				ASSERT_TRUE(strncmp(longname, "drwxr-x---",
				    10) == 0);
				ASSERT_TRUE(strlen(longname) > 2 &&
				    strcmp(longname + strlen(longname) - 2,
				    " d") == 0);
			}
			if (name != NULL && strcmp(name, "f1") == 0) {
				found |= 2;
				ASSERT_TRUE(strncmp(longname, "-rwxr-x---   1 ",
				    15) == 0);
				ASSERT_TRUE(strstr(longname, "        3 ") !=
				    NULL);
				ASSERT_INT_EQ(a.size, 3);
			}
			free(name);
			free(longname);
		}
		ASSERT_INT_EQ(buf_get_end(r), 0);
		buf_free(r);
	}
	ASSERT_INT_EQ(found, 3);
	ASSERT_INT_LT(i, 10);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_RMDIR, "d", NULL), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("d", &st), -1);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_RMDIR, "d", NULL),
	    SSH2_FX_NO_SUCH_FILE);
	TEST_DONE();

	TEST_START("engine: rename never replaces, posix-rename does");
	ASSERT_INT_EQ(do_open(s, "f2", SSH2_FXF_WRITE | SSH2_FXF_CREAT, h), 0);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_RENAME, "f2", "f1"),
	    SSH2_FX_FAILURE);
	ASSERT_INT_EQ(stat("f2", &st), 0);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_RENAME, "f2", "f3"), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("f3", &st), 0);
	ASSERT_INT_EQ(stat("f2", &st), -1);
	b = ext_start("posix-rename@openssh.com");
	put_str(b, "f3");
	put_str(b, "f1");
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("f1", &st), 0);
	ASSERT_INT_EQ(st.st_size, 0);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "f1", NULL), SSH2_FX_OK);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "f1", NULL),
	    SSH2_FX_NO_SUCH_FILE);
	TEST_DONE();

	TEST_START("engine: symlink (OpenSSH's order), readlink, realpath");
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_SYMLINK, "target-x", "lnk"),
	    SSH2_FX_OK);
	b = req_start(SSH2_FXP_READLINK, 42);
	put_str(b, "lnk");
	name = one_name(s, b);
	ASSERT_STR_EQ(name, "target-x");
	free(name);
	b = req_start(SSH2_FXP_REALPATH, 42);
	put_str(b, ".");
	name = one_name(s, b);
	ASSERT_STR_EQ(name, cwd);
	free(name);
	b = req_start(SSH2_FXP_REALPATH, 42);
	put_str(b, "");
	name = one_name(s, b);
	ASSERT_STR_EQ(name, cwd);
	free(name);
	/* A missing last component is fine; a missing directory is not. */
	b = req_start(SSH2_FXP_REALPATH, 42);
	put_str(b, "./new-file");
	name = one_name(s, b);
	snprintf(expect, sizeof(expect), "%s/new-file", cwd);
	ASSERT_STR_EQ(name, expect);
	free(name);
	b = req_start(SSH2_FXP_REALPATH, 42);
	put_str(b, "no-dir/new-file");
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_STATUS);
	buf_free(r);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "lnk", NULL), SSH2_FX_OK);
	(void)dir;
	TEST_DONE();

	TEST_START("engine: extensions (statvfs, limits, hardlink, fsync, "
	    "copy-data, expand-path, lsetstat, unknown)");
	b = ext_start("statvfs@openssh.com");
	put_str(b, ".");
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_EXTENDED_REPLY);
	ASSERT_INT_EQ(buf_len(r), 11 * 8);
	buf_free(r);
	b = ext_start("limits@openssh.com");
	r = call(s, b);
	ASSERT_INT_EQ(reply_type(r, 42), SSH2_FXP_EXTENDED_REPLY);
	{
		uint64_t v = 0;

		ASSERT_INT_EQ(buf_get_u64(r, &v), 0);
		ASSERT_U64_EQ(v, SFTP_MSG_MAX);
		ASSERT_INT_EQ(buf_get_u64(r, &v), 0);
		ASSERT_U64_EQ(v, SFTP_READ_MAX);
		ASSERT_INT_EQ(buf_get_u64(r, &v), 0);
		ASSERT_INT_EQ(buf_get_u64(r, &v), 0);
		ASSERT_U64_EQ(v, SFTP_HANDLES_MAX);
		ASSERT_INT_EQ(buf_get_end(r), 0);
	}
	buf_free(r);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ | SSH2_FXF_WRITE |
	    SSH2_FXF_CREAT, h), 0);
	ASSERT_INT_EQ(do_write(s, h, 0, "0123456789"), SSH2_FX_OK);
	b = ext_start("fsync@openssh.com");
	buf_put_string(b, h, 8);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
	ASSERT_INT_EQ(do_open(s, "dst", SSH2_FXF_WRITE | SSH2_FXF_CREAT, h2),
	    0);
	b = ext_start("copy-data");
	buf_put_string(b, h, 8);
	put_u64(b, 2);
	put_u64(b, 0);		/* to the end */
	buf_put_string(b, h2, 8);
	put_u64(b, 1);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
	/* Onto itself: refused. */
	b = ext_start("copy-data");
	buf_put_string(b, h, 8);
	put_u64(b, 0);
	put_u64(b, 0);
	buf_put_string(b, h, 8);
	put_u64(b, 10);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_FAILURE);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h2, 8), SSH2_FX_OK);
	{
		char got[32] = { 0 };
		int fd = open("dst", O_RDONLY);

		ASSERT_INT_EQ(read(fd, got, sizeof(got) - 1), 9);
		ASSERT_MEM_EQ(got, "\0" "23456789", 9);
		close(fd);
	}
	b = ext_start("hardlink@openssh.com");
	put_str(b, "src");
	put_str(b, "src-link");
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
	ASSERT_INT_EQ(stat("src", &st), 0);
	ASSERT_INT_EQ(st.st_nlink, 2);
	b = ext_start("expand-path@openssh.com");
	put_str(b, "~/src");
	name = one_name(s, b);
	snprintf(expect, sizeof(expect), "%s/src", cwd);
	ASSERT_STR_EQ(name, expect);
	free(name);
	b = ext_start("expand-path@openssh.com");
	put_str(b, "~root");
	name = one_name(s, b);
	ASSERT_TRUE(name != NULL && name[0] == '/');
	free(name);
	if (symlink("src", "sl") == 0) {
		b = ext_start("lsetstat@openssh.com");
		put_str(b, "sl");
		put_attrs(b, SSH2_FILEXFER_ATTR_ACMODTIME, 0);
		ASSERT_INT_EQ(status(s, b), SSH2_FX_OK);
		ASSERT_INT_EQ(lstat("sl", &st), 0);
		ASSERT_INT_EQ(st.st_mtime, 4);
		ASSERT_INT_EQ(stat("sl", &st), 0);
		ASSERT_INT_NE(st.st_mtime, 4);
		b = ext_start("lsetstat@openssh.com");
		put_str(b, "sl");
		put_attrs(b, SSH2_FILEXFER_ATTR_SIZE, 0);
		ASSERT_INT_EQ(status(s, b), SSH2_FX_BAD_MESSAGE);
		unlink("sl");
	}
	b = ext_start("nonesuch@example.com");
	put_str(b, "x");
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OP_UNSUPPORTED);
	/* An unknown message type gets an answer too. */
	b = req_start(77, 42);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_OP_UNSUPPORTED);
	/* A malformed body: BAD_MESSAGE, and the session goes on. */
	b = req_start(SSH2_FXP_STAT, 42);
	put_u32(b, 100);
	ASSERT_INT_EQ(status(s, b), SSH2_FX_BAD_MESSAGE);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "src-link", NULL),
	    SSH2_FX_OK);
	TEST_DONE();

	TEST_START("engine: the handle table holds SFTP_HANDLES_MAX");
	{
		struct rlimit rl;
		uint8_t (*hs)[8] = calloc(SFTP_HANDLES_MAX, 8);
		uint32_t opened = 0;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < SFTP_HANDLES_MAX + 32 &&
		    rl.rlim_max >= SFTP_HANDLES_MAX + 32) {
			rl.rlim_cur = SFTP_HANDLES_MAX + 32;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
		for (i = 0; i < SFTP_HANDLES_MAX; i++) {
			if (do_open(s, "src", SSH2_FXF_READ, hs[i]) != 0)
				break;
			opened++;
		}
		ASSERT_INT_EQ(opened, SFTP_HANDLES_MAX);
		ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ, h),
		    SSH2_FX_FAILURE);
		for (i = 0; i < opened; i++)
			ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, hs[i], 8),
			    SSH2_FX_OK);
		free(hs);
	}
	TEST_DONE();

	TEST_START("engine: protocol violations end the session");
	{
		struct buf *in = buf_new(), *out = buf_new();

		buf_set_max_size(out, SFTP_OUTBUF_MAX);
		/* A second INIT. */
		b = buf_new();
		buf_put_u8(b, SSH2_FXP_INIT);
		put_u32(b, 3);
		(void)call_rc(s, b, &st_code);
		ASSERT_INT_EQ(st_code, HS_ERR_PROTOCOL);
		/* A length over the limit. */
		put_u32(in, SFTP_MSG_MAX + 1);
		ASSERT_INT_EQ(sftp_server_process(s, in, out), HS_ERR_PROTOCOL);
		buf_free(in);
		buf_free(out);
	}
	sftp_server_free(s);
	/* A request before INIT. */
	s = server("");
	b = req_start(SSH2_FXP_STAT, 42);
	put_str(b, ".");
	r = call_rc(s, b, &st_code);
	ASSERT_INT_EQ(st_code, HS_ERR_PROTOCOL);
	ASSERT_PTR_EQ(r, NULL);
	sftp_server_free(s);
	TEST_DONE();

	TEST_START("engine: -R refuses every write, serves reads");
	s = server("-R");
	init(s);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ, h), 0);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_WRITE, h),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ | SSH2_FXF_TRUNC, h),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(do_open(s, "new", SSH2_FXF_READ | SSH2_FXF_CREAT, h),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "src", NULL),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_MKDIR, "dd", NULL),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_SETSTAT, "src", NULL),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_RENAME, "src", "x"),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_SYMLINK, "src", "x"),
	    SSH2_FX_PERMISSION_DENIED);
	b = ext_start("posix-rename@openssh.com");
	put_str(b, "src");
	put_str(b, "x");
	ASSERT_INT_EQ(status(s, b), SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(stat("src", &st), 0);
	ASSERT_INT_EQ(stat("x", &st), -1);
	ASSERT_INT_EQ(stat("dd", &st), -1);
	sftp_server_free(s);
	TEST_DONE();

	TEST_START("engine: -P denies, -p allows only what it names");
	s = server("-P remove,mkd*");
	init(s);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_REMOVE, "src", NULL),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(path_req(s, SSH2_FXP_MKDIR, "dd", NULL),
	    SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(stat("src", &st), 0);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ, h), 0);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	sftp_server_free(s);
	s = server("-p open,close,stat");
	init(s);
	ASSERT_INT_EQ(do_open(s, "src", SSH2_FXF_READ, h), 0);
	data = do_read(s, h, 0, 10, &st_code, &len);
	ASSERT_PTR_EQ(data, NULL);
	ASSERT_INT_EQ(st_code, SSH2_FX_PERMISSION_DENIED);
	ASSERT_INT_EQ(handle_req(s, SSH2_FXP_CLOSE, h, 8), SSH2_FX_OK);
	sftp_server_free(s);
	TEST_DONE();

	TEST_START("engine: usage errors and -d tokens");
	ASSERT_PTR_EQ(server("-x"), NULL);
	ASSERT_PTR_EQ(server("-l NOTALEVEL"), NULL);
	ASSERT_PTR_EQ(server("-u 999"), NULL);
	ASSERT_PTR_EQ(server("-u 07x"), NULL);
	ASSERT_PTR_EQ(server("-Q features"), NULL);
	ASSERT_PTR_EQ(server("-d %z"), NULL);
	ASSERT_PTR_EQ(server("stray"), NULL);
	s = server("-e -R -l INFO -f AUTH -u 022 -d /x/%u/%d/%%");
	ASSERT_TRUE(s != NULL);
	sftp_server_free(s);
	TEST_DONE();
	unlink("src");
	unlink("dst");
}

/* ---- the loop over descriptors ---- */

static pid_t
spawn_main(int fd, const char *a1, const char *a2)
{
	char *av[3] = { (char *)a1, (char *)a2, NULL };
	int ac = a1 == NULL ? 0 : a2 == NULL ? 1 : 2;
	pid_t pid = fork();

	if (pid == 0)
		_exit(sftp_server_main(fd, fd, ac, av, "tester", "."));
	return pid;
}

static void
test_loop(void)
{
	struct buf *b, *frame, *got;
	struct pollfd pfd;
	char line[64];
	uint32_t sent = 0, replies = 0, len;
	size_t total = 0, chunk;
	ssize_t n;
	uint8_t h[8], tmp[65536];
	int sv[2], st, fd, rounds, flags, blocked = 0;
	pid_t pid;
	FILE *f;

	TEST_START("loop: a client that does not read stops the server "
	    "reading; every reply arrives; EOF ends it with status 0");
	fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (st = 0; st < 2; st++) {
		memset(tmp, st, sizeof(tmp));
		if (write(fd, tmp, sizeof(tmp)) != (ssize_t)sizeof(tmp))
			abort();
	}
	close(fd);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	pid = spawn_main(sv[1], "-l", "QUIET");
	close(sv[1]);
	/* INIT and OPEN, then READs of SFTP_READ_MAX until our writes
	 * block: the server's output is full and it stopped reading. */
	frame = buf_new();
	b = buf_new();
	buf_put_u8(b, SSH2_FXP_INIT);
	put_u32(b, 3);
	buf_put_stringb(frame, b);
	buf_free(b);
	b = req_start(SSH2_FXP_OPEN, 1);
	put_str(b, "big");
	put_u32(b, SSH2_FXF_READ);
	put_u32(b, 0);
	buf_put_stringb(frame, b);
	buf_free(b);
	if (write(sv[0], buf_ptr(frame), buf_len(frame)) !=
	    (ssize_t)buf_len(frame))
		abort();
	buf_free(frame);
	/* The VERSION and HANDLE replies. */
	got = buf_new();
	for (rounds = 0; rounds < 100; rounds++) {
		struct buf *m1 = NULL, *m2 = NULL;
		struct buf *peek = buf_from(buf_ptr(got), buf_len(got));
		bool done = buf_froms(peek, SFTP_MSG_MAX, &m1) == 0 &&
		    buf_froms(peek, SFTP_MSG_MAX, &m2) == 0;

		if (done) {
			const uint8_t *p;
			uint8_t t;
			uint32_t id;

			ASSERT_INT_EQ(buf_get_u8(m2, &t), 0);
			ASSERT_INT_EQ(t, SSH2_FXP_HANDLE);
			ASSERT_INT_EQ(buf_get_u32(m2, &id), 0);
			ASSERT_INT_EQ(buf_get_string_direct(m2, 256, &p,
			    &chunk), 0);
			if (chunk == 8)
				memcpy(h, p, 8);
		}
		buf_free(m1);
		buf_free(m2);
		buf_free(peek);
		if (done)
			break;
		if ((n = read(sv[0], tmp, sizeof(tmp))) <= 0)
			break;
		buf_put(got, tmp, (size_t)n);
	}
	buf_free(got);
	flags = fcntl(sv[0], F_GETFL);
	fcntl(sv[0], F_SETFL, flags | O_NONBLOCK);
	b = req_start(SSH2_FXP_READ, 2);
	buf_put_string(b, h, 8);
	put_u64(b, 0);
	put_u32(b, 1024);
	frame = buf_new();
	buf_put_stringb(frame, b);
	buf_free(b);
	/* A server that read without bound would take all 200000. */
	for (rounds = 0; rounds < 200000 && !blocked; rounds++) {
		n = write(sv[0], buf_ptr(frame), buf_len(frame));
		if (n == (ssize_t)buf_len(frame)) {
			sent++;
			continue;
		}
		ASSERT_INT_EQ(n, -1);
		if (n == -1 && errno == EAGAIN) {
			pfd.fd = sv[0];
			pfd.events = POLLOUT;
			/* Give the server time to drain what it can.  No
			 * assertion rests on this wait: a server slowed down
			 * only makes "sent" smaller; one that read without
			 * bound never makes us wait. */
			if (poll(&pfd, 1, 2000) == 0)
				blocked = 1;
		} else if (n > 0) {
			abort();	/* frames are small: never partial */
		} else {
			break;
		}
	}
	buf_free(frame);
	ASSERT_TRUE(blocked);
	/* What it took: its input buffer, plus the requests whose replies
	 * fill its output and the socket buffers (about 1 KiB each). */
	ASSERT_INT_LT((size_t)sent * 33, SFTP_INBUF_MAX + 1024 * 1024);
	fcntl(sv[0], F_SETFL, flags);
	shutdown(sv[0], SHUT_WR);
	/* Every reply comes, then EOF. */
	got = buf_new();
	buf_set_max_size(got, 4 * SFTP_MSG_MAX);
	for (rounds = 0; rounds < 1000000; rounds++) {
		struct buf *m = NULL;

		while (buf_froms(got, SFTP_MSG_MAX, &m) == 0) {
			uint8_t t = 0;

			buf_get_u8(m, &t);
			if (t == SSH2_FXP_DATA || t == SSH2_FXP_STATUS)
				replies++;
			buf_free(m);
			m = NULL;
		}
		chunk = buf_avail(got) < sizeof(tmp) ? buf_avail(got) :
		    sizeof(tmp);
		if ((n = read(sv[0], tmp, chunk)) <= 0)
			break;
		total += (size_t)n;
		buf_put(got, tmp, (size_t)n);
	}
	buf_free(got);
	ASSERT_INT_EQ(replies, sent);
	ASSERT_TRUE(total > (size_t)sent * 1000);
	close(sv[0]);
	ASSERT_INT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink("big");
	TEST_DONE();

	TEST_START("loop: -Q requests lists the requests; bad flags exit 1");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	pid = fork();
	if (pid == 0) {
		char *av[] = { (char *)"-Q", (char *)"requests", NULL };

		close(sv[0]);
		dup2(sv[1], STDOUT_FILENO);
		_exit(sftp_server_main(sv[1], sv[1], 2, av, "tester", "."));
	}
	close(sv[1]);
	f = fdopen(sv[0], "r");
	st = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "open\n") == 0 ||
		    strcmp(line, "copy-data\n") == 0 ||
		    strcmp(line, "posix-rename\n") == 0)
			st++;
	}
	fclose(f);
	ASSERT_INT_EQ(st, 3);
	ASSERT_INT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	pid = spawn_main(sv[1], "-z", NULL);
	close(sv[1]);
	ASSERT_INT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	close(sv[0]);
	(void)len;
	TEST_DONE();
}

static int
rm_tree(const char *path)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd);
}

int
main(void)
{
	char dir[] = "/tmp/test-sftp.XXXXXX";

	test_parsers();
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);
	test_engine(dir);
	test_loop();
	if (chdir("/") != 0)
		abort();
	rm_tree(dir);
	return tap_finish();
}
