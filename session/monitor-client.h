/* SPDX-License-Identifier: ISC */
/*
 * hsshd-session's requests to its monitor (hsshd-monitor, root), over the
 * RPC socket on fd 4.  Each request expects exactly its answer type;
 * anything else from the monitor is fatal.  The bodies (answers are the
 * request type + 1):
 *
 *  RPC_LOG            u8 level, string text (at most LOG_LINE_MAX); no
 *                     answer
 *  RPC_KEX_REKEY,     see common/kexdrv-rpc.c
 *  RPC_KEX_SIGN
 *  RPC_PTY_OPEN       empty -> string tty name ("/dev/pts/N"), with the
 *                     master by SCM_RIGHTS; an empty name and no fd when
 *                     the monitor could not open one
 *  RPC_PTY_CLOSE      string tty name -> empty
 *  RPC_SESSION_EVENT  u8 event (SESS_EVENT_*), string tty name, u32 pid
 *                     of the child on it -> empty
 *  RPC_TERMINATE      u32 status (enum helper_exit); no answer
 */
#ifndef HS_SESSION_MONITOR_CLIENT_H
#define HS_SESSION_MONITOR_CLIENT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "common/mm-client.h"

struct buf;
struct session_init;

#define SESS_EVENT_LOGIN	1	/* utmp/wtmp/lastlog login */
#define SESS_EVENT_LOGOUT	2	/* utmp/wtmp logout */

/* mm_init, mm_fd, mm_call, mm_log_handler: common/mm-client.h. */
/* Receive RPC_SESSION_INIT (fatal if anything else comes) and the
 * descriptor that came with it (*ret_fd; -1 if none). */
struct session_init *mm_session_init(int *ret_fd);
/* RPC_KEX_REKEY and RPC_KEX_SIGN: common/kexdrv-rpc.c on mm_fd(). */
/* A pty master and its name; 0, or HS_ERR_NOT_FOUND if the monitor
 * could not open one. */
int	 mm_pty_open(int *ret_master, char *name, size_t namelen);
void	 mm_pty_close(const char *name);
void	 mm_session_event(uint8_t event, const char *tty, pid_t pid);
/* The session is over (no answer). */
void	 mm_terminate(uint32_t status);

#endif
