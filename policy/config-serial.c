/* SPDX-License-Identifier: ISC */
/*
 * A finished configuration as bytes, and back: the listener (root)
 * serialises the configuration it validated, and each hsshd-monitor it
 * execs rebuilds it from the snapshot (monitor/snapshot.c).  The bytes
 * come from the trusted listener over a socketpair, but are parsed here as
 * untrusted input all the same: every count and string is bounded, every
 * index checked, Match criteria and lines are parsed and checked again
 * exactly as the configuration parser does, and nothing may follow.
 *
 * Format (SSH wire types, common/buf.h):
 *	u32	CONFIG_SERIAL_VERSION
 *	u32	hash of this build's field lists (HS_CONFIG_* in config.h)
 *	u32	each int field (two's complement), in HS_CONFIG_INTS order
 *	u64	each int64 field (two's complement), in HS_CONFIG_I64S order
 *	opt	each string field, in HS_CONFIG_STRS order
 *	strv	each vector field, in HS_CONFIG_STRVS order
 *	u32	port count, then u32 each port
 *	string	confdir; bool confine_includes; strv -h host keys
 *	bool	whether there are Match blocks; if so:
 *	  u32	crit count, then per crit: strv the Match line's arguments
 *	  u32	block count, then per block:
 *		u32 condition count, u32 each crit index;
 *		u32 line count, then per line: string keyword (the table's
 *		spelling), strv arguments, opt raw text, string file name,
 *		u64 line number
 * where opt is a bool (strict 0/1) then, if true, the string (NULL and ""
 * stay distinct), and strv is a u32 count then the strings.
 *
 * The field lists drive both directions, so a new keyword field travels
 * without an edit here; the layout hash makes a listener and a monitor
 * built with different lists (an upgrade between fork and exec) refuse
 * each other rather than misread the fields.
 */
#include <config.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "policy/config-priv.h"
#include "policy/match.h"
#include "policy/strv.h"

/* Bump when the encoding changes (not for field list changes: the layout
 * hash covers those). */
#define CONFIG_SERIAL_VERSION	1u

/*
 * The longest string a finished configuration holds: a relative path
 * (one configuration line) made absolute against a working directory of
 * at most CONFIG_PATH_MAX bytes.  Both directions enforce it, so whatever
 * config_serialize writes, config_deserialize reads.
 */
#define CONFIG_SERIAL_STR_MAX	(CONFIG_PATH_MAX + CONFIG_LINE_MAX)
/* A keyword's name (the longest in the table is about 30 characters). */
#define CONFIG_SERIAL_KW_MAX	64u
/* Conditions of one Match block: one per Include level it is nested in
 * (files are read at depths 1 to CONFIG_INCLUDE_DEPTH + 1). */
#define CONFIG_SERIAL_CONDS_MAX	(CONFIG_INCLUDE_DEPTH + 1)
/* Lines of one Match block: they may continue into the files it
 * Includes, and each takes at least two bytes of configuration text. */
#define CONFIG_SERIAL_LINES_MAX	(CONFIG_TOTAL_MAX / 2)

/*
 * The fewest bytes one entry of each counted list takes, so that a count
 * the rest of the input cannot hold is refused before anything is
 * allocated for it.
 */
#define MIN_U32		4u
#define MIN_STRING	4u			/* empty string */
#define MIN_STRV	(4u + MIN_STRING)	/* one empty argument */
#define MIN_BLOCK	(4u + 4u + 4u)		/* one condition, no line */
#define MIN_LINE	(MIN_STRING + MIN_STRV + 1u + MIN_STRING + 8u)

_Static_assert(sizeof(int) == 4, "int fields travel as u32");

/* FNV-1a over the names and kinds of the fields, in order. */
static uint32_t
config_serial_layout(void)
{
	static const char layout[] =
#define L_INT(f)	"i " #f ";"
#define L_I64(f)	"l " #f ";"
#define L_STR(f)	"s " #f ";"
#define L_STRV(f, n)	"v " #f " " #n ";"
	    HS_CONFIG_INTS(L_INT)
	    HS_CONFIG_I64S(L_I64)
	    HS_CONFIG_STRS(L_STR)
	    HS_CONFIG_STRVS(L_STRV)
#undef L_INT
#undef L_I64
#undef L_STR
#undef L_STRV
	    "ports;confdir;confine_includes;cmdline_hostkeys;matches;";
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; layout[i] != '\0'; i++) {
		h ^= (unsigned char)layout[i];
		h *= 16777619u;
	}
	return h;
}

