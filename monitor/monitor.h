/* SPDX-License-Identifier: ISC */
/*
 * State of one hsshd-monitor (root, one per connection).  The monitor owns
 * the host private keys and every decision; its children (hsshd-preauth,
 * later hsshd-session) are untrusted and reach it only through the RPC
 * messages its dispatch table admits in the current state.
 */
#ifndef HS_MONITOR_H
#define HS_MONITOR_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/kex.h"
#include "monitor/snapshot.h"

struct buf;
struct authkey_opts;
struct key;

/* Monitor states; the dispatch table names them as bits. */
enum mon_state {
	MON_ST_INIT = 0,	/* child started, waiting for HELLO */
	MON_ST_BANNER,		/* waiting for the client's version line */
	MON_ST_KEX,		/* waiting for the exchange values to sign */
	MON_ST_USER,		/* keys exchanged, no user named yet */
	MON_ST_AUTH,		/* authenticating a user */
	MON_ST_DONE,		/* authenticated: transport export */
	MON_ST_REKEY,		/* a re-key: one signature, then back */
	MON_ST_KBDINT,		/* inside a PAM conversation */
	MON_ST_REFUSED,		/* too many failures: nothing more */
	MON_ST_SESSION,		/* the user's session process runs */
	MON_ST_SREKEY,		/* a session re-key: one signature, then back */
	MON_ST_COUNT
};

struct mon {
	struct snapshot	 snap;
	int		 rpc_fd;	/* to the current child */
	int		 status_fd;	/* to the listener */
	pid_t		 child;
	enum mon_state	 state;
	enum mon_state	 resume_state;	/* where MON_ST_REKEY returns to */
	unsigned int	 counts[256];	/* messages served, by type */
	bool		 privileged;
	uid_t		 privsep_uid;
	gid_t		 privsep_gid;
	char		 peer_addr[64], local_addr[64];
	int		 peer_port, local_port;
	char		*peer_host;	/* mon_peer_host(); NULL until asked */

	/* Transport: everything that enters the exchange hash on the
	 * server's side is the monitor's own. */
	char		*v_s;		/* our version line, no CR LF */
	char		*v_c;		/* client's version line */
	struct buf	*i_s;		/* our KEXINIT payload */
	char		*hostkey_algs;	/* what our KEXINIT offered */
	struct buf	*session_id;
	struct kex_keys	*keys;		/* derived from the first KEX */
	struct kex_negotiated negotiated;
	unsigned int	 kex_count;

	/* Authentication (answer-auth.c, pam.c). */
	struct hs_config *ccfg;		/* for this user and connection */
	char		*user, *service;
	bool		 user_valid;	/* exists, may log in, passes Allow* */
	uid_t		 uid;
	gid_t		 gid;
	char		*home, *shell;
	unsigned int	 failures;
	bool		 none_tried;
	char		**methods_done;	/* AuthenticationMethods progress */
	size_t		 nmethods_done;
	int		 auth_code;	/* last verdict (enum auth_code) */
	void		*pamh;		/* pam_handle_t */
	bool		 pam_cred, pam_session;
	const char	*pam_password;	/* the answer in password mode */
	bool		 pam_relay;	/* relay prompts to the child */
	uint8_t		 kbd_reply_type; /* answer owed to the child */
	unsigned int	 kbd_rounds;
	bool		 kbd_aborted;
	char		*auth_key_fp;	/* key that authenticated, for logs */
	int		 passed_fd;	/* descriptor of the current request */
	struct authkey_opts *key_opts;	/* of the key that authenticated */

	/* Hand-over to the session (after authentication). */
	int		 client_fd;
	struct buf	*transport_state;	/* the child's pkt_export() */
};

/* After authentication: run the user's session to its end (session.c);
 * returns the monitor's exit status. */
int	mon_session_run(struct mon *);

/* Undo what the session's requests set up (ptys, login records). */
void	mon_session_cleanup(struct mon *);

/* Exit the monitor: kill the child's process group, tell nothing more. */
void	mon_exit(struct mon *, int status) __attribute__((noreturn));
/* A child broke the rules: log the reason, kill it, exit CRASH. */
void	mon_violation(struct mon *, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/* Serve RPC requests until the child closes the channel or a deadline
 * passes; returns when the child is gone. */
void	mon_dispatch_loop(struct mon *, int deadline_seconds);
/*
 * Inside a handler: read the next request as if in state st (LOG lines
 * are served on the way), admitted only by the table's rows for st.
 * Returns its type and body (caller frees); the caller answers it.
 */
uint8_t	mon_serve_nested(struct mon *, enum mon_state st, struct buf **ret);
/* Send an answer from a handler that answers for itself. */
void	mon_reply(struct mon *, uint8_t type, const struct buf *body);

/* Handlers (answer-*.c): parse req (ending with buf_get_end), act, fill
 * reply.  A non-zero return is a violation. */
int	mon_answer_hello(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_peer_banner(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_kex_sign(struct mon *, struct buf *req, struct buf *reply);
/* The signature algorithms a host key serves ("rsa-sha2-512,rsa-sha2-256"). */
const char *mon_hostkey_sig_algs(const struct key *);
int	mon_answer_kex_rekey(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_userauth_begin(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_auth_none(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_pubkey_check(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_pubkey_verify(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_password(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_kbdint_begin(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_transport_export(struct mon *, struct buf *req,
	    struct buf *reply);
/*
 * The session phase (answer-session.c), requests of hsshd-session.
 * PTY_OPEN answers for itself (the answer carries the master by
 * SCM_RIGHTS): its row has no reply type.  TERMINATE has no answer.
 */
int	mon_answer_pty_open(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_pty_close(struct mon *, struct buf *req, struct buf *reply);
int	mon_answer_session_event(struct mon *, struct buf *req,
	    struct buf *reply);
int	mon_answer_terminate(struct mon *, struct buf *req, struct buf *reply);
/* hostkeys-prove-00@openssh.com: signatures by our host keys over data
 * we build (answer-session.c has the body). */
int	mon_answer_hostkey_prove(struct mon *, struct buf *req,
	    struct buf *reply);
/* The user's lastlog entry as it is now (before this login records
 * itself): *ret_time 0 if there is none; host gets its host. */
void	mon_session_last_login(const struct mon *, uint64_t *ret_time,
	    char *host, size_t hostlen);
/* The client's host name with UseDNS (verified both ways), else (and
 * without a usable name) its address; resolved once, on first use. */
const char *mon_peer_host(struct mon *);
/* Release every pty the session still holds (logout records, ownership
 * back to root): for mon_session_cleanup. */
void	mon_session_release_ptys(struct mon *);
/* Tests: where login records go (NULL: the system's files). */
void	mon_session_record_files(const char *utmp, const char *wtmp,
	    const char *lastlog);

#endif
