/* SPDX-License-Identifier: ISC */
/*
 * Answers of the monitor's authentication requests (hsshd-monitor to
 * hsshd-preauth).  Shared wire shapes:
 *
 *  auth result:  u8 code (enum auth_code), string methods that can continue
 *  kbd reply:    u8 kind (enum kbd_kind); KBD_PROMPTS: string name, string
 *                instruction, u32 n, n x (string prompt, bool echo);
 *                KBD_RESULT: an auth result
 */
#ifndef HS_AUTHPROTO_H
#define HS_AUTHPROTO_H

enum auth_code {
	AUTH_FAILURE = 0,
	AUTH_PARTIAL = 1,	/* a method succeeded; more are required */
	AUTH_SUCCESS = 2,
	AUTH_DISCONNECT = 3,	/* too many failures: the monitor logged it */
	AUTH_PK_OK = 4,		/* publickey query: this key would do */
};

enum kbd_kind {
	KBD_PROMPTS = 0,
	KBD_RESULT = 1,
};

/* Bounds of the keyboard-interactive relay. */
#define KBD_PROMPTS_MAX		16u
#define KBD_TEXT_MAX		1024u	/* one prompt, answer or message */
#define AUTH_USER_MAX		256u
#define AUTH_PASSWORD_MAX	1024u

#endif
