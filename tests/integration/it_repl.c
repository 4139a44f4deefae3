/*
 * it_repl.c - replication as Redis 7.0 does it, each case run with a
 * master and replicas all of one kind: convergence of every data type,
 * partial resync after a dropped link, full resync after a backlog
 * overrun, PSYNC2 after a promotion, READONLY, WAIT, PUBLISH through a
 * replica, a master that dies and comes back, slaveof in a config file
 * and on the command line, ROLE, TTLs on replicas, MULTI/EXEC applied at
 * once, the INFO replication fields and CONFIG REWRITE of replicaof.
 * One more case puts a real redis-server behind a sentinel-kv master.
 */
#include "config.h"

#include <sys/types.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"

#define REPL_MAXARGS	24	/* extra command line arguments */
#define REPL_NODES	3	/* master and up to two replicas */
#define REPL_POLL_US	5000	/* between looks at a changing state */

/* One server of a case: master or replica. */
struct rnode {
	const char	*bin;
	char		*dir;
	char		*conf;		/* config file, or NULL */
	const char	*args[REPL_MAXARGS + 1];
	char		 mport[16];	/* master port for --replicaof */
	struct h_server	 srv;
	struct h_conn	*c;
	bool		 used;
	bool		 stopped;	/* SIGSTOPped: needs SIGCONT */
};

/* --- commands and replies ---------------------------------------------- */

/* One command, its rendered reply compared with want; diag on mismatch. */
static bool __attribute__((sentinel))
repl_expect(struct h_conn *c, const char *want, ...)
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

/* A command whose reply is needed as a tree (arrays of ROLE, MGET). */
static struct h_node * __attribute__((sentinel))
repl_node(struct h_conn *c, ...)
{
	const char	*argv[32];
	const char	*s;
	struct h_node	*n;
	va_list		 ap;
	int		 argc = 0;

	va_start(ap, c);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 32)
		argv[argc++] = s;
	va_end(ap);
	if (h_send_argv(c, argc, argv, NULL) == -1 || h_read(c, &n) != H_RD_OK)
		return NULL;
	return n;
}

/* The raw text of INFO section, allocated, NULL when it failed. */
static char *
repl_info(struct h_conn *c, const char *section)
{
	struct h_node	*n;
	char		*text = NULL;

	if (h_send(c, "INFO", section, NULL) == -1 || h_read(c, &n) != H_RD_OK)
		return NULL;
	if (n->str != NULL && n->line[0] == '"')
		text = xmemdup(n->str, n->slen);
	h_node_free(n);
	return text;
}

/* A numeric INFO field; false if it is missing or not a number. */
static bool
repl_info_ll(struct h_conn *c, const char *section, const char *field,
    long long *v)
{
	char	*s;
	bool	 ok;

	s = h_info_get(c, section, field);
	ok = s != NULL && util_parse_ll(s, strlen(s), v);
	free(s);
	return ok;
}

/* Polls an INFO field until it reads want; diag at the deadline. */
static bool
repl_wait_info(struct h_conn *c, const char *section, const char *field,
    const char *want)
{
	int64_t	 end = util_mono_ms() + H_DEADLINE_MS;
	char	*v;
	bool	 ok;

	for (;;) {
		v = h_info_get(c, section, field);
		ok = v != NULL && strcmp(v, want) == 0;
		if (ok || util_mono_ms() >= end) {
			if (!ok)
				h_diag("INFO %s: waited for %s, still %s",
				    field, want, v != NULL ? v : "(none)");
			free(v);
			return ok;
		}
		free(v);
		usleep(REPL_POLL_US);
	}
}

/* Polls a numeric INFO field until it is at least want. */
static bool
repl_wait_ll(struct h_conn *c, const char *section, const char *field,
    long long want)
{
	int64_t		end = util_mono_ms() + H_DEADLINE_MS;
	long long	v = -1;
	bool		ok;

	for (;;) {
		ok = repl_info_ll(c, section, field, &v) && v >= want;
		if (ok || util_mono_ms() >= end) {
			if (!ok)
				h_diag("INFO %s: waited for >= %lld, "
				    "still %lld", field, want, v);
			return ok;
		}
		usleep(REPL_POLL_US);
	}
}

/* A numeric INFO field must have exactly this value now. */
static bool
repl_check_ll(struct h_conn *c, const char *section, const char *field,
    long long want)
{
	long long	v = -1;

	if (repl_info_ll(c, section, field, &v) && v == want)
		return true;
	h_diag("INFO %s: expected %lld, got %lld", field, want, v);
	return false;
}

/* --- nodes ------------------------------------------------------------- */

/* Starts (or restarts on port) a node as set up by repl_start. */
static bool
repl_launch(struct rnode *n, int port)
{
	struct h_srvcfg	cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.bin = n->bin;
	cfg.dir = n->dir;
	cfg.conf = n->conf;
	cfg.args = n->args;
	cfg.port = port;
	if (h_server_start(&n->srv, &cfg) == -1)
		return false;
	if ((n->c = h_connect(n->srv.port)) == NULL) {
		h_diag("cannot connect to port %d", n->srv.port);
		return false;
	}
	return true;
}

/*
 * A server in a dir of its own (a replica writes its RDB there), a
 * replica of mport if that is not 0. A full sync starts at once rather
 * than after the default 5 s wait for more replicas.
 */
static bool
repl_start(struct rnode *n, const char *bin, int mport, const char *conftext,
    const char *const *extra)
{
	size_t	i = 0, j;

	memset(n, 0, sizeof *n);
	n->used = true;
	n->bin = bin;
	n->dir = h_tmpdir("repl");
	if (conftext != NULL) {
		n->conf = xasprintf("%s/node.conf", n->dir);
		if (h_write_file(n->conf, conftext) == -1) {
			h_diag("cannot write %s", n->conf);
			return false;
		}
	}
	n->args[i++] = "--repl-diskless-sync-delay";
	n->args[i++] = "0";
	if (mport > 0) {
		snprintf(n->mport, sizeof n->mport, "%d", mport);
		n->args[i++] = "--replicaof";
		n->args[i++] = "127.0.0.1";
		n->args[i++] = n->mport;
	}
	for (j = 0; extra != NULL && extra[j] != NULL && i < REPL_MAXARGS; j++)
		n->args[i++] = extra[j];
	n->args[i] = NULL;
	return repl_launch(n, 0);
}

/* Freezes a node, as a hung or swapped-out server would be. */
static bool
repl_pause(struct rnode *n)
{
	if (kill(n->srv.pid, SIGSTOP) == -1) {
		h_diag("SIGSTOP %d failed", (int)n->srv.pid);
		return false;
	}
	n->stopped = true;
	return true;
}

/* Lets a frozen node run again. */
static void
repl_unpause(struct rnode *n)
{
	if (n->stopped && n->srv.pid > 0)
		kill(n->srv.pid, SIGCONT);
	n->stopped = false;
}

/* A crash: SIGKILL, nothing saved, connections dropped by the kernel. */
static void
repl_crash(struct rnode *n)
{
	repl_unpause(n);
	h_kill9(n->srv.pid);
	n->srv.pid = 0;
	h_close(n->c);
	n->c = NULL;
}

/* Same port, same dir, same arguments as before the crash. */
static bool
repl_restart(struct rnode *n)
{
	int	port = n->srv.port;

	h_server_free(&n->srv);
	return repl_launch(n, port);
}

/* Logs on failure, then stop everything and remove the dirs. */
static void
repl_cleanup(struct rnode *nodes, size_t nn, bool ok)
{
	struct rnode	*n;
	size_t		 i;

	for (i = 0; i < nn; i++) {
		n = &nodes[i];
		if (!n->used)
			continue;
		repl_unpause(n);
		if (!ok) {
			h_diag("--- node %zu (port %d)", i, n->srv.port);
			h_server_diag_log(&n->srv);
		}
		h_close(n->c);
		h_server_free(&n->srv);
		h_tmpdir_remove(n->dir);
		free(n->dir);
		free(n->conf);
		memset(n, 0, sizeof *n);
	}
}

/* --- replication state ------------------------------------------------- */

/*
 * The replica has what the master had written when we asked: link up
 * and its applied offset at least the master's offset.
 */
