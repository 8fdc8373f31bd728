/* SPDX-License-Identifier: ISC */
/*
 * The one bounds-checked buffer API.  Every byte of untrusted input in
 * hsshd (network packets, RPC messages, key and configuration files) is
 * consumed through these functions; nothing outside buf*.c does pointer
 * arithmetic on wire data.  Linked into every program.
 *
 * A buffer is a byte queue: writers append at the end, readers consume from
 * the front.  Contracts (tests/unit/test-buf.c proves each one):
 *  - Every buffer has a maximum size (BUF_SIZE_MAX unless set lower); an
 *    append past it fails with HS_ERR_NO_BUFFER_SPACE and changes nothing.
 *  - Getters are all-or-nothing: output parameters are zeroed/NULLed first,
 *    and on any failure nothing is consumed.
 *  - Variable-length getters take an explicit maximum; a longer field fails
 *    with HS_ERR_TOO_LONG.
 *  - Ownership is in the name: buf_get_string/cstring return heap copies the
 *    caller frees; *_direct return a pointer into the buffer, valid until the
 *    buffer is next modified; buf_froms returns a new buffer (caller frees).
 *  - buf_get_end() fails with HS_ERR_TRAILING_DATA if anything is left:
 *    every message parser ends with it.
 *  - buf_free(NULL) is a no-op; freeing (and resetting) wipes the contents.
 *  - A corrupted buffer structure aborts; it is never "recovered".
 * Return values: 0 on success or a negative HS_ERR_* code.
 */
#ifndef HS_BUF_H
#define HS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

struct buf;

/* New empty buffer with maximum size BUF_SIZE_MAX; NULL on OOM. */
struct buf	*buf_new(void);
/* New read-only buffer holding a copy of len bytes at p; NULL on OOM/size. */
struct buf	*buf_from(const void *p, size_t len);
/* Wipe and free; NULL is a no-op. */
void		 buf_free(struct buf *);
/* Wipe the contents and make the buffer empty (keeps the maximum). */
void		 buf_reset(struct buf *);
/* Lower (or raise, up to BUF_SIZE_MAX) the maximum; fails if the current
 * contents do not fit. */
int		 buf_set_max_size(struct buf *, size_t);
size_t		 buf_max_size(const struct buf *);

/* Bytes available to read. */
size_t		 buf_len(const struct buf *);
/* Bytes that may still be appended before the maximum is reached. */
size_t		 buf_avail(const struct buf *);
/* Pointer to the readable bytes (valid until the next modification). */
const uint8_t	*buf_ptr(const struct buf *);
/* Writable pointer to the readable bytes, for in-place decryption; NULL for
 * read-only buffers. */
uint8_t		*buf_mutable_ptr(struct buf *);

/* Reserve len bytes at the end; *dpp points at them (uninitialised). */
int	 buf_reserve(struct buf *, size_t len, uint8_t **dpp);
/* Append len bytes. */
int	 buf_put(struct buf *, const void *v, size_t len);
/* Append the readable contents of another buffer. */
int	 buf_putb(struct buf *, const struct buf *v);
/* Append formatted text (no NUL). */
int	 buf_putf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Drop len bytes from the front / the end. */
int	 buf_consume(struct buf *, size_t len);
int	 buf_consume_end(struct buf *, size_t len);
/* Fails with HS_ERR_TRAILING_DATA if any readable bytes remain. */
int	 buf_get_end(const struct buf *);

/* Fixed-size reads; v may be NULL to skip. */
int	 buf_get(struct buf *, void *v, size_t len);
int	 buf_get_u8(struct buf *, uint8_t *valp);
int	 buf_get_u32(struct buf *, uint32_t *valp);
int	 buf_get_u64(struct buf *, uint64_t *valp);
/* RFC 4251 boolean: any non-zero byte is true.  buf_get_bool_strict
 * accepts only 0 and 1. */
int	 buf_get_bool(struct buf *, bool *valp);
int	 buf_get_bool_strict(struct buf *, bool *valp);
/* Peek without consuming. */
int	 buf_peek_u8(const struct buf *, size_t offset, uint8_t *valp);
int	 buf_peek_u32(const struct buf *, size_t offset, uint32_t *valp);

int	 buf_put_u8(struct buf *, uint8_t);
int	 buf_put_u32(struct buf *, uint32_t);
int	 buf_put_u64(struct buf *, uint64_t);
int	 buf_put_bool(struct buf *, bool);
/* Overwrite a u32 already in the buffer at offset (for length fields). */
int	 buf_poke_u32(struct buf *, size_t offset, uint32_t);

/*
 * SSH "string": u32 length then bytes.  max bounds the length.
 * buf_get_string: heap copy plus a terminating NUL (not counted in *lenp).
 * buf_get_cstring: as buf_get_string, but fails with HS_ERR_STRING_NUL if
 *   the string holds a NUL byte.
 * buf_get_string_direct: pointer into the buffer, valid until modified.
 * buf_froms: the string's bytes as a new buffer (for nested structures).
 * Any of valp/lenp may be NULL.
 */
int	 buf_get_string(struct buf *, size_t max, uint8_t **valp, size_t *lenp);
int	 buf_get_cstring(struct buf *, size_t max, char **valp, size_t *lenp);
int	 buf_get_string_direct(struct buf *, size_t max, const uint8_t **valp,
	    size_t *lenp);
int	 buf_froms(struct buf *, size_t max, struct buf **bufp);
/* Skip a string without looking at it. */
int	 buf_skip_string(struct buf *, size_t max);

int	 buf_put_string(struct buf *, const void *v, size_t len);
int	 buf_put_cstring(struct buf *, const char *v);
/* Append the readable contents of v as a string. */
int	 buf_put_stringb(struct buf *, const struct buf *v);

/*
 * SSH "mpint" (RFC 4251 §5), non-negative values only: negative values and
 * non-minimal encodings (superfluous leading 0x00 / 0xff) are rejected.
 * The returned bytes are the unsigned big-endian magnitude with no leading
 * zero byte (a zero value has length 0).  max bounds the magnitude.
 */
int	 buf_get_mpint_direct(struct buf *, size_t max, const uint8_t **valp,
	    size_t *lenp);
/* Encode an unsigned big-endian magnitude (leading zeros allowed). */
int	 buf_put_mpint(struct buf *, const uint8_t *v, size_t len);

/*
 * SSH "name-list" (RFC 4251 §5): comma-separated, non-empty names of
 * printable US-ASCII without commas, each at most NAME_MAX_LEN bytes.  An
 * empty list is allowed.  Returns a NUL-terminated heap copy.
 */
int	 buf_get_namelist(struct buf *, size_t max, char **valp);
/* Checks the name-list rules on a C string (as buf_get_namelist). */
bool	 namelist_is_valid(const char *s, size_t len);

/* Constant-time comparison of readable contents (lengths are public). */
bool	 buf_equal(const struct buf *, const struct buf *);

#endif
