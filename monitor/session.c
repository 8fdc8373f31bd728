/* SPDX-License-Identifier: ISC */
/*
 * The monitor's session phase (hsshd-monitor, root): after the pre-auth
 * child has handed over the transport, open the PAM session, start
 * hsshd-session as the user (privileges dropped in the child before exec,
 * so the session program never runs with ours), give it its start state,
 * serve its few requests (pty, login records, re-key signatures) and
 * clean up whatever way it ends.  The session process is untrusted.
 *
 * ChrootDirectory is checked here as sshd checks it (every component
 * root-owned, not writable by group or others; here also: no symbolic
 * link), opened without following links, and passed to the session with
 * its start state; the session, which runs as the user, changes root to
 * it with the one capability it is given for that (ambient
 * CAP_SYS_CHROOT) and drops it before it reads anything from the network.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
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
	bool		 chroot;	/* keep CAP_SYS_CHROOT (ambient) */
};

/*
 * For ChrootDirectory: CAP_SYS_CHROOT permitted, inheritable and ambient,
 * so it survives the exec of hsshd-session as the user; nothing else.
 * Called after setresuid with PR_SET_KEEPCAPS set.
 */
static bool
keep_chroot_cap(void)
{
	cap_value_t v[1] = { CAP_SYS_CHROOT };
	cap_t caps;
	bool ok;

	if ((caps = cap_init()) == NULL)
		return false;
	ok = cap_set_flag(caps, CAP_PERMITTED, 1, v, CAP_SET) == 0 &&
	    cap_set_flag(caps, CAP_INHERITABLE, 1, v, CAP_SET) == 0 &&
	    cap_set_proc(caps) == 0 &&
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0 &&
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_CHROOT, 0,
	    0) == 0 &&
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == 0;
	cap_free(caps);
	return ok;
}

