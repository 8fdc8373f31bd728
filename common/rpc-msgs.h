/* SPDX-License-Identifier: ISC */
/*
 * THE list of messages between hsshd-monitor and its children
 * (hsshd-preauth, hsshd-session).  Linked into all three; the message
 * bodies a child sends are attacker-controlled from the monitor's point of
 * view (a compromised child), which is why the monitor's dispatch table
 * decides, per state, which of these it accepts.
 *
 * Requests are even, their answers odd (request + 1), as in OpenSSH's
 * monitor.  LOG, TERMINATE and SNAPSHOT have no answer.  rpc_type_name()
 * in rpc.c gives each value its name for log lines; the monitor's dispatch
 * table (monitor/dispatch-table.c) is the only place that gives them meaning.
 *
 * Directions: N = hsshd-preauth, U = hsshd-session, M = hsshd-monitor;
 * the listener (hsshd) uses the same framing for its one message to M.
 */
#ifndef HS_RPC_MSGS_H
#define HS_RPC_MSGS_H

/*
 * Bump when this list, a message body, or the framing changes: each helper
 * checks at start that its parent speaks the version it was built with.
 */
#define RPC_PROTO_VERSION	2

#define RPC_MSG_LIST(X) \
	X(RPC_HELLO,                0)	/* N->M: start; M answers config, keys, V_S, KEXINIT */ \
	X(RPC_HELLO_ANS,            1) \
	X(RPC_LOG,                  2)	/* N/U->M: u8 level, string text; no answer */ \
	X(RPC_PEER_BANNER,          4)	/* N->M: client version line -> compat flags */ \
	X(RPC_PEER_BANNER_ANS,      5) \
	X(RPC_KEX_SIGN,             6)	/* N->M: KEX values -> host key signature */ \
	X(RPC_KEX_SIGN_ANS,         7) \
	X(RPC_USERAUTH_BEGIN,       8)	/* N->M: user, service */ \
	X(RPC_USERAUTH_BEGIN_ANS,   9) \
	X(RPC_PUBKEY_CHECK,        10)	/* N->M: alg, blob -> acceptable? */ \
	X(RPC_PUBKEY_CHECK_ANS,    11) \
	X(RPC_PUBKEY_VERIFY,       12)	/* N->M: alg, blob, signature -> result */ \
	X(RPC_PUBKEY_VERIFY_ANS,   13) \
	X(RPC_PASSWORD,            14)	/* N->M: password -> result */ \
	X(RPC_PASSWORD_ANS,        15) \
	X(RPC_KBDINT_BEGIN,        16)	/* N->M: start PAM conversation -> prompts */ \
	X(RPC_KBDINT_BEGIN_ANS,    17) \
	X(RPC_KBDINT_RESPOND,      18)	/* N->M: answers -> prompts or result */ \
	X(RPC_KBDINT_RESPOND_ANS,  19) \
	X(RPC_KBDINT_ABORT,        20)	/* N->M: client gave up the conversation */ \
	X(RPC_KBDINT_ABORT_ANS,    21) \
	X(RPC_TRANSPORT_EXPORT,    22)	/* N->M: counters, sequence numbers (RPC_STATE_MAX) */ \
	X(RPC_TRANSPORT_EXPORT_ANS, 23) \
	X(RPC_PTY_OPEN,            24)	/* U->M: -> tty name, fds by SCM_RIGHTS */ \
	X(RPC_PTY_OPEN_ANS,        25) \
	X(RPC_PTY_CLOSE,           26)	/* U->M: release a pty */ \
	X(RPC_PTY_CLOSE_ANS,       27) \
	X(RPC_REKEY_SIGN,          28)	/* U->M: as KEX_SIGN, rate-limited */ \
	X(RPC_REKEY_SIGN_ANS,      29) \
	X(RPC_HOSTKEY_PROVE,       30)	/* U->M: host key blobs -> signatures over M's data */ \
	X(RPC_HOSTKEY_PROVE_ANS,   31) \
	X(RPC_SESSION_EVENT,       32)	/* U->M: login records */ \
	X(RPC_SESSION_EVENT_ANS,   33) \
	X(RPC_TERMINATE,           34)	/* U->M: session over; no answer */ \
	X(RPC_SNAPSHOT,            36)	/* listener->M: config, host keys; no answer */ \
	X(RPC_KEX_REKEY,           38)	/* N->M: client re-keys -> a fresh server KEXINIT */ \
	X(RPC_KEX_REKEY_ANS,       39) \
	X(RPC_SESSION_INIT,        40)	/* M->U: the session's whole start state (RPC_STATE_MAX); no answer */ \
	X(RPC_USERAUTH_NONE,       42)	/* N->M: method "none" -> auth result */ \
	X(RPC_USERAUTH_NONE_ANS,   43)

enum rpc_type {
#define RPC_MSG_ENUM(name, value) name = (value),
	RPC_MSG_LIST(RPC_MSG_ENUM)
#undef RPC_MSG_ENUM
};

#endif
