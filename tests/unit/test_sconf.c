/*
 * test_sconf.c - sentinel.conf loading, rewriting, SENTINEL CONFIG and
 * SENTINEL SET, and the instance model under them.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "acl.h"
#include "buf.h"
#include "conf.h"
#include "instance.h"
#include "log.h"
#include "sconf.h"
#include "util.h"

#ifndef TEST_SRCDIR
#error "TEST_SRCDIR must be the absolute path of the tests directory"
#endif

#define MYID_A	"0123456789abcdef0123456789abcdef01234567"
#define MYID_B	"89abcdef0123456789abcdef0123456789abcdef"
#define RUNID_S	"f0bbb5d030cb4007fc807c356f10372171a36db6"

/* --- helpers ---------------------------------------------------------------- */

static char	test_dir[PATH_MAX];
static char	test_conf[PATH_MAX + 32];

/* Reads a whole file; NULL when it cannot be read. */
static char *
test_slurp(const char *path)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[4096];
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&b, chunk, (size_t)r);
	close(fd);
	if (b.data == NULL)
		return xstrdup("");
	return b.data;
}

/* Writes text as the whole file at path. */
static void
test_write(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Removes one entry of the test directory tree. */
static int
test_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	UNUSED(st);
	UNUSED(flag);
	UNUSED(ftw);
	return remove(path);
}

/* A fresh directory per test, with the ACL and the log set up. */
static int
setup(void **state)
{
	char	logpath[PATH_MAX + 32];

	UNUSED(state);
	snprintf(test_dir, sizeof test_dir, "/tmp/test_sconf.XXXXXX");
	if (mkdtemp(test_dir) == NULL)
		return -1;
	snprintf(test_conf, sizeof test_conf, "%s/sentinel.conf", test_dir);
	snprintf(logpath, sizeof logpath, "%s/test.log", test_dir);
	if (log_set_file(logpath) != 0)
		return -1;
	log_set_level(LOG_NOTICE);
	acl_init(NULL);
	return chdir(test_dir);
}

