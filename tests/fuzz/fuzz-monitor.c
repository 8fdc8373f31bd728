/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the monitor's request handlers as a compromised
 * pre-auth child drives them.  The real handlers (monitor/answer-kex.c,
 * answer-auth.c, authfile.c) and pam.c run over the real policy and
 * common libraries, admitted by the monitor's own dispatch table
 * (monitor/dispatch-table.c: which message in which state, how often, how
 * large, what follows, who answers); dispatch.c's loop, monitor.c and
 * session.c are replaced by this file: mon_violation and mon_exit
 * longjmp back here (a violation is a correct outcome: the input ends
 * there), mon_serve_nested hands out the input's next frame, and a fake
 * Linux-PAM (pam_start ... pam_end below) runs conversations chosen by
 * the input through pam.c's conversation function, so relay_round()
 * parses the child's answers.  sandbox_check_status is faked too (the
 * input decides whether the child is confined).
 *
 * Start (first byte): the monitor just started; or after HELLO; or, most
 * often, authenticating a user (HELLO, the client's version line, a
 * faked first key exchange, USERAUTH_BEGIN for root, nobody, a user that
 * does not exist, or a name from the input).  Then frames: a type byte
 * (bit 7: the harness builds a well-formed body from the input's choices,
 * bit 6: a descriptor comes with it) and a body (u16 length and bytes).
 * PAM's choices and the nested answers come from the same stream.
 *
 * The world: a configuration with UsePAM and every method on,
 * AuthorizedKeysFile in a scratch directory listing the harness's client
 * keys for root and nobody (and .ssh/authorized_keys under the real
 * homes, read only; nothing depends on what they hold), a Match block
 * giving nobody "AuthenticationMethods publickey,keyboard-interactive
 * password", and host keys generated at start.
 *
 * Checks after each handler, besides sanitizer reports:
 *  - a request is consumed to its end whenever its handler returns 0;
 *  - the session's states are never entered (monitor/session.c enters
 *    them after the pre-auth child has gone), so the session's handlers
 *    the table names are never served: here they are stand-ins that
 *    fail (answer-session.c would bring common/procstatus.c, whose
 *    sandbox_check_status this harness fakes);
 *  - an answer is sent by a handler exactly when its row says the
 *    handler answers itself (MON_F_SELF_ANSWER, and nested rows), with
 *    the row's answer type;
 *  - every answer parses back with the limits the child's parser
 *    (preauth/monitor-client.c) applies, and answers are sent exactly
 *    when owed;
 *  - a signature leaves only an accepted KEX_SIGN, and it verifies with
 *    the host key over the exchange hash of the monitor's own V_S, I_S
 *    and K_S with the request's I_C, Q_C, Q_S and K;
 *  - a verdict is what the credentials allow: public keys only for keys
 *    listed for that user, with a signature over this session's data;
 *    passwords and keyboard-interactive only on PAM_SUCCESS of both
 *    pam_authenticate and the account check, never for root
 *    (prohibit-password), never after the child aborted; an invalid
 *    user's password is never the one the client sent; the order of
 *    AuthenticationMethods; DISCONNECT exactly at MaxAuthTries;
 *  - PAM sees the child's answers in the order of its prompts, and no
 *    session call (setcred, open_session) happens before authentication.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "common/authproto.h"
#include "common/bounds.h"
#include "common/buf.h"
#include "common/crypto-init.h"
#include "common/err.h"
#include "common/helper.h"
#include "common/kex.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/procstatus.h"
#include "common/rpc.h"
#include "common/ssh2.h"
#include "monitor/dispatch-table.h"
#include "monitor/hostkey.h"
#include "monitor/monitor.h"
#include "monitor/pam.h"
#include "policy/authkeys.h"
#include "policy/config.h"
#include "tests/fuzz/exit-fakes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Frames per input, PAM conversation rounds per call, messages per
 * round: bounds of the harness, above the monitor's own. */
#define FZ_FRAMES_MAX		64
#define FZ_PAM_ROUNDS_MAX	40
#define FZ_PAM_MSGS_MAX		20

/* answer-auth.c's password for invalid users (private to it). */
#define FZ_IMPOSSIBLE_PASSWORD	"\b\n\r\177INCORRECT"

/* --- the world (built once) ---------------------------------------------- */

/* The client keys; the first two and the last are listed for root and
 * nobody, the second with a from= the peer does not match. */
enum fz_ckey {
	CK_LISTED = 0,		/* Ed25519, no options */
	CK_FROM,		/* Ed25519, from="192.0.2.0/24": refused */
	CK_UNLISTED,		/* Ed25519, in no file */
	CK_FORCED,		/* ECDSA P-256, restrict,command="true" */
	CK_MAX
};

static struct {
	char		 dir[64];
	struct hs_config *cfg;
	struct hostkeys	 hk;
	struct key	*ckeys[CK_MAX];
	size_t		 nckeys;
} fz_world;

static const char *const fz_users[] = {
	"root", "nobody", "hs-fuzz-no-such-user",
};

/* --- one input ------------------------------------------------------------ */

static const uint8_t *in_p;
static size_t in_len, in_off;

static struct mon fz_m;
static jmp_buf fz_jmp;
static unsigned int *fz_row_counts;	/* by row of the table */
static struct buf *fz_req, *fz_reply, *fz_reqcopy, *fz_i_s_before;
static int fz_fd = -1;		/* came with the request being read */
static bool fz_setup_phase, fz_in_handler;
static uint8_t fz_cur_type;
static const struct mon_dispatch *fz_cur_row;	/* being served */
static uint8_t fz_owed;		/* answer a self-answering handler owes */
static uint32_t fz_last_nprompts;
static bool fz_aborted_seen;
static char fz_answers[KBD_PROMPTS_MAX][KBD_TEXT_MAX + 1];
static uint32_t fz_nanswers;
static bool fz_answers_known;
static char fz_expect_pw[AUTH_PASSWORD_MAX + 1];
static bool fz_expect_pw_set;
/* HSSHD_FUZZ_PAM_STOP: only stacks whose modules all stop at the first
 * failed conversation (keeps a long run off one known finding). */
static bool fz_pam_stop;

/* What the fake PAM did during the current handler. */
static struct {
	int		 auth;		/* last pam_authenticate, or -1 */
	int		 acct;		/* last pam_acct_mgmt, or -1 */
	int		 chauthtok;	/* last pam_chauthtok, or -1 */
	unsigned int	 session_calls;	/* setcred, open/close_session */
} fz_pam;

static void __attribute__((noreturn, format(printf, 1, 2)))
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz-monitor: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static bool
in_left(void)
{
	return in_off < in_len;
}

static uint8_t
in_u8(void)
{
	return in_off < in_len ? in_p[in_off++] : 0;
}

static size_t
in_take(size_t max, const uint8_t **p)
{
	size_t n = in_len - in_off < max ? in_len - in_off : max;

	*p = in_p + in_off;
	in_off += n;
	return n;
}

/* Up to 127 bytes, or up to 2032 in steps of 16. */
static size_t
in_string(const uint8_t **p)
{
	uint8_t l = in_u8();

	return in_take((l & 0x80) != 0 ? (size_t)(l & 0x7f) * 16 : l, p);
}

static void
put_in_string(struct buf *b)
{
	const uint8_t *p;
	size_t n = in_string(&p);

	if (buf_put_string(b, p, n) != 0)
		abort();
}

static void
put_cstr(struct buf *b, const char *s)
{
	if (buf_put_cstring(b, s) != 0)
		abort();
}

/* --- what dispatch.c, monitor.c and the sandbox check would provide ----- */

void
mon_exit(struct mon *m, int status)
{
	(void)m;
	(void)status;
	longjmp(fz_jmp, 2);
}

