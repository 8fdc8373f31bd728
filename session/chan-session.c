/* SPDX-License-Identifier: ISC */
/*
 * Session channels (RFC 4254 §6): terminals, environment, shell, exec,
 * subsystems, window changes, signals, breaks and the exit status, in
 * hsshd-session (the logged-in user, no capabilities).  The requests are
 * attacker-controlled; their payloads are parsed by chanmsg.c, and what
 * they may do is bounded by the configuration (PermitTTY, AcceptEnv,
 * Subsystem, ForceCommand) and by SESS_* limits.  Children are started
 * through struct sess_ops.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "common/txt.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "policy/match.h"
#include "session/agent.h"
#include "session/channel-priv.h"
#include "session/chanmsg.h"
#include "session/env.h"
#include "session/ttymodes.h"
#include "session/x11.h"

struct sess {
	bool		 started;
	pid_t		 pid;		/* running child, 0 if none */
	bool		 exited, exit_sent;
	int		 status;	/* waitpid() status */
	int		 ptym;		/* our copy of the master, -1 */
	int		 ptys;		/* slave until the child has it */
	char		 tty[64];	/* "/dev/pts/N" */
	char		*term;
	char		**env;		/* accepted "NAME=value" */
	size_t		 nenv, envbytes;
	struct x11_fwd	*x11;		/* X11 forwarding, or NULL */
};

struct sess *
sess_new(void)
{
	struct sess *s = xcalloc(1, sizeof(*s));

	s->ptym = s->ptys = -1;
	return s;
}

static void
sess_release_pty(struct conn *c, struct sess *s)
{
	if (s->ptym == -1)
		return;
	c->ops.pty_close(c->ops.ctx, s->tty);
	(void)close(s->ptym);
	s->ptym = -1;
	if (s->ptys != -1) {
		(void)close(s->ptys);
		s->ptys = -1;
	}
	s->tty[0] = '\0';
}

void
sess_free(struct conn *c, struct sess *s)
{
	size_t i;

	if (s == NULL)
		return;
	sess_release_pty(c, s);
	x11_end(c, s->x11);
	free(s->term);
	for (i = 0; i < s->nenv; i++)
		freezero_str(s->env[i]);
	free(s->env);
	free(s);
}

pid_t
sess_pid(const struct sess *s)
{
	return s->pid;
}

bool
sess_started(const struct sess *s)
{
	return s->started;
}

bool
sess_child_exited(struct sess *s, pid_t pid, int status)
{
	if (s->pid == 0 || s->pid != pid)
		return false;
	s->pid = 0;
	s->exited = true;
	s->status = status;
	return true;
}

bool
sess_exit_pending(const struct sess *s)
{
	return s->exited && !s->exit_sent;
}

bool
sess_exit_done(const struct sess *s)
{
	return s->exited && s->exit_sent;
}

int
sess_send_exit(struct conn *c, struct channel *ch)
{
	struct sess *s = ch->sess;
	struct buf *b = conn_msg(SSH2_MSG_CHANNEL_REQUEST, ch->peer_id);
	int r;

	if (WIFSIGNALED(s->status)) {
		if (buf_put_cstring(b, "exit-signal") != 0 ||
		    buf_put_bool(b, false) != 0 ||
		    buf_put_cstring(b, chanmsg_signame(
		    WTERMSIG(s->status))) != 0 ||
		    buf_put_bool(b, WCOREDUMP(s->status) != 0) != 0 ||
		    buf_put_cstring(b, "") != 0 ||
		    buf_put_cstring(b, "") != 0)
			fatal_f("out of memory");
	} else {
		if (buf_put_cstring(b, "exit-status") != 0 ||
		    buf_put_bool(b, false) != 0 ||
		    buf_put_u32(b, (uint32_t)WEXITSTATUS(s->status)) != 0)
			fatal_f("out of memory");
	}
	r = conn_send(c, b);
	buf_free(b);
	s->exit_sent = true;
	return r;
}

static void
set_winsize(int fd, uint32_t cols, uint32_t rows, uint32_t x, uint32_t y)
{
	struct winsize ws;

	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)(cols > SESS_WINSIZE_MAX ?
	    SESS_WINSIZE_MAX : cols);
	ws.ws_row = (unsigned short)(rows > SESS_WINSIZE_MAX ?
	    SESS_WINSIZE_MAX : rows);
	ws.ws_xpixel = (unsigned short)(x > SESS_WINSIZE_MAX ?
	    SESS_WINSIZE_MAX : x);
	ws.ws_ypixel = (unsigned short)(y > SESS_WINSIZE_MAX ?
	    SESS_WINSIZE_MAX : y);
	(void)ioctl(fd, TIOCSWINSZ, &ws);
}

