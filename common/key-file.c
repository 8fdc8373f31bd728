/* SPDX-License-Identifier: ISC */
/*
 * Private key files: OpenSSH's "openssh-key-v1" (PROTOCOL.key) and the
 * older PEM formats sshd still loads (PKCS#1 RSA, SEC1 EC, PKCS#8),
 * unencrypted only.  Run by the listener (root) when it loads or generates
 * host keys, and by test tools.  Key files are local but may be damaged or
 * planted, so the whole file is untrusted input, read through struct txt
 * (armor) and struct buf (binary body); the DER inside PEM armor is
 * decoded by OpenSSL 3's decoders from a bounded memory copy.  Decoded
 * private bytes live only in sodium_malloc()ed memory or in buffers that
 * are wiped when freed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/key-impl.h"
#include "common/mem.h"
#include "common/txt.h"

#define MARK_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"
#define MARK_END	"-----END OPENSSH PRIVATE KEY-----"
/* RFC 1421 header of an encrypted traditional PEM file. */
#define PROC_TYPE	"Proc-Type"
#define PROC_TYPE_ENC	"4,ENCRYPTED"
/* The magic includes its terminating NUL byte. */
#define AUTH_MAGIC	"openssh-key-v1"
#define AUTH_MAGIC_LEN	sizeof(AUTH_MAGIC)
/* Unencrypted private sections are padded to the "none" cipher's block. */
#define PRIV_BLOCK	8u
/* ssh-keygen wraps the base64 body at 70 columns. */
#define B64_COLUMNS	70u
/* Bound of the (ignored, must be empty) kdfoptions string. */
#define KDFOPTIONS_MAX	1024u

/* The armors a private key file may have. */
enum armor_kind {
	ARMOR_OPENSSH,		/* openssh-key-v1 */
	ARMOR_RSA,		/* PKCS#1 RSAPrivateKey */
	ARMOR_EC,		/* SEC1 ECPrivateKey */
	ARMOR_PKCS8,		/* PKCS#8 PrivateKeyInfo */
	ARMOR_PKCS8_ENC,	/* PKCS#8 EncryptedPrivateKeyInfo */
	ARMOR_DSA,		/* DSA: recognised only to be refused */
};

static const struct armor {
	enum armor_kind	 kind;
	const char	*begin;
	const char	*end;
	bool		 headers;	/* RFC 1421 headers may follow */
} armors[] = {
	{ ARMOR_OPENSSH, MARK_BEGIN, MARK_END, false },
	{ ARMOR_RSA, "-----BEGIN RSA PRIVATE KEY-----",
	    "-----END RSA PRIVATE KEY-----", true },
	{ ARMOR_EC, "-----BEGIN EC PRIVATE KEY-----",
	    "-----END EC PRIVATE KEY-----", true },
	{ ARMOR_PKCS8, "-----BEGIN PRIVATE KEY-----",
	    "-----END PRIVATE KEY-----", false },
	{ ARMOR_PKCS8_ENC, "-----BEGIN ENCRYPTED PRIVATE KEY-----",
	    "-----END ENCRYPTED PRIVATE KEY-----", false },
	{ ARMOR_DSA, "-----BEGIN DSA PRIVATE KEY-----",
	    "-----END DSA PRIVATE KEY-----", true },
};

/*
 * PKCS#8 PrivateKeyInfo of an Ed25519 key as OpenSSL and most tools write
 * it (RFC 8410 §7): version 0, algorithm id-Ed25519 without parameters,
 * and the 32-byte seed in an OCTET STRING inside the privateKey OCTET
 * STRING.  The DER encoding is this fixed prefix and then the seed.
 */
static const uint8_t pkcs8_ed25519_prefix[] = {
	0x30, 0x2e,			/* SEQUENCE, 46 bytes */
	0x02, 0x01, 0x00,		/* version INTEGER 0 */
	0x30, 0x05,			/* algorithm SEQUENCE */
	0x06, 0x03, 0x2b, 0x65, 0x70,	/* OID 1.3.101.112 (id-Ed25519) */
	0x04, 0x22,			/* privateKey OCTET STRING */
	0x04, 0x20,			/* CurvePrivateKey OCTET STRING */
};

