/* SPDX-License-Identifier: ISC */
/*
 * SFTP version 3 request parsers and the ATTRS encoding, for internal-sftp
 * (a child of hsshd-session, running as the logged-in user).  Every byte
 * parsed here comes from the client and is attacker-controlled: each
 * field goes through common/buf.h with an explicit maximum, and each
 * request ends with buf_get_end().  No file system access.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "session/sftp-msg.h"

struct sftp_op_desc {
	const char	*name;		/* -P/-p/-Q name */
	const char	*ext;		/* wire name of an extension */
	bool		 writes;
};

static const struct sftp_op_desc sftp_ops[SFTP_OP_COUNT] = {
	[SFTP_OP_INIT] = { "init", NULL, false },
	[SFTP_OP_OPEN] = { "open", NULL, false },	/* -R checks pflags */
	[SFTP_OP_CLOSE] = { "close", NULL, false },
	[SFTP_OP_READ] = { "read", NULL, false },
	[SFTP_OP_WRITE] = { "write", NULL, true },
	[SFTP_OP_LSTAT] = { "lstat", NULL, false },
	[SFTP_OP_FSTAT] = { "fstat", NULL, false },
	[SFTP_OP_SETSTAT] = { "setstat", NULL, true },
	[SFTP_OP_FSETSTAT] = { "fsetstat", NULL, true },
	[SFTP_OP_OPENDIR] = { "opendir", NULL, false },
	[SFTP_OP_READDIR] = { "readdir", NULL, false },
	[SFTP_OP_REMOVE] = { "remove", NULL, true },
	[SFTP_OP_MKDIR] = { "mkdir", NULL, true },
	[SFTP_OP_RMDIR] = { "rmdir", NULL, true },
	[SFTP_OP_REALPATH] = { "realpath", NULL, false },
	[SFTP_OP_STAT] = { "stat", NULL, false },
	[SFTP_OP_RENAME] = { "rename", NULL, true },
	[SFTP_OP_READLINK] = { "readlink", NULL, false },
	[SFTP_OP_SYMLINK] = { "symlink", NULL, true },
	[SFTP_OP_POSIX_RENAME] = { "posix-rename",
	    "posix-rename@openssh.com", true },
	[SFTP_OP_STATVFS] = { "statvfs", "statvfs@openssh.com", false },
	[SFTP_OP_FSTATVFS] = { "fstatvfs", "fstatvfs@openssh.com", false },
	[SFTP_OP_HARDLINK] = { "hardlink", "hardlink@openssh.com", true },
	[SFTP_OP_FSYNC] = { "fsync", "fsync@openssh.com", true },
	[SFTP_OP_LSETSTAT] = { "lsetstat", "lsetstat@openssh.com", true },
	[SFTP_OP_LIMITS] = { "limits", "limits@openssh.com", false },
	[SFTP_OP_EXPAND_PATH] = { "expand-path", "expand-path@openssh.com",
	    false },
	[SFTP_OP_COPY_DATA] = { "copy-data", "copy-data", true },
	[SFTP_OP_HOME_DIRECTORY] = { "home-directory", "home-directory",
	    false },
};

const char *
sftp_op_name(enum sftp_op op)
{
	if ((unsigned int)op >= SFTP_OP_COUNT)
		return NULL;
	return sftp_ops[op].name;
}

const char *
sftp_op_ext_name(enum sftp_op op)
{
	if ((unsigned int)op >= SFTP_OP_COUNT)
		return NULL;
	return sftp_ops[op].ext;
}

bool
sftp_op_writes(enum sftp_op op)
{
	if ((unsigned int)op >= SFTP_OP_COUNT)
		return false;
	return sftp_ops[op].writes;
}

