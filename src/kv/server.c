/*
 * server.c - the checks every request goes through before its command
 * runs (arity, auth, permissions, persistence errors, read-only replica,
 * subscribed context, loading, MULTI queuing), in Redis's order.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "client.h"
#include "pubsub.h"
#include "log.h"
#include "loop.h"
#include "persist.h"
#include "repl.h"
#include "server.h"
#include "util.h"

struct server srv;

/* A queued command of a MULTI block. */
struct queued {
	const struct kv_command	*cmd;
	int			 argc;
	char			**argv;
	size_t			*argvlen;
};

/* Per-client state of sentinel-kv. */
struct kvclient {
	struct queued	*q;
	size_t		 nq, capq;
};

static struct kvclient *
kvc(struct client *c)
{
	if (c->ud == NULL)
		c->ud = xcalloc(1, sizeof(struct kvclient));
	return c->ud;
}

static void
multi_clear(struct client *c)
{
	struct kvclient *k = c->ud;

	if (k != NULL) {
		for (size_t i = 0; i < k->nq; i++) {
			for (int j = 0; j < k->q[i].argc; j++)
				free(k->q[i].argv[j]);
			free(k->q[i].argv);
			free(k->q[i].argvlen);
		}
		k->nq = 0;
	}
	c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
	c->multi_len = -1;
}

void
server_client_free(struct client *c)
{
	repl_client_gone(c);
	multi_clear(c);
	if (c->ud != NULL) {
		free(((struct kvclient *)c->ud)->q);
		free(c->ud);
		c->ud = NULL;
	}
}

void
server_dirty(long long n)
{
	srv.dirty += n;
}

bool
server_is_replica(void)
{
	return srv.masterhost != NULL;
}

bool
arg_eq(const struct client *c, int i, const char *word)
{
	return i < c->argc && strcasecmp(c->argv[i], word) == 0;
}

/* Lookups made to read count as keyspace hits or misses, as in Redis. */
struct hmap_entry *
server_find_read(struct client *c, int i)
{
	struct hmap_entry *e = db_find(c->db, c->argv[i], c->argvlen[i]);

	if (e != NULL)
		db_stat_hits++;
	else
		db_stat_misses++;
	return e;
}

/* The value of type t at key argument i (NULL when missing); false after WRONGTYPE. */
bool
server_lookup_typed(struct client *c, int i, bool read, int type, struct obj **op)
{
	struct hmap_entry *e = read ? server_find_read(c, i) :
	    db_find(c->db, c->argv[i], c->argvlen[i]);
	struct obj *o = e != NULL ? e->val : NULL;

	if (o != NULL && (int)o->type != type) {
		reply_wrongtype(c);
		return false;
	}
	*op = o;
	return true;
}

void
reply_syntax_error(struct client *c)
{
	client_err(c, "ERR syntax error");
}

