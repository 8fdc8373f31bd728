/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for hsshd-session's forwarding message parsers
 * (session/chanmsg.c): direct-tcpip and direct-streamlocal@openssh.com
 * opens, tcpip-forward and streamlocal-forward@openssh.com requests, and
 * the peer's OPEN_CONFIRMATION / OPEN_FAILURE answers.  The first byte
 * picks the parser, the rest is the payload, as attacker-controlled as
 * in hsshd-session.  Checked: a parser either fails or returns fields
 * within their bounds (NUL-free, at most FWD_HOST_MAX / FWD_PATH_MAX /
 * CHANMSG_DESCR_MAX bytes) having consumed the whole payload.  Any crash, leak or sanitizer report is a bug.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "session/chanmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s, size_t max)
{
	if (s != NULL && strlen(s) > max)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chanmsg_fwd f;
	struct chanmsg_confirm m;
	struct buf *b;
	uint32_t id, reason;
	char *descr = NULL;
	int r;

	if (size < 1 || (b = buf_from(data + 1, size - 1)) == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	switch (data[0] % 6) {
	case 0:
		if ((r = chanmsg_direct_tcpip(b, &f)) == 0 &&
		    (f.host == NULL || f.orig == NULL || f.path != NULL))
			abort();
		break;
	case 1:
		if ((r = chanmsg_direct_streamlocal(b, &f)) == 0 &&
		    (f.path == NULL || f.host != NULL))
			abort();
		break;
	case 2:
		if ((r = chanmsg_tcpip_forward(b, &f)) == 0 &&
		    (f.host == NULL || f.path != NULL))
			abort();
		break;
	case 3:
		if ((r = chanmsg_streamlocal_forward(b, &f)) == 0 &&
		    f.path == NULL)
			abort();
		break;
	case 4:
		r = chanmsg_open_confirmation(b, &m);
		break;
	default:
		if ((r = chanmsg_open_failure(b, &id, &reason, &descr)) == 0) {
			if (descr == NULL)
				abort();
			check_str(descr, CHANMSG_DESCR_MAX);
		}
		break;
	}
	check_str(f.host, FWD_HOST_MAX);
	check_str(f.orig, FWD_HOST_MAX);
	check_str(f.path, FWD_PATH_MAX);
	/* A success read everything (buf_get_end). */
	if (r == 0 && buf_len(b) != 0)
		abort();
	chanmsg_fwd_free(&f);
	free(descr);
	buf_free(b);
	return 0;
}
