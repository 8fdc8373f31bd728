/* SPDX-License-Identifier: ISC */
/*
 * The listener's connection policy: MaxStartups, PerSourceMaxStartups and
 * PerSourcePenalties, with OpenSSH 9.8+ semantics (see srclimit.h).
 *
 * Runs in hsshd, the listener (root), on every accepted connection and
 * every monitor exit.  The source addresses are chosen by remote peers,
 * who may own whole IPv6 prefixes, so every table here has a hard upper
 * bound and is indexed by a hash keyed with a secret chosen at start-up.
 * No I/O, no clock: times and random values come from the caller.
 *
 * Each table is a pool of fixed-size entries addressed by 32-bit index,
 * chained into a power-of-two bucket array; the penalty tables also keep
 * a binary min-heap on expiry, so reclaiming expired entries and evicting
 * the soonest-to-expire one cost O(log n).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "monitor/srclimit.h"
#include "policy/config.h"
#include "policy/match.h"
#include "common/mem.h"

#define NIL		UINT32_MAX
/* An entry's key: a tag byte, then an address (or connection id). */
#define KEY_LEN		17
#define KEY_V4		4
#define KEY_V6		6
#define KEY_ID		0xff
/* First allocation of a table; it doubles up to its limit. */
#define TAB_INITIAL	16u
/* sshd's interval between "in MaxStartups throttling" lines. */
#define THROTTLE_LOG_INTERVAL	(5 * 60)
/* Longest "ADDRESS/LEN" we print. */
#define ADDRSTR_LEN	(INET6_ADDRSTRLEN + 5)

struct ent {
	uint8_t		 key[KEY_LEN];
	uint8_t		 used;
	uint8_t		 active;	/* penalties: refusing */
	uint8_t		 reason;	/* penalties: enum srclimit_reason */
	uint32_t	 next;		/* bucket chain, or free list */
	uint32_t	 aux;		/* penalties: heap slot; sources: count;
					   connections: index of the source */
	int64_t		 expiry;	/* penalties: seconds, monotonic */
};

struct tab {
	struct ent	*ents;
	uint32_t	*buckets;
	uint32_t	*heap;		/* entry indices; NULL unless ordered */
	uint32_t	 cap;		/* entries allocated */
	uint32_t	 limit;		/* cap never exceeds this */
	uint32_t	 n;		/* entries in use */
	uint32_t	 hw;		/* entries [hw, cap) were never used */
	uint32_t	 nbuckets;	/* power of two, >= cap; 0 before use */
	uint32_t	 free_head;
	bool		 ordered;	/* keep the expiry heap */
	unsigned char	 hkey[crypto_shorthash_KEYBYTES];
};

/* A peer address in the form the tables use. */
struct addr {
	int		 af;		/* AF_INET (also for mapped) or AF_INET6 */
	uint8_t		 a[16];
	unsigned int	 port;
};

struct srclimit {
	/* MaxStartups begin:rate:full */
	unsigned int	 begin, rate, full;
	/* PerSourceMaxStartups, PerSourceNetBlockSize */
	bool		 persource_on;
	unsigned int	 persource;
	int		 bits4, bits6;
	/* PerSourcePenalties */
	bool		 penalties_on;
	int		 secs[SRCLIMIT_GRACE_EXCEEDED + 1];
	int64_t		 pen_min, pen_max;
	uint32_t	 max_sources4, max_sources6;
	bool		 deny_all4, deny_all6;
	char		*exempt;	/* NULL: none */

	struct tab	 pen4, pen6;	/* netblock -> penalty */
	struct tab	 sources;	/* netblock -> unauthenticated count */
	struct tab	 conns;		/* id -> source */

	/* MaxStartups throttling state, for the log. */
	bool		 throttling;
	time_t		 first_drop, last_drop;
	unsigned int	 ndropped;
};

/* Table primitives. */

static void
tab_init(struct tab *t, uint32_t limit, bool ordered)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
	t->ordered = ordered;
	t->free_head = NIL;
	randombytes_buf(t->hkey, sizeof(t->hkey));
}

static void
tab_release(struct tab *t)
{
	free(t->ents);
	free(t->buckets);
	free(t->heap);
	sodium_memzero(t, sizeof(*t));
}

static size_t
tab_bytes(const struct tab *t)
{
	return (size_t)t->cap * sizeof(*t->ents) +
	    (size_t)t->nbuckets * sizeof(*t->buckets) +
	    (t->ordered ? (size_t)t->cap * sizeof(*t->heap) : 0);
}