static bool
repl_wait_synced(struct rnode *m, struct rnode *r)
{
	int64_t		 end = util_mono_ms() + H_DEADLINE_MS;
	long long	 moff, roff;
	char		*info, *link, *off;
	bool		 ok;

	if (!repl_info_ll(m->c, "replication", "master_repl_offset", &moff)) {
		h_diag("master has no master_repl_offset");
		return false;
	}
	for (;;) {
		info = repl_info(r->c, "replication");
		link = info != NULL ? h_info_field(info, "master_link_status") :
		    NULL;
		off = info != NULL ? h_info_field(info, "slave_repl_offset") :
		    NULL;
		ok = link != NULL && strcmp(link, "up") == 0 && off != NULL &&
		    util_parse_ll(off, strlen(off), &roff) && roff >= moff;
		if (!ok && util_mono_ms() >= end) {
			h_diag("replica %d not synced with master %d: link %s, "
			    "offset %s of %lld", r->srv.port, m->srv.port,
			    link != NULL ? link : "(none)",
			    off != NULL ? off : "(none)", moff);
		}
		free(info);
		free(link);
		free(off);
		if (ok)
			return true;
		if (util_mono_ms() >= end)
			return false;
		usleep(REPL_POLL_US);
	}
}

/* Counts the slaveN lines of a master's INFO that say state=online. */
static int
repl_count_online(const char *info)
{
	const char	*p = info;
	size_t		 n;
	int		 count = 0;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, "\r\n");
		/* lag=-1: online, but no REPLCONF ACK yet (redis-server, right after the sync). */
		if (strncmp(p, "slave", 5) == 0 && p[5] >= '0' && p[5] <= '9' &&
		    memmem(p, n, ",state=online,", 14) != NULL && memmem(p, n, ",lag=-1", 7) == NULL)
			count++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return count;
}

/* The master sees n replicas, all online and acknowledging (WAIT counts only those). */
static bool
repl_wait_online(struct rnode *m, int nrep)
{
	int64_t	 end = util_mono_ms() + H_DEADLINE_MS;
	char	*info, *cs;
	int	 online = 0;
	bool	 ok;

	for (;;) {
		info = repl_info(m->c, "replication");
		cs = info != NULL ? h_info_field(info, "connected_slaves") :
		    NULL;
		online = info != NULL ? repl_count_online(info) : 0;
		ok = cs != NULL && atoi(cs) == nrep && online == nrep;
		if (!ok && util_mono_ms() >= end) {
			h_diag("master: waited for %d online replicas, "
			    "connected_slaves %s, online %d", nrep,
			    cs != NULL ? cs : "(none)", online);
			if (info != NULL)
				h_diag_lines("  ", info);
		}
		free(info);
		free(cs);
		if (ok)
			return true;
		if (util_mono_ms() >= end)
			return false;
		usleep(REPL_POLL_US);
	}
}

/* A master and nrep replicas of one binary, all synced and online. */
static bool
repl_setup(struct rnode *n, int nrep, const char *bin,
    const char *const *margs, const char *const *rargs)
{
	int	i;

	if (!repl_start(&n[0], bin, 0, NULL, margs))
		return false;
	for (i = 1; i <= nrep; i++)
		if (!repl_start(&n[i], bin, n[0].srv.port, NULL, rargs))
			return false;
	for (i = 1; i <= nrep; i++)
		if (!repl_wait_synced(&n[0], &n[i]))
			return false;
	return repl_wait_online(&n[0], nrep);
}

/* --- data -------------------------------------------------------------- */

/* A reply element as text: the payload quoted, else its header. */
static void
repl_elem(struct buf *out, const struct h_node *n)
{
	if (n->str != NULL && n->line[0] == '"')
		h_quote(out, n->str, n->slen);
	else
		buf_appends(out, n->line);
}

/* qsort on strings. */
static int
repl_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Hash fields and set members come in an order that depends on the hash
 * seed of each process: sort them (field=value pairs for a hash).
 */
static void
repl_sorted(struct buf *out, const struct h_node *n, bool pairs)
{
	size_t	 step = pairs ? 2 : 1, i, k = 0;
	char	**v;

	buf_appendf(out, "%s [", n->line);
	v = xcalloc(n->nkids + 1, sizeof *v);
	for (i = 0; i + step <= n->nkids; i += step) {
		struct buf	e = BUF_INIT;

		repl_elem(&e, n->kids[i]);
		if (pairs) {
			buf_appendc(&e, '=');
			repl_elem(&e, n->kids[i + 1]);
		}
		v[k++] = e.data;
	}
	qsort(v, k, sizeof *v, repl_strcmp);
	for (i = 0; i < k; i++) {
		buf_appendf(out, "%s%s", i ? " " : "", v[i]);
		free(v[i]);
	}
	free(v);
	buf_appendc(out, ']');
}

/* Everything that must be equal about a key: type, value, TTL or not. */
static char *
repl_key_dump(struct h_conn *c, const char *key)
{
	struct buf	 b = BUF_INIT;
	struct h_node	*n = NULL;
	char		*type, *ttl;
	bool		 pairs = false;

	type = h_cmd(c, "TYPE", key, NULL);
	buf_appendf(&b, "%s ", type);
	if (strcmp(type, "+string") == 0)
		n = repl_node(c, "GET", key, NULL);
	else if (strcmp(type, "+list") == 0)
		n = repl_node(c, "LRANGE", key, "0", "-1", NULL);
	else if (strcmp(type, "+hash") == 0) {
		n = repl_node(c, "HGETALL", key, NULL);
		pairs = true;
	} else if (strcmp(type, "+set") == 0)
		n = repl_node(c, "SMEMBERS", key, NULL);
	if (n != NULL && n->nkids > 0)
		repl_sorted(&b, n, pairs);
	else if (n != NULL)
		repl_elem(&b, n);
	h_node_free(n);
	free(type);
	/* The TTL ticks down: only whether there is one must match. */
	ttl = h_cmd(c, "PTTL", key, NULL);
	if (ttl[0] == ':' && ttl[1] != '-' && strcmp(ttl, ":0") != 0)
		buf_appends(&b, " ttl");
	else
		buf_appendf(&b, " %s", ttl);
	free(ttl);
	return b.data;
}

/*
 * Every db of the replica holds the same keys as the master's: same
 * DBSIZE, and for each key of the master the same type and value.
 */
static bool
repl_compare(struct rnode *m, struct rnode *r)
{
	struct h_node	*keys;
	char		 db[8], *sm, *sr, *key, *dm, *dr;
	size_t		 i;
	bool		 ok = true;
	int		 d;

	for (d = 0; d < 16 && ok; d++) {
		snprintf(db, sizeof db, "%d", d);
		if (!repl_expect(m->c, "+OK", "SELECT", db, NULL) ||
		    !repl_expect(r->c, "+OK", "SELECT", db, NULL))
			return false;
		sm = h_cmd(m->c, "DBSIZE", NULL);
		sr = h_cmd(r->c, "DBSIZE", NULL);
		if (strcmp(sm, sr) != 0) {
			h_diag("db %d: DBSIZE %s on %d, %s on %d", d, sm,
			    m->srv.port, sr, r->srv.port);
			ok = false;
		}
		if (!ok || strcmp(sm, ":0") == 0) {
			free(sm);
			free(sr);
			continue;
		}
		free(sm);
		free(sr);
		if ((keys = repl_node(m->c, "KEYS", "*", NULL)) == NULL)
			return false;
		for (i = 0; i < keys->nkids && ok; i++) {
			key = xmemdup(keys->kids[i]->str, keys->kids[i]->slen);
			dm = repl_key_dump(m->c, key);
			dr = repl_key_dump(r->c, key);
			if (strcmp(dm, dr) != 0) {
				h_diag("db %d key %s differs", d, key);
				h_diag("  on %d: %s", m->srv.port, dm);
				h_diag("  on %d: %s", r->srv.port, dr);
				ok = false;
			}
			free(dm);
			free(dr);
			free(key);
		}
		h_node_free(keys);
	}
	return repl_expect(m->c, "+OK", "SELECT", "0", NULL) &&
	    repl_expect(r->c, "+OK", "SELECT", "0", NULL) && ok;
}

