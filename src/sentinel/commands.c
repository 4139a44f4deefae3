/*
 * commands.c - the sentinel port's command table (Redis Sentinel 7.0.15's,
 * COMMAND COUNT 15), the checks a request goes through before its command
 * runs, in Redis's order, and the commands other than SENTINEL.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "acl.h"
#include "client.h"
#include "commands.h"
#include "history.h"
#include "hmap.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "match.h"
#include "monitor.h"
#include "pubsub.h"
#include "resp.h"
#include "sconf.h"
#include "script.h"
#include "stats.h"
#include "util.h"

/* A command or a subcommand, with what COMMAND INFO shows of it. */
struct scmd {
	const char		*name;
	void			(*fn)(struct client *);
	int			 arity;		/* > 0 exactly, < 0 at least -arity */
	const char		*flags;		/* COMMAND INFO flags, in Redis's order */
	const char		*cats;		/* ACL categories */
	const char		*tips;
	struct scmd		*subs;		/* NULL-terminated */
	char			*fullname;	/* "sentinel|masters", set by commands_init */
	bool			 noauth;	/* runs before AUTH */
	bool			 subscribed_ok;	/* runs in a RESP2 subscribed context */
};

/* What a connection of ours keeps besides struct client. */
struct sclient {
	bool		 reply_off;	/* CLIENT REPLY OFF */
	bool		 reply_skip;	/* CLIENT REPLY SKIP: this command is silent */
	bool		 reply_skip_next;
	bool		 tracking;	/* CLIENT TRACKING: accepted, nothing to track */
	bool		 tracking_bcast, tracking_optin, tracking_optout, tracking_noloop;
	int		 tracking_caching;	/* 0 unset, 1 yes, -1 no */
	uint64_t	 tracking_redirect;
	char		**prefixes;
	size_t		 nprefixes;
};

static void	cmd_ping(struct client *), cmd_info(struct client *), cmd_role(struct client *),
		cmd_hello(struct client *), cmd_acl(struct client *),
		cmd_command(struct client *), cmd_subscribe(struct client *),
		cmd_psubscribe(struct client *), cmd_unsubscribe(struct client *),
		cmd_punsubscribe(struct client *), cmd_publish(struct client *),
		cmd_shutdown(struct client *), cmd_client(struct client *);

#define SADM	"admin"
#define SCATS	"@admin @slow @dangerous"
#define SUB(n, ar)	{ n, cmd_sentinel, ar, SADM, SCATS, "", NULL, NULL, false, false }

/* Redis lists them in its hash order; we keep the order one 7.0.15 printed. */
static struct scmd sentinel_subs[] = {
	SUB("flushconfig", 2),
	SUB("failover", 3),
	SUB("monitor", 6),
	SUB("pending-scripts", 2),
	SUB("debug", -2),
	SUB("slaves", 3),
	SUB("remove", 3),
	SUB("simulate-failure", -3),
	SUB("is-master-down-by-addr", 6),
	SUB("myid", 2),
	SUB("config", -3),
	SUB("info-cache", -3),
	SUB("get-master-addr-by-name", 3),
	SUB("sentinels", 3),
	SUB("master", 3),
	SUB("ckquorum", 3),
	SUB("reset", 3),
	SUB("replicas", 3),
	{ "help", cmd_sentinel_help, 2, "loading stale", "@slow", "", NULL, NULL, false, false },
	SUB("masters", 2),
	SUB("set", -5),
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false, false }
};

/*
 * Beyond Redis: dispatched, but not listed (COMMAND COUNT, LIST, INFO and
 * DOCS stay as 7.0.15 has them).
 */
static struct scmd sentinel_hidden_subs[] = {
	SUB("history", 3),
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false, false }
};

static bool
hidden(const struct scmd *cmd)
{
	return cmd >= sentinel_hidden_subs &&
	    cmd < sentinel_hidden_subs + ARRAY_SIZE(sentinel_hidden_subs);
}

#define CSUB(n, ar, fl, cats, tips) { n, cmd_command, ar, fl, cats, tips, NULL, NULL, false, false }
static struct scmd command_subs[] = {
	CSUB("docs", -2, "loading stale", "@slow @connection", "nondeterministic_output_order"),
	CSUB("getkeysandflags", -4, "loading stale", "@slow @connection", ""),
	CSUB("count", 2, "loading stale", "@slow @connection", ""),
	CSUB("getkeys", -4, "loading stale", "@slow @connection", ""),
	CSUB("list", -2, "loading stale", "@slow @connection", "nondeterministic_output_order"),
	CSUB("help", 2, "loading stale", "@slow @connection", ""),
	CSUB("info", -2, "loading stale", "@slow @connection", "nondeterministic_output_order"),
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false, false }
};

#define CL_A	"admin noscript loading stale"
#define CL_N	"noscript loading stale"
#define CL_AC	"@admin @slow @dangerous @connection"
#define CL_C	"@slow @connection"
#define CLSUB(n, ar, fl, cats, tips) { n, cmd_client, ar, fl, cats, tips, NULL, NULL, false, false }
static struct scmd client_subs[] = {
	CLSUB("unblock", -3, CL_A, CL_AC, ""),
	CLSUB("id", 2, CL_N, CL_C, ""),
	CLSUB("trackinginfo", 2, CL_N, CL_C, ""),
	CLSUB("reply", 3, CL_N, CL_C, ""),
	CLSUB("help", 2, "loading stale", CL_C, ""),
	CLSUB("info", 2, CL_N, CL_C, "nondeterministic_output"),
	CLSUB("no-evict", 3, CL_A, CL_AC, ""),
	CLSUB("caching", 3, CL_N, CL_C, ""),
	CLSUB("unpause", 2, CL_A, CL_AC, ""),
	CLSUB("tracking", -3, CL_N, CL_C, ""),
	CLSUB("setname", 3, CL_N, CL_C, ""),
	CLSUB("getname", 2, CL_N, CL_C, ""),
	CLSUB("getredir", 2, CL_N, CL_C, ""),
	CLSUB("list", -2, CL_A, CL_AC, "nondeterministic_output"),
	CLSUB("pause", -3, CL_A, CL_AC, ""),
	CLSUB("kill", -3, CL_A, CL_AC, ""),
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false, false }
};

