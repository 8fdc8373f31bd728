/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the pre-auth child's ssh-userauth service
 * (preauth/userauth.c, built into this test) against the fakes of its
 * transport and monitor client that the fuzz harness uses
 * (tests/fuzz/userauth-fakes.h): what reaches the monitor, what the
 * client is sent, and which requests end the connection.
 */
#include "config.h"

#include <sodium.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/key.h"
#include "common/log.h"
#include "common/ssh2.h"
#include "preauth/transport-priv.h"
#include "tests/fuzz/userauth-fakes.h"
#include "tests/tap.h"

/* Indexes into the fakes' verdict lists (userauth-fakes.c). */
#define V_FAILURE	0	/* any request */
#define V_PARTIAL	1	/* verify, password, kbd result */
#define V_SUCCESS	2
#define V_DISCONNECT	3
#define Q_PK_OK		0	/* publickey query */

static struct tr *t;

/* A fresh connection and the fake monitor's script for it. */
static void
start(const uint8_t *script, size_t len)
{
	uaf_finish(t);
	uaf_reset();
	uaf_input(script, len);
	t = uaf_tr_new();
}

static struct buf *
request(const char *user, const char *service, const char *method)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_cstring(b, user) != 0 ||
	    buf_put_cstring(b, service) != 0 ||
	    buf_put_cstring(b, method) != 0)
		abort();
	return b;
}

static enum uaf_end
send_req(struct buf *b)
{
	enum uaf_end end = uaf_call(ua_request, t, buf_ptr(b), buf_len(b));

	buf_free(b);
	return end;
}

static enum uaf_end
send_info(struct buf *b)
{
	enum uaf_end end = uaf_call(ua_info_response, t, buf_ptr(b),
	    buf_len(b));

	buf_free(b);
	return end;
}

static void
test_publickey(void)
{
	/* begin: methods 0, no banner; query: PK_OK, methods 1 */
	static const uint8_t script[] = { 0, 0, Q_PK_OK, 1 };
	const struct uaf_msg *m;
	struct key *k = NULL;
	struct buf *blob = buf_new(), *b;
	uint8_t h[32];

	if (blob == NULL || key_generate(KEY_ED25519, 0, &k) != 0 ||
	    key_to_blob(k, blob) != 0)
		abort();
	crypto_hash_sha256(h, buf_ptr(blob), buf_len(blob));

	TEST_START("publickey query: PK_OK echoes algorithm and key");
	start(script, sizeof(script));
	b = request("alice", "ssh-connection", "publickey");
	if (buf_put_bool(b, false) != 0 ||
	    buf_put_cstring(b, "ssh-ed25519") != 0 ||
	    buf_put_stringb(b, blob) != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_USERAUTH_BEGIN], 1);
	ASSERT_STR_EQ(uaf.user, "alice");
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PUBKEY_CHECK], 1);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PUBKEY_VERIFY], 0);
	ASSERT_STR_EQ(uaf.alg, "ssh-ed25519");
	ASSERT_INT_EQ(uaf.bloblen, buf_len(blob));
	ASSERT_MEM_EQ(uaf.blobhash, h, sizeof(h));
	ASSERT_INT_EQ(uaf.nsent, 1);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_PK_OK);
	ASSERT_STR_EQ(m->alg, "ssh-ed25519");
	ASSERT_INT_EQ(m->bloblen, buf_len(blob));
	ASSERT_MEM_EQ(m->blobhash, h, sizeof(h));
	ASSERT_STR_EQ(t->methods, uaf_methods[1]);
	TEST_DONE();

	TEST_START("publickey request cut inside the key: disconnect");
	start(script, sizeof(script));
	b = request("alice", "ssh-connection", "publickey");
	if (buf_put_bool(b, false) != 0 ||
	    buf_put_cstring(b, "ssh-ed25519") != 0 ||
	    buf_put_stringb(b, blob) != 0 ||
	    buf_consume_end(b, 1) != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PUBKEY_CHECK], 0);
	ASSERT_INT_EQ(uaf.nsent, 0);
	TEST_DONE();

	TEST_START("publickey request with a byte after the key: disconnect");
	start(script, sizeof(script));
	b = request("alice", "ssh-connection", "publickey");
	if (buf_put_bool(b, false) != 0 ||
	    buf_put_cstring(b, "ssh-ed25519") != 0 ||
	    buf_put_stringb(b, blob) != 0 || buf_put_u8(b, 0) != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PUBKEY_CHECK], 0);
	TEST_DONE();

	TEST_START("signed publickey request goes to VERIFY");
	{
		static const uint8_t s2[] = { 0, 0, V_FAILURE, 0 };

		start(s2, sizeof(s2));
	}
	b = request("alice", "ssh-connection", "publickey");
	if (buf_put_bool(b, true) != 0 ||
	    buf_put_cstring(b, "ssh-ed25519") != 0 ||
	    buf_put_stringb(b, blob) != 0 ||
	    buf_put_cstring(b, "not a signature") != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PUBKEY_VERIFY], 1);
	ASSERT_TRUE(uaf.had_sig);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_FAILURE);
	ASSERT_FALSE(m->partial);
	TEST_DONE();

	key_free(k);
	buf_free(blob);
}

