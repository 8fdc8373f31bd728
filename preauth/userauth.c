/* SPDX-License-Identifier: ISC */
/*
 * The ssh-userauth service (RFC 4252, 4256) in the pre-auth child
 * (hsshd-preauth: privsep user, sandboxed; every request comes from the
 * network).  This side only parses requests completely and relays them:
 * every decision — which user exists, which key or password is good, how
 * many failures are allowed — is the monitor's.  The child never learns
 * whether a user name is valid.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "preauth/monitor-client.h"
#include "preauth/transport-priv.h"

/* Methods the monitor never hears of (unknown names) we answer at most
 * this often before giving up on the client. */
#define UA_UNKNOWN_METHODS_MAX	32u

static void
ua_send_failure(struct tr *t, bool partial)
{
	struct buf *b = tr_msg(SSH2_MSG_USERAUTH_FAILURE);
	int r;

	if ((r = buf_put_cstring(b, t->methods)) != 0 ||
	    (r = buf_put_bool(b, partial)) != 0)
		fatal_r(r, "USERAUTH_FAILURE");
	tr_send(t, b);
}

/* After USERAUTH_SUCCESS: hand the transport to the monitor, which
 * starts the session on the same socket. */
static void __attribute__((noreturn))
ua_handover(struct tr *t)
{
	struct buf *state;
	char *msg;
	int r;

	tr_flush(t);
	if ((state = buf_new()) == NULL)
		fatal("out of memory");
	if ((r = pkt_export(t->pkt, state)) != 0)
		fatal_r(r, "pkt_export");
	if ((msg = mm_transport_export(state, t->fd)) != NULL)
		tr_disconnect(t, SSH2_DISCONNECT_BY_APPLICATION, "%s", msg);
	buf_free(state);
	exit(HELPER_EXIT_AUTHENTICATED);
}

/* Act on the monitor's verdict. */
static void
ua_result(struct tr *t, struct mm_auth *res)
{
	free(t->methods);
	t->methods = res->methods;
	res->methods = NULL;
	switch (res->code) {
	case AUTH_SUCCESS:
		t->authenticated = true;
		tr_send(t, tr_msg(SSH2_MSG_USERAUTH_SUCCESS));
		ua_handover(t);
		/* NOTREACHED */
	case AUTH_PARTIAL:
		ua_send_failure(t, true);
		break;
	case AUTH_DISCONNECT:
		/* The monitor has logged why. */
		tr_disconnect_quiet(t,
		    SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
		    "Too many authentication failures");
		/* NOTREACHED */
	default:
		ua_send_failure(t, false);
		break;
	}
}

static void
ua_kbd(struct tr *t, struct mm_kbd *kbd)
{
	struct buf *b;
	uint32_t i;
	int r;

	if (kbd->kind == KBD_RESULT) {
		t->kbd_active = false;
		ua_result(t, &kbd->result);
		return;
	}
	b = tr_msg(SSH2_MSG_USERAUTH_INFO_REQUEST);
	if ((r = buf_put_cstring(b, kbd->name)) != 0 ||
	    (r = buf_put_cstring(b, kbd->instruction)) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0 ||
	    (r = buf_put_u32(b, kbd->n)) != 0)
		fatal_r(r, "INFO_REQUEST");
	for (i = 0; i < kbd->n; i++)
		if ((r = buf_put_cstring(b, kbd->prompts[i])) != 0 ||
		    (r = buf_put_bool(b, kbd->echo[i])) != 0)
			fatal_r(r, "INFO_REQUEST");
	tr_send(t, b);
	t->kbd_active = true;
}

void
ua_info_response(struct tr *t, struct buf *payload)
{
	char *answers[KBD_PROMPTS_MAX];
	struct mm_kbd kbd;
	uint32_t n = 0, i;
	int r;

	memset(answers, 0, sizeof(answers));
	if (!t->kbd_active)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "USERAUTH_INFO_RESPONSE without a request");
	if ((r = buf_get_u32(payload, &n)) != 0 || n > KBD_PROMPTS_MAX)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad USERAUTH_INFO_RESPONSE");
	for (i = 0; i < n; i++)
		if ((r = buf_get_cstring(payload, KBD_TEXT_MAX, &answers[i],
		    NULL)) != 0)
			break;
	if (r != 0 || (r = buf_get_end(payload)) != 0) {
		for (i = 0; i < n; i++)
			freezero_str(answers[i]);
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad USERAUTH_INFO_RESPONSE");
	}
	mm_kbdint_respond(answers, n, &kbd);
	for (i = 0; i < n; i++)
		freezero_str(answers[i]);
	ua_kbd(t, &kbd);
	mm_kbd_clear(&kbd);
}

