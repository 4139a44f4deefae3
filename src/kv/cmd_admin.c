/*
 * cmd_admin.c - server administration: DBSIZE, FLUSHDB/FLUSHALL, SAVE,
 * BGSAVE, LASTSAVE, SHUTDOWN, DEBUG, ACL, ROLE, TIME, SWAPDB, MOVE,
 * REPLICAOF.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "client.h"
#include "log.h"
#include "loop.h"
#include "persist.h"
#include "repl.h"
#include "resp.h"
#include "server.h"
#include "util.h"

void
cmd_dbsize(struct client *c)
{
	client_int(c, (long long)db_size(c->db));
}

/* FLUSHDB/FLUSHALL take an optional ASYNC or SYNC (both run at once here). */
static bool
flush_flags_ok(struct client *c)
{
	if (c->argc > 2 || (c->argc == 2 && !arg_eq(c, 1, "async") && !arg_eq(c, 1, "sync"))) {
		reply_syntax_error(c);
		return false;
	}
	return true;
}

void
cmd_flushdb(struct client *c)
{
	if (!flush_flags_ok(c))
		return;
	server_dirty((long long)db_size(c->db));
	db_flush(c->db);
	client_ok(c);
}

void
cmd_flushall(struct client *c)
{
	long long n = 0;

	if (!flush_flags_ok(c))
		return;
	for (int i = 0; i < DB_COUNT; i++)
		n += (long long)db_size(i);
	persist_kill_child();
	db_flush_all();
	server_dirty(n + 1);
	/* As Redis does: with save points, the empty dataset is saved at once. */
	if (srv.nsaves > 0) {
		long long saved = srv.dirty;

		if (persist_save_now() == 0)
			srv.dirty = saved;	/* the flush itself still replicates */
	}
	client_ok(c);
}

void
cmd_save(struct client *c)
{
	if (persist_child_running()) {
		client_err(c, "ERR Background save already in progress");
		return;
	}
	if (persist_save_now() < 0)
		client_err(c, "ERR");
	else
		client_ok(c);
}

void
cmd_bgsave(struct client *c)
{
	bool schedule = false;

	if (c->argc == 2) {
		if (!arg_eq(c, 1, "schedule")) {
			reply_syntax_error(c);
			return;
		}
		schedule = true;
	} else if (c->argc > 2) {
		reply_syntax_error(c);
		return;
	}
	if (persist_child_running()) {
		if (schedule) {
			srv.bgsave_scheduled = true;
			resp_simple(&c->reply, "Background saving scheduled");
		} else {
			client_err(c, "ERR Background save already in progress");
		}
		return;
	}
	if (persist_bgsave() < 0)
		client_err(c, "ERR");
	else
		resp_simple(&c->reply, "Background saving started");
}

void
cmd_lastsave(struct client *c)
{
	client_int(c, srv.lastsave);
}

void
cmd_shutdown(struct client *c)
{
	bool save = false, nosave = false;

	for (int i = 1; i < c->argc; i++) {
		if (arg_eq(c, i, "save"))
			save = true;
		else if (arg_eq(c, i, "nosave"))
			nosave = true;
		else if (arg_eq(c, i, "now") || arg_eq(c, i, "force"))
			continue;
		else {
			reply_syntax_error(c);
			return;
		}
	}
	if (save && nosave) {
		reply_syntax_error(c);
		return;
	}
	if (server_prepare_shutdown(save, nosave) < 0) {
		client_err(c, "ERR Errors trying to SHUTDOWN. Check logs.");
		return;
	}
	server_exit(0);
}

void
cmd_time(struct client *c)
{
	int64_t us = util_wall_us();

	client_array(c, 2);
	resp_bulk_ll(&c->reply, us / 1000000);
	resp_bulk_ll(&c->reply, us % 1000000);
}

void
cmd_role(struct client *c)
{
	repl_role(c);
}

void
cmd_swapdb(struct client *c)
{
	long long a, b;
	struct db tmp;

	if (!util_parse_ll(c->argv[1], c->argvlen[1], &a) || !util_parse_ll(c->argv[2], c->argvlen[2], &b)) {
		client_err(c, "ERR invalid first DB index");
		return;
	}
	if (a < 0 || a >= DB_COUNT || b < 0 || b >= DB_COUNT) {
		client_err(c, "ERR DB index is out of range");
		return;
	}
	tmp = dbs[a];
	dbs[a] = dbs[b];
	dbs[b] = tmp;
	server_dirty(1);
	client_ok(c);
}

