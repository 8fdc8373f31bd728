/* SPDX-License-Identifier: ISC */
/*
 * Shell patterns, pattern lists, host names and USER@HOST patterns (see
 * match.h).  Runs in the listener and the monitor; the subject strings
 * are peer-controlled, so the matcher keeps a single backtracking point
 * and its work is bounded by len(subject) * len(pattern).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/txt.h"
#include "common/mem.h"
#include "policy/match.h"

static char
match_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
match_char_eq(char a, char b, bool fold)
{
	return fold ? match_lower(a) == match_lower(b) : a == b;
}

bool
match_pattern_n(const char *s, size_t slen, const char *p, size_t plen,
    bool fold)
{
	size_t si = 0, pi = 0, star_p = 0, star_s = 0;
	bool have_star = false;

	/*
	 * Classic greedy matching with one resume point: on a mismatch after
	 * a '*', let that star swallow one more character and retry.  A later
	 * star supersedes an earlier one, which is what keeps this linear in
	 * the pattern for each subject position.
	 */
	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			have_star = true;
			star_p = pi++;
			star_s = si;
		} else if (pi < plen && (p[pi] == '?' ||
		    match_char_eq(p[pi], s[si], fold))) {
			pi++;
			si++;
		} else if (have_star) {
			pi = star_p + 1;
			si = ++star_s;
		} else
			return false;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

bool
match_pattern(const char *s, const char *pattern, bool fold)
{
	return match_pattern_n(s, strlen(s), pattern, strlen(pattern), fold);
}

int
match_pattern_list(const char *s, const char *list, bool fold)
{
	struct txt t, f;
	size_t slen = strlen(s);
	bool neg, yes = false;

	txt_init(&t, list, strlen(list));
	while (txt_get_field(&t, ',', SIZE_MAX, &f) == 0) {
		neg = txt_accept(&f, '!');
		if (!match_pattern_n(s, slen, txt_ptr(&f), txt_left(&f),
		    fold))
			continue;
		if (neg)
			return MATCH_NEGATED;
		yes = true;
	}
	return yes ? MATCH_YES : MATCH_NO;
}

bool
match_log_verbose(const char *tag, char *const *lists, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (match_pattern_list(tag, lists[i], false) == MATCH_YES)
			return true;
	}
	return false;
}

int
match_hostname(const char *host, const char *list)
{
	return match_pattern_list(host, list, true);
}

/*
 * Host part of a USER@HOST pattern, as sshd's match_host_and_ip: a
 * negated hit by address or by name vetoes, otherwise any hit matches.
 */
static int
match_host_and_addr(const char *host, const char *addr, const char *list)
{
	int mip, mhost;

	if ((mip = match_addr_list(addr, list)) < 0)
		return mip;
	if (mip == MATCH_NEGATED)
		return MATCH_NO;
	mhost = host == NULL ? MATCH_NO : match_hostname(host, list);
	if (mhost == MATCH_NEGATED)
		return MATCH_NO;
	return (mip == MATCH_YES || mhost == MATCH_YES) ? MATCH_YES : MATCH_NO;
}

int
match_user(const char *user, const char *host, const char *addr,
    const char *pattern)
{
	const char *at = strrchr(pattern, '@');
	size_t ulen;
	int r;

	if (at == NULL)
		return (user != NULL && match_pattern(user, pattern, false)) ?
		    MATCH_YES : MATCH_NO;
	ulen = (size_t)(at - pattern);
	if (at[1] == '\0')
		return HS_ERR_BAD_FORMAT;
	/* Validate the host part even when there is nothing to match. */
	if ((r = match_addr_list(NULL, at + 1)) < 0)
		return r;
	if (user == NULL || !match_pattern_n(user, strlen(user), pattern,
	    ulen, false))
		return MATCH_NO;
	return match_host_and_addr(host, addr, at + 1);
}
