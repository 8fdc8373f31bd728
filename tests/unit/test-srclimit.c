/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of monitor/srclimit: the MaxStartups drop curve,
 * PerSourceMaxStartups per netblock, PerSourcePenalties (accumulation,
 * min/max, expiry, exemptions, overflow), the exit status mapping, the
 * log lines, and a randomised run against a simple reference model that
 * also checks the memory bounds.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "monitor/srclimit.h"
#include "policy/config.h"
#include "tests/tap.h"

/* Log capture. */

#define LOGS_MAX	512
static struct {
	enum log_level	level;
	char		msg[LOG_LINE_MAX * 2];
} logs[LOGS_MAX];
static size_t nlogs;

static void
capture(enum log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (nlogs >= LOGS_MAX)
		return;
	logs[nlogs].level = level;
	snprintf(logs[nlogs].msg, sizeof(logs[nlogs].msg), "%s", msg);
	nlogs++;
}

static void
logs_clear(void)
{
	nlogs = 0;
}

/* Whether exactly this line was logged at this level. */
static bool
logged(enum log_level level, const char *line)
{
	size_t i;

	for (i = 0; i < nlogs; i++)
		if (logs[i].level == level && strcmp(logs[i].msg, line) == 0)
			return true;
	return false;
}

static int
logged_at(enum log_level level)
{
	size_t i;
	int n = 0;

	for (i = 0; i < nlogs; i++)
		if (logs[i].level == level)
			n++;
	return n;
}

static void
logs_dump(void)
{
	size_t i;

	for (i = 0; i < nlogs; i++)
		printf("#   log[%d] %s\n", (int)logs[i].level, logs[i].msg);
}

#define ASSERT_LOGGED(level, line) do { \
	if (!logged((level), (line))) { \
		tap_fail(__FILE__, __LINE__, "not logged at %d: \"%s\"", \
		    (int)(level), (line)); \
		logs_dump(); \
	} \
} while (0)

/* Configuration and addresses. */

static struct hs_config *
load(const char *text)
{
	struct hs_config *c = config_new();
	char *err = NULL;

	if (c == NULL)
		abort();
	if (config_load_buffer(c, "test.conf", text, strlen(text), &err) != 0 ||
	    config_finish(c, &err) != 0) {
		printf("# config error: %s\n", err ? err : "(none)");
		fflush(stdout);
		abort();
	}
	return c;
}

static struct srclimit *
mk(const char *text)
{
	struct hs_config *c = load(text);
	struct srclimit *sl = srclimit_new(c);

	if (sl == NULL)
		abort();
	config_free(c);
	return sl;
}

struct peer {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

static struct peer
P(const char *addr, unsigned int port)
{
	struct peer p;
	struct sockaddr_in *sin = (struct sockaddr_in *)&p.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p.ss;

	memset(&p, 0, sizeof(p));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		p.len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		p.len = sizeof(*sin6);
	} else
		abort();
	return p;
}

#define SA(p)	((const struct sockaddr *)&(p).ss), (p).len

static bool
open_(struct srclimit *sl, const char *addr, int id)
{
	struct peer p = P(addr, 40000);

	return srclimit_check_open(sl, SA(p), id);
}

static int
pen(struct srclimit *sl, const char *addr, enum srclimit_reason r, time_t now)
{
	struct peer p = P(addr, 40000);

	return srclimit_penalise(sl, SA(p), r, now);
}

static bool
refused(struct srclimit *sl, const char *addr, time_t now)
{
	struct peer p = P(addr, 40000);

	return srclimit_penalty_check(sl, SA(p), now, NULL);
}

static const char *
refusal(struct srclimit *sl, const char *addr, time_t now)
{
	struct peer p = P(addr, 40000);
	const char *why = NULL;

	if (!srclimit_penalty_check(sl, SA(p), now, &why))
		return "(admitted)";
	return why != NULL ? why : "(null)";
}

static struct srclimit_stats
stats(const struct srclimit *sl)
{
	struct srclimit_stats st;

	srclimit_get_stats(sl, &st);
	return st;
}

/* How many of the 100 residues r make the call drop at n. */
static int
drops_in_100(struct srclimit *sl, unsigned int n)
{
	uint32_t r;
	int drops = 0;

	for (r = 0; r < 100; r++)
		if (srclimit_should_drop_startup(sl, n, r))
			drops++;
	return drops;
}

/* sshd's percentage, computed independently. */
static int
expected_p(int begin, int rate, int full, int n)
{
	if (n < begin)
		return 0;
	if (n >= full || rate == 100)
		return 100;
	return (100 - rate) * (n - begin) / (full - begin) + rate;
}

