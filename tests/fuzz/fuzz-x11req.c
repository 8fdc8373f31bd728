/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the x11-req parser of hsshd-session
 * (session/chanmsg-x11.c), whose input is a channel request payload from
 * the network.  A payload it accepts must satisfy the validity rules
 * (protocol name and cookie), survive a re-encoding round trip, and the
 * xauth input built from it must hold exactly two lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "session/x11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chanmsg_x11 m, m2;
	struct buf *b, *re;
	char *text, *p;
	size_t lines = 0;

	if ((b = buf_from(data, size)) == NULL)
		return 0;
	if (chanmsg_x11_req(b, &m) != 0) {
		buf_free(b);
		return 0;
	}
	if (!x11_proto_is_valid(m.proto, strlen(m.proto)) ||
	    !x11_cookie_is_valid(m.cookie, strlen(m.cookie)))
		abort();
	if ((re = buf_new()) == NULL || buf_put_bool(re, m.single) != 0 ||
	    buf_put_cstring(re, m.proto) != 0 ||
	    buf_put_cstring(re, m.cookie) != 0 ||
	    buf_put_u32(re, m.screen) != 0)
		abort();
	if (chanmsg_x11_req(re, &m2) != 0 || m2.single != m.single ||
	    strcmp(m2.proto, m.proto) != 0 ||
	    strcmp(m2.cookie, m.cookie) != 0 || m2.screen != m.screen)
		abort();
	text = x11_xauth_install_text("unix:10.0", m.proto, m.cookie);
	for (p = text; *p != '\0'; p++)
		lines += *p == '\n';
	if (lines != 2)
		abort();
	freezero_str(text);
	chanmsg_x11_free(&m2);
	chanmsg_x11_free(&m);
	buf_free(re);
	buf_free(b);
	return 0;
}
