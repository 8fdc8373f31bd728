/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of policy/algs: resolving "+", "-", "^" and plain algorithm
 * lists (with patterns) against defaults and the supported set, and the
 * consistency of this build's lists.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "policy/algs.h"
#include "policy/match.h"
#include "tests/tap.h"

#define SUP	"a1,a2,b1,b2,c-ctr,d-ctr,e@x.org"
#define DEF	"a1,b1,c-ctr,zz-unsupported"
#define KNOWN	"old1,old2-cbc,old3-cbc"

static void
assemble_ok(const char *spec, const char *want)
{
	char *res = NULL, *bad = NULL;

	ASSERT_INT_EQ(algs_assemble_ex(spec, DEF, SUP, KNOWN, &res, &bad), 0);
	ASSERT_STR_EQ(res, want);
	ASSERT_PTR_EQ(bad, NULL);
	free(res);
}

static void
assemble_err(const char *spec, int want_r, const char *want_bad)
{
	char *res = NULL, *bad = NULL;

	ASSERT_INT_EQ(algs_assemble_ex(spec, DEF, SUP, KNOWN, &res, &bad),
	    want_r);
	ASSERT_PTR_EQ(res, NULL);
	if (want_bad != NULL)
		ASSERT_STR_EQ(bad, want_bad);
	else
		ASSERT_PTR_EQ(bad, NULL);
	free(bad);
}

