/* SPDX-License-Identifier: ISC */
/*
 * Test helper (not installed): the smallest SSH server that the transport
 * library makes possible, to check it against a real OpenSSH client.  It
 * listens on 127.0.0.1 (port printed on stdout), accepts one connection and
 * runs: version lines, KEXINIT both ways, the key exchange named on the
 * command line with an ed25519 host key, NEWKEYS both ways (strict KEX when
 * the client asks), then reads the client's first encrypted packets
 * (EXT_INFO is not sent; SERVICE_REQUEST), answers SERVICE_ACCEPT and reads
 * the USERAUTH_REQUEST that follows.  A client that got a wrong exchange
 * hash, key or packet would have disconnected instead.  Every read waits
 * at most 10 seconds.  Exit 0 and "OK ..." on success, 77 if the build
 * lacks an algorithm, 1 and "FAIL ..." otherwise.
 *
 *	interop-server KEX CIPHER MAC|-
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "common/banner.h"
#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mac.h"
#include "common/pkt.h"

#define VS	"SSH-2.0-hsshd_interop_test"

static int fd = -1;
static struct pkt_state *st;

static void __attribute__((noreturn))
fail(const char *what, int r)
{
	printf("FAIL %s: %s\n", what, r < 0 ? hs_err_str(r) : "");
	exit(1);
}

static void
wait_readable(void)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 10000) != 1)
		fail("timeout waiting for the client", 0);
}

static void
flush(void)
{
	struct buf *o = pkt_output(st);
	ssize_t n;

	while (buf_len(o) > 0) {
		if ((n = write(fd, buf_ptr(o), buf_len(o))) <= 0)
			fail("write", 0);
		if (buf_consume(o, (size_t)n) != 0)
			fail("consume", 0);
	}
}

static struct buf *
read_packet(void)
{
	struct buf *pl = NULL;
	uint8_t b[4096];
	ssize_t n;
	size_t want;
	int r, i;

	for (i = 0; i < 10000; i++) {
		if ((r = pkt_read(st, &pl)) != 0)
			fail("pkt_read", r);
		if (pl != NULL)
			return pl;
		wait_readable();
		want = pkt_input_avail(st) < sizeof(b) ?
		    pkt_input_avail(st) : sizeof(b);
		if ((n = read(fd, b, want)) <= 0)
			fail("connection closed by the client", 0);
		if ((r = pkt_feed(st, b, (size_t)n)) != 0)
			fail("pkt_feed", r);
	}
	fail("too many reads", 0);
}

static void
send_buf(struct buf *m)
{
	int r;

	if ((r = pkt_send_buf(st, m)) != 0)
		fail("pkt_send", r);
	buf_reset(m);
}

static struct kex_proposal *
parse_copy(const struct buf *b)
{
	struct kex_proposal *p = NULL;
	struct buf *t = buf_from(buf_ptr(b), buf_len(b));
	int r;

	if (t == NULL || (r = kex_kexinit_parse(t, &p)) != 0)
		fail("KEXINIT parse", t == NULL ? HS_ERR_ALLOC : r);
	buf_free(t);
	return p;
}

int
main(int argc, char **argv)
{
	const char *props[KEX_PROP_MAX];
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct banner *ban = NULL;
	struct buf *is, *ic, *ks, *qs, *k, *m, *pl;
	struct kex_proposal *cp, *sp;
	struct kex_negotiated neg;
	struct kex_keys *keys = NULL;
	struct cipher_ctx *cc;
	struct mac_ctx *mc;
	struct kex_hash_input hi;
	const uint8_t *qc;
	uint8_t pk[32], sk[64], h[KEX_HASH_MAX], sig[64], d[1024], type;
	size_t qclen, used, hl, want[KEX_KEY_MAX];
	char *user = NULL, *service = NULL, *method = NULL;
	ssize_t n;
	int ls, r, i;

	if (argc != 4 || sodium_init() < 0)
		return 2;
	if (kex_alg_by_name(argv[1]) == NULL ||
	    !cipher_is_available(cipher_by_name(argv[2])) ||
	    (strcmp(argv[3], "-") != 0 && mac_by_name(argv[3]) == NULL)) {
		printf("SKIP not in this build\n");
		return 77;
	}
	props[KEX_PROP_KEX] = argv[1];
	props[KEX_PROP_HOSTKEY] = "ssh-ed25519";
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] = argv[2];
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] =
	    strcmp(argv[3], "-") == 0 ? "hmac-sha2-256-etm@openssh.com" :
	    argv[3];
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &salen) != 0)
		fail("listen", 0);
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	{
		struct pollfd p = { .fd = ls, .events = POLLIN };

		if (poll(&p, 1, 10000) != 1 || (fd = accept(ls, NULL, NULL)) < 0)
			fail("accept", 0);
	}
	close(ls);

	crypto_sign_keypair(pk, sk);
	if (banner_new(false, &ban) != 0 || pkt_new(&st) != 0 ||
	    (is = buf_new()) == NULL || (ks = buf_new()) == NULL ||
	    (qs = buf_new()) == NULL || (k = buf_new()) == NULL ||
	    (m = buf_new()) == NULL)
		fail("alloc", HS_ERR_ALLOC);
	if (write(fd, VS "\r\n", strlen(VS) + 2) != (ssize_t)strlen(VS) + 2)
		fail("write", 0);
	for (i = 0; i < 100 && !banner_done(ban); i++) {
		wait_readable();
		if ((n = read(fd, d, sizeof(d))) <= 0)
			fail("closed before the version line", 0);
		if ((r = banner_feed(ban, d, (size_t)n, &used)) != 0)
			fail("version line", r);
		if (banner_done(ban) &&
		    (r = pkt_feed(st, d + used, (size_t)n - used)) != 0)
			fail("pkt_feed", r);
	}
	if (!banner_done(ban))
		fail("no version line", 0);

	/* KEXINIT both ways, negotiation. */
	if ((r = kex_kexinit_build(props, true, is)) != 0)
		fail("KEXINIT build", r);
	if ((r = pkt_send_buf(st, is)) != 0)
		fail("pkt_send", r);
	flush();
	ic = read_packet();
	cp = parse_copy(ic);
	sp = parse_copy(is);
	if ((r = kex_negotiate(cp, sp, true, &neg)) != 0)
		fail("negotiate", r);
	pkt_reset_seqnr_on_newkeys(st, neg.strict_kex);

	/* KEX_ECDH_INIT / KEXDH_INIT -> reply with K_S, Q_S, signature. */
	pl = read_packet();
	if ((r = buf_get_u8(pl, &type)) != 0 || type != SSH2_MSG_KEX_ECDH_INIT)
		fail("expected KEX_ECDH_INIT", r);
	if (neg.kex->family == KEX_FAMILY_DH)
		r = buf_get_mpint_direct(pl, KEX_PUB_MAX, &qc, &qclen);
	else
		r = buf_get_string_direct(pl, KEX_PUB_MAX, &qc, &qclen);
	if (r != 0 || (r = buf_get_end(pl)) != 0)
		fail("KEX_ECDH_INIT parse", r);
	if ((r = kex_server(neg.kex, qc, qclen, qs, k)) != 0)
		fail("kex_server", r);
	if ((r = buf_put_cstring(ks, "ssh-ed25519")) != 0 ||
	    (r = buf_put_string(ks, pk, sizeof(pk))) != 0)
		fail("K_S", r);
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)banner_line(ban);
	hi.v_c_len = strlen(banner_line(ban));
	hi.v_s = (const uint8_t *)VS;
	hi.v_s_len = strlen(VS);
	hi.i_c = buf_ptr(ic);
	hi.i_c_len = buf_len(ic);
	hi.i_s = buf_ptr(is);
	hi.i_s_len = buf_len(is);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = qc;
	hi.q_c_len = qclen;
	hi.q_s = buf_ptr(qs);
	hi.q_s_len = buf_len(qs);
	hi.k = k;
	if ((r = kex_hash(neg.kex, &hi, h, sizeof(h))) != 0)
		fail("kex_hash", r);
	hl = kex_hash_len(neg.kex);
	crypto_sign_detached(sig, NULL, h, hl, sk);
	if ((r = buf_put_u8(m, SSH2_MSG_KEX_ECDH_REPLY)) != 0 ||
	    (r = buf_put_stringb(m, ks)) != 0 ||
	    (r = (neg.kex->family == KEX_FAMILY_DH ?
	    buf_put_mpint(m, buf_ptr(qs), buf_len(qs)) :
	    buf_put_stringb(m, qs))) != 0 ||
	    (r = buf_put_u32(m, 4 + 11 + 4 + 64)) != 0 ||
	    (r = buf_put_cstring(m, "ssh-ed25519")) != 0 ||
	    (r = buf_put_string(m, sig, sizeof(sig))) != 0)
		fail("KEX_ECDH_REPLY", r);
	send_buf(m);
	buf_free(pl);
	if ((r = buf_put_u8(m, SSH2_MSG_NEWKEYS)) != 0)
		fail("NEWKEYS", r);
	send_buf(m);

	/* New keys: out after our NEWKEYS, in after the client's. */
	kex_key_sizes(&neg, want);
	if ((r = kex_derive_keys(neg.kex, k, h, hl, h, hl, want, &keys)) != 0)
		fail("kex_derive_keys", r);
	if ((r = kex_keys_contexts(&neg, keys, true, false, &cc, &mc)) != 0 ||
	    (r = pkt_set_keys(st, PKT_OUT, cc, mc)) != 0)
		fail("keys out", r);
	flush();
	pl = read_packet();
	if (buf_len(pl) != 1 || buf_ptr(pl)[0] != SSH2_MSG_NEWKEYS)
		fail("expected NEWKEYS", 0);
	buf_free(pl);
	if ((r = kex_keys_contexts(&neg, keys, true, true, &cc, &mc)) != 0 ||
	    (r = pkt_set_keys(st, PKT_IN, cc, mc)) != 0)
		fail("keys in", r);

	/* First encrypted packets. */
	pl = read_packet();
	if ((r = buf_get_u8(pl, &type)) != 0 ||
	    type != SSH2_MSG_SERVICE_REQUEST ||
	    (r = buf_get_cstring(pl, 64, &service, NULL)) != 0 ||
	    strcmp(service, "ssh-userauth") != 0)
		fail("expected SERVICE_REQUEST ssh-userauth", r);
	free(service);
	service = NULL;
	buf_free(pl);
	if ((r = buf_put_u8(m, SSH2_MSG_SERVICE_ACCEPT)) != 0 ||
	    (r = buf_put_cstring(m, "ssh-userauth")) != 0)
		fail("SERVICE_ACCEPT", r);
	send_buf(m);
	flush();
	pl = read_packet();
	if ((r = buf_get_u8(pl, &type)) != 0 || type != 50 ||
	    (r = buf_get_cstring(pl, 256, &user, NULL)) != 0 ||
	    (r = buf_get_cstring(pl, 64, &service, NULL)) != 0 ||
	    (r = buf_get_cstring(pl, 64, &method, NULL)) != 0)
		fail("expected USERAUTH_REQUEST", r);
	printf("OK %s %s %s strict=%d ext-info-c=%d: user %s service %s "
	    "method %s\n", neg.kex->name, neg.enc_c2s->name,
	    neg.mac_c2s != NULL ? neg.mac_c2s->name : "(aead)",
	    neg.strict_kex, neg.ext_info_c, user, service, method);
	close(fd);
	free(user);
	free(service);
	free(method);
	buf_free(pl);
	buf_free(ic);
	buf_free(is);
	buf_free(ks);
	buf_free(qs);
	buf_free(k);
	buf_free(m);
	kex_proposal_free(cp);
	kex_proposal_free(sp);
	kex_keys_free(keys);
	banner_free(ban);
	pkt_free(st);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}
