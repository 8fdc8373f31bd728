/* SPDX-License-Identifier: ISC */
/*
 * The SSH transport of the pre-auth child (hsshd-preauth, privsep user,
 * seccomp sandbox): version exchange, binary packets, key exchange and the
 * ssh-userauth service up to authentication.  Every byte it reads comes
 * from the network.
 */
#ifndef HS_TRANSPORT_H
#define HS_TRANSPORT_H

struct mm_hello;

/* Serve the connection on fd until it ends; returns the exit status. */
int	transport_run(int fd, const struct mm_hello *hello,
	    const char *peer_addr, int peer_port);

#endif
