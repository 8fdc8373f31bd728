/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/sessinit.c (RPC_SESSION_INIT bodies): a realistic
 * body from the test builder survives serialise + parse field by field
 * and re-serialises to the same bytes; the parsed keys and transport
 * blob really continue the builder's connection (the client's packets
 * decode after the hand-over, including the pending one); truncation at
 * every length, a trailing byte and a wrong version fail; a hand-written
 * body (an independent reading of the format in sessinit.h) is accepted,
 * and each of its bounds and rules, broken, is refused; the serialiser
 * refuses what the parser would and leaves its output as it was.
 * Version 2 added the chroot directory, the previous login and the PAM
 * login messages (absent in a body from the builder: "", 0, "").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/sessinit.h"
#include "policy/config.h"
#include "tests/tap.h"
#include "tests/unit/test-sess-builder.h"

static struct session_init *
build(const char *cipher, const char *mac, bool strict, unsigned int warm)
{
	struct sessb_opts o;
	struct session_init *si = NULL;
	int r;

	memset(&o, 0, sizeof(o));
	o.cipher = cipher;
	o.mac = mac;
	o.strict = strict;
	o.warmup_packets = warm;
	o.config_text = "AcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/sftp\n";
	if ((r = sessb_build(&o, &si, NULL, NULL)) != 0) {
		printf("# sessb_build: %s\n", hs_err_str(r));
		abort();
	}
	return si;
}

static void
test_roundtrip(void)
{
	struct session_init *si, *back = NULL;
	struct buf *a, *b;
	static char *env[] = { "LANG=C.UTF-8", "XDG_SESSION_ID=3", "EMPTY=" };
	size_t i;

	TEST_START("round trip field by field");
	si = build(NULL, NULL, true, 2);
	si->env = calloc(3, sizeof(char *));
	for (i = 0; i < 3; i++)
		si->env[i] = strdup(env[i]);
	si->nenv = 3;
	buf_free(si->key_options);
	si->key_options = buf_from("no-pty,command=\"x\"", 18);
	si->chroot_dir = strdup("/srv/jail/alice");
	si->last_login_time = 1700000000u;
	si->last_login_host = strdup("192.0.2.99");
	si->login_msg = strdup("Welcome\nYour account expires soon\n");
	a = buf_new();
	b = buf_new();
	ASSERT_INT_EQ(sessinit_serialize(si, a), 0);
	ASSERT_INT_EQ(sessinit_parse(buf_ptr(a), buf_len(a), &back), 0);
	ASSERT_PTR_NE(back, NULL);
	if (back != NULL) {
		ASSERT_STR_EQ(back->user, si->user);
		ASSERT_INT_EQ(back->uid, si->uid);
		ASSERT_INT_EQ(back->gid, si->gid);
		ASSERT_STR_EQ(back->home, si->home);
		ASSERT_STR_EQ(back->shell, si->shell);
		ASSERT_STR_EQ(back->peer_addr, "127.0.0.1");
		ASSERT_INT_EQ(back->peer_port, 40000);
		ASSERT_STR_EQ(back->local_addr, "127.0.0.1");
		ASSERT_INT_EQ(back->local_port, 22);
		ASSERT_STR_EQ(back->kex_alg, "curve25519-sha256");
		ASSERT_STR_EQ(back->hostkey_alg, "ssh-ed25519");
		ASSERT_STR_EQ(back->enc_c2s, "chacha20-poly1305@openssh.com");
		ASSERT_STR_EQ(back->enc_s2c, "chacha20-poly1305@openssh.com");
		ASSERT_STR_EQ(back->mac_c2s, "");
		ASSERT_STR_EQ(back->mac_s2c, "");
		ASSERT_TRUE(back->strict_kex);
		ASSERT_INT_EQ(back->session_id_len, si->session_id_len);
		ASSERT_MEM_EQ(back->session_id, si->session_id,
		    si->session_id_len);
		ASSERT_STR_EQ(back->v_c, si->v_c);
		ASSERT_STR_EQ(back->v_s, si->v_s);
		for (i = 0; i < KEX_KEY_MAX; i++) {
			ASSERT_INT_EQ(back->keys->len[i], si->keys->len[i]);
			if (si->keys->len[i] > 0)
				ASSERT_MEM_EQ(back->keys->key[i],
				    si->keys->key[i], si->keys->len[i]);
		}
		ASSERT_TRUE(buf_equal(back->transport, si->transport));
		ASSERT_INT_EQ(back->nhostkeys, 1);
		ASSERT_STR_EQ(back->hostkeys[0].sig_algs, "ssh-ed25519");
		ASSERT_TRUE(buf_equal(back->hostkeys[0].blob,
		    si->hostkeys[0].blob));
		ASSERT_TRUE(buf_equal(back->config, si->config));
		ASSERT_TRUE(buf_equal(back->key_options, si->key_options));
		ASSERT_INT_EQ(back->nenv, 3);
		for (i = 0; i < 3 && i < back->nenv; i++)
			ASSERT_STR_EQ(back->env[i], env[i]);
		ASSERT_INT_EQ(back->log_level, 7);
		ASSERT_STR_EQ(back->chroot_dir, "/srv/jail/alice");
		ASSERT_INT_EQ(back->last_login_time, 1700000000u);
		ASSERT_STR_EQ(back->last_login_host, "192.0.2.99");
		ASSERT_STR_EQ(back->login_msg,
		    "Welcome\nYour account expires soon\n");
		ASSERT_INT_EQ(sessinit_serialize(back, b), 0);
		ASSERT_TRUE(buf_equal(a, b));
	}
	/* The config snapshot inside is a working configuration. */
	if (back != NULL) {
		struct hs_config *cfg = NULL;

		ASSERT_INT_EQ(config_deserialize(buf_ptr(back->config),
		    buf_len(back->config), &cfg), 0);
		if (cfg != NULL) {
			ASSERT_INT_EQ(cfg->naccept_env, 2);
			ASSERT_INT_EQ(cfg->nsubsystem_names, 1);
		}
		config_free(cfg);
	}
	sessinit_free(si);
	sessinit_free(back);
	buf_free(a);
	buf_free(b);
	TEST_DONE();
}

