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
#define SAME		(-1)
#define RESUME		(-2)	/* back to the state saved by F_SAVE */
#define UNLIMITED	0u

/* Re-keys a client may run before authenticating; each costs the
 * monitor a signature. */
#define PREAUTH_REKEY_MAX	3u

/* Row flags. */
#define F_SAVE		0x1	/* remember the current state for RESUME */

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
	{ RPC_LOG, ST_PREAUTH | ST(MON_ST_REKEY), SAME, UNLIMITED, 0,
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
	{ RPC_KEX_SIGN, ST(MON_ST_REKEY), RESUME, PREAUTH_REKEY_MAX, 0,
	    RPC_KEX_SIGN_ANS, mon_answer_kex_sign },
	{ RPC_USERAUTH_BEGIN, ST(MON_ST_USER), MON_ST_AUTH, 1, 0,
	    RPC_USERAUTH_BEGIN_ANS, mon_answer_userauth_begin },
};

#define NRULES (sizeof(mon_rules) / sizeof(mon_rules[0]))
static unsigned int mon_rule_counts[NRULES];

static const char *
mon_state_name(enum mon_state s)
{
	static const char *const names[MON_ST_COUNT] = {
		"INIT", "BANNER", "KEX", "USER", "AUTH", "DONE", "REKEY",
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
		    m->state == MON_ST_DONE ? "" : " [preauth]");
		log_emit((enum log_level)level, line);
	}
 out:
	free(text);
	return r;
}

static const struct mon_rule *
mon_find_rule(const struct mon *m, uint8_t type, size_t *idx)
{
	size_t i;

	for (i = 0; i < NRULES; i++) {
		if (mon_rules[i].type == type &&
		    (mon_rules[i].states & ST(m->state)) != 0) {
			*idx = i;
			return &mon_rules[i];
		}
	}
	return NULL;
}

/* Serve one request; returns false when the child has gone. */
static bool
mon_serve_one(struct mon *m)
{
	const struct mon_rule *rule;
	struct buf *req = NULL, *reply = NULL;
	uint8_t type;
	size_t idx = 0;
	int r;

	if ((r = rpc_recv(m->rpc_fd, RPC_MSG_MAX, &type, &req, NULL)) != 0) {
		if (r == HS_ERR_EOF)
			return false;
		mon_violation(m, "bad RPC frame (%s)", hs_err_str(r));
	}
	if ((rule = mon_find_rule(m, type, &idx)) == NULL)
		mon_violation(m, "message %s (%u) not allowed in state %s",
		    rpc_type_name(type), type, mon_state_name(m->state));
	if (rule->max != UNLIMITED && mon_rule_counts[idx] >= rule->max)
		mon_violation(m, "message %s repeated beyond its limit of %u",
		    rpc_type_name(type), rule->max);
	mon_rule_counts[idx]++;
	m->counts[type]++;
	if ((reply = buf_new()) == NULL)
		fatal_f("out of memory");
	if (type != RPC_LOG)
		debug3("monitor: serving %s in state %s", rpc_type_name(type),
		    mon_state_name(m->state));
	if ((r = rule->handler(m, req, reply)) != 0)
		mon_violation(m, "malformed or refused %s (%s)",
		    rpc_type_name(type), hs_err_str(r));
	/* Handlers end with buf_get_end(); make sure of it. */
	if (buf_len(req) != 0)
		mon_violation(m, "%s with trailing data", rpc_type_name(type));
	if (rule->reply != NO_REPLY &&
	    (r = rpc_send(m->rpc_fd, rule->reply, reply, -1)) != 0) {
		if (r != HS_ERR_EOF)
			error_r(r, "monitor: answering %s", rpc_type_name(type));
		buf_free(req);
		buf_free(reply);
		return false;
	}
	if ((rule->flags & F_SAVE) != 0)
		m->resume_state = m->state;
	if (rule->next == RESUME)
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
