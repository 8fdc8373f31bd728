/* SPDX-License-Identifier: ISC */
/*
 * The transport head shared by hsshd-preauth and hsshd-session
 * (common/transport-common.c), run as a test, unprivileged, over two
 * plaintext packet states in memory (a client's and the server's) and a
 * key exchange driver that is only asked kexdrv_check().  The ops are
 * fakes that record what they are given; the ones that end a process
 * longjmp back here.  What the client sends is test input; what the
 * server sends is decoded by the client's packet state and checked.
 *
 * Checked: DISCONNECT and UNIMPLEMENTED as sent (fields, the sequence
 * number of the packet refused); the peer's DISCONNECT parser at and
 * past its bounds; the dispatch head (empty packet, a type the key
 * exchange refuses, DISCONNECT readable or not, IGNORE / DEBUG /
 * UNIMPLEMENTED dropped, key exchange messages to kex_input with
 * KEXINIT whole, the others after the type byte); the decode loop (heard before each packet, back-pressure, a
 * bad packet's error); Packet corrupt's reasons; the write to a socket
 * (all written, would block, peer gone).
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/kexdrv.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "common/transport-common.h"
#include "tests/tap.h"

#define V_S	"SSH-2.0-hsshd_test"

struct h {
	struct pkt_state	*sp, *cp;	/* server's, client's */
	struct kexdrv_ops	 kops;
	struct kexdrv		 d;
	struct trc_ops		 ops;
	struct trc		 t;
	jmp_buf			 jb;
	/* What the fakes saw. */
	int			 ended;		/* 1 disconnected, 2 peer */
	uint32_t		 reason;
	char			 msg[TRC_PEER_MSG_MAX + 1];
	bool			 msg_null;
	uint8_t			 types[16];
	size_t			 lens[16];
	size_t			 ntypes;
	unsigned int		 nkex;		/* of them, to kex_input */
	unsigned int		 heard;
	size_t			 pause_after;	/* 0: never */
};


/*
 * LeakSanitizer (sanitizer builds): the fake exits longjmp out of
 * trc_decode() and trc_dispatch(), past the frees the real callbacks
 * never come back for (they end the process).  Only what was allocated
 * under those two is exempt.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:trc_decode\nleak:trc_dispatch\n";
}

static void __attribute__((noreturn))
fake_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct h *h = ctx;

	h->ended = 1;
	h->reason = reason;
	snprintf(h->msg, sizeof(h->msg), "%s", msg);
	longjmp(h->jb, 1);
}

static void __attribute__((noreturn))
fake_peer_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct h *h = ctx;

	h->ended = 2;
	h->reason = reason;
	h->msg_null = msg == NULL;
	snprintf(h->msg, sizeof(h->msg), "%s", msg != NULL ? msg : "");
	longjmp(h->jb, 1);
}

static void
fake_dispatch(void *ctx, uint8_t type, struct buf *payload)
{
	struct h *h = ctx;

	if (h->ntypes < sizeof(h->types)) {
		h->types[h->ntypes] = type;
		h->lens[h->ntypes] = buf_len(payload);
	}
	h->ntypes++;
}

static void
fake_kex_input(void *ctx, uint8_t type, struct buf *payload)
{
	struct h *h = ctx;

	h->nkex++;
	fake_dispatch(ctx, type, payload);
}

static void
fake_heard(void *ctx)
{
	struct h *h = ctx;

	h->heard++;
}

static bool
fake_is_paused(void *ctx)
{
	struct h *h = ctx;

	return h->pause_after != 0 && h->heard >= h->pause_after;
}

static void
h_init(struct h *h, bool resumed)
{
	static const uint8_t sid[32] = { 7 };

	memset(h, 0, sizeof(*h));
	if (pkt_new(&h->sp) != 0 || pkt_new(&h->cp) != 0)
		abort();
	kexdrv_init(&h->d, h->sp, &h->kops, V_S);
	if (resumed && kexdrv_resume(&h->d, sid, sizeof(sid)) != 0)
		abort();
	h->ops.disconnected = fake_disconnected;
	h->ops.peer_disconnected = fake_peer_disconnected;
	h->ops.kex_input = fake_kex_input;
	h->ops.dispatch = fake_dispatch;
	h->ops.heard = fake_heard;
	h->ops.is_paused = fake_is_paused;
	h->ops.ctx = h;
	h->t.pkt = h->sp;
	h->t.kex = &h->d;
	h->t.ops = &h->ops;
}

static void
h_free(struct h *h)
{
	kexdrv_clear(&h->d);
	pkt_free(h->sp);
	pkt_free(h->cp);
}

/* The client sends the payload given in hex (message type first). */
static void
c_send_hex(struct h *h, const char *hex)
{
	uint8_t tmp[2048];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *o;

	if (pkt_send(h->cp, tmp, n) != 0)
		abort();
	o = pkt_output(h->cp);
	if (pkt_feed(h->sp, buf_ptr(o), buf_len(o)) != 0)
		abort();
	buf_reset(o);
}

