/*
 * it_mixed.c - our sentinel side by side with the real redis-sentinel 7.0:
 * three of ours and two of theirs monitor one master and must find each
 * other through the hello channel in both directions, and a master that
 * stops answering must be declared objectively down by both kinds with
 * votes that only the other kind can have given (SENTINEL
 * is-master-down-by-addr answered across implementations). Then
 * failovers in that mixed network, with a master and two replicas and
 * quorum 3: a kill -9 of the master, where exactly one of the five leads
 * (either kind may win the election) and all five agree on the result;
 * SENTINEL FAILOVER sent to a redis-sentinel, which ours must follow; and
 * SENTINEL FAILOVER sent to one of ours, which the redis-sentinels must
 * follow. Each case starts from scratch, so every config-epoch is 1.
 *
 * Environment: SENTINEL_BIN (ours; default $TEST_BUILDDIR/../src/sentinel/
 * sentinel), REDIS_SENTINEL_BIN (default /usr/bin/redis-sentinel; the whole
 * file is skipped without it), and the monitored server kinds of h_run.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "sentinels.h"
#include "util.h"

#define MX_OURS		3	/* sentinels of ours: slots 0..2 */
#define MX_THEIRS	2	/* real redis-sentinels: slots 3..4 */
#define MX_N		(MX_OURS + MX_THEIRS)
#define MX_DOWN_AFTER	"500"
#define MX_DISCOVER_MS	30000	/* hellos go out every 2 s */
#define MX_ODOWN_MS	20000
#define MX_TILT_MS	45000	/* TILT lasts 30 s */
#define MX_POLL_US	50000
#define MX_NREPS	2	/* replicas in the failover cases */
#define MX_FO_TIMEOUT	"6000"	/* failover-timeout: a lost vote waits 12 s */
#define MX_FO_MS	20000	/* kill or SENTINEL FAILOVER to five in agreement */
#define MX_SETTLE_MS	10000	/* then for the rest to be seen */
#define MX_LOG_TAIL	40	/* lines of a sentinel log shown on failure */

static const char	*our_bin;
static const char	*real_bin;

struct sen {
	bool		 real;
	pid_t		 pid;
	int		 port;
	char		*conf;
	char		*log;
	char		*myid;
	struct h_conn	*c;	/* commands */
	struct h_conn	*sub;	/* subscribed to +odown */
	bool		 gotodown;
	struct h_conn	*ev;	/* PSUBSCRIBE * (failover cases) */
	struct buf	 evs;	/* what it got: "type text\n" per event */
};

struct cluster {
	char		*dir;
	struct h_server	 master;
	bool		 master_up;
	bool		 stopped;	/* master SIGSTOPped: SIGCONT it */
	struct h_server	 rep[MX_NREPS];
	int		 nrep;		/* replicas started */
	struct sen	 s[MX_N];
};

static const char *
kind_name(const struct sen *s)
{
	return s->real ? "redis-sentinel" : "ours";
}

/* --- processes ------------------------------------------------------------- */

static bool
log_says(const char *path, const char *what)
{
	char	*text = h_read_file(path);
	bool	 r = text != NULL && strstr(text, what) != NULL;

	free(text);
	return r;
}

static void
sen_diag_log(const struct sen *s, int nlines)
{
	char	*text = h_read_file(s->log);
	size_t	 len;
	char	*p;

	if (text == NULL)
		return;
	len = strlen(text);
	p = text + len;
	for (int lines = 0; p > text && lines < nlines + 1; p--)
		if (p[-1] == '\n')
			lines++;
	h_diag("%s sentinel on port %d, log tail:", kind_name(s), s->port);
	h_diag_lines("  | ", p);
	free(text);
}

/*
 * One sentinel of either kind with a fresh config of its own; extra is
 * more of it ("" for none).
 */
