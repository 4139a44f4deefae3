/*
 * sentinels.c - helpers of the tests that run sentinels against live
 * servers: see sentinels.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"
#include "sentinels.h"

int		 it_poll_us = IT_POLL_US;
const char	*it_sentinel_bin;

/* --- replies ------------------------------------------------------------- */

struct h_conn *
it_conn(int port)
{
	struct h_conn *c = h_connect(port);
	int fl;

	if (c != NULL && (fl = fcntl(c->fd, F_GETFD)) != -1)
		fcntl(c->fd, F_SETFD, fl | FD_CLOEXEC);
	return c;
}

bool
it_expect(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return true;
	h_diag("%s:", what);
	h_diag_lines("  expected: ", want);
	h_diag_lines("  got:      ", got);
	return false;
}

struct h_node *
it_node(struct h_conn *c, ...)
{
	const char *argv[64], *s;
	struct h_node *n;
	va_list ap;
	int argc = 0;

	if (c == NULL)
		return NULL;
	va_start(ap, c);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 64)
		argv[argc++] = s;
	va_end(ap);
	/* h_read leaves n NULL when it fails. */
	if (h_send_argv(c, argc, argv, NULL) == -1 || h_read(c, &n) != H_RD_OK)
		return NULL;
	return n;
}

const char *
it_fget(const struct h_node *n, const char *field)
{
	if (n == NULL || n->line[0] != '*')
		return NULL;
	for (size_t i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->str != NULL && strcmp(n->kids[i]->str, field) == 0)
			return n->kids[i + 1]->str;
	return NULL;
}

char *
it_mfield(struct h_conn *c, const char *field)
{
	struct h_node *n = it_node(c, "SENTINEL", "MASTER", "mymaster", NULL);
	const char *v = it_fget(n, field);
	char *r = v != NULL ? xstrdup(v) : NULL;

	h_node_free(n);
	return r;
}

const struct h_node *
it_entry_by_port(const struct h_node *list, int port)
{
	char p[16];
	const char *v;

	snprintf(p, sizeof p, "%d", port);
	for (size_t i = 0; list != NULL && i < list->nkids; i++)
		if ((v = it_fget(list->kids[i], "port")) != NULL && strcmp(v, p) == 0)
			return list->kids[i];
	return NULL;
}

void
it_diag_node(const char *prefix, const struct h_node *n)
{
	struct buf b = BUF_INIT;

	if (n == NULL) {
		h_diag("%s(no reply)", prefix);
		return;
	}
	h_render(n, &b);
	h_diag_lines(prefix, b.data);
	buf_free(&b);
}

