/*
 * repl.c - master and replica sides of replication.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "acl.h"
#include "backlog.h"
#include "client.h"
#include "db.h"
#include "kconf.h"
#include "log.h"
#include "loop.h"
#include "persist.h"
#include "rdb.h"
#include "repl.h"
#include "resp.h"
#include "server.h"
#include "sock.h"
#include "util.h"

#define REPL_BACKLOG_MIN	(16 * 1024)
#define HANDSHAKE_MAX_LINE	(64 * 1024)

/* Replica-side link states, as ROLE names them. */
enum link_state {
	LINK_NONE = 0,		/* a master */
	LINK_CONNECT,		/* must connect */
	LINK_CONNECTING,	/* TCP connect in progress */
	LINK_HANDSHAKE,		/* waiting for the replies to the pipelined handshake */
	LINK_TRANSFER,		/* receiving the RDB payload */
	LINK_CONNECTED,		/* streaming */
};

/* A replica of ours. */
struct replica {
	struct client	*c;
	char		 ip[64];
	int		 port;		/* REPLCONF listening-port */
	long long	 ack_off;
	int64_t		 ack_ms;	/* monotonic time of the last ACK */
	struct replica	*next;
};

/* A client blocked in WAIT. */
struct waiter {
	uint64_t	 client_id;
	long long	 offset;
	long long	 numreplicas;
	int64_t		 deadline;	/* monotonic ms, 0 for none */
	struct waiter	*next;
};

static struct {
	char		 replid[41];
	char		 replid2[41];
	long long	 offset;	/* master_repl_offset */
	long long	 second_offset;
	struct backlog	 bl;
	bool		 backlog_active;
	int		 last_db;	/* db of the last SELECT sent, -1: send one */
	bool		 in_exec;
	bool		 exec_open;	/* MULTI already sent for this EXEC */
	struct replica	*replicas;
	int		 nreplicas;
	int64_t		 last_ping;
	struct waiter	*waiters;
	bool		 getack_due;

	/* Replica side. */
	enum link_state	 state;
	int		 fd;
	struct event	*ev;
	struct buf	 in;
	int		 pending_replies;	/* handshake replies still expected */
	bool		 psync_sent;
	long long	 transfer_size;	/* -1: EOF-marked (diskless) payload */
	char		 eofmark[41];
	struct client	*master;
	int		 master_db;	/* the stream's db, kept across reconnects */
	int64_t		 last_io;	/* monotonic ms of the last byte from the master */
	long long	 down_since;	/* unix s when the link went down, 0 never up */
	long long	 read_reploff;
	int64_t		 last_ack;
	int64_t		 connect_start;
} r = { .fd = -1, .second_offset = -1, .last_db = -1 };

static void	link_event(evutil_socket_t, short, void *);
static void	link_drop(const char *why);

/* --- ids and offsets --------------------------------------------------- */

void
repl_init(void)
{
	util_random_hex(r.replid, 40);
	memset(r.replid2, '0', 40);
	r.replid2[40] = '\0';
	r.second_offset = -1;
	buf_init(&r.in);
}

long long
repl_offset(void)
{
	return r.offset;
}

const char *
repl_id(void)
{
	return r.replid;
}

/* A new history starts here; the old one stays valid up to this offset. */
static void
shift_replid(void)
{
	memcpy(r.replid2, r.replid, sizeof r.replid);
	r.second_offset = r.offset + 1;
	util_random_hex(r.replid, 40);
	log_notice("Setting secondary replication ID to %s, valid up to offset: %lld. "
	    "New replication ID is %s", r.replid2, r.second_offset, r.replid);
}

static void
backlog_create(void)
{
	if (r.backlog_active)
		return;
	backlog_init(&r.bl, (size_t)(srv.repl_backlog_size > REPL_BACKLOG_MIN ?
	    srv.repl_backlog_size : REPL_BACKLOG_MIN), r.offset);
	r.backlog_active = true;
}

/* --- feeding the stream -------------------------------------------------- */

/* Bytes of the stream: to the backlog and to every replica that is online. */
static void
feed(const char *p, size_t n)
{
	struct replica *rp;

	if (r.backlog_active) {
		if ((long long)r.bl.size != srv.repl_backlog_size &&
		    srv.repl_backlog_size >= REPL_BACKLOG_MIN)
			backlog_resize(&r.bl, (size_t)srv.repl_backlog_size);
		backlog_append(&r.bl, p, n);
	}
	r.offset += (long long)n;
	for (rp = r.replicas; rp; rp = rp->next) {
		buf_append(&rp->c->reply, p, n);
		client_reply_added(rp->c);
	}
}

static void
feed_argv(int argc, char **argv, const size_t *argvlen)
{
	struct buf b = BUF_INIT;

	resp_command(&b, argc, argv, argvlen);
	feed(b.data, b.len);
	buf_free(&b);
}

/* A command of our own making, as NUL-terminated words. */
static void
feed_words(int argc, const char **words, const size_t *lens)
{
	feed_argv(argc, (char **)words, lens);
}

/* Is anyone listening? Without replicas and backlog, nothing is kept. */
static bool
stream_wanted(void)
{
	return r.backlog_active || r.replicas != NULL;
}

