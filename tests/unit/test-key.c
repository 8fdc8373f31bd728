/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of common/key: RFC 8032 Ed25519 known answers, fixtures made
 * once with OpenSSH's ssh-keygen (fingerprints as ssh-keygen -l -E sha256
 * printed them), blob / line / file round trips for every supported type,
 * sign/verify for every algorithm, and malformed input of every kind.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/mem.h"
#include "tests/tap.h"

/*
 * Fixtures: made with ssh-keygen (OpenSSH 9.2p1) -t ed25519 / -t ecdsa -b
 * 256 / -t rsa -b 2048, -N '' (and -N pass for the encrypted one).
 */
static const char fx_ed25519_priv[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	"QyNTUxOQAAACCU+tUiBF+2TFySvYgo5FbdBeTKJ5wZoEOUmwkaweS5cAAAAJjvmhmL75oZ\n"
	"iwAAAAtzc2gtZWQyNTUxOQAAACCU+tUiBF+2TFySvYgo5FbdBeTKJ5wZoEOUmwkaweS5cA\n"
	"AAAEAiI74ZQUQJZIf3tt3zR+tWzhqQrgtDgxCPfJuQyaRJtpT61SIEX7ZMXJK9iCjkVt0F\n"
	"5MonnBmgQ5SbCRrB5LlwAAAAD2ZpeHR1cmUtZWQyNTUxOQECAwQFBg==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

static const char fx_enc_priv[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABAzdUzBmR\n"
	"vAmC/TsE1/LmycAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIDxeKNmZZrdJ4fHT\n"
	"l8yZbtiWuQHL9VlELMxzH/8Qa5gXAAAAkPZnIJKtjH0HMbk1aKayEqbiGUppxzoPHi9pub\n"
	"LlLAwPSExc0+GzZtl0k+cKt2ybZcvZv2XYMdrJvYPxryfzFedWtkjlUtM4WkrWzDjz6QWs\n"
	"OBGDlVbYrMWnNlvY+FiFVvwqt5fAH8XyErNRtu7yQepgzWP00yvUJI+Bt4GPXp9H64jtYX\n"
	"+AP/HV0xbm35NTcg==\n"
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

static const char fx_rsa_priv[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn\n"
	"NhAAAAAwEAAQAAAQEAtOcOOnA/Nv3dD4italhwmPHkeF2UIC7D7SoqIO+CyqKMV0/bdgLK\n"
	"igUAig1kfb3E+d7osae9I1m3Esl9QRXlMqwjwQFTv4ulXDuQGB0PtksftEpBYpHBybNwFm\n"
	"LYbr5H7q7yUye7ofc4tb+YvVU7a13hUrlQChk2Wa7FPnVMYZFmq/BiZChzehTuzr88xeCn\n"
	"5PIH5g1zMXqcY1h0EznIS1qPlMT7F3aosjOSPcPDu9hB6XVV146hVroLKwVbr71wzMF4ki\n"
	"2MZzWqkdD2MLegMl7fpdFMEehopMhwo5YW70MkG/IoatQtpaVa3rj6Wm4aR8Kt2rBDdpVn\n"
	"H4jLzf8LlwAAA8Do3DqU6Nw6lAAAAAdzc2gtcnNhAAABAQC05w46cD82/d0PiK1qWHCY8e\n"
	"R4XZQgLsPtKiog74LKooxXT9t2AsqKBQCKDWR9vcT53uixp70jWbcSyX1BFeUyrCPBAVO/\n"
	"i6VcO5AYHQ+2Sx+0SkFikcHJs3AWYthuvkfurvJTJ7uh9zi1v5i9VTtrXeFSuVAKGTZZrs\n"
	"U+dUxhkWar8GJkKHN6FO7OvzzF4Kfk8gfmDXMxepxjWHQTOchLWo+UxPsXdqiyM5I9w8O7\n"
	"2EHpdVXXjqFWugsrBVuvvXDMwXiSLYxnNaqR0PYwt6AyXt+l0UwR6GikyHCjlhbvQyQb8i\n"
	"hq1C2lpVreuPpabhpHwq3asEN2lWcfiMvN/wuXAAAAAwEAAQAAAQBUjtoKO9R4lnJBpA/3\n"
	"MQ60lwDFuGwYHPPtBDP8AChhIli6KTQ6dbSJjiwB25+43L7ZUzXucKsKfpGB4RfAmATxyh\n"
	"/ORBoK4zHwqlDAzLi+61+O7NSiR+JOrya5+AsVvLCv4yuW7fAZFY92+O9itJfZKGE9wywk\n"
	"BEPw6K3+82I4Ci0l4Jmxsr4qK5dfJSAd1C/PuTDLVvmSKebvs9XT+wDvSroTrZ3NqnBuU3\n"
	"iz/GRXKeQDfFvRgRvoPqW9MHgACQ1dWi/oSpIIlVsp2tsnV5eIiNsNvakkgT1eIWDS8GBy\n"
	"xjxGOvmVdje45nGPgXQjny1o4V0l6GPiJbyz90gjTyplAAAAgFS6QEB+5Ofpb+FKNZMcCn\n"
	"qGRr9FQ26LURYAMh8K3BQbJBNzldO+RuTs7D/jAsvuVvbJcCppbK7WIBG5N5OI2wY/K/i/\n"
	"jGvURz1HfbBxnd6HVdDphbGPMjbR4kREsj6Zpvd8nNbDU7RmM4PmL3LmUXeSWPPW6oP3Ys\n"
	"WSEhjYwN7CAAAAgQD42/8feIaopWG/sysNaQ+hSyaDFKrVjBTCPH/iqS05D1iKIyIVYdCk\n"
	"mtnbU4uS4vWeKWmyiMXUJkcUYs80T+24K4rwMVJVfrPbaXKgKvYN9ks4bNxZ6V6Frv601Z\n"
	"Ms/EiziQ8EeRJEbT7PEnxMdYsVyOlgbYc6c4lfuJqlea1JrQAAAIEAuhfhYw72D1Uydn+a\n"
	"KHGGxhyRPwrBzAvh6tXZVit4V8aZ2H9OeOR5YqWcM5QsGH+/wsN26IQqGeozaQFLqJrSri\n"
	"0U2BLh/TtnZkK0en+gXLIDkdc0bPcb1xtjPtM+yq9Rz3MVSHw7fDIYC9RePlAHCiCm87z/\n"
	"TYI1TPAWYgrm2tMAAAALZml4dHVyZS1yc2E=\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

static const char fx_ed25519_pub[] =
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJT61SIEX7ZMXJK9iCjkVt0F"
	"5MonnBmgQ5SbCRrB5Llw fixture-ed25519";

static const char fx_ecdsa_pub[] =
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz"
	"dHAyNTYAAABBBCo7vIs7VoWjp/LI8lmsmnlxfn3nfZu5NdOHlJ8eqc8mIuAp"
	"kC5sl6sV8NGSDDEpidXLKglgjXT65HiW6+8UkA4= fixture-ecdsa";

static const char fx_rsa_pub[] =
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC05w46cD82/d0PiK1qWHCY"
	"8eR4XZQgLsPtKiog74LKooxXT9t2AsqKBQCKDWR9vcT53uixp70jWbcSyX1B"
	"FeUyrCPBAVO/i6VcO5AYHQ+2Sx+0SkFikcHJs3AWYthuvkfurvJTJ7uh9zi1"
	"v5i9VTtrXeFSuVAKGTZZrsU+dUxhkWar8GJkKHN6FO7OvzzF4Kfk8gfmDXMx"
	"epxjWHQTOchLWo+UxPsXdqiyM5I9w8O72EHpdVXXjqFWugsrBVuvvXDMwXiS"
	"LYxnNaqR0PYwt6AyXt+l0UwR6GikyHCjlhbvQyQb8ihq1C2lpVreuPpabhpH"
	"wq3asEN2lWcfiMvN/wuX fixture-rsa";

/* Fingerprints as printed by ssh-keygen -l -E sha256 -f FIXTURE.pub. */
#define FX_ED25519_FP	"SHA256:0UqtvIaimKTRi4gDXkM7HPQ5i7T0gw6O6ZZATuYR+28"
#define FX_ECDSA_FP	"SHA256:o7/4zrF5dz/cWp8lYTND4ktJfvxMjr+3xNtu0BosMpU"
#define FX_RSA_FP	"SHA256:GNfU+QtbE13qMZKbH5XR1kegLJZ1YS/W9cb+zDwsvOY"
/* ... and by ssh-keygen -l -E md5 -f FIXTURE.pub. */
#define FX_ED25519_MD5	"MD5:db:11:a5:75:0e:9d:9c:0f:79:30:0d:39:9b:ca:9a:23"
#define FX_ECDSA_MD5	"MD5:be:e0:55:7a:07:9a:dc:92:71:da:55:26:75:00:3c:66"
#define FX_RSA_MD5	"MD5:4b:72:a0:f5:e9:ca:2d:59:29:65:45:b3:88:91:bf:b6"

#define AUTH_MAGIC	"openssh-key-v1"	/* with its NUL: 15 bytes */

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

/* The armor ssh-keygen writes: 70 columns, final newline. */
static char *
armor(const struct buf *bin)
{
	size_t b64size = sodium_base64_ENCODED_LEN(buf_len(bin),
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64size), *out;
	size_t i, o = 0, n;

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

/* The binary body of an armored file (test-side decoder). */
static struct buf *
dearmor(const char *text)
{
	const char *s = strchr(text, '\n'), *e = strstr(text, "-----END");
	uint8_t *bin;
	size_t len;
	struct buf *b;

	if (s == NULL || e == NULL || e < s)
		abort();
	if ((bin = malloc(strlen(text))) == NULL)
		abort();
	if (sodium_base642bin(bin, strlen(text), s + 1, (size_t)(e - s - 1),
	    "\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		abort();
	if ((b = buf_from(bin, len)) == NULL)
		abort();
	free(bin);
	return b;
}

/* Parts of an openssh-key-v1 body. */
struct body {
	const char	*magic;		/* NULL: the real one */
	const char	*cipher;	/* NULL: "none" */
	const char	*kdf;		/* NULL: "none" */
	uint32_t	 kdfoptslen;
	uint32_t	 nkeys;
	const struct buf *pub;		/* outer public key blob */
	const struct buf *priv;		/* private section, padding excluded */
	enum { PAD_OK, PAD_WRONG, PAD_EXTRA_BLOCK, PAD_NONE } pad;
	bool		 trailing;	/* a byte after the private section */
};

static struct buf *
body_build(const struct body *bd)
{
	struct buf *b = xbuf(), *priv = xbuf();
	uint8_t pad;
	uint32_t i;

	if (bd->magic != NULL)
		buf_put(b, bd->magic, strlen(bd->magic) + 1);
	else
		buf_put(b, AUTH_MAGIC, sizeof(AUTH_MAGIC));
	buf_put_cstring(b, bd->cipher != NULL ? bd->cipher : "none");
	buf_put_cstring(b, bd->kdf != NULL ? bd->kdf : "none");
	buf_put_u32(b, bd->kdfoptslen);
	for (i = 0; i < bd->kdfoptslen; i++)
		buf_put_u8(b, 0);
	buf_put_u32(b, bd->nkeys);
	buf_put_stringb(b, bd->pub);
	buf_putb(priv, bd->priv);
	for (pad = 1; bd->pad != PAD_NONE && buf_len(priv) % 8 != 0; pad++)
		buf_put_u8(priv, bd->pad == PAD_WRONG && pad == 2 ? 7 : pad);
	if (bd->pad == PAD_EXTRA_BLOCK)
		for (i = 0; i < 8; i++)
			buf_put_u8(priv, pad++);
	if (bd->pad == PAD_NONE && buf_len(priv) % 8 == 0)
		buf_put_u8(priv, 1);	/* force a misaligned section */
	buf_put_stringb(b, priv);
	if (bd->trailing)
		buf_put_u8(b, 0);
	buf_free(priv);
	return b;
}

static void
ed_pub_blob(const uint8_t pk[32], struct buf *b)
{
	buf_put_cstring(b, "ssh-ed25519");
	buf_put_string(b, pk, 32);
}

/* The private section of an Ed25519 key made from seed (no padding). */
static struct buf *
ed_priv_section(const uint8_t seed[32], uint32_t c1, uint32_t c2,
    const char *type, const uint8_t *pk_override, const char *comment)
{
	struct buf *b = xbuf();
	uint8_t pk[32], sk[64];

	crypto_sign_seed_keypair(pk, sk, seed);
	buf_put_u32(b, c1);
	buf_put_u32(b, c2);
	buf_put_cstring(b, type);
	buf_put_string(b, pk_override != NULL ? pk_override : pk, 32);
	buf_put_string(b, sk, 64);
	buf_put_cstring(b, comment);
	sodium_memzero(sk, sizeof(sk));
	return b;
}

/* Parse an armored text, returning the error (and the key if asked). */
static int
parse_text(const char *text, struct key **ret, char **ret_comment)
{
	struct key *k = NULL;
	char *c = NULL;
	int r;

	r = key_parse_private((const uint8_t *)text, strlen(text), &k, &c);
	if (ret != NULL)
		*ret = k;
	else
		key_free(k);
	if (ret_comment != NULL)
		*ret_comment = c;
	else
		free(c);
	return r;
}

static int
parse_body(const struct buf *body)
{
	char *text = armor(body);
	int r = parse_text(text, NULL, NULL);

	free(text);
	return r;
}

/* An SSH signature encoding: string alg, string blob. */
static struct buf *
ssh_sig(const char *alg, const uint8_t *blob, size_t len)
{
	struct buf *b = xbuf();

	buf_put_cstring(b, alg);
	buf_put_string(b, blob, len);
	return b;
}

/* Split an SSH signature; the blob pointer is into sig. */
static void
sig_split(const struct buf *sig, char **alg, struct buf **blob)
{
	struct buf *b = buf_from(buf_ptr(sig), buf_len(sig));

	*alg = NULL;
	*blob = NULL;
	if (b == NULL || buf_get_cstring(b, 64, alg, NULL) != 0 ||
	    buf_froms(b, SIG_BLOB_MAX, blob) != 0 || buf_get_end(b) != 0)
		abort();
	buf_free(b);
}

/* ---- RFC 8032 §7.1 ------------------------------------------------------ */

static const struct {
	const char *name, *seed, *pk, *msg, *sig;
} rfc8032[] = {
	{ "RFC 8032 TEST 1",
	  "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "RFC 8032 TEST 2",
	  "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "RFC 8032 TEST 3",
	  "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

/* An Ed25519 private key file made from a seed, parsed by key.c. */
static struct key *
ed_key_from_seed(const uint8_t seed[32])
{
	struct body bd = { .nkeys = 1 };
	struct buf *pub = xbuf(), *priv, *body;
	uint8_t pk[32], sk[64];
	struct key *k = NULL;
	char *text;

	crypto_sign_seed_keypair(pk, sk, seed);
	ed_pub_blob(pk, pub);
	priv = ed_priv_section(seed, 0x01020304, 0x01020304, "ssh-ed25519",
	    NULL, "rfc8032");
	bd.pub = pub;
	bd.priv = priv;
	body = body_build(&bd);
	text = armor(body);
	if (parse_text(text, &k, NULL) != 0)
		k = NULL;
	free(text);
	buf_free(body);
	buf_free(priv);
	buf_free(pub);
	return k;
}

static void
test_rfc8032(void)
{
	uint8_t seed[32], pk[32], msg[16], expect[64];
	struct buf *sig, *blob, *good, *pubblob;
	struct key *k, *pub;
	size_t msglen, i;
	char *alg;

	for (i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		TEST_START(rfc8032[i].name);
		tap_unhex(rfc8032[i].seed, seed, sizeof(seed));
		tap_unhex(rfc8032[i].pk, pk, sizeof(pk));
		msglen = tap_unhex(rfc8032[i].msg, msg, sizeof(msg));
		tap_unhex(rfc8032[i].sig, expect, sizeof(expect));
		k = ed_key_from_seed(seed);
		ASSERT_PTR_NE(k, NULL);
		if (k == NULL) {
			TEST_DONE();
			continue;
		}
		/* The public blob carries the RFC's public key. */
		pubblob = xbuf();
		ASSERT_INT_EQ(key_to_blob(k, pubblob), 0);
		ASSERT_INT_EQ(buf_len(pubblob), 4 + 11 + 4 + 32);
		ASSERT_MEM_EQ(buf_ptr(pubblob) + 19, pk, 32);
		/* Signing reproduces the RFC's signature byte for byte. */
		sig = xbuf();
		ASSERT_INT_EQ(key_sign(k, NULL, msg, msglen, sig), 0);
		sig_split(sig, &alg, &blob);
		ASSERT_STR_EQ(alg, "ssh-ed25519");
		ASSERT_INT_EQ(buf_len(blob), 64);
		ASSERT_MEM_EQ(buf_ptr(blob), expect, 64);
		/* The RFC's signature verifies with the public key alone. */
		ASSERT_INT_EQ(key_from_blob(buf_ptr(pubblob),
		    buf_len(pubblob), &pub), 0);
		good = ssh_sig("ssh-ed25519", expect, 64);
		ASSERT_INT_EQ(key_verify(pub, "ssh-ed25519", buf_ptr(good),
		    buf_len(good), msg, msglen), 0);
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(good),
		    buf_len(good), msg, msglen), 0);
		/* ... and over nothing else. */
		msg[msglen] = 0x55;
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(good),
		    buf_len(good), msg, msglen + 1), HS_ERR_SIGNATURE);
		buf_free(good);
		expect[10] ^= 1;
		good = ssh_sig("ssh-ed25519", expect, 64);
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(good),
		    buf_len(good), msg, msglen), HS_ERR_SIGNATURE);
		buf_free(good);
		good = ssh_sig("ssh-ed25519", expect, 63);
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(good),
		    buf_len(good), msg, msglen), HS_ERR_SIGNATURE);
		buf_free(good);
		free(alg);
		buf_free(blob);
		buf_free(sig);
		buf_free(pubblob);
		key_free(pub);
		key_free(k);
		TEST_DONE();
	}
}