static bool
sen_start(struct sen *s, const char *root, int idx, bool real, int mport,
    int quorum, const char *extra)
{
	char	*dir, *text, *argv[3];
	bool	 ok = false;

	memset(s, 0, sizeof *s);
	s->real = real;
	dir = xasprintf("%s/s%d", root, idx);
	if (mkdir(dir, 0755) == -1) {
		h_diag("mkdir %s failed", dir);
		free(dir);
		return false;
	}
	s->conf = xasprintf("%s/sentinel.conf", dir);
	s->log = xasprintf("%s/log.txt", dir);
	for (int attempt = 0; attempt < 5 && !ok; attempt++) {
		s->port = h_free_port();
		text = xasprintf(
		    "port %d\n"
		    "bind 127.0.0.1\n"
		    "dir %s\n"
		    "sentinel monitor mymaster 127.0.0.1 %d %d\n"
		    "sentinel down-after-milliseconds mymaster " MX_DOWN_AFTER "\n"
		    "%s",
		    s->port, dir, mport, quorum, extra);
		h_write_file(s->conf, text);
		free(text);
		argv[0] = (char *)(real ? real_bin : our_bin);
		argv[1] = s->conf;
		argv[2] = NULL;
		s->pid = h_spawn(argv, s->log);
		if (s->pid == -1)
			break;
		if (h_wait_port(s->port, s->pid, H_DEADLINE_MS) &&
		    (s->c = it_conn(s->port)) != NULL) {
			char *r = h_cmd(s->c, "PING", NULL);

			ok = strcmp(r, "+PONG") == 0 && !h_exited(s->pid, NULL, 0);
			free(r);
		}
		if (ok)
			break;
		h_close(s->c);
		s->c = NULL;
		h_stop(s->pid, 2000);
		s->pid = 0;
		if (!log_says(s->log, "in use"))
			break;
	}
	if (!ok) {
		h_diag("%s sentinel did not start", kind_name(s));
		sen_diag_log(s, 15);
	} else {
		struct h_node *n = it_node(s->c, "SENTINEL", "MYID", NULL);

		if (n != NULL && n->str != NULL && n->line[0] == '"')
			s->myid = xstrdup(n->str);
		h_node_free(n);
		if (s->myid == NULL) {
			h_diag("%s sentinel: no SENTINEL MYID", kind_name(s));
			ok = false;
		}
	}
	free(dir);
	return ok;
}

static void
sen_stop(struct sen *s)
{
	h_close(s->c);
	h_close(s->sub);
	h_close(s->ev);
	s->c = s->sub = s->ev = NULL;
	if (s->pid > 0)
		h_stop(s->pid, H_DEADLINE_MS);
	s->pid = 0;
}

static void
sen_free(struct sen *s)
{
	sen_stop(s);
	free(s->conf);
	free(s->log);
	free(s->myid);
	buf_free(&s->evs);
	s->conf = s->log = s->myid = NULL;
}

static void
cl_master_cont(struct cluster *cl)
{
	if (cl->stopped && cl->master.pid > 0)
		kill(cl->master.pid, SIGCONT);
	cl->stopped = false;
}

static void
cl_free(struct cluster *cl)
{
	/* Never leave a stopped process behind, whatever happened. */
	cl_master_cont(cl);
	for (int i = 0; i < MX_N; i++)
		sen_free(&cl->s[i]);
	for (int i = 0; i < cl->nrep; i++)
		h_server_free(&cl->rep[i]);
	if (cl->master_up)
		h_server_free(&cl->master);
	if (cl->dir != NULL) {
		h_tmpdir_remove(cl->dir);
		free(cl->dir);
	}
	memset(cl, 0, sizeof *cl);
}

/* The master of the kind under test, then 3 of ours and 2 real ones. */
static bool
cl_start(struct cluster *cl, const struct h_target *t, int quorum)
{
	struct h_srvcfg	cfg = { 0 };

	memset(cl, 0, sizeof *cl);
	if (our_bin == NULL || access(our_bin, X_OK) != 0) {
		h_diag("our sentinel %s is not executable (SENTINEL_BIN)",
		    our_bin != NULL ? our_bin : "(unset)");
		return false;
	}
	cl->dir = h_tmpdir("mixed");
	cfg.bin = t->bin;
	cfg.dir = cl->dir;
	if (h_server_start(&cl->master, &cfg) < 0) {
		h_diag("%s master did not start", t->name);
		return false;
	}
	cl->master_up = true;
	for (int i = 0; i < MX_N; i++)
		if (!sen_start(&cl->s[i], cl->dir, i, i >= MX_OURS,
		    cl->master.port, quorum, ""))
			return false;
	return true;
}