/* The most entries a vector field may hold: the limit its keyword's
 * parser enforces. */
static size_t
config_serial_strv_max(size_t off)
{
	if (off == offsetof(struct hs_config, hostkey_files))
		return CONFIG_HOSTKEYS_MAX;
	if (off == offsetof(struct hs_config, listen_addrs))
		return CONFIG_LISTEN_MAX;
	if (off == offsetof(struct hs_config, subsystem_names) ||
	    off == offsetof(struct hs_config, subsystem_commands))
		return CONFIG_SUBSYSTEMS_MAX;
	return CONFIG_LIST_MAX;
}

/* Two's complement in both directions, without implementation-defined
 * conversions. */
static int
config_serial_int(uint32_t v)
{
	if (v <= (uint32_t)INT_MAX)
		return (int)v;
	return -(int)(UINT32_MAX - v) - 1;
}

static int64_t
config_serial_i64(uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		return (int64_t)v;
	return -(int64_t)(UINT64_MAX - v) - 1;
}

/* Writing. */

static int
serial_put_str(struct buf *b, const char *s, size_t max)
{
	int r;

	if (s == NULL)
		return HS_ERR_INTERNAL;
	if (strlen(s) > max)
		return HS_ERR_TOO_LONG;
	if ((r = buf_put_cstring(b, s)) != 0)
		return r;
	return 0;
}

static int
serial_put_opt(struct buf *b, const char *s, size_t max)
{
	int r;

	if ((r = buf_put_bool(b, s != NULL)) != 0)
		return r;
	return s == NULL ? 0 : serial_put_str(b, s, max);
}

static int
serial_put_strv(struct buf *b, char *const *v, size_t n, size_t maxn,
    size_t max)
{
	size_t i;
	int r;

	if (n > maxn)
		return HS_ERR_TOO_LONG;
	if (n > 0 && v == NULL)
		return HS_ERR_INTERNAL;
	if ((r = buf_put_u32(b, (uint32_t)n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = serial_put_str(b, v[i], max)) != 0)
			return r;
	return 0;
}

static int
serial_put_line(struct buf *b, const struct config_mline *l)
{
	int r;

	if (l->kw == NULL || l->ac == 0)
		return HS_ERR_INTERNAL;
	if ((r = serial_put_str(b, l->kw, CONFIG_SERIAL_KW_MAX)) != 0 ||
	    (r = serial_put_strv(b, l->av, l->ac, CONFIG_ARGS_MAX,
	    CONFIG_LINE_MAX)) != 0 ||
	    (r = serial_put_opt(b, l->rest, CONFIG_LINE_MAX)) != 0 ||
	    (r = serial_put_str(b, l->file, CONFIG_SERIAL_STR_MAX)) != 0 ||
	    (r = buf_put_u64(b, (uint64_t)l->line)) != 0)
		return r;
	return 0;
}

static int
serial_put_matches(struct buf *b, const struct config_matches *m)
{
	const struct config_mblock *bl;
	size_t i, j;
	int r;

	if ((r = buf_put_bool(b, m != NULL)) != 0 || m == NULL)
		return r;
	if (m->ncrits > CONFIG_MATCH_MAX || m->nblocks > CONFIG_MATCH_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = buf_put_u32(b, (uint32_t)m->ncrits)) != 0)
		return r;
	for (i = 0; i < m->ncrits; i++) {
		if (m->crit_ac[i] == 0)
			return HS_ERR_INTERNAL;
		if ((r = serial_put_strv(b, m->crit_av[i], m->crit_ac[i],
		    CONFIG_ARGS_MAX, CONFIG_LINE_MAX)) != 0)
			return r;
	}
	if ((r = buf_put_u32(b, (uint32_t)m->nblocks)) != 0)
		return r;
	for (i = 0; i < m->nblocks; i++) {
		bl = &m->blocks[i];
		if (bl->nconds == 0)
			return HS_ERR_INTERNAL;
		if (bl->nconds > CONFIG_SERIAL_CONDS_MAX ||
		    bl->nlines > CONFIG_SERIAL_LINES_MAX)
			return HS_ERR_TOO_LONG;
		if ((r = buf_put_u32(b, (uint32_t)bl->nconds)) != 0)
			return r;
		for (j = 0; j < bl->nconds; j++) {
			if (bl->conds[j] >= m->ncrits)
				return HS_ERR_INTERNAL;
			if ((r = buf_put_u32(b, (uint32_t)bl->conds[j])) != 0)
				return r;
		}
		if ((r = buf_put_u32(b, (uint32_t)bl->nlines)) != 0)
			return r;
		for (j = 0; j < bl->nlines; j++)
			if ((r = serial_put_line(b, &bl->lines[j])) != 0)
				return r;
	}
	return 0;
}

