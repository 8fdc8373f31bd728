/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of policy/match: shell patterns, pattern lists with
 * negation, host names, USER@HOST patterns, address lists with CIDR
 * networks (IPv4, IPv6, malformed) and the criteria of Match lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "policy/match.h"
#include "tests/tap.h"

static void
test_pattern(void)
{
	char subject[256];

	TEST_START("match_pattern: '*', '?', literals, case");
	ASSERT_TRUE(match_pattern("abc", "abc", false));
	ASSERT_TRUE(match_pattern("abc", "a*c", false));
	ASSERT_TRUE(match_pattern("ac", "a*c", false));
	ASSERT_TRUE(match_pattern("abc", "a?c", false));
	ASSERT_FALSE(match_pattern("ac", "a?c", false));
	ASSERT_FALSE(match_pattern("abcd", "a?c", false));
	ASSERT_TRUE(match_pattern("", "*", false));
	ASSERT_TRUE(match_pattern("", "", false));
	ASSERT_FALSE(match_pattern("x", "", false));
	ASSERT_FALSE(match_pattern("", "?", false));
	ASSERT_TRUE(match_pattern("LC_ALL", "LC_*", false));
	ASSERT_FALSE(match_pattern("LANG", "LC_*", false));
	ASSERT_TRUE(match_pattern("aXbXc", "*X*X*", false));
	ASSERT_FALSE(match_pattern("ABC", "abc", false));
	ASSERT_TRUE(match_pattern("ABC", "abc", true));
	ASSERT_TRUE(match_pattern("abc", "A*C", true));
	ASSERT_TRUE(match_pattern("a*c", "a*c", false));
	ASSERT_TRUE(match_pattern("mississippi", "*sip*", false));
	ASSERT_FALSE(match_pattern("mississippi", "*sip*z", false));
	TEST_DONE();

	TEST_START("match_pattern: many stars do not backtrack exponentially");
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	ASSERT_FALSE(match_pattern(subject,
	    "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", false));
	ASSERT_TRUE(match_pattern(subject,
	    "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", false));
	TEST_DONE();

	TEST_START("match_pattern_n: counted strings");
	ASSERT_TRUE(match_pattern_n("abcdef", 3, "a*c", 3, false));
	ASSERT_FALSE(match_pattern_n("abcdef", 4, "a*c", 3, false));
	TEST_DONE();
}