void
mon_violation(struct mon *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	(void)m;
	/* Formatted as the real one does, so bad arguments show. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	debug("fuzz-monitor: violation: %s", msg);
	longjmp(fz_jmp, 1);
}

int
sandbox_check_status(pid_t pid, bool privileged, uid_t uid, gid_t gid,
    const char *chroot_dir, char **why)
{
	(void)pid;
	(void)privileged;
	(void)uid;
	(void)gid;
	if (chroot_dir == NULL)
		fz_fail("sandbox check without a chroot directory");
	*why = NULL;
	if (fz_setup_phase || (in_u8() & 1) == 0)
		return 0;
	*why = xstrdup("Seccomp: 0 (the fuzz input says so)");
	return HS_ERR_SANDBOX;
}

/* The session's handlers, which the table names for its states SESSION
 * and SREKEY: never reached from a pre-auth child. */
#define FZ_SESSION_HANDLER(name) \
int \
name(struct mon *m, struct buf *req, struct buf *reply) \
{ \
	(void)m; \
	(void)req; \
	(void)reply; \
	fz_fail("%s served to a pre-auth child", #name); \
}
FZ_SESSION_HANDLER(mon_answer_pty_open)
FZ_SESSION_HANDLER(mon_answer_pty_close)
FZ_SESSION_HANDLER(mon_answer_session_event)
FZ_SESSION_HANDLER(mon_answer_terminate)
FZ_SESSION_HANDLER(mon_answer_hostkey_prove)

/* A kbd answer (BEGIN_ANS, RESPOND_ANS) or an auth result, parsed with
 * the child's limits (mm_get_kbd, mm_get_auth). */
static void
fz_parse_auth_result(struct buf *b, const char *what)
{
	char *methods = NULL;
	uint8_t code;

	if (buf_get_u8(b, &code) != 0 ||
	    buf_get_cstring(b, NAMELIST_MAX, &methods, NULL) != 0 ||
	    buf_get_end(b) != 0)
		fz_fail("%s: malformed auth result", what);
	if (code > AUTH_PK_OK || code != (uint8_t)fz_m.auth_code)
		fz_fail("%s: code %u, verdict %d", what, code, fz_m.auth_code);
	free(methods);
}

static void
fz_parse_kbd(struct buf *b, const char *what)
{
	uint32_t n, i;
	uint8_t kind;
	bool echo;

	if (buf_get_u8(b, &kind) != 0)
		fz_fail("%s: empty", what);
	if (kind == KBD_RESULT) {
		fz_parse_auth_result(b, what);
		return;
	}
	if (kind != KBD_PROMPTS ||
	    buf_skip_string(b, KBD_TEXT_MAX) != 0 ||
	    buf_skip_string(b, 4 * KBD_TEXT_MAX) != 0 ||
	    buf_get_u32(b, &n) != 0 || n == 0 || n > KBD_PROMPTS_MAX)
		fz_fail("%s: malformed prompts", what);
	for (i = 0; i < n; i++)
		if (buf_skip_string(b, KBD_TEXT_MAX) != 0 ||
		    buf_get_bool_strict(b, &echo) != 0)
			fz_fail("%s: malformed prompt", what);
	if (buf_get_end(b) != 0)
		fz_fail("%s: trailing data", what);
	fz_last_nprompts = n;
}

void
mon_reply(struct mon *m, uint8_t type, const struct buf *body)
{
	struct buf *b;
	char *msg = NULL;
	bool ok;

	(void)m;
	if (!fz_in_handler || type != fz_owed)
		fz_fail("answer %s while %s is owed", rpc_type_name(type),
		    fz_owed != 0 ? rpc_type_name(fz_owed) : "nothing");
	fz_owed = 0;
	if ((b = buf_from(buf_ptr(body), buf_len(body))) == NULL)
		abort();
	switch (type) {
	case RPC_KBDINT_BEGIN_ANS:
	case RPC_KBDINT_RESPOND_ANS:
		fz_parse_kbd(b, rpc_type_name(type));
		break;
	case RPC_KBDINT_ABORT_ANS:
		fz_parse_auth_result(b, rpc_type_name(type));
		break;
	case RPC_TRANSPORT_EXPORT_ANS:
		if (buf_get_bool_strict(b, &ok) != 0 ||
		    buf_get_cstring(b, KBD_TEXT_MAX, &msg, NULL) != 0 ||
		    buf_get_end(b) != 0)
			fz_fail("malformed TRANSPORT_EXPORT_ANS");
		free(msg);
		break;
	default:
		fz_fail("unexpected answer %s", rpc_type_name(type));
	}
	buf_free(b);
}

/* --- requests: frames from the input, and their admission ---------------- */

static void fz_synth(uint8_t type, struct buf *b);

/* dispatch.c's admission of a message in state st (mon_read), by the
 * table's row. */
static const struct mon_dispatch *
fz_admit(enum mon_state st, uint8_t type, const struct buf *req, int fd)
{
	const struct mon_dispatch *row;
	size_t i;

	if ((row = mon_dispatch_lookup(type, st)) == NULL)
		mon_violation(&fz_m, "%s not allowed", rpc_type_name(type));
	if ((row->states & MON_ST_SESS) != 0 && type != RPC_LOG)
		fz_fail("%s admitted in state %s: a session row",
		    rpc_type_name(type), mon_state_name(st));
	if (fd != -1 && (row->flags & MON_F_FD) == 0)
		mon_violation(&fz_m, "%s with a descriptor",
		    rpc_type_name(type));
	if (buf_len(req) > row->size_max)
		mon_violation(&fz_m, "%s too long", rpc_type_name(type));
	i = mon_dispatch_index(row);
	if (row->max != MON_UNLIMITED && fz_row_counts[i] >= row->max)
		mon_violation(&fz_m, "%s repeated", rpc_type_name(type));
	fz_row_counts[i]++;
	fz_m.counts[type]++;
	return row;
}

/*
 * The next request in state st, log lines served on the way; NULL when
 * the input (the child) has ended.  *ret_req is the caller's, and so is
 * a descriptor that came with it (left in fz_fd).
 */
static const struct mon_dispatch *
fz_read(enum mon_state st, uint8_t *ret_type, struct buf **ret_req)
{
	const struct mon_dispatch *rule;
	const uint8_t *p;
	struct buf *req;
	uint8_t t, type;
	size_t n;
	int sv[2];

	for (;;) {
		if (!in_left())
			return NULL;
		t = in_u8();
		type = t & 0x3f;
		if ((req = buf_new()) == NULL)
			abort();
		if ((t & 0x80) != 0)
			fz_synth(type, req);
		else {
			n = (size_t)in_u8() << 8;
			n = in_take(n | in_u8(), &p);
			if (buf_put(req, p, n) != 0)
				abort();
		}
		if (fz_fd != -1)
			fz_fail("descriptor left over");
		if ((t & 0x40) != 0) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			    sv) != 0)
				abort();
			close(sv[1]);
			fz_fd = sv[0];
		}
		*ret_req = req;
		rule = fz_admit(st, type, req, fz_fd);
		if (type != RPC_LOG)
			break;
		if (rule->handler(&fz_m, req, NULL) != 0)
			mon_violation(&fz_m, "malformed RPC_LOG");
		buf_free(req);
		*ret_req = NULL;
	}
	*ret_type = type;
	return rule;
}

/* Answers in a RESPOND, as PAM should see them. */
static void
fz_note_answers(const struct buf *req)
{
	struct buf *b = buf_from(buf_ptr(req), buf_len(req));
	char *s;
	uint32_t n, i;

	fz_answers_known = false;
	if (b == NULL || buf_get_u32(b, &n) != 0 || n > KBD_PROMPTS_MAX) {
		buf_free(b);
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf_get_cstring(b, KBD_TEXT_MAX, &s, NULL) != 0) {
			buf_free(b);
			return;
		}
		snprintf(fz_answers[i], sizeof(fz_answers[i]), "%s", s);
		freezero_str(s);
	}
	fz_answers_known = buf_get_end(b) == 0;
	fz_nanswers = n;
	buf_free(b);
}

uint8_t
mon_serve_nested(struct mon *m, enum mon_state st, struct buf **ret)
{
	const struct mon_dispatch *rule;
	uint8_t type;

	/* Only the handler of a row naming st reads nested requests. */
	if (!fz_in_handler || fz_cur_row == NULL ||
	    fz_cur_row->nested != (int)st)
		fz_fail("nested read in state %s outside its exchange",
		    mon_state_name(st));
	/* The child waits for our answer before it sends anything. */
	if (fz_owed != 0)
		fz_fail("nested read while %s is owed",
		    rpc_type_name(fz_owed));
	if ((rule = fz_read(st, &type, ret)) == NULL)
		mon_exit(m, HELPER_EXIT_NOAUTH);
	/* No nested row takes a descriptor (fz_admit refused it). */
	if ((rule->flags & MON_F_NESTED) == 0)
		mon_violation(m, "%s not expected here", rpc_type_name(type));
	/* The handler answers it, with the row's type. */
	fz_owed = rule->reply;
	if (type == RPC_KBDINT_ABORT)
		fz_aborted_seen = true;
	else
		fz_note_answers(*ret);
	return type;
}

/* --- well-formed requests from the input's choices ----------------------- */

static void
fz_put_user(struct buf *b, uint8_t sel)
{
	if (sel % (NELEM(fz_users) + 1) < NELEM(fz_users))
		put_cstr(b, fz_users[sel % (NELEM(fz_users) + 1)]);
	else
		put_in_string(b);
}

