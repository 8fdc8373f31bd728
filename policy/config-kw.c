/* SPDX-License-Identifier: ISC */
/*
 * Keywords whose values have a shape of their own (Port, ListenAddress,
 * MaxStartups, PerSourcePenalties, RekeyLimit, ...): their parsers and
 * their sshd -T lines.  Runs wherever the configuration is loaded and, for
 * keywords allowed in Match, where Match blocks are applied; the text is
 * the administrator's.  Every parser checks the whole line before it
 * stores anything, and stores only where the keyword is still unset
 * (first value wins) unless the keyword accumulates.
 */
#include <config.h>

#include <sys/socket.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/txt.h"
#include "policy/config-priv.h"
#include "policy/match.h"
#include "policy/strv.h"

static int
kw_append(struct config_apply *a, char ***v, size_t *n, size_t max,
    const char *s)
{
	int r = strv_append(v, n, max, s);

	if (r == HS_ERR_TOO_LONG)
		return config_aerr(a, "too many %s entries (limit %zu)", a->kw,
		    max);
	return r;
}

/* Port */

int
config_kw_port(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	int port, *np, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (config_parse_port(a->av[0], &port) != 0)
		return config_bad_value(a, a->av[0],
		    "a port number from 1 to 65535");
	if (c->nports >= CONFIG_PORTS_MAX)
		return config_aerr(a, "too many Port entries (limit %u)",
		    CONFIG_PORTS_MAX);
	if ((np = reallocarray(c->ports, c->nports + 1, sizeof(*np))) == NULL)
		return HS_ERR_ALLOC;
	np[c->nports++] = port;
	c->ports = np;
	return 0;
}

int
config_kwdump_port(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		fprintf(f, "port %d\n", c->ports[i]);
	return 0;
}

/* ListenAddress */

int
config_split_listen_addr(const char *entry, char **ret_host, int *ret_port)
{
	const char *colon = strchr(entry, ':'), *close, *hstart, *pstr = NULL;
	size_t hlen;
	int port = 0;

	*ret_host = NULL;
	*ret_port = 0;
	if (entry[0] == '\0' || strpbrk(entry, " \t") != NULL)
		return HS_ERR_BAD_FORMAT;
	if (entry[0] == '[') {
		if ((close = strchr(entry, ']')) == NULL)
			return HS_ERR_BAD_FORMAT;
		hstart = entry + 1;
		hlen = (size_t)(close - hstart);
		if (close[1] == ':')
			pstr = close + 2;
		else if (close[1] != '\0')
			return HS_ERR_BAD_FORMAT;
	} else if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		/* A bare IPv6 address: no port. */
		hstart = entry;
		hlen = strlen(entry);
	} else {
		hstart = entry;
		hlen = colon != NULL ? (size_t)(colon - entry) : strlen(entry);
		if (colon != NULL)
			pstr = colon + 1;
	}
	if (hlen == 0 || memchr(hstart, '[', hlen) != NULL ||
	    memchr(hstart, ']', hlen) != NULL)
		return HS_ERR_BAD_FORMAT;
	if (pstr != NULL && config_parse_port(pstr, &port) != 0)
		return HS_ERR_BAD_FORMAT;
	if ((*ret_host = strndup(hstart, hlen)) == NULL)
		return HS_ERR_ALLOC;
	*ret_port = port;
	return 0;
}

int
config_kw_listen(struct config_apply *a)
{
	char *host = NULL;
	int port, r;

	if (a->ac == 3 && strcmp(a->av[1], "rdomain") == 0)
		return config_aerr(a, "ListenAddress ... rdomain is not "
		    "supported by hsshd");
	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if ((r = config_split_listen_addr(a->av[0], &host, &port)) != 0) {
		if (r == HS_ERR_ALLOC)
			return r;
		return config_bad_value(a, a->av[0],
		    "host, host:port, [address] or [address]:port");
	}
	free(host);
	return kw_append(a, &a->cfg->listen_addrs, &a->cfg->nlisten_addrs,
	    CONFIG_LISTEN_MAX, a->av[0]);
}

static void
kwdump_listen_port(const char *host, int port, FILE *f)
{
	if (strchr(host, ':') != NULL)
		fprintf(f, "listenaddress [%s]:%d\n", host, port);
	else
		fprintf(f, "listenaddress %s:%d\n", host, port);
}

static void
kwdump_listen_one(const struct hs_config *c, const char *host, int port,
    FILE *f)
{
	size_t i;

	if (port != 0) {
		kwdump_listen_port(host, port, f);
		return;
	}
	for (i = 0; i < c->nports; i++)
		kwdump_listen_port(host, c->ports[i], f);
}

