/* SPDX-License-Identifier: ISC */
/* Text cursor for configuration and key files (see txt.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/txt.h"

static bool
txt_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void
txt_init(struct txt *t, const char *p, size_t len)
{
	t->p = p;
	t->len = len;
	t->off = 0;
}

bool
txt_eof(const struct txt *t)
{
	return t->off >= t->len;
}

size_t
txt_left(const struct txt *t)
{
	return t->off >= t->len ? 0 : t->len - t->off;
}

const char *
txt_ptr(const struct txt *t)
{
	return t->p + (t->off > t->len ? t->len : t->off);
}

void
txt_skip_blanks(struct txt *t)
{
	while (t->off < t->len && txt_is_blank(t->p[t->off]))
		t->off++;
}

int
txt_peek(const struct txt *t)
{
	return t->off < t->len ? (unsigned char)t->p[t->off] : -1;
}

bool
txt_accept(struct txt *t, char c)
{
	if (t->off < t->len && t->p[t->off] == c) {
		t->off++;
		return true;
	}
	return false;
}

int
txt_get_line(struct txt *t, size_t max, struct txt *line)
{
	const char *s = txt_ptr(t), *nl;
	size_t left = txt_left(t), len, skip;

	txt_init(line, s, 0);
	if (left == 0)
		return HS_ERR_SHORT;
	if ((nl = memchr(s, '\n', left)) != NULL) {
		len = (size_t)(nl - s);
		skip = len + 1;
	} else
		len = skip = left;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > max)
		return HS_ERR_TOO_LONG;
	if (len > 0 && memchr(s, '\0', len) != NULL)
		return HS_ERR_STRING_NUL;
	txt_init(line, s, len);
	t->off += skip;
	return 0;
}

static int
txt_copy(const char *s, size_t len, size_t max, char **ret)
{
	char *v;

	*ret = NULL;
	if (len > max)
		return HS_ERR_TOO_LONG;
	if (memchr(s, '\0', len) != NULL)
		return HS_ERR_STRING_NUL;
	if ((v = malloc(len + 1)) == NULL)
		return HS_ERR_ALLOC;
	memcpy(v, s, len);
	v[len] = '\0';
	*ret = v;
	return 0;
}

int
txt_get_word(struct txt *t, size_t max, char **ret)
{
	size_t start, end;
	int r;

	*ret = NULL;
	txt_skip_blanks(t);
	start = end = t->off;
	while (end < t->len && !txt_is_blank(t->p[end]))
		end++;
	if (end == start)
		return HS_ERR_SHORT;
	if ((r = txt_copy(t->p + start, end - start, max, ret)) != 0)
		return r;
	t->off = end;
	return 0;
}

int
txt_get_rest(struct txt *t, size_t max, char **ret)
{
	size_t end = t->len;
	int r;

	*ret = NULL;
	txt_skip_blanks(t);
	while (end > t->off && txt_is_blank(t->p[end - 1]))
		end--;
	if ((r = txt_copy(txt_ptr(t), end > t->off ? end - t->off : 0,
	    max, ret)) != 0)
		return r;
	t->off = t->len;
	return 0;
}

int
txt_strdup(const struct txt *t, size_t max, char **ret)
{
	return txt_copy(txt_ptr(t), txt_left(t), max, ret);
}

int
txt_get_token(struct txt *t, const char *delims, size_t max, char **ret)
{
	size_t start, end;
	int r;

	*ret = NULL;
	txt_skip_blanks(t);
	start = end = t->off;
	while (end < t->len && !txt_is_blank(t->p[end]) &&
	    strchr(delims, t->p[end]) == NULL)
		end++;
	if (end == start)
		return HS_ERR_SHORT;
	if ((r = txt_copy(t->p + start, end - start, max, ret)) != 0)
		return r;
	t->off = end;
	return 0;
}

/*
 * One pass over an argument: with out == NULL it only measures (the
 * unescaped length goes to *outlen, the consumed length to *endp); with
 * out != NULL it writes the unescaped bytes.
 */
static int
txt_arg_scan(const struct txt *t, size_t start, char *out, size_t *outlen,
    size_t *endp)
{
	size_t i = start, n = 0;
	char quote = 0, c;

	while (i < t->len) {
		c = t->p[i];
		if (c == '\\' && i + 1 < t->len && (t->p[i + 1] == '"' ||
		    t->p[i + 1] == '\'' || t->p[i + 1] == '\\' ||
		    (quote == 0 && txt_is_blank(t->p[i + 1])))) {
			i++;
			if (out != NULL)
				out[n] = t->p[i];
			n++;
		} else if (quote == 0 && txt_is_blank(c))
			break;
		else if (quote == 0 && (c == '"' || c == '\''))
			quote = c;
		else if (quote != 0 && c == quote)
			quote = 0;
		else {
			if (out != NULL)
				out[n] = c;
			n++;
		}
		i++;
	}
	if (quote != 0)
		return HS_ERR_BAD_FORMAT;
	*outlen = n;
	*endp = i;
	return 0;
}

int
txt_get_arg(struct txt *t, size_t max, char **ret)
{
	size_t start, end, n;
	char *v;
	int r;

	*ret = NULL;
	txt_skip_blanks(t);
	if (txt_eof(t))
		return HS_ERR_SHORT;
	if (t->p[t->off] == '#') {
		t->off = t->len;
		return HS_ERR_SHORT;
	}
	start = t->off;
	if ((r = txt_arg_scan(t, start, NULL, &n, &end)) != 0)
		return r;
	if (n > max)
		return HS_ERR_TOO_LONG;
	if (memchr(t->p + start, '\0', end - start) != NULL)
		return HS_ERR_STRING_NUL;
	if ((v = malloc(n + 1)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = txt_arg_scan(t, start, v, &n, &end)) != 0) {
		free(v);
		return r;
	}
	v[n] = '\0';
	t->off = end;
	*ret = v;
	return 0;
}

int
txt_get_field(struct txt *t, char sep, size_t max, struct txt *field)
{
	const char *s = txt_ptr(t), *e;
	size_t left = txt_left(t), len, skip;

	txt_init(field, s, 0);
	if (left == 0)
		return HS_ERR_SHORT;
	if ((e = memchr(s, sep, left)) != NULL) {
		len = (size_t)(e - s);
		skip = len + 1;
	} else
		len = skip = left;
	if (len > max)
		return HS_ERR_TOO_LONG;
	txt_init(field, s, len);
	t->off += skip;
	return 0;
}

bool
txt_ends_with(const struct txt *t, char c)
{
	return txt_left(t) > 0 && t->p[t->len - 1] == c;
}

bool
txt_equals(const struct txt *t, const char *s)
{
	size_t n = strlen(s);

	return txt_left(t) == n && memcmp(txt_ptr(t), s, n) == 0;
}
