/*
 * it_persist.c - persistence as clients see it: data surviving a
 * restart, -LOADING while the RDB loads, -MISCONF after a failed
 * BGSAVE, and an RDB file written by sentinel-kv read by redis-server.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"

#define PERSIST_NKEYS	20000	/* keys for the slow-load case */

/* One command, its rendered reply compared with want; diag on mismatch. */
static bool
persist_expect(struct h_conn *c, const char *want, ...)
{
	const char	*argv[32];
	const char	*s;
	va_list		 ap;
	int		 argc = 0, i;
	char		*got;
	bool		 ok;
	struct buf	 cmd = BUF_INIT;

	va_start(ap, want);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 32)
		argv[argc++] = s;
	va_end(ap);
	got = h_cmdv(c, argc, argv);
	ok = strcmp(got, want) == 0;
	if (!ok) {
		for (i = 0; i < argc; i++)
			buf_appendf(&cmd, "%s%s", i ? " " : "", argv[i]);
		h_diag("%s", cmd.data);
		h_diag_lines("  expected: ", want);
		h_diag_lines("  got:      ", got);
		buf_free(&cmd);
	}
	free(got);
	return ok;
}

/* One key of each type, binary data and a key with a TTL. */
static bool
persist_fill(struct h_conn *c)
{
	return persist_expect(c, "+OK", "SET", "str", "hello", NULL) &&
	    persist_expect(c, "+OK", "SET", "num", "12345", NULL) &&
	    persist_expect(c, "+OK", "SET", "bin", "a\r\n\x01\xff", NULL) &&
	    persist_expect(c, ":3", "RPUSH", "list", "a", "b", "c", NULL) &&
	    persist_expect(c, ":2", "HSET", "hash", "f1", "v1", "f2", "v2",
	    NULL) &&
	    persist_expect(c, ":3", "SADD", "set", "x", "y", "z", NULL) &&
	    persist_expect(c, "+OK", "SET", "ttl", "soon", "EX", "1000",
	    NULL) &&
	    persist_expect(c, "+OK", "SELECT", "5", NULL) &&
	    persist_expect(c, "+OK", "SET", "db5", "five", NULL) &&
	    persist_expect(c, "+OK", "SELECT", "0", NULL);
}

/* Every key as persist_fill left it; no reliance on hash/set order. */
static bool
persist_check(struct h_conn *c)
{
	char	*ttl;
	long	 v;
	bool	 ok;

	ok = persist_expect(c, ":7", "DBSIZE", NULL) &&
	    persist_expect(c, "\"hello\"", "GET", "str", NULL) &&
	    persist_expect(c, "\"12345\"", "GET", "num", NULL) &&
	    persist_expect(c, ":12346", "INCR", "num", NULL) &&
	    persist_expect(c, "\"a\\r\\n\\x01\\xff\"", "GET", "bin", NULL) &&
	    persist_expect(c, "+list", "TYPE", "list", NULL) &&
	    persist_expect(c, "*3\n  \"a\"\n  \"b\"\n  \"c\"\n", "LRANGE",
	    "list", "0", "-1", NULL) &&
	    persist_expect(c, "+hash", "TYPE", "hash", NULL) &&
	    persist_expect(c, ":2", "HLEN", "hash", NULL) &&
	    persist_expect(c, "\"v1\"", "HGET", "hash", "f1", NULL) &&
	    persist_expect(c, "\"v2\"", "HGET", "hash", "f2", NULL) &&
	    persist_expect(c, "+set", "TYPE", "set", NULL) &&
	    persist_expect(c, ":3", "SCARD", "set", NULL) &&
	    persist_expect(c, ":1", "SISMEMBER", "set", "x", NULL) &&
	    persist_expect(c, ":1", "SISMEMBER", "set", "y", NULL) &&
	    persist_expect(c, ":1", "SISMEMBER", "set", "z", NULL) &&
	    persist_expect(c, "\"soon\"", "GET", "ttl", NULL) &&
	    persist_expect(c, ":-1", "TTL", "str", NULL) &&
	    persist_expect(c, "+OK", "SELECT", "5", NULL) &&
	    persist_expect(c, "\"five\"", "GET", "db5", NULL) &&
	    persist_expect(c, "+OK", "SELECT", "0", NULL);
	if (!ok)
		return false;
	ttl = h_cmd(c, "TTL", "ttl", NULL);
	v = ttl[0] == ':' ? strtol(ttl + 1, NULL, 10) : -100;
	ok = v > 900 && v <= 1000;
	if (!ok)
		h_diag("TTL ttl: expected 900 < ttl <= 1000, got %s", ttl);
	free(ttl);
	return ok;
}