int
config_kwdump_listen(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	char *host = NULL;
	size_t i;
	int port, r;

	if (c->nlisten_addrs == 0) {
		if (c->address_family != AF_INET)
			kwdump_listen_one(c, "::", 0, f);
		if (c->address_family != AF_INET6)
			kwdump_listen_one(c, "0.0.0.0", 0, f);
		return 0;
	}
	for (i = 0; i < c->nlisten_addrs; i++) {
		if ((r = config_split_listen_addr(c->listen_addrs[i], &host,
		    &port)) != 0)
			return r;
		kwdump_listen_one(c, host, port, f);
		free(host);
	}
	return 0;
}

/* HostKey: kept as given; config_finish makes relative paths absolute. */

int
config_kw_hostkey(struct config_apply *a)
{
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (a->av[0][0] == '\0')
		return config_bad_value(a, a->av[0], "a file name");
	return kw_append(a, &a->cfg->hostkey_files, &a->cfg->nhostkey_files,
	    CONFIG_HOSTKEYS_MAX, a->av[0]);
}

/* LogLevel, SyslogFacility */

int
config_kw_loglevel(struct config_apply *a)
{
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if ((v = log_level_from_name(a->av[0])) == LOG_LEVEL_NOT_SET)
		return config_bad_value(a, a->av[0], "QUIET, FATAL, ERROR, "
		    "INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2, DEBUG3");
	if (a->cfg->log_level == -1)
		a->cfg->log_level = v;
	return 0;
}

int
config_kwdump_loglevel(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	const char *n = log_level_name((enum log_level)c->log_level);

	fprintf(f, "loglevel %s\n", n != NULL ? n : "UNKNOWN");
	return 0;
}

int
config_kw_facility(struct config_apply *a)
{
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if ((v = log_facility_from_name(a->av[0])) == -1)
		return config_bad_value(a, a->av[0], "DAEMON, USER, AUTH, "
		    "AUTHPRIV, LOCAL0, LOCAL1, LOCAL2, LOCAL3, LOCAL4, LOCAL5, "
		    "LOCAL6, LOCAL7");
	if (a->cfg->syslog_facility == -1)
		a->cfg->syslog_facility = v;
	return 0;
}

int
config_kwdump_facility(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	const char *n = log_facility_name(c->syslog_facility);

	fprintf(f, "syslogfacility %s\n", n != NULL ? n : "UNKNOWN");
	return 0;
}

/* MaxStartups start:rate:full, or a single number */

static int
kw_fields(const char *s, char sep, long long *v, size_t max, size_t *ret_n,
    long long lo, long long hi)
{
	struct txt t, f;
	char *piece = NULL;
	size_t n = 0;
	int r;

	txt_init(&t, s, strlen(s));
	if (txt_left(&t) == 0 || txt_ends_with(&t, sep))
		return HS_ERR_BAD_FORMAT;
	while (txt_get_field(&t, sep, 32, &f) == 0) {
		if (n >= max)
			return HS_ERR_BAD_FORMAT;
		if ((r = txt_strdup(&f, 32, &piece)) != 0)
			return r;
		r = config_parse_int(piece, lo, hi, &v[n++]);
		free(piece);
		if (r != 0)
			return r;
	}
	if (!txt_eof(&t))
		return HS_ERR_BAD_FORMAT;
	*ret_n = n;
	return 0;
}

int
config_kw_maxstartups(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	long long v[3];
	size_t n = 0;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (kw_fields(a->av[0], ':', v, 3, &n, 1, INT_MAX) != 0 ||
	    (n != 1 && n != 3) ||
	    (n == 3 && (v[1] > 100 || v[0] > v[2])))
		return config_bad_value(a, a->av[0], "START:RATE:FULL with "
		    "START <= FULL and RATE from 1 to 100, or a number");
	if (c->max_startups != -1)
		return 0;
	c->max_startups_begin = (int)v[0];
	c->max_startups = (int)v[n == 3 ? 2 : 0];
	if (n == 3)
		c->max_startups_rate = (int)v[1];
	return 0;
}

int
config_kwdump_maxstartups(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	fprintf(f, "maxstartups %d:%d:%d\n", c->max_startups_begin,
	    c->max_startups_rate, c->max_startups);
	return 0;
}

/* PerSourceMaxStartups N|none, PerSourceNetBlockSize V4[:V6] */

