/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for host key rotation (PROTOCOL §2.5): the body of a
 * hostkeys-prove-00@openssh.com request as a client sends it to
 * hsshd-session (session/hostkeys.c), whose blobs, when accepted, go on
 * to the monitor's real RPC_HOSTKEY_PROVE handler
 * (monitor/answer-session.c); and the same input as an RPC_HOSTKEY_PROVE
 * body a compromised session sends the monitor directly.  The world: two
 * Ed25519 host keys generated at start.  The first input byte picks how
 * the input is shaped: raw, or a list of (u8 which, u8 cut) entries the
 * harness turns into blobs of our keys, a foreign key, or truncations
 * of them, so both parsers are reached well past their first checks.
 *
 * Checked besides sanitizer reports: a REQUEST_SUCCESS carries exactly
 * one signature per requested blob and each verifies with that host key
 * over the data PROTOCOL §2.5 defines; a request naming a key that is not
 * ours never reaches the monitor; the monitor never answers a refused
 * request and never signs for a blob that is not byte for byte its key.
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_KEYS	2

static struct mon fz_m;
static struct hostkey fz_hk[FZ_KEYS];
static struct buf *fz_blob[FZ_KEYS + 1];	/* ours, then a foreign one */
static struct session_init *fz_si;
static struct buf *fz_asked;	/* the last RPC body the session sent */

static int
fz_send(void *ctx, const struct buf *payload)
{
	return buf_putb(ctx, payload);
}

static int
fz_prover(void *ctx, const struct buf *rpc_req, struct buf *ans)
{
	struct buf *req;
	int r;

	(void)ctx;
	buf_reset(fz_asked);
	if (buf_putb(fz_asked, rpc_req) != 0 ||
	    (req = buf_from(buf_ptr(rpc_req), buf_len(rpc_req))) == NULL)
		abort();
	r = mon_answer_hostkey_prove(&fz_m, req, ans);
	/* The session only ever asks for our keys, each once. */
	if (r != 0)
		abort();
	buf_free(req);
	return r;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct key *k = NULL;
	size_t i;

	(void)argc;
	(void)argv;
	log_init("fuzz-hostkeys", LOG_LEVEL_QUIET, -1, true);
	for (i = 0; i <= FZ_KEYS; i++) {
		if (key_generate(KEY_ED25519, 0, &k) != 0 ||
		    (fz_blob[i] = buf_new()) == NULL ||
		    key_to_blob(k, fz_blob[i]) != 0)
			abort();
		if (i < FZ_KEYS)
			fz_hk[i].key = k;
		else
			key_free(k);
		k = NULL;
	}
	fz_m.snap.hk.keys = fz_hk;
	fz_m.snap.hk.nkeys = FZ_KEYS;
	fz_m.user = "alice";
	fz_m.state = MON_ST_SESSION;
	if ((fz_m.rpc_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    (fz_m.session_id = buf_from("0123456789abcdef0123456789abcdef",
	    32)) == NULL || (fz_si = sessinit_new()) == NULL ||
	    (fz_asked = buf_new()) == NULL)
		abort();
	snprintf(fz_m.negotiated.hostkey_alg,
	    sizeof(fz_m.negotiated.hostkey_alg), "ssh-ed25519");
	for (i = 0; i < FZ_KEYS; i++) {
		if ((fz_si->hostkeys[i].sig_algs = strdup("ssh-ed25519")) ==
		    NULL || (fz_si->hostkeys[i].blob = buf_from(
		    buf_ptr(fz_blob[i]), buf_len(fz_blob[i]))) == NULL)
			abort();
	}
	fz_si->nhostkeys = FZ_KEYS;
	hostkeys_set_prover(fz_prover, NULL);
	return 0;
}

/* Which of our keys this blob is, or -1. */
static int
fz_ours(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < FZ_KEYS; i++) {
		if (buf_len(fz_blob[i]) == len &&
		    memcmp(buf_ptr(fz_blob[i]), p, len) == 0)
			return (int)i;
	}
	return -1;
}

