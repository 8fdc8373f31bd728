/* SPDX-License-Identifier: ISC */
/*
 * Algorithm lists of the configuration (KexAlgorithms, Ciphers, MACs,
 * HostKeyAlgorithms, PubkeyAcceptedAlgorithms, CASignatureAlgorithms):
 * resolving a configured value against a default list and the set this
 * build supports, and the lists of this build.
 *
 * Pure string processing, run wherever configuration is loaded; the
 * specs come from the administrator's configuration.
 */
#ifndef HS_POLICY_ALGS_H
#define HS_POLICY_ALGS_H

#include <stdbool.h>

/*
 * Resolve spec into a comma-separated list (*ret, caller frees):
 *   NULL or ""  the defaults;
 *   "+a,b"      the defaults, then a and b;
 *   "-a,b*"     the defaults without a and without names matching b*;
 *   "^a,b"      a and b, then the rest of the defaults;
 *   "a,b*"      exactly a and the supported names matching b*.
 * Patterns ('*', '?') are allowed in every form and expand to supported
 * names in the order of supported.  Every name or pattern must match a
 * supported name, except names in "known" (a list of names accepted but
 * left out, e.g. algorithms OpenSSH offers that this build lacks; NULL
 * for none).  The defaults are first filtered against supported; the
 * result has no duplicates.
 * Errors: HS_ERR_BAD_NAMELIST (malformed list), HS_ERR_NOT_FOUND (unknown
 * name; with ret_bad != NULL, *ret_bad is a copy of it), HS_ERR_NO_MATCH
 * (nothing left), HS_ERR_TOO_LONG (result over NAMELIST_MAX).
 */
int	 algs_assemble_ex(const char *spec, const char *defaults,
	    const char *supported, const char *known, char **ret,
	    char **ret_bad);
/* algs_assemble_ex with no "known" names and no ret_bad. */
int	 algs_assemble(const char *spec, const char *defaults,
	    const char *supported, char **ret);

/* The lists of this build (policy/algs-lists.c). */
enum algs_kind {
	ALGS_KEX,
	ALGS_CIPHER,
	ALGS_MAC,
	ALGS_HOSTKEY,
	ALGS_PUBKEY,
	ALGS_CASIG,
};
/* What is offered when the configuration says nothing. */
const char	*algs_default(enum algs_kind);
/* Everything this build implements, most preferred first. */
const char	*algs_supported(enum algs_kind);
/* Names OpenSSH 9.x accepts that this build does not implement: a
 * configuration may name them (they are dropped from the result). */
const char	*algs_known(enum algs_kind);
/* Whether cipher needs a separate MAC (it is not an AEAD). */
bool		 algs_cipher_needs_mac(const char *cipher);

#endif
