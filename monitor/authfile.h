/* SPDX-License-Identifier: ISC */
/*
 * The monitor's reader of AuthorizedKeysFile: finds the line that lets a
 * public key log in, with sshd's StrictModes checks.  Runs in
 * hsshd-monitor as root; the file, its contents and every directory the
 * user owns on its path are the user's to shape, so the lookup is done
 * component by component on open descriptors (no path is looked up
 * twice) and the text goes through policy/authkeys.
 *
 * Path lookup: each component is opened with O_PATH|O_NOFOLLOW relative to
 * the directory before it and fstat'ed; symbolic links are read and
 * followed by this code (at most AUTHFILE_SYMLINKS_MAX), so every check
 * applies to the object the next step really goes through.  The file is
 * opened O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC only once it is known to
 * be a regular file, and must be the same inode.  Like sshd, which opens
 * the file as the user, the lookup refuses what the user could not reach
 * or read by the mode bits (owner, primary and supplementary groups,
 * other; ACLs are not consulted), so a user cannot have the monitor read,
 * and quote in log lines, a file the user may not read.
 *
 * StrictModes (sshd's safe_path): the file must be owned by root or the
 * user and not be group- or world-writable; so must each directory of its
 * canonical path from the file's directory upwards, up to and including
 * the user's home directory when the file lies below it (the directories
 * above the home directory are not checked), else up to "/".
 */
#ifndef HS_MONITOR_AUTHFILE_H
#define HS_MONITOR_AUTHFILE_H

#include <pwd.h>
#include <stdbool.h>
#include <time.h>

struct authkey_opts;
struct key;

/* Called for each line that is skipped (it does not parse) or refused
 * (its key matched but its options refuse it); why says which. */
typedef void authfile_skip_fn(const char *file, unsigned long line,
    const char *why, void *ctx);

/*
 * Whether the AuthorizedKeysFile at path lists wanted for this user and
 * connection.  A relative path is taken relative to pw->pw_dir, as sshd
 * does.  remote_host is the name from reverse DNS, or the address text
 * when UseDNS is off.  skip_cb may be NULL.
 *
 * Returns 0 and *ret_opts (the caller's) for the first line whose key
 * equals wanted and whose expiry-time, principals= and from= let it be
 * used; HS_ERR_NOT_FOUND when no line does, or the file does not exist;
 * HS_ERR_FILE_UNSAFE when the file is not a regular file, is changed
 * during the lookup, or fails StrictModes; HS_ERR_TOO_LONG when it is
 * larger than AUTHKEYS_FILE_MAX; HS_ERR_SYSTEM for any other failure to
 * reach or read it (errno is set).  On every failure *ret_why is either
 * NULL or a reason to log (caller frees): "bad ownership or modes for
 * directory /home/u", "could not open /home/u/.ssh/authorized_keys: No
 * such file or directory", or for HS_ERR_NOT_FOUND the last refused
 * matching line ("/home/u/.ssh/authorized_keys:3: key expired").
 * Suggested levels, as sshd: HS_ERR_NOT_FOUND debug (verbose for a
 * refused line), the others "Authentication refused: WHY".
 */
int	 authfile_find_key(const char *path, const struct passwd *pw,
	    bool strict_modes, const struct key *wanted, const char *remote_ip,
	    const char *remote_host, time_t now, authfile_skip_fn *skip_cb,
	    void *skip_ctx, struct authkey_opts **ret_opts, char **ret_why);

/*
 * The work authfile_find_key does, for a user that does not exist, so the
 * time an answer takes does not tell whether a user name is valid: a
 * lookup of the path AUTHFILE_DUMMY_PATH (normally missing, as a valid
 * user's file can be; if it exists it is read, but nothing in it is ever
 * accepted), then a parse of one built-in key line and a comparison of
 * its key with wanted, which is what a user with a one-key file costs.
 * Call it once for each AuthorizedKeysFile entry where a valid user's
 * request would call authfile_find_key; the monitor's failure delay
 * covers what remains (the size of a real user's file).
 */
#define AUTHFILE_DUMMY_PATH	"/nonexistent/.ssh/authorized_keys"
void	 authfile_dummy_work(const struct key *wanted);

#endif
