/* SPDX-License-Identifier: ISC */
/*
 * State of hsshd-session's transport, shared by transport.c (event loop,
 * dispatch) and kex.c (re-keying).  Not for other files.
 */
#ifndef HS_SESSION_TRANSPORT_PRIV_H
#define HS_SESSION_TRANSPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/kexdrv.h"
#include "common/transport-common.h"

struct buf;
struct conn;
struct hs_config;
struct pkt_state;
struct session_init;

struct str {
	int			 fd;
	struct pkt_state	*pkt;
	const struct session_init *si;
	const struct hs_config	*cfg;
	struct conn		*conn;
	/* The transport head, common/transport-common.c. */
	struct trc_ops		 trc_ops;
	struct trc		 trc;

	/* Re-keying (kex.c, common/kexdrv.c). */
	int			 rpc_fd;	/* the monitor, for kex_ops */
	struct kexdrv_ops	 kex_ops;
	struct kexdrv		 kex;
	uint64_t		 rekey_bytes;	/* per direction, these keys */
	uint64_t		 rekey_packets;
	time_t			 rekey_deadline; /* monotonic s; 0 = none */

	/* ClientAliveInterval: when the client was last heard from, and the
	 * keep-alives sent since without an answer. */
	time_t			 last_heard;
	int			 alive_unanswered;
	/* UnusedConnectionTimeout: since when no channel is open (0 while
	 * one is). */
	time_t			 unused_since;

	/* Connection messages held while our side of a key exchange runs:
	 * u32 length + payload each, at most SESS_KEXQUEUE_MAX bytes. */
	struct buf		*queue;
};

/* Send a transport message now (never queued). */
void	 str_send(struct str *, struct buf *msg);
/* DISCONNECT with a reason, log it, and exit (trc_ops.disconnected). */
#define	str_disconnect(t, reason, ...) \
	trc_disconnect(&(t)->trc, (reason), __VA_ARGS__)
/* After our NEWKEYS: send what was held back. */
void	 str_flush_queue(struct str *);
time_t	 str_now(void);

/* kex.c */
/* The driver, with the keys the monitor handed over in force. */
void	 sk_init(struct str *);
/* The limits of the keys in force (after the hand-over or a NEWKEYS). */
void	 sk_set_limits(struct str *);
/* Whether the limits call for a re-key now. */
bool	 sk_due(const struct str *);
/* Start a re-key: a fresh KEXINIT from the monitor, sent. */
void	 sk_start(struct str *);
/* KEXINIT, KEX_ECDH_INIT or NEWKEYS from the client. */
void	 sk_input(struct str *, uint8_t type, struct buf *payload);
/* Whether connection messages must be held back now. */
bool	 sk_holding(const struct str *);

#endif
