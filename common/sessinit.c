/* SPDX-License-Identifier: ISC */
/*
 * RPC_SESSION_INIT bodies (format in sessinit.h).  Serialised by
 * hsshd-monitor (root) and parsed by hsshd-session (the logged-in user,
 * no capabilities).  The parser treats the bytes as untrusted: every
 * field is bounded, names and environment entries are checked, and
 * nothing may follow.  The derived keys only ever live in sodium_malloc()
 * memory here and in buffers that are wiped when freed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sessinit.h"

struct session_init *
sessinit_new(void)
{
	return calloc(1, sizeof(struct session_init));
}

static void
env_free(char **env, size_t n)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < n; i++)
		freezero_str(env[i]);
	free(env);
}

void
sessinit_free(struct session_init *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->user);
	free(s->home);
	free(s->shell);
	free(s->peer_addr);
	free(s->local_addr);
	free(s->kex_alg);
	free(s->hostkey_alg);
	free(s->enc_c2s);
	free(s->enc_s2c);
	free(s->mac_c2s);
	free(s->mac_s2c);
	free(s->v_c);
	free(s->v_s);
	kex_keys_free(s->keys);
	buf_free(s->transport);
	for (i = 0; i < s->nhostkeys && i < SESSINIT_HOSTKEYS_MAX; i++) {
		free(s->hostkeys[i].sig_algs);
		buf_free(s->hostkeys[i].blob);
	}
	buf_free(s->config);
	buf_free(s->key_options);
	env_free(s->env, s->nenv);
	free(s->chroot_dir);
	free(s->last_login_host);
	free(s->login_msg);
	freezero(s, sizeof(*s));
}

int
sessinit_keys_copy(const struct kex_keys *src, struct kex_keys **ret)
{
	struct kex_keys *k = NULL;
	size_t i;
	int r = HS_ERR_INTERNAL;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (src == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (sodium_init() < 0)
		return HS_ERR_CRYPTO;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if (src->len[i] > KEX_DERIVED_MAX ||
		    (src->len[i] > 0 && src->key[i] == NULL)) {
			r = HS_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if (src->len[i] == 0)
			continue;
		if ((k->key[i] = sodium_malloc(src->len[i])) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		memcpy(k->key[i], src->key[i], src->len[i]);
		k->len[i] = src->len[i];
	}
	*ret = k;
	k = NULL;
	r = 0;
 out:
	kex_keys_free(k);
	return r;
}

/* A single algorithm name: printable ASCII, no comma, not too long. */
static bool
is_alg_name(const char *s, bool empty_ok)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0)
		return empty_ok;
	return len <= NAME_MAX_LEN && strchr(s, ',') == NULL &&
	    namelist_is_valid(s, len);
}

/* "NAME=value" with a non-empty NAME. */
static bool
is_env_entry(const char *s, size_t len)
{
	const char *eq;

	if (len == 0 || len > SESSINIT_ENV_ENTRY_MAX ||
	    (eq = memchr(s, '=', len)) == NULL || eq == s)
		return false;
	return true;
}

/* A string field that may be NULL (serialised as ""). */
static int
put_opt_cstring(struct buf *b, const char *s, size_t max)
{
	if (s != NULL && strlen(s) > max)
		return HS_ERR_TOO_LONG;
	return buf_put_cstring(b, s != NULL ? s : "");
}

