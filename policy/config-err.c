/* SPDX-License-Identifier: ISC */
/*
 * Configuration error messages: "FILE:LINE: message", the form sshd uses,
 * so an administrator can go straight to the line.  Runs wherever the
 * configuration is loaded; the text it quotes is the administrator's.
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/config-priv.h"
#include "policy/strv.h"

int
config_verr(char **errmsg, const char *file, unsigned long line,
    const char *fmt, va_list ap)
{
	char *msg = NULL, *full = NULL;
	int r;

	if (errmsg == NULL || *errmsg != NULL)
		return HS_ERR_CONFIG;
	if ((r = strv_vprintf(&msg, fmt, ap)) != 0)
		return r;
	if (file == NULL) {
		*errmsg = msg;
		return HS_ERR_CONFIG;
	}
	if (line > 0)
		r = strv_printf(&full, "%s:%lu: %s", file, line, msg);
	else
		r = strv_printf(&full, "%s: %s", file, msg);
	free(msg);
	if (r != 0)
		return r;
	*errmsg = full;
	return HS_ERR_CONFIG;
}

int
config_err(char **errmsg, const char *file, unsigned long line,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = config_verr(errmsg, file, line, fmt, ap);
	va_end(ap);
	return r;
}

int
config_aerr(struct config_apply *a, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = config_verr(a->errmsg, a->file, a->line, fmt, ap);
	va_end(ap);
	return r;
}

int
config_bad_value(struct config_apply *a, const char *v, const char *expected)
{
	return config_aerr(a, "bad value '%s' for %s (expected %s)", v, a->kw,
	    expected);
}

int
config_want_args(struct config_apply *a, size_t min, size_t max)
{
	if (a->ac < min)
		return config_aerr(a, "missing argument for %s", a->kw);
	if (a->ac > max)
		return config_aerr(a, "too many arguments for %s", a->kw);
	return 0;
}
