/* SPDX-License-Identifier: ISC */
/*
 * The real hsshd-session binary end to end, before the monitor's session
 * phase is wired: this test plays both of its peers.  As the monitor it
 * sends RPC_SESSION_INIT (tests/unit/test-sess-builder.c), re-emits LOG
 * lines, issues server KEXINITs and signs exchange hashes with the host
 * key (as monitor/answer-kex.c does), and serves PTY_OPEN, PTY_CLOSE,
 * SESSION_EVENT and TERMINATE with monitor/answer-session.c into
 * temporary utmp/wtmp/lastlog files.  As the client it speaks encrypted
 * SSH over a socketpair with the keys the builder made, runs its side of
 * every key exchange (curve25519, verifying the host key signature), and
 * keeps its windows.
 *
 * Checked: exec with stdout, stderr and exit status through the real
 * transport; the pending packet of the pre-auth child; 3 MiB to a child
 * within our window; 2 MiB from a child with a small client window; a
 * client-initiated re-key in the middle of a transfer and re-keys the
 * session starts itself after RekeyLimit, with the data intact; a pty
 * shell with the controlling terminal, TERM, the window size, the login
 * record and the release; the exit when the client disconnects (with
 * TERMINATE).  When run as root the session runs as "nobody" (with no
 * capabilities, as the monitor will start it).  Every wait is bounded
 * (10 s per poll).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kex.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mac.h"
#include "common/pkt.h"
#include "common/rpc.h"
#include "common/sessinit.h"
#include "common/ssh2.h"
#include "monitor/monitor.h"
#include "tests/tap.h"
#include "tests/unit/test-sess-builder.h"

#define CLIENT_KEX	"curve25519-sha256"

struct h {
	int			 cfd, mfd;
	pid_t			 pid;
	struct pkt_state	*cli;
	struct session_init	*si;
	struct key		*hostkey;
	struct mon		 m;
	/* Monitor side. */
	struct buf		*mon_i_s;
	unsigned int		 signed_count, terminated, logins;
	/* Client side of re-keys. */
	int			 ckex;		/* 0 idle, 1 KEXINIT sent, 2 ECDH_INIT sent */
	struct buf		*c_i_c, *c_i_s;
	uint8_t			 c_priv[32], c_pub[32];
	struct kex_negotiated	 c_neg;
	struct kex_keys		*c_keys;
	unsigned int		 client_rekeys;
	struct buf		*held;		/* client messages held during kex */
	bool			 eof, disconnected;
	/* hostkeys-00@openssh.com announcements naming our host key. */
	unsigned int		 hostkeys_announced;
};

static char dir[] = "/tmp/hs-sessloop.XXXXXX";
static char f_utmp[80], f_wtmp[80], f_lastlog[80];

static void
h_fail(const char *what)
{
	printf("# harness: %s\n", what);
}

/* ---- the client's output ------------------------------------------------ */

static void
h_write(struct h *h)
{
	struct buf *o = pkt_output(h->cli);
	ssize_t n;

	while (buf_len(o) > 0) {
		n = write(h->cfd, buf_ptr(o), buf_len(o));
		if (n > 0) {
			(void)buf_consume(o, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		buf_reset(o);
		return;
	}
}

static void
c_send_now(struct h *h, const struct buf *b)
{
	if (pkt_send_buf(h->cli, b) != 0)
		abort();
}

/* Connection messages wait while the client is in a key exchange. */
static void
h_send(struct h *h, struct buf *b)
{
	if (h->ckex != 0) {
		if (buf_put_stringb(h->held, b) != 0)
			abort();
	} else
		c_send_now(h, b);
	buf_free(b);
}

static void
c_flush_held(struct h *h)
{
	const uint8_t *p;
	size_t len;

	while (buf_len(h->held) > 0) {
		if (buf_get_string_direct(h->held, 1 << 20, &p, &len) != 0 ||
		    pkt_send(h->cli, p, len) != 0)
			abort();
	}
}

/* ---- the client's side of a key exchange -------------------------------- */

static void
c_send_kexinit(struct h *h)
{
	const char *props[KEX_PROP_MAX];

	props[KEX_PROP_KEX] = CLIENT_KEX;
	props[KEX_PROP_HOSTKEY] = "ssh-ed25519";
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] = h->si->enc_c2s;
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] =
	    *h->si->mac_c2s != '\0' ? h->si->mac_c2s : "hmac-sha2-256";
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";
	buf_free(h->c_i_c);
	if ((h->c_i_c = buf_new()) == NULL ||
	    kex_kexinit_build(props, false, h->c_i_c) != 0)
		abort();
	c_send_now(h, h->c_i_c);
	h->ckex = 1;
}

static struct kex_proposal *
parse_copy(const struct buf *b)
{
	struct kex_proposal *p = NULL;
	struct buf *t = buf_from(buf_ptr(b), buf_len(b));

	if (t == NULL || kex_kexinit_parse(t, &p) != 0)
		abort();
	buf_free(t);
	return p;
}

/* The server's KEXINIT (payload with its type byte). */
static void
c_on_kexinit(struct h *h, struct buf *payload)
{
	struct kex_proposal *cp, *sp;
	struct buf *b;

	if (h->ckex == 0)
		c_send_kexinit(h);	/* the server started it */
	buf_free(h->c_i_s);
	h->c_i_s = buf_from(buf_ptr(payload), buf_len(payload));
	cp = parse_copy(h->c_i_c);
	sp = parse_copy(h->c_i_s);
	if (kex_negotiate(cp, sp, false, &h->c_neg) != 0)
		abort();
	kex_proposal_free(cp);
	kex_proposal_free(sp);
	randombytes_buf(h->c_priv, sizeof(h->c_priv));
	if (crypto_scalarmult_base(h->c_pub, h->c_priv) != 0)
		abort();
	b = buf_new();
	if (buf_put_u8(b, SSH2_MSG_KEX_ECDH_INIT) != 0 ||
	    buf_put_string(b, h->c_pub, sizeof(h->c_pub)) != 0)
		abort();
	c_send_now(h, b);
	buf_free(b);
	h->ckex = 2;
}