/* Polls INFO persistence until field has value; false at the deadline. */
static bool
persist_wait_info(struct h_conn *c, const char *field, const char *value)
{
	int64_t	 end = util_mono_ms() + H_DEADLINE_MS;
	char	*v;
	bool	 ok;

	for (;;) {
		v = h_info_get(c, "persistence", field);
		ok = v != NULL && strcmp(v, value) == 0;
		if (ok || util_mono_ms() >= end) {
			if (!ok)
				h_diag("INFO %s: waited for %s, still %s",
				    field, value, v != NULL ? v : "(none)");
			free(v);
			return ok;
		}
		free(v);
		usleep(20000);
	}
}

/* (a) SHUTDOWN saves with save points set; a restart gets it all back. */
static bool
persist_restart(const struct h_target *t, void *arg)
{
	struct h_srvcfg	 cfg;
	struct h_server	 srv;
	struct h_conn	*c = NULL;
	char		*dir;
	int		 st;
	bool		 ok = false;

	UNUSED(arg);
	dir = h_tmpdir("persist");
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = t->bin;
	cfg.dir = dir;
	cfg.save = "3600 1";
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL || !persist_fill(c))
		goto out;
	/* SHUTDOWN answers nothing on success: the connection just ends. */
	h_send(c, "SHUTDOWN", NULL);
	if (!h_wait_closed(c, H_DEADLINE_MS)) {
		h_diag("SHUTDOWN did not close the connection");
		goto out;
	}
	h_close(c);
	c = NULL;
	if (!h_exited(srv.pid, &st, H_DEADLINE_MS) || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		h_diag("SHUTDOWN: expected exit status 0");
		goto out;
	}
	srv.pid = 0;

	/* Same dir, same port at once: SO_REUSEADDR must allow it. */
	cfg.port = srv.port;
	h_server_free(&srv);
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL || !persist_check(c))
		goto out;
	h_close(c);
	c = NULL;

	/* SIGTERM saves too. */
	if (!persist_expect((c = h_connect(srv.port)), "+OK", "SET", "late",
	    "1", NULL))
		goto out;
	h_close(c);
	c = NULL;
	st = h_server_stop(&srv);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		h_diag("SIGTERM: expected exit status 0, got %d", st);
		goto out;
	}
	h_server_free(&srv);
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	c = h_connect(srv.port);
	ok = c != NULL && persist_expect(c, "\"1\"", "GET", "late", NULL) &&
	    persist_expect(c, ":8", "DBSIZE", NULL);
out:
	if (!ok)
		h_server_diag_log(&srv);
	h_close(c);
	h_server_free(&srv);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* Writes n keys "key:i" with pipelined MSETs of 1000 keys. */
static bool
persist_populate(struct h_conn *c, int n)
{
	const char	*argv[2001];
	char		*keys[2000];
	int		 i, j, k, nb = 0;
	char		*r;
	bool		 ok = true;

	for (i = 0; i < n; i += 1000) {
		argv[0] = "MSET";
		for (j = i, k = 0; j < n && j < i + 1000; j++) {
			keys[k] = xasprintf("key:%d", j);
			argv[1 + k] = keys[k];
			k++;
			keys[k] = xasprintf("value of key %d", j);
			argv[1 + k] = keys[k];
			k++;
		}
		h_send_argv(c, k + 1, argv, NULL);
		nb++;
		for (j = 0; j < k; j++)
			free(keys[j]);
	}
	while (nb-- > 0) {
		r = h_reply(c);
		if (strcmp(r, "+OK") != 0) {
			h_diag("MSET: %s", r);
			ok = false;
		}
		free(r);
	}
	return ok;
}

