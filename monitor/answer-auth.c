/* SPDX-License-Identifier: ISC */
/*
 * Authentication decisions, in hsshd-monitor (root).  Requests come from
 * the pre-auth child and are untrusted; the monitor alone knows whether a
 * user exists, checks keys (building the signed data itself from its own
 * session id), runs PAM, counts failures against MaxAuthTries and logs in
 * sshd's formats (fail2ban's stock filter reads them).
 *
 * No user enumeration: unknown users, refused users and wrong credentials
 * take the same path — PAM runs for unknown users with a password that
 * cannot match, public-key checks do the same file and crypto work — the
 * child gets the same answers, and every failure is padded to the same
 * per-user minimum time.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "common/ssh2.h"
#include "monitor/authfile.h"
#include "monitor/monitor.h"
#include "monitor/pam.h"
#include "monitor/spawn.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "policy/match.h"

/* A password no account has: PAM runs with it for invalid users. */
#define IMPOSSIBLE_PASSWORD	"\b\n\r\177INCORRECT"
#define GROUPS_MAX		256

/* Failure padding: every failed attempt takes at least this long, plus
 * a per-user share derived from a secret, as sshd does. */
#define FAIL_DELAY_MIN_MS	300
#define FAIL_DELAY_SPREAD_MS	10

static uint8_t delay_secret[crypto_generichash_KEYBYTES];
static bool delay_secret_set;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Pad a failed attempt to the user's minimum (doubling when slower). */
static void
fail_delay(const struct mon *m, double start)
{
	uint8_t h[8];
	double delay, elapsed;
	struct timespec ts;
	uint32_t v;

	if (!delay_secret_set) {
		randombytes_buf(delay_secret, sizeof(delay_secret));
		delay_secret_set = true;
	}
	crypto_generichash(h, sizeof(h), (const uint8_t *)m->user,
	    strlen(m->user), delay_secret, sizeof(delay_secret));
	v = ((uint32_t)h[0] << 8) | h[1];
	delay = FAIL_DELAY_MIN_MS + (double)(v % (FAIL_DELAY_SPREAD_MS * 100)) /
	    100.0;
	elapsed = now_ms() - start;
	while (elapsed > delay)
		delay *= 2;
	delay -= elapsed;
	ts.tv_sec = (time_t)(delay / 1000);
	ts.tv_nsec = (long)((delay - ts.tv_sec * 1000.0) * 1e6);
#ifndef HS_FUZZING
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
#else
	/* Only the fuzz harness (tests/fuzz/fuzz-monitor.c) builds this:
	 * ~100 ms per failed attempt would make fuzzing crawl.  The delay
	 * is still computed above. */
	(void)ts;
#endif
}

/* "Accepted publickey for alice from 10.0.0.1 port 5555 ssh2: ..." */
static void
auth_log(const struct mon *m, const char *msg, const char *method,
    const char *submethod, const char *extra, bool loud)
{
	log_msg(loud ? LOG_LEVEL_INFO : LOG_LEVEL_VERBOSE, LOG_SITE(false),
	    0, "%s %s%s%s for %s%s from %s port %d ssh2%s%s", msg, method,
	    submethod != NULL ? "/" : "", submethod != NULL ? submethod : "",
	    m->user_valid ? "" : "invalid user ", m->user, m->peer_addr,
	    m->peer_port, extra != NULL ? ": " : "", extra != NULL ? extra : "");
}

/* Method names without ":submethod". */
static bool
method_is(const char *entry, size_t len, const char *method)
{
	size_t mlen = strlen(method);

	return len >= mlen && strncmp(entry, method, mlen) == 0 &&
	    (len == mlen || entry[mlen] == ':');
}

/*
 * AuthenticationMethods: can `method` come next, and would it complete a
 * list?  With no lists, any enabled method completes.
 */
