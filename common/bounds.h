/* SPDX-License-Identifier: ISC */
/*
 * Every size limit in hsshd, as a named constant, in one place.  A limit
 * that a peer can push against belongs here, with the reason for its value.
 */
#ifndef HS_BOUNDS_H
#define HS_BOUNDS_H

/* Hard cap of any buffer: no single object in hsshd is larger. */
#define BUF_SIZE_MAX		(128u * 1024 * 1024)
/* Growth granularity of buffers. */
#define BUF_SIZE_INC		256u

/* RFC 4253 §6.1: packets up to 35000 bytes must be accepted; we take 256 KiB. */
#define PKT_MAX_PACKET		(256u * 1024)
#define PKT_MIN_SUPPORTED	35000u
/* Largest MAC or AEAD tag appended to a packet (hmac-sha2-512). */
#define PKT_MAC_MAX		64u
/* Largest cipher block size (AES). */
#define PKT_BLOCK_MAX		16u
/* Undecoded input held by the packet layer: one full packet and its tag,
 * plus as much again of the next, so a reader can always make progress. */
#define PKT_INBUF_MAX		(2u * (4u + PKT_MAX_PACKET + PKT_MAC_MAX))
/* Encrypted output waiting to be written; a peer that does not read is
 * not allowed to make us queue more than this. */
#define PKT_OUTBUF_MAX		(4u * 1024 * 1024)
/* Undecoded input handed from one process to the next (pkt_export).  The
 * state travels in one RPC message, so this stays well below that cap; the
 * sender feeds the packet layer no more than it needs before a handover. */
#define PKT_EXPORT_PENDING_MAX	(128u * 1024)
/* Version line, RFC 4253 §4.2: 255 bytes including CR LF. */
#define BANNER_LINE_MAX		255u
/* Lines a client may send before its version line, and their total size. */
#define BANNER_PRELINES_MAX	32u
#define BANNER_PRE_BYTES_MAX	(8u * 1024)

/* The Banner file sent before authentication. */
#define BANNER_FILE_MAX		(16u * 1024)

/* A name-list (algorithm negotiation) is never longer than this. */
#define NAMELIST_MAX		4096u
/* A single name inside a name-list (RFC 4251 §6: 64 characters). */
#define NAME_MAX_LEN		64u
/* Largest hash output of a key exchange (SHA-512), and largest derived
 * key (chacha20-poly1305 and hmac-sha2-512 keys are 64 bytes). */
#define KEX_HASH_MAX		64u
#define KEX_DERIVED_MAX		64u
/* Largest key exchange public value: a group18 (8192-bit) DH value. */
#define KEX_PUB_MAX		(8192u / 8 + 1)
/* Largest mpint we parse: an 8192-bit DH value plus sign byte. */
#define MPINT_MAX_BYTES		(8192u / 8 + 1)
/* Key blobs, signatures and key files. */
#define KEY_BLOB_MAX		(16u * 1024)
#define SIG_BLOB_MAX		(2u * 1024)
/* A whole SSH signature: string algorithm name, string SIG_BLOB_MAX blob
 * (SIG_BLOB_MAX holds the blob of a 16384-bit RSA signature). */
#define SIG_MAX			(4u + NAME_MAX_LEN + 4u + SIG_BLOB_MAX)
#define KEY_FILE_MAX		(64u * 1024)
#define KEY_COMMENT_MAX		1024u
/* RSA key sizes hsshd accepts (bits). */
#define RSA_MIN_BITS		1024u
#define RSA_MAX_BITS		16384u

/* Configuration files. */
#define CONFIG_FILE_MAX		(1024u * 1024)
#define CONFIG_LINE_MAX		8192u
#define CONFIG_INCLUDE_DEPTH	16u
#define CONFIG_HOSTKEYS_MAX	32u
/* Every file read for one configuration, Includes counted each time. */
#define CONFIG_INCLUDE_FILES_MAX 256u
/* Bytes read for one configuration, across all its Includes. */
#define CONFIG_TOTAL_MAX	(8u * 1024 * 1024)
/* Arguments on one configuration line. */
#define CONFIG_ARGS_MAX		1024u
/* Entries of one multi-valued keyword (AllowUsers, AcceptEnv, ...). */
#define CONFIG_LIST_MAX		4096u
/* Port and ListenAddress entries, Subsystems (sshd: 256 each). */
#define CONFIG_PORTS_MAX	256u
#define CONFIG_LISTEN_MAX	256u
#define CONFIG_SUBSYSTEMS_MAX	256u
/* Transport (common/transport-common.c): the longest peer DISCONNECT
 * text read, and the longest DISCONNECT text sent (longer is cut). */
