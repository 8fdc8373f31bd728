/* SPDX-License-Identifier: ISC */
/*
 * Warm up the crypto libraries before a sandbox closes the file system:
 * libsodium's randomness and, with OpenSSL, its configuration, providers,
 * random generator and every algorithm the transport may fetch (OpenSSL 3
 * loads these lazily, on first use).  Called by hsshd-preauth and
 * hsshd-session before their filters go on.
 */
#ifndef HS_CRYPTO_INIT_H
#define HS_CRYPTO_INIT_H

/* Returns 0, or HS_ERR_CRYPTO if a library could not be initialised. */
int	crypto_preload(void);

#endif
