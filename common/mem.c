/* SPDX-License-Identifier: ISC */
/* Fatal-on-OOM allocation helpers; linked into every program. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "common/mem.h"

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		fatal_f("zero size");
	if ((p = malloc(size)) == NULL)
		fatal_f("out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		fatal_f("zero size");
	if (SIZE_MAX / nmemb < size)
		fatal_f("nmemb * size > SIZE_MAX");
	if ((p = calloc(nmemb, size)) == NULL)
		fatal_f("out of memory allocating %zu * %zu bytes", nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		fatal_f("zero size");
	if (SIZE_MAX / nmemb < size)
		fatal_f("nmemb * size > SIZE_MAX");
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		fatal_f("out of memory allocating %zu * %zu bytes", nmemb, size);
	return p;
}

/* Like xreallocarray, but old contents are wiped and new space is zeroed. */
void *
xrecallocarray(void *ptr, size_t oldnmemb, size_t nmemb, size_t size)
{
	void *p;
	size_t oldsize, newsize;

	if (nmemb == 0 || size == 0 || SIZE_MAX / nmemb < size ||
	    (oldnmemb != 0 && SIZE_MAX / oldnmemb < size))
		fatal_f("bad size");
	newsize = nmemb * size;
	oldsize = oldnmemb * size;
	p = xcalloc(1, newsize);
	if (ptr != NULL) {
		memcpy(p, ptr, oldsize < newsize ? oldsize : newsize);
		freezero(ptr, oldsize);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (len == SIZE_MAX)
		fatal_f("string too long");
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int n;

	n = vasprintf(ret, fmt, ap);
	if (n < 0 || *ret == NULL)
		fatal_f("out of memory");
	return n;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return n;
}

void
freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	if (len > 0)
		sodium_memzero(p, len);
	free(p);
}

void
freezero_str(char *s)
{
	if (s != NULL)
		freezero(s, strlen(s));
}
