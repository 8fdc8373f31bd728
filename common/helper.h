/* SPDX-License-Identifier: ISC */
/*
 * Start-up contract between hsshd's programs: a helper (hsshd-monitor,
 * hsshd-preauth, hsshd-session) is exec'd with argv
 * { name, "-R", RPC_PROTO_VERSION, ... } and two descriptors.
 */
#ifndef HS_HELPER_H
#define HS_HELPER_H

#define HELPER_FD_A	3	/* the client socket */
#define HELPER_FD_B	4	/* socketpair to the parent */

/* Exit statuses of hsshd-monitor: how the connection ended, so the
 * listener can apply PerSourcePenalties. */
enum helper_exit {
	HELPER_EXIT_OK = 0,		/* authenticated session ended */
	HELPER_EXIT_NOAUTH = 2,		/* left without authenticating */
	HELPER_EXIT_AUTHFAIL = 3,	/* authentication failures */
	HELPER_EXIT_TIMEOUT = 4,	/* LoginGraceTime */
	HELPER_EXIT_CRASH = 5,		/* child crashed / sandbox / RPC abuse */
	HELPER_EXIT_REFUSED = 6,	/* refused by policy */
	HELPER_EXIT_CLOSED = 7,		/* pre-auth: the client closed */
	HELPER_EXIT_DISCONNECTED = 8,	/* pre-auth: the client sent DISCONNECT */
	HELPER_EXIT_AUTHENTICATED = 9,	/* pre-auth: handed over to a session */
	HELPER_EXIT_INVALIDUSER = 10,	/* monitor: gave up on an invalid user */
	HELPER_EXIT_INTERNAL = 255,	/* fatal() */
};

/*
 * In a helper: check that argv carries the RPC version this program was
 * built with and that HELPER_FD_B is a socket; prints why and exits 1
 * otherwise.  Returns the index of the first extra argument.
 */
int	helper_check_args(int argc, char **argv);

#endif