/* Free everything and remove the directory. */
static int
teardown(void **state)
{
	UNUSED(state);
	sconf_free();
	sentinel_state_init();
	acl_shutdown();
	log_set_file(NULL);
	if (chdir("/") != 0)
		return -1;
	return nftw(test_dir, test_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Load text as the config file; returns sconf_load's result, *err kept for the caller. */
static int
load_text(const char *text, int argc, char **argv, char **err)
{
	test_write(test_conf, text);
	return sconf_load(test_conf, argc, argv, err);
}

/* Load text, which must be fine. */
static void
load_ok(const char *text)
{
	char	*err = NULL;
	int	 r = load_text(text, 0, NULL, &err);

	if (r != 0)
		fail_msg("unexpected error: %s", err);
	assert_null(err);
}

/* Load text, which must fail at line with message. */
static void
load_fails(const char *text, int line, const char *message)
{
	char	*err = NULL, *want;

	assert_int_equal(load_text(text, 0, NULL, &err), -1);
	assert_non_null(err);
	want = xasprintf("%s:%d: %s", test_conf, line, message);
	if (strcmp(err, want) != 0)
		fail_msg("got '%s', want '%s'", err, want);
	free(want);
	free(err);
}

/* A new executable script in the test directory. */
static char *
make_script(const char *name, mode_t mode)
{
	char	*path = xasprintf("%s/%s", test_dir, name);

	test_write(path, "#!/bin/sh\nexit 0\n");
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* The state as text, to compare two loads. */
static char *
dump_state(void)
{
	struct buf	b = BUF_INIT;
	size_t		i, k;

	buf_appendf(&b, "myid=%s epoch=%llu announce-ip=%s port=%d ah=%d rh=%d deny=%d "
	    "su=%s sp=%s\n", sentinel.myid, (unsigned long long)sentinel.current_epoch,
	    sentinel.announce_ip ? sentinel.announce_ip : "(null)", sentinel.announce_port,
	    sentinel.announce_hostnames, sentinel.resolve_hostnames,
	    sentinel.deny_scripts_reconfig,
	    sentinel.sentinel_user ? sentinel.sentinel_user : "(null)",
	    sentinel.sentinel_pass ? sentinel.sentinel_pass : "(null)");
	for (i = 0; i < sentinel.nmasters; i++) {
		const struct instance	*m = sentinel.masters[i];

		buf_appendf(&b, "master [%s] %s %s %d q=%u da=%lld ft=%lld ps=%d ns=%s "
		    "cs=%s ap=%s au=%s rb=%lld ce=%llu le=%llu\n", m->name, m->host,
		    m->ip ? m->ip : "(null)", m->port, m->quorum, m->down_after_ms,
		    m->failover_timeout, m->parallel_syncs,
		    m->notification_script ? m->notification_script : "(null)",
		    m->client_reconfig_script ? m->client_reconfig_script : "(null)",
		    m->auth_pass ? m->auth_pass : "(null)",
		    m->auth_user ? m->auth_user : "(null)",
		    m->master_reboot_down_after_period,
		    (unsigned long long)m->config_epoch, (unsigned long long)m->leader_epoch);
		for (k = 0; k < m->nreplicas; k++)
			buf_appendf(&b, " replica %s %d da=%lld\n", m->replicas[k]->name,
			    m->replicas[k]->port, m->replicas[k]->down_after_ms);
		for (k = 0; k < m->nsentinels; k++)
			buf_appendf(&b, " sentinel %s %s %d\n", m->sentinels[k]->name,
			    m->sentinels[k]->ip, m->sentinels[k]->port);
		for (k = 0; k < m->nrenamed; k++)
			buf_appendf(&b, " rename %s %s\n", m->renamed[k].from, m->renamed[k].to);
	}
	return b.data;
}

/* Rewrite, which must work. */
static void
rewrite_ok(void)
{
	char	*err = NULL;

	if (sconf_rewrite(&err) != 0)
		fail_msg("rewrite failed: %s", err);
}

/* Reload the file as it is now (no command line). */
static void
reload_ok(void)
{
	char	*err = NULL;

	if (sconf_load(test_conf, 0, NULL, &err) != 0)
		fail_msg("reload failed: %s", err);
}

/* Number of lines of the file starting with prefix. */
static int
count_lines(const char *text, const char *prefix)
{
	const char	*p = text;
	int		 n = 0;
	size_t		 len = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

/* Is there a line exactly equal to line in text? */
static bool
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 len = strlen(line);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
			return true;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

/* --- instance model ------------------------------------------------------------ */

/* Names, lookups, removal and the rename table. */
static void
test_instance_model(void **state)
{
	struct instance	*m, *r, *r6, *s;
	const char	*ip;
	char		*name;
	int		 port;

	UNUSED(state);
	sentinel_state_init();
	assert_int_equal(sentinel.default_down_after, 30000);
	assert_true(sentinel.deny_scripts_reconfig);
	m = instance_master_new("mymaster", NULL, "10.0.0.1", 6379, 2);
	assert_non_null(m);
	assert_null(instance_master_new("mymaster", NULL, "10.0.0.2", 6379, 2));
	assert_ptr_equal(instance_master_find("mymaster"), m);
	assert_null(instance_master_find("MyMaster"));
	assert_string_equal(m->host, "10.0.0.1");
	assert_int_equal(m->down_after_ms, 30000);
	assert_int_equal(m->failover_timeout, 180000);
	assert_int_equal(m->parallel_syncs, 1);

	r = instance_replica_add(m, "10.0.0.2", 6380);
	assert_string_equal(r->name, "10.0.0.2:6380");
	assert_null(instance_replica_add(m, "10.0.0.2", 6380));
	r6 = instance_replica_add(m, "::1", 6381);
	assert_string_equal(r6->name, "[::1]:6381");
	assert_ptr_equal(instance_replica_find(m, "::1", 6381), r6);
	assert_ptr_equal(r->master, m);
	name = instance_addr_name("fe80::1", 1);
	assert_string_equal(name, "[fe80::1]:1");
	free(name);

	s = instance_sentinel_add(m, "10.0.0.9", 26379, RUNID_S);
	assert_string_equal(s->name, RUNID_S);
	assert_string_equal(s->runid, RUNID_S);
	assert_null(instance_sentinel_add(m, "10.0.0.8", 26379, RUNID_S));
	assert_ptr_equal(instance_sentinel_find_runid(m, RUNID_S), s);
	assert_ptr_equal(instance_sentinel_find_addr(m, "10.0.0.9", 26379), s);
	assert_null(instance_sentinel_find_addr(m, "10.0.0.9", 26380));

	/* The current address moves to the promoted replica at reconf_slaves. */
	m->promoted_slave = r;
	m->flags |= INST_FAILOVER_IN_PROGRESS;
	m->failover_state = FO_WAIT_PROMOTION;
	instance_current_addr(m, &ip, &port);
	assert_string_equal(ip, "10.0.0.1");
	assert_int_equal(port, 6379);
	m->failover_state = FO_RECONF_SLAVES;
	instance_current_addr(m, &ip, &port);
	assert_string_equal(ip, "10.0.0.2");
	assert_int_equal(port, 6380);

	/* rename-command applies to the master's replicas and sentinels too. */
	m->renamed = xcalloc(1, sizeof *m->renamed);
	m->renamed[0].from = xstrdup("config");
	m->renamed[0].to = xstrdup("CFG7f");
	m->nrenamed = 1;
	assert_string_equal(instance_cmd_name(m, "CONFIG"), "CFG7f");
	assert_string_equal(instance_cmd_name(r, "config"), "CFG7f");
	assert_string_equal(instance_cmd_name(s, "Config"), "CFG7f");
	assert_string_equal(instance_cmd_name(r, "PING"), "PING");

	instance_remove_child(r);
	assert_null(m->promoted_slave);
	assert_int_equal(m->nreplicas, 1);
	instance_remove_child(s);
	assert_int_equal(m->nsentinels, 0);
	instance_master_remove(m);
	assert_int_equal(sentinel.nmasters, 0);
}

/* --- loading ----------------------------------------------------------------- */

/* Every sentinel directive, with its effect. */
static void
test_sentinel_directives(void **state)
{
	char		*notif = make_script("notify.sh", 0755);
	char		*reconf = make_script("reconf.sh", 0755);
	char		*text;
	struct instance	*m;

	UNUSED(state);
	text = xasprintf(
	    "sentinel myid " MYID_A "\n"
	    "sentinel current-epoch 7\n"
	    "sentinel announce-ip 192.168.1.5\n"
	    "sentinel announce-port 26999\n"
	    "sentinel deny-scripts-reconfig no\n"
	    "sentinel resolve-hostnames no\n"
	    "SENTINEL announce-hostnames yes\n"
	    "sentinel sentinel-user su\n"
	    "sentinel sentinel-pass sp\n"
	    "sentinel monitor mymaster 127.0.0.1 6379 2\n"
	    "sentinel down-after-milliseconds mymaster 5000\n"
	    "sentinel failover-timeout mymaster 60000\n"
	    "sentinel parallel-syncs mymaster 3\n"
	    "sentinel notification-script mymaster %s\n"
	    "sentinel client-reconfig-script mymaster %s\n"
	    "sentinel auth-pass mymaster pw\n"
	    "sentinel auth-user mymaster usr\n"
	    "sentinel rename-command mymaster CONFIG CFG\n"
	    "sentinel master-reboot-down-after-period mymaster 1000\n"
	    "sentinel config-epoch mymaster 9\n"
	    "sentinel leader-epoch mymaster 8\n"
	    "sentinel known-replica mymaster 127.0.0.1 6380\n"
	    "sentinel known-slave mymaster 127.0.0.1 6381\n"
	    "sentinel known-sentinel mymaster 127.0.0.1 26380 " RUNID_S "\n"
	    "sentinel known-sentinel mymaster 127.0.0.1 26381\n"
	    "sentinel\n", notif, reconf);
	load_ok(text);
	assert_string_equal(sentinel.myid, MYID_A);
	assert_false(sconf_dirty());
	assert_int_equal(sentinel.current_epoch, 9);	/* raised by config-epoch */
	assert_string_equal(sentinel.announce_ip, "192.168.1.5");
	assert_int_equal(sentinel.announce_port, 26999);
	assert_false(sentinel.deny_scripts_reconfig);
	assert_false(sentinel.resolve_hostnames);
	assert_true(sentinel.announce_hostnames);
	assert_string_equal(sentinel.sentinel_user, "su");
	assert_string_equal(sentinel.sentinel_pass, "sp");
	m = instance_master_find("mymaster");
	assert_non_null(m);
	assert_string_equal(m->ip, "127.0.0.1");
	assert_int_equal(m->port, 6379);
	assert_int_equal(m->quorum, 2);
	assert_int_equal(m->down_after_ms, 5000);
	assert_int_equal(m->failover_timeout, 60000);
	assert_int_equal(m->parallel_syncs, 3);
	assert_string_equal(m->notification_script, notif);
	assert_string_equal(m->client_reconfig_script, reconf);
	assert_string_equal(m->auth_pass, "pw");
	assert_string_equal(m->auth_user, "usr");
	assert_string_equal(instance_cmd_name(m, "config"), "CFG");
	assert_int_equal(m->master_reboot_down_after_period, 1000);
	assert_int_equal(m->config_epoch, 9);
	assert_int_equal(m->leader_epoch, 8);
	assert_int_equal(m->nreplicas, 2);
	assert_string_equal(m->replicas[1]->name, "127.0.0.1:6381");
	assert_int_equal(m->replicas[0]->down_after_ms, 5000);
	/* The 4-argument known-sentinel form is ignored, as in Redis. */
	assert_int_equal(m->nsentinels, 1);
	assert_string_equal(m->sentinels[0]->runid, RUNID_S);
	free(text);
	free(notif);
	free(reconf);
}

/* Every sentinel directive's errors, with Redis's wording. */
static void
test_sentinel_errors(void **state)
{
	char	*noexec = make_script("noexec.sh", 0644);
	char	*text;

	UNUSED(state);
	load_fails("sentinel bogus x\n", 1, "Unrecognized sentinel configuration statement.");
	load_fails("sentinel monitor m 127.0.0.1 6379\n", 1,
	    "Unrecognized sentinel configuration statement.");
	load_fails("sentinel myid\n", 1, "Unrecognized sentinel configuration statement.");
	load_fails("sentinel monitor m 127.0.0.1 6379 0\n", 1, "Quorum must be 1 or greater.");
	load_fails("sentinel monitor m 127.0.0.1 6379 x\n", 1, "Quorum must be 1 or greater.");
	load_fails("sentinel monitor m 127.0.0.1 70000 2\n", 1, "Invalid port number.");
	load_fails("sentinel monitor m 127.0.0.1 -1 2\n", 1, "Invalid port number.");
	load_fails("sentinel monitor m 127.0.0.1 abc 2\n", 1, "Invalid port number.");
	load_fails("sentinel monitor m localhost 6379 2\n", 1, "Can't resolve instance hostname.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\nsentinel monitor m 127.0.0.2 6379 2\n",
	    2, "Duplicate master name.");
	load_fails("sentinel down-after-milliseconds nosuch 100\n", 1,
	    "No such master with specified name.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel down-after-milliseconds m 0\n", 2, "negative or zero time parameter.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel failover-timeout m -5\n", 2, "negative or zero time parameter.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel master-reboot-down-after-period m -1\n", 2, "negative time parameter.");
	text = xasprintf("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel notification-script m %s\n", noexec);
	load_fails(text, 2, "Notification script seems non existing or non executable.");
	free(text);
	text = xasprintf("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel client-reconfig-script m %s/none.sh\n", test_dir);
	load_fails(text, 2, "Client reconfiguration script seems non existing or non executable.");
	free(text);
	load_fails("sentinel deny-scripts-reconfig maybe\n", 1,
	    "Please specify yes or no for the deny-scripts-reconfig options.");
	load_fails("sentinel resolve-hostnames 1\n", 1,
	    "Please specify yes or no for the resolve-hostnames option.");
	load_fails("sentinel announce-hostnames 1\n", 1,
	    "Please specify yes or no for the announce-hostnames option.");
	load_fails("sentinel myid 1234\n", 1, "Malformed Sentinel id in myid option.");
	load_fails("sentinel myid zz23456789abcdef0123456789abcdef01234567\n", 1,
	    "Malformed Sentinel id in myid option.");
	load_fails("sentinel announce-port 65536\n", 1, "Invalid port number.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-replica m 127.0.0.1 6380\n"
	    "sentinel known-slave m 127.0.0.1 6380\n", 3,
	    "Duplicate hostname and port for replica.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-replica m 127.0.0.1 99999\n", 2, "Invalid port number.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-sentinel m 127.0.0.1 26380 " RUNID_S "\n"
	    "sentinel known-sentinel m 127.0.0.2 26380 " RUNID_S "\n", 3,
	    "Duplicate runid for sentinel.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel rename-command m CONFIG A\n"
	    "sentinel rename-command m config B\n", 3,
	    "Same command renamed multiple times with rename-command.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel auth-pass m\n", 2, "Unrecognized sentinel configuration statement.");
	load_fails("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-sentinel m 127.0.0.1 26380 x y\n", 2,
	    "Unrecognized sentinel configuration statement.");
	load_fails("sentinel auth-pass \"unbalanced\n", 1,
	    "unbalanced quotes in configuration line");
	free(noexec);
}

/* Options before their monitor line, and global options after it. */
static void
test_three_passes(void **state)
{
	struct instance	*m;

	UNUSED(state);
	load_ok("sentinel known-replica m 10.0.0.2 6379\n"
	    "sentinel down-after-milliseconds m 1234\n"
	    "sentinel config-epoch m 3\n"
	    "sentinel monitor m 10.0.0.1 6379 1\n"
	    "sentinel monitor h db.example 6379 1\n"
	    "sentinel resolve-hostnames yes\n"
	    "sentinel myid " MYID_B "\n");
	m = instance_master_find("m");
	assert_non_null(m);
	assert_int_equal(m->down_after_ms, 1234);
	assert_int_equal(m->config_epoch, 3);
	assert_int_equal(m->nreplicas, 1);
	/* Known before the option: the replica still gets the master's down-after. */
	assert_int_equal(m->replicas[0]->down_after_ms, 1234);
	/* A hostname waits to be resolved by the caller. */
	m = instance_master_find("h");
	assert_string_equal(m->host, "db.example");
	assert_null(m->ip);
	assert_string_equal(sentinel.myid, MYID_B);
}

/* The server directives and the ones accepted without effect. */
static void
test_server_directives(void **state)
{
	char	*text, *log, *logpath;
	char	 cwd[PATH_MAX];

	UNUSED(state);
	load_ok("sentinel monitor m 127.0.0.1 6379 2\n");
	assert_int_equal(sconf.port, 26379);
	assert_false(sconf.protected_mode);
	assert_int_equal(sconf.maxclients, 10000);
	assert_int_equal(sconf.nbinds, 0);
	assert_true(sconf.path[0] == '/');

	assert_int_equal(mkdir("sub", 0755), 0);
	text = xasprintf("port 26390\n"
	    "bind 127.0.0.1 -::1\n"
	    "bind-source-addr 127.0.0.1\n"
	    "dir %s/sub\n"
	    "logfile \"s.log\"\n"
	    "loglevel warning\n"
	    "daemonize yes\n"
	    "pidfile /run/x.pid\n"
	    "requirepass \"p w\"\n"
	    "protected-mode yes\n"
	    "maxclients 50\n"
	    "user alice on >pw +@all ~*\n"
	    "supervised systemd\n"
	    "repl-diskless-sync-delay 5\n"
	    "enable-protected-configs no\n"
	    "enable-debug-command local\n"
	    "save \"\"\n"
	    "appendonly no\n"
	    "latency-tracking-info-percentiles 50 99 99.9\n"
	    "acllog-max-len 128\n", test_dir);
	load_ok(text);
	free(text);
	assert_int_equal(sconf.port, 26390);
	assert_int_equal(sconf.nbinds, 2);
	assert_string_equal(sconf.binds[1], "-::1");
	assert_string_equal(sconf.bind_source_addr, "127.0.0.1");
	assert_non_null(getcwd(cwd, sizeof cwd));
	text = xasprintf("%s/sub", test_dir);
	assert_string_equal(cwd, text);
	free(text);
	assert_string_equal(sconf.logfile, "s.log");
	assert_int_equal(access("s.log", F_OK), 0);
	assert_int_equal(log_get_level(), LOG_WARNING);
	assert_true(sconf.daemonize);
	assert_string_equal(sconf.pidfile, "/run/x.pid");
	assert_string_equal(acl_get_requirepass(), "p w");
	assert_true(sconf.protected_mode);
	assert_int_equal(sconf.maxclients, 50);
	assert_non_null(acl_lookup("alice"));
	assert_int_equal(sconf.supervised, SCONF_SUPERVISED_SYSTEMD);
	log_set_level(LOG_NOTICE);

	/* Directives without effect are logged. */
	load_ok("repl-diskless-sync-delay 5\n");
	logpath = xasprintf("%s/test.log", test_dir);
	log = test_slurp(logpath);
	assert_non_null(strstr(log, "'repl-diskless-sync-delay' has no effect"));
	free(log);
	free(logpath);

	load_fails("tls-port 6380\n", 1, "'tls-port': TLS is not supported by this build");
	load_fails("\n# c\ntls-replication yes\n", 3,
	    "'tls-replication': TLS is not supported by this build");
	load_fails("nosuchdirective 1\n", 1, "Bad directive or wrong number of arguments");
	load_fails("appendonly\n", 1, "Bad directive or wrong number of arguments");
	load_fails("port 70000\n", 1, "argument must be between 0 and 65535 inclusive");
	load_fails("port x\n", 1, "argument couldn't be parsed into an integer");
	load_fails("port 1 2\n", 1, "wrong number of arguments");
	load_fails("daemonize maybe\n", 1, "argument must be 'yes' or 'no'");
	load_fails("loglevel loud\n", 1, "argument(s) must be one of the following values");
	load_fails("supervised sometimes\n", 1, "argument(s) must be one of the following values");
	load_fails("maxclients 0\n", 1, "argument must be between 1 and 2147483647 inclusive");
	load_fails("dir /nonexistent/dir\n", 1,
	    "can't chdir to '/nonexistent/dir': No such file or directory");
	load_fails("include /etc/other.conf\n", 1,
	    "'include' is not supported: put every directive in one file");
	load_fails("user bob on badrule\n", 1,
	    "Error in user declaration 'bob': Error in ACL SETUSER modifier 'badrule': Syntax error");
}

/* The file must be there and writable. */
static void
test_file_checks(void **state)
{
	char	*err = NULL, *want;

	UNUSED(state);
	assert_int_equal(sconf_load(NULL, 0, NULL, &err), -1);
	assert_string_equal(err, "Sentinel needs config file on disk to save state. Exiting...");
	free(err);
	assert_int_equal(sconf_load(test_conf, 0, NULL, &err), -1);
	want = xasprintf("%s: Sentinel needs config file on disk to save state: "
	    "No such file or directory", test_conf);
	assert_string_equal(err, want);
	free(want);
	free(err);

	/* A relative path is made absolute. */
	test_write(test_conf, "port 1\n");
	assert_int_equal(sconf_load("sentinel.conf", 0, NULL, &err), 0);
	assert_string_equal(sconf.path, test_conf);

	if (geteuid() != 0) {
		assert_int_equal(chmod(test_conf, 0444), 0);
		assert_int_equal(sconf_load(test_conf, 0, NULL, &err), -1);
		want = xasprintf("%s: Sentinel config file is not writable: Permission denied",
		    test_conf);
		assert_string_equal(err, want);
		free(want);
		free(err);
	}
}

/* A first start gets a myid and asks to be saved; it is kept after that. */
static void
test_myid_generated(void **state)
{
	char	*text, id[RUNID_LEN + 1];

	UNUSED(state);
	load_ok("sentinel monitor m 127.0.0.1 6379 2\n");
	assert_int_equal(strlen(sentinel.myid), RUNID_LEN);
	assert_true(sconf_dirty());
	memcpy(id, sentinel.myid, sizeof id);
	rewrite_ok();
	assert_false(sconf_dirty());
	reload_ok();
	assert_false(sconf_dirty());
	assert_string_equal(sentinel.myid, id);
	text = test_slurp(test_conf);
	assert_int_equal(count_lines(text, "sentinel myid "), 1);
	free(text);
}

/* --- command line ------------------------------------------------------------ */

/* Command-line settings win over the file and are never written back. */
static void
test_cmdline(void **state)
{
	char		*args[] = {
		(char *)"--port", (char *)"26400",
		(char *)"--daemonize", (char *)"yes",
		(char *)"--sentinel",
		(char *)"--sentinel", (char *)"down-after-milliseconds", (char *)"m", (char *)"777",
		(char *)"--sentinel", (char *)"announce-ip", (char *)"10.9.9.9",
		(char *)"--sentinel", (char *)"monitor", (char *)"c", (char *)"10.0.0.5",
		(char *)"6379", (char *)"1",
	};
	const char	*err2;
	char		*err = NULL, *text;
	struct instance	*m;

	UNUSED(state);
	if (load_text("sentinel myid " MYID_A "\n"
	    "port 26379\n"
	    "sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel down-after-milliseconds m 5000\n"
	    "sentinel down-after-milliseconds c 4000\n",
	    (int)ARRAY_SIZE(args), args, &err) != 0)
		fail_msg("%s", err);
	assert_int_equal(sconf.port, 26400);
	assert_true(sconf.daemonize);
	m = instance_master_find("m");
	assert_int_equal(m->down_after_ms, 777);
	assert_string_equal(sentinel.announce_ip, "10.9.9.9");
	assert_int_equal(instance_master_find("c")->down_after_ms, 4000);
	instance_replica_add(instance_master_find("c"), "10.0.0.6", 6379);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "port 26379"));
	assert_null(strstr(text, "26400"));
	assert_null(strstr(text, "daemonize"));
	assert_true(has_line(text, "sentinel down-after-milliseconds m 5000"));
	assert_null(strstr(text, "777"));
	assert_null(strstr(text, "announce-ip"));
	/* The master from the command line is not saved, its file lines stay. */
	assert_null(strstr(text, "monitor c"));
	assert_null(strstr(text, "known-replica c"));
	assert_true(has_line(text, "sentinel down-after-milliseconds c 4000"));
	free(text);

	/* Changed at run time, it is the user's setting: saved. */
	assert_int_equal(sconf_config_set("announce-ip", "10.8.8.8", &err2), 0);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "sentinel announce-ip 10.8.8.8"));
	free(text);

	/* Errors on the command line. */
	{
		char	*bad[] = { (char *)"--sentinel", (char *)"monitor", (char *)"x" };
		char	*bad2[] = { (char *)"port" };

		assert_int_equal(load_text("\n", 3, bad, &err), -1);
		assert_string_equal(err, "command line: --sentinel monitor: "
		    "Unrecognized sentinel configuration statement.");
		free(err);
		assert_int_equal(load_text("\n", 1, bad2, &err), -1);
		assert_string_equal(err, "command line: 'port': expected --directive");
		free(err);
	}
}

