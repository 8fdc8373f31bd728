/* SPDX-License-Identifier: ISC */
/*
 * authorized_keys lines and their options (see authkeys.h).  Runs in
 * hsshd-monitor (root) on the lines of the user's AuthorizedKeysFile, and
 * in the session process on the options the monitor hands over.  Every
 * byte is attacker-controlled: the user writes the file.  The line is
 * walked with the text cursor; values are collected in a struct buf.
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "common/bounds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/mem.h"
#include "common/txt.h"
#include "policy/authkeys.h"
#include "policy/match.h"
#include "policy/strv.h"

/* Version of the serialised form; bump when it changes. */
#define AK_SERIAL_VERSION	1u
/* Flag bits of the serialised form. */
#define AK_F_PORT_FWD		0x01u
#define AK_F_AGENT_FWD		0x02u
#define AK_F_X11_FWD		0x04u
#define AK_F_PTY		0x08u
#define AK_F_USER_RC		0x10u
#define AK_F_RESTRICTED		0x20u
#define AK_F_NO_TOUCH		0x40u
#define AK_F_VERIFY		0x80u
#define AK_F_ALL		0xffu
/* getnameinfo's NI_MAXHOST: sshd's bound on a permitopen host. */
#define AK_HOST_MAX		1025u
/* Base64 of the largest key blob. */
#define AK_B64_MAX		(((KEY_BLOB_MAX + 2) / 3) * 4)

/* A parse in progress: the options so far and the flags that are not
 * part of the result. */
struct ak_parse {
	struct authkey_opts	*o;
	bool			 cert_authority;
	bool			 quoted;	/* the last option had a value */
	char			*err;		/* reason, heap */
};

static void __attribute__((format(printf, 2, 3)))
ak_why(struct ak_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err != NULL)
		return;
	va_start(ap, fmt);
	/* Without memory there is no reason to give; the code says it. */
	(void)strv_vprintf(&p->err, fmt, ap);
	va_end(ap);
}

static struct authkey_opts *
ak_opts_new(void)
{
	struct authkey_opts *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->permit_port_forwarding = true;
	o->permit_agent_forwarding = true;
	o->permit_x11_forwarding = true;
	o->permit_pty = true;
	o->permit_user_rc = true;
	o->tunnel = -1;
	return o;
}

void
authkey_opts_free(struct authkey_opts *o)
{
	if (o == NULL)
		return;
	free(o->command);
	free(o->from);
	free(o->principals);
	strv_free(o->permitopen, o->npermitopen);
	strv_free(o->permitlisten, o->npermitlisten);
	strv_free(o->env, o->nenv);
	freezero(o, sizeof(*o));
}

const char *
authkey_opts_forced_command(const struct authkey_opts *o)
{
	return o == NULL ? NULL : o->command;
}

/* Consume and return the next character; -1 at the end. */
static int
ak_next(struct txt *t)
{
	int c = txt_peek(t);

	if (c != -1)
		(void)txt_accept(t, (char)c);
	return c;
}

/* Consume word if the text starts with it, ignoring ASCII case. */
static bool
ak_accept_ci(struct txt *t, const char *word)
{
	size_t i, n = strlen(word);

	if (txt_left(t) < n || strncasecmp(txt_ptr(t), word, n) != 0)
		return false;
	for (i = 0; i < n; i++)
		(void)ak_next(t);
	return true;
}

