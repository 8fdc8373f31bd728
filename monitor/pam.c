/* SPDX-License-Identifier: ISC */
/*
 * Linux-PAM in hsshd-monitor (root).  The PAM stack runs synchronously
 * here; in keyboard-interactive mode the conversation function sends the
 * prompts to the pre-auth child as the answer it owes, then reads the
 * child's next request through the dispatch table (state KBDINT), which
 * admits only answers or an abort.  Answers are attacker-controlled:
 * their count must equal the prompts', each is bounded, and they are
 * wiped after PAM has taken them.
 *
 * Messages without a prompt (PAM_TEXT_INFO, PAM_ERROR_MSG) that arrive
 * during account management and session opening, and are not relayed
 * to a keyboard-interactive client, are kept (bounded) for the session,
 * which shows them before an interactive login shell as sshd does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "common/authproto.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "monitor/monitor.h"
#include "monitor/pam.h"

/* Conversation rounds one keyboard-interactive exchange may take. */
#define KBD_ROUNDS_MAX	32u

/* The login messages (one connection per monitor: one buffer), and
 * whether the current PAM call's messages belong there. */
static struct buf *pam_loginmsg;
static bool pam_collect;

static void
loginmsg_add(const char *text)
{
	size_t len = strlen(text);

	if (pam_loginmsg == NULL && (pam_loginmsg = buf_new()) == NULL)
		fatal_f("out of memory");
	/* Whole messages only; past the bound the rest is dropped. */
	if (buf_len(pam_loginmsg) + len + 1 > SESSINIT_LOGINMSG_MAX) {
		debug("PAM: login message dropped (%zu bytes kept)",
		    buf_len(pam_loginmsg));
		return;
	}
	if (buf_put(pam_loginmsg, text, len) != 0 ||
	    buf_put_u8(pam_loginmsg, '\n') != 0)
		fatal_f("out of memory");
}

static const char *
pam_service_name(void)
{
#ifdef HS_TEST_HOOKS
	/* Tests point individual servers at their own PAM stacks. */
	if (getenv("HSSHD_PAM_SERVICE") != NULL)
		return getenv("HSSHD_PAM_SERVICE");
#endif
	return HSSHD_PAM_SERVICE;
}

static void
free_responses(struct pam_response *resp, int n)
{
	int i;

	if (resp == NULL)
		return;
	for (i = 0; i < n; i++)
		freezero_str(resp[i].resp);
	free(resp);
}

/* Relay one round of prompts to the child and collect its answers. */
static int
relay_round(struct mon *m, int n, const struct pam_message **msg,
    struct pam_response *resp, const char *info)
{
	struct buf *ans, *req = NULL;
	uint32_t count, i;
	uint8_t type;
	char *text;
	int k, nprompts = 0, r;

