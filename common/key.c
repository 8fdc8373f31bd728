/* SPDX-License-Identifier: ISC */
/*
 * Key types, public key blobs, public key lines, fingerprints and the
 * signature wrapper, dispatching to key-ed25519.c / key-rsa.c /
 * key-ecdsa.c / key-sk.c.  Linked into the listener and the monitor
 * (root) and into every program that handles public key blobs.  Blobs,
 * lines and signatures are attacker-controlled (a client's userauth
 * request, an authorized_keys file); they are read only through struct
 * buf / txt.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/key-impl.h"
#include "common/mem.h"
#include "common/txt.h"

static const struct key_info {
	enum key_type	 type;
	const char	*name;
	const char	*short_name;
	const char	*default_sig;
} key_infos[] = {
	{ KEY_ED25519, "ssh-ed25519", "ED25519", "ssh-ed25519" },
	{ KEY_RSA, "ssh-rsa", "RSA", "rsa-sha2-512" },
	{ KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "ECDSA",
	    "ecdsa-sha2-nistp256" },
	{ KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "ECDSA",
	    "ecdsa-sha2-nistp384" },
	{ KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "ECDSA",
	    "ecdsa-sha2-nistp521" },
	{ KEY_SK_ED25519, "sk-ssh-ed25519@openssh.com", "ED25519-SK",
	    "sk-ssh-ed25519@openssh.com" },
	{ KEY_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK",
	    "sk-ecdsa-sha2-nistp256@openssh.com" },
};

/*
 * Every signature algorithm we produce or accept.  "ssh-rsa" (SHA-1) is
 * deliberately absent: it can neither be asked for nor verified.
 */
static const struct sig_info {
	const char	*name;
	enum key_type	 type;
	enum key_hash	 hash;
} sig_infos[] = {
	{ "ssh-ed25519", KEY_ED25519, KEY_HASH_NONE },
	{ "rsa-sha2-256", KEY_RSA, KEY_HASH_SHA256 },
	{ "rsa-sha2-512", KEY_RSA, KEY_HASH_SHA512 },
	{ "ecdsa-sha2-nistp256", KEY_ECDSA_P256, KEY_HASH_SHA256 },
	{ "ecdsa-sha2-nistp384", KEY_ECDSA_P384, KEY_HASH_SHA384 },
	{ "ecdsa-sha2-nistp521", KEY_ECDSA_P521, KEY_HASH_SHA512 },
	/* Security keys sign key_sk_message()'s output. */
	{ "sk-ssh-ed25519@openssh.com", KEY_SK_ED25519, KEY_HASH_NONE },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", KEY_SK_ECDSA_P256,
	    KEY_HASH_SHA256 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Base64 of a largest blob, as a public key line carries it. */
#define KEY_BLOB_B64_MAX	(((KEY_BLOB_MAX + 2) / 3) * 4)
/* A public key line: type, blank, base64, blank, comment. */
#define KEY_LINE_MAX	(NAME_MAX_LEN + 1 + KEY_BLOB_B64_MAX + 1 + \
			    KEY_COMMENT_MAX + 64)

static const struct key_info *
key_info_for(enum key_type type)
{
	size_t i;

	for (i = 0; i < NELEM(key_infos); i++)
		if (key_infos[i].type == type)
			return &key_infos[i];
	return NULL;
}

static const struct sig_info *
sig_info_for(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NELEM(sig_infos); i++)
		if (strcmp(sig_infos[i].name, name) == 0)
			return &sig_infos[i];
	return NULL;
}

int
key_crypto_init(void)
{
	return sodium_init() < 0 ? HS_ERR_CRYPTO : 0;
}

const struct key_ops *
key_ops_for(enum key_type type)
{
	switch (type) {
	case KEY_ED25519:
		return &key_ed25519_ops;
	case KEY_SK_ED25519:
		return &key_sk_ops;
#ifdef HAVE_OPENSSL
	case KEY_RSA:
		return &key_rsa_ops;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		return &key_ecdsa_ops;
	case KEY_SK_ECDSA_P256:
		return &key_sk_ops;
#endif
	default:
		return NULL;
	}
}

struct key *
key_alloc(enum key_type type)
{
	struct key *k;

	if (key_ops_for(type) == NULL)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->type = type;
	return k;
}

enum key_type
key_type_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return KEY_UNSPEC;
	for (i = 0; i < NELEM(key_infos); i++)
		if (strcmp(key_infos[i].name, name) == 0)
			return key_infos[i].type;
	return KEY_UNSPEC;
}

bool
key_type_supported(enum key_type type)
{
	return key_info_for(type) != NULL && key_ops_for(type) != NULL;
}

bool
key_type_is_sk(enum key_type type)
{
	return type == KEY_SK_ED25519 || type == KEY_SK_ECDSA_P256;
}

