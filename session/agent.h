/* SPDX-License-Identifier: ISC */
/*
 * Agent forwarding ("auth-agent-req@openssh.com", OpenSSH PROTOCOL §4.1)
 * in hsshd-session, which runs as the logged-in user without
 * capabilities.  The request comes from the network and is
 * attacker-controlled (it has no fields); what it may do is sshd's rule:
 * AllowAgentForwarding, DisableForwarding and the key's
 * no-agent-forwarding.  One listening Unix-domain socket per connection,
 * "agent.<pid>" in a fresh private directory under /tmp as sshd makes it;
 * each program of the user that connects gets an
 * "auth-agent@openssh.com" channel to the client's agent.
 */
#ifndef HS_SESSION_AGENT_H
#define HS_SESSION_AGENT_H

#include <stdbool.h>
#include <stdint.h>

struct buf;
struct conn;

/* The directory template of the socket (mkdtemp(3)), as sshd's. */
#define AGENT_DIR_TEMPLATE	"/tmp/ssh-XXXXXXXXXX"

/*
 * The session-channel request "auth-agent-req@openssh.com" on session
 * channel chan_id: set up the connection's agent socket, or reuse the
 * one an earlier request set up; *ok is the answer.  The socket and its
 * directory are removed when the connection ends (conn_free).  Returns
 * 0, or HS_ERR_PROTOCOL for a payload that is not empty.
 */
int	 agent_request(struct conn *, uint32_t chan_id, struct buf *payload,
	    bool *ok);
/* SSH_AUTH_SOCK for the connection's children: the socket's path, or
 * NULL while agent forwarding is not set up. */
const char *agent_socket(const struct conn *);

#endif