/* The session's side of the hand-over, done with the libraries. */
static struct pkt_state *
import(const struct session_init *si)
{
	struct kex_negotiated neg;
	struct pkt_state *st = NULL;
	struct cipher_ctx *c;
	struct mac_ctx *m;
	struct buf *t;
	int i;

	memset(&neg, 0, sizeof(neg));
	neg.kex = kex_alg_by_name(si->kex_alg);
	neg.enc_c2s = cipher_by_name(si->enc_c2s);
	neg.enc_s2c = cipher_by_name(si->enc_s2c);
	neg.mac_c2s = *si->mac_c2s ? mac_by_name(si->mac_c2s) : NULL;
	neg.mac_s2c = *si->mac_s2c ? mac_by_name(si->mac_s2c) : NULL;
	if (pkt_new(&st) != 0)
		abort();
	for (i = 0; i < 2; i++) {
		if (kex_keys_contexts(&neg, si->keys, true, i == 0, &c,
		    &m) != 0 || pkt_set_keys(st, i == 0 ? PKT_IN : PKT_OUT,
		    c, m) != 0)
			abort();
	}
	t = buf_from(buf_ptr(si->transport), buf_len(si->transport));
	if (t == NULL || pkt_import(st, t) != 0) {
		buf_free(t);
		pkt_free(st);
		return NULL;
	}
	buf_free(t);
	return st;
}

