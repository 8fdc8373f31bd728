/* SPDX-License-Identifier: ISC */
/*
 * The SSH binary packet protocol (RFC 4253 §6) as a pure state machine: no
 * I/O, no clocks.  The caller feeds the bytes it received and takes the
 * bytes to send.  Linked into the pre-auth child and the session process
 * (unprivileged); every byte fed in is attacker-controlled, and every
 * error is final: the caller sends DISCONNECT and closes.
 *
 * Before the first NEWKEYS a direction is in the plaintext phase (no
 * cipher, no MAC, block size 8).  pkt_set_keys() switches one direction to
 * new keys for its next packet; call it right after sending NEWKEYS (out)
 * or right after pkt_read() returned the peer's NEWKEYS (in).
 *
 *	pkt_feed(st, bytes_from_socket, n);
 *	while ((r = pkt_read(st, &payload)) == 0 && payload != NULL) {
 *		... buf_get_u8(payload, &type) ...
 *		buf_free(payload);
 *	}
 *	pkt_send(st, msg, len);
 *	write(fd, buf_ptr(pkt_output(st)), buf_len(pkt_output(st)));
 *	buf_consume(pkt_output(st), written);
 */
#ifndef HS_PKT_H
#define HS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct cipher_ctx;
struct mac_ctx;
struct pkt_state;

enum pkt_dir {
	PKT_IN = 0,	/* what the peer sends us */
	PKT_OUT = 1,	/* what we send */
};

struct pkt_counters {
	uint32_t seqnr;		/* sequence number of the next packet */
	uint64_t packets;	/* since the keys last changed (RekeyLimit) */
	uint64_t bytes;		/* wire bytes since the keys last changed */
	uint64_t total_packets;	/* since the connection began */
	uint64_t total_bytes;
};

/* New state in the plaintext phase.  Returns 0 or HS_ERR_ALLOC. */
int	 pkt_new(struct pkt_state **ret);
/* Frees keys, counters and buffers (wiped); NULL is a no-op. */
void	 pkt_free(struct pkt_state *);

/*
 * Install keys for one direction, effective from its next packet.  Takes
 * ownership of cipher and mac on success (frees the previous ones); on
 * failure the caller still owns them.  mac must be NULL for an AEAD cipher
 * and non-NULL otherwise; cipher must decrypt for PKT_IN and encrypt for
 * PKT_OUT.  Resets the per-key counters, and with strict KEX the sequence
 * number.  Fails with HS_ERR_PROTOCOL while part of an incoming packet has
 * already been decrypted, HS_ERR_INVALID_ARGUMENT on a bad combination.
 */
int	 pkt_set_keys(struct pkt_state *, enum pkt_dir,
	    struct cipher_ctx *cipher, struct mac_ctx *mac);
/*
 * Strict KEX (OpenSSH PROTOCOL, kex-strict-*-v00@openssh.com): from now on
 * every pkt_set_keys() resets that direction's sequence number to 0.
 */
void	 pkt_reset_seqnr_on_newkeys(struct pkt_state *, bool enable);

/*
 * Append received bytes.  Fails with HS_ERR_NO_BUFFER_SPACE (nothing
 * appended) if more than pkt_input_avail() bytes are offered: read packets
 * out first.
 */
int	 pkt_feed(struct pkt_state *, const uint8_t *data, size_t len);
size_t	 pkt_input_avail(const struct pkt_state *);

/*
 * Decode the next packet.  Returns 0 with *ret_payload = a new buffer
 * holding the payload (message type first; caller frees), or 0 with
 * *ret_payload = NULL if more bytes are needed.  Errors (all final):
 * HS_ERR_PKT_LENGTH (packet_length < 5 or > PKT_MAX_PACKET),
 * HS_ERR_PKT_ALIGN (not a multiple of the block size), HS_ERR_MAC,
 * HS_ERR_AEAD_TAG, HS_ERR_PKT_PADDING (padding_length < 4, or no room
 * for a message type), HS_ERR_PKT_SEQ_WRAP, HS_ERR_ALLOC, HS_ERR_CRYPTO.
 * Never decodes more than one packet per call, so keys set after a
 * NEWKEYS apply to the bytes that follow it.
 */
int	 pkt_read(struct pkt_state *, struct buf **ret_payload);

/*
 * Encode one packet with random padding (4..255 bytes, total a multiple of
 * max(8, block size); the clear length field of AES-GCM and EtM is left out
 * of the alignment) and append it to the output.  payload starts with the
 * message type.  Returns 0, HS_ERR_INVALID_ARGUMENT (empty payload),
 * HS_ERR_TOO_LONG (packet over PKT_MAX_PACKET), HS_ERR_NO_BUFFER_SPACE
 * (more than PKT_OUTBUF_MAX waiting), HS_ERR_PKT_SEQ_WRAP, HS_ERR_CRYPTO.
 */
int	 pkt_send(struct pkt_state *, const uint8_t *payload, size_t len);
int	 pkt_send_buf(struct pkt_state *, const struct buf *payload);
/* Bytes waiting to be written; the caller consumes what it wrote. */
struct buf *pkt_output(struct pkt_state *);

void	 pkt_get_counters(const struct pkt_state *, enum pkt_dir,
	    struct pkt_counters *);
/* Whether the direction has left the plaintext phase. */
bool	 pkt_is_keyed(const struct pkt_state *, enum pkt_dir);

/*
 * Hand-over between processes.  pkt_export appends the non-secret state:
 * sequence numbers, counters, the strict flag, the position of each
 * cipher's stream (packets and bytes processed, which is all the next
 * process needs besides the keys to continue AES-CTR and AES-GCM), and the
 * received bytes not yet decoded (at most PKT_EXPORT_PENDING_MAX; a packet
 * whose first block was already decrypted is handed over undecrypted).
 * Output waiting to be written is not exported: flush it first
 * (HS_ERR_PROTOCOL otherwise).
 *
 * pkt_import reads that state into a fresh state object whose keys (if
 * the exporter had keys) were installed with pkt_set_keys from the same
 * key material; it checks the format, that keyed directions match, the
 * counters' consistency (sequence numbers against packet counts, per-key
 * counts not above totals, stream positions block-aligned and not above
 * the byte counts), the bounds of every number, and that nothing
 * follows; then it fast-forwards the ciphers.  Any failure leaves the
 * state unusable (free it): HS_ERR_BAD_FORMAT, HS_ERR_PROTOCOL,
 * HS_ERR_TOO_LONG, or a buf error.
 */
int	 pkt_export(const struct pkt_state *, struct buf *out);
int	 pkt_import(struct pkt_state *, struct buf *in);

#endif
