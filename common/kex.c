/* SPDX-License-Identifier: ISC */
/*
 * Key exchange: algorithm table, KEXINIT build/parse, negotiation, the
 * exchange hash and the key derivation.  Runs in the pre-auth child and the
 * session process (unprivileged, sandboxed; the peer KEXINIT is
 * attacker-controlled and read only through struct buf and struct txt)
 * and in the monitor (which repeats negotiation, hash and derivation on
 * inputs relayed by a child it does not trust).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#endif

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mac.h"
#include "common/mem.h"
#include "common/txt.h"

static const struct kex_alg kex_algs[] = {
	{ "curve25519-sha256", KEX_FAMILY_CURVE25519, KEX_HASH_SHA256,
	    KEX_GROUP_NONE },
	{ "curve25519-sha256@libssh.org", KEX_FAMILY_CURVE25519,
	    KEX_HASH_SHA256, KEX_GROUP_NONE },
#ifdef HAVE_OPENSSL
	{ "ecdh-sha2-nistp256", KEX_FAMILY_ECDH, KEX_HASH_SHA256,
	    KEX_GROUP_P256 },
	{ "ecdh-sha2-nistp384", KEX_FAMILY_ECDH, KEX_HASH_SHA384,
	    KEX_GROUP_P384 },
	{ "ecdh-sha2-nistp521", KEX_FAMILY_ECDH, KEX_HASH_SHA512,
	    KEX_GROUP_P521 },
	{ "diffie-hellman-group16-sha512", KEX_FAMILY_DH, KEX_HASH_SHA512,
	    KEX_GROUP_MODP16 },
	{ "diffie-hellman-group18-sha512", KEX_FAMILY_DH, KEX_HASH_SHA512,
	    KEX_GROUP_MODP18 },
	{ "diffie-hellman-group14-sha256", KEX_FAMILY_DH, KEX_HASH_SHA256,
	    KEX_GROUP_MODP14 },
#endif
};

#define NKEX (sizeof(kex_algs) / sizeof(kex_algs[0]))

const struct kex_alg *
kex_alg_at(size_t i)
{
	return i < NKEX ? &kex_algs[i] : NULL;
}

const struct kex_alg *
kex_alg_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NKEX; i++) {
		if (strcmp(kex_algs[i].name, name) == 0)
			return &kex_algs[i];
	}
	return NULL;
}

size_t
kex_hash_len(const struct kex_alg *k)
{
	switch (k->hash) {
	case KEX_HASH_SHA256:
		return 32;
	case KEX_HASH_SHA384:
		return 48;
	default:
		return 64;
	}
}

int
kex_server(const struct kex_alg *k, const uint8_t *client_pub, size_t len,
    struct buf *server_pub_out, struct buf *shared_secret_out)
{
	if (k == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	switch (k->family) {
	case KEX_FAMILY_CURVE25519:
		return kex_curve25519_server(client_pub, len, server_pub_out,
		    shared_secret_out);
#ifdef HAVE_OPENSSL
	case KEX_FAMILY_ECDH:
		return kex_ecdh_server(k->group, client_pub, len,
		    server_pub_out, shared_secret_out);
	case KEX_FAMILY_DH:
		return kex_dh_server(k->group, client_pub, len,
		    server_pub_out, shared_secret_out);
#endif
	default:
		return HS_ERR_KEY_UNSUPPORTED;
	}
}

/* ---- hashing ------------------------------------------------------------ */

/* SHA-256 and SHA-512 from libsodium; SHA-384 (ecdh-sha2-nistp384 only,
 * which needs OpenSSL anyway) from OpenSSL. */
static int
kex_digest(enum kex_hash_alg alg, const uint8_t *d, size_t len, uint8_t *out)
{
	switch (alg) {
	case KEX_HASH_SHA256:
		crypto_hash_sha256(out, d, len);
		return 0;
	case KEX_HASH_SHA512:
		crypto_hash_sha512(out, d, len);
		return 0;
	case KEX_HASH_SHA384:
#ifdef HAVE_OPENSSL
		if (EVP_Digest(d, len, out, NULL, EVP_sha384(), NULL) != 1)
			return HS_ERR_CRYPTO;
		return 0;
#endif
	default:
		return HS_ERR_KEY_UNSUPPORTED;
	}
}

