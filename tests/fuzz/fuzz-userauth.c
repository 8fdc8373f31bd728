/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the pre-auth child's ssh-userauth parser
 * (preauth/userauth.c, linked as it is): the input is a client's
 * USERAUTH_REQUEST and USERAUTH_INFO_RESPONSE payloads (raw, or built
 * from the input to reach deep into each method) interleaved with the
 * fake monitor's answers (tests/fuzz/userauth-fakes.h).  Besides
 * sanitizer reports, every exchange is checked against RFC 4252/4256 and
 * the hand-over contract:
 *
 *  - a request that returns has exactly one answer (FAILURE, PK_OK or
 *    INFO_REQUEST, after a BANNER for the first one);
 *  - USERAUTH_SUCCESS only on the monitor's AUTH_SUCCESS, flushed before
 *    the transport is handed over, and nothing after it;
 *  - PK_OK only for a publickey query the monitor said PK_OK to, echoing
 *    the algorithm and blob it was asked about;
 *  - partial success only on AUTH_PARTIAL; the quiet disconnect only on
 *    AUTH_DISCONNECT; prompts as many as the monitor sent;
 *  - a change of user or service, and an INFO_RESPONSE outside a
 *    conversation, disconnect without asking the monitor anything;
 *  - what the client sent as a password is what the monitor is asked.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/authproto.h"
#include "common/bounds.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/ssh2.h"
#include "preauth/transport-priv.h"
#include "tests/fuzz/userauth-fakes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Messages per input: each is at least two bytes anyway. */
#define FZ_MESSAGES_MAX	64

static const char *const fz_users[] = { "root", "alice", "" };
static const char *const fz_methods[] = {
	"none", "publickey", "password", "keyboard-interactive", "hostbased",
};
static const char *const fz_algs[] = {
	"ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void __attribute__((noreturn, format(printf, 1, 2)))
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz-userauth: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char **argv[])
{
	const char *lvl = getenv("HSSHD_FUZZ_LOG");

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	/* Quiet unless asked (HSSHD_FUZZ_LOG=debug3 to follow an input). */
	log_init("fuzz-userauth", lvl != NULL ? log_level_from_name(lvl) :
	    LOG_LEVEL_QUIET, -1, true);
	log_set_fatal_cleanup(abort);
	return 0;
}

/* A string from the input: up to 127 bytes, or up to 2032 in steps of
 * 16 (past every bound of the parser). */
static void
fz_put_string(struct buf *b, char *copy, size_t copylen)
{
	const uint8_t *p;
	size_t want, n;
	uint8_t l = uaf_in_u8();

	want = (l & 0x80) != 0 ? (size_t)(l & 0x7f) * 16 : l;
	n = uaf_in_take(want, &p);
	if (buf_put_string(b, p, n) != 0)
		abort();
	if (copy != NULL) {
		n = n < copylen - 1 ? n : copylen - 1;
		memcpy(copy, p, n);
		copy[n] = '\0';
	}
}

static void
fz_put_cstring(struct buf *b, const char *s)
{
	if (buf_put_cstring(b, s) != 0)
		abort();
}

/* What the harness built (for the checks afterwards). */
struct fz_built {
	bool	 password;		/* a well-formed password request */
	char	 pass[UAF_TEXT_MAX];
};

