/* SPDX-License-Identifier: ISC */
/*
 * The children's environment and the login.defs PATH, in hsshd-session
 * (the logged-in user).  The client's accepted variables and TERM are
 * attacker-controlled strings, bounded by the request parsers; the rest
 * comes from the monitor and the configuration.  Also the text shown
 * before an interactive login (PAM's messages, "Last login:").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sessinit.h"
#include "common/txt.h"
#include "policy/config.h"
#include "policy/match.h"
#include "session/env.h"

void
envv_init(struct envv *e)
{
	memset(e, 0, sizeof(*e));
}

static size_t
name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : 0;
}

static void
envv_store(struct envv *e, char *entry, size_t nlen)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (name_len(e->v[i]) == nlen &&
		    strncmp(e->v[i], entry, nlen) == 0) {
			freezero_str(e->v[i]);
			e->v[i] = entry;
			return;
		}
	}
	if (e->n + 2 > e->cap) {
		e->v = xrecallocarray(e->v, e->cap, e->cap + 32,
		    sizeof(*e->v));
		e->cap += 32;
	}
	e->v[e->n++] = entry;
	e->v[e->n] = NULL;
}

void
envv_set(struct envv *e, const char *name, const char *value)
{
	char *entry;

	xasprintf(&entry, "%s=%s", name, value);
	envv_store(e, entry, strlen(name));
}

void
envv_put(struct envv *e, const char *entry)
{
	size_t nlen = name_len(entry);

	if (nlen == 0)
		return;
	envv_store(e, xstrdup(entry), nlen);
}

const char *
envv_get(const struct envv *e, const char *name)
{
	size_t i, nlen = strlen(name);

	for (i = 0; i < e->n; i++) {
		if (name_len(e->v[i]) == nlen &&
		    strncmp(e->v[i], name, nlen) == 0)
			return e->v[i] + nlen + 1;
	}
	return NULL;
}

char **
envv_take(struct envv *e)
{
	char **v = e->v;

	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	envv_init(e);
	return v;
}

void
envv_free_vec(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		freezero_str(v[i]);
	free(v);
}

void
envv_free(struct envv *e)
{
	envv_free_vec(e->v);
	envv_init(e);
}

int
logindefs_path(const char *text, size_t len, bool superuser, char **ret)
{
	const char *want = superuser ? "ENV_SUPATH" : "ENV_PATH";
	struct txt t, line;
	char *key = NULL, *val = NULL, *found = NULL;
	int r;

	*ret = NULL;
	txt_init(&t, text, len);
	for (;;) {
		if ((r = txt_get_line(&t, CONFIG_LINE_MAX, &line)) != 0) {
			if (r == HS_ERR_SHORT)
				break;
			goto out;
		}
		txt_skip_blanks(&line);
		if (txt_eof(&line) || txt_peek(&line) == '#')
			continue;
		if ((r = txt_get_word(&line, CONFIG_LINE_MAX, &key)) != 0)
			goto out;
		if (strcmp(key, want) == 0) {
			if ((r = txt_get_rest(&line, CONFIG_LINE_MAX,
			    &val)) != 0)
				goto out;
			/* The last definition wins, as in login(1). */
			free(found);
			found = val;
			val = NULL;
		}
		free(key);
		key = NULL;
	}
	r = HS_ERR_NOT_FOUND;
	if (found == NULL)
		goto out;
	if (strncmp(found, "PATH=", 5) == 0)
		memmove(found, found + 5, strlen(found + 5) + 1);
	if (*found == '\0')
		goto out;
	*ret = found;
	found = NULL;
	r = 0;
 out:
	free(key);
	free(val);
	free(found);
	return r;
}