static bool
c_on_reply(struct h *h, struct buf *b)
{
	const uint8_t *ks, *qs, *sig;
	size_t kslen, qslen, siglen, want[KEX_KEY_MAX];
	struct buf *k = buf_new(), *nk;
	struct kex_hash_input hi;
	struct key *hk = NULL;
	struct cipher_ctx *cc;
	struct mac_ctx *mc;
	uint8_t hash[KEX_HASH_MAX];
	size_t hl;
	bool ok = false;

	if (h->ckex != 2 ||
	    buf_get_string_direct(b, KEY_BLOB_MAX, &ks, &kslen) != 0 ||
	    buf_get_string_direct(b, 64, &qs, &qslen) != 0 ||
	    buf_get_string_direct(b, SIG_MAX, &sig, &siglen) != 0 ||
	    buf_get_end(b) != 0 ||
	    kex_curve25519_shared(h->c_priv, qs, qslen, NULL, k) != 0)
		goto out;
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)h->si->v_c;
	hi.v_c_len = strlen(h->si->v_c);
	hi.v_s = (const uint8_t *)h->si->v_s;
	hi.v_s_len = strlen(h->si->v_s);
	hi.i_c = buf_ptr(h->c_i_c);
	hi.i_c_len = buf_len(h->c_i_c);
	hi.i_s = buf_ptr(h->c_i_s);
	hi.i_s_len = buf_len(h->c_i_s);
	hi.k_s = ks;
	hi.k_s_len = kslen;
	hi.q_c = h->c_pub;
	hi.q_c_len = sizeof(h->c_pub);
	hi.q_s = qs;
	hi.q_s_len = qslen;
	hi.k = k;
	hl = kex_hash_len(h->c_neg.kex);
	if (kex_hash(h->c_neg.kex, &hi, hash, sizeof(hash)) != 0 ||
	    key_from_blob(ks, kslen, &hk) != 0 ||
	    !key_equal_public(hk, h->hostkey) ||
	    key_verify(hk, "ssh-ed25519", sig, siglen, hash, hl) != 0) {
		h_fail("host key signature does not verify");
		goto out;
	}
	kex_key_sizes(&h->c_neg, want);
	kex_keys_free(h->c_keys);
	h->c_keys = NULL;
	if (kex_derive_keys(h->c_neg.kex, k, hash, hl, h->si->session_id,
	    h->si->session_id_len, want, &h->c_keys) != 0)
		goto out;
	nk = buf_new();
	if (buf_put_u8(nk, SSH2_MSG_NEWKEYS) != 0)
		abort();
	c_send_now(h, nk);
	buf_free(nk);
	if (kex_keys_contexts(&h->c_neg, h->c_keys, false, false, &cc,
	    &mc) != 0 || pkt_set_keys(h->cli, PKT_OUT, cc, mc) != 0)
		goto out;
	h->ckex = 3;	/* waiting for the server's NEWKEYS */
	c_flush_held(h);
	ok = true;
 out:
	key_free(hk);
	buf_free(k);
	return ok;
}

static bool
c_on_newkeys(struct h *h)
{
	struct cipher_ctx *cc;
	struct mac_ctx *mc;

	if (h->ckex != 3 || kex_keys_contexts(&h->c_neg, h->c_keys, false,
	    true, &cc, &mc) != 0 || pkt_set_keys(h->cli, PKT_IN, cc, mc) != 0)
		return false;
	h->ckex = 0;
	h->client_rekeys++;
	return true;
}

/* ---- the monitor -------------------------------------------------------- */

static struct buf *
mon_kexinit(void)
{
	const char *props[KEX_PROP_MAX];
	struct buf *b = buf_new();

	props[KEX_PROP_KEX] = "curve25519-sha256,curve25519-sha256@libssh.org";
	props[KEX_PROP_HOSTKEY] = "ssh-ed25519";
	props[KEX_PROP_ENC_C2S] = props[KEX_PROP_ENC_S2C] =
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr";
	props[KEX_PROP_MAC_C2S] = props[KEX_PROP_MAC_S2C] =
	    "hmac-sha2-256-etm@openssh.com,hmac-sha2-256";
	props[KEX_PROP_COMP_C2S] = props[KEX_PROP_COMP_S2C] = "none";
	props[KEX_PROP_LANG_C2S] = props[KEX_PROP_LANG_S2C] = "";
	if (b == NULL || kex_kexinit_build(props, true, b) != 0)
		abort();
	return b;
}