int
config_kw_persource_max(struct config_apply *a)
{
	long long v;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (strcasecmp(a->av[0], "none") == 0)
		v = CONFIG_NO_LIMIT;
	else if (config_parse_int(a->av[0], 0, CONFIG_NO_LIMIT - 1, &v) != 0)
		return config_bad_value(a, a->av[0], "a number or none");
	if (a->cfg->per_source_max_startups == -1)
		a->cfg->per_source_max_startups = (int)v;
	return 0;
}

int
config_kwdump_persource_max(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	if (c->per_source_max_startups == CONFIG_NO_LIMIT)
		fprintf(f, "persourcemaxstartups none\n");
	else
		fprintf(f, "persourcemaxstartups %d\n",
		    c->per_source_max_startups);
	return 0;
}

int
config_kw_netblock(struct config_apply *a)
{
	long long v[2];
	size_t n = 0;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (kw_fields(a->av[0], ':', v, 2, &n, 0, 128) != 0 || v[0] > 32)
		return config_bad_value(a, a->av[0],
		    "IPV4LEN[:IPV6LEN], at most 32 and 128");
	if (a->cfg->per_source_masklen_ipv4 != -1)
		return 0;
	a->cfg->per_source_masklen_ipv4 = (int)v[0];
	if (n == 2)
		a->cfg->per_source_masklen_ipv6 = (int)v[1];
	return 0;
}

int
config_kwdump_netblock(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	fprintf(f, "persourcenetblocksize %d:%d\n", c->per_source_masklen_ipv4,
	    c->per_source_masklen_ipv6);
	return 0;
}

/* PerSourcePenalties yes|no|KEY:VALUE ... */

static const struct {
	const char	*name;
	size_t		 off;
	int		 kind;	/* 0 time, 1 count, 2 overflow mode */
} kw_penalties[] = {
	{ "crash", offsetof(struct hs_config, penalty_crash), 0 },
	{ "authfail", offsetof(struct hs_config, penalty_authfail), 0 },
	{ "invaliduser", offsetof(struct hs_config, penalty_invaliduser), 0 },
	{ "noauth", offsetof(struct hs_config, penalty_noauth), 0 },
	{ "grace-exceeded", offsetof(struct hs_config, penalty_grace_exceeded),
	    0 },
	{ "max", offsetof(struct hs_config, penalty_max), 0 },
	{ "min", offsetof(struct hs_config, penalty_min), 0 },
	{ "max-sources4", offsetof(struct hs_config, penalty_max_sources4), 1 },
	{ "max-sources6", offsetof(struct hs_config, penalty_max_sources6), 1 },
	{ "overflow", offsetof(struct hs_config, penalty_overflow), 2 },
	{ "overflow6", offsetof(struct hs_config, penalty_overflow6), 2 },
};
#define KW_NPENALTIES	(sizeof(kw_penalties) / sizeof(kw_penalties[0]))

static const struct config_enum kw_overflow[] = {
	{ "permissive", CONFIG_OVERFLOW_PERMISSIVE, false },
	{ "deny-all", CONFIG_OVERFLOW_DENY_ALL, false },
	{ NULL, 0, false },
};

int
config_kw_penalties(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	int vals[KW_NPENALTIES], flag, v, r;
	bool set[KW_NPENALTIES];
	const char *colon;
	long long n;
	size_t i, k, nlen;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	if (config_parse_flag(a->av[0], &flag) == 0) {
		if (a->ac > 1)
			return config_aerr(a, "%s %s must appear alone", a->kw,
			    a->av[0]);
		if (c->penalty_enabled == -1)
			c->penalty_enabled = flag;
		return 0;
	}
	memset(set, 0, sizeof(set));
	for (i = 0; i < a->ac; i++) {
		colon = strchr(a->av[i], ':');
		nlen = colon != NULL ? (size_t)(colon - a->av[i]) : 0;
		for (k = 0; colon != NULL && k < KW_NPENALTIES; k++)
			if (strlen(kw_penalties[k].name) == nlen &&
			    strncasecmp(a->av[i], kw_penalties[k].name,
			    nlen) == 0)
				break;
		if (colon == NULL || k == KW_NPENALTIES)
			return config_bad_value(a, a->av[i], "yes, no, or "
			    "KEY:VALUE with KEY crash, authfail, invaliduser, "
			    "noauth, grace-exceeded, max, min, max-sources4, "
			    "max-sources6, overflow, overflow6");
		switch (kw_penalties[k].kind) {
		case 0:
			r = config_parse_time(colon + 1, &v);
			break;
		case 1:
			r = config_parse_int(colon + 1, 1, INT_MAX, &n);
			v = (int)n;
			break;
		default:
			r = config_parse_enum(colon + 1, kw_overflow, &v);
			break;
		}
		if (r != 0)
			return config_bad_value(a, a->av[i], kw_penalties[k].kind
			    == 0 ? "KEY:TIME" : kw_penalties[k].kind == 1 ?
			    "KEY:NUMBER" : "overflow:permissive or "
			    "overflow:deny-all");
		if (!set[k]) {
			set[k] = true;
			vals[k] = v;
		}
	}
	for (k = 0; k < KW_NPENALTIES; k++) {
		int *p = CONFIG_INT(c, kw_penalties[k].off);

		if (set[k] && *p == -1)
			*p = vals[k];
	}
	return 0;
}

