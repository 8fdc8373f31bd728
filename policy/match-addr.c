/* SPDX-License-Identifier: ISC */
/*
 * Address lists with CIDR networks (see match.h: match_addr_list).  Runs
 * in the listener (PerSourcePenaltyExemptList, Match Address before any
 * byte is read) and the monitor.  The address being matched is the
 * peer's; the list is the administrator's, and a list that could be
 * misread (host bits set, bad prefix) is refused rather than guessed at.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/txt.h"
#include "common/mem.h"
#include "policy/match.h"

/* Longest textual address we parse, "%scope" and "/len" excluded. */
#define MATCH_ADDR_TEXT_MAX	64

struct match_addr {
	int		af;
	uint8_t		a[16];
	size_t		alen;
};

/* Parse a numeric IPv4 or IPv6 address of n bytes at s. */
static int
match_addr_parse(const char *s, size_t n, struct match_addr *ret)
{
	char buf[MATCH_ADDR_TEXT_MAX + 1];

	memset(ret, 0, sizeof(*ret));
	if (n == 0 || n > MATCH_ADDR_TEXT_MAX || memchr(s, '\0', n) != NULL)
		return HS_ERR_BAD_FORMAT;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, ret->a) == 1) {
		ret->af = AF_INET;
		ret->alen = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ret->a) == 1) {
		ret->af = AF_INET6;
		ret->alen = 16;
		return 0;
	}
	return HS_ERR_BAD_FORMAT;
}

/* The subject address: a "%scope" suffix is dropped and an IPv4-mapped
 * IPv6 address becomes IPv4, as the peer's address is logged by sshd. */
static int
match_addr_subject(const char *addr, struct match_addr *ret)
{
	const char *pct = strchr(addr, '%');
	size_t n = pct != NULL ? (size_t)(pct - addr) : strlen(addr);
	int r;

	if ((r = match_addr_parse(addr, n, ret)) != 0)
		return r;
	if (ret->af == AF_INET6 && memcmp(ret->a,
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(ret->a, ret->a + 12, 4);
		memset(ret->a + 4, 0, 12);
		ret->af = AF_INET;
		ret->alen = 4;
	}
	return 0;
}

/* "ADDR/LEN" with LEN in range and no bits set past it. */
static int
match_addr_cidr(const struct txt *entry, size_t slash, struct match_addr *net,
    unsigned int *ret_len)
{
	const char *p = txt_ptr(entry);
	size_t n = txt_left(entry), i;
	unsigned int len = 0;

	if (match_addr_parse(p, slash, net) != 0)
		return HS_ERR_BAD_FORMAT;
	if (slash + 1 >= n || n - slash - 1 > 3)
		return HS_ERR_BAD_FORMAT;
	for (i = slash + 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return HS_ERR_BAD_FORMAT;
		len = len * 10 + (unsigned int)(p[i] - '0');
	}
	if (len > net->alen * 8)
		return HS_ERR_BAD_FORMAT;
	for (i = 0; i < net->alen; i++) {
		unsigned int keep = len >= (i + 1) * 8 ? 8 :
		    (len > i * 8 ? len - (unsigned int)i * 8 : 0);
		uint8_t mask = keep == 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		if ((net->a[i] & (uint8_t)~mask) != 0)
			return HS_ERR_BAD_FORMAT;
	}
	*ret_len = len;
	return 0;
}

static bool
match_addr_in(const struct match_addr *a, const struct match_addr *net,
    unsigned int len)
{
	size_t i;

	if (a->af != net->af)
		return false;
	for (i = 0; i < net->alen && len > 0; i++) {
		unsigned int keep = len >= 8 ? 8 : len;
		uint8_t mask = (uint8_t)(0xff << (8 - keep));

		if ((a->a[i] & mask) != net->a[i])
			return false;
		len -= keep;
	}
	return true;
}

int
match_addr_list(const char *addr, const char *list)
{
	struct match_addr subject, net;
	struct txt t, f;
	const char *slash;
	unsigned int len;
	bool have_subject = false, neg, hit, yes = false, negated = false;

	if (addr != NULL && match_addr_subject(addr, &subject) == 0)
		have_subject = true;
	txt_init(&t, list, strlen(list));
	if (txt_left(&t) == 0 || txt_ends_with(&t, ','))
		return HS_ERR_BAD_FORMAT;
	/* The whole list is checked even after a hit: a list is either
	 * valid or refused, never half-used. */
	while (txt_get_field(&t, ',', SIZE_MAX, &f) == 0) {
		neg = txt_accept(&f, '!');
		if (txt_left(&f) == 0)
			return HS_ERR_BAD_FORMAT;
		slash = memchr(txt_ptr(&f), '/', txt_left(&f));
		if (slash != NULL) {
			if (match_addr_cidr(&f, (size_t)(slash - txt_ptr(&f)),
			    &net, &len) != 0)
				return HS_ERR_BAD_FORMAT;
			hit = have_subject && match_addr_in(&subject, &net,
			    len);
		} else if (match_addr_parse(txt_ptr(&f), txt_left(&f),
		    &net) == 0) {
			hit = have_subject && match_addr_in(&subject, &net,
			    (unsigned int)net.alen * 8);
		} else {
			/* A wildcard pattern on the address text. */
			hit = have_subject && match_pattern_n(addr,
			    strcspn(addr, "%"), txt_ptr(&f), txt_left(&f),
			    false);
		}
		if (hit && neg)
			negated = true;
		else if (hit)
			yes = true;
	}
	if (negated)
		return MATCH_NEGATED;
	return yes ? MATCH_YES : MATCH_NO;
}
