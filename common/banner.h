/* SPDX-License-Identifier: ISC */
/*
 * The identification line exchange (RFC 4253 §4.2):
 *	SSH-protoversion-softwareversion SP comments CR LF
 * Parsed incrementally from the first bytes of a connection.  Runs in the
 * pre-auth child (unprivileged, sandboxed); the line is attacker-
 * controlled.  Rules, as OpenSSH applies them:
 *  - at most BANNER_LINE_MAX (255) bytes including CR LF; LF alone is
 *    tolerated, CR not followed by LF and NUL bytes are errors;
 *  - protoversion "2.0" or "1.99" (a server that also speaks 1.x);
 *  - a client must send its identification line first: any other line from
 *    a client is an error (OpenSSH's server does the same).  A server may
 *    send other lines before its identification line; from a server peer
 *    at most BANNER_PRELINES_MAX lines and BANNER_PRE_BYTES_MAX bytes of
 *    them are skipped;
 *  - softwareversion is non-empty printable ASCII without spaces ('-' is
 *    tolerated: some clients send it); comments are free text without
 *    control characters.
 */
#ifndef HS_BANNER_H
#define HS_BANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

struct banner;

/* peer_is_server: the peer may send lines before its version line.
 * Returns 0 or HS_ERR_ALLOC. */
int	 banner_new(bool peer_is_server, struct banner **ret);
void	 banner_free(struct banner *);

/*
 * Consume bytes up to the end of the identification line.  *ret_used is
 * set to the number of bytes consumed (on success and on error).  Once
 * banner_done() is true, the data after *ret_used belongs to the packet
 * stream, and further calls consume nothing.  Errors are final:
 * HS_ERR_BANNER_TOO_LONG, HS_ERR_BANNER_FORMAT (no "SSH-" line, NUL, CR
 * without LF, control characters, missing fields),
 * HS_ERR_BANNER_VERSION (protoversion other than 2.0 / 1.99),
 * HS_ERR_BANNER_PRELINES.  hs_err_str() gives the text to send to the
 * peer before closing.
 */
int	 banner_feed(struct banner *, const uint8_t *data, size_t len,
	    size_t *ret_used);
bool	 banner_done(const struct banner *);

/* After banner_done(): the line without CR LF (V_C / V_S of the exchange
 * hash), its protoversion, softwareversion and comments ("" if none).
 * NULL before. */
const char	*banner_line(const struct banner *);
const char	*banner_protoversion(const struct banner *);
const char	*banner_software(const struct banner *);
const char	*banner_comments(const struct banner *);

#endif
