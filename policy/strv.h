/* SPDX-License-Identifier: ISC */
/*
 * Heap string vectors and formatted heap strings for the policy library.
 * Linked into every program that reads the configuration (the listener,
 * the monitor, the test tools); pure memory handling, no input of its
 * own.  Every function returns 0 or a negative HS_ERR_* code and reports
 * allocation failure as HS_ERR_ALLOC rather than exiting.
 */
#ifndef HS_POLICY_STRV_H
#define HS_POLICY_STRV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Append a copy of s to the vector (*vp, *np).  HS_ERR_TOO_LONG if the
 * vector already holds max entries (nothing changes). */
int	 strv_append(char ***vp, size_t *np, size_t max, const char *s);
/* Free n strings and the array; NULL is a no-op. */
void	 strv_free(char **v, size_t n);
/* Deep copy of n strings into *ret (NULL when n == 0). */
int	 strv_dup(char *const *v, size_t n, char ***ret);
/* The strings joined by sep, as a heap string ("" when n == 0). */
int	 strv_join(char *const *v, size_t n, const char *sep, char **ret);
bool	 strv_contains(char *const *v, size_t n, const char *s);
/* Formatted heap string (caller frees). */
int	 strv_printf(char **ret, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 strv_vprintf(char **ret, const char *fmt, va_list)
	    __attribute__((format(printf, 2, 0)));

#endif
