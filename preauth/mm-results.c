/* SPDX-License-Identifier: ISC */
/*
 * Freeing the results of the monitor's authentication answers (struct
 * mm_auth, struct mm_kbd), in hsshd-preauth.  Apart from the RPC calls
 * in monitor-client.c so the userauth tests and fuzzer, which fake those
 * calls, free results with this same code.  No input is read here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/authproto.h"
#include "preauth/monitor-client.h"

void
mm_auth_clear(struct mm_auth *res)
{
	free(res->methods);
	memset(res, 0, sizeof(*res));
}

void
mm_kbd_clear(struct mm_kbd *kbd)
{
	uint32_t i;

	free(kbd->name);
	free(kbd->instruction);
	for (i = 0; i < kbd->n && i < KBD_PROMPTS_MAX; i++)
		free(kbd->prompts[i]);
	mm_auth_clear(&kbd->result);
	memset(kbd, 0, sizeof(*kbd));
}