/* Every running sentinel reports num-other-sentinels == want. */
static bool
cl_wait_others(struct cluster *cl, int want)
{
	int64_t	 end = util_mono_ms() + MX_DISCOVER_MS;
	char	 wants[16];
	char	*got[MX_N] = { 0 };
	bool	 all;

	snprintf(wants, sizeof wants, "%d", want);
	for (;;) {
		all = true;
		for (int i = 0; i < MX_N; i++) {
			if (cl->s[i].pid <= 0)
				continue;
			free(got[i]);
			got[i] = it_mfield(cl->s[i].c, "num-other-sentinels");
			if (got[i] == NULL || strcmp(got[i], wants) != 0)
				all = false;
		}
		if (all || util_mono_ms() >= end)
			break;
		usleep(MX_POLL_US);
	}
	for (int i = 0; i < MX_N; i++) {
		if (!all && cl->s[i].pid > 0)
			h_diag("%s sentinel #%d (port %d): num-other-sentinels %s, want %s",
			    kind_name(&cl->s[i]), i, cl->s[i].port,
			    got[i] != NULL ? got[i] : "(no reply)", wants);
		free(got[i]);
	}
	return all;
}

/* Each sentinel lists every other one with the right runid, ip and port. */
static bool
cl_check_peers(struct cluster *cl)
{
	bool	ok = true;

	for (int i = 0; i < MX_N; i++) {
		struct h_node *n = it_node(cl->s[i].c, "SENTINEL", "SENTINELS", "mymaster", NULL);

		if (n == NULL || n->line[0] != '*') {
			h_diag("%s #%d: SENTINEL SENTINELS failed", kind_name(&cl->s[i]), i);
			h_node_free(n);
			ok = false;
			continue;
		}
		for (int j = 0; j < MX_N; j++) {
			char	 port[16];
			bool	 found = false;

			if (j == i)
				continue;
			snprintf(port, sizeof port, "%d", cl->s[j].port);
			for (size_t k = 0; k < n->nkids; k++) {
				const char *id = it_fget(n->kids[k], "runid");
				const char *ip = it_fget(n->kids[k], "ip");
				const char *pt = it_fget(n->kids[k], "port");

				if (id != NULL && strcmp(id, cl->s[j].myid) == 0) {
					found = true;
					if (ip == NULL || strcmp(ip, "127.0.0.1") != 0 ||
					    pt == NULL || strcmp(pt, port) != 0) {
						h_diag("%s #%d sees %s #%d at %s:%s, want 127.0.0.1:%s",
						    kind_name(&cl->s[i]), i, kind_name(&cl->s[j]), j,
						    ip ? ip : "?", pt ? pt : "?", port);
						ok = false;
					}
				}
			}
			if (!found) {
				h_diag("%s #%d does not list %s #%d (runid %s)",
				    kind_name(&cl->s[i]), i, kind_name(&cl->s[j]), j,
				    cl->s[j].myid);
				ok = false;
			}
		}
		h_node_free(n);
	}
	return ok;
}

/*
 * A sentinel in TILT (its timer ran late: a loaded machine) answers "not
 * down" to every peer for 30 s; wait for all of them to be out of it so
 * that a slow start does not pass for a failure.
 */
static bool
cl_wait_no_tilt(struct cluster *cl)
{
	int64_t	 end = util_mono_ms() + MX_TILT_MS;
	bool	 all;

	for (;;) {
		all = true;
		for (int i = 0; i < MX_N && all; i++) {
			char *v;

			if (cl->s[i].pid <= 0)
				continue;
			v = h_info_get(cl->s[i].c, "sentinel", "sentinel_tilt");
			all = v != NULL && strcmp(v, "0") == 0;
			if (!all && util_mono_ms() >= end)
				h_diag("%s #%d: sentinel_tilt %s", kind_name(&cl->s[i]), i,
				    v != NULL ? v : "(no reply)");
			free(v);
		}
		if (all || util_mono_ms() >= end)
			return all;
		usleep(MX_POLL_US);
	}
}

/* A second connection of every running sentinel listens for +odown. */
static bool
cl_subscribe_odown(struct cluster *cl)
{
	for (int i = 0; i < MX_N; i++) {
		struct sen	*s = &cl->s[i];
		char		*r;
		bool		 ok;

		if (s->pid <= 0)
			continue;
		if ((s->sub = it_conn(s->port)) == NULL) {
			h_diag("%s #%d: cannot connect", kind_name(s), i);
			return false;
		}
		r = h_cmd(s->sub, "SUBSCRIBE", "+odown", NULL);
		ok = strcmp(r, "*3\n  \"subscribe\"\n  \"+odown\"\n  :1\n") == 0;
		if (!ok)
			h_diag("%s #%d: SUBSCRIBE +odown: %s", kind_name(s), i, r);
		free(r);
		if (!ok)
			return false;
		s->gotodown = false;
	}
	return true;
}