/* --- rewriting ------------------------------------------------------------------ */

/* Values that 7.0 wrote unquoted, and the user's lines and comments. */
static void
test_rewrite_roundtrip(void **state)
{
	static const char *const names[] = {
		"m x", "q\"uote", "#hash", "back\\slash", "caf\xc3\xa9", "tab\there", "'single'",
	};
	const char	*head;
	char		*before, *after, *text, *prev;
	char		*dir = xasprintf("%s/scr ipt#dir", test_dir);
	char		*script;
	struct instance	*m;
	size_t		 i;
	int		 n;

	UNUSED(state);
	assert_int_equal(mkdir(dir, 0755), 0);
	script = xasprintf("%s/n\"s.sh", dir);
	test_write(script, "#!/bin/sh\n");
	assert_int_equal(chmod(script, 0755), 0);
	load_ok("# my sentinel\n"
	    "port 26379\n"
	    "\n"
	    "# the master\n"
	    "sentinel monitor base 127.0.0.1 6379 2\n"
	    "sentinel deny-scripts-reconfig no\n"
	    "# trailing comment\n");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char	*err;
		char		*argv[3];
		int		 used;

		m = instance_master_new(names[i], NULL, "127.0.0.1", 7000 + (int)i, 1);
		assert_non_null(m);
		argv[0] = (char *)"auth-pass";
		argv[1] = (char *)names[i];
		assert_int_equal(sconf_master_set(m, 2, argv, &used, &err), SCONF_SET_DROP_LINKS);
		argv[0] = (char *)"auth-user";
		argv[1] = (char *)"us er";
		assert_int_equal(sconf_master_set(m, 2, argv, &used, &err), SCONF_SET_DROP_LINKS);
		argv[0] = (char *)"notification-script";
		argv[1] = script;
		if (sconf_master_set(m, 2, argv, &used, &err) != 0)
			fail_msg("%s", err);
		argv[0] = (char *)"rename-command";
		argv[1] = (char *)"CONFIG";
		argv[2] = (char *)"C F\\G#";
		assert_int_equal(sconf_master_set(m, 3, argv, &used, &err), 0);
		assert_int_equal(used, 3);
		instance_replica_add(m, "::1", 8000 + (int)i);
		instance_sentinel_add(m, "127.0.0.2", 26379, MYID_B);
		m->config_epoch = 4;
		sentinel.current_epoch = 5;
	}
	assert_int_equal(sconf_config_set("sentinel-pass", "p \"a\" #s\\s", NULL), 1);
	assert_int_equal(sconf_config_set("sentinel-user", "u s", NULL), 1);
	assert_int_equal(sconf_config_set("announce-ip", "h o#st", NULL), 0);
	before = dump_state();
	rewrite_ok();
	reload_ok();
	after = dump_state();
	assert_string_equal(before, after);
	free(after);

	text = test_slurp(test_conf);
	head = "# my sentinel\nport 26379\n\n# the master\n"
	    "sentinel monitor base 127.0.0.1 6379 2\n";
	assert_true(strncmp(text, head, strlen(head)) == 0);
	assert_non_null(strstr(text, "# trailing comment\n"));
	assert_true(has_line(text, "sentinel auth-pass \"m x\" \"m x\""));

	/* 100 more rewrites: the same file, no duplicates. */
	prev = text;
	for (n = 0; n < 100; n++)
		rewrite_ok();
	text = test_slurp(test_conf);
	assert_string_equal(prev, text);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct buf	b = BUF_INIT;

		buf_appends(&b, "sentinel known-replica ");
		conf_quote(&b, names[i], strlen(names[i]));
		assert_int_equal(count_lines(text, b.data), 1);
		buf_free(&b);
	}
	assert_int_equal(count_lines(text, "sentinel myid"), 1);
	assert_int_equal(count_lines(text, "sentinel current-epoch"), 1);
	assert_int_equal(count_lines(text, "# Generated by CONFIG REWRITE"), 1);
	reload_ok();
	after = dump_state();
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(prev);
	free(text);
	free(script);
	free(dir);
}