	if (++m->kbd_rounds > KBD_ROUNDS_MAX)
		return PAM_CONV_ERR;
	if ((ans = buf_new()) == NULL)
		return PAM_BUF_ERR;
	for (k = 0; k < n; k++)
		if (msg[k]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[k]->msg_style == PAM_PROMPT_ECHO_ON)
			nprompts++;
	if (nprompts > (int)KBD_PROMPTS_MAX) {
		buf_free(ans);
		return PAM_CONV_ERR;
	}
	if (buf_put_u8(ans, KBD_PROMPTS) != 0 ||
	    buf_put_cstring(ans, "") != 0 ||
	    buf_put_cstring(ans, info) != 0 ||
	    buf_put_u32(ans, (uint32_t)nprompts) != 0)
		fatal_f("out of memory");
	for (k = 0; k < n; k++) {
		if (msg[k]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[k]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if (buf_put_cstring(ans, msg[k]->msg != NULL ?
		    msg[k]->msg : "") != 0 ||
		    buf_put_bool(ans, msg[k]->msg_style ==
		    PAM_PROMPT_ECHO_ON) != 0)
			fatal_f("out of memory");
	}
	mon_reply(m, m->kbd_reply_type, ans);
	buf_free(ans);

	type = mon_serve_nested(m, MON_ST_KBDINT, &req);
	if (type == RPC_KBDINT_ABORT) {
		if (buf_get_end(req) != 0)
			mon_violation(m, "malformed RPC_KBDINT_ABORT");
		m->kbd_aborted = true;
		m->kbd_reply_type = RPC_KBDINT_ABORT_ANS;
		buf_free(req);
		return PAM_CONV_ERR;
	}
	m->kbd_reply_type = RPC_KBDINT_RESPOND_ANS;
	if ((r = buf_get_u32(req, &count)) != 0 || count != (uint32_t)nprompts)
		mon_violation(m, "keyboard-interactive: %u answers to %d "
		    "prompts", count, nprompts);
	i = 0;
	for (k = 0; k < n; k++) {
		if (msg[k]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[k]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if ((r = buf_get_cstring(req, KBD_TEXT_MAX, &text,
		    NULL)) != 0)
			mon_violation(m, "keyboard-interactive: bad answer "
			    "(%s)", hs_err_str(r));
		resp[k].resp = text;
		i++;
	}
	if (buf_get_end(req) != 0)
		mon_violation(m, "keyboard-interactive: trailing data");
	buf_free(req);		/* answers are secret: wiped */
	return PAM_SUCCESS;
}

static int
mon_pam_conv(int n, const struct pam_message **msg,
    struct pam_response **ret_resp, void *data)
{
	struct mon *m = data;
	struct pam_response *resp;
	struct buf *info;
	char *infotext;
	int k, r = PAM_SUCCESS, nprompts = 0;

	*ret_resp = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	/* Once the child aborted, its last request (the abort) is owed a
	 * verdict, not prompts: a stack that asks again gets an error. */
	if (m->pam_relay && m->kbd_aborted)
		return PAM_CONV_ERR;
	if ((resp = calloc((size_t)n, sizeof(*resp))) == NULL)
		return PAM_BUF_ERR;
	if ((info = buf_new()) == NULL) {
		free(resp);
		return PAM_BUF_ERR;
	}
	for (k = 0; k < n; k++)
		if (msg[k]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[k]->msg_style == PAM_PROMPT_ECHO_ON)
			nprompts++;
	for (k = 0; k < n; k++) {
		switch (msg[k]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if (!m->pam_relay) {
				/* Password mode answers only a hidden
				 * prompt, and only once. */
				if (m->pam_password == NULL ||
				    msg[k]->msg_style != PAM_PROMPT_ECHO_OFF) {
					r = PAM_CONV_ERR;
					break;
				}
				resp[k].resp = xstrdup(m->pam_password);
				m->pam_password = NULL;
			}
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			debug("PAM: %s", msg[k]->msg != NULL ?
			    msg[k]->msg : "");
			if (m->pam_relay && nprompts > 0) {
				if (msg[k]->msg != NULL &&
				    buf_len(info) < KBD_TEXT_MAX)
					(void)buf_putf(info, "%s\n",
					    msg[k]->msg);
			} else if (pam_collect && msg[k]->msg != NULL)
				loginmsg_add(msg[k]->msg);
			break;
		default:
			r = PAM_CONV_ERR;
			break;
		}
		if (r != PAM_SUCCESS)
			break;
	}
	if (r == PAM_SUCCESS && m->pam_relay && nprompts > 0) {
		infotext = xstrndup((const char *)buf_ptr(info),
		    buf_len(info) < KBD_TEXT_MAX ? buf_len(info) :
		    KBD_TEXT_MAX);
		r = relay_round(m, n, msg, resp, infotext);
		free(infotext);
	}
	buf_free(info);
	if (r != PAM_SUCCESS) {
		free_responses(resp, n);
		return r;
	}
	*ret_resp = resp;
	return PAM_SUCCESS;
}

int
mon_pam_start(struct mon *m, const char *user)
{
	struct pam_conv conv = { mon_pam_conv, m };
	pam_handle_t *pamh = NULL;
	int r;

	if ((r = pam_start(pam_service_name(), user, &conv, &pamh)) !=
	    PAM_SUCCESS) {
		error("PAM: initialisation failed: %s",
		    pam_strerror(pamh, r));
		return -1;
	}
	/* PAM_RHOST: the verified name with UseDNS, as sshd. */
	if ((r = pam_set_item(pamh, PAM_RHOST, mon_peer_host(m))) !=
	    PAM_SUCCESS ||
	    (r = pam_set_item(pamh, PAM_RUSER, user)) != PAM_SUCCESS ||
	    (r = pam_set_item(pamh, PAM_TTY, "ssh")) != PAM_SUCCESS) {
		error("PAM: setting items failed: %s", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return -1;
	}
	m->pamh = pamh;
	return 0;
}

static bool
mon_pam_acct(struct mon *m, bool allow_change)
{
	pam_handle_t *pamh = m->pamh;
	int r;

	pam_collect = true;
	r = pam_acct_mgmt(pamh, 0);
	pam_collect = false;
	if (r == PAM_NEW_AUTHTOK_REQD && allow_change) {
		logit("PAM: password of %s has expired: changing it",
		    m->user);
		r = pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
		if (r != PAM_SUCCESS)
			logit("PAM: password change for %s failed: %s",
			    m->user, pam_strerror(pamh, r));
	} else if (r == PAM_NEW_AUTHTOK_REQD) {
		logit("PAM: password of %s has expired; it can be changed "
		    "with keyboard-interactive authentication", m->user);
	} else if (r != PAM_SUCCESS)
		logit("PAM: account check for %s from %s failed: %s",
		    m->user, m->peer_addr, pam_strerror(pamh, r));
	return r == PAM_SUCCESS;
}

bool
mon_pam_password(struct mon *m, const char *password)
{
	int r;

	if (m->pamh == NULL)
		return false;
	m->pam_relay = false;
	m->pam_password = password;
	r = pam_authenticate(m->pamh, 0);
	m->pam_password = NULL;
	if (r != PAM_SUCCESS)
		return false;
	return mon_pam_acct(m, false);
}

bool
mon_pam_kbdint(struct mon *m, bool *aborted)
{
	int r;

	*aborted = false;
	if (m->pamh == NULL)
		return false;
	m->pam_relay = true;
	m->kbd_rounds = 0;
	m->kbd_aborted = false;
	r = pam_authenticate(m->pamh, 0);
	if (r == PAM_SUCCESS && !m->kbd_aborted)
		r = mon_pam_acct(m, true) ? PAM_SUCCESS : PAM_AUTH_ERR;
	m->pam_relay = false;
	*aborted = m->kbd_aborted;
	return r == PAM_SUCCESS && !m->kbd_aborted;
}

bool
mon_pam_account(struct mon *m)
{
	if (m->pamh == NULL)
		return false;
	m->pam_relay = false;
	return mon_pam_acct(m, false);
}

bool
mon_pam_open_session(struct mon *m)
{
	int r;

	if (m->pamh == NULL)
		return true;
	m->pam_relay = false;
	pam_collect = true;
	r = pam_setcred(m->pamh, PAM_ESTABLISH_CRED);
	pam_collect = false;
	if (r != PAM_SUCCESS) {
		error("PAM: pam_setcred for %s: %s", m->user,
		    pam_strerror(m->pamh, r));
		return false;
	}
	m->pam_cred = true;
	pam_collect = true;
	r = pam_open_session(m->pamh, 0);
	pam_collect = false;
	if (r != PAM_SUCCESS) {
		error("PAM: pam_open_session for %s: %s", m->user,
		    pam_strerror(m->pamh, r));
		return false;
	}
	m->pam_session = true;
	return true;
}

void
mon_pam_close(struct mon *m)
{
	if (m->pamh == NULL)
		return;
	m->pam_relay = false;
	if (m->pam_session)
		(void)pam_close_session(m->pamh, PAM_SILENT);
	if (m->pam_cred)
		(void)pam_setcred(m->pamh, PAM_DELETE_CRED | PAM_SILENT);
	pam_end(m->pamh, PAM_SUCCESS);
	m->pamh = NULL;
	m->pam_session = m->pam_cred = false;
}

char *
mon_pam_login_messages(void)
{
	if (pam_loginmsg == NULL || buf_len(pam_loginmsg) == 0)
		return NULL;
	return xstrndup((const char *)buf_ptr(pam_loginmsg),
	    buf_len(pam_loginmsg));
}

char **
mon_pam_getenv(struct mon *m)
{
	if (m->pamh == NULL)
		return NULL;
	return pam_getenvlist(m->pamh);
}

void
mon_pam_free_env(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		freezero_str(env[i]);
	free(env);
}
