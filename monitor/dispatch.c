/* SPDX-License-Identifier: ISC */
/*
 * The monitor's one dispatch table and its loop, in hsshd-monitor (root).
 * Every byte read here comes from a child that faces the network and must
 * be presumed compromised.  The table alone decides which message is
 * admitted in which state, how often, and which state follows: handlers
 * never change permissions.  Anything else (unknown type, wrong state,
 * over its count, malformed or with trailing bytes) is logged by name and
 * ends the connection with the "crash" status the listener penalises.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "monitor/monitor.h"

#define ST(s)		(1u << (s))
#define ST_PREAUTH	(ST(MON_ST_INIT) | ST(MON_ST_BANNER) | ST(MON_ST_KEX) | \
			 ST(MON_ST_USER) | ST(MON_ST_AUTH) | ST(MON_ST_DONE))
#define ST_SESS		(ST(MON_ST_SESSION) | ST(MON_ST_SREKEY))
#define SAME		(-1)
#define RESUME		(-2)	/* back to the state saved by F_SAVE */
#define UNLIMITED	0u

/* Re-keys a client may run before authenticating; each costs the
 * monitor a signature. */
#define PREAUTH_REKEY_MAX	3u

/* Row flags. */
#define F_SAVE		0x1	/* remember the current state for RESUME */
#define F_DECIDES_AUTH	0x2	/* next state from the verdict (auth_code) */
#define F_NESTED	0x4	/* only read by mon_serve_nested() */
#define F_FD		0x8	/* carries a descriptor */
#define F_STATE_MSG	0x10	/* may be up to RPC_STATE_MAX */

typedef int mon_handler(struct mon *, struct buf *, struct buf *);

struct mon_rule {
	uint8_t		 type;
	uint32_t	 states;	/* ST() bits where it is admitted */
	int		 next;		/* state after success, or SAME */
	unsigned int	 max;		/* times per connection, or UNLIMITED */
	unsigned int	 flags;
	uint8_t		 reply;		/* answer type; 0xff: no answer */
	mon_handler	*handler;
};

#define NO_REPLY	0xff

static int mon_answer_log(struct mon *, struct buf *, struct buf *);

/*
 * The whole pre-auth protocol.  A signature needs a server KEXINIT the
 * monitor issued for that key exchange: HELLO issues the first, KEX_REKEY
 * each later one, and each admits exactly one KEX_SIGN.
 */