/* A file written by redis-sentinel 7.0.15 loads, and is left as it was. */
static void
test_redis70_file(void **state)
{
	char		*orig, *text, *p;
	struct buf	 b = BUF_INIT;
	struct instance	*m;

	UNUSED(state);
	orig = test_slurp(TEST_SRCDIR "/unit/data/sentinel/redis70-rewritten.conf");
	assert_non_null(orig);
	/* Its dir is where it was made: point it here. */
	p = strstr(orig, "dir \"");
	assert_non_null(p);
	buf_append(&b, orig, (size_t)(p - orig));
	buf_appendf(&b, "dir \"%s\"", test_dir);
	buf_appends(&b, strchr(p, '\n'));
	load_ok(b.data);
	assert_string_equal(sentinel.myid, "0e93b3d1e194cf726f2bd016295ce1b162d50987");
	assert_int_equal(sconf.port, 33721);
	assert_false(sconf.protected_mode);
	m = instance_master_find("mymaster");
	assert_non_null(m);
	assert_int_equal(m->port, 33719);
	assert_int_equal(m->down_after_ms, 5000);
	assert_int_equal(m->failover_timeout, 60000);
	assert_int_equal(m->parallel_syncs, 2);
	assert_string_equal(m->auth_pass, "s3cret");
	assert_string_equal(m->auth_user, "default");
	assert_int_equal(m->master_reboot_down_after_period, 1000);
	assert_int_equal(m->nreplicas, 1);
	assert_string_equal(m->replicas[0]->name, "127.0.0.1:33720");
	assert_int_equal(m->nsentinels, 1);
	assert_string_equal(m->sentinels[0]->runid, RUNID_S);
	assert_string_equal(instance_cmd_name(m, "CONFIG"), "CONFIG");
	assert_false(sconf_dirty());
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_string_equal(text, b.data);
	free(text);
	buf_free(&b);
	free(orig);
}

