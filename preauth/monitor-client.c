/* SPDX-License-Identifier: ISC */
/*
 * The requests hsshd-preauth (privsep user, seccomp sandbox) makes of
 * its monitor.  Answers come from the monitor, which is trusted; they
 * are still parsed through struct buf with bounds and end checks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "preauth/monitor-client.h"

void
mm_hello(struct mm_hello *ret)
{
	struct buf *ans;
	const uint8_t *p;
	uint32_t n, secs;
	uint64_t bytes;
	uint8_t level;
	size_t i, len;
	int r;

	memset(ret, 0, sizeof(*ret));
	ans = mm_call(RPC_HELLO, NULL, RPC_HELLO_ANS, RPC_MSG_MAX, NULL);
	if ((r = buf_get_cstring(ans, BANNER_LINE_MAX, &ret->v_s, NULL)) != 0 ||
	    (r = buf_get_string_direct(ans, PKT_MAX_PACKET, &p, &len)) != 0 ||
	    (ret->i_s = buf_from(p, len)) == NULL ||
	    (r = buf_get_cstring(ans, NAMELIST_MAX, &ret->server_sig_algs,
	    NULL)) != 0 ||
	    (r = buf_get_u8(ans, &level)) != 0 ||
	    (r = buf_get_u64(ans, &bytes)) != 0 ||
	    (r = buf_get_u32(ans, &secs)) != 0 ||
	    (r = buf_get_u32(ans, &n)) != 0)
		fatal_r(r, "bad HELLO answer");
	if (n == 0 || n > MM_HOSTKEYS_MAX)
		fatal("bad HELLO answer: %u host keys", n);
	for (i = 0; i < n; i++) {
		if ((r = buf_get_cstring(ans, NAMELIST_MAX,
		    &ret->keys[i].sig_algs, NULL)) != 0 ||
		    (r = buf_froms(ans, KEY_BLOB_MAX, &ret->keys[i].blob)) != 0)
			fatal_r(r, "bad HELLO answer");
	}
	ret->nkeys = n;
	if ((r = buf_get_u32(ans, &n)) != 0)
		fatal_r(r, "bad HELLO answer");
	if (n > CONFIG_LOG_VERBOSE_MAX)
		fatal("bad HELLO answer: %u LogVerbose lists", n);
	for (i = 0; i < n; i++) {
		if ((r = buf_get_cstring(ans, CONFIG_LINE_MAX,
		    &ret->log_verbose[i], NULL)) != 0)
			fatal_r(r, "bad HELLO answer");
	}
	ret->nlog_verbose = n;
	if ((r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad HELLO answer");
	ret->log_level = level;
	ret->rekey_bytes = bytes;
	ret->rekey_seconds = secs;
	buf_free(ans);
}

uint32_t
mm_peer_banner(const char *v_c)
{
	struct buf *req, *ans;
	uint32_t compat;
	int r;

	if ((req = buf_new()) == NULL ||
	    (r = buf_put_cstring(req, v_c)) != 0)
		fatal("out of memory");
	ans = mm_call(RPC_PEER_BANNER, req, RPC_PEER_BANNER_ANS, RPC_MSG_MAX,
	    NULL);
	if ((r = buf_get_u32(ans, &compat)) != 0 ||
	    (r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad PEER_BANNER answer");
	buf_free(req);
	buf_free(ans);
	return compat;
}

void
mm_userauth_begin(const char *user, const char *service, char **ret_methods,
    char **ret_banner)
{
	struct buf *req, *ans;
	int r;

	if ((req = buf_new()) == NULL ||
	    (r = buf_put_cstring(req, user)) != 0 ||
	    (r = buf_put_cstring(req, service)) != 0)
		fatal("out of memory");
	ans = mm_call(RPC_USERAUTH_BEGIN, req, RPC_USERAUTH_BEGIN_ANS,
	    RPC_MSG_MAX, NULL);
	if ((r = buf_get_cstring(ans, NAMELIST_MAX, ret_methods, NULL)) != 0 ||
	    (r = buf_get_cstring(ans, RPC_MSG_MAX, ret_banner, NULL)) != 0 ||
	    (r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad USERAUTH_BEGIN answer");
	buf_free(req);
	buf_free(ans);
}

static void
mm_get_auth(struct buf *ans, struct mm_auth *res)
{
	uint8_t code;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = buf_get_u8(ans, &code)) != 0 ||
	    (r = buf_get_cstring(ans, NAMELIST_MAX, &res->methods, NULL)) != 0)
		fatal_r(r, "bad auth result");
	if (code > AUTH_PK_OK)
		fatal("bad auth result code %u", code);
	res->code = code;
}

/* Send a request, read an auth result. */
static void
mm_auth_call(uint8_t type, struct buf *req, uint8_t want, struct mm_auth *res)
{
	struct buf *ans = mm_call(type, req, want, RPC_MSG_MAX, NULL);
	int r;

	mm_get_auth(ans, res);
	if ((r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad %s", rpc_type_name(want));
	buf_free(req);		/* may hold a password: wiped */
	buf_free(ans);
}

void
mm_auth_none(struct mm_auth *res)
{
	mm_auth_call(RPC_USERAUTH_NONE, NULL, RPC_USERAUTH_NONE_ANS, res);
}

void
mm_pubkey_check(const char *alg, const uint8_t *blob, size_t bloblen,
    struct mm_auth *res)
{
	struct buf *req;

	if ((req = buf_new()) == NULL || buf_put_cstring(req, alg) != 0 ||
	    buf_put_string(req, blob, bloblen) != 0)
		fatal("out of memory");
	mm_auth_call(RPC_PUBKEY_CHECK, req, RPC_PUBKEY_CHECK_ANS, res);
}

void
mm_pubkey_verify(const char *alg, const uint8_t *blob, size_t bloblen,
    const uint8_t *sig, size_t siglen, struct mm_auth *res)
{
	struct buf *req;

	if ((req = buf_new()) == NULL || buf_put_cstring(req, alg) != 0 ||
	    buf_put_string(req, blob, bloblen) != 0 ||
	    buf_put_string(req, sig, siglen) != 0)
		fatal("out of memory");
	mm_auth_call(RPC_PUBKEY_VERIFY, req, RPC_PUBKEY_VERIFY_ANS, res);
}

void
mm_password(bool change, const char *password, struct mm_auth *res)
{
	struct buf *req;

	if ((req = buf_new()) == NULL || buf_put_bool(req, change) != 0 ||
	    buf_put_cstring(req, password) != 0)
		fatal("out of memory");
	mm_auth_call(RPC_PASSWORD, req, RPC_PASSWORD_ANS, res);
}

static void
mm_get_kbd(struct buf *ans, struct mm_kbd *kbd)
{
	uint32_t i;
	uint8_t kind;
	int r;

	memset(kbd, 0, sizeof(*kbd));
	if ((r = buf_get_u8(ans, &kind)) != 0)
		fatal_r(r, "bad keyboard-interactive answer");
	kbd->kind = kind;
	if (kind == KBD_RESULT) {
		mm_get_auth(ans, &kbd->result);
	} else if (kind == KBD_PROMPTS) {
		if ((r = buf_get_cstring(ans, KBD_TEXT_MAX, &kbd->name,
		    NULL)) != 0 ||
		    (r = buf_get_cstring(ans, 4 * KBD_TEXT_MAX,
		    &kbd->instruction, NULL)) != 0 ||
		    (r = buf_get_u32(ans, &kbd->n)) != 0)
			fatal_r(r, "bad keyboard-interactive prompts");
		if (kbd->n > KBD_PROMPTS_MAX)
			fatal("too many keyboard-interactive prompts");
		for (i = 0; i < kbd->n; i++)
			if ((r = buf_get_cstring(ans, KBD_TEXT_MAX,
			    &kbd->prompts[i], NULL)) != 0 ||
			    (r = buf_get_bool(ans, &kbd->echo[i])) != 0)
				fatal_r(r, "bad keyboard-interactive prompt");
	} else
		fatal("bad keyboard-interactive answer kind %u", kind);
	if ((r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad keyboard-interactive answer");
}

void
mm_kbdint_begin(const char *submethods, struct mm_kbd *kbd)
{
	struct buf *req, *ans;

	if ((req = buf_new()) == NULL || buf_put_cstring(req, submethods) != 0)
		fatal("out of memory");
	ans = mm_call(RPC_KBDINT_BEGIN, req, RPC_KBDINT_BEGIN_ANS, RPC_MSG_MAX,
	    NULL);
	mm_get_kbd(ans, kbd);
	buf_free(req);
	buf_free(ans);
}

void
mm_kbdint_respond(char *const *answers, uint32_t n, struct mm_kbd *kbd)
{
	struct buf *req, *ans;
	uint32_t i;

	if ((req = buf_new()) == NULL || buf_put_u32(req, n) != 0)
		fatal("out of memory");
	for (i = 0; i < n; i++)
		if (buf_put_cstring(req, answers[i]) != 0)
			fatal("out of memory");
	ans = mm_call(RPC_KBDINT_RESPOND, req, RPC_KBDINT_RESPOND_ANS,
	    RPC_MSG_MAX, NULL);
	mm_get_kbd(ans, kbd);
	buf_free(req);		/* answers are secrets: wiped */
	buf_free(ans);
}

void
mm_kbdint_abort(struct mm_auth *res)
{
	mm_auth_call(RPC_KBDINT_ABORT, NULL, RPC_KBDINT_ABORT_ANS, res);
}

char *
mm_transport_export(const struct buf *state, int client_fd)
{
	struct buf *ans = NULL;
	char *msg = NULL;
	uint8_t got;
	bool ok;
	int r;

	if ((r = rpc_send(mm_fd(), RPC_TRANSPORT_EXPORT, state, client_fd)) !=
	    0)
		fatal_r(r, "monitor request TRANSPORT_EXPORT");
	if ((r = rpc_recv(mm_fd(), RPC_MSG_MAX, &got, &ans, NULL)) != 0)
		fatal_r(r, "monitor answer to TRANSPORT_EXPORT");
	if (got != RPC_TRANSPORT_EXPORT_ANS)
		fatal("monitor answered TRANSPORT_EXPORT with %s",
		    rpc_type_name(got));
	if ((r = buf_get_bool(ans, &ok)) != 0 ||
	    (r = buf_get_cstring(ans, KBD_TEXT_MAX, &msg, NULL)) != 0 ||
	    (r = buf_get_end(ans)) != 0)
		fatal_r(r, "bad TRANSPORT_EXPORT answer");
	buf_free(ans);
	if (ok) {
		free(msg);
		return NULL;
	}
	return msg;
}
