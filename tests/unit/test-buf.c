/* SPDX-License-Identifier: ISC */
/* Unit tests of common/buf: every wire type at and past its bounds. */
#include "config.h"

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "tests/tap.h"

static struct buf *
mk(const char *hex)
{
	unsigned char tmp[4096];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *b = buf_new();

	if (b == NULL || buf_put(b, tmp, n) != 0)
		abort();
	return b;
}

static void
test_basic(void)
{
	struct buf *b;
	uint8_t *p;
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	bool bo;

	TEST_START("new buffer is empty, free(NULL) is a no-op");
	b = buf_new();
	ASSERT_PTR_NE(b, NULL);
	ASSERT_INT_EQ(buf_len(b), 0);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	ASSERT_INT_EQ(buf_max_size(b), BUF_SIZE_MAX);
	buf_free(b);
	buf_free(NULL);
	TEST_DONE();

	TEST_START("u8/u32/u64/bool round trip, big-endian");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u8(b, 0xab), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0x01020304), 0);
	ASSERT_INT_EQ(buf_put_u64(b, 0x1122334455667788ULL), 0);
	ASSERT_INT_EQ(buf_put_bool(b, true), 0);
	ASSERT_INT_EQ(buf_len(b), 14);
	ASSERT_INT_EQ(buf_ptr(b)[1], 1);
	ASSERT_INT_EQ(buf_ptr(b)[4], 4);
	ASSERT_INT_EQ(buf_ptr(b)[5], 0x11);
	ASSERT_INT_EQ(buf_get_u8(b, &u8), 0);
	ASSERT_INT_EQ(u8, 0xab);
	ASSERT_INT_EQ(buf_get_u32(b, &u32), 0);
	ASSERT_U64_EQ(u32, 0x01020304);
	ASSERT_INT_EQ(buf_get_u64(b, &u64), 0);
	ASSERT_U64_EQ(u64, 0x1122334455667788ULL);
	ASSERT_INT_EQ(buf_get_bool(b, &bo), 0);
	ASSERT_TRUE(bo);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	TEST_DONE();

	TEST_START("short fixed-size reads consume nothing and zero outputs");
	b = mk("010203");
	u32 = 77;
	ASSERT_INT_EQ(buf_get_u32(b, &u32), HS_ERR_SHORT);
	ASSERT_U64_EQ(u32, 0);
	ASSERT_INT_EQ(buf_len(b), 3);
	u64 = 77;
	ASSERT_INT_EQ(buf_get_u64(b, &u64), HS_ERR_SHORT);
	ASSERT_U64_EQ(u64, 0);
	ASSERT_INT_EQ(buf_len(b), 3);
	ASSERT_INT_EQ(buf_get_end(b), HS_ERR_TRAILING_DATA);
	ASSERT_INT_EQ(buf_consume(b, 4), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_consume(b, 3), 0);
	ASSERT_INT_EQ(buf_get_u8(b, &u8), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_get_bool(b, &bo), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	TEST_DONE();

	TEST_START("boolean: any non-zero is true; strict accepts only 0/1");
	b = mk("02 02 01 00");
	ASSERT_INT_EQ(buf_get_bool_strict(b, &bo), HS_ERR_BAD_BOOLEAN);
	ASSERT_INT_EQ(buf_len(b), 4);
	ASSERT_INT_EQ(buf_get_bool(b, &bo), 0);
	ASSERT_TRUE(bo);
	ASSERT_INT_EQ(buf_consume(b, 1), 0);
	ASSERT_INT_EQ(buf_get_bool_strict(b, &bo), 0);
	ASSERT_TRUE(bo);
	ASSERT_INT_EQ(buf_get_bool_strict(b, &bo), 0);
	ASSERT_FALSE(bo);
	buf_free(b);
	TEST_DONE();

	TEST_START("max size: put past it fails and changes nothing");
	b = buf_new();
	ASSERT_INT_EQ(buf_set_max_size(b, 8), 0);
	ASSERT_INT_EQ(buf_put_u64(b, 1), 0);
	ASSERT_INT_EQ(buf_avail(b), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 1), HS_ERR_NO_BUFFER_SPACE);
	ASSERT_INT_EQ(buf_len(b), 8);
	ASSERT_INT_EQ(buf_set_max_size(b, 4), HS_ERR_NO_BUFFER_SPACE);
	ASSERT_INT_EQ(buf_set_max_size(b, BUF_SIZE_MAX + 1),
	    HS_ERR_INVALID_ARGUMENT);
	/* Consumed space at the front is reused. */
	ASSERT_INT_EQ(buf_consume(b, 4), 0);
	ASSERT_INT_EQ(buf_put_u32(b, 0xdeadbeef), 0);
	ASSERT_INT_EQ(buf_len(b), 8);
	ASSERT_INT_EQ(buf_reserve(b, 1, &p), HS_ERR_NO_BUFFER_SPACE);
	ASSERT_PTR_EQ(p, NULL);
	buf_free(b);
	TEST_DONE();

	TEST_START("read-only buffers refuse writes");
	b = buf_from("abc", 3);
	ASSERT_PTR_NE(b, NULL);
	ASSERT_INT_EQ(buf_put_u8(b, 1), HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(buf_mutable_ptr(b), NULL);
	ASSERT_INT_EQ(buf_get_u8(b, &u8), 0);
	ASSERT_INT_EQ(u8, 'a');
	buf_free(b);
	TEST_DONE();

	TEST_START("poke and peek u32 are bounded");
	b = mk("00000000 ff");
	ASSERT_INT_EQ(buf_poke_u32(b, 0, 0x0a0b0c0d), 0);
	ASSERT_INT_EQ(buf_peek_u32(b, 0, &u32), 0);
	ASSERT_U64_EQ(u32, 0x0a0b0c0d);
	ASSERT_INT_EQ(buf_poke_u32(b, 2, 1), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_peek_u32(b, 2, &u32), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_peek_u32(b, SIZE_MAX - 1, &u32), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_peek_u8(b, 4, &u8), 0);
	ASSERT_INT_EQ(u8, 0xff);
	ASSERT_INT_EQ(buf_peek_u8(b, 5, &u8), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_len(b), 5);
	buf_free(b);
	TEST_DONE();
}

