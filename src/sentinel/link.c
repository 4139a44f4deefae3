/*
 * link.c - connections to servers and peer sentinels: our own non-blocking
 * I/O on the loop, hiredis for command formatting and reply parsing.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/sds.h>

#include "buf.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "sock.h"
#include "util.h"

struct pending {
	link_reply_fn	 fn;
	void		*privdata;
	int64_t		 sent;
};

struct link {
	enum link_kind		 kind;
	const struct link_hooks	*hooks;
	void			*owner;
	int			 fd;
	bool			 connecting;
	bool			 connected;
	bool			 freeing;	/* free once the current callback returns */
	bool			 lingering;	/* freed, still sending what was queued */
	bool			 queued;	/* in the flush queue */
	int			 in_callback;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_timer;
	redisReader		*reader;
	struct buf		 out;
	size_t			 outpos;
	struct pending		*q;		/* ring of pending replies */
	size_t			 qhead, qlen, qcap;
	size_t			 max_pending;
	int64_t			 connected_since;
	int64_t			 last_activity;
	int64_t			 connect_deadline;
	int64_t			 reply_timeout;
	char			 local_ip[96];
};

static void	link_io(evutil_socket_t, short, void *);
static void	link_tick(evutil_socket_t, short, void *);

/*
 * Commands are not written one by one: link_command() appends to the link's
 * output and queues the link, and link_flush_all(), run once per loop pass
 * before the loop sleeps, writes each queued link with one write(). Only
 * output the socket does not take at once waits for EV_WRITE. This saves two
 * epoll_ctl calls and a loop pass per command, and a PING, an INFO and a
 * hello due together leave in one segment.
 */
static struct link	**flushq;
static size_t		  nflushq, capflushq;

struct link *
link_new(enum link_kind kind, const struct link_hooks *hooks, void *owner)
{
	struct link *l = xcalloc(1, sizeof *l);

	l->kind = kind;
	l->hooks = hooks;
	l->owner = owner;
	l->fd = -1;
	buf_init(&l->out);
	l->qcap = 8;
	l->max_pending = LINK_MAX_PENDING;
	l->q = xcalloc(l->qcap, sizeof *l->q);
	l->ev_timer = event_new(loop_base(), -1, 0, link_tick, l);
	return l;
}

bool link_is_connected(const struct link *l) { return l->connected; }
bool link_is_connecting(const struct link *l) { return l->connecting; }
int link_pending(const struct link *l) { return (int)l->qlen; }
void link_set_max_pending(struct link *l, int n) { l->max_pending = n > 0 ? (size_t)n : LINK_MAX_PENDING; }
int link_max_pending(const struct link *l) { return (int)l->max_pending; }
void *link_owner(const struct link *l) { return l->owner; }
void link_set_owner(struct link *l, void *owner) { l->owner = owner; }
int64_t link_connected_since(const struct link *l) { return l->connected ? l->connected_since : 0; }
int64_t link_last_activity(const struct link *l) { return l->last_activity; }
const char *link_local_ip(const struct link *l) { return l->local_ip; }
void link_set_reply_timeout(struct link *l, int64_t ms) { l->reply_timeout = ms; }

static void
arm_timer(struct link *l)
{
	struct timeval tv = { 0, 100 * 1000 };

	if ((l->connecting || l->qlen > 0) && !event_pending(l->ev_timer, EV_TIMEOUT, NULL))
		event_add(l->ev_timer, &tv);
}

static void
unqueue(struct link *l)
{
	if (!l->queued)
		return;
	for (size_t i = 0; i < nflushq; i++)
		if (flushq[i] == l)
			flushq[i] = NULL;
	l->queued = false;
}

/* Fail every pending callback: the replies will never come. */
static void
flush_pending(struct link *l)
{
	l->in_callback++;
	while (l->qlen > 0) {
		struct pending p = l->q[l->qhead];

		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
		if (p.fn)
			p.fn(l, NULL, p.privdata);
	}
	l->in_callback--;
}