void
cmd_move(struct client *c)
{
	long long to;
	struct hmap_entry *e;
	struct obj *o;
	long long exp;

	if (!util_parse_ll(c->argv[2], c->argvlen[2], &to) || to < 0 || to >= DB_COUNT) {
		client_err(c, "ERR DB index is out of range");
		return;
	}
	if (to == c->db) {
		client_err(c, "ERR source and destination objects are the same");
		return;
	}
	e = db_find(c->db, c->argv[1], c->argvlen[1]);
	if (e == NULL || db_find((int)to, c->argv[1], c->argvlen[1]) != NULL) {
		client_int(c, 0);
		return;
	}
	o = e->val;
	exp = e->aux;
	e->val = NULL;
	db_delete(c->db, c->argv[1], c->argvlen[1]);
	e = db_set((int)to, c->argv[1], c->argvlen[1], o, false);
	if (exp >= 0)
		db_set_expire((int)to, e, exp);
	server_dirty(1);
	client_int(c, 1);
}

void
cmd_acl(struct client *c)
{
	acl_command(&c->reply, c->proto, c->user ? c->user->name : "default",
	    c->argc, c->argv, c->argvlen);
}

/* DEBUG POPULATE count [prefix] [size]: keys prefix:N with values value:N. */
static void
debug_populate(struct client *c)
{
	long long count, size = -1;
	const char *prefix = "key";
	char key[256], val[64];

	if (!arg_ll(c, 2, &count))
		return;
	if (count < 0) {
		client_err(c, "ERR count can not be negative");
		return;
	}
	if (c->argc >= 4)
		prefix = c->argv[3];
	if (c->argc >= 5 && !arg_ll(c, 4, &size))
		return;
	for (long long i = 0; i < count; i++) {
		int kl = snprintf(key, sizeof key, "%.200s:%lld", prefix, i);
		int vl = snprintf(val, sizeof val, "value:%lld", i);
		struct obj *o;

		if (db_find(c->db, key, (size_t)kl) != NULL)
			continue;
		if (size >= 0) {
			char *v = xcalloc(1, (size_t)size + 1);

			memcpy(v, val, (size_t)vl < (size_t)size ? (size_t)vl : (size_t)size);
			o = obj_str_new(v, (size_t)size);
			free(v);
		} else {
			o = obj_str_new(val, (size_t)vl);
		}
		db_set(c->db, key, (size_t)kl, o, false);
	}
	client_ok(c);
}

/* enable-debug-command: "local" means from a loopback address only. */
static bool
debug_allowed(const struct client *c)
{
	if (srv.enable_debug_command == 1)
		return true;
	if (srv.enable_debug_command == 2)
		return strncmp(c->addr, "127.", 4) == 0 || strncmp(c->addr, "[::1]", 5) == 0;
	return false;
}

void
cmd_debug(struct client *c)
{
	if (!debug_allowed(c)) {
		client_err(c, "ERR DEBUG command not allowed. If the enable-debug-command option is "
		    "set to \"local\", you can run it from a local connection, otherwise you need to "
		    "set this option in the configuration file, and then restart the server.");
		return;
	}
	if (arg_eq(c, 1, "sleep") && c->argc == 3) {
		double secs;
		struct timespec ts;

		if (!util_parse_double(c->argv[2], c->argvlen[2], &secs) || secs < 0) {
			client_err(c, "ERR value is not a valid float");
			return;
		}
		ts.tv_sec = (time_t)secs;
		ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		loop_update_time();
		client_ok(c);
	} else if (arg_eq(c, 1, "populate") && c->argc >= 3 && c->argc <= 5) {
		debug_populate(c);
	} else if (arg_eq(c, 1, "set-active-expire") && c->argc == 3) {
		long long v;

		if (!arg_ll(c, 2, &v))
			return;
		srv.hz = srv.hz;	/* the cycle reads this flag */
		extern bool kv_active_expire_enabled;
		kv_active_expire_enabled = v != 0;
		client_ok(c);
	} else if (arg_eq(c, 1, "help")) {
		static const char *help[] = {
			"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"POPULATE <count> [<prefix>] [<size>]",
			"    Create <count> string keys named key:<num>.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Setting it to 0 disables expiring keys in background.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
			"HELP",
			"    Print this help.",
		};

		client_array(c, ARRAY_SIZE(help));
		for (size_t i = 0; i < ARRAY_SIZE(help); i++)
			resp_simple(&c->reply, help[i]);
	} else {
		client_errf(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. "
		    "Try DEBUG HELP.", c->argv[1]);
	}
}
