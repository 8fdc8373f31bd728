/* SPDX-License-Identifier: ISC */
/*
 * Tests only (never linked into a program): builds an RPC_SESSION_INIT
 * as the monitor would, with a made-up key exchange whose client half the
 * test keeps.  See test-sess-builder.h.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/kex.h"
#include "common/key.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/sessinit.h"
#include "policy/config.h"
#include "tests/unit/test-sess-builder.h"

#define SESSB_VC	"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
#define SESSB_VS	"SSH-2.0-hsshd_test"

static char *
dupstr(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* Move every byte one state has queued into the other and decode it. */
static int
shuttle(struct pkt_state *from, struct pkt_state *to, unsigned int expect)
{
	struct buf *o = pkt_output(from), *pl = NULL;
	unsigned int got = 0;
	int r;

	if ((r = pkt_feed(to, buf_ptr(o), buf_len(o))) != 0)
		return r;
	buf_reset(o);
	while ((r = pkt_read(to, &pl)) == 0 && pl != NULL) {
		got++;
		buf_free(pl);
	}
	if (r != 0)
		return r;
	return got == expect ? 0 : HS_ERR_INTERNAL;
}

static int
send_ignore(struct pkt_state *st, unsigned int n)
{
	static const uint8_t ign[] = { SSH2_MSG_IGNORE, 0, 0, 0, 3, 'a', 'b',
	    'c' };
	unsigned int i;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = pkt_send(st, ign, sizeof(ign))) != 0)
			return r;
	}
	return 0;
}

static int
install(struct pkt_state *st, const struct kex_negotiated *neg,
    const struct kex_keys *keys, bool server)
{
	struct cipher_ctx *c = NULL;
	struct mac_ctx *m = NULL;
	int r, i;

	for (i = 0; i < 2; i++) {
		if ((r = kex_keys_contexts(neg, keys, server, i == 0, &c,
		    &m)) != 0)
			return r;
		if ((r = pkt_set_keys(st, i == 0 ? PKT_IN : PKT_OUT, c,
		    m)) != 0) {
			cipher_free(c);
			mac_free(m);
			return r;
		}
	}
	return 0;
}

int
sessb_build(const struct sessb_opts *o, struct session_init **ret_si,
    struct pkt_state **ret_client, struct key **ret_hostkey)
{
	struct session_init *si = NULL;
	struct pkt_state *srv = NULL, *cli = NULL;
	struct key *hk = NULL;
	struct hs_config *cfg = NULL;
	struct kex_negotiated neg;
	struct kex_keys *keys = NULL;
	struct buf *k = NULL;
	struct passwd *pw;
	size_t want[KEX_KEY_MAX];
	uint8_t kraw[32], h[32];
	const char *cipher, *mac, *kexname;
	char *err = NULL;
	int r = HS_ERR_INTERNAL;

	*ret_si = NULL;
	if (sodium_init() < 0)
		return HS_ERR_CRYPTO;
	kexname = o->kex != NULL ? o->kex : "curve25519-sha256";
	cipher = o->cipher != NULL ? o->cipher : "chacha20-poly1305@openssh.com";
	mac = o->mac != NULL ? o->mac : "";
	memset(&neg, 0, sizeof(neg));
	if ((neg.kex = kex_alg_by_name(kexname)) == NULL ||
	    (neg.enc_c2s = neg.enc_s2c = cipher_by_name(cipher)) == NULL)
		return HS_ERR_NOT_FOUND;
	if (*mac != '\0' &&
	    (neg.mac_c2s = neg.mac_s2c = mac_by_name(mac)) == NULL)
		return HS_ERR_NOT_FOUND;
	snprintf(neg.hostkey_alg, sizeof(neg.hostkey_alg), "ssh-ed25519");
	neg.strict_kex = o->strict;
	if ((pw = getpwuid(getuid())) == NULL)
		return HS_ERR_NOT_FOUND;

	/* K and H as a key exchange would leave them. */
	randombytes_buf(kraw, sizeof(kraw));
	kraw[0] |= 0x01;
	randombytes_buf(h, sizeof(h));
	kex_key_sizes(&neg, want);
	if ((k = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_put_mpint(k, kraw, sizeof(kraw))) != 0 ||
	    (r = kex_derive_keys(neg.kex, k, h, sizeof(h), h, sizeof(h), want,
	    &keys)) != 0)
		goto out;

