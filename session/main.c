/* SPDX-License-Identifier: ISC */
/*
 * hsshd-session: the connection protocol of one authenticated
 * connection.  hsshd-monitor (root) forks, drops to the user (initgroups,
 * setresgid, setresuid, no capabilities; no_new_privs is not set, so
 * sudo keeps working) and execs us with the client socket on fd 3 and
 * the RPC socket on fd 4.  The first message on fd 4 is RPC_SESSION_INIT
 * (common/sessinit.h); we check that we really are the user and cannot
 * become root, take over the transport and serve channels until the
 * client leaves.  All network input is attacker-controlled; this process
 * holds no host private key and never talks to PAM.
 *
 * With ChrootDirectory the monitor passes the directory (checked and
 * opened by root) with RPC_SESSION_INIT and starts us with exactly one
 * capability, CAP_SYS_CHROOT (ambient); we change root to the directory
 * first thing, drop every capability, and only then check that we hold
 * none and cannot return to root.
 */
#include "config.h"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/crypto-init.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/ipqos.h"
#include "common/log.h"
#include "common/pkt.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "session/monitor-client.h"
#include "session/pty.h"
#include "session/transport.h"

/* fds 0..2 must exist, or pipes and ptys would land on them. */
static void
ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/* We run as the user and nothing else: ids, no way back to root, and no
 * capabilities (for any user but root). */
static void
check_privileges(const struct session_init *si)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t caps, empty;
	int differ, i;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid: %s", strerror(errno));
	if (ru != si->uid || eu != si->uid || su != si->uid ||
	    rg != si->gid || eg != si->gid || sg != si->gid)
		fatal("hsshd-session: running as uid %u/%u/%u gid %u/%u/%u, "
		    "expected %u and %u", (unsigned int)ru, (unsigned int)eu,
		    (unsigned int)su, (unsigned int)rg, (unsigned int)eg,
		    (unsigned int)sg, si->uid, si->gid);
	if (si->uid == 0)
		return;
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatal("hsshd-session: could regain root; refusing to run");
	if (si->gid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		fatal("hsshd-session: could regain group root; refusing");
	if ((caps = cap_get_proc()) == NULL || (empty = cap_init()) == NULL)
		fatal("cap_get_proc: %s", strerror(errno));
	differ = cap_compare(caps, empty);
	cap_free(caps);
	cap_free(empty);
	if (differ != 0)
		fatal("hsshd-session: started with capabilities");
	for (i = 0; i <= CAP_LAST_CAP; i++) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) > 0)
			fatal("hsshd-session: ambient capability %d", i);
	}
}

/*
 * RPC_SESSION_INIT, with the ChrootDirectory descriptor if it names one
 * (*ret_fd, else -1).  A descriptor without a directory, or a directory
 * without one, is fatal.
 */
static struct session_init *
recv_session_init(int *ret_fd)
{
	struct session_init *si;
	int fd;

	si = mm_session_init(&fd);
	if ((fd != -1) != (*si->chroot_dir != '\0'))
		fatal("hsshd-session: chroot directory and descriptor "
		    "disagree");
	*ret_fd = fd;
	return si;
}

/* Every capability gone: the sets and the ambient set. */
static void
drop_capabilities(void)
{
	cap_t none;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		fatal("PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
	if ((none = cap_init()) == NULL || cap_set_proc(none) != 0)
		fatal("cap_set_proc: %s", strerror(errno));
	cap_free(none);
}

/*
 * ChrootDirectory: the monitor checked the path as sshd does and opened
 * it; we hold CAP_SYS_CHROOT (ambient) for exactly this.  Before any
 * network input.
 */
static void
enter_chroot(const struct session_init *si, int fd)
{
	/* Local time as the system has it, before /etc is out of reach
	 * (the "Last login" line). */
	tzset();
	if (fchdir(fd) == -1 || chroot(".") == -1 || chdir("/") == -1)
		fatal("Unable to chroot to \"%s\": %s", si->chroot_dir,
		    strerror(errno));
	close(fd);
	verbose("Changed root directory to \"%s\"", si->chroot_dir);
}

int
main(int argc, char **argv)
{
	struct session_init *si;
	struct hs_config *cfg = NULL;
	struct authkey_opts *kopts = NULL;
	struct pkt_state *pkt = NULL;
	int flags, r, rootfd = -1;

	helper_check_args(argc, argv);
	ensure_std_fds();
	if (crypto_preload() != 0) {
		fprintf(stderr, "hsshd-session: crypto initialisation failed\n");
		exit(HELPER_EXIT_INTERNAL);
	}
	log_init("hsshd", LOG_LEVEL_DEBUG3, -1, true);
	mm_init(HELPER_FD_B);
	log_set_handler(mm_log_handler, NULL);
	if (fcntl(HELPER_FD_A, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(HELPER_FD_B, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl: %s", strerror(errno));

	si = recv_session_init(&rootfd);
	log_set_level((enum log_level)si->log_level);
	if (rootfd != -1) {
		enter_chroot(si, rootfd);
		drop_capabilities();
	}
	check_privileges(si);
	if ((r = config_deserialize(buf_ptr(si->config), buf_len(si->config),
	    &cfg)) != 0)
		fatal_r(r, "hsshd-session: bad configuration snapshot");
	if (cfg->nlog_verbose > 0)
		log_set_verbose(config_log_verbose, cfg);
	/* IPQoS: bulk until a terminal makes the connection interactive. */
	ipqos_set(HELPER_FD_A, cfg->ip_qos_bulk);
	pty_set_ipqos(HELPER_FD_A, cfg->ip_qos_interactive);
	/* The options of the authorized_keys line, if a key logged in. */
	if (buf_len(si->key_options) > 0 &&
	    ((r = authkey_opts_deserialize(si->key_options, &kopts)) != 0 ||
	    (r = buf_get_end(si->key_options)) != 0))
		fatal_r(r, "hsshd-session: bad authorized_keys options");
	if ((r = sess_transport_import(si, &pkt)) != 0)
		fatal_r(r, "hsshd-session: cannot take over the transport");
	/* The packet layer has the keys now; nothing else needs them. */
	kex_keys_free(si->keys);
	si->keys = NULL;
	buf_free(si->transport);
	si->transport = NULL;
	if ((flags = fcntl(HELPER_FD_A, F_GETFL)) == -1 ||
	    fcntl(HELPER_FD_A, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl: %s", strerror(errno));
	debug("session for %s (uid %u) from %s port %u", si->user, si->uid,
	    si->peer_addr, si->peer_port);
	return sess_transport_run(HELPER_FD_A, pkt, si, cfg, kopts);
}