void
sftp_attrs_from_stat(const struct stat *st, struct sftp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->flags = SSH2_FILEXFER_ATTR_SIZE | SSH2_FILEXFER_ATTR_UIDGID |
	    SSH2_FILEXFER_ATTR_PERMISSIONS | SSH2_FILEXFER_ATTR_ACMODTIME;
	a->size = (uint64_t)st->st_size;
	a->uid = (uint32_t)st->st_uid;
	a->gid = (uint32_t)st->st_gid;
	a->perm = (uint32_t)st->st_mode;
	/* Version 3 times are 32 bits wide; later ones wrap, as in OpenSSH. */
	a->atime = (uint32_t)st->st_atime;
	a->mtime = (uint32_t)st->st_mtime;
}

int
sftp_attrs_get(struct buf *b, struct sftp_attrs *ret)
{
	struct sftp_attrs a;
	struct buf *copy = NULL;
	uint32_t i, count;
	int r;

	memset(ret, 0, sizeof(*ret));
	memset(&a, 0, sizeof(a));
	/* Parse a copy so a failure consumes nothing (buf's contract). */
	if ((copy = buf_from(buf_ptr(b), buf_len(b))) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_get_u32(copy, &a.flags)) != 0)
		goto out;
	if ((a.flags & SSH2_FILEXFER_ATTR_SIZE) != 0 &&
	    (r = buf_get_u64(copy, &a.size)) != 0)
		goto out;
	if ((a.flags & SSH2_FILEXFER_ATTR_UIDGID) != 0 &&
	    ((r = buf_get_u32(copy, &a.uid)) != 0 ||
	    (r = buf_get_u32(copy, &a.gid)) != 0))
		goto out;
	if ((a.flags & SSH2_FILEXFER_ATTR_PERMISSIONS) != 0 &&
	    (r = buf_get_u32(copy, &a.perm)) != 0)
		goto out;
	if ((a.flags & SSH2_FILEXFER_ATTR_ACMODTIME) != 0 &&
	    ((r = buf_get_u32(copy, &a.atime)) != 0 ||
	    (r = buf_get_u32(copy, &a.mtime)) != 0))
		goto out;
	if ((a.flags & SSH2_FILEXFER_ATTR_EXTENDED) != 0) {
		if ((r = buf_get_u32(copy, &count)) != 0)
			goto out;
		if (count > SFTP_ATTR_EXT_MAX) {
			r = HS_ERR_TOO_LONG;
			goto out;
		}
		for (i = 0; i < count; i++) {
			if ((r = buf_skip_string(copy, SFTP_NAME_MAX)) != 0 ||
			    (r = buf_skip_string(copy, SFTP_MSG_MAX)) != 0)
				goto out;
		}
	}
	if ((r = buf_consume(b, buf_len(b) - buf_len(copy))) != 0)
		goto out;
	*ret = a;
 out:
	buf_free(copy);
	return r;
}

int
sftp_attrs_put(struct buf *b, const struct sftp_attrs *a)
{
	uint32_t flags = a->flags & ~SSH2_FILEXFER_ATTR_EXTENDED;
	int r;

	if ((r = buf_put_u32(b, flags)) != 0)
		return r;
	if ((flags & SSH2_FILEXFER_ATTR_SIZE) != 0 &&
	    (r = buf_put_u64(b, a->size)) != 0)
		return r;
	if ((flags & SSH2_FILEXFER_ATTR_UIDGID) != 0 &&
	    ((r = buf_put_u32(b, a->uid)) != 0 ||
	    (r = buf_put_u32(b, a->gid)) != 0))
		return r;
	if ((flags & SSH2_FILEXFER_ATTR_PERMISSIONS) != 0 &&
	    (r = buf_put_u32(b, a->perm)) != 0)
		return r;
	if ((flags & SSH2_FILEXFER_ATTR_ACMODTIME) != 0 &&
	    ((r = buf_put_u32(b, a->atime)) != 0 ||
	    (r = buf_put_u32(b, a->mtime)) != 0))
		return r;
	return 0;
}

