/* SPDX-License-Identifier: ISC */
/*
 * Parsers of the connection protocol's request payloads (RFC 4254 §6),
 * in hsshd-session (the logged-in user).  Every byte comes from the
 * network after authentication and is attacker-controlled; each parser
 * reads through struct buf with explicit bounds and ends with
 * buf_get_end().  Pure functions: no I/O, no state.
 *
 * Each takes the payload positioned after the fields every channel
 * request shares (recipient channel, request type, want_reply).
 * Return values: 0 or a negative HS_ERR_* code (the request is malformed:
 * a protocol error).  Outputs are written on success only; strings are
 * heap copies the caller frees (with the matching *_free).
 */
#ifndef HS_SESSION_CHANMSG_H
#define HS_SESSION_CHANMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* "pty-req" */
struct chanmsg_pty {
	char		*term;		/* TERM, may be "" */
	uint32_t	 cols, rows, xpixel, ypixel;
	uint8_t		*modes;		/* encoded terminal modes (§8) */
	size_t		 modes_len;
};
int	 chanmsg_pty_req(struct buf *, struct chanmsg_pty *ret);
void	 chanmsg_pty_free(struct chanmsg_pty *);

/* "window-change" */
struct chanmsg_winsize {
	uint32_t	 cols, rows, xpixel, ypixel;
};
int	 chanmsg_window_change(struct buf *, struct chanmsg_winsize *ret);

/* "env": a name of SESS_ENV_NAME_MAX at most, without '=' and not empty
 * (HS_ERR_BAD_FORMAT otherwise), a value of SESS_ENV_VALUE_MAX. */
int	 chanmsg_env(struct buf *, char **ret_name, char **ret_value);

/* "exec" (a command without NUL bytes) and "subsystem" (a name). */
int	 chanmsg_exec(struct buf *, char **ret_command);
int	 chanmsg_subsystem(struct buf *, char **ret_name);

/* "signal": the name without "SIG".  *ret_signo is 0 for a name that
 * RFC 4254 §6.10 does not list (the request then fails). */
int	 chanmsg_signal(struct buf *, int *ret_signo);

/* "break" (RFC 4335): the length in milliseconds. */
int	 chanmsg_break(struct buf *, uint32_t *ret_ms);

/* A request without fields ("shell", "eow@openssh.com"). */
int	 chanmsg_empty(struct buf *);

/*
 * Signal names of RFC 4254 §6.10 (exit-signal, signal): the number for a
 * name ("INT"; 0 if unknown) and the name for a number ("INT"; for other
 * signals "SIG@openssh.com" as OpenSSH sends; never NULL).
 */
int	 chanmsg_signo(const char *name, size_t len);
const char *chanmsg_signame(int signo);

#endif
