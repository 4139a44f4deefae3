/*
 * kconf.c - the directives sentinel-kv knows. Those it implements take
 * effect; every other Redis 7.0 directive is accepted, logged and kept for
 * CONFIG GET; anything else stops start-up with "file:line: what is wrong".
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "acl.h"
#include "client.h"
#include "conf.h"
#include "hmap.h"
#include "kconf.h"
#include "log.h"
#include "match.h"
#include "resp.h"
#include "server.h"
#include "util.h"

enum kc_type { KC_BOOL, KC_INT, KC_MEM, KC_STR, KC_ENUM, KC_SPECIAL };

#define KC_IMMUTABLE	0x01	/* not changeable with CONFIG SET */
#define KC_MULTIARG	0x02	/* takes a variable number of arguments */
#define KC_REPEATABLE	0x04	/* each line adds (user) */

struct kc_def;
typedef int	(*kc_set_fn)(int argc, char **argv, bool startup, const char **err);
typedef void	(*kc_get_fn)(struct buf *out);
typedef void	(*kc_lines_fn)(const struct kc_def *d, char ***lines, size_t *n);

struct kc_def {
	const char		*name;
	const char		*alias;
	enum kc_type		 type;
	void			*ptr;
	const char		*def;
	long long		 min, max;
	const char *const	*enums;
	int			 flags;
	kc_set_fn		 set;
	kc_get_fn		 get;
	kc_lines_fn		 lines;
	bool			 from_cmdline;
	bool			 changed;	/* by CONFIG SET since start */
};

static const char *const protected_modes[] = { "no", "yes", "local", NULL };
static const char *const supervised_modes[] = { "no", "upstart", "systemd", "auto", NULL };

static int	set_bind(int, char **, bool, const char **);
static void	get_bind(struct buf *);
static int	set_save(int, char **, bool, const char **);
static void	get_save(struct buf *);
static int	set_dir(int, char **, bool, const char **);
static void	get_dir(struct buf *);
static int	set_requirepass(int, char **, bool, const char **);
static void	get_requirepass(struct buf *);
static int	set_replicaof(int, char **, bool, const char **);
static void	get_replicaof(struct buf *);
static int	set_obuf(int, char **, bool, const char **);
static void	get_obuf(struct buf *);
static int	set_user(int, char **, bool, const char **);
static void	lines_user(const struct kc_def *, char ***, size_t *);
static int	set_logfile(int, char **, bool, const char **);
static int	set_loglevel(int, char **, bool, const char **);
static int	set_maxclients(int, char **, bool, const char **);
static int	set_timeout(int, char **, bool, const char **);

#define B(n, a, p, d)		{ n, a, KC_BOOL, p, d, 0, 1, NULL, 0, NULL, NULL, NULL, false, false }
#define I(n, a, p, d, lo, hi)	{ n, a, KC_INT, p, d, lo, hi, NULL, 0, NULL, NULL, NULL, false, false }
#define IX(n, a, p, d, lo, hi, fl, fn) { n, a, KC_INT, p, d, lo, hi, NULL, fl, fn, NULL, NULL, false, false }
#define MEM(n, a, p, d, lo, hi)	{ n, a, KC_MEM, p, d, lo, hi, NULL, 0, NULL, NULL, NULL, false, false }
#define S(n, a, p, d, fl)	{ n, a, KC_STR, p, d, 0, 0, NULL, fl, NULL, NULL, NULL, false, false }
#define SP(n, a, d, fl, set, get, lines) { n, a, KC_SPECIAL, NULL, d, 0, 0, NULL, fl, set, get, lines, false, false }

