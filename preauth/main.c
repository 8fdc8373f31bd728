/* SPDX-License-Identifier: ISC */
/*
 * hsshd-preauth: the network-facing child of one connection.  Started by
 * hsshd-monitor with the client socket on fd 3 and the RPC socket on
 * fd 4, it enters the sandbox (chroot to an empty directory, privsep user,
 * no capabilities, no_new_privs, seccomp) before it reads a single byte
 * from the network, then runs the SSH transport up to authentication.
 * All of its input is attacker-controlled; it holds no private key.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "common/crypto-init.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/mem.h"
#include "policy/match.h"
#include "preauth/monitor-client.h"
#include "preauth/sandbox.h"
#include "preauth/transport.h"

static unsigned long
parse_id(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v == 0 ||
	    v > 0x7fffffffUL)
		fatal("hsshd-preauth: bad id %s", s);
	return v;
}

/* LogVerbose with the monitor's pattern lists. */
static bool
log_verbose_match(const char *tag, void *ctx)
{
	const struct mm_hello *h = ctx;

	return match_log_verbose(tag, h->log_verbose, h->nlog_verbose);
}

int
main(int argc, char **argv)
{
	struct sandbox_opts so;
	struct mm_hello hello;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char addr[NI_MAXHOST] = "UNKNOWN", serv[NI_MAXSERV] = "65535";
	int i, flags;

	i = helper_check_args(argc, argv);
	memset(&so, 0, sizeof(so));
	so.chroot_dir = PRIVSEP_PATH;
	so.max_fd = HELPER_FD_B;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
			so.uid = (uid_t)parse_id(argv[++i]);
			so.privileged = true;
		} else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc)
			so.gid = (gid_t)parse_id(argv[++i]);
		else if (strcmp(argv[i], "-U") == 0)
			so.privileged = false;
		else {
			fprintf(stderr, "hsshd-preauth: bad argument %s\n",
			    argv[i]);
			exit(1);
		}
	}
	if (so.privileged && so.gid == 0)
		fatal("hsshd-preauth: -u needs -g");

	/* Everything that needs the file system happens before the sandbox. */
	if (crypto_preload() != 0) {
		fprintf(stderr, "hsshd-preauth: crypto initialisation failed\n");
		exit(HELPER_EXIT_INTERNAL);
	}
	log_init("hsshd", LOG_LEVEL_DEBUG3, -1, true);
	mm_init(HELPER_FD_B);
	log_set_handler(mm_log_handler, NULL);
	if (getpeername(HELPER_FD_A, (struct sockaddr *)&ss, &sslen) == 0)
		(void)getnameinfo((struct sockaddr *)&ss, sslen, addr,
		    sizeof(addr), serv, sizeof(serv),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	if ((flags = fcntl(HELPER_FD_A, F_GETFL)) == -1 ||
	    fcntl(HELPER_FD_A, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl: %s", strerror(errno));

	sandbox_enter(&so);
	if (!so.privileged)
		debug("pre-auth child not started as root: sandboxed with "
		    "seccomp and no_new_privs, without chroot and setuid");

	mm_hello(&hello);
	log_set_level((enum log_level)hello.log_level);
	if (hello.nlog_verbose > 0)
		log_set_verbose(log_verbose_match, &hello);
#ifdef HS_TEST_HOOKS
	/* Test-only: prove that a forbidden system call kills us. */
	if (getenv("HSSHD_TEST_FORBIDDEN_SYSCALL") != NULL) {
		debug("test hook: attempting a forbidden open()");
		(void)open("/", O_RDONLY | O_DIRECTORY);
		(void)socket(AF_INET, SOCK_STREAM, 0);
	}
#endif
	return transport_run(HELPER_FD_A, &hello, addr,
	    (int)strtol(serv, NULL, 10));
}