static const struct mon_rule mon_rules[] = {
	{ RPC_LOG, ST_PREAUTH | ST(MON_ST_REKEY) | ST(MON_ST_KBDINT) |
	    ST(MON_ST_REFUSED) | ST_SESS, SAME, UNLIMITED, 0,
	    NO_REPLY, mon_answer_log },
	{ RPC_HELLO, ST(MON_ST_INIT), MON_ST_BANNER, 1, 0, RPC_HELLO_ANS,
	    mon_answer_hello },
	{ RPC_PEER_BANNER, ST(MON_ST_BANNER), MON_ST_KEX, 1, 0,
	    RPC_PEER_BANNER_ANS, mon_answer_peer_banner },
	{ RPC_KEX_SIGN, ST(MON_ST_KEX), MON_ST_USER, 1, 0, RPC_KEX_SIGN_ANS,
	    mon_answer_kex_sign },
	{ RPC_KEX_REKEY, ST(MON_ST_USER) | ST(MON_ST_AUTH), MON_ST_REKEY,
	    PREAUTH_REKEY_MAX, F_SAVE, RPC_KEX_REKEY_ANS,
	    mon_answer_kex_rekey },
	{ RPC_KEX_SIGN, ST(MON_ST_REKEY), RESUME, UNLIMITED, 0,
	    RPC_KEX_SIGN_ANS, mon_answer_kex_sign },
	/* The session's requests: terminals the monitor opens, their login
	 * records, and the end.  PTY_OPEN answers itself (with a fd). */
	{ RPC_PTY_OPEN, ST_SESS, SAME, UNLIMITED, 0, NO_REPLY,
	    mon_answer_pty_open },
	{ RPC_PTY_CLOSE, ST_SESS, SAME, UNLIMITED, 0,
	    RPC_PTY_CLOSE_ANS, mon_answer_pty_close },
	{ RPC_SESSION_EVENT, ST_SESS, SAME, UNLIMITED, 0,
	    RPC_SESSION_EVENT_ANS, mon_answer_session_event },
	{ RPC_TERMINATE, ST_SESS, SAME, 1, 0, NO_REPLY,
	    mon_answer_terminate },
	/* hostkeys-prove-00@openssh.com: a few rounds per connection,
	 * each over at most every host key (RPC_MSG_MAX bounds the body). */
	{ RPC_HOSTKEY_PROVE, ST_SESS, SAME, HOSTKEYS_PROVE_CALLS_MAX, 0,
	    RPC_HOSTKEY_PROVE_ANS, mon_answer_hostkey_prove },
	/* The session re-keys as often as RekeyLimit asks; each re-key is
	 * one fresh KEXINIT and one signature.  Its other requests go on
	 * meanwhile (a shell may exit during a re-key). */
	{ RPC_KEX_REKEY, ST(MON_ST_SESSION), MON_ST_SREKEY, UNLIMITED, 0,
	    RPC_KEX_REKEY_ANS, mon_answer_kex_rekey },
	{ RPC_KEX_SIGN, ST(MON_ST_SREKEY), MON_ST_SESSION, UNLIMITED, 0,
	    RPC_KEX_SIGN_ANS, mon_answer_kex_sign },
	{ RPC_USERAUTH_BEGIN, ST(MON_ST_USER), MON_ST_AUTH, 1, 0,
	    RPC_USERAUTH_BEGIN_ANS, mon_answer_userauth_begin },
	/* Authentication: each answer is a verdict; failures are counted
	 * against MaxAuthTries by the handlers, and past it the state
	 * REFUSED admits nothing but log lines. */
	{ RPC_USERAUTH_NONE, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED,
	    F_DECIDES_AUTH, RPC_USERAUTH_NONE_ANS, mon_answer_auth_none },
	{ RPC_PUBKEY_CHECK, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED,
	    F_DECIDES_AUTH, RPC_PUBKEY_CHECK_ANS, mon_answer_pubkey_check },
	{ RPC_PUBKEY_VERIFY, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED,
	    F_DECIDES_AUTH, RPC_PUBKEY_VERIFY_ANS, mon_answer_pubkey_verify },
	{ RPC_PASSWORD, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED,
	    F_DECIDES_AUTH, RPC_PASSWORD_ANS, mon_answer_password },
	/* The conversation answers for itself: the prompts of each round
	 * are the answer to the request before. */
	{ RPC_KBDINT_BEGIN, ST(MON_ST_AUTH), MON_ST_AUTH, UNLIMITED,
	    F_DECIDES_AUTH, NO_REPLY, mon_answer_kbdint_begin },
	{ RPC_KBDINT_RESPOND, ST(MON_ST_KBDINT), SAME, UNLIMITED, F_NESTED,
	    NO_REPLY, NULL },
	{ RPC_KBDINT_ABORT, ST(MON_ST_KBDINT), SAME, UNLIMITED, F_NESTED,
	    NO_REPLY, NULL },
	/* After success: the transport state and the client socket. */
	{ RPC_TRANSPORT_EXPORT, ST(MON_ST_DONE), SAME, 1,
	    F_FD | F_STATE_MSG, NO_REPLY, mon_answer_transport_export },
};

#define NRULES (sizeof(mon_rules) / sizeof(mon_rules[0]))
static unsigned int mon_rule_counts[NRULES];

static const char *
mon_state_name(enum mon_state s)
{
	static const char *const names[MON_ST_COUNT] = {
		"INIT", "BANNER", "KEX", "USER", "AUTH", "DONE", "REKEY",
		"KBDINT", "REFUSED", "SESSION", "SREKEY",
	};

	return (unsigned int)s < MON_ST_COUNT ? names[s] : "?";
}