static void
test_handover(const char *cipher, const char *mac, bool strict)
{
	struct sessb_opts o;
	struct session_init *si = NULL, *back = NULL;
	struct pkt_state *cli = NULL, *st = NULL;
	struct buf *a, *pl = NULL;
	static const uint8_t msg[] = { 94, 0, 0, 0, 0, 0, 0, 0, 2, 'h', 'i' };
	char name[160];
	uint8_t type = 0;
	int n = 0;

	snprintf(name, sizeof(name), "hand-over continues %s%s%s%s", cipher,
	    *mac ? " " : "", mac, strict ? " (strict)" : "");
	TEST_START(name);
	memset(&o, 0, sizeof(o));
	o.cipher = cipher;
	o.mac = mac;
	o.strict = strict;
	o.warmup_packets = 3;
	if (cipher_by_name(cipher) == NULL ||
	    !cipher_is_available(cipher_by_name(cipher))) {
		TEST_SKIP(name, "cipher not in this build");
		return;
	}
	ASSERT_INT_EQ(sessb_build(&o, &si, &cli, NULL), 0);
	a = buf_new();
	ASSERT_INT_EQ(sessinit_serialize(si, a), 0);
	ASSERT_INT_EQ(sessinit_parse(buf_ptr(a), buf_len(a), &back), 0);
	if (back != NULL && (st = import(back)) != NULL) {
		/* The pending packet, then a new one from the client. */
		ASSERT_INT_EQ(pkt_send(cli, msg, sizeof(msg)), 0);
		ASSERT_INT_EQ(pkt_feed(st, buf_ptr(pkt_output(cli)),
		    buf_len(pkt_output(cli))), 0);
		buf_reset(pkt_output(cli));
		while (pkt_read(st, &pl) == 0 && pl != NULL) {
			ASSERT_INT_EQ(buf_get_u8(pl, &type), 0);
			ASSERT_INT_EQ(type, n == 0 ? SSH2_MSG_IGNORE : 94);
			n++;
			buf_free(pl);
		}
		ASSERT_INT_EQ(n, 2);
		/* And the other way. */
		ASSERT_INT_EQ(pkt_send(st, msg, sizeof(msg)), 0);
		ASSERT_INT_EQ(pkt_feed(cli, buf_ptr(pkt_output(st)),
		    buf_len(pkt_output(st))), 0);
		ASSERT_INT_EQ(pkt_read(cli, &pl), 0);
		ASSERT_PTR_NE(pl, NULL);
		if (pl != NULL)
			ASSERT_MEM_EQ(buf_ptr(pl), msg, sizeof(msg));
		buf_free(pl);
	} else
		ASSERT_TRUE(false);
	pkt_free(st);
	pkt_free(cli);
	sessinit_free(si);
	sessinit_free(back);
	buf_free(a);
	TEST_DONE();
}

static void
test_truncation(void)
{
	struct session_init *si, *back;
	struct buf *a = buf_new();
	uint8_t *p;
	size_t len, i;
	unsigned int bad = 0;
	int r;

	TEST_START("truncation at every length, trailing byte, version");
	si = build(NULL, NULL, false, 0);
	si->env = calloc(1, sizeof(char *));
	si->env[0] = strdup("A=b");
	si->nenv = 1;
	ASSERT_INT_EQ(sessinit_serialize(si, a), 0);
	len = buf_len(a);
	for (i = 0; i < len; i++) {
		back = NULL;
		if (sessinit_parse(buf_ptr(a), i, &back) == 0 || back != NULL)
			bad++;
		sessinit_free(back);
	}
	ASSERT_INT_EQ(bad, 0);
	p = malloc(len + 1);
	memcpy(p, buf_ptr(a), len);
	p[len] = 0;
	back = NULL;
	ASSERT_INT_EQ(sessinit_parse(p, len + 1, &back), HS_ERR_TRAILING_DATA);
	ASSERT_PTR_EQ(back, NULL);
	p[3] ^= 0x01;	/* version 2 -> 3 */
	ASSERT_INT_EQ(sessinit_parse(p, len, &back), HS_ERR_PROTOCOL);
	p[3] ^= 0x03;	/* version 1, the format before chroot and lastlog */
	ASSERT_INT_EQ(sessinit_parse(p, len, &back), HS_ERR_PROTOCOL);
	p[3] ^= 0x02;
	ASSERT_INT_EQ(r = sessinit_parse(p, len, &back), 0);
	sessinit_free(back);
	free(p);
	sessinit_free(si);
	buf_free(a);
	TEST_DONE();
}

/*
 * A hand-written body.  Each field can be overridden to break one rule;
 * the defaults give a valid body.
 */