static void
test_string(void)
{
	struct buf *b, *c;
	uint8_t *s;
	char *cs;
	const uint8_t *d;
	size_t len;

	TEST_START("string round trip, copy is NUL-terminated");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_string(b, "hello", 5), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, ""), 0);
	ASSERT_INT_EQ(buf_len(b), 13);
	ASSERT_INT_EQ(buf_get_string(b, 5, &s, &len), 0);
	ASSERT_INT_EQ(len, 5);
	ASSERT_STR_EQ((char *)s, "hello");
	free(s);
	ASSERT_INT_EQ(buf_get_cstring(b, 0, &cs, &len), 0);
	ASSERT_INT_EQ(len, 0);
	ASSERT_STR_EQ(cs, "");
	free(cs);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	TEST_DONE();

	TEST_START("string at max is accepted, past max refused untouched");
	b = mk("00000004 41424344");
	s = (uint8_t *)"x";
	ASSERT_INT_EQ(buf_get_string(b, 3, &s, &len), HS_ERR_TOO_LONG);
	ASSERT_PTR_EQ(s, NULL);
	ASSERT_INT_EQ(len, 0);
	ASSERT_INT_EQ(buf_len(b), 8);
	ASSERT_INT_EQ(buf_get_string_direct(b, 3, &d, &len), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_froms(b, 3, &c), HS_ERR_TOO_LONG);
	ASSERT_PTR_EQ(c, NULL);
	ASSERT_INT_EQ(buf_len(b), 8);
	ASSERT_INT_EQ(buf_get_string_direct(b, 4, &d, &len), 0);
	ASSERT_INT_EQ(len, 4);
	ASSERT_MEM_EQ(d, "ABCD", 4);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	TEST_DONE();

	TEST_START("truncated string body and truncated length");
	b = mk("00000005 41424344");
	ASSERT_INT_EQ(buf_get_string(b, 100, &s, &len), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_len(b), 8);
	buf_free(b);
	b = mk("000000");
	ASSERT_INT_EQ(buf_get_string(b, 100, &s, &len), HS_ERR_SHORT);
	ASSERT_INT_EQ(buf_len(b), 3);
	buf_free(b);
	b = mk("ffffffff 00");
	ASSERT_INT_EQ(buf_get_string(b, SIZE_MAX, &s, &len), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 5);
	buf_free(b);
	TEST_DONE();

	TEST_START("cstring refuses embedded NUL; string accepts it");
	b = mk("00000003 410042");
	ASSERT_INT_EQ(buf_get_cstring(b, 100, &cs, &len), HS_ERR_STRING_NUL);
	ASSERT_PTR_EQ(cs, NULL);
	ASSERT_INT_EQ(buf_len(b), 7);
	ASSERT_INT_EQ(buf_get_string(b, 100, &s, &len), 0);
	ASSERT_INT_EQ(len, 3);
	ASSERT_INT_EQ(s[1], 0);
	free(s);
	buf_free(b);
	TEST_DONE();

	TEST_START("nested strings parse as child buffers");
	b = mk("0000000c 00000008 0000000301020300");
	ASSERT_INT_EQ(buf_froms(b, 64, &c), 0);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	{
		struct buf *c2;
		uint32_t v;

		ASSERT_INT_EQ(buf_froms(c, 64, &c2), 0);
		ASSERT_INT_EQ(buf_get_end(c), 0);
		ASSERT_INT_EQ(buf_get_string_direct(c2, 3, &d, &len), 0);
		ASSERT_INT_EQ(len, 3);
		ASSERT_INT_EQ(buf_get_u8(c2, NULL), 0);
		ASSERT_INT_EQ(buf_get_end(c2), 0);
		ASSERT_INT_EQ(buf_get_u32(c2, &v), HS_ERR_SHORT);
		buf_free(c2);
	}
	buf_free(c);
	buf_free(b);
	TEST_DONE();

	TEST_START("put_stringb and skip_string");
	b = buf_new();
	c = mk("0102");
	ASSERT_INT_EQ(buf_put_stringb(b, c), 0);
	ASSERT_INT_EQ(buf_put_stringb(b, b), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(buf_len(b), 6);
	ASSERT_INT_EQ(buf_skip_string(b, 1), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_skip_string(b, 2), 0);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	buf_free(c);
	TEST_DONE();
}