static uint32_t
tab_bucket(const struct tab *t, const uint8_t *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, key, KEY_LEN, t->hkey);
	v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
	return v & (t->nbuckets - 1);
}

static void *
realloc_n(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size);
}

static void
tab_link(struct tab *t, uint32_t idx)
{
	uint32_t b = tab_bucket(t, t->ents[idx].key);

	t->ents[idx].next = t->buckets[b];
	t->buckets[b] = idx;
}

/* Room for more entries, up to the limit.  On failure nothing changed. */
static int
tab_grow(struct tab *t)
{
	struct ent *ents;
	uint32_t *heap, *buckets, newcap, nb, i;

	if (t->cap >= t->limit)
		return HS_ERR_NO_BUFFER_SPACE;
	newcap = t->cap == 0 ? TAB_INITIAL : (t->cap > t->limit / 2 ?
	    t->limit : t->cap * 2);
	if (newcap > t->limit)
		newcap = t->limit;
	for (nb = 1; nb < newcap; nb <<= 1)
		;
	if ((ents = realloc_n(t->ents, newcap, sizeof(*ents))) == NULL)
		return HS_ERR_ALLOC;
	t->ents = ents;
	if (t->ordered) {
		if ((heap = realloc_n(t->heap, newcap, sizeof(*heap))) == NULL)
			return HS_ERR_ALLOC;
		t->heap = heap;
	}
	if (nb != t->nbuckets) {
		if ((buckets = calloc(nb, sizeof(*buckets))) == NULL)
			return HS_ERR_ALLOC;
		free(t->buckets);
		t->buckets = buckets;
		t->nbuckets = nb;
		for (i = 0; i < nb; i++)
			t->buckets[i] = NIL;
		for (i = 0; i < t->hw; i++)
			if (t->ents[i].used)
				tab_link(t, i);
	}
	t->cap = newcap;
	return 0;
}

static uint32_t
tab_find(const struct tab *t, const uint8_t *key)
{
	uint32_t idx, steps = 0;

	if (t->n == 0)
		return NIL;
	for (idx = t->buckets[tab_bucket(t, key)]; idx != NIL && steps <= t->n;
	    idx = t->ents[idx].next, steps++)
		if (memcmp(t->ents[idx].key, key, KEY_LEN) == 0)
			return idx;
	return NIL;
}

/* Heap order: sooner expiry first, ties by key (as sshd's tree). */
static bool
heap_less(const struct tab *t, uint32_t a, uint32_t b)
{
	const struct ent *ea = &t->ents[a], *eb = &t->ents[b];

	if (ea->expiry != eb->expiry)
		return ea->expiry < eb->expiry;
	return memcmp(ea->key, eb->key, KEY_LEN) < 0;
}

static void
heap_set(struct tab *t, uint32_t pos, uint32_t idx)
{
	t->heap[pos] = idx;
	t->ents[idx].aux = pos;
}

static void
heap_up(struct tab *t, uint32_t pos)
{
	uint32_t idx = t->heap[pos], parent;

	while (pos > 0) {
		parent = (pos - 1) / 2;
		if (!heap_less(t, idx, t->heap[parent]))
			break;
		heap_set(t, pos, t->heap[parent]);
		pos = parent;
	}
	heap_set(t, pos, idx);
}

static void
heap_down(struct tab *t, uint32_t pos)
{
	uint32_t idx = t->heap[pos], child;

	for (;;) {
		child = 2 * pos + 1;
		if (child >= t->n || child < pos)
			break;
		if (child + 1 < t->n &&
		    heap_less(t, t->heap[child + 1], t->heap[child]))
			child++;
		if (!heap_less(t, t->heap[child], idx))
			break;
		heap_set(t, pos, t->heap[child]);
		pos = child;
	}
	heap_set(t, pos, idx);
}

/* The entry's expiry changed: restore heap order. */
static void
heap_fix(struct tab *t, uint32_t idx)
{
	uint32_t pos = t->ents[idx].aux;

	heap_up(t, pos);
	heap_down(t, t->ents[idx].aux);
}

/*
 * Add an entry for key (not present); for an ordered table it enters the
 * heap with this expiry.  Returns its index, or NIL when the table is at
 * its limit or cannot grow.
 */
