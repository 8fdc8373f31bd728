/* SPDX-License-Identifier: ISC */
/*
 * Starting a session's child (shell, command, subsystem), in
 * hsshd-session (the logged-in user): the real struct sess_ops spawn
 * callback.  Its inputs were checked by the channel layer.
 */
#ifndef HS_SESSION_EXEC_H
#define HS_SESSION_EXEC_H

struct spawn_req;
struct spawn_ret;

/*
 * fork + exec of req->shell as a login shell ("-bash") or with
 * "-c command", in a new session (setsid: the child leads its process
 * group, for "signal"), with the pty slave as controlling terminal and
 * stdin/out/err, or with three pipes.  In the child: default signal
 * dispositions and an empty mask, every descriptor above 2 closed, the
 * working directory home (or "/" after the message "Could not chdir to
 * home directory X: reason" on its stderr, silently if req->chrooted),
 * req->login_msg and /etc/motd (if req->motd) first unless ~/.hushlogin
 * exists, then the rc file (req->rc: ~/.ssh/rc through the shell if
 * req->user_rc and it exists, else /etc/ssh/sshrc with /bin/sh), waited
 * for.  Returns 0 or HS_ERR_SYSTEM.
 */
int	exec_spawn(void *ctx, const struct spawn_req *req,
	    struct spawn_ret *ret);

#endif
