/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the monitor RPC framing: arbitrary bytes, as a
 * compromised child could send them, decoded frame after frame until the
 * input is used up.  The first byte picks the size cap.  Each decoded
 * frame must re-encode to exactly the bytes it consumed; a failure must
 * consume nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 0, 16, RPC_MSG_MAX, RPC_STATE_MAX };
	struct buf *in = NULL, *body = NULL, *again = NULL;
	size_t max, before, used;
	uint8_t type;
	const char *name;
	int r;

	if (size < 1)
		return 0;
	max = caps[data[0] % 4];
	if ((in = buf_from(data + 1, size - 1)) == NULL ||
	    (again = buf_new()) == NULL)
		goto out;
	/* Each success consumes at least a header, so the loop ends. */
	while (buf_len(in) > 0) {
		before = buf_len(in);
		r = rpc_decode(in, max, &type, &body);
		if (r != 0) {
			if (buf_len(in) != before || body != NULL ||
			    (r != HS_ERR_SHORT && r != HS_ERR_TOO_LONG))
				abort();
			break;
		}
		used = before - buf_len(in);
		if (body == NULL || buf_len(body) > max ||
		    used != RPC_HDR_LEN + buf_len(body))
			abort();
		name = rpc_type_name(type);
		if (name == NULL || name[0] == '\0')
			abort();
		buf_reset(again);
		if (rpc_encode(again, type, body) != 0 ||
		    buf_len(again) != used ||
		    memcmp(buf_ptr(again), data + 1 + (size - 1 - before),
		    used) != 0)
			abort();
		buf_free(body);
		body = NULL;
	}
 out:
	buf_free(body);
	buf_free(again);
	buf_free(in);
	return 0;
}