static uint32_t
tab_insert(struct tab *t, const uint8_t *key, int64_t expiry)
{
	struct ent *e;
	uint32_t idx;

	if (t->free_head == NIL && t->hw == t->cap && tab_grow(t) != 0)
		return NIL;
	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = t->ents[idx].next;
	} else
		idx = t->hw++;
	e = &t->ents[idx];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, KEY_LEN);
	e->used = 1;
	e->expiry = expiry;
	tab_link(t, idx);
	t->n++;
	if (t->ordered) {
		heap_set(t, t->n - 1, idx);
		heap_up(t, t->n - 1);
	}
	return idx;
}

static void
tab_remove(struct tab *t, uint32_t idx)
{
	uint32_t *pp, pos, last;

	for (pp = &t->buckets[tab_bucket(t, t->ents[idx].key)];
	    *pp != NIL && *pp != idx; pp = &t->ents[*pp].next)
		;
	if (*pp != idx)
		fatal_f("internal error: entry %u not in its chain", idx);
	*pp = t->ents[idx].next;
	if (t->ordered) {
		pos = t->ents[idx].aux;
		last = t->heap[t->n - 1];
		t->n--;
		if (pos < t->n) {
			heap_set(t, pos, last);
			heap_fix(t, last);
		}
	} else
		t->n--;
	sodium_memzero(&t->ents[idx], sizeof(t->ents[idx]));
	t->ents[idx].next = t->free_head;
	t->free_head = idx;
}

/* Addresses. */

/* The peer's address, or false for a family that is not limited. */
static bool
addr_from_sa(const struct sockaddr *sa, socklen_t salen, struct addr *ret)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	memset(ret, 0, sizeof(*ret));
	if (sa == NULL || salen < (socklen_t)sizeof(sa->sa_family))
		return false;
	if (sa->sa_family == AF_INET) {
		if (salen < (socklen_t)sizeof(sin))
			return false;
		memcpy(&sin, sa, sizeof(sin));
		ret->af = AF_INET;
		memcpy(ret->a, &sin.sin_addr, 4);
		ret->port = ntohs(sin.sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		if (salen < (socklen_t)sizeof(sin6))
			return false;
		memcpy(&sin6, sa, sizeof(sin6));
		ret->port = ntohs(sin6.sin6_port);
		if (memcmp(sin6.sin6_addr.s6_addr, mapped,
		    sizeof(mapped)) == 0) {
			ret->af = AF_INET;
			memcpy(ret->a, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			ret->af = AF_INET6;
			memcpy(ret->a, sin6.sin6_addr.s6_addr, 16);
		}
		return true;
	}
	return false;
}

static void
addr_ntop(const struct addr *a, char *s, size_t len)
{
	if (inet_ntop(a->af, a->a, s, (socklen_t)len) == NULL)
		snprintf(s, len, "UNKNOWN");
}

static int
addr_bits(const struct srclimit *sl, const struct addr *a)
{
	return a->af == AF_INET ? sl->bits4 : sl->bits6;
}

/* The table key of a's netblock (PerSourceNetBlockSize). */
static void
addr_key(const struct srclimit *sl, const struct addr *a, uint8_t *key)
{
	int bits = addr_bits(sl, a), len = a->af == AF_INET ? 4 : 16, i;

	memset(key, 0, KEY_LEN);
	key[0] = a->af == AF_INET ? KEY_V4 : KEY_V6;
	for (i = 0; i < len; i++) {
		if (bits >= 8)
			key[1 + i] = a->a[i];
		else if (bits > 0)
			key[1 + i] = a->a[i] & (uint8_t)(0xff00 >> bits);
		bits = bits > 8 ? bits - 8 : 0;
	}
}

static void
id_key(int id, uint8_t *key)
{
	uint32_t v = (uint32_t)id;

	memset(key, 0, KEY_LEN);
	key[0] = KEY_ID;
	key[1] = (uint8_t)(v >> 24);
	key[2] = (uint8_t)(v >> 16);
	key[3] = (uint8_t)(v >> 8);
	key[4] = (uint8_t)v;
}

/* "ADDRESS/LEN", as sshd prints a penalised source. */
static void
addr_masklen_ntop(const struct srclimit *sl, const struct addr *a, char *s,
    size_t len)
{
	char ntop[INET6_ADDRSTRLEN];

	addr_ntop(a, ntop, sizeof(ntop));
	snprintf(s, len, "%s/%d", ntop, addr_bits(sl, a));
}

/* Print a table key (a netblock) as "ADDRESS/LEN". */
static void
key_masklen_ntop(const struct srclimit *sl, const uint8_t *key, char *s,
    size_t len)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	a.af = key[0] == KEY_V4 ? AF_INET : AF_INET6;
	memcpy(a.a, key + 1, 16);
	addr_masklen_ntop(sl, &a, s, len);
}