static int
serial_put(const struct hs_config *c, struct buf *b)
{
	size_t i;
	int r;

	if ((r = buf_put_u32(b, CONFIG_SERIAL_VERSION)) != 0 ||
	    (r = buf_put_u32(b, config_serial_layout())) != 0)
		return r;
#define PUT_INT(f) \
	if ((r = buf_put_u32(b, (uint32_t)c->f)) != 0) \
		return r;
#define PUT_I64(f) \
	if ((r = buf_put_u64(b, (uint64_t)c->f)) != 0) \
		return r;
#define PUT_STR(f) \
	if ((r = serial_put_opt(b, c->f, CONFIG_SERIAL_STR_MAX)) != 0) \
		return r;
#define PUT_STRV(f, n) \
	if ((r = serial_put_strv(b, c->f, c->n, config_serial_strv_max( \
	    offsetof(struct hs_config, f)), CONFIG_SERIAL_STR_MAX)) != 0) \
		return r;
	HS_CONFIG_INTS(PUT_INT)
	HS_CONFIG_I64S(PUT_I64)
	HS_CONFIG_STRS(PUT_STR)
	HS_CONFIG_STRVS(PUT_STRV)
#undef PUT_INT
#undef PUT_I64
#undef PUT_STR
#undef PUT_STRV
	if (c->nports == 0)
		return HS_ERR_INTERNAL;
	if (c->nports > CONFIG_PORTS_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = buf_put_u32(b, (uint32_t)c->nports)) != 0)
		return r;
	for (i = 0; i < c->nports; i++)
		if ((r = buf_put_u32(b, (uint32_t)c->ports[i])) != 0)
			return r;
	if ((r = serial_put_str(b, c->confdir, CONFIG_SERIAL_STR_MAX)) != 0 ||
	    (r = buf_put_bool(b, c->confine_includes)) != 0 ||
	    (r = serial_put_strv(b, c->cmdline_hostkeys, c->ncmdline_hostkeys,
	    CONFIG_HOSTKEYS_MAX, CONFIG_SERIAL_STR_MAX)) != 0)
		return r;
	return serial_put_matches(b, c->matches);
}

int
config_serialize(const struct hs_config *c, struct buf *out)
{
	size_t start;
	int r;

	if (c == NULL || out == NULL || !c->finished)
		return HS_ERR_INVALID_ARGUMENT;
	start = buf_len(out);
	if ((r = serial_put(c, out)) != 0)
		(void)buf_consume_end(out, buf_len(out) - start);
	return r;
}

/* Reading. */

/* A count of at most max entries of at least min_each bytes each. */
static int
serial_get_count(struct buf *b, size_t max, size_t min_each, size_t *ret)
{
	uint32_t n;
	int r;

	*ret = 0;
	if ((r = buf_get_u32(b, &n)) != 0)
		return r;
	if (n > max)
		return HS_ERR_TOO_LONG;
	if (n > buf_len(b) / min_each)
		return HS_ERR_SHORT;
	*ret = n;
	return 0;
}

static int
serial_get_opt(struct buf *b, size_t max, char **ret)
{
	bool present;
	int r;

	*ret = NULL;
	if ((r = buf_get_bool_strict(b, &present)) != 0)
		return r;
	if (!present)
		return 0;
	return buf_get_cstring(b, max, ret, NULL);
}

/* A vector of minn..maxn strings of at most max bytes; NULL when empty,
 * as the config keeps it. */
