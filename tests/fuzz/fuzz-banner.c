/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the identification line parser (common/banner.c):
 * arbitrary first bytes of a connection, fed in chunks, from a client or
 * a server peer (first input byte).  Checks the parser's promises: it never
 * consumes past the line, a finished line is at most 254 bytes (255 with
 * its LF) of printable text, and errors are final.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/banner.h"
#include "common/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct banner *b = NULL;
	size_t off = 2, n, used, chunk, i;
	const char *line;
	int r = 0;

	if (size < 2)
		return 0;
	if (banner_new((data[0] & 1) != 0, &b) != 0)
		abort();
	chunk = (size_t)data[1] + 1;
	while (off < size && r == 0 && !banner_done(b)) {
		n = size - off < chunk ? size - off : chunk;
		r = banner_feed(b, data + off, n, &used);
		if (used > n)
			abort();
		off += used;
		if (r == 0 && !banner_done(b) && used != n)
			abort();
	}
	if (r != 0) {
		if (banner_done(b) || banner_line(b) != NULL)
			abort();
		if (banner_feed(b, data, size, &used) != r)
			abort();
	} else if (banner_done(b)) {
		line = banner_line(b);
		if (line == NULL || strlen(line) > 254 ||
		    strncmp(line, "SSH-", 4) != 0)
			abort();
		for (i = 0; line[i] != '\0'; i++)
			if ((unsigned char)line[i] < 0x20 ||
			    (unsigned char)line[i] == 0x7f)
				abort();
		if (strcmp(banner_protoversion(b), "2.0") != 0 &&
		    strcmp(banner_protoversion(b), "1.99") != 0)
			abort();
		if (banner_software(b)[0] == '\0')
			abort();
		if (banner_feed(b, data, size, &used) != 0 || used != 0)
			abort();
	}
	banner_free(b);
	return 0;
}