/* Runs a list of commands; any error reply fails. */
static bool
repl_script(struct h_conn *c, const char *const (*rows)[8], size_t nrows)
{
	size_t	 i;
	int	 argc;
	char	*r;
	bool	 ok;

	for (i = 0; i < nrows; i++) {
		for (argc = 0; argc < 8 && rows[i][argc] != NULL; argc++)
			;
		r = h_cmdv(c, argc, rows[i]);
		ok = r[0] != '-' && r[0] != '(';
		if (!ok)
			h_diag("%s %s: %s", rows[i][0],
			    argc > 1 ? rows[i][1] : "", r);
		free(r);
		if (!ok)
			return false;
	}
	return true;
}

/* cmd key prefix0 prefix1 ... with n generated arguments (RPUSH, SADD). */
static bool
repl_bigcmd(struct h_conn *c, const char *cmd, const char *key, int n,
    bool pairs)
{
	const char	**argv;
	char		**own;
	int		  argc = 0, nown = 0, i;
	char		 *r;
	bool		  ok;

	argv = xcalloc((size_t)n * 2 + 2, sizeof *argv);
	own = xcalloc((size_t)n * 2 + 1, sizeof *own);
	argv[argc++] = cmd;
	argv[argc++] = key;
	for (i = 0; i < n; i++) {
		own[nown] = xasprintf("%s%d", pairs ? "field" : "m", i);
		argv[argc++] = own[nown++];
		if (pairs) {
			own[nown] = xasprintf("value %d", i * 7);
			argv[argc++] = own[nown++];
		}
	}
	r = h_cmdv(c, argc, argv);
	ok = r[0] == ':' || r[0] == '+';
	if (!ok)
		h_diag("%s %s: %s", cmd, key, r);
	free(r);
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	free(argv);
	return ok;
}

/* n pipelined SETs prefix:i of size-byte values; all must answer +OK. */
static bool
repl_write_many(struct h_conn *c, const char *prefix, int n, size_t size)
{
	char		*val, *key, *r;
	int		 i, sent = 0, bad = 0;
	const char	*argv[3];

	val = xmalloc(size + 1);
	memset(val, 'v', size);
	val[size] = '\0';
	argv[0] = "SET";
	argv[2] = val;
	for (i = 0; i < n; i++) {
		key = xasprintf("%s:%d", prefix, i);
		argv[1] = key;
		if (h_send_argv(c, 3, argv, NULL) == 0)
			sent++;
		free(key);
		/* Read as we go so neither side's buffers fill up. */
		if (sent % 50 == 0 || i == n - 1) {
			while (sent > 0) {
				r = h_reply(c);
				if (strcmp(r, "+OK") != 0 && bad++ == 0)
					h_diag("SET %s: %s", prefix, r);
				free(r);
				sent--;
			}
		}
	}
	free(val);
	return bad == 0 && sent == 0;
}

/* --- 1. convergence ---------------------------------------------------- */

/* Written before the replicas attach: it arrives with the full sync. */
static const char *const repl_fill_before[][8] = {
	{ "SET", "s:plain", "hello", NULL },
	{ "SET", "s:ttl", "soon", "EX", "1000", NULL },
	{ "SET", "s:bin", "a\r\nb\x01\xff", NULL },
	{ "SET", "counter", "10", NULL },
	{ "INCR", "counter", NULL },
	{ "INCRBY", "counter", "5", NULL },
	{ "DECR", "counter", NULL },
	{ "RPUSH", "list", "a", "b", "c", NULL },
	{ "LPUSH", "list", "z", NULL },
	{ "RPOP", "list", NULL },
	{ "HSET", "hash", "f1", "v1", "f2", "v2", NULL },
	{ "HSET", "hash", "f3", "v3", NULL },
	{ "HDEL", "hash", "f2", NULL },
	{ "SADD", "set", "x", "y", "z", NULL },
	{ "SREM", "set", "y", NULL },
	{ "SADD", "intset", "3", "1", "2", NULL },
	{ "SET", "gone", "1", NULL },
	{ "DEL", "gone", NULL },
	{ "SET", "expiring", "v", NULL },
	{ "EXPIRE", "expiring", "1000", NULL },
	{ "SELECT", "3", NULL },
	{ "SET", "db3:s", "three", NULL },
	{ "RPUSH", "db3:l", "1", "2", "3", NULL },
	{ "SELECT", "7", NULL },
	{ "SET", "doomed", "1", NULL },
	{ "HSET", "doomed:h", "a", "b", NULL },
	{ "SELECT", "0", NULL },
};

/* Written while the replicas are attached: it arrives as the stream. */
static const char *const repl_fill_after[][8] = {
	{ "SET", "s2", "world", "PX", "500000", NULL },
	{ "APPEND", "s2", "!!", NULL },
	{ "SET", "s:plain", "hello again", NULL },
	{ "INCR", "counter2", NULL },
	{ "INCR", "counter2", NULL },
	{ "INCRBY", "counter2", "40", NULL },
	{ "INCRBYFLOAT", "float", "1.5", NULL },
	{ "INCRBYFLOAT", "float", "0.25", NULL },
	{ "MSET", "m1", "a", "m2", "b", NULL },
	{ "GETSET", "m1", "c", NULL },
	{ "SETEX", "sx", "1000", "v", NULL },
	{ "SETRANGE", "s:plain", "0", "J", NULL },
	{ "RENAME", "m2", "m2:renamed", NULL },
	{ "PERSIST", "s:ttl", NULL },
	{ "EXPIRE", "hash", "1000", NULL },
	{ "PEXPIRE", "set", "900000", NULL },
	{ "SET", "past", "1", NULL },
	{ "EXPIRE", "past", "-1", NULL },
	{ "DEL", "intset", "nokey", NULL },
	{ "LPUSH", "list2", "p", "q", NULL },
	{ "LPOP", "list2", NULL },
	{ "HSET", "hash", "f4", "v4", NULL },
	{ "HINCRBY", "hash", "n", "3", NULL },
	{ "SADD", "set", "w", NULL },
	{ "SELECT", "3", NULL },
	{ "FLUSHDB", NULL },
	{ "SET", "db3:after", "yes", NULL },
	{ "SELECT", "5", NULL },
	{ "SET", "db5:x", "1", "EX", "1000", NULL },
	{ "HSET", "db5:h", "a", "1", NULL },
	{ "SADD", "db5:s", "q", NULL },
	{ "SELECT", "7", NULL },
	{ "FLUSHDB", NULL },
	{ "SELECT", "0", NULL },
};

/* Master + 2 replicas agree on every key in every db. */
static bool
repl_converge(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	bool		 ok = false;
	int		 i;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_start(&n[0], t->bin, 0, NULL, NULL) ||
	    !repl_script(n[0].c, repl_fill_before,
	    ARRAY_SIZE(repl_fill_before)) ||
	    !repl_bigcmd(n[0].c, "RPUSH", "biglist", 300, false) ||
	    !repl_bigcmd(n[0].c, "HSET", "bighash", 200, true))
		goto out;
	for (i = 1; i <= 2; i++)
		if (!repl_start(&n[i], t->bin, n[0].srv.port, NULL, NULL))
			goto out;
	for (i = 1; i <= 2; i++)
		if (!repl_wait_synced(&n[0], &n[i]) ||
		    !repl_compare(&n[0], &n[i]))
			goto out;
	if (!repl_script(n[0].c, repl_fill_after,
	    ARRAY_SIZE(repl_fill_after)) ||
	    !repl_bigcmd(n[0].c, "SADD", "bigset", 300, false) ||
	    !repl_bigcmd(n[0].c, "HSET", "bighash2", 300, true) ||
	    !repl_bigcmd(n[0].c, "RPUSH", "biglist", 100, false) ||
	    !repl_write_many(n[0].c, "many", 200, 100))
		goto out;
	for (i = 1; i <= 2; i++)
		if (!repl_wait_synced(&n[0], &n[i]) ||
		    !repl_compare(&n[0], &n[i]))
			goto out;
	/* Compared with a master that has the data, not two empty ones. */
	ok = repl_expect(n[1].c, "\"Jello again\"", "GET", "s:plain", NULL) &&
	    repl_expect(n[1].c, ":400", "LLEN", "biglist", NULL) &&
	    repl_expect(n[1].c, ":1", "EXISTS", "many:199", NULL) &&
	    repl_expect(n[2].c, "\"42\"", "GET", "counter2", NULL) &&
	    repl_expect(n[2].c, "\"1.75\"", "GET", "float", NULL) &&
	    repl_expect(n[2].c, ":0", "EXISTS", "past", NULL) &&
	    repl_expect(n[2].c, ":-1", "TTL", "s:ttl", NULL);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 2. partial resync ------------------------------------------------- */

