/* SPDX-License-Identifier: ISC */
/*
 * IPQoS: the DSCP/TOS byte of the client connection (IP_TOS for IPv4,
 * IPV6_TCLASS for IPv6; IPv4-mapped IPv6 sockets get both).  Used by the
 * monitor (root) before authentication and by hsshd-session (the user)
 * after it; the values come from the administrator's configuration.
 */
#ifndef HS_COMMON_IPQOS_H
#define HS_COMMON_IPQOS_H

/* Mark fd's traffic with tos (0..255); any other value (IPQoS none)
 * leaves the socket alone.  Failures are logged at debug level only: a
 * socket that is not IP (a socketpair under -i, say) has no TOS. */
void	ipqos_set(int fd, int tos);

#endif