static int
kex_digest_buf(const struct kex_alg *k, const struct buf *b, uint8_t *out)
{
	return kex_digest(k->hash, buf_ptr(b), buf_len(b), out);
}

int
kex_hash(const struct kex_alg *k, const struct kex_hash_input *in,
    uint8_t *hash, size_t hashlen)
{
	struct buf *b = NULL;
	int r = HS_ERR_INTERNAL;

	if (k == NULL || in == NULL || in->k == NULL || hash == NULL ||
	    hashlen < kex_hash_len(k))
		return HS_ERR_INVALID_ARGUMENT;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_string(b, in->v_c, in->v_c_len)) != 0 ||
	    (r = buf_put_string(b, in->v_s, in->v_s_len)) != 0 ||
	    (r = buf_put_string(b, in->i_c, in->i_c_len)) != 0 ||
	    (r = buf_put_string(b, in->i_s, in->i_s_len)) != 0 ||
	    (r = buf_put_string(b, in->k_s, in->k_s_len)) != 0)
		goto out;
	if (k->family == KEX_FAMILY_DH) {
		if ((r = buf_put_mpint(b, in->q_c, in->q_c_len)) != 0 ||
		    (r = buf_put_mpint(b, in->q_s, in->q_s_len)) != 0)
			goto out;
	} else {
		if ((r = buf_put_string(b, in->q_c, in->q_c_len)) != 0 ||
		    (r = buf_put_string(b, in->q_s, in->q_s_len)) != 0)
			goto out;
	}
	if ((r = buf_putb(b, in->k)) != 0 ||
	    (r = kex_digest_buf(k, b, hash)) != 0)
		goto out;
	r = 0;
 out:
	buf_free(b);	/* wipes K */
	return r;
}

void
kex_keys_free(struct kex_keys *keys)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if (keys->key[i] != NULL)
			sodium_free(keys->key[i]);
	}
	freezero(keys, sizeof(*keys));
}

/* One key of RFC 4253 §7.2 into out (want bytes). */
static int
kex_derive_one(const struct kex_alg *k, const struct buf *K, const uint8_t *h,
    size_t hlen, char letter, const uint8_t *sid, size_t sidlen, uint8_t *out,
    size_t want)
{
	uint8_t acc[KEX_DERIVED_MAX + KEX_HASH_MAX];
	size_t have = 0, hl = kex_hash_len(k);
	struct buf *b = NULL;
	int r = HS_ERR_INTERNAL;

	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_putb(b, K)) != 0 || (r = buf_put(b, h, hlen)) != 0 ||
	    (r = buf_put_u8(b, (uint8_t)letter)) != 0 ||
	    (r = buf_put(b, sid, sidlen)) != 0 ||
	    (r = kex_digest_buf(k, b, acc)) != 0)
		goto out;
	have = hl;
	/* Kn+1 = HASH(K || H || K1 || ... || Kn) */
	while (have < want) {
		buf_reset(b);
		if ((r = buf_putb(b, K)) != 0 ||
		    (r = buf_put(b, h, hlen)) != 0 ||
		    (r = buf_put(b, acc, have)) != 0 ||
		    (r = kex_digest_buf(k, b, acc + have)) != 0)
			goto out;
		have += hl;
	}
	memcpy(out, acc, want);
	r = 0;
 out:
	sodium_memzero(acc, sizeof(acc));
	buf_free(b);
	return r;
}

