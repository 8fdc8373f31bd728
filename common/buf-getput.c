/* SPDX-License-Identifier: ISC */
/*
 * SSH wire types (RFC 4251 §5) on top of struct buf.  Every getter zeroes
 * its outputs first and consumes nothing unless it succeeds.  This is the
 * only place where bytes are assembled into integers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"

#define PEEK_U32(p) \
	(((uint32_t)(p)[0] << 24) | ((uint32_t)(p)[1] << 16) | \
	 ((uint32_t)(p)[2] << 8) | (uint32_t)(p)[3])
#define POKE_U32(p, v) do { \
	(p)[0] = (uint8_t)((v) >> 24); (p)[1] = (uint8_t)((v) >> 16); \
	(p)[2] = (uint8_t)((v) >> 8); (p)[3] = (uint8_t)(v); \
} while (0)

int
buf_get(struct buf *b, void *v, size_t len)
{
	const uint8_t *p = buf_ptr(b);
	int r;

	if (len > buf_len(b))
		return HS_ERR_SHORT;
	if (v != NULL && len > 0)
		memcpy(v, p, len);
	if ((r = buf_consume(b, len)) != 0)
		return r;
	return 0;
}

int
buf_peek_u8(const struct buf *b, size_t offset, uint8_t *valp)
{
	if (valp != NULL)
		*valp = 0;
	if (offset >= buf_len(b))
		return HS_ERR_SHORT;
	if (valp != NULL)
		*valp = buf_ptr(b)[offset];
	return 0;
}

int
buf_peek_u32(const struct buf *b, size_t offset, uint32_t *valp)
{
	if (valp != NULL)
		*valp = 0;
	if (offset > buf_len(b) || buf_len(b) - offset < 4)
		return HS_ERR_SHORT;
	if (valp != NULL)
		*valp = PEEK_U32(buf_ptr(b) + offset);
	return 0;
}

int
buf_get_u8(struct buf *b, uint8_t *valp)
{
	return buf_get(b, valp, 1);
}

int
buf_get_u32(struct buf *b, uint32_t *valp)
{
	uint8_t v[4];
	int r;

	if (valp != NULL)
		*valp = 0;
	if ((r = buf_get(b, v, sizeof(v))) != 0)
		return r;
	if (valp != NULL)
		*valp = PEEK_U32(v);
	return 0;
}

int
buf_get_u64(struct buf *b, uint64_t *valp)
{
	uint8_t v[8];
	int r;

	if (valp != NULL)
		*valp = 0;
	if ((r = buf_get(b, v, sizeof(v))) != 0)
		return r;
	if (valp != NULL)
		*valp = ((uint64_t)PEEK_U32(v) << 32) | PEEK_U32(v + 4);
	return 0;
}

int
buf_get_bool(struct buf *b, bool *valp)
{
	uint8_t v;
	int r;

	if (valp != NULL)
		*valp = false;
	if ((r = buf_get_u8(b, &v)) != 0)
		return r;
	if (valp != NULL)
		*valp = v != 0;
	return 0;
}

int
buf_get_bool_strict(struct buf *b, bool *valp)
{
	uint8_t v;
	int r;

	if (valp != NULL)
		*valp = false;
	if ((r = buf_peek_u8(b, 0, &v)) != 0)
		return r;
	if (v > 1)
		return HS_ERR_BAD_BOOLEAN;
	return buf_get_bool(b, valp);
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t p[4];

	POKE_U32(p, v);
	return buf_put(b, p, sizeof(p));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t p[8];

	POKE_U32(p, (uint32_t)(v >> 32));
	POKE_U32(p + 4, (uint32_t)v);
	return buf_put(b, p, sizeof(p));
}

int
buf_put_bool(struct buf *b, bool v)
{
	return buf_put_u8(b, v ? 1 : 0);
}

int
buf_poke_u32(struct buf *b, size_t offset, uint32_t v)
{
	uint8_t *p = buf_mutable_ptr(b);

	if (p == NULL)
		return buf_len(b) == 0 ? HS_ERR_SHORT : HS_ERR_INVALID_ARGUMENT;
	if (offset > buf_len(b) || buf_len(b) - offset < 4)
		return HS_ERR_SHORT;
	POKE_U32(p + offset, v);
	return 0;
}

/*
 * Look at the string at the front of b without consuming it: on success
 * valp and lenp describe its bytes (inside the buffer).
 */
static int
buf_peek_string(const struct buf *b, size_t max, const uint8_t **valp,
    size_t *lenp)
{
	uint32_t len;
	int r;

	*valp = NULL;
	*lenp = 0;
	if ((r = buf_peek_u32(b, 0, &len)) != 0)
		return r;
	if (len > max || len > BUF_SIZE_MAX)
		return HS_ERR_TOO_LONG;
	if (buf_len(b) - 4 < len)
		return HS_ERR_SHORT;
	*valp = buf_ptr(b) + 4;
	*lenp = len;
	return 0;
}