static bool
is_exempt(const struct srclimit *sl, const struct addr *a)
{
	char ntop[INET6_ADDRSTRLEN];

	if (sl->exempt == NULL)
		return false;
	addr_ntop(a, ntop, sizeof(ntop));
	return match_addr_list(ntop, sl->exempt) == MATCH_YES;
}

/* Life cycle. */

static uint32_t
clamp_u32(int v, uint32_t max)
{
	if (v < 0)
		return 0;
	return (uint32_t)v > max ? max : (uint32_t)v;
}

struct srclimit *
srclimit_new(const struct hs_config *cfg)
{
	struct srclimit *sl = NULL;
	uint32_t tracked;

	if (cfg == NULL || !cfg->finished || sodium_init() < 0 ||
	    cfg->max_startups_begin < 0 || cfg->max_startups_rate < 0 ||
	    cfg->max_startups < cfg->max_startups_begin ||
	    cfg->per_source_masklen_ipv4 < 0 ||
	    cfg->per_source_masklen_ipv4 > 32 ||
	    cfg->per_source_masklen_ipv6 < 0 ||
	    cfg->per_source_masklen_ipv6 > 128)
		return NULL;
	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return NULL;
	sl->begin = (unsigned int)cfg->max_startups_begin;
	sl->rate = (unsigned int)cfg->max_startups_rate;
	sl->full = (unsigned int)cfg->max_startups;
	sl->persource_on = cfg->per_source_max_startups != CONFIG_NO_LIMIT &&
	    cfg->per_source_max_startups >= 0;
	sl->persource = sl->persource_on ?
	    (unsigned int)cfg->per_source_max_startups : 0;
	sl->bits4 = cfg->per_source_masklen_ipv4;
	sl->bits6 = cfg->per_source_masklen_ipv6;
	sl->penalties_on = cfg->penalty_enabled == 1;
	sl->secs[SRCLIMIT_NONE] = 0;
	sl->secs[SRCLIMIT_CRASH] = cfg->penalty_crash;
	sl->secs[SRCLIMIT_AUTHFAIL] = cfg->penalty_authfail;
	sl->secs[SRCLIMIT_INVALIDUSER] = cfg->penalty_invaliduser;
	sl->secs[SRCLIMIT_NOAUTH] = cfg->penalty_noauth;
	sl->secs[SRCLIMIT_GRACE_EXCEEDED] = cfg->penalty_grace_exceeded;
	sl->pen_min = cfg->penalty_min;
	sl->pen_max = cfg->penalty_max;
	sl->max_sources4 = clamp_u32(cfg->penalty_max_sources4,
	    SRCLIMIT_PENALTY_SOURCES_MAX);
	sl->max_sources6 = clamp_u32(cfg->penalty_max_sources6,
	    SRCLIMIT_PENALTY_SOURCES_MAX);
	sl->deny_all4 = cfg->penalty_overflow == CONFIG_OVERFLOW_DENY_ALL;
	sl->deny_all6 = cfg->penalty_overflow6 == CONFIG_OVERFLOW_DENY_ALL;
	if (cfg->per_source_penalty_exempt != NULL &&
	    (sl->exempt = strdup(cfg->per_source_penalty_exempt)) == NULL) {
		free(sl);
		return NULL;
	}
	/*
	 * Permissive overflow inserts first and then evicts, as sshd does,
	 * so a penalty table briefly holds one entry more than its maximum.
	 */
	tab_init(&sl->pen4, sl->max_sources4 + 1, true);
	tab_init(&sl->pen6, sl->max_sources6 + 1, true);
	tracked = clamp_u32(cfg->max_startups, SRCLIMIT_TRACKED_MAX);
	if (tracked == 0)
		tracked = 1;
	tab_init(&sl->sources, tracked, false);
	tab_init(&sl->conns, tracked, false);
	if (sl->persource_on)
		debug_f("max connections %u, per source %u, masks %d,%d",
		    sl->full, sl->persource, sl->bits4, sl->bits6);
	return sl;
}

void
srclimit_free(struct srclimit *sl)
{
	if (sl == NULL)
		return;
	tab_release(&sl->pen4);
	tab_release(&sl->pen6);
	tab_release(&sl->sources);
	tab_release(&sl->conns);
	free(sl->exempt);
	freezero(sl, sizeof(*sl));
}