/* What the server sent, as the client decodes it (NULL if nothing). */
static struct buf *
c_recv(struct h *h)
{
	struct buf *o = pkt_output(h->sp), *p = NULL;

	if (buf_len(o) > 0 && pkt_feed(h->cp, buf_ptr(o), buf_len(o)) != 0)
		abort();
	buf_reset(o);
	if (pkt_read(h->cp, &p) != 0)
		abort();
	return p;
}

/* trc_decode(), with a fake exit caught; returns its result or 1. */
static int
h_decode(struct h *h)
{
	if (setjmp(h->jb) != 0)
		return 1;
	return trc_decode(&h->t);
}

/* trc_dispatch() of one payload in hex; returns 1 if it ended. */
static int
h_dispatch_hex(struct h *h, const char *hex)
{
	uint8_t tmp[2048];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *volatile b = buf_from(tmp, n);

	if (b == NULL)
		abort();
	if (setjmp(h->jb) != 0) {
		buf_free(b);
		return 1;
	}
	trc_dispatch(&h->t, b);
	buf_free(b);
	return 0;
}

/* The server's DISCONNECT, as the client reads it. */
static void
check_disconnect_sent(struct h *h, uint32_t reason, const char *msg)
{
	struct buf *p = c_recv(h);
	char *text = NULL, *lang = NULL;
	uint32_t code = 0;
	uint8_t type = 0;

	ASSERT_PTR_NE(p, NULL);
	if (p == NULL)
		return;
	ASSERT_INT_EQ(buf_get_u8(p, &type), 0);
	ASSERT_INT_EQ(type, SSH2_MSG_DISCONNECT);
	ASSERT_INT_EQ(buf_get_u32(p, &code), 0);
	ASSERT_INT_EQ(code, reason);
	ASSERT_INT_EQ(buf_get_cstring(p, 1024, &text, NULL), 0);
	ASSERT_INT_EQ(buf_get_cstring(p, 1024, &lang, NULL), 0);
	ASSERT_INT_EQ(buf_get_end(p), 0);
	ASSERT_STR_EQ(text != NULL ? text : "", msg);
	ASSERT_STR_EQ(lang != NULL ? lang : "?", "");
	free(text);
	free(lang);
	buf_free(p);
}

static void
test_send(void)
{
	struct h h;
	struct buf *p;
	uint32_t seq = 99;
	uint8_t type = 0;

	TEST_START("DISCONNECT and UNIMPLEMENTED as sent");
	h_init(&h, true);
	ASSERT_INT_EQ(trc_send_disconnect(h.sp, 11, "bye now"), 0);
	check_disconnect_sent(&h, 11, "bye now");
	/* Three packets in: UNIMPLEMENTED names the third, number 2. */
	c_send_hex(&h, "0200000000");
	c_send_hex(&h, "0200000000");
	c_send_hex(&h, "c8");
	ASSERT_INT_EQ(h_decode(&h), 0);
	ASSERT_INT_EQ(h.heard, 3);
	ASSERT_INT_EQ(h.ntypes, 1);
	ASSERT_INT_EQ(trc_send_unimplemented(h.sp), 0);
	p = c_recv(&h);
	ASSERT_PTR_NE(p, NULL);
	if (p != NULL) {
		ASSERT_INT_EQ(buf_get_u8(p, &type), 0);
		ASSERT_INT_EQ(type, SSH2_MSG_UNIMPLEMENTED);
		ASSERT_INT_EQ(buf_get_u32(p, &seq), 0);
		ASSERT_INT_EQ(seq, 2);
		ASSERT_INT_EQ(buf_get_end(p), 0);
	}
	buf_free(p);
	h_free(&h);
	TEST_DONE();
}