static void
teardown(struct link *l)
{
	if (l->ev_read) {
		event_free(l->ev_read);
		l->ev_read = NULL;
	}
	if (l->ev_write) {
		event_free(l->ev_write);
		l->ev_write = NULL;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->reader) {
		redisReaderFree(l->reader);
		l->reader = NULL;
	}
	buf_clear(&l->out);
	l->outpos = 0;
	l->connecting = l->connected = false;
	l->connected_since = 0;
	event_del(l->ev_timer);
}

static void
really_free(void *arg)
{
	struct link *l = arg;

	teardown(l);
	unqueue(l);
	event_free(l->ev_timer);
	buf_free(&l->out);
	free(l->q);
	free(l);
}

void
link_close(struct link *l, const char *why)
{
	bool was = l->connected || l->connecting;

	teardown(l);
	flush_pending(l);
	if (was && !l->freeing && l->hooks && l->hooks->disconnected)
		l->hooks->disconnected(l, why ? why : "closed");
}

/*
 * A link given up while connected still delivers what was written to it:
 * the commands a failover queued on the old master's link (the demotion,
 * CLIENT UNPAUSE) just before +switch-master released that link. Its
 * callbacks are answered now with no reply; the socket sends the rest,
 * closes its writing side and reads (and drops) until the server closes,
 * for at most LINK_LINGER_MS. A plain close with replies unread would
 * send a reset, which can drop commands the server had not read yet.
 */
#define LINK_LINGER_MS	2000

static void
linger_end(struct link *l)
{
	if (l->ev_read)
		event_del(l->ev_read);
	if (l->ev_write)
		event_del(l->ev_write);
	event_del(l->ev_timer);
	l->lingering = false;
	loop_defer(really_free, l);
}

static void
linger_io(struct link *l, short what)
{
	if ((what & EV_WRITE) && l->outpos < l->out.len) {
		ssize_t n = write(l->fd, l->out.data + l->outpos, l->out.len - l->outpos);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			linger_end(l);
			return;
		}
		if (n > 0)
			l->outpos += (size_t)n;
	}
	if (l->outpos >= l->out.len && l->ev_write != NULL &&
	    event_pending(l->ev_write, EV_WRITE, NULL)) {
		event_del(l->ev_write);
		shutdown(l->fd, SHUT_WR);
	}
	if (what & EV_READ) {
		char tmp[4096];
		ssize_t n = read(l->fd, tmp, sizeof tmp);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			linger_end(l);
	}
}

void
link_free(struct link *l)
{
	struct timeval tv = { LINK_LINGER_MS / 1000, (LINK_LINGER_MS % 1000) * 1000 };

	if (l == NULL || l->freeing || l->lingering)
		return;
	l->freeing = true;
	flush_pending(l);
	if (l->connected && l->fd >= 0) {
		l->lingering = true;
		l->hooks = NULL;
		l->owner = NULL;
		if (l->reader) {
			redisReaderFree(l->reader);
			l->reader = NULL;
		}
		event_del(l->ev_timer);
		event_add(l->ev_timer, &tv);
		if (l->outpos >= l->out.len) {
			if (l->ev_write)
				event_del(l->ev_write);
			shutdown(l->fd, SHUT_WR);
		} else {
			event_add(l->ev_write, NULL);
		}
		return;
	}
	teardown(l);
	loop_defer(really_free, l);
}

int
link_connect(struct link *l, const char *ip, int port, const char *source, int64_t timeout_ms)
{
	if (l->connected || l->connecting || l->freeing)
		return 0;
	l->fd = sock_connect(ip, port, source);
	if (l->fd < 0)
		return -1;
	l->reader = redisReaderCreate();
	l->connecting = true;
	l->connect_deadline = loop_now_ms() + timeout_ms;
	l->last_activity = loop_now_ms();
	l->ev_read = event_new(loop_base(), l->fd, EV_READ | EV_PERSIST, link_io, l);
	l->ev_write = event_new(loop_base(), l->fd, EV_WRITE | EV_PERSIST, link_io, l);
	event_add(l->ev_write, NULL);
	arm_timer(l);
	return 0;
}

