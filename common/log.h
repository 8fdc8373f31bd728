/* SPDX-License-Identifier: ISC */
/*
 * Logging for every hsshd program: levels QUIET..DEBUG3 as in sshd, output
 * to syslog (facility configurable), to stderr (-e) or appended to a file
 * (-E).  Message text is escaped (control bytes become \ooo), so names a
 * peer chose cannot forge log lines.  Safe to call from anywhere except a
 * signal handler.  Never pass a secret to these functions.
 *
 * Every line of one connection carries the same tag, "IDENT[PID]", where
 * PID is the connection's monitor: the children route their lines through
 * the monitor with log_set_handler(), as sshd does, so fail2ban and a
 * person reading the log can follow one connection.
 */
#ifndef HS_LOG_H
#define HS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_FATAL,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_INFO,
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_DEBUG1,
	LOG_LEVEL_DEBUG2,
	LOG_LEVEL_DEBUG3,
	LOG_LEVEL_NOT_SET = -1,
};

/* Largest formatted message; longer ones are truncated. */
#define LOG_LINE_MAX	1024

typedef void log_handler_fn(enum log_level, const char *msg, void *ctx);

/*
 * ident: program name used as the syslog ident / line tag.
 * facility: a syslog LOG_* facility value (see log_facility_from_name).
 * to_stderr: log to standard error instead of syslog.
 */
void	 log_init(const char *ident, enum log_level level, int facility,
	    bool to_stderr);
/* Change the level or the facility after init (config reload). */
void	 log_set_level(enum log_level);
void	 log_set_facility(int facility);
enum log_level log_get_level(void);
/* Append lines to this file instead of syslog/stderr (sshd -E). 0 or -1. */
int	 log_set_file(const char *path);
/* Where lines go; a helper started with the parent's output on fd 2
 * continues in the same mode with log_set_mode_fd(mode, 2). */
enum log_mode { LOG_MODE_SYSLOG = 0, LOG_MODE_STDERR = 1, LOG_MODE_FILE = 2 };
enum log_mode log_get_mode(void);
/* The descriptor lines are written to (-1 for syslog). */
int	 log_get_fd(void);
void	 log_set_mode_fd(enum log_mode, int fd);
/* Use this PID in the tag instead of getpid() (children of a monitor). */
void	 log_set_tag_pid(long pid);
/* Route every line to fn instead of the output (NULL restores output). */
void	 log_set_handler(log_handler_fn *fn, void *ctx);
/* Called once by fatal() before the process exits with status 255. */
void	 log_set_fatal_cleanup(void (*fn)(void));
/* Emit an already formatted line, as received from a child (no escaping
 * beyond what the child did; the text is escaped again regardless). */
void	 log_emit(enum log_level, const char *msg);

/* Name <-> value, as in sshd_config.  Return LOG_LEVEL_NOT_SET / -1 if
 * unknown. */
enum log_level log_level_from_name(const char *);
const char	*log_level_name(enum log_level);
int		 log_facility_from_name(const char *);
const char	*log_facility_name(int);

bool	 log_would_log(enum log_level);

/*
 * LogVerbose: fn(tag, ctx) says whether a call site must be logged even
 * above the log level; tag is "file.c:function():line" as in sshd (the
 * file's base name).  Forced lines carry the tag instead of the function
 * name.  NULL turns it off.
 */
typedef bool log_verbose_fn(const char *tag, void *ctx);
void	 log_set_verbose(log_verbose_fn *fn, void *ctx);

/* Where a log call is: file, line, function, and whether the function
 * name prefixes the message ("_f" variants). */
#define LOG_SITE(showfunc)	__FILE__, __LINE__, __func__, (showfunc)

void	 log_msg(enum log_level, const char *file, int line, const char *func,
	    bool showfunc, int r, const char *fmt, ...)
	    __attribute__((format(printf, 7, 8)));
void	 log_vmsg(enum log_level, const char *file, int line,
	    const char *func, bool showfunc, int r, const char *fmt, va_list)
	    __attribute__((format(printf, 7, 0)));
void	 log_fatal(const char *file, int line, const char *func,
	    bool showfunc, int r, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 6, 7)));

/* Plain, "_f" prepends the function name, "_fr" also appends hs_err_str(r). */
#define logit(...)	log_msg(LOG_LEVEL_INFO, LOG_SITE(false), 0, __VA_ARGS__)
#define verbose(...)	log_msg(LOG_LEVEL_VERBOSE, LOG_SITE(false), 0, __VA_ARGS__)
#define error(...)	log_msg(LOG_LEVEL_ERROR, LOG_SITE(false), 0, __VA_ARGS__)
#define debug(...)	log_msg(LOG_LEVEL_DEBUG1, LOG_SITE(false), 0, __VA_ARGS__)
#define debug2(...)	log_msg(LOG_LEVEL_DEBUG2, LOG_SITE(false), 0, __VA_ARGS__)
#define debug3(...)	log_msg(LOG_LEVEL_DEBUG3, LOG_SITE(false), 0, __VA_ARGS__)
#define fatal(...)	log_fatal(LOG_SITE(false), 0, __VA_ARGS__)

#define logit_f(...)	log_msg(LOG_LEVEL_INFO, LOG_SITE(true), 0, __VA_ARGS__)
#define verbose_f(...)	log_msg(LOG_LEVEL_VERBOSE, LOG_SITE(true), 0, __VA_ARGS__)
#define error_f(...)	log_msg(LOG_LEVEL_ERROR, LOG_SITE(true), 0, __VA_ARGS__)
#define debug_f(...)	log_msg(LOG_LEVEL_DEBUG1, LOG_SITE(true), 0, __VA_ARGS__)
#define debug2_f(...)	log_msg(LOG_LEVEL_DEBUG2, LOG_SITE(true), 0, __VA_ARGS__)
#define debug3_f(...)	log_msg(LOG_LEVEL_DEBUG3, LOG_SITE(true), 0, __VA_ARGS__)
#define fatal_f(...)	log_fatal(LOG_SITE(true), 0, __VA_ARGS__)

#define error_r(r, ...)	 log_msg(LOG_LEVEL_ERROR, LOG_SITE(false), (r), __VA_ARGS__)
#define error_fr(r, ...) log_msg(LOG_LEVEL_ERROR, LOG_SITE(true), (r), __VA_ARGS__)
#define debug_fr(r, ...) log_msg(LOG_LEVEL_DEBUG1, LOG_SITE(true), (r), __VA_ARGS__)
#define fatal_r(r, ...)	 log_fatal(LOG_SITE(false), (r), __VA_ARGS__)
#define fatal_fr(r, ...) log_fatal(LOG_SITE(true), (r), __VA_ARGS__)

#endif