static int
serial_get_strv(struct buf *b, size_t minn, size_t maxn, size_t max,
    char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0, i;
	int r;

	*ret = NULL;
	*ret_n = 0;
	if ((r = serial_get_count(b, maxn, MIN_STRING, &n)) != 0)
		return r;
	if (n < minn)
		return HS_ERR_BAD_FORMAT;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_cstring(b, max, &v[i], NULL)) != 0) {
			strv_free(v, i);
			return r;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Criteria and lines that do not parse are a malformed snapshot, not a
 * configuration error (there is no message to report). */
static int
serial_bad_config(int r)
{
	return r == HS_ERR_ALLOC ? r : HS_ERR_BAD_FORMAT;
}

static int
serial_get_crit(struct buf *b, struct config_matches *m)
{
	struct match_crit *crit = NULL;
	char **av = NULL, *msg = NULL;
	size_t ac = 0;
	int r;

	if ((r = serial_get_strv(b, 1, CONFIG_ARGS_MAX, CONFIG_LINE_MAX, &av,
	    &ac)) != 0)
		return r;
	if ((r = match_crit_parse(av, ac, &crit, &msg)) != 0) {
		r = serial_bad_config(r);
		goto out;
	}
	r = config_matches_add_crit(m, &crit, &av, ac);
 out:
	free(msg);
	match_crit_free(crit);
	strv_free(av, ac);
	return r;
}

/* Apply a line to a scratch config, as the parser did when it stored it,
 * so that a bad line fails here and not when someone connects. */
static int
serial_check_line(const struct config_mline *l)
{
	struct config_apply a;
	struct hs_config *scratch = NULL;
	char *msg = NULL;
	int r;

	if ((scratch = config_new()) == NULL)
		return HS_ERR_ALLOC;
	memset(&a, 0, sizeof(a));
	a.cfg = scratch;
	a.key = l->key;
	a.kw = l->kw;
	a.av = l->av;
	a.ac = l->ac;
	a.rest = l->rest;
	a.file = l->file;
	a.line = l->line;
	a.errmsg = &msg;
	r = config_key_apply(&a);
	config_free(scratch);
	free(msg);
	return r == 0 ? 0 : serial_bad_config(r);
}

static int
serial_get_line(struct buf *b, struct config_matches *m,
    struct config_mline *l)
{
	const struct config_key *key, *row = NULL;
	char *kw = NULL, *file = NULL;
	uint64_t line;
	int r;

	if ((r = buf_get_cstring(b, CONFIG_SERIAL_KW_MAX, &kw, NULL)) != 0)
		goto out;
	/* Only a keyword the parser would have stored in a Match block,
	 * spelled as the table spells it. */
	key = config_key_find(kw, &row);
	if (key == NULL || row == NULL || strcmp(row->name, kw) != 0 ||
	    !(key->flags & CKF_MATCH) || key->type == CK_INCLUDE ||
	    key->type == CK_MATCH) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	l->key = key;
	l->kw = row->name;
	if ((r = serial_get_strv(b, 1, CONFIG_ARGS_MAX, CONFIG_LINE_MAX,
	    &l->av, &l->ac)) != 0 ||
	    (r = serial_get_opt(b, CONFIG_LINE_MAX, &l->rest)) != 0 ||
	    (r = buf_get_cstring(b, CONFIG_SERIAL_STR_MAX, &file, NULL)) != 0 ||
	    (r = buf_get_u64(b, &line)) != 0)
		goto out;
	l->line = (unsigned long)line;
	if (l->line != line) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	if ((r = config_matches_intern_file(m, file, &l->file)) != 0)
		goto out;
	r = serial_check_line(l);
 out:
	free(kw);
	free(file);
	return r;
}

static int
serial_get_block(struct buf *b, struct config_matches *m,
    struct config_mblock *bl)
{
	uint32_t v;
	size_t n = 0, i;
	int r;

	/* The caller frees what is filled in so far on failure: bl is
	 * counted in m from the start and its arrays are zeroed. */
	if ((r = serial_get_count(b, CONFIG_SERIAL_CONDS_MAX, MIN_U32,
	    &n)) != 0)
		return r;
	if (n == 0)
		return HS_ERR_BAD_FORMAT;
	if ((bl->conds = calloc(n, sizeof(*bl->conds))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_u32(b, &v)) != 0)
			return r;
		if (v >= m->ncrits)
			return HS_ERR_BAD_FORMAT;
		bl->conds[i] = v;
		bl->nconds++;
	}
	if ((r = serial_get_count(b, CONFIG_SERIAL_LINES_MAX, MIN_LINE,
	    &n)) != 0)
		return r;
	if (n == 0)
		return 0;
	if ((bl->lines = calloc(n, sizeof(*bl->lines))) == NULL)
		return HS_ERR_ALLOC;
	bl->nlines = n;
	for (i = 0; i < n; i++)
		if ((r = serial_get_line(b, m, &bl->lines[i])) != 0)
			return r;
	return 0;
}

