/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of policy/authkeys: authorized_keys lines as sshd reads them
 * (every option, quoting, case, restrict and its opposites, repeated
 * options, from= lists, expiry-time in local time and UTC at a fixed
 * "now", principals and cert-authority), malformed lines with their
 * reasons, the serialised options (round trip and hostile input), and
 * FIDO security keys: their lines, the touch-required / verify-required
 * decision and their place in the default PubkeyAcceptedAlgorithms.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "policy/algs.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "policy/match.h"
#include "policy/strv.h"
#include "tests/tap.h"
#include "common/mem.h"

/* The test key, as "ssh-ed25519 BASE64", and the key itself. */
static struct key *tkey;
static char *tpub;
static char *tb64;

/* "PREFIX ssh-ed25519 BASE64 SUFFIX" in a static buffer. */
static const char *
L(const char *prefix, const char *suffix)
{
	static char line[AUTHKEYS_LINE_MAX * 2];

	snprintf(line, sizeof(line), "%s%s%s%s%s", prefix,
	    prefix[0] != '\0' ? " " : "", tpub, suffix[0] != '\0' ? " " : "",
	    suffix);
	return line;
}

/* Parse a line that must parse; the options (caller frees) or NULL. */
static struct authkey_opts *
ok(const char *line, int srcline)
{
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char *err = NULL;
	int r;

	r = authkeys_parse_line(line, strlen(line), &k, &o, &err);
	if (r != 0) {
		tap_fail(__FILE__, srcline, "'%s': %s (%s)", line,
		    hs_err_str(r), err != NULL ? err : "no reason");
		free(err);
		return NULL;
	}
	if (k == NULL || !key_equal_public(k, tkey))
		tap_fail(__FILE__, srcline, "'%s': wrong key", line);
	if (err != NULL)
		tap_fail(__FILE__, srcline, "'%s': reason on success", line);
	key_free(k);
	return o;
}
#define OK(line) ok((line), __LINE__)

/* Parse a line that must fail with code and a reason containing why. */
static void
bad(const char *line, size_t len, int code, const char *why, int srcline)
{
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char *err = NULL;
	int r;

	r = authkeys_parse_line(line, len, &k, &o, &err);
	if (r != code)
		tap_fail(__FILE__, srcline, "'%.60s': %d (%s) != %d", line, r,
		    err != NULL ? err : hs_err_str(r), code);
	if (k != NULL || o != NULL)
		tap_fail(__FILE__, srcline, "'%.60s': result on failure", line);
	if (why != NULL && (err == NULL || strstr(err, why) == NULL))
		tap_fail(__FILE__, srcline, "'%.60s': reason \"%s\", want "
		    "\"%s\"", line, err != NULL ? err : "(none)", why);
	free(err);
	authkey_opts_free(o);
	key_free(k);
}
#define BAD(line, code, why) bad((line), strlen(line), (code), (why), __LINE__)
#define BADN(line, len, code, why) bad((line), (len), (code), (why), __LINE__)