/* KEX_SIGN as the monitor answers it: its own V_S, I_S and K_S. */
static int
mon_sign(struct h *h, struct buf *req, struct buf *reply)
{
	const uint8_t *i_c, *q_c, *q_s, *kp;
	size_t i_c_len, q_c_len, q_s_len, k_len;
	struct kex_proposal *cp = NULL, *sp = NULL;
	struct kex_negotiated neg;
	struct kex_hash_input hi;
	struct buf *k = NULL, *ks = buf_new(), *sig = buf_new(), *t;
	uint8_t hash[KEX_HASH_MAX];
	int r = -1;

	if (buf_get_string_direct(req, PKT_MAX_PACKET, &i_c, &i_c_len) != 0 ||
	    buf_get_string_direct(req, KEX_PUB_MAX, &q_c, &q_c_len) != 0 ||
	    buf_get_string_direct(req, KEX_PUB_MAX, &q_s, &q_s_len) != 0 ||
	    buf_get_string_direct(req, MPINT_MAX_BYTES + 5, &kp, &k_len) !=
	    0 || buf_get_end(req) != 0 || h->mon_i_s == NULL)
		goto out;
	t = buf_from(i_c, i_c_len);
	cp = parse_copy(t);
	buf_free(t);
	sp = parse_copy(h->mon_i_s);
	if (kex_negotiate(cp, sp, false, &neg) != 0)
		goto out;
	k = buf_from(kp, k_len);
	if (key_to_blob(h->hostkey, ks) != 0)
		goto out;
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)h->si->v_c;
	hi.v_c_len = strlen(h->si->v_c);
	hi.v_s = (const uint8_t *)h->si->v_s;
	hi.v_s_len = strlen(h->si->v_s);
	hi.i_c = i_c;
	hi.i_c_len = i_c_len;
	hi.i_s = buf_ptr(h->mon_i_s);
	hi.i_s_len = buf_len(h->mon_i_s);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = q_c;
	hi.q_c_len = q_c_len;
	hi.q_s = q_s;
	hi.q_s_len = q_s_len;
	hi.k = k;
	if (kex_hash(neg.kex, &hi, hash, sizeof(hash)) != 0 ||
	    key_sign(h->hostkey, neg.hostkey_alg, hash, kex_hash_len(neg.kex),
	    sig) != 0 || buf_put_stringb(reply, sig) != 0)
		goto out;
	/* One signature per KEXINIT issued. */
	buf_free(h->mon_i_s);
	h->mon_i_s = NULL;
	h->signed_count++;
	r = 0;
 out:
	kex_proposal_free(cp);
	kex_proposal_free(sp);
	buf_free(k);
	buf_free(ks);
	buf_free(sig);
	return r;
}

/* Serve one request of the session; false when it has gone. */
static bool
mon_serve(struct h *h)
{
	struct buf *req = NULL, *reply = buf_new();
	char *text = NULL;
	uint8_t type, level, ans = 0xff;
	int r = 0;

	if (rpc_recv(h->mfd, RPC_MSG_MAX, &type, &req, NULL) != 0) {
		buf_free(reply);
		return false;
	}
	switch (type) {
	case RPC_LOG:
		if (buf_get_u8(req, &level) != 0 ||
		    buf_get_cstring(req, LOG_LINE_MAX, &text, NULL) != 0 ||
		    buf_get_end(req) != 0)
			r = -1;
		else if (getenv("HS_TEST_VERBOSE") != NULL ||
		    level <= LOG_LEVEL_ERROR)
			printf("# session log: %s\n", text);
		free(text);
		break;
	case RPC_KEX_REKEY:
		buf_free(h->mon_i_s);
		h->mon_i_s = mon_kexinit();
		if (buf_get_end(req) != 0 ||
		    buf_put_stringb(reply, h->mon_i_s) != 0)
			r = -1;
		ans = RPC_KEX_REKEY_ANS;
		break;
	case RPC_KEX_SIGN:
		r = mon_sign(h, req, reply);
		ans = RPC_KEX_SIGN_ANS;
		break;
	case RPC_PTY_OPEN:
		r = mon_answer_pty_open(&h->m, req, reply);
		break;
	case RPC_PTY_CLOSE:
		r = mon_answer_pty_close(&h->m, req, reply);
		ans = RPC_PTY_CLOSE_ANS;
		break;
	case RPC_SESSION_EVENT:
		r = mon_answer_session_event(&h->m, req, reply);
		h->logins++;
		ans = RPC_SESSION_EVENT_ANS;
		break;
	case RPC_TERMINATE:
		r = mon_answer_terminate(&h->m, req, reply);
		h->terminated++;
		break;
	default:
		printf("# harness: unexpected %s\n", rpc_type_name(type));
		r = -1;
		break;
	}
	if (r != 0) {
		printf("# harness: violation in %s\n", rpc_type_name(type));
		abort();
	}
	if (ans != 0xff && rpc_send(h->mfd, ans, reply, -1) != 0)
		abort();
	buf_free(req);
	buf_free(reply);
	return true;
}

/* ---- the loop ----------------------------------------------------------- */

/*
 * The next connection-protocol message from the session (type byte
 * first; caller frees), handling transport messages and the monitor's
 * requests on the way.  NULL on timeout or when the connection ended.
 */
/* The session's hostkeys-00@openssh.com (UpdateHostKeys): want-reply
 * false and exactly our host key. */
static bool
is_hostkeys_announce(struct h *h, const struct buf *pl)
{
	struct buf *m = buf_from(buf_ptr(pl), buf_len(pl)), *blob = buf_new();
	const uint8_t *p;
	char *name = NULL;
	size_t len;
	uint8_t type;
	bool want = true, ok;

	ok = m != NULL && blob != NULL && buf_get_u8(m, &type) == 0 &&
	    buf_get_cstring(m, 64, &name, NULL) == 0 &&
	    strcmp(name, "hostkeys-00@openssh.com") == 0 &&
	    buf_get_bool(m, &want) == 0 && !want &&
	    buf_get_string_direct(m, 65536, &p, &len) == 0 &&
	    buf_get_end(m) == 0 && key_to_blob(h->hostkey, blob) == 0 &&
	    buf_len(blob) == len && memcmp(buf_ptr(blob), p, len) == 0;
	free(name);
	buf_free(m);
	buf_free(blob);
	return ok;
}

