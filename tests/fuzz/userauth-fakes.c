/* SPDX-License-Identifier: ISC */
/*
 * Test code only: fakes of the transport and the monitor client around
 * preauth/userauth.c (see userauth-fakes.h).  Runs in the test process,
 * unprivileged; the script bytes are the test's (a fuzz input).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/authproto.h"
#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "preauth/monitor-client.h"
#include "preauth/transport-priv.h"
#include "tests/fuzz/exit-fakes.h"
#include "tests/fuzz/userauth-fakes.h"

struct uaf_state uaf;

const char *const uaf_methods[] = {
	"publickey,password,keyboard-interactive",
	"publickey",
	"password,keyboard-interactive",
	"keyboard-interactive",
	"",
};
const size_t uaf_nmethods = sizeof(uaf_methods) / sizeof(uaf_methods[0]);

static const char *const uaf_banners[] = {
	"",
	"Authorised access only.\n",
	"\x1b[31mcontrol\r\ncharacters\x7f are the client's to filter\n",
};

/* What a message of type 60 must be: it depends on the exchange. */
enum uaf_60 { UAF_60_NONE, UAF_60_PK_OK, UAF_60_INFO_REQUEST };

static const uint8_t *in_p;
static size_t in_len, in_off;
static enum uaf_60 uaf_expect60;
static jmp_buf uaf_jmp;
static bool uaf_running, uaf_gone, uaf_abandoned;
static struct buf *uaf_payload;