static void
test_maxstartups(void)
{
	struct srclimit *sl;
	unsigned int n;
	bool all_ok;

	TEST_START("MaxStartups 10:30:100 (default): curve at begin and full");
	sl = mk("");
	for (n = 0; n < 10; n++) {
		ASSERT_FALSE(srclimit_should_drop_startup(sl, n, 0));
		ASSERT_FALSE(srclimit_should_drop_startup(sl, n, UINT32_MAX));
	}
	/* At begin exactly: 30%, so residues 0..29 drop and 30.. do not. */
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 10, 0));
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 10, 29));
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 10, 30));
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 10, 99));
	/* The random value is reduced modulo 100: 4294967295 % 100 = 95. */
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 10, UINT32_MAX));
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 10, 1329));
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 10, 100));
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 10, 130));
	ASSERT_INT_EQ(drops_in_100(sl, 10), 30);
	ASSERT_INT_EQ(drops_in_100(sl, 11), 30);	/* 70*1/90 = 0 */
	ASSERT_INT_EQ(drops_in_100(sl, 12), 31);	/* 70*2/90 = 1 */
	ASSERT_INT_EQ(drops_in_100(sl, 55), 65);
	ASSERT_INT_EQ(drops_in_100(sl, 99), 99);
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 99, 99));
	ASSERT_INT_EQ(drops_in_100(sl, 100), 100);
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 100, 99));
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 5000, 99));
	ASSERT_TRUE(srclimit_should_drop_startup(sl, UINT32_MAX, 99));
	all_ok = true;
	for (n = 0; n <= 110; n++)
		if (drops_in_100(sl, n) != expected_p(10, 30, 100, (int)n))
			all_ok = false;
	ASSERT_TRUE(all_ok);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("MaxStartups 3:50:6");
	sl = mk("MaxStartups 3:50:6\n");
	ASSERT_INT_EQ(drops_in_100(sl, 0), 0);
	ASSERT_INT_EQ(drops_in_100(sl, 2), 0);
	ASSERT_INT_EQ(drops_in_100(sl, 3), 50);
	ASSERT_TRUE(srclimit_should_drop_startup(sl, 3, 49));
	ASSERT_FALSE(srclimit_should_drop_startup(sl, 3, 50));
	ASSERT_INT_EQ(drops_in_100(sl, 4), 66);		/* 50*1/3 + 50 */
	ASSERT_INT_EQ(drops_in_100(sl, 5), 83);		/* 50*2/3 + 50 */
	ASSERT_INT_EQ(drops_in_100(sl, 6), 100);
	ASSERT_INT_EQ(drops_in_100(sl, 7), 100);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("MaxStartups N (begin = full) and rate 100");
	sl = mk("MaxStartups 10\n");
	ASSERT_INT_EQ(drops_in_100(sl, 9), 0);
	ASSERT_INT_EQ(drops_in_100(sl, 10), 100);
	srclimit_free(sl);
	sl = mk("MaxStartups 5:100:10\n");
	ASSERT_INT_EQ(drops_in_100(sl, 4), 0);
	ASSERT_INT_EQ(drops_in_100(sl, 5), 100);
	ASSERT_INT_EQ(drops_in_100(sl, 9), 100);
	srclimit_free(sl);
	sl = mk("MaxStartups 1:1:3\n");
	ASSERT_INT_EQ(drops_in_100(sl, 0), 0);
	ASSERT_INT_EQ(drops_in_100(sl, 1), 1);
	ASSERT_INT_EQ(drops_in_100(sl, 2), 50);		/* 99*1/2 + 1 */
	ASSERT_INT_EQ(drops_in_100(sl, 3), 100);
	srclimit_free(sl);
	TEST_DONE();
}

static void
test_persource(void)
{
	struct srclimit *sl;
	struct sockaddr_un sun;

	TEST_START("PerSourceMaxStartups 2 with /32: per address");
	sl = mk("PerSourceMaxStartups 2\n");
	ASSERT_TRUE(open_(sl, "10.0.0.1", 1));
	ASSERT_TRUE(open_(sl, "10.0.0.1", 2));
	ASSERT_FALSE(open_(sl, "10.0.0.1", 3));
	ASSERT_TRUE(open_(sl, "10.0.0.2", 3));
	ASSERT_TRUE(open_(sl, "10.0.0.2", 4));
	ASSERT_FALSE(open_(sl, "10.0.0.2", 5));
	ASSERT_INT_EQ(stats(sl).tracked, 4);
	ASSERT_INT_EQ(stats(sl).sources, 2);
	srclimit_done(sl, 1);
	ASSERT_INT_EQ(stats(sl).tracked, 3);
	ASSERT_TRUE(open_(sl, "10.0.0.1", 5));
	ASSERT_FALSE(open_(sl, "10.0.0.1", 6));
	/* Done twice (auth, then exit) and unknown ids are harmless. */
	srclimit_done(sl, 1);
	srclimit_done(sl, 12345);
	srclimit_done(sl, -1);
	ASSERT_INT_EQ(stats(sl).tracked, 4);
	srclimit_done(sl, 2);
	srclimit_done(sl, 5);
	ASSERT_INT_EQ(stats(sl).sources, 1);
	srclimit_done(sl, 3);
	srclimit_done(sl, 4);
	ASSERT_INT_EQ(stats(sl).tracked, 0);
	ASSERT_INT_EQ(stats(sl).sources, 0);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceMaxStartups: ids must be unique and >= 0");
	sl = mk("PerSourceMaxStartups 5\n");
	ASSERT_TRUE(open_(sl, "10.0.0.1", 0));
	ASSERT_FALSE(open_(sl, "10.0.0.9", 0));
	ASSERT_FALSE(open_(sl, "10.0.0.9", -1));
	ASSERT_INT_EQ(stats(sl).tracked, 1);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceNetBlockSize 24:64: IPv4 /24");
	sl = mk("PerSourceMaxStartups 2\nPerSourceNetBlockSize 24:64\n");
	ASSERT_TRUE(open_(sl, "192.0.2.1", 1));
	ASSERT_TRUE(open_(sl, "192.0.2.254", 2));
	ASSERT_FALSE(open_(sl, "192.0.2.77", 3));
	ASSERT_TRUE(open_(sl, "192.0.3.1", 3));
	ASSERT_TRUE(open_(sl, "192.1.2.1", 4));
	srclimit_done(sl, 2);
	ASSERT_TRUE(open_(sl, "192.0.2.77", 5));
	TEST_DONE();

	TEST_START("PerSourceNetBlockSize 24:64: IPv6 /64, mapped as IPv4");
	ASSERT_TRUE(open_(sl, "2001:db8:1:2::1", 10));
	ASSERT_TRUE(open_(sl, "2001:db8:1:2:ffff:ffff:ffff:ffff", 11));
	ASSERT_FALSE(open_(sl, "2001:db8:1:2:1234::", 12));
	ASSERT_TRUE(open_(sl, "2001:db8:1:3::1", 12));
	/* IPv4-mapped: the /24 of 192.0.2.0 is full (ids 1 and 5). */
	ASSERT_FALSE(open_(sl, "::ffff:192.0.2.9", 13));
	ASSERT_TRUE(open_(sl, "::ffff:198.51.100.7", 13));
	ASSERT_TRUE(open_(sl, "198.51.100.8", 14));
	ASSERT_FALSE(open_(sl, "198.51.100.9", 15));
	srclimit_done(sl, 13);
	ASSERT_TRUE(open_(sl, "198.51.100.9", 15));
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceNetBlockSize 32:128: each IPv6 address apart");
	sl = mk("PerSourceMaxStartups 1\n");
	ASSERT_TRUE(open_(sl, "2001:db8::1", 1));
	ASSERT_FALSE(open_(sl, "2001:db8::1", 2));
	ASSERT_TRUE(open_(sl, "2001:db8::2", 2));
	ASSERT_TRUE(open_(sl, "::ffff:10.0.0.1", 3));
	ASSERT_FALSE(open_(sl, "10.0.0.1", 4));
	ASSERT_TRUE(open_(sl, "10.0.0.2", 4));
	/* 10.0.0.1 and ::a00:1 (not mapped) are different sources. */
	ASSERT_TRUE(open_(sl, "::a00:1", 5));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceNetBlockSize 0:0: one block for everyone");
	sl = mk("PerSourceMaxStartups 2\nPerSourceNetBlockSize 0:0\n");
	ASSERT_TRUE(open_(sl, "1.2.3.4", 1));
	ASSERT_TRUE(open_(sl, "200.2.3.4", 2));
	ASSERT_FALSE(open_(sl, "9.9.9.9", 3));
	ASSERT_TRUE(open_(sl, "2001:db8::1", 3));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceMaxStartups: at most MaxStartups (full) tracked");
	sl = mk("PerSourceMaxStartups 10\nMaxStartups 3\n");
	ASSERT_TRUE(open_(sl, "10.0.0.1", 1));
	ASSERT_TRUE(open_(sl, "10.0.0.2", 2));
	ASSERT_TRUE(open_(sl, "10.0.0.3", 3));
	ASSERT_FALSE(open_(sl, "10.0.0.4", 4));
	srclimit_done(sl, 2);
	ASSERT_TRUE(open_(sl, "10.0.0.4", 4));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourceMaxStartups none and non-IP peers: not tracked");
	sl = mk("");
	ASSERT_TRUE(open_(sl, "10.0.0.1", 1));
	ASSERT_TRUE(open_(sl, "10.0.0.1", 1));
	ASSERT_INT_EQ(stats(sl).tracked, 0);
	srclimit_free(sl);
	sl = mk("PerSourceMaxStartups 1\n");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ASSERT_TRUE(srclimit_check_open(sl, (struct sockaddr *)&sun,
	    sizeof(sun), 1));
	ASSERT_TRUE(srclimit_check_open(sl, (struct sockaddr *)&sun,
	    sizeof(sun), 2));
	/* A truncated sockaddr is not an address. */
	{
		struct peer p = P("10.0.0.1", 1);

		ASSERT_TRUE(srclimit_check_open(sl,
		    (struct sockaddr *)&p.ss, 4, 3));
	}
	ASSERT_INT_EQ(stats(sl).tracked, 0);
	srclimit_free(sl);
	TEST_DONE();
}

