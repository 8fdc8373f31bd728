/* SPDX-License-Identifier: ISC */
/*
 * Scalar values of the configuration language: flags, integers, times
 * ("1h30m"), sizes ("1G"), ports and enumerations.  Strict: no sign
 * where none is meaningful, no trailing text, overflow checked.  Runs
 * wherever configuration is loaded; input is the administrator's text.
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/mem.h"
#include "policy/config-priv.h"
#include "policy/strv.h"

int
config_parse_flag(const char *s, int *ret)
{
	if (strcasecmp(s, "yes") == 0)
		*ret = 1;
	else if (strcasecmp(s, "no") == 0)
		*ret = 0;
	else
		return HS_ERR_BAD_FORMAT;
	return 0;
}

/* Decimal digits only (after an optional '-' when min < 0). */
int
config_parse_int(const char *s, long long min, long long max, long long *ret)
{
	long long v = 0;
	size_t i = 0;
	bool neg = false;

	if (s[0] == '-' && min < 0) {
		neg = true;
		i = 1;
	}
	if (s[i] == '\0')
		return HS_ERR_BAD_FORMAT;
	for (; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HS_ERR_BAD_FORMAT;
		if (v > (LLONG_MAX - (s[i] - '0')) / 10)
			return HS_ERR_BAD_FORMAT;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return HS_ERR_BAD_FORMAT;
	*ret = v;
	return 0;
}

/*
 * As sshd's convtime: a sequence of NUMBER[UNIT], units s, m, h, d, w in
 * either case, no unit meaning seconds; the total must fit an int.
 */
int
config_parse_time(const char *s, int *ret)
{
	long long total = 0, n, mult;
	size_t i = 0;

	if (s[0] == '\0')
		return HS_ERR_BAD_FORMAT;
	while (s[i] != '\0') {
		if (s[i] < '0' || s[i] > '9')
			return HS_ERR_BAD_FORMAT;
		n = 0;
		while (s[i] >= '0' && s[i] <= '9') {
			n = n * 10 + (s[i] - '0');
			if (n > INT_MAX)
				return HS_ERR_BAD_FORMAT;
			i++;
		}
		switch (s[i]) {
		case '\0':
			mult = 1;
			break;
		case 's': case 'S':
			mult = 1;
			i++;
			break;
		case 'm': case 'M':
			mult = 60;
			i++;
			break;
		case 'h': case 'H':
			mult = 60 * 60;
			i++;
			break;
		case 'd': case 'D':
			mult = 24 * 60 * 60;
			i++;
			break;
		case 'w': case 'W':
			mult = 7 * 24 * 60 * 60;
			i++;
			break;
		default:
			return HS_ERR_BAD_FORMAT;
		}
		if (n > (INT_MAX - total) / mult)
			return HS_ERR_BAD_FORMAT;
		total += n * mult;
	}
	*ret = (int)total;
	return 0;
}

/* NUMBER[K|M|G|T] (binary multiples, either case, optional trailing B). */
int
config_parse_size(const char *s, int64_t *ret)
{
	long long n = 0;
	int64_t mult = 1;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return HS_ERR_BAD_FORMAT;
	while (s[i] >= '0' && s[i] <= '9') {
		if (n > (LLONG_MAX - (s[i] - '0')) / 10)
			return HS_ERR_BAD_FORMAT;
		n = n * 10 + (s[i] - '0');
		i++;
	}
	switch (s[i]) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1024;
		i++;
		break;
	case 'm': case 'M':
		mult = 1024 * 1024;
		i++;
		break;
	case 'g': case 'G':
		mult = 1024 * 1024 * 1024;
		i++;
		break;
	case 't': case 'T':
		mult = (int64_t)1024 * 1024 * 1024 * 1024;
		i++;
		break;
	default:
		return HS_ERR_BAD_FORMAT;
	}
	if (mult > 1 && (s[i] == 'b' || s[i] == 'B'))
		i++;
	if (s[i] != '\0' || n > INT64_MAX / mult)
		return HS_ERR_BAD_FORMAT;
	*ret = (int64_t)n * mult;
	return 0;
}

int
config_parse_port(const char *s, int *ret)
{
	long long v;
	int r;

	if ((r = config_parse_int(s, 1, 65535, &v)) != 0)
		return r;
	*ret = (int)v;
	return 0;
}

int
config_parse_enum(const char *s, const struct config_enum *values, int *ret)
{
	size_t i;

	for (i = 0; values[i].name != NULL; i++) {
		if (strcasecmp(s, values[i].name) == 0) {
			*ret = values[i].value;
			return 0;
		}
	}
	return HS_ERR_BAD_FORMAT;
}

const char *
config_enum_name(const struct config_enum *values, int v)
{
	size_t i;

	for (i = 0; values[i].name != NULL; i++)
		if (!values[i].hidden && values[i].value == v)
			return values[i].name;
	return "UNKNOWN";
}

int
config_enum_expected(const struct config_enum *values, char **ret)
{
	char *names[64];
	size_t i, n = 0;

	for (i = 0; values[i].name != NULL && n < 64; i++)
		if (!values[i].hidden)
			names[n++] = (char *)(uintptr_t)values[i].name;
	return strv_join(names, n, ", ", ret);
}
