/* SPDX-License-Identifier: ISC */
/*
 * Terminals of hsshd-session (the logged-in user): the struct sess_ops
 * callbacks that ask the monitor (root) for a pty and for login records.
 * The monitor opens the pty, gives the slave to the user (group tty,
 * mode 0620) and passes the master by SCM_RIGHTS with the slave's name;
 * the session opens the slave from the master (TIOCGPTPEER), so no path
 * is trusted, or by name after checking it is the master's peer.
 */
#ifndef HS_SESSION_PTY_H
#define HS_SESSION_PTY_H

#include <stddef.h>
#include <sys/types.h>

/* The slave of master (close-on-exec, not the controlling terminal):
 * TIOCGPTPEER, or open(name) after checking name is the master's peer
 * (TIOCGPTN).  Returns the descriptor or -1. */
int	pty_open_peer(int master, const char *name);

/* IPQoS: once a terminal is open, the client socket fd carries
 * interactive traffic and is marked with tos (as sshd does). */
void	pty_set_ipqos(int fd, int tos);
/* Mark the client socket interactive now (X11 forwarding, as sshd);
 * a no-op before pty_set_ipqos. */
void	pty_ipqos_interactive(void);

int	pty_monitor_open(void *ctx, int *ret_master, int *ret_slave,
	    char *name, size_t namelen);
void	pty_monitor_login(void *ctx, const char *tty, pid_t pid);
void	pty_monitor_close(void *ctx, const char *tty);

#endif
