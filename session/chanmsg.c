/* SPDX-License-Identifier: ISC */
/*
 * Parsers of channel request payloads, in hsshd-session (the logged-in
 * user).  The payloads come from the network and are attacker-controlled;
 * everything is read through struct buf with bounds, and each parser
 * ends with buf_get_end().
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "session/chanmsg.h"

static const struct {
	const char	*name;
	int		 signo;
} chanmsg_signals[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },
	{ "HUP", SIGHUP }, { "ILL", SIGILL }, { "INT", SIGINT },
	{ "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "QUIT", SIGQUIT },
	{ "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 },
};

int
chanmsg_signo(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(chanmsg_signals) / sizeof(chanmsg_signals[0]);
	    i++) {
		if (strlen(chanmsg_signals[i].name) == len &&
		    memcmp(chanmsg_signals[i].name, name, len) == 0)
			return chanmsg_signals[i].signo;
	}
	return 0;
}

const char *
chanmsg_signame(int signo)
{
	size_t i;

	for (i = 0; i < sizeof(chanmsg_signals) / sizeof(chanmsg_signals[0]);
	    i++) {
		if (chanmsg_signals[i].signo == signo)
			return chanmsg_signals[i].name;
	}
	return "SIG@openssh.com";
}

void
chanmsg_pty_free(struct chanmsg_pty *p)
{
	if (p == NULL)
		return;
	free(p->term);
	free(p->modes);
	memset(p, 0, sizeof(*p));
}

int
chanmsg_pty_req(struct buf *b, struct chanmsg_pty *ret)
{
	struct chanmsg_pty p;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = buf_get_cstring(b, SESS_TERM_MAX, &p.term, NULL)) != 0 ||
	    (r = buf_get_u32(b, &p.cols)) != 0 ||
	    (r = buf_get_u32(b, &p.rows)) != 0 ||
	    (r = buf_get_u32(b, &p.xpixel)) != 0 ||
	    (r = buf_get_u32(b, &p.ypixel)) != 0 ||
	    (r = buf_get_string(b, SESS_TTYMODES_MAX, &p.modes,
	    &p.modes_len)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		chanmsg_pty_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}

int
chanmsg_window_change(struct buf *b, struct chanmsg_winsize *ret)
{
	struct chanmsg_winsize w;
	int r;

	if ((r = buf_get_u32(b, &w.cols)) != 0 ||
	    (r = buf_get_u32(b, &w.rows)) != 0 ||
	    (r = buf_get_u32(b, &w.xpixel)) != 0 ||
	    (r = buf_get_u32(b, &w.ypixel)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		return r;
	*ret = w;
	return 0;
}

int
chanmsg_env(struct buf *b, char **ret_name, char **ret_value)
{
	char *name = NULL, *value = NULL;
	size_t len = 0;
	int r;

	if ((r = buf_get_cstring(b, SESS_ENV_NAME_MAX, &name, &len)) != 0 ||
	    (r = buf_get_cstring(b, SESS_ENV_VALUE_MAX, &value, NULL)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		goto out;
	if (len == 0 || strchr(name, '=') != NULL) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	*ret_name = name;
	*ret_value = value;
	name = value = NULL;
 out:
	free(name);
	free(value);
	return r;
}

int
chanmsg_exec(struct buf *b, char **ret_command)
{
	char *cmd = NULL;
	int r;

	if ((r = buf_get_cstring(b, SESS_COMMAND_MAX, &cmd, NULL)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		free(cmd);
		return r;
	}
	*ret_command = cmd;
	return 0;
}

int
chanmsg_subsystem(struct buf *b, char **ret_name)
{
	char *name = NULL;
	int r;

	if ((r = buf_get_cstring(b, CHAN_NAME_MAX, &name, NULL)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		free(name);
		return r;
	}
	*ret_name = name;
	return 0;
}

int
chanmsg_signal(struct buf *b, int *ret_signo)
{
	const uint8_t *p;
	size_t len;
	int r;

	if ((r = buf_get_string_direct(b, CHAN_NAME_MAX, &p, &len)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		return r;
	*ret_signo = chanmsg_signo((const char *)p, len);
	return 0;
}

int
chanmsg_break(struct buf *b, uint32_t *ret_ms)
{
	uint32_t ms;
	int r;

	if ((r = buf_get_u32(b, &ms)) != 0 || (r = buf_get_end(b)) != 0)
		return r;
	*ret_ms = ms;
	return 0;
}

int
chanmsg_empty(struct buf *b)
{
	return buf_get_end(b);
}

void
chanmsg_fwd_free(struct chanmsg_fwd *f)
{
	if (f == NULL)
		return;
	free(f->host);
	free(f->path);
	free(f->orig);
	memset(f, 0, sizeof(*f));
}

int
chanmsg_direct_tcpip(struct buf *b, struct chanmsg_fwd *ret)
{
	struct chanmsg_fwd f;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = buf_get_cstring(b, FWD_HOST_MAX, &f.host, NULL)) != 0 ||
	    (r = buf_get_u32(b, &f.port)) != 0 ||
	    (r = buf_get_cstring(b, FWD_HOST_MAX, &f.orig, NULL)) != 0 ||
	    (r = buf_get_u32(b, &f.orig_port)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		chanmsg_fwd_free(&f);
		return r;
	}
	*ret = f;
	return 0;
}

int
chanmsg_direct_streamlocal(struct buf *b, struct chanmsg_fwd *ret)
{
	struct chanmsg_fwd f;
	int r;

	memset(&f, 0, sizeof(f));
	/* The reserved fields are what OpenSSH sends; their values are
	 * not looked at (as in sshd). */
	if ((r = buf_get_cstring(b, FWD_PATH_MAX, &f.path, NULL)) != 0 ||
	    (r = buf_skip_string(b, FWD_HOST_MAX)) != 0 ||
	    (r = buf_get_u32(b, NULL)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		chanmsg_fwd_free(&f);
		return r;
	}
	*ret = f;
	return 0;
}

