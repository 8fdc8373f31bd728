/* SPDX-License-Identifier: ISC */
/*
 * hsshd: the listener.  Runs as root (or unprivileged for tests): reads and
 * validates the configuration, prepares the host keys, binds the listening
 * sockets and hands each accepted connection to a fresh hsshd-monitor.  It
 * never parses SSH; its only untrusted input is the configuration files
 * and key files, read through policy/ and common/key.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

#include "common/bounds.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "monitor/hostkey.h"
#include "monitor/listen.h"
#include "policy/config.h"

#define HSSHD_CONFIG_FILE	SSH_CONFDIR "/sshd_config"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
"usage: hsshd [-46DdeiqTtV] [-C connection_spec] [-E log_file]\n"
"             [-f config_file] [-h host_key_file] [-o option] [-p port]\n");
	exit(1);
}

/* Parse "user=X,host=Y,addr=Z,laddr=A,lport=N,rdomain=R" (sshd -C). */
static int
parse_connection_spec(char *spec, struct hs_match_ctx *m)
{
	char *p, *tok, *eq, *end;
	long v;

	for (p = spec; (tok = strsep(&p, ",")) != NULL;) {
		if ((eq = strchr(tok, '=')) == NULL)
			return -1;
		*eq++ = '\0';
		if (strcmp(tok, "user") == 0)
			m->user = eq;
		else if (strcmp(tok, "host") == 0)
			m->host = eq;
		else if (strcmp(tok, "addr") == 0)
			m->addr = eq;
		else if (strcmp(tok, "laddr") == 0)
			m->laddr = eq;
		else if (strcmp(tok, "rdomain") == 0)
			m->rdomain = eq;
		else if (strcmp(tok, "lport") == 0) {
			errno = 0;
			v = strtol(eq, &end, 10);
			if (errno != 0 || *end != '\0' || v <= 0 || v > 65535)
				return -1;
			m->lport = (int)v;
		} else
			return -1;
	}
	return 0;
}

/*
 * For "Match Group" under -T -C: the groups of the user named in the
 * connection spec, as sshd looks them up.  An unknown user has none.
 * The names are never freed (the process exits after printing).
 */
static void
lookup_groups(struct hs_match_ctx *m)
{
	struct passwd *pw;
	struct group *gr;
	gid_t *gids = NULL;
	char **names;
	int ng = 64, i, n = 0;

	if (m->user == NULL || (pw = getpwnam(m->user)) == NULL)
		return;
	gids = xreallocarray(NULL, (size_t)ng, sizeof(*gids));
	if (getgrouplist(pw->pw_name, pw->pw_gid, gids, &ng) == -1) {
		if (ng <= 0 || ng > NGROUPS_MAX)
			fatal("cannot list the groups of %s", m->user);
		gids = xreallocarray(gids, (size_t)ng, sizeof(*gids));
		if (getgrouplist(pw->pw_name, pw->pw_gid, gids, &ng) == -1)
			fatal("cannot list the groups of %s", m->user);
	}
	names = xcalloc((size_t)ng, sizeof(*names));
	for (i = 0; i < ng; i++)
		if ((gr = getgrgid(gids[i])) != NULL)
			names[n++] = xstrdup(gr->gr_name);
	free(gids);
	m->groups = (const char *const *)names;
	m->ngroups = (size_t)n;
}

