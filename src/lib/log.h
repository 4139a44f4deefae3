/*
 * log.h - Redis-style log lines: "pid:R dd Mon yyyy hh:mm:ss.mmm * message".
 */
#ifndef SENTINEL_LOG_H
#define SENTINEL_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_DEBUG = 0,
	LOG_VERBOSE,
	LOG_NOTICE,
	LOG_WARNING,
	LOG_NOTHING,	/* loglevel "nothing": log no line at all */
};

/* Role character in each line: 'M' master, 'S' replica, 'X' sentinel, 'C' child. */
void	log_set_role(char role);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "" or NULL is standard output. Returns -1 (errno set) if the file cannot be opened. */
int	log_set_file(const char *path);
/* SIGHUP: reopen the log file so that logrotate can move it away. */
int	log_reopen(void);
/* Parse "debug|verbose|notice|warning|nothing"; -1 if unknown. */
int	log_parse_level(const char *s);
const char *log_level_name(enum log_level level);
/* Routes libevent's own messages into our log. */
void	log_hook_libevent(void);

void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Without the prefix: used for the start-up banner. */
void	log_raw(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...)		log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_verbose(...)	log_msg(LOG_VERBOSE, __VA_ARGS__)
#define log_notice(...)		log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...)	log_msg(LOG_WARNING, __VA_ARGS__)

#endif