/*
 * CLIENT KILL TYPE normal on the replica leaves the master's link alone;
 * CLIENT KILL TYPE master drops it; the replica
 * reconnects with PSYNC and the master continues from its backlog:
 * sync_partial_ok + 1, sync_full unchanged, the writes made meanwhile
 * arrive.
 */
static bool
repl_psync_resume(struct rnode *m, struct rnode *r)
{
	long long	 full0, pok0;
	char		*cnt, want[32];
	bool		 ok;

	if (!repl_info_ll(m->c, "stats", "sync_full", &full0) ||
	    !repl_info_ll(m->c, "stats", "sync_partial_ok", &pok0)) {
		h_diag("master INFO stats lacks sync_full/sync_partial_ok");
		return false;
	}
	/* The master's link is not of type normal (and sync_partial_ok below counts it). */
	if (!repl_expect(r->c, ":0", "CLIENT", "KILL", "TYPE", "normal", NULL) ||
	    !repl_expect(r->c, ":1", "CLIENT", "KILL", "TYPE", "master", NULL))
		return false;
	if (!repl_write_many(m->c, "meanwhile", 100, 50))
		return false;
	cnt = h_cmd(m->c, "INCR", "meanwhile:n", NULL);
	snprintf(want, sizeof want, "\"%s\"", cnt + 1);
	ok = cnt[0] == ':' &&
	    repl_wait_ll(m->c, "stats", "sync_partial_ok", pok0 + 1) &&
	    repl_wait_synced(m, r) &&
	    repl_check_ll(m->c, "stats", "sync_partial_ok", pok0 + 1) &&
	    repl_check_ll(m->c, "stats", "sync_full", full0) &&
	    repl_expect(r->c, want, "GET", "meanwhile:n", NULL) &&
	    repl_compare(m, r);
	free(cnt);
	return ok;
}

/* A dropped link resumes with a partial resync. */
static bool
repl_partial(const struct h_target *t, void *arg)
{
	struct rnode	n[REPL_NODES];
	bool		ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL) ||
	    !repl_write_many(n[0].c, "before", 100, 50) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	ok = repl_check_ll(n[0].c, "stats", "sync_full", 1) &&
	    repl_psync_resume(&n[0], &n[1]) &&
	    repl_psync_resume(&n[0], &n[1]);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 3. backlog overrun ------------------------------------------------ */

/*
 * The backlog is 16 kB (the least Redis allows); the replica is frozen,
 * the master drops it, 200 kB are written: when the replica comes back
 * its offset is no longer in the backlog, so PSYNC fails
 * (sync_partial_err + 1) and a full sync follows (sync_full + 1).
 */
static bool
repl_overrun(const struct h_target *t, void *arg)
{
	static const char *const margs[] = { "--repl-backlog-size", "16kb",
	    NULL };
	struct rnode	n[REPL_NODES];
	long long	full0, perr0, pok0;
	bool		ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, margs, NULL) ||
	    !repl_write_many(n[0].c, "before", 50, 100) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	if (!repl_check_ll(n[0].c, "replication", "repl_backlog_size", 16384) ||
	    !repl_info_ll(n[0].c, "stats", "sync_full", &full0) ||
	    !repl_info_ll(n[0].c, "stats", "sync_partial_err", &perr0) ||
	    !repl_info_ll(n[0].c, "stats", "sync_partial_ok", &pok0))
		goto out;
	if (!repl_pause(&n[1]) ||
	    !repl_expect(n[0].c, ":1", "CLIENT", "KILL", "TYPE", "replica",
	    NULL) ||
	    !repl_write_many(n[0].c, "overrun", 200, 1024))
		goto out;
	repl_unpause(&n[1]);
	ok = repl_wait_ll(n[0].c, "stats", "sync_full", full0 + 1) &&
	    repl_wait_synced(&n[0], &n[1]) &&
	    repl_check_ll(n[0].c, "stats", "sync_full", full0 + 1) &&
	    repl_check_ll(n[0].c, "stats", "sync_partial_err", perr0 + 1) &&
	    repl_check_ll(n[0].c, "stats", "sync_partial_ok", pok0) &&
	    repl_expect(n[1].c, ":250", "DBSIZE", NULL) &&
	    repl_compare(&n[0], &n[1]);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 4. promotion ------------------------------------------------------ */

/*
 * PSYNC2: replica A promoted with SLAVEOF NO ONE remembers the old
 * replication id as replid2, so replica B re-pointed to A continues
 * partially; the old master then follows A too. The master never PINGs
 * its replicas here, or B could be ahead of A when it reattaches.
 */
static bool
repl_promote(const struct h_target *t, void *arg)
{
	static const char *const margs[] = { "--repl-ping-replica-period",
	    "3600", NULL };
	struct rnode	 n[REPL_NODES];
	struct rnode	*m = &n[0], *a = &n[1], *b = &n[2];
	char		*mid = NULL, *aid = NULL, *bid = NULL, *aid2 = NULL;
	char		 aport[16];
	long long	 apok0, afull0;
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	/*
	 * redis-server PINGs its replicas at its first replication cron
	 * (about a second after start) whatever the period: wait for it.
	 */
	if (!repl_setup(n, 2, t->bin, margs, NULL) ||
	    !repl_wait_ll(m->c, "server", "uptime_in_seconds", 2) ||
	    !repl_script(m->c, repl_fill_before,
	    ARRAY_SIZE(repl_fill_before)) ||
	    !repl_write_many(m->c, "k", 100, 20) ||
	    !repl_wait_synced(m, a) || !repl_wait_synced(m, b))
		goto out;
	mid = h_info_get(m->c, "replication", "master_replid");
	if (mid == NULL || !repl_expect(a->c, "+OK", "SLAVEOF", "NO", "ONE",
	    NULL))
		goto out;
	aid2 = h_info_get(a->c, "replication", "master_replid2");
	if (aid2 == NULL || strcmp(aid2, mid) != 0) {
		h_diag("promoted: master_replid2 %s, old master's replid %s",
		    aid2 != NULL ? aid2 : "(none)", mid);
		goto out;
	}
	if (!repl_wait_info(a->c, "replication", "role", "master") ||
	    !repl_compare(m, a) ||
	    !repl_info_ll(a->c, "stats", "sync_partial_ok", &apok0) ||
	    !repl_info_ll(a->c, "stats", "sync_full", &afull0))
		goto out;
	snprintf(aport, sizeof aport, "%d", a->srv.port);
	if (!repl_expect(b->c, "+OK", "SLAVEOF", "127.0.0.1", aport, NULL) ||
	    !repl_wait_ll(a->c, "stats", "sync_partial_ok", apok0 + 1) ||
	    !repl_wait_synced(a, b) ||
	    !repl_check_ll(a->c, "stats", "sync_full", afull0))
		goto out;
	aid = h_info_get(a->c, "replication", "master_replid");
	bid = h_info_get(b->c, "replication", "master_replid");
	if (aid == NULL || bid == NULL || strcmp(aid, bid) != 0) {
		h_diag("B's replid %s, A's %s", bid != NULL ? bid : "(none)",
		    aid != NULL ? aid : "(none)");
		goto out;
	}
	/* A is a writable master now, and B follows it. */
	if (!repl_expect(a->c, "+OK", "SET", "after:promotion", "1", NULL) ||
	    !repl_wait_synced(a, b) ||
	    !repl_expect(b->c, "\"1\"", "GET", "after:promotion", NULL) ||
	    !repl_compare(a, b))
		goto out;
	/* The old master joins; partial or full, it must end up equal. */
	if (!repl_expect(m->c, "+OK", "SLAVEOF", "127.0.0.1", aport, NULL) ||
	    !repl_wait_synced(a, m) || !repl_wait_online(a, 2))
		goto out;
	ok = repl_expect(m->c, "\"1\"", "GET", "after:promotion", NULL) &&
	    repl_compare(a, m);
out:
	free(mid);
	free(aid);
	free(aid2);
	free(bid);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 5. READONLY ------------------------------------------------------- */

/* Writes on a replica fail; reads work. */
static bool
repl_readonly(const struct h_target *t, void *arg)
{
	static const char	ro[] =
	    "-READONLY You can't write against a read only replica.";
	struct rnode		n[REPL_NODES];
	bool			ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "v", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	ok = repl_expect(n[1].c, ro, "SET", "x", "y", NULL) &&
	    repl_expect(n[1].c, ro, "INCR", "counter", NULL) &&
	    repl_expect(n[1].c, ro, "DEL", "k", NULL) &&
	    repl_expect(n[1].c, ro, "SADD", "s", "m", NULL) &&
	    repl_expect(n[1].c, "\"v\"", "GET", "k", NULL) &&
	    repl_expect(n[1].c, ":1", "DBSIZE", NULL);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 6. WAIT ----------------------------------------------------------- */

/* WAIT counts acknowledging replicas; a frozen one makes it time out. */
static bool
repl_wait(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	int64_t		 t0, el;
	char		*r;
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 2, t->bin, NULL, NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "1", NULL) ||
	    !repl_expect(n[0].c, ":2", "WAIT", "2", "1000", NULL) ||
	    !repl_pause(&n[2]) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "3", NULL))
		goto out;
	t0 = util_mono_ms();
	r = h_cmd(n[0].c, "WAIT", "2", "500", NULL);
	el = util_mono_ms() - t0;
	ok = strcmp(r, ":1") == 0 && el >= 450 && el < 5000;
	if (!ok)
		h_diag("WAIT 2 500 with a frozen replica: %s after %lld ms "
		    "(want :1 after 450..5000 ms)", r, (long long)el);
	free(r);
	repl_unpause(&n[2]);
	ok = ok && repl_wait_synced(&n[0], &n[2]) &&
	    repl_expect(n[0].c, ":2", "WAIT", "2", "1000", NULL) &&
	    repl_expect(n[2].c, "\"3\"", "GET", "k", NULL);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 7. PUBLISH -------------------------------------------------------- */

