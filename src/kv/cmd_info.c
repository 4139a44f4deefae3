/*
 * cmd_info.c - INFO, with Redis 7.0's sections and field names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "client.h"
#include "loop.h"
#include "persist.h"
#include "pubsub.h"
#include "repl.h"
#include "resp.h"
#include "server.h"
#include "util.h"

static size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

static void
human(char *out, size_t n, double v)
{
	const char *units = "BKMGT";
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0fB", v);
	else
		snprintf(out, n, "%.2f%c", v, units[u]);
}

static void
section_server(struct buf *b)
{
	struct utsname un;
	int64_t up = (loop_now_ms() - srv.start_ms) / 1000;

	uname(&un);
	buf_appendf(b, "# Server\r\nredis_version:%s\r\nredis_git_sha1:00000000\r\n"
	    "redis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\n"
	    "os:%s %s %s\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\n"
	    "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\n"
	    "process_id:%d\r\nprocess_supervised:%s\r\nrun_id:%s\r\ntcp_port:%d\r\n"
	    "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
	    "hz:%lld\r\nconfigured_hz:%lld\r\nlru_clock:%lld\r\nexecutable:%s\r\n"
	    "config_file:%s\r\nio_threads_active:0\r\nsentinel_kv_version:%s\r\n",
	    KV_REDIS_VERSION, un.sysname, un.release, un.machine, (int)getpid(),
	    srv.supervised ? "systemd" : "no", srv.runid, srv.port,
	    (long long)util_wall_us(), (long long)up, (long long)(up / 86400),
	    srv.hz, srv.hz, (long long)((util_wall_ms() / 1000) & 0xffffff),
	    srv.executable ? srv.executable : "", srv.configfile ? srv.configfile : "",
	    KV_VERSION);
}

static void
section_clients(struct buf *b)
{
	struct client *c;
	size_t maxin = 0, maxout = 0, pubsub = 0;

	TAILQ_FOREACH(c, client_all(), entry) {
		if (c->query.cap > maxin)
			maxin = c->query.cap;
		if (c->reply.cap > maxout)
			maxout = c->reply.cap;
		if (pubsub_total(c) > 0)
			pubsub++;
	}
	buf_appendf(b, "# Clients\r\nconnected_clients:%zu\r\ncluster_connections:0\r\n"
	    "maxclients:%lld\r\nclient_recent_max_input_buffer:%zu\r\n"
	    "client_recent_max_output_buffer:%zu\r\nblocked_clients:0\r\n"
	    "tracking_clients:0\r\nclients_in_timeout_table:0\r\n",
	    client_count(), srv.maxclients, maxin, maxout);
}

static void
section_memory(struct buf *b)
{
	size_t rss = rss_bytes(), used = 0;
	char h1[32], h2[32];

	for (int i = 0; i < DB_COUNT; i++)
		used += hmap_memory(&dbs[i].keys) + dbs[i].keys.count * 64;
	human(h1, sizeof h1, (double)used);
	human(h2, sizeof h2, (double)rss);
	buf_appendf(b, "# Memory\r\nused_memory:%zu\r\nused_memory_human:%s\r\n"
	    "used_memory_rss:%zu\r\nused_memory_rss_human:%s\r\nused_memory_peak:%zu\r\n"
	    "maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n"
	    "mem_fragmentation_ratio:%.2f\r\nmem_allocator:libc\r\n",
	    used, h1, rss, h2, used, used ? (double)rss / (double)used : 0.0);
}

static void
section_stats(struct buf *b)
{
	buf_appendf(b, "# Stats\r\ntotal_connections_received:%lld\r\n"
	    "total_commands_processed:%lld\r\ninstantaneous_ops_per_sec:0\r\n"
	    "total_net_input_bytes:%lld\r\ntotal_net_output_bytes:%lld\r\n"
	    "rejected_connections:%lld\r\nsync_full:%lld\r\nsync_partial_ok:%lld\r\n"
	    "sync_partial_err:%lld\r\nexpired_keys:%lld\r\nevicted_keys:0\r\n"
	    "keyspace_hits:%lld\r\nkeyspace_misses:%lld\r\npubsub_channels:%zu\r\n"
	    "pubsub_patterns:%zu\r\nlatest_fork_usec:0\r\ntotal_forks:%lld\r\n",
	    srv.stat_conns, srv.stat_commands, srv.stat_net_in, srv.stat_net_out,
	    srv.stat_rejected, srv.stat_sync_full, srv.stat_sync_partial_ok,
	    srv.stat_sync_partial_err, db_stat_expired - srv.stat_expired_at_reset,
	    db_stat_hits, db_stat_misses, pubsub_nchannels(), pubsub_numpat(), srv.rdb_saves);
}

static void
section_replication(struct buf *b)
{
	repl_info(b);
}

static void
section_cpu(struct buf *b)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	buf_appendf(b, "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n"
	    "used_cpu_sys_children:%ld.%06ld\r\nused_cpu_user_children:%ld.%06ld\r\n",
	    (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
	    (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
	    (long)kids.ru_stime.tv_sec, (long)kids.ru_stime.tv_usec,
	    (long)kids.ru_utime.tv_sec, (long)kids.ru_utime.tv_usec);
}

static void
section_keyspace(struct buf *b)
{
	buf_appends(b, "# Keyspace\r\n");
	for (int i = 0; i < DB_COUNT; i++) {
		if (db_size(i) == 0)
			continue;
		buf_appendf(b, "db%d:keys=%zu,expires=%zu,avg_ttl=0\r\n", i, db_size(i), db_expires(i));
	}
}

static void
section_commandstats(struct buf *b)
{
	size_t n;
	const struct kv_command *const *all = cmd_all(&n);

	buf_appends(b, "# Commandstats\r\n");
	for (size_t i = 0; i < n; i++) {
		if (all[i]->calls == 0)
			continue;
		buf_appendf(b, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,"
		    "rejected_calls=0,failed_calls=0\r\n", all[i]->fullname, all[i]->calls,
		    all[i]->usec, (double)all[i]->usec / (double)all[i]->calls);
	}
}

struct section {
	const char	*name;
	void		(*fn)(struct buf *);
	bool		 in_default;
};

static const struct section sections[] = {
	{ "server", section_server, true },
	{ "clients", section_clients, true },
	{ "memory", section_memory, true },
	{ "persistence", NULL, true },
	{ "stats", section_stats, true },
	{ "replication", section_replication, true },
	{ "cpu", section_cpu, true },
	{ "modules", NULL, true },
	{ "errorstats", NULL, true },
	{ "cluster", NULL, true },
	{ "keyspace", section_keyspace, true },
	{ "commandstats", section_commandstats, false },
};

static void
emit(struct buf *b, const struct section *s)
{
	if (b->len > 0)
		buf_appends(b, "\r\n");
	if (s->fn != NULL) {
		s->fn(b);
	} else if (strcmp(s->name, "persistence") == 0) {
		buf_appends(b, "# Persistence\r\n");
		persist_info(b);
	} else if (strcmp(s->name, "modules") == 0) {
		buf_appends(b, "# Modules\r\n");
	} else if (strcmp(s->name, "errorstats") == 0) {
		buf_appends(b, "# Errorstats\r\n");
	} else if (strcmp(s->name, "cluster") == 0) {
		buf_appends(b, "# Cluster\r\ncluster_enabled:0\r\n");
	}
}

void
cmd_info(struct client *c)
{
	struct buf b = BUF_INIT;
	bool want[ARRAY_SIZE(sections)] = { false };

	if (c->argc == 1) {
		for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
			want[i] = sections[i].in_default;
	}
	for (int a = 1; a < c->argc; a++) {
		if (!strcasecmp(c->argv[a], "all") || !strcasecmp(c->argv[a], "everything")) {
			for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
				want[i] = true;
		} else if (!strcasecmp(c->argv[a], "default")) {
			for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
				want[i] |= sections[i].in_default;
		} else {
			for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
				if (!strcasecmp(c->argv[a], sections[i].name))
					want[i] = true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (want[i])
			emit(&b, &sections[i]);
	resp_verbatim(&c->reply, b.data ? b.data : "", b.len, c->proto);
	buf_free(&b);
}

void
cmd_config_resetstat(struct client *c)
{
	srv.stat_conns = srv.stat_commands = srv.stat_rejected = 0;
	srv.stat_net_in = srv.stat_net_out = 0;
	srv.stat_sync_full = srv.stat_sync_partial_ok = srv.stat_sync_partial_err = 0;
	srv.stat_expired_at_reset = db_stat_expired;
	db_stat_hits = db_stat_misses = 0;
	cmd_reset_stats();
	client_ok(c);
}