struct raw {
	uint32_t	 version;
	const char	*user, *home, *shell, *paddr, *laddr;
	size_t		 user_len;	/* 0: strlen */
	uint32_t	 pport, lport;
	const char	*algs[6];
	uint8_t		 strict;
	size_t		 sid_len;
	const char	*vc;
	size_t		 key_len[6];
	size_t		 transport_len;
	uint32_t	 nhostkeys;
	const char	*sig_algs;
	size_t		 blob_len;
	size_t		 config_len;
	uint32_t	 nenv;
	const char	*env;		/* each entry */
	uint8_t		 level;
	const char	*chroot;
	size_t		 chroot_len;	/* 0: strlen */
	uint64_t	 last_time;
	const char	*last_host;
	const char	*msg;
	size_t		 msg_len;	/* 0: strlen */
};

static void
raw_default(struct raw *w)
{
	static const char *const algs[6] = { "curve25519-sha256",
	    "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256",
	    "hmac-sha2-256" };
	size_t i;

	memset(w, 0, sizeof(*w));
	w->version = SESSINIT_VERSION;
	w->user = "alice";
	w->home = "/home/alice";
	w->shell = "/bin/bash";
	w->paddr = "192.0.2.1";
	w->laddr = "192.0.2.2";
	w->pport = 50000;
	w->lport = 22;
	for (i = 0; i < 6; i++)
		w->algs[i] = algs[i];
	w->strict = 1;
	w->sid_len = 32;
	w->vc = "SSH-2.0-x";
	for (i = 0; i < 6; i++)
		w->key_len[i] = i < 2 ? 16 : 32;
	w->transport_len = 100;
	w->nhostkeys = 1;
	w->sig_algs = "ssh-ed25519";
	w->blob_len = 51;
	w->config_len = 10;
	w->nenv = 2;
	w->env = "LANG=C";
	w->level = 3;
	w->chroot = "";
	w->last_time = 0;
	w->last_host = "";
	w->msg = "";
}

static void
put_fill(struct buf *b, size_t len, uint8_t v)
{
	uint8_t *p;

	if (buf_put_u32(b, (uint32_t)len) != 0 ||
	    buf_reserve(b, len, &p) != 0)
		abort();
	memset(p, v, len);
}

static struct buf *
raw_emit(const struct raw *w)
{
	struct buf *b = buf_new();
	size_t i;
	int r = 0;

	r |= buf_put_u32(b, w->version);
	r |= buf_put_string(b, w->user, w->user_len ? w->user_len :
	    strlen(w->user));
	r |= buf_put_u32(b, 1000);
	r |= buf_put_u32(b, 1000);
	r |= buf_put_cstring(b, w->home);
	r |= buf_put_cstring(b, w->shell);
	r |= buf_put_cstring(b, w->paddr);
	r |= buf_put_u32(b, w->pport);
	r |= buf_put_cstring(b, w->laddr);
	r |= buf_put_u32(b, w->lport);
	for (i = 0; i < 6; i++)
		r |= buf_put_cstring(b, w->algs[i]);
	r |= buf_put_u8(b, w->strict);
	put_fill(b, w->sid_len, 0x11);
	r |= buf_put_cstring(b, w->vc);
	r |= buf_put_cstring(b, "SSH-2.0-y");
	for (i = 0; i < 6; i++)
		put_fill(b, w->key_len[i], (uint8_t)(0x20 + i));
	put_fill(b, w->transport_len, 0);
	r |= buf_put_u32(b, w->nhostkeys);
	for (i = 0; i < w->nhostkeys && i < 40; i++) {
		r |= buf_put_cstring(b, w->sig_algs);
		put_fill(b, w->blob_len, 0x33);
	}
	put_fill(b, w->config_len, 0x44);
	r |= buf_put_cstring(b, "restrict");
	r |= buf_put_u32(b, w->nenv);
	for (i = 0; i < w->nenv && i < 300; i++)
		r |= buf_put_cstring(b, w->env);
	r |= buf_put_u8(b, w->level);
	r |= buf_put_string(b, w->chroot, w->chroot_len ? w->chroot_len :
	    strlen(w->chroot));
	r |= buf_put_u64(b, w->last_time);
	r |= buf_put_cstring(b, w->last_host);
	r |= buf_put_string(b, w->msg, w->msg_len ? w->msg_len :
	    strlen(w->msg));
	if (r != 0)
		abort();
	return b;
}