/* PUBLISH is propagated: subscribers of a replica get the message. */
static bool
repl_publish(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	struct h_conn	*sub = NULL, *psub = NULL;
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL))
		goto out;
	if ((sub = h_connect(n[1].srv.port)) == NULL ||
	    (psub = h_connect(n[1].srv.port)) == NULL)
		goto out;
	if (!repl_expect(sub, "*3\n  \"subscribe\"\n  \"news\"\n  :1\n",
	    "SUBSCRIBE", "news", NULL) ||
	    !repl_expect(psub, "*3\n  \"psubscribe\"\n  \"n*\"\n  :1\n",
	    "PSUBSCRIBE", "n*", NULL))
		goto out;
	/* Nobody listens on the master itself. */
	if (!repl_expect(n[0].c, ":0", "PUBLISH", "news", "hello", NULL))
		goto out;
	ok = repl_expect(sub, "*3\n  \"message\"\n  \"news\"\n  \"hello\"\n",
	    NULL) &&
	    repl_expect(psub, "*4\n  \"pmessage\"\n  \"n*\"\n  \"news\"\n"
	    "  \"hello\"\n", NULL);
out:
	h_close(sub);
	h_close(psub);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 8. master crash --------------------------------------------------- */

/*
 * A master killed with SIGKILL: the replica reports the link down and
 * since when, and follows the master again once it runs on the same
 * port and dir (where it saved its data before).
 */