void
sftp_req_clear(struct sftp_req *req)
{
	free(req->path);
	free(req->path2);
	free(req->ext_name);
	memset(req, 0, sizeof(*req));
}

static int
get_path(struct buf *b, char **ret)
{
	return buf_get_cstring(b, SFTP_PATH_MAX, ret, NULL);
}

static int
get_handle(struct buf *b, uint8_t *h, size_t *ret_len)
{
	const uint8_t *p = NULL;
	size_t len = 0;
	int r;

	if ((r = buf_get_string_direct(b, SFTP_HANDLE_WIRE_MAX, &p, &len)) != 0)
		return r;
	if (len > 0)
		memcpy(h, p, len);
	*ret_len = len;
	return 0;
}

/* The request-specific fields of an SSH2_FXP_EXTENDED request. */
static int
parse_extended(struct buf *b, struct sftp_req *req)
{
	int op, r;

	if ((r = buf_get_cstring(b, SFTP_NAME_MAX, &req->ext_name, NULL)) != 0)
		return r;
	req->op = SFTP_OP_EXTENDED_UNKNOWN;
	for (op = SFTP_OP_POSIX_RENAME; op < SFTP_OP_EXTENDED_UNKNOWN; op++) {
		if (strcmp(req->ext_name, sftp_ops[op].ext) == 0) {
			req->op = (enum sftp_op)op;
			break;
		}
	}
	switch (req->op) {
	case SFTP_OP_POSIX_RENAME:
	case SFTP_OP_HARDLINK:
		if ((r = get_path(b, &req->path)) != 0 ||
		    (r = get_path(b, &req->path2)) != 0)
			return r;
		break;
	case SFTP_OP_STATVFS:
	case SFTP_OP_EXPAND_PATH:
		if ((r = get_path(b, &req->path)) != 0)
			return r;
		break;
	case SFTP_OP_HOME_DIRECTORY:
		if ((r = buf_get_cstring(b, SFTP_NAME_MAX, &req->path,
		    NULL)) != 0)
			return r;
		break;
	case SFTP_OP_FSTATVFS:
	case SFTP_OP_FSYNC:
		if ((r = get_handle(b, req->handle, &req->handle_len)) != 0)
			return r;
		break;
	case SFTP_OP_LSETSTAT:
		if ((r = get_path(b, &req->path)) != 0 ||
		    (r = sftp_attrs_get(b, &req->attrs)) != 0)
			return r;
		break;
	case SFTP_OP_LIMITS:
		break;
	case SFTP_OP_COPY_DATA:
		if ((r = get_handle(b, req->handle, &req->handle_len)) != 0 ||
		    (r = buf_get_u64(b, &req->offset)) != 0 ||
		    (r = buf_get_u64(b, &req->len64)) != 0 ||
		    (r = get_handle(b, req->handle2, &req->handle2_len)) != 0 ||
		    (r = buf_get_u64(b, &req->offset2)) != 0)
			return r;
		break;
	default:
		/* Unknown: the server answers OP_UNSUPPORTED whatever the
		 * request holds. */
		return buf_consume(b, buf_len(b));
	}
	return 0;
}

