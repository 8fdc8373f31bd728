/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for RPC_SESSION_INIT bodies (common/sessinit.c), the
 * first message an hsshd-session parses.  Each input is used twice: as a
 * body on its own, and as edits (offset, byte) to a valid body so the
 * fuzzer reaches the later fields without a seed corpus.  A body that
 * parses must serialise again to exactly the same bytes.  Any crash, leak
 * or sanitizer report is a bug.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/sessinit.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct buf *fuzz_base;

static void
fuzz_fill(struct buf *b, size_t len, uint8_t v)
{
	uint8_t *p;

	if (buf_put_u32(b, (uint32_t)len) != 0 || buf_reserve(b, len, &p) != 0)
		abort();
	memset(p, v, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const algs[] = { "curve25519-sha256", "ssh-ed25519",
	    "aes128-ctr", "aes128-ctr", "hmac-sha2-256", "" };
	struct buf *b;
	size_t i;
	int r = 0;

	(void)argc;
	(void)argv;
	if ((fuzz_base = b = buf_new()) == NULL)
		abort();
	r |= buf_put_u32(b, SESSINIT_VERSION);
	r |= buf_put_cstring(b, "alice");
	r |= buf_put_u32(b, 1000);
	r |= buf_put_u32(b, 1000);
	r |= buf_put_cstring(b, "/home/alice");
	r |= buf_put_cstring(b, "/bin/sh");
	r |= buf_put_cstring(b, "192.0.2.1");
	r |= buf_put_u32(b, 50000);
	r |= buf_put_cstring(b, "192.0.2.2");
	r |= buf_put_u32(b, 22);
	for (i = 0; i < 6; i++)
		r |= buf_put_cstring(b, algs[i]);
	r |= buf_put_bool(b, true);
	fuzz_fill(b, 32, 1);
	r |= buf_put_cstring(b, "SSH-2.0-a");
	r |= buf_put_cstring(b, "SSH-2.0-b");
	for (i = 0; i < KEX_KEY_MAX; i++)
		fuzz_fill(b, i < 2 ? 16 : 32, (uint8_t)i);
	fuzz_fill(b, 40, 0);
	r |= buf_put_u32(b, 2);
	r |= buf_put_cstring(b, "ssh-ed25519");
	fuzz_fill(b, 51, 3);
	r |= buf_put_cstring(b, "rsa-sha2-512,rsa-sha2-256");
	fuzz_fill(b, 20, 4);
	fuzz_fill(b, 12, 5);
	r |= buf_put_cstring(b, "no-pty");
	r |= buf_put_u32(b, 2);
	r |= buf_put_cstring(b, "LANG=C");
	r |= buf_put_cstring(b, "X=");
	r |= buf_put_u8(b, 3);
	r |= buf_put_cstring(b, "/srv/jail");
	r |= buf_put_u64(b, 1700000000u);
	r |= buf_put_cstring(b, "192.0.2.9");
	r |= buf_put_cstring(b, "Welcome\n");
	if (r != 0)
		abort();
	return 0;
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	struct session_init *s = NULL, *again = NULL;
	struct buf *out;

	if (sessinit_parse(data, size, &s) != 0) {
		if (s != NULL)
			abort();
		return;
	}
	if ((out = buf_new()) == NULL)
		abort();
	if (sessinit_serialize(s, out) != 0 || buf_len(out) != size ||
	    memcmp(buf_ptr(out), data, size) != 0)
		abort();
	if (sessinit_parse(buf_ptr(out), buf_len(out), &again) != 0)
		abort();
	sessinit_free(again);
	sessinit_free(s);
	buf_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *edited;
	size_t len = buf_len(fuzz_base), i, off;

	fuzz_one(data, size);
	/* The valid body, edited: (u16 offset, u8 value) triples. */
	if ((edited = malloc(len)) == NULL)
		abort();
	memcpy(edited, buf_ptr(fuzz_base), len);
	for (i = 0; i + 3 <= size; i += 3) {
		off = ((size_t)data[i] << 8 | data[i + 1]) % len;
		edited[off] = data[i + 2];
	}
	fuzz_one(edited, size % 7 == 0 ? len : len - (size % 7));
	free(edited);
	return 0;
}