static void
test_mpint(void)
{
	struct buf *b;
	const uint8_t *v;
	size_t len;
	static const uint8_t big[] = { 0x80, 0x01 };
	static const uint8_t padded[] = { 0x00, 0x00, 0x7f };

	TEST_START("mpint encodings from RFC 4251 section 5");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_mpint(b, NULL, 0), 0);		/* zero */
	ASSERT_INT_EQ(buf_put_mpint(b, big, 2), 0);		/* needs pad */
	ASSERT_INT_EQ(buf_put_mpint(b, padded, 3), 0);		/* stripped */
	ASSERT_INT_EQ(buf_len(b), 4 + 4 + 3 + 4 + 1);
	{
		unsigned char want[32];
		size_t n = tap_unhex("00000000 00000003008001 000000017f",
		    want, sizeof(want));
		ASSERT_INT_EQ(n, buf_len(b));
		ASSERT_MEM_EQ(buf_ptr(b), want, n);
	}
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 8, &v, &len), 0);
	ASSERT_INT_EQ(len, 0);
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 2, &v, &len), 0);
	ASSERT_INT_EQ(len, 2);
	ASSERT_MEM_EQ(v, big, 2);
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 1, &v, &len), 0);
	ASSERT_INT_EQ(len, 1);
	ASSERT_INT_EQ(v[0], 0x7f);
	ASSERT_INT_EQ(buf_get_end(b), 0);
	buf_free(b);
	TEST_DONE();

	TEST_START("mpint: negative, non-minimal and oversized rejected");
	b = mk("00000001 80");			/* negative */
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 8, &v, &len), HS_ERR_BAD_MPINT);
	ASSERT_INT_EQ(buf_len(b), 5);
	buf_free(b);
	b = mk("00000002 007f");		/* superfluous zero */
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 8, &v, &len), HS_ERR_BAD_MPINT);
	buf_free(b);
	b = mk("00000001 00");			/* zero written as 00 */
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 8, &v, &len), HS_ERR_BAD_MPINT);
	buf_free(b);
	b = mk("00000003 008001");		/* 2 bytes magnitude, max 1 */
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 1, &v, &len), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 7);
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 2, &v, &len), 0);
	buf_free(b);
	b = mk("00000003 010203");		/* 3 bytes, max 2 */
	ASSERT_INT_EQ(buf_get_mpint_direct(b, 2, &v, &len), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 7);
	buf_free(b);
	TEST_DONE();
}

