/* SPDX-License-Identifier: ISC */
/* Helper start-up check, linked into hsshd-monitor, -preauth, -session. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/helper.h"
#include "common/rpc-msgs.h"

int
helper_check_args(int argc, char **argv)
{
	char version[16];
	struct stat st;

	snprintf(version, sizeof(version), "%d", RPC_PROTO_VERSION);
	if (argc < 3 || strcmp(argv[1], "-R") != 0) {
		fprintf(stderr, "%s: this is an internal program of hsshd; "
		    "it is started by hsshd, not by hand\n",
		    argc > 0 ? argv[0] : "hsshd helper");
		exit(1);
	}
	if (strcmp(argv[2], version) != 0) {
		fprintf(stderr, "%s: started with RPC protocol version %s, "
		    "but built for version %s: hsshd was upgraded; restart "
		    "it\n", argv[0], argv[2], version);
		exit(1);
	}
	if (fstat(HELPER_FD_B, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "%s: descriptor %d is not a socket: not "
		    "started by hsshd\n", argv[0], HELPER_FD_B);
		exit(1);
	}
	return 3;
}
