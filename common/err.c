/* SPDX-License-Identifier: ISC */
/* Error strings; linked into every program. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/err.h"

const char *
hs_err_str(int r)
{
	if (r == HS_ERR_SYSTEM)
		return strerror(errno);
	switch (r) {
#define HS_ERR_CASE(name, val, str) case name: return str;
	HS_ERR_LIST(HS_ERR_CASE)
#undef HS_ERR_CASE
	}
	return "unknown error";
}