/* "pty-req": a terminal from the monitor, modes and size applied. */
static int
req_pty(struct conn *c, struct channel *ch, struct buf *b, bool *ok)
{
	struct sess *s = ch->sess;
	struct chanmsg_pty p;
	struct termios tio;
	int r;

	if ((r = chanmsg_pty_req(b, &p)) != 0)
		return conn_fail(c, "malformed pty-req: %s", hs_err_str(r));
	if (s->started || s->ptym != -1) {
		debug_f("channel %u: pty-req refused: %s", ch->id,
		    s->started ? "session started" : "has a pty already");
		goto out;
	}
	if (c->cfg->permit_tty == 0) {
		logit("Refused pty-req: PermitTTY no");
		goto out;
	}
	if (c->kopts != NULL && !c->kopts->permit_pty) {
		logit("Refused pty-req: no-pty in authorized_keys");
		goto out;
	}
	if ((r = c->ops.pty_open(c->ops.ctx, &s->ptym, &s->ptys, s->tty,
	    sizeof(s->tty))) != 0) {
		error("channel %u: no pty: %s", ch->id, hs_err_str(r));
		s->ptym = s->ptys = -1;
		goto out;
	}
	if (tcgetattr(s->ptys, &tio) != 0) {
		error("channel %u: tcgetattr %s: %s", ch->id, s->tty,
		    strerror(errno));
		sess_release_pty(c, s);
		goto out;
	}
	if ((r = ttymodes_apply(p.modes, p.modes_len, &tio)) != 0) {
		logit("Refused pty-req: bad terminal modes: %s",
		    hs_err_str(r));
		sess_release_pty(c, s);
		goto out;
	}
	if (tcsetattr(s->ptys, TCSANOW, &tio) != 0)
		debug_f("tcsetattr %s: %s", s->tty, strerror(errno));
	set_winsize(s->ptym, p.cols, p.rows, p.xpixel, p.ypixel);
	free(s->term);
	s->term = p.term;
	p.term = NULL;
	debug_f("channel %u: allocated %s (TERM %s)", ch->id, s->tty,
	    s->term);
	*ok = true;
 out:
	chanmsg_pty_free(&p);
	return 0;
}

static bool
env_accepted(const struct hs_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->naccept_env; i++) {
		if (match_pattern_list(name, cfg->accept_env[i], false) ==
		    MATCH_YES)
			return true;
	}
	return false;
}

/* "env": kept for the child if AcceptEnv names it. */
static int
req_env(struct conn *c, struct channel *ch, struct buf *b, bool *ok)
{
	struct sess *s = ch->sess;
	char *name = NULL, *value = NULL, *entry = NULL;
	size_t i, nlen, len;
	int r;

	if ((r = chanmsg_env(b, &name, &value)) != 0)
		return conn_fail(c, "malformed env request: %s",
		    hs_err_str(r));
	if (s->started || !env_accepted(c->cfg, name)) {
		debug("Ignoring env request %s: disallowed name", name);
		goto out;
	}
	xasprintf(&entry, "%s=%s", name, value);
	len = strlen(entry);
	nlen = strlen(name) + 1;
	for (i = 0; i < s->nenv; i++) {
		if (strncmp(s->env[i], entry, nlen) == 0) {
			s->envbytes -= strlen(s->env[i]);
			freezero_str(s->env[i]);
			s->env[i] = s->env[--s->nenv];
			break;
		}
	}
	if (s->nenv >= SESS_ENV_COUNT_MAX ||
	    s->envbytes + len > SESS_ENV_BYTES_MAX) {
		logit("Ignoring env request %s: too many or too large", name);
		goto out;
	}
	s->env = xreallocarray(s->env, s->nenv + 1, sizeof(*s->env));
	s->env[s->nenv++] = entry;
	s->envbytes += len;
	entry = NULL;
	debug_f("channel %u: env %s accepted", ch->id, name);
	*ok = true;
 out:
	free(name);
	freezero_str(value);
	freezero_str(entry);
	return 0;
}

/* Whether a command names sshd's built-in sftp server. */
static bool
is_internal_sftp(const char *cmd)
{
	return strncmp(cmd, "internal-sftp", 13) == 0 &&
	    (cmd[13] == '\0' || cmd[13] == ' ' || cmd[13] == '\t');
}

/* The words after "internal-sftp", split on blanks as sshd splits them
 * (NULL-terminated; free with envv_free_vec); NULL if there are too
 * many. */