#define TRC_PEER_MSG_MAX	1024
#define TRC_DISCONNECT_MSG_MAX	256
/* LogVerbose pattern lists (each passed to the pre-auth child). */
#define CONFIG_LOG_VERBOSE_MAX	64u
/* Match blocks in one configuration (continuations after Include count). */
#define CONFIG_MATCH_MAX	4096u
/* VersionAddendum: the version line (BANNER_LINE_MAX) must still fit. */
#define CONFIG_VERSION_ADDENDUM_MAX 128u
/* A path or token-expanded string built from configuration. */
#define CONFIG_PATH_MAX		4096u

/* Monitor RPC (common/rpc.c): one message body at most, and the one larger
 * message (TRANSPORT_EXPORT: counters plus pending packet bytes). */
#define RPC_MSG_MAX		(64u * 1024)
#define RPC_STATE_MAX		(256u * 1024)

/* /proc/PID/status of a sandboxed child (common/procstatus.c); a few KiB
 * in practice, the cap only bounds the read. */
#define PROCSTATUS_FILE_MAX	(64u * 1024)

/* The listener's PerSourcePenalties table (monitor/srclimit.c): netblocks
 * held per address family, whatever max-sources4/6 says.  IPv6 sources
 * cost an attacker nothing, so the table must stay bounded; an entry is
 * about 50 bytes, so this caps each family near 50 MiB (the default
 * max-sources of 65536 needs about 3 MiB). */
#define SRCLIMIT_PENALTY_SOURCES_MAX	(1u << 20)
/* Unauthenticated connections tracked for PerSourceMaxStartups, whatever
 * MaxStartups says. */
#define SRCLIMIT_TRACKED_MAX		(1u << 20)

/* The session's start state (common/sessinit.c, RPC_SESSION_INIT).  The
 * whole message is at most RPC_STATE_MAX; these bound each field. */
#define SESSINIT_NAME_MAX	256u	/* user name (LOGIN_NAME_MAX) */
#define SESSINIT_PATH_MAX	4096u	/* home directory, shell (PATH_MAX) */
#define SESSINIT_ADDR_MAX	64u	/* numeric address text */
#define SESSINIT_TRANSPORT_MAX	(PKT_EXPORT_PENDING_MAX + 1024u)
#define SESSINIT_HOSTKEYS_MAX	CONFIG_HOSTKEYS_MAX
#define SESSINIT_CONFIG_MAX	(64u * 1024)	/* serialised config */
#define SESSINIT_KEYOPTS_MAX	(16u * 1024)	/* an authorized_keys line */
#define SESSINIT_ENV_MAX	256u	/* PAM environment entries */
#define SESSINIT_ENV_ENTRY_MAX	(8u * 1024)
#define SESSINIT_ENV_BYTES_MAX	(32u * 1024)
/* The host of the previous login (lastlog's ll_host is 256 bytes) and
 * the PAM messages of account management and session opening (pam_motd
 * and the like; more is dropped, not an error). */
#define SESSINIT_LASTHOST_MAX	256u
#define SESSINIT_LOGINMSG_MAX	(8u * 1024)
/* hostkeys-prove-00@openssh.com: host keys proved per request (every
 * key the server has, at most) and RPC_HOSTKEY_PROVE calls per
 * connection (OpenSSH's client asks once per UpdateHostKeys round). */
#define HOSTKEYS_PROVE_MAX	SESSINIT_HOSTKEYS_MAX
#define HOSTKEYS_PROVE_CALLS_MAX	4u

/* authorized_keys (policy/authkeys.c, monitor/authfile.c).  A file is read
 * whole; a line holds the largest RSA key (about 2.8 KiB of base64) with
 * room for options.  The entry counts are sshd's. */
#define AUTHKEYS_FILE_MAX	(1024u * 1024)
#define AUTHKEYS_LINE_MAX	8192u
#define AUTHKEYS_PERMIT_MAX	4096u	/* permitopen, permitlisten each */
#define AUTHKEYS_ENV_MAX	1024u	/* environment= */
/* Path lookup of an AuthorizedKeysFile: symbolic links followed (as the
 * kernel's MAXSYMLINKS) and directory depth. */
#define AUTHFILE_SYMLINKS_MAX	40u
#define AUTHFILE_DEPTH_MAX	1024u

