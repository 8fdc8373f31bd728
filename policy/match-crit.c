/* SPDX-License-Identifier: ISC */
/*
 * The criteria of "Match" lines (see match.h).  Parsed from the
 * administrator's configuration when it is loaded; evaluated in the
 * listener or the monitor against what is known about a connection, part
 * of which (user name, reverse-DNS host name) the peer chose.
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/match.h"
#include "policy/strv.h"

enum match_crit_kind {
	MATCH_CRIT_USER,
	MATCH_CRIT_GROUP,
	MATCH_CRIT_HOST,
	MATCH_CRIT_ADDRESS,
	MATCH_CRIT_LOCALADDRESS,
	MATCH_CRIT_LOCALPORT,
	MATCH_CRIT_RDOMAIN,
};

static const struct {
	const char		*name;
	enum match_crit_kind	 kind;
} match_crit_names[] = {
	{ "User", MATCH_CRIT_USER },
	{ "Group", MATCH_CRIT_GROUP },
	{ "Host", MATCH_CRIT_HOST },
	{ "Address", MATCH_CRIT_ADDRESS },
	{ "LocalAddress", MATCH_CRIT_LOCALADDRESS },
	{ "LocalPort", MATCH_CRIT_LOCALPORT },
	{ "RDomain", MATCH_CRIT_RDOMAIN },
};

struct match_crit_item {
	enum match_crit_kind	 kind;
	char			*arg;
	int			 port;
};

struct match_crit {
	bool			 all;
	struct match_crit_item	*items;
	size_t			 nitems;
};

void
match_crit_free(struct match_crit *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nitems; i++)
		free(c->items[i].arg);
	free(c->items);
	free(c);
}

static int
match_crit_port(const char *s)
{
	long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return (i == 0 || v < 1 || v > 65535) ? -1 : (int)v;
}

/* Format *ret_err; HS_ERR_CONFIG, or HS_ERR_ALLOC if formatting failed. */
static int __attribute__((format(printf, 2, 3)))
match_crit_err(char **ret_err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strv_vprintf(ret_err, fmt, ap);
	va_end(ap);
	return r == 0 ? HS_ERR_CONFIG : r;
}

int
match_crit_parse(char *const *av, size_t ac, struct match_crit **ret,
    char **ret_err)
{
	struct match_crit *c = NULL;
	struct match_crit_item *it;
	size_t i, k;
	int r = HS_ERR_CONFIG;

	*ret = NULL;
	*ret_err = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return HS_ERR_ALLOC;
	if (ac == 0) {
		r = match_crit_err(ret_err,
		    "One or more attributes required for Match");
		goto out;
	}
	if (strcasecmp(av[0], "all") == 0) {
		if (ac != 1) {
			r = match_crit_err(ret_err, "'all' cannot be combined "
			    "with other Match attributes");
			goto out;
		}
		c->all = true;
		*ret = c;
		return 0;
	}
	if ((c->items = calloc((ac + 1) / 2, sizeof(*c->items))) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	for (i = 0; i < ac; i += 2) {
		if (strcasecmp(av[i], "all") == 0) {
			r = match_crit_err(ret_err, "'all' cannot be combined "
			    "with other Match attributes");
			goto out;
		}
		for (k = 0; k < sizeof(match_crit_names) /
		    sizeof(match_crit_names[0]); k++)
			if (strcasecmp(av[i], match_crit_names[k].name) == 0)
				break;
		if (k == sizeof(match_crit_names) /
		    sizeof(match_crit_names[0])) {
			r = match_crit_err(ret_err,
			    "Unsupported Match attribute %s", av[i]);
			goto out;
		}
		if (i + 1 >= ac || av[i + 1][0] == '\0') {
			r = match_crit_err(ret_err,
			    "Missing Match criteria for %s", av[i]);
			goto out;
		}
		it = &c->items[c->nitems];
		it->kind = match_crit_names[k].kind;
		if ((it->arg = strdup(av[i + 1])) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		c->nitems++;
		if ((it->kind == MATCH_CRIT_ADDRESS ||
		    it->kind == MATCH_CRIT_LOCALADDRESS) &&
		    match_addr_list(NULL, it->arg) < 0) {
			r = match_crit_err(ret_err, "Invalid Match %s argument "
			    "'%s'", match_crit_names[k].name, it->arg);
			goto out;
		}
		if (it->kind == MATCH_CRIT_LOCALPORT &&
		    (it->port = match_crit_port(it->arg)) < 0) {
			r = match_crit_err(ret_err,
			    "Invalid LocalPort '%s' on Match line", it->arg);
			goto out;
		}
	}
	*ret = c;
	c = NULL;
	r = 0;
 out:
	match_crit_free(c);
	return r;
}

static bool
match_crit_group(const char *list, const struct hs_match_ctx *ctx)
{
	bool found = false;
	size_t i;
	int m;

	if (ctx->user == NULL || ctx->groups == NULL)
		return false;
	for (i = 0; i < ctx->ngroups; i++) {
		if (ctx->groups[i] == NULL)
			continue;
		m = match_pattern_list(ctx->groups[i], list, false);
		if (m == MATCH_NEGATED)
			return false;
		if (m == MATCH_YES)
			found = true;
	}
	return found;
}

static bool
match_crit_item(const struct match_crit_item *it,
    const struct hs_match_ctx *ctx)
{
	switch (it->kind) {
	case MATCH_CRIT_USER:
		return ctx->user != NULL &&
		    match_pattern_list(ctx->user, it->arg, false) == MATCH_YES;
	case MATCH_CRIT_GROUP:
		return match_crit_group(it->arg, ctx);
	case MATCH_CRIT_HOST:
		return ctx->host != NULL &&
		    match_hostname(ctx->host, it->arg) == MATCH_YES;
	case MATCH_CRIT_ADDRESS:
		return ctx->addr != NULL &&
		    match_addr_list(ctx->addr, it->arg) == MATCH_YES;
	case MATCH_CRIT_LOCALADDRESS:
		return ctx->laddr != NULL &&
		    match_addr_list(ctx->laddr, it->arg) == MATCH_YES;
	case MATCH_CRIT_LOCALPORT:
		return ctx->lport > 0 && ctx->lport == it->port;
	case MATCH_CRIT_RDOMAIN:
		return ctx->rdomain != NULL &&
		    match_pattern_list(ctx->rdomain, it->arg, false) ==
		    MATCH_YES;
	}
	return false;
}

bool
match_crit_matches(const struct match_crit *c, const struct hs_match_ctx *ctx)
{
	size_t i;

	if (c->all)
		return true;
	for (i = 0; i < c->nitems; i++)
		if (!match_crit_item(&c->items[i], ctx))
			return false;
	return c->nitems > 0;
}

bool
match_crit_is_all(const struct match_crit *c)
{
	return c->all;
}