static struct buf *
h_next(struct h *h)
{
	struct pollfd pfd[2];
	struct buf *pl = NULL;
	uint8_t buf[65536], type;
	ssize_t n;
	size_t want;
	int i;

	for (i = 0; i < 100000; i++) {
		h_write(h);
		if (pkt_read(h->cli, &pl) != 0) {
			h_fail("bad packet from the session");
			return NULL;
		}
		if (pl != NULL) {
			if (buf_peek_u8(pl, 0, &type) != 0)
				abort();
			if (type == SSH2_MSG_KEXINIT) {
				c_on_kexinit(h, pl);
			} else if (type == SSH2_MSG_KEX_ECDH_REPLY) {
				(void)buf_consume(pl, 1);
				if (!c_on_reply(h, pl)) {
					buf_free(pl);
					return NULL;
				}
			} else if (type == SSH2_MSG_NEWKEYS) {
				if (!c_on_newkeys(h)) {
					h_fail("NEWKEYS out of order");
					buf_free(pl);
					return NULL;
				}
			} else if (type == SSH2_MSG_IGNORE ||
			    type == SSH2_MSG_DEBUG) {
				;
			} else if (type == SSH2_MSG_GLOBAL_REQUEST &&
			    is_hostkeys_announce(h, pl)) {
				h->hostkeys_announced++;
			} else if (type == SSH2_MSG_DISCONNECT) {
				h->disconnected = true;
				buf_free(pl);
				return NULL;
			} else
				return pl;
			buf_free(pl);
			pl = NULL;
			continue;
		}
		pfd[0].fd = h->cfd;
		pfd[0].events = POLLIN | (buf_len(pkt_output(h->cli)) > 0 ?
		    POLLOUT : 0);
		pfd[1].fd = h->mfd;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, 10000) <= 0) {
			h_fail("timeout");
			return NULL;
		}
		if (pfd[1].revents != 0 && !mon_serve(h))
			pfd[1].fd = -1;
		if ((pfd[0].revents & (POLLIN | POLLHUP)) != 0) {
			want = pkt_input_avail(h->cli) < sizeof(buf) ?
			    pkt_input_avail(h->cli) : sizeof(buf);
			n = read(h->cfd, buf, want);
			if (n <= 0) {
				h->eof = true;
				return NULL;
			}
			if (pkt_feed(h->cli, buf, (size_t)n) != 0)
				abort();
		}
	}
	return NULL;
}

/* Wait for the session's exit, serving the monitor side meanwhile. */
static int
h_wait_exit(struct h *h)
{
	struct pollfd pfd;
	int status = -1, i;

	for (i = 0; i < 1000; i++) {
		pfd.fd = h->mfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 10000) <= 0 || !mon_serve(h))
			break;
	}
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return status;
}

static bool
h_start(struct h *h, const char *config_text, const char *cipher,
    const char *mac)
{
	struct sessb_opts o;
	struct passwd *pw;
	struct buf *b;
	char exe[1024], ver[16];
	const char *top = getenv("top_builddir");
	int cs[2], ms[2], fl;

	memset(h, 0, sizeof(*h));
	memset(&o, 0, sizeof(o));
	o.cipher = cipher;
	o.mac = mac;
	o.strict = true;
	o.warmup_packets = 2;
	o.config_text = config_text;
	if (sessb_build(&o, &h->si, &h->cli, &h->hostkey) != 0)
		return false;
	free(h->si->shell);
	h->si->shell = strdup("/bin/sh");
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		free(h->si->user);
		free(h->si->home);
		h->si->user = strdup("nobody");
		h->si->home = strdup("/tmp");
		h->si->uid = (uint32_t)pw->pw_uid;
		h->si->gid = (uint32_t)pw->pw_gid;
	}
	h->si->log_level = getenv("HS_TEST_VERBOSE") != NULL ?
	    LOG_LEVEL_DEBUG3 : LOG_LEVEL_INFO;
	if ((h->held = buf_new()) == NULL)
		abort();
	snprintf(exe, sizeof(exe), "%s/session/hsshd-session",
	    top != NULL ? top : ".");
	snprintf(ver, sizeof(ver), "%d", RPC_PROTO_VERSION);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cs) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ms) != 0)
		abort();
	if ((h->pid = fork()) == 0) {
		char *argv[] = { "hsshd-session", "-R", ver, NULL };
		char *envp[] = { NULL };

		if (dup2(cs[1], HELPER_FD_A) == -1 ||
		    dup2(ms[1], HELPER_FD_B) == -1)
			_exit(126);
		if (geteuid() == 0 && h->si->uid != 0 &&
		    (setgroups(0, NULL) != 0 ||
		    setresgid(h->si->gid, h->si->gid, h->si->gid) != 0 ||
		    setresuid(h->si->uid, h->si->uid, h->si->uid) != 0))
			_exit(126);
		execve(exe, argv, envp);
		_exit(127);
	}
	close(cs[1]);
	close(ms[1]);
	h->cfd = cs[0];
	h->mfd = ms[0];
	fl = fcntl(h->cfd, F_GETFL);
	(void)fcntl(h->cfd, F_SETFL, fl | O_NONBLOCK);
	memset(&h->m, 0, sizeof(h->m));
	h->m.user = h->si->user;
	h->m.uid = h->si->uid;
	h->m.gid = h->si->gid;
	h->m.child = h->pid;
	h->m.rpc_fd = h->mfd;
	h->m.state = MON_ST_SESSION;
	snprintf(h->m.peer_addr, sizeof(h->m.peer_addr), "127.0.0.1");
	b = buf_new();
	if (sessinit_serialize(h->si, b) != 0 ||
	    rpc_send(h->mfd, RPC_SESSION_INIT, b, -1) != 0)
		abort();
	buf_free(b);
	return true;
}