int
config_kwdump_penalties(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	size_t i;

	if (c->penalty_enabled == 0) {
		fprintf(f, "persourcepenalties no\n");
		return 0;
	}
	fprintf(f, "persourcepenalties");
	for (i = 0; i < KW_NPENALTIES; i++) {
		int v = *CONFIG_INT(c, kw_penalties[i].off);

		if (kw_penalties[i].kind == 2)
			fprintf(f, " %s:%s", kw_penalties[i].name,
			    config_enum_name(kw_overflow, v));
		else
			fprintf(f, " %s:%d", kw_penalties[i].name, v);
	}
	fprintf(f, "\n");
	return 0;
}

/* PerSourcePenaltyExemptList none|ADDRESS-LIST */

int
config_kw_exempt(struct config_apply *a)
{
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (strcasecmp(a->av[0], "none") != 0 &&
	    match_addr_list(NULL, a->av[0]) < 0)
		return config_bad_value(a, a->av[0], "none or a "
		    "comma-separated list of addresses and ADDRESS/LEN "
		    "networks");
	if (a->cfg->per_source_penalty_exempt == NULL &&
	    (a->cfg->per_source_penalty_exempt = strdup(a->av[0])) == NULL)
		return HS_ERR_ALLOC;
	return 0;
}

/* AuthenticationMethods any | LIST ... */

static bool
kw_auth_method_valid(const struct txt *m)
{
	static const char *const methods[] = {
		"publickey", "password", "keyboard-interactive",
		"keyboard-interactive:pam", "hostbased", "gssapi-with-mic",
		"none",
	};
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (txt_equals(m, methods[i]))
			return true;
	return false;
}

int
config_kw_auth_methods(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	bool store = c->nauth_methods == 0;
	struct txt t, m;
	size_t i;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (strcmp(a->av[i], "any") == 0) {
			if (a->ac > 1)
				return config_aerr(a, "\"any\" must appear "
				    "alone in %s", a->kw);
			continue;
		}
		txt_init(&t, a->av[i], strlen(a->av[i]));
		if (txt_left(&t) == 0 || txt_ends_with(&t, ','))
			return config_bad_value(a, a->av[i], "any, or lists "
			    "of publickey, password, keyboard-interactive");
		while (txt_get_field(&t, ',', CONFIG_LINE_MAX, &m) == 0)
			if (!kw_auth_method_valid(&m))
				return config_bad_value(a, a->av[i], "any, "
				    "or lists of publickey, password, "
				    "keyboard-interactive");
	}
	for (i = 0; store && i < a->ac; i++)
		if ((r = kw_append(a, &c->auth_methods, &c->nauth_methods,
		    CONFIG_LIST_MAX, a->av[i])) != 0)
			return r;
	return 0;
}

/* AllowUsers / DenyUsers: USER or USER@HOST patterns */

int
config_kw_users(struct config_apply *a)
{
	char ***v = CONFIG_STRV(a->cfg, a->key->off);
	size_t *n = CONFIG_N(a->cfg, a->key->off_n), i;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++)
		if (a->av[i][0] == '\0' ||
		    match_user(NULL, NULL, NULL, a->av[i]) < 0)
			return config_aerr(a, "invalid %s pattern '%s'",
			    a->kw, a->av[i]);
	for (i = 0; i < a->ac; i++)
		if ((r = kw_append(a, v, n, CONFIG_LIST_MAX, a->av[i])) != 0)
			return r;
	return 0;
}

/* AcceptEnv NAME-PATTERN..., SetEnv NAME=VALUE... */

int
config_kw_acceptenv(struct config_apply *a)
{
	size_t i;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++)
		if (a->av[i][0] == '\0' || strchr(a->av[i], '=') != NULL)
			return config_aerr(a, "invalid environment variable "
			    "name '%s' for %s", a->av[i], a->kw);
	for (i = 0; i < a->ac; i++)
		if ((r = kw_append(a, &a->cfg->accept_env, &a->cfg->naccept_env,
		    CONFIG_LIST_MAX, a->av[i])) != 0)
			return r;
	return 0;
}