	if ((r = pkt_new(&srv)) != 0 || (r = pkt_new(&cli)) != 0)
		goto out;
	pkt_reset_seqnr_on_newkeys(srv, o->strict);
	pkt_reset_seqnr_on_newkeys(cli, o->strict);
	if ((r = send_ignore(srv, o->warmup_packets)) != 0 ||
	    (r = shuttle(srv, cli, o->warmup_packets)) != 0 ||
	    (r = send_ignore(cli, o->warmup_packets)) != 0 ||
	    (r = shuttle(cli, srv, o->warmup_packets)) != 0 ||
	    (r = install(srv, &neg, keys, true)) != 0 ||
	    (r = install(cli, &neg, keys, false)) != 0 ||
	    (r = send_ignore(srv, o->warmup_packets)) != 0 ||
	    (r = shuttle(srv, cli, o->warmup_packets)) != 0 ||
	    (r = send_ignore(cli, o->warmup_packets)) != 0 ||
	    (r = shuttle(cli, srv, o->warmup_packets)) != 0)
		goto out;
	if (o->warmup_packets > 0) {
		/* One packet the pre-auth child received but did not decode:
		 * it travels as pending bytes. */
		if ((r = send_ignore(cli, 1)) != 0 ||
		    (r = pkt_feed(srv, buf_ptr(pkt_output(cli)),
		    buf_len(pkt_output(cli)))) != 0)
			goto out;
		buf_reset(pkt_output(cli));
	}

	if ((si = sessinit_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	si->user = dupstr(pw->pw_name);
	si->uid = (uint32_t)pw->pw_uid;
	si->gid = (uint32_t)pw->pw_gid;
	si->home = dupstr(pw->pw_dir);
	si->shell = dupstr(pw->pw_shell);
	si->peer_addr = dupstr("127.0.0.1");
	si->peer_port = 40000;
	si->local_addr = dupstr("127.0.0.1");
	si->local_port = 22;
	si->kex_alg = dupstr(kexname);
	si->hostkey_alg = dupstr("ssh-ed25519");
	si->enc_c2s = dupstr(cipher);
	si->enc_s2c = dupstr(cipher);
	si->mac_c2s = dupstr(mac);
	si->mac_s2c = dupstr(mac);
	si->strict_kex = o->strict;
	memcpy(si->session_id, h, sizeof(h));
	si->session_id_len = sizeof(h);
	si->v_c = dupstr(SESSB_VC);
	si->v_s = dupstr(SESSB_VS);
	si->keys = keys;
	keys = NULL;
	si->log_level = 7;
	if ((si->transport = buf_new()) == NULL ||
	    (si->config = buf_new()) == NULL ||
	    (si->key_options = buf_new()) == NULL ||
	    (si->hostkeys[0].blob = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	si->nhostkeys = 1;
	si->hostkeys[0].sig_algs = dupstr("ssh-ed25519");
	if ((r = pkt_export(srv, si->transport)) != 0 ||
	    (r = key_generate(KEY_ED25519, 0, &hk)) != 0 ||
	    (r = key_to_blob(hk, si->hostkeys[0].blob)) != 0)
		goto out;
	if ((cfg = config_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (o->config_text != NULL && (r = config_load_buffer(cfg, "test",
	    o->config_text, strlen(o->config_text), &err)) != 0)
		goto out;
	if ((r = config_finish(cfg, &err)) != 0 ||
	    (r = config_serialize(cfg, si->config)) != 0)
		goto out;
	if (si->user == NULL || si->home == NULL || si->shell == NULL ||
	    si->peer_addr == NULL || si->local_addr == NULL ||
	    si->kex_alg == NULL || si->hostkey_alg == NULL ||
	    si->enc_c2s == NULL || si->enc_s2c == NULL || si->mac_c2s == NULL ||
	    si->mac_s2c == NULL || si->v_c == NULL || si->v_s == NULL ||
	    si->hostkeys[0].sig_algs == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	*ret_si = si;
	si = NULL;
	if (ret_client != NULL) {
		*ret_client = cli;
		cli = NULL;
	}
	if (ret_hostkey != NULL) {
		*ret_hostkey = hk;
		hk = NULL;
	}
	r = 0;
 out:
	free(err);
	sodium_memzero(kraw, sizeof(kraw));
	config_free(cfg);
	sessinit_free(si);
	kex_keys_free(keys);
	buf_free(k);
	pkt_free(srv);
	pkt_free(cli);
	key_free(hk);
	return r;
}