void
mon_exit(struct mon *m, int status)
{
	if (m->child > 0)
		(void)kill(m->child, SIGKILL);
	exit(status);
}

void
mon_violation(struct mon *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error("monitor: %s from pre-auth child %ld for %s port %d; "
	    "killing it", msg, (long)m->child, m->peer_addr, m->peer_port);
	mon_exit(m, HELPER_EXIT_CRASH);
}

/* Child log lines: level and text, re-emitted under our tag. */
static int
mon_answer_log(struct mon *m, struct buf *req, struct buf *reply)
{
	char *text = NULL;
	uint8_t level;
	int r;

	if ((r = buf_get_u8(req, &level)) != 0 ||
	    (r = buf_get_cstring(req, LOG_LINE_MAX, &text, NULL)) != 0 ||
	    (r = buf_get_end(req)) != 0)
		goto out;
	if (level < LOG_LEVEL_FATAL || level > LOG_LEVEL_DEBUG3) {
		r = HS_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* The child's text already carries its level prefix. */
	{
		char line[LOG_LINE_MAX + 16];

		snprintf(line, sizeof(line), "%s%s", text,
		    (ST(m->state) & ST_SESS) != 0 ? "" : " [preauth]");
		log_emit((enum log_level)level, line);
	}
 out:
	free(text);
	return r;
}

static const struct mon_rule *
mon_find_rule(enum mon_state state, uint8_t type, size_t *idx)
{
	size_t i;

	for (i = 0; i < NRULES; i++) {
		if (mon_rules[i].type == type &&
		    (mon_rules[i].states & ST(state)) != 0) {
			*idx = i;
			return &mon_rules[i];
		}
	}
	return NULL;
}

/*
 * Read one request and find the row admitting it in state st; LOG lines
 * are served on the way.  Returns NULL when the child has gone.
 */
static const struct mon_rule *
mon_read(struct mon *m, enum mon_state st, uint8_t *ret_type,
    struct buf **ret_req, int *ret_fd)
{
	const struct mon_rule *rule;
	struct buf *req = NULL;
	uint8_t type;
	size_t idx = 0;
	int r, fd = -1;

	for (;;) {
		if ((r = rpc_recv(m->rpc_fd, st == MON_ST_DONE ? RPC_STATE_MAX :
		    RPC_MSG_MAX, &type, &req, &fd)) != 0) {
			if (r == HS_ERR_EOF)
				return NULL;
			mon_violation(m, "bad RPC frame (%s)", hs_err_str(r));
		}
		if ((rule = mon_find_rule(st, type, &idx)) == NULL)
			mon_violation(m, "message %s (%u) not allowed in state "
			    "%s", rpc_type_name(type), type,
			    mon_state_name(st));
		if (fd != -1 && (rule->flags & F_FD) == 0) {
			close(fd);
			mon_violation(m, "%s with a descriptor",
			    rpc_type_name(type));
		}
		if ((rule->flags & F_STATE_MSG) == 0 &&
		    buf_len(req) > RPC_MSG_MAX)
			mon_violation(m, "%s too long", rpc_type_name(type));
		if (rule->max != UNLIMITED && mon_rule_counts[idx] >= rule->max)
			mon_violation(m, "message %s repeated beyond its limit "
			    "of %u", rpc_type_name(type), rule->max);
		mon_rule_counts[idx]++;
		m->counts[type]++;
		if (type != RPC_LOG)
			break;
		if (mon_answer_log(m, req, NULL) != 0)
			mon_violation(m, "malformed RPC_LOG");
		buf_free(req);
		req = NULL;
	}
	debug3("monitor: serving %s in state %s", rpc_type_name(type),
	    mon_state_name(st));
	*ret_type = type;
	*ret_req = req;
	if (ret_fd != NULL)
		*ret_fd = fd;
	return rule;
}

void
mon_reply(struct mon *m, uint8_t type, const struct buf *body)
{
	int r;

	if ((r = rpc_send(m->rpc_fd, type, body, -1)) != 0) {
		if (r != HS_ERR_EOF)
			error_r(r, "monitor: answering with %s",
			    rpc_type_name(type));
		mon_exit(m, HELPER_EXIT_NOAUTH);
	}
}

uint8_t
mon_serve_nested(struct mon *m, enum mon_state st, struct buf **ret)
{
	const struct mon_rule *rule;
	uint8_t type;

	if ((rule = mon_read(m, st, &type, ret, NULL)) == NULL) {
		debug("monitor: child went away during %s",
		    mon_state_name(st));
		mon_exit(m, HELPER_EXIT_NOAUTH);
	}
	if ((rule->flags & F_NESTED) == 0)
		mon_violation(m, "%s not expected here", rpc_type_name(type));
	return type;
}

/* The verdict of an authentication handler moves the state. */
static void
mon_after_auth(struct mon *m)
{
	char c = 'A';

	switch (m->auth_code) {
	case AUTH_SUCCESS:
		m->state = MON_ST_DONE;
		/* Tell the listener: this connection no longer counts
		 * against MaxStartups. */
		/* The listener may have restarted: no SIGPIPE. */
		if (send(m->status_fd, &c, 1, MSG_NOSIGNAL) != 1)
			debug("monitor: listener status: %s", strerror(errno));
		break;
	case AUTH_DISCONNECT:
		m->state = MON_ST_REFUSED;
		break;
	default:
		m->state = MON_ST_AUTH;
		break;
	}
}

/* Serve one request; returns false when the child has gone. */
static bool
mon_serve_one(struct mon *m)
{
	const struct mon_rule *rule;
	struct buf *req = NULL, *reply = NULL;
	uint8_t type;
	int r, fd = -1;

	if ((rule = mon_read(m, m->state, &type, &req, &fd)) == NULL)
		return false;
	if ((rule->flags & F_NESTED) != 0 || rule->handler == NULL)
		mon_violation(m, "%s outside its exchange", rpc_type_name(type));
	if ((reply = buf_new()) == NULL)
		fatal_f("out of memory");
	m->passed_fd = fd;
	if ((r = rule->handler(m, req, reply)) != 0)
		mon_violation(m, "malformed or refused %s (%s)",
		    rpc_type_name(type), hs_err_str(r));
	if (m->passed_fd != -1) {
		close(m->passed_fd);
		m->passed_fd = -1;
	}
	/* Handlers end with buf_get_end(); make sure of it. */
	if (buf_len(req) != 0)
		mon_violation(m, "%s with trailing data", rpc_type_name(type));
	if (rule->reply != NO_REPLY)
		mon_reply(m, rule->reply, reply);
	if ((rule->flags & F_SAVE) != 0)
		m->resume_state = m->state;
	if ((rule->flags & F_DECIDES_AUTH) != 0)
		mon_after_auth(m);
	else if (rule->next == RESUME)
		m->state = m->resume_state;
	else if (rule->next != SAME)
		m->state = (enum mon_state)rule->next;
	buf_free(req);
	buf_free(reply);
	return true;
}

void
mon_dispatch_loop(struct mon *m, int deadline_seconds)
{
	struct timespec start, now;
	struct pollfd pfd;
	long left_ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left_ms = -1;
		if (deadline_seconds > 0 && m->state != MON_ST_DONE) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left_ms = (long)deadline_seconds * 1000 -
			    ((now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left_ms <= 0) {
				logit("Timeout before authentication for %s "
				    "port %d", m->peer_addr, m->peer_port);
				mon_exit(m, HELPER_EXIT_TIMEOUT);
			}
		}
		pfd.fd = m->rpc_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left_ms > INT32_MAX ? INT32_MAX : (int)left_ms);
		if (n == -1 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (n <= 0)
			continue;
		if (!mon_serve_one(m))
			return;
	}
}
