/* SPDX-License-Identifier: ISC */
/*
 * The monitor's session phase (hsshd-monitor, root): after the pre-auth
 * child has handed over the transport, open the PAM session, start
 * hsshd-session as the user (privileges dropped in the child before exec,
 * so the session program never runs with ours), give it its start state,
 * serve its few requests (pty, login records, re-key signatures) and
 * clean up whatever way it ends.  The session process is untrusted.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/capability.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "monitor/monitor.h"
#include "monitor/pam.h"
#include "monitor/spawn.h"
#include "policy/authkeys.h"
#include "policy/config.h"

struct drop {
	const char	*user;
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 monitor;
};

/* In the forked child, before exec: become the user for good. */
static void
drop_to_user(void *arg)
{
	const struct drop *d = arg;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t caps;

	if (geteuid() == 0) {
		if (initgroups(d->user, d->gid) != 0 ||
		    setresgid(d->gid, d->gid, d->gid) != 0 ||
		    setresuid(d->uid, d->uid, d->uid) != 0)
			_exit(126);
		if (getresuid(&ru, &eu, &su) != 0 || ru != d->uid ||
		    eu != d->uid || su != d->uid ||
		    getresgid(&rg, &eg, &sg) != 0 || rg != d->gid ||
		    eg != d->gid || sg != d->gid)
			_exit(126);
		/* Verify it cannot be undone. */
		if (d->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
			_exit(126);
	}
	/* Die with the monitor.  Set after the credential changes, which
	 * clear it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != d->monitor)
		_exit(126);
	/* No capabilities across exec.  (For a root login, exec gives
	 * root's powers back, as with sshd: the user is root.) */
	if ((caps = cap_init()) == NULL || cap_set_proc(caps) != 0)
		_exit(126);
	cap_free(caps);
}

/* Everything the session needs to carry the connection on. */
static struct session_init *
build_init(struct mon *m)
{
	const struct kex_negotiated *n = &m->negotiated;
	struct session_init *si;
	char **env;
	size_t i;
	int r;

	if ((si = sessinit_new()) == NULL)
		fatal_f("out of memory");
	si->user = xstrdup(m->user);
	si->uid = (uint32_t)m->uid;
	si->gid = (uint32_t)m->gid;
	si->home = xstrdup(m->home);
	si->shell = xstrdup(m->shell);
	si->peer_addr = xstrdup(m->peer_addr);
	si->local_addr = xstrdup(m->local_addr);
	si->peer_port = (uint32_t)m->peer_port;
	si->local_port = (uint32_t)m->local_port;
	si->kex_alg = xstrdup(n->kex->name);
	si->hostkey_alg = xstrdup(n->hostkey_alg);
	si->enc_c2s = xstrdup(n->enc_c2s->name);
	si->enc_s2c = xstrdup(n->enc_s2c->name);
	si->mac_c2s = xstrdup(n->mac_c2s != NULL ? n->mac_c2s->name : "");
	si->mac_s2c = xstrdup(n->mac_s2c != NULL ? n->mac_s2c->name : "");
	si->strict_kex = n->strict_kex;
	si->session_id_len = buf_len(m->session_id);
	memcpy(si->session_id, buf_ptr(m->session_id), si->session_id_len);
	si->v_c = xstrdup(m->v_c);
	si->v_s = xstrdup(m->v_s);
	if ((r = sessinit_keys_copy(m->keys, &si->keys)) != 0)
		fatal_fr(r, "keys");
	si->transport = m->transport_state;
	m->transport_state = NULL;
	for (i = 0; i < m->snap.hk.nkeys && i < SESSINIT_HOSTKEYS_MAX; i++) {
		si->hostkeys[i].sig_algs =
		    xstrdup(mon_hostkey_sig_algs(m->snap.hk.keys[i].key));
		if ((si->hostkeys[i].blob = buf_new()) == NULL ||
		    (r = key_to_blob(m->snap.hk.keys[i].key,
		    si->hostkeys[i].blob)) != 0)
			fatal_f("host key blob");
		si->nhostkeys++;
	}
	if ((si->config = buf_new()) == NULL ||
	    (r = config_serialize(m->ccfg, si->config)) != 0)
		fatal_f("config_serialize");
	if ((si->key_options = buf_new()) == NULL)
		fatal_f("out of memory");
	if (m->key_opts != NULL &&
	    (r = authkey_opts_serialize(m->key_opts, si->key_options)) != 0)
		fatal_fr(r, "key options");
	env = mon_pam_getenv(m);
	for (i = 0; env != NULL && env[i] != NULL &&
	    si->nenv < SESSINIT_ENV_MAX; i++) {
		/* The session sets these itself; never from PAM. */
		if (strncmp(env[i], "LD_", 3) == 0 ||
		    strncmp(env[i], "SSH_", 4) == 0)
			continue;
		si->env = xreallocarray(si->env, si->nenv + 1,
		    sizeof(*si->env));
		si->env[si->nenv++] = xstrdup(env[i]);
	}
	mon_pam_free_env(env);
	si->log_level = (uint8_t)log_get_level();
	return si;
}

int
mon_session_run(struct mon *m)
{
	struct session_init *si;
	struct drop d;
	struct buf *b;
	int rpc[2], r, status;
	pid_t pid;

	if (!mon_pam_open_session(m)) {
		error("PAM session for %s refused: login denied", m->user);
		close(m->client_fd);
		return HELPER_EXIT_REFUSED;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rpc) != 0)
		fatal("socketpair: %s", strerror(errno));
	d.user = m->user;
	d.uid = m->uid;
	d.gid = m->gid;
	d.monitor = getpid();
	if ((pid = spawn_helper_ex("hsshd-session", m->client_fd, rpc[1],
	    NULL, drop_to_user, &d)) == -1) {
		close(rpc[0]);
		close(rpc[1]);
		close(m->client_fd);
		return HELPER_EXIT_INTERNAL;
	}
	close(rpc[1]);
	close(m->client_fd);
	m->client_fd = -1;
	m->child = pid;
	m->rpc_fd = rpc[0];
	m->state = MON_ST_SESSION;

	si = build_init(m);
	if ((b = buf_new()) == NULL || (r = sessinit_serialize(si, b)) != 0)
		fatal_f("session start state");
	sessinit_free(si);
	if ((r = rpc_send(m->rpc_fd, RPC_SESSION_INIT, b, -1)) != 0)
		error_r(r, "cannot start the session of %s", m->user);
	buf_free(b);	/* held keys: wiped */
	debug("session of %s: process %ld", m->user, (long)pid);

	mon_dispatch_loop(m, 0);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	m->child = -1;
	if (WIFSIGNALED(status))
		error("session process of %s killed by signal %d", m->user,
		    WTERMSIG(status));
	mon_session_cleanup(m);
	logit("Disconnected from user %s %s port %d", m->user, m->peer_addr,
	    m->peer_port);
	return HELPER_EXIT_OK;
}

void
mon_session_cleanup(struct mon *m)
{
	mon_session_release_ptys(m);
	mon_pam_close(m);
}