static bool
repl_master_crash(const struct h_target *t, void *arg)
{
	static const char *const rargs[] = { "--repl-timeout", "5", NULL };
	static const char *const margs[] = { "--repl-ping-replica-period",
	    "1", NULL };
	struct rnode	 n[REPL_NODES];
	char		*info = NULL, *since = NULL;
	long long	 v;
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, margs, rargs) ||
	    !repl_expect(n[0].c, "+OK", "SET", "saved", "1", NULL) ||
	    !repl_expect(n[0].c, "+OK", "SAVE", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	repl_crash(&n[0]);
	if (!repl_wait_info(n[1].c, "replication", "master_link_status",
	    "down"))
		goto out;
	info = repl_info(n[1].c, "replication");
	since = info != NULL ? h_info_field(info,
	    "master_link_down_since_seconds") : NULL;
	if (since == NULL || !util_parse_ll(since, strlen(since), &v) ||
	    v < 0) {
		h_diag("master_link_down_since_seconds: %s",
		    since != NULL ? since : "(missing)");
		if (info != NULL)
			h_diag_lines("  ", info);
		goto out;
	}
	/* Still a replica, still serving (stale) reads. */
	if (!repl_expect(n[1].c, "\"1\"", "GET", "saved", NULL) ||
	    !repl_restart(&n[0]) ||
	    !repl_expect(n[0].c, "\"1\"", "GET", "saved", NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "after", "2", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	ok = repl_expect(n[1].c, "\"2\"", "GET", "after", NULL) &&
	    repl_expect(n[1].c, "\"1\"", "GET", "saved", NULL) &&
	    repl_compare(&n[0], &n[1]);
out:
	free(info);
	free(since);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 9. slaveof in a config file and on the command line; ROLE --------- */

/* ROLE of a replica: slave, host, port, connected, offset. */
static bool
repl_role_replica(struct rnode *r, int mport)
{
	struct h_node	*n;
	bool		 ok;

	if ((n = repl_node(r->c, "ROLE", NULL)) == NULL)
		return false;
	ok = strcmp(n->line, "*5") == 0 && n->nkids == 5 &&
	    strcmp(n->kids[0]->line, "\"slave\"") == 0 &&
	    strcmp(n->kids[1]->line, "\"127.0.0.1\"") == 0 &&
	    n->kids[2]->line[0] == ':' &&
	    atoi(n->kids[2]->line + 1) == mport &&
	    strcmp(n->kids[3]->line, "\"connected\"") == 0 &&
	    n->kids[4]->line[0] == ':' && atoll(n->kids[4]->line + 1) >= 0;
	if (!ok) {
		struct buf	b = BUF_INIT;

		h_render(n, &b);
		h_diag("ROLE on replica %d (master %d):", r->srv.port, mport);
		h_diag_lines("  ", b.data);
		buf_free(&b);
	}
	h_node_free(n);
	return ok;
}

/* ROLE of a master: master, offset, [ip, port, offset] per replica. */
static bool
repl_role_master(struct rnode *m, int p1, int p2)
{
	struct h_node	*n, *e;
	size_t		 i;
	bool		 ok, seen1 = false, seen2 = false;
	int		 port;

	if ((n = repl_node(m->c, "ROLE", NULL)) == NULL)
		return false;
	ok = strcmp(n->line, "*3") == 0 && n->nkids == 3 &&
	    strcmp(n->kids[0]->line, "\"master\"") == 0 &&
	    n->kids[1]->line[0] == ':' && strcmp(n->kids[2]->line, "*2") == 0;
	for (i = 0; ok && i < n->kids[2]->nkids; i++) {
		e = n->kids[2]->kids[i];
		ok = e->nkids == 3 &&
		    strcmp(e->kids[0]->line, "\"127.0.0.1\"") == 0 &&
		    e->kids[1]->str != NULL && e->kids[1]->line[0] == '"' &&
		    e->kids[2]->line[0] == '"';
		if (!ok)
			break;
		port = atoi(e->kids[1]->str);
		seen1 = seen1 || port == p1;
		seen2 = seen2 || port == p2;
	}
	ok = ok && seen1 && seen2;
	if (!ok) {
		struct buf	b = BUF_INIT;

		h_render(n, &b);
		h_diag("ROLE on master, replicas on %d and %d:", p1, p2);
		h_diag_lines("  ", b.data);
		buf_free(&b);
	}
	h_node_free(n);
	return ok;
}

/* Both ways of naming the master at start-up make a working replica. */
static bool
repl_slaveof_conf(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	const char	*extra[4];
	char		*conf = NULL, port[16];
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_start(&n[0], t->bin, 0, NULL, NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "early", "1", NULL))
		goto out;
	snprintf(port, sizeof port, "%d", n[0].srv.port);
	conf = xasprintf("# a replica from its config file\n"
	    "slaveof 127.0.0.1 %d\n", n[0].srv.port);
	extra[0] = "--slaveof";
	extra[1] = "127.0.0.1";
	extra[2] = port;
	extra[3] = NULL;
	if (!repl_start(&n[1], t->bin, 0, conf, NULL) ||
	    !repl_start(&n[2], t->bin, 0, NULL, extra) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_wait_synced(&n[0], &n[2]) ||
	    !repl_wait_online(&n[0], 2) ||
	    !repl_expect(n[0].c, "+OK", "SET", "late", "2", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_wait_synced(&n[0], &n[2]))
		goto out;
	ok = repl_expect(n[1].c, "\"1\"", "GET", "early", NULL) &&
	    repl_expect(n[1].c, "\"2\"", "GET", "late", NULL) &&
	    repl_expect(n[2].c, "\"1\"", "GET", "early", NULL) &&
	    repl_expect(n[2].c, "\"2\"", "GET", "late", NULL) &&
	    repl_role_replica(&n[1], n[0].srv.port) &&
	    repl_role_replica(&n[2], n[0].srv.port) &&
	    repl_role_master(&n[0], n[1].srv.port, n[2].srv.port);
out:
	free(conf);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 10. TTLs on replicas ---------------------------------------------- */

/* The absolute expiry time of a key in unix ms, -1 when unknown. */
static long long
repl_pexpiretime(struct h_conn *c, const char *key)
{
	char		*r;
	long long	 v = -1;

	r = h_cmd(c, "PEXPIRETIME", key, NULL);
	if (r[0] == ':')
		v = atoll(r + 1);
	if (v <= 0)
		h_diag("PEXPIRETIME %s: %s", key, r);
	free(r);
	return v;
}

/*
 * GETs key on c until well past its expiry time T: it must read value
 * while the clock is before T and nil once it is after T, whatever the
 * master does. Both are seen at least once.
 */
static bool
repl_watch_expiry(struct h_conn *c, const char *key, const char *want,
    long long t)
{
	int64_t		 before, after;
	char		*r;
	bool		 seen_val = false, seen_nil = false;

	for (;;) {
		before = util_wall_ms();
		r = h_cmd(c, "GET", key, NULL);
		after = util_wall_ms();
		if (strcmp(r, want) == 0) {
			seen_val = true;
			if (before > t + 2) {
				h_diag("GET %s: %s at %lld ms past its expiry",
				    key, r, (long long)(before - t));
				free(r);
				return false;
			}
		} else if (strcmp(r, "(nil)") == 0) {
			seen_nil = true;
			if (after < t - 2) {
				h_diag("GET %s: nil %lld ms before its expiry",
				    key, (long long)(t - after));
				free(r);
				return false;
			}
		} else {
			h_diag("GET %s: %s", key, r);
			free(r);
			return false;
		}
		free(r);
		if (before > t + 300)
			break;
		usleep(REPL_POLL_US);
	}
	if (!seen_val || !seen_nil)
		h_diag("GET %s: value %sseen, nil %sseen", key,
		    seen_val ? "" : "never ", seen_nil ? "" : "never ");
	return seen_val && seen_nil;
}

/* Polls DBSIZE until it reads want (keys reclaimed by active expiry). */
static bool
repl_wait_dbsize(struct h_conn *c, const char *want)
{
	int64_t	 end = util_mono_ms() + H_DEADLINE_MS;
	char	*r;
	bool	 ok;

	for (;;) {
		r = h_cmd(c, "DBSIZE", NULL);
		ok = strcmp(r, want) == 0;
		if (!ok && util_mono_ms() >= end)
			h_diag("DBSIZE: waited for %s, still %s", want, r);
		free(r);
		if (ok)
			return true;
		if (util_mono_ms() >= end)
			return false;
		usleep(REPL_POLL_US * 4);
	}
}

/*
 * A replica expires keys by the clock even when the master says
 * nothing (it is frozen here), and a promoted replica expires the keys
 * whose TTLs it got as a replica.
 */
static bool
repl_ttl(const struct h_target *t, void *arg)
{
	struct rnode	n[REPL_NODES];
	long long	tk, tk2;
	bool		ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "v", "PX", "1000", NULL) ||
	    (tk = repl_pexpiretime(n[0].c, "k")) < 0 ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_pause(&n[0]) ||
	    !repl_watch_expiry(n[1].c, "k", "\"v\"", tk))
		goto out;
	repl_unpause(&n[0]);
	if (!repl_expect(n[0].c, "(nil)", "GET", "k", NULL) ||
	    !repl_wait_dbsize(n[1].c, ":0"))
		goto out;

	/* Set before the promotion, expiring after it. */
	if (!repl_expect(n[0].c, "+OK", "SET", "k2", "v2", "PX", "1000",
	    NULL) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k3", "v3", "PX", "1000",
	    NULL) ||
	    (tk2 = repl_pexpiretime(n[0].c, "k2")) < 0 ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_expect(n[1].c, "+OK", "SLAVEOF", "NO", "ONE", NULL) ||
	    !repl_watch_expiry(n[1].c, "k2", "\"v2\"", tk2))
		goto out;
	/* k3 is never read: only the expiry cycle can remove it. */
	ok = repl_wait_dbsize(n[1].c, ":0") &&
	    repl_expect(n[1].c, ":0", "EXISTS", "k3", NULL);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 11. MULTI/EXEC ---------------------------------------------------- */

#define REPL_TX_ROUNDS	40
#define REPL_TX_BATCH	4
#define REPL_TX_PAD	(48 * 1024)	/* spreads a transaction out */

/* The bytes of one MULTI; INCR a; SET pad ...; INCR b; EXEC. */
static void
repl_tx_append(struct buf *b)
{
	size_t	i;

	buf_appends(b, "*1\r\n$5\r\nMULTI\r\n"
	    "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n");
	buf_appendf(b, "*3\r\n$3\r\nSET\r\n$3\r\npad\r\n$%d\r\n",
	    REPL_TX_PAD);
	for (i = 0; i < REPL_TX_PAD; i++)
		buf_appendc(b, (char)('a' + i % 26));
	buf_appends(b, "\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
	    "*1\r\n$4\r\nEXEC\r\n");
}

/* One MGET a b on the replica; false if a != b there. */
static bool
repl_read_pair(struct h_conn *c, long long *va)
{
	struct h_node	*g;
	long long	 vb;
	bool		 ok;

	if ((g = repl_node(c, "MGET", "a", "b", NULL)) == NULL)
		return false;
	ok = g->nkids == 2 && g->kids[0]->str != NULL &&
	    g->kids[1]->str != NULL;
	*va = ok ? atoll(g->kids[0]->str) : -1;
	vb = ok ? atoll(g->kids[1]->str) : -2;
	h_node_free(g);
	if (*va != vb) {
		h_diag("replica read a=%lld b=%lld", *va, vb);
		return false;
	}
	return true;
}

/*
 * A transaction reaches the replica as one unit: a reader there never
 * sees a != b while the master runs MULTI; INCR a; SET pad; INCR b;
 * EXEC. The large SET between the INCRs spreads each transaction over
 * several reads of the replication stream, so a replica applying it
 * command by command would be caught in the middle.
 */
static bool
repl_multi(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	struct buf	 batch = BUF_INIT;
	char		*r, want[64];
	int		 round, i, reads = 0, moving = 0;
	long long	 last = -1, va;
	bool		 ok = false, good;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL) ||
	    !repl_expect(n[0].c, "+OK", "MSET", "a", "0", "b", "0", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]))
		goto out;
	for (i = 0; i < REPL_TX_BATCH; i++)
		repl_tx_append(&batch);
	for (round = 0; round < REPL_TX_ROUNDS; round++) {
		if (h_send_raw(n[0].c, batch.data, batch.len) == -1)
			goto out;
		/* Read the replica while the stream is being applied. */
		for (i = 0; i < 20; i++) {
			if (!repl_read_pair(n[1].c, &va))
				goto out;
			reads++;
			if (va != last)
				moving++;
			last = va;
		}
		for (i = 0; i < REPL_TX_BATCH * 5; i++) {
			r = h_reply(n[0].c);
			good = r[0] == (i % 5 == 4 ? '*' : '+');
			if (!good)
				h_diag("transaction reply %d: %s", i, r);
			free(r);
			if (!good)
				goto out;
		}
	}
	snprintf(want, sizeof want, "*2\n  \"%d\"\n  \"%d\"\n",
	    REPL_TX_ROUNDS * REPL_TX_BATCH, REPL_TX_ROUNDS * REPL_TX_BATCH);
	ok = repl_wait_synced(&n[0], &n[1]) &&
	    repl_expect(n[1].c, want, "MGET", "a", "b", NULL) &&
	    repl_expect(n[0].c, want, "MGET", "a", "b", NULL);
	if (ok && moving < 3)
		h_diag("note: the replica's values changed only %d times "
		    "in %d reads", moving, reads);