static struct kc_def defs[] = {
	IX("port", NULL, &srv.port, "6379", 0, 65535, KC_IMMUTABLE, NULL),
	SP("bind", NULL, "* -::*", KC_MULTIARG | KC_IMMUTABLE, set_bind, get_bind, NULL),
	S("bind-source-addr", NULL, &srv.bind_source_addr, "", 0),
	SP("dir", NULL, "", 0, set_dir, get_dir, NULL),
	S("dbfilename", NULL, &srv.dbfilename, "dump.rdb", 0),
	SP("save", NULL, "3600 1 300 100 60 10000", KC_MULTIARG, set_save, get_save, NULL),
	SP("requirepass", NULL, "", 0, set_requirepass, get_requirepass, NULL),
	S("masterauth", NULL, &srv.masterauth, "", 0),
	S("masteruser", NULL, &srv.masteruser, "", 0),
	SP("replicaof", "slaveof", "", KC_MULTIARG, set_replicaof, get_replicaof, NULL),
	MEM("repl-backlog-size", NULL, &srv.repl_backlog_size, "1mb", 1, LLONG_MAX),
	I("repl-backlog-ttl", NULL, &srv.repl_backlog_ttl, "3600", 0, LONG_MAX),
	I("repl-timeout", NULL, &srv.repl_timeout, "60", 1, INT_MAX),
	I("repl-ping-replica-period", "repl-ping-slave-period", &srv.repl_ping_period, "10", 1, INT_MAX),
	B("repl-diskless-sync", NULL, &srv.repl_diskless_sync, "yes"),
	I("repl-diskless-sync-delay", NULL, &srv.repl_diskless_sync_delay, "5", 0, INT_MAX),
	B("replica-read-only", "slave-read-only", &srv.replica_read_only, "yes"),
	I("replica-priority", "slave-priority", &srv.replica_priority, "100", 0, INT_MAX),
	S("replica-announce-ip", "slave-announce-ip", &srv.replica_announce_ip, "", 0),
	I("replica-announce-port", "slave-announce-port", &srv.replica_announce_port, "0", 0, 65535),
	B("replica-announced", NULL, &srv.replica_announced, "yes"),
	B("replica-serve-stale-data", "slave-serve-stale-data", &srv.replica_serve_stale_data, "yes"),
	SP("logfile", NULL, "", KC_IMMUTABLE, set_logfile, NULL, NULL),
	SP("loglevel", NULL, "notice", 0, set_loglevel, NULL, NULL),
	S("pidfile", NULL, &srv.pidfile, "", KC_IMMUTABLE),
	B("daemonize", NULL, &srv.daemonize, "no"),
	IX("maxclients", NULL, &srv.maxclients, "10000", 1, INT_MAX, 0, set_maxclients),
	IX("timeout", NULL, &srv.timeout, "0", 0, INT_MAX, 0, set_timeout),
	I("key-load-delay", NULL, &srv.key_load_delay, "0", INT_MIN, INT_MAX),
	MEM("proto-max-bulk-len", NULL, &srv.proto_max_bulk_len, "512mb", 1024 * 1024, LONG_MAX),
	MEM("client-query-buffer-limit", NULL, &srv.client_query_buffer_limit, "1gb", 1024 * 1024, LONG_MAX),
	SP("client-output-buffer-limit", NULL,
	    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
	    KC_MULTIARG, set_obuf, get_obuf, NULL),
	B("stop-writes-on-bgsave-error", NULL, &srv.stop_writes_on_bgsave_error, "yes"),
	B("rdbcompression", NULL, &srv.rdbcompression, "yes"),
	B("rdbchecksum", NULL, &srv.rdbchecksum, "yes"),
	I("hz", NULL, &srv.hz, "10", 0, INT_MAX),
	I("tcp-keepalive", NULL, &srv.tcp_keepalive, "300", 0, INT_MAX),
	IX("tcp-backlog", NULL, &srv.tcp_backlog, "511", 0, INT_MAX, KC_IMMUTABLE, NULL),
	IX("databases", NULL, &srv.databases, "16", 1, 16, KC_IMMUTABLE, NULL),
	I("min-replicas-to-write", "min-slaves-to-write", &srv.min_replicas_to_write, "0", 0, INT_MAX),
	I("min-replicas-max-lag", "min-slaves-max-lag", &srv.min_replicas_max_lag, "10", 0, INT_MAX),
	{ "supervised", NULL, KC_ENUM, &srv.supervised, "no", 0, 0, supervised_modes, KC_IMMUTABLE, NULL, NULL, NULL, false, false },
	{ "enable-debug-command", NULL, KC_ENUM, &srv.enable_debug_command, "no", 0, 0, protected_modes, KC_IMMUTABLE, NULL, NULL, NULL, false, false },
	SP("user", NULL, "", KC_MULTIARG | KC_REPEATABLE | KC_IMMUTABLE, set_user, NULL, lines_user),
};

/*
 * The other directives of Redis 7.0, with the defaults redis-server 7.0.15
 * reports: accepted, logged, kept for CONFIG GET (client tools such as
 * redis-benchmark read some of them).
 */
struct ignored_def {
	const char	*name;
	const char	*def;	/* NULL: hidden in Redis, no default shown */
};

