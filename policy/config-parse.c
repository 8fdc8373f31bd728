/* SPDX-License-Identifier: ISC */
/*
 * Reading the configuration text: files and their Includes, lines,
 * "Keyword value" / "Keyword=value" with quotes and comments, and the
 * sections Match opens.  Runs in the listener (at start, -t, -T) with its
 * privilege; the text is the administrator's but is read as untrusted:
 * regular files only, bounded sizes, line lengths, argument counts and
 * Include depth, Include cycles refused.  Nothing here executes or
 * interprets a value beyond the keyword table.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/txt.h"
#include "policy/config-priv.h"
#include "policy/match.h"
#include "policy/strv.h"

struct config_file_id {
	dev_t	dev;
	ino_t	ino;
	bool	valid;
};

struct config_parse {
	struct hs_config	*cfg;
	const char		*file;	/* current file, for messages */
	unsigned long		 line;
	bool			 cmdline;
	long			 cur;	/* Match block being filled, or -1 */
	size_t			*inherit; /* conditions of the including Match */
	size_t			 ninherit;
	struct config_file_id	 stack[CONFIG_INCLUDE_DEPTH + 1];
	size_t			 depth;	/* files on the stack */
	size_t			 nfiles;
	size_t			 total;
	char			**errmsg;
};

static int config_parse_text(struct config_parse *, const char *name,
    const char *data, size_t len);

static int __attribute__((format(printf, 2, 3)))
config_perr(struct config_parse *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = config_verr(p->errmsg, p->file, p->line, fmt, ap);
	va_end(ap);
	return r;
}

static int
config_matches_get(struct config_parse *p, struct config_matches **ret)
{
	if (p->cfg->matches == NULL &&
	    (p->cfg->matches = calloc(1, sizeof(*p->cfg->matches))) == NULL)
		return HS_ERR_ALLOC;
	*ret = p->cfg->matches;
	return 0;
}

int
config_matches_intern_file(struct config_matches *m, const char *name,
    const char **ret)
{
	size_t i;
	int r;

	*ret = NULL;
	for (i = 0; i < m->nfiles; i++) {
		if (strcmp(m->files[i], name) == 0) {
			*ret = m->files[i];
			return 0;
		}
	}
	if ((r = strv_append(&m->files, &m->nfiles, CONFIG_INCLUDE_FILES_MAX + 1,
	    name)) != 0)
		return r;
	*ret = m->files[m->nfiles - 1];
	return 0;
}

/* A copy of name that lives as long as the config (Match lines point at
 * it for their messages). */
static int
config_intern_file(struct config_parse *p, const char *name)
{
	struct config_matches *m;
	const char *file = NULL;
	int r;

	if ((r = config_matches_get(p, &m)) != 0 ||
	    (r = config_matches_intern_file(m, name, &file)) != 0)
		return r;
	p->file = file;
	return 0;
}

/* A new Match block with the given conditions; it becomes current. */
static int
config_block_new(struct config_parse *p, const size_t *conds, size_t nconds,
    size_t extra)
{
	struct config_matches *m;
	struct config_mblock *nb, *b;
	int r;

	if ((r = config_matches_get(p, &m)) != 0)
		return r;
	if (m->nblocks >= CONFIG_MATCH_MAX)
		return config_perr(p, "too many Match blocks (limit %u)",
		    CONFIG_MATCH_MAX);
	if ((nb = reallocarray(m->blocks, m->nblocks + 1, sizeof(*nb))) == NULL)
		return HS_ERR_ALLOC;
	m->blocks = nb;
	b = &m->blocks[m->nblocks];
	memset(b, 0, sizeof(*b));
	if ((b->conds = calloc(nconds + 1, sizeof(*b->conds))) == NULL)
		return HS_ERR_ALLOC;
	if (nconds > 0)
		memcpy(b->conds, conds, nconds * sizeof(*conds));
	b->nconds = nconds;
	if (extra != SIZE_MAX)
		b->conds[b->nconds++] = extra;
	p->cur = (long)m->nblocks++;
	return 0;
}