static void
h_free(struct h *h)
{
	if (h->pid > 0) {
		(void)kill(h->pid, SIGKILL);
		(void)waitpid(h->pid, NULL, 0);
	}
	mon_session_release_ptys(&h->m);
	close(h->cfd);
	close(h->mfd);
	pkt_free(h->cli);
	sessinit_free(h->si);
	key_free(h->hostkey);
	buf_free(h->mon_i_s);
	buf_free(h->c_i_c);
	buf_free(h->c_i_s);
	buf_free(h->held);
	kex_keys_free(h->c_keys);
}

/* ---- client helpers ----------------------------------------------------- */

static struct buf *
msg(uint8_t type)
{
	struct buf *b = buf_new();

	if (b == NULL || buf_put_u8(b, type) != 0)
		abort();
	return b;
}

struct chan {
	uint32_t	 id;		/* the server's */
	uint32_t	 swin;		/* what we may still send */
	uint32_t	 cwin;		/* what the server may still send */
	struct buf	*out, *err;
	bool		 eof, closed, got_exit;
	uint32_t	 status;
	char		*signame;
	unsigned int	 replies_ok, replies_fail;
};

static bool
open_session(struct h *h, struct chan *c, uint32_t window)
{
	struct buf *b = msg(SSH2_MSG_CHANNEL_OPEN), *r;
	uint8_t type;
	uint32_t peer, maxpkt;

	memset(c, 0, sizeof(*c));
	c->out = buf_new();
	c->err = buf_new();
	c->cwin = window;
	if (buf_put_cstring(b, "session") != 0 || buf_put_u32(b, 0) != 0 ||
	    buf_put_u32(b, window) != 0 || buf_put_u32(b, 32768) != 0)
		abort();
	h_send(h, b);
	if ((r = h_next(h)) == NULL)
		return false;
	if (buf_get_u8(r, &type) != 0 ||
	    type != SSH2_MSG_CHANNEL_OPEN_CONFIRMATION ||
	    buf_get_u32(r, &peer) != 0 || peer != 0 ||
	    buf_get_u32(r, &c->id) != 0 || buf_get_u32(r, &c->swin) != 0 ||
	    buf_get_u32(r, &maxpkt) != 0) {
		buf_free(r);
		return false;
	}
	buf_free(r);
	return true;
}

static struct buf *
request(const struct chan *c, const char *type, bool want_reply)
{
	struct buf *b = msg(SSH2_MSG_CHANNEL_REQUEST);

	if (buf_put_u32(b, c->id) != 0 || buf_put_cstring(b, type) != 0 ||
	    buf_put_bool(b, want_reply) != 0)
		abort();
	return b;
}

/*
 * Handle one message for channel c.  Keeps the server's window for us
 * open (adjust once half is used, if adjust is set).  Returns false on a
 * message the test does not expect.
 */
static bool
on_message(struct h *h, struct chan *c, struct buf *m, bool adjust)
{
	const uint8_t *p;
	uint32_t id, code, add;
	size_t len;
	uint8_t type;
	char *name = NULL;
	bool want, core;

	/* Keep-alives are answered as OpenSSH's client does. */
	if (buf_peek_u8(m, 0, &type) == 0 && type == SSH2_MSG_GLOBAL_REQUEST) {
		h_send(h, msg(SSH2_MSG_REQUEST_FAILURE));
		return true;
	}
	if (buf_get_u8(m, &type) != 0 || buf_get_u32(m, &id) != 0)
		return false;
	switch (type) {
	case SSH2_MSG_CHANNEL_DATA:
	case SSH2_MSG_CHANNEL_EXTENDED_DATA:
		if ((type == SSH2_MSG_CHANNEL_EXTENDED_DATA &&
		    buf_get_u32(m, &code) != 0) ||
		    buf_get_string_direct(m, 65536, &p, &len) != 0)
			return false;
		if (len > c->cwin || c->eof) {
			h_fail("data beyond our window or after EOF");
			return false;
		}
		c->cwin -= (uint32_t)len;
		if (buf_put(type == SSH2_MSG_CHANNEL_DATA ? c->out : c->err,
		    p, len) != 0)
			return false;
		if (adjust && c->cwin < 32768) {
			struct buf *b = msg(SSH2_MSG_CHANNEL_WINDOW_ADJUST);

			add = 65536;
			if (buf_put_u32(b, c->id) != 0 ||
			    buf_put_u32(b, add) != 0)
				abort();
			c->cwin += add;
			h_send(h, b);
		}
		return true;
	case SSH2_MSG_CHANNEL_WINDOW_ADJUST:
		if (buf_get_u32(m, &add) != 0)
			return false;
		c->swin += add;
		return true;
	case SSH2_MSG_CHANNEL_EOF:
		c->eof = true;
		return true;
	case SSH2_MSG_CHANNEL_CLOSE:
		c->closed = true;
		return true;
	case SSH2_MSG_CHANNEL_SUCCESS:
		c->replies_ok++;
		return true;
	case SSH2_MSG_CHANNEL_FAILURE:
		c->replies_fail++;
		return true;
	case SSH2_MSG_CHANNEL_REQUEST:
		if (buf_get_cstring(m, 64, &name, NULL) != 0 ||
		    buf_get_bool(m, &want) != 0)
			return false;
		if (strcmp(name, "exit-status") == 0) {
			if (buf_get_u32(m, &c->status) != 0) {
				free(name);
				return false;
			}
			c->got_exit = true;
		} else if (strcmp(name, "exit-signal") == 0) {
			free(c->signame);
			c->signame = NULL;
			if (buf_get_cstring(m, 64, &c->signame, NULL) != 0 ||
			    buf_get_bool(m, &core) != 0) {
				free(name);
				return false;
			}
			c->got_exit = true;
		}
		free(name);
		return true;
	default:
		return false;
	}
}

