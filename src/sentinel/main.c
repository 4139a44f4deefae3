/*
 * main.c - the sentinel daemon: start-up, listeners, signals, shutdown.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "client.h"
#include "commands.h"
#include "daemon.h"
#include "emit.h"
#include "history.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "monitor.h"
#include "proc.h"
#include "sconf.h"
#include "sock.h"
#include "stats.h"
#include "util.h"

static struct sock_listener	**listeners;
static int			  nlisteners;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: sentinel /path/to/sentinel.conf [--directive value ...]\n"
	    "       sentinel /path/to/sentinel.conf --test-config\n"
	    "       sentinel -v | --version\n"
	    "       sentinel -h | --help\n");
}

static void
user_gone(const struct acl_user *u)
{
	struct client *c;

	/*
	 * After the reply to what is running now (ACL DELUSER itself may come
	 * from such a client and must still get its answer, as in Redis).
	 */
	TAILQ_FOREACH(c, client_all(), entry) {
		if (c->user == u) {
			c->user = NULL;
			client_close_after_reply(c);
		}
	}
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
	sentinel_shutdown(0);
}

void
sentinel_shutdown(int code)
{
	/* Learned state that has not reached the file yet goes there now. */
	monitor_flush_pending();
	history_flush();
	proc_remove_pidfile(sconf.pidfile);
	proc_notify("STOPPING=1");
	log_warning("Sentinel is now ready to exit, bye bye...");
	for (int i = 0; i < nlisteners; i++)
		sock_listener_free(listeners[i]);
	free(listeners);
	exit(code);
}

/* The failover history is written a little after it changes: one write per burst. */
#define HISTORY_FLUSH_MS	100

static void
history_flush_cb(void *unused)
{
	UNUSED(unused);
	history_flush();
}

static void
history_dirtied(void)
{
	loop_once(HISTORY_FLUSH_MS, history_flush_cb, NULL);
}

static void
shutdown_now(void)
{
	sentinel_shutdown(0);
}

static void
open_listeners(void)
{
	static char *defaults[] = { (char *)"*", (char *)"-::*" };
	char **binds = sconf.nbinds > 0 ? sconf.binds : defaults;
	int n = sconf.nbinds > 0 ? sconf.nbinds : 2;

	listeners = xcalloc((size_t)n, sizeof *listeners);
	for (int i = 0; i < n; i++) {
		char *err = NULL;
		struct sock_listener *l = sock_listen(binds[i], sconf.port, 511,
		    client_accept, NULL, &err);

		if (l == NULL) {
			if (err == NULL)
				continue;
			/*
			 * Into the log file when there is one, as Redis does: test
			 * harnesses (Redis's own suite among them) count anything a
			 * sentinel writes to stderr as a failure.
			 */
			log_warning("%s", err);
			if (sconf.logfile == NULL || *sconf.logfile == '\0')
				fprintf(stderr, "sentinel: %s\n", err);
			exit(1);
		}
		listeners[nlisteners++] = l;
	}
	if (nlisteners == 0) {
		fprintf(stderr, "sentinel: failed listening on port %d\n", sconf.port);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct client_limits lim = { 0 };
	static char *path;	/* static: reachable to the end, like the rest of the state */
	char *err = NULL;
	bool test_config = false;
	int nargs = 0;
	char **args;

	if (argc >= 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
		printf("sentinel v=%s redis_version=7.0.15\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strncmp(argv[1], "--", 2) == 0) {
		usage(stderr);
		fprintf(stderr, "Sentinel needs config file on disk to save state. Exiting...\n");
		return 1;
	}
	args = xcalloc((size_t)argc, sizeof *args);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--test-config"))
			test_config = true;
		else
			args[nargs++] = argv[i];
	}
	log_set_role('X');
	{
		uint64_t seed;

		util_random_bytes(&seed, sizeof seed);
		util_hash_seed(seed);
	}
	loop_init();
	log_hook_libevent();
	{
		char *exe = proc_abspath(argv[0]);

		commands_set_executable(exe);
		free(exe);
	}
	commands_set_shutdown(shutdown_now);
	acl_init(user_gone);
	lim.max_bulk = 512LL * 1024 * 1024;
	lim.max_multibulk = 1024 * 1024;
	lim.qbuf_max = 1024LL * 1024 * 1024;
	lim.maxclients = 10000;
	lim.obuf[CLIENT_CLASS_PUBSUB].hard = 32LL * 1024 * 1024;
	lim.obuf[CLIENT_CLASS_PUBSUB].soft = 8LL * 1024 * 1024;
	lim.obuf[CLIENT_CLASS_PUBSUB].soft_seconds = 60;
	lim.obuf[CLIENT_CLASS_NORMAL].hard = 256LL * 1024 * 1024;
	client_module_init(commands_client_ops(), &lim);
	commands_init();
	stats_init();

	/* Absolute before "dir" moves us. */
	path = proc_abspath(argv[1]);
	if (sconf_load(path, nargs, args, &err) < 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		free(args);
		return 1;
	}
	free(args);
	if (test_config) {
		printf("configuration OK\n");
		return 0;
	}
	client_limits()->maxclients = (int)sconf.maxclients;
	if (sconf.logfile && log_set_file(sconf.logfile) < 0) {
		fprintf(stderr, "Can't open the log file %s: %s\n", sconf.logfile, strerror(errno));
		return 1;
	}
	if (sconf.daemonize && sconf.supervised == SCONF_SUPERVISED_NO && proc_daemonize() < 0) {
		fprintf(stderr, "cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	if (sconf.pidfile && proc_write_pidfile(sconf.pidfile) < 0)
		log_warning("Failed to write PID file: %s", strerror(errno));
	log_notice("sentinel %s (redis_version 7.0.15) starting, pid %d, port %d",
	    PACKAGE_VERSION, (int)getpid(), sconf.port);
	sock_raise_nofile(sconf.maxclients + 32 + 4 * 1024);
	open_listeners();
	loop_signal(SIGTERM, on_signal, NULL);
	loop_signal(SIGINT, on_signal, NULL);
	loop_signal(SIGHUP, on_signal, NULL);
	/* A first start writes the new myid before anything else happens. */
	if (sconf_dirty() && monitor_flush_config() < 0) {
		fprintf(stderr, "Sentinel config file %s is not writable. Exiting...\n", path);
		return 1;
	}
	log_notice("Sentinel ID is %s", sentinel.myid);
	history_set_path(path);
	history_load();
	history_set_dirty_hook(history_dirtied);
	if (sconf.metrics_ip != NULL && metrics_start(sconf.metrics_ip, sconf.metrics_port, &err) < 0) {
		log_warning("%s", err);
		if (sconf.logfile == NULL || *sconf.logfile == '\0')
			fprintf(stderr, "sentinel: %s\n", err);
		return 1;
	}
	monitor_start();
	proc_notify("READY=1");
	proc_watchdog_start();
	loop_run();
	return 0;
}