/* MaxStartups. */

bool
srclimit_should_drop_startup(struct srclimit *sl, unsigned int n,
    uint32_t random)
{
	unsigned long long p;
	unsigned int r;

	if (n < sl->begin)
		return false;
	if (n >= sl->full)
		return true;
	if (sl->rate >= 100)
		return true;
	/* begin <= n < full here, so the divisor is positive. */
	p = (unsigned long long)(100 - sl->rate) * (n - sl->begin) /
	    (sl->full - sl->begin) + sl->rate;
	r = random % 100;
	debug_f("p %llu, r %u", p, r);
	return r < p;
}

/* PerSourceMaxStartups. */

bool
srclimit_check_open(struct srclimit *sl, const struct sockaddr *sa,
    socklen_t salen, int id)
{
	uint8_t key[KEY_LEN], idkey[KEY_LEN];
	char ntop[INET6_ADDRSTRLEN];
	struct addr a;
	uint32_t src, conn, count;

	if (!sl->persource_on)
		return true;
	if (id < 0)
		return false;
	if (!addr_from_sa(sa, salen, &a))
		return true;
	id_key(id, idkey);
	if (tab_find(&sl->conns, idkey) != NIL) {
		error_f("connection id %d is already tracked", id);
		return false;
	}
	addr_key(sl, &a, key);
	src = tab_find(&sl->sources, key);
	count = src == NIL ? 0 : sl->sources.ents[src].aux;
	addr_ntop(&a, ntop, sizeof(ntop));
	debug3_f("new unauthenticated connection from %s/%d, at %u of %u",
	    ntop, addr_bits(sl, &a), count, sl->persource);
	if (sl->conns.n >= sl->conns.limit) {
		debug3_f("no free slot");
		return false;
	}
	if (count >= sl->persource)
		return false;
	if (src == NIL &&
	    (src = tab_insert(&sl->sources, key, 0)) == NIL) {
		error_f("cannot track connection from %s: out of memory",
		    ntop);
		return false;
	}
	if ((conn = tab_insert(&sl->conns, idkey, 0)) == NIL) {
		error_f("cannot track connection from %s: out of memory",
		    ntop);
		if (count == 0)
			tab_remove(&sl->sources, src);
		return false;
	}
	sl->conns.ents[conn].aux = src;
	sl->sources.ents[src].aux = count + 1;
	return true;
}

void
srclimit_done(struct srclimit *sl, int id)
{
	uint8_t idkey[KEY_LEN];
	uint32_t conn, src;

	if (sl == NULL || !sl->persource_on || id < 0)
		return;
	id_key(id, idkey);
	if ((conn = tab_find(&sl->conns, idkey)) == NIL)
		return;
	debug_f("id %d", id);
	src = sl->conns.ents[conn].aux;
	tab_remove(&sl->conns, conn);
	if (--sl->sources.ents[src].aux == 0)
		tab_remove(&sl->sources, src);
}

/* PerSourcePenalties. */

const char *
srclimit_reason_str(enum srclimit_reason reason)
{
	switch (reason) {
	case SRCLIMIT_CRASH:
		return "penalty: caused crash";
	case SRCLIMIT_AUTHFAIL:
		return "penalty: failed authentication";
	case SRCLIMIT_INVALIDUSER:
		return "penalty: attempted authentication by invalid user";
	case SRCLIMIT_NOAUTH:
		return "penalty: connections without attempting "
		    "authentication";
	case SRCLIMIT_GRACE_EXCEEDED:
		return "penalty: exceeded LoginGraceTime";
	case SRCLIMIT_NONE:
		break;
	}
	return "no penalty";
}

enum srclimit_reason
srclimit_reason_from_exit(int status, bool signalled)
{
	if (signalled) {
		switch (status) {
		case SIGSEGV:
		case SIGBUS:
		case SIGTRAP:
		case SIGSYS:
		case SIGFPE:
		case SIGILL:
		case SIGABRT:
			return SRCLIMIT_CRASH;
		default:
			return SRCLIMIT_NONE;
		}
	}
	switch (status) {
	case HELPER_EXIT_OK:
	case HELPER_EXIT_AUTHENTICATED:
		return SRCLIMIT_NONE;
	case HELPER_EXIT_AUTHFAIL:
		return SRCLIMIT_AUTHFAIL;
	case HELPER_EXIT_INVALIDUSER:
		return SRCLIMIT_INVALIDUSER;
	case HELPER_EXIT_TIMEOUT:
		return SRCLIMIT_GRACE_EXCEEDED;
	case HELPER_EXIT_CRASH:
		return SRCLIMIT_CRASH;
	default:
		/* sshd: any other status means "left without trying"
		 * (HELPER_EXIT_NOAUTH, CLOSED, DISCONNECTED, REFUSED and
		 * fatal()'s HELPER_EXIT_INTERNAL among them). */
		return SRCLIMIT_NOAUTH;
	}
}

