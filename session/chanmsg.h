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

/*
 * Port forwarding (RFC 4254 §7, OpenSSH PROTOCOL §2.4).  The open
 * parsers take a CHANNEL_OPEN payload positioned after the fields every
 * open shares (type, sender channel, window, maximum packet); the global
 * request parsers take it after the request name and want_reply.  Host
 * and address texts are at most FWD_HOST_MAX bytes, paths FWD_PATH_MAX,
 * without NUL bytes.  Ports are returned as sent (the caller refuses
 * values above 65535).
 */
struct chanmsg_fwd {
	char		*host;		/* target host / bind address; NULL for
					   a path */
	uint32_t	 port;
	char		*path;		/* Unix-domain socket path, or NULL */
	char		*orig;		/* originator address, or NULL */
	uint32_t	 orig_port;
};
void	 chanmsg_fwd_free(struct chanmsg_fwd *);
/* "direct-tcpip": host, port, originator address, originator port. */
int	 chanmsg_direct_tcpip(struct buf *, struct chanmsg_fwd *ret);
/* "direct-streamlocal@openssh.com": path, reserved string, reserved
 * u32. */
int	 chanmsg_direct_streamlocal(struct buf *, struct chanmsg_fwd *ret);
/* "tcpip-forward" and "cancel-tcpip-forward": address, port. */
int	 chanmsg_tcpip_forward(struct buf *, struct chanmsg_fwd *ret);
/* "streamlocal-forward@openssh.com" and its cancel: path. */
int	 chanmsg_streamlocal_forward(struct buf *, struct chanmsg_fwd *ret);

/*
 * Answers to a channel open we sent, after the type byte:
 * OPEN_CONFIRMATION (our id, the peer's id, window, maximum packet) and
 * OPEN_FAILURE (our id, reason code, description of CHANMSG_DESCR_MAX
 * bytes at most, returned as a heap copy, language tag).
 */
struct chanmsg_confirm {
	uint32_t	 id, peer_id, window, maxpkt;
};
int	 chanmsg_open_confirmation(struct buf *, struct chanmsg_confirm *ret);
int	 chanmsg_open_failure(struct buf *, uint32_t *ret_id,
	    uint32_t *ret_reason, char **ret_descr);

#endif
