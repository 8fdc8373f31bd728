/* SPDX-License-Identifier: ISC */
/*
 * Buffer storage: allocation, growth, consumption.  The wire-type getters
 * and putters live in buf-getput.c.  Input is attacker-controlled in every
 * program; all offset arithmetic is checked here.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"

struct buf {
	uint8_t	*d;		/* storage */
	size_t	 off;		/* first readable byte */
	size_t	 size;		/* end of readable bytes */
	size_t	 alloc;		/* bytes allocated at d */
	size_t	 max;		/* size may never exceed this */
	bool	 readonly;
};

/* A broken invariant means memory corruption: stop, never "recover". */
static void
buf_check(const struct buf *b)
{
	if (b == NULL || b->off > b->size || b->size > b->alloc ||
	    b->size > b->max || b->max > BUF_SIZE_MAX ||
	    (b->alloc > 0 && b->d == NULL)) {
		raise(SIGSEGV);
		abort();
	}
}

struct buf *
buf_new(void)
{
	struct buf *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->max = BUF_SIZE_MAX;
	return b;
}

struct buf *
buf_from(const void *p, size_t len)
{
	struct buf *b;

	if (len > BUF_SIZE_MAX || (b = buf_new()) == NULL)
		return NULL;
	if (len > 0) {
		if ((b->d = malloc(len)) == NULL) {
			free(b);
			return NULL;
		}
		memcpy(b->d, p, len);
	}
	b->alloc = b->size = len;
	b->readonly = true;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	buf_check(b);
	freezero(b->d, b->alloc);
	freezero(b, sizeof(*b));
}

void
buf_reset(struct buf *b)
{
	buf_check(b);
	if (b->alloc > 0)
		sodium_memzero(b->d, b->alloc);
	b->off = b->size = 0;
}

int
buf_set_max_size(struct buf *b, size_t max)
{
	buf_check(b);
	if (max > BUF_SIZE_MAX)
		return HS_ERR_INVALID_ARGUMENT;
	if (b->size > max)
		return HS_ERR_NO_BUFFER_SPACE;
	b->max = max;
	return 0;
}

size_t
buf_max_size(const struct buf *b)
{
	buf_check(b);
	return b->max;
}

size_t
buf_len(const struct buf *b)
{
	buf_check(b);
	return b->size - b->off;
}

size_t
buf_avail(const struct buf *b)
{
	buf_check(b);
	if (b->readonly)
		return 0;
	/* Consumed bytes at the front can be reclaimed by packing. */
	return b->max - (b->size - b->off);
}

const uint8_t *
buf_ptr(const struct buf *b)
{
	buf_check(b);
	if (b->d == NULL)
		return (const uint8_t *)"";
	return b->d + b->off;
}

uint8_t *
buf_mutable_ptr(struct buf *b)
{
	buf_check(b);
	if (b->readonly || b->d == NULL)
		return NULL;
	return b->d + b->off;
}

/* Move readable bytes to the front so consumed space can be reused. */
static void
buf_pack(struct buf *b)
{
	size_t len = b->size - b->off;

	if (b->off == 0)
		return;
	if (len > 0)
		memmove(b->d, b->d + b->off, len);
	sodium_memzero(b->d + len, b->size - len);
	b->off = 0;
	b->size = len;
}

int
buf_reserve(struct buf *b, size_t len, uint8_t **dpp)
{
	size_t need, nalloc;
	uint8_t *nd;

	if (dpp != NULL)
		*dpp = NULL;
	buf_check(b);
	if (b->readonly)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > b->max - (b->size - b->off))
		return HS_ERR_NO_BUFFER_SPACE;
	if (len > b->max - b->size || b->size + len > b->alloc)
		buf_pack(b);
	need = b->size + len;
	if (need > b->alloc) {
		/* Round up, but never beyond the maximum. */
		nalloc = need + BUF_SIZE_INC - 1;
		nalloc -= nalloc % BUF_SIZE_INC;
		if (nalloc < b->alloc + b->alloc / 2)
			nalloc = b->alloc + b->alloc / 2;
		if (nalloc > b->max)
			nalloc = b->max;
		/* Grow by copy so the old storage can be wiped. */
		if ((nd = malloc(nalloc)) == NULL)
			return HS_ERR_ALLOC;
		if (b->size > 0)
			memcpy(nd, b->d, b->size);
		freezero(b->d, b->alloc);
		b->d = nd;
		b->alloc = nalloc;
	}
	if (dpp != NULL)
		*dpp = b->d + b->size;
	b->size += len;
	buf_check(b);
	return 0;
}

int
buf_put(struct buf *b, const void *v, size_t len)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, len, &p)) != 0)
		return r;
	if (len > 0)
		memcpy(p, v, len);
	return 0;
}

int
buf_putb(struct buf *b, const struct buf *v)
{
	if (v == NULL)
		return 0;
	if (b == v)
		return HS_ERR_INVALID_ARGUMENT;
	return buf_put(b, buf_ptr(v), buf_len(v));
}

int
buf_putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n, r;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || s == NULL)
		return HS_ERR_ALLOC;
	r = buf_put(b, s, (size_t)n);
	freezero(s, (size_t)n);
	return r;
}

int
buf_consume(struct buf *b, size_t len)
{
	buf_check(b);
	if (len > b->size - b->off)
		return HS_ERR_SHORT;
	b->off += len;
	if (b->off == b->size && !b->readonly)
		b->off = b->size = 0;
	return 0;
}

int
buf_consume_end(struct buf *b, size_t len)
{
	buf_check(b);
	if (len > b->size - b->off)
		return HS_ERR_SHORT;
	b->size -= len;
	return 0;
}

int
buf_get_end(const struct buf *b)
{
	return buf_len(b) == 0 ? 0 : HS_ERR_TRAILING_DATA;
}

bool
buf_equal(const struct buf *a, const struct buf *b)
{
	if (buf_len(a) != buf_len(b))
		return false;
	if (buf_len(a) == 0)
		return true;
	return sodium_memcmp(buf_ptr(a), buf_ptr(b), buf_len(a)) == 0;
}