static int
parse_hex(const char *hex, uint32_t *reason, char **msg)
{
	uint8_t tmp[4096];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *b = buf_from(tmp, n);
	int r;

	if (b == NULL)
		abort();
	r = trc_parse_disconnect(b, reason, msg);
	buf_free(b);
	return r;
}

static void
test_parse(void)
{
	struct buf *b;
	uint32_t reason = 99;
	char *msg = NULL, *big;
	size_t i;

	TEST_START("the peer's DISCONNECT: fields, bounds, partial reads");
	/* reason 11, "bye", language "en" */
	ASSERT_INT_EQ(parse_hex("0000000b00000003627965000000026" "56e",
	    &reason, &msg), 0);
	ASSERT_INT_EQ(reason, 11);
	ASSERT_STR_EQ(msg != NULL ? msg : "", "bye");
	free(msg);
	/* No language tag: not looked at. */
	ASSERT_INT_EQ(parse_hex("0000000200000000", &reason, &msg), 0);
	ASSERT_INT_EQ(reason, 2);
	ASSERT_STR_EQ(msg != NULL ? msg : "?", "");
	free(msg);
	/* Cut inside the reason: nothing. */
	reason = 99;
	ASSERT_INT_NE(parse_hex("000000", &reason, &msg), 0);
	ASSERT_INT_EQ(reason, 0);
	ASSERT_PTR_EQ(msg, NULL);
	/* The reason, then a cut description: the reason stays. */
	ASSERT_INT_EQ(parse_hex("0000000b0000000562", &reason, &msg),
	    HS_ERR_SHORT);
	ASSERT_INT_EQ(reason, 11);
	ASSERT_PTR_EQ(msg, NULL);
	/* A NUL inside the description. */
	ASSERT_INT_EQ(parse_hex("0000000b00000003620063", &reason, &msg),
	    HS_ERR_STRING_NUL);
	ASSERT_PTR_EQ(msg, NULL);
	/* Exactly TRC_PEER_MSG_MAX bytes pass, one more does not. */
	big = malloc(TRC_PEER_MSG_MAX + 1);
	if (big == NULL)
		abort();
	for (i = 0; i < 2; i++) {
		memset(big, 'x', TRC_PEER_MSG_MAX + 1);
		if ((b = buf_new()) == NULL || buf_put_u32(b, 3) != 0 ||
		    buf_put_string(b, big, TRC_PEER_MSG_MAX + i) != 0)
			abort();
		if (i == 0) {
			ASSERT_INT_EQ(trc_parse_disconnect(b, &reason, &msg),
			    0);
			ASSERT_INT_EQ(msg != NULL ? strlen(msg) : 0,
			    TRC_PEER_MSG_MAX);
		} else {
			ASSERT_INT_NE(trc_parse_disconnect(b, &reason, &msg),
			    0);
			ASSERT_INT_EQ(reason, 3);
			ASSERT_PTR_EQ(msg, NULL);
		}
		free(msg);
		msg = NULL;
		buf_free(b);
	}
	free(big);
	TEST_DONE();
}

