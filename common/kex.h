/* SPDX-License-Identifier: ISC */
/*
 * SSH key exchange (RFC 4253 §7-§8, RFC 5656, RFC 8268, RFC 8731): the
 * algorithm table, KEXINIT build/parse and negotiation, the server half of
 * each key agreement, the exchange hash and the key derivation.
 *
 * Linked into the pre-auth child and the session process (unprivileged;
 * the peer's KEXINIT and public values are attacker-controlled and parsed
 * only through struct buf) and into the monitor (which negotiates again
 * from both KEXINITs, hashes and derives keys itself; its inputs come
 * from a child that may be compromised).  Nothing here does I/O or logs.
 *
 * Shared secrets K travel as struct buf holding K already encoded as it
 * enters the exchange hash and the key derivation (an mpint for every
 * algorithm here), in buffers that are wiped when freed.
 */
#ifndef HS_KEX_H
#define HS_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"

struct buf;
struct cipher;
struct cipher_ctx;
struct mac;
struct mac_ctx;

/* SSH message numbers of the transport layer (RFC 4250 §4.1.2). */
#define SSH2_MSG_DISCONNECT		1
#define SSH2_MSG_IGNORE			2
#define SSH2_MSG_UNIMPLEMENTED		3
#define SSH2_MSG_DEBUG			4
#define SSH2_MSG_SERVICE_REQUEST	5
#define SSH2_MSG_SERVICE_ACCEPT		6
#define SSH2_MSG_EXT_INFO		7
#define SSH2_MSG_KEXINIT		20
#define SSH2_MSG_NEWKEYS		21
#define SSH2_MSG_KEX_ECDH_INIT		30	/* = KEXDH_INIT */
#define SSH2_MSG_KEX_ECDH_REPLY		31	/* = KEXDH_REPLY */

#define KEX_COOKIE_LEN		16

/* Markers in the kex_algorithms list that are not algorithms. */
#define KEX_EXT_INFO_C		"ext-info-c"
#define KEX_EXT_INFO_S		"ext-info-s"
#define KEX_STRICT_C		"kex-strict-c-v00@openssh.com"
#define KEX_STRICT_S		"kex-strict-s-v00@openssh.com"

enum kex_family {
	KEX_FAMILY_CURVE25519,	/* Q_C/Q_S are strings of 32 bytes */
	KEX_FAMILY_ECDH,	/* Q_C/Q_S are strings (SEC1 points) */
	KEX_FAMILY_DH,		/* e/f are mpints */
};

enum kex_hash_alg {
	KEX_HASH_SHA256,
	KEX_HASH_SHA384,
	KEX_HASH_SHA512,
};

enum kex_group {
	KEX_GROUP_NONE = 0,
	KEX_GROUP_P256,		/* ECDH curves */
	KEX_GROUP_P384,
	KEX_GROUP_P521,
	KEX_GROUP_MODP14,	/* RFC 3526 MODP groups */
	KEX_GROUP_MODP16,
	KEX_GROUP_MODP18,
};

struct kex_alg {
	const char		*name;
	enum kex_family		 family;
	enum kex_hash_alg	 hash;
	enum kex_group		 group;
};

/* Table lookup by exact name: NULL for unknown names, for the markers
 * above and for algorithms this build lacks. */
const struct kex_alg	*kex_alg_by_name(const char *name);
/* Walk the table of this build (NULL past the end). */
const struct kex_alg	*kex_alg_at(size_t i);
/* Output length of the exchange hash (32, 48 or 64). */
size_t			 kex_hash_len(const struct kex_alg *);

/*
 * The server half of a key agreement.  client_pub/len is the client's
 * public value as it came on the wire: the string Q_C for curve25519 and
 * ECDH, the magnitude bytes of the mpint e for DH (buf_get_mpint_direct).
 * On success appends the server's public value to server_pub_out in the
 * same raw form (Q_S bytes, or the magnitude of f), and K encoded as an
 * mpint to shared_secret_out.  The ephemeral private key is generated,
 * used and wiped inside the call.
 * Returns 0, HS_ERR_KEX_BAD_PUBLIC (wrong length, point not on the curve,
 * e outside 1 < e < p-1), HS_ERR_KEX_ZERO_SECRET (curve25519 all-zero
 * output, RFC 8731 §3), HS_ERR_KEY_UNSUPPORTED, HS_ERR_ALLOC,
 * HS_ERR_CRYPTO.  The output buffers are unchanged on failure.
 */