int
chanmsg_tcpip_forward(struct buf *b, struct chanmsg_fwd *ret)
{
	struct chanmsg_fwd f;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = buf_get_cstring(b, FWD_HOST_MAX, &f.host, NULL)) != 0 ||
	    (r = buf_get_u32(b, &f.port)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		chanmsg_fwd_free(&f);
		return r;
	}
	*ret = f;
	return 0;
}

int
chanmsg_streamlocal_forward(struct buf *b, struct chanmsg_fwd *ret)
{
	struct chanmsg_fwd f;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = buf_get_cstring(b, FWD_PATH_MAX, &f.path, NULL)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		chanmsg_fwd_free(&f);
		return r;
	}
	*ret = f;
	return 0;
}

int
chanmsg_open_confirmation(struct buf *b, struct chanmsg_confirm *ret)
{
	struct chanmsg_confirm m;
	int r;

	if ((r = buf_get_u32(b, &m.id)) != 0 ||
	    (r = buf_get_u32(b, &m.peer_id)) != 0 ||
	    (r = buf_get_u32(b, &m.window)) != 0 ||
	    (r = buf_get_u32(b, &m.maxpkt)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		return r;
	*ret = m;
	return 0;
}

int
chanmsg_open_failure(struct buf *b, uint32_t *ret_id, uint32_t *ret_reason,
    char **ret_descr)
{
	uint32_t id, reason;
	char *descr = NULL;
	int r;

	if ((r = buf_get_u32(b, &id)) != 0 ||
	    (r = buf_get_u32(b, &reason)) != 0 ||
	    (r = buf_get_cstring(b, CHANMSG_DESCR_MAX, &descr, NULL)) != 0 ||
	    (r = buf_skip_string(b, CHAN_NAME_MAX)) != 0 ||
	    (r = buf_get_end(b)) != 0) {
		free(descr);
		return r;
	}
	*ret_id = id;
	*ret_reason = reason;
	*ret_descr = descr;
	return 0;
}
