/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by session/channel.c (the generic channel machinery)
 * and session/chan-session.c (session channels: terminals, environment,
 * children), in hsshd-session.  Not for other files.
 */
#ifndef HS_SESSION_CHANNEL_PRIV_H
#define HS_SESSION_CHANNEL_PRIV_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "session/channel.h"

struct sess;

struct channel {
	uint32_t	 id;		/* ours: the index in conn->chans */
	uint32_t	 peer_id;
	uint32_t	 gen;		/* tells a reused slot from the old */
	/* The window we grant: the peer may send lwin more bytes; what it
	 * sent is in wbuf or consumed (written or dropped) and returned
	 * with WINDOW_ADJUST.  lwin + len(wbuf) + lconsumed == lwin_max. */
	uint32_t	 lwin, lwin_max, lmaxpkt, lconsumed;
	/* The peer's window and packet size for what we send. */
	uint32_t	 rwin, rmaxpkt;
	int		 wfd;		/* child's stdin (or the pty) */
	int		 rfd;		/* child's stdout (or the pty) */
	int		 efd;		/* child's stderr, pipes only */
	struct buf	*wbuf;		/* from the peer, for wfd */
	bool		 session;	/* counts against MaxSessions */
	bool		 output_started;	/* rfd/efd were set */
	bool		 eof_rcvd, close_rcvd, eof_sent, close_sent;
	struct sess	*sess;
};

struct conn {
	struct conn_io			 io;
	struct sess_ops			 ops;
	const struct session_init	*si;
	const struct hs_config		*cfg;
	const struct authkey_opts	*kopts;		/* or NULL */
	struct channel			**chans;	/* by id; NULL = free */
	size_t				 nslots;
	size_t				 nopen;
	unsigned int			 nsessions;
	bool				 no_more_sessions;
	uint32_t			 gen;
	char				*path;		/* PATH for children */
	/* What each pollfd entry of conn_pollfds() belongs to. */
	struct conn_pollref {
		uint32_t	 id, gen;
		int		 which;		/* 0 rfd, 1 efd, 2 wfd */
	}				*prefs;
	size_t				 nprefs;
	char				 err[160];
};

/* Record why the connection must end; returns HS_ERR_PROTOCOL. */
int	 conn_fail(struct conn *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send a message built from type and what the caller appended. */
int	 conn_send(struct conn *, const struct buf *);
/* A new message starting with its type byte (fatal on OOM). */
struct buf *conn_msg(uint8_t type, uint32_t recipient);

/* Session channels (chan-session.c). */
struct sess *sess_new(void);
/* Release the terminal (ops->pty_close) and free; NULL is a no-op. */
void	 sess_free(struct conn *, struct sess *);
/* A "session" channel request.  *ret_ok is the reply when one is
 * wanted.  Returns 0 or HS_ERR_PROTOCOL (malformed request). */
int	 sess_request(struct conn *, struct channel *, const char *type,
	    struct buf *payload, bool *ret_ok);
/* The child of this session, 0 if none is running. */
pid_t	 sess_pid(const struct sess *);
bool	 sess_started(const struct sess *);
/* Record the exit of pid if it is this session's child. */
bool	 sess_child_exited(struct sess *, pid_t, int status);
/* Whether the exit status is known and not yet sent. */
bool	 sess_exit_pending(const struct sess *);
/* Whether the child has exited and its status was sent. */
bool	 sess_exit_done(const struct sess *);
/* Send exit-status or exit-signal on c. */
int	 sess_send_exit(struct conn *, struct channel *);

#endif