int	 kex_server(const struct kex_alg *, const uint8_t *client_pub,
	    size_t len, struct buf *server_pub_out,
	    struct buf *shared_secret_out);
int	 kex_curve25519_server(const uint8_t *client_pub, size_t len,
	    struct buf *server_pub_out, struct buf *shared_secret_out);
/*
 * X25519 with a given private key (for the other side of a connection
 * and for the RFC 7748 known-answer tests): appends our public value to
 * pub_out (if not NULL) and K as an mpint to shared_secret_out.
 */
int	 kex_curve25519_shared(const uint8_t priv[32], const uint8_t *peer_pub,
	    size_t len, struct buf *pub_out, struct buf *shared_secret_out);
#ifdef HAVE_OPENSSL
int	 kex_ecdh_server(enum kex_group, const uint8_t *client_pub,
	    size_t len, struct buf *server_pub_out,
	    struct buf *shared_secret_out);
int	 kex_dh_server(enum kex_group, const uint8_t *client_pub, size_t len,
	    struct buf *server_pub_out, struct buf *shared_secret_out);
/* Appends the RFC 3526 prime of a MODP group as big-endian bytes
 * (the generator is 2), for the tests and for a client side. */
int	 kex_dh_group_prime(enum kex_group, struct buf *out);
#endif

/*
 * Exchange hash H (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3):
 *   HASH(string V_C || string V_S || string I_C || string I_S ||
 *        string K_S || Q_C || Q_S || K)
 * with Q_C/Q_S as strings for curve25519/ECDH and as mpints e/f for DH.
 * V_* are the identification lines without CR LF; I_* the KEXINIT
 * payloads including the message type byte; q_c/q_s raw as kex_server
 * takes/produces them; k is K already encoded (kex_server's output).
 * Writes kex_hash_len() bytes to hash (hashlen must be at least that).
 */
struct kex_hash_input {
	const uint8_t	*v_c, *v_s, *i_c, *i_s, *k_s, *q_c, *q_s;
	size_t		 v_c_len, v_s_len, i_c_len, i_s_len, k_s_len, q_c_len,
			 q_s_len;
	const struct buf *k;
};
int	 kex_hash(const struct kex_alg *, const struct kex_hash_input *,
	    uint8_t *hash, size_t hashlen);

/*
 * Key derivation (RFC 4253 §7.2): for each letter X in A..F,
 *   K1 = HASH(K || H || X || session_id), Kn+1 = HASH(K || H || K1..Kn)
 * truncated to the length wanted.  K is the encoded K as above; the
 * session id is H of the first key exchange.  Each output is in
 * sodium_malloc() memory; free the whole set with kex_keys_free.
 */
enum kex_key_id {
	KEX_KEY_IV_C2S = 0,	/* 'A' */
	KEX_KEY_IV_S2C,		/* 'B' */
	KEX_KEY_ENC_C2S,	/* 'C' */
	KEX_KEY_ENC_S2C,	/* 'D' */
	KEX_KEY_MAC_C2S,	/* 'E' */
	KEX_KEY_MAC_S2C,	/* 'F' */
	KEX_KEY_MAX,
};
struct kex_keys {
	uint8_t	*key[KEX_KEY_MAX];
	size_t	 len[KEX_KEY_MAX];
};
/* want[i] bytes of key i (at most KEX_DERIVED_MAX each, 0 allowed).
 * Returns 0, HS_ERR_INVALID_ARGUMENT or HS_ERR_ALLOC. */
int	 kex_derive_keys(const struct kex_alg *, const struct buf *k,
	    const uint8_t *h, size_t hlen, const uint8_t *session_id,
	    size_t session_id_len, const size_t want[KEX_KEY_MAX],
	    struct kex_keys **ret);
void	 kex_keys_free(struct kex_keys *);

