/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the monitor's dispatch table (monitor/dispatch-table.c,
 * built into this test): a walk over every row checking the invariants
 * the monitor's safety rests on, since a compromised child may send any
 * message at any time.  Every request a child may send is admitted
 * somewhere, with a bounded size; no (type, state) pair twice; answers
 * are request + 1, and who sends them is stated; nested rows belong to
 * the one handler that reads them and have an answer; next states are
 * states; RESUME is only reached through a row that saved the state;
 * every unlimited row in the pre-auth states is bounded otherwise; the
 * states reachable from INIT through the table are the pre-auth ones and
 * admit no session handler; the lookup agrees with the rows.  Also the
 * table's own handler, RPC_LOG.  The other handlers are never called
 * here: they are stand-ins that abort, and name them by address.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rpc.h"
#include "common/rpc-msgs.h"
#include "monitor/dispatch-table.h"
#include "tests/tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ALL_STATES	((1u << MON_ST_COUNT) - 1)

/* The handlers the table names, but for its own LOG: never called. */
#define STAND_IN(name) \
int \
name(struct mon *m, struct buf *req, struct buf *reply) \
{ \
	(void)m; (void)req; (void)reply; \
	fprintf(stderr, "%s called\n", #name); \
	abort(); \
}
STAND_IN(mon_answer_hello)
STAND_IN(mon_answer_peer_banner)
STAND_IN(mon_answer_kex_sign)
STAND_IN(mon_answer_kex_rekey)
STAND_IN(mon_answer_userauth_begin)
STAND_IN(mon_answer_auth_none)
STAND_IN(mon_answer_pubkey_check)
STAND_IN(mon_answer_pubkey_verify)
STAND_IN(mon_answer_password)
STAND_IN(mon_answer_kbdint_begin)
STAND_IN(mon_answer_transport_export)
STAND_IN(mon_answer_pty_open)
STAND_IN(mon_answer_pty_close)
STAND_IN(mon_answer_session_event)
STAND_IN(mon_answer_terminate)
STAND_IN(mon_answer_hostkey_prove)

/* Handlers that only make sense once the user's session runs. */
static mon_handler *const session_handlers[] = {
	mon_answer_pty_open, mon_answer_pty_close, mon_answer_session_event,
	mon_answer_terminate, mon_answer_hostkey_prove,
};

/* Every value of the message list. */
static const uint8_t all_types[] = {
#define RPC_MSG_VALUE(name, value) (value),
	RPC_MSG_LIST(RPC_MSG_VALUE)
#undef RPC_MSG_VALUE
};

/* Requests no child sends to the dispatch loop: the listener's SNAPSHOT
 * (read by monitor.c before the loop), the monitor's own SESSION_INIT,
 * and REKEY_SIGN, listed but sent by nobody (a session re-key is
 * KEX_REKEY + KEX_SIGN).  The table must admit them nowhere. */
static const uint8_t never_admitted[] = {
	RPC_SNAPSHOT, RPC_SESSION_INIT, RPC_REKEY_SIGN,
};

static bool
in(const uint8_t *types, size_t n, unsigned int type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (types[i] == type)
			return true;
	return false;
}

#define is_listed(t)		in(all_types, NELEM(all_types), (t))
#define is_never_admitted(t)	in(never_admitted, NELEM(never_admitted), (t))

static bool
is_session_handler(mon_handler *h)
{
	size_t i;

	for (i = 0; i < NELEM(session_handlers); i++)
		if (session_handlers[i] == h)
			return true;
	return false;
}

static const struct mon_dispatch *
row(size_t i)
{
	return mon_dispatch_at(i);
}

/* Bits of the states a row may lead to from state s (not counting the
 * states its handler's nested reads are admitted in). */
static uint32_t
successors(const struct mon_dispatch *d, enum mon_state s)
{
	uint32_t out = 0;
	size_t i, n = mon_dispatch_count();

	if ((d->flags & MON_F_DECIDES_AUTH) != 0)
		return MON_ST_BIT(MON_ST_AUTH) | MON_ST_BIT(MON_ST_DONE) |
		    MON_ST_BIT(MON_ST_REFUSED);
	if (d->next == MON_NEXT_SAME)
		return MON_ST_BIT(s);
	if (d->next != MON_NEXT_RESUME)
		return MON_ST_BIT((unsigned int)d->next);
	/* Back to whichever state a saving row left for this one. */
	for (i = 0; i < n; i++)
		if ((row(i)->flags & MON_F_SAVE) != 0 &&
		    row(i)->next == (int)s)
			out |= row(i)->states;
	return out;
}

/* The states reachable from start through the table's rows alone. */
static uint32_t
reachable(enum mon_state start)
{
	uint32_t seen = MON_ST_BIT(start), before = 0;
	unsigned int s, rounds;
	size_t i, n = mon_dispatch_count();

	/* Each round adds a state or ends: at most MON_ST_COUNT rounds. */
	for (rounds = 0; rounds <= MON_ST_COUNT && seen != before; rounds++) {
		before = seen;
		for (s = 0; s < MON_ST_COUNT; s++) {
			if ((before & MON_ST_BIT(s)) == 0)
				continue;
			for (i = 0; i < n; i++) {
				if ((row(i)->states & MON_ST_BIT(s)) == 0)
					continue;
				seen |= successors(row(i), (enum mon_state)s);
				if (row(i)->nested != MON_NESTED_NONE)
					seen |= MON_ST_BIT(
					    (unsigned int)row(i)->nested);
			}
		}
	}
	return seen;
}

/* Bits of the states some row leads into from another state. */
static uint32_t
entered_by(size_t i)
{
	const struct mon_dispatch *d = row(i);
	uint32_t out = 0;
	unsigned int s;

	for (s = 0; s < MON_ST_COUNT; s++)
		if ((d->states & MON_ST_BIT(s)) != 0)
			out |= successors(d, (enum mon_state)s) &
			    ~MON_ST_BIT(s);
	if (d->nested != MON_NESTED_NONE)
		out |= MON_ST_BIT((unsigned int)d->nested);
	return out;
}

static void
test_rows(void)
{
	size_t i, j, n = mon_dispatch_count();
	const struct mon_dispatch *d;

	TEST_START("dispatch: every row is well formed");
	ASSERT_TRUE(n > 0);
	ASSERT_PTR_EQ(mon_dispatch_at(n), NULL);
	for (i = 0; i < n; i++) {
		d = row(i);
		ASSERT_INT_EQ(mon_dispatch_index(d), i);
		/* A request of the list: even, its answer odd. */
		ASSERT_TRUE(is_listed(d->type));
		ASSERT_INT_EQ(d->type % 2, 0);
		ASSERT_FALSE(is_never_admitted(d->type));
		ASSERT_INT_NE(d->states, 0);
		ASSERT_INT_EQ(d->states & ~ALL_STATES, 0);
		ASSERT_TRUE(d->next == MON_NEXT_SAME ||
		    d->next == MON_NEXT_RESUME ||
		    (d->next >= 0 && d->next < MON_ST_COUNT));
		ASSERT_TRUE(d->nested == MON_NESTED_NONE ||
		    (d->nested >= 0 && d->nested < MON_ST_COUNT));
		ASSERT_INT_EQ(d->flags & ~(unsigned int)(MON_F_SAVE |
		    MON_F_DECIDES_AUTH | MON_F_NESTED | MON_F_FD |
		    MON_F_SELF_ANSWER), 0);
		/* Bounded: RPC_MSG_MAX, or the transport state after
		 * authentication. */
		ASSERT_TRUE(d->size_max > 0);
		ASSERT_TRUE(d->size_max <= RPC_STATE_MAX);
		if (d->size_max > RPC_MSG_MAX)
			ASSERT_INT_EQ(d->states, MON_ST_BIT(MON_ST_DONE));
		/* rpc-msgs.h: LOG and TERMINATE have no answer; every
		 * other answer is request + 1. */
		if (d->type == RPC_LOG || d->type == RPC_TERMINATE)
			ASSERT_INT_EQ(d->reply, MON_NO_REPLY);
		else {
			ASSERT_INT_EQ(d->reply, d->type + 1);
			ASSERT_TRUE(is_listed(d->reply));
		}
		if ((d->flags & MON_F_SELF_ANSWER) != 0)
			ASSERT_INT_NE(d->reply, MON_NO_REPLY);
		/* The verdict moves the state, from AUTH only. */
		if ((d->flags & MON_F_DECIDES_AUTH) != 0) {
			ASSERT_INT_EQ(d->states, MON_ST_BIT(MON_ST_AUTH));
			ASSERT_INT_EQ(d->flags & MON_F_SAVE, 0);
		}
		/* A descriptor comes once, outside any exchange. */
		if ((d->flags & MON_F_FD) != 0) {
			ASSERT_INT_EQ(d->max, 1);
			ASSERT_INT_EQ(d->flags & MON_F_NESTED, 0);
		}
		/* A handler reading nested requests interleaves answers
		 * with them: it answers for itself. */
		if (d->nested != MON_NESTED_NONE) {
			ASSERT_INT_NE(d->flags & MON_F_SELF_ANSWER, 0);
			ASSERT_INT_EQ(d->flags & MON_F_NESTED, 0);
			ASSERT_TRUE((d->states &
			    MON_ST_BIT((unsigned int)d->nested)) == 0);
		}
		if ((d->flags & MON_F_NESTED) != 0) {
			ASSERT_PTR_EQ(d->handler, NULL);
			ASSERT_INT_NE(d->reply, MON_NO_REPLY);
			ASSERT_INT_NE(d->flags & MON_F_SELF_ANSWER, 0);
			ASSERT_INT_EQ(d->next, MON_NEXT_SAME);
		} else
			ASSERT_PTR_NE(d->handler, NULL);
		/* The table's own handler serves LOG, which never moves. */
		if (d->type == RPC_LOG) {
			ASSERT_PTR_EQ(d->handler, mon_answer_log);
			ASSERT_INT_EQ(d->next, MON_NEXT_SAME);
		} else
			ASSERT_TRUE(d->handler != mon_answer_log);
		for (j = i + 1; j < n; j++)
			if (row(j)->type == d->type)
				ASSERT_INT_EQ(row(j)->states & d->states, 0);
	}
	TEST_DONE();
}

static void
test_coverage(void)
{
	size_t i, j, n = mon_dispatch_count();
	unsigned int s;
	bool found;

	TEST_START("dispatch: every request a child sends has a row");
	for (i = 0; i < NELEM(all_types); i++) {
		if (all_types[i] % 2 != 0 || is_never_admitted(all_types[i]))
			continue;
		for (found = false, j = 0; j < n; j++)
			if (row(j)->type == all_types[i])
				found = true;
		if (!found)
			printf("# no row for %s\n",
			    rpc_type_name(all_types[i]));
		ASSERT_TRUE(found);
	}
	TEST_DONE();

	TEST_START("dispatch: a child may log in every state");
	for (s = 0; s < MON_ST_COUNT; s++) {
		ASSERT_PTR_NE(mon_dispatch_lookup(RPC_LOG,
		    (enum mon_state)s), NULL);
		ASSERT_TRUE(mon_dispatch_size_max((enum mon_state)s) >=
		    RPC_MSG_MAX);
		ASSERT_INT_EQ(mon_dispatch_size_max((enum mon_state)s) >
		    RPC_MSG_MAX, s == MON_ST_DONE);
	}
	/* REFUSED admits nothing else. */
	for (i = 0; i < 256; i++)
		if (i != RPC_LOG)
			ASSERT_PTR_EQ(mon_dispatch_lookup((uint8_t)i,
			    MON_ST_REFUSED), NULL);
	TEST_DONE();
}

static void
test_lookup(void)
{
	const struct mon_dispatch *want;
	size_t i, n = mon_dispatch_count();
	unsigned int t, s;

	TEST_START("dispatch: lookup agrees with the rows");
	for (t = 0; t < 256; t++) {
		for (s = 0; s <= MON_ST_COUNT + 1; s++) {
			want = NULL;
			for (i = 0; i < n && s < MON_ST_COUNT; i++)
				if (row(i)->type == t &&
				    (row(i)->states & MON_ST_BIT(s)) != 0) {
					want = row(i);
					break;
				}
			ASSERT_PTR_EQ(mon_dispatch_lookup((uint8_t)t,
			    (enum mon_state)s), want);
			if (!is_listed(t) || (t % 2) != 0)
				ASSERT_PTR_EQ(want, NULL);
		}
	}
	ASSERT_INT_EQ(mon_dispatch_size_max(MON_ST_COUNT), 0);
	ASSERT_STR_EQ(mon_state_name(MON_ST_COUNT), "?");
	ASSERT_STR_EQ(mon_state_name(MON_ST_INIT), "INIT");
	ASSERT_STR_EQ(mon_state_name(MON_ST_SREKEY), "SREKEY");
	TEST_DONE();
}

static void
test_nested(void)
{
	size_t i, j, n = mon_dispatch_count();
	uint32_t nested_states = 0;
	unsigned int s;

	TEST_START("dispatch: nested rows belong to one exchange");
	for (i = 0; i < n; i++)
		if (row(i)->nested != MON_NESTED_NONE)
			nested_states |=
			    MON_ST_BIT((unsigned int)row(i)->nested);
	ASSERT_INT_NE(nested_states, 0);
	for (i = 0; i < n; i++) {
		/* A nested row lives only in the state of some handler's
		 * nested reads... */
		if ((row(i)->flags & MON_F_NESTED) != 0)
			ASSERT_INT_EQ(row(i)->states & ~nested_states, 0);
		/* ... and such a state admits nothing else but LOG, and is
		 * entered by no row's next. */
		else if (row(i)->type != RPC_LOG)
			ASSERT_INT_EQ(row(i)->states & nested_states, 0);
		if ((row(i)->flags & MON_F_DECIDES_AUTH) == 0 &&
		    row(i)->next >= 0)
			ASSERT_INT_EQ(MON_ST_BIT((unsigned int)row(i)->next) &
			    nested_states, 0);
	}
	/* Every nested state has a nested row. */
	for (s = 0; s < MON_ST_COUNT; s++) {
		if ((nested_states & MON_ST_BIT(s)) == 0)
			continue;
		for (j = 0; j < n; j++)
			if ((row(j)->flags & MON_F_NESTED) != 0 &&
			    (row(j)->states & MON_ST_BIT(s)) != 0)
				break;
		ASSERT_TRUE(j < n);
	}
	TEST_DONE();
}

static void
test_resume(void)
{
	size_t i, j, n = mon_dispatch_count();
	unsigned int s;

	TEST_START("dispatch: RESUME only after a row saved the state");
	for (i = 0; i < n; i++) {
		if (row(i)->next != MON_NEXT_RESUME)
			continue;
		ASSERT_INT_EQ(row(i)->flags & MON_F_DECIDES_AUTH, 0);
		for (s = 0; s < MON_ST_COUNT; s++) {
			if ((row(i)->states & MON_ST_BIT(s)) == 0)
				continue;
			/* Something saved and leads here... */
			ASSERT_INT_NE(successors(row(i), (enum mon_state)s),
			    0);
			/* ... and whatever leads here saved. */
			for (j = 0; j < n; j++)
				if ((entered_by(j) & MON_ST_BIT(s)) != 0)
					ASSERT_INT_NE(row(j)->flags &
					    MON_F_SAVE, 0);
			/* The saved state cannot be one that resumes. */
			ASSERT_INT_EQ(successors(row(i),
			    (enum mon_state)s) & MON_ST_BIT(s), 0);
		}
	}
	TEST_DONE();
}

static void
test_reachable(void)
{
	const uint32_t preauth = MON_ST_PREAUTH | MON_ST_BIT(MON_ST_REKEY) |
	    MON_ST_BIT(MON_ST_KBDINT) | MON_ST_BIT(MON_ST_REFUSED);
	size_t i, n = mon_dispatch_count();

	TEST_START("dispatch: pre-auth states never reach the session's");
	ASSERT_INT_EQ(preauth | MON_ST_SESS, ALL_STATES);
	ASSERT_INT_EQ(preauth & MON_ST_SESS, 0);
	/* From INIT, the table alone reaches every pre-auth state and
	 * none of the session's (monitor/session.c enters SESSION once
	 * the pre-auth child has gone). */
	ASSERT_INT_EQ(reachable(MON_ST_INIT), preauth);
	/* And the session never goes back. */
	ASSERT_INT_EQ(reachable(MON_ST_SESSION), MON_ST_SESS);
	for (i = 0; i < n; i++) {
		/* No row of a pre-auth state serves the session... */
		if (is_session_handler(row(i)->handler))
			ASSERT_INT_EQ(row(i)->states & ~MON_ST_SESS, 0);
		/* ... and only LOG serves both phases. */
		if (row(i)->type != RPC_LOG)
			ASSERT_TRUE((row(i)->states & preauth) == 0 ||
			    (row(i)->states & MON_ST_SESS) == 0);
	}
	TEST_DONE();
}

static void
test_limits(void)
{
	size_t i, j, n = mon_dispatch_count();
	const struct mon_dispatch *d;
	bool bounded;
	unsigned int s;

	TEST_START("dispatch: unlimited pre-auth rows are bounded otherwise");
	for (i = 0; i < n; i++) {
		d = row(i);
		if (d->max != MON_UNLIMITED || (d->states & MON_ST_SESS) ==
		    d->states)
			continue;
		/* LOG costs the monitor nothing; verdicts count against
		 * MaxAuthTries (REFUSED past it); nested rounds are
		 * bounded by their handler. */
		if (d->type == RPC_LOG ||
		    (d->flags & (MON_F_DECIDES_AUTH | MON_F_NESTED)) != 0)
			continue;
		/* Otherwise every state it is admitted in is left by it
		 * and entered only through rows with a count. */
		for (s = 0; s < MON_ST_COUNT; s++) {
			if ((d->states & MON_ST_BIT(s)) == 0)
				continue;
			ASSERT_INT_EQ(successors(d, (enum mon_state)s) &
			    MON_ST_BIT(s), 0);
			bounded = true;
			for (j = 0; j < n; j++)
				if ((entered_by(j) & MON_ST_BIT(s)) != 0 &&
				    row(j)->max == MON_UNLIMITED)
					bounded = false;
			if (!bounded)
				printf("# %s unlimited in %s\n",
				    rpc_type_name(d->type),
				    mon_state_name((enum mon_state)s));
			ASSERT_TRUE(bounded);
		}
	}
	/* The one-way steps of the pre-auth protocol come once. */
	ASSERT_INT_EQ(mon_dispatch_lookup(RPC_HELLO, MON_ST_INIT)->max, 1);
	ASSERT_INT_EQ(mon_dispatch_lookup(RPC_PEER_BANNER,
	    MON_ST_BANNER)->max, 1);
	ASSERT_INT_EQ(mon_dispatch_lookup(RPC_KEX_SIGN, MON_ST_KEX)->max, 1);
	ASSERT_INT_EQ(mon_dispatch_lookup(RPC_USERAUTH_BEGIN,
	    MON_ST_USER)->max, 1);
	ASSERT_INT_EQ(mon_dispatch_lookup(RPC_TRANSPORT_EXPORT,
	    MON_ST_DONE)->max, 1);
	ASSERT_INT_NE(mon_dispatch_lookup(RPC_KEX_REKEY, MON_ST_AUTH)->max,
	    MON_UNLIMITED);
	TEST_DONE();
}

static struct buf *
log_req(int level, const char *text, bool trailing)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, (uint8_t)level) != 0 ||
	    buf_put_cstring(b, text) != 0 ||
	    (trailing && buf_put_u8(b, 0) != 0))
		abort();
	return b;
}

