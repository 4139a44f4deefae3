/*
 * client.c - client connections: input, limits, replies, closing.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "acl.h"
#include "client.h"
#include "log.h"
#include "loop.h"
#include "pubsub.h"
#include "sock.h"
#include "util.h"

#define READ_CHUNK		(16 * 1024)
/* Stop parsing a client's requests while this much of its output is unread. */
#define OUTPUT_BACKPRESSURE	(4 * 1024 * 1024)

static struct client_ops	ops;
static struct client_limits	limits;
static struct client_list	clients = TAILQ_HEAD_INITIALIZER(clients);
static struct client_list	pending = TAILQ_HEAD_INITIALIZER(pending);
static size_t			nclients;
static uint64_t			next_id = 1;

static void	client_read_cb(evutil_socket_t, short, void *);
static void	client_write_cb(evutil_socket_t, short, void *);
static void	client_free(void *);
static void	client_process(struct client *);

void
client_module_init(const struct client_ops *o, const struct client_limits *lim)
{
	ops = *o;
	limits = *lim;
	loop_before_sleep(client_flush_all, NULL);
}

void
client_module_shutdown(void)
{
	struct client *c;

	/* client_close only defers the free: the list stays walkable. */
	TAILQ_FOREACH(c, &clients, entry) {
		client_close(c, NULL);
	}
}

struct client_limits *
client_limits(void)
{
	return &limits;
}

struct client_list *
client_all(void)
{
	return &clients;
}

size_t
client_count(void)
{
	return nclients;
}

uint64_t
client_next_id(void)
{
	return next_id++;
}

struct client *
client_create(int fd, uint32_t flags)
{
	struct client *c = xcalloc(1, sizeof *c);

	c->id = next_id++;
	c->fd = fd;
	c->flags = flags;
	c->proto = 2;
	c->multi_len = -1;
	c->user = acl_default_user();
	c->authenticated = !acl_auth_required();
	c->ctime_ms = c->last_ms = loop_now_ms();
	buf_init(&c->query);
	buf_init(&c->reply);
	resp_parser_init(&c->parser);
	if (fd >= 0) {
		sock_peer_addr(fd, c->addr, sizeof c->addr);
		sock_local_addr(fd, c->laddr, sizeof c->laddr);
		sock_set_nodelay(fd);
		c->ev_read = event_new(loop_base(), fd, EV_READ | EV_PERSIST, client_read_cb, c);
		c->ev_write = event_new(loop_base(), fd, EV_WRITE | EV_PERSIST, client_write_cb, c);
		event_add(c->ev_read, NULL);
	}
	TAILQ_INSERT_TAIL(&clients, c, entry);
	nclients++;
	return c;
}

void
client_accept(int fd, void *arg)
{
	UNUSED(arg);
	if (limits.maxclients > 0 && nclients >= (size_t)limits.maxclients) {
		static const char msg[] = "-ERR max number of clients reached\r\n";

		/* Best effort: the socket is fresh, the line fits its buffer. */
		if (write(fd, msg, sizeof msg - 1) < 0)
			log_debug("cannot tell a refused client why: %s", strerror(errno));
		close(fd);
		return;
	}
	client_create(fd, 0);
}

struct client *
client_by_id(uint64_t id)
{
	struct client *c;

	TAILQ_FOREACH(c, &clients, entry) {
		if (c->id == id && !(c->flags & CLIENT_CLOSE_ASAP))
			return c;
	}
	return NULL;
}

void
client_close(struct client *c, const char *why)
{
	if (c->flags & CLIENT_CLOSE_ASAP)
		return;
	if (why != NULL)
		log_verbose("Closing client %s (id=%llu): %s", c->addr,
		    (unsigned long long)c->id, why);
	c->flags |= CLIENT_CLOSE_ASAP;
	if (c->ev_read)
		event_del(c->ev_read);
	if (c->ev_write)
		event_del(c->ev_write);
	if (c->flags & CLIENT_PENDING_WRITE) {
		TAILQ_REMOVE(&pending, c, pending);
		c->flags &= ~CLIENT_PENDING_WRITE;
	}
	loop_defer(client_free, c);
}