static struct buf *
u32msg_eof(uint32_t id)
{
	struct buf *b = msg(SSH2_MSG_CHANNEL_EOF);

	if (buf_put_u32(b, id) != 0)
		abort();
	return b;
}

static struct buf *
u32msg_close(uint32_t id)
{
	struct buf *b = msg(SSH2_MSG_CHANNEL_CLOSE);

	if (buf_put_u32(b, id) != 0)
		abort();
	return b;
}

/* Run until channel c is closed by the server; then close our side. */
static bool
run_to_close(struct h *h, struct chan *c, bool adjust)
{
	struct buf *m;
	int i;

	for (i = 0; i < 100000 && !c->closed; i++) {
		if ((m = h_next(h)) == NULL)
			return false;
		if (!on_message(h, c, m, adjust)) {
			buf_free(m);
			return false;
		}
		buf_free(m);
	}
	if (c->closed)
		h_send(h, u32msg_close(c->id));
	return c->closed;
}

static void
chan_free(struct chan *c)
{
	buf_free(c->out);
	buf_free(c->err);
	free(c->signame);
}

static bool
exec_cmd(struct h *h, struct chan *c, const char *cmd)
{
	struct buf *b = request(c, "exec", true), *m;
	bool ok;

	if (buf_put_cstring(b, cmd) != 0)
		abort();
	h_send(h, b);
	if ((m = h_next(h)) == NULL)
		return false;
	ok = on_message(h, c, m, false) && c->replies_ok == 1;
	buf_free(m);
	return ok;
}

static void
disconnect(struct h *h)
{
	struct buf *b = msg(SSH2_MSG_DISCONNECT);

	if (buf_put_u32(b, SSH2_DISCONNECT_BY_APPLICATION) != 0 ||
	    buf_put_cstring(b, "disconnected by user") != 0 ||
	    buf_put_cstring(b, "") != 0)
		abort();
	h_send(h, b);
	h_write(h);
}

static bool
buf_is(const struct buf *b, const char *s)
{
	return buf_len(b) == strlen(s) && memcmp(buf_ptr(b), s, buf_len(b)) == 0;
}

/* The contents of b as a C string (static, truncated). */
static const char *
text_of(const struct buf *b)
{
	static char t[4096];
	size_t len = buf_len(b) < sizeof(t) - 1 ? buf_len(b) : sizeof(t) - 1;

	memcpy(t, buf_ptr(b), len);
	t[len] = '\0';
	return t;
}