/* Drop every penalty that expired before now. */
static void
expire_tab(struct tab *t, time_t now)
{
	while (t->n > 0 && t->ents[t->heap[0]].expiry < (int64_t)now)
		tab_remove(t, t->heap[0]);
}

static void
expire_penalties(struct srclimit *sl, time_t now)
{
	expire_tab(&sl->pen4, now);
	expire_tab(&sl->pen6, now);
}

/* Permissive overflow: drop the soonest-to-expire penalties. */
static void
early_expire(struct srclimit *sl, struct tab *t, uint32_t max, const char *fam)
{
	char s[ADDRSTR_LEN];

	while (t->n > max) {
		key_masklen_ntop(sl, t->ents[t->heap[0]].key, s, sizeof(s));
		debug3_f("%s overflow, remove %s", fam, s);
		tab_remove(t, t->heap[0]);
	}
}

int
srclimit_penalise(struct srclimit *sl, const struct sockaddr *sa,
    socklen_t salen, enum srclimit_reason reason, time_t now)
{
	char netmask[ADDRSTR_LEN], ntop[INET6_ADDRSTRLEN];
	uint8_t key[KEY_LEN];
	struct addr a;
	struct tab *t;
	struct ent *e;
	const char *fam;
	uint32_t idx, max;
	int64_t secs, left;
	bool v4;

	if ((unsigned int)reason > SRCLIMIT_GRACE_EXCEEDED)
		return HS_ERR_INVALID_ARGUMENT;
	if (!sl->penalties_on || reason == SRCLIMIT_NONE ||
	    !addr_from_sa(sa, salen, &a))
		return 0;
	if (is_exempt(sl, &a)) {
		addr_ntop(&a, ntop, sizeof(ntop));
		debug3_f("address %s is exempt", ntop);
		return 0;
	}
	if ((secs = sl->secs[reason]) <= 0)
		return 0;
	addr_key(sl, &a, key);
	addr_masklen_ntop(sl, &a, netmask, sizeof(netmask));
	expire_penalties(sl, now);
	v4 = a.af == AF_INET;
	t = v4 ? &sl->pen4 : &sl->pen6;
	max = v4 ? sl->max_sources4 : sl->max_sources6;
	fam = v4 ? "ipv4" : "ipv6";
	if (t->n >= max && (v4 ? sl->deny_all4 : sl->deny_all6)) {
		verbose_f("%s penalty table full, cannot penalise %s for %s",
		    fam, netmask, srclimit_reason_str(reason));
		return 0;
	}
	if ((idx = tab_find(t, key)) == NIL) {
		if ((idx = tab_insert(t, key, (int64_t)now + secs)) == NIL) {
			error_f("%s penalty table cannot grow: penalty for %s "
			    "lost", fam, netmask);
			return HS_ERR_ALLOC;
		}
		e = &t->ents[idx];
		e->reason = (uint8_t)reason;
		e->active = secs > sl->pen_min;
		log_msg(e->active ? LOG_LEVEL_INFO : LOG_LEVEL_VERBOSE,
		    LOG_SITE(true), 0,
		    "%s: new %s %s penalty of %.3f seconds for %s", fam,
		    netmask, e->active ? "active" : "deferred", (double)secs,
		    srclimit_reason_str(reason));
		if (t->n > max)
			early_expire(sl, t, max, fam);
		return 0;
	}
	e = &t->ents[idx];
	debug_f("%s penalty for %s %s already exists, %lld seconds remaining",
	    e->active ? "active" : "inactive", fam, netmask,
	    (long long)(e->expiry - now));
	/* Accumulate, up to max from now. */
	e->expiry += secs;
	if (e->expiry - now > sl->pen_max)
		e->expiry = (int64_t)now + sl->pen_max;
	left = e->expiry - now;
	if (left > sl->pen_min && !e->active) {
		logit_f("%s: activating %s penalty of %.3f seconds for %s",
		    netmask, fam, (double)left, srclimit_reason_str(reason));
		e->active = 1;
	}
	e->reason = (uint8_t)reason;
	heap_fix(t, idx);
	return 0;
}

