/* SPDX-License-Identifier: ISC */
/*
 * OpenSSH "openssh-key-v1" private key files (OpenSSH's PROTOCOL.key),
 * unencrypted only.  Run by the listener (root) when it loads or generates
 * host keys, and by test tools.  Key files are local but may be damaged or
 * planted, so the whole file is untrusted input, read through struct txt
 * (armor) and struct buf (binary body).  Decoded private bytes live only
 * in sodium_malloc()ed memory or in buffers that are wiped when freed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/key-impl.h"
#include "common/mem.h"
#include "common/txt.h"

#define MARK_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"
#define MARK_END	"-----END OPENSSH PRIVATE KEY-----"
/* The magic includes its terminating NUL byte. */
#define AUTH_MAGIC	"openssh-key-v1"
#define AUTH_MAGIC_LEN	sizeof(AUTH_MAGIC)
/* Unencrypted private sections are padded to the "none" cipher's block. */
#define PRIV_BLOCK	8u
/* ssh-keygen wraps the base64 body at 70 columns. */
#define B64_COLUMNS	70u
/* Bound of the (ignored, must be empty) kdfoptions string. */
#define KDFOPTIONS_MAX	1024u

static bool
txt_is(const struct txt *t, const char *s)
{
	size_t len = strlen(s);

	return txt_left(t) == len && memcmp(txt_ptr(t), s, len) == 0;
}

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
 * Strip the armor and decode the base64 body into a new read-only buffer
 * (wiped on free).
 */
static int
privkey_dearmor(const uint8_t *data, size_t len, struct buf **ret)
{
	struct txt t, line;
	struct buf *text = NULL;
	uint8_t *bin = NULL;
	size_t i, binmax = 0, binlen = 0;
	bool ended = false;
	int r;

	*ret = NULL;
	txt_init(&t, (const char *)data, len);
	if (txt_get_line(&t, KEY_FILE_MAX, &line) != 0 ||
	    !txt_is(&line, MARK_BEGIN))
		return HS_ERR_KEY_FORMAT;
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
		if (txt_is(&line, MARK_END))
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

int
key_parse_private(const uint8_t *data, size_t len, struct key **ret,
    char **ret_comment)
{
	struct buf *b = NULL;
	struct key *k = NULL;
	char *comment = NULL;
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
	if ((r = privkey_dearmor(data, len, &b)) != 0)
		goto out;
	if ((r = privkey_parse(b, &k, &comment)) != 0)
		goto out;
	if (ret_comment != NULL && comment[0] != '\0') {
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