#define ASUB(n, ar, fl, cats) { n, cmd_acl, ar, fl, cats, "", NULL, NULL, false, false }
static struct scmd acl_subs[] = {
	ASUB("setuser", -3, CL_A, SCATS),
	ASUB("users", 2, CL_A, SCATS),
	ASUB("genpass", -2, CL_N, "@slow"),
	ASUB("dryrun", -4, CL_A, SCATS),
	ASUB("load", 2, CL_A, SCATS),
	ASUB("log", -2, CL_A, SCATS),
	ASUB("help", 2, "loading stale", "@slow"),
	ASUB("save", 2, CL_A, SCATS),
	ASUB("whoami", 2, CL_N, "@slow"),
	ASUB("deluser", -3, CL_A, SCATS),
	ASUB("list", 2, CL_A, SCATS),
	ASUB("getuser", 3, CL_A, SCATS),
	ASUB("cat", -2, CL_N, "@slow"),
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false, false }
};

#define TOP(n, fn, ar, fl, cats, tips, subs) { n, fn, ar, fl, cats, tips, subs, NULL, false, false }
static struct scmd table[] = {
	TOP("command", cmd_command, -1, "loading stale", "@slow @connection",
	    "nondeterministic_output_order", command_subs),
	TOP("sentinel", NULL, -2, SADM, SCATS, "", sentinel_subs),
	TOP("punsubscribe", cmd_punsubscribe, -1, "pubsub noscript loading stale", "@pubsub @slow", "", NULL),
	TOP("unsubscribe", cmd_unsubscribe, -1, "pubsub noscript loading stale", "@pubsub @slow", "", NULL),
	TOP("client", NULL, -2, "", "@slow", "", client_subs),
	TOP("role", cmd_role, 1, "noscript loading stale fast", "@admin @fast @dangerous", "", NULL),
	TOP("subscribe", cmd_subscribe, -2, "pubsub noscript loading stale", "@pubsub @slow", "", NULL),
	TOP("info", cmd_info, -1, "loading stale", "@slow @dangerous",
	    "nondeterministic_output request_policy:all_shards response_policy:special", NULL),
	TOP("acl", NULL, -2, "", "@slow", "", acl_subs),
	TOP("publish", cmd_publish, 3, "pubsub loading stale fast", "@pubsub @fast", "", NULL),
	TOP("auth", client_auth_command, -2, "noscript loading stale fast no_auth allow_busy",
	    "@fast @connection", "", NULL),
	TOP("psubscribe", cmd_psubscribe, -2, "pubsub noscript loading stale", "@pubsub @slow", "", NULL),
	TOP("shutdown", cmd_shutdown, -1, "admin noscript loading stale no_multi allow_busy",
	    "@admin @slow @dangerous", "", NULL),
	TOP("hello", cmd_hello, -1, "noscript loading stale fast no_auth allow_busy",
	    "@fast @connection", "", NULL),
	TOP("ping", cmd_ping, -1, "fast", "@fast @connection",
	    "request_policy:all_shards response_policy:all_succeeded", NULL),
};

static char		 process_runid[RUNID_LEN + 1];
static char		*executable;
static int64_t		 start_ms;
static void		(*shutdown_fn)(void);
static long long	 stat_commands;
static long long	 stat_errors;
static long long	 stat_conns;

static void	client_free_ud(struct client *);

static const struct client_ops ops = {
	commands_dispatch,
	client_free_ud,
};

/* The daemon hands these to client_module_init. */
const struct client_ops *
commands_client_ops(void)
{
	return &ops;
}

/* Names and flags the dispatch needs are derived once from the table. */
static void
prepare(struct scmd *cmd, const char *parent)
{
	cmd->fullname = parent ? xasprintf("%s|%s", parent, cmd->name) : xstrdup(cmd->name);
	cmd->noauth = strstr(cmd->flags, "no_auth") != NULL;
	cmd->subscribed_ok = cmd->fn == cmd_ping || cmd->fn == cmd_subscribe ||
	    cmd->fn == cmd_psubscribe || cmd->fn == cmd_unsubscribe ||
	    cmd->fn == cmd_punsubscribe;
	for (struct scmd *s = cmd->subs; s && s->name; s++)
		prepare(s, cmd->name);
}

/* Once per process: the table and the run id INFO shows. */
void
commands_init(void)
{
	if (table[0].fullname != NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		prepare(&table[i], NULL);
	for (struct scmd *s = sentinel_hidden_subs; s->name; s++)
		prepare(s, "sentinel");
	util_random_hex(process_runid, RUNID_LEN);
	start_ms = util_mono_ms();
	if (shutdown_fn == NULL)
		shutdown_fn = loop_stop;
}

/* INFO's executable line comes from argv[0], which only main() knows. */
void
commands_set_executable(const char *path)
{
	free(executable);
	executable = path ? xstrdup(path) : NULL;
}

/* How the daemon wants to go away after SHUTDOWN. */
void
commands_set_shutdown(void (*fn)(void))
{
	shutdown_fn = fn;
}

/* INFO run_id, distinct from SENTINEL MYID as in Redis. */
const char *
commands_runid(void)
{
	return process_runid;
}

/* Per-connection state, created on first use. */
static struct sclient *
sclient(struct client *c)
{
	if (c->ud == NULL) {
		c->ud = xcalloc(1, sizeof(struct sclient));
		stat_conns++;
	}
	return c->ud;
}

/* Tracking prefixes are the only memory a connection owns here. */
static void
tracking_clear(struct sclient *sc)
{
	for (size_t i = 0; i < sc->nprefixes; i++)
		free(sc->prefixes[i]);
	free(sc->prefixes);
	sc->prefixes = NULL;
	sc->nprefixes = 0;
}

/* client_ops.on_free: the connection is going away. */
static void
client_free_ud(struct client *c)
{
	if (c->ud != NULL) {
		tracking_clear(c->ud);
		free(c->ud);
		c->ud = NULL;
	}
}

/* Exported for daemons that build their own client_ops. */
void
commands_client_free(struct client *c)
{
	client_free_ud(c);
}

static bool
arg_is(const struct client *c, int i, const char *word)
{
	return i < c->argc && strcasecmp(c->argv[i], word) == 0;
}

static void
reply_syntax(struct client *c)
{
	client_err(c, "ERR syntax error");
}

/*
 * Case-insensitive lookup through a hash of the lower-case names: top-level
 * commands as "ping", subcommands as "sentinel|get-master-addr-by-name"
 * (every request goes through here; strcasecmp over the table was 6 % of
 * the time under redis-benchmark).
 */
static struct hmap	cmd_names;

static void
names_add(const char *key, struct scmd *cmd)
{
	char	*k = xstrdup(key);

	util_strtolower(k);
	hmap_insert(&cmd_names, k, strlen(k), NULL)->val = cmd;
	free(k);
}

static void
names_init(void)
{
	for (struct scmd *s = sentinel_hidden_subs; s->name; s++) {
		char	*full = xasprintf("sentinel|%s", s->name);

		names_add(full, s);
		free(full);
	}
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		names_add(table[i].name, &table[i]);
		for (struct scmd *s = table[i].subs; s && s->name; s++) {
			char	*full = xasprintf("%s|%s", table[i].name, s->name);

			names_add(full, s);
			free(full);
		}
	}
}