/* Move the name at index i of a comma list to the front. */
static char *
fz_rotate(const char *list, uint8_t i)
{
	const char *p = list, *comma;
	size_t n = 1, k, len;
	char *out;

	for (comma = list; (comma = strchr(comma, ',')) != NULL; comma++)
		n++;
	i %= n;
	for (k = 0; k < i; k++)
		p = strchr(p, ',') + 1;
	comma = strchr(p, ',');
	len = comma != NULL ? (size_t)(comma - p) : strlen(p);
	if (i == 0)
		return xstrdup(list);
	/* "name,rest-before,rest-after" */
	xasprintf(&out, "%.*s,%.*s%s%s", (int)len, p, (int)(p - list - 1),
	    list, comma != NULL ? "," : "", comma != NULL ? comma + 1 : "");
	return out;
}

static size_t
fz_pub_len(const struct kex_alg *alg, uint8_t f)
{
	switch (alg->family) {
	case KEX_FAMILY_CURVE25519:
		return 32;
	case KEX_FAMILY_ECDH:
		return alg->group == KEX_GROUP_P256 ? 65 :
		    alg->group == KEX_GROUP_P384 ? 97 : 133;
	case KEX_FAMILY_DH:
		return 1 + (size_t)f * 2;
	}
	return 0;
}

static void
fz_put_pub(struct buf *b, size_t len)
{
	const uint8_t *p;
	uint8_t *d;
	size_t n = in_take(len, &p);

	if (buf_put_u32(b, (uint32_t)len) != 0 || buf_reserve(b, len, &d) != 0)
		abort();
	memset(d, 0, len);
	memcpy(d, p, n);
}

/* KEX_SIGN: a client KEXINIT that negotiates with ours (each list led
 * by a name of the input's choosing), public values of the right size
 * for the algorithm, and K as one mpint. */
static void
fz_synth_kex_sign(struct buf *b)
{
	struct kex_proposal *sprop = NULL, *cprop = NULL;
	struct kex_negotiated neg;
	struct buf *tmp = NULL, *ic = NULL, *k = NULL;
	char *lists[KEX_PROP_MAX];
	const char *props[KEX_PROP_MAX];
	const uint8_t *p;
	uint8_t f = in_u8();
	size_t i, n, qc = 32, qs = 32;
	bool negotiated = false;

	memset(lists, 0, sizeof(lists));
	if ((ic = buf_new()) == NULL || (k = buf_new()) == NULL)
		abort();
	if (fz_m.i_s != NULL &&
	    (tmp = buf_from(buf_ptr(fz_m.i_s), buf_len(fz_m.i_s))) != NULL &&
	    kex_kexinit_parse(tmp, &sprop) == 0) {
		for (i = 0; i < KEX_PROP_MAX; i++) {
			lists[i] = fz_rotate(sprop->names[i], in_u8());
			props[i] = lists[i];
		}
		/* Now and then one list with nothing in common. */
		if ((f & 1) != 0)
			props[in_u8() % KEX_PROP_MAX] = "fuzz@example.org";
		if (kex_kexinit_build(props, false, ic) != 0)
			buf_reset(ic);
		buf_free(tmp);
		if ((tmp = buf_from(buf_ptr(ic), buf_len(ic))) != NULL &&
		    kex_kexinit_parse(tmp, &cprop) == 0 &&
		    kex_negotiate(cprop, sprop, fz_m.kex_count == 0,
		    &neg) == 0) {
			negotiated = true;
			qc = fz_pub_len(neg.kex, in_u8());
			qs = fz_pub_len(neg.kex, in_u8());
		}
	}
	if ((f & 2) != 0 || !negotiated) {
		/* The input's own KEXINIT. */
		buf_reset(ic);
		n = in_string(&p);
		if (buf_put(ic, p, n) != 0)
			abort();
	}
	if ((f & 4) != 0)
		qc += 1 + in_u8() % 8;
	if (buf_put_stringb(b, ic) != 0)
		abort();
	fz_put_pub(b, qc);
	fz_put_pub(b, qs);
	n = in_take(in_u8() % 65, &p);
	if ((f & 8) != 0) {
		if (buf_put(k, p, n) != 0)
			abort();
	} else if (buf_put_mpint(k, p, n) != 0)
		abort();
	if (buf_put_stringb(b, k) != 0)
		abort();
	for (i = 0; i < KEX_PROP_MAX; i++)
		free(lists[i]);
	kex_proposal_free(sprop);
	kex_proposal_free(cprop);
	buf_free(tmp);
	buf_free(ic);
	buf_free(k);
}

/* The data a publickey signature covers (RFC 4252 §7), for this
 * connection's session id, user and service. */
static struct buf *
fz_pubkey_data(const char *user, const char *alg, const uint8_t *blob,
    size_t bloblen)
{
	struct buf *d = buf_new();

	if (d == NULL)
		abort();
	if (fz_m.session_id != NULL) {
		if (buf_put_stringb(d, fz_m.session_id) != 0)
			abort();
	} else if (buf_put_u32(d, 0) != 0)
		abort();
	if (buf_put_u8(d, SSH2_MSG_USERAUTH_REQUEST) != 0 ||
	    buf_put_cstring(d, user) != 0 ||
	    buf_put_cstring(d, fz_m.service != NULL ? fz_m.service : "") != 0 ||
	    buf_put_cstring(d, "publickey") != 0 ||
	    buf_put_bool(d, true) != 0 || buf_put_cstring(d, alg) != 0 ||
	    buf_put_string(d, blob, bloblen) != 0)
		abort();
	return d;
}

static const char *const fz_algs[] = {
	"ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-rsa",
	"sk-ssh-ed25519@openssh.com",
};

/* PUBKEY_CHECK / PUBKEY_VERIFY with one of our client keys or the
 * input's blob, its algorithm or another, and (VERIFY) a signature that
 * is right, over the wrong user, damaged, or the input's. */
static void
fz_synth_pubkey(struct buf *b, bool verify)
{
	struct buf *blob, *sig, *data;
	const char *alg = "ssh-ed25519";
	const uint8_t *p;
	uint8_t f = in_u8(), g = in_u8(), *d;
	size_t ki = f % (fz_world.nckeys + 1), n;

	if ((blob = buf_new()) == NULL || (sig = buf_new()) == NULL)
		abort();
	if (ki < fz_world.nckeys) {
		if (key_to_blob(fz_world.ckeys[ki], blob) != 0)
			abort();
		alg = key_type_name(fz_world.ckeys[ki]);
	} else {
		n = in_string(&p);
		if (buf_put(blob, p, n) != 0)
			abort();
	}
	if ((f & 0x10) != 0)
		alg = fz_algs[g % NELEM(fz_algs)];
	put_cstr(b, alg);
	if (buf_put_stringb(b, blob) != 0)
		abort();
	if (verify) {
		data = fz_pubkey_data((f & 0x20) != 0 ? "mallory" :
		    fz_m.user != NULL ? fz_m.user : "", alg, buf_ptr(blob),
		    buf_len(blob));
		if ((f & 0x80) != 0 || ki >= fz_world.nckeys ||
		    key_sign(fz_world.ckeys[ki], alg, buf_ptr(data),
		    buf_len(data), sig) != 0) {
			buf_reset(sig);
			n = in_string(&p);
			if (buf_put(sig, p, n) != 0)
				abort();
		}
		if ((f & 0x40) != 0 && buf_len(sig) > 0) {
			/* One bit flipped somewhere. */
			n = buf_len(sig);
			d = xmalloc(n);
			memcpy(d, buf_ptr(sig), n);
			d[in_u8() % n] ^= (uint8_t)(1u << (g & 7));
			buf_reset(sig);
			if (buf_put(sig, d, n) != 0)
				abort();
			free(d);
		}
		if (buf_put_stringb(b, sig) != 0)
			abort();
		buf_free(data);
	}
	buf_free(blob);
	buf_free(sig);
}

