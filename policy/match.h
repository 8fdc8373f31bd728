/* SPDX-License-Identifier: ISC */
/*
 * Pattern matching for the configuration language: shell-style patterns
 * ('*' and '?'), comma-separated pattern lists with '!' negation, address
 * lists with CIDR entries, USER@HOST patterns (AllowUsers/DenyUsers) and
 * the criteria of a "Match" line.
 *
 * Runs in the listener and the monitor with their privilege.  Patterns
 * come from the administrator's configuration; the strings matched against
 * them (user names, host names from reverse DNS, addresses) are chosen by
 * a remote peer, so every matcher here runs in time bounded by the product
 * of the two lengths (no exponential backtracking) and never allocates in
 * proportion to peer input beyond one copy.
 *
 * Results: MATCH_YES, MATCH_NO, or MATCH_NEGATED (a '!' entry matched,
 * which vetoes the whole list); invalid lists give a negative HS_ERR_*.
 */
#ifndef HS_POLICY_MATCH_H
#define HS_POLICY_MATCH_H

#include <stdbool.h>
#include <stddef.h>

enum match_result {
	MATCH_NO = 0,
	MATCH_YES = 1,
	MATCH_NEGATED = 2,
};

/* Whether s matches one shell pattern ('*' any run, '?' one character);
 * fold: ASCII case-insensitive. */
bool	 match_pattern(const char *s, const char *pattern, bool fold);
/* The same on counted strings (no NUL needed). */
bool	 match_pattern_n(const char *s, size_t slen, const char *pattern,
	    size_t plen, bool fold);
/*
 * s against a comma-separated list of patterns, each optionally negated
 * with '!': MATCH_NEGATED if a negated pattern matches, else MATCH_YES if
 * a plain one matches, else MATCH_NO.
 */
int	 match_pattern_list(const char *s, const char *list, bool fold);
/* A LogVerbose call-site tag ("file.c:func():line") against the n
 * pattern lists of LogVerbose: whether any list matches it. */
bool	 match_log_verbose(const char *tag, char *const *lists, size_t n);
/* A host name against a pattern list, case-insensitively (as sshd). */
int	 match_hostname(const char *host, const char *list);

/*
 * A textual IPv4/IPv6 address against a comma-separated list whose
 * entries are "ADDR/LEN" networks, single addresses, or wildcard patterns
 * matched against the text of the address, each optionally negated with
 * '!'.  A network with bits set beyond LEN, a bad prefix length or an
 * empty entry makes the list invalid: HS_ERR_BAD_FORMAT.  addr == NULL
 * only validates (MATCH_NO or an error).  An addr that is not an address
 * matches nothing.  IPv4-mapped IPv6 addresses match as IPv4, and a
 * "%scope" suffix on addr is ignored.
 */
int	 match_addr_list(const char *addr, const char *list);

/*
 * An AllowUsers/DenyUsers pattern: "USER" or "USER@HOST" where HOST is
 * matched against host (by name, case-insensitively) and addr (as an
 * address list entry).  MATCH_YES or MATCH_NO; HS_ERR_BAD_FORMAT if the
 * HOST part is an invalid address list.  user == NULL only validates.
 */
int	 match_user(const char *user, const char *host, const char *addr,
	    const char *pattern);

/* What is known about a connection when Match blocks are evaluated; a
 * NULL field (or lport <= 0, groups == NULL) is unknown, and a criterion
 * on an unknown field does not match. */
struct hs_match_ctx {
	const char		*user, *host, *addr, *laddr, *rdomain;
	int			 lport;
	const char *const	*groups;
	size_t			 ngroups;
};

/* The criteria of one "Match" line (opaque). */
struct match_crit;

/*
 * Parse the arguments of a Match line ("User alice,bob Address 10/8",
 * "All").  On error returns HS_ERR_CONFIG and *ret_err is a message (no
 * file or line; caller frees).  *ret is the caller's to match_crit_free.
 */
int	 match_crit_parse(char *const *av, size_t ac, struct match_crit **ret,
	    char **ret_err);
/* Whether every criterion of the line holds for ctx. */
bool	 match_crit_matches(const struct match_crit *,
	    const struct hs_match_ctx *ctx);
/* Whether the line is "Match All". */
bool	 match_crit_is_all(const struct match_crit *);
void	 match_crit_free(struct match_crit *);

#endif