bool
srclimit_penalty_check(struct srclimit *sl, const struct sockaddr *sa,
    socklen_t salen, time_t now, const char **ret_reason)
{
	uint8_t key[KEY_LEN];
	struct addr a;
	struct tab *t;
	uint32_t idx, max;
	bool v4;

	if (ret_reason != NULL)
		*ret_reason = NULL;
	if (!sl->penalties_on || !addr_from_sa(sa, salen, &a) ||
	    is_exempt(sl, &a))
		return false;
	expire_penalties(sl, now);
	v4 = a.af == AF_INET;
	t = v4 ? &sl->pen4 : &sl->pen6;
	max = v4 ? sl->max_sources4 : sl->max_sources6;
	if (t->n >= max && (v4 ? sl->deny_all4 : sl->deny_all6)) {
		if (ret_reason != NULL)
			*ret_reason = "too many penalised addresses";
		return true;
	}
	addr_key(sl, &a, key);
	if ((idx = tab_find(t, key)) == NIL || !t->ents[idx].active)
		return false;
	if (ret_reason != NULL)
		*ret_reason = srclimit_reason_str(
		    (enum srclimit_reason)t->ents[idx].reason);
	return true;
}

/* The whole decision on accept, with sshd's log lines. */

/* sshd's fmt_timeframe: "HH:MM:SS", "DdHHhMMm" or "WWwDdHHh". */
static void
fmt_timeframe(time_t t, char *s, size_t len)
{
	unsigned long long v = t < 0 ? 0 : (unsigned long long)t;
	unsigned long long sec, min, hrs, day, week;

	sec = v % 60;
	min = v / 60 % 60;
	hrs = v / 3600 % 24;
	day = v / 86400 % 7;
	week = v / 604800;
	if (v < 86400)
		snprintf(s, len, "%02llu:%02llu:%02llu", hrs, min, sec);
	else if (v < 604800)
		snprintf(s, len, "%llud%02lluh%02llum", day, hrs, min);
	else
		snprintf(s, len, "%02lluw%01llud%02lluh", week, day, hrs);
}

enum srclimit_verdict
srclimit_accept(struct srclimit *sl, const struct sockaddr *peer,
    socklen_t peerlen, const struct sockaddr *local, socklen_t locallen,
    unsigned int startups, int id, uint32_t random, time_t now)
{
	char raddr[INET6_ADDRSTRLEN], laddr[INET6_ADDRSTRLEN], tf[32];
	enum log_level level = LOG_LEVEL_VERBOSE;
	enum srclimit_verdict verdict;
	const char *reason = NULL;
	struct addr ra, la;

	if (srclimit_penalty_check(sl, peer, peerlen, now, &reason)) {
		level = LOG_LEVEL_INFO;
		verdict = SRCLIMIT_DROP_PENALTY;
		goto drop;
	}
	if (!srclimit_should_drop_startup(sl, startups, random) &&
	    srclimit_check_open(sl, peer, peerlen, id)) {
		/* sshd's hysteresis: leave throttling below begin - 1. */
		if (sl->throttling &&
		    (long long)startups < (long long)sl->begin - 1) {
			fmt_timeframe(now - sl->first_drop, tf, sizeof(tf));
			logit("exited MaxStartups throttling after %s, "
			    "%u connections dropped", tf, sl->ndropped);
			sl->throttling = false;
		}
		return SRCLIMIT_ACCEPT;
	}
	if (!sl->throttling) {
		error("beginning MaxStartups throttling");
		level = LOG_LEVEL_INFO;
		sl->throttling = true;
		sl->first_drop = now;
		sl->ndropped = 0;
	} else if (sl->last_drop + THROTTLE_LOG_INTERVAL < now) {
		fmt_timeframe(now - sl->first_drop, tf, sizeof(tf));
		error("in MaxStartups throttling for %s, "
		    "%u connections dropped", tf, sl->ndropped + 1);
		level = LOG_LEVEL_INFO;
	}
	sl->last_drop = now;
	sl->ndropped++;
	reason = "past Maxstartups";	/* sic, as sshd */
	verdict = SRCLIMIT_DROP_STARTUPS;
 drop:
	if (addr_from_sa(peer, peerlen, &ra))
		addr_ntop(&ra, raddr, sizeof(raddr));
	else
		snprintf(raddr, sizeof(raddr), "UNKNOWN");
	if (addr_from_sa(local, locallen, &la))
		addr_ntop(&la, laddr, sizeof(laddr));
	else
		snprintf(laddr, sizeof(laddr), "UNKNOWN");
	log_msg(level, LOG_SITE(false), 0, "drop connection #%u from [%s]:%u on [%s]:%u "
	    "%s", startups, raddr, ra.port, laddr, la.port, reason);
	return verdict;
}