static void
select_db(int db)
{
	char num[16];
	const char *w[2] = { "SELECT", num };
	size_t l[2];

	if (db == r.last_db)
		return;
	l[0] = 6;
	l[1] = (size_t)snprintf(num, sizeof num, "%d", db);
	feed_words(2, w, l);
	r.last_db = db;
}

static void
open_exec(void)
{
	if (r.in_exec && !r.exec_open) {
		const char *w[1] = { "MULTI" };
		size_t l[1] = { 5 };

		feed_words(1, w, l);
		r.exec_open = true;
	}
}

void
repl_exec_begin(void)
{
	r.in_exec = true;
	r.exec_open = false;
}

void
repl_exec_end(void)
{
	if (r.exec_open) {
		const char *w[1] = { "EXEC" };
		size_t l[1] = { 4 };

		feed_words(1, w, l);
	}
	r.in_exec = false;
	r.exec_open = false;
}

void
repl_propagate_del(int db, const char *key, size_t klen)
{
	const char *w[2] = { "DEL", key };
	size_t l[2] = { 3, klen };

	if (!stream_wanted() || server_is_replica())
		return;
	select_db(db);
	open_exec();
	feed_words(2, w, l);
}

/* "SET key value [PXAT ms|KEEPTTL]": how a string write reaches replicas. */
static void
feed_set(struct client *c, int key_i, const char *val, size_t vlen, bool keepttl)
{
	struct hmap_entry *e = hmap_find(&dbs[c->db].keys, c->argv[key_i], c->argvlen[key_i]);
	const char *w[5];
	size_t l[5];
	char ms[32];
	int n = 0;

	w[n] = "SET"; l[n++] = 3;
	w[n] = c->argv[key_i]; l[n++] = c->argvlen[key_i];
	w[n] = val; l[n++] = vlen;
	if (keepttl) {
		w[n] = "KEEPTTL"; l[n++] = 7;
	} else if (e != NULL && e->aux >= 0) {
		w[n] = "PXAT"; l[n++] = 4;
		w[n] = ms; l[n++] = (size_t)snprintf(ms, sizeof ms, "%lld", (long long)e->aux);
	}
	feed_words(n, w, l);
}

/* The value now stored at key argument i (a string), or NULL. */
static const struct obj *
string_at(struct client *c, int i)
{
	struct hmap_entry *e = hmap_find(&dbs[c->db].keys, c->argv[i], c->argvlen[i]);

	return e != NULL && e->val != NULL && ((struct obj *)e->val)->type == OBJ_STRING ?
	    e->val : NULL;
}

/*
 * Write the command as replicas must run it: the same except where the
 * effect depends on when or where it runs (relative TTLs, GET variants,
 * floats).
 */
static void
feed_command(struct client *c, const struct kv_command *cmd)
{
	const char *name = cmd->name;

	if (!strcmp(name, "set") || !strcmp(name, "setex") || !strcmp(name, "psetex") ||
	    !strcmp(name, "getset")) {
		int vi = !strcmp(name, "set") || !strcmp(name, "getset") ? 2 : 3;
		const struct obj *o = string_at(c, 1);

		if (o == NULL) {
			/* Set with a time already past: the key is gone. */
			const char *w[2] = { "DEL", c->argv[1] };
			size_t l[2] = { 3, c->argvlen[1] };

			feed_words(2, w, l);
			return;
		}
		feed_set(c, 1, c->argv[vi], c->argvlen[vi], false);
	} else if (!strcmp(name, "incrbyfloat")) {
		const struct obj *o = string_at(c, 1);

		if (o != NULL)
			feed_set(c, 1, obj_str_ptr(o), o->len, true);
	} else if (!strcmp(name, "getdel")) {
		const char *w[2] = { "DEL", c->argv[1] };
		size_t l[2] = { 3, c->argvlen[1] };

		feed_words(2, w, l);
	} else if (!strcmp(name, "expire") || !strcmp(name, "pexpire") ||
	    !strcmp(name, "expireat") || !strcmp(name, "pexpireat")) {
		struct hmap_entry *e = hmap_find(&dbs[c->db].keys, c->argv[1], c->argvlen[1]);

		if (e == NULL) {
			const char *w[2] = { "DEL", c->argv[1] };
			size_t l[2] = { 3, c->argvlen[1] };

			feed_words(2, w, l);
		} else {
			char ms[32];
			const char *w[3] = { "PEXPIREAT", c->argv[1], ms };
			size_t l[3] = { 9, c->argvlen[1], 0 };

			l[2] = (size_t)snprintf(ms, sizeof ms, "%lld", (long long)e->aux);
			feed_words(3, w, l);
		}
	} else {
		feed_argv(c->argc, c->argv, c->argvlen);
	}
}

void
repl_after_call(struct client *c, const struct kv_command *cmd, long long dirty_before)
{
	bool publish = strcmp(cmd->name, "publish") == 0;

	if (c->flags & CLIENT_MASTER)
		return;		/* the master's stream is forwarded as it came */
	if (!stream_wanted() || server_is_replica())
		return;
	if (!publish && srv.dirty == dirty_before)
		return;
	if (!publish && !(cmd->flags & CMD_WRITE))
		return;
	/* FLUSHALL and SWAPDB touch every db: no SELECT needed, but the next write needs one. */
	if (!strcmp(cmd->name, "flushall") || !strcmp(cmd->name, "swapdb")) {
		open_exec();
		feed_argv(c->argc, c->argv, c->argvlen);
		r.last_db = -1;
		return;
	}
	if (!publish)
		select_db(c->db);
	open_exec();
	feed_command(c, cmd);
	if (!strcmp(cmd->name, "move"))
		r.last_db = -1;
}