/*
 * Waits for +odown from every running sentinel; each message must carry
 * exactly "#quorum want/quorum" (want votes, this sentinel's own included).
 */
static bool
cl_wait_odown(struct cluster *cl, int quorum)
{
	int64_t	 end = util_mono_ms() + MX_ODOWN_MS;
	char	*want;
	bool	 ok = true, all;

	want = xasprintf("master mymaster 127.0.0.1 %d #quorum %d/%d",
	    cl->master.port, quorum, quorum);
	for (;;) {
		all = true;
		for (int i = 0; i < MX_N; i++) {
			struct sen	*s = &cl->s[i];
			struct h_node	*n = NULL;
			const char	*msg;
			int		 r;

			if (s->pid <= 0 || s->sub == NULL || s->gotodown)
				continue;
			s->sub->timeout_ms = 20;
			r = h_read(s->sub, &n);
			if (r == H_RD_OK && n->nkids == 3 && n->kids[0]->str != NULL &&
			    strcmp(n->kids[0]->str, "message") == 0 &&
			    (msg = n->kids[2]->str) != NULL) {
				s->gotodown = true;
				h_diag("%s #%d: +odown %s", kind_name(s), i, msg);
				if (strcmp(msg, want) != 0) {
					h_diag("  want \"%s\"", want);
					ok = false;
				}
			} else if (r != H_RD_OK && r != H_RD_TIMEOUT) {
				h_diag("%s #%d: subscription lost (%d)", kind_name(s), i, r);
				h_close(s->sub);
				s->sub = NULL;
				ok = false;
			}
			h_node_free(n);
			if (!s->gotodown)
				all = false;
		}
		if (all || util_mono_ms() >= end)
			break;
	}
	for (int i = 0; i < MX_N; i++) {
		struct sen *s = &cl->s[i];

		if (s->pid > 0 && !s->gotodown) {
			char *flags = it_mfield(s->c, "flags");

			h_diag("%s #%d (port %d): no +odown within %d ms; flags %s",
			    kind_name(s), i, s->port, MX_ODOWN_MS,
			    flags != NULL ? flags : "(no reply)");
			free(flags);
			/* The last 15 lines are usually enough to see why. */
			sen_diag_log(s, 15);
			ok = false;
		}
	}
	free(want);
	return ok;
}

static bool
cl_stop_master(struct cluster *cl)
{
	if (kill(cl->master.pid, SIGSTOP) == -1) {
		h_diag("SIGSTOP %d failed", (int)cl->master.pid);
		return false;
	}
	cl->stopped = true;
	return true;
}

/* --- cases ----------------------------------------------------------------- */

/* Both kinds find each other through the master's hello channel. */
static bool
discovery(const struct h_target *t, void *arg)
{
	struct cluster	cl;
	bool		ok = false;

	(void)arg;
	if (!cl_start(&cl, t, 2))
		goto out;
	ok = cl_wait_others(&cl, MX_N - 1);
	ok = cl_check_peers(&cl) && ok;
out:
	cl_free(&cl);
	return ok;
}

/*
 * Quorum 5 of 5: every +odown needs the votes of all the others, so ours
 * count two real ones' answers and the real ones count three of ours.
 */
static bool
odown_all(const struct h_target *t, void *arg)
{
	struct cluster	cl;
	bool		ok = false;

	(void)arg;
	if (!cl_start(&cl, t, MX_N))
		goto out;
	if (!cl_wait_others(&cl, MX_N - 1) || !cl_wait_no_tilt(&cl) ||
	    !cl_subscribe_odown(&cl))
		goto out;
	if (!cl_stop_master(&cl))
		goto out;
	ok = cl_wait_odown(&cl, MX_N);
out:
	cl_free(&cl);
	return ok;
}

/*
 * Quorum 3 with one of ours and one real one gone: the last real one can
 * only count itself and two of ours; ours count each other and it.
 */
static bool
odown_partial(const struct h_target *t, void *arg)
{
	struct cluster	cl;
	bool		ok = false;

	(void)arg;
	if (!cl_start(&cl, t, 3))
		goto out;
	if (!cl_wait_others(&cl, MX_N - 1))
		goto out;
	sen_stop(&cl.s[0]);
	sen_stop(&cl.s[MX_N - 1]);
	if (!cl_wait_no_tilt(&cl) || !cl_subscribe_odown(&cl) ||
	    !cl_stop_master(&cl))
		goto out;
	ok = cl_wait_odown(&cl, 3);
out:
	cl_free(&cl);
	return ok;
}

