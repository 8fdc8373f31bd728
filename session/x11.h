/* SPDX-License-Identifier: ISC */
/*
 * X11 forwarding ("x11-req", RFC 4254 §6.3) in hsshd-session, which runs
 * as the logged-in user without capabilities.  The request's payload is
 * attacker-controlled: chanmsg_x11_req() (session/chanmsg-x11.c, a pure
 * parser) reads and validates it.  The rest (session/x11.c) is process
 * code: it binds the display's listening sockets (TCP port 6000 + N, as
 * sshd), builds the xauth(1) input that installs the client's cookie, and
 * opens an "x11" channel towards the client for each X client that
 * connects.  What may be done is sshd's rule: X11Forwarding,
 * DisableForwarding, the key's no-x11-forwarding, and an existing
 * XAuthLocation.
 */
#ifndef HS_SESSION_X11_H
#define HS_SESSION_X11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct conn;
struct spawn_req;
struct x11_fwd;

/*
 * "x11-req": single-connection (boolean), authentication protocol,
 * authentication cookie (hex), screen number; the payload positioned
 * after the fields every channel request shares.  Returns 0 (ret filled,
 * free with chanmsg_x11_free), HS_ERR_BAD_FORMAT when the fields are
 * well-formed on the wire but their contents are not acceptable (the
 * request fails, as in sshd: a protocol name that is not X11_PROTO_MAX
 * bytes of letters, digits and "-_.:/", a cookie that is not an even
 * number of hex digits, at most X11_COOKIE_HEX_MAX), or another HS_ERR_*
 * for a malformed payload (a protocol error).  The cookie is a credential:
 * chanmsg_x11_free wipes it.
 */
struct chanmsg_x11 {
	bool		 single;
	char		*proto;
	char		*cookie;
	uint32_t	 screen;
};
int	 chanmsg_x11_req(struct buf *, struct chanmsg_x11 *ret);
void	 chanmsg_x11_free(struct chanmsg_x11 *);
/* The validity rules chanmsg_x11_req applies, on len bytes at s. */
bool	 x11_proto_is_valid(const char *s, size_t len);
bool	 x11_cookie_is_valid(const char *s, size_t len);

/*
 * Bind a display's listening sockets (non-blocking, close-on-exec): for
 * N from offset to X11_DISPLAY_MAX - 1, TCP port 6000 + N on loopback
 * (127.0.0.1 and, where the host has it, ::1) if localhost, else on every
 * address (0.0.0.0 and ::); a display where any address is in use is
 * skipped, as sshd does.  At most maxfds sockets go to fds.  Returns 0
 * (*ret_nfds sockets, display *ret_display), HS_ERR_NOT_FOUND when no
 * display is free, or HS_ERR_SYSTEM.
 */
int	 x11_listen_display(unsigned int offset, bool localhost, int *fds,
	    size_t maxfds, size_t *ret_nfds, unsigned int *ret_display);

/*
 * The names sshd gives a display (heap strings; caller frees): DISPLAY
 * ("localhost:N.S", or "<hostname>:N.S" when not localhost) and the
 * display xauth entries are for ("unix:N.S", or "<hostname>/unix:N.S").
 */
char	*x11_display_name(bool localhost, const char *hostname,
	    unsigned int display, unsigned int screen);
char	*x11_auth_display(bool localhost, const char *hostname,
	    unsigned int display, unsigned int screen);
/*
 * xauth(1) input, as sshd writes it to "xauth -q -": install removes any
 * old entry and adds proto and cookie; uninstall removes the entry.  The
 * texts hold the cookie: free them with freezero_str.
 */
char	*x11_xauth_install_text(const char *auth_display, const char *proto,
	    const char *cookie);
char	*x11_xauth_remove_text(const char *auth_display);

/*
 * The session-channel request "x11-req" for session channel chan_id:
 * *xp is the session's forwarding (NULL until one is set up; a second
 * request fails, as do requests after the session started).  On
 * success the listeners are in c's poll set and *ok is true.  Returns 0
 * or HS_ERR_PROTOCOL (malformed payload).
 */
int	 x11_request(struct conn *, uint32_t chan_id, bool started,
	    struct buf *payload, struct x11_fwd **xp, bool *ok);
/* DISPLAY for the session's children, or NULL without forwarding. */
const char *x11_display(const struct x11_fwd *);
/*
 * Fill req's X11 fields (the rc file's stdin line, the xauth program
 * and its input) for a child about to start, and remember from env
 * what the removal at the end needs (HOME, XAUTHORITY, PATH).  x may be
 * NULL (nothing to do).  The strings stay valid until x11_end.
 */
void	 x11_prepare_spawn(struct x11_fwd *, struct spawn_req *req,
	    char *const *env);
/*
 * The session is over: close the listeners, remove the cookie with
 * xauth (if a child was started) and free.  NULL is a no-op.
 */
void	 x11_end(struct conn *, struct x11_fwd *);

#endif
