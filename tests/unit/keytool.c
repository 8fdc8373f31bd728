/* SPDX-License-Identifier: ISC */
/*
 * keytool: a small check-only command line front end to common/key, used
 * by the shell tests to compare with OpenSSH's ssh-keygen.  Runs as the
 * invoking user during "make check"; its input files are test fixtures,
 * parsed by the same code that reads hostile ones.
 *
 *	keytool types			supported key types, one per line
 *	keytool gen TYPE FILE [BITS [COMMENT]]
 *					write FILE (private) and FILE.pub
 *	keytool fp FILE			"BITS SHA256:... COMMENT (TYPE)"
 *	keytool pub FILE		the public key line of a private key
 *	keytool sshsig-sign FILE NS	sign stdin as "ssh-keygen -Y sign"
 *	keytool sshsig-verify FILE NS SIG
 *					verify SIG over stdin with the key in
 *					FILE, as "ssh-keygen -Y check-novalidate"
 *
 * The SSHSIG commands (OpenSSH's PROTOCOL.sshsig) let the shell test
 * exchange signatures with ssh-keygen in both directions, which checks
 * the signature encodings of every algorithm against OpenSSH.
 * TYPE is ed25519, rsa or ecdsa (as ssh-keygen -t) or a wire name.  On
 * failure it prints "keytool: FILE: <error text>" and exits 1.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/mem.h"

/* Any armor: openssh-key-v1 or PEM (key_parse_private tells them apart). */
#define PRIV_MARK	"-----BEGIN "
#define SIG_BEGIN	"-----BEGIN SSH SIGNATURE-----"
#define SIG_END		"-----END SSH SIGNATURE-----"
#define SSHSIG_MAGIC	"SSHSIG"
#define SSHSIG_VERSION	1u
/* Largest message the SSHSIG commands read from standard input. */
#define DATA_MAX	(1024u * 1024)

/* Every type name, to list the ones this build supports. */
static const char *const type_names[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521",
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: keytool types\n"
	    "       keytool gen TYPE FILE [BITS [COMMENT]]\n"
	    "       keytool fp FILE\n"
	    "       keytool pub FILE\n"
	    "       keytool sshsig-sign FILE NAMESPACE < DATA\n"
	    "       keytool sshsig-verify FILE NAMESPACE SIGFILE < DATA\n");
	exit(2);
}

static void __attribute__((noreturn))
die(const char *what, int r)
{
	fprintf(stderr, "keytool: %s: %s\n", what, hs_err_str(r));
	exit(1);
}

/* Everything from fd, at most max bytes. */
static int
read_fd(int fd, size_t max, struct buf **ret)
{
	struct buf *b;
	uint8_t chunk[4096];
	ssize_t n;
	size_t i;
	int r = 0;

	*ret = NULL;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_set_max_size(b, max)) != 0)
		goto out;
	for (i = 0; i <= max / sizeof(chunk) + 1; i++) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			r = HS_ERR_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
		if ((r = buf_put(b, chunk, (size_t)n)) != 0) {
			if (r == HS_ERR_NO_BUFFER_SPACE)
				r = HS_ERR_TOO_LONG;
			goto out;
		}
	}
	*ret = b;
	b = NULL;
 out:
	sodium_memzero(chunk, sizeof(chunk));
	buf_free(b);
	return r;
}

/* Whole file, at most KEY_FILE_MAX bytes. */
static int
read_file(const char *path, struct buf **ret)
{
	int fd, r;

	*ret = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	r = read_fd(fd, KEY_FILE_MAX, ret);
	close(fd);
	return r;
}

