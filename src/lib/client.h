/*
 * client.h - a client connection: reading and parsing requests with limits,
 * replies gathered in a buffer and written before the loop sleeps, output
 * buffer limits, the list of connected clients. What a request means is the
 * daemon's business: it hands us a dispatch function.
 */
#ifndef SENTINEL_CLIENT_H
#define SENTINEL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "buf.h"
#include "resp.h"

struct acl_user;
struct event;
struct hmap;

#define CLIENT_CLOSE_AFTER_REPLY 0x0001	/* close once the reply is written */
#define CLIENT_CLOSE_ASAP	0x0002	/* closed: freed at the end of this pass */
#define CLIENT_PENDING_WRITE	0x0004	/* on the list written before sleeping */
#define CLIENT_INPUT_PAUSED	0x0008	/* not reading: its replies are not read */
#define CLIENT_MULTI		0x0010	/* in MULTI */
#define CLIENT_DIRTY_EXEC	0x0020	/* EXEC will abort (queuing error) */
#define CLIENT_MASTER		0x0040	/* our link to the master: never replied to */
#define CLIENT_REPLICA		0x0080	/* a replica of ours */
#define CLIENT_BLOCKED		0x0100	/* waiting (WAIT): requests after it wait too */
#define CLIENT_OBUF_EXEMPT	0x0200	/* a sync payload is in the reply: no limits until sent */
#define CLIENT_HELD		0x0800	/* a parsed request waits in the parser (paused) */
#define CLIENT_IN_DISPATCH	0x0400

enum client_class {
	CLIENT_CLASS_NORMAL = 0,
	CLIENT_CLASS_REPLICA,
	CLIENT_CLASS_PUBSUB,
	CLIENT_CLASS_COUNT
};

struct client_obuf_limit {
	long long	hard;		/* bytes; 0 means none */
	long long	soft;
	long long	soft_seconds;
};

struct client_limits {
	long long		 qbuf_max;	/* client-query-buffer-limit */
	long long		 max_bulk;	/* proto-max-bulk-len */
	long long		 max_multibulk;
	int			 maxclients;
	int			 timeout;	/* seconds idle before a normal client is closed; 0 never */
	struct client_obuf_limit obuf[CLIENT_CLASS_COUNT];
};

struct client {
	uint64_t		 id;
	int			 fd;
	uint32_t		 flags;
	int			 proto;		/* 2 or 3 */
	int			 db;
	int			 multi_len;	/* queued commands, -1 when not in MULTI */

	/* The request being run. */
	int			 argc;
	char			**argv;
	size_t			*argvlen;
	const char		*lastcmd;	/* name for CLIENT LIST cmd= */
	size_t			 cmd_bytes;	/* stream bytes of the request being run */
	size_t			 partial_bytes;	/* bytes of a request still arriving */

	struct buf		 query;
	size_t			 qpos;
	struct resp_parser	 parser;
	struct buf		 reply;
	size_t			 sentpos;
	int64_t			 obuf_soft_since;	/* ms, 0 when under the soft limit */

	struct acl_user		*user;
	bool			 authenticated;
	char			*name;
	char			*lib_name;
	char			*lib_ver;
	char			 addr[64];
	char			 laddr[64];
	int64_t			 ctime_ms;
	int64_t			 last_ms;

	struct hmap		*channels;	/* pubsub.c */
	struct hmap		*patterns;

	void			*ud;		/* the daemon's own state */
	struct event		*ev_read;
	struct event		*ev_write;
	TAILQ_ENTRY(client)	 entry;
	TAILQ_ENTRY(client)	 pending;
};

TAILQ_HEAD(client_list, client);

struct client_ops {
	void	(*dispatch)(struct client *c);	/* c->argc/argv/argvlen are set */
	void	(*on_free)(struct client *c);	/* release c->ud */
	/*
	 * May c run this request now? (NULL: always.) When not, the request is
	 * held, the client blocked, and run when client_unblock() is called.
	 */
	bool	(*may_run)(struct client *c);
};

void	client_module_init(const struct client_ops *ops, const struct client_limits *lim);
void	client_module_shutdown(void);
/* The limits are live: CONFIG SET changes them in place. */
struct client_limits *client_limits(void);
struct client_list *client_all(void);
size_t	client_count(void);
uint64_t client_next_id(void);

/* Take a new accepted fd (listener callback); refuses it when maxclients is reached. */
void	client_accept(int fd, void *arg);
/* A client over an fd we opened ourselves (a replica's link to its master). */
struct client *client_create(int fd, uint32_t flags);
struct client *client_by_id(uint64_t id);
/* Close now or after the pending reply: freed at the end of the loop pass. */
void	client_close(struct client *c, const char *why);
void	client_close_after_reply(struct client *c);
/* Replies were added to c->reply by someone else (pub/sub): schedule the write, check limits. */
void	client_reply_added(struct client *c);
/* Feed bytes as if they were read from the socket (replication stream, tests). */
void	client_feed(struct client *c, const char *p, size_t n);
enum client_class client_class(const struct client *c);
/* Bytes of requests received and not yet run (the query buffer limit). */
size_t	client_query_bytes(const struct client *c);
/* Bytes waiting in the reply buffer. */
size_t	client_pending_bytes(const struct client *c);
/* One CLIENT LIST / CLIENT INFO line, as Redis 7.0 prints it (without newline). */
void	client_describe(const struct client *c, struct buf *out);
/* Close idle clients (timeout) and those over the soft limit too long; call every second or so. */
void	client_cron(void);
/* Write what is pending for every client: run before the loop sleeps. */
void	client_flush_all(void *unused);
/* Let a blocked client go on with the requests it sent meanwhile. */
void	client_unblock(struct client *c);
/* Stop reading from every client (shutdown) */
void	client_pause_reading(struct client *c, bool paused);

/* Reply shortcuts. */
void	client_ok(struct client *c);
/* CLIENT KILL (both forms) and the class names its TYPE filter takes. */
void	client_kill_command(struct client *c);
int	client_type_by_name(const char *name);
bool	client_is_type(const struct client *c, int type);
/* AUTH: the command, the check HELLO AUTH shares, and CLIENT SETNAME's rule. */
void	client_auth_command(struct client *c);
bool	client_authenticate(struct client *c, const char *user, const char *pw, size_t pwlen);
bool	client_name_valid(const char *s, size_t n);
/* The connection commands both daemons answer alike, byte for byte. */
bool	client_set_name(struct client *c, int i);
void	client_ping_command(struct client *c);
/* HELLO up to its reply: 0 reply now, -1 replied, else the index of an unknown option. */
int	client_hello(struct client *c);
void	client_hello_reply(struct client *c, long long npairs, const char *version);
void	client_info_command(struct client *c);
/* CLIENT LIST; false when TYPE names no class (the caller replies that error). */
bool	client_list_command(struct client *c);
void	client_err(struct client *c, const char *msg);
void	client_errf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	client_int(struct client *c, long long v);
void	client_bulk(struct client *c, const void *p, size_t n);
void	client_bulk_str(struct client *c, const char *s);
void	client_null(struct client *c);
void	client_null_array(struct client *c);
void	client_array(struct client *c, long long n);
void	client_map(struct client *c, long long npairs);
void	client_set(struct client *c, long long n);
/* "ERR wrong number of arguments for 'x' command" with x the lower-cased name. */
void	client_err_arity(struct client *c, const char *name);

#endif