/* known-slave lines become known-replica lines, never both. */
static void
test_known_slave_replaced(void **state)
{
	char	*text;
	int	 n;

	UNUSED(state);
	load_ok("sentinel myid " MYID_A "\n"
	    "sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-slave m 127.0.0.1 6380\n"
	    "sentinel known-slave m 127.0.0.1 6381\n"
	    "# end\n");
	for (n = 0; n < 3; n++) {
		rewrite_ok();
		reload_ok();
	}
	text = test_slurp(test_conf);
	assert_int_equal(count_lines(text, "sentinel known-slave"), 0);
	assert_int_equal(count_lines(text, "sentinel known-replica m "), 2);
	assert_true(strstr(text, "sentinel known-replica m 127.0.0.1 6381\n") <
	    strstr(text, "# end"));
	free(text);
	assert_int_equal(instance_master_find("m")->nreplicas, 2);
}

/* What the state looks like after failovers and removals. */
static void
test_rewrite_state_changes(void **state)
{
	struct instance	*m, *r;
	char		*text;

	UNUSED(state);
	load_ok("sentinel myid " MYID_A "\n"
	    "sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel parallel-syncs m 1\n"
	    "sentinel monitor gone 127.0.0.1 7000 2\n"
	    "sentinel auth-pass gone secret\n"
	    "sentinel announce-ip 1.2.3.4\n"
	    "SENTINEL resolve-hostnames NO\n");
	m = instance_master_find("m");
	r = instance_replica_add(m, "127.0.0.1", 6380);
	instance_replica_add(m, "127.0.0.1", 6381);
	instance_sentinel_add(m, "127.0.0.1", 26380, "");	/* no run id yet: not saved */
	m->promoted_slave = r;
	m->flags |= INST_FAILOVER_IN_PROGRESS;
	m->failover_state = FO_RECONF_SLAVES;
	m->config_epoch = 2;
	sconf_forget_master(instance_master_find("gone"));
	instance_master_remove(instance_master_find("gone"));
	assert_int_equal(sconf_config_set("announce-ip", "", NULL), 0);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "sentinel monitor m 127.0.0.1 6380 2"));
	/* The user's default value stays. */
	assert_true(has_line(text, "sentinel parallel-syncs m 1"));
	/* The promoted replica is written with the old master's address. */
	assert_true(has_line(text, "sentinel known-replica m 127.0.0.1 6379"));
	assert_true(has_line(text, "sentinel known-replica m 127.0.0.1 6381"));
	assert_false(has_line(text, "sentinel known-replica m 127.0.0.1 6380"));
	assert_null(strstr(text, "known-sentinel"));
	assert_null(strstr(text, "gone"));
	assert_null(strstr(text, "announce-ip"));
	assert_true(has_line(text, "sentinel config-epoch m 2"));
	/* A line that says the same is kept as the user wrote it. */
	assert_true(has_line(text, "SENTINEL resolve-hostnames NO"));
	free(text);
	reload_ok();
	m = instance_master_find("m");
	assert_int_equal(m->port, 6380);
	assert_int_equal(m->nreplicas, 2);
	assert_null(sentinel.announce_ip);
}

