/* SPDX-License-Identifier: ISC */
/*
 * Monitor handlers of the transport phase, in hsshd-monitor (root).  The
 * requests come from the pre-auth child and are untrusted.  Signing is
 * hardened beyond OpenSSH: the monitor builds the server's KEXINIT itself
 * (policy lists, fresh cookie) and its version line, negotiates again from
 * both KEXINITs, and assembles the exchange-hash input from its own V_S,
 * I_S and K_S.  A compromised child therefore only ever obtains signatures
 * over genuine exchange hashes of this server, at most one per key
 * exchange, and none outside one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/procstatus.h"
#include "monitor/monitor.h"
#include "policy/config.h"

/* Our KEXINIT (I_S) is at most this large. */
#define KEXINIT_MAX	(KEX_PROP_MAX * (4 + NAMELIST_MAX) + 64)

/* The signature algorithms a host key can serve, in preference order. */
const char *
mon_hostkey_sig_algs(const struct key *k)
{
	switch (key_type(k)) {
	case KEY_ED25519:
		return "ssh-ed25519";
	case KEY_RSA:
		return "rsa-sha2-512,rsa-sha2-256";
	case KEY_ECDSA_P256:
		return "ecdsa-sha2-nistp256";
	case KEY_ECDSA_P384:
		return "ecdsa-sha2-nistp384";
	case KEY_ECDSA_P521:
		return "ecdsa-sha2-nistp521";
	default:
		return "";
	}
}

static bool
list_has(const char *list, const char *name, size_t namelen)
{
	const char *p = list, *comma;
	size_t len;

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == namelen && strncmp(p, name, len) == 0)
			return true;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return false;
}

/* The host key that signs with alg, or NULL. */
static const struct key *
hostkey_for_alg(const struct mon *m, const char *alg)
{
	size_t i;

	for (i = 0; i < m->snap.hk.nkeys; i++)
		if (list_has(mon_hostkey_sig_algs(m->snap.hk.keys[i].key), alg,
		    strlen(alg)))
			return m->snap.hk.keys[i].key;
	return NULL;
}

/* HostKeyAlgorithms narrowed to the algorithms our keys can serve. */
static char *
offered_hostkey_algs(const struct mon *m)
{
	const char *p = m->snap.cfg->hostkey_algorithms, *comma;
	struct buf *b;
	char *s, name[NAME_MAX_LEN + 1];
	size_t len;

	if ((b = buf_new()) == NULL)
		fatal_f("out of memory");
	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len > 0 && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			if (hostkey_for_alg(m, name) != NULL &&
			    buf_putf(b, "%s%s", buf_len(b) ? "," : "",
			    name) != 0)
				fatal_f("buf_putf");
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	s = xstrndup((const char *)buf_ptr(b), buf_len(b));
	buf_free(b);
	return s;
}

/* A fresh server KEXINIT (new cookie) from policy: the only I_S the
 * monitor will sign with until the next one. */
static int
mon_build_kexinit(struct mon *m)
{
	const struct hs_config *cfg = m->snap.cfg;
	const char *props[KEX_PROP_MAX];
	int r;

	props[KEX_PROP_KEX] = cfg->kex_algorithms;
	props[KEX_PROP_HOSTKEY] = m->hostkey_algs;
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] = cfg->ciphers;
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] = cfg->macs;
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";
	buf_free(m->i_s);
	if ((m->i_s = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = kex_kexinit_build(props, true, m->i_s)) != 0)
		error_r(r, "cannot build KEXINIT");
	return r;
}

int
mon_answer_kex_rekey(struct mon *m, struct buf *req, struct buf *reply)
{
	int r;

	if ((r = buf_get_end(req)) != 0 || (r = mon_build_kexinit(m)) != 0)
		return r;
	return buf_put_stringb(reply, m->i_s);
}