/* ---- type table --------------------------------------------------------- */

static void
test_types(void)
{
	struct key *k = NULL;

	TEST_START("type names");
	ASSERT_INT_EQ(key_type_from_name("ssh-ed25519"), KEY_ED25519);
	ASSERT_INT_EQ(key_type_from_name("ssh-rsa"), KEY_RSA);
	ASSERT_INT_EQ(key_type_from_name("ecdsa-sha2-nistp256"),
	    KEY_ECDSA_P256);
	ASSERT_INT_EQ(key_type_from_name("ecdsa-sha2-nistp384"),
	    KEY_ECDSA_P384);
	ASSERT_INT_EQ(key_type_from_name("ecdsa-sha2-nistp521"),
	    KEY_ECDSA_P521);
	ASSERT_INT_EQ(key_type_from_name("rsa-sha2-256"), KEY_UNSPEC);
	ASSERT_INT_EQ(key_type_from_name("ssh-dss"), KEY_UNSPEC);
	ASSERT_INT_EQ(key_type_from_name(""), KEY_UNSPEC);
	ASSERT_INT_EQ(key_type_from_name(NULL), KEY_UNSPEC);
	ASSERT_TRUE(key_type_supported(KEY_ED25519));
	ASSERT_FALSE(key_type_supported(KEY_UNSPEC));
	ASSERT_INT_EQ(key_type_supported(KEY_RSA), have_openssl);
	ASSERT_INT_EQ(key_type_supported(KEY_ECDSA_P256), have_openssl);
	ASSERT_INT_EQ(key_type_supported(KEY_ECDSA_P521), have_openssl);
	TEST_DONE();

	TEST_START("generate: bad sizes and types");
	ASSERT_INT_EQ(key_generate(KEY_UNSPEC, 0, &k), HS_ERR_KEY_TYPE);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_INT_EQ(key_generate(KEY_ED25519, 255, &k),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(k, NULL);
	if (have_openssl) {
		ASSERT_INT_EQ(key_generate(KEY_RSA, 1024, &k),
		    HS_ERR_KEY_SMALL);
		ASSERT_INT_EQ(key_generate(KEY_RSA, RSA_MAX_BITS + 1, &k),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_INT_EQ(key_generate(KEY_ECDSA_P256, 384, &k),
		    HS_ERR_INVALID_ARGUMENT);
	} else {
		ASSERT_INT_EQ(key_generate(KEY_RSA, 0, &k),
		    HS_ERR_KEY_UNSUPPORTED);
		ASSERT_INT_EQ(key_generate(KEY_ECDSA_P384, 0, &k),
		    HS_ERR_KEY_UNSUPPORTED);
	}
	ASSERT_PTR_EQ(k, NULL);
	key_free(NULL);
	TEST_DONE();
}

/* ---- ssh-keygen fixtures ------------------------------------------------ */

/* Offset of the check ints in an unencrypted body with this public blob. */
static size_t
checkint_offset(size_t publen)
{
	return sizeof(AUTH_MAGIC) + 8 + 8 + 4 + 4 + 4 + publen + 4;
}

static void
fixture_check(const char *name, const char *priv_text, const char *pub_line,
    const char *fp_expect, unsigned int bits, const char *shortname,
    const char *comment_expect)
{
	struct key *k = NULL, *pub = NULL;
	char *comment = NULL, *pcomment = NULL, *fp = NULL, *line = NULL;
	char *text;
	struct buf *out, *theirs, *ours, *blob;
	size_t off;

	TEST_START(name);
	ASSERT_INT_EQ(parse_text(priv_text, &k, &comment), 0);
	ASSERT_INT_EQ(key_parse_public(pub_line, strlen(pub_line), &pub,
	    &pcomment), 0);
	if (k == NULL || pub == NULL) {
		TEST_DONE();
		goto out;
	}
	ASSERT_TRUE(key_is_private(k));
	ASSERT_FALSE(key_is_private(pub));
	ASSERT_TRUE(key_equal_public(k, pub));
	ASSERT_STR_EQ(comment, comment_expect);
	ASSERT_STR_EQ(pcomment, comment_expect);
	/* As ssh-keygen -l prints it. */
	ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
	ASSERT_STR_EQ(fp, fp_expect);
	free(fp);
	ASSERT_INT_EQ(key_fingerprint(pub, &fp), 0);
	ASSERT_STR_EQ(fp, fp_expect);
	ASSERT_INT_EQ(key_bits(k), bits);
	ASSERT_STR_EQ(key_type_short(k), shortname);
	/* The public line comes back byte for byte. */
	ASSERT_INT_EQ(key_format_public(k, comment, &line), 0);
	ASSERT_STR_EQ(line, pub_line);
	/* The private file too, except for the random check ints. */
	out = xbuf();
	ASSERT_INT_EQ(key_format_private(k, comment, out), 0);
	ASSERT_INT_EQ(buf_put_u8(out, 0), 0);
	theirs = dearmor(priv_text);
	ours = dearmor((const char *)buf_ptr(out));
	blob = xbuf();
	ASSERT_INT_EQ(key_to_blob(k, blob), 0);
	off = checkint_offset(buf_len(blob));
	ASSERT_INT_EQ(buf_len(ours), buf_len(theirs));
	if (buf_len(ours) == buf_len(theirs)) {
		/* Both check ints equal each other, then take theirs. */
		ASSERT_MEM_EQ(buf_ptr(ours) + off, buf_ptr(ours) + off + 4, 4);
		buf_reset(out);
		buf_put(out, buf_ptr(ours), off);
		buf_put(out, buf_ptr(theirs) + off, 8);
		buf_put(out, buf_ptr(ours) + off + 8, buf_len(ours) - off - 8);
		ASSERT_MEM_EQ(buf_ptr(out), buf_ptr(theirs), buf_len(theirs));
		text = armor(out);
		ASSERT_STR_EQ(text, priv_text);
		free(text);
	}
	buf_free(blob);
	buf_free(ours);
	buf_free(theirs);
	buf_free(out);
	TEST_DONE();
 out:
	free(line);
	free(fp);
	free(comment);
	free(pcomment);
	key_free(k);
	key_free(pub);
}

/* FingerprintHash md5: ssh-keygen's MD5 form, with OpenSSL only. */
static void
md5_check(const char *pub_line, const char *expect)
{
	struct key *k = NULL;
	char *fp = NULL;

	ASSERT_INT_EQ(key_parse_public(pub_line, strlen(pub_line), &k, NULL),
	    0);
	ASSERT_INT_EQ(key_fingerprint_md5(k, &fp), 0);
	ASSERT_STR_EQ(fp, expect);
	free(fp);
	key_free(k);
}

static void
test_fingerprint_md5(void)
{
	struct key *k = NULL;
	char *fp = NULL;

	if (!have_openssl) {
		TEST_START("key_fingerprint_md5: unsupported without OpenSSL");
		ASSERT_INT_EQ(key_parse_public(fx_ed25519_pub,
		    strlen(fx_ed25519_pub), &k, NULL), 0);
		ASSERT_INT_EQ(key_fingerprint_md5(k, &fp),
		    HS_ERR_KEY_UNSUPPORTED);
		ASSERT_PTR_EQ(fp, NULL);
		key_free(k);
		TEST_DONE();
		return;
	}
	TEST_START("key_fingerprint_md5: as ssh-keygen -E md5 (3 key types)");
	md5_check(fx_ed25519_pub, FX_ED25519_MD5);
	md5_check(fx_ecdsa_pub, FX_ECDSA_MD5);
	md5_check(fx_rsa_pub, FX_RSA_MD5);
	ASSERT_INT_EQ(key_fingerprint_md5(NULL, &fp), HS_ERR_INVALID_ARGUMENT);
	TEST_DONE();
}

static void
test_fixtures(void)
{
	struct key *k = NULL;
	int r;

	fixture_check("ssh-keygen ed25519 fixture", fx_ed25519_priv,
	    fx_ed25519_pub, FX_ED25519_FP, 256, "ED25519", "fixture-ed25519");
	if (have_openssl) {
		fixture_check("ssh-keygen ecdsa-256 fixture", fx_ecdsa_priv,
		    fx_ecdsa_pub, FX_ECDSA_FP, 256, "ECDSA", "fixture-ecdsa");
		fixture_check("ssh-keygen rsa-2048 fixture", fx_rsa_priv,
		    fx_rsa_pub, FX_RSA_FP, 2048, "RSA", "fixture-rsa");
	} else {
		TEST_START("without OpenSSL: RSA/ECDSA are unsupported");
		ASSERT_INT_EQ(parse_text(fx_ecdsa_priv, &k, NULL),
		    HS_ERR_KEY_UNSUPPORTED);
		ASSERT_INT_EQ(parse_text(fx_rsa_priv, &k, NULL),
		    HS_ERR_KEY_UNSUPPORTED);
		ASSERT_INT_EQ(key_parse_public(fx_rsa_pub, strlen(fx_rsa_pub),
		    &k, NULL), HS_ERR_KEY_UNSUPPORTED);
		ASSERT_INT_EQ(key_parse_public(fx_ecdsa_pub,
		    strlen(fx_ecdsa_pub), &k, NULL), HS_ERR_KEY_UNSUPPORTED);
		ASSERT_PTR_EQ(k, NULL);
		TEST_DONE();
	}

	TEST_START("passphrase-protected file is refused as encrypted");
	r = parse_text(fx_enc_priv, &k, NULL);
	ASSERT_INT_EQ(r, HS_ERR_KEY_ENCRYPTED);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_TRUE(strstr(hs_err_str(r), "encrypted") != NULL);
	TEST_DONE();
}

/* ---- malformed private key files ---------------------------------------- */

static void
test_private_malformed(void)
{
	uint8_t seed[32], seed2[32], pk[32], pk2[32], sk[64];
	struct buf *pub, *pub2, *good, *body, *priv;
	struct body bd;
	struct key *k = NULL;
	char *text, *bad;
	size_t i, n;
	int r;

	memset(seed, 0x11, sizeof(seed));
	memset(seed2, 0x22, sizeof(seed2));
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_sign_seed_keypair(pk2, sk, seed2);
	pub = xbuf();
	ed_pub_blob(pk, pub);
	pub2 = xbuf();
	ed_pub_blob(pk2, pub2);
	good = ed_priv_section(seed, 7, 7, "ssh-ed25519", NULL, "c");

#define BODY_INIT() do { memset(&bd, 0, sizeof(bd)); bd.nkeys = 1; \
	bd.pub = pub; bd.priv = good; } while (0)
#define EXPECT_BODY(code) do { body = body_build(&bd); \
	ASSERT_INT_EQ(parse_body(body), (code)); buf_free(body); } while (0)

	TEST_START("private file: a well-formed file parses");
	BODY_INIT();
	EXPECT_BODY(0);
	TEST_DONE();

	TEST_START("private file: wrong magic");
	BODY_INIT();
	bd.magic = "openssh-key-v2";
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	bd.magic = "openssh-key-v";
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	TEST_DONE();

	TEST_START("private file: any cipher or kdf is 'encrypted'");
	BODY_INIT();
	bd.cipher = "aes256-ctr";
	bd.kdf = "bcrypt";
	EXPECT_BODY(HS_ERR_KEY_ENCRYPTED);
	bd.cipher = NULL;
	EXPECT_BODY(HS_ERR_KEY_ENCRYPTED);
	bd.cipher = "chacha20-poly1305@openssh.com";
	bd.kdf = NULL;
	EXPECT_BODY(HS_ERR_KEY_ENCRYPTED);
	BODY_INIT();
	bd.kdfoptslen = 4;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	TEST_DONE();

	TEST_START("private file: key count must be 1");
	BODY_INIT();
	bd.nkeys = 0;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	bd.nkeys = 2;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	bd.nkeys = 0xffffffff;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	TEST_DONE();

	TEST_START("private file: mismatched check ints");
	BODY_INIT();
	priv = ed_priv_section(seed, 7, 8, "ssh-ed25519", NULL, "c");
	bd.priv = priv;
	EXPECT_BODY(HS_ERR_KEY_CHECKINT);
	buf_free(priv);
	TEST_DONE();

	TEST_START("private file: bad padding");
	BODY_INIT();
	bd.pad = PAD_WRONG;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	bd.pad = PAD_EXTRA_BLOCK;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	bd.pad = PAD_NONE;
	EXPECT_BODY(HS_ERR_KEY_FORMAT);
	TEST_DONE();

	TEST_START("private file: trailing bytes after the private section");
	BODY_INIT();
	bd.trailing = true;
	EXPECT_BODY(HS_ERR_TRAILING_DATA);
	TEST_DONE();

	TEST_START("private file: public/private mismatch");
	BODY_INIT();
	bd.pub = pub2;		/* outer public key of another key */
	EXPECT_BODY(HS_ERR_KEY_MISMATCH);
	BODY_INIT();		/* inner pk of another key */
	priv = ed_priv_section(seed, 7, 7, "ssh-ed25519", pk2, "c");
	bd.priv = priv;
	EXPECT_BODY(HS_ERR_KEY_MISMATCH);
	bd.pub = pub2;		/* outer and inner pk agree, seed does not */
	EXPECT_BODY(HS_ERR_KEY_MISMATCH);
	buf_free(priv);
	BODY_INIT();		/* private type differs from public type */
	priv = ed_priv_section(seed, 7, 7, "ecdsa-sha2-nistp256", NULL, "c");
	bd.priv = priv;
	EXPECT_BODY(HS_ERR_KEY_MISMATCH);
	buf_free(priv);
	TEST_DONE();

	TEST_START("private file: wrong type names");
	BODY_INIT();
	priv = ed_priv_section(seed, 7, 7, "ssh-ed448", NULL, "c");
	bd.priv = priv;
	EXPECT_BODY(HS_ERR_KEY_TYPE);
	buf_free(priv);
	body = xbuf();
	buf_put_cstring(body, "ssh-dss");
	buf_put_string(body, pk, 32);
	BODY_INIT();
	bd.pub = body;
	priv = body_build(&bd);
	ASSERT_INT_EQ(parse_body(priv), HS_ERR_KEY_TYPE);
	buf_free(priv);
	buf_free(body);
	TEST_DONE();

	TEST_START("private file: over-long comment");
	BODY_INIT();
	text = malloc(KEY_COMMENT_MAX + 2);
	memset(text, 'x', KEY_COMMENT_MAX + 1);
	text[KEY_COMMENT_MAX + 1] = '\0';
	priv = ed_priv_section(seed, 7, 7, "ssh-ed25519", NULL, text);
	bd.priv = priv;
	EXPECT_BODY(HS_ERR_TOO_LONG);
	buf_free(priv);
	text[KEY_COMMENT_MAX] = '\0';
	priv = ed_priv_section(seed, 7, 7, "ssh-ed25519", NULL, text);
	bd.priv = priv;
	EXPECT_BODY(0);
	buf_free(priv);
	free(text);
	TEST_DONE();

	TEST_START("private file: every truncation of the body fails");
	BODY_INIT();
	body = body_build(&bd);
	n = buf_len(body);
	for (i = 0; i < n; i++) {
		priv = buf_from(buf_ptr(body), i);
		r = parse_body(priv);
		if (r == 0)
			tap_fail(__FILE__, __LINE__, "truncated to %zu parsed",
			    i);
		buf_free(priv);
	}
	/* Every single-bit flip in the body either fails or gives the key. */
	for (i = 0; i < n * 8; i++) {
		priv = xbuf();
		buf_put(priv, buf_ptr(body), n);
		buf_mutable_ptr(priv)[i / 8] ^= (uint8_t)(1u << (i % 8));
		text = armor(priv);
		r = parse_text(text, &k, NULL);
		if (r == 0 && !key_is_private(k))
			tap_fail(__FILE__, __LINE__, "flip %zu", i);
		key_free(k);
		k = NULL;
		free(text);
		buf_free(priv);
	}
	TEST_DONE();

	TEST_START("private file: armor");
	text = armor(body);
	ASSERT_INT_EQ(parse_text(text, NULL, NULL), 0);
	n = strlen(text);
	bad = malloc(n + 64);
	/* No END line. */
	snprintf(bad, n + 64, "%.*s", (int)(n - 34), text);
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* Something before BEGIN. */
	snprintf(bad, n + 64, "x%s", text);
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* Blank lines after END are fine, text is not. */
	snprintf(bad, n + 64, "%s\n\n", text);
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), 0);
	snprintf(bad, n + 64, "%sjunk\n", text);
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* A character outside base64 in the body. */
	snprintf(bad, n + 64, "%s", text);
	bad[40] = '*';
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* A blank inside a line. */
	snprintf(bad, n + 64, "%s", text);
	bad[40] = ' ';
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* Wrong marker. */
	snprintf(bad, n + 64, "-----BEGIN RSA PRIVATE KEY-----%s",
	    strchr(text, '\n'));
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), HS_ERR_KEY_FORMAT);
	/* Empty input, and oversized input. */
	ASSERT_INT_EQ(key_parse_private((const uint8_t *)"", 0, &k, NULL),
	    HS_ERR_KEY_FORMAT);
	ASSERT_INT_EQ(key_parse_private((const uint8_t *)text,
	    KEY_FILE_MAX + 1, &k, NULL), HS_ERR_TOO_LONG);
	ASSERT_PTR_EQ(k, NULL);
	free(bad);
	free(text);
	TEST_DONE();

	TEST_START("private file: CRLF line ends are accepted");
	text = armor(body);
	n = strlen(text);
	bad = malloc(2 * n + 1);
	for (i = 0, r = 0; i < n; i++) {
		if (text[i] == '\n')
			bad[r++] = '\r';
		bad[r++] = text[i];
	}
	bad[r] = '\0';
	ASSERT_INT_EQ(parse_text(bad, NULL, NULL), 0);
	free(bad);
	free(text);
	buf_free(body);
	TEST_DONE();