static const struct ignored_def ignored_defs[] = {
	{ "io-threads-do-reads", "no" },
	{ "always-show-logo", "no" },
	{ "protected-mode", "yes" },
	{ "rdb-del-sync-files", "no" },
	{ "activerehashing", "yes" },
	{ "set-proc-title", "yes" },
	{ "dynamic-hz", "yes" },
	{ "lazyfree-lazy-eviction", "no" },
	{ "lazyfree-lazy-expire", "no" },
	{ "lazyfree-lazy-server-del", "no" },
	{ "lazyfree-lazy-user-del", "no" },
	{ "lazyfree-lazy-user-flush", "no" },
	{ "repl-disable-tcp-nodelay", "no" },
	{ "aof-rewrite-incremental-fsync", "yes" },
	{ "no-appendfsync-on-rewrite", "no" },
	{ "cluster-require-full-coverage", "yes" },
	{ "rdb-save-incremental-fsync", "yes" },
	{ "aof-load-truncated", "yes" },
	{ "aof-use-rdb-preamble", "yes" },
	{ "aof-timestamp-enabled", "no" },
	{ "cluster-replica-no-failover", "no" },
	{ "cluster-slave-no-failover", "no" },
	{ "replica-lazy-flush", "no" },
	{ "slave-lazy-flush", "no" },
	{ "replica-ignore-maxmemory", "yes" },
	{ "slave-ignore-maxmemory", "yes" },
	{ "jemalloc-bg-thread", "yes" },
	{ "activedefrag", "no" },
	{ "syslog-enabled", "no" },
	{ "cluster-enabled", "no" },
	{ "appendonly", "no" },
	{ "cluster-allow-reads-when-down", "no" },
	{ "cluster-allow-pubsubshard-when-down", "yes" },
	{ "crash-log-enabled", "yes" },
	{ "crash-memcheck-enabled", "yes" },
	{ "use-exit-on-panic", NULL },
	{ "disable-thp", "yes" },
	{ "cluster-allow-replica-migration", "yes" },
	{ "latency-tracking", "yes" },
	{ "aof-disable-auto-gc", "no" },
	{ "replica-ignore-disk-write-errors", "no" },
	{ "aclfile", "" },
	{ "unixsocket", "" },
	{ "cluster-announce-ip", "" },
	{ "cluster-config-file", "nodes.conf" },
	{ "cluster-announce-hostname", "" },
	{ "syslog-ident", "redis" },
	{ "appendfilename", "appendonly.aof" },
	{ "appenddirname", "appendonlydir" },
	{ "ignore-warnings", "" },
	{ "proc-title-template", "{title} {listen-addr} {server-mode}" },
	{ "syslog-facility", "local0" },
	{ "repl-diskless-load", "disabled" },
	{ "maxmemory-policy", "noeviction" },
	{ "appendfsync", "everysec" },
	{ "oom-score-adj", "no" },
	{ "acl-pubsub-default", "resetchannels" },
	{ "sanitize-dump-payload", "no" },
	{ "enable-protected-configs", "no" },
	{ "enable-module-command", "no" },
	{ "cluster-preferred-endpoint-type", "ip" },
	{ "propagation-error-behavior", "ignore" },
	{ "shutdown-on-sigint", "default" },
	{ "shutdown-on-sigterm", "default" },
	{ "io-threads", "1" },
	{ "auto-aof-rewrite-percentage", "100" },
	{ "cluster-replica-validity-factor", "10" },
	{ "cluster-slave-validity-factor", "10" },
	{ "list-max-listpack-size", "-2" },
	{ "list-max-ziplist-size", "-2" },
	{ "cluster-migration-barrier", "1" },
	{ "active-defrag-cycle-min", "1" },
	{ "active-defrag-cycle-max", "25" },
	{ "active-defrag-threshold-lower", "10" },
	{ "active-defrag-threshold-upper", "100" },
	{ "lfu-log-factor", "10" },
	{ "lfu-decay-time", "1" },
	{ "maxmemory-samples", "5" },
	{ "maxmemory-eviction-tenacity", "10" },
	{ "cluster-port", "0" },
	{ "cluster-announce-bus-port", "0" },
	{ "cluster-announce-port", "0" },
	{ "cluster-announce-tls-port", "0" },
	{ "list-compress-depth", "0" },
	{ "rdb-key-save-delay", NULL },
	{ "active-expire-effort", "1" },
	{ "watchdog-period", NULL },
	{ "shutdown-timeout", "10" },
	{ "repl-diskless-sync-max-replicas", "0" },
	{ "unixsocketperm", "0" },
	{ "socket-mark-id", "0" },
	{ "active-defrag-max-scan-fields", "1000" },
	{ "slowlog-max-len", "128" },
	{ "acllog-max-len", "128" },
	{ "busy-reply-threshold", "5000" },
	{ "lua-time-limit", "5000" },
	{ "cluster-node-timeout", "15000" },
	{ "slowlog-log-slower-than", "10000" },
	{ "latency-monitor-threshold", "0" },
	{ "stream-node-max-entries", "100" },
	{ "maxmemory", "0" },
	{ "cluster-link-sendbuf-limit", "0" },
	{ "hash-max-listpack-entries", "512" },
	{ "hash-max-ziplist-entries", "512" },
	{ "set-max-intset-entries", "512" },
	{ "zset-max-listpack-entries", "128" },
	{ "zset-max-ziplist-entries", "128" },
	{ "active-defrag-ignore-bytes", "104857600" },
	{ "hash-max-listpack-value", "64" },
	{ "hash-max-ziplist-value", "64" },
	{ "stream-node-max-bytes", "4096" },
	{ "zset-max-listpack-value", "64" },
	{ "zset-max-ziplist-value", "64" },
	{ "hll-sparse-max-bytes", "3000" },
	{ "tracking-table-max-keys", "1000000" },
	{ "maxmemory-clients", "0" },
	{ "auto-aof-rewrite-min-size", "67108864" },
	{ "loading-process-events-interval-bytes", NULL },
	{ "oom-score-adj-values", "0 200 800" },
	{ "notify-keyspace-events", "" },
	{ "latency-tracking-info-percentiles", "50 99 99.9" },
	{ "loadmodule", NULL },
	{ "hash-max-zipmap-entries", NULL },
	{ "hash-max-zipmap-value", NULL },
	{ NULL, NULL }
};

static struct conf_file	*file_model;
static struct hmap	 ignored;	/* name -> malloc'd value text */

/* Find a directive by name or alias. */
static struct kc_def *
find_def(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		if (strcasecmp(defs[i].name, name) == 0 ||
		    (defs[i].alias && strcasecmp(defs[i].alias, name) == 0))
			return &defs[i];
	}
	return NULL;
}

static bool
is_ignored_name(const char *name)
{
	for (size_t i = 0; ignored_defs[i].name; i++)
		if (strcasecmp(ignored_defs[i].name, name) == 0)
			return true;
	return false;
}

static bool
is_tls_name(const char *name)
{
	return strncasecmp(name, "tls-", 4) == 0;
}

static void
set_string(char **slot, const char *v)
{
	free(*slot);
	*slot = (v && *v) ? xstrdup(v) : NULL;
}

