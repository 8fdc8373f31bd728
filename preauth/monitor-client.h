/* SPDX-License-Identifier: ISC */
/*
 * The pre-auth child's requests to its monitor (hsshd-preauth, privsep
 * user, sandboxed).  Each sends one request and requires the matching
 * answer; anything else from the monitor is fatal.
 */
#ifndef HS_MONITOR_CLIENT_H
#define HS_MONITOR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "common/log.h"
#include "common/mm-client.h"

struct buf;

#define MM_HOSTKEYS_MAX	32

struct mm_hostkey {
	char		*sig_algs;	/* comma list this key signs with */
	struct buf	*blob;		/* public key blob (K_S) */
};

struct mm_hello {
	char		*v_s;		/* our version line, no CR LF */
	struct buf	*i_s;		/* our KEXINIT payload, built by M */
	char		*server_sig_algs;	/* RFC 8308 server-sig-algs */
	int		 log_level;
	uint64_t	 rekey_bytes;	/* 0: per-cipher default */
	uint32_t	 rekey_seconds;	/* 0: none */
	struct mm_hostkey keys[MM_HOSTKEYS_MAX];
	size_t		 nkeys;
	char		*log_verbose[CONFIG_LOG_VERBOSE_MAX];	/* LogVerbose */
	size_t		 nlog_verbose;
};

/* mm_init, mm_fd, mm_call, mm_log_handler: common/mm-client.h. */
void	mm_hello(struct mm_hello *ret);
uint32_t mm_peer_banner(const char *v_c);
/* RPC_KEX_REKEY and RPC_KEX_SIGN: common/kexdrv-rpc.c on mm_fd(). */
struct mm_auth {
	int		 code;		/* enum auth_code */
	char		*methods;	/* that can continue */
};

struct mm_kbd {
	int		 kind;		/* enum kbd_kind */
	char		*name, *instruction;
	uint32_t	 n;
	char		*prompts[16];
	bool		 echo[16];
	struct mm_auth	 result;	/* KBD_RESULT */
};

/* Names the user and service for this connection; returns the methods
 * and the banner text ("" for none).  Same answer for every user name. */
void	mm_userauth_begin(const char *user, const char *service,
	    char **ret_methods, char **ret_banner);
void	mm_auth_none(struct mm_auth *);
void	mm_pubkey_check(const char *alg, const uint8_t *blob, size_t bloblen,
	    struct mm_auth *);
void	mm_pubkey_verify(const char *alg, const uint8_t *blob, size_t bloblen,
	    const uint8_t *sig, size_t siglen, struct mm_auth *);
void	mm_password(bool change, const char *password, struct mm_auth *);
void	mm_kbdint_begin(const char *submethods, struct mm_kbd *);
void	mm_kbdint_respond(char *const *answers, uint32_t n, struct mm_kbd *);
void	mm_kbdint_abort(struct mm_auth *);
void	mm_auth_clear(struct mm_auth *);
void	mm_kbd_clear(struct mm_kbd *);
/* Hand the transport over after a successful login: pkt_export() state
 * and the client socket.  Returns the monitor's verdict: 0 to exit, or a
 * message to send in a DISCONNECT (caller frees). */
char	*mm_transport_export(const struct buf *state, int client_fd);

#endif
