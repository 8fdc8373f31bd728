/* SPDX-License-Identifier: ISC */
/*
 * The algorithm lists of this build: what is offered by default, what is
 * implemented, and what OpenSSH 9.x knows but hsshd does not.  Data only;
 * linked wherever configuration is loaded.  The defaults keep ssh-audit
 * clean: no SHA-1, no CBC, no NIST curves for key exchange by default.
 * Post-quantum hybrids (sntrup761x25519, mlkem768x25519) are not
 * implemented yet, so they sit in the "known" lists.  FIDO security keys
 * (sk-*) can only be user keys: PubkeyAcceptedAlgorithms has them (in
 * OpenSSH's default order), host keys and CA keys do not.
 */
#include <config.h>

#include <string.h>

#include "common/mem.h"
#include "policy/algs.h"

#ifdef HAVE_OPENSSL
#define KEX_DEFAULT \
	"curve25519-sha256,curve25519-sha256@libssh.org," \
	"diffie-hellman-group16-sha512,diffie-hellman-group18-sha512"
#define KEX_SUPPORTED KEX_DEFAULT "," \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," \
	"diffie-hellman-group14-sha256"
#define KEX_KNOWN_OPENSSL ""
#define CIPHER_DEFAULT \
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com," \
	"aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr"
#define CIPHER_KNOWN_OPENSSL ""
#define MAC_DEFAULT \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"
#define MAC_SUPPORTED MAC_DEFAULT ",hmac-sha2-256,hmac-sha2-512"
#define MAC_KNOWN_OPENSSL ""
#define HOSTKEY_DEFAULT "ssh-ed25519,rsa-sha2-512,rsa-sha2-256"
#define KEY_SUPPORTED \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," \
	"ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
#define KEY_KNOWN_OPENSSL ""
#define PUBKEY_SUPPORTED \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," \
	"ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com," \
	"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"
#define SK_KNOWN_OPENSSL ""
#else
#define KEX_DEFAULT "curve25519-sha256,curve25519-sha256@libssh.org"
#define KEX_SUPPORTED KEX_DEFAULT
#define KEX_KNOWN_OPENSSL \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," \
	"diffie-hellman-group14-sha256,diffie-hellman-group16-sha512," \
	"diffie-hellman-group18-sha512,"
#define CIPHER_DEFAULT "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com"
#define CIPHER_KNOWN_OPENSSL \
	"aes128-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
/* Without OpenSSL every cipher is an AEAD, so no MAC is ever used. */
#define MAC_DEFAULT ""
#define MAC_SUPPORTED ""
#define MAC_KNOWN_OPENSSL \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com," \
	"hmac-sha2-256,hmac-sha2-512,"
#define HOSTKEY_DEFAULT "ssh-ed25519"
#define KEY_SUPPORTED "ssh-ed25519"
#define KEY_KNOWN_OPENSSL \
	"ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521," \
	"rsa-sha2-512,rsa-sha2-256,"
#define PUBKEY_SUPPORTED "ssh-ed25519,sk-ssh-ed25519@openssh.com"
#define SK_KNOWN_OPENSSL "sk-ecdsa-sha2-nistp256@openssh.com,"
#endif
#define CIPHER_SUPPORTED CIPHER_DEFAULT

#define KEX_KNOWN KEX_KNOWN_OPENSSL \
	"sntrup761x25519-sha512@openssh.com,sntrup761x25519-sha512," \
	"mlkem768x25519-sha256,diffie-hellman-group1-sha1," \
	"diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1," \
	"diffie-hellman-group-exchange-sha256"
#define CIPHER_KNOWN CIPHER_KNOWN_OPENSSL \
	"3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc," \
	"rijndael-cbc@lysator.liu.se"
#define MAC_KNOWN MAC_KNOWN_OPENSSL \
	"hmac-sha1,hmac-sha1-96,hmac-md5,hmac-md5-96," \
	"umac-64@openssh.com,umac-128@openssh.com," \
	"hmac-sha1-etm@openssh.com,hmac-sha1-96-etm@openssh.com," \
	"hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com," \
	"umac-64-etm@openssh.com,umac-128-etm@openssh.com"
/* What no key list of this build implements. */
#define KEY_KNOWN_ALL \
	"ssh-rsa,ssh-dss,ssh-xmss@openssh.com," \
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com," \
	"ssh-ed25519-cert-v01@openssh.com," \
	"sk-ssh-ed25519-cert-v01@openssh.com," \
	"ecdsa-sha2-nistp256-cert-v01@openssh.com," \
	"ecdsa-sha2-nistp384-cert-v01@openssh.com," \
	"ecdsa-sha2-nistp521-cert-v01@openssh.com," \
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com," \
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com," \
	"ssh-rsa-cert-v01@openssh.com,ssh-dss-cert-v01@openssh.com," \
	"ssh-xmss-cert-v01@openssh.com"
/* Host keys and CA keys: no security keys. */
#define KEY_KNOWN KEY_KNOWN_OPENSSL \
	"sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com," \
	KEY_KNOWN_ALL
/* User keys: the security-key types this build lacks. */
#define PUBKEY_KNOWN KEY_KNOWN_OPENSSL SK_KNOWN_OPENSSL KEY_KNOWN_ALL

const char *
algs_default(enum algs_kind kind)
{
	switch (kind) {
	case ALGS_KEX:		return KEX_DEFAULT;
	case ALGS_CIPHER:	return CIPHER_DEFAULT;
	case ALGS_MAC:		return MAC_DEFAULT;
	case ALGS_HOSTKEY:	return HOSTKEY_DEFAULT;
	case ALGS_PUBKEY:	return PUBKEY_SUPPORTED;
	case ALGS_CASIG:	return KEY_SUPPORTED;
	}
	return "";
}

const char *
algs_supported(enum algs_kind kind)
{
	switch (kind) {
	case ALGS_KEX:		return KEX_SUPPORTED;
	case ALGS_CIPHER:	return CIPHER_SUPPORTED;
	case ALGS_MAC:		return MAC_SUPPORTED;
	case ALGS_HOSTKEY:	return KEY_SUPPORTED;
	case ALGS_PUBKEY:	return PUBKEY_SUPPORTED;
	case ALGS_CASIG:	return KEY_SUPPORTED;
	}
	return "";
}

const char *
algs_known(enum algs_kind kind)
{
	switch (kind) {
	case ALGS_KEX:		return KEX_KNOWN;
	case ALGS_CIPHER:	return CIPHER_KNOWN;
	case ALGS_MAC:		return MAC_KNOWN;
	case ALGS_HOSTKEY:	return KEY_KNOWN;
	case ALGS_PUBKEY:	return PUBKEY_KNOWN;
	case ALGS_CASIG:	return KEY_KNOWN;
	}
	return "";
}

bool
algs_cipher_needs_mac(const char *cipher)
{
	return strcmp(cipher, "chacha20-poly1305@openssh.com") != 0 &&
	    strcmp(cipher, "aes256-gcm@openssh.com") != 0 &&
	    strcmp(cipher, "aes128-gcm@openssh.com") != 0;
}
