/* SPDX-License-Identifier: ISC */
/*
 * systemd's readiness and socket-activation protocols, spoken natively (no
 * libsystemd).  Used by the listener only.
 */
#ifndef HS_SDNOTIFY_H
#define HS_SDNOTIFY_H

#include <stddef.h>

/* Send a state string ("READY=1", "STOPPING=1", ...) to $NOTIFY_SOCKET if
 * set; a no-op otherwise.  Returns 0 or -1. */
int	sd_notify_state(const char *state);
/*
 * Sockets passed by systemd (LISTEN_PID / LISTEN_FDS): returns how many
 * (they are fds 3 .. 3+n-1, now close-on-exec) and unsets the variables;
 * 0 when not socket-activated.
 */
int	sd_listen_fds(void);

#endif
