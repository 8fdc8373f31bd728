/* SPDX-License-Identifier: ISC */
/* Crypto library warm-up before sandboxing (see crypto-init.h).  No
 * untrusted input. */
#include "config.h"

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif

#include "common/crypto-init.h"
#include "common/err.h"

#ifdef HAVE_OPENSSL
/* Fetching an algorithm once puts it in the library context's cache. */
static int
preload_openssl(void)
{
	static const char *const ciphers[] = {
		"AES-128-CTR", "AES-192-CTR", "AES-256-CTR",
		"AES-128-GCM", "AES-256-GCM",
	};
	static const char *const digests[] = { "SHA256", "SHA384", "SHA512" };
	static const char *const keymgmt[] = { "EC", "DH", "RSA", "ED25519" };
	static const char *const exchanges[] = { "ECDH", "DH" };
	unsigned char b[16];
	EVP_CIPHER *c;
	EVP_MD *md;
	EVP_KEYMGMT *km;
	EVP_KEYEXCH *kx;
	EVP_MAC *mac;
	size_t i;

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
	    RAND_bytes(b, sizeof(b)) != 1)
		return HS_ERR_CRYPTO;
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		if ((c = EVP_CIPHER_fetch(NULL, ciphers[i], NULL)) == NULL)
			return HS_ERR_CRYPTO;
		EVP_CIPHER_free(c);
	}
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		if ((md = EVP_MD_fetch(NULL, digests[i], NULL)) == NULL)
			return HS_ERR_CRYPTO;
		EVP_MD_free(md);
	}
	for (i = 0; i < sizeof(keymgmt) / sizeof(keymgmt[0]); i++) {
		if ((km = EVP_KEYMGMT_fetch(NULL, keymgmt[i], NULL)) == NULL)
			return HS_ERR_CRYPTO;
		EVP_KEYMGMT_free(km);
	}
	for (i = 0; i < sizeof(exchanges) / sizeof(exchanges[0]); i++) {
		if ((kx = EVP_KEYEXCH_fetch(NULL, exchanges[i], NULL)) == NULL)
			return HS_ERR_CRYPTO;
		EVP_KEYEXCH_free(kx);
	}
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return HS_ERR_CRYPTO;
	EVP_MAC_free(mac);
	ERR_clear_error();
	return 0;
}
#endif

int
crypto_preload(void)
{
	unsigned char b[16];

	if (sodium_init() < 0)
		return HS_ERR_CRYPTO;
	randombytes_buf(b, sizeof(b));
	sodium_memzero(b, sizeof(b));
	/* Decide now which AES-GCM implementation the CPU allows. */
	(void)crypto_aead_aes256gcm_is_available();
#ifdef HAVE_OPENSSL
	return preload_openssl();
#else
	return 0;
#endif
}
