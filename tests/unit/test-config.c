/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the sshd_config language (policy/config*.c): every value
 * type, first-value-wins and accumulating keywords, Include (globs,
 * cycles, depth, inside Match), Match evaluation, every form of error
 * message with its file and line, -o options, defaults and the sshd -T
 * dump of the fixtures in tests/unit/fixtures (found through $top_srcdir).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "policy/algs.h"
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
	/* A few buffers, so that two results can be used together. */
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

/* Load text as "test.conf"; returns the config (NULL and *err on error). */
static struct hs_config *
load(const char *text, bool finish)
{
	struct hs_config *c = config_new();
	char *err = NULL;

	if (c == NULL)
		abort();
	if (config_load_buffer(c, "test.conf", text, strlen(text), &err) != 0 ||
	    (finish && config_finish(c, &err) != 0)) {
		printf("# unexpected error: %s\n", err ? err : "(none)");
		free(err);
		config_free(c);
		return NULL;
	}
	return c;
}

/* Loading (and finishing) text must fail with exactly this message. */
static void
load_fails(const char *text, const char *want)
{
	struct hs_config *c = config_new();
	char *err = NULL;
	int r;

	if (c == NULL)
		abort();
	r = config_load_buffer(c, "test.conf", text, strlen(text), &err);
	if (r == 0)
		r = config_finish(c, &err);
	ASSERT_INT_EQ(r, HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, want);
	free(err);
	config_free(c);
}

static struct hs_config *
for_conn(const struct hs_config *base, const char *user, const char *addr,
    const char *host, int lport, const char *const *groups, size_t ngroups)
{
	struct hs_match_ctx ctx;
	struct hs_config *c = NULL;
	char *err = NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = user;
	ctx.addr = addr;
	ctx.host = host;
	ctx.lport = lport;
	ctx.groups = groups;
	ctx.ngroups = ngroups;
	if (config_for_connection(base, &ctx, &c, &err) != 0) {
		printf("# config_for_connection: %s\n", err ? err : "?");
		free(err);
		abort();
	}
	return c;
}

/* The sshd -T text of c (caller frees). */
static char *
dump(const struct hs_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	ASSERT_INT_EQ(config_dump(c, f), 0);
	fclose(f);
	return text;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

static void
test_defaults(void)
{
	struct hs_config *c;

	TEST_START("config_new: everything unset");
	c = config_new();
	ASSERT_INT_EQ(c->login_grace_time, -1);
	ASSERT_INT_EQ(c->permit_root_login, -1);
	ASSERT_INT_EQ(c->rekey_limit, -1);
	ASSERT_PTR_EQ(c->pid_file, NULL);
	ASSERT_INT_EQ(c->nports, 0);
	ASSERT_INT_EQ(c->nhostkey_files, 0);
	config_free(c);
	config_free(NULL);
	TEST_DONE();

	TEST_START("config_finish: defaults of an empty configuration");
	c = load("", true);
	ASSERT_PTR_NE(c, NULL);
	ASSERT_INT_EQ(c->nports, 1);
	ASSERT_INT_EQ(c->ports[0], 22);
	ASSERT_INT_EQ(c->nlisten_addrs, 0);
	ASSERT_INT_EQ(c->address_family, AF_UNSPEC);
#ifdef HAVE_OPENSSL
	ASSERT_INT_EQ(c->nhostkey_files, 3);
	ASSERT_STR_EQ(c->hostkey_files[0], SSH_CONFDIR "/ssh_host_rsa_key");
	ASSERT_STR_EQ(c->hostkey_files[1], SSH_CONFDIR "/ssh_host_ecdsa_key");
	ASSERT_STR_EQ(c->hostkey_files[2], SSH_CONFDIR "/ssh_host_ed25519_key");
#else
	ASSERT_INT_EQ(c->nhostkey_files, 1);
	ASSERT_STR_EQ(c->hostkey_files[0], SSH_CONFDIR "/ssh_host_ed25519_key");
#endif
	ASSERT_INT_EQ(c->log_level, LOG_LEVEL_INFO);
	ASSERT_INT_EQ(c->syslog_facility, LOG_AUTH);
	ASSERT_STR_EQ(c->pid_file, "/run/hsshd.pid");
	ASSERT_INT_EQ(c->login_grace_time, 120);
	ASSERT_INT_EQ(c->max_auth_tries, 6);
	ASSERT_INT_EQ(c->max_sessions, 10);
	ASSERT_INT_EQ(c->max_startups_begin, 10);
	ASSERT_INT_EQ(c->max_startups_rate, 30);
	ASSERT_INT_EQ(c->max_startups, 100);
	ASSERT_INT_EQ(c->per_source_max_startups, CONFIG_NO_LIMIT);
	ASSERT_INT_EQ(c->per_source_masklen_ipv4, 32);
	ASSERT_INT_EQ(c->per_source_masklen_ipv6, 128);
	ASSERT_INT_EQ(c->penalty_enabled, 1);
	ASSERT_INT_EQ(c->penalty_crash, 90);
	ASSERT_INT_EQ(c->penalty_max, 600);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_PROHIBIT_PASSWORD);
	ASSERT_INT_EQ(c->pubkey_authentication, 1);
	ASSERT_INT_EQ(c->password_authentication, 1);
	ASSERT_INT_EQ(c->kbd_interactive_authentication, 1);
	ASSERT_INT_EQ(c->permit_empty_passwords, 0);
	ASSERT_INT_EQ(c->use_pam, 0);
	ASSERT_INT_EQ(c->nauth_methods, 0);
	ASSERT_INT_EQ(c->nauthorized_keys_files, 2);
	ASSERT_STR_EQ(c->authorized_keys_files[0], ".ssh/authorized_keys");
	ASSERT_STR_EQ(c->authorized_keys_files[1], ".ssh/authorized_keys2");
	ASSERT_INT_EQ(c->strict_modes, 1);
	ASSERT_PTR_EQ(c->banner, NULL);
	ASSERT_INT_EQ(c->x11_forwarding, 0);
	ASSERT_INT_EQ(c->x11_display_offset, 10);
	ASSERT_STR_EQ(c->xauth_location, "/usr/bin/xauth");
	ASSERT_INT_EQ(c->allow_tcp_forwarding, CONFIG_FWD_ALL);
	ASSERT_INT_EQ(c->client_alive_count_max, 3);
	ASSERT_INT_EQ(c->rekey_limit, 0);
	ASSERT_INT_EQ(c->rekey_interval, 0);
	ASSERT_INT_EQ(c->required_rsa_size, 1024);
	ASSERT_INT_EQ(c->compression, 0);
	ASSERT_INT_EQ(c->stream_local_bind_mask, 0177);
	ASSERT_STR_EQ(c->version_addendum, "");
	ASSERT_STR_EQ(c->kex_algorithms, algs_default(ALGS_KEX));
	ASSERT_STR_EQ(c->ciphers, algs_default(ALGS_CIPHER));
	ASSERT_STR_EQ(c->macs, algs_default(ALGS_MAC));
	ASSERT_STR_EQ(c->hostkey_algorithms, algs_default(ALGS_HOSTKEY));
	ASSERT_TRUE(c->finished);
	/* A second finish changes nothing. */
	ASSERT_INT_EQ(config_finish(c, NULL), 0);
	ASSERT_INT_EQ(c->nports, 1);
	config_free(c);
	TEST_DONE();
}

static void
test_values(void)
{
	struct hs_config *c;

	TEST_START("flags, case-insensitive keywords and values");
	c = load("pubkeyauthentication NO\nPASSWORDAUTHENTICATION yes\n"
	    "X11Forwarding Yes\n", true);
	ASSERT_INT_EQ(c->pubkey_authentication, 0);
	ASSERT_INT_EQ(c->password_authentication, 1);
	ASSERT_INT_EQ(c->x11_forwarding, 1);
	config_free(c);
	load_fails("X11Forwarding maybe\n", "test.conf:1: bad value 'maybe' "
	    "for X11Forwarding (expected yes, no)");
	TEST_DONE();

	TEST_START("enumerations");
	c = load("PermitRootLogin without-password\nAllowTcpForwarding local\n"
	    "GatewayPorts clientspecified\nAddressFamily inet6\n"
	    "IgnoreRhosts shosts-only\n", true);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_PROHIBIT_PASSWORD);
	ASSERT_INT_EQ(c->allow_tcp_forwarding, CONFIG_FWD_LOCAL);
	ASSERT_INT_EQ(c->gateway_ports, CONFIG_GATEWAY_CLIENTSPECIFIED);
	ASSERT_INT_EQ(c->address_family, AF_INET6);
	ASSERT_INT_EQ(c->ignore_rhosts, CONFIG_RHOSTS_SHOSTS_ONLY);
	ASSERT_INT_EQ(c->fingerprint_hash, CONFIG_FP_SHA256);
	config_free(c);