static int
parse_body(struct buf *b, struct sftp_req *req)
{
	int r;

	switch (req->type) {
	case SSH2_FXP_OPEN:
		req->op = SFTP_OP_OPEN;
		if ((r = get_path(b, &req->path)) != 0 ||
		    (r = buf_get_u32(b, &req->pflags)) != 0 ||
		    (r = sftp_attrs_get(b, &req->attrs)) != 0)
			return r;
		return 0;
	case SSH2_FXP_CLOSE:
	case SSH2_FXP_FSTAT:
	case SSH2_FXP_READDIR:
		req->op = req->type == SSH2_FXP_CLOSE ? SFTP_OP_CLOSE :
		    req->type == SSH2_FXP_FSTAT ? SFTP_OP_FSTAT :
		    SFTP_OP_READDIR;
		return get_handle(b, req->handle, &req->handle_len);
	case SSH2_FXP_READ:
		req->op = SFTP_OP_READ;
		if ((r = get_handle(b, req->handle, &req->handle_len)) != 0 ||
		    (r = buf_get_u64(b, &req->offset)) != 0 ||
		    (r = buf_get_u32(b, &req->len)) != 0)
			return r;
		return 0;
	case SSH2_FXP_WRITE:
		req->op = SFTP_OP_WRITE;
		if ((r = get_handle(b, req->handle, &req->handle_len)) != 0 ||
		    (r = buf_get_u64(b, &req->offset)) != 0 ||
		    (r = buf_get_string_direct(b, SFTP_MSG_MAX, &req->data,
		    &req->data_len)) != 0)
			return r;
		return 0;
	case SSH2_FXP_LSTAT:
	case SSH2_FXP_STAT:
	case SSH2_FXP_OPENDIR:
	case SSH2_FXP_REMOVE:
	case SSH2_FXP_RMDIR:
	case SSH2_FXP_READLINK:
	case SSH2_FXP_REALPATH:
		switch (req->type) {
		case SSH2_FXP_LSTAT: req->op = SFTP_OP_LSTAT; break;
		case SSH2_FXP_STAT: req->op = SFTP_OP_STAT; break;
		case SSH2_FXP_OPENDIR: req->op = SFTP_OP_OPENDIR; break;
		case SSH2_FXP_REMOVE: req->op = SFTP_OP_REMOVE; break;
		case SSH2_FXP_RMDIR: req->op = SFTP_OP_RMDIR; break;
		case SSH2_FXP_READLINK: req->op = SFTP_OP_READLINK; break;
		default: req->op = SFTP_OP_REALPATH; break;
		}
		return get_path(b, &req->path);
	case SSH2_FXP_SETSTAT:
	case SSH2_FXP_MKDIR:
		req->op = req->type == SSH2_FXP_SETSTAT ? SFTP_OP_SETSTAT :
		    SFTP_OP_MKDIR;
		if ((r = get_path(b, &req->path)) != 0 ||
		    (r = sftp_attrs_get(b, &req->attrs)) != 0)
			return r;
		return 0;
	case SSH2_FXP_FSETSTAT:
		req->op = SFTP_OP_FSETSTAT;
		if ((r = get_handle(b, req->handle, &req->handle_len)) != 0 ||
		    (r = sftp_attrs_get(b, &req->attrs)) != 0)
			return r;
		return 0;
	case SSH2_FXP_RENAME:
	case SSH2_FXP_SYMLINK:
		req->op = req->type == SSH2_FXP_RENAME ? SFTP_OP_RENAME :
		    SFTP_OP_SYMLINK;
		if ((r = get_path(b, &req->path)) != 0 ||
		    (r = get_path(b, &req->path2)) != 0)
			return r;
		return 0;
	case SSH2_FXP_EXTENDED:
		return parse_extended(b, req);
	default:
		return HS_ERR_PROTOCOL;
	}
}

int
sftp_req_parse(struct buf *msg, struct sftp_req *req, bool *has_id)
{
	int r;

	memset(req, 0, sizeof(*req));
	*has_id = false;
	if ((r = buf_get_u8(msg, &req->type)) != 0)
		return r;
	if (req->type == SSH2_FXP_INIT) {
		/* INIT carries a version, not an id; extension pairs a
		 * version 3 client might add are ignored, as the draft says. */
		req->op = SFTP_OP_INIT;
		if ((r = buf_get_u32(msg, &req->version)) != 0)
			return r;
		return buf_consume(msg, buf_len(msg));
	}
	if ((r = buf_get_u32(msg, &req->id)) != 0)
		return r;
	*has_id = true;
	if ((r = parse_body(msg, req)) != 0)
		return r;
	return buf_get_end(msg);
}