out:
	buf_free(&batch);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 12. INFO replication ---------------------------------------------- */

static const char *const repl_replica_fields[] = {
	"role", "master_host", "master_port", "master_link_status",
	"master_last_io_seconds_ago", "master_sync_in_progress",
	"slave_read_repl_offset", "slave_repl_offset", "slave_priority",
	"slave_read_only", "replica_announced", "connected_slaves",
	"master_failover_state", "master_replid", "master_replid2",
	"master_repl_offset", "second_repl_offset", "repl_backlog_active",
	"repl_backlog_size", "repl_backlog_first_byte_offset",
	"repl_backlog_histlen", NULL
};

static const char *const repl_master_fields[] = {
	"role", "connected_slaves", "slave0", "slave1",
	"master_failover_state", "master_replid", "master_replid2",
	"master_repl_offset", "second_repl_offset", "repl_backlog_active",
	"repl_backlog_size", "repl_backlog_first_byte_offset",
	"repl_backlog_histlen", NULL
};

/* The field names of an INFO section, in order, are exactly these. */
static bool
repl_info_names(const char *info, const char *const *want, const char *who)
{
	struct buf	 got = BUF_INIT, exp = BUF_INIT;
	const char	*p = info;
	size_t		 i, n;
	bool		 ok;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ":\r\n");
		if (*p != '#' && n > 0 && p[n] == ':')
			buf_appendf(&got, "%.*s ", (int)n, p);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	for (i = 0; want[i] != NULL; i++)
		buf_appendf(&exp, "%s ", want[i]);
	ok = got.data != NULL && strcmp(got.data, exp.data) == 0;
	if (!ok) {
		h_diag("INFO replication of the %s: fields differ", who);
		h_diag("  expected: %s", exp.data);
		h_diag("  got:      %s", got.data != NULL ? got.data : "");
	}
	buf_free(&got);
	buf_free(&exp);
	return ok;
}

/* field must have exactly value in info. */
static bool
repl_field_is(const char *info, const char *field, const char *want)
{
	char	*v;
	bool	 ok;

	v = h_info_field(info, field);
	ok = v != NULL && strcmp(v, want) == 0;
	if (!ok)
		h_diag("INFO %s: expected %s, got %s", field, want,
		    v != NULL ? v : "(missing)");
	free(v);
	return ok;
}

/* field must be an integer of at least min. */
static bool
repl_field_num(const char *info, const char *field, long long min)
{
	char		*v;
	long long	 x = 0;
	bool		 ok;

	v = h_info_field(info, field);
	ok = v != NULL && util_parse_ll(v, strlen(v), &x) && x >= min;
	if (!ok)
		h_diag("INFO %s: expected an integer >= %lld, got %s", field,
		    min, v != NULL ? v : "(missing)");
	free(v);
	return ok;
}

/* A slaveN line: ip=..,port=..,state=online,offset=..,lag=.. */
static bool
repl_slave_line(const char *info, const char *field, char *ip, size_t iplen,
    int *port)
{
	char		*v, state[32];
	long long	 off, lag;
	int		 end = 0;
	bool		 ok;

	v = h_info_field(info, field);
	ok = v != NULL && iplen >= 64 &&
	    sscanf(v, "ip=%63[^,],port=%d,state=%31[^,],offset=%lld,lag=%lld%n",
	    ip, port, state, &off, &lag, &end) == 5 &&
	    (size_t)end == strlen(v) && strcmp(state, "online") == 0 &&
	    off >= 0 && lag >= 0;
	if (!ok)
		h_diag("INFO %s: %s", field, v != NULL ? v : "(missing)");
	free(v);
	return ok;
}

/* Every field Redis 7.0 prints, in its order, with sensible values. */
static bool
repl_info_fields(const struct h_target *t, void *arg)
{
	static const char *const rargs[] = { "--replica-announce-ip",
	    "10.1.2.3", "--replica-announce-port", "4567", NULL };
	struct rnode	 n[REPL_NODES];
	char		*mi = NULL, *ri = NULL, *mid = NULL, port[16];
	char		 ip0[64], ip1[64];
	int		 p0 = 0, p1 = 0;
	bool		 ok = false, plain, announced;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_setup(n, 1, t->bin, NULL, NULL) ||
	    !repl_start(&n[2], t->bin, n[0].srv.port, NULL, rargs) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "v", NULL) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_wait_synced(&n[0], &n[2]) ||
	    !repl_wait_online(&n[0], 2))
		goto out;
	mi = repl_info(n[0].c, "replication");
	ri = repl_info(n[1].c, "replication");
	if (mi == NULL || ri == NULL || (mid = h_info_field(mi,
	    "master_replid")) == NULL)
		goto out;
	snprintf(port, sizeof port, "%d", n[0].srv.port);
	ok = repl_info_names(ri, repl_replica_fields, "replica");
	ok = repl_field_is(ri, "role", "slave") && ok;
	ok = repl_field_is(ri, "master_host", "127.0.0.1") && ok;
	ok = repl_field_is(ri, "master_port", port) && ok;
	ok = repl_field_is(ri, "master_link_status", "up") && ok;
	ok = repl_field_num(ri, "master_last_io_seconds_ago", 0) && ok;
	ok = repl_field_is(ri, "master_sync_in_progress", "0") && ok;
	ok = repl_field_num(ri, "slave_read_repl_offset", 1) && ok;
	ok = repl_field_num(ri, "slave_repl_offset", 1) && ok;
	ok = repl_field_is(ri, "slave_priority", "100") && ok;
	ok = repl_field_is(ri, "slave_read_only", "1") && ok;
	ok = repl_field_is(ri, "replica_announced", "1") && ok;
	ok = repl_field_is(ri, "connected_slaves", "0") && ok;
	ok = repl_field_is(ri, "master_failover_state", "no-failover") && ok;
	ok = repl_field_is(ri, "master_replid", mid) && ok;
	ok = repl_field_is(ri, "master_replid2",
	    "0000000000000000000000000000000000000000") && ok;
	ok = repl_field_num(ri, "master_repl_offset", 1) && ok;
	ok = repl_field_is(ri, "second_repl_offset", "-1") && ok;
	ok = repl_field_is(ri, "repl_backlog_active", "1") && ok;
	ok = repl_field_is(ri, "repl_backlog_size", "1048576") && ok;
	ok = repl_field_num(ri, "repl_backlog_first_byte_offset", 1) && ok;
	ok = repl_field_num(ri, "repl_backlog_histlen", 1) && ok;

	ok = repl_info_names(mi, repl_master_fields, "master") && ok;
	ok = repl_field_is(mi, "role", "master") && ok;
	ok = repl_field_is(mi, "connected_slaves", "2") && ok;
	ok = repl_field_is(mi, "master_failover_state", "no-failover") && ok;
	ok = repl_field_is(mi, "master_replid2",
	    "0000000000000000000000000000000000000000") && ok;
	ok = repl_field_num(mi, "master_repl_offset", 1) && ok;
	ok = repl_field_is(mi, "second_repl_offset", "-1") && ok;
	ok = repl_field_is(mi, "repl_backlog_active", "1") && ok;
	ok = repl_field_is(mi, "repl_backlog_size", "1048576") && ok;
	ok = repl_field_is(mi, "repl_backlog_first_byte_offset", "1") && ok;
	ok = repl_field_num(mi, "repl_backlog_histlen", 1) && ok;
	if (!repl_slave_line(mi, "slave0", ip0, sizeof ip0, &p0) ||
	    !repl_slave_line(mi, "slave1", ip1, sizeof ip1, &p1)) {
		ok = false;
		goto out;
	}
	/* Either may have attached first. */
	plain = (strcmp(ip0, "127.0.0.1") == 0 && p0 == n[1].srv.port) ||
	    (strcmp(ip1, "127.0.0.1") == 0 && p1 == n[1].srv.port);
	announced = (strcmp(ip0, "10.1.2.3") == 0 && p0 == 4567) ||
	    (strcmp(ip1, "10.1.2.3") == 0 && p1 == 4567);
	if (!plain || !announced) {
		h_diag("slave lines: %s:%d and %s:%d, want 127.0.0.1:%d and "
		    "10.1.2.3:4567", ip0, p0, ip1, p1, n[1].srv.port);
		ok = false;
	}
