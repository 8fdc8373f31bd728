/* SPDX-License-Identifier: ISC */
/*
 * Host-key preparation: the listener's start-up check of every configured
 * HostKey (sshd's "server preparation phase").  Runs in hsshd as root (or
 * as the invoking user in unprivileged mode).  Key files are local but may
 * be damaged or planted: they are read with size bounds and parsed through
 * the key module.
 */
#ifndef HS_HOSTKEY_H
#define HS_HOSTKEY_H

#include <stdbool.h>
#include <stddef.h>

struct key;

struct hostkey {
	char		*path;
	struct key	*key;		/* private key */
	char		*fingerprint;	/* "SHA256:..." */
};

struct hostkeys {
	struct hostkey	*keys;
	size_t		 nkeys;
};

enum hostkey_mode {
	HOSTKEY_CHECK,		/* hsshd -t: never writes, reports missing */
	HOSTKEY_PREPARE,	/* start-up: generates missing keys */
};

/*
 * Check (and in HOSTKEY_PREPARE mode generate) every key file in paths.
 * Each problem is logged with error() naming the file and the fault; the
 * return value is the number of problems (0: all keys usable).  On success
 * ret holds the loaded keys.  require_uid is the owner every key file and
 * its .pub must have (0 when running as root).
 */
int	hostkeys_prepare(char *const *paths, size_t npaths,
	    enum hostkey_mode mode, unsigned int require_uid,
	    struct hostkeys *ret);
void	hostkeys_free(struct hostkeys *);

/*
 * Check one existing key file: its type, owner, mode, format and .pub.
 * Returns 0 and the key, or a negative HS_ERR / -1 with *why set to a
 * human-readable fault (caller frees).  Exposed for unit tests.
 */
int	hostkey_check_file(const char *path, unsigned int require_uid,
	    bool write_missing_pub, struct key **ret, char **why);

#endif