static void
test_password(void)
{
	static const uint8_t fail[] = { 0, 0, V_FAILURE, 0 };
	static const uint8_t partial[] = { 0, 0, V_PARTIAL, 3 };
	const struct uaf_msg *m;
	struct buf *b;

	/*
	 * userauth.c wipes the password with freezero() once the monitor
	 * has it; that memory is freed by then, so whether it was zeroed
	 * cannot be observed without reading freed memory: not checked.
	 */
	TEST_START("password reaches the monitor; failure with its methods");
	start(fail, sizeof(fail));
	b = request("alice", "ssh-connection", "password");
	if (buf_put_bool(b, false) != 0 ||
	    buf_put_cstring(b, "correct horse battery staple") != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PASSWORD], 1);
	ASSERT_STR_EQ(uaf.password, "correct horse battery staple");
	ASSERT_FALSE(uaf.change);
	ASSERT_INT_EQ(uaf.nsent, 1);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_FAILURE);
	ASSERT_STR_EQ(m->methods, uaf_methods[0]);
	ASSERT_FALSE(m->partial);
	TEST_DONE();

	TEST_START("password change request: the old password is asked");
	start(fail, sizeof(fail));
	b = request("alice", "ssh-connection", "password");
	if (buf_put_bool(b, true) != 0 || buf_put_cstring(b, "old") != 0 ||
	    buf_put_cstring(b, "new") != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	ASSERT_TRUE(uaf.change);
	ASSERT_STR_EQ(uaf.password, "old");
	TEST_DONE();

	TEST_START("password with a NUL byte: disconnect, monitor not asked");
	start(fail, sizeof(fail));
	b = request("alice", "ssh-connection", "password");
	if (buf_put_bool(b, false) != 0 || buf_put_string(b, "a\0b", 3) != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PASSWORD], 0);
	TEST_DONE();

	TEST_START("partial success: FAILURE with partial set");
	start(partial, sizeof(partial));
	b = request("alice", "ssh-connection", "password");
	if (buf_put_bool(b, false) != 0 || buf_put_cstring(b, "pw") != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_FAILURE);
	ASSERT_TRUE(m->partial);
	ASSERT_STR_EQ(m->methods, uaf_methods[3]);
	TEST_DONE();
}

static void
test_session(void)
{
	/* begin with banner 1; none: failure; none again: disconnect */
	static const uint8_t s[] = { 0, 1, V_FAILURE, 0, 1, 0 };
	const struct uaf_msg *m;

	TEST_START("first request: banner, then the answer");
	start(s, sizeof(s));
	ASSERT_INT_EQ(send_req(request("alice", "ssh-connection", "none")),
	    UAF_RETURNED);
	ASSERT_INT_EQ(uaf.nsent, 2);
	ASSERT_INT_EQ(uaf.sent[0].type, SSH2_MSG_USERAUTH_BANNER);
	ASSERT_INT_EQ(uaf.sent[1].type, SSH2_MSG_USERAUTH_FAILURE);
	TEST_DONE();

	TEST_START("the monitor's DISCONNECT verdict ends it quietly");
	ASSERT_INT_EQ(send_req(request("alice", "ssh-connection", "none")),
	    UAF_DISCONNECT_QUIET);
	ASSERT_INT_EQ(uaf.reason,
	    SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_AUTH_NONE], 2);
	TEST_DONE();

	TEST_START("change of user name: disconnect, monitor not asked");
	start(s, sizeof(s));
	ASSERT_INT_EQ(send_req(request("alice", "ssh-connection", "none")),
	    UAF_RETURNED);
	ASSERT_INT_EQ(send_req(request("bob", "ssh-connection", "none")),
	    UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_AUTH_NONE], 1);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_USERAUTH_BEGIN], 1);
	TEST_DONE();

	TEST_START("change of service: disconnect");
	start(s, sizeof(s));
	ASSERT_INT_EQ(send_req(request("alice", "ssh-connection", "none")),
	    UAF_RETURNED);
	ASSERT_INT_EQ(send_req(request("alice", "ssh-userauth", "none")),
	    UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_AUTH_NONE], 1);
	TEST_DONE();

	TEST_START("first request for another service: disconnect");
	start(s, sizeof(s));
	ASSERT_INT_EQ(send_req(request("alice", "ssh-userauth", "none")),
	    UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_SERVICE_NOT_AVAILABLE);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_USERAUTH_BEGIN], 0);
	TEST_DONE();

	TEST_START("unknown method: failure without asking the monitor");
	start(s, sizeof(s));
	ASSERT_INT_EQ(send_req(request("alice", "ssh-connection",
	    "hostbased")), UAF_RETURNED);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_AUTH_NONE], 0);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_FAILURE);
	ASSERT_FALSE(m->partial);
	TEST_DONE();

	TEST_START("none with trailing data: disconnect");
	{
		struct buf *b = request("alice", "ssh-connection", "none");

		start(s, sizeof(s));
		if (buf_put_u8(b, 1) != 0)
			abort();
		ASSERT_INT_EQ(send_req(b), UAF_DISCONNECT);
		ASSERT_INT_EQ(uaf.calls[UAF_MM_AUTH_NONE], 0);
	}
	TEST_DONE();
}

