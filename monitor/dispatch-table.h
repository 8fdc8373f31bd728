/* SPDX-License-Identifier: ISC */
/*
 * THE table of RPC requests hsshd-monitor (root) admits from its children,
 * which must be presumed compromised: per request type, the states it is
 * admitted in, how often, how large, what follows and who answers.  The
 * dispatch loop (dispatch.c), the fuzz harness of the monitor's handlers
 * (tests/fuzz/fuzz-monitor.c) and the table's own unit test
 * (tests/unit/test-dispatch.c) all read this one table.
 */
#ifndef HS_MONITOR_DISPATCH_TABLE_H
#define HS_MONITOR_DISPATCH_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"

/* A set of states, as in mon_dispatch.states. */
#define MON_ST_BIT(s)		(1u << (s))
#define MON_ST_PREAUTH		(MON_ST_BIT(MON_ST_INIT) | \
				 MON_ST_BIT(MON_ST_BANNER) | \
				 MON_ST_BIT(MON_ST_KEX) | \
				 MON_ST_BIT(MON_ST_USER) | \
				 MON_ST_BIT(MON_ST_AUTH) | \
				 MON_ST_BIT(MON_ST_DONE))
/* The states of hsshd-session; monitor/session.c enters them once the
 * pre-auth child has gone, never a row of the table. */
#define MON_ST_SESS		(MON_ST_BIT(MON_ST_SESSION) | \
				 MON_ST_BIT(MON_ST_SREKEY))

/* mon_dispatch.next besides a state. */
#define MON_NEXT_SAME		(-1)	/* stay */
#define MON_NEXT_RESUME		(-2)	/* back to the state MON_F_SAVE kept */
/* mon_dispatch.nested: the handler reads no nested request. */
#define MON_NESTED_NONE		(-1)
/* mon_dispatch.max: no count per connection (bounded elsewhere). */
#define MON_UNLIMITED		0u
/* mon_dispatch.reply: the request has no answer. */
#define MON_NO_REPLY		0xff

/* Row flags. */
#define MON_F_SAVE		0x1	/* keep the current state for RESUME */
#define MON_F_DECIDES_AUTH	0x2	/* next state from the verdict */
#define MON_F_NESTED		0x4	/* only read by mon_serve_nested() */
#define MON_F_FD		0x8	/* carries a descriptor */
#define MON_F_SELF_ANSWER	0x10	/* the handler sends the answer */

typedef int mon_handler(struct mon *, struct buf *req, struct buf *reply);

struct mon_dispatch {
	uint8_t		 type;		/* request (even) of rpc-msgs.h */
	uint32_t	 states;	/* MON_ST_BIT()s where admitted */
	int		 next;		/* state after success, SAME, RESUME */
	unsigned int	 max;		/* times per connection, or UNLIMITED */
	size_t		 size_max;	/* largest body accepted */
	unsigned int	 flags;		/* MON_F_* */
	uint8_t		 reply;		/* answer type (type + 1), NO_REPLY */
	int		 nested;	/* state the handler's nested reads
					 * are admitted in, or NESTED_NONE */
	mon_handler	*handler;	/* NULL only for MON_F_NESTED rows */
};

/* The row admitting type in state st, or NULL (not allowed there). */
const struct mon_dispatch *mon_dispatch_lookup(uint8_t type,
	    enum mon_state st);
/* Rows are numbered 0 .. mon_dispatch_count() - 1 (for per-row counts
 * and for tests); mon_dispatch_at() is NULL past the end. */
size_t	mon_dispatch_count(void);
const struct mon_dispatch *mon_dispatch_at(size_t i);
size_t	mon_dispatch_index(const struct mon_dispatch *);
/* The largest body any row admits in state st (what rpc_recv reads);
 * 0 for a state that admits nothing. */
size_t	mon_dispatch_size_max(enum mon_state st);
/* Printable name of a state ("?" out of range). */
const char *mon_state_name(enum mon_state);

/* The table's own handler: a child's log line (u8 level, string text),
 * re-emitted under the monitor's tag.  No answer. */
int	mon_answer_log(struct mon *, struct buf *req, struct buf *reply);

#endif