void
client_close_after_reply(struct client *c)
{
	c->flags |= CLIENT_CLOSE_AFTER_REPLY;
	client_reply_added(c);
}

static void
client_free(void *arg)
{
	struct client *c = arg;

	if (ops.on_free)
		ops.on_free(c);
	pubsub_client_gone(c);
	TAILQ_REMOVE(&clients, c, entry);
	nclients--;
	if (c->ev_read)
		event_free(c->ev_read);
	if (c->ev_write)
		event_free(c->ev_write);
	if (c->fd >= 0)
		close(c->fd);
	resp_parser_free(&c->parser);
	buf_free(&c->query);
	buf_free(&c->reply);
	free(c->name);
	free(c->lib_name);
	free(c->lib_ver);
	free(c);
}

enum client_class
client_class(const struct client *c)
{
	if (c->flags & CLIENT_REPLICA)
		return CLIENT_CLASS_REPLICA;
	if (c->channels != NULL || c->patterns != NULL)
		return CLIENT_CLASS_PUBSUB;
	return CLIENT_CLASS_NORMAL;
}

size_t
client_pending_bytes(const struct client *c)
{
	return c->reply.len - c->sentpos;
}

/* Enforce the output buffer limits of c's class; true if c was closed. */
static bool
client_check_obuf(struct client *c)
{
	const struct client_obuf_limit *l = &limits.obuf[client_class(c)];
	long long used = (long long)client_pending_bytes(c);
	bool over = false;

	if (l->hard > 0 && used >= l->hard)
		over = true;
	if (l->soft > 0 && used >= l->soft) {
		if (c->obuf_soft_since == 0)
			c->obuf_soft_since = loop_now_ms();
		else if (loop_now_ms() - c->obuf_soft_since >= l->soft_seconds * 1000)
			over = true;
	} else {
		c->obuf_soft_since = 0;
	}
	if (over) {
		log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for "
		    "overcoming of output buffer limits.", (unsigned long long)c->id, c->addr);
		client_close(c, NULL);
		return true;
	}
	return false;
}

void
client_reply_added(struct client *c)
{
	if (c->flags & CLIENT_CLOSE_ASAP)
		return;
	if (!(c->flags & CLIENT_OBUF_EXEMPT) && client_check_obuf(c))
		return;
	if (!(c->flags & CLIENT_PENDING_WRITE) && (client_pending_bytes(c) > 0 ||
	    (c->flags & CLIENT_CLOSE_AFTER_REPLY))) {
		c->flags |= CLIENT_PENDING_WRITE;
		TAILQ_INSERT_TAIL(&pending, c, pending);
	}
}

static void
unblocked(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg;
	struct client *c = client_by_id(id);

	if (c != NULL && !(c->flags & CLIENT_BLOCKED)) {
		client_process(c);
		client_reply_added(c);
	}
}

void
client_unblock(struct client *c)
{
	c->flags &= ~CLIENT_BLOCKED;
	client_reply_added(c);
	/* Requests that arrived while it waited run after this pass. */
	if (c->qpos < c->query.len || c->query.len > 0 || (c->flags & CLIENT_HELD))
		loop_defer(unblocked, (void *)(uintptr_t)c->id);
}

void
client_pause_reading(struct client *c, bool paused)
{
	if (c->ev_read == NULL || (c->flags & CLIENT_CLOSE_ASAP))
		return;
	if (paused)
		event_del(c->ev_read);
	else
		event_add(c->ev_read, NULL);
}