static int
raw_parse(const struct raw *w)
{
	struct session_init *s = NULL;
	struct buf *b = raw_emit(w);
	int r;

	r = sessinit_parse(buf_ptr(b), buf_len(b), &s);
	if ((r == 0) != (s != NULL))
		r = HS_ERR_INTERNAL;
	sessinit_free(s);
	buf_free(b);
	return r;
}

static void
test_raw_rules(void)
{
	struct raw w;
	struct session_init *s = NULL;
	struct buf *b;
	char big[SESSINIT_ENV_ENTRY_MAX + 2];
	static char longer[SESSINIT_LOGINMSG_MAX + 2];

	TEST_START("hand-written body: accepted, and every rule enforced");
	raw_default(&w);
	b = raw_emit(&w);
	ASSERT_INT_EQ(sessinit_parse(buf_ptr(b), buf_len(b), &s), 0);
	if (s != NULL) {
		ASSERT_STR_EQ(s->user, "alice");
		ASSERT_INT_EQ(s->nenv, 2);
		ASSERT_STR_EQ(s->env[1], "LANG=C");
		ASSERT_STR_EQ(s->mac_s2c, "hmac-sha2-256");
		ASSERT_INT_EQ(s->keys->len[KEX_KEY_IV_C2S], 16);
		ASSERT_INT_EQ(s->keys->key[KEX_KEY_ENC_S2C][0], 0x23);
		ASSERT_INT_EQ(buf_len(s->key_options), 8);
	}
	sessinit_free(s);
	buf_free(b);

#define BREAK(stmt, want) do { raw_default(&w); stmt; \
	ASSERT_INT_EQ(raw_parse(&w), want); } while (0)
	BREAK(w.version = 1, HS_ERR_PROTOCOL);
	BREAK(w.version = 3, HS_ERR_PROTOCOL);
	BREAK(w.user = "", HS_ERR_BAD_FORMAT);
	BREAK((w.user = "al\0ce", w.user_len = 5), HS_ERR_STRING_NUL);
	BREAK(w.pport = 65536, HS_ERR_BAD_FORMAT);
	BREAK(w.lport = 0xffffffffu, HS_ERR_BAD_FORMAT);
	BREAK(w.algs[0] = "", HS_ERR_BAD_FORMAT);
	BREAK(w.algs[2] = "aes128-ctr,aes256-ctr", HS_ERR_BAD_FORMAT);
	BREAK(w.algs[1] = "ssh ed25519", HS_ERR_BAD_FORMAT);
	BREAK((w.algs[4] = "", w.algs[5] = ""), 0);
	BREAK(w.strict = 2, HS_ERR_BAD_BOOLEAN);
	BREAK(w.sid_len = 0, HS_ERR_BAD_FORMAT);
	BREAK(w.sid_len = 65, HS_ERR_TOO_LONG);
	BREAK(w.vc = "", HS_ERR_BAD_FORMAT);
	BREAK(w.key_len[3] = 65, HS_ERR_TOO_LONG);
	BREAK(w.key_len[0] = 0, 0);
	BREAK(w.transport_len = SESSINIT_TRANSPORT_MAX + 1, HS_ERR_TOO_LONG);
	BREAK(w.nhostkeys = 0, HS_ERR_BAD_FORMAT);
	BREAK(w.nhostkeys = SESSINIT_HOSTKEYS_MAX + 1, HS_ERR_BAD_FORMAT);
	BREAK(w.nhostkeys = SESSINIT_HOSTKEYS_MAX, 0);
	BREAK(w.sig_algs = "a,,b", HS_ERR_BAD_FORMAT);
	BREAK(w.sig_algs = "", HS_ERR_BAD_FORMAT);
	BREAK(w.blob_len = 0, HS_ERR_BAD_FORMAT);
	BREAK(w.blob_len = KEY_BLOB_MAX + 1, HS_ERR_TOO_LONG);
	BREAK(w.config_len = SESSINIT_CONFIG_MAX + 1, HS_ERR_TOO_LONG);
	BREAK(w.nenv = SESSINIT_ENV_MAX + 1, HS_ERR_BAD_FORMAT);
	BREAK(w.env = "NOEQUALS", HS_ERR_BAD_FORMAT);
	BREAK(w.env = "=value", HS_ERR_BAD_FORMAT);
	BREAK(w.env = "", HS_ERR_BAD_FORMAT);
	BREAK(w.env = "EMPTY=", 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1] = '=';
	BREAK(w.env = big, HS_ERR_TOO_LONG);
	/* Within the per-entry bound, beyond the total. */
	big[SESSINIT_ENV_BYTES_MAX / 4] = '\0';
	BREAK((w.env = big, w.nenv = 5), HS_ERR_TOO_LONG);
	BREAK((w.env = big, w.nenv = 4), 0);
	BREAK(w.level = 8, HS_ERR_BAD_FORMAT);
	BREAK(w.level = 0, 0);
	BREAK(w.chroot = "/srv/jail", 0);
	BREAK(w.chroot = "srv/jail", HS_ERR_BAD_FORMAT);
	BREAK((w.chroot = "/srv\0x", w.chroot_len = 6), HS_ERR_STRING_NUL);
	BREAK((w.last_time = 1700000000u, w.last_host = "host.example"), 0);
	BREAK(w.last_time = UINT64_MAX, 0);
	memset(longer, 'h', sizeof(longer) - 1);
	longer[SESSINIT_LASTHOST_MAX] = '\0';
	BREAK(w.last_host = longer, 0);
	longer[SESSINIT_LASTHOST_MAX] = 'h';
	longer[SESSINIT_LASTHOST_MAX + 1] = '\0';
	BREAK(w.last_host = longer, HS_ERR_TOO_LONG);
	longer[SESSINIT_LASTHOST_MAX + 1] = 'h';
	longer[SESSINIT_LOGINMSG_MAX] = '\0';
	BREAK(w.msg = longer, 0);
	longer[SESSINIT_LOGINMSG_MAX] = 'm';
	BREAK(w.msg = longer, HS_ERR_TOO_LONG);
	BREAK((w.msg = "a\0b\n", w.msg_len = 4), HS_ERR_STRING_NUL);
