/* SPDX-License-Identifier: ISC */
/*
 * A compromised pre-auth child, for tests/e2e/monitor-rpc.sh.  It is
 * installed as hsshd-preauth in a test libexec directory, enters the real
 * sandbox, reads one scenario name from its client socket and then abuses
 * the monitor's RPC that way.  It reports what it saw on stderr (the
 * server log) as "evil: ..." lines; the monitor must refuse and log every
 * abuse, and must never sign data of the child's choosing.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kex.h"
#include "common/key.h"
#include "common/log.h"
#include "common/rpc.h"
#include "preauth/sandbox.h"

static int fd = HELPER_FD_B;

/* Reports go through the monitor's log, as the real child's lines do
 * (RLIMIT_FSIZE 0 forbids writing to a log file directly). */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char msg[512];
	struct buf *b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((b = buf_new()) == NULL || buf_put_u8(b, LOG_LEVEL_INFO) != 0 ||
	    buf_put_u32(b, (uint32_t)(strlen(msg) + 6)) != 0 ||
	    buf_put(b, "evil: ", 6) != 0 || buf_put(b, msg, strlen(msg)) != 0)
		abort();
	(void)rpc_send(fd, RPC_LOG, b, -1);
	buf_free(b);
}

static struct buf *
call(uint8_t type, const struct buf *req, uint8_t *got)
{
	struct buf *ans = NULL;
	int r;

	if ((r = rpc_send(fd, type, req, -1)) != 0) {
		say("send %s failed: %s", rpc_type_name(type), hs_err_str(r));
		exit(0);
	}
	if ((r = rpc_recv(fd, RPC_MSG_MAX, got, &ans, NULL)) != 0) {
		say("no answer to %s: %s", rpc_type_name(type), hs_err_str(r));
		exit(0);
	}
	say("answer to %s: %s", rpc_type_name(type), rpc_type_name(*got));
	return ans;
}

static struct buf *
str(const char *s)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_cstring(b, s) != 0)
		abort();
	return b;
}

/* HELLO, returning V_S, I_S and the first host key blob. */
static void
hello(char **v_s, struct buf **i_s, struct buf **blob)
{
	const uint8_t *p;
	size_t len;
	uint8_t got, level;
	uint64_t u64;
	uint32_t u32, n;
	char *algs = NULL, *ssa = NULL;
	struct buf *ans = call(RPC_HELLO, NULL, &got);

	if (buf_get_cstring(ans, 255, v_s, NULL) != 0 ||
	    buf_get_string_direct(ans, PKT_MAX_PACKET, &p, &len) != 0 ||
	    (*i_s = buf_from(p, len)) == NULL ||
	    buf_get_cstring(ans, NAMELIST_MAX, &ssa, NULL) != 0 ||
	    buf_get_u8(ans, &level) != 0 || buf_get_u64(ans, &u64) != 0 ||
	    buf_get_u32(ans, &u32) != 0 || buf_get_u32(ans, &n) != 0 ||
	    n == 0 || buf_get_cstring(ans, NAMELIST_MAX, &algs, NULL) != 0 ||
	    buf_froms(ans, KEY_BLOB_MAX, blob) != 0) {
		say("bad HELLO answer");
		exit(1);
	}
	free(algs);
	free(ssa);
	buf_free(ans);
}

static void
peer_banner(const char *v_c)
{
	uint8_t got;
	struct buf *req = str(v_c);

	buf_free(call(RPC_PEER_BANNER, req, &got));
	buf_free(req);
}

/* A client KEXINIT offering exactly what the server does. */
static struct buf *
client_kexinit(void)
{
	const char *props[KEX_PROP_MAX] = {
		"curve25519-sha256", "ssh-ed25519",
		"chacha20-poly1305@openssh.com",
		"chacha20-poly1305@openssh.com", "", "", "none", "none",
		"", "",
	};
	struct buf *b = buf_new();

	if (b == NULL || kex_kexinit_build(props, false, b) != 0)
		abort();
	return b;
}

/* KEX_SIGN with attacker-chosen values; returns the signature. */
static struct buf *
kex_sign(const struct buf *i_c, const uint8_t *q_c, const uint8_t *q_s,
    const struct buf *k, uint8_t *got)
{
	struct buf *req = buf_new(), *ans;

	if (req == NULL || buf_put_stringb(req, i_c) != 0 ||
	    buf_put_string(req, q_c, 32) != 0 ||
	    buf_put_string(req, q_s, 32) != 0 ||
	    buf_put_stringb(req, k) != 0)
		abort();
	ans = call(RPC_KEX_SIGN, req, got);
	buf_free(req);
	return ans;
}