/* Run the requests in the query buffer until one is incomplete. */
static void
client_process(struct client *c)
{
	struct resp_limits rl;

	rl.max_bulk = limits.max_bulk;
	rl.max_multibulk = limits.max_multibulk;
	if ((c->flags & CLIENT_HELD) && !(c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP))) {
		/* A request that waited (CLIENT PAUSE) runs first, as it came. */
		goto run_held;
	}
	while (c->qpos < c->query.len &&
	    !(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY | CLIENT_BLOCKED))) {
		enum resp_status st;
		size_t used = 0;

		if (client_pending_bytes(c) > OUTPUT_BACKPRESSURE && !(c->flags & CLIENT_MASTER)) {
			/* Wait for the peer to read: resume from the write callback. */
			c->flags |= CLIENT_INPUT_PAUSED;
			client_pause_reading(c, true);
			break;
		}
		rl.authenticated = c->authenticated || (c->flags & CLIENT_MASTER);
		st = resp_parse(&c->parser, c->query.data + c->qpos,
		    c->query.len - c->qpos, &used, &rl);
		c->qpos += used;
		c->partial_bytes += used;
		if (st == RESP_MORE)
			break;
		if (st == RESP_ERR) {
			log_verbose("Protocol error (%s) from client: id=%llu addr=%s",
			    c->parser.error, (unsigned long long)c->id, c->addr);
			if (!(c->flags & CLIENT_MASTER))
				resp_error(&c->reply, c->parser.error);
			c->flags |= CLIENT_CLOSE_AFTER_REPLY;
			client_reply_added(c);
			break;
		}
		if (c->parser.argc == 0) {
			/* An empty request: its bytes count with the next command's. */
			resp_parser_reset(&c->parser);
			continue;
		}
		c->cmd_bytes = c->partial_bytes;
		c->partial_bytes = 0;
	run_held:
		c->argc = c->parser.argc;
		c->argv = c->parser.argv;
		c->argvlen = c->parser.argvlen;
		c->last_ms = loop_now_ms();
		if (ops.may_run != NULL && !(c->flags & CLIENT_HELD) && !ops.may_run(c)) {
			/* Keep the parsed request; client_unblock() runs it. */
			c->flags |= CLIENT_BLOCKED | CLIENT_HELD;
			c->argc = 0;
			c->argv = NULL;
			c->argvlen = NULL;
			break;
		}
		c->flags &= ~CLIENT_HELD;
		c->flags |= CLIENT_IN_DISPATCH;
		ops.dispatch(c);
		c->flags &= ~CLIENT_IN_DISPATCH;
		c->argc = 0;
		c->argv = NULL;
		c->argvlen = NULL;
		resp_parser_reset(&c->parser);
		client_reply_added(c);
	}
	if (c->qpos > 0) {
		buf_consume(&c->query, c->qpos);
		c->qpos = 0;
	}
	if (c->query.len == 0)
		buf_shrink(&c->query, 64 * 1024);
}

void
client_feed(struct client *c, const char *p, size_t n)
{
	buf_append(&c->query, p, n);
	client_process(c);
}

/*
 * Bytes of requests not run yet: the unparsed input, plus what the parser
 * holds of a request still arriving (its finished arguments and a bulk in
 * progress). This is what the query buffer limit bounds.
 */
size_t
client_query_bytes(const struct client *c)
{
	size_t n = c->query.len - c->qpos + c->parser.bulk_have;

	if (c->parser.kind == '*')
		for (int i = 0; i < c->parser.argc; i++)
			n += c->parser.argvlen[i];
	return n;
}

static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	size_t want = READ_CHUNK;
	ssize_t n;

	UNUSED(what);
	loop_update_time();
	/* A big bulk argument in progress: read it in larger pieces. */
	if (c->parser.bulk_len > READ_CHUNK)
		want = (size_t)c->parser.bulk_len + 2 > 1024 * 1024 ?
		    1024 * 1024 : (size_t)c->parser.bulk_len + 2;
	buf_reserve(&c->query, want);
	n = read(fd, c->query.data + c->query.len, want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		client_close(c, strerror(errno));
		return;
	}
	if (n == 0) {
		client_close(c, "Client closed connection");
		return;
	}
	c->query.len += (size_t)n;
	c->query.data[c->query.len] = '\0';
	client_process(c);
	if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_MASTER)) && limits.qbuf_max > 0 &&
	    (long long)client_query_bytes(c) > limits.qbuf_max) {
		log_warning("Closing client that reached max query buffer length: "
		    "id=%llu addr=%s qbuf=%zu", (unsigned long long)c->id, c->addr,
		    client_query_bytes(c));
		client_close(c, NULL);
	}
}