static struct buf *
kbd_request(void)
{
	struct buf *b = request("alice", "ssh-connection",
	    "keyboard-interactive");

	if (buf_put_cstring(b, "") != 0 || buf_put_cstring(b, "pam") != 0)
		abort();
	return b;
}

static void
test_kbdint(void)
{
	/* begin; prompts (kind 0): 2, echo 0 and 1; result (kind 1):
	 * success, methods 0; hand-over accepted */
	static const uint8_t ok[] = { 0, 0, 0, 2, 0, 1, 1, V_SUCCESS, 0, 0 };
	/* ... hand-over refused */
	static const uint8_t refused[] = {
		0, 0, 0, 2, 0, 1, 1, V_SUCCESS, 0, 1,
	};
	/* begin; prompts: 1; abort: failure; password: failure */
	static const uint8_t aborted[] = {
		0, 0, 0, 1, 0, V_FAILURE, 0, V_FAILURE, 0,
	};
	const struct uaf_msg *m;
	struct buf *b;

	TEST_START("INFO_RESPONSE without a conversation: disconnect");
	start(ok, sizeof(ok));
	b = buf_new();
	if (b == NULL || buf_put_u32(b, 0) != 0)
		abort();
	ASSERT_INT_EQ(send_info(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_USERAUTH_BEGIN], 0);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_KBDINT_RESPOND], 0);
	TEST_DONE();

	TEST_START("prompts relayed; answers reach the monitor; success "
	    "is flushed before the hand-over");
	start(ok, sizeof(ok));
	ASSERT_INT_EQ(send_req(kbd_request()), UAF_RETURNED);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_INFO_REQUEST);
	ASSERT_INT_EQ(m->nprompts, 2);
	ASSERT_TRUE(t->kbd_active);
	b = buf_new();
	if (b == NULL || buf_put_u32(b, 2) != 0 ||
	    buf_put_cstring(b, "first") != 0 ||
	    buf_put_cstring(b, "second") != 0)
		abort();
	ASSERT_INT_EQ(send_info(b), UAF_HANDED_OVER);
	ASSERT_INT_EQ(uaf.nanswers, 2);
	ASSERT_STR_EQ(uaf.answer0, "first");
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_SUCCESS);
	ASSERT_TRUE(t->authenticated);
	ASSERT_INT_LT(0, uaf.flushes_at_export);
	ASSERT_PTR_NE(uaf.export_state, NULL);
	TEST_DONE();

	TEST_START("a refused hand-over ends the connection");
	start(refused, sizeof(refused));
	ASSERT_INT_EQ(send_req(kbd_request()), UAF_RETURNED);
	b = buf_new();
	if (b == NULL || buf_put_u32(b, 2) != 0 ||
	    buf_put_cstring(b, "first") != 0 ||
	    buf_put_cstring(b, "second") != 0)
		abort();
	ASSERT_INT_EQ(send_info(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.reason, SSH2_DISCONNECT_BY_APPLICATION);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_TRANSPORT_EXPORT], 1);
	TEST_DONE();

	TEST_START("more answers than any prompt list: disconnect");
	start(ok, sizeof(ok));
	ASSERT_INT_EQ(send_req(kbd_request()), UAF_RETURNED);
	b = buf_new();
	if (b == NULL || buf_put_u32(b, KBD_PROMPTS_MAX + 1) != 0)
		abort();
	ASSERT_INT_EQ(send_info(b), UAF_DISCONNECT);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_KBDINT_RESPOND], 0);
	TEST_DONE();

	TEST_START("a new request ends the conversation first");
	start(aborted, sizeof(aborted));
	ASSERT_INT_EQ(send_req(kbd_request()), UAF_RETURNED);
	b = request("alice", "ssh-connection", "password");
	if (buf_put_bool(b, false) != 0 || buf_put_cstring(b, "pw") != 0)
		abort();
	ASSERT_INT_EQ(send_req(b), UAF_RETURNED);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_KBDINT_ABORT], 1);
	ASSERT_INT_EQ(uaf.calls[UAF_MM_PASSWORD], 1);
	ASSERT_FALSE(t->kbd_active);
	m = uaf_last_sent();
	ASSERT_INT_EQ(m->type, SSH2_MSG_USERAUTH_FAILURE);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		abort();
	log_init("test-userauth", LOG_LEVEL_QUIET, -1, true);
	test_publickey();
	test_password();
	test_session();
	test_kbdint();
	uaf_finish(t);
	return tap_finish();
}