/* hsshd-session: the connection protocol (RFC 4254, session/).  A
 * channel's buffered data never exceeds the window we grant, so memory is
 * bounded by CHAN_WINDOW_DEFAULT per channel; the window and packet size
 * are OpenSSH's (large enough for CPU-bound loopback transfers). */
#define CHAN_WINDOW_DEFAULT	(2u * 1024 * 1024)
#define CHAN_PACKET_DEFAULT	(32u * 1024)
#define CHAN_MAX		1024u	/* open channels per connection */
#define CHAN_NAME_MAX		64u	/* channel types, request names */
#define SESS_TERM_MAX		256u	/* pty-req TERM */
#define SESS_TTYMODES_MAX	4096u	/* pty-req encoded modes */
#define SESS_WINSIZE_MAX	65535u	/* window-change rows/columns/pixels */
#define SESS_ENV_NAME_MAX	256u	/* env request name */
#define SESS_ENV_VALUE_MAX	(8u * 1024)
#define SESS_ENV_COUNT_MAX	256u	/* accepted env requests per channel */
#define SESS_ENV_BYTES_MAX	(64u * 1024)
#define SESS_COMMAND_MAX	PKT_MAX_PACKET	/* exec command */
/* Messages queued while a key exchange runs (replies and control
 * messages; channel data is not read then), and the output backlog above
 * which the session stops reading channels and the socket. */
#define SESS_KEXQUEUE_MAX	(1024u * 1024)
#define SESS_OUTBUF_HIGH	(1024u * 1024)
/* Channels we open (forwarded connections, agent, X11) that the peer
 * has not answered yet; further connections are refused meanwhile. */
#define CHAN_OPENING_MAX	64u
/* Listening sockets of one connection (remote forwards, agent, X11). */
#define CONN_LISTENERS_MAX	128u
/* An OPEN_FAILURE description from the peer (logged, then dropped). */
#define CHANMSG_DESCR_MAX	1024u
/* Port forwarding (session/chan-fwd.c): host names and address texts (a
 * DNS name is at most 253 bytes), Unix-domain socket paths (sun_path
 * less its NUL), remote forwards of one connection, and the addresses a
 * name may resolve to (tried in turn for a connect, all bound for a
 * listen). */
#define FWD_HOST_MAX		255u
#define FWD_PATH_MAX		107u
#define FWD_LISTEN_MAX		64u
#define FWD_ADDRS_MAX		8u
/* X11 forwarding (session/x11.c, session/chanmsg-x11.c): the x11-req
 * authentication protocol name ("MIT-MAGIC-COOKIE-1") and its cookie in
 * hex (16 bytes for the protocols xauth knows; up to 128 accepted), the
 * display numbers tried for a listener (below sshd's MAX_DISPLAYS, port
 * 6000 + N). */
#define X11_PROTO_MAX		64u
#define X11_COOKIE_HEX_MAX	256u
#define X11_DISPLAY_MAX		1000u
/* /etc/login.defs (ENV_PATH) and /etc/motd as the session reads them. */
#define SESS_LOGIN_DEFS_MAX	(64u * 1024)
#define SESS_MOTD_MAX		(64u * 1024)
/* Terminals the monitor holds for one session (each is an fd). */
#define MON_PTYS_MAX		64u

/* internal-sftp (session/sftp-*.c), OpenSSH sftp-server's limits: one
 * request or reply of at most 256 KiB, READ lengths capped so the DATA
 * reply fits, 512 open handles.  Input is read only while a whole message
 * more fits, and requests are served only while a largest reply fits in
 * the output, so a client that does not read stops being served. */
#define SFTP_MSG_MAX		(256u * 1024)
#define SFTP_READ_MAX		(SFTP_MSG_MAX - 1024u)
#define SFTP_HANDLES_MAX	512u
#define SFTP_HANDLE_LEN		8u	/* u32 slot, u32 generation */
#define SFTP_HANDLE_WIRE_MAX	256u	/* a handle string a client sends */
#define SFTP_PATH_MAX		(8u * 1024)	/* a path in a request */
#define SFTP_NAME_MAX		256u	/* extension and user names */
#define SFTP_ATTR_EXT_MAX	64u	/* extended attribute pairs */
#define SFTP_READDIR_MAX	100u	/* names per READDIR reply */
#define SFTP_INBUF_MAX		(2u * (4u + SFTP_MSG_MAX))
#define SFTP_OUTBUF_MAX		(4u * (4u + SFTP_MSG_MAX))

#endif
