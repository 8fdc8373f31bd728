/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the public key parsers and signature verification,
 * whose input a client controls (userauth "publickey" blobs and
 * signatures, authorized_keys lines).  The input is tried as a public key
 * line, as a key blob, and as an SSH signature against fixed keys of every
 * supported type, FIDO security keys included.  Every accepted blob must
 * survive a re-encode unchanged.
 *
 * Security keys get two more passes, so that arbitrary bytes reach their
 * signature code past the envelope parser: the input as the signature
 * blob of a well-formed envelope (byte flags, uint32 counter) must never
 * verify, and a genuine signature over the input, made here as an
 * authenticator would with flags and counter taken from the input, must
 * verify and return exactly those, and fail once its flags are changed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum key_type fixed_types[] = {
	KEY_ED25519, KEY_RSA, KEY_ECDSA_P256, KEY_ECDSA_P384, KEY_ECDSA_P521,
};
#define NFIXED	(sizeof(fixed_types) / sizeof(fixed_types[0]))
static struct key *fixed[NFIXED];

/* Security keys made from the fixed Ed25519 and P-256 keys. */
#define SK_APP	"ssh:"
static const struct {
	size_t		 base;		/* index into fixed[] */
	const char	*name;
} sk_types[] = {
	{ 0, "sk-ssh-ed25519@openssh.com" },
	{ 2, "sk-ecdsa-sha2-nistp256@openssh.com" },
};
#define NSK	(sizeof(sk_types) / sizeof(sk_types[0]))
static struct key *sk_fixed[NSK];
static bool initialised;

/* base's public key as a security key: its fields, then application. */
static struct key *
sk_from(const struct key *base, const char *name)
{
	struct buf *plain = buf_new(), *blob = buf_new();
	struct key *k = NULL;
	char *type = NULL;

	if (plain == NULL || blob == NULL || key_to_blob(base, plain) != 0 ||
	    buf_get_cstring(plain, 64, &type, NULL) != 0 ||
	    buf_put_cstring(blob, name) != 0 || buf_putb(blob, plain) != 0 ||
	    buf_put_cstring(blob, SK_APP) != 0 ||
	    key_from_blob(buf_ptr(blob), buf_len(blob), &k) != 0)
		abort();
	free(type);
	buf_free(plain);
	buf_free(blob);
	return k;
}

static void
init(void)
{
	size_t i;

	if (sodium_init() < 0)
		abort();
	for (i = 0; i < NFIXED; i++) {
		if (!key_type_supported(fixed_types[i]))
			continue;
		/* The smallest RSA size keeps each verification cheap. */
		if (key_generate(fixed_types[i],
		    fixed_types[i] == KEY_RSA ? 2048 : 0, &fixed[i]) != 0)
			abort();
	}
	for (i = 0; i < NSK; i++)
		if (fixed[sk_types[i].base] != NULL)
			sk_fixed[i] = sk_from(fixed[sk_types[i].base],
			    sk_types[i].name);
	initialised = true;
}

/* A blob that parsed must encode back to exactly the same bytes. */
static void
check_reencode(const struct key *k, const uint8_t *blob, size_t len)
{
	struct buf *b = buf_new();
	char *fp = NULL;

	if (b == NULL)
		abort();
	if (key_to_blob(k, b) != 0 || buf_len(b) != len ||
	    memcmp(buf_ptr(b), blob, len) != 0)
		abort();
	if (key_fingerprint(k, &fp) != 0 || fp == NULL)
		abort();
	if (key_is_private(k))
		abort();
	/* A security key has its application, and cannot sign. */
	buf_reset(b);
	if (key_type_is_sk(key_type(k)) && (key_sk_application(k) == NULL ||
	    key_sign(k, NULL, blob, len, b) != HS_ERR_KEY_UNSUPPORTED ||
	    buf_len(b) != 0))
		abort();
	if (!key_type_is_sk(key_type(k)) && key_sk_application(k) != NULL)
		abort();
	free(fp);
	buf_free(b);
}

/* string name, string blob, byte flags, uint32 counter. */
static struct buf *
sk_envelope(const char *name, const uint8_t *blob, size_t bloblen,
    uint8_t flags, uint32_t counter)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_cstring(b, name) != 0 ||
	    buf_put_string(b, blob, bloblen) != 0 ||
	    buf_put_u8(b, flags) != 0 || buf_put_u32(b, counter) != 0)
		abort();
	return b;
}