/* A USERAUTH_REQUEST payload from the input's choices. */
static void
fz_build_request(struct buf *b, struct fz_built *built)
{
	uint8_t f = uaf_in_u8(), g = uaf_in_u8(), h;
	size_t method = g % (NELEM(fz_methods) + 1);
	const uint8_t *p;
	size_t n;

	if ((f & 3) < NELEM(fz_users))
		fz_put_cstring(b, fz_users[f & 3]);
	else
		fz_put_string(b, NULL, 0);
	fz_put_cstring(b, (f & 4) != 0 ? "ssh-userauth" : "ssh-connection");
	if (method < NELEM(fz_methods))
		fz_put_cstring(b, fz_methods[method]);
	else
		fz_put_string(b, NULL, 0);
	h = uaf_in_u8();
	switch (method) {
	case 1:		/* publickey */
		if (buf_put_bool(b, (h & 1) != 0) != 0)
			abort();
		if (((h >> 1) & 3) < NELEM(fz_algs))
			fz_put_cstring(b, fz_algs[(h >> 1) & 3]);
		else
			fz_put_string(b, NULL, 0);
		fz_put_string(b, NULL, 0);		/* blob */
		if ((h & 1) != 0)
			fz_put_string(b, NULL, 0);	/* signature */
		break;
	case 2:		/* password */
		if (buf_put_bool(b, (h & 1) != 0) != 0)
			abort();
		fz_put_string(b, built->pass, sizeof(built->pass));
		if ((h & 1) != 0)
			fz_put_string(b, NULL, 0);
		built->password = true;
		break;
	case 3:		/* keyboard-interactive: language, submethods */
		if ((h & 1) != 0)
			fz_put_string(b, NULL, 0);
		else
			fz_put_cstring(b, "");
		fz_put_string(b, NULL, 0);
		break;
	default:
		break;
	}
	/* Sometimes a byte short or a few too many. */
	if ((f & 0x10) != 0 && buf_len(b) > 0) {
		(void)buf_consume_end(b, 1);
		built->password = false;
	}
	if ((f & 0x20) != 0) {
		n = uaf_in_take(uaf_in_u8() % 8, &p);
		if (buf_put(b, p, n) != 0)
			abort();
		built->password = false;
	}
}

/* A USERAUTH_INFO_RESPONSE payload: as many answers as prompts, or a
 * count of the input's choosing. */
static void
fz_build_info_response(struct buf *b)
{
	uint8_t f = uaf_in_u8();
	uint32_t n, i;

	n = (f & 1) != 0 ? (uint32_t)(f >> 1) : uaf.last_nprompts;
	if (buf_put_u32(b, n) != 0)
		abort();
	for (i = 0; i < n && i < KBD_PROMPTS_MAX + 2; i++)
		fz_put_string(b, NULL, 0);
}

/* user, service, method of a request payload, if they parse. */
static bool
fz_peek_request(const struct buf *payload, char **user, char **service)
{
	struct buf *b = buf_from(buf_ptr(payload), buf_len(payload));
	bool ok;

	*user = *service = NULL;
	ok = b != NULL &&
	    buf_get_cstring(b, AUTH_USER_MAX, user, NULL) == 0 &&
	    buf_get_cstring(b, 64, service, NULL) == 0 &&
	    buf_skip_string(b, 64) == 0;
	buf_free(b);
	if (!ok) {
		free(*user);
		free(*service);
		*user = *service = NULL;
	}
	return ok;
}

