/* SPDX-License-Identifier: ISC */
/*
 * The SFTP protocol (draft-ietf-secsh-filexfer-02, version 3, with
 * OpenSSH's extensions from its PROTOCOL file): constants, the attribute
 * (ATTRS) encoding and the pure parsers of requests.  Used by
 * internal-sftp (session/sftp-server.c), which runs as the logged-in user
 * in a child of hsshd-session; every request is attacker-controlled (an
 * authenticated but untrusted client).  Nothing here touches the file
 * system.  Return values: 0 or a negative HS_ERR_* code.
 */
#ifndef HS_SESSION_SFTP_MSG_H
#define HS_SESSION_SFTP_MSG_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

struct buf;

#define SFTP_VERSION		3

/* Message types. */
#define SSH2_FXP_INIT		1
#define SSH2_FXP_VERSION	2
#define SSH2_FXP_OPEN		3
#define SSH2_FXP_CLOSE		4
#define SSH2_FXP_READ		5
#define SSH2_FXP_WRITE		6
#define SSH2_FXP_LSTAT		7
#define SSH2_FXP_FSTAT		8
#define SSH2_FXP_SETSTAT	9
#define SSH2_FXP_FSETSTAT	10
#define SSH2_FXP_OPENDIR	11
#define SSH2_FXP_READDIR	12
#define SSH2_FXP_REMOVE		13
#define SSH2_FXP_MKDIR		14
#define SSH2_FXP_RMDIR		15
#define SSH2_FXP_REALPATH	16
#define SSH2_FXP_STAT		17
#define SSH2_FXP_RENAME		18
#define SSH2_FXP_READLINK	19
#define SSH2_FXP_SYMLINK	20
#define SSH2_FXP_STATUS		101
#define SSH2_FXP_HANDLE		102
#define SSH2_FXP_DATA		103
#define SSH2_FXP_NAME		104
#define SSH2_FXP_ATTRS		105
#define SSH2_FXP_EXTENDED	200
#define SSH2_FXP_EXTENDED_REPLY	201

/* ATTRS flags. */
#define SSH2_FILEXFER_ATTR_SIZE		0x00000001u
#define SSH2_FILEXFER_ATTR_UIDGID	0x00000002u
#define SSH2_FILEXFER_ATTR_PERMISSIONS	0x00000004u
#define SSH2_FILEXFER_ATTR_ACMODTIME	0x00000008u
#define SSH2_FILEXFER_ATTR_EXTENDED	0x80000000u

/* OPEN pflags. */
#define SSH2_FXF_READ		0x00000001u
#define SSH2_FXF_WRITE		0x00000002u
#define SSH2_FXF_APPEND		0x00000004u
#define SSH2_FXF_CREAT		0x00000008u
#define SSH2_FXF_TRUNC		0x00000010u
#define SSH2_FXF_EXCL		0x00000020u

/* STATUS codes. */
#define SSH2_FX_OK			0
#define SSH2_FX_EOF			1
#define SSH2_FX_NO_SUCH_FILE		2
#define SSH2_FX_PERMISSION_DENIED	3
#define SSH2_FX_FAILURE			4
#define SSH2_FX_BAD_MESSAGE		5
#define SSH2_FX_NO_CONNECTION		6
#define SSH2_FX_CONNECTION_LOST		7
#define SSH2_FX_OP_UNSUPPORTED		8
#define SSH2_FX_MAX			8

/* statvfs@openssh.com f_flag bits. */
#define SSH2_FXE_STATVFS_ST_RDONLY	0x00000001u
#define SSH2_FXE_STATVFS_ST_NOSUID	0x00000002u

/* What a request asks for: the SSH2_FXP_* types, then the extensions. */
enum sftp_op {
	SFTP_OP_NONE = 0,
	SFTP_OP_INIT, SFTP_OP_OPEN, SFTP_OP_CLOSE, SFTP_OP_READ,
	SFTP_OP_WRITE, SFTP_OP_LSTAT, SFTP_OP_FSTAT, SFTP_OP_SETSTAT,
	SFTP_OP_FSETSTAT, SFTP_OP_OPENDIR, SFTP_OP_READDIR, SFTP_OP_REMOVE,
	SFTP_OP_MKDIR, SFTP_OP_RMDIR, SFTP_OP_REALPATH, SFTP_OP_STAT,
	SFTP_OP_RENAME, SFTP_OP_READLINK, SFTP_OP_SYMLINK,
	/* SSH2_FXP_EXTENDED requests we know. */
	SFTP_OP_POSIX_RENAME, SFTP_OP_STATVFS, SFTP_OP_FSTATVFS,
	SFTP_OP_HARDLINK, SFTP_OP_FSYNC, SFTP_OP_LSETSTAT, SFTP_OP_LIMITS,
	SFTP_OP_EXPAND_PATH, SFTP_OP_COPY_DATA, SFTP_OP_HOME_DIRECTORY,
	/* An SSH2_FXP_EXTENDED request we do not know (ext_name says which;
	 * its data is skipped). */
	SFTP_OP_EXTENDED_UNKNOWN,
	SFTP_OP_COUNT
};