/*
 * Rewrites one after another: a master whose lines have not changed is
 * left as it is (sconf.c skips it), one that changed is rewritten, and a
 * master removed and monitored again under the same name gets its lines
 * back (its cached lines went with the old instance).
 */
static void
test_rewrite_again(void **state)
{
	struct instance	*a, *b;
	char		*first, *text;

	UNUSED(state);
	load_ok("sentinel myid " MYID_A "\n"
	    "sentinel monitor a 127.0.0.1 6379 2\n"
	    "sentinel monitor b 127.0.0.1 7379 2\n");
	a = instance_master_find("a");
	b = instance_master_find("b");
	instance_replica_add(a, "127.0.0.1", 6380);
	rewrite_ok();
	first = test_slurp(test_conf);
	assert_true(has_line(first, "sentinel known-replica a 127.0.0.1 6380"));
	/* Nothing changed: the same file. */
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_string_equal(text, first);
	free(text);
	/* b changes, a does not. */
	b->config_epoch = 7;
	instance_replica_add(b, "127.0.0.1", 7380);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "sentinel config-epoch b 7"));
	assert_true(has_line(text, "sentinel known-replica b 127.0.0.1 7380"));
	assert_true(has_line(text, "sentinel known-replica a 127.0.0.1 6380"));
	free(text);
	/* a goes, then comes back with the same name. */
	sconf_forget_master(a);
	instance_master_remove(a);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_null(strstr(text, "monitor a "));
	assert_null(strstr(text, "known-replica a "));
	free(text);
	a = instance_master_new("a", "127.0.0.1", "127.0.0.1", 6379, 2);
	assert_non_null(a);
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "sentinel monitor a 127.0.0.1 6379 2"));
	assert_true(has_line(text, "sentinel config-epoch b 7"));
	free(text);
	free(first);

	/* A master whose lines are apart, others' in between: each found once. */
	sconf_free();
	sentinel_state_init();
	load_ok("sentinel myid " MYID_A "\n"
	    "sentinel monitor a 127.0.0.1 6379 2\n"
	    "sentinel monitor b 127.0.0.1 7379 2\n"
	    "sentinel parallel-syncs b 2\n"
	    "sentinel parallel-syncs a 3\n");
	a = instance_master_find("a");
	a->parallel_syncs = 5;
	a->config_epoch = 4;
	rewrite_ok();
	text = test_slurp(test_conf);
	assert_true(has_line(text, "sentinel parallel-syncs a 5"));
	assert_null(strstr(text, "parallel-syncs a 3"));
	assert_true(has_line(text, "sentinel parallel-syncs b 2"));
	assert_true(has_line(text, "sentinel config-epoch a 4"));
	assert_null(strstr(strstr(text, "parallel-syncs a 5") + 1, "parallel-syncs a "));
	free(text);
}

