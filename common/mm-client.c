/* SPDX-License-Identifier: ISC */
/*
 * The child's end of the monitor RPC (see mm-client.h), in hsshd-preauth
 * (privsep user, seccomp) and hsshd-session (the user).  Nothing here
 * reads the network; the answers come from the monitor.
 */
#include "config.h"

#include <stdio.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mm-client.h"
#include "common/rpc.h"

static int mm_sock = -1;

void
mm_init(int fd)
{
	mm_sock = fd;
}

int
mm_fd(void)
{
	return mm_sock;
}

struct buf *
mm_call(uint8_t type, const struct buf *req, uint8_t want, size_t max,
    int *ret_fd)
{
	struct buf *ans = NULL;
	int r;

	if ((r = rpc_call(mm_sock, type, req, want, max, &ans, ret_fd)) != 0)
		fatal_r(r, "monitor request %s", rpc_type_name(type));
	return ans;
}

void
mm_log_handler(enum log_level level, const char *msg, void *ctx)
{
	char line[LOG_LINE_MAX + 1];
	struct buf *b;

	(void)ctx;
	if (mm_sock == -1 || (b = buf_new()) == NULL)
		return;
	/* Escaping may have made it longer than the monitor takes. */
	snprintf(line, sizeof(line), "%s", msg);
	if (buf_put_u8(b, (uint8_t)level) == 0 &&
	    buf_put_cstring(b, line) == 0)
		(void)rpc_send(mm_sock, RPC_LOG, b, -1);
	buf_free(b);
}