/* Write as much as the socket takes; true if everything went out. */
static bool
client_write(struct client *c)
{
	while (c->sentpos < c->reply.len) {
		ssize_t n = write(c->fd, c->reply.data + c->sentpos,
		    c->reply.len - c->sentpos);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return false;
			if (errno == EINTR)
				continue;
			client_close(c, strerror(errno));
			return false;
		}
		c->sentpos += (size_t)n;
	}
	buf_clear(&c->reply);
	c->sentpos = 0;
	buf_shrink(&c->reply, 256 * 1024);
	c->obuf_soft_since = 0;
	c->flags &= ~CLIENT_OBUF_EXEMPT;
	if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
		client_close(c, NULL);
	return true;
}

static void
client_resume_input(struct client *c)
{
	if ((c->flags & CLIENT_INPUT_PAUSED) &&
	    client_pending_bytes(c) <= OUTPUT_BACKPRESSURE / 2) {
		c->flags &= ~CLIENT_INPUT_PAUSED;
		client_pause_reading(c, false);
		client_process(c);
		client_reply_added(c);
	}
}

static void
client_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	UNUSED(fd);
	UNUSED(what);
	loop_update_time();
	if (client_write(c)) {
		event_del(c->ev_write);
		client_resume_input(c);
	} else if (c->sentpos > 1024 * 1024 && c->sentpos * 2 > c->reply.len) {
		/* Keep a slow reader's buffer from holding what it already got. */
		buf_consume(&c->reply, c->sentpos);
		c->sentpos = 0;
	}
}

void
client_flush_all(void *unused)
{
	struct client *c;

	UNUSED(unused);
	while ((c = TAILQ_FIRST(&pending)) != NULL) {
		TAILQ_REMOVE(&pending, c, pending);
		c->flags &= ~CLIENT_PENDING_WRITE;
		if (c->flags & CLIENT_CLOSE_ASAP)
			continue;
		if (c->fd < 0) {
			buf_clear(&c->reply);
			c->sentpos = 0;
			continue;
		}
		if (!client_write(c)) {
			if (!(c->flags & CLIENT_CLOSE_ASAP))
				event_add(c->ev_write, NULL);
		} else {
			client_resume_input(c);
		}
	}
}

void
client_cron(void)
{
	struct client *c;
	int64_t now = loop_now_ms();

	TAILQ_FOREACH(c, &clients, entry) {
		if (c->flags & CLIENT_CLOSE_ASAP)
			continue;
		if (limits.timeout > 0 && client_class(c) == CLIENT_CLASS_NORMAL &&
		    !(c->flags & (CLIENT_MASTER | CLIENT_REPLICA)) &&
		    now - c->last_ms > (int64_t)limits.timeout * 1000) {
			client_close(c, "Closing idle client");
			continue;
		}
		if (c->obuf_soft_since != 0)
			client_check_obuf(c);
	}
}

static const char *
client_flags_str(const struct client *c, char *out)
{
	char *p = out;

	if (c->flags & CLIENT_REPLICA)
		*p++ = 'S';
	if (c->flags & CLIENT_MASTER)
		*p++ = 'M';
	if (c->channels != NULL || c->patterns != NULL)
		*p++ = 'P';
	if (c->flags & CLIENT_MULTI)
		*p++ = 'x';
	if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
		*p++ = 'c';
	if (c->flags & CLIENT_CLOSE_ASAP)
		*p++ = 'A';
	if (p == out)
		*p++ = 'N';
	*p = '\0';
	return out;
}

void
client_describe(const struct client *c, struct buf *out)
{
	char flags[16];
	const char *events = (c->flags & CLIENT_PENDING_WRITE) ? "rw" : "r";
	int64_t now = loop_now_ms();

	buf_appendf(out, "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld "
	    "flags=%s db=%d sub=%zu psub=%zu ssub=0 multi=%d qbuf=%zu qbuf-free=%zu "
	    "argv-mem=%zu multi-mem=0 rbs=%zu rbp=%zu obl=%zu oll=0 omem=%zu "
	    "tot-mem=%zu events=%s cmd=%s user=%s redir=-1 resp=%d",
	    (unsigned long long)c->id, c->addr, c->laddr, c->fd,
	    c->name ? c->name : "",
	    (long long)((now - c->ctime_ms) / 1000), (long long)((now - c->last_ms) / 1000),
	    client_flags_str(c, flags), c->db,
	    pubsub_count(c, false), pubsub_count(c, true),
	    c->multi_len, c->query.len - c->qpos,
	    c->query.cap > c->query.len ? c->query.cap - c->query.len : 0,
	    (size_t)0, c->reply.cap, c->reply.len, client_pending_bytes(c),
	    client_pending_bytes(c),
	    sizeof *c + c->query.cap + c->reply.cap, events,
	    c->lastcmd ? c->lastcmd : "NULL",
	    c->user ? c->user->name : "default", c->proto);
}