static void
test_dispatch(void)
{
	struct h h;

	TEST_START("dispatch head: empty packet ends it with a DISCONNECT");
	h_init(&h, true);
	ASSERT_INT_EQ(h_dispatch_hex(&h, ""), 1);
	ASSERT_INT_EQ(h.ended, 1);
	ASSERT_INT_EQ(h.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_STR_EQ(h.msg, "empty packet");
	check_disconnect_sent(&h, SSH2_DISCONNECT_PROTOCOL_ERROR,
	    "empty packet");
	ASSERT_INT_EQ(h.ntypes, 0);
	h_free(&h);
	TEST_DONE();

	TEST_START("dispatch head: the key exchange's refusal, its reason");
	h_init(&h, false);
	/* SERVICE_REQUEST before the first keys. */
	ASSERT_INT_EQ(h_dispatch_hex(&h, "05"), 1);
	ASSERT_INT_EQ(h.ended, 1);
	ASSERT_INT_EQ(h.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_STR_EQ(h.msg, "message type 5 before key exchange");
	check_disconnect_sent(&h, SSH2_DISCONNECT_PROTOCOL_ERROR,
	    "message type 5 before key exchange");
	ASSERT_INT_EQ(h.ntypes, 0);
	h_free(&h);
	TEST_DONE();

	TEST_START("dispatch head: the peer's DISCONNECT, readable or not");
	h_init(&h, true);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "010000000b00000003627965" "00000000"),
	    1);
	ASSERT_INT_EQ(h.ended, 2);
	ASSERT_INT_EQ(h.reason, 11);
	ASSERT_FALSE(h.msg_null);
	ASSERT_STR_EQ(h.msg, "bye");
	/* Nothing is sent back. */
	ASSERT_INT_EQ(buf_len(pkt_output(h.sp)), 0);
	h_free(&h);
	h_init(&h, false);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "01000000"), 1);
	ASSERT_INT_EQ(h.ended, 2);
	ASSERT_INT_EQ(h.reason, 0);
	ASSERT_TRUE(h.msg_null);
	h_free(&h);
	TEST_DONE();

	TEST_START("dispatch head: IGNORE, DEBUG, UNIMPLEMENTED dropped; "
	    "KEXINIT whole, the rest after the type byte");
	h_init(&h, true);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "0200000003616263"), 0);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "040100000000000000"), 0);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "0300000005"), 0);
	/* Even malformed: they are not read. */
	ASSERT_INT_EQ(h_dispatch_hex(&h, "02ff"), 0);
	ASSERT_INT_EQ(h.ntypes, 0);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "14aabbcc"), 0);
	ASSERT_INT_EQ(h.nkex, 1);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "5a0102"), 0);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "1e0000"), 0);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "15"), 0);
	ASSERT_INT_EQ(h.nkex, 3);
	ASSERT_INT_EQ(h_dispatch_hex(&h, "c8"), 0);
	ASSERT_INT_EQ(h.ended, 0);
	ASSERT_INT_EQ(h.ntypes, 5);
	ASSERT_INT_EQ(h.types[0], SSH2_MSG_KEXINIT);
	ASSERT_INT_EQ(h.lens[0], 4);
	ASSERT_INT_EQ(h.types[1], 90);
	ASSERT_INT_EQ(h.lens[1], 2);
	ASSERT_INT_EQ(h.types[2], SSH2_MSG_KEX_ECDH_INIT);
	ASSERT_INT_EQ(h.lens[2], 2);
	ASSERT_INT_EQ(h.types[3], SSH2_MSG_NEWKEYS);
	ASSERT_INT_EQ(h.lens[3], 0);
	ASSERT_INT_EQ(h.types[4], 200);
	ASSERT_INT_EQ(h.lens[4], 0);
	ASSERT_INT_EQ(buf_len(pkt_output(h.sp)), 0);
	h_free(&h);
	TEST_DONE();
}