int
config_kw_setenv(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	bool store = c->nset_env == 0, dup;
	size_t i, j, nlen;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++)
		if (a->av[i][0] == '=' || strchr(a->av[i], '=') == NULL)
			return config_aerr(a, "invalid environment setting "
			    "'%s' for %s (expected NAME=VALUE)", a->av[i],
			    a->kw);
	for (i = 0; store && i < a->ac; i++) {
		/* As sshd: the first setting of a name wins. */
		nlen = strcspn(a->av[i], "=");
		for (j = 0, dup = false; j < c->nset_env && !dup; j++)
			dup = strncmp(c->set_env[j], a->av[i], nlen + 1) == 0;
		if (!dup && (r = kw_append(a, &c->set_env, &c->nset_env,
		    CONFIG_LIST_MAX, a->av[i])) != 0)
			return r;
	}
	return 0;
}

/* PermitUserEnvironment yes|no|PATTERN-LIST */

int
config_kw_permituserenv(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	int r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (a->av[0][0] == '\0')
		return config_bad_value(a, a->av[0], "yes, no or a pattern "
		    "list");
	if (c->permit_user_env != -1)
		return 0;
	if (strcmp(a->av[0], "yes") == 0)
		c->permit_user_env = 1;
	else if (strcmp(a->av[0], "no") == 0)
		c->permit_user_env = 0;
	else {
		if ((c->permit_user_env_allowlist = strdup(a->av[0])) == NULL)
			return HS_ERR_ALLOC;
		c->permit_user_env = 1;
	}
	return 0;
}

int
config_kwdump_permituserenv(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	if (c->permit_user_env_allowlist != NULL)
		fprintf(f, "permituserenvironment %s\n",
		    c->permit_user_env_allowlist);
	else
		fprintf(f, "permituserenvironment %s\n",
		    c->permit_user_env == 1 ? "yes" : "no");
	return 0;
}

/* Subsystem NAME COMMAND [ARGS...] */

int
config_kw_subsystem(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	char *cmd = NULL;
	int r;

	if ((r = config_want_args(a, 2, CONFIG_ARGS_MAX)) != 0)
		return r;
	if (a->av[0][0] == '\0' || a->av[1][0] == '\0')
		return config_aerr(a, "empty argument for %s", a->kw);
	if (strv_contains(c->subsystem_names, c->nsubsystem_names, a->av[0]))
		return config_aerr(a, "Subsystem '%s' already defined",
		    a->av[0]);
	if (c->nsubsystem_names >= CONFIG_SUBSYSTEMS_MAX)
		return config_aerr(a, "too many Subsystem entries (limit %u)",
		    CONFIG_SUBSYSTEMS_MAX);
	if ((r = strv_join(a->av + 1, a->ac - 1, " ", &cmd)) != 0)
		return r;
	if ((r = strv_append(&c->subsystem_names, &c->nsubsystem_names,
	    CONFIG_SUBSYSTEMS_MAX, a->av[0])) != 0) {
		free(cmd);
		return r;
	}
	if ((r = strv_append(&c->subsystem_commands, &c->nsubsystem_commands,
	    CONFIG_SUBSYSTEMS_MAX, cmd)) != 0) {
		/* Keep the two vectors the same length. */
		free(c->subsystem_names[--c->nsubsystem_names]);
	}
	free(cmd);
	return r;
}

int
config_kwdump_subsystem(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	size_t i;

	for (i = 0; i < c->nsubsystem_names && i < c->nsubsystem_commands; i++)
		fprintf(f, "subsystem %s %s\n", c->subsystem_names[i],
		    c->subsystem_commands[i]);
	return 0;
}

/* ForceCommand and VersionAddendum take the raw rest of the line. */

int
config_kw_forcecommand(struct config_apply *a)
{
	if (a->rest == NULL || a->rest[0] == '\0')
		return config_aerr(a, "missing argument for %s", a->kw);
	if (a->cfg->force_command == NULL &&
	    (a->cfg->force_command = strdup(a->rest)) == NULL)
		return HS_ERR_ALLOC;
	return 0;
}