#ifdef HAVE_OPENSSL
	c = load("FingerprintHash md5\n", true);
	ASSERT_INT_EQ(c->fingerprint_hash, CONFIG_FP_MD5);
	config_free(c);
#else
	/* MD5 comes from libcrypto: a precise error without it. */
	load_fails("FingerprintHash md5\n", "test.conf:1: bad value 'md5' "
	    "for FingerprintHash (expected SHA256)");
#endif
	load_fails("PermitRootLogin maybe\n", "test.conf:1: bad value 'maybe' "
	    "for PermitRootLogin (expected yes, prohibit-password, "
	    "forced-commands-only, no)");
	load_fails("\n\nAllowTcpForwarding both\n", "test.conf:3: bad value "
	    "'both' for AllowTcpForwarding (expected yes, all, no, local, "
	    "remote)");
	TEST_DONE();

	TEST_START("integers with range");
	c = load("MaxAuthTries 3\nMaxSessions 0\nRequiredRSASize 3072\n"
	    "X11DisplayOffset 20\n", true);
	ASSERT_INT_EQ(c->max_auth_tries, 3);
	ASSERT_INT_EQ(c->max_sessions, 0);
	ASSERT_INT_EQ(c->required_rsa_size, 3072);
	ASSERT_INT_EQ(c->x11_display_offset, 20);
	config_free(c);
	load_fails("MaxAuthTries -1\n", "test.conf:1: bad value '-1' for "
	    "MaxAuthTries (expected an integer from 0 to 2147483647)");
	load_fails("MaxAuthTries 3x\n", "test.conf:1: bad value '3x' for "
	    "MaxAuthTries (expected an integer from 0 to 2147483647)");
	load_fails("MaxAuthTries 99999999999\n", "test.conf:1: bad value "
	    "'99999999999' for MaxAuthTries (expected an integer from 0 to "
	    "2147483647)");
	load_fails("RequiredRSASize 512\n", "test.conf:1: bad value '512' for "
	    "RequiredRSASize (expected an integer from 1024 to 16384)");
	TEST_DONE();

	TEST_START("PubkeyAuthOptions takes effect (FIDO presence/verification)");
	c = load("PubkeyAuthOptions touch-required verify-required\n", true);
	ASSERT_INT_EQ(c->pubkey_auth_options,
	    CONFIG_PKAO_TOUCH | CONFIG_PKAO_VERIFY);
	config_free(c);
	c = load("PubkeyAuthOptions none\nPubkeyAuthOptions verify-required\n",
	    true);
	ASSERT_INT_EQ(c->pubkey_auth_options, 0);
	config_free(c);
	c = load("", true);
	ASSERT_INT_EQ(c->pubkey_auth_options, 0);
	config_free(c);
	load_fails("PubkeyAuthOptions touchy\n", "test.conf:1: bad value "
	    "'touchy' for PubkeyAuthOptions (expected none, touch-required, "
	    "verify-required)");
	TEST_DONE();

	TEST_START("times: 90, 2m, 1h30m");
	c = load("LoginGraceTime 1h30m\nClientAliveInterval 2m\n", true);
	ASSERT_INT_EQ(c->login_grace_time, 5400);
	ASSERT_INT_EQ(c->client_alive_interval, 120);
	config_free(c);
	c = load("LoginGraceTime 90\nUnusedConnectionTimeout 1w2d3h4m5s\n",
	    true);
	ASSERT_INT_EQ(c->login_grace_time, 90);
	ASSERT_INT_EQ(c->unused_connection_timeout,
	    7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	config_free(c);
	c = load("UnusedConnectionTimeout none\nLoginGraceTime 0\n", true);
	ASSERT_INT_EQ(c->unused_connection_timeout, 0);
	ASSERT_INT_EQ(c->login_grace_time, 0);
	config_free(c);
	load_fails("LoginGraceTime 2x\n", "test.conf:1: bad value '2x' for "
	    "LoginGraceTime (expected a time such as 90, 2m or 1h30m)");
	load_fails("LoginGraceTime m\n", "test.conf:1: bad value 'm' for "
	    "LoginGraceTime (expected a time such as 90, 2m or 1h30m)");
	load_fails("LoginGraceTime 9999999999\n", "test.conf:1: bad value "
	    "'9999999999' for LoginGraceTime (expected a time such as 90, 2m "
	    "or 1h30m)");
	TEST_DONE();

	TEST_START("sizes: RekeyLimit SIZE [TIME], default none");
	c = load("RekeyLimit 1G 1h\n", true);
	ASSERT_INT_EQ(c->rekey_limit, 1024LL * 1024 * 1024);
	ASSERT_INT_EQ(c->rekey_interval, 3600);
	config_free(c);
	c = load("RekeyLimit default none\n", true);
	ASSERT_INT_EQ(c->rekey_limit, 0);
	ASSERT_INT_EQ(c->rekey_interval, 0);
	config_free(c);
	c = load("RekeyLimit 500M\nRekeyLimit 1K 10m\n", true);
	ASSERT_INT_EQ(c->rekey_limit, 500LL * 1024 * 1024);
	ASSERT_INT_EQ(c->rekey_interval, 600);
	config_free(c);
	load_fails("RekeyLimit 10\n", "test.conf:1: RekeyLimit 10 is too "
	    "small (minimum 16)");
	load_fails("RekeyLimit 1Q\n", "test.conf:1: bad value '1Q' for "
	    "RekeyLimit (expected default or a size such as 1G or 500M)");
	load_fails("RekeyLimit 1G soon\n", "test.conf:1: bad value 'soon' for "
	    "RekeyLimit (expected none or a time such as 1h)");
	TEST_DONE();

	TEST_START("MaxStartups, PerSource*, StreamLocalBindMask, IPQoS");
	c = load("MaxStartups 10:30:60\nPerSourceMaxStartups 5\n"
	    "PerSourceNetBlockSize 24:56\nStreamLocalBindMask 0077\n"
	    "IPQoS lowdelay throughput\n", true);
	ASSERT_INT_EQ(c->max_startups_begin, 10);
	ASSERT_INT_EQ(c->max_startups_rate, 30);
	ASSERT_INT_EQ(c->max_startups, 60);
	ASSERT_INT_EQ(c->per_source_max_startups, 5);
	ASSERT_INT_EQ(c->per_source_masklen_ipv4, 24);
	ASSERT_INT_EQ(c->per_source_masklen_ipv6, 56);
	ASSERT_INT_EQ(c->stream_local_bind_mask, 077);
	ASSERT_INT_EQ(c->ip_qos_interactive, 0x10);
	ASSERT_INT_EQ(c->ip_qos_bulk, 0x08);
	config_free(c);
	c = load("MaxStartups 5\nPerSourceNetBlockSize 16\nIPQoS ef\n", true);
	ASSERT_INT_EQ(c->max_startups_begin, 5);
	ASSERT_INT_EQ(c->max_startups, 5);
	ASSERT_INT_EQ(c->per_source_masklen_ipv4, 16);
	ASSERT_INT_EQ(c->per_source_masklen_ipv6, 128);
	ASSERT_INT_EQ(c->ip_qos_interactive, 0xb8);
	ASSERT_INT_EQ(c->ip_qos_bulk, 0xb8);
	config_free(c);
	load_fails("MaxStartups 30:10:20\n", "test.conf:1: bad value "
	    "'30:10:20' for MaxStartups (expected START:RATE:FULL with START "
	    "<= FULL and RATE from 1 to 100, or a number)");
	load_fails("MaxStartups 10:0:60\n", "test.conf:1: bad value "
	    "'10:0:60' for MaxStartups (expected START:RATE:FULL with START "
	    "<= FULL and RATE from 1 to 100, or a number)");
	load_fails("MaxStartups 10:30\n", "test.conf:1: bad value "
	    "'10:30' for MaxStartups (expected START:RATE:FULL with START "
	    "<= FULL and RATE from 1 to 100, or a number)");
	load_fails("PerSourceNetBlockSize 33\n", "test.conf:1: bad value '33' "
	    "for PerSourceNetBlockSize (expected IPV4LEN[:IPV6LEN], at most "
	    "32 and 128)");
	load_fails("StreamLocalBindMask 0800\n", "test.conf:1: bad value "
	    "'0800' for StreamLocalBindMask (expected an octal mode from 0 "
	    "to 0777)");
	TEST_DONE();

	TEST_START("PerSourcePenalties");
	c = load("PerSourcePenalties crash:2m authfail:10 max:1h\n"
	    "PerSourcePenalties crash:5 overflow:deny-all\n", true);
	ASSERT_INT_EQ(c->penalty_enabled, 1);
	ASSERT_INT_EQ(c->penalty_crash, 120);
	ASSERT_INT_EQ(c->penalty_authfail, 10);
	ASSERT_INT_EQ(c->penalty_max, 3600);
	ASSERT_INT_EQ(c->penalty_noauth, 1);
	ASSERT_INT_EQ(c->penalty_overflow, CONFIG_OVERFLOW_DENY_ALL);
	ASSERT_INT_EQ(c->penalty_overflow6, CONFIG_OVERFLOW_DENY_ALL);
	config_free(c);
	c = load("PerSourcePenalties no\n", true);
	ASSERT_INT_EQ(c->penalty_enabled, 0);
	config_free(c);
	load_fails("PerSourcePenalties yes crash:1\n", "test.conf:1: "
	    "PerSourcePenalties yes must appear alone");
	load_fails("PerSourcePenalties min:10m max:1m\n", "PerSourcePenalties "
	    "min:600 is larger than max:60");
	load_fails("PerSourcePenalties crash:soon\n", "test.conf:1: bad value "
	    "'crash:soon' for PerSourcePenalties (expected KEY:TIME)");
	load_fails("PerSourcePenaltyExemptList 10.0.0.1/8\n", "test.conf:1: "
	    "bad value '10.0.0.1/8' for PerSourcePenaltyExemptList (expected "
	    "none or a comma-separated list of addresses and ADDRESS/LEN "
	    "networks)");
	TEST_DONE();

	TEST_START("quotes, '=', comments, CRLF, trailing blanks");
	c = load("Banner \"/etc/my banner\"\r\nPort=2222\r\nMaxAuthTries = 4 "
	    "# four\n  # an indented comment\n\t\nX11DisplayOffset\t12   \n"
	    "ForceCommand /bin/echo \"a b\" # kept\n", true);
	ASSERT_STR_EQ(c->banner, "/etc/my banner");
	ASSERT_INT_EQ(c->ports[0], 2222);
	ASSERT_INT_EQ(c->max_auth_tries, 4);
	ASSERT_INT_EQ(c->x11_display_offset, 12);
	ASSERT_STR_EQ(c->force_command, "/bin/echo \"a b\" # kept");
	config_free(c);
	c = load("Banner '/a b'\\\"c\nAcceptEnv A\\ B \"C#D\" E#F\n"
	    "ForceCommand \"x\" 'y'\n", true);
	ASSERT_STR_EQ(c->banner, "/a b\"c");
	ASSERT_INT_EQ(c->naccept_env, 3);
	ASSERT_STR_EQ(c->accept_env[0], "A B");
	ASSERT_STR_EQ(c->accept_env[1], "C#D");
	ASSERT_STR_EQ(c->accept_env[2], "E#F");
	ASSERT_STR_EQ(c->force_command, "\"x\" 'y'");
	config_free(c);
	load_fails("Banner \"/etc/x\n", "test.conf:1: invalid quotes");
	load_fails("AcceptEnv 'A\n", "test.conf:1: invalid quotes");
	load_fails("=yes\n", "test.conf:1: missing keyword before '='");
	TEST_DONE();
}

