/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/procstatus: /proc/PID/status texts captured from a
 * sandboxed child (privileged and unprivileged mode) and from an ordinary
 * root process, then forged and malformed variants.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/procstatus.h"
#include "tests/tap.h"

static char *
fixture(const char *name, size_t *lenp)
{
	const char *dir = getenv("top_srcdir");
	char path[1024], *text;
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/%s",
	    dir != NULL ? dir : ".", name);
	if ((fd = open(path, O_RDONLY)) == -1 ||
	    (text = malloc(PROCSTATUS_FILE_MAX)) == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	while (len < PROCSTATUS_FILE_MAX &&
	    (n = read(fd, text + len, PROCSTATUS_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	*lenp = len;
	return text;
}

/* Parse and check a C string; the check's result, or the parser's. */
static int
check_text(const char *text, bool privileged, char **why)
{
	struct procstatus ps;
	int r;

	*why = NULL;
	if ((r = procstatus_parse(text, strlen(text), &ps)) != 0)
		return r;
	return procstatus_check(&ps, privileged, 65534, 65534, why);
}

/* A sandboxed status with line `line` (0-based) replaced by `repl`. */
#define GOOD \
	"Name:\thsshd-preauth\n" \
	"Uid:\t65534\t65534\t65534\t65534\n" \
	"Gid:\t65534\t65534\t65534\t65534\n" \
	"CapInh:\t0000000000000000\n" \
	"CapPrm:\t0000000000000000\n" \
	"CapEff:\t0000000000000000\n" \
	"CapBnd:\t0000000000000000\n" \
	"CapAmb:\t0000000000000000\n" \
	"NoNewPrivs:\t1\n" \
	"Seccomp:\t2\n" \
	"Seccomp_filters:\t1\n"

static char *
variant(const char *find, const char *repl)
{
	static char out[2048];
	const char *p = strstr(GOOD, find);
	size_t pre;

	if (p == NULL)
		abort();
	pre = (size_t)(p - GOOD);
	snprintf(out, sizeof(out), "%.*s%s%s", (int)pre, GOOD, repl,
	    p + strlen(find));
	return out;
}

static void
test_fixtures(void)
{
	struct procstatus ps;
	char *text, *why = NULL;
	size_t len, i;

	TEST_START("fixture: privileged sandboxed child");
	text = fixture("procstatus-sandboxed.txt", &len);
	ASSERT_INT_EQ(procstatus_parse(text, len, &ps), 0);
	ASSERT_INT_EQ(ps.seen, 0x1ff);
	ASSERT_INT_EQ(ps.seccomp, 2);
	ASSERT_INT_EQ(ps.no_new_privs, 1);
	ASSERT_U64_EQ(ps.cap_eff | ps.cap_prm | ps.cap_inh | ps.cap_bnd |
	    ps.cap_amb, 0);
	for (i = 0; i < 4; i++) {
		ASSERT_INT_EQ(ps.uid[i], 65534);
		ASSERT_INT_EQ(ps.gid[i], 65534);
	}
	ASSERT_INT_EQ(procstatus_check(&ps, true, 65534, 65534, &why), 0);
	ASSERT_PTR_EQ(why, NULL);
	ASSERT_INT_EQ(procstatus_check(&ps, true, 1000, 65534, &why),
	    HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Uid is 65534 65534 65534 65534, not 1000");
	free(why);
	ASSERT_INT_EQ(procstatus_check(&ps, true, 65534, 100, &why),
	    HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Gid is 65534 65534 65534 65534, not 100");
	free(why);
	free(text);
	TEST_DONE();

	TEST_START("fixture: unprivileged sandboxed child");
	text = fixture("procstatus-unprivileged.txt", &len);
	ASSERT_INT_EQ(procstatus_parse(text, len, &ps), 0);
	ASSERT_U64_EQ(ps.cap_bnd, 0x000001fffeffffffULL);
	/* The bounding set stays in unprivileged mode, ids are not looked
	 * at; privileged mode would want both. */
	ASSERT_INT_EQ(procstatus_check(&ps, false, 0, 0, &why), 0);
	ASSERT_PTR_EQ(why, NULL);
	ASSERT_INT_EQ(procstatus_check(&ps, true, 65534, 65534, &why),
	    HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapBnd is 000001fffeffffff, not empty");
	free(why);
	free(text);
	TEST_DONE();

	TEST_START("fixture: an ordinary root process is refused");
	text = fixture("procstatus-root.txt", &len);
	ASSERT_INT_EQ(procstatus_parse(text, len, &ps), 0);
	ASSERT_INT_EQ(ps.seccomp, 0);
	ASSERT_INT_EQ(procstatus_check(&ps, false, 0, 0, &why),
	    HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Seccomp is 0, not 2 (filter)");
	free(why);
	/* Every byte count up to the whole text parses or fails cleanly,
	 * never reading past len (ASan would see it). */
	for (i = 0; i <= len; i++) {
		char *copy = malloc(i + 1);

		memcpy(copy, text, i);
		(void)procstatus_parse(copy, i, &ps);
		free(copy);
	}
	free(text);
	TEST_DONE();
}

static void
test_checks(void)
{
	char *why = NULL;

	TEST_START("each required line is named when wrong");
	ASSERT_INT_EQ(check_text(GOOD, true, &why), 0);
	ASSERT_PTR_EQ(why, NULL);
	ASSERT_INT_EQ(check_text(variant("Seccomp:\t2", "Seccomp:\t1"), true,
	    &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Seccomp is 1, not 2 (filter)");
	free(why);
	ASSERT_INT_EQ(check_text(variant("NoNewPrivs:\t1", "NoNewPrivs:\t0"),
	    true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "NoNewPrivs is 0, not 1");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapEff:\t0000000000000000",
	    "CapEff:\t0000000000000400"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapEff is 0000000000000400, not empty");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapPrm:\t0000000000000000",
	    "CapPrm:\t8000000000000000"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapPrm is 8000000000000000, not empty");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapInh:\t0000000000000000",
	    "CapInh:\t0000000000000001"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapInh is 0000000000000001, not empty");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapAmb:\t0000000000000000",
	    "CapAmb:\t00000000000000FF"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapAmb is 00000000000000ff, not empty");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapBnd:\t0000000000000000",
	    "CapBnd:\t0000000000000001"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "CapBnd is 0000000000000001, not empty");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapBnd:\t0000000000000000",
	    "CapBnd:\t0000000000000001"), false, &why), 0);
	ASSERT_INT_EQ(check_text(variant("Uid:\t65534\t65534\t65534\t65534",
	    "Uid:\t65534\t65534\t0\t65534"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Uid is 65534 65534 0 65534, not 65534");
	free(why);
	ASSERT_INT_EQ(check_text(variant("Gid:\t65534\t65534\t65534\t65534",
	    "Gid:\t65534\t65534\t65534\t0"), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "Gid is 65534 65534 65534 0, not 65534");
	free(why);
	TEST_DONE();

	TEST_START("a missing line is a failure, Seccomp_filters is not "
	    "Seccomp");
	ASSERT_INT_EQ(check_text(variant("Seccomp:\t2\n", ""), true, &why),
	    HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "no Seccomp line");
	free(why);
	ASSERT_INT_EQ(check_text(variant("CapAmb:\t0000000000000000\n", ""),
	    false, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "no CapAmb line");
	free(why);
	ASSERT_INT_EQ(check_text(variant("Gid:\t65534\t65534\t65534\t65534\n",
	    ""), true, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "no Gid line");
	free(why);
	ASSERT_INT_EQ(check_text("", false, &why), HS_ERR_SANDBOX);
	ASSERT_STR_EQ(why, "no Seccomp line");
	free(why);
	TEST_DONE();
}

static void
test_malformed(void)
{
	struct procstatus ps, before;
	char *why = NULL, *big;
	static const struct {
		const char *find, *repl;
	} bad[] = {
		/* A second line would be a forgery: the kernel writes one. */
		{ "Seccomp:\t2\n", "Seccomp:\t2\nSeccomp:\t2\n" },
		{ "Name:\thsshd-preauth\n", "Name:\tx\nNoNewPrivs:\t1\n" },
		{ "Seccomp:\t2", "Seccomp:\t3" },
		{ "Seccomp:\t2", "Seccomp:\t2x" },
		{ "Seccomp:\t2", "Seccomp:\t" },
		{ "Seccomp:\t2", "Seccomp:\t2 2" },
		{ "Seccomp:\t2", "Seccomp:\t-2" },
		{ "Seccomp:\t2", "Seccomp:\t+2" },
		{ "NoNewPrivs:\t1", "NoNewPrivs:\t01234567890" },
		{ "CapEff:\t0000000000000000", "CapEff:\t000000000000000" },
		{ "CapEff:\t0000000000000000", "CapEff:\t00000000000000000" },
		{ "CapEff:\t0000000000000000", "CapEff:\t000000000000000g" },
		{ "CapEff:\t0000000000000000", "CapEff:\t0x00000000000000" },
		{ "Uid:\t65534\t65534\t65534\t65534", "Uid:\t65534\t65534\t65534" },
		{ "Uid:\t65534\t65534\t65534\t65534",
		  "Uid:\t65534\t65534\t65534\t65534\t65534" },
		{ "Uid:\t65534\t65534\t65534\t65534",
		  "Uid:\t65534\t65534\t65534\t4294967296" },
		{ "Gid:\t65534\t65534\t65534\t65534",
		  "Gid:\t65534\t65534\t-1\t65534" },
	};
	size_t i;

	TEST_START("malformed or repeated known lines are refused");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *t = variant(bad[i].find, bad[i].repl);

		memset(&before, 0xa5, sizeof(before));
		ps = before;
		ASSERT_INT_EQ(procstatus_parse(t, strlen(t), &ps),
		    HS_ERR_BAD_FORMAT);
		/* Nothing written on failure. */
		ASSERT_INT_EQ(memcmp(&ps, &before, sizeof(ps)), 0);
	}
	TEST_DONE();

	TEST_START("accepted variations: CRLF, no final newline, blank "
	    "lines, unknown lines, largest uid");
	ASSERT_INT_EQ(check_text(variant("Seccomp:\t2\n", "Seccomp:\t2\r\n"),
	    true, &why), 0);
	ASSERT_INT_EQ(check_text(variant("Seccomp_filters:\t1\n",
	    "Seccomp_filters:\t1"), true, &why), 0);
	ASSERT_INT_EQ(check_text(variant("Seccomp:\t2\n", "\n\nSeccomp:  2 \n"),
	    true, &why), 0);
	ASSERT_INT_EQ(check_text(variant("Name:\thsshd-preauth\n",
	    "Name:\tSeccomp:\t0\nWhatever: x y z\n"), true, &why), 0);
	{
		const char *t = variant("Uid:\t65534\t65534\t65534\t65534",
		    "Uid:\t4294967295\t0\t1\t2");

		ASSERT_INT_EQ(procstatus_parse(t, strlen(t), &ps), 0);
		ASSERT_U64_EQ(ps.uid[0], 4294967295u);
		ASSERT_INT_EQ(ps.uid[3], 2);
	}
	TEST_DONE();

	TEST_START("NUL bytes, size limit, bad arguments");
	{
		char nul[] = "Seccomp:\t2\nNoNewPrivs:\t1\0\n";

		ASSERT_INT_EQ(procstatus_parse(nul, sizeof(nul) - 1, &ps),
		    HS_ERR_STRING_NUL);
	}
	big = calloc(1, PROCSTATUS_FILE_MAX + 1);
	memset(big, '\n', PROCSTATUS_FILE_MAX + 1);
	ASSERT_INT_EQ(procstatus_parse(big, PROCSTATUS_FILE_MAX, &ps), 0);
	ASSERT_INT_EQ(ps.seen, 0);
	ASSERT_INT_EQ(procstatus_parse(big, PROCSTATUS_FILE_MAX + 1, &ps),
	    HS_ERR_TOO_LONG);
	free(big);
	ASSERT_INT_EQ(procstatus_parse(NULL, 0, &ps),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(procstatus_parse("", 0, NULL), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(procstatus_check(NULL, false, 0, 0, &why),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(why, NULL);
	TEST_DONE();
}

static int
ppid_of(const char *text, uint32_t *ret)
{
	return procstatus_ppid(text, strlen(text), ret);
}

/* PPid: the session's claim "this pid is my child" is checked with it. */
static void
test_ppid(void)
{
	static const char *const fixtures[] = {
		"procstatus-root.txt", "procstatus-sandboxed.txt",
		"procstatus-unprivileged.txt",
	};
	static const uint32_t want[] = { 25312, 25322, 25326 };
	char *text, *mine = NULL;
	size_t len, i;
	uint32_t ppid;

	TEST_START("procstatus_ppid: the fixtures, and malformed lines");
	for (i = 0; i < 3; i++) {
		text = fixture(fixtures[i], &len);
		ASSERT_INT_EQ(procstatus_ppid(text, len, &ppid), 0);
		ASSERT_INT_EQ(ppid, want[i]);
		free(text);
	}
	ppid = 7;
	ASSERT_INT_EQ(procstatus_ppid(GOOD, strlen(GOOD), &ppid),
	    HS_ERR_NOT_FOUND);
	ASSERT_INT_EQ(ppid_of("PPid:\t1\nPPid:\t1\n", &ppid),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ppid_of("PPid:\tx\n", &ppid),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ppid_of("PPid:\t2147483648\n", &ppid),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ppid_of("PPid:\t1 2\n", &ppid),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(ppid, 7);
	ASSERT_INT_EQ(ppid_of("Name:\tx\nPPid:\t42", &ppid), 0);
	ASSERT_INT_EQ(ppid, 42);
	TEST_DONE();

	TEST_START("procstatus_read: this process's own status");
	ASSERT_INT_EQ(procstatus_read(getpid(), &mine, &len), 0);
	ASSERT_INT_EQ(procstatus_ppid(mine, len, &ppid), 0);
	ASSERT_INT_EQ(ppid, getppid());
	free(mine);
	ASSERT_INT_EQ(procstatus_read(0, &mine, &len),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(mine, NULL);
	TEST_DONE();
}

int
main(void)
{
	test_fixtures();
	test_checks();
	test_malformed();
	test_ppid();
	return tap_finish();
}