int
config_kw_version_addendum(struct config_apply *a)
{
	char *v = NULL;
	size_t i, len;

	if (a->rest == NULL || a->rest[0] == '\0')
		return config_aerr(a, "missing argument for %s", a->kw);
	/* As sshd: a '#' starts a comment even here. */
	len = strcspn(a->rest, "#");
	while (len > 0 && (a->rest[len - 1] == ' ' || a->rest[len - 1] == '\t'))
		len--;
	if (len == 0)
		return config_aerr(a, "missing argument for %s", a->kw);
	if (len > CONFIG_VERSION_ADDENDUM_MAX)
		return config_aerr(a, "%s is too long (limit %u)", a->kw,
		    CONFIG_VERSION_ADDENDUM_MAX);
	for (i = 0; i < len; i++)
		if (a->rest[i] < 0x20 || a->rest[i] > 0x7e)
			return config_aerr(a, "%s must be printable ASCII",
			    a->kw);
	if (a->cfg->version_addendum != NULL)
		return 0;
	if (len == 4 && strncasecmp(a->rest, "none", 4) == 0)
		v = strdup("");
	else
		v = strndup(a->rest, len);
	if (v == NULL)
		return HS_ERR_ALLOC;
	a->cfg->version_addendum = v;
	return 0;
}

int
config_kwdump_version_addendum(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	fprintf(f, "versionaddendum %s\n", c->version_addendum == NULL ||
	    c->version_addendum[0] == '\0' ? "none" : c->version_addendum);
	return 0;
}

/* PermitOpen / PermitListen any|none|HOST:PORT ... */

static bool
kw_hostport_valid(const char *s, bool listen)
{
	const char *pstr, *close;
	int port;

	if (listen && strchr(s, ':') == NULL)
		pstr = s;	/* a bare port: any listen address */
	else if (s[0] == '[') {
		if ((close = strchr(s, ']')) == NULL || close == s + 1 ||
		    close[1] != ':')
			return false;
		pstr = close + 2;
	} else {
		if ((pstr = strchr(s, ':')) == NULL || pstr == s ||
		    strchr(pstr + 1, ':') != NULL)
			return false;
		pstr++;
	}
	return strcmp(pstr, "*") == 0 || config_parse_port(pstr, &port) == 0;
}

int
config_kw_permitopen(struct config_apply *a)
{
	bool listen = a->key->off == offsetof(struct hs_config, permit_listen);
	char ***v = CONFIG_STRV(a->cfg, a->key->off);
	size_t *n = CONFIG_N(a->cfg, a->key->off_n), i;
	bool store = *n == 0;
	char *norm = NULL;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	if (strcmp(a->av[0], "any") == 0 || strcmp(a->av[0], "none") == 0) {
		if ((r = config_want_args(a, 1, 1)) != 0)
			return r;
		return store ? kw_append(a, v, n, 1, a->av[0]) : 0;
	}
	for (i = 0; i < a->ac; i++)
		if (!kw_hostport_valid(a->av[i], listen))
			return config_bad_value(a, a->av[i], listen ?
			    "any, none, PORT or HOST:PORT" :
			    "any, none or HOST:PORT");
	for (i = 0; store && i < a->ac; i++) {
		if (listen && strchr(a->av[i], ':') == NULL)
			r = strv_printf(&norm, "*:%s", a->av[i]);
		else
			r = (norm = strdup(a->av[i])) == NULL ? HS_ERR_ALLOC : 0;
		if (r == 0)
			r = kw_append(a, v, n, CONFIG_LIST_MAX, norm);
		free(norm);
		norm = NULL;
		if (r != 0)
			return r;
	}
	return 0;
}

/* ChannelTimeout none | TYPE=INTERVAL ... */

int
config_kw_channeltimeout(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	bool store = c->nchannel_timeouts == 0;
	const char *eq;
	size_t i;
	int secs, r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (strcasecmp(a->av[i], "none") == 0) {
			if (a->ac > 1)
				return config_aerr(a, "%s none must appear "
				    "alone", a->kw);
			continue;
		}
		if ((eq = strchr(a->av[i], '=')) == NULL || eq == a->av[i] ||
		    config_parse_time(eq + 1, &secs) != 0)
			return config_bad_value(a, a->av[i],
			    "none or TYPE=INTERVAL");
	}
	for (i = 0; store && i < a->ac; i++)
		if ((r = kw_append(a, &c->channel_timeouts,
		    &c->nchannel_timeouts, CONFIG_LIST_MAX, a->av[i])) != 0)
			return r;
	return 0;
}

/* UnusedConnectionTimeout none|TIME */

int
config_kw_unused_timeout(struct config_apply *a)
{
	int v, r;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	if (strcasecmp(a->av[0], "none") == 0)
		v = 0;
	else if (config_parse_time(a->av[0], &v) != 0)
		return config_bad_value(a, a->av[0], "none or a time such as "
		    "90, 2m or 1h30m");
	if (a->cfg->unused_connection_timeout == -1)
		a->cfg->unused_connection_timeout = v;
	return 0;
}

