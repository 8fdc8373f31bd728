/* SPDX-License-Identifier: ISC */
/*
 * The monitor's one dispatch table, in hsshd-monitor (root).  Every
 * request it describes comes from a child that faces the network and must
 * be presumed compromised.  The table alone decides which message is
 * admitted in which state, how often, how large, and which state follows:
 * handlers never change permissions.  dispatch.c runs it; the fuzz
 * harness tests/fuzz/fuzz-monitor.c runs the same rows over the real
 * handlers; tests/unit/test-dispatch.c checks its invariants.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rpc-msgs.h"
#include "monitor/dispatch-table.h"

#define ST(s)		MON_ST_BIT(s)
#define SAME		MON_NEXT_SAME
#define RESUME		MON_NEXT_RESUME
#define NONE		MON_NESTED_NONE
#define UNLIMITED	MON_UNLIMITED
#define NO_REPLY	MON_NO_REPLY
#define MSG		RPC_MSG_MAX
#define F_SAVE		MON_F_SAVE
#define F_DECIDES_AUTH	MON_F_DECIDES_AUTH
#define F_NESTED	MON_F_NESTED
#define F_FD		MON_F_FD
#define F_SELF		MON_F_SELF_ANSWER

/* Re-keys a client may run before authenticating; each costs the
 * monitor a signature. */
#define PREAUTH_REKEY_MAX	3u

/*
 * The whole protocol.  A signature needs a server KEXINIT the monitor
 * issued for that key exchange: HELLO issues the first, KEX_REKEY each
 * later one, and each admits exactly one KEX_SIGN.
 */
static const struct mon_dispatch mon_table[] = {
	{ RPC_LOG, MON_ST_PREAUTH | ST(MON_ST_REKEY) | ST(MON_ST_KBDINT) |
	    ST(MON_ST_REFUSED) | MON_ST_SESS, SAME, UNLIMITED, MSG, 0,
	    NO_REPLY, NONE, mon_answer_log },
	{ RPC_HELLO, ST(MON_ST_INIT), MON_ST_BANNER, 1, MSG, 0,
	    RPC_HELLO_ANS, NONE, mon_answer_hello },
	{ RPC_PEER_BANNER, ST(MON_ST_BANNER), MON_ST_KEX, 1, MSG, 0,
	    RPC_PEER_BANNER_ANS, NONE, mon_answer_peer_banner },
	{ RPC_KEX_SIGN, ST(MON_ST_KEX), MON_ST_USER, 1, MSG, 0,
	    RPC_KEX_SIGN_ANS, NONE, mon_answer_kex_sign },
	{ RPC_KEX_REKEY, ST(MON_ST_USER) | ST(MON_ST_AUTH), MON_ST_REKEY,
	    PREAUTH_REKEY_MAX, MSG, F_SAVE, RPC_KEX_REKEY_ANS, NONE,
	    mon_answer_kex_rekey },
	/* Unlimited, but REKEY is entered only by the KEX_REKEY above. */
	{ RPC_KEX_SIGN, ST(MON_ST_REKEY), RESUME, UNLIMITED, MSG, 0,
	    RPC_KEX_SIGN_ANS, NONE, mon_answer_kex_sign },
	/* The session's requests: terminals the monitor opens, their login
	 * records, and the end.  PTY_OPEN answers itself (with a fd). */
	{ RPC_PTY_OPEN, MON_ST_SESS, SAME, UNLIMITED, MSG, F_SELF,
	    RPC_PTY_OPEN_ANS, NONE, mon_answer_pty_open },
	{ RPC_PTY_CLOSE, MON_ST_SESS, SAME, UNLIMITED, MSG, 0,
	    RPC_PTY_CLOSE_ANS, NONE, mon_answer_pty_close },
	{ RPC_SESSION_EVENT, MON_ST_SESS, SAME, UNLIMITED, MSG, 0,
	    RPC_SESSION_EVENT_ANS, NONE, mon_answer_session_event },
	{ RPC_TERMINATE, MON_ST_SESS, SAME, 1, MSG, 0, NO_REPLY, NONE,
	    mon_answer_terminate },
	/* hostkeys-prove-00@openssh.com: a few rounds per connection,
	 * each over at most every host key (RPC_MSG_MAX bounds the body). */
	{ RPC_HOSTKEY_PROVE, MON_ST_SESS, SAME, HOSTKEYS_PROVE_CALLS_MAX, MSG,
	    0, RPC_HOSTKEY_PROVE_ANS, NONE, mon_answer_hostkey_prove },
	/* The session re-keys as often as RekeyLimit asks; each re-key is
	 * one fresh KEXINIT and one signature.  Its other requests go on
	 * meanwhile (a shell may exit during a re-key). */
	{ RPC_KEX_REKEY, ST(MON_ST_SESSION), MON_ST_SREKEY, UNLIMITED, MSG, 0,
	    RPC_KEX_REKEY_ANS, NONE, mon_answer_kex_rekey },
	{ RPC_KEX_SIGN, ST(MON_ST_SREKEY), MON_ST_SESSION, UNLIMITED, MSG, 0,
	    RPC_KEX_SIGN_ANS, NONE, mon_answer_kex_sign },
	{ RPC_USERAUTH_BEGIN, ST(MON_ST_USER), MON_ST_AUTH, 1, MSG, 0,
	    RPC_USERAUTH_BEGIN_ANS, NONE, mon_answer_userauth_begin },
	/* Authentication: each answer is a verdict; failures are counted
	 * against MaxAuthTries by the handlers, and past it the state
	 * REFUSED admits nothing but log lines. */
	{ RPC_USERAUTH_NONE, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED, MSG,
	    F_DECIDES_AUTH, RPC_USERAUTH_NONE_ANS, NONE,
	    mon_answer_auth_none },
	{ RPC_PUBKEY_CHECK, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED, MSG,
	    F_DECIDES_AUTH, RPC_PUBKEY_CHECK_ANS, NONE,
	    mon_answer_pubkey_check },
	{ RPC_PUBKEY_VERIFY, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED, MSG,
	    F_DECIDES_AUTH, RPC_PUBKEY_VERIFY_ANS, NONE,
	    mon_answer_pubkey_verify },
	{ RPC_PASSWORD, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED, MSG,
	    F_DECIDES_AUTH, RPC_PASSWORD_ANS, NONE, mon_answer_password },
	/* The conversation answers for itself: the prompts of each round
	 * are the answer to the request before, read nested in KBDINT. */
	{ RPC_KBDINT_BEGIN, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED, MSG,
	    F_DECIDES_AUTH | F_SELF, RPC_KBDINT_BEGIN_ANS, MON_ST_KBDINT,
	    mon_answer_kbdint_begin },
	{ RPC_KBDINT_RESPOND, ST(MON_ST_KBDINT), SAME, UNLIMITED, MSG,
	    F_NESTED | F_SELF, RPC_KBDINT_RESPOND_ANS, NONE, NULL },
	{ RPC_KBDINT_ABORT, ST(MON_ST_KBDINT), SAME, UNLIMITED, MSG,
	    F_NESTED | F_SELF, RPC_KBDINT_ABORT_ANS, NONE, NULL },
	/* After success: the transport state and the client socket. */
	{ RPC_TRANSPORT_EXPORT, ST(MON_ST_DONE), SAME, 1, RPC_STATE_MAX,
	    F_FD | F_SELF, RPC_TRANSPORT_EXPORT_ANS, NONE,
	    mon_answer_transport_export },
};