#undef BODY_INIT
#undef EXPECT_BODY
	buf_free(good);
	buf_free(pub);
	buf_free(pub2);
	sodium_memzero(sk, sizeof(sk));
}

/* ---- every supported type ----------------------------------------------- */

static const struct {
	enum key_type	 type;
	unsigned int	 genbits;
	unsigned int	 bits;
	const char	*name;
	const char	*shortname;
	const char	*sigs[3];	/* algorithms it signs with */
} types[] = {
	{ KEY_ED25519, 0, 256, "ssh-ed25519", "ED25519",
	    { "ssh-ed25519", NULL, NULL } },
	{ KEY_RSA, 2048, 2048, "ssh-rsa", "RSA",
	    { "rsa-sha2-256", "rsa-sha2-512", NULL } },
	{ KEY_ECDSA_P256, 0, 256, "ecdsa-sha2-nistp256", "ECDSA",
	    { "ecdsa-sha2-nistp256", NULL, NULL } },
	{ KEY_ECDSA_P384, 384, 384, "ecdsa-sha2-nistp384", "ECDSA",
	    { "ecdsa-sha2-nistp384", NULL, NULL } },
	{ KEY_ECDSA_P521, 0, 521, "ecdsa-sha2-nistp521", "ECDSA",
	    { "ecdsa-sha2-nistp521", NULL, NULL } },
};
#define NTYPES	(sizeof(types) / sizeof(types[0]))

