/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the wire reader: arbitrary bytes are read as a
 * sequence of SSH wire types chosen by the input itself.  Every getter must
 * fail cleanly or consume exactly what it claims.
 */
#include "config.h"

#include <stdlib.h>

#include "common/buf.h"
#include "common/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *b, *nested = NULL;
	const uint8_t *p;
	uint8_t *s, op;
	char *cs;
	size_t len, before;
	uint64_t u64;
	uint32_t u32;
	bool bo;
	int r;

	if ((b = buf_from(data, size)) == NULL)
		return 0;
	while (buf_get_u8(b, &op) == 0) {
		before = buf_len(b);
		switch (op % 10) {
		case 0: r = buf_get_u32(b, &u32); break;
		case 1: r = buf_get_u64(b, &u64); break;
		case 2: r = buf_get_bool_strict(b, &bo); break;
		case 3:
			if ((r = buf_get_string(b, 1024, &s, &len)) == 0)
				free(s);
			break;
		case 4:
			if ((r = buf_get_cstring(b, 1024, &cs, &len)) == 0)
				free(cs);
			break;
		case 5: r = buf_get_mpint_direct(b, 64, &p, &len); break;
		case 6:
			if ((r = buf_get_namelist(b, NAMELIST_MAX, &cs)) == 0)
				free(cs);
			break;
		case 7:
			if ((r = buf_froms(b, 4096, &nested)) == 0) {
				while (buf_get_string_direct(nested, 64, &p,
				    &len) == 0)
					;
				buf_free(nested);
			}
			break;
		case 8: r = buf_get_string_direct(b, 16, &p, &len); break;
		default: r = buf_get_end(b); break;
		}
		/* All-or-nothing: a failed getter consumed nothing. */
		if (r != 0 && buf_len(b) != before)
			abort();
		if (r != 0 && op % 10 != 9)
			break;
	}
	buf_free(b);
	return 0;
}
