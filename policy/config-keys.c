/* SPDX-License-Identifier: ISC */
/*
 * THE keyword table of the sshd_config language: every keyword OpenSSH
 * 9.x documents for sshd_config (plus its aliases, the deprecated names it
 * still accepts, and Debian's additions), each with its value type, where
 * it may appear, whether values accumulate, and what hsshd does with it:
 *   IMPLEMENTED  parsed into struct hs_config and honoured;
 *   NOOP         checked, then ignored with a debug note: OpenSSH itself
 *                ignores it, or it only tunes a feature hsshd does not
 *                have and that cannot be switched on (hostbased, GSSAPI,
 *                security keys, group exchange);
 *   UNSUPPORTED  refused: "keyword 'X' is not supported by hsshd", except
 *                for the value that switches it off, where one exists.
 * Data only, linked wherever configuration is loaded.
 */
#include <config.h>

#include <sys/socket.h>

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "policy/config-priv.h"

#define F(field)	offsetof(struct hs_config, field)
#define M		CKF_MATCH

static const struct config_enum v_family[] = {
	{ "any", AF_UNSPEC, false },
	{ "inet", AF_INET, false },
	{ "inet6", AF_INET6, false },
	{ NULL, 0, false },
};
static const struct config_enum v_root[] = {
	{ "yes", CONFIG_ROOT_YES, false },
	{ "prohibit-password", CONFIG_ROOT_PROHIBIT_PASSWORD, false },
	{ "without-password", CONFIG_ROOT_PROHIBIT_PASSWORD, true },
	{ "forced-commands-only", CONFIG_ROOT_FORCED_COMMANDS_ONLY, false },
	{ "no", CONFIG_ROOT_NO, false },
	{ NULL, 0, false },
};
static const struct config_enum v_fwd[] = {
	{ "yes", CONFIG_FWD_ALL, false },
	{ "all", CONFIG_FWD_ALL, false },
	{ "no", CONFIG_FWD_NO, false },
	{ "local", CONFIG_FWD_LOCAL, false },
	{ "remote", CONFIG_FWD_REMOTE, false },
	{ NULL, 0, false },
};
static const struct config_enum v_gateway[] = {
	{ "no", CONFIG_GATEWAY_NO, false },
	{ "yes", CONFIG_GATEWAY_YES, false },
	{ "clientspecified", CONFIG_GATEWAY_CLIENTSPECIFIED, false },
	{ NULL, 0, false },
};
static const struct config_enum v_rhosts[] = {
	{ "yes", CONFIG_RHOSTS_YES, false },
	{ "no", CONFIG_RHOSTS_NO, false },
	{ "shosts-only", CONFIG_RHOSTS_SHOSTS_ONLY, false },
	{ NULL, 0, false },
};
static const struct config_enum v_fphash[] = {
	{ "SHA256", CONFIG_FP_SHA256, false },
#ifdef HAVE_OPENSSL
	/* MD5 comes from libcrypto only. */
	{ "MD5", CONFIG_FP_MD5, false },
#endif
	{ NULL, 0, false },
};
/* The "off" values of keywords hsshd accepts only switched off. */
static const struct config_enum v_off_no[] = {
	{ "no", 0, false },
	{ NULL, 0, false },
};
static const struct config_enum v_off_none[] = {
	{ "none", 0, false },
	{ NULL, 0, false },
};
static const struct config_enum v_off_compression[] = {
	{ "no", 0, false },
	{ "delayed", 0, false },
	{ NULL, 0, false },
};

#define FLAG(n, f, fl) \
	{ .name = (n), .type = CK_FLAG, .flags = (fl), .off = F(f) }
#define INT(n, f, fl, lo, hi) \
	{ .name = (n), .type = CK_INT, .flags = (fl), .off = F(f), \
	  .min = (lo), .max = (hi) }
#define TIME(n, f, fl) \
	{ .name = (n), .type = CK_TIME, .flags = (fl), .off = F(f) }
#define ENUM(n, f, fl, v) \
	{ .name = (n), .type = CK_ENUM, .flags = (fl), .off = F(f), \
	  .values = (v) }
#define OFF(n, f, fl, v) \
	{ .name = (n), .type = CK_OFF, .flags = (fl), .off = F(f), \
	  .values = (v), .dump = NULL }
#define PATH(n, f, fl, tok) \
	{ .name = (n), .type = CK_PATH, .flags = (fl), .off = F(f), \
	  .tokens = (tok) }
#define LIST(n, f, nf, fl, e) \
	{ .name = (n), .type = CK_LIST, .flags = (fl), .off = F(f), \
	  .off_n = F(nf), .empty = (e) }
#define ALGS(n, f, fl, k) \
	{ .name = (n), .type = CK_ALGS, .flags = (fl), .off = F(f), .algs = (k) }