char *
sess_default_path(const char *file, bool superuser)
{
	char *text = NULL, *path = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) !=
	    -1) {
		text = xmalloc(SESS_LOGIN_DEFS_MAX);
		while (len < SESS_LOGIN_DEFS_MAX) {
			n = read(fd, text + len, SESS_LOGIN_DEFS_MAX - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(fd);
		if (logindefs_path(text, len, superuser, &path) != 0)
			path = NULL;
		free(text);
	}
	if (path == NULL)
		path = xstrdup(superuser ? SESS_DEFAULT_SUPATH :
		    SESS_DEFAULT_PATH);
	return path;
}

/* Whether the name of set[i] was set by an earlier entry. */
static bool
set_env_seen(char *const *set, size_t i)
{
	size_t j, nlen = name_len(set[i]);

	for (j = 0; j < i; j++) {
		if (name_len(set[j]) == nlen &&
		    strncmp(set[j], set[i], nlen) == 0)
			return true;
	}
	return false;
}

char **
sess_env_build(const struct sess_env_in *in)
{
	const struct session_init *si = in->si;
	struct envv e;
	char *s;
	size_t i;

	envv_init(&e);
	for (i = 0; i < in->nclient_env; i++)
		envv_put(&e, in->client_env[i]);
	envv_set(&e, "USER", si->user);
	envv_set(&e, "LOGNAME", si->user);
	envv_set(&e, "HOME", si->home);
	envv_set(&e, "SHELL", si->shell);
	envv_set(&e, "PATH", in->path);
	/* As sshd: with UsePAM, MAIL is pam_mail's to set (Debian's stack
	 * says noenv), not ours. */
	if (in->cfg == NULL || in->cfg->use_pam != 1) {
		xasprintf(&s, "%s/%s", SESS_MAILDIR, si->user);
		envv_set(&e, "MAIL", s);
		free(s);
	}
	for (i = 0; in->cfg != NULL && in->cfg->permit_user_env == 1 &&
	    i < in->nkey_env; i++) {
		char *name = xstrdup(in->key_env[i]), *eq;

		if ((eq = strchr(name, '=')) != NULL) {
			*eq = '\0';
			if (in->cfg->permit_user_env_allowlist == NULL ||
			    match_pattern_list(name,
			    in->cfg->permit_user_env_allowlist, false) ==
			    MATCH_YES)
				envv_put(&e, in->key_env[i]);
		}
		free(name);
	}
	for (i = 0; i < si->nenv; i++) {
		/* The server sets its own SSH_*; LD_* would reach a setuid
		 * helper's loader decisions through the user's shell. */
		if (strncmp(si->env[i], "LD_", 3) == 0 ||
		    strncmp(si->env[i], "SSH_", 4) == 0)
			continue;
		envv_put(&e, si->env[i]);
	}
	/* SetEnv: the administrator's word over all of the above; the
	 * first setting of a name wins, as in sshd_config. */
	for (i = 0; in->cfg != NULL && i < in->cfg->nset_env; i++) {
		if (!set_env_seen(in->cfg->set_env, i))
			envv_put(&e, in->cfg->set_env[i]);
	}
	if (in->term != NULL)
		envv_set(&e, "TERM", in->term);
	xasprintf(&s, "%s %u %u", si->peer_addr, si->peer_port,
	    si->local_port);
	envv_set(&e, "SSH_CLIENT", s);
	free(s);
	xasprintf(&s, "%s %u %s %u", si->peer_addr, si->peer_port,
	    si->local_addr, si->local_port);
	envv_set(&e, "SSH_CONNECTION", s);
	free(s);
	if (in->tty != NULL)
		envv_set(&e, "SSH_TTY", in->tty);
	if (in->original_command != NULL)
		envv_set(&e, "SSH_ORIGINAL_COMMAND", in->original_command);
	if (in->display != NULL)
		envv_set(&e, "DISPLAY", in->display);
	if (in->auth_sock != NULL)
		envv_set(&e, "SSH_AUTH_SOCK", in->auth_sock);
	return envv_take(&e);
}

char *
sess_login_message(const struct session_init *si, bool print_lastlog)
{
	struct buf *b;
	char when[64], *ret = NULL;
	struct tm tm;
	time_t t;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	if (si->login_msg != NULL && buf_put(b, si->login_msg,
	    strlen(si->login_msg)) != 0)
		fatal_f("out of memory");
	if (print_lastlog && si->last_login_time != 0 &&
	    si->last_login_time <= (uint64_t)INT32_MAX) {
		t = (time_t)si->last_login_time;
		/* ctime(3)'s shape, without its newline. */
		if (localtime_r(&t, &tm) != NULL && strftime(when,
		    sizeof(when), "%a %b %e %H:%M:%S %Y", &tm) > 0) {
			if (buf_putf(b, "Last login: %s%s%s\r\n", when,
			    si->last_login_host != NULL &&
			    *si->last_login_host != '\0' ? " from " : "",
			    si->last_login_host != NULL ?
			    si->last_login_host : "") != 0)
				fatal_f("out of memory");
		}
	}
	if (buf_len(b) > 0)
		ret = xstrndup((const char *)buf_ptr(b), buf_len(b));
	buf_free(b);
	return ret;
}