int
mon_answer_hello(struct mon *m, struct buf *req, struct buf *reply)
{
	const struct hs_config *cfg = m->snap.cfg;
	struct buf *blob = NULL;
	char *why = NULL;
	size_t i;
	int r;

	if ((r = buf_get_end(req)) != 0)
		return r;
	/* Serve nothing until the child is provably in its sandbox. */
	if (sandbox_check_status(m->child, m->privileged, m->privsep_uid,
	    m->privsep_gid, PRIVSEP_PATH, &why) != 0) {
		error("pre-auth child %ld is not sandboxed: %s",
		    (long)m->child, why != NULL ? why : "?");
		free(why);
		return HS_ERR_PROTOCOL;
	}
	if (cfg->version_addendum != NULL && *cfg->version_addendum != '\0' &&
	    strcmp(cfg->version_addendum, "none") != 0)
		xasprintf(&m->v_s, "SSH-2.0-hsshd_%s %s", VERSION,
		    cfg->version_addendum);
	else
		xasprintf(&m->v_s, "SSH-2.0-hsshd_%s", VERSION);
	m->hostkey_algs = offered_hostkey_algs(m);
	if (*m->hostkey_algs == '\0') {
		error("no host key matches HostKeyAlgorithms");
		return HS_ERR_NO_MATCH;
	}
	if ((blob = buf_new()) == NULL)
		fatal_f("out of memory");
	if ((r = mon_build_kexinit(m)) != 0)
		goto out;
	if ((r = buf_put_cstring(reply, m->v_s)) != 0 ||
	    (r = buf_put_stringb(reply, m->i_s)) != 0 ||
	    (r = buf_put_cstring(reply, cfg->pubkey_accepted_algorithms)) != 0 ||
	    (r = buf_put_u8(reply, (uint8_t)log_get_level())) != 0 ||
	    (r = buf_put_u64(reply, (uint64_t)cfg->rekey_limit)) != 0 ||
	    (r = buf_put_u32(reply, (uint32_t)cfg->rekey_interval)) != 0 ||
	    (r = buf_put_u32(reply, (uint32_t)m->snap.hk.nkeys)) != 0)
		goto out;
	for (i = 0; i < m->snap.hk.nkeys; i++) {
		buf_reset(blob);
		if ((r = key_to_blob(m->snap.hk.keys[i].key, blob)) != 0 ||
		    (r = buf_put_cstring(reply,
		    mon_hostkey_sig_algs(m->snap.hk.keys[i].key))) != 0 ||
		    (r = buf_put_stringb(reply, blob)) != 0)
			goto out;
	}
	/* LogVerbose, so the child's own lines can be forced too. */
	if ((r = buf_put_u32(reply, (uint32_t)cfg->nlog_verbose)) != 0)
		goto out;
	for (i = 0; i < cfg->nlog_verbose; i++)
		if ((r = buf_put_cstring(reply, cfg->log_verbose[i])) != 0)
			goto out;
 out:
	buf_free(blob);
	return r;
}

