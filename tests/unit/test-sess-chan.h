/* SPDX-License-Identifier: ISC */
/*
 * Tests only: a fake transport for the channel layer (session/channel.h)
 * that records every message the layer sends, and helpers that build the
 * client's messages.  Shared by test-channel.c and test-sess-pty.c.
 */
#ifndef HS_TEST_SESS_CHAN_H
#define HS_TEST_SESS_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;
struct conn;
struct hs_config;
struct session_init;

#define FT_MAX_MSGS	4096

struct fake_transport {
	struct buf	*msgs[FT_MAX_MSGS];	/* what the layer sent */
	size_t		 nmsgs;
	size_t		 room;			/* conn_io.room */
	/* Children started by the real exec_spawn, for reaping. */
	pid_t		 pids[64];
	size_t		 npids;
	/* pty callbacks seen. */
	unsigned int	 logins, closes;
	char		 last_tty[64];
};

/* A connection over ft with the real exec_spawn and a pty_open that
 * opens a pty itself (no monitor).  si/cfg must outlive it. */
struct conn *ft_conn(struct fake_transport *, const struct session_init *,
	    const struct hs_config *);
void	 ft_reset(struct fake_transport *);

/* Feed one message (type byte first) to the layer. */
int	 ft_input(struct conn *, struct buf *msg);
/* Client messages. */
struct buf *ft_open(const char *type, uint32_t peer_id, uint32_t window,
	    uint32_t maxpkt);
struct buf *ft_request(uint32_t id, const char *type, bool want_reply);
struct buf *ft_data(uint32_t id, const void *p, size_t len);
struct buf *ft_u32msg(uint8_t type, uint32_t id);	/* EOF, CLOSE */
struct buf *ft_adjust(uint32_t id, uint32_t add);

/*
 * Run the layer's loop (poll the channels, reap children, process) until
 * the layer has sent a CLOSE for peer channel peer_id, or max_rounds
 * rounds; each poll waits at most 10 s.  Returns true if CLOSE was seen.
 */
bool	 ft_run_until_close(struct fake_transport *, struct conn *,
	    uint32_t peer_id, int max_rounds);
/* One round of that loop (poll timeout in ms). */
void	 ft_round(struct fake_transport *, struct conn *, int timeout_ms);

/* The type of recorded message i, and its recipient channel. */
uint8_t	 ft_type(const struct fake_transport *, size_t i);
uint32_t ft_recipient(const struct fake_transport *, size_t i);
/* Index of the first message of type at or after from, or -1. */
long	 ft_find(const struct fake_transport *, uint8_t type, size_t from);
/* Index of the first channel request named name, or -1. */
long	 ft_find_request(const struct fake_transport *, const char *name,
	    size_t from);
/* Concatenated CHANNEL_DATA (ext false) or EXTENDED_DATA (ext true)
 * bytes for peer channel id, NUL-terminated; caller frees. */
char	*ft_collect(const struct fake_transport *, uint32_t id, bool ext,
	    size_t *ret_len);
/* Kill and reap every child the fake started. */
void	 ft_kill_children(struct fake_transport *);

#endif