static void
test_reasons(void)
{
	TEST_START("srclimit_reason_from_exit");
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_OK, false),
	    SRCLIMIT_NONE);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_NOAUTH, false),
	    SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_AUTHFAIL, false),
	    SRCLIMIT_AUTHFAIL);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_TIMEOUT, false),
	    SRCLIMIT_GRACE_EXCEEDED);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_CRASH, false),
	    SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_REFUSED, false),
	    SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_CLOSED, false),
	    SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_DISCONNECTED,
	    false), SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_AUTHENTICATED,
	    false), SRCLIMIT_NONE);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_INVALIDUSER,
	    false), SRCLIMIT_INVALIDUSER);
	ASSERT_INT_EQ(srclimit_reason_from_exit(HELPER_EXIT_INTERNAL, false),
	    SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(1, false), SRCLIMIT_NOAUTH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGSEGV, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGBUS, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGTRAP, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGSYS, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGFPE, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGILL, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGABRT, true), SRCLIMIT_CRASH);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGKILL, true), SRCLIMIT_NONE);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGTERM, true), SRCLIMIT_NONE);
	ASSERT_INT_EQ(srclimit_reason_from_exit(SIGHUP, true), SRCLIMIT_NONE);
	ASSERT_STR_EQ(srclimit_reason_str(SRCLIMIT_CRASH),
	    "penalty: caused crash");
	ASSERT_STR_EQ(srclimit_reason_str(SRCLIMIT_AUTHFAIL),
	    "penalty: failed authentication");
	ASSERT_STR_EQ(srclimit_reason_str(SRCLIMIT_INVALIDUSER),
	    "penalty: attempted authentication by invalid user");
	ASSERT_STR_EQ(srclimit_reason_str(SRCLIMIT_NOAUTH),
	    "penalty: connections without attempting authentication");
	ASSERT_STR_EQ(srclimit_reason_str(SRCLIMIT_GRACE_EXCEEDED),
	    "penalty: exceeded LoginGraceTime");
	TEST_DONE();
}

