/* SPDX-License-Identifier: ISC */
/*
 * The authorized_keys line format of sshd(8) ("AUTHORIZED_KEYS FILE
 * FORMAT"): optional options, key type, base64 key, optional comment.
 * Pure decision code, no I/O.  Runs in hsshd-monitor (root), which reads
 * the user's AuthorizedKeysFile (monitor/authfile.c), and in the session
 * process, which receives the options of the line that matched.  The text
 * is attacker-controlled: the user writes the file.
 *
 * Parsing follows OpenSSH's sshd (auth2-pubkeyfile.c, auth-options.c):
 *  - Blank lines and lines whose first non-blank character is '#' are
 *    skipped.  A line whose first word is a key type name is a key
 *    without options; otherwise the options run up to the first blank
 *    outside double quotes, and the key follows.
 *  - Options are comma-separated; names are case-insensitive; values are
 *    written NAME="..." where \" stands for a quote and every other byte
 *    (backslashes included) is taken as it is.  An empty option (",,")
 *    is ignored, as sshd ignores it.  An unknown option invalidates the
 *    line.
 *  - Flags: restrict; cert-authority; [no-]port-forwarding,
 *    [no-]agent-forwarding, [no-]X11-forwarding, [no-]pty, [no-]user-rc,
 *    [no-]touch-required, [no-]verify-required.  "restrict" turns off
 *    port, agent and X11 forwarding, pty allocation and ~/.ssh/rc; the
 *    plain forms (pty, port-forwarding, ...) turn one back on, and the
 *    last word about a permission wins.  sshd has no "permit-pty" etc.
 *    in authorized_keys (those are certificate extensions), so neither do
 *    we: they are unknown options.
 *  - Values: command, from, principals (once each, "multiple ... clauses"
 *    otherwise); expiry-time (repeatable, the earliest wins);
 *    environment, permitopen, permitlisten (repeatable; for environment
 *    the first value of a name wins); tunnel (the last wins).
 * Deliberate differences, all of which refuse a line sshd would take:
 * ports in permitopen/permitlisten must be numbers (sshd also looks up
 * service names), expiry-time fields must be plain digits (sshd's
 * strptime also skips blanks), and lines are at most AUTHKEYS_LINE_MAX
 * bytes.  Lines with "cert-authority" and certificate key types are
 * refused with a reason: certificates are not supported yet.  FIDO
 * security keys (sk-ssh-ed25519@openssh.com, and with OpenSSL
 * sk-ecdsa-sha2-nistp256@openssh.com) are keys like any other; their
 * touch-required / verify-required options are applied by
 * authkey_opts_sk_flags_ok.  Local expiry times are read with the time zone's
 * daylight saving rule for that date (as sshd(8) documents; sshd's code
 * reads them as standard time, up to an hour apart).
 */
#ifndef HS_POLICY_AUTHKEYS_H
#define HS_POLICY_AUTHKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/bounds.h"

struct buf;
struct key;

/* tunnel="any" */
#define AUTHKEY_TUNNEL_ANY	0x7fffffff
/* The largest tunnel unit number sshd accepts. */
#define AUTHKEY_TUNNEL_MAX	(AUTHKEY_TUNNEL_ANY - 2)

/*
 * The options of one authorized_keys line, as they apply after the whole
 * option list has been read.  Owned by whoever holds the pointer; free
 * with authkey_opts_free.
 */
struct authkey_opts {
	/* Effective permissions: true unless turned off by "restrict" or a
	 * "no-" flag (and not turned on again later on the line). */
	bool		 permit_port_forwarding;
	bool		 permit_agent_forwarding;
	bool		 permit_x11_forwarding;
	bool		 permit_pty;
	bool		 permit_user_rc;
	/* "restrict" was given: the session must also apply restrictions
	 * that later versions add to the set. */
	bool		 restricted;
	/* Security-key flags: no-touch-required, verify-required.  They
	 * only concern FIDO keys (authkey_opts_sk_flags_ok). */
	bool		 no_touch_required;
	bool		 verify_required;
	/* command="...": the forced command, or NULL. */
	char		*command;
	/* from="...": the pattern list (validated), or NULL for anywhere. */
	char		*from;
	/* principals="...": kept; sshd refuses a matching key whose line
	 * has principals= but is not a cert-authority, and so do we
	 * (authkey_opts_authorise). */
	char		*principals;
	/* expiry-time: Unix time after which the key is refused; 0 none. */
	int64_t		 expiry;
	/* tunnel="n": a unit 0..AUTHKEY_TUNNEL_MAX, AUTHKEY_TUNNEL_ANY, or
	 * -1 when not given.  Tunnels are not supported by the session. */
	int		 tunnel;
	/* permitopen="host:port" as written (host may be "[v6]", port may
	 * be "*"), in file order. */
	char		**permitopen;
	size_t		 npermitopen;
	/* permitlisten="[host:]port"; a bare port is stored as "*:port",
	 * as sshd stores it. */
	char		**permitlisten;
	size_t		 npermitlisten;
	/* environment="NAME=value", one per NAME (the first wins). */
	char		**env;
	size_t		 nenv;
};

