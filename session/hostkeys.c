/* SPDX-License-Identifier: ISC */
/*
 * hostkeys-00@openssh.com and hostkeys-prove-00@openssh.com (OpenSSH
 * PROTOCOL §2.5), in hsshd-session (the logged-in user, no
 * capabilities).  The prove request is attacker-controlled: it is read
 * through struct buf with bounds, and only blobs byte-equal to a host
 * key of the start state reach the monitor, which builds the signed data
 * itself (see monitor/answer-session.c).  The monitor's answer is
 * trusted but parsed with bounds all the same.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "session/channel.h"
#include "session/hostkeys.h"
#include "session/monitor-client.h"

static hostkeys_prover *prover;
static void *prover_ctx;

void
hostkeys_set_prover(hostkeys_prover *fn, void *ctx)
{
	prover = fn;
	prover_ctx = ctx;
}

int
hostkeys_announce(const struct session_init *si, const struct conn_io *io)
{
	struct buf *b;
	size_t i;
	int r;

	if (si->nhostkeys == 0)
		return 0;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST)) != 0 ||
	    (r = buf_put_cstring(b, HOSTKEYS_ANNOUNCE_NAME)) != 0 ||
	    (r = buf_put_bool(b, false)) != 0)
		goto out;
	for (i = 0; i < si->nhostkeys && i < SESSINIT_HOSTKEYS_MAX; i++) {
		if ((r = buf_put_stringb(b, si->hostkeys[i].blob)) != 0)
			goto out;
	}
	debug("sending %s with %zu host key%s", HOSTKEYS_ANNOUNCE_NAME,
	    si->nhostkeys, si->nhostkeys == 1 ? "" : "s");
	r = io->send(io->ctx, b);
 out:
	buf_free(b);
	return r;
}

/* The index of the host key whose blob this is, or -1. */
static int
hostkey_index(const struct session_init *si, const uint8_t *blob,
    size_t len)
{
	const struct buf *k;
	size_t i;

	for (i = 0; i < si->nhostkeys && i < SESSINIT_HOSTKEYS_MAX; i++) {
		k = si->hostkeys[i].blob;
		if (k != NULL && buf_len(k) == len &&
		    memcmp(buf_ptr(k), blob, len) == 0)
			return (int)i;
	}
	return -1;
}

int
hostkeys_prove_parse(const struct session_init *si, struct buf *req,
    struct buf **ret_rpc, uint32_t *ret_n)
{
	const uint8_t *blob;
	bool seen[SESSINIT_HOSTKEYS_MAX];
	struct buf *keys = NULL, *rpc = NULL;
	uint32_t n = 0;
	size_t len;
	int r, idx;

	*ret_rpc = NULL;
	*ret_n = 0;
	memset(seen, 0, sizeof(seen));
	if ((keys = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	while (buf_len(req) > 0) {
		if ((r = buf_get_string_direct(req, KEY_BLOB_MAX, &blob,
		    &len)) != 0)
			goto out;
		if ((idx = hostkey_index(si, blob, len)) == -1) {
			r = HS_ERR_NOT_FOUND;
			goto out;
		}
		if (seen[idx] || n >= HOSTKEYS_PROVE_MAX) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		seen[idx] = true;
		n++;
		if ((r = buf_put_string(keys, blob, len)) != 0)
			goto out;
	}
	if (n > 0) {
		if ((rpc = buf_new()) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		if ((r = buf_put_u32(rpc, n)) != 0 ||
		    (r = buf_putb(rpc, keys)) != 0)
			goto out;
	}
	*ret_rpc = rpc;
	rpc = NULL;
	*ret_n = n;
	r = 0;
 out:
	buf_free(keys);
	buf_free(rpc);
	return r;
}

/* The monitor signs (RPC_HOSTKEY_PROVE); fatal if it is gone, as every
 * monitor request of the session. */
static int
prove_by_monitor(const struct buf *rpc_req, struct buf *ans)
{
	struct buf *got = NULL;
	uint8_t type;
	int r;

	if (mm_fd() == -1)
		return HS_ERR_NOT_FOUND;
	if ((r = rpc_send(mm_fd(), RPC_HOSTKEY_PROVE, rpc_req, -1)) != 0)
		fatal_r(r, "monitor request %s",
		    rpc_type_name(RPC_HOSTKEY_PROVE));
	if ((r = rpc_recv(mm_fd(), RPC_MSG_MAX, &type, &got, NULL)) != 0)
		fatal_r(r, "monitor answer to %s",
		    rpc_type_name(RPC_HOSTKEY_PROVE));
	if (type != RPC_HOSTKEY_PROVE_ANS)
		fatal("monitor answered %s with %s",
		    rpc_type_name(RPC_HOSTKEY_PROVE), rpc_type_name(type));
	r = buf_putb(ans, got);
	buf_free(got);
	return r;
}

/* The monitor's answer: exactly n signatures, each bounded. */
static int
check_answer(const struct buf *ans, uint32_t n)
{
	const uint8_t *sig;
	struct buf *b;
	size_t len;
	uint32_t i;
	int r = 0;

	if ((b = buf_from(buf_ptr(ans), buf_len(ans))) == NULL)
		return HS_ERR_ALLOC;
	for (i = 0; i < n && r == 0; i++) {
		if ((r = buf_get_string_direct(b, SIG_MAX, &sig, &len)) == 0 &&
		    len == 0)
			r = HS_ERR_BAD_FORMAT;
	}
	if (r == 0)
		r = buf_get_end(b);
	buf_free(b);
	return r;
}

int
hostkeys_prove(const struct session_init *si, struct buf *req,
    bool want_reply, const struct conn_io *io)
{
	struct buf *rpc = NULL, *ans = NULL, *reply = NULL;
	uint32_t n = 0;
	bool ok = false;
	int r;

	if ((r = hostkeys_prove_parse(si, req, &rpc, &n)) != 0) {
		logit("%s refused: %s", HOSTKEYS_PROVE_NAME,
		    r == HS_ERR_NOT_FOUND ? "not one of our host keys" :
		    hs_err_str(r));
		goto answer;
	}
	if ((ans = buf_new()) == NULL)
		fatal_f("out of memory");
	if (n > 0) {
		r = prover != NULL ? prover(prover_ctx, rpc, ans) :
		    prove_by_monitor(rpc, ans);
		if (r != 0 || (r = check_answer(ans, n)) != 0) {
			error_r(r, "%s: no signatures", HOSTKEYS_PROVE_NAME);
			goto answer;
		}
	}
	debug("%s: proved %u host key%s", HOSTKEYS_PROVE_NAME, n,
	    n == 1 ? "" : "s");
	ok = true;
 answer:
	r = 0;
	if (want_reply) {
		if ((reply = buf_new()) == NULL ||
		    buf_put_u8(reply, ok ? SSH2_MSG_REQUEST_SUCCESS :
		    SSH2_MSG_REQUEST_FAILURE) != 0 ||
		    (ok && buf_putb(reply, ans) != 0))
			fatal_f("out of memory");
		r = io->send(io->ctx, reply);
	}
	buf_free(rpc);
	buf_free(ans);
	buf_free(reply);
	return r;
}
