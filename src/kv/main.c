/*
 * main.c - sentinel-kv: start-up, the periodic chores, signals, shutdown.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "client.h"
#include "db.h"
#include "kconf.h"
#include "log.h"
#include "loop.h"
#include "persist.h"
#include "proc.h"
#include "repl.h"
#include "server.h"
#include "sock.h"
#include "util.h"

bool kv_active_expire_enabled = true;

static struct sock_listener	**listeners;
static int			  nlisteners;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: sentinel-kv [/path/to/sentinel-kv.conf] [--directive value ...]\n"
	    "       sentinel-kv /path/to/sentinel.conf --sentinel [--directive value ...]\n"
	    "       sentinel-kv -v | --version\n"
	    "       sentinel-kv -h | --help\n"
	    "\n"
	    "Examples:\n"
	    "       sentinel-kv (defaults: port 6379)\n"
	    "       sentinel-kv /etc/sentinel/sentinel-kv.conf\n"
	    "       sentinel-kv --port 7777 --save \"\"\n");
}

/* Close the connections of a user that ACL DELUSER removed. */
static void
user_gone(const struct acl_user *u)
{
	struct client *c;

	TAILQ_FOREACH(c, client_all(), entry) {
		if (c->user == u) {
			/* A client deleting its own user still gets its reply. */
			c->user = NULL;
			if (c->flags & CLIENT_IN_DISPATCH)
				client_close_after_reply(c);
			else
				client_close(c, "its user was deleted");
		}
	}
}

/* Subscribers whose user lost access to channels are disconnected, as in Redis. */
static void
channels_revoked(const struct acl_user *u)
{
	struct client *c;

	TAILQ_FOREACH(c, client_all(), entry)
		if (c->user == u && (c->channels || c->patterns))
			client_close(c, "its user lost access to channels");
}

int
server_prepare_shutdown(bool save, bool nosave)
{
	log_warning("User requested shutdown...");
	persist_kill_child();
	if (save || (srv.nsaves > 0 && !nosave)) {
		log_notice("Saving the final RDB snapshot before exiting.");
		if (persist_save_now() < 0) {
			log_warning("Error trying to save the DB, can't exit.");
			return -1;
		}
	}
	proc_remove_pidfile(srv.pidfile);
	proc_notify("STOPPING=1");
	log_warning("sentinel-kv is now ready to exit, bye bye...");
	return 0;
}

void
server_exit(int code)
{
	for (int i = 0; i < nlisteners; i++)
		sock_listener_free(listeners[i]);
	free(listeners);
	listeners = NULL;
	nlisteners = 0;
	exit(code);
}

static void
on_signal(int sig, void *arg)
{
	UNUSED(arg);
	if (sig == SIGHUP) {
		log_notice("Received SIGHUP, reopening the log file");
		if (log_reopen() < 0)
			log_warning("Cannot reopen the log file: %s", strerror(errno));
		return;
	}
	log_warning("Received %s scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
	if (server_prepare_shutdown(false, false) < 0) {
		log_warning("SIGTERM received but errors trying to shut down the server, "
		    "check the logs for more information");
		return;
	}
	server_exit(0);
}

/* What runs hz times a second. */
static void
cron(void *arg)
{
	static int64_t last_second;
	int64_t now = loop_now_ms();

	UNUSED(arg);
	persist_cron();
	repl_cron();
	if (!srv.loading && kv_active_expire_enabled && !server_is_replica() && !server_paused())
		db_active_expire(util_wall_ms(), 1000);
	if (now - last_second >= 1000) {
		last_second = now;
		client_cron();
		if (srv.child_pid <= 0)
			db_resize();
	}
}

static void
expired(int db, const char *key, size_t klen)
{
	server_dirty(1);
	repl_propagate_del(db, key, klen);
}

/* "sentinel-kv conf --sentinel": run the sentinel installed beside us. */
static void
exec_sentinel(const char *self, int argc, char **argv)
{
	char path[PATH_MAX], *copy = xstrdup(self), **nargv;
	int n = 0;

	const char *dir = dirname(copy);

	/* Installed side by side; in the build tree it lives in ../sentinel/. */
	snprintf(path, sizeof path, "%s/sentinel", dir);
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof path, "%s/../sentinel/sentinel", dir);
	free(copy);
	nargv = xcalloc((size_t)argc + 2, sizeof *nargv);
	nargv[n++] = path;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--sentinel") != 0)
			nargv[n++] = argv[i];
	execv(path, nargv);
	fprintf(stderr, "sentinel-kv: --sentinel: cannot run %s: %s\n", path, strerror(errno));
	exit(1);
}