void
client_ok(struct client *c)
{
	resp_simple(&c->reply, "OK");
}

void
client_err(struct client *c, const char *msg)
{
	resp_error(&c->reply, msg);
}

void
client_errf(struct client *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	resp_error(&c->reply, msg);
}

void client_int(struct client *c, long long v) { resp_int(&c->reply, v); }
void client_bulk(struct client *c, const void *p, size_t n) { resp_bulk(&c->reply, p, n); }
void client_bulk_str(struct client *c, const char *s) { resp_bulk_str(&c->reply, s); }
void client_null(struct client *c) { resp_null(&c->reply, c->proto); }
void client_null_array(struct client *c) { resp_null_array(&c->reply, c->proto); }
void client_array(struct client *c, long long n) { resp_array(&c->reply, n); }
void client_map(struct client *c, long long npairs) { resp_map(&c->reply, npairs, c->proto); }
void client_set(struct client *c, long long n) { resp_set(&c->reply, n, c->proto); }

void
client_err_arity(struct client *c, const char *name)
{
	char lower[128];

	snprintf(lower, sizeof lower, "%s", name);
	util_strtolower(lower);
	client_errf(c, "ERR wrong number of arguments for '%s' command", lower);
}

/* A class by the name CLIENT LIST/KILL TYPE takes; "master" is 100, -1 if unknown. */
int
client_type_by_name(const char *name)
{
	if (!strcasecmp(name, "normal"))
		return CLIENT_CLASS_NORMAL;
	if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica"))
		return CLIENT_CLASS_REPLICA;
	if (!strcasecmp(name, "pubsub"))
		return CLIENT_CLASS_PUBSUB;
	if (!strcasecmp(name, "master"))
		return 100;
	return -1;
}

/* Does c belong to the class a TYPE filter names (100: our own master link)? */
bool
client_is_type(const struct client *c, int type)
{
	/* As in Redis: our master's link is of type master only, never normal. */
	if (c->flags & CLIENT_MASTER)
		return type == 100;
	return type != 100 && (int)client_class(c) == type;
}

static bool
arg_word(const struct client *c, int i, const char *word)
{
	return i < c->argc && strcasecmp(c->argv[i], word) == 0;
}

/*
 * CLIENT KILL, both forms: "CLIENT KILL addr:port" and the filters (ID,
 * TYPE, ADDR, LADDR, USER, SKIPME), with Redis's replies. The same in the
 * server and the sentinel.
 */