/* KEXINIT name-lists, in wire order (RFC 4253 §7.1). */
enum kex_prop {
	KEX_PROP_KEX = 0,
	KEX_PROP_HOSTKEY,
	KEX_PROP_ENC_C2S,
	KEX_PROP_ENC_S2C,
	KEX_PROP_MAC_C2S,
	KEX_PROP_MAC_S2C,
	KEX_PROP_COMP_C2S,
	KEX_PROP_COMP_S2C,
	KEX_PROP_LANG_C2S,
	KEX_PROP_LANG_S2C,
	KEX_PROP_MAX,
};

struct kex_proposal {
	uint8_t	 cookie[KEX_COOKIE_LEN];
	char	*names[KEX_PROP_MAX];	/* NUL-terminated name-lists */
	bool	 first_kex_follows;
	uint32_t reserved;
};

/*
 * Appends a KEXINIT payload (message type 20, fresh random cookie, the ten
 * lists, first_kex_packet_follows false, reserved 0) to out.  props[i] are
 * comma-separated lists; each must be a valid name-list no longer than
 * NAMELIST_MAX.  server: append "ext-info-s,kex-strict-s-v00@openssh.com"
 * to the kex list (as OpenSSH 9.6 and later servers do); otherwise append
 * "ext-info-c,kex-strict-c-v00@openssh.com" (a client, for the tests).
 * A marker already in the list is not repeated.
 * Returns 0, HS_ERR_BAD_NAMELIST, HS_ERR_TOO_LONG, HS_ERR_ALLOC or a buf
 * error.
 */
int	 kex_kexinit_build(const char *const props[KEX_PROP_MAX], bool server,
	    struct buf *out);

/*
 * Parses a KEXINIT payload (including the message type byte) strictly:
 * each name-list valid and at most NAMELIST_MAX bytes, nothing after the
 * reserved field.  The buffer is consumed.  *ret (free with
 * kex_proposal_free) is set on success only.
 */
int	 kex_kexinit_parse(struct buf *payload, struct kex_proposal **ret);
void	 kex_proposal_free(struct kex_proposal *);

struct kex_negotiated {
	const struct kex_alg	*kex;
	char			 hostkey_alg[NAME_MAX_LEN + 1];
	const struct cipher	*enc_c2s, *enc_s2c;
	const struct mac	*mac_c2s, *mac_s2c;	/* NULL with AEAD */
	/* The client set first_kex_packet_follows and guessed wrong: its
	 * next key exchange packet must be ignored (RFC 4253 §7). */
	bool			 ignore_guessed_packet;
	bool			 ext_info_c;	/* RFC 8308 §2.1 */
	bool			 strict_kex;	/* OpenSSH PROTOCOL §1.10 */
};

/*
 * RFC 4253 §7.1 negotiation: for each list, the first name in the
 * client's list that the server's list also has.  Only names known to and
 * available in this build are chosen for kex, ciphers and MACs (markers
 * such as ext-info-c are never chosen); the MAC lists are only consulted
 * for non-AEAD ciphers; compression must agree on "none"; languages are
 * ignored.  initial: this is the first key exchange of the connection
 * (only then do ext-info-c and kex-strict-c count).
 * Returns 0 or HS_ERR_NO_MATCH (*ret is zeroed first).
 */
int	 kex_negotiate(const struct kex_proposal *client,
	    const struct kex_proposal *server, bool initial,
	    struct kex_negotiated *ret);

/*
 * Key sizes the negotiated algorithms need (for kex_derive_keys), and the
 * cipher and MAC contexts of one direction from derived keys.  server:
 * we are the server (our incoming direction is client-to-server).
 * incoming: the contexts decrypt what the peer sends.  *ret_mac is NULL
 * for AEAD ciphers.  Returns 0 or a cipher/mac error; nothing is returned
 * on failure.
 */
void	 kex_key_sizes(const struct kex_negotiated *, size_t want[KEX_KEY_MAX]);
int	 kex_keys_contexts(const struct kex_negotiated *,
	    const struct kex_keys *, bool server, bool incoming,
	    struct cipher_ctx **ret_cipher, struct mac_ctx **ret_mac);

#endif