static char **
internal_sftp_argv(const char *cmd)
{
	struct txt t;
	char **av = xcalloc(1, sizeof(*av)), *w = NULL;
	size_t n = 0;

	txt_init(&t, cmd, strlen(cmd));
	if (txt_get_word(&t, CONFIG_LINE_MAX, &w) == 0)
		free(w);	/* "internal-sftp" itself */
	while (txt_get_word(&t, CONFIG_LINE_MAX, &w) == 0) {
		if (n >= CONFIG_ARGS_MAX) {
			free(w);
			envv_free_vec(av);
			return NULL;
		}
		av = xreallocarray(av, n + 2, sizeof(*av));
		av[n++] = w;
		av[n] = NULL;
	}
	return av;
}

/* Start the shell (command NULL) or a command: exec, subsystem. */
static void
sess_start(struct conn *c, struct channel *ch, const char *command,
    const char *what, bool *ok)
{
	struct sess *s = ch->sess;
	const struct session_init *si = c->si;
	struct sess_env_in ein;
	struct spawn_req req;
	struct spawn_ret ret;
	char **env = NULL, **sftp_argv = NULL;
	const char *orig = NULL;
	char *login_msg = NULL;
	int r;

	if (s->started) {
		debug_f("channel %u: %s refused: session started", ch->id,
		    what);
		return;
	}
	/* ForceCommand wins over the key's command="", as in sshd. */
	if (c->cfg->force_command != NULL) {
		orig = command;
		command = c->cfg->force_command;
		debug("Forced command (config) '%.900s'", command);
	} else if (c->kopts != NULL && c->kopts->command != NULL) {
		orig = command;
		command = c->kopts->command;
		debug("Forced command (key option) '%.900s'", command);
	}
	if (command != NULL && is_internal_sftp(command)) {
		/* A binary protocol, never on a terminal (sshd would garble
		 * it through the line discipline). */
		if (s->ptym != -1 ||
		    (sftp_argv = internal_sftp_argv(command)) == NULL) {
			logit("Refused %s: internal-sftp %s", what,
			    s->ptym != -1 ? "does not run on a terminal" :
			    "has too many arguments");
			return;
		}
	}
	memset(&ein, 0, sizeof(ein));
	ein.si = si;
	ein.cfg = c->cfg;
	ein.path = c->path;
	if (s->ptym != -1) {
		ein.term = s->term != NULL ? s->term : "";
		ein.tty = s->tty;
	}
	ein.original_command = orig;
	ein.client_env = s->env;
	ein.nclient_env = s->nenv;
	if (c->kopts != NULL) {
		ein.key_env = c->kopts->env;
		ein.nkey_env = c->kopts->nenv;
	}
	ein.display = x11_display(s->x11);
	ein.auth_sock = agent_socket(c);
	env = sess_env_build(&ein);

	memset(&req, 0, sizeof(req));
	req.shell = si->shell != NULL && *si->shell != '\0' ? si->shell :
	    _PATH_BSHELL;
	req.command = command;
	req.env = env;
	req.home = si->home;
	req.tty_fd = s->ptys;
	req.motd = s->ptym != -1 && command == NULL &&
	    c->cfg->print_motd == 1;
	/* As sshd: PAM's messages and the last login before an
	 * interactive login shell only. */
	if (s->ptym != -1 && command == NULL)
		login_msg = sess_login_message(si, c->cfg->print_lastlog == 1);
	req.login_msg = login_msg;
	req.chrooted = si->chroot_dir != NULL && *si->chroot_dir != '\0';
	/* sshd(8) SSHRC, as sshd's do_rc_files: the system's sshrc for
	 * every child sshd execs (internal-sftp runs in-process); the
	 * user's own not for subsystems, and only as PermitUserRC, the
	 * key's no-user-rc and ForceCommand allow. */
	req.rc = command == NULL || !is_internal_sftp(command);
	req.user_rc = req.rc && strcmp(what, "subsystem") != 0 &&
	    c->cfg->permit_user_rc == 1 &&
	    c->cfg->force_command == NULL &&
	    (c->kopts == NULL || c->kopts->permit_user_rc);
	req.internal_argv = sftp_argv;
	req.user = si->user;
	x11_prepare_spawn(s->x11, &req, env);
	memset(&ret, 0, sizeof(ret));
	if ((r = c->ops.spawn(c->ops.ctx, &req, &ret)) != 0) {
		error("channel %u: cannot start %s: %s", ch->id, what,
		    hs_err_str(r));
		goto out;
	}
	verbose("Starting session: %s%s%s for %s from %s port %u id %u",
	    what, s->ptym != -1 ? " on " : "", s->ptym != -1 ? s->tty + 5 : "",
	    si->user, si->peer_addr, si->peer_port, ch->id);
	s->started = true;
	s->pid = ret.pid;
	if (s->ptym != -1) {
		/* The child has the slave; ours would keep the terminal
		 * from ever reporting EOF. */
		(void)close(s->ptys);
		s->ptys = -1;
		if ((ch->rfd = fcntl(s->ptym, F_DUPFD_CLOEXEC, 3)) == -1 ||
		    (ch->wfd = fcntl(s->ptym, F_DUPFD_CLOEXEC, 3)) == -1)
			fatal_f("dup: %s", strerror(errno));
		c->ops.login(c->ops.ctx, s->tty, ret.pid);
	} else {
		ch->wfd = ret.in;
		ch->rfd = ret.out;
		ch->efd = ret.err;
	}
	ch->output_started = true;
	*ok = true;
 out:
	free(login_msg);
	envv_free_vec(env);
	envv_free_vec(sftp_argv);
}