static struct scmd *
names_find(const char *a, const char *b)
{
	char			 key[96];
	size_t			 n = 0;
	struct hmap_entry	*e;

	if (cmd_names.count == 0)
		names_init();
	for (; *a != '\0'; a++) {
		if (n + 1 >= sizeof key)
			return NULL;
		key[n++] = (char)tolower((unsigned char)*a);
	}
	if (b != NULL) {
		key[n++] = '|';
		for (; *b != '\0'; b++) {
			if (n + 1 >= sizeof key)
				return NULL;
			key[n++] = (char)tolower((unsigned char)*b);
		}
	}
	e = hmap_find(&cmd_names, key, n);
	return e != NULL ? e->val : NULL;
}

static struct scmd *
lookup(const char *name)
{
	return strchr(name, '|') != NULL ? NULL : names_find(name, NULL);
}

static struct scmd *
lookup_sub(struct scmd *cmd, const char *name)
{
	/* A sub's own name may not contain '|': "sentinel|a|b" finds nothing. */
	if (strchr(name, '|') != NULL)
		return NULL;
	return names_find(cmd->name, name);
}

/* "name" or "name|sub", as COMMAND INFO and COMMAND DOCS take them. */
static struct scmd *
lookup_full(const char *name)
{
	const char *bar = strchr(name, '|');
	char top[64];
	struct scmd *cmd;

	if (bar == NULL)
		return lookup(name);
	if ((size_t)(bar - name) >= sizeof top)
		return NULL;
	memcpy(top, name, (size_t)(bar - name));
	top[bar - name] = '\0';
	if ((cmd = lookup(top)) == NULL || strchr(bar + 1, '|') != NULL)
		return NULL;
	cmd = lookup_sub(cmd, bar + 1);
	return cmd != NULL && !hidden(cmd) ? cmd : NULL;
}

/* Redis echoes the start of an unknown command's arguments, CR and LF blanked. */
static void
reply_unknown_command(struct client *c)
{
	struct buf args = BUF_INIT;

	for (int i = 1; i < c->argc && args.len < 128; i++)
		buf_appendf(&args, "'%.*s' ", (int)(128 - args.len), c->argv[i]);
	resp_errorf(&c->reply, "ERR unknown command '%.128s', with args beginning with: %s",
	    c->argv[0], args.len ? args.data : "");
	buf_free(&args);
}

static bool
arity_ok(const struct scmd *cmd, int argc)
{
	return (cmd->arity > 0 && argc == cmd->arity) ||
	    (cmd->arity < 0 && argc >= -cmd->arity);
}

