/* SPDX-License-Identifier: ISC */
/*
 * Heap string vectors (see strv.h).  Runs in every process that handles
 * configuration, with that process's privilege; it only moves strings the
 * caller already holds.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/strv.h"

int
strv_append(char ***vp, size_t *np, size_t max, const char *s)
{
	char **nv, *copy;

	if (*np >= max)
		return HS_ERR_TOO_LONG;
	if ((copy = strdup(s)) == NULL)
		return HS_ERR_ALLOC;
	if ((nv = reallocarray(*vp, *np + 1, sizeof(*nv))) == NULL) {
		free(copy);
		return HS_ERR_ALLOC;
	}
	nv[(*np)++] = copy;
	*vp = nv;
	return 0;
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
strv_dup(char *const *v, size_t n, char ***ret)
{
	char **nv = NULL;
	size_t i;

	*ret = NULL;
	if (n == 0)
		return 0;
	if ((nv = calloc(n, sizeof(*nv))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((nv[i] = strdup(v[i])) == NULL) {
			strv_free(nv, i);
			return HS_ERR_ALLOC;
		}
	}
	*ret = nv;
	return 0;
}

int
strv_join(char *const *v, size_t n, const char *sep, char **ret)
{
	size_t i, len = 1, seplen = strlen(sep), l;
	char *s;

	*ret = NULL;
	for (i = 0; i < n; i++) {
		l = strlen(v[i]) + (i > 0 ? seplen : 0);
		if (SIZE_MAX - len < l)
			return HS_ERR_TOO_LONG;
		len += l;
	}
	if ((s = malloc(len)) == NULL)
		return HS_ERR_ALLOC;
	s[0] = '\0';
	l = 0;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(s + l, sep, seplen);
			l += seplen;
		}
		memcpy(s + l, v[i], strlen(v[i]));
		l += strlen(v[i]);
	}
	s[l] = '\0';
	*ret = s;
	return 0;
}

bool
strv_contains(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

int
strv_vprintf(char **ret, const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	*ret = NULL;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return HS_ERR_INTERNAL;
	if ((s = malloc((size_t)n + 1)) == NULL)
		return HS_ERR_ALLOC;
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
		free(s);
		return HS_ERR_INTERNAL;
	}
	*ret = s;
	return 0;
}

int
strv_printf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strv_vprintf(ret, fmt, ap);
	va_end(ap);
	return r;
}