/* The request body: raw, or built from (which, cut) pairs. */
static struct buf *
fz_body(const uint8_t *data, size_t size)
{
	struct buf *b;
	const struct buf *blob;
	size_t i, len;

	if (size > 0 && (data[0] & 1) == 0)
		return buf_from(data + 1, size - 1);
	if ((b = buf_new()) == NULL)
		abort();
	for (i = 1; i + 2 <= size && i < 200; i += 2) {
		blob = fz_blob[data[i] % (FZ_KEYS + 1)];
		len = buf_len(blob);
		if (data[i + 1] < len && (data[i + 1] & 0x80) != 0)
			len = data[i + 1];	/* truncated */
		if (buf_put_string(b, buf_ptr(blob), len) != 0)
			abort();
	}
	return b;
}

/* PROTOCOL §2.5's signed data for our key i, checked against sig. */
static void
fz_verify(size_t i, const uint8_t *sig, size_t len)
{
	struct buf *d = buf_new();

	if (d == NULL || buf_put_cstring(d,
	    "hostkeys-prove-00@openssh.com") != 0 ||
	    buf_put_stringb(d, fz_m.session_id) != 0 ||
	    buf_put_stringb(d, fz_blob[i]) != 0 ||
	    key_verify(fz_hk[i].key, "ssh-ed25519", sig, len, buf_ptr(d),
	    buf_len(d)) != 0)
		abort();
	buf_free(d);
}

static void
fz_session(const uint8_t *data, size_t size)
{
	struct buf *req = fz_body(data, size), *out = buf_new(), *copy;
	struct conn_io io = { fz_send, NULL, out };
	const uint8_t *p, *sig;
	size_t len, slen;
	uint32_t n;
	uint8_t type;
	int idx;

	if (req == NULL || out == NULL ||
	    (copy = buf_from(buf_ptr(req), buf_len(req))) == NULL)
		abort();
	buf_reset(fz_asked);
	if (hostkeys_prove(fz_si, req, true, &io) != 0 ||
	    buf_get_u8(out, &type) != 0)
		abort();
	if (type == SSH2_MSG_REQUEST_FAILURE) {
		if (buf_len(out) != 0)
			abort();
		goto done;
	}
	if (type != SSH2_MSG_REQUEST_SUCCESS)
		abort();
	/* Success: the request was all our keys, and each is proved. */
	if (buf_len(copy) > 0 && (buf_get_u32(fz_asked, &n) != 0 || n == 0))
		abort();
	while (buf_len(copy) > 0) {
		if (buf_get_string_direct(copy, KEY_BLOB_MAX, &p, &len) != 0 ||
		    (idx = fz_ours(p, len)) == -1 ||
		    buf_get_string_direct(out, SIG_MAX, &sig, &slen) != 0)
			abort();
		fz_verify((size_t)idx, sig, slen);
	}
	if (buf_len(out) != 0)
		abort();
 done:
	buf_free(copy);
	buf_free(req);
	buf_free(out);
}

static void
fz_monitor(const uint8_t *data, size_t size)
{
	struct buf *body = fz_body(data, size), *req, *ans, *copy;
	const uint8_t *p, *sig;
	size_t len, slen;
	uint32_t n;
	int r, idx;

	if ((req = buf_new()) == NULL || (ans = buf_new()) == NULL ||
	    body == NULL)
		abort();
	/* The count: from the input, or the number of blobs built. */
	n = size > 1 ? data[size - 1] % (FZ_KEYS + 2) : 1;
	if (buf_put_u32(req, n) != 0 || buf_putb(req, body) != 0 ||
	    (copy = buf_from(buf_ptr(req), buf_len(req))) == NULL)
		abort();
	r = mon_answer_hostkey_prove(&fz_m, req, ans);
	if (r != 0) {
		if (buf_len(ans) != 0)
			abort();
		goto done;
	}
	/* Signed: n blobs, each ours, each with its signature. */
	if (buf_get_u32(copy, &n) != 0)
		abort();
	while (n-- > 0) {
		if (buf_get_string_direct(copy, KEY_BLOB_MAX, &p, &len) != 0 ||
		    (idx = fz_ours(p, len)) == -1 ||
		    buf_get_string_direct(ans, SIG_MAX, &sig, &slen) != 0)
			abort();
		fz_verify((size_t)idx, sig, slen);
	}
	if (buf_len(copy) != 0 || buf_len(ans) != 0)
		abort();
 done:
	buf_free(copy);
	buf_free(body);
	buf_free(req);
	buf_free(ans);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_session(data, size);
	fz_monitor(data, size);
	return 0;
}
