/* SPDX-License-Identifier: ISC */
/*
 * UseDNS in hsshd-monitor (root): the client's host name for the checks
 * that take one (Match Host, AllowUsers/DenyUsers USER@HOST, the from=
 * option of authorized_keys, PAM_RHOST).  The name comes from the
 * client's reverse DNS, which its owner controls: it is used only if it
 * is not an address in disguise and maps forward to the client's address
 * again (as sshd checks); otherwise the address stands in for it.
 */
#include "config.h"

#include <sys/socket.h>

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "monitor/monitor.h"
#include "policy/config.h"

/* Whether name is a numeric address (a PTR record pretending). */
static bool
is_numeric(const char *name)
{
	struct addrinfo hints, *ai = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(name, NULL, &hints, &ai) != 0)
		return false;
	freeaddrinfo(ai);
	return true;
}

/* Whether name resolves (forward) to addr among at most 64 answers. */
static bool
maps_back(const char *name, const char *addr)
{
	struct addrinfo hints, *ai = NULL, *a;
	char text[NI_MAXHOST];
	unsigned int n = 0;
	bool found = false;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &ai) != 0)
		return false;
	for (a = ai; a != NULL && !found && n < 64; a = a->ai_next, n++) {
		if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof(text),
		    NULL, 0, NI_NUMERICHOST) == 0 && strcmp(text, addr) == 0)
			found = true;
	}
	freeaddrinfo(ai);
	return found;
}

static char *
resolve(const struct mon *m)
{
	struct addrinfo hints, *ai = NULL;
	char name[NI_MAXHOST];
	size_t i;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(m->peer_addr, NULL, &hints, &ai) != 0)
		return NULL;
	r = getnameinfo(ai->ai_addr, ai->ai_addrlen, name, sizeof(name),
	    NULL, 0, NI_NAMEREQD);
	freeaddrinfo(ai);
	if (r != 0) {
		debug("UseDNS: no name for %s: %s", m->peer_addr,
		    gai_strerror(r));
		return NULL;
	}
	if (is_numeric(name)) {
		logit("Nasty PTR record \"%s\" is set up for %s, ignoring",
		    name, m->peer_addr);
		return NULL;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	if (!maps_back(name, m->peer_addr)) {
		logit("Address %s maps to %s, but this does not map back to "
		    "the address.", m->peer_addr, name);
		return NULL;
	}
	debug("UseDNS: %s is %s", m->peer_addr, name);
	return xstrdup(name);
}

const char *
mon_peer_host(struct mon *m)
{
	if (m->peer_host == NULL) {
		if (m->snap.cfg->use_dns)
			m->peer_host = resolve(m);
		if (m->peer_host == NULL)
			m->peer_host = xstrdup(m->peer_addr);
	}
	return m->peer_host;
}