/* --- master side: REPLCONF, PSYNC, WAIT ------------------------------------ */

static struct replica *
replica_of(struct client *c)
{
	struct replica *rp;

	for (rp = r.replicas; rp; rp = rp->next)
		if (rp->c == c)
			return rp;
	return NULL;
}

static void
check_waiters(void);

void
cmd_replconf(struct client *c)
{
	if ((c->argc - 1) % 2 != 0 || c->argc == 1) {
		reply_syntax_error(c);
		return;
	}
	for (int i = 1; i < c->argc; i += 2) {
		if (arg_eq(c, i, "ack")) {
			struct replica *rp = replica_of(c);
			long long off;

			/* ACKs get no reply, whoever sends them. */
			if (rp != NULL && util_parse_ll(c->argv[i + 1], c->argvlen[i + 1], &off)) {
				if (off > rp->ack_off)
					rp->ack_off = off;
				rp->ack_ms = loop_now_ms();
				check_waiters();
			}
			return;
		} else if (arg_eq(c, i, "getack")) {
			/* Only from our master: answered by repl_master_applied. */
			return;
		} else if (arg_eq(c, i, "listening-port")) {
			long long port;

			if (!arg_ll(c, i + 1, &port))
				return;
			c->lib_ver = c->lib_ver;	/* stored below once we are a replica */
			free(c->lib_name);
			c->lib_name = xasprintf("port=%lld", port);
		} else if (arg_eq(c, i, "ip-address")) {
			free(c->lib_ver);
			c->lib_ver = xasprintf("ip=%s", c->argv[i + 1]);
		} else if (arg_eq(c, i, "capa") || arg_eq(c, i, "rdb-only") ||
		    arg_eq(c, i, "rdb-filter-only")) {
			continue;
		} else {
			client_errf(c, "ERR Unrecognized REPLCONF option: %s", c->argv[i]);
			return;
		}
	}
	client_ok(c);
}

/* Make c one of our replicas, with what REPLCONF told us about it. */
static struct replica *
replica_add(struct client *c)
{
	struct replica *rp = xcalloc(1, sizeof *rp);
	char *colon;

	rp->c = c;
	snprintf(rp->ip, sizeof rp->ip, "%s", c->addr[0] == '[' ? c->addr + 1 : c->addr);
	colon = strrchr(rp->ip, c->addr[0] == '[' ? ']' : ':');
	if (colon)
		*colon = '\0';
	if (c->lib_ver && strncmp(c->lib_ver, "ip=", 3) == 0)
		snprintf(rp->ip, sizeof rp->ip, "%s", c->lib_ver + 3);
	if (c->lib_name && strncmp(c->lib_name, "port=", 5) == 0)
		rp->port = atoi(c->lib_name + 5);
	free(c->lib_name);
	free(c->lib_ver);
	c->lib_name = c->lib_ver = NULL;
	rp->ack_ms = loop_now_ms();
	rp->next = r.replicas;
	r.replicas = rp;
	r.nreplicas++;
	c->flags |= CLIENT_REPLICA;
	return rp;
}

/* Can a replica at (id, from) continue from our backlog? */
static bool
can_continue(const char *id, long long from)
{
	if (!r.backlog_active)
		return false;
	if (strcasecmp(id, r.replid) != 0 &&
	    (strcasecmp(id, r.replid2) != 0 || from > r.second_offset))
		return false;
	return backlog_has(&r.bl, from);
}

void
cmd_psync(struct client *c)
{
	bool old_sync = strcasecmp(c->argv[0], "sync") == 0;
	struct buf img = BUF_INIT;
	long long from = -1;

	if (c->flags & CLIENT_REPLICA)
		return;
	if (server_is_replica() && r.state != LINK_CONNECTED) {
		client_err(c, "NOMASTERLINK Can't SYNC while not connected with my master");
		return;
	}
	if (!old_sync && !util_parse_ll(c->argv[2], c->argvlen[2], &from) && strcmp(c->argv[2], "-1") != 0)
		from = -1;
	if (!old_sync && strcmp(c->argv[1], "?") != 0 && can_continue(c->argv[1], from)) {
		struct buf tail = BUF_INIT;

		backlog_copy_from(&r.bl, from, &tail);
		if (strcasecmp(c->argv[1], r.replid) != 0)
			buf_appendf(&c->reply, "+CONTINUE %s\r\n", r.replid);
		else
			buf_appendf(&c->reply, "+CONTINUE\r\n");
		buf_append(&c->reply, tail.data ? tail.data : "", tail.len);
		buf_free(&tail);
		replica_add(c)->ack_off = from - 1;
		srv.stat_sync_partial_ok++;
		log_notice("Partial resynchronization request from %s accepted. Sending %lld "
		    "bytes of backlog starting from offset %lld.", c->addr, r.offset - from + 1, from);
		client_reply_added(c);
		return;
	}
	if (!old_sync && strcmp(c->argv[1], "?") != 0)
		srv.stat_sync_partial_err++;
	/* Full resync: an image of exactly this offset, then the stream after it. */
	backlog_create();
	log_notice("Replica %s asks for synchronization; full resync at offset %lld",
	    c->addr, r.offset);
	persist_image(&img);
	if (!old_sync)
		buf_appendf(&c->reply, "+FULLRESYNC %s %lld\r\n", r.replid, r.offset);
	buf_appendf(&c->reply, "$%zu\r\n", img.len);
	buf_append(&c->reply, img.data, img.len);
	buf_free(&img);
	c->flags |= CLIENT_OBUF_EXEMPT;
	replica_add(c)->ack_off = r.offset;
	/* The replica starts in db 0: the next write must say which db. */
	r.last_db = -1;
	srv.stat_sync_full++;
	client_reply_added(c);
	log_notice("Synchronization with replica %s succeeded", c->addr);
}

