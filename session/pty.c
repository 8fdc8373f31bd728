/* SPDX-License-Identifier: ISC */
/*
 * Terminals of hsshd-session (the logged-in user, no capabilities), from
 * the monitor: see pty.h.  The monitor is trusted, but the descriptor it
 * passes is still checked to be a pty master whose slave is the name it
 * sent.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/err.h"
#include "common/ipqos.h"
#include "common/log.h"
#include "session/monitor-client.h"
#include "session/pty.h"

int
pty_open_peer(int master, const char *name)
{
	char want[64];
	unsigned int ptn;
	struct stat st;
	int fd;

#ifdef TIOCGPTPEER
	if ((fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY |
	    O_CLOEXEC)) != -1)
		return fd;
#endif
	/* Kernels before 4.13: by name, once it is the master's peer. */
	if (ioctl(master, TIOCGPTN, &ptn) == -1)
		return -1;
	snprintf(want, sizeof(want), "/dev/pts/%u", ptn);
	if (strcmp(want, name) != 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode) || !isatty(fd)) {
		(void)close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int qos_fd = -1, qos_tos = -1;

void
pty_set_ipqos(int fd, int tos)
{
	qos_fd = fd;
	qos_tos = tos;
}

void
pty_ipqos_interactive(void)
{
	if (qos_fd != -1)
		ipqos_set(qos_fd, qos_tos);
}

int
pty_monitor_open(void *ctx, int *ret_master, int *ret_slave, char *name,
    size_t namelen)
{
	int master = -1, slave, flags, r;

	(void)ctx;
	if ((r = mm_pty_open(&master, name, namelen)) != 0)
		return r;
	if (!isatty(master) || (slave = pty_open_peer(master, name)) == -1) {
		error("pty from the monitor (%s) unusable: %s", name,
		    strerror(errno));
		mm_pty_close(name);
		(void)close(master);
		return HS_ERR_SYSTEM;
	}
	if ((flags = fcntl(master, F_GETFL)) == -1 ||
	    fcntl(master, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(master, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl: %s", strerror(errno));
	if (qos_fd != -1)
		ipqos_set(qos_fd, qos_tos);
	*ret_master = master;
	*ret_slave = slave;
	return 0;
}

void
pty_monitor_login(void *ctx, const char *tty, pid_t pid)
{
	(void)ctx;
	mm_session_event(SESS_EVENT_LOGIN, tty, pid);
}

void
pty_monitor_close(void *ctx, const char *tty)
{
	(void)ctx;
	/* The monitor records the logout with the release. */
	mm_pty_close(tty);
}