/*
 * (b) While the RDB loads, commands get -LOADING. key-load-delay is in
 * microseconds per key in Redis 7.0 (a negative value would sleep 1 us
 * for one key in -N), so 20000 keys * 40 us load in 1-3 s;
 * loading-process-events-interval-bytes 1024 makes Redis serve clients
 * often during such a small load (its default is every 2 MB).
 */
static bool
persist_loading(const struct h_target *t, void *arg)
{
	static const char *const slow[] = { "--key-load-delay", "40",
	    "--loading-process-events-interval-bytes", "1024", NULL };
	struct h_srvcfg	 cfg;
	struct h_server	 srv;
	struct h_conn	*c = NULL;
	char		*dir, *r = NULL;
	int64_t		 start, end;
	bool		 ok = false;

	UNUSED(arg);
	dir = h_tmpdir("loading");
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = t->bin;
	cfg.dir = dir;
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL ||
	    !persist_populate(c, PERSIST_NKEYS) ||
	    !persist_expect(c, "+OK", "SAVE", NULL))
		goto out;
	h_close(c);
	c = NULL;
	h_server_stop(&srv);

	cfg.args = slow;
	cfg.port = srv.port;
	cfg.nowait = true;	/* PING would only say LOADING */
	h_server_free(&srv);
	start = util_mono_ms();
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL)
		goto out;
	if (!persist_expect(c, "-LOADING Redis is loading the dataset in "
	    "memory", "GET", "key:1", NULL))
		goto out;
	if (!persist_expect(c, "-LOADING Redis is loading the dataset in "
	    "memory", "SET", "x", "1", NULL))
		goto out;
	/* Then the data: poll with a deadline. */
	end = util_mono_ms() + 30000;
	for (;;) {
		free(r);
		r = h_cmd(c, "GET", "key:1", NULL);
		if (strncmp(r, "-LOADING ", 9) != 0 || util_mono_ms() >= end)
			break;
		usleep(20000);
	}
	if (strcmp(r, "\"value of key 1\"") != 0) {
		h_diag("after loading: GET key:1 got %s", r);
		goto out;
	}
	h_diag("loading took about %lld ms",
	    (long long)(util_mono_ms() - start));
	ok = persist_expect(c, ":20000", "DBSIZE", NULL) &&
	    persist_expect(c, "\"value of key 19999\"", "GET", "key:19999",
	    NULL);
out:
	if (!ok)
		h_server_diag_log(&srv);
	free(r);
	h_close(c);
	h_server_free(&srv);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/*
 * (c) A failed BGSAVE with save points set makes writes fail with
 * -MISCONF (and PING too: Redis 7.0 treats PING like a write there),
 * reads keep working; a successful BGSAVE clears it.
 */