static void
test_pattern_list(void)
{
	TEST_START("match_pattern_list: plain, negated, empty entries");
	ASSERT_INT_EQ(match_pattern_list("alice", "bob,alice", false),
	    MATCH_YES);
	ASSERT_INT_EQ(match_pattern_list("carol", "bob,alice", false),
	    MATCH_NO);
	ASSERT_INT_EQ(match_pattern_list("alice", "*,!alice", false),
	    MATCH_NEGATED);
	ASSERT_INT_EQ(match_pattern_list("bob", "*,!alice", false), MATCH_YES);
	/* A negation alone never makes a positive match. */
	ASSERT_INT_EQ(match_pattern_list("bob", "!alice", false), MATCH_NO);
	ASSERT_INT_EQ(match_pattern_list("alice", "!alice,*", false),
	    MATCH_NEGATED);
	ASSERT_INT_EQ(match_pattern_list("", "a,,b", false), MATCH_YES);
	ASSERT_INT_EQ(match_pattern_list("Alice", "alice", false), MATCH_NO);
	ASSERT_INT_EQ(match_pattern_list("Alice", "alice", true), MATCH_YES);
	TEST_DONE();

	TEST_START("match_hostname is case-insensitive");
	ASSERT_INT_EQ(match_hostname("Host.Example.COM", "*.example.com"),
	    MATCH_YES);
	ASSERT_INT_EQ(match_hostname("host.example.org", "*.example.com"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_hostname("bad.EXAMPLE.com",
	    "*.example.com,!bad.example.com"), MATCH_NEGATED);
	TEST_DONE();
}

static void
test_addr(void)
{
	TEST_START("match_addr_list: IPv4 networks and addresses");
	ASSERT_INT_EQ(match_addr_list("10.1.2.3", "10.0.0.0/8"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("11.1.2.3", "10.0.0.0/8"), MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("192.168.1.77", "192.168.1.64/26"),
	    MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("192.168.1.128", "192.168.1.64/26"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("1.2.3.4", "0.0.0.0/0"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("1.2.3.4", "1.2.3.4"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("1.2.3.5", "1.2.3.4/32"), MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("1.2.3.4", "1.2.3.4/32"), MATCH_YES);
	TEST_DONE();

	TEST_START("match_addr_list: negation vetoes");
	ASSERT_INT_EQ(match_addr_list("10.0.0.66", "10.0.0.0/8,!10.0.0.66"),
	    MATCH_NEGATED);
	ASSERT_INT_EQ(match_addr_list("10.0.0.67", "10.0.0.0/8,!10.0.0.66"),
	    MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("10.0.0.66", "!10.0.0.66,10.0.0.0/8"),
	    MATCH_NEGATED);
	ASSERT_INT_EQ(match_addr_list("9.9.9.9", "!10.0.0.0/8"), MATCH_NO);
	TEST_DONE();

	TEST_START("match_addr_list: IPv6, mapped IPv4, scope");
	ASSERT_INT_EQ(match_addr_list("2001:db8::1", "2001:db8::/32"),
	    MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("2001:db9::1", "2001:db8::/32"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("::1", "::1/128"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("::1", "::/0"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("2001:db8::1", "10.0.0.0/8"), MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("10.1.1.1", "::/0"), MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("::ffff:10.1.2.3", "10.0.0.0/8"),
	    MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("fe80::1%eth0", "fe80::/10"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("2001:db8:0:1::5",
	    "2001:db8:0:1::/65"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("2001:db8:0:1:8000::5",
	    "2001:db8:0:1::/65"), MATCH_NO);
	TEST_DONE();

	TEST_START("match_addr_list: wildcard entries match the text");
	ASSERT_INT_EQ(match_addr_list("10.1.2.3", "10.1.*"), MATCH_YES);
	ASSERT_INT_EQ(match_addr_list("10.2.2.3", "10.1.*"), MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("10.1.2.3", "*,!10.1.2.?"),
	    MATCH_NEGATED);
	TEST_DONE();

	TEST_START("match_addr_list: malformed lists are refused");
	ASSERT_INT_EQ(match_addr_list("10.0.0.1", "10.0.0.0/33"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list("10.0.0.1", "10.0.0.1/8"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.0/"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.0/x"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.0/8x"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.0/0008"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "/8"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "300.1.1.0/24"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0/8"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "::1/129"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "2001:db8::1/32"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, ""), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.1,,10.0.0.2"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.1,"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, ",10.0.0.1"), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_addr_list(NULL, "!"), HS_ERR_BAD_FORMAT);
	/* A later bad entry spoils a list even after an early hit. */
	ASSERT_INT_EQ(match_addr_list("10.0.0.1", "10.0.0.0/8,1.2.3.4/40"),
	    HS_ERR_BAD_FORMAT);
	TEST_DONE();

	TEST_START("match_addr_list: validation only, and non-addresses");
	ASSERT_INT_EQ(match_addr_list(NULL, "10.0.0.0/8,!10.1.0.0/16,::1"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("not-an-address", "10.0.0.0/8"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_addr_list("", "*"), MATCH_NO);
	TEST_DONE();
}

static void
test_user(void)
{
	TEST_START("match_user: USER and USER@HOST patterns");
	ASSERT_INT_EQ(match_user("alice", NULL, NULL, "alice"), MATCH_YES);
	ASSERT_INT_EQ(match_user("alice", NULL, NULL, "al*"), MATCH_YES);
	ASSERT_INT_EQ(match_user("Alice", NULL, NULL, "alice"), MATCH_NO);
	ASSERT_INT_EQ(match_user("alice", "h.example.com", "10.1.2.3",
	    "alice@10.0.0.0/8"), MATCH_YES);
	ASSERT_INT_EQ(match_user("alice", "h.example.com", "10.1.2.3",
	    "alice@192.168.0.0/16"), MATCH_NO);
	ASSERT_INT_EQ(match_user("alice", "H.Example.com", "10.1.2.3",
	    "a*@*.example.com"), MATCH_YES);
	ASSERT_INT_EQ(match_user("bob", "h.example.com", "10.1.2.3",
	    "a*@*.example.com"), MATCH_NO);
	ASSERT_INT_EQ(match_user("alice", "h.example.com", "10.1.2.3",
	    "alice@10.0.0.0/8,!10.1.2.3"), MATCH_NO);
	ASSERT_INT_EQ(match_user("alice", "h.example.com", "10.1.2.3",
	    "alice@*,!h.example.com"), MATCH_NO);
	ASSERT_INT_EQ(match_user("alice", NULL, "10.1.2.3", "alice@10.1.2.3"),
	    MATCH_YES);
	TEST_DONE();

	TEST_START("match_user: validation");
	ASSERT_INT_EQ(match_user(NULL, NULL, NULL, "alice@10.0.0.0/8"),
	    MATCH_NO);
	ASSERT_INT_EQ(match_user(NULL, NULL, NULL, "alice@10.0.0.1/8"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_user(NULL, NULL, NULL, "alice@"),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(match_user("alice", "h", "10.0.0.1", "alice@1.2.3.4/99"),
	    HS_ERR_BAD_FORMAT);
	TEST_DONE();
}

static struct match_crit *
crit(const char *a0, const char *a1, const char *a2, const char *a3)
{
	char *av[4] = { (char *)a0, (char *)a1, (char *)a2, (char *)a3 };
	struct match_crit *c = NULL;
	char *err = NULL;
	size_t ac = a3 ? 4 : a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;

	if (match_crit_parse(av, ac, &c, &err) != 0) {
		printf("# unexpected Match error: %s\n", err ? err : "?");
		free(err);
		abort();
	}
	return c;
}

static void
crit_err(const char *a0, const char *a1, const char *a2, const char *want)
{
	char *av[3] = { (char *)a0, (char *)a1, (char *)a2 };
	struct match_crit *c = NULL;
	char *err = NULL;
	size_t ac = a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;

	ASSERT_INT_EQ(match_crit_parse(av, ac, &c, &err), HS_ERR_CONFIG);
	ASSERT_PTR_EQ(c, NULL);
	ASSERT_STR_EQ(err, want);
	free(err);
}

static void
test_crit(void)
{
	const char *groups[] = { "users", "admins" };
	const char *nogroups[] = { "users" };
	struct hs_match_ctx ctx, empty;
	struct match_crit *c;

	TEST_START("match_crit_parse: errors");
	crit_err(NULL, NULL, NULL, "One or more attributes required for Match");
	crit_err("All", "User", "x",
	    "'all' cannot be combined with other Match attributes");
	crit_err("User", "x", "All",
	    "'all' cannot be combined with other Match attributes");
	crit_err("User", NULL, NULL, "Missing Match criteria for User");
	crit_err("Frob", "x", NULL, "Unsupported Match attribute Frob");
	crit_err("Address", "10.0.0.1/8", NULL,
	    "Invalid Match Address argument '10.0.0.1/8'");
	crit_err("localaddress", "::1/200", NULL,
	    "Invalid Match LocalAddress argument '::1/200'");
	crit_err("LocalPort", "0", NULL, "Invalid LocalPort '0' on Match line");
	crit_err("LocalPort", "65536", NULL,
	    "Invalid LocalPort '65536' on Match line");
	crit_err("LocalPort", "22x", NULL,
	    "Invalid LocalPort '22x' on Match line");
	TEST_DONE();

	memset(&ctx, 0, sizeof(ctx));
	memset(&empty, 0, sizeof(empty));
	ctx.user = "alice";
	ctx.host = "ws1.Example.com";
	ctx.addr = "10.1.2.3";
	ctx.laddr = "192.0.2.1";
	ctx.lport = 2222;
	ctx.rdomain = "rd7";
	ctx.groups = groups;
	ctx.ngroups = 2;

	TEST_START("match_crit: each criterion, case of keywords");
	c = crit("user", "bob,alice", NULL, NULL);
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ASSERT_FALSE(match_crit_matches(c, &empty));
	match_crit_free(c);
	c = crit("User", "*,!alice", NULL, NULL);
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	match_crit_free(c);
	c = crit("GROUP", "admins", NULL, NULL);
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ctx.groups = nogroups;
	ctx.ngroups = 1;
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	ctx.groups = NULL;
	ctx.ngroups = 0;
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	ctx.groups = groups;
	ctx.ngroups = 2;
	match_crit_free(c);
	/* A negated group vetoes even when another group matches. */
	c = crit("Group", "admins,!users", NULL, NULL);
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	match_crit_free(c);
	c = crit("Host", "*.example.com", NULL, NULL);
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	match_crit_free(c);
	c = crit("Address", "10.0.0.0/8,!10.1.2.3", NULL, NULL);
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	match_crit_free(c);
	c = crit("Address", "10.0.0.0/8", "LocalAddress", "192.0.2.0/24");
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ASSERT_FALSE(match_crit_matches(c, &empty));
	match_crit_free(c);
	c = crit("LocalPort", "2222", NULL, NULL);
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ctx.lport = 22;
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	ctx.lport = 2222;
	match_crit_free(c);
	c = crit("RDomain", "rd*", NULL, NULL);
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ASSERT_FALSE(match_crit_matches(c, &empty));
	match_crit_free(c);
	c = crit("All", NULL, NULL, NULL);
	ASSERT_TRUE(match_crit_is_all(c));
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ASSERT_TRUE(match_crit_matches(c, &empty));
	match_crit_free(c);
	TEST_DONE();

	TEST_START("match_crit: criteria on one line are ANDed");
	c = crit("User", "alice", "Address", "192.168.0.0/16");
	ASSERT_FALSE(match_crit_is_all(c));
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	ctx.addr = "192.168.4.4";
	ASSERT_TRUE(match_crit_matches(c, &ctx));
	ctx.user = "bob";
	ASSERT_FALSE(match_crit_matches(c, &ctx));
	match_crit_free(c);
	match_crit_free(NULL);
	TEST_DONE();
}

static void
test_log_verbose(void)
{
	char *lists[] = {
		(char *)"kex.c:*:1000,*:kex_exchange_identification():*",
		(char *)"packet.c:*:*,!packet.c:ssh_packet_read():*",
	};

	TEST_START("match_log_verbose: sshd_config(5)'s LogVerbose example");
	ASSERT_TRUE(match_log_verbose("kex.c:kex_input_kexinit():1000",
	    lists, 1));
	ASSERT_FALSE(match_log_verbose("kex.c:kex_input_kexinit():100",
	    lists, 1));
	ASSERT_FALSE(match_log_verbose("kex.c:kex_input_kexinit():10000",
	    lists, 1));
	ASSERT_TRUE(match_log_verbose("sshd.c:kex_exchange_identification():7",
	    lists, 1));
	ASSERT_FALSE(match_log_verbose("sshd.c:main():7", lists, 1));
	TEST_DONE();

	TEST_START("match_log_verbose: any list; a negation vetoes its own list");
	ASSERT_TRUE(match_log_verbose("packet.c:ssh_packet_send():3", lists, 2));
	ASSERT_FALSE(match_log_verbose("packet.c:ssh_packet_read():3", lists,
	    2));
	ASSERT_TRUE(match_log_verbose("kex.c:f():1000", lists, 2));
	ASSERT_FALSE(match_log_verbose("kex.c:f():1000", lists, 0));
	ASSERT_FALSE(match_log_verbose("KEX.C:f():1000", lists, 2));
	TEST_DONE();
}

int
main(void)
{
	test_pattern();
	test_pattern_list();
	test_log_verbose();
	test_addr();
	test_user();
	test_crit();
	return tap_finish();
}