/* RFC 4253 §4.2: "SSH-protoversion-softwareversion[ SP comments]". */
static bool
version_line_ok(const char *s, size_t len)
{
	size_t i;

	if (len > BANNER_LINE_MAX - 2)
		return false;
	if (strncmp(s, "SSH-2.0-", 8) != 0 && strncmp(s, "SSH-1.99-", 9) != 0)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int
mon_answer_peer_banner(struct mon *m, struct buf *req, struct buf *reply)
{
	char *v_c = NULL, *soft;
	size_t len;
	int r;

	if ((r = buf_get_cstring(req, BANNER_LINE_MAX, &v_c, &len)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (!version_line_ok(v_c, len)) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	soft = strchr(v_c + 4, '-') + 1;
	debug("Remote protocol version %.*s, remote software version %s",
	    (int)(soft - v_c - 5), v_c + 4, soft);
	m->v_c = v_c;
	v_c = NULL;
	/* Compatibility flags are the monitor's to compute: none yet. */
	r = buf_put_u32(reply, 0);
 out:
	free(v_c);
	return r;
}

/* Checks the size of a public value for the negotiated algorithm. */
static bool
kex_pub_ok(const struct kex_alg *alg, size_t len)
{
	switch (alg->family) {
	case KEX_FAMILY_CURVE25519:
		return len == 32;
	case KEX_FAMILY_ECDH:
		return (alg->group == KEX_GROUP_P256 && len == 65) ||
		    (alg->group == KEX_GROUP_P384 && len == 97) ||
		    (alg->group == KEX_GROUP_P521 && len == 133);
	case KEX_FAMILY_DH:
		return len > 0 && len <= MPINT_MAX_BYTES;
	}
	return false;
}

int
mon_answer_kex_sign(struct mon *m, struct buf *req, struct buf *reply)
{
	const uint8_t *i_c, *q_c, *q_s, *kp, *mag;
	size_t i_c_len, q_c_len, q_s_len, k_len, mag_len, hlen;
	struct kex_proposal *cprop = NULL, *sprop = NULL;
	struct kex_negotiated neg;
	struct kex_hash_input hi;
	struct buf *tmp = NULL, *k = NULL, *ks = NULL, *sig = NULL;
	const struct key *hostkey;
	uint8_t h[64];
	size_t want[KEX_KEY_MAX];
	struct kex_keys *keys = NULL;
	int r;

	if ((r = buf_get_string_direct(req, PKT_MAX_PACKET, &i_c,
	    &i_c_len)) != 0 ||
	    (r = buf_get_string_direct(req, KEX_PUB_MAX, &q_c, &q_c_len)) != 0 ||
	    (r = buf_get_string_direct(req, KEX_PUB_MAX, &q_s, &q_s_len)) != 0 ||
	    (r = buf_get_string_direct(req, MPINT_MAX_BYTES + 5, &kp,
	    &k_len)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (m->v_c == NULL || m->i_s == NULL) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	/* Negotiate again, ourselves, from both KEXINITs. */
	if ((tmp = buf_from(i_c, i_c_len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = kex_kexinit_parse(tmp, &cprop)) != 0)
		goto out;
	buf_free(tmp);
	if ((tmp = buf_from(buf_ptr(m->i_s), buf_len(m->i_s))) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = kex_kexinit_parse(tmp, &sprop)) != 0 ||
	    (r = kex_negotiate(cprop, sprop, m->kex_count == 0, &neg)) != 0)
		goto out;
	if (!kex_pub_ok(neg.kex, q_c_len) || !kex_pub_ok(neg.kex, q_s_len)) {
		r = HS_ERR_KEX_BAD_PUBLIC;
		goto out;
	}
	/* K must be one well-formed mpint, no larger than the group. */
	if ((k = buf_from(kp, k_len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_get_mpint_direct(k, MPINT_MAX_BYTES, &mag,
	    &mag_len)) != 0 || (r = buf_get_end(k)) != 0)
		goto out;
	buf_free(k);
	if ((k = buf_from(kp, k_len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((hostkey = hostkey_for_alg(m, neg.hostkey_alg)) == NULL) {
		r = HS_ERR_NO_MATCH;
		goto out;
	}
	if ((ks = buf_new()) == NULL || (sig = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = key_to_blob(hostkey, ks)) != 0)
		goto out;
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)m->v_c;
	hi.v_c_len = strlen(m->v_c);
	hi.v_s = (const uint8_t *)m->v_s;
	hi.v_s_len = strlen(m->v_s);
	hi.i_c = i_c;
	hi.i_c_len = i_c_len;
	hi.i_s = buf_ptr(m->i_s);
	hi.i_s_len = buf_len(m->i_s);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = q_c;
	hi.q_c_len = q_c_len;
	hi.q_s = q_s;
	hi.q_s_len = q_s_len;
	hi.k = k;
	hlen = kex_hash_len(neg.kex);
	if ((r = kex_hash(neg.kex, &hi, h, sizeof(h))) != 0)
		goto out;
	if (m->session_id == NULL &&
	    (m->session_id = buf_from(h, hlen)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* The monitor derives the transport keys itself, for the session. */
	kex_key_sizes(&neg, want);
	if ((r = kex_derive_keys(neg.kex, k, h, hlen, buf_ptr(m->session_id),
	    buf_len(m->session_id), want, &keys)) != 0)
		goto out;
	if ((r = key_sign(hostkey, neg.hostkey_alg, h, hlen, sig)) != 0)
		goto out;
	if ((r = buf_put_stringb(reply, sig)) != 0)
		goto out;
	kex_keys_free(m->keys);
	m->keys = keys;
	keys = NULL;
	m->negotiated = neg;
	m->kex_count++;
	debug("monitor: signed exchange hash %u with %s (%s)", m->kex_count,
	    neg.hostkey_alg, neg.kex->name);
 out:
	sodium_memzero(h, sizeof(h));
	kex_keys_free(keys);
	kex_proposal_free(cprop);
	kex_proposal_free(sprop);
	buf_free(tmp);
	buf_free(k);
	buf_free(ks);
	buf_free(sig);
	return r;
}