static void __attribute__((noreturn, format(printf, 1, 2)))
uaf_bug(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "userauth-fakes: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void
uaf_input(const uint8_t *p, size_t len)
{
	in_p = p;
	in_len = len;
	in_off = 0;
}

void
uaf_reset(void)
{
	if (uaf_abandoned || uaf.export_state != NULL)
		uaf_bug("uaf_reset before uaf_finish");
	memset(&uaf, 0, sizeof(uaf));
	uaf.last_code = -1;
	uaf_expect60 = UAF_60_NONE;
	uaf_gone = false;
}

bool
uaf_in_left(void)
{
	return in_off < in_len;
}

uint8_t
uaf_in_u8(void)
{
	return in_off < in_len ? in_p[in_off++] : 0;
}

size_t
uaf_in_take(size_t max, const uint8_t **p)
{
	size_t n = in_len - in_off < max ? in_len - in_off : max;

	*p = in_p + in_off;
	in_off += n;
	return n;
}

static void
uaf_copy(char *dst, const char *src)
{
	snprintf(dst, UAF_TEXT_MAX, "%s", src != NULL ? src : "");
}

struct tr *
uaf_tr_new(void)
{
	struct tr *t = xcalloc(1, sizeof(*t));

	t->fd = -1;
	t->addr = "192.0.2.1";
	t->port = 50022;
	if (pkt_new(&t->pkt) != 0)
		uaf_bug("pkt_new");
	t->kex.first_done = true;
	t->service_accepted = true;
	return t;
}

void
uaf_finish(struct tr *t)
{
	if (t != NULL) {
		free(t->user);
		free(t->service);
		free(t->methods);
		pkt_free(t->pkt);
		free(t);
	}
	buf_free(uaf.export_state);
	uaf.export_state = NULL;
	/* userauth.c keeps nothing in static storage: what the child would
	 * have left to exit() is freed. */
	if (uaf_abandoned)
		exitf_release();
	uaf_abandoned = false;
}

enum uaf_end
uaf_call(void (*fn)(struct tr *, struct buf *), struct tr *t,
    const uint8_t *payload, size_t len)
{
	if (uaf_gone)
		uaf_bug("the process already ended");
	uaf.end = UAF_RETURNED;
	if ((uaf_payload = buf_from(payload, len)) == NULL)
		uaf_bug("out of memory");
	exitf_step_begin();
	if (setjmp(uaf_jmp) == 0) {
		uaf_running = true;
		fn(t, uaf_payload);
		exitf_step_end();
	} else {
		/* A fake exit: the real child would be gone. */
		exitf_step_abandoned();
		uaf_gone = uaf_abandoned = true;
	}
	uaf_running = false;
	buf_free(uaf_payload);
	uaf_payload = NULL;
	return uaf.end;
}

const struct uaf_msg *
uaf_last_sent(void)
{
	if (uaf.nsent == 0)
		return NULL;
	return &uaf.sent[(uaf.nsent - 1) % UAF_SENT_MAX];
}

static void __attribute__((noreturn))
uaf_leave(enum uaf_end end)
{
	if (!uaf_running)
		uaf_bug("exit outside uaf_call");
	uaf.end = end;
	longjmp(uaf_jmp, 1);
}

/* --- transport.c ------------------------------------------------------ */

void
tr_exit(struct tr *t, int status)
{
	(void)t;
	uaf.exit_status = status;
	uaf_leave(UAF_EXIT);
}

void
tr_disconnect(struct tr *t, uint32_t reason, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	(void)t;
	/* Formatted as the real one does, so bad arguments show. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uaf.reason = reason;
	uaf_leave(UAF_DISCONNECT);
}

void
tr_disconnect_quiet(struct tr *t, uint32_t reason, const char *msg)
{
	(void)t;
	if (msg == NULL)
		uaf_bug("quiet disconnect without a message");
	uaf.reason = reason;
	uaf_leave(UAF_DISCONNECT_QUIET);
}

void
tr_flush(struct tr *t)
{
	(void)t;
	uaf.flushes++;
}

struct buf *
tr_msg(uint8_t type)
{
	struct buf *b;

	if ((b = buf_new()) == NULL || buf_put_u8(b, type) != 0)
		uaf_bug("out of memory");
	return b;
}

static void
uaf_parse_failure(const struct tr *t, struct buf *b, struct uaf_msg *m)
{
	char *methods = NULL;

	if (buf_get_cstring(b, NAMELIST_MAX, &methods, NULL) != 0 ||
	    buf_get_bool_strict(b, &m->partial) != 0 || buf_get_end(b) != 0)
		uaf_bug("malformed USERAUTH_FAILURE");
	if (*methods != '\0' && !namelist_is_valid(methods, strlen(methods)))
		uaf_bug("USERAUTH_FAILURE methods \"%s\"", methods);
	/* The methods are always the monitor's latest list. */
	if (strcmp(methods, t->methods != NULL ? t->methods : "") != 0)
		uaf_bug("USERAUTH_FAILURE methods \"%s\" are not the "
		    "monitor's", methods);
	uaf_copy(m->methods, methods);
	free(methods);
}

static void
uaf_parse_pk_ok(struct buf *b, struct uaf_msg *m)
{
	const uint8_t *blob;
	char *alg = NULL;

	if (buf_get_cstring(b, NAME_MAX_LEN, &alg, NULL) != 0 ||
	    buf_get_string_direct(b, KEY_BLOB_MAX, &blob, &m->bloblen) != 0 ||
	    buf_get_end(b) != 0)
		uaf_bug("malformed USERAUTH_PK_OK");
	crypto_hash_sha256(m->blobhash, blob, m->bloblen);
	uaf_copy(m->alg, alg);
	free(alg);
}

static void
uaf_parse_info_request(struct buf *b, struct uaf_msg *m)
{
	uint32_t i;
	bool echo;

	if (buf_skip_string(b, KBD_TEXT_MAX) != 0 ||		/* name */
	    buf_skip_string(b, 4 * KBD_TEXT_MAX) != 0 ||	/* instruction */
	    buf_skip_string(b, 64) != 0 ||			/* language */
	    buf_get_u32(b, &m->nprompts) != 0 ||
	    m->nprompts > KBD_PROMPTS_MAX)
		uaf_bug("malformed USERAUTH_INFO_REQUEST");
	for (i = 0; i < m->nprompts; i++)
		if (buf_skip_string(b, KBD_TEXT_MAX) != 0 ||
		    buf_get_bool_strict(b, &echo) != 0)
			uaf_bug("malformed USERAUTH_INFO_REQUEST prompt");
	if (buf_get_end(b) != 0)
		uaf_bug("USERAUTH_INFO_REQUEST with trailing data");
}

void
tr_send(struct tr *t, struct buf *msg)
{
	struct uaf_msg *m = &uaf.sent[uaf.nsent % UAF_SENT_MAX];
	char *text = NULL;

	memset(m, 0, sizeof(*m));
	if (buf_get_u8(msg, &m->type) != 0)
		uaf_bug("empty message");
	switch (m->type) {
	case SSH2_MSG_USERAUTH_FAILURE:
		uaf_parse_failure(t, msg, m);
		break;
	case SSH2_MSG_USERAUTH_SUCCESS:
		if (buf_get_end(msg) != 0)
			uaf_bug("USERAUTH_SUCCESS with a body");
		break;
	case SSH2_MSG_USERAUTH_BANNER:
		if (buf_get_cstring(msg, RPC_MSG_MAX, &text, NULL) != 0 ||
		    buf_skip_string(msg, 64) != 0 || buf_get_end(msg) != 0)
			uaf_bug("malformed USERAUTH_BANNER");
		free(text);
		break;
	case 60:
		if (uaf_expect60 == UAF_60_PK_OK)
			uaf_parse_pk_ok(msg, m);
		else if (uaf_expect60 == UAF_60_INFO_REQUEST)
			uaf_parse_info_request(msg, m);
		else
			uaf_bug("message 60 outside publickey and "
			    "keyboard-interactive");
		break;
	default:
		uaf_bug("unexpected message %u", m->type);
	}
	uaf.nsent++;
	buf_free(msg);
}

/* --- monitor-client.c --------------------------------------------------- */

static void
uaf_called(enum uaf_mm which)
{
	if (which != UAF_MM_USERAUTH_BEGIN &&
	    uaf.calls[UAF_MM_USERAUTH_BEGIN] == 0)
		uaf_bug("monitor call %d before USERAUTH_BEGIN", (int)which);
	uaf.calls[which]++;
	uaf.last_call = which;
	uaf_expect60 = UAF_60_NONE;
}

/* The verdicts the monitor gives to each kind of request (answer-auth.c):
 * "none" and an abandoned conversation never succeed, a query is PK_OK
 * or a failure, everything else any verdict. */
static const int uaf_codes_none[] = { AUTH_FAILURE, AUTH_DISCONNECT };
static const int uaf_codes_query[] = {
	AUTH_PK_OK, AUTH_FAILURE, AUTH_DISCONNECT,
};
static const int uaf_codes_verdict[] = {
	AUTH_FAILURE, AUTH_PARTIAL, AUTH_SUCCESS, AUTH_DISCONNECT,
};
#define UAF_CODES(a)	(a), (sizeof(a) / sizeof((a)[0]))

static void
uaf_answer_auth(struct mm_auth *res, const int *codes, size_t ncodes)
{
	uint8_t code = uaf_in_u8(), m = uaf_in_u8();

	memset(res, 0, sizeof(*res));
	res->code = codes[code % ncodes];
	res->methods = xstrdup(uaf_methods[m % uaf_nmethods]);
	uaf.last_code = res->code;
	uaf_copy(uaf.last_methods, res->methods);
}

static void
uaf_answer_kbd(struct mm_kbd *kbd)
{
	uint8_t kind = uaf_in_u8(), b;
	uint32_t i;

	memset(kbd, 0, sizeof(*kbd));
	if ((kind & 1) != 0) {
		kbd->kind = KBD_RESULT;
		uaf_answer_auth(&kbd->result, UAF_CODES(uaf_codes_verdict));
		uaf.prompts_pending = false;
		return;
	}
	kbd->kind = KBD_PROMPTS;
	b = uaf_in_u8();
	kbd->n = b % (KBD_PROMPTS_MAX + 1);
	kbd->name = xstrdup((kind & 2) != 0 ? "PAM" : "");
	kbd->instruction = xstrdup((kind & 4) != 0 ?
	    "Your password has expired.\n" : "");
	for (i = 0; i < kbd->n; i++) {
		xasprintf(&kbd->prompts[i], "Prompt %u: ", (unsigned int)i);
		kbd->echo[i] = (uaf_in_u8() & 1) != 0;
	}
	uaf.last_nprompts = kbd->n;
	uaf.prompts_pending = true;
	uaf_expect60 = UAF_60_INFO_REQUEST;
}

void
mm_userauth_begin(const char *user, const char *service, char **ret_methods,
    char **ret_banner)
{
	uint8_t m, b;

	if (uaf.calls[UAF_MM_USERAUTH_BEGIN] != 0)
		uaf_bug("USERAUTH_BEGIN twice");
	if (strcmp(service, "ssh-connection") != 0)
		uaf_bug("USERAUTH_BEGIN for service %s", service);
	uaf_called(UAF_MM_USERAUTH_BEGIN);
	uaf_copy(uaf.user, user);
	uaf_copy(uaf.service, service);
	m = uaf_in_u8();
	b = uaf_in_u8();
	*ret_methods = xstrdup(uaf_methods[m % uaf_nmethods]);
	*ret_banner = xstrdup(uaf_banners[b % (sizeof(uaf_banners) /
	    sizeof(uaf_banners[0]))]);
	uaf_copy(uaf.last_methods, *ret_methods);
}

void
mm_auth_none(struct mm_auth *res)
{
	uaf_called(UAF_MM_AUTH_NONE);
	uaf_answer_auth(res, UAF_CODES(uaf_codes_none));
}

static void
uaf_pubkey(const char *alg, const uint8_t *blob, size_t bloblen)
{
	uaf_copy(uaf.alg, alg);
	uaf.bloblen = bloblen;
	crypto_hash_sha256(uaf.blobhash, blob, bloblen);
}

void
mm_pubkey_check(const char *alg, const uint8_t *blob, size_t bloblen,
    struct mm_auth *res)
{
	uaf_called(UAF_MM_PUBKEY_CHECK);
	uaf_pubkey(alg, blob, bloblen);
	uaf.had_sig = false;
	uaf_answer_auth(res, UAF_CODES(uaf_codes_query));
	uaf_expect60 = UAF_60_PK_OK;
}

void
mm_pubkey_verify(const char *alg, const uint8_t *blob, size_t bloblen,
    const uint8_t *sig, size_t siglen, struct mm_auth *res)
{
	uint8_t h[32];

	uaf_called(UAF_MM_PUBKEY_VERIFY);
	uaf_pubkey(alg, blob, bloblen);
	uaf.had_sig = true;
	/* The signature's bytes must be readable (ASan checks). */
	crypto_hash_sha256(h, sig, siglen);
	uaf_answer_auth(res, UAF_CODES(uaf_codes_verdict));
}

void
mm_password(bool change, const char *password, struct mm_auth *res)
{
	uaf_called(UAF_MM_PASSWORD);
	uaf.change = change;
	uaf_copy(uaf.password, password);
	uaf_answer_auth(res, UAF_CODES(uaf_codes_verdict));
}

void
mm_kbdint_begin(const char *submethods, struct mm_kbd *kbd)
{
	if (submethods == NULL)
		uaf_bug("KBDINT_BEGIN without submethods");
	uaf_called(UAF_MM_KBDINT_BEGIN);
	uaf_answer_kbd(kbd);
}

void
mm_kbdint_respond(char *const *answers, uint32_t n, struct mm_kbd *kbd)
{
	uint32_t i;

	if (!uaf.prompts_pending)
		uaf_bug("KBDINT_RESPOND without prompts");
	if (n > KBD_PROMPTS_MAX)
		uaf_bug("KBDINT_RESPOND with %u answers", n);
	for (i = 0; i < n; i++)
		if (answers[i] == NULL || strlen(answers[i]) > KBD_TEXT_MAX)
			uaf_bug("KBDINT_RESPOND answer %u", i);
	uaf_called(UAF_MM_KBDINT_RESPOND);
	uaf.nanswers = n;
	uaf_copy(uaf.answer0, n > 0 ? answers[0] : "");
	uaf_answer_kbd(kbd);
}

void
mm_kbdint_abort(struct mm_auth *res)
{
	if (!uaf.prompts_pending)
		uaf_bug("KBDINT_ABORT without a conversation");
	uaf_called(UAF_MM_KBDINT_ABORT);
	uaf.prompts_pending = false;
	uaf_answer_auth(res, UAF_CODES(uaf_codes_none));
}

/*
 * ua_handover leaves state to exit(); whichever way this ends (handed
 * over here, or refused and then a DISCONNECT), uaf_finish frees it.
 */
char *
mm_transport_export(const struct buf *state, int client_fd)
{
	(void)client_fd;
	uaf_called(UAF_MM_TRANSPORT_EXPORT);
	uaf.flushes_at_export = uaf.flushes;
	uaf.export_state = (struct buf *)state;
	if ((uaf_in_u8() & 1) == 0)
		uaf_leave(UAF_HANDED_OVER);
	return xstrdup("hsshd: authenticated, but this build has no session "
	    "program");
}