int
main(int argc, char **argv)
{
	const char *config_file = HSSHD_CONFIG_FILE, *log_file = NULL;
	struct listen_opts lo;
	struct hs_config *cfg, *ccfg = NULL;
	struct hs_match_ctx mctx;
	struct hostkeys hk;
	bool test_only = false, dump = false, have_spec = false;
	bool to_stderr = false, quiet = false;
	const char **options = NULL, *opt;
	char *errmsg = NULL, *end;
	int ch, r, debug_flag = 0, problems, *cmd_ports = NULL;
	size_t i, ncmd_ports = 0, noptions = 0;
	enum log_level level;
	long port;

	memset(&lo, 0, sizeof(lo));
	memset(&mctx, 0, sizeof(mctx));
	if (sodium_init() < 0) {
		fprintf(stderr, "hsshd: libsodium initialisation failed\n");
		return 1;
	}
	/* Log to stderr until the configuration says otherwise. */
	log_init("hsshd", LOG_LEVEL_INFO, LOG_AUTH, true);
#ifdef HAVE_OPENSSL
	/* Host private keys' RSA/ECDSA components in OpenSSL's locked heap
	 * (Ed25519 keys are in sodium_malloc memory). */
	if (CRYPTO_secure_malloc_init(1u << 17, 64) != 1)
		debug("OpenSSL secure heap not available");
#endif
	if ((cfg = config_new()) == NULL)
		fatal("out of memory");

	while ((ch = getopt(argc, argv, "46C:DdE:ef:h:io:p:qTtV")) != -1) {
		switch (ch) {
		case '4':
			opt = "AddressFamily inet";
			goto option;
		case '6':
			opt = "AddressFamily inet6";
			goto option;
		case 'C':
			if (parse_connection_spec(optarg, &mctx) != 0)
				fatal("Invalid test mode specification %s",
				    optarg);
			have_spec = true;
			break;
		case 'D':
			lo.foreground = true;
			break;
		case 'd':
			debug_flag++;
			lo.foreground = true;
			lo.single = true;
			to_stderr = true;
			break;
		case 'E':
			log_file = optarg;
			break;
		case 'e':
			to_stderr = true;
			break;
		case 'f':
			config_file = optarg;
			break;
		case 'h':
			if (config_add_hostkey(cfg, optarg) != 0)
				fatal("too many host keys");
			break;
		case 'i':
			lo.inetd = true;
			break;
		case 'o':
			opt = optarg;
 option:
			if (noptions >= CONFIG_ARGS_MAX)
				fatal("too many -o options");
			options = xreallocarray(options, noptions + 1,
			    sizeof(*options));
			options[noptions++] = opt;
			break;
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || port <= 0 ||
			    port > 65535) {
				fprintf(stderr, "hsshd: Bad port number %s\n",
				    optarg);
				exit(1);
			}
			if (ncmd_ports >= CONFIG_PORTS_MAX)
				fatal("too many -p options");
			cmd_ports = xreallocarray(cmd_ports, ncmd_ports + 1,
			    sizeof(*cmd_ports));
			cmd_ports[ncmd_ports++] = (int)port;
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			dump = true;
			test_only = true;
			break;
		case 't':
			test_only = true;
			break;
		case 'V':
			fprintf(stderr, "hsshd %s, libsodium %s%s%s\n", VERSION,
			    sodium_version_string(),
#ifdef HAVE_OPENSSL
			    ", OpenSSL libcrypto",
#else
			    "",
#endif
#ifdef HS_TEST_HOOKS
			    ", test hooks"
#else
			    ""
#endif
			    );
			exit(0);
		default:
			usage();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hsshd: extra argument %s\n", argv[optind]);
		usage();
	}
	if (have_spec && !dump)
		fatal("-C is only meaningful with -T");
	if (lo.inetd && test_only)
		fatal("-i cannot be combined with -t or -T");

	/*
	 * Command-line options first: for single-valued keywords the first
	 * value wins, so -o overrides the file (as in sshd).
	 */
	for (i = 0; i < noptions; i++) {
		if (config_apply_option(cfg, options[i], &errmsg) != 0) {
			fprintf(stderr, "hsshd: %s\n", errmsg);
			exit(1);
		}
	}
	free(options);
	if (config_load_file(cfg, config_file, &errmsg) != 0) {
		fprintf(stderr, "hsshd: %s\n", errmsg);
		exit(1);
	}
	if (config_finish(cfg, &errmsg) != 0) {
		fprintf(stderr, "hsshd: %s\n", errmsg);
		exit(1);
	}
	/* As in sshd, -p replaces the configured ports. */
	if (ncmd_ports > 0) {
		free(cfg->ports);
		cfg->ports = cmd_ports;
		cfg->nports = ncmd_ports;
		cmd_ports = NULL;
	}

	level = (enum log_level)cfg->log_level;
	if (debug_flag > 0)
		level = debug_flag == 1 ? LOG_LEVEL_DEBUG1 :
		    debug_flag == 2 ? LOG_LEVEL_DEBUG2 : LOG_LEVEL_DEBUG3;
	if (quiet)
		level = LOG_LEVEL_QUIET;
	log_init("hsshd", level, cfg->syslog_facility, to_stderr || test_only);
	if (log_file != NULL && log_set_file(log_file) != 0)
		fatal("cannot open log file %s: %s", log_file, strerror(errno));
	if (cfg->nlog_verbose > 0)
		log_set_verbose(config_log_verbose, cfg);

	if (dump) {
		if (have_spec) {
			if (mctx.groups == NULL)
				lookup_groups(&mctx);
			if (config_for_connection(cfg, &mctx, &ccfg,
			    &errmsg) != 0) {
				fprintf(stderr, "hsshd: %s\n", errmsg);
				exit(1);
			}
		}
		if (config_dump(ccfg != NULL ? ccfg : cfg, stdout) != 0)
			fatal("cannot write the configuration");
		config_free(ccfg);
	}

	problems = hostkeys_prepare(cfg->hostkey_files, cfg->nhostkey_files,
	    test_only ? HOSTKEY_CHECK : HOSTKEY_PREPARE,
	    (unsigned int)geteuid(), &hk);
	if (problems > 0) {
		error("%d host key problem%s: %s", problems,
		    problems == 1 ? "" : "s",
		    test_only ? "configuration test failed" :
		    "refusing to start");
		exit(1);
	}
	if (test_only) {
		hostkeys_free(&hk);
		config_free(cfg);
		exit(0);
	}

	lo.argv = argv;
	lo.config_file = config_file;
	r = listener_run(cfg, &hk, &lo);
	hostkeys_free(&hk);
	log_set_verbose(NULL, NULL);
	config_free(cfg);
	return r;
}
