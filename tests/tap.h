/* SPDX-License-Identifier: ISC */
/*
 * A small TAP emitter for the C unit tests (one test binary per module).
 *
 *	TEST_START("name");
 *	ASSERT_INT_EQ(f(), 0);
 *	TEST_DONE();
 *	...
 *	return tap_finish();
 *
 * A failed assertion prints a diagnostic with file and line and marks the
 * current test failed; the test goes on so one run shows every failure.
 */
#ifndef HS_TAP_H
#define HS_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failures, tap_cur_failed;
static const char *tap_cur = "(no test)";

static inline void __attribute__((format(printf, 3, 4)))
tap_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_cur_failed = 1;
	printf("# %s:%d: %s: ", file, line, tap_cur);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void
tap_hexdump(const char *what, const void *p, size_t len)
{
	const unsigned char *u = p;
	size_t i;

	printf("#   %s (%zu):", what, len);
	for (i = 0; i < len && i < 64; i++)
		printf(" %02x", u[i]);
	printf("%s\n", len > 64 ? " ..." : "");
}

#define TEST_START(name) do { tap_cur = (name); tap_cur_failed = 0; } while (0)
#define TEST_DONE() do { \
	tap_count++; \
	if (tap_cur_failed) \
		tap_failures++; \
	printf("%s %d - %s\n", tap_cur_failed ? "not ok" : "ok", tap_count, \
	    tap_cur); \
	fflush(stdout); \
} while (0)
#define TEST_SKIP(name, why) do { \
	tap_count++; \
	printf("ok %d - %s # SKIP %s\n", tap_count, (name), (why)); \
} while (0)

static inline int
tap_finish(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures == 0 ? 0 : 1;
}

#define ASSERT_TRUE(x) do { if (!(x)) \
	tap_fail(__FILE__, __LINE__, "expected true: %s", #x); } while (0)
#define ASSERT_FALSE(x) do { if ((x)) \
	tap_fail(__FILE__, __LINE__, "expected false: %s", #x); } while (0)
#define ASSERT_INT_EQ(a, b) do { long long _a = (long long)(a), \
	_b = (long long)(b); if (_a != _b) tap_fail(__FILE__, __LINE__, \
	"%s == %s: %lld != %lld", #a, #b, _a, _b); } while (0)
#define ASSERT_INT_NE(a, b) do { long long _a = (long long)(a), \
	_b = (long long)(b); if (_a == _b) tap_fail(__FILE__, __LINE__, \
	"%s != %s: both %lld", #a, #b, _a); } while (0)
#define ASSERT_INT_LT(a, b) do { long long _a = (long long)(a), \
	_b = (long long)(b); if (!(_a < _b)) tap_fail(__FILE__, __LINE__, \
	"%s < %s: %lld >= %lld", #a, #b, _a, _b); } while (0)
#define ASSERT_U64_EQ(a, b) do { unsigned long long _a = (a), _b = (b); \
	if (_a != _b) tap_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", \
	#a, #b, _a, _b); } while (0)
#define ASSERT_PTR_EQ(a, b) do { const void *_a = (a), *_b = (b); \
	if (_a != _b) tap_fail(__FILE__, __LINE__, "%s == %s: %p != %p", \
	#a, #b, _a, _b); } while (0)
#define ASSERT_PTR_NE(a, b) do { const void *_a = (a), *_b = (b); \
	if (_a == _b) tap_fail(__FILE__, __LINE__, "%s != %s: both %p", \
	#a, #b, _a); } while (0)
#define ASSERT_STR_EQ(a, b) do { const char *_a = (a), *_b = (b); \
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) \
	tap_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
	_a ? _a : "(null)", _b ? _b : "(null)"); } while (0)
#define ASSERT_MEM_EQ(a, b, len) do { const void *_a = (a), *_b = (b); \
	size_t _l = (len); if (_a == NULL || _b == NULL || \
	memcmp(_a, _b, _l) != 0) { tap_fail(__FILE__, __LINE__, \
	"%s == %s (%zu bytes)", #a, #b, _l); \
	tap_hexdump(#a, _a, _a ? _l : 0); tap_hexdump(#b, _b, _b ? _l : 0); } \
} while (0)

/* Hex string -> bytes; returns the byte count, aborts on bad input. */
static inline size_t
tap_unhex(const char *hex, unsigned char *out, size_t outlen)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] != '\0') {
		if (hex[0] == ' ' || hex[0] == '\n') {
			hex++;
			continue;
		}
		if (hex[1] == '\0' || n >= outlen || sscanf(hex, "%2x", &v) != 1)
			abort();
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

#endif