/* The checks of one message's exchange. */
static void
fz_check(const struct tr *t, bool info, const struct fz_built *built,
    size_t nsent_before,
    const unsigned int calls_before[UAF_MM_COUNT], bool kbd_active_before,
    bool begun_before, const char *user, const char *service)
{
	const struct uaf_msg *m;
	size_t nsent = uaf.nsent - nsent_before, i, nbanner = 0, nreply = 0;
	unsigned int ncalls = 0;

	for (i = 0; i < UAF_MM_COUNT; i++)
		ncalls += uaf.calls[i] - calls_before[i];
	if (nsent > UAF_SENT_MAX)
		fz_fail("%zu messages for one request", nsent);
	for (i = nsent_before; i < uaf.nsent; i++) {
		m = &uaf.sent[i % UAF_SENT_MAX];
		switch (m->type) {
		case SSH2_MSG_USERAUTH_BANNER:
			if (begun_before || info || nreply != 0)
				fz_fail("banner out of place");
			nbanner++;
			break;
		case SSH2_MSG_USERAUTH_SUCCESS:
			if (uaf.last_code != AUTH_SUCCESS)
				fz_fail("SUCCESS on verdict %d", uaf.last_code);
			if (i + 1 != uaf.nsent)
				fz_fail("a message after SUCCESS");
			if (uaf.end != UAF_HANDED_OVER &&
			    !(uaf.end == UAF_DISCONNECT &&
			    uaf.last_call == UAF_MM_TRANSPORT_EXPORT))
				fz_fail("SUCCESS without a hand-over");
			nreply++;
			break;
		case SSH2_MSG_USERAUTH_FAILURE:
			if (m->partial && uaf.last_code != AUTH_PARTIAL)
				fz_fail("partial success on verdict %d",
				    uaf.last_code);
			nreply++;
			break;
		case 60:
			if (uaf.last_call == UAF_MM_PUBKEY_CHECK) {
				if (uaf.last_code != AUTH_PK_OK ||
				    strcmp(m->alg, uaf.alg) != 0 ||
				    m->bloblen != uaf.bloblen ||
				    memcmp(m->blobhash, uaf.blobhash, 32) != 0)
					fz_fail("PK_OK for another key or "
					    "verdict");
			} else if (m->nprompts != uaf.last_nprompts)
				fz_fail("%u prompts sent, %u given",
				    m->nprompts, uaf.last_nprompts);
			nreply++;
			break;
		default:
			fz_fail("message %u", m->type);
		}
	}
	switch (uaf.end) {
	case UAF_RETURNED:
		/* Every request has exactly one answer (RFC 4252 §5). */
		if (nreply != 1 || nbanner > 1)
			fz_fail("%zu answers to one request", nreply);
		break;
	case UAF_HANDED_OVER:
		m = uaf_last_sent();
		if (m == NULL || m->type != SSH2_MSG_USERAUTH_SUCCESS ||
		    !t->authenticated || uaf.flushes_at_export == 0 ||
		    uaf.export_state == NULL)
			fz_fail("hand-over without SUCCESS on the wire");
		break;
	case UAF_DISCONNECT_QUIET:
		if (uaf.last_code != AUTH_DISCONNECT ||
		    uaf.reason != SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE)
			fz_fail("quiet disconnect on verdict %d",
			    uaf.last_code);
		break;
	case UAF_DISCONNECT:
	case UAF_EXIT:
		break;
	}
	if (info && !kbd_active_before &&
	    (uaf.end != UAF_DISCONNECT || ncalls != 0))
		fz_fail("INFO_RESPONSE outside a conversation");
	if (!info && begun_before && user != NULL &&
	    (strcmp(user, t->user) != 0 || strcmp(service, t->service) != 0) &&
	    (uaf.end != UAF_DISCONNECT || ncalls != 0))
		fz_fail("change of user or service accepted");
	if (!info && !begun_before && user != NULL &&
	    uaf.calls[UAF_MM_USERAUTH_BEGIN] != calls_before[
	    UAF_MM_USERAUTH_BEGIN] && strcmp(uaf.user, user) != 0)
		fz_fail("the monitor was told another user");
	if (built->password && uaf.calls[UAF_MM_PASSWORD] !=
	    calls_before[UAF_MM_PASSWORD] && strcmp(uaf.password,
	    built->pass) != 0)
		fz_fail("the monitor was asked another password");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int calls_before[UAF_MM_COUNT];
	struct fz_built built;
	struct tr *t;
	struct buf *payload;
	const uint8_t *p;
	char *user = NULL, *service = NULL;
	size_t n, k, nsent_before;
	bool info, kbd_active_before, begun_before;
	uint8_t sel;
	enum uaf_end end = UAF_RETURNED;

	uaf_input(data, size);
	uaf_reset();
	t = uaf_tr_new();
	for (k = 0; k < FZ_MESSAGES_MAX && uaf_in_left() &&
	    end == UAF_RETURNED; k++) {
		sel = uaf_in_u8();
		info = (sel & 1) != 0;
		memset(&built, 0, sizeof(built));
		if ((payload = buf_new()) == NULL)
			abort();
		if ((sel & 0x80) == 0) {
			n = uaf_in_take(((size_t)uaf_in_u8() << 8) |
			    uaf_in_u8(), &p);
			if (buf_put(payload, p, n) != 0)
				abort();
		} else if (info)
			fz_build_info_response(payload);
		else
			fz_build_request(payload, &built);
		if (!info)
			(void)fz_peek_request(payload, &user, &service);
		memcpy(calls_before, uaf.calls, sizeof(calls_before));
		nsent_before = uaf.nsent;
		kbd_active_before = t->kbd_active;
		begun_before = t->userauth_begun;
		end = uaf_call(info ? ua_info_response : ua_request, t,
		    buf_ptr(payload), buf_len(payload));
		fz_check(t, info, &built, nsent_before, calls_before,
		    kbd_active_before, begun_before, user, service);
		free(user);
		free(service);
		user = service = NULL;
		buf_free(payload);
	}
	uaf_finish(t);
	return 0;
}