static void
test_penalties(void)
{
	struct srclimit *sl;

	TEST_START("crash: 127.0.0.2 refused, 127.0.0.3 admitted, expiry");
	sl = mk("");
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 1000), 0);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "srclimit_penalise: ipv4: new "
	    "127.0.0.2/32 active penalty of 90.000 seconds for penalty: "
	    "caused crash");
	ASSERT_TRUE(refused(sl, "127.0.0.2", 1000));
	ASSERT_STR_EQ(refusal(sl, "127.0.0.2", 1000), "penalty: caused crash");
	ASSERT_FALSE(refused(sl, "127.0.0.3", 1000));
	ASSERT_TRUE(refused(sl, "::ffff:127.0.0.2", 1000));
	ASSERT_TRUE(refused(sl, "127.0.0.2", 1089));
	/* sshd keeps an entry until its expiry is in the past. */
	ASSERT_TRUE(refused(sl, "127.0.0.2", 1090));
	ASSERT_INT_EQ(stats(sl).penalties4, 1);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 1091));
	ASSERT_INT_EQ(stats(sl).penalties4, 0);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("authfail: deferred below min, accumulates, activates");
	sl = mk("");
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_LOGGED(LOG_LEVEL_VERBOSE, "srclimit_penalise: ipv4: new "
	    "127.0.0.2/32 deferred penalty of 5.000 seconds for penalty: "
	    "failed authentication");
	ASSERT_FALSE(refused(sl, "127.0.0.2", 0));
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 0));		/* 10s */
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 0));		/* 15s: not > 15 */
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "srclimit_penalise: 127.0.0.2/32: "
	    "activating ipv4 penalty of 20.000 seconds for penalty: failed "
	    "authentication");
	ASSERT_LOGGED(LOG_LEVEL_DEBUG1, "debug1: srclimit_penalise: inactive "
	    "penalty for ipv4 127.0.0.2/32 already exists, 15 seconds "
	    "remaining");
	ASSERT_TRUE(refused(sl, "127.0.0.2", 0));
	ASSERT_STR_EQ(refusal(sl, "127.0.0.2", 5),
	    "penalty: failed authentication");
	ASSERT_FALSE(refused(sl, "127.0.0.3", 5));
	ASSERT_TRUE(refused(sl, "127.0.0.2", 20));
	ASSERT_FALSE(refused(sl, "127.0.0.2", 21));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("a first penalty of exactly min is deferred");
	sl = mk("PerSourcePenalties crash:15 min:15\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 0));
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 14), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 14));	/* 16 s left */
	srclimit_free(sl);
	sl = mk("PerSourcePenalties crash:16 min:15\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 0));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("penalties decay between failures");
	sl = mk("");
	/* One failure every 4 s: 5 s each, 4 s elapse: +1 s net per try. */
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 100), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 104), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 108), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 108));	/* 7 s left */
	/* After expiry the next one starts afresh (deferred). */
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 200), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_AUTHFAIL, 200), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 200));
	ASSERT_INT_EQ(stats(sl).penalties4, 1);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("max caps accumulation; a single long penalty stands");
	sl = mk("PerSourcePenalties crash:90 max:100 min:15\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 50), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 150));	/* 50 + 100 */
	ASSERT_FALSE(refused(sl, "127.0.0.2", 151));
	srclimit_free(sl);
	/* As sshd: max bounds accumulation, not one penalty by itself. */
	sl = mk("PerSourcePenalties crash:900 max:600\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 900));
	ASSERT_FALSE(refused(sl, "127.0.0.2", 901));
	/* ... and the next one clamps the total to max from now. */
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 1000), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_NOAUTH, 1000), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 1600));
	ASSERT_FALSE(refused(sl, "127.0.0.2", 1601));
	srclimit_free(sl);
	/* Clamping can shorten a penalty: it must then expire first. */
	sl = mk("PerSourcePenalties crash:900 max:100\n");
	ASSERT_INT_EQ(pen(sl, "10.0.0.1", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.3", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.3", SRCLIMIT_NOAUTH, 0), 0);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	ASSERT_TRUE(refused(sl, "10.0.0.3", 100));
	ASSERT_FALSE(refused(sl, "10.0.0.3", 101));
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_TRUE(refused(sl, "10.0.0.1", 101));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("min:0 activates any penalty; reasons and durations");
	sl = mk("PerSourcePenalties min:0 noauth:3 invaliduser:7 "
	    "grace-exceeded:11 authfail:0\n");
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "10.0.0.1", SRCLIMIT_NOAUTH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.2", SRCLIMIT_INVALIDUSER, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.3", SRCLIMIT_GRACE_EXCEEDED, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.4", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.5", SRCLIMIT_NONE, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.5", (enum srclimit_reason)99, 0),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "srclimit_penalise: ipv4: new "
	    "10.0.0.2/32 active penalty of 7.000 seconds for penalty: "
	    "attempted authentication by invalid user");
	ASSERT_STR_EQ(refusal(sl, "10.0.0.1", 3),
	    "penalty: connections without attempting authentication");
	ASSERT_STR_EQ(refusal(sl, "10.0.0.2", 3),
	    "penalty: attempted authentication by invalid user");
	ASSERT_STR_EQ(refusal(sl, "10.0.0.3", 3),
	    "penalty: exceeded LoginGraceTime");
	ASSERT_STR_EQ(refusal(sl, "10.0.0.4", 3), "(admitted)");
	ASSERT_INT_EQ(stats(sl).penalties4, 3);
	ASSERT_STR_EQ(refusal(sl, "10.0.0.1", 4), "(admitted)");
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_TRUE(refused(sl, "10.0.0.2", 7));
	ASSERT_FALSE(refused(sl, "10.0.0.2", 8));
	ASSERT_TRUE(refused(sl, "10.0.0.3", 11));
	ASSERT_FALSE(refused(sl, "10.0.0.3", 12));
	ASSERT_INT_EQ(stats(sl).penalties4, 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourcePenalties no: nothing recorded or refused");
	sl = mk("PerSourcePenalties no\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_FALSE(refused(sl, "127.0.0.2", 0));
	ASSERT_INT_EQ(stats(sl).penalties4, 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("netblocks: /24 and /64 share a penalty; mapped is IPv4");
	sl = mk("PerSourceNetBlockSize 24:64\n");
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	/* sshd prints the source address with the mask length. */
	ASSERT_LOGGED(LOG_LEVEL_INFO, "srclimit_penalise: ipv4: new "
	    "127.0.0.2/24 active penalty of 90.000 seconds for penalty: "
	    "caused crash");
	ASSERT_TRUE(refused(sl, "127.0.0.3", 0));
	ASSERT_TRUE(refused(sl, "127.0.0.254", 0));
	ASSERT_FALSE(refused(sl, "127.0.1.3", 0));
	ASSERT_INT_EQ(pen(sl, "2001:db8:0:1::5", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "2001:db8:0:1:ffff::1", 0));
	ASSERT_FALSE(refused(sl, "2001:db8:0:2::5", 0));
	ASSERT_INT_EQ(pen(sl, "::ffff:10.1.2.3", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "10.1.2.200", 0));
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_INT_EQ(stats(sl).penalties6, 1);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("PerSourcePenaltyExemptList");
	sl = mk("PerSourceNetBlockSize 24:64\n"
	    "PerSourcePenaltyExemptList 127.0.0.2,10.1.0.0/16,"
	    "192.0.2.5,2001:db8::/32\n");
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_LOGGED(LOG_LEVEL_DEBUG3, "debug3: srclimit_penalise: "
	    "address 127.0.0.2 is exempt");
	ASSERT_INT_EQ(pen(sl, "::ffff:10.1.200.3", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "2001:db8:5::1", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(stats(sl).penalties4 + stats(sl).penalties6, 0);
	/* 192.0.2.6 penalises 192.0.2.0/24, but 192.0.2.5 stays exempt. */
	ASSERT_INT_EQ(pen(sl, "192.0.2.6", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "192.0.2.7", 0));
	ASSERT_FALSE(refused(sl, "192.0.2.5", 0));
	ASSERT_FALSE(refused(sl, "::ffff:192.0.2.5", 0));
	srclimit_free(sl);
	/* A negated entry that matches means "not exempt". */
	sl = mk("PerSourcePenaltyExemptList !127.0.0.2,127.0.0.0/8\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "127.0.0.3", SRCLIMIT_CRASH, 0), 0);
	ASSERT_TRUE(refused(sl, "127.0.0.2", 0));
	ASSERT_FALSE(refused(sl, "127.0.0.3", 0));
	ASSERT_INT_EQ(stats(sl).penalties4, 1);
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("overflow:permissive drops the soonest-to-expire penalty");
	sl = mk("PerSourcePenalties max-sources4:2 max-sources6:1\n");
	ASSERT_INT_EQ(pen(sl, "10.0.0.1", SRCLIMIT_CRASH, 0), 0);   /* 90 */
	ASSERT_INT_EQ(pen(sl, "10.0.0.2", SRCLIMIT_CRASH, 10), 0);  /* 100 */
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "10.0.0.3", SRCLIMIT_CRASH, 20), 0);  /* 110 */
	ASSERT_LOGGED(LOG_LEVEL_DEBUG3, "debug3: early_expire: ipv4 overflow, "
	    "remove 10.0.0.1/32");
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_FALSE(refused(sl, "10.0.0.1", 20));
	ASSERT_TRUE(refused(sl, "10.0.0.2", 20));
	ASSERT_TRUE(refused(sl, "10.0.0.3", 20));
	ASSERT_FALSE(refused(sl, "10.0.0.4", 20));
	/* A new penalty that would expire first is itself the one dropped. */
	ASSERT_INT_EQ(pen(sl, "10.0.0.4", SRCLIMIT_GRACE_EXCEEDED, 20), 0);
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_FALSE(refused(sl, "10.0.0.4", 20));
	ASSERT_TRUE(refused(sl, "10.0.0.2", 20));
	/* IPv6 has its own table. */
	ASSERT_INT_EQ(pen(sl, "2001:db8::1", SRCLIMIT_CRASH, 20), 0);
	ASSERT_INT_EQ(pen(sl, "2001:db8::2", SRCLIMIT_CRASH, 21), 0);
	ASSERT_INT_EQ(stats(sl).penalties6, 1);
	ASSERT_FALSE(refused(sl, "2001:db8::1", 21));
	ASSERT_TRUE(refused(sl, "2001:db8::2", 21));
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	srclimit_free(sl);
	/* Equal expiry: the lowest netblock goes first, as in sshd's tree. */
	sl = mk("PerSourcePenalties max-sources4:2\n");
	ASSERT_INT_EQ(pen(sl, "10.0.0.3", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.1", SRCLIMIT_CRASH, 0), 0);
	ASSERT_INT_EQ(pen(sl, "10.0.0.2", SRCLIMIT_CRASH, 0), 0);
	ASSERT_FALSE(refused(sl, "10.0.0.1", 0));
	ASSERT_TRUE(refused(sl, "10.0.0.2", 0));
	ASSERT_TRUE(refused(sl, "10.0.0.3", 0));
	srclimit_free(sl);
	TEST_DONE();

	TEST_START("overflow:deny-all refuses everyone while full");
	sl = mk("PerSourcePenalties max-sources4:2 overflow:deny-all "
	    "overflow6:permissive\nPerSourcePenaltyExemptList 10.9.9.9\n");
	ASSERT_INT_EQ(pen(sl, "10.0.0.1", SRCLIMIT_CRASH, 0), 0);   /* 90 */
	ASSERT_FALSE(refused(sl, "10.0.0.3", 0));
	ASSERT_INT_EQ(pen(sl, "10.0.0.2", SRCLIMIT_AUTHFAIL, 0), 0); /* 5 */
	ASSERT_STR_EQ(refusal(sl, "10.0.0.3", 0),
	    "too many penalised addresses");
	ASSERT_STR_EQ(refusal(sl, "10.0.0.2", 0),
	    "too many penalised addresses");
	ASSERT_FALSE(refused(sl, "10.9.9.9", 0));
	ASSERT_FALSE(refused(sl, "2001:db8::3", 0));
	logs_clear();
	ASSERT_INT_EQ(pen(sl, "10.0.0.4", SRCLIMIT_CRASH, 0), 0);
	ASSERT_LOGGED(LOG_LEVEL_VERBOSE, "srclimit_penalise: ipv4 penalty "
	    "table full, cannot penalise 10.0.0.4/32 for penalty: caused "
	    "crash");
	ASSERT_INT_EQ(stats(sl).penalties4, 2);
	/* Once the short penalty expires, there is room again. */
	ASSERT_TRUE(refused(sl, "10.0.0.3", 5));
	ASSERT_FALSE(refused(sl, "10.0.0.3", 6));
	ASSERT_FALSE(refused(sl, "10.0.0.2", 6));
	ASSERT_TRUE(refused(sl, "10.0.0.1", 6));
	ASSERT_INT_EQ(pen(sl, "10.0.0.4", SRCLIMIT_CRASH, 6), 0);
	ASSERT_TRUE(refused(sl, "10.0.0.4", 6));
	ASSERT_STR_EQ(refusal(sl, "10.0.0.5", 6),
	    "too many penalised addresses");
	srclimit_free(sl);
	/* overflow6 follows overflow unless given. */
	sl = mk("PerSourcePenalties max-sources6:1 overflow:deny-all\n");
	ASSERT_INT_EQ(pen(sl, "2001:db8::1", SRCLIMIT_AUTHFAIL, 0), 0);
	ASSERT_TRUE(refused(sl, "2001:db8::2", 0));
	ASSERT_FALSE(refused(sl, "10.0.0.1", 0));
	srclimit_free(sl);
	TEST_DONE();
}

static enum srclimit_verdict
acc(struct srclimit *sl, const char *addr, unsigned int startups, int id,
    uint32_t rnd, time_t now)
{
	struct peer p = P(addr, 40000), l = P("127.0.0.1", 22);

	return srclimit_accept(sl, SA(p), SA(l), startups, id, rnd, now);
}

static void
test_accept(void)
{
	struct srclimit *sl;
	struct sockaddr_un sun;

	TEST_START("srclimit_accept: penalty first, with sshd's log line");
	sl = mk("MaxStartups 3:50:6\nPerSourceMaxStartups 1\n");
	ASSERT_INT_EQ(pen(sl, "127.0.0.2", SRCLIMIT_CRASH, 0), 0);
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.2", 0, 1, 0, 0), SRCLIMIT_DROP_PENALTY);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "drop connection #0 from "
	    "[127.0.0.2]:40000 on [127.0.0.1]:22 penalty: caused crash");
	ASSERT_INT_EQ(stats(sl).tracked, 0);
	ASSERT_INT_EQ(acc(sl, "127.0.0.3", 0, 1, 0, 0), SRCLIMIT_ACCEPT);
	ASSERT_INT_EQ(stats(sl).tracked, 1);
	TEST_DONE();

	TEST_START("srclimit_accept: MaxStartups throttling log lines");
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.4", 6, 2, 99, 1000),
	    SRCLIMIT_DROP_STARTUPS);
	ASSERT_LOGGED(LOG_LEVEL_ERROR, "error: beginning MaxStartups "
	    "throttling");
	ASSERT_LOGGED(LOG_LEVEL_INFO, "drop connection #6 from "
	    "[127.0.0.4]:40000 on [127.0.0.1]:22 past Maxstartups");
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.4", 3, 2, 0, 1100),
	    SRCLIMIT_DROP_STARTUPS);
	ASSERT_LOGGED(LOG_LEVEL_VERBOSE, "drop connection #3 from "
	    "[127.0.0.4]:40000 on [127.0.0.1]:22 past Maxstartups");
	/* Not dropped by chance at 3 (50%), nor below begin - 1 yet. */
	ASSERT_INT_EQ(acc(sl, "127.0.0.4", 3, 2, 50, 1101), SRCLIMIT_ACCEPT);
	srclimit_done(sl, 2);
	/* begin - 1 unauthenticated is not yet low enough to leave. */
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.8", 2, 9, 0, 1102), SRCLIMIT_ACCEPT);
	ASSERT_INT_EQ(logged_at(LOG_LEVEL_INFO), 0);
	srclimit_done(sl, 9);
	/* PerSourceMaxStartups 1: 127.0.0.3 is still in progress (id 1);
	 * 300 s after the last drop is not yet "periodically". */
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.3", 2, 3, 0, 1400),
	    SRCLIMIT_DROP_STARTUPS);
	ASSERT_INT_EQ(logged_at(LOG_LEVEL_ERROR), 0);
	ASSERT_LOGGED(LOG_LEVEL_VERBOSE, "drop connection #2 from "
	    "[127.0.0.3]:40000 on [127.0.0.1]:22 past Maxstartups");
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.3", 2, 3, 0, 1701),
	    SRCLIMIT_DROP_STARTUPS);
	ASSERT_LOGGED(LOG_LEVEL_ERROR, "error: in MaxStartups throttling for "
	    "00:11:41, 4 connections dropped");
	ASSERT_LOGGED(LOG_LEVEL_INFO, "drop connection #2 from "
	    "[127.0.0.3]:40000 on [127.0.0.1]:22 past Maxstartups");
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.5", 1, 4, 0, 1000 + 90061),
	    SRCLIMIT_ACCEPT);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "exited MaxStartups throttling after "
	    "1d01h01m, 4 connections dropped");
	logs_clear();
	ASSERT_INT_EQ(acc(sl, "127.0.0.6", 6, 5, 0, 2000000),
	    SRCLIMIT_DROP_STARTUPS);
	ASSERT_LOGGED(LOG_LEVEL_ERROR, "error: beginning MaxStartups "
	    "throttling");
	ASSERT_INT_EQ(acc(sl, "127.0.0.7", 0, 6, 0, 2000000 + 694861),
	    SRCLIMIT_ACCEPT);
	ASSERT_LOGGED(LOG_LEVEL_INFO, "exited MaxStartups throttling after "
	    "01w1d01h, 1 connections dropped");
	ASSERT_INT_EQ(stats(sl).tracked, 3);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	TEST_DONE();

	TEST_START("srclimit_accept: IPv6 and non-IP peers");
	logs_clear();
	{
		struct peer p = P("2001:db8::7", 5555), l = P("::1", 2222);

		ASSERT_INT_EQ(pen(sl, "2001:db8::7", SRCLIMIT_CRASH, 10), 0);
		ASSERT_INT_EQ(srclimit_accept(sl, SA(p), SA(l), 4, 7, 0, 10),
		    SRCLIMIT_DROP_PENALTY);
		ASSERT_LOGGED(LOG_LEVEL_INFO, "drop connection #4 from "
		    "[2001:db8::7]:5555 on [::1]:2222 penalty: caused crash");
		ASSERT_INT_EQ(srclimit_accept(sl, SA(p), NULL, 0, 4, 7, 0,
		    10), SRCLIMIT_DROP_PENALTY);
		ASSERT_LOGGED(LOG_LEVEL_INFO, "drop connection #4 from "
		    "[2001:db8::7]:5555 on [UNKNOWN]:0 penalty: caused crash");
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ASSERT_INT_EQ(srclimit_accept(sl, (struct sockaddr *)&sun,
	    sizeof(sun), NULL, 0, 0, 8, 0, 10), SRCLIMIT_ACCEPT);
	srclimit_free(sl);
	TEST_DONE();
}