static bool
ak_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
ak_is_alnum(int c)
{
	return ak_is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * A run of at most maxdigits decimal digits that makes up all of s, as a
 * number.  Leading zeros are allowed (sshd's strtonum takes them).
 */
static bool
ak_number(const char *s, size_t maxdigits, uint64_t *ret)
{
	struct txt t;
	uint64_t v = 0;
	size_t n = 0;

	txt_init(&t, s, strlen(s));
	while (ak_is_digit(txt_peek(&t)) && n < maxdigits) {
		v = v * 10 + (uint64_t)(ak_next(&t) - '0');
		n++;
	}
	if (n == 0 || !txt_eof(&t))
		return false;
	*ret = v;
	return true;
}

/*
 * Where the options end: the first blank outside double quotes, a
 * backslash-quote pair never opening or closing one (as sshd's
 * sshkey_advance_past_options).  *span is the options' text; l is left
 * after it.
 */
static int
ak_options_span(struct txt *l, struct txt *span)
{
	const char *start = txt_ptr(l);
	size_t n = 0;
	bool quoted = false;
	int c;

	while ((c = txt_peek(l)) != -1) {
		if (!quoted && (c == ' ' || c == '\t'))
			break;
		(void)ak_next(l);
		n++;
		if (c == '\\' && txt_peek(l) == '"') {
			(void)ak_next(l);
			n++;
		} else if (c == '"')
			quoted = !quoted;
	}
	if (quoted)
		return HS_ERR_BAD_FORMAT;
	txt_init(span, start, n);
	return 0;
}

/*
 * A double-quoted value: \" is a quote, every other byte is itself.
 * *ret is a heap string.
 */
static int
ak_dequote(struct txt *s, struct ak_parse *p, const char *name, char **ret)
{
	struct buf *b = NULL;
	char *v = NULL;
	uint8_t c;
	int r, ch;

	*ret = NULL;
	if (!txt_accept(s, '"')) {
		ak_why(p, "missing start quote in %s= value", name);
		return HS_ERR_BAD_FORMAT;
	}
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	for (;;) {
		if ((ch = ak_next(s)) == -1) {
			ak_why(p, "unterminated quote in %s= value", name);
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		if (ch == '"')
			break;
		if (ch == '\\' && txt_peek(s) == '"')
			ch = ak_next(s);
		c = (uint8_t)ch;
		if ((r = buf_put_u8(b, c)) != 0)
			goto out;
	}
	if ((v = malloc(buf_len(b) + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if (buf_len(b) > 0)
		memcpy(v, buf_ptr(b), buf_len(b));
	v[buf_len(b)] = '\0';
	*ret = v;
	p->quoted = true;
	r = 0;
 out:
	buf_free(b);
	return r;
}

/*
 * expiry-time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, local time unless
 * followed by "Z" or "UTC" (any case), as sshd's parse_absolute_time.
 */
static bool
ak_parse_time(const char *s, int64_t *ret)
{
	struct txt t;
	struct tm tm;
	time_t tt;
	int d[14], year, mon, day, hour = 0, min = 0, sec = 0;
	size_t n = 0;
	bool utc = false;

	txt_init(&t, s, strlen(s));
	while (n < 14 && ak_is_digit(txt_peek(&t)))
		d[n++] = ak_next(&t) - '0';
	if (!txt_eof(&t)) {
		if (strcasecmp(txt_ptr(&t), "Z") != 0 &&
		    strcasecmp(txt_ptr(&t), "UTC") != 0)
			return false;
		utc = true;
	}
	if (n != 8 && n != 12 && n != 14)
		return false;
	year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
	mon = d[4] * 10 + d[5];
	day = d[6] * 10 + d[7];
	if (n >= 12) {
		hour = d[8] * 10 + d[9];
		min = d[10] * 10 + d[11];
	}
	if (n == 14)
		sec = d[12] * 10 + d[13];
	/* The ranges of strptime's %m %d %H %M %S; mktime normalises a day
	 * past the end of its month, as it does for sshd. */
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 61)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* Local time as the zone has it on that date, summer time included
	 * (sshd(8): "interpreted in the system time zone"). */
	tm.tm_isdst = -1;
	tt = utc ? timegm(&tm) : mktime(&tm);
	/* sshd refuses negative times and 0 (which would mean "none"). */
	if (tt <= 0)
		return false;
	*ret = (int64_t)tt;
	return true;
}

/* "NAME=value" with NAME of letters, digits and '_' (sshd's
 * valid_env_name); *ret_namelen is the length of NAME. */
static bool
ak_env_valid(const char *v, size_t *ret_namelen)
{
	struct txt t;
	size_t n = 0;

	txt_init(&t, v, strlen(v));
	while (ak_is_alnum(txt_peek(&t)) || txt_peek(&t) == '_') {
		(void)ak_next(&t);
		n++;
	}
	if (n == 0 || txt_peek(&t) != '=')
		return false;
	*ret_namelen = n;
	return true;
}

/* Whether env already holds a value for the first namelen bytes of v
 * (those bytes are the name; the byte after them is '='). */
static bool
ak_env_has(char *const *env, size_t nenv, const char *v, size_t namelen)
{
	size_t i;

	for (i = 0; i < nenv; i++)
		if (strncmp(env[i], v, namelen + 1) == 0)
			return true;
	return false;
}

/* A port as sshd's permit options take it: "*" or 1..65535. */
static bool
ak_port_valid(const char *s)
{
	uint64_t v;

	if (strcmp(s, "*") == 0)
		return true;
	return ak_number(s, 10, &v) && v >= 1 && v <= 65535;
}

/*
 * "host:port" (or "host/port") as sshd's hpdelim2 splits it: a host in
 * brackets runs to the first ']', which must be followed by the
 * delimiter; otherwise the host runs to the first ':' or '/'.  The port
 * is all the rest.
 */
static bool
ak_permit_valid(const char *v)
{
	struct txt t;
	char *port = NULL;
	size_t hostlen = 0;
	bool ok = false;
	int c;

	txt_init(&t, v, strlen(v));
	if (txt_peek(&t) == '[') {
		while ((c = ak_next(&t)) != -1 && c != ']')
			hostlen++;
		if (c != ']')
			return false;
		hostlen++;
		if (txt_peek(&t) != ':' && txt_peek(&t) != '/')
			return false;
	} else {
		while ((c = txt_peek(&t)) != -1 && c != ':' && c != '/') {
			(void)ak_next(&t);
			hostlen++;
		}
		if (c == -1)
			return false;
	}
	(void)ak_next(&t);
	if (hostlen >= AK_HOST_MAX)
		return false;
	if (txt_strdup(&t, AUTHKEYS_LINE_MAX, &port) != 0)
		return false;
	ok = ak_port_valid(port);
	free(port);
	return ok;
}

/* tunnel="any" or a unit number (sshd's a2tun). */
static bool
ak_tunnel_parse(const char *s, int *ret)
{
	uint64_t v;

	if (strcasecmp(s, "any") == 0) {
		*ret = AUTHKEY_TUNNEL_ANY;
		return true;
	}
	if (!ak_number(s, 10, &v) || v > AUTHKEY_TUNNEL_MAX)
		return false;
	*ret = (int)v;
	return true;
}

/* Whether a from= list is usable (sshd refuses every key of a line whose
 * list is invalid; we refuse the line). */
static bool
ak_from_valid(const char *list)
{
	return match_addr_list(NULL, list) >= 0;
}

/*
 * A flag option at the start of s: name, or with negate allowed also
 * "no-"name.  0 if it is not there (nothing consumed), 1 for the plain
 * form, -1 for the negated one.  Like sshd this matches a prefix; what
 * follows is checked by the caller (a ',' or the end).
 */
static int
ak_flag(struct txt *s, const char *name, bool negate_ok)
{
	struct txt save = *s;
	bool neg = false;

	if (negate_ok && ak_accept_ci(s, "no-"))
		neg = true;
	if (ak_accept_ci(s, name))
		return neg ? -1 : 1;
	*s = save;
	return 0;
}

/* "name=" at the start of s (consumed if there). */
static bool
ak_valopt(struct txt *s, const char *name)
{
	struct txt save = *s;

	if (ak_accept_ci(s, name) && txt_accept(s, '='))
		return true;
	*s = save;
	return false;
}

/* Set a single-valued option, refusing a second one as sshd does. */
static int
ak_once(struct ak_parse *p, struct txt *s, const char *name, char **field)
{
	char *v = NULL;
	int r;

	if (*field != NULL) {
		ak_why(p, "multiple \"%s\" clauses", name);
		return HS_ERR_BAD_FORMAT;
	}
	if ((r = ak_dequote(s, p, name, &v)) != 0)
		return r;
	*field = v;
	return 0;
}

static int
ak_permit(struct ak_parse *p, struct txt *s, const char *name, bool listen,
    char ***vp, size_t *np)
{
	char *v = NULL, *full = NULL;
	int r;

	if (*np >= AUTHKEYS_PERMIT_MAX) {
		ak_why(p, "too many %s= options", name);
		return HS_ERR_TOO_LONG;
	}
	if ((r = ak_dequote(s, p, name, &v)) != 0)
		return r;
	/* A bare port in permitlisten means any address, as in sshd. */
	if (listen && strchr(v, ':') == NULL) {
		if ((r = strv_printf(&full, "*:%s", v)) != 0)
			goto out;
	} else {
		full = v;
		v = NULL;
	}
	if (!ak_permit_valid(full)) {
		ak_why(p, "bad %s=\"%s\"", name, full);
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	r = strv_append(vp, np, AUTHKEYS_PERMIT_MAX, full);
 out:
	free(v);
	free(full);
	return r;
}

static int
ak_environment(struct ak_parse *p, struct txt *s)
{
	struct authkey_opts *o = p->o;
	char *v = NULL;
	size_t namelen;
	int r;

	if (o->nenv >= AUTHKEYS_ENV_MAX) {
		ak_why(p, "too many environment= options");
		return HS_ERR_TOO_LONG;
	}
	if ((r = ak_dequote(s, p, "environment", &v)) != 0)
		return r;
	if (!ak_env_valid(v, &namelen)) {
		ak_why(p, "bad environment=\"%s\" (want NAME=value)", v);
		r = HS_ERR_BAD_FORMAT;
	} else if (!ak_env_has(o->env, o->nenv, v, namelen))
		r = strv_append(&o->env, &o->nenv, AUTHKEYS_ENV_MAX, v);
	free(v);
	return r;
}

/*
 * One option at the start of s, in sshd's order.  0 with nothing
 * consumed if no option name matches; the caller then expects ','.
 */
static int
ak_option(struct ak_parse *p, struct txt *s)
{
	struct authkey_opts *o = p->o;
	char *v = NULL;
	int64_t t;
	int f, r = 0;

	if (ak_flag(s, "restrict", false) != 0) {
		o->restricted = true;
		o->permit_port_forwarding = false;
		o->permit_agent_forwarding = false;
		o->permit_x11_forwarding = false;
		o->permit_pty = false;
		o->permit_user_rc = false;
	} else if (ak_flag(s, "cert-authority", false) != 0)
		p->cert_authority = true;
	else if ((f = ak_flag(s, "port-forwarding", true)) != 0)
		o->permit_port_forwarding = f > 0;
	else if ((f = ak_flag(s, "agent-forwarding", true)) != 0)
		o->permit_agent_forwarding = f > 0;
	else if ((f = ak_flag(s, "x11-forwarding", true)) != 0)
		o->permit_x11_forwarding = f > 0;
	else if ((f = ak_flag(s, "touch-required", true)) != 0)
		o->no_touch_required = f < 0;
	else if ((f = ak_flag(s, "verify-required", true)) != 0)
		o->verify_required = f > 0;
	else if ((f = ak_flag(s, "pty", true)) != 0)
		o->permit_pty = f > 0;
	else if ((f = ak_flag(s, "user-rc", true)) != 0)
		o->permit_user_rc = f > 0;
	else if (ak_valopt(s, "command"))
		r = ak_once(p, s, "command", &o->command);
	else if (ak_valopt(s, "principals"))
		r = ak_once(p, s, "principals", &o->principals);
	else if (ak_valopt(s, "from")) {
		if ((r = ak_once(p, s, "from", &o->from)) == 0 &&
		    !ak_from_valid(o->from)) {
			ak_why(p, "bad from=\"%s\" pattern list", o->from);
			r = HS_ERR_BAD_FORMAT;
		}
	} else if (ak_valopt(s, "expiry-time")) {
		if ((r = ak_dequote(s, p, "expiry-time", &v)) != 0)
			return r;
		if (!ak_parse_time(v, &t)) {
			ak_why(p, "bad expiry-time \"%s\"", v);
			r = HS_ERR_BAD_FORMAT;
		} else if (o->expiry == 0 || t < o->expiry)
			o->expiry = t;
	} else if (ak_valopt(s, "environment"))
		r = ak_environment(p, s);
	else if (ak_valopt(s, "permitopen"))
		r = ak_permit(p, s, "permitopen", false, &o->permitopen,
		    &o->npermitopen);
	else if (ak_valopt(s, "permitlisten"))
		r = ak_permit(p, s, "permitlisten", true, &o->permitlisten,
		    &o->npermitlisten);
	else if (ak_valopt(s, "tunnel")) {
		if ((r = ak_dequote(s, p, "tunnel", &v)) != 0)
			return r;
		if (!ak_tunnel_parse(v, &o->tunnel)) {
			ak_why(p, "bad tunnel=\"%s\"", v);
			r = HS_ERR_BAD_FORMAT;
		}
	}
	free(v);
	return r;
}

/* The comma-separated options of span, as sshd's sshauthopt_parse. */
static int
ak_options(struct ak_parse *p, struct txt *span)
{
	struct txt start;
	char *name = NULL;
	int r;

	while (!txt_eof(span)) {
		start = *span;
		p->quoted = false;
		if ((r = ak_option(p, span)) != 0)
			return r;
		if (txt_eof(span))
			break;
		if (!txt_accept(span, ',')) {
			/* Name what follows a value, or else the whole
			 * option (not what a matching prefix left). */
			if (p->quoted)
				start = *span;
			if (txt_get_token(&start, ",=", AUTHKEYS_LINE_MAX,
			    &name) == 0)
				ak_why(p, "bad option '%s'", name);
			else
				ak_why(p, "bad option");
			free(name);
			return HS_ERR_BAD_FORMAT;
		}
	}
	return 0;
}

/* Key type names sshd knows that this server does not use (security
 * keys are ours: key_type_from_name knows them). */
static bool
ak_other_key_type(const char *word, bool *ret_cert)
{
	static const char *const others[] = {
		"ssh-dss",
		"ssh-xmss@openssh.com",
	};
	size_t i;

	*ret_cert = match_pattern(word, "*-cert-v0?@openssh.com", false);
	if (*ret_cert)
		return true;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strcmp(word, others[i]) == 0)
			return true;
	return false;
}

/*
 * Why "TYPE B64" did not parse as a key: the base64, the blob, or a blob
 * of another type than the line names.
 */
static void
ak_key_reason(struct ak_parse *p, const char *type, const char *b64, int r)
{
	struct key *k = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	int r2;

	if ((blob = malloc(KEY_BLOB_MAX)) == NULL)
		return;
	if (sodium_base642bin(blob, KEY_BLOB_MAX, b64, strlen(b64), NULL,
	    &bloblen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		ak_why(p, "bad base64 key");
	else if ((r2 = key_from_blob(blob, bloblen, &k)) != 0)
		ak_why(p, "invalid %s key: %s", type, hs_err_str(r2));
	else if (strcmp(key_type_name(k), type) != 0)
		ak_why(p, "key type mismatch: line says %s, key is %s", type,
		    key_type_name(k));
	else
		ak_why(p, "invalid %s key: %s", type, hs_err_str(r));
	key_free(k);
	free(blob);
}

/* "TYPE BASE64 [COMMENT]" at l; the comment is not kept. */
static int
ak_key(struct ak_parse *p, struct txt *l, struct key **ret)
{
	char *type = NULL, *b64 = NULL, *text = NULL;
	bool cert;
	int r;

	*ret = NULL;
	if ((r = txt_get_word(l, AUTHKEYS_LINE_MAX, &type)) != 0) {
		if (r == HS_ERR_SHORT) {
			ak_why(p, "missing key");
			r = HS_ERR_KEY_FORMAT;
		}
		goto out;
	}
	if (key_type_from_name(type) == KEY_UNSPEC) {
		if (ak_other_key_type(type, &cert)) {
			ak_why(p, cert ? "certificates are not supported" :
			    "key type %s is not supported", type);
			r = HS_ERR_KEY_UNSUPPORTED;
		} else {
			ak_why(p, "unknown key type '%s'", type);
			r = HS_ERR_KEY_TYPE;
		}
		goto out;
	}
	if (!key_type_supported(key_type_from_name(type))) {
		ak_why(p, "key type %s is not supported by this build", type);
		r = HS_ERR_KEY_UNSUPPORTED;
		goto out;
	}
	if ((r = txt_get_word(l, AK_B64_MAX, &b64)) != 0) {
		if (r == HS_ERR_SHORT) {
			ak_why(p, "missing base64 key after %s", type);
			r = HS_ERR_KEY_FORMAT;
		}
		goto out;
	}
	if ((r = strv_printf(&text, "%s %s", type, b64)) != 0)
		goto out;
	if ((r = key_parse_public(text, strlen(text), ret, NULL)) != 0) {
		ak_key_reason(p, type, b64, r);
		/* A blob cut short or overlong is a format error too. */
		if (r != HS_ERR_ALLOC && r != HS_ERR_KEY_INVALID &&
		    r != HS_ERR_KEY_SMALL && r != HS_ERR_KEY_UNSUPPORTED &&
		    r != HS_ERR_KEY_TYPE)
			r = HS_ERR_KEY_FORMAT;
	}
 out:
	free(type);
	free(b64);
	free(text);
	return r;
}

int
authkeys_parse_line(const char *line, size_t len, struct key **ret_key,
    struct authkey_opts **ret_opts, char **ret_err)
{
	struct ak_parse p = { NULL, false, false, NULL };
	struct txt t, l, span, w;
	struct key *k = NULL;
	char *word = NULL;
	bool cert;
	int r;

	if (ret_key == NULL || ret_opts == NULL || (line == NULL && len != 0))
		return HS_ERR_INVALID_ARGUMENT;
	*ret_key = NULL;
	*ret_opts = NULL;
	if (ret_err != NULL)
		*ret_err = NULL;

	/* Blank and comment lines are skipped, whatever their length. */
	txt_init(&t, line, len);
	txt_skip_blanks(&t);
	if (txt_eof(&t) || txt_peek(&t) == '#' || txt_equals(&t, "\r"))
		return HS_ERR_NOT_FOUND;

	txt_init(&t, line, len);
	if ((r = txt_get_line(&t, AUTHKEYS_LINE_MAX, &l)) != 0) {
		if (r == HS_ERR_TOO_LONG)
			ak_why(&p, "line too long (over %u bytes)",
			    AUTHKEYS_LINE_MAX);
		else if (r == HS_ERR_STRING_NUL)
			ak_why(&p, "NUL byte in line");
		goto out;
	}
	if (!txt_eof(&t)) {
		ak_why(&p, "newline inside the line");
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	if ((p.o = ak_opts_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	txt_skip_blanks(&l);

	/* A line that starts with a key type has no options. */
	w = l;
	if ((r = txt_get_word(&w, AUTHKEYS_LINE_MAX, &word)) != 0)
		goto out;
	if (key_type_from_name(word) == KEY_UNSPEC &&
	    !ak_other_key_type(word, &cert)) {
		if (ak_options_span(&l, &span) != 0) {
			ak_why(&p, "unterminated quote");
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		if ((r = ak_options(&p, &span)) != 0)
			goto out;
		txt_skip_blanks(&l);
	}
	if ((r = ak_key(&p, &l, &k)) != 0)
		goto out;
	if (p.cert_authority) {
		ak_why(&p, "certificates are not supported (cert-authority)");
		r = HS_ERR_KEY_UNSUPPORTED;
		goto out;
	}
	*ret_key = k;
	k = NULL;
	*ret_opts = p.o;
	p.o = NULL;
	r = 0;
 out:
	if (r != 0 && ret_err != NULL) {
		*ret_err = p.err;
		p.err = NULL;
	}
	free(p.err);
	free(word);
	key_free(k);
	authkey_opts_free(p.o);
	return r;
}

bool
authkey_opts_from_ok(const struct authkey_opts *o, const char *remote_ip,
    const char *remote_host)
{
	int mip, mhost;

	if (o->from == NULL)
		return true;
	if (remote_ip == NULL || remote_host == NULL)
		return false;
	/* sshd's match_host_and_ip: a negated hit on the address or the
	 * name refuses; otherwise a hit on either allows. */
	if ((mip = match_addr_list(remote_ip, o->from)) < 0 ||
	    mip == MATCH_NEGATED)
		return false;
	if ((mhost = match_hostname(remote_host, o->from)) == MATCH_NEGATED)
		return false;
	return mip == MATCH_YES || mhost == MATCH_YES;
}

bool
authkey_opts_expired(const struct authkey_opts *o, time_t now)
{
	return o->expiry != 0 && (int64_t)now > o->expiry;
}

int
authkey_opts_authorise(const struct authkey_opts *o, const char *remote_ip,
    const char *remote_host, time_t now, const char **ret_why)
{
	const char *why = NULL;

	if (authkey_opts_expired(o, now))
		why = "key expired";
	else if (o->principals != NULL)
		why = "principals= on a key that is not a cert-authority";
	else if (!authkey_opts_from_ok(o, remote_ip, remote_host))
		why = "from= does not match";
	if (ret_why != NULL)
		*ret_why = why;
	return why == NULL ? 0 : HS_ERR_KEY_REFUSED;
}

bool
authkey_opts_sk_flags_ok(const struct authkey_opts *o, uint8_t sk_flags,
    const char **ret_why)
{
	/* Without options sshd's defaults hold: touch required, no PIN. */
	bool need_up = o == NULL || !o->no_touch_required;
	bool need_uv = o != NULL && o->verify_required;
	const char *why = NULL;

	/* Presence first, as sshd checks it first. */
	if (need_up && (sk_flags & KEY_SK_FLAG_UP) == 0)
		why = "user presence (authenticator touch) requirement not met";
	else if (need_uv && (sk_flags & KEY_SK_FLAG_UV) == 0)
		why = "user verification requirement not met";
	if (ret_why != NULL)
		*ret_why = why;
	return why == NULL;
}

/* Serialisation. */

static int
ak_put_optstr(struct buf *b, const char *s)
{
	int r;

	if (s != NULL && strlen(s) > AUTHKEYS_LINE_MAX)
		return HS_ERR_TOO_LONG;
	if ((r = buf_put_bool(b, s != NULL)) != 0 ||
	    (s != NULL && (r = buf_put_cstring(b, s)) != 0))
		return r;
	return 0;
}

static int
ak_put_strv(struct buf *b, char *const *v, size_t n, size_t max)
{
	size_t i;
	int r;

	if (n > max)
		return HS_ERR_TOO_LONG;
	if ((r = buf_put_u32(b, (uint32_t)n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (strlen(v[i]) > AUTHKEYS_LINE_MAX)
			return HS_ERR_TOO_LONG;
		if ((r = buf_put_cstring(b, v[i])) != 0)
			return r;
	}
	return 0;
}

int
authkey_opts_serialize(const struct authkey_opts *o, struct buf *out)
{
	struct buf *b = NULL;
	uint32_t flags = 0;
	int r;

	if (o == NULL || out == NULL || o->expiry < 0)
		return HS_ERR_INVALID_ARGUMENT;
	if ((b = buf_new()) == NULL)
		return HS_ERR_ALLOC;
	flags |= o->permit_port_forwarding ? AK_F_PORT_FWD : 0;
	flags |= o->permit_agent_forwarding ? AK_F_AGENT_FWD : 0;
	flags |= o->permit_x11_forwarding ? AK_F_X11_FWD : 0;
	flags |= o->permit_pty ? AK_F_PTY : 0;
	flags |= o->permit_user_rc ? AK_F_USER_RC : 0;
	flags |= o->restricted ? AK_F_RESTRICTED : 0;
	flags |= o->no_touch_required ? AK_F_NO_TOUCH : 0;
	flags |= o->verify_required ? AK_F_VERIFY : 0;
	if ((r = buf_put_u32(b, AK_SERIAL_VERSION)) != 0 ||
	    (r = buf_put_u32(b, flags)) != 0 ||
	    (r = buf_put_u64(b, (uint64_t)o->expiry)) != 0 ||
	    (r = buf_put_u32(b, (uint32_t)o->tunnel)) != 0 ||
	    (r = ak_put_optstr(b, o->command)) != 0 ||
	    (r = ak_put_optstr(b, o->from)) != 0 ||
	    (r = ak_put_optstr(b, o->principals)) != 0 ||
	    (r = ak_put_strv(b, o->permitopen, o->npermitopen,
	    AUTHKEYS_PERMIT_MAX)) != 0 ||
	    (r = ak_put_strv(b, o->permitlisten, o->npermitlisten,
	    AUTHKEYS_PERMIT_MAX)) != 0 ||
	    (r = ak_put_strv(b, o->env, o->nenv, AUTHKEYS_ENV_MAX)) != 0)
		goto out;
	if (buf_len(b) > AUTHKEY_OPTS_SERIAL_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	r = buf_put_stringb(out, b);
 out:
	buf_free(b);
	return r;
}

static int
ak_get_optstr(struct buf *b, char **ret)
{
	bool have;
	int r;

	*ret = NULL;
	if ((r = buf_get_bool_strict(b, &have)) != 0)
		return r;
	if (!have)
		return 0;
	return buf_get_cstring(b, AUTHKEYS_LINE_MAX, ret, NULL);
}

static int
ak_get_strv(struct buf *b, size_t max, char ***vp, size_t *np)
{
	uint32_t n, i;
	char *s = NULL;
	int r;

	if ((r = buf_get_u32(b, &n)) != 0)
		return r;
	if (n > max)
		return HS_ERR_TOO_LONG;
	for (i = 0; i < n; i++) {
		if ((r = buf_get_cstring(b, AUTHKEYS_LINE_MAX, &s, NULL)) != 0)
			return r;
		r = strv_append(vp, np, max, s);
		free(s);
		s = NULL;
		if (r != 0)
			return r;
	}
	return 0;
}

/* The invariants the line parser guarantees, for options from a peer. */
static int
ak_opts_check(const struct authkey_opts *o)
{
	size_t i, namelen;

	if (o->from != NULL && !ak_from_valid(o->from))
		return HS_ERR_BAD_FORMAT;
	if (o->tunnel != -1 && o->tunnel != AUTHKEY_TUNNEL_ANY &&
	    (o->tunnel < 0 || o->tunnel > AUTHKEY_TUNNEL_MAX))
		return HS_ERR_BAD_FORMAT;
	for (i = 0; i < o->npermitopen; i++)
		if (!ak_permit_valid(o->permitopen[i]))
			return HS_ERR_BAD_FORMAT;
	for (i = 0; i < o->npermitlisten; i++)
		if (!ak_permit_valid(o->permitlisten[i]))
			return HS_ERR_BAD_FORMAT;
	for (i = 0; i < o->nenv; i++) {
		if (!ak_env_valid(o->env[i], &namelen) ||
		    ak_env_has(o->env, i, o->env[i], namelen))
			return HS_ERR_BAD_FORMAT;
	}
	return 0;
}

int
authkey_opts_deserialize(struct buf *in, struct authkey_opts **ret)
{
	struct authkey_opts *o = NULL;
	struct buf *copy = NULL, *b = NULL;
	uint32_t version, flags, tunnel, len;
	uint64_t expiry;
	int r;

	if (in == NULL || ret == NULL)
		return HS_ERR_INVALID_ARGUMENT;
	*ret = NULL;
	/* Work on a copy of the string so that a failure anywhere inside
	 * consumes nothing of in. */
	if ((r = buf_peek_u32(in, 0, &len)) != 0)
		return r;
	if (len > AUTHKEY_OPTS_SERIAL_MAX)
		return HS_ERR_TOO_LONG;
	if (buf_len(in) - 4 < len)
		return HS_ERR_SHORT;
	if ((copy = buf_from(buf_ptr(in), 4 + (size_t)len)) == NULL)
		return HS_ERR_ALLOC;
	if ((r = buf_froms(copy, AUTHKEY_OPTS_SERIAL_MAX, &b)) != 0)
		goto out;
	if ((o = ak_opts_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = buf_get_u32(b, &version)) != 0 ||
	    (r = buf_get_u32(b, &flags)) != 0 ||
	    (r = buf_get_u64(b, &expiry)) != 0 ||
	    (r = buf_get_u32(b, &tunnel)) != 0)
		goto out;
	if (version != AK_SERIAL_VERSION || (flags & ~AK_F_ALL) != 0) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if (expiry > INT64_MAX) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	o->permit_port_forwarding = (flags & AK_F_PORT_FWD) != 0;
	o->permit_agent_forwarding = (flags & AK_F_AGENT_FWD) != 0;
	o->permit_x11_forwarding = (flags & AK_F_X11_FWD) != 0;
	o->permit_pty = (flags & AK_F_PTY) != 0;
	o->permit_user_rc = (flags & AK_F_USER_RC) != 0;
	o->restricted = (flags & AK_F_RESTRICTED) != 0;
	o->no_touch_required = (flags & AK_F_NO_TOUCH) != 0;
	o->verify_required = (flags & AK_F_VERIFY) != 0;
	o->expiry = (int64_t)expiry;
	if (tunnel != UINT32_MAX && tunnel > INT32_MAX) {
		r = HS_ERR_BAD_FORMAT;
		goto out;
	}
	o->tunnel = tunnel == UINT32_MAX ? -1 : (int)tunnel;
	if ((r = ak_get_optstr(b, &o->command)) != 0 ||
	    (r = ak_get_optstr(b, &o->from)) != 0 ||
	    (r = ak_get_optstr(b, &o->principals)) != 0 ||
	    (r = ak_get_strv(b, AUTHKEYS_PERMIT_MAX, &o->permitopen,
	    &o->npermitopen)) != 0 ||
	    (r = ak_get_strv(b, AUTHKEYS_PERMIT_MAX, &o->permitlisten,
	    &o->npermitlisten)) != 0 ||
	    (r = ak_get_strv(b, AUTHKEYS_ENV_MAX, &o->env, &o->nenv)) != 0 ||
	    (r = buf_get_end(b)) != 0 ||
	    (r = ak_opts_check(o)) != 0 ||
	    (r = buf_consume(in, 4 + (size_t)len)) != 0)
		goto out;
	*ret = o;
	o = NULL;
 out:
	authkey_opts_free(o);
	buf_free(b);
	buf_free(copy);
	return r;
}

static bool
ak_str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
ak_strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

bool
authkey_opts_equal(const struct authkey_opts *a, const struct authkey_opts *b)
{
	return a->permit_port_forwarding == b->permit_port_forwarding &&
	    a->permit_agent_forwarding == b->permit_agent_forwarding &&
	    a->permit_x11_forwarding == b->permit_x11_forwarding &&
	    a->permit_pty == b->permit_pty &&
	    a->permit_user_rc == b->permit_user_rc &&
	    a->restricted == b->restricted &&
	    a->no_touch_required == b->no_touch_required &&
	    a->verify_required == b->verify_required &&
	    a->expiry == b->expiry && a->tunnel == b->tunnel &&
	    ak_str_equal(a->command, b->command) &&
	    ak_str_equal(a->from, b->from) &&
	    ak_str_equal(a->principals, b->principals) &&
	    ak_strv_equal(a->permitopen, a->npermitopen, b->permitopen,
	    b->npermitopen) &&
	    ak_strv_equal(a->permitlisten, a->npermitlisten, b->permitlisten,
	    b->npermitlisten) &&
	    ak_strv_equal(a->env, a->nenv, b->env, b->nenv);
}
