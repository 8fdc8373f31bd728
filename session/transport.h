/* SPDX-License-Identifier: ISC */
/*
 * The SSH transport and event loop of hsshd-session (the logged-in user,
 * no capabilities): the packet layer taken over from the pre-auth child,
 * re-keying (host key signatures from the monitor), the connection
 * protocol and the children's descriptors in one poll() loop.  Every
 * byte read from the client socket is attacker-controlled.
 */
#ifndef HS_SESSION_TRANSPORT_H
#define HS_SESSION_TRANSPORT_H

struct hs_config;
struct pkt_state;
struct session_init;

/*
 * Serve the connection on fd (the client socket) until it ends; returns
 * the exit status (enum helper_exit).  si's keys must already be wiped
 * (the packet state holds them); si, cfg and kopts (the authorized_keys
 * options of the login, or NULL) must outlive the call.
 */
struct authkey_opts;
int	sess_transport_run(int fd, struct pkt_state *pkt,
	    const struct session_init *si, const struct hs_config *cfg,
	    const struct authkey_opts *kopts);

/*
 * The packet state of the hand-over: keys from the monitor's derived key
 * set for the negotiated algorithms, then the pre-auth child's counters
 * and pending bytes (pkt_import).  Returns 0 or an HS_ERR_* code (the
 * names do not name algorithms of this build, or the blob is bad).
 */
int	sess_transport_import(const struct session_init *si,
	    struct pkt_state **ret);

#endif
