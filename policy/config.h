/* SPDX-License-Identifier: ISC */
/*
 * The sshd_config language: hsshd reads the configuration an OpenSSH
 * administrator already has.  This is pure decision code: it reads
 * configuration files (and the files they Include) and nothing else.
 * It runs in the listener at start (and for -t/-T), and in the monitor
 * when Match blocks are evaluated for a connection.  The files are the
 * administrator's, but are parsed as untrusted text (bounded lines, sizes,
 * Include depth; a fuzz harness feeds it arbitrary bytes).
 *
 * Lifecycle:
 *	cfg = config_new();
 *	config_apply_option(cfg, "Port 2222", &err);	(-o, before the file:
 *							 first value wins)
 *	config_load_file(cfg, "/etc/ssh/sshd_config", &err);
 *	config_add_hostkey(cfg, path);			(-h)
 *	config_finish(cfg, &err);			(defaults, checks)
 *	config_for_connection(cfg, &ctx, &conn, &err);	(Match blocks)
 *	config_dump(conn, stdout);			(-T)
 *
 * Every int field is -1 while unset and every pointer NULL; after
 * config_finish all are set (pointers may stay NULL where NULL means
 * "none", as documented per field).  Errors are negative HS_ERR_* codes;
 * configuration errors are HS_ERR_CONFIG with *errmsg = "FILE:LINE:
 * message" (the caller frees it).
 *
 * Note for files in policy/: this header shares its name with the
 * autoconf header, so they include <config.h> (angle brackets) first.
 */
#ifndef HS_POLICY_CONFIG_H
#define HS_POLICY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/match.h"

#ifndef SSH_CONFDIR
#define SSH_CONFDIR		"/etc/ssh"
#endif
#define CONFIG_DEFAULT_PIDFILE	"/run/hsshd.pid"
#define CONFIG_DEFAULT_XAUTH	"/usr/bin/xauth"

/* permit_root_login */
enum config_root {
	CONFIG_ROOT_NO = 0,
	CONFIG_ROOT_FORCED_COMMANDS_ONLY,
	CONFIG_ROOT_PROHIBIT_PASSWORD,
	CONFIG_ROOT_YES,
};
/* allow_tcp_forwarding, allow_streamlocal_forwarding: a bit mask */
enum config_fwd {
	CONFIG_FWD_NO = 0,
	CONFIG_FWD_LOCAL = 1,
	CONFIG_FWD_REMOTE = 2,
	CONFIG_FWD_ALL = 3,
};
/* gateway_ports */
enum config_gateway {
	CONFIG_GATEWAY_NO = 0,
	CONFIG_GATEWAY_YES,
	CONFIG_GATEWAY_CLIENTSPECIFIED,
};
/* ignore_rhosts */
enum config_rhosts {
	CONFIG_RHOSTS_NO = 0,
	CONFIG_RHOSTS_YES,
	CONFIG_RHOSTS_SHOSTS_ONLY,
};
/* fingerprint_hash */
enum config_fp {
	CONFIG_FP_SHA256 = 0,
	CONFIG_FP_MD5,
};
/* penalty_overflow, penalty_overflow6 */
enum config_overflow {
	CONFIG_OVERFLOW_PERMISSIVE = 0,
	CONFIG_OVERFLOW_DENY_ALL,
};
/* ip_qos_*: a DSCP/TOS byte, or this for "none" (leave it alone). */
#define CONFIG_IPQOS_NONE	0x100
/* PubkeyAuthOptions: what every FIDO signature must show. */
#define CONFIG_PKAO_TOUCH	0x1	/* user presence, despite no-touch-required */
#define CONFIG_PKAO_VERIFY	0x2	/* user verification */
/* per_source_max_startups: no limit. */
#define CONFIG_NO_LIMIT		INT32_MAX

/*
 * Integer settings (int, -1 while unset).  Times are in seconds, flags
 * are 0/1.  The comment names the keyword and the default.
 */