static void
test_assemble(void)
{
	char *res = NULL;

	TEST_START("defaults, filtered against the supported set");
	assemble_ok(NULL, "a1,b1,c-ctr");
	assemble_ok("", "a1,b1,c-ctr");
	TEST_DONE();

	TEST_START("+ appends, without duplicates, patterns allowed");
	assemble_ok("+a2", "a1,b1,c-ctr,a2");
	assemble_ok("+b1,a2", "a1,b1,c-ctr,a2");
	assemble_ok("+*-ctr", "a1,b1,c-ctr,d-ctr");
	assemble_ok("+old1,e@x.org", "a1,b1,c-ctr,e@x.org");
	TEST_DONE();

	TEST_START("- removes, patterns allowed");
	assemble_ok("-b1", "a1,c-ctr");
	assemble_ok("-*-ctr", "a1,b1");
	assemble_ok("-a?", "b1,c-ctr");
	assemble_ok("-old1", "a1,b1,c-ctr");
	assemble_ok("-a2", "a1,b1,c-ctr");
	assemble_err("-a1,b1,c-ctr", HS_ERR_NO_MATCH, NULL);
	assemble_err("-*", HS_ERR_NO_MATCH, NULL);
	TEST_DONE();

	TEST_START("^ prepends and moves to the front");
	assemble_ok("^b2", "b2,a1,b1,c-ctr");
	assemble_ok("^c-ctr,a2", "c-ctr,a2,a1,b1");
	TEST_DONE();

	TEST_START("plain list replaces; patterns expand in supported order");
	assemble_ok("b2,a1", "b2,a1");
	assemble_ok("b*", "b1,b2");
	assemble_ok("*-ctr,a1", "c-ctr,d-ctr,a1");
	assemble_ok("a1,a1,a?", "a1,a2");
	assemble_ok("old2-cbc,b2", "b2");
	assemble_ok("e@x.org", "e@x.org");
	TEST_DONE();

	TEST_START("unknown names are named in the error");
	assemble_err("frob", HS_ERR_NOT_FOUND, "frob");
	assemble_err("a1,frob,b1", HS_ERR_NOT_FOUND, "frob");
	assemble_err("+frob", HS_ERR_NOT_FOUND, "frob");
	assemble_err("-frob", HS_ERR_NOT_FOUND, "frob");
	assemble_err("^a1,zz-unsupported", HS_ERR_NOT_FOUND, "zz-unsupported");
	assemble_err("q*", HS_ERR_NOT_FOUND, "q*");
	assemble_err("A1", HS_ERR_NOT_FOUND, "A1");
	TEST_DONE();

	TEST_START("known but unsupported names only: nothing left");
	assemble_err("old1,old2-cbc", HS_ERR_NO_MATCH, NULL);
	assemble_err("*-cbc", HS_ERR_NO_MATCH, NULL);
	TEST_DONE();

	TEST_START("malformed lists");
	assemble_err("a1,,b1", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err(",a1", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err("a1,", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err("+", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err("-", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err("a1 b1", HS_ERR_BAD_NAMELIST, NULL);
	assemble_err("a1,"
	    "x123456789012345678901234567890123456789012345678901234567890123456",
	    HS_ERR_BAD_NAMELIST, NULL);
	TEST_DONE();

	TEST_START("algs_assemble: no known names, invalid arguments");
	ASSERT_INT_EQ(algs_assemble("+b2", DEF, SUP, &res), 0);
	ASSERT_STR_EQ(res, "a1,b1,c-ctr,b2");
	free(res);
	ASSERT_INT_EQ(algs_assemble("old1", DEF, SUP, &res), HS_ERR_NOT_FOUND);
	ASSERT_PTR_EQ(res, NULL);
	ASSERT_INT_EQ(algs_assemble(NULL, NULL, SUP, &res),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(algs_assemble(NULL, "", SUP, &res), HS_ERR_NO_MATCH);
	ASSERT_INT_EQ(algs_assemble("a1", "", "", &res), HS_ERR_NOT_FOUND);
	TEST_DONE();
}

/* Whether every name of list a is in list b. */
static bool
all_in(const char *a, const char *b)
{
	char *copy = strdup(a), *p, *save = NULL;
	bool ok = true;

	for (p = strtok_r(copy, ",", &save); p != NULL && ok;
	    p = strtok_r(NULL, ",", &save))
		ok = match_pattern_list(p, b, false) == MATCH_YES;
	free(copy);
	return ok;
}

static bool
none_in(const char *a, const char *b)
{
	char *copy = strdup(a), *p, *save = NULL;
	bool ok = true;

	for (p = strtok_r(copy, ",", &save); p != NULL && ok;
	    p = strtok_r(NULL, ",", &save))
		ok = match_pattern_list(p, b, false) == MATCH_NO;
	free(copy);
	return ok;
}

static void
test_build_lists(void)
{
	enum algs_kind k;
	const char *d, *s, *kn;
	char *res = NULL;

	TEST_START("this build: defaults within supported, known disjoint");
	for (k = ALGS_KEX; k <= ALGS_CASIG; k++) {
		d = algs_default(k);
		s = algs_supported(k);
		kn = algs_known(k);
		ASSERT_TRUE(namelist_is_valid(d, strlen(d)));
		ASSERT_TRUE(namelist_is_valid(s, strlen(s)));
		ASSERT_TRUE(namelist_is_valid(kn, strlen(kn)));
		ASSERT_TRUE(all_in(d, s));
		ASSERT_TRUE(none_in(kn, s));
		if (k == ALGS_MAC && s[0] == '\0')
			continue;
		ASSERT_INT_EQ(algs_assemble(NULL, d, s, &res), 0);
		ASSERT_STR_EQ(res, d);
		free(res);
	}
	TEST_DONE();

	TEST_START("this build: ssh-audit-clean defaults");
	ASSERT_TRUE(strncmp(algs_default(ALGS_KEX),
	    "curve25519-sha256,curve25519-sha256@libssh.org", 46) == 0);
	ASSERT_TRUE(strncmp(algs_default(ALGS_CIPHER),
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com", 52) == 0);
	ASSERT_TRUE(none_in(algs_default(ALGS_KEX), "*sha1,ecdh-*"));
	ASSERT_TRUE(none_in(algs_default(ALGS_CIPHER), "*-cbc"));
	ASSERT_TRUE(none_in(algs_default(ALGS_HOSTKEY), "ssh-rsa,ecdsa-*"));
	ASSERT_INT_EQ(match_pattern_list("sntrup761x25519-sha512@openssh.com",
	    algs_known(ALGS_KEX), false), MATCH_YES);
#ifdef HAVE_OPENSSL
	ASSERT_STR_EQ(algs_default(ALGS_KEX),
	    "curve25519-sha256,curve25519-sha256@libssh.org,"
	    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512");
	ASSERT_STR_EQ(algs_default(ALGS_MAC),
	    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com");
	ASSERT_STR_EQ(algs_default(ALGS_HOSTKEY),
	    "ssh-ed25519,rsa-sha2-512,rsa-sha2-256");
	ASSERT_TRUE(all_in("ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
	    algs_supported(ALGS_KEX)));
	ASSERT_TRUE(all_in("hmac-sha2-256,hmac-sha2-512",
	    algs_supported(ALGS_MAC)));
#else
	ASSERT_STR_EQ(algs_default(ALGS_KEX),
	    "curve25519-sha256,curve25519-sha256@libssh.org");
	ASSERT_STR_EQ(algs_default(ALGS_CIPHER),
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com");
	ASSERT_STR_EQ(algs_default(ALGS_HOSTKEY), "ssh-ed25519");
	ASSERT_STR_EQ(algs_supported(ALGS_MAC), "");
#endif
	TEST_DONE();

	TEST_START("algs_cipher_needs_mac");
	ASSERT_FALSE(algs_cipher_needs_mac("chacha20-poly1305@openssh.com"));
	ASSERT_FALSE(algs_cipher_needs_mac("aes256-gcm@openssh.com"));
	ASSERT_FALSE(algs_cipher_needs_mac("aes128-gcm@openssh.com"));
	ASSERT_TRUE(algs_cipher_needs_mac("aes256-ctr"));
	TEST_DONE();
}

int
main(void)
{
	test_assemble();
	test_build_lists();
	return tap_finish();
}
