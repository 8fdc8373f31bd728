/* SPDX-License-Identifier: ISC */
/*
 * RPC_SESSION_INIT: the whole start state of an hsshd-session, the first
 * message hsshd-monitor (root) sends it on fd 4 after authentication.
 * The monitor fills a struct session_init and serialises it; the session
 * (running as the logged-in user, no capabilities) parses it.  The bytes
 * come from the trusted monitor, but are parsed as untrusted input all
 * the same: every string and count is bounded, nothing may follow, and
 * the derived transport keys are kept in sodium_malloc() memory and wiped.
 *
 * Format (SSH wire types, common/buf.h):
 *	u32	SESSINIT_VERSION
 *	string	user name			(1..SESSINIT_NAME_MAX, no NUL)
 *	u32	uid, u32 gid
 *	string	home directory, string login shell	(SESSINIT_PATH_MAX)
 *	string	peer address, u32 peer port	(SESSINIT_ADDR_MAX, port < 65536)
 *	string	local address, u32 local port
 *	string	kex algorithm, host key signature algorithm,
 *		cipher c2s, cipher s2c, MAC c2s, MAC s2c	(each a single
 *		name, NAME_MAX_LEN; a MAC is "" with an AEAD cipher)
 *	bool	strict KEX (0 or 1)
 *	string	session id			(1..KEX_HASH_MAX)
 *	string	V_C, string V_S			(BANNER_LINE_MAX, no CR LF)
 *	string	x6 the derived keys A..F	(0..KEX_DERIVED_MAX each)
 *	string	pkt_export() blob of the pre-auth transport
 *						(SESSINIT_TRANSPORT_MAX)
 *	u32	host key count (1..SESSINIT_HOSTKEYS_MAX), then per key:
 *		string signature algorithms (comma list, NAMELIST_MAX),
 *		string public key blob (KEY_BLOB_MAX)
 *	string	config_serialize() of the connection's configuration
 *						(SESSINIT_CONFIG_MAX)
 *	string	authorized_keys options of this login: empty, or the
 *		bytes of authkey_opts_serialize() (policy/authkeys.h), which
 *		the session parses	(SESSINIT_KEYOPTS_MAX)
 *	u32	PAM environment count (SESSINIT_ENV_MAX), then each entry as
 *		string "NAME=value" (SESSINIT_ENV_ENTRY_MAX, NAME non-empty,
 *		no NUL; SESSINIT_ENV_BYTES_MAX in total)
 *	u8	log level (enum log_level, QUIET..DEBUG3)
 *	string	ChrootDirectory, expanded and checked by the monitor, or ""
 *		(SESSINIT_PATH_MAX; absolute when set).  When set, the
 *		message carries the directory, opened O_DIRECTORY, by
 *		SCM_RIGHTS, and hsshd-session holds CAP_SYS_CHROOT (ambient)
 *		until it has changed root to it.
 *	u64	time of the previous login (lastlog as it was before this
 *		login; 0: none, or PrintLastLog no)
 *	string	host of the previous login (SESSINIT_LASTHOST_MAX, no NUL)
 *	string	PAM messages of account management and session opening,
 *		each line ending in "\n" (SESSINIT_LOGINMSG_MAX, no NUL)
 * and the whole body is at most RPC_STATE_MAX bytes.
 *
 * Return values: 0 on success or a negative HS_ERR_* code.
 */
#ifndef HS_SESSINIT_H
#define HS_SESSINIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/kex.h"

struct buf;

/* Bump with any change of the format above (RPC_PROTO_VERSION too). */
#define SESSINIT_VERSION	2u

struct sessinit_hostkey {
	char		*sig_algs;	/* "rsa-sha2-512,rsa-sha2-256" */
	struct buf	*blob;		/* public key blob (K_S) */
};

/*
 * Every pointer is owned by the structure and freed by sessinit_free()
 * (strings with free(), buffers with buf_free(), keys with
 * kex_keys_free(), environment entries wiped).  A builder (the monitor,
 * the tests) allocates with sessinit_new() and fills every field; a NULL
 * string serialises as "" except where the format requires content.
 */
struct session_init {
	char		*user;
	uint32_t	 uid, gid;
	char		*home, *shell;
	char		*peer_addr, *local_addr;
	uint32_t	 peer_port, local_port;

	/* The negotiated algorithms of the key exchange in force. */
	char		*kex_alg, *hostkey_alg;
	char		*enc_c2s, *enc_s2c, *mac_c2s, *mac_s2c;
	bool		 strict_kex;
	uint8_t		 session_id[KEX_HASH_MAX];
	size_t		 session_id_len;
	char		*v_c, *v_s;
	/* Secret: RFC 4253 §7.2 keys A..F, sodium_malloc() memory. */
	struct kex_keys	*keys;
	struct buf	*transport;	/* pkt_export() */

	struct sessinit_hostkey hostkeys[SESSINIT_HOSTKEYS_MAX];
	size_t		 nhostkeys;

	struct buf	*config;	/* config_serialize() */
	struct buf	*key_options;	/* authkey_opts_serialize() or empty */
	char		**env;		/* PAM environment, "NAME=value" */
	size_t		 nenv;
	uint8_t		 log_level;

	char		*chroot_dir;	/* NULL or "": no ChrootDirectory */
	uint64_t	 last_login_time;	/* 0: nothing to show */
	char		*last_login_host;
	char		*login_msg;	/* PAM's text for the login, or NULL */
};

/* A zeroed structure (NULL on allocation failure). */
struct session_init *sessinit_new(void);
/* Frees (and wipes the keys and environment); NULL is a no-op. */
void	 sessinit_free(struct session_init *);

/*
 * Append the body of RPC_SESSION_INIT to out.  Checks the same bounds the
 * parser applies (HS_ERR_TOO_LONG, HS_ERR_INVALID_ARGUMENT for a missing
 * key set, transport or config, a bad name, port or env entry), so what
 * serialises also parses.  On failure out is as it was.
 */
int	 sessinit_serialize(const struct session_init *, struct buf *out);

/*
 * Parse a body.  *ret (sessinit_free) is set on success only.  Errors:
 * HS_ERR_PROTOCOL for another SESSINIT_VERSION, HS_ERR_TOO_LONG,
 * HS_ERR_BAD_FORMAT (a bound or rule above broken), HS_ERR_TRAILING_DATA,
 * and the buf getter errors.
 */
int	 sessinit_parse(const uint8_t *data, size_t len,
	    struct session_init **ret);

/*
 * A copy of a derived key set (for builders that keep their own): each
 * key in sodium_malloc() memory.  Returns 0, HS_ERR_INVALID_ARGUMENT or
 * HS_ERR_ALLOC.
 */
int	 sessinit_keys_copy(const struct kex_keys *, struct kex_keys **ret);

#endif