#define HS_CONFIG_INTS(X) \
	X(address_family)	/* AddressFamily any: AF_UNSPEC/INET/INET6 */ \
	X(log_level)		/* LogLevel INFO: enum log_level */ \
	X(syslog_facility)	/* SyslogFacility AUTH: LOG_AUTH etc. */ \
	X(login_grace_time)	/* LoginGraceTime 120 (0 = none) */ \
	X(max_auth_tries)	/* MaxAuthTries 6 */ \
	X(max_sessions)		/* MaxSessions 10 */ \
	X(max_startups_begin)	/* MaxStartups 10:30:100 (start) */ \
	X(max_startups_rate)	/* (rate, percent) */ \
	X(max_startups)		/* (full) */ \
	X(per_source_max_startups) /* PerSourceMaxStartups none: \
				   CONFIG_NO_LIMIT */ \
	X(per_source_masklen_ipv4) /* PerSourceNetBlockSize 32:128 */ \
	X(per_source_masklen_ipv6) \
	X(penalty_enabled)	/* PerSourcePenalties yes */ \
	X(penalty_crash)	/* crash:90 */ \
	X(penalty_authfail)	/* authfail:5 */ \
	X(penalty_invaliduser)	/* invaliduser:5 */ \
	X(penalty_noauth)	/* noauth:1 */ \
	X(penalty_grace_exceeded) /* grace-exceeded:20 */ \
	X(penalty_max)		/* max:600 */ \
	X(penalty_min)		/* min:15 */ \
	X(penalty_max_sources4)	/* max-sources4:65536 */ \
	X(penalty_max_sources6)	/* max-sources6:65536 */ \
	X(penalty_overflow)	/* overflow:permissive (enum config_overflow) */ \
	X(penalty_overflow6)	/* overflow6: as overflow */ \
	X(permit_root_login)	/* PermitRootLogin prohibit-password */ \
	X(pubkey_authentication) /* PubkeyAuthentication yes */ \
	X(password_authentication) /* PasswordAuthentication yes */ \
	X(kbd_interactive_authentication) /* KbdInteractiveAuthentication yes */ \
	X(permit_empty_passwords) /* PermitEmptyPasswords no */ \
	X(use_pam)		/* UsePAM no */ \
	X(strict_modes)		/* StrictModes yes */ \
	X(print_motd)		/* PrintMotd yes */ \
	X(print_lastlog)	/* PrintLastLog yes */ \
	X(permit_user_env)	/* PermitUserEnvironment no (1 = yes or a \
				   pattern list in permit_user_env_allowlist) */ \
	X(allow_tcp_forwarding)	/* AllowTcpForwarding yes: CONFIG_FWD_ALL */ \
	X(allow_streamlocal_forwarding) /* AllowStreamLocalForwarding yes */ \
	X(allow_agent_forwarding) /* AllowAgentForwarding yes */ \
	X(gateway_ports)	/* GatewayPorts no */ \
	X(permit_tty)		/* PermitTTY yes */ \
	X(permit_user_rc)	/* PermitUserRC yes */ \
	X(x11_forwarding)	/* X11Forwarding no */ \
	X(x11_display_offset)	/* X11DisplayOffset 10 */ \
	X(x11_use_localhost)	/* X11UseLocalhost yes */ \
	X(disable_forwarding)	/* DisableForwarding no */ \
	X(client_alive_interval) /* ClientAliveInterval 0 */ \
	X(client_alive_count_max) /* ClientAliveCountMax 3 */ \
	X(tcp_keep_alive)	/* TCPKeepAlive yes */ \
	X(unused_connection_timeout) /* UnusedConnectionTimeout none: 0 */ \
	X(rekey_interval)	/* RekeyLimit default none: 0 = none */ \
	X(required_rsa_size)	/* RequiredRSASize 1024 */ \
	X(compression)		/* Compression no: always 0 */ \
	X(use_dns)		/* UseDNS no */ \
	X(permit_tunnel)	/* PermitTunnel no: always 0 */ \
	X(stream_local_bind_mask) /* StreamLocalBindMask 0177 */ \
	X(stream_local_bind_unlink) /* StreamLocalBindUnlink no */ \
	X(ignore_rhosts)	/* IgnoreRhosts yes */ \
	X(hostbased_authentication) /* HostbasedAuthentication no: always 0 */ \
	X(kerberos_authentication) /* KerberosAuthentication no: always 0 */ \
	X(gssapi_authentication) /* GSSAPIAuthentication no: always 0 */ \
	X(ip_qos_interactive)	/* IPQoS af21 cs1 */ \
	X(ip_qos_bulk) \
	X(fingerprint_hash)	/* FingerprintHash sha256 */ \
	X(pubkey_auth_options)	/* PubkeyAuthOptions none: CONFIG_PKAO_* bits */

/* 64-bit settings (-1 while unset). */
#define HS_CONFIG_I64S(X) \
	X(rekey_limit)		/* RekeyLimit default: 0 = cipher's default */

/* String settings (NULL while unset; NULL after config_finish where the
 * keyword says "none"). */