void
reply_wrongtype(struct client *c)
{
	client_err(c, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

void
reply_not_integer(struct client *c)
{
	client_err(c, "ERR value is not an integer or out of range");
}

bool
arg_ll(struct client *c, int i, long long *v)
{
	if (!util_parse_ll(c->argv[i], c->argvlen[i], v)) {
		reply_not_integer(c);
		return false;
	}
	return true;
}

bool
arg_ll_range(struct client *c, int i, long long min, long long max, long long *v, const char *err)
{
	if (!util_parse_ll(c->argv[i], c->argvlen[i], v) || *v < min || *v > max) {
		client_err(c, err ? err : "ERR value is not an integer or out of range");
		return false;
	}
	return true;
}

/* Redis echoes the start of an unknown command's arguments. */
static void
reply_unknown_command(struct client *c)
{
	struct buf args = BUF_INIT;
	char msg[1024];

	for (int i = 1; i < c->argc && args.len < 128; i++) {
		buf_appendf(&args, "'%.*s' ", (int)(c->argvlen[i] > 128 ? 128 : c->argvlen[i]),
		    c->argv[i]);
	}
	snprintf(msg, sizeof msg, "ERR unknown command '%.128s', with args beginning with: %s",
	    c->argv[0], args.len ? args.data : "");
	buf_free(&args);
	client_err(c, msg);
}

static bool
arity_ok(const struct kv_command *cmd, int argc)
{
	return (cmd->arity > 0 && argc == cmd->arity) ||
	    (cmd->arity < 0 && argc >= -cmd->arity);
}

/* Refuse a command; inside MULTI this dooms the EXEC. */
static void
reject(struct client *c, const char *msg)
{
	if (c->flags & CLIENT_MULTI)
		c->flags |= CLIENT_DIRTY_EXEC;
	client_err(c, msg);
}

void
server_call(struct client *c, const struct kv_command *cmd)
{
	int64_t start = util_mono_us();
	struct kv_command *mcmd = (struct kv_command *)cmd;

	long long dirty = srv.dirty;

	c->lastcmd = cmd->fullname;
	cmd->fn(c);
	repl_after_call(c, cmd, dirty);
	mcmd->calls++;
	mcmd->usec += util_mono_us() - start;
	srv.stat_commands++;
}

/* Is a MISCONF answer due? */
static bool
disk_error(void)
{
	return srv.stop_writes_on_bgsave_error && srv.nsaves > 0 && !srv.lastbgsave_ok;
}

static void
queue_command(struct client *c, const struct kv_command *cmd)
{
	struct kvclient *k = kvc(c);
	struct queued *q;

	if (k->nq == k->capq) {
		k->capq = k->capq ? k->capq * 2 : 8;
		k->q = xreallocarray(k->q, k->capq, sizeof *k->q);
	}
	q = &k->q[k->nq++];
	q->cmd = cmd;
	q->argc = c->argc;
	q->argv = xreallocarray(NULL, (size_t)c->argc, sizeof *q->argv);
	q->argvlen = xreallocarray(NULL, (size_t)c->argc, sizeof *q->argvlen);
	for (int i = 0; i < c->argc; i++) {
		q->argv[i] = xmemdup(c->argv[i], c->argvlen[i]);
		q->argvlen[i] = c->argvlen[i];
	}
	c->multi_len = (int)k->nq;
	resp_simple(&c->reply, "QUEUED");
}

static void	dispatch(struct client *);

/*
 * Run one request. The master's stream is run the same way, but its
 * replies go nowhere and the bytes it consumed move our offset.
 */
void
server_dispatch(struct client *c)
{
	size_t keep;

	if (!(c->flags & CLIENT_MASTER)) {
		dispatch(c);
		return;
	}
	keep = c->reply.len;
	db_set_from_master(true);
	dispatch(c);
	db_set_from_master(false);
	c->reply.len = keep;
	if (c->reply.cap > 0)
		c->reply.data[keep] = '\0';
	repl_master_applied(c);
}

static void
dispatch(struct client *c)
{
	const struct kv_command *cmd = cmd_lookup(c->argv[0]);

	if (cmd == NULL) {
		if (c->flags & CLIENT_MULTI)
			c->flags |= CLIENT_DIRTY_EXEC;
		reply_unknown_command(c);
		return;
	}
	if (cmd->subs != NULL && c->argc >= 2) {
		const struct kv_command *sub = cmd_lookup_sub(cmd, c->argv[1]);

		if (sub == NULL) {
			char msg[512];
			char upper[64];

			snprintf(upper, sizeof upper, "%s", cmd->name);
			for (char *p = upper; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			snprintf(msg, sizeof msg, "ERR unknown subcommand '%.128s'. Try %s HELP.",
			    c->argv[1], upper);
			reject(c, msg);
			return;
		}
		cmd = sub;
	}
	if (!arity_ok(cmd, c->argc)) {
		char msg[256];

		snprintf(msg, sizeof msg, "ERR wrong number of arguments for '%s' command",
		    cmd->fullname);
		reject(c, msg);
		return;
	}
	if (!c->authenticated && !(cmd->flags & CMD_NOAUTH)) {
		reject(c, "NOAUTH Authentication required.");
		return;
	}
	if (c->user != NULL && !c->user->allcommands && !(cmd->flags & CMD_NOAUTH)) {
		char msg[256];

		snprintf(msg, sizeof msg, "NOPERM this user has no permissions to run the '%s' command",
		    cmd->fullname);
		reject(c, msg);
		return;
	}
	if (disk_error() && !server_is_replica() && !(c->flags & CLIENT_MASTER) &&
	    ((cmd->flags & CMD_WRITE) || (cmd->flags & CMD_MISCONF))) {
		reject(c, "MISCONF Redis is configured to save RDB snapshots, but it's currently "
		    "unable to persist to disk. Commands that may modify the data set are disabled, "
		    "because this instance is configured to report errors during writes if RDB "
		    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis "
		    "logs for details about the RDB error.");
		return;
	}
	if (!server_is_replica() && srv.min_replicas_to_write > 0 && (cmd->flags & CMD_WRITE) &&
	    repl_good_replicas(srv.min_replicas_max_lag) < srv.min_replicas_to_write) {
		reject(c, "NOREPLICAS Not enough good replicas to write.");
		return;
	}
	if (server_is_replica() && srv.replica_read_only && !(c->flags & CLIENT_MASTER) &&
	    (cmd->flags & CMD_WRITE)) {
		reject(c, "READONLY You can't write against a read only replica.");
		return;
	}
	if (c->proto == 2 && pubsub_total(c) > 0 && !(cmd->flags & CMD_PUBSUB)) {
		char msg[256];

		snprintf(msg, sizeof msg, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
		    "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
		    cmd->fullname);
		client_err(c, msg);
		return;
	}
	if (server_is_replica() && !repl_link_up() && !srv.replica_serve_stale_data &&
	    !(c->flags & CLIENT_MASTER) && !(cmd->flags & CMD_STALE)) {
		reject(c, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
		return;
	}
	if (srv.loading && !(cmd->flags & CMD_LOADING)) {
		reject(c, "LOADING Redis is loading the dataset in memory");
		return;
	}
	if ((c->flags & CLIENT_MULTI) && !(cmd->flags & CMD_NOMULTI)) {
		queue_command(c, cmd);
		return;
	}
	server_call(c, cmd);
}

void
cmd_multi(struct client *c)
{
	if (c->flags & CLIENT_MULTI) {
		client_err(c, "ERR MULTI calls can not be nested");
		return;
	}
	kvc(c);
	c->flags |= CLIENT_MULTI;
	c->multi_len = 0;
	client_ok(c);
}

void
cmd_discard(struct client *c)
{
	if (!(c->flags & CLIENT_MULTI)) {
		client_err(c, "ERR DISCARD without MULTI");
		return;
	}
	multi_clear(c);
	client_ok(c);
}

void
cmd_exec(struct client *c)
{
	struct kvclient *k;
	struct queued *q;
	size_t nq;
	int argc;
	char **argv;
	size_t *argvlen;

	if (!(c->flags & CLIENT_MULTI)) {
		client_err(c, "ERR EXEC without MULTI");
		return;
	}
	if (c->flags & CLIENT_DIRTY_EXEC) {
		multi_clear(c);
		client_err(c, "EXECABORT Transaction discarded because of previous errors.");
		return;
	}
	k = kvc(c);
	/* Take the queue: a command in it may reset the client (CLIENT KILL of itself). */
	q = k->q;
	nq = k->nq;
	k->q = NULL;
	k->nq = k->capq = 0;
	c->flags &= ~CLIENT_MULTI;
	c->multi_len = -1;
	argc = c->argc;
	argv = c->argv;
	argvlen = c->argvlen;
	client_array(c, (long long)nq);
	repl_exec_begin();
	for (size_t i = 0; i < nq; i++) {
		const struct kv_command *cmd = q[i].cmd;

		c->argc = q[i].argc;
		c->argv = q[i].argv;
		c->argvlen = q[i].argvlen;
		/* Permissions and state may have changed since queuing. */
		if (server_is_replica() && srv.replica_read_only && !(c->flags & CLIENT_MASTER) &&
		    (cmd->flags & CMD_WRITE))
			client_err(c, "READONLY You can't write against a read only replica.");
		else
			server_call(c, cmd);
	}
	repl_exec_end();
	c->argc = argc;
	c->argv = argv;
	c->argvlen = argvlen;
	for (size_t i = 0; i < nq; i++) {
		for (int j = 0; j < q[i].argc; j++)
			free(q[i].argv[j]);
		free(q[i].argv);
		free(q[i].argvlen);
	}
	free(q);
	c->lastcmd = "exec";
}

/* --- CLIENT PAUSE ------------------------------------------------------------ */

static int64_t	pause_until;	/* monotonic ms, 0 when not paused */
static bool	pause_all;	/* ALL, or only commands that write or may replicate */
static uint64_t	*paused_ids;	/* clients holding a request */
static size_t	 npaused, cappaused;

static bool
paused_now(void)
{
	return pause_until != 0 && loop_now_ms() < pause_until;
}

/* Does this request wait while clients are paused? */
bool
server_may_run(struct client *c)
{
	const struct kv_command *cmd;

	if (!paused_now() || (c->flags & (CLIENT_MASTER | CLIENT_REPLICA)))
		return true;
	cmd = cmd_lookup(c->argv[0]);
	/* Unknown commands get their error; ALL holds everything else, CLIENT UNPAUSE too (as Redis). */
	if (cmd == NULL)
		return true;
	/* Inside MULTI commands are only queued; EXEC is what waits. */
	if ((c->flags & CLIENT_MULTI) && strcmp(cmd->name, "exec") != 0)
		return true;
	if (!pause_all && strcmp(cmd->name, "exec") == 0) {
		/* EXEC waits only for a transaction that writes (as Redis). */
		struct kvclient *k = c->ud;
		bool writes = false;

		for (size_t i = 0; k != NULL && i < k->nq; i++)
			if ((k->q[i].cmd->flags & CMD_WRITE) || strcmp(k->q[i].cmd->name, "publish") == 0)
				writes = true;
		if (!writes)
			return true;
	} else if (!pause_all && !(cmd->flags & CMD_WRITE) && strcmp(cmd->name, "publish") != 0) {
		return true;
	}
	if (npaused == cappaused) {
		cappaused = cappaused ? cappaused * 2 : 16;
		paused_ids = xreallocarray(paused_ids, cappaused, sizeof *paused_ids);
	}
	paused_ids[npaused++] = c->id;
	return false;
}

static void
unpause(void)
{
	size_t n = npaused;
	uint64_t *ids = paused_ids;

	pause_until = 0;
	paused_ids = NULL;
	npaused = cappaused = 0;
	db_set_replica(server_is_replica());
	/* In the order they came. */
	for (size_t i = 0; i < n; i++) {
		struct client *c = client_by_id(ids[i]);

		if (c != NULL)
			client_unblock(c);
	}
	free(ids);
}

static void
pause_timer(void *arg)
{
	UNUSED(arg);
	if (pause_until == 0)
		return;
	/*
	 * libevent's timers run on its own, coarser clock: the timer may fire a
	 * few ms before our clock reaches the end. Wait for the rest then.
	 */
	if (loop_now_ms() >= pause_until)
		unpause();
	else
		loop_once(pause_until - loop_now_ms() + 1, pause_timer, NULL);
}

void
cmd_client_pause(struct client *c)
{
	long long ms;

	if (!util_parse_ll(c->argv[2], c->argvlen[2], &ms) || ms < 0) {
		client_err(c, "ERR timeout is not an integer or out of range");
		return;
	}
	if (c->argc > 4) {
		reply_syntax_error(c);
		return;
	}
	if (c->argc == 4 && !arg_eq(c, 3, "write") && !arg_eq(c, 3, "all")) {
		reply_syntax_error(c);
		return;
	}
	/* A longer or stronger pause wins over the one in force, as in Redis. */
	{
		bool all = c->argc == 3 || arg_eq(c, 3, "all");

		if (!paused_now()) {
			pause_all = all;
			pause_until = loop_now_ms() + ms;
		} else {
			pause_all = pause_all || all;
			if (loop_now_ms() + ms > pause_until)
				pause_until = loop_now_ms() + ms;
		}
	}
	/* Keys do not expire while paused: the dataset stays as the replicas have it. */
	db_set_replica(true);
	loop_once(ms + 1, pause_timer, NULL);
	client_ok(c);
}

void
cmd_client_unpause(struct client *c)
{
	if (pause_until != 0)
		unpause();
	client_ok(c);
}

bool
server_paused(void)
{
	return paused_now();
}
