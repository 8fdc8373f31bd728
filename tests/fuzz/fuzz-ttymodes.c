/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the terminal modes of a pty-req
 * (session/ttymodes.c, RFC 4254 §8) and for the pty-req payload around
 * them (session/chanmsg.c).  A failure must leave the termios untouched;
 * applying the same modes twice must give the same result as once.  Any
 * crash or sanitizer report is a bug.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "common/buf.h"
#include "common/err.h"
#include "session/chanmsg.h"
#include "session/ttymodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct termios t, before, again;
	struct chanmsg_pty p;
	struct buf *b;

	memset(&t, 0, sizeof(t));
	t.c_iflag = ICRNL | IXON;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = CS8 | CREAD;
	t.c_lflag = ISIG | ICANON | ECHO;
	t.c_cc[VINTR] = 3;
	before = t;
	if (ttymodes_apply(data, size, &t) != 0) {
		if (memcmp(&t, &before, sizeof(t)) != 0)
			abort();
	} else {
		again = t;
		if (ttymodes_apply(data, size, &again) != 0 ||
		    memcmp(&t, &again, sizeof(t)) != 0)
			abort();
	}
	/* The same bytes as a whole pty-req payload. */
	if ((b = buf_from(data, size)) == NULL)
		abort();
	if (chanmsg_pty_req(b, &p) == 0) {
		if (p.term == NULL || strlen(p.term) > SESS_TERM_MAX ||
		    p.modes_len > SESS_TTYMODES_MAX)
			abort();
		t = before;
		(void)ttymodes_apply(p.modes, p.modes_len, &t);
		chanmsg_pty_free(&p);
	}
	buf_free(b);
	return 0;
}
