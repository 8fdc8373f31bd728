/* SPDX-License-Identifier: ISC */
/*
 * Tests of the key exchange (common/kex*.c): RFC 7748 §6.1 X25519 vectors
 * through the kex interface, RFC 8731 §3 rules (all-zero secret, K as an
 * mpint), the RFC 4253 §7.2 key derivation and §8 exchange hash (expected
 * values recomputed here from SHA-2 directly, plus golden values computed
 * with an independent implementation), KEXINIT build/parse and §7.1
 * negotiation; with OpenSSL, DH group14 and ECDH interop against a client
 * computed here with OpenSSL's primitives.
 */
#include "config.h"

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#endif

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/mac.h"
#include "tests/tap.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t outlen)
{
	return tap_unhex(hex, out, outlen);
}

/* Independent mpint encoding of an unsigned big-endian value. */
static size_t
mpint_enc(const uint8_t *v, size_t len, uint8_t *out)
{
	size_t n = 0, pad;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	pad = (len > 0 && (v[0] & 0x80)) ? 1 : 0;
	out[n++] = (uint8_t)((len + pad) >> 24);
	out[n++] = (uint8_t)((len + pad) >> 16);
	out[n++] = (uint8_t)((len + pad) >> 8);
	out[n++] = (uint8_t)(len + pad);
	if (pad)
		out[n++] = 0;
	memcpy(out + n, v, len);
	return n + len;
}

/* ---- curve25519 ------------------------------------------------------- */

static void
test_x25519_rfc7748(void)
{
	uint8_t a_priv[32], a_pub[32], b_priv[32], b_pub[32], shared[32];
	uint8_t want[40];
	struct buf *pub = buf_new(), *k1 = buf_new(), *k2 = buf_new();
	size_t n;

	TEST_START("X25519 RFC 7748 6.1 through kex_curve25519_shared");
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	    a_priv, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	    a_pub, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	    b_priv, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	    b_pub, 32);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	    shared, 32);
	/* Alice's side: her public value comes out, K = mpint(shared). */
	ASSERT_INT_EQ(kex_curve25519_shared(a_priv, b_pub, 32, pub, k1), 0);
	ASSERT_INT_EQ(buf_len(pub), 32);
	ASSERT_MEM_EQ(buf_ptr(pub), a_pub, 32);
	n = mpint_enc(shared, 32, want);
	ASSERT_INT_EQ(n, 36);	/* 0x4a: no sign byte needed */
	ASSERT_INT_EQ(buf_len(k1), n);
	ASSERT_MEM_EQ(buf_ptr(k1), want, n);
	/* Bob's side agrees. */
	buf_reset(pub);
	ASSERT_INT_EQ(kex_curve25519_shared(b_priv, a_pub, 32, pub, k2), 0);
	ASSERT_MEM_EQ(buf_ptr(pub), b_pub, 32);
	ASSERT_TRUE(buf_equal(k1, k2));
	TEST_DONE();
	buf_free(pub);
	buf_free(k1);
	buf_free(k2);
}