/*
 * A reference model: the rules of sshd's srclimit.c written the slow,
 * obvious way (linear scans over small arrays), to compare against.
 */
#define MODEL_MAX	64

struct model_pen {
	int		af;
	uint8_t		net[16];
	int64_t		expiry;
	bool		active;
	int		reason;
};

struct model {
	struct model_pen pen[2][MODEL_MAX + 1];
	size_t		 npen[2];
	size_t		 max[2];
	bool		 deny[2];
	int		 secs[6];
	int64_t		 min, max_secs;
	/* PerSourceMaxStartups */
	struct { int id; int af; uint8_t net[16]; } conn[MODEL_MAX];
	size_t		 nconn, conn_limit;
	int		 persource;
};

struct maddr {
	int		af;
	uint8_t		a[16];
	char		text[INET6_ADDRSTRLEN];
};

/* Test masks: IPv4 /24, IPv6 /64. */
static void
model_net(const struct maddr *a, uint8_t *net)
{
	memset(net, 0, 16);
	if (a->af == AF_INET)
		memcpy(net, a->a, 3);
	else
		memcpy(net, a->a, 8);
}

/* The exempt list in the randomised test: 10.9.0.0/16. */
static bool
model_exempt(const struct maddr *a)
{
	return a->af == AF_INET && a->a[0] == 10 && a->a[1] == 9;
}

