/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of host key rotation (OpenSSH PROTOCOL §2.5): the session's
 * side (session/hostkeys.c) and the monitor's RPC_HOSTKEY_PROVE handler
 * (monitor/answer-session.c, built into this test), joined the way the
 * programs join them.  Checked: the hostkeys-00@openssh.com announcement
 * carries every host key blob; a prove request's blobs are taken only if
 * each is one of our keys, once, and a foreign, repeated or truncated
 * one makes the answer REQUEST_FAILURE without asking the monitor; the
 * monitor refuses a foreign blob, a key twice, no keys, too many keys,
 * trailing bytes, and any request outside the session phase; and each
 * signature it returns verifies with the host's public key over data this
 * test builds from the specification (string
 * "hostkeys-prove-00@openssh.com", string session_id, string blob), with
 * RSA signing by the key exchange's rsa-sha2-* algorithm, else
 * rsa-sha2-512.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "monitor/hostkey.h"
#include "monitor/monitor.h"
#include "session/channel.h"
#include "session/hostkeys.h"
#include "tests/tap.h"

#define NKEYS_MAX	3

static struct mon m;
static struct hostkey hks[NKEYS_MAX];
static struct key *foreign;
static struct session_init *si;
static size_t nkeys;
static unsigned int prover_calls;

/* The messages the session sent, each as a string in out. */
static int
fake_send(void *ctx, const struct buf *payload)
{
	return buf_put_stringb(ctx, payload);
}

/* The monitor, as the RPC would reach it. */
static int
monitor_prover(void *ctx, const struct buf *rpc_req, struct buf *ans)
{
	struct buf *req;
	int r;

	(void)ctx;
	prover_calls++;
	if ((req = buf_from(buf_ptr(rpc_req), buf_len(rpc_req))) == NULL)
		return HS_ERR_ALLOC;
	r = mon_answer_hostkey_prove(&m, req, ans);
	buf_free(req);
	return r;
}

static struct buf *
blob_of(const struct key *k)
{
	struct buf *b = buf_new();

	if (b == NULL || key_to_blob(k, b) != 0)
		abort();
	return b;
}

/* The signed data, from PROTOCOL §2.5. */
static struct buf *
prove_data(const struct key *k)
{
	struct buf *d = buf_new(), *blob = blob_of(k);

	if (buf_put_cstring(d, "hostkeys-prove-00@openssh.com") != 0 ||
	    buf_put_stringb(d, m.session_id) != 0 ||
	    buf_put_stringb(d, blob) != 0)
		abort();
	buf_free(blob);
	return d;
}

/* The signature's algorithm name (its first string). */
static char *
sig_alg(const uint8_t *sig, size_t len)
{
	struct buf *b = buf_from(sig, len);
	char *alg = NULL;

	if (buf_get_cstring(b, 64, &alg, NULL) != 0)
		alg = NULL;
	buf_free(b);
	return alg;
}