/* What an authenticator does: sign SHA256(app) || flags || counter ||
 * SHA256(data) with the key inside it. */
static struct buf *
sk_genuine(size_t i, uint8_t flags, uint32_t counter, const uint8_t *data,
    size_t size)
{
	uint8_t apph[crypto_hash_sha256_BYTES], datah[crypto_hash_sha256_BYTES];
	struct buf *msg = buf_new(), *sig = buf_new(), *out;
	const uint8_t *blob;
	size_t bloblen;
	char *alg = NULL;

	crypto_hash_sha256(apph, (const uint8_t *)SK_APP, strlen(SK_APP));
	crypto_hash_sha256(datah, data, size);
	if (msg == NULL || sig == NULL ||
	    buf_put(msg, apph, sizeof(apph)) != 0 ||
	    buf_put_u8(msg, flags) != 0 || buf_put_u32(msg, counter) != 0 ||
	    buf_put(msg, datah, sizeof(datah)) != 0 ||
	    key_sign(fixed[sk_types[i].base], NULL, buf_ptr(msg),
	    buf_len(msg), sig) != 0 ||
	    buf_get_cstring(sig, 64, &alg, NULL) != 0 ||
	    buf_get_string_direct(sig, 1024, &blob, &bloblen) != 0)
		abort();
	out = sk_envelope(sk_types[i].name, blob, bloblen, flags, counter);
	free(alg);
	buf_free(msg);
	buf_free(sig);
	return out;
}

static void
fuzz_sk(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "fuzz";
	struct buf *sig;
	uint8_t flags, rflags;
	uint32_t counter, rcounter;
	size_t i;

	if (size < 5)
		return;
	flags = data[0];
	counter = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 8 | data[4];
	for (i = 0; i < NSK; i++) {
		if (sk_fixed[i] == NULL)
			continue;
		/* Arbitrary bytes as the signature blob: a forgery. */
		sig = sk_envelope(sk_types[i].name, data + 5, size - 5, flags,
		    counter);
		if (key_verify_sk(sk_fixed[i], sk_types[i].name, buf_ptr(sig),
		    buf_len(sig), msg, sizeof(msg) - 1, NULL, NULL) == 0)
			abort();
		buf_free(sig);
		/* A genuine signature over the input. */
		sig = sk_genuine(i, flags, counter, data, size);
		rflags = (uint8_t)~flags;
		rcounter = ~counter;
		if (key_verify_sk(sk_fixed[i], sk_types[i].name, buf_ptr(sig),
		    buf_len(sig), data, size, &rflags, &rcounter) != 0 ||
		    rflags != flags || rcounter != counter ||
		    key_verify(sk_fixed[i], NULL, buf_ptr(sig), buf_len(sig),
		    data, size) != 0)
			abort();
		/* The flags byte sits before the four counter bytes. */
		buf_mutable_ptr(sig)[buf_len(sig) - 5] ^= KEY_SK_FLAG_UP;
		if (key_verify_sk(sk_fixed[i], NULL, buf_ptr(sig),
		    buf_len(sig), data, size, NULL, NULL) == 0)
			abort();
		buf_free(sig);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "fuzz";
	struct key *k = NULL;
	char *comment = NULL, *line = NULL;
	size_t i;

	if (!initialised)
		init();

	/* As a public key line. */
	if (key_parse_public((const char *)data, size, &k, &comment) == 0) {
		if (k == NULL || key_format_public(k, comment, &line) != 0)
			abort();
		free(line);
	} else if (k != NULL || comment != NULL)
		abort();
	key_free(k);
	free(comment);
	k = NULL;

	/* As a key blob. */
	if (key_from_blob(data, size, &k) == 0) {
		if (k == NULL)
			abort();
		check_reencode(k, data, size);
		(void)key_verify(k, NULL, data, size, msg, sizeof(msg) - 1);
	} else if (k != NULL)
		abort();
	key_free(k);

	/* As a signature: a forgery from random bytes must never verify. */
	for (i = 0; i < NFIXED; i++) {
		if (fixed[i] == NULL)
			continue;
		if (key_verify(fixed[i], NULL, data, size, msg,
		    sizeof(msg) - 1) == 0)
			abort();
	}
	for (i = 0; i < NSK; i++) {
		if (sk_fixed[i] == NULL)
			continue;
		if (key_verify_sk(sk_fixed[i], NULL, data, size, msg,
		    sizeof(msg) - 1, NULL, NULL) == 0)
			abort();
	}
	fuzz_sk(data, size);
	return 0;
}
