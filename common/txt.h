/* SPDX-License-Identifier: ISC */
/*
 * Text cursor: the sibling of struct buf for line-oriented text
 * (configuration files, authorized_keys, public key lines).  It never
 * copies or modifies the text it walks; every call that yields a piece of
 * text takes a maximum length.  Input is attacker-controlled for
 * authorized_keys and may be malformed for every file.
 */
#ifndef HS_TXT_H
#define HS_TXT_H

#include <stdbool.h>
#include <stddef.h>

struct txt {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

void	 txt_init(struct txt *, const char *p, size_t len);
bool	 txt_eof(const struct txt *);
size_t	 txt_left(const struct txt *);
/* The unread text (not NUL-terminated; txt_left() bytes). */
const char *txt_ptr(const struct txt *);
/* Skip spaces and tabs. */
void	 txt_skip_blanks(struct txt *);
/* Next character without consuming; -1 at the end. */
int	 txt_peek(const struct txt *);
/* Consume c if it is next. */
bool	 txt_accept(struct txt *, char c);
/*
 * Split off the next line (without its "\n" or "\r\n") as a sub-cursor.
 * HS_ERR_TOO_LONG if it exceeds max (nothing consumed), HS_ERR_SHORT at
 * the end of the text, HS_ERR_STRING_NUL if it holds a NUL byte.
 */
int	 txt_get_line(struct txt *, size_t max, struct txt *line);
/* Next run of non-blank characters as a heap string (caller frees).
 * HS_ERR_SHORT if none is left. */
int	 txt_get_word(struct txt *, size_t max, char **ret);
/* The rest of the text, blanks trimmed at both ends, as a heap string. */
int	 txt_get_rest(struct txt *, size_t max, char **ret);
/* A heap copy of the cursor's unread text. */
int	 txt_strdup(const struct txt *, size_t max, char **ret);

#endif
