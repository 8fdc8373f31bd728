/* SPDX-License-Identifier: ISC */
/*
 * Message framing between hsshd-monitor and its children over a Unix
 * SOCK_STREAM socketpair.  Linked into the monitor (root) and into both
 * children (privsep user in the seccomp sandbox; the logged-in user).  For
 * the monitor every byte that arrives is attacker-controlled: the child
 * faces the network and may be compromised.
 *
 * A frame is a u32 body length (big-endian), a u8 type (enum rpc_type in
 * rpc-msgs.h) and the body, whose fields are SSH wire types read through
 * common/buf.h.  A file descriptor travels with SCM_RIGHTS only where the
 * caller asks for it, at most one per message.
 *
 * The calls block; EINTR is retried, and on a non-blocking socket they wait
 * in poll().  After any error the channel is out of step and must be
 * treated as dead.
 * Return values: 0 on success or a negative HS_ERR_* code.
 */
#ifndef HS_RPC_H
#define HS_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/rpc-msgs.h"

struct buf;

/* Bytes of a frame header: u32 length, u8 type. */
#define RPC_HDR_LEN	5u

/*
 * Send one message.  body may be NULL for an empty body; it is not
 * consumed.  fd >= 0 is passed with SCM_RIGHTS (the caller keeps its own
 * copy open), -1 sends none.  A body above RPC_STATE_MAX fails with
 * HS_ERR_TOO_LONG before anything is sent.  HS_ERR_EOF if the peer has
 * closed (EPIPE; SIGPIPE is never raised), HS_ERR_SYSTEM otherwise (errno
 * says why).
 */
int	 rpc_send(int sock, uint8_t type, const struct buf *body, int fd);

/*
 * Receive one message.  max is the largest body accepted: RPC_MSG_MAX
 * unless the caller expects the state-transfer message (at most
 * RPC_STATE_MAX; larger is HS_ERR_INVALID_ARGUMENT).  On success *ret_type
 * and *ret_body (a new buffer the caller frees, possibly empty) are set,
 * and *ret_fd, if ret_fd is not NULL, receives the passed fd (close-on-exec)
 * or -1.  Errors (outputs untouched, any received fd closed):
 *  HS_ERR_EOF       orderly close (or reset) before the first header byte;
 *  HS_ERR_SHORT     close in the middle of a message;
 *  HS_ERR_TOO_LONG  the length exceeds max; nothing more is read;
 *  HS_ERR_PROTOCOL  an fd arrived and ret_fd is NULL, more than one fd,
 *                   control data other than SCM_RIGHTS, or truncated
 *                   control data;
 *  HS_ERR_ALLOC, HS_ERR_SYSTEM (errno says why).
 */
int	 rpc_recv(int sock, size_t max, uint8_t *ret_type, struct buf **ret_body,
	    int *ret_fd);

/*
 * One request and its answer: rpc_send(type, req), then rpc_recv with
 * max (and ret_fd as rpc_recv takes it).  An answer of a type other than
 * want is HS_ERR_PROTOCOL (its body dropped, a passed fd closed).  On
 * success *ret is the answer's body (the caller frees).
 */
int	 rpc_call(int sock, uint8_t type, const struct buf *req, uint8_t want,
	    size_t max, struct buf **ret, int *ret_fd);

/*
 * Decode one frame from the front of in (for the fuzzer and the tests).
 * On success the frame is consumed and *ret_body is a new buffer the caller
 * frees.  On failure nothing is consumed: HS_ERR_SHORT if in holds less
 * than a whole frame, HS_ERR_TOO_LONG if the length exceeds max.
 */
int	 rpc_decode(struct buf *in, size_t max, uint8_t *ret_type,
	    struct buf **ret_body);

/* Append one frame (header and body; body may be NULL) to out.
 * HS_ERR_TOO_LONG for a body above RPC_STATE_MAX. */
int	 rpc_encode(struct buf *out, uint8_t type, const struct buf *body);

/* The name of a message type ("RPC_HELLO"), "UNKNOWN" if not in the list. */
const char *rpc_type_name(uint8_t type);

#endif