int
kex_derive_keys(const struct kex_alg *k, const struct buf *K,
    const uint8_t *h, size_t hlen, const uint8_t *session_id,
    size_t session_id_len, const size_t want[KEX_KEY_MAX],
    struct kex_keys **ret)
{
	struct kex_keys *keys = NULL;
	size_t i;
	int r = HS_ERR_INTERNAL;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (k == NULL || K == NULL || h == NULL || hlen == 0 ||
	    hlen > KEX_HASH_MAX || session_id == NULL ||
	    session_id_len == 0 || session_id_len > KEX_HASH_MAX ||
	    want == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if (want[i] > KEX_DERIVED_MAX)
			return HS_ERR_INVALID_ARGUMENT;
	}
	if ((keys = calloc(1, sizeof(*keys))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < KEX_KEY_MAX; i++) {
		if (want[i] == 0)
			continue;
		if ((keys->key[i] = sodium_malloc(want[i])) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		keys->len[i] = want[i];
		if ((r = kex_derive_one(k, K, h, hlen, (char)('A' + i),
		    session_id, session_id_len, keys->key[i], want[i])) != 0)
			goto out;
	}
	*ret = keys;
	keys = NULL;
	r = 0;
 out:
	kex_keys_free(keys);
	return r;
}

/* ---- KEXINIT ------------------------------------------------------------ */

/*
 * Next name of a validated name-list, copied into name.  Returns 0,
 * HS_ERR_SHORT at the end, HS_ERR_BAD_NAMELIST for an overlong name.
 */
static int
namelist_next(struct txt *t, char name[NAME_MAX_LEN + 1])
{
	size_t n = 0;
	int c;

	name[0] = '\0';
	if (txt_eof(t))
		return HS_ERR_SHORT;
	while ((c = txt_peek(t)) != -1 && c != ',') {
		if (n >= NAME_MAX_LEN)
			return HS_ERR_BAD_NAMELIST;
		name[n++] = (char)c;
		(void)txt_accept(t, (char)c);
	}
	(void)txt_accept(t, ',');
	name[n] = '\0';
	return 0;
}

static bool
namelist_has(const char *list, const char *name)
{
	char cur[NAME_MAX_LEN + 1];
	struct txt t;
	size_t i;

	txt_init(&t, list, strlen(list));
	/* A valid list of at most NAMELIST_MAX bytes has fewer names. */
	for (i = 0; i <= NAMELIST_MAX; i++) {
		if (namelist_next(&t, cur) != 0)
			return false;
		if (strcmp(cur, name) == 0)
			return true;
	}
	return false;
}

static int
namelist_check(const char *s)
{
	size_t len;

	if (s == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	len = strlen(s);
	if (len > NAMELIST_MAX)
		return HS_ERR_TOO_LONG;
	if (!namelist_is_valid(s, len))
		return HS_ERR_BAD_NAMELIST;
	return 0;
}

int
kex_kexinit_build(const char *const props[KEX_PROP_MAX], bool server,
    struct buf *out)
{
	const char *markers[2];
	struct buf *kexlist = NULL, *msg = NULL;
	uint8_t cookie[KEX_COOKIE_LEN];
	size_t i;
	int r = HS_ERR_INTERNAL;

	if (props == NULL || out == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < KEX_PROP_MAX; i++) {
		if ((r = namelist_check(props[i])) != 0)
			return r;
	}
	markers[0] = server ? KEX_EXT_INFO_S : KEX_EXT_INFO_C;
	markers[1] = server ? KEX_STRICT_S : KEX_STRICT_C;
	if ((kexlist = buf_new()) == NULL || (msg = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put(kexlist, props[KEX_PROP_KEX],
	    strlen(props[KEX_PROP_KEX]))) != 0)
		goto out;
	for (i = 0; i < 2; i++) {
		if (namelist_has(props[KEX_PROP_KEX], markers[i]))
			continue;
		if ((buf_len(kexlist) > 0 &&
		    (r = buf_put_u8(kexlist, ',')) != 0) ||
		    (r = buf_put(kexlist, markers[i], strlen(markers[i]))) != 0)
			goto out;
	}
	if (buf_len(kexlist) > NAMELIST_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	randombytes_buf(cookie, sizeof(cookie));
	if ((r = buf_put_u8(msg, SSH2_MSG_KEXINIT)) != 0 ||
	    (r = buf_put(msg, cookie, sizeof(cookie))) != 0 ||
	    (r = buf_put_stringb(msg, kexlist)) != 0)
		goto out;
	for (i = 1; i < KEX_PROP_MAX; i++) {
		if ((r = buf_put_cstring(msg, props[i])) != 0)
			goto out;
	}
	if ((r = buf_put_bool(msg, false)) != 0 ||
	    (r = buf_put_u32(msg, 0)) != 0 ||
	    (r = buf_putb(out, msg)) != 0)
		goto out;
	r = 0;
 out:
	buf_free(kexlist);
	buf_free(msg);
	return r;
}

void
kex_proposal_free(struct kex_proposal *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < KEX_PROP_MAX; i++)
		free(p->names[i]);
	freezero(p, sizeof(*p));
}

int
kex_kexinit_parse(struct buf *payload, struct kex_proposal **ret)
{
	struct kex_proposal *p = NULL;
	uint8_t type;
	size_t i;
	int r = HS_ERR_INTERNAL;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (payload == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_get_u8(payload, &type)) != 0)
		goto out;
	if (type != SSH2_MSG_KEXINIT) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((r = buf_get(payload, p->cookie, sizeof(p->cookie))) != 0)
		goto out;
	for (i = 0; i < KEX_PROP_MAX; i++) {
		if ((r = buf_get_namelist(payload, NAMELIST_MAX,
		    &p->names[i])) != 0)
			goto out;
	}
	if ((r = buf_get_bool(payload, &p->first_kex_follows)) != 0 ||
	    (r = buf_get_u32(payload, &p->reserved)) != 0 ||
	    (r = buf_get_end(payload)) != 0)
		goto out;
	*ret = p;
	p = NULL;
	r = 0;
 out:
	kex_proposal_free(p);
	return r;
}

/* ---- negotiation -------------------------------------------------------- */

typedef bool choose_ok_fn(const char *name);

static bool
ok_kex(const char *name)
{
	/* Markers are not in the table, so they are never chosen. */
	return kex_alg_by_name(name) != NULL;
}

static bool
ok_any(const char *name)
{
	return true;
}

static bool
ok_cipher(const char *name)
{
	return cipher_is_available(cipher_by_name(name));
}

static bool
ok_mac(const char *name)
{
	return mac_by_name(name) != NULL;
}

static bool
ok_comp(const char *name)
{
	return strcmp(name, "none") == 0;
}

/* First name of client that server also lists and ok() accepts. */
static int
choose(const char *client, const char *server, choose_ok_fn *ok,
    char out[NAME_MAX_LEN + 1])
{
	char cur[NAME_MAX_LEN + 1];
	struct txt t;
	size_t i;

	out[0] = '\0';
	txt_init(&t, client, strlen(client));
	for (i = 0; i <= NAMELIST_MAX; i++) {
		if (namelist_next(&t, cur) != 0)
			break;
		if (ok(cur) && namelist_has(server, cur)) {
			memcpy(out, cur, sizeof(cur));
			return 0;
		}
	}
	return HS_ERR_NO_MATCH;
}

/* First names of two lists equal? (RFC 4253 §7: the guess is right only
 * if both sides prefer the same algorithm.) */
static bool
same_first(const char *a, const char *b)
{
	char fa[NAME_MAX_LEN + 1], fb[NAME_MAX_LEN + 1];
	struct txt ta, tb;

	txt_init(&ta, a, strlen(a));
	txt_init(&tb, b, strlen(b));
	if (namelist_next(&ta, fa) != 0 || namelist_next(&tb, fb) != 0)
		return false;
	return strcmp(fa, fb) == 0;
}

int
kex_negotiate(const struct kex_proposal *client,
    const struct kex_proposal *server, bool initial,
    struct kex_negotiated *ret)
{
	char name[NAME_MAX_LEN + 1];
	size_t i;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	memset(ret, 0, sizeof(*ret));
	if (client == NULL || server == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	for (i = 0; i < KEX_PROP_MAX; i++) {
		if (client->names[i] == NULL || server->names[i] == NULL)
			return HS_ERR_INVALID_ARGUMENT;
	}
	if ((r = choose(client->names[KEX_PROP_KEX],
	    server->names[KEX_PROP_KEX], ok_kex, name)) != 0)
		goto out;
	ret->kex = kex_alg_by_name(name);
	if ((r = choose(client->names[KEX_PROP_HOSTKEY],
	    server->names[KEX_PROP_HOSTKEY], ok_any, ret->hostkey_alg)) != 0)
		goto out;
	if ((r = choose(client->names[KEX_PROP_ENC_C2S],
	    server->names[KEX_PROP_ENC_C2S], ok_cipher, name)) != 0)
		goto out;
	ret->enc_c2s = cipher_by_name(name);
	if ((r = choose(client->names[KEX_PROP_ENC_S2C],
	    server->names[KEX_PROP_ENC_S2C], ok_cipher, name)) != 0)
		goto out;
	ret->enc_s2c = cipher_by_name(name);
	if (ret->enc_c2s->needs_mac) {
		if ((r = choose(client->names[KEX_PROP_MAC_C2S],
		    server->names[KEX_PROP_MAC_C2S], ok_mac, name)) != 0)
			goto out;
		ret->mac_c2s = mac_by_name(name);
	}
	if (ret->enc_s2c->needs_mac) {
		if ((r = choose(client->names[KEX_PROP_MAC_S2C],
		    server->names[KEX_PROP_MAC_S2C], ok_mac, name)) != 0)
			goto out;
		ret->mac_s2c = mac_by_name(name);
	}
	if ((r = choose(client->names[KEX_PROP_COMP_C2S],
	    server->names[KEX_PROP_COMP_C2S], ok_comp, name)) != 0 ||
	    (r = choose(client->names[KEX_PROP_COMP_S2C],
	    server->names[KEX_PROP_COMP_S2C], ok_comp, name)) != 0)
		goto out;
	if (client->first_kex_follows &&
	    (!same_first(client->names[KEX_PROP_KEX],
	    server->names[KEX_PROP_KEX]) ||
	    !same_first(client->names[KEX_PROP_HOSTKEY],
	    server->names[KEX_PROP_HOSTKEY])))
		ret->ignore_guessed_packet = true;
	if (initial) {
		ret->ext_info_c = namelist_has(client->names[KEX_PROP_KEX],
		    KEX_EXT_INFO_C);
		ret->strict_kex = namelist_has(client->names[KEX_PROP_KEX],
		    KEX_STRICT_C);
	}
	r = 0;
 out:
	if (r != 0)
		memset(ret, 0, sizeof(*ret));
	return r;
}

void
kex_key_sizes(const struct kex_negotiated *n, size_t want[KEX_KEY_MAX])
{
	want[KEX_KEY_IV_C2S] = n->enc_c2s->iv_len;
	want[KEX_KEY_IV_S2C] = n->enc_s2c->iv_len;
	want[KEX_KEY_ENC_C2S] = n->enc_c2s->key_len;
	want[KEX_KEY_ENC_S2C] = n->enc_s2c->key_len;
	want[KEX_KEY_MAC_C2S] = n->mac_c2s != NULL ? n->mac_c2s->key_len : 0;
	want[KEX_KEY_MAC_S2C] = n->mac_s2c != NULL ? n->mac_s2c->key_len : 0;
}

int
kex_keys_contexts(const struct kex_negotiated *n, const struct kex_keys *keys,
    bool server, bool incoming, struct cipher_ctx **ret_cipher,
    struct mac_ctx **ret_mac)
{
	const struct cipher *c;
	const struct mac *m;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;
	bool c2s = server == incoming;
	int iv = c2s ? KEX_KEY_IV_C2S : KEX_KEY_IV_S2C;
	int enc = c2s ? KEX_KEY_ENC_C2S : KEX_KEY_ENC_S2C;
	int mk = c2s ? KEX_KEY_MAC_C2S : KEX_KEY_MAC_S2C;
	int r = HS_ERR_INTERNAL;

	if (ret_cipher == NULL || ret_mac == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret_cipher = NULL;
	*ret_mac = NULL;
	if (n == NULL || keys == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	c = c2s ? n->enc_c2s : n->enc_s2c;
	m = c2s ? n->mac_c2s : n->mac_s2c;
	if (c == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = cipher_init(&cc, c, keys->key[enc], keys->len[enc],
	    keys->key[iv], keys->len[iv], !incoming)) != 0)
		goto out;
	if (m != NULL && (r = mac_init(&mc, m, keys->key[mk],
	    keys->len[mk])) != 0)
		goto out;
	*ret_cipher = cc;
	*ret_mac = mc;
	cc = NULL;
	mc = NULL;
	r = 0;
 out:
	cipher_free(cc);
	mac_free(mc);
	return r;
}