#undef BREAK
	TEST_DONE();
}

static void
test_serialize_refuses(void)
{
	struct session_init *si;
	struct buf *out = buf_new(), *big;
	struct kex_keys *keys;
	uint8_t *p;
	char *saved;
	static char longer_msg[SESSINIT_LOGINMSG_MAX + 2];

	TEST_START("serialiser refuses what the parser would");
	memset(longer_msg, 'm', sizeof(longer_msg) - 1);
	longer_msg[sizeof(longer_msg) - 1] = '\0';
	si = build(NULL, NULL, false, 0);
	ASSERT_INT_EQ(buf_put_u8(out, 0x5a), 0);
#define REFUSE(stmt, undo, want) do { stmt; \
	ASSERT_INT_EQ(sessinit_serialize(si, out), want); \
	ASSERT_INT_EQ(buf_len(out), 1); undo; } while (0)
	REFUSE(si->peer_port = 65536, si->peer_port = 1,
	    HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->nhostkeys = 0, si->nhostkeys = 1, HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->session_id_len = 0, si->session_id_len = 32,
	    HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->log_level = 9, si->log_level = 3, HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->chroot_dir = "relative", si->chroot_dir = NULL,
	    HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->login_msg = longer_msg, si->login_msg = NULL,
	    HS_ERR_TOO_LONG);
	saved = si->enc_c2s;
	REFUSE(si->enc_c2s = "a,b", si->enc_c2s = saved,
	    HS_ERR_INVALID_ARGUMENT);
	REFUSE(si->enc_c2s = NULL, si->enc_c2s = saved,
	    HS_ERR_INVALID_ARGUMENT);
	saved = si->user;
	REFUSE(si->user = "", si->user = saved, HS_ERR_INVALID_ARGUMENT);
	keys = si->keys;
	REFUSE(si->keys = NULL, si->keys = keys, HS_ERR_INVALID_ARGUMENT);
	si->env = calloc(1, sizeof(char *));
	si->env[0] = strdup("NOEQUALS");
	si->nenv = 1;
	REFUSE((void)0, (void)0, HS_ERR_INVALID_ARGUMENT);
	free(si->env[0]);
	si->env[0] = strdup("A=1");
	/* Each field within its bound, the whole above RPC_STATE_MAX. */
	big = buf_new();
	ASSERT_INT_EQ(buf_reserve(big, SESSINIT_CONFIG_MAX + 1, &p), 0);
	memset(p, 'c', SESSINIT_CONFIG_MAX + 1);
	buf_free(si->config);
	si->config = big;
	REFUSE((void)0, (void)0, HS_ERR_TOO_LONG);
	ASSERT_INT_EQ(buf_consume_end(big, 1), 0);
	buf_free(si->transport);
	si->transport = buf_new();
	ASSERT_INT_EQ(buf_reserve(si->transport, SESSINIT_TRANSPORT_MAX, &p),
	    0);
	memset(p, 0, SESSINIT_TRANSPORT_MAX);
	si->hostkeys[1].sig_algs = strdup("x");
	si->hostkeys[1].blob = buf_new();
	ASSERT_INT_EQ(buf_reserve(si->hostkeys[1].blob, KEY_BLOB_MAX, &p), 0);
	memset(p, 0, KEY_BLOB_MAX);
	si->nhostkeys = 2;
	ASSERT_INT_EQ(sessinit_serialize(si, out), 0);
	ASSERT_INT_LT(RPC_STATE_MAX / 2, buf_len(out));
	buf_reset(out);
	ASSERT_INT_EQ(buf_put_u8(out, 0x5a), 0);
	si->hostkeys[2].sig_algs = strdup("x");
	si->hostkeys[2].blob = buf_from(buf_ptr(si->hostkeys[1].blob),
	    KEY_BLOB_MAX);
	si->hostkeys[3].sig_algs = strdup("x");
	si->hostkeys[3].blob = buf_from(buf_ptr(si->hostkeys[1].blob),
	    KEY_BLOB_MAX);
	si->hostkeys[4].sig_algs = strdup("x");
	si->hostkeys[4].blob = buf_from(buf_ptr(si->hostkeys[1].blob),
	    KEY_BLOB_MAX);
	si->nhostkeys = 5;
	REFUSE((void)0, (void)0, HS_ERR_TOO_LONG);