/* Replicas that have acknowledged at least offset. */
static long long
replicas_at(long long offset)
{
	long long n = 0;

	for (struct replica *rp = r.replicas; rp; rp = rp->next)
		if (rp->ack_off >= offset)
			n++;
	return n;
}

static void
check_waiters(void)
{
	struct waiter **wp = &r.waiters;
	int64_t now = loop_now_ms();

	while (*wp != NULL) {
		struct waiter *w = *wp;
		struct client *c = client_by_id(w->client_id);
		long long n = replicas_at(w->offset);

		if (c == NULL || n >= w->numreplicas || (w->deadline && now >= w->deadline)) {
			if (c != NULL) {
				client_int(c, n);
				client_unblock(c);
			}
			*wp = w->next;
			free(w);
			continue;
		}
		wp = &w->next;
	}
}

void
cmd_wait(struct client *c)
{
	long long num, timeout;
	struct waiter *w;

	if (server_is_replica()) {
		client_err(c, "ERR WAIT cannot be used with replica instances. Please also note that "
		    "since Redis 4.0 if a replica is configured to be writable (which is not the "
		    "default) writes to replicas are just local and are not propagated.");
		return;
	}
	if (!arg_ll(c, 1, &num))
		return;
	if (!util_parse_ll(c->argv[2], c->argvlen[2], &timeout)) {
		client_err(c, "ERR timeout is not an integer or out of range");
		return;
	}
	if (timeout < 0) {
		client_err(c, "ERR timeout is negative");
		return;
	}
	if (replicas_at(r.offset) >= num || (c->flags & CLIENT_MULTI)) {
		client_int(c, replicas_at(r.offset));
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->client_id = c->id;
	w->offset = r.offset;
	w->numreplicas = num;
	w->deadline = timeout > 0 ? loop_now_ms() + timeout : 0;
	w->next = r.waiters;
	r.waiters = w;
	c->flags |= CLIENT_BLOCKED;
	r.getack_due = true;
}

/* --- replica side: the link to our master ----------------------------------- */

static void
link_close_fd(void)
{
	if (r.ev != NULL) {
		event_free(r.ev);
		r.ev = NULL;
	}
	if (r.fd >= 0 && r.master == NULL)
		close(r.fd);
	r.fd = -1;
	buf_clear(&r.in);
}

/* Lose the link; we try again from the cron. */
static void
link_drop(const char *why)
{
	if (why != NULL)
		log_warning("Connection with master lost: %s", why);
	if (r.master != NULL) {
		struct client *m = r.master;

		r.master_db = m->db;
		r.master = NULL;
		m->flags &= ~CLIENT_MASTER;
		client_close(m, NULL);
		r.fd = -1;
	}
	link_close_fd();
	/* As Redis: "down since" counts from losing a link that was up; -1 before. */
	if (r.state == LINK_CONNECTED)
		r.down_since = util_wall_ms() / 1000;
	if (r.state != LINK_NONE)
		r.state = LINK_CONNECT;
}

static void
link_send(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(r.fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* The handshake is small: a full socket buffer here is a broken link. */
			link_drop(strerror(errno));
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
link_cmd(int argc, const char **argv)
{
	struct buf b = BUF_INIT;
	size_t lens[8];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	resp_command(&b, argc, (char **)argv, lens);
	link_send(b.data, b.len);
	buf_free(&b);
	r.pending_replies++;
}

/*
 * PSYNC goes out alone, once every earlier reply is in: Redis refuses a
 * PSYNC while replies to the same client are still waiting to be written
 * ("SYNC and PSYNC are invalid with pending output").
 */
static void
send_psync(void)
{
	char from[32];
	const char *psync[3] = { "PSYNC", "?", "-1" };

	/* Offer our own history: the master may know it (PSYNC2). */
	if (r.offset > 0 || strcmp(r.replid2, "0000000000000000000000000000000000000000") != 0) {
		psync[1] = r.replid;
		snprintf(from, sizeof from, "%lld", r.offset + 1);
		psync[2] = from;
	}
	link_cmd(3, psync);
	r.psync_sent = true;
	log_notice("Trying a partial resynchronization (request %s:%s).", psync[1], psync[2]);
}

/* Everything before PSYNC goes out at once; the replies are read in order. */
static void
send_handshake(void)
{
	char port[16];

	r.psync_sent = false;
	link_cmd(1, (const char *[]){ "PING" });
	if (srv.masterauth) {
		if (srv.masteruser)
			link_cmd(3, (const char *[]){ "AUTH", srv.masteruser, srv.masterauth });
		else
			link_cmd(2, (const char *[]){ "AUTH", srv.masterauth });
	}
	snprintf(port, sizeof port, "%lld", srv.replica_announce_port ?
	    srv.replica_announce_port : (long long)srv.port);
	link_cmd(3, (const char *[]){ "REPLCONF", "listening-port", port });
	if (srv.replica_announce_ip)
		link_cmd(3, (const char *[]){ "REPLCONF", "ip-address", srv.replica_announce_ip });
	link_cmd(3, (const char *[]){ "REPLCONF", "capa", "psync2" });
}

/* The check pass refuses what the load would refuse: a database we do not have. */
static int
check_select_db(void *ctx, int db)
{
	UNUSED(ctx);
	return db >= 0 && db < DB_COUNT ? 0 : -1;
}

/* Check the whole payload, then swap it in: a bad one changes nothing. */
static int
load_payload(const char *p, size_t n)
{
	static const struct rdb_callbacks check = { .select_db = check_select_db };
	struct rdb_reader rd;
	int rc;

	if (rdb_reader_init(&rd, p, n) < 0) {
		log_warning("Failed trying to load the MASTER synchronization DB: %s", rd.error);
		rdb_reader_free(&rd);
		return -1;
	}
	while ((rc = rdb_reader_next(&rd, &check)) == 1)
		;
	if (rc < 0) {
		log_warning("Failed trying to load the MASTER synchronization DB: %s", rd.error);
		rdb_reader_free(&rd);
		return -1;
	}
	rdb_reader_free(&rd);
	db_flush_all();
	if (persist_load_image(p, n) < 0) {
		log_warning("Failed loading the MASTER synchronization DB after checking it");
		db_flush_all();
		return -1;
	}
	return 0;
}

/* The master link becomes a client that runs the stream. */
static void
become_streaming(void)
{
	struct client *m;

	event_free(r.ev);
	r.ev = NULL;
	m = client_create(r.fd, CLIENT_MASTER);
	m->authenticated = true;
	m->user = acl_default_user();
	m->db = r.master_db;
	r.master = m;
	r.state = LINK_CONNECTED;
	r.last_io = loop_now_ms();
	r.down_since = 0;
	r.read_reploff = r.offset;
	if (r.in.len > 0) {
		struct buf rest = r.in;

		buf_init(&r.in);
		client_feed(m, rest.data, rest.len);
		buf_free(&rest);
	}
	log_notice("MASTER <-> REPLICA sync: Finished with success");
}

/* One line of the handshake, without CRLF; -1 when the link dropped. */
static int
handshake_line(const char *line)
{
	if (!r.psync_sent) {
		/* PING, AUTH, REPLCONF: errors are fatal only for AUTH. */
		r.pending_replies--;
		if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) != 0 &&
		    strncmp(line, "-NOPERM", 7) != 0 && strstr(line, "REPLCONF") == NULL &&
		    strncmp(line, "-ERR Unrecognized REPLCONF", 26) != 0) {
			log_warning("Error reply to the handshake from master: '%s'", line);
			link_drop(NULL);
			return -1;
		}
		if (r.pending_replies == 0)
			send_psync();
		return 0;
	}
	r.pending_replies = 0;
	if (strncmp(line, "+FULLRESYNC ", 12) == 0) {
		char id[41];
		long long off;

		if (sscanf(line + 12, "%40s %lld", id, &off) != 2 || strlen(id) != 40) {
			log_warning("Master replied with wrong +FULLRESYNC syntax.");
			link_drop(NULL);
			return -1;
		}
		memcpy(r.replid, id, sizeof id);
		r.offset = off;
		memset(r.replid2, '0', 40);
		r.second_offset = -1;
		log_notice("Full resync from master: %s:%lld", id, off);
		r.state = LINK_TRANSFER;
		r.transfer_size = -2;	/* the $ line comes next */
		return 0;
	}
	if (strncmp(line, "+CONTINUE", 9) == 0) {
		const char *id = line + 9;

		while (*id == ' ')
			id++;
		if (strlen(id) == 40 && strcmp(id, r.replid) != 0) {
			/* The master moved to a new history: ours is its past. */
			memcpy(r.replid2, r.replid, sizeof r.replid);
			r.second_offset = r.offset + 1;
			memcpy(r.replid, id, 40);
			r.replid[40] = '\0';
		}
		backlog_create();
		log_notice("Successful partial resynchronization with master.");
		become_streaming();
		return -1;	/* the rest of the input belongs to the stream */
	}
	log_warning("Unexpected reply to PSYNC from master: %s", line);
	link_drop(NULL);
	return -1;
}

/* Read what the master sent during handshake and transfer. */
static void
link_read(void)
{
	char tmp[64 * 1024];
	ssize_t n = read(r.fd, tmp, sizeof tmp);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		link_drop(n == 0 ? "connection closed by master" : strerror(errno));
		return;
	}
	if (n < 0)
		return;
	r.last_io = loop_now_ms();
	buf_append(&r.in, tmp, (size_t)n);
	while (r.state == LINK_HANDSHAKE || (r.state == LINK_TRANSFER && r.transfer_size == -2)) {
		char *nl = memchr(r.in.data, '\n', r.in.len);
		size_t len;

		if (nl == NULL) {
			if (r.in.len > HANDSHAKE_MAX_LINE)
				link_drop("too long a line from master");
			return;
		}
		len = (size_t)(nl - r.in.data);
		if (len > 0 && r.in.data[len - 1] == '\r')
			r.in.data[len - 1] = '\0';
		else
			*nl = '\0';
		if (r.state == LINK_HANDSHAKE) {
			char *line = xstrdup(r.in.data);
			int rc;

			buf_consume(&r.in, len + 1);
			if (line[0] == '\0') {
				free(line);
				continue;	/* a keepalive newline */
			}
			rc = handshake_line(line);
			free(line);
			if (rc < 0)
				return;
			continue;
		}
		/* "$<len>" or "$EOF:<40 bytes>" before the payload; bare newlines keep the link alive. */
		if (r.in.data[0] == '\0') {
			buf_consume(&r.in, len + 1);
			continue;
		}
		if (r.in.data[0] != '$') {
			log_warning("Bad protocol from MASTER, the first byte is not '$': %.64s", r.in.data);
			link_drop(NULL);
			return;
		}
		if (strncmp(r.in.data, "$EOF:", 5) == 0 && strlen(r.in.data) == 45) {
			memcpy(r.eofmark, r.in.data + 5, 40);
			r.eofmark[40] = '\0';
			r.transfer_size = -1;
		} else {
			long long sz;

			if (!util_parse_ll(r.in.data + 1, strlen(r.in.data + 1), &sz) || sz < 0) {
				log_warning("Bad payload length from MASTER: %.64s", r.in.data);
				link_drop(NULL);
				return;
			}
			r.transfer_size = sz;
		}
		buf_consume(&r.in, len + 1);
		log_notice("MASTER <-> REPLICA sync: receiving %lld bytes from master", r.transfer_size);
	}
	if (r.state != LINK_TRANSFER)
		return;
	if (r.transfer_size >= 0 && (long long)r.in.len >= r.transfer_size) {
		size_t sz = (size_t)r.transfer_size;
		struct buf rest = BUF_INIT;

		buf_append(&rest, r.in.data + sz, r.in.len - sz);
		if (load_payload(r.in.data, sz) < 0) {
			buf_free(&rest);
			link_drop("bad payload");
			return;
		}
		buf_free(&r.in);
		r.in = rest;
		backlog_create();
		backlog_reset(&r.bl, r.offset);
		r.master_db = 0;
		become_streaming();
	} else if (r.transfer_size == -1 && r.in.len >= 40 &&
	    memcmp(r.in.data + r.in.len - 40, r.eofmark, 40) == 0) {
		if (load_payload(r.in.data, r.in.len - 40) < 0) {
			link_drop("bad payload");
			return;
		}
		buf_clear(&r.in);
		backlog_create();
		backlog_reset(&r.bl, r.offset);
		r.master_db = 0;
		become_streaming();
	}
}