static void
queue_push(struct link *l, link_reply_fn fn, void *privdata)
{
	if (l->qlen == l->qcap) {
		struct pending *nq = xcalloc(l->qcap * 2, sizeof *nq);

		for (size_t i = 0; i < l->qlen; i++)
			nq[i] = l->q[(l->qhead + i) % l->qcap];
		free(l->q);
		l->q = nq;
		l->qhead = 0;
		l->qcap *= 2;
	}
	l->q[(l->qhead + l->qlen) % l->qcap] = (struct pending){ fn, privdata, loop_now_ms() };
	l->qlen++;
}

int
link_command(struct link *l, link_reply_fn fn, void *privdata, int argc,
    const char **argv, const size_t *argvlen)
{
	char *cmd = NULL;
	int n;

	if (!l->connected || l->freeing || l->qlen >= l->max_pending)
		return -1;
	n = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
	if (n < 0)
		return -1;
	buf_append(&l->out, cmd, (size_t)n);
	redisFreeCommand(cmd);
	queue_push(l, fn, privdata);
	if (!l->queued) {
		if (nflushq == capflushq) {
			capflushq = capflushq ? 2 * capflushq : 64;
			flushq = xreallocarray(flushq, capflushq, sizeof *flushq);
		}
		flushq[nflushq++] = l;
		l->queued = true;
	}
	arm_timer(l);
	return 0;
}

/* Write what is pending on one link; false when it was closed. */
static bool
write_out(struct link *l)
{
	while (l->outpos < l->out.len) {
		ssize_t n = write(l->fd, l->out.data + l->outpos, l->out.len - l->outpos);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				event_add(l->ev_write, NULL);
				return true;
			}
			link_close(l, strerror(errno));
			return false;
		}
		l->outpos += (size_t)n;
	}
	buf_clear(&l->out);
	l->outpos = 0;
	if (event_pending(l->ev_write, EV_WRITE, NULL))
		event_del(l->ev_write);
	return true;
}

void
link_flush_all(void *unused)
{
	UNUSED(unused);
	/* A close during a write may queue nothing new, but be safe: by index. */
	for (size_t i = 0; i < nflushq; i++) {
		struct link *l = flushq[i];

		if (l == NULL)
			continue;
		flushq[i] = NULL;
		l->queued = false;
		if (l->connected && !l->lingering && l->fd >= 0 && l->outpos < l->out.len &&
		    !event_pending(l->ev_write, EV_WRITE, NULL))
			write_out(l);
	}
	nflushq = 0;
}

int
link_commandv(struct link *l, link_reply_fn fn, void *privdata, ...)
{
	const char *argv[16];
	size_t lens[16];
	int argc = 0;
	va_list ap;
	const char *w;

	va_start(ap, privdata);
	while ((w = va_arg(ap, const char *)) != NULL && argc < 16) {
		argv[argc] = w;
		lens[argc] = strlen(w);
		argc++;
	}
	va_end(ap);
	return link_command(l, fn, privdata, argc, argv, lens);
}

/*
 * A pub/sub frame: deliver messages (true). A subscribe confirmation
 * answers the oldest pending command, the SUBSCRIBE (replies come in
 * order and we subscribe one channel at a time); true only when nothing
 * is pending.
 */
static bool
pubsub_frame(struct link *l, redisReply *r)
{
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		return false;
	if (strcmp(r->element[0]->str, "message") == 0 && r->elements == 3 &&
	    r->element[1]->type == REDIS_REPLY_STRING && r->element[2]->type == REDIS_REPLY_STRING) {
		if (l->hooks && l->hooks->message)
			l->hooks->message(l, r->element[1]->str, r->element[1]->len,
			    r->element[2]->str, r->element[2]->len);
		return true;
	}
	return l->qlen == 0 && (strcmp(r->element[0]->str, "subscribe") == 0 ||
	    strcmp(r->element[0]->str, "unsubscribe") == 0);
}