/*
 * Parse one line (without its newline; a trailing "\r" is ignored).
 * On success *ret_key is the public key and *ret_opts its options (both
 * the caller's).  HS_ERR_NOT_FOUND for a blank or comment line.  Any
 * other failure is an error code and, when ret_err is not NULL and the
 * failure is not an allocation failure, *ret_err is a human reason such
 * as "bad option 'foo'" or "unterminated quote" (caller frees).  Codes:
 * HS_ERR_BAD_FORMAT for option syntax, HS_ERR_KEY_FORMAT /
 * HS_ERR_KEY_TYPE / HS_ERR_KEY_INVALID for the key, HS_ERR_KEY_UNSUPPORTED
 * for key types and certificate lines this build cannot use,
 * HS_ERR_TOO_LONG for a line over AUTHKEYS_LINE_MAX, HS_ERR_STRING_NUL
 * for a NUL byte.  Nothing is returned on failure.
 */
int	 authkeys_parse_line(const char *line, size_t len,
	    struct key **ret_key, struct authkey_opts **ret_opts,
	    char **ret_err);

/* Free; NULL is a no-op. */
void	 authkey_opts_free(struct authkey_opts *);

/* The forced command, or NULL. */
const char *authkey_opts_forced_command(const struct authkey_opts *);

/*
 * Whether the connection may use the key by the line's from= list (true
 * when there is none), as sshd decides: remote_ip is matched against the
 * list as an address list (CIDR, wildcards) and remote_host as host name
 * patterns (case-insensitively); a negated hit on either refuses, else a
 * hit on either allows.  With UseDNS no, pass the address text as
 * remote_host (sshd does the same).  A NULL remote_ip or remote_host, or
 * an invalid list, refuses.
 */
bool	 authkey_opts_from_ok(const struct authkey_opts *,
	    const char *remote_ip, const char *remote_host);
/* Whether expiry-time has passed at now (the key is still good during
 * the second it names). */
bool	 authkey_opts_expired(const struct authkey_opts *, time_t now);
/*
 * The checks sshd makes once a line's key matched, in its order: expiry,
 * principals= without cert-authority, from=.  0 if the key may be used;
 * otherwise HS_ERR_KEY_REFUSED with *ret_why (static text, may be NULL)
 * "key expired", "principals= on a key that is not a cert-authority" or
 * "from= does not match".
 */
int	 authkey_opts_authorise(const struct authkey_opts *,
	    const char *remote_ip, const char *remote_host, time_t now,
	    const char **ret_why);

/*
 * Whether a security key's signature flags (KEY_SK_FLAG_* of
 * key_verify_sk) satisfy the line's options, as sshd decides: user
 * presence (UP) is required unless the line has no-touch-required, user
 * verification (UV) is required when it has verify-required.  NULL
 * options are sshd's defaults (UP required).  On false *ret_why (static
 * text, may be NULL) is what sshd logs after "rejected: ": "user
 * presence (authenticator touch) requirement not met" (checked first) or
 * "user verification requirement not met"; on true it is NULL.
 */
bool	 authkey_opts_sk_flags_ok(const struct authkey_opts *,
	    uint8_t sk_flags, const char **ret_why);

/*
 * Options travel from the monitor to the session process as one SSH
 * string whose content is a version, the flags and every value; at most
 * AUTHKEY_OPTS_SERIAL_MAX bytes, which any option list of one line fits.
 * authkey_opts_serialize appends it to out (on failure out is as it was;
 * HS_ERR_TOO_LONG if a value or count exceeds what the reader takes).
 * authkey_opts_deserialize consumes one such string from in (all or
 * nothing) and rebuilds the options (*ret, caller frees), checking every
 * count and length and every value as the line parser would (valid
 * from= list, environment names, permit syntax, tunnel range, no
 * duplicate environment names); the caller still ends its message with
 * buf_get_end.  HS_ERR_PROTOCOL for an unknown version or flag.
 */
#define AUTHKEY_OPTS_SERIAL_MAX	(AUTHKEYS_LINE_MAX + 1024u)
int	 authkey_opts_serialize(const struct authkey_opts *, struct buf *out);
int	 authkey_opts_deserialize(struct buf *in, struct authkey_opts **ret);
/* Whether two option sets are the same (for tests and the fuzzer). */
bool	 authkey_opts_equal(const struct authkey_opts *,
	    const struct authkey_opts *);

#endif
