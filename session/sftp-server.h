/* SPDX-License-Identifier: ISC */
/*
 * internal-sftp: sshd's built-in SFTP server (protocol version 3 with
 * OpenSSH's extensions).  hsshd-session forks a child for an
 * "internal-sftp" Subsystem, ForceCommand or key command=; the child runs
 * as the logged-in user with no capabilities (possibly chrooted) and
 * calls sftp_server_main() on the channel's pipes, so a chroot needs no
 * binaries.  Every request is attacker-controlled: the client is
 * authenticated but untrusted, and gets exactly the file system rights
 * of the user.  Logging goes through common/log.h (to the monitor).
 */
#ifndef HS_SESSION_SFTP_SERVER_H
#define HS_SESSION_SFTP_SERVER_H

struct buf;
struct sftp_server;

/*
 * Serve SFTP on in_fd/out_fd (may be the same descriptor) until the
 * client closes its side.  argv holds the words after "internal-sftp"
 * (argc of them), as sftp-server's flags: -d start_directory (%d home,
 * %u user, %% a percent sign), -e (log to stderr), -f facility, -l level
 * (default ERROR, as sftp-server), -P denied_requests, -p
 * allowed_requests (comma-separated patterns of request names), -Q
 * requests (print the request names and return), -R (read-only), -u
 * umask (octal).  user and home are the logged-in user's.  Returns the
 * exit status: 0 at the client's end of file, 1 on a usage or protocol
 * error.
 */
int	 sftp_server_main(int in_fd, int out_fd, int argc, char **argv,
	    const char *user, const char *home);

/*
 * The protocol engine without the descriptors (the loop above, the unit
 * tests and the fuzzer use it).  sftp_server_new parses argv as above
 * (only its settings; it changes nothing in the process) and returns
 * NULL after logging a usage error.
 */
struct sftp_server *sftp_server_new(int argc, char **argv, const char *user,
	    const char *home);
void	 sftp_server_free(struct sftp_server *);
/*
 * Serve each complete message (u32 length, body) at the front of in,
 * consuming it, while out has room for a largest reply (replies are
 * appended to out, framed).  Returns 0 when it needs more input or more
 * room in out, or HS_ERR_PROTOCOL when the client broke the protocol
 * (a length over SFTP_MSG_MAX, a request before INIT, a second INIT):
 * the session must end.
 */
int	 sftp_server_process(struct sftp_server *, struct buf *in,
	    struct buf *out);
/*
 * Tests only (the fuzzer): every path from the client goes through fn
 * first, which returns the path to use (heap, caller frees) or NULL to
 * refuse the request with PERMISSION_DENIED.
 */
typedef char *sftp_path_filter_fn(void *ctx, const char *path);
void	 sftp_server_set_path_filter(struct sftp_server *,
	    sftp_path_filter_fn *fn, void *ctx);

#endif