int
config_kwdump_unused_timeout(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	if (c->unused_connection_timeout == 0)
		fprintf(f, "unusedconnectiontimeout none\n");
	else
		fprintf(f, "unusedconnectiontimeout %d\n",
		    c->unused_connection_timeout);
	return 0;
}

/* RekeyLimit default|SIZE [none|TIME] */

int
config_kw_rekeylimit(struct config_apply *a)
{
	int64_t size = 0;
	int secs = -1, r;

	if ((r = config_want_args(a, 1, 2)) != 0)
		return r;
	if (strcmp(a->av[0], "default") != 0) {
		if (config_parse_size(a->av[0], &size) != 0)
			return config_bad_value(a, a->av[0],
			    "default or a size such as 1G or 500M");
		if (size != 0 && size < 16)
			return config_aerr(a, "%s %s is too small (minimum 16)",
			    a->kw, a->av[0]);
	}
	if (a->ac == 2 && strcmp(a->av[1], "none") != 0 &&
	    config_parse_time(a->av[1], &secs) != 0)
		return config_bad_value(a, a->av[1],
		    "none or a time such as 1h");
	if (a->cfg->rekey_limit == -1)
		a->cfg->rekey_limit = size;
	if (secs != -1 && a->cfg->rekey_interval == -1)
		a->cfg->rekey_interval = secs;
	return 0;
}

int
config_kwdump_rekeylimit(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	fprintf(f, "rekeylimit %lld %d\n", (long long)c->rekey_limit,
	    c->rekey_interval);
	return 0;
}

/* IPQoS INTERACTIVE [BULK] */

static const struct config_enum kw_ipqos[] = {
	{ "af11", 0x28, false }, { "af12", 0x30, false },
	{ "af13", 0x38, false }, { "af21", 0x48, false },
	{ "af22", 0x50, false }, { "af23", 0x58, false },
	{ "af31", 0x68, false }, { "af32", 0x70, false },
	{ "af33", 0x78, false }, { "af41", 0x88, false },
	{ "af42", 0x90, false }, { "af43", 0x98, false },
	{ "cs0", 0x00, false }, { "cs1", 0x20, false },
	{ "cs2", 0x40, false }, { "cs3", 0x60, false },
	{ "cs4", 0x80, false }, { "cs5", 0xa0, false },
	{ "cs6", 0xc0, false }, { "cs7", 0xe0, false },
	{ "ef", 0xb8, false }, { "le", 0x04, false },
	{ "lowdelay", 0x10, false }, { "throughput", 0x08, false },
	{ "reliability", 0x04, true },
	{ "none", CONFIG_IPQOS_NONE, false },
	{ NULL, 0, false },
};

static int
kw_ipqos_one(const char *s, int *ret)
{
	long long v;

	if (config_parse_enum(s, kw_ipqos, ret) == 0)
		return 0;
	if (config_parse_int(s, 0, 255, &v) != 0)
		return HS_ERR_BAD_FORMAT;
	*ret = (int)v;
	return 0;
}

int
config_kw_ipqos(struct config_apply *a)
{
	int v1, v2, r;

	if ((r = config_want_args(a, 1, 2)) != 0)
		return r;
	if (kw_ipqos_one(a->av[0], &v1) != 0)
		return config_bad_value(a, a->av[0], "af11..af43, cs0..cs7, "
		    "ef, le, lowdelay, throughput, none or 0 to 255");
	if (a->ac == 1)
		v2 = v1;
	else if (kw_ipqos_one(a->av[1], &v2) != 0)
		return config_bad_value(a, a->av[1], "af11..af43, cs0..cs7, "
		    "ef, le, lowdelay, throughput, none or 0 to 255");
	if (a->cfg->ip_qos_interactive == -1) {
		a->cfg->ip_qos_interactive = v1;
		a->cfg->ip_qos_bulk = v2;
	}
	return 0;
}

static void
kwdump_ipqos_one(int v, FILE *f)
{
	size_t i;

	for (i = 0; kw_ipqos[i].name != NULL; i++) {
		if (!kw_ipqos[i].hidden && kw_ipqos[i].value == v) {
			fprintf(f, "%s", kw_ipqos[i].name);
			return;
		}
	}
	fprintf(f, "0x%02x", (unsigned int)v);
}

int
config_kwdump_ipqos(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	fprintf(f, "ipqos ");
	kwdump_ipqos_one(c->ip_qos_interactive, f);
	fprintf(f, " ");
	kwdump_ipqos_one(c->ip_qos_bulk, f);
	fprintf(f, "\n");
	return 0;
}

