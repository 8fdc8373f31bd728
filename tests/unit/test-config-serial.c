/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the configuration snapshot (policy/config-serial.c): the
 * fixtures and configurations with many Match blocks (nested Include
 * inside Match, every criterion, Match All, alias spellings) survive
 * serialise + deserialise with identical sshd -T dumps, for the base
 * config and for config_for_connection over a table of connections, and
 * re-serialise to the same bytes; truncation at every length, corrupted
 * counts, indices, keywords and flags, a wrong version or layout and
 * trailing bytes all fail cleanly (run under ASan for leaks).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "policy/config-priv.h"
#include "policy/config.h"
#include "tests/tap.h"

static char tmpdir[128];

static char *
fixture(const char *rel)
{
	const char *top = getenv("top_srcdir");
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/%s",
	    top != NULL ? top : ".", rel);
	return path;
}

static char *
tmppath(const char *rel)
{
	static char path[4][512];
	static unsigned int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, rel);
	return p;
}

static void
write_file(const char *rel, const char *text)
{
	char *p = tmppath(rel), *slash;
	FILE *f;

	if ((slash = strrchr(p, '/')) != NULL && slash != p) {
		*slash = '\0';
		(void)mkdir(p, 0700);
		*slash = '/';
	}
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0) {
		printf("# cannot write %s: %s\n", p, strerror(errno));
		abort();
	}
}