/* Find the command and refuse what Redis refuses before running it. */
static struct scmd *
check(struct client *c)
{
	struct scmd *cmd = lookup(c->argv[0]);

	if (cmd != NULL && cmd->subs != NULL && c->argc >= 2) {
		struct scmd *sub = lookup_sub(cmd, c->argv[1]);

		if (sub == NULL) {
			char upper[64];

			snprintf(upper, sizeof upper, "%s", c->argv[0]);
			for (char *p = upper; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			resp_errorf(&c->reply, "ERR unknown subcommand '%.128s'. Try %s HELP.",
			    c->argv[1], upper);
			return NULL;
		}
		cmd = sub;
	}
	if (cmd == NULL) {
		reply_unknown_command(c);
		return NULL;
	}
	/*
	 * Beyond Redis, and not listed: SENTINEL FAILOVER <name> [<ip> <port>]
	 * [COORDINATED] (Valkey's word; ours is coordinated anyway).
	 */
	if (!arity_ok(cmd, c->argc) &&
	    !(c->argc >= 4 && c->argc <= 6 && strcasecmp(cmd->fullname, "sentinel|failover") == 0)) {
		resp_errorf(&c->reply, "ERR wrong number of arguments for '%s' command",
		    cmd->fullname);
		return NULL;
	}
	if (!c->authenticated && !cmd->noauth) {
		client_err(c, "NOAUTH Authentication required.");
		return NULL;
	}
	if (c->user != NULL && !c->user->allcommands && !cmd->noauth) {
		resp_errorf(&c->reply, "NOPERM this user has no permissions to run the '%s' command",
		    cmd->fullname);
		return NULL;
	}
	if (c->proto == 2 && pubsub_total(c) > 0 && !cmd->subscribed_ok) {
		resp_errorf(&c->reply, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
		    "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
		    cmd->fullname);
		return NULL;
	}
	return cmd;
}

/*
 * Run one request. QUIT is answered here, before the table: 7.0.15's
 * sentinel does not know it (quit.json lacks the SENTINEL flag), but
 * clients send it when they close and expect +OK.
 */
void
commands_dispatch(struct client *c)
{
	struct sclient *sc = sclient(c);
	size_t mark = c->reply.len;
	bool silent;
	struct scmd *cmd;

	if (c->argc <= 0)
		return;
	if (strcasecmp(c->argv[0], "quit") == 0) {
		client_ok(c);
		client_close_after_reply(c);
		return;
	}
	if (strcasecmp(c->argv[0], "host:") == 0 || strcasecmp(c->argv[0], "post") == 0) {
		log_warning("Possible SECURITY ATTACK detected. It looks like somebody is "
		    "sending POST or Host: commands to Redis. This is likely due to an "
		    "attacker attempting to use Cross Protocol Scripting to compromise your "
		    "Redis instance. Connection aborted.");
		client_close(c, "security attack");
		return;
	}
	silent = sc->reply_skip;
	sc->reply_skip = false;
	if ((cmd = check(c)) != NULL) {
		c->lastcmd = cmd->fullname;
		cmd->fn(c);
		stat_commands++;
	}
	if (c->reply.len > mark && c->reply.data[mark] == '-')
		stat_errors++;
	if (c->ud != sc)	/* the connection was reset meanwhile */
		return;
	if (sc->reply_skip_next) {
		sc->reply_skip_next = false;
		sc->reply_skip = true;
	}
	if ((sc->reply_off || silent) && c->reply.len > mark) {
		c->reply.len = mark;
		c->reply.data[mark] = '\0';
	}
}

/* Reply helpers for lists of words kept as one string. */
static size_t
count_words(const char *s)
{
	size_t n = 0;
	bool in = false;

	for (; s && *s; s++) {
		if (*s == ' ')
			in = false;
		else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

static void
reply_words(struct client *c, const char *s, bool bulk)
{
	char *copy = xstrdup(s ? s : ""), *save = NULL;

	resp_set(&c->reply, (long long)count_words(s), c->proto);
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (bulk)
			resp_bulk_str(&c->reply, w);
		else
			resp_simple(&c->reply, w);
	}
	free(copy);
}

/* One COMMAND INFO entry: 10 fields, subcommands nested as Redis 7.0 does. */
static void
info_entry(struct client *c, const struct scmd *cmd)
{
	size_t nsubs = 0;

	for (const struct scmd *s = cmd->subs; s && s->name; s++)
		nsubs++;
	client_array(c, 10);
	client_bulk_str(c, cmd->fullname);
	client_int(c, cmd->arity);
	reply_words(c, cmd->flags, false);
	client_int(c, 0);
	client_int(c, 0);
	client_int(c, 0);
	reply_words(c, cmd->cats, false);
	reply_words(c, cmd->tips, true);
	client_set(c, 0);	/* key specs: none of ours has keys */
	if (cmd->subs == NULL) {
		client_set(c, 0);
		return;
	}
	client_array(c, (long long)nsubs);
	for (const struct scmd *s = cmd->subs; s && s->name; s++)
		info_entry(c, s);
}

static void
command_help(struct client *c)
{
	static const char *help[] = {
		"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
		"HELP",
		"    Prints this help.",
	};

	client_array(c, ARRAY_SIZE(help));
	for (size_t i = 0; i < ARRAY_SIZE(help); i++)
		resp_simple(&c->reply, help[i]);
}

/* Does cmd belong to ACL category cat (given without '@')? */
static bool
in_category(const struct scmd *cmd, const char *cat)
{
	char want[64];
	size_t n = strlen(cmd->cats);

	snprintf(want, sizeof want, "@%s", cat);
	for (const char *p = cmd->cats; (p = strcasestr(p, want)) != NULL; p++) {
		size_t e = (size_t)(p - cmd->cats) + strlen(want);

		if ((p == cmd->cats || p[-1] == ' ') && (e == n || cmd->cats[e] == ' '))
			return true;
	}
	return false;
}

/* COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]. */
static void
command_list(struct client *c)
{
	struct buf tmp = BUF_INIT;
	long long n = 0;
	int how = 0;	/* 0 all, 1 module, 2 aclcat, 3 pattern */

	if (c->argc == 5 && arg_is(c, 2, "filterby")) {
		if (arg_is(c, 3, "module"))
			how = 1;
		else if (arg_is(c, 3, "aclcat"))
			how = 2;
		else if (arg_is(c, 3, "pattern"))
			how = 3;
	}
	if (c->argc != 2 && how == 0) {
		reply_syntax(c);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct scmd *cmd = &table[i];
		const struct scmd *s = cmd->subs;

		for (;;) {
			bool want = how == 0 ||
			    (how == 2 && in_category(cmd, c->argv[4])) ||
			    (how == 3 && match_globs(c->argv[4], cmd->fullname, true));

			if (want) {
				resp_bulk_str(&tmp, cmd->fullname);
				n++;
			}
			if (s == NULL || s->name == NULL)
				break;
			cmd = s++;
		}
	}
	client_array(c, n);
	buf_append(&c->reply, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* COMMAND GETKEYS / GETKEYSANDFLAGS: none of our commands takes keys. */
static void
command_getkeys(struct client *c)
{
	struct scmd *cmd = lookup(c->argv[2]);

	if (cmd != NULL && cmd->subs != NULL && c->argc >= 4)
		cmd = lookup_sub(cmd, c->argv[3]);
	if (cmd == NULL) {
		client_err(c, "ERR Invalid command specified");
		return;
	}
	if (!arity_ok(cmd, c->argc - 2)) {
		client_err(c, "ERR Invalid number of arguments specified for command");
		return;
	}
	client_err(c, "ERR The command has no key arguments");
}

/* COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP]. */
static void
cmd_command(struct client *c)
{
	if (c->argc == 1 || (arg_is(c, 1, "info") && c->argc == 2)) {
		client_array(c, (long long)ARRAY_SIZE(table));
		for (size_t i = 0; i < ARRAY_SIZE(table); i++)
			info_entry(c, &table[i]);
	} else if (arg_is(c, 1, "count")) {
		client_int(c, (long long)ARRAY_SIZE(table));
	} else if (arg_is(c, 1, "info")) {
		client_array(c, c->argc - 2);
		for (int i = 2; i < c->argc; i++) {
			const struct scmd *cmd = lookup_full(c->argv[i]);

			if (cmd != NULL)
				info_entry(c, cmd);
			else
				client_null(c);
		}
	} else if (arg_is(c, 1, "list")) {
		command_list(c);
	} else if (arg_is(c, 1, "docs")) {
		/*
		 * The documentation (summaries, arguments, history) is not
		 * shipped: an empty map, what Redis gives for unknown names.
		 */
		client_map(c, 0);
	} else if (arg_is(c, 1, "getkeys") || arg_is(c, 1, "getkeysandflags")) {
		command_getkeys(c);
	} else {
		command_help(c);
	}
}

/* PING [message]; in a RESP2 subscribed context it answers as a message. */
static void
cmd_ping(struct client *c)
{
	client_ping_command(c);
}

/* ROLE: "sentinel" and the names of the monitored masters. */
static void
cmd_role(struct client *c)
{
	client_array(c, 2);
	client_bulk_str(c, "sentinel");
	client_array(c, (long long)sentinel.nmasters);
	for (size_t i = 0; i < sentinel.nmasters; i++)
		client_bulk_str(c, sentinel.masters[i]->name);
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]: six fields in sentinel mode. */
static void
cmd_hello(struct client *c)
{
	int bad = client_hello(c);

	if (bad > 0)
		resp_errorf(&c->reply, "ERR Syntax error in HELLO option '%s'", c->argv[bad]);
	if (bad != 0)
		return;
	client_hello_reply(c, 6, COMMANDS_REDIS_VERSION);
	client_bulk_str(c, "mode");
	client_bulk_str(c, "sentinel");
	client_bulk_str(c, "modules");
	client_array(c, 0);
}

/* ACL: the whole subsystem lives in acl.c. */
static void
cmd_acl(struct client *c)
{
	acl_command(&c->reply, c->proto, c->user ? c->user->name : NULL,
	    c->argc, c->argv, c->argvlen);
}

static void
cmd_subscribe(struct client *c)
{
	for (int i = 1; i < c->argc; i++)
		pubsub_subscribe(c, c->argv[i], c->argvlen[i], false);
}

static void
cmd_psubscribe(struct client *c)
{
	for (int i = 1; i < c->argc; i++)
		pubsub_subscribe(c, c->argv[i], c->argvlen[i], true);
}

static void
unsubscribe(struct client *c, bool pattern)
{
	if (c->argc == 1) {
		pubsub_unsubscribe_all(c, pattern, true);
		return;
	}
	for (int i = 1; i < c->argc; i++)
		pubsub_unsubscribe(c, c->argv[i], c->argvlen[i], pattern);
}

static void
cmd_unsubscribe(struct client *c)
{
	unsubscribe(c, false);
}

static void
cmd_punsubscribe(struct client *c)
{
	unsubscribe(c, true);
}

/* PUBLISH: peers push their hellos this way; nothing else is accepted. */
static void
cmd_publish(struct client *c)
{
	if (strcmp(c->argv[1], SENTINEL_HELLO_CHANNEL) != 0) {
		client_err(c, "ERR Only HELLO messages are accepted by Sentinel instances.");
		return;
	}
	monitor_process_hello(c->argv[2], c->argvlen[2]);
	client_int(c, 1);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: a sentinel has nothing to save. */
static void
cmd_shutdown(struct client *c)
{
	bool save = false, nosave = false, other = false, abort_ = false;

	for (int i = 1; i < c->argc; i++) {
		if (arg_is(c, i, "nosave"))
			nosave = true;
		else if (arg_is(c, i, "save"))
			save = true;
		else if (arg_is(c, i, "now") || arg_is(c, i, "force"))
			other = true;
		else if (arg_is(c, i, "abort"))
			abort_ = true;
		else {
			reply_syntax(c);
			return;
		}
	}
	if ((abort_ && (save || nosave || other)) || (save && nosave)) {
		reply_syntax(c);
		return;
	}
	if (abort_) {
		client_err(c, "ERR No shutdown in progress.");
		return;
	}
	log_warning("User requested shutdown...");
	/* No config rewrite: 7.0.15 does not save the sentinel state here either. */
	log_warning("Sentinel is now ready to exit, bye bye...");
	if (shutdown_fn != NULL)
		shutdown_fn();
}

/* ---------------------------------------------------------------- INFO */

static void
info_server(struct buf *b)
{
	struct utsname un;
	int64_t up = (util_mono_ms() - start_ms) / 1000;
	long long wall_us = util_wall_us();
	char cwdpath[4096];
	const char *exe = executable;

	if (uname(&un) != 0)
		memset(&un, 0, sizeof un);
	if (exe != NULL && exe[0] != '/' && getcwd(cwdpath, sizeof cwdpath) != NULL) {
		size_t n = strlen(cwdpath);

		snprintf(cwdpath + n, sizeof cwdpath - n, "/%s", exe);
		exe = cwdpath;
	}
	buf_appendf(b, "# Server\r\n"
	    "redis_version:%s\r\n"
	    "redis_git_sha1:00000000\r\n"
	    "redis_git_dirty:0\r\n"
	    "redis_build_id:0000000000000000\r\n"
	    "redis_mode:sentinel\r\n"
	    "os:%s %s %s\r\n"
	    "arch_bits:%d\r\n"
	    "monotonic_clock:POSIX clock_gettime\r\n"
	    "multiplexing_api:%s\r\n"
	    "atomicvar_api:c11-builtin\r\n",
	    COMMANDS_REDIS_VERSION, un.sysname, un.release, un.machine,
	    (int)(sizeof(long) * 8),
	    loop_base() ? event_base_get_method(loop_base()) : "epoll");
#if defined(__GNUC__)
	buf_appendf(b, "gcc_version:%d.%d.%d\r\n", __GNUC__, __GNUC_MINOR__,
	    __GNUC_PATCHLEVEL__);
#else
	buf_appends(b, "gcc_version:0.0.0\r\n");
#endif
	buf_appendf(b, "process_id:%ld\r\n"
	    "process_supervised:%s\r\n"
	    "run_id:%s\r\n"
	    "tcp_port:%d\r\n"
	    "server_time_usec:%lld\r\n"
	    "uptime_in_seconds:%lld\r\n"
	    "uptime_in_days:%lld\r\n"
	    "hz:10\r\n"
	    "configured_hz:10\r\n"
	    "lru_clock:%lld\r\n"
	    "executable:%s\r\n"
	    "config_file:%s\r\n"
	    "io_threads_active:0\r\n"
	    "sentinel_version:%s\r\n",
	    (long)getpid(),
	    sconf.supervised == SCONF_SUPERVISED_SYSTEMD ? "systemd" :
	    sconf.supervised == SCONF_SUPERVISED_UPSTART ? "upstart" : "no",
	    process_runid, sconf.port,
	    wall_us, (long long)up, (long long)(up / 86400),
	    (wall_us / 1000000) & ((1 << 24) - 1),
	    exe ? exe : "", sconf.path ? sconf.path : "",
	    PACKAGE_VERSION);
}

static void
info_clients(struct buf *b)
{
	struct client *o;
	size_t maxq = 0;

	TAILQ_FOREACH(o, client_all(), entry)
		if (o->query.cap > maxq)
			maxq = o->query.cap;
	buf_appendf(b, "# Clients\r\n"
	    "connected_clients:%zu\r\n"
	    "cluster_connections:0\r\n"
	    "maxclients:%d\r\n"
	    "client_recent_max_input_buffer:%zu\r\n"
	    "client_recent_max_output_buffer:0\r\n"
	    "blocked_clients:0\r\n"
	    "tracking_clients:0\r\n"
	    "clients_in_timeout_table:0\r\n",
	    client_count(), client_limits() ? client_limits()->maxclients : 10000, maxq);
}

static void
info_stats(struct buf *b)
{
	static const char *zeros[] = {
		"total_net_repl_input_bytes", "total_net_repl_output_bytes",
	};
	static const char *zeros2[] = {
		"rejected_connections", "sync_full", "sync_partial_ok", "sync_partial_err",
		"expired_keys",
	};
	static const char *zeros3[] = {
		"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds",
		"evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
		"current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses",
	};
	static const char *zeros4[] = {
		"pubsubshard_channels", "latest_fork_usec", "total_forks",
		"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
		"active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
		"total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys",
		"tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies",
	};
	static const char *zeros5[] = {
		"dump_payload_sanitizations", "total_reads_processed", "total_writes_processed",
		"io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands",
	};

	buf_appendf(b, "# Stats\r\n"
	    "total_connections_received:%lld\r\n"
	    "total_commands_processed:%lld\r\n"
	    "instantaneous_ops_per_sec:0\r\n"
	    "total_net_input_bytes:0\r\n"
	    "total_net_output_bytes:0\r\n", stat_conns, stat_commands);
	for (size_t i = 0; i < ARRAY_SIZE(zeros); i++)
		buf_appendf(b, "%s:0\r\n", zeros[i]);
	buf_appends(b, "instantaneous_input_kbps:0.00\r\n"
	    "instantaneous_output_kbps:0.00\r\n"
	    "instantaneous_input_repl_kbps:0.00\r\n"
	    "instantaneous_output_repl_kbps:0.00\r\n");
	for (size_t i = 0; i < ARRAY_SIZE(zeros2); i++)
		buf_appendf(b, "%s:0\r\n", zeros2[i]);
	buf_appends(b, "expired_stale_perc:0.00\r\n");
	for (size_t i = 0; i < ARRAY_SIZE(zeros3); i++)
		buf_appendf(b, "%s:0\r\n", zeros3[i]);
	buf_appendf(b, "pubsub_channels:%zu\r\npubsub_patterns:%zu\r\n",
	    pubsub_nchannels(), pubsub_numpat());
	for (size_t i = 0; i < ARRAY_SIZE(zeros4); i++)
		buf_appendf(b, "%s:0\r\n", zeros4[i]);
	buf_appendf(b, "total_error_replies:%lld\r\n", stat_errors);
	for (size_t i = 0; i < ARRAY_SIZE(zeros5); i++)
		buf_appendf(b, "%s:0\r\n", zeros5[i]);
}

static void
rusage_line(struct buf *b, const char *name, const struct timeval *tv)
{
	buf_appendf(b, "%s:%ld.%06ld\r\n", name, (long)tv->tv_sec, (long)tv->tv_usec);
}

static void
info_cpu(struct buf *b)
{
	struct rusage self, children, thread;

	memset(&self, 0, sizeof self);
	memset(&children, 0, sizeof children);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
#ifdef RUSAGE_THREAD
	memset(&thread, 0, sizeof thread);
	getrusage(RUSAGE_THREAD, &thread);
#else
	thread = self;
#endif
	buf_appends(b, "# CPU\r\n");
	rusage_line(b, "used_cpu_sys", &self.ru_stime);
	rusage_line(b, "used_cpu_user", &self.ru_utime);
	rusage_line(b, "used_cpu_sys_children", &children.ru_stime);
	rusage_line(b, "used_cpu_user_children", &children.ru_utime);
	rusage_line(b, "used_cpu_sys_main_thread", &thread.ru_stime);
	rusage_line(b, "used_cpu_user_main_thread", &thread.ru_utime);
}

static void
info_sentinel(struct buf *b)
{
	int64_t now = loop_now_ms();
	unsigned long long ok = 0, aborted = 0, switches = 0;

	buf_appendf(b, "# Sentinel\r\n"
	    "sentinel_masters:%zu\r\n"
	    "sentinel_tilt:%d\r\n"
	    "sentinel_tilt_since_seconds:%lld\r\n"
	    "sentinel_running_scripts:%d\r\n"
	    "sentinel_scripts_queue_length:%d\r\n"
	    "sentinel_simulate_failure_flags:%d\r\n",
	    sentinel.nmasters, sentinel.tilt ? 1 : 0,
	    sentinel.tilt ? (long long)((now - sentinel.tilt_start_time) / 1000) : -1LL,
	    script_running(), script_queued(), sentinel.simfailure_flags);
	/* Beyond Redis: the counters /metrics has too. */
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		const struct history *h = sentinel.masters[i]->history;

		if (h == NULL)
			continue;
		ok += h->results[OUT_OK] + h->results[OUT_TIMEOUT];
		aborted += history_aborted(h);
		switches += h->switches;
	}
	buf_appendf(b, "sentinel_current_epoch:%llu\r\n"
	    "sentinel_tilt_entered:%llu\r\n"
	    "sentinel_tilt_seconds:%lld\r\n"
	    "sentinel_config_flushes:%llu\r\n"
	    "sentinel_config_flush_usec:%llu\r\n"
	    "sentinel_events:%llu\r\n"
	    "sentinel_failovers_ok:%llu\r\n"
	    "sentinel_failovers_aborted:%llu\r\n"
	    "sentinel_switches:%llu\r\n"
	    "sentinel_event_loop_lag_max_ms:%lld\r\n"
	    "sentinel_events_by_type:",
	    (unsigned long long)sentinel.current_epoch, stats.tilt_entered,
	    (long long)(stats_tilt_ms(now) / 1000), stats.config_flushes, stats.config_flush_us,
	    stats.events_total, ok, aborted, switches, (long long)(stats.loop_lag_max_us / 1000));
	for (size_t i = 0; i < stats.nevents; i++)
		buf_appendf(b, "%s%s=%llu", i ? "," : "", stats.events[i].type, stats.events[i].n);
	buf_appends(b, "\r\n");
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		const struct instance *m = sentinel.masters[i];
		const char *status = (m->flags & INST_O_DOWN) ? "odown" :
		    (m->flags & INST_S_DOWN) ? "sdown" : "ok";

		buf_appendf(b, "master%zu:name=%s,status=%s,address=%s:%d,"
		    "slaves=%zu,sentinels=%zu\r\n", i, m->name, status,
		    cmd_sentinel_shown_ip(m), m->port, m->nreplicas, m->nsentinels + 1);
	}
	/*
	 * Scripts match Redis's masterN lines to their end ("sentinels=3$"):
	 * ours come on lines of their own, after them.
	 */
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		const struct instance *m = sentinel.masters[i];
		const struct history *h = m->history;

		buf_appendf(b, "sentinel_master%zu:name=%s,config_epoch=%llu,"
		    "replicas_reachable=%zu,sentinels_reachable=%zu,failovers_ok=%llu,"
		    "failovers_aborted=%llu,switches=%llu\r\n", i, m->name,
		    (unsigned long long)m->config_epoch,
		    monitor_reachable(m->replicas, m->nreplicas),
		    monitor_reachable(m->sentinels, m->nsentinels),
		    h ? h->results[OUT_OK] + h->results[OUT_TIMEOUT] : 0,
		    h ? history_aborted(h) : 0, h ? h->switches : 0);
	}
}

/*
 * INFO [section ...]: server, clients, stats, cpu and sentinel, printed in
 * that order whatever the order asked; "all", "everything" and "default"
 * (and no argument) mean the five; other names are ignored.
 */
static void
cmd_info(struct client *c)
{
	static const char *names[] = { "server", "clients", "stats", "cpu", "sentinel" };
	static void (*const fns[])(struct buf *) = {
		info_server, info_clients, info_stats, info_cpu, info_sentinel,
	};
	bool want[ARRAY_SIZE(names)];
	struct buf b = BUF_INIT;

	memset(want, c->argc == 1, sizeof want);
	for (int i = 1; i < c->argc; i++) {
		if (arg_is(c, i, "all") || arg_is(c, i, "everything") || arg_is(c, i, "default")) {
			memset(want, 1, sizeof want);
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			if (arg_is(c, i, names[k]))
				want[k] = true;
	}
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		if (!want[k])
			continue;
		if (b.len > 0)
			buf_appends(&b, "\r\n");
		fns[k](&b);
	}
	client_bulk(c, b.data ? b.data : "", b.len);
	buf_free(&b);
}

/* -------------------------------------------------------------- CLIENT */

static void
client_list(struct client *c)
{
	if (!client_list_command(c))
		resp_errorf(&c->reply, "ERR Unknown client type '%s'", c->argv[3]);
}

static void
client_help(struct client *c)
{
	static const char *help[] = {
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"HELP",
		"    Prints this help.",
	};

	client_array(c, ARRAY_SIZE(help));
	for (size_t i = 0; i < ARRAY_SIZE(help); i++)
		resp_simple(&c->reply, help[i]);
}

/*
 * CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN]
 * [OPTOUT] [NOLOOP]: a sentinel has no keys, so nothing is ever
 * invalidated; the mode is kept for TRACKINGINFO and CACHING.
 */
static void
client_tracking(struct client *c, struct sclient *sc)
{
	bool on, bcast = false, optin = false, optout = false, noloop = false;
	long long redir = 0;
	int first_prefix = 0, nprefix = 0;

	if (arg_is(c, 2, "on"))
		on = true;
	else if (arg_is(c, 2, "off"))
		on = false;
	else {
		reply_syntax(c);
		return;
	}
	for (int i = 3; i < c->argc; i++) {
		int more = c->argc - 1 - i;

		if (arg_is(c, i, "redirect") && more) {
			i++;
			if (!util_parse_ll(c->argv[i], c->argvlen[i], &redir)) {
				client_err(c, "ERR value is not an integer or out of range");
				return;
			}
			if (client_by_id((uint64_t)redir) == NULL) {
				client_err(c, "ERR The client ID you want redirect to does not exist");
				return;
			}
		} else if (arg_is(c, i, "bcast")) {
			bcast = true;
		} else if (arg_is(c, i, "optin")) {
			optin = true;
		} else if (arg_is(c, i, "optout")) {
			optout = true;
		} else if (arg_is(c, i, "noloop")) {
			noloop = true;
		} else if (arg_is(c, i, "prefix") && more) {
			if (first_prefix == 0)
				first_prefix = i + 1;
			nprefix++;
			i++;
		} else {
			reply_syntax(c);
			return;
		}
	}
	if (!on) {
		tracking_clear(sc);
		sc->tracking = sc->tracking_bcast = sc->tracking_optin = false;
		sc->tracking_optout = sc->tracking_noloop = false;
		sc->tracking_caching = 0;
		sc->tracking_redirect = 0;
		client_ok(c);
		return;
	}
	if (optin && optout) {
		client_err(c, "ERR You can't use both OPTIN and OPTOUT");
		return;
	}
	if (nprefix > 0 && !bcast) {
		client_err(c, "ERR PREFIX option requires BCAST mode to be enabled");
		return;
	}
	if (sc->tracking && (sc->tracking_bcast != bcast)) {
		client_err(c, "ERR You can't switch BCAST mode on/off before disabling tracking "
		    "for this client, and then re-enabling it with a different mode.");
		return;
	}
	if (bcast && (optin || optout)) {
		client_err(c, "ERR OPTIN and OPTOUT are not compatible with BCAST");
		return;
	}
	tracking_clear(sc);
	for (int i = first_prefix; nprefix > 0 && i < c->argc; i++) {
		if (arg_is(c, i - 1, "prefix")) {
			sc->prefixes = xreallocarray(sc->prefixes, sc->nprefixes + 1,
			    sizeof *sc->prefixes);
			sc->prefixes[sc->nprefixes++] = xstrdup(c->argv[i]);
		}
	}
	sc->tracking = true;
	sc->tracking_bcast = bcast;
	sc->tracking_optin = optin;
	sc->tracking_optout = optout;
	sc->tracking_noloop = noloop;
	sc->tracking_caching = 0;
	sc->tracking_redirect = (uint64_t)redir;
	client_ok(c);
}

static void
client_trackinginfo(struct client *c, struct sclient *sc)
{
	int n = 0;

	client_map(c, 3);
	client_bulk_str(c, "flags");
	if (!sc->tracking) {
		client_set(c, 1);
		client_bulk_str(c, "off");
	} else {
		n = 1 + sc->tracking_bcast + sc->tracking_optin + sc->tracking_optout +
		    (sc->tracking_caching != 0) + sc->tracking_noloop;
		client_set(c, n);
		client_bulk_str(c, "on");
		if (sc->tracking_bcast)
			client_bulk_str(c, "bcast");
		if (sc->tracking_optin)
			client_bulk_str(c, "optin");
		if (sc->tracking_optout)
			client_bulk_str(c, "optout");
		if (sc->tracking_caching > 0)
			client_bulk_str(c, "caching-yes");
		else if (sc->tracking_caching < 0)
			client_bulk_str(c, "caching-no");
		if (sc->tracking_noloop)
			client_bulk_str(c, "noloop");
	}
	client_bulk_str(c, "redirect");
	client_int(c, sc->tracking ? (long long)sc->tracking_redirect : -1);
	client_bulk_str(c, "prefixes");
	client_array(c, (long long)sc->nprefixes);
	for (size_t i = 0; i < sc->nprefixes; i++)
		client_bulk_str(c, sc->prefixes[i]);
}

static void
client_caching(struct client *c, struct sclient *sc)
{
	if (!sc->tracking) {
		client_err(c, "ERR CLIENT CACHING can be called only when the client is in "
		    "tracking mode with OPTIN or OPTOUT mode enabled");
		return;
	}
	if (arg_is(c, 2, "yes")) {
		if (!sc->tracking_optin) {
			client_err(c, "ERR CLIENT CACHING YES is only valid when tracking is "
			    "enabled in OPTIN mode.");
			return;
		}
		sc->tracking_caching = 1;
	} else if (arg_is(c, 2, "no")) {
		if (!sc->tracking_optout) {
			client_err(c, "ERR CLIENT CACHING NO is only valid when tracking is "
			    "enabled in OPTOUT mode.");
			return;
		}
		sc->tracking_caching = -1;
	} else {
		reply_syntax(c);
		return;
	}
	client_ok(c);
}

/*
 * CLIENT PAUSE timeout [WRITE|ALL]. Validated as Redis does; the pause
 * itself is not applied (a sentinel has no write commands, and pausing
 * every client would need support in client.c).
 */
static void
client_pause(struct client *c)
{
	long long ms;

	if (!util_parse_ll(c->argv[2], c->argvlen[2], &ms)) {
		client_err(c, "ERR timeout is not an integer or out of range");
		return;
	}
	if (ms < 0) {
		client_err(c, "ERR timeout is negative");
		return;
	}
	if (c->argc == 4 && !arg_is(c, 3, "write") && !arg_is(c, 3, "all")) {
		reply_syntax(c);
		return;
	}
	if (c->argc > 4) {
		reply_syntax(c);
		return;
	}
	client_ok(c);
}

/* CLIENT <subcommand>: the table already checked the name and arity. */
static void
cmd_client(struct client *c)
{
	struct sclient *sc = sclient(c);
	const char *sub = c->argv[1];

	if (!strcasecmp(sub, "id")) {
		client_int(c, (long long)c->id);
	} else if (!strcasecmp(sub, "info")) {
		client_info_command(c);
	} else if (!strcasecmp(sub, "list")) {
		client_list(c);
	} else if (!strcasecmp(sub, "kill")) {
		client_kill_command(c);
	} else if (!strcasecmp(sub, "setname")) {
		if (client_set_name(c, 2))
			client_ok(c);
	} else if (!strcasecmp(sub, "getname")) {
		if (c->name)
			client_bulk_str(c, c->name);
		else
			client_null(c);
	} else if (!strcasecmp(sub, "reply")) {
		if (arg_is(c, 2, "on")) {
			sc->reply_off = sc->reply_skip = sc->reply_skip_next = false;
			client_ok(c);
		} else if (arg_is(c, 2, "off")) {
			sc->reply_off = true;
		} else if (arg_is(c, 2, "skip")) {
			if (!sc->reply_off)
				sc->reply_skip_next = true;
		} else
			reply_syntax(c);
	} else if (!strcasecmp(sub, "no-evict")) {
		if (arg_is(c, 2, "on") || arg_is(c, 2, "off"))
			client_ok(c);
		else
			reply_syntax(c);
	} else if (!strcasecmp(sub, "unblock")) {
		long long id;

		if (!util_parse_ll(c->argv[2], c->argvlen[2], &id)) {
			client_err(c, "ERR value is not an integer or out of range");
			return;
		}
		if (c->argc == 4 && !arg_is(c, 3, "timeout") && !arg_is(c, 3, "error")) {
			client_err(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
			return;
		}
		if (c->argc > 4) {
			reply_syntax(c);
			return;
		}
		client_int(c, 0);	/* nothing ever blocks here */
	} else if (!strcasecmp(sub, "pause")) {
		client_pause(c);
	} else if (!strcasecmp(sub, "unpause")) {
		client_ok(c);
	} else if (!strcasecmp(sub, "tracking")) {
		client_tracking(c, sc);
	} else if (!strcasecmp(sub, "trackinginfo")) {
		client_trackinginfo(c, sc);
	} else if (!strcasecmp(sub, "getredir")) {
		client_int(c, sc->tracking ? (long long)sc->tracking_redirect : -1);
	} else if (!strcasecmp(sub, "caching")) {
		client_caching(c, sc);
	} else {
		client_help(c);
	}
}
