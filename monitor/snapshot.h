/* SPDX-License-Identifier: ISC */
/*
 * The snapshot the listener hands each hsshd-monitor: the validated
 * configuration, the host keys (private parts included) and the logging
 * set-up.  Written by hsshd (root), read by hsshd-monitor (root) from the
 * inherited socketpair; parsed with struct buf all the same.
 */
#ifndef HS_SNAPSHOT_H
#define HS_SNAPSHOT_H

#include <stdbool.h>

#include "monitor/hostkey.h"

struct buf;
struct hs_config;

struct snapshot {
	struct hs_config	*cfg;
	struct hostkeys		 hk;
	int			 log_level;
	int			 log_facility;
	int			 log_mode;	/* enum log_mode */
};

int	snapshot_build(const struct hs_config *, const struct hostkeys *,
	    struct buf *out);
int	snapshot_send(int fd, const struct buf *snap);
/* Receive and parse; 0 or HS_ERR_*. */
int	snapshot_recv(int fd, struct snapshot *ret);
void	snapshot_free(struct snapshot *);

#endif
