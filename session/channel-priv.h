/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by session/channel.c (the generic channel machinery)
 * and session/chan-session.c (session channels: terminals, environment,
 * children), in hsshd-session.  Not for other files.
 */
#ifndef HS_SESSION_CHANNEL_PRIV_H
#define HS_SESSION_CHANNEL_PRIV_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/bounds.h"
#include "session/channel.h"

struct sess;
struct fwd_listen;

/* Where a channel is in its opening (RFC 4254 §5.1). */
enum chan_state {
	CHAN_OPEN = 0,		/* confirmed both ways */
	CHAN_CONNECTING,	/* the peer opened it; our socket connects,
				   the CONFIRMATION waits for that */
	CHAN_OPENING,		/* we opened it; the peer has not answered */
};

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
	enum chan_state	 state;
	char		*type;		/* the channel type, as on the wire */
	/*
	 * Socket channels (forwarding, agent, X11): rfd == wfd == sock.  The
	 * peer's EOF is shutdown(SHUT_WR) and sets wfd to -1; EOF on the
	 * socket sets rfd to -1; sock itself is closed only with the
	 * channel, so each direction ends on its own (half-close).
	 */
	int		 sock;
	/* CHAN_CONNECTING: the addresses to try, in order. */
	struct sockaddr_storage *addrs;
	socklen_t	*addrlens;
	size_t		 naddrs, next_addr;
	char		*target;	/* "host port" or the path, for logs */
	/* ChannelTimeout: seconds without data before we close (0 none),
	 * and when data last went either way. */
	int		 timeout;
	time_t		 last_active;
	/* We close it (timeout, useless parameters): CLOSE goes out. */
	bool		 force_close;
};

/*
 * Listening sockets in the connection's poll set (remote forwards, agent
 * and X11 forwarding).  When the socket is readable the layer accepts
 * one connection (non-blocking, close-on-exec) and hands it to the
 * accept callback, which owns it from then on (usually it calls
 * conn_open_outbound).  The callback returns 0, or an error that ends
 * the connection (the error of conn_io.send).  The release callback
 * (may be NULL) runs once when the listener goes, by conn_listener_del
 * or conn_free, after the layer closed the listening socket: it frees
 * ctx and removes what the listener created (a socket file, say).
 */
typedef int	(*conn_accept_fn)(struct conn *, int fd, void *ctx);
typedef void	(*conn_release_fn)(struct conn *, void *ctx);
struct conn_listener {
	int		 fd;
	uint32_t	 gen;
	conn_accept_fn	 accept;
	conn_release_fn	 release;
	void		*ctx;
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
	/* Listening sockets by handle; NULL = free. */
	struct conn_listener		*listeners[CONN_LISTENERS_MAX];
	size_t				 nlisteners;
	/* Channels in CHAN_OPENING (bounded by CHAN_OPENING_MAX). */
	unsigned int			 nopening;
	/* Remote forwards (chan-fwd.c), by slot; NULL = free. */
	struct fwd_listen		*fwds[FWD_LISTEN_MAX];
	/* ChannelTimeout global=: seconds (0 none) and the last data on
	 * any channel; the clock (monotonic seconds; tests replace it). */
	int				 timeout_global;
	time_t				 global_active;
	time_t				(*now)(void *);
	void				*now_ctx;
};