/* Apply one directive's arguments to the table's variable. */
static int
apply(struct kc_def *d, int argc, char **argv, bool startup, const char **err)
{
	static char msg[128];
	long long v;

	if (d->type != KC_SPECIAL && !(d->flags & KC_MULTIARG) && argc != 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	switch (d->type) {
	case KC_BOOL: {
		int yn = util_parse_yesno(argv[0]);

		if (yn < 0) {
			*err = "argument must be 'yes' or 'no'";
			return -1;
		}
		*(bool *)d->ptr = yn == 1;
		return 0;
	}
	case KC_INT:
	case KC_MEM:
		if (d->type == KC_INT ? !util_parse_ll(argv[0], strlen(argv[0]), &v) :
		    !util_parse_memory(argv[0], &v)) {
			*err = d->type == KC_INT ? "argument couldn't be parsed into an integer" :
			    "argument must be a memory value";
			return -1;
		}
		if (v < d->min || v > d->max) {
			snprintf(msg, sizeof msg, "argument must be between %lld and %lld inclusive",
			    d->min, d->max);
			*err = msg;
			return -1;
		}
		if (d->set && d->set(argc, argv, startup, err) < 0)
			return -1;
		if (d->ptr == &srv.port)
			srv.port = (int)v;
		else
			*(long long *)d->ptr = v;
		return 0;
	case KC_STR:
		set_string((char **)d->ptr, argv[0]);
		return 0;
	case KC_ENUM:
		for (int i = 0; d->enums[i]; i++) {
			if (strcasecmp(d->enums[i], argv[0]) == 0) {
				*(int *)d->ptr = i;
				return 0;
			}
		}
		*err = "argument(s) must be one of the following values";
		return -1;
	case KC_SPECIAL:
		return d->set(argc, argv, startup, err);
	}
	return -1;
}

/* The current value as CONFIG GET shows it. */
static void
value_of(const struct kc_def *d, struct buf *out)
{
	switch (d->type) {
	case KC_BOOL:
		buf_appends(out, *(bool *)d->ptr ? "yes" : "no");
		break;
	case KC_INT:
	case KC_MEM:
		if (d->ptr == &srv.port)
			buf_appendf(out, "%d", srv.port);
		else
			buf_appendf(out, "%lld", *(long long *)d->ptr);
		break;
	case KC_STR: {
		const char *s = *(char **)d->ptr;

		buf_appends(out, s ? s : "");
		break;
	}
	case KC_ENUM:
		buf_appends(out, d->enums[*(int *)d->ptr]);
		break;
	case KC_SPECIAL:
		if (d->get)
			d->get(out);
		else if (strcmp(d->name, "loglevel") == 0)
			buf_appends(out, log_level_name(log_get_level()));
		else if (strcmp(d->name, "logfile") == 0)
			buf_appends(out, srv.logfile ? srv.logfile : "");
		break;
	}
}

/* --- special directives ---------------------------------------------------- */

static int
set_bind(int argc, char **argv, bool startup, const char **err)
{
	if (argc < 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	for (int i = 0; i < srv.nbinds; i++)
		free(srv.binds[i]);
	free(srv.binds);
	srv.binds = xcalloc((size_t)argc, sizeof *srv.binds);
	srv.nbinds = argc;
	for (int i = 0; i < argc; i++)
		srv.binds[i] = xstrdup(argv[i]);
	return 0;
}

static void
get_bind(struct buf *out)
{
	for (int i = 0; i < srv.nbinds; i++)
		buf_appendf(out, "%s%s", i ? " " : "", srv.binds[i]);
}

static int
set_save(int argc, char **argv, bool startup, const char **err)
{
	struct savepoint *sp;
	int n;

	if (argc == 1 && argv[0][0] == '\0') {
		free(srv.saves);
		srv.saves = NULL;
		srv.nsaves = 0;
		return 0;
	}
	if (argc == 0 || argc % 2 != 0) {
		*err = "Invalid save parameters";
		return -1;
	}
	sp = xcalloc((size_t)argc / 2, sizeof *sp);
	for (n = 0; n < argc / 2; n++) {
		if (!util_parse_ll(argv[2 * n], strlen(argv[2 * n]), &sp[n].seconds) ||
		    !util_parse_ll(argv[2 * n + 1], strlen(argv[2 * n + 1]), &sp[n].changes) ||
		    sp[n].seconds < 1 || sp[n].changes < 0) {
			free(sp);
			*err = "Invalid save parameters";
			return -1;
		}
	}
	/* In a file, several "save" lines add up; on the command line or CONFIG SET they replace. */
	free(srv.saves);
	srv.saves = sp;
	srv.nsaves = n;
	return 0;
}

static void
get_save(struct buf *out)
{
	for (int i = 0; i < srv.nsaves; i++)
		buf_appendf(out, "%s%lld %lld", i ? " " : "", srv.saves[i].seconds,
		    srv.saves[i].changes);
}

static int
set_dir(int argc, char **argv, bool startup, const char **err)
{
	static char msg[256];

	if (argc != 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	if (chdir(argv[0]) < 0) {
		snprintf(msg, sizeof msg, "No such file or directory: %s", strerror(errno));
		*err = msg;
		return -1;
	}
	return 0;
}

static void
get_dir(struct buf *out)
{
	char cwd[PATH_MAX];

	buf_appends(out, getcwd(cwd, sizeof cwd) ? cwd : "");
}

static int
set_requirepass(int argc, char **argv, bool startup, const char **err)
{
	if (argc != 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	acl_set_requirepass(argv[0]);
	return 0;
}

static void
get_requirepass(struct buf *out)
{
	const char *p = acl_get_requirepass();

	buf_appends(out, p ? p : "");
}

static int
set_replicaof(int argc, char **argv, bool startup, const char **err)
{
	long long port;

	if (argc != 2) {
		*err = "wrong number of arguments";
		return -1;
	}
	if (strcasecmp(argv[0], "no") == 0 && strcasecmp(argv[1], "one") == 0) {
		set_string(&srv.masterhost, NULL);
		srv.masterport = 0;
		return 0;
	}
	if (!util_parse_ll(argv[1], strlen(argv[1]), &port) || port < 0 || port > 65535) {
		*err = "Invalid master port";
		return -1;
	}
	if (!startup) {
		*err = "can't set immutable config";
		return -1;
	}
	set_string(&srv.masterhost, argv[0]);
	srv.masterport = (int)port;
	return 0;
}

static void
get_replicaof(struct buf *out)
{
	if (srv.masterhost)
		buf_appendf(out, "%s %d", srv.masterhost, srv.masterport);
}

static const char *const obuf_classes[] = { "normal", "replica", "pubsub" };

static int
obuf_class(const char *name)
{
	if (strcasecmp(name, "slave") == 0 || strcasecmp(name, "replica") == 0)
		return CLIENT_CLASS_REPLICA;
	if (strcasecmp(name, "normal") == 0)
		return CLIENT_CLASS_NORMAL;
	if (strcasecmp(name, "pubsub") == 0)
		return CLIENT_CLASS_PUBSUB;
	return -1;
}

static struct client_obuf_limit obuf_limits[CLIENT_CLASS_COUNT];

static int
set_obuf(int argc, char **argv, bool startup, const char **err)
{
	struct client_obuf_limit tmp[CLIENT_CLASS_COUNT];

	memcpy(tmp, obuf_limits, sizeof tmp);
	if (argc == 0 || argc % 4 != 0) {
		*err = "Wrong number of arguments in buffer limit configuration.";
		return -1;
	}
	for (int i = 0; i < argc; i += 4) {
		int cl = obuf_class(argv[i]);
		long long hard, soft, secs;

		if (cl < 0) {
			*err = "Invalid client class specified in buffer limit configuration.";
			return -1;
		}
		if (!util_parse_memory(argv[i + 1], &hard) || !util_parse_memory(argv[i + 2], &soft) ||
		    !util_parse_ll(argv[i + 3], strlen(argv[i + 3]), &secs) || hard < 0 || soft < 0 ||
		    secs < 0) {
			*err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
			return -1;
		}
		tmp[cl].hard = hard;
		tmp[cl].soft = soft;
		tmp[cl].soft_seconds = secs;
	}
	memcpy(obuf_limits, tmp, sizeof tmp);
	memcpy(client_limits()->obuf, obuf_limits, sizeof obuf_limits);
	return 0;
}

static void
get_obuf(struct buf *out)
{
	for (int i = 0; i < CLIENT_CLASS_COUNT; i++)
		buf_appendf(out, "%s%s %lld %lld %lld", i ? " " : "",
		    i == CLIENT_CLASS_REPLICA ? "slave" : obuf_classes[i],
		    obuf_limits[i].hard, obuf_limits[i].soft, obuf_limits[i].soft_seconds);
}

static int
set_user(int argc, char **argv, bool startup, const char **err)
{
	static char msg[512];
	char *e = NULL;

	if (argc < 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	if (acl_setuser(argv[0], argc - 1, argv + 1, &e) < 0) {
		snprintf(msg, sizeof msg, "%s", e ? e : "Error in user declaration");
		free(e);
		*err = msg;
		return -1;
	}
	return 0;
}

static void
lines_user(const struct kc_def *d, char ***lines, size_t *n)
{
	struct acl_user **users;
	size_t nu = acl_users(&users);

	*lines = xcalloc(nu + 1, sizeof **lines);
	*n = 0;
	for (size_t i = 0; i < nu; i++) {
		struct buf b = BUF_INIT;

		acl_describe(users[i], &b);
		(*lines)[(*n)++] = b.data;
	}
	free(users);
}

static int
set_logfile(int argc, char **argv, bool startup, const char **err)
{
	if (argc != 1) {
		*err = "wrong number of arguments";
		return -1;
	}
	set_string(&srv.logfile, argv[0]);
	return 0;
}

static int
set_loglevel(int argc, char **argv, bool startup, const char **err)
{
	int l;

	if (argc != 1 || (l = log_parse_level(argv[0])) < 0) {
		*err = "argument(s) must be one of the following values";
		return -1;
	}
	srv.loglevel = l;
	log_set_level((enum log_level)l);
	return 0;
}

static int
set_maxclients(int argc, char **argv, bool startup, const char **err)
{
	long long v;

	if (util_parse_ll(argv[0], strlen(argv[0]), &v))
		client_limits()->maxclients = (int)v;
	return 0;
}

static int
set_timeout(int argc, char **argv, bool startup, const char **err)
{
	long long v;

	if (util_parse_ll(argv[0], strlen(argv[0]), &v))
		client_limits()->timeout = (int)v;
	return 0;
}

/* --- loading ----------------------------------------------------------------- */

static void
defaults(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct kc_def *d = &defs[i];
		const char *err = NULL;
		int argc = 0;
		char **argv = NULL;

		if (strcmp(d->name, "dir") == 0 || strcmp(d->name, "user") == 0 ||
		    strcmp(d->name, "replicaof") == 0)
			continue;
		if (conf_split(d->def, strlen(d->def), &argc, &argv, NULL) < 0)
			fatalx("bad default for %s", d->name);
		if (argc == 0) {
			/* An empty default: an empty value. */
			char *empty[] = { (char *)"" };

			if (apply(d, 1, empty, true, &err) < 0)
				fatalx("default for %s: %s", d->name, err);
		} else if (apply(d, argc, argv, true, &err) < 0) {
			fatalx("default for %s: %s", d->name, err);
		}
		conf_free_args(argc, argv, NULL);
	}
}

/* One directive from the file or the command line. */
static int
load_line(int argc, char **argv, bool from_cmdline, bool *saw_save, char **why)
{
	struct kc_def *d;
	const char *err = NULL;

	if (is_tls_name(argv[0])) {
		*why = xasprintf("'%s': TLS is not supported by this build", argv[0]);
		return -1;
	}
	if (strcasecmp(argv[0], "include") == 0) {
		*why = xstrdup("'include' is not supported: put every directive in one file");
		return -1;
	}
	if (strcasecmp(argv[0], "sentinel") == 0) {
		*why = xstrdup("sentinel directive while not in sentinel mode "
		    "(start with --sentinel)");
		return -1;
	}
	if (strcasecmp(argv[0], "rename-command") == 0) {
		if (argc != 3) {
			*why = xasprintf("wrong number of arguments for '%s'", argv[0]);
			return -1;
		}
		if (cmd_table_rename(argv[1], argv[2], &err) < 0) {
			*why = xstrdup(err);
			return -1;
		}
		return 0;
	}
	d = find_def(argv[0]);
	if (d == NULL) {
		if (is_ignored_name(argv[0])) {
			struct buf v = BUF_INIT;
			struct hmap_entry *e;
			char lname[128];

			if (argc < 2) {
				*why = xasprintf("wrong number of arguments for '%s'", argv[0]);
				return -1;
			}
			for (int i = 1; i < argc; i++) {
				if (i > 1)
					buf_appendc(&v, ' ');
				buf_appends(&v, argv[i]);
			}
			snprintf(lname, sizeof lname, "%s", argv[0]);
			util_strtolower(lname);
			e = hmap_insert(&ignored, lname, strlen(lname), NULL);
			free(e->val);
			e->val = v.data ? v.data : xstrdup("");
			log_notice("Directive '%s' is accepted but has no effect in sentinel-kv", argv[0]);
			return 0;
		}
		*why = xasprintf("unknown directive '%s'", argv[0]);
		return -1;
	}
	if (argc < 2 && !(d->type == KC_SPECIAL && strcmp(d->name, "save") == 0)) {
		*why = xasprintf("wrong number of arguments for '%s'", argv[0]);
		return -1;
	}
	if (strcmp(d->name, "save") == 0 && !from_cmdline && *saw_save && argc > 1 &&
	    argv[1][0] != '\0') {
		/* A second "save" line in a file adds to the first. */
		struct savepoint *old = srv.saves;
		int nold = srv.nsaves;

		srv.saves = NULL;
		srv.nsaves = 0;
		if (apply(d, argc - 1, argv + 1, true, &err) < 0) {
			srv.saves = old;
			srv.nsaves = nold;
			*why = xasprintf("%s", err);
			return -1;
		}
		old = xreallocarray(old, (size_t)(nold + srv.nsaves), sizeof *old);
		memcpy(old + nold, srv.saves, (size_t)srv.nsaves * sizeof *old);
		free(srv.saves);
		srv.saves = old;
		srv.nsaves += nold;
		return 0;
	}
	if (apply(d, argc - 1, argv + 1, true, &err) < 0) {
		*why = xasprintf("%s", err ? err : "invalid value");
		return -1;
	}
	if (strcmp(d->name, "save") == 0)
		*saw_save = true;
	if (from_cmdline)
		d->from_cmdline = true;
	return 0;
}

/*
 * A directive from the command line. As with redis-server, a quoted value
 * of a multi-word directive ("--save '3600 1 300 100'") counts as its words.
 */
static int
cmdline_line(int n, char **args, bool *saw_save, char **why)
{
	struct kc_def *d = find_def(args[0]);
	char **words;
	int nw = 1, r;

	if (d == NULL || !(d->flags & KC_MULTIARG))
		return load_line(n, args, true, saw_save, why);
	words = xcalloc(1, sizeof *words);
	words[0] = xstrdup(args[0]);
	for (int k = 1; k < n; k++) {
		int argc = 0;
		char **argv = NULL;

		if (args[k][0] == '\0' || conf_split(args[k], strlen(args[k]), &argc, &argv, NULL) < 0 ||
		    argc == 0) {
			words = xreallocarray(words, (size_t)nw + 1, sizeof *words);
			words[nw++] = xstrdup(args[k]);
			conf_free_args(argc, argv, NULL);
			continue;
		}
		words = xreallocarray(words, (size_t)(nw + argc), sizeof *words);
		for (int w = 0; w < argc; w++)
			words[nw++] = xstrdup(argv[w]);
		conf_free_args(argc, argv, NULL);
	}
	r = load_line(nw, words, true, saw_save, why);
	for (int k = 0; k < nw; k++)
		free(words[k]);
	free(words);
	return r;
}

int
kconf_load(const char *file, int argc, char **argv, char **err)
{
	bool saw_save = false;
	int i;

	hmap_init(&ignored);
	for (const struct ignored_def *g = ignored_defs; g->name; g++) {
		if (g->def != NULL) {
			struct hmap_entry *e = hmap_insert(&ignored, g->name, strlen(g->name), NULL);

			e->val = xstrdup(g->def);
		}
	}
	memcpy(obuf_limits, client_limits()->obuf, sizeof obuf_limits);
	defaults();
	if (file != NULL) {
		char *e = NULL;

		file_model = conf_file_new(file);
		if (conf_file_read(file_model, false, &e) < 0) {
			*err = e;
			return -1;
		}
		for (size_t l = 0; l < file_model->nlines; l++) {
			struct conf_line *cl = &file_model->lines[l];
			char *why = NULL;

			if (cl->argc == 0)
				continue;
			if (load_line(cl->argc, cl->argv, false, &saw_save, &why) < 0) {
				*err = xasprintf("%s:%d: %s", file, cl->lineno, why);
				free(why);
				return -1;
			}
		}
	}
	/* Command line: "--name arg arg --name2 arg". */
	for (i = 0; i < argc; ) {
		int j = i + 1, n;
		char **args;
		char *why = NULL;

		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			*err = xasprintf("command line: '%s': expected --directive", argv[i]);
			return -1;
		}
		while (j < argc && !(strncmp(argv[j], "--", 2) == 0 && argv[j][2] != '\0'))
			j++;
		n = j - i;
		args = xcalloc((size_t)n + 1, sizeof *args);
		args[0] = argv[i] + 2;
		for (int k = 1; k < n; k++)
			args[k] = argv[i + k];
		/* "--save" alone means no save points, as in Redis. */
		if (n == 1 && strcasecmp(args[0], "save") == 0) {
			args[1] = (char *)"";
			n = 2;
		}
		if (cmdline_line(n, args, &saw_save, &why) < 0) {
			*err = xasprintf("command line: --%s: %s", args[0], why);
			free(why);
			free(args);
			return -1;
		}
		free(args);
		i = j;
	}
	return 0;
}

void
kconf_free(void)
{
	if (file_model)
		conf_file_free(file_model);
	file_model = NULL;
	hmap_clear(&ignored, free);
	for (int i = 0; i < srv.nbinds; i++)
		free(srv.binds[i]);
	free(srv.binds);
	srv.binds = NULL;
	srv.nbinds = 0;
	free(srv.saves);
	srv.saves = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++)
		if (defs[i].type == KC_STR)
			set_string((char **)defs[i].ptr, NULL);
	set_string(&srv.logfile, NULL);
	set_string(&srv.masterhost, NULL);
}

void
kconf_apply_runtime(void)
{
	struct client_limits *l = client_limits();

	l->maxclients = (int)srv.maxclients;
	l->timeout = (int)srv.timeout;
	l->qbuf_max = srv.client_query_buffer_limit;
	l->max_bulk = srv.proto_max_bulk_len;
	l->max_multibulk = INT_MAX;
	memcpy(l->obuf, obuf_limits, sizeof obuf_limits);
}

/* --- CONFIG GET / SET / REWRITE -------------------------------------------- */

void
cmd_config_get(struct client *c)
{
	struct buf out = BUF_INIT, val = BUF_INIT;
	long long n = 0;
	struct hmap_iter it;
	struct hmap_entry *e;
	struct hmap seen;

	hmap_init(&seen);
	for (int a = 2; a < c->argc; a++) {
		const char *pat = c->argv[a];

		for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
			const char *names[2] = { defs[i].name, defs[i].alias };

			for (int k = 0; k < 2; k++) {
				bool created;

				if (names[k] == NULL || !match_globs(pat, names[k], true))
					continue;
				/* An alias is listed only when asked for by its own name or a pattern. */
				hmap_insert(&seen, names[k], strlen(names[k]), &created);
				if (!created)
					continue;
				buf_clear(&val);
				value_of(&defs[i], &val);
				resp_bulk_str(&out, names[k]);
				resp_bulk(&out, val.data ? val.data : "", val.len);
				n++;
			}
		}
		hmap_iter_init(&it, &ignored);
		while ((e = hmap_iter_next(&it)) != NULL) {
			bool created;

			if (!match_glob(pat, strlen(pat), e->key, e->klen, true))
				continue;
			hmap_insert(&seen, e->key, e->klen, &created);
			if (!created)
				continue;
			resp_bulk(&out, e->key, e->klen);
			resp_bulk_str(&out, e->val);
			n++;
		}
	}
	hmap_clear(&seen, NULL);
	client_map(c, n);
	buf_append(&c->reply, out.data ? out.data : "", out.len);
	buf_free(&out);
	buf_free(&val);
}

void
cmd_config_set(struct client *c)
{
	int npairs = (c->argc - 2) / 2;
	struct buf old = BUF_INIT;
	const char *err = NULL;
	int i;

	if ((c->argc - 2) % 2 != 0) {
		client_err_arity(c, "config|set");
		return;
	}
	/* Check everything first: Redis 7 applies all pairs or none. */
	for (i = 0; i < npairs; i++) {
		const char *name = c->argv[2 + 2 * i];
		struct kc_def *d = find_def(name);

		if (d == NULL && !is_ignored_name(name)) {
			client_errf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", name);
			return;
		}
		if (d != NULL && (d->flags & KC_IMMUTABLE)) {
			client_errf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - "
			    "can't set immutable config", name);
			return;
		}
	}
	for (i = 0; i < npairs; i++) {
		const char *name = c->argv[2 + 2 * i];
		char *value = c->argv[3 + 2 * i];
		struct kc_def *d = find_def(name);
		int argc = 0;
		char **argv = NULL;
		int r;

		if (d == NULL) {
			char lname[128];
			struct hmap_entry *e;

			snprintf(lname, sizeof lname, "%s", name);
			util_strtolower(lname);
			e = hmap_insert(&ignored, lname, strlen(lname), NULL);
			free(e->val);
			e->val = xstrdup(value);
			continue;
		}
		/* Multi-argument values arrive as one string: split it like a config line. */
		if ((d->flags & KC_MULTIARG) && *value != '\0') {
			if (conf_split(value, strlen(value), &argc, &argv, NULL) < 0) {
				client_errf(c, "ERR CONFIG SET failed (possibly related to argument '%s')", name);
				return;
			}
			r = apply(d, argc, argv, false, &err);
			conf_free_args(argc, argv, NULL);
		} else {
			r = apply(d, 1, &value, false, &err);
		}
		if (r < 0) {
			if (err)
				client_errf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
				    name, err);
			else
				client_errf(c, "ERR CONFIG SET failed (possibly related to argument '%s')", name);
			buf_free(&old);
			return;
		}
		d->changed = true;
	}
	kconf_apply_runtime();
	buf_free(&old);
	client_ok(c);
}