/* A failed save reports the error and changes nothing. */
static void
test_rewrite_failure(void **state)
{
	char	*err = NULL, *moved = xasprintf("%s.moved", test_dir), *text;

	UNUSED(state);
	load_ok("sentinel monitor m 127.0.0.1 6379 2\n");
	/* The file's directory is gone (works as root too, unlike chmod). */
	assert_int_equal(rename(test_dir, moved), 0);
	assert_int_equal(sconf_rewrite(&err), -1);
	assert_int_equal(rename(moved, test_dir), 0);
	assert_non_null(err);
	free(err);
	assert_true(sconf_dirty());
	text = test_slurp(test_conf);
	assert_string_equal(text, "sentinel monitor m 127.0.0.1 6379 2\n");
	free(text);
	rewrite_ok();
	assert_false(sconf_dirty());
	free(moved);
}

/* --- SENTINEL CONFIG and SENTINEL SET --------------------------------------------- */

/* SENTINEL CONFIG GET and SET with Redis's errors. */
static void
test_config_get_set(void **state)
{
	struct buf	 out = BUF_INIT;
	const char	*err = NULL;

	UNUSED(state);
	load_ok("sentinel announce-port 1000\n");
	assert_int_equal(sconf_config_get("*", &out), 6);
	buf_clear(&out);
	assert_int_equal(sconf_config_get("ANNOUNCE-*", &out), 3);
	assert_string_equal(out.data, "$18\r\nannounce-hostnames\r\n$2\r\nno\r\n"
	    "$11\r\nannounce-ip\r\n$0\r\n\r\n$13\r\nannounce-port\r\n$4\r\n1000\r\n");
	buf_clear(&out);
	assert_int_equal(sconf_config_get("nosuch", &out), 0);
	buf_free(&out);

	assert_int_equal(sconf_config_set("resolve-hostnames", "yes", &err), 0);
	assert_true(sentinel.resolve_hostnames);
	assert_int_equal(sconf_config_set("Announce-Hostnames", "YES", &err), 0);
	assert_true(sentinel.announce_hostnames);
	assert_int_equal(sconf_config_set("announce-port", "0", &err), 0);
	assert_int_equal(sconf_config_set("announce-ip", "10.0.0.1", &err), 0);
	assert_string_equal(sentinel.announce_ip, "10.0.0.1");
	assert_int_equal(sconf_config_set("announce-ip", "", &err), 0);
	assert_null(sentinel.announce_ip);
	assert_int_equal(sconf_config_set("sentinel-user", "u", &err), 1);
	assert_int_equal(sconf_config_set("sentinel-pass", "", &err), 1);
	assert_null(sentinel.sentinel_pass);
	assert_true(sconf_dirty());

	assert_int_equal(sconf_config_set("loglevel", "debug", &err), -1);
	assert_string_equal(err, "ERR Invalid argument 'loglevel' to SENTINEL CONFIG SET");
	assert_int_equal(sconf_config_set("resolve-hostnames", "maybe", &err), -1);
	assert_string_equal(err,
	    "ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'");
	assert_int_equal(sconf_config_set("announce-port", "65536", &err), -1);
	assert_string_equal(err, "ERR Invalid value '65536' to SENTINEL CONFIG SET 'announce-port'");
	assert_int_equal(sconf_config_set("announce-port", "x\r\ny", &err), -1);
	assert_string_equal(err, "ERR Invalid value 'x  y' to SENTINEL CONFIG SET 'announce-port'");
}