static void
test_lists(void)
{
	struct hs_config *c;

	TEST_START("first value wins, multi-valued keywords accumulate");
	c = load("Port 22\nPort 2222\nPermitRootLogin no\nPermitRootLogin yes\n"
	    "AllowUsers alice bob\nAllowUsers carol@10.0.0.0/8\n"
	    "AcceptEnv LANG\nAcceptEnv LC_*\nHostKey /k1\nHostKey /k2\n"
	    "AuthorizedKeysFile .ssh/a\nAuthorizedKeysFile .ssh/b\n"
	    "ListenAddress 127.0.0.1\nListenAddress [::1]:2200\n"
	    "Banner /b1\nBanner /b2\nSetEnv A=1 B=2\nSetEnv C=3\n"
	    "DenyGroups wheel\nDenyGroups staff\n", true);
	ASSERT_INT_EQ(c->nports, 2);
	ASSERT_INT_EQ(c->ports[0], 22);
	ASSERT_INT_EQ(c->ports[1], 2222);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_NO);
	ASSERT_INT_EQ(c->nallow_users, 3);
	ASSERT_STR_EQ(c->allow_users[2], "carol@10.0.0.0/8");
	ASSERT_INT_EQ(c->naccept_env, 2);
	ASSERT_STR_EQ(c->accept_env[1], "LC_*");
	ASSERT_INT_EQ(c->nhostkey_files, 2);
	ASSERT_STR_EQ(c->hostkey_files[1], "/k2");
	ASSERT_INT_EQ(c->nauthorized_keys_files, 1);
	ASSERT_STR_EQ(c->authorized_keys_files[0], ".ssh/a");
	ASSERT_INT_EQ(c->nlisten_addrs, 2);
	ASSERT_STR_EQ(c->listen_addrs[1], "[::1]:2200");
	ASSERT_STR_EQ(c->banner, "/b1");
	ASSERT_INT_EQ(c->nset_env, 2);
	ASSERT_INT_EQ(c->ndeny_groups, 2);
	config_free(c);
	TEST_DONE();

	TEST_START("pattern lists: AllowUsers, AcceptEnv, SetEnv");
	load_fails("AllowUsers bob@10.0.0.1/8\n", "test.conf:1: invalid "
	    "AllowUsers pattern 'bob@10.0.0.1/8'");
	load_fails("DenyUsers ok \"\"\n", "test.conf:1: invalid DenyUsers "
	    "pattern ''");
	load_fails("AcceptEnv A=B\n", "test.conf:1: invalid environment "
	    "variable name 'A=B' for AcceptEnv");
	load_fails("SetEnv NOEQUALS\n", "test.conf:1: invalid environment "
	    "setting 'NOEQUALS' for SetEnv (expected NAME=VALUE)");
	TEST_DONE();

	TEST_START("AuthenticationMethods, PermitOpen, ChannelTimeout");
	c = load("AuthenticationMethods publickey,password "
	    "publickey,keyboard-interactive:pam\n"
	    "PermitOpen 10.0.0.1:80 [::1]:443 host:*\nPermitListen 8080 "
	    "localhost:9000\nChannelTimeout session=5m global=1h\n", true);
	ASSERT_INT_EQ(c->nauth_methods, 2);
	ASSERT_STR_EQ(c->auth_methods[1], "publickey,keyboard-interactive:pam");
	ASSERT_INT_EQ(c->npermit_open, 3);
	ASSERT_STR_EQ(c->permit_listen[0], "*:8080");
	ASSERT_INT_EQ(c->nchannel_timeouts, 2);
	config_free(c);
	c = load("AuthenticationMethods any\nPermitOpen any\n"
	    "PermitListen none\nChannelTimeout none\n", true);
	ASSERT_INT_EQ(c->nauth_methods, 0);
	ASSERT_INT_EQ(c->npermit_open, 0);
	ASSERT_INT_EQ(c->npermit_listen, 1);
	ASSERT_STR_EQ(c->permit_listen[0], "none");
	ASSERT_INT_EQ(c->nchannel_timeouts, 0);
	config_free(c);
	load_fails("AuthenticationMethods any publickey\n", "test.conf:1: "
	    "\"any\" must appear alone in AuthenticationMethods");
	load_fails("AuthenticationMethods publickey,smartcard\n", "test.conf:1: "
	    "bad value 'publickey,smartcard' for AuthenticationMethods "
	    "(expected any, or lists of publickey, password, "
	    "keyboard-interactive)");
	load_fails("PasswordAuthentication no\nAuthenticationMethods password\n",
	    "AuthenticationMethods cannot be satisfied by enabled "
	    "authentication methods");
	load_fails("PermitOpen host\n", "test.conf:1: bad value 'host' for "
	    "PermitOpen (expected any, none or HOST:PORT)");
	load_fails("PermitOpen any 1.2.3.4:5\n", "test.conf:1: too many "
	    "arguments for PermitOpen");
	load_fails("ChannelTimeout session\n", "test.conf:1: bad value "
	    "'session' for ChannelTimeout (expected none or TYPE=INTERVAL)");
	TEST_DONE();

	TEST_START("ListenAddress forms");
	c = load("ListenAddress 0.0.0.0\nListenAddress ::\n"
	    "ListenAddress host.example:2022\nListenAddress [fe80::1]\n", true);
	ASSERT_INT_EQ(c->nlisten_addrs, 4);
	config_free(c);
	load_fails("ListenAddress host:0\n", "test.conf:1: bad value 'host:0' "
	    "for ListenAddress (expected host, host:port, [address] or "
	    "[address]:port)");
	load_fails("ListenAddress [::1\n", "test.conf:1: bad value '[::1' for "
	    "ListenAddress (expected host, host:port, [address] or "
	    "[address]:port)");
	load_fails("ListenAddress 1.2.3.4 rdomain 5\n", "test.conf:1: "
	    "ListenAddress ... rdomain is not supported by hsshd");
	TEST_DONE();

	TEST_START("config_split_listen_addr");
	{
		char *h = NULL;
		int port = -1;

		ASSERT_INT_EQ(config_split_listen_addr("[::1]:2222", &h,
		    &port), 0);
		ASSERT_STR_EQ(h, "::1");
		ASSERT_INT_EQ(port, 2222);
		free(h);
		ASSERT_INT_EQ(config_split_listen_addr("fe80::2", &h, &port), 0);
		ASSERT_STR_EQ(h, "fe80::2");
		ASSERT_INT_EQ(port, 0);
		free(h);
		ASSERT_INT_EQ(config_split_listen_addr("10.0.0.1:22", &h,
		    &port), 0);
		ASSERT_STR_EQ(h, "10.0.0.1");
		ASSERT_INT_EQ(port, 22);
		free(h);
		ASSERT_INT_EQ(config_split_listen_addr("[]:22", &h, &port),
		    HS_ERR_BAD_FORMAT);
		ASSERT_INT_EQ(config_split_listen_addr(":22", &h, &port),
		    HS_ERR_BAD_FORMAT);
		ASSERT_INT_EQ(config_split_listen_addr("[::1]x", &h, &port),
		    HS_ERR_BAD_FORMAT);
		ASSERT_INT_EQ(config_split_listen_addr("a b", &h, &port),
		    HS_ERR_BAD_FORMAT);
		ASSERT_PTR_EQ(h, NULL);
	}
	TEST_DONE();

	TEST_START("Subsystem");
	c = load("Subsystem sftp /usr/lib/openssh/sftp-server -l INFO\n"
	    "Subsystem x internal-sftp\n", true);
	ASSERT_INT_EQ(c->nsubsystem_names, 2);
	ASSERT_INT_EQ(c->nsubsystem_commands, 2);
	ASSERT_STR_EQ(c->subsystem_names[0], "sftp");
	ASSERT_STR_EQ(c->subsystem_commands[0],
	    "/usr/lib/openssh/sftp-server -l INFO");
	config_free(c);
	load_fails("Subsystem sftp a\nSubsystem sftp b\n",
	    "test.conf:2: Subsystem 'sftp' already defined");
	load_fails("Subsystem sftp\n", "test.conf:1: missing argument for "
	    "Subsystem");
	TEST_DONE();
}

