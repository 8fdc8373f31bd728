/* SPDX-License-Identifier: ISC */
/*
 * Internals of the configuration language shared by policy/config*.c:
 * the keyword table's row type, the applier of one keyword line, the
 * stored Match blocks and message formatting.  Not for use outside
 * policy/.
 */
#ifndef HS_POLICY_CONFIG_PRIV_H
#define HS_POLICY_CONFIG_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy/algs.h"
#include "policy/config.h"
#include "policy/match.h"

enum config_key_status {
	CONFIG_IMPLEMENTED,	/* parsed into fields and honoured */
	CONFIG_NOOP,		/* validated, then ignored with a debug note */
	CONFIG_UNSUPPORTED,	/* refused (except its "off" value) */
};

enum config_key_type {
	CK_FLAG,	/* yes/no -> int 1/0 */
	CK_INT,		/* integer in [min, max] -> int */
	CK_TIME,	/* time -> int seconds */
	CK_ENUM,	/* one of values -> int */
	CK_OFF,		/* only the values listed (their value is stored) */
	CK_PATH,	/* one path -> char *; see CKF_NONE */
	CK_LIST,	/* words -> char ** vector */
	CK_ALGS,	/* algorithm list -> char * (resolved by finish) */
	CK_CUSTOM,	/* parse (and dump) functions of its own */
	CK_ANY,		/* any arguments (only for NOOP keywords) */
	CK_INCLUDE,
	CK_MATCH,
};

#define CKF_MATCH	0x01u	/* allowed inside a Match block */
#define CKF_MULTI	0x02u	/* values accumulate (else the first wins) */
#define CKF_NONE	0x04u	/* CK_PATH: "none" accepted */
#define CKF_EACH	0x08u	/* dump: one line per entry (as CKF_MULTI) */

struct config_enum {
	const char	*name;
	int		 value;
	bool		 hidden;	/* alias: accepted, not listed */
};

struct config_apply;
struct config_key;

typedef int config_parse_fn(struct config_apply *);
typedef int config_dump_fn(const struct hs_config *, const struct config_key *,
    FILE *);

struct config_key {
	const char		*name;		/* canonical spelling */
	const char		*alias_of;	/* row to use instead, or NULL */
	enum config_key_type	 type;
	enum config_key_status	 status;
	unsigned int		 flags;		/* CKF_* */
	size_t			 off;		/* int/char * / char ** field
						   (0 = none: offset 0 is an
						   int, never a string) */
	size_t			 off_n;		/* size_t count of a vector */
	const struct config_enum *values;	/* CK_ENUM, CK_OFF */
	long long		 min, max;	/* CK_INT */
	const char		*tokens;	/* %-tokens allowed (PATH, LIST) */
	enum algs_kind		 algs;		/* CK_ALGS */
	const char		*empty;		/* dump of an empty vector */
	config_parse_fn		*parse;		/* CK_CUSTOM */
	/* CK_CUSTOM: the sshd -T line(s); if NULL, dumped as the vector at
	 * off/off_n, or else the string at off (when off is set). */
	config_dump_fn		*dump;
};

/* One keyword line being applied to a config. */
struct config_apply {
	struct hs_config	*cfg;
	const struct config_key	*key;	/* after alias resolution */
	const char		*kw;	/* spelling of the table row used */
	char *const		*av;	/* arguments, dequoted */
	size_t			 ac;
	const char		*rest;	/* raw text after the keyword */
	const char		*file;	/* for messages */
	unsigned long		 line;	/* 0: no line number */
	char			**errmsg;
};

/* One stored line of a Match block, applied per connection. */
struct config_mline {
	const struct config_key	*key;
	const char		*kw;
	char			**av;
	size_t			 ac;
	char			*rest;
	const char		*file;	/* points into config_matches.files */
	unsigned long		 line;
};

struct config_mblock {
	size_t			*conds;	/* indices into crits, all must hold */
	size_t			 nconds;
	struct config_mline	*lines;
	size_t			 nlines;
};

struct config_matches {
	struct match_crit	**crits;
	size_t			 ncrits;
	/* The arguments each crit was parsed from (crit_av[i] has
	 * crit_ac[i] strings): crits are opaque, so config-serial.c sends
	 * these and parses them again on the other side. */
	char			***crit_av;
	size_t			*crit_ac;
	struct config_mblock	*blocks;
	size_t			 nblocks;
	char			**files;
	size_t			 nfiles;
};

/* The keyword table (config-keys.c), sorted by name for the reader only. */
extern const struct config_key config_keys[];
extern const size_t config_nkeys;
/* Case-insensitive lookup; *ret_row is the row found (an alias row keeps
 * its own spelling), the return value the row that defines the keyword. */
