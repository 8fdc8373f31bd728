/* SPDX-License-Identifier: ISC */
/*
 * Stored Match blocks: applying the blocks whose criteria hold for a
 * connection, and freeing them.  Runs in the process that evaluates Match
 * for a connection (listener or monitor); the criteria and lines are the
 * administrator's, the context (user, host, address) partly the peer's.
 */
#include <config.h>

#include <stdlib.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/config-priv.h"
#include "policy/match.h"
#include "policy/strv.h"

void
config_mline_clear(struct config_mline *l)
{
	strv_free(l->av, l->ac);
	free(l->rest);
	l->av = NULL;
	l->ac = 0;
	l->rest = NULL;
}

void
config_matches_free(struct config_matches *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncrits; i++) {
		match_crit_free(m->crits[i]);
		strv_free(m->crit_av[i], m->crit_ac[i]);
	}
	free(m->crits);
	free(m->crit_av);
	free(m->crit_ac);
	for (i = 0; i < m->nblocks; i++) {
		for (j = 0; j < m->blocks[i].nlines; j++)
			config_mline_clear(&m->blocks[i].lines[j]);
		free(m->blocks[i].lines);
		free(m->blocks[i].conds);
	}
	free(m->blocks);
	strv_free(m->files, m->nfiles);
	free(m);
}

int
config_matches_add_crit(struct config_matches *m, struct match_crit **crit,
    char ***av, size_t ac)
{
	struct match_crit **nc;
	char ***nav;
	size_t *nac;

	/* Each array grows to ncrits + 1 before anything is counted, so a
	 * failure in between leaves m consistent. */
	if ((nc = reallocarray(m->crits, m->ncrits + 1, sizeof(*nc))) == NULL)
		return HS_ERR_ALLOC;
	m->crits = nc;
	if ((nav = reallocarray(m->crit_av, m->ncrits + 1,
	    sizeof(*nav))) == NULL)
		return HS_ERR_ALLOC;
	m->crit_av = nav;
	if ((nac = reallocarray(m->crit_ac, m->ncrits + 1,
	    sizeof(*nac))) == NULL)
		return HS_ERR_ALLOC;
	m->crit_ac = nac;
	m->crits[m->ncrits] = *crit;
	m->crit_av[m->ncrits] = *av;
	m->crit_ac[m->ncrits] = ac;
	m->ncrits++;
	*crit = NULL;
	*av = NULL;
	return 0;
}

static bool
config_mblock_matches(const struct config_matches *m,
    const struct config_mblock *b, const struct hs_match_ctx *ctx)
{
	size_t i;

	for (i = 0; i < b->nconds; i++)
		if (!match_crit_matches(m->crits[b->conds[i]], ctx))
			return false;
	return true;
}

int
config_matches_apply(const struct config_matches *m,
    const struct hs_match_ctx *ctx, struct hs_config *dst, char **errmsg)
{
	const struct config_mblock *b;
	const struct config_mline *l;
	struct config_apply a;
	size_t i, j;
	int r;

	for (i = 0; i < m->nblocks; i++) {
		b = &m->blocks[i];
		if (!config_mblock_matches(m, b, ctx))
			continue;
		for (j = 0; j < b->nlines; j++) {
			l = &b->lines[j];
			a.cfg = dst;
			a.key = l->key;
			a.kw = l->kw;
			a.av = l->av;
			a.ac = l->ac;
			a.rest = l->rest;
			a.file = l->file;
			a.line = l->line;
			a.errmsg = errmsg;
			if ((r = config_key_apply(&a)) != 0)
				return r;
		}
	}
	return 0;
}
