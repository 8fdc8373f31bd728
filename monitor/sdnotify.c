/* SPDX-License-Identifier: ISC */
/*
 * sd_notify and socket activation without libsystemd, in the listener
 * (root).  The environment is set by the service manager, not by a peer.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "monitor/sdnotify.h"

#define SD_LISTEN_FDS_START	3
#define SD_LISTEN_FDS_MAX	64

int
sd_notify_state(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen;
	int fd, r = -1;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path)) {
		error("NOTIFY_SOCKET %s is not usable", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';		/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) >= 0)
		r = 0;
	else
		error("sd_notify %s: %s", state, strerror(errno));
	close(fd);
	return r;
}

static int
env_long(const char *name, long *ret)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*ret = v;
	return 0;
}

int
sd_listen_fds(void)
{
	long pid, n;
	int fd, flags;

	if (env_long("LISTEN_PID", &pid) != 0 || pid != (long)getpid() ||
	    env_long("LISTEN_FDS", &n) != 0 || n <= 0)
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n > SD_LISTEN_FDS_MAX)
		fatal("LISTEN_FDS=%ld: too many sockets", n);
	for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
		if ((flags = fcntl(fd, F_GETFD)) == -1)
			fatal("LISTEN_FDS: fd %d is not open", fd);
		(void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	return (int)n;
}