#define NROWS (sizeof(mon_table) / sizeof(mon_table[0]))

const struct mon_dispatch *
mon_dispatch_lookup(uint8_t type, enum mon_state st)
{
	size_t i;

	if ((unsigned int)st >= MON_ST_COUNT)
		return NULL;
	for (i = 0; i < NROWS; i++) {
		if (mon_table[i].type == type &&
		    (mon_table[i].states & ST(st)) != 0)
			return &mon_table[i];
	}
	return NULL;
}

size_t
mon_dispatch_count(void)
{
	return NROWS;
}

const struct mon_dispatch *
mon_dispatch_at(size_t i)
{
	return i < NROWS ? &mon_table[i] : NULL;
}

size_t
mon_dispatch_index(const struct mon_dispatch *row)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (row == &mon_table[i])
			return i;
	/* Only rows of the table are ever handed out. */
	abort();
}

size_t
mon_dispatch_size_max(enum mon_state st)
{
	size_t i, max = 0;

	if ((unsigned int)st >= MON_ST_COUNT)
		return 0;
	for (i = 0; i < NROWS; i++) {
		if ((mon_table[i].states & ST(st)) != 0 &&
		    mon_table[i].size_max > max)
			max = mon_table[i].size_max;
	}
	return max;
}

const char *
mon_state_name(enum mon_state s)
{
	static const char *const names[MON_ST_COUNT] = {
		"INIT", "BANNER", "KEX", "USER", "AUTH", "DONE", "REKEY",
		"KBDINT", "REFUSED", "SESSION", "SREKEY",
	};

	return (unsigned int)s < MON_ST_COUNT ? names[s] : "?";
}

/* Child log lines: level and text, re-emitted under our tag. */
int
mon_answer_log(struct mon *m, struct buf *req, struct buf *reply)
{
	char line[LOG_LINE_MAX + 16];
	char *text = NULL;
	uint8_t level;
	int r;

	(void)reply;
	if ((r = buf_get_u8(req, &level)) != 0 ||
	    (r = buf_get_cstring(req, LOG_LINE_MAX, &text, NULL)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (level < LOG_LEVEL_FATAL || level > LOG_LEVEL_DEBUG3) {
		r = HS_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* The child's text already carries its level prefix. */
	snprintf(line, sizeof(line), "%s%s", text,
	    (ST(m->state) & MON_ST_SESS) != 0 ? "" : " [preauth]");
	log_emit((enum log_level)level, line);
 out:
	free(text);
	return r;
}
