/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the private key file parsers: openssh-key-v1 and
 * the PEM formats (PKCS#1, SEC1, PKCS#8).  Key files are local but may be
 * damaged or planted.  The input is parsed as is, also wrapped in the
 * OpenSSH armor (base64) so the fuzzer reaches the binary parser
 * directly, and, from its second byte on, wrapped in the PEM armor its
 * first byte picks, so the DER reaches the PEM decoders.  A key that
 * parses must be private, sign, and write out a file that parses back to
 * the same key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/err.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define MARK_END	"-----END OPENSSH PRIVATE KEY-----\n"
/* PEM armor labels; the last one gets an encryption header. */
static const char *const pem_labels[] = {
	"RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "DSA PRIVATE KEY",
	"ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY",
};
#define PEM_NLABELS	(sizeof(pem_labels) / sizeof(pem_labels[0]))
#define PEM_COLUMNS	64u

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
#ifdef HAVE_OPENSSL
	/* Every failure path must leave OpenSSL's error queue empty. */
	if (ERR_peek_error() != 0)
		abort();
#endif
	key_free(k);
	free(comment);
}

/* p as the body of the PEM armor sel picks, 64 columns as OpenSSL writes. */
static void
try_pem(uint8_t sel, const uint8_t *p, size_t len)
{
	const char *label = pem_labels[sel % PEM_NLABELS];
	struct buf *text;
	char *b64;
	size_t b64len, blen, off, n;

	b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL || (text = buf_new()) == NULL)
		abort();
	sodium_bin2base64(b64, b64len, p, len, sodium_base64_VARIANT_ORIGINAL);
	if (buf_putf(text, "-----BEGIN %s-----\n", label) != 0)
		abort();
	if (sel % PEM_NLABELS == PEM_NLABELS - 1 &&
	    buf_putf(text, "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n") != 0)
		abort();
	blen = strlen(b64);
	for (off = 0; off < blen; off += n) {
		n = blen - off < PEM_COLUMNS ? blen - off : PEM_COLUMNS;
		if (buf_put(text, b64 + off, n) != 0 ||
		    buf_put_u8(text, '\n') != 0)
			abort();
	}
	if (buf_putf(text, "-----END %s-----\n", label) != 0)
		abort();
	try_parse(buf_ptr(text), buf_len(text));
	buf_free(text);
	free(b64);
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

	/* The rest as the DER of a PEM file. */
	if (size > 0)
		try_pem(data[0], data + 1, size - 1);
	return 0;
}