/* Sooner expiry first, then the lower network as the table's key. */
static bool
model_before(const struct model_pen *x, const struct model_pen *y)
{
	if (x->expiry != y->expiry)
		return x->expiry < y->expiry;
	return memcmp(x->net, y->net, 16) < 0;
}

static void
model_drop(struct model *m, int f, size_t i)
{
	m->pen[f][i] = m->pen[f][--m->npen[f]];
}

static void
model_expire(struct model *m, int64_t now)
{
	int f;
	size_t i;

	for (f = 0; f < 2; f++)
		for (i = 0; i < m->npen[f];)
			if (m->pen[f][i].expiry < now)
				model_drop(m, f, i);
			else
				i++;
}

static struct model_pen *
model_find(struct model *m, int f, const uint8_t *net)
{
	size_t i;

	for (i = 0; i < m->npen[f]; i++)
		if (memcmp(m->pen[f][i].net, net, 16) == 0)
			return &m->pen[f][i];
	return NULL;
}

static void
model_penalise(struct model *m, const struct maddr *a, int reason,
    int64_t now)
{
	struct model_pen *p;
	uint8_t net[16];
	int f = a->af == AF_INET ? 0 : 1;
	int64_t secs = m->secs[reason];
	size_t i, soonest;

	if (reason == 0 || model_exempt(a) || secs <= 0)
		return;
	model_net(a, net);
	model_expire(m, now);
	if (m->npen[f] >= m->max[f] && m->deny[f])
		return;
	if ((p = model_find(m, f, net)) == NULL) {
		p = &m->pen[f][m->npen[f]++];
		memcpy(p->net, net, 16);
		p->expiry = now + secs;
		p->active = secs > m->min;
		p->reason = reason;
		while (m->npen[f] > m->max[f]) {
			soonest = 0;
			for (i = 1; i < m->npen[f]; i++)
				if (model_before(&m->pen[f][i],
				    &m->pen[f][soonest]))
					soonest = i;
			model_drop(m, f, soonest);
		}
		return;
	}
	p->expiry += secs;
	if (p->expiry - now > m->max_secs)
		p->expiry = now + m->max_secs;
	if (p->expiry - now > m->min)
		p->active = true;
	p->reason = reason;
}

