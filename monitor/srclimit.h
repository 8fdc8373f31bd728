/* SPDX-License-Identifier: ISC */
/*
 * The listener's connection policy: MaxStartups random early drop,
 * PerSourceMaxStartups (unauthenticated connections per source netblock)
 * and PerSourcePenalties (refusing a netblock for a while after its
 * connections crashed, failed to authenticate or timed out), with the
 * semantics of OpenSSH 9.8+ (sshd.c drop_connection, srclimit.c).
 *
 * Runs in hsshd, the listener (root).  It does no I/O and reads no clock:
 * the caller passes the time (monotonic seconds) and the random value, so
 * every decision is reproducible in tests.  It logs through common/log.h
 * at the points and with the wording OpenSSH uses, so log watchers and
 * administrators recognise the lines.  Its input is attacker-influenced:
 * a remote peer chooses the source addresses (and, with IPv6, can use
 * very many of them), so every table has a fixed upper bound and lookups
 * hash with a secret key (SipHash via crypto_shorthash) to defeat
 * collision flooding.
 *
 * Addresses are the peer's sockaddr from accept(); AF_INET and AF_INET6
 * are handled, an IPv4-mapped IPv6 address counts as IPv4, and any other
 * family (a Unix socket under -i) is never limited or penalised.
 *
 * Lifecycle in the listener:
 *	sl = srclimit_new(cfg);
 *	on accept:     v = srclimit_accept(sl, peer, local, startups, id,
 *			   randombytes_random(), now);
 *	on auth ('A'): srclimit_done(sl, id);
 *	on exit:       srclimit_done(sl, id); if never authenticated,
 *		       srclimit_penalise(sl, peer, len,
 *			   srclimit_reason_from_exit(code, signalled), now);
 *	srclimit_free(sl);
 */
#ifndef HS_MONITOR_SRCLIMIT_H
#define HS_MONITOR_SRCLIMIT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct hs_config;
struct srclimit;

/* Why a connection is penalised (PerSourcePenalties keywords). */
enum srclimit_reason {
	SRCLIMIT_NONE = 0,		/* no penalty */
	SRCLIMIT_CRASH,			/* crash: */
	SRCLIMIT_AUTHFAIL,		/* authfail: */
	SRCLIMIT_INVALIDUSER,		/* invaliduser: */
	SRCLIMIT_NOAUTH,		/* noauth: */
	SRCLIMIT_GRACE_EXCEEDED,	/* grace-exceeded: */
};

/* What srclimit_accept decided. */
enum srclimit_verdict {
	SRCLIMIT_ACCEPT = 0,		/* go ahead; the id is now tracked */
	SRCLIMIT_DROP_PENALTY,		/* the source is penalised */
	SRCLIMIT_DROP_STARTUPS,		/* MaxStartups or PerSourceMaxStartups */
};

/* What OpenSSH writes to a dropped connection before closing it. */
#define SRCLIMIT_DROP_MESSAGE	"Not allowed at this time\r\n"

/*
 * A policy for a finished configuration (config_finish): the MaxStartups,
 * PerSourceMaxStartups, PerSourceNetBlockSize, PerSourcePenalties and
 * PerSourcePenaltyExemptList values are copied, cfg is not kept.  NULL on
 * allocation failure or if libsodium cannot be initialised.
 */
struct srclimit	*srclimit_new(const struct hs_config *cfg);
/* NULL is a no-op. */
void		 srclimit_free(struct srclimit *);

/*
 * Everything the listener decides when it has accepted a connection, in
 * OpenSSH's order: a penalised source is dropped first; then MaxStartups
 * (srclimit_should_drop_startup); then PerSourceMaxStartups
 * (srclimit_check_open, which starts tracking id on success).  A drop is
 * logged as "drop connection #N from [PEER]:PORT on [LOCAL]:PORT REASON"
 * (INFO for penalties, VERBOSE for MaxStartups), and entering, staying in
 * (every 5 minutes) and leaving MaxStartups throttling is logged as sshd
 * does.  The caller writes SRCLIMIT_DROP_MESSAGE to a dropped connection
 * and closes it.
 *
 * startups: connections currently not authenticated (not counting this
 * one).  id: as for srclimit_check_open.  random: a uniformly random
 * 32-bit value (randombytes_random()).  now: monotonic seconds.  local may
 * be NULL (logged as UNKNOWN).
 */
enum srclimit_verdict srclimit_accept(struct srclimit *,
	    const struct sockaddr *peer, socklen_t peerlen,
	    const struct sockaddr *local, socklen_t locallen,
	    unsigned int startups, int id, uint32_t random, time_t now);