static int
req_subsystem(struct conn *c, struct channel *ch, struct buf *b, bool *ok)
{
	char *name = NULL;
	size_t i;
	int r;

	if ((r = chanmsg_subsystem(b, &name)) != 0)
		return conn_fail(c, "malformed subsystem request: %s",
		    hs_err_str(r));
	for (i = 0; i < c->cfg->nsubsystem_names &&
	    i < c->cfg->nsubsystem_commands; i++) {
		if (strcmp(c->cfg->subsystem_names[i], name) == 0)
			break;
	}
	if (i == c->cfg->nsubsystem_names || i == c->cfg->nsubsystem_commands)
		logit("subsystem request for %.100s by user %s failed, "
		    "subsystem not found", name, c->si->user);
	else
		sess_start(c, ch, c->cfg->subsystem_commands[i], "subsystem",
		    ok);
	free(name);
	return 0;
}

int
sess_request(struct conn *c, struct channel *ch, const char *type,
    struct buf *b, bool *ok)
{
	struct sess *s = ch->sess;
	struct chanmsg_winsize ws;
	char *cmd = NULL;
	uint32_t ms;
	int r, signo;

	*ok = false;
	if (strcmp(type, "pty-req") == 0)
		return req_pty(c, ch, b, ok);
	if (strcmp(type, "env") == 0)
		return req_env(c, ch, b, ok);
	if (strcmp(type, "shell") == 0) {
		if ((r = chanmsg_empty(b)) != 0)
			return conn_fail(c, "malformed shell request");
		sess_start(c, ch, NULL, "shell", ok);
		return 0;
	}
	if (strcmp(type, "exec") == 0) {
		if ((r = chanmsg_exec(b, &cmd)) != 0)
			return conn_fail(c, "malformed exec request: %s",
			    hs_err_str(r));
		sess_start(c, ch, cmd, "command", ok);
		free(cmd);
		return 0;
	}
	if (strcmp(type, "subsystem") == 0)
		return req_subsystem(c, ch, b, ok);
	if (strcmp(type, "window-change") == 0) {
		if ((r = chanmsg_window_change(b, &ws)) != 0)
			return conn_fail(c, "malformed window-change");
		if (s->ptym != -1) {
			set_winsize(s->ptym, ws.cols, ws.rows, ws.xpixel,
			    ws.ypixel);
			*ok = true;
		}
		return 0;
	}
	if (strcmp(type, "signal") == 0) {
		if ((r = chanmsg_signal(b, &signo)) != 0)
			return conn_fail(c, "malformed signal request");
		/* The child leads its own process group (setsid). */
		if (signo != 0 && s->pid > 0) {
			debug_f("channel %u: signal %s to %ld", ch->id,
			    chanmsg_signame(signo), (long)s->pid);
			*ok = kill(-s->pid, signo) == 0;
		}
		return 0;
	}
	if (strcmp(type, "break") == 0) {
		if ((r = chanmsg_break(b, &ms)) != 0)
			return conn_fail(c, "malformed break request");
		if (s->ptym != -1)
			*ok = tcsendbreak(s->ptym, 0) == 0;
		return 0;
	}
	if (strcmp(type, "eow@openssh.com") == 0) {
		if ((r = chanmsg_empty(b)) != 0)
			return conn_fail(c, "malformed eow@openssh.com");
		/* The client will not write more: as EOF for the child. */
		ch->eof_rcvd = true;
		*ok = true;
		return 0;
	}
	if (strcmp(type, "x11-req") == 0)
		return x11_request(c, ch->id, s->started, b, &s->x11, ok);
	if (strcmp(type, "auth-agent-req@openssh.com") == 0)
		return agent_request(c, ch->id, b, ok);
	/*
	 * keepalive@openssh.com (fails as in OpenSSH) and unknown
	 * requests: failure.
	 */
	debug_f("channel %u: request %s refused", ch->id, type);
	return 0;
}
