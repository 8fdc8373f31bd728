/* SPDX-License-Identifier: ISC */
/*
 * The listener's accept loop (hsshd, root): binds, accepts, and fork+execs
 * one hsshd-monitor per connection with the socket and a snapshot of the
 * validated configuration and host keys.  It never reads from a client.
 */
#ifndef HS_LISTEN_H
#define HS_LISTEN_H

#include <stdbool.h>

struct hs_config;
struct hostkeys;

struct listen_opts {
	bool		 foreground;	/* -D: do not detach */
	bool		 single;	/* -d: serve one connection, then exit */
	bool		 inetd;		/* -i: the connection is on stdin */
	char		**argv;		/* for re-execution on SIGHUP */
	const char	*config_file;
};

/* Runs until SIGTERM (or one connection with -d/-i); returns the exit
 * status. */
int	listener_run(struct hs_config *, struct hostkeys *,
	    const struct listen_opts *);

#endif