static int
put_bufstring(struct buf *b, const struct buf *v, size_t max)
{
	if (v == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (buf_len(v) > max)
		return HS_ERR_TOO_LONG;
	return buf_put_stringb(b, v);
}

int
sessinit_serialize(const struct session_init *s, struct buf *out)
{
	struct buf *b = NULL;
	const char *algs[6];
	size_t i, envbytes = 0;
	int r = HS_ERR_INTERNAL;

	if (s == NULL || out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	algs[0] = s->kex_alg;
	algs[1] = s->hostkey_alg;
	algs[2] = s->enc_c2s;
	algs[3] = s->enc_s2c;
	algs[4] = s->mac_c2s;
	algs[5] = s->mac_s2c;
	for (i = 0; i < 6; i++) {
		if (!is_alg_name(algs[i], i >= 4))
			return HS_ERR_INVALID_ARGUMENT;
	}
	if (s->user == NULL || *s->user == '\0' || s->keys == NULL ||
	    s->transport == NULL || s->config == NULL ||
	    s->session_id_len == 0 || s->session_id_len > KEX_HASH_MAX ||
	    s->nhostkeys == 0 || s->nhostkeys > SESSINIT_HOSTKEYS_MAX ||
	    s->peer_port > 65535 || s->local_port > 65535 ||
	    s->nenv > SESSINIT_ENV_MAX || (s->nenv > 0 && s->env == NULL) ||
	    s->log_level > LOG_LEVEL_DEBUG3 ||
	    (s->chroot_dir != NULL && *s->chroot_dir != '\0' &&
	    *s->chroot_dir != '/'))
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < s->nenv; i++) {
		if (s->env[i] == NULL ||
		    !is_env_entry(s->env[i], strlen(s->env[i])))
			return HS_ERR_INVALID_ARGUMENT;
		envbytes += strlen(s->env[i]);
	}
	if (envbytes > SESSINIT_ENV_BYTES_MAX)
		return HS_ERR_TOO_LONG;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_u32(b, SESSINIT_VERSION)) != 0 ||
	    (r = put_opt_cstring(b, s->user, SESSINIT_NAME_MAX)) != 0 ||
	    (r = buf_put_u32(b, s->uid)) != 0 ||
	    (r = buf_put_u32(b, s->gid)) != 0 ||
	    (r = put_opt_cstring(b, s->home, SESSINIT_PATH_MAX)) != 0 ||
	    (r = put_opt_cstring(b, s->shell, SESSINIT_PATH_MAX)) != 0 ||
	    (r = put_opt_cstring(b, s->peer_addr, SESSINIT_ADDR_MAX)) != 0 ||
	    (r = buf_put_u32(b, s->peer_port)) != 0 ||
	    (r = put_opt_cstring(b, s->local_addr, SESSINIT_ADDR_MAX)) != 0 ||
	    (r = buf_put_u32(b, s->local_port)) != 0)
		goto out;
	for (i = 0; i < 6; i++) {
		if ((r = put_opt_cstring(b, algs[i], NAME_MAX_LEN)) != 0)
			goto out;
	}
	if ((r = buf_put_bool(b, s->strict_kex)) != 0 ||
	    (r = buf_put_string(b, s->session_id, s->session_id_len)) != 0 ||
	    (r = put_opt_cstring(b, s->v_c, BANNER_LINE_MAX)) != 0 ||
	    (r = put_opt_cstring(b, s->v_s, BANNER_LINE_MAX)) != 0)
		goto out;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if (s->keys->len[i] > KEX_DERIVED_MAX ||
		    (s->keys->len[i] > 0 && s->keys->key[i] == NULL)) {
			r = HS_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if ((r = buf_put_string(b, s->keys->key[i],
		    s->keys->len[i])) != 0)
			goto out;
	}
	if ((r = put_bufstring(b, s->transport, SESSINIT_TRANSPORT_MAX)) != 0 ||
	    (r = buf_put_u32(b, (uint32_t)s->nhostkeys)) != 0)
		goto out;
	for (i = 0; i < s->nhostkeys; i++) {
		if (s->hostkeys[i].sig_algs == NULL ||
		    !namelist_is_valid(s->hostkeys[i].sig_algs,
		    strlen(s->hostkeys[i].sig_algs)) ||
		    s->hostkeys[i].blob == NULL) {
			r = HS_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if ((r = put_opt_cstring(b, s->hostkeys[i].sig_algs,
		    NAMELIST_MAX)) != 0 ||
		    (r = put_bufstring(b, s->hostkeys[i].blob,
		    KEY_BLOB_MAX)) != 0)
			goto out;
	}
	if ((r = put_bufstring(b, s->config, SESSINIT_CONFIG_MAX)) != 0)
		goto out;
	if (s->key_options != NULL)
		r = put_bufstring(b, s->key_options, SESSINIT_KEYOPTS_MAX);
	else
		r = buf_put_string(b, NULL, 0);
	if (r != 0 || (r = buf_put_u32(b, (uint32_t)s->nenv)) != 0)
		goto out;
	for (i = 0; i < s->nenv; i++) {
		if ((r = buf_put_cstring(b, s->env[i])) != 0)
			goto out;
	}
	if ((r = buf_put_u8(b, s->log_level)) != 0 ||
	    (r = put_opt_cstring(b, s->chroot_dir, SESSINIT_PATH_MAX)) != 0 ||
	    (r = buf_put_u64(b, s->last_login_time)) != 0 ||
	    (r = put_opt_cstring(b, s->last_login_host,
	    SESSINIT_LASTHOST_MAX)) != 0 ||
	    (r = put_opt_cstring(b, s->login_msg,
	    SESSINIT_LOGINMSG_MAX)) != 0)
		goto out;
	if (buf_len(b) > RPC_STATE_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	r = buf_putb(out, b);
 out:
	buf_free(b);	/* holds the keys: wiped */
	return r;
}

/* A cstring field with a bound; empty refused unless empty_ok. */
static int
get_cstring(struct buf *b, size_t max, bool empty_ok, char **ret)
{
	size_t len = 0;
	int r;

	if ((r = buf_get_cstring(b, max, ret, &len)) != 0)
		return r;
	if (len == 0 && !empty_ok) {
		free(*ret);
		*ret = NULL;
		return HS_ERR_BAD_FORMAT;
	}
	return 0;
}

static int
get_port(struct buf *b, uint32_t *ret)
{
	int r;

	if ((r = buf_get_u32(b, ret)) != 0)
		return r;
	return *ret > 65535 ? HS_ERR_BAD_FORMAT : 0;
}

static int
get_alg(struct buf *b, bool empty_ok, char **ret)
{
	int r;

	if ((r = get_cstring(b, NAME_MAX_LEN, empty_ok, ret)) != 0)
		return r;
	return is_alg_name(*ret, empty_ok) ? 0 : HS_ERR_BAD_FORMAT;
}

static int
get_keys(struct buf *b, struct kex_keys **ret)
{
	struct kex_keys *k = NULL;
	const uint8_t *p;
	size_t i, len;
	int r = HS_ERR_INTERNAL;

	/* sodium_malloc() aborts in a process that skipped this. */
	if (sodium_init() < 0)
		return HS_ERR_CRYPTO;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if ((r = buf_get_string_direct(b, KEX_DERIVED_MAX, &p,
		    &len)) != 0)
			goto out;
		if (len == 0)
			continue;
		if ((k->key[i] = sodium_malloc(len)) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		memcpy(k->key[i], p, len);
		k->len[i] = len;
	}
	*ret = k;
	k = NULL;
	r = 0;
 out:
	kex_keys_free(k);
	return r;
}

static int
get_env(struct buf *b, struct session_init *s)
{
	uint32_t n;
	size_t i, len, total = 0;
	int r;

	if ((r = buf_get_u32(b, &n)) != 0)
		return r;
	if (n > SESSINIT_ENV_MAX)
		return HS_ERR_BAD_FORMAT;
	if (n == 0)
		return 0;
	if ((s->env = calloc(n, sizeof(*s->env))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_cstring(b, SESSINIT_ENV_ENTRY_MAX, &s->env[i],
		    &len)) != 0)
			return r;
		s->nenv = i + 1;
		total += len;
		if (!is_env_entry(s->env[i], len))
			return HS_ERR_BAD_FORMAT;
		if (total > SESSINIT_ENV_BYTES_MAX)
			return HS_ERR_TOO_LONG;
	}
	return 0;
}