static void
test_plain(void)
{
	struct authkey_opts *o;
	struct key *k = NULL;
	char *err = NULL;
	char line[AUTHKEYS_LINE_MAX * 2];

	TEST_START("plain key lines: comment, blanks, CR LF");
	o = OK(L("", ""));
	if (o != NULL) {
		ASSERT_TRUE(o->permit_port_forwarding);
		ASSERT_TRUE(o->permit_agent_forwarding);
		ASSERT_TRUE(o->permit_x11_forwarding);
		ASSERT_TRUE(o->permit_pty);
		ASSERT_TRUE(o->permit_user_rc);
		ASSERT_FALSE(o->restricted);
		ASSERT_FALSE(o->no_touch_required);
		ASSERT_FALSE(o->verify_required);
		ASSERT_PTR_EQ(o->command, NULL);
		ASSERT_PTR_EQ(o->from, NULL);
		ASSERT_PTR_EQ(o->principals, NULL);
		ASSERT_INT_EQ(o->expiry, 0);
		ASSERT_INT_EQ(o->tunnel, -1);
		ASSERT_INT_EQ(o->npermitopen + o->npermitlisten + o->nenv, 0);
		ASSERT_PTR_EQ(authkey_opts_forced_command(o), NULL);
	}
	authkey_opts_free(o);
	authkey_opts_free(OK(L("", "user@host with a long comment")));
	snprintf(line, sizeof(line), " \t%s comment\r", tpub);
	authkey_opts_free(OK(line));
	/* A comment longer than KEY_COMMENT_MAX still fits the line. */
	memset(line, 'c', 3000);
	line[3000] = '\0';
	authkey_opts_free(OK(L("", line)));
	TEST_DONE();

	TEST_START("blank and comment lines are HS_ERR_NOT_FOUND");
	ASSERT_INT_EQ(authkeys_parse_line("", 0, &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(authkeys_parse_line(" \t ", 3, &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(authkeys_parse_line("\r", 1, &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(authkeys_parse_line("# x", 3, &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(authkeys_parse_line("  #ssh-ed25519", 14, &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	/* However long. */
	memset(line, 'x', sizeof(line));
	line[0] = '#';
	ASSERT_INT_EQ(authkeys_parse_line(line, sizeof(line), &k, &o, &err),
	    HS_ERR_NOT_FOUND);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_PTR_EQ(o, NULL);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(authkeys_parse_line(NULL, 0, NULL, &o, &err),
	    HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();
}

static void
test_flags(void)
{
	struct authkey_opts *o;

	TEST_START("no-* flags, one at a time");
	if ((o = OK(L("no-pty", ""))) != NULL) {
		ASSERT_FALSE(o->permit_pty);
		ASSERT_TRUE(o->permit_port_forwarding);
		ASSERT_FALSE(o->restricted);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-port-forwarding", ""))) != NULL) {
		ASSERT_FALSE(o->permit_port_forwarding);
		ASSERT_TRUE(o->permit_pty);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-agent-forwarding", ""))) != NULL) {
		ASSERT_FALSE(o->permit_agent_forwarding);
		ASSERT_TRUE(o->permit_x11_forwarding);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-X11-forwarding", ""))) != NULL) {
		ASSERT_FALSE(o->permit_x11_forwarding);
		ASSERT_TRUE(o->permit_agent_forwarding);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-user-rc", ""))) != NULL) {
		ASSERT_FALSE(o->permit_user_rc);
		ASSERT_TRUE(o->permit_pty);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-touch-required,verify-required", ""))) != NULL) {
		ASSERT_TRUE(o->no_touch_required);
		ASSERT_TRUE(o->verify_required);
	}
	authkey_opts_free(o);
	if ((o = OK(L("no-touch-required,touch-required,verify-required,"
	    "no-verify-required", ""))) != NULL) {
		ASSERT_FALSE(o->no_touch_required);
		ASSERT_FALSE(o->verify_required);
	}
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("restrict, and the plain forms that lift it");
	if ((o = OK(L("restrict", ""))) != NULL) {
		ASSERT_TRUE(o->restricted);
		ASSERT_FALSE(o->permit_port_forwarding);
		ASSERT_FALSE(o->permit_agent_forwarding);
		ASSERT_FALSE(o->permit_x11_forwarding);
		ASSERT_FALSE(o->permit_pty);
		ASSERT_FALSE(o->permit_user_rc);
	}
	authkey_opts_free(o);
	if ((o = OK(L("restrict,pty,port-forwarding", ""))) != NULL) {
		ASSERT_TRUE(o->restricted);
		ASSERT_TRUE(o->permit_pty);
		ASSERT_TRUE(o->permit_port_forwarding);
		ASSERT_FALSE(o->permit_agent_forwarding);
		ASSERT_FALSE(o->permit_x11_forwarding);
		ASSERT_FALSE(o->permit_user_rc);
	}
	authkey_opts_free(o);
	if ((o = OK(L("restrict,agent-forwarding,X11-forwarding,user-rc",
	    ""))) != NULL) {
		ASSERT_FALSE(o->permit_pty);
		ASSERT_FALSE(o->permit_port_forwarding);
		ASSERT_TRUE(o->permit_agent_forwarding);
		ASSERT_TRUE(o->permit_x11_forwarding);
		ASSERT_TRUE(o->permit_user_rc);
	}
	authkey_opts_free(o);
	/* The last word about a permission wins, restrict included. */
	if ((o = OK(L("pty,restrict", ""))) != NULL)
		ASSERT_FALSE(o->permit_pty);
	authkey_opts_free(o);
	if ((o = OK(L("restrict,pty,no-pty", ""))) != NULL)
		ASSERT_FALSE(o->permit_pty);
	authkey_opts_free(o);
	if ((o = OK(L("no-pty,pty", ""))) != NULL)
		ASSERT_TRUE(o->permit_pty);
	authkey_opts_free(o);
	/* sshd's authorized_keys has no permit-* options (those are
	 * certificate extensions). */
	BAD(L("restrict,permit-pty", ""), HS_ERR_BAD_FORMAT,
	    "bad option 'permit-pty'");
	BAD(L("permit-port-forwarding", ""), HS_ERR_BAD_FORMAT,
	    "bad option 'permit-port-forwarding'");
	TEST_DONE();

	TEST_START("option names are case-insensitive");
	if ((o = OK(L("RESTRICT,Pty,NO-USER-RC,No-X11-Forwarding,"
	    "COMMAND=\"ls\",From=\"*\",PermitOpen=\"h:1\","
	    "EXPIRY-TIME=\"20300101Z\",Environment=\"A=b\","
	    "PERMITLISTEN=\"2\",TUNNEL=\"ANY\",Principals=\"p\","
	    "NO-TOUCH-REQUIRED,Verify-Required", ""))) != NULL) {
		ASSERT_TRUE(o->restricted);
		ASSERT_TRUE(o->permit_pty);
		ASSERT_FALSE(o->permit_user_rc);
		ASSERT_FALSE(o->permit_x11_forwarding);
		ASSERT_STR_EQ(o->command, "ls");
		ASSERT_STR_EQ(o->from, "*");
		ASSERT_INT_EQ(o->npermitopen, 1);
		ASSERT_INT_EQ(o->expiry, 1893456000);
		ASSERT_INT_EQ(o->nenv, 1);
		ASSERT_INT_EQ(o->npermitlisten, 1);
		ASSERT_INT_EQ(o->tunnel, AUTHKEY_TUNNEL_ANY);
		ASSERT_STR_EQ(o->principals, "p");
		ASSERT_TRUE(o->no_touch_required);
		ASSERT_TRUE(o->verify_required);
	}
	authkey_opts_free(o);
	TEST_DONE();
}

static void
test_values(void)
{
	struct authkey_opts *o;

	TEST_START("command=: quoting and escapes");
	if ((o = OK(L("command=\"echo \\\"hi there\\\" \\\\n\\x\"", "")))
	    != NULL) {
		/* Only \" is an escape; other backslashes stay. */
		ASSERT_STR_EQ(o->command, "echo \"hi there\" \\\\n\\x");
		ASSERT_STR_EQ(authkey_opts_forced_command(o), o->command);
	}
	authkey_opts_free(o);
	if ((o = OK(L("command=\"\"", ""))) != NULL)
		ASSERT_STR_EQ(o->command, "");
	authkey_opts_free(o);
	if ((o = OK(L("no-pty,command=\"a, b\tc\",no-user-rc", ""))) != NULL) {
		ASSERT_STR_EQ(o->command, "a, b\tc");
		ASSERT_FALSE(o->permit_pty);
		ASSERT_FALSE(o->permit_user_rc);
	}
	authkey_opts_free(o);
	BAD(L("command=\"a\",command=\"b\"", ""), HS_ERR_BAD_FORMAT,
	    "multiple \"command\" clauses");
	BAD(L("from=\"*\",from=\"*\"", ""), HS_ERR_BAD_FORMAT,
	    "multiple \"from\" clauses");
	BAD(L("principals=\"a\",principals=\"b\"", ""), HS_ERR_BAD_FORMAT,
	    "multiple \"principals\" clauses");
	BAD(L("command=ls", ""), HS_ERR_BAD_FORMAT, "missing start quote");
	TEST_DONE();

	TEST_START("permitopen= and permitlisten=, repeated");
	if ((o = OK(L("permitopen=\"host.example:22\",permitopen=\"[::1]:80\","
	    "permitopen=\"10.0.0.1:*\",permitopen=\"h/443\"", ""))) != NULL) {
		ASSERT_INT_EQ(o->npermitopen, 4);
		if (o->npermitopen == 4) {
			ASSERT_STR_EQ(o->permitopen[0], "host.example:22");
			ASSERT_STR_EQ(o->permitopen[1], "[::1]:80");
			ASSERT_STR_EQ(o->permitopen[2], "10.0.0.1:*");
			ASSERT_STR_EQ(o->permitopen[3], "h/443");
		}
	}
	authkey_opts_free(o);
	if ((o = OK(L("permitlisten=\"8080\",permitlisten=\"localhost:9000\","
	    "permitlisten=\"[::1]:*\"", ""))) != NULL) {
		ASSERT_INT_EQ(o->npermitlisten, 3);
		if (o->npermitlisten == 3) {
			ASSERT_STR_EQ(o->permitlisten[0], "*:8080");
			ASSERT_STR_EQ(o->permitlisten[1], "localhost:9000");
			ASSERT_STR_EQ(o->permitlisten[2], "[::1]:*");
		}
	}
	authkey_opts_free(o);
	BAD(L("permitopen=\"host\"", ""), HS_ERR_BAD_FORMAT,
	    "bad permitopen=\"host\"");
	BAD(L("permitopen=\"host:0\"", ""), HS_ERR_BAD_FORMAT, "permitopen");
	BAD(L("permitopen=\"host:65536\"", ""), HS_ERR_BAD_FORMAT,
	    "permitopen");
	BAD(L("permitopen=\"host:ssh\"", ""), HS_ERR_BAD_FORMAT, "permitopen");
	BAD(L("permitopen=\"[::1]22\"", ""), HS_ERR_BAD_FORMAT, "permitopen");
	BAD(L("permitopen=\"[::1\"", ""), HS_ERR_BAD_FORMAT, "permitopen");
	BAD(L("permitopen=\"h:1:2\"", ""), HS_ERR_BAD_FORMAT, "permitopen");
	BAD(L("permitlisten=\"0\"", ""), HS_ERR_BAD_FORMAT,
	    "bad permitlisten=\"*:0\"");
	TEST_DONE();

	TEST_START("environment=: NAME=value, the first per name wins");
	if ((o = OK(L("environment=\"A=1\",environment=\"B_2=x y=z\","
	    "environment=\"A=2\",environment=\"C=\"", ""))) != NULL) {
		ASSERT_INT_EQ(o->nenv, 3);
		if (o->nenv == 3) {
			ASSERT_STR_EQ(o->env[0], "A=1");
			ASSERT_STR_EQ(o->env[1], "B_2=x y=z");
			ASSERT_STR_EQ(o->env[2], "C=");
		}
	}
	authkey_opts_free(o);
	/* "AB" is not "A": prefixes are different names. */
	if ((o = OK(L("environment=\"AB=1\",environment=\"A=2\"", "")))
	    != NULL)
		ASSERT_INT_EQ(o->nenv, 2);
	authkey_opts_free(o);
	BAD(L("environment=\"=x\"", ""), HS_ERR_BAD_FORMAT, "environment");
	BAD(L("environment=\"A-B=1\"", ""), HS_ERR_BAD_FORMAT, "environment");
	BAD(L("environment=\"NOVALUE\"", ""), HS_ERR_BAD_FORMAT,
	    "environment");
	TEST_DONE();

	TEST_START("tunnel=");
	if ((o = OK(L("tunnel=\"0\"", ""))) != NULL)
		ASSERT_INT_EQ(o->tunnel, 0);
	authkey_opts_free(o);
	if ((o = OK(L("tunnel=\"2147483645\"", ""))) != NULL)
		ASSERT_INT_EQ(o->tunnel, AUTHKEY_TUNNEL_MAX);
	authkey_opts_free(o);
	if ((o = OK(L("tunnel=\"any\",tunnel=\"7\"", ""))) != NULL)
		ASSERT_INT_EQ(o->tunnel, 7);
	authkey_opts_free(o);
	BAD(L("tunnel=\"2147483646\"", ""), HS_ERR_BAD_FORMAT, "bad tunnel");
	BAD(L("tunnel=\"-1\"", ""), HS_ERR_BAD_FORMAT, "bad tunnel");
	BAD(L("tunnel=\"\"", ""), HS_ERR_BAD_FORMAT, "bad tunnel");
	TEST_DONE();
}

static void
test_from(void)
{
	struct authkey_opts *o;

	TEST_START("from=: host patterns, addresses, CIDR, negation");
	if ((o = OK(L("from=\"*.example.com,!bad.example.com,10.0.0.0/8,"
	    "!10.1.0.0/16,2001:db8::/32,192.0.2.7\"", ""))) != NULL) {
		ASSERT_TRUE(authkey_opts_from_ok(o, "192.0.2.99",
		    "good.example.com"));
		ASSERT_TRUE(authkey_opts_from_ok(o, "192.0.2.99",
		    "GOOD.Example.COM"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "192.0.2.99",
		    "bad.example.com"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "192.0.2.99",
		    "example.org"));
		ASSERT_TRUE(authkey_opts_from_ok(o, "10.2.3.4", "10.2.3.4"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "10.1.3.4", "10.1.3.4"));
		/* A negated address vetoes a matching name. */
		ASSERT_FALSE(authkey_opts_from_ok(o, "10.1.3.4",
		    "good.example.com"));
		/* A negated name vetoes a matching address. */
		ASSERT_FALSE(authkey_opts_from_ok(o, "10.2.3.4",
		    "bad.example.com"));
		ASSERT_TRUE(authkey_opts_from_ok(o, "2001:db8::5",
		    "2001:db8::5"));
		ASSERT_TRUE(authkey_opts_from_ok(o, "::ffff:10.9.9.9",
		    "::ffff:10.9.9.9"));
		ASSERT_TRUE(authkey_opts_from_ok(o, "192.0.2.7", "192.0.2.7"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "192.0.2.8", "192.0.2.8"));
		ASSERT_FALSE(authkey_opts_from_ok(o, NULL, "good.example.com"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "10.2.3.4", NULL));
		ASSERT_INT_EQ(authkey_opts_authorise(o, "10.2.3.4", "10.2.3.4",
		    0, NULL), 0);
	}
	authkey_opts_free(o);
	/* Wildcards on address text. */
	if ((o = OK(L("from=\"192.168.1.?\"", ""))) != NULL) {
		ASSERT_TRUE(authkey_opts_from_ok(o, "192.168.1.5",
		    "192.168.1.5"));
		ASSERT_FALSE(authkey_opts_from_ok(o, "192.168.1.50",
		    "192.168.1.50"));
	}
	authkey_opts_free(o);
	if ((o = OK(L("", ""))) != NULL)
		ASSERT_TRUE(authkey_opts_from_ok(o, NULL, NULL));
	authkey_opts_free(o);
	BAD(L("from=\"10.0.0.0/33\"", ""), HS_ERR_BAD_FORMAT,
	    "bad from=\"10.0.0.0/33\" pattern list");
	BAD(L("from=\"10.0.0.1/8\"", ""), HS_ERR_BAD_FORMAT, "bad from=");
	BAD(L("from=\"a,,b\"", ""), HS_ERR_BAD_FORMAT, "bad from=");
	BAD(L("from=\"\"", ""), HS_ERR_BAD_FORMAT, "bad from=");
	TEST_DONE();
}

static void
test_expiry(void)
{
	struct authkey_opts *o;
	const char *why = NULL;

	/* A zone five hours east of UTC, without summer time. */
	setenv("TZ", "XST-5", 1);
	tzset();
	TEST_START("expiry-time: local time and UTC forms");
	if ((o = OK(L("expiry-time=\"20300101\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000 - 5 * 3600);
	authkey_opts_free(o);
	if ((o = OK(L("expiry-time=\"20300101Z\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000);
	authkey_opts_free(o);
	if ((o = OK(L("expiry-time=\"20300101utc\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000);
	authkey_opts_free(o);
	if ((o = OK(L("expiry-time=\"203001011230z\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000 + 12 * 3600 + 30 * 60);
	authkey_opts_free(o);
	if ((o = OK(L("expiry-time=\"20300101123045\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000 + 7 * 3600 + 30 * 60 + 45);
	authkey_opts_free(o);
	/* The earliest of several wins. */
	if ((o = OK(L("expiry-time=\"20310101Z\",expiry-time=\"20300101Z\","
	    "expiry-time=\"20320101Z\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893456000);
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("expiry-time: summer time in the local zone");
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	if ((o = OK(L("expiry-time=\"20300701\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1909087200);
	authkey_opts_free(o);
	if ((o = OK(L("expiry-time=\"20300101\"", ""))) != NULL)
		ASSERT_INT_EQ(o->expiry, 1893452400);
	authkey_opts_free(o);
	setenv("TZ", "XST-5", 1);
	tzset();
	TEST_DONE();

	TEST_START("expiry-time: expired or not at a fixed now");
	if ((o = OK(L("expiry-time=\"20300101Z\"", ""))) != NULL) {
		ASSERT_FALSE(authkey_opts_expired(o, 1893456000 - 1));
		/* Still good during the second it names, as in sshd. */
		ASSERT_FALSE(authkey_opts_expired(o, 1893456000));
		ASSERT_TRUE(authkey_opts_expired(o, 1893456000 + 1));
		ASSERT_INT_EQ(authkey_opts_authorise(o, "1.2.3.4", "h",
		    1893456000, &why), 0);
		ASSERT_PTR_EQ(why, NULL);
		ASSERT_INT_EQ(authkey_opts_authorise(o, "1.2.3.4", "h",
		    1893456001, &why), HS_ERR_KEY_REFUSED);
		ASSERT_STR_EQ(why, "key expired");
	}
	authkey_opts_free(o);
	if ((o = OK(L("", ""))) != NULL)
		ASSERT_FALSE(authkey_opts_expired(o, INT32_MAX));
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("expiry-time: malformed");
	BAD(L("expiry-time=\"2030010\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time \"2030010\"");
	BAD(L("expiry-time=\"203001010\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"203001011230456\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"20301301\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"20300132\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"203001012400\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"203001012360\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"2030-1-01\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"20300101ZZ\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"20300101X\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"Z\"", ""), HS_ERR_BAD_FORMAT, "bad expiry-time");
	/* Before the epoch, and the epoch itself (0 would mean none). */
	BAD(L("expiry-time=\"19691231Z\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	BAD(L("expiry-time=\"19700101Z\"", ""), HS_ERR_BAD_FORMAT,
	    "bad expiry-time");
	TEST_DONE();
}

static void
test_principals_certs(void)
{
	struct authkey_opts *o;
	const char *why = NULL;
	char line[AUTHKEYS_LINE_MAX];

	TEST_START("principals= is kept, and refuses a plain key");
	if ((o = OK(L("principals=\"alice,bob\"", ""))) != NULL) {
		ASSERT_STR_EQ(o->principals, "alice,bob");
		ASSERT_INT_EQ(authkey_opts_authorise(o, "1.2.3.4", "h", 0,
		    &why), HS_ERR_KEY_REFUSED);
		ASSERT_STR_EQ(why,
		    "principals= on a key that is not a cert-authority");
	}
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("cert-authority lines and certificate key types");
	BAD(L("cert-authority", ""), HS_ERR_KEY_UNSUPPORTED,
	    "certificates are not supported");
	BAD(L("cert-authority,principals=\"a\",from=\"*\"", ""),
	    HS_ERR_KEY_UNSUPPORTED, "certificates are not supported");
	BAD(L("CERT-AUTHORITY", ""), HS_ERR_KEY_UNSUPPORTED,
	    "certificates are not supported");
	/* A syntax error on the line is reported first. */
	BAD(L("cert-authority,bogus", ""), HS_ERR_BAD_FORMAT,
	    "bad option 'bogus'");
	snprintf(line, sizeof(line), "ssh-ed25519-cert-v01@openssh.com %s",
	    tb64);
	BAD(line, HS_ERR_KEY_UNSUPPORTED, "certificates are not supported");
	snprintf(line, sizeof(line),
	    "restrict ssh-ed25519-cert-v01@openssh.com %s", tb64);
	BAD(line, HS_ERR_KEY_UNSUPPORTED, "certificates are not supported");
	snprintf(line, sizeof(line), "ssh-dss %s", tb64);
	BAD(line, HS_ERR_KEY_UNSUPPORTED, "key type ssh-dss is not supported");
	/* Security keys are supported; their certificates are not. */
	snprintf(line, sizeof(line), "sk-ssh-ed25519@openssh.com %s", tb64);
	BAD(line, HS_ERR_KEY_FORMAT, "key type mismatch: line says "
	    "sk-ssh-ed25519@openssh.com, key is ssh-ed25519");
	snprintf(line, sizeof(line), "sk-ssh-ed25519-cert-v01@openssh.com %s",
	    tb64);
	BAD(line, HS_ERR_KEY_UNSUPPORTED, "certificates are not supported");
	snprintf(line, sizeof(line),
	    "no-touch-required sk-ecdsa-sha2-nistp256-cert-v01@openssh.com %s",
	    tb64);
	BAD(line, HS_ERR_KEY_UNSUPPORTED, "certificates are not supported");
	TEST_DONE();
}

/*
 * ssh-keygen's fixture keys of test-key.c as security keys (application
 * "ssh:"), lines ssh-keygen -l reads (see test-key-sk.c).
 */
static const char fx_ed_sk_line[] =
	"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t"
	"AAAAIJT61SIEX7ZMXJK9iCjkVt0F5MonnBmgQ5SbCRrB5LlwAAAABHNzaDo= "
	"fixture-ed-sk";
static const char fx_ec_sk_line[] =
	"sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAy"
	"NTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBCo7vIs7VoWjp/LI8lmsmnlxfn3"
	"nfZu5NdOHlJ8eqc8mIuApkC5sl6sV8NGSDDEpidXLKglgjXT65HiW6+8UkA4AAAAEc3"
	"NoOg== fixture-ec-sk";

/* "PREFIX KEYLINE" must parse to a key of type; its options or NULL. */
static struct authkey_opts *
sk_ok(const char *prefix, const char *keyline, enum key_type type,
    int srcline)
{
	char line[AUTHKEYS_LINE_MAX];
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char *err = NULL;
	int r;

	snprintf(line, sizeof(line), "%s%s%s", prefix,
	    prefix[0] != '\0' ? " " : "", keyline);
	r = authkeys_parse_line(line, strlen(line), &k, &o, &err);
	if (r != 0)
		tap_fail(__FILE__, srcline, "'%.60s': %s (%s)", line,
		    hs_err_str(r), err != NULL ? err : "no reason");
	else if (key_type(k) != type)
		tap_fail(__FILE__, srcline, "'%.60s': type %s", line,
		    key_type_name(k));
	free(err);
	key_free(k);
	return o;
}
#define SK_OK(prefix, keyline, type) sk_ok((prefix), (keyline), (type), \
	__LINE__)

/* authkey_opts_sk_flags_ok with its reason. */
static void
sk_flags(const struct authkey_opts *o, uint8_t flags, bool want,
    const char *want_why, int srcline)
{
	const char *why = "unset";
	bool ok;

	ok = authkey_opts_sk_flags_ok(o, flags, &why);
	if (ok != want)
		tap_fail(__FILE__, srcline, "flags 0x%02x: %s", flags,
		    ok ? "accepted" : "refused");
	if ((want_why == NULL && why != NULL) || (want_why != NULL &&
	    (why == NULL || strcmp(why, want_why) != 0)))
		tap_fail(__FILE__, srcline, "flags 0x%02x: reason \"%s\"",
		    flags, why != NULL ? why : "(null)");
	if (authkey_opts_sk_flags_ok(o, flags, NULL) != want)
		tap_fail(__FILE__, srcline, "flags 0x%02x: NULL ret_why",
		    flags);
}
#define SK_FLAGS(o, flags, want, why) sk_flags((o), (flags), (want), (why), \
	__LINE__)

#define NO_UP	"user presence (authenticator touch) requirement not met"
#define NO_UV	"user verification requirement not met"

static void
test_sk(void)
{
	struct authkey_opts *o;
	struct hs_config *c;
	char *err = NULL;
	const bool ec = key_type_supported(KEY_SK_ECDSA_P256);

	TEST_START("FIDO security keys on authorized_keys lines");
	if ((o = SK_OK("", fx_ed_sk_line, KEY_SK_ED25519)) != NULL) {
		ASSERT_FALSE(o->no_touch_required);
		ASSERT_FALSE(o->verify_required);
	}
	authkey_opts_free(o);
	if ((o = SK_OK("no-touch-required,verify-required", fx_ed_sk_line,
	    KEY_SK_ED25519)) != NULL) {
		ASSERT_TRUE(o->no_touch_required);
		ASSERT_TRUE(o->verify_required);
	}
	authkey_opts_free(o);
	if ((o = SK_OK("restrict,command=\"true\"", fx_ed_sk_line,
	    KEY_SK_ED25519)) != NULL) {
		/* restrict says nothing about the authenticator. */
		ASSERT_FALSE(o->no_touch_required);
		ASSERT_STR_EQ(o->command, "true");
	}
	authkey_opts_free(o);
	if (ec) {
		if ((o = SK_OK("verify-required", fx_ec_sk_line,
		    KEY_SK_ECDSA_P256)) != NULL)
			ASSERT_TRUE(o->verify_required);
		authkey_opts_free(o);
	} else {
		BAD(fx_ec_sk_line, HS_ERR_KEY_UNSUPPORTED,
		    "key type sk-ecdsa-sha2-nistp256@openssh.com is not "
		    "supported by this build");
	}
	BAD("cert-authority sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1N"
	    "TE5QG9wZW5zc2guY29tAAAAIJT61SIEX7ZMXJK9iCjkVt0F5MonnBmgQ5SbCRrB"
	    "5LlwAAAABHNzaDo=", HS_ERR_KEY_UNSUPPORTED,
	    "certificates are not supported (cert-authority)");
	/* A blob cut before its application. */
	BAD("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2gu"
	    "Y29tAAAAIJT61SIEX7ZMXJK9iCjkVt0F5MonnBmgQ5SbCRrB5Llw",
	    HS_ERR_KEY_FORMAT, "invalid sk-ssh-ed25519@openssh.com key");
	TEST_DONE();

	TEST_START("security-key flags: sshd's touch and verification rules");
	/* Without options (or no line): presence required, nothing else. */
	SK_FLAGS(NULL, 0x00, false, NO_UP);
	SK_FLAGS(NULL, KEY_SK_FLAG_UP, true, NULL);
	SK_FLAGS(NULL, KEY_SK_FLAG_UV, false, NO_UP);
	SK_FLAGS(NULL, 0xfe, false, NO_UP);
	SK_FLAGS(NULL, 0xff, true, NULL);
	o = SK_OK("", fx_ed_sk_line, KEY_SK_ED25519);
	SK_FLAGS(o, 0x00, false, NO_UP);
	SK_FLAGS(o, KEY_SK_FLAG_UP, true, NULL);
	SK_FLAGS(o, KEY_SK_FLAG_UP | KEY_SK_FLAG_UV, true, NULL);
	authkey_opts_free(o);
	o = SK_OK("no-touch-required", fx_ed_sk_line, KEY_SK_ED25519);
	SK_FLAGS(o, 0x00, true, NULL);
	SK_FLAGS(o, KEY_SK_FLAG_UV, true, NULL);
	authkey_opts_free(o);
	/* The last word wins. */
	o = SK_OK("no-touch-required,touch-required", fx_ed_sk_line,
	    KEY_SK_ED25519);
	SK_FLAGS(o, 0x00, false, NO_UP);
	authkey_opts_free(o);
	o = SK_OK("verify-required", fx_ed_sk_line, KEY_SK_ED25519);
	SK_FLAGS(o, 0x00, false, NO_UP);
	SK_FLAGS(o, KEY_SK_FLAG_UP, false, NO_UV);
	SK_FLAGS(o, KEY_SK_FLAG_UV, false, NO_UP);
	SK_FLAGS(o, KEY_SK_FLAG_UP | KEY_SK_FLAG_UV, true, NULL);
	SK_FLAGS(o, 0xfb, false, NO_UV);
	authkey_opts_free(o);
	o = SK_OK("no-touch-required,verify-required", fx_ed_sk_line,
	    KEY_SK_ED25519);
	SK_FLAGS(o, 0x00, false, NO_UV);
	SK_FLAGS(o, KEY_SK_FLAG_UP, false, NO_UV);
	SK_FLAGS(o, KEY_SK_FLAG_UV, true, NULL);
	authkey_opts_free(o);
	o = SK_OK("verify-required,no-verify-required", fx_ed_sk_line,
	    KEY_SK_ED25519);
	SK_FLAGS(o, KEY_SK_FLAG_UP, true, NULL);
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("PubkeyAcceptedAlgorithms (server-sig-algs) has them");
	ASSERT_INT_EQ(match_pattern_list("sk-ssh-ed25519@openssh.com",
	    algs_default(ALGS_PUBKEY), false), MATCH_YES);
	ASSERT_INT_EQ(match_pattern_list("sk-ecdsa-sha2-nistp256@openssh.com",
	    algs_default(ALGS_PUBKEY), false), ec ? MATCH_YES : MATCH_NO);
	/* Never as host keys or CA keys. */
	ASSERT_INT_NE(match_pattern_list("sk-*", algs_supported(ALGS_HOSTKEY),
	    false), MATCH_YES);
	ASSERT_INT_NE(match_pattern_list("sk-*", algs_supported(ALGS_CASIG),
	    false), MATCH_YES);
	/* The configuration's resolved list, which EXT_INFO announces. */
	c = config_new();
	if (c == NULL)
		abort();
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(match_pattern_list("sk-ssh-ed25519@openssh.com",
	    c->pubkey_accepted_algorithms, false), MATCH_YES);
	ASSERT_INT_EQ(match_pattern_list("sk-ecdsa-sha2-nistp256@openssh.com",
	    c->pubkey_accepted_algorithms, false), ec ? MATCH_YES : MATCH_NO);
	config_free(c);
	/* Named explicitly, or removed with a pattern. */
	c = config_new();
	if (c == NULL)
		abort();
	ASSERT_INT_EQ(config_apply_option(c, "PubkeyAcceptedAlgorithms "
	    "sk-ecdsa-sha2-nistp256@openssh.com,sk-ssh-ed25519@openssh.com",
	    &err), 0);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_STR_EQ(c->pubkey_accepted_algorithms, ec ?
	    "sk-ecdsa-sha2-nistp256@openssh.com,sk-ssh-ed25519@openssh.com" :
	    "sk-ssh-ed25519@openssh.com");
	config_free(c);
	c = config_new();
	if (c == NULL)
		abort();
	ASSERT_INT_EQ(config_apply_option(c, "PubkeyAcceptedAlgorithms -sk-*",
	    &err), 0);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(match_pattern_list("sk-*", c->pubkey_accepted_algorithms,
	    false), MATCH_NO);
	config_free(c);
	free(err);
	TEST_DONE();
}

static void
test_malformed(void)
{
	char line[AUTHKEYS_LINE_MAX * 2], *b64 = NULL;
	struct key *k2 = NULL;

	TEST_START("malformed lines and their reasons");
	BAD(L("command=\"unterminated", ""), HS_ERR_BAD_FORMAT,
	    "unterminated quote");
	BADN("command=\"x\\\" ssh-ed25519 AAAA", 28, HS_ERR_BAD_FORMAT,
	    "unterminated quote");
	BAD(L("foo", ""), HS_ERR_BAD_FORMAT, "bad option 'foo'");
	BAD(L("no-pty,foo=\"bar\"", ""), HS_ERR_BAD_FORMAT, "bad option 'foo'");
	/* sshd matches option names as prefixes; what follows must be a
	 * comma. */
	BAD(L("ptyx", ""), HS_ERR_BAD_FORMAT, "bad option 'ptyx'");
	BAD(L("restrict=\"x\"", ""), HS_ERR_BAD_FORMAT, "bad option");
	BAD(L("command =\"x\"", ""), HS_ERR_BAD_FORMAT, "bad option");
	BAD(L("no-restrict", ""), HS_ERR_BAD_FORMAT,
	    "bad option 'no-restrict'");
	BAD(L("command=\"x\"y", ""), HS_ERR_BAD_FORMAT, "bad option 'y'");
	BADN("restrict", 8, HS_ERR_KEY_FORMAT, "missing key");
	BADN("restrict ", 9, HS_ERR_KEY_FORMAT, "missing key");
	BADN("ssh-ed25519", 11, HS_ERR_KEY_FORMAT, "missing base64 key");
	BADN("restrict ssh-foo AAAA", 21, HS_ERR_KEY_TYPE,
	    "unknown key type 'ssh-foo'");
	/* A first word that is no key type is read as options. */
	BADN("ssh-foo AAAA", 12, HS_ERR_BAD_FORMAT, "bad option 'ssh-foo'");
	BADN("ssh-ed25519 AAAA!!!!", 20, HS_ERR_KEY_FORMAT, "bad base64 key");
	BADN("no-pty ssh-ed25519 AAAA=AAA", 27, HS_ERR_KEY_FORMAT,
	    "bad base64 key");
	BADN("no-pty ssh-ed25519 AAAAC3Nz", 27, HS_ERR_KEY_FORMAT,
	    "invalid ssh-ed25519 key");
	/* A truncated but well-encoded blob. */
	BADN("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", 32, HS_ERR_KEY_FORMAT,
	    "invalid ssh-ed25519 key");
	/* The blob of one type under the name of another. */
	if (key_type_supported(KEY_ECDSA_P256)) {
		snprintf(line, sizeof(line), "ecdsa-sha2-nistp256 %s", tb64);
		BAD(line, HS_ERR_KEY_FORMAT, "key type mismatch: line says "
		    "ecdsa-sha2-nistp256, key is ssh-ed25519");
		if (key_generate(KEY_ECDSA_P256, 0, &k2) == 0 &&
		    key_format_public(k2, NULL, &b64) == 0) {
			snprintf(line, sizeof(line), "ssh-ed25519 %s",
			    strchr(b64, ' ') + 1);
			BAD(line, HS_ERR_KEY_FORMAT, "key type mismatch");
		} else
			tap_fail(__FILE__, __LINE__, "ecdsa key");
	} else {
		snprintf(line, sizeof(line), "ecdsa-sha2-nistp256 %s", tb64);
		BAD(line, HS_ERR_KEY_UNSUPPORTED,
		    "not supported by this build");
	}
	/* Trailing comma before the key, empty options: sshd takes them. */
	authkey_opts_free(OK(L("restrict,", "")));
	authkey_opts_free(OK(L(",restrict,,pty", "")));
	/* Over-long line. */
	memset(line, ' ', AUTHKEYS_LINE_MAX + 1);
	memcpy(line + AUTHKEYS_LINE_MAX + 1 - strlen(tpub), tpub,
	    strlen(tpub));
	BADN(line, AUTHKEYS_LINE_MAX + 1, HS_ERR_TOO_LONG, "line too long");
	BADN("ssh-ed25519 AA\0A", 16, HS_ERR_STRING_NUL, "NUL byte");
	snprintf(line, sizeof(line), "%s\nssh-ed25519 x", tpub);
	BADN(line, strlen(line), HS_ERR_BAD_FORMAT, "newline");
	TEST_DONE();
	key_free(k2);
	free(b64);
}

static void
test_limit_exact(void)
{
	char line[AUTHKEYS_LINE_MAX + 1];
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	size_t n = strlen(tpub);

	TEST_START("a line of exactly AUTHKEYS_LINE_MAX bytes parses");
	memset(line, 'c', sizeof(line));
	memcpy(line, tpub, n);
	line[n] = ' ';
	line[AUTHKEYS_LINE_MAX] = '\0';
	ASSERT_INT_EQ(authkeys_parse_line(line, AUTHKEYS_LINE_MAX, &k, &o,
	    NULL), 0);
	authkey_opts_free(o);
	key_free(k);
	TEST_DONE();
}

/* Serialise o, deserialise, compare; returns the bytes' length. */
static size_t
roundtrip(const struct authkey_opts *o, int srcline)
{
	struct authkey_opts *d = NULL;
	struct buf *b = buf_new();
	size_t len = 0;

	if (b == NULL || buf_put_u32(b, 0xdeadbeef) != 0 ||
	    authkey_opts_serialize(o, b) != 0 || buf_put_u8(b, 7) != 0) {
		tap_fail(__FILE__, srcline, "serialize");
		goto out;
	}
	len = buf_len(b) - 5;
	if (buf_get_u32(b, NULL) != 0 ||
	    authkey_opts_deserialize(b, &d) != 0 || buf_len(b) != 1) {
		tap_fail(__FILE__, srcline, "deserialize");
		goto out;
	}
	if (!authkey_opts_equal(o, d))
		tap_fail(__FILE__, srcline, "round trip differs");
 out:
	authkey_opts_free(d);
	buf_free(b);
	return len;
}

/* A serialised record built by hand: the fields given, in order. */
struct rec {
	uint32_t	 version, flags, tunnel;
	uint64_t	 expiry;
	const char	*command, *from, *principals;
	const char	*const *permitopen;
	uint32_t	 npermitopen;
	const char	*const *env;
	uint32_t	 nenv;
	bool		 trailing;
};

static struct buf *
rec_build(const struct rec *rc)
{
	struct buf *in = buf_new(), *b = buf_new();
	uint32_t i;
	int r = 0;

	if (in == NULL || b == NULL)
		abort();
	r |= buf_put_u32(in, rc->version);
	r |= buf_put_u32(in, rc->flags);
	r |= buf_put_u64(in, rc->expiry);
	r |= buf_put_u32(in, rc->tunnel);
	r |= buf_put_bool(in, rc->command != NULL);
	if (rc->command != NULL)
		r |= buf_put_cstring(in, rc->command);
	r |= buf_put_bool(in, rc->from != NULL);
	if (rc->from != NULL)
		r |= buf_put_cstring(in, rc->from);
	r |= buf_put_bool(in, rc->principals != NULL);
	if (rc->principals != NULL)
		r |= buf_put_cstring(in, rc->principals);
	r |= buf_put_u32(in, rc->npermitopen);
	for (i = 0; i < rc->npermitopen && rc->permitopen != NULL; i++)
		r |= buf_put_cstring(in, rc->permitopen[i]);
	r |= buf_put_u32(in, 0);
	r |= buf_put_u32(in, rc->nenv);
	for (i = 0; i < rc->nenv && rc->env != NULL; i++)
		r |= buf_put_cstring(in, rc->env[i]);
	if (rc->trailing)
		r |= buf_put_u8(in, 0);
	r |= buf_put_stringb(b, in);
	if (r != 0)
		abort();
	buf_free(in);
	return b;
}

static int
rec_parse(const struct rec *rc)
{
	struct authkey_opts *o = NULL;
	struct buf *b = rec_build(rc);
	size_t len = buf_len(b);
	int r;

	r = authkey_opts_deserialize(b, &o);
	if (r == 0 && o == NULL)
		r = -1000;
	if (r != 0 && (o != NULL || buf_len(b) != len))
		r = -1001;	/* a failure must consume nothing */
	authkey_opts_free(o);
	buf_free(b);
	return r;
}

static void
test_serial(void)
{
	static const char *const po[] = { "h:1" };
	static const char *const env2[] = { "A=1", "A=2" };
	static const char *const envbad[] = { "A-B=1" };
	static const char *const pobad[] = { "h" };
	struct rec base = { 1, 0x1f, UINT32_MAX, 0, NULL, NULL, NULL, NULL, 0,
	    NULL, 0, false }, rc;
	struct authkey_opts *o, *d = NULL, big;
	struct buf *b;
	uint8_t byte;
	size_t len, i, cut;
	char **many = NULL;
	size_t nmany = 0;

	TEST_START("serialised options: round trips");
	if ((o = OK(L("", ""))) != NULL)
		roundtrip(o, __LINE__);
	authkey_opts_free(o);
	if ((o = OK(L("restrict,pty,command=\"echo \\\"x\\\"\",from=\"10.0.0.0/8,"
	    "!10.1.0.0/16,*.example.com\",expiry-time=\"20300101Z\","
	    "tunnel=\"any\",principals=\"p\",permitopen=\"a:1\","
	    "permitopen=\"[::1]:*\",permitlisten=\"80\",environment=\"A=1\","
	    "environment=\"B=2\",no-touch-required,verify-required", "")))
	    != NULL) {
		len = roundtrip(o, __LINE__);
		ASSERT_TRUE(len > 0 && len <= AUTHKEY_OPTS_SERIAL_MAX);
	}
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("serialised options: every truncation fails, consumes "
	    "nothing");
	if ((o = OK(L("command=\"c\",from=\"*\",permitopen=\"a:1\","
	    "environment=\"A=1\"", ""))) != NULL) {
		b = buf_new();
		if (b == NULL || authkey_opts_serialize(o, b) != 0)
			abort();
		len = buf_len(b);
		for (cut = 0; cut < len; cut++) {
			struct buf *t = buf_from(buf_ptr(b), cut);

			if (t == NULL)
				abort();
			ASSERT_INT_NE(authkey_opts_deserialize(t, &d), 0);
			ASSERT_PTR_EQ(d, NULL);
			ASSERT_INT_EQ(buf_len(t), cut);
			buf_free(t);
		}
		/* Every byte flipped: what is accepted is canonical (it
		 * serialises to the same bytes again). */
		for (i = 0; i < len; i++) {
			struct buf *t = buf_new(), *again = buf_new();
			uint8_t *flipped;

			if (t == NULL || again == NULL ||
			    (flipped = malloc(len)) == NULL)
				abort();
			memcpy(flipped, buf_ptr(b), len);
			byte = flipped[i];
			flipped[i] = (uint8_t)(byte ^ 0x80);
			if (buf_put(t, flipped, len) != 0)
				abort();
			if (authkey_opts_deserialize(t, &d) == 0) {
				ASSERT_INT_EQ(authkey_opts_serialize(d, again),
				    0);
				ASSERT_INT_EQ(buf_len(again), len);
				ASSERT_MEM_EQ(buf_ptr(again), flipped, len);
				authkey_opts_free(d);
				d = NULL;
			} else
				ASSERT_INT_EQ(buf_len(t), len);
			free(flipped);
			buf_free(t);
			buf_free(again);
		}
		buf_free(b);
	}
	authkey_opts_free(o);
	TEST_DONE();

	TEST_START("serialised options: hostile records");
	ASSERT_INT_EQ(rec_parse(&base), 0);
	rc = base;
	rc.version = 2;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_PROTOCOL);
	rc = base;
	rc.flags = 0x100;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_PROTOCOL);
	rc = base;
	rc.trailing = true;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_TRAILING_DATA);
	rc = base;
	rc.expiry = (uint64_t)INT64_MAX + 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc = base;
	rc.tunnel = AUTHKEY_TUNNEL_MAX + 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc.tunnel = 0x80000000u;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc.tunnel = AUTHKEY_TUNNEL_ANY;
	ASSERT_INT_EQ(rec_parse(&rc), 0);
	rc = base;
	rc.from = "10.0.0.0/33";
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc = base;
	rc.env = env2;
	rc.nenv = 2;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc.env = envbad;
	rc.nenv = 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc = base;
	rc.permitopen = pobad;
	rc.npermitopen = 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_BAD_FORMAT);
	rc.permitopen = po;
	ASSERT_INT_EQ(rec_parse(&rc), 0);
	/* A count beyond the bound fails before any string is read. */
	rc.permitopen = NULL;
	rc.npermitopen = AUTHKEYS_PERMIT_MAX + 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_TOO_LONG);
	rc = base;
	rc.nenv = AUTHKEYS_ENV_MAX + 1;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_TOO_LONG);
	/* A count with too few strings after it. */
	rc = base;
	rc.nenv = 3;
	ASSERT_INT_EQ(rec_parse(&rc), HS_ERR_SHORT);
	TEST_DONE();

	TEST_START("serialised options: the writer's bounds");
	memset(&big, 0, sizeof(big));
	big.tunnel = -1;
	for (i = 0; i <= AUTHKEYS_PERMIT_MAX; i++)
		if (strv_append(&many, &nmany, AUTHKEYS_PERMIT_MAX + 1,
		    "h:1") != 0)
			abort();
	big.permitopen = many;
	big.npermitopen = nmany;
	b = buf_new();
	if (b == NULL || buf_put_u8(b, 1) != 0)
		abort();
	ASSERT_INT_EQ(authkey_opts_serialize(&big, b), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 1);
	/* Fewer, but more bytes than the record may hold. */
	big.npermitopen = AUTHKEYS_PERMIT_MAX;
	ASSERT_INT_EQ(authkey_opts_serialize(&big, b), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 1);
	big.npermitopen = nmany;
	strv_free(many, nmany);
	buf_free(b);
	TEST_DONE();
}

int
main(void)
{
	char *sp;

	if (key_generate(KEY_ED25519, 0, &tkey) != 0 ||
	    key_format_public(tkey, NULL, &tpub) != 0 ||
	    (sp = strchr(tpub, ' ')) == NULL)
		abort();
	tb64 = xstrdup(sp + 1);
	test_plain();
	test_flags();
	test_values();
	test_from();
	test_expiry();
	test_principals_certs();
	test_sk();
	test_malformed();
	test_limit_exact();
	test_serial();
	key_free(tkey);
	free(tpub);
	free(tb64);
	return tap_finish();
}