static bool
methods_next(const struct mon *m, const char *method, bool *completes)
{
	const char *list, *p, *comma;
	size_t i, k, len;
	bool ok = false, prefix;

	*completes = false;
	if (m->ccfg->nauth_methods == 0 ||
	    (m->ccfg->nauth_methods == 1 &&
	    strcmp(m->ccfg->auth_methods[0], "any") == 0)) {
		*completes = true;
		return true;
	}
	for (i = 0; i < m->ccfg->nauth_methods; i++) {
		list = m->ccfg->auth_methods[i];
		prefix = true;
		p = list;
		for (k = 0; k <= m->nmethods_done; k++) {
			comma = strchr(p, ',');
			len = comma != NULL ? (size_t)(comma - p) : strlen(p);
			if (k < m->nmethods_done) {
				if (!method_is(p, len, m->methods_done[k])) {
					prefix = false;
					break;
				}
			} else if (method_is(p, len, method)) {
				ok = true;
				if (comma == NULL)
					*completes = true;
			} else
				prefix = false;
			if (comma == NULL || !prefix)
				break;
			p = comma + 1;
		}
	}
	return ok;
}

static bool
method_enabled(const struct mon *m, const char *method)
{
	const struct hs_config *c = m->ccfg;

	if (strcmp(method, "publickey") == 0)
		return c->pubkey_authentication;
	if (strcmp(method, "password") == 0)
		return c->password_authentication && c->use_pam;
	if (strcmp(method, "keyboard-interactive") == 0)
		return c->kbd_interactive_authentication && c->use_pam;
	return false;
}

/* The methods that can continue, as a name-list. */
static char *
methods_continue(const struct mon *m)
{
	static const char *const all[] = {
		"publickey", "password", "keyboard-interactive",
	};
	struct buf *b;
	bool completes;
	size_t i;
	char *s;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!method_enabled(m, all[i]) ||
		    !methods_next(m, all[i], &completes))
			continue;
		if (buf_putf(b, "%s%s", buf_len(b) > 0 ? "," : "", all[i]) != 0)
			fatal_f("out of memory");
	}
	s = xstrndup((const char *)buf_ptr(b), buf_len(b));
	buf_free(b);
	return s;
}

static void
put_verdict(const struct mon *m, struct buf *reply, int code)
{
	char *methods = methods_continue(m);

	if (buf_put_u8(reply, (uint8_t)code) != 0 ||
	    buf_put_cstring(reply, methods) != 0)
		fatal_f("out of memory");
	free(methods);
}

/* PermitRootLogin for a method that just succeeded. */
static bool
root_allowed(const struct mon *m, const char *method, bool forced_command)
{
	if (!m->user_valid || m->uid != 0)
		return true;
	switch (m->ccfg->permit_root_login) {
	case CONFIG_ROOT_YES:
		return true;
	case CONFIG_ROOT_PROHIBIT_PASSWORD:
		if (strcmp(method, "publickey") == 0)
			return true;
		break;
	case CONFIG_ROOT_FORCED_COMMANDS_ONLY:
		if (strcmp(method, "publickey") == 0 && forced_command)
			return true;
		break;
	default:
		break;
	}
	logit("ROOT LOGIN REFUSED FROM %s port %d", m->peer_addr,
	    m->peer_port);
	return false;
}

/*
 * Record the outcome of one attempt, log it, and put the verdict into
 * reply.  ok: the credential was good for this (valid) user.
 */