static void
fz_synth(uint8_t type, struct buf *b)
{
	const uint8_t *p;
	uint8_t f;
	uint32_t n, i;
	size_t len;

	switch (type) {
	case RPC_HELLO:
	case RPC_KEX_REKEY:
	case RPC_USERAUTH_NONE:
	case RPC_KBDINT_ABORT:
		break;
	case RPC_LOG:
		if (buf_put_u8(b, in_u8() % 9) != 0)
			abort();
		put_in_string(b);
		break;
	case RPC_PEER_BANNER:
		if ((in_u8() & 1) != 0)
			put_cstr(b, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
		else {
			len = in_string(&p);
			if (buf_put_u32(b, (uint32_t)(8 + len)) != 0 ||
			    buf_put(b, "SSH-2.0-", 8) != 0 ||
			    buf_put(b, p, len) != 0)
				abort();
		}
		break;
	case RPC_KEX_SIGN:
		fz_synth_kex_sign(b);
		break;
	case RPC_USERAUTH_BEGIN:
		f = in_u8();
		fz_put_user(b, f);
		if ((f & 0x80) != 0)
			put_in_string(b);
		else
			put_cstr(b, "ssh-connection");
		break;
	case RPC_PUBKEY_CHECK:
	case RPC_PUBKEY_VERIFY:
		fz_synth_pubkey(b, type == RPC_PUBKEY_VERIFY);
		break;
	case RPC_PASSWORD:
		f = in_u8();
		if (buf_put_bool(b, (f & 1) != 0) != 0)
			abort();
		if ((f & 6) == 0)
			put_cstr(b, "");
		else
			put_in_string(b);
		break;
	case RPC_KBDINT_BEGIN:
		if ((in_u8() & 1) != 0)
			put_cstr(b, "pam");
		else
			put_in_string(b);
		break;
	case RPC_KBDINT_RESPOND:
		f = in_u8();
		n = (f & 1) == 0 ? fz_last_nprompts : (uint32_t)(f >> 1);
		if (buf_put_u32(b, n) != 0)
			abort();
		for (i = 0; i < n && i < KBD_PROMPTS_MAX + 2; i++)
			put_in_string(b);
		break;
	default:
		/* TRANSPORT_EXPORT and the rest: the input's bytes. */
		len = in_string(&p);
		if (buf_put(b, p, len) != 0)
			abort();
		break;
	}
}

/* --- the fake Linux-PAM ------------------------------------------------- */

struct pam_handle {
	struct pam_conv	 conv;
	char		*user;
};

static char fz_pam_texts[FZ_PAM_MSGS_MAX][KBD_TEXT_MAX];

int
pam_start(const char *service_name, const char *user,
    const struct pam_conv *pam_conversation, pam_handle_t **pamh)
{
	struct pam_handle *h = xcalloc(1, sizeof(*h));

	if (*service_name == '\0' || user == NULL ||
	    pam_conversation->conv == NULL)
		fz_fail("pam_start without service, user or conversation");
	h->conv = *pam_conversation;
	h->user = xstrdup(user);
	*pamh = h;
	return PAM_SUCCESS;
}

int
pam_end(pam_handle_t *pamh, int pam_status)
{
	(void)pam_status;
	if (pamh != fz_m.pamh)
		fz_fail("pam_end of a handle not the monitor's");
	free(pamh->user);
	free(pamh);
	return PAM_SUCCESS;
}

int
pam_set_item(pam_handle_t *pamh, int item_type, const void *item)
{
	(void)pamh;
	if (item == NULL || (item_type != PAM_RHOST &&
	    item_type != PAM_RUSER && item_type != PAM_TTY))
		fz_fail("pam_set_item %d", item_type);
	return PAM_SUCCESS;
}

const char *
pam_strerror(pam_handle_t *pamh, int errnum)
{
	static char text[32];

	(void)pamh;
	snprintf(text, sizeof(text), "fake PAM error %d", errnum);
	return text;
}

/*
 * One call of the conversation function, messages from the input.  The
 * answers must be there for exactly the prompts: in password mode the
 * password the monitor should give for this user, in relay mode the
 * child's answers in order.
 */
static int
fz_pam_round(struct pam_handle *h)
{
	static const int styles[] = {
		PAM_PROMPT_ECHO_OFF, PAM_PROMPT_ECHO_ON, PAM_ERROR_MSG,
		PAM_TEXT_INFO, 99,
	};
	struct pam_message msgs[FZ_PAM_MSGS_MAX];
	const struct pam_message *pm[FZ_PAM_MSGS_MAX];
	struct pam_response *resp = (struct pam_response *)1;
	const uint8_t *p;
	int n = 1 + in_u8() % FZ_PAM_MSGS_MAX, k, r, prompt = 0;
	bool is_prompt;
	uint8_t s;
	size_t len;

	for (k = 0; k < n; k++) {
		s = in_u8();
		msgs[k].msg_style = styles[s % NELEM(styles)];
		if ((s & 0x80) != 0)
			msgs[k].msg = NULL;
		else {
			/* Up to 1020 bytes: Linux-PAM's own messages stay
			 * under PAM_MAX_MSG_SIZE (512). */
			len = in_take((size_t)in_u8() * 4, &p);
			memcpy(fz_pam_texts[k], p, len);
			fz_pam_texts[k][len] = '\0';
			msgs[k].msg = fz_pam_texts[k];
		}
		pm[k] = &msgs[k];
	}
	r = h->conv.conv(n, pm, &resp, h->conv.appdata_ptr);
	if (r != PAM_SUCCESS) {
		if (resp != NULL)
			fz_fail("conversation failed with answers");
		return r;
	}
	if (resp == NULL)
		fz_fail("conversation succeeded without answers");
	for (k = 0; k < n; k++) {
		is_prompt = msgs[k].msg_style == PAM_PROMPT_ECHO_OFF ||
		    msgs[k].msg_style == PAM_PROMPT_ECHO_ON;
		if (is_prompt != (resp[k].resp != NULL) ||
		    resp[k].resp_retcode != 0)
			fz_fail("answer %d does not fit its message", k);
		if (!is_prompt)
			continue;
		if (!fz_m.pam_relay) {
			if (!fz_expect_pw_set ||
			    strcmp(resp[k].resp, fz_expect_pw) != 0)
				fz_fail("PAM was given another password");
		} else if (fz_answers_known && ((uint32_t)prompt >=
		    fz_nanswers || strcmp(resp[k].resp,
		    fz_answers[prompt]) != 0))
			fz_fail("prompt %d got another answer", prompt);
		prompt++;
		freezero_str(resp[k].resp);
	}
	free(resp);
	return PAM_SUCCESS;
}

/* A module stack's conversation rounds and verdict, from the input. */
static int
fz_pam_stack(struct pam_handle *h, const int *results, size_t nresults)
{
	uint8_t b = in_u8();
	int rounds = (b & 0x40) != 0 ? FZ_PAM_ROUNDS_MAX : b & 7, i, r;

	for (i = 0; i < rounds; i++) {
		if ((r = fz_pam_round(h)) == PAM_SUCCESS)
			continue;
		/* Most modules give up on a failed conversation; a stack
		 * may still go on to the next module (bit 5). */
		if ((b & 0x20) == 0 || fz_pam_stop)
			break;
	}
	return results[in_u8() % nresults];
}

int
pam_authenticate(pam_handle_t *pamh, int flags)
{
	static const int results[] = {
		PAM_SUCCESS, PAM_AUTH_ERR, PAM_USER_UNKNOWN, PAM_MAXTRIES,
		PAM_CRED_INSUFFICIENT, PAM_AUTHINFO_UNAVAIL, PAM_CONV_ERR,
	};

	(void)flags;
	if (pamh != fz_m.pamh)
		fz_fail("pam_authenticate on another handle");
	fz_pam.auth = fz_pam_stack(pamh, results, NELEM(results));
	return fz_pam.auth;
}

int
pam_acct_mgmt(pam_handle_t *pamh, int flags)
{
	static const int results[] = {
		PAM_SUCCESS, PAM_NEW_AUTHTOK_REQD, PAM_ACCT_EXPIRED,
		PAM_PERM_DENIED, PAM_USER_UNKNOWN,
	};

	(void)flags;
	if (pamh != fz_m.pamh)
		fz_fail("pam_acct_mgmt on another handle");
	fz_pam.acct = results[in_u8() % NELEM(results)];
	return fz_pam.acct;
}

int
pam_chauthtok(pam_handle_t *pamh, int flags)
{
	static const int results[] = {
		PAM_SUCCESS, PAM_AUTHTOK_ERR, PAM_TRY_AGAIN,
	};

	if (pamh != fz_m.pamh || !fz_m.pam_relay ||
	    (flags & PAM_CHANGE_EXPIRED_AUTHTOK) == 0)
		fz_fail("pam_chauthtok outside keyboard-interactive");
	fz_pam.chauthtok = fz_pam_stack(pamh, results, NELEM(results));
	return fz_pam.chauthtok;
}

/* The session's calls: never before authentication. */
int
pam_setcred(pam_handle_t *pamh, int flags)
{
	(void)pamh;
	(void)flags;
	fz_pam.session_calls++;
	return PAM_SUCCESS;
}

int
pam_open_session(pam_handle_t *pamh, int flags)
{
	(void)pamh;
	(void)flags;
	fz_pam.session_calls++;
	return PAM_SUCCESS;
}

int
pam_close_session(pam_handle_t *pamh, int flags)
{
	(void)pamh;
	(void)flags;
	fz_pam.session_calls++;
	return PAM_SUCCESS;
}

char **
pam_getenvlist(pam_handle_t *pamh)
{
	(void)pamh;
	fz_pam.session_calls++;
	return xcalloc(1, sizeof(char *));
}

/* --- checks --------------------------------------------------------------- */

static bool
fz_is_key(const struct key *k, enum fz_ckey which)
{
	return (size_t)which < fz_world.nckeys && fz_world.ckeys[which] != NULL &&
	    key_equal_public(k, fz_world.ckeys[which]);
}

/* HELLO_ANS as mm_hello parses it; what it says is ours. */
static void
fz_check_hello(struct buf *b)
{
	const uint8_t *p;
	struct buf *blob = buf_new();
	char *s = NULL;
	uint8_t level;
	uint64_t bytes;
	uint32_t secs, n, i;
	size_t len;

	if (blob == NULL)
		abort();
	if (buf_get_cstring(b, BANNER_LINE_MAX, &s, NULL) != 0 ||
	    strcmp(s, fz_m.v_s) != 0)
		fz_fail("HELLO_ANS: version line");
	free(s);
	if (buf_get_string_direct(b, PKT_MAX_PACKET, &p, &len) != 0 ||
	    len != buf_len(fz_m.i_s) || memcmp(p, buf_ptr(fz_m.i_s), len) != 0)
		fz_fail("HELLO_ANS: KEXINIT");
	if (buf_get_cstring(b, NAMELIST_MAX, &s, NULL) != 0)
		fz_fail("HELLO_ANS: server-sig-algs");
	free(s);
	if (buf_get_u8(b, &level) != 0 || buf_get_u64(b, &bytes) != 0 ||
	    buf_get_u32(b, &secs) != 0 || buf_get_u32(b, &n) != 0 ||
	    n != fz_world.hk.nkeys)
		fz_fail("HELLO_ANS: fields");
	for (i = 0; i < n; i++) {
		buf_reset(blob);
		if (buf_get_cstring(b, NAMELIST_MAX, &s, NULL) != 0 ||
		    buf_get_string_direct(b, KEY_BLOB_MAX, &p, &len) != 0 ||
		    key_to_blob(fz_world.hk.keys[i].key, blob) != 0 ||
		    len != buf_len(blob) || memcmp(p, buf_ptr(blob), len) != 0)
			fz_fail("HELLO_ANS: host key %u", i);
		free(s);
	}
	/* LogVerbose, with the child's limits (mm_hello). */
	if (buf_get_u32(b, &n) != 0 || n > CONFIG_LOG_VERBOSE_MAX ||
	    n != fz_world.cfg->nlog_verbose)
		fz_fail("HELLO_ANS: LogVerbose count");
	for (i = 0; i < n; i++) {
		if (buf_get_cstring(b, CONFIG_LINE_MAX, &s, NULL) != 0)
			fz_fail("HELLO_ANS: LogVerbose %u", i);
		free(s);
	}
	if (buf_get_end(b) != 0)
		fz_fail("HELLO_ANS: trailing data");
	if (fz_m.hostkey_algs == NULL || *fz_m.hostkey_algs == '\0')
		fz_fail("HELLO without host key algorithms");
	buf_free(blob);
}

/*
 * An accepted KEX_SIGN: the signature verifies with our host key over
 * the exchange hash of the monitor's V_C, V_S, I_S (as before the call)
 * and K_S with the request's I_C, Q_C, Q_S and K.
 */
static void
fz_check_kex_sign(struct buf *reply, unsigned int kex_count_before,
    const struct buf *session_id_before)
{
	const uint8_t *i_c, *q_c, *q_s, *kp, *sig;
	size_t i_c_len, q_c_len, q_s_len, k_len, siglen, i;
	struct kex_proposal *cprop = NULL, *sprop = NULL;
	struct kex_negotiated neg;
	struct kex_hash_input hi;
	struct buf *tmp, *k, *ks;
	const struct key *hostkey = NULL;
	uint8_t h[64];
	size_t hlen;

	if (buf_get_string_direct(reply, SIG_MAX, &sig, &siglen) != 0 ||
	    buf_get_end(reply) != 0)
		fz_fail("KEX_SIGN_ANS malformed");
	if (buf_get_string_direct(fz_reqcopy, PKT_MAX_PACKET, &i_c,
	    &i_c_len) != 0 ||
	    buf_get_string_direct(fz_reqcopy, KEX_PUB_MAX, &q_c,
	    &q_c_len) != 0 ||
	    buf_get_string_direct(fz_reqcopy, KEX_PUB_MAX, &q_s,
	    &q_s_len) != 0 ||
	    buf_get_string_direct(fz_reqcopy, MPINT_MAX_BYTES + 5, &kp,
	    &k_len) != 0 || buf_get_end(fz_reqcopy) != 0)
		fz_fail("KEX_SIGN accepted a request that does not parse");
	if ((tmp = buf_from(i_c, i_c_len)) == NULL ||
	    kex_kexinit_parse(tmp, &cprop) != 0)
		fz_fail("KEX_SIGN accepted a bad client KEXINIT");
	buf_free(tmp);
	if ((tmp = buf_from(buf_ptr(fz_i_s_before),
	    buf_len(fz_i_s_before))) == NULL ||
	    kex_kexinit_parse(tmp, &sprop) != 0 ||
	    kex_negotiate(cprop, sprop, kex_count_before == 0, &neg) != 0)
		fz_fail("KEX_SIGN accepted what does not negotiate");
	buf_free(tmp);
	for (i = 0; i < fz_world.hk.nkeys && hostkey == NULL; i++)
		if (key_sig_alg_matches(fz_world.hk.keys[i].key,
		    neg.hostkey_alg))
			hostkey = fz_world.hk.keys[i].key;
	if (hostkey == NULL)
		fz_fail("KEX_SIGN with %s: no such host key", neg.hostkey_alg);
	if ((k = buf_from(kp, k_len)) == NULL || (ks = buf_new()) == NULL ||
	    key_to_blob(hostkey, ks) != 0)
		abort();
	memset(&hi, 0, sizeof(hi));
	hi.v_c = (const uint8_t *)fz_m.v_c;
	hi.v_c_len = strlen(fz_m.v_c);
	hi.v_s = (const uint8_t *)fz_m.v_s;
	hi.v_s_len = strlen(fz_m.v_s);
	hi.i_c = i_c;
	hi.i_c_len = i_c_len;
	hi.i_s = buf_ptr(fz_i_s_before);
	hi.i_s_len = buf_len(fz_i_s_before);
	hi.k_s = buf_ptr(ks);
	hi.k_s_len = buf_len(ks);
	hi.q_c = q_c;
	hi.q_c_len = q_c_len;
	hi.q_s = q_s;
	hi.q_s_len = q_s_len;
	hi.k = k;
	hlen = kex_hash_len(neg.kex);
	if (kex_hash(neg.kex, &hi, h, sizeof(h)) != 0)
		fz_fail("exchange hash");
	if (key_verify(hostkey, neg.hostkey_alg, sig, siglen, h, hlen) != 0)
		fz_fail("signature over something other than this exchange");
	if (fz_m.kex_count != kex_count_before + 1 ||
	    strcmp(fz_m.negotiated.hostkey_alg, neg.hostkey_alg) != 0 ||
	    fz_m.keys == NULL)
		fz_fail("KEX_SIGN state");
	if (session_id_before != NULL ? !buf_equal(fz_m.session_id,
	    session_id_before) : (buf_len(fz_m.session_id) != hlen ||
	    memcmp(buf_ptr(fz_m.session_id), h, hlen) != 0))
		fz_fail("session id");
	kex_proposal_free(cprop);
	kex_proposal_free(sprop);
	buf_free(k);
	buf_free(ks);
}

/* What the verdict on a publickey request may be. */
static void
fz_check_pubkey(uint8_t type, int code)
{
	const uint8_t *blob, *sig = NULL;
	size_t bloblen, siglen = 0;
	struct key *k = NULL;
	struct buf *data;
	char *alg = NULL;

	if (code != AUTH_SUCCESS && code != AUTH_PARTIAL && code != AUTH_PK_OK)
		return;
	if (buf_get_cstring(fz_reqcopy, NAME_MAX_LEN, &alg, NULL) != 0 ||
	    buf_get_string_direct(fz_reqcopy, KEY_BLOB_MAX, &blob,
	    &bloblen) != 0 ||
	    (type == RPC_PUBKEY_VERIFY &&
	    buf_get_string_direct(fz_reqcopy, SIG_MAX, &sig, &siglen) != 0) ||
	    key_from_blob(blob, bloblen, &k) != 0)
		fz_fail("publickey verdict %d for a request that does not "
		    "parse", code);
	/* Only our listed keys (the real homes cannot list these fresh
	 * keys), for the users they are listed for. */
	if (!fz_is_key(k, CK_LISTED) && !fz_is_key(k, CK_FORCED))
		fz_fail("publickey verdict %d for a key not listed", code);
	if (!fz_m.user_valid || (strcmp(fz_m.user, "root") != 0 &&
	    strcmp(fz_m.user, "nobody") != 0))
		fz_fail("publickey verdict %d for user %s", code, fz_m.user);
	if (!key_sig_alg_matches(k, alg))
		fz_fail("publickey verdict %d for algorithm %s", code, alg);
	if (type == RPC_PUBKEY_CHECK && code != AUTH_PK_OK)
		fz_fail("a query decided authentication");
	if (type == RPC_PUBKEY_VERIFY) {
		if (code == AUTH_PK_OK)
			fz_fail("PK_OK for a signature");
		data = fz_pubkey_data(fz_m.user, alg, blob, bloblen);
		if (key_verify(k, alg, sig, siglen, buf_ptr(data),
		    buf_len(data)) != 0)
			fz_fail("accepted a signature over other data");
		if (fz_pam.acct != PAM_SUCCESS)
			fz_fail("publickey success without the account check");
		buf_free(data);
	}
	key_free(k);
	free(alg);
}

/* AuthenticationMethods of the configuration: nobody needs publickey
 * then keyboard-interactive, or a password; the others any one. */
static void
fz_check_methods(const char *method, int code, size_t ndone_before,
    char *const *done)
{
	bool nobody = strcmp(fz_m.user, "nobody") == 0;
	bool after_pubkey = ndone_before == 1 &&
	    strcmp(done[0], "publickey") == 0;

	if (code != AUTH_SUCCESS && code != AUTH_PARTIAL)
		return;
	if (!nobody) {
		if (code == AUTH_PARTIAL)
			fz_fail("partial success without "
			    "AuthenticationMethods");
		return;
	}
	if (strcmp(method, "publickey") == 0 ?
	    code != AUTH_PARTIAL || ndone_before != 0 :
	    strcmp(method, "keyboard-interactive") == 0 ?
	    code != AUTH_SUCCESS || !after_pubkey :
	    code != AUTH_SUCCESS || ndone_before != 0)
		fz_fail("%s gave %d out of AuthenticationMethods order",
		    method, code);
}

/* A verdict answer (NONE, PUBKEY_*, PASSWORD) as mm_get_auth parses it,
 * and the verdict itself. */
static void
fz_check_verdict(uint8_t type, struct buf *reply, unsigned int failures_before,
    size_t ndone_before, char **done_before)
{
	const struct hs_config *c = fz_m.ccfg;
	int code = fz_m.auth_code;
	bool change;
	char *pw = NULL;
	const char *method;

	fz_parse_auth_result(reply, rpc_type_name(type));
	if (fz_m.failures < failures_before)
		fz_fail("failures went down");
	if (code == AUTH_DISCONNECT) {
		if (fz_m.failures < (unsigned int)c->max_auth_tries)
			fz_fail("DISCONNECT below MaxAuthTries");
	} else if (fz_m.failures >= (unsigned int)c->max_auth_tries)
		fz_fail("verdict %d at %u failures", code, fz_m.failures);
	if ((code == AUTH_SUCCESS || code == AUTH_PARTIAL) &&
	    !fz_m.user_valid)
		fz_fail("verdict %d for an invalid user", code);
	switch (type) {
	case RPC_USERAUTH_NONE:
		if (code != AUTH_FAILURE && code != AUTH_DISCONNECT)
			fz_fail("none gave %d", code);
		return;
	case RPC_PUBKEY_CHECK:
	case RPC_PUBKEY_VERIFY:
		fz_check_pubkey(type, code);
		method = "publickey";
		break;
	case RPC_PASSWORD:
		if (code == AUTH_PK_OK)
			fz_fail("password gave PK_OK");
		if (code == AUTH_SUCCESS || code == AUTH_PARTIAL) {
			if (buf_get_bool(fz_reqcopy, &change) != 0 ||
			    buf_get_cstring(fz_reqcopy, AUTH_PASSWORD_MAX, &pw,
			    NULL) != 0)
				fz_fail("password verdict on a bad request");
			if (change || *pw == '\0' || fz_m.uid == 0 ||
			    fz_pam.auth != PAM_SUCCESS ||
			    fz_pam.acct != PAM_SUCCESS)
				fz_fail("password verdict %d: change %d, "
				    "empty %d, uid %u, PAM %d/%d", code,
				    change, *pw == '\0',
				    (unsigned int)fz_m.uid, fz_pam.auth,
				    fz_pam.acct);
			freezero_str(pw);
		}
		method = "password";
		break;
	default:
		fz_fail("verdict check for %s", rpc_type_name(type));
	}
	fz_check_methods(method, code, ndone_before, done_before);
}

/* The verdict of a keyboard-interactive exchange. */
static void
fz_check_kbdint(size_t ndone_before, char **done_before)
{
	int code = fz_m.auth_code;
	bool acct_ok;

	if (fz_owed != 0)
		fz_fail("conversation ended with %s owed",
		    rpc_type_name(fz_owed));
	if (code != AUTH_SUCCESS && code != AUTH_PARTIAL)
		return;
	acct_ok = fz_pam.acct == PAM_SUCCESS ||
	    (fz_pam.acct == PAM_NEW_AUTHTOK_REQD &&
	    fz_pam.chauthtok == PAM_SUCCESS);
	if (!fz_m.user_valid || fz_m.uid == 0 || fz_aborted_seen ||
	    fz_pam.auth != PAM_SUCCESS || !acct_ok)
		fz_fail("keyboard-interactive verdict %d: valid %d, uid %u, "
		    "aborted %d, PAM %d/%d/%d", code, fz_m.user_valid,
		    (unsigned int)fz_m.uid, fz_aborted_seen, fz_pam.auth,
		    fz_pam.acct, fz_pam.chauthtok);
	fz_check_methods("keyboard-interactive", code, ndone_before,
	    done_before);
}

/* --- serving one request ---------------------------------------------------- */

/* dispatch.c's mon_after_auth, without the listener's status byte. */
static void
fz_after_auth(void)
{
	switch (fz_m.auth_code) {
	case AUTH_SUCCESS:
		fz_m.state = MON_ST_DONE;
		break;
	case AUTH_DISCONNECT:
		fz_m.state = MON_ST_REFUSED;
		break;
	default:
		fz_m.state = MON_ST_AUTH;
		break;
	}
}

/* dispatch.c's mon_serve_one after the read, with the checks.  Takes
 * fz_req and fz_fd. */
static void
fz_serve(const struct mon_dispatch *rule, uint8_t type)
{
	struct mon *m = &fz_m;
	struct buf *session_id_before = NULL;
	unsigned int kex_count_before = m->kex_count;
	unsigned int failures_before = m->failures;
	size_t ndone_before = m->nmethods_done, i;
	char **done_before = NULL;
	char *user_before = m->user;
	uint8_t owed;
	int r;

	if ((rule->flags & MON_F_NESTED) != 0 || rule->handler == NULL)
		mon_violation(m, "%s outside its exchange",
		    rpc_type_name(type));
	if ((fz_reply = buf_new()) == NULL ||
	    (fz_reqcopy = buf_from(buf_ptr(fz_req), buf_len(fz_req))) == NULL)
		abort();
	buf_free(fz_i_s_before);
	fz_i_s_before = m->i_s != NULL ?
	    buf_from(buf_ptr(m->i_s), buf_len(m->i_s)) : NULL;
	if (m->session_id != NULL)
		session_id_before = buf_from(buf_ptr(m->session_id),
		    buf_len(m->session_id));
	if (ndone_before > 0) {
		done_before = xcalloc(ndone_before, sizeof(*done_before));
		for (i = 0; i < ndone_before; i++)
			done_before[i] = xstrdup(m->methods_done[i]);
	}
	/* What PAM should be given for a password: the client's, or for
	 * an invalid user one no account has. */
	fz_expect_pw_set = false;
	if (type == RPC_PASSWORD) {
		struct buf *b = buf_from(buf_ptr(fz_req), buf_len(fz_req));
		char *pw = NULL;
		bool change;

		if (b != NULL && buf_get_bool(b, &change) == 0 &&
		    buf_get_cstring(b, AUTH_PASSWORD_MAX, &pw, NULL) == 0) {
			snprintf(fz_expect_pw, sizeof(fz_expect_pw), "%s",
			    m->user_valid ? pw : FZ_IMPOSSIBLE_PASSWORD);
			fz_expect_pw_set = true;
		}
		freezero_str(pw);
		buf_free(b);
	}
	memset(&fz_pam, 0, sizeof(fz_pam));
	fz_pam.auth = fz_pam.acct = fz_pam.chauthtok = -1;
	fz_aborted_seen = false;
	fz_answers_known = false;
	/* What the handler must send itself: the row says. */
	fz_owed = (rule->flags & MON_F_SELF_ANSWER) != 0 ? rule->reply : 0;
	owed = fz_owed;
	fz_cur_type = type;
	fz_cur_row = rule;
	m->passed_fd = fz_fd;
	fz_fd = -1;

	fz_in_handler = true;
	r = rule->handler(m, fz_req, fz_reply);
	fz_in_handler = false;
	fz_cur_row = NULL;

	if (m->passed_fd != -1) {
		close(m->passed_fd);
		m->passed_fd = -1;
	}
	if (fz_pam.session_calls != 0)
		fz_fail("PAM session calls before authentication");
	if (r != 0) {
		/* Nothing leaves a refused request: no signature, no
		 * answer, no new key exchange. */
		if (buf_len(fz_reply) != 0 && type == RPC_KEX_SIGN)
			fz_fail("refused KEX_SIGN left a signature");
		if (m->kex_count != kex_count_before)
			fz_fail("refused %s counted a key exchange",
			    rpc_type_name(type));
		if (owed != 0 && fz_owed != owed)
			fz_fail("refused %s was answered",
			    rpc_type_name(type));
		for (i = 0; i < ndone_before; i++)
			free(done_before[i]);
		free(done_before);
		buf_free(session_id_before);
		mon_violation(m, "malformed or refused %s (%s)",
		    rpc_type_name(type), hs_err_str(r));
	}
	/* Handlers end with buf_get_end(): the request is consumed. */
	if (buf_len(fz_req) != 0)
		fz_fail("%s returned 0 with %zu bytes unread",
		    rpc_type_name(type), buf_len(fz_req));
	if (m->user != user_before && user_before != NULL)
		fz_fail("user changed");
	if (type != RPC_KEX_SIGN && m->kex_count != kex_count_before)
		fz_fail("%s counted a key exchange", rpc_type_name(type));
	if (((rule->flags & MON_F_SELF_ANSWER) != 0 ||
	    rule->reply == MON_NO_REPLY) && (buf_len(fz_reply) != 0 ||
	    fz_owed != 0))
		fz_fail("%s: answer left in the reply, or still owed",
		    rpc_type_name(type));
	switch (type) {
	case RPC_HELLO:
		fz_check_hello(fz_reply);
		break;
	case RPC_PEER_BANNER: {
		uint32_t compat;

		if (buf_get_u32(fz_reply, &compat) != 0 ||
		    buf_get_end(fz_reply) != 0 || m->v_c == NULL ||
		    (strncmp(m->v_c, "SSH-2.0-", 8) != 0 &&
		    strncmp(m->v_c, "SSH-1.99-", 9) != 0))
			fz_fail("PEER_BANNER");
		break;
	}
	case RPC_KEX_SIGN:
		fz_check_kex_sign(fz_reply, kex_count_before,
		    session_id_before);
		break;
	case RPC_KEX_REKEY: {
		const uint8_t *p;
		size_t len;

		if (buf_get_string_direct(fz_reply, PKT_MAX_PACKET, &p,
		    &len) != 0 || buf_get_end(fz_reply) != 0 ||
		    len != buf_len(m->i_s) ||
		    memcmp(p, buf_ptr(m->i_s), len) != 0 ||
		    (fz_i_s_before != NULL && buf_equal(fz_i_s_before, m->i_s)))
			fz_fail("KEX_REKEY: not a fresh KEXINIT of ours");
		break;
	}
	case RPC_USERAUTH_BEGIN: {
		char *methods = NULL, *banner = NULL;

		if (buf_get_cstring(fz_reply, NAMELIST_MAX, &methods,
		    NULL) != 0 ||
		    buf_get_cstring(fz_reply, RPC_MSG_MAX, &banner, NULL) != 0 ||
		    buf_get_end(fz_reply) != 0)
			fz_fail("USERAUTH_BEGIN_ANS malformed");
		if (m->ccfg == NULL || m->user == NULL ||
		    strcmp(m->service, "ssh-connection") != 0 ||
		    (m->user_valid && getpwnam(m->user) == NULL))
			fz_fail("USERAUTH_BEGIN state");
		free(methods);
		free(banner);
		break;
	}
	case RPC_USERAUTH_NONE:
	case RPC_PUBKEY_CHECK:
	case RPC_PUBKEY_VERIFY:
	case RPC_PASSWORD:
		fz_check_verdict(type, fz_reply, failures_before,
		    ndone_before, done_before);
		break;
	case RPC_KBDINT_BEGIN:
		fz_check_kbdint(ndone_before, done_before);
		break;
	case RPC_TRANSPORT_EXPORT:
		if (m->transport_state == NULL ||
		    !buf_equal(m->transport_state, fz_reqcopy))
			fz_fail("transport state is not what was sent");
		break;
	default:
		break;
	}
	/* The table moves the state. */
	if ((rule->flags & MON_F_SAVE) != 0)
		m->resume_state = m->state;
	if ((rule->flags & MON_F_DECIDES_AUTH) != 0)
		fz_after_auth();
	else if (rule->next == MON_NEXT_RESUME)
		m->state = m->resume_state;
	else if (rule->next != MON_NEXT_SAME)
		m->state = (enum mon_state)rule->next;
	if ((MON_ST_BIT(m->state) & MON_ST_SESS) != 0)
		fz_fail("%s entered state %s", rpc_type_name(type),
		    mon_state_name(m->state));
	for (i = 0; i < ndone_before; i++)
		free(done_before[i]);
	free(done_before);
	buf_free(session_id_before);
	buf_free(fz_req);
	buf_free(fz_reply);
	buf_free(fz_reqcopy);
	fz_req = fz_reply = fz_reqcopy = NULL;
}

/* Serve the next frame; false once the child has gone. */
static bool
fz_serve_next(void)
{
	const struct mon_dispatch *rule;
	uint8_t type;

	if ((rule = fz_read(fz_m.state, &type, &fz_req)) == NULL)
		return false;
	fz_serve(rule, type);
	return true;
}

/* A request the harness makes itself (the start). */
static void
fz_serve_built(uint8_t type, struct buf *body)
{
	const struct mon_dispatch *rule;

	fz_req = body;
	rule = fz_admit(fz_m.state, type, body, -1);
	fz_serve(rule, type);
}

static void
fz_start(void)
{
	struct buf *b;
	uint8_t s = in_u8();

	fz_setup_phase = true;
	if ((s & 3) != 3) {
		if ((b = buf_new()) == NULL)
			abort();
		fz_serve_built(RPC_HELLO, b);
	}
	if ((s & 3) < 2) {
		if ((b = buf_new()) == NULL)
			abort();
		put_cstr(b, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
		fz_serve_built(RPC_PEER_BANNER, b);
		/* As if the first key exchange had been signed. */
		if ((fz_m.session_id = buf_new()) == NULL ||
		    buf_put(fz_m.session_id, "fuzz-session-id-fuzz-session-id!",
		    32) != 0)
			abort();
		fz_m.kex_count = 1;
		fz_m.state = MON_ST_USER;
		if ((b = buf_new()) == NULL)
			abort();
		fz_put_user(b, s >> 2);
		put_cstr(b, "ssh-connection");
		fz_serve_built(RPC_USERAUTH_BEGIN, b);
	}
	fz_setup_phase = false;
}

static void
fz_begin(void)
{
	memset(&fz_m, 0, sizeof(fz_m));
	if (fz_row_counts == NULL)
		fz_row_counts = xcalloc(mon_dispatch_count(),
		    sizeof(*fz_row_counts));
	memset(fz_row_counts, 0, mon_dispatch_count() *
	    sizeof(*fz_row_counts));
	fz_m.snap.cfg = fz_world.cfg;
	fz_m.snap.hk = fz_world.hk;
	fz_m.snap.log_level = LOG_LEVEL_QUIET;
	fz_m.rpc_fd = fz_m.status_fd = -1;
	fz_m.passed_fd = fz_m.client_fd = -1;
	fz_m.child = -1;
	fz_m.state = MON_ST_INIT;
	fz_m.privileged = true;
	fz_m.privsep_uid = fz_m.privsep_gid = 65534;
	snprintf(fz_m.peer_addr, sizeof(fz_m.peer_addr), "127.0.0.1");
	snprintf(fz_m.local_addr, sizeof(fz_m.local_addr), "127.0.0.1");
	fz_m.peer_port = 50022;
	fz_m.local_port = 22;
	fz_in_handler = fz_setup_phase = false;
	fz_cur_row = NULL;
	fz_owed = 0;
	fz_last_nprompts = 0;
}

static void
fz_end(void)
{
	struct mon *m = &fz_m;
	size_t i;

	mon_pam_close(m);
	free(m->v_s);
	free(m->v_c);
	free(m->peer_host);
	buf_free(m->i_s);
	free(m->hostkey_algs);
	buf_free(m->session_id);
	kex_keys_free(m->keys);
	config_free(m->ccfg);
	free(m->user);
	free(m->service);
	free(m->home);
	free(m->shell);
	for (i = 0; i < m->nmethods_done; i++)
		free(m->methods_done[i]);
	free(m->methods_done);
	free(m->auth_key_fp);
	authkey_opts_free(m->key_opts);
	if (m->passed_fd != -1)
		close(m->passed_fd);
	if (m->client_fd != -1)
		close(m->client_fd);
	buf_free(m->transport_state);
	if (fz_fd != -1)
		close(fz_fd);
	fz_fd = -1;
	buf_free(fz_req);
	buf_free(fz_reply);
	buf_free(fz_reqcopy);
	buf_free(fz_i_s_before);
	fz_req = fz_reply = fz_reqcopy = fz_i_s_before = NULL;
	memset(m, 0, sizeof(*m));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t k;
	bool release;

	in_p = data;
	in_len = size;
	in_off = 0;
	fz_begin();
	if (setjmp(fz_jmp) == 0) {
		exitf_step_begin();
		fz_start();
		exitf_step_end();
		for (k = 0; k < FZ_FRAMES_MAX; k++) {
			exitf_step_begin();
			if (!fz_serve_next()) {
				exitf_step_end();
				break;
			}
			exitf_step_end();
		}
	} else {
		/*
		 * A violation or mon_exit: the monitor would exit here.
		 * What a keyboard-interactive exchange held is freed (it
		 * keeps nothing in static storage); other steps may have
		 * filled C library caches (getpwnam): kept, as not leaks.
		 */
		release = fz_in_handler && fz_cur_type == RPC_KBDINT_BEGIN;
		exitf_step_abandoned();
		fz_end();
		if (release)
			exitf_release();
		else
			exitf_keep();
		return 0;
	}
	fz_end();
	return 0;
}

/* --- the world ------------------------------------------------------------ */

static void
fz_write(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fz_world.dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0 || chmod(path, 0644) != 0)
		abort();
}

static void
fz_cleanup(void)
{
	static const char *const names[] = { "root", "nobody", "banner" };
	char path[128];
	size_t i;

	for (i = 0; i < NELEM(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", fz_world.dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(fz_world.dir);
}

static void
fz_add_hostkey(enum key_type type, unsigned int bits)
{
	struct hostkey *hk;

	if (!key_type_supported(type))
		return;
	fz_world.hk.keys = xreallocarray(fz_world.hk.keys,
	    fz_world.hk.nkeys + 1, sizeof(*fz_world.hk.keys));
	hk = &fz_world.hk.keys[fz_world.hk.nkeys];
	memset(hk, 0, sizeof(*hk));
	if (key_generate(type, bits, &hk->key) != 0 ||
	    key_fingerprint(hk->key, &hk->fingerprint) != 0)
		abort();
	hk->path = xstrdup("(generated by fuzz-monitor)");
	fz_world.hk.nkeys++;
}

/*
 * Sign and verify once with every key and algorithm before any input
 * runs: OpenSSL fills its method caches on first use, and a step that
 * ends in a violation (the monitor's exit, caught) abandons what it
 * allocated -- caches filled there would dangle for the next input.
 */
static void
fz_warm_keys(void)
{
	static const char *const algs[] = {
		NULL, "rsa-sha2-256", "rsa-sha2-512",
	};
	static const uint8_t msg[] = "warm-up";
	const struct key *k;
	struct buf *sig;
	size_t i, j, nk = fz_world.hk.nkeys + fz_world.nckeys;

	if (crypto_preload() != 0)
		abort();
	for (i = 0; i < nk; i++) {
		k = i < fz_world.hk.nkeys ? fz_world.hk.keys[i].key :
		    fz_world.ckeys[i - fz_world.hk.nkeys];
		for (j = 0; j < NELEM(algs); j++) {
			if (algs[j] != NULL && !key_sig_alg_matches(k, algs[j]))
				continue;
			if ((sig = buf_new()) == NULL ||
			    key_sign(k, algs[j], msg, sizeof(msg), sig) != 0 ||
			    key_verify(k, algs[j], buf_ptr(sig), buf_len(sig),
			    msg, sizeof(msg)) != 0)
				abort();
			buf_free(sig);
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const cfgfmt =
	    "UsePAM yes\n"
	    "PubkeyAuthentication yes\n"
	    "PasswordAuthentication yes\n"
	    "KbdInteractiveAuthentication yes\n"
	    "PermitRootLogin prohibit-password\n"
	    "PermitEmptyPasswords no\n"
	    "MaxAuthTries 6\n"
	    /* The scratch directory is under /tmp (world-writable). */
	    "StrictModes no\n"
	    "AuthorizedKeysFile %s/%%u .ssh/authorized_keys\n"
	    "Banner %s/banner\n"
	    "DenyUsers hs-fuzz-denied\n"
	    "DenyGroups hs-fuzz-no-group\n"
	    "Match User nobody\n"
	    "\tAuthenticationMethods publickey,keyboard-interactive "
	    "password\n";
	static const char *const opts[CK_MAX] = {
		"", "from=\"192.0.2.0/24\" ", "", "restrict,command=\"true\" ",
	};
	const char *lvl = getenv("HSSHD_FUZZ_LOG");
	struct buf *keys;
	char *text, *line, *err = NULL;
	size_t i;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	/* Quiet unless asked (HSSHD_FUZZ_LOG=debug3 to follow an input). */
	log_init("fuzz-monitor", lvl != NULL ? log_level_from_name(lvl) :
	    LOG_LEVEL_QUIET, -1, true);
	log_set_fatal_cleanup(abort);
	fz_pam_stop = getenv("HSSHD_FUZZ_PAM_STOP") != NULL;

	snprintf(fz_world.dir, sizeof(fz_world.dir),
	    "/tmp/hsshd-fuzz-monitor.XXXXXX");
	if (mkdtemp(fz_world.dir) == NULL || chmod(fz_world.dir, 0755) != 0)
		abort();
	atexit(fz_cleanup);

	fz_add_hostkey(KEY_ED25519, 0);
	fz_add_hostkey(KEY_ECDSA_P256, 0);
	fz_add_hostkey(KEY_RSA, 2048);

	if ((keys = buf_new()) == NULL)
		abort();
	for (i = 0; i < CK_MAX; i++) {
		enum key_type t = i == CK_FORCED ? KEY_ECDSA_P256 : KEY_ED25519;

		if (!key_type_supported(t))
			break;
		if (key_generate(t, 0, &fz_world.ckeys[i]) != 0)
			abort();
		fz_world.nckeys++;
		if (i == CK_UNLISTED)
			continue;
		if (key_format_public(fz_world.ckeys[i], "fuzz", &line) != 0 ||
		    buf_putf(keys, "%s%s\n", opts[i], line) != 0)
			abort();
		free(line);
	}
	fz_warm_keys();
	text = xstrndup((const char *)buf_ptr(keys), buf_len(keys));
	fz_write("root", text);
	fz_write("nobody", text);
	free(text);
	buf_free(keys);
	fz_write("banner", "Authorised access only.\n");

	xasprintf(&text, cfgfmt, fz_world.dir, fz_world.dir);
	if ((fz_world.cfg = config_new()) == NULL ||
	    config_load_buffer(fz_world.cfg, "fuzz-monitor", text,
	    strlen(text), &err) != 0 ||
	    config_finish(fz_world.cfg, &err) != 0) {
		fprintf(stderr, "fuzz-monitor: configuration: %s\n",
		    err != NULL ? err : "?");
		abort();
	}
	free(text);
	return 0;
}