bool
it_has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = flags;

	while (p != NULL && (p = strstr(p, flag)) != NULL) {
		if ((p == flags || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

int
it_addr_port(struct h_conn *c)
{
	struct h_node *n = it_node(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster", NULL);
	int port = -1;

	if (n != NULL && n->nkids == 2 && n->kids[0]->str != NULL && n->kids[1]->str != NULL &&
	    strcmp(n->kids[0]->str, "127.0.0.1") == 0)
		port = atoi(n->kids[1]->str);
	h_node_free(n);
	return port;
}

/* --- servers -------------------------------------------------------------- */

bool
it_srv_start(const struct h_target *t, const char *root, const char *tag, struct h_server *s,
    int port, const char *conf, const char *const *pre, const char *const *extra)
{
	struct h_srvcfg cfg = { 0 };
	const char *args[24];
	char *dir = xasprintf("%s/%s", root, tag);
	int rc = -1, n = 0;

	for (int i = 0; pre != NULL && pre[i] != NULL && n < 23; i++)
		args[n++] = pre[i];
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 23; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (mkdir(dir, 0755) == 0) {
		cfg.bin = t->bin;
		cfg.dir = dir;
		cfg.conf = conf;
		cfg.args = args;
		cfg.port = port;
		rc = h_server_start(s, &cfg);
	}
	if (rc < 0)
		h_diag("%s %s did not start", t->name, tag);
	free(dir);
	return rc == 0;
}

bool
it_follows(int port, int mport, bool last)
{
	struct h_conn *c = it_conn(port);
	char *role = NULL, *mp = NULL, *link = NULL;
	bool ok;

	if (c != NULL) {
		role = h_info_get(c, "replication", "role");
		mp = h_info_get(c, "replication", "master_port");
		link = h_info_get(c, "replication", "master_link_status");
		h_close(c);
	}
	ok = role != NULL && strcmp(role, "slave") == 0 && mp != NULL && atoi(mp) == mport &&
	    link != NULL && strcmp(link, "up") == 0;
	if (!ok && last)
		h_diag("port %d: role %s, master_port %s, master_link_status %s (want a replica "
		    "of %d, link up)", port, role ? role : "-", mp ? mp : "-", link ? link : "-",
		    mport);
	free(role);
	free(mp);
	free(link);
	return ok;
}

bool
it_wait_follows(int port, int mport, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	bool last;

	for (;;) {
		last = util_mono_ms() >= end;
		if (it_follows(port, mport, last))
			return true;
		if (last)
			return false;
		usleep(it_poll_us);
	}
}

long long
it_info_ll(int port, const char *field)
{
	struct h_conn *c = it_conn(port);
	char *v = NULL;
	long long n = -1;

	if (c != NULL) {
		v = h_info_get(c, "replication", field);
		h_close(c);
	}
	if (v != NULL)
		n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/*
 * Following is not enough: a redis-server master holds the stream of a
 * replica fresh from a diskless sync until its first REPLCONF ACK (up to a
 * second later), and a planned failover refuses a replica that lags.
 */
bool
it_wait_caught_up(int port, int mport)
{
	long long want = it_info_ll(mport, "master_repl_offset"), have = -1;
	int64_t end = util_mono_ms() + H_DEADLINE_MS;

	while (util_mono_ms() < end) {
		have = it_info_ll(port, "slave_repl_offset");
		if (want >= 0 && have >= want)
			return true;
		usleep(it_poll_us);
	}
	h_diag("port %d: slave_repl_offset %lld, want %lld (master %d)", port, have, want, mport);
	return false;
}

/* --- events ----------------------------------------------------------------- */

bool
it_psubscribe(struct h_conn **sub, int port)
{
	char *r;
	bool ok;

	if ((*sub = it_conn(port)) == NULL)
		return false;
	r = h_cmd(*sub, "PSUBSCRIBE", "*", NULL);
	ok = it_expect(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n", "PSUBSCRIBE *");
	free(r);
	return ok;
}

int
it_ev_drain(struct h_conn *sub, struct buf *ev)
{
	struct h_node *n;
	int r;

	for (;;) {
		sub->timeout_ms = 1;
		if ((r = h_read(sub, &n)) != H_RD_OK)
			return r;
		if (n->nkids == 4 && n->kids[2]->str != NULL && n->kids[3]->str != NULL)
			buf_appendf(ev, "%s %s\n", n->kids[2]->str, n->kids[3]->str);
		h_node_free(n);
	}
}

/* --- a scenario ---------------------------------------------------------------- */

void
it_scn_init(struct it_scn *sc, const struct h_target *t, const char *tag,
    const char *const *srv_args)
{
	memset(sc, 0, sizeof *sc);
	sc->t = t;
	sc->dir = h_tmpdir(tag);
	sc->srv_args = srv_args;
	for (int i = 0; i < IT_NSENT; i++)
		buf_init(&sc->s[i].ev);
	buf_init(&sc->seen);
}

void
it_scn_free(struct it_scn *sc)
{
	/* Never leave a stopped process behind, whatever happened. */
	it_master_thaw(sc);
	h_close(sc->sub);
	for (int i = 0; i < IT_NSENT; i++) {
		it_sent_stop(&sc->s[i]);
		free(sc->s[i].dir);
		free(sc->s[i].conf);
		free(sc->s[i].log);
		buf_free(&sc->s[i].ev);
	}
	for (int i = 0; i < sc->nr; i++)
		h_server_free(&sc->r[i]);
	if (sc->mup)
		h_server_free(&sc->m);
	if (sc->xup)
		h_server_free(&sc->x);
	buf_free(&sc->seen);
	h_tmpdir_remove(sc->dir);
	free(sc->dir);
}

bool
it_scn_srv_start(struct it_scn *sc, struct h_server *s, const char *tag, int port,
    const char *conf, const char *const *extra)
{
	return it_srv_start(sc->t, sc->dir, tag, s, port, conf, sc->srv_args, extra);
}

bool
it_master_start(struct it_scn *sc, const char *conf, const char *const *args)
{
	if (!it_scn_srv_start(sc, &sc->m, "master", 0, conf, args))
		return false;
	sc->mup = true;
	sc->mport = sc->m.port;
	return true;
}

bool
it_replica_start(struct it_scn *sc, const char *const *extra)
{
	const char *args[16];
	char tag[16], mport[16];
	int n = 0;

	snprintf(mport, sizeof mport, "%d", sc->m.port);
	snprintf(tag, sizeof tag, "replica%d", sc->nr);
	args[n++] = "--replicaof";
	args[n++] = "127.0.0.1";
	args[n++] = mport;
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (!it_scn_srv_start(sc, &sc->r[sc->nr], tag, 0, NULL, args))
		return false;
	sc->nr++;
	return true;
}

void
it_master_freeze(struct it_scn *sc)
{
	if (sc->mup && !sc->mstopped && kill(sc->m.pid, SIGSTOP) == 0)
		sc->mstopped = true;
}

void
it_master_thaw(struct it_scn *sc)
{
	if (sc->mstopped) {
		kill(sc->m.pid, SIGCONT);
		sc->mstopped = false;
	}
}

bool
it_sent_tune(struct it_sent *s)
{
	char *r = h_cmd(s->c, "SENTINEL", "DEBUG", "INFO-PERIOD", "200", "PING-PERIOD", "100",
	    "ASK-PERIOD", "100", "PUBLISH-PERIOD", "200", NULL);
	bool ok = it_expect(r, "+OK", "SENTINEL DEBUG");

	free(r);
	/* A sentinel in TILT decides nothing: it must not start in it. */
	r = h_info_get(s->c, "sentinel", "sentinel_tilt");
	ok = it_expect(r ? r : "(none)", "0", "sentinel_tilt after the start") && ok;
	free(r);
	return ok;
}

bool
it_sent_spawn(struct it_sent *s)
{
	char *argv[3];

	argv[0] = (char *)it_sentinel_bin;
	argv[1] = s->conf;
	argv[2] = NULL;
	s->pid = h_spawn(argv, s->log);
	if (s->pid == -1 || !h_wait_port(s->port, s->pid, H_DEADLINE_MS)) {
		h_diag("sentinel on port %d did not start", s->port);
		if (s->log != NULL) {
			char *t = h_read_file(s->log);

			if (t != NULL)
				h_diag_lines("log| ", t);
			free(t);
		}
		return false;
	}
	return (s->c = it_conn(s->port)) != NULL;
}

bool
it_sent_start(struct it_scn *sc, int i, int quorum, const char *extra)
{
	struct it_sent *s = &sc->s[i];
	char *text;
	int rc;

	s->dir = xasprintf("%s/s%d", sc->dir, i);
	mkdir(s->dir, 0755);
	s->conf = xasprintf("%s/sentinel.conf", s->dir);
	s->log = xasprintf("%s/sentinel.log", s->dir);
	s->port = h_free_port();
	text = xasprintf("port %d\n"
	    "bind 127.0.0.1\n"
	    "sentinel monitor mymaster 127.0.0.1 %d %d\n"
	    "sentinel down-after-milliseconds mymaster %d\n"
	    "%s",
	    s->port, sc->mport, quorum, IT_DOWN_AFTER, extra != NULL ? extra : "");
	rc = h_write_file(s->conf, text);
	free(text);
	return rc == 0 && it_sent_spawn(s) && it_sent_tune(s);
}

void
it_sent_stop(struct it_sent *s)
{
	h_close(s->c);
	h_close(s->sub);
	s->c = s->sub = NULL;
	if (s->pid > 0)
		h_stop(s->pid, H_DEADLINE_MS);
	s->pid = 0;
}

bool
it_sents_start(struct it_scn *sc, int quorum, const char *extra)
{
	for (int i = 0; i < IT_NSENT; i++)
		if (!it_sent_start(sc, i, quorum, extra))
			return false;
	return true;
}

const char *
it_find_sentinel(void)
{
	const char *bin = getenv("SENTINEL_BIN"), *bd;
	static char *path;

	if (bin != NULL && *bin != '\0')
		return bin;
	bd = getenv("TEST_BUILDDIR");
	path = xasprintf("%s/../src/sentinel/sentinel", bd != NULL && *bd != '\0' ? bd : "tests");
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	path = NULL;
	return NULL;
}
