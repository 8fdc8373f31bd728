/* SPDX-License-Identifier: ISC */
/*
 * The parts of an SSH server transport that hsshd-preauth (sandboxed,
 * before authentication) and hsshd-session (the logged-in user, for
 * re-keys and the connection protocol) handle alike: the head of the
 * per-message dispatch (the message type, the key exchange's word on
 * whether it may come now, DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED),
 * sending DISCONNECT and UNIMPLEMENTED, decoding what was fed to the
 * packet layer, and writing its output.  Every payload comes from the
 * network and is attacker-controlled; it is read through struct buf.
 *
 * What differs between the processes goes through struct trc_ops: how a
 * disconnect is logged and how the process ends, what the layers above
 * the transport do with their messages, and back-pressure.  Nothing here
 * logs above debug.
 */
#ifndef HS_TRANSPORT_COMMON_H
#define HS_TRANSPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

struct buf;
struct kexdrv;
struct pkt_state;

/* TRC_PEER_MSG_MAX, TRC_DISCONNECT_MSG_MAX: common/bounds.h. */

struct trc_ops {
	/* We end the connection: the DISCONNECT with reason and msg is
	 * queued.  Log it, write it out and end; never returns. */
	void	(*disconnected)(void *ctx, uint32_t reason, const char *msg)
		    __attribute__((noreturn));
	/* The peer's DISCONNECT (msg NULL if it could not be read, reason
	 * 0 if that could not either).  Log it and end; never returns. */
	void	(*peer_disconnected)(void *ctx, uint32_t reason,
		    const char *msg) __attribute__((noreturn));
	/* KEXINIT with its type byte (it is hashed whole), KEX_ECDH_INIT
	 * (KEXDH_INIT) and NEWKEYS after it: the key exchange's. */
	void	(*kex_input)(void *ctx, uint8_t type, struct buf *payload);
	/* Every other message the key exchange allows now, after its type
	 * byte: the layers above. */
	void	(*dispatch)(void *ctx, uint8_t type, struct buf *payload);
	/* Before each decoded packet is dispatched; may be NULL. */
	void	(*heard)(void *ctx);
	/* Whether decoding stops for now (our output is backed up); may
	 * be NULL. */
	bool	(*is_paused)(void *ctx);
	void	*ctx;
};

struct trc {
	struct pkt_state	*pkt;
	struct kexdrv		*kex;
	const struct trc_ops	*ops;
};

/* Queue DISCONNECT (RFC 4253 §11.1) with reason and msg, no language
 * tag.  Returns 0 or HS_ERR_*. */
int	trc_send_disconnect(struct pkt_state *, uint32_t reason,
	    const char *msg);
/* Queue UNIMPLEMENTED naming the last packet received (RFC 4253 §11.4).
 * Returns 0 or HS_ERR_*. */
int	trc_send_unimplemented(struct pkt_state *);
/*
 * Read the peer's DISCONNECT after its type byte: reason code and
 * description (at most TRC_PEER_MSG_MAX; the language tag and anything
 * after it are not looked at).  Returns 0 with *ret_msg a copy the caller
 * frees, or HS_ERR_*; *reason is set whenever the code could be read
 * (0 otherwise), even if the text could not.
 */
int	trc_parse_disconnect(struct buf *payload, uint32_t *reason,
	    char **ret_msg);

/* Send DISCONNECT with reason and the formatted text, then hand over to
 * ops->disconnected. */
void	trc_disconnect(const struct trc *, uint32_t reason, const char *fmt,
	    ...) __attribute__((noreturn, format(printf, 3, 4)));
/* A final packet layer error r: DISCONNECT "Packet corrupt" (MAC_ERROR
 * for a bad MAC or tag, PROTOCOL_ERROR otherwise). */
void	trc_corrupt(const struct trc *, int r) __attribute__((noreturn));

/*
 * One decoded payload (message type first): an empty one, or one the key
 * exchange does not allow now, ends the connection; DISCONNECT goes to
 * ops->peer_disconnected; IGNORE, DEBUG and UNIMPLEMENTED are dropped;
 * key exchange messages go to ops->kex_input, the rest to ops->dispatch.
 * The caller frees payload.
 */
void	trc_dispatch(const struct trc *, struct buf *payload);
/* Decode and dispatch the packets fed so far, calling ops->heard before
 * each, until more bytes are needed or ops->is_paused says stop.
 * Returns 0 or the packet layer's (final) error. */
int	trc_decode(const struct trc *);
/* Write what the packet layer has queued to fd, without blocking; if the
 * peer is gone the output is dropped.  Returns the bytes still waiting. */
size_t	trc_write(struct pkt_state *, int fd);

#endif
