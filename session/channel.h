/* SPDX-License-Identifier: ISC */
/*
 * The connection protocol (RFC 4254 and OpenSSH's PROTOCOL extensions) of
 * hsshd-session, which runs as the logged-in user without capabilities.
 * Every message handed to conn_input() was decrypted from the network
 * and is attacker-controlled.
 *
 * The layer owns the channels and their descriptors and knows nothing of
 * the transport or of processes: it sends through struct conn_io (the
 * transport queues while a key exchange runs) and starts children,
 * terminals and login records through struct sess_ops (session/exec.c
 * and session/pty.c in the program; fakes in the tests and the fuzzer).
 *
 * Memory is bounded by the windows: the peer may send a channel no more
 * than the window we grant (CHAN_WINDOW_DEFAULT), which is also the most
 * we buffer for its child; we read a child's output only while the peer's
 * window and the transport have room, so a slow reader stops the child.
 *
 * The event loop drives it:
 *	n = conn_pollfds(c, pfd, max);		(the channels' descriptors)
 *	poll(...);
 *	conn_input(c, type, payload);		(each connection message)
 *	conn_poll_done(c, pfd, n);		(read and write the channels)
 *	conn_child_exited(c, pid, status);	(each reaped child)
 *	conn_process(c);			(EOF, exit status, CLOSE)
 * Errors are final for the connection: HS_ERR_PROTOCOL when the peer
 * broke the protocol (conn_error() says how, for the DISCONNECT), or the
 * error of conn_io.send.
 */
#ifndef HS_SESSION_CHANNEL_H
#define HS_SESSION_CHANNEL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct conn;
struct hs_config;
struct pollfd;
struct session_init;

struct conn_io {
	/* Send (or queue) one message; 0 or an HS_ERR_* code. */
	int	(*send)(void *ctx, const struct buf *payload);
	/* Bytes of channel data the transport accepts now: 0 while a key
	 * exchange runs or while its output is backed up. */
	size_t	(*room)(void *ctx);
	void	 *ctx;
};

/* A child to start (a shell, a command or a subsystem). */
struct spawn_req {
	const char	*shell;		/* the user's login shell */
	const char	*command;	/* NULL: an interactive login shell */
	/* internal-sftp: the forked child serves SFTP with these arguments
	 * (the words after "internal-sftp", NULL-terminated) instead of
	 * exec'ing anything; shell and command are then unused. */
	char *const	*internal_argv;
	const char	*user;		/* the user's name (for internal-sftp) */
	char *const	*env;		/* NULL-terminated "NAME=value" */
	const char	*home;		/* working directory */
	int		 tty_fd;	/* pty slave, or -1 for pipes */
	bool		 motd;		/* print /etc/motd first */
	/* Printed before the motd, unless ~/.hushlogin exists (PAM's
	 * messages, "Last login: ..."); NULL for none. */
	const char	*login_msg;
	bool		 chrooted;	/* ChrootDirectory: no word when the
					   home is missing, "/" it is */
	/* sshd's SSHRC: run ~/.ssh/rc (if user_rc) or else /etc/ssh/sshrc
	 * before the shell or command (rc false: neither). */
	bool		 rc, user_rc;
	/* X11 forwarding (session/x11.c), all NULL without: the line the
	 * rc file gets on its stdin ("proto cookie\n"), and, when no rc
	 * file runs, the xauth program run with xauth_input on its stdin
	 * (sshd's do_rc_files). */
	const char	*x11_rc_input;
	const char	*xauth;
	const char	*xauth_input;
};

struct spawn_ret {
	pid_t		 pid;
	/* Our ends (non-blocking, close-on-exec): the child's stdin,
	 * stdout and stderr with pipes; all -1 with a pty. */
	int		 in, out, err;
};

struct sess_ops {
	/* Start a child; 0 or an HS_ERR_* code (the request fails). */
	int	(*spawn)(void *ctx, const struct spawn_req *,
		    struct spawn_ret *);
	/* A terminal for the user: master and slave descriptors and the
	 * slave's name; 0 or an HS_ERR_* code. */
	int	(*pty_open)(void *ctx, int *ret_master, int *ret_slave,
		    char *name, size_t namelen);
	/* Login record for a child on a terminal. */
	void	(*login)(void *ctx, const char *tty, pid_t pid);
	/* The terminal is done: logout record and ownership back to root.
	 * Called before the layer closes its master descriptor. */
	void	(*pty_close)(void *ctx, const char *tty);
	void	 *ctx;
};

/*
 * A connection over si (user, addresses, PAM environment) and cfg (the
 * connection's configuration; both must outlive it).  Returns 0 or
 * HS_ERR_ALLOC.
 */
int	 conn_new(const struct conn_io *, const struct sess_ops *,
	    const struct session_init *si, const struct hs_config *cfg,
	    struct conn **ret);
/*
 * The options of the authorized_keys line that authenticated the user
 * (NULL: none): no-pty, command= (after ForceCommand) and environment=
 * (with PermitUserEnvironment).  Must outlive the connection.
 */
struct authkey_opts;
void	 conn_set_key_options(struct conn *, const struct authkey_opts *);
/* Closes every channel (terminals released through pty_close); the
 * children are left to the caller's reaping.  NULL is a no-op. */
void	 conn_free(struct conn *);

/* One message of the connection protocol (type 80..100; the type byte
 * already consumed).  Types it does not know (83..89, or outside the
 * range) fail with HS_ERR_NOT_FOUND: the caller answers UNIMPLEMENTED. */
int	 conn_input(struct conn *, uint8_t type, struct buf *payload);
/* Why the last HS_ERR_PROTOCOL happened (static text, never NULL). */
const char *conn_error(const struct conn *);

/* Fill up to max pollfd entries for the channels' descriptors; returns
 * how many were used.  conn_pollfds_max() bounds what it can need. */
size_t	 conn_pollfds_max(const struct conn *);
size_t	 conn_pollfds(struct conn *, struct pollfd *, size_t max);
/* Act on the events of the entries conn_pollfds filled (entries of
 * channels closed meanwhile are skipped). */
int	 conn_poll_done(struct conn *, const struct pollfd *, size_t n);
/* A reaped child of this connection (others are ignored). */
void	 conn_child_exited(struct conn *, pid_t pid, int status);
/* Send what the channels' states call for: exit-status, EOF, CLOSE,
 * window adjustments; free channels closed both ways. */
int	 conn_process(struct conn *);

/* Channels open (for the tests and for idle accounting): those the
 * peer opened, ours it has not answered yet included; listening sockets
 * are not channels. */
size_t	 conn_nchannels(const struct conn *);

/*
 * ChannelTimeout: close every channel that has seen no data either way
 * for its type's time (and all of them when "global" expires).  Returns
 * the milliseconds until the next deadline, or -1 if there is none; the
 * event loop calls it before each poll.
 */
int	 conn_timeouts(struct conn *);
/* The clock of the timeouts: monotonic seconds by default (for tests). */
void	 conn_set_clock(struct conn *, time_t (*now)(void *), void *ctx);

#endif
