/* SPDX-License-Identifier: ISC */
/*
 * The server's side of SSH key exchanges (RFC 4253 §7-8, RFC 5656 §4,
 * RFC 8731, OpenSSH's strict KEX), shared by hsshd-preauth (the first
 * exchange and re-keys before authentication; sandboxed) and
 * hsshd-session (re-keys after authentication; the logged-in user).
 * Everything it reads comes from the network and is attacker-controlled;
 * it parses through common/kex.c and struct buf.
 *
 * Neither child holds a host private key: the monitor issues each server
 * KEXINIT and signs the exchange hash it assembles from its own V_S, I_S
 * and K_S.  The driver reaches the monitor (and looks up the public host
 * key) through struct kexdrv_ops, and queues its messages straight into
 * the packet layer; the new keys go to the packet layer too.  It never
 * logs above debug: on an error it returns HS_ERR_* and leaves the SSH
 * disconnect reason and text in the struct for the caller to send.
 */
#ifndef HS_KEXDRV_H
#define HS_KEXDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/kex.h"

struct buf;
struct pkt_state;

enum kexdrv_state {
	KEXDRV_IDLE,		/* no key exchange running */
	KEXDRV_WAIT_KEXINIT,	/* ours sent, waiting for theirs */
	KEXDRV_WAIT_INIT,	/* both KEXINITs seen, waiting for Q_C */
	KEXDRV_WAIT_NEWKEYS,	/* our NEWKEYS sent */
};

/* What kexdrv_input() did that the caller must follow up on. */
enum kexdrv_event {
	KEXDRV_EV_NONE,
	KEXDRV_EV_NEWKEYS_SENT,	/* our NEWKEYS is queued, new keys out */
	KEXDRV_EV_DONE,		/* the peer's NEWKEYS: the exchange is over */
};

struct kexdrv_ops {
	/* A fresh server KEXINIT payload from the monitor (RPC_KEX_REKEY),
	 * for every exchange but the first one of a connection. */
	int	(*kexinit)(void *rpc, struct buf **ret);
	/* The monitor's host key signature over the exchange hash it
	 * builds from i_c, q_c, q_s, k and its own parts (RPC_KEX_SIGN);
	 * appended to sig. */
	int	(*sign)(void *rpc, const struct buf *i_c, const uint8_t *q_c,
		    size_t q_c_len, const uint8_t *q_s, size_t q_s_len,
		    const struct buf *k, struct buf *sig);
	void	*rpc;
	/* The public host key (K_S) that signs with alg, or NULL. */
	const struct buf *(*hostkey)(void *ctx, const char *alg);
	void	*ctx;
};

/*
 * One connection's key exchange state.  The fields are the driver's;
 * callers read state, neg, first_done, rekeys and session_id, and set
 * v_c once the peer's version line is known.
 */
struct kexdrv {
	struct pkt_state	*pkt;
	const struct kexdrv_ops	*ops;
	const char		*v_c, *v_s;	/* version lines, no CR LF */
	enum kexdrv_state	 state;
	bool			 our_kexinit_sent;
	bool			 first_done;	/* a NEWKEYS each way happened */
	bool			 ignore_next;	/* a wrong guess follows */
	struct buf		*i_s;		/* our KEXINIT of this exchange */
	struct buf		*i_c;		/* theirs */
	struct kex_negotiated	 neg;
	struct kex_keys		*keys;		/* derived, not yet all in use */
	struct buf		*session_id;	/* H of the first exchange */
	unsigned int		 rekeys;	/* exchanges done after the first */
	/* Why the last call failed: SSH2_DISCONNECT_* (0 for an internal
	 * error) and a text for the DISCONNECT message. */
	uint32_t		 reason;
	char			 errmsg[256];
	/* The peer's offer when negotiation failed (for the log). */
	char			 offer[512];
};

/* Set up d (all zero, no exchange yet).  v_s must outlive d. */
void	kexdrv_init(struct kexdrv *d, struct pkt_state *pkt,
	    const struct kexdrv_ops *ops, const char *v_s);
/* The first exchange of a connection: send our KEXINIT i_s (the
 * monitor's, from its HELLO answer), copied. */
int	kexdrv_begin(struct kexdrv *d, const struct buf *i_s);
/* A connection whose first exchange happened elsewhere (hsshd-session):
 * later exchanges derive their keys with this session id. */
int	kexdrv_resume(struct kexdrv *d, const uint8_t *session_id, size_t len);
/* Start a re-key of our own: a fresh KEXINIT from the monitor, sent. */
int	kexdrv_start(struct kexdrv *d);
/* Whether our KEXINIT is out and our NEWKEYS not yet: the messages of
 * the layers above must be held back. */
bool	kexdrv_is_holding(const struct kexdrv *d);
/* Whether a message of this type may come now (strict KEX, before the
 * first keys, during an exchange); HS_ERR_PROTOCOL with reason and
 * errmsg set if not.  Call it for every packet before dispatching. */
int	kexdrv_check(struct kexdrv *d, uint8_t type);
/* Handle SSH2_MSG_KEXINIT (payload with its type byte: it is hashed
 * whole), SSH2_MSG_KEX_ECDH_INIT / KEXDH_INIT or SSH2_MSG_NEWKEYS (both
 * after the type byte). */
int	kexdrv_input(struct kexdrv *d, uint8_t type, struct buf *payload,
	    enum kexdrv_event *ret_event);
/* Wipe and free what d holds. */
void	kexdrv_clear(struct kexdrv *d);

/* Whether name is on the comma-separated list. */
bool	kexdrv_list_has(const char *list, const char *name);

/* kexdrv-rpc.c: the ops->kexinit and ops->sign of a child process, as
 * RPC calls on the monitor socket *(int *)rpc. */
int	kexdrv_rpc_kexinit(void *rpc, struct buf **ret);
int	kexdrv_rpc_sign(void *rpc, const struct buf *i_c, const uint8_t *q_c,
	    size_t q_c_len, const uint8_t *q_s, size_t q_s_len,
	    const struct buf *k, struct buf *sig);

#endif