/*
 * MaxStartups begin:rate:full: with fewer than begin unauthenticated
 * connections never drop; with full or more always drop; in between drop
 * with a probability rising linearly from rate% at begin towards 100% at
 * full, in whole percent as sshd computes it:
 *	p = (100 - rate) * (n - begin) / (full - begin) + rate
 * and drop iff (random % 100) < p.
 */
bool	 srclimit_should_drop_startup(struct srclimit *,
	    unsigned int unauthenticated_now, uint32_t random);

/*
 * PerSourceMaxStartups: whether a new unauthenticated connection from
 * this source may proceed.  On true the connection is tracked under id
 * until srclimit_done(id).  False when the source's netblock
 * (PerSourceNetBlockSize) already has PerSourceMaxStartups
 * unauthenticated connections, when MaxStartups (full) connections are
 * already tracked, or when id is negative or already tracked.  With
 * PerSourceMaxStartups none, or an address that is not IPv4/IPv6, always
 * true and nothing is tracked.  id: any value >= 0 unique among tracked
 * connections (the listener's per-connection counter, say).
 */
bool	 srclimit_check_open(struct srclimit *, const struct sockaddr *,
	    socklen_t, int id);
/* The connection id authenticated or ended: stop counting it.  Unknown
 * ids (never tracked, already done) are ignored, so calling this both at
 * authentication and at exit is fine. */
void	 srclimit_done(struct srclimit *, int id);

/*
 * PerSourcePenalties: a connection from this source ended for reason.
 * Nothing happens if penalties are off, the reason is SRCLIMIT_NONE, its
 * duration is 0, or the address matches PerSourcePenaltyExemptList.
 * Otherwise, per netblock: a new entry lasts the reason's duration and is
 * active at once only if that is more than min; an existing entry is
 * extended by the duration, capped at max from now, and becomes active
 * once more than min remains.  An entry is refused from while active
 * until it expires.  At most max-sources4 (max-sources6) netblocks are
 * held per family: when full, overflow:deny-all ignores new penalties
 * (srclimit_penalty_check then refuses everyone), overflow:permissive
 * drops the entries closest to expiry to make room.  Returns 0,
 * HS_ERR_ALLOC if the table could not grow (the penalty is lost), or
 * HS_ERR_INVALID_ARGUMENT for a reason outside the enum.
 */
int	 srclimit_penalise(struct srclimit *, const struct sockaddr *,
	    socklen_t, enum srclimit_reason, time_t now);

/*
 * Whether a connection from this source must be refused now because of
 * a penalty (expired entries are reclaimed first).  On true, *ret_reason
 * (if not NULL) is a static string for the log: the penalty's reason, or
 * "too many penalised addresses" when the family's table is full under
 * overflow:deny-all.  Exempt addresses are never refused.
 */
bool	 srclimit_penalty_check(struct srclimit *, const struct sockaddr *,
	    socklen_t, time_t now, const char **ret_reason);

/*
 * The penalty for a monitor that exited without authenticating.
 * signalled: status is the signal number (WTERMSIG); otherwise it is the
 * exit status (WEXITSTATUS).  As sshd: killed by SIGSEGV, SIGBUS, SIGTRAP,
 * SIGSYS, SIGFPE, SIGILL or SIGABRT -> CRASH, by any other signal -> NONE;
 * exit HELPER_EXIT_OK or HELPER_EXIT_AUTHENTICATED -> NONE,
 * HELPER_EXIT_AUTHFAIL -> AUTHFAIL, HELPER_EXIT_INVALIDUSER -> INVALIDUSER,
 * HELPER_EXIT_TIMEOUT -> GRACE_EXCEEDED, HELPER_EXIT_CRASH -> CRASH, and
 * every other status (HELPER_EXIT_NOAUTH, HELPER_EXIT_CLOSED,
 * HELPER_EXIT_DISCONNECTED, HELPER_EXIT_REFUSED, fatal()'s 255, anything
 * unexpected) -> NOAUTH.
 */
enum srclimit_reason srclimit_reason_from_exit(int status, bool signalled);

/* The log text of a reason ("penalty: caused crash", ...). */
const char	*srclimit_reason_str(enum srclimit_reason);

/* Counters, for tests and diagnostics. */
struct srclimit_stats {
	size_t	penalties4, penalties6;	/* netblocks with a penalty */
	size_t	sources;		/* netblocks with tracked connections */
	size_t	tracked;		/* connections tracked by id */
	size_t	slots4, slots6;		/* penalty entries allocated */
	size_t	bytes;			/* heap memory held by the tables */
};
void	 srclimit_get_stats(const struct srclimit *, struct srclimit_stats *);

/* Check every internal invariant (hash chains, heap order, counts);
 * 0 or HS_ERR_INTERNAL.  O(n): for tests and the fuzz harness. */
int	 srclimit_check_consistency(const struct srclimit *);

#endif
