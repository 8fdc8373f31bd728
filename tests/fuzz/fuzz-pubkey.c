/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the public key parsers and signature verification,
 * whose input a client controls (userauth "publickey" blobs and
 * signatures, authorized_keys lines).  The input is tried as a public key
 * line, as a key blob, and as an SSH signature against fixed keys of every
 * supported type.  Every accepted blob must survive a re-encode unchanged.
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
static bool initialised;

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
	free(fp);
	buf_free(b);
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
	return 0;
}