static void
test_log(void)
{
	struct mon m;
	struct buf *b;

	memset(&m, 0, sizeof(m));
	TEST_START("dispatch: RPC_LOG");
	m.state = MON_ST_AUTH;
	b = log_req(LOG_LEVEL_DEBUG1, "debug1: hello", false);
	ASSERT_INT_EQ(mon_answer_log(&m, b, NULL), 0);
	ASSERT_INT_EQ(buf_len(b), 0);
	buf_free(b);
	m.state = MON_ST_SESSION;
	b = log_req(LOG_LEVEL_FATAL, "fatal: from the session", false);
	ASSERT_INT_EQ(mon_answer_log(&m, b, NULL), 0);
	buf_free(b);
	b = log_req(LOG_LEVEL_QUIET, "quiet is no level", false);
	ASSERT_INT_EQ(mon_answer_log(&m, b, NULL), HS_ERR_INVALID_ARGUMENT);
	buf_free(b);
	b = log_req(LOG_LEVEL_DEBUG3 + 1, "past debug3", false);
	ASSERT_INT_EQ(mon_answer_log(&m, b, NULL), HS_ERR_INVALID_ARGUMENT);
	buf_free(b);
	b = log_req(LOG_LEVEL_INFO, "trailing", true);
	ASSERT_INT_EQ(mon_answer_log(&m, b, NULL), HS_ERR_TRAILING_DATA);
	buf_free(b);
	/* A line longer than LOG_LINE_MAX is refused, not cut. */
	{
		char *text = malloc(LOG_LINE_MAX + 2);

		ASSERT_PTR_NE(text, NULL);
		memset(text, 'x', LOG_LINE_MAX + 1);
		text[LOG_LINE_MAX + 1] = '\0';
		b = log_req(LOG_LEVEL_INFO, text, false);
		ASSERT_INT_NE(mon_answer_log(&m, b, NULL), 0);
		buf_free(b);
		free(text);
	}
	b = buf_new();
	ASSERT_INT_NE(mon_answer_log(&m, b, NULL), 0);
	buf_free(b);
	TEST_DONE();
}

int
main(void)
{
	log_init("test-dispatch", LOG_LEVEL_QUIET, -1, true);
	test_rows();
	test_coverage();
	test_lookup();
	test_nested();
	test_resume();
	test_reachable();
	test_limits();
	test_log();
	return tap_finish();
}
