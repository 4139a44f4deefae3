/*
 * log.c - Redis-style log lines to standard output or a log file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"

static char		 log_role = 'M';
static enum log_level	 log_level = LOG_NOTICE;
static char		*log_path;
static int		 log_fd = STDOUT_FILENO;

static const char *level_names[] = { "debug", "verbose", "notice", "warning", "nothing" };
static const char level_marks[] = ".-*#";

void log_set_role(char role) { log_role = role; }
void log_set_level(enum log_level level) { log_level = level; }
enum log_level log_get_level(void) { return log_level; }

const char *
log_level_name(enum log_level level)
{
	return level <= LOG_NOTHING ? level_names[level] : "notice";
}

int
log_parse_level(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	return -1;
}

static int
open_logfile(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int
log_set_file(const char *path)
{
	int fd = STDOUT_FILENO;

	if (path != NULL && *path != '\0') {
		fd = open_logfile(path);
		if (fd < 0)
			return -1;
	}
	if (log_fd != STDOUT_FILENO)
		close(log_fd);
	free(log_path);
	log_path = (path && *path) ? xstrdup(path) : NULL;
	log_fd = fd;
	return 0;
}

int
log_reopen(void)
{
	int fd;

	if (log_path == NULL)
		return 0;
	fd = open_logfile(log_path);
	if (fd < 0)
		return -1;
	close(log_fd);
	log_fd = fd;
	return 0;
}

static void log_write(enum log_level, bool, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_write(enum log_level level, bool prefix, const char *fmt, va_list ap)
{
	char line[8192];
	size_t n = 0;
	int r;

	if (level < log_level || level >= LOG_NOTHING)
		return;
	if (prefix) {
		struct timeval tv;
		struct tm tm;
		char when[64];

		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(when, sizeof when, "%d %b %Y %H:%M:%S", &tm);
		r = snprintf(line, sizeof line, "%d:%c %s.%03d %c ", (int)getpid(),
		    log_role, when, (int)(tv.tv_usec / 1000), level_marks[level]);
		n = r > 0 ? (size_t)r : 0;
	}
	r = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	if (r > 0)
		n += (size_t)r < sizeof line - n - 1 ? (size_t)r : sizeof line - n - 2;
	line[n++] = '\n';
	/* One write per line keeps lines whole when several processes share a file. */
	while (write(log_fd, line, n) < 0 && errno == EINTR)
		;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, true, fmt, ap);
	va_end(ap);
}

void
log_raw(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, false, fmt, ap);
	va_end(ap);
}

static void
libevent_log_cb(int severity, const char *msg)
{
	enum log_level l = LOG_DEBUG;

	if (severity == EVENT_LOG_WARN || severity == EVENT_LOG_ERR)
		l = LOG_WARNING;
	else if (severity == EVENT_LOG_MSG)
		l = LOG_VERBOSE;
	log_msg(l, "libevent: %s", msg);
}

void
log_hook_libevent(void)
{
	event_set_log_callback(libevent_log_cb);
}