static void
verdict(struct mon *m, const char *method, const char *submethod, bool ok,
    bool forced_command, const char *extra, double start, struct buf *reply)
{
	bool completes = false, loud;

	if (ok && (!m->user_valid || !method_enabled(m, method) ||
	    !methods_next(m, method, &completes) ||
	    !root_allowed(m, method, forced_command)))
		ok = false;
	if (ok && completes) {
		m->auth_code = AUTH_SUCCESS;
		auth_log(m, "Accepted", method, submethod, extra, true);
	} else if (ok) {
		m->auth_code = AUTH_PARTIAL;
		m->methods_done = xreallocarray(m->methods_done,
		    m->nmethods_done + 1, sizeof(*m->methods_done));
		m->methods_done[m->nmethods_done++] = xstrdup(method);
		auth_log(m, "Partial", method, submethod, extra, true);
	} else {
		/* The first "none" is how clients ask for the methods. */
		if (strcmp(method, "none") != 0 || m->none_tried)
			m->failures++;
		if (strcmp(method, "none") == 0)
			m->none_tried = true;
		loud = !m->user_valid || strcmp(method, "password") == 0 ||
		    m->failures >= (unsigned int)m->ccfg->max_auth_tries / 2;
		auth_log(m, "Failed", method, submethod, extra, loud);
		if (strcmp(method, "none") != 0)
			fail_delay(m, start);
		m->auth_code = AUTH_FAILURE;
		if (m->failures >= (unsigned int)m->ccfg->max_auth_tries) {
			error("maximum authentication attempts exceeded for "
			    "%s%s from %s port %d ssh2",
			    m->user_valid ? "" : "invalid user ", m->user,
			    m->peer_addr, m->peer_port);
			logit("Disconnecting %s user %s %s port %d: Too many "
			    "authentication failures [preauth]",
			    m->user_valid ? "authenticating" : "invalid",
			    m->user, m->peer_addr, m->peer_port);
			m->auth_code = AUTH_DISCONNECT;
		}
	}
	put_verdict(m, reply, m->auth_code);
}

/* AllowUsers/DenyUsers/AllowGroups/DenyGroups and the login shell. */
static bool
user_allowed(struct mon *m, const struct passwd *pw,
    char *const *groups, size_t ngroups)
{
	const struct hs_config *c = m->ccfg;
	const char *shell = *pw->pw_shell != '\0' ? pw->pw_shell : "/bin/sh";
	struct stat st;
	size_t i, j;
	bool found;

	if (stat(shell, &st) != 0) {
		logit("User %s not allowed because shell %s does not exist",
		    pw->pw_name, shell);
		return false;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
		logit("User %s not allowed because shell %s is not "
		    "executable", pw->pw_name, shell);
		return false;
	}
	for (i = 0; i < c->ndeny_users; i++) {
		if (match_user(pw->pw_name, mon_peer_host(m), m->peer_addr,
		    c->deny_users[i]) == MATCH_YES) {
			logit("User %s from %s not allowed because listed in "
			    "DenyUsers", pw->pw_name, m->peer_addr);
			return false;
		}
	}
	if (c->nallow_users > 0) {
		for (i = 0, found = false; i < c->nallow_users && !found; i++)
			found = match_user(pw->pw_name, mon_peer_host(m),
			    m->peer_addr, c->allow_users[i]) == MATCH_YES;
		if (!found) {
			logit("User %s from %s not allowed because not listed "
			    "in AllowUsers", pw->pw_name, m->peer_addr);
			return false;
		}
	}
	for (i = 0; i < c->ndeny_groups; i++) {
		for (j = 0; j < ngroups; j++) {
			if (match_pattern_list(groups[j], c->deny_groups[i],
			    false) == MATCH_YES) {
				logit("User %s from %s not allowed because a "
				    "group is listed in DenyGroups",
				    pw->pw_name, m->peer_addr);
				return false;
			}
		}
	}
	if (c->nallow_groups > 0) {
		found = false;
		for (i = 0; i < c->nallow_groups && !found; i++)
			for (j = 0; j < ngroups && !found; j++)
				found = match_pattern_list(groups[j],
				    c->allow_groups[i], false) == MATCH_YES;
		if (!found) {
			logit("User %s from %s not allowed because none of "
			    "user's groups are listed in AllowGroups",
			    pw->pw_name, m->peer_addr);
			return false;
		}
	}
	return true;
}

