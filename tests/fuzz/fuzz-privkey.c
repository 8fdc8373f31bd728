/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the openssh-key-v1 private key file parser.  Key
 * files are local but may be damaged or planted.  The input is parsed as
 * is, and also wrapped in the armor (base64) so the fuzzer reaches the
 * binary parser directly.  A key that parses must be private, sign, and
 * write out a file that parses back to the same key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define MARK_END	"-----END OPENSSH PRIVATE KEY-----\n"

static void
check_key(const struct key *k, const char *comment)
{
	static const uint8_t msg[] = "fuzz";
	struct buf *b = buf_new();
	struct key *k2 = NULL;
	char *c2 = NULL;

	if (b == NULL || !key_is_private(k))
		abort();
	if (key_sign(k, NULL, msg, sizeof(msg) - 1, b) != 0 ||
	    key_verify(k, NULL, buf_ptr(b), buf_len(b), msg,
	    sizeof(msg) - 1) != 0)
		abort();
	buf_reset(b);
	if (key_format_private(k, comment, b) != 0 ||
	    key_parse_private(buf_ptr(b), buf_len(b), &k2, &c2) != 0 ||
	    !key_equal_public(k, k2))
		abort();
	if ((comment == NULL) != (c2 == NULL) ||
	    (comment != NULL && strcmp(comment, c2) != 0))
		abort();
	key_free(k2);
	free(c2);
	buf_free(b);
}

static void
try_parse(const uint8_t *p, size_t len)
{
	struct key *k = NULL;
	char *comment = NULL;

	if (key_parse_private(p, len, &k, &comment) == 0) {
		if (k == NULL)
			abort();
		check_key(k, comment);
	} else if (k != NULL || comment != NULL)
		abort();
	key_free(k);
	free(comment);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *text;
	char *b64;
	size_t b64len;

	if (sodium_init() < 0)
		abort();
	try_parse(data, size);

	/* The same bytes as the binary body of an armored file. */
	if (size > KEY_FILE_MAX / 2)
		return 0;
	b64len = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL || (text = buf_new()) == NULL)
		abort();
	sodium_bin2base64(b64, b64len, data, size,
	    sodium_base64_VARIANT_ORIGINAL);
	if (buf_put(text, MARK_BEGIN, strlen(MARK_BEGIN)) != 0 ||
	    buf_put(text, b64, strlen(b64)) != 0 ||
	    buf_put(text, "\n" MARK_END, 1 + strlen(MARK_END)) != 0)
		abort();
	try_parse(buf_ptr(text), buf_len(text));
	buf_free(text);
	free(b64);
	return 0;
}
