/* SPDX-License-Identifier: ISC */
/*
 * Internals of the pre-auth transport shared by transport.c and
 * userauth.c (hsshd-preauth, sandboxed; all input from the network).
 */
#ifndef HS_TRANSPORT_PRIV_H
#define HS_TRANSPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "common/kexdrv.h"
#include "common/transport-common.h"

struct banner;
struct buf;
struct mm_hello;
struct pkt_state;

struct tr {
	int			 fd;
	const struct mm_hello	*hello;
	const char		*addr;
	int			 port;
	struct pkt_state	*pkt;
	struct banner		*banner;
	char			*v_c;
	int			 rpc_fd;	/* the monitor, for kex_ops */
	struct kexdrv_ops	 kex_ops;
	struct kexdrv		 kex;		/* common/kexdrv.c */
	struct trc_ops		 trc_ops;
	struct trc		 trc;		/* common/transport-common.c */
	bool			 service_accepted;

	/* ssh-userauth (userauth.c) */
	bool			 userauth_begun;
	char			*user;
	char			*service;
	char			*methods;	/* that can continue */
	bool			 kbd_active;	/* a PAM conversation runs */
	unsigned int		 unknown_methods;
	bool			 authenticated;
};

void	tr_exit(struct tr *, int status) __attribute__((noreturn));
void	tr_disconnect(struct tr *, uint32_t reason, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 3, 4)));
/* As tr_disconnect, without a log line (the monitor logged the reason). */
void	tr_disconnect_quiet(struct tr *, uint32_t reason, const char *msg)
	    __attribute__((noreturn));
void	tr_flush(struct tr *);
/* Send and free msg. */
void	tr_send(struct tr *, struct buf *msg);
/* A new message buffer holding its type byte. */
struct buf *tr_msg(uint8_t type);

/* userauth.c: the payloads come after the message type byte. */
void	ua_request(struct tr *, struct buf *payload);
void	ua_info_response(struct tr *, struct buf *payload);

#endif
