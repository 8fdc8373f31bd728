/* SPDX-License-Identifier: ISC */
/*
 * IPQoS on the client socket (see ipqos.h).  Runs in hsshd-monitor (root)
 * and hsshd-session (the user); no untrusted input.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/ip.h>

#include <errno.h>
#include <string.h>

#include "common/ipqos.h"
#include "common/log.h"

void
ipqos_set(int fd, int tos)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (tos < 0 || tos > 255)
		return;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		debug_f("getsockname: %s", strerror(errno));
		return;
	}
	switch (ss.ss_family) {
	case AF_INET6:
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
		    sizeof(tos)) == -1)
			debug_f("IPV6_TCLASS %#x: %s", tos, strerror(errno));
		/* Mapped IPv4 traffic takes its TOS from IP_TOS. */
		(void)setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
		break;
	case AF_INET:
		if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos,
		    sizeof(tos)) == -1)
			debug_f("IP_TOS %#x: %s", tos, strerror(errno));
		break;
	default:
		break;
	}
	debug3_f("TOS %#x", tos);
}