/* The sshd -T text of c (caller frees); NULL if the dump fails. */
static char *
dump(const struct hs_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	r = config_dump(c, f);
	fclose(f);
	if (r != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (text != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

/* Load a file (confdir dir, confined) with options and -h keys, finish. */
static struct hs_config *
load_file(const char *path, const char *dir, const char *const *opts,
    size_t nopts, const char *const *keys, size_t nkeys)
{
	struct hs_config *c = config_new();
	char *err = NULL;
	size_t i;
	int r = 0;

	if (c == NULL)
		abort();
	if (dir != NULL)
		r = config_set_confdir(c, dir, true);
	for (i = 0; r == 0 && i < nopts; i++)
		r = config_apply_option(c, opts[i], &err);
	if (r == 0 && path != NULL)
		r = config_load_file(c, path, &err);
	for (i = 0; r == 0 && i < nkeys; i++)
		r = config_add_hostkey(c, keys[i]);
	if (r == 0)
		r = config_finish(c, &err);
	if (r != 0) {
		printf("# cannot load %s: %s (%s)\n", path ? path : "(none)",
		    err ? err : "-", hs_err_str(r));
		free(err);
		config_free(c);
		return NULL;
	}
	return c;
}

/* The serialised bytes of c as a heap copy. */
static uint8_t *
serialise(const struct hs_config *c, size_t *ret_len)
{
	struct buf *b = buf_new();
	uint8_t *p = NULL;
	int r;

	*ret_len = 0;
	if (b == NULL)
		abort();
	if ((r = config_serialize(c, b)) != 0) {
		printf("# config_serialize: %s\n", hs_err_str(r));
		buf_free(b);
		return NULL;
	}
	*ret_len = buf_len(b);
	if ((p = malloc(*ret_len + 1)) == NULL)
		abort();
	memcpy(p, buf_ptr(b), *ret_len);
	buf_free(b);
	return p;
}

/* Connections to evaluate the Match blocks for. */
static const char *const g_admins[] = { "users", "admins" };
static const char *const g_sftp[] = { "sftp-only" };
static const char *const g_ssh[] = { "ssh-users", "users" };
static const struct conn {
	const char		*user, *addr, *host, *laddr, *rdomain;
	int			 lport;
	const char *const	*groups;
	size_t			 ngroups;
} conns[] = {
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL, 0 },
	{ "alice", "192.0.2.7", "ws.example.com", "192.0.2.1", NULL, 22,
	    g_admins, 2 },
	{ "alice", "10.1.2.3", NULL, "10.0.0.1", NULL, 2222, NULL, 0 },
	{ "alice", "10.9.9.9", NULL, NULL, NULL, 22, g_ssh, 2 },
	{ "bob", "10.20.1.1", "x.example.org", "192.0.2.1", "red", 2222,
	    g_admins, 2 },
	{ "bob", "192.0.2.200", NULL, NULL, NULL, 22, g_sftp, 1 },
	{ "admin", "10.20.0.5", NULL, NULL, NULL, 22, g_ssh, 2 },
	{ "admin", "10.20.7.7", NULL, NULL, NULL, 22, g_ssh, 2 },
	{ "root", "2001:db8::1", "h.EXAMPLE.com", "2001:db8::2", NULL, 2222,
	    g_admins, 2 },
	{ "carol", "203.0.113.9", NULL, "198.51.100.1", "blue", 443, g_sftp,
	    1 },
	{ NULL, "10.3.3.3", NULL, NULL, NULL, 2222, NULL, 0 },
};
#define NCONNS	(sizeof(conns) / sizeof(conns[0]))

static struct hs_config *
for_conn(const struct hs_config *base, const struct conn *cn, int *ret_r)
{
	struct hs_match_ctx ctx;
	struct hs_config *c = NULL;
	char *err = NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = cn->user;
	ctx.addr = cn->addr;
	ctx.host = cn->host;
	ctx.laddr = cn->laddr;
	ctx.rdomain = cn->rdomain;
	ctx.lport = cn->lport;
	ctx.groups = cn->groups;
	ctx.ngroups = cn->ngroups;
	*ret_r = config_for_connection(base, &ctx, &c, &err);
	free(err);
	return c;
}

/* The dump of base for connection i (caller frees). */
static char *
conn_dump(const struct hs_config *base, size_t i)
{
	struct hs_config *c;
	char *text;
	int r;

	c = for_conn(base, &conns[i], &r);
	ASSERT_INT_EQ(r, 0);
	if (c == NULL)
		return NULL;
	text = dump(c);
	config_free(c);
	return text;
}

/*
 * Serialise c, deserialise, and compare: the dump, the dump for every
 * connection, and the bytes of a second serialisation.  Returns the copy
 * (caller frees) or NULL.
 */
static struct hs_config *
roundtrip(const struct hs_config *c)
{
	struct hs_config *d = NULL;
	uint8_t *p, *q = NULL;
	char *a, *b;
	size_t len, qlen = 0, i;

	if ((p = serialise(c, &len)) == NULL) {
		ASSERT_TRUE(false);
		return NULL;
	}
	ASSERT_INT_EQ(config_deserialize(p, len, &d), 0);
	if (d == NULL) {
		free(p);
		return NULL;
	}
	ASSERT_TRUE(d->finished);
	a = dump(c);
	b = dump(d);
	ASSERT_PTR_NE(a, NULL);
	ASSERT_STR_EQ(a, b);
	free(a);
	free(b);
	for (i = 0; i < NCONNS; i++) {
		a = conn_dump(c, i);
		b = conn_dump(d, i);
		if (a == NULL || b == NULL || strcmp(a, b) != 0)
			printf("# connection %zu differs\n", i);
		ASSERT_STR_EQ(a, b);
		free(a);
		free(b);
	}
	q = serialise(d, &qlen);
	ASSERT_INT_EQ(qlen, len);
	if (q != NULL && qlen == len)
		ASSERT_MEM_EQ(q, p, len);
	free(p);
	free(q);
	return d;
}

static void
test_fixtures(void)
{
	struct hs_config *c, *d;
	char *text, dir[PATH_MAX];

	TEST_START("Debian 12 fixture (Include drop-ins) round trip");
	snprintf(dir, sizeof(dir), "%s", fixture("debian12"));
	c = load_file(fixture("debian12/sshd_config"), dir, NULL, 0, NULL, 0);
	ASSERT_PTR_NE(c, NULL);
	if (c != NULL) {
		d = roundtrip(c);
		ASSERT_PTR_NE(d, NULL);
		text = d != NULL ? dump(d) : NULL;
		ASSERT_TRUE(has_line(text, "passwordauthentication no"));
		ASSERT_TRUE(has_line(text, "clientaliveinterval 300"));
		ASSERT_TRUE(has_line(text,
		    "subsystem sftp /usr/lib/openssh/sftp-server"));
		free(text);
		config_free(d);
	}
	config_free(c);
	TEST_DONE();

	TEST_START("hardened fixture (Match Group, Address + User) round trip");
	c = load_file(fixture("hardened/sshd_config"), NULL, NULL, 0, NULL, 0);
	ASSERT_PTR_NE(c, NULL);
	if (c != NULL) {
		struct hs_config *m;
		int r;

		d = roundtrip(c);
		ASSERT_PTR_NE(d, NULL);
		/* The Match blocks are there and act on the copy. */
		m = d != NULL ? for_conn(d, &conns[5], &r) : NULL;
		ASSERT_PTR_NE(m, NULL);
		if (m != NULL) {
			ASSERT_STR_EQ(m->force_command, "internal-sftp");
			ASSERT_STR_EQ(m->chroot_directory, "/srv/sftp/%u");
			ASSERT_INT_EQ(m->permit_tty, 0);
		}
		config_free(m);
		m = d != NULL ? for_conn(d, &conns[7], &r) : NULL;
		ASSERT_TRUE(m != NULL && m->max_auth_tries == 5);
		config_free(m);
		m = d != NULL ? for_conn(d, &conns[6], &r) : NULL;
		ASSERT_TRUE(m != NULL && m->max_auth_tries == 3);
		config_free(m);
		config_free(d);
	}
	config_free(c);
	TEST_DONE();
}

/* Several Match blocks, an Include inside a Match that opens Matches of
 * its own (ANDed with the including one) and continues the block. */
static const char multi_main[] =
    "Port 22\n"
    "Port 2222\n"
    "PermitRootLogin no\n"
    "AllowUsers alice bob admin root carol\n"
    "Subsystem sftp /usr/lib/openssh/sftp-server\n"
    "RekeyLimit 4G 1h\n"
    "VersionAddendum none\n"
    "Match User alice\n"
    "\tX11Forwarding yes\n"
    "\tInclude inc/alice.conf\n"
    "\tMaxAuthTries 2\n"
    "Match Address 10.0.0.0/8,!10.9.9.9\n"
    "\tBanner /etc/issue.ten\n"
    "\tPasswordAuthentication no\n"
    "\tPubkeyAcceptedKeyTypes ssh-ed25519\n"
    "Match LocalPort 2222\n"
    "\tAllowTcpForwarding no\n"
    "\tPermitOpen 127.0.0.1:80 [::1]:443\n"
    "\tSetEnv A=1 \"B=two words\"\n"
    "Match Group admins User bob,root\n"
    "\tForceCommand /usr/bin/logger -t hsshd \"%u was here\"\n"
    "\tChrootDirectory /srv/%u\n"
    "\tAuthorizedKeysFile2 ignored\n"
    "Match Host *.example.com LocalAddress 192.0.2.1\n"
    "\tClientAliveInterval 60\n"
    "\tLogLevel DEBUG2\n"
    "Match RDomain red\n"
    "\tMaxSessions 7\n"
    "Match User carol LocalPort 443 Address 203.0.113.0/24\n"
    "\tAuthenticationMethods publickey,password publickey\n"
    "\tPermitListen none\n"
    "Match All\n"
    "LogLevel VERBOSE\n"
    "AcceptEnv LANG LC_*\n";
static const char multi_alice[] =
    "PermitTTY no\n"
    "Match Address 192.0.2.0/24\n"
    "\tAuthenticationMethods publickey\n"
    "\tInclude inc/deep.conf\n";
static const char multi_deep[] =
    "X11DisplayOffset 12\n"
    "Match User alice\n"
    "\tMaxSessions 3\n"
    "Match All\n"
    "\tAllowAgentForwarding no\n";

static void
test_matches(void)
{
	const char *opts[] = { "LoginGraceTime 42", "UseDNS no" };
	const char *keys[] = { "/etc/ssh/a_key", "relative_key" };
	struct hs_config *c, *d, *m;
	char *text, path[PATH_MAX];
	size_t i;
	int r;

	write_file("multi/sshd_config", multi_main);
	write_file("multi/inc/alice.conf", multi_alice);
	write_file("multi/inc/deep.conf", multi_deep);
	snprintf(path, sizeof(path), "%s", tmppath("multi"));

	TEST_START("many Match blocks, Include inside Match, -o and -h");
	c = load_file(tmppath("multi/sshd_config"), path, opts, 2, keys, 2);
	ASSERT_PTR_NE(c, NULL);
	d = c != NULL ? roundtrip(c) : NULL;
	ASSERT_PTR_NE(d, NULL);
	if (c != NULL && d != NULL) {
		ASSERT_INT_EQ(d->matches->ncrits, c->matches->ncrits);
		ASSERT_INT_EQ(d->matches->nblocks, c->matches->nblocks);
		ASSERT_STR_EQ(d->confdir, path);
		ASSERT_TRUE(d->confine_includes);
		ASSERT_INT_EQ(d->ncmdline_hostkeys, 2);
		ASSERT_INT_EQ(d->rekey_limit, 4LL << 30);
		/* NULL and "" stay apart. */
		ASSERT_STR_EQ(d->version_addendum, "");
		ASSERT_PTR_EQ(d->banner, NULL);
		ASSERT_INT_EQ(d->login_grace_time, 42);
		/* Blocks hold the file each line came from. */
		ASSERT_STR_EQ(d->matches->blocks[0].lines[0].file,
		    tmppath("multi/sshd_config"));
		ASSERT_INT_EQ(d->matches->blocks[0].lines[0].line, 9);
	}
	TEST_DONE();

	TEST_START("the copy applies the Match blocks per connection");
	m = d != NULL ? for_conn(d, &conns[1], &r) : NULL;
	ASSERT_PTR_NE(m, NULL);
	if (m != NULL) {
		/* alice from 192.0.2.7: her block, the nested Address block,
		 * the doubly nested User block and the nested Match All. */
		ASSERT_INT_EQ(m->x11_forwarding, 1);
		ASSERT_INT_EQ(m->permit_tty, 0);
		ASSERT_INT_EQ(m->max_sessions, 3);
		ASSERT_INT_EQ(m->allow_agent_forwarding, 0);
		ASSERT_INT_EQ(m->x11_display_offset, 12);
		ASSERT_INT_EQ(m->max_auth_tries, 2);
		ASSERT_INT_EQ(m->nauth_methods, 1);
		ASSERT_INT_EQ(m->client_alive_interval, 60);
	}
	config_free(m);
	m = d != NULL ? for_conn(d, &conns[2], &r) : NULL;
	ASSERT_PTR_NE(m, NULL);
	if (m != NULL) {
		ASSERT_INT_EQ(m->permit_tty, 0);	/* alice.conf's line */
		ASSERT_INT_EQ(m->max_sessions, 10);	/* not 192.0.2/24 */
		ASSERT_STR_EQ(m->banner, "/etc/issue.ten");
		ASSERT_STR_EQ(m->pubkey_accepted_algorithms, "ssh-ed25519");
		ASSERT_INT_EQ(m->allow_tcp_forwarding, CONFIG_FWD_NO);
		ASSERT_INT_EQ(m->nset_env, 2);
		if (m->nset_env == 2)
			ASSERT_STR_EQ(m->set_env[1], "B=two words");
	}
	config_free(m);
	m = d != NULL ? for_conn(d, &conns[4], &r) : NULL;
	ASSERT_PTR_NE(m, NULL);
	if (m != NULL) {
		ASSERT_STR_EQ(m->force_command,
		    "/usr/bin/logger -t hsshd \"%u was here\"");
		ASSERT_INT_EQ(m->max_sessions, 7);
		ASSERT_INT_EQ(m->log_level, c->log_level);
	}
	config_free(m);
	m = d != NULL ? for_conn(d, &conns[9], &r) : NULL;
	ASSERT_PTR_NE(m, NULL);
	if (m != NULL) {
		ASSERT_INT_EQ(m->nauth_methods, 2);
		ASSERT_INT_EQ(m->npermit_listen, 1);
	}
	config_free(m);
	text = d != NULL ? dump(d) : NULL;
	ASSERT_TRUE(has_line(text, "loglevel VERBOSE"));
	ASSERT_TRUE(has_line(text, "acceptenv LANG"));
	ASSERT_TRUE(has_line(text, "port 2222"));
	free(text);
	config_free(d);
	config_free(c);
	TEST_DONE();

	TEST_START("a config without Match blocks (options only)");
	c = load_file(NULL, NULL, opts, 2, NULL, 0);
	ASSERT_PTR_NE(c, NULL);
	if (c != NULL) {
		ASSERT_PTR_EQ(c->matches, NULL);
		d = roundtrip(c);
		ASSERT_TRUE(d != NULL && d->matches == NULL);
		config_free(d);
	}
	config_free(c);
	TEST_DONE();

	TEST_START("Match nested through the deepest Include chain");
	for (i = 0; i <= CONFIG_INCLUDE_DEPTH; i++) {
		char name[32], text2[128];

		snprintf(name, sizeof(name), "deep/%zu.conf", i);
		snprintf(text2, sizeof(text2), "Match User u%zu,alice\n"
		    "\tMaxSessions %zu\n"
		    "\tInclude deep/%zu.conf\n", i, i + 1, i + 1);
		if (i == CONFIG_INCLUDE_DEPTH)
			snprintf(text2, sizeof(text2),
			    "Match User u%zu,alice\n\tMaxSessions %zu\n", i,
			    i + 1);
		write_file(name, text2);
	}
	c = load_file(tmppath("deep/0.conf"), tmpdir, NULL, 0, NULL, 0);
	ASSERT_PTR_NE(c, NULL);
	if (c != NULL) {
		size_t most = 0;

		for (i = 0; i < c->matches->nblocks; i++)
			if (c->matches->blocks[i].nconds > most)
				most = c->matches->blocks[i].nconds;
		ASSERT_INT_EQ(most, CONFIG_INCLUDE_DEPTH + 1);
		d = roundtrip(c);
		ASSERT_PTR_NE(d, NULL);
		m = d != NULL ? for_conn(d, &conns[1], &r) : NULL;
		ASSERT_TRUE(m != NULL && m->max_sessions == 1);
		config_free(m);
		config_free(d);
	}
	config_free(c);
	TEST_DONE();
}

/*
 * Where things are in a serialised config, found by walking it as the
 * format describes (a second reading of the format, independent of the
 * code under test).
 */
struct where {
	size_t	first_opt;		/* presence flag of the first string */
	size_t	first_strv;		/* count of the first vector */
	size_t	nports, port0, confdir, confine, has_matches;
	size_t	ncrits, crit0_ac, crit0_arg0, crit0_end;
	size_t	nblocks, b0_nconds, b0_cond0, b0_nlines;
	size_t	l0_kw, l0_ac, l0_arg0, l0_rest, l0_file, l0_line;
	size_t	ncrits_value;
};

static int
walk_str(struct buf *b, size_t total, size_t *at)
{
	if (at != NULL)
		*at = total - buf_len(b);
	return buf_skip_string(b, BUF_SIZE_MAX);
}

static int
walk_strv(struct buf *b, size_t total, size_t *at, size_t *at0)
{
	uint32_t n, i;
	int r;

	if (at != NULL)
		*at = total - buf_len(b);
	if ((r = buf_get_u32(b, &n)) != 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = walk_str(b, total, i == 0 ? at0 : NULL);
	return r;
}

static int
walk_opt(struct buf *b, size_t total, size_t *at)
{
	bool present;
	int r;

	if (at != NULL)
		*at = total - buf_len(b);
	if ((r = buf_get_bool_strict(b, &present)) != 0 || !present)
		return r;
	return walk_str(b, total, NULL);
}

static int
walk(const uint8_t *p, size_t len, struct where *w)
{
	struct buf *b = buf_from(p, len);
	uint32_t n, nb, i, j, k;
	bool flag, first_opt = true, first_strv = true;
	int r = 0;

	memset(w, 0, sizeof(*w));
	if (b == NULL)
		abort();
	r = buf_get(b, NULL, 8);
#define W_INT(f)	if (r == 0) r = buf_get(b, NULL, 4);
#define W_I64(f)	if (r == 0) r = buf_get(b, NULL, 8);
#define W_STR(f)	if (r == 0) { \
	r = walk_opt(b, len, first_opt ? &w->first_opt : NULL); \
	first_opt = false; }
#define W_STRV(f, nf)	if (r == 0) { \
	r = walk_strv(b, len, first_strv ? &w->first_strv : NULL, NULL); \
	first_strv = false; }
	HS_CONFIG_INTS(W_INT)
	HS_CONFIG_I64S(W_I64)
	HS_CONFIG_STRS(W_STR)
	HS_CONFIG_STRVS(W_STRV)
#undef W_INT
#undef W_I64
#undef W_STR
#undef W_STRV
	w->nports = len - buf_len(b);
	if (r == 0 && (r = buf_get_u32(b, &n)) == 0) {
		w->port0 = len - buf_len(b);
		r = buf_get(b, NULL, 4 * (size_t)n);
	}
	if (r == 0)
		r = walk_str(b, len, &w->confdir);
	w->confine = len - buf_len(b);
	if (r == 0 && (r = buf_get_bool_strict(b, &flag)) == 0)
		r = walk_strv(b, len, NULL, NULL);
	w->has_matches = len - buf_len(b);
	if (r == 0 && (r = buf_get_bool_strict(b, &flag)) == 0 && flag) {
		w->ncrits = len - buf_len(b);
		if ((r = buf_get_u32(b, &n)) == 0)
			w->ncrits_value = n;
		for (i = 0; r == 0 && i < n; i++) {
			r = walk_strv(b, len, i == 0 ? &w->crit0_ac : NULL,
			    i == 0 ? &w->crit0_arg0 : NULL);
			if (i == 0)
				w->crit0_end = len - buf_len(b);
		}
		w->nblocks = len - buf_len(b);
		if (r == 0)
			r = buf_get_u32(b, &nb);
		for (i = 0; r == 0 && i < nb; i++) {
			if (i == 0)
				w->b0_nconds = len - buf_len(b);
			if ((r = buf_get_u32(b, &n)) != 0)
				break;
			if (i == 0)
				w->b0_cond0 = len - buf_len(b);
			if ((r = buf_get(b, NULL, 4 * (size_t)n)) != 0)
				break;
			if (i == 0)
				w->b0_nlines = len - buf_len(b);
			if ((r = buf_get_u32(b, &n)) != 0)
				break;
			for (j = 0; r == 0 && j < n; j++) {
				k = i == 0 && j == 0;
				r = walk_str(b, len, k ? &w->l0_kw : NULL);
				if (r == 0)
					r = walk_strv(b, len,
					    k ? &w->l0_ac : NULL,
					    k ? &w->l0_arg0 : NULL);
				if (r == 0)
					r = walk_opt(b, len,
					    k ? &w->l0_rest : NULL);
				if (r == 0)
					r = walk_str(b, len,
					    k ? &w->l0_file : NULL);
				if (k)
					w->l0_line = len - buf_len(b);
				if (r == 0)
					r = buf_get(b, NULL, 8);
			}
		}
	}
	if (r == 0)
		r = buf_get_end(b);
	buf_free(b);
	return r;
}

/* p with len bytes at off replaced by the n bytes of with (caller frees). */
static uint8_t *
splice(const uint8_t *p, size_t len, size_t off, size_t cut,
    const void *with, size_t n, size_t *ret_len)
{
	uint8_t *q;

	if (off + cut > len || (q = malloc(len - cut + n + 1)) == NULL)
		abort();
	memcpy(q, p, off);
	memcpy(q + off, with, n);
	memcpy(q + off + n, p + off + cut, len - off - cut);
	*ret_len = len - cut + n;
	return q;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Deserialising p with the u32 at off set to v must fail with want. */
static void
expect_u32(const uint8_t *p, size_t len, size_t off, uint32_t v, int want,
    const char *what)
{
	struct hs_config *d = (struct hs_config *)1;
	uint8_t *q = malloc(len);
	int r;

	if (q == NULL || off + 4 > len)
		abort();
	memcpy(q, p, len);
	put32(q + off, v);
	r = config_deserialize(q, len, &d);
	if (r != want)
		printf("# %s = %u: %s\n", what, v, hs_err_str(r));
	ASSERT_INT_EQ(r, want);
	ASSERT_PTR_EQ(d, NULL);
	free(q);
}

static void
expect_u8(const uint8_t *p, size_t len, size_t off, uint8_t v, int want,
    const char *what)
{
	struct hs_config *d = (struct hs_config *)1;
	uint8_t *q = malloc(len);
	int r;

	if (q == NULL || off >= len)
		abort();
	memcpy(q, p, len);
	q[off] = v;
	r = config_deserialize(q, len, &d);
	if (r != want)
		printf("# %s = %u: %s\n", what, v, hs_err_str(r));
	ASSERT_INT_EQ(r, want);
	ASSERT_PTR_EQ(d, NULL);
	free(q);
}

/* Deserialising p with cut bytes at off replaced by with must fail with
 * want: a list emptied this way leaves the rest of the input aligned. */
static void
expect_splice(const uint8_t *p, size_t len, size_t off, size_t cut,
    const void *with, size_t n, int want, const char *what)
{
	struct hs_config *d = (struct hs_config *)1;
	uint8_t *q;
	size_t qlen;
	int r;

	q = splice(p, len, off, cut, with, n, &qlen);
	r = config_deserialize(q, qlen, &d);
	if (r != want)
		printf("# %s: %s\n", what, hs_err_str(r));
	ASSERT_INT_EQ(r, want);
	ASSERT_PTR_EQ(d, NULL);
	if (r == 0)
		config_free(d);
	free(q);
}

/* Deserialising p with the string at off replaced by s must fail with
 * want (or succeed if want is 0). */
static void
expect_string(const uint8_t *p, size_t len, size_t off, const char *s,
    int want)
{
	struct hs_config *d = (struct hs_config *)1;
	uint8_t *q, *with;
	size_t n = strlen(s), qlen;
	int r;

	if ((with = malloc(4 + n)) == NULL)
		abort();
	put32(with, (uint32_t)n);
	memcpy(with + 4, s, n);
	q = splice(p, len, off, 4 + get32(p + off), with, 4 + n, &qlen);
	r = config_deserialize(q, qlen, &d);
	if (r != want)
		printf("# string '%s': %s\n", s, hs_err_str(r));
	ASSERT_INT_EQ(r, want);
	ASSERT_TRUE((r == 0) == (d != NULL));
	config_free(d);
	free(with);
	free(q);
}

/* Whatever deserialises must serialise and come back the same. */
static void
check_stable(const struct hs_config *d)
{
	struct hs_config *e = NULL;
	uint8_t *p;
	char *a, *b;
	size_t len;

	if ((p = serialise(d, &len)) == NULL) {
		ASSERT_TRUE(false);
		return;
	}
	ASSERT_INT_EQ(config_deserialize(p, len, &e), 0);
	if (e != NULL) {
		a = dump(d);
		b = dump(e);
		ASSERT_TRUE((a == NULL && b == NULL) ||
		    (a != NULL && b != NULL && strcmp(a, b) == 0));
		free(a);
		free(b);
	}
	config_free(e);
	free(p);
}

static void
test_errors(void)
{
	static const uint8_t zero[4];
	struct hs_config *c, *d;
	struct where w;
	struct buf *b;
	uint8_t *p, *q;
	size_t len, i, bad;
	char path[PATH_MAX], *longkey;
	int r;

	snprintf(path, sizeof(path), "%s", tmppath("multi"));
	c = load_file(tmppath("multi/sshd_config"), path, NULL, 0, NULL, 0);
	ASSERT_PTR_NE(c, NULL);
	if (c == NULL)
		return;
	p = serialise(c, &len);
	if (p == NULL) {
		config_free(c);
		return;
	}

	TEST_START("the format walks as documented");
	ASSERT_INT_EQ(walk(p, len, &w), 0);
	ASSERT_INT_EQ(get32(p), 1);
	ASSERT_INT_EQ(w.ncrits_value, c->matches->ncrits);
	ASSERT_INT_EQ(get32(p + w.nports), 2);
	ASSERT_INT_EQ(get32(p + w.port0), 22);
	ASSERT_INT_EQ(get32(p + w.b0_nconds), 1);
	ASSERT_INT_EQ(get32(p + w.b0_nlines), c->matches->blocks[0].nlines);
	ASSERT_INT_EQ(get32(p + w.l0_kw), strlen("X11Forwarding"));
	ASSERT_MEM_EQ(p + w.l0_kw + 4, "X11Forwarding", 13);
	ASSERT_MEM_EQ(p + w.crit0_arg0 + 4, "User", 4);
	TEST_DONE();

	TEST_START("serialize: unfinished config, append, failure leaves out");
	b = buf_new();
	ASSERT_INT_EQ(buf_put(b, "abc", 3), 0);
	d = config_new();
	ASSERT_INT_EQ(config_serialize(d, b), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(buf_len(b), 3);
	config_free(d);
	ASSERT_INT_EQ(config_serialize(c, b), 0);
	ASSERT_INT_EQ(buf_len(b), 3 + len);
	ASSERT_MEM_EQ(buf_ptr(b), "abc", 3);
	ASSERT_MEM_EQ(buf_ptr(b) + 3, p, len);
	/* A -h path longer than any string the reader accepts. */
	if ((longkey = malloc(CONFIG_PATH_MAX + CONFIG_LINE_MAX + 2)) == NULL)
		abort();
	memset(longkey, 'k', CONFIG_PATH_MAX + CONFIG_LINE_MAX + 1);
	longkey[0] = '/';
	longkey[CONFIG_PATH_MAX + CONFIG_LINE_MAX + 1] = '\0';
	d = config_new();
	ASSERT_INT_EQ(config_add_hostkey(d, longkey), 0);
	ASSERT_INT_EQ(config_finish(d, NULL), 0);
	buf_reset(b);
	ASSERT_INT_EQ(buf_put(b, "abc", 3), 0);
	ASSERT_INT_EQ(config_serialize(d, b), HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_len(b), 3);
	/* One byte shorter is the longest accepted. */
	longkey[CONFIG_PATH_MAX + CONFIG_LINE_MAX] = '\0';
	config_free(d);
	d = config_new();
	ASSERT_INT_EQ(config_add_hostkey(d, longkey), 0);
	ASSERT_INT_EQ(config_finish(d, NULL), 0);
	q = serialise(d, &i);
	ASSERT_PTR_NE(q, NULL);
	config_free(d);
	d = NULL;
	ASSERT_INT_EQ(config_deserialize(q, i, &d), 0);
	ASSERT_TRUE(d != NULL && d->nhostkey_files == 1 &&
	    strcmp(d->hostkey_files[0], longkey) == 0);
	config_free(d);
	free(q);
	free(longkey);
	buf_free(b);
	TEST_DONE();

	TEST_START("truncated at every length");
	for (i = 0, bad = 0; i < len; i++) {
		d = (struct hs_config *)1;
		r = config_deserialize(p, i, &d);
		if (r != HS_ERR_SHORT || d != NULL) {
			if (bad++ < 5)
				printf("# length %zu: %s\n", i, hs_err_str(r));
		}
	}
	ASSERT_INT_EQ(bad, 0);
	d = (struct hs_config *)1;
	ASSERT_INT_EQ(config_deserialize(NULL, 0, &d), HS_ERR_SHORT);
	ASSERT_PTR_EQ(d, NULL);
	TEST_DONE();

	TEST_START("trailing bytes, version, layout");
	q = splice(p, len, len, 0, "", 1, &i);
	d = (struct hs_config *)1;
	ASSERT_INT_EQ(config_deserialize(q, i, &d), HS_ERR_TRAILING_DATA);
	ASSERT_PTR_EQ(d, NULL);
	free(q);
	expect_u32(p, len, 0, 0, HS_ERR_PROTOCOL, "version");
	expect_u32(p, len, 0, 2, HS_ERR_PROTOCOL, "version");
	expect_u32(p, len, 4, get32(p + 4) ^ 1, HS_ERR_PROTOCOL, "layout");
	/* No Match blocks, but the blocks still follow. */
	expect_u8(p, len, w.has_matches, 0, HS_ERR_TRAILING_DATA, "matches");
	TEST_DONE();

	TEST_START("corrupted flags and counts");
	expect_u8(p, len, w.first_opt, 2, HS_ERR_BAD_BOOLEAN, "string flag");
	expect_u8(p, len, w.confine, 2, HS_ERR_BAD_BOOLEAN, "confine");
	expect_u8(p, len, w.has_matches, 0xff, HS_ERR_BAD_BOOLEAN, "matches");
	expect_u8(p, len, w.l0_rest, 2, HS_ERR_BAD_BOOLEAN, "rest flag");
	expect_u32(p, len, w.first_strv, UINT32_MAX, HS_ERR_TOO_LONG, "strv");
	expect_u32(p, len, w.first_strv, CONFIG_HOSTKEYS_MAX + 1,
	    HS_ERR_TOO_LONG, "hostkeys");
	expect_splice(p, len, w.nports, 4 + 4 * 2, zero, 4, HS_ERR_BAD_FORMAT,
	    "no port");
	expect_u32(p, len, w.nports, CONFIG_PORTS_MAX + 1, HS_ERR_TOO_LONG,
	    "nports");
	expect_u32(p, len, w.port0, 0, HS_ERR_BAD_FORMAT, "port");
	expect_u32(p, len, w.port0, 65536, HS_ERR_BAD_FORMAT, "port");
	expect_u32(p, len, w.ncrits, CONFIG_MATCH_MAX + 1, HS_ERR_TOO_LONG,
	    "ncrits");
	expect_u32(p, len, w.ncrits, CONFIG_MATCH_MAX, HS_ERR_SHORT,
	    "ncrits");
	expect_splice(p, len, w.crit0_ac, w.crit0_end - w.crit0_ac, zero, 4,
	    HS_ERR_BAD_FORMAT, "crit without arguments");
	expect_u32(p, len, w.crit0_ac, CONFIG_ARGS_MAX + 1, HS_ERR_TOO_LONG,
	    "crit ac");
	expect_u32(p, len, w.nblocks, CONFIG_MATCH_MAX + 1, HS_ERR_TOO_LONG,
	    "nblocks");
	expect_u32(p, len, w.nblocks, CONFIG_MATCH_MAX, HS_ERR_SHORT,
	    "nblocks");
	expect_splice(p, len, w.b0_nconds, 4 + 4 * 1, zero, 4,
	    HS_ERR_BAD_FORMAT, "block without conditions");
	expect_u32(p, len, w.b0_nconds, CONFIG_INCLUDE_DEPTH + 2,
	    HS_ERR_TOO_LONG, "nconds");
	expect_u32(p, len, w.b0_nlines, CONFIG_TOTAL_MAX / 2 + 1,
	    HS_ERR_TOO_LONG, "nlines");
	expect_u32(p, len, w.b0_nlines, CONFIG_TOTAL_MAX / 2, HS_ERR_SHORT,
	    "nlines");
	expect_splice(p, len, w.l0_ac, w.l0_rest - w.l0_ac, zero, 4,
	    HS_ERR_BAD_FORMAT, "line without arguments");
	expect_u32(p, len, w.l0_ac, CONFIG_ARGS_MAX + 1, HS_ERR_TOO_LONG,
	    "line ac");
	expect_u32(p, len, w.l0_kw, CONFIG_LINE_MAX, HS_ERR_TOO_LONG,
	    "keyword length");
	TEST_DONE();

	TEST_START("corrupted indices");
	expect_u32(p, len, w.b0_cond0, (uint32_t)w.ncrits_value,
	    HS_ERR_BAD_FORMAT, "cond");
	expect_u32(p, len, w.b0_cond0, UINT32_MAX, HS_ERR_BAD_FORMAT, "cond");
	TEST_DONE();

	TEST_START("criteria, keywords and values are checked again");
	expect_string(p, len, w.crit0_arg0, "Frob", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.crit0_arg0, "Group", 0);
	expect_string(p, len, w.l0_kw, "Include", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "Match", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "Port", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "HostKey", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "NoSuchKeyword", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "x11forwarding", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_kw, "PermitTTY", 0);
	expect_string(p, len, w.l0_kw, "TrustedUserCAKeys", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_arg0, "maybe", HS_ERR_BAD_FORMAT);
	expect_string(p, len, w.l0_arg0, "no", 0);
	expect_string(p, len, w.confdir, "", HS_ERR_BAD_FORMAT);
	{
		/* A NUL inside a string. */
		uint8_t *x;
		size_t xlen;

		x = splice(p, len, w.l0_arg0, 4 + 3, "\0\0\0\3n\0o", 7, &xlen);
		d = (struct hs_config *)1;
		ASSERT_INT_EQ(config_deserialize(x, xlen, &d),
		    HS_ERR_STRING_NUL);
		ASSERT_PTR_EQ(d, NULL);
		free(x);
	}
	TEST_DONE();

	TEST_START("every byte flipped: clean errors or a stable config");
	for (i = 0, bad = 0; i < len; i++) {
		static const uint8_t masks[] = { 0xff, 0x01, 0x80 };
		size_t k;

		for (k = 0; k < sizeof(masks); k++) {
			if ((q = malloc(len)) == NULL)
				abort();
			memcpy(q, p, len);
			q[i] ^= masks[k];
			d = (struct hs_config *)1;
			r = config_deserialize(q, len, &d);
			if (r == 0 && d != NULL)
				check_stable(d);
			else if (r >= 0 || d != NULL)
				bad++;
			config_free(r == 0 ? d : NULL);
			free(q);
		}
	}
	ASSERT_INT_EQ(bad, 0);
	TEST_DONE();

	free(p);
	config_free(c);
}

int
main(void)
{
	char tmpl[] = "/tmp/hsshd-test-config-serial.XXXXXX";
	char cmd[sizeof(tmpdir) + 16];
	int r;

	if (mkdtemp(tmpl) == NULL)
		abort();
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	test_fixtures();
	test_matches();
	test_errors();
	r = tap_finish();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return r;
}