int
buf_get_string_direct(struct buf *b, size_t max, const uint8_t **valp,
    size_t *lenp)
{
	const uint8_t *p;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if ((r = buf_peek_string(b, max, &p, &len)) != 0)
		return r;
	if ((r = buf_consume(b, 4 + len)) != 0)
		return r;
	if (valp != NULL)
		*valp = p;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

int
buf_skip_string(struct buf *b, size_t max)
{
	return buf_get_string_direct(b, max, NULL, NULL);
}

int
buf_get_string(struct buf *b, size_t max, uint8_t **valp, size_t *lenp)
{
	const uint8_t *p;
	uint8_t *v;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if ((r = buf_peek_string(b, max, &p, &len)) != 0)
		return r;
	if (valp != NULL) {
		if ((v = malloc(len + 1)) == NULL)
			return HS_ERR_ALLOC;
		if (len > 0)
			memcpy(v, p, len);
		v[len] = '\0';
	} else
		v = NULL;
	if ((r = buf_consume(b, 4 + len)) != 0) {
		freezero(v, len + 1);
		return r;
	}
	if (valp != NULL)
		*valp = v;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

int
buf_get_cstring(struct buf *b, size_t max, char **valp, size_t *lenp)
{
	const uint8_t *p;
	uint8_t *v = NULL;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if ((r = buf_peek_string(b, max, &p, &len)) != 0)
		return r;
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return HS_ERR_STRING_NUL;
	if ((r = buf_get_string(b, max, valp != NULL ? &v : NULL, lenp)) != 0)
		return r;
	if (valp != NULL)
		*valp = (char *)v;
	return 0;
}

int
buf_froms(struct buf *b, size_t max, struct buf **bufp)
{
	const uint8_t *p;
	struct buf *n;
	size_t len;
	int r;

	if (bufp != NULL)
		*bufp = NULL;
	if ((r = buf_peek_string(b, max, &p, &len)) != 0)
		return r;
	if (bufp == NULL)
		return buf_consume(b, 4 + len);
	if ((n = buf_from(p, len)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_consume(b, 4 + len)) != 0) {
		buf_free(n);
		return r;
	}
	*bufp = n;
	return 0;
}

int
buf_put_string(struct buf *b, const void *v, size_t len)
{
	uint8_t *p;
	int r;

	if (len > BUF_SIZE_MAX - 4)
		return HS_ERR_NO_BUFFER_SPACE;
	if ((r = buf_reserve(b, 4 + len, &p)) != 0)
		return r;
	POKE_U32(p, (uint32_t)len);
	if (len > 0)
		memcpy(p + 4, v, len);
	return 0;
}

int
buf_put_cstring(struct buf *b, const char *v)
{
	return buf_put_string(b, v, v == NULL ? 0 : strlen(v));
}

int
buf_put_stringb(struct buf *b, const struct buf *v)
{
	if (b == v)
		return HS_ERR_INVALID_ARGUMENT;
	return buf_put_string(b, buf_ptr(v), buf_len(v));
}

int
buf_get_mpint_direct(struct buf *b, size_t max, const uint8_t **valp,
    size_t *lenp)
{
	const uint8_t *p;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	/* One extra byte for the sign pad of a value with its top bit set. */
	if ((r = buf_peek_string(b, max < SIZE_MAX ? max + 1 : max,
	    &p, &len)) != 0)
		return r;
	if (len > 0 && (p[0] & 0x80) != 0)
		return HS_ERR_BAD_MPINT;	/* negative */
	if (len > 0 && p[0] == 0) {
		/* A zero byte is only allowed to keep the sign bit clear. */
		if (len == 1 || (p[1] & 0x80) == 0)
			return HS_ERR_BAD_MPINT;
		p++;
		len--;
	}
	if (len > max)
		return HS_ERR_TOO_LONG;
	if ((r = buf_skip_string(b, max < SIZE_MAX ? max + 1 : max)) != 0)
		return r;
	if (valp != NULL)
		*valp = len > 0 ? p : NULL;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

int
buf_put_mpint(struct buf *b, const uint8_t *v, size_t len)
{
	uint8_t *p;
	size_t pad;
	int r;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	if (len > BUF_SIZE_MAX - 5)
		return HS_ERR_NO_BUFFER_SPACE;
	pad = (len > 0 && (v[0] & 0x80) != 0) ? 1 : 0;
	if ((r = buf_reserve(b, 4 + pad + len, &p)) != 0)
		return r;
	POKE_U32(p, (uint32_t)(pad + len));
	if (pad)
		p[4] = 0;
	if (len > 0)
		memcpy(p + 4 + pad, v, len);
	return 0;
}

bool
namelist_is_valid(const char *s, size_t len)
{
	size_t i, namelen = 0;
	unsigned char c;

	if (len == 0)
		return true;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ',') {
			if (namelen == 0)
				return false;
			namelen = 0;
			continue;
		}
		/* Printable US-ASCII, no space, no comma (RFC 4251 §6). */
		if (c <= 0x20 || c >= 0x7f)
			return false;
		if (++namelen > NAME_MAX_LEN)
			return false;
	}
	return namelen != 0;
}

int
buf_get_namelist(struct buf *b, size_t max, char **valp)
{
	const uint8_t *p;
	size_t len;
	int r;

	if (valp != NULL)
		*valp = NULL;
	if ((r = buf_peek_string(b, max, &p, &len)) != 0)
		return r;
	if (!namelist_is_valid((const char *)p, len))
		return HS_ERR_BAD_NAMELIST;
	return buf_get_cstring(b, max, valp, NULL);
}
