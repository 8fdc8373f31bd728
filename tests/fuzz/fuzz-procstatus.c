/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the /proc/PID/status parser the monitor runs on
 * its child's status text (parts of which, like the process name, the
 * child chooses).  A status that passes the check must really show the
 * sandbox.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/procstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procstatus ps;
	char *why = NULL;
	size_t i;
	int r, priv;

	uint32_t ppid = 0xffffffffu;

	r = procstatus_ppid((const char *)data, size, &ppid);
	/* A pid on success; nothing written otherwise. */
	if (r > 0 || (r == 0) != (ppid <= INT32_MAX))
		abort();
	if (procstatus_parse((const char *)data, size, &ps) != 0)
		return 0;
	for (priv = 0; priv <= 1; priv++) {
		r = procstatus_check(&ps, priv, 65534, 65534, &why);
		if ((r == 0) != (why == NULL))
			abort();
		if (r == 0) {
			if (ps.seen != 0x1ff || ps.seccomp != 2 ||
			    ps.no_new_privs != 1 || ps.cap_eff != 0 ||
			    ps.cap_prm != 0 || ps.cap_inh != 0 ||
			    ps.cap_amb != 0 || (priv && ps.cap_bnd != 0))
				abort();
			for (i = 0; priv && i < 4; i++)
				if (ps.uid[i] != 65534 || ps.gid[i] != 65534)
					abort();
		} else if (r != HS_ERR_SANDBOX && r != HS_ERR_ALLOC)
			abort();
		free(why);
		why = NULL;
	}
	return 0;
}