#define CUSTOM(n, fl, p, d) \
	{ .name = (n), .type = CK_CUSTOM, .flags = (fl), .parse = (p), \
	  .dump = (d) }
/* Custom parser, dumped as the vector f (empty: the word e, or nothing). */
#define CUSTOMV(n, f, nf, fl, p, e) \
	{ .name = (n), .type = CK_CUSTOM, .flags = (fl), .off = F(f), \
	  .off_n = F(nf), .parse = (p), .empty = (e) }
/* Custom parser, dumped as the string f ("none" when NULL). */
#define CUSTOMS(n, f, fl, p) \
	{ .name = (n), .type = CK_CUSTOM, .flags = (fl), .off = F(f), \
	  .parse = (p) }
#define ALIAS(n, of) \
	{ .name = (n), .alias_of = (of) }
/* Accepted and ignored, with the value type still checked. */
#define NOOP_T(n, t, fl) \
	{ .name = (n), .type = (t), .status = CONFIG_NOOP, .flags = (fl) }
#define NOOP_ALGS(n, fl, k) \
	{ .name = (n), .type = CK_ALGS, .status = CONFIG_NOOP, \
	  .flags = (fl), .algs = (k) }
#define NOOP_CUSTOM(n, fl, p) \
	{ .name = (n), .type = CK_CUSTOM, .status = CONFIG_NOOP, \
	  .flags = (fl), .parse = (p) }
/* Refused; v (or NULL) lists the values that leave it off. */
#define UNSUPP(n, fl, v) \
	{ .name = (n), .type = CK_ANY, .status = CONFIG_UNSUPPORTED, \
	  .flags = (fl), .values = (v) }

/* Rows without a string field leave off at 0: the first field must be an
 * int so that 0 never names a string (see config-dump.c). */
_Static_assert(offsetof(struct hs_config, address_family) == 0,
    "struct hs_config must start with an int field");

