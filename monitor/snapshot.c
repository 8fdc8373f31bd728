/* SPDX-License-Identifier: ISC */
/*
 * Listener -> monitor snapshot (see snapshot.h).  The body is SSH wire
 * types: u32 version, u8 log level, u32 facility, u8 log mode, string
 * configuration, u32 key count, then per key string path and string
 * openssh-key-v1 private key text.  Buffers holding it are wiped on free.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rpc.h"
#include "monitor/snapshot.h"
#include "policy/config.h"

int
snapshot_build(const struct hs_config *cfg, const struct hostkeys *hk,
    struct buf *out)
{
	struct buf *cb = NULL, *kb = NULL;
	size_t i;
	int r;

	if ((cb = buf_new()) == NULL || (kb = buf_new()) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = config_serialize(cfg, cb)) != 0)
		goto out;
	if ((r = buf_put_u32(out, RPC_PROTO_VERSION)) != 0 ||
	    (r = buf_put_u8(out, (uint8_t)log_get_level())) != 0 ||
	    (r = buf_put_u32(out, (uint32_t)cfg->syslog_facility)) != 0 ||
	    (r = buf_put_u8(out, (uint8_t)log_get_mode())) != 0 ||
	    (r = buf_put_stringb(out, cb)) != 0 ||
	    (r = buf_put_u32(out, (uint32_t)hk->nkeys)) != 0)
		goto out;
	for (i = 0; i < hk->nkeys; i++) {
		buf_reset(kb);
		if ((r = key_format_private(hk->keys[i].key, "", kb)) != 0 ||
		    (r = buf_put_cstring(out, hk->keys[i].path)) != 0 ||
		    (r = buf_put_stringb(out, kb)) != 0)
			goto out;
	}
 out:
	buf_free(cb);
	buf_free(kb);
	return r;
}

int
snapshot_send(int fd, const struct buf *snap)
{
	return rpc_send(fd, RPC_SNAPSHOT, snap, -1);
}

int
snapshot_recv(int fd, struct snapshot *ret)
{
	struct buf *b = NULL;
	const uint8_t *p;
	struct key *k;
	uint32_t version, facility, nkeys, i;
	uint8_t type, level, mode;
	size_t len;
	char *path = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	if ((r = rpc_recv(fd, RPC_STATE_MAX, &type, &b, NULL)) != 0)
		return r;
	if (type != RPC_SNAPSHOT) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	if ((r = buf_get_u32(b, &version)) != 0 ||
	    (r = buf_get_u8(b, &level)) != 0 ||
	    (r = buf_get_u32(b, &facility)) != 0 ||
	    (r = buf_get_u8(b, &mode)) != 0)
		goto out;
	if (version != RPC_PROTO_VERSION || level > LOG_LEVEL_DEBUG3 ||
	    mode > LOG_MODE_FILE) {
		r = HS_ERR_PROTOCOL;
		goto out;
	}
	ret->log_level = level;
	ret->log_facility = (int)facility;
	ret->log_mode = mode;
	if ((r = buf_get_string_direct(b, RPC_STATE_MAX, &p, &len)) != 0 ||
	    (r = config_deserialize(p, len, &ret->cfg)) != 0 ||
	    (r = buf_get_u32(b, &nkeys)) != 0)
		goto out;
	if (nkeys > CONFIG_HOSTKEYS_MAX) {
		r = HS_ERR_TOO_LONG;
		goto out;
	}
	ret->hk.keys = xcalloc(nkeys > 0 ? nkeys : 1, sizeof(*ret->hk.keys));
	for (i = 0; i < nkeys; i++) {
		if ((r = buf_get_cstring(b, 4096, &path, NULL)) != 0 ||
		    (r = buf_get_string_direct(b, KEY_FILE_MAX, &p, &len)) != 0)
			goto out;
		if ((r = key_parse_private(p, len, &k, NULL)) != 0)
			goto out;
		ret->hk.keys[i].path = path;
		path = NULL;
		ret->hk.keys[i].key = k;
		if ((r = key_fingerprint(k, &ret->hk.keys[i].fingerprint)) != 0)
			goto out;
		ret->hk.nkeys++;
	}
	r = buf_get_end(b);
 out:
	free(path);
	buf_free(b);
	if (r != 0)
		snapshot_free(ret);
	return r;
}

void
snapshot_free(struct snapshot *s)
{
	config_free(s->cfg);
	hostkeys_free(&s->hk);
	memset(s, 0, sizeof(*s));
}
