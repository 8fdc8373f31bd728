/* SPDX-License-Identifier: ISC */
/*
 * Resolution of configured algorithm lists (see algs.h).  Runs wherever
 * the configuration is loaded, with that process's privilege; the input
 * is the administrator's configuration.  Lists are walked with the text
 * cursor; every list and name is length-checked.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/txt.h"
#include "common/mem.h"
#include "policy/algs.h"
#include "policy/match.h"
#include "policy/strv.h"

/* A list is at most NAMELIST_MAX bytes, so at most this many names. */
#define ALGS_NAMES_MAX	(NAMELIST_MAX / 2 + 1)

static bool
algs_is_pattern(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* Split a well-formed, non-empty name-list into a vector. */
static int
algs_split(const char *list, char ***ret, size_t *ret_n)
{
	struct txt t, f;
	char **v = NULL, *name = NULL;
	size_t n = 0, len = strlen(list);
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (len > NAMELIST_MAX)
		return HS_ERR_TOO_LONG;
	if (!namelist_is_valid(list, len))
		return HS_ERR_BAD_NAMELIST;
	txt_init(&t, list, len);
	while (txt_get_field(&t, ',', NAME_MAX_LEN, &f) == 0) {
		if ((r = txt_strdup(&f, NAME_MAX_LEN, &name)) != 0 ||
		    (r = strv_append(&v, &n, ALGS_NAMES_MAX, name)) != 0) {
			free(name);
			strv_free(v, n);
			return r;
		}
		free(name);
		name = NULL;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool
algs_any_matches(char *const *v, size_t n, const char *pattern)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (match_pattern(v[i], pattern, false))
			return true;
	return false;
}

/* Append to (out, nout) every name of v matching pattern, once. */
static int
algs_add_matching(char ***out, size_t *nout, char *const *v, size_t n,
    const char *pattern)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (!match_pattern(v[i], pattern, false) ||
		    strv_contains(*out, *nout, v[i]))
			continue;
		if ((r = strv_append(out, nout, ALGS_NAMES_MAX, v[i])) != 0)
			return r;
	}
	return 0;
}

int
algs_assemble_ex(const char *spec, const char *defaults,
    const char *supported, const char *known, char **ret, char **ret_bad)
{
	char **sup = NULL, **kno = NULL, **def = NULL, **items = NULL;
	char **out = NULL, *joined = NULL;
	size_t nsup = 0, nkno = 0, ndef = 0, nitems = 0, nout = 0, i, j;
	char op = '\0';
	bool removed;
	int r;

	*ret = NULL;
	if (ret_bad != NULL)
		*ret_bad = NULL;
	if (defaults == NULL || supported == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = algs_split(supported, &sup, &nsup)) != 0)
		goto out;
	if (known != NULL && *known != '\0' &&
	    (r = algs_split(known, &kno, &nkno)) != 0)
		goto out;
	/* The defaults, without what this build lacks. */
	if (*defaults != '\0') {
		char **d = NULL;
		size_t nd = 0;

		if ((r = algs_split(defaults, &d, &nd)) != 0)
			goto out;
		for (i = 0; i < nd && r == 0; i++)
			if (strv_contains(sup, nsup, d[i]) &&
			    !strv_contains(def, ndef, d[i]))
				r = strv_append(&def, &ndef, ALGS_NAMES_MAX,
				    d[i]);
		strv_free(d, nd);
		if (r != 0)
			goto out;
	}
	if (spec != NULL && (*spec == '+' || *spec == '-' || *spec == '^'))
		op = *spec++;
	if (spec == NULL || (*spec == '\0' && op == '\0')) {
		if ((r = strv_dup(def, ndef, &out)) != 0)
			goto out;
		nout = ndef;
		goto done;
	}
	if ((r = algs_split(spec, &items, &nitems)) != 0)
		goto out;
	if (nitems == 0) {
		r = HS_ERR_BAD_NAMELIST;
		goto out;
	}
	/* Every item must name something this build or OpenSSH knows. */
	for (i = 0; i < nitems; i++) {
		if (algs_any_matches(sup, nsup, items[i]) ||
		    (algs_is_pattern(items[i]) ?
		    algs_any_matches(kno, nkno, items[i]) :
		    strv_contains(kno, nkno, items[i])))
			continue;
		if (ret_bad != NULL && (*ret_bad = strdup(items[i])) == NULL)
			r = HS_ERR_ALLOC;
		else
			r = HS_ERR_NOT_FOUND;
		goto out;
	}
	switch (op) {
	case '-':
		for (i = 0; i < ndef; i++) {
			removed = false;
			for (j = 0; j < nitems && !removed; j++)
				removed = match_pattern(def[i], items[j],
				    false);
			if (!removed && (r = strv_append(&out, &nout,
			    ALGS_NAMES_MAX, def[i])) != 0)
				goto out;
		}
		break;
	case '+':
		for (i = 0; i < ndef; i++)
			if ((r = strv_append(&out, &nout, ALGS_NAMES_MAX,
			    def[i])) != 0)
				goto out;
		for (i = 0; i < nitems; i++)
			if ((r = algs_add_matching(&out, &nout, sup, nsup,
			    items[i])) != 0)
				goto out;
		break;
	case '^':
		for (i = 0; i < nitems; i++)
			if ((r = algs_add_matching(&out, &nout, sup, nsup,
			    items[i])) != 0)
				goto out;
		for (i = 0; i < ndef; i++)
			if (!strv_contains(out, nout, def[i]) &&
			    (r = strv_append(&out, &nout, ALGS_NAMES_MAX,
			    def[i])) != 0)
				goto out;
		break;
	default:
		for (i = 0; i < nitems; i++)
			if ((r = algs_add_matching(&out, &nout, sup, nsup,
			    items[i])) != 0)
				goto out;
		break;
	}
 done:
	if (nout == 0) {
		r = HS_ERR_NO_MATCH;
		goto out;
	}
	if ((r = strv_join(out, nout, ",", &joined)) != 0)
		goto out;
	if (strlen(joined) > NAMELIST_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	*ret = joined;
	joined = NULL;
	r = 0;
 out:
	free(joined);
	strv_free(sup, nsup);
	strv_free(kno, nkno);
	strv_free(def, ndef);
	strv_free(items, nitems);
	strv_free(out, nout);
	return r;
}

int
algs_assemble(const char *spec, const char *defaults, const char *supported,
    char **ret)
{
	return algs_assemble_ex(spec, defaults, supported, NULL, ret, NULL);
}
