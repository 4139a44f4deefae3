/*
 * server.h - the state of one sentinel-kv process and its command table.
 */
#ifndef SENTINEL_KV_SERVER_H
#define SENTINEL_KV_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "db.h"

#define KV_VERSION		PACKAGE_VERSION
#define KV_REDIS_VERSION	"7.0.15"

struct savepoint {
	long long	seconds;
	long long	changes;
};

/* Flags of a command, as Redis's command table has them. */
#define CMD_WRITE	0x0001
#define CMD_READONLY	0x0002
#define CMD_NOAUTH	0x0004	/* runs before AUTH */
#define CMD_LOADING	0x0008	/* runs while loading */
#define CMD_STALE	0x0010
#define CMD_PUBSUB	0x0020	/* allowed in a RESP2 subscribed context */
#define CMD_NOMULTI	0x0040	/* runs at once inside MULTI (EXEC, DISCARD, ...) */
#define CMD_ADMIN	0x0080
#define CMD_DENYOOM	0x0100
#define CMD_FAST	0x0200
#define CMD_NOSCRIPT	0x0400
#define CMD_MISCONF	0x0800	/* refused after a failed BGSAVE (PING) */
#define CMD_CONTAINER	0x1000	/* has subcommands */

struct kv_command {
	const char		*name;
	void			(*fn)(struct client *c);
	int			 arity;	/* > 0 exactly, < 0 at least -arity */
	uint32_t		 flags;
	int			 first_key, last_key, key_step;
	const char		*acl_cats;	/* space-separated, for COMMAND */
	const struct kv_command	*subs;		/* NULL-terminated by name */
	const char		*fullname;	/* "config|get", set at start */
	long long		 calls;
	long long		 usec;
};

struct server {
	/* Configuration (kconf.c fills these). */
	int		 port;
	char		**binds;
	int		 nbinds;
	char		*bind_source_addr;
	char		*dir;
	char		*dbfilename;
	struct savepoint *saves;
	int		 nsaves;
	char		*masterauth;
	char		*masteruser;
	char		*masterhost;
	int		 masterport;
	long long	 repl_backlog_size;
	long long	 repl_backlog_ttl;
	long long	 repl_timeout;
	long long	 repl_ping_period;
	bool		 repl_diskless_sync;
	long long	 repl_diskless_sync_delay;
	bool		 replica_read_only;
	long long	 replica_priority;
	char		*replica_announce_ip;
	long long	 replica_announce_port;
	bool		 replica_announced;
	bool		 replica_serve_stale_data;
	char		*logfile;
	int		 loglevel;
	char		*pidfile;
	bool		 daemonize;
	long long	 maxclients;
	long long	 timeout;
	long long	 key_load_delay;
	long long	 proto_max_bulk_len;
	long long	 client_query_buffer_limit;
	bool		 stop_writes_on_bgsave_error;
	bool		 rdbcompression;
	bool		 rdbchecksum;
	long long	 hz;
	long long	 tcp_keepalive;
	long long	 tcp_backlog;
	long long	 databases;
	long long	 min_replicas_to_write;
	long long	 min_replicas_max_lag;
	int		 supervised;
	int		 enable_debug_command;	/* 0 no, 1 yes, 2 local */

	/* State. */
	char		 runid[41];
	char		*configfile;	/* absolute, NULL without one */
	char		*executable;
	pid_t		 pid;
	int64_t		 start_ms;	/* monotonic */
	int64_t		 start_wall_s;
	bool		 loading;
	bool		 shutdown_asap;
	bool		 sentinel_mode;
	long long	 dirty;
	long long	 dirty_at_bgsave;
	long long	 lastsave;	/* unix seconds */
	long long	 lastbgsave_try;
	bool		 lastbgsave_ok;
	pid_t		 child_pid;
	int64_t		 child_start_ms;
	long long	 rdb_last_bgsave_time_sec;
	long long	 rdb_saves;
	long long	 rdb_changes_since_last_save_base;
	bool		 bgsave_scheduled;

	/* Stats. */
	long long	 stat_conns;
	long long	 stat_commands;
	long long	 stat_rejected;
	long long	 stat_net_in;
	long long	 stat_net_out;
	long long	 stat_sync_full;
	long long	 stat_sync_partial_ok;
	long long	 stat_sync_partial_err;
	long long	 stat_loading_loaded_keys;
	long long	 stat_expired_at_reset;
};

extern struct server srv;

/* The table and lookups (cmdtable.c). */
const struct kv_command *cmd_lookup(const char *name);
const struct kv_command *cmd_lookup_sub(const struct kv_command *cmd, const char *sub);
int cmd_table_rename(const char *from, const char *to, const char **why);
size_t	cmd_count(void);
void	cmd_table_init(void);
/* COMMAND, COMMAND COUNT/INFO/LIST/DOCS. */
void	cmd_command(struct client *c);
void	cmd_reset_stats(void);
const struct kv_command *const *cmd_all(size_t *n);

