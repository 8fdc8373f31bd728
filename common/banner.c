/* SPDX-License-Identifier: ISC */
/*
 * Incremental parser of the peer's identification line (see banner.h).
 * Runs in the pre-auth child, unprivileged and sandboxed, on the first
 * bytes a peer sends: all of it is attacker-controlled.  Bytes are
 * examined one at a time against explicit bounds; the finished line is
 * split with the struct txt cursor.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/banner.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/txt.h"

struct banner {
	bool	 peer_is_server;
	bool	 done;
	int	 error;		/* sticky */
	bool	 saw_cr;
	bool	 skipping;	/* inside a line that is not the version */
	size_t	 prelines;
	size_t	 prebytes;
	size_t	 len;		/* bytes in line[] */
	char	 line[BANNER_LINE_MAX + 1];
	char	 proto[8];
	char	 software[BANNER_LINE_MAX + 1];
	char	 comments[BANNER_LINE_MAX + 1];
};

int
banner_new(bool peer_is_server, struct banner **ret)
{
	struct banner *b;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		*ret = NULL;
		return HS_ERR_ALLOC;
	}
	b->peer_is_server = peer_is_server;
	*ret = b;
	return 0;
}

void
banner_free(struct banner *b)
{
	freezero(b, b != NULL ? sizeof(*b) : 0);
}

bool
banner_done(const struct banner *b)
{
	return b->done;
}

const char *
banner_line(const struct banner *b)
{
	return b->done ? b->line : NULL;
}

const char *
banner_protoversion(const struct banner *b)
{
	return b->done ? b->proto : NULL;
}

const char *
banner_software(const struct banner *b)
{
	return b->done ? b->software : NULL;
}

const char *
banner_comments(const struct banner *b)
{
	return b->done ? b->comments : NULL;
}

/* Copy the cursor's characters up to stop (or the end) into out. */
static size_t
take_until(struct txt *t, char stop, char *out, size_t outsz)
{
	size_t n = 0;
	int c;

	while ((c = txt_peek(t)) != -1 && c != stop && n + 1 < outsz) {
		out[n++] = (char)c;
		(void)txt_accept(t, (char)c);
	}
	out[n] = '\0';
	return n;
}

/* Split a complete "SSH-..." line (control characters already refused). */
static int
banner_parse(struct banner *b)
{
	struct txt t;
	size_t i, n;
	int c;

	txt_init(&t, b->line, b->len);
	if (!txt_accept(&t, 'S') || !txt_accept(&t, 'S') ||
	    !txt_accept(&t, 'H') || !txt_accept(&t, '-'))
		return HS_ERR_BANNER_FORMAT;
	n = take_until(&t, '-', b->proto, sizeof(b->proto));
	if (n == 0 || !txt_accept(&t, '-')) {
		/* "SSH-2.0" alone, or an absurd protoversion. */
		if (n == sizeof(b->proto) - 1)
			return HS_ERR_BANNER_VERSION;
		return HS_ERR_BANNER_FORMAT;
	}
	if (strcmp(b->proto, "2.0") != 0 && strcmp(b->proto, "1.99") != 0)
		return HS_ERR_BANNER_VERSION;
	n = take_until(&t, ' ', b->software, sizeof(b->software));
	if (n == 0)
		return HS_ERR_BANNER_FORMAT;
	for (i = 0; i < n; i++) {
		c = (unsigned char)b->software[i];
		if (c < 0x21 || c > 0x7e)
			return HS_ERR_BANNER_FORMAT;
	}
	if (txt_accept(&t, ' '))
		(void)take_until(&t, '\0', b->comments, sizeof(b->comments));
	if (!txt_eof(&t))
		return HS_ERR_BANNER_FORMAT;
	return 0;
}

/* One byte of a line.  Returns 0, or an error; sets done at the end. */
static int
banner_byte(struct banner *b, unsigned char c)
{
	if (b->skipping) {
		/* A line before the version line (only from a server). */
		if (++b->prebytes > BANNER_PRE_BYTES_MAX)
			return HS_ERR_BANNER_PRELINES;
		if (c == '\n') {
			b->skipping = false;
			b->len = 0;
		}
		return 0;
	}
	if (b->saw_cr && c != '\n')
		return HS_ERR_BANNER_FORMAT;
	if (c == '\r') {
		b->saw_cr = true;
		return 0;
	}
	if (c == '\n' && b->len < 4) {
		/* A short (or empty) line cannot be the version line. */
		if (!b->peer_is_server)
			return HS_ERR_BANNER_FORMAT;
		b->prebytes += b->len + (b->saw_cr ? 2 : 1);
		if (++b->prelines > BANNER_PRELINES_MAX ||
		    b->prebytes > BANNER_PRE_BYTES_MAX)
			return HS_ERR_BANNER_PRELINES;
		b->len = 0;
		b->saw_cr = false;
		return 0;
	}
	if (c == '\n') {
		/* 255 bytes including CR LF (or LF alone). */
		if (b->len + (b->saw_cr ? 2 : 1) > BANNER_LINE_MAX)
			return HS_ERR_BANNER_TOO_LONG;
		b->line[b->len] = '\0';
		b->done = true;
		return banner_parse(b);
	}
	if (c == '\0' || c < 0x20 || c == 0x7f)
		return HS_ERR_BANNER_FORMAT;
	if (b->len + 1 + 1 > BANNER_LINE_MAX)
		return HS_ERR_BANNER_TOO_LONG;
	b->line[b->len++] = (char)c;
	/* Decide early whether this is the version line. */
	if (b->len <= 4 && memcmp(b->line, "SSH-", b->len) != 0) {
		if (!b->peer_is_server)
			return HS_ERR_BANNER_FORMAT;
		if (++b->prelines > BANNER_PRELINES_MAX)
			return HS_ERR_BANNER_PRELINES;
		b->prebytes += b->len;
		if (b->prebytes > BANNER_PRE_BYTES_MAX)
			return HS_ERR_BANNER_PRELINES;
		b->skipping = true;
	}
	return 0;
}

int
banner_feed(struct banner *b, const uint8_t *data, size_t len,
    size_t *ret_used)
{
	size_t i;
	int r = 0;

	if (ret_used != NULL)
		*ret_used = 0;
	if (b == NULL || ret_used == NULL || (data == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (b->error != 0)
		return b->error;
	for (i = 0; i < len && !b->done; i++) {
		if ((r = banner_byte(b, data[i])) != 0) {
			b->done = false;
			b->error = r;
			*ret_used = i + 1;
			return r;
		}
	}
	*ret_used = i;
	return 0;
}