static bool
model_refused(struct model *m, const struct maddr *a, int64_t now)
{
	struct model_pen *p;
	uint8_t net[16];
	int f = a->af == AF_INET ? 0 : 1;

	if (model_exempt(a))
		return false;
	model_expire(m, now);
	if (m->npen[f] >= m->max[f] && m->deny[f])
		return true;
	model_net(a, net);
	return (p = model_find(m, f, net)) != NULL && p->active;
}

static bool
model_open(struct model *m, const struct maddr *a, int id)
{
	uint8_t net[16];
	size_t i;
	int count = 0;

	model_net(a, net);
	for (i = 0; i < m->nconn; i++)
		if (m->conn[i].af == a->af &&
		    memcmp(m->conn[i].net, net, 16) == 0)
			count++;
	if (m->nconn >= m->conn_limit || count >= m->persource)
		return false;
	m->conn[m->nconn].id = id;
	m->conn[m->nconn].af = a->af;
	memcpy(m->conn[m->nconn].net, net, 16);
	m->nconn++;
	return true;
}

static void
model_done(struct model *m, int id)
{
	size_t i;

	for (i = 0; i < m->nconn; i++)
		if (m->conn[i].id == id) {
			m->conn[i] = m->conn[--m->nconn];
			return;
		}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

/* A random source: a few busy netblocks, a few addresses each, some
 * exempt, some IPv4-mapped, and IPv6 from a handful of /64s. */
static void
random_addr(struct maddr *a, struct peer *p)
{
	uint32_t k = rng();
	char text[INET6_ADDRSTRLEN + 8];

	memset(a, 0, sizeof(*a));
	switch (k % 4) {
	case 0:
	case 1:
		a->af = AF_INET;
		a->a[0] = (k >> 8) % 8 == 0 ? 10 : 192;
		a->a[1] = (k >> 8) % 8 == 0 ? 9 : 168;
		a->a[2] = (uint8_t)((k >> 12) % 24);
		a->a[3] = (uint8_t)((k >> 20) % 4);
		inet_ntop(AF_INET, a->a, a->text, sizeof(a->text));
		snprintf(text, sizeof(text), "%s%s",
		    (k >> 30) == 0 ? "::ffff:" : "", a->text);
		break;
	default:
		a->af = AF_INET6;
		a->a[0] = 0x20;
		a->a[1] = 0x01;
		a->a[2] = 0x0d;
		a->a[3] = 0xb8;
		a->a[7] = (uint8_t)((k >> 8) % 20);
		a->a[15] = (uint8_t)((k >> 16) % 3);
		a->a[9] = (uint8_t)(k >> 24);
		inet_ntop(AF_INET6, a->a, a->text, sizeof(a->text));
		snprintf(text, sizeof(text), "%s", a->text);
		break;
	}
	*p = P(text, 1 + (k & 0xfff));
}

static void
test_randomised(void)
{
	struct srclimit *sl;
	struct srclimit_stats st;
	struct model m;
	struct maddr a;
	struct peer p;
	int64_t now = 1000;
	int next_id = 0, live[MODEL_MAX], nlive = 0, id, reason, i, k;
	bool got, want, mismatch = false, bounded = true, consistent = true;
	size_t max_bytes = 0;

	TEST_START("randomised: table against a reference model");
	sl = mk("PerSourceNetBlockSize 24:64\nPerSourceMaxStartups 3\n"
	    "MaxStartups 10:30:40\n"
	    "PerSourcePenalties crash:30 authfail:4 invaliduser:6 noauth:1 "
	    "grace-exceeded:9 max:40 min:8 max-sources4:20 max-sources6:12 "
	    "overflow:permissive overflow6:deny-all\n"
	    "PerSourcePenaltyExemptList 10.9.0.0/16\n");
	memset(&m, 0, sizeof(m));
	m.max[0] = 20;
	m.max[1] = 12;
	m.deny[1] = true;
	m.secs[SRCLIMIT_CRASH] = 30;
	m.secs[SRCLIMIT_AUTHFAIL] = 4;
	m.secs[SRCLIMIT_INVALIDUSER] = 6;
	m.secs[SRCLIMIT_NOAUTH] = 1;
	m.secs[SRCLIMIT_GRACE_EXCEEDED] = 9;
	m.min = 8;
	m.max_secs = 40;
	m.persource = 3;
	m.conn_limit = 40;
	for (i = 0; i < 200000; i++) {
		random_addr(&a, &p);
		k = (int)(rng() % 16);
		if (k < 6) {
			reason = (int)(rng() % 6);
			model_penalise(&m, &a, reason, now);
			if (srclimit_penalise(sl, SA(p),
			    (enum srclimit_reason)reason, now) != 0)
				mismatch = true;
		} else if (k < 10) {
			want = model_refused(&m, &a, now);
			got = srclimit_penalty_check(sl, SA(p), now, NULL);
			if (got != want) {
				if (!mismatch)
					printf("# op %d: check %s: got %d "
					    "want %d\n", i, a.text, got, want);
				mismatch = true;
			}
		} else if (k < 13) {
			id = next_id++;
			want = model_open(&m, &a, id);
			got = srclimit_check_open(sl, SA(p), id);
			if (got != want) {
				if (!mismatch)
					printf("# op %d: open %s: got %d "
					    "want %d\n", i, a.text, got, want);
				mismatch = true;
			}
			if (got && nlive < MODEL_MAX)
				live[nlive++] = id;
		} else if (k < 15) {
			if (nlive > 0) {
				k = (int)(rng() % (uint32_t)nlive);
				model_done(&m, live[k]);
				srclimit_done(sl, live[k]);
				live[k] = live[--nlive];
			}
		} else
			now += rng() % 8;
		srclimit_get_stats(sl, &st);
		if (st.penalties4 != m.npen[0] || st.penalties6 != m.npen[1] ||
		    st.tracked != m.nconn)
			mismatch = true;
		if (st.penalties4 > 20 || st.penalties6 > 12 ||
		    st.slots4 > 21 || st.slots6 > 13 || st.tracked > 40)
			bounded = false;
		if (st.bytes > max_bytes)
			max_bytes = st.bytes;
		if (i % 997 == 0 && srclimit_check_consistency(sl) != 0)
			consistent = false;
	}
	ASSERT_FALSE(mismatch);
	ASSERT_TRUE(bounded);
	ASSERT_TRUE(consistent);
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	printf("# randomised: at most %zu bytes of tables\n", max_bytes);
	ASSERT_INT_LT(max_bytes, 16 * 1024);
	srclimit_free(sl);
	TEST_DONE();
}

static void
test_flood(void)
{
	struct srclimit *sl;
	struct srclimit_stats st;
	struct peer p;
	uint8_t a6[16];
	char text[INET6_ADDRSTRLEN];
	uint32_t i;
	bool bounded = true;

	TEST_START("flood: 200000 IPv6 sources, table bounded by max-sources6");
	sl = mk("PerSourcePenalties max-sources6:1000 max-sources4:500\n");
	memset(a6, 0, sizeof(a6));
	a6[0] = 0x20;
	a6[1] = 0x01;
	for (i = 0; i < 200000; i++) {
		a6[4] = (uint8_t)(i >> 16);
		a6[5] = (uint8_t)(i >> 8);
		a6[6] = (uint8_t)i;
		inet_ntop(AF_INET6, a6, text, sizeof(text));
		p = P(text, 1);
		if (srclimit_penalise(sl, SA(p), SRCLIMIT_CRASH, i / 1000) != 0)
			bounded = false;
		srclimit_get_stats(sl, &st);
		if (st.penalties6 > 1000 || st.slots6 > 1001)
			bounded = false;
	}
	ASSERT_TRUE(bounded);
	srclimit_get_stats(sl, &st);
	ASSERT_INT_EQ(st.penalties6, 1000);
	ASSERT_INT_EQ(st.penalties4, 0);
	/* The most recent sources are the ones kept. */
	ASSERT_TRUE(refused(sl, "2001:0:30d:3f00::", 199));
	ASSERT_FALSE(refused(sl, "2001::", 199));
	ASSERT_INT_EQ(srclimit_check_consistency(sl), 0);
	printf("# flood: %zu bytes of tables for 1000 IPv6 penalties\n",
	    st.bytes);
	ASSERT_INT_LT(st.bytes, 1001 * 64 + 1024);
	srclimit_free(sl);
	TEST_DONE();
}

static void
test_new(void)
{
	struct hs_config *c;

	TEST_START("srclimit_new: needs a finished configuration");
	ASSERT_PTR_EQ(srclimit_new(NULL), NULL);
	c = config_new();
	ASSERT_PTR_NE(c, NULL);
	ASSERT_PTR_EQ(srclimit_new(c), NULL);
	config_free(c);
	srclimit_free(NULL);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		abort();
	log_init("test-srclimit", LOG_LEVEL_DEBUG3, LOG_AUTH, true);
	log_set_handler(capture, NULL);
	test_new();
	test_maxstartups();
	test_persource();
	test_reasons();
	test_penalties();
	test_accept();
	test_randomised();
	test_flood();
	return tap_finish();
}
