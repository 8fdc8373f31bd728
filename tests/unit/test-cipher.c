/* SPDX-License-Identifier: ISC */
/*
 * Known-answer tests of the transport ciphers and MACs (common/cipher*.c,
 * common/mac.c).  Vectors typed in from the specifications:
 *  - RFC 4231 §4.2-§4.8 (HMAC-SHA-256/512, test cases 1-7);
 *  - McGrew & Viega, "The Galois/Counter Mode of Operation", test cases
 *    1-4 (AES-128) and 13-16 (AES-256);
 *  - NIST SP 800-38A F.5.1, F.5.3, F.5.5 (CTR-AES128/192/256 encrypt);
 *  - draft-agl-tls-chacha20poly1305-04 §7 (ChaCha20 with the original
 *    64-bit nonce, as OpenSSH uses it).
 * The chacha20-poly1305@openssh.com golden packets below were computed with
 * an independent implementation of PROTOCOL.chacha20poly1305 (Python's
 * "cryptography" ChaCha20 and Poly1305 primitives, not libsodium); the
 * end-to-end test against a real OpenSSH client checks the same
 * construction on the wire.
 */
#include "config.h"

#include <sodium.h>

#include "common/cipher.h"
#include "common/err.h"
#include "common/mac.h"
#include "tests/tap.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t outlen)
{
	return tap_unhex(hex, out, outlen);
}

/* ---- HMAC ------------------------------------------------------------ */

struct hmac_vec {
	const char	*name;
	uint8_t		 keybyte;	/* key = keylen copies, or keyhex */
	size_t		 keylen;
	const char	*keyhex;
	const char	*data;		/* text, or NULL: datalen copies */
	uint8_t		 databyte;
	size_t		 datalen;
	const char	*sha256;
	const char	*sha512;
	size_t		 truncate;	/* bytes compared (0: all) */
};

static const struct hmac_vec hmac_vecs[] = {
	{ "RFC 4231 test case 1", 0x0b, 20, NULL, "Hi There", 0, 0,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
	  0 },
	{ "RFC 4231 test case 2", 0, 0, "4a656665",
	  "what do ya want for nothing?", 0, 0,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
	  0 },
	{ "RFC 4231 test case 3", 0xaa, 20, NULL, NULL, 0xdd, 50,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
	  0 },
	{ "RFC 4231 test case 4", 0, 0,
	  "0102030405060708090a0b0c0d0e0f10111213141516171819", NULL, 0xcd,
	  50,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
	  0 },
	{ "RFC 4231 test case 5 (truncated to 128 bits)", 0x0c, 20, NULL,
	  "Test With Truncation", 0, 0,
	  "a3b6167473100ee06e0c796c2955552b",
	  "415fad6271580a531d4179bc891d87a6", 16 },
	{ "RFC 4231 test case 6", 0xaa, 131, NULL,
	  "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
	  0 },
	{ "RFC 4231 test case 7", 0xaa, 131, NULL,
	  "This is a test using a larger than block-size key and a larger "
	  "than block-size data. The key needs to be hashed before being "
	  "used by the HMAC algorithm.", 0, 0,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
	  0 },
};

static void
test_hmac_vectors(void)
{
	uint8_t key[256], data[256], want[64], got[64];
	size_t i, klen, dlen, n;
	const struct hmac_vec *v;

	for (i = 0; i < sizeof(hmac_vecs) / sizeof(hmac_vecs[0]); i++) {
		v = &hmac_vecs[i];
		TEST_START(v->name);
		if (v->keyhex != NULL)
			klen = unhex(v->keyhex, key, sizeof(key));
		else {
			klen = v->keylen;
			memset(key, v->keybyte, klen);
		}
		if (v->data != NULL) {
			dlen = strlen(v->data);
			memcpy(data, v->data, dlen);
		} else {
			dlen = v->datalen;
			memset(data, v->databyte, dlen);
		}
		n = unhex(v->sha256, want, sizeof(want));
		ASSERT_INT_EQ(mac_hmac(MAC_HASH_SHA256, key, klen, data, dlen,
		    got, sizeof(got)), 0);
		ASSERT_MEM_EQ(got, want, v->truncate ? v->truncate : n);
		n = unhex(v->sha512, want, sizeof(want));
		ASSERT_INT_EQ(mac_hmac(MAC_HASH_SHA512, key, klen, data, dlen,
		    got, sizeof(got)), 0);
		ASSERT_MEM_EQ(got, want, v->truncate ? v->truncate : n);
		TEST_DONE();
	}
}

