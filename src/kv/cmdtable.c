/*
 * cmdtable.c - the command table of sentinel-kv and the COMMAND command.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "hmap.h"
#include "match.h"
#include "resp.h"
#include "server.h"
#include "util.h"

#define W	CMD_WRITE
#define R	CMD_READONLY
#define F	CMD_FAST
#define M	CMD_DENYOOM
#define A	CMD_ADMIN
#define NA	CMD_NOAUTH
#define L	CMD_LOADING
#define S	CMD_STALE
#define PS	CMD_PUBSUB
#define NM	CMD_NOMULTI
#define NS	CMD_NOSCRIPT

static struct kv_command client_subs[] = {
	{ "setname", cmd_client_setname, 3, NS | L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "getname", cmd_client_getname, 2, NS | L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "id", cmd_client_id, 2, NS | L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "list", cmd_client_list, -2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous @connection", NULL, NULL, 0, 0 },
	{ "info", cmd_client_info, 2, NS | L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "kill", cmd_client_kill, -3, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous @connection", NULL, NULL, 0, 0 },
	{ "setinfo", cmd_client_setinfo, 4, NS | L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "pause", cmd_client_pause, -3, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous @connection", NULL, NULL, 0, 0 },
	{ "unpause", cmd_client_unpause, 2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous @connection", NULL, NULL, 0, 0 },
	{ "help", cmd_client_help, 2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0 }
};

static struct kv_command config_subs[] = {
	{ "get", cmd_config_get, -3, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous", NULL, NULL, 0, 0 },
	{ "set", cmd_config_set, -4, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous", NULL, NULL, 0, 0 },
	{ "rewrite", cmd_config_rewrite, 2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous", NULL, NULL, 0, 0 },
	{ "resetstat", cmd_config_resetstat, 2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous", NULL, NULL, 0, 0 },
	{ "help", cmd_config_help, 2, L | S, 0, 0, 0, "@slow", NULL, NULL, 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0 }
};

static struct kv_command command_subs[] = {
	{ "count", cmd_command, 2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "info", cmd_command, -2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "list", cmd_command, -2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "docs", cmd_command, -2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ "help", cmd_command, 2, L | S, 0, 0, 0, "@slow @connection", NULL, NULL, 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0 }
};

static struct kv_command pubsub_subs[] = {
	{ "channels", cmd_pubsub, -2, PS | L | S, 0, 0, 0, "@pubsub @slow", NULL, NULL, 0, 0 },
	{ "numsub", cmd_pubsub, -2, PS | L | S, 0, 0, 0, "@pubsub @slow", NULL, NULL, 0, 0 },
	{ "numpat", cmd_pubsub, 2, PS | L | S, 0, 0, 0, "@pubsub @slow", NULL, NULL, 0, 0 },
	{ "help", cmd_pubsub, 2, L | S, 0, 0, 0, "@slow", NULL, NULL, 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0 }
};

#define C(n, fn, ar, fl, fk, lk, st, cats) { n, fn, ar, fl, fk, lk, st, cats, NULL, NULL, 0, 0 }

static struct kv_command table[] = {
	/* connection and admin */
	C("ping", cmd_ping, -1, F | PS | CMD_MISCONF, 0, 0, 0, "@fast @connection"),
	C("echo", cmd_echo, 2, F, 0, 0, 0, "@fast @connection"),
	C("quit", cmd_quit, -1, NA | L | S | NS | PS | NM | F, 0, 0, 0, "@fast @connection"),
	C("reset", cmd_reset, 1, NA | L | S | NS | PS | NM | F, 0, 0, 0, "@fast @connection"),
	C("select", cmd_select, 2, L | S | F, 0, 0, 0, "@fast @connection"),
	C("auth", cmd_auth, -2, NA | L | S | NS | F, 0, 0, 0, "@fast @connection"),
	C("hello", cmd_hello, -1, NA | L | S | NS | F, 0, 0, 0, "@fast @connection"),
	{ "client", NULL, -2, CMD_CONTAINER, 0, 0, 0, "@slow", client_subs, NULL, 0, 0 },
	{ "command", cmd_command, -1, L | S, 0, 0, 0, "@slow @connection", command_subs, NULL, 0, 0 },
	C("info", cmd_info, -1, L | S, 0, 0, 0, "@slow @dangerous"),
	C("role", cmd_role, 1, L | S | F | NS, 0, 0, 0, "@admin @fast @dangerous"),
	C("time", cmd_time, 1, L | S | F, 0, 0, 0, "@fast"),
	C("dbsize", cmd_dbsize, 1, R | F, 0, 0, 0, "@keyspace @read @fast"),
	C("flushdb", cmd_flushdb, -1, W, 0, 0, 0, "@keyspace @write @slow @dangerous"),
	C("flushall", cmd_flushall, -1, W, 0, 0, 0, "@keyspace @write @slow @dangerous"),
	{ "config", NULL, -2, CMD_CONTAINER, 0, 0, 0, "@slow", config_subs, NULL, 0, 0 },
	C("shutdown", cmd_shutdown, -1, A | NS | L | S | NM, 0, 0, 0, "@admin @slow @dangerous"),
	C("debug", cmd_debug, -2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous"),
	C("acl", cmd_acl, -2, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous"),
	C("multi", cmd_multi, 1, NS | L | S | F | NM, 0, 0, 0, "@fast @transaction"),
	C("exec", cmd_exec, 1, NS | L | S | NM, 0, 0, 0, "@slow @transaction"),
	C("discard", cmd_discard, 1, NS | L | S | F | NM, 0, 0, 0, "@fast @transaction"),
	C("save", cmd_save, 1, A | NS, 0, 0, 0, "@admin @slow @dangerous"),
	C("bgsave", cmd_bgsave, -1, A | NS, 0, 0, 0, "@admin @slow @dangerous"),
	C("lastsave", cmd_lastsave, 1, L | S | F, 0, 0, 0, "@admin @fast @dangerous"),
	C("swapdb", cmd_swapdb, 3, W | F, 0, 0, 0, "@keyspace @write @fast @dangerous"),
	C("move", cmd_move, 3, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("replicaof", cmd_replicaof, 3, A | NS | S, 0, 0, 0, "@admin @slow @dangerous"),
	C("slaveof", cmd_replicaof, 3, A | NS | S, 0, 0, 0, "@admin @slow @dangerous"),
	/* strings */
	C("get", cmd_get, 2, R | F, 1, 1, 1, "@read @string @fast"),
	C("set", cmd_set, -3, W | M, 1, 1, 1, "@write @string @slow"),
	C("mget", cmd_mget, -2, R | F, 1, -1, 1, "@read @string @fast"),
	C("mset", cmd_mset, -3, W | M, 1, -1, 2, "@write @string @slow"),
	C("msetnx", cmd_msetnx, -3, W | M, 1, -1, 2, "@write @string @slow"),
	C("incr", cmd_incr, 2, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("incrby", cmd_incrby, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("incrbyfloat", cmd_incrbyfloat, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("decr", cmd_decr, 2, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("decrby", cmd_decrby, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("append", cmd_append, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("strlen", cmd_strlen, 2, R | F, 1, 1, 1, "@read @string @fast"),
	C("setnx", cmd_setnx, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("setex", cmd_setex, 4, W | M, 1, 1, 1, "@write @string @slow"),
	C("psetex", cmd_psetex, 4, W | M, 1, 1, 1, "@write @string @slow"),
	C("getset", cmd_getset, 3, W | M | F, 1, 1, 1, "@write @string @fast"),
	C("getdel", cmd_getdel, 2, W | F, 1, 1, 1, "@write @string @fast"),
	C("getrange", cmd_getrange, 4, R, 1, 1, 1, "@read @string @slow"),
	C("setrange", cmd_setrange, 4, W | M, 1, 1, 1, "@write @string @slow"),
	/* keys */
	C("del", cmd_del, -2, W, 1, -1, 1, "@keyspace @write @slow"),
	C("unlink", cmd_unlink, -2, W | F, 1, -1, 1, "@keyspace @write @fast"),
	C("exists", cmd_exists, -2, R | F, 1, -1, 1, "@keyspace @read @fast"),
	C("touch", cmd_touch, -2, R | F, 1, -1, 1, "@keyspace @read @fast"),
	C("expire", cmd_expire, -3, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("pexpire", cmd_pexpire, -3, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("expireat", cmd_expireat, -3, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("pexpireat", cmd_pexpireat, -3, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("expiretime", cmd_expiretime, 2, R | F, 1, 1, 1, "@keyspace @read @fast"),
	C("pexpiretime", cmd_pexpiretime, 2, R | F, 1, 1, 1, "@keyspace @read @fast"),
	C("ttl", cmd_ttl, 2, R | F, 1, 1, 1, "@keyspace @read @fast"),
	C("pttl", cmd_pttl, 2, R | F, 1, 1, 1, "@keyspace @read @fast"),
	C("persist", cmd_persist, 2, W | F, 1, 1, 1, "@keyspace @write @fast"),
	C("type", cmd_type, 2, R | F, 1, 1, 1, "@keyspace @read @fast"),
	C("keys", cmd_keys, 2, R, 0, 0, 0, "@keyspace @read @slow @dangerous"),
	C("scan", cmd_scan, -2, R, 0, 0, 0, "@keyspace @read @slow"),
	C("rename", cmd_rename, 3, W, 1, 2, 1, "@keyspace @write @slow"),
	C("renamenx", cmd_renamenx, 3, W | F, 1, 2, 1, "@keyspace @write @fast"),
	C("randomkey", cmd_randomkey, 1, R, 0, 0, 0, "@keyspace @read @slow"),
	/* hashes */
	C("hset", cmd_hset, -4, W | M | F, 1, 1, 1, "@write @hash @fast"),
	C("hmset", cmd_hmset, -4, W | M | F, 1, 1, 1, "@write @hash @fast"),
	C("hsetnx", cmd_hsetnx, 4, W | M | F, 1, 1, 1, "@write @hash @fast"),
	C("hget", cmd_hget, 3, R | F, 1, 1, 1, "@read @hash @fast"),
	C("hmget", cmd_hmget, -3, R | F, 1, 1, 1, "@read @hash @fast"),
	C("hdel", cmd_hdel, -3, W | F, 1, 1, 1, "@write @hash @fast"),
	C("hgetall", cmd_hgetall, 2, R, 1, 1, 1, "@read @hash @slow"),
	C("hlen", cmd_hlen, 2, R | F, 1, 1, 1, "@read @hash @fast"),
	C("hexists", cmd_hexists, 3, R | F, 1, 1, 1, "@read @hash @fast"),
	C("hkeys", cmd_hkeys, 2, R, 1, 1, 1, "@read @hash @slow"),
	C("hvals", cmd_hvals, 2, R, 1, 1, 1, "@read @hash @slow"),
	C("hincrby", cmd_hincrby, 4, W | M | F, 1, 1, 1, "@write @hash @fast"),
	/* lists */
	C("lpush", cmd_lpush, -3, W | M | F, 1, 1, 1, "@write @list @fast"),
	C("rpush", cmd_rpush, -3, W | M | F, 1, 1, 1, "@write @list @fast"),
	C("lpop", cmd_lpop, -2, W | F, 1, 1, 1, "@write @list @fast"),
	C("rpop", cmd_rpop, -2, W | F, 1, 1, 1, "@write @list @fast"),
	C("lrange", cmd_lrange, 4, R, 1, 1, 1, "@read @list @slow"),
	C("llen", cmd_llen, 2, R | F, 1, 1, 1, "@read @list @fast"),
	C("lindex", cmd_lindex, 3, R, 1, 1, 1, "@read @list @slow"),
	/* sets */
	C("sadd", cmd_sadd, -3, W | M | F, 1, 1, 1, "@write @set @fast"),
	C("srem", cmd_srem, -3, W | F, 1, 1, 1, "@write @set @fast"),
	C("smembers", cmd_smembers, 2, R, 1, 1, 1, "@read @set @slow"),
	C("scard", cmd_scard, 2, R | F, 1, 1, 1, "@read @set @fast"),
	C("sismember", cmd_sismember, 3, R | F, 1, 1, 1, "@read @set @fast"),
	/* pub/sub */
	C("subscribe", cmd_subscribe, -2, PS | NS | L | S, 0, 0, 0, "@pubsub @slow"),
	C("unsubscribe", cmd_unsubscribe, -1, PS | NS | L | S, 0, 0, 0, "@pubsub @slow"),
	C("psubscribe", cmd_psubscribe, -2, PS | NS | L | S, 0, 0, 0, "@pubsub @slow"),
	C("punsubscribe", cmd_punsubscribe, -1, PS | NS | L | S, 0, 0, 0, "@pubsub @slow"),
	C("publish", cmd_publish, 3, PS | L | S | F, 0, 0, 0, "@pubsub @fast"),
	{ "pubsub", NULL, -2, CMD_CONTAINER, 0, 0, 0, "@slow", pubsub_subs, NULL, 0, 0 },
	/* replication */
	C("replconf", cmd_replconf, -1, A | NS | L | S, 0, 0, 0, "@admin @slow @dangerous"),
	C("psync", cmd_psync, -3, A | NS | NM, 0, 0, 0, "@admin @slow @dangerous"),
	C("sync", cmd_psync, 1, A | NS | NM, 0, 0, 0, "@admin @slow @dangerous"),
	C("wait", cmd_wait, 3, NS, 0, 0, 0, "@slow @connection"),
};

static struct hmap	names;	/* lower-case name -> struct kv_command */

static void
set_fullnames(struct kv_command *cmd)
{
	cmd->fullname = cmd->name;
	for (struct kv_command *s = (struct kv_command *)cmd->subs; s && s->name; s++)
		s->fullname = xasprintf("%s|%s", cmd->name, s->name);
}

void
cmd_table_init(void)
{
	hmap_init(&names);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct hmap_entry *e = hmap_insert(&names, table[i].name, strlen(table[i].name), NULL);

		e->val = &table[i];
		set_fullnames(&table[i]);
	}
}

const struct kv_command *
cmd_lookup(const char *name)
{
	char lower[32];
	size_t n = strlen(name);
	struct hmap_entry *e;

	if (n >= sizeof lower)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	e = hmap_find(&names, lower, n);
	return e ? e->val : NULL;
}

/*
 * rename-command FROM TO: the command answers to TO from now on, and no
 * longer to FROM; an empty TO disables it. Config-time only, as in Redis.
 */
int
cmd_table_rename(const char *from, const char *to, const char **why)
{
	char lfrom[32], lto[32];
	size_t n = strlen(from), tn = strlen(to);
	struct hmap_entry *e;
	bool created;

	if (n < sizeof lfrom) {
		memcpy(lfrom, from, n + 1);
		util_strtolower(lfrom);
	}
	if (n >= sizeof lfrom || (e = hmap_find(&names, lfrom, n)) == NULL) {
		*why = "No such command in rename-command";
		return -1;
	}
	if (tn >= sizeof lto) {
		*why = "Target command name is too long";
		return -1;
	}
	memcpy(lto, to, tn + 1);
	util_strtolower(lto);
	if (tn > 0 && hmap_find(&names, lto, tn) != NULL) {
		*why = "Target command name already exists";
		return -1;
	}
	if (tn > 0)
		hmap_insert(&names, lto, tn, &created)->val = e->val;
	hmap_entry_free(hmap_unlink(&names, lfrom, n));
	return 0;
}

const struct kv_command *
cmd_lookup_sub(const struct kv_command *cmd, const char *sub)
{
	for (const struct kv_command *s = cmd->subs; s && s->name; s++)
		if (strcasecmp(s->name, sub) == 0)
			return s;
	return NULL;
}

size_t
cmd_count(void)
{
	return ARRAY_SIZE(table);
}

void
cmd_reset_stats(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		table[i].calls = table[i].usec = 0;
		for (struct kv_command *s = (struct kv_command *)table[i].subs; s && s->name; s++)
			s->calls = s->usec = 0;
	}
}

const struct kv_command *const *
cmd_all(size_t *n)
{
	static const struct kv_command **all;
	static size_t nall;

	if (all == NULL) {
		for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
			all = xreallocarray(all, nall + 1, sizeof *all);
			all[nall++] = &table[i];
			for (const struct kv_command *s = table[i].subs; s && s->name; s++) {
				all = xreallocarray(all, nall + 1, sizeof *all);
				all[nall++] = s;
			}
		}
	}
	*n = nall;
	return all;
}

static void
flags_reply(struct client *c, const struct kv_command *cmd)
{
	static const struct { uint32_t flag; const char *name; } fl[] = {
		{ CMD_WRITE, "write" }, { CMD_READONLY, "readonly" }, { CMD_DENYOOM, "denyoom" },
		{ CMD_ADMIN, "admin" }, { CMD_PUBSUB, "pubsub" }, { CMD_NOSCRIPT, "noscript" },
		{ CMD_LOADING, "loading" }, { CMD_STALE, "stale" }, { CMD_NOAUTH, "no_auth" },
		{ CMD_FAST, "fast" }, { CMD_NOMULTI, "no_multi" },
	};
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
		if (cmd->flags & fl[i].flag)
			n++;
	resp_set(&c->reply, n, c->proto);
	for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
		if (cmd->flags & fl[i].flag)
			resp_simple(&c->reply, fl[i].name);
}

static void
cats_reply(struct client *c, const char *cats)
{
	char *copy = xstrdup(cats ? cats : ""), *save = NULL, *w;
	int n = 0;

	for (const char *p = cats; p && *p; p++)
		if (*p == '@')
			n++;
	resp_set(&c->reply, n, c->proto);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		resp_simple(&c->reply, w);
	free(copy);
}

static void
info_reply(struct client *c, const struct kv_command *cmd)
{
	size_t nsubs = 0;

	for (const struct kv_command *s = cmd->subs; s && s->name; s++)
		nsubs++;
	resp_array(&c->reply, 10);
	resp_bulk_str(&c->reply, cmd->fullname);
	resp_int(&c->reply, cmd->arity);
	flags_reply(c, cmd);
	resp_int(&c->reply, cmd->first_key);
	resp_int(&c->reply, cmd->last_key);
	resp_int(&c->reply, cmd->key_step);
	cats_reply(c, cmd->acl_cats);
	resp_set(&c->reply, 0, c->proto);	/* tips */
	resp_array(&c->reply, 0);		/* key specs */
	resp_array(&c->reply, (long long)nsubs);
	for (const struct kv_command *s = cmd->subs; s && s->name; s++)
		info_reply(c, s);
}

void
cmd_command(struct client *c)
{
	if (c->argc == 1) {
		resp_array(&c->reply, (long long)ARRAY_SIZE(table));
		for (size_t i = 0; i < ARRAY_SIZE(table); i++)
			info_reply(c, &table[i]);
		return;
	}
	if (arg_eq(c, 1, "count")) {
		client_int(c, (long long)ARRAY_SIZE(table));
	} else if (arg_eq(c, 1, "info")) {
		if (c->argc == 2) {
			resp_array(&c->reply, (long long)ARRAY_SIZE(table));
			for (size_t i = 0; i < ARRAY_SIZE(table); i++)
				info_reply(c, &table[i]);
			return;
		}
		resp_array(&c->reply, c->argc - 2);
		for (int i = 2; i < c->argc; i++) {
			const struct kv_command *cmd = cmd_lookup(c->argv[i]);
			char *bar = strchr(c->argv[i], '|');

			if (bar != NULL) {
				char top[32];

				snprintf(top, sizeof top, "%.*s", (int)(bar - c->argv[i]), c->argv[i]);
				cmd = cmd_lookup(top);
				cmd = cmd ? cmd_lookup_sub(cmd, bar + 1) : NULL;
			}
			if (cmd)
				info_reply(c, cmd);
			else
				client_null_array(c);
		}
	} else if (arg_eq(c, 1, "list")) {
		size_t n;
		const struct kv_command *const *all = cmd_all(&n);
		const char *pat = NULL;
		long long count = 0;
		struct buf tmp = BUF_INIT;

		if (c->argc == 5 && arg_eq(c, 2, "filterby") && arg_eq(c, 3, "pattern"))
			pat = c->argv[4];
		else if (c->argc != 2) {
			reply_syntax_error(c);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (pat && !match_globs(pat, all[i]->fullname, true))
				continue;
			resp_bulk_str(&tmp, all[i]->fullname);
			count++;
		}
		resp_array(&c->reply, count);
		buf_append(&c->reply, tmp.data, tmp.len);
		buf_free(&tmp);
	} else if (arg_eq(c, 1, "docs")) {
		/* Docs are not shipped: an empty map, as for unknown names. */
		client_map(c, 0);
	} else if (arg_eq(c, 1, "help")) {
		static const char *help[] = {
			"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"(no subcommand)", "    Return details about all Redis commands.",
			"COUNT", "    Return the total number of commands in this Redis server.",
			"LIST", "    Return a list of all commands in this Redis server.",
			"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
			"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
			"HELP", "    Print this help.",
		};

		resp_array(&c->reply, ARRAY_SIZE(help));
		for (size_t i = 0; i < ARRAY_SIZE(help); i++)
			resp_simple(&c->reply, help[i]);
	}
}
