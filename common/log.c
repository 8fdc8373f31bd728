/* SPDX-License-Identifier: ISC */
/*
 * Logging back end shared by every program.  Input may contain bytes a peer
 * chose (user names, version strings): they are escaped before output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"

static const char *log_ident = "hsshd";
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_facility = LOG_AUTH;
static bool log_stderr = false;
static int log_fd = -1;
static long log_tag_pid;
static log_handler_fn *log_handler;
static void *log_handler_ctx;
static void (*log_fatal_cleanup)(void);
static bool log_in_handler;
static log_verbose_fn *log_verbose;
static void *log_verbose_ctx;

static const struct {
	const char *name;
	enum log_level level;
} log_levels[] = {
	{ "QUIET", LOG_LEVEL_QUIET },
	{ "FATAL", LOG_LEVEL_FATAL },
	{ "ERROR", LOG_LEVEL_ERROR },
	{ "INFO", LOG_LEVEL_INFO },
	{ "VERBOSE", LOG_LEVEL_VERBOSE },
	{ "DEBUG", LOG_LEVEL_DEBUG1 },
	{ "DEBUG1", LOG_LEVEL_DEBUG1 },
	{ "DEBUG2", LOG_LEVEL_DEBUG2 },
	{ "DEBUG3", LOG_LEVEL_DEBUG3 },
};

static const struct {
	const char *name;
	int facility;
} log_facilities[] = {
	{ "DAEMON", LOG_DAEMON },
	{ "USER", LOG_USER },
	{ "AUTH", LOG_AUTH },
	{ "AUTHPRIV", LOG_AUTHPRIV },
	{ "LOCAL0", LOG_LOCAL0 },
	{ "LOCAL1", LOG_LOCAL1 },
	{ "LOCAL2", LOG_LOCAL2 },
	{ "LOCAL3", LOG_LOCAL3 },
	{ "LOCAL4", LOG_LOCAL4 },
	{ "LOCAL5", LOG_LOCAL5 },
	{ "LOCAL6", LOG_LOCAL6 },
	{ "LOCAL7", LOG_LOCAL7 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum log_level
log_level_from_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NELEM(log_levels); i++)
		if (strcasecmp(name, log_levels[i].name) == 0)
			return log_levels[i].level;
	return LOG_LEVEL_NOT_SET;
}

const char *
log_level_name(enum log_level level)
{
	size_t i;

	for (i = 0; i < NELEM(log_levels); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return NULL;
}

int
log_facility_from_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NELEM(log_facilities); i++)
		if (strcasecmp(name, log_facilities[i].name) == 0)
			return log_facilities[i].facility;
	return -1;
}

const char *
log_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < NELEM(log_facilities); i++)
		if (log_facilities[i].facility == facility)
			return log_facilities[i].name;
	return NULL;
}

void
log_init(const char *ident, enum log_level level, int facility, bool to_stderr)
{
	if (ident != NULL)
		log_ident = ident;
	log_level = level;
	if (facility >= 0)
		log_facility = facility;
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_facility(int facility)
{
	if (facility < 0 || facility == log_facility)
		return;
	log_facility = facility;
	if (!log_stderr && log_fd == -1) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
	}
}

int
log_set_file(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
	return 0;
}

enum log_mode
log_get_mode(void)
{
	if (log_fd != -1)
		return LOG_MODE_FILE;
	return log_stderr ? LOG_MODE_STDERR : LOG_MODE_SYSLOG;
}

int
log_get_fd(void)
{
	if (log_fd != -1)
		return log_fd;
	return log_stderr ? STDERR_FILENO : -1;
}

void
log_set_mode_fd(enum log_mode mode, int fd)
{
	switch (mode) {
	case LOG_MODE_FILE:
		log_fd = fd;
		log_stderr = false;
		break;
	case LOG_MODE_STDERR:
		log_stderr = true;
		break;
	default:
		log_stderr = false;
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
		break;
	}
}

void
log_set_tag_pid(long pid)
{
	log_tag_pid = pid;
}

void
log_set_handler(log_handler_fn *fn, void *ctx)
{
	log_handler = fn;
	log_handler_ctx = ctx;
}

void
log_set_fatal_cleanup(void (*fn)(void))
{
	log_fatal_cleanup = fn;
}

bool
log_would_log(enum log_level level)
{
	return level != LOG_LEVEL_QUIET && level <= log_level;
}

/*
 * Copy src to dst escaping every byte that is not printable ASCII (and the
 * backslash itself) as \ooo.  Always NUL-terminates; truncates cleanly.
 */
