/* SPDX-License-Identifier: ISC */
/*
 * sshd -T: the effective configuration, one "keyword value" line per
 * setting with the keyword in lower case, in keyword-table order.  Only
 * keywords hsshd implements are printed.  Run by the listener for -T (or
 * by tests) on a finished config; prints values the administrator chose.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/config-priv.h"

/* Keyword names are ASCII: print them lowercased. */
static void
config_dump_name(const char *name, FILE *f)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		fputc(tolower((unsigned char)name[i]), f);
}

static void
config_dump_vector(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	char **v = *CONFIG_STRV(c, k->off);
	size_t n = *CONFIG_N(c, k->off_n), i;

	if (k->flags & (CKF_MULTI | CKF_EACH)) {
		for (i = 0; i < n; i++) {
			config_dump_name(k->name, f);
			fprintf(f, " %s\n", v[i]);
		}
		return;
	}
	if (n == 0 && k->empty == NULL)
		return;
	config_dump_name(k->name, f);
	if (n == 0)
		fprintf(f, " %s", k->empty);
	for (i = 0; i < n; i++)
		fprintf(f, " %s", v[i]);
	fprintf(f, "\n");
}

static int
config_dump_key(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	const char *s;
	int v;

	switch (k->type) {
	case CK_FLAG:
	case CK_INT:
	case CK_TIME:
	case CK_ENUM:
	case CK_OFF:
		v = *CONFIG_INT(c, k->off);
		config_dump_name(k->name, f);
		if (k->type == CK_FLAG)
			fprintf(f, " %s\n", v == 1 ? "yes" : "no");
		else if (k->type == CK_ENUM || k->type == CK_OFF)
			fprintf(f, " %s\n", config_enum_name(k->values, v));
		else
			fprintf(f, " %d\n", v);
		return 0;
	case CK_PATH:
	case CK_ALGS:
		s = *CONFIG_STR(c, k->off);
		/* A build without MACs has an empty MAC list: no line (the
		 * word "none" would name the SSH "none" algorithm). */
		if (k->type == CK_ALGS && s != NULL && s[0] == '\0')
			return 0;
		config_dump_name(k->name, f);
		fprintf(f, " %s\n", s != NULL ? s : "none");
		return 0;
	case CK_LIST:
		config_dump_vector(c, k, f);
		return 0;
	case CK_CUSTOM:
		if (k->dump != NULL)
			return k->dump(c, k, f);
		if (k->off_n != 0)
			config_dump_vector(c, k, f);
		else if (k->off != 0) {
			s = *CONFIG_STR(c, k->off);
			config_dump_name(k->name, f);
			fprintf(f, " %s\n", s != NULL ? s : "none");
		}
		return 0;
	default:
		return 0;
	}
}

int
config_dump(const struct hs_config *c, FILE *f)
{
	size_t i;
	int r;

	if (!c->finished)
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < config_nkeys; i++) {
		if (config_keys[i].alias_of != NULL ||
		    config_keys[i].status != CONFIG_IMPLEMENTED)
			continue;
		if ((r = config_dump_key(c, &config_keys[i], f)) != 0)
			return r;
	}
	if (fflush(f) != 0 || ferror(f))
		return HS_ERR_SYSTEM;
	return 0;
}