/* The Banner file's text, bounded; NULL if unreadable (logged). */
static char *
mon_read_banner(const char *path)
{
	char chunk[1024], *text;
	struct buf *b;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		error("Banner %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((b = buf_new()) == NULL || buf_set_max_size(b, BANNER_FILE_MAX) != 0)
		fatal_f("out of memory");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_put(b, chunk, (size_t)n) != 0)
			break;	/* truncated at the limit */
	close(fd);
	text = xstrndup((const char *)buf_ptr(b), buf_len(b));
	buf_free(b);
	return text;
}

/* The user's group names (primary first). */
static size_t
user_groups(const struct passwd *pw, char **names, size_t max)
{
	gid_t gids[GROUPS_MAX];
	int ngids = GROUPS_MAX, i;
	struct group *gr;
	size_t n = 0;

	if (getgrouplist(pw->pw_name, pw->pw_gid, gids, &ngids) == -1)
		ngids = GROUPS_MAX;
	for (i = 0; i < ngids && n < max; i++)
		if ((gr = getgrgid(gids[i])) != NULL)
			names[n++] = xstrdup(gr->gr_name);
	return n;
}

int
mon_answer_userauth_begin(struct mon *m, struct buf *req, struct buf *reply)
{
	struct hs_match_ctx ctx;
	struct passwd *pw;
	char *groups[GROUPS_MAX], *errmsg = NULL, *banner = NULL, *methods;
	size_t ngroups = 0, i;
	int r;

	if ((r = buf_get_cstring(req, AUTH_USER_MAX, &m->user, NULL)) != 0 ||
	    (r = buf_get_cstring(req, 64, &m->service, NULL)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		return r;
	if (strcmp(m->service, "ssh-connection") != 0)
		return HS_ERR_PROTOCOL;
	pw = getpwnam(m->user);
	/* Unprivileged, only the running user can log in. */
	if (pw != NULL && !m->privileged && pw->pw_uid != getuid())
		pw = NULL;
	if (pw != NULL) {
		m->uid = pw->pw_uid;
		m->gid = pw->pw_gid;
		m->home = xstrdup(pw->pw_dir);
		m->shell = xstrdup(*pw->pw_shell != '\0' ? pw->pw_shell :
		    "/bin/sh");
		ngroups = user_groups(pw, groups, GROUPS_MAX);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.user = m->user;
	ctx.host = mon_peer_host(m);
	ctx.addr = m->peer_addr;
	ctx.laddr = m->local_addr;
	ctx.lport = m->local_port;
	ctx.groups = (const char *const *)groups;
	ctx.ngroups = ngroups;
	if ((r = config_for_connection(m->snap.cfg, &ctx, &m->ccfg,
	    &errmsg)) != 0) {
		error("configuration for %s: %s", m->user,
		    errmsg != NULL ? errmsg : hs_err_str(r));
		free(errmsg);
		goto out;
	}
	/* LogLevel and LogVerbose of a Match block apply from here on (and
	 * to the session, which inherits the level), as in sshd. */
	if (m->ccfg->log_level != m->snap.cfg->log_level)
		log_set_level((enum log_level)m->ccfg->log_level);
	log_set_verbose(m->ccfg->nlog_verbose > 0 ? config_log_verbose : NULL,
	    m->ccfg);
	if (pw == NULL)
		logit("Invalid user %s from %s port %d", m->user, m->peer_addr,
		    m->peer_port);
	m->user_valid = pw != NULL && user_allowed(m, pw, groups, ngroups);
	if (m->ccfg->use_pam && mon_pam_start(m, m->user) != 0) {
		r = HS_ERR_INTERNAL;
		goto out;
	}
	if (m->ccfg->banner != NULL && *m->ccfg->banner != '\0' &&
	    strcmp(m->ccfg->banner, "none") != 0)
		banner = mon_read_banner(m->ccfg->banner);
	methods = methods_continue(m);
	if ((r = buf_put_cstring(reply, methods)) != 0 ||
	    (r = buf_put_cstring(reply, banner != NULL ? banner : "")) != 0) {
		free(methods);
		goto out;
	}
	free(methods);
 out:
	for (i = 0; i < ngroups; i++)
		free(groups[i]);
	free(banner);
	return r;
}

int
mon_answer_auth_none(struct mon *m, struct buf *req, struct buf *reply)
{
	int r;

	if ((r = buf_get_end(req)) != 0)
		return r;
	verdict(m, "none", NULL, false, false, NULL, now_ms(), reply);
	return 0;
}

/* An authorized_keys line that could not be used. */
static void
skipped_line(const char *file, unsigned long line, const char *why,
    void *ctx)
{
	(void)ctx;
	logit("%s:%lu: skipping line: %s", file, line, why);
}

/*
 * Whether key may log in as this user: allowed algorithm and size, and
 * listed in an authorized_keys file that passes StrictModes.  For
 * invalid users the same file and crypto work is done on a path no user
 * has.  *ret_opts receives the matching line's options.
 */
static bool
pubkey_allowed(struct mon *m, const char *alg, const struct key *key,
    struct authkey_opts **ret_opts)
{
	const struct hs_config *c = m->ccfg;
	struct hs_token_ctx tctx;
	struct passwd *pw = NULL;
	char *path = NULL, *full = NULL, *why = NULL;
	size_t i;
	int r;

	*ret_opts = NULL;
	if (match_pattern_list(alg, c->pubkey_accepted_algorithms, false) !=
	    MATCH_YES || !key_sig_alg_matches(key, alg)) {
		logit("%s key type %s not in PubkeyAcceptedAlgorithms",
		    key_type_short(key), alg);
		return false;
	}
	if (key_type(key) == KEY_RSA &&
	    key_bits(key) < (unsigned int)c->required_rsa_size) {
		logit("refusing RSA key: Invalid key length (%u bits, "
		    "RequiredRSASize is %d)", key_bits(key),
		    c->required_rsa_size);
		return false;
	}
	if (m->user_valid)
		pw = getpwnam(m->user);
	if (pw == NULL) {
		/* The same file and crypto work as for a real user. */
		for (i = 0; i < c->nauthorized_keys_files; i++)
			authfile_dummy_work(key);
		return false;
	}
	memset(&tctx, 0, sizeof(tctx));
	tctx.user = m->user;
	tctx.home = m->home;
	tctx.uid = (long long)m->uid;
	for (i = 0; i < c->nauthorized_keys_files; i++) {
		if ((r = config_expand_tokens(c->authorized_keys_files[i],
		    &tctx, &path)) != 0)
			continue;
		if (*path != '/')
			xasprintf(&full, "%s/%s", m->home, path);
		else
			full = xstrdup(path);
		free(path);
		r = authfile_find_key(full, pw, c->strict_modes, key,
		    m->peer_addr, mon_peer_host(m), time(NULL), skipped_line,
		    NULL, ret_opts, &why);
		if (r == 0) {
			debug("%s: key found", full);
			free(full);
			return true;
		}
		if (r != HS_ERR_NOT_FOUND && why != NULL)
			logit("Authentication refused: %s", why);
		else if (why != NULL)
			verbose("%s", why);
		free(why);
		why = NULL;
		free(full);
		full = NULL;
	}
	return false;
}

static int
pubkey_common(struct mon *m, struct buf *req, bool with_sig,
    struct buf *reply)
{
	const uint8_t *blob, *sig = NULL;
	size_t bloblen, siglen = 0;
	struct authkey_opts *opts = NULL;
	struct key *key = NULL;
	struct buf *data = NULL;
	char *alg = NULL, *fp = NULL, *extra = NULL;
	const char *sk_why = NULL;
	double start = now_ms();
	uint32_t sk_counter = 0;
	uint8_t sk_flags = 0;
	bool ok = false;
	int r;

	if ((r = buf_get_cstring(req, NAME_MAX_LEN, &alg, NULL)) != 0 ||
	    (r = buf_get_string_direct(req, KEY_BLOB_MAX, &blob,
	    &bloblen)) != 0 ||
	    (with_sig && (r = buf_get_string_direct(req, SIG_MAX, &sig,
	    &siglen)) != 0) ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (key_from_blob(blob, bloblen, &key) != 0) {
		/* An unusable key is a failed attempt, not a violation. */
		verdict(m, "publickey", NULL, false, false, NULL, start, reply);
		r = 0;
		goto out;
	}
	/* FingerprintHash for the log lines. */
	if ((m->snap.cfg->fingerprint_hash == CONFIG_FP_MD5 ?
	    key_fingerprint_md5(key, &fp) : key_fingerprint(key, &fp)) == 0)
		xasprintf(&extra, "%s %s", key_type_short(key), fp);
	ok = method_enabled(m, "publickey") &&
	    pubkey_allowed(m, alg, key, &opts);
	if (with_sig) {
		/* The signed data is ours: our session id, the user and
		 * service this connection named, this key (RFC 4252 §7). */
		if ((data = buf_new()) == NULL)
			fatal_f("out of memory");
		if ((r = buf_put_stringb(data, m->session_id)) != 0 ||
		    (r = buf_put_u8(data, SSH2_MSG_USERAUTH_REQUEST)) != 0 ||
		    (r = buf_put_cstring(data, m->user)) != 0 ||
		    (r = buf_put_cstring(data, m->service)) != 0 ||
		    (r = buf_put_cstring(data, "publickey")) != 0 ||
		    (r = buf_put_bool(data, true)) != 0 ||
		    (r = buf_put_cstring(data, alg)) != 0 ||
		    (r = buf_put_string(data, blob, bloblen)) != 0)
			goto out;
		/* ---- FIDO security keys: sshd's user presence and user
		 * verification requirements (begin) ---- */
		if (key_type_is_sk(key_type(key))) {
			if (key_verify_sk(key, alg, sig, siglen, buf_ptr(data),
			    buf_len(data), &sk_flags, &sk_counter) != 0)
				ok = false;
			else {
				debug("security key signature: flags 0x%02x, "
				    "counter %u", sk_flags, sk_counter);
				/* PubkeyAuthOptions adds to the key's own
				 * options, as in sshd. */
				if (ok && (m->ccfg->pubkey_auth_options &
				    CONFIG_PKAO_TOUCH) != 0 &&
				    (sk_flags & KEY_SK_FLAG_UP) == 0)
					sk_why = "user presence (authenticator "
					    "touch) requirement not met";
				else if (ok && (m->ccfg->pubkey_auth_options &
				    CONFIG_PKAO_VERIFY) != 0 &&
				    (sk_flags & KEY_SK_FLAG_UV) == 0)
					sk_why = "user verification "
					    "requirement not met";
				if (ok && (sk_why != NULL ||
				    !authkey_opts_sk_flags_ok(opts, sk_flags,
				    &sk_why))) {
					error("public key %s signature for "
					    "%s%s from %.128s port %d "
					    "rejected: %s", extra != NULL ?
					    extra : key_type_short(key),
					    m->user_valid ? "" :
					    "invalid user ", m->user,
					    m->peer_addr, m->peer_port,
					    sk_why);
					ok = false;
				}
			}
		} else if (key_verify(key, alg, sig, siglen, buf_ptr(data),
		    buf_len(data)) != 0)
			ok = false;
		/* ---- FIDO security keys (end) ---- */
		if (ok && m->ccfg->use_pam)
			ok = mon_pam_account(m);
		verdict(m, "publickey", NULL, ok,
		    opts != NULL && authkey_opts_forced_command(opts) != NULL,
		    extra, start, reply);
		if (m->auth_code == AUTH_SUCCESS ||
		    m->auth_code == AUTH_PARTIAL) {
			authkey_opts_free(m->key_opts);
			m->key_opts = opts;
			opts = NULL;
		}
	} else if (ok) {
		/* A query for a key that would do: PK_OK, no attempt. */
		m->auth_code = AUTH_PK_OK;
		put_verdict(m, reply, AUTH_PK_OK);
	} else
		verdict(m, "publickey", NULL, false, false, extra, start,
		    reply);
	r = 0;
 out:
	authkey_opts_free(opts);
	key_free(key);
	buf_free(data);
	free(alg);
	free(fp);
	free(extra);
	return r;
}

int
mon_answer_pubkey_check(struct mon *m, struct buf *req, struct buf *reply)
{
	return pubkey_common(m, req, false, reply);
}

int
mon_answer_pubkey_verify(struct mon *m, struct buf *req, struct buf *reply)
{
	return pubkey_common(m, req, true, reply);
}

int
mon_answer_password(struct mon *m, struct buf *req, struct buf *reply)
{
	char *password = NULL;
	size_t len = 0;
	double start = now_ms();
	bool change, ok;
	int r;

	if ((r = buf_get_bool(req, &change)) != 0 ||
	    (r = buf_get_cstring(req, AUTH_PASSWORD_MAX, &password,
	    &len)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (change)
		logit("password change not supported");
	/* PAM runs for every user; an invalid one with a password no
	 * account can have. */
	ok = method_enabled(m, "password") && m->pamh != NULL &&
	    mon_pam_password(m, m->user_valid ? password :
	    IMPOSSIBLE_PASSWORD);
	if (!change && *password == '\0' && !m->ccfg->permit_empty_passwords)
		ok = false;
	if (change)
		ok = false;
	verdict(m, "password", NULL, ok, false, NULL, start, reply);
 out:
	freezero(password, len);
	return r;
}

int
mon_answer_kbdint_begin(struct mon *m, struct buf *req, struct buf *reply)
{
	struct buf *ans;
	char *submethods = NULL;
	double start = now_ms();
	bool ok = false, aborted = false;
	int r;

	(void)reply;
	if ((r = buf_get_cstring(req, KBD_TEXT_MAX, &submethods, NULL)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	m->kbd_reply_type = RPC_KBDINT_BEGIN_ANS;
	if (method_enabled(m, "keyboard-interactive") && m->pamh != NULL)
		ok = mon_pam_kbdint(m, &aborted) && m->user_valid;
	if ((ans = buf_new()) == NULL)
		fatal_f("out of memory");
	/* The last request of the conversation gets the verdict. */
	if (!aborted && buf_put_u8(ans, KBD_RESULT) != 0)
		fatal_f("out of memory");
	verdict(m, "keyboard-interactive", "pam", ok, false, NULL, start, ans);
	mon_reply(m, m->kbd_reply_type, ans);
	buf_free(ans);
 out:
	free(submethods);
	return r;
}

/*
 * After success the child hands over the transport state and the client
 * socket; the session starts once the child has gone.
 */
int
mon_answer_transport_export(struct mon *m, struct buf *req, struct buf *reply)
{
	struct buf *ans;
	struct stat st;
	char *helper;
	bool ok;

	(void)reply;
	if (m->passed_fd == -1 || fstat(m->passed_fd, &st) != 0 ||
	    !S_ISSOCK(st.st_mode))
		return HS_ERR_PROTOCOL;
	m->client_fd = m->passed_fd;
	m->passed_fd = -1;
	if ((m->transport_state = buf_from(buf_ptr(req), buf_len(req))) == NULL)
		fatal_f("out of memory");
	if (buf_consume(req, buf_len(req)) != 0)
		fatal_f("consume");
	helper = spawn_helper_path("hsshd-session");
	ok = access(helper, X_OK) == 0;
	free(helper);
	if (!ok) {
		close(m->client_fd);
		m->client_fd = -1;
	}
	if ((ans = buf_new()) == NULL || buf_put_bool(ans, ok) != 0 ||
	    buf_put_cstring(ans, ok ? "" : "hsshd: authenticated, but this "
	    "build has no session program") != 0)
		fatal_f("out of memory");
	mon_reply(m, RPC_TRANSPORT_EXPORT_ANS, ans);
	buf_free(ans);
	return 0;
}
