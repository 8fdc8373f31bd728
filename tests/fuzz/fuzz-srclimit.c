/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the listener's connection policy
 * (monitor/srclimit.c).  It is not a parser, but its tables are driven by
 * addresses remote peers choose, so the input is read as a program: the
 * first byte picks one of a few small configurations (tiny max-sources,
 * deny-all or permissive, netblock sizes, PerSourceMaxStartups), every
 * following op penalises, checks, opens, ends or accepts a connection
 * from an address the input spells out (IPv4, IPv6, IPv4-mapped, a Unix
 * socket, a truncated sockaddr), or moves the clock.  After every op the
 * tables must pass srclimit_check_consistency and stay within their
 * bounds; anything else aborts.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/log.h"
#include "monitor/srclimit.h"
#include "policy/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each variant with the bounds the tables must keep. */
static const struct {
	const char	*text;
	size_t		 max4, max6, tracked;
} variants[] = {
	{ "PerSourceMaxStartups 2\nMaxStartups 3:50:6\n"
	  "PerSourcePenalties max-sources4:3 max-sources6:2 min:3 max:20\n",
	  3, 2, 6 },
	{ "PerSourceMaxStartups 1\nPerSourceNetBlockSize 24:64\n"
	  "MaxStartups 10\nPerSourcePenalties max-sources4:4 "
	  "max-sources6:4 overflow:deny-all crash:5 authfail:2 noauth:1 "
	  "min:0 max:7\nPerSourcePenaltyExemptList 10.0.0.0/8,::1\n",
	  4, 4, 10 },
	{ "PerSourceNetBlockSize 0:1\nPerSourcePenalties max-sources4:1 "
	  "max-sources6:1 overflow6:deny-all\n", 1, 1, 100 },
	{ "PerSourceMaxStartups 3\nPerSourceNetBlockSize 31:127\n"
	  "MaxStartups 1:100:20\nPerSourcePenalties no\n", 0, 0, 20 },
};
#define NVARIANTS	(sizeof(variants) / sizeof(variants[0]))
static struct hs_config *configs[NVARIANTS];

static void
discard(enum log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *err = NULL;
	size_t i;

	(void)argc;
	(void)argv;
	/* Format every line, debug included, but print none. */
	log_init("fuzz-srclimit", LOG_LEVEL_DEBUG3, LOG_AUTH, true);
	log_set_handler(discard, NULL);
	for (i = 0; i < NVARIANTS; i++) {
		if ((configs[i] = config_new()) == NULL ||
		    config_load_buffer(configs[i], "fuzz", variants[i].text,
		    strlen(variants[i].text), &err) != 0 ||
		    config_finish(configs[i], &err) != 0)
			abort();
	}
	return 0;
}

struct input {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
take8(struct input *in)
{
	uint8_t v;

	if (in->left == 0)
		return 0;
	v = in->p[0];
	in->p++;
	in->left--;
	return v;
}

static uint32_t
take32(struct input *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | take8(in);
	return v;
}

/* An address spelled by the input; *len 0 means "none". */
static void
take_addr(struct input *in, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	uint8_t kind = take8(in);
	int i;

	memset(ss, 0, sizeof(*ss));
	switch (kind % 6) {
	case 0:
	case 1:
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		for (i = 0; i < 4; i++)
			((uint8_t *)&sin.sin_addr)[i] = take8(in);
		sin.sin_port = (in_port_t)take32(in);
		memcpy(ss, &sin, sizeof(sin));
		*len = sizeof(sin);
		break;
	case 2:
	case 3:
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		if (kind % 6 == 3) {
			/* IPv4-mapped */
			sin6.sin6_addr.s6_addr[10] = 0xff;
			sin6.sin6_addr.s6_addr[11] = 0xff;
			for (i = 12; i < 16; i++)
				sin6.sin6_addr.s6_addr[i] = take8(in);
		} else
			for (i = 0; i < 16; i++)
				sin6.sin6_addr.s6_addr[i] = take8(in);
		memcpy(ss, &sin6, sizeof(sin6));
		*len = sizeof(sin6);
		break;
	case 4:
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(ss, &sun, sizeof(sun));
		*len = sizeof(sun);
		break;
	default:
		/* A family with a length too short for it. */
		ss->ss_family = (kind & 0x80) ? AF_INET6 : AF_INET;
		*len = take8(in) % 28;
		break;
	}
}

static void
check(struct srclimit *sl, size_t v)
{
	struct srclimit_stats st;

	if (srclimit_check_consistency(sl) != 0)
		abort();
	srclimit_get_stats(sl, &st);
	if (st.penalties4 > variants[v].max4 ||
	    st.penalties6 > variants[v].max6 ||
	    st.tracked > variants[v].tracked || st.sources > st.tracked)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct sockaddr_storage ss, ls;
	socklen_t len, llen;
	struct srclimit *sl;
	time_t now = 0;
	size_t v;
	uint8_t op;
	int id;

	v = take8(&in) % NVARIANTS;
	if ((sl = srclimit_new(configs[v])) == NULL)
		abort();
	while (in.left > 0) {
		op = take8(&in);
		switch (op % 7) {
		case 0:
			take_addr(&in, &ss, &len);
			if (srclimit_penalise(sl, (struct sockaddr *)&ss, len,
			    (enum srclimit_reason)(take8(&in) % 6), now) != 0)
				abort();
			break;
		case 1:
			take_addr(&in, &ss, &len);
			(void)srclimit_penalty_check(sl, (struct sockaddr *)&ss,
			    len, now, NULL);
			break;
		case 2:
			take_addr(&in, &ss, &len);
			(void)srclimit_check_open(sl, (struct sockaddr *)&ss,
			    len, (int)(take8(&in) % 32) - 1);
			break;
		case 3:
			id = (int)(take8(&in) % 32) - 1;
			srclimit_done(sl, id);
			srclimit_done(sl, id);
			break;
		case 4:
			now += take8(&in) % 16;
			break;
		case 5:
			take_addr(&in, &ss, &len);
			take_addr(&in, &ls, &llen);
			(void)srclimit_accept(sl, (struct sockaddr *)&ss, len,
			    (struct sockaddr *)&ls, llen, take8(&in),
			    (int)(take8(&in) % 32), take32(&in), now);
			break;
		default:
			(void)srclimit_should_drop_startup(sl, take32(&in),
			    take32(&in));
			(void)srclimit_reason_from_exit((int)take32(&in),
			    (op & 0x80) != 0);
			break;
		}
		check(sl, v);
	}
	srclimit_free(sl);
	return 0;
}