static void
link_event(evutil_socket_t fd, short what, void *arg)
{
	UNUSED(fd);
	UNUSED(arg);
	loop_update_time();
	if (r.state == LINK_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;

		if (what & EV_TIMEOUT) {
			link_drop("timeout connecting to the master");
			return;
		}
		if (getsockopt(r.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
			log_warning("Error condition on socket for SYNC: %s", strerror(err ? err : errno));
			link_drop(NULL);
			return;
		}
		log_notice("Master replied to PING, replication can continue...");
		r.state = LINK_HANDSHAKE;
		event_free(r.ev);
		r.ev = event_new(loop_base(), r.fd, EV_READ | EV_PERSIST, link_event, NULL);
		event_add(r.ev, NULL);
		send_handshake();
		return;
	}
	link_read();
}

static void
link_connect(void)
{
	struct timeval tv;

	if (!sock_is_numeric(srv.masterhost)) {
		log_warning("Unable to connect to MASTER: %s is not a numeric address", srv.masterhost);
		return;
	}
	r.fd = sock_connect(srv.masterhost, srv.masterport, srv.bind_source_addr);
	if (r.fd < 0) {
		log_warning("Unable to connect to MASTER: %s", strerror(errno));
		return;
	}
	log_notice("Connecting to MASTER %s:%d", srv.masterhost, srv.masterport);
	r.state = LINK_CONNECTING;
	r.connect_start = loop_now_ms();
	/* repl-timeout counts from here, not from the last link's last byte. */
	r.last_io = r.connect_start;
	r.pending_replies = 0;
	buf_clear(&r.in);
	tv.tv_sec = (time_t)srv.repl_timeout;
	tv.tv_usec = 0;
	r.ev = event_new(loop_base(), r.fd, EV_WRITE, link_event, NULL);
	event_add(r.ev, &tv);
}

/* The master link ran a command: keep offsets and pass the stream on. */
void
repl_master_applied(struct client *c)
{
	struct buf b = BUF_INIT;
	struct replica *rp;

	r.last_io = loop_now_ms();
	resp_command(&b, c->argc, c->argv, c->argvlen);
	/* The offset counts the bytes the master sent; forward the same command. */
	if (r.backlog_active)
		backlog_append(&r.bl, b.data, b.len);
	r.offset += (long long)c->cmd_bytes;
	for (rp = r.replicas; rp; rp = rp->next) {
		buf_append(&rp->c->reply, b.data, b.len);
		client_reply_added(rp->c);
	}
	buf_free(&b);
	if (c->argc >= 2 && strcasecmp(c->argv[0], "replconf") == 0 &&
	    strcasecmp(c->argv[1], "getack") == 0) {
		char off[32];
		const char *w[3] = { "REPLCONF", "ACK", off };
		size_t l[3] = { 8, 3, 0 };

		l[2] = (size_t)snprintf(off, sizeof off, "%lld", r.offset);
		resp_command(&c->reply, 3, (char **)w, l);
		r.last_ack = loop_now_ms();
	}
}

static void
send_ack(void)
{
	char off[32];
	const char *w[3] = { "REPLCONF", "ACK", off };
	size_t l[3] = { 8, 3, 0 };

	if (r.master == NULL)
		return;
	l[2] = (size_t)snprintf(off, sizeof off, "%lld", r.offset);
	resp_command(&r.master->reply, 3, (char **)w, l);
	client_reply_added(r.master);
	r.last_ack = loop_now_ms();
}

void
repl_start(void)
{
	if (srv.masterhost == NULL)
		return;
	db_set_replica(true);
	log_set_role('S');
	r.state = LINK_CONNECT;
	link_connect();
}

/*
 * Close every replica link (our replication id or master changed). The
 * list is emptied here: a client being closed leaves it only when freed.
 */
static void
drop_replicas(const char *why)
{
	struct replica *rp = r.replicas, *next;

	r.replicas = NULL;
	r.nreplicas = 0;
	for (; rp != NULL; rp = next) {
		next = rp->next;
		client_close(rp->c, why);
		free(rp);
	}
}

/* REPLICAOF host port / NO ONE. */
void
cmd_replicaof(struct client *c)
{
	long long port;

	if (arg_eq(c, 1, "no") && arg_eq(c, 2, "one")) {
		if (srv.masterhost != NULL) {
			link_drop(NULL);
			r.state = LINK_NONE;
			free(srv.masterhost);
			srv.masterhost = NULL;
			srv.masterport = 0;
			db_set_replica(false);
			log_set_role('M');
			shift_replid();
			r.last_db = -1;
			r.down_since = 0;
			kconf_mark_changed("replicaof");
			/* Our replicas must learn the new id: they come back and continue. */
			drop_replicas("replication id changed");
			log_notice("MASTER MODE enabled (user request from 'id=%llu addr=%s')",
			    (unsigned long long)c->id, c->addr);
		}
		client_ok(c);
		return;
	}
	if (!util_parse_ll(c->argv[2], c->argvlen[2], &port) || port < 0 || port > 65535) {
		client_err(c, "ERR Invalid master port");
		return;
	}
	if (srv.masterhost && strcasecmp(srv.masterhost, c->argv[1]) == 0 &&
	    srv.masterport == (int)port) {
		resp_simple(&c->reply, "OK Already connected to specified master");
		return;
	}
	link_drop(NULL);
	free(srv.masterhost);
	srv.masterhost = xstrdup(c->argv[1]);
	srv.masterport = (int)port;
	kconf_mark_changed("replicaof");
	drop_replicas("our master changed");
	r.down_since = 0;
	log_notice("REPLICAOF %s:%d enabled (user request from 'id=%llu addr=%s')",
	    srv.masterhost, srv.masterport, (unsigned long long)c->id, c->addr);
	repl_start();
	client_ok(c);
}

void
repl_client_gone(struct client *c)
{
	struct replica **rp;

	if (c == r.master) {
		r.master = NULL;
		r.master_db = c->db;
		r.fd = -1;
		if (r.state == LINK_CONNECTED) {
			log_warning("Connection with master lost.");
			r.down_since = util_wall_ms() / 1000;
			r.state = LINK_CONNECT;
		}
		return;
	}
	for (rp = &r.replicas; *rp; rp = &(*rp)->next) {
		if ((*rp)->c == c) {
			struct replica *x = *rp;

			*rp = x->next;
			free(x);
			r.nreplicas--;
			log_notice("Connection with replica %s lost.", c->addr);
			return;
		}
	}
}

void
repl_cron(void)
{
	int64_t now = loop_now_ms();

	/* Replica side. */
	if (srv.masterhost != NULL) {
		if (r.state == LINK_CONNECT && r.fd < 0 && r.master == NULL)
			link_connect();
		else if ((r.state == LINK_HANDSHAKE || r.state == LINK_TRANSFER ||
		    r.state == LINK_CONNECTED) && now - r.last_io > srv.repl_timeout * 1000)
			link_drop("timeout: no data nor PING from master");
		if (r.state == LINK_CONNECTED && now - r.last_ack >= 1000)
			send_ack();
	}
	/*
	 * Master side: keep idle links alive, ask for ACKs for WAIT. The
	 * period counts from the first replica, not from start-up: a PING at
	 * once would put replicas that synced a moment apart at different
	 * offsets.
	 */
	if (r.replicas == NULL || server_is_replica()) {
		r.last_ping = now;
	} else if (now - r.last_ping >= srv.repl_ping_period * 1000) {
		const char *w[1] = { "PING" };
		size_t l[1] = { 4 };

		feed_words(1, w, l);
		r.last_ping = now;
	}
	if (r.getack_due && r.replicas != NULL && !server_is_replica()) {
		const char *w[3] = { "REPLCONF", "GETACK", "*" };
		size_t l[3] = { 8, 6, 1 };

		feed_words(3, w, l);
		r.getack_due = false;
	}
	for (struct replica *rp = r.replicas; rp; rp = rp->next)
		if (now - rp->ack_ms > srv.repl_timeout * 1000 && !(rp->c->flags & CLIENT_OBUF_EXEMPT))
			client_close(rp->c, "replica timed out");
	check_waiters();
}

bool
repl_link_up(void)
{
	return r.state == LINK_CONNECTED;
}

/* Replicas whose last ACK is at most max_lag seconds old (min-replicas-to-write). */
int
repl_good_replicas(long long max_lag)
{
	int64_t now = loop_now_ms();
	int n = 0;

	for (struct replica *rp = r.replicas; rp; rp = rp->next)
		if ((now - rp->ack_ms) / 1000 <= max_lag)
			n++;
	return n;
}

/* --- INFO and ROLE ------------------------------------------------------------ */

static const char *
link_state_name(void)
{
	switch (r.state) {
	case LINK_CONNECT: return "connect";
	case LINK_CONNECTING: return "connecting";
	case LINK_HANDSHAKE: return "handshake";
	case LINK_TRANSFER: return "sync";
	case LINK_CONNECTED: return "connected";
	default: return "none";
	}
}

void
repl_info(struct buf *b)
{
	int64_t now = loop_now_ms();
	int i = 0;

	buf_appends(b, "# Replication\r\n");
	if (srv.masterhost != NULL) {
		buf_appendf(b, "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\n"
		    "master_link_status:%s\r\nmaster_last_io_seconds_ago:%lld\r\n"
		    "master_sync_in_progress:%d\r\nslave_read_repl_offset:%lld\r\n"
		    "slave_repl_offset:%lld\r\n",
		    srv.masterhost, srv.masterport, r.state == LINK_CONNECTED ? "up" : "down",
		    r.state == LINK_CONNECTED ? (long long)((now - r.last_io) / 1000) : -1LL,
		    r.state == LINK_TRANSFER ? 1 : 0, r.offset, r.offset);
		if (r.state != LINK_CONNECTED)
			buf_appendf(b, "master_link_down_since_seconds:%lld\r\n",
			    r.down_since ? util_wall_ms() / 1000 - r.down_since : -1LL);
		buf_appendf(b, "slave_priority:%lld\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n",
		    srv.replica_priority, srv.replica_read_only ? 1 : 0, srv.replica_announced ? 1 : 0);
	} else {
		buf_appends(b, "role:master\r\n");
	}
	buf_appendf(b, "connected_slaves:%d\r\n", r.nreplicas);
	for (struct replica *rp = r.replicas; rp; rp = rp->next, i++)
		buf_appendf(b, "slave%d:ip=%s,port=%d,state=online,offset=%lld,lag=%lld\r\n",
		    i, rp->ip, rp->port, rp->ack_off, (long long)((now - rp->ack_ms) / 1000));
	buf_appendf(b, "master_failover_state:no-failover\r\nmaster_replid:%s\r\n"
	    "master_replid2:%s\r\nmaster_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\n"
	    "repl_backlog_active:%d\r\nrepl_backlog_size:%lld\r\n"
	    "repl_backlog_first_byte_offset:%lld\r\nrepl_backlog_histlen:%zu\r\n",
	    r.replid, r.replid2, r.offset, r.second_offset, r.backlog_active ? 1 : 0,
	    srv.repl_backlog_size, r.backlog_active ? backlog_first(&r.bl) : 0LL,
	    r.backlog_active ? r.bl.histlen : (size_t)0);
}

void
repl_role(struct client *c)
{
	if (srv.masterhost != NULL) {
		client_array(c, 5);
		client_bulk_str(c, "slave");
		client_bulk_str(c, srv.masterhost);
		client_int(c, srv.masterport);
		client_bulk_str(c, link_state_name());
		client_int(c, r.state == LINK_CONNECTED ? r.offset : -1);
		return;
	}
	client_array(c, 3);
	client_bulk_str(c, "master");
	client_int(c, r.offset);
	client_array(c, r.nreplicas);
	for (struct replica *rp = r.replicas; rp; rp = rp->next) {
		char port[16], off[32];

		snprintf(port, sizeof port, "%d", rp->port);
		snprintf(off, sizeof off, "%lld", rp->ack_off);
		client_array(c, 3);
		client_bulk_str(c, rp->ip);
		client_bulk_str(c, port);
		client_bulk_str(c, off);
	}
}