/* The lines a directive contributes to a rewritten file. */
static void
directive_lines(const struct kc_def *d, char ***lines, size_t *n)
{
	struct buf val = BUF_INIT, line = BUF_INIT;

	*lines = NULL;
	*n = 0;
	if (d->lines) {
		d->lines(d, lines, n);
		return;
	}
	value_of(d, &val);
	if (strcmp(d->name, "replicaof") == 0 && val.len == 0)
		goto out;
	buf_appends(&line, d->name);
	buf_appendc(&line, ' ');
	if (d->flags & KC_MULTIARG) {
		int argc = 0;
		char **argv = NULL;

		if (val.len == 0 || conf_split(val.data, val.len, &argc, &argv, NULL) < 0 || argc == 0)
			conf_quote(&line, "", 0);
		for (int i = 0; i < argc; i++) {
			if (i)
				buf_appendc(&line, ' ');
			conf_quote(&line, argv[i], strlen(argv[i]));
		}
		conf_free_args(argc, argv, NULL);
	} else {
		conf_quote(&line, val.data ? val.data : "", val.len);
	}
	*lines = xcalloc(1, sizeof **lines);
	(*lines)[0] = line.data;
	*n = 1;
	line.data = NULL;
out:
	buf_free(&val);
	buf_free(&line);
}

