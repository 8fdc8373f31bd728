/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the FIDO security-key types in common/key (key-sk.c and
 * the signature envelope in key.c): sk-ssh-ed25519@openssh.com and, with
 * OpenSSL, sk-ecdsa-sha2-nistp256@openssh.com.  No authenticator is
 * needed: a security key's signature is an ordinary Ed25519 / ECDSA
 * signature over SHA256(application) || flags || counter || SHA256(data)
 * (PROTOCOL.u2f), so the test makes them itself from the ssh-keygen
 * fixture keys of test-key.c, whose public halves it wraps into
 * security-key blobs.
 *
 * Known answers: the two public key lines below were written from those
 * fixture keys with application "ssh:" and fingerprinted with ssh-keygen
 * -l -E sha256 (OpenSSH 9.2p1); the two signatures are over the SSHSIG
 * signed data of the message "hello sk\n" in namespace "file", and
 * ssh-keygen -Y verify (OpenSSH 9.2p1) accepted each of them as a
 * "Good "file" signature" for its key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "tests/tap.h"

#define SK_ED_NAME	"sk-ssh-ed25519@openssh.com"
#define SK_EC_NAME	"sk-ecdsa-sha2-nistp256@openssh.com"

/* The ssh-keygen (OpenSSH 9.2p1) fixture keys of test-key.c. */
static const char fx_ed25519_priv[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	"QyNTUxOQAAACCU+tUiBF+2TFySvYgo5FbdBeTKJ5wZoEOUmwkaweS5cAAAAJjvmhmL75oZ\n"
	"iwAAAAtzc2gtZWQyNTUxOQAAACCU+tUiBF+2TFySvYgo5FbdBeTKJ5wZoEOUmwkaweS5cA\n"
	"AAAEAiI74ZQUQJZIf3tt3zR+tWzhqQrgtDgxCPfJuQyaRJtpT61SIEX7ZMXJK9iCjkVt0F\n"
	"5MonnBmgQ5SbCRrB5LlwAAAAD2ZpeHR1cmUtZWQyNTUxOQECAwQFBg==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

static const char fx_ecdsa_priv[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n"
	"1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQqO7yLO1aFo6fyyPJZrJp5cX59532b\n"
	"uTXTh5SfHqnPJiLgKZAubJerFfDRkgwxKYnVyyoJYI10+uR4luvvFJAOAAAAqEJi84xCYv\n"
	"OMAAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCo7vIs7VoWjp/LI\n"
	"8lmsmnlxfn3nfZu5NdOHlJ8eqc8mIuApkC5sl6sV8NGSDDEpidXLKglgjXT65HiW6+8UkA\n"
	"4AAAAgYM0zW5Jd7OtstU1T/tjK6926C+RLy5fDA71BdijjWqUAAAANZml4dHVyZS1lY2Rz\n"
	"YQECAw==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

/* Those keys as security keys with application "ssh:". */
static const char fx_ed_sk_pub[] =
	"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t"
	"AAAAIJT61SIEX7ZMXJK9iCjkVt0F5MonnBmgQ5SbCRrB5LlwAAAABHNzaDo= "
	"fixture-ed-sk";
static const char fx_ec_sk_pub[] =
	"sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAy"
	"NTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBCo7vIs7VoWjp/LI8lmsmnlxfn3"
	"nfZu5NdOHlJ8eqc8mIuApkC5sl6sV8NGSDDEpidXLKglgjXT65HiW6+8UkA4AAAAEc3"
	"NoOg== fixture-ec-sk";
/* As ssh-keygen -l -E sha256 -f printed them ("256 ... (ED25519-SK)",
 * "256 ... (ECDSA-SK)"). */
#define FX_ED_SK_FP	"SHA256:mFm8GaED8n6WhGBh1Mp+jlTi1WdLICBFFUiNq/Nzohw"
#define FX_EC_SK_FP	"SHA256:K958d64oLlWWesSeVismgaAbqffewokY0wEF0oeBWWc"

/* Signatures ssh-keygen -Y verify accepted (see the top). */
#define KAT_ED_FLAGS	0x01
#define KAT_ED_COUNTER	7u
static const char kat_ed_sig[] =
	"0000001a736b2d7373682d65643235353139406f70656e7373682e636f6d"
	"00000040a3e30fca354fe83ceff03849b7f7a5b9627ab34e34c11d9945eb6e"
	"67ff7b25e5286cfa5fcf51c1718e516e03206d5f223c97823b9ff49c10cdb7"
	"d2f3c5410b0c"
	"01" "00000007";
#define KAT_EC_FLAGS	0x05
#define KAT_EC_COUNTER	0x01020304u
static const char kat_ec_sig[] =
	"00000022736b2d65636473612d736861322d6e69737470323536406f70656e"
	"7373682e636f6d"
	"00000049"
	"000000210092ea2131f28fd58b1a5790401b08dbf9667e57cc8e06f3a2cfbd"
	"d4f73a191b0a"
	"0000002070d374bc6bbb113e0a051cc8aa1e75d5120c959dba6f92eeb87b1d"
	"84a85475c0"
	"05" "01020304";

#ifdef HAVE_OPENSSL
static const bool have_openssl = true;
#else
static const bool have_openssl = false;
#endif

/* ---- helpers ------------------------------------------------------------ */

static struct buf *
xbuf(void)
{
	struct buf *b = buf_new();

	if (b == NULL)
		abort();
	return b;
}

static struct buf *
unhex_buf(const char *hex)
{
	uint8_t tmp[1024];
	size_t n = tap_unhex(hex, tmp, sizeof(tmp));
	struct buf *b = buf_from(tmp, n);

	if (b == NULL)
		abort();
	return b;
}

/* The data the known-answer signatures sign: PROTOCOL.sshsig's signed
 * data for "hello sk\n", namespace "file", hash sha512. */
static struct buf *
kat_data(void)
{
	static const char msg[] = "hello sk\n";
	uint8_t h[crypto_hash_sha512_BYTES];
	struct buf *b = xbuf();

	crypto_hash_sha512(h, (const uint8_t *)msg, sizeof(msg) - 1);
	buf_put(b, "SSHSIG", 6);
	buf_put_cstring(b, "file");
	buf_put_cstring(b, "");
	buf_put_cstring(b, "sha512");
	buf_put_string(b, h, sizeof(h));
	return b;
}

/* A writable copy of b with one bit flipped at offset off. */
static struct buf *
flip_bit(const struct buf *b, size_t off, unsigned int bit)
{
	struct buf *c = xbuf();
	uint8_t *p;

	if (buf_putb(c, b) != 0 || (p = buf_mutable_ptr(c)) == NULL ||
	    off >= buf_len(c))
		abort();
	p[off] ^= (uint8_t)(1u << bit);
	return c;
}

static struct key *
load_priv(const char *text)
{
	struct key *k = NULL;

	if (key_parse_private((const uint8_t *)text, strlen(text), &k,
	    NULL) != 0)
		return NULL;
	return k;
}

/*
 * The blob of base's public key as a security key with application app
 * (the fields written by hand, as PROTOCOL.u2f lays them out).
 */
static struct buf *
sk_blob(const struct key *base, const char *app)
{
	struct buf *plain = xbuf(), *out = xbuf();
	struct buf *rd;
	char *type = NULL, *curve = NULL;
	uint8_t *field = NULL;
	size_t len = 0;

	if (key_to_blob(base, plain) != 0 ||
	    (rd = buf_from(buf_ptr(plain), buf_len(plain))) == NULL ||
	    buf_get_cstring(rd, 64, &type, NULL) != 0)
		abort();
	if (strcmp(type, "ssh-ed25519") == 0) {
		if (buf_get_string(rd, 64, &field, &len) != 0)
			abort();
		buf_put_cstring(out, SK_ED_NAME);
		buf_put_string(out, field, len);
	} else if (strcmp(type, "ecdsa-sha2-nistp256") == 0) {
		if (buf_get_cstring(rd, 64, &curve, NULL) != 0 ||
		    buf_get_string(rd, 256, &field, &len) != 0)
			abort();
		buf_put_cstring(out, SK_EC_NAME);
		buf_put_cstring(out, curve);
		buf_put_string(out, field, len);
	} else
		abort();
	buf_put_cstring(out, app);
	free(type);
	free(curve);
	free(field);
	buf_free(rd);
	buf_free(plain);
	return out;
}

static int
blob_parse(const struct buf *b, struct key **ret)
{
	struct key *k = NULL;
	int r;

	r = key_from_blob(buf_ptr(b), buf_len(b), &k);
	if (ret != NULL)
		*ret = k;
	else
		key_free(k);
	return r;
}

static struct key *
sk_key(const struct key *base, const char *app)
{
	struct buf *b = sk_blob(base, app);
	struct key *k = NULL;

	if (blob_parse(b, &k) != 0)
		k = NULL;
	buf_free(b);
	return k;
}

enum sk_sig_mode {
	SIG_GOOD,		/* what an authenticator makes */
	SIG_RAW_DATA,		/* signed the data, not the sk message */
	SIG_NO_APP_HASH,	/* the message without SHA256(application) */
};

/*
 * A security-key signature made with priv (the key inside the
 * "authenticator") for application app: string alg, string sigblob,
 * byte flags, uint32 counter.
 */
static struct buf *
sk_sig(const struct key *priv, const char *app, uint8_t flags,
    uint32_t counter, const uint8_t *data, size_t len, enum sk_sig_mode mode)
{
	uint8_t apph[32], datah[32];
	struct buf *msg = xbuf(), *sig = xbuf(), *out = xbuf(), *rd, *blob;
	char *alg = NULL;

	crypto_hash_sha256(apph, (const uint8_t *)app, strlen(app));
	crypto_hash_sha256(datah, data, len);
	if (mode != SIG_NO_APP_HASH)
		buf_put(msg, apph, sizeof(apph));
	buf_put_u8(msg, flags);
	buf_put_u32(msg, counter);
	buf_put(msg, datah, sizeof(datah));
	if (mode == SIG_RAW_DATA) {
		buf_reset(msg);
		buf_put(msg, data, len);
	}
	/* Ed25519, or ECDSA P-256 with SHA-256: what the key types use. */
	if (key_sign(priv, NULL, buf_ptr(msg), buf_len(msg), sig) != 0 ||
	    (rd = buf_from(buf_ptr(sig), buf_len(sig))) == NULL ||
	    buf_get_cstring(rd, 64, &alg, NULL) != 0 ||
	    buf_froms(rd, 1024, &blob) != 0 || buf_get_end(rd) != 0)
		abort();
	buf_put_cstring(out, key_type(priv) == KEY_ED25519 ? SK_ED_NAME :
	    SK_EC_NAME);
	buf_put_stringb(out, blob);
	buf_put_u8(out, flags);
	buf_put_u32(out, counter);
	free(alg);
	buf_free(blob);
	buf_free(rd);
	buf_free(sig);
	buf_free(msg);
	return out;
}

/* key_verify_sk that must fail with code and leave the outputs alone. */
static void
verify_fails(const struct key *k, const char *alg, const struct buf *sig,
    const struct buf *data, int code, int srcline)
{
	uint8_t flags = 0xaa;
	uint32_t counter = 0xaaaaaaaa;
	int r;

	r = key_verify_sk(k, alg, buf_ptr(sig), buf_len(sig), buf_ptr(data),
	    buf_len(data), &flags, &counter);
	if (r != code)
		tap_fail(__FILE__, srcline, "key_verify_sk: %d (%s) != %d", r,
		    hs_err_str(r), code);
	if (flags != 0xaa || counter != 0xaaaaaaaa)
		tap_fail(__FILE__, srcline, "outputs set on failure");
	if (key_verify(k, alg, buf_ptr(sig), buf_len(sig), buf_ptr(data),
	    buf_len(data)) == 0)
		tap_fail(__FILE__, srcline, "key_verify accepted it");
}
#define VERIFY_FAILS(k, alg, sig, data, code) \
	verify_fails((k), (alg), (sig), (data), (code), __LINE__)

/* The armor ssh-keygen writes: 70 columns, final newline. */
static char *
armor(const struct buf *bin)
{
	size_t b64size = sodium_base64_ENCODED_LEN(buf_len(bin),
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64size), *out;
	size_t i, o, n;

	if (b64 == NULL || (out = malloc(b64size + b64size / 70 + 128)) == NULL)
		abort();
	sodium_bin2base64(b64, b64size, buf_ptr(bin), buf_len(bin),
	    sodium_base64_VARIANT_ORIGINAL);
	n = strlen(b64);
	o = (size_t)snprintf(out, 64, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	for (i = 0; i < n; i++) {
		out[o++] = b64[i];
		if (i % 70 == 69 || i == n - 1)
			out[o++] = '\n';
	}
	o += (size_t)snprintf(out + o, 64, "-----END OPENSSH PRIVATE KEY-----\n");
	free(b64);
	return out;
}

/*
 * An unencrypted openssh-key-v1 file of a security key as ssh-keygen -t
 * ed25519-sk / ecdsa-sk writes one (PROTOCOL.u2f's private half: the
 * public fields, application, flags, key handle, reserved).
 */
static char *
sk_private_file(const struct buf *pubblob)
{
	static const uint8_t handle[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
	struct buf *body = xbuf(), *priv = xbuf(), *rd;
	char *type = NULL, *text;
	uint8_t pad;

	/* The private half repeats the public blob's fields. */
	if ((rd = buf_from(buf_ptr(pubblob), buf_len(pubblob))) == NULL ||
	    buf_get_cstring(rd, 64, &type, NULL) != 0)
		abort();
	buf_put(body, "openssh-key-v1", 15);
	buf_put_cstring(body, "none");
	buf_put_cstring(body, "none");
	buf_put_cstring(body, "");
	buf_put_u32(body, 1);
	buf_put_stringb(body, pubblob);
	buf_put_u32(priv, 0x11223344);
	buf_put_u32(priv, 0x11223344);
	buf_put_cstring(priv, type);
	buf_put(priv, buf_ptr(rd), buf_len(rd));	/* key fields, app */
	buf_put_u8(priv, KEY_SK_FLAG_UP);
	buf_put_string(priv, handle, sizeof(handle));
	buf_put_cstring(priv, "");
	buf_put_cstring(priv, "fixture-sk");
	for (pad = 1; buf_len(priv) % 8 != 0; pad++)
		buf_put_u8(priv, pad);
	buf_put_stringb(body, priv);
	text = armor(body);
	free(type);
	buf_free(rd);
	buf_free(priv);
	buf_free(body);
	return text;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_types(void)
{
	struct key *k = NULL;

	TEST_START("security-key type names");
	ASSERT_INT_EQ(key_type_from_name(SK_ED_NAME), KEY_SK_ED25519);
	ASSERT_INT_EQ(key_type_from_name(SK_EC_NAME), KEY_SK_ECDSA_P256);
	ASSERT_INT_EQ(key_type_from_name("sk-ssh-ed25519-cert-v01@openssh.com"),
	    KEY_UNSPEC);
	ASSERT_INT_EQ(key_type_from_name(
	    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"), KEY_UNSPEC);
	ASSERT_TRUE(key_type_is_sk(KEY_SK_ED25519));
	ASSERT_TRUE(key_type_is_sk(KEY_SK_ECDSA_P256));
	ASSERT_FALSE(key_type_is_sk(KEY_ED25519));
	ASSERT_FALSE(key_type_is_sk(KEY_ECDSA_P256));
	ASSERT_FALSE(key_type_is_sk(KEY_UNSPEC));
	ASSERT_TRUE(key_type_supported(KEY_SK_ED25519));
	ASSERT_INT_EQ(key_type_supported(KEY_SK_ECDSA_P256), have_openssl);
	/* The values before them did not move. */
	ASSERT_INT_EQ(KEY_ECDSA_P521, 5);
	ASSERT_INT_EQ(KEY_SK_ED25519, 6);
	ASSERT_INT_EQ(KEY_SK_ECDSA_P256, 7);
	TEST_DONE();

	TEST_START("security keys cannot be generated here");
	ASSERT_INT_EQ(key_generate(KEY_SK_ED25519, 0, &k),
	    HS_ERR_KEY_UNSUPPORTED);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_INT_EQ(key_generate(KEY_SK_ECDSA_P256, 0, &k),
	    HS_ERR_KEY_UNSUPPORTED);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_PTR_EQ(key_sk_application(NULL), NULL);
	TEST_DONE();
}

/* A fixture line: parse, names, size, fingerprint, exact re-format. */
static void
fixture_line(const char *name, const char *line, enum key_type type,
    const char *shortname, const char *fp_want, const struct key *base)
{
	struct key *k = NULL, *copy = NULL, *again = NULL;
	char *comment = NULL, *fp = NULL, *out = NULL;
	struct buf *hand;

	TEST_START(name);
	ASSERT_INT_EQ(key_parse_public(line, strlen(line), &k, &comment), 0);
	if (k == NULL) {
		TEST_DONE();
		return;
	}
	ASSERT_INT_EQ(key_type(k), type);
	ASSERT_STR_EQ(key_type_name(k), type == KEY_SK_ED25519 ? SK_ED_NAME :
	    SK_EC_NAME);
	ASSERT_STR_EQ(key_type_short(k), shortname);
	ASSERT_INT_EQ(key_bits(k), 256);
	ASSERT_FALSE(key_is_private(k));
	ASSERT_STR_EQ(key_sk_application(k), "ssh:");
	ASSERT_STR_EQ(comment, strrchr(line, ' ') + 1);
	ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
	ASSERT_STR_EQ(fp, fp_want);
	/* Written back exactly as ssh-keygen reads it. */
	ASSERT_INT_EQ(key_format_public(k, comment, &out), 0);
	ASSERT_STR_EQ(out, line);
	/* The same key as the blob built by hand from the plain key. */
	hand = sk_blob(base, "ssh:");
	ASSERT_INT_EQ(blob_parse(hand, &again), 0);
	ASSERT_TRUE(key_equal_public(k, again));
	/* A security key never equals its plain twin. */
	ASSERT_FALSE(key_equal_public(k, base));
	ASSERT_INT_EQ(key_public_copy(k, &copy), 0);
	ASSERT_TRUE(key_equal_public(k, copy));
	ASSERT_STR_EQ(key_sk_application(copy), "ssh:");
	ASSERT_PTR_EQ(key_sk_application(base), NULL);
	buf_free(hand);
	key_free(again);
	key_free(copy);
	key_free(k);
	free(comment);
	free(fp);
	free(out);
	TEST_DONE();
}

/* The known answers, and the same signature made here (Ed25519 signing
 * is deterministic: the bytes must be identical). */
static void
known_answer(const char *name, const struct key *priv, const char *line,
    const char *kat_hex, uint8_t kat_flags, uint32_t kat_counter,
    bool deterministic)
{
	struct key *k = NULL;
	struct buf *data = kat_data(), *kat = unhex_buf(kat_hex), *mine;
	const char *alg;
	uint8_t flags = 0;
	uint32_t counter = 0;

	TEST_START(name);
	ASSERT_INT_EQ(key_parse_public(line, strlen(line), &k, NULL), 0);
	if (k == NULL) {
		TEST_DONE();
		goto out;
	}
	alg = key_type_name(k);
	ASSERT_INT_EQ(key_verify_sk(k, alg, buf_ptr(kat), buf_len(kat),
	    buf_ptr(data), buf_len(data), &flags, &counter), 0);
	ASSERT_INT_EQ(flags, kat_flags);
	ASSERT_U64_EQ(counter, kat_counter);
	ASSERT_INT_EQ(key_verify_sk(k, NULL, buf_ptr(kat), buf_len(kat),
	    buf_ptr(data), buf_len(data), NULL, NULL), 0);
	ASSERT_INT_EQ(key_verify(k, alg, buf_ptr(kat), buf_len(kat),
	    buf_ptr(data), buf_len(data)), 0);
	mine = sk_sig(priv, "ssh:", kat_flags, kat_counter, buf_ptr(data),
	    buf_len(data), SIG_GOOD);
	if (deterministic) {
		ASSERT_INT_EQ(buf_len(mine), buf_len(kat));
		ASSERT_TRUE(buf_equal(mine, kat));
	}
	ASSERT_INT_EQ(key_verify_sk(k, alg, buf_ptr(mine), buf_len(mine),
	    buf_ptr(data), buf_len(data), &flags, &counter), 0);
	buf_free(mine);
	key_free(k);
	TEST_DONE();
 out:
	buf_free(data);
	buf_free(kat);
}

static void
test_sign_verify(const char *label, const struct key *priv,
    const struct key *other_priv)
{
	static const uint8_t flag_cases[] = { 0x00, 0x01, 0x04, 0x05, 0x80,
	    0xff };
	static const uint32_t counter_cases[] = { 0, 1, 0x7fffffff,
	    0xffffffff };
	static const char data_text[] = "userauth request data";
	struct key *k = sk_key(priv, "ssh:"), *k_app = sk_key(priv, "ssh:x");
	struct key *other = other_priv != NULL ? sk_key(other_priv, "ssh:") :
	    NULL;
	struct buf *data = xbuf(), *data2 = xbuf(), *sig, *bad;
	char name[128];
	const char *alg;
	uint8_t flags;
	uint32_t counter;
	size_t i, j;

	buf_put(data, data_text, sizeof(data_text) - 1);
	buf_put(data2, data_text, sizeof(data_text) - 2);
	snprintf(name, sizeof(name), "%s: flags and counter come back", label);
	TEST_START(name);
	ASSERT_PTR_NE(k, NULL);
	ASSERT_PTR_NE(k_app, NULL);
	if (k == NULL || k_app == NULL) {
		TEST_DONE();
		goto out;
	}
	alg = key_type_name(k);
	for (i = 0; i < sizeof(flag_cases); i++)
		for (j = 0; j < sizeof(counter_cases) /
		    sizeof(counter_cases[0]); j++) {
			sig = sk_sig(priv, "ssh:", flag_cases[i],
			    counter_cases[j], buf_ptr(data), buf_len(data),
			    SIG_GOOD);
			flags = 0;
			counter = 0;
			ASSERT_INT_EQ(key_verify_sk(k, alg, buf_ptr(sig),
			    buf_len(sig), buf_ptr(data), buf_len(data),
			    &flags, &counter), 0);
			ASSERT_INT_EQ(flags, flag_cases[i]);
			ASSERT_U64_EQ(counter, counter_cases[j]);
			buf_free(sig);
		}
	/* Empty data is data too. */
	sig = sk_sig(priv, "ssh:", 1, 9, NULL, 0, SIG_GOOD);
	ASSERT_INT_EQ(key_verify_sk(k, alg, buf_ptr(sig), buf_len(sig), NULL,
	    0, &flags, &counter), 0);
	buf_free(sig);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: tampering is refused", label);
	TEST_START(name);
	sig = sk_sig(priv, "ssh:", KEY_SK_FLAG_UP, 42, buf_ptr(data),
	    buf_len(data), SIG_GOOD);
	ASSERT_INT_EQ(key_verify_sk(k, alg, buf_ptr(sig), buf_len(sig),
	    buf_ptr(data), buf_len(data), NULL, NULL), 0);
	/* The last five bytes, flags then counter, changed one bit at a
	 * time: UP cleared, UV set, any counter bit. */
	for (i = buf_len(sig) - 5; i < buf_len(sig); i++)
		for (j = 0; j < 8; j++) {
			bad = flip_bit(sig, i, (unsigned int)j);
			VERIFY_FAILS(k, alg, bad, data, HS_ERR_SIGNATURE);
			buf_free(bad);
		}
	/* The signature blob itself. */
	bad = flip_bit(sig, 4 + strlen(alg) + 4 + 3, 4);
	VERIFY_FAILS(k, alg, bad, data, HS_ERR_SIGNATURE);
	buf_free(bad);
	/* Other data, another application, another key. */
	VERIFY_FAILS(k, alg, sig, data2, HS_ERR_SIGNATURE);
	VERIFY_FAILS(k_app, alg, sig, data, HS_ERR_SIGNATURE);
	if (other != NULL)
		VERIFY_FAILS(other, alg, sig, data, HS_ERR_SIGNATURE);
	buf_free(sig);
	/* Signed over the wrong message. */
	sig = sk_sig(priv, "ssh:", 1, 42, buf_ptr(data), buf_len(data),
	    SIG_RAW_DATA);
	VERIFY_FAILS(k, alg, sig, data, HS_ERR_SIGNATURE);
	buf_free(sig);
	sig = sk_sig(priv, "ssh:", 1, 42, buf_ptr(data), buf_len(data),
	    SIG_NO_APP_HASH);
	VERIFY_FAILS(k, alg, sig, data, HS_ERR_SIGNATURE);
	buf_free(sig);
	/* The application that was signed for verifies. */
	sig = sk_sig(priv, "ssh:x", 1, 42, buf_ptr(data), buf_len(data),
	    SIG_GOOD);
	ASSERT_INT_EQ(key_verify_sk(k_app, alg, buf_ptr(sig), buf_len(sig),
	    buf_ptr(data), buf_len(data), NULL, NULL), 0);
	VERIFY_FAILS(k, alg, sig, data, HS_ERR_SIGNATURE);
	buf_free(sig);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: algorithm names and encodings",
	    label);
	TEST_START(name);
	sig = sk_sig(priv, "ssh:", 1, 42, buf_ptr(data), buf_len(data),
	    SIG_GOOD);
	/* The caller's algorithm must be the signature's. */
	VERIFY_FAILS(k, key_type(priv) == KEY_ED25519 ? "ssh-ed25519" :
	    "ecdsa-sha2-nistp256", sig, data, HS_ERR_SIG_ALG);
	VERIFY_FAILS(k, key_type(priv) == KEY_ED25519 ? SK_EC_NAME :
	    SK_ED_NAME, sig, data, HS_ERR_SIG_ALG);
	/* A security-key signature is not one of the plain key. */
	ASSERT_INT_EQ(key_verify(priv, NULL, buf_ptr(sig), buf_len(sig),
	    buf_ptr(data), buf_len(data)), HS_ERR_SIG_ALG);
	ASSERT_INT_EQ(key_verify_sk(priv, NULL, buf_ptr(sig), buf_len(sig),
	    buf_ptr(data), buf_len(data), NULL, NULL), HS_ERR_INVALID_ARGUMENT);
	/* Truncated envelopes: no prefix verifies. */
	for (i = 0; i < buf_len(sig); i++) {
		bad = buf_from(buf_ptr(sig), i);
		if (key_verify_sk(k, NULL, buf_ptr(bad), buf_len(bad),
		    buf_ptr(data), buf_len(data), NULL, NULL) == 0)
			tap_fail(__FILE__, __LINE__, "prefix %zu verified", i);
		buf_free(bad);
	}
	bad = buf_from(buf_ptr(sig), buf_len(sig) - 5);
	VERIFY_FAILS(k, alg, bad, data, HS_ERR_SHORT);
	buf_free(bad);
	bad = xbuf();
	buf_putb(bad, sig);
	buf_put_u8(bad, 0);
	VERIFY_FAILS(k, alg, bad, data, HS_ERR_TRAILING_DATA);
	buf_free(bad);
	buf_free(sig);
	/* A plain signature by the same private key, alone or in an sk
	 * envelope. */
	sig = xbuf();
	if (key_sign(priv, NULL, buf_ptr(data), buf_len(data), sig) != 0)
		abort();
	VERIFY_FAILS(k, NULL, sig, data, HS_ERR_SIG_ALG);
	buf_put_u8(sig, 1);
	buf_put_u32(sig, 1);
	VERIFY_FAILS(k, NULL, sig, data, HS_ERR_SIG_ALG);
	buf_free(sig);
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: no private operations", label);
	TEST_START(name);
	sig = xbuf();
	ASSERT_INT_EQ(key_sign(k, NULL, buf_ptr(data), buf_len(data), sig),
	    HS_ERR_KEY_UNSUPPORTED);
	ASSERT_INT_EQ(key_sign(k, alg, buf_ptr(data), buf_len(data), sig),
	    HS_ERR_KEY_UNSUPPORTED);
	ASSERT_INT_EQ(buf_len(sig), 0);
	ASSERT_INT_EQ(key_format_private(k, NULL, sig),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_INT_EQ(buf_len(sig), 0);
	buf_free(sig);
	TEST_DONE();
 out:
	key_free(k);
	key_free(k_app);
	key_free(other);
	buf_free(data);
	buf_free(data2);
}

static void
blob_truncations(const struct buf *blob, int srcline)
{
	struct buf *b;
	size_t i;

	for (i = 0; i < buf_len(blob); i++) {
		b = buf_from(buf_ptr(blob), i);
		if (blob_parse(b, NULL) == 0)
			tap_fail(__FILE__, srcline, "prefix %zu parsed", i);
		buf_free(b);
	}
	b = xbuf();
	buf_putb(b, blob);
	buf_put_u8(b, 0);
	if (blob_parse(b, NULL) != HS_ERR_TRAILING_DATA)
		tap_fail(__FILE__, srcline, "trailing byte not refused");
	buf_free(b);
	if (blob_parse(blob, NULL) != 0)
		tap_fail(__FILE__, srcline, "whole blob refused");
}

static void
test_blobs(const struct key *ed, const struct key *ec)
{
	struct buf *b, *out, *plain;
	struct key *k = NULL, *k2 = NULL;
	char app[2048], *fp1 = NULL, *fp2 = NULL, *line = NULL;
	uint8_t pk[32];

	TEST_START("ed25519-sk blob: round trips and applications");
	b = sk_blob(ed, "ssh:");
	ASSERT_INT_EQ(blob_parse(b, &k), 0);
	out = xbuf();
	ASSERT_INT_EQ(key_to_blob(k, out), 0);
	ASSERT_TRUE(buf_equal(out, b));
	buf_free(out);
	blob_truncations(b, __LINE__);
	buf_free(b);
	/* An empty application and a long one (OpenSSH sets no rule). */
	b = sk_blob(ed, "");
	ASSERT_INT_EQ(blob_parse(b, &k2), 0);
	ASSERT_STR_EQ(key_sk_application(k2), "");
	ASSERT_FALSE(key_equal_public(k, k2));
	key_free(k2);
	k2 = NULL;
	buf_free(b);
	memset(app, 'a', 1024);
	app[1024] = '\0';
	b = sk_blob(ed, app);
	ASSERT_INT_EQ(blob_parse(b, &k2), 0);
	ASSERT_INT_EQ(key_format_public(k2, NULL, &line), 0);
	key_free(k2);
	k2 = NULL;
	ASSERT_INT_EQ(key_parse_public(line, strlen(line), &k2, NULL), 0);
	ASSERT_STR_EQ(key_sk_application(k2), app);
	free(line);
	key_free(k2);
	k2 = NULL;
	buf_free(b);
	/* The application is part of the fingerprint. */
	k2 = sk_key(ed, "ssh:other");
	ASSERT_INT_EQ(key_fingerprint(k, &fp1), 0);
	ASSERT_INT_EQ(key_fingerprint(k2, &fp2), 0);
	ASSERT_TRUE(fp1 != NULL && fp2 != NULL && strcmp(fp1, fp2) != 0);
	free(fp1);
	free(fp2);
	key_free(k2);
	key_free(k);
	k = k2 = NULL;
	TEST_DONE();

	TEST_START("ed25519-sk blob: malformed");
	memset(pk, 0x5a, sizeof(pk));
	/* No application at all. */
	b = xbuf();
	buf_put_cstring(b, SK_ED_NAME);
	buf_put_string(b, pk, 32);
	ASSERT_INT_EQ(blob_parse(b, &k), HS_ERR_SHORT);
	ASSERT_PTR_EQ(k, NULL);
	/* An application with a NUL inside, one too long. */
	buf_put_string(b, "ssh:\0x", 6);
	ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_STRING_NUL);
	buf_reset(b);
	memset(app, 'a', 1025);
	app[1025] = '\0';
	buf_put_cstring(b, SK_ED_NAME);
	buf_put_string(b, pk, 32);
	buf_put_cstring(b, app);
	ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_TOO_LONG);
	/* Public keys of the wrong size. */
	buf_reset(b);
	buf_put_cstring(b, SK_ED_NAME);
	buf_put_string(b, pk, 31);
	buf_put_cstring(b, "ssh:");
	ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_KEY_FORMAT);
	buf_reset(b);
	buf_put_cstring(b, SK_ED_NAME);
	buf_put_u32(b, 33);
	buf_put(b, pk, 32);
	buf_put_u8(b, 0);
	buf_put_cstring(b, "ssh:");
	ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_TOO_LONG);
	/* A plain ed25519 blob under the security-key name. */
	buf_reset(b);
	plain = xbuf();
	if (key_to_blob(ed, plain) != 0)
		abort();
	buf_put_cstring(b, SK_ED_NAME);
	buf_put(b, buf_ptr(plain) + 4 + 11, buf_len(plain) - 4 - 11);
	ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_SHORT);
	buf_free(plain);
	buf_free(b);
	/* A line whose name and blob disagree, both ways. */
	{
		static const char sk_as_plain[] = "ssh-ed25519 "
		    "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIJT61SIEX7ZM"
		    "XJK9iCjkVt0F5MonnBmgQ5SbCRrB5LlwAAAABHNzaDo=";
		static const char plain_as_sk[] = SK_ED_NAME " "
		    "AAAAC3NzaC1lZDI1NTE5AAAAIJT61SIEX7ZMXJK9iCjkVt0F5MonnBmg"
		    "Q5SbCRrB5Llw";

		ASSERT_INT_EQ(key_parse_public(sk_as_plain,
		    strlen(sk_as_plain), &k, NULL), HS_ERR_KEY_FORMAT);
		ASSERT_INT_EQ(key_parse_public(plain_as_sk,
		    strlen(plain_as_sk), &k, NULL), HS_ERR_KEY_FORMAT);
		ASSERT_PTR_EQ(k, NULL);
	}
	TEST_DONE();

	if (ec == NULL) {
		TEST_START("ecdsa-sk without OpenSSL");
		ASSERT_INT_EQ(key_parse_public(fx_ec_sk_pub,
		    strlen(fx_ec_sk_pub), &k, NULL), HS_ERR_KEY_UNSUPPORTED);
		ASSERT_PTR_EQ(k, NULL);
		b = xbuf();
		buf_put_cstring(b, SK_EC_NAME);
		buf_put_cstring(b, "nistp256");
		ASSERT_INT_EQ(blob_parse(b, NULL), HS_ERR_KEY_UNSUPPORTED);
		buf_free(b);
		TEST_DONE();
		return;
	}

	TEST_START("ecdsa-sk blob: round trips and malformed");
	b = sk_blob(ec, "ssh:");
	ASSERT_INT_EQ(blob_parse(b, &k), 0);
	out = xbuf();
	ASSERT_INT_EQ(key_to_blob(k, out), 0);
	ASSERT_TRUE(buf_equal(out, b));
	buf_free(out);
	blob_truncations(b, __LINE__);
	/* type(4+34) curve(4+8) Q(4+65) application(4+4) */
	ASSERT_INT_EQ(buf_len(b), 38 + 12 + 69 + 8);
	{
		uint8_t q[65];
		struct buf *bb = xbuf();

		memcpy(q, buf_ptr(b) + 38 + 12 + 4, sizeof(q));
#define EC_SK_BLOB(curve, qp, qlen, app) do { buf_reset(bb); \
	buf_put_cstring(bb, SK_EC_NAME); buf_put_cstring(bb, curve); \
	buf_put_string(bb, qp, qlen); if ((app) != NULL) \
	buf_put_cstring(bb, (const char *)(app)); } while (0)
		EC_SK_BLOB("nistp256", q, 65, "ssh:");
		ASSERT_INT_EQ(blob_parse(bb, NULL), 0);
		EC_SK_BLOB("nistp256", q, 65, NULL);
		ASSERT_INT_EQ(blob_parse(bb, NULL), HS_ERR_SHORT);
		EC_SK_BLOB("nistp384", q, 65, "ssh:");
		ASSERT_INT_EQ(blob_parse(bb, NULL), HS_ERR_KEY_FORMAT);
		q[64] ^= 1;	/* off the curve */
		EC_SK_BLOB("nistp256", q, 65, "ssh:");
		ASSERT_INT_EQ(blob_parse(bb, NULL), HS_ERR_KEY_INVALID);
		q[64] ^= 1;
		q[0] = 0x02;	/* compressed */
		EC_SK_BLOB("nistp256", q, 33, "ssh:");
		ASSERT_INT_EQ(blob_parse(bb, NULL), HS_ERR_KEY_INVALID);
#undef EC_SK_BLOB
		buf_free(bb);
	}
	/* An ecdsa-sk blob under the ed25519-sk name. */
	out = xbuf();
	buf_put_cstring(out, SK_ED_NAME);
	buf_put(out, buf_ptr(b) + 38, buf_len(b) - 38);
	ASSERT_INT_EQ(blob_parse(out, NULL), HS_ERR_KEY_FORMAT);
	buf_free(out);
	buf_free(b);
	key_free(k);
	k = NULL;
	TEST_DONE();
}

static void
test_private_files(const struct key *ed, const struct key *ec)
{
	struct buf *pub;
	struct key *k = NULL;
	char *text, *comment = NULL;

	TEST_START("security-key private key files are refused");
	pub = sk_blob(ed, "ssh:");
	text = sk_private_file(pub);
	ASSERT_INT_EQ(key_parse_private((const uint8_t *)text, strlen(text),
	    &k, &comment), HS_ERR_KEY_UNSUPPORTED);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_PTR_EQ(comment, NULL);
	free(text);
	buf_free(pub);
	if (ec != NULL) {
		pub = sk_blob(ec, "ssh:");
		text = sk_private_file(pub);
		ASSERT_INT_EQ(key_parse_private((const uint8_t *)text,
		    strlen(text), &k, &comment), HS_ERR_KEY_UNSUPPORTED);
		ASSERT_PTR_EQ(k, NULL);
		free(text);
		buf_free(pub);
	}
	TEST_DONE();
}

int
main(void)
{
	struct key *ed, *ec = NULL, *ed2 = NULL, *ec2 = NULL;

	if (sodium_init() < 0)
		abort();
	if ((ed = load_priv(fx_ed25519_priv)) == NULL ||
	    key_generate(KEY_ED25519, 0, &ed2) != 0)
		abort();
	if (have_openssl && ((ec = load_priv(fx_ecdsa_priv)) == NULL ||
	    key_generate(KEY_ECDSA_P256, 0, &ec2) != 0))
		abort();

	test_types();
	fixture_line("ed25519-sk fixture line (ssh-keygen -l)", fx_ed_sk_pub,
	    KEY_SK_ED25519, "ED25519-SK", FX_ED_SK_FP, ed);
	known_answer("ed25519-sk known answer (ssh-keygen -Y verify)", ed,
	    fx_ed_sk_pub, kat_ed_sig, KAT_ED_FLAGS, KAT_ED_COUNTER, true);
	test_sign_verify("ed25519-sk", ed, ed2);
	if (ec != NULL) {
		fixture_line("ecdsa-sk fixture line (ssh-keygen -l)",
		    fx_ec_sk_pub, KEY_SK_ECDSA_P256, "ECDSA-SK", FX_EC_SK_FP,
		    ec);
		known_answer("ecdsa-sk known answer (ssh-keygen -Y verify)",
		    ec, fx_ec_sk_pub, kat_ec_sig, KAT_EC_FLAGS,
		    KAT_EC_COUNTER, false);
		test_sign_verify("ecdsa-sk", ec, ec2);
	} else
		TEST_SKIP("ecdsa-sk signatures", "built without OpenSSL");
	test_blobs(ed, ec);
	test_private_files(ed, ec);
	key_free(ed);
	key_free(ed2);
	key_free(ec);
	key_free(ec2);
	return tap_finish();
}