static void
setup(void)
{
	static const enum key_type types[NKEYS_MAX] = { KEY_ED25519,
#ifdef HAVE_OPENSSL
	    KEY_ECDSA_P256, KEY_RSA,
#endif
	};
	size_t i;

	for (i = 0; i < NKEYS_MAX && types[i] != KEY_UNSPEC; i++) {
		if (key_generate(types[i], types[i] == KEY_RSA ? 2048 : 0,
		    &hks[i].key) != 0)
			abort();
		nkeys++;
	}
	if (key_generate(KEY_ED25519, 0, &foreign) != 0)
		abort();
	memset(&m, 0, sizeof(m));
	m.snap.hk.keys = hks;
	m.snap.hk.nkeys = nkeys;
	m.user = "alice";
	m.state = MON_ST_SESSION;
	m.child = getpid();
	if ((m.rpc_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		abort();
	snprintf(m.peer_addr, sizeof(m.peer_addr), "192.0.2.7");
	m.session_id = buf_new();
	if (buf_put(m.session_id, "0123456789abcdef0123456789abcdef",
	    32) != 0)
		abort();
	snprintf(m.negotiated.hostkey_alg, sizeof(m.negotiated.hostkey_alg),
	    "ssh-ed25519");
	/* The session's start state: the same keys, public. */
	if ((si = sessinit_new()) == NULL)
		abort();
	for (i = 0; i < nkeys; i++) {
		si->hostkeys[i].sig_algs = strdup(key_type_name(hks[i].key));
		si->hostkeys[i].blob = blob_of(hks[i].key);
	}
	si->nhostkeys = nkeys;
	hostkeys_set_prover(monitor_prover, NULL);
}

static void
test_announce(void)
{
	struct buf *out = buf_new(), *msg = NULL;
	struct conn_io io = { fake_send, NULL, out };
	const uint8_t *p;
	char *name = NULL;
	uint8_t type;
	bool want = true;
	size_t i, len;

	TEST_START("hostkeys-00@openssh.com announces every host key");
	ASSERT_INT_EQ(hostkeys_announce(si, &io), 0);
	ASSERT_INT_EQ(buf_froms(out, 1 << 20, &msg), 0);
	ASSERT_INT_EQ(buf_len(out), 0);
	ASSERT_INT_EQ(buf_get_u8(msg, &type), 0);
	ASSERT_INT_EQ(type, SSH2_MSG_GLOBAL_REQUEST);
	ASSERT_INT_EQ(buf_get_cstring(msg, 64, &name, NULL), 0);
	ASSERT_STR_EQ(name, "hostkeys-00@openssh.com");
	ASSERT_INT_EQ(buf_get_bool(msg, &want), 0);
	ASSERT_FALSE(want);
	for (i = 0; i < nkeys; i++) {
		ASSERT_INT_EQ(buf_get_string_direct(msg, KEY_BLOB_MAX, &p,
		    &len), 0);
		ASSERT_INT_EQ(len, buf_len(si->hostkeys[i].blob));
		ASSERT_MEM_EQ(p, buf_ptr(si->hostkeys[i].blob), len);
	}
	ASSERT_INT_EQ(buf_get_end(msg), 0);
	free(name);
	buf_free(msg);
	buf_free(out);
	TEST_DONE();
}

/* A prove request body: the blobs of keys[0..n). */
static struct buf *
prove_req(const struct key *const *keys, size_t n)
{
	struct buf *b = buf_new(), *blob;
	size_t i;

	for (i = 0; i < n; i++) {
		blob = blob_of(keys[i]);
		if (buf_put_stringb(b, blob) != 0)
			abort();
		buf_free(blob);
	}
	return b;
}

static void
test_session_parse(void)
{
	const struct key *ks[NKEYS_MAX + 1];
	struct buf *req, *rpc = NULL;
	uint32_t n = 9, count;
	size_t i;

	TEST_START("session: only our keys, each once, go to the monitor");
	for (i = 0; i < nkeys; i++)
		ks[i] = hks[nkeys - 1 - i].key;
	req = prove_req(ks, nkeys);
	ASSERT_INT_EQ(hostkeys_prove_parse(si, req, &rpc, &n), 0);
	ASSERT_INT_EQ(n, nkeys);
	ASSERT_PTR_NE(rpc, NULL);
	ASSERT_INT_EQ(buf_get_u32(rpc, &count), 0);
	ASSERT_INT_EQ(count, nkeys);
	buf_free(req);
	req = prove_req(ks, nkeys);
	ASSERT_INT_EQ(buf_len(rpc), buf_len(req));
	ASSERT_MEM_EQ(buf_ptr(rpc), buf_ptr(req), buf_len(req));
	buf_free(rpc);
	buf_free(req);

	ks[0] = hks[0].key;
	ks[1] = foreign;
	req = prove_req(ks, 2);
	rpc = NULL;
	ASSERT_INT_EQ(hostkeys_prove_parse(si, req, &rpc, &n),
	    HS_ERR_NOT_FOUND);
	ASSERT_PTR_EQ(rpc, NULL);
	ASSERT_INT_EQ(n, 0);
	buf_free(req);
	ks[1] = hks[0].key;
	req = prove_req(ks, 2);
	ASSERT_INT_EQ(hostkeys_prove_parse(si, req, &rpc, &n),
	    HS_ERR_BAD_FORMAT);
	buf_free(req);
	/* A truncated string. */
	req = prove_req(ks, 1);
	ASSERT_INT_EQ(buf_consume_end(req, 1), 0);
	ASSERT_INT_NE(hostkeys_prove_parse(si, req, &rpc, &n), 0);
	ASSERT_PTR_EQ(rpc, NULL);
	buf_free(req);
	/* None at all: nothing to ask. */
	req = buf_new();
	ASSERT_INT_EQ(hostkeys_prove_parse(si, req, &rpc, &n), 0);
	ASSERT_INT_EQ(n, 0);
	ASSERT_PTR_EQ(rpc, NULL);
	buf_free(req);
	TEST_DONE();
}

/* The session's reply to a prove request of keys[0..n), checked
 * signature by signature; returns the reply type (0 if none sent). */
static uint8_t
prove_and_check(const struct key *const *keys, size_t n, bool want,
    const char *const *want_algs)
{
	struct buf *out = buf_new(), *req = prove_req(keys, n), *msg = NULL;
	struct buf *data;
	struct conn_io io = { fake_send, NULL, out };
	const uint8_t *sig;
	size_t i, len;
	uint8_t type = 0;
	char *alg;

	ASSERT_INT_EQ(hostkeys_prove(si, req, want, &io), 0);
	if (buf_len(out) == 0)
		goto out;
	ASSERT_INT_EQ(buf_froms(out, 1 << 20, &msg), 0);
	ASSERT_INT_EQ(buf_len(out), 0);
	ASSERT_INT_EQ(buf_get_u8(msg, &type), 0);
	if (type != SSH2_MSG_REQUEST_SUCCESS)
		goto out;
	for (i = 0; i < n; i++) {
		ASSERT_INT_EQ(buf_get_string_direct(msg, SIG_MAX, &sig, &len),
		    0);
		data = prove_data(keys[i]);
		ASSERT_INT_EQ(key_verify(keys[i], NULL, sig, len,
		    buf_ptr(data), buf_len(data)), 0);
		/* Not over anything else: another session's id fails. */
		ASSERT_INT_EQ(buf_consume_end(data, 1), 0);
		ASSERT_INT_NE(key_verify(keys[i], NULL, sig, len,
		    buf_ptr(data), buf_len(data)), 0);
		buf_free(data);
		alg = sig_alg(sig, len);
		ASSERT_STR_EQ(alg, want_algs[i]);
		free(alg);
	}
	ASSERT_INT_EQ(buf_get_end(msg), 0);
 out:
	buf_free(msg);
	buf_free(req);
	buf_free(out);
	return type;
}

static void
test_prove(void)
{
	const struct key *ks[NKEYS_MAX];
	const char *algs[NKEYS_MAX];
	size_t i;

	TEST_START("prove: signatures over the monitor's data verify");
	for (i = 0; i < nkeys; i++) {
		ks[i] = hks[i].key;
		algs[i] = key_type(hks[i].key) == KEY_RSA ? "rsa-sha2-512" :
		    key_type_name(hks[i].key);
	}
	prover_calls = 0;
	ASSERT_INT_EQ(prove_and_check(ks, nkeys, true, algs),
	    SSH2_MSG_REQUEST_SUCCESS);
	ASSERT_INT_EQ(prover_calls, 1);
	/* One key, the last one, alone. */
	ASSERT_INT_EQ(prove_and_check(ks + nkeys - 1, 1, true,
	    algs + nkeys - 1), SSH2_MSG_REQUEST_SUCCESS);
	/* No reply wanted: none sent, the keys still checked. */
	ASSERT_INT_EQ(prove_and_check(ks, nkeys, false, algs), 0);
	/* A key that is not ours: failure, the monitor not asked. */
	prover_calls = 0;
	ks[0] = foreign;
	ASSERT_INT_EQ(prove_and_check(ks, 1, true, algs),
	    SSH2_MSG_REQUEST_FAILURE);
	ASSERT_INT_EQ(prover_calls, 0);
	TEST_DONE();

#ifdef HAVE_OPENSSL
	TEST_START("prove: RSA signs with the exchange's rsa-sha2-256");
	snprintf(m.negotiated.hostkey_alg, sizeof(m.negotiated.hostkey_alg),
	    "rsa-sha2-256");
	for (i = 0; i < nkeys; i++) {
		ks[i] = hks[i].key;
		algs[i] = key_type(hks[i].key) == KEY_RSA ? "rsa-sha2-256" :
		    key_type_name(hks[i].key);
	}
	ASSERT_INT_EQ(prove_and_check(ks, nkeys, true, algs),
	    SSH2_MSG_REQUEST_SUCCESS);
	snprintf(m.negotiated.hostkey_alg, sizeof(m.negotiated.hostkey_alg),
	    "ssh-ed25519");
	TEST_DONE();
#endif
}

/* The monitor's handler on a raw body; the answer is dropped. */
static int
mon_call(struct buf *req)
{
	struct buf *ans = buf_new();
	int r;

	r = mon_answer_hostkey_prove(&m, req, ans);
	if (r != 0 && buf_len(ans) != 0)
		r = HS_ERR_INTERNAL;	/* no answer on refusal */
	buf_free(req);
	buf_free(ans);
	return r;
}

static struct buf *
mon_req(uint32_t n, const struct key *const *keys, size_t nk)
{
	struct buf *b = buf_new(), *body = prove_req(keys, nk);

	if (buf_put_u32(b, n) != 0 || buf_putb(b, body) != 0)
		abort();
	buf_free(body);
	return b;
}

static void
test_monitor_refuses(void)
{
	const struct key *ks[SESSINIT_HOSTKEYS_MAX + 1];
	struct buf *b;
	size_t i;

	TEST_START("monitor: foreign, repeated or too many keys refused");
	ks[0] = hks[0].key;
	ASSERT_INT_EQ(mon_call(mon_req(1, ks, 1)), 0);
	ks[0] = foreign;
	ASSERT_INT_EQ(mon_call(mon_req(1, ks, 1)), HS_ERR_PROTOCOL);
	ks[0] = hks[0].key;
	ks[1] = foreign;
	ASSERT_INT_EQ(mon_call(mon_req(2, ks, 2)), HS_ERR_PROTOCOL);
	ks[1] = hks[0].key;
	ASSERT_INT_EQ(mon_call(mon_req(2, ks, 2)), HS_ERR_PROTOCOL);
	ASSERT_INT_EQ(mon_call(mon_req(0, ks, 0)), HS_ERR_BAD_FORMAT);
	for (i = 0; i <= SESSINIT_HOSTKEYS_MAX; i++)
		ks[i] = hks[0].key;
	ASSERT_INT_EQ(mon_call(mon_req(SESSINIT_HOSTKEYS_MAX + 1, ks,
	    SESSINIT_HOSTKEYS_MAX + 1)), HS_ERR_BAD_FORMAT);
	/* Fewer blobs than counted, and a byte after them. */
	ASSERT_INT_NE(mon_call(mon_req(2, ks, 1)), 0);
	b = mon_req(1, ks, 1);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(mon_call(b), HS_ERR_TRAILING_DATA);
	/* A blob one byte short of our key's is not our key. */
	b = buf_new();
	ASSERT_INT_EQ(buf_put_u32(b, 1), 0);
	ASSERT_INT_EQ(buf_put_string(b, buf_ptr(si->hostkeys[0].blob),
	    buf_len(si->hostkeys[0].blob) - 1), 0);
	ASSERT_INT_EQ(mon_call(b), HS_ERR_PROTOCOL);
	TEST_DONE();

	TEST_START("monitor: nothing outside the session phase");
	m.state = MON_ST_AUTH;
	ASSERT_INT_EQ(mon_call(mon_req(1, ks, 1)), HS_ERR_PROTOCOL);
	m.state = MON_ST_REKEY;
	ASSERT_INT_EQ(mon_call(mon_req(1, ks, 1)), HS_ERR_PROTOCOL);
	m.state = MON_ST_SREKEY;
	ASSERT_INT_EQ(mon_call(mon_req(1, ks, 1)), 0);
	m.state = MON_ST_SESSION;
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	/* The refusals below are logged as errors: keep them out. */
	log_init("test-hostkeys", LOG_LEVEL_QUIET, -1, true);
	setup();
	test_announce();
	test_session_parse();
	test_prove();
	test_monitor_refuses();
	sessinit_free(si);
	for (i = 0; i < nkeys; i++)
		key_free(hks[i].key);
	key_free(foreign);
	buf_free(m.session_id);
	close(m.rpc_fd);
	return tap_finish();
}