void
client_kill_command(struct client *c)
{
	struct client *o;
	long long killed = 0;
	uint64_t id = 0;
	const char *addr = NULL, *laddr = NULL, *user = NULL;
	int type = -1;
	bool skipme = true, self = false;

	if (c->argc == 3) {
		/* Old form: CLIENT KILL addr:port. */
		TAILQ_FOREACH(o, client_all(), entry) {
			if (!(o->flags & CLIENT_CLOSE_ASAP) && strcmp(o->addr, c->argv[2]) == 0) {
				client_ok(c);
				if (o == c)
					client_close_after_reply(c);
				else
					client_close(o, "killed by CLIENT KILL");
				return;
			}
		}
		client_err(c, "ERR No such client");
		return;
	}
	for (int i = 2; i < c->argc; i += 2) {
		if (i + 1 >= c->argc) {
			client_err(c, "ERR syntax error");
			return;
		}
		if (arg_word(c, i, "id")) {
			long long v;

			if (!util_parse_ll(c->argv[i + 1], c->argvlen[i + 1], &v) || v <= 0) {
				client_err(c, "ERR client-id should be greater than 0");
				return;
			}
			id = (uint64_t)v;
		} else if (arg_word(c, i, "type")) {
			type = client_type_by_name(c->argv[i + 1]);
			if (type < 0) {
				client_errf(c, "ERR Unknown client type '%s'", c->argv[i + 1]);
				return;
			}
		} else if (arg_word(c, i, "addr")) {
			addr = c->argv[i + 1];
		} else if (arg_word(c, i, "laddr")) {
			laddr = c->argv[i + 1];
		} else if (arg_word(c, i, "user")) {
			user = c->argv[i + 1];
			if (acl_lookup(user) == NULL) {
				client_errf(c, "ERR No such user '%s'", user);
				return;
			}
		} else if (arg_word(c, i, "skipme")) {
			int yn = util_parse_yesno(c->argv[i + 1]);

			if (yn < 0) {
				client_err(c, "ERR syntax error");
				return;
			}
			skipme = yn == 1;
		} else {
			client_err(c, "ERR syntax error");
			return;
		}
	}
	TAILQ_FOREACH(o, client_all(), entry) {
		if (o->flags & CLIENT_CLOSE_ASAP)
			continue;
		if (id && o->id != id)
			continue;
		if (type >= 0 && !client_is_type(o, type))
			continue;
		if (addr && strcmp(o->addr, addr) != 0)
			continue;
		if (laddr && strcmp(o->laddr, laddr) != 0)
			continue;
		if (user && (o->user == NULL || strcmp(o->user->name, user) != 0))
			continue;
		if (o == c && skipme)
			continue;
		killed++;
		if (o == c)
			self = true;
		else
			client_close(o, "killed by CLIENT KILL");
	}
	client_int(c, killed);
	if (self)
		client_close_after_reply(c);
}

/* AUTH as user with a password; WRONGPASS (Redis's words) when refused. */
bool
client_authenticate(struct client *c, const char *user, const char *pw, size_t pwlen)
{
	struct acl_user *u = acl_authenticate(user, pw, pwlen);

	if (u == NULL) {
		client_err(c, "WRONGPASS invalid username-password pair or user is disabled.");
		return false;
	}
	c->user = u;
	c->authenticated = true;
	return true;
}

/* AUTH [user] password, the same in the server and the sentinel. */
void
client_auth_command(struct client *c)
{
	if (c->argc > 3) {
		client_err(c, "ERR syntax error");
		return;
	}
	if (c->argc == 2) {
		struct acl_user *def = acl_default_user();

		if (def->nopass && def->npasswords == 0) {
			client_err(c, "ERR AUTH <password> called without any password configured "
			    "for the default user. Are you sure your configuration is correct?");
			return;
		}
		if (client_authenticate(c, "default", c->argv[1], c->argvlen[1]))
			client_ok(c);
		return;
	}
	if (client_authenticate(c, c->argv[1], c->argv[2], c->argvlen[2]))
		client_ok(c);
}

/* Client names: printable ASCII without spaces. */
bool
client_name_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			return false;
	return true;
}

/* CLIENT SETNAME's rule applied to argv[i]: the name is set, or false and the error replied. */
bool
client_set_name(struct client *c, int i)
{
	if (!client_name_valid(c->argv[i], c->argvlen[i])) {
		client_err(c, "ERR Client names cannot contain spaces, newlines or special characters.");
		return false;
	}
	free(c->name);
	c->name = c->argvlen[i] ? xstrdup(c->argv[i]) : NULL;
	return true;
}

/* PING [message]; in a RESP2 subscribed context it answers as a pushed message. */
void
client_ping_command(struct client *c)
{
	if (c->argc > 2) {
		client_err_arity(c, "ping");
		return;
	}
	if (c->proto == 2 && pubsub_total(c) > 0) {
		client_array(c, 2);
		client_bulk(c, "pong", 4);
		if (c->argc == 2)
			client_bulk(c, c->argv[1], c->argvlen[1]);
		else
			client_bulk(c, "", 0);
		return;
	}
	if (c->argc == 2)
		client_bulk(c, c->argv[1], c->argvlen[1]);
	else
		resp_simple(&c->reply, "PONG");
}