/* --- failovers: servers ---------------------------------------------------- */

/* Every server gets this: Redis 7 waits 5 s before a diskless full sync. */
static const char *const fast_sync[] = { "--repl-diskless-sync-delay", "0", NULL };

/* --- failovers: events ----------------------------------------------------- */

static bool
sen_psubscribe(struct sen *s, int idx)
{
	char	*r;
	bool	 ok;

	if ((s->ev = it_conn(s->port)) == NULL) {
		h_diag("%s #%d: cannot connect", kind_name(s), idx);
		return false;
	}
	r = h_cmd(s->ev, "PSUBSCRIBE", "*", NULL);
	ok = strcmp(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n") == 0;
	if (!ok)
		h_diag("%s #%d: PSUBSCRIBE *: %s", kind_name(s), idx, r);
	free(r);
	return ok;
}

/* Moves whatever the subscriptions have into the event texts. */
static void
cl_ev_pump(struct cluster *cl)
{
	for (int i = 0; i < MX_N; i++) {
		struct sen	*s = &cl->s[i];
		int		 r;

		if (s->ev != NULL && (r = it_ev_drain(s->ev, &s->evs)) != H_RD_TIMEOUT) {
			h_diag("%s #%d: event subscription lost (%d)",
			    kind_name(s), i, r);
			h_close(s->ev);
			s->ev = NULL;
		}
	}
}

/* The number of event lines of that type, and exactly msg unless NULL. */
static int
ev_count(const struct buf *evs, const char *type, const char *msg)
{
	const char	*p = evs->data != NULL ? evs->data : "", *e;
	size_t		 tl = strlen(type);
	int		 n = 0;

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if ((size_t)(e - p) <= tl || strncmp(p, type, tl) != 0 ||
		    p[tl] != ' ')
			continue;
		if (msg == NULL || ((size_t)(e - p - tl - 1) == strlen(msg) &&
		    strncmp(p + tl + 1, msg, strlen(msg)) == 0))
			n++;
	}
	return n;
}

/* The +elected-leader events of all five; *who is the last that had one. */
static int
cl_elected(struct cluster *cl, int *who)
{
	int	n = 0, k;

	cl_ev_pump(cl);
	*who = -1;
	for (int i = 0; i < MX_N; i++)
		if ((k = ev_count(&cl->s[i].evs, "+elected-leader", NULL)) > 0) {
			n += k;
			*who = i;
		}
	return n;
}

/* Every sentinel announced the switch from oldport to newport. */
static bool
cl_wait_switch(struct cluster *cl, int oldport, int newport, int deadline_ms)
{
	int64_t	 end = util_mono_ms() + deadline_ms;
	char	*sw = xasprintf("mymaster 127.0.0.1 %d 127.0.0.1 %d", oldport,
		    newport);
	bool	 all;

	for (;;) {
		cl_ev_pump(cl);
		all = true;
		for (int i = 0; i < MX_N; i++)
			if (ev_count(&cl->s[i].evs, "+switch-master", sw) != 1)
				all = false;
		if (all || util_mono_ms() >= end)
			break;
		usleep(MX_POLL_US);
	}
	for (int i = 0; i < MX_N && !all; i++) {
		int n = ev_count(&cl->s[i].evs, "+switch-master", sw);

		if (n != 1)
			h_diag("%s #%d: %d +switch-master %s, want 1",
			    kind_name(&cl->s[i]), i, n, sw);
	}
	free(sw);
	return all;
}

/* Events and log tails of all five. */
static void
cl_diag(struct cluster *cl)
{
	cl_ev_pump(cl);
	for (int i = 0; i < MX_N; i++) {
		struct sen *s = &cl->s[i];

		if (s->log == NULL)
			continue;
		h_diag("%s #%d (port %d) events:", kind_name(s), i, s->port);
		if (s->evs.len > 0)
			h_diag_lines("  event| ", s->evs.data);
		sen_diag_log(s, MX_LOG_TAIL);
	}
}

/* On failure, or always with IT_VERBOSE set. */
static void
cl_report(struct cluster *cl, bool ok)
{
	const char	*v = getenv("IT_VERBOSE");

	if (!ok || (v != NULL && *v != '\0'))
		cl_diag(cl);
}

/* --- failovers: sentinels -------------------------------------------------- */