static int
write_file(const char *path, const void *p, size_t len, mode_t mode)
{
	ssize_t n;
	size_t off = 0, i;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1)
		return HS_ERR_SYSTEM;
	for (i = 0; off < len && i < len + 16; i++) {
		if ((n = write(fd, (const char *)p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return HS_ERR_SYSTEM;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 || off != len)
		return HS_ERR_SYSTEM;
	return 0;
}

static bool
is_private_file(const struct buf *b)
{
	return buf_len(b) >= strlen(PRIV_MARK) &&
	    memcmp(buf_ptr(b), PRIV_MARK, strlen(PRIV_MARK)) == 0;
}

/* A private key file or a public key line, with its comment. */
static int
load_key(const char *path, struct key **ret, char **ret_comment)
{
	struct buf *b = NULL;
	int r;

	if ((r = read_file(path, &b)) != 0)
		return r;
	if (is_private_file(b))
		r = key_parse_private(buf_ptr(b), buf_len(b), ret, ret_comment);
	else
		r = key_parse_public((const char *)buf_ptr(b), buf_len(b), ret,
		    ret_comment);
	buf_free(b);
	return r;
}

static enum key_type
parse_type(const char *name, unsigned int *bits)
{
	if (strcmp(name, "ed25519") == 0)
		return KEY_ED25519;
	if (strcmp(name, "rsa") == 0)
		return KEY_RSA;
	if (strcmp(name, "ecdsa") == 0) {
		switch (*bits) {
		case 0:
		case 256:
			*bits = 0;
			return KEY_ECDSA_P256;
		case 384:
			*bits = 0;
			return KEY_ECDSA_P384;
		case 521:
			*bits = 0;
			return KEY_ECDSA_P521;
		default:
			return KEY_UNSPEC;
		}
	}
	return key_type_from_name(name);
}

static int
cmd_types(void)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (key_type_supported(key_type_from_name(type_names[i])))
			printf("%s\n", type_names[i]);
	return 0;
}

static int
cmd_gen(int argc, char **argv)
{
	const char *path = argv[3], *comment = "keytool";
	struct key *k = NULL;
	struct buf *priv = NULL;
	char *line = NULL, *pubpath = NULL, *pubtext = NULL;
	unsigned int bits = 0;
	enum key_type type;
	long v;
	char *ep;
	int r;

	if (argc > 4) {
		errno = 0;
		v = strtol(argv[4], &ep, 10);
		if (errno != 0 || *ep != '\0' || v < 0 || v > INT_MAX)
			usage();
		bits = (unsigned int)v;
	}
	if (argc > 5)
		comment = argv[5];
	if ((type = parse_type(argv[2], &bits)) == KEY_UNSPEC)
		die(argv[2], HS_ERR_KEY_TYPE);
	if ((r = key_generate(type, bits, &k)) != 0)
		die("generate", r);
	if ((priv = buf_new()) == NULL)
		die("generate", HS_ERR_ALLOC);
	if ((r = key_format_private(k, comment, priv)) != 0)
		die("format private key", r);
	if ((r = write_file(path, buf_ptr(priv), buf_len(priv), 0600)) != 0)
		die(path, r);
	if ((r = key_format_public(k, comment, &line)) != 0)
		die("format public key", r);
	xasprintf(&pubpath, "%s.pub", path);
	xasprintf(&pubtext, "%s\n", line);
	if ((r = write_file(pubpath, pubtext, strlen(pubtext), 0644)) != 0)
		die(pubpath, r);
	free(pubtext);
	free(pubpath);
	free(line);
	buf_free(priv);
	key_free(k);
	return 0;
}

static int
cmd_fp(const char *path)
{
	struct key *k = NULL;
	char *comment = NULL, *fp = NULL;
	int r;

	if ((r = load_key(path, &k, &comment)) != 0)
		die(path, r);
	if ((r = key_fingerprint(k, &fp)) != 0)
		die(path, r);
	printf("%u %s %s (%s)\n", key_bits(k), fp,
	    comment != NULL ? comment : "no comment", key_type_short(k));
	free(fp);
	free(comment);
	key_free(k);
	return 0;
}

static int
cmd_pub(const char *path)
{
	struct key *k = NULL;
	char *comment = NULL, *line = NULL;
	int r;

	if ((r = load_key(path, &k, &comment)) != 0)
		die(path, r);
	if ((r = key_format_public(k, comment, &line)) != 0)
		die(path, r);
	printf("%s\n", line);
	free(line);
	free(comment);
	key_free(k);
	return 0;
}

/* The data an SSHSIG signature covers (PROTOCOL.sshsig). */
static int
sshsig_signed_data(const char *ns, const char *hashalg, const struct buf *msg,
    struct buf **ret)
{
	uint8_t h[crypto_hash_sha512_BYTES];
	size_t hlen;
	struct buf *b;
	int r;

	*ret = NULL;
	if (strcmp(hashalg, "sha512") == 0) {
		crypto_hash_sha512(h, buf_ptr(msg), buf_len(msg));
		hlen = crypto_hash_sha512_BYTES;
	} else if (strcmp(hashalg, "sha256") == 0) {
		crypto_hash_sha256(h, buf_ptr(msg), buf_len(msg));
		hlen = crypto_hash_sha256_BYTES;
	} else
		return HS_ERR_NO_MATCH;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_put(b, SSHSIG_MAGIC, strlen(SSHSIG_MAGIC))) != 0 ||
	    (r = buf_put_cstring(b, ns)) != 0 ||
	    (r = buf_put_string(b, NULL, 0)) != 0 ||
	    (r = buf_put_cstring(b, hashalg)) != 0 ||
	    (r = buf_put_string(b, h, hlen)) != 0) {
		buf_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

static int
cmd_sshsig_sign(const char *path, const char *ns)
{
	struct key *k = NULL;
	struct buf *msg = NULL, *data = NULL, *sig = NULL, *blob = NULL;
	struct buf *out = NULL;
	char *comment = NULL, *b64;
	size_t b64size, off, n, len;
	int r;

	if ((r = load_key(path, &k, &comment)) != 0)
		die(path, r);
	if ((r = read_fd(STDIN_FILENO, DATA_MAX, &msg)) != 0)
		die("standard input", r);
	if ((r = sshsig_signed_data(ns, "sha512", msg, &data)) != 0)
		die("signed data", r);
	if ((sig = buf_new()) == NULL || (blob = buf_new()) == NULL ||
	    (out = buf_new()) == NULL)
		die("sign", HS_ERR_ALLOC);
	/* As ssh-keygen: rsa-sha2-512 for RSA, the key's own otherwise. */
	if ((r = key_sign(k, NULL, buf_ptr(data), buf_len(data), sig)) != 0)
		die("sign", r);
	if ((r = key_to_blob(k, blob)) != 0 ||
	    (r = buf_put(out, SSHSIG_MAGIC, strlen(SSHSIG_MAGIC))) != 0 ||
	    (r = buf_put_u32(out, SSHSIG_VERSION)) != 0 ||
	    (r = buf_put_stringb(out, blob)) != 0 ||
	    (r = buf_put_cstring(out, ns)) != 0 ||
	    (r = buf_put_string(out, NULL, 0)) != 0 ||
	    (r = buf_put_cstring(out, "sha512")) != 0 ||
	    (r = buf_put_stringb(out, sig)) != 0)
		die("encode", r);
	b64size = sodium_base64_ENCODED_LEN(buf_len(out),
	    sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(b64size);
	sodium_bin2base64(b64, b64size, buf_ptr(out), buf_len(out),
	    sodium_base64_VARIANT_ORIGINAL);
	printf("%s\n", SIG_BEGIN);
	len = strlen(b64);
	for (off = 0; off < len; off += n) {
		n = len - off < 70 ? len - off : 70;
		printf("%.*s\n", (int)n, b64 + off);
	}
	printf("%s\n", SIG_END);
	free(b64);
	free(comment);
	buf_free(out);
	buf_free(blob);
	buf_free(sig);
	buf_free(data);
	buf_free(msg);
	key_free(k);
	return 0;
}

/* The binary SSHSIG blob inside the armor. */
static int
sshsig_dearmor(const struct buf *text, struct buf **ret)
{
	const char *s = (const char *)buf_ptr(text);
	size_t len = buf_len(text), blen = strlen(SIG_BEGIN);
	size_t elen = strlen(SIG_END), end, binlen;
	uint8_t *bin;
	int r = 0;

	*ret = NULL;
	if (len < blen + elen || memcmp(s, SIG_BEGIN, blen) != 0)
		return HS_ERR_BAD_FORMAT;
	for (end = blen; end + elen <= len; end++)
		if (memcmp(s + end, SIG_END, elen) == 0)
			break;
	if (end + elen > len)
		return HS_ERR_BAD_FORMAT;
	bin = xmalloc(len);
	if (sodium_base642bin(bin, len, s + blen, end - blen, "\r\n",
	    &binlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		r = HS_ERR_BAD_FORMAT;
	else if ((*ret = buf_from(bin, binlen)) == NULL)
		r = HS_ERR_ALLOC;
	free(bin);
	return r;
}

static int
cmd_sshsig_verify(const char *path, const char *ns, const char *sigpath)
{
	struct key *k = NULL, *signer = NULL;
	struct buf *msg = NULL, *text = NULL, *b = NULL, *data = NULL;
	const uint8_t *pub, *sig;
	size_t publen, siglen;
	char *comment = NULL, *signs = NULL, *hashalg = NULL;
	uint8_t magic[6];
	uint32_t version;
	int r;

	if ((r = load_key(path, &k, &comment)) != 0)
		die(path, r);
	if ((r = read_fd(STDIN_FILENO, DATA_MAX, &msg)) != 0)
		die("standard input", r);
	if ((r = read_file(sigpath, &text)) != 0)
		die(sigpath, r);
	if ((r = sshsig_dearmor(text, &b)) != 0)
		die(sigpath, r);
	if ((r = buf_get(b, magic, sizeof(magic))) != 0 ||
	    (r = buf_get_u32(b, &version)) != 0 ||
	    (r = buf_get_string_direct(b, KEY_BLOB_MAX, &pub, &publen)) != 0 ||
	    (r = buf_get_cstring(b, 256, &signs, NULL)) != 0 ||
	    (r = buf_skip_string(b, 256)) != 0 ||
	    (r = buf_get_cstring(b, 64, &hashalg, NULL)) != 0 ||
	    (r = buf_get_string_direct(b, SIG_MAX, &sig, &siglen)) != 0 ||
	    (r = buf_get_end(b)) != 0)
		die(sigpath, r);
	if (memcmp(magic, SSHSIG_MAGIC, sizeof(magic)) != 0 ||
	    version != SSHSIG_VERSION)
		die(sigpath, HS_ERR_BAD_FORMAT);
	if (strcmp(signs, ns) != 0)
		die("namespace", HS_ERR_NO_MATCH);
	if ((r = key_from_blob(pub, publen, &signer)) != 0)
		die("signer key", r);
	if (!key_equal_public(signer, k))
		die("signer key", HS_ERR_KEY_MISMATCH);
	if ((r = sshsig_signed_data(ns, hashalg, msg, &data)) != 0)
		die("hash algorithm", r);
	if ((r = key_verify(k, NULL, sig, siglen, buf_ptr(data),
	    buf_len(data))) != 0)
		die(sigpath, r);
	printf("Good \"%s\" signature with %s key\n", ns, key_type_short(k));
	free(hashalg);
	free(signs);
	free(comment);
	buf_free(data);
	buf_free(b);
	buf_free(text);
	buf_free(msg);
	key_free(signer);
	key_free(k);
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "keytool: libsodium initialisation failed\n");
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "types") == 0)
		return cmd_types();
	if (argc >= 4 && argc <= 6 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc, argv);
	if (argc == 3 && strcmp(argv[1], "fp") == 0)
		return cmd_fp(argv[2]);
	if (argc == 3 && strcmp(argv[1], "pub") == 0)
		return cmd_pub(argv[2]);
	if (argc == 4 && strcmp(argv[1], "sshsig-sign") == 0)
		return cmd_sshsig_sign(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "sshsig-verify") == 0)
		return cmd_sshsig_verify(argv[2], argv[3], argv[4]);
	usage();
}