static int
serial_get_matches(struct buf *b, struct hs_config *c)
{
	struct config_matches *m;
	bool present;
	size_t n = 0, i;
	int r;

	if ((r = buf_get_bool_strict(b, &present)) != 0 || !present)
		return r;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return HS_ERR_ALLOC;
	c->matches = m;
	if ((r = serial_get_count(b, CONFIG_MATCH_MAX, MIN_STRV, &n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = serial_get_crit(b, m)) != 0)
			return r;
	if ((r = serial_get_count(b, CONFIG_MATCH_MAX, MIN_BLOCK, &n)) != 0)
		return r;
	if (n == 0)
		return 0;
	if ((m->blocks = calloc(n, sizeof(*m->blocks))) == NULL)
		return HS_ERR_ALLOC;
	m->nblocks = n;
	for (i = 0; i < n; i++)
		if ((r = serial_get_block(b, m, &m->blocks[i])) != 0)
			return r;
	return 0;
}

static int
serial_get(struct buf *b, struct hs_config *c)
{
	uint32_t v32, version, layout;
	uint64_t v64;
	size_t n = 0, i;
	char *dir = NULL;
	int r;

	if ((r = buf_get_u32(b, &version)) != 0 ||
	    (r = buf_get_u32(b, &layout)) != 0)
		return r;
	if (version != CONFIG_SERIAL_VERSION ||
	    layout != config_serial_layout())
		return HS_ERR_PROTOCOL;
#define GET_INT(f) \
	if ((r = buf_get_u32(b, &v32)) != 0) \
		return r; \
	c->f = config_serial_int(v32);
#define GET_I64(f) \
	if ((r = buf_get_u64(b, &v64)) != 0) \
		return r; \
	c->f = config_serial_i64(v64);
#define GET_STR(f) \
	if ((r = serial_get_opt(b, CONFIG_SERIAL_STR_MAX, &c->f)) != 0) \
		return r;
#define GET_STRV(f, n) \
	if ((r = serial_get_strv(b, 0, config_serial_strv_max( \
	    offsetof(struct hs_config, f)), CONFIG_SERIAL_STR_MAX, &c->f, \
	    &c->n)) != 0) \
		return r;
	HS_CONFIG_INTS(GET_INT)
	HS_CONFIG_I64S(GET_I64)
	HS_CONFIG_STRS(GET_STR)
	HS_CONFIG_STRVS(GET_STRV)
#undef GET_INT
#undef GET_I64
#undef GET_STR
#undef GET_STRV
	/* A finished config listens on at least one port. */
	if ((r = serial_get_count(b, CONFIG_PORTS_MAX, MIN_U32, &n)) != 0)
		return r;
	if (n == 0)
		return HS_ERR_BAD_FORMAT;
	if ((c->ports = calloc(n, sizeof(*c->ports))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_u32(b, &v32)) != 0)
			return r;
		if (v32 == 0 || v32 > 65535)
			return HS_ERR_BAD_FORMAT;
		c->ports[i] = (int)v32;
		c->nports++;
	}
	if ((r = buf_get_cstring(b, CONFIG_SERIAL_STR_MAX, &dir, NULL)) != 0)
		return r;
	if (dir[0] == '\0') {
		free(dir);
		return HS_ERR_BAD_FORMAT;
	}
	free(c->confdir);
	c->confdir = dir;
	if ((r = buf_get_bool_strict(b, &c->confine_includes)) != 0 ||
	    (r = serial_get_strv(b, 0, CONFIG_HOSTKEYS_MAX,
	    CONFIG_SERIAL_STR_MAX, &c->cmdline_hostkeys,
	    &c->ncmdline_hostkeys)) != 0 ||
	    (r = serial_get_matches(b, c)) != 0)
		return r;
	return buf_get_end(b);
}

int
config_deserialize(const uint8_t *data, size_t len, struct hs_config **ret)
{
	struct hs_config *c = NULL;
	struct buf *b = NULL;
	int r;

	if (ret == NULL || (data == NULL && len > 0))
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (len > BUF_SIZE_MAX)
		return HS_ERR_TOO_LONG;
	if ((b = buf_from(data != NULL ? data : (const uint8_t *)"", len)) ==
	    NULL || (c = config_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = serial_get(b, c)) != 0) {
		debug2_f("configuration snapshot refused: %s", hs_err_str(r));
		goto out;
	}
	c->finished = true;
	*ret = c;
	c = NULL;
 out:
	config_free(c);
	buf_free(b);
	return r;
}