/* The name of an operation as sftp-server's -P/-p/-Q use it ("open",
 * "posix-rename", ...); NULL for NONE and EXTENDED_UNKNOWN. */
const char	*sftp_op_name(enum sftp_op);
/* The full wire name of an extension ("posix-rename@openssh.com"); NULL
 * for the base protocol. */
const char	*sftp_op_ext_name(enum sftp_op);
/* Whether the operation changes the file system (refused by -R). */
bool		 sftp_op_writes(enum sftp_op);

struct sftp_attrs {
	uint32_t	flags;		/* SSH2_FILEXFER_ATTR_* present */
	uint64_t	size;
	uint32_t	uid, gid;
	uint32_t	perm;
	uint32_t	atime, mtime;
};

/* ATTRS from a stat result (size, ids, mode, times: all flags but
 * EXTENDED). */
void	 sftp_attrs_from_stat(const struct stat *, struct sftp_attrs *);
/* Decode ATTRS; extended pairs (at most SFTP_ATTR_EXT_MAX) are read and
 * dropped.  Unknown flag bits are ignored, as OpenSSH does. */
int	 sftp_attrs_get(struct buf *, struct sftp_attrs *);
/* Encode ATTRS (never with extended pairs). */
int	 sftp_attrs_put(struct buf *, const struct sftp_attrs *);

/*
 * One request, parsed.  Strings are NUL-terminated heap copies (caller
 * frees with sftp_req_clear); paths hold no NUL byte.  Which fields are
 * set depends on op:
 *   INIT         version
 *   OPEN         path, pflags, attrs
 *   CLOSE, READDIR, FSTAT, FSYNC, FSTATVFS   handle
 *   READ         handle, offset, len
 *   WRITE        handle, offset, data/data_len
 *   LSTAT, STAT, OPENDIR, REMOVE, RMDIR, READLINK, REALPATH, STATVFS,
 *   EXPAND_PATH  path
 *   SETSTAT, LSETSTAT, MKDIR   path, attrs
 *   FSETSTAT     handle, attrs
 *   RENAME, POSIX_RENAME, HARDLINK   path (old), path2 (new)
 *   SYMLINK      path (the link's target), path2 (the link), in OpenSSH's
 *                order, which every deployed client uses
 *   COPY_DATA    handle, offset, len (0: to the end), handle2, offset2
 *   HOME_DIRECTORY   path (the user name)
 *   LIMITS       nothing
 *   EXTENDED_UNKNOWN ext_name
 * id is set for all but INIT.
 */
struct sftp_req {
	enum sftp_op	 op;
	uint8_t		 type;		/* SSH2_FXP_* */
	uint32_t	 id;
	uint32_t	 version;
	char		*path, *path2, *ext_name;
	uint8_t		 handle[SFTP_HANDLE_WIRE_MAX];
	size_t		 handle_len;
	uint8_t		 handle2[SFTP_HANDLE_WIRE_MAX];
	size_t		 handle2_len;
	uint64_t	 offset, offset2;
	uint32_t	 len;
	uint64_t	 len64;		/* COPY_DATA length */
	uint32_t	 pflags;
	struct sftp_attrs attrs;
	const uint8_t	*data;		/* borrowed from the message buffer */
	size_t		 data_len;
};

/*
 * Parse one request: the body of a message after its u32 length (the
 * caller frames and bounds it by SFTP_MSG_MAX).  On success *req is
 * filled (clear it with sftp_req_clear); data points into msg and is
 * valid until msg is modified.  Handles longer than SFTP_HANDLE_WIRE_MAX
 * are malformed; other lengths are left to the server to refuse.  On failure req->type, and req->id
 * when the header was readable, tell whom to answer (has_id says whether
 * it was): HS_ERR_SHORT/TOO_LONG/TRAILING_DATA/STRING_NUL for a
 * malformed body, HS_ERR_PROTOCOL for an unknown type.
 */
int	 sftp_req_parse(struct buf *msg, struct sftp_req *req, bool *has_id);
/* Free the strings of a request and zero it. */
void	 sftp_req_clear(struct sftp_req *);

#endif