static void
test_mac_packet(void)
{
	const char *names[] = { "hmac-sha2-256", "hmac-sha2-512",
	    "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com" };
	uint8_t key[64], msg[4 + 40], tag[64], want[64];
	struct mac_ctx *ctx = NULL;
	const struct mac *m;
	size_t i;

	TEST_START("MAC table: SHA-2 only, EtM flags, key/tag lengths");
	ASSERT_PTR_EQ(mac_by_name("hmac-sha1"), NULL);
	ASSERT_PTR_EQ(mac_by_name("hmac-md5"), NULL);
	ASSERT_PTR_EQ(mac_by_name("umac-64@openssh.com"), NULL);
	ASSERT_PTR_EQ(mac_by_name("hmac-sha2-256-96"), NULL);
	ASSERT_PTR_EQ(mac_by_name(NULL), NULL);
	for (i = 0; (m = mac_at(i)) != NULL; i++) {
		ASSERT_INT_EQ(m->key_len, m->hash == MAC_HASH_SHA256 ? 32 : 64);
		ASSERT_INT_EQ(m->tag_len, m->key_len);
		ASSERT_INT_EQ(m->etm, strstr(m->name, "-etm@openssh.com") !=
		    NULL);
	}
	ASSERT_INT_EQ(i, 4);
	TEST_DONE();

	for (i = 0; i < 4; i++) {
		TEST_START(names[i]);
		m = mac_by_name(names[i]);
		ASSERT_PTR_NE(m, NULL);
		if (m == NULL)
			continue;
		memset(key, 0x42 + (int)i, sizeof(key));
		ASSERT_INT_EQ(mac_init(&ctx, m, key, m->key_len - 1),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_PTR_EQ(ctx, NULL);
		ASSERT_INT_EQ(mac_init(&ctx, m, key, m->key_len), 0);
		/* The MAC is HMAC(key, uint32 seqnr || data). */
		msg[0] = 0x12; msg[1] = 0x34; msg[2] = 0x56; msg[3] = 0x78;
		memset(msg + 4, 0x5a, 40);
		ASSERT_INT_EQ(mac_hmac(m->hash, key, m->key_len, msg,
		    sizeof(msg), want, sizeof(want)), 0);
		ASSERT_INT_EQ(mac_compute(ctx, 0x12345678, msg + 4, 40, tag,
		    sizeof(tag)), 0);
		ASSERT_MEM_EQ(tag, want, m->tag_len);
		ASSERT_INT_EQ(mac_check(ctx, 0x12345678, msg + 4, 40, tag,
		    m->tag_len), 0);
		/* Wrong sequence number, data, tag or tag length. */
		ASSERT_INT_EQ(mac_check(ctx, 0x12345679, msg + 4, 40, tag,
		    m->tag_len), HS_ERR_MAC);
		msg[10] ^= 1;
		ASSERT_INT_EQ(mac_check(ctx, 0x12345678, msg + 4, 40, tag,
		    m->tag_len), HS_ERR_MAC);
		msg[10] ^= 1;
		tag[m->tag_len - 1] ^= 0x80;
		ASSERT_INT_EQ(mac_check(ctx, 0x12345678, msg + 4, 40, tag,
		    m->tag_len), HS_ERR_MAC);
		tag[m->tag_len - 1] ^= 0x80;
		ASSERT_INT_EQ(mac_check(ctx, 0x12345678, msg + 4, 40, tag,
		    m->tag_len - 1), HS_ERR_INVALID_ARGUMENT);
		/* The keyed state is reused: a second run is identical. */
		ASSERT_INT_EQ(mac_check(ctx, 0x12345678, msg + 4, 40, tag,
		    m->tag_len), 0);
		mac_free(ctx);
		ctx = NULL;
		TEST_DONE();
	}
	mac_free(NULL);
}

/* ---- AES-GCM --------------------------------------------------------- */

#define GCM_P "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define GCM_A "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define GCM_IV "cafebabefacedbaddecaf888"
#define GCM_K "feffe9928665731c6d6a8f9467308308"

struct gcm_vec {
	const char	*name;
	const char	*key, *iv, *p, *a, *c, *t;
	size_t		 plen;	/* bytes of p used */
};

static const struct gcm_vec gcm_vecs[] = {
	{ "GCM test case 1 (AES-128)", "00000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "58e2fccefa7e3061367f1d57a4e7455a", 0 },
	{ "GCM test case 2 (AES-128)", "00000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf", 16 },
	{ "GCM test case 3 (AES-128)", GCM_K, GCM_IV, GCM_P, "",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4", 64 },
	{ "GCM test case 4 (AES-128)", GCM_K, GCM_IV, GCM_P, GCM_A,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47", 60 },
	{ "GCM test case 13 (AES-256)",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b", 0 },
	{ "GCM test case 14 (AES-256)",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919", 16 },
	{ "GCM test case 15 (AES-256)", GCM_K GCM_K, GCM_IV, GCM_P, "",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c", 64 },
	{ "GCM test case 16 (AES-256)", GCM_K GCM_K, GCM_IV, GCM_P, GCM_A,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b", 60 },
};

static void
gcm_vector(const struct gcm_vec *v, enum cipher_impl impl)
{
	uint8_t key[32], iv[12], p[64], a[32], c[64], t[16];
	uint8_t in[128], out[128], back[128];
	size_t klen, alen, clen;
	const struct cipher *ci;
	struct cipher_ctx *enc = NULL, *dec = NULL;

	klen = unhex(v->key, key, sizeof(key));
	(void)unhex(v->iv, iv, sizeof(iv));
	(void)unhex(v->p, p, sizeof(p));
	alen = unhex(v->a, a, sizeof(a));
	clen = unhex(v->c, c, sizeof(c));
	(void)unhex(v->t, t, sizeof(t));
	ASSERT_INT_EQ(clen, v->plen);
	ci = cipher_by_name(klen == 32 ? "aes256-gcm@openssh.com" :
	    "aes128-gcm@openssh.com");
	ASSERT_PTR_NE(ci, NULL);
	if (ci == NULL)
		return;
	ASSERT_INT_EQ(cipher_init_impl(&enc, ci, key, klen, iv, 12, true,
	    impl), 0);
	ASSERT_INT_EQ(cipher_init_impl(&dec, ci, key, klen, iv, 12, false,
	    impl), 0);
	if (enc == NULL || dec == NULL)
		goto out;
	/* in = AAD || P; out = AAD || C || T */
	memcpy(in, a, alen);
	memcpy(in + alen, p, v->plen);
	ASSERT_INT_EQ(cipher_crypt(enc, 0, out, in, v->plen, alen, 16), 0);
	ASSERT_MEM_EQ(out, a, alen);
	if (v->plen > 0)
		ASSERT_MEM_EQ(out + alen, c, v->plen);
	ASSERT_MEM_EQ(out + alen + v->plen, t, 16);
	ASSERT_INT_EQ(cipher_crypt(dec, 0, back, out, v->plen, alen, 16), 0);
	ASSERT_MEM_EQ(back, in, alen + v->plen);
	/* A flipped bit of tag, ciphertext or AAD is refused, and no
	 * plaintext is left behind. */
	cipher_free(dec);
	dec = NULL;
	ASSERT_INT_EQ(cipher_init_impl(&dec, ci, key, klen, iv, 12, false,
	    impl), 0);
	out[alen + v->plen + 15] ^= 1;
	memset(back, 0, sizeof(back));
	ASSERT_INT_EQ(cipher_crypt(dec, 0, back, out, v->plen, alen, 16),
	    HS_ERR_AEAD_TAG);
	out[alen + v->plen + 15] ^= 1;
	if (v->plen > 0) {
		ASSERT_TRUE(sodium_is_zero(back + alen, v->plen));
		out[alen] ^= 0x10;
		ASSERT_INT_EQ(cipher_crypt(dec, 0, back, out, v->plen, alen,
		    16), HS_ERR_AEAD_TAG);
		out[alen] ^= 0x10;
	}
	if (alen > 0) {
		out[0] ^= 1;
		ASSERT_INT_EQ(cipher_crypt(dec, 0, back, out, v->plen, alen,
		    16), HS_ERR_AEAD_TAG);
		out[0] ^= 1;
	}
	/* Failed packets did not advance the counter: it still opens. */
	ASSERT_INT_EQ(cipher_crypt(dec, 0, back, out, v->plen, alen, 16), 0);
	ASSERT_MEM_EQ(back, in, alen + v->plen);
 out:
	cipher_free(enc);
	cipher_free(dec);
}

static void
test_gcm_vectors(void)
{
	size_t i;
	bool sodium_ok;
	struct cipher_ctx *ctx = NULL;
	uint8_t key[32] = { 0 }, iv[12] = { 0 };
	const struct cipher *ci = cipher_by_name("aes256-gcm@openssh.com");

	sodium_ok = crypto_aead_aes256gcm_is_available() == 1;
	for (i = 0; i < sizeof(gcm_vecs) / sizeof(gcm_vecs[0]); i++) {
		bool is256 = strlen(gcm_vecs[i].key) == 64;
		char name[128];

		if (is256) {
			snprintf(name, sizeof(name), "%s, libsodium",
			    gcm_vecs[i].name);
			if (sodium_ok) {
				TEST_START(name);
				gcm_vector(&gcm_vecs[i], CIPHER_IMPL_SODIUM);
				TEST_DONE();
			} else
				TEST_SKIP(name, "CPU lacks AES-NI/CLMUL");
		}
		snprintf(name, sizeof(name), "%s, OpenSSL", gcm_vecs[i].name);
#ifdef HAVE_OPENSSL
		TEST_START(name);
		gcm_vector(&gcm_vecs[i], CIPHER_IMPL_OPENSSL);
		TEST_DONE();
#else
		TEST_SKIP(name, "built without OpenSSL");
#endif
	}

	TEST_START("aes-gcm availability follows the build and the CPU");
#ifdef HAVE_OPENSSL
	ASSERT_TRUE(cipher_is_available(ci));
	ASSERT_PTR_NE(cipher_by_name("aes128-gcm@openssh.com"), NULL);
#else
	ASSERT_INT_EQ(cipher_is_available(ci), sodium_ok);
	ASSERT_PTR_EQ(cipher_by_name("aes128-gcm@openssh.com"), NULL);
	ASSERT_INT_EQ(cipher_init_impl(&ctx, ci, key, 32, iv, 12, true,
	    CIPHER_IMPL_OPENSSL), HS_ERR_KEY_UNSUPPORTED);
	ASSERT_PTR_EQ(ctx, NULL);
#endif
	if (!sodium_ok) {
		ASSERT_INT_EQ(cipher_init_impl(&ctx, ci, key, 32, iv, 12,
		    true, CIPHER_IMPL_SODIUM), HS_ERR_KEY_UNSUPPORTED);
		ASSERT_PTR_EQ(ctx, NULL);
	}
	TEST_DONE();
}

/* RFC 5647 §7.1: the invocation counter (last 8 IV bytes) goes up by one
 * per packet and carries into nothing else. */
static void
test_gcm_invocation_counter(void)
{
	const struct cipher *ci = cipher_by_name("aes256-gcm@openssh.com");
	uint8_t key[32], iv[12], iv2[12], in[4 + 32], o1[64], o2[64];
	struct cipher_ctx *a = NULL, *b = NULL;
	uint64_t pk, by;

	TEST_START("aes256-gcm invocation counter: +1 per packet, 64-bit wrap");
	if (!cipher_is_available(ci)) {
		TEST_DONE();
		return;
	}
	memset(key, 7, sizeof(key));
	memset(in, 0x33, sizeof(in));
	(void)unhex("00000001fffffffffffffffe", iv, sizeof(iv));
	ASSERT_INT_EQ(cipher_init(&a, ci, key, 32, iv, 12, true), 0);
	ASSERT_INT_EQ(cipher_crypt(a, 0, o1, in, 32, 4, 16), 0);
	ASSERT_INT_EQ(cipher_crypt(a, 0, o1, in, 32, 4, 16), 0);
	ASSERT_INT_EQ(cipher_crypt(a, 0, o1, in, 32, 4, 16), 0);
	cipher_get_position(a, &pk, &by);
	ASSERT_U64_EQ(pk, 3);
	ASSERT_U64_EQ(by, 96);
	/* Third packet used fixed 00000001 and counter 0 (wrapped). */
	(void)unhex("000000010000000000000000", iv2, sizeof(iv2));
	ASSERT_INT_EQ(cipher_init(&b, ci, key, 32, iv2, 12, true), 0);
	ASSERT_INT_EQ(cipher_crypt(b, 0, o2, in, 32, 4, 16), 0);
	ASSERT_MEM_EQ(o1, o2, 4 + 32 + 16);
	cipher_free(b);
	b = NULL;
	/* set_position fast-forwards a fresh context to the same place. */
	ASSERT_INT_EQ(cipher_init(&b, ci, key, 32, iv, 12, true), 0);
	ASSERT_INT_EQ(cipher_set_position(b, 2, 64), 0);
	ASSERT_INT_EQ(cipher_crypt(b, 0, o2, in, 32, 4, 16), 0);
	ASSERT_MEM_EQ(o1, o2, 4 + 32 + 16);
	ASSERT_INT_EQ(cipher_set_position(b, 1, 16), HS_ERR_INVALID_ARGUMENT);
	cipher_free(a);
	cipher_free(b);
	TEST_DONE();
}

/* ---- AES-CTR --------------------------------------------------------- */

#ifdef HAVE_OPENSSL
static void
test_ctr_vectors(void)
{
	static const char *pt =
	    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const char *ctr0 = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	static const struct {
		const char *name, *cipher, *key, *ct;
	} v[] = {
		{ "SP 800-38A F.5.1 CTR-AES128", "aes128-ctr",
		  "2b7e151628aed2a6abf7158809cf4f3c",
		  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		  "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee" },
		{ "SP 800-38A F.5.3 CTR-AES192", "aes192-ctr",
		  "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		  "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94"
		  "1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050" },
		{ "SP 800-38A F.5.5 CTR-AES256", "aes256-ctr",
		  "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
		  "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6" },
	};
	uint8_t key[32], iv[16], p[64], c[64], out[64];
	struct cipher_ctx *e = NULL, *d = NULL, *f = NULL;
	const struct cipher *ci;
	size_t i, klen, off;

	(void)unhex(pt, p, sizeof(p));
	(void)unhex(ctr0, iv, sizeof(iv));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		TEST_START(v[i].name);
		klen = unhex(v[i].key, key, sizeof(key));
		(void)unhex(v[i].ct, c, sizeof(c));
		ci = cipher_by_name(v[i].cipher);
		ASSERT_PTR_NE(ci, NULL);
		if (ci == NULL)
			continue;
		ASSERT_INT_EQ(ci->key_len, klen);
		ASSERT_TRUE(ci->needs_mac && !ci->is_aead);
		ASSERT_INT_EQ(cipher_init(&e, ci, key, klen, iv, 16, true), 0);
		ASSERT_INT_EQ(cipher_init(&d, ci, key, klen, iv, 16, false), 0);
		ASSERT_INT_EQ(cipher_crypt(e, 0, out, p, 64, 0, 0), 0);
		ASSERT_MEM_EQ(out, c, 64);
		/* Decrypt block by block: the stream runs on. */
		for (off = 0; off < 64; off += 16)
			ASSERT_INT_EQ(cipher_crypt(d, 0, out + off, c + off, 16,
			    0, 0), 0);
		ASSERT_MEM_EQ(out, p, 64);
		/* Fast-forward past two blocks, then the last two. */
		ASSERT_INT_EQ(cipher_init(&f, ci, key, klen, iv, 16, false), 0);
		ASSERT_INT_EQ(cipher_set_position(f, 1, 32), 0);
		ASSERT_INT_EQ(cipher_crypt(f, 0, out, c + 32, 32, 0, 0), 0);
		ASSERT_MEM_EQ(out, p + 32, 32);
		ASSERT_INT_EQ(cipher_crypt(e, 0, out, p, 16, 0, 16),
		    HS_ERR_INVALID_ARGUMENT);
		cipher_free(e);
		cipher_free(d);
		cipher_free(f);
		e = d = f = NULL;
		TEST_DONE();
	}

	TEST_START("aes-ctr counter carries across all 128 bits");
	{
		/* IV ff..ff: after one block the counter is 00..00. */
		uint8_t ivf[16], ivz[16], z[32] = { 0 }, o1[32], o2[16];

		memset(ivf, 0xff, sizeof(ivf));
		memset(ivz, 0, sizeof(ivz));
		ci = cipher_by_name("aes128-ctr");
		ASSERT_INT_EQ(cipher_init(&e, ci, key, 16, ivf, 16, true), 0);
		ASSERT_INT_EQ(cipher_init(&d, ci, key, 16, ivz, 16, true), 0);
		ASSERT_INT_EQ(cipher_init(&f, ci, key, 16, ivf, 16, true), 0);
		ASSERT_INT_EQ(cipher_crypt(e, 0, o1, z, 32, 0, 0), 0);
		ASSERT_INT_EQ(cipher_crypt(d, 0, o2, z, 16, 0, 0), 0);
		ASSERT_MEM_EQ(o1 + 16, o2, 16);
		ASSERT_INT_EQ(cipher_set_position(f, 1, 16), 0);
		ASSERT_INT_EQ(cipher_crypt(f, 0, o2, z, 16, 0, 0), 0);
		ASSERT_MEM_EQ(o1 + 16, o2, 16);
		cipher_free(e);
		cipher_free(d);
		cipher_free(f);
		e = d = f = NULL;
	}
	TEST_DONE();
}
#endif

/* ---- ChaCha20 / chacha20-poly1305@openssh.com ------------------------ */

static void
test_chacha20_keystream(void)
{
	static const struct {
		const char *name, *key, *nonce, *stream;
	} v[] = {
		{ "ChaCha20 keystream: zero key, zero nonce",
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "0000000000000000",
		  "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
		  "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
		{ "ChaCha20 keystream: key ...01",
		  "0000000000000000000000000000000000000000000000000000000000000001",
		  "0000000000000000",
		  "4540f05a9f1fb296d7736e7b208e3c96eb4fe1834688d2604f450952ed432d41"
		  "bbe2a0b6ea7566d2a5d1e7e20d42af2c53d792b1c43fea817e9ad275ae546963" },
		{ "ChaCha20 keystream: nonce ...01",
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "0000000000000001",
		  "de9cba7bf3d69ef5e786dc63973f653a0b49e015adbff7134fcb7df137821031"
		  "e85a050278a7084527214f73efc7fa5b5277062eb7a0433e445f41e3" },
		{ "ChaCha20 keystream: nonce 01...",
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "0100000000000000",
		  "ef3fdfd6c61578fbf5cf35bd3dd33b8009631634d21e42ac33960bd138e50d32"
		  "111e4caf237ee53ca8ad6426194a88545ddc497a0b466e7d6bbdb0041b2f586b" },
		{ "ChaCha20 keystream: key 00..1f, nonce 00..07, 256 bytes",
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "0001020304050607",
		  "f798a189f195e66982105ffb640bb7757f579da31602fc93ec01ac56f85ac3c1"
		  "34a4547b733b46413042c9440049176905d3be59ea1c53f15916155c2be8241a"
		  "38008b9a26bc35941e2444177c8ade6689de95264986d95889fb60e84629c9bd"
		  "9a5acb1cc118be563eb9b3a4a472f82e09a7e778492b562ef7130e88dfe031c7"
		  "9db9d4f7c7a899151b9a475032b63fc385245fe054e3dd5a97a5f576fe064025"
		  "d3ce042c566ab2c507b138db853e3d6959660996546cc9c4a6eafdc777c040d7"
		  "0eaf46f76dad3979e5c5360c3317166a1c894c94a371876a94df7628fe4eaaf2"
		  "ccb27d5aaae0ad7ad0f9d4b6ad3b54098746d4524d38407a6deb3ab78fab78c9" },
	};
	const struct cipher *cp = cipher_by_name("chacha20-poly1305@openssh.com");
	uint8_t key[64], nonce[8], want[256], got[256], zero[4 + 16] = { 0 };
	uint8_t pkt[4 + 16];
	struct cipher_ctx *ctx = NULL;
	size_t i, n;
	uint32_t seq;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		TEST_START(v[i].name);
		(void)unhex(v[i].key, key, 32);
		(void)unhex(v[i].nonce, nonce, sizeof(nonce));
		n = unhex(v[i].stream, want, sizeof(want));
		/* The primitive chacha20-poly1305@openssh.com is built on. */
		ASSERT_INT_EQ(crypto_stream_chacha20(got, n, nonce, key), 0);
		ASSERT_MEM_EQ(got, want, n);
		/*
		 * Through the cipher: the length field is encrypted with the
		 * second half of the key material (K_1) and the sequence
		 * number as the nonce, from block 0.
		 */
		if (memcmp(nonce, "\0\0\0\0", 4) == 0) {
			seq = (uint32_t)nonce[4] << 24 | (uint32_t)nonce[5] << 16 |
			    (uint32_t)nonce[6] << 8 | nonce[7];
			memset(key + 32, 0, 32);
			memmove(key + 32, key, 32);
			memset(key, 0x99, 32);
			ASSERT_INT_EQ(cipher_init(&ctx, cp, key, 64, NULL, 0,
			    true), 0);
			ASSERT_INT_EQ(cipher_crypt(ctx, seq, pkt, zero, 0, 4,
			    16), 0);
			ASSERT_MEM_EQ(pkt, want, 4);
			cipher_free(ctx);
			ctx = NULL;
		}
		TEST_DONE();
	}
}

/*
 * One SSH_MSG_SERVICE_REQUEST "ssh-userauth" packet: packet_length 24,
 * padding_length 6, payload 05 0000000c "ssh-userauth", padding a0..a5;
 * key material 00 01 .. 3f (K_2 = 00..1f, K_1 = 20..3f).
 */
#define CP_PLAIN "00000018" "06" "05" "0000000c" \
	"7373682d7573657261757468" "a0a1a2a3a4a5"
static const struct {
	uint32_t seqnr;
	const char *wire;
} cp_golden[] = {
	{ 7, "a39afcb22e4315434e8f592d0440ce83b2fdb25940da9097dc409926"
	     "22aaa9c7d18e441d8bb1dcf49a56615e" },
	{ 0xfffffffe, "69a614d0317f5c9cde28ff488ad0319d1b6b567ae179388cf3f22bf4"
	     "cddbbeb86222b4acbc4f0b45dcce090f" },
};

static void
test_chachapoly(void)
{
	const struct cipher *cp = cipher_by_name("chacha20-poly1305@openssh.com");
	uint8_t key[64], plain[28], wire[44], out[44], back[44], guard[44];
	struct cipher_ctx *enc = NULL, *dec = NULL;
	uint32_t len;
	size_t i;

	TEST_START("chacha20-poly1305 table entry");
	ASSERT_PTR_NE(cp, NULL);
	if (cp == NULL)
		return;
	ASSERT_INT_EQ(cp->key_len, 64);
	ASSERT_INT_EQ(cp->iv_len, 0);
	ASSERT_INT_EQ(cp->block_size, 8);
	ASSERT_INT_EQ(cp->tag_len, 16);
	ASSERT_TRUE(cp->is_aead && !cp->needs_mac);
	ASSERT_TRUE(cipher_is_available(cp));
	TEST_DONE();

	for (i = 0; i < 64; i++)
		key[i] = (uint8_t)i;
	(void)unhex(CP_PLAIN, plain, sizeof(plain));
	ASSERT_INT_EQ(cipher_init(&enc, cp, key, 64, NULL, 0, true), 0);
	ASSERT_INT_EQ(cipher_init(&dec, cp, key, 64, NULL, 0, false), 0);
	for (i = 0; i < sizeof(cp_golden) / sizeof(cp_golden[0]); i++) {
		TEST_START(i == 0 ? "chacha20-poly1305 golden packet, seqnr 7" :
		    "chacha20-poly1305 golden packet, seqnr 0xfffffffe");
		(void)unhex(cp_golden[i].wire, wire, sizeof(wire));
		ASSERT_INT_EQ(cipher_crypt(enc, cp_golden[i].seqnr, out, plain,
		    24, 4, 16), 0);
		ASSERT_MEM_EQ(out, wire, sizeof(wire));
		ASSERT_INT_EQ(cipher_get_length(dec, cp_golden[i].seqnr, wire,
		    4, &len), 0);
		ASSERT_U64_EQ(len, 24);
		ASSERT_INT_EQ(cipher_crypt(dec, cp_golden[i].seqnr, back, wire,
		    24, 4, 16), 0);
		ASSERT_MEM_EQ(back, plain, sizeof(plain));
		/* In place. */
		memcpy(back, wire, sizeof(wire));
		ASSERT_INT_EQ(cipher_crypt(dec, cp_golden[i].seqnr, back, back,
		    24, 4, 16), 0);
		ASSERT_MEM_EQ(back, plain, sizeof(plain));
		TEST_DONE();
	}

	TEST_START("chacha20-poly1305 refuses tampering before decrypting");
	(void)unhex(cp_golden[0].wire, wire, sizeof(wire));
	memset(guard, 0x55, sizeof(guard));
	for (i = 0; i < sizeof(wire); i++) {
		memcpy(back, guard, sizeof(back));
		wire[i] ^= 0x01;
		ASSERT_INT_EQ(cipher_crypt(dec, 7, back, wire, 24, 4, 16),
		    HS_ERR_AEAD_TAG);
		/* Nothing was written: the tag is checked first. */
		ASSERT_MEM_EQ(back, guard, sizeof(back));
		wire[i] ^= 0x01;
	}
	/* Wrong sequence number (nonce). */
	ASSERT_INT_EQ(cipher_crypt(dec, 8, back, wire, 24, 4, 16),
	    HS_ERR_AEAD_TAG);
	/* The length decrypts under another seqnr to garbage, not 24. */
	ASSERT_INT_EQ(cipher_get_length(dec, 8, wire, 4, &len), 0);
	ASSERT_INT_NE(len, 24);
	ASSERT_INT_EQ(cipher_crypt(dec, 7, back, wire, 24, 4, 15),
	    HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();
	cipher_free(enc);
	cipher_free(dec);
}

static void
test_table(void)
{
	static const char *banned[] = { "aes128-cbc", "aes256-cbc",
	    "3des-cbc", "blowfish-cbc", "arcfour", "arcfour256", "none",
	    "rijndael-cbc@lysator.liu.se", "cast128-cbc" };
	const struct cipher *c;
	struct cipher_ctx *ctx = NULL;
	uint8_t key[64] = { 0 };
	size_t i;

	TEST_START("cipher table: no CBC, no 3DES, no none; sane entries");
	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		ASSERT_PTR_EQ(cipher_by_name(banned[i]), NULL);
	for (i = 0; (c = cipher_at(i)) != NULL; i++) {
		ASSERT_PTR_EQ(cipher_by_name(c->name), c);
		ASSERT_TRUE(c->block_size >= 8 && c->block_size <= 16);
		ASSERT_INT_EQ(c->is_aead, !c->needs_mac);
		ASSERT_INT_EQ(c->is_aead, c->tag_len == 16);
		ASSERT_TRUE(c->key_len <= 64);
	}
#ifdef HAVE_OPENSSL
	ASSERT_INT_EQ(i, 6);
#else
	ASSERT_INT_EQ(i, 2);
	ASSERT_PTR_EQ(cipher_by_name("aes128-ctr"), NULL);
#endif
	TEST_DONE();

	TEST_START("cipher_init checks lengths and never returns on failure");
	c = cipher_by_name("chacha20-poly1305@openssh.com");
	ASSERT_INT_EQ(cipher_init(&ctx, c, key, 32, NULL, 0, true),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(ctx, NULL);
	ASSERT_INT_EQ(cipher_init(&ctx, c, key, 64, key, 12, true),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(cipher_init(&ctx, NULL, key, 64, NULL, 0, true),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(cipher_init_impl(&ctx, c, key, 64, NULL, 0, true,
	    CIPHER_IMPL_OPENSSL), HS_ERR_KEY_UNSUPPORTED);
	ASSERT_PTR_EQ(ctx, NULL);
	cipher_free(NULL);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_hmac_vectors();
	test_mac_packet();
	test_table();
	test_gcm_vectors();
	test_gcm_invocation_counter();
#ifdef HAVE_OPENSSL
	test_ctr_vectors();
#else
	TEST_SKIP("SP 800-38A CTR vectors", "built without OpenSSL");
#endif
	test_chacha20_keystream();
	test_chachapoly();
	return tap_finish();
}
