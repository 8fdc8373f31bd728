/* SPDX-License-Identifier: ISC */
/*
 * The child's end of the monitor RPC, shared by hsshd-preauth (sandboxed)
 * and hsshd-session (the logged-in user): the socket, one fatal-on-error
 * request/answer call, and the log handler that carries the child's log
 * lines to the monitor.  The monitor is trusted; its answers are still
 * parsed by the callers through struct buf with bounds and end checks.
 */
#ifndef HS_COMMON_MM_CLIENT_H
#define HS_COMMON_MM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/log.h"

struct buf;

/* The RPC socket (HELPER_FD_B) for everything below. */
void	 mm_init(int fd);
int	 mm_fd(void);

/*
 * Send type with body req (may be NULL) and return the answer's body
 * (the caller frees); fatal if the monitor is gone or answers anything
 * but want.  max bounds the answer (RPC_MSG_MAX, or RPC_STATE_MAX for
 * state transfers); ret_fd (may be NULL) receives a passed descriptor.
 */
struct buf *mm_call(uint8_t type, const struct buf *req, uint8_t want,
	    size_t max, int *ret_fd);

/* log_handler_fn: one RPC_LOG per line, cut to LOG_LINE_MAX bytes (the
 * monitor treats a longer line as a violation); a line that cannot be
 * sent is lost, never fatal. */
void	 mm_log_handler(enum log_level level, const char *msg, void *ctx);

#endif