#undef REFUSE
	sessinit_free(si);
	buf_free(out);
	TEST_DONE();
}

static void
test_keys_copy(void)
{
	struct session_init *si = build(NULL, NULL, false, 0);
	struct kex_keys *copy = NULL;
	size_t i;

	TEST_START("sessinit_keys_copy");
	ASSERT_INT_EQ(sessinit_keys_copy(si->keys, &copy), 0);
	for (i = 0; copy != NULL && i < KEX_KEY_MAX; i++) {
		ASSERT_INT_EQ(copy->len[i], si->keys->len[i]);
		if (copy->len[i] > 0) {
			ASSERT_PTR_NE(copy->key[i], si->keys->key[i]);
			ASSERT_MEM_EQ(copy->key[i], si->keys->key[i],
			    copy->len[i]);
		}
	}
	kex_keys_free(copy);
	ASSERT_INT_EQ(sessinit_keys_copy(NULL, &copy), HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(copy, NULL);
	sessinit_free(si);
	TEST_DONE();
}

int
main(void)
{
	test_roundtrip();
	test_handover("chacha20-poly1305@openssh.com", "", true);
	test_handover("chacha20-poly1305@openssh.com", "", false);
	test_handover("aes256-gcm@openssh.com", "", true);
	test_handover("aes128-ctr", "hmac-sha2-256-etm@openssh.com", true);
	test_handover("aes256-ctr", "hmac-sha2-512", false);
	test_truncation();
	test_raw_rules();
	test_serialize_refuses();
	test_keys_copy();
	return tap_finish();
}