static void
ua_publickey(struct tr *t, struct buf *payload)
{
	const uint8_t *blob, *sig = NULL;
	size_t bloblen, siglen = 0;
	struct mm_auth res;
	struct buf *b;
	char *alg = NULL;
	bool has_sig;
	int r;

	if ((r = buf_get_bool(payload, &has_sig)) != 0 ||
	    (r = buf_get_cstring(payload, NAME_MAX_LEN, &alg, NULL)) != 0 ||
	    (r = buf_get_string_direct(payload, KEY_BLOB_MAX, &blob,
	    &bloblen)) != 0 ||
	    (has_sig && (r = buf_get_string_direct(payload, SIG_MAX, &sig,
	    &siglen)) != 0) ||
	    (r = buf_get_end(payload)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad publickey request: %s", hs_err_str(r));
	if (has_sig)
		mm_pubkey_verify(alg, blob, bloblen, sig, siglen, &res);
	else
		mm_pubkey_check(alg, blob, bloblen, &res);
	if (res.code == AUTH_PK_OK) {
		free(t->methods);
		t->methods = res.methods;
		res.methods = NULL;
		b = tr_msg(SSH2_MSG_USERAUTH_PK_OK);
		if ((r = buf_put_cstring(b, alg)) != 0 ||
		    (r = buf_put_string(b, blob, bloblen)) != 0)
			fatal_r(r, "PK_OK");
		tr_send(t, b);
	} else
		ua_result(t, &res);
	mm_auth_clear(&res);
	free(alg);
}

static void
ua_password(struct tr *t, struct buf *payload)
{
	struct mm_auth res;
	char *password = NULL, *newpass = NULL;
	size_t len = 0, newlen = 0;
	bool change;
	int r;

	if ((r = buf_get_bool(payload, &change)) != 0 ||
	    (r = buf_get_cstring(payload, AUTH_PASSWORD_MAX, &password,
	    &len)) != 0 ||
	    (change && (r = buf_get_cstring(payload, AUTH_PASSWORD_MAX,
	    &newpass, &newlen)) != 0) ||
	    (r = buf_get_end(payload)) != 0) {
		freezero(password, len);
		freezero(newpass, newlen);
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad password request: %s", hs_err_str(r));
	}
	mm_password(change, password, &res);
	freezero(password, len);
	freezero(newpass, newlen);
	ua_result(t, &res);
	mm_auth_clear(&res);
}

static void
ua_kbdint(struct tr *t, struct buf *payload)
{
	struct mm_kbd kbd;
	char *submethods = NULL;
	int r;

	if ((r = buf_skip_string(payload, KBD_TEXT_MAX)) != 0 ||	/* lang */
	    (r = buf_get_cstring(payload, KBD_TEXT_MAX, &submethods,
	    NULL)) != 0 ||
	    (r = buf_get_end(payload)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad keyboard-interactive request: %s", hs_err_str(r));
	mm_kbdint_begin(submethods, &kbd);
	ua_kbd(t, &kbd);
	mm_kbd_clear(&kbd);
	free(submethods);
}

void
ua_request(struct tr *t, struct buf *payload)
{
	struct mm_auth res;
	char *user = NULL, *service = NULL, *method = NULL, *banner = NULL;
	struct buf *b;
	int r;

	if ((r = buf_get_cstring(payload, AUTH_USER_MAX, &user, NULL)) != 0 ||
	    (r = buf_get_cstring(payload, 64, &service, NULL)) != 0 ||
	    (r = buf_get_cstring(payload, 64, &method, NULL)) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "bad USERAUTH_REQUEST: %s", hs_err_str(r));
	if (!t->userauth_begun) {
		if (strcmp(service, "ssh-connection") != 0)
			tr_disconnect(t, SSH2_DISCONNECT_SERVICE_NOT_AVAILABLE,
			    "service %s not available", service);
		mm_userauth_begin(user, service, &t->methods, &banner);
		t->userauth_begun = true;
		t->user = xstrdup(user);
		t->service = xstrdup(service);
		if (*banner != '\0') {
			b = tr_msg(SSH2_MSG_USERAUTH_BANNER);
			if ((r = buf_put_cstring(b, banner)) != 0 ||
			    (r = buf_put_cstring(b, "")) != 0)
				fatal_r(r, "USERAUTH_BANNER");
			tr_send(t, b);
		}
		free(banner);
	} else if (strcmp(user, t->user) != 0 ||
	    strcmp(service, t->service) != 0)
		tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
		    "Change of username or service not allowed");
	/* A new request ends a keyboard-interactive conversation. */
	if (t->kbd_active) {
		t->kbd_active = false;
		mm_kbdint_abort(&res);
		if (res.code == AUTH_DISCONNECT)
			ua_result(t, &res);
		mm_auth_clear(&res);
	}
	if (strcmp(method, "none") == 0) {
		if ((r = buf_get_end(payload)) != 0)
			tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "bad none request");
		mm_auth_none(&res);
		ua_result(t, &res);
		mm_auth_clear(&res);
	} else if (strcmp(method, "publickey") == 0)
		ua_publickey(t, payload);
	else if (strcmp(method, "password") == 0)
		ua_password(t, payload);
	else if (strcmp(method, "keyboard-interactive") == 0)
		ua_kbdint(t, payload);
	else {
		/* Fields of unknown methods are unknown: nothing to parse. */
		debug("userauth: unsupported method %s", method);
		if (++t->unknown_methods > UA_UNKNOWN_METHODS_MAX)
			tr_disconnect(t, SSH2_DISCONNECT_PROTOCOL_ERROR,
			    "too many unsupported authentication methods");
		ua_send_failure(t, false);
	}
	free(user);
	free(service);
	free(method);
}
