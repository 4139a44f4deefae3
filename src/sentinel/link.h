/*
 * link.h - a connection from the sentinel to a Redis server or a peer
 * sentinel. The only module that includes hiredis.
 *
 * We do the socket I/O ourselves on the loop and use hiredis for what it is
 * safe for: formatting commands and parsing replies with a redisReader. Its
 * async layer asserts on a reply nobody asked for, which a misbehaving
 * server could use to crash us; here such a reply closes the link instead.
 * Every link has a connect timeout, a reply timeout, a cap on pending
 * commands and a cap on buffered input.
 */
#ifndef SENTINEL_LINK_H
#define SENTINEL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct link;
struct redisReply;

enum link_kind {
	LINK_CMD,
	LINK_PUBSUB,
};

/* A reply, or NULL when the link went away before it came. */
typedef void (*link_reply_fn)(struct link *l, struct redisReply *r, void *privdata);

struct link_hooks {
	void	(*connected)(struct link *l);			/* TCP is up */
	void	(*disconnected)(struct link *l, const char *why);
	void	(*message)(struct link *l, const char *ch, size_t chlen,
		    const char *msg, size_t mlen);		/* pub/sub links */
};

#define LINK_MAX_PENDING	100
#define LINK_MAX_INPUT		(64 * 1024 * 1024)

/* A new link, not connected yet; owner is the caller's (instance). */
struct link *link_new(enum link_kind kind, const struct link_hooks *hooks, void *owner);
/* Connect to a numeric address; the outcome comes through the hooks. -1 if it cannot even start. */
int	link_connect(struct link *l, const char *ip, int port, const char *source, int64_t timeout_ms);
/* Close: pending callbacks get NULL now, the link can connect again. */
void	link_close(struct link *l, const char *why);
/* Free (closes first); safe from inside a callback of this link. */
void	link_free(struct link *l);
bool	link_is_connected(const struct link *l);
bool	link_is_connecting(const struct link *l);
int	link_pending(const struct link *l);
/*
 * How many commands may wait for their replies (LINK_MAX_PENDING unless
 * set): beyond that link_command() refuses. A peer sentinel's link carries
 * the questions and vote requests of every master the two watch together.
 */
void	link_set_max_pending(struct link *l, int n);
int	link_max_pending(const struct link *l);
void	*link_owner(const struct link *l);
void	link_set_owner(struct link *l, void *owner);
/* When the link last connected (monotonic ms), 0 if not connected. */
int64_t	link_connected_since(const struct link *l);
int64_t	link_last_activity(const struct link *l);
/* Local address of the socket ("ip"), for hellos. */
const char *link_local_ip(const struct link *l);
/*
 * Send a command; fn (may be NULL) gets the reply. Returns -1 when not
 * connected or too many commands are pending.
 */
int	link_command(struct link *l, link_reply_fn fn, void *privdata,
	    int argc, const char **argv, const size_t *argvlen);
/* NULL-terminated words. */
int	link_commandv(struct link *l, link_reply_fn fn, void *privdata, ...)
	    __attribute__((sentinel));
/* Writes the commands queued this loop pass (a loop_before_sleep hook). */
void	link_flush_all(void *unused);
/* A reply that waits longer than this closes the link (0: none). */
void	link_set_reply_timeout(struct link *l, int64_t ms);

#endif