static struct key *keys[NTYPES], *keys2[NTYPES];

static void
test_generate(void)
{
	char name[128];
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		snprintf(name, sizeof(name), "generate %s", types[i].name);
		if (!key_type_supported(types[i].type)) {
			TEST_SKIP(name, "not in this build");
			continue;
		}
		TEST_START(name);
		ASSERT_INT_EQ(key_generate(types[i].type, types[i].genbits,
		    &keys[i]), 0);
		ASSERT_INT_EQ(key_generate(types[i].type, types[i].genbits,
		    &keys2[i]), 0);
		if (keys[i] == NULL || keys2[i] == NULL)
			abort();
		ASSERT_INT_EQ(key_type(keys[i]), types[i].type);
		ASSERT_STR_EQ(key_type_name(keys[i]), types[i].name);
		ASSERT_STR_EQ(key_type_short(keys[i]), types[i].shortname);
		ASSERT_INT_EQ(key_bits(keys[i]), types[i].bits);
		ASSERT_TRUE(key_is_private(keys[i]));
		ASSERT_FALSE(key_equal_public(keys[i], keys2[i]));
		ASSERT_TRUE(key_equal_public(keys[i], keys[i]));
		TEST_DONE();
	}
	if (key_type_supported(KEY_RSA)) {
		struct key *k = NULL;

		TEST_START("generate ssh-rsa: default size is 3072");
		ASSERT_INT_EQ(key_generate(KEY_RSA, 0, &k), 0);
		ASSERT_INT_EQ(key_bits(k), 3072);
		key_free(k);
		TEST_DONE();
	}
}

