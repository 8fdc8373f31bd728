/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for authorized_keys lines (policy/authkeys.c), the
 * text a user writes and the monitor parses as root.  Each input is used
 * three times:
 *  - as a whole line;
 *  - as the options of a line: the input, a blank and a valid key, which
 *    reaches every option without a seed corpus;
 *  - as serialised options.
 * Whatever parses must serialise, deserialise to equal options, and
 * serialise to the same bytes again; the from=, expiry and authorise
 * checks run on it.  Serialised bytes that are accepted must be exactly
 * what serialising the result gives (one encoding per option set), and a
 * rejected input must not have been consumed.  A mismatch aborts; any
 * crash, leak or sanitizer report is a bug.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "policy/authkeys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct key *fuzz_key;
static char *fuzz_pub;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (key_generate(KEY_ED25519, 0, &fuzz_key) != 0 ||
	    key_format_public(fuzz_key, NULL, &fuzz_pub) != 0)
		abort();
	return 0;
}

/* Serialise o and check the round trip. */
static void
fuzz_roundtrip(const struct authkey_opts *o)
{
	struct authkey_opts *d = NULL;
	struct buf *b1, *b2;
	size_t len;

	if ((b1 = buf_new()) == NULL || (b2 = buf_new()) == NULL)
		abort();
	/* Whatever a line of AUTHKEYS_LINE_MAX holds must fit. */
	if (authkey_opts_serialize(o, b1) != 0)
		abort();
	len = buf_len(b1);
	if (len > 4 + AUTHKEY_OPTS_SERIAL_MAX ||
	    authkey_opts_deserialize(b1, &d) != 0 || buf_len(b1) != 0 ||
	    !authkey_opts_equal(o, d) || authkey_opts_serialize(d, b2) != 0 ||
	    buf_len(b2) != len)
		abort();
	authkey_opts_free(d);
	buf_free(b1);
	buf_free(b2);
}

static void
fuzz_checks(const struct authkey_opts *o)
{
	static const char *const addrs[] = {
		"10.1.2.3", "192.0.2.1", "2001:db8::1", "::ffff:10.0.0.1",
	};
	const char *why;
	size_t i;
	bool expired;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		(void)authkey_opts_from_ok(o, addrs[i], addrs[i]);
		(void)authkey_opts_from_ok(o, addrs[i], "host.example.com");
	}
	expired = authkey_opts_expired(o, 1893456000);
	if (authkey_opts_authorise(o, "10.1.2.3", "h.example.com", 1893456000,
	    &why) == 0) {
		if (expired || why != NULL || o->principals != NULL)
			abort();
	} else if (why == NULL)
		abort();
	if (o->from == NULL && o->principals == NULL &&
	    (authkey_opts_authorise(o, NULL, NULL, 0, NULL) != 0))
		abort();
}

static void
fuzz_line(const char *line, size_t len)
{
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char *err = NULL;
	int r;

	r = authkeys_parse_line(line, len, &k, &o, &err);
	if (r == 0) {
		if (k == NULL || o == NULL || err != NULL)
			abort();
		fuzz_roundtrip(o);
		fuzz_checks(o);
	} else if (k != NULL || o != NULL)
		abort();
	key_free(k);
	authkey_opts_free(o);
	free(err);
}

static void
fuzz_serial(const uint8_t *data, size_t size)
{
	struct authkey_opts *o = NULL;
	struct buf *in, *again;
	size_t before;

	if ((in = buf_from(data, size)) == NULL ||
	    (again = buf_new()) == NULL)
		abort();
	before = buf_len(in);
	if (authkey_opts_deserialize(in, &o) == 0) {
		/* One encoding per option set: what was consumed is what
		 * serialising gives. */
		if (authkey_opts_serialize(o, again) != 0 ||
		    buf_len(again) != before - buf_len(in) ||
		    memcmp(buf_ptr(again), data, buf_len(again)) != 0)
			abort();
		fuzz_checks(o);
	} else if (o != NULL || buf_len(in) != before)
		abort();
	authkey_opts_free(o);
	buf_free(in);
	buf_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	size_t publen = strlen(fuzz_pub);

	fuzz_line((const char *)data, size);
	if (size <= AUTHKEYS_LINE_MAX) {
		if ((line = malloc(size + 1 + publen)) == NULL)
			abort();
		memcpy(line, data, size);
		line[size] = ' ';
		memcpy(line + size + 1, fuzz_pub, publen);
		fuzz_line(line, size + 1 + publen);
		free(line);
	}
	fuzz_serial(data, size);
	return 0;
}