static bool
persist_misconf(const struct h_target *t, void *arg)
{
	/* dir is a protected config in 7.0: CONFIG SET needs this. */
	static const char *const prot[] = { "--enable-protected-configs",
	    "yes", NULL };
	struct h_srvcfg	 cfg;
	struct h_server	 srv;
	struct h_conn	*c = NULL;
	char		*dir, *data, *r = NULL;
	bool		 ok = false;

	UNUSED(arg);
	dir = h_tmpdir("misconf");
	data = xasprintf("%s/data", dir);
	mkdir(data, 0755);
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = t->bin;
	cfg.dir = data;
	cfg.logdir = dir;
	cfg.save = "3600 1";
	cfg.args = prot;
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL ||
	    !persist_expect(c, "+OK", "SET", "a", "1", NULL))
		goto out;
	h_rmtree(data);
	if (!persist_expect(c, "+Background saving started", "BGSAVE", NULL) ||
	    !persist_wait_info(c, "rdb_bgsave_in_progress", "0") ||
	    !persist_wait_info(c, "rdb_last_bgsave_status", "err"))
		goto out;
	/* The exact text, as Redis 7.0 words it. */
	ok = persist_expect(c, "-MISCONF Redis is configured to save RDB "
	    "snapshots, but it's currently unable to persist to disk. "
	    "Commands that may modify the data set are disabled, because "
	    "this instance is configured to report errors during writes if "
	    "RDB snapshotting fails (stop-writes-on-bgsave-error option). "
	    "Please check the Redis logs for details about the RDB error.",
	    "SET", "b", "2", NULL);
	r = h_cmd(c, "PING", NULL);
	if (strncmp(r, "-MISCONF ", 9) != 0) {
		h_diag("PING: expected -MISCONF..., got %s", r);
		ok = false;
	}
	ok = ok && persist_expect(c, "\"1\"", "GET", "a", NULL) &&
	    persist_expect(c, ":1", "DBSIZE", NULL);
	if (!ok)
		goto out;
	ok = false;

	/* The old cwd is gone for good: recreate it and point dir at it. */
	if (mkdir(data, 0755) == -1 ||
	    !persist_expect(c, "+OK", "CONFIG", "SET", "dir", data, NULL) ||
	    !persist_expect(c, "+Background saving started", "BGSAVE",
	    NULL) ||
	    !persist_wait_info(c, "rdb_bgsave_in_progress", "0") ||
	    !persist_wait_info(c, "rdb_last_bgsave_status", "ok"))
		goto out;
	ok = persist_expect(c, "+OK", "SET", "b", "2", NULL) &&
	    persist_expect(c, "+PONG", "PING", NULL);
out:
	if (!ok)
		h_server_diag_log(&srv);
	free(r);
	h_close(c);
	h_server_free(&srv);
	h_tmpdir_remove(dir);
	free(dir);
	free(data);
	return ok;
}

/* (d) sentinel-kv writes an RDB, redis-server reads every key back. */
static bool
persist_kv_to_redis(const struct h_target *kv, const struct h_target *rs)
{
	static const char *const dbf[] = { "--dbfilename", "dump.rdb", NULL };
	struct h_srvcfg	 cfg;
	struct h_server	 srv;
	struct h_conn	*c = NULL;
	char		*dir;
	bool		 ok = false;

	dir = h_tmpdir("rdbcompat");
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = kv->bin;
	cfg.dir = dir;
	cfg.args = dbf;
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL || !persist_fill(c) ||
	    !persist_expect(c, "+OK", "SAVE", NULL))
		goto out;
	h_close(c);
	c = NULL;
	h_server_free(&srv);

	cfg.bin = rs->bin;
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((c = h_connect(srv.port)) == NULL || !persist_check(c))
		goto out;
	ok = true;
out:
	if (!ok)
		h_server_diag_log(&srv);
	h_close(c);
	h_server_free(&srv);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* The cross-server case only makes sense with both binaries. */
static void
persist_run_compat(void)
{
	const char	*desc = "RDB written by sentinel-kv loads in redis-server";
	struct h_target	 kv, rs;
	bool		 kvok, rsok;

	kvok = h_target_get(H_KV, &kv);
	rsok = h_target_get(H_REDIS, &rs);
	if (kv.bin == NULL || rs.bin == NULL) {
		h_skip(kv.bin == NULL ? "SENTINEL_KV_BIN not set" :
		    "redis-server not installed", "%s", desc);
		return;
	}
	if (!kvok || !rsok) {
		h_ok(false, "%s", desc);
		h_diag("%s: not an executable file", kvok ? rs.bin : kv.bin);
		return;
	}
	h_ok(persist_kv_to_redis(&kv, &rs), "%s", desc);
}

/* Three cases per server kind, then the cross-server RDB case. */
int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	h_plan(3 * h_nkinds() + 1);
	h_run("data survives SHUTDOWN, SIGTERM and restart", persist_restart,
	    NULL);
	h_run("-LOADING while the RDB loads, data afterwards",
	    persist_loading, NULL);
	h_run("-MISCONF after a failed BGSAVE, cleared by a good one",
	    persist_misconf, NULL);
	persist_run_compat();
	return h_done();
}