static void
test_namelist(void)
{
	struct buf *b;
	char *s;

	TEST_START("name-list rules");
	ASSERT_TRUE(namelist_is_valid("", 0));
	ASSERT_TRUE(namelist_is_valid("a", 1));
	ASSERT_TRUE(namelist_is_valid("curve25519-sha256,ext-info-c", 28));
	ASSERT_FALSE(namelist_is_valid(",a", 2));
	ASSERT_FALSE(namelist_is_valid("a,", 2));
	ASSERT_FALSE(namelist_is_valid("a,,b", 4));
	ASSERT_FALSE(namelist_is_valid("a b", 3));
	ASSERT_FALSE(namelist_is_valid("a\x7f", 2));
	ASSERT_FALSE(namelist_is_valid("a\xc3\xa9", 3));
	{
		char name[NAME_MAX_LEN + 2];

		memset(name, 'x', sizeof(name));
		ASSERT_TRUE(namelist_is_valid(name, NAME_MAX_LEN));
		ASSERT_FALSE(namelist_is_valid(name, NAME_MAX_LEN + 1));
	}
	TEST_DONE();

	TEST_START("name-list getter: valid, invalid, too long");
	b = buf_new();
	ASSERT_INT_EQ(buf_put_cstring(b, "aes256-gcm@openssh.com,none"), 0);
	ASSERT_INT_EQ(buf_put_cstring(b, "bad,,list"), 0);
	ASSERT_INT_EQ(buf_get_namelist(b, 26, &s), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_get_namelist(b, 27, &s), 0);
	ASSERT_STR_EQ(s, "aes256-gcm@openssh.com,none");
	free(s);
	ASSERT_INT_EQ(buf_get_namelist(b, 100, &s), HS_ERR_BAD_NAMELIST);
	ASSERT_PTR_EQ(s, NULL);
	ASSERT_INT_EQ(buf_len(b), 13);
	buf_free(b);
	TEST_DONE();
}

/* Random operations; the invariants must hold after each one. */
static void
test_random(void)
{
	struct buf *b = buf_new();
	unsigned char model[4096];
	size_t mlen = 0, i, n;
	uint8_t tmp[512], *p;
	int r;

	TEST_START("randomised put/consume keeps contents and limits");
	ASSERT_INT_EQ(buf_set_max_size(b, sizeof(model)), 0);
	for (i = 0; i < 20000; i++) {
		n = randombytes_uniform(sizeof(tmp));
		if (randombytes_uniform(2) == 0) {
			randombytes_buf(tmp, n);
			r = buf_reserve(b, n, &p);
			if (mlen + n > sizeof(model)) {
				ASSERT_INT_EQ(r, HS_ERR_NO_BUFFER_SPACE);
			} else {
				ASSERT_INT_EQ(r, 0);
				memcpy(p, tmp, n);
				memcpy(model + mlen, tmp, n);
				mlen += n;
			}
		} else {
			r = buf_consume(b, n);
			if (n > mlen) {
				ASSERT_INT_EQ(r, HS_ERR_SHORT);
			} else {
				ASSERT_INT_EQ(r, 0);
				memmove(model, model + n, mlen - n);
				mlen -= n;
			}
		}
		if (buf_len(b) != mlen || (mlen > 0 &&
		    memcmp(buf_ptr(b), model, mlen) != 0)) {
			tap_fail(__FILE__, __LINE__, "diverged at step %zu", i);
			break;
		}
		ASSERT_INT_EQ(buf_avail(b), sizeof(model) - mlen);
	}
	buf_reset(b);
	ASSERT_INT_EQ(buf_len(b), 0);
	buf_free(b);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_basic();
	test_string();
	test_mpint();
	test_namelist();
	test_random();
	return tap_finish();
}