/* HS_ERR_KEY_TYPE for a type nobody knows, UNSUPPORTED for one we lack. */
static int
key_type_check(enum key_type type)
{
	if (key_info_for(type) == NULL)
		return HS_ERR_KEY_TYPE;
	if (key_ops_for(type) == NULL)
		return HS_ERR_KEY_UNSUPPORTED;
	return 0;
}

int
key_generate(enum key_type type, unsigned int bits, struct key **ret)
{
	struct key *k = NULL;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if ((r = key_type_check(type)) != 0)
		goto out;
	/* A security key's private key is made inside its authenticator. */
	if (key_type_is_sk(type)) {
		r = HS_ERR_KEY_UNSUPPORTED;
		goto out;
	}
	if ((r = key_crypto_init()) != 0)
		goto out;
	if ((k = key_alloc(type)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = key_ops_for(type)->generate(k, bits)) != 0)
		goto out;
	k->has_private = true;
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	return r;
}

void
key_free(struct key *k)
{
	const struct key_ops *ops;

	if (k == NULL)
		return;
	if ((ops = key_ops_for(k->type)) != NULL)
		ops->cleanup(k);
	freezero(k, sizeof(*k));
}

enum key_type
key_type(const struct key *k)
{
	return k == NULL ? KEY_UNSPEC : k->type;
}

const char *
key_type_name(const struct key *k)
{
	const struct key_info *ki;

	if (k == NULL || (ki = key_info_for(k->type)) == NULL)
		return "unknown";
	return ki->name;
}

const char *
key_type_short(const struct key *k)
{
	const struct key_info *ki;

	if (k == NULL || (ki = key_info_for(k->type)) == NULL)
		return "UNKNOWN";
	return ki->short_name;
}

unsigned int
key_bits(const struct key *k)
{
	const struct key_ops *ops;

	if (k == NULL || (ops = key_ops_for(k->type)) == NULL)
		return 0;
	return ops->bits(k);
}

const char *
key_sk_application(const struct key *k)
{
	if (k == NULL || !key_type_is_sk(k->type))
		return NULL;
	return k->sk_application;
}

bool
key_is_private(const struct key *k)
{
	return k != NULL && k->has_private;
}

int
key_to_blob(const struct key *k, struct buf *out)
{
	struct buf *b = NULL;
	int r;

	if (k == NULL || out == NULL || key_ops_for(k->type) == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_set_max_size(b, KEY_BLOB_MAX)) != 0 ||
	    (r = buf_put_cstring(b, key_type_name(k))) != 0 ||
	    (r = key_ops_for(k->type)->pub_put(k, b)) != 0)
		goto out;
	/* Appended in one go: on failure out is unchanged. */
	r = buf_putb(out, b);
 out:
	buf_free(b);
	return r;
}

int
key_from_blob(const uint8_t *blob, size_t len, struct key **ret)
{
	struct buf *b = NULL;
	struct key *k = NULL;
	char *name = NULL;
	enum key_type type;
	int r;

	if (ret == NULL || (blob == NULL && len != 0))
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (len > KEY_BLOB_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = key_crypto_init()) != 0)
		return r;
	if ((b = buf_from(blob, len)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_get_cstring(b, NAME_MAX_LEN, &name, NULL)) != 0)
		goto out;
	type = key_type_from_name(name);
	if ((r = key_type_check(type)) != 0)
		goto out;
	if ((k = key_alloc(type)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = key_ops_for(type)->pub_get(k, b)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	free(name);
	buf_free(b);
	return r;
}

bool
key_equal_public(const struct key *a, const struct key *b)
{
	struct buf *ba = NULL, *bb = NULL;
	bool eq = false;

	if (a == NULL || b == NULL || a->type != b->type)
		return false;
	if ((ba = buf_new()) == NULL || (bb = buf_new()) == NULL)
		goto out;
	if (key_to_blob(a, ba) != 0 || key_to_blob(b, bb) != 0)
		goto out;
	eq = buf_equal(ba, bb);
 out:
	buf_free(ba);
	buf_free(bb);
	return eq;
}

int
key_public_copy(const struct key *k, struct key **ret)
{
	struct buf *b = NULL;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (k == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = key_to_blob(k, b)) == 0)
		r = key_from_blob(buf_ptr(b), buf_len(b), ret);
	buf_free(b);
	return r;
}