static int
config_match_line(struct config_parse *p, char *const *av, size_t ac)
{
	struct config_matches *m;
	struct match_crit *crit = NULL;
	char *msg = NULL, **copy = NULL;
	int r;

	if ((r = match_crit_parse(av, ac, &crit, &msg)) != 0) {
		if (r == HS_ERR_CONFIG)
			r = config_perr(p, "%s", msg);
		free(msg);
		return r;
	}
	/* At the top level "Match All" goes back to the global section,
	 * as it does in sshd. */
	if (match_crit_is_all(crit) && p->ninherit == 0) {
		match_crit_free(crit);
		p->cur = -1;
		return 0;
	}
	/* The crit keeps the words it came from, for config_serialize. */
	if ((r = config_matches_get(p, &m)) != 0 ||
	    (r = strv_dup(av, ac, &copy)) != 0 ||
	    (r = config_matches_add_crit(m, &crit, &copy, ac)) != 0)
		goto fail;
	return config_block_new(p, p->inherit, p->ninherit, m->ncrits - 1);
 fail:
	match_crit_free(crit);
	strv_free(copy, ac);
	return r;
}

/* Keep a line of a Match block (its arguments move into the block). */
static int
config_store_mline(struct config_parse *p, const struct config_key *key,
    const char *kw, char ***av, size_t *ac, char **rest)
{
	struct config_mblock *b = &p->cfg->matches->blocks[p->cur];
	struct config_mline *nl, *l;

	if ((nl = reallocarray(b->lines, b->nlines + 1, sizeof(*nl))) == NULL)
		return HS_ERR_ALLOC;
	b->lines = nl;
	l = &b->lines[b->nlines++];
	l->key = key;
	l->kw = kw;
	l->av = *av;
	l->ac = *ac;
	l->rest = *rest;
	l->file = p->file;
	l->line = p->line;
	*av = NULL;
	*ac = 0;
	*rest = NULL;
	return 0;
}

/* Read a whole regular file of at most CONFIG_FILE_MAX bytes. */
static int
config_read_file(const char *path, char **ret, size_t *ret_len,
    struct config_file_id *ret_id)
{
	struct stat st;
	char *data = NULL, *nd;
	size_t len = 0, cap;
	ssize_t n;
	int fd, r, saved;