/* Body lines of an armored text: all 70 columns but the last (1..70). */
static bool
wrapped_at_70(const char *text)
{
	const char *p = strchr(text, '\n'), *nl;
	size_t len, prev = 70;

	for (; p != NULL && strncmp(p + 1, "-----END", 8) != 0; p = nl) {
		if ((nl = strchr(p + 1, '\n')) == NULL)
			return false;
		len = (size_t)(nl - p - 1);
		if (prev != 70 || len == 0 || len > 70)
			return false;
		prev = len;
	}
	return p != NULL;
}

static void
test_roundtrips(void)
{
	struct buf *blob, *blob2, *file;
	struct key *k, *p;
	char name[128], *line, *comment, *fp, *fp2;
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		if (keys[i] == NULL)
			continue;
		snprintf(name, sizeof(name), "%s: blob round trip",
		    types[i].name);
		TEST_START(name);
		blob = xbuf();
		blob2 = xbuf();
		ASSERT_INT_EQ(key_to_blob(keys[i], blob), 0);
		k = NULL;
		ASSERT_INT_EQ(key_from_blob(buf_ptr(blob), buf_len(blob), &k),
		    0);
		ASSERT_FALSE(key_is_private(k));
		ASSERT_TRUE(key_equal_public(k, keys[i]));
		ASSERT_FALSE(key_equal_public(k, keys2[i]));
		ASSERT_INT_EQ(key_bits(k), types[i].bits);
		ASSERT_INT_EQ(key_to_blob(k, blob2), 0);
		ASSERT_INT_EQ(buf_len(blob2), buf_len(blob));
		ASSERT_TRUE(buf_equal(blob, blob2));
		/* Fingerprint: SHA256: + 43 characters, same for both. */
		ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
		ASSERT_INT_EQ(key_fingerprint(keys[i], &fp2), 0);
		ASSERT_STR_EQ(fp, fp2);
		ASSERT_INT_EQ(strlen(fp), 7 + 43);
		free(fp);
		free(fp2);
		/* A public copy. */
		ASSERT_INT_EQ(key_public_copy(keys[i], &p), 0);
		ASSERT_FALSE(key_is_private(p));
		ASSERT_TRUE(key_equal_public(p, keys[i]));
		key_free(p);
		key_free(k);
		/* The blob is appended: out keeps what it had. */
		buf_reset(blob2);
		buf_put_u8(blob2, 0xaa);
		ASSERT_INT_EQ(key_to_blob(keys[i], blob2), 0);
		ASSERT_INT_EQ(buf_len(blob2), buf_len(blob) + 1);
		buf_free(blob);
		buf_free(blob2);
		TEST_DONE();

		snprintf(name, sizeof(name), "%s: public line round trip",
		    types[i].name);
		TEST_START(name);
		ASSERT_INT_EQ(key_format_public(keys[i], "me@host x", &line),
		    0);
		ASSERT_TRUE(strncmp(line, types[i].name,
		    strlen(types[i].name)) == 0);
		ASSERT_INT_EQ(key_parse_public(line, strlen(line), &k,
		    &comment), 0);
		ASSERT_TRUE(key_equal_public(k, keys[i]));
		ASSERT_STR_EQ(comment, "me@host x");
		free(comment);
		key_free(k);
		free(line);
		ASSERT_INT_EQ(key_format_public(keys[i], NULL, &line), 0);
		ASSERT_TRUE(strchr(line, ' ') == strrchr(line, ' '));
		ASSERT_INT_EQ(key_parse_public(line, strlen(line), &k,
		    &comment), 0);
		ASSERT_PTR_EQ(comment, NULL);
		key_free(k);
		free(line);
		TEST_DONE();

		snprintf(name, sizeof(name), "%s: private file round trip",
		    types[i].name);
		TEST_START(name);
		file = xbuf();
		ASSERT_INT_EQ(key_format_private(keys[i], "a comment", file),
		    0);
		buf_put_u8(file, 0);
		/* ssh-keygen's shape: armor, 70 columns, final newline. */
		line = (char *)buf_mutable_ptr(file);
		ASSERT_TRUE(strncmp(line,
		    "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
		ASSERT_TRUE(strstr(line,
		    "\n-----END OPENSSH PRIVATE KEY-----\n") != NULL);
		ASSERT_TRUE(wrapped_at_70(line));
		k = NULL;
		comment = NULL;
		ASSERT_INT_EQ(key_parse_private(buf_ptr(file),
		    buf_len(file) - 1, &k, &comment), 0);
		ASSERT_TRUE(key_is_private(k));
		ASSERT_TRUE(key_equal_public(k, keys[i]));
		ASSERT_STR_EQ(comment, "a comment");
		ASSERT_INT_EQ(key_bits(k), types[i].bits);
		free(comment);
		/* A reloaded key signs like the original. */
		buf_reset(file);
		ASSERT_INT_EQ(key_sign(k, NULL, (const uint8_t *)"x", 1, file),
		    0);
		ASSERT_INT_EQ(key_verify(keys[i], NULL, buf_ptr(file),
		    buf_len(file), (const uint8_t *)"x", 1), 0);
		key_free(k);
		/* A public key cannot be written as a private file. */
		ASSERT_INT_EQ(key_public_copy(keys[i], &p), 0);
		buf_reset(file);
		ASSERT_INT_EQ(key_format_private(p, NULL, file),
		    HS_ERR_INVALID_ARGUMENT);
		ASSERT_INT_EQ(buf_len(file), 0);
		key_free(p);
		/* Empty comment: comes back as NULL. */
		ASSERT_INT_EQ(key_format_private(keys[i], NULL, file), 0);
		ASSERT_INT_EQ(key_parse_private(buf_ptr(file), buf_len(file),
		    &k, &comment), 0);
		ASSERT_PTR_EQ(comment, NULL);
		key_free(k);
		buf_free(file);
		TEST_DONE();
	}
}

/* Outer public key of one key, private section of another. */
static void
test_splice(void)
{
	struct buf *fa, *fb, *ba, *bb, *out;
	const uint8_t *pa;
	size_t la, off, i;
	char name[128], *text;

	for (i = 0; i < NTYPES; i++) {
		if (keys[i] == NULL)
			continue;
		snprintf(name, sizeof(name),
		    "%s: private part of another key is a mismatch",
		    types[i].name);
		TEST_START(name);
		fa = xbuf();
		fb = xbuf();
		ASSERT_INT_EQ(key_format_private(keys[i], "a", fa), 0);
		ASSERT_INT_EQ(key_format_private(keys2[i], "a", fb), 0);
		buf_put_u8(fa, 0);
		buf_put_u8(fb, 0);
		ba = dearmor((const char *)buf_ptr(fa));
		bb = dearmor((const char *)buf_ptr(fb));
		/* Header and public key of a, private section of b. */
		off = sizeof(AUTH_MAGIC) + 8 + 8 + 4 + 4;
		pa = buf_ptr(ba) + off;
		la = ((size_t)pa[0] << 24) | ((size_t)pa[1] << 16) |
		    ((size_t)pa[2] << 8) | pa[3];
		out = xbuf();
		buf_put(out, buf_ptr(ba), off + 4 + la);
		buf_put(out, buf_ptr(bb) + off + 4 + la,
		    buf_len(bb) - off - 4 - la);
		ASSERT_INT_EQ(parse_body(out), HS_ERR_KEY_MISMATCH);
		/* Sanity: a's own file still parses. */
		text = armor(ba);
		ASSERT_INT_EQ(parse_text(text, NULL, NULL), 0);
		free(text);
		buf_free(out);
		buf_free(ba);
		buf_free(bb);
		buf_free(fa);
		buf_free(fb);
		TEST_DONE();
	}
}

/* ---- signatures --------------------------------------------------------- */

static void
test_sign_verify(void)
{
	static const uint8_t data[] = "data to be signed";
	const size_t dlen = sizeof(data) - 1;
	struct buf *sig, *blob, *forged;
	struct key *pub;
	char name[128], *alg;
	uint8_t tampered[sizeof(data)];
	size_t i, j;

	for (i = 0; i < NTYPES; i++) {
		if (keys[i] == NULL)
			continue;
		ASSERT_INT_EQ(key_public_copy(keys[i], &pub), 0);
		for (j = 0; j < 3 && types[i].sigs[j] != NULL; j++) {
			snprintf(name, sizeof(name), "%s: sign/verify %s",
			    types[i].name, types[i].sigs[j]);
			TEST_START(name);
			ASSERT_TRUE(key_sig_alg_matches(keys[i],
			    types[i].sigs[j]));
			sig = xbuf();
			ASSERT_INT_EQ(key_sign(keys[i], types[i].sigs[j], data,
			    dlen, sig), 0);
			sig_split(sig, &alg, &blob);
			ASSERT_STR_EQ(alg, types[i].sigs[j]);
			ASSERT_INT_EQ(key_verify(pub, types[i].sigs[j],
			    buf_ptr(sig), buf_len(sig), data, dlen), 0);
			ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig),
			    buf_len(sig), data, dlen), 0);
			/* Tampered data. */
			memcpy(tampered, data, sizeof(data));
			tampered[3] ^= 0x20;
			ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig),
			    buf_len(sig), tampered, dlen), HS_ERR_SIGNATURE);
			ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig),
			    buf_len(sig), data, dlen - 1), HS_ERR_SIGNATURE);
			/* Another key of the same type. */
			ASSERT_INT_EQ(key_verify(keys2[i], NULL, buf_ptr(sig),
			    buf_len(sig), data, dlen), HS_ERR_SIGNATURE);
			/* Tampered signature: last byte of the blob. */
			forged = xbuf();
			buf_put(forged, buf_ptr(sig), buf_len(sig));
			buf_mutable_ptr(forged)[buf_len(forged) - 1] ^= 1;
			ASSERT_INT_NE(key_verify(pub, NULL, buf_ptr(forged),
			    buf_len(forged), data, dlen), 0);
			buf_free(forged);
			/* Trailing byte after the signature. */
			forged = xbuf();
			buf_putb(forged, sig);
			buf_put_u8(forged, 0);
			ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(forged),
			    buf_len(forged), data, dlen),
			    HS_ERR_TRAILING_DATA);
			buf_free(forged);
			/* Every truncation fails. */
			for (size_t t = 0; t < buf_len(sig); t++)
				if (key_verify(pub, NULL, buf_ptr(sig), t,
				    data, dlen) == 0)
					tap_fail(__FILE__, __LINE__,
					    "truncated to %zu verified", t);
			/* Wrong algorithm asked for. */
			ASSERT_INT_EQ(key_verify(pub, strcmp(alg,
			    "ssh-ed25519") == 0 ? "ecdsa-sha2-nistp256" :
			    "ssh-ed25519", buf_ptr(sig), buf_len(sig), data,
			    dlen), HS_ERR_SIG_ALG);
			if (types[i].type == KEY_RSA) {
				const char *other = strcmp(alg,
				    "rsa-sha2-256") == 0 ? "rsa-sha2-512" :
				    "rsa-sha2-256";

				ASSERT_INT_EQ(key_verify(pub, other,
				    buf_ptr(sig), buf_len(sig), data, dlen),
				    HS_ERR_SIG_ALG);
				/* Relabelled as the other hash: no. */
				forged = ssh_sig(other, buf_ptr(blob),
				    buf_len(blob));
				ASSERT_INT_EQ(key_verify(pub, NULL,
				    buf_ptr(forged), buf_len(forged), data,
				    dlen), HS_ERR_SIGNATURE);
				buf_free(forged);
				/* Relabelled as SHA-1 "ssh-rsa": refused. */
				forged = ssh_sig("ssh-rsa", buf_ptr(blob),
				    buf_len(blob));
				ASSERT_INT_EQ(key_verify(pub, NULL,
				    buf_ptr(forged), buf_len(forged), data,
				    dlen), HS_ERR_SIG_ALG);
				ASSERT_INT_EQ(key_verify(pub, "ssh-rsa",
				    buf_ptr(forged), buf_len(forged), data,
				    dlen), HS_ERR_SIG_ALG);
				buf_free(forged);
			}
			/* Signature of another key type. */
			forged = ssh_sig(i == 0 ? "ecdsa-sha2-nistp256" :
			    "ssh-ed25519", buf_ptr(blob), buf_len(blob));
			ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(forged),
			    buf_len(forged), data, dlen), HS_ERR_SIG_ALG);
			buf_free(forged);
			free(alg);
			buf_free(blob);
			buf_free(sig);
			TEST_DONE();
		}

		snprintf(name, sizeof(name), "%s: algorithm choice",
		    types[i].name);
		TEST_START(name);
		sig = xbuf();
		/* The default algorithm (rsa-sha2-512 for RSA). */
		ASSERT_INT_EQ(key_sign(keys[i], NULL, data, dlen, sig), 0);
		sig_split(sig, &alg, &blob);
		ASSERT_STR_EQ(alg, types[i].type == KEY_RSA ? "rsa-sha2-512" :
		    types[i].name);
		free(alg);
		buf_free(blob);
		buf_reset(sig);
		/* SHA-1 RSA, unknown and foreign algorithms are refused. */
		ASSERT_INT_EQ(key_sign(keys[i], "ssh-rsa", data, dlen, sig),
		    HS_ERR_SIG_ALG);
		ASSERT_INT_EQ(key_sign(keys[i], "rsa-sha2-384", data, dlen,
		    sig), HS_ERR_SIG_ALG);
		ASSERT_INT_EQ(key_sign(keys[i], i == 0 ? "rsa-sha2-256" :
		    "ssh-ed25519", data, dlen, sig), HS_ERR_SIG_ALG);
		ASSERT_INT_EQ(buf_len(sig), 0);
		ASSERT_FALSE(key_sig_alg_matches(keys[i], "ssh-rsa"));
		ASSERT_FALSE(key_sig_alg_matches(keys[i], NULL));
		ASSERT_INT_EQ(key_sig_alg_matches(keys[i], "rsa-sha2-512"),
		    types[i].type == KEY_RSA);
		ASSERT_INT_EQ(key_sig_alg_matches(keys[i],
		    "ecdsa-sha2-nistp384"), types[i].type == KEY_ECDSA_P384);
		/* A public key cannot sign. */
		ASSERT_INT_EQ(key_sign(pub, NULL, data, dlen, sig),
		    HS_ERR_INVALID_ARGUMENT);
		/* Empty data is data too. */
		ASSERT_INT_EQ(key_sign(keys[i], NULL, NULL, 0, sig), 0);
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig),
		    buf_len(sig), NULL, 0), 0);
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig),
		    buf_len(sig), data, 1), HS_ERR_SIGNATURE);
		/* Oversized signatures are not even parsed. */
		ASSERT_INT_EQ(key_verify(pub, NULL, buf_ptr(sig), SIG_MAX + 1,
		    data, dlen), HS_ERR_TOO_LONG);
		buf_free(sig);
		key_free(pub);
		TEST_DONE();
	}
}

