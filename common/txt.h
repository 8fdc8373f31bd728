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

/*
 * Next run of characters that are neither blanks nor in delims, as a heap
 * string (caller frees); leading blanks are skipped.  HS_ERR_SHORT if none
 * is left.  Used for "Keyword=value" where '=' ends the keyword.
 */
int	 txt_get_token(struct txt *, const char *delims, size_t max,
	    char **ret);
/*
 * Next argument of a configuration line, split as sshd splits them:
 * blanks separate arguments; double or single quotes group blanks into
 * one argument and are removed; a backslash escapes a following quote or
 * backslash (or, outside quotes, a blank); an unquoted '#' where an
 * argument would start begins a comment that runs to the end of the text.
 * Returns a heap string (caller frees).  HS_ERR_SHORT if no argument is
 * left (a comment is consumed), HS_ERR_BAD_FORMAT on an unterminated
 * quote, HS_ERR_TOO_LONG if the argument is longer than max; nothing is
 * consumed on those two errors.
 */
int	 txt_get_arg(struct txt *, size_t max, char **ret);
/*
 * Split off the text up to the next sep (sep is consumed, not included)
 * as a sub-cursor, or the whole rest if there is no sep.  HS_ERR_SHORT at
 * the end of the text, HS_ERR_TOO_LONG if the field is longer than max
 * (nothing consumed).  "a,,b" yields an empty field; a trailing sep does
 * not yield a final empty field (check txt_ends_with() for that).
 */
int	 txt_get_field(struct txt *, char sep, size_t max, struct txt *field);
/* Whether the unread text ends with c. */
bool	 txt_ends_with(const struct txt *, char c);
/* Whether the unread text equals s exactly. */
bool	 txt_equals(const struct txt *, const char *s);

#endif