int
sessinit_parse(const uint8_t *data, size_t len, struct session_init **ret)
{
	struct session_init *s = NULL;
	struct buf *b = NULL;
	const uint8_t *p;
	size_t plen, i;
	uint32_t version, n;
	uint8_t level;
	int r = HS_ERR_INTERNAL;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (data == NULL && len != 0)
		return HS_ERR_INVALID_ARGUMENT;
	if (len > RPC_STATE_MAX)
		return HS_ERR_TOO_LONG;
	if ((b = buf_from(data, len)) == NULL || (s = sessinit_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_get_u32(b, &version)) != 0)
		goto out;
	if (version != SESSINIT_VERSION) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((r = get_cstring(b, SESSINIT_NAME_MAX, false, &s->user)) != 0 ||
	    (r = buf_get_u32(b, &s->uid)) != 0 ||
	    (r = buf_get_u32(b, &s->gid)) != 0 ||
	    (r = get_cstring(b, SESSINIT_PATH_MAX, true, &s->home)) != 0 ||
	    (r = get_cstring(b, SESSINIT_PATH_MAX, true, &s->shell)) != 0 ||
	    (r = get_cstring(b, SESSINIT_ADDR_MAX, true, &s->peer_addr)) != 0 ||
	    (r = get_port(b, &s->peer_port)) != 0 ||
	    (r = get_cstring(b, SESSINIT_ADDR_MAX, true,
	    &s->local_addr)) != 0 ||
	    (r = get_port(b, &s->local_port)) != 0 ||
	    (r = get_alg(b, false, &s->kex_alg)) != 0 ||
	    (r = get_alg(b, false, &s->hostkey_alg)) != 0 ||
	    (r = get_alg(b, false, &s->enc_c2s)) != 0 ||
	    (r = get_alg(b, false, &s->enc_s2c)) != 0 ||
	    (r = get_alg(b, true, &s->mac_c2s)) != 0 ||
	    (r = get_alg(b, true, &s->mac_s2c)) != 0 ||
	    (r = buf_get_bool_strict(b, &s->strict_kex)) != 0 ||
	    (r = buf_get_string_direct(b, KEX_HASH_MAX, &p, &plen)) != 0)
		goto out;
	if (plen == 0) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	memcpy(s->session_id, p, plen);
	s->session_id_len = plen;
	if ((r = get_cstring(b, BANNER_LINE_MAX, false, &s->v_c)) != 0 ||
	    (r = get_cstring(b, BANNER_LINE_MAX, false, &s->v_s)) != 0 ||
	    (r = get_keys(b, &s->keys)) != 0 ||
	    (r = buf_froms(b, SESSINIT_TRANSPORT_MAX, &s->transport)) != 0 ||
	    (r = buf_get_u32(b, &n)) != 0)
		goto out;
	if (n == 0 || n > SESSINIT_HOSTKEYS_MAX) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = get_cstring(b, NAMELIST_MAX, false,
		    &s->hostkeys[i].sig_algs)) != 0)
			goto out;
		s->nhostkeys = i + 1;
		if (!namelist_is_valid(s->hostkeys[i].sig_algs,
		    strlen(s->hostkeys[i].sig_algs))) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		if ((r = buf_froms(b, KEY_BLOB_MAX, &s->hostkeys[i].blob)) != 0)
			goto out;
		if (buf_len(s->hostkeys[i].blob) == 0) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
	}
	if ((r = buf_froms(b, SESSINIT_CONFIG_MAX, &s->config)) != 0 ||
	    (r = buf_froms(b, SESSINIT_KEYOPTS_MAX, &s->key_options)) != 0 ||
	    (r = get_env(b, s)) != 0 ||
	    (r = buf_get_u8(b, &level)) != 0 ||
	    (r = get_cstring(b, SESSINIT_PATH_MAX, true,
	    &s->chroot_dir)) != 0 ||
	    (r = buf_get_u64(b, &s->last_login_time)) != 0 ||
	    (r = get_cstring(b, SESSINIT_LASTHOST_MAX, true,
	    &s->last_login_host)) != 0 ||
	    (r = get_cstring(b, SESSINIT_LOGINMSG_MAX, true,
	    &s->login_msg)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	if (level > LOG_LEVEL_DEBUG3 ||
	    (*s->chroot_dir != '\0' && *s->chroot_dir != '/')) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	s->log_level = level;
	*ret = s;
	s = NULL;
	r = 0;
 out:
	sessinit_free(s);
	buf_free(b);	/* held the keys: wiped */
	return r;
}