/* Whether only blank lines remain. */
static bool
txt_rest_blank(struct txt *t)
{
	struct txt line;
	size_t i;

	for (i = 0; i < KEY_FILE_MAX && !txt_eof(t); i++) {
		if (txt_get_line(t, KEY_FILE_MAX, &line) != 0)
			return false;
		txt_skip_blanks(&line);
		if (!txt_eof(&line))
			return false;
	}
	return txt_eof(t);
}

/*
 * RFC 1421 headers after a traditional PEM BEGIN line, if any: they start
 * with Proc-Type and end at a blank line.  The only Proc-Type a private
 * key file has is "4,ENCRYPTED" (with DEK-Info naming cipher and IV); we
 * only need to know that the body is encrypted.
 */
static int
armor_headers(struct txt *t, bool *ret_encrypted)
{
	struct txt save = *t, line, name;
	size_t i, len = txt_left(t);

	*ret_encrypted = false;
	if (txt_get_line(t, KEY_FILE_MAX, &line) != 0 ||
	    txt_get_field(&line, ':', KEY_FILE_MAX, &name) != 0 ||
	    !txt_equals(&name, PROC_TYPE)) {
		*t = save;	/* no headers: the body starts here */
		return 0;
	}
	txt_skip_blanks(&line);
	if (!txt_equals(&line, PROC_TYPE_ENC))
		return HS_ERR_KEY_FORMAT;
	/* Every line consumes at least one byte: len bounds the loop. */
	for (i = 0; i < len; i++) {
		if (txt_get_line(t, KEY_FILE_MAX, &line) != 0)
			return HS_ERR_KEY_FORMAT;
		txt_skip_blanks(&line);
		if (txt_eof(&line)) {
			*ret_encrypted = true;
			return 0;
		}
	}
	return HS_ERR_KEY_FORMAT;
}

/*
 * Identify the armor by the first line, strip it and decode the base64
 * body into a new read-only buffer (wiped on free).  *ret_encrypted says
 * whether RFC 1421 headers declared the body encrypted.
 */