/* In the forked child, before exec: become the user for good. */
static void
drop_to_user(void *arg)
{
	const struct drop *d = arg;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t caps;

	if (geteuid() == 0) {
		/* Keep the permitted set over the uid change, only to cut it
		 * down to CAP_SYS_CHROOT below. */
		if (d->chroot && d->uid != 0 &&
		    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
			_exit(126);
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
	/* With ChrootDirectory, CAP_SYS_CHROOT alone across exec; it is
	 * dropped by the session once it has changed root. */
	if (d->chroot && d->uid != 0) {
		if (!keep_chroot_cap())
			_exit(126);
		return;
	}
	/* No capabilities across exec.  (For a root login, exec gives
	 * root's powers back, as with sshd: the user is root.) */
	if ((caps = cap_init()) == NULL || cap_set_proc(caps) != 0)
		_exit(126);
	cap_free(caps);
}

/*
 * Open the ChrootDirectory path as sshd's safely_chroot() checks it:
 * absolute, every component (the root too) a directory owned by root
 * and writable by nobody else; beyond sshd, no component may be a
 * symbolic link, and the walk holds each directory open, so what is
 * checked is what is opened.  Returns the directory (O_DIRECTORY,
 * close-on-exec) or -1 after logging why.
 */
static int
chroot_open(const char *path)
{
	char comp[CONFIG_PATH_MAX + 2], name[CONFIG_PATH_MAX + 1];
	const char *kind;
	struct stat st;
	size_t i = 0, n, clen;
	int dir = -1, fd;
	bool last;

	if (path[0] != '/') {
		error("chroot path \"%s\" does not begin at root", path);
		return -1;
	}
	if (strlen(path) > CONFIG_PATH_MAX) {
		error("chroot path too long");
		return -1;
	}
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(comp, sizeof(comp), "/");
	while (path[i] == '/')
		i++;
	last = path[i] == '\0';
	for (;;) {
		/* comp: the path through this component, as sshd names it
		 * ("/srv/" for a component, "/srv/jail" for the last). */
		kind = last ? "" : "component ";
		if (fd == -1) {
			error("chroot path %s\"%s\": %s", kind, comp,
			    strerror(errno));
			goto fail;
		}
		if (dir != -1)
			close(dir);
		dir = fd;
		if (fstat(dir, &st) == -1) {
			error("chroot path %s\"%s\": %s", kind, comp,
			    strerror(errno));
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			error("chroot path %s\"%s\" is a symbolic link", kind,
			    comp);
			goto fail;
		}
		if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
			error("bad ownership or modes for chroot directory "
			    "%s\"%s\"", kind, comp);
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			error("chroot path %s\"%s\" is not a directory", kind,
			    comp);
			goto fail;
		}
		if (last)
			break;
		n = strcspn(path + i, "/");
		memcpy(name, path + i, n);
		name[n] = '\0';
		i += n;
		while (path[i] == '/')
			i++;
		last = path[i] == '\0';
		clen = strlen(comp);
		snprintf(comp + clen, sizeof(comp) - clen, "%s%s", name,
		    last ? "" : "/");
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			error("chroot path \"%s\": component \"%s\" refused",
			    path, name);
			goto fail;
		}
		/* O_PATH: nothing is opened for reading until it is known
		 * to be a directory; a symbolic link is seen, not followed. */
		fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		error("chroot path \"%s\": %s", path, strerror(errno));
	close(dir);
	return fd;
 fail:
	if (dir != -1)
		close(dir);
	return -1;
}

/* The user's ChrootDirectory, expanded (NULL: none); fatal on nothing,
 * an unusable value is logged and refuses the login (*refuse). */
static char *
chroot_path(const struct mon *m, bool *refuse)
{
	struct hs_token_ctx t;
	char *path = NULL;
	int r;

	*refuse = false;
	if (m->ccfg == NULL || m->ccfg->chroot_directory == NULL ||
	    strcmp(m->ccfg->chroot_directory, "none") == 0)
		return NULL;
	memset(&t, 0, sizeof(t));
	t.user = m->user;
	t.home = m->home;
	t.uid = (long long)m->uid;
	if ((r = config_expand_tokens_allowed(m->ccfg->chroot_directory,
	    CONFIG_TOKENS_FILES, &t, &path)) != 0) {
		error_r(r, "ChrootDirectory \"%s\" for %s",
		    m->ccfg->chroot_directory, m->user);
		*refuse = true;
		return NULL;
	}
	return path;
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
	/* Read before this login's record is written (at its pty). */
	if (m->ccfg != NULL && m->ccfg->print_lastlog == 1) {
		char host[SESSINIT_LASTHOST_MAX];

		mon_session_last_login(m, &si->last_login_time, host,
		    sizeof(host));
		if (si->last_login_time != 0)
			si->last_login_host = xstrdup(host);
	}
	si->login_msg = mon_pam_login_messages();
	return si;
}

int
mon_session_run(struct mon *m)
{
	struct session_init *si;
	struct drop d;
	struct buf *b;
	char *root = NULL;
	int rpc[2], r, status, rootfd = -1;
	bool refuse;
	pid_t pid;

	root = chroot_path(m, &refuse);
	if (root != NULL && !m->privileged) {
		error("ChrootDirectory %s for %s needs hsshd to run as root: "
		    "login refused", root, m->user);
		refuse = true;
	}
	if (refuse) {
		free(root);
		close(m->client_fd);
		return HELPER_EXIT_REFUSED;
	}
	if (!mon_pam_open_session(m)) {
		error("PAM session for %s refused: login denied", m->user);
		free(root);
		close(m->client_fd);
		return HELPER_EXIT_REFUSED;
	}
	/* After PAM's session: pam_mkhomedir and the like may create what
	 * the path names. */
	if (root != NULL && (rootfd = chroot_open(root)) == -1) {
		error("ChrootDirectory %s unusable: login of %s refused", root,
		    m->user);
		free(root);
		close(m->client_fd);
		mon_pam_close(m);
		return HELPER_EXIT_REFUSED;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rpc) != 0)
		fatal("socketpair: %s", strerror(errno));
	d.user = m->user;
	d.uid = m->uid;
	d.gid = m->gid;
	d.monitor = getpid();
	d.chroot = rootfd != -1;
	if ((pid = spawn_helper_ex("hsshd-session", m->client_fd, rpc[1],
	    NULL, drop_to_user, &d)) == -1) {
		close(rpc[0]);
		close(rpc[1]);
		close(m->client_fd);
		if (rootfd != -1)
			close(rootfd);
		free(root);
		return HELPER_EXIT_INTERNAL;
	}
	close(rpc[1]);
	close(m->client_fd);
	m->client_fd = -1;
	m->child = pid;
	m->rpc_fd = rpc[0];
	m->state = MON_ST_SESSION;

	si = build_init(m);
	si->chroot_dir = root;
	root = NULL;
	if ((b = buf_new()) == NULL || (r = sessinit_serialize(si, b)) != 0)
		fatal_f("session start state");
	sessinit_free(si);
	if ((r = rpc_send(m->rpc_fd, RPC_SESSION_INIT, b, rootfd)) != 0)
		error_r(r, "cannot start the session of %s", m->user);
	buf_free(b);	/* held keys: wiped */
	if (rootfd != -1)
		close(rootfd);
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
