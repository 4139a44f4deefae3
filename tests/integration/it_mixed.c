/*
 * it_mixed.c - our sentinel side by side with the real redis-sentinel 7.0:
 * three of ours and two of theirs monitor one master and must find each
 * other through the hello channel in both directions, and a master that
 * stops answering must be declared objectively down by both kinds with
 * votes that only the other kind can have given (SENTINEL
 * is-master-down-by-addr answered across implementations).
 *
 * Environment: SENTINEL_BIN (ours; default $TEST_BUILDDIR/../src/sentinel/
 * sentinel), REDIS_SENTINEL_BIN (default /usr/bin/redis-sentinel; the whole
 * file is skipped without it), and the monitored server kinds of h_run.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "util.h"

#define MX_OURS		3	/* sentinels of ours: slots 0..2 */
#define MX_THEIRS	2	/* real redis-sentinels: slots 3..4 */
#define MX_N		(MX_OURS + MX_THEIRS)
#define MX_DOWN_AFTER	"500"
#define MX_DISCOVER_MS	30000	/* hellos go out every 2 s */
#define MX_ODOWN_MS	20000
#define MX_TILT_MS	45000	/* TILT lasts 30 s */
#define MX_POLL_US	50000

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
};

struct cluster {
	char		*dir;
	struct h_server	 master;
	bool		 master_up;
	bool		 stopped;	/* master SIGSTOPped: SIGCONT it */
	struct sen	 s[MX_N];
};

static const char *
kind_name(const struct sen *s)
{
	return s->real ? "redis-sentinel" : "ours";
}

/* --- replies --------------------------------------------------------------- */

/* A command whose reply is wanted as a tree; NULL on any failure. */
static struct h_node * __attribute__((sentinel))
cmd_node(struct h_conn *c, ...)
{
	const char	*argv[16];
	const char	*a;
	struct h_node	*n = NULL;
	va_list		 ap;
	int		 argc = 0;

	if (c == NULL)
		return NULL;
	va_start(ap, c);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = a;
	va_end(ap);
	if (h_send_argv(c, argc, argv, NULL) < 0)
		return NULL;
	if (h_read(c, &n) != H_RD_OK) {
		h_node_free(n);
		return NULL;
	}
	return n;
}

/* Value of a field in a flat field/value array (RESP2 SENTINEL replies). */
static const char *
node_field(const struct h_node *n, const char *field)
{
	size_t	i;

	if (n == NULL || n->line[0] != '*')
		return NULL;
	for (i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->str != NULL && strcmp(n->kids[i]->str, field) == 0)
			return n->kids[i + 1]->str;
	return NULL;
}

/* SENTINEL MASTER mymaster <field>, allocated, or NULL. */
static char *
master_field(struct sen *s, const char *field)
{
	struct h_node	*n = cmd_node(s->c, "SENTINEL", "MASTER", "mymaster", NULL);
	const char	*v = node_field(n, field);
	char		*r = v != NULL ? xstrdup(v) : NULL;

	h_node_free(n);
	return r;
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
sen_diag_log(const struct sen *s)
{
	char	*text = h_read_file(s->log);
	size_t	 len;
	char	*p;

	if (text == NULL)
		return;
	/* The last 15 lines are usually enough to see why. */
	len = strlen(text);
	p = text + len;
	for (int lines = 0; p > text && lines < 16; p--)
		if (p[-1] == '\n')
			lines++;
	h_diag("%s sentinel on port %d, log tail:", kind_name(s), s->port);
	h_diag_lines("  | ", p);
	free(text);
}

/* One sentinel of either kind with a fresh config of its own. */
static bool
sen_start(struct sen *s, const char *root, int idx, bool real, int mport, int quorum)
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
		    "sentinel down-after-milliseconds mymaster " MX_DOWN_AFTER "\n",
		    s->port, dir, mport, quorum);
		h_write_file(s->conf, text);
		free(text);
		argv[0] = (char *)(real ? real_bin : our_bin);
		argv[1] = s->conf;
		argv[2] = NULL;
		s->pid = h_spawn(argv, s->log);
		if (s->pid == -1)
			break;
		if (h_wait_port(s->port, s->pid, H_DEADLINE_MS) &&
		    (s->c = h_connect(s->port)) != NULL) {
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
		sen_diag_log(s);
	} else {
		struct h_node *n = cmd_node(s->c, "SENTINEL", "MYID", NULL);

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
	s->c = s->sub = NULL;
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
		    cl->master.port, quorum))
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
			got[i] = master_field(&cl->s[i], "num-other-sentinels");
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
		struct h_node *n = cmd_node(cl->s[i].c, "SENTINEL", "SENTINELS", "mymaster", NULL);

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
				const char *id = node_field(n->kids[k], "runid");
				const char *ip = node_field(n->kids[k], "ip");
				const char *pt = node_field(n->kids[k], "port");

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
		if ((s->sub = h_connect(s->port)) == NULL) {
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
			char *flags = master_field(s, "flags");

			h_diag("%s #%d (port %d): no +odown within %d ms; flags %s",
			    kind_name(s), i, s->port, MX_ODOWN_MS,
			    flags != NULL ? flags : "(no reply)");
			free(flags);
			sen_diag_log(s);
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

int
main(void)
{
	const char	*bd;
	char		*dflt = NULL;

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
	h_plan(3 * h_nkinds());
	h_run("3 of ours and 2 redis-sentinels discover each other both ways",
	    discovery, NULL);
	h_run("+odown at quorum 5/5 on both kinds (votes from both)",
	    odown_all, NULL);
	h_run("+odown at quorum 3/3 with one of each kind gone",
	    odown_partial, NULL);
	free(dflt);
	return h_done();
}