/*
 * Short periods on every sentinel of both kinds (redis-sentinel 7.0 has
 * SENTINEL DEBUG too). redis-sentinel asks replicas for INFO once a second
 * during a failover whatever INFO-PERIOD says, and only promotes one whose
 * INFO is younger than 3 INFO periods (5 PING periods once the master is
 * down): INFO-PERIOD stays at 1 s and PING-PERIOD at 400 ms. PING-PERIOD
 * must also stay under down-after: redis-sentinel reconnects at most once
 * per PING-PERIOD, and a new master it could not reach for down-after
 * right after +switch-master would be failed over again on the stale
 * "down" answers its peers gave about the old one. PUBLISH-PERIOD stays at
 * 500 ms: a redis-sentinel turns a replica that says it is a master back
 * into a replica after 4 publish periods, and a redis-sentinel leader sees
 * its promotion only at the next INFO (up to a second): with 200 ms, the
 * other redis-sentinel undid the promotion before the leader's hello came
 * (seen in CI), and a second failover followed.
 */
static bool
sen_tune(struct sen *s, int idx)
{
	char	*r = h_cmd(s->c, "SENTINEL", "DEBUG", "INFO-PERIOD", "1000",
		    "PING-PERIOD", "400", "ASK-PERIOD", "100", "PUBLISH-PERIOD",
		    "500", NULL);
	bool	 ok = strcmp(r, "+OK") == 0;

	if (!ok)
		h_diag("%s #%d: SENTINEL DEBUG: %s", kind_name(s), idx, r);
	free(r);
	return ok;
}

/* Sentinel i sees the master up, 4 others and both replicas healthy. */
static bool
sen_ready(struct cluster *cl, int i, bool last)
{
	struct sen	*s = &cl->s[i];
	struct h_node	*n = it_node(s->c, "SENTINEL", "MASTER", "mymaster", NULL);
	struct h_node	*l = it_node(s->c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	const char	*flags = it_fget(n, "flags");
	const char	*others = it_fget(n, "num-other-sentinels");
	bool		 ok;

	ok = flags != NULL && strcmp(flags, "master") == 0 && others != NULL &&
	    atoi(others) == MX_N - 1 && l != NULL && l->line[0] == '*' &&
	    l->nkids == MX_NREPS;
	for (size_t k = 0; ok && k < l->nkids; k++) {
		const char *f = it_fget(l->kids[k], "flags");
		const char *ls = it_fget(l->kids[k], "master-link-status");

		ok = f != NULL && strcmp(f, "slave") == 0 && ls != NULL &&
		    strcmp(ls, "ok") == 0;
	}
	if (!ok && last) {
		struct buf b = BUF_INIT;

		if (l != NULL)
			h_render(l, &b);
		h_diag("%s #%d: flags %s, num-other-sentinels %s, replicas:",
		    kind_name(s), i, flags ? flags : "-", others ? others : "-");
		h_diag_lines("  ", b.data != NULL ? b.data : "(no reply)\n");
		buf_free(&b);
	}
	h_node_free(n);
	h_node_free(l);
	return ok;
}

/*
 * A master and two replicas of the kind under test, 3 of ours and 2 real
 * sentinels at quorum 3, all of them agreeing on who is there, out of
 * TILT, with every event of every sentinel recorded from then on.
 */
static bool
cl_start_fo(struct cluster *cl, const struct h_target *t)
{
	const char	*args[4] = { "--replicaof", "127.0.0.1", NULL, NULL };
	char		 mport[16], tag[16];
	int64_t		 end;
	bool		 ok, last;

	memset(cl, 0, sizeof *cl);
	if (our_bin == NULL || access(our_bin, X_OK) != 0) {
		h_diag("our sentinel %s is not executable (SENTINEL_BIN)",
		    our_bin != NULL ? our_bin : "(unset)");
		return false;
	}
	cl->dir = h_tmpdir("mixedfo");
	if (!it_srv_start(t, cl->dir, "master", &cl->master, 0, NULL, fast_sync, NULL))
		return false;
	cl->master_up = true;
	snprintf(mport, sizeof mport, "%d", cl->master.port);
	args[2] = mport;
	for (int i = 0; i < MX_NREPS; i++) {
		snprintf(tag, sizeof tag, "replica%d", i);
		if (!it_srv_start(t, cl->dir, tag, &cl->rep[i], 0, NULL, fast_sync, args))
			return false;
		cl->nrep++;
	}
	for (int i = 0; i < MX_N; i++)
		if (!sen_start(&cl->s[i], cl->dir, i, i >= MX_OURS,
		    cl->master.port, 3,
		    "sentinel failover-timeout mymaster " MX_FO_TIMEOUT "\n") ||
		    !sen_tune(&cl->s[i], i))
			return false;
	for (int i = 0; i < MX_NREPS; i++)
		if (!it_wait_follows(cl->rep[i].port, cl->master.port, H_DEADLINE_MS) ||
		    !it_wait_caught_up(cl->rep[i].port, cl->master.port))
			return false;
	end = util_mono_ms() + MX_DISCOVER_MS;
	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < MX_N && (ok || last); i++)
			ok = sen_ready(cl, i, last) && ok;
		if (ok)
			break;
		if (last) {
			h_diag("the five sentinels did not converge");
			return false;
		}
		usleep(MX_POLL_US);
	}
	if (!cl_wait_no_tilt(cl))
		return false;
	for (int i = 0; i < MX_N; i++)
		if (!sen_psubscribe(&cl->s[i], i))
			return false;
	return true;
}