static void
test_x25519_server(void)
{
	uint8_t cpriv[32], cpub[32], x[32], want[40];
	struct buf *spub = buf_new(), *k = buf_new(), *pre = buf_new();
	const struct kex_alg *alg;
	size_t n, i;
	int r;
	bool seen_pad = false, seen_strip = false;

	TEST_START("curve25519 server interoperates with a plain X25519 client");
	for (i = 0; i < 4; i++) {
		randombytes_buf(cpriv, sizeof(cpriv));
		ASSERT_INT_EQ(crypto_scalarmult_base(cpub, cpriv), 0);
		buf_reset(spub);
		buf_reset(k);
		alg = kex_alg_by_name(i % 2 ? "curve25519-sha256" :
		    "curve25519-sha256@libssh.org");
		ASSERT_PTR_NE(alg, NULL);
		ASSERT_INT_EQ(kex_server(alg, cpub, 32, spub, k), 0);
		ASSERT_INT_EQ(buf_len(spub), 32);
		ASSERT_INT_EQ(crypto_scalarmult(x, cpriv, buf_ptr(spub)), 0);
		n = mpint_enc(x, 32, want);
		ASSERT_INT_EQ(buf_len(k), n);
		ASSERT_MEM_EQ(buf_ptr(k), want, n);
	}
	TEST_DONE();

	/*
	 * RFC 8731 §3.1: X is a big-endian unsigned integer; a top bit set
	 * needs a 0x00 sign byte, leading zero bytes are dropped.  Search
	 * random keys for both shapes (probability 1/2 and 1/256 a try).
	 */
	TEST_START("curve25519 K: sign byte added, leading zeros stripped");
	for (i = 0; i < 20000 && !(seen_pad && seen_strip); i++) {
		randombytes_buf(cpriv, sizeof(cpriv));
		ASSERT_INT_EQ(crypto_scalarmult_base(cpub, cpriv), 0);
		buf_reset(spub);
		buf_reset(k);
		ASSERT_INT_EQ(kex_curve25519_server(cpub, 32, spub, k), 0);
		ASSERT_INT_EQ(crypto_scalarmult(x, cpriv, buf_ptr(spub)), 0);
		n = mpint_enc(x, 32, want);
		ASSERT_INT_EQ(buf_len(k), n);
		ASSERT_MEM_EQ(buf_ptr(k), want, n);
		if (x[0] & 0x80) {
			seen_pad = true;
			ASSERT_INT_EQ(n, 37);
			ASSERT_INT_EQ(buf_ptr(k)[4], 0);
		}
		if (x[0] == 0) {
			/* The zero byte is gone (a sign byte may return). */
			seen_strip = true;
			ASSERT_TRUE(n <= 36);
			ASSERT_TRUE(buf_ptr(k)[4] != 0 || buf_ptr(k)[5] >= 0x80);
		}
	}
	ASSERT_TRUE(seen_pad);
	ASSERT_TRUE(seen_strip);
	TEST_DONE();

	TEST_START("curve25519 rejects all-zero secrets and bad lengths (RFC 8731)");
	/* Small-order points: 0 and 1 give an all-zero shared secret. */
	memset(cpub, 0, sizeof(cpub));
	ASSERT_INT_EQ(buf_put(pre, "x", 1), 0);
	buf_reset(spub);
	ASSERT_INT_EQ(buf_put(spub, "y", 1), 0);
	r = kex_curve25519_server(cpub, 32, spub, pre);
	ASSERT_INT_EQ(r, HS_ERR_KEX_ZERO_SECRET);
	cpub[0] = 1;
	ASSERT_INT_EQ(kex_curve25519_server(cpub, 32, spub, pre),
	    HS_ERR_KEX_ZERO_SECRET);
	/* The order-8 point from the curve25519 low-order list. */
	unhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	    cpub, 32);
	ASSERT_INT_EQ(kex_curve25519_server(cpub, 32, spub, pre),
	    HS_ERR_KEX_ZERO_SECRET);
	/* Outputs untouched on failure. */
	ASSERT_INT_EQ(buf_len(spub), 1);
	ASSERT_INT_EQ(buf_len(pre), 1);
	ASSERT_INT_EQ(kex_curve25519_server(cpub, 31, spub, pre),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(kex_curve25519_server(cpub, 33, spub, pre),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(kex_curve25519_server(NULL, 0, spub, pre),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(buf_len(spub), 1);
	ASSERT_INT_EQ(buf_len(pre), 1);
	TEST_DONE();
	buf_free(spub);
	buf_free(k);
	buf_free(pre);
}

/* ---- exchange hash and key derivation ------------------------------- */

static struct buf *
test_k(void)
{
	uint8_t x[32];
	struct buf *k = buf_new();
	size_t i;

	for (i = 0; i < 32; i++)
		x[i] = (uint8_t)(0x80 + i);
	if (k == NULL || buf_put_mpint(k, x, 32) != 0)
		abort();
	return k;
}

static void
test_kdf(void)
{
	static const char *golden[KEX_KEY_MAX] = {
		"cf3b22375af3e77c397fc4d1",
		"",
		"cf1beeace9c167d85ca9da2080ec5d38ebe7cb9ab65d3687d8f99e2249498619"
		"cf81952c0fe0db3bac249e2c74fcfccf7e4ed818214fcf5f057b73dbdb087e13",
		"40e7ec89d7bd335d879e8fc91745ea1b51eac846c0f3937b3abab7b6daac998f",
		"9330d77f273a2611d107e3dd6d51e175d5249575d9dc2dc5f5da93e4927a1004",
		"77692c0369b0150278d26d19992f5db0c44f8c76075032306a58535fcc88ca74"
		"fc25868c35fd4731794e943ce9828911bfe7c2470d0e9fb7585a9e8ebd2a89ae",
	};
	const size_t want[KEX_KEY_MAX] = { 12, 0, 64, 32, 32, 64 };
	size_t big[KEX_KEY_MAX] = { 65, 0, 0, 0, 0, 0 };
	const struct kex_alg *alg = kex_alg_by_name("curve25519-sha256");
	uint8_t h[32], sid[32], g[64], exp[96], in[256];
	crypto_hash_sha256_state st;
	struct kex_keys *keys = NULL;
	struct buf *k = test_k();
	size_t i, n;

	for (i = 0; i < 32; i++) {
		h[i] = (uint8_t)(0x40 + i);
		sid[i] = (uint8_t)(0x60 + i);
	}
	TEST_START("RFC 4253 7.2 key derivation, SHA-256, A..F");
	ASSERT_INT_EQ(buf_len(k), 37);
	ASSERT_INT_EQ(kex_derive_keys(alg, k, h, 32, sid, 32, want, &keys), 0);
	ASSERT_PTR_NE(keys, NULL);
	for (i = 0; keys != NULL && i < KEX_KEY_MAX; i++) {
		ASSERT_INT_EQ(keys->len[i], want[i]);
		if (want[i] == 0) {
			ASSERT_PTR_EQ(keys->key[i], NULL);
			continue;
		}
		n = unhex(golden[i], g, sizeof(g));
		ASSERT_INT_EQ(n, want[i]);
		ASSERT_MEM_EQ(keys->key[i], g, n);
		/* Recompute: K1 = H(K||H||X||sid), K2 = H(K||H||K1). */
		memcpy(in, buf_ptr(k), 37);
		memcpy(in + 37, h, 32);
		in[69] = (uint8_t)('A' + i);
		memcpy(in + 70, sid, 32);
		crypto_hash_sha256(exp, in, 102);
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, buf_ptr(k), 37);
		crypto_hash_sha256_update(&st, h, 32);
		crypto_hash_sha256_update(&st, exp, 32);
		crypto_hash_sha256_final(&st, exp + 32);
		ASSERT_MEM_EQ(keys->key[i], exp, want[i]);
	}
	kex_keys_free(keys);
	keys = NULL;
	TEST_DONE();

	TEST_START("key derivation refuses oversized requests and bad inputs");
	ASSERT_INT_EQ(kex_derive_keys(alg, k, h, 32, sid, 32, big, &keys),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(keys, NULL);
	ASSERT_INT_EQ(kex_derive_keys(alg, k, h, 0, sid, 32, want, &keys),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(kex_derive_keys(alg, k, h, 32, sid, 0, want, &keys),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(kex_derive_keys(NULL, k, h, 32, sid, 32, want, &keys),
	    HS_ERR_INVALID_ARGUMENT);
	kex_keys_free(NULL);
	TEST_DONE();
	buf_free(k);
}

static void
test_exchange_hash(void)
{
	const char *vc = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10";
	const char *vs = "SSH-2.0-hsshd_0.1";
	uint8_t ic[31], is[31], ks[4 + 11 + 4 + 32], qc[32], qs[32];
	uint8_t e[40], f[35], h[64], want[64];
	struct kex_hash_input in;
	struct buf *k = test_k(), *ref = buf_new();
	const struct kex_alg *alg;
	size_t i;

	ic[0] = is[0] = SSH2_MSG_KEXINIT;
	memset(ic + 1, 0, 16);
	memset(is + 1, 0x11, 16);
	memcpy(ic + 17, "client kexinit", 14);
	memcpy(is + 17, "server kexinit", 14);
	memcpy(ks, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
	for (i = 0; i < 32; i++) {
		ks[19 + i] = (uint8_t)i;
		qc[i] = (uint8_t)(0xa0 + i);
		qs[i] = (uint8_t)(0xc0 + i);
	}
	memset(&in, 0, sizeof(in));
	in.v_c = (const uint8_t *)vc;
	in.v_c_len = strlen(vc);
	in.v_s = (const uint8_t *)vs;
	in.v_s_len = strlen(vs);
	in.i_c = ic;
	in.i_c_len = sizeof(ic);
	in.i_s = is;
	in.i_s_len = sizeof(is);
	in.k_s = ks;
	in.k_s_len = sizeof(ks);
	in.q_c = qc;
	in.q_c_len = 32;
	in.q_s = qs;
	in.q_s_len = 32;
	in.k = k;

	TEST_START("exchange hash, curve25519-sha256 (strings Q_C, Q_S)");
	alg = kex_alg_by_name("curve25519-sha256");
	ASSERT_INT_EQ(kex_hash_len(alg), 32);
	ASSERT_INT_EQ(kex_hash(alg, &in, h, 31), HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(kex_hash(alg, &in, h, sizeof(h)), 0);
	unhex("a73a995049fec556fa746d130552631df0f5e417a3621b9b5569e9520ba5b584",
	    want, 32);
	ASSERT_MEM_EQ(h, want, 32);
	/* The same from the field encodings written out here. */
	ASSERT_INT_EQ(buf_put_string(ref, vc, strlen(vc)), 0);
	ASSERT_INT_EQ(buf_put_string(ref, vs, strlen(vs)), 0);
	ASSERT_INT_EQ(buf_put_string(ref, ic, sizeof(ic)), 0);
	ASSERT_INT_EQ(buf_put_string(ref, is, sizeof(is)), 0);
	ASSERT_INT_EQ(buf_put_string(ref, ks, sizeof(ks)), 0);
	ASSERT_INT_EQ(buf_put_string(ref, qc, 32), 0);
	ASSERT_INT_EQ(buf_put_string(ref, qs, 32), 0);
	ASSERT_INT_EQ(buf_putb(ref, k), 0);
	crypto_hash_sha256(want, buf_ptr(ref), buf_len(ref));
	ASSERT_MEM_EQ(h, want, 32);
	TEST_DONE();

#ifdef HAVE_OPENSSL
	TEST_START("exchange hash, DH with SHA-512 (mpints e, f)");
	e[0] = 0xf0;
	for (i = 1; i < sizeof(e); i++)
		e[i] = (uint8_t)i;
	memset(f, 0, 3);
	for (i = 3; i < sizeof(f); i++)
		f[i] = (uint8_t)(0x10 + i - 3);
	in.q_c = e;
	in.q_c_len = sizeof(e);
	in.q_s = f;
	in.q_s_len = sizeof(f);
	alg = kex_alg_by_name("diffie-hellman-group16-sha512");
	ASSERT_PTR_NE(alg, NULL);
	ASSERT_INT_EQ(kex_hash_len(alg), 64);
	ASSERT_INT_EQ(kex_hash(alg, &in, h, sizeof(h)), 0);
	unhex("dbb32081571d338282adb82d813843a1e9ac1caec9f6ff4c3cc347a5b5c386f3"
	    "4fe0ebc8b9cbb5a216a5ab7cf68074fd97d3584ef311841250910b83c67e0b78",
	    want, 64);
	ASSERT_MEM_EQ(h, want, 64);
	TEST_DONE();

	TEST_START("exchange hash, ecdh-sha2-nistp384 uses SHA-384");
	alg = kex_alg_by_name("ecdh-sha2-nistp384");
	ASSERT_PTR_NE(alg, NULL);
	ASSERT_INT_EQ(kex_hash_len(alg), 48);
	in.q_c = qc;
	in.q_c_len = 32;
	in.q_s = qs;
	in.q_s_len = 32;
	ASSERT_INT_EQ(kex_hash(alg, &in, h, sizeof(h)), 0);
	ASSERT_INT_EQ(EVP_Digest(buf_ptr(ref), buf_len(ref), want, NULL,
	    EVP_sha384(), NULL), 1);
	ASSERT_MEM_EQ(h, want, 48);
	TEST_DONE();
#else
	(void)e;
	(void)f;
	TEST_SKIP("exchange hash, DH/ECDH", "built without OpenSSL");
#endif
	buf_free(k);
	buf_free(ref);
}

/* ---- KEXINIT ---------------------------------------------------------- */

static const char *server_props[KEX_PROP_MAX] = {
	"curve25519-sha256,curve25519-sha256@libssh.org",
	"ssh-ed25519,rsa-sha2-512",
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com",
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com",
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
	"none",
	"none",
	"",
	"",
};

static struct kex_proposal *
build_parse(const char *const props[KEX_PROP_MAX], bool server)
{
	struct kex_proposal *p = NULL;
	struct buf *b = buf_new();

	if (b == NULL || kex_kexinit_build(props, server, b) != 0 ||
	    kex_kexinit_parse(b, &p) != 0)
		abort();
	buf_free(b);
	return p;
}

static void
test_kexinit(void)
{
	struct kex_proposal *p = NULL, *q = NULL;
	struct buf *b = buf_new(), *c = NULL;
	const char *props[KEX_PROP_MAX];
	char *longlist;
	size_t i, len;

	TEST_START("KEXINIT build/parse round trip, server markers appended");
	ASSERT_INT_EQ(kex_kexinit_build(server_props, true, b), 0);
	ASSERT_INT_EQ(buf_ptr(b)[0], SSH2_MSG_KEXINIT);
	len = buf_len(b);
	c = buf_from(buf_ptr(b), len);
	ASSERT_INT_EQ(kex_kexinit_parse(b, &p), 0);
	ASSERT_INT_EQ(buf_len(b), 0);
	ASSERT_PTR_NE(p, NULL);
	if (p != NULL) {
		ASSERT_STR_EQ(p->names[KEX_PROP_KEX],
		    "curve25519-sha256,curve25519-sha256@libssh.org,"
		    "ext-info-s,kex-strict-s-v00@openssh.com");
		for (i = 1; i < KEX_PROP_MAX; i++)
			ASSERT_STR_EQ(p->names[i], server_props[i]);
		ASSERT_FALSE(p->first_kex_follows);
		ASSERT_U64_EQ(p->reserved, 0);
	}
	/* A second build has a fresh cookie. */
	buf_reset(b);
	ASSERT_INT_EQ(kex_kexinit_build(server_props, true, b), 0);
	ASSERT_INT_EQ(buf_len(b), len);
	ASSERT_FALSE(memcmp(buf_ptr(b) + 1, buf_ptr(c) + 1, 16) == 0);
	kex_proposal_free(p);
	p = NULL;
	TEST_DONE();

	TEST_START("KEXINIT parse: every truncation and any trailing byte fail");
	for (i = 0; i < len; i++) {
		buf_free(b);
		b = buf_from(buf_ptr(c), i);
		ASSERT_INT_NE(kex_kexinit_parse(b, &p), 0);
		ASSERT_PTR_EQ(p, NULL);
	}
	buf_free(b);
	b = buf_new();
	ASSERT_INT_EQ(buf_putb(b, c), 0);
	ASSERT_INT_EQ(buf_put_u8(b, 0), 0);
	ASSERT_INT_EQ(kex_kexinit_parse(b, &p), HS_ERR_TRAILING_DATA);
	ASSERT_PTR_EQ(p, NULL);
	/* Wrong message type. */
	buf_reset(b);
	ASSERT_INT_EQ(buf_putb(b, c), 0);
	buf_mutable_ptr(b)[0] = SSH2_MSG_NEWKEYS;
	ASSERT_INT_EQ(kex_kexinit_parse(b, &p), HS_ERR_PROTOCOL);
	TEST_DONE();

	TEST_START("KEXINIT parse: invalid and oversized name-lists refused");
	{
		static const char *bad[] = { "a,,b", ",a", "a,", "a b",
		    "a\tb", "\x80" };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			buf_reset(b);
			ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_KEXINIT), 0);
			ASSERT_INT_EQ(buf_put(b, "0123456789abcdef", 16), 0);
			ASSERT_INT_EQ(buf_put_cstring(b, bad[i]), 0);
			ASSERT_INT_EQ(kex_kexinit_parse(b, &p),
			    HS_ERR_BAD_NAMELIST);
		}
		/* A NUL inside a name-list. */
		buf_reset(b);
		ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_KEXINIT), 0);
		ASSERT_INT_EQ(buf_put(b, "0123456789abcdef", 16), 0);
		ASSERT_INT_EQ(buf_put_string(b, "a\0b", 3), 0);
		ASSERT_INT_NE(kex_kexinit_parse(b, &p), 0);
	}
	longlist = malloc(NAMELIST_MAX + 2);
	ASSERT_PTR_NE(longlist, NULL);
	if (longlist != NULL) {
		memset(longlist, 'a', NAMELIST_MAX + 1);
		for (i = 32; i < NAMELIST_MAX + 1; i += 33)
			longlist[i] = ',';
		longlist[NAMELIST_MAX + 1] = '\0';
		buf_reset(b);
		ASSERT_INT_EQ(buf_put_u8(b, SSH2_MSG_KEXINIT), 0);
		ASSERT_INT_EQ(buf_put(b, "0123456789abcdef", 16), 0);
		ASSERT_INT_EQ(buf_put_cstring(b, longlist), 0);
		ASSERT_INT_EQ(kex_kexinit_parse(b, &p), HS_ERR_TOO_LONG);
		/* build refuses it too */
		memcpy(props, server_props, sizeof(props));
		props[KEX_PROP_HOSTKEY] = longlist;
		buf_reset(b);
		ASSERT_INT_EQ(kex_kexinit_build(props, true, b),
		    HS_ERR_TOO_LONG);
		ASSERT_INT_EQ(buf_len(b), 0);
		free(longlist);
	}
	memcpy(props, server_props, sizeof(props));
	props[KEX_PROP_ENC_C2S] = "aes256-gcm@openssh.com,,x";
	ASSERT_INT_EQ(kex_kexinit_build(props, true, b), HS_ERR_BAD_NAMELIST);
	TEST_DONE();

	TEST_START("KEXINIT build: client markers, no duplicates");
	memcpy(props, server_props, sizeof(props));
	props[KEX_PROP_KEX] = "curve25519-sha256,kex-strict-c-v00@openssh.com";
	q = build_parse(props, false);
	ASSERT_STR_EQ(q->names[KEX_PROP_KEX], "curve25519-sha256,"
	    "kex-strict-c-v00@openssh.com,ext-info-c");
	kex_proposal_free(q);
	TEST_DONE();
	buf_free(b);
	buf_free(c);
}

struct neg_case {
	const char	*name;
	const char	*c[KEX_PROP_MAX];	/* NULL: as the server */
	bool		 follows;
	bool		 initial;
	int		 r;
	const char	*kex, *hostkey, *enc_c2s, *enc_s2c, *mac_c2s,
			*mac_s2c;
	bool		 ignore_guess, ext_info, strict;
};

#define NO_RESULT NULL, NULL, NULL, NULL, NULL, NULL, false, false, false

static const struct neg_case neg_cases[] = {
	{ "same lists: server's first choices", { NULL }, false, true, 0,
	  "curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com",
	  "chacha20-poly1305@openssh.com", NULL, NULL, false, false, false },
	{ "client's preference wins, per category and direction",
	  { "foo,curve25519-sha256@libssh.org,curve25519-sha256,ext-info-c",
	    "ssh-rsa,rsa-sha2-512,ssh-ed25519", "aes256-gcm@openssh.com",
	    "aes128-cbc,chacha20-poly1305@openssh.com",
	    "hmac-sha1", "hmac-sha1", "zlib,none", "none", "", "" },
	  false, true, 0, "curve25519-sha256@libssh.org", "rsa-sha2-512",
	  "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", NULL, NULL,
	  false, true, false },
	{ "no kex in common", { "diffie-hellman-group1-sha1,ext-info-c" },
	  false, true, HS_ERR_NO_MATCH, NO_RESULT },
	{ "no host key algorithm in common",
	  { NULL, "ssh-dss" }, false, true, HS_ERR_NO_MATCH, NO_RESULT },
	{ "no cipher in common (c2s)",
	  { NULL, NULL, "aes128-cbc,3des-cbc" }, false, true, HS_ERR_NO_MATCH,
	  NO_RESULT },
	{ "no cipher in common (s2c)",
	  { NULL, NULL, NULL, "none" }, false, true, HS_ERR_NO_MATCH,
	  NO_RESULT },
	{ "compression must agree on none",
	  { NULL, NULL, NULL, NULL, NULL, NULL, "zlib@openssh.com" }, false,
	  true, HS_ERR_NO_MATCH, NO_RESULT },
	{ "markers are never chosen as kex",
	  { "ext-info-s,kex-strict-s-v00@openssh.com,ext-info-c,"
	    "kex-strict-c-v00@openssh.com" }, false, true, HS_ERR_NO_MATCH,
	  NO_RESULT },
	{ "ext-info-c and strict markers detected on the first kex",
	  { "kex-strict-c-v00@openssh.com,curve25519-sha256,ext-info-c" },
	  false, true, 0, "curve25519-sha256", "ssh-ed25519",
	  "chacha20-poly1305@openssh.com", "chacha20-poly1305@openssh.com",
	  NULL, NULL, false, true, true },
	{ "markers ignored when rekeying",
	  { "kex-strict-c-v00@openssh.com,curve25519-sha256,ext-info-c" },
	  false, false, 0, "curve25519-sha256", "ssh-ed25519",
	  "chacha20-poly1305@openssh.com", "chacha20-poly1305@openssh.com",
	  NULL, NULL, false, false, false },
	{ "guess right: both first kex and host key algorithms agree",
	  { "curve25519-sha256,foo", "ssh-ed25519,bar" }, true, true, 0,
	  "curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com",
	  "chacha20-poly1305@openssh.com", NULL, NULL, false, false, false },
	{ "guess wrong: first kex differs",
	  { "curve25519-sha256@libssh.org,curve25519-sha256" }, true, true, 0,
	  "curve25519-sha256@libssh.org", "ssh-ed25519",
	  "chacha20-poly1305@openssh.com", "chacha20-poly1305@openssh.com",
	  NULL, NULL, true, false, false },
	{ "guess wrong: first host key algorithm differs",
	  { NULL, "rsa-sha2-512,ssh-ed25519" }, true, true, 0,
	  "curve25519-sha256", "rsa-sha2-512", "chacha20-poly1305@openssh.com",
	  "chacha20-poly1305@openssh.com", NULL, NULL, true, false, false },
	{ "MACs not negotiated for AEAD, so a MAC mismatch is fine",
	  { NULL, NULL, NULL, NULL, "hmac-md5", "hmac-md5" }, false, true, 0,
	  "curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com",
	  "chacha20-poly1305@openssh.com", NULL, NULL, false, false, false },
};

#ifdef HAVE_OPENSSL
static const char *server_props_ctr[KEX_PROP_MAX] = {
	"curve25519-sha256", "ssh-ed25519",
	"aes256-ctr,chacha20-poly1305@openssh.com", "aes128-ctr,aes256-ctr",
	"hmac-sha2-512-etm@openssh.com,hmac-sha2-256",
	"hmac-sha2-256,hmac-sha2-512", "none", "none", "", "",
};
#endif

static void
test_negotiate(void)
{
	struct kex_proposal *s = build_parse(server_props, true), *c;
	const char *props[KEX_PROP_MAX];
	struct kex_negotiated n;
	const struct neg_case *t;
	size_t i, j;

	for (i = 0; i < sizeof(neg_cases) / sizeof(neg_cases[0]); i++) {
		t = &neg_cases[i];
		TEST_START(t->name);
		for (j = 0; j < KEX_PROP_MAX; j++)
			props[j] = t->c[j] != NULL ? t->c[j] :
			    (j == KEX_PROP_KEX ? "curve25519-sha256" :
			    server_props[j]);
		/* Build as a "server" so no client markers are added. */
		c = build_parse(props, true);
		free(c->names[KEX_PROP_KEX]);
		c->names[KEX_PROP_KEX] = strdup(props[KEX_PROP_KEX]);
		c->first_kex_follows = t->follows;
		ASSERT_INT_EQ(kex_negotiate(c, s, t->initial, &n), t->r);
		if (t->r != 0) {
			ASSERT_PTR_EQ(n.kex, NULL);
			ASSERT_PTR_EQ(n.enc_c2s, NULL);
		} else {
			ASSERT_STR_EQ(n.kex ? n.kex->name : NULL, t->kex);
			ASSERT_STR_EQ(n.hostkey_alg, t->hostkey);
			ASSERT_STR_EQ(n.enc_c2s ? n.enc_c2s->name : NULL,
			    t->enc_c2s);
			ASSERT_STR_EQ(n.enc_s2c ? n.enc_s2c->name : NULL,
			    t->enc_s2c);
			ASSERT_PTR_EQ(n.mac_c2s, NULL);
			ASSERT_PTR_EQ(n.mac_s2c, NULL);
			ASSERT_INT_EQ(n.ignore_guessed_packet, t->ignore_guess);
			ASSERT_INT_EQ(n.ext_info_c, t->ext_info);
			ASSERT_INT_EQ(n.strict_kex, t->strict);
		}
		kex_proposal_free(c);
		TEST_DONE();
	}
	kex_proposal_free(s);

#ifdef HAVE_OPENSSL
	TEST_START("MACs negotiated per direction for non-AEAD ciphers");
	s = build_parse(server_props_ctr, true);
	for (j = 0; j < KEX_PROP_MAX; j++)
		props[j] = server_props_ctr[j];
	props[KEX_PROP_ENC_C2S] = "aes128-ctr,aes256-ctr";
	props[KEX_PROP_MAC_C2S] = "hmac-sha2-256,hmac-sha2-512-etm@openssh.com";
	props[KEX_PROP_MAC_S2C] = "hmac-sha2-512";
	c = build_parse(props, false);
	ASSERT_INT_EQ(kex_negotiate(c, s, true, &n), 0);
	ASSERT_STR_EQ(n.enc_c2s->name, "aes256-ctr");
	ASSERT_STR_EQ(n.enc_s2c->name, "aes128-ctr");
	/* The client's first choice, not the server's. */
	ASSERT_STR_EQ(n.mac_c2s ? n.mac_c2s->name : NULL, "hmac-sha2-256");
	ASSERT_STR_EQ(n.mac_s2c ? n.mac_s2c->name : NULL, "hmac-sha2-512");
	ASSERT_TRUE(n.ext_info_c && n.strict_kex);
	kex_proposal_free(c);
	props[KEX_PROP_MAC_S2C] = "hmac-sha1";
	c = build_parse(props, false);
	ASSERT_INT_EQ(kex_negotiate(c, s, true, &n), HS_ERR_NO_MATCH);
	kex_proposal_free(c);
	kex_proposal_free(s);
	TEST_DONE();
#endif
}

/* Keys from a negotiation give matching server/client contexts. */
static void
test_contexts(void)
{
	struct kex_proposal *s = build_parse(server_props, true);
	struct kex_proposal *c = build_parse(server_props, false);
	struct cipher_ctx *sout = NULL, *cin = NULL, *sin = NULL, *cout = NULL;
	struct mac_ctx *m1 = NULL, *m2 = NULL;
	struct kex_negotiated n;
	struct kex_keys *keys = NULL;
	size_t want[KEX_KEY_MAX];
	struct buf *k = test_k();
	uint8_t h[32] = { 1 }, plain[4 + 32], wire[4 + 32 + 16], back[4 + 32];

	TEST_START("derived keys make matching contexts on both sides");
	ASSERT_INT_EQ(kex_negotiate(c, s, true, &n), 0);
	kex_key_sizes(&n, want);
	ASSERT_INT_EQ(want[KEX_KEY_ENC_C2S], 64);
	ASSERT_INT_EQ(want[KEX_KEY_IV_C2S], 0);
	ASSERT_INT_EQ(want[KEX_KEY_MAC_S2C], 0);
	ASSERT_INT_EQ(kex_derive_keys(n.kex, k, h, 32, h, 32, want, &keys), 0);
	ASSERT_INT_EQ(kex_keys_contexts(&n, keys, true, false, &sout, &m1), 0);
	ASSERT_INT_EQ(kex_keys_contexts(&n, keys, false, true, &cin, &m2), 0);
	ASSERT_INT_EQ(kex_keys_contexts(&n, keys, true, true, &sin, &m1), 0);
	ASSERT_INT_EQ(kex_keys_contexts(&n, keys, false, false, &cout, &m2), 0);
	ASSERT_PTR_EQ(m1, NULL);
	ASSERT_PTR_EQ(m2, NULL);
	ASSERT_TRUE(sout && cin && sin && cout);
	memset(plain, 0, 4);
	plain[3] = 32;
	memset(plain + 4, 0x77, 32);
	if (sout && cin && sin && cout) {
		ASSERT_TRUE(cipher_ctx_is_encrypt(sout));
		ASSERT_FALSE(cipher_ctx_is_encrypt(sin));
		ASSERT_INT_EQ(cipher_crypt(sout, 3, wire, plain, 32, 4, 16), 0);
		ASSERT_INT_EQ(cipher_crypt(cin, 3, back, wire, 32, 4, 16), 0);
		ASSERT_MEM_EQ(back, plain, sizeof(plain));
		/* The other direction has other keys. */
		ASSERT_INT_EQ(cipher_crypt(sin, 3, back, wire, 32, 4, 16),
		    HS_ERR_AEAD_TAG);
		ASSERT_INT_EQ(cipher_crypt(cout, 3, wire, plain, 32, 4, 16), 0);
		ASSERT_INT_EQ(cipher_crypt(sin, 3, back, wire, 32, 4, 16), 0);
	}
	TEST_DONE();
	cipher_free(sout);
	cipher_free(cin);
	cipher_free(sin);
	cipher_free(cout);
	kex_keys_free(keys);
	kex_proposal_free(s);
	kex_proposal_free(c);
	buf_free(k);
}

static void
test_table(void)
{
	const struct kex_alg *a;
	size_t i;

	TEST_START("kex table: markers and legacy algorithms are not algorithms");
	ASSERT_PTR_EQ(kex_alg_by_name(KEX_EXT_INFO_C), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name(KEX_EXT_INFO_S), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name(KEX_STRICT_C), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name(KEX_STRICT_S), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name("diffie-hellman-group1-sha1"), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name("diffie-hellman-group14-sha1"), NULL);
	ASSERT_PTR_EQ(kex_alg_by_name("diffie-hellman-group-exchange-sha1"),
	    NULL);
	for (i = 0; (a = kex_alg_at(i)) != NULL; i++)
		ASSERT_PTR_EQ(kex_alg_by_name(a->name), a);
#ifdef HAVE_OPENSSL
	ASSERT_INT_EQ(i, 8);
#else
	ASSERT_INT_EQ(i, 2);
	ASSERT_PTR_EQ(kex_alg_by_name("ecdh-sha2-nistp256"), NULL);
#endif
	TEST_DONE();
}

#ifdef HAVE_OPENSSL
/* RFC 3526 §3, 2048-bit MODP Group (id 14). */
static const char *modp14 =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF";

/* One DH exchange against kex_dh_server, the client computed with BN. */
static void
dh_interop(enum kex_group g, size_t pbytes)
{
	struct buf *p = buf_new(), *f = buf_new(), *k = buf_new();
	BIGNUM *bp = NULL, *x = NULL, *e = NULL, *bf = NULL, *kk = NULL;
	BIGNUM *two = NULL;
	BN_CTX *bnc = BN_CTX_new();
	uint8_t eb[1024], kb[1024], want[1100];
	int elen, klen;
	size_t n;

	ASSERT_INT_EQ(kex_dh_group_prime(g, p), 0);
	ASSERT_INT_EQ(buf_len(p), pbytes);
	bp = BN_bin2bn(buf_ptr(p), (int)buf_len(p), NULL);
	x = BN_new();
	e = BN_new();
	kk = BN_new();
	two = BN_new();
	ASSERT_TRUE(bp && x && e && kk && two && bnc);
	ASSERT_INT_EQ(BN_set_word(two, 2), 1);
	ASSERT_INT_EQ(BN_rand(x, 512, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), 1);
	ASSERT_INT_EQ(BN_mod_exp(e, two, x, bp, bnc), 1);
	elen = BN_bn2bin(e, eb);
	ASSERT_INT_EQ(kex_dh_server(g, eb, (size_t)elen, f, k), 0);
	ASSERT_TRUE(buf_len(f) > 0 && buf_len(f) <= pbytes);
	bf = BN_bin2bn(buf_ptr(f), (int)buf_len(f), NULL);
	ASSERT_INT_EQ(BN_mod_exp(kk, bf, x, bp, bnc), 1);
	klen = BN_bn2bin(kk, kb);
	n = mpint_enc(kb, (size_t)klen, want);
	ASSERT_INT_EQ(buf_len(k), n);
	ASSERT_MEM_EQ(buf_ptr(k), want, n);
	BN_free(bp);
	BN_free(x);
	BN_free(e);
	BN_free(bf);
	BN_free(kk);
	BN_free(two);
	BN_CTX_free(bnc);
	buf_free(p);
	buf_free(f);
	buf_free(k);
}

static void
test_dh(void)
{
	struct buf *p = buf_new(), *f = buf_new(), *k = buf_new();
	uint8_t want[256], bad[258];
	const struct kex_alg *alg;
	size_t n;

	TEST_START("DH group14 prime is the RFC 3526 MODP group 14 prime");
	n = unhex(modp14, want, sizeof(want));
	ASSERT_INT_EQ(n, 256);
	ASSERT_INT_EQ(kex_dh_group_prime(KEX_GROUP_MODP14, p), 0);
	ASSERT_INT_EQ(buf_len(p), 256);
	ASSERT_MEM_EQ(buf_ptr(p), want, 256);
	ASSERT_INT_EQ(kex_dh_group_prime(KEX_GROUP_P256, p),
	    HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();

	TEST_START("diffie-hellman-group14-sha256 interop with a BN client");
	alg = kex_alg_by_name("diffie-hellman-group14-sha256");
	ASSERT_TRUE(alg != NULL && alg->family == KEX_FAMILY_DH &&
	    alg->hash == KEX_HASH_SHA256 && alg->group == KEX_GROUP_MODP14);
	dh_interop(KEX_GROUP_MODP14, 256);
	TEST_DONE();
	TEST_START("diffie-hellman-group16-sha512 interop");
	dh_interop(KEX_GROUP_MODP16, 512);
	TEST_DONE();
	TEST_START("diffie-hellman-group18-sha512 interop");
	dh_interop(KEX_GROUP_MODP18, 1024);
	TEST_DONE();

	TEST_START("DH rejects e outside 1 < e < p-1 and outside the subgroup");
	bad[0] = 0;
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 1, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	bad[0] = 1;
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 1, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 0, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	memcpy(bad, want, 256);		/* p */
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 256, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	bad[255] -= 1;			/* p - 1 */
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 256, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	/*
	 * p - 2 = -2 is inside the range but not a quadratic residue
	 * (p = 7 mod 8), so it is outside the prime-order subgroup that
	 * g = 2 generates: refused by the subgroup check.
	 */
	bad[255] -= 1;
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 256, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	memset(bad, 0xff, sizeof(bad));	/* > p */
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 256, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	bad[0] = 2;			/* 2 = g is valid */
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 1, f, k), 0);
	buf_reset(f);
	buf_reset(k);
	ASSERT_INT_EQ(kex_dh_server(KEX_GROUP_MODP14, bad, 1025, f, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(buf_len(f), 0);
	ASSERT_INT_EQ(buf_len(k), 0);
	TEST_DONE();
	buf_free(p);
	buf_free(f);
	buf_free(k);
}

static void
ecdh_interop(const char *kexname, const char *curve, size_t flen)
{
	const struct kex_alg *alg = kex_alg_by_name(kexname);
	EVP_PKEY *cli = NULL, *srv = NULL;
	EVP_PKEY_CTX *pctx = NULL, *dctx = NULL;
	OSSL_PARAM params[3];
	uint8_t cpub[200], secret[80], want[100], bad[200];
	size_t cpublen = 0, slen = sizeof(secret), n;
	struct buf *spub = buf_new(), *k = buf_new();

	ASSERT_PTR_NE(alg, NULL);
	if (alg == NULL)
		goto out;
	ASSERT_INT_EQ(alg->family, KEX_FAMILY_ECDH);
	cli = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	ASSERT_PTR_NE(cli, NULL);
	ASSERT_INT_EQ(EVP_PKEY_get_octet_string_param(cli,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, cpub, sizeof(cpub),
	    &cpublen), 1);
	ASSERT_INT_EQ(cpublen, 1 + 2 * flen);
	ASSERT_INT_EQ(kex_server(alg, cpub, cpublen, spub, k), 0);
	ASSERT_INT_EQ(buf_len(spub), 1 + 2 * flen);
	/* The client's view: derive with the server's point. */
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)buf_ptr(spub), buf_len(spub));
	params[2] = OSSL_PARAM_construct_end();
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	ASSERT_INT_EQ(EVP_PKEY_fromdata_init(pctx), 1);
	ASSERT_INT_EQ(EVP_PKEY_fromdata(pctx, &srv, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	dctx = EVP_PKEY_CTX_new_from_pkey(NULL, cli, NULL);
	ASSERT_INT_EQ(EVP_PKEY_derive_init(dctx), 1);
	ASSERT_INT_EQ(EVP_PKEY_derive_set_peer(dctx, srv), 1);
	ASSERT_INT_EQ(EVP_PKEY_derive(dctx, secret, &slen), 1);
	ASSERT_INT_EQ(slen, flen);
	n = mpint_enc(secret, slen, want);
	ASSERT_INT_EQ(buf_len(k), n);
	ASSERT_MEM_EQ(buf_ptr(k), want, n);

	/* Invalid client points are refused, outputs untouched. */
	buf_reset(spub);
	buf_reset(k);
	memcpy(bad, cpub, cpublen);
	bad[cpublen - 1] ^= 1;		/* off the curve */
	ASSERT_INT_EQ(kex_server(alg, bad, cpublen, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	memcpy(bad, cpub, cpublen);
	bad[0] = 0x02;			/* compressed form */
	ASSERT_INT_EQ(kex_server(alg, bad, 1 + flen, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(kex_server(alg, cpub, cpublen - 1, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x04;			/* (0, 0) is not on the curve */
	ASSERT_INT_EQ(kex_server(alg, bad, cpublen, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	bad[0] = 0x00;			/* infinity encoding */
	ASSERT_INT_EQ(kex_server(alg, bad, 1, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	memset(bad, 0xff, sizeof(bad));	/* coordinates >= p */
	bad[0] = 0x04;
	ASSERT_INT_EQ(kex_server(alg, bad, cpublen, spub, k),
	    HS_ERR_KEX_BAD_PUBLIC);
	ASSERT_INT_EQ(buf_len(spub), 0);
	ASSERT_INT_EQ(buf_len(k), 0);
 out:
	EVP_PKEY_free(cli);
	EVP_PKEY_free(srv);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_CTX_free(dctx);
	buf_free(spub);
	buf_free(k);
}

static void
test_ecdh(void)
{
	TEST_START("ecdh-sha2-nistp256 interop and point validation");
	ecdh_interop("ecdh-sha2-nistp256", "P-256", 32);
	TEST_DONE();
	TEST_START("ecdh-sha2-nistp384 interop and point validation");
	ecdh_interop("ecdh-sha2-nistp384", "P-384", 48);
	TEST_DONE();
	TEST_START("ecdh-sha2-nistp521 interop and point validation");
	ecdh_interop("ecdh-sha2-nistp521", "P-521", 66);
	TEST_DONE();
}
#endif

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_table();
	test_x25519_rfc7748();
	test_x25519_server();
	test_kdf();
	test_exchange_hash();
	test_kexinit();
	test_negotiate();
	test_contexts();
#ifdef HAVE_OPENSSL
	test_dh();
	test_ecdh();
#else
	TEST_SKIP("DH and ECDH", "built without OpenSSL");
#endif
	return tap_finish();
}
