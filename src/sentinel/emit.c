/*
 * emit.c - events: log line, pub/sub message, notification script.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "history.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "pubsub.h"
#include "script.h"
#include "stats.h"
#include "util.h"

/* "master mymaster 127.0.0.1 6379" or "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379". */
static void
describe(struct buf *b, const struct instance *ri)
{
	static const char *types[] = { "?", "master", "slave", "?", "sentinel" };
	const char *type = types[ri->type <= INST_SENTINEL ? ri->type : 0];
	const char *addr = sentinel.announce_hostnames && ri->host ? ri->host : ri->ip;

	buf_appendf(b, "%s %s %s %d", type, ri->name, addr ? addr : "?", ri->port);
	if (ri->master != NULL) {
		const struct instance *m = ri->master;
		const char *maddr = sentinel.announce_hostnames && m->host ? m->host : m->ip;

		buf_appendf(b, " @ %s %s %d", m->name, maddr ? maddr : "?", m->port);
	}
}

void
emit_event(enum log_level level, const char *type, struct instance *ri,
    const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	struct buf rest = BUF_INIT;

	if (ri != NULL)
		describe(&msg, ri);
	if (fmt != NULL && *fmt != '\0') {
		va_start(ap, fmt);
		buf_vappendf(&rest, fmt, ap);
		va_end(ap);
	}
	if (rest.len > 0) {
		if (ri != NULL)
			buf_appendc(&msg, ' ');
		buf_append(&msg, rest.data, rest.len);
	}
	buf_free(&rest);
	log_msg(level, "%s %s", type, msg.data ? msg.data : "");
	if (level != LOG_DEBUG) {
		pubsub_publish(type, strlen(type), msg.data ? msg.data : "", msg.len);
		stats_event(type);
	}
	history_event(type, ri, util_wall_ms(), loop_now_ms());
	/* Warnings about an instance run its master's notification script. */
	if (level == LOG_WARNING && ri != NULL) {
		const struct instance *m = ri->type == INST_MASTER ? ri : ri->master;

		if (m != NULL && m->notification_script != NULL)
			script_queue(m->notification_script, type, msg.data ? msg.data : "", NULL);
	}
	buf_free(&msg);
}