static void
log_escape(char *dst, size_t dstlen, const char *src)
{
	static const char oct[] = "01234567";
	size_t o = 0;
	unsigned char c;

	for (; *src != '\0'; src++) {
		c = (unsigned char)*src;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = oct[(c >> 6) & 7];
			dst[o++] = oct[(c >> 3) & 7];
			dst[o++] = oct[c & 7];
		}
	}
	dst[o] = '\0';
}

static int
log_syslog_prio(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_FATAL:
		return LOG_CRIT;
	case LOG_LEVEL_ERROR:
		return LOG_ERR;
	case LOG_LEVEL_INFO:
	case LOG_LEVEL_VERBOSE:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

static void
log_output(enum log_level level, const char *msg)
{
	char line[(LOG_LINE_MAX + 256) * 4 + 512], stamp[64], host[256];
	long pid = log_tag_pid != 0 ? log_tag_pid : (long)getpid();
	struct tm tm;
	time_t now;
	int n;

	if (log_fd != -1) {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
			stamp[0] = '\0';
		if (gethostname(host, sizeof(host)) != 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s\n",
		    stamp, host, log_ident, pid, msg);
		if (n > 0)
			(void)write(log_fd, line,
			    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	} else if (log_stderr) {
		n = snprintf(line, sizeof(line), "%s[%ld]: %s\n",
		    log_ident, pid, msg);
		if (n > 0)
			(void)write(STDERR_FILENO, line,
			    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	} else
		syslog(log_facility | log_syslog_prio(level), "%s", msg);
}

static const char *
log_level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_FATAL:
		return "fatal: ";
	case LOG_LEVEL_ERROR:
		return "error: ";
	case LOG_LEVEL_DEBUG1:
		return "debug1: ";
	case LOG_LEVEL_DEBUG2:
		return "debug2: ";
	case LOG_LEVEL_DEBUG3:
		return "debug3: ";
	default:
		return "";
	}
}

void
log_emit(enum log_level level, const char *msg)
{
	char esc[(LOG_LINE_MAX + 256) * 4 + 1];

	if (!log_would_log(level))
		return;
	log_escape(esc, sizeof(esc), msg);
	/* A handler that logs must not recurse into itself. */
	if (log_handler != NULL && !log_in_handler) {
		log_in_handler = true;
		log_handler(level, esc, log_handler_ctx);
		log_in_handler = false;
		return;
	}
	log_output(level, esc);
}

void
log_set_verbose(log_verbose_fn *fn, void *ctx)
{
	log_verbose = fn;
	log_verbose_ctx = ctx;
}

void
log_vmsg(enum log_level level, const char *file, int line, const char *func,
    bool showfunc, int r, const char *fmt, va_list ap)
{
	char body[LOG_LINE_MAX], msg[LOG_LINE_MAX + 256], tag[128];
	const char *base, *prefix = showfunc ? func : NULL;
	int saved_errno = errno;
	bool forced = false;

	if (log_verbose != NULL && level != LOG_LEVEL_FATAL &&
	    log_level != LOG_LEVEL_QUIET) {
		base = strrchr(file, '/');
		snprintf(tag, sizeof(tag), "%.48s:%.48s():%d",
		    base != NULL ? base + 1 : file, func, line);
		if ((forced = log_verbose(tag, log_verbose_ctx))) {
			prefix = tag;
			/* Emitted (and passed to a handler) at the level in
			 * force, so the receiving end logs it too. */
			if (!log_would_log(level))
				level = log_level;
		}
	}
	if (!log_would_log(level))
		return;
	vsnprintf(body, sizeof(body), fmt, ap);
	if (prefix != NULL && r != 0)
		snprintf(msg, sizeof(msg), "%s%s: %s: %s",
		    log_level_prefix(level), prefix, body, hs_err_str(r));
	else if (prefix != NULL)
		snprintf(msg, sizeof(msg), "%s%s: %s",
		    log_level_prefix(level), prefix, body);
	else if (r != 0)
		snprintf(msg, sizeof(msg), "%s%s: %s",
		    log_level_prefix(level), body, hs_err_str(r));
	else
		snprintf(msg, sizeof(msg), "%s%s", log_level_prefix(level), body);
	log_emit(level, msg);
	errno = saved_errno;
}

void
log_msg(enum log_level level, const char *file, int line, const char *func,
    bool showfunc, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, file, line, func, showfunc, r, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *file, int line, const char *func, bool showfunc, int r,
    const char *fmt, ...)
{
	static int in_fatal;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_FATAL, file, line, func, showfunc, r, fmt, ap);
	va_end(ap);
	if (log_fatal_cleanup != NULL && in_fatal++ == 0)
		log_fatal_cleanup();
	exit(255);
}