/* ---- malformed blobs and lines ------------------------------------------ */

static int
blob_parse(const struct buf *b)
{
	struct key *k = NULL;
	int r = key_from_blob(buf_ptr(b), buf_len(b), &k);

	if ((r == 0) != (k != NULL))
		tap_fail(__FILE__, __LINE__, "result %d but key %p", r,
		    (void *)k);
	key_free(k);
	return r;
}

/* Every proper prefix fails; one trailing byte fails. */
static void
blob_truncations(const struct buf *blob)
{
	struct buf *b;
	size_t i;

	for (i = 0; i < buf_len(blob); i++) {
		b = buf_from(buf_ptr(blob), i);
		if (blob_parse(b) == 0)
			tap_fail(__FILE__, __LINE__, "prefix %zu parsed", i);
		buf_free(b);
	}
	b = xbuf();
	buf_putb(b, blob);
	buf_put_u8(b, 0);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_TRAILING_DATA);
	buf_free(b);
	ASSERT_INT_EQ(blob_parse(blob), 0);
}

static void
test_blob_malformed(void)
{
	uint8_t pk[32], big[RSA_MAX_BITS / 8 + 2];
	struct buf *b, *blob, *q;
	struct key *k = NULL;
	char name[128];
	size_t i;

	memset(pk, 0, sizeof(pk));
	tap_unhex(rfc8032[0].pk, pk, sizeof(pk));

	TEST_START("ed25519 blob: truncated, trailing, bad lengths");
	blob = xbuf();
	ed_pub_blob(pk, blob);
	blob_truncations(blob);
	b = xbuf();
	buf_put_cstring(b, "ssh-ed25519");
	buf_put_string(b, pk, 31);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_FORMAT);
	buf_reset(b);
	buf_put_cstring(b, "ssh-ed25519");
	buf_put_u32(b, 33);
	buf_put(b, pk, 32);
	buf_put_u8(b, 0);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_TOO_LONG);
	buf_reset(b);
	buf_put_cstring(b, "ssh-ed25519");
	buf_put_u32(b, 0xffffffff);
	buf_put(b, pk, 32);
	ASSERT_INT_NE(blob_parse(b), 0);
	buf_reset(b);
	buf_put_u32(b, 0xfffffff0);
	buf_put(b, "ssh-ed25519", 11);
	ASSERT_INT_NE(blob_parse(b), 0);
	buf_reset(b);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_SHORT);
	buf_put_string(b, "ssh-ed25519\0", 12);
	buf_put_string(b, pk, 32);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_STRING_NUL);
	{
		uint8_t *huge = calloc(1, KEY_BLOB_MAX + 1);

		ASSERT_INT_EQ(key_from_blob(huge, KEY_BLOB_MAX + 1, &k),
		    HS_ERR_TOO_LONG);
		free(huge);
	}
	ASSERT_PTR_EQ(k, NULL);
	buf_free(b);
	TEST_DONE();

	TEST_START("blob: wrong type names");
	b = xbuf();
	buf_put_cstring(b, "ssh-dss");
	buf_put_string(b, pk, 32);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_TYPE);
	buf_reset(b);
	buf_put_cstring(b, "rsa-sha2-256");
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_TYPE);
	buf_reset(b);
	buf_put_cstring(b, "SSH-ED25519");
	buf_put_string(b, pk, 32);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_TYPE);
	buf_reset(b);
	/* An ed25519 key under an ECDSA name. */
	buf_put_cstring(b, "ecdsa-sha2-nistp256");
	buf_put_string(b, pk, 32);
	ASSERT_INT_EQ(blob_parse(b), have_openssl ? HS_ERR_KEY_FORMAT :
	    HS_ERR_KEY_UNSUPPORTED);
	buf_free(b);
	buf_free(blob);
	TEST_DONE();

	for (i = 0; i < NTYPES; i++) {
		if (keys[i] == NULL)
			continue;
		snprintf(name, sizeof(name), "%s blob: truncated, trailing",
		    types[i].name);
		TEST_START(name);
		blob = xbuf();
		ASSERT_INT_EQ(key_to_blob(keys[i], blob), 0);
		blob_truncations(blob);
		buf_free(blob);
		TEST_DONE();
	}

	if (!have_openssl)
		return;

	TEST_START("ecdsa blob: invalid points and curve names");
	blob = xbuf();
	ASSERT_INT_EQ(key_to_blob(keys[2], blob), 0);
	/* type(4+19) curve(4+8) Q(4+65) */
	ASSERT_INT_EQ(buf_len(blob), 23 + 12 + 69);
	q = buf_from(buf_ptr(blob) + 39, 65);
	b = xbuf();