static void
test_paths_tokens(void)
{
	struct hs_token_ctx tc;
	struct hs_config *c;
	char *out = NULL, bad = 'x', cwd[PATH_MAX];

	TEST_START("paths with tokens");
	c = load("AuthorizedKeysFile /etc/ssh/keys/%u %h/.ssh/k_%U %%x\n"
	    "ChrootDirectory /srv/%u\nPidFile none\nBanner none\n", true);
	ASSERT_INT_EQ(c->nauthorized_keys_files, 3);
	ASSERT_STR_EQ(c->chroot_directory, "/srv/%u");
	ASSERT_PTR_EQ(c->pid_file, NULL);
	ASSERT_PTR_EQ(c->banner, NULL);
	config_free(c);
	c = load("AuthorizedKeysFile none\nChrootDirectory none\n", true);
	ASSERT_INT_EQ(c->nauthorized_keys_files, 0);
	ASSERT_PTR_EQ(c->chroot_directory, NULL);
	config_free(c);
	load_fails("AuthorizedKeysFile .ssh/%x\n", "test.conf:1: unknown "
	    "token '%x' in '.ssh/%x' for AuthorizedKeysFile");
	load_fails("ChrootDirectory /srv/%D\n", "test.conf:1: unknown "
	    "token '%D' in '/srv/%D' for ChrootDirectory");
	load_fails("ChrootDirectory /srv/%\n", "test.conf:1: incomplete "
	    "%-token at the end of '/srv/%' for ChrootDirectory");
	load_fails("AuthorizedKeysFile ~/.ssh/authorized_keys\n",
	    "test.conf:1: '~' is not supported in AuthorizedKeysFile (use %h "
	    "for the user's home directory)");
	TEST_DONE();

	TEST_START("relative PidFile and HostKey become absolute");
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		abort();
	c = load("PidFile run/x.pid\nHostKey keys/k\n", true);
	ASSERT_TRUE(strncmp(c->pid_file, cwd, strlen(cwd)) == 0);
	ASSERT_TRUE(strcmp(c->pid_file + strlen(cwd), "/run/x.pid") == 0);
	ASSERT_TRUE(strcmp(c->hostkey_files[0] + strlen(cwd), "/keys/k") == 0);
	config_free(c);
	TEST_DONE();

	TEST_START("config_expand_tokens");
	memset(&tc, 0, sizeof(tc));
	tc.user = "alice";
	tc.home = "/home/alice";
	tc.uid = 1000;
	ASSERT_INT_EQ(config_expand_tokens("%h/.ssh/%u_%U%%", &tc, &out), 0);
	ASSERT_STR_EQ(out, "/home/alice/.ssh/alice_1000%");
	free(out);
	ASSERT_INT_EQ(config_expand_tokens("plain", &tc, &out), 0);
	ASSERT_STR_EQ(out, "plain");
	free(out);
	ASSERT_INT_EQ(config_expand_tokens("", &tc, &out), 0);
	ASSERT_STR_EQ(out, "");
	free(out);
	ASSERT_INT_EQ(config_expand_tokens("%z", &tc, &out), HS_ERR_BAD_FORMAT);
	ASSERT_PTR_EQ(out, NULL);
	ASSERT_INT_EQ(config_expand_tokens("a%", &tc, &out), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(config_expand_tokens("%k", &tc, &out), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(config_expand_tokens_allowed("%C", CONFIG_TOKENS_FILES,
	    &tc, &out), HS_ERR_BAD_FORMAT);
	tc.uid = -1;
	ASSERT_INT_EQ(config_expand_tokens("%U", &tc, &out), HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(config_check_tokens("%h/%u/%%/%U", CONFIG_TOKENS_FILES,
	    &bad), 0);
	ASSERT_INT_EQ(bad, '\0');
	ASSERT_INT_EQ(config_check_tokens("/%t", CONFIG_TOKENS_FILES, &bad),
	    HS_ERR_BAD_FORMAT);
	ASSERT_INT_EQ(bad, 't');
	TEST_DONE();

	TEST_START("config_expand_tokens: result bounded");
	{
		char big[CONFIG_PATH_MAX / 2 + 8];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		tc.home = big;
		ASSERT_INT_EQ(config_expand_tokens("%h/%h", &tc, &out),
		    HS_ERR_TOO_LONG);
		ASSERT_PTR_EQ(out, NULL);
	}
	TEST_DONE();
}

static void
test_algorithms(void)
{
	struct hs_config *c;

	TEST_START("algorithm lists: +, -, ^, plain, wildcards");
	c = load("KexAlgorithms -curve25519-sha256@libssh.org\n"
	    "Ciphers ^aes256-gcm@openssh.com\n"
	    "HostKeyAlgorithms ssh-ed25519\n"
	    "PubkeyAcceptedKeyTypes +ssh-rsa\n", true);
	ASSERT_TRUE(strstr(c->kex_algorithms, "libssh") == NULL);
	ASSERT_TRUE(strncmp(c->kex_algorithms, "curve25519-sha256", 17) == 0);
	ASSERT_TRUE(strncmp(c->ciphers, "aes256-gcm@openssh.com,chacha20", 31)
	    == 0);
	ASSERT_STR_EQ(c->hostkey_algorithms, "ssh-ed25519");
	/* ssh-rsa (SHA-1) is known to OpenSSH, not offered by hsshd. */
	ASSERT_STR_EQ(c->pubkey_accepted_algorithms, algs_default(ALGS_PUBKEY));
	config_free(c);
	c = load("KexAlgorithms sntrup761x25519-sha512@openssh.com,"
	    "curve25519-sha256\nCiphers chacha20*,aes*-gcm@openssh.com\n", true);
	ASSERT_STR_EQ(c->kex_algorithms, "curve25519-sha256");
#ifdef HAVE_OPENSSL
	ASSERT_STR_EQ(c->ciphers, "chacha20-poly1305@openssh.com,"
	    "aes256-gcm@openssh.com,aes128-gcm@openssh.com");
#else
	ASSERT_STR_EQ(c->ciphers, "chacha20-poly1305@openssh.com,"
	    "aes256-gcm@openssh.com");
#endif
	config_free(c);
	load_fails("KexAlgorithms curve25519-sha256,frob\n", "test.conf:1: "
	    "unknown algorithm 'frob' for KexAlgorithms");
	load_fails("Ciphers aes128-cbc\n", "test.conf:1: no algorithm this "
	    "build supports is left in 'aes128-cbc' for Ciphers");
	load_fails("MACs hmac-sha2-256,,x\n", "test.conf:1: bad value "
	    "'hmac-sha2-256,,x' for MACs (expected a comma-separated list of "
	    "algorithm names, optionally starting with +, - or ^)");
#ifdef HAVE_OPENSSL
	c = load("Ciphers aes256-ctr\nMACs -hmac-sha2-512*\n", true);
	ASSERT_STR_EQ(c->macs, "hmac-sha2-256-etm@openssh.com");
	config_free(c);
	load_fails("KexAlgorithms +diffie-hellman-group14-sha1\n"
	    "MACs hmac-sha1\n", "test.conf:2: no algorithm this build "
	    "supports is left in 'hmac-sha1' for MACs");
#else
	/* Without OpenSSL there is no MAC, and none is needed. */
	c = load("MACs hmac-sha2-256-etm@openssh.com\n", true);
	ASSERT_STR_EQ(c->macs, "");
	config_free(c);
	load_fails("Ciphers aes256-ctr\n", "test.conf:1: no algorithm this "
	    "build supports is left in 'aes256-ctr' for Ciphers");
#endif
	TEST_DONE();
}

static void
test_status(void)
{
	struct hs_config *c;

	TEST_START("unknown and unsupported keywords");
	load_fails("Port 22\nFrobnicate yes\n",
	    "test.conf:2: Bad configuration option: Frobnicate");
	load_fails("TrustedUserCAKeys /etc/ssh/ca.pub\n", "test.conf:1: "
	    "keyword 'TrustedUserCAKeys' is not supported by hsshd");
	load_fails("HostCertificate /etc/ssh/k-cert.pub\n", "test.conf:1: "
	    "keyword 'HostCertificate' is not supported by hsshd");
	load_fails("AuthorizedKeysCommand /usr/bin/keys %u\n", "test.conf:1: "
	    "keyword 'AuthorizedKeysCommand' is not supported by hsshd");
	load_fails("PAMServiceName sshd\n", "test.conf:1: "
	    "keyword 'PAMServiceName' is not supported by hsshd");
	c = load("TrustedUserCAKeys none\nRevokedKeys none\n"
	    "ExposeAuthInfo no\nAuthorizedKeysCommand none\n", true);
	ASSERT_PTR_NE(c, NULL);
	config_free(c);
	TEST_DONE();

	TEST_START("keywords hsshd accepts only switched off");
	c = load("Compression delayed\nPermitTunnel no\n"
	    "KerberosAuthentication no\nGSSAPIAuthentication no\n"
	    "HostbasedAuthentication no\n", true);
	ASSERT_INT_EQ(c->compression, 0);
	ASSERT_INT_EQ(c->permit_tunnel, 0);
	config_free(c);
	load_fails("Compression yes\n", "test.conf:1: Compression yes is not "
	    "supported by hsshd (accepted: no, delayed)");
	load_fails("PermitTunnel point-to-point\n", "test.conf:1: PermitTunnel "
	    "point-to-point is not supported by hsshd (accepted: no)");
	load_fails("KerberosAuthentication yes\n", "test.conf:1: "
	    "KerberosAuthentication yes is not supported by hsshd (accepted: "
	    "no)");
	load_fails("GSSAPIAuthentication yes\n", "test.conf:1: "
	    "GSSAPIAuthentication yes is not supported by hsshd (accepted: "
	    "no)");
	TEST_DONE();

	TEST_START("NOOP keywords are accepted but still checked");
	c = load("UsePrivilegeSeparation sandbox\nProtocol 2\n"
	    "DebianBanner no\nGSSAPICleanupCredentials yes\n"
	    "PubkeyAuthOptions touch-required\nModuliFile /etc/ssh/moduli\n"
	    "HostbasedAcceptedKeyTypes ssh-ed25519\nServerKeyBits 1024\n",
	    true);
	ASSERT_PTR_NE(c, NULL);
	config_free(c);
	load_fails("DebianBanner maybe\n", "test.conf:1: bad value 'maybe' "
	    "for DebianBanner (expected yes, no)");
	load_fails("PubkeyAuthOptions sometimes\n", "test.conf:1: bad value "
	    "'sometimes' for PubkeyAuthOptions (expected none, "
	    "touch-required, verify-required)");
	TEST_DONE();

	TEST_START("aliases");
	c = load("ChallengeResponseAuthentication no\nKeepAlive no\n"
	    "HostDSAKey /k\n", true);
	ASSERT_INT_EQ(c->kbd_interactive_authentication, 0);
	ASSERT_INT_EQ(c->tcp_keep_alive, 0);
	ASSERT_STR_EQ(c->hostkey_files[0], "/k");
	config_free(c);
	load_fails("ChallengeResponseAuthentication perhaps\n", "test.conf:1: "
	    "bad value 'perhaps' for ChallengeResponseAuthentication "
	    "(expected yes, no)");
	TEST_DONE();

	TEST_START("argument counts, lines, NUL bytes, sizes");
	load_fails("Port\n", "test.conf:1: no argument after keyword 'Port'");
	load_fails("Port=\n", "test.conf:1: no argument after keyword 'Port'");
	load_fails("PermitRootLogin no yes\n", "test.conf:1: too many "
	    "arguments for PermitRootLogin");
	{
		char *big = malloc(CONFIG_LINE_MAX + 32);

		memset(big, 'x', CONFIG_LINE_MAX + 30);
		memcpy(big, "Banner ", 7);
		memcpy(big + CONFIG_LINE_MAX + 30, "\n", 2);
		load_fails(big, "test.conf:1: line too long (limit 8192 bytes)");
		free(big);
	}
	{
		struct hs_config *cc = config_new();
		char *err = NULL;
		static const char nul[] = "Port 22\nBanner /a\0b\n";

		ASSERT_INT_EQ(config_load_buffer(cc, "test.conf", nul,
		    sizeof(nul) - 1, &err), HS_ERR_CONFIG);
		ASSERT_STR_EQ(err, "test.conf:2: line contains a NUL byte");
		free(err);
		config_free(cc);
	}
	TEST_DONE();
}

static void
test_files(void)
{
	struct hs_config *c;
	char *err = NULL, want[2048], *big;
	FILE *f;

	TEST_START("config_load_file: missing, not regular, too large");
	c = config_new();
	ASSERT_INT_EQ(config_load_file(c, tmppath("missing"), &err),
	    HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: %s", tmppath("missing"),
	    strerror(ENOENT));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	ASSERT_INT_EQ(config_load_file(c, tmpdir, &err), HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	if ((f = fopen(tmppath("big.conf"), "w")) == NULL)
		abort();
	big = calloc(1, CONFIG_FILE_MAX + 1);
	memset(big, '#', CONFIG_FILE_MAX + 1);
	fwrite(big, 1, CONFIG_FILE_MAX + 1, f);
	fclose(f);
	free(big);
	ASSERT_INT_EQ(config_load_file(c, tmppath("big.conf"), &err),
	    HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: file too large",
	    tmppath("big.conf"));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	config_free(c);
	TEST_DONE();

	TEST_START("Include with globs, in sorted order, first value wins");
	write_file("inc/main.conf", "Include conf.d/*.conf\nPort 2022\n"
	    "PermitRootLogin yes\nInclude /nonexistent/*.conf\n");
	write_file("inc/conf.d/20-b.conf", "PermitRootLogin forced-commands-only\n"
	    "Port 2200\n");
	write_file("inc/conf.d/10-a.conf", "PermitRootLogin no\n");
	write_file("inc/conf.d/30-c.txt", "Frobnicate yes\n");
	c = config_new();
	ASSERT_INT_EQ(config_set_confdir(c, tmppath("inc"), false), 0);
	ASSERT_INT_EQ(config_load_file(c, tmppath("inc/main.conf"), &err), 0);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_NO);
	ASSERT_INT_EQ(c->nports, 2);
	ASSERT_INT_EQ(c->ports[0], 2200);
	ASSERT_INT_EQ(c->ports[1], 2022);
	config_free(c);
	TEST_DONE();

	TEST_START("Include: errors carry the included file's name and line");
	write_file("inc2/main.conf", "Port 22\nInclude bad.conf\n");
	write_file("inc2/bad.conf", "\n\nPermitRootLogin perhaps\n");
	c = config_new();
	config_set_confdir(c, tmppath("inc2"), false);
	ASSERT_INT_EQ(config_load_file(c, tmppath("inc2/main.conf"), &err),
	    HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:3: bad value 'perhaps' for "
	    "PermitRootLogin (expected yes, prohibit-password, "
	    "forced-commands-only, no)", tmppath("inc2/bad.conf"));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	config_free(c);
	TEST_DONE();

	TEST_START("Include cycle is refused");
	write_file("cyc/a.conf", "Port 22\nInclude b.conf\n");
	write_file("cyc/b.conf", "Include a.conf\n");
	c = config_new();
	config_set_confdir(c, tmppath("cyc"), false);
	ASSERT_INT_EQ(config_load_file(c, tmppath("cyc/a.conf"), &err),
	    HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:1: Include cycle: '%s' is already "
	    "being read", tmppath("cyc/b.conf"), tmppath("cyc/a.conf"));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	config_free(c);
	/* A file including itself. */
	write_file("cyc/self.conf", "Include self.conf\n");
	c = config_new();
	config_set_confdir(c, tmppath("cyc"), false);
	ASSERT_INT_EQ(config_load_file(c, tmppath("cyc/self.conf"), &err),
	    HS_ERR_CONFIG);
	ASSERT_TRUE(err != NULL && strstr(err, "Include cycle") != NULL);
	free(err);
	err = NULL;
	config_free(c);
	TEST_DONE();

	TEST_START("Include depth limit");
	{
		char name[64], text[128];
		int i;

		for (i = 0; i <= 20; i++) {
			snprintf(name, sizeof(name), "deep/f%d.conf", i);
			snprintf(text, sizeof(text), "Include f%d.conf\n",
			    i + 1);
			write_file(name, i == 20 ? "Port 1\n" : text);
		}
		c = config_new();
		config_set_confdir(c, tmppath("deep"), false);
		ASSERT_INT_EQ(config_load_file(c, tmppath("deep/f0.conf"),
		    &err), HS_ERR_CONFIG);
		snprintf(want, sizeof(want), "%s:1: Include nested too deeply "
		    "(limit %u)", tmppath("deep/f16.conf"),
		    CONFIG_INCLUDE_DEPTH);
		ASSERT_STR_EQ(err, want);
		free(err);
		err = NULL;
		config_free(c);
		/* 16 levels below the main file are fine. */
		c = config_new();
		config_set_confdir(c, tmppath("deep"), false);
		ASSERT_INT_EQ(config_load_file(c, tmppath("deep/f4.conf"),
		    &err), 0);
		ASSERT_INT_EQ(c->nports, 1);
		config_free(c);
	}
	TEST_DONE();

	TEST_START("Include: same file twice is not a cycle; confinement");
	write_file("twice/main.conf", "Include x.conf\nInclude x.conf\n");
	write_file("twice/x.conf", "AcceptEnv A\n");
	c = config_new();
	config_set_confdir(c, tmppath("twice"), true);
	ASSERT_INT_EQ(config_load_file(c, tmppath("twice/main.conf"), &err), 0);
	ASSERT_INT_EQ(c->naccept_env, 2);
	config_free(c);
	c = config_new();
	config_set_confdir(c, tmppath("twice"), true);
	ASSERT_INT_EQ(config_load_buffer(c, "b", "Include ../x.conf\n", 17,
	    &err), HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "b:1: Include '../x.conf' is outside %s",
	    tmppath("twice"));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	ASSERT_INT_EQ(config_load_buffer(c, "b", "Include /etc/passwd\n", 20,
	    &err), HS_ERR_CONFIG);
	free(err);
	err = NULL;
	ASSERT_INT_EQ(config_load_buffer(c, "b", "Include x.d/..\n", 15,
	    &err), HS_ERR_CONFIG);
	free(err);
	err = NULL;
	config_free(c);
	TEST_DONE();

	TEST_START("Include inside Match applies to that Match");
	write_file("im/main.conf", "X11Forwarding no\n"
	    "Match User alice\n"
	    "\tInclude m.conf\n"
	    "\tMaxAuthTries 2\n"
	    "Match All\n"
	    "PrintMotd no\n");
	write_file("im/m.conf", "PasswordAuthentication no\n"
	    "Match Address 10.0.0.0/8\n"
	    "\tX11Forwarding yes\n");
	c = config_new();
	config_set_confdir(c, tmppath("im"), false);
	ASSERT_INT_EQ(config_load_file(c, tmppath("im/main.conf"), &err), 0);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->print_motd, 0);
	{
		struct hs_config *a;

		a = for_conn(c, "alice", "10.1.1.1", NULL, 22, NULL, 0);
		ASSERT_INT_EQ(a->password_authentication, 0);
		ASSERT_INT_EQ(a->x11_forwarding, 1);
		ASSERT_INT_EQ(a->max_auth_tries, 2);
		config_free(a);
		a = for_conn(c, "alice", "192.168.1.1", NULL, 22, NULL, 0);
		ASSERT_INT_EQ(a->password_authentication, 0);
		ASSERT_INT_EQ(a->x11_forwarding, 0);
		ASSERT_INT_EQ(a->max_auth_tries, 2);
		config_free(a);
		/* The included Match is ANDed with the including one. */
		a = for_conn(c, "bob", "10.1.1.1", NULL, 22, NULL, 0);
		ASSERT_INT_EQ(a->password_authentication, 1);
		ASSERT_INT_EQ(a->x11_forwarding, 0);
		ASSERT_INT_EQ(a->max_auth_tries, 6);
		config_free(a);
	}
	config_free(c);
	write_file("im/g.conf", "Port 2222\n");
	c = config_new();
	config_set_confdir(c, tmppath("im"), false);
	ASSERT_INT_EQ(config_load_buffer(c, "main", "Match User x\n"
	    "Include g.conf\n", 28, &err), HS_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:1: keyword 'Port' is not allowed "
	    "within a Match block", tmppath("im/g.conf"));
	ASSERT_STR_EQ(err, want);
	free(err);
	err = NULL;
	config_free(c);
	TEST_DONE();
}

static void
test_match(void)
{
	const char *admins[] = { "users", "admins" };
	const char *plain[] = { "users" };
	struct hs_config *c, *m;
	char *err = NULL;

	c = load("PasswordAuthentication yes\n"
	    "ForceCommand /bin/global\n"
	    "AllowUsers *\n"
	    "Match User alice,!root\n"
	    "\tPasswordAuthentication no\n"
	    "\tMaxAuthTries 4\n"
	    "Match Group admins Address 10.0.0.0/8,!10.0.0.66\n"
	    "\tMaxAuthTries 2\n"
	    "\tForceCommand none\n"
	    "\tAllowUsers admin1 admin2\n"
	    "Match Host *.example.com LocalPort 2222\n"
	    "\tBanner /etc/banner-ex\n"
	    "\tPubkeyAcceptedAlgorithms ssh-ed25519\n"
	    "Match Address 192.168.0.0/16\n"
	    "\tAllowUsers lan\n"
	    "\tAllowUsers lan2\n"
	    "Match All\n"
	    "X11Forwarding yes\n", true);
	ASSERT_PTR_NE(c, NULL);

	TEST_START("Match: global lines after Match All are global");
	ASSERT_INT_EQ(c->x11_forwarding, 1);
	ASSERT_INT_EQ(c->password_authentication, 1);
	ASSERT_INT_EQ(c->max_auth_tries, 6);
	TEST_DONE();

	TEST_START("Match User with negation");
	m = for_conn(c, "alice", "1.2.3.4", NULL, 22, plain, 1);
	ASSERT_INT_EQ(m->password_authentication, 0);
	ASSERT_INT_EQ(m->max_auth_tries, 4);
	ASSERT_INT_EQ(m->x11_forwarding, 1);
	ASSERT_STR_EQ(m->force_command, "/bin/global");
	ASSERT_INT_EQ(m->nallow_users, 1);
	config_free(m);
	m = for_conn(c, "root", "1.2.3.4", NULL, 22, plain, 1);
	ASSERT_INT_EQ(m->password_authentication, 1);
	config_free(m);
	TEST_DONE();

	TEST_START("Match Group + Address (CIDR, negation); first match wins");
	m = for_conn(c, "bob", "10.9.9.9", NULL, 22, admins, 2);
	ASSERT_INT_EQ(m->max_auth_tries, 2);
	ASSERT_PTR_EQ(m->force_command, NULL);	/* "none" clears */
	ASSERT_INT_EQ(m->nallow_users, 2);	/* replaces the global list */
	ASSERT_STR_EQ(m->allow_users[0], "admin1");
	config_free(m);
	m = for_conn(c, "bob", "10.0.0.66", NULL, 22, admins, 2);
	ASSERT_INT_EQ(m->max_auth_tries, 6);
	ASSERT_STR_EQ(m->force_command, "/bin/global");
	config_free(m);
	m = for_conn(c, "bob", "10.9.9.9", NULL, 22, plain, 1);
	ASSERT_INT_EQ(m->max_auth_tries, 6);
	config_free(m);
	/* alice in admins: the User block came first and wins. */
	m = for_conn(c, "alice", "10.9.9.9", NULL, 22, admins, 2);
	ASSERT_INT_EQ(m->max_auth_tries, 4);
	ASSERT_PTR_EQ(m->force_command, NULL);
	config_free(m);
	TEST_DONE();

	TEST_START("Match Host + LocalPort; algorithms resolved per connection");
	m = for_conn(c, "bob", "1.2.3.4", "ws.EXAMPLE.com", 2222, plain, 1);
	ASSERT_STR_EQ(m->banner, "/etc/banner-ex");
	ASSERT_STR_EQ(m->pubkey_accepted_algorithms, "ssh-ed25519");
	config_free(m);
	m = for_conn(c, "bob", "1.2.3.4", "ws.example.com", 22, plain, 1);
	ASSERT_PTR_EQ(m->banner, NULL);
	ASSERT_STR_EQ(m->pubkey_accepted_algorithms,
	    algs_default(ALGS_PUBKEY));
	config_free(m);
	TEST_DONE();

	TEST_START("Match: multi-valued keywords accumulate inside a block");
	m = for_conn(c, "bob", "192.168.3.3", NULL, 22, plain, 1);
	ASSERT_INT_EQ(m->nallow_users, 2);
	ASSERT_STR_EQ(m->allow_users[1], "lan2");
	config_free(m);
	TEST_DONE();

	TEST_START("Match: unknown fields never match");
	m = for_conn(c, NULL, NULL, NULL, 0, NULL, 0);
	ASSERT_INT_EQ(m->password_authentication, 1);
	ASSERT_INT_EQ(m->max_auth_tries, 6);
	ASSERT_PTR_EQ(m->banner, NULL);
	ASSERT_TRUE(m->finished);
	config_free(m);
	TEST_DONE();
	config_free(c);

	TEST_START("Match: errors");
	load_fails("Match User alice\n\tPort 2222\n", "test.conf:2: keyword "
	    "'Port' is not allowed within a Match block");
	load_fails("Match User alice\n\tHostKey /k\n", "test.conf:2: keyword "
	    "'HostKey' is not allowed within a Match block");
	load_fails("Match Frob x\n", "test.conf:1: Unsupported Match "
	    "attribute Frob");
	load_fails("Match User\n", "test.conf:1: Missing Match criteria for "
	    "User");
	load_fails("Match Address 10.0.0.1/8\n", "test.conf:1: Invalid Match "
	    "Address argument '10.0.0.1/8'");
	load_fails("Match User a\n\tMaxAuthTries x\n", "test.conf:2: bad value "
	    "'x' for MaxAuthTries (expected an integer from 0 to 2147483647)");
	load_fails("Match User a\n\tTrustedUserCAKeys /x\n", "test.conf:2: "
	    "keyword 'TrustedUserCAKeys' is not supported by hsshd");
	load_fails("Match User a\n\tFrob x\n",
	    "test.conf:2: Bad configuration option: Frob");
	TEST_DONE();

	TEST_START("config_for_connection needs a finished config");
	c = load("Port 22\n", false);
	{
		struct hs_match_ctx ctx;

		memset(&ctx, 0, sizeof(ctx));
		ASSERT_INT_EQ(config_for_connection(c, &ctx, &m, &err),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_PTR_EQ(m, NULL);
	}
	config_free(c);
	TEST_DONE();
}

static void
test_cmdline(void)
{
	struct hs_config *c;
	char *err = NULL;

	TEST_START("-o options come first, so they win");
	c = config_new();
	ASSERT_INT_EQ(config_apply_option(c, "Port 2022", &err), 0);
	ASSERT_INT_EQ(config_apply_option(c, "PermitRootLogin=no", &err), 0);
	ASSERT_INT_EQ(config_load_buffer(c, "f", "Port 22\n"
	    "PermitRootLogin yes\n", 28, &err), 0);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->nports, 2);
	ASSERT_INT_EQ(c->ports[0], 2022);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_NO);
	config_free(c);
	TEST_DONE();

	TEST_START("-o errors say \"command line\"");
	c = config_new();
	ASSERT_INT_EQ(config_apply_option(c, "Frob 1", &err), HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: Bad configuration option: Frob");
	free(err);
	ASSERT_INT_EQ(config_apply_option(c, "MaxAuthTries many", &err),
	    HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: bad value 'many' for MaxAuthTries "
	    "(expected an integer from 0 to 2147483647)");
	free(err);
	ASSERT_INT_EQ(config_apply_option(c, "Match User x", &err),
	    HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: Match is not allowed on the command "
	    "line");
	free(err);
	ASSERT_INT_EQ(config_apply_option(c, "Include /etc/ssh/x", &err),
	    HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: Include is not allowed on the "
	    "command line");
	free(err);
	ASSERT_INT_EQ(config_apply_option(c, "Port 1\nPort 2", &err),
	    HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: option contains a line break");
	free(err);
	ASSERT_INT_EQ(config_apply_option(c, "RevokedKeys /x", &err),
	    HS_ERR_CONFIG);
	ASSERT_STR_EQ(err, "command line: keyword 'RevokedKeys' is not "
	    "supported by hsshd");
	free(err);
	config_free(c);
	TEST_DONE();

	TEST_START("-h host keys: after the configuration's, instead of defaults");
	c = config_new();
	ASSERT_INT_EQ(config_add_hostkey(c, "/cmd/key"), 0);
	ASSERT_INT_EQ(config_load_buffer(c, "f", "HostKey /file/key\n", 18,
	    &err), 0);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->nhostkey_files, 2);
	ASSERT_STR_EQ(c->hostkey_files[0], "/file/key");
	ASSERT_STR_EQ(c->hostkey_files[1], "/cmd/key");
	config_free(c);
	c = config_new();
	ASSERT_INT_EQ(config_add_hostkey(c, "/cmd/key"), 0);
	ASSERT_INT_EQ(config_add_hostkey(c, ""), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->nhostkey_files, 1);
	ASSERT_STR_EQ(c->hostkey_files[0], "/cmd/key");
	/* A finished config takes no more configuration. */
	ASSERT_INT_EQ(config_apply_option(c, "Port 1", &err),
	    HS_ERR_INVALID_ARGUMENT);
	config_free(c);
	TEST_DONE();
}

static void
test_fixtures(void)
{
	const char *dumplines_debian[] = {
		"port 22", "permitrootlogin prohibit-password", "usepam yes",
		"x11forwarding yes", "printmotd no", "acceptenv LANG",
		"acceptenv LC_*", "kbdinteractiveauthentication no",
		"subsystem sftp /usr/lib/openssh/sftp-server",
		"passwordauthentication no", "clientaliveinterval 300",
		"logingracetime 120", "maxauthtries 6", "loglevel INFO",
		"syslogfacility AUTH", "pidfile /run/hsshd.pid",
		"hostkey " SSH_CONFDIR "/ssh_host_ed25519_key",
		"authorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2",
		"listenaddress [::]:22", "listenaddress 0.0.0.0:22",
		"maxstartups 10:30:100", "persourcemaxstartups none",
		"persourcenetblocksize 32:128", "authenticationmethods any",
		"permitopen any", "permitlisten any", "channeltimeout none",
		"rekeylimit 0 0", "streamlocalbindmask 0177", "ipqos af21 cs1",
		"versionaddendum none", "compression no", "permittunnel no",
		"banner none", "forcecommand none", "chrootdirectory none",
		"fingerprinthash SHA256", "unusedconnectiontimeout none",
		"persourcepenaltyexemptlist none",
		"persourcepenalties crash:90 authfail:5 invaliduser:5 noauth:1 "
		"grace-exceeded:20 max:600 min:15 max-sources4:65536 "
		"max-sources6:65536 overflow:permissive overflow6:permissive",
		"permituserenvironment no", "requiredrsasize 1024",
		"ignorerhosts yes", "xauthlocation /usr/bin/xauth",
	};
	struct hs_config *c, *m;
	char *err = NULL, *text, *line, *save = NULL, kexline[NAMELIST_MAX + 32];
	size_t i;

	TEST_START("Debian 12 style fixture: values and sshd -T dump");
	c = config_new();
	ASSERT_INT_EQ(config_set_confdir(c, fixture("debian12"), true), 0);
	ASSERT_INT_EQ(config_load_file(c, fixture("debian12/sshd_config"),
	    &err), 0);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_INT_EQ(c->use_pam, 1);
	ASSERT_INT_EQ(c->kbd_interactive_authentication, 0);
	ASSERT_INT_EQ(c->password_authentication, 0);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_PROHIBIT_PASSWORD);
	text = dump(c);
	for (i = 0; i < sizeof(dumplines_debian) /
	    sizeof(dumplines_debian[0]); i++) {
		if (!has_line(text, dumplines_debian[i]))
			printf("# missing: %s\n", dumplines_debian[i]);
		ASSERT_TRUE(has_line(text, dumplines_debian[i]));
	}
	snprintf(kexline, sizeof(kexline), "kexalgorithms %s",
	    algs_default(ALGS_KEX));
	ASSERT_TRUE(has_line(text, kexline));
	/* Every line: a lowercase keyword, one space, a value. */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		const char *p;

		ASSERT_TRUE(sp != NULL && sp != line && sp[1] != '\0');
		for (p = line; sp != NULL && p < sp; p++)
			ASSERT_TRUE((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9'));
	}
	free(text);
	config_free(c);
	TEST_DONE();

	TEST_START("hardened fixture: values, Match, dump");
	c = config_new();
	ASSERT_INT_EQ(config_load_file(c, fixture("hardened/sshd_config"),
	    &err), 0);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(config_finish(c, &err), 0);
	ASSERT_PTR_EQ(err, NULL);
	ASSERT_INT_EQ(c->address_family, AF_INET);
	ASSERT_STR_EQ(c->kex_algorithms,
	    "curve25519-sha256,curve25519-sha256@libssh.org");
	ASSERT_STR_EQ(c->ciphers,
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com");
	ASSERT_STR_EQ(c->hostkey_algorithms, "ssh-ed25519");
	ASSERT_INT_EQ(c->log_level, LOG_LEVEL_VERBOSE);
	ASSERT_INT_EQ(c->syslog_facility, LOG_AUTHPRIV);
	ASSERT_INT_EQ(c->login_grace_time, 30);
	ASSERT_INT_EQ(c->permit_root_login, CONFIG_ROOT_NO);
	ASSERT_INT_EQ(c->max_auth_tries, 3);
	ASSERT_INT_EQ(c->password_authentication, 0);
	ASSERT_INT_EQ(c->nallow_groups, 1);
	ASSERT_STR_EQ(c->allow_groups[0], "ssh-users");
	ASSERT_INT_EQ(c->client_alive_interval, 300);
	ASSERT_INT_EQ(c->allow_tcp_forwarding, CONFIG_FWD_NO);
	ASSERT_INT_EQ(c->rekey_limit, 512LL * 1024 * 1024);
	ASSERT_INT_EQ(c->penalty_crash, 120);
	ASSERT_INT_EQ(c->penalty_max, 3600);
	ASSERT_STR_EQ(c->per_source_penalty_exempt, "127.0.0.1,::1");
	ASSERT_INT_EQ(c->nauth_methods, 1);
	text = dump(c);
	ASSERT_TRUE(has_line(text, "permitrootlogin no"));
	ASSERT_TRUE(has_line(text, "maxauthtries 3"));
	ASSERT_TRUE(has_line(text, "allowgroups ssh-users"));
	ASSERT_TRUE(has_line(text, "denyusers root"));
	ASSERT_TRUE(has_line(text, "listenaddress 0.0.0.0:22"));
	ASSERT_FALSE(has_line(text, "listenaddress [::]:22"));
	ASSERT_TRUE(has_line(text, "hostkey /etc/ssh/ssh_host_ed25519_key"));
	ASSERT_TRUE(has_line(text, "hostkey /etc/ssh/ssh_host_rsa_key"));
	ASSERT_TRUE(has_line(text, "ciphers chacha20-poly1305@openssh.com,"
	    "aes256-gcm@openssh.com"));
	ASSERT_TRUE(has_line(text, "authenticationmethods publickey"));
	ASSERT_TRUE(has_line(text, "maxstartups 10:30:60"));
	ASSERT_TRUE(has_line(text, "rekeylimit 536870912 3600"));
	ASSERT_TRUE(has_line(text, "subsystem sftp internal-sftp"));
	ASSERT_TRUE(has_line(text, "loglevel VERBOSE"));
	ASSERT_TRUE(has_line(text, "syslogfacility AUTHPRIV"));
	ASSERT_TRUE(has_line(text, "banner /etc/issue.net"));
	free(text);
	{
		const char *sftp[] = { "sftp-only" };

		m = for_conn(c, "carol", "192.0.2.1", NULL, 22, sftp, 1);
		ASSERT_STR_EQ(m->force_command, "internal-sftp");
		ASSERT_STR_EQ(m->chroot_directory, "/srv/sftp/%u");
		ASSERT_INT_EQ(m->permit_tty, 0);
		text = dump(m);
		ASSERT_TRUE(has_line(text, "forcecommand internal-sftp"));
		ASSERT_TRUE(has_line(text, "permittty no"));
		free(text);
		config_free(m);
		m = for_conn(c, "admin", "10.20.1.1", NULL, 22, NULL, 0);
		ASSERT_INT_EQ(m->max_auth_tries, 5);
		config_free(m);
		m = for_conn(c, "admin", "10.20.0.5", NULL, 22, NULL, 0);
		ASSERT_INT_EQ(m->max_auth_tries, 3);
		config_free(m);
	}
	config_free(c);
	TEST_DONE();
}

/* Every keyword OpenSSH 9.x documents for sshd_config (sshd_config(5)),
 * with Debian's additions: each must be known to hsshd. */
static void
test_every_keyword_known(void)
{
	static const char *const names[] = {
		"AcceptEnv", "AddressFamily", "AllowAgentForwarding",
		"AllowGroups", "AllowStreamLocalForwarding",
		"AllowTcpForwarding", "AllowUsers", "AuthenticationMethods",
		"AuthorizedKeysCommand", "AuthorizedKeysCommandUser",
		"AuthorizedKeysFile", "AuthorizedPrincipalsCommand",
		"AuthorizedPrincipalsCommandUser", "AuthorizedPrincipalsFile",
		"Banner", "CASignatureAlgorithms", "ChannelTimeout",
		"ChrootDirectory", "Ciphers", "ClientAliveCountMax",
		"ClientAliveInterval", "Compression", "DenyGroups",
		"DenyUsers", "DisableForwarding", "ExposeAuthInfo",
		"FingerprintHash", "ForceCommand", "GatewayPorts",
		"GSSAPIAuthentication", "GSSAPICleanupCredentials",
		"GSSAPIStrictAcceptorCheck", "HostbasedAcceptedAlgorithms",
		"HostbasedAuthentication", "HostbasedUsesNameFromPacketOnly",
		"HostCertificate", "HostKey", "HostKeyAgent",
		"HostKeyAlgorithms", "IgnoreRhosts", "IgnoreUserKnownHosts",
		"Include", "IPQoS", "KbdInteractiveAuthentication",
		"KerberosAuthentication", "KerberosGetAFSToken",
		"KerberosOrLocalPasswd", "KerberosTicketCleanup",
		"KexAlgorithms", "ListenAddress", "LoginGraceTime", "LogLevel",
		"LogVerbose", "MACs", "Match", "MaxAuthTries", "MaxSessions",
		"MaxStartups", "ModuliFile", "PasswordAuthentication",
		"PermitEmptyPasswords", "PermitListen", "PermitOpen",
		"PermitRootLogin", "PermitTTY", "PermitTunnel",
		"PermitUserEnvironment", "PermitUserRC", "PerSourceMaxStartups",
		"PerSourceNetBlockSize", "PerSourcePenalties",
		"PerSourcePenaltyExemptList", "PidFile", "Port", "PrintLastLog",
		"PrintMotd", "PubkeyAcceptedAlgorithms", "PubkeyAuthOptions",
		"PubkeyAuthentication", "RDomain", "RekeyLimit",
		"RequiredRSASize", "RevokedKeys", "SecurityKeyProvider",
		"SetEnv", "SshdSessionPath", "StreamLocalBindMask",
		"StreamLocalBindUnlink", "StrictModes", "Subsystem",
		"SyslogFacility", "TCPKeepAlive", "TrustedUserCAKeys",
		"UnusedConnectionTimeout", "UseDNS", "UsePAM",
		"VersionAddendum", "X11DisplayOffset", "X11Forwarding",
		"X11UseLocalhost", "XAuthLocation",
		/* aliases and deprecated names sshd still accepts */
		"ChallengeResponseAuthentication", "PubkeyAcceptedKeyTypes",
		"HostbasedAcceptedKeyTypes", "KeepAlive", "HostDSAKey",
		"UsePrivilegeSeparation", "Protocol", "RSAAuthentication",
		"RhostsRSAAuthentication", "ServerKeyBits",
		"KeyRegenerationInterval", "UseLogin", "AuthorizedKeysFile2",
		/* Debian */
		"DebianBanner", "GSSAPIKeyExchange",
		"GSSAPIStoreCredentialsOnRekey", "GSSAPIKexAlgorithms",
	};
	struct hs_config *c;
	char *err = NULL, line[128];
	size_t i;

	TEST_START("every sshd_config keyword of OpenSSH 9.x is known");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		c = config_new();
		snprintf(line, sizeof(line), "%s x", names[i]);
		(void)config_apply_option(c, line, &err);
		if (err != NULL && strstr(err, "Bad configuration") != NULL)
			printf("# unknown: %s\n", names[i]);
		ASSERT_TRUE(err == NULL ||
		    strstr(err, "Bad configuration") == NULL);
		free(err);
		err = NULL;
		config_free(c);
	}
	TEST_DONE();
}

int
main(void)
{
	char tmpl[] = "/tmp/hsshd-test-config.XXXXXX";
	char cmd[sizeof(tmpdir) + 16];
	int r;

	if (mkdtemp(tmpl) == NULL)
		abort();
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	test_defaults();
	test_values();
	test_lists();
	test_paths_tokens();
	test_algorithms();
	test_status();
	test_files();
	test_match();
	test_cmdline();
	test_fixtures();
	test_every_keyword_known();
	r = tap_finish();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return r;
}
