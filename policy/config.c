/* SPDX-License-Identifier: ISC */
/*
 * Life of a struct hs_config: creation, defaults and the checks that span
 * keywords (config_finish), and the per-connection copy with Match blocks
 * applied.  Runs in the listener (load, finish) and wherever Match blocks
 * are evaluated; the values are the administrator's, the Match context
 * partly the peer's.
 *
 * The field lists in config.h (HS_CONFIG_INTS, ...) drive free, copy and
 * merge, so a new field cannot be forgotten by any of them.
 */
#include <config.h>

#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "policy/algs.h"
#include "policy/config-priv.h"
#include "policy/match.h"
#include "policy/strv.h"

struct hs_config *
config_new(void)
{
	struct hs_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
#define SET_UNSET_INT(f)	c->f = -1;
#define SET_UNSET_I64(f)	c->f = -1;
	HS_CONFIG_INTS(SET_UNSET_INT)
	HS_CONFIG_I64S(SET_UNSET_I64)
#undef SET_UNSET_INT
#undef SET_UNSET_I64
	if ((c->confdir = strdup(SSH_CONFDIR)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
config_free(struct hs_config *c)
{
	if (c == NULL)
		return;
#define FREE_STR(f)	free(c->f);
#define FREE_STRV(f, n)	strv_free(c->f, c->n);
	HS_CONFIG_STRS(FREE_STR)
	HS_CONFIG_STRVS(FREE_STRV)
#undef FREE_STR
#undef FREE_STRV
	free(c->ports);
	free(c->confdir);
	strv_free(c->cmdline_hostkeys, c->ncmdline_hostkeys);
	config_matches_free(c->matches);
	free(c);
}

int
config_set_confdir(struct hs_config *c, const char *dir, bool confine)
{
	char *d;

	if (dir == NULL || dir[0] == '\0')
		return HS_ERR_INVALID_ARGUMENT;
	if ((d = strdup(dir)) == NULL)
		return HS_ERR_ALLOC;
	free(c->confdir);
	c->confdir = d;
	c->confine_includes = confine;
	return 0;
}

int
config_add_hostkey(struct hs_config *c, const char *path)
{
	if (path == NULL || path[0] == '\0')
		return HS_ERR_INVALID_ARGUMENT;
	return strv_append(&c->cmdline_hostkeys, &c->ncmdline_hostkeys,
	    CONFIG_HOSTKEYS_MAX, path);
}

/*
 * A deep copy of every setting (not the Match blocks: the copy is what
 * one connection gets).
 */
static int
config_copy(const struct hs_config *src, struct hs_config **ret)
{
	struct hs_config *c;
	int r = HS_ERR_ALLOC;

	*ret = NULL;
	if ((c = config_new()) == NULL)
		return HS_ERR_ALLOC;
#define COPY_INT(f)	c->f = src->f;
#define COPY_STR(f) \
	if (src->f != NULL && (c->f = strdup(src->f)) == NULL) \
		goto out;
#define COPY_STRV(f, n) \
	if (strv_dup(src->f, src->n, &c->f) != 0) \
		goto out; \
	c->n = src->n;
	HS_CONFIG_INTS(COPY_INT)
	HS_CONFIG_I64S(COPY_INT)
	HS_CONFIG_STRS(COPY_STR)
	HS_CONFIG_STRVS(COPY_STRV)
#undef COPY_INT
#undef COPY_STR
#undef COPY_STRV
	if (src->nports > 0) {
		if ((c->ports = calloc(src->nports, sizeof(*c->ports))) == NULL)
			goto out;
		memcpy(c->ports, src->ports, src->nports * sizeof(*c->ports));
		c->nports = src->nports;
	}
	if (config_set_confdir(c, src->confdir, src->confine_includes) != 0)
		goto out;
	c->finished = src->finished;
	*ret = c;
	c = NULL;
	r = 0;
 out:
	config_free(c);
	return r;
}

int
config_merge(struct hs_config *dst, const struct hs_config *src)
{
	char *s = NULL;
	char **v = NULL;

#define MERGE_INT(f) \
	if (src->f != -1) \
		dst->f = src->f;
#define MERGE_STR(f) \
	if (src->f != NULL) { \
		if ((s = strdup(src->f)) == NULL) \
			return HS_ERR_ALLOC; \
		free(dst->f); \
		dst->f = s; \
	}
#define MERGE_STRV(f, n) \
	if (src->n != 0) { \
		if (strv_dup(src->f, src->n, &v) != 0) \
			return HS_ERR_ALLOC; \
		strv_free(dst->f, dst->n); \
		dst->f = v; \
		dst->n = src->n; \
	}
	HS_CONFIG_INTS(MERGE_INT)
	HS_CONFIG_I64S(MERGE_INT)
	HS_CONFIG_STRS(MERGE_STR)
	HS_CONFIG_STRVS(MERGE_STRV)
#undef MERGE_INT
#undef MERGE_STR
#undef MERGE_STRV
	return 0;
}

static void
config_clear_none(char **s, const char *word)
{
	if (*s != NULL && strcasecmp(*s, word) == 0) {
		free(*s);
		*s = NULL;
	}
}

static void
config_clear_none_v(char ***v, size_t *n, const char *word)
{
	if (*n == 1 && strcasecmp((*v)[0], word) == 0) {
		strv_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
}

static int
config_resolve_algs(char **field, enum algs_kind k, const char *kw,
    char **errmsg)
{
	char *res = NULL, *bad = NULL;
	int r;

	r = algs_assemble_ex(*field, algs_default(k), algs_supported(k),
	    algs_known(k), &res, &bad);
	if (r == HS_ERR_NO_MATCH && k == ALGS_MAC &&
	    algs_supported(ALGS_MAC)[0] == '\0') {
		/* This build has no MAC: every cipher is an AEAD. */
		if ((res = strdup("")) == NULL)
			return HS_ERR_ALLOC;
		r = 0;
	}
	if (r != 0) {
		if (r != HS_ERR_ALLOC)
			r = config_err(errmsg, NULL, 0, "%s: cannot use '%s' "
			    "(%s%s%s)", kw, *field != NULL ? *field : "",
			    hs_err_str(r), bad != NULL ? ": " : "",
			    bad != NULL ? bad : "");
		free(bad);
		return r;
	}
	free(*field);
	*field = res;
	return 0;
}

static int config_derelativise(char **path);

int
config_normalize(struct hs_config *c, char **errmsg)
{
	int r;

	config_clear_none(&c->pid_file, "none");
	config_clear_none(&c->banner, "none");
	config_clear_none(&c->force_command, "none");
	config_clear_none(&c->chroot_directory, "none");
	config_clear_none(&c->xauth_location, "none");
	config_clear_none(&c->per_source_penalty_exempt, "none");
	config_clear_none_v(&c->auth_methods, &c->nauth_methods, "any");
	config_clear_none_v(&c->channel_timeouts, &c->nchannel_timeouts,
	    "none");
	config_clear_none_v(&c->authorized_keys_files,
	    &c->nauthorized_keys_files, "none");
	config_clear_none_v(&c->log_verbose, &c->nlog_verbose, "none");
	config_clear_none_v(&c->permit_open, &c->npermit_open, "any");
	config_clear_none_v(&c->permit_listen, &c->npermit_listen, "any");
	/* A Banner may come from a Match block too. */
	if ((r = config_derelativise(&c->banner)) != 0)
		return r;
	if ((r = config_resolve_algs(&c->kex_algorithms, ALGS_KEX,
	    "KexAlgorithms", errmsg)) != 0 ||
	    (r = config_resolve_algs(&c->ciphers, ALGS_CIPHER, "Ciphers",
	    errmsg)) != 0 ||
	    (r = config_resolve_algs(&c->macs, ALGS_MAC, "MACs",
	    errmsg)) != 0 ||
	    (r = config_resolve_algs(&c->hostkey_algorithms, ALGS_HOSTKEY,
	    "HostKeyAlgorithms", errmsg)) != 0 ||
	    (r = config_resolve_algs(&c->pubkey_accepted_algorithms,
	    ALGS_PUBKEY, "PubkeyAcceptedAlgorithms", errmsg)) != 0 ||
	    (r = config_resolve_algs(&c->ca_signature_algorithms, ALGS_CASIG,
	    "CASignatureAlgorithms", errmsg)) != 0)
		return r;
	return 0;
}

/* Relative paths become absolute against the current directory, as sshd
 * does, because the daemon changes directory to "/". */
static int
config_derelativise(char **path)
{
	char cwd[CONFIG_PATH_MAX], *abs = NULL;
	int r;

	if (*path == NULL || (*path)[0] == '/' ||
	    strcasecmp(*path, "none") == 0)
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return HS_ERR_SYSTEM;
	if ((r = strv_printf(&abs, "%s/%s", cwd, *path)) != 0)
		return r;
	free(*path);
	*path = abs;
	return 0;
}

static int
config_finish_hostkeys(struct hs_config *c, char **errmsg)
{
	static const char *const defaults[] = {
#ifdef HAVE_OPENSSL
		SSH_CONFDIR "/ssh_host_rsa_key",
		SSH_CONFDIR "/ssh_host_ecdsa_key",
#endif
		SSH_CONFDIR "/ssh_host_ed25519_key",
	};
	size_t i;
	int r;

	for (i = 0; i < c->ncmdline_hostkeys; i++) {
		r = strv_append(&c->hostkey_files, &c->nhostkey_files,
		    CONFIG_HOSTKEYS_MAX, c->cmdline_hostkeys[i]);
		if (r == HS_ERR_TOO_LONG)
			return config_err(errmsg, NULL, 0, "too many host keys "
			    "(limit %u)", CONFIG_HOSTKEYS_MAX);
		if (r != 0)
			return r;
	}
	if (c->nhostkey_files == 0)
		for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			if ((r = strv_append(&c->hostkey_files,
			    &c->nhostkey_files, CONFIG_HOSTKEYS_MAX,
			    defaults[i])) != 0)
				return r;
	for (i = 0; i < c->nhostkey_files; i++)
		if ((r = config_derelativise(&c->hostkey_files[i])) != 0)
			return r;
	return 0;
}

#define DEF(f, v) do { if (c->f == -1) c->f = (v); } while (0)

static void
config_defaults(struct hs_config *c)
{
	DEF(address_family, AF_UNSPEC);
	DEF(log_level, LOG_LEVEL_INFO);
	DEF(syslog_facility, LOG_AUTH);
	DEF(login_grace_time, 120);
	DEF(max_auth_tries, 6);
	DEF(max_sessions, 10);
	DEF(max_startups_begin, 10);
	DEF(max_startups_rate, 30);
	DEF(max_startups, 100);
	DEF(per_source_max_startups, CONFIG_NO_LIMIT);
	DEF(per_source_masklen_ipv4, 32);
	DEF(per_source_masklen_ipv6, 128);
	DEF(penalty_enabled, 1);
	DEF(penalty_crash, 90);
	DEF(penalty_authfail, 5);
	DEF(penalty_invaliduser, 5);
	DEF(penalty_noauth, 1);
	DEF(penalty_grace_exceeded, 20);
	DEF(penalty_max, 600);
	DEF(penalty_min, 15);
	DEF(penalty_max_sources4, 65536);
	DEF(penalty_max_sources6, 65536);
	DEF(penalty_overflow, CONFIG_OVERFLOW_PERMISSIVE);
	DEF(penalty_overflow6, c->penalty_overflow);
	DEF(permit_root_login, CONFIG_ROOT_PROHIBIT_PASSWORD);
	DEF(pubkey_authentication, 1);
	DEF(password_authentication, 1);
	DEF(kbd_interactive_authentication, 1);
	DEF(permit_empty_passwords, 0);
	DEF(use_pam, 0);
	DEF(strict_modes, 1);
	DEF(print_motd, 1);
	DEF(print_lastlog, 1);
	DEF(permit_user_env, 0);
	DEF(allow_tcp_forwarding, CONFIG_FWD_ALL);
	DEF(allow_streamlocal_forwarding, CONFIG_FWD_ALL);
	DEF(allow_agent_forwarding, 1);
	DEF(gateway_ports, CONFIG_GATEWAY_NO);
	DEF(permit_tty, 1);
	DEF(permit_user_rc, 1);
	DEF(x11_forwarding, 0);
	DEF(x11_display_offset, 10);
	DEF(x11_use_localhost, 1);
	DEF(disable_forwarding, 0);
	DEF(client_alive_interval, 0);
	DEF(client_alive_count_max, 3);
	DEF(tcp_keep_alive, 1);
	DEF(unused_connection_timeout, 0);
	DEF(rekey_interval, 0);
	DEF(rekey_limit, 0);
	DEF(required_rsa_size, 1024);
	DEF(pubkey_auth_options, 0);
	DEF(compression, 0);
	DEF(use_dns, 0);
	DEF(permit_tunnel, 0);
	DEF(stream_local_bind_mask, 0177);
	DEF(stream_local_bind_unlink, 0);
	DEF(ignore_rhosts, CONFIG_RHOSTS_YES);
	DEF(hostbased_authentication, 0);
	DEF(kerberos_authentication, 0);
	DEF(gssapi_authentication, 0);
	DEF(ip_qos_interactive, 0x48);	/* af21 */
	DEF(ip_qos_bulk, 0x20);		/* cs1 */
	DEF(fingerprint_hash, CONFIG_FP_SHA256);
}

#undef DEF

bool
config_log_verbose(const char *tag, void *ctx)
{
	const struct hs_config *c = ctx;

	return match_log_verbose(tag, c->log_verbose, c->nlog_verbose);
}

/* Whether one AuthenticationMethods list uses only enabled methods. */
static bool
config_methods_enabled(const struct hs_config *c, const char *list)
{
	char *copy, *m, *save = NULL;
	bool ok = true;

	if ((copy = strdup(list)) == NULL)
		return false;
	for (m = strtok_r(copy, ",", &save); m != NULL && ok;
	    m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, "publickey") == 0)
			ok = c->pubkey_authentication == 1;
		else if (strcmp(m, "password") == 0)
			ok = c->password_authentication == 1;
		else if (strncmp(m, "keyboard-interactive", 20) == 0)
			ok = c->kbd_interactive_authentication == 1;
		else if (strcmp(m, "none") == 0)
			ok = true;
		else
			ok = false;	/* hostbased, gssapi-with-mic */
	}
	free(copy);
	return ok;
}

static int
config_check(struct hs_config *c, char **errmsg)
{
	char *copy, *cipher, *save = NULL;
	bool need_mac = false, ok;
	size_t i;

	if ((copy = strdup(c->ciphers)) == NULL)
		return HS_ERR_ALLOC;
	for (cipher = strtok_r(copy, ",", &save); cipher != NULL;
	    cipher = strtok_r(NULL, ",", &save))
		if (algs_cipher_needs_mac(cipher))
			need_mac = true;
	free(copy);
	if (need_mac && c->macs[0] == '\0')
		return config_err(errmsg, NULL, 0, "Ciphers includes a cipher "
		    "that needs a MAC, but MACs leaves none");
	if (c->nauth_methods > 0) {
		for (i = 0, ok = false; i < c->nauth_methods && !ok; i++)
			ok = config_methods_enabled(c, c->auth_methods[i]);
		if (!ok)
			return config_err(errmsg, NULL, 0,
			    "AuthenticationMethods cannot be satisfied by "
			    "enabled authentication methods");
	}
	if (c->penalty_min > c->penalty_max)
		return config_err(errmsg, NULL, 0, "PerSourcePenalties min:%d "
		    "is larger than max:%d", c->penalty_min, c->penalty_max);
	return 0;
}

int
config_finish(struct hs_config *c, char **errmsg)
{
	static const char *const authkeys[] = {
		".ssh/authorized_keys", ".ssh/authorized_keys2",
	};
	size_t i;
	int r;

	if (c->finished)
		return 0;
	if ((r = config_finish_hostkeys(c, errmsg)) != 0)
		return r;
	if (c->nports == 0) {
		if ((c->ports = calloc(1, sizeof(*c->ports))) == NULL)
			return HS_ERR_ALLOC;
		c->ports[0] = 22;
		c->nports = 1;
	}
	config_defaults(c);
	if (c->pid_file == NULL &&
	    (c->pid_file = strdup(CONFIG_DEFAULT_PIDFILE)) == NULL)
		return HS_ERR_ALLOC;
	if (c->xauth_location == NULL &&
	    (c->xauth_location = strdup(CONFIG_DEFAULT_XAUTH)) == NULL)
		return HS_ERR_ALLOC;
	if (c->version_addendum == NULL &&
	    (c->version_addendum = strdup("")) == NULL)
		return HS_ERR_ALLOC;
	if (c->nauthorized_keys_files == 0)
		for (i = 0; i < sizeof(authkeys) / sizeof(authkeys[0]); i++)
			if ((r = strv_append(&c->authorized_keys_files,
			    &c->nauthorized_keys_files, CONFIG_LIST_MAX,
			    authkeys[i])) != 0)
				return r;
	if ((r = config_derelativise(&c->pid_file)) != 0 ||
	    (r = config_derelativise(&c->xauth_location)) != 0)
		return r;
	if ((r = config_normalize(c, errmsg)) != 0)
		return r;
	if ((r = config_check(c, errmsg)) != 0)
		return r;
	c->finished = true;
	return 0;
}

int
config_for_connection(const struct hs_config *base,
    const struct hs_match_ctx *ctx, struct hs_config **ret, char **errmsg)
{
	struct hs_config *overlay = NULL, *c = NULL;
	int r;

	*ret = NULL;
	if (!base->finished)
		return HS_ERR_INVALID_ARGUMENT;
	if ((overlay = config_new()) == NULL)
		return HS_ERR_ALLOC;
	if (base->matches != NULL && (r = config_matches_apply(base->matches,
	    ctx, overlay, errmsg)) != 0)
		goto out;
	if ((r = config_copy(base, &c)) != 0 ||
	    (r = config_merge(c, overlay)) != 0 ||
	    (r = config_normalize(c, errmsg)) != 0)
		goto out;
	*ret = c;
	c = NULL;
 out:
	config_free(overlay);
	config_free(c);
	return r;
}
