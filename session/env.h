/* SPDX-License-Identifier: ISC */
/*
 * The environment of a session's children, in hsshd-session (the
 * logged-in user).  Inputs: the monitor's SESSION_INIT (trusted), the
 * configuration, and the client's accepted "env" requests and TERM
 * (attacker-controlled strings, already bounded by the parsers).
 */
#ifndef HS_SESSION_ENV_H
#define HS_SESSION_ENV_H

#include <stdbool.h>
#include <stddef.h>

struct hs_config;
struct session_init;

#define SESS_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin:/usr/games"
#define SESS_DEFAULT_SUPATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SESS_LOGIN_DEFS		"/etc/login.defs"
#define SESS_MAILDIR		"/var/mail"

/* A NULL-terminated vector of "NAME=value" under construction.  The
 * functions are fatal on allocation failure (process code). */
struct envv {
	char	**v;
	size_t	  n, cap;
};
void	 envv_init(struct envv *);
/* Set NAME to value, replacing an earlier setting of NAME. */
void	 envv_set(struct envv *, const char *name, const char *value);
/* The same from "NAME=value"; entries without '=' (or with an empty
 * NAME) are ignored. */
void	 envv_put(struct envv *, const char *entry);
/* The value of NAME, or NULL. */
const char *envv_get(const struct envv *, const char *name);
/* Hand the vector over (caller frees with envv_free_vec). */
char	**envv_take(struct envv *);
void	 envv_free(struct envv *);
void	 envv_free_vec(char **);

/*
 * The PATH of /etc/login.defs text: the last ENV_SUPATH line for the
 * superuser, ENV_PATH otherwise, with or without its "PATH=" prefix.
 * *ret is a heap string (caller frees).  Returns 0, HS_ERR_NOT_FOUND (no
 * such line, or an empty value), or a txt error for a malformed line.
 */
int	 logindefs_path(const char *text, size_t len, bool superuser,
	    char **ret);
/* logindefs_path() of a file (at most SESS_LOGIN_DEFS_MAX bytes read), or
 * the built-in default.  Never NULL; caller frees. */
char	*sess_default_path(const char *file, bool superuser);

struct sess_env_in {
	const struct session_init *si;
	const struct hs_config	*cfg;
	const char		*path;		/* PATH */
	const char		*term;		/* TERM; NULL without a pty */
	const char		*tty;		/* SSH_TTY; NULL without a pty */
	const char		*original_command; /* with ForceCommand */
	char *const		*client_env;	/* accepted "NAME=value" */
	size_t			 nclient_env;
	/* authorized_keys environment="NAME=value" (only applied when
	 * PermitUserEnvironment allows the name). */
	char *const		*key_env;
	size_t			 nkey_env;
	/* Forwarding (session/x11.c, session/agent.c): DISPLAY and
	 * SSH_AUTH_SOCK; NULL when not forwarded. */
	const char		*display;
	const char		*auth_sock;
};

/*
 * The children's environment, in sshd's order: the client's accepted
 * variables first, then (each overriding what came before) USER,
 * LOGNAME, HOME, SHELL, PATH, MAIL (only without UsePAM, as sshd:
 * pam_mail's otherwise), the key's environment= (if
 * PermitUserEnvironment is yes or its pattern list names it), the PAM
 * environment without LD_* and SSH_* names, the configuration's SetEnv
 * (the first setting of a name wins), and TERM, SSH_CLIENT,
 * SSH_CONNECTION, SSH_TTY, SSH_ORIGINAL_COMMAND, DISPLAY and
 * SSH_AUTH_SOCK.  Caller frees with envv_free_vec.
 */
char	**sess_env_build(const struct sess_env_in *);

/*
 * The text an interactive login shows before the motd (unless
 * ~/.hushlogin): the PAM messages of si, then, if print_lastlog and si
 * has a previous login, "Last login: <ctime-like local time>[ from
 * <host>]\r\n" as sshd prints it.  NULL when there is nothing; caller
 * frees.
 */
char	*sess_login_message(const struct session_init *, bool print_lastlog);

#endif
