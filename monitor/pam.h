/* SPDX-License-Identifier: ISC */
/*
 * Linux-PAM in hsshd-monitor (root): one handle per connection, started
 * for valid and invalid user names alike.  The conversation either answers
 * a password prompt from memory (method "password") or relays every prompt
 * to the client through the pre-auth child and the RPC (method
 * "keyboard-interactive").  Success is only ever an explicit PAM_SUCCESS.
 */
#ifndef HS_MON_PAM_H
#define HS_MON_PAM_H

#include <stdbool.h>

struct mon;

/* pam_start and the items (PAM_RHOST, PAM_RUSER, PAM_TTY "ssh"). */
int	mon_pam_start(struct mon *, const char *user);
/* Password method: pam_authenticate answering with password, then
 * pam_acct_mgmt.  Returns true only for PAM_SUCCESS of both. */
bool	mon_pam_password(struct mon *, const char *password);
/*
 * keyboard-interactive: pam_authenticate (and, when the account says the
 * password expired, pam_chauthtok) relaying the conversation.  The
 * prompts are sent as answers to the pending request; returns true only
 * for success.  *aborted is set when the child aborted the conversation.
 */
bool	mon_pam_kbdint(struct mon *, bool *aborted);
/* pam_acct_mgmt for a user authenticated otherwise (publickey). */
bool	mon_pam_account(struct mon *);
/* Session set-up and teardown (pam_setcred, pam_open_session ...). */
bool	mon_pam_open_session(struct mon *);
void	mon_pam_close(struct mon *);
/* What PAM modules said without asking during account management and
 * session opening ("line\n" each, at most SESSINIT_LOGINMSG_MAX bytes),
 * for the session to show; NULL if nothing.  Caller frees. */
char	*mon_pam_login_messages(void);
/* The PAM environment (NULL-terminated, caller frees with
 * mon_pam_free_env). */
char	**mon_pam_getenv(struct mon *);
void	mon_pam_free_env(char **);

#endif
