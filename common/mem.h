/* SPDX-License-Identifier: ISC */
/*
 * Allocation helpers for process code: every x* function is fatal on
 * exhaustion, so callers never see NULL.  Library code (common/, policy/)
 * that must report HS_ERR_ALLOC uses plain malloc instead.
 */
#ifndef HS_MEM_H
#define HS_MEM_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
void	*xrecallocarray(void *, size_t, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Wipe len bytes of p (with sodium_memzero) and free it; NULL is a no-op. */
void	 freezero(void *p, size_t len);
/* Wipe and free a NUL-terminated string; NULL is a no-op. */
void	 freezero_str(char *s);

#include "common/banned.h"

#endif
