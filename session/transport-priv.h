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

#include "common/kex.h"

struct buf;
struct conn;
struct hs_config;
struct pkt_state;
struct session_init;

enum sk_state {
	SK_IDLE,		/* no key exchange running */
	SK_WAIT_KEXINIT,	/* ours sent, waiting for theirs */
	SK_WAIT_INIT,		/* both KEXINITs seen, waiting for Q_C */
	SK_WAIT_NEWKEYS,	/* our NEWKEYS sent */
};

struct str {
	int			 fd;
	struct pkt_state	*pkt;
	const struct session_init *si;
	const struct hs_config	*cfg;
	struct conn		*conn;

	/* Re-keying (kex.c). */
	enum sk_state		 kex;
	bool			 our_kexinit_sent;
	bool			 ignore_next_kex_packet;
	struct buf		*i_s;		/* our KEXINIT of this exchange */
	struct buf		*i_c;
	struct kex_negotiated	 neg;
	struct kex_keys		*keys;
	uint64_t		 rekey_bytes;	/* per direction, these keys */
	uint64_t		 rekey_packets;
	time_t			 rekey_deadline; /* monotonic s; 0 = none */
	unsigned int		 rekeys;

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
/* DISCONNECT with a reason, log it, and exit. */
void	 str_disconnect(struct str *, uint32_t reason, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 3, 4)));
/* After our NEWKEYS: send what was held back. */
void	 str_flush_queue(struct str *);
time_t	 str_now(void);

/* kex.c */
/* The limits of the keys in force (after the hand-over or a NEWKEYS). */
void	 sk_set_limits(struct str *);
/* Whether the limits call for a re-key now. */
bool	 sk_due(const struct str *);
/* Start a re-key: a fresh KEXINIT from the monitor, sent. */
void	 sk_start(struct str *);
void	 sk_kexinit(struct str *, struct buf *payload);
void	 sk_ecdh_init(struct str *, struct buf *payload);
void	 sk_newkeys(struct str *, struct buf *payload);
/* Whether connection messages must be held back now. */
bool	 sk_holding(const struct str *);

#endif