#define EC_BLOB(curve, qp, qlen) do { buf_reset(b); \
	buf_put_cstring(b, "ecdsa-sha2-nistp256"); buf_put_cstring(b, curve); \
	buf_put_string(b, qp, qlen); } while (0)
	EC_BLOB("nistp256", buf_ptr(q), 65);
	ASSERT_INT_EQ(blob_parse(b), 0);
	EC_BLOB("nistp384", buf_ptr(q), 65);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_FORMAT);
	EC_BLOB("secp256r1", buf_ptr(q), 65);
	ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_FORMAT);
	{
		uint8_t pt[66];

		/* Y changed: not on the curve. */
		memcpy(pt, buf_ptr(q), 65);
		pt[64] ^= 1;
		EC_BLOB("nistp256", pt, 65);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		/* Compressed form. */
		pt[0] = 0x02;
		EC_BLOB("nistp256", pt, 33);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		/* Uncompressed tag, wrong length. */
		memcpy(pt, buf_ptr(q), 65);
		EC_BLOB("nistp256", pt, 64);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		pt[65] = 0;
		EC_BLOB("nistp256", pt, 66);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		/* Point at infinity, and (0, 0). */
		pt[0] = 0x00;
		EC_BLOB("nistp256", pt, 1);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		memset(pt, 0, sizeof(pt));
		pt[0] = 0x04;
		EC_BLOB("nistp256", pt, 65);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		/* Coordinates >= p: all ones. */
		memset(pt + 1, 0xff, 64);
		EC_BLOB("nistp256", pt, 65);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
	}
	/* An oversized point length. */
	buf_reset(b);
	buf_put_cstring(b, "ecdsa-sha2-nistp256");
	buf_put_cstring(b, "nistp256");
	buf_put_u32(b, 0x7fffffff);
	buf_put(b, buf_ptr(q), 65);
	ASSERT_INT_NE(blob_parse(b), 0);
#undef EC_BLOB
	buf_free(q);
	buf_free(b);
	buf_free(blob);
	TEST_DONE();

	TEST_START("rsa blob: sizes and exponents");
	b = xbuf();
	memset(big, 0xcd, sizeof(big));
	big[0] = 0x80;
#define RSA_BLOB(e, elen, n, nlen) do { buf_reset(b); \
	buf_put_cstring(b, "ssh-rsa"); buf_put_mpint(b, e, elen); \
	buf_put_mpint(b, n, nlen); } while (0)
	{
		static const uint8_t e65537[] = { 0x01, 0x00, 0x01 };
		static const uint8_t e_even[] = { 0x01, 0x00, 0x00 };
		static const uint8_t e_one[] = { 0x01 };
		uint8_t e_long[9];	/* one byte over the cap */

		memset(e_long, 0x01, sizeof(e_long));
		/* 2048-bit odd modulus: accepted as a public key. */
		RSA_BLOB(e65537, 3, big, 256);
		ASSERT_INT_EQ(blob_parse(b), 0);
		/* 1024 bits is the minimum, 1023 too small. */
		RSA_BLOB(e65537, 3, big, 128);
		ASSERT_INT_EQ(blob_parse(b), 0);
		big[0] = 0x40;
		RSA_BLOB(e65537, 3, big, 128);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_SMALL);
		RSA_BLOB(e65537, 3, big, 64);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_SMALL);
		big[0] = 0x80;
		/* Largest is RSA_MAX_BITS. */
		RSA_BLOB(e65537, 3, big, RSA_MAX_BITS / 8);
		ASSERT_INT_EQ(blob_parse(b), 0);
		RSA_BLOB(e65537, 3, big, RSA_MAX_BITS / 8 + 1);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_TOO_LONG);
		/* Exponents: even, 1, too long, zero. */
		RSA_BLOB(e_even, 3, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		RSA_BLOB(e_one, 1, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		RSA_BLOB(e_long, sizeof(e_long), big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_TOO_LONG);
		RSA_BLOB(e65537, 0, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		/* Even modulus. */
		big[255] = 0xce;
		RSA_BLOB(e65537, 3, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_KEY_INVALID);
		big[255] = 0xcd;
		/* Non-minimal and negative mpints. */
		buf_reset(b);
		buf_put_cstring(b, "ssh-rsa");
		buf_put_string(b, "\x00\x01\x00\x01", 4);
		buf_put_mpint(b, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_BAD_MPINT);
		buf_reset(b);
		buf_put_cstring(b, "ssh-rsa");
		buf_put_mpint(b, e65537, 3);
		buf_put_string(b, big, 256);
		ASSERT_INT_EQ(blob_parse(b), HS_ERR_BAD_MPINT);
	}
#undef RSA_BLOB
	buf_free(b);
	TEST_DONE();
}

/*
 * A generated key's file with one private field changed (its last byte's
 * low bit flipped), or two fields swapped; fields are counted from the
 * first after the type name.
 */
static int
parse_altered(const struct key *k, size_t nfields, size_t flip, size_t swap)
{
	struct buf *file = xbuf(), *body, *b, *priv, *sect, *pub;
	uint8_t *fields[8];
	size_t lens[8], i;
	uint32_t c1, c2;
	char *tname, *comment;
	struct body bd;
	int r;

	if (nfields > 8 || key_format_private(k, "c", file) != 0)
		abort();
	buf_put_u8(file, 0);
	body = dearmor((const char *)buf_ptr(file));
	b = buf_from(buf_ptr(body), buf_len(body));
	if (buf_consume(b, sizeof(AUTH_MAGIC) + 8 + 8 + 4 + 4) != 0 ||
	    buf_froms(b, KEY_BLOB_MAX, &pub) != 0 ||
	    buf_froms(b, KEY_FILE_MAX, &sect) != 0)
		abort();
	if (buf_get_u32(sect, &c1) != 0 || buf_get_u32(sect, &c2) != 0 ||
	    buf_get_cstring(sect, 64, &tname, NULL) != 0)
		abort();
	for (i = 0; i < nfields; i++)
		if (buf_get_string(sect, KEY_FILE_MAX, &fields[i],
		    &lens[i]) != 0 || lens[i] == 0)
			abort();
	if (buf_get_cstring(sect, KEY_COMMENT_MAX, &comment, NULL) != 0)
		abort();
	if (flip < nfields)
		fields[flip][lens[flip] - 1] ^= 1;
	priv = xbuf();
	buf_put_u32(priv, c1);
	buf_put_u32(priv, c2);
	buf_put_cstring(priv, tname);
	for (i = 0; i < nfields; i++) {
		size_t j = i;

		if (swap < nfields && i == swap)
			j = swap + 1;
		else if (swap < nfields && i == swap + 1)
			j = swap;
		buf_put_string(priv, fields[j], lens[j]);
	}
	buf_put_cstring(priv, comment);
	memset(&bd, 0, sizeof(bd));
	bd.nkeys = 1;
	bd.pub = pub;
	bd.priv = priv;
	buf_free(file);
	file = body_build(&bd);
	r = parse_body(file);
	for (i = 0; i < nfields; i++)
		freezero(fields[i], lens[i]);
	free(tname);
	free(comment);
	buf_free(file);
	buf_free(priv);
	buf_free(sect);
	buf_free(pub);
	buf_free(b);
	buf_free(body);
	return r;
}

static void
test_private_consistency(void)
{
	const size_t none = 99;

	TEST_START("ed25519 private: altered fields");
	ASSERT_INT_EQ(parse_altered(keys[0], 2, none, none), 0);
	ASSERT_INT_EQ(parse_altered(keys[0], 2, 0, none), HS_ERR_KEY_MISMATCH);
	ASSERT_INT_EQ(parse_altered(keys[0], 2, 1, none), HS_ERR_KEY_MISMATCH);
	TEST_DONE();

	if (!have_openssl)
		return;

	TEST_START("rsa private: altered fields are a mismatch");
	/* n, e, d, iqmp, p, q */
	ASSERT_INT_EQ(parse_altered(keys[1], 6, none, none), 0);
	/* n even: not an RSA modulus at all. */
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 0, none), HS_ERR_KEY_INVALID);
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 2, none), HS_ERR_KEY_MISMATCH);
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 3, none), HS_ERR_KEY_MISMATCH);
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 4, none), HS_ERR_KEY_MISMATCH);
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 5, none), HS_ERR_KEY_MISMATCH);
	/* p and q swapped: iqmp no longer fits. */
	ASSERT_INT_EQ(parse_altered(keys[1], 6, none, 4), HS_ERR_KEY_MISMATCH);
	/* e changed: an even exponent is invalid outright. */
	ASSERT_INT_EQ(parse_altered(keys[1], 6, 1, none), HS_ERR_KEY_INVALID);
	TEST_DONE();

	TEST_START("ecdsa private: altered scalar or point");
	/* curve, Q, d */
	ASSERT_INT_EQ(parse_altered(keys[2], 3, none, none), 0);
	ASSERT_INT_EQ(parse_altered(keys[2], 3, 2, none), HS_ERR_KEY_MISMATCH);
	ASSERT_INT_EQ(parse_altered(keys[2], 3, 1, none), HS_ERR_KEY_INVALID);
	ASSERT_INT_EQ(parse_altered(keys[4], 3, 2, none), HS_ERR_KEY_MISMATCH);
	TEST_DONE();
}