const struct config_key *config_key_find(const char *name,
	    const struct config_key **ret_row);

/* Apply one line to a->cfg (config-apply.c): type checks, status,
 * first-value-wins.  The caller has checked Match permission. */
int	 config_key_apply(struct config_apply *a);

/* Custom keyword parsers and dumpers (config-kw.c). */
config_parse_fn config_kw_port, config_kw_listen, config_kw_hostkey,
    config_kw_loglevel, config_kw_facility, config_kw_maxstartups,
    config_kw_persource_max, config_kw_netblock,
    config_kw_penalties, config_kw_exempt, config_kw_auth_methods,
    config_kw_users, config_kw_acceptenv,
    config_kw_setenv, config_kw_permituserenv, config_kw_subsystem,
    config_kw_forcecommand, config_kw_version_addendum,
    config_kw_permitopen, config_kw_channeltimeout,
    config_kw_unused_timeout, config_kw_rekeylimit,
    config_kw_ipqos, config_kw_bindmask, config_kw_logverbose,
    config_kw_authkeys, config_kw_pubkeyauthoptions;
config_dump_fn config_kwdump_pubkeyauthoptions, config_kwdump_port,
    config_kwdump_listen, config_kwdump_loglevel,
    config_kwdump_facility, config_kwdump_maxstartups,
    config_kwdump_persource_max, config_kwdump_netblock, config_kwdump_penalties,
    config_kwdump_subsystem, config_kwdump_rekeylimit, config_kwdump_ipqos,
    config_kwdump_bindmask, config_kwdump_permituserenv,
    config_kwdump_unused_timeout, config_kwdump_version_addendum;

/* Messages (config-err.c).  Format "FILE:LINE: msg" ("FILE: msg" when
 * line is 0, "msg" when file is NULL) into *errmsg unless it is already
 * set; returns HS_ERR_CONFIG, or HS_ERR_ALLOC if formatting failed. */
int	 config_err(char **errmsg, const char *file, unsigned long line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int	 config_verr(char **errmsg, const char *file, unsigned long line,
	    const char *fmt, va_list) __attribute__((format(printf, 4, 0)));
/* config_err at the line being applied. */
int	 config_aerr(struct config_apply *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "bad value 'V' for KW (expected ...)" */
int	 config_bad_value(struct config_apply *a, const char *v,
	    const char *expected);
/* "missing argument for KW" / "too many arguments for KW" unless ac is in
 * [min, max]. */
int	 config_want_args(struct config_apply *a, size_t min, size_t max);

/* Value parsers (config-values.c). */
int	 config_parse_flag(const char *s, int *ret);
int	 config_parse_int(const char *s, long long min, long long max,
	    long long *ret);
int	 config_parse_enum(const char *s, const struct config_enum *values,
	    int *ret);
/* "a, b, c" from the visible names of values, into *ret. */
int	 config_enum_expected(const struct config_enum *values, char **ret);
const char *config_enum_name(const struct config_enum *values, int v);

/* The Match blocks (config-match.c). */
void	 config_matches_free(struct config_matches *);
/* Append crit, parsed from (av, ac), to m->crits.  On success both move
 * into m (*crit and *av are set to NULL); on failure the caller keeps
 * them. */
int	 config_matches_add_crit(struct config_matches *m,
	    struct match_crit **crit, char ***av, size_t ac);
void	 config_mline_clear(struct config_mline *);
/* Apply the lines of every block whose criteria hold for ctx to dst. */
int	 config_matches_apply(const struct config_matches *,
	    const struct hs_match_ctx *, struct hs_config *dst, char **errmsg);
/* config-parse.c: a copy of name in m->files (at most
 * CONFIG_INCLUDE_FILES_MAX + 1 distinct names), reused if already there;
 * *ret points into m and lives as long as it.  Match lines point at these
 * for their messages. */
int	 config_matches_intern_file(struct config_matches *m,
	    const char *name, const char **ret);

/* Field access for the table-driven code. */
#define CONFIG_INT(c, off)	((int *)(void *)((char *)(c) + (off)))
#define CONFIG_STR(c, off)	((char **)(void *)((char *)(c) + (off)))
#define CONFIG_STRV(c, off)	((char ***)(void *)((char *)(c) + (off)))
#define CONFIG_N(c, off)	((size_t *)(void *)((char *)(c) + (off)))

/* config.c: copy every setting of src that is set over dst (Match). */
int	 config_merge(struct hs_config *dst, const struct hs_config *src);
/* config.c: "none"/"any" to NULL/empty and algorithm resolution; run by
 * config_finish and after Match blocks are applied. */
int	 config_normalize(struct hs_config *, char **errmsg);

#endif
