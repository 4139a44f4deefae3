/* Stand-ins for monitor.c, sconf.c, emit.c and script.c: test_commands checks the command layer alone. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "emit.h"
#include "instance.h"
#include "monitor.h"
#include "resp.h"
#include "sconf.h"
#include "script.h"

struct sconf sconf;
char	stub_events[4096];
int	stub_flush_rv;

void monitor_master_added(struct instance *m) { (void)m; }
void monitor_forget(struct instance *i) { (void)i; }
void monitor_reset_master(struct instance *m) { (void)m; }
void monitor_process_hello(const char *msg, size_t len) { (void)msg; (void)len; }
int monitor_flush_config(void) { return stub_flush_rv; }
bool monitor_link_connected(const struct instance *i) { return !(i->flags & INST_DISCONNECTED); }
int monitor_link_pending(const struct instance *i) { return (i->flags & INST_DISCONNECTED) ? 3 : 0; }
int monitor_link_refcount(const struct instance *i) { (void)i; return 1; }
size_t
monitor_reachable(struct instance *const *list, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !(list[i]->flags & (INST_S_DOWN | INST_DISCONNECTED));
	return k;
}
void monitor_drop_links(struct instance *m) { (void)m; }
void monitor_drop_sentinel_links(void) { }
void monitor_flush_pending(void) { }
void monitor_rescan(void) { }
void monitor_config_sync(void) { (void)monitor_flush_config(); }
void sconf_forget_master(const struct instance *m) { (void)m; }
size_t
sconf_config_get(const char *pattern, struct buf *out)
{
	(void)pattern;
	resp_bulk_str(out, "resolve-hostnames");
	resp_bulk_str(out, "no");
	return 1;
}
int
sconf_config_set(const char *param, const char *value, const char **err)
{
	(void)value;
	if (strcmp(param, "announce-port") != 0) {
		*err = "ERR Invalid argument";
		return -1;
	}
	return 0;
}
int
sconf_master_set(struct instance *m, int argc, char **argv, int *used, const char **err)
{
	if (argc >= 2 && strcmp(argv[0], "quorum") == 0) {
		m->quorum = (unsigned)atoi(argv[1]);
		*used = 2;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[0], "auth-pass") == 0) {
		*used = 2;
		return SCONF_SET_DROP_LINKS;
	}
	*err = "ERR Unknown option or number of arguments for SENTINEL SET 'x'";
	return -1;
}
void
emit_event(enum log_level level, const char *type, struct instance *ri,
    const char *fmt, ...)
{
	char rest[512] = "";
	va_list ap;
	size_t n = strlen(stub_events);

	(void)level;
	va_start(ap, fmt);
	vsnprintf(rest, sizeof rest, fmt, ap);
	va_end(ap);
	snprintf(stub_events + n, sizeof stub_events - n, "%s %s %s%s%s\n", type,
	    ri ? "master" : "", ri ? ri->name : "", rest[0] ? " " : "", rest);
}
int script_running(void) { return 0; }
int script_queued(void) { return 0; }
void script_pending_reply(struct client *c) { client_array(c, 0); }

#include "failover.h"

void
failover_vote(struct instance *m, const char *runid, uint64_t epoch, const char **leader,
    uint64_t *leader_epoch)
{
	(void)m; (void)runid; (void)epoch;
	*leader = "*";
	*leader_epoch = 0;
}

int
failover_force(struct instance *m, const char *ip, int port, const char **err)
{
	(void)m; (void)ip; (void)port;
	*err = "-NOGOODSLAVE No suitable replica to promote";
	return -1;
}