	*ret = NULL;
	*ret_len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return HS_ERR_SYSTEM;
	if (fstat(fd, &st) == -1) {
		r = HS_ERR_SYSTEM;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	if (st.st_size > (off_t)CONFIG_FILE_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	cap = (size_t)st.st_size + 1;
	if ((data = malloc(cap)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	for (;;) {
		if (len == cap) {
			/* The file grew while we read it. */
			if (cap > CONFIG_FILE_MAX) {
				r = HS_ERR_TOO_LONG;
				goto out;
			}
			cap = cap * 2 > CONFIG_FILE_MAX + 1 ?
			    CONFIG_FILE_MAX + 1 : cap * 2;
			if ((nd = realloc(data, cap)) == NULL) {
				r = HS_ERR_ALLOC;
				goto out;
			}
			data = nd;
		}
		n = read(fd, data + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = HS_ERR_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	ret_id->dev = st.st_dev;
	ret_id->ino = st.st_ino;
	ret_id->valid = true;
	*ret = data;
	*ret_len = len;
	data = NULL;
	r = 0;
 out:
	saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return r;
}

static const char *
config_read_error(int r)
{
	switch (r) {
	case HS_ERR_BAD_FORMAT:
		return "not a regular file";
	case HS_ERR_TOO_LONG:
		return "file too large";
	default:
		return hs_err_str(r);
	}
}

/* Parse one file Included from the current line. */
static int
config_include_file(struct config_parse *p, const char *path)
{
	struct config_file_id id;
	const char *saved_file = p->file;
	unsigned long saved_line = p->line;
	size_t *saved_inherit = p->inherit, saved_ninherit = p->ninherit;
	size_t *conds = NULL, nconds = 0, i, len = 0;
	long saved_cur = p->cur;
	char *data = NULL;
	int r;

	if (p->nfiles >= CONFIG_INCLUDE_FILES_MAX)
		return config_perr(p, "too many included files (limit %u)",
		    CONFIG_INCLUDE_FILES_MAX);
	if (p->depth > CONFIG_INCLUDE_DEPTH)
		return config_perr(p, "Include nested too deeply (limit %u)",
		    CONFIG_INCLUDE_DEPTH);
	memset(&id, 0, sizeof(id));
	if ((r = config_read_file(path, &data, &len, &id)) != 0) {
		if (r == HS_ERR_ALLOC)
			return r;
		return config_perr(p, "Include '%s': %s", path,
		    config_read_error(r));
	}
	for (i = 0; i < p->depth; i++) {
		if (p->stack[i].valid && p->stack[i].dev == id.dev &&
		    p->stack[i].ino == id.ino) {
			free(data);
			return config_perr(p, "Include cycle: '%s' is already "
			    "being read", path);
		}
	}
	if (len > CONFIG_TOTAL_MAX - p->total) {
		free(data);
		return config_perr(p, "configuration too large with '%s' "
		    "(limit %u bytes in all)", path, CONFIG_TOTAL_MAX);
	}
	p->total += len;
	p->nfiles++;
	/* Lines of the included file inside a Match belong to it; a Match
	 * in the included file is ANDed with the including one. */
	if (saved_cur >= 0) {
		const struct config_mblock *b =
		    &p->cfg->matches->blocks[saved_cur];

		nconds = b->nconds;
		if ((conds = calloc(nconds + 1, sizeof(*conds))) == NULL) {
			free(data);
			return HS_ERR_ALLOC;
		}
		memcpy(conds, b->conds, nconds * sizeof(*conds));
		p->inherit = conds;
		p->ninherit = nconds;
	}
	p->stack[p->depth++] = id;
	debug2("%s:%lu: including %s", saved_file, saved_line, path);
	r = config_parse_text(p, path, data, len);
	p->depth--;
	free(data);
	p->file = saved_file;
	p->line = saved_line;
	p->inherit = saved_inherit;
	p->ninherit = saved_ninherit;
	/* Back in the including file: its own section continues. */
	if (r == 0 && p->cur != saved_cur) {
		if (saved_cur < 0)
			p->cur = -1;
		else
			r = config_block_new(p, conds, nconds, SIZE_MAX);
	}
	free(conds);
	return r;
}

/* Whether a confined Include path stays inside the directory. */
static bool
config_include_confined(const char *arg)
{
	struct txt t, f;

	if (arg[0] == '/' || arg[0] == '~')
		return false;
	txt_init(&t, arg, strlen(arg));
	while (txt_get_field(&t, '/', CONFIG_PATH_MAX, &f) == 0)
		if (txt_equals(&f, ".."))
			return false;
	return true;
}

static int
config_include(struct config_parse *p, char *const *av, size_t ac)
{
	glob_t g;
	char *path = NULL;
	size_t i, j;
	int flags, r = 0, gr;

	if (p->cmdline)
		return config_perr(p, "Include is not allowed on the command "
		    "line");
	for (i = 0; i < ac && r == 0; i++) {
		if (av[i][0] == '\0')
			return config_perr(p, "empty argument for Include");
		if (p->cfg->confine_includes &&
		    !config_include_confined(av[i]))
			return config_perr(p, "Include '%s' is outside %s",
			    av[i], p->cfg->confdir);
		flags = 0;
		if (av[i][0] == '/')
			r = (path = strdup(av[i])) == NULL ? HS_ERR_ALLOC : 0;
		else if (av[i][0] == '~') {
			flags = GLOB_TILDE;
			r = (path = strdup(av[i])) == NULL ? HS_ERR_ALLOC : 0;
		} else
			r = strv_printf(&path, "%s/%s", p->cfg->confdir, av[i]);
		if (r != 0)
			return r;
		if (strlen(path) >= CONFIG_PATH_MAX) {
			free(path);
			return config_perr(p, "Include path too long");
		}
		memset(&g, 0, sizeof(g));
		gr = glob(path, flags, NULL, &g);
		if (gr == GLOB_NOMATCH)
			debug2("%s:%lu: Include %s matches no file", p->file,
			    p->line, path);
		else if (gr != 0)
			r = config_perr(p, "Include '%s': cannot expand the "
			    "pattern", path);
		for (j = 0; gr == 0 && j < g.gl_pathc && r == 0; j++)
			r = config_include_file(p, g.gl_pathv[j]);
		if (gr == 0 || gr == GLOB_NOMATCH)
			globfree(&g);
		free(path);
		path = NULL;
	}
	return r;
}

/* Apply a line of a Match block to a scratch config, so that a mistake
 * is reported when the file is loaded, not when someone connects. */
static int
config_check_mline(struct config_parse *p, const struct config_key *key,
    const char *kw, char *const *av, size_t ac, const char *rest)
{
	struct config_apply a;
	struct hs_config *scratch;
	int r;

	if ((scratch = config_new()) == NULL)
		return HS_ERR_ALLOC;
	a.cfg = scratch;
	a.key = key;
	a.kw = kw;
	a.av = av;
	a.ac = ac;
	a.rest = rest;
	a.file = p->file;
	a.line = p->line;
	a.errmsg = p->errmsg;
	r = config_key_apply(&a);
	config_free(scratch);
	return r;
}

static int
config_parse_line(struct config_parse *p, struct txt *line)
{
	const struct config_key *key, *row;
	struct config_apply a;
	struct txt rt;
	char *kw = NULL, *rest = NULL, *arg = NULL, **av = NULL;
	size_t ac = 0;
	int r;

	r = txt_get_token(line, "=", CONFIG_LINE_MAX, &kw);
	if (r == HS_ERR_SHORT) {
		txt_skip_blanks(line);
		if (txt_eof(line))
			return 0;	/* blank line */
		return config_perr(p, "missing keyword before '='");
	}
	if (r != 0)
		return r;
	if (kw[0] == '#') {
		free(kw);
		return 0;
	}
	txt_skip_blanks(line);
	if (txt_accept(line, '='))
		txt_skip_blanks(line);
	rt = *line;
	if ((r = txt_get_rest(&rt, CONFIG_LINE_MAX, &rest)) != 0)
		goto out;
	while ((r = txt_get_arg(line, CONFIG_LINE_MAX, &arg)) == 0) {
		if (ac >= CONFIG_ARGS_MAX) {
			free(arg);
			r = config_perr(p, "too many arguments (limit %u)",
			    CONFIG_ARGS_MAX);
			goto out;
		}
		if ((r = strv_append(&av, &ac, CONFIG_ARGS_MAX, arg)) != 0) {
			free(arg);
			goto out;
		}
		free(arg);
	}
	if (r == HS_ERR_BAD_FORMAT) {
		r = config_perr(p, "invalid quotes");
		goto out;
	}
	if (r != HS_ERR_SHORT)
		goto out;
	if ((key = config_key_find(kw, &row)) == NULL) {
		r = config_perr(p, "Bad configuration option: %s", kw);
		goto out;
	}
	if (ac == 0) {
		r = config_perr(p, "no argument after keyword '%s'", row->name);
		goto out;
	}
	if (p->cur >= 0 && !(key->flags & CKF_MATCH)) {
		r = config_perr(p, "keyword '%s' is not allowed within a Match "
		    "block", row->name);
		goto out;
	}
	if (key->type == CK_INCLUDE) {
		r = config_include(p, av, ac);
		goto out;
	}
	if (key->type == CK_MATCH) {
		if (p->cmdline)
			r = config_perr(p, "Match is not allowed on the "
			    "command line");
		else
			r = config_match_line(p, av, ac);
		goto out;
	}
	if (p->cur >= 0) {
		if ((r = config_check_mline(p, key, row->name, av, ac,
		    rest)) == 0)
			r = config_store_mline(p, key, row->name, &av, &ac,
			    &rest);
		goto out;
	}
	a.cfg = p->cfg;
	a.key = key;
	a.kw = row->name;
	a.av = av;
	a.ac = ac;
	a.rest = rest;
	a.file = p->file;
	a.line = p->line;
	a.errmsg = p->errmsg;
	r = config_key_apply(&a);
 out:
	free(kw);
	free(rest);
	strv_free(av, ac);
	return r;
}

static int
config_parse_text(struct config_parse *p, const char *name, const char *data,
    size_t len)
{
	struct txt t, line;
	int r;

	if ((r = config_intern_file(p, name)) != 0)
		return r;
	p->line = 0;
	if (len > CONFIG_FILE_MAX)
		return config_perr(p, "file too large (limit %u bytes)",
		    CONFIG_FILE_MAX);
	txt_init(&t, data, len);
	for (;;) {
		r = txt_get_line(&t, CONFIG_LINE_MAX, &line);
		if (r == HS_ERR_SHORT)
			return 0;
		p->line++;
		if (r == HS_ERR_TOO_LONG)
			return config_perr(p, "line too long (limit %u bytes)",
			    CONFIG_LINE_MAX);
		if (r == HS_ERR_STRING_NUL)
			return config_perr(p, "line contains a NUL byte");
		if (r != 0)
			return r;
		if ((r = config_parse_line(p, &line)) != 0)
			return r;
	}
}

static void
config_parse_init(struct config_parse *p, struct hs_config *cfg,
    char **errmsg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->cur = -1;
	p->errmsg = errmsg;
}

int
config_load_buffer(struct hs_config *cfg, const char *name, const void *data,
    size_t len, char **errmsg)
{
	struct config_parse p;

	if (errmsg != NULL)
		*errmsg = NULL;
	if (cfg->finished)
		return HS_ERR_INVALID_ARGUMENT;
	config_parse_init(&p, cfg, errmsg);
	p.file = name;
	p.depth = 1;
	p.nfiles = 1;
	p.total = len;
	return config_parse_text(&p, name, data, len);
}

int
config_load_file(struct hs_config *cfg, const char *path, char **errmsg)
{
	struct config_parse p;
	char *data = NULL;
	size_t len = 0;
	int r;

	if (errmsg != NULL)
		*errmsg = NULL;
	if (cfg->finished)
		return HS_ERR_INVALID_ARGUMENT;
	config_parse_init(&p, cfg, errmsg);
	if ((r = config_read_file(path, &data, &len, &p.stack[0])) != 0) {
		if (r == HS_ERR_ALLOC)
			return r;
		return config_err(errmsg, path, 0, "%s", config_read_error(r));
	}
	p.file = path;
	p.depth = 1;
	p.nfiles = 1;
	p.total = len;
	r = config_parse_text(&p, path, data, len);
	free(data);
	return r;
}

int
config_apply_option(struct hs_config *cfg, const char *line, char **errmsg)
{
	struct config_parse p;
	struct txt t;

	if (errmsg != NULL)
		*errmsg = NULL;
	if (cfg->finished)
		return HS_ERR_INVALID_ARGUMENT;
	config_parse_init(&p, cfg, errmsg);
	p.cmdline = true;
	p.file = "command line";
	if (strlen(line) > CONFIG_LINE_MAX)
		return config_perr(&p, "option too long (limit %u bytes)",
		    CONFIG_LINE_MAX);
	if (strpbrk(line, "\r\n") != NULL)
		return config_perr(&p, "option contains a line break");
	txt_init(&t, line, strlen(line));
	return config_parse_line(&p, &t);
}
