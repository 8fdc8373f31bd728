/* SPDX-License-Identifier: ISC */
/*
 * Host key rotation (OpenSSH PROTOCOL §2.5, UpdateHostKeys), in
 * hsshd-session (the logged-in user, no capabilities).  After
 * authentication we announce every host key with the global request
 * "hostkeys-00@openssh.com"; a client that learns keys it did not know
 * asks "hostkeys-prove-00@openssh.com" with their blobs, and the monitor
 * (which alone holds the private keys) signs, over data it builds
 * itself, for the blobs that are its keys.  The prove request comes from
 * the network and is attacker-controlled: it is parsed here with bounds,
 * and only blobs equal to one of our host keys go to the monitor.
 */
#ifndef HS_SESSION_HOSTKEYS_H
#define HS_SESSION_HOSTKEYS_H

#include <stdbool.h>
#include <stdint.h>

struct buf;
struct conn_io;
struct session_init;

#define HOSTKEYS_ANNOUNCE_NAME	"hostkeys-00@openssh.com"
#define HOSTKEYS_PROVE_NAME	"hostkeys-prove-00@openssh.com"

/*
 * Send "hostkeys-00@openssh.com" (want-reply false) with the public key
 * blob of every host key in si.  Returns 0 or the error of io->send.
 */
int	 hostkeys_announce(const struct session_init *si,
	    const struct conn_io *io);

/*
 * The rest of a hostkeys-prove-00@openssh.com request (after the name
 * and want-reply): string blobs up to its end.  Each must be one of si's
 * host keys, none twice, at most HOSTKEYS_PROVE_MAX.  On success *ret_n
 * is their number and, if there is at least one, *ret_rpc (caller frees)
 * the body of RPC_HOSTKEY_PROVE (u32 n, n x string blob); with none,
 * *ret_rpc is NULL.  Errors (nothing set): HS_ERR_NOT_FOUND for a key
 * that is not ours, HS_ERR_BAD_FORMAT for a key twice or too many, the
 * buf getter errors for a malformed request.
 */
int	 hostkeys_prove_parse(const struct session_init *si, struct buf *req,
	    struct buf **ret_rpc, uint32_t *ret_n);

/*
 * Who signs: the monitor over the RPC by default.  A prover gets the
 * RPC_HOSTKEY_PROVE body and appends the answer (n x string signature)
 * to ans; it returns 0 or an error (the request then fails).  Tests set
 * their own; NULL restores the monitor.
 */
typedef int hostkeys_prover(void *ctx, const struct buf *rpc_req,
	    struct buf *ans);
void	 hostkeys_set_prover(hostkeys_prover *, void *ctx);

/*
 * Answer a hostkeys-prove-00@openssh.com request: REQUEST_SUCCESS with
 * one string signature per key asked, in order, or REQUEST_FAILURE when
 * the request is malformed, names a key that is not ours, or the
 * monitor cannot sign; sent through io only if want_reply.  Returns 0
 * or the error of io->send.
 */
int	 hostkeys_prove(const struct session_init *si, struct buf *req,
	    bool want_reply, const struct conn_io *io);

#endif