/* StreamLocalBindMask: octal */

int
config_kw_bindmask(struct config_apply *a)
{
	const char *s;
	int v = 0, r;
	size_t i;

	if ((r = config_want_args(a, 1, 1)) != 0)
		return r;
	s = a->av[0];
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7' || i >= 4)
			break;
		v = v * 8 + (s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v > 0777)
		return config_bad_value(a, s, "an octal mode from 0 to 0777");
	if (a->cfg->stream_local_bind_mask == -1)
		a->cfg->stream_local_bind_mask = v;
	return 0;
}

int
config_kwdump_bindmask(const struct hs_config *c, const struct config_key *k,
    FILE *f)
{
	fprintf(f, "streamlocalbindmask 0%03o\n",
	    (unsigned int)c->stream_local_bind_mask);
	return 0;
}

/* LogVerbose none|PATTERN... (first line wins) */

int
config_kw_logverbose(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	bool store = c->nlog_verbose == 0;
	size_t i;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (a->av[i][0] == '\0')
			return config_aerr(a, "empty argument for %s", a->kw);
		if (strcasecmp(a->av[i], "none") == 0 && a->ac > 1)
			return config_aerr(a, "%s none must appear alone",
			    a->kw);
	}
	for (i = 0; store && i < a->ac; i++)
		if ((r = kw_append(a, &c->log_verbose, &c->nlog_verbose,
		    CONFIG_LOG_VERBOSE_MAX, a->av[i])) != 0)
			return r;
	return 0;
}

/* AuthorizedKeysFile none|FILE... with %-tokens (first line wins) */

int
config_kw_authkeys(struct config_apply *a)
{
	struct hs_config *c = a->cfg;
	bool store = c->nauthorized_keys_files == 0;
	size_t i;
	char bad;
	int r;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (a->av[i][0] == '\0')
			return config_aerr(a, "empty argument for %s", a->kw);
		if (strcasecmp(a->av[i], "none") == 0) {
			if (a->ac > 1)
				return config_aerr(a, "%s none must appear "
				    "alone", a->kw);
			continue;
		}
		/*
		 * sshd expands '~' here to the home of the user sshd runs
		 * as (root), the same file for every user: refused, %h
		 * says what is meant.
		 */
		if (a->av[i][0] == '~')
			return config_aerr(a, "'~' is not supported in %s "
			    "(use %%h for the user's home directory)", a->kw);
		if (config_check_tokens(a->av[i], CONFIG_TOKENS_FILES,
		    &bad) != 0) {
			if (bad == '\0')
				return config_aerr(a, "incomplete %%-token at "
				    "the end of '%s' for %s", a->av[i], a->kw);
			return config_aerr(a, "unknown token '%%%c' in '%s' "
			    "for %s", bad, a->av[i], a->kw);
		}
	}
	for (i = 0; store && i < a->ac; i++)
		if ((r = kw_append(a, &c->authorized_keys_files,
		    &c->nauthorized_keys_files, CONFIG_LIST_MAX,
		    a->av[i])) != 0)
			return r;
	return 0;
}

/* PubkeyAuthOptions none|touch-required|verify-required... (first wins):
 * what every FIDO key signature must show, on top of authorized_keys. */

int
config_kw_pubkeyauthoptions(struct config_apply *a)
{
	size_t i;
	int r, v = 0;

	if ((r = config_want_args(a, 1, CONFIG_ARGS_MAX)) != 0)
		return r;
	for (i = 0; i < a->ac; i++) {
		if (strcasecmp(a->av[i], "none") == 0 && a->ac == 1)
			continue;
		if (strcasecmp(a->av[i], "touch-required") == 0)
			v |= CONFIG_PKAO_TOUCH;
		else if (strcasecmp(a->av[i], "verify-required") == 0)
			v |= CONFIG_PKAO_VERIFY;
		else
			return config_bad_value(a, a->av[i],
			    "none, touch-required, verify-required");
	}
	if (a->cfg->pubkey_auth_options == -1)
		a->cfg->pubkey_auth_options = v;
	return 0;
}

int
config_kwdump_pubkeyauthoptions(const struct hs_config *c,
    const struct config_key *k, FILE *f)
{
	int v = c->pubkey_auth_options;

	(void)k;
	if (v <= 0)
		fprintf(f, "pubkeyauthoptions none\n");
	else
		fprintf(f, "pubkeyauthoptions%s%s\n",
		    (v & CONFIG_PKAO_TOUCH) ? " touch-required" : "",
		    (v & CONFIG_PKAO_VERIFY) ? " verify-required" : "");
	return 0;
}
