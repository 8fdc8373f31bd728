/* SPDX-License-Identifier: ISC */
/*
 * Applying one keyword line to a config: the status of the keyword
 * (implemented, accepted and ignored, or refused), the generic value
 * types of the keyword table, and "first value wins".  Runs wherever the
 * configuration is loaded and, for Match blocks, in the process that
 * evaluates them; the text is the administrator's.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "policy/algs.h"
#include "policy/config-priv.h"
#include "policy/strv.h"

static bool
config_apply_stores(const struct config_apply *a)
{
	return a->key->status == CONFIG_IMPLEMENTED;
}

static int
config_apply_int(struct config_apply *a, int v)
{
	int *p = CONFIG_INT(a->cfg, a->key->off);

	if (config_apply_stores(a) && *p == -1)
		*p = v;
	return 0;
}

static int
config_apply_flag(struct config_apply *a)
{
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_flag(a->av[0], &v) != 0)
		return config_bad_value(a, a->av[0], "yes, no");
	return config_apply_int(a, v);
}

static int
config_apply_integer(struct config_apply *a)
{
	char expected[96];
	long long v;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_int(a->av[0], a->key->min, a->key->max, &v) != 0) {
		snprintf(expected, sizeof(expected),
		    "an integer from %lld to %lld", a->key->min, a->key->max);
		return config_bad_value(a, a->av[0], expected);
	}
	return config_apply_int(a, (int)v);
}

static int
config_apply_time(struct config_apply *a)
{
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_time(a->av[0], &v) != 0)
		return config_bad_value(a, a->av[0],
		    "a time such as 90, 2m or 1h30m");
	return config_apply_int(a, v);
}

static int
config_apply_enum(struct config_apply *a)
{
	char *expected = NULL;
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_enum(a->av[0], a->key->values, &v) != 0) {
		if ((r = config_enum_expected(a->key->values, &expected)) != 0)
			return r;
		r = config_bad_value(a, a->av[0], expected);
		free(expected);
		return r;
	}
	return config_apply_int(a, v);
}

/* Keywords of which hsshd accepts only the "off" values. */
static int
config_apply_off(struct config_apply *a)
{
	char *expected = NULL;
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_enum(a->av[0], a->key->values, &v) != 0) {
		if ((r = config_enum_expected(a->key->values, &expected)) != 0)
			return r;
		r = config_aerr(a, "%s %s is not supported by hsshd "
		    "(accepted: %s)", a->kw, a->av[0], expected);
		free(expected);
		return r;
	}
	return config_apply_int(a, v);
}

static int
config_apply_tokens(struct config_apply *a, const char *s)
{
	char bad;

	if (a->key->tokens == NULL)
		return 0;
	if (config_check_tokens(s, a->key->tokens, &bad) != 0) {
		if (bad == '\0')
			return config_aerr(a, "incomplete %%-token at the end "
			    "of '%s' for %s", s, a->kw);
		return config_aerr(a, "unknown token '%%%c' in '%s' for %s",
		    bad, s, a->kw);
	}
	return 0;
}

static int
config_apply_path(struct config_apply *a)
{
	char **p = CONFIG_STR(a->cfg, a->key->off);
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (a->av[0][0] == '\0')
		return config_bad_value(a, a->av[0], "a path");
	if (!((a->key->flags & CKF_NONE) && strcasecmp(a->av[0], "none") == 0)
	    && (r = config_apply_tokens(a, a->av[0])) != 0)
		return r;
	if (config_apply_stores(a) && *p == NULL &&
	    (*p = strdup(a->av[0])) == NULL)
		return HS_ERR_ALLOC;
	return 0;
}

static int
config_apply_list(struct config_apply *a)
{
	char ***v = CONFIG_STRV(a->cfg, a->key->off);
	size_t *n = CONFIG_N(a->cfg, a->key->off_n), i;
	bool store = config_apply_stores(a) &&
	    ((a->key->flags & CKF_MULTI) || *n == 0);
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (a->av[i][0] == '\0')
			return config_aerr(a, "empty argument for %s", a->kw);
		if ((r = config_apply_tokens(a, a->av[i])) != 0)
			return r;
	}
	for (i = 0; store && i < a->ac; i++) {
		r = strv_append(v, n, CONFIG_LIST_MAX, a->av[i]);
		if (r == HS_ERR_TOO_LONG)
			return config_aerr(a, "too many %s entries (limit %u)",
			    a->kw, CONFIG_LIST_MAX);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
config_apply_algs(struct config_apply *a)
{
	char **p = CONFIG_STR(a->cfg, a->key->off), *res = NULL, *bad = NULL;
	enum algs_kind k = a->key->algs;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	r = algs_assemble_ex(a->av[0], algs_default(k), algs_supported(k),
	    algs_known(k), &res, &bad);
	free(res);
	/* A build without MACs needs none: its ciphers are all AEADs. */
	if (r == HS_ERR_NO_MATCH && k == ALGS_MAC &&
	    algs_supported(ALGS_MAC)[0] == '\0')
		r = 0;
	switch (r) {
	case 0:
		break;
	case HS_ERR_NOT_FOUND:
		r = config_aerr(a, "unknown algorithm '%s' for %s",
		    bad != NULL ? bad : "?", a->kw);
		free(bad);
		return r;
	case HS_ERR_NO_MATCH:
		return config_aerr(a, "no algorithm this build supports is "
		    "left in '%s' for %s", a->av[0], a->kw);
	case HS_ERR_ALLOC:
		return r;
	default:
		return config_bad_value(a, a->av[0],
		    "a comma-separated list of algorithm names, optionally "
		    "starting with +, - or ^");
	}
	if (config_apply_stores(a) && *p == NULL &&
	    (*p = strdup(a->av[0])) == NULL)
		return HS_ERR_ALLOC;
	return 0;
}

int
config_key_apply(struct config_apply *a)
{
	const struct config_key *k = a->key;
	int v, r;

	if (k->status == CONFIG_UNSUPPORTED) {
		if (k->values != NULL && a->ac == 1 &&
		    config_parse_enum(a->av[0], k->values, &v) == 0) {
			debug("%s:%lu: %s %s: nothing to do", a->file,
			    a->line, a->kw, a->av[0]);
			return 0;
		}
		return config_aerr(a, "keyword '%s' is not supported by hsshd",
		    a->kw);
	}
	switch (k->type) {
	case CK_FLAG:
		r = config_apply_flag(a);
		break;
	case CK_INT:
		r = config_apply_integer(a);
		break;
	case CK_TIME:
		r = config_apply_time(a);
		break;
	case CK_ENUM:
		r = config_apply_enum(a);
		break;
	case CK_OFF:
		r = config_apply_off(a);
		break;
	case CK_PATH:
		r = config_apply_path(a);
		break;
	case CK_LIST:
		r = config_apply_list(a);
		break;
	case CK_ALGS:
		r = config_apply_algs(a);
		break;
	case CK_CUSTOM:
		r = k->parse(a);
		break;
	case CK_ANY:
		r = 0;
		break;
	default:
		/* Include and Match are structure, handled by the parser. */
		return HS_ERR_INTERNAL;
	}
	if (r == 0 && k->status == CONFIG_NOOP)
		debug("%s:%lu: %s is accepted and ignored by hsshd", a->file,
		    a->line, a->kw);
	return r;
}
