/* SPDX-License-Identifier: ISC */
/*
 * %-tokens of configuration values (AuthorizedKeysFile, ChrootDirectory):
 * checked when the configuration is loaded, expanded by the monitor for
 * one user.  The template is the administrator's; the values (user name,
 * home directory) come from the password database, and the result is
 * bounded by CONFIG_PATH_MAX.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "policy/config.h"

/* Every token letter the configuration language knows. */
#define CONFIG_TOKENS_ALL	"CDfhktUu"

int
config_check_tokens(const char *in, const char *allowed, char *ret_bad)
{
	size_t i;

	*ret_bad = '\0';
	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] != '%')
			continue;
		if (in[i + 1] == '\0')
			return HS_ERR_BAD_FORMAT;
		i++;
		if (in[i] == '%')
			continue;
		if (strchr(allowed, in[i]) == NULL) {
			*ret_bad = in[i];
			return HS_ERR_BAD_FORMAT;
		}
	}
	return 0;
}

/* The value of token c, or NULL if unknown; uid is formatted into tmp. */
static const char *
config_token_value(char c, const struct hs_token_ctx *ctx, char *tmp,
    size_t tmplen)
{
	switch (c) {
	case 'u':
		return ctx->user;
	case 'h':
		return ctx->home;
	case 'U':
		if (ctx->uid < 0)
			return NULL;
		snprintf(tmp, tmplen, "%lld", ctx->uid);
		return tmp;
	case 'C':
		return ctx->conn;
	case 'D':
		return ctx->rdomain;
	case 'f':
		return ctx->key_fp;
	case 'k':
		return ctx->key;
	case 't':
		return ctx->key_type;
	default:
		return NULL;
	}
}

int
config_expand_tokens_allowed(const char *in, const char *allowed,
    const struct hs_token_ctx *ctx, char **ret)
{
	struct buf *b = NULL;
	const char *v;
	char tmp[32], *out = NULL;
	size_t i, start;
	int r;

	*ret = NULL;
	if (allowed == NULL)
		allowed = CONFIG_TOKENS_ALL;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_set_max_size(b, CONFIG_PATH_MAX)) != 0)
		goto out;
	for (i = 0; in[i] != '\0';) {
		start = i;
		while (in[i] != '\0' && in[i] != '%')
			i++;
		if (i > start && (r = buf_put(b, in + start, i - start)) != 0)
			goto out;
		if (in[i] == '\0')
			break;
		/* in[i] == '%' */
		if (in[i + 1] == '%') {
			v = "%";
		} else if (in[i + 1] == '\0' ||
		    strchr(CONFIG_TOKENS_ALL, in[i + 1]) == NULL ||
		    strchr(allowed, in[i + 1]) == NULL ||
		    (v = config_token_value(in[i + 1], ctx, tmp,
		    sizeof(tmp))) == NULL) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		if ((r = buf_put(b, v, strlen(v))) != 0)
			goto out;
		i += 2;
	}
	if (buf_len(b) >= CONFIG_PATH_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	if ((out = malloc(buf_len(b) + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (buf_len(b) > 0)
		memcpy(out, buf_ptr(b), buf_len(b));
	out[buf_len(b)] = '\0';
	*ret = out;
	r = 0;
 out:
	buf_free(b);
	if (r == HS_ERR_NO_BUFFER_SPACE)
		r = HS_ERR_TOO_LONG;
	return r;
}

int
config_expand_tokens(const char *in, const struct hs_token_ctx *ctx,
    char **ret)
{
	return config_expand_tokens_allowed(in, NULL, ctx, ret);
}
