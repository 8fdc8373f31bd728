/* SPDX-License-Identifier: ISC */
/*
 * The parser of the "x11-req" channel request (RFC 4254 §6.3.1), in
 * hsshd-session (the logged-in user, no capabilities).  Every byte comes
 * from the network after authentication and is attacker-controlled; it
 * is read through struct buf with explicit bounds and the parser ends
 * with buf_get_end().  The protocol name and the cookie end up as words
 * on xauth(1)'s standard input, so their character sets are checked here
 * (a newline or a blank would add or split xauth commands).  Pure
 * functions: no I/O, no state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "session/x11.h"

static bool
is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

static bool
is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

bool
x11_proto_is_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > X11_PROTO_MAX)
		return false;
	for (i = 0; i < len; i++) {
		/* sshd's xauth_valid_string() character set. */
		if (!is_alnum(s[i]) && strchr("-_.:/", s[i]) == NULL)
			return false;
		if (s[i] == '\0')
			return false;
	}
	return true;
}

bool
x11_cookie_is_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > X11_COOKIE_HEX_MAX || len % 2 != 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_hex(s[i]))
			return false;
	}
	return true;
}

void
chanmsg_x11_free(struct chanmsg_x11 *m)
{
	if (m == NULL)
		return;
	free(m->proto);
	freezero_str(m->cookie);
	memset(m, 0, sizeof(*m));
}

int
chanmsg_x11_req(struct buf *b, struct chanmsg_x11 *ret)
{
	struct chanmsg_x11 m;
	uint8_t *proto = NULL, *cookie = NULL;
	size_t plen = 0, clen = 0;
	int r;

	memset(&m, 0, sizeof(m));
	memset(ret, 0, sizeof(*ret));
	/*
	 * The strings are read as the packet allows and judged afterwards:
	 * a payload that is well-formed on the wire but asks for something
	 * unacceptable is a refused request, as in sshd, not a protocol
	 * error.
	 */
	if ((r = buf_get_bool(b, &m.single)) != 0 ||
	    (r = buf_get_string(b, SESS_COMMAND_MAX, &proto, &plen)) != 0 ||
	    (r = buf_get_string(b, SESS_COMMAND_MAX, &cookie, &clen)) != 0 ||
	    (r = buf_get_u32(b, &m.screen)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	m.proto = (char *)proto;
	m.cookie = (char *)cookie;
	proto = cookie = NULL;
	if (!x11_proto_is_valid(m.proto, plen) ||
	    !x11_cookie_is_valid(m.cookie, clen)) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	*ret = m;
	memset(&m, 0, sizeof(m));
	r = 0;
 out:
	free(proto);
	if (cookie != NULL)
		freezero(cookie, clen);
	chanmsg_x11_free(&m);
	return r;
}