static void
test_exec(const char *cipher, const char *mac)
{
	struct h h;
	struct chan c;
	char name[128];
	int status, i;

	snprintf(name, sizeof(name), "exec through the real transport (%s%s%s)",
	    cipher, *mac ? " " : "", mac);
	TEST_START(name);
	if (cipher_by_name(cipher) == NULL ||
	    !cipher_is_available(cipher_by_name(cipher))) {
		TEST_SKIP(name, "cipher not in this build");
		return;
	}
	ASSERT_TRUE(h_start(&h, NULL, cipher, mac));
	/* Unknown messages get UNIMPLEMENTED; a late USERAUTH_REQUEST is
	 * ignored (RFC 4252 §5.1). */
	h_send(&h, msg(SSH2_MSG_USERAUTH_REQUEST));
	h_send(&h, msg(85));
	h_send(&h, msg(200));
	for (i = 0; i < 2; i++) {
		struct buf *m = h_next(&h);
		uint8_t type = 0;

		ASSERT_TRUE(m != NULL && buf_get_u8(m, &type) == 0);
		ASSERT_INT_EQ(type, SSH2_MSG_UNIMPLEMENTED);
		buf_free(m);
	}
	ASSERT_INT_EQ(h.hostkeys_announced, 1);
	ASSERT_TRUE(open_session(&h, &c, 1 << 20));
	ASSERT_TRUE(exec_cmd(&h, &c, "echo hi; echo err >&2; exit 7"));
	ASSERT_TRUE(run_to_close(&h, &c, false));
	ASSERT_TRUE(buf_is(c.out, "hi\n"));
	ASSERT_TRUE(buf_is(c.err, "err\n"));
	ASSERT_TRUE(c.eof);
	ASSERT_TRUE(c.got_exit);
	ASSERT_INT_EQ(c.status, 7);
	disconnect(&h);
	status = h_wait_exit(&h);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_INT_EQ(WEXITSTATUS(status), 0);
	ASSERT_INT_EQ(h.terminated, 1);
	h.pid = -1;
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

static void
test_upload_rekey(void)
{
	static uint8_t chunk[32768];
	struct h h;
	struct chan c;
	struct buf *b, *m;
	size_t sent = 0, total = 3u << 20, n;
	bool rekeyed = false;
	int i;

	TEST_START("3 MiB to a child, client re-key in the middle");
	memset(chunk, 'u', sizeof(chunk));
	ASSERT_TRUE(h_start(&h, NULL, NULL, NULL));
	ASSERT_TRUE(open_session(&h, &c, 1 << 20));
	ASSERT_TRUE(exec_cmd(&h, &c, "wc -c"));
	for (i = 0; i < 100000 && sent < total; i++) {
		if (!rekeyed && sent >= total / 3) {
			c_send_kexinit(&h);
			rekeyed = true;
		}
		n = total - sent < sizeof(chunk) ? total - sent : sizeof(chunk);
		if (n > c.swin)
			n = c.swin;
		if (n == 0) {
			/* Wait for the window to come back. */
			if ((m = h_next(&h)) == NULL || !on_message(&h, &c, m,
			    false)) {
				buf_free(m);
				break;
			}
			buf_free(m);
			continue;
		}
		b = msg(SSH2_MSG_CHANNEL_DATA);
		if (buf_put_u32(b, c.id) != 0 ||
		    buf_put_string(b, chunk, n) != 0)
			abort();
		h_send(&h, b);
		c.swin -= (uint32_t)n;
		sent += n;
		h_write(&h);
	}
	ASSERT_U64_EQ(sent, total);
	h_send(&h, u32msg_eof(c.id));
	ASSERT_TRUE(run_to_close(&h, &c, false));
	ASSERT_STR_EQ(text_of(c.out), "3145728\n");
	ASSERT_INT_EQ(c.status, 0);
	ASSERT_INT_EQ(h.client_rekeys, 1);
	ASSERT_INT_EQ(h.signed_count, 1);
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

static void
test_download_rekeylimit(void)
{
	struct h h;
	struct chan c;
	const uint8_t *p;
	size_t i, bad = 0;

	TEST_START("2 MiB from a child, small window, RekeyLimit re-keys");
	ASSERT_TRUE(h_start(&h, "RekeyLimit 256K\n", "aes128-ctr",
	    "hmac-sha2-256-etm@openssh.com") ||
	    h_start(&h, "RekeyLimit 256K\n", NULL, NULL));
	ASSERT_TRUE(open_session(&h, &c, 65536));
	ASSERT_TRUE(exec_cmd(&h, &c,
	    "head -c 2097152 /dev/zero | tr '\\0' x"));
	ASSERT_TRUE(run_to_close(&h, &c, true));
	ASSERT_U64_EQ(buf_len(c.out), 2097152);
	for (i = 0, p = buf_ptr(c.out); i < buf_len(c.out); i++)
		bad += p[i] != 'x';
	ASSERT_INT_EQ(bad, 0);
	ASSERT_INT_EQ(c.status, 0);
	/* 2 MiB out at 256 KiB a key: at least 7 re-keys, each signed. */
	ASSERT_TRUE(h.client_rekeys >= 7);
	ASSERT_INT_EQ(h.signed_count, h.client_rekeys);
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

static void
test_pty(void)
{
	static const uint8_t modes[] = { 53, 0, 0, 0, 0, 0 };	/* ECHO off */
	struct h h;
	struct chan c;
	struct buf *b, *m;
	struct utmpx *u;
	const char *out;
	bool logged = false, dead = false;
	int i;

	TEST_START("pty shell: tty, TERM, size, login record, release");
	ASSERT_TRUE(h_start(&h, NULL, NULL, NULL));
	ASSERT_TRUE(open_session(&h, &c, 1 << 20));
	b = request(&c, "pty-req", true);
	if (buf_put_cstring(b, "vt220") != 0 || buf_put_u32(b, 100) != 0 ||
	    buf_put_u32(b, 30) != 0 || buf_put_u32(b, 0) != 0 ||
	    buf_put_u32(b, 0) != 0 ||
	    buf_put_string(b, modes, sizeof(modes)) != 0)
		abort();
	h_send(&h, b);
	ASSERT_TRUE((m = h_next(&h)) != NULL && on_message(&h, &c, m, false));
	buf_free(m);
	ASSERT_INT_EQ(c.replies_ok, 1);
	b = request(&c, "shell", true);
	h_send(&h, b);
	ASSERT_TRUE((m = h_next(&h)) != NULL && on_message(&h, &c, m, false));
	buf_free(m);
	ASSERT_INT_EQ(c.replies_ok, 2);
	b = msg(SSH2_MSG_CHANNEL_DATA);
	if (buf_put_u32(b, c.id) != 0 || buf_put_cstring(b,
	    "tty; echo T=$TERM; stty size\n") != 0)
		abort();
	h_send(&h, b);
	for (i = 0; i < 1000 && strstr(text_of(c.out), "30 100\r\n") == NULL;
	    i++) {
		if ((m = h_next(&h)) == NULL || !on_message(&h, &c, m, false)) {
			buf_free(m);
			break;
		}
		buf_free(m);
	}
	/* The size follows window-change; a break reaches the pty. */
	b = request(&c, "window-change", false);
	if (buf_put_u32(b, 120) != 0 || buf_put_u32(b, 40) != 0 ||
	    buf_put_u32(b, 0) != 0 || buf_put_u32(b, 0) != 0)
		abort();
	h_send(&h, b);
	b = request(&c, "break", true);
	if (buf_put_u32(b, 100) != 0)
		abort();
	h_send(&h, b);
	b = msg(SSH2_MSG_CHANNEL_DATA);
	if (buf_put_u32(b, c.id) != 0 ||
	    buf_put_cstring(b, "stty size; exit 3\n") != 0)
		abort();
	h_send(&h, b);
	ASSERT_TRUE(run_to_close(&h, &c, false));
	out = text_of(c.out);
	ASSERT_TRUE(strstr(out, "/dev/pts/") != NULL);
	ASSERT_TRUE(strstr(out, "T=vt220\r\n") != NULL);
	ASSERT_TRUE(strstr(out, "30 100\r\n") != NULL);
	ASSERT_TRUE(strstr(out, "40 120\r\n") != NULL);
	ASSERT_INT_EQ(c.replies_ok, 3);		/* pty-req, shell, break */
	/* PrintMotd (default yes): /etc/motd before the shell's output. */
	{
		char motd[4096], *nl;
		ssize_t n = -1;
		int fd = open("/etc/motd", O_RDONLY);

		if (fd != -1) {
			n = read(fd, motd, sizeof(motd) - 1);
			close(fd);
		}
		if (n > 0) {
			motd[n] = '\0';
			/* Its longest first line, without the newline. */
			for (nl = motd; *nl == '\n'; nl++)
				;
			if (strchr(nl, '\n') != NULL)
				*strchr(nl, '\n') = '\0';
			if (*nl != '\0')
				ASSERT_TRUE(strstr(out, nl) != NULL);
		}
	}
	ASSERT_TRUE(strstr(out, "stty size") == NULL);	/* no echo */
	ASSERT_INT_EQ(c.status, 3);
	ASSERT_INT_EQ(h.logins, 1);
	/* The CLOSE reaches the session; the release follows it. */
	disconnect(&h);
	(void)h_wait_exit(&h);
	h.pid = -1;
	if (utmpxname(f_utmp) == 0) {
		setutxent();
		while ((u = getutxent()) != NULL) {
			if (strncmp(u->ut_line, "pts/", 4) != 0)
				continue;
			logged = true;
			dead = u->ut_type == DEAD_PROCESS;
		}
		endutxent();
	}
	ASSERT_TRUE(logged);
	ASSERT_TRUE(dead);
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

static void
test_kex_violation(void)
{
	struct h h;
	struct chan c;
	struct buf *b;
	int status;

	TEST_START("a connection message inside the client's key exchange");
	ASSERT_TRUE(h_start(&h, NULL, NULL, NULL));
	ASSERT_TRUE(open_session(&h, &c, 1 << 20));
	c_send_kexinit(&h);
	/* Not held back, as a broken client would send it. */
	b = request(&c, "shell", true);
	c_send_now(&h, b);
	buf_free(b);
	ASSERT_PTR_EQ(h_next(&h), NULL);
	ASSERT_TRUE(h.disconnected);
	status = h_wait_exit(&h);
	h.pid = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_INT_EQ(h.terminated, 1);
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

/* A keepalive@openssh.com global request wanting a reply? */
static bool
is_keepalive(struct buf *m)
{
	char *name = NULL;
	uint8_t type;
	bool want = false, ok;

	ok = buf_get_u8(m, &type) == 0 && type == SSH2_MSG_GLOBAL_REQUEST &&
	    buf_get_cstring(m, 64, &name, NULL) == 0 &&
	    strcmp(name, "keepalive@openssh.com") == 0 &&
	    buf_get_bool(m, &want) == 0 && want && buf_get_end(m) == 0;
	free(name);
	return ok;
}

static void
test_client_alive(void)
{
	struct h h;
	struct chan c;
	struct buf *m;
	int status, asks = 0, i;

	TEST_START("ClientAliveInterval: asked, answered, and timed out");
	ASSERT_TRUE(h_start(&h, "ClientAliveInterval 1\n"
	    "ClientAliveCountMax 2\n", NULL, NULL));
	for (i = 0; i < 10 && (m = h_next(&h)) != NULL; i++) {
		asks += is_keepalive(m);
		buf_free(m);
	}
	/* Two unanswered asks, then the session gives up and exits. */
	ASSERT_INT_EQ(asks, 2);
	ASSERT_TRUE(h.eof);
	status = h_wait_exit(&h);
	h.pid = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_INT_EQ(h.terminated, 1);
	h_free(&h);

	/* A client that answers stays connected. */
	ASSERT_TRUE(h_start(&h, "ClientAliveInterval 1\n"
	    "ClientAliveCountMax 1\n", NULL, NULL));
	for (asks = 0, i = 0; i < 10 && asks < 3; i++) {
		if ((m = h_next(&h)) == NULL)
			break;
		if (is_keepalive(m)) {
			asks++;
			h_send(&h, msg(SSH2_MSG_REQUEST_FAILURE));
		}
		buf_free(m);
	}
	ASSERT_INT_EQ(asks, 3);
	ASSERT_TRUE(open_session(&h, &c, 1 << 20));
	ASSERT_TRUE(exec_cmd(&h, &c, "echo alive"));
	ASSERT_TRUE(run_to_close(&h, &c, false));
	ASSERT_TRUE(buf_is(c.out, "alive\n"));
	chan_free(&c);
	h_free(&h);
	TEST_DONE();
}

static void
make_file(char *path, size_t len, const char *name, off_t size)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	if ((fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644)) == -1 ||
	    ftruncate(fd, size) != 0)
		abort();
	close(fd);
}

int
main(void)
{
	const char *top = getenv("top_builddir");
	char exe[1024];

	snprintf(exe, sizeof(exe), "%s/session/hsshd-session",
	    top != NULL ? top : ".");
	if (access(exe, X_OK) != 0) {
		printf("Bail out! %s not built\n", exe);
		return 1;
	}
	if (sodium_init() < 0)
		abort();
	log_init("test-sess-loop", LOG_LEVEL_QUIET, -1, true);
	(void)signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		abort();
	make_file(f_utmp, sizeof(f_utmp), "utmp", 0);
	make_file(f_wtmp, sizeof(f_wtmp), "wtmp", 0);
	make_file(f_lastlog, sizeof(f_lastlog), "lastlog", 0);
	mon_session_record_files(f_utmp, f_wtmp, f_lastlog);

	test_exec("chacha20-poly1305@openssh.com", "");
	test_exec("aes256-gcm@openssh.com", "");
	test_exec("aes128-ctr", "hmac-sha2-256-etm@openssh.com");
	test_upload_rekey();
	test_download_rekeylimit();
	test_pty();
	test_kex_violation();
	test_client_alive();

	unlink(f_utmp);
	unlink(f_wtmp);
	unlink(f_lastlog);
	rmdir(dir);
	return tap_finish();
}