/*
 * Polls until all five give the same master, not oldport; that port, or
 * -1 after the deadline.
 */
static int
cl_wait_new_master(struct cluster *cl, int oldport, int deadline_ms)
{
	int64_t	end = util_mono_ms() + deadline_ms;
	int	got[MX_N];
	bool	all, last;

	for (;;) {
		last = util_mono_ms() >= end;
		all = true;
		for (int i = 0; i < MX_N; i++) {
			got[i] = it_addr_port(cl->s[i].c);
			if (got[i] == -1 || got[i] == oldport || got[i] != got[0])
				all = false;
		}
		cl_ev_pump(cl);
		if (all)
			return got[0];
		if (last)
			break;
		usleep(MX_POLL_US);
	}
	for (int i = 0; i < MX_N; i++)
		h_diag("%s #%d: master at port %d (it was %d)", kind_name(&cl->s[i]),
		    i, got[i], oldport);
	return -1;
}

/* The index of the replica other than the one on port, -1 if port is none. */
static int
cl_other_replica(struct cluster *cl, int port)
{
	for (int i = 0; i < MX_NREPS; i++)
		if (cl->rep[i].port == port)
			return MX_NREPS - 1 - i;
	h_diag("the new master at port %d is not one of the replicas", port);
	return -1;
}

/* config-epoch is want at all five. */
static bool
cl_wait_epoch(struct cluster *cl, const char *want, int deadline_ms)
{
	int64_t	 end = util_mono_ms() + deadline_ms;
	char	*got[MX_N] = { 0 };
	bool	 all;

	for (;;) {
		all = true;
		for (int i = 0; i < MX_N; i++) {
			free(got[i]);
			got[i] = it_mfield(cl->s[i].c, "config-epoch");
			if (got[i] == NULL || strcmp(got[i], want) != 0)
				all = false;
		}
		if (all || util_mono_ms() >= end)
			break;
		usleep(MX_POLL_US);
	}
	for (int i = 0; i < MX_N; i++) {
		if (!all)
			h_diag("%s #%d: config-epoch %s, want %s",
			    kind_name(&cl->s[i]), i, got[i] ? got[i] : "-", want);
		free(got[i]);
	}
	return all;
}

/*
 * What every failover case checks once all five agree on newport: each
 * announced the switch, config-epoch 1 everywhere, one +elected-leader in
 * all (*leader: whose), every other sentinel took the new config from a
 * hello (+config-update-from) and the leader did not, and the other
 * replica follows the new master.
 */
static bool
cl_check_after(struct cluster *cl, int oldport, int newport, int other,
    int *leader)
{
	bool	ok;
	int	n;

	ok = cl_wait_switch(cl, oldport, newport, MX_SETTLE_MS);
	ok = cl_wait_epoch(cl, "1", MX_SETTLE_MS) && ok;
	ok = it_wait_follows(cl->rep[other].port, newport, MX_SETTLE_MS) && ok;
	if ((n = cl_elected(cl, leader)) != 1) {
		h_diag("%d +elected-leader events in all, want 1", n);
		ok = false;
	}
	for (int i = 0; i < MX_N && *leader != -1; i++) {
		n = ev_count(&cl->s[i].evs, "+config-update-from", NULL);
		if (n != (i == *leader ? 0 : 1)) {
			h_diag("%s #%d: %d +config-update-from, want %d",
			    kind_name(&cl->s[i]), i, n, i == *leader ? 0 : 1);
			ok = false;
		}
	}
	return ok;
}

/* --- failovers: cases ------------------------------------------------------ */