/* Diagnostics. */

void
srclimit_get_stats(const struct srclimit *sl, struct srclimit_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->penalties4 = sl->pen4.n;
	st->penalties6 = sl->pen6.n;
	st->sources = sl->sources.n;
	st->tracked = sl->conns.n;
	st->slots4 = sl->pen4.cap;
	st->slots6 = sl->pen6.cap;
	st->bytes = tab_bytes(&sl->pen4) + tab_bytes(&sl->pen6) +
	    tab_bytes(&sl->sources) + tab_bytes(&sl->conns);
}

static int
tab_check(const struct tab *t)
{
	uint32_t b, idx, steps, used = 0, chained = 0, nfree = 0, i, c;

	if (t->cap > t->limit || t->hw > t->cap || t->n > t->hw ||
	    (t->cap > 0 && t->nbuckets < t->cap) ||
	    (t->nbuckets & (t->nbuckets - 1)) != 0)
		return HS_ERR_INTERNAL;
	for (i = 0; i < t->hw; i++)
		if (t->ents[i].used) {
			used++;
			if (tab_find(t, t->ents[i].key) != i)
				return HS_ERR_INTERNAL;
		}
	if (used != t->n)
		return HS_ERR_INTERNAL;
	for (b = 0; b < t->nbuckets; b++) {
		for (idx = t->buckets[b], steps = 0; idx != NIL;
		    idx = t->ents[idx].next) {
			if (idx >= t->hw || !t->ents[idx].used ||
			    tab_bucket(t, t->ents[idx].key) != b ||
			    ++steps > t->n)
				return HS_ERR_INTERNAL;
			chained++;
		}
	}
	if (chained != t->n)
		return HS_ERR_INTERNAL;
	for (idx = t->free_head; idx != NIL; idx = t->ents[idx].next) {
		if (idx >= t->hw || t->ents[idx].used || ++nfree > t->hw)
			return HS_ERR_INTERNAL;
	}
	if (nfree != t->hw - t->n)
		return HS_ERR_INTERNAL;
	if (!t->ordered)
		return 0;
	for (i = 0; i < t->n; i++) {
		idx = t->heap[i];
		if (idx >= t->hw || !t->ents[idx].used || t->ents[idx].aux != i)
			return HS_ERR_INTERNAL;
		for (c = 2 * i + 1; c <= 2 * i + 2 && c < t->n; c++)
			if (heap_less(t, t->heap[c], idx))
				return HS_ERR_INTERNAL;
	}
	return 0;
}

int
srclimit_check_consistency(const struct srclimit *sl)
{
	uint32_t i, src, sum = 0;
	int r;

	if ((r = tab_check(&sl->pen4)) != 0 ||
	    (r = tab_check(&sl->pen6)) != 0 ||
	    (r = tab_check(&sl->sources)) != 0 ||
	    (r = tab_check(&sl->conns)) != 0)
		return r;
	if (sl->pen4.n > sl->max_sources4 || sl->pen6.n > sl->max_sources6)
		return HS_ERR_INTERNAL;
	for (i = 0; i < sl->pen4.hw; i++)
		if (sl->pen4.ents[i].used && sl->pen4.ents[i].key[0] != KEY_V4)
			return HS_ERR_INTERNAL;
	for (i = 0; i < sl->pen6.hw; i++)
		if (sl->pen6.ents[i].used && sl->pen6.ents[i].key[0] != KEY_V6)
			return HS_ERR_INTERNAL;
	for (i = 0; i < sl->conns.hw; i++) {
		if (!sl->conns.ents[i].used)
			continue;
		src = sl->conns.ents[i].aux;
		if (src >= sl->sources.hw || !sl->sources.ents[src].used)
			return HS_ERR_INTERNAL;
	}
	for (i = 0; i < sl->sources.hw; i++) {
		if (!sl->sources.ents[i].used)
			continue;
		if (sl->sources.ents[i].aux == 0 ||
		    sl->sources.ents[i].aux > sl->persource)
			return HS_ERR_INTERNAL;
		sum += sl->sources.ents[i].aux;
	}
	return sum == sl->conns.n ? 0 : HS_ERR_INTERNAL;
}