/* server.c */
void	server_dispatch(struct client *c);
void	server_client_free(struct client *c);
/* CLIENT PAUSE: may this request run now? (client_ops.may_run) */
bool	server_may_run(struct client *c);
bool	server_paused(void);
/* Run a command for a client without the checks (EXEC). */
void	server_call(struct client *c, const struct kv_command *cmd);
/* A write happened: count it for save points and replication. */
void	server_dirty(long long n);
bool	server_is_replica(void);
/* Argument helpers replying with Redis's errors; false after replying. */
bool	arg_ll(struct client *c, int i, long long *v);
bool	arg_ll_range(struct client *c, int i, long long min, long long max, long long *v, const char *err);
bool	arg_eq(const struct client *c, int i, const char *word);
/* Key lookups for commands: reads count hits and misses; typed ones answer WRONGTYPE. */
struct hmap_entry *server_find_read(struct client *c, int i);
bool	server_lookup_typed(struct client *c, int i, bool read, int type, struct obj **op);
/* Redis's "syntax error" and friends. */
void	reply_syntax_error(struct client *c);
void	reply_wrongtype(struct client *c);
void	reply_not_integer(struct client *c);
/* Shut down: save if asked/configured, remove the pidfile, exit. Returns -1 if saving failed. */
int	server_prepare_shutdown(bool save, bool nosave);
void	server_exit(int code);
/* SELECT bounds */
static inline int server_dbnum(void) { return DB_COUNT; }

/* Command handlers: grouped by file. */
/* cmd_conn.c */
void	cmd_ping(struct client *), cmd_echo(struct client *), cmd_quit(struct client *),
	cmd_select(struct client *), cmd_auth(struct client *), cmd_hello(struct client *),
	cmd_client(struct client *), cmd_reset(struct client *);
void	cmd_client_setname(struct client *), cmd_client_getname(struct client *),
	cmd_client_id(struct client *), cmd_client_list(struct client *),
	cmd_client_info(struct client *), cmd_client_kill(struct client *),
	cmd_client_setinfo(struct client *), cmd_client_help(struct client *),
	cmd_client_pause(struct client *), cmd_client_unpause(struct client *);
/* cmd_admin.c */
void	cmd_dbsize(struct client *), cmd_flushdb(struct client *), cmd_flushall(struct client *),
	cmd_config_get(struct client *), cmd_config_set(struct client *),
	cmd_config_rewrite(struct client *), cmd_config_resetstat(struct client *),
	cmd_config_help(struct client *), cmd_shutdown(struct client *),
	cmd_debug(struct client *), cmd_acl(struct client *), cmd_multi(struct client *),
	cmd_exec(struct client *), cmd_discard(struct client *), cmd_save(struct client *),
	cmd_bgsave(struct client *), cmd_lastsave(struct client *), cmd_role(struct client *),
	cmd_time(struct client *),
	cmd_replicaof(struct client *), cmd_swapdb(struct client *), cmd_move(struct client *),
	cmd_replconf(struct client *), cmd_psync(struct client *), cmd_wait(struct client *);
/* cmd_info.c */
void	cmd_info(struct client *);
/* cmd_string.c */
void	cmd_get(struct client *), cmd_set(struct client *), cmd_mget(struct client *),
	cmd_mset(struct client *), cmd_msetnx(struct client *), cmd_incr(struct client *),
	cmd_incrby(struct client *), cmd_decr(struct client *), cmd_decrby(struct client *),
	cmd_append(struct client *), cmd_strlen(struct client *), cmd_setnx(struct client *),
	cmd_setex(struct client *), cmd_psetex(struct client *), cmd_getset(struct client *),
	cmd_getdel(struct client *), cmd_incrbyfloat(struct client *),
	cmd_getrange(struct client *), cmd_setrange(struct client *);
/* cmd_keys.c */
void	cmd_del(struct client *), cmd_exists(struct client *), cmd_expire(struct client *),
	cmd_pexpire(struct client *), cmd_expireat(struct client *), cmd_pexpireat(struct client *),
	cmd_ttl(struct client *), cmd_pttl(struct client *), cmd_persist(struct client *),
	cmd_type(struct client *), cmd_keys(struct client *), cmd_scan(struct client *),
	cmd_rename(struct client *), cmd_renamenx(struct client *), cmd_randomkey(struct client *),
	cmd_unlink(struct client *), cmd_expiretime(struct client *), cmd_pexpiretime(struct client *),
	cmd_touch(struct client *);
/* cmd_hash.c */
void	cmd_hset(struct client *), cmd_hget(struct client *), cmd_hdel(struct client *),
	cmd_hgetall(struct client *), cmd_hlen(struct client *), cmd_hexists(struct client *),
	cmd_hkeys(struct client *), cmd_hvals(struct client *), cmd_hmget(struct client *),
	cmd_hsetnx(struct client *), cmd_hincrby(struct client *), cmd_hmset(struct client *);
/* cmd_list.c */
void	cmd_lpush(struct client *), cmd_rpush(struct client *), cmd_lpop(struct client *),
	cmd_rpop(struct client *), cmd_lrange(struct client *), cmd_llen(struct client *),
	cmd_lindex(struct client *);
/* cmd_set.c */
void	cmd_sadd(struct client *), cmd_srem(struct client *), cmd_smembers(struct client *),
	cmd_scard(struct client *), cmd_sismember(struct client *);
/* cmd_pubsub.c */
void	cmd_subscribe(struct client *), cmd_unsubscribe(struct client *),
	cmd_psubscribe(struct client *), cmd_punsubscribe(struct client *),
	cmd_publish(struct client *), cmd_pubsub(struct client *);

#endif