/* Parse what arrived and hand each reply to whoever asked for it. */
static void
deliver(struct link *l)
{
	void *reply;

	while (l->reader != NULL) {
		redisReply *r;

		if (redisReaderGetReply(l->reader, &reply) != REDIS_OK) {
			link_close(l, "protocol error from the server");
			return;
		}
		if (reply == NULL)
			return;
		r = reply;
		if (l->kind == LINK_PUBSUB && pubsub_frame(l, r)) {
			freeReplyObject(r);
			if (l->freeing || l->fd < 0)
				return;
			continue;
		}
		if (l->qlen == 0) {
			/* Nobody asked: a broken or hostile server. */
			freeReplyObject(r);
			link_close(l, "unsolicited reply from the server");
			return;
		}
		{
			struct pending p = l->q[l->qhead];

			l->qhead = (l->qhead + 1) % l->qcap;
			l->qlen--;
			l->in_callback++;
			if (p.fn)
				p.fn(l, r, p.privdata);
			l->in_callback--;
		}
		freeReplyObject(r);
		if (l->freeing || l->fd < 0)
			return;
	}
}

/*
 * hiredis keeps a reader's input buffer once its replies are consumed (an
 * INFO reply leaves several KB), and compacts it only every KB: with two
 * links per master that is most of a sentinel's memory. Everything read
 * has been delivered: start the next read with an empty buffer.
 */
static void
trim_input(struct link *l)
{
	redisReader *r = l->reader;

	if (r == NULL || r->pos < r->len || sdsalloc(r->buf) < 128)
		return;
	sdsfree(r->buf);
	if ((r->buf = sdsempty()) == NULL)
		fatalx("out of memory");
	r->pos = r->len = 0;
}

static void
finish_connect(struct link *l)
{
	int err = 0;
	socklen_t len = sizeof err;
	char local[96], *colon;

	if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
		l->connecting = true;
		link_close(l, strerror(err ? err : errno));
		return;
	}
	l->connecting = false;
	l->connected = true;
	l->connected_since = l->last_activity = loop_now_ms();
	sock_local_addr(l->fd, local, sizeof local);
	/* "ip:port" or "[v6]:port" -> ip */
	if (local[0] == '[') {
		snprintf(l->local_ip, sizeof l->local_ip, "%s", local + 1);
		if ((colon = strchr(l->local_ip, ']')) != NULL)
			*colon = '\0';
	} else {
		snprintf(l->local_ip, sizeof l->local_ip, "%s", local);
		if ((colon = strrchr(l->local_ip, ':')) != NULL)
			*colon = '\0';
	}
	event_add(l->ev_read, NULL);
	if (l->out.len == 0)
		event_del(l->ev_write);
	if (l->hooks && l->hooks->connected)
		l->hooks->connected(l);
}

static void
link_io(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;

	UNUSED(fd);
	loop_update_time();
	if (l->lingering) {
		linger_io(l, what);
		return;
	}
	if (l->connecting) {
		if (what & EV_WRITE)
			finish_connect(l);
		return;
	}
	if (what & EV_READ) {
		char tmp[16384];
		ssize_t n = read(l->fd, tmp, sizeof tmp);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			link_close(l, n == 0 ? "connection closed" : strerror(errno));
			return;
		}
		if (n > 0) {
			l->last_activity = loop_now_ms();
			if (redisReaderFeed(l->reader, tmp, (size_t)n) != REDIS_OK ||
			    l->reader->len - l->reader->pos > LINK_MAX_INPUT) {
				link_close(l, "too much input from the server");
				return;
			}
			deliver(l);
			if (l->fd < 0)
				return;
			trim_input(l);
		}
	}
	if ((what & EV_WRITE) && l->fd >= 0)
		write_out(l);
}

/* Connect deadline and reply timeout. */
static void
link_tick(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;
	int64_t now;

	UNUSED(fd);
	UNUSED(what);
	if (l->lingering) {
		linger_end(l);
		return;
	}
	loop_update_time();
	now = loop_now_ms();
	if (l->connecting && now >= l->connect_deadline) {
		link_close(l, "connect timeout");
		return;
	}
	if (l->connected && l->reply_timeout > 0 && l->qlen > 0 &&
	    now - l->q[l->qhead].sent > l->reply_timeout) {
		link_close(l, "reply timeout");
		return;
	}
	arm_timer(l);
}