/* Helper: one SENTINEL SET option; returns sconf_master_set's result. */
static int
mset(struct instance *m, const char *opt, const char *v1, const char *v2, const char **err)
{
	char	*argv[3] = { (char *)opt, (char *)v1, (char *)v2 };
	int	 argc = v1 == NULL ? 1 : v2 == NULL ? 2 : 3, used;

	return sconf_master_set(m, argc, argv, &used, err);
}

/* SENTINEL SET: each option, its checks and Redis's errors. */
static void
test_master_set(void **state)
{
	struct instance	*m;
	const char	*err = NULL;
	char		*script = make_script("s.sh", 0755);
	char		*noexec = make_script("n.sh", 0644);

	UNUSED(state);
	load_ok("sentinel monitor m 127.0.0.1 6379 2\n"
	    "sentinel known-replica m 127.0.0.1 6380\n");
	m = instance_master_find("m");
	assert_int_equal(mset(m, "down-after-milliseconds", "1500", NULL, &err), 0);
	assert_int_equal(m->down_after_ms, 1500);
	assert_int_equal(m->replicas[0]->down_after_ms, 1500);
	assert_int_equal(mset(m, "FAILOVER-TIMEOUT", "9000", NULL, &err), 0);
	assert_int_equal(m->failover_timeout, 9000);
	assert_int_equal(mset(m, "parallel-syncs", "4", NULL, &err), 0);
	assert_int_equal(m->parallel_syncs, 4);
	assert_int_equal(mset(m, "quorum", "3", NULL, &err), 0);
	assert_int_equal(m->quorum, 3);
	assert_int_equal(mset(m, "master-reboot-down-after-period", "0", NULL, &err), 0);
	assert_int_equal(mset(m, "auth-pass", "", NULL, &err), SCONF_SET_DROP_LINKS);
	assert_null(m->auth_pass);
	assert_int_equal(mset(m, "auth-user", "bob", NULL, &err), SCONF_SET_DROP_LINKS);
	assert_string_equal(m->auth_user, "bob");
	assert_int_equal(mset(m, "rename-command", "CONFIG", "XCONF", &err), 0);
	assert_string_equal(instance_cmd_name(m, "config"), "XCONF");
	assert_int_equal(mset(m, "rename-command", "config", "Config", &err), 0);
	assert_int_equal(m->nrenamed, 0);

	assert_int_equal(mset(m, "notification-script", script, NULL, &err), -1);
	assert_string_equal(err, "ERR Reconfiguration of scripts path is denied for security "
	    "reasons. Check the deny-scripts-reconfig configuration directive in your "
	    "Sentinel configuration");
	sentinel.deny_scripts_reconfig = false;
	assert_int_equal(mset(m, "notification-script", script, NULL, &err), 0);
	assert_string_equal(m->notification_script, script);
	assert_int_equal(mset(m, "notification-script", "", NULL, &err), 0);
	assert_null(m->notification_script);
	assert_int_equal(mset(m, "notification-script", noexec, NULL, &err), -1);
	assert_string_equal(err, "ERR Notification script seems non existing or non executable");
	assert_int_equal(mset(m, "client-reconfig-script", noexec, NULL, &err), -1);
	assert_string_equal(err,
	    "ERR Client reconfiguration script seems non existing or non executable");

	assert_int_equal(mset(m, "down-after-milliseconds", "0", NULL, &err), -1);
	assert_string_equal(err, "ERR Invalid argument '0' for SENTINEL SET 'down-after-milliseconds'");
	assert_int_equal(mset(m, "quorum", "x", NULL, &err), -1);
	assert_string_equal(err, "ERR Invalid argument 'x' for SENTINEL SET 'quorum'");
	assert_int_equal(mset(m, "parallel-syncs", "-1", NULL, &err), -1);
	assert_int_equal(mset(m, "master-reboot-down-after-period", "-1", NULL, &err), -1);
	assert_string_equal(err,
	    "ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'");
	assert_int_equal(mset(m, "rename-command", "", "x", &err), -1);
	assert_string_equal(err, "ERR Invalid argument '' for SENTINEL SET 'rename-command'");
	assert_int_equal(mset(m, "rename-command", "x", NULL, &err), -1);
	assert_string_equal(err,
	    "ERR Unknown option or number of arguments for SENTINEL SET 'rename-command'");
	assert_int_equal(mset(m, "bogus", "1", NULL, &err), -1);
	assert_string_equal(err, "ERR Unknown option or number of arguments for SENTINEL SET 'bogus'");
	assert_int_equal(mset(m, "quorum", NULL, NULL, &err), -1);
	assert_string_equal(err, "ERR Unknown option or number of arguments for SENTINEL SET 'quorum'");

	/* Saved and read back. */
	rewrite_ok();
	reload_ok();
	m = instance_master_find("m");
	assert_int_equal(m->quorum, 3);
	assert_int_equal(m->down_after_ms, 1500);
	assert_int_equal(m->parallel_syncs, 4);
	assert_string_equal(m->auth_user, "bob");
	free(script);
	free(noexec);
}

/* One group: every test gets its own directory. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_instance_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sentinel_directives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sentinel_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_directives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_myid_generated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redis70_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_slave_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_state_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_get_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_set, setup, teardown),
	};

	return cmocka_run_group_tests_name("sconf", tests, NULL, NULL);
}