static void
test_public_lines(void)
{
	struct key *k = NULL;
	char *c = NULL, *line, *bad;
	size_t n;

#define PUB(s) key_parse_public((s), strlen(s), &k, &c)
	TEST_START("public line: blanks, comments, newline");
	line = NULL;
	ASSERT_INT_EQ(PUB(fx_ed25519_pub), 0);
	ASSERT_STR_EQ(c, "fixture-ed25519");
	free(c);
	key_free(k);
	n = strlen(fx_ed25519_pub);
	bad = malloc(n + 64);
	snprintf(bad, n + 64, " \t%s  \n", fx_ed25519_pub);
	ASSERT_INT_EQ(PUB(bad), 0);
	ASSERT_STR_EQ(c, "fixture-ed25519");
	free(c);
	key_free(k);
	snprintf(bad, n + 64, "%s  with  spaces \r\n", fx_ed25519_pub);
	ASSERT_INT_EQ(PUB(bad), 0);
	ASSERT_STR_EQ(c, "fixture-ed25519  with  spaces");
	free(c);
	key_free(k);
	/* Without comment; comment pointer optional. */
	snprintf(bad, n + 64, "%.*s", (int)(n - 16), fx_ed25519_pub);
	ASSERT_INT_EQ(PUB(bad), 0);
	ASSERT_PTR_EQ(c, NULL);
	key_free(k);
	ASSERT_INT_EQ(key_parse_public(bad, strlen(bad), &k, NULL), 0);
	key_free(k);
	TEST_DONE();

	TEST_START("public line: malformed");
	ASSERT_INT_EQ(PUB(""), HS_ERR_KEY_FORMAT);
	ASSERT_INT_EQ(PUB("   "), HS_ERR_KEY_FORMAT);
	ASSERT_INT_EQ(PUB("ssh-ed25519"), HS_ERR_KEY_FORMAT);
	ASSERT_INT_EQ(PUB("ssh-ed25519 "), HS_ERR_KEY_FORMAT);
	ASSERT_INT_EQ(PUB("ssh-dss AAAAB3NzaC1kc3M= x"), HS_ERR_KEY_TYPE);
	ASSERT_INT_EQ(PUB("ssh-ed25519 !!!!"), HS_ERR_KEY_FORMAT);
	/* Garbage inside the base64, and missing padding. */
	snprintf(bad, n + 64, "%s", fx_ed25519_pub);
	bad[20] = '*';
	ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
	snprintf(bad, n + 64, "%s", fx_ed25519_pub);
	bad[12 + 67] = ' ';	/* drop the last base64 character */
	ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
	/* Two lines. */
	snprintf(bad, n + 64, "%s\nssh-ed25519 x", fx_ed25519_pub);
	ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
	/* A NUL inside. */
	snprintf(bad, n + 64, "%s", fx_ed25519_pub);
	ASSERT_INT_EQ(key_parse_public(bad, n + 1, &k, &c),
	    HS_ERR_STRING_NUL);
	ASSERT_PTR_EQ(k, NULL);
	ASSERT_PTR_EQ(c, NULL);
	free(bad);
	TEST_DONE();

	TEST_START("public line: type must match the blob; canonical base64");
	if (have_openssl) {
		/* The ed25519 blob under the ssh-rsa name. */
		n = strlen(fx_ed25519_pub);
		bad = malloc(n + 64);
		snprintf(bad, n + 64, "ssh-rsa%s", fx_ed25519_pub + 11);
		ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
		free(bad);
		n = strlen(fx_rsa_pub);
		bad = malloc(n + 64);
		snprintf(bad, n + 64, "ssh-ed25519%s", fx_rsa_pub + 7);
		ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
		free(bad);
		n = strlen(fx_ecdsa_pub);
		bad = malloc(n + 64);
		snprintf(bad, n + 64, "ecdsa-sha2-nistp384%s",
		    fx_ecdsa_pub + 19);
		ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
		free(bad);
		/* Non-canonical base64: "4=" with a spare bit set. */
		n = strlen(fx_ecdsa_pub);
		bad = malloc(n + 64);
		snprintf(bad, n + 64, "%s", fx_ecdsa_pub);
		ASSERT_TRUE(strstr(bad, "4= ") != NULL);
		strstr(bad, "4= ")[0] = '5';
		ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_FORMAT);
		free(bad);
	} else {
		n = strlen(fx_ed25519_pub);
		bad = malloc(n + 64);
		snprintf(bad, n + 64, "ssh-rsa%s", fx_ed25519_pub + 11);
		ASSERT_INT_EQ(PUB(bad), HS_ERR_KEY_UNSUPPORTED);
		free(bad);
	}
	ASSERT_PTR_EQ(k, NULL);
	TEST_DONE();

	TEST_START("public line: comments that cannot be written");
	ASSERT_INT_EQ(key_parse_public(fx_ed25519_pub, strlen(fx_ed25519_pub),
	    &k, NULL), 0);
	ASSERT_INT_EQ(key_format_public(k, "two\nlines", &line),
	    HS_ERR_INVALID_ARGUMENT);
	ASSERT_PTR_EQ(line, NULL);
	bad = malloc(KEY_COMMENT_MAX + 2);
	memset(bad, 'c', KEY_COMMENT_MAX + 1);
	bad[KEY_COMMENT_MAX + 1] = '\0';
	ASSERT_INT_EQ(key_format_public(k, bad, &line), HS_ERR_TOO_LONG);
	bad[KEY_COMMENT_MAX] = '\0';
	ASSERT_INT_EQ(key_format_public(k, bad, &line), 0);
	free(line);
	free(bad);
	key_free(k);
	TEST_DONE();
#undef PUB
}

int
main(void)
{
	size_t i;

	if (sodium_init() < 0)
		abort();
	test_types();
	test_rfc8032();
	test_fixtures();
	test_fingerprint_md5();
	test_private_malformed();
	test_generate();
	test_roundtrips();
	test_splice();
	test_sign_verify();
	test_blob_malformed();
	test_private_consistency();
	test_public_lines();
	for (i = 0; i < NTYPES; i++) {
		key_free(keys[i]);
		key_free(keys2[i]);
	}
	return tap_finish();
}
