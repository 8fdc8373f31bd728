/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the transport head shared by hsshd-preauth and
 * hsshd-session (common/transport-common.c): client bytes go into the
 * server's packet state (plaintext), and trc_decode() takes them through
 * the dispatch head as the processes do, with a real key exchange
 * driver's kexdrv_check() (fresh or resumed) and fake ops: the ones that
 * end the process longjmp back here, dispatch answers UNIMPLEMENTED as
 * the processes do for what they do not know.  The whole input also goes
 * to trc_parse_disconnect().  Input: a mode byte (bit 0: resumed
 * session; bits 1-2: back-pressure after that many packets; bit 3: the
 * rest raw into the packet layer instead of as framed packets), then
 * records of u16 length and payload.  Invariants abort.
 */
#include "config.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/kexdrv.h"
#include "common/pkt.h"
#include "common/ssh2.h"
#include "common/transport-common.h"
#include "tests/fuzz/exit-fakes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* At most this many packets a run. */
#define FT_RECORDS_MAX	32

struct ft {
	struct pkt_state	*sp;
	jmp_buf			 jb;
	unsigned int		 heard, dispatched, pause_after;
};

static void __attribute__((noreturn))
ft_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct ft *f = ctx;

	/* Every refusal names a reason and says why. */
	if (reason == 0 || msg == NULL || *msg == '\0' ||
	    strlen(msg) >= TRC_DISCONNECT_MSG_MAX)
		abort();
	longjmp(f->jb, 1);
}

static void __attribute__((noreturn))
ft_peer_disconnected(void *ctx, uint32_t reason, const char *msg)
{
	struct ft *f = ctx;

	if (msg != NULL && strlen(msg) > TRC_PEER_MSG_MAX)
		abort();
	(void)reason;
	longjmp(f->jb, 1);
}

static void
ft_dispatch(void *ctx, uint8_t type, struct buf *payload)
{
	struct ft *f = ctx;

	(void)payload;
	f->dispatched++;
	if (type == SSH2_MSG_DISCONNECT || type == SSH2_MSG_IGNORE ||
	    type == SSH2_MSG_DEBUG || type == SSH2_MSG_UNIMPLEMENTED ||
	    type == SSH2_MSG_KEXINIT || type == SSH2_MSG_KEX_ECDH_INIT ||
	    type == SSH2_MSG_NEWKEYS)
		abort();
	(void)trc_send_unimplemented(f->sp);
}

static void
ft_kex_input(void *ctx, uint8_t type, struct buf *payload)
{
	struct ft *f = ctx;
	uint8_t first;

	f->dispatched++;
	if (type != SSH2_MSG_KEXINIT && type != SSH2_MSG_KEX_ECDH_INIT &&
	    type != SSH2_MSG_NEWKEYS)
		abort();
	/* KEXINIT comes whole, with its type byte. */
	if (type == SSH2_MSG_KEXINIT &&
	    (buf_peek_u8(payload, 0, &first) != 0 || first != type))
		abort();
}

static void
ft_heard(void *ctx)
{
	struct ft *f = ctx;

	f->heard++;
}

static bool
ft_is_paused(void *ctx)
{
	struct ft *f = ctx;

	return f->pause_after != 0 && f->heard >= f->pause_after;
}

static void
ft_parse(const uint8_t *data, size_t size)
{
	struct buf *b = buf_from(data, size);
	uint32_t reason = 0;
	char *msg = NULL;
	int r;

	if (b == NULL)
		abort();
	r = trc_parse_disconnect(b, &reason, &msg);
	if ((r == 0) != (msg != NULL))
		abort();
	if (msg != NULL && (strlen(msg) > TRC_PEER_MSG_MAX ||
	    buf_len(b) + 8 + strlen(msg) != size))
		abort();
	free(msg);
	buf_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sid[32] = { 1 };
	struct pkt_state *cp = NULL;
	struct kexdrv_ops kops;
	struct kexdrv d;
	struct trc_ops ops;
	struct trc t;
	struct ft f;
	struct buf *in = NULL, *o;
	size_t n, len;
	uint8_t mode, l[2];
	int r;

	if (sodium_init() < 0)
		abort();
	ft_parse(data, size);
	if (size < 1 || (in = buf_from(data, size)) == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	memset(&kops, 0, sizeof(kops));
	if (pkt_new(&cp) != 0 || pkt_new(&f.sp) != 0 ||
	    buf_get_u8(in, &mode) != 0)
		abort();
	kexdrv_init(&d, f.sp, &kops, "SSH-2.0-hsshd_fuzz");
	if ((mode & 1) != 0 && kexdrv_resume(&d, sid, sizeof(sid)) != 0)
		abort();
	f.pause_after = (mode >> 1) & 3;
	if ((mode & 8) != 0) {
		len = buf_len(in);
		if (len > pkt_input_avail(f.sp))
			len = pkt_input_avail(f.sp);
		if (pkt_feed(f.sp, buf_ptr(in), len) != 0)
			abort();
	} else {
		for (n = 0; n < FT_RECORDS_MAX; n++) {
			if (buf_get_u8(in, &l[0]) != 0 ||
			    buf_get_u8(in, &l[1]) != 0)
				break;
			len = ((size_t)l[0] << 8) | l[1];
			if (len > buf_len(in))
				len = buf_len(in);
			/* An empty payload cannot be framed. */
			if (len > 0 && pkt_send(cp, buf_ptr(in), len) != 0)
				break;
			if (buf_consume(in, len) != 0)
				abort();
			o = pkt_output(cp);
			if (buf_len(o) > pkt_input_avail(f.sp))
				break;
			if (pkt_feed(f.sp, buf_ptr(o), buf_len(o)) != 0)
				abort();
			buf_reset(o);
		}
	}
	ops.disconnected = ft_disconnected;
	ops.peer_disconnected = ft_peer_disconnected;
	ops.kex_input = ft_kex_input;
	ops.dispatch = ft_dispatch;
	ops.heard = ft_heard;
	ops.is_paused = ft_is_paused;
	ops.ctx = &f;
	t.pkt = f.sp;
	t.kex = &d;
	t.ops = &ops;

	exitf_step_begin();
	if (setjmp(f.jb) == 0) {
		/* Twice: after a pause, the rest. */
		r = trc_decode(&t);
		if (f.pause_after != 0 && f.heard > f.pause_after)
			abort();
		f.pause_after = 0;
		if (r == 0)
			r = trc_decode(&t);
		exitf_step_end();
		if (f.dispatched > f.heard)
			abort();
	} else {
		exitf_step_abandoned();
		kexdrv_clear(&d);
		pkt_free(f.sp);
		f.sp = NULL;
		exitf_release();
	}
	kexdrv_clear(&d);
	pkt_free(f.sp);
	pkt_free(cp);
	buf_free(in);
	return 0;
}
