/* SPDX-License-Identifier: ISC */
/*
 * Test code only: the world of preauth/userauth.c without a network or a
 * monitor, shared by tests/fuzz/fuzz-userauth.c and
 * tests/unit/test-userauth.c.  userauth.c is linked as it is; these fakes
 * replace what transport.c and monitor-client.c would provide:
 *
 *  - tr_send / tr_msg / tr_flush: each message sent is parsed back
 *    strictly (an unknown or malformed one aborts) and recorded;
 *  - tr_exit / tr_disconnect / tr_disconnect_quiet: recorded, then a
 *    longjmp back to uaf_call();
 *  - every mm_* function of preauth/monitor-client.h: records what the
 *    child asked and answers from a script of bytes (uaf_input), as the
 *    monitor could; mm_transport_export longjmps out ("handed over") or
 *    refuses, so exit() is never reached.
 *
 * Script bytes (each answer takes the next ones; past the end every byte
 * reads 0):
 *  auth result:     code: one of the verdicts the monitor gives to that
 *                   request (b % N), methods (uaf_methods[b % N])
 *  kbd answer:      kind & 1: KBD_RESULT then an auth result; else
 *                   KBD_PROMPTS: n = b % 17 prompts, echo bits from b >> 4
 *                   ... one byte per prompt (bit 0)
 *  USERAUTH_BEGIN:  methods, banner (uaf_banners[b % N])
 *  TRANSPORT_EXPORT: even: handed over; odd: refused with a message
 *
 * Test harnesses may read their own requests from the same script
 * (uaf_in_*), so one fuzz input drives both sides.
 */
#ifndef HS_TESTS_USERAUTH_FAKES_H
#define HS_TESTS_USERAUTH_FAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct tr;

#define UAF_SENT_MAX	64
#define UAF_TEXT_MAX	1100	/* copies of short fields (user, alg ...) */

/* How a uaf_call() ended. */
enum uaf_end {
	UAF_RETURNED = 0,	/* the function returned */
	UAF_DISCONNECT,		/* tr_disconnect */
	UAF_DISCONNECT_QUIET,	/* tr_disconnect_quiet */
	UAF_EXIT,		/* tr_exit */
	UAF_HANDED_OVER,	/* mm_transport_export accepted the hand-over */
};

/* The monitor calls the fakes saw, in the order of this enum's use. */
enum uaf_mm {
	UAF_MM_NONE = 0,
	UAF_MM_USERAUTH_BEGIN,
	UAF_MM_AUTH_NONE,
	UAF_MM_PUBKEY_CHECK,
	UAF_MM_PUBKEY_VERIFY,
	UAF_MM_PASSWORD,
	UAF_MM_KBDINT_BEGIN,
	UAF_MM_KBDINT_RESPOND,
	UAF_MM_KBDINT_ABORT,
	UAF_MM_TRANSPORT_EXPORT,
	UAF_MM_COUNT
};

/* One message the child sent, parsed back. */
struct uaf_msg {
	uint8_t		 type;
	bool		 partial;		/* FAILURE */
	char		 methods[UAF_TEXT_MAX];	/* FAILURE */
	char		 alg[UAF_TEXT_MAX];	/* PK_OK */
	size_t		 bloblen;		/* PK_OK */
	uint8_t		 blobhash[32];		/* PK_OK: SHA-256 of the blob */
	uint32_t	 nprompts;		/* INFO_REQUEST */
};

/* Everything the fakes saw since uaf_reset(). */
struct uaf_state {
	unsigned int	 calls[UAF_MM_COUNT];
	enum uaf_mm	 last_call;
	int		 last_code;	/* auth_code of the last auth result, -1 */
	char		 last_methods[UAF_TEXT_MAX];	/* given with it */
	uint32_t	 last_nprompts;	/* of the last KBD_PROMPTS answer */
	bool		 prompts_pending; /* prompts given, no answer yet */

	char		 user[UAF_TEXT_MAX], service[UAF_TEXT_MAX];
	char		 alg[UAF_TEXT_MAX];	/* last pubkey call */
	size_t		 bloblen;
	uint8_t		 blobhash[32];
	bool		 had_sig;
	bool		 change;		/* last password call */
	char		 password[UAF_TEXT_MAX];
	uint32_t	 nanswers;		/* last kbdint respond */
	char		 answer0[UAF_TEXT_MAX];

	struct uaf_msg	 sent[UAF_SENT_MAX];
	size_t		 nsent;		/* may exceed UAF_SENT_MAX */
	unsigned int	 flushes;
	unsigned int	 flushes_at_export;

	enum uaf_end	 end;
	uint32_t	 reason;	/* of a DISCONNECT */
	int		 exit_status;	/* of tr_exit */
	struct buf	*export_state;	/* what ua_handover exported */
};

extern struct uaf_state uaf;

/* Set the script (not copied: keep it alive); forget what was seen
 * (after uaf_finish). */
void	uaf_input(const uint8_t *p, size_t len);
void	uaf_reset(void);
/* Script readers (0 / nothing past the end). */
bool	uaf_in_left(void);
uint8_t	uaf_in_u8(void);
/* Up to max bytes; returns how many *p holds. */
size_t	uaf_in_take(size_t max, const uint8_t **p);

/*
 * A struct tr as transport.c leaves it when ssh-userauth starts, with a
 * real pkt_state.  uaf_finish frees it (NULL is fine), the exported
 * state, and what a fake exit left allocated (exit-fakes.h).
 */
struct tr *uaf_tr_new(void);
void	uaf_finish(struct tr *);

/*
 * Run fn (ua_request or ua_info_response) on a copy of payload's bytes:
 * returns how it ended (also in uaf.end).  Messages and calls are
 * appended to uaf.  Once it did not return, the process has ended: only
 * uaf_finish may follow.
 */
enum uaf_end uaf_call(void (*fn)(struct tr *, struct buf *), struct tr *t,
	    const uint8_t *payload, size_t len);

/* The last message sent, or NULL. */
const struct uaf_msg *uaf_last_sent(void);

/* Names the fakes answer with (methods lists, banners). */
extern const char *const uaf_methods[];
extern const size_t uaf_nmethods;

#endif