static void
open_listeners(void)
{
	int backlog = (int)srv.tcp_backlog;

	listeners = xcalloc((size_t)srv.nbinds, sizeof *listeners);
	for (int i = 0; i < srv.nbinds; i++) {
		char *err = NULL;
		struct sock_listener *l = sock_listen(srv.binds[i], srv.port, backlog,
		    client_accept, NULL, &err);

		if (l == NULL) {
			if (err == NULL)
				continue;	/* an optional address that is not here */
			log_warning("%s", err);
			fprintf(stderr, "sentinel-kv: %s\n", err);
			free(err);
			exit(1);
		}
		listeners[nlisteners++] = l;
	}
	if (nlisteners == 0) {
		log_warning("Failed listening on port %d (tcp), aborting.", srv.port);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const char *file = NULL;
	char *err = NULL;
	struct client_ops ops = { server_dispatch, server_client_free, server_may_run };
	struct client_limits lim = { 0 };
	int first = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sentinel") == 0)
			exec_sentinel(argv[0], argc, argv);
	}
	if (argc >= 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
		printf("sentinel-kv v=%s redis_version=%s\n", KV_VERSION, KV_REDIS_VERSION);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strncmp(argv[1], "--", 2) != 0) {
		file = argv[1];
		first = 2;
	}

	srv.pid = getpid();
	srv.child_pid = -1;
	srv.lastbgsave_ok = true;
	srv.rdb_last_bgsave_time_sec = -1;
	srv.lastsave = util_wall_ms() / 1000;
	srv.start_wall_s = srv.lastsave;
	util_random_hex(srv.runid, 40);
	{
		uint64_t seed;

		util_random_bytes(&seed, sizeof seed);
		util_hash_seed(seed);
	}
	loop_init();
	log_hook_libevent();
	srv.start_ms = loop_now_ms();
	srv.executable = proc_abspath(argv[0]);
	acl_init(user_gone);
	acl_set_channels_revoked_cb(channels_revoked);
	client_module_init(&ops, &lim);
	db_init(expired);
	cmd_table_init();
	repl_init();

	/* The path must be absolute before "dir" moves us elsewhere. */
	if (file != NULL)
		srv.configfile = proc_abspath(file);
	if (kconf_load(srv.configfile, argc - first, argv + first, &err) < 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 1;
	}
	kconf_apply_runtime();
	if (srv.logfile && log_set_file(srv.logfile) < 0) {
		fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
		return 1;
	}
	if (srv.daemonize && srv.supervised == 0 && proc_daemonize() < 0) {
		fprintf(stderr, "cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	srv.pid = getpid();
	if (srv.pidfile && proc_write_pidfile(srv.pidfile) < 0)
		log_warning("Failed to write PID file: %s", strerror(errno));
	log_notice("sentinel-kv %s (redis_version %s) starting, pid %d, port %d",
	    KV_VERSION, KV_REDIS_VERSION, (int)srv.pid, srv.port);
	if (srv.configfile == NULL)
		log_warning("No config file specified, using the default config.");
	{
		long have = sock_raise_nofile(srv.maxclients + 32);

		if (have < srv.maxclients + 32) {
			long long was = srv.maxclients;

			srv.maxclients = have > 32 ? have - 32 : 1;
			client_limits()->maxclients = (int)srv.maxclients;
			log_warning("Current maximum open files is %ld. maxclients has been reduced "
			    "from %lld to %lld to compensate for low ulimit. If you need higher "
			    "maxclients increase 'ulimit -n'.", have, was, srv.maxclients);
		}
	}
	open_listeners();
	loop_signal(SIGTERM, on_signal, NULL);
	loop_signal(SIGINT, on_signal, NULL);
	loop_signal(SIGHUP, on_signal, NULL);
	if (srv.masterhost == NULL && persist_load_start() < 0)
		return 1;
	repl_start();
	loop_every(srv.hz > 0 ? 1000 / srv.hz : 100, cron, NULL);
	log_notice("Ready to accept connections");
	proc_notify("READY=1");
	proc_notify_status("Ready to accept connections");
	proc_watchdog_start();
	loop_run();
	return 0;
}