static int
armor_read(const uint8_t *data, size_t len, const struct armor **ret_armor,
    bool *ret_encrypted, struct buf **ret)
{
	const struct armor *a = NULL;
	struct txt t, line;
	struct buf *text = NULL;
	uint8_t *bin = NULL;
	size_t i, binmax = 0, binlen = 0;
	bool ended = false, encrypted = false;
	int r;

	*ret = NULL;
	*ret_armor = NULL;
	*ret_encrypted = false;
	txt_init(&t, (const char *)data, len);
	if (txt_get_line(&t, KEY_FILE_MAX, &line) != 0)
		return HS_ERR_KEY_FORMAT;
	for (i = 0; i < sizeof(armors) / sizeof(armors[0]); i++)
		if (txt_equals(&line, armors[i].begin))
			a = &armors[i];
	if (a == NULL)
		return HS_ERR_KEY_FORMAT;
	if (a->headers && (r = armor_headers(&t, &encrypted)) != 0)
		return r;
	if ((text = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_set_max_size(text, KEY_FILE_MAX)) != 0)
		goto out;
	/* Every line consumes at least one byte: len bounds the loop. */
	for (i = 0; i < len && !ended; i++) {
		if ((r = txt_get_line(&t, KEY_FILE_MAX, &line)) != 0) {
			r = HS_ERR_KEY_FORMAT;	/* no END line */
			goto out;
		}
		if (txt_equals(&line, a->end))
			ended = true;
		else if ((r = buf_put(text, txt_ptr(&line),
		    txt_left(&line))) != 0)
			goto out;
	}
	if (!ended || !txt_rest_blank(&t)) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	binmax = buf_len(text) / 4 * 3 + 3;
	if ((bin = sodium_malloc(binmax)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* b64_end NULL: all of it must be canonical padded base64. */
	if (sodium_base642bin(bin, binmax, (const char *)buf_ptr(text),
	    buf_len(text), NULL, &binlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((*ret = buf_from(bin, binlen)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	*ret_armor = a;
	*ret_encrypted = encrypted;
	r = 0;
 out:
	if (bin != NULL) {
		sodium_memzero(bin, binmax);
		sodium_free(bin);
	}
	buf_free(text);
	return r;
}

/* Padding after the last comment: 1, 2, 3, ... short of a block. */
static int
privkey_check_padding(struct buf *b)
{
	size_t i, n = buf_len(b);
	uint8_t pad;
	int r;

	if (n >= PRIV_BLOCK)
		return HS_ERR_KEY_FORMAT;
	for (i = 1; i <= n; i++) {
		if ((r = buf_get_u8(b, &pad)) != 0)
			return r;
		if (pad != (uint8_t)i)
			return HS_ERR_KEY_FORMAT;
	}
	return buf_get_end(b);
}

static int
privkey_parse(struct buf *b, struct key **ret, char **ret_comment)
{
	uint8_t magic[AUTH_MAGIC_LEN];
	char *cipher = NULL, *kdf = NULL, *tname = NULL, *comment = NULL;
	const uint8_t *pubblob;
	size_t publen, kdfoptslen;
	uint32_t nkeys, check1, check2;
	struct buf *priv = NULL;
	struct key *pub = NULL, *k = NULL;
	enum key_type type;
	int r;

	*ret = NULL;
	*ret_comment = NULL;
	if (buf_get(b, magic, sizeof(magic)) != 0 ||
	    memcmp(magic, AUTH_MAGIC, sizeof(magic)) != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = buf_get_cstring(b, NAME_MAX_LEN, &cipher, NULL)) != 0 ||
	    (r = buf_get_cstring(b, NAME_MAX_LEN, &kdf, NULL)) != 0 ||
	    (r = buf_get_string_direct(b, KDFOPTIONS_MAX, NULL,
	    &kdfoptslen)) != 0)
		goto out;
	if (strcmp(cipher, "none") != 0 || strcmp(kdf, "none") != 0) {
		r = HS_ERR_KEY_ENCRYPTED;
		goto out;
	}
	if (kdfoptslen != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = buf_get_u32(b, &nkeys)) != 0)
		goto out;
	if (nkeys != 1) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = buf_get_string_direct(b, KEY_BLOB_MAX, &pubblob,
	    &publen)) != 0 ||
	    (r = buf_froms(b, KEY_FILE_MAX, &priv)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	if ((r = key_from_blob(pubblob, publen, &pub)) != 0)
		goto out;
	if (buf_len(priv) == 0 || buf_len(priv) % PRIV_BLOCK != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if ((r = buf_get_u32(priv, &check1)) != 0 ||
	    (r = buf_get_u32(priv, &check2)) != 0)
		goto out;
	/* For encrypted files this is the wrong-passphrase test. */
	if (check1 != check2) {
		r = HS_ERR_KEY_CHECKINT;
		goto out;
	}
	if ((r = buf_get_cstring(priv, NAME_MAX_LEN, &tname, NULL)) != 0)
		goto out;
	type = key_type_from_name(tname);
	if (type == KEY_UNSPEC) {
		r = HS_ERR_KEY_TYPE;
		goto out;
	}
	if (type != key_type(pub)) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	if ((k = key_alloc(type)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = key_ops_for(type)->priv_get(k, priv)) != 0)
		goto out;
	k->has_private = true;
	if ((r = buf_get_cstring(priv, KEY_COMMENT_MAX, &comment, NULL)) != 0 ||
	    (r = privkey_check_padding(priv)) != 0)
		goto out;
	if (!key_equal_public(k, pub)) {
		r = HS_ERR_KEY_MISMATCH;
		goto out;
	}
	*ret = k;
	k = NULL;
	*ret_comment = comment;
	comment = NULL;
 out:
	key_free(k);
	key_free(pub);
	buf_free(priv);
	free(cipher);
	free(kdf);
	free(tname);
	free(comment);
	return r;
}

/* Whether der is the fixed PKCS#8 encoding of an Ed25519 key. */
static bool
pkcs8_is_ed25519(const struct buf *der)
{
	return buf_len(der) == sizeof(pkcs8_ed25519_prefix) +
	    ED25519_SEED_LEN && memcmp(buf_ptr(der), pkcs8_ed25519_prefix,
	    sizeof(pkcs8_ed25519_prefix)) == 0;
}

/* Decoded by hand in every build: no OpenSSL needed for Ed25519. */
static int
pkcs8_ed25519(struct buf *der, struct key **ret)
{
	uint8_t *seed = NULL;
	int r;

	*ret = NULL;
	if ((seed = sodium_malloc(ED25519_SEED_LEN)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_get(der, NULL, sizeof(pkcs8_ed25519_prefix))) != 0 ||
	    (r = buf_get(der, seed, ED25519_SEED_LEN)) != 0 ||
	    (r = buf_get_end(der)) != 0)
		goto out;
	r = key_ed25519_from_seed(seed, ret);
 out:
	sodium_free(seed);
	return r;
}

#ifdef HAVE_OPENSSL
/* The DER tag and definite length at *off, read through buf_peek_u8(). */
static int
der_peek_header(const struct buf *der, size_t *off, uint8_t *ret_tag,
    size_t *ret_len)
{
	uint8_t tag, l, v;
	size_t len, nb, i;

	if (buf_peek_u8(der, *off, &tag) != 0 ||
	    buf_peek_u8(der, *off + 1, &l) != 0)
		return HS_ERR_KEY_FORMAT;
	*off += 2;
	if (l < 0x80)
		len = l;
	else {
		/* A DER inside KEY_FILE_MAX has at most three length bytes. */
		nb = l & 0x7f;
		if (nb == 0 || nb > 3)
			return HS_ERR_KEY_FORMAT;
		for (len = 0, i = 0; i < nb; i++, (*off)++) {
			if (buf_peek_u8(der, *off, &v) != 0)
				return HS_ERR_KEY_FORMAT;
			len = len << 8 | v;
		}
	}
	if (*off > buf_len(der) || len > buf_len(der) - *off)
		return HS_ERR_KEY_FORMAT;
	*ret_tag = tag;
	*ret_len = len;
	return 0;
}

/*
 * OpenSSL's decoders take a structure name only as a hint and would read a
 * PKCS#1 or SEC1 body under a PKCS#8 armor, which sshd refuses.  A
 * PrivateKeyInfo (RFC 5208) is SEQUENCE { INTEGER version, SEQUENCE
 * algorithm, ... } filling the whole DER; the other two have no SEQUENCE
 * second.
 */
static int
pkcs8_check_shape(const struct buf *der)
{
	uint8_t tag;
	size_t off = 0, len;
	int r;

	if ((r = der_peek_header(der, &off, &tag, &len)) != 0)
		return r;
	if (tag != 0x30 || len != buf_len(der) - off)
		return HS_ERR_KEY_FORMAT;
	if ((r = der_peek_header(der, &off, &tag, &len)) != 0)
		return r;
	if (tag != 0x02)
		return HS_ERR_KEY_FORMAT;
	off += len;
	if ((r = der_peek_header(der, &off, &tag, &len)) != 0)
		return r;
	return tag == 0x30 ? 0 : HS_ERR_KEY_FORMAT;
}

/*
 * OpenSSL must never ask for a passphrase (its default would prompt on the
 * terminal): encrypted files are refused before they get here, and should
 * one get through, this makes its decoding fail.
 */
static int
pem_no_passphrase(char *pass, size_t pass_size, size_t *pass_len,
    const OSSL_PARAM params[], void *arg)
{
	(void)pass;
	(void)pass_size;
	(void)params;
	(void)arg;
	*pass_len = 0;
	return 0;
}

/*
 * The DER inside a PKCS#1, SEC1 or PKCS#8 armor, decoded by OpenSSL's
 * decoders into a temporary EVP_PKEY whose parts are then checked and
 * copied into a key of ours.  The whole DER must be one structure.  As
 * with sshd (OpenSSL's PEM reader), a PKCS#8 body under an RSA or EC
 * armor is read too, as long as it holds a key of the armor's type.
 */
static int
pem_decode(enum armor_kind kind, const struct buf *der, struct key **ret)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p;
	const char *structure, *keytype;
	size_t left;
	int r;

	*ret = NULL;
	switch (kind) {
	case ARMOR_RSA:
		structure = "type-specific";
		keytype = "RSA";
		break;
	case ARMOR_EC:
		structure = "type-specific";
		keytype = "EC";
		break;
	case ARMOR_PKCS8:
		if ((r = pkcs8_check_shape(der)) != 0)
			return r;
		structure = "PrivateKeyInfo";
		keytype = NULL;	/* whatever the algorithm id says */
		break;
	default:
		return HS_ERR_INTERNAL;
	}
	if ((dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure,
	    keytype, EVP_PKEY_KEYPAIR, NULL, NULL)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	/* No provider decodes this type (a restricted configuration). */
	if (OSSL_DECODER_CTX_get_num_decoders(dctx) == 0) {
		r = HS_ERR_KEY_UNSUPPORTED;
		goto out;
	}
	if (OSSL_DECODER_CTX_set_passphrase_cb(dctx, pem_no_passphrase,
	    NULL) != 1) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	p = buf_ptr(der);
	left = buf_len(der);
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL ||
	    left != 0) {
		r = HS_ERR_KEY_FORMAT;
		goto out;
	}
	if (EVP_PKEY_is_a(pkey, "RSA"))
		r = key_rsa_from_pkey(pkey, ret);
	else if (EVP_PKEY_is_a(pkey, "EC"))
		r = key_ecdsa_from_pkey(pkey, ret);
	else if (EVP_PKEY_is_a(pkey, "ED25519"))
		r = key_ed25519_from_pkey(pkey, ret);
	else	/* DSA, RSA-PSS, X25519, ... */
		r = HS_ERR_KEY_UNSUPPORTED;
 out:
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return r;
}
#endif

/*
 * A PEM private key.  Order of refusal: a type no build of ours handles
 * (DSA), or this build cannot (RSA and EC without OpenSSL), is
 * HS_ERR_KEY_UNSUPPORTED whether or not the file is encrypted, since no
 * passphrase would help; then encryption is HS_ERR_KEY_ENCRYPTED.
 */
static int
pem_parse(const struct armor *a, bool encrypted, struct buf *der,
    struct key **ret)
{
	*ret = NULL;
	if (a->kind == ARMOR_DSA)
		return HS_ERR_KEY_UNSUPPORTED;
#ifndef HAVE_OPENSSL
	if (a->kind == ARMOR_RSA || a->kind == ARMOR_EC)
		return HS_ERR_KEY_UNSUPPORTED;
#endif
	if (encrypted || a->kind == ARMOR_PKCS8_ENC)
		return HS_ERR_KEY_ENCRYPTED;
	if (a->kind == ARMOR_PKCS8 && pkcs8_is_ed25519(der))
		return pkcs8_ed25519(der, ret);
#ifdef HAVE_OPENSSL
	return pem_decode(a->kind, der, ret);
#else
	return HS_ERR_KEY_UNSUPPORTED;
#endif
}

int
key_parse_private(const uint8_t *data, size_t len, struct key **ret,
    char **ret_comment)
{
	const struct armor *a = NULL;
	struct buf *b = NULL;
	struct key *k = NULL;
	char *comment = NULL;
	bool encrypted = false;
	int r;

	if (ret == NULL || (data == NULL && len != 0))
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	if (ret_comment != NULL)
		*ret_comment = NULL;
	if (len > KEY_FILE_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = key_crypto_init()) != 0)
		return r;
	if ((r = armor_read(data, len, &a, &encrypted, &b)) != 0)
		goto out;
	/* PEM files have no comment. */
	if (a->kind != ARMOR_OPENSSH)
		r = pem_parse(a, encrypted, b, &k);
	else
		r = privkey_parse(b, &k, &comment);
	if (r != 0)
		goto out;
	if (ret_comment != NULL && comment != NULL && comment[0] != '\0') {
		*ret_comment = comment;
		comment = NULL;
	}
	*ret = k;
	k = NULL;
 out:
	key_free(k);
	free(comment);
	buf_free(b);
	return r;
}

/* The binary body: header, public blob, padded private section. */
static int
privkey_body(const struct key *k, const char *comment, struct buf *out)
{
	struct buf *pub = NULL, *priv = NULL;
	uint32_t check;
	uint8_t pad;
	int r;

	if ((pub = buf_new()) == NULL || (priv = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put(out, AUTH_MAGIC, AUTH_MAGIC_LEN)) != 0 ||
	    (r = buf_put_cstring(out, "none")) != 0 ||
	    (r = buf_put_cstring(out, "none")) != 0 ||
	    (r = buf_put_string(out, NULL, 0)) != 0 ||
	    (r = buf_put_u32(out, 1)) != 0 ||
	    (r = key_to_blob(k, pub)) != 0 ||
	    (r = buf_put_stringb(out, pub)) != 0)
		goto out;
	check = randombytes_random();
	if ((r = buf_put_u32(priv, check)) != 0 ||
	    (r = buf_put_u32(priv, check)) != 0 ||
	    (r = buf_put_cstring(priv, key_type_name(k))) != 0 ||
	    (r = key_ops_for(k->type)->priv_put(k, priv)) != 0 ||
	    (r = buf_put_cstring(priv, comment)) != 0)
		goto out;
	for (pad = 1; buf_len(priv) % PRIV_BLOCK != 0; pad++)
		if ((r = buf_put_u8(priv, pad)) != 0)
			goto out;
	r = buf_put_stringb(out, priv);
 out:
	buf_free(pub);
	buf_free(priv);
	return r;
}

int
key_format_private(const struct key *k, const char *comment,
    struct buf *out)
{
	struct buf *body = NULL, *text = NULL;
	char *b64 = NULL;
	size_t b64size = 0, b64len, off, n;
	int r;

	if (k == NULL || out == NULL || !k->has_private ||
	    key_ops_for(k->type) == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	if (comment == NULL)
		comment = "";
	if (strlen(comment) > KEY_COMMENT_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = key_crypto_init()) != 0)
		return r;
	if ((body = buf_new()) == NULL || (text = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = privkey_body(k, comment, body)) != 0)
		goto out;
	b64size = sodium_base64_ENCODED_LEN(buf_len(body),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = sodium_malloc(b64size)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	sodium_bin2base64(b64, b64size, buf_ptr(body), buf_len(body),
	    sodium_base64_VARIANT_ORIGINAL);
	b64len = strlen(b64);
	if ((r = buf_put(text, MARK_BEGIN "\n", sizeof(MARK_BEGIN))) != 0)
		goto out;
	for (off = 0; off < b64len; off += n) {
		n = b64len - off < B64_COLUMNS ? b64len - off : B64_COLUMNS;
		if ((r = buf_put(text, b64 + off, n)) != 0 ||
		    (r = buf_put_u8(text, '\n')) != 0)
			goto out;
	}
	if ((r = buf_put(text, MARK_END "\n", sizeof(MARK_END))) != 0)
		goto out;
	/* Appended in one go: on failure out is unchanged. */
	r = buf_putb(out, text);
 out:
	if (b64 != NULL) {
		sodium_memzero(b64, b64size);
		sodium_free(b64);
	}
	buf_free(body);
	buf_free(text);
	return r;
}