/*
 * kill -9 of the master: either kind may win the election, the others
 * (of both kinds) follow it.
 */
static bool
fo_kill(const struct h_target *t, void *arg)
{
	struct cluster	cl;
	int64_t		t0;
	int		oldport, np, other, leader = -1;
	bool		ok = false;

	(void)arg;
	if (!cl_start_fo(&cl, t))
		goto out;
	oldport = cl.master.port;
	h_kill9(cl.master.pid);
	cl.master.pid = 0;
	t0 = util_mono_ms();
	if ((np = cl_wait_new_master(&cl, oldport, MX_FO_MS)) == -1 ||
	    (other = cl_other_replica(&cl, np)) == -1)
		goto out;
	h_diag("%s: all five give the new master %lld ms after the kill",
	    t->name, (long long)(util_mono_ms() - t0));
	ok = cl_check_after(&cl, oldport, np, other, &leader);
	if (leader != -1)
		h_diag("%s: the leader was %s #%d", t->name,
		    kind_name(&cl.s[leader]), leader);
out:
	cl_report(&cl, ok);
	cl_free(&cl);
	return ok;
}

/*
 * SENTINEL FAILOVER sent to sentinel *arg, which leads without an
 * election; the three others of the other kind, and the one of its own,
 * follow, and the old master is made a replica of the new one.
 */
static bool
fo_forced(const struct h_target *t, void *arg)
{
	const int	li = *(const int *)arg;
	struct cluster	cl;
	int64_t		t0;
	char		*r;
	int		oldport, np, other, leader = -1;
	bool		ok = false;

	if (!cl_start_fo(&cl, t))
		goto out;
	oldport = cl.master.port;
	t0 = util_mono_ms();
	r = h_cmd(cl.s[li].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	if (strcmp(r, "+OK") != 0) {
		h_diag("SENTINEL FAILOVER to %s #%d: %s", kind_name(&cl.s[li]), li, r);
		free(r);
		goto out;
	}
	free(r);
	if ((np = cl_wait_new_master(&cl, oldport, MX_FO_MS)) == -1 ||
	    (other = cl_other_replica(&cl, np)) == -1)
		goto out;
	h_diag("%s: all five give the new master %lld ms after SENTINEL FAILOVER "
	    "to %s #%d", t->name, (long long)(util_mono_ms() - t0),
	    kind_name(&cl.s[li]), li);
	ok = cl_check_after(&cl, oldport, np, other, &leader);
	if (leader != li) {
		h_diag("the leader was #%d, want %s #%d", leader,
		    kind_name(&cl.s[li]), li);
		ok = false;
	}
	ok = it_wait_follows(oldport, np, MX_SETTLE_MS) && ok;
out:
	cl_report(&cl, ok);
	cl_free(&cl);
	return ok;
}

int
main(void)
{
	const char	*bd;
	char		*dflt = NULL;
	static int	 real_leader = MX_OURS, our_leader = 0;

	h_exclusive();
	it_poll_us = MX_POLL_US;
	real_bin = getenv("REDIS_SENTINEL_BIN");
	if (real_bin == NULL || *real_bin == '\0')
		real_bin = "/usr/bin/redis-sentinel";
	if (access(real_bin, X_OK) != 0) {
		printf("1..0 # SKIP no redis-sentinel (%s; set REDIS_SENTINEL_BIN)\n",
		    real_bin);
		return 0;
	}
	our_bin = getenv("SENTINEL_BIN");
	if (our_bin == NULL || *our_bin == '\0') {
		bd = getenv("TEST_BUILDDIR");
		dflt = xasprintf("%s/../src/sentinel/sentinel",
		    bd != NULL && *bd != '\0' ? bd : "tests");
		our_bin = dflt;
	}
	h_plan(6 * h_nkinds());
	h_run("3 of ours and 2 redis-sentinels discover each other both ways",
	    discovery, NULL);
	h_run("+odown at quorum 5/5 on both kinds (votes from both)",
	    odown_all, NULL);
	h_run("+odown at quorum 3/3 with one of each kind gone",
	    odown_partial, NULL);
	h_run("kill -9 of the master: one failover, all five agree on the result",
	    fo_kill, NULL);
	h_run("SENTINEL FAILOVER to a redis-sentinel: ours follow it",
	    fo_forced, &real_leader);
	h_run("SENTINEL FAILOVER to one of ours: the redis-sentinels follow it",
	    fo_forced, &our_leader);
	free(dflt);
	return h_done();
}