#define HS_CONFIG_STRS(X) \
	X(pid_file)		/* PidFile /run/hsshd.pid */ \
	X(per_source_penalty_exempt) /* PerSourcePenaltyExemptList none */ \
	X(banner)		/* Banner none */ \
	X(permit_user_env_allowlist) /* PermitUserEnvironment pattern list */ \
	X(force_command)	/* ForceCommand none */ \
	X(chroot_directory)	/* ChrootDirectory none (has %-tokens) */ \
	X(xauth_location)	/* XAuthLocation /usr/bin/xauth */ \
	X(kex_algorithms)	/* KexAlgorithms: as configured until \
				   config_finish, then the resolved list */ \
	X(ciphers)		/* Ciphers */ \
	X(macs)			/* MACs ("" if no MAC is needed) */ \
	X(hostkey_algorithms)	/* HostKeyAlgorithms */ \
	X(pubkey_accepted_algorithms) /* PubkeyAcceptedAlgorithms */ \
	X(ca_signature_algorithms) /* CASignatureAlgorithms */ \
	X(version_addendum)	/* VersionAddendum none: "" */

/* String-vector settings (vector, count; count 0 while unset). */
#define HS_CONFIG_STRVS(X) \
	X(hostkey_files, nhostkey_files)	/* HostKey (defaults) */ \
	X(listen_addrs, nlisten_addrs)		/* ListenAddress as given: \
		"host", "host:port", "[v6]:port"; none = all addresses */ \
	X(log_verbose, nlog_verbose)		/* LogVerbose */ \
	X(auth_methods, nauth_methods)		/* AuthenticationMethods: \
		comma lists; none = any */ \
	X(authorized_keys_files, nauthorized_keys_files) /* \
		AuthorizedKeysFile .ssh/authorized_keys \
		.ssh/authorized_keys2 (%-tokens; none = no files) */ \
	X(allow_users, nallow_users)		/* AllowUsers */ \
	X(deny_users, ndeny_users)		/* DenyUsers */ \
	X(allow_groups, nallow_groups)		/* AllowGroups */ \
	X(deny_groups, ndeny_groups)		/* DenyGroups */ \
	X(accept_env, naccept_env)		/* AcceptEnv */ \
	X(set_env, nset_env)			/* SetEnv NAME=VALUE */ \
	X(subsystem_names, nsubsystem_names)	/* Subsystem NAME ... */ \
	X(subsystem_commands, nsubsystem_commands) /* ... COMMAND ARGS */ \
	X(permit_open, npermit_open)		/* PermitOpen: none = any; \
		a single "none" denies all */ \
	X(permit_listen, npermit_listen)	/* PermitListen: as PermitOpen */ \
	X(channel_timeouts, nchannel_timeouts)	/* ChannelTimeout TYPE=SECS */

struct config_matches;

struct hs_config {
#define HS_CONFIG_FIELD_INT(f)		int f;
#define HS_CONFIG_FIELD_I64(f)		int64_t f;
#define HS_CONFIG_FIELD_STR(f)		char *f;
#define HS_CONFIG_FIELD_STRV(f, n)	char **f; size_t n;
	HS_CONFIG_INTS(HS_CONFIG_FIELD_INT)
	HS_CONFIG_I64S(HS_CONFIG_FIELD_I64)
	HS_CONFIG_STRS(HS_CONFIG_FIELD_STR)
	HS_CONFIG_STRVS(HS_CONFIG_FIELD_STRV)
#undef HS_CONFIG_FIELD_INT
#undef HS_CONFIG_FIELD_I64
#undef HS_CONFIG_FIELD_STR
#undef HS_CONFIG_FIELD_STRV
	/* Port 22 */
	int			*ports;
	size_t			 nports;

	/* Internal: not keywords. */
	char			*confdir;	/* base of relative Include */
	bool			 confine_includes;
	char			**cmdline_hostkeys;	/* -h */
	size_t			 ncmdline_hostkeys;
	struct config_matches	*matches;	/* the Match blocks */
	bool			 finished;
};

/* A config with every field unset; NULL on allocation failure. */
struct hs_config *config_new(void);
/* Free; NULL is a no-op. */
void	 config_free(struct hs_config *);

/*
 * Where relative Include paths point (default SSH_CONFDIR).  With confine,
 * Include accepts only relative paths without a ".." component, so no
 * included file lies outside dir (for tests and the fuzz harness).
 */
int	 config_set_confdir(struct hs_config *, const char *dir, bool confine);

/* Parse a file (with its Includes).  The file must be a regular file of
 * at most CONFIG_FILE_MAX bytes. */