/*
 * HELLO [protover [AUTH user pass] [SETNAME name]] up to its reply, whose
 * fields differ between the server and the sentinel. 0 when the protocol
 * is set and the caller replies, -1 when an error was replied; else the
 * index of an option HELLO does not know, whose error the caller replies
 * (the server cuts the option at 128 bytes, the sentinel does not).
 */
int
client_hello(struct client *c)
{
	long long ver = c->proto;
	int i = 1;

	if (c->argc >= 2) {
		if (!util_parse_ll(c->argv[1], c->argvlen[1], &ver)) {
			client_err(c, "ERR Protocol version is not an integer or out of range");
			return -1;
		}
		if (ver < 2 || ver > 3) {
			client_err(c, "NOPROTO unsupported protocol version");
			return -1;
		}
		i = 2;
	}
	for (; i < c->argc; i++) {
		if (arg_word(c, i, "auth") && i + 2 < c->argc) {
			if (!client_authenticate(c, c->argv[i + 1], c->argv[i + 2], c->argvlen[i + 2]))
				return -1;
			i += 2;
		} else if (arg_word(c, i, "setname") && i + 1 < c->argc) {
			if (!client_set_name(c, i + 1))
				return -1;
			i++;
		} else
			return i;
	}
	if (!c->authenticated) {
		client_err(c, "NOAUTH HELLO must be called with the client already authenticated, "
		    "otherwise the HELLO AUTH <user> <pass> option can be used to "
		    "authenticate the client and select the RESP protocol version at the same time");
		return -1;
	}
	c->proto = (int)ver;
	return 0;
}

/* The map of HELLO's reply and its first four pairs: server, version, proto, id. */
void
client_hello_reply(struct client *c, long long npairs, const char *version)
{
	client_map(c, npairs);
	client_bulk_str(c, "server");
	client_bulk_str(c, "redis");
	client_bulk_str(c, "version");
	client_bulk_str(c, version);
	client_bulk_str(c, "proto");
	client_int(c, c->proto);
	client_bulk_str(c, "id");
	client_int(c, (long long)c->id);
}

/* CLIENT LIST and CLIENT INFO answer with a verbatim string in RESP3. */
static void
reply_text(struct client *c, struct buf *b)
{
	resp_verbatim(&c->reply, b->data ? b->data : "", b->len, c->proto);
}

/* CLIENT INFO: this connection's CLIENT LIST line. */
void
client_info_command(struct client *c)
{
	struct buf b = BUF_INIT;

	client_describe(c, &b);
	buf_appendc(&b, '\n');
	reply_text(c, &b);
	buf_free(&b);
}

/*
 * CLIENT LIST [TYPE type | ID id ...]. false when TYPE names no class:
 * that error is the caller's, worded as its other errors are (the
 * server's are cut at 1 KB, the sentinel's are not).
 */
bool
client_list_command(struct client *c)
{
	struct buf b = BUF_INIT;
	struct client *o;
	int type = -1;
	bool ids = false;

	if (c->argc == 4 && arg_word(c, 2, "type")) {
		if ((type = client_type_by_name(c->argv[3])) < 0)
			return false;
	} else if (c->argc > 3 && arg_word(c, 2, "id")) {
		ids = true;
		for (int i = 3; i < c->argc; i++) {
			long long id;

			if (!util_parse_ll(c->argv[i], c->argvlen[i], &id) || id <= 0) {
				client_err(c, "ERR Invalid client ID");
				return true;
			}
		}
	} else if (c->argc != 2) {
		client_err(c, "ERR syntax error");
		return true;
	}
	TAILQ_FOREACH(o, client_all(), entry) {
		if (o->flags & CLIENT_CLOSE_ASAP)
			continue;
		if (type >= 0 && !client_is_type(o, type))
			continue;
		if (ids) {
			bool want = false;

			for (int i = 3; i < c->argc; i++)
				if (strtoull(c->argv[i], NULL, 10) == o->id)
					want = true;
			if (!want)
				continue;
		}
		client_describe(o, &b);
		buf_appendc(&b, '\n');
	}
	reply_text(c, &b);
	buf_free(&b);
	return true;
}