int
key_parse_public(const char *line, size_t len, struct key **ret,
    char **ret_comment)
{
	struct txt t, l;
	struct key *k = NULL;
	char *tname = NULL, *b64 = NULL, *comment = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	enum key_type type;
	int r;

	if (ret == NULL || (line == NULL && len != 0))
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (ret_comment != NULL)
		*ret_comment = NULL;
	txt_init(&t, line, len);
	if ((r = txt_get_line(&t, KEY_LINE_MAX, &l)) != 0) {
		if (r == HS_ERR_SHORT)
			r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	/* One line, optionally ended by a newline; nothing after it. */
	if (!txt_eof(&t)) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = txt_get_word(&l, NAME_MAX_LEN, &tname)) != 0) {
		if (r == HS_ERR_SHORT)
			r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	type = key_type_from_name(tname);
	if ((r = key_type_check(type)) != 0)
		goto out;
	if ((r = txt_get_word(&l, KEY_BLOB_B64_MAX, &b64)) != 0) {
		if (r == HS_ERR_SHORT)
			r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = txt_get_rest(&l, KEY_COMMENT_MAX, &comment)) != 0)
		goto out;
	if ((blob = malloc(KEY_BLOB_MAX)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* b64_end NULL: the whole word must be canonical padded base64. */
	if (sodium_base642bin(blob, KEY_BLOB_MAX, b64, strlen(b64), NULL,
	    &bloblen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = key_from_blob(blob, bloblen, &k)) != 0)
		goto out;
	if (k->type != type) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if (ret_comment != NULL && comment[0] != '\0') {
		*ret_comment = comment;
		comment = NULL;
	}
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	free(tname);
	free(b64);
	free(comment);
	free(blob);
	return r;
}

/* A comment must stay on one line and within KEY_COMMENT_MAX. */
static int
key_comment_check(const char *comment)
{
	if (comment == NULL)
		return 0;
	if (strlen(comment) > KEY_COMMENT_MAX)
		return HS_ERR_TOO_LONG;
	if (strchr(comment, '\n') != NULL)
		return HS_ERR_INVALID_ARGUMENT;
	return 0;
}

int
key_format_public(const struct key *k, const char *comment, char **ret)
{
	struct buf *blob = NULL, *line = NULL;
	char *b64 = NULL, *s = NULL;
	size_t b64len;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (k == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = key_comment_check(comment)) != 0)
		return r;
	if ((blob = buf_new()) == NULL || (line = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = key_to_blob(k, blob)) != 0)
		goto out;
	b64len = sodium_base64_ENCODED_LEN(buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	sodium_bin2base64(b64, b64len, buf_ptr(blob), buf_len(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((r = buf_putf(line, "%s %s", key_type_name(k), b64)) != 0)
		goto out;
	if (comment != NULL && comment[0] != '\0' &&
	    (r = buf_putf(line, " %s", comment)) != 0)
		goto out;
	if ((s = malloc(buf_len(line) + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	memcpy(s, buf_ptr(line), buf_len(line));
	s[buf_len(line)] = '\0';
	*ret = s;
 out:
	free(b64);
	buf_free(blob);
	buf_free(line);
	return r;
}

int
key_fingerprint(const struct key *k, char **ret)
{
	static const char prefix[] = "SHA256:";
	struct buf *blob = NULL;
	uint8_t hash[crypto_hash_sha256_BYTES];
	size_t b64len;
	char *s = NULL;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (k == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((r = key_crypto_init()) != 0)
		return r;
	if ((blob = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = key_to_blob(k, blob)) != 0)
		goto out;
	crypto_hash_sha256(hash, buf_ptr(blob), buf_len(blob));
	b64len = sodium_base64_ENCODED_LEN(sizeof(hash),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	if ((s = malloc(sizeof(prefix) - 1 + b64len)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	memcpy(s, prefix, sizeof(prefix) - 1);
	sodium_bin2base64(s + sizeof(prefix) - 1, b64len, hash, sizeof(hash),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	*ret = s;
 out:
	buf_free(blob);
	return r;
}

int
key_fingerprint_md5(const struct key *k, char **ret)
{
#ifdef HAVE_OPENSSL
	static const char hex[] = "0123456789abcdef";
	struct buf *blob = NULL;
	uint8_t hash[16];
	unsigned int hlen = 0;
	char *s = NULL;
	size_t i;
	int r;

	if (ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (k == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if ((blob = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = key_to_blob(k, blob)) != 0)
		goto out;
	if (EVP_Digest(buf_ptr(blob), buf_len(blob), hash, &hlen, EVP_md5(),
	    NULL) != 1 || hlen != sizeof(hash)) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	/* "MD5:" and 16 "xx:" less the last colon, plus the NUL. */
	if ((s = malloc(4 + 3 * sizeof(hash))) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	memcpy(s, "MD5:", 4);
	for (i = 0; i < sizeof(hash); i++) {
		s[4 + 3 * i] = hex[hash[i] >> 4];
		s[4 + 3 * i + 1] = hex[hash[i] & 15];
		s[4 + 3 * i + 2] = i + 1 < sizeof(hash) ? ':' : '\0';
	}
	*ret = s;
	r = 0;
 out:
	buf_free(blob);
	return r;
#else
	(void)k;
	if (ret != NULL)
		*ret = NULL;
	return HS_ERR_KEY_UNSUPPORTED;
#endif
}

bool
key_sig_alg_matches(const struct key *k, const char *sig_alg)
{
	const struct sig_info *si;

	if (k == NULL || (si = sig_info_for(sig_alg)) == NULL)
		return false;
	return si->type == k->type;
}

int
key_sign(const struct key *k, const char *alg, const uint8_t *data,
    size_t datalen, struct buf *out)
{
	const struct key_info *ki;
	const struct sig_info *si;
	struct buf *sig = NULL, *blob = NULL;
	int r;

	if (k == NULL || out == NULL || (data == NULL && datalen != 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (key_type_is_sk(k->type))
		return HS_ERR_KEY_UNSUPPORTED;
	if (!k->has_private || (ki = key_info_for(k->type)) == NULL ||
	    key_ops_for(k->type) == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (alg == NULL)
		alg = ki->default_sig;
	if ((si = sig_info_for(alg)) == NULL || si->type != k->type)
		return HS_ERR_SIG_ALG;
	if ((sig = buf_new()) == NULL || (blob = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_set_max_size(blob, SIG_BLOB_MAX)) != 0 ||
	    (r = key_ops_for(k->type)->sign(k, si->hash, data, datalen,
	    blob)) != 0)
		goto out;
	if ((r = buf_put_cstring(sig, si->name)) != 0 ||
	    (r = buf_put_stringb(sig, blob)) != 0)
		goto out;
	/* Appended in one go: on failure out is unchanged. */
	r = buf_putb(out, sig);
 out:
	buf_free(sig);
	buf_free(blob);
	return r;
}

/*
 * Both signature encodings: string alg, string sigblob, and for security
 * keys byte flags, uint32 counter (PROTOCOL.u2f).  A security key signed
 * key_sk_message()'s output rather than data itself.
 */
static int
key_verify_any(const struct key *k, const char *alg, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen, uint8_t *ret_flags,
    uint32_t *ret_counter)
{
	const struct sig_info *si;
	struct buf *b = NULL, *msg = NULL;
	const uint8_t *blob;
	size_t bloblen;
	char *name = NULL;
	bool sk;
	uint8_t flags = 0;
	uint32_t counter = 0;
	int r;

	if (k == NULL || (sig == NULL && siglen != 0) ||
	    (data == NULL && datalen != 0) || key_ops_for(k->type) == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (siglen > SIG_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = key_crypto_init()) != 0)
		return r;
	sk = key_type_is_sk(k->type);
	if ((b = buf_from(sig, siglen)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_get_cstring(b, NAME_MAX_LEN, &name, NULL)) != 0 ||
	    (r = buf_get_string_direct(b, SIG_BLOB_MAX, &blob,
	    &bloblen)) != 0)
		goto out;
	/* The signature must use exactly the algorithm the caller named. */
	if (alg != NULL && strcmp(alg, name) != 0) {
		r = HS_ERR_SIG_ALG;
		goto out;
	}
	/* Only now is the layout of the rest known. */
	if ((si = sig_info_for(name)) == NULL || si->type != k->type) {
		r = HS_ERR_SIG_ALG;
		goto out;
	}
	if ((sk && (r = buf_get_u8(b, &flags)) != 0) ||
	    (sk && (r = buf_get_u32(b, &counter)) != 0) ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	if (sk) {
		if ((msg = buf_new()) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		if ((r = key_sk_message(k, flags, counter, data, datalen,
		    msg)) != 0)
			goto out;
		data = buf_ptr(msg);
		datalen = buf_len(msg);
	}
	r = key_ops_for(k->type)->verify(k, si->hash, blob, bloblen,
	    data, datalen);
	/* Nothing but a verified signature is a success. */
	if (r > 0)
		r = HS_ERR_SIGNATURE;
	if (r == 0 && ret_flags != NULL)
		*ret_flags = flags;
	if (r == 0 && ret_counter != NULL)
		*ret_counter = counter;
 out:
	free(name);
	buf_free(msg);
	buf_free(b);
	return r;
}

int
key_verify(const struct key *k, const char *alg, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen)
{
	return key_verify_any(k, alg, sig, siglen, data, datalen, NULL, NULL);
}

int
key_verify_sk(const struct key *k, const char *alg, const uint8_t *sig,
    size_t siglen, const uint8_t *data, size_t datalen, uint8_t *ret_flags,
    uint32_t *ret_counter)
{
	if (k == NULL || !key_type_is_sk(k->type))
		return HS_ERR_INVALID_ARGUMENT;
	return key_verify_any(k, alg, sig, siglen, data, datalen, ret_flags,
	    ret_counter);
}