int	 config_load_file(struct hs_config *, const char *path, char **errmsg);
/* Parse len bytes of configuration text; name is used in messages. */
int	 config_load_buffer(struct hs_config *, const char *name,
	    const void *data, size_t len, char **errmsg);
/* One "Keyword value" or "Keyword=value" line from the command line (-o);
 * messages start "command line: ".  Include and Match are refused. */
int	 config_apply_option(struct hs_config *, const char *line,
	    char **errmsg);
/* Add a -h host key file: used after the configuration's HostKeys, and
 * instead of the default keys. */
int	 config_add_hostkey(struct hs_config *, const char *path);
/* Fill defaults for everything unset, resolve algorithm lists and check
 * the rules that span keywords.  Once per config. */
int	 config_finish(struct hs_config *, char **errmsg);
/*
 * A new config (*ret, caller frees) for one connection: a finished config
 * with the matching Match blocks applied.  Criteria on unknown (NULL)
 * fields do not match, so evaluate again when more is known (for example
 * once the user name is).  The copy has no Match blocks of its own.
 */
int	 config_for_connection(const struct hs_config *,
	    const struct hs_match_ctx *, struct hs_config **ret, char **errmsg);
/* sshd -T format: lowercase keyword, space, value(s); one per line. */
int	 config_dump(const struct hs_config *, FILE *);

/*
 * The listener -> monitor snapshot of a configuration (config-serial.c):
 * every setting, the internal fields and the Match blocks, as SSH wire
 * types.
 */
struct buf;
/* Append a finished configuration (config_finish done) to out.  On
 * failure out is as it was.  HS_ERR_INVALID_ARGUMENT if not finished,
 * HS_ERR_TOO_LONG if a count or string exceeds what config_deserialize
 * accepts. */
int	 config_serialize(const struct hs_config *, struct buf *out);
/* Rebuild it (*ret, caller frees); the result is finished and equivalent
 * (config_dump output identical, config_for_connection results
 * identical).  The bytes are parsed as untrusted: bounded counts and
 * strings, every index checked, nothing may follow.  HS_ERR_PROTOCOL if
 * the format version (or this build's field lists) differ. */
int	 config_deserialize(const uint8_t *data, size_t len,
	    struct hs_config **ret);

/*
 * Split a ListenAddress entry into host (*ret_host, caller frees; NULL
 * for none) and port (0 when the entry has none: use every Port).
 * HS_ERR_BAD_FORMAT if malformed.
 */
int	 config_split_listen_addr(const char *entry, char **ret_host,
	    int *ret_port);

/* A log_verbose_fn (common/log.h) for LogVerbose: ctx is the
 * struct hs_config whose log_verbose lists apply. */
bool	 config_log_verbose(const char *tag, void *cfg);

/* Values for %-tokens.  A token whose value is NULL (uid < 0) is unknown. */
struct hs_token_ctx {
	const char	*user;		/* %u */
	const char	*home;		/* %h */
	long long	 uid;		/* %U */
	const char	*conn;		/* %C: "raddr rport laddr lport" */
	const char	*rdomain;	/* %D */
	const char	*key_fp;	/* %f */
	const char	*key;		/* %k: base64 */
	const char	*key_type;	/* %t */
};
/* The tokens AuthorizedKeysFile and ChrootDirectory accept. */
#define CONFIG_TOKENS_FILES	"huU"
/*
 * Expand "%%" and "%X" for the letters of allowed (NULL: all of the
 * context) into *ret (caller frees).  An unknown or disallowed token, an
 * unknown value, or a lone trailing '%' fail with HS_ERR_BAD_FORMAT; the
 * result is at most CONFIG_PATH_MAX bytes.
 */
int	 config_expand_tokens_allowed(const char *in, const char *allowed,
	    const struct hs_token_ctx *, char **ret);
/* config_expand_tokens_allowed(in, NULL, ctx, ret). */
int	 config_expand_tokens(const char *in, const struct hs_token_ctx *,
	    char **ret);
/* Check that in uses only "%%" and tokens from allowed; on failure
 * *ret_bad is the offending letter ('\0' for a trailing '%'). */
int	 config_check_tokens(const char *in, const char *allowed,
	    char *ret_bad);

/*
 * Value parsers shared with other keywords' users (a time such as "90",
 * "2m" or "1h30m" in seconds; a size such as "1G" in bytes; a port).
 * HS_ERR_BAD_FORMAT if malformed or out of range.
 */
int	 config_parse_time(const char *s, int *ret);
int	 config_parse_size(const char *s, int64_t *ret);
int	 config_parse_port(const char *s, int *ret);

#endif
