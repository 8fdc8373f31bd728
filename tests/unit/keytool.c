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
 *
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

#define PRIV_MARK	"-----BEGIN OPENSSH PRIVATE KEY-----"

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
	    "       keytool pub FILE\n");
	exit(2);
}

static void __attribute__((noreturn))
die(const char *what, int r)
{
	fprintf(stderr, "keytool: %s: %s\n", what, hs_err_str(r));
	exit(1);
}

/* Whole file, at most KEY_FILE_MAX bytes. */
static int
read_file(const char *path, struct buf **ret)
{
	struct buf *b;
	uint8_t chunk[4096];
	ssize_t n;
	size_t i;
	int fd, r = 0;

	*ret = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return HS_ERR_SYSTEM;
	if ((b = buf_new()) == NULL) {
		close(fd);
		return HS_ERR_ALLOC;
	}
	if ((r = buf_set_max_size(b, KEY_FILE_MAX)) != 0)
		goto out;
	for (i = 0; i <= KEY_FILE_MAX / sizeof(chunk) + 1; i++) {
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
	usage();
}