out:
	if (!ok && mi != NULL)
		h_diag_lines("master| ", mi);
	if (!ok && ri != NULL)
		h_diag_lines("replica| ", ri);
	free(mi);
	free(ri);
	free(mid);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- 13. CONFIG REWRITE ------------------------------------------------ */

/* Whether a line of the file starts with prefix; the line in *line. */
static bool
repl_conf_has(const char *path, const char *prefix, char **line)
{
	char		*text, *p;
	size_t		 n, plen = strlen(prefix);
	bool		 found = false;

	*line = NULL;
	if ((text = h_read_file(path)) == NULL)
		return false;
	for (p = text; p != NULL && *p != '\0';) {
		n = strcspn(p, "\r\n");
		if (strncmp(p, prefix, plen) == 0) {
			*line = xstrndup(p, n);
			found = true;
			break;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	free(text);
	return found;
}

/*
 * The rewritten file names the master as replicaof, and no longer does
 * once the replica was promoted.
 */
static bool
repl_rewrite(const struct h_target *t, void *arg)
{
	struct rnode	 n[REPL_NODES];
	char		*conf = NULL, *line = NULL, *text, want[64];
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_start(&n[0], t->bin, 0, NULL, NULL))
		goto out;
	conf = xasprintf("slaveof 127.0.0.1 %d\n", n[0].srv.port);
	if (!repl_start(&n[1], t->bin, 0, conf, NULL) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_expect(n[1].c, "+OK", "CONFIG", "REWRITE", NULL))
		goto out;
	snprintf(want, sizeof want, "replicaof 127.0.0.1 %d", n[0].srv.port);
	if (!repl_conf_has(n[1].conf, "replicaof ", &line) ||
	    strcmp(line, want) != 0) {
		h_diag("rewritten config: want \"%s\", got %s", want,
		    line != NULL ? line : "no replicaof line");
		goto out;
	}
	free(line);
	line = NULL;
	if (repl_conf_has(n[1].conf, "slaveof ", &line)) {
		h_diag("rewritten config still has \"%s\"", line);
		goto out;
	}
	if (!repl_expect(n[1].c, "+OK", "SLAVEOF", "NO", "ONE", NULL) ||
	    !repl_expect(n[1].c, "+OK", "CONFIG", "REWRITE", NULL))
		goto out;
	if (repl_conf_has(n[1].conf, "replicaof ", &line) ||
	    repl_conf_has(n[1].conf, "slaveof ", &line)) {
		h_diag("after SLAVEOF NO ONE the config still has \"%s\"",
		    line);
		goto out;
	}
	ok = true;
out:
	if (!ok && n[1].conf != NULL &&
	    (text = h_read_file(n[1].conf)) != NULL) {
		h_diag_lines("conf| ", text);
		free(text);
	}
	free(line);
	free(conf);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/*
 * A master that wants a password: a replica with masteruser/masterauth
 * syncs; one with a wrong password never gets a link and the master lists
 * no replica for it.
 */
static bool
repl_auth(const struct h_target *t, void *arg)
{
	static const char *const margs[] = { "--user", "repl", "on", ">s3cret", "~*", "&*", "+@all", NULL };
	static const char *const good[] = { "--masteruser", "repl", "--masterauth", "s3cret", NULL };
	static const char *const bad[] = { "--masteruser", "repl", "--masterauth", "wrong", NULL };
	struct rnode	 n[REPL_NODES];
	long long	 online = -1;
	int64_t		 end;
	char		*info = NULL, *link = NULL;
	bool		 ok = false;

	UNUSED(arg);
	memset(n, 0, sizeof n);
	if (!repl_start(&n[0], t->bin, 0, NULL, margs) ||
	    !repl_expect(n[0].c, "+OK", "SET", "k", "v", NULL) ||
	    !repl_start(&n[1], t->bin, n[0].srv.port, NULL, good) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_expect(n[1].c, "\"v\"", "GET", "k", NULL))
		goto out;
	if (!repl_start(&n[2], t->bin, n[0].srv.port, NULL, bad))
		goto out;
	/* Give the bad replica a few tries (it retries every second or so); it must stay out. */
	end = util_mono_ms() + 1500;
	while (util_mono_ms() < end) {
		free(info);
		free(link);
		info = repl_info(n[2].c, "replication");
		link = info ? h_info_field(info, "master_link_status") : NULL;
		if (link != NULL && strcmp(link, "up") == 0) {
			h_diag("a replica with a wrong masterauth got a link");
			goto out;
		}
	}
	if (!repl_info_ll(n[0].c, "replication", "connected_slaves", &online) || online != 1) {
		h_diag("connected_slaves on the master: %lld, want 1", online);
		goto out;
	}
	ok = true;
out:
	free(info);
	free(link);
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* --- mixed: one implementation replicating from the other ------------- */

/*
 * Full sync, the stream, then a partial resume, across implementations:
 * kv is the master and rs the replica (both ways are run).
 */
static bool
repl_mixed(const struct h_target *kv, const struct h_target *rs)
{
	struct rnode	n[REPL_NODES];
	bool		ok = false;

	memset(n, 0, sizeof n);
	if (!repl_start(&n[0], kv->bin, 0, NULL, NULL) ||
	    !repl_script(n[0].c, repl_fill_before,
	    ARRAY_SIZE(repl_fill_before)) ||
	    !repl_bigcmd(n[0].c, "HSET", "bighash", 200, true) ||
	    !repl_start(&n[1], rs->bin, n[0].srv.port, NULL, NULL) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_wait_online(&n[0], 1) ||
	    !repl_check_ll(n[0].c, "stats", "sync_full", 1) ||
	    !repl_compare(&n[0], &n[1]))
		goto out;
	if (!repl_script(n[0].c, repl_fill_after,
	    ARRAY_SIZE(repl_fill_after)) ||
	    !repl_bigcmd(n[0].c, "SADD", "bigset", 300, false) ||
	    !repl_wait_synced(&n[0], &n[1]) ||
	    !repl_compare(&n[0], &n[1]))
		goto out;
	ok = repl_psync_resume(&n[0], &n[1]);
out:
	repl_cleanup(n, REPL_NODES, ok);
	return ok;
}

/* Needs both binaries, so it runs once each way rather than per kind. */
static void
repl_run_mixed(bool kv_master)
{
	const char	*desc = kv_master ?
	    "redis-server replica of a sentinel-kv master: full sync, stream, partial resync" :
	    "sentinel-kv replica of a redis-server master (listpack, intset, quicklist "
	    "encodings): full sync, stream, partial resync";
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
	h_ok(kv_master ? repl_mixed(&kv, &rs) : repl_mixed(&rs, &kv), "%s", desc);
}

/* Thirteen cases per server kind, then the cross-server case. */
int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	h_plan(14 * h_nkinds() + 2);
	h_run("masteruser/masterauth: the right password syncs, a wrong one never links",
	    repl_auth, NULL);
	h_run("master and 2 replicas converge on every type and db",
	    repl_converge, NULL);
	h_run("dropped link resumes with a partial resync", repl_partial,
	    NULL);
	h_run("backlog overrun falls back to a full sync", repl_overrun,
	    NULL);
	h_run("promoted replica continues the old history (PSYNC2)",
	    repl_promote, NULL);
	h_run("writes on a replica get -READONLY", repl_readonly, NULL);
	h_run("WAIT counts acknowledging replicas and times out",
	    repl_wait, NULL);
	h_run("PUBLISH on the master reaches replica subscribers",
	    repl_publish, NULL);
	h_run("replica of a crashed master: link down, then back",
	    repl_master_crash, NULL);
	h_run("slaveof in a config file and on the command line; ROLE",
	    repl_slaveof_conf, NULL);
	h_run("TTLs expire on replicas and after a promotion", repl_ttl,
	    NULL);
	h_run("MULTI/EXEC is applied on a replica at once", repl_multi,
	    NULL);
	h_run("INFO replication fields of master and replica",
	    repl_info_fields, NULL);
	h_run("CONFIG REWRITE writes replicaof, drops it after NO ONE",
	    repl_rewrite, NULL);
	repl_run_mixed(true);
	repl_run_mixed(false);
	return h_done();
}