const struct config_key config_keys[] = {
	CUSTOMV("AcceptEnv", accept_env, naccept_env, M | CKF_MULTI,
	    config_kw_acceptenv, NULL),
	ENUM("AddressFamily", address_family, 0, v_family),
	NOOP_T("AFSTokenPassing", CK_ANY, 0),
	FLAG("AllowAgentForwarding", allow_agent_forwarding, M),
	LIST("AllowGroups", allow_groups, nallow_groups, M | CKF_MULTI, NULL),
	ENUM("AllowStreamLocalForwarding", allow_streamlocal_forwarding, M,
	    v_fwd),
	ENUM("AllowTcpForwarding", allow_tcp_forwarding, M, v_fwd),
	CUSTOMV("AllowUsers", allow_users, nallow_users, M | CKF_MULTI,
	    config_kw_users, NULL),
	CUSTOMV("AuthenticationMethods", auth_methods, nauth_methods, M,
	    config_kw_auth_methods, "any"),
	UNSUPP("AuthorizedKeysCommand", M, v_off_none),
	NOOP_T("AuthorizedKeysCommandUser", CK_ANY, M),
	CUSTOMV("AuthorizedKeysFile", authorized_keys_files,
	    nauthorized_keys_files, M, config_kw_authkeys, "none"),
	NOOP_T("AuthorizedKeysFile2", CK_ANY, M),
	UNSUPP("AuthorizedPrincipalsCommand", M, v_off_none),
	NOOP_T("AuthorizedPrincipalsCommandUser", CK_ANY, M),
	UNSUPP("AuthorizedPrincipalsFile", M, v_off_none),
	PATH("Banner", banner, M | CKF_NONE, NULL),
	ALGS("CASignatureAlgorithms", ca_signature_algorithms, M, ALGS_CASIG),
	ALIAS("ChallengeResponseAuthentication",
	    "KbdInteractiveAuthentication"),
	CUSTOMV("ChannelTimeout", channel_timeouts, nchannel_timeouts, M,
	    config_kw_channeltimeout, "none"),
	NOOP_T("CheckMail", CK_ANY, 0),
	PATH("ChrootDirectory", chroot_directory, M | CKF_NONE,
	    CONFIG_TOKENS_FILES),
	ALGS("Ciphers", ciphers, 0, ALGS_CIPHER),
	INT("ClientAliveCountMax", client_alive_count_max, M, 0, 2147483647),
	TIME("ClientAliveInterval", client_alive_interval, M),
	OFF("Compression", compression, 0, v_off_compression),
	NOOP_T("DebianBanner", CK_FLAG, 0),
	LIST("DenyGroups", deny_groups, ndeny_groups, M | CKF_MULTI, NULL),
	CUSTOMV("DenyUsers", deny_users, ndeny_users, M | CKF_MULTI,
	    config_kw_users, NULL),
	FLAG("DisableForwarding", disable_forwarding, M),
	ALIAS("DSAAuthentication", "PubkeyAuthentication"),
	UNSUPP("ExposeAuthInfo", M, v_off_no),
	ENUM("FingerprintHash", fingerprint_hash, 0, v_fphash),
	CUSTOMS("ForceCommand", force_command, M,
	    config_kw_forcecommand),
	ENUM("GatewayPorts", gateway_ports, M, v_gateway),
	OFF("GSSAPIAuthentication", gssapi_authentication, M, v_off_no),
	NOOP_T("GSSAPICleanupCredentials", CK_FLAG, 0),
	NOOP_T("GSSAPIKexAlgorithms", CK_ANY, 0),
	UNSUPP("GSSAPIKeyExchange", 0, v_off_no),
	NOOP_T("GSSAPIStoreCredentialsOnRekey", CK_FLAG, 0),
	NOOP_T("GSSAPIStrictAcceptorCheck", CK_FLAG, 0),
	NOOP_ALGS("HostbasedAcceptedAlgorithms", M, ALGS_PUBKEY),
	ALIAS("HostbasedAcceptedKeyTypes", "HostbasedAcceptedAlgorithms"),
	OFF("HostbasedAuthentication", hostbased_authentication, M, v_off_no),
	NOOP_T("HostbasedUsesNameFromPacketOnly", CK_FLAG, M),
	UNSUPP("HostCertificate", 0, v_off_none),
	ALIAS("HostDSAKey", "HostKey"),
	CUSTOMV("HostKey", hostkey_files, nhostkey_files, CKF_MULTI,
	    config_kw_hostkey, NULL),
	UNSUPP("HostKeyAgent", 0, v_off_none),
	ALGS("HostKeyAlgorithms", hostkey_algorithms, 0, ALGS_HOSTKEY),
	ENUM("IgnoreRhosts", ignore_rhosts, M, v_rhosts),
	NOOP_T("IgnoreUserKnownHosts", CK_FLAG, 0),
	{ .name = "Include", .type = CK_INCLUDE, .flags = M },
	CUSTOM("IPQoS", M, config_kw_ipqos, config_kwdump_ipqos),
	FLAG("KbdInteractiveAuthentication", kbd_interactive_authentication,
	    M),
	ALIAS("KeepAlive", "TCPKeepAlive"),
	OFF("KerberosAuthentication", kerberos_authentication, M, v_off_no),
	NOOP_T("KerberosGetAFSToken", CK_FLAG, 0),
	NOOP_T("KerberosOrLocalPasswd", CK_FLAG, 0),
	NOOP_T("KerberosTGTPassing", CK_ANY, 0),
	NOOP_T("KerberosTicketCleanup", CK_FLAG, 0),
	ALGS("KexAlgorithms", kex_algorithms, 0, ALGS_KEX),
	NOOP_T("KeyRegenerationInterval", CK_ANY, 0),
	CUSTOM("ListenAddress", CKF_MULTI, config_kw_listen,
	    config_kwdump_listen),
	TIME("LoginGraceTime", login_grace_time, 0),
	CUSTOM("LogLevel", M, config_kw_loglevel, config_kwdump_loglevel),
	CUSTOMV("LogVerbose", log_verbose, nlog_verbose, M,
	    config_kw_logverbose, NULL),
	ALGS("MACs", macs, 0, ALGS_MAC),
	{ .name = "Match", .type = CK_MATCH, .flags = M },
	INT("MaxAuthTries", max_auth_tries, M, 0, 2147483647),
	INT("MaxSessions", max_sessions, M, 0, 2147483647),
	CUSTOM("MaxStartups", 0, config_kw_maxstartups,
	    config_kwdump_maxstartups),
	NOOP_T("ModuliFile", CK_PATH, 0),
	NOOP_T("PAMAuthenticationViaKbdInt", CK_ANY, 0),
	UNSUPP("PAMServiceName", M, NULL),
	FLAG("PasswordAuthentication", password_authentication, M),
	FLAG("PermitEmptyPasswords", permit_empty_passwords, M),
	CUSTOMV("PermitListen", permit_listen, npermit_listen, M,
	    config_kw_permitopen, "any"),
	CUSTOMV("PermitOpen", permit_open, npermit_open, M,
	    config_kw_permitopen, "any"),
	ENUM("PermitRootLogin", permit_root_login, M, v_root),
	FLAG("PermitTTY", permit_tty, M),
	OFF("PermitTunnel", permit_tunnel, M, v_off_no),
	CUSTOM("PermitUserEnvironment", 0, config_kw_permituserenv,
	    config_kwdump_permituserenv),
	FLAG("PermitUserRC", permit_user_rc, M),
	CUSTOM("PerSourceMaxStartups", 0, config_kw_persource_max,
	    config_kwdump_persource_max),
	CUSTOM("PerSourceNetBlockSize", 0, config_kw_netblock,
	    config_kwdump_netblock),
	CUSTOM("PerSourcePenalties", 0, config_kw_penalties,
	    config_kwdump_penalties),
	CUSTOMS("PerSourcePenaltyExemptList", per_source_penalty_exempt, 0,
	    config_kw_exempt),
	PATH("PidFile", pid_file, CKF_NONE, NULL),
	CUSTOM("Port", CKF_MULTI, config_kw_port, config_kwdump_port),
	FLAG("PrintLastLog", print_lastlog, 0),
	FLAG("PrintMotd", print_motd, 0),
	NOOP_T("Protocol", CK_ANY, 0),
	ALGS("PubkeyAcceptedAlgorithms", pubkey_accepted_algorithms, M,
	    ALGS_PUBKEY),
	ALIAS("PubkeyAcceptedKeyTypes", "PubkeyAcceptedAlgorithms"),
	FLAG("PubkeyAuthentication", pubkey_authentication, M),
	CUSTOM("PubkeyAuthOptions", M, config_kw_pubkeyauthoptions,
	    config_kwdump_pubkeyauthoptions),
	UNSUPP("RDomain", M, v_off_none),
	UNSUPP("RefuseConnection", M, v_off_no),
	CUSTOM("RekeyLimit", M, config_kw_rekeylimit,
	    config_kwdump_rekeylimit),
	INT("RequiredRSASize", required_rsa_size, M, 1024, 16384),
	NOOP_T("ReverseMappingCheck", CK_ANY, 0),
	UNSUPP("RevokedKeys", M, v_off_none),
	NOOP_T("RhostsAuthentication", CK_ANY, 0),
	NOOP_T("RhostsRSAAuthentication", CK_ANY, M),
	NOOP_T("RSAAuthentication", CK_ANY, M),
	NOOP_T("SecurityKeyProvider", CK_ANY, 0),
	NOOP_T("ServerKeyBits", CK_ANY, 0),
	CUSTOMV("SetEnv", set_env, nset_env, M | CKF_EACH, config_kw_setenv,
	    NULL),
	ALIAS("SKeyAuthentication", "KbdInteractiveAuthentication"),
	NOOP_T("SshdAuthPath", CK_ANY, 0),
	NOOP_T("SshdSessionPath", CK_ANY, 0),
	CUSTOM("StreamLocalBindMask", M, config_kw_bindmask,
	    config_kwdump_bindmask),
	FLAG("StreamLocalBindUnlink", stream_local_bind_unlink, M),
	FLAG("StrictModes", strict_modes, 0),
	CUSTOM("Subsystem", CKF_MULTI, config_kw_subsystem,
	    config_kwdump_subsystem),
	CUSTOM("SyslogFacility", 0, config_kw_facility,
	    config_kwdump_facility),
	FLAG("TCPKeepAlive", tcp_keep_alive, 0),
	UNSUPP("TrustedUserCAKeys", M, v_off_none),
	CUSTOM("UnusedConnectionTimeout", M, config_kw_unused_timeout,
	    config_kwdump_unused_timeout),
	FLAG("UseDNS", use_dns, 0),
	NOOP_T("UseLogin", CK_ANY, 0),
	FLAG("UsePAM", use_pam, 0),
	NOOP_T("UsePrivilegeSeparation", CK_ANY, 0),
	NOOP_T("VerifyReverseMapping", CK_ANY, 0),
	CUSTOM("VersionAddendum", 0, config_kw_version_addendum,
	    config_kwdump_version_addendum),
	INT("X11DisplayOffset", x11_display_offset, M, 0, 2147483647),
	FLAG("X11Forwarding", x11_forwarding, M),
	FLAG("X11UseLocalhost", x11_use_localhost, M),
	PATH("XAuthLocation", xauth_location, CKF_NONE, NULL),
};
const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

static const struct config_key *
config_key_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++)
		if (strcasecmp(name, config_keys[i].name) == 0)
			return &config_keys[i];
	return NULL;
}

const struct config_key *
config_key_find(const char *name, const struct config_key **ret_row)
{
	const struct config_key *row, *k;

	*ret_row = NULL;
	if ((row = config_key_lookup(name)) == NULL)
		return NULL;
	*ret_row = row;
	if (row->alias_of == NULL)
		return row;
	/* Aliases point at a row that is not an alias itself. */
	if ((k = config_key_lookup(row->alias_of)) == NULL ||
	    k->alias_of != NULL)
		return NULL;
	return k;
}