static void
test_decode(void)
{
	static const uint8_t bad[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	struct h h;

	TEST_START("decode: heard before each packet; back-pressure stops it");
	h_init(&h, true);
	c_send_hex(&h, "5a");
	c_send_hex(&h, "5b");
	c_send_hex(&h, "5c");
	h.pause_after = 2;
	ASSERT_INT_EQ(h_decode(&h), 0);
	ASSERT_INT_EQ(h.heard, 2);
	ASSERT_INT_EQ(h.ntypes, 2);
	/* Paused before any packet: none is taken. */
	ASSERT_INT_EQ(h_decode(&h), 0);
	ASSERT_INT_EQ(h.heard, 2);
	h.pause_after = 0;
	ASSERT_INT_EQ(h_decode(&h), 0);
	ASSERT_INT_EQ(h.heard, 3);
	ASSERT_INT_EQ(h.ntypes, 3);
	ASSERT_INT_EQ(h.types[2], 0x5c);
	/* Nothing more fed: nothing happens. */
	ASSERT_INT_EQ(h_decode(&h), 0);
	ASSERT_INT_EQ(h.heard, 3);
	h_free(&h);
	TEST_DONE();

	TEST_START("decode: a disconnecting packet stops it; a bad one is "
	    "the packet layer's error");
	h_init(&h, true);
	c_send_hex(&h, "01000000020000000000000000");
	c_send_hex(&h, "5a");
	ASSERT_INT_EQ(h_decode(&h), 1);
	ASSERT_INT_EQ(h.ended, 2);
	ASSERT_INT_EQ(h.ntypes, 0);
	h_free(&h);
	h_init(&h, true);
	ASSERT_INT_EQ(pkt_feed(h.sp, bad, sizeof(bad)), 0);
	ASSERT_INT_EQ(h_decode(&h), HS_ERR_PKT_LENGTH);
	ASSERT_INT_EQ(h.heard, 0);
	h_free(&h);
	TEST_DONE();

	TEST_START("Packet corrupt: MAC_ERROR for a MAC or tag, else "
	    "PROTOCOL_ERROR");
	h_init(&h, true);
	if (setjmp(h.jb) == 0)
		trc_corrupt(&h.t, HS_ERR_MAC);
	ASSERT_INT_EQ(h.reason, SSH2_DISCONNECT_MAC_ERROR);
	check_disconnect_sent(&h, SSH2_DISCONNECT_MAC_ERROR, h.msg);
	if (setjmp(h.jb) == 0)
		trc_corrupt(&h.t, HS_ERR_AEAD_TAG);
	ASSERT_INT_EQ(h.reason, SSH2_DISCONNECT_MAC_ERROR);
	buf_free(c_recv(&h));
	if (setjmp(h.jb) == 0)
		trc_corrupt(&h.t, HS_ERR_PKT_PADDING);
	ASSERT_INT_EQ(h.reason, SSH2_DISCONNECT_PROTOCOL_ERROR);
	ASSERT_TRUE(strncmp(h.msg, "Packet corrupt: ", 16) == 0);
	h_free(&h);
	TEST_DONE();
}

static void
test_write(void)
{
	uint8_t chunk[8192], rd[65536];
	struct pkt_state *p = NULL;
	size_t left, got = 0, queued;
	ssize_t n;
	int sv[2], sz = 4096, i;

	TEST_START("write: all of it, what would block waits, peer gone");
	memset(chunk, 0x5a, sizeof(chunk));
	if (pkt_new(&p) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0)
		abort();
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	ASSERT_INT_EQ(trc_write(p, sv[0]), 0);
	ASSERT_INT_EQ(pkt_send(p, chunk, 100), 0);
	queued = buf_len(pkt_output(p));
	ASSERT_INT_EQ(trc_write(p, sv[0]), 0);
	n = read(sv[1], rd, sizeof(rd));
	ASSERT_INT_EQ(n, (ssize_t)queued);
	/* More than the socket takes. */
	for (i = 0; i < 32; i++)
		ASSERT_INT_EQ(pkt_send(p, chunk, sizeof(chunk)), 0);
	queued = buf_len(pkt_output(p));
	left = trc_write(p, sv[0]);
	ASSERT_TRUE(left > 0 && left < queued);
	ASSERT_INT_EQ(left, buf_len(pkt_output(p)));
	/* Drain and write until done (bounded). */
	for (i = 0; i < 10000 && left > 0; i++) {
		while ((n = read(sv[1], rd, sizeof(rd))) > 0)
			got += (size_t)n;
		left = trc_write(p, sv[0]);
	}
	while ((n = read(sv[1], rd, sizeof(rd))) > 0)
		got += (size_t)n;
	ASSERT_INT_EQ(left, 0);
	ASSERT_INT_EQ(got, queued);
	/* The peer is gone: the output is dropped. */
	close(sv[1]);
	ASSERT_INT_EQ(pkt_send(p, chunk, 100), 0);
	ASSERT_INT_EQ(trc_write(p, sv[0]), 0);
	ASSERT_INT_EQ(buf_len(pkt_output(p)), 0);
	close(sv[0]);
	pkt_free(p);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	/* As in the processes: a closed peer is an error, not a signal. */
	(void)signal(SIGPIPE, SIG_IGN);
	test_send();
	test_parse();
	test_dispatch();
	test_decode();
	test_write();
	return tap_finish();
}
