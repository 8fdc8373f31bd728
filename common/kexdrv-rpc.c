/* SPDX-License-Identifier: ISC */
/*
 * The key exchange requests of a child process to its monitor
 * (RPC_KEX_REKEY, RPC_KEX_SIGN), for hsshd-preauth (sandboxed) and
 * hsshd-session (the logged-in user): struct kexdrv_ops callbacks.  The
 * answers come from the monitor, which is trusted; they are still parsed
 * through struct buf with bounds and end checks, and a wrong answer type
 * is an error.  The bodies (answers are the request type + 1):
 *
 *  RPC_KEX_REKEY  empty -> string a fresh server KEXINIT payload
 *  RPC_KEX_SIGN   string I_C, string Q_C, string Q_S, string K (the
 *                 encoded mpint) -> string signature
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/kexdrv.h"
#include "common/log.h"
#include "common/rpc.h"

int
kexdrv_rpc_kexinit(void *rpc, struct buf **ret)
{
	struct buf *ans = NULL, *i_s = NULL;
	int r;

	*ret = NULL;
	if ((r = rpc_call(*(const int *)rpc, RPC_KEX_REKEY, NULL,
	    RPC_KEX_REKEY_ANS, RPC_MSG_MAX, &ans, NULL)) != 0)
		goto out;
	if ((r = buf_froms(ans, PKT_MAX_PACKET, &i_s)) != 0 ||
	    (r = buf_get_end(ans)) != 0)
		goto out;
	*ret = i_s;
	i_s = NULL;
 out:
	buf_free(i_s);
	buf_free(ans);
	return r;
}

int
kexdrv_rpc_sign(void *rpc, const struct buf *i_c, const uint8_t *q_c,
    size_t q_c_len, const uint8_t *q_s, size_t q_s_len, const struct buf *k,
    struct buf *sig)
{
	struct buf *req = NULL, *ans = NULL;
	const uint8_t *p;
	size_t len;
	int r;

	if ((req = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put_stringb(req, i_c)) != 0 ||
	    (r = buf_put_string(req, q_c, q_c_len)) != 0 ||
	    (r = buf_put_string(req, q_s, q_s_len)) != 0 ||
	    (r = buf_put_stringb(req, k)) != 0)
		goto out;
	if ((r = rpc_call(*(const int *)rpc, RPC_KEX_SIGN, req,
	    RPC_KEX_SIGN_ANS, RPC_MSG_MAX, &ans, NULL)) != 0)
		goto out;
	if ((r = buf_get_string_direct(ans, SIG_MAX, &p, &len)) != 0 ||
	    (r = buf_get_end(ans)) != 0 ||
	    (r = buf_put(sig, p, len)) != 0)
		goto out;
 out:
	buf_free(req);	/* holds K: wiped on free */
	buf_free(ans);
	return r;
}