/* Record why the connection must end; returns HS_ERR_PROTOCOL. */
int	 conn_fail(struct conn *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send a message built from type and what the caller appended. */
int	 conn_send(struct conn *, const struct buf *);
/* A new message starting with its type byte (fatal on OOM). */
struct buf *conn_msg(uint8_t type, uint32_t recipient);

/*
 * Listening sockets: add fd (listening, non-blocking; owned by the layer
 * from now on, closed on failure too) with its callbacks; *ret_handle
 * (may be NULL) names it for conn_listener_del.  HS_ERR_NO_BUFFER_SPACE
 * when CONN_LISTENERS_MAX are in use (release is not called then).
 */
int	 conn_listener_add(struct conn *, int fd, conn_accept_fn,
	    conn_release_fn, void *ctx, int *ret_handle);
/* Close the listener and run its release callback; an unknown handle is
 * a no-op.  Channels of connections it accepted stay open. */
void	 conn_listener_del(struct conn *, int handle);

/*
 * Open a channel of type towards the peer for fd, a connected socket
 * (rfd == wfd; owned by the layer from now on, closed on failure too).
 * extra (may be NULL) holds the type's fields that follow the ones every
 * CHANNEL_OPEN has (for "forwarded-tcpip": connected address and port,
 * originator address and port; for "x11": originator address and port;
 * nothing for "auth-agent@openssh.com").  The peer's OPEN_CONFIRMATION
 * makes it an ordinary channel; its OPEN_FAILURE closes fd.
 * Returns 0; HS_ERR_NO_BUFFER_SPACE when CHAN_MAX channels are open or
 * CHAN_OPENING_MAX opens are unanswered (fd is closed: the connection
 * is refused, not the SSH connection); or the error of conn_io.send.
 */
int	 conn_open_outbound(struct conn *, const char *type,
	    const struct buf *extra, int fd);

/*
 * The originator of an accepted connection (for "forwarded-tcpip" and
 * "x11" opens and the log): the numeric address of fd's peer in addr and
 * its port.  0, or HS_ERR_SYSTEM after closing fd (the accepted
 * connection is dropped, not the SSH connection).
 */
int	 conn_accepted_peer(int fd, char *addr, size_t addrlen,
	    uint32_t *ret_port);

/*
 * A channel of type the peer opened (peer_id, window, packet size) whose
 * I/O is a socket we connect to each of naddrs addresses in turn
 * (copied; at most FWD_ADDRS_MAX), without blocking.  The
 * OPEN_CONFIRMATION goes out when a connect succeeds, an OPEN_FAILURE
 * (CONNECT_FAILED, with the reason) when none does; target names it in
 * logs.  Returns 0 or the error of conn_io.send.
 */
int	 conn_open_connect(struct conn *, const char *type, uint32_t peer_id,
	    uint32_t rwin, uint32_t rmaxpkt, const struct sockaddr_storage *,
	    const socklen_t *addrlens, size_t naddrs, const char *target);
/* Refuse a channel the peer opened: OPEN_FAILURE with an RFC 4254 §5.1
 * reason code (CHAN_OPEN_*) and a description. */
#define CHAN_OPEN_ADMINISTRATIVELY_PROHIBITED	1
#define CHAN_OPEN_CONNECT_FAILED		2
#define CHAN_OPEN_UNKNOWN_CHANNEL_TYPE		3
#define CHAN_OPEN_RESOURCE_SHORTAGE		4
int	 conn_open_failure(struct conn *, uint32_t peer_id, uint32_t reason,
	    const char *msg);

/* Port forwarding (chan-fwd.c). */
/* A "direct-tcpip" or "direct-streamlocal@openssh.com" open (payload
 * after the common fields).  Returns 0, HS_ERR_PROTOCOL (malformed) or
 * the error of conn_io.send. */
int	 fwd_open_direct(struct conn *, const char *type, uint32_t peer_id,
	    uint32_t rwin, uint32_t rmaxpkt, struct buf *payload);
/* Whether name is a forwarding global request fwd_global_request takes. */
bool	 fwd_is_global(const char *name);
/* tcpip-forward, streamlocal-forward@openssh.com and their cancels:
 * *ret_ok is the answer; on success, reply_extra gets what follows the
 * REQUEST_SUCCESS type byte (the allocated port for port 0).  Returns 0
 * or HS_ERR_PROTOCOL (malformed). */
int	 fwd_global_request(struct conn *, const char *name,
	    struct buf *payload, bool want_reply, bool *ret_ok,
	    struct buf *reply_extra);

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