static bool
file_has(const char *name, const char *alias)
{
	for (size_t i = 0; i < file_model->nlines; i++)
		if (conf_line_matches(&file_model->lines[i], name) ||
		    (alias && conf_line_matches(&file_model->lines[i], alias)))
			return true;
	return false;
}

void
cmd_config_rewrite(struct client *c)
{
	char *err = NULL;
	bool fallback = false;

	if (file_model == NULL) {
		client_err(c, "ERR The server is running without a config file");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct kc_def *d = &defs[i];
		const char *keys[3] = { d->name, d->alias, NULL };
		struct buf cur = BUF_INIT;
		char **lines;
		size_t n;
		bool is_default;

		/* Settings from the command line stay out of the file. */
		if (d->from_cmdline && !d->changed)
			continue;
		value_of(d, &cur);
		is_default = d->def && strcmp(cur.data ? cur.data : "", d->def) == 0 &&
		    strcmp(d->name, "dir") != 0;
		buf_free(&cur);
		if (strcmp(d->name, "dir") == 0 && !d->changed)
			continue;
		if (is_default && !file_has(d->name, d->alias))
			continue;
		directive_lines(d, &lines, &n);
		if (strcmp(d->name, "user") == 0 && n == 1 && !file_has("user", NULL)) {
			/* Only the untouched default user: nothing to write. */
			struct buf b = BUF_INIT;

			acl_describe(acl_default_user(), &b);
			if (strcmp(b.data, lines[0]) == 0 &&
			    strstr(lines[0], "nopass") != NULL) {
				buf_free(&b);
				free(lines[0]);
				free(lines);
				continue;
			}
			buf_free(&b);
		}
		conf_file_set(file_model, keys, (const char *const *)lines, n);
		for (size_t k = 0; k < n; k++)
			free(lines[k]);
		free(lines);
	}
	if (conf_file_write(file_model, &fallback, &err) < 0) {
		log_warning("CONFIG REWRITE failed: %s", err);
		client_errf(c, "ERR Rewriting config file: %s", err);
		free(err);
		return;
	}
	if (fallback)
		log_warning("Config file %s rewritten in place (rename not possible)", file_model->path);
	log_notice("CONFIG REWRITE executed with success.");
	client_ok(c);
}

void
cmd_config_help(struct client *c)
{
	static const char *help[] = {
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
		"HELP",
		"    Print this help.",
	};

	client_array(c, ARRAY_SIZE(help));
	for (size_t i = 0; i < ARRAY_SIZE(help); i++)
		resp_simple(&c->reply, help[i]);
}

void
kconf_mark_changed(const char *name)
{
	struct kc_def *d = find_def(name);

	if (d != NULL)
		d->changed = true;
}
