/*
 * emit.h - the one way an event leaves the sentinel: a log line, a pub/sub
 * message on the channel named after the event, and (warning level, with an
 * instance) the master's notification script. The three never disagree.
 */
#ifndef SENTINEL_EMIT_H
#define SENTINEL_EMIT_H

#include "log.h"

struct instance;

/*
 * Emit an event. With ri the message starts with ri's description as Redis
 * prints it ("master mymaster 127.0.0.1 6379", or "slave 127.0.0.1:6380
 * 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"), then a space and the
 * formatted rest when fmt is not empty. Level LOG_DEBUG events are logged
 * but not published.
 */
void	emit_event(enum log_level level, const char *type, struct instance *ri,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