static void
scenario_sign(bool twice)
{
	struct buf *i_s, *blob, *i_c, *k, *ans, *sig = NULL;
	const struct kex_alg *alg = kex_alg_by_name("curve25519-sha256");
	struct kex_hash_input hi;
	struct key *hostkey = NULL;
	uint8_t q_c[32], q_s[32], kmag[32], h[64], got;
	const char *v_c = "SSH-2.0-evil_1.0";
	const uint8_t *p;
	size_t len;
	char *v_s;

	hello(&v_s, &i_s, &blob);
	peer_banner(v_c);
	/* Attacker-chosen "public values" and "shared secret". */
	memset(q_c, 'A', sizeof(q_c));
	memset(q_s, 'B', sizeof(q_s));
	memset(kmag, 0x41, sizeof(kmag));
	i_c = client_kexinit();
	if ((k = buf_new()) == NULL || buf_put_mpint(k, kmag, 32) != 0)
		abort();
	ans = kex_sign(i_c, q_c, q_s, k, &got);
	if (got != RPC_KEX_SIGN_ANS ||
	    buf_get_string_direct(ans, SIG_MAX, &p, &len) != 0) {
		say("no signature");
		exit(0);
	}
	if (key_from_blob(buf_ptr(blob), buf_len(blob), &hostkey) != 0)
		abort();
	/* The signature must verify over the genuine exchange hash built
	 * from the monitor's own V_S, I_S and K_S ... */
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)v_c; hi.v_c_len = strlen(v_c);
	hi.v_s = (const uint8_t *)v_s; hi.v_s_len = strlen(v_s);
	hi.i_c = buf_ptr(i_c); hi.i_c_len = buf_len(i_c);
	hi.i_s = buf_ptr(i_s); hi.i_s_len = buf_len(i_s);
	hi.k_s = buf_ptr(blob); hi.k_s_len = buf_len(blob);
	hi.q_c = q_c; hi.q_c_len = 32;
	hi.q_s = q_s; hi.q_s_len = 32;
	hi.k = k;
	if (kex_hash(alg, &hi, h, sizeof(h)) != 0)
		abort();
	say("signature over the genuine exchange hash: %s",
	    key_verify(hostkey, "ssh-ed25519", p, len, h, 32) == 0 ?
	    "valid" : "INVALID");
	/* ... and over nothing the child chose by itself. */
	say("signature over attacker data: %s",
	    key_verify(hostkey, "ssh-ed25519", p, len, kmag, 32) == 0 ||
	    key_verify(hostkey, "ssh-ed25519", p, len, buf_ptr(i_c),
	    buf_len(i_c)) == 0 ? "VALID" : "invalid");
	if (twice) {
		/* A second signature without a new key exchange. */
		memset(q_s, 'C', sizeof(q_s));
		buf_free(sig);
		sig = kex_sign(i_c, q_c, q_s, k, &got);
		say("second signature: %s", got == RPC_KEX_SIGN_ANS ?
		    "GRANTED" : "refused");
	}
	exit(0);
}

int
main(int argc, char **argv)
{
	struct sandbox_opts so;
	struct buf *b;
	char name[64];
	size_t n = 0;
	uint8_t got, c;
	int i;

	i = helper_check_args(argc, argv);
	memset(&so, 0, sizeof(so));
	so.chroot_dir = PRIVSEP_PATH;
	so.max_fd = HELPER_FD_B;
	for (; i + 1 < argc; i++) {
		if (strcmp(argv[i], "-u") == 0) {
			so.uid = (uid_t)strtoul(argv[++i], NULL, 10);
			so.privileged = true;
		} else if (strcmp(argv[i], "-g") == 0)
			so.gid = (gid_t)strtoul(argv[++i], NULL, 10);
	}
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(name, sizeof(name));
	/* The scenario comes from the test client, one line. */
	while (n < sizeof(name) - 1 && read(HELPER_FD_A, &c, 1) == 1 &&
	    c != '\n')
		name[n++] = (char)c;
	name[n] = '\0';
	say("scenario %s", name);
	if (strcmp(name, "unsandboxed") != 0)
		sandbox_enter(&so);

	if (strcmp(name, "unsandboxed") == 0 ||
	    strcmp(name, "hello-twice") == 0) {
		buf_free(call(RPC_HELLO, NULL, &got));
		buf_free(call(RPC_HELLO, NULL, &got));
	} else if (strcmp(name, "sign-first") == 0) {
		b = client_kexinit();
		buf_free(call(RPC_KEX_SIGN, b, &got));
	} else if (strcmp(name, "unknown-type") == 0) {
		buf_free(call(200, NULL, &got));
	} else if (strcmp(name, "oversized") == 0) {
		b = buf_new();
		if (b == NULL || buf_reserve(b, RPC_MSG_MAX + 1, NULL) != 0)
			abort();
		buf_free(call(RPC_HELLO, b, &got));
	} else if (strcmp(name, "trailing") == 0) {
		b = buf_new();
		if (b == NULL || buf_put_u8(b, 0) != 0)
			abort();
		buf_free(call(RPC_HELLO, b, &got));
	} else if (strcmp(name, "bad-banner") == 0) {
		char *v_s;
		struct buf *i_s, *blob;

		hello(&v_s, &i_s, &blob);
		peer_banner("HTTP/1.0 200 OK");
	} else if (strcmp(name, "bad-kexinit") == 0) {
		char *v_s;
		struct buf *i_s, *blob, *k = buf_new();
		uint8_t q[32] = { 1 };

		hello(&v_s, &i_s, &blob);
		peer_banner("SSH-2.0-evil");
		b = str("not a kexinit");
		if (k == NULL || buf_put_mpint(k, q, 32) != 0)
			abort();
		buf_free(kex_sign(b, q, q, k, &got));
	} else if (strcmp(name, "sign") == 0)
		scenario_sign(false);
	else if (strcmp(name, "sign-twice") == 0)
		scenario_sign(true);
	else
		say("unknown scenario");
	say("done");
	return 0;
}
